/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ARM SMMUv3 programming interface: the register file (IHI 0070, chapter 6).
 *
 * The SMMU exposes two 64 KiB pages. Page 0 holds every control register;
 * page 1 holds the producer/consumer pointers of the queues software
 * consumes (event queue, PRI queue), so that a hypervisor can give those to
 * a guest separately. Offsets below are within page 0 unless named
 * ARM_SMMU_PAGE1_*; fields are the spec's, in its bit order, with the names
 * drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h uses where it has one.
 *
 * Register fields are u32 masks (the registers are 32 bits wide); the 64-bit
 * registers (queue bases, STRTAB_BASE, IRQ_CFG0) have u64 masks. Values are
 * moved in and out with FIELD_PREP()/FIELD_GET() (harness/bitfield.h).
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"

/* Each page of the register file. */
inline constexpr unsigned long ARM_SMMU_PAGE_SIZE = 0x10000;
/* Size of the register file: page 0 and page 1. */
inline constexpr unsigned long ARM_SMMU_MMIO_SIZE = 2 * ARM_SMMU_PAGE_SIZE;
/* The part of page 0 the driver maps (everything below the ID registers). */
inline constexpr unsigned long ARM_SMMU_REG_SZ = 0xe00;

/* ----- Identification (6.3.1 - 6.3.7) ----- */

inline constexpr unsigned int ARM_SMMU_IDR0 = 0x0;
inline constexpr u32 IDR0_S2P = BIT(0);
inline constexpr u32 IDR0_S1P = BIT(1);
inline constexpr u32 IDR0_TTF = GENMASK(3, 2);
inline constexpr u32 IDR0_TTF_AARCH32 = 1;
inline constexpr u32 IDR0_TTF_AARCH64 = 2;
inline constexpr u32 IDR0_TTF_AARCH32_64 = 3;
inline constexpr u32 IDR0_COHACC = BIT(4);
inline constexpr u32 IDR0_BTM = BIT(5);
inline constexpr u32 IDR0_HTTU = GENMASK(7, 6);
inline constexpr u32 IDR0_HTTU_ACCESS = 1;
inline constexpr u32 IDR0_HTTU_ACCESS_DIRTY = 2;
inline constexpr u32 IDR0_DORMHINT = BIT(8);
inline constexpr u32 IDR0_HYP = BIT(9);
inline constexpr u32 IDR0_ATS = BIT(10);
inline constexpr u32 IDR0_NS1ATS = BIT(11);
inline constexpr u32 IDR0_ASID16 = BIT(12);
inline constexpr u32 IDR0_MSI = BIT(13);
inline constexpr u32 IDR0_SEV = BIT(14);
inline constexpr u32 IDR0_ATOS = BIT(15);
inline constexpr u32 IDR0_PRI = BIT(16);
inline constexpr u32 IDR0_VMW = BIT(17);
inline constexpr u32 IDR0_VMID16 = BIT(18);
inline constexpr u32 IDR0_CD2L = BIT(19);
inline constexpr u32 IDR0_VATOS = BIT(20);
inline constexpr u32 IDR0_TTENDIAN = GENMASK(22, 21);
inline constexpr u32 IDR0_TTENDIAN_MIXED = 0;
inline constexpr u32 IDR0_TTENDIAN_LE = 2;
inline constexpr u32 IDR0_TTENDIAN_BE = 3;
inline constexpr u32 IDR0_ATSRECERR = BIT(23);
inline constexpr u32 IDR0_STALL_MODEL = GENMASK(25, 24);
inline constexpr u32 IDR0_STALL_MODEL_STALL = 0; /* stall and terminate */
inline constexpr u32 IDR0_STALL_MODEL_NONE = 1;	 /* terminate only */
inline constexpr u32 IDR0_STALL_MODEL_FORCE = 2; /* stall forced */
inline constexpr u32 IDR0_TERM_MODEL = BIT(26);
inline constexpr u32 IDR0_ST_LVL = GENMASK(28, 27);
inline constexpr u32 IDR0_ST_LVL_LINEAR = 0;
inline constexpr u32 IDR0_ST_LVL_2LVL = 1;
inline constexpr u32 IDR0_RME_IMPL = BIT(30);

inline constexpr unsigned int ARM_SMMU_IDR1 = 0x4;
inline constexpr u32 IDR1_SIDSIZE = GENMASK(5, 0);
inline constexpr u32 IDR1_SSIDSIZE = GENMASK(10, 6);
inline constexpr u32 IDR1_PRIQS = GENMASK(15, 11);
inline constexpr u32 IDR1_EVTQS = GENMASK(20, 16);
inline constexpr u32 IDR1_CMDQS = GENMASK(25, 21);
inline constexpr u32 IDR1_ATTR_PERMS_OVR = BIT(26);
inline constexpr u32 IDR1_ATTR_TYPES_OVR = BIT(27);
inline constexpr u32 IDR1_REL = BIT(28);
inline constexpr u32 IDR1_QUEUES_PRESET = BIT(29);
inline constexpr u32 IDR1_TABLES_PRESET = BIT(30);
inline constexpr u32 IDR1_ECMDQ = BIT(31);

inline constexpr unsigned int ARM_SMMU_IDR2 = 0x8;
inline constexpr u32 IDR2_BA_VATOS = GENMASK(9, 0);

inline constexpr unsigned int ARM_SMMU_IDR3 = 0xc;
inline constexpr u32 IDR3_HAD = BIT(2);
inline constexpr u32 IDR3_PBHA = BIT(3);
inline constexpr u32 IDR3_XNX = BIT(4);
inline constexpr u32 IDR3_PPS = BIT(5);
inline constexpr u32 IDR3_MPAM = BIT(7);
inline constexpr u32 IDR3_FWB = BIT(8);
inline constexpr u32 IDR3_STT = BIT(9);
inline constexpr u32 IDR3_RIL = BIT(10);
inline constexpr u32 IDR3_BBML = GENMASK(12, 11);
inline constexpr u32 IDR3_E0PD = BIT(13);
inline constexpr u32 IDR3_PTWNNC = BIT(14);
inline constexpr u32 IDR3_DPT = BIT(15);

/* IDR4 is IMPLEMENTATION DEFINED. */
inline constexpr unsigned int ARM_SMMU_IDR4 = 0x10;

inline constexpr unsigned int ARM_SMMU_IDR5 = 0x14;
inline constexpr u32 IDR5_OAS = GENMASK(2, 0);
inline constexpr u32 IDR5_OAS_32_BIT = 0;
inline constexpr u32 IDR5_OAS_36_BIT = 1;
inline constexpr u32 IDR5_OAS_40_BIT = 2;
inline constexpr u32 IDR5_OAS_42_BIT = 3;
inline constexpr u32 IDR5_OAS_44_BIT = 4;
inline constexpr u32 IDR5_OAS_48_BIT = 5;
inline constexpr u32 IDR5_OAS_52_BIT = 6;
inline constexpr u32 IDR5_GRAN4K = BIT(4);
inline constexpr u32 IDR5_GRAN16K = BIT(5);
inline constexpr u32 IDR5_GRAN64K = BIT(6);
inline constexpr u32 IDR5_VAX = GENMASK(11, 10);
inline constexpr u32 IDR5_VAX_48_BIT = 0;
inline constexpr u32 IDR5_VAX_52_BIT = 1;
inline constexpr u32 IDR5_STALL_MAX = GENMASK(31, 16);

/* The address width an IDR5.OAS / CD.IPS / STE.S2PS encoding stands for. */
constexpr unsigned int arm_smmu_oas_bits(unsigned int enc)
{
	switch (enc) {
	case IDR5_OAS_32_BIT: return 32;
	case IDR5_OAS_36_BIT: return 36;
	case IDR5_OAS_40_BIT: return 40;
	case IDR5_OAS_42_BIT: return 42;
	case IDR5_OAS_44_BIT: return 44;
	case IDR5_OAS_48_BIT: return 48;
	default: return 52; /* 6; 7 is reserved and behaves as 52 where used */
	}
}

inline constexpr unsigned int ARM_SMMU_IIDR = 0x18;
inline constexpr u32 IIDR_IMPLEMENTER = GENMASK(11, 0);
inline constexpr u32 IIDR_REVISION = GENMASK(15, 12);
inline constexpr u32 IIDR_VARIANT = GENMASK(19, 16);
inline constexpr u32 IIDR_PRODUCTID = GENMASK(31, 20);

inline constexpr unsigned int ARM_SMMU_AIDR = 0x1c;
inline constexpr u32 AIDR_ARCH_MINOR_REV = GENMASK(3, 0);
inline constexpr u32 AIDR_ARCH_MAJOR_REV = GENMASK(7, 4);

/* ----- Control (6.3.9 - 6.3.14) ----- */

/*
 * CR0 requests, CR0ACK acknowledges: software writes CR0 and polls CR0ACK
 * until the bits it changed read back the same.
 */
inline constexpr unsigned int ARM_SMMU_CR0 = 0x20;
inline constexpr u32 CR0_SMMUEN = BIT(0);
inline constexpr u32 CR0_PRIQEN = BIT(1);
inline constexpr u32 CR0_EVTQEN = BIT(2);
inline constexpr u32 CR0_CMDQEN = BIT(3);
inline constexpr u32 CR0_ATSCHK = BIT(4);
inline constexpr u32 CR0_VMW = GENMASK(8, 6);

inline constexpr unsigned int ARM_SMMU_CR0ACK = 0x24;

inline constexpr unsigned int ARM_SMMU_CR1 = 0x28;
inline constexpr u32 CR1_QUEUE_IC = GENMASK(1, 0);
inline constexpr u32 CR1_QUEUE_OC = GENMASK(3, 2);
inline constexpr u32 CR1_QUEUE_SH = GENMASK(5, 4);
inline constexpr u32 CR1_TABLE_IC = GENMASK(7, 6);
inline constexpr u32 CR1_TABLE_OC = GENMASK(9, 8);
inline constexpr u32 CR1_TABLE_SH = GENMASK(11, 10);
/* CR1 cacheability encodings (not the TCR ones). */
inline constexpr u32 CR1_CACHE_NC = 0;
inline constexpr u32 CR1_CACHE_WB = 1;
inline constexpr u32 CR1_CACHE_WT = 2;

inline constexpr unsigned int ARM_SMMU_CR2 = 0x2c;
inline constexpr u32 CR2_E2H = BIT(0);
inline constexpr u32 CR2_RECINVSID = BIT(1);
inline constexpr u32 CR2_PTM = BIT(2);

inline constexpr unsigned int ARM_SMMU_STATUSR = 0x40;
inline constexpr u32 STATUSR_DORMANT = BIT(0);

/*
 * GBPA: what incoming transactions get while SMMUEN is 0. Software writes
 * the fields with UPDATE set; the SMMU clears UPDATE once the new value is
 * in effect. A write without UPDATE is ignored.
 */
inline constexpr unsigned int ARM_SMMU_GBPA = 0x44;
inline constexpr u32 GBPA_MEMATTR = GENMASK(3, 0);
inline constexpr u32 GBPA_MTCFG = BIT(4);
inline constexpr u32 GBPA_ALLOCCFG = GENMASK(11, 8);
inline constexpr u32 GBPA_SHCFG = GENMASK(13, 12);
inline constexpr u32 GBPA_PRIVCFG = GENMASK(17, 16);
inline constexpr u32 GBPA_INSTCFG = GENMASK(19, 18);
inline constexpr u32 GBPA_ABORT = BIT(20);
inline constexpr u32 GBPA_UPDATE = BIT(31);

inline constexpr unsigned int ARM_SMMU_AGBPA = 0x48;

/* IRQ_CTRL requests, IRQ_CTRLACK acknowledges, like CR0/CR0ACK. */
inline constexpr unsigned int ARM_SMMU_IRQ_CTRL = 0x50;
inline constexpr u32 IRQ_CTRL_GERROR_IRQEN = BIT(0);
inline constexpr u32 IRQ_CTRL_PRIQ_IRQEN = BIT(1);
inline constexpr u32 IRQ_CTRL_EVTQ_IRQEN = BIT(2);

inline constexpr unsigned int ARM_SMMU_IRQ_CTRLACK = 0x54;

/*
 * Global errors. An error is active while its GERROR bit differs from the
 * same bit of GERRORN: the SMMU toggles GERROR to raise one, software
 * toggles GERRORN (writing GERROR's value) to acknowledge it.
 */
inline constexpr unsigned int ARM_SMMU_GERROR = 0x60;
inline constexpr u32 GERROR_CMDQ_ERR = BIT(0);
inline constexpr u32 GERROR_EVTQ_ABT_ERR = BIT(2);
inline constexpr u32 GERROR_PRIQ_ABT_ERR = BIT(3);
inline constexpr u32 GERROR_MSI_CMDQ_ABT_ERR = BIT(4);
inline constexpr u32 GERROR_MSI_EVTQ_ABT_ERR = BIT(5);
inline constexpr u32 GERROR_MSI_PRIQ_ABT_ERR = BIT(6);
inline constexpr u32 GERROR_MSI_GERROR_ABT_ERR = BIT(7);
inline constexpr u32 GERROR_SFM_ERR = BIT(8);
inline constexpr u32 GERROR_CMDQP_ERR = BIT(9);
inline constexpr u32 GERROR_ERR_MASK = 0x1fd; /* bits 0 and 2-8 */

inline constexpr unsigned int ARM_SMMU_GERRORN = 0x64;

/*
 * The MSI configuration of each interrupt source: IRQ_CFG0 the 64-bit
 * doorbell address, IRQ_CFG1 the 32-bit payload, IRQ_CFG2 the memory
 * attributes. An address of 0 means "no MSI" (wired interrupt only).
 */
inline constexpr unsigned int ARM_SMMU_GERROR_IRQ_CFG0 = 0x68;
inline constexpr unsigned int ARM_SMMU_GERROR_IRQ_CFG1 = 0x70;
inline constexpr unsigned int ARM_SMMU_GERROR_IRQ_CFG2 = 0x74;

inline constexpr u64 MSI_CFG0_ADDR_MASK = GENMASK_ULL(51, 2);
inline constexpr u32 MSI_CFG2_MEMATTR = GENMASK(3, 0);
inline constexpr u32 MSI_CFG2_SH = GENMASK(5, 4);

/* Shareability and memory-attribute encodings used by MSIs and CMD_SYNC. */
inline constexpr u32 ARM_SMMU_SH_NSH = 0;
inline constexpr u32 ARM_SMMU_SH_OSH = 2;
inline constexpr u32 ARM_SMMU_SH_ISH = 3;
inline constexpr u32 ARM_SMMU_MEMATTR_DEVICE_nGnRE = 0x1;
inline constexpr u32 ARM_SMMU_MEMATTR_OIWB = 0xf;

/* ----- Stream table (6.3.23, 6.3.24) ----- */

inline constexpr unsigned int ARM_SMMU_STRTAB_BASE = 0x80;
inline constexpr u64 STRTAB_BASE_ADDR_MASK = GENMASK_ULL(51, 6);
inline constexpr u64 STRTAB_BASE_RA = BIT_ULL(62);

inline constexpr unsigned int ARM_SMMU_STRTAB_BASE_CFG = 0x88;
inline constexpr u32 STRTAB_BASE_CFG_LOG2SIZE = GENMASK(5, 0);
inline constexpr u32 STRTAB_BASE_CFG_SPLIT = GENMASK(10, 6);
inline constexpr u32 STRTAB_BASE_CFG_FMT = GENMASK(17, 16);
inline constexpr u32 STRTAB_BASE_CFG_FMT_LINEAR = 0;
inline constexpr u32 STRTAB_BASE_CFG_FMT_2LVL = 1;

/* ----- Queues (6.3.25 - 6.3.36) ----- */

inline constexpr unsigned int ARM_SMMU_CMDQ_BASE = 0x90;
inline constexpr unsigned int ARM_SMMU_CMDQ_PROD = 0x98;
inline constexpr unsigned int ARM_SMMU_CMDQ_CONS = 0x9c;

/*
 * EVTQ/PRIQ PROD and CONS live in page 1 (page 0 offsets 0xa8/0xac and
 * 0xc8/0xcc are reserved); the names without PAGE1 are the offsets within
 * that page, as the kernel spells them.
 */
inline constexpr unsigned int ARM_SMMU_EVTQ_BASE = 0xa0;
inline constexpr unsigned int ARM_SMMU_EVTQ_PROD = 0xa8;
inline constexpr unsigned int ARM_SMMU_EVTQ_CONS = 0xac;
inline constexpr unsigned int ARM_SMMU_EVTQ_IRQ_CFG0 = 0xb0;
inline constexpr unsigned int ARM_SMMU_EVTQ_IRQ_CFG1 = 0xb8;
inline constexpr unsigned int ARM_SMMU_EVTQ_IRQ_CFG2 = 0xbc;

inline constexpr unsigned int ARM_SMMU_PRIQ_BASE = 0xc0;
inline constexpr unsigned int ARM_SMMU_PRIQ_PROD = 0xc8;
inline constexpr unsigned int ARM_SMMU_PRIQ_CONS = 0xcc;
inline constexpr unsigned int ARM_SMMU_PRIQ_IRQ_CFG0 = 0xd0;
inline constexpr unsigned int ARM_SMMU_PRIQ_IRQ_CFG1 = 0xd8;
inline constexpr unsigned int ARM_SMMU_PRIQ_IRQ_CFG2 = 0xdc;

inline constexpr unsigned int ARM_SMMU_PAGE1_EVTQ_PROD = ARM_SMMU_PAGE_SIZE + ARM_SMMU_EVTQ_PROD;
inline constexpr unsigned int ARM_SMMU_PAGE1_EVTQ_CONS = ARM_SMMU_PAGE_SIZE + ARM_SMMU_EVTQ_CONS;
inline constexpr unsigned int ARM_SMMU_PAGE1_PRIQ_PROD = ARM_SMMU_PAGE_SIZE + ARM_SMMU_PRIQ_PROD;
inline constexpr unsigned int ARM_SMMU_PAGE1_PRIQ_CONS = ARM_SMMU_PAGE_SIZE + ARM_SMMU_PRIQ_CONS;

/* Queue base registers (CMDQ_BASE, EVTQ_BASE, PRIQ_BASE). */
inline constexpr u64 Q_BASE_LOG2SIZE = GENMASK_ULL(4, 0);
inline constexpr u64 Q_BASE_ADDR_MASK = GENMASK_ULL(51, 5);
inline constexpr u64 Q_BASE_RWA = BIT_ULL(62); /* RA for CMDQ, WA for EVTQ/PRIQ */

/*
 * Queue pointers: the index in the low log2size bits, the wrap bit just
 * above it, flags at the top. The queue is empty when index and wrap of
 * PROD and CONS are equal, full when the indexes are equal and the wrap
 * bits differ.
 */
inline constexpr u32 Q_OVERFLOW_FLAG = BIT(31); /* EVTQ/PRIQ PROD.OVFLG, CONS.OVACKFLG */
inline constexpr u32 CMDQ_CONS_ERR = GENMASK(30, 24);
inline constexpr u32 CMDQ_ERR_CERROR_NONE_IDX = 0;
inline constexpr u32 CMDQ_ERR_CERROR_ILL_IDX = 1;
inline constexpr u32 CMDQ_ERR_CERROR_ABT_IDX = 2;
inline constexpr u32 CMDQ_ERR_CERROR_ATC_INV_IDX = 3;

constexpr u32 q_idx(u32 p, unsigned int log2size)
{
	return p & ((1U << log2size) - 1);
}
constexpr u32 q_wrp(u32 p, unsigned int log2size)
{
	return p & (1U << log2size);
}
/* Index and wrap bit: the part of a pointer that moves. */
constexpr u32 q_ptr(u32 p, unsigned int log2size)
{
	return p & ((2U << log2size) - 1);
}
constexpr bool q_empty(u32 prod, u32 cons, unsigned int log2size)
{
	return q_ptr(prod, log2size) == q_ptr(cons, log2size);
}
constexpr bool q_full(u32 prod, u32 cons, unsigned int log2size)
{
	return q_idx(prod, log2size) == q_idx(cons, log2size) &&
	       q_wrp(prod, log2size) != q_wrp(cons, log2size);
}
constexpr u32 q_inc(u32 p, unsigned int log2size)
{
	return (p & ~((2U << log2size) - 1)) | q_ptr(p + 1, log2size);
}

/* ----- Address translation operations and MPAM (6.3.37 - 6.3.44) ----- */

inline constexpr unsigned int ARM_SMMU_GATOS_CTRL = 0x100;
inline constexpr unsigned int ARM_SMMU_GATOS_SID = 0x108;
inline constexpr unsigned int ARM_SMMU_GATOS_ADDR = 0x110;
inline constexpr unsigned int ARM_SMMU_GATOS_PAR = 0x118;
inline constexpr unsigned int ARM_SMMU_MPAMIDR = 0x130;
inline constexpr unsigned int ARM_SMMU_GMPAM = 0x138;
inline constexpr unsigned int ARM_SMMU_GBPMPAM = 0x13c;
inline constexpr unsigned int ARM_SMMU_VATOS_SEL = 0x180;
inline constexpr unsigned int ARM_SMMU_IDR6 = 0x190;

/* The secure register bank starts here in page 0. */
inline constexpr unsigned int ARM_SMMU_S_IDR0 = 0x8000;

/* CoreSight/PrimeCell identification registers at the top of page 0. */
inline constexpr unsigned int ARM_SMMU_PIDR4 = 0xfd0;
inline constexpr unsigned int ARM_SMMU_PIDR0 = 0xfe0;
inline constexpr unsigned int ARM_SMMU_CIDR0 = 0xff0;
