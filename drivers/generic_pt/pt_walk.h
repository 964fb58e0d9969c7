/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hardware's table walker, for the IOMMU models.
 *
 * A model describes what its context entry (STE/CD, DTE, PASID entry)
 * says about one table in a struct pt_walk_cfg and asks for a
 * translation of one address with one kind of access. The walker reads
 * the tables only through phys_read(), one entry per level, exactly as
 * the hardware fetches them, and answers with a struct pt_walk_result:
 * the output address, the page size and the permissions of the page, or
 * the fault the hardware would raise and the level it raised it at.
 * Where the hardware updates access/dirty state (x86 A/D, VT-d SS A/D
 * with SSADE, AMD v1 A/D with HAD, ARM AF with HA and DBM with HD) the
 * walker writes the entry back with phys_write(), only once the whole
 * translation has succeeded.
 *
 * pt_walk_nested() is a two-stage walk: every stage-1 table address and
 * the stage-1 output are input addresses of stage 2, so a hostile stage-1
 * table can reach only what stage 2 maps. A stage-2 fault met while
 * fetching a stage-1 table is reported with s1ptw set (ARM's S2 fault on
 * S1 walk, VT-d's nested fault on a first-stage table).
 *
 * Caching is the vendor model's business: it keeps pt_walk_result values
 * under keys it builds with pt_walk_key_make() and hashes with
 * pt_walk_key_hash() (xxHash), tagged with its own ASID/VMID/DID.
 */
#pragma once

#include "drivers/generic_pt/pt_defs.h"

#include <xxhash.h>

/* The faults a walk can end with, in the vocabulary of the manuals. */
enum pt_fault {
	PT_FAULT_NONE,
	PT_FAULT_TRANSLATION,	/* nothing mapped there (not present/invalid) */
	PT_FAULT_PERMISSION,	/* mapped, but not for this access */
	PT_FAULT_ACCESS,	/* ARM access flag clear and no hardware update */
	PT_FAULT_ADDR_SIZE,	/* address beyond the configured width */
	PT_FAULT_RESERVED,	/* a reserved bit or encoding in an entry */
	PT_FAULT_BUS,		/* a table address with no memory behind it */
};

const char *pt_fault_name(enum pt_fault fault);

/* Hardware updates the walker performs (struct pt_walk_cfg.hw). */
enum {
	PT_HW_UPDATE_ACCESSED = 1 << 0,	/* A bits / ARM HA */
	PT_HW_UPDATE_DIRTY = 1 << 1,	/* D bits / ARM HD with DBM */
};

/* One table as the context entry describes it. */
struct pt_walk_cfg {
	u64 root;		/* address of the top table (an IPA for nested stage 1) */
	u64 features;		/* BIT_ULL(PT_FEAT_*), as struct pt_common */
	enum pt_fmt_id fmt;
	u8 top_level;
	u8 vasz_lg2;		/* input width: T0SZ, AGAW, ... */
	u8 oasz_lg2;		/* output width: IPS/PS, HAW, ... */
	u8 hw;			/* PT_HW_* */
};

/*
 * What a walk found. 24 bytes, so a cache of them stays small. For a
 * nested walk oa/size/perm combine both stages; ipa is the stage-1 output
 * (or, on a stage-2 fault, the address stage 2 could not translate).
 */
struct pt_walk_result {
	u64 oa;			/* output address of the requested byte */
	u64 ipa;
	u8 size_lg2;		/* page size (the smaller of the stages) */
	u8 perm;		/* PT_PERM_* */
	u8 fault;		/* enum pt_fault */
	u8 level;		/* level of the leaf, or where the fault arose */
	u8 stage;		/* 1 or 2: which stage produced a fault */
	u8 s1ptw : 1;		/* stage-2 fault while fetching a stage-1 table */
};
static_assert(sizeof(struct pt_walk_result) == 24);

/* A cache key: the page a result covers under a tag of the model's choice. */
struct pt_walk_key {
	u64 va_page;		/* va with the page offset cleared */
	u32 tag;		/* ASID, VMID, DID, PASID ... */
	u8 size_lg2;
	u8 stage;
	u16 pad;		/* zero, so the key hashes the same every time */
};
static_assert(sizeof(struct pt_walk_key) == 16);

static inline struct pt_walk_key pt_walk_key_make(u32 tag, u64 va, unsigned int size_lg2,
						  unsigned int stage)
{
	return { .va_page = log2_set_mod(va, 0, size_lg2),
		 .tag = tag,
		 .size_lg2 = (u8)size_lg2,
		 .stage = (u8)stage,
		 .pad = 0 };
}

static inline u64 pt_walk_key_hash(const struct pt_walk_key *key)
{
	return XXH3_64bits(key, sizeof(*key));
}

/* 0 on a translation, else the enum pt_fault also stored in @res. */
int pt_walk(const struct pt_walk_cfg *cfg, u64 va, unsigned int access,
	    struct pt_walk_result *res);
int pt_walk_nested(const struct pt_walk_cfg *s1, const struct pt_walk_cfg *s2, u64 va,
		   unsigned int access, struct pt_walk_result *res);

/*
 * One entry as the hardware decodes it (the per-format walk_step()).
 * Tables give the permissions they still allow below them; leaves give
 * the page's own. @update is the entry with the bits hardware sets for
 * this access (A, D, AF, DBM) -- equal to the entry when there are none.
 */
enum pt_step_kind {
	PT_STEP_FAULT,
	PT_STEP_TABLE,
	PT_STEP_LEAF,
};

struct pt_step {
	u8 kind;		/* enum pt_step_kind */
	u8 fault;		/* PT_STEP_FAULT: enum pt_fault */
	u8 next_level;		/* PT_STEP_TABLE */
	u8 size_lg2;		/* PT_STEP_LEAF */
	u8 perm;
	u64 addr;		/* next table, or the page's first byte */
	u64 update;
};

static inline void pt_step_fault(struct pt_step *st, enum pt_fault fault)
{
	st->kind = PT_STEP_FAULT;
	st->fault = fault;
}
