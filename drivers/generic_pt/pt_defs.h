/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic page tables: the vocabulary every format and both users share.
 *
 * A radix page table is a tree of tables. Levels are numbered the way the
 * kernel's generic_pt numbers them: level 0 holds the smallest pages and
 * the top table has the highest level, whatever the architecture manual
 * calls them (ARM's level 3 is our level 0; x86's PTE is level 0 and its
 * PML4E level 3). Each table at level L has 2^num_items_lg2(L) items, and
 * an item at level L covers 2^item_lg2sz(L) bytes of VA. An entry is one
 * of three things (enum pt_entry_type): empty, a pointer to a table one
 * level down, or a leaf giving an output address (OA). A leaf may cover
 * several consecutive items ("contiguous" entries: ARM's contiguous hint,
 * AMD v1's page-size encoding), so one level offers a set of page sizes,
 * its "possible sizes".
 *
 * Two users build on the per-format descriptions in fmt/ headers:
 *  - the driver side (iommu_pt.h): map/unmap/iova_to_phys/dirty on tables
 *    the CPU reaches through kernel pointers, as the kernel's generic_pt;
 *  - the model side (pt_walk.h): the hardware's walker, which reaches the
 *    tables only through phys_read()/phys_write() and reports faults.
 *
 * Everything here is a constant or a small inline function, so a format's
 * arithmetic folds at compile time inside the templates that use it.
 */
#pragma once

#include "harness/kernel.h"

typedef u64 pt_vaddr_t;
typedef u64 pt_oaddr_t;

#define PT_VADDR_MAX_LG2 64

/* The formats this library describes. */
enum pt_fmt_id {
	PT_FMT_ARMV8_4K,	/* VMSAv8-64 (LPAE), 4 KiB granule */
	PT_FMT_ARMV8_16K,	/* 16 KiB granule */
	PT_FMT_ARMV8_64K,	/* 64 KiB granule */
	PT_FMT_X86_64,		/* x86-64 4/5 level: VT-d first stage, AMD v2 */
	PT_FMT_VTDSS,		/* VT-d second stage */
	PT_FMT_AMDV1,		/* AMD v1 host tables */
	PT_FMT_AMDV1_MOCK,	/* AMD v1 with a 2 KiB granule: the mock IOMMU's */
	PT_FMT_NR,
};

const char *pt_fmt_name(enum pt_fmt_id fmt);

enum pt_entry_type {
	PT_ENTRY_EMPTY,
	PT_ENTRY_TABLE,
	PT_ENTRY_OA,
};

/*
 * Feature bits (struct pt_common.features), chosen by whoever sets the
 * table up: the driver from its capability registers, the model from the
 * context/stream-table entry it is walking for.
 */
enum pt_features {
	/* The top level grows when a map reaches past it (AMD v1). */
	PT_FEAT_DYNAMIC_TOP,
	/* VA bits above the width are a sign extension (x86 canonical form). */
	PT_FEAT_SIGN_EXTEND,
	/*
	 * A partial unmap of a large leaf splits it into smaller entries, as
	 * io-pgtable-arm used to; only formats whose upstream driver did so
	 * accept it (pt_iommu_init() says -EOPNOTSUPP otherwise).
	 */
	PT_FEAT_SPLIT_ON_UNMAP,
	/* ARM: stage-2 descriptors (S2AP, MemAttr) instead of stage 1. */
	PT_FEAT_ARMV8_S2,
	/* ARM: writable leaves carry DBM, so write-dirty is AP[2]/S2AP[1]. */
	PT_FEAT_ARMV8_DBM,
	/* ARM: offer the contiguous-hint sizes (16 x 4K = 64K, 32M, ...). */
	PT_FEAT_ARMV8_CONTIG,
	/* VT-d second stage: set SNP (snoop) in leaves. */
	PT_FEAT_VTDSS_FORCE_COHERENCE,
	/* AMD v1: set FC (force coherent) in leaves. */
	PT_FEAT_AMDV1_FORCE_COHERENCE,
	/* Mark write-dirty tracking as supported (x86 D bit, VT-d SS D bit). */
	PT_FEAT_DIRTY_TRACKING,
	PT_FEAT_NR,
};

/* What one table, as configured, is: shared by the driver and the model. */
struct pt_common {
	u64 features;		/* BIT_ULL(PT_FEAT_*) */
	u8 max_vasz_lg2;	/* input address width the table may grow to */
	u8 max_oasz_lg2;	/* output address width */
	enum pt_fmt_id fmt;
};

static inline bool pt_feature(const struct pt_common *common, enum pt_features f)
{
	return common->features & BIT_ULL(f);
}

/* ---- log2 arithmetic on addresses (lg2 may be 64) ---- */

static constexpr inline u64 log2_to_int(unsigned int lg2)
{
	return lg2 >= 64 ? 0 : 1ULL << lg2;	/* 0 stands for 2^64 */
}

static constexpr inline u64 log2_mod(u64 v, unsigned int lg2)
{
	return lg2 >= 64 ? v : v & ((1ULL << lg2) - 1);
}

static constexpr inline u64 log2_set_mod(u64 v, u64 val, unsigned int lg2)
{
	return lg2 >= 64 ? val : (v & ~((1ULL << lg2) - 1)) | val;
}

static constexpr inline u64 log2_div(u64 v, unsigned int lg2)
{
	return lg2 >= 64 ? 0 : v >> lg2;
}

/* The mask of bits [hi:lo], hi may be below lo (then empty). */
static constexpr inline u64 pt_bits(unsigned int hi, unsigned int lo)
{
	if (hi < lo)
		return 0;
	return (hi >= 63 ? ~0ULL : (1ULL << (hi + 1)) - 1) & ~((1ULL << lo) - 1);
}

/* Page sizes [lo_lg2, hi_lg2] as a pgsize bitmap. */
static constexpr inline u64 pt_sizes(unsigned int hi_lg2, unsigned int lo_lg2)
{
	return pt_bits(hi_lg2, lo_lg2);
}

/*
 * The largest page size from @pgsize_bitmap that @va and @oa are both
 * aligned to and that fits in [va, last_va]; 0 if none.
 */
static inline unsigned int pt_compute_best_pgsize(u64 pgsize_bitmap, pt_vaddr_t va,
						  pt_vaddr_t last_va, pt_oaddr_t oa)
{
	u64 len = last_va - va;	/* length - 1, so 2^64 fits */
	u64 ok = pgsize_bitmap;

	/* Sizes up to the common alignment of va and oa. */
	if (va | oa)
		ok &= pt_bits(__builtin_ctzll(va | oa), 0);
	/* Sizes no larger than the length. */
	if (len != ~0ULL)
		ok &= pt_bits(fls64(len + 1) - 1, 0);
	if (!ok)
		return 0;
	return fls64(ok) - 1;
}

/* ---- protection and access, as the IOMMU API and the walker see them ---- */

/* Effective permissions of a translation (struct pt_walk_result.perm). */
enum {
	PT_PERM_R = 1 << 0,
	PT_PERM_W = 1 << 1,
	PT_PERM_X = 1 << 2,
	PT_PERM_U = 1 << 3,	/* reachable by an unprivileged request */
	PT_PERM_ALL = PT_PERM_R | PT_PERM_W | PT_PERM_X | PT_PERM_U,
};

/* What a walk is for (the request's attributes). */
enum {
	PT_ACCESS_READ = 1 << 0,
	PT_ACCESS_WRITE = 1 << 1,
	PT_ACCESS_EXEC = 1 << 2,
	PT_ACCESS_PRIV = 1 << 3,	/* privileged (supervisor) request */
};
