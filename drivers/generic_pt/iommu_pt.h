/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic page tables for IOMMU drivers (include/linux/generic_pt/iommu.h).
 *
 * A vendor driver embeds a struct pt_iommu in its domain, fills a struct
 * pt_iommu_cfg from its capabilities and calls pt_iommu_init(). The
 * domain's iommu_domain_ops may then point straight at pt_map_pages,
 * pt_unmap_pages and pt_iova_to_phys, and its iommu_dirty_ops at
 * pt_read_and_clear_dirty: their signatures are the ops' own.
 *
 * Tables are pages from iommu_alloc_pages_sz(), so the hardware model
 * finds them in fake physical memory at pt_iommu_hw_info().top_paddr.
 *
 * Freeing: a table that an unmap (or a map replacing an empty table with
 * a large page) takes out of the tree is not freed at once. Its page goes
 * on the gather's freelist (linked through struct page::lru) and the
 * driver's iotlb_sync() must, after its IOTLB/walk-cache flush, hand that
 * list to pt_iommu_put_pages_list(). So the hardware can never walk a
 * freed table through a stale walk-cache entry.
 *
 * Concurrency follows the kernel: callers never map/unmap overlapping
 * ranges at once; disjoint ranges may run in parallel (tables are
 * installed with a compare-and-exchange, the top grows under a mutex),
 * and iova_to_phys() may run at any time.
 */
#pragma once

#include "drivers/generic_pt/pt_defs.h"

#include "core/iommu.h"

struct pt_iommu;
struct pt_iommu_fmt_ops;

struct pt_iommu_driver_ops {
	/*
	 * PT_FEAT_DYNAMIC_TOP: the table grew a level. Program the hardware
	 * (DTE root and mode) to the new top before returning: the map that
	 * grew it fills it right after.
	 */
	void (*change_top)(struct pt_iommu *iommu, phys_addr_t top_paddr,
			   unsigned int top_level);
};

struct pt_iommu_cfg {
	enum pt_fmt_id fmt;
	u64 features;		/* BIT_ULL(PT_FEAT_*) */
	u8 hw_max_vasz_lg2;	/* 0: the format's maximum */
	u8 hw_max_oasz_lg2;	/* 0: the format's maximum */
	/*
	 * The first top level; 0 derives it from hw_max_vasz_lg2. With
	 * PT_FEAT_DYNAMIC_TOP the table starts there and grows.
	 */
	u8 starting_level;
};

struct pt_iommu {
	struct iommu_domain domain;
	const struct pt_iommu_driver_ops *driver_ops;
	/* private: */
	const struct pt_iommu_fmt_ops *fmt_ops;
	struct pt_common common;
	/* Top table address | top level, read as one word. */
	uintptr_t top_of_table;
	struct mutex top_lock;
};

/* What the hardware's context entry needs: the root and how deep it is. */
struct pt_iommu_hw_info {
	phys_addr_t top_paddr;
	unsigned int top_level;
	unsigned int vasz_lg2;	/* VA span of the current top */
};

/*
 * -EINVAL for a configuration the format cannot express, -EOPNOTSUPP for
 * a feature it lacks, -ENOMEM. Sets domain.pgsize_bitmap and the geometry.
 */
int pt_iommu_init(struct pt_iommu *iommu, const struct pt_iommu_cfg *cfg, gfp_t gfp);
/* Frees every table; the caller has flushed the hardware already. */
void pt_iommu_deinit(struct pt_iommu *iommu);
void pt_iommu_hw_info(struct pt_iommu *iommu, struct pt_iommu_hw_info *info);

/* The domain ops (struct iommu_domain_ops / iommu_dirty_ops). */
int pt_map_pages(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
		 size_t pgsize, size_t pgcount, int prot, gfp_t gfp, size_t *mapped);
size_t pt_unmap_pages(struct iommu_domain *domain, unsigned long iova, size_t pgsize,
		      size_t pgcount, struct iommu_iotlb_gather *iotlb_gather);
phys_addr_t pt_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova);
int pt_read_and_clear_dirty(struct iommu_domain *domain, unsigned long iova, size_t size,
			    unsigned long flags, struct iommu_dirty_bitmap *dirty);

/*
 * What a device write does to the dirty state: the leaf mapping @iova
 * becomes write-dirty, so read_and_clear_dirty() reports it. For tests
 * that play the hardware (IOMMU_TEST_OP_DIRTY, as upstream's set_dirty
 * op); safe against concurrent map/unmap of other ranges. -ENOENT if
 * nothing maps @iova, -EOPNOTSUPP if the table tracks no dirtiness.
 */
int pt_iommu_set_dirty(struct pt_iommu *iommu, dma_addr_t iova);

/* Frees the table pages on a gather's freelist (after the flush). */
void pt_iommu_put_pages_list(struct list_head *freelist);

static inline struct pt_iommu *to_pt_iommu(struct iommu_domain *domain)
{
	return container_of(domain, struct pt_iommu, domain);
}

/* ---- for tests and debugging ---- */

/* Number of table pages the tree holds now. */
unsigned long pt_iommu_count_tables(struct pt_iommu *iommu);
/* Number of valid leaf entries (a contiguous run counts each entry). */
unsigned long pt_iommu_count_leaves(struct pt_iommu *iommu);
