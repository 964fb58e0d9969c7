/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ABI of the mock ("selftest") IOMMU driver: IOMMU_TEST_CMD and the data
 * formats the mock driver accepts through the generic iommufd ioctls.
 *
 * ABI-identical to upstream drivers/iommu/iommufd/iommufd_test.h as of the
 * iommufd maintainer's tree of Feb 2026 (through IOMMU_TEST_OP_MD_CHECK_DMABUF),
 * checked against uapi/abi/iommufd-abi.tsv by selftests/abi. Comments are
 * this project's own. The kernel's selftests include it by a relative path
 * into drivers/; building them maps that path here. Upstream's include
 * guard is kept so both copies can meet in one program.
 *
 * IOMMU_TEST_CMD is one ioctl multiplexing many test operations: @op picks
 * the operation, @id names the object it works on, and the union holds the
 * per-operation arguments. "mock domain" below means an HWPT allocated by
 * the mock driver, "stdev" the selftest device object the mock creates.
 */
#ifndef _UAPI_IOMMUFD_TEST_H
#define _UAPI_IOMMUFD_TEST_H

#include <linux/iommufd.h>
#include <linux/types.h>

/* Values of iommu_test_cmd.op. */
enum {
	/* Reserve [start, start + length) of IOAS @id: it can never be mapped. */
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	/* Create a mock device, bind it and attach it to IOAS/HWPT @id. */
	IOMMU_TEST_OP_MOCK_DOMAIN,
	/* Check that mock domain @id maps the range to exactly those pages. */
	IOMMU_TEST_OP_MD_CHECK_MAP,
	/* Check the pin count of every page in a user range. */
	IOMMU_TEST_OP_MD_CHECK_REFS,
	/* Create an emulated-device access on IOAS @id; returns an fd. */
	IOMMU_TEST_OP_CREATE_ACCESS,
	/* Unpin pages previously pinned through access fd @id. */
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	/* Pin an IOVA range through access fd @id (iommufd_access_pin_pages). */
	IOMMU_TEST_OP_ACCESS_PAGES,
	/* Read or write an IOVA range through access fd @id (iommufd_access_rw). */
	IOMMU_TEST_OP_ACCESS_RW,
	/* Cap the temporary memory (bytes) the pinning code may allocate. */
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	/* Re-attach mock device @id to another IOAS/HWPT (replace). */
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	/* Move access fd @id to another IOAS. */
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
	/* Like MOCK_DOMAIN, with device flags (MOCK_FLAGS_DEVICE_*). */
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
	/* Mark pages of mock domain @id dirty as if a device wrote them. */
	IOMMU_TEST_OP_DIRTY,
	/* Check an IOTLB entry of nested mock domain @id. */
	IOMMU_TEST_OP_MD_CHECK_IOTLB,
	/* Make a mock device raise an I/O page fault (PRI request). */
	IOMMU_TEST_OP_TRIGGER_IOPF,
	/* Check a device cache entry of mock device @id. */
	IOMMU_TEST_OP_DEV_CHECK_CACHE,
	/* Make a mock device raise a vIOMMU event. */
	IOMMU_TEST_OP_TRIGGER_VEVENT,
	/* Attach a PASID of stdev @id to a page table. */
	IOMMU_TEST_OP_PASID_ATTACH,
	/* Replace the page table a PASID of stdev @id is attached to. */
	IOMMU_TEST_OP_PASID_REPLACE,
	/* Detach a PASID of stdev @id. */
	IOMMU_TEST_OP_PASID_DETACH,
	/* Check which HWPT a PASID of stdev @id is attached to (0: none). */
	IOMMU_TEST_OP_PASID_CHECK_HWPT,
	/* Create a mock dma-buf exporter; returns its fd. */
	IOMMU_TEST_OP_DMABUF_GET,
	/* Revoke or restore a mock dma-buf, as a device reset would. */
	IOMMU_TEST_OP_DMABUF_REVOKE,
	/* Check that mock domain @id maps a dma-buf range to its pages. */
	IOMMU_TEST_OP_MD_CHECK_DMABUF,
};

/* Page table formats of a mock domain (iommu_hwpt_selftest.pagetable_type). */
enum {
	MOCK_IOMMUPT_DEFAULT = 0,
	MOCK_IOMMUPT_HUGE,
	MOCK_IOMMUPT_AMDV1,
};

/* Geometry of MOCK_IOMMUPT_DEFAULT domains. */
enum {
	MOCK_APERTURE_START = 1UL << 24,
	MOCK_APERTURE_LAST = (1UL << 31) - 1,
	MOCK_PAGE_SIZE = 2048,
	MOCK_HUGE_PAGE_SIZE = 512 * MOCK_PAGE_SIZE,
};

/* access_pages.flags */
enum {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	/* iova is a syzkaller encoding (area index, offset) to translate. */
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/* access_rw.flags */
enum {
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	/* Force the page-by-page copy path instead of the direct one. */
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* create_access.flags */
enum {
	/* The access pins pages, so unmap must ask it to let go first. */
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/* mock_domain_flags.dev_flags */
enum {
	/* The mock device's IOMMU cannot track dirty pages. */
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	/* The mock device supports PASID. */
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,
};

/* Nested mock domains have IOTLB entries 0..MOCK_NESTED_DOMAIN_IOTLB_ID_MAX. */
enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/* Mock vDEVICEs have device cache entries 0..MOCK_DEV_CACHE_ID_MAX. */
enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

/*
 * On this PASID the mock driver fails every second attach with ENOMEM, so
 * tests can exercise the core's rollback when a replace fails.
 */
#define IOMMU_TEST_PASID_RESERVED 1024

/**
 * struct iommu_test_cmd - ioctl(IOMMU_TEST_CMD)
 * @size: sizeof(struct iommu_test_cmd)
 * @op: one of IOMMU_TEST_OP_*
 * @id: object the operation works on (see each op)
 * @__reserved: must be 0
 * @last: end marker; the kernel requires @size to cover it
 *
 * Union members, by operation (out_* are written back by the kernel):
 * @add_reserved: IOVA range to reserve in the IOAS
 * @mock_domain: returns the stdev, the auto-created HWPT and the bound
 *               device (the iommufd device ID to use elsewhere)
 * @mock_domain_flags: as @mock_domain plus MOCK_FLAGS_DEVICE_* in dev_flags
 * @mock_domain_replace: new IOAS/HWPT for the device
 * @check_map: IOVA range and the user memory it must translate to
 * @check_refs: user range and the pin count every page must have
 * @create_access: returns the access fd; flags MOCK_FLAGS_ACCESS_CREATE_*
 * @destroy_access_pages: ID returned by @access_pages
 * @access_pages: IOVA range to pin and the user memory it must turn out to
 *                be backed by; returns an ID for @destroy_access_pages
 * @access_rw: IOVA range and user buffer to copy from/to
 * @memory_limit: temporary memory limit in bytes
 * @access_replace_ioas: new IOAS for the access
 * @dirty: IOVA range, page size and user bitmap of pages to mark dirty;
 *         returns how many were marked
 * @check_iotlb: IOTLB entry index and expected value
 * @trigger_iopf: fault to raise: device, PASID, group, perm, address
 * @check_dev_cache: device cache entry index and expected value
 * @trigger_vevent: device whose vIOMMU gets a mock event
 * @pasid_attach: PASID and IOAS/HWPT to attach it to
 * @pasid_replace: PASID and its new IOAS/HWPT
 * @pasid_detach: PASID to detach
 * @pasid_check: PASID and the HWPT expected attached to it
 * @dmabuf_get: size of the mock dma-buf and open(2) flags for its fd
 * @dmabuf_revoke: dma-buf fd and whether it is now revoked
 * @check_dmabuf: dma-buf fd, IOVA, length and offset into the dma-buf
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__u64 addr;
		} trigger_iopf;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		struct {
			__u32 dev_id;
		} trigger_vevent;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		struct {
			__u32 pasid;
		} pasid_detach;
		struct {
			__u32 pasid;
			__u32 hwpt_id;
		} pasid_check;
		struct {
			__u32 length;
			__u32 open_flags;
		} dmabuf_get;
		struct {
			__s32 dmabuf_fd;
			__u32 revoked;
		} dmabuf_revoke;
		struct {
			__s32 dmabuf_fd;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 offset;
		} check_dmabuf;
	};
	__u32 last;
};
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* PASID width the mock IOMMU and its PASID-capable devices report. */
#define MOCK_PASID_WIDTH 20

/* IOMMU_GET_HW_INFO on a mock device returns struct iommu_test_hw_info. */
#define IOMMU_HW_INFO_TYPE_SELFTEST	0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL	0xdeadbeef

/**
 * struct iommu_test_hw_info - mock IOMMU hardware information
 *                             (IOMMU_HW_INFO_TYPE_SELFTEST)
 * @flags: 0
 * @test_reg: IOMMU_HW_INFO_SELFTEST_REGVAL
 */
struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/* HWPT data type of mock nested domains; outside enum iommu_hwpt_data_type. */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
/* Value every IOTLB entry of a new nested mock domain starts with. */
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef
/* Value every device cache entry of a new mock vDEVICE starts with. */
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/**
 * struct iommu_hwpt_selftest - mock HWPT data (IOMMU_HWPT_DATA_SELFTEST)
 * @iotlb: initial value of the nested domain's IOTLB entries; must be
 *         IOMMU_TEST_IOTLB_DEFAULT
 * @pagetable_type: MOCK_IOMMUPT_* format, for paging domains
 */
struct iommu_hwpt_selftest {
	__u32 iotlb;
	__u32 pagetable_type;
};

/* Invalidation data types of mock nested domains; outside the real enum. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
/* A type the mock driver rejects, to test the error path. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/* Invalidate every entry; the index field is ignored. */
#define IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0)

/**
 * struct iommu_hwpt_invalidate_selftest - one mock IOTLB invalidation
 *                                         (IOMMU_HWPT_INVALIDATE_DATA_SELFTEST)
 * @flags: IOMMU_TEST_INVALIDATE_FLAG_ALL or 0
 * @iotlb_id: entry to reset, 0..MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
 *
 * An invalidated entry reads back as 0.
 */
struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id;
};

/* vIOMMU type of the mock driver; outside enum iommu_viommu_type. */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

/**
 * struct iommu_viommu_selftest - mock vIOMMU data (IOMMU_VIOMMU_TYPE_SELFTEST)
 * @in_data: any value
 * @out_data: returns @in_data, proving the data went both ways
 * @out_mmap_offset: returns an mmap offset on the iommufd of a mock MMIO page
 * @out_mmap_length: returns the length to mmap there
 */
struct iommu_viommu_selftest {
	__u32 in_data;
	__u32 out_data;
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};

/* vIOMMU invalidation data types of the mock driver. */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
/* A type the mock driver rejects, to test the error path. */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/**
 * struct iommu_viommu_invalidate_selftest - one mock device cache
 *     invalidation (IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
 * @flags: IOMMU_TEST_INVALIDATE_FLAG_ALL or 0
 * @vdev_id: virtual ID of the vDEVICE whose cache is invalidated
 * @cache_id: entry to reset, 0..MOCK_DEV_CACHE_ID_MAX
 */
struct iommu_viommu_invalidate_selftest {
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

/* vEVENTQ type of the mock driver; events are struct
 * iommu_viommu_event_selftest. */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

/**
 * struct iommu_viommu_event_selftest - a mock vIOMMU event
 * @virt_id: virtual ID of the vDEVICE that raised it
 */
struct iommu_viommu_event_selftest {
	__u32 virt_id;
};

/* HW queue type of the mock driver, and how many queues one vIOMMU has. */
#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
#define IOMMU_TEST_HW_QUEUE_MAX 2

#endif /* _UAPI_IOMMUFD_TEST_H */
