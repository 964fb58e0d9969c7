/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD IOMMU command buffer, event log and PPR log entries (spec 48882,
 * 2.4 "Commands", 2.5 "Event Logging", 2.6 "Peripheral Page Service
 * Request"). All three are rings of 16-byte entries in memory; software
 * produces commands and moves CmdTail, the IOMMU produces events and PPR
 * records and moves the log's tail.
 *
 * Entries are four 32-bit words (struct iommu_cmd's data[]), as the
 * kernel composes them. Field masks are named <ENTRY>_<word>_<FIELD>; the
 * kernel's own names (CMD_COMPL_WAIT, CMD_INV_IOMMU_PAGES_SIZE_MASK,
 * EVENT_TYPE_IO_FAULT, PPR_FLAG_GN, ...) are kept. *_RES0 masks list the
 * reserved bits the IOMMU checks: a command with one set is an illegal
 * command.
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"
#include "harness/compiler.h"

/* ----- Commands (2.4) ----- */

struct iommu_cmd {
	u32 data[4];
};
static_assert(sizeof(struct iommu_cmd) == 16);

/* The opcode: data[1][31:28]. */
inline constexpr u32 CMD_OPCODE = GENMASK(31, 28);

constexpr unsigned int cmd_opcode(const struct iommu_cmd *cmd)
{
	return FIELD_GET(CMD_OPCODE, cmd->data[1]);
}

static inline void CMD_SET_TYPE(struct iommu_cmd *cmd, unsigned int t)
{
	cmd->data[1] |= (u32)(t & 0x0f) << 28;
}

inline constexpr unsigned int CMD_COMPL_WAIT = 0x01;
inline constexpr unsigned int CMD_INV_DEV_ENTRY = 0x02;
inline constexpr unsigned int CMD_INV_IOMMU_PAGES = 0x03;
inline constexpr unsigned int CMD_INV_IOTLB_PAGES = 0x04;
inline constexpr unsigned int CMD_INV_IRT = 0x05;
inline constexpr unsigned int CMD_PREFETCH_IOMMU_PAGES = 0x06;
inline constexpr unsigned int CMD_COMPLETE_PPR = 0x07;
inline constexpr unsigned int CMD_INV_ALL = 0x08;

/*
 * COMPLETION_WAIT (2.4.1): when every earlier command has completed,
 * store data[3]:data[2] at the 8-byte aligned address data[1][19:0]:
 * data[0][31:3] (S) and/or set Status.ComWaitInt (I). F also waits for
 * earlier DMA, which the model has always finished.
 */
inline constexpr u32 CMD_COMPL_WAIT_STORE_MASK = 0x01;	/* S */
inline constexpr u32 CMD_COMPL_WAIT_INT_MASK = 0x02;	/* I */
inline constexpr u32 CMD_COMPL_WAIT_FLUSH_MASK = 0x04;	/* F */
inline constexpr u32 CMD_COMPL_WAIT_0_ADDR = GENMASK(31, 3);
inline constexpr u32 CMD_COMPL_WAIT_1_ADDR = GENMASK(19, 0);
inline constexpr u32 CMD_COMPL_WAIT_1_RES0 = GENMASK(27, 20);

constexpr u64 cmd_compl_wait_addr(const struct iommu_cmd *cmd)
{
	return ((u64)FIELD_GET(CMD_COMPL_WAIT_1_ADDR, cmd->data[1]) << 32) |
	       (cmd->data[0] & CMD_COMPL_WAIT_0_ADDR);
}

/* INVALIDATE_DEVTAB_ENTRY (2.4.2): DeviceID in data[0][15:0]. */
inline constexpr u32 CMD_DEVID = GENMASK(15, 0);
inline constexpr u32 CMD_INV_DEV_ENTRY_0_RES0 = GENMASK(31, 16);
inline constexpr u32 CMD_INV_DEV_ENTRY_1_RES0 = GENMASK(27, 0);

/*
 * INVALIDATE_IOMMU_PAGES (2.4.3): PASID data[0][19:0], DomainID
 * data[1][15:0]; data[2] S (bit 0), PDE (bit 1), GN (bit 2), address
 * [31:12]; data[3] address [63:32]. Without S one 4 KiB page; with S the
 * range is encoded in the address: its lowest 0 bit n (counting from 12)
 * makes the range the 2^(n+1)-byte aligned block around it, and
 * CMD_INV_IOMMU_ALL_PAGES_ADDRESS with S is everything. PDE also drops
 * cached page-directory entries; GN selects the guest (PASID-tagged)
 * translations of that PASID rather than the DomainID's host ones.
 */
inline constexpr u32 CMD_INV_IOMMU_PAGES_SIZE_MASK = 0x01;
inline constexpr u32 CMD_INV_IOMMU_PAGES_PDE_MASK = 0x02;
inline constexpr u32 CMD_INV_IOMMU_PAGES_GN_MASK = 0x04;
inline constexpr u32 CMD_INV_IOMMU_PAGES_0_PASID = GENMASK(19, 0);
inline constexpr u32 CMD_INV_IOMMU_PAGES_0_RES0 = GENMASK(31, 20);
inline constexpr u32 CMD_INV_IOMMU_PAGES_1_DOMID = GENMASK(15, 0);
inline constexpr u32 CMD_INV_IOMMU_PAGES_1_RES0 = GENMASK(27, 16);
inline constexpr u32 CMD_INV_IOMMU_PAGES_2_ADDR = GENMASK(31, 12);
inline constexpr u32 CMD_INV_IOMMU_PAGES_2_RES0 = GENMASK(11, 3);
inline constexpr u64 CMD_INV_IOMMU_ALL_PAGES_ADDRESS = 0x7fffffffffffffffULL;

constexpr u64 cmd_inv_address(const struct iommu_cmd *cmd)
{
	return ((u64)cmd->data[3] << 32) | (cmd->data[2] & CMD_INV_IOMMU_PAGES_2_ADDR);
}

/*
 * The range an S-encoded address covers, as [start, start + size):
 * size_lg2 is 12 without S, else one more than the position of the
 * lowest 0 bit at or above bit 12 (64 for the all-pages address).
 */
constexpr unsigned int cmd_inv_range_lg2(u64 address, bool s)
{
	if (!s)
		return 12;
	for (unsigned int bit = 12; bit < 63; bit++)
		if (!(address & BIT_ULL(bit)))
			return bit + 1;
	return 64;
}

/*
 * INVALIDATE_IOTLB_PAGES (2.4.4): sent to an ATS device. DeviceID
 * data[0][15:0], Maxpend data[0][31:24], PASID[15:8] data[0][23:16],
 * PASID[7:0] data[1][23:16] (data[1][15:0] repeats the DeviceID, as the
 * kernel writes it); data[2]/data[3] as INVALIDATE_IOMMU_PAGES with S
 * and GN (PDE is reserved here).
 */
inline constexpr u32 CMD_INV_IOTLB_0_PASID_HI = GENMASK(23, 16);
inline constexpr u32 CMD_INV_IOTLB_0_MAXPEND = GENMASK(31, 24);
inline constexpr u32 CMD_INV_IOTLB_1_PASID_LO = GENMASK(23, 16);
inline constexpr u32 CMD_INV_IOTLB_1_RES0 = GENMASK(27, 24);
inline constexpr u32 CMD_INV_IOTLB_2_RES0 = GENMASK(11, 3) | CMD_INV_IOMMU_PAGES_PDE_MASK;

constexpr u32 cmd_inv_iotlb_pasid(const struct iommu_cmd *cmd)
{
	return (FIELD_GET(CMD_INV_IOTLB_0_PASID_HI, cmd->data[0]) << 8) |
	       FIELD_GET(CMD_INV_IOTLB_1_PASID_LO, cmd->data[1]);
}

/* INVALIDATE_INTERRUPT_TABLE (2.4.5): DeviceID data[0][15:0]. */
inline constexpr u32 CMD_INV_IRT_0_RES0 = GENMASK(31, 16);
inline constexpr u32 CMD_INV_IRT_1_RES0 = GENMASK(27, 0);

/*
 * COMPLETE_PPR_REQUEST (2.4.7): DeviceID data[0][15:0], PASID
 * data[1][19:0], GN data[2] bit 2, PRG tag data[3][8:0], completion
 * status data[3][15:12] (PPR_STATUS_*).
 */
inline constexpr u32 CMD_COMPLETE_PPR_0_RES0 = GENMASK(31, 16);
inline constexpr u32 CMD_COMPLETE_PPR_1_PASID = GENMASK(19, 0);
inline constexpr u32 CMD_COMPLETE_PPR_1_RES0 = GENMASK(27, 20);
inline constexpr u32 CMD_COMPLETE_PPR_2_RES0 = ~CMD_INV_IOMMU_PAGES_GN_MASK;
inline constexpr u32 CMD_COMPLETE_PPR_3_TAG = GENMASK(8, 0);
inline constexpr u32 CMD_COMPLETE_PPR_3_STATUS = GENMASK(15, 12);
inline constexpr u32 CMD_COMPLETE_PPR_3_RES0 = GENMASK(11, 9) | GENMASK(31, 16);
inline constexpr unsigned int PPR_STATUS_MASK = 0xf;
inline constexpr unsigned int PPR_STATUS_SHIFT = 12;
/* PRG response codes (PCIe): success, invalid request, response failure. */
inline constexpr unsigned int PPR_SUCCESS = 0x0;
inline constexpr unsigned int PPR_INVALID = 0x1;
inline constexpr unsigned int PPR_FAILURE = 0xf;

/* INVALIDATE_IOMMU_ALL (2.4.8, with FEATURE_IA): no operands. */
inline constexpr u32 CMD_INV_ALL_1_RES0 = GENMASK(27, 0);

/* ----- Event log (2.5) ----- */

inline constexpr unsigned int EVENT_ENTRY_SIZE = 0x10;

struct amd_iommu_event {
	u32 data[4];
};
static_assert(sizeof(struct amd_iommu_event) == EVENT_ENTRY_SIZE);

/*
 * Every event: DeviceID data[0][15:0], EventCode data[1][31:28], flags
 * data[1][27:16], address data[3]:data[2]. IO_PAGE_FAULT (and
 * ILLEGAL_DEV_TABLE_ENTRY for a PASID request) carries a DomainID or,
 * with the GN flag, a PASID as data[0][19:16]:data[1][15:0].
 */
inline constexpr unsigned int EVENT_TYPE_SHIFT = 28;
inline constexpr u32 EVENT_TYPE_MASK = 0xf;
inline constexpr unsigned int EVENT_TYPE_ILL_DEV = 0x1;	/* ILLEGAL_DEV_TABLE_ENTRY */
inline constexpr unsigned int EVENT_TYPE_IO_FAULT = 0x2;	/* IO_PAGE_FAULT */
inline constexpr unsigned int EVENT_TYPE_DEV_TAB_ERR = 0x3;	/* DEV_TAB_HARDWARE_ERROR */
inline constexpr unsigned int EVENT_TYPE_PAGE_TAB_ERR = 0x4;	/* PAGE_TAB_HARDWARE_ERROR */
inline constexpr unsigned int EVENT_TYPE_ILL_CMD = 0x5;	/* ILLEGAL_COMMAND_ERROR */
inline constexpr unsigned int EVENT_TYPE_CMD_HARD_ERR = 0x6;	/* COMMAND_HARDWARE_ERROR */
inline constexpr unsigned int EVENT_TYPE_IOTLB_INV_TO = 0x7;	/* IOTLB_INV_TIMEOUT */
inline constexpr unsigned int EVENT_TYPE_INV_DEV_REQ = 0x8;	/* INVALID_DEVICE_REQUEST */
inline constexpr unsigned int EVENT_TYPE_INV_PPR_REQ = 0x9;	/* INVALID_PPR_REQUEST */
inline constexpr unsigned int EVENT_TYPE_RMP_FAULT = 0xd;
inline constexpr unsigned int EVENT_TYPE_RMP_HW_ERR = 0xe;
inline constexpr u32 EVENT_DEVID_MASK = 0xffff;
inline constexpr unsigned int EVENT_DEVID_SHIFT = 0;
inline constexpr u32 EVENT_DOMID_MASK_LO = 0xffff;
inline constexpr u32 EVENT_DOMID_MASK_HI = 0xf0000;
inline constexpr u32 EVENT_FLAGS_MASK = 0xfff;
inline constexpr unsigned int EVENT_FLAGS_SHIFT = 0x10;

/* Event flags (data[1][27:16]). */
inline constexpr u32 EVENT_FLAG_GN = 0x001;	/* PASID (not DomainID) and a guest address */
inline constexpr u32 EVENT_FLAG_NX = 0x002;	/* an execute request */
inline constexpr u32 EVENT_FLAG_US = 0x004;	/* a user request */
inline constexpr u32 EVENT_FLAG_I = 0x008;	/* an interrupt request */
inline constexpr u32 EVENT_FLAG_PR = 0x010;	/* the page was present */
inline constexpr u32 EVENT_FLAG_RW = 0x020;	/* a write */
inline constexpr u32 EVENT_FLAG_PE = 0x040;	/* permission denied */
inline constexpr u32 EVENT_FLAG_RZ = 0x080;	/* a reserved bit was set */
inline constexpr u32 EVENT_FLAG_TR = 0x100;	/* a translation request (ATS) */

/*
 * INVALID_DEVICE_REQUEST carries a request type in flags [11:9]. The
 * public spec's table of types was not at hand; these are the three the
 * model raises, with values of its own choosing (see
 * Documentation/amd-iommu.md): what the device asked for that its DTE
 * does not allow.
 */
inline constexpr u32 EVENT_INV_DEV_REQ_TYPE = GENMASK(11, 9);
inline constexpr unsigned int INV_DEV_REQ_TRANSLATED_NO_ATS = 0x1; /* translated access, DTE.I clear */
inline constexpr unsigned int INV_DEV_REQ_TREQ_NO_ATS = 0x2;	/* translation request, DTE.I clear */
inline constexpr unsigned int INV_DEV_REQ_PASID_NO_GV = 0x3;	/* PASID request without GV */

/* ----- PPR log (2.6) ----- */

inline constexpr unsigned int PPR_ENTRY_SIZE = 16;
inline constexpr unsigned int PPR_LOG_SIZE = PPR_ENTRY_SIZE * 512;

/*
 * One PAGE_SERVICE_REQUEST record: raw[0] DeviceID [15:0], PASID[15:0]
 * [31:16], PRG tag [41:32], PASID[19:16] [45:42], flags [59:48], type
 * [63:60] (PPR_REQ_FAULT); raw[1] the address (page aligned; a GVA with
 * PPR_FLAG_GN).
 */
struct amd_iommu_ppr_entry {
	u64 raw[2];
};
static_assert(sizeof(struct amd_iommu_ppr_entry) == PPR_ENTRY_SIZE);

inline constexpr u64 PPR_0_DEVID = GENMASK_ULL(15, 0);
inline constexpr u64 PPR_0_PASID1 = GENMASK_ULL(31, 16);
inline constexpr u64 PPR_0_TAG = GENMASK_ULL(41, 32);	/* 9 bits used, bit 41 reserved */
inline constexpr u64 PPR_0_PASID2 = GENMASK_ULL(45, 42);
inline constexpr u64 PPR_0_FLAGS = GENMASK_ULL(59, 48);
inline constexpr u64 PPR_0_TYPE = GENMASK_ULL(63, 60);
inline constexpr unsigned int PPR_REQ_FAULT = 0x01;

inline constexpr u32 PPR_FLAG_EXEC = 0x002;	/* execute permission requested */
inline constexpr u32 PPR_FLAG_READ = 0x004;
inline constexpr u32 PPR_FLAG_WRITE = 0x020;
inline constexpr u32 PPR_FLAG_US = 0x040;	/* 1: user, 0: supervisor */
inline constexpr u32 PPR_FLAG_RVSD = 0x080;	/* a reserved bit was not zero */
inline constexpr u32 PPR_FLAG_GN = 0x100;	/* the PASID and a GVA are valid */

constexpr unsigned int PPR_REQ_TYPE(u64 x) { return (x >> 60) & 0xf; }
constexpr unsigned int PPR_FLAGS(u64 x) { return (x >> 48) & 0xfff; }
constexpr unsigned int PPR_DEVID(u64 x) { return x & 0xffff; }
constexpr unsigned int PPR_TAG(u64 x) { return (x >> 32) & 0x3ff; }
constexpr unsigned int PPR_PASID1(u64 x) { return (x >> 16) & 0xffff; }
constexpr unsigned int PPR_PASID2(u64 x) { return (x >> 42) & 0xf; }
constexpr unsigned int PPR_PASID(u64 x) { return (PPR_PASID2(x) << 16) | PPR_PASID1(x); }
