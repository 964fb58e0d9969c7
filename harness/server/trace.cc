// SPDX-License-Identifier: GPL-2.0
/*
 * --trace: one strace-style line per ioctl, decoded.
 *
 *   [pid 4242] ioctl(3, IOMMU_IOAS_MAP, {ioas_id=2, flags=FIXED_IOVA|WRITEABLE|READABLE,
 *              user_va=0x7f.., length=0x40000, iova=0x1000000}) = 0
 *   [pid 4242] ioctl(3, IOMMU_IOAS_ALLOC, {flags=0}) = 0 {out_ioas_id=2}
 *   [pid 4242] ioctl(3, IOMMU_DESTROY, {id=99}) = -1 ENOENT (No such file or directory)
 *
 * Inputs are read from the client before the call, outputs after it and
 * only on success, straight from the client's memory (not through
 * copy_from_user, so tracing neither counts against fail-nth nor trips
 * fail_usercopy). Each ioctl is a row: its name, its struct, and the
 * fields worth seeing with their direction.
 */
#include "harness/server/server_internal.h"

#include <linux/amd_viommu.h>
#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <linux/vfio.h>

#include <cinttypes>
#include <cstdarg>
#include <cstring>
#include <sys/uio.h>

/* Appends to a NUL-terminated line, never past @len. */
void ufd_trace_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

namespace {

enum fkind : u8 { F_DEC, F_HEX, F_FD, F_MAPFLAGS };
enum fdir : u8 { IN, OUT };

struct field {
	const char *name;
	u16 off;
	u8 size;
	fkind kind;
	fdir dir;
};

#define FLD(type, member, kind, dir)                                                  \
	field{#member, (u16)offsetof(type, member), (u8)sizeof(((type *)0)->member), kind, \
	      dir}

struct ioctl_desc {
	unsigned long cmd;
	const char *name;
	size_t size;
	field fields[8];
};

#define S struct iommu_ioas_map
const ioctl_desc ioctls[] = {
	{IOMMU_DESTROY, "IOMMU_DESTROY", sizeof(struct iommu_destroy),
	 {FLD(struct iommu_destroy, id, F_DEC, IN)}},
	{IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC", sizeof(struct iommu_ioas_alloc),
	 {FLD(struct iommu_ioas_alloc, flags, F_HEX, IN),
	  FLD(struct iommu_ioas_alloc, out_ioas_id, F_DEC, OUT)}},
	{IOMMU_IOAS_ALLOW_IOVAS, "IOMMU_IOAS_ALLOW_IOVAS", sizeof(struct iommu_ioas_allow_iovas),
	 {FLD(struct iommu_ioas_allow_iovas, ioas_id, F_DEC, IN),
	  FLD(struct iommu_ioas_allow_iovas, num_iovas, F_DEC, IN),
	  FLD(struct iommu_ioas_allow_iovas, allowed_iovas, F_HEX, IN)}},
	{IOMMU_IOAS_COPY, "IOMMU_IOAS_COPY", sizeof(struct iommu_ioas_copy),
	 {FLD(struct iommu_ioas_copy, flags, F_MAPFLAGS, IN),
	  FLD(struct iommu_ioas_copy, dst_ioas_id, F_DEC, IN),
	  FLD(struct iommu_ioas_copy, src_ioas_id, F_DEC, IN),
	  FLD(struct iommu_ioas_copy, length, F_HEX, IN),
	  FLD(struct iommu_ioas_copy, src_iova, F_HEX, IN),
	  FLD(struct iommu_ioas_copy, dst_iova, F_HEX, IN),
	  FLD(struct iommu_ioas_copy, dst_iova, F_HEX, OUT)}},
	{IOMMU_IOAS_IOVA_RANGES, "IOMMU_IOAS_IOVA_RANGES", sizeof(struct iommu_ioas_iova_ranges),
	 {FLD(struct iommu_ioas_iova_ranges, ioas_id, F_DEC, IN),
	  FLD(struct iommu_ioas_iova_ranges, num_iovas, F_DEC, IN),
	  FLD(struct iommu_ioas_iova_ranges, num_iovas, F_DEC, OUT),
	  FLD(struct iommu_ioas_iova_ranges, out_iova_alignment, F_HEX, OUT)}},
	{IOMMU_IOAS_MAP, "IOMMU_IOAS_MAP", sizeof(S),
	 {FLD(S, ioas_id, F_DEC, IN), FLD(S, flags, F_MAPFLAGS, IN), FLD(S, user_va, F_HEX, IN),
	  FLD(S, length, F_HEX, IN), FLD(S, iova, F_HEX, IN), FLD(S, iova, F_HEX, OUT)}},
	{IOMMU_IOAS_MAP_FILE, "IOMMU_IOAS_MAP_FILE", sizeof(struct iommu_ioas_map_file),
	 {FLD(struct iommu_ioas_map_file, ioas_id, F_DEC, IN),
	  FLD(struct iommu_ioas_map_file, flags, F_MAPFLAGS, IN),
	  FLD(struct iommu_ioas_map_file, fd, F_FD, IN),
	  FLD(struct iommu_ioas_map_file, start, F_HEX, IN),
	  FLD(struct iommu_ioas_map_file, length, F_HEX, IN),
	  FLD(struct iommu_ioas_map_file, iova, F_HEX, IN),
	  FLD(struct iommu_ioas_map_file, iova, F_HEX, OUT)}},
	{IOMMU_IOAS_UNMAP, "IOMMU_IOAS_UNMAP", sizeof(struct iommu_ioas_unmap),
	 {FLD(struct iommu_ioas_unmap, ioas_id, F_DEC, IN),
	  FLD(struct iommu_ioas_unmap, iova, F_HEX, IN),
	  FLD(struct iommu_ioas_unmap, length, F_HEX, IN),
	  FLD(struct iommu_ioas_unmap, length, F_HEX, OUT)}},
	{IOMMU_OPTION, "IOMMU_OPTION", sizeof(struct iommu_option),
	 {FLD(struct iommu_option, option_id, F_DEC, IN), FLD(struct iommu_option, op, F_DEC, IN),
	  FLD(struct iommu_option, object_id, F_DEC, IN),
	  FLD(struct iommu_option, val64, F_HEX, IN),
	  FLD(struct iommu_option, val64, F_HEX, OUT)}},
	{IOMMU_VFIO_IOAS, "IOMMU_VFIO_IOAS", sizeof(struct iommu_vfio_ioas),
	 {FLD(struct iommu_vfio_ioas, ioas_id, F_DEC, IN), FLD(struct iommu_vfio_ioas, op, F_DEC, IN),
	  FLD(struct iommu_vfio_ioas, ioas_id, F_DEC, OUT)}},
	{IOMMU_HWPT_ALLOC, "IOMMU_HWPT_ALLOC", sizeof(struct iommu_hwpt_alloc),
	 {FLD(struct iommu_hwpt_alloc, flags, F_HEX, IN),
	  FLD(struct iommu_hwpt_alloc, dev_id, F_DEC, IN),
	  FLD(struct iommu_hwpt_alloc, pt_id, F_DEC, IN),
	  FLD(struct iommu_hwpt_alloc, data_type, F_DEC, IN),
	  FLD(struct iommu_hwpt_alloc, data_len, F_DEC, IN),
	  FLD(struct iommu_hwpt_alloc, fault_id, F_DEC, IN),
	  FLD(struct iommu_hwpt_alloc, out_hwpt_id, F_DEC, OUT)}},
	{IOMMU_GET_HW_INFO, "IOMMU_GET_HW_INFO", sizeof(struct iommu_hw_info),
	 {FLD(struct iommu_hw_info, flags, F_HEX, IN), FLD(struct iommu_hw_info, dev_id, F_DEC, IN),
	  FLD(struct iommu_hw_info, data_len, F_DEC, IN),
	  FLD(struct iommu_hw_info, out_data_type, F_HEX, OUT),
	  FLD(struct iommu_hw_info, data_len, F_DEC, OUT),
	  FLD(struct iommu_hw_info, out_capabilities, F_HEX, OUT),
	  FLD(struct iommu_hw_info, out_max_pasid_log2, F_DEC, OUT)}},
	{IOMMU_HWPT_SET_DIRTY_TRACKING, "IOMMU_HWPT_SET_DIRTY_TRACKING",
	 sizeof(struct iommu_hwpt_set_dirty_tracking),
	 {FLD(struct iommu_hwpt_set_dirty_tracking, hwpt_id, F_DEC, IN),
	  FLD(struct iommu_hwpt_set_dirty_tracking, flags, F_HEX, IN)}},
	{IOMMU_HWPT_GET_DIRTY_BITMAP, "IOMMU_HWPT_GET_DIRTY_BITMAP",
	 sizeof(struct iommu_hwpt_get_dirty_bitmap),
	 {FLD(struct iommu_hwpt_get_dirty_bitmap, hwpt_id, F_DEC, IN),
	  FLD(struct iommu_hwpt_get_dirty_bitmap, flags, F_HEX, IN),
	  FLD(struct iommu_hwpt_get_dirty_bitmap, iova, F_HEX, IN),
	  FLD(struct iommu_hwpt_get_dirty_bitmap, length, F_HEX, IN),
	  FLD(struct iommu_hwpt_get_dirty_bitmap, page_size, F_HEX, IN)}},
	{IOMMU_HWPT_INVALIDATE, "IOMMU_HWPT_INVALIDATE", sizeof(struct iommu_hwpt_invalidate),
	 {FLD(struct iommu_hwpt_invalidate, hwpt_id, F_DEC, IN),
	  FLD(struct iommu_hwpt_invalidate, data_type, F_DEC, IN),
	  FLD(struct iommu_hwpt_invalidate, entry_len, F_DEC, IN),
	  FLD(struct iommu_hwpt_invalidate, entry_num, F_DEC, IN),
	  FLD(struct iommu_hwpt_invalidate, entry_num, F_DEC, OUT)}},
	{IOMMU_FAULT_QUEUE_ALLOC, "IOMMU_FAULT_QUEUE_ALLOC", sizeof(struct iommu_fault_alloc),
	 {FLD(struct iommu_fault_alloc, flags, F_HEX, IN),
	  FLD(struct iommu_fault_alloc, out_fault_id, F_DEC, OUT),
	  FLD(struct iommu_fault_alloc, out_fault_fd, F_FD, OUT)}},
	{IOMMU_VIOMMU_ALLOC, "IOMMU_VIOMMU_ALLOC", sizeof(struct iommu_viommu_alloc),
	 {FLD(struct iommu_viommu_alloc, type, F_DEC, IN),
	  FLD(struct iommu_viommu_alloc, dev_id, F_DEC, IN),
	  FLD(struct iommu_viommu_alloc, hwpt_id, F_DEC, IN),
	  FLD(struct iommu_viommu_alloc, out_viommu_id, F_DEC, OUT)}},
	{IOMMU_VDEVICE_ALLOC, "IOMMU_VDEVICE_ALLOC", sizeof(struct iommu_vdevice_alloc),
	 {FLD(struct iommu_vdevice_alloc, viommu_id, F_DEC, IN),
	  FLD(struct iommu_vdevice_alloc, dev_id, F_DEC, IN),
	  FLD(struct iommu_vdevice_alloc, virt_id, F_HEX, IN),
	  FLD(struct iommu_vdevice_alloc, out_vdevice_id, F_DEC, OUT)}},
	{IOMMU_IOAS_CHANGE_PROCESS, "IOMMU_IOAS_CHANGE_PROCESS",
	 sizeof(struct iommu_ioas_change_process), {}},
	{IOMMU_VEVENTQ_ALLOC, "IOMMU_VEVENTQ_ALLOC", sizeof(struct iommu_veventq_alloc),
	 {FLD(struct iommu_veventq_alloc, viommu_id, F_DEC, IN),
	  FLD(struct iommu_veventq_alloc, type, F_DEC, IN),
	  FLD(struct iommu_veventq_alloc, veventq_depth, F_DEC, IN),
	  FLD(struct iommu_veventq_alloc, out_veventq_id, F_DEC, OUT),
	  FLD(struct iommu_veventq_alloc, out_veventq_fd, F_FD, OUT)}},
	{IOMMU_HW_QUEUE_ALLOC, "IOMMU_HW_QUEUE_ALLOC", sizeof(struct iommu_hw_queue_alloc),
	 {FLD(struct iommu_hw_queue_alloc, viommu_id, F_DEC, IN),
	  FLD(struct iommu_hw_queue_alloc, type, F_DEC, IN),
	  FLD(struct iommu_hw_queue_alloc, index, F_DEC, IN),
	  FLD(struct iommu_hw_queue_alloc, nesting_parent_iova, F_HEX, IN),
	  FLD(struct iommu_hw_queue_alloc, length, F_HEX, IN),
	  FLD(struct iommu_hw_queue_alloc, out_hw_queue_id, F_DEC, OUT)}},
	/* The AMD HW-vIOMMU's 2023 RFC ioctls (experimental, linux/amd_viommu.h). */
	{VIOMMU_IOMMU_INIT, "VIOMMU_IOMMU_INIT", sizeof(struct amd_viommu_iommu_info),
	 {FLD(struct amd_viommu_iommu_info, iommu_id, F_HEX, IN),
	  FLD(struct amd_viommu_iommu_info, gid, F_DEC, OUT)}},
	{VIOMMU_IOMMU_DESTROY, "VIOMMU_IOMMU_DESTROY", sizeof(struct amd_viommu_iommu_info),
	 {FLD(struct amd_viommu_iommu_info, iommu_id, F_HEX, IN),
	  FLD(struct amd_viommu_iommu_info, gid, F_DEC, IN)}},
	{VIOMMU_DEVICE_ATTACH, "VIOMMU_DEVICE_ATTACH", sizeof(struct amd_viommu_dev_info),
	 {FLD(struct amd_viommu_dev_info, gid, F_DEC, IN),
	  FLD(struct amd_viommu_dev_info, hdev_id, F_HEX, IN),
	  FLD(struct amd_viommu_dev_info, gdev_id, F_HEX, IN)}},
	{VIOMMU_DEVICE_DETACH, "VIOMMU_DEVICE_DETACH", sizeof(struct amd_viommu_dev_info),
	 {FLD(struct amd_viommu_dev_info, gid, F_DEC, IN),
	  FLD(struct amd_viommu_dev_info, hdev_id, F_HEX, IN),
	  FLD(struct amd_viommu_dev_info, gdev_id, F_HEX, IN)}},
	{VIOMMU_DOMAIN_ATTACH, "VIOMMU_DOMAIN_ATTACH", sizeof(struct amd_viommu_dom_info),
	 {FLD(struct amd_viommu_dom_info, gid, F_DEC, IN),
	  FLD(struct amd_viommu_dom_info, gdev_id, F_HEX, IN),
	  FLD(struct amd_viommu_dom_info, gdom_id, F_HEX, IN)}},
	{VIOMMU_DOMAIN_DETACH, "VIOMMU_DOMAIN_DETACH", sizeof(struct amd_viommu_dom_info),
	 {FLD(struct amd_viommu_dom_info, gid, F_DEC, IN),
	  FLD(struct amd_viommu_dom_info, gdev_id, F_HEX, IN),
	  FLD(struct amd_viommu_dom_info, gdom_id, F_HEX, IN)}},
	{VIOMMU_MMIO_ACCESS, "VIOMMU_MMIO_ACCESS", sizeof(struct amd_viommu_mmio_data),
	 {FLD(struct amd_viommu_mmio_data, gid, F_DEC, IN),
	  FLD(struct amd_viommu_mmio_data, offset, F_HEX, IN),
	  FLD(struct amd_viommu_mmio_data, is_write, F_DEC, IN),
	  FLD(struct amd_viommu_mmio_data, value, F_HEX, IN),
	  FLD(struct amd_viommu_mmio_data, value, F_HEX, OUT)}},
	{VIOMMU_CMDBUF_UPDATE, "VIOMMU_CMDBUF_UPDATE", sizeof(struct amd_viommu_cmdbuf_data),
	 {FLD(struct amd_viommu_cmdbuf_data, gid, F_DEC, IN),
	  FLD(struct amd_viommu_cmdbuf_data, cmdbuf_size, F_HEX, IN)}},
	/* The VFIO device file's own ioctls (argsz plays the size field's part). */
	{VFIO_DEVICE_GET_INFO, "VFIO_DEVICE_GET_INFO", sizeof(struct vfio_device_info),
	 {FLD(struct vfio_device_info, flags, F_HEX, OUT),
	  FLD(struct vfio_device_info, num_regions, F_DEC, OUT),
	  FLD(struct vfio_device_info, num_irqs, F_DEC, OUT)}},
	{VFIO_DEVICE_GET_REGION_INFO, "VFIO_DEVICE_GET_REGION_INFO",
	 sizeof(struct vfio_region_info),
	 {FLD(struct vfio_region_info, index, F_DEC, IN),
	  FLD(struct vfio_region_info, flags, F_HEX, OUT),
	  FLD(struct vfio_region_info, size, F_HEX, OUT),
	  FLD(struct vfio_region_info, offset, F_HEX, OUT)}},
	{VFIO_DEVICE_GET_IRQ_INFO, "VFIO_DEVICE_GET_IRQ_INFO", sizeof(struct vfio_irq_info),
	 {FLD(struct vfio_irq_info, index, F_DEC, IN), FLD(struct vfio_irq_info, flags, F_HEX, OUT),
	  FLD(struct vfio_irq_info, count, F_DEC, OUT)}},
	{VFIO_DEVICE_SET_IRQS, "VFIO_DEVICE_SET_IRQS", sizeof(struct vfio_irq_set),
	 {FLD(struct vfio_irq_set, flags, F_HEX, IN), FLD(struct vfio_irq_set, index, F_DEC, IN),
	  FLD(struct vfio_irq_set, start, F_DEC, IN), FLD(struct vfio_irq_set, count, F_DEC, IN)}},
	{VFIO_DEVICE_BIND_IOMMUFD, "VFIO_DEVICE_BIND_IOMMUFD",
	 sizeof(struct vfio_device_bind_iommufd),
	 {FLD(struct vfio_device_bind_iommufd, flags, F_HEX, IN),
	  FLD(struct vfio_device_bind_iommufd, iommufd, F_FD, IN),
	  FLD(struct vfio_device_bind_iommufd, out_devid, F_DEC, OUT)}},
	{VFIO_DEVICE_ATTACH_IOMMUFD_PT, "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
	 sizeof(struct vfio_device_attach_iommufd_pt),
	 {FLD(struct vfio_device_attach_iommufd_pt, flags, F_HEX, IN),
	  FLD(struct vfio_device_attach_iommufd_pt, pt_id, F_DEC, IN),
	  FLD(struct vfio_device_attach_iommufd_pt, pasid, F_DEC, IN),
	  FLD(struct vfio_device_attach_iommufd_pt, pt_id, F_DEC, OUT)}},
	{VFIO_DEVICE_DETACH_IOMMUFD_PT, "VFIO_DEVICE_DETACH_IOMMUFD_PT",
	 sizeof(struct vfio_device_detach_iommufd_pt),
	 {FLD(struct vfio_device_detach_iommufd_pt, flags, F_HEX, IN),
	  FLD(struct vfio_device_detach_iommufd_pt, pasid, F_DEC, IN)}},
	{VFIO_DEVICE_FEATURE, "VFIO_DEVICE_FEATURE", sizeof(struct vfio_device_feature),
	 {FLD(struct vfio_device_feature, flags, F_HEX, IN)}},
};
#undef S

/* IOMMU_TEST_CMD: the op's name and the union member worth printing. */
#define T struct iommu_test_cmd
struct test_op_desc {
	u32 op;
	const char *name;
	field fields[6];
};
const test_op_desc test_ops[] = {
	{IOMMU_TEST_OP_ADD_RESERVED, "ADD_RESERVED",
	 {FLD(T, add_reserved.start, F_HEX, IN), FLD(T, add_reserved.length, F_HEX, IN)}},
	{IOMMU_TEST_OP_MOCK_DOMAIN, "MOCK_DOMAIN",
	 {FLD(T, mock_domain.out_stdev_id, F_DEC, OUT), FLD(T, mock_domain.out_hwpt_id, F_DEC, OUT),
	  FLD(T, mock_domain.out_idev_id, F_DEC, OUT)}},
	{IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, "MOCK_DOMAIN_FLAGS",
	 {FLD(T, mock_domain_flags.dev_flags, F_HEX, IN),
	  FLD(T, mock_domain_flags.out_stdev_id, F_DEC, OUT),
	  FLD(T, mock_domain_flags.out_hwpt_id, F_DEC, OUT),
	  FLD(T, mock_domain_flags.out_idev_id, F_DEC, OUT)}},
	{IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, "MOCK_DOMAIN_REPLACE",
	 {FLD(T, mock_domain_replace.pt_id, F_DEC, IN),
	  FLD(T, mock_domain_replace.pt_id, F_DEC, OUT)}},
	{IOMMU_TEST_OP_MD_CHECK_MAP, "MD_CHECK_MAP",
	 {FLD(T, check_map.iova, F_HEX, IN), FLD(T, check_map.length, F_HEX, IN),
	  FLD(T, check_map.uptr, F_HEX, IN)}},
	{IOMMU_TEST_OP_MD_CHECK_REFS, "MD_CHECK_REFS",
	 {FLD(T, check_refs.length, F_HEX, IN), FLD(T, check_refs.uptr, F_HEX, IN),
	  FLD(T, check_refs.refs, F_DEC, IN)}},
	{IOMMU_TEST_OP_CREATE_ACCESS, "CREATE_ACCESS",
	 {FLD(T, create_access.flags, F_HEX, IN), FLD(T, create_access.out_access_fd, F_FD, OUT)}},
	{IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, "DESTROY_ACCESS_PAGES",
	 {FLD(T, destroy_access_pages.access_pages_id, F_DEC, IN)}},
	{IOMMU_TEST_OP_ACCESS_PAGES, "ACCESS_PAGES",
	 {FLD(T, access_pages.flags, F_HEX, IN), FLD(T, access_pages.iova, F_HEX, IN),
	  FLD(T, access_pages.length, F_HEX, IN), FLD(T, access_pages.uptr, F_HEX, IN),
	  FLD(T, access_pages.out_access_pages_id, F_DEC, OUT)}},
	{IOMMU_TEST_OP_ACCESS_RW, "ACCESS_RW",
	 {FLD(T, access_rw.flags, F_HEX, IN), FLD(T, access_rw.iova, F_HEX, IN),
	  FLD(T, access_rw.length, F_HEX, IN), FLD(T, access_rw.uptr, F_HEX, IN)}},
	{IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, "SET_TEMP_MEMORY_LIMIT",
	 {FLD(T, memory_limit.limit, F_DEC, IN)}},
	{IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, "ACCESS_REPLACE_IOAS",
	 {FLD(T, access_replace_ioas.ioas_id, F_DEC, IN)}},
	{IOMMU_TEST_OP_DIRTY, "DIRTY",
	 {FLD(T, dirty.flags, F_HEX, IN), FLD(T, dirty.iova, F_HEX, IN),
	  FLD(T, dirty.length, F_HEX, IN), FLD(T, dirty.page_size, F_HEX, IN),
	  FLD(T, dirty.out_nr_dirty, F_DEC, OUT)}},
	{IOMMU_TEST_OP_MD_CHECK_IOTLB, "MD_CHECK_IOTLB",
	 {FLD(T, check_iotlb.id, F_DEC, IN), FLD(T, check_iotlb.iotlb, F_HEX, IN)}},
	{IOMMU_TEST_OP_TRIGGER_IOPF, "TRIGGER_IOPF",
	 {FLD(T, trigger_iopf.dev_id, F_DEC, IN), FLD(T, trigger_iopf.pasid, F_DEC, IN),
	  FLD(T, trigger_iopf.grpid, F_DEC, IN), FLD(T, trigger_iopf.addr, F_HEX, IN)}},
	{IOMMU_TEST_OP_DEV_CHECK_CACHE, "DEV_CHECK_CACHE",
	 {FLD(T, check_dev_cache.id, F_DEC, IN), FLD(T, check_dev_cache.cache, F_HEX, IN)}},
	{IOMMU_TEST_OP_TRIGGER_VEVENT, "TRIGGER_VEVENT", {FLD(T, trigger_vevent.dev_id, F_DEC, IN)}},
	{IOMMU_TEST_OP_PASID_ATTACH, "PASID_ATTACH",
	 {FLD(T, pasid_attach.pasid, F_DEC, IN), FLD(T, pasid_attach.pt_id, F_DEC, IN)}},
	{IOMMU_TEST_OP_PASID_REPLACE, "PASID_REPLACE",
	 {FLD(T, pasid_replace.pasid, F_DEC, IN), FLD(T, pasid_replace.pt_id, F_DEC, IN)}},
	{IOMMU_TEST_OP_PASID_DETACH, "PASID_DETACH", {FLD(T, pasid_detach.pasid, F_DEC, IN)}},
	{IOMMU_TEST_OP_PASID_CHECK_HWPT, "PASID_CHECK_HWPT",
	 {FLD(T, pasid_check.pasid, F_DEC, IN), FLD(T, pasid_check.hwpt_id, F_DEC, IN)}},
	{IOMMU_TEST_OP_DMABUF_GET, "DMABUF_GET",
	 {FLD(T, dmabuf_get.length, F_HEX, IN), FLD(T, dmabuf_get.open_flags, F_HEX, IN)}},
	{IOMMU_TEST_OP_DMABUF_REVOKE, "DMABUF_REVOKE",
	 {FLD(T, dmabuf_revoke.dmabuf_fd, F_FD, IN), FLD(T, dmabuf_revoke.revoked, F_DEC, IN)}},
	{IOMMU_TEST_OP_MD_CHECK_DMABUF, "MD_CHECK_DMABUF",
	 {FLD(T, check_dmabuf.dmabuf_fd, F_FD, IN), FLD(T, check_dmabuf.iova, F_HEX, IN),
	  FLD(T, check_dmabuf.length, F_HEX, IN)}},
};
#undef T

/* VFIO container ioctls an iommufd answers (vfio_compat). */
const struct {
	unsigned long cmd;
	const char *name;
} vfio_ioctls[] = {
	{VFIO_GET_API_VERSION, "VFIO_GET_API_VERSION"},
	{VFIO_CHECK_EXTENSION, "VFIO_CHECK_EXTENSION"},
	{VFIO_SET_IOMMU, "VFIO_SET_IOMMU"},
	{VFIO_IOMMU_GET_INFO, "VFIO_IOMMU_GET_INFO"},
	{VFIO_IOMMU_MAP_DMA, "VFIO_IOMMU_MAP_DMA"},
	{VFIO_IOMMU_UNMAP_DMA, "VFIO_IOMMU_UNMAP_DMA"},
	{VFIO_IOMMU_ENABLE, "VFIO_IOMMU_ENABLE"},
	{VFIO_IOMMU_DISABLE, "VFIO_IOMMU_DISABLE"},
	{VFIO_IOMMU_DIRTY_PAGES, "VFIO_IOMMU_DIRTY_PAGES"},
	{VFIO_DEVICE_RESET, "VFIO_DEVICE_RESET"},
	{VFIO_GROUP_GET_STATUS, "VFIO_GROUP_GET_STATUS"},
	{VFIO_GROUP_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER"},
	{VFIO_GROUP_UNSET_CONTAINER, "VFIO_GROUP_UNSET_CONTAINER"},
	{VFIO_GROUP_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD"},
};

std::mutex trace_lock;

const ioctl_desc *find_ioctl(unsigned long cmd)
{
	for (const ioctl_desc &d : ioctls)
		if (d.cmd == cmd)
			return &d;
	return nullptr;
}

const test_op_desc *find_test_op(u32 op)
{
	for (const test_op_desc &d : test_ops)
		if (d.op == op)
			return &d;
	return nullptr;
}

bool peek(unsigned long addr, void *buf, size_t len)
{
	return ufd_trace_peek(addr, buf, len);
}

u64 get_field(const u8 *base, const field &f)
{
	u64 v = 0;

	memcpy(&v, base + f.off, f.size);	/* little-endian host */
	return v;
}


void format_fields(char *out, size_t len, const u8 *base, size_t avail, const field *fields,
		   size_t nr, fdir dir)
{
	bool first = true;

	for (size_t i = 0; i < nr && fields[i].name; i++) {
		const field &f = fields[i];
		u64 v;

		if (f.dir != dir || f.off + f.size > avail)
			continue;
		v = get_field(base, f);
		ufd_trace_append(out, len, "%s%s=", first ? "" : ", ", f.name);
		first = false;
		switch (f.kind) {
		case F_DEC:
			ufd_trace_append(out, len, "%" PRIu64, v);
			break;
		case F_FD:
			ufd_trace_append(out, len, "%d", (int)(s32)v);
			break;
		case F_HEX:
			ufd_trace_append(out, len, "%#" PRIx64, v);
			break;
		case F_MAPFLAGS: {
			static const char *const names[] = {"FIXED_IOVA", "WRITEABLE", "READABLE"};
			bool any = false;

			for (unsigned int b = 0; b < 3; b++)
				if (v & (1u << b)) {
					ufd_trace_append(out, len, "%s%s", any ? "|" : "", names[b]);
					any = true;
				}
			if (v & ~7ULL)
				ufd_trace_append(out, len, "%s%#" PRIx64, any ? "|" : "", (u64)(v & ~(u64)7));
			else if (!any)
				ufd_trace_append(out, len, "0");
			break;
		}
		}
	}
}

/*
 * The struct as the caller gave it: up to its own size field or our struct
 * size, whichever is smaller (a short struct is zero-extended by the
 * kernel, so what is missing reads as zero).
 */
size_t read_struct(unsigned long arg, size_t ksize, u8 *buf)
{
	u32 usize;

	memset(buf, 0, ksize);
	if (!peek(arg, &usize, sizeof(usize)))
		return 0;
	usize = min_t(u32, usize, (u32)ksize);
	if (usize < sizeof(u32) || !peek(arg, buf, usize))
		return 0;
	return ksize;
}

} // namespace

const char *ufd_errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

const char *ufd_ioctl_name(unsigned long cmd)
{
	if (cmd == IOMMU_TEST_CMD)
		return "IOMMU_TEST_CMD";
	if (const ioctl_desc *d = find_ioctl(cmd))
		return d->name;
	for (auto &v : vfio_ioctls)
		if (v.cmd == cmd)
			return v.name;
	return nullptr;
}

std::string ufd_ioctl_step_name(unsigned long cmd, unsigned long arg)
{
	const char *name = ufd_ioctl_name(cmd);
	char buf[64];

	if (cmd == IOMMU_TEST_CMD) {
		u8 raw[sizeof(struct iommu_test_cmd)];
		const test_op_desc *d = read_struct(arg, sizeof(raw), raw) ?
			find_test_op(((struct iommu_test_cmd *)raw)->op) : nullptr;

		return std::string("IOMMU_TEST_CMD(") + (d ? d->name : "?") + ")";
	}
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "ioctl %#lx", cmd);
	return buf;
}

/* Reads the client's memory directly; false if it cannot be read. */
bool ufd_trace_peek(unsigned long addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)addr, len};

	return process_vm_readv(current->tgid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/*
 * A read or write at a position: on a VFIO device file, the region (its
 * index in the offset's top bits, as vfio-pci lays them out) and the
 * value when it is a register-sized access.
 */
void ufd_trace_rw(bool write, unsigned long buf, size_t count, long long pos, long ret)
{
	static const char *const regions[] = {"BAR0", "BAR1", "BAR2", "BAR3", "BAR4",
					      "BAR5", "ROM",  "CONFIG", "VGA"};
	unsigned int index = (unsigned int)((unsigned long long)pos >> 40);
	unsigned long long off = (unsigned long long)pos & ((1ULL << 40) - 1);
	char where[48], val[40] = "";
	u64 v = 0;

	if (index < ARRAY_SIZE(regions))
		snprintf(where, sizeof(where), "%s+%#llx", regions[index], off);
	else
		snprintf(where, sizeof(where), "region %u+%#llx", index, off);
	if (ret > 0 && (count == 1 || count == 2 || count == 4 || count == 8) &&
	    ufd_trace_peek(buf, &v, count))
		snprintf(val, sizeof(val), ", %#" PRIx64, v);
	if (ret < 0)
		ufd_trace_printf("%s(%s, %zu%s) = -1 %s", write ? "pwrite" : "pread", where, count,
				 val, ufd_errno_name((int)-ret));
	else
		ufd_trace_printf("%s(%s, %zu%s) = %ld", write ? "pwrite" : "pread", where, count,
				 val, ret);
}

void ufd_trace_printf(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	std::lock_guard<std::mutex> g(trace_lock);
	if (!ufd_serving)	/* the watcher: a file whose last holder went away */
		fprintf(ufd_cfg->trace, "[uiommufd] %s\n", line);
	else if (current->tgid != current->pid)
		fprintf(ufd_cfg->trace, "[pid %d/%d] %s\n", current->tgid, current->pid, line);
	else
		fprintf(ufd_cfg->trace, "[pid %d] %s\n", current->tgid, line);
	fflush(ufd_cfg->trace);
}

void ufd_trace_ioctl_begin(struct ufd_trace_call *t, int fd, unsigned long cmd,
			   unsigned long arg)
{
	const char *name = ufd_ioctl_name(cmd);
	u8 buf[256];

	t->cmd = cmd;
	t->arg = arg;
	t->fd_hint = fd;
	snprintf(t->in, sizeof(t->in), "%d, ", fd);
	if (cmd == IOMMU_TEST_CMD) {
		size_t n = read_struct(arg, sizeof(struct iommu_test_cmd), buf);
		const struct iommu_test_cmd *c = (const struct iommu_test_cmd *)buf;
		const test_op_desc *d = n ? find_test_op(c->op) : nullptr;

		if (!n) {
			ufd_trace_append(t->in, sizeof(t->in), "IOMMU_TEST_CMD, %#lx", arg);
			return;
		}
		ufd_trace_append(t->in, sizeof(t->in), "IOMMU_TEST_CMD, {op=%s, id=%u", d ? d->name : "?",
		       c->id);
		if (d) {
			char f[384] = "";

			format_fields(f, sizeof(f), buf, n, d->fields, ARRAY_SIZE(d->fields), IN);
			if (f[0])
				ufd_trace_append(t->in, sizeof(t->in), ", %s", f);
		}
		ufd_trace_append(t->in, sizeof(t->in), "}");
		return;
	}
	if (const ioctl_desc *d = find_ioctl(cmd)) {
		size_t n = read_struct(arg, d->size, buf);
		char f[384] = "";

		if (!n) {
			ufd_trace_append(t->in, sizeof(t->in), "%s, %#lx", name, arg);
			return;
		}
		format_fields(f, sizeof(f), buf, n, d->fields, ARRAY_SIZE(d->fields), IN);
		ufd_trace_append(t->in, sizeof(t->in), "%s, {%s}", name, f);
		ufd_trace_vendor_in(t->in, sizeof(t->in), cmd, buf, n);
		return;
	}
	if (name)
		ufd_trace_append(t->in, sizeof(t->in), "%s, %#lx", name, arg);
	else
		ufd_trace_append(t->in, sizeof(t->in), "%#lx, %#lx", cmd, arg);
}

void ufd_trace_ioctl_end(struct ufd_trace_call *t, u64 token, long ret)
{
	char out[384] = "";
	char vout[256] = "";
	u8 buf[256];

	if (ret >= 0) {
		const field *fields = nullptr;
		size_t nr = 0, size = 0;

		if (t->cmd == IOMMU_TEST_CMD) {
			size = sizeof(struct iommu_test_cmd);
			if (read_struct(t->arg, size, buf))
				if (const test_op_desc *d =
					    find_test_op(((struct iommu_test_cmd *)buf)->op)) {
					fields = d->fields;
					nr = ARRAY_SIZE(d->fields);
				}
		} else if (const ioctl_desc *d = find_ioctl(t->cmd)) {
			size = d->size;
			if (read_struct(t->arg, size, buf)) {
				fields = d->fields;
				nr = ARRAY_SIZE(d->fields);
			}
		}
		if (fields) {
			format_fields(out, sizeof(out), buf, size, fields, nr, OUT);
			ufd_trace_vendor_out(vout, sizeof(vout), t->cmd, buf, size);
		}
	}
	if (ret >= 0)
		ufd_trace_printf("ioctl(%s) = %ld%s%s%s%s", t->in, ret, out[0] ? " {" : "", out,
				 out[0] ? "}" : "", vout);
	else
		ufd_trace_printf("ioctl(%s) = -1 %s (%s)", t->in, ufd_errno_name((int)-ret),
				 strerror((int)-ret));
}
