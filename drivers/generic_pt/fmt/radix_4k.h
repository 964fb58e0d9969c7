/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shape the x86 family shares: 4 KiB tables of 512 8-byte entries, so
 * level L resolves VA bits [12 + 9L + 8 : 12 + 9L]. x86-64 paging and the
 * VT-d second stage also share their leaves: 4K at level 0, 2M and 1G
 * pages (PS) at levels 1 and 2, at most five levels, 52-bit addresses.
 * AMD v1 has the same tables but its own leaves and a sixth level.
 */
#pragma once

#include "drivers/generic_pt/pt_defs.h"

struct pt_fmt_radix_4k {
	static constexpr unsigned int granule_lg2 = 12;
	static constexpr unsigned int max_oa_lg2 = 52;

	static constexpr unsigned int num_items_lg2(unsigned int level) { return 9; }
	static constexpr unsigned int item_lg2sz(unsigned int level) { return 12 + 9 * level; }
	static constexpr unsigned int table_mem_lg2(unsigned int level) { return 12; }
};

struct pt_fmt_x86_shape : pt_fmt_radix_4k {
	static constexpr unsigned int max_top_level = 4;
	static constexpr unsigned int max_va_lg2 = 57;
	/* No upstream driver of these formats split pages on unmap. */
	static constexpr bool can_split = false;

	static constexpr bool can_have_leaf(unsigned int level) { return level <= 2; }

	static u64 possible_sizes(const struct pt_common *common, unsigned int level)
	{
		return can_have_leaf(level) ? log2_to_int(item_lg2sz(level)) : 0;
	}

	static unsigned int entry_num_contig_lg2(u64 entry, unsigned int level) { return 0; }
};
