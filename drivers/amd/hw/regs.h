/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD IOMMU MMIO registers (spec 48882, 3.4 "IOMMU MMIO Registers").
 *
 * Offsets and bits carry the names drivers/iommu/amd/amd_iommu_types.h
 * gives them (MMIO_*_OFFSET, FEATURE_*, CONTROL_*, MMIO_STATUS_*). As in
 * the kernel, CONTROL_* are bit numbers (the driver passes them to
 * iommu_feature_enable()) and FEATURE_* are masks; masks the kernel has no
 * name for use the spec's field name behind the register's prefix.
 *
 * All registers are 64 bits wide and take one 64-bit access or two 32-bit
 * accesses to their halves. The head/tail registers live on the second
 * 4 KiB page (0x2000) so a hypervisor can map that page alone; the
 * HW-vIOMMU's VF MMIO page repeats that page's layout per guest.
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"

/* ----- Register offsets (3.4) ----- */

inline constexpr unsigned int MMIO_DEV_TABLE_OFFSET = 0x0000;	/* device table base */
inline constexpr unsigned int MMIO_CMD_BUF_OFFSET = 0x0008;	/* command buffer base */
inline constexpr unsigned int MMIO_EVT_BUF_OFFSET = 0x0010;	/* event log base */
inline constexpr unsigned int MMIO_CONTROL_OFFSET = 0x0018;
inline constexpr unsigned int MMIO_EXCL_BASE_OFFSET = 0x0020;	/* exclusion range */
inline constexpr unsigned int MMIO_EXCL_LIMIT_OFFSET = 0x0028;
inline constexpr unsigned int MMIO_EXT_FEATURES = 0x0030;	/* EFR */
inline constexpr unsigned int MMIO_PPR_LOG_OFFSET = 0x0038;	/* PPR log base */
inline constexpr unsigned int MMIO_GA_LOG_BASE_OFFSET = 0x00e0;
inline constexpr unsigned int MMIO_GA_LOG_TAIL_OFFSET = 0x00e8;
inline constexpr unsigned int MMIO_PPRB_LOG_OFFSET = 0x00f0;	/* dual PPR log B */
inline constexpr unsigned int MMIO_EVTB_LOG_OFFSET = 0x00f8;	/* dual event log B */
inline constexpr unsigned int MMIO_MSI_ADDR_LO_OFFSET = 0x015c;
inline constexpr unsigned int MMIO_MSI_ADDR_HI_OFFSET = 0x0160;
inline constexpr unsigned int MMIO_MSI_DATA_OFFSET = 0x0164;
inline constexpr unsigned int MMIO_INTCAPXT_EVT_OFFSET = 0x0170;
inline constexpr unsigned int MMIO_INTCAPXT_PPR_OFFSET = 0x0178;
inline constexpr unsigned int MMIO_INTCAPXT_GALOG_OFFSET = 0x0180;
inline constexpr unsigned int MMIO_VIOMMU_STATUS_OFFSET = 0x0190;
inline constexpr unsigned int MMIO_EXT_FEATURES2 = 0x01a0;	/* EFR2 */
inline constexpr unsigned int MMIO_CMD_HEAD_OFFSET = 0x2000;
inline constexpr unsigned int MMIO_CMD_TAIL_OFFSET = 0x2008;
inline constexpr unsigned int MMIO_EVT_HEAD_OFFSET = 0x2010;
inline constexpr unsigned int MMIO_EVT_TAIL_OFFSET = 0x2018;
inline constexpr unsigned int MMIO_STATUS_OFFSET = 0x2020;
inline constexpr unsigned int MMIO_PPR_HEAD_OFFSET = 0x2030;
inline constexpr unsigned int MMIO_PPR_TAIL_OFFSET = 0x2038;
inline constexpr unsigned int MMIO_GA_HEAD_OFFSET = 0x2040;
inline constexpr unsigned int MMIO_GA_TAIL_OFFSET = 0x2048;
inline constexpr unsigned int MMIO_CNTR_CONF_OFFSET = 0x4000;	/* performance counters */
inline constexpr unsigned int MMIO_CNTR_REG_OFFSET = 0x40000;
inline constexpr unsigned int MMIO_REG_END_OFFSET = 0x80000;

/* ----- Base registers (3.4.1 - 3.4.3, 3.4.5) ----- */

/*
 * Device Table Base: base[51:12] and Size[8:0], the table's length in
 * 4 KiB pages minus one (512 pages: all 65536 DeviceIDs).
 */
inline constexpr u64 MMIO_DEV_TABLE_BASE = GENMASK_ULL(51, 12);
inline constexpr u64 MMIO_DEV_TABLE_SIZE = GENMASK_ULL(8, 0);
inline constexpr u64 MMIO_DEV_TABLE_RES0 = GENMASK_ULL(11, 9) | GENMASK_ULL(63, 52);

/*
 * Command Buffer, Event Log, PPR Log Base: base[51:12] and a length
 * field [59:56] holding log2(entries) of 16 bytes, 8 (256 entries, 4 KiB)
 * to 15 (32768 entries, 512 KiB).
 */
inline constexpr u64 MMIO_BUF_BASE = GENMASK_ULL(51, 12);
inline constexpr u64 MMIO_BUF_LEN = GENMASK_ULL(59, 56);
inline constexpr u64 MMIO_BUF_RES0 = GENMASK_ULL(11, 0) | GENMASK_ULL(55, 52) |
				     GENMASK_ULL(63, 60);
inline constexpr unsigned int MMIO_BUF_LEN_MIN = 8;
inline constexpr unsigned int MMIO_BUF_LEN_MAX = 15;

inline constexpr unsigned int MMIO_CMD_SIZE_SHIFT = 56;
inline constexpr u64 MMIO_CMD_SIZE_512 = 0x9ULL << MMIO_CMD_SIZE_SHIFT;
inline constexpr unsigned int CMD_BUFFER_SIZE = 8192;
inline constexpr unsigned int CMD_BUFFER_ENTRIES = 512;
inline constexpr unsigned int EVT_BUFFER_SIZE = 8192;	/* 512 entries */
inline constexpr u64 EVT_LEN_MASK = 0x9ULL << 56;
inline constexpr unsigned int PPR_LOG_ENTRIES = 512;
inline constexpr unsigned int PPR_LOG_SIZE_SHIFT = 56;
inline constexpr u64 PPR_LOG_SIZE_512 = 0x9ULL << PPR_LOG_SIZE_SHIFT;

/* Bytes of a buffer whose length field is @len. */
constexpr u64 mmio_buf_bytes(unsigned int len) { return 16ULL << len; }

/*
 * Head and tail registers: byte offsets into their buffer, bits [18:4]
 * (16-byte entries, up to 32768 of them); the rest reads zero.
 */
inline constexpr u64 MMIO_HEAD_TAIL_MASK = GENMASK_ULL(18, 4);

/* Exclusion range (3.4.4): not modelled beyond the register storage. */
inline constexpr u64 MMIO_EXCL_ENABLE_MASK = 0x01ULL;
inline constexpr u64 MMIO_EXCL_ALLOW_MASK = 0x02ULL;

/* ----- Extended Feature Register (3.4.6) ----- */

inline constexpr u64 FEATURE_PREFETCH = BIT_ULL(0);	/* PreFSup */
inline constexpr u64 FEATURE_PPR = BIT_ULL(1);		/* PPRSup: peripheral page requests */
inline constexpr u64 FEATURE_X2APIC = BIT_ULL(2);	/* XTSup */
inline constexpr u64 FEATURE_NX = BIT_ULL(3);		/* NXSup: no-execute */
inline constexpr u64 FEATURE_GT = BIT_ULL(4);		/* GTSup: guest (v2) translation */
inline constexpr u64 FEATURE_IA = BIT_ULL(6);		/* IASup: INVALIDATE_IOMMU_ALL */
inline constexpr u64 FEATURE_GA = BIT_ULL(7);		/* GASup: guest virtual APIC */
inline constexpr u64 FEATURE_HE = BIT_ULL(8);		/* HESup: hardware error registers */
inline constexpr u64 FEATURE_PC = BIT_ULL(9);		/* PCSup: performance counters */
inline constexpr u64 FEATURE_HATS = GENMASK_ULL(11, 10); /* host levels: 0 = 4, 1 = 5, 2 = 6 */
inline constexpr u64 FEATURE_GATS = GENMASK_ULL(13, 12); /* guest levels: 0 = 4, 1 = 5 */
inline constexpr u64 FEATURE_GLX = GENMASK_ULL(15, 14);	 /* GCR3 table levels - 1 */
inline constexpr u64 FEATURE_SMIFSUP = GENMASK_ULL(17, 16);
inline constexpr u64 FEATURE_SMIFRC = GENMASK_ULL(20, 18);
inline constexpr u64 FEATURE_GAM_VAPIC = BIT_ULL(21);
inline constexpr u64 FEATURE_DUALPPRLOG = GENMASK_ULL(23, 22);
inline constexpr u64 FEATURE_DUALEVTLOG = GENMASK_ULL(29, 28);
inline constexpr u64 FEATURE_PASMAX = GENMASK_ULL(36, 32); /* PASID bits - 1 */
inline constexpr u64 FEATURE_USSUP = BIT_ULL(37);
inline constexpr u64 FEATURE_DEVTBLSEGSUP = GENMASK_ULL(39, 38);
inline constexpr u64 FEATURE_PPROVRFLWEARLY = BIT_ULL(40);
inline constexpr u64 FEATURE_PPRAUTORSPSUP = BIT_ULL(41);
inline constexpr u64 FEATURE_MARCSUP = GENMASK_ULL(43, 42);
inline constexpr u64 FEATURE_BLKSTOPMRKSUP = BIT_ULL(44);
inline constexpr u64 FEATURE_PERFOPTSUP = BIT_ULL(45);
inline constexpr u64 FEATURE_MSICAPMMIOSUP = BIT_ULL(46);
inline constexpr u64 FEATURE_GIOSUP = BIT_ULL(48);	/* guest I/O protection (GIoV) */
inline constexpr u64 FEATURE_HASUP = BIT_ULL(49);	/* host access bit (HAD A) */
inline constexpr u64 FEATURE_EPHSUP = BIT_ULL(50);	/* enhanced PPR handling */
inline constexpr u64 FEATURE_ATTRFWSUP = BIT_ULL(51);
inline constexpr u64 FEATURE_HDSUP = BIT_ULL(52);	/* host dirty bit (HAD D) */
inline constexpr u64 FEATURE_VIOMMU = BIT_ULL(55);	/* HW-vIOMMU (VIOMMUSup) */
inline constexpr u64 FEATURE_INVIOTLBTYPESUP = BIT_ULL(56);
inline constexpr u64 FEATURE_GAUPDATEDISSUP = BIT_ULL(61);
inline constexpr u64 FEATURE_FORCEPHYSDESTSUP = BIT_ULL(62);
inline constexpr u64 FEATURE_SNP = BIT_ULL(63);

/* HATS/GATS values: the deepest table the walker takes. */
inline constexpr unsigned int FEATURE_HATS_4LEVEL = 0;
inline constexpr unsigned int FEATURE_HATS_5LEVEL = 1;
inline constexpr unsigned int FEATURE_HATS_6LEVEL = 2;
inline constexpr unsigned int FEATURE_GATS_4LEVEL = 0;
inline constexpr unsigned int FEATURE_GATS_5LEVEL = 1;

/* ----- Extended Feature 2 Register (3.4.7) ----- */

inline constexpr u64 FEATURE_TMPMSUP = BIT_ULL(0);
inline constexpr u64 FEATURE_GCR3TRPMODESUP = BIT_ULL(3);
inline constexpr u64 FEATURE_GAPPIDISSUP = BIT_ULL(4);
inline constexpr u64 FEATURE_SNPAVICSUP = GENMASK_ULL(7, 5);
inline constexpr u64 FEATURE_NUM_INT_REMAP_SUP = GENMASK_ULL(9, 8);
inline constexpr u64 FEATURE_HT_RANGE_IGNORE = BIT_ULL(11);

constexpr bool FEATURE_SNPAVICSUP_GAM(u64 x) { return FIELD_GET(FEATURE_SNPAVICSUP, x) == 0x1; }
constexpr bool FEATURE_NUM_INT_REMAP_SUP_2K(u64 x)
{
	return FIELD_GET(FEATURE_NUM_INT_REMAP_SUP, x) == 0x1;
}

/* ----- Control Register (3.4.8): bit numbers, as the kernel uses them ----- */

inline constexpr unsigned int CONTROL_IOMMU_EN = 0;
inline constexpr unsigned int CONTROL_HT_TUN_EN = 1;
inline constexpr unsigned int CONTROL_EVT_LOG_EN = 2;
inline constexpr unsigned int CONTROL_EVT_INT_EN = 3;
inline constexpr unsigned int CONTROL_COMWAIT_EN = 4;	/* ComWaitIntEn */
inline constexpr unsigned int CONTROL_INV_TIMEOUT = 5;	/* [7:5] */
inline constexpr unsigned int CONTROL_PASSPW_EN = 8;
inline constexpr unsigned int CONTROL_RESPASSPW_EN = 9;
inline constexpr unsigned int CONTROL_COHERENT_EN = 10;
inline constexpr unsigned int CONTROL_ISOC_EN = 11;
inline constexpr unsigned int CONTROL_CMDBUF_EN = 12;
inline constexpr unsigned int CONTROL_PPRLOG_EN = 13;
inline constexpr unsigned int CONTROL_PPRINT_EN = 14;
inline constexpr unsigned int CONTROL_PPR_EN = 15;
inline constexpr unsigned int CONTROL_GT_EN = 16;
inline constexpr unsigned int CONTROL_GA_EN = 17;
inline constexpr unsigned int CONTROL_GAM_EN = 25;
inline constexpr unsigned int CONTROL_GALOG_EN = 28;
inline constexpr unsigned int CONTROL_GAINT_EN = 29;
inline constexpr unsigned int CONTROL_DUALPPRLOG_EN = 30;	/* [31:30] */
inline constexpr unsigned int CONTROL_DUALEVTLOG_EN = 32;	/* [33:32] */
inline constexpr unsigned int CONTROL_PPR_AUTO_RSP_EN = 39;
inline constexpr unsigned int CONTROL_BLKSTOPMRK_EN = 41;
inline constexpr unsigned int CONTROL_NUM_INT_REMAP_MODE = 43;	/* [44:43] */
inline constexpr unsigned int CONTROL_EPH_EN = 45;
inline constexpr unsigned int CONTROL_PPR_AUTO_RSP_AON = 48;
inline constexpr unsigned int CONTROL_XT_EN = 50;
inline constexpr unsigned int CONTROL_INTCAPXT_EN = 51;
inline constexpr unsigned int CONTROL_VCMD_EN = 52;		/* HW-vIOMMU command virtualization */
inline constexpr unsigned int CONTROL_VIOMMU_EN = 53;		/* HW-vIOMMU */
inline constexpr unsigned int CONTROL_IRTCACHEDIS = 59;
inline constexpr unsigned int CONTROL_SNPAVIC_EN = 61;

inline constexpr u64 CONTROL_NUM_INT_REMAP_MODE_MASK = 0x03;
inline constexpr u64 CONTROL_NUM_INT_REMAP_MODE_2K = 0x01;

/* Control.InvTimeout values (CTRL_INV_TO_* << CONTROL_INV_TIMEOUT). */
inline constexpr u64 CTRL_INV_TO_MASK = 7;
inline constexpr u64 CTRL_INV_TO_NONE = 0;
inline constexpr u64 CTRL_INV_TO_1MS = 1;
inline constexpr u64 CTRL_INV_TO_10MS = 2;
inline constexpr u64 CTRL_INV_TO_100MS = 3;
inline constexpr u64 CTRL_INV_TO_1S = 4;
inline constexpr u64 CTRL_INV_TO_10S = 5;
inline constexpr u64 CTRL_INV_TO_100S = 6;

/* ----- Status Register (3.4.17) ----- */

inline constexpr u64 MMIO_STATUS_EVT_OVERFLOW_MASK = BIT(0);	/* RW1C */
inline constexpr u64 MMIO_STATUS_EVT_INT_MASK = BIT(1);		/* RW1C */
inline constexpr u64 MMIO_STATUS_COM_WAIT_INT_MASK = BIT(2);	/* RW1C */
inline constexpr u64 MMIO_STATUS_EVT_RUN_MASK = BIT(3);		/* RO */
inline constexpr u64 MMIO_STATUS_CMDBUF_RUN_MASK = BIT(4);	/* RO */
inline constexpr u64 MMIO_STATUS_PPR_OVERFLOW_MASK = BIT(5);	/* RW1C */
inline constexpr u64 MMIO_STATUS_PPR_INT_MASK = BIT(6);		/* RW1C */
inline constexpr u64 MMIO_STATUS_PPR_RUN_MASK = BIT(7);		/* RO */
inline constexpr u64 MMIO_STATUS_GALOG_RUN_MASK = BIT(8);
inline constexpr u64 MMIO_STATUS_GALOG_OVERFLOW_MASK = BIT(9);
inline constexpr u64 MMIO_STATUS_GALOG_INT_MASK = BIT(10);
inline constexpr u64 MMIO_STATUS_W1C = MMIO_STATUS_EVT_OVERFLOW_MASK | MMIO_STATUS_EVT_INT_MASK |
				       MMIO_STATUS_COM_WAIT_INT_MASK |
				       MMIO_STATUS_PPR_OVERFLOW_MASK | MMIO_STATUS_PPR_INT_MASK |
				       MMIO_STATUS_GALOG_OVERFLOW_MASK | MMIO_STATUS_GALOG_INT_MASK;
