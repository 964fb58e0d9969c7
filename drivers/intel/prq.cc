// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-d: the page request queue (upstream's prq.c).
 *
 * The unit writes 32-byte page request descriptors into a queue in fake
 * physical memory between PQH (ours) and PQT (the unit's) and raises the
 * page request event. The handler turns each request of a known device
 * into an iommu fault (iommu_report_device_fault()), which reaches the
 * domain's iopf handler (iommufd's fault queue); the answer comes back
 * through intel_iommu_page_response() as a page group response
 * descriptor. Requests that make no sense, or from requesters the driver
 * does not know, are answered Invalid at once when they end a group.
 */
#include "drivers/intel/iommu.h"

#include "core/io_pgfault.h"
#include "harness/io.h"
#include "harness/physmem.h"

#define PRQ_ORDER	4
#define PRQ_SIZE	(VTD_PAGE_SIZE << PRQ_ORDER)
#define PRQ_RING_MASK	(PRQ_SIZE - 0x20)

int intel_iommu_enable_prq(struct intel_iommu *iommu)
{
	u8 __iomem *reg = (u8 __iomem *)iommu->reg;

	if (!ecap_prs(iommu->ecap))
		return 0;
	iommu->prq = (struct page_req_dsc *)iommu_alloc_pages_sz(GFP_KERNEL, PRQ_SIZE);
	if (!iommu->prq)
		return -ENOMEM;
	writeq(0ULL, reg + DMAR_PQH_REG);
	writeq(0ULL, reg + DMAR_PQT_REG);
	writeq(virt_to_phys(iommu->prq) | PRQ_ORDER, reg + DMAR_PQA_REG);
	/* Unmask the page request event */
	writel(0, reg + DMAR_PECTL_REG);
	iommu->prq_enabled = true;
	return 0;
}

void intel_iommu_finish_prq(struct intel_iommu *iommu)
{
	u8 __iomem *reg = (u8 __iomem *)iommu->reg;

	if (!iommu->prq)
		return;
	writel(DMA_PECTL_IM, reg + DMAR_PECTL_REG);
	writeq(0ULL, reg + DMAR_PQH_REG);
	writeq(0ULL, reg + DMAR_PQT_REG);
	writeq(0ULL, reg + DMAR_PQA_REG);
	iommu->prq_enabled = false;
	iommu_free_pages(iommu->prq);
	iommu->prq = NULL;
}

static void handle_bad_prq_event(struct intel_iommu *iommu, const struct page_req_dsc *req,
				 int result)
{
	struct qi_desc desc = {};
	bool lpig = req->qw_1 & PRQ_1_LPIG;
	bool pdp = req->qw_0 & PRQ_0_PDP;

	iommu->nr_prq_bad++;
	intel_iommu_err(iommu, "Invalid page request: %08llx %08llx",
			(unsigned long long)req->qw_0, (unsigned long long)req->qw_1);
	/* Only the last request of a group (or one with private data) gets an answer */
	if (!lpig && !pdp)
		return;
	desc.qw0 = QI_PGRP_PASID(FIELD_GET(PRQ_0_PASID, req->qw_0)) |
		   QI_PGRP_PASID_P(!!(req->qw_0 & PRQ_0_PASID_PRESENT)) |
		   QI_PGRP_DID(FIELD_GET(PRQ_0_RID, req->qw_0)) | QI_PGRP_RESP_CODE(result) |
		   QI_PGRP_RESP_TYPE;
	desc.qw1 = QI_PGRP_IDX(FIELD_GET(PRQ_1_PRG_INDEX, req->qw_1)) | QI_PGRP_LPIG(lpig);
	qi_submit_sync(iommu, &desc, 1, 0);
}

static void intel_prq_report(struct intel_iommu *iommu, struct device *dev,
			     const struct page_req_dsc *req)
{
	struct iopf_fault event = {};
	struct iommu_fault_page_request *prm = &event.fault.prm;

	event.fault.type = IOMMU_FAULT_PAGE_REQ;
	prm->addr = req->qw_1 & PRQ_1_ADDR;
	prm->grpid = FIELD_GET(PRQ_1_PRG_INDEX, req->qw_1);
	if (req->qw_1 & PRQ_1_RD_REQ)
		prm->perm |= IOMMU_FAULT_PERM_READ;
	if (req->qw_1 & PRQ_1_WR_REQ)
		prm->perm |= IOMMU_FAULT_PERM_WRITE;
	if (req->qw_0 & PRQ_0_EXE_REQ)
		prm->perm |= IOMMU_FAULT_PERM_EXEC;
	if (req->qw_0 & PRQ_0_PM_REQ)
		prm->perm |= IOMMU_FAULT_PERM_PRIV;
	if (req->qw_1 & PRQ_1_LPIG)
		prm->flags |= IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (req->qw_0 & PRQ_0_PASID_PRESENT) {
		prm->flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
		prm->pasid = FIELD_GET(PRQ_0_PASID, req->qw_0);
	}
	if (req->qw_0 & PRQ_0_PDP) {
		prm->private_data[0] = req->qw_2;
		prm->private_data[1] = req->qw_3;
	}
	iommu_report_device_fault(dev, &event);
}

static bool is_canonical_address(u64 addr)
{
	return ((s64)(addr << 16) >> 16) == (s64)addr;
}

/* Every request between PQH and PQT; then PRO is cleared if the queue overflowed. */
void intel_prq_handle(struct intel_iommu *iommu)
{
	u8 __iomem *reg = (u8 __iomem *)iommu->reg;
	u64 head, tail;

	if (!iommu->prq)
		return;
	/* Acknowledge first: a request arriving after the read raises the event again */
	writel(DMA_PRS_PPR, reg + DMAR_PRS_REG);

	tail = readq(reg + DMAR_PQT_REG) & PRQ_RING_MASK;
	head = readq(reg + DMAR_PQH_REG) & PRQ_RING_MASK;
	while (head != tail) {
		struct page_req_dsc req;
		struct device *dev;
		u64 address;

		memcpy(&req, (u8 *)iommu->prq + head, sizeof(req));
		address = req.qw_1 & PRQ_1_ADDR;
		iommu->nr_prq++;

		if (!is_canonical_address(address)) {
			intel_iommu_err(iommu, "Address is not canonical");
			goto bad_req;
		}
		if ((req.qw_0 & PRQ_0_PM_REQ) && (req.qw_1 & (PRQ_1_RD_REQ | PRQ_1_WR_REQ))) {
			intel_iommu_err(iommu, "Page request in Privilege Mode");
			goto bad_req;
		}
		if ((req.qw_0 & PRQ_0_EXE_REQ) && (req.qw_1 & PRQ_1_RD_REQ)) {
			intel_iommu_err(iommu, "Execution request not supported");
			goto bad_req;
		}
		/* A stop marker (last, no access): nothing to answer */
		if ((req.qw_1 & PRQ_1_LPIG) && !(req.qw_1 & (PRQ_1_RD_REQ | PRQ_1_WR_REQ)))
			goto prq_advance;

		{
			guard(mutex)(&iommu->devices_lock);
			dev = device_rbtree_find(iommu, FIELD_GET(PRQ_0_RID, req.qw_0));
			if (dev) {
				intel_prq_report(iommu, dev, &req);
				goto prq_advance;
			}
		}
bad_req:
		handle_bad_prq_event(iommu, &req, QI_RESP_INVALID);
prq_advance:
		head = (head + sizeof(req)) & PRQ_RING_MASK;
	}
	writeq(tail, reg + DMAR_PQH_REG);

	/* Requests were dropped while the queue was full; there is room again */
	if (readl(reg + DMAR_PRS_REG) & DMA_PRS_PRO) {
		head = readq(reg + DMAR_PQH_REG) & PRQ_RING_MASK;
		tail = readq(reg + DMAR_PQT_REG) & PRQ_RING_MASK;
		if (head == tail) {
			intel_iommu_err(iommu, "PRQ overflow cleared");
			writel(DMA_PRS_PRO, reg + DMAR_PRS_REG);
		}
	}
}

void intel_iommu_page_response(struct device *dev, struct iopf_fault *evt,
			       struct iommu_page_response *msg)
{
	struct device_domain_info *info = dev_to_info(dev);
	const struct iommu_fault_page_request *prm = &evt->fault.prm;
	bool pasid_present = prm->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	bool last_page = prm->flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	struct qi_desc desc = {};
	unsigned int code;

	if (!info)
		return;
	switch (msg->code) {
	case IOMMU_PAGE_RESP_SUCCESS:
		code = QI_RESP_SUCCESS;
		break;
	case IOMMU_PAGE_RESP_INVALID:
		code = QI_RESP_INVALID;
		break;
	default:
		code = QI_RESP_FAILURE;
		break;
	}
	desc.qw0 = QI_PGRP_PASID(msg->pasid) | QI_PGRP_DID(info_rid(info)) |
		   QI_PGRP_PASID_P(pasid_present) | QI_PGRP_RESP_CODE(code) | QI_PGRP_RESP_TYPE;
	desc.qw1 = QI_PGRP_IDX(prm->grpid) | QI_PGRP_LPIG(last_page);
	qi_submit_sync(info->iommu, &desc, 1, 0);
}

/*
 * No request of @pasid may still be in flight once its entry is gone: the
 * unit queues requests on arrival, so handling the queue and a drain wait
 * (with the unit's page-request drain, ECAP.PDS) are enough.
 */
void intel_iommu_drain_pasid_prq(struct device *dev, u32 pasid)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu;
	struct qi_desc desc = {};

	if (!info || !info->pri_enabled)
		return;
	iommu = info->iommu;
	if (!iommu->prq)
		return;
	{
		guard(mutex)(&iommu->iopf_lock);
		intel_prq_handle(iommu);
	}
	if (!ecap_pds(iommu->ecap))
		return;
	/* An IOTLB/devTLB flush ordered before the drain wait, as the spec asks */
	desc.qw0 = QI_PC_PASID(pasid) | QI_PC_GRAN(QI_PC_ALL_PASIDS) | QI_PC_TYPE;
	qi_submit_sync(iommu, &desc, 1, QI_OPT_WAIT_DRAIN);
}
