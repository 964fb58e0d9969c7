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
 * The "hardware" of the mock is its page table (AMD v1 entries in fake
 * physical memory, mock.h) and the attachment the core records, so
 * translation reads those: the domain on the PASID (or the RID) the
 * request carries, looked up once per call; blocked or nothing attached
 * refuses everything; identity passes the address; a paging domain is
 * walked by the generic hardware walker (pt_walk(), reading the table only
 * through the bus, as an IOMMU would from its DTE's root and mode), which
 * wants a leaf with the access's permission; a nested domain has no stage
 * 1 of its own here (the mock vIOMMU models caches, not tables), so its
 * stage-2 parent translates. The run returned goes to the end of the leaf,
 * so a transfer within one page (2 MiB on a 2 MiB IOPTE) is one
 * translation. A device write through a dirty-tracking domain sets the
 * leaf's D bit, as AMD's hardware with DTE.HAD does, so
 * IOMMU_HWPT_GET_DIRTY_BITMAP sees device DMA. There is no IOTLB: every
 * translation walks.
 *
 * A refused DMA is counted per instance and, for a PRI-capable device,
 * sent as a page request through iommu_report_device_fault(), which is
 * how it reaches an iommufd fault queue on Linux (attached to a
 * fault-capable HWPT) or is answered Invalid at once (nothing takes page
 * faults there). The mock stands in for the device's own ATS translation
 * and Page Request message, so it tells the function it sent one
 * (pci_pri.h); the access itself still completes as an Unsupported
 * Request. The response comes back through mock_ops.page_response
 * (mock_platform_page_response()) and goes to the function the same way,
 * which retries after a success, as PRI hardware does.
 */
#include "drivers/mock/mock.h"

#include "core/io_pgfault.h"
#include "drivers/generic_pt/pt_walk.h"
#include "harness/platform/pci_pri.h"
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

/*
 * A refused DMA: the IOMMU's own record, and for a PRI function the page
 * request it would send, which the IOMMU layer hands to the domain's
 * fault handler or answers Invalid itself.
 */
void mock_platform_fault(struct platform_iommu *piommu, struct platform_dev *pdev,
			 u32 pasid, bool has_pasid, u64 iova, bool write)
{
	struct mock_platform_iommu *mi = (struct mock_platform_iommu *)piommu->priv;
	struct pci_pri_msg sent = {};
	struct iopf_fault event = {};

	__atomic_fetch_add(&mi->faults, 1, __ATOMIC_RELAXED);
	if (!pdev->desc->pri)
		return;
	sent.type = PCI_PRI_PAGE_REQUEST;
	sent.pasid = has_pasid ? pasid : 0;
	sent.has_pasid = has_pasid;
	sent.addr = iova & ~(u64)(PAGE_SIZE - 1);
	sent.write = write;
	/* Before the report: its answer may come back inside it. */
	pci_pri_deliver(pdev->func, &sent);
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
	struct pt_iommu_hw_info info;
	struct pt_walk_result res;
	struct pt_walk_cfg cfg;

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
	/* What the mock's DTE would say: root, mode, and HAD while tracking dirty. */
	pt_iommu_hw_info(&mock->pt, &info);
	cfg = { .root = info.top_paddr,
		.features = mock->pt.common.features,
		.fmt = mock->pt.common.fmt,
		.top_level = (u8)info.top_level,
		.vasz_lg2 = (u8)info.vasz_lg2,
		.oasz_lg2 = mock->pt.common.max_oasz_lg2,
		.hw = (u8)(READ_ONCE(mock->flags) & MOCK_DIRTY_TRACK ? PT_HW_UPDATE_DIRTY : 0) };
	if (pt_walk(&cfg, iova, write ? PT_ACCESS_WRITE : PT_ACCESS_READ, &res))
		goto fault;
	*pa = res.oa;
	*contig = log2_to_int(res.size_lg2) - log2_mod(iova, res.size_lg2);
	return PCI_DMA_OK;
fault:
	mock_platform_fault(piommu, pdev, pasid, has_pasid, iova, write);
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

void mock_platform_page_response(struct device *dev, struct iopf_fault *evt,
				 struct iommu_page_response *msg)
{
	struct platform_dev *pdev = platform_dev_of(dev);
	const struct iommu_fault_page_request *prm = &evt->fault.prm;
	struct pci_pri_msg resp = {};

	if (!pdev || pdev->iommu->kind != &mock_platform_kind)
		return;
	resp.type = PCI_PRI_PRG_RESPONSE;
	resp.has_pasid = prm->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	resp.pasid = msg->pasid;
	resp.prg_index = msg->grpid;
	/* The response names its group only; the function matches it to the page it asked for. */
	resp.addr = prm->addr;
	resp.write = prm->perm & IOMMU_FAULT_PERM_WRITE;
	switch (msg->code) {
	case IOMMU_PAGE_RESP_SUCCESS:
		resp.code = PCI_PRG_RESP_SUCCESS;
		break;
	case IOMMU_PAGE_RESP_INVALID:
		resp.code = PCI_PRG_RESP_INVALID;
		break;
	default:
		resp.code = PCI_PRG_RESP_FAILURE;
		break;
	}
	pci_pri_deliver(pdev->func, &resp);
}

unsigned long mock_platform_faults(struct platform_iommu *piommu)
{
	if (piommu->kind != &mock_platform_kind)
		return 0;
	return __atomic_load_n(&((struct mock_platform_iommu *)piommu->priv)->faults, __ATOMIC_RELAXED);
}
