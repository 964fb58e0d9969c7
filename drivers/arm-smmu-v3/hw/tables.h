/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ARM SMMUv3 in-memory configuration structures (IHI 0070, chapter 5):
 * the stream table (level-1 descriptors and 64-byte STEs) and the context
 * descriptor table (level-1 descriptors and 64-byte CDs).
 *
 * Entries are little-endian arrays of 64-bit words, as the SMMU reads them;
 * each field mask is named <STRUCT>_<word>_<FIELD> with the word index in
 * the name (STRTAB_STE_2_S2VMID is in data[2]), the kernel's naming, so
 * FIELD_GET(STRTAB_STE_0_CFG, le64_to_cpu(ste.data[0])) reads as it does in
 * drivers/iommu/arm/arm-smmu-v3. Reserved bits are named *_RES0 masks per
 * word so a model and a test can check them.
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"
#include "harness/compiler.h"

#include <linux/types.h> /* __le64; a little-endian host is assumed throughout */

/* ----- Stream table (5.1, 5.2) ----- */

/*
 * 2-level stream table, level-1 descriptor (5.1.2): SPAN is log2 of the
 * number of STEs in the level-2 table plus one (0 = invalid, 1..12 valid,
 * at most STRTAB_BASE_CFG.SPLIT + 1), L2PTR its 64-byte aligned address.
 */
inline constexpr u64 STRTAB_L1_DESC_SPAN = GENMASK_ULL(4, 0);
inline constexpr u64 STRTAB_L1_DESC_L2PTR_MASK = GENMASK_ULL(51, 6);
inline constexpr u64 STRTAB_L1_DESC_RES0 = GENMASK_ULL(5, 5) | GENMASK_ULL(63, 52);
inline constexpr unsigned int STRTAB_L1_DESC_SPAN_MAX = 12;
/* STRTAB_BASE_CFG.SPLIT values the architecture defines (4K, 16K, 64K level-2 tables). */
inline constexpr unsigned int STRTAB_SPLIT_4K = 6;
inline constexpr unsigned int STRTAB_SPLIT_16K = 8;
inline constexpr unsigned int STRTAB_SPLIT_64K = 10;

struct arm_smmu_strtab_l1 {
	__le64 l2ptr;
};
static_assert(sizeof(struct arm_smmu_strtab_l1) == 8);

inline constexpr unsigned int STRTAB_STE_DWORDS = 8;

struct arm_smmu_ste {
	__le64 data[STRTAB_STE_DWORDS];
};
static_assert(sizeof(struct arm_smmu_ste) == 64);

/* STE word 0: validity, configuration, stage-1 context pointer. */
inline constexpr u64 STRTAB_STE_0_V = BIT_ULL(0);
inline constexpr u64 STRTAB_STE_0_CFG = GENMASK_ULL(3, 1);
inline constexpr u64 STRTAB_STE_0_CFG_ABORT = 0;
inline constexpr u64 STRTAB_STE_0_CFG_BYPASS = 4;
inline constexpr u64 STRTAB_STE_0_CFG_S1_TRANS = 5;
inline constexpr u64 STRTAB_STE_0_CFG_S2_TRANS = 6;
inline constexpr u64 STRTAB_STE_0_CFG_NESTED = 7;
/* Config values 1-3 are reserved (ILLEGAL STE). */
inline constexpr u64 STRTAB_STE_0_S1FMT = GENMASK_ULL(5, 4);
inline constexpr u64 STRTAB_STE_0_S1FMT_LINEAR = 0;
inline constexpr u64 STRTAB_STE_0_S1FMT_4K_L2 = 1;
inline constexpr u64 STRTAB_STE_0_S1FMT_64K_L2 = 2;
inline constexpr u64 STRTAB_STE_0_S1CTXPTR_MASK = GENMASK_ULL(51, 6);
inline constexpr u64 STRTAB_STE_0_S1CDMAX = GENMASK_ULL(63, 59);
inline constexpr u64 STRTAB_STE_0_RES0 = GENMASK_ULL(58, 52);

/* STE word 1: stage-1 attributes, ATS, stream world, attribute overrides. */
inline constexpr u64 STRTAB_STE_1_S1DSS = GENMASK_ULL(1, 0);
inline constexpr u64 STRTAB_STE_1_S1DSS_TERMINATE = 0;
inline constexpr u64 STRTAB_STE_1_S1DSS_BYPASS = 1;
inline constexpr u64 STRTAB_STE_1_S1DSS_SSID0 = 2;
inline constexpr u64 STRTAB_STE_1_S1CIR = GENMASK_ULL(3, 2);
inline constexpr u64 STRTAB_STE_1_S1COR = GENMASK_ULL(5, 4);
inline constexpr u64 STRTAB_STE_1_S1CSH = GENMASK_ULL(7, 6);
/* S1CIR/S1COR encodings. */
inline constexpr u64 STRTAB_STE_1_S1C_CACHE_NC = 0;
inline constexpr u64 STRTAB_STE_1_S1C_CACHE_WBRA = 1;
inline constexpr u64 STRTAB_STE_1_S1C_CACHE_WT = 2;
inline constexpr u64 STRTAB_STE_1_S1C_CACHE_WB = 3;
inline constexpr u64 STRTAB_STE_1_S2HWU59 = BIT_ULL(8);
inline constexpr u64 STRTAB_STE_1_S2HWU60 = BIT_ULL(9);
inline constexpr u64 STRTAB_STE_1_S2HWU61 = BIT_ULL(10);
inline constexpr u64 STRTAB_STE_1_S2HWU62 = BIT_ULL(11);
inline constexpr u64 STRTAB_STE_1_DRE = BIT_ULL(12);
inline constexpr u64 STRTAB_STE_1_CONT = GENMASK_ULL(16, 13);
inline constexpr u64 STRTAB_STE_1_DCP = BIT_ULL(17);
inline constexpr u64 STRTAB_STE_1_PPAR = BIT_ULL(18);
inline constexpr u64 STRTAB_STE_1_MEV = BIT_ULL(19);
inline constexpr u64 STRTAB_STE_1_S2FWB = BIT_ULL(25);
inline constexpr u64 STRTAB_STE_1_S1MPAM = BIT_ULL(26);
inline constexpr u64 STRTAB_STE_1_S1STALLD = BIT_ULL(27);
inline constexpr u64 STRTAB_STE_1_EATS = GENMASK_ULL(29, 28);
inline constexpr u64 STRTAB_STE_1_EATS_ABT = 0;
inline constexpr u64 STRTAB_STE_1_EATS_TRANS = 1;
inline constexpr u64 STRTAB_STE_1_EATS_S1CHK = 2;
inline constexpr u64 STRTAB_STE_1_STRW = GENMASK_ULL(31, 30);
inline constexpr u64 STRTAB_STE_1_STRW_NSEL1 = 0;
inline constexpr u64 STRTAB_STE_1_STRW_EL2 = 2;
inline constexpr u64 STRTAB_STE_1_MEMATTR = GENMASK_ULL(35, 32);
inline constexpr u64 STRTAB_STE_1_MTCFG = BIT_ULL(36);
inline constexpr u64 STRTAB_STE_1_ALLOCCFG = GENMASK_ULL(40, 37);
inline constexpr u64 STRTAB_STE_1_SHCFG = GENMASK_ULL(45, 44);
inline constexpr u64 STRTAB_STE_1_SHCFG_NON_SHARABLE = 0;
inline constexpr u64 STRTAB_STE_1_SHCFG_INCOMING = 1;
inline constexpr u64 STRTAB_STE_1_NSCFG = GENMASK_ULL(47, 46);
inline constexpr u64 STRTAB_STE_1_PRIVCFG = GENMASK_ULL(49, 48);
inline constexpr u64 STRTAB_STE_1_INSTCFG = GENMASK_ULL(51, 50);
/* Bits 63:52 are IMPLEMENTATION DEFINED; 24:20 and 43:41 reserved. */
inline constexpr u64 STRTAB_STE_1_RES0 = GENMASK_ULL(24, 20) | GENMASK_ULL(43, 41);

/* STE word 2: stage-2 VMID and VTCR. */
inline constexpr u64 STRTAB_STE_2_S2VMID = GENMASK_ULL(15, 0);
inline constexpr u64 STRTAB_STE_2_VTCR = GENMASK_ULL(50, 32);
/* Fields within the VTCR value (FIELD_GET(STRTAB_STE_2_VTCR, data[2])). */
inline constexpr u64 STRTAB_STE_2_VTCR_S2T0SZ = GENMASK_ULL(5, 0);
inline constexpr u64 STRTAB_STE_2_VTCR_S2SL0 = GENMASK_ULL(7, 6);
inline constexpr u64 STRTAB_STE_2_VTCR_S2IR0 = GENMASK_ULL(9, 8);
inline constexpr u64 STRTAB_STE_2_VTCR_S2OR0 = GENMASK_ULL(11, 10);
inline constexpr u64 STRTAB_STE_2_VTCR_S2SH0 = GENMASK_ULL(13, 12);
inline constexpr u64 STRTAB_STE_2_VTCR_S2TG = GENMASK_ULL(15, 14);
inline constexpr u64 STRTAB_STE_2_VTCR_S2PS = GENMASK_ULL(18, 16);
inline constexpr u64 STRTAB_STE_2_S2AA64 = BIT_ULL(51);
inline constexpr u64 STRTAB_STE_2_S2ENDI = BIT_ULL(52);
inline constexpr u64 STRTAB_STE_2_S2AFFD = BIT_ULL(53);
inline constexpr u64 STRTAB_STE_2_S2PTW = BIT_ULL(54);
inline constexpr u64 STRTAB_STE_2_S2HD = BIT_ULL(55);
inline constexpr u64 STRTAB_STE_2_S2HA = BIT_ULL(56);
inline constexpr u64 STRTAB_STE_2_S2S = BIT_ULL(57);
inline constexpr u64 STRTAB_STE_2_S2R = BIT_ULL(58);
inline constexpr u64 STRTAB_STE_2_RES0 = GENMASK_ULL(31, 16) | GENMASK_ULL(63, 59);

/* STE word 3: stage-2 translation table base. */
inline constexpr u64 STRTAB_STE_3_S2TTB_MASK = GENMASK_ULL(51, 4);
inline constexpr u64 STRTAB_STE_3_RES0 = GENMASK_ULL(3, 0) | GENMASK_ULL(63, 52);

/*
 * Words 4-7 hold Secure-state, MPAM and realm fields (S_S2TTB, PARTID,
 * VMSPtr...) that this description does not use; a non-secure stream's
 * STE leaves them zero.
 */

/* Stage-2 granule encodings (STE.S2TG) and stage-1 (CD.TG0). */
inline constexpr u64 ARM_SMMU_S2TG_4K = 0;
inline constexpr u64 ARM_SMMU_S2TG_64K = 1;
inline constexpr u64 ARM_SMMU_S2TG_16K = 2;
inline constexpr u64 ARM_SMMU_TG0_4K = 0;
inline constexpr u64 ARM_SMMU_TG0_64K = 1;
inline constexpr u64 ARM_SMMU_TG0_16K = 2;

/* ----- Context descriptors (5.3, 5.4) ----- */

/*
 * 2-level CD table, level-1 descriptor (5.3): V and the address of a
 * level-2 table of 64 (S1FMT 4K_L2) or 1024 (S1FMT 64K_L2) CDs.
 */
inline constexpr u64 CTXDESC_L1_DESC_V = BIT_ULL(0);
inline constexpr u64 CTXDESC_L1_DESC_L2PTR_MASK = GENMASK_ULL(51, 12);
inline constexpr u64 CTXDESC_L1_DESC_RES0 = GENMASK_ULL(11, 1) | GENMASK_ULL(63, 52);
/* Level-2 CD tables for S1FMT 64K_L2, the split the kernel uses. */
inline constexpr unsigned int CTXDESC_L2_ENTRIES = 1024;
/* Level-2 CD tables for S1FMT 4K_L2. */
inline constexpr unsigned int CTXDESC_L2_ENTRIES_4K = 64;

struct arm_smmu_cdtab_l1 {
	__le64 l2ptr;
};
static_assert(sizeof(struct arm_smmu_cdtab_l1) == 8);

inline constexpr unsigned int CTXDESC_CD_DWORDS = 8;

struct arm_smmu_cd {
	__le64 data[CTXDESC_CD_DWORDS];
};
static_assert(sizeof(struct arm_smmu_cd) == 64);

struct arm_smmu_cdtab_l2 {
	struct arm_smmu_cd cds[CTXDESC_L2_ENTRIES];
};
static_assert(sizeof(struct arm_smmu_cdtab_l2) == 64 * 1024);

/* CD word 0: TCR fields for TTB0/TTB1, validity, ASID. */
inline constexpr u64 CTXDESC_CD_0_TCR_T0SZ = GENMASK_ULL(5, 0);
inline constexpr u64 CTXDESC_CD_0_TCR_TG0 = GENMASK_ULL(7, 6);
inline constexpr u64 CTXDESC_CD_0_TCR_IRGN0 = GENMASK_ULL(9, 8);
inline constexpr u64 CTXDESC_CD_0_TCR_ORGN0 = GENMASK_ULL(11, 10);
inline constexpr u64 CTXDESC_CD_0_TCR_SH0 = GENMASK_ULL(13, 12);
inline constexpr u64 CTXDESC_CD_0_TCR_EPD0 = BIT_ULL(14);
inline constexpr u64 CTXDESC_CD_0_ENDI = BIT_ULL(15);
inline constexpr u64 CTXDESC_CD_0_TCR_T1SZ = GENMASK_ULL(21, 16);
inline constexpr u64 CTXDESC_CD_0_TCR_TG1 = GENMASK_ULL(23, 22);
inline constexpr u64 CTXDESC_CD_0_TCR_IRGN1 = GENMASK_ULL(25, 24);
inline constexpr u64 CTXDESC_CD_0_TCR_ORGN1 = GENMASK_ULL(27, 26);
inline constexpr u64 CTXDESC_CD_0_TCR_SH1 = GENMASK_ULL(29, 28);
inline constexpr u64 CTXDESC_CD_0_TCR_EPD1 = BIT_ULL(30);
inline constexpr u64 CTXDESC_CD_0_V = BIT_ULL(31);
inline constexpr u64 CTXDESC_CD_0_TCR_IPS = GENMASK_ULL(34, 32);
inline constexpr u64 CTXDESC_CD_0_AFFD = BIT_ULL(35);
inline constexpr u64 CTXDESC_CD_0_WXN = BIT_ULL(36);
inline constexpr u64 CTXDESC_CD_0_UWXN = BIT_ULL(37);
inline constexpr u64 CTXDESC_CD_0_TCR_TBI0 = BIT_ULL(38);
inline constexpr u64 CTXDESC_CD_0_TCR_TBI1 = BIT_ULL(39);
inline constexpr u64 CTXDESC_CD_0_PAN = BIT_ULL(40);
inline constexpr u64 CTXDESC_CD_0_AA64 = BIT_ULL(41);
inline constexpr u64 CTXDESC_CD_0_TCR_HD = BIT_ULL(42);
inline constexpr u64 CTXDESC_CD_0_TCR_HA = BIT_ULL(43);
inline constexpr u64 CTXDESC_CD_0_S = BIT_ULL(44);
inline constexpr u64 CTXDESC_CD_0_R = BIT_ULL(45);
inline constexpr u64 CTXDESC_CD_0_A = BIT_ULL(46);
inline constexpr u64 CTXDESC_CD_0_ASET = BIT_ULL(47);
inline constexpr u64 CTXDESC_CD_0_ASID = GENMASK_ULL(63, 48);

/* CD word 1: TTB0. Word 2: TTB1, same layout. */
inline constexpr u64 CTXDESC_CD_1_NSCFG0 = BIT_ULL(0);
inline constexpr u64 CTXDESC_CD_1_HAD0 = BIT_ULL(1);
inline constexpr u64 CTXDESC_CD_1_E0PD0 = BIT_ULL(2);
inline constexpr u64 CTXDESC_CD_1_TTB0_MASK = GENMASK_ULL(51, 4);
inline constexpr u64 CTXDESC_CD_1_HWU0 = GENMASK_ULL(62, 59);
inline constexpr u64 CTXDESC_CD_1_RES0 = BIT_ULL(3) | GENMASK_ULL(58, 52) | BIT_ULL(63);
inline constexpr u64 CTXDESC_CD_2_NSCFG1 = BIT_ULL(0);
inline constexpr u64 CTXDESC_CD_2_HAD1 = BIT_ULL(1);
inline constexpr u64 CTXDESC_CD_2_E0PD1 = BIT_ULL(2);
inline constexpr u64 CTXDESC_CD_2_TTB1_MASK = GENMASK_ULL(51, 4);
inline constexpr u64 CTXDESC_CD_2_HWU1 = GENMASK_ULL(62, 59);
inline constexpr u64 CTXDESC_CD_2_RES0 = BIT_ULL(3) | GENMASK_ULL(58, 52) | BIT_ULL(63);

/* CD word 3: MAIR (MAIR0 low, MAIR1 high). Word 4: AMAIR. Word 5: IMP DEF. */
inline constexpr u64 CTXDESC_CD_3_MAIR = GENMASK_ULL(63, 0);
inline constexpr u64 CTXDESC_CD_4_AMAIR = GENMASK_ULL(63, 0);

/* CD word 6: MPAM labels. Word 7 is reserved. */
inline constexpr u64 CTXDESC_CD_6_PARTID = GENMASK_ULL(15, 0);
inline constexpr u64 CTXDESC_CD_6_PMG = GENMASK_ULL(23, 16);
inline constexpr u64 CTXDESC_CD_6_RES0 = GENMASK_ULL(63, 24);
inline constexpr u64 CTXDESC_CD_7_RES0 = GENMASK_ULL(63, 0);
