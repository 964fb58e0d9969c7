// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the driver-side ops on every configuration, after the kernel's
 * kunit_iommu_pt.h (map simple, map table to OA, cut simple, unmap split,
 * increase level), plus what the IOMMU API promises around them: tables
 * freed only after the driver's flush, and dirty read-and-clear with and
 * without IOMMU_DIRTY_NO_CLEAR.
 */
#include "pt_kunit.h"

KUNIT_ARRAY_PARAM(pt_cfg, pt_kunit_cfgs, pt_kunit_cfg_desc)

static const struct pt_kunit_cfg *param(struct kunit *test)
{
	return (const struct pt_kunit_cfg *)test->param_value;
}

/* The page sizes worth trying: the domain's, up to 1 GiB and the VA width. */
static u64 test_sizes(struct pt_kunit_domain *d)
{
	return d->pt.domain.pgsize_bitmap & pt_bits(min(30u, d->pt.common.max_vasz_lg2 - 2u), 0);
}

/* All of the VA below the sign bit. */
static u64 lower_half(struct pt_kunit_domain *d)
{
	return log2_to_int(d->pt.common.max_vasz_lg2 - 1);
}

static void check_iova(struct kunit *test, struct pt_kunit_domain *d, u64 iova, u64 pa, u64 len)
{
	u64 step = max(pt_kunit_granule(d), len / 64);

	for (u64 off = 0; off < len; off += step) {
		KUNIT_ASSERT_EQ(test, pt_iova_to_phys(&d->pt.domain, iova + off), pa + off);
		KUNIT_ASSERT_EQ(test, pt_iova_to_phys(&d->pt.domain, iova + off + 8), pa + off + 8);
	}
	KUNIT_ASSERT_EQ(test, pt_iova_to_phys(&d->pt.domain, iova + len - 1), pa + len - 1);
}

/* Every page size maps as one leaf (or one run), reads back, and unmaps. */
static void test_map_simple(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 sizes = test_sizes(d), oa = pt_kunit_oa_base(d);

	for (unsigned int lg2 = 0; lg2 < 64; lg2++) {
		u64 sz = log2_to_int(lg2);

		if (!(sizes & sz))
			continue;
		KUNIT_ASSERT_EQ(test, pt_kunit_map(d, sz, oa, sz, IOMMU_READ | IOMMU_WRITE), 0);
		check_iova(test, d, sz, oa, sz);
		KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, sz - 1), 0);
		KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, 2 * sz), 0);
		/* Mapping over it again is refused. */
		KUNIT_EXPECT_EQ(test, pt_kunit_map(d, sz, oa, pt_kunit_granule(d), IOMMU_READ),
				-EADDRINUSE);
		KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, sz, sz), sz);
		KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, sz), 0);
		KUNIT_EXPECT_EQ(test, pt_iommu_count_leaves(&d->pt), 0);
		/* Tables go when an unmap covers them, not when they empty. */
		KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, 0, lower_half(d)), 0);
		KUNIT_EXPECT_EQ(test, pt_iommu_count_tables(&d->pt), 1);
	}
}

/* An empty table where a large page now fits is replaced, flushed, freed. */
static void test_map_table_to_oa(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 sizes = test_sizes(d), g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);
	u64 big = log2_to_int(fls64(sizes) - 1);
	unsigned long tables, syncs;

	if (big == g)
		kunit_skip(test, "one page size only");
	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, big, oa, g, IOMMU_READ), 0);
	KUNIT_ASSERT_EQ(test, pt_kunit_unmap(d, big, g), g);
	tables = pt_iommu_count_tables(&d->pt);
	KUNIT_ASSERT_GT(test, tables, 1);
	syncs = d->nr_syncs;
	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, big, oa, big, IOMMU_READ), 0);
	KUNIT_EXPECT_LT(test, pt_iommu_count_tables(&d->pt), tables);
	KUNIT_EXPECT_EQ(test, d->nr_syncs, syncs + 1);
	check_iova(test, d, big, oa, big);
	/* A table that still maps something is not replaced. */
	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, 2 * big + g, oa, g, IOMMU_READ), 0);
	KUNIT_EXPECT_EQ(test, pt_kunit_map(d, 2 * big, oa, big, IOMMU_READ), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, 2 * big + g), oa);
}

/*
 * Unmapping the start of a large page takes the whole page and says so;
 * unmapping from its middle is refused (upstream's -EINVAL).
 */
static void test_cut_simple(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 sizes = test_sizes(d), g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);

	for (unsigned int lg2 = 0; lg2 < 64; lg2++) {
		u64 sz = log2_to_int(lg2);

		if (!(sizes & sz) || sz == g)
			continue;
		KUNIT_ASSERT_EQ(test, pt_kunit_map(d, sz, oa, sz, IOMMU_READ), 0);
		KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, sz + g, g), 0);
		check_iova(test, d, sz, oa, sz);
		KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, sz, g), sz);
		KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, sz + sz / 2), 0);
		KUNIT_EXPECT_EQ(test, pt_iommu_count_leaves(&d->pt), 0);
	}
}

/*
 * PT_FEAT_SPLIT_ON_UNMAP: the formats whose upstream driver split a block
 * (io-pgtable-arm) cut a hole and keep the rest; the others refuse the
 * feature outright.
 */
static void test_unmap_split(struct kunit *test)
{
	struct pt_kunit_cfg kcfg = *param(test);
	struct pt_kunit_domain *d;
	u64 sizes, g, oa;
	struct pt_iommu probe = {};

	kcfg.cfg.features |= PT_F(SPLIT_ON_UNMAP);
	pt_kunit_with_fmt(kcfg.cfg.fmt, [&]<class FMT>() {
		if (!FMT::can_split) {
			KUNIT_EXPECT_EQ(test, pt_iommu_init(&probe, &kcfg.cfg, GFP_KERNEL),
					-EOPNOTSUPP);
			kunit_skip(test, "the format does not split");
		}
	});
	d = pt_kunit_domain_alloc(test, &kcfg);
	sizes = test_sizes(d);
	g = pt_kunit_granule(d);
	oa = pt_kunit_oa_base(d);
	for (unsigned int lg2 = 0; lg2 < 64; lg2++) {
		u64 sz = log2_to_int(lg2), hole = sz / 2 + g;

		if (!(sizes & sz) || sz == g)
			continue;
		KUNIT_ASSERT_EQ(test, pt_kunit_map(d, sz, oa, sz, IOMMU_READ | IOMMU_WRITE), 0);
		KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, sz + hole, g), g);
		KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, sz + hole), 0);
		check_iova(test, d, sz, oa, hole);
		check_iova(test, d, sz + hole + g, oa + hole + g, sz - hole - g);
		KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, sz, sz), sz - g);
		KUNIT_EXPECT_EQ(test, pt_iommu_count_leaves(&d->pt), 0);
	}
}

/* A map past the top grows the table and tells the driver the new root. */
static void test_increase_level(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	struct pt_iommu_hw_info info;
	u64 g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);
	unsigned int level;

	if (!pt_feature(&d->pt.common, PT_FEAT_DYNAMIC_TOP))
		kunit_skip(test, "fixed top level");
	pt_iommu_hw_info(&d->pt, &info);
	level = info.top_level;
	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, 0, oa, g, IOMMU_READ), 0);
	for (unsigned int vasz = info.vasz_lg2 + 1; vasz <= 64; vasz += 9) {
		u64 iova = log2_to_int(vasz - 1);

		KUNIT_ASSERT_EQ(test, pt_kunit_map(d, iova, oa + g, g, IOMMU_READ), 0);
		pt_iommu_hw_info(&d->pt, &info);
		KUNIT_EXPECT_GT(test, info.top_level, level);
		KUNIT_EXPECT_EQ(test, d->hw_root, info.top_paddr);
		KUNIT_EXPECT_EQ(test, d->hw_top_level, info.top_level);
		level = info.top_level;
		KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, 0), oa);
		KUNIT_EXPECT_EQ(test, pt_iova_to_phys(&d->pt.domain, iova), oa + g);
		KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, iova, g), g);
	}
	KUNIT_EXPECT_EQ(test, level, pt_fmt_amdv1::max_top_level);
	KUNIT_EXPECT_GT(test, d->nr_top_changes, 0);
}

/* Unmapped tables stay readable until the driver's flush, then go. */
static void test_free_after_flush(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);
	struct iommu_iotlb_gather gather;
	unsigned long pages, syncs;
	u64 entry;

	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, 0, oa, g, IOMMU_READ), 0);
	pages = physmem_nr_pages(PAGE_KIND_KERNEL);
	syncs = d->nr_syncs;
	iommu_iotlb_gather_init(&gather);
	KUNIT_ASSERT_EQ(test, pt_unmap_pages(&d->pt.domain, 0, lower_half(d), 1, &gather), g);
	KUNIT_EXPECT_FALSE(test, list_empty(&gather.freelist));
	KUNIT_EXPECT_EQ(test, physmem_nr_pages(PAGE_KIND_KERNEL), pages);
	KUNIT_EXPECT_EQ(test, gather.start, 0);
	KUNIT_EXPECT_EQ(test, gather.end, g - 1);
	/* The hardware could still walk them: they are intact. */
	KUNIT_EXPECT_EQ(test, phys_read(virt_to_phys(page_address(list_first_entry(
						&gather.freelist, struct page, lru))),
					&entry, sizeof(entry)),
			0);
	iommu_iotlb_sync(&d->pt.domain, &gather);
	KUNIT_EXPECT_EQ(test, d->nr_syncs, syncs + 1);
	KUNIT_EXPECT_LT(test, physmem_nr_pages(PAGE_KIND_KERNEL), pages);
	KUNIT_EXPECT_EQ(test, pt_iommu_count_tables(&d->pt), 1);
}

/* Dirty pages are reported (and cleared unless NO_CLEAR) leaf by leaf. */
static void test_dirty_read_and_clear(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d), len = 64 * g;
	struct pt_walk_cfg cfg = pt_kunit_walk_cfg(d);
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap dirty;
	struct pt_walk_result res;

	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, len, oa, len, IOMMU_READ | IOMMU_WRITE), 0);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	if (pt_read_and_clear_dirty(&d->pt.domain, len, len, 0, &dirty) == -EOPNOTSUPP)
		kunit_skip(test, "no dirty tracking in this configuration");
	/* Now everything is clean. */
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_ASSERT_EQ(test, pt_read_and_clear_dirty(&d->pt.domain, len, len, 0, &dirty), 0);
	KUNIT_EXPECT_EQ(test, gather.end, 0);
	/* A test playing the hardware dirties the leaf of one address; nothing where unmapped. */
	KUNIT_EXPECT_EQ(test, pt_iommu_set_dirty(&d->pt, len + 7 * g + 1), 0);
	KUNIT_EXPECT_EQ(test, pt_iommu_set_dirty(&d->pt, len + 7 * g + 1), 0);
	KUNIT_EXPECT_EQ(test, pt_iommu_set_dirty(&d->pt, 2 * len + g), -ENOENT);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_ASSERT_EQ(test, pt_read_and_clear_dirty(&d->pt.domain, len, len, 0, &dirty), 0);
	/* The whole leaf holding it, whatever size the map chose there. */
	KUNIT_EXPECT_LE(test, gather.start, len + 7 * g);
	KUNIT_EXPECT_GE(test, gather.end, len + 8 * g - 1);
	KUNIT_EXPECT_NE(test, gather.end, 0);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_ASSERT_EQ(test, pt_read_and_clear_dirty(&d->pt.domain, len, len, 0, &dirty), 0);
	KUNIT_EXPECT_EQ(test, gather.end, 0);
	if (!(cfg.hw & PT_HW_UPDATE_DIRTY))
		return;
	/* A DMA write through the model dirties exactly its page. */
	KUNIT_ASSERT_EQ(test, pt_walk(&cfg, len + 5 * g + 3, PT_ACCESS_WRITE, &res), 0);
	for (int pass = 0; pass != 3; pass++) {
		unsigned long flags = pass == 0 ? IOMMU_DIRTY_NO_CLEAR : 0;

		iommu_dirty_bitmap_init(&dirty, NULL, &gather);
		KUNIT_ASSERT_EQ(test, pt_read_and_clear_dirty(&d->pt.domain, len, len, flags, &dirty),
				0);
		if (pass == 2) {
			KUNIT_EXPECT_EQ(test, gather.end, 0);
			break;
		}
		KUNIT_EXPECT_EQ(test, gather.start, log2_set_mod(len + 5 * g, 0, res.size_lg2));
		KUNIT_EXPECT_EQ(test, gather.end, gather.start + log2_to_int(res.size_lg2) - 1);
	}
	/* A read does not. */
	KUNIT_ASSERT_EQ(test, pt_walk(&cfg, len + 9 * g, PT_ACCESS_READ, &res), 0);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_ASSERT_EQ(test, pt_read_and_clear_dirty(&d->pt.domain, len, len, 0, &dirty), 0);
	KUNIT_EXPECT_EQ(test, gather.end, 0);
}

/* The core's iommu_map()-style split into pgsize/pgcount is not needed. */
static void test_map_mixed_sizes(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 sizes = test_sizes(d), g = pt_kunit_granule(d), oa = pt_kunit_oa_base(d);
	u64 big = log2_to_int(fls64(sizes) - 1);
	u64 iova = big - 3 * g, len = big + 7 * g;
	unsigned long leaves;

	if (big == g)
		kunit_skip(test, "one page size only");
	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, iova, oa - 3 * g + big, len, IOMMU_READ), 0);
	check_iova(test, d, iova, oa - 3 * g + big, len);
	leaves = pt_iommu_count_leaves(&d->pt);
	/* The middle went in as the largest page, not as small ones. */
	KUNIT_EXPECT_LT(test, leaves, 3 + 7 + big / g);
	KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, iova, len), len);
	KUNIT_EXPECT_EQ(test, pt_kunit_unmap(d, 0, lower_half(d)), 0);
	KUNIT_EXPECT_EQ(test, pt_iommu_count_tables(&d->pt), 1);
	/* Misaligned requests and unsupported protections are refused. */
	KUNIT_EXPECT_EQ(test, pt_kunit_map(d, g / 2, oa, g, IOMMU_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, pt_kunit_map(d, 0, oa + g / 2, g, IOMMU_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, pt_kunit_map(d, 0, 1ULL << d->pt.common.max_oasz_lg2, g, IOMMU_READ),
			-ERANGE);
}

/*
 * A range that starts and ends on 2M boundaries around three 1G ones goes
 * in as 14 x 2M, 3 x 1G, 3 x 2M (upstream's test_mixed).
 */
static void test_mixed(struct kunit *test)
{
	struct pt_kunit_domain *d = pt_kunit_domain_alloc(test, param(test));
	u64 start = 0x3fe400ULL << 12, end = 0x4c0600ULL << 12;

	if (d->pt.common.max_vasz_lg2 < 36)
		kunit_skip(test, "range is too small");
	if ((d->pt.domain.pgsize_bitmap & pt_bits(30, 21)) != (BIT_ULL(30) | BIT_ULL(21)))
		kunit_skip(test, "incompatible page sizes");
	KUNIT_ASSERT_EQ(test, pt_kunit_map(d, start, start, end - start, IOMMU_READ), 0);
	KUNIT_EXPECT_EQ(test, pt_iommu_count_leaves(&d->pt), 20);
	check_iova(test, d, start, start, end - start);
}

static struct kunit_case iommu_pt_test_cases[] = {
	KUNIT_CASE_PARAM(test_increase_level, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_map_simple, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_map_table_to_oa, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_cut_simple, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_unmap_split, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_free_after_flush, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_dirty_read_and_clear, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_map_mixed_sizes, pt_cfg_gen_params),
	KUNIT_CASE_PARAM(test_mixed, pt_cfg_gen_params),
	{},
};

static struct kunit_suite iommu_pt_suite = {
	.name = "iommu_pt",
	.test_cases = iommu_pt_test_cases,
};
kunit_test_suite(iommu_pt_suite);
