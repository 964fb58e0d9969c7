/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ARM SMMUv3 queue entries (IHI 0070, chapters 4, 7 and 8): the 16-byte
 * commands of the command queue, the 32-byte event records of the event
 * queue and the 16-byte page requests of the PRI queue.
 *
 * Field masks are named <QUEUE>_<word>_<FIELD> (CMDQ_TLBI_0_VMID is in
 * word 0 of a TLBI command), the kernel's arm-smmu-v3.h naming.
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"
#include "harness/compiler.h"

/* ----- Command queue (chapter 4) ----- */

inline constexpr unsigned int CMDQ_ENT_SZ_SHIFT = 4;
inline constexpr unsigned int CMDQ_ENT_DWORDS = (1 << CMDQ_ENT_SZ_SHIFT) / 8;

/* Opcodes (4.1.1). Every other value is an illegal command (CERROR_ILL). */
inline constexpr u8 CMDQ_OP_PREFETCH_CFG = 0x01;
inline constexpr u8 CMDQ_OP_PREFETCH_ADDR = 0x02;
inline constexpr u8 CMDQ_OP_CFGI_STE = 0x03;
inline constexpr u8 CMDQ_OP_CFGI_STE_RANGE = 0x04;
inline constexpr u8 CMDQ_OP_CFGI_ALL = 0x04; /* CFGI_STE_RANGE with RANGE 31 */
inline constexpr u8 CMDQ_OP_CFGI_CD = 0x05;
inline constexpr u8 CMDQ_OP_CFGI_CD_ALL = 0x06;
inline constexpr u8 CMDQ_OP_CFGI_VMS_PIDM = 0x07;
inline constexpr u8 CMDQ_OP_TLBI_NH_ALL = 0x10;
inline constexpr u8 CMDQ_OP_TLBI_NH_ASID = 0x11;
inline constexpr u8 CMDQ_OP_TLBI_NH_VA = 0x12;
inline constexpr u8 CMDQ_OP_TLBI_NH_VAA = 0x13;
inline constexpr u8 CMDQ_OP_TLBI_EL3_ALL = 0x18;
inline constexpr u8 CMDQ_OP_TLBI_EL3_VA = 0x1a;
inline constexpr u8 CMDQ_OP_TLBI_EL2_ALL = 0x20;
inline constexpr u8 CMDQ_OP_TLBI_EL2_ASID = 0x21;
inline constexpr u8 CMDQ_OP_TLBI_EL2_VA = 0x22;
inline constexpr u8 CMDQ_OP_TLBI_EL2_VAA = 0x23;
inline constexpr u8 CMDQ_OP_TLBI_S12_VMALL = 0x28;
inline constexpr u8 CMDQ_OP_TLBI_S2_IPA = 0x2a;
inline constexpr u8 CMDQ_OP_TLBI_NSNH_ALL = 0x30;
inline constexpr u8 CMDQ_OP_ATC_INV = 0x40;
inline constexpr u8 CMDQ_OP_PRI_RESP = 0x41;
inline constexpr u8 CMDQ_OP_RESUME = 0x44;
inline constexpr u8 CMDQ_OP_STALL_TERM = 0x45;
inline constexpr u8 CMDQ_OP_CMD_SYNC = 0x46;
inline constexpr u8 CMDQ_OP_TLBI_SNH_ALL = 0x60;
inline constexpr u8 CMDQ_OP_TLBI_S_EL2_ALL = 0x50;
inline constexpr u8 CMDQ_OP_TLBI_S_EL2_ASID = 0x51;
inline constexpr u8 CMDQ_OP_TLBI_S_EL2_VA = 0x52;
inline constexpr u8 CMDQ_OP_TLBI_S_EL2_VAA = 0x53;
inline constexpr u8 CMDQ_OP_TLBI_S_S12_VMALL = 0x58;
inline constexpr u8 CMDQ_OP_TLBI_S_S2_IPA = 0x5a;
inline constexpr u8 CMDQ_OP_DPTI_ALL = 0x70;
inline constexpr u8 CMDQ_OP_DPTI_PA = 0x73;

/* Word 0 of every command. */
inline constexpr u64 CMDQ_0_OP = GENMASK_ULL(7, 0);
inline constexpr u64 CMDQ_0_SSV = BIT_ULL(11);

/* PREFETCH_CONFIG, PREFETCH_ADDR (4.2). */
inline constexpr u64 CMDQ_PREFETCH_0_SSID = GENMASK_ULL(31, 12);
inline constexpr u64 CMDQ_PREFETCH_0_SID = GENMASK_ULL(63, 32);
inline constexpr u64 CMDQ_PREFETCH_1_SIZE = GENMASK_ULL(4, 0);
inline constexpr u64 CMDQ_PREFETCH_1_STRIDE = GENMASK_ULL(9, 5);
inline constexpr u64 CMDQ_PREFETCH_1_ADDR_MASK = GENMASK_ULL(63, 12);

/* CFGI_STE, CFGI_STE_RANGE, CFGI_CD, CFGI_CD_ALL (4.3). */
inline constexpr u64 CMDQ_CFGI_0_SSID = GENMASK_ULL(31, 12);
inline constexpr u64 CMDQ_CFGI_0_SID = GENMASK_ULL(63, 32);
inline constexpr u64 CMDQ_CFGI_1_LEAF = BIT_ULL(0);
/* CFGI_STE_RANGE: invalidates 2^(RANGE+1) StreamIDs aligned down from SID. */
inline constexpr u64 CMDQ_CFGI_1_RANGE = GENMASK_ULL(4, 0);
inline constexpr u64 CMDQ_CFGI_1_RANGE_ALL = 31;

/*
 * TLBI_* (4.4). NUM and SCALE make a range invalidation (IDR3.RIL): the
 * range is (NUM + 1) * 2^SCALE translation granules from ADDR; TG gives the
 * granule (0 = not a range: ADDR is one page), TTL the level hint.
 */
inline constexpr u64 CMDQ_TLBI_0_NUM = GENMASK_ULL(16, 12);
inline constexpr unsigned int CMDQ_TLBI_RANGE_NUM_MAX = 31;
inline constexpr u64 CMDQ_TLBI_0_SCALE = GENMASK_ULL(24, 20);
inline constexpr u64 CMDQ_TLBI_0_VMID = GENMASK_ULL(47, 32);
inline constexpr u64 CMDQ_TLBI_0_ASID = GENMASK_ULL(63, 48);
inline constexpr u64 CMDQ_TLBI_1_LEAF = BIT_ULL(0);
inline constexpr u64 CMDQ_TLBI_1_TTL = GENMASK_ULL(9, 8);
inline constexpr u64 CMDQ_TLBI_1_TG = GENMASK_ULL(11, 10);
inline constexpr u64 CMDQ_TLBI_1_TG_4K = 1;
inline constexpr u64 CMDQ_TLBI_1_TG_16K = 2;
inline constexpr u64 CMDQ_TLBI_1_TG_64K = 3;
inline constexpr u64 CMDQ_TLBI_1_VA_MASK = GENMASK_ULL(63, 12);
inline constexpr u64 CMDQ_TLBI_1_IPA_MASK = GENMASK_ULL(51, 12);

/*
 * ATC_INV (4.5): invalidates 2^SIZE 4 KiB pages aligned at ADDR in the
 * endpoint's ATC; SIZE 52 covers everything. GLOBAL extends an SSV
 * invalidation to the global (no-PASID) entries.
 */
inline constexpr u64 CMDQ_ATC_0_GLOBAL = BIT_ULL(9);
inline constexpr u64 CMDQ_ATC_0_SSID = GENMASK_ULL(31, 12);
inline constexpr u64 CMDQ_ATC_0_SID = GENMASK_ULL(63, 32);
inline constexpr u64 CMDQ_ATC_1_SIZE = GENMASK_ULL(5, 0);
inline constexpr u64 CMDQ_ATC_1_ADDR_MASK = GENMASK_ULL(63, 12);
inline constexpr unsigned int ATC_INV_SIZE_ALL = 52;

/* PRI_RESP (4.6.1): the response to a page request group. */
inline constexpr u64 CMDQ_PRI_0_SSID = GENMASK_ULL(31, 12);
inline constexpr u64 CMDQ_PRI_0_SID = GENMASK_ULL(63, 32);
inline constexpr u64 CMDQ_PRI_1_GRPID = GENMASK_ULL(8, 0);
inline constexpr u64 CMDQ_PRI_1_RESP = GENMASK_ULL(13, 12);

enum pri_resp {
	PRI_RESP_DENY = 0, /* Invalid Request */
	PRI_RESP_FAIL = 1, /* Response Failure */
	PRI_RESP_SUCC = 2, /* Success */
};

/* RESUME, STALL_TERM (4.6.2, 4.6.3): the response to a stalled transaction. */
inline constexpr u64 CMDQ_RESUME_0_RESP = GENMASK_ULL(13, 12);
inline constexpr u64 CMDQ_RESUME_0_RESP_TERM = 0;
inline constexpr u64 CMDQ_RESUME_0_RESP_RETRY = 1;
inline constexpr u64 CMDQ_RESUME_0_RESP_ABORT = 2;
inline constexpr u64 CMDQ_RESUME_0_SID = GENMASK_ULL(63, 32);
inline constexpr u64 CMDQ_RESUME_1_STAG = GENMASK_ULL(15, 0);
inline constexpr u64 CMDQ_STALL_TERM_0_SID = GENMASK_ULL(63, 32);

/*
 * CMD_SYNC (4.7): completes once every earlier command has. CS says how
 * completion is signalled: NONE (CONS moving past it), IRQ (a 32-bit write
 * of MSIDATA to MSIADDR, if MSIADDR is not 0) or SEV (a WFE wake-up event).
 */
inline constexpr u64 CMDQ_SYNC_0_CS = GENMASK_ULL(13, 12);
inline constexpr u64 CMDQ_SYNC_0_CS_NONE = 0;
inline constexpr u64 CMDQ_SYNC_0_CS_IRQ = 1;
inline constexpr u64 CMDQ_SYNC_0_CS_SEV = 2;
inline constexpr u64 CMDQ_SYNC_0_MSH = GENMASK_ULL(23, 22);
inline constexpr u64 CMDQ_SYNC_0_MSIATTR = GENMASK_ULL(27, 24);
inline constexpr u64 CMDQ_SYNC_0_MSIDATA = GENMASK_ULL(63, 32);
inline constexpr u64 CMDQ_SYNC_1_MSIADDR_MASK = GENMASK_ULL(51, 2);

/* ----- Event queue (chapter 7) ----- */

inline constexpr unsigned int EVTQ_ENT_SZ_SHIFT = 5;
inline constexpr unsigned int EVTQ_ENT_DWORDS = (1 << EVTQ_ENT_SZ_SHIFT) / 8;

/* Event types (7.3). */
inline constexpr u8 EVT_ID_UUT = 0x01;
inline constexpr u8 EVT_ID_BAD_STREAMID_CONFIG = 0x02;
inline constexpr u8 EVT_ID_STE_FETCH_FAULT = 0x03;
inline constexpr u8 EVT_ID_BAD_STE_CONFIG = 0x04;
inline constexpr u8 EVT_ID_BAD_ATS_TREQ = 0x05;
inline constexpr u8 EVT_ID_STREAM_DISABLED_FAULT = 0x06;
inline constexpr u8 EVT_ID_TRANSL_FORBIDDEN = 0x07;
inline constexpr u8 EVT_ID_BAD_SUBSTREAMID_CONFIG = 0x08;
inline constexpr u8 EVT_ID_CD_FETCH_FAULT = 0x09;
inline constexpr u8 EVT_ID_BAD_CD_CONFIG = 0x0a;
inline constexpr u8 EVT_ID_WALK_EABT = 0x0b;
inline constexpr u8 EVT_ID_TRANSLATION_FAULT = 0x10;
inline constexpr u8 EVT_ID_ADDR_SIZE_FAULT = 0x11;
inline constexpr u8 EVT_ID_ACCESS_FAULT = 0x12;
inline constexpr u8 EVT_ID_PERMISSION_FAULT = 0x13;
inline constexpr u8 EVT_ID_TLB_CONFLICT = 0x20;
inline constexpr u8 EVT_ID_CFG_CONFLICT = 0x21;
inline constexpr u8 EVT_ID_PAGE_REQUEST = 0x24;
inline constexpr u8 EVT_ID_VMS_FETCH = 0x25;

/* Word 0 of every event. */
inline constexpr u64 EVTQ_0_ID = GENMASK_ULL(7, 0);
inline constexpr u64 EVTQ_0_SSV = BIT_ULL(11);
inline constexpr u64 EVTQ_0_SSID = GENMASK_ULL(31, 12);
inline constexpr u64 EVTQ_0_SID = GENMASK_ULL(63, 32);

/* Word 1 of the translation-related events (F_TRANSLATION ... F_WALK_EABT). */
inline constexpr u64 EVTQ_1_STAG = GENMASK_ULL(15, 0);
inline constexpr u64 EVTQ_1_STALL = BIT_ULL(31);
inline constexpr u64 EVTQ_1_PnU = BIT_ULL(33);
inline constexpr u64 EVTQ_1_InD = BIT_ULL(34);
inline constexpr u64 EVTQ_1_RnW = BIT_ULL(35);
inline constexpr u64 EVTQ_1_NSIPA = BIT_ULL(38);
inline constexpr u64 EVTQ_1_S2 = BIT_ULL(39);
inline constexpr u64 EVTQ_1_CLASS = GENMASK_ULL(41, 40);
inline constexpr u64 EVTQ_1_CLASS_CD = 0; /* fetching the CD */
inline constexpr u64 EVTQ_1_CLASS_TT = 1; /* a translation table walk */
inline constexpr u64 EVTQ_1_CLASS_IN = 2; /* the input address itself */
inline constexpr u64 EVTQ_1_TT_READ = BIT_ULL(44);
/* F_WALK_EABT, F_STE_FETCH, F_CD_FETCH: why the fetch failed. */
inline constexpr u64 EVTQ_1_REASON = GENMASK_ULL(31, 16);

/* Word 2: the input address (IOVA) of the transaction. */
inline constexpr u64 EVTQ_2_ADDR = GENMASK_ULL(63, 0);
/* Word 3: the IPA of a stage-2 fault, or a fetch address. */
inline constexpr u64 EVTQ_3_IPA = GENMASK_ULL(51, 12);
inline constexpr u64 EVTQ_3_FETCH_ADDR = GENMASK_ULL(51, 3);

/* ----- PRI queue (chapter 8) ----- */

inline constexpr unsigned int PRIQ_ENT_SZ_SHIFT = 4;
inline constexpr unsigned int PRIQ_ENT_DWORDS = (1 << PRIQ_ENT_SZ_SHIFT) / 8;

inline constexpr u64 PRIQ_0_SID = GENMASK_ULL(31, 0);
inline constexpr u64 PRIQ_0_SSID = GENMASK_ULL(51, 32);
inline constexpr u64 PRIQ_0_PERM_PRIV = BIT_ULL(58);
inline constexpr u64 PRIQ_0_PERM_EXEC = BIT_ULL(59);
inline constexpr u64 PRIQ_0_PERM_READ = BIT_ULL(60);
inline constexpr u64 PRIQ_0_PERM_WRITE = BIT_ULL(61);
inline constexpr u64 PRIQ_0_PRG_LAST = BIT_ULL(62);
inline constexpr u64 PRIQ_0_SSID_V = BIT_ULL(63);
inline constexpr u64 PRIQ_1_PRG_IDX = GENMASK_ULL(8, 0);
inline constexpr u64 PRIQ_1_ADDR_MASK = GENMASK_ULL(63, 12);

/* Entries as arrays of little-endian words, sized as the spec sizes them. */
struct arm_smmu_cmdq_ent_raw {
	u64 data[CMDQ_ENT_DWORDS];
};
static_assert(sizeof(struct arm_smmu_cmdq_ent_raw) == 16);

struct arm_smmu_evtq_ent_raw {
	u64 data[EVTQ_ENT_DWORDS];
};
static_assert(sizeof(struct arm_smmu_evtq_ent_raw) == 32);

struct arm_smmu_priq_ent_raw {
	u64 data[PRIQ_ENT_DWORDS];
};
static_assert(sizeof(struct arm_smmu_priq_ent_raw) == 16);
