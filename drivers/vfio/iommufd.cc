// SPDX-License-Identifier: GPL-2.0
/*
 * A physical VFIO device's iommufd glue: the device is bound to the
 * context as itself (iommufd_device_bind() of its struct device), so
 * iommufd owns its group's DMA and attaches it to page tables directly.
 *
 * Attaching while attached replaces, as VFIO_DEVICE_ATTACH_IOMMUFD_PT
 * promises; PASID attachments are tracked per PASID the same way. All
 * under vfio_device::lock.
 */
#include "drivers/vfio/vfio.h"

int vfio_iommufd_physical_bind(struct vfio_device *vdev, struct iommufd_ctx *ictx, u32 *out_devid)
{
	struct iommufd_device *idev;

	lockdep_assert_held(&vdev->lock);
	idev = iommufd_device_bind(ictx, vdev->dev, out_devid);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	vdev->iommufd_device = idev;
	vdev->iommufd_ictx = ictx;
	return 0;
}

void vfio_iommufd_physical_unbind(struct vfio_device *vdev)
{
	unsigned long pasid;
	void *entry;

	lockdep_assert_held(&vdev->lock);
	xa_for_each(&vdev->pasids, pasid, entry)
		iommufd_device_detach(vdev->iommufd_device, (ioasid_t)pasid);
	xa_destroy(&vdev->pasids);
	if (vdev->iommufd_attached) {
		iommufd_device_detach(vdev->iommufd_device, IOMMU_NO_PASID);
		vdev->iommufd_attached = false;
	}
	iommufd_device_unbind(vdev->iommufd_device);
	vdev->iommufd_device = NULL;
	vdev->iommufd_ictx = NULL;
}

int vfio_iommufd_physical_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	int rc;

	lockdep_assert_held(&vdev->lock);
	if (WARN_ON(!vdev->iommufd_device))
		return -EINVAL;
	if (vdev->iommufd_attached)
		rc = iommufd_device_replace(vdev->iommufd_device, IOMMU_NO_PASID, pt_id);
	else
		rc = iommufd_device_attach(vdev->iommufd_device, IOMMU_NO_PASID, pt_id);
	if (rc)
		return rc;
	vdev->iommufd_attached = true;
	return 0;
}

void vfio_iommufd_physical_detach_ioas(struct vfio_device *vdev)
{
	lockdep_assert_held(&vdev->lock);
	if (WARN_ON(!vdev->iommufd_device) || !vdev->iommufd_attached)
		return;
	iommufd_device_detach(vdev->iommufd_device, IOMMU_NO_PASID);
	vdev->iommufd_attached = false;
}

int vfio_iommufd_physical_pasid_attach_ioas(struct vfio_device *vdev, u32 pasid, u32 *pt_id)
{
	int rc;

	lockdep_assert_held(&vdev->lock);
	if (WARN_ON(!vdev->iommufd_device))
		return -EINVAL;
	if (xa_load(&vdev->pasids, pasid))
		return iommufd_device_replace(vdev->iommufd_device, pasid, pt_id);
	rc = xa_insert(&vdev->pasids, pasid, xa_mk_value(1), GFP_KERNEL);
	if (rc)
		return rc;
	rc = iommufd_device_attach(vdev->iommufd_device, pasid, pt_id);
	if (rc)
		xa_erase(&vdev->pasids, pasid);
	return rc;
}

void vfio_iommufd_physical_pasid_detach_ioas(struct vfio_device *vdev, u32 pasid)
{
	lockdep_assert_held(&vdev->lock);
	if (WARN_ON(!vdev->iommufd_device) || !xa_load(&vdev->pasids, pasid))
		return;
	iommufd_device_detach(vdev->iommufd_device, pasid);
	xa_erase(&vdev->pasids, pasid);
}
