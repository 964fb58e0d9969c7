/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VT-d queue entries and fault reporting (VT-d specification,
 * chapters 6.5, 7): invalidation descriptors of the queued invalidation
 * interface, page request descriptors and page group responses, and the
 * fault reasons a fault record carries.
 *
 * Descriptors are 128 bits (qw0, qw1) or, with IQA.DW, 256 bits (qw2 and
 * qw3 hold page-group-response private data and are otherwise zero). The
 * type is split: bits 3:0 and 11:9 of qw0. Field masks are named
 * QI_<DESC>_<word>_<FIELD>; the kernel's composing macros (QI_IOTLB_DID(),
 * QI_CC_GRAN() ...) are constexpr functions of the same names.
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"
#include "harness/compiler.h"

struct qi_desc {
	u64 qw0;
	u64 qw1;
	u64 qw2;
	u64 qw3;
};
static_assert(sizeof(struct qi_desc) == 32);

inline constexpr unsigned int QI_DESC_128_SIZE = 16;
inline constexpr unsigned int QI_DESC_256_SIZE = 32;

/* ----- Descriptor types (6.5.2) ----- */

inline constexpr u64 QI_TYPE_LO = GENMASK_ULL(3, 0);
inline constexpr u64 QI_TYPE_HI = GENMASK_ULL(11, 9);

constexpr unsigned int qi_desc_type(u64 qw0)
{
	return FIELD_GET(QI_TYPE_LO, qw0) | (FIELD_GET(QI_TYPE_HI, qw0) << 4);
}

inline constexpr unsigned int QI_CC_TYPE = 0x1;		/* context-cache */
inline constexpr unsigned int QI_IOTLB_TYPE = 0x2;	/* IOTLB (second stage, no PASID) */
inline constexpr unsigned int QI_DIOTLB_TYPE = 0x3;	/* device-TLB */
inline constexpr unsigned int QI_IEC_TYPE = 0x4;	/* interrupt entry cache */
inline constexpr unsigned int QI_IWD_TYPE = 0x5;	/* invalidation wait */
inline constexpr unsigned int QI_EIOTLB_TYPE = 0x6;	/* PASID-based IOTLB */
inline constexpr unsigned int QI_PC_TYPE = 0x7;		/* PASID cache */
inline constexpr unsigned int QI_DEIOTLB_TYPE = 0x8;	/* PASID-based device-TLB */
inline constexpr unsigned int QI_PGRP_RESP_TYPE = 0x9;	/* page group response */
inline constexpr unsigned int QI_PSTRM_RESP_TYPE = 0xa;	/* page stream response (pre-3.0) */

/* ----- Context-cache invalidate (6.5.2.1) ----- */

inline constexpr u64 QI_CC_0_GRAN = GENMASK_ULL(5, 4);
inline constexpr u64 QI_CC_0_DID = GENMASK_ULL(31, 16);
inline constexpr u64 QI_CC_0_SID = GENMASK_ULL(47, 32);
inline constexpr u64 QI_CC_0_FM = GENMASK_ULL(49, 48);
inline constexpr u64 QI_CC_0_RES0 = GENMASK_ULL(8, 6) | GENMASK_ULL(15, 12) | GENMASK_ULL(63, 50);
inline constexpr u64 QI_CC_1_RES0 = ~0ULL;
/* QI_CC_0_GRAN values (those of CCMD.CIRG). */
inline constexpr unsigned int QI_CC_GRAN_GLOBAL = 1;
inline constexpr unsigned int QI_CC_GRAN_DOMAIN = 2;
inline constexpr unsigned int QI_CC_GRAN_DEVICE = 3;

constexpr u64 QI_CC_FM(u64 fm) { return fm << 48; }
constexpr u64 QI_CC_SID(u64 sid) { return sid << 32; }
constexpr u64 QI_CC_DID(u64 did) { return did << 16; }
/* From a DMA_CCMD_*_INVL request granularity. */
constexpr u64 QI_CC_GRAN(u64 gran) { return gran >> (61 - 4); }

/* ----- IOTLB invalidate (6.5.2.3) ----- */

inline constexpr u64 QI_IOTLB_0_GRAN = GENMASK_ULL(5, 4);
inline constexpr u64 QI_IOTLB_0_DW = BIT_ULL(6);
inline constexpr u64 QI_IOTLB_0_DR = BIT_ULL(7);
inline constexpr u64 QI_IOTLB_0_DID = GENMASK_ULL(31, 16);
inline constexpr u64 QI_IOTLB_0_RES0 = BIT_ULL(8) | GENMASK_ULL(15, 12) | GENMASK_ULL(63, 32);
inline constexpr u64 QI_IOTLB_1_AM = GENMASK_ULL(5, 0);	/* 2^AM pages, ADDR aligned */
inline constexpr u64 QI_IOTLB_1_IH = BIT_ULL(6);	/* leaf entries only: keep paging caches */
inline constexpr u64 QI_IOTLB_1_ADDR = GENMASK_ULL(63, 12);
inline constexpr u64 QI_IOTLB_1_RES0 = GENMASK_ULL(11, 7);
/* QI_IOTLB_0_GRAN values (those of IOTLB_REG.IIRG). */
inline constexpr unsigned int QI_IOTLB_GRAN_GLOBAL = 1;
inline constexpr unsigned int QI_IOTLB_GRAN_DOMAIN = 2;
inline constexpr unsigned int QI_IOTLB_GRAN_PAGE = 3;

constexpr u64 QI_IOTLB_DID(u64 did) { return did << 16; }
constexpr u64 QI_IOTLB_DR(u64 dr) { return dr << 7; }
constexpr u64 QI_IOTLB_DW(u64 dw) { return dw << 6; }
/* From a DMA_TLB_*_FLUSH request granularity. */
constexpr u64 QI_IOTLB_GRAN(u64 gran) { return gran >> (60 - 4); }
constexpr u64 QI_IOTLB_ADDR(u64 addr) { return addr & GENMASK_ULL(63, 12); }
constexpr u64 QI_IOTLB_IH(u64 ih) { return ih << 6; }
constexpr u64 QI_IOTLB_AM(u64 am) { return am & 0x3f; }

/*
 * ----- Device-TLB invalidate (6.5.2.5) -----
 *
 * Sent to an ATS endpoint. S clear: one 4 KiB page at ADDR. S set: the
 * lowest clear bit of ADDR[63:12] gives the size (ATS invalidation
 * encoding): bits 12..n-1 set and bit n clear is 2^(n+1) bytes at ADDR
 * with those bits cleared.
 */
inline constexpr u64 QI_DEV_IOTLB_0_PFSID_LO = GENMASK_ULL(15, 12);
inline constexpr u64 QI_DEV_IOTLB_0_MIP = GENMASK_ULL(20, 16);	/* max invalidations pending */
inline constexpr u64 QI_DEV_IOTLB_0_SID = GENMASK_ULL(47, 32);
inline constexpr u64 QI_DEV_IOTLB_0_PFSID_HI = GENMASK_ULL(63, 52);
inline constexpr u64 QI_DEV_IOTLB_0_RES0 = GENMASK_ULL(8, 4) | GENMASK_ULL(31, 21) |
					   GENMASK_ULL(51, 48);
inline constexpr u64 QI_DEV_IOTLB_1_S = BIT_ULL(0);
inline constexpr u64 QI_DEV_IOTLB_1_ADDR = GENMASK_ULL(63, 12);
inline constexpr u64 QI_DEV_IOTLB_1_RES0 = GENMASK_ULL(11, 1);

constexpr u64 QI_DEV_IOTLB_SID(u64 sid) { return (sid & 0xffff) << 32; }
constexpr u64 QI_DEV_IOTLB_QDEP(u64 qdep) { return (qdep & 0x1f) << 16; }
constexpr u64 QI_DEV_IOTLB_ADDR(u64 addr) { return addr & GENMASK_ULL(63, 12); }
constexpr u64 QI_DEV_IOTLB_PFSID(u64 pfsid)
{
	return ((pfsid & 0xf) << 12) | (((pfsid >> 4) & 0xfff) << 52);
}
inline constexpr u64 QI_DEV_IOTLB_SIZE = 1;
inline constexpr unsigned int QI_DEV_IOTLB_MAX_INVS = 32;

/* ----- Interrupt entry cache invalidate (6.5.2.7) ----- */

inline constexpr u64 QI_IEC_0_G = BIT_ULL(4);	/* 0 global, 1 index-selective */
inline constexpr u64 QI_IEC_0_IM = GENMASK_ULL(31, 27);
inline constexpr u64 QI_IEC_0_IIDX = GENMASK_ULL(47, 32);
inline constexpr u64 QI_IEC_0_RES0 = GENMASK_ULL(8, 5) | GENMASK_ULL(26, 12) | GENMASK_ULL(63, 48);
inline constexpr u64 QI_IEC_1_RES0 = ~0ULL;
inline constexpr u64 QI_IEC_SELECTIVE = QI_IEC_0_G;
constexpr u64 QI_IEC_IIDEX(u64 idx) { return (idx & 0xffff) << 32; }
constexpr u64 QI_IEC_IM(u64 m) { return (m & 0x1f) << 27; }

/*
 * ----- Invalidation wait (6.5.2.8) -----
 *
 * Completes once every earlier descriptor has (with FN, also before any
 * later one starts). SW writes STATUS_DATA (32 bits) to STATUS_ADDR; IF
 * sets ICS.IWC and raises the invalidation completion event; PD also waits
 * for page requests received before it to be written to the page request
 * queue (ECAP.PDS).
 */
inline constexpr u64 QI_IWD_IF = BIT_ULL(4);
inline constexpr u64 QI_IWD_STATUS_WRITE = BIT_ULL(5);
inline constexpr u64 QI_IWD_FENCE = BIT_ULL(6);
inline constexpr u64 QI_IWD_PRQ_DRAIN = BIT_ULL(7);
inline constexpr u64 QI_IWD_0_STATUS_DATA = GENMASK_ULL(63, 32);
inline constexpr u64 QI_IWD_0_RES0 = BIT_ULL(8) | GENMASK_ULL(31, 12);
inline constexpr u64 QI_IWD_1_STATUS_ADDR = GENMASK_ULL(63, 2);
inline constexpr u64 QI_IWD_1_RES0 = GENMASK_ULL(1, 0);
constexpr u64 QI_IWD_STATUS_DATA(u64 d) { return d << 32; }

/* ----- PASID-based IOTLB invalidate (6.5.2.4) ----- */

inline constexpr u64 QI_EIOTLB_0_GRAN = GENMASK_ULL(5, 4);
inline constexpr u64 QI_EIOTLB_0_DID = GENMASK_ULL(31, 16);
inline constexpr u64 QI_EIOTLB_0_PASID = GENMASK_ULL(51, 32);
inline constexpr u64 QI_EIOTLB_0_RES0 = GENMASK_ULL(8, 6) | GENMASK_ULL(15, 12) |
					GENMASK_ULL(63, 52);
inline constexpr u64 QI_EIOTLB_1_AM = GENMASK_ULL(5, 0);
inline constexpr u64 QI_EIOTLB_1_IH = BIT_ULL(6);
inline constexpr u64 QI_EIOTLB_1_ADDR = GENMASK_ULL(63, 12);
inline constexpr u64 QI_EIOTLB_1_RES0 = GENMASK_ULL(11, 7);
/* QI_EIOTLB_0_GRAN values; 0 and 1 are reserved. */
inline constexpr unsigned int QI_GRAN_NONG_PASID = 2;	/* non-global entries of a PASID */
inline constexpr unsigned int QI_GRAN_PSI_PASID = 3;	/* page-selective within a PASID */

constexpr u64 QI_EIOTLB_ADDR(u64 addr) { return addr & GENMASK_ULL(63, 12); }
constexpr u64 QI_EIOTLB_IH(u64 ih) { return ih << 6; }
constexpr u64 QI_EIOTLB_AM(u64 am) { return am & 0x3f; }
constexpr u64 QI_EIOTLB_PASID(u64 pasid) { return pasid << 32; }
constexpr u64 QI_EIOTLB_DID(u64 did) { return did << 16; }
constexpr u64 QI_EIOTLB_GRAN(u64 gran) { return gran << 4; }

/* ----- PASID-cache invalidate (6.5.2.2) ----- */

inline constexpr u64 QI_PC_0_GRAN = GENMASK_ULL(5, 4);
inline constexpr u64 QI_PC_0_DID = GENMASK_ULL(31, 16);
inline constexpr u64 QI_PC_0_PASID = GENMASK_ULL(51, 32);
inline constexpr u64 QI_PC_0_RES0 = GENMASK_ULL(8, 6) | GENMASK_ULL(15, 12) | GENMASK_ULL(63, 52);
inline constexpr u64 QI_PC_1_RES0 = ~0ULL;
/* QI_PC_0_GRAN values; 2 is reserved. */
inline constexpr unsigned int QI_PC_ALL_PASIDS = 0;	/* every PASID of a domain */
inline constexpr unsigned int QI_PC_PASID_SEL = 1;	/* one PASID of a domain */
inline constexpr unsigned int QI_PC_GLOBAL = 3;

constexpr u64 QI_PC_PASID(u64 pasid) { return pasid << 32; }
constexpr u64 QI_PC_DID(u64 did) { return did << 16; }
constexpr u64 QI_PC_GRAN(u64 gran) { return gran << 4; }

/* ----- PASID-based device-TLB invalidate (6.5.2.6) ----- */

inline constexpr u64 QI_DEV_EIOTLB_0_MIP = GENMASK_ULL(8, 4);
inline constexpr u64 QI_DEV_EIOTLB_0_PFSID_LO = GENMASK_ULL(15, 12);
inline constexpr u64 QI_DEV_EIOTLB_0_SID = GENMASK_ULL(31, 16);
inline constexpr u64 QI_DEV_EIOTLB_0_PASID = GENMASK_ULL(51, 32);
inline constexpr u64 QI_DEV_EIOTLB_0_PFSID_HI = GENMASK_ULL(63, 52);
inline constexpr u64 QI_DEV_EIOTLB_1_G = BIT_ULL(0);	/* also the global (no-PASID) entries */
inline constexpr u64 QI_DEV_EIOTLB_1_S = BIT_ULL(11);
inline constexpr u64 QI_DEV_EIOTLB_1_ADDR = GENMASK_ULL(63, 12);
inline constexpr u64 QI_DEV_EIOTLB_1_RES0 = GENMASK_ULL(10, 1);

constexpr u64 QI_DEV_EIOTLB_ADDR(u64 a) { return a & GENMASK_ULL(63, 12); }
inline constexpr u64 QI_DEV_EIOTLB_SIZE = QI_DEV_EIOTLB_1_S;
constexpr u64 QI_DEV_EIOTLB_PASID(u64 p) { return (p & 0xfffff) << 32; }
constexpr u64 QI_DEV_EIOTLB_SID(u64 sid) { return (sid & 0xffff) << 16; }
constexpr u64 QI_DEV_EIOTLB_QDEP(u64 qd) { return (qd & 0x1f) << 4; }
constexpr u64 QI_DEV_EIOTLB_PFSID(u64 pfsid)
{
	return ((pfsid & 0xf) << 12) | (((pfsid >> 4) & 0xfff) << 52);
}
inline constexpr unsigned int QI_DEV_EIOTLB_MAX_INVS = 32;
inline constexpr unsigned int QI_DEV_IOTLB_GRAN_ALL = 1;
inline constexpr unsigned int QI_DEV_IOTLB_GRAN_PASID_SEL = 0;

/*
 * ----- Page group response (6.5.2.9) -----
 *
 * The answer to the last request of a page request group: sent to the
 * endpoint RID with the group index, the PASID if the request had one,
 * and the private data (qw2, qw3) if the request carried it (PDP).
 */
inline constexpr u64 QI_PGRP_0_PASID_P = BIT_ULL(4);
inline constexpr u64 QI_PGRP_0_PDP = BIT_ULL(5);
inline constexpr u64 QI_PGRP_0_RESP_CODE = GENMASK_ULL(15, 12);
inline constexpr u64 QI_PGRP_0_RID = GENMASK_ULL(31, 16);
inline constexpr u64 QI_PGRP_0_PASID = GENMASK_ULL(51, 32);
inline constexpr u64 QI_PGRP_0_RES0 = GENMASK_ULL(8, 6) | GENMASK_ULL(63, 52);
inline constexpr u64 QI_PGRP_1_LPIG = BIT_ULL(2);
inline constexpr u64 QI_PGRP_1_IDX = GENMASK_ULL(11, 3);
inline constexpr u64 QI_PGRP_1_RES0 = GENMASK_ULL(1, 0) | GENMASK_ULL(63, 12);

constexpr u64 QI_PGRP_PASID_P(u64 p) { return p << 4; }
constexpr u64 QI_PGRP_PDP(u64 p) { return p << 5; }
constexpr u64 QI_PGRP_RESP_CODE(u64 res) { return res << 12; }
constexpr u64 QI_PGRP_DID(u64 rid) { return rid << 16; }	/* the kernel's name for the RID */
constexpr u64 QI_PGRP_PASID(u64 pasid) { return pasid << 32; }
constexpr u64 QI_PGRP_LPIG(u64 x) { return x << 2; }
constexpr u64 QI_PGRP_IDX(u64 idx) { return idx << 3; }

/* Response codes (PCIe PRG Response). */
inline constexpr unsigned int QI_RESP_SUCCESS = 0x0;
inline constexpr unsigned int QI_RESP_INVALID = 0x1;
inline constexpr unsigned int QI_RESP_FAILURE = 0xf;

/*
 * ----- Page request descriptor (7.5.1) -----
 *
 * Written by the hardware into the page request queue, 32 bytes each.
 * LPIG marks the last request of a group, the one software answers with a
 * page group response; qw2/qw3 hold the endpoint's private data when PDP.
 */
struct page_req_dsc {
	u64 qw_0;
	u64 qw_1;
	u64 qw_2;
	u64 qw_3;
};
static_assert(sizeof(struct page_req_dsc) == 32);

inline constexpr u64 PRQ_0_TYPE = GENMASK_ULL(7, 0);
inline constexpr u64 PRQ_0_PASID_PRESENT = BIT_ULL(8);
inline constexpr u64 PRQ_0_PDP = BIT_ULL(9);	/* private data present */
inline constexpr u64 PRQ_0_RID = GENMASK_ULL(31, 16);
inline constexpr u64 PRQ_0_PASID = GENMASK_ULL(51, 32);
inline constexpr u64 PRQ_0_EXE_REQ = BIT_ULL(52);
inline constexpr u64 PRQ_0_PM_REQ = BIT_ULL(53);	/* privileged mode requested */
inline constexpr u64 PRQ_1_RD_REQ = BIT_ULL(0);
inline constexpr u64 PRQ_1_WR_REQ = BIT_ULL(1);
inline constexpr u64 PRQ_1_LPIG = BIT_ULL(2);
inline constexpr u64 PRQ_1_PRG_INDEX = GENMASK_ULL(11, 3);
inline constexpr u64 PRQ_1_ADDR = GENMASK_ULL(63, 12);
inline constexpr u64 PRQ_TYPE_PAGE_REQ = 1;

/*
 * ----- Fault reasons (7.1.3, 7.2) -----
 *
 * The FR field of a fault record. Legacy mode reports 0x1-0xe, scalable
 * mode 0x30 and above; each name's comment gives the spec's condition
 * code (LRT.2, SCT.4, ...). 0x20-0x29 are interrupt-remapping faults.
 */
enum dmar_fault_reason {
	/* Legacy mode. */
	DMAR_FR_ROOT_ENTRY_P = 0x1,		/* LRT.2: root entry not present */
	DMAR_FR_CONTEXT_ENTRY_P = 0x2,		/* LCT.2: context entry not present */
	DMAR_FR_CONTEXT_ENTRY_INV = 0x3,	/* LCT.4: AW/TT/pointer invalid */
	DMAR_FR_ADDR_BEYOND_MGAW = 0x4,		/* LGN.1: input above the AGAW */
	DMAR_FR_WRITE = 0x5,			/* LGN.2: no write permission */
	DMAR_FR_READ = 0x6,			/* LGN.3: no read permission */
	DMAR_FR_PAGING_ENTRY_INV = 0x7,		/* LSL.1: accessing a paging entry failed */
	DMAR_FR_ROOT_TABLE_INV = 0x8,		/* LRT.1: accessing the root entry failed */
	DMAR_FR_CONTEXT_TABLE_INV = 0x9,	/* LCT.1: accessing the context entry failed */
	DMAR_FR_ROOT_ENTRY_RSVD = 0xa,		/* LRT.3 */
	DMAR_FR_CONTEXT_ENTRY_RSVD = 0xb,	/* LCT.3 */
	DMAR_FR_PAGING_ENTRY_RSVD = 0xc,	/* LSL.2 */
	DMAR_FR_CONTEXT_ENTRY_TT = 0xd,		/* LCT.5: TT blocks the request type */
	DMAR_FR_INTERRUPT_ADDR = 0xe,		/* LGN.4: output in the interrupt range */

	/* Scalable mode: root table address. */
	DMAR_FR_SM_RTA_INVALID = 0x30,		/* RTA.1: TTM reserved / RTA invalid */
	DMAR_FR_SM_RTA_LEGACY_PASID = 0x31,	/* RTA.2: legacy TTM, request with PASID */
	DMAR_FR_SM_RTA_LEGACY_PRQ = 0x32,	/* RTA.3: legacy TTM, page request */
	DMAR_FR_SM_RTA_ABORT_DMA = 0x33,	/* RTA.4: TTM abort-DMA mode */
	/* Root entry. */
	DMAR_FR_SM_ROOT_ACCESS = 0x38,		/* SRT.1 */
	DMAR_FR_SM_ROOT_P = 0x39,		/* SRT.2: LP/UP clear */
	DMAR_FR_SM_ROOT_RSVD = 0x3a,		/* SRT.3 */
	/* Context entry. */
	DMAR_FR_SM_CTX_ACCESS = 0x40,		/* SCT.1 */
	DMAR_FR_SM_CTX_P = 0x41,		/* SCT.2 */
	DMAR_FR_SM_CTX_RSVD = 0x42,		/* SCT.3 */
	DMAR_FR_SM_CTX_INV = 0x43,		/* SCT.4: an invalid programming */
	DMAR_FR_SM_CTX_DTE = 0x44,		/* SCT.5: translation request with DTE clear */
	DMAR_FR_SM_CTX_PASIDE = 0x45,		/* SCT.6: request with PASID, PASIDE clear */
	DMAR_FR_SM_CTX_PASID_MAX = 0x46,	/* SCT.7: PASID beyond the PASID directory */
	DMAR_FR_SM_CTX_PRE = 0x47,		/* SCT.8: page request with PRE clear */
	DMAR_FR_SM_CTX_RID_PASID = 0x48,	/* SCT.9: RID_PASID error */
	/* PASID directory entry. */
	DMAR_FR_SM_PDE_ACCESS = 0x50,		/* SPD.1 */
	DMAR_FR_SM_PDE_P = 0x51,		/* SPD.2 */
	DMAR_FR_SM_PDE_RSVD = 0x52,		/* SPD.3 */
	/* PASID table entry. */
	DMAR_FR_SM_PTE_ACCESS = 0x58,		/* SPT.1 */
	DMAR_FR_SM_PTE_P = 0x59,		/* SPT.2 */
	DMAR_FR_SM_PTE_RSVD = 0x5a,		/* SPT.3 */
	DMAR_FR_SM_PTE_INV = 0x5b,		/* SPT.4: PGTT/AW/FLPM not supported */
	DMAR_FR_SM_PTE_ERE = 0x5c,		/* SPT.5: execute request with ERE clear */
	DMAR_FR_SM_PTE_SRE = 0x5d,		/* SPT.6: supervisor request with SRE clear */
	/* First-stage paging. */
	DMAR_FR_SM_FS_ACCESS = 0x70,		/* SFS.1: accessing a FS entry failed */
	DMAR_FR_SM_FS_P = 0x71,			/* SFS.2: FS entry not present */
	DMAR_FR_SM_FS_RSVD = 0x72,		/* SFS.3: reserved bit in a FS entry */
	DMAR_FR_SM_FS_ROOT_ACCESS = 0x73,	/* SFS.4: accessing the FS root table failed */
	DMAR_FR_SM_FS_NESTED_ADDR = 0x74,	/* SFS.5: FS table address beyond the SS width */
	DMAR_FR_SM_FS_NESTED_ROOT_READ = 0x75,	/* SFS.6: SS denies reading the FS root table */
	DMAR_FR_SM_FS_NESTED_READ = 0x76,	/* SFS.7: SS denies reading a FS table */
	DMAR_FR_SM_FS_NESTED_WRITE = 0x77,	/* SFS.8: SS denies the FS A/D update */
	/* Second-stage paging. */
	DMAR_FR_SM_SS_ACCESS = 0x78,		/* SSS.1: accessing a SS entry failed */
	DMAR_FR_SM_SS_P = 0x79,			/* SSS.2: SS entry with R and W clear */
	DMAR_FR_SM_SS_RSVD = 0x7a,		/* SSS.3: reserved bit in a SS entry */
	DMAR_FR_SM_SS_PTR = 0x7b,		/* SSS.4: invalid SS table pointer */
	DMAR_FR_SM_SS_AD_NOSNOOP = 0x7c,	/* SSS.5 */
	/* General. */
	DMAR_FR_SM_NON_CANONICAL = 0x80,	/* SGN.1: FS input not canonical */
	DMAR_FR_SM_US = 0x81,			/* SGN.2: user request to a supervisor page */
	DMAR_FR_SM_EXEC = 0x82,			/* SGN.3: no execute permission */
	DMAR_FR_SM_ADDR_BEYOND_MGAW = 0x83,	/* SGN.4: input beyond the AGAW/MGAW */
	DMAR_FR_SM_SS_OUT_BEYOND = 0x84,	/* SGN.5: SS output beyond the HAW */
	DMAR_FR_SM_WRITE = 0x85,		/* SGN.6: no write permission */
	DMAR_FR_SM_READ = 0x86,			/* SGN.7: no read permission */
	DMAR_FR_SM_INTERRUPT_ADDR = 0x87,	/* SGN.8: output in the interrupt range */
	DMAR_FR_SM_FS_AD_NOSNOOP = 0x90,	/* SFS.9 */
};
