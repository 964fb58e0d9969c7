// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the format descriptions themselves, case for case after the
 * kernel's kunit_generic_pt.h (init, bit helpers, best page size, table
 * pointers, max VA, radix shape, possible entry sizes, output address,
 * attributes, dirty), run on every configuration of pt_kunit_cfgs.
 */
#include "pt_kunit.h"

KUNIT_ARRAY_PARAM(pt_cfg, pt_kunit_cfgs, pt_kunit_cfg_desc)

static const struct pt_kunit_cfg *param(struct kunit *test)
{
	return (const struct pt_kunit_cfg *)test->param_value;
}

/* A table comes up with one top table in fake memory and goes away whole. */
static void test_init(struct kunit *test)
{
	unsigned long before = physmem_nr_pages(PAGE_KIND_KERNEL);
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	struct pt_iommu_hw_info info;
	u64 entry;

	pt_iommu_hw_info(&d->pt, &info);
	KUNIT_EXPECT_EQ(test, pt_iommu_count_tables(&d->pt), 1);
	KUNIT_EXPECT_EQ(test, pt_iommu_count_leaves(&d->pt), 0);
	KUNIT_EXPECT_EQ(test, phys_read(info.top_paddr, &entry, sizeof(entry)), 0);
	KUNIT_EXPECT_EQ(test, entry, 0);
	KUNIT_EXPECT_NE(test, d->pt.domain.pgsize_bitmap, 0);
	KUNIT_EXPECT_TRUE(test, d->pt.domain.pgsize_bitmap & SZ_4K ||
					d->pt.domain.pgsize_bitmap & SZ_16K ||
					d->pt.domain.pgsize_bitmap & SZ_64K);
	KUNIT_EXPECT_GT(test, physmem_nr_pages(PAGE_KIND_KERNEL), before);
	kunit_release_action(test, pt_kunit_domain_free, d);
	KUNIT_EXPECT_EQ(test, physmem_nr_pages(PAGE_KIND_KERNEL), before);
}

/* The log2 helpers and masks everything else is written with. */
static void test_bitops(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, log2_to_int(0), 1);
	KUNIT_EXPECT_EQ(test, log2_to_int(63), 1ULL << 63);
	KUNIT_EXPECT_EQ(test, log2_to_int(64), 0);
	KUNIT_EXPECT_EQ(test, log2_mod(0x12345, 12), 0x345);
	KUNIT_EXPECT_EQ(test, log2_mod(~0ULL, 64), ~0ULL);
	KUNIT_EXPECT_EQ(test, log2_set_mod(0x12345, 0x1, 12), 0x12001);
	KUNIT_EXPECT_EQ(test, log2_div(0x12345, 12), 0x12);
	KUNIT_EXPECT_EQ(test, log2_div(~0ULL, 64), 0);
	KUNIT_EXPECT_EQ(test, pt_bits(11, 9), 0xe00);
	KUNIT_EXPECT_EQ(test, pt_bits(63, 0), ~0ULL);
	KUNIT_EXPECT_EQ(test, pt_bits(3, 4), 0);
	KUNIT_EXPECT_EQ(test, pt_bits(63, 63), 1ULL << 63);
	for (unsigned int hi = 0; hi != 64; hi++)
		for (unsigned int lo = 0; lo <= hi; lo++)
			KUNIT_ASSERT_EQ(test, pt_bits(hi, lo), GENMASK_ULL(hi, lo));
}

static void test_best_pgsize(struct kunit *test)
{
	const u64 x86 = SZ_4K | SZ_2M | SZ_1G;

	KUNIT_EXPECT_EQ(test, pt_compute_best_pgsize(x86, 0, SZ_1G - 1, 0), 30);
	KUNIT_EXPECT_EQ(test, pt_compute_best_pgsize(x86, 0, SZ_1G - 2, 0), 21);
	KUNIT_EXPECT_EQ(test, pt_compute_best_pgsize(x86, SZ_2M, SZ_1G * 4ULL, 0), 21);
	KUNIT_EXPECT_EQ(test, pt_compute_best_pgsize(x86, SZ_1G, SZ_2G - 1, SZ_4K), 12);
	KUNIT_EXPECT_EQ(test, pt_compute_best_pgsize(x86, 0, SZ_4K - 2, 0), 0);
	KUNIT_EXPECT_EQ(test, pt_compute_best_pgsize(x86, 0x800, 0xfffff, 0), 0);
	/* The whole 64-bit space is a length too. */
	KUNIT_EXPECT_EQ(test, pt_compute_best_pgsize(1ULL << 63, 0, ~0ULL, 0), 63);
	KUNIT_EXPECT_EQ(test, pt_compute_best_pgsize(x86, ~0ULL - SZ_4K + 1, ~0ULL, 0), 12);
}

/* A table entry points at any table-aligned address the OA width holds. */
static void test_table_ptr(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	const struct pt_common *common = &d->pt.common;

	pt_kunit_with_fmt(common->fmt, [&]<class FMT>() {
		for (unsigned int level = 1; level <= FMT::max_top_level; level++) {
			unsigned int tlg2 = FMT::table_mem_lg2(level - 1);

			for (unsigned int bit = tlg2; bit < common->max_oasz_lg2; bit++) {
				u64 pa = 1ULL << bit | log2_to_int(tlg2);

				pa = log2_set_mod(pa, 0, tlg2);
				u64 entry = FMT::make_table(common, pa, level);
				KUNIT_ASSERT_EQ(test, FMT::entry_type(entry, level), PT_ENTRY_TABLE);
				KUNIT_ASSERT_EQ(test, FMT::table_pa(entry), pa);
			}
		}
	});
}

/* The last granule below the width maps; the first beyond it does not. */
static void test_max_va(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	struct pt_iommu_hw_info info;
	u64 g = pt_kunit_granule(d), top;
	unsigned int vasz;

	pt_iommu_hw_info(&d->pt, &info);
	vasz = d->pt.common.max_vasz_lg2;
	if (pt_feature(&d->pt.common, PT_FEAT_SIGN_EXTEND)) {
		top = (1ULL << (vasz - 1)) - g;
		KUNIT_EXPECT_EQ(test, pt_kunit_map(d, top, 0, g, IOMMU_READ), 0);
		KUNIT_EXPECT_EQ(test, pt_kunit_map(d, top + g, 0, g, IOMMU_READ), -ERANGE);
		/* The upper (kernel) half, sign-extended. */
		KUNIT_EXPECT_EQ(test, pt_kunit_map(d, -(1ULL << (vasz - 1)), 0, g, IOMMU_READ), 0);
		KUNIT_EXPECT_EQ(test, pt_kunit_map(d, -g, 0, g, IOMMU_READ), 0);
		KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, -g + 5), 5);
		return;
	}
	top = vasz >= 64 ? -g : (1ULL << vasz) - g;
	KUNIT_EXPECT_EQ(test, pt_kunit_map(d, top, 0, g, IOMMU_READ), 0);
	KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, top + 7), 7);
	if (vasz < 64)
		KUNIT_EXPECT_EQ(test, pt_kunit_map(d, top + g, 0, g, IOMMU_READ), -ERANGE);
	KUNIT_EXPECT_EQ(test, d->pt.domain.geometry.aperture_end, top + g - 1);
}

/* Each level resolves the bits just above the level below it. */
static void test_table_radix(struct kunit *test)
{
	pt_kunit_with_fmt(param(test)->cfg.fmt, [&]<class FMT>() {
		KUNIT_EXPECT_EQ(test, FMT::item_lg2sz(0), FMT::granule_lg2);
		for (unsigned int level = 0; level < FMT::max_top_level; level++) {
			KUNIT_EXPECT_EQ(test, FMT::item_lg2sz(level + 1),
					FMT::item_lg2sz(level) + FMT::num_items_lg2(level));
			KUNIT_EXPECT_EQ(test, FMT::num_items_lg2(level) + 3,
					FMT::table_mem_lg2(level));
		}
		KUNIT_EXPECT_GE(test, FMT::item_lg2sz(FMT::max_top_level) +
					      FMT::num_items_lg2(FMT::max_top_level),
				FMT::max_va_lg2);
	});
}

/* Calls @fn(level, lg2) for every leaf size @lg2 each level of FMT offers. */
template <class FMT, class F>
static void for_each_leaf_size(const struct pt_common *common, F &&fn)
{
	for (unsigned int level = 0; level <= FMT::max_top_level; level++) {
		u64 sizes = FMT::possible_sizes(common, level);

		for (unsigned int lg2 = FMT::item_lg2sz(level); lg2 < 64; lg2++)
			if (sizes & log2_to_int(lg2))
				fn(level, lg2);
	}
}

/* Every size a level offers is a leaf that reads back as that size. */
static void test_entry_possible_sizes(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	const struct pt_common *common = &d->pt.common;

	pt_kunit_with_fmt(common->fmt, [&]<class FMT>() {
		u64 attrs;

		for (unsigned int level = 0; level <= FMT::max_top_level; level++) {
			u64 sizes = FMT::possible_sizes(common, level);
			unsigned int isz = FMT::item_lg2sz(level);

			KUNIT_EXPECT_EQ(test, !!sizes, FMT::can_have_leaf(level));
			if (!sizes)
				continue;
			/* AMD v1 leaves 512 GiB pages out (an erratum). */
			KUNIT_EXPECT_TRUE(test, sizes & log2_to_int(isz) ||
							(FMT::id == PT_FMT_AMDV1 && isz == 39));
			KUNIT_EXPECT_EQ(test, sizes & pt_bits(isz - 1, 0), 0);
			KUNIT_EXPECT_LT(test, fls64(sizes) - 1, isz + FMT::num_items_lg2(level));
		}
		KUNIT_ASSERT_EQ(test, FMT::set_prot(common, IOMMU_READ, &attrs), 0);
		for_each_leaf_size<FMT>(common, [&](unsigned int level, unsigned int lg2) {
			unsigned int contig = lg2 - FMT::item_lg2sz(level);
			u64 entry = FMT::make_leaf(common, 0, level, contig, attrs);

			KUNIT_ASSERT_EQ(test, FMT::entry_type(entry, level), PT_ENTRY_OA);
			KUNIT_ASSERT_EQ(test, FMT::entry_num_contig_lg2(entry, level), contig);
		});
	});
}

/* A leaf holds any OA aligned to its size, up to the OA width. */
static void test_entry_oa(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	const struct pt_common *common = &d->pt.common;

	pt_kunit_with_fmt(common->fmt, [&]<class FMT>() {
		for_each_leaf_size<FMT>(common, [&](unsigned int level, unsigned int lg2) {
			unsigned int contig = lg2 - FMT::item_lg2sz(level);

			for (unsigned int bit = lg2; bit < common->max_oasz_lg2; bit++) {
				u64 oa = log2_mod(1ULL << bit | log2_to_int(lg2) | (1ULL << (lg2 + 1)),
						  common->max_oasz_lg2);
				u64 entry = FMT::make_leaf(common, oa, level, contig, 0);

				KUNIT_ASSERT_EQ(test, log2_set_mod(FMT::leaf_oa(entry, level), 0, lg2), oa);
			}
		});
	});
}

/* The attributes of a leaf are what the protection asked for. */
static const int test_prots[] = { IOMMU_READ, IOMMU_READ | IOMMU_WRITE,
				  IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE, IOMMU_READ | IOMMU_NOEXEC,
				  IOMMU_WRITE | IOMMU_MMIO };

static void test_attr_from_entry(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	const struct pt_common *common = &d->pt.common;

	pt_kunit_with_fmt(common->fmt, [&]<class FMT>() {
		for (int prot : test_prots) {
			u64 attrs;

			KUNIT_ASSERT_EQ(test, FMT::set_prot(common, prot, &attrs), 0);
			for (unsigned int level = 0; level <= FMT::max_top_level; level++) {
				if (!FMT::can_have_leaf(level))
					continue;
				u64 entry = FMT::make_leaf(common, 0, level, 0, attrs);
				KUNIT_EXPECT_EQ(test, FMT::attr_from_entry(entry), attrs);
			}
		}
	});
}

/* Write-dirty reads and clears the way the hardware sets it. */
static void test_dirty(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	const struct pt_common *common = &d->pt.common;

	pt_kunit_with_fmt(common->fmt, [&]<class FMT>() {
		u64 attrs;

		if (!FMT::dirty_supported(common))
			kunit_skip(test, "no dirty tracking in this configuration");
		KUNIT_ASSERT_EQ(test, FMT::set_prot(common, IOMMU_READ | IOMMU_WRITE, &attrs), 0);
		u64 entry = FMT::make_leaf(common, 0, 0, 0, attrs);
		u64 clean = FMT::make_write_clean(common, entry);

		KUNIT_EXPECT_FALSE(test, FMT::is_write_dirty(common, clean));
		KUNIT_EXPECT_EQ(test, FMT::entry_type(clean, 0), PT_ENTRY_OA);
		KUNIT_EXPECT_EQ(test, FMT::make_write_clean(common, clean), clean);
		/* The walker's hardware write makes it dirty again. */
		struct pt_walk_cfg cfg = pt_kunit_walk_cfg(d);
		struct pt_step st;

		cfg.hw = PT_HW_UPDATE_DIRTY | PT_HW_UPDATE_ACCESSED;
		FMT::walk_step(&cfg, clean, 0, 0, PT_ACCESS_WRITE, &st);
		KUNIT_ASSERT_EQ(test, st.kind, PT_STEP_LEAF);
		KUNIT_EXPECT_TRUE(test, st.perm & PT_PERM_W);
		KUNIT_EXPECT_TRUE(test, FMT::is_write_dirty(common, st.update));
	});
}

static struct kunit_case generic_pt_test_cases[] = {
	KUNIT_CASE_PARAM(test_init, pt_cfg_gen_params),
	KUNIT_CASE(test_bitops),
	KUNIT_CASE(test_best_pgsize),
	KUNIT_CASE_PARAM(test_table_ptr, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_max_va, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_table_radix, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_entry_possible_sizes, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_entry_oa, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_attr_from_entry, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_dirty, pt_cfg_gen_params),
	{},
};

static struct kunit_suite generic_pt_suite = {
	.name = "generic_pt",
	.test_cases = generic_pt_test_cases,
};
kunit_test_suite(generic_pt_suite);
