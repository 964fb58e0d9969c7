// SPDX-License-Identifier: GPL-2.0
/*
 * Fault queues and vEVENTQs (drivers/iommu/iommufd/eventq.c).
 *
 * Both are an object plus a queue file. Where the kernel keeps a deliver
 * list that ->read() drains, the record is pushed into the file's socket
 * when it is produced (harness/evfd.h), so what userspace reads and in
 * which order is the same, and read/poll/epoll/io_uring are native:
 *
 *  - fault queue: a fault group is given its response cookie when it is
 *    pushed (the kernel does that at read time) and all its messages go
 *    out as one record. Responses come back through ->write(), from the
 *    evfd I/O thread (plain write(2) on the descriptor) or synchronously
 *    (iommufd_write() of the C API, the server's write path).
 *
 *  - vEVENTQ: the queue length the depth bounds is the number of events
 *    pushed and not read yet, which the evfd ledger knows. On overflow a
 *    LOST_EVENTS header carrying the lost event's sequence number is
 *    pushed, unless one is already waiting unread (the kernel would move
 *    that header to the new number; here later losses show as the gap
 *    before the next event's sequence number).
 *
 * Differences a reader of the kernel's fops would see are listed in
 * Documentation/core-events.md.
 */
#include "core/eventq.h"
#include "core/eventq_user.h"
#include "harness/evfd.h"

#include <fcntl.h>
#include <vector>

/* ---- common ---- */

static int iommufd_eventq_fops_release(struct inode *inode, struct file *filep)
{
	struct iommufd_eventq *eventq = (struct iommufd_eventq *)filep->private_data;

	evfd_unregister(filep);
	mutex_lock(&eventq->lock);
	eventq->filep = NULL;
	mutex_unlock(&eventq->lock);
	refcount_dec(&eventq->obj.users);
	iommufd_ctx_put(eventq->ictx);
	return 0;
}

/*
 * Never called for a socket-backed file: the records are already in the
 * descriptor's receive queue. Present so the file advertises ->read.
 */
static ssize_t iommufd_eventq_fops_read(struct file *filep, char __user *buf, size_t count,
					loff_t *ppos)
{
	return -EINVAL;
}

/*
 * The file, a context reference and a users reference on the object. On
 * failure nothing is held. @eventq->lock is initialized by the caller.
 */
static int iommufd_eventq_init(struct iommufd_eventq *eventq, const char *name,
			       struct iommufd_ctx *ictx, const struct file_operations *fops)
{
	struct file *filep;

	filep = anon_inode_getfile_kind(name, fops, eventq, O_RDWR, FILE_FD_SOCKET);
	if (IS_ERR(filep))
		return PTR_ERR(filep);
	eventq->ictx = ictx;
	iommufd_ctx_get(ictx);
	eventq->filep = filep;
	refcount_inc(&eventq->obj.users);
	return 0;
}

/*
 * Respond, then give the file its descriptor. The kernel reserves the fd
 * number, copies the response and installs the file only if that worked.
 * Here installing creates the descriptor (in the client's table when a
 * server runs us), which cannot be taken back from a client; so the
 * response is copied first with the fd field unset, and the fd is stored
 * with put_user() (not an injection point) once installed. On failure
 * the file is gone: its release dropped what eventq_init took.
 */
static int iommufd_eventq_respond_install(struct iommufd_ucmd *ucmd,
					  struct iommufd_eventq *eventq, size_t cmd_len,
					  size_t fd_offset, size_t write_unit)
{
	struct file *filep = eventq->filep;
	int fdno, rc;

	rc = iommufd_ucmd_respond(ucmd, cmd_len);
	if (rc)
		goto out_put;
	fdno = fd_install_new(filep, O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto out_put;
	}
	rc = evfd_register(filep, write_unit);
	if (!rc && put_user((u32)fdno, (u32 __user *)((char __user *)ucmd->ubuffer + fd_offset)))
		rc = -EFAULT;
	if (rc) {
		eventq->filep = NULL;
		fd_close(fdno);
		return rc;
	}
	return 0;

out_put:
	eventq->filep = NULL;
	fput(filep);
	return rc;
}

/* ---- IOMMUFD_OBJ_FAULT ---- */

static void iommufd_fault_respond_all(struct iommufd_fault *fault,
				      struct iommufd_attach_handle *handle)
{
	struct iopf_group *group;
	unsigned long index;

	xa_for_each(&fault->response, index, group) {
		if (handle && group->attach_handle != &handle->handle)
			continue;
		xa_erase(&fault->response, index);
		iopf_group_response(group, IOMMU_PAGE_RESP_INVALID);
		iopf_free_group(group);
	}
}

void iommufd_auto_response_faults(struct iommufd_hw_pagetable *hwpt,
				  struct iommufd_attach_handle *handle)
{
	struct iommufd_fault *fault = hwpt->fault;

	if (!fault || !handle)
		return;
	mutex_lock(&fault->mutex);
	iommufd_fault_respond_all(fault, handle);
	mutex_unlock(&fault->mutex);
}

void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault = container_of(obj, struct iommufd_fault, common.obj);

	/* users is zero: no HWPT and no file refers to the queue any more. */
	iommufd_fault_respond_all(fault, NULL);
	xa_destroy(&fault->response);
	mutex_destroy(&fault->mutex);
	mutex_destroy(&fault->common.lock);
}

static void iommufd_compose_fault_message(struct iommu_fault *fault,
					  struct iommu_hwpt_pgfault *msg,
					  struct iommufd_device *idev, u32 cookie)
{
	msg->flags = fault->prm.flags;
	msg->dev_id = idev->obj.id;
	msg->pasid = fault->prm.pasid;
	msg->grpid = fault->prm.grpid;
	msg->perm = fault->prm.perm;
	msg->addr = fault->prm.addr;
	msg->length = 0;
	msg->cookie = cookie;
}

int iommufd_fault_iopf_handler(struct iopf_group *group)
{
	struct iommufd_hw_pagetable *hwpt = group->attach_handle->domain->iommufd_hwpt;
	struct iommufd_fault *fault = hwpt->fault;
	struct iommufd_device *idev = to_iommufd_handle(group->attach_handle)->idev;
	struct iommu_hwpt_pgfault *msgs;
	struct iopf_fault *iopf;
	size_t i = 0;
	int rc;

	msgs = (struct iommu_hwpt_pgfault *)kcalloc(group->fault_count, sizeof(*msgs),
						    GFP_KERNEL);
	if (!msgs)
		return -ENOMEM;

	mutex_lock(&fault->mutex);
	rc = xa_alloc(&fault->response, &group->cookie, group, xa_limit_32b, GFP_KERNEL);
	if (rc)
		goto out_unlock;
	list_for_each_entry(iopf, &group->faults, list)
		iommufd_compose_fault_message(&iopf->fault, &msgs[i++], idev, group->cookie);
	/*
	 * A group is read whole or not at all: one record. With the fd closed
	 * nobody will read it; as in the kernel it waits, unread, for the
	 * automatic answer at detach or when the queue is destroyed.
	 */
	mutex_lock(&fault->common.lock);
	if (fault->common.filep)
		rc = evfd_send(fault->common.filep, msgs, i * sizeof(*msgs), true);
	mutex_unlock(&fault->common.lock);
	if (rc)
		xa_erase(&fault->response, group->cookie);
out_unlock:
	mutex_unlock(&fault->mutex);
	kfree(msgs);
	return rc;
}

static ssize_t iommufd_fault_fops_write(struct file *filep, const char __user *buf,
					size_t count, loff_t *ppos)
{
	const size_t response_size = sizeof(struct iommu_hwpt_page_response);
	struct iommufd_eventq *eventq = (struct iommufd_eventq *)filep->private_data;
	struct iommufd_fault *fault = eventq_to_fault(eventq);
	struct iommu_hwpt_page_response response;
	struct iopf_group *group;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % response_size)
		return -ESPIPE;

	static_assert((int)IOMMUFD_PAGE_RESP_SUCCESS == (int)IOMMU_PAGE_RESP_SUCCESS);
	static_assert((int)IOMMUFD_PAGE_RESP_INVALID == (int)IOMMU_PAGE_RESP_INVALID);

	mutex_lock(&fault->mutex);
	while (done < count) {
		if (copy_from_user(&response, buf + done, response_size)) {
			rc = -EFAULT;
			break;
		}
		if (response.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    response.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		group = (struct iopf_group *)xa_erase(&fault->response, response.cookie);
		if (!group) {
			rc = -EINVAL;
			break;
		}
		iopf_group_response(group, (enum iommu_page_response_code)response.code);
		iopf_free_group(group);
		done += response_size;
	}
	mutex_unlock(&fault->mutex);
	return done ? (ssize_t)done : rc;
}

static const struct file_operations iommufd_fault_fops = {
	.release = iommufd_eventq_fops_release,
	.read = iommufd_eventq_fops_read,
	.write = iommufd_fault_fops_write,
};

int iommufd_fault_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = (struct iommu_fault_alloc *)ucmd->cmd;
	struct iommufd_fault *fault;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	fault = __iommufd_object_alloc(ucmd->ictx, fault, IOMMUFD_OBJ_FAULT, common.obj);
	if (IS_ERR(fault))
		return PTR_ERR(fault);
	xa_init_flags(&fault->response, XA_FLAGS_ALLOC1);
	mutex_init(&fault->mutex);
	mutex_init(&fault->common.lock);

	rc = iommufd_eventq_init(&fault->common, "[iommufd-pgfault]", ucmd->ictx,
				 &iommufd_fault_fops);
	if (rc)
		goto out_abort;
	cmd->out_fault_id = fault->common.obj.id;
	cmd->out_fault_fd = (u32)-1;
	rc = iommufd_eventq_respond_install(ucmd, &fault->common, sizeof(*cmd),
					    offsetof(struct iommu_fault_alloc, out_fault_fd),
					    sizeof(struct iommu_hwpt_page_response));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &fault->common.obj);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &fault->common.obj);
	return rc;
}

/* ---- IOMMUFD_OBJ_VEVENTQ ---- */

static struct iommufd_veventq *iommufd_viommu_find_veventq(struct iommufd_viommu *viommu,
							   u32 type)
{
	struct iommufd_veventq *veventq;

	lockdep_assert_held(&viommu->veventqs_rwsem);
	list_for_each_entry(veventq, &viommu->veventqs, node) {
		if (veventq->type == type)
			return veventq;
	}
	return NULL;
}

/* Caller holds veventqs_rwsem for write (alloc's error path does). */
void iommufd_veventq_abort(struct iommufd_object *obj)
{
	struct iommufd_veventq *veventq =
		container_of(obj, struct iommufd_veventq, common.obj);

	lockdep_assert_held_write(&veventq->viommu->veventqs_rwsem);
	list_del(&veventq->node);
	refcount_dec(&veventq->viommu->obj.users);
	mutex_destroy(&veventq->common.lock);
}

void iommufd_veventq_destroy(struct iommufd_object *obj)
{
	struct iommufd_veventq *veventq =
		container_of(obj, struct iommufd_veventq, common.obj);
	struct iommufd_viommu *viommu = veventq->viommu;

	down_write(&viommu->veventqs_rwsem);
	iommufd_veventq_abort(obj);
	up_write(&viommu->veventqs_rwsem);
}

static const struct file_operations iommufd_veventq_fops = {
	.release = iommufd_eventq_fops_release,
	.read = iommufd_eventq_fops_read,
};

int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = (struct iommu_veventq_alloc *)ucmd->cmd;
	struct iommufd_veventq *veventq;
	struct iommufd_viommu *viommu;
	int rc;

	if (cmd->flags || cmd->__reserved || cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	/* A depth the kernel bounds, so one queue cannot hold unbounded events. */
	if (!cmd->veventq_depth || cmd->veventq_depth > IOMMU_VEVENTQ_MAX_DEPTH)
		return -EINVAL;

	viommu = iommufd_get_viommu(ucmd, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);

	down_write(&viommu->veventqs_rwsem);
	if (iommufd_viommu_find_veventq(viommu, cmd->type)) {
		rc = -EEXIST;
		goto out_unlock;
	}

	veventq = __iommufd_object_alloc(ucmd->ictx, veventq, IOMMUFD_OBJ_VEVENTQ, common.obj);
	if (IS_ERR(veventq)) {
		rc = PTR_ERR(veventq);
		goto out_unlock;
	}
	mutex_init(&veventq->common.lock);
	veventq->type = cmd->type;
	veventq->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	veventq->depth = cmd->veventq_depth;
	list_add_tail(&veventq->node, &viommu->veventqs);

	rc = iommufd_eventq_init(&veventq->common, "[iommufd-viommu-event]", ucmd->ictx,
				 &iommufd_veventq_fops);
	if (rc)
		goto out_abort;
	cmd->out_veventq_id = veventq->common.obj.id;
	cmd->out_veventq_fd = (u32)-1;
	rc = iommufd_eventq_respond_install(ucmd, &veventq->common, sizeof(*cmd),
					    offsetof(struct iommu_veventq_alloc, out_veventq_fd), 0);
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &veventq->common.obj);
	goto out_unlock;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &veventq->common.obj);
out_unlock:
	up_write(&viommu->veventqs_rwsem);
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}

/* Push a LOST_EVENTS header for sequence @seq unless one is still unread. */
static void iommufd_veventq_report_lost(struct iommufd_veventq *veventq, u32 seq)
{
	struct file *filep = veventq->common.filep;
	struct iommufd_vevent_header hdr = {
		.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS,
		.sequence = seq,
	};

	if (evfd_unread_all(filep) > evfd_unread(filep))
		return;
	(void)evfd_send(filep, &hdr, sizeof(hdr), false);
}

int iommufd_viommu_report_event(struct iommufd_viommu *viommu, u32 type, void *event_data,
				size_t data_len)
{
	struct iommufd_veventq *veventq;
	struct iommufd_vevent_header *hdr;
	struct file *filep;
	long queued;
	u32 seq;
	int rc = 0;

	if (WARN_ON_ONCE(!data_len || !event_data))
		return -EINVAL;
	/*
	 * The header carries no length: readers frame events by the size of
	 * the type's uAPI structure (core/eventq_user.cc), so a driver must
	 * report exactly that. (Unknown types are read as a plain stream.)
	 */
	if (iommufd_vevent_data_len(type) &&
	    WARN_ON_ONCE(data_len != iommufd_vevent_data_len(type)))
		return -EINVAL;

	down_read(&viommu->veventqs_rwsem);
	veventq = iommufd_viommu_find_veventq(viommu, type);
	if (!veventq) {
		rc = -EOPNOTSUPP;
		goto out_unlock_veventqs;
	}
	/* As the kernel, allocate before taking the queue's lock. */
	hdr = (struct iommufd_vevent_header *)kzalloc(sizeof(*hdr) + data_len, GFP_KERNEL);

	mutex_lock(&veventq->common.lock);
	filep = veventq->common.filep;
	seq = veventq->sequence;
	veventq->sequence = (veventq->sequence + 1) & INT_MAX;
	/* Its fd is closed: nobody can read the event, it is simply lost. */
	if (!filep)
		goto out_unlock;
	queued = evfd_unread(filep);
	if (!hdr) {
		rc = -ENOMEM;
		iommufd_veventq_report_lost(veventq, seq);
	} else if (queued < 0 || (u32)queued >= veventq->depth) {
		iommufd_veventq_report_lost(veventq, seq);
	} else {
		hdr->sequence = seq;
		memcpy(hdr + 1, event_data, data_len);
		if (evfd_send(filep, hdr, sizeof(*hdr) + data_len, true))
			iommufd_veventq_report_lost(veventq, seq);
	}
out_unlock:
	mutex_unlock(&veventq->common.lock);
	kfree(hdr);
out_unlock_veventqs:
	up_read(&viommu->veventqs_rwsem);
	return rc;
}

int iommufd_eventq_file_kind(struct file *filep)
{
	struct iommufd_eventq *eventq = (struct iommufd_eventq *)filep->private_data;

	if (filep->f_op == &iommufd_fault_fops)
		return IOMMUFD_QUEUE_FAULT;
	if (filep->f_op == &iommufd_veventq_fops)
		return iommufd_queue_kind_veventq(eventq_to_veventq(eventq)->type);
	return 0;
}
