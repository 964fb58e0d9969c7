/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD HW-vIOMMU: an IOMMU that runs each guest's command buffer,
 * event log and PPR log itself (the 2023 RFC "iommu/amd: Introduce
 * support for HW accelerated vIOMMU w/ nested page table" and its
 * amd_viommu.h; the public spec 48882 describes the feature only in
 * outline).
 *
 * Three places hold a guest's state:
 *  - the IOMMU Private Address Space (PAS): an address space only the
 *    IOMMU uses, translated by the v1 table of the IOMMU's own DeviceID
 *    DTE (the host driver maps system memory there). It holds per guest
 *    (GuestID) the guest MMIO backing, the DeviceID map (guest DeviceID
 *    -> host DeviceID) and the DomainID map (guest DomainID -> host
 *    DomainID), and regions for the guest's buffers;
 *  - VF MMIO: one 4 KiB page per guest, the guest's view of its IOMMU's
 *    0x2000 page (command head/tail, event and PPR head/tail, status),
 *    mapped into the guest so it rings its doorbell without an exit;
 *  - VF control MMIO: 64 bytes per guest, written only by the host: the
 *    map-update registers, the guest's translation DeviceID and the
 *    guest's buffer bases and enables.
 * The two BARs are found through a PCI vendor-specific capability
 * (MMIO_VSC_*).
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"
#include "harness/compiler.h"

/* ----- Vendor-specific capability: where the VF and VF control BARs are ----- */

inline constexpr unsigned int MMIO_VSC_HDR_OFFSET = 0x00;
inline constexpr unsigned int MMIO_VSC_INFO_OFFSET = 0x00;
inline constexpr unsigned int MMIO_VSC_VF_BAR_LO_OFFSET = 0x08;
inline constexpr unsigned int MMIO_VSC_VF_BAR_HI_OFFSET = 0x0c;
inline constexpr unsigned int MMIO_VSC_VF_CNTL_BAR_LO_OFFSET = 0x10;
inline constexpr unsigned int MMIO_VSC_VF_CNTL_BAR_HI_OFFSET = 0x14;
inline constexpr u32 MMIO_VSC_BAR_ENABLE = BIT(0);

constexpr unsigned int IOMMU_VSC_INFO_REV(u32 x) { return (x >> 16) & 0xff; }
constexpr unsigned int IOMMU_VSC_INFO_ID(u32 x) { return x & 0xffff; }

/* ----- Guests ----- */

inline constexpr unsigned int VIOMMU_MAX_GUESTID = 1U << 16;

/* ----- VF MMIO: one page per guest, laid out as the 0x2000 page ----- */

inline constexpr unsigned int VIOMMU_VF_MMIO_ENTRY_SIZE = 4096;
inline constexpr unsigned int VIOMMU_VF_MMIO_CMD_HEAD = 0x00;	/* MMIO_CMD_HEAD_OFFSET - 0x2000 */
inline constexpr unsigned int VIOMMU_VF_MMIO_CMD_TAIL = 0x08;
inline constexpr unsigned int VIOMMU_VF_MMIO_EVT_HEAD = 0x10;
inline constexpr unsigned int VIOMMU_VF_MMIO_EVT_TAIL = 0x18;
inline constexpr unsigned int VIOMMU_VF_MMIO_STATUS = 0x20;
inline constexpr unsigned int VIOMMU_VF_MMIO_PPR_HEAD = 0x30;
inline constexpr unsigned int VIOMMU_VF_MMIO_PPR_TAIL = 0x38;

/* ----- VF control MMIO: 64 bytes per guest ----- */

inline constexpr unsigned int VIOMMU_VFCTRL_MMIO_ENTRY_SIZE = 64;
inline constexpr unsigned int VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL0_OFFSET = 0x00; /* DeviceID map */
inline constexpr unsigned int VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL1_OFFSET = 0x08; /* DomainID map */
inline constexpr unsigned int VIOMMU_VFCTRL_GUEST_MISC_CONTROL_OFFSET = 0x10;
inline constexpr unsigned int VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET = 0x20;
inline constexpr unsigned int VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET = 0x28;
inline constexpr unsigned int VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET = 0x30;

/*
 * DID_MAP_CONTROL0/1: a write with VIOMMU_MAP_WRITE stores one map entry
 * in the PAS: guest ID [61:46] -> host ID [29:14], VIOMMU_MAP_VALID set
 * (map) or clear (unmap). The register reads back zero.
 */
inline constexpr u64 VIOMMU_MAP_VALID = BIT_ULL(0);
inline constexpr u64 VIOMMU_MAP_HOST_ID = GENMASK_ULL(29, 14);
inline constexpr u64 VIOMMU_MAP_GUEST_ID = GENMASK_ULL(61, 46);
inline constexpr u64 VIOMMU_MAP_WRITE = BIT_ULL(63);

/* MISC_CONTROL: the DeviceID whose DTE translates the guest's physical addresses. */
inline constexpr u64 VIOMMU_MISC_TRANS_DEVID = GENMASK_ULL(31, 16);

/* CMD_CONTROL: guest command buffer length, enables, GPA of the buffer. */
inline constexpr u64 VIOMMU_CMD_CONTROL_LEN = GENMASK_ULL(3, 0);	/* log2(entries) */
inline constexpr u64 VIOMMU_CMD_CONTROL_EN = BIT_ULL(8);		/* CmdBufEn */
inline constexpr u64 VIOMMU_CMD_CONTROL_COMWAIT_INT_EN = BIT_ULL(9);
/*
 * The model's choice where the RFC is silent: set, the buffer is the
 * guest's command-buffer slot of the PAS (viommu_cmdbuf_pas(), backed by
 * the host with the guest's pages: the RFC's VIOMMU_CMDBUF_UPDATE) and
 * BASE is ignored; clear, BASE is a GPA read through the translation DTE.
 */
inline constexpr u64 VIOMMU_CMD_CONTROL_PAS = BIT_ULL(10);
inline constexpr u64 VIOMMU_CMD_CONTROL_BASE = GENMASK_ULL(51, 12);

/* EVT_CONTROL: guest event log; dual logs are not described. */
inline constexpr u64 VIOMMU_EVT_CONTROL_LEN = GENMASK_ULL(3, 0);
inline constexpr u64 VIOMMU_EVT_CONTROL_LEN_B = GENMASK_ULL(7, 4);
inline constexpr u64 VIOMMU_EVT_CONTROL_EN = BIT_ULL(8);		/* EvtLogEn */
inline constexpr u64 VIOMMU_EVT_CONTROL_INT_EN = BIT_ULL(9);
inline constexpr u64 VIOMMU_EVT_CONTROL_DUAL_EN = GENMASK_ULL(11, 10);
inline constexpr u64 VIOMMU_EVT_CONTROL_BASE = GENMASK_ULL(51, 12);

/* PPR_CONTROL: guest PPR log (base at [55:16] in the RFC's layout: GPA >> 12). */
inline constexpr u64 VIOMMU_PPR_CONTROL_LEN = GENMASK_ULL(3, 0);
inline constexpr u64 VIOMMU_PPR_CONTROL_LEN_B = GENMASK_ULL(7, 4);
inline constexpr u64 VIOMMU_PPR_CONTROL_LOG_EN = BIT_ULL(8);	/* PprLogEn */
inline constexpr u64 VIOMMU_PPR_CONTROL_INT_EN = BIT_ULL(9);
inline constexpr u64 VIOMMU_PPR_CONTROL_EN = BIT_ULL(10);		/* PprEn */
inline constexpr u64 VIOMMU_PPR_CONTROL_DUAL_EN = GENMASK_ULL(12, 11);
inline constexpr u64 VIOMMU_PPR_CONTROL_AUTO_RSP = BIT_ULL(13);
inline constexpr u64 VIOMMU_PPR_CONTROL_BLK_STOP_MRK = BIT_ULL(14);
inline constexpr u64 VIOMMU_PPR_CONTROL_AUTO_RSP_AON = BIT_ULL(15);
inline constexpr u64 VIOMMU_PPR_CONTROL_BASE = GENMASK_ULL(55, 16);	/* GPA[51:12] */

/* ----- The IOMMU Private Address Space ----- */

inline constexpr u64 VIOMMU_GUEST_MMIO_BASE = 0;
inline constexpr u64 VIOMMU_GUEST_MMIO_ENTRY_SIZE = 64;
inline constexpr u64 VIOMMU_GUEST_MMIO_SIZE = 64ULL * VIOMMU_MAX_GUESTID;
inline constexpr u64 VIOMMU_CMDBUF_DIRTY_STATUS_BASE = 0x400000ULL;
inline constexpr u64 VIOMMU_CMDBUF_DIRTY_STATUS_SIZE = 0x2000;
inline constexpr u64 VIOMMU_DEVID_MAPPING_BASE = 0x1000000000ULL;
inline constexpr u64 VIOMMU_DEVID_MAPPING_ENTRY_SIZE = 1ULL << 20;	/* per guest */
inline constexpr u64 VIOMMU_DOMID_MAPPING_BASE = 0x2000000000ULL;
inline constexpr u64 VIOMMU_DOMID_MAPPING_ENTRY_SIZE = 1ULL << 19;	/* per guest */
inline constexpr u64 VIOMMU_GUEST_CMDBUF_BASE = 0x2800000000ULL;
inline constexpr u64 VIOMMU_GUEST_CMDBUF_SIZE = 1ULL << 19;
inline constexpr u64 VIOMMU_GUEST_PPR_LOG_BASE = 0x3000000000ULL;
inline constexpr u64 VIOMMU_GUEST_PPR_LOG_SIZE = 1ULL << 19;
inline constexpr u64 VIOMMU_GUEST_PPR_B_LOG_BASE = 0x3800000000ULL;
inline constexpr u64 VIOMMU_GUEST_PPR_B_LOG_SIZE = 1ULL << 19;
inline constexpr u64 VIOMMU_GUEST_EVT_LOG_BASE = 0x4000000000ULL;
inline constexpr u64 VIOMMU_GUEST_EVT_LOG_SIZE = 1ULL << 19;
inline constexpr u64 VIOMMU_GUEST_EVT_B_LOG_BASE = 0x4800000000ULL;
inline constexpr u64 VIOMMU_GUEST_EVT_B_LOG_SIZE = 1ULL << 19;

/*
 * Map entries in the PAS: the DeviceID map has 16 bytes per guest
 * DeviceID, the DomainID map 8 bytes per guest DomainID; each holds
 * VIOMMU_MAP_VALID and the host ID in VIOMMU_MAP_HOST_ID's position.
 */
inline constexpr unsigned int VIOMMU_DEVID_MAP_ENTRY_SIZE = 16;
inline constexpr unsigned int VIOMMU_DOMID_MAP_ENTRY_SIZE = 8;

constexpr u64 viommu_devid_map_pas(unsigned int gid, unsigned int gdevid)
{
	return VIOMMU_DEVID_MAPPING_BASE + (u64)gid * VIOMMU_DEVID_MAPPING_ENTRY_SIZE +
	       (u64)gdevid * VIOMMU_DEVID_MAP_ENTRY_SIZE;
}

constexpr u64 viommu_domid_map_pas(unsigned int gid, unsigned int gdomid)
{
	return VIOMMU_DOMID_MAPPING_BASE + (u64)gid * VIOMMU_DOMID_MAPPING_ENTRY_SIZE +
	       (u64)gdomid * VIOMMU_DOMID_MAP_ENTRY_SIZE;
}

constexpr u64 viommu_cmdbuf_pas(unsigned int gid)
{
	return VIOMMU_GUEST_CMDBUF_BASE + (u64)gid * VIOMMU_GUEST_CMDBUF_SIZE;
}

constexpr u64 viommu_map_entry(unsigned int guest_id, unsigned int host_id, bool valid)
{
	return FIELD_PREP(VIOMMU_MAP_GUEST_ID, guest_id) | FIELD_PREP(VIOMMU_MAP_HOST_ID, host_id) |
	       VIOMMU_MAP_WRITE | (valid ? VIOMMU_MAP_VALID : 0);
}
