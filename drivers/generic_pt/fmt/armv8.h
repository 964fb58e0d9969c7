/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ARM VMSAv8-64 translation tables ("LPAE"), as the SMMUv3 walks them for
 * stage 1 (CD.TTB0) and stage 2 (STE.S2TTB), with the 4K, 16K and 64K
 * granules. io-pgtable-arm.c's ARM_64_LPAE_S1/S2 in the kernel.
 *
 * Level numbers are ours (level 0 = pages): ARM's level 3 is our level 0.
 * Each table is one granule of 8-byte descriptors, so a level resolves
 * granule_lg2 - 3 bits of VA. Only the 48-bit VA/OA layouts are described
 * (no FEAT_LPA/LPA2/LVA): bits [50:48] and, for the larger granules, the
 * low bits of the OA field below the granule are RES0, and an OA bit at
 * or above the configured output size is an Address size fault.
 *
 * Descriptor bit 0 is valid. Bit 1 tells a table (levels > 0) from a
 * block; at level 0 bit 1 must be set (a page) and a clear bit 1 is a
 * reserved encoding, which the hardware reports as a Translation fault,
 * as it does for a block at a level that cannot hold one.
 *
 * The contiguous hint (bit 52) marks a naturally aligned run of entries
 * (16 for 4K; 128 or 32 for 16K; 32 for 64K) mapping one contiguous
 * output range; each entry still carries its own OA.
 *
 * Dirty tracking is DBM: a writable leaf has DBM set, and "writable-clean"
 * is expressed as read-only (stage 1 AP[2] = 1, stage 2 S2AP[1] = 0), which
 * the hardware flips on the first write when HD is enabled.
 */
#pragma once

#include "drivers/generic_pt/pt_walk.h"

#include "core/iommu.h"

template <unsigned int GRANULE_LG2> struct pt_fmt_armv8 {
	static_assert(GRANULE_LG2 == 12 || GRANULE_LG2 == 14 || GRANULE_LG2 == 16);

	static constexpr enum pt_fmt_id id = GRANULE_LG2 == 12	 ? PT_FMT_ARMV8_4K :
					     GRANULE_LG2 == 14 ? PT_FMT_ARMV8_16K :
								 PT_FMT_ARMV8_64K;
	static constexpr unsigned int granule_lg2 = GRANULE_LG2;
	static constexpr unsigned int max_top_level = GRANULE_LG2 == 16 ? 2 : 3;
	static constexpr unsigned int max_va_lg2 = 48;
	static constexpr unsigned int max_oa_lg2 = 48;
	/* TTB/S2TTB hold bits [47:4]; a smaller top table is 64-byte aligned. */
	static constexpr u64 top_phys_mask = pt_bits(47, 4);
	static constexpr bool can_split = true;

	/* Descriptor bits common to both stages. */
	static constexpr u64 VALID = BIT_ULL(0);
	static constexpr u64 TABLE = BIT_ULL(1);	/* also PAGE at level 0 */
	static constexpr u64 NS = BIT_ULL(5);
	static constexpr u64 SH = pt_bits(9, 8);
	static constexpr u64 AF = BIT_ULL(10);
	static constexpr u64 OA = pt_bits(47, GRANULE_LG2);
	static constexpr u64 DBM = BIT_ULL(51);
	static constexpr u64 CONTIG = BIT_ULL(52);
	static constexpr u64 PXN = BIT_ULL(53);		/* stage 2: XN[0] */
	static constexpr u64 UXN = BIT_ULL(54);		/* stage 2: XN[1] */
	/* Stage 1 leaf. */
	static constexpr u64 ATTRINDX = pt_bits(4, 2);
	static constexpr u64 AP_UNPRIV = BIT_ULL(6);	/* AP[1] */
	static constexpr u64 AP_RDONLY = BIT_ULL(7);	/* AP[2] */
	static constexpr u64 NG = BIT_ULL(11);
	/* Stage 1 table: hierarchical limits on everything below. */
	static constexpr u64 PXN_TABLE = BIT_ULL(59);
	static constexpr u64 UXN_TABLE = BIT_ULL(60);
	static constexpr u64 AP_TABLE_NO_EL0 = BIT_ULL(61);
	static constexpr u64 AP_TABLE_RDONLY = BIT_ULL(62);
	static constexpr u64 NS_TABLE = BIT_ULL(63);
	/* Stage 2 leaf. */
	static constexpr u64 S2MEMATTR = pt_bits(5, 2);
	static constexpr u64 S2AP_R = BIT_ULL(6);
	static constexpr u64 S2AP_W = BIT_ULL(7);

	enum : u64 {
		MAIR_IDX_CACHE = 1,
		MAIR_IDX_DEV = 2,
		SH_IS = 3,
		SH_OS = 2,
		MEMATTR_OIWB = 0xf,
		MEMATTR_NC = 5,
		MEMATTR_DEV = 1,
	};

	static constexpr unsigned int num_items_lg2(unsigned int level)
	{
		return GRANULE_LG2 - 3;
	}

	static constexpr unsigned int item_lg2sz(unsigned int level)
	{
		return GRANULE_LG2 + level * (GRANULE_LG2 - 3);
	}

	static constexpr unsigned int table_mem_lg2(unsigned int level) { return GRANULE_LG2; }

	/* D8.2: 4K has 4K/2M/1G leaves, 16K has 16K/32M, 64K has 64K/512M. */
	static constexpr bool can_have_leaf(unsigned int level)
	{
		return level <= (GRANULE_LG2 == 12 ? 2u : 1u);
	}

	static constexpr unsigned int contig_count_lg2(unsigned int level)
	{
		if (GRANULE_LG2 == 12)
			return 4;
		if (GRANULE_LG2 == 14)
			return level == 0 ? 7 : 5;
		return 5;
	}

	static u64 possible_sizes(const struct pt_common *common, unsigned int level)
	{
		u64 sizes;

		if (!can_have_leaf(level))
			return 0;
		sizes = log2_to_int(item_lg2sz(level));
		if (pt_feature(common, PT_FEAT_ARMV8_CONTIG))
			sizes |= log2_to_int(item_lg2sz(level) + contig_count_lg2(level));
		return sizes;
	}

	static enum pt_entry_type entry_type(u64 entry, unsigned int level)
	{
		if (!(entry & VALID))
			return PT_ENTRY_EMPTY;
		if (level && (entry & TABLE))
			return PT_ENTRY_TABLE;
		/* A block where none may be is not something the driver made. */
		if (!can_have_leaf(level))
			return PT_ENTRY_EMPTY;
		return PT_ENTRY_OA;
	}

	static u64 table_pa(u64 entry) { return entry & OA; }
	static u64 leaf_oa(u64 entry, unsigned int level) { return entry & OA; }

	static unsigned int entry_num_contig_lg2(u64 entry, unsigned int level)
	{
		return (entry & CONTIG) ? contig_count_lg2(level) : 0;
	}

	/* Every entry of a contiguous run holds its own item's OA. */
	static u64 make_leaf(const struct pt_common *common, u64 item_oa, unsigned int level,
			     unsigned int contig_lg2, u64 attrs)
	{
		u64 entry = VALID | (item_oa & OA) | attrs;

		if (level == 0)
			entry |= TABLE;
		if (contig_lg2)
			entry |= CONTIG;
		return entry;
	}

	static u64 make_table(const struct pt_common *common, u64 pa, unsigned int level)
	{
		return VALID | TABLE | (pa & OA);
	}

	static int set_prot(const struct pt_common *common, int prot, u64 *attrs)
	{
		u64 pte;

		if (!pt_feature(common, PT_FEAT_ARMV8_S2)) {
			pte = NG;
			if (!(prot & IOMMU_WRITE))
				pte |= AP_RDONLY;
			if (!(prot & IOMMU_PRIV))
				pte |= AP_UNPRIV;
			if (prot & IOMMU_MMIO)
				pte |= FIELD_PREP(ATTRINDX, MAIR_IDX_DEV);
			else if (prot & IOMMU_CACHE)
				pte |= FIELD_PREP(ATTRINDX, MAIR_IDX_CACHE);
			if (prot & IOMMU_NOEXEC)
				pte |= UXN | PXN;
		} else {
			pte = 0;
			if (prot & IOMMU_READ)
				pte |= S2AP_R;
			if (prot & IOMMU_WRITE)
				pte |= S2AP_W;
			if (prot & IOMMU_MMIO)
				pte |= FIELD_PREP(S2MEMATTR, MEMATTR_DEV);
			else if (prot & IOMMU_CACHE)
				pte |= FIELD_PREP(S2MEMATTR, MEMATTR_OIWB);
			else
				pte |= FIELD_PREP(S2MEMATTR, MEMATTR_NC);
			if (prot & IOMMU_NOEXEC)
				pte |= UXN;
		}
		/* Writable leaves start dirty; DBM stays set for their life. */
		if (pt_feature(common, PT_FEAT_ARMV8_DBM) && (prot & IOMMU_WRITE))
			pte |= DBM;
		pte |= FIELD_PREP(SH, (prot & IOMMU_CACHE) ? SH_IS : SH_OS);
		/* The driver never relies on AF faults: leaves are born accessed. */
		pte |= AF;
		*attrs = pte;
		return 0;
	}

	static u64 attr_from_entry(u64 entry)
	{
		return entry & (SH | AF | DBM | PXN | UXN | ATTRINDX | AP_UNPRIV | AP_RDONLY | NG |
				S2MEMATTR | S2AP_R | S2AP_W | NS);
	}

	static bool dirty_supported(const struct pt_common *common)
	{
		return pt_feature(common, PT_FEAT_ARMV8_DBM);
	}

	static bool is_write_dirty(const struct pt_common *common, u64 entry)
	{
		if (!(entry & DBM))
			return false;
		if (pt_feature(common, PT_FEAT_ARMV8_S2))
			return entry & S2AP_W;
		return !(entry & AP_RDONLY);
	}

	static u64 make_write_clean(const struct pt_common *common, u64 entry)
	{
		if (!(entry & DBM))
			return entry;
		if (pt_feature(common, PT_FEAT_ARMV8_S2))
			return entry & ~S2AP_W;
		return entry | AP_RDONLY;
	}

	/* What the hardware's DBM update does on a write; not for clean-less entries. */
	static u64 make_write_dirty(const struct pt_common *common, u64 entry)
	{
		if (!(entry & DBM))
			return entry;
		if (pt_feature(common, PT_FEAT_ARMV8_S2))
			return entry | S2AP_W;
		return entry & ~AP_RDONLY;
	}

	/* Bits that must be zero in a valid entry (beyond the OA width). */
	static u64 oa_high_bits(const struct pt_walk_cfg *cfg)
	{
		return pt_bits(47, cfg->oasz_lg2) | pt_bits(50, 48);
	}

	/* ---- the SMMU's walker ---- */

	static void walk_step(const struct pt_walk_cfg *cfg, u64 entry, unsigned int level,
			      u64 va, unsigned int access, struct pt_step *st)
	{
		bool s2 = cfg->features & BIT_ULL(PT_FEAT_ARMV8_S2);
		u8 perm = PT_PERM_ALL;

		st->update = entry;
		if (!(entry & VALID))
			return pt_step_fault(st, PT_FAULT_TRANSLATION);
		/* Address size is checked before the reserved granule bits. */
		if (entry & oa_high_bits(cfg))
			return pt_step_fault(st, PT_FAULT_ADDR_SIZE);
		if (level && (entry & TABLE)) {
			if (entry & pt_bits(GRANULE_LG2 - 1, 12))
				return pt_step_fault(st, PT_FAULT_ADDR_SIZE);
			if (!s2) {
				if (entry & AP_TABLE_RDONLY)
					perm &= ~PT_PERM_W;
				if (entry & AP_TABLE_NO_EL0)
					perm &= ~PT_PERM_U;
				if (entry & (access & PT_ACCESS_PRIV ? PXN_TABLE : UXN_TABLE))
					perm &= ~PT_PERM_X;
			}
			st->kind = PT_STEP_TABLE;
			st->next_level = level - 1;
			st->addr = entry & OA;
			st->perm = perm;
			return;
		}
		/* Level 0 with bit 1 clear, or a block where none may be. */
		if (level == 0 ? !(entry & TABLE) : !can_have_leaf(level))
			return pt_step_fault(st, PT_FAULT_TRANSLATION);
		unsigned int size_lg2 = item_lg2sz(level);
		if (log2_mod(entry & OA, size_lg2))
			return pt_step_fault(st, PT_FAULT_ADDR_SIZE);
		if (entry & CONTIG)
			size_lg2 += contig_count_lg2(level);

		/* Access flag faults come before permission faults. */
		if (!(entry & AF)) {
			if (!(cfg->hw & PT_HW_UPDATE_ACCESSED))
				return pt_step_fault(st, PT_FAULT_ACCESS);
			st->update |= AF;
		}
		if (!s2) {
			if (entry & AP_RDONLY) {
				if ((entry & DBM) && (cfg->hw & PT_HW_UPDATE_DIRTY) &&
				    (access & PT_ACCESS_WRITE))
					st->update &= ~AP_RDONLY;
				else
					perm &= ~PT_PERM_W;
			}
			if (!(entry & AP_UNPRIV))
				perm &= ~PT_PERM_U;
			if (entry & (access & PT_ACCESS_PRIV ? PXN : UXN))
				perm &= ~PT_PERM_X;
		} else {
			if (!(entry & S2AP_R))
				perm &= ~PT_PERM_R;
			if (!(entry & S2AP_W)) {
				if ((entry & DBM) && (cfg->hw & PT_HW_UPDATE_DIRTY) &&
				    (access & PT_ACCESS_WRITE))
					st->update |= S2AP_W;
				else
					perm &= ~PT_PERM_W;
			}
			if (entry & UXN)
				perm &= ~PT_PERM_X;
		}
		st->kind = PT_STEP_LEAF;
		st->size_lg2 = size_lg2;
		st->addr = log2_set_mod(entry & OA, 0, size_lg2);
		st->perm = perm;
	}
};

typedef pt_fmt_armv8<12> pt_fmt_armv8_4k;
typedef pt_fmt_armv8<14> pt_fmt_armv8_16k;
typedef pt_fmt_armv8<16> pt_fmt_armv8_64k;
