/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Experimental iommufd uAPI: ioctls, structs and flags uiommufd offers that
 * upstream Linux does not have (yet).
 *
 * The rule (see Documentation/uapi.md): nothing that is not upstream goes
 * into linux/iommufd.h, linux/iommufd_test.h or linux/vfio.h. It goes here,
 * and experimental ioctl numbers start at IOMMUFD_CMD_EXPERIMENTAL_BASE, far
 * above upstream's range (0x80 onwards, which grows one number per new
 * ioctl) and the mock driver's IOMMU_TEST_CMD (0xa0). A future upstream
 * ioctl can therefore never be mistaken for an experimental one, and a
 * program built against upstream headers never reaches experimental code by
 * accident. When an experiment is accepted upstream, it moves to
 * linux/iommufd.h under its upstream number and its row goes into
 * uapi/abi/iommufd-abi.tsv; the experimental number is retired, not reused.
 *
 * Experimental structs follow the upstream conventions: first __u32 is
 * size, __reserved fields must be zero, fields only ever appended.
 */
#ifndef _UAPI_IOMMUFD_EXPERIMENTAL_H
#define _UAPI_IOMMUFD_EXPERIMENTAL_H

#include <linux/iommufd.h>

enum {
	/* First experimental number; ioctls are _IO(IOMMUFD_TYPE, n >= this). */
	IOMMUFD_CMD_EXPERIMENTAL_BASE = 0xc0,
};

/*
 * The AMD IOMMU's vIOMMU (drivers/amd/iommufd.cc): IOMMU_VIOMMU_ALLOC with
 * this type on an AMD nest parent gives the object nested HWPTs
 * (IOMMU_HWPT_DATA_AMD_GUEST) hang off. Upstream's amd_iommufd_viommu_init()
 * exists without a type of its own in include/uapi; the posted AMD
 * HW-vIOMMU series names one IOMMU_VIOMMU_TYPE_AMD = 3. Experimental here at
 * 0xc0 so a future upstream value is never mistaken for it.
 */
enum {
	IOMMU_VIOMMU_TYPE_AMD = 0xc0,
};

/*
 * Optional IOMMU_VIOMMU_ALLOC data of IOMMU_VIOMMU_TYPE_AMD (out only): on
 * an IOMMU with the HW-vIOMMU, the GuestID the vIOMMU was given and the
 * iommufd mmap() offset and length of its VF MMIO page (the guest's view
 * of its IOMMU's 0x2000 page: CmdHead/CmdTail at 0x00/0x08, Status at
 * 0x20), which the VMM maps into the guest. Zero without the HW-vIOMMU.
 * Shaped after the posted HW-vIOMMU series' struct iommu_viommu_amd,
 * which also carries DeviceIDs this driver chooses itself.
 */
struct iommu_viommu_amd {
	__u32 out_guest_id;
	__u32 __reserved;
	__aligned_u64 out_vf_mmio_offset;
	__aligned_u64 out_vf_mmio_length;
};

/*
 * IOMMU_HWPT_INVALIDATE on an AMD vIOMMU: each entry is one guest
 * INVALIDATE_IOMMU_PAGES command as the guest wrote it into its command
 * buffer (16 bytes, spec 48882 2.4.3), its DomainID the guest's own; the
 * driver sends it under the host DomainID the vIOMMU maps that gDomID to.
 * Upstream has no AMD invalidation data type (its VMMs re-allocate the
 * nested HWPT); value at the experimental base for the same reason as above.
 */
enum {
	IOMMU_VIOMMU_INVALIDATE_DATA_AMD = 0xc0,
};

struct iommu_viommu_amd_inv {
	__u32 cmd[4];
};

/*
 * IOMMU_HW_QUEUE_ALLOC on an AMD vIOMMU of an IOMMU with the HW-vIOMMU:
 * the guest's command buffer (index 0) at @nesting_parent_iova, @length a
 * power of two from 4 KiB to 512 KiB; the IOMMU reads it through the VM's
 * table, nothing is pinned. The posted HW-vIOMMU series discusses an
 * "IOMMU_VCMDQ_TYPE_AMD_VIOMMU"; a later out-of-tree revision has
 * IOMMU_HW_QUEUE_TYPE_AMD_CMD/_EVT/_PPR, taking the length as the 4-bit
 * ComLen/EventLen/PPRLen code and leaving the enables to trapped guest
 * Control writes; here @length is bytes, as iommufd's is everywhere, and
 * the queue is enabled when made. Upstream has no AMD queue type.
 */
enum {
	IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF = 0xc0,
	/* The guest's event log (index 0), same rules: 16-byte entries in guest memory. */
	IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG = 0xc1,
	/*
	 * The guest's PPR log (index 0), same rules: page requests of its
	 * devices (DTE.PPR) with its DeviceIDs; allocating it also sets PprEn.
	 */
	IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG = 0xc2,
};

#endif /* _UAPI_IOMMUFD_EXPERIMENTAL_H */
