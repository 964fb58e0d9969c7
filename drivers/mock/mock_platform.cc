// SPDX-License-Identifier: GPL-2.0
/*
 * The mock IOMMU as a platform IOMMU kind ("mock"): PCI functions of a
 * platform description sit behind it until the vendor models exist, and
 * their DMA is translated by the mock domain attached to them.
 *
 * Each instance is an iommu_device with the mock's iommu_ops, registered
 * with its platform_iommu as fwnode, so the core's probe finds it for the
 * functions the description puts behind it (mock_probe_device()). The mock
 * bus's own instance (mock_iommu_init()) is separate and unchanged: the
 * selftests' mock devices never see a platform device, nor the reverse.
 *
 * The "hardware" of the mock is its page table (an xarray of entries,
 * mock.h) and the attachment the core records, so translation reads those:
 * the domain on the PASID (or the RID) the request carries; blocked or
 * nothing attached refuses everything; identity passes the address; a
 * paging domain needs an entry with the access's permission; a nested
 * domain has no stage 1 of its own here (the mock vIOMMU models caches,
 * not tables), so its stage-2 parent translates. A device write through a
 * dirty-tracking domain sets the entry's dirty bit, as hardware A/D
 * updates would, so IOMMU_HWPT_GET_DIRTY_BITMAP sees device DMA.
 *
 * A refused DMA is counted per instance and, for a PRI-capable device
 * whose domain takes page faults (attached to a fault-capable HWPT), sent
 * as a page request through iommu_report_device_fault(), which is how it
 * reaches an iommufd fault queue on Linux. The device itself sees an
 * Unsupported Request, whatever happens to the page request: the mock
 * does not retry DMA after a page response (hardware would have the
 * device retry; none of the device models issues ATS requests yet).
 */
#include "drivers/mock/mock.h"

#include "core/io_pgfault.h"
#include "harness/platform/platform.h"

namespace {

struct mock_platform_iommu {
	struct iommu_device iommu;
	unsigned long faults;		/* __atomic: DMA from any thread */
};

const char *const mock_cap_names[] = {"max_pasid_bits", nullptr};

int mock_platform_check_cap(const char *cap, u64 val, std::string *why)
{
	if (!strcmp(cap, "max_pasid_bits")) {
		if (val > 20) {
			*why = "at most 20 (the PCIe PASID width)";
			return -EINVAL;
		}
		return 0;
	}
	*why = "not a capability of the mock IOMMU";
	return -EINVAL;
}

int mock_platform_create(struct platform_iommu *piommu)
{
	struct mock_platform_iommu *mi;
	u64 bits = MOCK_PASID_WIDTH;
	int rc;

	auto it = piommu->desc->caps.find("max_pasid_bits");
	if (it != piommu->desc->caps.end())
		bits = it->second;
	mi = (struct mock_platform_iommu *)kzalloc(sizeof(*mi), GFP_KERNEL);
	if (!mi)
		return -ENOMEM;
	mi->iommu.fwnode = piommu;
	mi->iommu.max_pasids = bits ? 1U << bits : 0;
	rc = iommu_device_register(&mi->iommu, &mock_ops, NULL);
	if (rc) {
		kfree(mi);
		return rc;
	}
	piommu->priv = mi;
	return 0;
}

void mock_platform_destroy(struct platform_iommu *piommu)
{
	struct mock_platform_iommu *mi = (struct mock_platform_iommu *)piommu->priv;

	iommu_device_unregister(&mi->iommu);
	kfree(mi);
	piommu->priv = nullptr;
}

/* A refused DMA: the IOMMU's own record, and a page request where one can go. */
void mock_platform_fault(struct platform_iommu *piommu, struct platform_dev *pdev,
			 struct iommu_domain *domain, u32 pasid, bool has_pasid, u64 iova, bool write)
{
	struct mock_platform_iommu *mi = (struct mock_platform_iommu *)piommu->priv;
	struct iopf_fault event = {};

	__atomic_fetch_add(&mi->faults, 1, __ATOMIC_RELAXED);
	if (!pdev->desc->pri || !domain || !domain->iopf_handler)
		return;
	event.fault.type = IOMMU_FAULT_PAGE_REQ;
	event.fault.prm.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (has_pasid)
		event.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	event.fault.prm.pasid = has_pasid ? pasid : 0;
	event.fault.prm.addr = iova & ~(u64)(PAGE_SIZE - 1);
	event.fault.prm.perm = write ? IOMMU_FAULT_PERM_WRITE : IOMMU_FAULT_PERM_READ;
	iommu_report_device_fault(pdev->dev, &event);
}

int mock_platform_translate(struct platform_iommu *piommu, struct platform_dev *pdev, u32 pasid,
			    bool has_pasid, u64 iova, bool write, phys_addr_t *pa, u64 *contig)
{
	struct iommu_domain *domain, *paging;
	struct mock_iommu_domain *mock;
	unsigned long val;
	void *ent;

	if (has_pasid)
		domain = iommu_get_domain_for_dev_pasid(pdev->dev, pasid, 0);
	else
		domain = iommu_get_domain_for_dev(pdev->dev);

	paging = domain;
	if (domain && domain->type == IOMMU_DOMAIN_NESTED)
		paging = mock_nested_parent_domain(domain);
	if (!paging || paging->type == IOMMU_DOMAIN_BLOCKED)
		goto fault;
	if (paging->type == IOMMU_DOMAIN_IDENTITY) {
		*pa = iova;
		*contig = PAGE_SIZE - (iova % PAGE_SIZE);
		return PCI_DMA_OK;
	}
	if (paging->owner != &mock_ops || !(paging->type & __IOMMU_DOMAIN_PAGING))
		goto fault;
	mock = to_mock_domain(paging);
	ent = xa_load(&mock->pfns, iova / MOCK_PAGE_SIZE);
	if (!ent)
		goto fault;
	val = xa_to_value(ent);
	if (!(val & (write ? MOCK_PFN_WRITE : MOCK_PFN_READ)))
		goto fault;
	if (write && (mock->flags & MOCK_DIRTY_TRACK) && !(val & MOCK_PFN_DIRTY))
		xa_store(&mock->pfns, iova / MOCK_PAGE_SIZE, xa_mk_value(val | MOCK_PFN_DIRTY),
			 GFP_ATOMIC);
	*pa = (val & MOCK_PFN_MASK) * MOCK_PAGE_SIZE + iova % MOCK_PAGE_SIZE;
	*contig = MOCK_PAGE_SIZE - iova % MOCK_PAGE_SIZE;
	return PCI_DMA_OK;
fault:
	mock_platform_fault(piommu, pdev, domain, pasid, has_pasid, iova, write);
	return PCI_DMA_UR;
}

const struct platform_iommu_kind mock_platform_kind = {
	.name = "mock",
	.summary = "the selftest IOMMU: mock domains translate, no hardware registers",
	.cap_names = mock_cap_names,
	.check_cap = mock_platform_check_cap,
	.create = mock_platform_create,
	.destroy = mock_platform_destroy,
	.translate = mock_platform_translate,
};

} // namespace

PLATFORM_IOMMU_KIND(mock_platform_kind);

struct iommu_device *mock_platform_probe(struct device *dev)
{
	struct platform_dev *pdev = platform_dev_of(dev);

	if (!pdev || pdev->iommu->kind != &mock_platform_kind)
		return ERR_PTR(-ENODEV);
	return &((struct mock_platform_iommu *)pdev->iommu->priv)->iommu;
}

unsigned long mock_platform_faults(struct platform_iommu *piommu)
{
	if (piommu->kind != &mock_platform_kind)
		return 0;
	return __atomic_load_n(&((struct mock_platform_iommu *)piommu->priv)->faults, __ATOMIC_RELAXED);
}
