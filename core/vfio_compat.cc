// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO type1 container compatibility on the iommufd fd
 * (drivers/iommu/iommufd/vfio_compat.c, CONFIG_IOMMUFD_VFIO_CONTAINER=y).
 *
 * An iommufd can stand in for /dev/vfio/vfio: the legacy type1 ioctls,
 * which carry no IOAS ID, act on the context's "compat IOAS"
 * (ictx->vfio_ioas). IOMMU_VFIO_IOAS gets, sets or clears it; without one
 * every type1 ioctl that needs it is -ENODEV, as VFIO fails a container
 * with no group. The pointer is guarded by the objects xa_lock, and
 * iommufd_object_remove() clears it when that IOAS is destroyed.
 *
 * ioctl numbers outside iommufd's range arrive here from the dispatcher;
 * anything not type1 is -ENOIOCTLCMD (ENOTTY to the user).
 *
 * Semantics kept from VFIO type1:
 *  - MAP_DMA maps at the fixed IOVA with READ/WRITE flags, accounted in
 *    the context's IOMMU_OPTION_RLIMIT_MODE
 *  - UNMAP_DMA of nothing succeeds with size 0; FLAG_ALL needs iova=size=0
 *  - SET_IOMMU(TYPE1) disables large pages so any sub-range can be
 *    unmapped; TYPE1v2 keeps them
 *  - GET_INFO returns the page sizes and a capability chain (DMA_AVAIL,
 *    IOVA_RANGE) truncated to argsz, with argsz raised to the full size
 *  - the VFIO dirty-page ioctl is not offered (IOMMU_HWPT_GET_DIRTY_BITMAP
 *    replaced it)
 */
#include "core/iommufd_private.h"
#include "core/io_pagetable.h"

#include <linux/vfio.h>

#ifndef offsetofend
#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* The compat IOAS with a reference, or -ENODEV. */
static struct iommufd_ioas *get_compat_ioas(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas = (struct iommufd_ioas *)ERR_PTR(-ENODEV);

	xa_lock(&ictx->objects);
	if (ictx->vfio_ioas && iommufd_lock_obj(&ictx->vfio_ioas->obj))
		ioas = ictx->vfio_ioas;
	xa_unlock(&ictx->objects);
	return ioas;
}

/* For VFIO's legacy group path: the compat IOAS's ID, or -ENODEV. */
int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx, u32 *out_ioas_id)
{
	struct iommufd_ioas *ioas = get_compat_ioas(ictx);

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	*out_ioas_id = ioas->obj.id;
	iommufd_put_object(ictx, &ioas->obj);
	return 0;
}

/*
 * A group joining the container (VFIO_GROUP_SET_CONTAINER with an
 * iommufd) makes the compat IOAS if there is none yet: the container's
 * address space exists from then on, as type1's does.
 */
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_ioas_alloc(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	xa_lock(&ictx->objects);
	if (ictx->vfio_ioas && iommufd_lock_obj(&ictx->vfio_ioas->obj)) {
		xa_unlock(&ictx->objects);
		iommufd_put_object(ictx, &ictx->vfio_ioas->obj);
		iommufd_object_abort(ictx, &ioas->obj);
		return 0;
	}
	ictx->vfio_ioas = ioas;
	xa_unlock(&ictx->objects);
	iommufd_object_finalize(ictx, &ioas->obj);
	return 0;
}

int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = (struct iommu_vfio_ioas *)ucmd->cmd;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = get_compat_ioas(ucmd->ictx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		iommufd_put_object(ucmd->ictx, &ioas->obj);
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));

	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		xa_lock(&ucmd->ictx->objects);
		ucmd->ictx->vfio_ioas = ioas;
		xa_unlock(&ucmd->ictx->objects);
		iommufd_put_object(ucmd->ictx, &ioas->obj);
		return 0;

	case IOMMU_VFIO_IOAS_CLEAR:
		xa_lock(&ucmd->ictx->objects);
		ucmd->ictx->vfio_ioas = NULL;
		xa_unlock(&ucmd->ictx->objects);
		return 0;

	default:
		return -EOPNOTSUPP;
	}
}

static int iommufd_vfio_map_dma(struct iommufd_ctx *ictx, void __user *arg)
{
	const u32 supported_flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	int iommu_prot = IOMMU_CACHE;
	struct iommufd_ioas *ioas;
	unsigned long iova;
	int rc;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~supported_flags))
		return -EINVAL;

	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		iommu_prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		iommu_prot |= IOMMU_WRITE;

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	iova = map.iova;
	rc = iopt_map_user_pages(ictx, &ioas->iopt, &iova, u64_to_user_ptr(map.vaddr), map.size,
				 iommu_prot, 0);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

static int iommufd_vfio_unmap_dma(struct iommufd_ctx *ictx, void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	/* FLAG_GET_DIRTY_BITMAP is not offered: iommufd has its own dirty API. */
	const u32 supported_flags = VFIO_DMA_UNMAP_FLAG_ALL;
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	int rc;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || (unmap.flags & ~supported_flags))
		return -EINVAL;

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size) {
			rc = -EINVAL;
			goto out_put;
		}
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		if (READ_ONCE(ioas->iopt.disable_large_pages)) {
			/*
			 * Type1 (v1) may unmap part of a mapping: split the
			 * areas at both ends first. An IOVA of 0 needs no cut
			 * in front of it.
			 */
			unsigned long iovas[] = { (unsigned long)(unmap.iova + unmap.size - 1),
						  (unsigned long)(unmap.iova - 1) };

			rc = iopt_cut_iova(&ioas->iopt, iovas, unmap.iova ? 2 : 1);
			if (rc)
				goto out_put;
		}
		rc = iopt_unmap_iova(&ioas->iopt, unmap.iova, unmap.size, &unmapped);
	}
	unmap.size = unmapped;
	if (copy_to_user(arg, &unmap, minsz))
		rc = -EFAULT;

out_put:
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* VFIO_DMA_CC_IOMMU: 1 if every paging HWPT of the compat IOAS enforces coherency. */
static int iommufd_vfio_cc_iommu(struct iommufd_ctx *ictx)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_ioas *ioas;
	int rc = 1;

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item) {
		if (!hwpt_paging->enforce_cache_coherency) {
			rc = 0;
			break;
		}
	}
	mutex_unlock(&ioas->mutex);

	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

static int iommufd_vfio_check_extension(struct iommufd_ctx *ictx, unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		return iommufd_vfio_cc_iommu(ictx);
	/*
	 * Not offered: type1 nesting (never usable), VFIO_UPDATE_VADDR (no
	 * safe way to swap the VA under a live mapping), the SPAPR types.
	 */
	case VFIO_UPDATE_VADDR:
	default:
		return 0;
	}
}

static int iommufd_vfio_set_iommu(struct iommufd_ctx *ictx, unsigned long type)
{
	struct iommufd_ioas *ioas;
	int rc = 0;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;

	/* As VFIO, which needs a group in the container first. */
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	/*
	 * Type1 v1 lets userspace unmap any part of a mapping; large IOPTEs
	 * could not be split, so v1 maps everything with small pages.
	 */
	if (type == VFIO_TYPE1_IOMMU)
		rc = iopt_disable_large_pages(&ioas->iopt);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* The page sizes every domain of the IOAS supports, as VFIO computes them. */
static unsigned long iommufd_get_pagesizes(struct iommufd_ioas *ioas)
{
	struct io_pagetable *iopt = &ioas->iopt;
	unsigned long pgsize_bitmap = ULONG_MAX;
	struct iommu_domain *domain;
	unsigned long index;

	down_read(&iopt->domains_rwsem);
	xa_for_each(&iopt->domains, index, domain)
		pgsize_bitmap &= domain->pgsize_bitmap;

	/* Sub-page sizes collapse into PAGE_SIZE (vfio_update_pgsize_bitmap()). */
	if (pgsize_bitmap & ~PAGE_MASK) {
		pgsize_bitmap &= PAGE_MASK;
		pgsize_bitmap |= PAGE_SIZE;
	}
	pgsize_bitmap = max(pgsize_bitmap, ioas->iopt.iova_alignment);
	up_read(&iopt->domains_rwsem);
	return pgsize_bitmap;
}

/*
 * A capability filler writes its capability at @cur if @avail bytes are
 * enough (or what fits of a variable-size one) and returns its full size.
 */
typedef int (*iommufd_fill_cap_fn)(struct iommufd_ioas *ioas,
				   struct vfio_info_cap_header __user *cur, size_t avail);

static int iommufd_fill_cap_iova(struct iommufd_ioas *ioas,
				 struct vfio_info_cap_header __user *cur, size_t avail)
{
	struct vfio_iommu_type1_info_cap_iova_range __user *ucap =
		(struct vfio_iommu_type1_info_cap_iova_range __user *)cur;
	struct vfio_iommu_type1_info_cap_iova_range cap = {};
	struct interval_tree_span_iter span;
	const size_t hdr = sizeof(cap);
	const size_t elm = sizeof(struct vfio_iova_range);

	cap.header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	cap.header.version = 1;

	interval_tree_for_each_span(&span, &ioas->iopt.reserved_itree, 0, ULONG_MAX) {
		struct vfio_iova_range range;

		if (!span.is_hole)
			continue;
		range.start = span.start_hole;
		range.end = span.last_hole;
		if (avail >= hdr + (cap.nr_iovas + 1) * elm &&
		    copy_to_user((u8 __user *)ucap + hdr + cap.nr_iovas * elm, &range,
				 sizeof(range)))
			return -EFAULT;
		cap.nr_iovas++;
	}
	if (avail >= hdr + cap.nr_iovas * elm && copy_to_user(ucap, &cap, sizeof(cap)))
		return -EFAULT;
	return hdr + cap.nr_iovas * elm;
}

static int iommufd_fill_cap_dma_avail(struct iommufd_ioas *ioas,
				      struct vfio_info_cap_header __user *cur, size_t avail)
{
	struct vfio_iommu_type1_info_dma_avail cap = {};

	cap.header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	cap.header.version = 1;
	/*
	 * iommufd limits mappings by memory accounting, not by count. VFIO
	 * says U16_MAX by default; U32_MAX keeps users that do look (s390
	 * QEMU) from limiting themselves.
	 */
	cap.avail = UINT32_MAX;

	if (avail >= sizeof(cap) && copy_to_user(cur, &cap, sizeof(cap)))
		return -EFAULT;
	return sizeof(cap);
}

static int iommufd_vfio_iommu_get_info(struct iommufd_ctx *ictx, void __user *arg)
{
	static const iommufd_fill_cap_fn fill_fns[] = {
		iommufd_fill_cap_dma_avail,
		iommufd_fill_cap_iova,
	};
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_info_cap_header __user *last_cap = NULL;
	struct vfio_iommu_type1_info info;
	struct iommufd_ioas *ioas;
	size_t total_cap_size;
	unsigned int i;
	int rc;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	/* A pre-capability caller gets only the fields it knows. */
	minsz = min_t(size_t, info.argsz, sizeof(info));

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = iommufd_get_pagesizes(ioas);
	info.cap_offset = 0;

	down_read(&ioas->iopt.iova_rwsem);
	total_cap_size = sizeof(info);
	for (i = 0; i != ARRAY_SIZE(fill_fns); i++) {
		int cap_size;

		if (info.argsz > total_cap_size)
			cap_size = fill_fns[i](ioas,
					       (struct vfio_info_cap_header __user *)
					       ((u8 __user *)arg + total_cap_size),
					       info.argsz - total_cap_size);
		else
			cap_size = fill_fns[i](ioas, NULL, 0);
		if (cap_size < 0) {
			rc = cap_size;
			goto out_put;
		}
		/* Link the previous capability to this one if both were written. */
		if (last_cap && info.argsz >= total_cap_size &&
		    put_user((u32)total_cap_size, &last_cap->next)) {
			rc = -EFAULT;
			goto out_put;
		}
		last_cap = (struct vfio_info_cap_header __user *)((u8 __user *)arg +
								  total_cap_size);
		total_cap_size += cap_size;
	}

	/*
	 * Too small a buffer gets some capabilities (or none, cap_offset 0)
	 * and the argsz that would hold them all.
	 */
	if (info.argsz >= total_cap_size)
		info.cap_offset = sizeof(info);
	info.argsz = total_cap_size;
	info.flags |= VFIO_IOMMU_INFO_CAPS;
	if (copy_to_user(arg, &info, minsz)) {
		rc = -EFAULT;
		goto out_put;
	}
	rc = 0;

out_put:
	up_read(&ioas->iopt.iova_rwsem);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

int iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_SET_IOMMU:
		return iommufd_vfio_set_iommu(ictx, arg);
	case VFIO_CHECK_EXTENSION:
		return iommufd_vfio_check_extension(ictx, arg);
	case VFIO_IOMMU_GET_INFO:
		return iommufd_vfio_iommu_get_info(ictx, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return iommufd_vfio_map_dma(ictx, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return iommufd_vfio_unmap_dma(ictx, uarg);
	case VFIO_IOMMU_DIRTY_PAGES:
	default:
		return -ENOIOCTLCMD;
	}
}
