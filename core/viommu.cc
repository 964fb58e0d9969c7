// SPDX-License-Identifier: GPL-2.0
/*
 * vIOMMU, vDEVICE and HW queue objects (drivers/iommu/iommufd/viommu.c).
 *
 * A vIOMMU (IOMMUFD_OBJ_VIOMMU) is the slice of one physical IOMMU that a
 * VM's virtual IOMMU is backed by. It sits on a NEST_PARENT paging HWPT
 * (the stage 2) and holds a users reference on it. Nested HWPTs may be
 * allocated on it (hw_pagetable.cc), invalidations sent to it, vDEVICEs
 * and HW queues created under it; each holds a users reference on the
 * vIOMMU, so it can only be destroyed last.
 *
 * A vDEVICE (IOMMUFD_OBJ_VDEVICE) gives a bound device its virtual ID (the
 * guest's stream/device ID) in one vIOMMU. A device has at most one, and a
 * virtual ID names at most one device per vIOMMU (-EEXIST). The vDEVICE
 * keeps a short-term (wait_cnt) reference on its device, which the device's
 * pre_destroy revokes: a device going away first destroys its vDEVICE and
 * leaves its ID as a tombstone (still reserved, -ENOENT to lookups) until
 * the fd closes, so userspace never sees the ID reused under it.
 *
 * A HW queue (IOMMUFD_OBJ_HW_QUEUE) is a guest queue the hardware reads
 * directly. With ops->hw_queue_init_phys the core pins the guest memory
 * through an internal access on the parent IOAS (so it cannot be unmapped,
 * -EBUSY) and requires it to be physically contiguous (-EFAULT). With
 * ops->hw_queue_init the driver takes the guest address as is.
 *
 * Lock order: igroup->lock -> viommu->vdevs xa_lock.
 */
#include "core/iommufd_private.h"
#include "core/io_pagetable.h"

/* Allocate @size bytes (a driver's container) for an object of @type. */
template <typename T>
static T *iommufd_alloc_sized(size_t size, struct iommufd_ucmd *ucmd,
			      enum iommufd_object_type type, bool ucmd_owned)
{
	struct iommufd_object *obj;

	static_assert(offsetof(T, obj) == 0, "struct iommufd_object must come first");
	if (ucmd_owned)
		obj = _iommufd_object_alloc_ucmd(size, ucmd, type);
	else
		obj = _iommufd_object_alloc(size, ucmd->ictx, type);
	if (IS_ERR(obj))
		return (T *)obj;
	return container_of(obj, T, obj);
}

/* ---- vIOMMU ---- */

void iommufd_viommu_destroy(struct iommufd_object *obj)
{
	struct iommufd_viommu *viommu = container_of(obj, struct iommufd_viommu, obj);

	if (viommu->ops && viommu->ops->destroy)
		viommu->ops->destroy(viommu);
	refcount_dec(&viommu->hwpt->common.obj.users);
	xa_destroy(&viommu->vdevs);
}

int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = (struct iommu_viommu_alloc *)ucmd->cmd;
	const struct iommu_user_data user_data = {
		.type = cmd->type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	const struct iommu_ops *ops;
	size_t viommu_size;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	ops = dev_iommu_ops(idev->dev);
	if (!ops->get_viommu_size || !ops->viommu_init) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}

	/* 0: the driver has no vIOMMU of this type. */
	viommu_size = ops->get_viommu_size(idev->dev, cmd->type);
	if (!viommu_size) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}
	/* A driver structure that cannot hold ours is a driver bug. */
	if (WARN_ON_ONCE(viommu_size < sizeof(*viommu))) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}

	hwpt_paging = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt_paging)) {
		rc = PTR_ERR(hwpt_paging);
		goto out_put_idev;
	}
	if (!hwpt_paging->nest_parent) {
		rc = -EINVAL;
		goto out_put_hwpt;
	}

	/* Finalized or aborted by the dispatcher along with rc. */
	viommu = iommufd_alloc_sized<struct iommufd_viommu>(viommu_size, ucmd,
							    IOMMUFD_OBJ_VIOMMU, true);
	if (IS_ERR(viommu)) {
		rc = PTR_ERR(viommu);
		goto out_put_hwpt;
	}

	xa_init(&viommu->vdevs);
	viommu->type = cmd->type;
	viommu->ictx = ucmd->ictx;
	viommu->hwpt = hwpt_paging;
	/* Dropped by iommufd_viommu_destroy(), which also runs on abort. */
	refcount_inc(&hwpt_paging->common.obj.users);
	INIT_LIST_HEAD(&viommu->veventqs);
	init_rwsem(&viommu->veventqs_rwsem);
	/* IOMMU instances never go away under iommufd: no reference. */
	viommu->iommu_dev = __iommu_get_iommu_dev(idev->dev);

	rc = ops->viommu_init(viommu, hwpt_paging->common.domain,
			      user_data.len ? &user_data : NULL);
	if (rc)
		goto out_put_hwpt;

	/* A driver that succeeds without ops is buggy. */
	if (WARN_ON_ONCE(!viommu->ops)) {
		rc = -EOPNOTSUPP;
		goto out_put_hwpt;
	}

	cmd->out_viommu_id = viommu->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));

out_put_hwpt:
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/* ---- vDEVICE ---- */

/*
 * Undo a vDEVICE's links. Runs under igroup->lock, and may run twice for
 * one vDEVICE (never for a half-built one): every step tolerates that.
 */
void iommufd_vdevice_abort(struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev = container_of(obj, struct iommufd_vdevice, obj);
	struct iommufd_viommu *viommu = vdev->viommu;
	struct iommufd_device *idev = vdev->idev;

	lockdep_assert_held(&idev->igroup->lock);

	if (vdev->destroy)
		vdev->destroy(vdev);
	/* Fails harmlessly if the insert lost to another vDEVICE. */
	xa_cmpxchg(&viommu->vdevs, vdev->virt_id, vdev, NULL, GFP_KERNEL);
	refcount_dec(&viommu->obj.users);
	idev->vdev = NULL;
}

void iommufd_vdevice_destroy(struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev = container_of(obj, struct iommufd_vdevice, obj);
	struct iommufd_device *idev = vdev->idev;
	struct iommufd_ctx *ictx = idev->ictx;

	mutex_lock(&idev->igroup->lock);
	iommufd_vdevice_abort(obj);
	mutex_unlock(&idev->igroup->lock);
	/* The device's pre_destroy may be waiting for this. */
	iommufd_put_object(ictx, &idev->obj);
}

int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = (struct iommu_vdevice_alloc *)ucmd->cmd;
	struct iommufd_vdevice *vdev, *curr;
	size_t vdev_size = sizeof(*vdev);
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	u64 virt_id = cmd->virt_id;
	int rc = 0;

	/* The virtual ID is an xarray index. */
	if (virt_id > ULONG_MAX)
		return -EINVAL;

	viommu = iommufd_get_viommu(ucmd, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_put_viommu;
	}

	if (viommu->iommu_dev != __iommu_get_iommu_dev(idev->dev)) {
		rc = -EINVAL;
		goto out_put_idev;
	}

	mutex_lock(&idev->igroup->lock);
	if (idev->destroying) {
		rc = -ENOENT;
		goto out_unlock_igroup;
	}
	if (idev->vdev) {
		rc = -EEXIST;
		goto out_unlock_igroup;
	}

	if (viommu->ops && viommu->ops->vdevice_size) {
		/* Too small for ours, or no init to fill the rest: driver bugs. */
		if (WARN_ON_ONCE(viommu->ops->vdevice_size < vdev_size ||
				 !viommu->ops->vdevice_init)) {
			rc = -EOPNOTSUPP;
			goto out_unlock_igroup;
		}
		vdev_size = viommu->ops->vdevice_size;
	}

	/* Not ucmd-owned: the abort op needs igroup->lock, held here. */
	vdev = iommufd_alloc_sized<struct iommufd_vdevice>(vdev_size, ucmd,
							   IOMMUFD_OBJ_VDEVICE, false);
	if (IS_ERR(vdev)) {
		rc = PTR_ERR(vdev);
		goto out_unlock_igroup;
	}

	vdev->virt_id = virt_id;
	vdev->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	/*
	 * Our iommufd_get_device() reference stays with the vDEVICE: the
	 * device's pre_destroy revokes it by destroying the vDEVICE, and the
	 * device cannot be freed before idev->vdev is NULL again.
	 */
	vdev->idev = idev;
	idev->vdev = vdev;

	curr = (struct iommufd_vdevice *)xa_cmpxchg(&viommu->vdevs, virt_id, NULL, vdev,
						    GFP_KERNEL);
	if (curr) {
		rc = xa_err(curr) ?: -EEXIST;
		goto out_abort;
	}

	if (viommu->ops && viommu->ops->vdevice_init) {
		rc = viommu->ops->vdevice_init(vdev);
		if (rc)
			goto out_abort;
	}

	cmd->out_vdevice_id = vdev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &vdev->obj);
	goto out_unlock_igroup;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &vdev->obj);
out_unlock_igroup:
	mutex_unlock(&idev->igroup->lock);
out_put_idev:
	if (rc)
		iommufd_put_object(ucmd->ictx, &idev->obj);
out_put_viommu:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}

/*
 * iommufd_get_vdevice() without its fault-injection point: a lookup that
 * fails here would read as "a destroy is in progress" and leave the
 * device's destroy waiting for a reference nobody drops (upstream has the
 * same exposure under fail_iommufd).
 */
static struct iommufd_vdevice *iommufd_lookup_vdevice_nofail(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_object *obj;

	xa_lock(&ictx->objects);
	obj = (struct iommufd_object *)xa_load(&ictx->objects, id);
	if (!obj || obj->type != IOMMUFD_OBJ_VDEVICE || !iommufd_lock_obj(obj))
		obj = ERR_PTR(-ENOENT);
	xa_unlock(&ictx->objects);
	if (IS_ERR(obj))
		return (struct iommufd_vdevice *)obj;
	return container_of(obj, struct iommufd_vdevice, obj);
}

/*
 * The device is being destroyed (its pre_destroy): destroy its vDEVICE
 * now, leaving the vDEVICE's ID reserved as a tombstone, so that the
 * vDEVICE's short-term reference on the device goes away.
 */
void iommufd_device_remove_vdev(struct iommufd_device *idev)
{
	struct iommufd_vdevice *vdev;

	mutex_lock(&idev->igroup->lock);
	/* No new vDEVICE may point at the device from now on. */
	idev->destroying = true;
	if (!idev->vdev)
		goto out_unlock;

	vdev = iommufd_lookup_vdevice_nofail(idev->ictx, idev->vdev->obj.id);
	/*
	 * A user IOMMU_DESTROY already took it out of the table and waits for
	 * this lock in iommufd_vdevice_destroy(); the device's destroy then
	 * waits for the reference that destroy drops.
	 */
	if (IS_ERR(vdev))
		goto out_unlock;
	if (WARN_ON(vdev != idev->vdev)) {
		iommufd_put_object(idev->ictx, &vdev->obj);
		goto out_unlock;
	}

	/* A users ref keeps a racing IOMMU_DESTROY out (-EBUSY for it). */
	refcount_inc(&vdev->obj.users);
	iommufd_put_object(idev->ictx, &vdev->obj);
	mutex_unlock(&idev->igroup->lock);
	iommufd_object_tombstone_user(idev->ictx, &vdev->obj);
	return;

out_unlock:
	mutex_unlock(&idev->igroup->lock);
}

/* ---- HW queue ---- */

static void iommufd_hw_queue_destroy_access(struct iommufd_ctx *ictx,
					    struct iommufd_access *access, u64 base_iova,
					    size_t length)
{
	u64 aligned_iova = ALIGN_DOWN(base_iova, PAGE_SIZE);
	u64 offset = base_iova - aligned_iova;

	iommufd_access_unpin_pages(access, aligned_iova, ALIGN(length + offset, PAGE_SIZE));
	iommufd_access_detach_internal(access);
	iommufd_access_destroy_internal(ictx, access);
}

void iommufd_hw_queue_destroy(struct iommufd_object *obj)
{
	struct iommufd_hw_queue *hw_queue = container_of(obj, struct iommufd_hw_queue, obj);

	if (hw_queue->destroy)
		hw_queue->destroy(hw_queue);
	if (hw_queue->access)
		iommufd_hw_queue_destroy_access(hw_queue->viommu->ictx, hw_queue->access,
						hw_queue->base_addr, hw_queue->length);
	if (hw_queue->viommu)
		refcount_dec(&hw_queue->viommu->obj.users);
}

/*
 * Pin the guest queue [iova, iova + length) through the nest parent's IOAS
 * and return the access holding the pins; *base_pa is the physical address
 * of @iova. The pinned pages must be physically contiguous: hardware reads
 * the queue by physical address.
 */
static struct iommufd_access *iommufd_hw_queue_alloc_phys(struct iommu_hw_queue_alloc *cmd,
							  struct iommufd_viommu *viommu,
							  phys_addr_t *base_pa)
{
	u64 aligned_iova = ALIGN_DOWN(cmd->nesting_parent_iova, PAGE_SIZE);
	u64 offset = cmd->nesting_parent_iova - aligned_iova;
	struct iommufd_access *access;
	struct page **pages;
	size_t max_npages;
	size_t length;
	size_t i;
	int rc;

	/* Pages spanned: DIV_ROUND_UP(offset + length, PAGE_SIZE), checked. */
	if (check_add_overflow((size_t)offset, (size_t)cmd->length, &length))
		return ERR_PTR(-ERANGE);
	if (check_add_overflow(length, (size_t)PAGE_SIZE - 1, &length))
		return ERR_PTR(-ERANGE);
	max_npages = length / PAGE_SIZE;
	length = max_npages * PAGE_SIZE;

	pages = (struct page **)kvcalloc(max_npages, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	access = iommufd_access_create_internal(viommu->ictx);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto out_free;
	}

	rc = iommufd_access_attach_internal(access, viommu->hwpt->ioas);
	if (rc)
		goto out_destroy;

	rc = iommufd_access_pin_pages(access, aligned_iova, length, pages, 0);
	if (rc)
		goto out_detach;

	for (i = 1; i < max_npages; i++) {
		if (page_to_pfn(pages[i]) == page_to_pfn(pages[i - 1]) + 1)
			continue;
		rc = -EFAULT;
		goto out_unpin;
	}

	*base_pa = ((phys_addr_t)page_to_pfn(pages[0]) << PAGE_SHIFT) + offset;
	kvfree(pages);
	return access;

out_unpin:
	iommufd_access_unpin_pages(access, aligned_iova, length);
out_detach:
	iommufd_access_detach_internal(access);
out_destroy:
	iommufd_access_destroy_internal(viommu->ictx, access);
out_free:
	kvfree(pages);
	return ERR_PTR(rc);
}

int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = (struct iommu_hw_queue_alloc *)ucmd->cmd;
	struct iommufd_hw_queue *hw_queue;
	struct iommufd_viommu *viommu;
	struct iommufd_access *access = NULL;
	size_t hw_queue_size;
	phys_addr_t base_pa = 0;
	u64 last;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1, &last))
		return -EOVERFLOW;

	viommu = iommufd_get_viommu(ucmd, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);

	if (!viommu->ops || !viommu->ops->get_hw_queue_size ||
	    (!viommu->ops->hw_queue_init_phys && !viommu->ops->hw_queue_init)) {
		rc = -EOPNOTSUPP;
		goto out_put_viommu;
	}

	hw_queue_size = viommu->ops->get_hw_queue_size(viommu, cmd->type);
	if (!hw_queue_size) {
		rc = -EOPNOTSUPP;
		goto out_put_viommu;
	}
	if (WARN_ON_ONCE(hw_queue_size < sizeof(*hw_queue))) {
		rc = -EOPNOTSUPP;
		goto out_put_viommu;
	}

	/* Finalized or aborted by the dispatcher; destroy handles partial state. */
	hw_queue = iommufd_alloc_sized<struct iommufd_hw_queue>(hw_queue_size, ucmd,
								IOMMUFD_OBJ_HW_QUEUE, true);
	if (IS_ERR(hw_queue)) {
		rc = PTR_ERR(hw_queue);
		goto out_put_viommu;
	}

	if (viommu->ops->hw_queue_init_phys) {
		access = iommufd_hw_queue_alloc_phys(cmd, viommu, &base_pa);
		if (IS_ERR(access)) {
			rc = PTR_ERR(access);
			goto out_put_viommu;
		}
	}

	hw_queue->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	hw_queue->access = access;
	hw_queue->type = cmd->type;
	hw_queue->length = cmd->length;
	hw_queue->base_addr = cmd->nesting_parent_iova;

	if (viommu->ops->hw_queue_init_phys)
		rc = viommu->ops->hw_queue_init_phys(hw_queue, cmd->index, base_pa);
	else
		rc = viommu->ops->hw_queue_init(hw_queue, cmd->index);
	if (rc)
		goto out_put_viommu;

	cmd->out_hw_queue_id = hw_queue->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));

out_put_viommu:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}
