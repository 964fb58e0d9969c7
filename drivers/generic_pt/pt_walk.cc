// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware's table walker (see pt_walk.h), one loop for every format:
 * index the table with the VA bits of the level, fetch the 8-byte entry
 * through phys_read(), let the format decode it (walk_step() in fmt/),
 * and either descend, stop with the leaf, or stop with a fault.
 *
 * The order of checks is the hardware's: the input address against the
 * configured width first, then at each level the fetch (bus error), then
 * validity, address size and reserved bits (the format's step), and only
 * after the leaf the permission check against what all levels granted.
 * Access/dirty updates are collected during the walk and written back
 * with phys_write() only when the translation succeeds, so a faulting
 * access leaves the tables as they were. (The manuals allow an
 * implementation to set A bits on a walk that then faults; this model
 * does not, which a driver cannot tell apart.)
 *
 * A nested walk passes a fetch function that turns each stage-1 table
 * address into a physical address with a stage-2 walk (read access, or
 * write access to write an A/D update back), so stage 1 never touches
 * memory stage 2 does not map.
 */
#include "drivers/generic_pt/pt_walk.h"

#include "drivers/generic_pt/fmt/amdv1.h"
#include "drivers/generic_pt/fmt/armv8.h"
#include "drivers/generic_pt/fmt/vtdss.h"
#include "drivers/generic_pt/fmt/x86_64.h"

/*
 * One bus reader section per walk: the entry fetches inside it skip the
 * section each phys_read() would otherwise open and close.
 */
DEFINE_LOCK_GUARD_0(physmem_read, physmem_read_lock(), physmem_read_unlock())

const char *pt_fault_name(enum pt_fault fault)
{
	static const char *const names[] = {
		[PT_FAULT_NONE] = "none",
		[PT_FAULT_TRANSLATION] = "translation",
		[PT_FAULT_PERMISSION] = "permission",
		[PT_FAULT_ACCESS] = "access flag",
		[PT_FAULT_ADDR_SIZE] = "address size",
		[PT_FAULT_RESERVED] = "reserved bit",
		[PT_FAULT_BUS] = "bus error",
	};

	return (unsigned int)fault < ARRAY_SIZE(names) ? names[fault] : "?";
}

static int pt_walk_fault(struct pt_walk_result *res, enum pt_fault fault, unsigned int level)
{
	res->fault = fault;
	res->level = level;
	res->stage = 1;
	res->s1ptw = 0;
	return fault;
}

/* An A/D update waiting for the walk to succeed. */
struct pt_walk_update {
	u64 table_addr;		/* as the stage sees it (an IPA when nested) */
	u64 pa;
	u64 value;
};

/* Single stage: table addresses are physical. */
struct pt_fetch_phys {
	int operator()(u64 addr, bool write, u64 *pa, struct pt_walk_result *res) const
	{
		*pa = addr;
		return 0;
	}
};

template <class FMT> struct pt_walker {
	static bool va_ok(const struct pt_walk_cfg *cfg, u64 va)
	{
		unsigned int vasz = cfg->vasz_lg2;

		if (vasz >= 64)
			return true;
		if (!vasz)
			return false;
		if (cfg->features & BIT_ULL(PT_FEAT_SIGN_EXTEND)) {
			s64 top = (s64)va >> (vasz - 1);

			return top == 0 || top == -1;
		}
		return !(va >> vasz);
	}

	template <class FETCH>
	static int walk(const struct pt_walk_cfg *cfg, u64 va, unsigned int access,
			struct pt_walk_result *res, const FETCH &fetch)
	{
		struct pt_walk_update updates[FMT::max_top_level + 1];
		unsigned int nr_updates = 0;
		unsigned int level = cfg->top_level;
		unsigned int top_bits;
		/* The context entry's root field has no bits below its alignment. */
		u64 table = cfg->root & FMT::top_phys_mask;
		u8 perm = PT_PERM_ALL;
		u8 need;

		if (level > FMT::max_top_level)
			return pt_walk_fault(res, PT_FAULT_RESERVED, level);
		/* ARM reports an input beyond TxSZ as a translation fault. */
		if (!va_ok(cfg, va))
			return pt_walk_fault(res,
					     FMT::id <= PT_FMT_ARMV8_64K ? PT_FAULT_TRANSLATION :
									   PT_FAULT_ADDR_SIZE,
					     level);
		top_bits = min(FMT::num_items_lg2(level),
			       (unsigned int)cfg->vasz_lg2 - FMT::item_lg2sz(level));

		for (unsigned int bits = top_bits;; bits = FMT::num_items_lg2(level)) {
			u64 addr = table + 8 * log2_mod(va >> FMT::item_lg2sz(level), bits);
			struct pt_step st;
			u64 entry, pa;
			int ret;

			ret = fetch(addr, false, &pa, res);
			if (ret)
				return ret;
			if (phys_read_u64_in_section(pa, &entry))
				return pt_walk_fault(res, PT_FAULT_BUS, level);
			FMT::walk_step(cfg, entry, level, va, access, &st);
			if (st.kind == PT_STEP_FAULT)
				return pt_walk_fault(res, (enum pt_fault)st.fault, level);
			perm &= st.perm;
			if (st.update != entry)
				updates[nr_updates++] = { addr, pa, st.update };
			if (st.kind == PT_STEP_TABLE) {
				table = st.addr;
				level = st.next_level;
				continue;
			}

			need = (access & PT_ACCESS_READ ? PT_PERM_R : 0) |
			       (access & PT_ACCESS_WRITE ? PT_PERM_W : 0) |
			       (access & PT_ACCESS_EXEC ? PT_PERM_X : 0) |
			       (access & PT_ACCESS_PRIV ? 0 : PT_PERM_U);
			if (need & ~perm)
				return pt_walk_fault(res, PT_FAULT_PERMISSION, level);
			for (unsigned int i = 0; i != nr_updates; i++) {
				struct pt_walk_update *u = &updates[i];

				/* Nested: writing stage-1 entries needs stage-2 write access. */
				if (!std::is_same_v<FETCH, pt_fetch_phys>) {
					ret = fetch(u->table_addr, true, &u->pa, res);
					if (ret)
						return ret;
				}
				if (phys_write(u->pa, &u->value, sizeof(u->value)))
					return pt_walk_fault(res, PT_FAULT_BUS, level);
			}
			res->oa = st.addr + log2_mod(va, st.size_lg2);
			res->ipa = 0;
			res->size_lg2 = st.size_lg2;
			res->perm = perm;
			res->fault = PT_FAULT_NONE;
			res->level = level;
			res->stage = 1;
			res->s1ptw = 0;
			return 0;
		}
	}
};

template <class FETCH>
static int pt_walk_fmt(const struct pt_walk_cfg *cfg, u64 va, unsigned int access,
		       struct pt_walk_result *res, const FETCH &fetch)
{
	switch (cfg->fmt) {
	case PT_FMT_ARMV8_4K:
		return pt_walker<pt_fmt_armv8_4k>::walk(cfg, va, access, res, fetch);
	case PT_FMT_ARMV8_16K:
		return pt_walker<pt_fmt_armv8_16k>::walk(cfg, va, access, res, fetch);
	case PT_FMT_ARMV8_64K:
		return pt_walker<pt_fmt_armv8_64k>::walk(cfg, va, access, res, fetch);
	case PT_FMT_X86_64:
		return pt_walker<pt_fmt_x86_64>::walk(cfg, va, access, res, fetch);
	case PT_FMT_VTDSS:
		return pt_walker<pt_fmt_vtdss>::walk(cfg, va, access, res, fetch);
	case PT_FMT_AMDV1:
		return pt_walker<pt_fmt_amdv1>::walk(cfg, va, access, res, fetch);
	case PT_FMT_AMDV1_MOCK:
		return pt_walker<pt_fmt_amdv1_mock>::walk(cfg, va, access, res, fetch);
	case PT_FMT_NR:
		break;
	}
	return pt_walk_fault(res, PT_FAULT_RESERVED, cfg->top_level);
}

int pt_walk(const struct pt_walk_cfg *cfg, u64 va, unsigned int access,
	    struct pt_walk_result *res)
{
	guard(physmem_read)();

	return pt_walk_fmt(cfg, va, access, res, pt_fetch_phys());
}

/* Stage-1 table addresses are IPAs: each goes through stage 2 first. */
struct pt_fetch_stage2 {
	const struct pt_walk_cfg *s2;

	int operator()(u64 ipa, bool write, u64 *pa, struct pt_walk_result *res) const
	{
		unsigned int access = PT_ACCESS_READ | PT_ACCESS_PRIV | (write ? PT_ACCESS_WRITE : 0);
		int ret = pt_walk(s2, ipa, access, res);

		if (ret) {
			res->stage = 2;
			res->s1ptw = 1;
			res->ipa = ipa;
			return ret;
		}
		*pa = res->oa;
		return 0;
	}
};

int pt_walk_nested(const struct pt_walk_cfg *s1, const struct pt_walk_cfg *s2, u64 va,
		   unsigned int access, struct pt_walk_result *res)
{
	struct pt_walk_result r2;
	u64 ipa;
	int ret;

	guard(physmem_read)();
	ret = pt_walk_fmt(s1, va, access, res, pt_fetch_stage2{ s2 });
	if (ret)
		return ret;
	ipa = res->oa;
	/* Stage 2 sees the request as the device made it, minus privilege. */
	ret = pt_walk(s2, ipa, access | PT_ACCESS_PRIV, &r2);
	if (ret) {
		*res = r2;
		res->stage = 2;
		res->ipa = ipa;
		return ret;
	}
	res->ipa = ipa;
	res->oa = r2.oa;
	res->size_lg2 = min(res->size_lg2, r2.size_lg2);
	res->perm &= r2.perm | PT_PERM_U;
	return 0;
}
