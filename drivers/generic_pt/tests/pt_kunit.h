/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the generic_pt suites share: the configurations every case runs
 * on (each format in the shapes its drivers use, like upstream's
 * kunit_fmt_cfgs), a test domain whose iotlb_sync counts flushes and
 * frees the gathered tables, the dispatch from a runtime format id to
 * its compile-time description, and the walker configuration a model
 * would derive from the domain's context entry.
 */
#pragma once

#include "kunit.h"

#include "drivers/generic_pt/fmt/amdv1.h"
#include "drivers/generic_pt/fmt/armv8.h"
#include "drivers/generic_pt/fmt/vtdss.h"
#include "drivers/generic_pt/fmt/x86_64.h"
#include "drivers/generic_pt/iommu_pt.h"
#include "drivers/generic_pt/pt_walk.h"

struct pt_kunit_cfg {
	const char *name;
	struct pt_iommu_cfg cfg;
	u8 walk_hw;		/* PT_HW_* the model enables for this table */
};

#define PT_F(f) BIT_ULL(PT_FEAT_##f)

#ifndef SZ_4K
#define SZ_4K 0x1000ULL
#define SZ_16K 0x4000ULL
#define SZ_64K 0x10000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define SZ_2G 0x80000000ULL
#endif

static const struct pt_kunit_cfg pt_kunit_cfgs[] = {
	{ "armv8_4k_s1_48", { PT_FMT_ARMV8_4K, PT_F(ARMV8_CONTIG) | PT_F(ARMV8_DBM), 48, 48 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	{ "armv8_4k_s2_40", { PT_FMT_ARMV8_4K, PT_F(ARMV8_S2) | PT_F(ARMV8_DBM), 40, 44 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	{ "armv8_16k_s1_47", { PT_FMT_ARMV8_16K, PT_F(ARMV8_CONTIG), 47, 48 }, 0 },
	{ "armv8_64k_s2_48", { PT_FMT_ARMV8_64K, PT_F(ARMV8_S2) | PT_F(ARMV8_CONTIG), 48, 48 },
	  0 },
	{ "x86_64_4lvl_vtd_fs", { PT_FMT_X86_64, PT_F(SIGN_EXTEND) | PT_F(DIRTY_TRACKING), 48, 52 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	{ "x86_64_5lvl_vtd_fs", { PT_FMT_X86_64, PT_F(SIGN_EXTEND), 57, 52 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	{ "x86_64_4lvl_amd_v2", { PT_FMT_X86_64, 0, 47, 52 }, PT_HW_UPDATE_ACCESSED },
	{ "vtdss_3lvl", { PT_FMT_VTDSS, 0, 39, 46 }, PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	{ "vtdss_4lvl", { PT_FMT_VTDSS, PT_F(VTDSS_FORCE_COHERENCE), 48, 52 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	{ "vtdss_5lvl", { PT_FMT_VTDSS, 0, 57, 52 }, 0 },
	{ "amdv1_fixed_3lvl", { PT_FMT_AMDV1, 0, 64, 52, 2 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	{ "amdv1_dynamic", { PT_FMT_AMDV1, PT_F(DYNAMIC_TOP), 64, 52, 1 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	/* The mock IOMMU's tables (drivers/mock): 2 KiB granule, as its domains use them. */
	{ "amdv1_mock_3lvl", { PT_FMT_AMDV1_MOCK, 0, 56, 51, 2 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
	{ "amdv1_mock_5lvl", { PT_FMT_AMDV1_MOCK, 0, 48, 51, 0 },
	  PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY },
};

static inline void pt_kunit_cfg_desc(const struct pt_kunit_cfg *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

/* Runs @fn.template operator()<FMT>() for the format @fmt. */
template <class F> static inline void pt_kunit_with_fmt(enum pt_fmt_id fmt, F &&fn)
{
	switch (fmt) {
	case PT_FMT_ARMV8_4K: fn.template operator()<pt_fmt_armv8_4k>(); break;
	case PT_FMT_ARMV8_16K: fn.template operator()<pt_fmt_armv8_16k>(); break;
	case PT_FMT_ARMV8_64K: fn.template operator()<pt_fmt_armv8_64k>(); break;
	case PT_FMT_X86_64: fn.template operator()<pt_fmt_x86_64>(); break;
	case PT_FMT_VTDSS: fn.template operator()<pt_fmt_vtdss>(); break;
	case PT_FMT_AMDV1: fn.template operator()<pt_fmt_amdv1>(); break;
	case PT_FMT_AMDV1_MOCK: fn.template operator()<pt_fmt_amdv1_mock>(); break;
	case PT_FMT_NR: break;
	}
}

/* A domain as a vendor driver would embed the table. */
struct pt_kunit_domain {
	struct pt_iommu pt;
	unsigned long nr_syncs;
	unsigned long nr_top_changes;
	phys_addr_t hw_root;
	unsigned int hw_top_level;
	const struct pt_kunit_cfg *kcfg;
};

static inline struct pt_kunit_domain *to_kunit_domain(struct iommu_domain *domain)
{
	return container_of(to_pt_iommu(domain), struct pt_kunit_domain, pt);
}

static inline void pt_kunit_iotlb_sync(struct iommu_domain *domain,
				       struct iommu_iotlb_gather *gather)
{
	to_kunit_domain(domain)->nr_syncs++;
	pt_iommu_put_pages_list(&gather->freelist);
}

static inline void pt_kunit_change_top(struct pt_iommu *iommu, phys_addr_t top,
				       unsigned int level)
{
	struct pt_kunit_domain *d = container_of(iommu, struct pt_kunit_domain, pt);

	d->nr_top_changes++;
	d->hw_root = top;
	d->hw_top_level = level;
}

static const struct iommu_domain_ops pt_kunit_domain_ops = {
	.map_pages = pt_map_pages,
	.unmap_pages = pt_unmap_pages,
	.iotlb_sync = pt_kunit_iotlb_sync,
	.iova_to_phys = pt_iova_to_phys,
};

static const struct pt_iommu_driver_ops pt_kunit_driver_ops = {
	.change_top = pt_kunit_change_top,
};

static inline void pt_kunit_domain_free(void *p)
{
	struct pt_kunit_domain *d = (struct pt_kunit_domain *)p;

	pt_iommu_deinit(&d->pt);
	kfree(d);
}

/* A fresh domain for the case's configuration, freed when the case ends. */
static inline struct pt_kunit_domain *pt_kunit_domain_alloc(struct kunit *test,
							   const struct pt_kunit_cfg *kcfg)
{
	struct pt_kunit_domain *d = (struct pt_kunit_domain *)kzalloc(sizeof(*d), GFP_KERNEL);
	struct pt_iommu_hw_info info;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->kcfg = kcfg;
	d->pt.domain.ops = &pt_kunit_domain_ops;
	d->pt.driver_ops = &pt_kunit_driver_ops;
	if (pt_iommu_init(&d->pt, &kcfg->cfg, GFP_KERNEL)) {
		kfree(d);
		KUNIT_FAIL_AND_ABORT(test, "pt_iommu_init(%s) failed", kcfg->name);
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pt_kunit_domain_free, d), 0);
	pt_iommu_hw_info(&d->pt, &info);
	d->hw_root = info.top_paddr;
	d->hw_top_level = info.top_level;
	return d;
}

/* The walker configuration a model derives from the domain's context entry. */
static inline struct pt_walk_cfg pt_kunit_walk_cfg(struct pt_kunit_domain *d)
{
	struct pt_iommu_hw_info info;

	pt_iommu_hw_info(&d->pt, &info);
	return { .root = d->hw_root,
		 .features = d->pt.common.features,
		 .fmt = d->pt.common.fmt,
		 .top_level = (u8)d->hw_top_level,
		 .vasz_lg2 = (u8)info.vasz_lg2,
		 .oasz_lg2 = d->pt.common.max_oasz_lg2,
		 .hw = d->kcfg->walk_hw };
}

static inline int pt_kunit_map(struct pt_kunit_domain *d, u64 iova, u64 pa, u64 len, int prot)
{
	size_t mapped = 0;
	int ret = pt_map_pages(&d->pt.domain, iova, pa, len, 1, prot, GFP_KERNEL, &mapped);

	if (!ret && mapped != len)
		return -EIO;
	return ret;
}

static inline size_t pt_kunit_unmap(struct pt_kunit_domain *d, u64 iova, u64 len)
{
	struct iommu_iotlb_gather gather;
	size_t ret;

	iommu_iotlb_gather_init(&gather);
	ret = pt_unmap_pages(&d->pt.domain, iova, len, 1, &gather);
	iommu_iotlb_sync(&d->pt.domain, &gather);
	return ret;
}

/* The smallest page of the domain. */
static inline u64 pt_kunit_granule(struct pt_kunit_domain *d)
{
	return d->pt.domain.pgsize_bitmap & -d->pt.domain.pgsize_bitmap;
}

/* An output address range the configured OA width can hold. */
static inline u64 pt_kunit_oa_base(struct pt_kunit_domain *d)
{
	return 1ULL << (d->pt.common.max_oasz_lg2 - 2);
}
