// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers IOMMU drivers call on iommufd objects (drivers/iommu/iommufd/
 * driver.c): vDEVICE lookups for vIOMMU drivers, dependencies between a
 * driver's objects, and the mmap region registry of the iommufd file.
 *
 * The mmap registry: a driver offers a page-aligned physical range (an MMIO
 * page of its vIOMMU, say) and gets back an offset; mmap() of the iommufd
 * fd at exactly that offset and length maps it (main.cc,
 * iommufd_fops_mmap()). Each mapping holds a users reference on the owner
 * object, so destroying the owner while mapped is -EBUSY.
 */
#include "core/iommufd_private.h"

/*
 * The device behind virtual ID @vdev_id of @viommu, or NULL. The caller
 * holds xa_lock(&viommu->vdevs) for as long as it uses the device.
 */
struct device *iommufd_viommu_find_dev(struct iommufd_viommu *viommu, unsigned long vdev_id)
{
	struct iommufd_vdevice *vdev;

	lockdep_assert_held(&viommu->vdevs.xa_lock);

	vdev = (struct iommufd_vdevice *)xa_load(&viommu->vdevs, vdev_id);
	return vdev ? vdev->idev->dev : NULL;
}

/* The physical device of @vdev (a vDEVICE being initialised or alive). */
struct device *iommufd_vdevice_to_device(struct iommufd_vdevice *vdev)
{
	return vdev->idev->dev;
}

/* The virtual ID @dev has in @viommu; -ENOENT if it has none there. */
int iommufd_viommu_get_vdev_id(struct iommufd_viommu *viommu, struct device *dev,
			       unsigned long *vdev_id)
{
	struct iommufd_vdevice *vdev;
	unsigned long index;
	int rc = -ENOENT;

	if (WARN_ON_ONCE(!vdev_id))
		return -EINVAL;

	xa_lock(&viommu->vdevs);
	xa_for_each(&viommu->vdevs, index, vdev) {
		if (vdev->idev->dev == dev) {
			*vdev_id = vdev->virt_id;
			rc = 0;
			break;
		}
	}
	xa_unlock(&viommu->vdevs);
	return rc;
}

/*
 * Make @obj_depended outlive @obj_dependent (both of one context): the
 * dependent holds a users reference until _iommufd_object_undepend().
 */
int _iommufd_object_depend(struct iommufd_object *obj_dependent,
			   struct iommufd_object *obj_depended)
{
	/* A self dependency could never be undone. */
	if (obj_dependent == obj_depended)
		return -EINVAL;
	/* Only objects of one type (a driver's HW queues, say) depend. */
	if (obj_dependent->type != obj_depended->type)
		return -EINVAL;
	refcount_inc(&obj_depended->users);
	return 0;
}

void _iommufd_object_undepend(struct iommufd_object *obj_dependent,
			      struct iommufd_object *obj_depended)
{
	if (obj_dependent == obj_depended || obj_dependent->type != obj_depended->type)
		return;
	refcount_dec(&obj_depended->users);
}

/*
 * Register [@mmio_addr, @mmio_addr + @length) for mmap on @ictx's fd on
 * behalf of @owner; *@offset is where userspace finds it. Both must be
 * page aligned.
 */
static int __iommufd_alloc_mmap(struct iommufd_ctx *ictx, struct iommufd_object *owner,
				phys_addr_t mmio_addr, void __iomem *mmio, size_t length,
				unsigned long *offset)
{
	struct iommufd_mmap *immap;
	unsigned long pgoff;
	void *old;

	if (!IS_ALIGNED(mmio_addr, PAGE_SIZE) || !IS_ALIGNED((uintptr_t)mmio, PAGE_SIZE) ||
	    !length || !IS_ALIGNED(length, PAGE_SIZE))
		return -EINVAL;

	immap = (struct iommufd_mmap *)kzalloc(sizeof(*immap), GFP_KERNEL);
	if (!immap)
		return -ENOMEM;
	immap->owner = owner;
	immap->mmio_addr = mmio_addr;
	immap->mmio = mmio;
	immap->length = length;

	xa_lock(&ictx->mt_mmap);
	/* Offsets start at PAGE_SIZE, as upstream's, and are never reused. */
	if (!ictx->mmap_next_pgoff)
		ictx->mmap_next_pgoff = 1;
	pgoff = ictx->mmap_next_pgoff;
	if (pgoff + (length >> PAGE_SHIFT) > (ULONG_MAX >> PAGE_SHIFT)) {
		xa_unlock(&ictx->mt_mmap);
		kfree(immap);
		return -EBUSY;
	}
	immap->vm_pgoff = pgoff;
	old = __xa_store(&ictx->mt_mmap, pgoff, immap, GFP_KERNEL);
	if (xa_is_err(old)) {
		xa_unlock(&ictx->mt_mmap);
		kfree(immap);
		return xa_err(old);
	}
	ictx->mmap_next_pgoff = pgoff + (length >> PAGE_SHIFT);
	xa_unlock(&ictx->mt_mmap);

	*offset = pgoff << PAGE_SHIFT;
	return 0;
}

int _iommufd_alloc_mmap(struct iommufd_ctx *ictx, struct iommufd_object *owner,
			phys_addr_t mmio_addr, size_t length, unsigned long *offset)
{
	return __iommufd_alloc_mmap(ictx, owner, mmio_addr, NULL, length, offset);
}

int _iommufd_alloc_mmap_iomem(struct iommufd_ctx *ictx, struct iommufd_object *owner,
			      void __iomem *mmio, size_t length, unsigned long *offset)
{
	if (!mmio)
		return -EINVAL;
	return __iommufd_alloc_mmap(ictx, owner, 0, mmio, length, offset);
}

/* Remove a region; existing mappings keep the owner alive until unmapped. */
void _iommufd_destroy_mmap(struct iommufd_ctx *ictx, struct iommufd_object *owner,
			   unsigned long offset)
{
	struct iommufd_mmap *immap;

	immap = (struct iommufd_mmap *)xa_erase(&ictx->mt_mmap, offset >> PAGE_SHIFT);
	WARN_ON_ONCE(!immap || immap->owner != owner);
	kfree(immap);
}
