// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the hardware walker against the driver side. For random maps and
 * unmaps the walker agrees with iova_to_phys() on every page and faults
 * exactly where nothing is mapped; permissions, access flags and dirty
 * bits behave as the manuals say; a corrupt table makes the walker report
 * the hardware's fault and the driver WARN; nested walks send every
 * stage-1 table fetch and the stage-1 output through stage 2.
 */
#include "pt_kunit.h"

#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <vector>

KUNIT_ARRAY_PARAM(pt_cfg, pt_kunit_cfgs, pt_kunit_cfg_desc)

static const struct pt_kunit_cfg *param(struct kunit *test)
{
	return (const struct pt_kunit_cfg *)test->param_value;
}

static bool is_arm(enum pt_fmt_id fmt)
{
	return fmt <= PT_FMT_ARMV8_64K;
}

/* The fault a format raises for an output address beyond its width. */
static enum pt_fault oa_width_fault(enum pt_fmt_id fmt)
{
	return is_arm(fmt) ? PT_FAULT_ADDR_SIZE : PT_FAULT_RESERVED;
}

/*
 * Random maps and unmaps of every page size in a window, checked page by
 * page against a shadow: the walker's OA equals iova_to_phys(), and a
 * translation fault comes exactly where the shadow has nothing.
 */
static void test_walk_agrees_random(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 g = pt_kunit_granule(d), oa_base = pt_kunit_oa_base(d);
	unsigned int pages = 4096;
	u64 window = pages * g;
	u64 sizes = d->pt.domain.pgsize_bitmap & pt_bits(fls64(window / 8) - 1, 0);
	std::vector<u64> shadow(pages, 0);	/* OA + 1, 0 when unmapped */
	std::vector<bool> writable(pages, false);
	std::mt19937_64 rng(1234 + param(test)->cfg.fmt);
	struct pt_walk_cfg cfg;

	/* Start at a large page boundary above 0 so the first table is shared. */
	u64 base = window;

	for (int op = 0; op != 40; op++) {
		unsigned int lg2;

		do
			lg2 = rng() % 64;
		while (!(sizes & log2_to_int(lg2)));
		u64 sz = log2_to_int(lg2);
		u64 off = (rng() % (window / sz)) * sz;
		unsigned int first = off / g, n = sz / g;
		bool busy = false;

		for (unsigned int i = 0; i != n; i++)
			busy |= shadow[first + i] != 0;
		if (!busy) {
			u64 oa = oa_base + ((rng() % 1024) << lg2);
			bool rw = rng() & 1;

			KUNIT_ASSERT_EQ(test, pt_kunit_map(d, base + off, oa, sz,
							   IOMMU_READ | (rw ? IOMMU_WRITE : 0)),
					0);
			for (unsigned int i = 0; i != n; i++) {
				shadow[first + i] = oa + i * g + 1;
				writable[first + i] = rw;
			}
		} else if (shadow[first]) {
			/* Unmap whatever leaf starts here, as large as the driver made it. */
			size_t got = pt_kunit_unmap(d, base + off, g);

			if (got) {
				KUNIT_ASSERT_EQ(test, got % g, 0);
				for (unsigned int i = 0; i != got / g && first + i < pages; i++)
					shadow[first + i] = 0;
			}
		}
		cfg = pt_kunit_walk_cfg(d);
		for (unsigned int i = 0; i != pages; i++) {
			struct pt_walk_result res;
			u64 va = base + i * g + 3 * (i % 5);
			int ret = pt_walk(&cfg, va, PT_ACCESS_READ, &res);

			if (!shadow[i]) {
				KUNIT_ASSERT_EQ_MSG(test, ret, PT_FAULT_TRANSLATION, "page %u", i);
				KUNIT_ASSERT_EQ(test, pt_iova_to_phys(&d->pt.domain, va), 0);
				continue;
			}
			KUNIT_ASSERT_EQ_MSG(test, ret, 0, "page %u: %s", i,
					    pt_fault_name((enum pt_fault)ret));
			KUNIT_ASSERT_EQ(test, res.oa, shadow[i] - 1 + 3 * (i % 5));
			KUNIT_ASSERT_EQ(test, res.oa, pt_iova_to_phys(&d->pt.domain, va));
			KUNIT_ASSERT_TRUE(test, res.perm & PT_PERM_R);
			KUNIT_ASSERT_EQ(test, !!(res.perm & PT_PERM_W), writable[i]);
			if (!writable[i])
				KUNIT_ASSERT_EQ(test, pt_walk(&cfg, va, PT_ACCESS_WRITE, &res),
						PT_FAULT_PERMISSION);
		}
	}
}

/* Read-only pages fault on write; every size reports its own size. */
static void test_walk_permission(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);
	struct pt_walk_cfg cfg;
	struct pt_walk_result res;

	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, 4 * g, oa, g, IOMMU_READ), 0);
	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, 5 * g, oa + g, g, IOMMU_READ | IOMMU_WRITE), 0);
	cfg = pt_kunit_walk_cfg(d);
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 4 * g, PT_ACCESS_WRITE, &res), PT_FAULT_PERMISSION);
	KUNIT_EXPECT_EQ(test, res.level, 0);
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 4 * g + 1, PT_ACCESS_READ, &res), 0);
	KUNIT_EXPECT_EQ(test, res.oa, oa + 1);
	KUNIT_EXPECT_EQ(test, res.size_lg2, fls64(g) - 1);
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 5 * g + 2, PT_ACCESS_WRITE, &res), 0);
	KUNIT_EXPECT_EQ(test, res.oa, oa + g + 2);
	KUNIT_EXPECT_TRUE(test, res.perm & PT_PERM_W);
	/* A non-present neighbour is a translation fault at the last level. */
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 6 * g, PT_ACCESS_READ, &res), PT_FAULT_TRANSLATION);
	KUNIT_EXPECT_EQ(test, res.level, 0);
}

/* Input beyond the configured width: the hardware's fault for it. */
static void test_walk_addr_size(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	struct pt_walk_cfg cfg = pt_kunit_walk_cfg(d);
	struct pt_walk_result res;

	if (cfg.vasz_lg2 >= 64)
		kunit_skip(test, "the whole 64-bit space is mapped");
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 1ULL << (cfg.vasz_lg2 + 1) | (1ULL << cfg.vasz_lg2),
				      PT_ACCESS_READ, &res),
			is_arm(cfg.fmt) ? PT_FAULT_TRANSLATION : PT_FAULT_ADDR_SIZE);
}

/* The physical address of the leaf entry translating @va (test poking). */
static u64 leaf_entry_pa(struct kunit *test, struct pt_walk_cfg *cfg, u64 va, unsigned int *level)
{
	u64 table = cfg->root, pa = 0;

	pt_kunit_with_fmt(cfg->fmt, [&]<class FMT>() {
		for (unsigned int l = cfg->top_level;; l--) {
			unsigned int bits = l == cfg->top_level ?
						    min(FMT::num_items_lg2(l),
							(unsigned int)cfg->vasz_lg2 - FMT::item_lg2sz(l)) :
						    FMT::num_items_lg2(l);
			u64 entry;

			pa = table + 8 * log2_mod(va >> FMT::item_lg2sz(l), bits);
			KUNIT_ASSERT_EQ(test, phys_read(pa, &entry, 8), 0);
			if (FMT::entry_type(entry, l) != PT_ENTRY_TABLE) {
				*level = l;
				return;
			}
			table = FMT::table_pa(entry);
		}
	});
	return pa;
}

static u64 peek(u64 pa)
{
	u64 v = 0;

	phys_read(pa, &v, 8);
	return v;
}

static void poke(u64 pa, u64 v)
{
	phys_write(pa, &v, 8);
}

/*
 * A/D and AF: the walker sets what the hardware sets, and only when the
 * translation succeeds; ARM without HA raises an Access flag fault.
 */
static void test_walk_access_dirty_bits(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);
	struct pt_walk_cfg cfg;
	struct pt_walk_result res;
	unsigned int level;
	u64 pa, entry;

	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, 8 * g, oa, g, IOMMU_READ | IOMMU_WRITE), 0);
	cfg = pt_kunit_walk_cfg(d);
	pa = leaf_entry_pa(test, &cfg, 8 * g, &level);
	entry = peek(pa);
	if (is_arm(cfg.fmt)) {
		poke(pa, entry & ~pt_fmt_armv8_4k::AF);
		cfg.hw = 0;
		KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res), PT_FAULT_ACCESS);
		KUNIT_EXPECT_EQ(test, peek(pa), entry & ~pt_fmt_armv8_4k::AF);
		cfg.hw = PT_HW_UPDATE_ACCESSED;
		KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res), 0);
		KUNIT_EXPECT_EQ(test, peek(pa), entry);
		return;
	}
	pt_kunit_with_fmt(cfg.fmt, [&]<class FMT>() {
		u64 a = FMT::id == PT_FMT_VTDSS ? pt_fmt_vtdss::A :
			FMT::id == PT_FMT_AMDV1 || FMT::id == PT_FMT_AMDV1_MOCK ? pt_fmt_amdv1::A :
						  pt_fmt_x86_64::A;
		u64 dbit = FMT::id == PT_FMT_VTDSS ? pt_fmt_vtdss::D :
			   FMT::id == PT_FMT_AMDV1 || FMT::id == PT_FMT_AMDV1_MOCK ? pt_fmt_amdv1::D :
						     pt_fmt_x86_64::D;

		poke(pa, entry & ~(a | dbit));
		cfg.hw = PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY;
		KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_WRITE, &res), 0);
		KUNIT_EXPECT_EQ(test, peek(pa) & (a | dbit), a | dbit);
		poke(pa, entry & ~(a | dbit));
		KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res), 0);
		KUNIT_EXPECT_EQ(test, peek(pa) & (a | dbit), a);
		/* A faulting access leaves the entry alone. */
		poke(pa, entry & ~(a | dbit | (FMT::id == PT_FMT_X86_64 ? pt_fmt_x86_64::RW :
					       FMT::id == PT_FMT_VTDSS	 ? pt_fmt_vtdss::W :
									   pt_fmt_amdv1::IW)));
		KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_WRITE, &res), PT_FAULT_PERMISSION);
		KUNIT_EXPECT_EQ(test, peek(pa) & (a | dbit), 0);
		/* Without SSADE/HAD-style updates nothing is written. */
		poke(pa, entry & ~(a | dbit));
		cfg.hw = 0;
		KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_WRITE, &res), 0);
		KUNIT_EXPECT_EQ(test, peek(pa) & (a | dbit), 0);
		poke(pa, entry);
	});
}

/*
 * Tripwires: a table pointer to memory that does not exist is a bus error
 * for the walker and a WARN for the driver; a reserved bit is the
 * format's reserved/address-size fault.
 */
static void test_walk_corrupt_table(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);
	struct pt_walk_cfg cfg;
	struct pt_walk_result res;
	unsigned int level;
	u64 pa, entry, top_pa;

	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, 8 * g, oa, g, IOMMU_READ), 0);
	cfg = pt_kunit_walk_cfg(d);

	/* A reserved bit (an OA bit beyond the width, or AMD's [58:52]) in the leaf. */
	pa = leaf_entry_pa(test, &cfg, 8 * g, &level);
	entry = peek(pa);
	/* The mock's address field counts 2 KiB units: PA bit n is entry bit n + 1. */
	unsigned int rsvd_bit = is_arm(cfg.fmt)			? min(cfg.oasz_lg2, (u8)48) :
				cfg.fmt == PT_FMT_AMDV1_MOCK ? cfg.oasz_lg2 + 1 :
							       cfg.oasz_lg2;
	if (rsvd_bit < 52 || cfg.fmt == PT_FMT_AMDV1 || cfg.fmt == PT_FMT_AMDV1_MOCK) {
		poke(pa, entry | 1ULL << rsvd_bit);
		KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res),
				oa_width_fault(cfg.fmt));
		KUNIT_EXPECT_EQ(test, res.level, 0);
		poke(pa, entry);
	}
	pt_kunit_with_fmt(cfg.fmt, [&]<class FMT>() {
		/* x86: PS in a PML4E; VT-d SS likewise. */
		if ((FMT::id == PT_FMT_X86_64 || FMT::id == PT_FMT_VTDSS) && cfg.top_level >= 3) {
			u64 top_entry = peek(cfg.root);

			poke(cfg.root, top_entry | BIT_ULL(7));
			KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res),
					PT_FAULT_RESERVED);
			poke(cfg.root, top_entry);
		}
		/* ARM: a level-0 descriptor with bit 1 clear is a reserved encoding. */
		if (is_arm(FMT::id)) {
			poke(pa, entry & ~pt_fmt_armv8_4k::TABLE);
			KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res),
					PT_FAULT_TRANSLATION);
			poke(pa, entry);
		}
		/* AMD: a table entry whose next level points up. */
		if (FMT::id == PT_FMT_AMDV1 || FMT::id == PT_FMT_AMDV1_MOCK) {
			u64 top_entry = peek(cfg.root);

			poke(cfg.root, (top_entry & ~pt_fmt_amdv1::NEXT_LEVEL) |
					       FIELD_PREP(pt_fmt_amdv1::NEXT_LEVEL, 6));
			KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res),
					PT_FAULT_RESERVED);
			/* The driver only ever links a table one level down. */
			KUNIT_EXPECT_HARNESS_FAILURE(
				test, KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, 8 * g), 0));
			poke(cfg.root, top_entry);
		}
	});

	/* The top entry now points at a page with no memory behind it. */
	top_pa = cfg.root;
	entry = peek(top_pa);
	pt_kunit_with_fmt(cfg.fmt, [&]<class FMT>() {
		u64 nowhere = log2_set_mod(1ULL << (cfg.oasz_lg2 - 1), 0, FMT::granule_lg2);

		poke(top_pa, (entry & ~FMT::OA) | (nowhere & FMT::OA));
	});
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res), PT_FAULT_BUS);
	KUNIT_EXPECT_EQ(test, res.level, cfg.top_level - 1);
	KUNIT_EXPECT_HARNESS_FAILURE(test, KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, 8 * g),
							   0));
	KUNIT_EXPECT_HARNESS_FAILURE(test, KUNIT_EXPECT_EQ(test, pt_kunit_map(d, 9 * g, oa, g,
									      IOMMU_READ),
							   -EINVAL));
	poke(top_pa, entry);
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 8 * g, PT_ACCESS_READ, &res), 0);
}

/* ---- nested ---- */

struct pt_nested_pair {
	const char *desc;
	unsigned int s1;	/* index in pt_kunit_cfgs */
	unsigned int s2;
};

static const struct pt_nested_pair pt_nested_pairs[] = {
	{ "smmuv3_s1_4k_over_s2_4k", 0, 1 },
	{ "smmuv3_s1_16k_over_s2_64k", 2, 3 },
	{ "vtd_fs_over_ss", 4, 8 },
	{ "amd_v2_over_v1", 6, 10 },
};

KUNIT_ARRAY_PARAM_DESC(pt_nested, pt_nested_pairs, desc)

/*
 * Stage 2 maps the fake physical memory identically (1 GiB pages over
 * [4 GiB, 68 GiB)) so stage-1 tables are reachable, and the stage-1
 * output window [1 GiB, 2 GiB) to 16 GiB.
 */
static void test_walk_nested(struct kunit *test)
{
	const struct pt_nested_pair *pair = (const struct pt_nested_pair *)test->param_value;
	struct pt_kunit_domain *s1 = pt_kunit_domain_alloc(test, &pt_kunit_cfgs[pair->s1]);
	struct pt_kunit_domain *s2 = pt_kunit_domain_alloc(test, &pt_kunit_cfgs[pair->s2]);
	u64 g1 = pt_kunit_granule(s1), gb = 1ULL << 30, out = 16 * gb;
	struct pt_walk_cfg c1, c2;
	struct pt_walk_result res;

	KUNIT_ASSERT_EQ(test, pt_kunit_map(s2, 4 * gb, 4 * gb, 64 * gb, IOMMU_READ | IOMMU_WRITE),
			0);
	KUNIT_ASSERT_EQ(test, pt_kunit_map(s2, gb, out, gb, IOMMU_READ | IOMMU_WRITE), 0);
	KUNIT_ASSERT_EQ(test, pt_kunit_map(s1, 0x10000 * g1 / 16, gb + 5 * g1, g1,
					   IOMMU_READ | IOMMU_WRITE), 0);
	c1 = pt_kunit_walk_cfg(s1);
	c2 = pt_kunit_walk_cfg(s2);
	c1.hw = c2.hw = 0;

	KUNIT_ASSERT_EQ(test, pt_walk_nested(&c1, &c2, 0x10000 * g1 / 16 + 7, PT_ACCESS_WRITE, &res),
			0);
	KUNIT_EXPECT_EQ(test, res.ipa, gb + 5 * g1 + 7);
	KUNIT_EXPECT_EQ(test, res.oa, out + 5 * g1 + 7);
	KUNIT_EXPECT_EQ(test, res.size_lg2, fls64(g1) - 1);
	KUNIT_EXPECT_TRUE(test, res.perm & PT_PERM_W);

	/* Every page agrees with the two drivers' iova_to_phys() composed. */
	KUNIT_ASSERT_EQ(test, pt_kunit_map(s1, 64 * g1, gb + 64 * g1, 64 * g1, IOMMU_READ), 0);
	for (u64 va = 0; va != 192 * g1; va += g1) {
		phys_addr_t ipa = pt_iova_to_phys(&s1->pt.domain, va + 24);
		int ret = pt_walk_nested(&c1, &c2, va + 24, PT_ACCESS_READ, &res);

		if (!ipa) {
			KUNIT_ASSERT_EQ(test, ret, PT_FAULT_TRANSLATION);
			KUNIT_ASSERT_EQ(test, res.stage, 1);
			continue;
		}
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_ASSERT_EQ(test, res.ipa, ipa);
		KUNIT_ASSERT_EQ(test, res.oa, pt_iova_to_phys(&s2->pt.domain, ipa));
	}

	/* Stage 1 unmapped: a stage-1 translation fault. */
	KUNIT_EXPECT_EQ(test, pt_walk_nested(&c1, &c2, 0x20000 * g1 / 16, PT_ACCESS_READ, &res),
			PT_FAULT_TRANSLATION);
	KUNIT_EXPECT_EQ(test, res.stage, 1);

	/* The output IPA unmapped in stage 2: stage-2 fault on the output. */
	KUNIT_ASSERT_EQ(test, pt_kunit_unmap(s2, gb, gb), gb);
	KUNIT_EXPECT_EQ(test, pt_walk_nested(&c1, &c2, 0x10000 * g1 / 16, PT_ACCESS_READ, &res),
			PT_FAULT_TRANSLATION);
	KUNIT_EXPECT_EQ(test, res.stage, 2);
	KUNIT_EXPECT_EQ(test, res.s1ptw, 0);
	KUNIT_EXPECT_EQ(test, res.ipa, gb + 5 * g1);

	/* The stage-1 root unmapped in stage 2: a fault on the stage-1 walk. */
	KUNIT_ASSERT_EQ(test, pt_walk(&c2, c1.root, PT_ACCESS_READ | PT_ACCESS_PRIV, &res), 0);
	u64 big2 = log2_to_int(res.size_lg2);
	u64 root_block = log2_set_mod(c1.root, 0, res.size_lg2);
	KUNIT_ASSERT_EQ(test, pt_kunit_unmap(s2, root_block, big2), big2);
	KUNIT_EXPECT_EQ(test, pt_walk_nested(&c1, &c2, 0x10000 * g1 / 16, PT_ACCESS_READ, &res),
			PT_FAULT_TRANSLATION);
	KUNIT_EXPECT_EQ(test, res.stage, 2);
	KUNIT_EXPECT_EQ(test, res.s1ptw, 1);
	KUNIT_EXPECT_EQ(test, log2_set_mod(res.ipa, 0, 12), log2_set_mod(c1.root, 0, 12));

	/* Stage 2 read-only for the tables: A/D updates of stage 1 then fault. */
	KUNIT_ASSERT_EQ(test, pt_kunit_map(s2, root_block, root_block, big2, IOMMU_READ), 0);
	KUNIT_ASSERT_EQ(test, pt_kunit_map(s2, gb, out, gb, IOMMU_READ | IOMMU_WRITE), 0);
	KUNIT_EXPECT_EQ(test, pt_walk_nested(&c1, &c2, 0x10000 * g1 / 16, PT_ACCESS_READ, &res), 0);
	/* The x86 driver makes entries accessed already: clear the root's A. */
	if (c1.fmt == PT_FMT_X86_64)
		poke(c1.root, peek(c1.root) & ~pt_fmt_x86_64::A);
	c1.hw = PT_HW_UPDATE_ACCESSED;
	int ret = pt_walk_nested(&c1, &c2, 0x10000 * g1 / 16, PT_ACCESS_READ, &res);

	/* ARM leaves are born with AF set: nothing to write there. */
	if (is_arm(c1.fmt)) {
		KUNIT_EXPECT_EQ(test, ret, 0);
	} else {
		KUNIT_EXPECT_EQ(test, ret, PT_FAULT_PERMISSION);
		KUNIT_EXPECT_EQ(test, res.stage, 2);
		KUNIT_EXPECT_EQ(test, res.s1ptw, 1);
	}
}

/* AMD v1 skipped levels: a level-3 entry straight to a level-1 table. */
static void test_walk_amdv1_skip_level(struct kunit *test)
{
	u64 *top = (u64 *)iommu_alloc_pages_sz(GFP_KERNEL, 4096);
	u64 *l1 = (u64 *)iommu_alloc_pages_sz(GFP_KERNEL, 4096);
	struct pt_walk_cfg cfg = { .fmt = PT_FMT_AMDV1, .top_level = 3, .vasz_lg2 = 48,
				   .oasz_lg2 = 52 };
	struct pt_walk_result res;
	u64 out = 1ULL << 40;

	KUNIT_ASSERT_NOT_NULL(test, top);
	KUNIT_ASSERT_NOT_NULL(test, l1);
	cfg.root = virt_to_phys(top);
	/* Item 1 of the top (VA bit 39) points to a level-1 table (NL = 2). */
	top[1] = pt_fmt_amdv1::PR | FIELD_PREP(pt_fmt_amdv1::NEXT_LEVEL, 2) | virt_to_phys(l1) |
		 pt_fmt_amdv1::IR | pt_fmt_amdv1::IW;
	/* A 2 MiB leaf at level 1, and a 64 KiB size-encoded page run below. */
	l1[3] = pt_fmt_amdv1::PR | out | pt_fmt_amdv1::IR;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, (1ULL << 39) + 3 * (2ULL << 20) + 77, PT_ACCESS_READ,
				      &res),
			0);
	KUNIT_EXPECT_EQ(test, res.oa, out + 77);
	KUNIT_EXPECT_EQ(test, res.size_lg2, 21);
	KUNIT_EXPECT_EQ(test, res.level, 1);
	/* The skipped level's VA bits [38:30] must be zero. */
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, (1ULL << 39) + (1ULL << 30) + 3 * (2ULL << 20),
				      PT_ACCESS_READ, &res),
			PT_FAULT_TRANSLATION);
	KUNIT_EXPECT_EQ(test, res.level, 3);
	/* A sized page: 32 KiB at level 1 is not an encoding (below the item). */
	l1[4] = pt_fmt_amdv1::PR | FIELD_PREP(pt_fmt_amdv1::NEXT_LEVEL, 7) | out | 0x3000 |
		pt_fmt_amdv1::IR;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, (1ULL << 39) + 4 * (2ULL << 20), PT_ACCESS_READ, &res),
			PT_FAULT_RESERVED);
	/* 8 MiB at level 1 is: 4 entries share the encoded value. */
	l1[4] = pt_fmt_amdv1::PR | FIELD_PREP(pt_fmt_amdv1::NEXT_LEVEL, 7) | out | 0x3ff000 |
		pt_fmt_amdv1::IR;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, (1ULL << 39) + 4 * (2ULL << 20) + 5, PT_ACCESS_READ, &res),
			0);
	KUNIT_EXPECT_EQ(test, res.size_lg2, 23);
	KUNIT_EXPECT_EQ(test, res.oa, out + 4 * (2ULL << 20) % (8ULL << 20) + 5);
	iommu_free_pages(l1);
	iommu_free_pages(top);
}

/* Whatever a (hostile) context entry says, the walker faults cleanly. */
/*
 * A walk racing with unmaps that free the tables it is reading: the bus
 * reads take no lock, so a freed table must stay whole until the walk's
 * reader section ends (ASan and TSan builds see any read of freed memory).
 * Each walk either translates to the one output address ever mapped there
 * or faults; it never reads another table's bytes as its own.
 */
static void test_walk_concurrent_free(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);
	/* Far enough up that every map needs tables of its own below the top. */
	u64 va = log2_to_int(min((unsigned int)d->pt.common.max_vasz_lg2, 39u) - 1);
	struct pt_walk_cfg cfg = pt_kunit_walk_cfg(d);
	std::atomic<bool> stop{false};
	std::atomic<long> wrong{0}, walked{0};

	cfg.hw = 0;
	std::thread walker([&] {
		while (!stop.load(std::memory_order_relaxed)) {
			struct pt_walk_result res;

			if (!pt_walk(&cfg, va + 3 * g + 8, PT_ACCESS_READ, &res) &&
			    res.oa != oa + 3 * g + 8)
				wrong++;
			walked++;
		}
	});
	/* Until the walker has raced with a few hundred frees, whatever the scheduler does. */
	for (long i = 0; i != 1000000 && (i < 300 || walked.load() < 3000); i++) {
		KUNIT_ASSERT_EQ(test, pt_kunit_map(d, va, oa, 8 * g, IOMMU_READ), 0);
		KUNIT_ASSERT_EQ(test, pt_kunit_unmap(d, va, 8 * g), 8 * g);
	}
	stop = true;
	walker.join();
	KUNIT_EXPECT_EQ(test, wrong.load(), 0);
	KUNIT_EXPECT_GT(test, walked.load(), 0);
}

static void test_walk_hostile_cfg(struct kunit *test)
{
	u64 *top = (u64 *)iommu_alloc_pages_sz(GFP_KERNEL, 4096);
	struct pt_walk_cfg cfg = { .root = virt_to_phys(top), .features = PT_F(SIGN_EXTEND),
				   .fmt = PT_FMT_X86_64, .top_level = 3, .vasz_lg2 = 48,
				   .oasz_lg2 = 52 };
	struct pt_walk_result res;

	KUNIT_ASSERT_NOT_NULL(test, top);
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 0x1000, PT_ACCESS_READ, &res), PT_FAULT_TRANSLATION);
	cfg.top_level = 7;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 0x1000, PT_ACCESS_READ, &res), PT_FAULT_RESERVED);
	cfg.top_level = 3;
	cfg.fmt = PT_FMT_NR;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 0x1000, PT_ACCESS_READ, &res), PT_FAULT_RESERVED);
	cfg.fmt = PT_FMT_X86_64;
	cfg.vasz_lg2 = 0;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 0x1000, PT_ACCESS_READ, &res), PT_FAULT_ADDR_SIZE);
	cfg.vasz_lg2 = 200;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, ~0ULL, PT_ACCESS_READ, &res), PT_FAULT_TRANSLATION);
	/* A root with no memory behind it: a bus error at the top. */
	cfg.vasz_lg2 = 48;
	cfg.root = 1ULL << 51;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 0x1000, PT_ACCESS_READ, &res), PT_FAULT_BUS);
	KUNIT_EXPECT_EQ(test, res.level, 3);
	/* Root bits below the field's alignment are not address bits. */
	cfg.root = virt_to_phys(top) + 4096 - 4;
	KUNIT_EXPECT_EQ(test, pt_walk(&cfg, 0, PT_ACCESS_READ, &res), PT_FAULT_TRANSLATION);
	iommu_free_pages(top);
}

/* The cache key helper: same page, same key; the tag separates spaces. */
static void test_walk_key(struct kunit *test)
{
	struct pt_walk_key a = pt_walk_key_make(7, 0x12345678, 21, 1);
	struct pt_walk_key b = pt_walk_key_make(7, 0x12200000, 21, 1);
	struct pt_walk_key c = pt_walk_key_make(8, 0x12345678, 21, 1);

	KUNIT_EXPECT_EQ(test, a.va_page, 0x12200000);
	KUNIT_EXPECT_EQ(test, pt_walk_key_hash(&a), pt_walk_key_hash(&b));
	KUNIT_EXPECT_NE(test, pt_walk_key_hash(&a), pt_walk_key_hash(&c));
	KUNIT_EXPECT_STREQ(test, pt_fault_name(PT_FAULT_BUS), "bus error");
}

static struct kunit_case pt_walk_test_cases[] = {
	KUNIT_CASE_PARAM(test_walk_agrees_random, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_walk_permission, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_walk_addr_size, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_walk_access_dirty_bits, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_walk_corrupt_table, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_walk_nested, pt_nested_gen_params),
	KUNIT_CASE_PARAM(test_walk_concurrent_free, pt_cfg_gen_params),
	KUNIT_CASE(test_walk_amdv1_skip_level),
	KUNIT_CASE(test_walk_hostile_cfg),
	KUNIT_CASE(test_walk_key),
	{},
};

static struct kunit_suite pt_walk_suite = {
	.name = "pt_walk",
	.test_cases = pt_walk_test_cases,
};
kunit_test_suite(pt_walk_suite);
