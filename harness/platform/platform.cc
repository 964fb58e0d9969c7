// SPDX-License-Identifier: GPL-2.0
/*
 * The running machine: kind registries, lookups, IOMMU groups. Boot and
 * shutdown, and the DMA port that joins a PCI function to the IOMMU it sits
 * behind, are in platform_boot.cc.
 *
 * Group numbers are the description's: devices naming the same group
 * share one, devices naming none get their own, numbered after the highest
 * named one (platform_desc_group_ids()), and the core allocates them with
 * exactly those ids so sysfs, the tree printer and the kernel agree.
 *
 * The machine is built once per kernel side and lives until shutdown;
 * nothing is hot-plugged, so lookups after boot need no lock.
 */
#include "harness/platform/platform_internal.h"

#include "harness/kernel.h"
#include "harness/platform/pci_regs.h"

const struct bus_type platform_pci_bus_type = {.name = "pci"};
struct platform_machine *platform_running;

namespace {

std::vector<const platform_iommu_kind *> &iommu_kinds()
{
	static std::vector<const platform_iommu_kind *> kinds;
	return kinds;
}

std::vector<const platform_device_kind *> &device_kinds()
{
	static std::vector<const platform_device_kind *> kinds;
	return kinds;
}

template <typename K>
const K *kind_find(const std::vector<const K *> &kinds, const std::string &name)
{
	for (const K *k : kinds)
		if (name == k->name)
			return k;
	return nullptr;
}

/* Serialises platform_device_group() (probes may run concurrently one day). */
std::mutex group_lock;

} // namespace

/* ---- registries ---- */

void platform_iommu_kind_register(const struct platform_iommu_kind *kind)
{
	if (!kind_find(iommu_kinds(), kind->name))
		iommu_kinds().push_back(kind);
}

void platform_device_kind_register(const struct platform_device_kind *kind)
{
	if (!kind_find(device_kinds(), kind->name))
		device_kinds().push_back(kind);
}

const struct platform_iommu_kind *platform_iommu_kind_find(const std::string &name)
{
	return kind_find(iommu_kinds(), name);
}

const struct platform_device_kind *platform_device_kind_find(const std::string &name)
{
	return kind_find(device_kinds(), name);
}

std::vector<const struct platform_iommu_kind *> platform_iommu_kinds(void)
{
	return iommu_kinds();
}

std::vector<const struct platform_device_kind *> platform_device_kinds(void)
{
	return device_kinds();
}

const struct platform_desc *platform_current(void)
{
	return platform_running ? &platform_running->desc : nullptr;
}

int platform_nr_devices(void)
{
	return platform_running ? (int)platform_running->devs.size() : 0;
}

struct platform_dev *platform_dev_get(int index)
{
	if (!platform_running || index < 0 || index >= (int)platform_running->devs.size())
		return nullptr;
	return platform_running->devs[index].get();
}

struct platform_dev *platform_dev_by_bdf(const std::string &bdf)
{
	if (!platform_running)
		return nullptr;
	for (auto &pdev : platform_running->devs)
		if (pdev->bdf == bdf)
			return pdev.get();
	return nullptr;
}

struct platform_dev *platform_dev_of(struct device *dev)
{
	if (!dev || dev->bus != &platform_pci_bus_type)
		return nullptr;
	return container_of(dev, struct platform_pci_device, dev)->pdev;
}

int platform_nr_iommus(void)
{
	return platform_running ? (int)platform_running->iommus.size() : 0;
}

struct platform_iommu *platform_iommu_get(int index)
{
	if (!platform_running || index < 0 || index >= (int)platform_running->iommus.size())
		return nullptr;
	return platform_running->iommus[index].get();
}

int platform_check_cap(const char *cap, u64 val, const char *const *names,
		       const struct platform_cap_limit *limits, size_t nr_limits, const char *what,
		       std::string *why)
{
	for (size_t i = 0; i < nr_limits; i++) {
		if (strcmp(cap, limits[i].name))
			continue;
		if (val < limits[i].min || val > limits[i].max) {
			*why = limits[i].why;
			return -EINVAL;
		}
		return 0;
	}
	for (const char *const *n = names; *n; n++) {
		if (strcmp(cap, *n))
			continue;
		if (val > 1) {
			*why = "0 or 1";
			return -EINVAL;
		}
		return 0;
	}
	*why = std::string("not a capability of the ") + what;
	return -EINVAL;
}

void platform_state_items(std::vector<struct state_item> *out)
{
	if (!platform_running)
		return;
	for (auto &iommu : platform_running->iommus)
		if (iommu->kind->settle)
			iommu->kind->settle(iommu.get());
	for (auto &iommu : platform_running->iommus) {
		struct state_item item;

		item.key = iommu->desc->name;
		item.kind = "iommu";
		item.label = iommu->desc->name + std::string(" (") + iommu->kind->name + ")";
		state_item_field(&item, "kind %s", iommu->kind->name);
		state_item_seal(&item);
		out->push_back(std::move(item));
		if (iommu->kind->describe)
			iommu->kind->describe(iommu.get(), out);
	}
	for (auto &pdev : platform_running->devs) {
		struct pci_func *f = pdev->func;
		struct state_item item;

		item.key = pdev->bdf;
		item.kind = "pci_func";
		item.label = pdev->bdf + " " + pdev->kind->name;
		item.edges.emplace_back("iommu", pdev->iommu->desc->name);
		{
			std::lock_guard<std::recursive_mutex> g(f->lock);

			state_item_field(&item, "command 0x%04x",
					 pci_cfg_read(f, PCI_COMMAND, 2));
			state_item_field(&item, "nr_master_aborts %lu", f->nr_master_aborts);
		}
		state_item_seal(&item);
		out->push_back(std::move(item));
	}
}

struct iommu_group *platform_device_group(struct device *dev)
{
	struct platform_dev *pdev = platform_dev_of(dev);
	std::lock_guard<std::mutex> g(group_lock);
	struct iommu_group *group;

	if (!pdev || !platform_running)
		return ERR_PTR(-ENODEV);
	auto it = platform_running->groups.find(pdev->group_id);
	if (it != platform_running->groups.end())
		return iommu_group_ref_get(it->second);
	group = iommu_group_alloc_id(pdev->group_id);
	if (IS_ERR(group))
		return group;
	/* The machine's reference; each probed device takes its own. */
	platform_running->groups[pdev->group_id] = iommu_group_ref_get(group);
	return group;
}
