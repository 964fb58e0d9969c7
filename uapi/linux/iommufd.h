/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iommufd user API: the ioctls of /dev/iommu.
 *
 * ABI-identical to upstream include/uapi/linux/iommufd.h (ioctls 0x80 to
 * 0x94, up to IOMMU_HW_QUEUE_ALLOC and IOMMU_HW_INFO_TYPE_AMD): same names,
 * types, member order, sizes and numbers, checked row by row against
 * uapi/abi/iommufd-abi.tsv by selftests/abi. The comments are this
 * project's own. The include guard is upstream's source-tree guard, and the
 * guard `make headers_install` turns it into is honoured and set too, so a
 * program that meets this file and either upstream copy, in any order, gets
 * one set of definitions.
 *
 * Conventions shared by every ioctl here:
 *  - The argument is a pointer to a struct whose first __u32 is @size, the
 *    number of bytes the caller passes. A shorter struct than the kernel
 *    knows is accepted as long as it covers the mandatory fields; bytes the
 *    kernel does not know about must be zero.
 *  - Fields named __reserved must be zero on input.
 *  - Errors: ENOTTY unknown ioctl number; E2BIG non-zero bytes past what
 *    the kernel understands; EOPNOTSUPP a known field holds a value this
 *    kernel does not implement; EINVAL a value is wrong; ENOENT an object
 *    ID or IOVA does not exist; ENOMEM out of memory; EOVERFLOW arithmetic
 *    on user values overflowed. Individual ioctls add their own.
 *  - Every object (IOAS, HWPT, device, fault queue, vIOMMU, ...) is named by
 *    a __u32 ID unique within one open /dev/iommu file.
 */
#if !defined(_UAPI_IOMMUFD_H) && !defined(_IOMMUFD_H)
#define _UAPI_IOMMUFD_H
#define _IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOMMUFD_TYPE (';')

/* ioctl numbers; IOMMU_* below are _IO(IOMMUFD_TYPE, IOMMUFD_CMD_*). */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
};

/**
 * struct iommu_destroy - ioctl(IOMMU_DESTROY)
 * @size: sizeof(struct iommu_destroy)
 * @id: ID of the object to destroy; any destroyable object type
 *
 * Fails with EBUSY while another object still depends on this one.
 */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/**
 * struct iommu_ioas_alloc - ioctl(IOMMU_IOAS_ALLOC)
 * @size: sizeof(struct iommu_ioas_alloc)
 * @flags: must be 0
 * @out_ioas_id: returns the ID of the new IOAS
 *
 * Creates an I/O address space: a table of IOVA ranges mapped to user
 * memory, which devices and hardware page tables can then be attached to.
 */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/**
 * struct iommu_iova_range - one closed IOVA interval
 * @start: first IOVA of the interval
 * @last: last IOVA of the interval, inclusive
 */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/**
 * struct iommu_ioas_iova_ranges - ioctl(IOMMU_IOAS_IOVA_RANGES)
 * @size: sizeof(struct iommu_ioas_iova_ranges)
 * @ioas_id: IOAS to query
 * @num_iovas: in: capacity of @allowed_iovas in entries; out: how many
 *             ranges the IOAS has
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 * @out_iova_alignment: returns the alignment every MAP/COPY IOVA and length
 *                      must respect; 1 means none, never above PAGE_SIZE
 *
 * Reports the IOVA ranges that may currently be mapped. The set shrinks as
 * devices with narrower apertures or reserved regions are attached and can
 * grow again on detach, so callers re-query after attach/detach. If the
 * array is too small, the call fails with EMSGSIZE and @num_iovas holds the
 * number needed.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/**
 * struct iommu_ioas_allow_iovas - ioctl(IOMMU_IOAS_ALLOW_IOVAS)
 * @size: sizeof(struct iommu_ioas_allow_iovas)
 * @ioas_id: IOAS to constrain
 * @num_iovas: number of entries in @allowed_iovas
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 *
 * Replaces the IOAS's list of guaranteed IOVA ranges. Once set, the usable
 * IOVA space may never shrink below these ranges: attaching a device that
 * would reserve part of them fails instead, and the call itself fails if
 * the ranges are already unusable. Automatic IOVA allocation by MAP stays
 * inside these ranges when any are given.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/**
 * enum iommufd_ioas_map_flags - flags of MAP, MAP_FILE and COPY
 * @IOMMU_IOAS_MAP_FIXED_IOVA: the caller chooses the IOVA; otherwise the
 *                             kernel picks one and returns it
 * @IOMMU_IOAS_MAP_WRITEABLE: devices may write through the mapping
 * @IOMMU_IOAS_MAP_READABLE: devices may read through the mapping
 */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/**
 * struct iommu_ioas_map - ioctl(IOMMU_IOAS_MAP)
 * @size: sizeof(struct iommu_ioas_map)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @ioas_id: IOAS to add the mapping to
 * @__reserved: must be 0
 * @user_va: start of the user memory to map
 * @length: number of bytes to map
 * @iova: in with IOMMU_IOAS_MAP_FIXED_IOVA: where to map; out otherwise:
 *        where the kernel placed the mapping
 *
 * Pins the user memory and maps it at an IOVA. A fixed IOVA range must be
 * entirely unmapped; existing mappings are never replaced.
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/**
 * struct iommu_ioas_map_file - ioctl(IOMMU_IOAS_MAP_FILE)
 * @size: sizeof(struct iommu_ioas_map_file)
 * @flags: as for struct iommu_ioas_map
 * @ioas_id: as for struct iommu_ioas_map
 * @fd: the file to map (a memfd, or a dma-buf where supported)
 * @start: byte offset in the file where the mapping begins
 * @length: as for struct iommu_ioas_map
 * @iova: as for struct iommu_ioas_map
 *
 * Like IOMMU_IOAS_MAP, with the memory named by a file and offset instead
 * of a user virtual address.
 */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/**
 * struct iommu_ioas_copy - ioctl(IOMMU_IOAS_COPY)
 * @size: sizeof(struct iommu_ioas_copy)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @dst_ioas_id: IOAS that receives the new mapping
 * @src_ioas_id: IOAS the memory is already mapped in
 * @length: number of bytes to copy
 * @dst_iova: as @iova of struct iommu_ioas_map, in the destination
 * @src_iova: start of the source range
 *
 * Maps in @dst_ioas_id the same pages that [@src_iova, @src_iova + @length)
 * maps in @src_ioas_id, sharing the pin instead of pinning again. The
 * source range must match one made by MAP/MAP_FILE/COPY exactly.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/**
 * struct iommu_ioas_unmap - ioctl(IOMMU_IOAS_UNMAP)
 * @size: sizeof(struct iommu_ioas_unmap)
 * @ioas_id: IOAS to remove mappings from
 * @iova: first IOVA to unmap
 * @length: in: bytes to unmap; out: bytes actually unmapped
 *
 * Removes every mapping inside the range. Mappings cannot be split: the
 * range must cover whole mappings. iova 0 with length U64_MAX empties the
 * IOAS.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/**
 * enum iommufd_option - option IDs for IOMMU_OPTION
 * @IOMMU_OPTION_RLIMIT_MODE: global (object_id 0), needs privilege to set.
 *                            0: pinned pages count against the user's
 *                            RLIMIT_MEMLOCK (default); 1: against the
 *                            process's
 * @IOMMU_OPTION_HUGE_PAGES: per IOAS (object_id is the IOAS). 1 (default)
 *                           lets contiguous pages be mapped as large IOPTEs;
 *                           0 maps everything at PAGE_SIZE
 */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,
	IOMMU_OPTION_HUGE_PAGES = 1,
};

/**
 * enum iommufd_option_ops - what IOMMU_OPTION does with the value
 * @IOMMU_OPTION_OP_SET: store @val64 into the option
 * @IOMMU_OPTION_OP_GET: return the option's value in @val64
 */
enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/**
 * struct iommu_option - ioctl(IOMMU_OPTION)
 * @size: sizeof(struct iommu_option)
 * @option_id: one of enum iommufd_option
 * @op: one of enum iommufd_option_ops
 * @__reserved: must be 0
 * @object_id: object the option applies to, 0 for global options
 * @val64: value to set, or the value read back
 */
struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/**
 * enum iommufd_vfio_ioas_op - operations of IOMMU_VFIO_IOAS
 * @IOMMU_VFIO_IOAS_GET: return the IOAS used by the VFIO compatibility layer
 * @IOMMU_VFIO_IOAS_SET: make @ioas_id the compatibility IOAS
 * @IOMMU_VFIO_IOAS_CLEAR: forget the compatibility IOAS
 */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/**
 * struct iommu_vfio_ioas - ioctl(IOMMU_VFIO_IOAS)
 * @size: sizeof(struct iommu_vfio_ioas)
 * @ioas_id: in for SET, out for GET
 * @op: one of enum iommufd_vfio_ioas_op
 * @__reserved: must be 0
 *
 * The VFIO type1 API has no IOAS IDs, so an iommufd used as a VFIO
 * container works on one compatibility IOAS: the one SET here, or one
 * created automatically on first use. SET and CLEAR never destroy an
 * automatically created IOAS.
 */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/**
 * enum iommufd_hwpt_alloc_flags - flags of IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_ALLOC_NEST_PARENT: the HWPT may later serve as the stage-2
 *                                parent of nested HWPTs or a vIOMMU
 * @IOMMU_HWPT_ALLOC_DIRTY_TRACKING: the HWPT must support dirty tracking;
 *                                   attaching a device whose IOMMU cannot
 *                                   track dirty pages fails
 * @IOMMU_HWPT_FAULT_ID_VALID: @fault_id is valid: I/O page faults of this
 *                             HWPT are reported to that fault queue
 * @IOMMU_HWPT_ALLOC_PASID: the domain may be attached to PASIDs. Once any
 *                          PASID of a device is attached, the domain on the
 *                          device's RID must carry this flag too. EOPNOTSUPP
 *                          if the IOMMU has no PASID support
 */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

/**
 * enum iommu_hwpt_vtd_s1_flags - attributes of an Intel VT-d stage-1 table
 * @IOMMU_VTD_S1_SRE: supervisor requests allowed
 * @IOMMU_VTD_S1_EAFE: extended access flag enabled
 * @IOMMU_VTD_S1_WPE: write protect enabled
 */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE = 1 << 2,
};

/**
 * struct iommu_hwpt_vtd_s1 - Intel VT-d guest stage-1 table
 *                            (IOMMU_HWPT_DATA_VTD_S1)
 * @flags: combination of enum iommu_hwpt_vtd_s1_flags
 * @pgtbl_addr: guest physical address of the stage-1 page table root
 * @addr_width: input address width of the stage-1 table
 * @__reserved: must be 0
 */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/**
 * struct iommu_hwpt_arm_smmuv3 - ARM SMMUv3 guest STE
 *                                (IOMMU_HWPT_DATA_ARM_SMMUV3)
 * @ste: the first two 64-bit words of the guest's Stream Table Entry,
 *       little-endian. Only V, Cfg, S1Fmt, S1ContextPtr and S1CDMax
 *       (word 0) and EATS, S1DSS, S1CIR, S1COR, S1CSH and S1STALLD (word 1)
 *       may be set; anything else is rejected with EIO.
 *
 * Cfg picks abort, bypass (translate by the nesting parent alone) or a
 * stage-1 Context Descriptor table in guest memory, itself translated by the
 * nesting parent.
 */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

/**
 * struct iommu_hwpt_amd_guest - AMD IOMMU guest Device Table Entry
 *                               (IOMMU_HWPT_DATA_AMD_GUEST)
 * @dte: the guest's 256-bit DTE describing its stage-1 (GCR3) table
 */
struct iommu_hwpt_amd_guest {
	__aligned_u64 dte[4];
};

/**
 * enum iommu_hwpt_data_type - format of IOMMU_HWPT_ALLOC's driver data
 * @IOMMU_HWPT_DATA_NONE: no data: a kernel-managed (paging) HWPT
 * @IOMMU_HWPT_DATA_VTD_S1: struct iommu_hwpt_vtd_s1
 * @IOMMU_HWPT_DATA_ARM_SMMUV3: struct iommu_hwpt_arm_smmuv3
 * @IOMMU_HWPT_DATA_AMD_GUEST: struct iommu_hwpt_amd_guest
 */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
	IOMMU_HWPT_DATA_AMD_GUEST = 3,
};

/**
 * struct iommu_hwpt_alloc - ioctl(IOMMU_HWPT_ALLOC)
 * @size: sizeof(struct iommu_hwpt_alloc)
 * @flags: combination of enum iommufd_hwpt_alloc_flags
 * @dev_id: device the HWPT is allocated for; it selects the IOMMU instance
 * @pt_id: IOAS, parent HWPT or vIOMMU the new HWPT hangs off
 * @out_hwpt_id: returns the ID of the new HWPT
 * @__reserved: must be 0
 * @data_type: one of enum iommu_hwpt_data_type
 * @data_len: length of the data at @data_uptr
 * @data_uptr: user pointer to the driver-specific data
 * @fault_id: fault queue object, used only with IOMMU_HWPT_FAULT_ID_VALID
 * @__reserved2: must be 0
 *
 * Allocates a hardware page table (an iommu_domain of the IOMMU behind
 * @dev_id) without attaching it.
 *
 * With @pt_id an IOAS and IOMMU_HWPT_DATA_NONE, the kernel owns the page
 * table and fills it from the IOAS's mappings. With @pt_id a nesting parent
 * HWPT or a vIOMMU and a vendor @data_type, the result is a nested HWPT
 * whose stage 1 is a table the user owns, translated through the parent.
 * @data_len and @data_uptr must both be zero for IOMMU_HWPT_DATA_NONE and
 * both be set otherwise.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/**
 * enum iommu_hw_info_vtd_flags - flags of struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: the hardware has Intel erratum
 *     772415 (SPR17): read-only mappings are not allowed in a nesting parent
 */
enum iommu_hw_info_vtd_flags {
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/**
 * struct iommu_hw_info_vtd - Intel VT-d hardware information
 *                            (IOMMU_HW_INFO_TYPE_INTEL_VTD)
 * @flags: combination of enum iommu_hw_info_vtd_flags
 * @__reserved: 0
 * @cap_reg: the Capability Register (VT-d spec 11.4.2)
 * @ecap_reg: the Extended Capability Register (VT-d spec 11.4.3)
 */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

/**
 * struct iommu_hw_info_arm_smmuv3 - ARM SMMUv3 hardware information
 *                                   (IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
 * @flags: 0
 * @__reserved: 0
 * @idr: SMMU_IDR0..SMMU_IDR5 (SMMUv3 spec 6.3.1 to 6.3.6)
 * @iidr: SMMU_IIDR: implementer and implementation
 * @aidr: SMMU_AIDR: architecture version
 *
 * Raw register values. A VMM should only look at the fields nesting
 * supports: IDR0 ST_LEVEL, TERM_MODEL, STALL_MODEL, TTENDIAN, CD2L, ASID16,
 * TTF; IDR1 SIDSIZE, SSIDSIZE; IDR3 BBML, RIL; IDR5 VAX, GRAN64K, GRAN16K,
 * GRAN4K. S1P is implied by being able to create a nested HWPT, COHACC is
 * always assumed, and ATS is a per-device property. Other bits may gain
 * meaning in later kernels.
 */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;
	__u32 __reserved;
	__u32 idr[6];
	__u32 iidr;
	__u32 aidr;
};

/**
 * struct iommu_hw_info_tegra241_cmdqv - NVIDIA Tegra241 CMDQV information
 *                                       (IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV)
 * @flags: 0
 * @version: CMDQ-V version, PARAM bits [3:0]
 * @log2vcmdqs: log2 of the number of VCMDQs, PARAM bits [7:4]
 * @log2vsids: log2 of the number of SID replacements, PARAM bits [15:12]
 * @__reserved: 0
 *
 * Ready to be placed in an emulated PARAM register; the VMM should expose a
 * single VINTF (PARAM bits [11:8] = 0).
 */
struct iommu_hw_info_tegra241_cmdqv {
	__u32 flags;
	__u8 version;
	__u8 log2vcmdqs;
	__u8 log2vsids;
	__u8 __reserved;
};

/**
 * struct iommu_hw_info_amd - AMD IOMMU hardware information
 *                            (IOMMU_HW_INFO_TYPE_AMD)
 * @efr: Extended Feature Register (MMIO offset 0x30)
 * @efr2: Extended Feature 2 Register (MMIO offset 0x1a0)
 */
struct iommu_hw_info_amd {
	__aligned_u64 efr;
	__aligned_u64 efr2;
};

/**
 * enum iommu_hw_info_type - format of IOMMU_GET_HW_INFO's data
 * @IOMMU_HW_INFO_TYPE_NONE: output: the driver reports no data
 * @IOMMU_HW_INFO_TYPE_DEFAULT: input: whatever the driver reports by default
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_TYPE_ARM_SMMUV3: struct iommu_hw_info_arm_smmuv3
 * @IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV: struct iommu_hw_info_tegra241_cmdqv
 * @IOMMU_HW_INFO_TYPE_AMD: struct iommu_hw_info_amd
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	IOMMU_HW_INFO_TYPE_AMD = 4,
};

/**
 * enum iommufd_hw_capabilities - generic bits of @out_capabilities
 * @IOMMU_HW_CAP_DIRTY_TRACKING: IOMMU_HWPT_SET_DIRTY_TRACKING and
 *                               IOMMU_HWPT_GET_DIRTY_BITMAP work
 * @IOMMU_HW_CAP_PCI_PASID_EXEC: PASID Execute permission supported
 *                               (meaningless if out_max_pasid_log2 is 0)
 * @IOMMU_HW_CAP_PCI_PASID_PRIV: PASID Privileged mode supported
 *                               (meaningless if out_max_pasid_log2 is 0)
 * @IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED: the device must not be described to a
 *                                      guest as ATS capable
 */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
	IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
};

/**
 * enum iommufd_hw_info_flags - flags of struct iommu_hw_info
 * @IOMMU_HW_INFO_FLAG_INPUT_TYPE: @in_data_type selects which data format
 *                                 to return
 */
enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

/**
 * struct iommu_hw_info - ioctl(IOMMU_GET_HW_INFO)
 * @size: sizeof(struct iommu_hw_info)
 * @flags: combination of enum iommufd_hw_info_flags
 * @dev_id: a device bound to this iommufd
 * @data_len: in: size of the buffer at @data_uptr; out: size of the data
 *            the kernel has (0 in is allowed)
 * @data_uptr: user buffer for the type-specific data
 * @in_data_type: with IOMMU_HW_INFO_FLAG_INPUT_TYPE, the requested format;
 *                ignored (treated as DEFAULT) without it
 * @out_data_type: returns the format of the data, enum iommu_hw_info_type
 * @out_max_pasid_log2: returns the PASID width; 0 means no PASID support
 * @__reserved: must be 0
 * @out_capabilities: returns enum iommufd_hw_capabilities bits
 *
 * Describes the IOMMU behind @dev_id so a VMM can build a compatible
 * virtual IOMMU. At most @data_len bytes are written; a buffer larger than
 * the data has its tail zeroed.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/*
 * enum iommufd_hwpt_set_dirty_tracking_flags - flags of
 *                                              IOMMU_HWPT_SET_DIRTY_TRACKING
 * @IOMMU_HWPT_DIRTY_TRACKING_ENABLE: start tracking; clear to stop
 */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

/**
 * struct iommu_hwpt_set_dirty_tracking - ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING)
 * @size: sizeof(struct iommu_hwpt_set_dirty_tracking)
 * @flags: combination of enum iommufd_hwpt_set_dirty_tracking_flags
 * @hwpt_id: HWPT to start or stop tracking on
 * @__reserved: must be 0
 */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};
#define IOMMU_HWPT_SET_DIRTY_TRACKING _IO(IOMMUFD_TYPE, \
					  IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/**
 * enum iommufd_hwpt_get_dirty_bitmap_flags - flags of
 *                                            IOMMU_HWPT_GET_DIRTY_BITMAP
 * @IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR: report dirty bits but leave them
 *     set, for when the range is about to be unmapped anyway
 */
enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/**
 * struct iommu_hwpt_get_dirty_bitmap - ioctl(IOMMU_HWPT_GET_DIRTY_BITMAP)
 * @size: sizeof(struct iommu_hwpt_get_dirty_bitmap)
 * @hwpt_id: HWPT to read
 * @flags: combination of enum iommufd_hwpt_get_dirty_bitmap_flags
 * @__reserved: must be 0
 * @iova: IOVA that bit 0 of the bitmap stands for
 * @length: bytes of IOVA to report
 * @page_size: bytes of IOVA each bit stands for
 * @data: user pointer to the bitmap, an array of __u64
 *
 * Sets the bit of every dirty page_size unit, where IOVA x is bit
 * ((x - @iova) / @page_size) counted across 64-bit words, and clears the
 * hardware dirty state unless NO_CLEAR is given.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};
#define IOMMU_HWPT_GET_DIRTY_BITMAP _IO(IOMMUFD_TYPE, \
					IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/**
 * enum iommu_hwpt_invalidate_data_type - format of IOMMU_HWPT_INVALIDATE
 *                                        entries
 * @IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: struct iommu_hwpt_vtd_s1_invalidate
 * @IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3: struct
 *                                          iommu_viommu_arm_smmuv3_invalidate
 */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

/**
 * enum iommu_hwpt_vtd_s1_invalidate_flags - flags of
 *                                           struct iommu_hwpt_vtd_s1_invalidate
 * @IOMMU_VTD_INV_FLAGS_LEAF: only leaf entries changed; paging-structure
 *                            caches may be kept
 */
enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

/**
 * struct iommu_hwpt_vtd_s1_invalidate - one VT-d stage-1 invalidation
 *                                       (IOMMU_HWPT_INVALIDATE_DATA_VTD_S1)
 * @addr: first address to invalidate, 4KiB aligned
 * @npages: number of 4KiB pages; @addr 0 with U64_MAX means everything
 * @flags: combination of enum iommu_hwpt_vtd_s1_invalidate_flags
 * @__reserved: must be 0
 *
 * Issued after the user changed its stage-1 table. Device TLBs (ATS) are
 * invalidated along with the IOTLB.
 */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct iommu_viommu_arm_smmuv3_invalidate - one SMMUv3 invalidation
 *     command (IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3)
 * @cmd: a 128-bit command queue entry, little-endian, as the guest wrote it
 *
 * Accepted only through a vIOMMU, and only these opcodes: TLBI_NSNH_ALL,
 * TLBI_NH_VA, TLBI_NH_VAA, TLBI_NH_ALL, TLBI_NH_ASID, ATC_INV, CFGI_CD,
 * CFGI_CD_ALL. Anything else fails with EIO. Guest StreamIDs and VMIDs are
 * translated by the kernel.
 */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
};

/**
 * struct iommu_hwpt_invalidate - ioctl(IOMMU_HWPT_INVALIDATE)
 * @size: sizeof(struct iommu_hwpt_invalidate)
 * @hwpt_id: a nested HWPT or a vIOMMU
 * @data_uptr: user pointer to an array of invalidation entries
 * @data_type: format of every entry, enum iommu_hwpt_invalidate_data_type
 *             (or a driver's own type)
 * @entry_len: size in bytes of one entry
 * @entry_num: in: number of entries; out: number handled successfully
 * @__reserved: must be 0
 *
 * Flushes caches that hold translations of a user-managed table (nested
 * HWPT) or other state the vIOMMU caches. Entries are processed in order
 * and processing stops at the first failing one. @entry_num 0 only checks
 * that @data_type is supported.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/**
 * enum iommu_hwpt_pgfault_flags - flags of struct iommu_hwpt_pgfault
 * @IOMMU_PGFAULT_FLAGS_PASID_VALID: @pasid is valid
 * @IOMMU_PGFAULT_FLAGS_LAST_PAGE: last fault of its group; respond to it
 */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = (1 << 0),
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = (1 << 1),
};

/**
 * enum iommu_hwpt_pgfault_perm - access the faulting request wanted
 * @IOMMU_PGFAULT_PERM_READ: read
 * @IOMMU_PGFAULT_PERM_WRITE: write
 * @IOMMU_PGFAULT_PERM_EXEC: execute (PASID Execute Requested, PCIe 10.4.1)
 * @IOMMU_PGFAULT_PERM_PRIV: privileged (PASID Privileged Mode Requested)
 */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = (1 << 0),
	IOMMU_PGFAULT_PERM_WRITE = (1 << 1),
	IOMMU_PGFAULT_PERM_EXEC = (1 << 2),
	IOMMU_PGFAULT_PERM_PRIV = (1 << 3),
};

/**
 * struct iommu_hwpt_pgfault - one message read from a fault queue fd
 * @flags: combination of enum iommu_hwpt_pgfault_flags
 * @dev_id: device that faulted
 * @pasid: PASID of the request, if PASID_VALID
 * @grpid: page request group index
 * @perm: combination of enum iommu_hwpt_pgfault_perm
 * @__reserved: 0
 * @addr: faulting address
 * @length: hint of how many bytes the requester will access; 0 if unknown
 * @cookie: identifies the group; echo it back in the response to the last
 *          fault of a group
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

/**
 * enum iommufd_page_response_code - outcome written back for a fault group
 * @IOMMUFD_PAGE_RESP_SUCCESS: fault resolved, the device may retry
 *                             (PCI "Success")
 * @IOMMUFD_PAGE_RESP_INVALID: fault not resolvable, do not retry
 *                             (PCI "Invalid Request")
 */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/**
 * struct iommu_hwpt_page_response - one response written to a fault queue fd
 * @cookie: cookie of the fault group being answered
 * @code: one of enum iommufd_page_response_code
 */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/**
 * struct iommu_fault_alloc - ioctl(IOMMU_FAULT_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_fault_alloc)
 * @flags: must be 0
 * @out_fault_id: returns the ID of the fault queue object
 * @out_fault_fd: returns a file descriptor to read faults from and write
 *                responses to
 */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/**
 * enum iommu_viommu_type - kind of virtual IOMMU
 * @IOMMU_VIOMMU_TYPE_DEFAULT: reserved
 * @IOMMU_VIOMMU_TYPE_ARM_SMMUV3: ARM SMMUv3
 * @IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV: ARM SMMUv3 with NVIDIA Tegra241 CMDQV;
 *                                    data is struct iommu_viommu_tegra241_cmdqv
 */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_viommu_tegra241_cmdqv - Tegra241 CMDQV vIOMMU output data
 *                                      (IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV)
 * @out_vintf_mmap_offset: mmap offset (on the iommufd) of the VINTF page 0
 * @out_vintf_mmap_length: mmap length of the VINTF page 0
 *
 * Mapping that page into the guest lets it drive its virtual command
 * queues directly.
 */
struct iommu_viommu_tegra241_cmdqv {
	__aligned_u64 out_vintf_mmap_offset;
	__aligned_u64 out_vintf_mmap_length;
};

/**
 * struct iommu_viommu_alloc - ioctl(IOMMU_VIOMMU_ALLOC)
 * @size: sizeof(struct iommu_viommu_alloc)
 * @flags: must be 0
 * @type: one of enum iommu_viommu_type (or a driver's own type)
 * @dev_id: device whose physical IOMMU backs the vIOMMU
 * @hwpt_id: nesting parent HWPT (the VM's stage 2)
 * @out_viommu_id: returns the ID of the vIOMMU
 * @data_len: length of the data at @data_uptr
 * @__reserved: must be 0
 * @data_uptr: user pointer to type-specific data, in and/or out
 *
 * A vIOMMU is the slice of one physical IOMMU given to one VM: it owns the
 * VM's ID namespaces (cache tags such as VMID, virtual device IDs), carries
 * events not tied to a device, shares a nesting parent across IOMMUs and
 * holds accelerated queues and interrupts assigned to the guest.
 */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/**
 * struct iommu_vdevice_alloc - ioctl(IOMMU_VDEVICE_ALLOC)
 * @size: sizeof(struct iommu_vdevice_alloc)
 * @viommu_id: vIOMMU the device appears behind
 * @dev_id: the physical device
 * @out_vdevice_id: returns the ID of the vDEVICE
 * @virt_id: the device's ID as the guest sees it (vSID on SMMUv3, vDeviceID
 *           on AMD, vRID on VT-d)
 *
 * Destroy the vDEVICE with IOMMU_DESTROY before closing the device; a
 * vDEVICE torn down by device removal leaves its ID unusable until the
 * iommufd is closed.
 */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/**
 * struct iommu_ioas_change_process - ioctl(IOMMU_IOAS_CHANGE_PROCESS)
 * @size: sizeof(struct iommu_ioas_change_process)
 * @__reserved: must be 0
 *
 * Moves the pinned-memory accounting of every mapping in this iommufd to
 * the calling process, e.g. when a live update hands devices to a new
 * process. Only mappings made with IOMMU_IOAS_MAP_FILE can move; any other
 * mapping makes the call fail with EINVAL. On failure nothing changes.
 */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};
#define IOMMU_IOAS_CHANGE_PROCESS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

/**
 * enum iommu_veventq_flag - flags of struct iommufd_vevent_header
 * @IOMMU_VEVENTQ_FLAG_LOST_EVENTS: the queue overflowed; this header has no
 *                                  event data after it
 */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0),
};

/**
 * struct iommufd_vevent_header - header before each event read from a
 *                                vEVENTQ fd
 * @flags: combination of enum iommu_veventq_flag
 * @sequence: event sequence number, counting 0..INT_MAX and wrapping to 0
 *
 * Each header is followed by one event of the queue's type. A gap of n in
 * consecutive sequence numbers means n - 1 events were lost. Losses at the
 * tail with no later event to show the gap are reported by a final header
 * with IOMMU_VEVENTQ_FLAG_LOST_EVENTS set and no data.
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

/**
 * enum iommu_veventq_type - kind of events a vEVENTQ carries
 * @IOMMU_VEVENTQ_TYPE_DEFAULT: reserved
 * @IOMMU_VEVENTQ_TYPE_ARM_SMMUV3: struct iommu_vevent_arm_smmuv3
 * @IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV: struct iommu_vevent_tegra241_cmdqv
 */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_vevent_arm_smmuv3 - an SMMUv3 event for the guest
 *                                  (IOMMU_VEVENTQ_TYPE_ARM_SMMUV3)
 * @evt: the 256-bit event record, little-endian, with the StreamID
 *       replaced by the vDEVICE's virt_id
 *
 * Forwarded records: C_BAD_STE (0x04), F_STREAM_DISABLED (0x06),
 * C_BAD_SUBSTREAMID (0x08), C_BAD_CD (0x0a), F_TRANSLATION (0x10),
 * F_ADDR_SIZE (0x11), F_ACCESS (0x12), F_PERMISSION (0x13). Only devices
 * with a vDEVICE get events.
 */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

/**
 * struct iommu_vevent_tegra241_cmdqv - a Tegra241 CMDQV error interrupt
 *                                      (IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV)
 * @lvcmdq_err_map: the VINTF's 128-bit LVCMDQ_ERR_MAP, little-endian
 */
struct iommu_vevent_tegra241_cmdqv {
	__aligned_le64 lvcmdq_err_map[2];
};

/**
 * struct iommu_veventq_alloc - ioctl(IOMMU_VEVENTQ_ALLOC)
 * @size: sizeof(struct iommu_veventq_alloc)
 * @flags: must be 0
 * @viommu_id: vIOMMU whose events the queue receives
 * @type: one of enum iommu_veventq_type; one queue per type per vIOMMU
 * @veventq_depth: number of events the queue holds before dropping
 * @out_veventq_id: returns the ID of the queue
 * @out_veventq_fd: returns a file descriptor to read events from; the
 *                  caller owns it and must close it
 * @__reserved: must be 0
 *
 * read() returns a stream of struct iommufd_vevent_header, each followed by
 * one type-specific event (except a trailing LOST_EVENTS header).
 */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};
#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

/**
 * enum iommu_hw_queue_type - kind of hardware-accelerated queue
 * @IOMMU_HW_QUEUE_TYPE_DEFAULT: reserved
 * @IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV: a Tegra241 VCMDQ. Queues must be
 *     allocated in ascending @index from 0 and destroyed in the reverse
 *     order; the base must be aligned to @length and mapped in the IOAS;
 *     @length is a power of two from 32 bytes up to 2^IDR1.CMDQS * 16 bytes.
 *     Backing the queue with physically contiguous memory is advised.
 */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

/**
 * struct iommu_hw_queue_alloc - ioctl(IOMMU_HW_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_hw_queue_alloc)
 * @flags: must be 0
 * @viommu_id: vIOMMU the queue belongs to
 * @type: one of enum iommu_hw_queue_type
 * @index: queue number within (vIOMMU, @type)
 * @out_hw_queue_id: returns the ID of the queue object
 * @nesting_parent_iova: guest physical address of the queue memory, i.e. an
 *                       IOVA of the vIOMMU's nesting parent
 * @length: size of the queue memory in bytes
 *
 * Lets the hardware consume a queue that lives in guest memory. Each
 * (type, index) pair can be allocated once per vIOMMU.
 */
struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;
	__aligned_u64 length;
};
#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

#endif /* _UAPI_IOMMUFD_H */
