// SPDX-License-Identifier: GPL-2.0
/*
 * Booting the machine from a description, and shutting it down.
 *
 * Boot order is the firmware's: IOMMU instances first (each kind's
 * create() registers its iommu_device with the platform_iommu as fwnode),
 * then every function in description order: the device kind builds its
 * config space and BARs, the IOMMU kind learns of the device
 * (add_device), and device_add() lets the core probe it, which puts it in
 * the IOMMU group the description names (platform_device_group()).
 * Anything failing tears down what was built, in reverse.
 *
 * A function's DMA port (struct pci_dma_port) leads to its IOMMU kind's
 * translate(): the device models never see which IOMMU they sit behind.
 */
#include "harness/platform/platform_internal.h"

#include "harness/kernel.h"

#include <cstdlib>

namespace {

std::mutex boot_lock;

void platform_pci_release(struct device *dev)
{
	kfree(container_of(dev, struct platform_pci_device, dev));
}

int port_translate(struct pci_dma_port *port, struct pci_func *f, u32 pasid, bool has_pasid,
		   u64 iova, bool write, phys_addr_t *pa, u64 *contig)
{
	auto *pdev = (struct platform_dev *)port->priv;
	struct platform_iommu *iommu = pdev->iommu;

	if (!iommu->kind->translate)
		return PCI_DMA_UR;
	return iommu->kind->translate(iommu, pdev, pasid, has_pasid, iova, write, pa, contig);
}

void teardown(platform_machine *m)
{
	/* Reverse order: functions, then the IOMMUs they sat behind. */
	for (auto it = m->devs.rbegin(); it != m->devs.rend(); ++it) {
		platform_dev *pdev = it->get();

		if (pdev->dev) {
			device_del(pdev->dev);
			if (pdev->iommu->kind->remove_device)
				pdev->iommu->kind->remove_device(pdev->iommu, pdev);
			put_device(pdev->dev);
		}
		if (pdev->func)
			pci_func_free(pdev->func);
	}
	m->devs.clear();
	for (auto &g : m->groups)
		iommu_group_put(g.second);
	m->groups.clear();
	for (auto it = m->iommus.rbegin(); it != m->iommus.rend(); ++it)
		if ((*it)->kind->destroy)
			(*it)->kind->destroy(it->get());
	m->iommus.clear();
}

int boot_device(platform_machine *m, const platform_device_desc *d, int index, const std::vector<int> &gids,
		std::string *err)
{
	auto pdev = std::make_unique<platform_dev>();
	struct platform_pci_device *pd;
	int rc;

	pdev->desc = d;
	pdev->index = index;
	pdev->group_id = gids[index];
	pdev->bdf = platform_bdf_name(d->segment, d->bus, d->devfn);
	pdev->kind = platform_device_kind_find(d->kind);
	for (auto &iommu : m->iommus)
		if (iommu->desc->name == d->iommu)
			pdev->iommu = iommu.get();
	if (!pdev->kind || !pdev->iommu) {
		*err = pdev->bdf + ": unknown " + (pdev->kind ? "IOMMU " + d->iommu : "kind " + d->kind);
		return -EINVAL;
	}

	pdev->func = pci_func_alloc(d->segment, d->bus, d->devfn, pdev->kind->vendor,
				    pdev->kind->device, 0, 0);
	if (!pdev->func) {
		*err = pdev->bdf + ": out of memory";
		return -ENOMEM;
	}
	rc = pdev->kind->create(pdev->func, d);
	if (rc) {
		*err = pdev->bdf + ": the " + d->kind + " model could not be built";
		pci_func_free(pdev->func);
		return rc;
	}
	pci_func_finalize(pdev->func);
	pdev->dma.translate = port_translate;
	pdev->dma.priv = pdev.get();
	pdev->func->dma = &pdev->dma;

	pd = (struct platform_pci_device *)kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd) {
		pci_func_free(pdev->func);
		*err = pdev->bdf + ": out of memory";
		return -ENOMEM;
	}
	pd->pdev = pdev.get();
	device_initialize(&pd->dev);
	dev_set_name(&pd->dev, "%s", pdev->bdf.c_str());
	pd->dev.bus = &platform_pci_bus_type;
	pd->dev.iommu_fwnode = pdev->iommu;
	pd->dev.pasid_bits = d->pasid_bits;
	pd->dev.release = platform_pci_release;
	pdev->dev = &pd->dev;

	/* Listed before probing: the IOMMU kind's probe may look the device up. */
	platform_dev *raw = pdev.get();
	m->devs.push_back(std::move(pdev));
	if (raw->iommu->kind->add_device) {
		rc = raw->iommu->kind->add_device(raw->iommu, raw);
		if (rc) {
			*err = raw->bdf + ": the " + raw->iommu->kind->name + " IOMMU refused it";
			put_device(raw->dev);
			raw->dev = nullptr;
			return rc;
		}
	}
	rc = device_add(raw->dev);
	if (!rc && !raw->dev->iommu) {
		device_del(raw->dev);
		rc = -ENODEV;
	}
	if (rc) {
		*err = raw->bdf + ": no IOMMU claimed it (" + raw->iommu->desc->name + ")";
		if (raw->iommu->kind->remove_device)
			raw->iommu->kind->remove_device(raw->iommu, raw);
		put_device(raw->dev);
		raw->dev = nullptr;
		return rc;
	}
	return 0;
}

} // namespace

/* ---- the machine ---- */

int platform_boot(const struct platform_desc &desc, std::string *err)
{
	std::lock_guard<std::mutex> g(boot_lock);
	std::vector<int> gids;
	platform_machine *m;
	int rc = 0;

	if (platform_running) {
		*err = "a platform is already running";
		return -EBUSY;
	}
	m = new platform_machine;
	m->desc = desc;
	gids = platform_desc_group_ids(m->desc);
	platform_running = m;

	for (size_t i = 0; i < m->desc.iommus.size(); i++) {
		auto iommu = std::make_unique<platform_iommu>();

		iommu->desc = &m->desc.iommus[i];
		iommu->kind = platform_iommu_kind_find(iommu->desc->kind);
		iommu->index = (int)i;
		if (!iommu->kind) {
			*err = iommu->desc->name + ": unknown IOMMU kind " + iommu->desc->kind;
			rc = -EINVAL;
			break;
		}
		rc = iommu->kind->create(iommu.get());
		if (rc) {
			*err = iommu->desc->name + ": the " + iommu->desc->kind +
			       " IOMMU could not be brought up";
			break;
		}
		m->iommus.push_back(std::move(iommu));
	}
	for (size_t i = 0; !rc && i < m->desc.devices.size(); i++)
		rc = boot_device(m, &m->desc.devices[i], (int)i, gids, err);
	if (rc) {
		teardown(m);
		platform_running = nullptr;
		delete m;
	}
	return rc;
}

void platform_shutdown(void)
{
	std::lock_guard<std::mutex> g(boot_lock);

	if (!platform_running)
		return;
	teardown(platform_running);
	delete platform_running;
	platform_running = nullptr;
}

int platform_boot_named(const std::string &what, std::string *err)
{
	platform_desc desc;
	int rc = platform_desc_load(what, &desc, err);

	return rc ? rc : platform_boot(desc, err);
}

int platform_boot_from_env(std::string *err)
{
	const char *what = getenv(PLATFORM_ENV);

	return platform_boot_named(what && *what ? what : "default", err);
}

