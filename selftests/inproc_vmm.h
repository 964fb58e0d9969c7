/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VMM's iommufd objects made in-process on a booted platform, for the
 * programs that link the kernel side (KUnit suites, fail-nth sweeps,
 * benchmarks): a platform function bound to an iommufd opened through the
 * C API (iommufd_device_bind(), as VFIO's cdev bind does), and each uAPI
 * step a VMM takes as one call returning 0 or the errno. What a guest
 * writes (its tables, its STE or PASID entry) stays with the vendor's
 * header (drivers/<vendor>/tests/).
 */
#pragma once

#include "core/c_api.h"
#include "core/iommu.h"
#include "core/iommufd.h"
#include "harness/platform/platform.h"

#include <linux/iommufd.h>

#include <cerrno>
#include <fcntl.h>
#include <string>

struct inproc_vmm {
	int fd = -1;
	struct iommufd_ctx *ictx = nullptr;
	struct iommufd_device *idev = nullptr;
	struct platform_dev *pdev = nullptr;
	u32 dev_id = 0, ioas = 0, parent = 0, viommu = 0, vdev = 0, nested = 0;
	u32 veventq = 0;
	int veventq_fd = -1;
	bool attached = false;
};

static inline int inproc_vmm_ioctl(const struct inproc_vmm *v, unsigned long cmd, void *arg)
{
	return iommufd_ioctl(v->fd, cmd, arg) < 0 ? errno : 0;
}

/* A fresh iommufd with the function at @bdf bound to it, and an IOAS. */
static inline int inproc_vmm_open(struct inproc_vmm *v, const char *bdf)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	int rc;

	v->pdev = platform_dev_by_bdf(bdf);
	if (!v->pdev)
		return ENODEV;
	v->fd = iommufd_open(O_RDWR);
	if (v->fd < 0)
		return errno;
	v->ictx = iommufd_ctx_from_fd(v->fd);
	if (IS_ERR(v->ictx)) {
		rc = -PTR_ERR(v->ictx);
		v->ictx = nullptr;
		return rc;
	}
	v->idev = iommufd_device_bind(v->ictx, v->pdev->dev, &v->dev_id);
	if (IS_ERR(v->idev)) {
		rc = -PTR_ERR(v->idev);
		v->idev = nullptr;
		return rc;
	}
	rc = inproc_vmm_ioctl(v, IOMMU_IOAS_ALLOC, &ioas);
	v->ioas = ioas.out_ioas_id;
	return rc;
}

/* What closing a VMM does: the device file first (detach, unbind), then the iommufd. */
static inline void inproc_vmm_close(struct inproc_vmm *v)
{
	if (v->veventq_fd >= 0)
		iommufd_close(v->veventq_fd);
	if (v->attached)
		iommufd_device_detach(v->idev, IOMMU_NO_PASID);
	if (v->idev)
		iommufd_device_unbind(v->idev);
	if (v->ictx)
		iommufd_ctx_put(v->ictx);
	if (v->fd >= 0)
		iommufd_close(v->fd);
	*v = inproc_vmm();
}

/* Guest memory @mem at IOVA (guest physical address) @gpa. */
static inline int inproc_vmm_map_guest(struct inproc_vmm *v, void *mem, size_t len, u64 gpa)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = v->ioas,
		.user_va = (uintptr_t)mem,
		.length = len,
		.iova = gpa,
	};

	return inproc_vmm_ioctl(v, IOMMU_IOAS_MAP, &map);
}

static inline int inproc_vmm_hwpt_alloc(struct inproc_vmm *v, u32 pt, u32 flags, u32 type,
					const void *data, u32 len, u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = v->dev_id,
		.pt_id = pt,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = inproc_vmm_ioctl(v, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_hwpt_id;
	return rc;
}

/* The nest parent over the IOAS. */
static inline int inproc_vmm_parent(struct inproc_vmm *v)
{
	return inproc_vmm_hwpt_alloc(v, v->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				     IOMMU_HWPT_DATA_NONE, nullptr, 0, &v->parent);
}

static inline int inproc_vmm_viommu(struct inproc_vmm *v, u32 type, u32 *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = v->dev_id,
		.hwpt_id = v->parent,
	};
	int rc = inproc_vmm_ioctl(v, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_viommu_id;
	return rc;
}

static inline int inproc_vmm_vdevice(struct inproc_vmm *v, u32 viommu, u64 virt_id, u32 *out)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = v->dev_id,
		.virt_id = virt_id,
	};
	int rc = inproc_vmm_ioctl(v, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_vdevice_id;
	return rc;
}

/* A vEVENTQ of @type, depth 8, on @viommu: v->veventq and v->veventq_fd. */
static inline int inproc_vmm_veventq(struct inproc_vmm *v, u32 viommu, u32 type)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = type,
		.veventq_depth = 8,
	};
	int rc = inproc_vmm_ioctl(v, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (!rc) {
		v->veventq = cmd.out_veventq_id;
		v->veventq_fd = (int)cmd.out_veventq_fd;
	}
	return rc;
}

/* The function's RID on @pt (the VFIO cdev's ATTACH_IOMMUFD_PT). */
static inline int inproc_vmm_attach(struct inproc_vmm *v, u32 pt)
{
	int rc = iommufd_device_attach(v->idev, IOMMU_NO_PASID, &pt);

	if (!rc)
		v->attached = true;
	return -rc;
}

/* HWPT_INVALIDATE of @n entries of @entry_len on @id; *@done gets entry_num back. */
static inline int inproc_vmm_invalidate(struct inproc_vmm *v, u32 id, u32 type, const void *reqs,
					u32 entry_len, u32 n, u32 *done)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)reqs,
		.data_type = type,
		.entry_len = entry_len,
		.entry_num = n,
	};
	int rc = inproc_vmm_ioctl(v, IOMMU_HWPT_INVALIDATE, &cmd);

	if (done)
		*done = cmd.entry_num;
	return rc;
}
