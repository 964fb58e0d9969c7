/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * VFIO user API: container (/dev/vfio/vfio), group (/dev/vfio/N) and device
 * file ioctls, including the device cdev (/dev/vfio/devices/vfioN) ioctls
 * that bind a device to an iommufd and attach it to IOAS/HWPTs.
 *
 * Why this file exists: Debian 12's linux-libc-dev (6.1) predates the VFIO
 * cdev interface (VFIO_DEVICE_BIND_IOMMUFD and friends, PASID attach), so
 * uapi/ carries a complete, current copy instead of shadowing the system
 * header piecemeal. It matches upstream include/uapi/linux/vfio.h (v7.0
 * era, with VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2) in every name, type,
 * layout and number; uapi/abi/vfio-abi.tsv and selftests/abi check the
 * parts this project relies on. The include guard is upstream's, and the
 * guard of installed copies (VFIO_H) is honoured and set too, so the system
 * copy and this one never both get expanded. Comments are this
 * project's own and terse; the kernel's Documentation/driver-api/vfio.rst
 * explains the model.
 *
 * Conventions: every struct argument starts with __u32 argsz (bytes the
 * caller provides, set by the caller) and __u32 flags. New fields are only
 * appended, each announced by a flag bit. INFO ioctls may append a chain of
 * capabilities (struct vfio_info_cap_header), located by a cap_offset
 * relative to the start of the struct; if argsz is too small for them, the
 * kernel sets the CAPS flag, leaves cap_offset 0 and returns the needed
 * size in argsz. All ioctls are _IO(VFIO_TYPE, VFIO_BASE + n): the size is
 * never encoded in the number.
 */
#if !defined(_UAPIVFIO_H) && !defined(VFIO_H)
#define _UAPIVFIO_H
#define VFIO_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VFIO_API_VERSION	0

/* Extensions, queried with VFIO_CHECK_EXTENSION. */
#define VFIO_TYPE1_IOMMU		1
#define VFIO_SPAPR_TCE_IOMMU		2
#define VFIO_TYPE1v2_IOMMU		3
/* DMA is cache coherent (no-snoop blocked); may change as groups come and go. */
#define VFIO_DMA_CC_IOMMU		4
#define VFIO_EEH			5	/* PowerPC EEH available */
#define __VFIO_RESERVED_TYPE1_NESTING_IOMMU	6	/* removed; never reuse */
#define VFIO_SPAPR_TCE_v2_IOMMU		7
/* No translation, no isolation: only CHECK_EXTENSION works; taints. */
#define VFIO_NOIOMMU_IOMMU		8
#define VFIO_UNMAP_ALL			9	/* VFIO_DMA_UNMAP_FLAG_ALL */
/* VFIO_DMA_*_FLAG_VADDR; not with mediated devices. */
#define VFIO_UPDATE_VADDR		10

#define VFIO_TYPE	(';')
#define VFIO_BASE	100

/* Header of every capability in an INFO capability chain. */
struct vfio_info_cap_header {
	__u16	id;		/* capability ID, namespace per INFO ioctl */
	__u16	version;	/* version of this capability's layout */
	__u32	next;		/* offset of the next capability, 0 ends */
};

/* -------- Container file (/dev/vfio/vfio) -------- */

/* Returns VFIO_API_VERSION. */
#define VFIO_GET_API_VERSION		_IO(VFIO_TYPE, VFIO_BASE + 0)

/* Argument: extension number (by value). Returns > 0 if supported, 0 if not. */
#define VFIO_CHECK_EXTENSION		_IO(VFIO_TYPE, VFIO_BASE + 1)

/* Argument: IOMMU model (by value). Needs a group set on the container. */
#define VFIO_SET_IOMMU			_IO(VFIO_TYPE, VFIO_BASE + 2)

/* -------- Group file (/dev/vfio/$GROUP) -------- */

struct vfio_group_status {
	__u32	argsz;
	__u32	flags;
#define VFIO_GROUP_FLAGS_VIABLE		(1 << 0)	/* all devices usable */
#define VFIO_GROUP_FLAGS_CONTAINER_SET	(1 << 1)
};
#define VFIO_GROUP_GET_STATUS		_IO(VFIO_TYPE, VFIO_BASE + 3)

/* Argument: pointer to the container fd (__s32). */
#define VFIO_GROUP_SET_CONTAINER	_IO(VFIO_TYPE, VFIO_BASE + 4)

/* Leave the container; all device fds must be closed first. */
#define VFIO_GROUP_UNSET_CONTAINER	_IO(VFIO_TYPE, VFIO_BASE + 5)

/* Argument: device name string. Returns a new device fd. */
#define VFIO_GROUP_GET_DEVICE_FD	_IO(VFIO_TYPE, VFIO_BASE + 6)

/* -------- Device file (from a group or a cdev) -------- */

struct vfio_device_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_FLAGS_RESET	(1 << 0)	/* VFIO_DEVICE_RESET works */
#define VFIO_DEVICE_FLAGS_PCI	(1 << 1)
#define VFIO_DEVICE_FLAGS_PLATFORM (1 << 2)
#define VFIO_DEVICE_FLAGS_AMBA  (1 << 3)
#define VFIO_DEVICE_FLAGS_CCW	(1 << 4)
#define VFIO_DEVICE_FLAGS_AP	(1 << 5)
#define VFIO_DEVICE_FLAGS_FSL_MC (1 << 6)
#define VFIO_DEVICE_FLAGS_CAPS	(1 << 7)	/* cap_offset is valid */
#define VFIO_DEVICE_FLAGS_CDX	(1 << 8)
	__u32	num_regions;	/* highest region index + 1 */
	__u32	num_irqs;	/* highest IRQ index + 1 */
	__u32   cap_offset;
	__u32   pad;
};
#define VFIO_DEVICE_GET_INFO		_IO(VFIO_TYPE, VFIO_BASE + 7)

/* device_api strings of mediated device types, one per VFIO_DEVICE_FLAGS_*. */
#define VFIO_DEVICE_API_PCI_STRING		"vfio-pci"
#define VFIO_DEVICE_API_PLATFORM_STRING		"vfio-platform"
#define VFIO_DEVICE_API_AMBA_STRING		"vfio-amba"
#define VFIO_DEVICE_API_CCW_STRING		"vfio-ccw"
#define VFIO_DEVICE_API_AP_STRING		"vfio-ap"

/* Device info capabilities of s390 zPCI devices (layouts in vfio_zdev.h). */
#define VFIO_DEVICE_INFO_CAP_ZPCI_BASE		1
#define VFIO_DEVICE_INFO_CAP_ZPCI_GROUP		2
#define VFIO_DEVICE_INFO_CAP_ZPCI_UTIL		3
#define VFIO_DEVICE_INFO_CAP_ZPCI_PFIP		4

/* PCIe AtomicOp completion widths the root port supports for this device. */
#define VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP	5
struct vfio_device_info_cap_pci_atomic_comp {
	struct vfio_info_cap_header header;
	__u32 flags;
#define VFIO_PCI_ATOMIC_COMP32	(1 << 0)
#define VFIO_PCI_ATOMIC_COMP64	(1 << 1)
#define VFIO_PCI_ATOMIC_COMP128	(1 << 2)
	__u32 reserved;
};

/*
 * Describe region @index (MMIO, I/O port, config space...): its size and
 * its offset within the device fd for read/write/mmap. Size 0 means the
 * region is not implemented.
 */
struct vfio_region_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_REGION_INFO_FLAG_READ	(1 << 0)
#define VFIO_REGION_INFO_FLAG_WRITE	(1 << 1)
#define VFIO_REGION_INFO_FLAG_MMAP	(1 << 2)
#define VFIO_REGION_INFO_FLAG_CAPS	(1 << 3)	/* cap_offset is valid */
	__u32	index;
	__u32	cap_offset;
	__aligned_u64	size;	/* bytes */
	__aligned_u64	offset;	/* offset of the region in the device fd */
};
#define VFIO_DEVICE_GET_REGION_INFO	_IO(VFIO_TYPE, VFIO_BASE + 8)

/* Only these parts of the region may be mmapped (v1). */
#define VFIO_REGION_INFO_CAP_SPARSE_MMAP	1

struct vfio_region_sparse_mmap_area {
	__aligned_u64	offset;	/* within the region */
	__aligned_u64	size;
};

struct vfio_region_info_cap_sparse_mmap {
	struct vfio_info_cap_header header;
	__u32	nr_areas;
	__u32	reserved;
	struct vfio_region_sparse_mmap_area areas[];
};

/* Device-specific region, identified by (type, subtype) (v1). */
#define VFIO_REGION_INFO_CAP_TYPE	2

struct vfio_region_info_cap_type {
	struct vfio_info_cap_header header;
	__u32 type;	/* VFIO_REGION_TYPE_* */
	__u32 subtype;	/* meaning depends on type */
};

/* Region types. PCI vendor types: VENDOR_TYPE | PCI vendor ID. */
#define VFIO_REGION_TYPE_PCI_VENDOR_TYPE	(1 << 31)
#define VFIO_REGION_TYPE_PCI_VENDOR_MASK	(0xffff)
#define VFIO_REGION_TYPE_GFX                    (1)
#define VFIO_REGION_TYPE_CCW			(2)
#define VFIO_REGION_TYPE_MIGRATION_DEPRECATED   (3)

/* Intel (8086) subtypes. */
#define VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION	(1)
#define VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG	(2)
#define VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG	(3)

/* NVIDIA (10de) subtype; no longer provided. */
#define VFIO_REGION_SUBTYPE_NVIDIA_NVLINK2_RAM	(1)

/* IBM (1014) subtype; no longer provided. */
#define VFIO_REGION_SUBTYPE_IBM_NVLINK2_ATSD	(1)

/* VFIO_REGION_TYPE_GFX subtypes. */
#define VFIO_REGION_SUBTYPE_GFX_EDID            (1)

/*
 * Layout at the start of a GFX_EDID region, used by a VMM to give a virtual
 * monitor an EDID. To change it: link down, write blob and size, link up.
 */
struct vfio_region_gfx_edid {
	__u32 edid_offset;	/* ro: blob offset in the region */
	__u32 edid_max_size;	/* ro */
	__u32 edid_size;	/* rw */
	__u32 max_xres;		/* ro: 0 = no limit */
	__u32 max_yres;		/* ro: 0 = no limit */
	__u32 link_state;	/* rw */
#define VFIO_DEVICE_GFX_LINK_STATE_UP    1
#define VFIO_DEVICE_GFX_LINK_STATE_DOWN  2
};

/* VFIO_REGION_TYPE_CCW subtypes. */
#define VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD	(1)
#define VFIO_REGION_SUBTYPE_CCW_SCHIB		(2)
#define VFIO_REGION_SUBTYPE_CCW_CRW		(3)

/* Migration v1 region: removed from the kernel, layout kept for the ABI. */
#define VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED (1)

struct vfio_device_migration_info {
	__u32 device_state;
#define VFIO_DEVICE_STATE_V1_STOP      (0)
#define VFIO_DEVICE_STATE_V1_RUNNING   (1 << 0)
#define VFIO_DEVICE_STATE_V1_SAVING    (1 << 1)
#define VFIO_DEVICE_STATE_V1_RESUMING  (1 << 2)
#define VFIO_DEVICE_STATE_MASK      (VFIO_DEVICE_STATE_V1_RUNNING | \
				     VFIO_DEVICE_STATE_V1_SAVING |  \
				     VFIO_DEVICE_STATE_V1_RESUMING)

#define VFIO_DEVICE_STATE_VALID(state) \
	(state & VFIO_DEVICE_STATE_V1_RESUMING ? \
	(state & VFIO_DEVICE_STATE_MASK) == VFIO_DEVICE_STATE_V1_RESUMING : 1)

#define VFIO_DEVICE_STATE_IS_ERROR(state) \
	((state & VFIO_DEVICE_STATE_MASK) == (VFIO_DEVICE_STATE_V1_SAVING | \
					      VFIO_DEVICE_STATE_V1_RESUMING))

#define VFIO_DEVICE_STATE_SET_ERROR(state) \
	((state & ~VFIO_DEVICE_STATE_MASK) | VFIO_DEVICE_STATE_V1_SAVING | \
					     VFIO_DEVICE_STATE_V1_RESUMING)

	__u32 reserved;
	__aligned_u64 pending_bytes;
	__aligned_u64 data_offset;
	__aligned_u64 data_size;
};

/*
 * The MSI-X table of this BAR may be mmapped (to reach registers sharing
 * its page); MSI-X is still programmed only through VFIO_DEVICE_SET_IRQS.
 */
#define VFIO_REGION_INFO_CAP_MSIX_MAPPABLE	3

/* NVLink2 capabilities; no longer provided. */
#define VFIO_REGION_INFO_CAP_NVLINK2_SSATGT	4

struct vfio_region_info_cap_nvlink2_ssatgt {
	struct vfio_info_cap_header header;
	__aligned_u64 tgt;
};

#define VFIO_REGION_INFO_CAP_NVLINK2_LNKSPD	5

struct vfio_region_info_cap_nvlink2_lnkspd {
	struct vfio_info_cap_header header;
	__u32 link_speed;
	__u32 __pad;
};

/*
 * Describe IRQ @index: how many vectors it has and how they signal.
 * EVENTFD: can signal an eventfd. MASKABLE: supports MASK/UNMASK.
 * AUTOMASKED: masked after each trigger until unmasked (level-triggered).
 * NORESIZE: vectors are enabled as a set; adding one means disabling the
 * index first (PCI MSI). Without NORESIZE vectors come and go one by one.
 */
struct vfio_irq_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_IRQ_INFO_EVENTFD		(1 << 0)
#define VFIO_IRQ_INFO_MASKABLE		(1 << 1)
#define VFIO_IRQ_INFO_AUTOMASKED	(1 << 2)
#define VFIO_IRQ_INFO_NORESIZE		(1 << 3)
	__u32	index;
	__u32	count;		/* number of vectors */
};
#define VFIO_DEVICE_GET_IRQ_INFO	_IO(VFIO_TYPE, VFIO_BASE + 9)

/*
 * Apply one action to vectors [start, start + count) of IRQ @index.
 * The DATA flag says what data[] holds: NONE (act on all of them), BOOL
 * (one __u8 per vector: act where non-zero) or EVENTFD (one __s32 per
 * vector; -1 unassigns or skips). TRIGGER with EVENTFD wires interrupts to
 * eventfds; TRIGGER with NONE/BOOL fires them from userspace (loopback);
 * TRIGGER | DATA_NONE with count 0 disables the index. MASK/UNMASK act on
 * the user->kernel direction (irqfd style).
 */
struct vfio_irq_set {
	__u32	argsz;
	__u32	flags;
#define VFIO_IRQ_SET_DATA_NONE		(1 << 0)
#define VFIO_IRQ_SET_DATA_BOOL		(1 << 1)	/* __u8 per vector */
#define VFIO_IRQ_SET_DATA_EVENTFD	(1 << 2)	/* __s32 per vector */
#define VFIO_IRQ_SET_ACTION_MASK	(1 << 3)
#define VFIO_IRQ_SET_ACTION_UNMASK	(1 << 4)
#define VFIO_IRQ_SET_ACTION_TRIGGER	(1 << 5)
	__u32	index;
	__u32	start;
	__u32	count;
	__u8	data[];
};
#define VFIO_DEVICE_SET_IRQS		_IO(VFIO_TYPE, VFIO_BASE + 10)

#define VFIO_IRQ_SET_DATA_TYPE_MASK	(VFIO_IRQ_SET_DATA_NONE | \
					 VFIO_IRQ_SET_DATA_BOOL | \
					 VFIO_IRQ_SET_DATA_EVENTFD)
#define VFIO_IRQ_SET_ACTION_TYPE_MASK	(VFIO_IRQ_SET_ACTION_MASK | \
					 VFIO_IRQ_SET_ACTION_UNMASK | \
					 VFIO_IRQ_SET_ACTION_TRIGGER)

/* Reset the device (if VFIO_DEVICE_FLAGS_RESET). */
#define VFIO_DEVICE_RESET		_IO(VFIO_TYPE, VFIO_BASE + 11)

/* vfio-pci's fixed region indexes; >= VFIO_PCI_NUM_REGIONS are typed caps. */
enum {
	VFIO_PCI_BAR0_REGION_INDEX,
	VFIO_PCI_BAR1_REGION_INDEX,
	VFIO_PCI_BAR2_REGION_INDEX,
	VFIO_PCI_BAR3_REGION_INDEX,
	VFIO_PCI_BAR4_REGION_INDEX,
	VFIO_PCI_BAR5_REGION_INDEX,
	VFIO_PCI_ROM_REGION_INDEX,
	VFIO_PCI_CONFIG_REGION_INDEX,
	/*
	 * Legacy VGA: I/O ports 0x3b0-0x3bb and 0x3c0-0x3df and MMIO
	 * 0xa0000-0xbffff, each at its own address as offset in the region.
	 */
	VFIO_PCI_VGA_REGION_INDEX,
	VFIO_PCI_NUM_REGIONS = 9 /* fixed ABI */
};

/* vfio-pci's IRQ indexes. */
enum {
	VFIO_PCI_INTX_IRQ_INDEX,
	VFIO_PCI_MSI_IRQ_INDEX,
	VFIO_PCI_MSIX_IRQ_INDEX,
	VFIO_PCI_ERR_IRQ_INDEX,
	VFIO_PCI_REQ_IRQ_INDEX,
	VFIO_PCI_NUM_IRQS
};

/* vfio-ccw's region and IRQ indexes. */
enum {
	VFIO_CCW_CONFIG_REGION_INDEX,
	VFIO_CCW_NUM_REGIONS
};

enum {
	VFIO_CCW_IO_IRQ_INDEX,
	VFIO_CCW_CRW_IRQ_INDEX,
	VFIO_CCW_REQ_IRQ_INDEX,
	VFIO_CCW_NUM_IRQS
};

/* vfio-ap's IRQ indexes. */
enum {
	VFIO_AP_REQ_IRQ_INDEX,
	VFIO_AP_CFG_CHG_IRQ_INDEX,
	VFIO_AP_NUM_IRQS
};

/*
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO lists the devices a hot reset of this
 * device would also reset. A group-opened device reports group_id for each;
 * a cdev-opened device sets VFIO_PCI_HOT_RESET_FLAG_DEV_ID and reports
 * devid: the device's iommufd device ID when bound to the same iommufd,
 * VFIO_PCI_DEVID_OWNED when owned implicitly (same IOMMU group as an opened
 * device), VFIO_PCI_DEVID_NOT_OWNED otherwise. DEV_ID_OWNED says the caller
 * owns all of them and may reset with an empty fd array. ENOSPC: buffer
 * too small; ENODEV: no hot reset for this device.
 */
struct vfio_pci_dependent_device {
	union {
		__u32   group_id;
		__u32	devid;
#define VFIO_PCI_DEVID_OWNED		0
#define VFIO_PCI_DEVID_NOT_OWNED	-1
	};
	__u16	segment;
	__u8	bus;
	__u8	devfn;
};

struct vfio_pci_hot_reset_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID		(1 << 0)
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED	(1 << 1)
	__u32	count;
	struct vfio_pci_dependent_device	devices[];
};

#define VFIO_DEVICE_GET_PCI_HOT_RESET_INFO	_IO(VFIO_TYPE, VFIO_BASE + 12)

/*
 * Bus or slot reset of every affected device. Group-opened devices prove
 * ownership with the group fds of all affected groups; cdev-opened devices
 * pass an empty array and ownership comes from the iommufd. Mixing the two
 * across the affected set is not supported.
 */
struct vfio_pci_hot_reset {
	__u32	argsz;
	__u32	flags;
	__u32	count;
	__s32	group_fds[];
};

#define VFIO_DEVICE_PCI_HOT_RESET	_IO(VFIO_TYPE, VFIO_BASE + 13)

/*
 * Query a mediated GPU's plane. PROBE with DMABUF or REGION asks whether
 * that export method is supported (0 yes, EINVAL no); DMABUF or REGION
 * alone returns the plane. A disabled plane reads back zeroed; x_hot/y_hot
 * are 0xffffffff without a hotspot.
 */
struct vfio_device_gfx_plane_info {
	__u32 argsz;
	__u32 flags;
#define VFIO_GFX_PLANE_TYPE_PROBE (1 << 0)
#define VFIO_GFX_PLANE_TYPE_DMABUF (1 << 1)
#define VFIO_GFX_PLANE_TYPE_REGION (1 << 2)
	/* in */
	__u32 drm_plane_type;	/* DRM_PLANE_TYPE_* */
	/* out */
	__u32 drm_format;
	__aligned_u64 drm_format_mod;
	__u32 width;
	__u32 height;
	__u32 stride;
	__u32 size;	/* bytes, page aligned */
	__u32 x_pos;	/* cursor plane position */
	__u32 y_pos;
	__u32 x_hot;	/* cursor hotspot */
	__u32 y_hot;
	union {
		__u32 region_index;
		__u32 dmabuf_id;
	};
	__u32 reserved;
};

#define VFIO_DEVICE_QUERY_GFX_PLANE _IO(VFIO_TYPE, VFIO_BASE + 14)

/* Argument: dmabuf_id from QUERY_GFX_PLANE (__u32). Returns a dma-buf fd. */
#define VFIO_DEVICE_GET_GFX_DMABUF _IO(VFIO_TYPE, VFIO_BASE + 15)

/*
 * When eventfd @fd fires, write @data of the given width at device fd
 * offset @offset, in the kernel. @fd -1 removes the ioeventfd. Support is
 * driver specific (vfio-pci: BARs except the MSI-X table).
 */
struct vfio_device_ioeventfd {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_IOEVENTFD_8		(1 << 0)
#define VFIO_DEVICE_IOEVENTFD_16	(1 << 1)
#define VFIO_DEVICE_IOEVENTFD_32	(1 << 2)
#define VFIO_DEVICE_IOEVENTFD_64	(1 << 3)
#define VFIO_DEVICE_IOEVENTFD_SIZE_MASK	(0xf)
	__aligned_u64	offset;
	__aligned_u64	data;
	__s32	fd;
	__u32	reserved;
};

#define VFIO_DEVICE_IOEVENTFD		_IO(VFIO_TYPE, VFIO_BASE + 16)

/*
 * Get, set or probe device feature (flags & VFIO_DEVICE_FEATURE_MASK).
 * PROBE, optionally with GET and/or SET, succeeds if the feature and those
 * directions are supported and needs no data. Otherwise exactly one of GET
 * or SET; data[] is the feature's own struct.
 */
struct vfio_device_feature {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_FEATURE_MASK	(0xffff)
#define VFIO_DEVICE_FEATURE_GET		(1 << 16)
#define VFIO_DEVICE_FEATURE_SET		(1 << 17)
#define VFIO_DEVICE_FEATURE_PROBE	(1 << 18)
	__u8	data[];
};

#define VFIO_DEVICE_FEATURE		_IO(VFIO_TYPE, VFIO_BASE + 17)

/*
 * VFIO_DEVICE_BIND_IOMMUFD: bind a cdev-opened device to iommufd @iommufd.
 * Until bound, the device fd accepts nothing else; closing it unbinds.
 * @flags is 0 or VFIO_DEVICE_BIND_FLAG_TOKEN. Returns in @out_devid the
 * device's ID in that iommufd, used by iommufd ioctls (dev_id fields).
 *
 * @token_uuid_ptr (read only with VFIO_DEVICE_BIND_FLAG_TOKEN) points to a
 * 16-byte UUID, the same bytes as VFIO_DEVICE_FEATURE_PCI_VF_TOKEN takes: the
 * token an SR-IOV VF must present to be bound while its PF is a vfio-pci
 * device, or that a PF with VFs in use must match. Setting the flag for a
 * device that has no token to check is -EINVAL. @argsz may stop after
 * @out_devid (16 bytes, before the field existed).
 */
struct vfio_device_bind_iommufd {
	__u32		argsz;
	__u32		flags;
#define VFIO_DEVICE_BIND_FLAG_TOKEN	(1 << 0)
	__s32		iommufd;
	__u32		out_devid;
	__aligned_u64	token_uuid_ptr;
};

#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT: attach a bound cdev device, or with
 * VFIO_DEVICE_ATTACH_PASID one of its PASIDs (@pasid), to IOAS or HWPT
 * @pt_id. Attaching while attached replaces the page table. On return
 * @pt_id holds the IOAS ID given, or the HWPT actually attached (possibly
 * one created automatically for an IOAS). Undone by DETACH or close.
 */
struct vfio_device_attach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_ATTACH_PASID	(1 << 0)
	__u32	pt_id;
	__u32	pasid;
};

#define VFIO_DEVICE_ATTACH_IOMMUFD_PT		_IO(VFIO_TYPE, VFIO_BASE + 19)

/*
 * VFIO_DEVICE_DETACH_IOMMUFD_PT: detach the device, or with
 * VFIO_DEVICE_DETACH_PASID its @pasid, leaving it blocked from DMA.
 */
struct vfio_device_detach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_DETACH_PASID	(1 << 0)
	__u32	pasid;
};

#define VFIO_DEVICE_DETACH_IOMMUFD_PT		_IO(VFIO_TYPE, VFIO_BASE + 20)

/*
 * SET the 16-byte UUID shared between an SR-IOV PF and its VFs' drivers.
 * Only on a PF with SR-IOV enabled and no VF open.
 */
#define VFIO_DEVICE_FEATURE_PCI_VF_TOKEN	(0)

/*
 * GET: the device supports migration (RUNNING and ERROR always; the flags
 * say which more states; STOP_COPY is mandatory and brings STOP,
 * STOP_COPY and RESUMING; P2P adds RUNNING_P2P; PRE_COPY adds PRE_COPY,
 * and with P2P also PRE_COPY_P2P).
 */
struct vfio_device_feature_migration {
	__aligned_u64 flags;
#define VFIO_MIGRATION_STOP_COPY	(1 << 0)
#define VFIO_MIGRATION_P2P		(1 << 1)
#define VFIO_MIGRATION_PRE_COPY		(1 << 2)
};
#define VFIO_DEVICE_FEATURE_MIGRATION 1

/*
 * SET: move the device to @device_state (enum vfio_device_mig_state),
 * completing before return. Entering a state that starts a data transfer
 * session returns its fd in @data_fd (caller closes it; the stream is
 * opaque, byte order must be kept). GET: current state, @data_fd -1. On
 * failure the device may be in the old state, some state on the way, or
 * ERROR (only VFIO_DEVICE_RESET leaves ERROR).
 */
struct vfio_device_feature_mig_state {
	__u32 device_state;
	__s32 data_fd;
};
#define VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE 2

/*
 * Migration state machine. RUNNING: normal. STOP: no DMA, interrupts or
 * state change. STOP_COPY: stopped, state streamed out on the data fd.
 * RESUMING: stopped, state streamed in. RUNNING_P2P / PRE_COPY_P2P: like
 * RUNNING / PRE_COPY but no new peer-to-peer DMA. PRE_COPY: running while
 * state is streamed out. ERROR: failed, reset required; never requested.
 * PRE_COPY, PRE_COPY_P2P and STOP_COPY share one session fd. Requests that
 * are not a direct arc are executed as the shortest path of arcs that does
 * not pass through a saving state; STOP_COPY -> PRE_COPY(_P2P) is refused.
 */
enum vfio_device_mig_state {
	VFIO_DEVICE_STATE_ERROR = 0,
	VFIO_DEVICE_STATE_STOP = 1,
	VFIO_DEVICE_STATE_RUNNING = 2,
	VFIO_DEVICE_STATE_STOP_COPY = 3,
	VFIO_DEVICE_STATE_RESUMING = 4,
	VFIO_DEVICE_STATE_RUNNING_P2P = 5,
	VFIO_DEVICE_STATE_PRE_COPY = 6,
	VFIO_DEVICE_STATE_PRE_COPY_P2P = 7,
	VFIO_DEVICE_STATE_NR,
};

/*
 * VFIO_MIG_GET_PRECOPY_INFO, on the data fd in PRE_COPY states only
 * (EINVAL otherwise): estimates of the initial data still to read and of
 * the state dirtied since. Both zero is a temporary end of stream (read()
 * fails with ENOMSG). With VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 enabled,
 * VFIO_PRECOPY_INFO_REINIT reports that new initial data appeared and
 * initial_bytes restarted; without it @flags is reserved.
 */
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
#define VFIO_PRECOPY_INFO_REINIT (1 << 0)	/* out */
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};

#define VFIO_MIG_GET_PRECOPY_INFO _IO(VFIO_TYPE, VFIO_BASE + 21)

/*
 * SET: allow runtime low-power entry. Any access wakes the device and it may
 * sleep again; mmap access is disabled until LOW_POWER_EXIT.
 */
#define VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY 3

/*
 * SET: as LOW_POWER_ENTRY, but a wake-up signals @wakeup_eventfd and the
 * device stays awake until low power is requested again.
 */
struct vfio_device_low_power_entry_with_wakeup {
	__s32 wakeup_eventfd;
	__u32 reserved;
};

#define VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP 4

/* SET: forbid low-power states again (may signal the wake-up eventfd). */
#define VFIO_DEVICE_FEATURE_LOW_POWER_EXIT 5

/*
 * SET: start device-side logging of DMA writes within @ranges (user
 * pointer to @num_ranges struct vfio_device_feature_dma_logging_range),
 * at about @page_size granularity (returned: the size chosen). One start,
 * then one stop. At least a page worth of ranges is always accepted.
 */
struct vfio_device_feature_dma_logging_control {
	__aligned_u64 page_size;
	__u32 num_ranges;
	__u32 __reserved;
	__aligned_u64 ranges;
};

struct vfio_device_feature_dma_logging_range {
	__aligned_u64 iova;
	__aligned_u64 length;
};

#define VFIO_DEVICE_FEATURE_DMA_LOGGING_START 6

/* SET: stop the logging started by DMA_LOGGING_START. */
#define VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP 7

/*
 * GET: read and clear the DMA log of [@iova, @iova + @length) into the user
 * bitmap @bitmap (__u64 words, one bit per @page_size, any power of two).
 * Bits are only set, never cleared. On error assume everything dirty.
 */
struct vfio_device_feature_dma_logging_report {
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 bitmap;
};

#define VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT 8

/* GET: estimated bytes STOP_COPY will stream; valid in any state. */
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};

#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9

/*
 * SET: enable or disable bus mastering for devices with no in-band way to
 * do it (CDX; not PCI, which uses config space).
 */
struct vfio_device_feature_bus_master {
	__u32 op;
#define		VFIO_DEVICE_FEATURE_CLEAR_MASTER	0
#define		VFIO_DEVICE_FEATURE_SET_MASTER		1
};
#define VFIO_DEVICE_FEATURE_BUS_MASTER 10

/*
 * GET: export @nr_ranges slices of region @region_index as one dma-buf;
 * returns its fd, opened with @open_flags (O_RDWR, O_CLOEXEC...). @flags
 * must be 0.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF 11

struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32	region_index;
	__u32	open_flags;
	__u32   flags;
	__u32   nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};

/* SET: opt in to VFIO_PRECOPY_INFO_REINIT reporting. */
#define VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2  12

/* -------- Type1 IOMMU (container, also served by iommufd) -------- */

struct vfio_iommu_type1_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_IOMMU_INFO_PGSIZES (1 << 0)	/* iova_pgsizes is valid */
#define VFIO_IOMMU_INFO_CAPS	(1 << 1)	/* cap_offset is valid */
	__aligned_u64	iova_pgsizes;	/* bitmap of supported page sizes */
	__u32   cap_offset;
	__u32   pad;
};

/* Usable IOVA ranges, reserved regions excluded; maps outside fail (v1). */
#define VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE  1

struct vfio_iova_range {
	__u64	start;
	__u64	end;	/* inclusive */
};

struct vfio_iommu_type1_info_cap_iova_range {
	struct	vfio_info_cap_header header;
	__u32	nr_iovas;
	__u32	reserved;
	struct	vfio_iova_range iova_ranges[];
};

/*
 * Dirty page logging is supported: page sizes it can report at, and the
 * largest bitmap (bytes) one request may ask for (v1).
 */
#define VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION  2

struct vfio_iommu_type1_info_cap_migration {
	struct	vfio_info_cap_header header;
	__u32	flags;
	__u64	pgsize_bitmap;
	__u64	max_dirty_bitmap_size;
};

/* How many more DMA mappings may be created right now (v1). */
#define VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL 3

struct vfio_iommu_type1_info_dma_avail {
	struct	vfio_info_cap_header header;
	__u32	avail;
};

#define VFIO_IOMMU_GET_INFO _IO(VFIO_TYPE, VFIO_BASE + 12)

/*
 * Map [@vaddr, @vaddr + @size) of the process at @iova; READ and/or WRITE
 * required. With VFIO_DMA_MAP_FLAG_VADDR instead: give a new @vaddr to a
 * mapping whose vaddr was invalidated (same iova and size, same memory
 * object; READ/WRITE must be 0).
 */
struct vfio_iommu_type1_dma_map {
	__u32	argsz;
	__u32	flags;
#define VFIO_DMA_MAP_FLAG_READ (1 << 0)		/* device may read */
#define VFIO_DMA_MAP_FLAG_WRITE (1 << 1)	/* device may write */
#define VFIO_DMA_MAP_FLAG_VADDR (1 << 2)
	__u64	vaddr;
	__u64	iova;
	__u64	size;
};

#define VFIO_IOMMU_MAP_DMA _IO(VFIO_TYPE, VFIO_BASE + 13)

struct vfio_bitmap {
	__u64        pgsize;	/* bytes per bit */
	__u64        size;	/* bitmap size in bytes */
	__u64        *data;	/* user memory, zeroed by the caller */
};

/*
 * Unmap [@iova, @iova + @size); @size returns the bytes unmapped. Splitting
 * a mapping may fail. GET_DIRTY_BITMAP: data[] holds a struct vfio_bitmap
 * that receives the dirty pages of the unmapped range first. ALL: unmap
 * everything (iova and size 0). VADDR: keep the mappings, invalidate their
 * vaddr (see MAP_DMA). Neither ALL nor VADDR combines with GET_DIRTY_BITMAP.
 */
struct vfio_iommu_type1_dma_unmap {
	__u32	argsz;
	__u32	flags;
#define VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP (1 << 0)
#define VFIO_DMA_UNMAP_FLAG_ALL		     (1 << 1)
#define VFIO_DMA_UNMAP_FLAG_VADDR	     (1 << 2)
	__u64	iova;
	__u64	size;
	__u8    data[];
};

#define VFIO_IOMMU_UNMAP_DMA _IO(VFIO_TYPE, VFIO_BASE + 14)

/* Enable/disable the container's IOMMU (SPAPR); no argument. */
#define VFIO_IOMMU_ENABLE	_IO(VFIO_TYPE, VFIO_BASE + 15)
#define VFIO_IOMMU_DISABLE	_IO(VFIO_TYPE, VFIO_BASE + 16)

/*
 * Container dirty page logging: exactly one of START, STOP or GET_BITMAP.
 * GET_BITMAP: data[] holds a struct vfio_iommu_type1_dirty_bitmap_get for
 * the range, at the smallest supported page size; argsz counts that struct
 * but not the bitmap. Fails if logging is off.
 */
struct vfio_iommu_type1_dirty_bitmap {
	__u32        argsz;
	__u32        flags;
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_START	(1 << 0)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP	(1 << 1)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP	(1 << 2)
	__u8         data[];
};

struct vfio_iommu_type1_dirty_bitmap_get {
	__u64              iova;
	__u64              size;
	struct vfio_bitmap bitmap;
};

#define VFIO_IOMMU_DIRTY_PAGES             _IO(VFIO_TYPE, VFIO_BASE + 17)

/* -------- SPAPR TCE IOMMU (POWER) -------- */

/* Dynamic DMA window capability. */
struct vfio_iommu_spapr_tce_ddw_info {
	__u64 pgsizes;			/* supported page sizes */
	__u32 max_dynamic_windows_supported;
	__u32 levels;			/* max TCE table levels */
};

/*
 * The 32-bit DMA window, in PCI bus addresses (IOVAs are bus addresses too:
 * the window filters, it does not offset).
 */
struct vfio_iommu_spapr_tce_info {
	__u32 argsz;
	__u32 flags;
#define VFIO_IOMMU_SPAPR_INFO_DDW	(1 << 0)	/* ddw is valid */
	__u32 dma32_window_start;
	__u32 dma32_window_size;
	struct vfio_iommu_spapr_tce_ddw_info ddw;
};

#define VFIO_IOMMU_SPAPR_TCE_GET_INFO	_IO(VFIO_TYPE, VFIO_BASE + 12)

/* EEH operations on a partitionable endpoint. */
struct vfio_eeh_pe_err {
	__u32 type;
	__u32 func;
	__u64 addr;
	__u64 mask;
};

struct vfio_eeh_pe_op {
	__u32 argsz;
	__u32 flags;
	__u32 op;
	union {
		struct vfio_eeh_pe_err err;
	};
};

#define VFIO_EEH_PE_DISABLE		0
#define VFIO_EEH_PE_ENABLE		1
#define VFIO_EEH_PE_UNFREEZE_IO		2
#define VFIO_EEH_PE_UNFREEZE_DMA	3
#define VFIO_EEH_PE_GET_STATE		4
#define  VFIO_EEH_PE_STATE_NORMAL	0
#define  VFIO_EEH_PE_STATE_RESET	1
#define  VFIO_EEH_PE_STATE_STOPPED	2
#define  VFIO_EEH_PE_STATE_STOPPED_DMA	4
#define  VFIO_EEH_PE_STATE_UNAVAIL	5
#define VFIO_EEH_PE_RESET_DEACTIVATE	5
#define VFIO_EEH_PE_RESET_HOT		6
#define VFIO_EEH_PE_RESET_FUNDAMENTAL	7
#define VFIO_EEH_PE_CONFIGURE		8
#define VFIO_EEH_PE_INJECT_ERR		9

#define VFIO_EEH_PE_OP			_IO(VFIO_TYPE, VFIO_BASE + 21)

/*
 * Pre-register (pin and account) memory so later MAP/UNMAP_DMA are cheap;
 * UNREGISTER takes the same struct.
 */
struct vfio_iommu_spapr_register_memory {
	__u32	argsz;
	__u32	flags;
	__u64	vaddr;
	__u64	size;
};
#define VFIO_IOMMU_SPAPR_REGISTER_MEMORY	_IO(VFIO_TYPE, VFIO_BASE + 17)

#define VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY	_IO(VFIO_TYPE, VFIO_BASE + 18)

/* Create a DMA window in every group of the container; returns its address. */
struct vfio_iommu_spapr_tce_create {
	__u32 argsz;
	__u32 flags;
	/* in */
	__u32 page_shift;
	__u32 __resv1;
	__u64 window_size;
	__u32 levels;
	__u32 __resv2;
	/* out */
	__u64 start_addr;
};
#define VFIO_IOMMU_SPAPR_TCE_CREATE	_IO(VFIO_TYPE, VFIO_BASE + 19)

/* Remove the DMA window starting at @start_addr. */
struct vfio_iommu_spapr_tce_remove {
	__u32 argsz;
	__u32 flags;
	/* in */
	__u64 start_addr;
};
#define VFIO_IOMMU_SPAPR_TCE_REMOVE	_IO(VFIO_TYPE, VFIO_BASE + 20)

#endif /* _UAPIVFIO_H */
