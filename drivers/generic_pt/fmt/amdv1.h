/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD IOMMU v1 host page tables (AMD IOMMU spec 2.2.3, "I/O Page Tables
 * for Host Translations"). Our level N is the spec's level N + 1, and the
 * DTE's Mode is top_level + 1.
 *
 * Each table is 4 KiB of 512 entries except the sixth level, which uses
 * only the 7 VA bits [63:57]. PR (bit 0) is present. The Next Level field
 * (bits [11:9]) says what an entry is:
 *  - 0: a leaf of the level's item size (4K, 2M, 1G, ...);
 *  - 7: a leaf whose size is encoded in its address: bits [12..n-1] are
 *    ones and bit n is zero for a page of 2^(n+1) bytes. A page larger
 *    than an item is written into every entry it spans, so one level
 *    offers every power of two from its item size up to half a table;
 *  - 1..6: the level (spec numbering) of the table the address points to.
 *    It may be less than the current level minus one: the levels between
 *    are skipped, and the VA bits they would have resolved must be zero.
 * IR/IW (bits 61, 62) combine over the walk. FC (60) forces coherence.
 * With DTE.HAD the hardware sets A (bit 5) and, on a write, D (bit 6).
 * Bits [58:52] of a leaf and [60:52] of a table, and address bits above
 * the physical width, are reserved.
 *
 * 512 GiB pages are not offered (a hardware erratum, as the kernel avoids
 * them). The top level grows on demand when PT_FEAT_DYNAMIC_TOP is set.
 *
 * The mock IOMMU's variant (PT_FMT_AMDV1_MOCK, upstream's "amdv1_mock" for
 * the iommufd selftest) is the same format with a 2 KiB granule, so the
 * IOMMU's page is smaller than the CPU's: items are 2K, 1M, 512M, ... per
 * level, at most five levels and 56 VA bits, and the address field
 * [51:12] holds the output address in 2 KiB units (so 51 bits of OA).
 * Tables stay 4 KiB pages, addressed the same way. The size encoding
 * counts its ones from bit 12 as before, in granules.
 */
#pragma once

#include "drivers/generic_pt/fmt/radix_4k.h"
#include "drivers/generic_pt/pt_walk.h"

#include "core/iommu.h"

template <enum pt_fmt_id ID, unsigned int GRANULE_LG2> struct pt_fmt_amdv1_t : pt_fmt_radix_4k {
	static constexpr enum pt_fmt_id id = ID;
	static constexpr unsigned int granule_lg2 = GRANULE_LG2;
	static constexpr unsigned int max_top_level = GRANULE_LG2 == 12 ? 5 : 4;
	static constexpr unsigned int max_va_lg2 = GRANULE_LG2 == 12 ? 64 : 56;
	static constexpr unsigned int max_oa_lg2 = 52 - (12 - GRANULE_LG2);
	static constexpr u64 top_phys_mask = pt_bits(51, 12);
	static constexpr bool can_split = false;
	/* The driver checks a table entry's Next Level against its own level. */
	static constexpr bool table_names_level = true;

	static constexpr u64 PR = BIT_ULL(0);
	static constexpr u64 A = BIT_ULL(5);
	static constexpr u64 D = BIT_ULL(6);
	static constexpr u64 NEXT_LEVEL = pt_bits(11, 9);
	static constexpr u64 OA = pt_bits(51, 12);
	static constexpr u64 RSVD_LEAF = pt_bits(58, 52);
	static constexpr u64 RSVD_TABLE = pt_bits(60, 52);
	static constexpr u64 FC = BIT_ULL(60);
	static constexpr u64 IR = BIT_ULL(61);
	static constexpr u64 IW = BIT_ULL(62);

	enum : unsigned int {
		NL_PAGE = 0,
		NL_SIZED = 7,
	};

	static constexpr unsigned int num_items_lg2(unsigned int level)
	{
		return level == 5 ? 7 : 9;
	}
	static constexpr unsigned int item_lg2sz(unsigned int level)
	{
		return GRANULE_LG2 + 9 * level;
	}

	/* The address field [51:12] counts granules. */
	static constexpr u64 oa_to_field(u64 oa) { return (oa >> GRANULE_LG2 << 12) & OA; }
	static constexpr u64 field_to_oa(u64 entry) { return (entry & OA) >> 12 << GRANULE_LG2; }
	static constexpr bool can_have_leaf(unsigned int level) { return level < max_top_level; }

	static u64 possible_sizes(const struct pt_common *common, unsigned int level)
	{
		unsigned int isz = item_lg2sz(level);

		if (!can_have_leaf(level))
			return 0;
		return pt_sizes(min(51u, isz + num_items_lg2(level) - 1), isz) & ~BIT_ULL(39);
	}

	static unsigned int next_level_field(u64 entry) { return FIELD_GET(NEXT_LEVEL, entry); }

	static enum pt_entry_type entry_type(u64 entry, unsigned int level)
	{
		unsigned int nl;

		if (!(entry & PR))
			return PT_ENTRY_EMPTY;
		nl = next_level_field(entry);
		if (level == 0 || nl == NL_PAGE || nl == NL_SIZED)
			return PT_ENTRY_OA;
		return PT_ENTRY_TABLE;
	}

	static u64 table_pa(u64 entry) { return field_to_oa(entry); }

	/* log2 of a NL=7 page's size, from the run of ones from bit 12 up. */
	static unsigned int sized_lg2(u64 entry)
	{
		return __builtin_ctzll(~(entry >> 12)) + 1 + GRANULE_LG2;
	}

	static u64 leaf_oa(u64 entry, unsigned int level)
	{
		if (next_level_field(entry) == NL_SIZED)
			return log2_set_mod(field_to_oa(entry), 0, sized_lg2(entry));
		return field_to_oa(entry);
	}

	static unsigned int entry_num_contig_lg2(u64 entry, unsigned int level)
	{
		if (next_level_field(entry) != NL_SIZED)
			return 0;
		return sized_lg2(entry) - item_lg2sz(level);
	}

	/* Every entry of a larger page holds the same, size-encoded, value. */
	static u64 make_leaf(const struct pt_common *common, u64 item_oa, unsigned int level,
			     unsigned int contig_lg2, u64 attrs)
	{
		unsigned int size_lg2 = item_lg2sz(level) + contig_lg2;

		if (!contig_lg2)
			return PR | FIELD_PREP(NEXT_LEVEL, NL_PAGE) | oa_to_field(item_oa) | attrs;
		return PR | FIELD_PREP(NEXT_LEVEL, NL_SIZED) |
		       oa_to_field(log2_set_mod(item_oa, 0, size_lg2)) |
		       pt_bits(size_lg2 - GRANULE_LG2 + 10, 12) | attrs;
	}

	/* IR/IW are ANDed down the walk, so tables grant both. */
	static u64 make_table(const struct pt_common *common, u64 pa, unsigned int level)
	{
		return PR | FIELD_PREP(NEXT_LEVEL, level) | oa_to_field(pa) | IR | IW;
	}

	static int set_prot(const struct pt_common *common, int prot, u64 *attrs)
	{
		u64 pte = 0;

		if (prot & IOMMU_READ)
			pte |= IR;
		if (prot & IOMMU_WRITE)
			pte |= IW;
		if (pt_feature(common, PT_FEAT_AMDV1_FORCE_COHERENCE))
			pte |= FC;
		*attrs = pte;
		return 0;
	}

	static u64 attr_from_entry(u64 entry) { return entry & (FC | IR | IW); }

	static bool dirty_supported(const struct pt_common *common) { return true; }
	static bool is_write_dirty(const struct pt_common *common, u64 entry) { return entry & D; }
	static u64 make_write_clean(const struct pt_common *common, u64 entry) { return entry & ~D; }
	static u64 make_write_dirty(const struct pt_common *common, u64 entry) { return entry | D; }

	/* ---- the IOMMU's host-table walker ---- */

	static void walk_step(const struct pt_walk_cfg *cfg, u64 entry, unsigned int level,
			      u64 va, unsigned int access, struct pt_step *st)
	{
		unsigned int nl = next_level_field(entry);
		/* Address bits beyond the output width, where the field holds them. */
		u64 rsvd = pt_bits(51, cfg->oasz_lg2 + 12 - GRANULE_LG2);
		u8 perm = PT_PERM_ALL;

		st->update = entry;
		if (!(entry & PR))
			return pt_step_fault(st, PT_FAULT_TRANSLATION);
		if (!(entry & IR))
			perm &= ~PT_PERM_R;
		if (!(entry & IW))
			perm &= ~PT_PERM_W;
		st->perm = perm;
		if (cfg->hw & PT_HW_UPDATE_ACCESSED)
			st->update |= A;

		if (level && nl != NL_PAGE && nl != NL_SIZED) {
			unsigned int next = nl - 1;

			/* A table entry must point down. */
			if (next >= level || (entry & (rsvd | RSVD_TABLE)))
				return pt_step_fault(st, PT_FAULT_RESERVED);
			/* Skipped levels: the VA bits they stand for must be zero. */
			if (va & pt_bits(item_lg2sz(level) - 1,
					 item_lg2sz(next) + num_items_lg2(next)))
				return pt_step_fault(st, PT_FAULT_TRANSLATION);
			st->kind = PT_STEP_TABLE;
			st->next_level = next;
			st->addr = field_to_oa(entry);
			return;
		}

		unsigned int size_lg2 = item_lg2sz(level);
		if (!can_have_leaf(level) || (nl != NL_PAGE && nl != NL_SIZED) ||
		    (entry & (rsvd | RSVD_LEAF)))
			return pt_step_fault(st, PT_FAULT_RESERVED);
		if (nl == NL_SIZED) {
			size_lg2 = sized_lg2(entry);
			if (size_lg2 <= item_lg2sz(level) ||
			    size_lg2 >= item_lg2sz(level) + num_items_lg2(level))
				return pt_step_fault(st, PT_FAULT_RESERVED);
		} else if (log2_mod(field_to_oa(entry), size_lg2)) {
			return pt_step_fault(st, PT_FAULT_RESERVED);
		}
		if ((cfg->hw & PT_HW_UPDATE_DIRTY) && (access & PT_ACCESS_WRITE))
			st->update |= D;
		st->kind = PT_STEP_LEAF;
		st->size_lg2 = size_lg2;
		st->addr = leaf_oa(entry, level);
	}
};

using pt_fmt_amdv1 = pt_fmt_amdv1_t<PT_FMT_AMDV1, 12>;
using pt_fmt_amdv1_mock = pt_fmt_amdv1_t<PT_FMT_AMDV1_MOCK, 11>;
