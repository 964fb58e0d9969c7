/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 4-level and 5-level paging, as the VT-d first stage (with
 * PT_FEAT_SIGN_EXTEND: canonical addresses) and AMD's v2 guest tables
 * (often without) use it. SDM vol. 3 4.5; VT-d 9.7; AMD IOMMU 2.2.6.
 *
 * Levels: PTE 0, PDE 1, PDPTE 2, PML4E 3, PML5E 4. Every table is 4 KiB of
 * 512 entries. PS (bit 7) makes a PDE a 2 MiB page and a PDPTE a 1 GiB
 * page; PS in a PML4E/PML5E is reserved. In a large page bit 12 is PAT and
 * bits [item-1:13] are reserved. Bits [51:MAXPHYADDR] are reserved in
 * every entry. A reserved bit set is a fault of its own (the RSVD bit of
 * the error code; VT-d's "non-zero reserved field" reasons).
 *
 * Permissions combine over the walk: writable only if RW is set at every
 * level, user-accessible only if U is set at every level, executable only
 * if XD is clear at every level. The hardware sets A in each entry it
 * uses and D in the leaf it writes through.
 */
#pragma once

#include "drivers/generic_pt/fmt/radix_4k.h"
#include "drivers/generic_pt/pt_walk.h"

#include "core/iommu.h"

struct pt_fmt_x86_64 : pt_fmt_x86_shape {
	static constexpr enum pt_fmt_id id = PT_FMT_X86_64;
	static constexpr u64 top_phys_mask = pt_bits(51, 12);

	static constexpr u64 P = BIT_ULL(0);
	static constexpr u64 RW = BIT_ULL(1);
	static constexpr u64 US = BIT_ULL(2);
	static constexpr u64 PWT = BIT_ULL(3);
	static constexpr u64 PCD = BIT_ULL(4);
	static constexpr u64 A = BIT_ULL(5);
	static constexpr u64 D = BIT_ULL(6);
	static constexpr u64 PS = BIT_ULL(7);
	static constexpr u64 PAT_LARGE = BIT_ULL(12);
	static constexpr u64 OA = pt_bits(51, 12);
	static constexpr u64 XD = BIT_ULL(63);

	static enum pt_entry_type entry_type(u64 entry, unsigned int level)
	{
		if (!(entry & P))
			return PT_ENTRY_EMPTY;
		if (level == 0 || (can_have_leaf(level) && (entry & PS)))
			return PT_ENTRY_OA;
		return PT_ENTRY_TABLE;
	}

	static u64 table_pa(u64 entry) { return entry & OA; }
	static u64 leaf_oa(u64 entry, unsigned int level)
	{
		return level ? entry & OA & ~PAT_LARGE : entry & OA;
	}

	static u64 make_leaf(const struct pt_common *common, u64 item_oa, unsigned int level,
			     unsigned int contig_lg2, u64 attrs)
	{
		return P | (item_oa & OA) | attrs | (level ? PS : 0);
	}

	/* Tables never limit: permissions are decided by the leaf alone. */
	static u64 make_table(const struct pt_common *common, u64 pa, unsigned int level)
	{
		return P | RW | US | A | (pa & OA);
	}

	static int set_prot(const struct pt_common *common, int prot, u64 *attrs)
	{
		u64 pte = US | A;

		if (prot & IOMMU_WRITE)
			pte |= RW | D;
		if (prot & IOMMU_NOEXEC)
			pte |= XD;
		*attrs = pte;
		return 0;
	}

	static u64 attr_from_entry(u64 entry) { return entry & (RW | US | A | D | XD | PWT | PCD); }

	static bool dirty_supported(const struct pt_common *common)
	{
		return pt_feature(common, PT_FEAT_DIRTY_TRACKING);
	}
	static bool is_write_dirty(const struct pt_common *common, u64 entry) { return entry & D; }
	static u64 make_write_clean(const struct pt_common *common, u64 entry) { return entry & ~D; }
	static u64 make_write_dirty(const struct pt_common *common, u64 entry) { return entry | D; }

	/* ---- the IOMMU's first-stage walker ---- */

	static u64 reserved_bits(const struct pt_walk_cfg *cfg, u64 entry, unsigned int level)
	{
		u64 rsvd = pt_bits(51, cfg->oasz_lg2);

		if (level >= 3)
			rsvd |= PS;
		else if (level && (entry & PS))
			rsvd |= pt_bits(item_lg2sz(level) - 1, 13);
		return rsvd;
	}

	static void walk_step(const struct pt_walk_cfg *cfg, u64 entry, unsigned int level,
			      u64 va, unsigned int access, struct pt_step *st)
	{
		u8 perm = PT_PERM_ALL;

		st->update = entry;
		if (!(entry & P))
			return pt_step_fault(st, PT_FAULT_TRANSLATION);
		if (entry & reserved_bits(cfg, entry, level))
			return pt_step_fault(st, PT_FAULT_RESERVED);
		if (!(entry & RW))
			perm &= ~PT_PERM_W;
		if (!(entry & US))
			perm &= ~PT_PERM_U;
		if (entry & XD)
			perm &= ~PT_PERM_X;
		if (cfg->hw & PT_HW_UPDATE_ACCESSED)
			st->update |= A;
		st->perm = perm;
		if (level == 0 || (entry & PS)) {
			if ((cfg->hw & PT_HW_UPDATE_DIRTY) && (access & PT_ACCESS_WRITE))
				st->update |= D;
			st->kind = PT_STEP_LEAF;
			st->size_lg2 = item_lg2sz(level);
			st->addr = leaf_oa(entry, level);
			return;
		}
		st->kind = PT_STEP_TABLE;
		st->next_level = level - 1;
		st->addr = entry & OA;
	}
};
