/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VT-d in-memory translation structures (VT-d specification,
 * chapter 9): root and context entries in legacy and scalable mode, the
 * scalable-mode PASID directory and PASID table, and the paging-entry bits
 * of the first- and second-stage tables.
 *
 * Entries are arrays of 64-bit words as the hardware reads them (a
 * little-endian host is assumed). Masks are named <ENTRY>_<word>_<FIELD>
 * with the word index in the name; reserved bits are *_RES0 masks per word
 * so a model and a test can check them. The structs carry the kernel's
 * names (struct root_entry, struct context_entry, struct pasid_entry ...).
 *
 * Lookup, scalable mode (9.4 - 9.6): RTADDR -> 256 root entries (one per
 * bus; lower half for devfn 0-127, upper for 128-255) -> a 4 KiB context
 * table of 128 256-bit entries -> a PASID directory of 2^(PDTS + 7)
 * entries indexed by PASID[19:6] -> a 4 KiB PASID table of 64 512-bit
 * entries indexed by PASID[5:0]. Legacy mode: root entry (lower 64 bits)
 * -> 256 128-bit context entries indexed by devfn.
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"
#include "harness/compiler.h"

/* VT-d tables use 4 KiB pages whatever the CPU's page size. */
inline constexpr unsigned int VTD_PAGE_SHIFT = 12;
inline constexpr u64 VTD_PAGE_SIZE = 1ULL << VTD_PAGE_SHIFT;
inline constexpr u64 VTD_PAGE_MASK = ~0ULL << VTD_PAGE_SHIFT;
inline constexpr unsigned int VTD_STRIDE_SHIFT = 9;

/* ----- Root entries (9.1, 9.2) ----- */

struct root_entry {
	u64 lo;
	u64 hi;
};
static_assert(sizeof(struct root_entry) == 16);

inline constexpr unsigned int ROOT_ENTRY_NR = 256;	/* one per bus, a 4 KiB table */

/*
 * Legacy: lo holds P and the context-table pointer, hi is reserved.
 * Scalable: lo is the lower context table (LP, LCTP: devfn 0-127), hi the
 * upper one (UP, UCTP: devfn 128-255), same layout.
 */
inline constexpr u64 ROOT_ENTRY_P = BIT_ULL(0);
inline constexpr u64 ROOT_ENTRY_CTP = GENMASK_ULL(63, 12);
inline constexpr u64 ROOT_ENTRY_RES0 = GENMASK_ULL(11, 1);
inline constexpr u64 ROOT_ENTRY_HI_LEGACY_RES0 = ~0ULL;

/* ----- Legacy context entries (9.3) ----- */

struct context_entry {
	u64 lo;
	u64 hi;
};
static_assert(sizeof(struct context_entry) == 16);

inline constexpr u64 CONTEXT_LO_P = BIT_ULL(0);
inline constexpr u64 CONTEXT_LO_FPD = BIT_ULL(1);	/* fault processing disable */
inline constexpr u64 CONTEXT_LO_TT = GENMASK_ULL(3, 2);	/* translation type */
inline constexpr u64 CONTEXT_LO_SLPTPTR = GENMASK_ULL(63, 12);
inline constexpr u64 CONTEXT_LO_RES0 = GENMASK_ULL(11, 4);
inline constexpr u64 CONTEXT_HI_AW = GENMASK_ULL(2, 0);	/* AGAW of the second stage */
inline constexpr u64 CONTEXT_HI_AVAIL = GENMASK_ULL(6, 3);	/* ignored by hardware */
inline constexpr u64 CONTEXT_HI_DID = GENMASK_ULL(23, 8);
inline constexpr u64 CONTEXT_HI_RES0 = BIT_ULL(7) | GENMASK_ULL(63, 24);

/* CONTEXT_LO_TT values. */
inline constexpr u64 CONTEXT_TT_MULTI_LEVEL = 0;	/* untranslated only */
inline constexpr u64 CONTEXT_TT_DEV_IOTLB = 1;		/* also translation requests (ATS) */
inline constexpr u64 CONTEXT_TT_PASS_THROUGH = 2;	/* with ECAP.PT; 3 is reserved */

/* ----- Scalable-mode context entries (9.4) ----- */

struct sm_context_entry {
	u64 val[4];
};
static_assert(sizeof(struct sm_context_entry) == 32);

inline constexpr unsigned int SM_CONTEXT_NR = 128;	/* per 4 KiB table (half a bus) */

inline constexpr u64 SM_CONTEXT_0_P = BIT_ULL(0);
inline constexpr u64 SM_CONTEXT_0_FPD = BIT_ULL(1);
inline constexpr u64 SM_CONTEXT_0_DTE = BIT_ULL(2);	/* device-TLB (ATS) enable */
inline constexpr u64 SM_CONTEXT_0_PASIDE = BIT_ULL(3);	/* requests with PASID allowed */
inline constexpr u64 SM_CONTEXT_0_PRE = BIT_ULL(4);	/* page requests allowed */
inline constexpr u64 SM_CONTEXT_0_PDTS = GENMASK_ULL(11, 9);	/* 2^(PDTS + 7) dir entries */
inline constexpr u64 SM_CONTEXT_0_PASIDDIRPTR = GENMASK_ULL(63, 12);
inline constexpr u64 SM_CONTEXT_0_RES0 = GENMASK_ULL(8, 5);
inline constexpr u64 SM_CONTEXT_1_RID_PASID = GENMASK_ULL(19, 0);	/* with ECAP.RPS */
inline constexpr u64 SM_CONTEXT_1_RID_PRIV = BIT_ULL(20);	/* with ECAP.RPRIVS */
inline constexpr u64 SM_CONTEXT_1_RES0 = GENMASK_ULL(63, 21);
inline constexpr u64 SM_CONTEXT_2_RES0 = ~0ULL;
inline constexpr u64 SM_CONTEXT_3_RES0 = ~0ULL;

/* The kernel's spelling of PASIDE in context_entry.lo. */
inline constexpr u64 CONTEXT_PASIDE = SM_CONTEXT_0_PASIDE;

constexpr unsigned int sm_context_pasid_dir_entries(u64 lo)
{
	return 1U << (FIELD_GET(SM_CONTEXT_0_PDTS, lo) + 7);
}

/* ----- PASID directory and table (9.5, 9.6) ----- */

inline constexpr unsigned int PASID_PDE_SHIFT = 6;	/* PASID[19:6] index the directory */
inline constexpr unsigned int PASID_TBL_ENTRIES = 1U << PASID_PDE_SHIFT;
inline constexpr unsigned int MAX_NR_PASID_BITS = 20;
inline constexpr u32 PASID_MAX = 1U << MAX_NR_PASID_BITS;

struct pasid_dir_entry {
	u64 val;
};
static_assert(sizeof(struct pasid_dir_entry) == 8);

inline constexpr u64 PASID_DIR_P = BIT_ULL(0);
inline constexpr u64 PASID_DIR_FPD = BIT_ULL(1);
inline constexpr u64 PASID_DIR_SMPTBLPTR = GENMASK_ULL(63, 12);
inline constexpr u64 PASID_DIR_RES0 = GENMASK_ULL(11, 2);

struct pasid_entry {
	u64 val[8];
};
static_assert(sizeof(struct pasid_entry) == 64);

/* Word 0: presence, second stage. */
inline constexpr u64 PASID_PTE_PRESENT = BIT_ULL(0);
inline constexpr u64 PASID_PTE_FPD = BIT_ULL(1);
inline constexpr u64 PASID_0_AW = GENMASK_ULL(4, 2);	/* AGAW of the second stage */
inline constexpr u64 PASID_0_SSEE = BIT_ULL(5);	/* second-stage execute enable */
inline constexpr u64 PASID_0_PGTT = GENMASK_ULL(8, 6);	/* PASID granular translation type */
inline constexpr u64 PASID_0_SSADE = BIT_ULL(9);	/* second-stage A/D enable */
inline constexpr u64 PASID_0_SSPTPTR = GENMASK_ULL(63, 12);
inline constexpr u64 PASID_0_RES0 = GENMASK_ULL(11, 10);

/* PASID_0_PGTT values; 0 and 5-7 are reserved. */
inline constexpr u64 PASID_ENTRY_PGTT_FL_ONLY = 1;	/* first stage only */
inline constexpr u64 PASID_ENTRY_PGTT_SL_ONLY = 2;	/* second stage only */
inline constexpr u64 PASID_ENTRY_PGTT_NESTED = 3;	/* first stage over second stage */
inline constexpr u64 PASID_ENTRY_PGTT_PT = 4;		/* pass-through */

/* Word 1: domain and memory type. */
inline constexpr u64 PASID_1_DID = GENMASK_ULL(15, 0);
inline constexpr u64 PASID_1_PWSNP = BIT_ULL(23);	/* page-walk snoop */
inline constexpr u64 PASID_1_PGSNP = BIT_ULL(24);	/* page snoop */
inline constexpr u64 PASID_1_CD = BIT_ULL(25);
inline constexpr u64 PASID_1_EMTE = BIT_ULL(26);
inline constexpr u64 PASID_1_EMT = GENMASK_ULL(29, 27);
inline constexpr u64 PASID_1_PWT = BIT_ULL(30);
inline constexpr u64 PASID_1_PCD = BIT_ULL(31);
inline constexpr u64 PASID_1_PAT = GENMASK_ULL(63, 32);
inline constexpr u64 PASID_1_RES0 = GENMASK_ULL(22, 16);

/* Word 2: first stage. */
inline constexpr u64 PASID_2_SRE = BIT_ULL(0);		/* supervisor requests */
inline constexpr u64 PASID_2_ERE = BIT_ULL(1);		/* execute requests */
inline constexpr u64 PASID_2_FLPM = GENMASK_ULL(3, 2);	/* first-stage paging mode */
inline constexpr u64 PASID_2_WPE = BIT_ULL(4);		/* write protect */
inline constexpr u64 PASID_2_NXE = BIT_ULL(5);		/* no-execute (XD) */
inline constexpr u64 PASID_2_SMEP = BIT_ULL(6);
inline constexpr u64 PASID_2_EAFE = BIT_ULL(7);	/* extended accessed flag */
inline constexpr u64 PASID_2_FSPTPTR = GENMASK_ULL(63, 12);
inline constexpr u64 PASID_2_RES0 = GENMASK_ULL(11, 8);

/* PASID_2_FLPM values; 2 and 3 are reserved. */
inline constexpr u64 PASID_FLPM_4LEVEL = 0;
inline constexpr u64 PASID_FLPM_5LEVEL = 1;

/* Words 3-7 are reserved. */
inline constexpr u64 PASID_3_RES0 = ~0ULL;

/* The kernel's accessors of a PASID directory/table entry. */
static inline bool pasid_pde_is_present(const struct pasid_dir_entry *pde)
{
	return pde->val & PASID_DIR_P;
}
static inline bool pasid_pte_is_present(const struct pasid_entry *pte)
{
	return pte->val[0] & PASID_PTE_PRESENT;
}
static inline bool pasid_pte_is_fault_disabled(const struct pasid_entry *pte)
{
	return pte->val[0] & PASID_PTE_FPD;
}
static inline u16 pasid_pte_get_pgtt(const struct pasid_entry *pte)
{
	return FIELD_GET(PASID_0_PGTT, pte->val[0]);
}
static inline u16 pasid_get_domain_id(const struct pasid_entry *pe)
{
	return FIELD_GET(PASID_1_DID, pe->val[1]);
}

/* ----- Paging entries (9.7, 9.8) ----- */

/* Second stage: present when R or W is set. */
inline constexpr u64 DMA_PTE_READ = BIT_ULL(0);
inline constexpr u64 DMA_PTE_WRITE = BIT_ULL(1);
inline constexpr u64 DMA_PTE_EXEC = BIT_ULL(2);
inline constexpr u64 DMA_PTE_LARGE_PAGE = BIT_ULL(7);
inline constexpr u64 DMA_SL_PTE_ACCESS = BIT_ULL(8);	/* with PASID SSADE */
inline constexpr unsigned int DMA_SL_PTE_DIRTY_BIT = 9;
inline constexpr u64 DMA_SL_PTE_DIRTY = BIT_ULL(DMA_SL_PTE_DIRTY_BIT);
inline constexpr u64 DMA_PTE_SNP = BIT_ULL(11);

/* First stage: x86-64 paging entries. */
inline constexpr u64 DMA_FL_PTE_PRESENT = BIT_ULL(0);
inline constexpr u64 DMA_FL_PTE_RW = BIT_ULL(1);
inline constexpr u64 DMA_FL_PTE_US = BIT_ULL(2);
inline constexpr u64 DMA_FL_PTE_ACCESS = BIT_ULL(5);
inline constexpr u64 DMA_FL_PTE_DIRTY = BIT_ULL(6);
inline constexpr u64 DMA_FL_PTE_XD = BIT_ULL(63);

inline constexpr unsigned int ADDR_WIDTH_5LEVEL = 57;
inline constexpr unsigned int ADDR_WIDTH_4LEVEL = 48;
