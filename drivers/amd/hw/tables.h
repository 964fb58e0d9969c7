/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD IOMMU in-memory translation structures (spec 48882, 2.2): the
 * device table of 256-bit entries indexed by DeviceID, the GCR3 table the
 * DTE points to for guest (v2) translation, and the bits of v1 host page
 * table entries and of x86-64 guest entries the driver sets.
 *
 * A DTE is four 64-bit words as the hardware reads them (a little-endian
 * host is assumed). Masks carry the kernel's names where it has one
 * (DTE_FLAG_V, DTE_GLX, DTE_GCR3_14_12 ...) and DTE_<word>_<FIELD>
 * otherwise; reserved bits are DTE_<word>_RES0 so the model and a test can
 * check them. The v1 page-table format itself (next-level encoding, sized
 * pages, skipped levels) is described once in generic_pt's fmt/amdv1.h;
 * the IOMMU_PTE_* and PM_* names here are what the driver composes.
 *
 * Lookup (2.2.2, 2.2.6): DeviceID -> DTE. Mode 1..6 gives a v1 host table
 * of that many levels at HostPTR (Mode 0: no translation, 7: reserved).
 * With GV the DTE also points at a GCR3 table (GCR3 Table Root Pointer,
 * split over three fields) of 1 or 2 levels (GLX 0 / 1), indexed by PASID;
 * each GCR3 entry holds the guest CR3 of an x86-64 4- or 5-level table
 * (GuestPagingMode). With Mode != 0 as well, the guest tables are nested:
 * the GCR3 table, every guest table and the guest output address are GPAs
 * translated by the v1 table.
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/bitops.h"
#include "harness/compiler.h"

/* ----- Device table (2.2.2) ----- */

inline constexpr unsigned int DEV_TABLE_ENTRY_SIZE = 32;
inline constexpr unsigned int MAX_DEV_TABLE_ENTRIES = 0xffff;

struct dev_table_entry {
	u64 data[4];
};
static_assert(sizeof(struct dev_table_entry) == DEV_TABLE_ENTRY_SIZE);

/* Word 0. */
inline constexpr u64 DTE_FLAG_V = BIT_ULL(0);		/* the entry is valid */
inline constexpr u64 DTE_FLAG_TV = BIT_ULL(1);		/* translation information valid */
inline constexpr u64 DTE_FLAG_HAD = 3ULL << 7;		/* host access/dirty update */
inline constexpr u64 DTE_MODE_MASK = GENMASK_ULL(11, 9);	/* v1 levels, 0 = none */
inline constexpr u64 DTE_HOST_TRP = GENMASK_ULL(51, 12);	/* HostPTR: v1 table root */
inline constexpr u64 DTE_FLAG_PPR = BIT_ULL(52);	/* peripheral page requests allowed */
inline constexpr u64 DTE_FLAG_GPRP = BIT_ULL(53);	/* guest PPR response with PASID */
inline constexpr u64 DTE_FLAG_GIOV = BIT_ULL(54);	/* requests without PASID use PASID 0 */
inline constexpr u64 DTE_FLAG_GV = BIT_ULL(55);		/* guest (v2) translation valid */
inline constexpr u64 DTE_GLX = GENMASK_ULL(57, 56);	/* GCR3 table levels - 1 */
inline constexpr u64 DTE_GCR3_14_12 = GENMASK_ULL(60, 58);
inline constexpr u64 DTE_FLAG_IR = BIT_ULL(61);		/* reads allowed */
inline constexpr u64 DTE_FLAG_IW = BIT_ULL(62);		/* writes allowed */
inline constexpr u64 DTE_0_RES0 = GENMASK_ULL(6, 2) | BIT_ULL(63);

/* DTE.HAD values. */
inline constexpr u64 DTE_HAD_NONE = 0;
inline constexpr u64 DTE_HAD_ACCESS = 1;		/* A updated (FEATURE_HASUP) */
inline constexpr u64 DTE_HAD_DIRTY = 3;			/* A and D updated (FEATURE_HDSUP) */

/* Word 1. */
inline constexpr u64 DEV_DOMID_MASK = 0xffffULL;	/* DomainID [15:0] */
inline constexpr u64 DTE_GCR3_30_15 = GENMASK_ULL(31, 16);
inline constexpr u64 DTE_FLAG_IOTLB = BIT_ULL(32);	/* I: ATS translation requests allowed */
inline constexpr u64 DTE_1_SE = BIT_ULL(33);		/* suppress all I/O page fault events */
inline constexpr u64 DTE_1_SA = BIT_ULL(34);		/* suppress repeated I/O page faults */
inline constexpr u64 DTE_1_IOCTL = GENMASK_ULL(36, 35);	/* port I/O control */
inline constexpr u64 DTE_1_CACHE = BIT_ULL(37);		/* IOTLB cache hint */
inline constexpr u64 DTE_1_SD = BIT_ULL(38);		/* snoop disable */
inline constexpr u64 DTE_1_EX = BIT_ULL(39);		/* exclusion range allowed */
inline constexpr u64 DTE_DATA1_SYSMGT_MASK = GENMASK_ULL(41, 40);
inline constexpr u64 DTE_GCR3_51_31 = GENMASK_ULL(63, 43);
inline constexpr u64 DTE_FLAG_MASK = 0x3ffULL << 32;
inline constexpr u64 DTE_1_RES0 = BIT_ULL(42);

/* Word 2: interrupt remapping, and the guest paging mode. */
inline constexpr u64 DTE_IRQ_REMAP_ENABLE = 1ULL;	/* IV */
inline constexpr u64 DTE_INTTABLEN_MASK = 0xfULL << 1;
inline constexpr u64 DTE_2_IG = BIT_ULL(5);
inline constexpr u64 DTE_IRQ_PHYS_ADDR_MASK = GENMASK_ULL(51, 6);
inline constexpr unsigned int DTE_GPT_LEVEL_SHIFT = 54;
inline constexpr u64 DTE_GPT_LEVEL_MASK = GENMASK_ULL(55, 54);	/* GuestPagingMode */
inline constexpr u64 DTE_2_INITPASS = BIT_ULL(56);
inline constexpr u64 DTE_2_EINTPASS = BIT_ULL(57);
inline constexpr u64 DTE_2_NMIPASS = BIT_ULL(58);
inline constexpr u64 DTE_2_HPTMODE = BIT_ULL(59);
inline constexpr u64 DTE_IRQ_REMAP_INTCTL_MASK = 0x3ULL << 60;
inline constexpr u64 DTE_IRQ_REMAP_INTCTL = 2ULL << 60;
inline constexpr u64 DTE_2_LINT0PASS = BIT_ULL(62);
inline constexpr u64 DTE_2_LINT1PASS = BIT_ULL(63);
inline constexpr u64 DTE_2_RES0 = GENMASK_ULL(53, 52);
/* DTE[179:128] | DTE[191:184]: what the interrupt remapping setup owns. */
inline constexpr u64 DTE_DATA2_INTR_MASK = ~GENMASK_ULL(55, 52);

/* GuestPagingMode values (2 and 3 are reserved). */
inline constexpr u64 GUEST_PGTABLE_4_LEVEL = 0x00;
inline constexpr u64 GUEST_PGTABLE_5_LEVEL = 0x01;

/*
 * Word 3: the HW-vIOMMU fields of an assigned device (from the 2023 RFC's
 * DTE_VIOMMU_* shifts: vImuEn, the guest it belongs to and its DeviceID
 * in that guest). The hardware uses them to route the device's faults
 * and page requests to the guest's event and PPR logs, and to check that
 * a guest DeviceID the DeviceID map resolves to this device is the
 * guest's own. Other word-3 fields (attribute overrides) are not
 * described.
 */
inline constexpr u64 DTE_VIOMMU_EN = BIT_ULL(15);
inline constexpr u64 DTE_VIOMMU_GUESTID = GENMASK_ULL(31, 16);
inline constexpr u64 DTE_VIOMMU_GDEVICEID = GENMASK_ULL(47, 32);

/* Mode (DTE[11:9]) values: PAGE_MODE_n_LEVEL, 7 reserved. */
inline constexpr unsigned int DEV_ENTRY_MODE_SHIFT = 9;
inline constexpr u64 DEV_ENTRY_MODE_MASK = 0x07;
inline constexpr unsigned int PAGE_MODE_NONE = 0x00;
inline constexpr unsigned int PAGE_MODE_1_LEVEL = 0x01;
inline constexpr unsigned int PAGE_MODE_2_LEVEL = 0x02;
inline constexpr unsigned int PAGE_MODE_3_LEVEL = 0x03;
inline constexpr unsigned int PAGE_MODE_4_LEVEL = 0x04;
inline constexpr unsigned int PAGE_MODE_5_LEVEL = 0x05;
inline constexpr unsigned int PAGE_MODE_6_LEVEL = 0x06;
inline constexpr unsigned int PAGE_MODE_7_LEVEL = 0x07;

/* The GCR3 table root, split over the three DTE fields (4 KiB aligned). */
constexpr u64 dte_gcr3_root(const struct dev_table_entry *dte)
{
	return (FIELD_GET(DTE_GCR3_14_12, dte->data[0]) << 12) |
	       (FIELD_GET(DTE_GCR3_30_15, dte->data[1]) << 15) |
	       (FIELD_GET(DTE_GCR3_51_31, dte->data[1]) << 31);
}

static inline void dte_set_gcr3_root(struct dev_table_entry *dte, u64 root)
{
	dte->data[0] = (dte->data[0] & ~DTE_GCR3_14_12) |
		       FIELD_PREP(DTE_GCR3_14_12, (root >> 12) & 0x7);
	dte->data[1] = (dte->data[1] & ~(DTE_GCR3_30_15 | DTE_GCR3_51_31)) |
		       FIELD_PREP(DTE_GCR3_30_15, (root >> 15) & 0xffff) |
		       FIELD_PREP(DTE_GCR3_51_31, (root >> 31) & 0x1fffff);
}

/* ----- GCR3 table (2.2.6) ----- */

/*
 * 512 8-byte entries per 4 KiB table. GLX 0: one level indexed by
 * PASID[8:0]; GLX 1: a level indexed by PASID[17:9] whose entries (valid
 * bit 0, next table [51:12]) point at tables indexed by PASID[8:0]. A
 * leaf entry holds the guest CR3: GCR3_VALID and the table root [51:12].
 */
inline constexpr unsigned int GCR3_TBL_ENTRIES = 512;
inline constexpr u64 GCR3_VALID = 0x01ULL;
inline constexpr u64 GCR3_ADDR_MASK = GENMASK_ULL(51, 12);
inline constexpr u64 GCR3_RES0 = GENMASK_ULL(11, 1) | GENMASK_ULL(63, 52);

/* ----- v1 host page-table entries (2.2.3) ----- */

inline constexpr u64 IOMMU_PTE_PR = BIT_ULL(0);
inline constexpr unsigned int IOMMU_PTE_HD_BIT = 6;
inline constexpr u64 IOMMU_PTE_HA = BIT_ULL(5);
inline constexpr u64 IOMMU_PTE_HD = BIT_ULL(IOMMU_PTE_HD_BIT);
inline constexpr u64 IOMMU_PTE_U = BIT_ULL(59);
inline constexpr u64 IOMMU_PTE_FC = BIT_ULL(60);
inline constexpr u64 IOMMU_PTE_IR = BIT_ULL(61);
inline constexpr u64 IOMMU_PTE_IW = BIT_ULL(62);
inline constexpr u64 IOMMU_PAGE_MASK = ((1ULL << 52) - 1) & ~0xfffULL;
inline constexpr u64 PM_ADDR_MASK = 0x000ffffffffff000ULL;

constexpr unsigned int PM_LEVEL_SHIFT(unsigned int x) { return 12 + x * 9; }
constexpr u64 PM_LEVEL_INDEX(unsigned int x, u64 a) { return (a >> PM_LEVEL_SHIFT(x)) & 0x1ffULL; }
constexpr u64 PM_LEVEL_ENC(unsigned int x) { return ((u64)x << 9) & 0xe00ULL; }
constexpr u64 PM_LEVEL_PDE(unsigned int x, u64 a)
{
	return a | PM_LEVEL_ENC(x) | IOMMU_PTE_PR | IOMMU_PTE_IR | IOMMU_PTE_IW;
}
constexpr unsigned int PM_PTE_LEVEL(u64 pte) { return (pte >> 9) & 0x7; }
constexpr unsigned int IOMMU_PTE_MODE(u64 pte) { return (pte >> 9) & 0x07; }

/*
 * A Next Level 7 entry for a page of @pagesize (a power of two above
 * 4 KiB) at @address: the address bits below the size are ones except
 * the top one.
 */
constexpr u64 PAGE_SIZE_PTE(u64 address, u64 pagesize)
{
	return ((address | (pagesize - 1)) & ~(pagesize >> 1)) & PM_ADDR_MASK;
}

/* 512 GiB pages are not offered (as the kernel's AMD_IOMMU_PGSIZES). */
inline constexpr u64 AMD_IOMMU_PGSIZES = GENMASK_ULL(51, 12) ^ (1ULL << 39);
/* Guest (v2) tables: 4K, 2M, 1G. */
inline constexpr u64 AMD_IOMMU_PGSIZES_V2 = (1ULL << 12) | (1ULL << 21) | (1ULL << 30);

/* ----- x86-64 guest page-table entries (2.2.7.1), as the v2 driver sets them ----- */

inline constexpr u64 IOMMU_PAGE_PRESENT = BIT_ULL(0);
inline constexpr u64 IOMMU_PAGE_RW = BIT_ULL(1);
inline constexpr u64 IOMMU_PAGE_USER = BIT_ULL(2);
inline constexpr u64 IOMMU_PAGE_PWT = BIT_ULL(3);
inline constexpr u64 IOMMU_PAGE_PCD = BIT_ULL(4);
inline constexpr u64 IOMMU_PAGE_ACCESS = BIT_ULL(5);
inline constexpr u64 IOMMU_PAGE_DIRTY = BIT_ULL(6);
inline constexpr u64 IOMMU_PAGE_PSE = BIT_ULL(7);
inline constexpr u64 IOMMU_PAGE_NX = BIT_ULL(63);
