/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VT-d second-stage tables (VT-d 3.7, 9.8): 3, 4 or 5 levels of 512
 * 8-byte entries, 4K/2M/1G pages.
 *
 * There is no present bit: an entry with neither R nor W is not present.
 * R and W combine over the walk (an upper entry without W makes the whole
 * subtree read-only). PS marks a large page at levels 1 and 2 and is
 * reserved above; a large page's address bits below its size are
 * reserved, as are address bits at or above the HAW. SNP forces snooping.
 * With SSADE in the context/PASID entry the hardware sets A (bit 8) in
 * the entries it uses and D (bit 9) in a leaf it writes through, which is
 * what dirty tracking reads and clears.
 */
#pragma once

#include "drivers/generic_pt/fmt/radix_4k.h"
#include "drivers/generic_pt/pt_walk.h"

#include "core/iommu.h"

struct pt_fmt_vtdss : pt_fmt_x86_shape {
	static constexpr enum pt_fmt_id id = PT_FMT_VTDSS;
	static constexpr u64 top_phys_mask = pt_bits(63, 12);

	static constexpr u64 R = BIT_ULL(0);
	static constexpr u64 W = BIT_ULL(1);
	static constexpr u64 X = BIT_ULL(2);
	static constexpr u64 PS = BIT_ULL(7);
	static constexpr u64 A = BIT_ULL(8);
	static constexpr u64 D = BIT_ULL(9);
	static constexpr u64 SNP = BIT_ULL(11);
	static constexpr u64 OA = pt_bits(51, 12);

	static enum pt_entry_type entry_type(u64 entry, unsigned int level)
	{
		if (!(entry & (R | W)))
			return PT_ENTRY_EMPTY;
		if (level == 0 || (can_have_leaf(level) && (entry & PS)))
			return PT_ENTRY_OA;
		return PT_ENTRY_TABLE;
	}

	static u64 table_pa(u64 entry) { return entry & OA; }
	static u64 leaf_oa(u64 entry, unsigned int level) { return entry & OA; }

	static u64 make_leaf(const struct pt_common *common, u64 item_oa, unsigned int level,
			     unsigned int contig_lg2, u64 attrs)
	{
		return (item_oa & OA) | attrs | (level ? PS : 0);
	}

	static u64 make_table(const struct pt_common *common, u64 pa, unsigned int level)
	{
		return R | W | (pa & OA);
	}

	/* Without R or W the entry would read as not present. */
	static int set_prot(const struct pt_common *common, int prot, u64 *attrs)
	{
		u64 pte = 0;

		if (!(prot & (IOMMU_READ | IOMMU_WRITE)))
			return -EINVAL;
		if (prot & IOMMU_READ)
			pte |= R;
		if (prot & IOMMU_WRITE)
			pte |= W;
		if (pt_feature(common, PT_FEAT_VTDSS_FORCE_COHERENCE))
			pte |= SNP;
		*attrs = pte;
		return 0;
	}

	static u64 attr_from_entry(u64 entry) { return entry & (R | W | SNP); }

	static bool dirty_supported(const struct pt_common *common) { return true; }
	static bool is_write_dirty(const struct pt_common *common, u64 entry) { return entry & D; }
	static u64 make_write_clean(const struct pt_common *common, u64 entry) { return entry & ~D; }
	static u64 make_write_dirty(const struct pt_common *common, u64 entry) { return entry | D; }

	/* ---- the IOMMU's second-stage walker ---- */

	static void walk_step(const struct pt_walk_cfg *cfg, u64 entry, unsigned int level,
			      u64 va, unsigned int access, struct pt_step *st)
	{
		u64 rsvd = pt_bits(51, cfg->oasz_lg2);
		u8 perm = PT_PERM_ALL;
		bool leaf;

		st->update = entry;
		if (!(entry & (R | W)))
			return pt_step_fault(st, PT_FAULT_TRANSLATION);
		if (level >= 3)
			rsvd |= PS;
		leaf = level == 0 || (entry & PS);
		if (leaf && level)
			rsvd |= pt_bits(item_lg2sz(level) - 1, 12);
		if (entry & rsvd)
			return pt_step_fault(st, PT_FAULT_RESERVED);
		if (!(entry & R))
			perm &= ~PT_PERM_R;
		if (!(entry & W))
			perm &= ~PT_PERM_W;
		if (cfg->hw & PT_HW_UPDATE_ACCESSED)
			st->update |= A;
		st->perm = perm;
		if (leaf) {
			if ((cfg->hw & PT_HW_UPDATE_DIRTY) && (access & PT_ACCESS_WRITE))
				st->update |= D;
			st->kind = PT_STEP_LEAF;
			st->size_lg2 = item_lg2sz(level);
			st->addr = entry & OA;
			return;
		}
		st->kind = PT_STEP_TABLE;
		st->next_level = level - 1;
		st->addr = entry & OA;
	}
};
