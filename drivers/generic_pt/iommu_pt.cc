// SPDX-License-Identifier: GPL-2.0
/*
 * Generic page tables, the driver side (drivers/iommu/generic_pt/iommu_pt.h
 * in the kernel): one radix algorithm for map, unmap, iova_to_phys and
 * dirty tracking, instantiated once per format description in fmt/ headers.
 *
 * The algorithm works on kernel pointers to the tables (the CPU side of
 * the fake physical memory); every entry is read with READ_ONCE() and
 * written with WRITE_ONCE() so a model walking concurrently sees whole
 * entries, and a new table is published with a compare-and-exchange so
 * two maps of disjoint ranges racing for the same empty slot both work.
 *
 * Map picks, at each level from the top down, the largest page size that
 * the level offers (including contiguous runs), the domain allows, and
 * the VA, OA and remaining length are aligned to; otherwise it descends,
 * allocating a table. An empty table where a large page now fits is
 * replaced and freed through the gather after a flush (upstream's
 * "map table to OA"); a leaf in the way is -EADDRINUSE.
 *
 * Unmap clears leaves, and tables the range covers entirely. A range
 * starting inside a large leaf is refused (0 bytes, as upstream returns
 * -EINVAL there) unless PT_FEAT_SPLIT_ON_UNMAP asks for io-pgtable-arm's
 * old split; a range ending inside one removes the whole leaf and reports
 * its size. Freed tables go on the gather's freelist for the driver to
 * free after its flush.
 *
 * The driver WARNs where the kernel's would: a table pointer that is not
 * table memory, an AMD table entry whose next level is not ours, a leaf
 * at a level that cannot hold one. It then stops rather than follow it.
 */
#include "drivers/generic_pt/iommu_pt.h"

#include "drivers/generic_pt/fmt/amdv1.h"
#include "drivers/generic_pt/fmt/armv8.h"
#include "drivers/generic_pt/fmt/vtdss.h"
#include "drivers/generic_pt/fmt/x86_64.h"

struct pt_iommu_fmt_ops {
	int (*init)(struct pt_iommu *iommu, const struct pt_iommu_cfg *cfg, gfp_t gfp);
	void (*deinit)(struct pt_iommu *iommu);
	int (*map)(struct pt_iommu *iommu, pt_vaddr_t iova, pt_oaddr_t paddr, u64 len, int prot,
		   gfp_t gfp, size_t *mapped);
	size_t (*unmap)(struct pt_iommu *iommu, pt_vaddr_t iova, u64 len,
			struct iommu_iotlb_gather *gather);
	phys_addr_t (*iova_to_phys)(struct pt_iommu *iommu, pt_vaddr_t iova);
	int (*read_and_clear_dirty)(struct pt_iommu *iommu, pt_vaddr_t iova, u64 len,
				    unsigned long flags, struct iommu_dirty_bitmap *dirty);
	int (*set_dirty)(struct pt_iommu *iommu, pt_vaddr_t iova);
	unsigned long (*count)(struct pt_iommu *iommu, bool leaves);
	unsigned int (*span_lg2)(const struct pt_common *common, unsigned int top_level);
};

const char *pt_fmt_name(enum pt_fmt_id fmt)
{
	static const char *const names[PT_FMT_NR] = {
		[PT_FMT_ARMV8_4K] = "armv8_4k", [PT_FMT_ARMV8_16K] = "armv8_16k",
		[PT_FMT_ARMV8_64K] = "armv8_64k", [PT_FMT_X86_64] = "x86_64",
		[PT_FMT_VTDSS] = "vtdss",	  [PT_FMT_AMDV1] = "amdv1",
		[PT_FMT_AMDV1_MOCK] = "amdv1_mock",
	};

	return (unsigned int)fmt < PT_FMT_NR ? names[fmt] : "?";
}

/* The freelist links table pages through struct page::lru. */
static void pt_free_list_add(struct list_head *freelist, u64 *table)
{
	list_add_tail(&virt_to_page(table)->lru, freelist);
}

void pt_iommu_put_pages_list(struct list_head *freelist)
{
	while (!list_empty(freelist)) {
		struct page *page = list_first_entry(freelist, struct page, lru);

		list_del_init(&page->lru);
		iommu_free_pages(page_address(page));
	}
}

/* The driver's own flush, then the pages; a gather-less caller flushes all. */
static void pt_gather_sync(struct pt_iommu *iommu, struct iommu_iotlb_gather *gather)
{
	const struct iommu_domain_ops *ops = iommu->domain.ops;

	if (ops && ops->iotlb_sync)
		ops->iotlb_sync(&iommu->domain, gather);
	else if (ops && ops->flush_iotlb_all)
		ops->flush_iotlb_all(&iommu->domain);
	pt_iommu_put_pages_list(&gather->freelist);
	iommu_iotlb_gather_init(gather);
}

template <class FMT> struct pt_iommu_tmpl {
	struct top {
		u64 *table;
		unsigned int level;
	};

	static struct top load_top(struct pt_iommu *iommu)
	{
		uintptr_t v = __atomic_load_n(&iommu->top_of_table, __ATOMIC_ACQUIRE);

		return { (u64 *)(v & ~(uintptr_t)0xfff), (unsigned int)(v & 0xfff) };
	}

	static void store_top(struct pt_iommu *iommu, u64 *table, unsigned int level)
	{
		__atomic_store_n(&iommu->top_of_table, (uintptr_t)table | level, __ATOMIC_RELEASE);
	}

	/* The VA width the table covers with @top_level as its top. */
	static unsigned int span_lg2(const struct pt_common *common, unsigned int top_level)
	{
		return min((unsigned int)common->max_vasz_lg2,
			   FMT::item_lg2sz(top_level) + FMT::num_items_lg2(top_level));
	}

	/* [va, last] fits a table of @span bits (or its sign-extended mirror). */
	static bool va_fits(const struct pt_common *common, unsigned int span, pt_vaddr_t va,
			    pt_vaddr_t last)
	{
		if (span >= 64)
			return true;
		if (pt_feature(common, PT_FEAT_SIGN_EXTEND)) {
			u64 half = log2_to_int(span - 1);

			if (last < half)
				return true;
			return va >= -half && va <= last;
		}
		return !log2_div(last, span);
	}

	static unsigned int index_of(pt_vaddr_t va, unsigned int level)
	{
		return log2_mod(log2_div(va, FMT::item_lg2sz(level)), FMT::num_items_lg2(level));
	}

	/*
	 * The next table's kernel address, or NULL (WARNed) for a corrupt
	 * entry. pfn_to_page() is lock-free, which keeps descents cheap.
	 */
	static u64 *table_below(const struct pt_common *common, u64 entry, unsigned int level)
	{
		phys_addr_t pa = FMT::table_pa(entry);
		struct page *page;

		if constexpr (FMT::id == PT_FMT_AMDV1 || FMT::id == PT_FMT_AMDV1_MOCK) {
			if (WARN_ON(FIELD_GET(FMT::NEXT_LEVEL, entry) != level))
				return NULL;
		}
		page = phys_to_page(pa);
		if (WARN_ON(!page || page->kind != PAGE_KIND_KERNEL))
			return NULL;
		return (u64 *)((char *)page->virt + (pa & ~PAGE_MASK));
	}

	static u64 *table_alloc(unsigned int level, gfp_t gfp)
	{
		return (u64 *)iommu_alloc_pages_sz(gfp, log2_to_int(FMT::table_mem_lg2(level)));
	}

	/* Every table of the subtree at @table; -EADDRINUSE if it maps anything. */
	static int collect_tables(const struct pt_common *common, u64 *table, unsigned int level,
				  struct list_head *freelist)
	{
		unsigned int n = 1u << FMT::num_items_lg2(level);

		for (unsigned int i = 0; i != n; i++) {
			u64 entry = READ_ONCE(table[i]);

			switch (FMT::entry_type(entry, level)) {
			case PT_ENTRY_EMPTY:
				break;
			case PT_ENTRY_OA:
				return -EADDRINUSE;
			case PT_ENTRY_TABLE: {
				u64 *lower = table_below(common, entry, level);
				int ret;

				if (!lower)
					return -EINVAL;
				ret = collect_tables(common, lower, level - 1, freelist);
				if (ret)
					return ret;
			}
			}
		}
		pt_free_list_add(freelist, table);
		return 0;
	}

	/*
	 * One item of a table as for_each_item() hands it out: [va, last] is
	 * the part of the range inside it; a leaf comes once per contiguous
	 * run, with the run's first index and VA.
	 */
	struct pt_item {
		u64 *table;
		u64 entry;
		unsigned int level;
		unsigned int idx;
		pt_vaddr_t va;
		pt_vaddr_t last;
		bool covered;		/* the range covers the whole item (or run) */
		unsigned int first;	/* leaves: */
		unsigned int contig;
		unsigned int leaf_lg2;
		pt_vaddr_t leaf_va;
	};

	/* An on_leaf() result: the entry changed (a split), look at it again. */
	static constexpr int PT_ITEM_AGAIN = 1;

	/*
	 * Visits the items of @table that [va, last] touches: empty ones are
	 * skipped, tables go to @on_table (which usually descends), leaves to
	 * @on_leaf. A negative return stops the walk with that error.
	 */
	template <class T, class L>
	static int for_each_item(u64 *table, unsigned int level, pt_vaddr_t va, pt_vaddr_t last,
				 T &&on_table, L &&on_leaf)
	{
		unsigned int isz = FMT::item_lg2sz(level);
		struct pt_item it = { .table = table, .level = level, .idx = index_of(va, level) };

		while (true) {
			pt_vaddr_t item_last = va | (log2_to_int(isz) - 1);
			int ret = 0;

			it.entry = READ_ONCE(table[it.idx]);
			it.va = va;
			it.last = min(last, item_last);
			switch (FMT::entry_type(it.entry, level)) {
			case PT_ENTRY_EMPTY:
				it.idx++;
				break;
			case PT_ENTRY_TABLE:
				it.covered = !log2_mod(va, isz) && item_last <= last;
				ret = on_table(&it);
				it.idx++;
				break;
			case PT_ENTRY_OA:
				it.contig = FMT::entry_num_contig_lg2(it.entry, level);
				it.leaf_lg2 = isz + it.contig;
				it.leaf_va = log2_set_mod(va, 0, it.leaf_lg2);
				it.first = it.idx & ~((1u << it.contig) - 1);
				it.last = it.leaf_va + (log2_to_int(it.leaf_lg2) - 1);
				it.covered = it.leaf_va == va && it.last <= last;
				ret = on_leaf(&it);
				if (ret == PT_ITEM_AGAIN)
					continue;
				it.idx = it.first + (1u << it.contig);
				break;
			}
			if (ret < 0)
				return ret;
			if (it.last >= last)
				return 0;
			va = it.last + 1;
		}
	}

	/* ---- map ---- */

	struct map_state {
		struct pt_iommu *iommu;
		const struct pt_common *common;
		u64 attrs;
		u64 pgsize_bitmap;
		pt_oaddr_t oa;
		gfp_t gfp;
		struct iommu_iotlb_gather gather;	/* tables replaced by leaves */
	};

	/* Install a leaf of 2^size_lg2 at table[idx], replacing empty tables. */
	static int map_leaf(struct map_state *m, u64 *table, unsigned int level, unsigned int idx,
			    unsigned int size_lg2, pt_vaddr_t va)
	{
		unsigned int isz = FMT::item_lg2sz(level);
		unsigned int contig = size_lg2 - isz;
		unsigned int n = 1u << contig;
		LIST_HEAD(replaced);

		for (unsigned int i = 0; i != n; i++) {
			u64 entry = READ_ONCE(table[idx + i]);
			enum pt_entry_type type = FMT::entry_type(entry, level);
			u64 *lower;
			int ret;

			if (type == PT_ENTRY_OA)
				goto busy;
			if (type != PT_ENTRY_TABLE)
				continue;
			lower = table_below(m->common, entry, level);
			if (!lower)
				goto busy;
			ret = collect_tables(m->common, lower, level - 1, &replaced);
			if (ret)
				goto busy;
		}
		for (unsigned int i = 0; i != n; i++)
			WRITE_ONCE(table[idx + i],
				   FMT::make_leaf(m->common, m->oa + ((u64)i << isz), level, contig,
						  m->attrs));
		if (!list_empty(&replaced)) {
			list_splice_tail_init(&replaced, &m->gather.freelist);
			iommu_iotlb_gather_add_range(&m->gather, va, log2_to_int(size_lg2));
		}
		return 0;
busy:
		/* Nothing was unhooked: the collected pages are still in the tree. */
		while (!list_empty(&replaced))
			list_del_init(replaced.next);
		return -EADDRINUSE;
	}

	static int map_level(struct map_state *m, u64 *table, unsigned int level, pt_vaddr_t va,
			     pt_vaddr_t last)
	{
		unsigned int isz = FMT::item_lg2sz(level);
		u64 sizes = FMT::possible_sizes(m->common, level) & m->pgsize_bitmap;
		unsigned int idx = index_of(va, level);

		while (true) {
			pt_vaddr_t item_last = va | (log2_to_int(isz) - 1);
			unsigned int best = pt_compute_best_pgsize(sizes, va, last, m->oa);
			pt_vaddr_t done_last;
			int ret;

			if (best >= isz) {
				ret = map_leaf(m, table, level, idx, best, va);
				if (ret)
					return ret;
				done_last = va + (log2_to_int(best) - 1);
				m->oa += log2_to_int(best);
				idx += 1u << (best - isz);
			} else {
				u64 entry = READ_ONCE(table[idx]);
				u64 *lower;

				if (WARN_ON(level == 0))
					return -EINVAL;
				switch (FMT::entry_type(entry, level)) {
				case PT_ENTRY_OA:
					return -EADDRINUSE;
				case PT_ENTRY_EMPTY: {
					u64 *fresh = table_alloc(level - 1, m->gfp);
					u64 want;

					if (!fresh)
						return -ENOMEM;
					want = FMT::make_table(m->common, virt_to_phys(fresh), level);
					if (!__atomic_compare_exchange_n(&table[idx], &entry, want, false,
									 __ATOMIC_RELEASE,
									 __ATOMIC_ACQUIRE)) {
						/* Another map installed one first: use theirs. */
						iommu_free_pages(fresh);
						continue;
					}
					lower = fresh;
					break;
				}
				case PT_ENTRY_TABLE:
					lower = table_below(m->common, entry, level);
					if (!lower)
						return -EINVAL;
					break;
				}
				done_last = min(last, item_last);
				ret = map_level(m, lower, level - 1, va, done_last);
				if (ret)
					return ret;
				idx++;
			}
			if (done_last >= last)
				return 0;
			va = done_last + 1;
		}
	}

	/* Grow the top until it spans @last (PT_FEAT_DYNAMIC_TOP). */
	static int increase_top(struct pt_iommu *iommu, pt_vaddr_t va, pt_vaddr_t last, gfp_t gfp)
	{
		const struct pt_common *common = &iommu->common;
		int ret = 0;

		guard(mutex)(&iommu->top_lock);
		while (true) {
			struct top top = load_top(iommu);
			u64 *fresh;

			if (va_fits(common, span_lg2(common, top.level), va, last))
				break;
			if (top.level == FMT::max_top_level) {
				ret = -ERANGE;
				break;
			}
			fresh = table_alloc(top.level + 1, gfp);
			if (!fresh) {
				ret = -ENOMEM;
				break;
			}
			/* The old tree becomes the first item of the new top. */
			fresh[0] = FMT::make_table(common, virt_to_phys(top.table), top.level + 1);
			store_top(iommu, fresh, top.level + 1);
			if (iommu->driver_ops && iommu->driver_ops->change_top)
				iommu->driver_ops->change_top(iommu, virt_to_phys(fresh),
							      top.level + 1);
		}
		return ret;
	}

	static int map(struct pt_iommu *iommu, pt_vaddr_t iova, pt_oaddr_t paddr, u64 len,
		       int prot, gfp_t gfp, size_t *mapped)
	{
		const struct pt_common *common = &iommu->common;
		u64 granule = log2_to_int(FMT::granule_lg2);
		pt_vaddr_t last = iova + len - 1;
		struct map_state m = {};
		struct top top;
		int ret;

		if (!len || ((iova | paddr | len) & (granule - 1)) || last < iova)
			return -EINVAL;
		if (common->max_oasz_lg2 < 64 && log2_div(paddr + len - 1, common->max_oasz_lg2))
			return -ERANGE;
		m.iommu = iommu;
		m.common = common;
		m.pgsize_bitmap = iommu->domain.pgsize_bitmap;
		m.oa = paddr;
		m.gfp = gfp;
		iommu_iotlb_gather_init(&m.gather);
		ret = FMT::set_prot(common, prot, &m.attrs);
		if (ret)
			return ret;

		top = load_top(iommu);
		if (!va_fits(common, span_lg2(common, top.level), iova, last)) {
			if (!pt_feature(common, PT_FEAT_DYNAMIC_TOP) ||
			    !va_fits(common, common->max_vasz_lg2, iova, last))
				return -ERANGE;
			ret = increase_top(iommu, iova, last, gfp);
			if (ret)
				return ret;
			top = load_top(iommu);
		}
		ret = map_level(&m, top.table, top.level, iova, last);
		/* Tables replaced by large pages: flush the walk caches, then free. */
		if (!list_empty(&m.gather.freelist))
			pt_gather_sync(iommu, &m.gather);
		*mapped += m.oa - paddr;
		return ret;
	}

	/* ---- unmap ---- */

	struct unmap_state {
		const struct pt_common *common;
		struct iommu_iotlb_gather *gather;
		u64 unmapped;
	};

	/*
	 * Make the leaf at table[idx] smaller with the same translation: a
	 * contiguous run becomes single entries, a single entry becomes a
	 * table of the next level down.
	 */
	static int split_leaf(struct unmap_state *u, u64 *table, unsigned int level,
			      unsigned int idx, u64 entry)
	{
		unsigned int isz = FMT::item_lg2sz(level);
		unsigned int contig = FMT::entry_num_contig_lg2(entry, level);
		u64 attrs = FMT::attr_from_entry(entry);
		pt_oaddr_t oa = log2_set_mod(FMT::leaf_oa(entry, level), 0, isz + contig);
		unsigned int lisz, n;
		u64 *lower;

		if (contig) {
			unsigned int first = idx & ~((1u << contig) - 1);

			for (unsigned int i = 0; i != 1u << contig; i++)
				WRITE_ONCE(table[first + i],
					   FMT::make_leaf(u->common, oa + ((u64)i << isz), level, 0,
							  attrs));
			return 0;
		}
		if (level == 0 || !FMT::can_have_leaf(level - 1))
			return -EINVAL;
		lower = table_alloc(level - 1, GFP_ATOMIC);
		if (!lower)
			return -ENOMEM;
		lisz = FMT::item_lg2sz(level - 1);
		n = 1u << FMT::num_items_lg2(level - 1);
		for (unsigned int i = 0; i != n; i++)
			lower[i] = FMT::make_leaf(u->common, oa + ((u64)i << lisz), level - 1, 0, attrs);
		WRITE_ONCE(table[idx], FMT::make_table(u->common, virt_to_phys(lower), level));
		return 0;
	}

	/* Trims [va, last] to what the current top spans; false if va is beyond. */
	static bool clamp_to_top(const struct pt_common *common, unsigned int top_level,
				 pt_vaddr_t va, pt_vaddr_t *last)
	{
		unsigned int span = span_lg2(common, top_level);

		if (!va_fits(common, span, va, va))
			return false;
		if (va_fits(common, span, va, *last))
			return true;
		if (pt_feature(common, PT_FEAT_SIGN_EXTEND) && span < 64 &&
		    va < log2_to_int(span - 1))
			*last = log2_to_int(span - 1) - 1;
		else if (!pt_feature(common, PT_FEAT_SIGN_EXTEND) && span < 64)
			*last = log2_to_int(span) - 1;
		return true;
	}

	static int unmap_level(struct unmap_state *u, u64 *table, unsigned int level,
			       pt_vaddr_t va, pt_vaddr_t last)
	{
		auto on_table = [u](struct pt_item *it) {
			u64 *lower = table_below(u->common, it->entry, it->level);
			int ret;

			if (!lower)
				return -EINVAL;
			ret = unmap_level(u, lower, it->level - 1, it->va, it->last);
			/* A table the range covers entirely goes too. */
			if (!ret && it->covered) {
				WRITE_ONCE(it->table[it->idx], 0);
				pt_free_list_add(&u->gather->freelist, lower);
			}
			return ret;
		};
		auto on_leaf = [u](struct pt_item *it) {
			unsigned int n = 1u << it->contig;
			int ret;

			if (WARN_ON(!FMT::can_have_leaf(it->level)))
				return -EINVAL;
			if (!it->covered) {
				if (pt_feature(u->common, PT_FEAT_SPLIT_ON_UNMAP)) {
					ret = split_leaf(u, it->table, it->level, it->idx, it->entry);
					if (ret)
						return ret;
					/* The old translation may still be cached. */
					iommu_iotlb_gather_add_range(u->gather, it->leaf_va,
								     log2_to_int(it->leaf_lg2));
					return PT_ITEM_AGAIN;
				}
				/* Inside a large leaf: refused, as upstream. */
				if (it->leaf_va != it->va)
					return -EINVAL;
			}
			for (unsigned int i = 0; i != n; i++)
				WRITE_ONCE(it->table[it->first + i], 0);
			iommu_iotlb_gather_add_range(u->gather, it->leaf_va, log2_to_int(it->leaf_lg2));
			u->unmapped += log2_to_int(it->leaf_lg2);
			return 0;
		};

		return for_each_item(table, level, va, last, on_table, on_leaf);
	}

	static size_t unmap(struct pt_iommu *iommu, pt_vaddr_t iova, u64 len,
			    struct iommu_iotlb_gather *gather)
	{
		const struct pt_common *common = &iommu->common;
		struct iommu_iotlb_gather local;
		pt_vaddr_t last = iova + len - 1;
		struct unmap_state u = { .common = common, .gather = gather };
		struct top top = load_top(iommu);

		if (!len || last < iova || !clamp_to_top(common, top.level, iova, &last))
			return 0;
		if (!gather) {
			iommu_iotlb_gather_init(&local);
			u.gather = &local;
		}
		unmap_level(&u, top.table, top.level, iova, last);
		if (!gather)
			pt_gather_sync(iommu, &local);
		return u.unmapped;
	}

	/* ---- lookups ---- */

	static phys_addr_t iova_to_phys(struct pt_iommu *iommu, pt_vaddr_t iova)
	{
		const struct pt_common *common = &iommu->common;
		struct top top = load_top(iommu);
		u64 *table = top.table;

		if (!va_fits(common, span_lg2(common, top.level), iova, iova))
			return 0;
		for (unsigned int level = top.level;; level--) {
			u64 entry = READ_ONCE(table[index_of(iova, level)]);
			unsigned int size_lg2;

			switch (FMT::entry_type(entry, level)) {
			case PT_ENTRY_EMPTY:
				return 0;
			case PT_ENTRY_TABLE:
				table = table_below(common, entry, level);
				if (!table)
					return 0;
				continue;
			case PT_ENTRY_OA:
				size_lg2 = FMT::item_lg2sz(level) + FMT::entry_num_contig_lg2(entry, level);
				return log2_set_mod(FMT::leaf_oa(entry, level), 0, size_lg2) +
				       log2_mod(iova, size_lg2);
			}
		}
	}

	struct dirty_state {
		const struct pt_common *common;
		unsigned long flags;
		struct iommu_dirty_bitmap *dirty;
	};

	static int dirty_level(struct dirty_state *d, u64 *table, unsigned int level,
			       pt_vaddr_t va, pt_vaddr_t last)
	{
		auto on_table = [d](struct pt_item *it) {
			u64 *lower = table_below(d->common, it->entry, it->level);

			if (!lower)
				return -EINVAL;
			return dirty_level(d, lower, it->level - 1, it->va, it->last);
		};
		auto on_leaf = [d](struct pt_item *it) {
			u64 *run = it->table + it->first;
			unsigned int n = 1u << it->contig;
			bool dirty = false;

			/* The hardware marks whichever entry of a run it used. */
			for (unsigned int i = 0; i != n; i++)
				dirty |= FMT::is_write_dirty(d->common, READ_ONCE(run[i]));
			if (!dirty)
				return 0;
			iommu_dirty_bitmap_record(d->dirty, it->leaf_va, log2_to_int(it->leaf_lg2));
			if (!(d->flags & IOMMU_DIRTY_NO_CLEAR))
				for (unsigned int i = 0; i != n; i++)
					WRITE_ONCE(run[i], FMT::make_write_clean(d->common, READ_ONCE(run[i])));
			return 0;
		};

		return for_each_item(table, level, va, last, on_table, on_leaf);
	}

	static int read_and_clear_dirty(struct pt_iommu *iommu, pt_vaddr_t iova, u64 len,
					unsigned long flags, struct iommu_dirty_bitmap *dirty)
	{
		const struct pt_common *common = &iommu->common;
		struct dirty_state d = { .common = common, .flags = flags, .dirty = dirty };
		struct top top = load_top(iommu);
		pt_vaddr_t last = iova + len - 1;

		if (!FMT::dirty_supported(common))
			return -EOPNOTSUPP;
		if (!len || last < iova || !clamp_to_top(common, top.level, iova, &last))
			return -EINVAL;
		return dirty_level(&d, top.table, top.level, iova, last);
	}

	/*
	 * The leaf mapping @iova becomes write-dirty, whatever its
	 * permissions: the entry of a run @iova falls in, as the hardware
	 * marks the entry it used. A compare-and-exchange, so a concurrent
	 * clean or hardware update is not lost; a leaf changed meanwhile is
	 * looked at again.
	 */
	static int set_dirty(struct pt_iommu *iommu, pt_vaddr_t iova)
	{
		const struct pt_common *common = &iommu->common;
		struct top top = load_top(iommu);
		u64 *table = top.table;

		if (!FMT::dirty_supported(common))
			return -EOPNOTSUPP;
		if (!va_fits(common, span_lg2(common, top.level), iova, iova))
			return -ENOENT;
		for (unsigned int level = top.level;; level--) {
			u64 *slot = &table[index_of(iova, level)];
			u64 entry = READ_ONCE(*slot);

			switch (FMT::entry_type(entry, level)) {
			case PT_ENTRY_EMPTY:
				return -ENOENT;
			case PT_ENTRY_TABLE:
				table = table_below(common, entry, level);
				if (!table)
					return -EINVAL;
				continue;
			case PT_ENTRY_OA:
				while (!FMT::is_write_dirty(common, entry)) {
					u64 want = FMT::make_write_dirty(common, entry);

					if (want == entry)
						return -EOPNOTSUPP;
					if (__atomic_compare_exchange_n(slot, &entry, want, false,
									 __ATOMIC_RELAXED,
									 __ATOMIC_RELAXED))
						break;
					if (FMT::entry_type(entry, level) != PT_ENTRY_OA)
						return -EAGAIN;
				}
				return 0;
			}
		}
	}

	/* ---- life cycle ---- */

	static unsigned long count_level(const struct pt_common *common, u64 *table,
					 unsigned int level, bool leaves)
	{
		unsigned long n = leaves ? 0 : 1;

		for (unsigned int i = 0; i != 1u << FMT::num_items_lg2(level); i++) {
			u64 entry = READ_ONCE(table[i]);
			u64 *lower;

			switch (FMT::entry_type(entry, level)) {
			case PT_ENTRY_EMPTY:
				break;
			case PT_ENTRY_OA:
				n += leaves;
				break;
			case PT_ENTRY_TABLE:
				lower = table_below(common, entry, level);
				if (lower)
					n += count_level(common, lower, level - 1, leaves);
				break;
			}
		}
		return n;
	}

	static unsigned long count(struct pt_iommu *iommu, bool leaves)
	{
		struct top top = load_top(iommu);

		return count_level(&iommu->common, top.table, top.level, leaves);
	}

	static void free_level(const struct pt_common *common, u64 *table, unsigned int level)
	{
		for (unsigned int i = 0; i != 1u << FMT::num_items_lg2(level); i++) {
			u64 entry = table[i];

			if (FMT::entry_type(entry, level) == PT_ENTRY_TABLE) {
				u64 *lower = table_below(common, entry, level);

				if (lower)
					free_level(common, lower, level - 1);
			}
		}
		iommu_free_pages(table);
	}

	static void deinit(struct pt_iommu *iommu)
	{
		struct top top = load_top(iommu);

		if (top.table)
			free_level(&iommu->common, top.table, top.level);
		iommu->top_of_table = 0;
		mutex_destroy(&iommu->top_lock);
	}

	static unsigned int level_for_vasz(unsigned int vasz)
	{
		unsigned int level = 0;

		while (level < FMT::max_top_level &&
		       FMT::item_lg2sz(level) + FMT::num_items_lg2(level) < vasz)
			level++;
		return level;
	}

	static int init(struct pt_iommu *iommu, const struct pt_iommu_cfg *cfg, gfp_t gfp)
	{
		struct pt_common *common = &iommu->common;
		unsigned int vasz = cfg->hw_max_vasz_lg2 ?: FMT::max_va_lg2;
		unsigned int oasz = cfg->hw_max_oasz_lg2 ?: FMT::max_oa_lg2;
		unsigned int top_level;
		u64 pgsizes = 0;
		u64 *top;

		if (vasz > FMT::max_va_lg2 || vasz <= FMT::granule_lg2)
			return -EINVAL;
		oasz = min(oasz, FMT::max_oa_lg2);
		if ((cfg->features & BIT_ULL(PT_FEAT_SPLIT_ON_UNMAP)) && !FMT::can_split)
			return -EOPNOTSUPP;
		if ((cfg->features & BIT_ULL(PT_FEAT_DYNAMIC_TOP)) && FMT::id != PT_FMT_AMDV1 &&
		    FMT::id != PT_FMT_AMDV1_MOCK)
			return -EOPNOTSUPP;
		if ((cfg->features & BIT_ULL(PT_FEAT_SIGN_EXTEND)) && FMT::id != PT_FMT_X86_64)
			return -EOPNOTSUPP;

		top_level = cfg->starting_level ?: level_for_vasz(vasz);
		if (top_level > FMT::max_top_level)
			return -EINVAL;
		common->fmt = FMT::id;
		common->features = cfg->features;
		common->max_oasz_lg2 = oasz;
		common->max_vasz_lg2 = vasz;
		/* A fixed top smaller than the width limits the width. */
		if (!pt_feature(common, PT_FEAT_DYNAMIC_TOP))
			common->max_vasz_lg2 = vasz = span_lg2(common, top_level);
		if (pt_feature(common, PT_FEAT_SIGN_EXTEND) &&
		    vasz != FMT::item_lg2sz(top_level) + FMT::num_items_lg2(top_level))
			return -EINVAL;

		top = table_alloc(top_level, gfp);
		if (!top)
			return -ENOMEM;
		mutex_init(&iommu->top_lock);
		store_top(iommu, top, top_level);

		for (unsigned int level = 0; level <= FMT::max_top_level; level++)
			pgsizes |= FMT::possible_sizes(common, level);
		pgsizes &= pt_bits(min(vasz, oasz) - 1, 0);
		iommu->domain.pgsize_bitmap = pgsizes;
		iommu->domain.geometry.aperture_start = 0;
		iommu->domain.geometry.aperture_end =
			pt_feature(common, PT_FEAT_SIGN_EXTEND) ? log2_to_int(vasz - 1) - 1 :
			vasz >= 64				 ? ~0ULL :
								   log2_to_int(vasz) - 1;
		iommu->domain.geometry.force_aperture = true;
		return 0;
	}

	static constexpr struct pt_iommu_fmt_ops ops = {
		.init = init,
		.deinit = deinit,
		.map = map,
		.unmap = unmap,
		.iova_to_phys = iova_to_phys,
		.read_and_clear_dirty = read_and_clear_dirty,
		.set_dirty = set_dirty,
		.count = count,
		.span_lg2 = span_lg2,
	};
};

static const struct pt_iommu_fmt_ops *const pt_fmt_ops[PT_FMT_NR] = {
	[PT_FMT_ARMV8_4K] = &pt_iommu_tmpl<pt_fmt_armv8_4k>::ops,
	[PT_FMT_ARMV8_16K] = &pt_iommu_tmpl<pt_fmt_armv8_16k>::ops,
	[PT_FMT_ARMV8_64K] = &pt_iommu_tmpl<pt_fmt_armv8_64k>::ops,
	[PT_FMT_X86_64] = &pt_iommu_tmpl<pt_fmt_x86_64>::ops,
	[PT_FMT_VTDSS] = &pt_iommu_tmpl<pt_fmt_vtdss>::ops,
	[PT_FMT_AMDV1] = &pt_iommu_tmpl<pt_fmt_amdv1>::ops,
	[PT_FMT_AMDV1_MOCK] = &pt_iommu_tmpl<pt_fmt_amdv1_mock>::ops,
};

int pt_iommu_init(struct pt_iommu *iommu, const struct pt_iommu_cfg *cfg, gfp_t gfp)
{
	int ret;

	if ((unsigned int)cfg->fmt >= PT_FMT_NR)
		return -EINVAL;
	iommu->fmt_ops = pt_fmt_ops[cfg->fmt];
	iommu->top_of_table = 0;
	ret = iommu->fmt_ops->init(iommu, cfg, gfp);
	if (ret)
		iommu->fmt_ops = NULL;
	return ret;
}

void pt_iommu_deinit(struct pt_iommu *iommu)
{
	if (iommu->fmt_ops)
		iommu->fmt_ops->deinit(iommu);
	iommu->fmt_ops = NULL;
}

void pt_iommu_hw_info(struct pt_iommu *iommu, struct pt_iommu_hw_info *info)
{
	uintptr_t v = __atomic_load_n(&iommu->top_of_table, __ATOMIC_ACQUIRE);
	unsigned int level = v & 0xfff;

	info->top_paddr = virt_to_phys((void *)(v & ~(uintptr_t)0xfff));
	info->top_level = level;
	info->vasz_lg2 = iommu->fmt_ops->span_lg2(&iommu->common, level);
}

int pt_map_pages(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
		 size_t pgsize, size_t pgcount, int prot, gfp_t gfp, size_t *mapped)
{
	struct pt_iommu *iommu = to_pt_iommu(domain);

	if (WARN_ON(!iommu->fmt_ops))
		return -EINVAL;
	return iommu->fmt_ops->map(iommu, iova, paddr, (u64)pgsize * pgcount, prot, gfp, mapped);
}

size_t pt_unmap_pages(struct iommu_domain *domain, unsigned long iova, size_t pgsize,
		      size_t pgcount, struct iommu_iotlb_gather *iotlb_gather)
{
	struct pt_iommu *iommu = to_pt_iommu(domain);

	if (WARN_ON(!iommu->fmt_ops))
		return 0;
	return iommu->fmt_ops->unmap(iommu, iova, (u64)pgsize * pgcount, iotlb_gather);
}

phys_addr_t pt_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	struct pt_iommu *iommu = to_pt_iommu(domain);

	if (WARN_ON(!iommu->fmt_ops))
		return 0;
	return iommu->fmt_ops->iova_to_phys(iommu, iova);
}

int pt_read_and_clear_dirty(struct iommu_domain *domain, unsigned long iova, size_t size,
			    unsigned long flags, struct iommu_dirty_bitmap *dirty)
{
	struct pt_iommu *iommu = to_pt_iommu(domain);

	if (WARN_ON(!iommu->fmt_ops))
		return -EINVAL;
	return iommu->fmt_ops->read_and_clear_dirty(iommu, iova, size, flags, dirty);
}

int pt_iommu_set_dirty(struct pt_iommu *iommu, dma_addr_t iova)
{
	if (WARN_ON(!iommu->fmt_ops))
		return -EINVAL;
	return iommu->fmt_ops->set_dirty(iommu, iova);
}

unsigned long pt_iommu_count_tables(struct pt_iommu *iommu)
{
	return iommu->fmt_ops ? iommu->fmt_ops->count(iommu, false) : 0;
}

unsigned long pt_iommu_count_leaves(struct pt_iommu *iommu)
{
	return iommu->fmt_ops ? iommu->fmt_ops->count(iommu, true) : 0;
}
