// SPDX-License-Identifier: GPL-2.0
/*
 * Devices in an iommufd context: binding (DMA ownership), the per-context
 * group state, attaching a device or one of its PASIDs to an HWPT or an
 * IOAS (automatic domains), replace, detach, and IOMMU_GET_HW_INFO.
 *
 * Attachments are per group: devices of one iommu_group cannot be told
 * apart by the IOMMU, so they must all use the same HWPT for a given
 * PASID. igroup->pasid_attach[pasid] records that HWPT and the devices
 * that asked for it; only the first device to attach touches the IOMMU
 * and only the last to detach undoes it. Each attached device still holds
 * its own users reference on the HWPT and its own reserved IOVA ranges in
 * the IOAS (reserved regions are per device).
 *
 * Lock order: ioas->mutex (automatic domains) -> igroup->lock -> the
 * IOMMU core's group mutex. HWPTs are put only after every lock is
 * dropped, because destroying an automatic domain takes ioas->mutex.
 */
#include "core/iommufd_private.h"
#include "core/io_pagetable.h"
#include "core/eventq.h"

/* Which HWPT one PASID of a group is attached to, and by which devices. */
struct iommufd_attach {
	struct iommufd_hw_pagetable *hwpt;
	/* idev->obj.id -> idev; XA_ZERO_ENTRY while an attach is in flight */
	struct xarray device_array;
};

/* Platforms modelled here always isolate MSIs; kept for VFIO's module option. */
static bool allow_unsafe_interrupts;

/* ---- per-context group state ---- */

static void iommufd_group_release(struct kref *kref)
{
	struct iommufd_group *igroup = container_of(kref, struct iommufd_group, ref);

	WARN_ON(!xa_empty(&igroup->pasid_attach));

	/* A racing lookup may already have installed a new igroup: only remove ours. */
	xa_cmpxchg(&igroup->ictx->groups, iommu_group_id(igroup->group), igroup, NULL,
		   GFP_KERNEL);
	iommu_group_put(igroup->group);
	xa_destroy(&igroup->pasid_attach);
	mutex_destroy(&igroup->lock);
	kfree(igroup);
}

static void iommufd_put_group(struct iommufd_group *igroup)
{
	kref_put(&igroup->ref, iommufd_group_release);
}

static bool iommufd_group_try_get(struct iommufd_group *igroup, struct iommu_group *group)
{
	if (!igroup)
		return false;
	/* IDs are unique while the group lives, and our igroup holds it. */
	if (WARN_ON(igroup->group != group))
		return false;
	return kref_get_unless_zero(&igroup->ref);
}

/*
 * The igroup of @dev's group in @ictx, created on first use. The slot may
 * hold a dying igroup (its kref hit zero but release has not removed it
 * yet): then we replace it, which is why release uses cmpxchg.
 */
static struct iommufd_group *iommufd_get_group(struct iommufd_ctx *ictx, struct device *dev)
{
	struct iommufd_group *new_igroup, *cur_igroup, *igroup;
	struct iommu_group *group;
	unsigned int id;

	group = iommu_group_get(dev);
	if (!group)
		return ERR_PTR(-ENODEV);
	id = iommu_group_id(group);

	xa_lock(&ictx->groups);
	igroup = (struct iommufd_group *)xa_load(&ictx->groups, id);
	if (iommufd_group_try_get(igroup, group)) {
		xa_unlock(&ictx->groups);
		iommu_group_put(group);
		return igroup;
	}
	xa_unlock(&ictx->groups);

	new_igroup = (struct iommufd_group *)kzalloc(sizeof(*new_igroup), GFP_KERNEL);
	if (!new_igroup) {
		iommu_group_put(group);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&new_igroup->ref);
	mutex_init(&new_igroup->lock);
	xa_init(&new_igroup->pasid_attach);
	new_igroup->sw_msi_start = PHYS_ADDR_MAX;
	/* Our group reference moves into the igroup. */
	new_igroup->group = group;
	/* No context reference: every igroup user is gone before the context. */
	new_igroup->ictx = ictx;

	cur_igroup = NULL;
	xa_lock(&ictx->groups);
	for (;;) {
		igroup = (struct iommufd_group *)__xa_cmpxchg(&ictx->groups, id, cur_igroup,
							      new_igroup, GFP_KERNEL);
		if (xa_is_err(igroup)) {
			xa_unlock(&ictx->groups);
			iommufd_put_group(new_igroup);
			return ERR_PTR(xa_err(igroup));
		}
		if (igroup == cur_igroup) {
			xa_unlock(&ictx->groups);
			return new_igroup;
		}
		/* Someone else installed one meanwhile; use it if it is alive. */
		if (iommufd_group_try_get(igroup, group)) {
			xa_unlock(&ictx->groups);
			iommufd_put_group(new_igroup);
			return igroup;
		}
		cur_igroup = igroup;
	}
}

/* ---- the device object ---- */

void iommufd_device_pre_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev = container_of(obj, struct iommufd_device, obj);

	/*
	 * Revoke the vDEVICE's short-term reference: its vDEVICE is destroyed
	 * and leaves a tombstone (core/viommu.cc); no new one may come.
	 */
	iommufd_device_remove_vdev(idev);
}

void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev = container_of(obj, struct iommufd_device, obj);

	iommu_device_release_dma_owner(idev->dev);
	iommufd_put_group(idev->igroup);
	if (!iommufd_selftest_is_mock_dev(idev->dev))
		iommufd_ctx_put(idev->ictx);
}

/*
 * Bind @dev to @ictx: take DMA ownership of its group (the group goes to
 * the blocking domain) and publish a device object. Undone by
 * iommufd_device_unbind().
 */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx, struct device *dev,
					   u32 *id)
{
	struct iommufd_device *idev;
	struct iommufd_group *igroup;
	int rc;

	/* iommufd always maps with IOMMU_CACHE; there is no way to opt out. */
	if (!device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY))
		return ERR_PTR(-EINVAL);

	igroup = iommufd_get_group(ictx, dev);
	if (IS_ERR(igroup))
		return ERR_CAST(igroup);

	/* A DMA write must not be able to raise someone else's interrupt. */
	if (!iommufd_selftest_is_mock_dev(dev) && !iommu_group_has_isolated_msi(igroup->group)) {
		if (!allow_unsafe_interrupts) {
			rc = -EPERM;
			goto out_group_put;
		}
	}

	rc = iommu_device_claim_dma_owner(dev, ictx);
	if (rc)
		goto out_group_put;

	idev = iommufd_object_alloc(ictx, idev, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_release_owner;
	}
	idev->ictx = ictx;
	/* A mock device lives inside the context: a reference would be a cycle. */
	if (!iommufd_selftest_is_mock_dev(dev))
		iommufd_ctx_get(ictx);
	idev->dev = dev;
	idev->enforce_cache_coherency =
		device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
	/* The binding driver's reference, dropped by iommufd_device_unbind(). */
	refcount_inc(&idev->obj.users);
	/* Our igroup reference moves into the device. */
	idev->igroup = igroup;

	iommufd_object_finalize(ictx, &idev->obj);
	*id = idev->obj.id;
	return idev;

out_release_owner:
	iommu_device_release_dma_owner(dev);
out_group_put:
	iommufd_put_group(igroup);
	return ERR_PTR(rc);
}

/* True if some device of @group is bound to @ictx (so @ictx owns the group). */
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx, struct iommu_group *group)
{
	struct iommufd_object *obj;
	unsigned long index;

	if (!ictx || !group)
		return false;

	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj) {
		if (obj->type == IOMMUFD_OBJ_DEVICE &&
		    container_of(obj, struct iommufd_device, obj)->igroup->group == group) {
			xa_unlock(&ictx->objects);
			return true;
		}
	}
	xa_unlock(&ictx->objects);
	return false;
}

/* Undo iommufd_device_bind(); @idev is gone afterwards. */
void iommufd_device_unbind(struct iommufd_device *idev)
{
	iommufd_object_destroy_user(idev->ictx, &idev->obj);
}

struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev)
{
	return idev->ictx;
}

u32 iommufd_device_to_id(struct iommufd_device *idev)
{
	return idev->obj.id;
}

/* ---- attach machinery ---- */

static unsigned int iommufd_group_device_num(struct iommufd_group *igroup, ioasid_t pasid)
{
	struct iommufd_attach *attach;
	struct iommufd_device *idev;
	unsigned int count = 0;
	unsigned long index;

	lockdep_assert_held(&igroup->lock);

	attach = (struct iommufd_attach *)xa_load(&igroup->pasid_attach, pasid);
	if (attach)
		xa_for_each(&attach->device_array, index, idev)
			count++;
	return count;
}

/*
 * Software MSI windows are not modelled (no platform here translates MSIs
 * through the IOMMU), so there are never MSI pages to install into a new
 * domain. sw_msi_start is still recorded so the reserved IOVA is right.
 */
static int iommufd_group_setup_msi(struct iommufd_group *igroup,
				   struct iommufd_hwpt_paging *hwpt_paging)
{
	return 0;
}

static bool iommufd_group_first_attach(struct iommufd_group *igroup, ioasid_t pasid)
{
	struct iommufd_attach *attach;

	lockdep_assert_held(&igroup->lock);

	attach = (struct iommufd_attach *)xa_load(&igroup->pasid_attach, pasid);
	return !attach || xa_empty(&attach->device_array);
}

static int iommufd_device_attach_reserved_iova(struct iommufd_device *idev,
					       struct iommufd_hwpt_paging *hwpt_paging)
{
	struct iommufd_group *igroup = idev->igroup;
	int rc;

	lockdep_assert_held(&igroup->lock);

	rc = iopt_table_enforce_dev_resv_regions(&hwpt_paging->ioas->iopt, idev->dev,
						 &igroup->sw_msi_start);
	if (rc)
		return rc;

	if (iommufd_group_first_attach(igroup, IOMMU_NO_PASID)) {
		rc = iommufd_group_setup_msi(igroup, hwpt_paging);
		if (rc) {
			iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, idev->dev);
			return rc;
		}
	}
	return 0;
}

static bool iommufd_device_is_attached(struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_attach *attach;

	attach = (struct iommufd_attach *)xa_load(&idev->igroup->pasid_attach, pasid);
	return attach && xa_load(&attach->device_array, idev->obj.id);
}

/*
 * PASID attaches hang off the RID's translation: a domain may be used with
 * PASIDs only if allocated with IOMMU_HWPT_ALLOC_PASID, and the RID domain
 * must be such a domain whenever any PASID is attached.
 */
static int iommufd_hwpt_pasid_compat(struct iommufd_hw_pagetable *hwpt,
				     struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_group *igroup = idev->igroup;

	lockdep_assert_held(&igroup->lock);

	if (pasid == IOMMU_NO_PASID) {
		struct iommufd_attach *attach;
		unsigned long index;

		if (hwpt->pasid_compat)
			return 0;
		xa_for_each_start(&igroup->pasid_attach, index, attach, IOMMU_NO_PASID + 1)
			return -EINVAL;
	} else {
		struct iommufd_attach *attach;

		if (!hwpt->pasid_compat)
			return -EINVAL;
		attach = (struct iommufd_attach *)xa_load(&igroup->pasid_attach, IOMMU_NO_PASID);
		if (attach && attach->hwpt && !attach->hwpt->pasid_compat)
			return -EINVAL;
	}
	return 0;
}

/*
 * Fault-capable HWPTs need PRI handling a VF cannot
 * share with its PF. No PCI functions are modelled yet, so every device
 * qualifies.
 */
static bool iommufd_hwpt_compatible_device(struct iommufd_hw_pagetable *hwpt,
					   struct iommufd_device *idev)
{
	return true;
}

static int iommufd_hwpt_attach_device(struct iommufd_hw_pagetable *hwpt,
				      struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_attach_handle *handle;
	int rc;

	if (!iommufd_hwpt_compatible_device(hwpt, idev))
		return -EINVAL;

	rc = iommufd_hwpt_pasid_compat(hwpt, idev, pasid);
	if (rc)
		return rc;

	handle = (struct iommufd_attach_handle *)kzalloc(sizeof(*handle), GFP_KERNEL);
	if (!handle)
		return -ENOMEM;

	handle->idev = idev;
	if (pasid == IOMMU_NO_PASID)
		rc = iommu_attach_group_handle(hwpt->domain, idev->igroup->group,
					       &handle->handle);
	else
		rc = iommu_attach_device_pasid(hwpt->domain, idev->dev, pasid, &handle->handle);
	if (rc) {
		kfree(handle);
		return rc;
	}
	return 0;
}

static struct iommufd_attach_handle *iommufd_device_get_attach_handle(struct iommufd_device *idev,
								      ioasid_t pasid)
{
	struct iommu_attach_handle *handle;

	lockdep_assert_held(&idev->igroup->lock);

	handle = iommu_attach_handle_get(idev->igroup->group, pasid, 0);
	if (IS_ERR(handle))
		return NULL;
	return to_iommufd_handle(handle);
}

static void iommufd_hwpt_detach_device(struct iommufd_hw_pagetable *hwpt,
				       struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_attach_handle *handle;

	handle = iommufd_device_get_attach_handle(idev, pasid);
	if (pasid == IOMMU_NO_PASID)
		iommu_detach_group_handle(hwpt->domain, idev->igroup->group);
	else
		iommu_detach_device_pasid(hwpt->domain, idev->dev, pasid);
	/* The device no longer reaches @hwpt: answer what it still waits for. */
	iommufd_auto_response_faults(hwpt, handle);
	kfree(handle);
}

static int iommufd_hwpt_replace_device(struct iommufd_device *idev, ioasid_t pasid,
				       struct iommufd_hw_pagetable *hwpt,
				       struct iommufd_hw_pagetable *old)
{
	struct iommufd_attach_handle *handle, *old_handle;
	int rc;

	if (!iommufd_hwpt_compatible_device(hwpt, idev))
		return -EINVAL;

	rc = iommufd_hwpt_pasid_compat(hwpt, idev, pasid);
	if (rc)
		return rc;

	old_handle = iommufd_device_get_attach_handle(idev, pasid);

	handle = (struct iommufd_attach_handle *)kzalloc(sizeof(*handle), GFP_KERNEL);
	if (!handle)
		return -ENOMEM;

	handle->idev = idev;
	if (pasid == IOMMU_NO_PASID)
		rc = iommu_replace_group_handle(idev->igroup->group, hwpt->domain,
						&handle->handle);
	else
		rc = iommu_replace_device_pasid(hwpt->domain, idev->dev, pasid,
						&handle->handle);
	if (rc) {
		kfree(handle);
		return rc;
	}
	iommufd_auto_response_faults(old, old_handle);
	kfree(old_handle);
	return 0;
}

/*
 * Attach @idev (@pasid) to @hwpt. The attach slot and the device slot are
 * reserved first (XA_ZERO_ENTRY) so every later failure unwinds exactly
 * what was done, and a concurrent attach of the same PASID sees the slot.
 */
int iommufd_hw_pagetable_attach(struct iommufd_hw_pagetable *hwpt, struct iommufd_device *idev,
				ioasid_t pasid)
{
	struct iommufd_hwpt_paging *hwpt_paging = find_hwpt_paging(hwpt);
	bool attach_resv = hwpt_paging && pasid == IOMMU_NO_PASID;
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hw_pagetable *old_hwpt;
	struct iommufd_attach *attach;
	void *old;
	int rc;

	mutex_lock(&igroup->lock);

	attach = (struct iommufd_attach *)xa_cmpxchg(&igroup->pasid_attach, pasid, NULL,
						     XA_ZERO_ENTRY, GFP_KERNEL);
	if (xa_is_err(attach)) {
		rc = xa_err(attach);
		goto err_unlock;
	}

	if (!attach) {
		attach = (struct iommufd_attach *)kzalloc(sizeof(*attach), GFP_KERNEL);
		if (!attach) {
			rc = -ENOMEM;
			goto err_release_pasid;
		}
		xa_init(&attach->device_array);
	}

	old_hwpt = attach->hwpt;

	rc = xa_insert(&attach->device_array, idev->obj.id, XA_ZERO_ENTRY, GFP_KERNEL);
	if (rc) {
		/* Attached twice: only possible if the group already is attached. */
		WARN_ON(rc == -EBUSY && !old_hwpt);
		goto err_free_attach;
	}

	/* All devices of a group share one translation per PASID. */
	if (old_hwpt && old_hwpt != hwpt) {
		rc = -EINVAL;
		goto err_release_devid;
	}

	if (attach_resv) {
		rc = iommufd_device_attach_reserved_iova(idev, hwpt_paging);
		if (rc)
			goto err_release_devid;
	}

	/*
	 * Only the first device of the group reaches the IOMMU; later ones
	 * follow it. Each must still attach itself, so that its own reserved
	 * regions are enforced in the IOAS.
	 */
	if (iommufd_group_first_attach(igroup, pasid)) {
		rc = iommufd_hwpt_attach_device(hwpt, idev, pasid);
		if (rc)
			goto err_unresv;
		attach->hwpt = hwpt;
		old = xa_store(&igroup->pasid_attach, pasid, attach, GFP_KERNEL);
		WARN_ON(xa_is_err(old));
	}
	refcount_inc(&hwpt->obj.users);
	old = xa_store(&attach->device_array, idev->obj.id, idev, GFP_KERNEL);
	WARN_ON(xa_is_err(old));
	mutex_unlock(&igroup->lock);
	return 0;

err_unresv:
	if (attach_resv)
		iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, idev->dev);
err_release_devid:
	xa_release(&attach->device_array, idev->obj.id);
err_free_attach:
	if (iommufd_group_first_attach(igroup, pasid)) {
		xa_destroy(&attach->device_array);
		kfree(attach);
	}
err_release_pasid:
	if (iommufd_group_first_attach(igroup, pasid))
		xa_release(&igroup->pasid_attach, pasid);
err_unlock:
	mutex_unlock(&igroup->lock);
	return rc;
}

/* Detach @idev (@pasid). Returns the HWPT whose reference the caller drops. */
struct iommufd_hw_pagetable *iommufd_hw_pagetable_detach(struct iommufd_device *idev,
							 ioasid_t pasid)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_attach *attach;

	mutex_lock(&igroup->lock);
	attach = (struct iommufd_attach *)xa_load(&igroup->pasid_attach, pasid);
	if (!attach || !xa_load(&attach->device_array, idev->obj.id)) {
		mutex_unlock(&igroup->lock);
		return NULL;
	}

	hwpt = attach->hwpt;
	hwpt_paging = find_hwpt_paging(hwpt);

	xa_erase(&attach->device_array, idev->obj.id);
	if (xa_empty(&attach->device_array)) {
		iommufd_hwpt_detach_device(hwpt, idev, pasid);
		xa_erase(&igroup->pasid_attach, pasid);
		xa_destroy(&attach->device_array);
		kfree(attach);
	}
	if (hwpt_paging && pasid == IOMMU_NO_PASID)
		iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, idev->dev);
	mutex_unlock(&igroup->lock);

	return hwpt;
}

static struct iommufd_hw_pagetable *iommufd_device_do_attach(struct iommufd_device *idev,
							     ioasid_t pasid,
							     struct iommufd_hw_pagetable *hwpt)
{
	int rc;

	rc = iommufd_hw_pagetable_attach(hwpt, idev, pasid);
	if (rc)
		return ERR_PTR(rc);
	return NULL;
}

static void iommufd_group_remove_reserved_iova(struct iommufd_group *igroup,
					       struct iommufd_hwpt_paging *hwpt_paging)
{
	struct iommufd_attach *attach;
	struct iommufd_device *cur;
	unsigned long index;

	lockdep_assert_held(&igroup->lock);

	attach = (struct iommufd_attach *)xa_load(&igroup->pasid_attach, IOMMU_NO_PASID);
	xa_for_each(&attach->device_array, index, cur)
		iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, cur->dev);
}

/* Moving the whole group to another IOAS moves every device's reservations. */
static int iommufd_group_do_replace_reserved_iova(struct iommufd_group *igroup,
						  struct iommufd_hwpt_paging *hwpt_paging)
{
	struct iommufd_hwpt_paging *old_hwpt_paging;
	struct iommufd_attach *attach;
	struct iommufd_device *cur;
	unsigned long index;
	int rc;

	lockdep_assert_held(&igroup->lock);

	attach = (struct iommufd_attach *)xa_load(&igroup->pasid_attach, IOMMU_NO_PASID);
	old_hwpt_paging = find_hwpt_paging(attach->hwpt);
	if (!old_hwpt_paging || hwpt_paging->ioas != old_hwpt_paging->ioas) {
		xa_for_each(&attach->device_array, index, cur) {
			rc = iopt_table_enforce_dev_resv_regions(&hwpt_paging->ioas->iopt,
								 cur->dev, NULL);
			if (rc)
				goto err_unresv;
		}
	}

	rc = iommufd_group_setup_msi(igroup, hwpt_paging);
	if (rc)
		goto err_unresv;
	return 0;

err_unresv:
	iommufd_group_remove_reserved_iova(igroup, hwpt_paging);
	return rc;
}

/*
 * Switch the group's @pasid translation from its current HWPT to @hwpt
 * without passing through blocked. Returns the old HWPT (whose last
 * reference the caller drops), NULL if nothing changed, or an ERR_PTR.
 */
static struct iommufd_hw_pagetable *iommufd_device_do_replace(struct iommufd_device *idev,
							      ioasid_t pasid,
							      struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hwpt_paging *hwpt_paging = find_hwpt_paging(hwpt);
	bool attach_resv = hwpt_paging && pasid == IOMMU_NO_PASID;
	struct iommufd_hwpt_paging *old_hwpt_paging;
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hw_pagetable *old_hwpt;
	struct iommufd_attach *attach;
	unsigned int num_devices;
	int rc;

	mutex_lock(&igroup->lock);

	attach = (struct iommufd_attach *)xa_load(&igroup->pasid_attach, pasid);
	if (!attach) {
		rc = -EINVAL;
		goto err_unlock;
	}

	old_hwpt = attach->hwpt;
	WARN_ON(!old_hwpt || xa_empty(&attach->device_array));

	if (!iommufd_device_is_attached(idev, pasid)) {
		rc = -EINVAL;
		goto err_unlock;
	}

	if (hwpt == old_hwpt) {
		mutex_unlock(&igroup->lock);
		return NULL;
	}

	if (attach_resv) {
		rc = iommufd_group_do_replace_reserved_iova(igroup, hwpt_paging);
		if (rc)
			goto err_unlock;
	}

	rc = iommufd_hwpt_replace_device(idev, pasid, hwpt, old_hwpt);
	if (rc)
		goto err_unresv;

	old_hwpt_paging = find_hwpt_paging(old_hwpt);
	if (old_hwpt_paging && pasid == IOMMU_NO_PASID &&
	    (!hwpt_paging || hwpt_paging->ioas != old_hwpt_paging->ioas))
		iommufd_group_remove_reserved_iova(igroup, old_hwpt_paging);

	attach->hwpt = hwpt;

	/*
	 * Every attached device held a reference on the old HWPT; move them
	 * to the new one, except one left for the caller to drop.
	 */
	num_devices = iommufd_group_device_num(igroup, pasid);
	refcount_add(num_devices, &hwpt->obj.users);
	if (num_devices > 1)
		WARN_ON(refcount_sub_and_test(num_devices - 1, &old_hwpt->obj.users));
	mutex_unlock(&igroup->lock);
	return old_hwpt;

err_unresv:
	if (attach_resv)
		iommufd_group_remove_reserved_iova(igroup, hwpt_paging);
err_unlock:
	mutex_unlock(&igroup->lock);
	return ERR_PTR(rc);
}

typedef struct iommufd_hw_pagetable *(*attach_fn)(struct iommufd_device *idev, ioasid_t pasid,
						   struct iommufd_hw_pagetable *hwpt);

/*
 * Attaching to an IOAS: reuse any automatic domain of the IOAS the device
 * accepts (-EINVAL from attach means "incompatible, try the next"), else
 * allocate a new one. Manually allocated HWPTs are never picked.
 */
static struct iommufd_hw_pagetable *iommufd_device_auto_get_domain(struct iommufd_device *idev,
								   ioasid_t pasid,
								   struct iommufd_ioas *ioas,
								   u32 *pt_id,
								   attach_fn do_attach)
{
	/*
	 * A plain attach lets iommufd_hwpt_paging_alloc() attach before it
	 * fills the domain, for drivers that finish a domain only at attach.
	 */
	bool immediate_attach = do_attach == iommufd_device_do_attach;
	struct iommufd_hw_pagetable *destroy_hwpt;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_hw_pagetable *hwpt;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item) {
		if (!hwpt_paging->auto_domain)
			continue;

		hwpt = &hwpt_paging->common;
		if (!iommufd_lock_obj(&hwpt->obj))
			continue;
		destroy_hwpt = (*do_attach)(idev, pasid, hwpt);
		if (IS_ERR(destroy_hwpt)) {
			iommufd_put_object(idev->ictx, &hwpt->obj);
			if (PTR_ERR(destroy_hwpt) == -EINVAL)
				continue;
			goto out_unlock;
		}
		*pt_id = hwpt->obj.id;
		iommufd_put_object(idev->ictx, &hwpt->obj);
		goto out_unlock;
	}

	hwpt_paging = iommufd_hwpt_paging_alloc(idev->ictx, ioas, idev, pasid, 0,
						immediate_attach, NULL);
	if (IS_ERR(hwpt_paging)) {
		destroy_hwpt = ERR_CAST(hwpt_paging);
		goto out_unlock;
	}
	hwpt = &hwpt_paging->common;

	if (!immediate_attach) {
		destroy_hwpt = (*do_attach)(idev, pasid, hwpt);
		if (IS_ERR(destroy_hwpt))
			goto out_abort;
	} else {
		destroy_hwpt = NULL;
	}

	WRITE_ONCE(hwpt_paging->auto_domain, true);
	*pt_id = hwpt->obj.id;

	iommufd_object_finalize(idev->ictx, &hwpt->obj);
	mutex_unlock(&ioas->mutex);
	return destroy_hwpt;

out_abort:
	iommufd_object_abort_and_destroy(idev->ictx, &hwpt->obj);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return destroy_hwpt;
}

static int iommufd_device_change_pt(struct iommufd_device *idev, ioasid_t pasid, u32 *pt_id,
				    attach_fn do_attach)
{
	struct iommufd_hw_pagetable *destroy_hwpt;
	struct iommufd_object *pt_obj;

	pt_obj = iommufd_get_object(idev->ictx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt_obj))
		return PTR_ERR(pt_obj);

	switch (pt_obj->type) {
	case IOMMUFD_OBJ_HWPT_NESTED:
	case IOMMUFD_OBJ_HWPT_PAGING: {
		struct iommufd_hw_pagetable *hwpt =
			container_of(pt_obj, struct iommufd_hw_pagetable, obj);

		destroy_hwpt = (*do_attach)(idev, pasid, hwpt);
		if (IS_ERR(destroy_hwpt))
			goto out_put_pt_obj;
		break;
	}
	case IOMMUFD_OBJ_IOAS: {
		struct iommufd_ioas *ioas = container_of(pt_obj, struct iommufd_ioas, obj);

		destroy_hwpt = iommufd_device_auto_get_domain(idev, pasid, ioas, pt_id, do_attach);
		if (IS_ERR(destroy_hwpt))
			goto out_put_pt_obj;
		break;
	}
	default:
		destroy_hwpt = ERR_PTR(-EINVAL);
		goto out_put_pt_obj;
	}
	iommufd_put_object(idev->ictx, pt_obj);

	/* Destroying an automatic domain takes locks we held above. */
	if (destroy_hwpt)
		iommufd_hw_pagetable_put(idev->ictx, destroy_hwpt);
	return 0;

out_put_pt_obj:
	iommufd_put_object(idev->ictx, pt_obj);
	return PTR_ERR(destroy_hwpt);
}

/*
 * Attach @idev (@pasid; IOMMU_NO_PASID for the whole device) to the IOAS,
 * HWPT_PAGING or HWPT_NESTED *@pt_id; *@pt_id returns the HWPT used.
 * Undone by iommufd_device_detach().
 */
int iommufd_device_attach(struct iommufd_device *idev, ioasid_t pasid, u32 *pt_id)
{
	int rc;

	rc = iommufd_device_change_pt(idev, pasid, pt_id, &iommufd_device_do_attach);
	if (rc)
		return rc;

	/* Held until detach: destroying an attached device is a caller bug (-EBUSY). */
	refcount_inc(&idev->obj.users);
	return 0;
}

/*
 * Like detach + attach, but atomic: on failure nothing changed. Only valid
 * after a successful iommufd_device_attach().
 */
int iommufd_device_replace(struct iommufd_device *idev, ioasid_t pasid, u32 *pt_id)
{
	return iommufd_device_change_pt(idev, pasid, pt_id, &iommufd_device_do_replace);
}

/* Undo iommufd_device_attach(): @pasid of the device is blocked again. */
void iommufd_device_detach(struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_hw_pagetable *hwpt;

	hwpt = iommufd_hw_pagetable_detach(idev, pasid);
	if (!hwpt)
		return;
	iommufd_hw_pagetable_put(idev->ictx, hwpt);
	refcount_dec(&idev->obj.users);
}

/* ---- IOMMU_GET_HW_INFO ---- */

int iommufd_get_hw_info(struct iommufd_ucmd *ucmd)
{
	const u32 supported_flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	struct iommu_hw_info *cmd = (struct iommu_hw_info *)ucmd->cmd;
	void __user *user_ptr = u64_to_user_ptr(cmd->data_uptr);
	u32 type;
	const struct iommu_ops *ops;
	struct iommufd_device *idev;
	unsigned int data_len;
	unsigned int copy_len;
	void *data;
	int rc;

	if (cmd->flags & ~supported_flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;

	/* Without the flag the field is output only: whatever came in is noise. */
	if (!(cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE))
		cmd->in_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	ops = dev_iommu_ops(idev->dev);
	if (ops->hw_info) {
		type = cmd->in_data_type;
		data = ops->hw_info(idev->dev, &data_len, &type);
		if (IS_ERR(data)) {
			rc = PTR_ERR(data);
			goto out_put;
		}
		cmd->out_data_type = type;
		/* A driver with hw_info must name its format. */
		if (WARN_ON(cmd->out_data_type == IOMMU_HW_INFO_TYPE_NONE)) {
			rc = -EOPNOTSUPP;
			goto out_free;
		}
	} else {
		cmd->out_data_type = IOMMU_HW_INFO_TYPE_NONE;
		data_len = 0;
		data = NULL;
	}

	copy_len = min(cmd->data_len, data_len);
	if (copy_to_user(user_ptr, data, copy_len)) {
		rc = -EFAULT;
		goto out_free;
	}

	/* A buffer larger than the data must not keep stale bytes. */
	if (copy_len < cmd->data_len) {
		if (clear_user((u8 __user *)user_ptr + copy_len, cmd->data_len - copy_len)) {
			rc = -EFAULT;
			goto out_free;
		}
	}

	/* The full length, possibly more than the buffer, tells what exists. */
	cmd->data_len = data_len;

	cmd->out_capabilities = 0;
	if (device_iommu_capable(idev->dev, IOMMU_CAP_DIRTY_TRACKING))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	if (!device_iommu_capable(idev->dev, IOMMU_CAP_PCI_ATS_SUPPORTED))
		cmd->out_capabilities |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;

	/*
	 * Drivers enable PASID at probe when both sides support it, so a
	 * non-zero max_pasids means supported and enabled. The PCI PASID
	 * Execute/Privileged bits come from the PCI capability, which no
	 * modelled device has yet.
	 */
	cmd->out_max_pasid_log2 = 0;
	if (idev->dev->iommu->max_pasids)
		cmd->out_max_pasid_log2 = ilog2(idev->dev->iommu->max_pasids);

	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kfree(data);
out_put:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/* For the state snapshots (core/state.cc): each PASID's HWPT @idev is attached to. */
void iommufd_device_attachments(struct iommufd_device *idev,
				void (*fn)(u32 pasid, struct iommufd_hw_pagetable *hwpt, void *arg),
				void *arg)
{
	struct iommufd_attach *attach;
	unsigned long pasid;

	guard(mutex)(&idev->igroup->lock);
	xa_for_each(&idev->igroup->pasid_attach, pasid, attach) {
		if (!attach->hwpt || xa_load(&attach->device_array, idev->obj.id) != idev)
			continue;
		fn((u32)pasid, attach->hwpt, arg);
	}
}
