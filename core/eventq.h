/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event queues (core/eventq.cc): fault queues (IOMMUFD_OBJ_FAULT) and
 * vEVENTQs (IOMMUFD_OBJ_VEVENTQ), each an object plus a queue file whose
 * descriptor userspace reads (and, for faults, writes responses to).
 *
 * The file is socket-backed (harness/evfd.h): records are pushed to the
 * user's end when they are produced, so read/poll/epoll/io_uring need no
 * kernel involvement. The file holds a users reference on its object and
 * a context reference; closing the descriptor drops both.
 */
#pragma once

#include "core/iommufd_private.h"
#include "core/io_pgfault.h"

struct iommufd_eventq {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct file *filep;
	/* Serializes producers and the record ledger of @filep */
	struct mutex lock;
};

struct iommufd_fault {
	struct iommufd_eventq common;
	/* Guards @response */
	struct mutex mutex;
	/* cookie -> struct iopf_group delivered and waiting for its answer */
	struct xarray response;
};

struct iommufd_veventq {
	struct iommufd_eventq common;
	struct iommufd_viommu *viommu;
	/* Entry in iommufd_viommu::veventqs */
	struct list_head node;
	u32 type;
	u32 depth;
	/* Next sequence number, 0..INT_MAX; under common.lock */
	u32 sequence;
};

static inline struct iommufd_fault *eventq_to_fault(struct iommufd_eventq *eventq)
{
	return container_of(eventq, struct iommufd_fault, common);
}

static inline struct iommufd_veventq *eventq_to_veventq(struct iommufd_eventq *eventq)
{
	return container_of(eventq, struct iommufd_veventq, common);
}

static inline struct iommufd_fault *iommufd_get_fault(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_FAULT);

	if (IS_ERR(obj))
		return (struct iommufd_fault *)obj;
	return container_of(obj, struct iommufd_fault, common.obj);
}

void iommufd_fault_destroy(struct iommufd_object *obj);
void iommufd_veventq_destroy(struct iommufd_object *obj);
void iommufd_veventq_abort(struct iommufd_object *obj);

/* The iopf_handler of HWPTs with a fault queue. */
int iommufd_fault_iopf_handler(struct iopf_group *group);
/* Answer INVALID every fault of @hwpt still pending through @handle. */
void iommufd_auto_response_faults(struct iommufd_hw_pagetable *hwpt,
				  struct iommufd_attach_handle *handle);

/*
 * For IOMMU drivers (include/linux/iommufd.h upstream): queue one event of
 * @type on @viommu's vEVENTQ of that type. -EOPNOTSUPP if there is none,
 * -ENOMEM if the event was lost for lack of memory (a LOST_EVENTS header
 * still tells userspace).
 */
int iommufd_viommu_report_event(struct iommufd_viommu *viommu, u32 type, void *event_data,
				size_t data_len);

/*
 * For the C API's iommufd_read(): the core/eventq_user.h kind of @filep
 * (IOMMUFD_QUEUE_FAULT, or iommufd_queue_kind_veventq() of the vEVENTQ's
 * type), or 0 if @filep is not a queue file.
 */
int iommufd_eventq_file_kind(struct file *filep);
