// SPDX-License-Identifier: GPL-2.0
/*
 * I/O page fault delivery (drivers/iommu/io-pgfault.c): see io_pgfault.h.
 */
#include "core/io_pgfault.h"
#include "harness/slab.h"

#include <atomic>

static std::atomic<unsigned long> resp_success, resp_invalid, resp_failure;

void iopf_get_response_stats(struct iopf_response_stats *stats)
{
	stats->success = resp_success.load();
	stats->invalid = resp_invalid.load();
	stats->failure = resp_failure.load();
}

/* Which attach handle takes a fault: the PASID's, or the RID's. */
static struct iommu_attach_handle *find_fault_handler(struct device *dev,
						      struct iopf_fault *evt)
{
	struct iommu_fault *fault = &evt->fault;
	struct iommu_attach_handle *handle;

	if (!dev->iommu_group)
		return NULL;
	if (fault->prm.flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID) {
		handle = iommu_attach_handle_get(dev->iommu_group, fault->prm.pasid, 0);
		if (IS_ERR(handle)) {
			/*
			 * A driver whose PASID table is the guest's routes
			 * every PASID through the nested domain on the RID.
			 */
			if (!dev_iommu_ops(dev)->user_pasid_table)
				return NULL;
			handle = iommu_attach_handle_get(dev->iommu_group, IOMMU_NO_PASID,
							 IOMMU_DOMAIN_NESTED);
			if (IS_ERR(handle))
				return NULL;
		}
	} else {
		handle = iommu_attach_handle_get(dev->iommu_group, IOMMU_NO_PASID, 0);
		if (IS_ERR(handle))
			return NULL;
	}
	if (!handle->domain->iopf_handler)
		return NULL;
	return handle;
}

/*
 * The answer to @evt, a page request @dev made: counted in the ledger, and
 * handed to the IOMMU driver to send to the device, as the kernel's
 * iopf_group_response() does through ops->page_response.
 */
static void iopf_send_response(struct device *dev, struct iopf_fault *evt,
			       enum iommu_page_response_code code)
{
	struct iommu_page_response resp = {
		.pasid = evt->fault.prm.pasid,
		.grpid = evt->fault.prm.grpid,
		.code = (u32)code,
	};
	const struct iommu_ops *ops;

	switch (code) {
	case IOMMU_PAGE_RESP_SUCCESS:
		resp_success.fetch_add(1);
		break;
	case IOMMU_PAGE_RESP_INVALID:
		resp_invalid.fetch_add(1);
		break;
	default:
		resp_failure.fetch_add(1);
		break;
	}
	if (!dev->iommu || !dev->iommu->iommu_dev)
		return;
	ops = dev_iommu_ops(dev);
	if (ops->page_response)
		ops->page_response(dev, evt, &resp);
}

void iommu_report_device_fault(struct device *dev, struct iopf_fault *evt)
{
	struct iommu_fault *fault = &evt->fault;
	struct iommu_attach_handle *handle;
	struct iopf_group *group;

	if (fault->type != IOMMU_FAULT_PAGE_REQ)
		return;
	handle = find_fault_handler(dev, evt);
	if (!handle) {
		/* Nobody to handle it: the device must not wait for ever. */
		if (fault->prm.flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE)
			iopf_send_response(dev, evt, IOMMU_PAGE_RESP_INVALID);
		return;
	}
	/* Partial requests (not LAST_PAGE) need no answer; see the header. */
	if (!(fault->prm.flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE))
		return;

	group = (struct iopf_group *)kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group) {
		iopf_send_response(dev, evt, IOMMU_PAGE_RESP_FAILURE);
		return;
	}
	group->last_fault.fault = *fault;
	INIT_LIST_HEAD(&group->faults);
	INIT_LIST_HEAD(&group->node);
	list_add(&group->last_fault.list, &group->faults);
	group->fault_count = 1;
	group->dev = dev;
	group->attach_handle = handle;

	if (handle->domain->iopf_handler(group)) {
		iopf_group_response(group, IOMMU_PAGE_RESP_FAILURE);
		iopf_free_group(group);
	}
}

void iopf_group_response(struct iopf_group *group, enum iommu_page_response_code status)
{
	if (WARN_ON(group->responded))
		return;
	group->responded = true;
	iopf_send_response(group->dev, &group->last_fault, status);
}

void iopf_free_group(struct iopf_group *group)
{
	struct iopf_fault *iopf, *next;

	/* Every group is answered before it goes: the device is waiting. */
	WARN_ON(!group->responded);
	list_for_each_entry_safe(iopf, next, &group->faults, list) {
		if (iopf != &group->last_fault)
			kfree(iopf);
	}
	kfree(group);
}
