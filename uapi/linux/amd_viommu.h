/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The AMD HW-vIOMMU's 2023 RFC uAPI (experimental): "iommu/amd: Introduce
 * support for HW accelerated vIOMMU w/ nested page table" added eight
 * ioctls on /dev/iommu that name no iommufd object, only an IOMMU (by its
 * PCI DeviceID) and a guest (by its GuestID). uiommufd serves them on the
 * same AMD IOMMU model and driver state as the upstream-style objects
 * (IOMMU_VIOMMU_TYPE_AMD, vDEVICE, nested HWPT, HW queue; see
 * linux/iommufd_experimental.h), so the two can be compared on one model
 * (Documentation/amd-viommu.md, "The 2023 RFC uAPI").
 *
 * The structures are the RFC's, field for field, including its implicit
 * tail padding (struct amd_viommu_dev_info is 20 bytes, struct
 * amd_viommu_mmio_data 32); each still starts with @size, so the core's
 * copy_struct_from_user() rules apply: a shorter @size than the last
 * mandatory field is -EINVAL, a longer one with non-zero tail -E2BIG.
 *
 * Numbers: the RFC used 0x60..0x67, below upstream's IOMMUFD_CMD_BASE
 * (0x80), where iommufd hands unknown numbers to VFIO compatibility.
 * Here they are 0xe0..0xe7: the RFC's order at its base plus 0x80, inside
 * the experimental range (>= IOMMUFD_CMD_EXPERIMENTAL_BASE, 0xc0) but
 * clear of 0xc0..0xdf, which linux/iommufd_experimental.h keeps for
 * experiments on the core's own table. Unused numbers in 0xe0..0xef are
 * -ENOTTY.
 *
 * Every command names its IOMMU by @iommu_id (the IOMMU's own PCI
 * DeviceID, 00:00.2 is 0x0002; no AMD IOMMU with HW-vIOMMU there: -ENODEV)
 * and, but for VIOMMU_IOMMU_INIT, its guest by @gid: a GuestID this
 * iommufd did not get from VIOMMU_IOMMU_INIT on that IOMMU is -ENOENT.
 * What a context leaves behind is torn down when it closes.
 */
#ifndef _UAPI_AMD_VIOMMU_H_
#define _UAPI_AMD_VIOMMU_H_

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/iommufd.h>

enum iommufd_viommu_cmd {
	IOMMUFD_VIOMMU_CMD_BASE = 0xe0,
	IOMMUFD_CMD_IOMMU_INIT = IOMMUFD_VIOMMU_CMD_BASE,
	IOMMUFD_CMD_IOMMU_DESTROY,
	IOMMUFD_CMD_DEVICE_ATTACH,
	IOMMUFD_CMD_DEVICE_DETACH,
	IOMMUFD_CMD_DOMAIN_ATTACH,
	IOMMUFD_CMD_DOMAIN_DETACH,
	IOMMUFD_CMD_MMIO_ACCESS,
	IOMMUFD_CMD_CMDBUF_UPDATE,
	IOMMUFD_VIOMMU_CMD_LAST = 0xef,
};

/**
 * struct amd_viommu_iommu_info - ioctl(VIOMMU_IOMMU_INIT / VIOMMU_IOMMU_DESTROY)
 * @size: sizeof(struct amd_viommu_iommu_info)
 * @iommu_id: the IOMMU's PCI DeviceID
 * @gid: INIT: out, the GuestID given; DESTROY: the guest to destroy
 *
 * INIT makes a HW-vIOMMU guest on the IOMMU: a GuestID (none left:
 * -ENOSPC), one per iommufd and IOMMU (a second: -EEXIST). Its DeviceID
 * and DomainID maps start empty; its guest physical addresses are
 * translated once a device is attached (VIOMMU_DEVICE_ATTACH).
 * DESTROY with a device still attached, or a nested HWPT made for one of
 * its devices still allocated, is -EBUSY.
 */
struct amd_viommu_iommu_info {
	__u32	size;
	__u32	iommu_id;
	__u32	gid;
};
#define VIOMMU_IOMMU_INIT	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOMMU_INIT)
#define VIOMMU_IOMMU_DESTROY	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOMMU_DESTROY)

/**
 * struct amd_viommu_dev_info - ioctl(VIOMMU_DEVICE_ATTACH / VIOMMU_DEVICE_DETACH)
 * @size: sizeof(struct amd_viommu_dev_info)
 * @iommu_id: the IOMMU's PCI DeviceID
 * @gid: the guest
 * @hdev_id: host PCI DeviceID of a device bound to this iommufd, behind
 *	     the IOMMU (else -ENODEV)
 * @gdev_id: the DeviceID the guest knows it by
 * @queue_id: the device's queue; no queues are modelled: must be 0 (-EINVAL)
 *
 * ATTACH writes the guest's DeviceID map entry @gdev_id -> @hdev_id and
 * gives the device's DTE vImuEn with the GuestID. The first device gives
 * the guest its translation: the device must be attached to a nest-parent
 * HWPT (-EINVAL otherwise), whose table then translates the guest's
 * physical addresses; later devices must be on the same parent (-EINVAL).
 * A device already in a guest: -EBUSY; @gdev_id already mapped: -EEXIST.
 * DETACH undoes one ATTACH: @gdev_id not mapped -ENOENT, mapped to
 * another device -EINVAL.
 */
struct amd_viommu_dev_info {
	__u32	size;
	__u32	iommu_id;
	__u32	gid;
	__u16	hdev_id;
	__u16	gdev_id;
	__u16	queue_id;
};
#define VIOMMU_DEVICE_ATTACH	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_DEVICE_ATTACH)
#define VIOMMU_DEVICE_DETACH	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_DEVICE_DETACH)

/**
 * struct amd_viommu_dom_info - ioctl(VIOMMU_DOMAIN_ATTACH / VIOMMU_DOMAIN_DETACH)
 * @size: sizeof(struct amd_viommu_dom_info)
 * @iommu_id: the IOMMU's PCI DeviceID
 * @gid: the guest
 * @gdev_id: a guest DeviceID of the guest (-ENOENT otherwise)
 * @gdom_id: the guest DomainID in the guest DTE of that device
 *
 * ATTACH writes the guest's DomainID map entry @gdom_id -> the host
 * DomainID of the device's nested domain. The device must be attached to
 * a nested HWPT (IOMMU_HWPT_ALLOC with IOMMU_HWPT_DATA_AMD_GUEST on the
 * guest's nest parent) whose guest DTE carries @gdom_id (-EINVAL).
 * DETACH clears the entry (not attached: -ENOENT): the guest's commands
 * naming @gdom_id become illegal commands in its event log.
 */
struct amd_viommu_dom_info {
	__u32	size;
	__u32	iommu_id;
	__u32	gid;
	__u16	gdev_id;
	__u16	gdom_id;
};
#define VIOMMU_DOMAIN_ATTACH	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_DOMAIN_ATTACH)
#define VIOMMU_DOMAIN_DETACH	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_DOMAIN_DETACH)

/**
 * struct amd_viommu_mmio_data - ioctl(VIOMMU_MMIO_ACCESS)
 * @size: sizeof(struct amd_viommu_mmio_data)
 * @iommu_id: the IOMMU's PCI DeviceID
 * @gid: the guest
 * @offset: offset in the guest's IOMMU MMIO (see below)
 * @value: the value written, or the value read (out)
 * @mmio_size: 4 or 8, @offset aligned to it (-EINVAL)
 * @is_write: 0 read, 1 write (-EINVAL otherwise)
 *
 * The VMM's trapped guest access to its IOMMU's registers, which the
 * driver turns into the guest's VF control and VF MMIO programming:
 *  - 0x0008 Command Buffer Base: ComLen [59:56] is the guest buffer's
 *    size (0: the whole buffer); the buffer itself is VIOMMU_CMDBUF_UPDATE's;
 *  - 0x0010 Event Log Base: the guest's event log GPA [51:12] and
 *    EventLen [59:56], taken when EventLogEn rises;
 *  - 0x0038 PPR Log Base: the guest's PPR log GPA [51:12] and PPRLen
 *    [59:56], taken when PPRLogEn rises;
 *    the three are stored as written (a guest may write them as two 32-bit
 *    halves); a length outside 8 .. 15, or a ComLen larger than the
 *    buffer, is -EINVAL when the enable rises;
 *  - 0x0018 Control: CmdBufEn (12) with ComWaitIntEn (4) programs the
 *    guest's CMD_CONTROL (no buffer given yet: -ENXIO), EventLogEn (2)
 *    with EventIntEn (3) its EVT_CONTROL, PPRLogEn (13) with PPREn (15)
 *    its PPR_CONTROL; other bits read back as written; a refused write
 *    changes nothing;
 *  - 0x2000 .. 0x2038 (CmdHead, CmdTail, EvtHead, EvtTail, Status,
 *    PPRHead, PPRTail): the guest's VF MMIO page; a CmdTail write runs the
 *    guest's commands.
 * Any other offset: -EINVAL.
 */
struct amd_viommu_mmio_data {
	__u32	size;
	__u32	iommu_id;
	__u32	gid;
	__u32	offset;
	__u64	value;
	__u32	mmio_size;
	__u8	is_write;
};
#define VIOMMU_MMIO_ACCESS	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_MMIO_ACCESS)

/**
 * struct amd_viommu_cmdbuf_data - ioctl(VIOMMU_CMDBUF_UPDATE)
 * @size: sizeof(struct amd_viommu_cmdbuf_data)
 * @iommu_id: the IOMMU's PCI DeviceID
 * @gid: the guest
 * @cmdbuf_size: bytes, a power of two from 4 KiB to 512 KiB (-EINVAL)
 * @hva: the VMM's address of the guest's command buffer, 4 KiB aligned
 *	 (-EINVAL); memory the VMM has mapped (-EFAULT otherwise)
 *
 * The guest wrote its Command Buffer Base; the VMM found the buffer's
 * host address. The driver pins those pages and maps them at the guest's
 * command-buffer slot of the IOMMU private address space, where the IOMMU
 * reads the guest's commands. Once per guest while its buffer runs: a
 * second buffer while CmdBufEn is set is -EBUSY; with CmdBufEn clear it
 * replaces the first.
 */
struct amd_viommu_cmdbuf_data {
	__u32	size;
	__u32	iommu_id;
	__u32	gid;
	__u32	cmdbuf_size;
	__u64	hva;
};
#define VIOMMU_CMDBUF_UPDATE	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_CMDBUF_UPDATE)

#endif /* _UAPI_AMD_VIOMMU_H_ */
