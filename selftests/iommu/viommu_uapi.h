/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vIOMMU family of the uAPI, one call each, for programs that play a
 * VMM (selftests and benchmarks, C and C++): driver-data HWPT allocation,
 * invalidation, vIOMMU (with or without driver data), vDEVICE and HW queue. Each returns
 * the ioctl's result (errno set) and, on success, the new object's ID in
 * *@out if @out is not NULL. Every ioctl goes through ufd_ioctl(), which
 * the includer may define beforehand (to count them, say).
 *
 * hwpt_invalidate() also writes back how many entries were handled.
 */
#ifndef UIOMMUFD_SELFTEST_VIOMMU_UAPI_H
#define UIOMMUFD_SELFTEST_VIOMMU_UAPI_H

#include <linux/iommufd.h>
#include <stdint.h>
#include <sys/ioctl.h>

#ifndef ufd_ioctl
#define ufd_ioctl(fd, cmd, arg) ioctl((fd), (cmd), (arg))
#endif

/* IOMMU_HWPT_ALLOC on @pt_id (an IOAS, a parent or a vIOMMU) with driver data. */
static inline int hwpt_alloc_data(int fd, __u32 dev_id, __u32 pt_id, __u32 flags, __u32 type,
				  const void *data, __u32 len, __u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ufd_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

/* IOMMU_HWPT_INVALIDATE of @n entries of @len bytes; *@done gets entry_num back. */
static inline int hwpt_invalidate(int fd, __u32 id, __u32 type, const void *entries, __u32 len,
				  __u32 n, __u32 *done)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)entries,
		.data_type = type,
		.entry_len = len,
		.entry_num = n,
	};
	int rc = ufd_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	if (done)
		*done = cmd.entry_num;
	return rc;
}

static inline int viommu_alloc_data(int fd, __u32 dev_id, __u32 hwpt_id, __u32 type,
				    void *data, __u32 len, __u32 *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ufd_ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_viommu_id;
	return rc;
}

static inline int viommu_alloc(int fd, __u32 dev_id, __u32 hwpt_id, __u32 type, __u32 *out)
{
	return viommu_alloc_data(fd, dev_id, hwpt_id, type, NULL, 0, out);
}

static inline int vdevice_alloc(int fd, __u32 viommu, __u32 dev_id, __u64 virt_id, __u32 *out)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int rc = ufd_ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_vdevice_id;
	return rc;
}

static inline int hw_queue_alloc(int fd, __u32 viommu, __u32 type, __u32 index, __u64 iova,
				 __u64 length, __u32 *out)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = type,
		.index = index,
		.nesting_parent_iova = iova,
		.length = length,
	};
	int rc = ufd_ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hw_queue_id;
	return rc;
}

#endif /* UIOMMUFD_SELFTEST_VIOMMU_UAPI_H */
