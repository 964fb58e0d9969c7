/* SPDX-License-Identifier: GPL-2.0 */
/*
 * I/O page faults: the part of the IOMMU layer (io-pgfault.c and the fault
 * types of include/linux/iommu.h) iommufd's fault queues sit on.
 *
 * A driver reports a page request with iommu_report_device_fault(). The
 * layer finds the attach handle of the device (and PASID) the request
 * came through; if its domain has an iopf_handler (iommufd's fault queue
 * installs one on HWPTs allocated with IOMMU_HWPT_FAULT_ID_VALID) the
 * request becomes an iopf_group handed to it, else it is answered
 * INVALID at once. Whoever owns a group answers it exactly once with
 * iopf_group_response() and frees it with iopf_free_group().
 *
 * Requests without LAST_PAGE would be collected into a group until the
 * last one arrives; no driver here reports those, they are dropped (the
 * kernel acknowledges nothing for them either).
 */
#pragma once

#include "core/iommu.h"
#include "harness/list.h"

enum iommu_fault_type {
	IOMMU_FAULT_PAGE_REQ = 1,
};

#define IOMMU_FAULT_PERM_READ	(1 << 0)
#define IOMMU_FAULT_PERM_WRITE	(1 << 1)
#define IOMMU_FAULT_PERM_EXEC	(1 << 2)
#define IOMMU_FAULT_PERM_PRIV	(1 << 3)

#define IOMMU_FAULT_PAGE_REQUEST_PASID_VALID	(1 << 0)
#define IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE	(1 << 1)
#define IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID	(1 << 2)

struct iommu_fault_page_request {
	u32 flags;
	u32 pasid;
	u32 grpid;
	u32 perm;
	u64 addr;
	u64 private_data[2];
};

struct iommu_fault {
	u32 type;
	struct iommu_fault_page_request prm;
};

enum iommu_page_response_code {
	IOMMU_PAGE_RESP_SUCCESS = 0,
	IOMMU_PAGE_RESP_INVALID,
	IOMMU_PAGE_RESP_FAILURE,
};

struct iommu_page_response {
	u32 pasid;
	u32 grpid;
	u32 code;
};

struct iopf_fault {
	struct iommu_fault fault;
	struct list_head list;
};

struct iopf_group {
	struct iopf_fault last_fault;
	struct list_head faults;
	size_t fault_count;
	struct device *dev;
	struct iommu_attach_handle *attach_handle;
	/* The owner's list (iommufd: fault queue bookkeeping) */
	struct list_head node;
	u32 cookie;
	bool responded;
};

/* Report a fault on @dev; @evt is copied. */
void iommu_report_device_fault(struct device *dev, struct iopf_fault *evt);
void iopf_group_response(struct iopf_group *group, enum iommu_page_response_code status);
void iopf_free_group(struct iopf_group *group);

/*
 * Process-wide response ledger: counts by code, for tests. Each response
 * also goes to the device through the driver's ops->page_response.
 */
struct iopf_response_stats {
	unsigned long success, invalid, failure;
};
void iopf_get_response_stats(struct iopf_response_stats *stats);
