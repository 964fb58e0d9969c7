/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VT-d programming interface: the remapping unit's register file
 * (VT-d specification, chapter 11, "Register Descriptions").
 *
 * Offsets and bits carry the names drivers/iommu/intel/iommu.h gives them
 * (DMAR_*_REG, DMA_GCMD_*, DMA_FSTS_*, ...). Where the kernel reads a field
 * with a function-like macro (cap_sagaw(), ecap_pasid(), ...) the same name
 * is a constexpr function here, built on a mask named DMA_CAP_* /
 * DMA_ECAP_* in the spec's bit order, so a model can also compose the
 * register with FIELD_PREP(). Masks the kernel has no name for use the
 * spec's field name behind the register's prefix.
 *
 * Registers are 32 or 64 bits wide; 64-bit registers take one 64-bit
 * access or two 32-bit accesses to their halves.
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"

/* ----- Register offsets (11.4) ----- */

inline constexpr unsigned int DMAR_VER_REG = 0x0;	/* architecture version */
inline constexpr unsigned int DMAR_CAP_REG = 0x8;	/* capabilities */
inline constexpr unsigned int DMAR_ECAP_REG = 0x10;	/* extended capabilities */
inline constexpr unsigned int DMAR_GCMD_REG = 0x18;	/* global command */
inline constexpr unsigned int DMAR_GSTS_REG = 0x1c;	/* global status */
inline constexpr unsigned int DMAR_RTADDR_REG = 0x20;	/* root table address */
inline constexpr unsigned int DMAR_CCMD_REG = 0x28;	/* context command */
inline constexpr unsigned int DMAR_FSTS_REG = 0x34;	/* fault status */
inline constexpr unsigned int DMAR_FECTL_REG = 0x38;	/* fault event control */
inline constexpr unsigned int DMAR_FEDATA_REG = 0x3c;	/* fault event interrupt data */
inline constexpr unsigned int DMAR_FEADDR_REG = 0x40;	/* fault event interrupt address */
inline constexpr unsigned int DMAR_FEUADDR_REG = 0x44;	/* ... upper address */
inline constexpr unsigned int DMAR_AFLOG_REG = 0x58;	/* advanced fault log */
inline constexpr unsigned int DMAR_PMEN_REG = 0x64;	/* protected memory enable */
inline constexpr unsigned int DMAR_PLMBASE_REG = 0x68;
inline constexpr unsigned int DMAR_PLMLIMIT_REG = 0x6c;
inline constexpr unsigned int DMAR_PHMBASE_REG = 0x70;
inline constexpr unsigned int DMAR_PHMLIMIT_REG = 0x78;
inline constexpr unsigned int DMAR_IQH_REG = 0x80;	/* invalidation queue head */
inline constexpr unsigned int DMAR_IQT_REG = 0x88;	/* invalidation queue tail */
inline constexpr unsigned int DMAR_IQA_REG = 0x90;	/* invalidation queue address */
inline constexpr unsigned int DMAR_ICS_REG = 0x9c;	/* invalidation completion status */
inline constexpr unsigned int DMAR_IECTL_REG = 0xa0;	/* invalidation event control */
inline constexpr unsigned int DMAR_IEDATA_REG = 0xa4;
inline constexpr unsigned int DMAR_IEADDR_REG = 0xa8;
inline constexpr unsigned int DMAR_IEUADDR_REG = 0xac;
inline constexpr unsigned int DMAR_IQER_REG = 0xb0;	/* invalidation queue error record */
inline constexpr unsigned int DMAR_IRTA_REG = 0xb8;	/* interrupt remapping table address */
inline constexpr unsigned int DMAR_PQH_REG = 0xc0;	/* page request queue head */
inline constexpr unsigned int DMAR_PQT_REG = 0xc8;	/* page request queue tail */
inline constexpr unsigned int DMAR_PQA_REG = 0xd0;	/* page request queue address */
inline constexpr unsigned int DMAR_PRS_REG = 0xdc;	/* page request status */
inline constexpr unsigned int DMAR_PECTL_REG = 0xe0;	/* page request event control */
inline constexpr unsigned int DMAR_PEDATA_REG = 0xe4;
inline constexpr unsigned int DMAR_PEADDR_REG = 0xe8;
inline constexpr unsigned int DMAR_PEUADDR_REG = 0xec;
inline constexpr unsigned int DMAR_MTRRCAP_REG = 0x100;
inline constexpr unsigned int DMAR_MTRRDEF_REG = 0x108;
inline constexpr unsigned int DMAR_PERFCAP_REG = 0x300;
inline constexpr unsigned int DMAR_ECMD_REG = 0x400;
inline constexpr unsigned int DMAR_ECEO_REG = 0x408;
inline constexpr unsigned int DMAR_ECRSP_REG = 0x410;
inline constexpr unsigned int DMAR_ECCAP_REG = 0x430;
inline constexpr unsigned int DMAR_VCCAP_REG = 0xe30;
inline constexpr unsigned int DMAR_VCMD_REG = 0xe00;
inline constexpr unsigned int DMAR_VCRSP_REG = 0xe10;

/* ----- Version (11.4.1) ----- */

inline constexpr u32 DMA_VER_MINOR = GENMASK(3, 0);
inline constexpr u32 DMA_VER_MAJOR = GENMASK(7, 4);

constexpr unsigned int DMAR_VER_MAJOR(u32 v) { return FIELD_GET(DMA_VER_MAJOR, v); }
constexpr unsigned int DMAR_VER_MINOR(u32 v) { return FIELD_GET(DMA_VER_MINOR, v); }

/* ----- Capability (11.4.2) ----- */

inline constexpr u64 DMA_CAP_ND = GENMASK_ULL(2, 0);	/* domains: 2^(4 + 2 * ND) */
inline constexpr u64 DMA_CAP_AFL = BIT_ULL(3);		/* advanced fault logging */
inline constexpr u64 DMA_CAP_RWBF = BIT_ULL(4);	/* required write-buffer flushing */
inline constexpr u64 DMA_CAP_PLMR = BIT_ULL(5);
inline constexpr u64 DMA_CAP_PHMR = BIT_ULL(6);
inline constexpr u64 DMA_CAP_CM = BIT_ULL(7);		/* caching mode */
inline constexpr u64 DMA_CAP_SAGAW = GENMASK_ULL(12, 8);
inline constexpr u64 DMA_CAP_MGAW = GENMASK_ULL(21, 16);	/* width - 1 */
inline constexpr u64 DMA_CAP_ZLR = BIT_ULL(22);
inline constexpr u64 DMA_CAP_ISOCH = BIT_ULL(23);	/* deprecated, reads 0 */
inline constexpr u64 DMA_CAP_FRO = GENMASK_ULL(33, 24);	/* fault recording offset / 16 */
inline constexpr u64 DMA_CAP_SLLPS = GENMASK_ULL(37, 34);	/* second-stage large pages */
inline constexpr u64 DMA_CAP_PSI = BIT_ULL(39);	/* page-selective invalidation */
inline constexpr u64 DMA_CAP_NFR = GENMASK_ULL(47, 40);	/* fault recording registers - 1 */
inline constexpr u64 DMA_CAP_MAMV = GENMASK_ULL(53, 48);	/* maximum address mask value */
inline constexpr u64 DMA_CAP_DWD = BIT_ULL(54);
inline constexpr u64 DMA_CAP_DRD = BIT_ULL(55);
inline constexpr u64 DMA_CAP_FL1GP = BIT_ULL(56);	/* first-stage 1 GiB pages */
inline constexpr u64 DMA_CAP_PI = BIT_ULL(59);		/* posted interrupts */
inline constexpr u64 DMA_CAP_FL5LP = BIT_ULL(60);	/* first-stage 5-level paging */
inline constexpr u64 DMA_CAP_ECMDS = BIT_ULL(61);
inline constexpr u64 DMA_CAP_ESIRTPS = BIT_ULL(62);
inline constexpr u64 DMA_CAP_ESRTPS = BIT_ULL(63);
inline constexpr u64 DMA_CAP_RES0 = GENMASK_ULL(15, 13) | BIT_ULL(38) | GENMASK_ULL(58, 57);

/* CAP.SAGAW bits: the second-stage widths (and table depths) supported. */
inline constexpr u64 DMA_SAGAW_39 = BIT(1);	/* 3-level, 39-bit */
inline constexpr u64 DMA_SAGAW_48 = BIT(2);	/* 4-level, 48-bit */
inline constexpr u64 DMA_SAGAW_57 = BIT(3);	/* 5-level, 57-bit */
/* CAP.SLLPS bits: 2 MiB, 1 GiB, 512 GiB, 1 TiB second-stage pages. */
inline constexpr u64 DMA_SLLPS_2M = BIT(0);
inline constexpr u64 DMA_SLLPS_1G = BIT(1);

constexpr bool cap_esrtps(u64 c) { return c & DMA_CAP_ESRTPS; }
constexpr bool cap_esirtps(u64 c) { return c & DMA_CAP_ESIRTPS; }
constexpr bool cap_ecmds(u64 c) { return c & DMA_CAP_ECMDS; }
constexpr bool cap_fl5lp_support(u64 c) { return c & DMA_CAP_FL5LP; }
constexpr bool cap_pi_support(u64 c) { return c & DMA_CAP_PI; }
constexpr bool cap_fl1gp_support(u64 c) { return c & DMA_CAP_FL1GP; }
constexpr bool cap_read_drain(u64 c) { return c & DMA_CAP_DRD; }
constexpr bool cap_write_drain(u64 c) { return c & DMA_CAP_DWD; }
constexpr unsigned int cap_max_amask_val(u64 c) { return FIELD_GET(DMA_CAP_MAMV, c); }
constexpr unsigned int cap_num_fault_regs(u64 c) { return FIELD_GET(DMA_CAP_NFR, c) + 1; }
constexpr bool cap_pgsel_inv(u64 c) { return c & DMA_CAP_PSI; }
constexpr unsigned int cap_super_page_val(u64 c) { return FIELD_GET(DMA_CAP_SLLPS, c); }
/* Byte offset of the first fault recording register. */
constexpr unsigned int cap_fault_reg_offset(u64 c) { return FIELD_GET(DMA_CAP_FRO, c) * 16; }
constexpr unsigned int cap_max_fault_reg_offset(u64 c)
{
	return cap_fault_reg_offset(c) + cap_num_fault_regs(c) * 16;
}
constexpr bool cap_zlr(u64 c) { return c & DMA_CAP_ZLR; }
constexpr bool cap_isoch(u64 c) { return c & DMA_CAP_ISOCH; }
constexpr unsigned int cap_mgaw(u64 c) { return FIELD_GET(DMA_CAP_MGAW, c) + 1; }
constexpr unsigned int cap_sagaw(u64 c) { return FIELD_GET(DMA_CAP_SAGAW, c); }
constexpr bool cap_caching_mode(u64 c) { return c & DMA_CAP_CM; }
constexpr bool cap_phmr(u64 c) { return c & DMA_CAP_PHMR; }
constexpr bool cap_plmr(u64 c) { return c & DMA_CAP_PLMR; }
constexpr bool cap_rwbf(u64 c) { return c & DMA_CAP_RWBF; }
constexpr bool cap_afl(u64 c) { return c & DMA_CAP_AFL; }
constexpr unsigned long cap_ndoms(u64 c) { return 1UL << (4 + 2 * FIELD_GET(DMA_CAP_ND, c)); }

/*
 * Adjusted guest address widths: AGAW n is a (n + 2)-level second-stage
 * table translating 30 + 9n bits; SAGAW bit n says AGAW n is supported,
 * and the AW field of context and PASID entries holds n.
 */
constexpr unsigned int agaw_to_width(unsigned int agaw) { return 30 + agaw * 9; }
constexpr unsigned int agaw_to_level(unsigned int agaw) { return agaw + 2; }
constexpr unsigned int width_to_agaw(unsigned int width) { return (width - 30 + 8) / 9; }

/* ----- Extended capability (11.4.3) ----- */

inline constexpr u64 DMA_ECAP_C = BIT_ULL(0);		/* page-walk coherency */
inline constexpr u64 DMA_ECAP_QI = BIT_ULL(1);		/* queued invalidation */
inline constexpr u64 DMA_ECAP_DT = BIT_ULL(2);		/* device-TLB (ATS) */
inline constexpr u64 DMA_ECAP_IR = BIT_ULL(3);		/* interrupt remapping */
inline constexpr u64 DMA_ECAP_EIM = BIT_ULL(4);
inline constexpr u64 DMA_ECAP_PT = BIT_ULL(6);		/* pass-through */
inline constexpr u64 DMA_ECAP_SC = BIT_ULL(7);		/* snoop control */
inline constexpr u64 DMA_ECAP_IRO = GENMASK_ULL(17, 8);	/* IOTLB registers offset / 16 */
inline constexpr u64 DMA_ECAP_MHMV = GENMASK_ULL(23, 20);
inline constexpr u64 DMA_ECAP_MTS = BIT_ULL(25);	/* memory type support */
inline constexpr u64 DMA_ECAP_NEST = BIT_ULL(26);	/* nested translation */
inline constexpr u64 DMA_ECAP_DIS = BIT_ULL(27);	/* deprecated */
inline constexpr u64 DMA_ECAP_BROKEN_PASID = BIT_ULL(28); /* deprecated pre-3.0 PASID */
inline constexpr u64 DMA_ECAP_PRS = BIT_ULL(29);	/* page requests */
inline constexpr u64 DMA_ECAP_ERS = BIT_ULL(30);	/* execute requests */
inline constexpr u64 DMA_ECAP_SRS = BIT_ULL(31);	/* supervisor requests */
inline constexpr u64 DMA_ECAP_NWFS = BIT_ULL(33);
inline constexpr u64 DMA_ECAP_EAFS = BIT_ULL(34);	/* extended accessed flag */
inline constexpr u64 DMA_ECAP_PSS = GENMASK_ULL(39, 35);	/* PASID bits - 1 */
inline constexpr u64 DMA_ECAP_PASID = BIT_ULL(40);
inline constexpr u64 DMA_ECAP_DIT = BIT_ULL(41);	/* device-TLB invalidation throttle */
inline constexpr u64 DMA_ECAP_PDS = BIT_ULL(42);	/* page-request drain */
inline constexpr u64 DMA_ECAP_SMTS = BIT_ULL(43);	/* scalable-mode translation */
inline constexpr u64 DMA_ECAP_VCS = BIT_ULL(44);	/* virtual command */
inline constexpr u64 DMA_ECAP_SLADS = BIT_ULL(45);	/* second-stage A/D (SSADS) */
inline constexpr u64 DMA_ECAP_SLTS = BIT_ULL(46);	/* second-stage translation (SSTS) */
inline constexpr u64 DMA_ECAP_FLTS = BIT_ULL(47);	/* first-stage translation (FSTS) */
inline constexpr u64 DMA_ECAP_SMPWC = BIT_ULL(48);	/* scalable-mode page-walk coherency */
inline constexpr u64 DMA_ECAP_RPS = BIT_ULL(49);	/* RID_PASID */
inline constexpr u64 DMA_ECAP_PMS = BIT_ULL(51);	/* performance monitoring */
inline constexpr u64 DMA_ECAP_ADMS = BIT_ULL(52);	/* abort DMA mode */
inline constexpr u64 DMA_ECAP_RPRIVS = BIT_ULL(53);	/* RID_PRIV */
inline constexpr u64 DMA_ECAP_SSADS = DMA_ECAP_SLADS;	/* the 4.0 name */
inline constexpr u64 DMA_ECAP_RES0 = BIT_ULL(5) | GENMASK_ULL(19, 18) | BIT_ULL(24) |
				     BIT_ULL(32) | BIT_ULL(50) | GENMASK_ULL(63, 54);

constexpr bool ecap_pms(u64 e) { return e & DMA_ECAP_PMS; }
constexpr bool ecap_rps(u64 e) { return e & DMA_ECAP_RPS; }
constexpr bool ecap_smpwc(u64 e) { return e & DMA_ECAP_SMPWC; }
constexpr bool ecap_flts(u64 e) { return e & DMA_ECAP_FLTS; }
constexpr bool ecap_slts(u64 e) { return e & DMA_ECAP_SLTS; }
constexpr bool ecap_slads(u64 e) { return e & DMA_ECAP_SLADS; }
constexpr bool ecap_vcs(u64 e) { return e & DMA_ECAP_VCS; }
constexpr bool ecap_smts(u64 e) { return e & DMA_ECAP_SMTS; }
constexpr bool ecap_dit(u64 e) { return e & DMA_ECAP_DIT; }
constexpr bool ecap_pds(u64 e) { return e & DMA_ECAP_PDS; }
constexpr bool ecap_pasid(u64 e) { return e & DMA_ECAP_PASID; }
constexpr unsigned int ecap_pss(u64 e) { return FIELD_GET(DMA_ECAP_PSS, e); }
constexpr bool ecap_eafs(u64 e) { return e & DMA_ECAP_EAFS; }
constexpr bool ecap_nwfs(u64 e) { return e & DMA_ECAP_NWFS; }
constexpr bool ecap_srs(u64 e) { return e & DMA_ECAP_SRS; }
constexpr bool ecap_ers(u64 e) { return e & DMA_ECAP_ERS; }
constexpr bool ecap_prs(u64 e) { return e & DMA_ECAP_PRS; }
constexpr bool ecap_broken_pasid(u64 e) { return e & DMA_ECAP_BROKEN_PASID; }
constexpr bool ecap_dis(u64 e) { return e & DMA_ECAP_DIS; }
constexpr bool ecap_nest(u64 e) { return e & DMA_ECAP_NEST; }
constexpr bool ecap_mts(u64 e) { return e & DMA_ECAP_MTS; }
constexpr bool ecap_adms(u64 e) { return e & DMA_ECAP_ADMS; }
constexpr bool ecap_rprivs(u64 e) { return e & DMA_ECAP_RPRIVS; }
/* Byte offset of the IOTLB registers (IVA_REG, then IOTLB_REG). */
constexpr unsigned int ecap_iotlb_offset(u64 e) { return FIELD_GET(DMA_ECAP_IRO, e) * 16; }
constexpr unsigned int ecap_max_iotlb_offset(u64 e) { return ecap_iotlb_offset(e) + 16; }
constexpr bool ecap_coherent(u64 e) { return e & DMA_ECAP_C; }
constexpr bool ecap_qis(u64 e) { return e & DMA_ECAP_QI; }
constexpr bool ecap_pass_through(u64 e) { return e & DMA_ECAP_PT; }
constexpr bool ecap_eim_support(u64 e) { return e & DMA_ECAP_EIM; }
constexpr bool ecap_ir_support(u64 e) { return e & DMA_ECAP_IR; }
constexpr bool ecap_dev_iotlb_support(u64 e) { return e & DMA_ECAP_DT; }
constexpr unsigned int ecap_max_handle_mask(u64 e) { return FIELD_GET(DMA_ECAP_MHMV, e); }
constexpr bool ecap_sc_support(u64 e) { return e & DMA_ECAP_SC; }

/* ----- Global command and status (11.4.4, 11.4.5) ----- */

/*
 * Software changes one command at a time: it reads GSTS, keeps the status
 * of the persistent bits (TE, EAFL, QIE, IRE, CFI), sets or clears the one
 * it changes and writes the result to GCMD, then polls GSTS until the
 * matching status bit follows. SRTP, SFL, WBF and SIRTP are one-shot: a
 * write with the bit set latches a pointer (or flushes) and its status
 * reads 1 once done (WBFS reads 0 once the flush is done).
 */
inline constexpr u32 DMA_GCMD_TE = BIT(31);	/* translation enable */
inline constexpr u32 DMA_GCMD_SRTP = BIT(30);	/* set root table pointer */
inline constexpr u32 DMA_GCMD_SFL = BIT(29);	/* set fault log */
inline constexpr u32 DMA_GCMD_EAFL = BIT(28);	/* enable advanced fault logging */
inline constexpr u32 DMA_GCMD_WBF = BIT(27);	/* write buffer flush */
inline constexpr u32 DMA_GCMD_QIE = BIT(26);	/* queued invalidation enable */
inline constexpr u32 DMA_GCMD_IRE = BIT(25);	/* interrupt remapping enable */
inline constexpr u32 DMA_GCMD_SIRTP = BIT(24);	/* set interrupt remap table pointer */
inline constexpr u32 DMA_GCMD_CFI = BIT(23);	/* compatibility format interrupts */
inline constexpr u32 DMA_GCMD_ONE_SHOT = DMA_GCMD_SRTP | DMA_GCMD_SFL | DMA_GCMD_WBF |
					  DMA_GCMD_SIRTP;

inline constexpr u32 DMA_GSTS_TES = BIT(31);
inline constexpr u32 DMA_GSTS_RTPS = BIT(30);
inline constexpr u32 DMA_GSTS_FLS = BIT(29);
inline constexpr u32 DMA_GSTS_AFLS = BIT(28);
inline constexpr u32 DMA_GSTS_WBFS = BIT(27);
inline constexpr u32 DMA_GSTS_QIES = BIT(26);
inline constexpr u32 DMA_GSTS_IRES = BIT(25);
inline constexpr u32 DMA_GSTS_IRTPS = BIT(24);
inline constexpr u32 DMA_GSTS_CFIS = BIT(23);

/* ----- Root table address (11.4.6) ----- */

inline constexpr u64 DMA_RTADDR_TTM = GENMASK_ULL(11, 10);	/* translation table mode */
inline constexpr u64 DMA_RTADDR_TTM_LEGACY = 0;
inline constexpr u64 DMA_RTADDR_TTM_SCALABLE = 1;
inline constexpr u64 DMA_RTADDR_TTM_ABORT_DMA = 3;	/* with ECAP.ADMS; 2 is reserved */
inline constexpr u64 DMA_RTADDR_SMT = BIT_ULL(10);	/* TTM scalable, as the kernel sets it */
inline constexpr u64 DMA_RTADDR_RTA = GENMASK_ULL(63, 12);
inline constexpr u64 DMA_RTADDR_RES0 = GENMASK_ULL(9, 0);

/* ----- Context command (11.4.7): register-based context-cache invalidation ----- */

inline constexpr u64 DMA_CCMD_ICC = BIT_ULL(63);	/* invalidate; reads 0 once done */
inline constexpr u64 DMA_CCMD_CIRG = GENMASK_ULL(62, 61);	/* requested granularity */
inline constexpr u64 DMA_CCMD_CAIG = GENMASK_ULL(60, 59);	/* actual granularity */
inline constexpr u64 DMA_CCMD_FM_MASK = GENMASK_ULL(33, 32);
inline constexpr u64 DMA_CCMD_SID_MASK = GENMASK_ULL(31, 16);
inline constexpr u64 DMA_CCMD_DID_MASK = GENMASK_ULL(15, 0);
inline constexpr u64 DMA_CCMD_RES0 = GENMASK_ULL(58, 34);
inline constexpr unsigned int DMA_CCMD_INVL_GRANU_OFFSET = 61;
inline constexpr u64 DMA_CCMD_GLOBAL_INVL = 1ULL << 61;
inline constexpr u64 DMA_CCMD_DOMAIN_INVL = 2ULL << 61;
inline constexpr u64 DMA_CCMD_DEVICE_INVL = 3ULL << 61;
inline constexpr u8 DMA_CCMD_MASK_NOBIT = 0;
inline constexpr u8 DMA_CCMD_MASK_1BIT = 1;
inline constexpr u8 DMA_CCMD_MASK_2BIT = 2;
inline constexpr u8 DMA_CCMD_MASK_3BIT = 3;
constexpr u64 DMA_CCMD_FM(u64 m) { return (m & 0x3) << 32; }
constexpr u64 DMA_CCMD_SID(u64 s) { return (s & 0xffff) << 16; }
constexpr u64 DMA_CCMD_DID(u64 d) { return d & 0xffff; }

/*
 * ----- IOTLB registers at ECAP.IRO (11.4.8): IVA_REG then IOTLB_REG -----
 *
 * Software writes the address (IVA_REG) for a page-selective invalidation,
 * then IOTLB_REG with IVT set; IVT reads 0 once the invalidation is done
 * and IAIG tells the granularity performed (0: request not supported).
 */
inline constexpr unsigned int DMAR_IVA_OFFSET = 0;	/* within the IOTLB registers */
inline constexpr unsigned int DMAR_IOTLB_OFFSET = 8;

inline constexpr u64 DMA_TLB_IVT = BIT_ULL(63);
inline constexpr u64 DMA_TLB_IIRG_MASK = GENMASK_ULL(61, 60);
inline constexpr u64 DMA_TLB_IAIG_MASK = GENMASK_ULL(58, 57);
inline constexpr u64 DMA_TLB_READ_DRAIN = BIT_ULL(49);
inline constexpr u64 DMA_TLB_WRITE_DRAIN = BIT_ULL(48);
inline constexpr u64 DMA_TLB_DID_MASK = GENMASK_ULL(47, 32);
inline constexpr u64 DMA_TLB_RES0 = GENMASK_ULL(31, 0) | GENMASK_ULL(56, 50) | BIT_ULL(59) |
				    BIT_ULL(62);
inline constexpr unsigned int DMA_TLB_FLUSH_GRANU_OFFSET = 60;
inline constexpr u64 DMA_TLB_GLOBAL_FLUSH = 1ULL << 60;
inline constexpr u64 DMA_TLB_DSI_FLUSH = 2ULL << 60;	/* domain-selective */
inline constexpr u64 DMA_TLB_PSI_FLUSH = 3ULL << 60;	/* page-selective within domain */
constexpr unsigned int DMA_TLB_IIRG(u64 type) { return (type >> 60) & 3; }
constexpr unsigned int DMA_TLB_IAIG(u64 val) { return (val >> 57) & 3; }
constexpr u64 DMA_TLB_DID(u64 id) { return (id & 0xffff) << 32; }
/* IVA_REG fields. */
inline constexpr u64 DMA_IVA_AM = GENMASK_ULL(5, 0);	/* 2^AM pages */
inline constexpr u64 DMA_TLB_IH_NONLEAF = BIT_ULL(6);	/* IVA_REG.IH: leaf entries only */
inline constexpr u64 DMA_IVA_ADDR = GENMASK_ULL(63, 12);
inline constexpr u64 DMA_TLB_MAX_SIZE = 0x3f;

/* ----- Protected memory (11.4.13) ----- */

inline constexpr u32 DMA_PMEN_EPM = BIT(31);
inline constexpr u32 DMA_PMEN_PRS = BIT(0);

/* ----- Fault status, event control and recording (11.4.9 - 11.4.12) ----- */

inline constexpr u32 DMA_FSTS_PFO = BIT(0);	/* primary fault overflow (RW1C) */
inline constexpr u32 DMA_FSTS_PPF = BIT(1);	/* primary pending fault (RO: some FRCD.F set) */
inline constexpr u32 DMA_FSTS_AFO = BIT(2);
inline constexpr u32 DMA_FSTS_APF = BIT(3);
inline constexpr u32 DMA_FSTS_IQE = BIT(4);	/* invalidation queue error (RW1C) */
inline constexpr u32 DMA_FSTS_ICE = BIT(5);	/* invalidation completion error (RW1C) */
inline constexpr u32 DMA_FSTS_ITE = BIT(6);	/* invalidation time-out error (RW1C) */
inline constexpr u32 DMA_FSTS_PRO = BIT(7);	/* deprecated; PRS.PRO holds it now */
inline constexpr u32 DMA_FSTS_FRI = GENMASK(15, 8);	/* index of the first pending record */
inline constexpr u32 DMA_FSTS_RW1C = DMA_FSTS_PFO | DMA_FSTS_AFO | DMA_FSTS_APF | DMA_FSTS_IQE |
				     DMA_FSTS_ICE | DMA_FSTS_ITE;
constexpr unsigned int dma_fsts_fault_record_index(u32 s) { return FIELD_GET(DMA_FSTS_FRI, s); }

/*
 * FECTL, IECTL, PECTL: IM masks the interrupt; IP says one is pending
 * behind the mask and is cleared (the message sent) when IM is cleared,
 * or when the condition that raised it is cleared by software first.
 */
inline constexpr u32 DMA_FECTL_IM = BIT(31);
inline constexpr u32 DMA_FECTL_IP = BIT(30);
inline constexpr u32 DMA_IECTL_IM = BIT(31);
inline constexpr u32 DMA_IECTL_IP = BIT(30);
inline constexpr u32 DMA_PECTL_IM = BIT(31);
inline constexpr u32 DMA_PECTL_IP = BIT(30);
/* Event data/address registers (FEDATA/FEADDR, IEDATA/IEADDR, PEDATA/PEADDR). */
inline constexpr u32 DMA_EVENT_DATA_IMD = GENMASK(15, 0);
inline constexpr u32 DMA_EVENT_ADDR_MA = GENMASK(31, 2);

/*
 * Fault recording registers: CAP.NFR + 1 records of 16 bytes each from
 * CAP.FRO * 16. The low qword holds the faulting page address; the high
 * qword the source and reason, with F (bit 127) set while the record is
 * valid. Software reads a record and clears F by writing 1 to it.
 */
inline constexpr unsigned int PRIMARY_FAULT_REG_LEN = 16;
inline constexpr u64 DMA_FRCD_0_FI = GENMASK_ULL(63, 12);	/* fault information (page) */
inline constexpr u64 DMA_FRCD_1_SID = GENMASK_ULL(15, 0);
inline constexpr u64 DMA_FRCD_1_T2 = BIT_ULL(28);	/* with T1: page request / AtomicOp */
inline constexpr u64 DMA_FRCD_1_PRIV = BIT_ULL(29);	/* privileged request */
inline constexpr u64 DMA_FRCD_1_EXE = BIT_ULL(30);	/* execute requested */
inline constexpr u64 DMA_FRCD_1_PP = BIT_ULL(31);	/* PASID present */
inline constexpr u64 DMA_FRCD_1_FR = GENMASK_ULL(39, 32);	/* fault reason */
inline constexpr u64 DMA_FRCD_1_PV = GENMASK_ULL(59, 40);	/* PASID value */
inline constexpr u64 DMA_FRCD_1_AT = GENMASK_ULL(61, 60);	/* address type */
inline constexpr u64 DMA_FRCD_1_T1 = BIT_ULL(62);	/* 1: read, 0: write */
inline constexpr u64 DMA_FRCD_1_F = BIT_ULL(63);	/* fault (RW1C) */
/* AT encodings: the PCIe address type of the faulting request. */
inline constexpr u64 DMA_FRCD_AT_UNTRANSLATED = 0;
inline constexpr u64 DMA_FRCD_AT_TRANSLATION_REQ = 1;
inline constexpr u64 DMA_FRCD_AT_TRANSLATED = 2;

/* The kernel's 32-bit views: @d/@c are the dwords at offsets 12 and 8 of a record. */
inline constexpr u32 DMA_FRCD_F = BIT(31);
constexpr unsigned int dma_frcd_type(u32 d) { return (d >> 30) & 1; }
constexpr unsigned int dma_frcd_fault_reason(u32 c) { return c & 0xff; }
constexpr unsigned int dma_frcd_source_id(u32 c) { return c & 0xffff; }
constexpr unsigned int dma_frcd_pasid_value(u32 c) { return (c >> 8) & 0xfffff; }
constexpr unsigned int dma_frcd_pasid_present(u32 c) { return (c >> 31) & 1; }
constexpr u64 dma_frcd_page_addr(u64 d) { return d & GENMASK_ULL(63, 12); }

/* ----- Advanced fault log (11.4.12) ----- */

inline constexpr u64 DMA_AFLOG_FLS = GENMASK_ULL(11, 9);
inline constexpr u64 DMA_AFLOG_FLA = GENMASK_ULL(63, 12);

/* ----- Invalidation queue (11.4.14 - 11.4.20) ----- */

/*
 * IQH and IQT hold the byte offset of a descriptor in the queue: a 128-bit
 * descriptor is 16 bytes (DMAR_IQ_SHIFT), a 256-bit one 32, so with
 * IQA.DW set bit 4 of IQT must be 0. The queue holds 2^(QS + 8) 128-bit or
 * 2^(QS + 7) 256-bit descriptors in 2^QS contiguous 4 KiB pages.
 */
inline constexpr unsigned int DMAR_IQ_SHIFT = 4;
inline constexpr u64 DMA_IQ_OFFSET = GENMASK_ULL(18, 4);	/* IQH.QH / IQT.QT */
inline constexpr u64 DMA_IQA_QS = GENMASK_ULL(2, 0);
inline constexpr u64 DMA_IQA_DW = BIT_ULL(11);	/* 256-bit descriptors */
inline constexpr u64 DMA_IQA_IQA = GENMASK_ULL(63, 12);
inline constexpr u64 DMA_IQA_RES0 = GENMASK_ULL(10, 3);
inline constexpr unsigned int DMA_IQA_QS_MAX = 7;

inline constexpr u32 DMA_ICS_IWC = BIT(0);	/* invalidation wait complete (RW1C) */

/*
 * IQER: why the queue stopped (IQEI, with FSTS.IQE), and the source-id of
 * a device-TLB invalidation that timed out (ITESID, FSTS.ITE) or got an
 * invalid completion (ICESID, FSTS.ICE).
 */
inline constexpr u64 DMA_IQER_IQEI = GENMASK_ULL(3, 0);
inline constexpr u64 DMA_IQER_ITESID = GENMASK_ULL(47, 32);
inline constexpr u64 DMA_IQER_ICESID = GENMASK_ULL(63, 48);
constexpr unsigned int DMAR_IQER_REG_IQEI(u64 reg) { return FIELD_GET(DMA_IQER_IQEI, reg); }
constexpr unsigned int DMAR_IQER_REG_ITESID(u64 reg) { return FIELD_GET(DMA_IQER_ITESID, reg); }
constexpr unsigned int DMAR_IQER_REG_ICESID(u64 reg) { return FIELD_GET(DMA_IQER_ICESID, reg); }

/* IQER.IQEI encodings. */
enum dmar_iqei {
	DMA_IQEI_NONE = 0,		/* information not available */
	DMA_IQEI_TAIL_BEYOND = 1,	/* IQT points past the end of the queue */
	DMA_IQEI_FETCH = 2,		/* reading the descriptor failed */
	DMA_IQEI_TYPE = 3,		/* descriptor type invalid or not supported */
	DMA_IQEI_RESERVED = 4,		/* a reserved field is set */
	DMA_IQEI_WIDTH = 5,		/* 128-bit queue in scalable mode */
	DMA_IQEI_TAIL_MISALIGNED = 6,	/* IQT bit 4 set with 256-bit descriptors */
	DMA_IQEI_TTM = 7,		/* descriptor not valid in the current TTM */
};

/* ----- Page request queue (11.4.21 - 11.4.27) ----- */

/* PQH/PQT: byte offset of a 32-byte page request descriptor. */
inline constexpr unsigned int DMAR_PQ_SHIFT = 5;
inline constexpr u64 DMA_PQ_OFFSET = GENMASK_ULL(18, 5);
inline constexpr u64 DMA_PQA_PQS = GENMASK_ULL(2, 0);	/* 2^PQS 4 KiB pages */
inline constexpr u64 DMA_PQA_PQA = GENMASK_ULL(63, 12);
inline constexpr u64 DMA_PQA_RES0 = GENMASK_ULL(11, 3);

inline constexpr u32 DMA_PRS_PPR = BIT(0);	/* pending page request (RW1C) */
inline constexpr u32 DMA_PRS_PRO = BIT(1);	/* page request overflow (RW1C) */

/* ----- Interrupt remapping table address (11.4.29) ----- */

inline constexpr u64 DMA_IRTA_S = GENMASK_ULL(3, 0);
inline constexpr u64 DMA_IRTA_EIME = BIT_ULL(11);
inline constexpr u64 DMA_IRTA_IRTA = GENMASK_ULL(63, 12);
