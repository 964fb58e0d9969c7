// SPDX-License-Identifier: GPL-2.0
/*
 * The io_pagetable: an IOAS's IOVA -> pages map, the IOVA it may and may
 * not use, and the domains it is copied into.
 *
 * Creating a mapping happens in three steps so the IOVA range is claimed
 * before anything slow or fallible runs, and so a failure leaves no trace:
 *  1. iopt_alloc_area_pages() picks or checks the IOVA and inserts areas
 *     with ->pages == NULL (the range is now taken, nobody can use it);
 *  2. iopt_area_fill_domains() pins and maps into every attached domain
 *     (under domains_rwsem read, so the domain list cannot change);
 *  3. the areas get their ->pages, which publishes them.
 * Unmapping runs the same steps backwards. Domain attach/detach take
 * domains_rwsem for write, so they never see a half-built area.
 *
 * Lock order: domains_rwsem -> iova_rwsem -> pages->mutex.
 */
#include "core/io_pagetable.h"
#include "harness/dma_buf.h"
#include "core/iova_bitmap.h"
#include "core/iommu.h"

#include <utility>

/*
 * Automatic IOVA keeps the source's alignment up to a PMD huge page (what
 * CONFIG_TRANSPARENT_HUGEPAGE gives the kernel on x86-64 and arm64 4K).
 */
#ifndef HPAGE_SIZE
#define HPAGE_SIZE (PAGE_SIZE << 9)
#endif

struct iopt_pages_list {
	struct iopt_pages *pages;
	struct iopt_area *area;
	struct list_head next;
	unsigned long start_byte;
	unsigned long length;
};

/*
 * The double span iterator (io_pagetable.h): both trees' span iterators
 * always stand at the same index, so a hole is where both have one, up to
 * where the first of them ends.
 */
void interval_tree_double_span_iter_update(struct interval_tree_double_span_iter *iter)
{
	unsigned long hole_end = ULONG_MAX;
	unsigned int i;

	for (i = 0; i != ARRAY_SIZE(iter->spans); i++) {
		struct interval_tree_span_iter *span = &iter->spans[i];

		if (interval_tree_span_iter_done(span)) {
			iter->is_used = -1;
			return;
		}

		/* A hole here lets the next tree decide, up to where it ends. */
		if (span->is_hole) {
			hole_end = min(hole_end, span->last_hole);
			continue;
		}

		iter->is_used = i + 1;
		iter->start_used = span->start_used;
		iter->last_used = min(span->last_used, hole_end);
		return;
	}

	iter->is_used = 0;
	iter->start_hole = iter->spans[0].start_hole;
	iter->last_hole = min(iter->spans[0].last_hole, iter->spans[1].last_hole);
}

void interval_tree_double_span_iter_first(struct interval_tree_double_span_iter *iter,
					  struct rb_root_cached *itree1,
					  struct rb_root_cached *itree2,
					  unsigned long first_index, unsigned long last_index)
{
	unsigned int i;

	iter->itrees[0] = itree1;
	iter->itrees[1] = itree2;
	for (i = 0; i != ARRAY_SIZE(iter->spans); i++)
		interval_tree_span_iter_first(&iter->spans[i], iter->itrees[i], first_index,
					      last_index);
	interval_tree_double_span_iter_update(iter);
}

void interval_tree_double_span_iter_next(struct interval_tree_double_span_iter *iter)
{
	unsigned int i;

	/* last_hole aliases last_used: the end of whatever step we are on */
	if (iter->is_used == -1 || iter->last_hole == iter->spans[0].last_index) {
		iter->is_used = -1;
		return;
	}

	for (i = 0; i != ARRAY_SIZE(iter->spans); i++)
		interval_tree_span_iter_advance(&iter->spans[i], iter->itrees[i],
						iter->last_hole + 1);
	interval_tree_double_span_iter_update(iter);
}

struct iopt_area *iopt_area_contig_init(struct iopt_area_contig_iter *iter,
					struct io_pagetable *iopt, unsigned long iova,
					unsigned long last_iova)
{
	lockdep_assert_held(&iopt->iova_rwsem);

	iter->cur_iova = iova;
	iter->last_iova = last_iova;
	iter->area = iopt_area_iter_first(iopt, iova, iova);
	if (iter->area && !iter->area->pages)
		iter->area = NULL;
	return iter->area;
}

struct iopt_area *iopt_area_contig_next(struct iopt_area_contig_iter *iter)
{
	unsigned long last_iova;

	if (!iter->area)
		return NULL;
	last_iova = iopt_area_last_iova(iter->area);
	if (iter->last_iova <= last_iova)
		return NULL;

	iter->cur_iova = last_iova + 1;
	iter->area = iopt_area_iter_next(iter->area, iter->cur_iova, iter->last_iova);
	/* A gap, or an area still being built, ends the contiguous run. */
	if (iter->area &&
	    (iter->cur_iova != iopt_area_iova(iter->area) || !iter->area->pages))
		iter->area = NULL;
	return iter->area;
}

/*
 * Round *start up to @iova_alignment, keep the sub-page offset of the
 * source, and check [*start, *start + length) still fits before @last.
 */
static bool __alloc_iova_check_range(unsigned long *start, unsigned long last,
				     unsigned long length, unsigned long iova_alignment,
				     unsigned long page_offset)
{
	unsigned long aligned_start;

	if (check_add_overflow(*start, iova_alignment - 1, &aligned_start))
		return false;
	aligned_start &= ~(iova_alignment - 1);
	aligned_start |= page_offset;

	if (aligned_start >= last || last - aligned_start < length - 1)
		return false;
	*start = aligned_start;
	return true;
}

static bool __alloc_iova_check_hole(struct interval_tree_double_span_iter *span,
				    unsigned long length, unsigned long iova_alignment,
				    unsigned long page_offset)
{
	if (span->is_used)
		return false;
	return __alloc_iova_check_range(&span->start_hole, span->last_hole, length,
					iova_alignment, page_offset);
}

static bool __alloc_iova_check_used(struct interval_tree_span_iter *span,
				    unsigned long length, unsigned long iova_alignment,
				    unsigned long page_offset)
{
	if (span->is_hole)
		return false;
	return __alloc_iova_check_range(&span->start_used, span->last_used, length,
					iova_alignment, page_offset);
}

/*
 * Find free IOVA for @length bytes whose source starts at @addr (a user
 * VA or a file offset). The IOVA keeps as much of @addr's alignment as
 * the length can use, up to a huge page, so the domain can use large
 * pages. IOVA 0 and the last page are never handed out.
 */
static int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
			   unsigned long addr, unsigned long length)
{
	unsigned long page_offset = addr % PAGE_SIZE;
	struct interval_tree_double_span_iter used_span;
	struct interval_tree_span_iter allowed_span;
	unsigned long max_alignment = HPAGE_SIZE;
	unsigned long iova_alignment;

	lockdep_assert_held(&iopt->iova_rwsem);

	/* roundup_pow_of_two() must not overflow */
	if (length == 0 || length >= ULONG_MAX / 2)
		return -EOVERFLOW;

	if (!addr)
		iova_alignment = roundup_pow_of_two(length);
	else
		iova_alignment = min_t(unsigned long, roundup_pow_of_two(length),
				       1UL << __ffs64(addr));

	if (iova_alignment >= max_alignment)
		iova_alignment = max_alignment;

	if (iova_alignment < iopt->iova_alignment)
		return -EINVAL;

	interval_tree_for_each_span(&allowed_span, &iopt->allowed_itree, PAGE_SIZE,
				    ULONG_MAX - PAGE_SIZE) {
		/* No allowed list means everything is allowed. */
		if (RB_EMPTY_ROOT(&iopt->allowed_itree.rb_root)) {
			allowed_span.start_used = PAGE_SIZE;
			allowed_span.last_used = ULONG_MAX - PAGE_SIZE;
			allowed_span.is_hole = false;
		}

		if (!__alloc_iova_check_used(&allowed_span, length, iova_alignment,
					     page_offset))
			continue;

		interval_tree_for_each_double_span(&used_span, &iopt->reserved_itree,
						   &iopt->area_itree,
						   allowed_span.start_used,
						   allowed_span.last_used) {
			if (!__alloc_iova_check_hole(&used_span, length, iova_alignment,
						     page_offset))
				continue;

			*iova = used_span.start_hole;
			return 0;
		}
	}
	return -ENOSPC;
}

static int iopt_check_iova(struct io_pagetable *iopt, unsigned long iova,
			   unsigned long length)
{
	unsigned long last;

	lockdep_assert_held(&iopt->iova_rwsem);

	if ((iova & (iopt->iova_alignment - 1)))
		return -EINVAL;

	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	if (iopt_reserved_iter_first(iopt, iova, last))
		return -EINVAL;

	if (iopt_area_iter_first(iopt, iova, last))
		return -EEXIST;
	return 0;
}

/*
 * Give @area the slice [start_byte, start_byte + length) of @pages at
 * @iova and insert it, still without ->pages, into the area tree.
 */
static int iopt_insert_area(struct io_pagetable *iopt, struct iopt_area *area,
			    struct iopt_pages *pages, unsigned long iova,
			    unsigned long start_byte, unsigned long length, int iommu_prot)
{
	lockdep_assert_held_write(&iopt->iova_rwsem);

	if ((iommu_prot & IOMMU_WRITE) && !pages->writable)
		return -EPERM;

	area->iommu_prot = iommu_prot;
	area->page_offset = start_byte % PAGE_SIZE;
	if (area->page_offset & (iopt->iova_alignment - 1))
		return -EINVAL;

	area->node.start = iova;
	if (check_add_overflow(iova, length - 1, &area->node.last))
		return -EOVERFLOW;

	area->pages_node.start = start_byte / PAGE_SIZE;
	if (check_add_overflow(start_byte, length - 1, &area->pages_node.last))
		return -EOVERFLOW;
	area->pages_node.last = area->pages_node.last / PAGE_SIZE;
	if (WARN_ON(area->pages_node.last >= pages->npages))
		return -EOVERFLOW;

	area->iopt = iopt;
	interval_tree_insert(&area->node, &iopt->area_itree);
	return 0;
}

static struct iopt_area *iopt_area_alloc(void)
{
	struct iopt_area *area;

	area = kzalloc(sizeof(*area), GFP_KERNEL_ACCOUNT);
	if (!area)
		return NULL;
	RB_CLEAR_NODE(&area->node.rb);
	RB_CLEAR_NODE(&area->pages_node.rb);
	return area;
}

static int iopt_alloc_area_pages(struct io_pagetable *iopt, struct list_head *pages_list,
				 unsigned long length, unsigned long *dst_iova,
				 int iommu_prot, unsigned int flags)
{
	struct iopt_pages_list *elm;
	unsigned long start;
	unsigned long iova;
	int rc = 0;

	list_for_each_entry(elm, pages_list, next) {
		elm->area = iopt_area_alloc();
		if (!elm->area)
			return -ENOMEM;
	}

	down_write(&iopt->iova_rwsem);
	if ((length & (iopt->iova_alignment - 1)) || !length) {
		rc = -EINVAL;
		goto out_unlock;
	}

	if (flags & IOPT_ALLOC_IOVA) {
		/* The first slice's source address guides the alignment. */
		elm = list_first_entry(pages_list, struct iopt_pages_list, next);
		if (elm->pages->type == IOPT_ADDRESS_USER)
			start = elm->start_byte + (uintptr_t)elm->pages->uptr;
		else if (iopt_is_dmabuf(elm->pages))
			start = elm->start_byte + iopt_dmabuf_start(elm->pages);
		else
			start = elm->start_byte + elm->pages->start;
		rc = iopt_alloc_iova(iopt, dst_iova, start, length);
		if (rc)
			goto out_unlock;
		if (WARN_ON(iopt_check_iova(iopt, *dst_iova, length))) {
			rc = -EINVAL;
			goto out_unlock;
		}
	} else {
		rc = iopt_check_iova(iopt, *dst_iova, length);
		if (rc)
			goto out_unlock;
	}

	iova = *dst_iova;
	list_for_each_entry(elm, pages_list, next) {
		rc = iopt_insert_area(iopt, elm->area, elm->pages, iova, elm->start_byte,
				      elm->length, iommu_prot);
		if (rc)
			goto out_unlock;
		iova += elm->length;
	}

out_unlock:
	up_write(&iopt->iova_rwsem);
	return rc;
}

/* Undo iopt_alloc_area_pages() for an area that never got its pages. */
static void iopt_abort_area(struct iopt_area *area)
{
	WARN_ON(area->pages);
	if (area->iopt) {
		down_write(&area->iopt->iova_rwsem);
		interval_tree_remove(&area->node, &area->iopt->area_itree);
		up_write(&area->iopt->iova_rwsem);
	}
	kfree(area);
}

void iopt_free_pages_list(struct list_head *pages_list)
{
	struct iopt_pages_list *elm;

	while ((elm = list_first_entry_or_null(pages_list, struct iopt_pages_list, next))) {
		if (elm->area)
			iopt_abort_area(elm->area);
		if (elm->pages)
			iopt_put_pages(elm->pages);
		list_del(&elm->next);
		kfree(elm);
	}
}

static int iopt_fill_domains_pages(struct list_head *pages_list)
{
	struct iopt_pages_list *undo_elm;
	struct iopt_pages_list *elm;
	int rc;

	list_for_each_entry(elm, pages_list, next) {
		rc = iopt_area_fill_domains(elm->area, elm->pages);
		if (rc)
			goto err_undo;
	}
	return 0;

err_undo:
	list_for_each_entry(undo_elm, pages_list, next) {
		if (undo_elm == elm)
			break;
		iopt_area_unfill_domains(undo_elm->area, undo_elm->pages);
	}
	return rc;
}

/*
 * Map the concatenation of the slices on @pages_list at *dst_iova (or at
 * an IOVA chosen here with IOPT_ALLOC_IOVA). On success the list's page
 * references move into the new areas; on failure the caller frees the
 * list, which also removes the unfinished areas.
 */
int iopt_map_pages(struct io_pagetable *iopt, struct list_head *pages_list,
		   unsigned long length, unsigned long *dst_iova, int iommu_prot,
		   unsigned int flags)
{
	struct iopt_pages_list *elm;
	int rc;

	rc = iopt_alloc_area_pages(iopt, pages_list, length, dst_iova, iommu_prot, flags);
	if (rc)
		return rc;

	down_read(&iopt->domains_rwsem);
	rc = iopt_fill_domains_pages(pages_list);
	if (rc)
		goto out_unlock_domains;

	/*
	 * Publishing ->pages inside domains_rwsem guarantees a domain being
	 * added right after this sees the area and fills it.
	 */
	down_write(&iopt->iova_rwsem);
	list_for_each_entry(elm, pages_list, next) {
		elm->area->pages = elm->pages;
		elm->pages = NULL;
		elm->area = NULL;
	}
	up_write(&iopt->iova_rwsem);
out_unlock_domains:
	up_read(&iopt->domains_rwsem);
	return rc;
}

static int iopt_map_common(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			   struct iopt_pages *pages, unsigned long *iova,
			   unsigned long length, unsigned long start_byte, int iommu_prot,
			   unsigned int flags)
{
	struct iopt_pages_list elm = {};
	LIST_HEAD(pages_list);
	int rc;

	elm.pages = pages;
	elm.start_byte = start_byte;
	/* The context's rlimit mode only upgrades per-user charging. */
	if (ictx->account_mode == IOPT_PAGES_ACCOUNT_MM &&
	    elm.pages->account_mode == IOPT_PAGES_ACCOUNT_USER)
		elm.pages->account_mode = IOPT_PAGES_ACCOUNT_MM;
	elm.length = length;
	list_add(&elm.next, &pages_list);

	rc = iopt_map_pages(iopt, &pages_list, length, iova, iommu_prot, flags);
	if (rc) {
		if (elm.area)
			iopt_abort_area(elm.area);
		if (elm.pages)
			iopt_put_pages(elm.pages);
		return rc;
	}
	return 0;
}

/*
 * Map @length bytes of the caller's memory at @uptr. With domains
 * attached the pages are pinned and mapped now; otherwise this only
 * records the range and accesses pin it later.
 */
int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, void __user *uptr, unsigned long length,
			int iommu_prot, unsigned int flags)
{
	struct iopt_pages *pages;

	pages = iopt_alloc_user_pages(uptr, length, iommu_prot & IOMMU_WRITE);
	if (IS_ERR(pages))
		return PTR_ERR(pages);

	return iopt_map_common(ictx, iopt, pages, iova, length,
			       (uintptr_t)uptr - (uintptr_t)pages->uptr, iommu_prot, flags);
}

/* Like iopt_map_user_pages(), for bytes [start, start + length) of a memfd. */
int iopt_map_file_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, int fd, unsigned long start,
			unsigned long length, int iommu_prot, unsigned int flags)
{
	struct iopt_pages *pages;
	struct dma_buf *dmabuf;
	unsigned long start_byte;
	unsigned long last;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(start, length - 1, &last))
		return -EOVERFLOW;

	start_byte = start - ALIGN_DOWN(start, PAGE_SIZE);
	/* A dma-buf is imported (pages_dmabuf.cc); anything else is a memfd. */
	dmabuf = dma_buf_get(fd);
	if (!IS_ERR(dmabuf)) {
		pages = iopt_alloc_dmabuf_pages(dmabuf, start_byte, start, length,
						iommu_prot & IOMMU_WRITE);
		dma_buf_put(dmabuf);
	} else {
		pages = iopt_alloc_file_pages(fd, start_byte, start, length,
					      iommu_prot & IOMMU_WRITE);
	}
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_common(ictx, iopt, pages, iova, length, start_byte, iommu_prot, flags);
}

int iommufd_check_iova_range(struct io_pagetable *iopt,
			     struct iommu_hwpt_get_dirty_bitmap *bitmap)
{
	/* Read before iova_rwsem, as upstream: a domain may be joining. */
	size_t iommu_pgsize = READ_ONCE(iopt->iova_alignment);
	u64 last_iova;

	if (check_add_overflow(bitmap->iova, bitmap->length - 1, &last_iova))
		return -EOVERFLOW;

	if (bitmap->iova > ULONG_MAX || last_iova > ULONG_MAX)
		return -EOVERFLOW;

	if ((bitmap->iova & (iommu_pgsize - 1)) || ((last_iova + 1) & (iommu_pgsize - 1)))
		return -EINVAL;

	if (!bitmap->page_size)
		return -EINVAL;

	if ((bitmap->iova & (bitmap->page_size - 1)) ||
	    ((last_iova + 1) & (bitmap->page_size - 1)))
		return -EINVAL;

	return 0;
}

struct iopt_dirty_walk {
	struct io_pagetable *iopt;
	struct iommu_domain *domain;
	struct iommu_dirty_bitmap dirty;
	unsigned long flags;
};

/*
 * One window of the user bitmap: every byte of [iova, iova + length) must
 * be mapped (-EINVAL otherwise); the driver reads (and unless NO_CLEAR
 * clears) the dirty bits of each area's part of it.
 */
static int iopt_read_and_clear_dirty_window(struct iova_bitmap *bitmap, unsigned long iova,
					    size_t length, void *opaque)
{
	struct iopt_dirty_walk *walk = (struct iopt_dirty_walk *)opaque;
	const struct iommu_dirty_ops *ops = walk->domain->dirty_ops;
	struct iopt_area_contig_iter iter;
	unsigned long last_iova;
	struct iopt_area *area;
	int ret;

	if (check_add_overflow(iova, length - 1, &last_iova))
		return -EOVERFLOW;

	if (!iopt_area_contig_init(&iter, walk->iopt, iova, last_iova))
		return -EINVAL;

	iopt_for_each_contig_area(&iter, area, walk->iopt, iova, last_iova) {
		unsigned long cur_last = min(last_iova, iopt_area_last_iova(area));

		ret = ops->read_and_clear_dirty(walk->domain, iter.cur_iova,
						cur_last - iter.cur_iova + 1, walk->flags,
						&walk->dirty);
		if (ret)
			return ret;
	}

	if (!iopt_area_contig_done(&iter))
		return -EINVAL;
	return 0;
}

/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP: report the dirty IOVA of @domain in the
 * user's bitmap. The IOTLB is flushed for what was cleared, since a
 * device must see a clean IOPTE before it can dirty it again.
 */
int iopt_read_and_clear_dirty_data(struct io_pagetable *iopt, struct iommu_domain *domain,
				   unsigned long flags,
				   struct iommu_hwpt_get_dirty_bitmap *bitmap)
{
	const struct iommu_dirty_ops *ops = domain->dirty_ops;
	struct iommu_iotlb_gather gather;
	struct iopt_dirty_walk walk = {};
	struct iova_bitmap *iter;
	int ret;

	ret = iommufd_check_iova_range(iopt, bitmap);
	if (ret)
		return ret;

	down_read(&iopt->iova_rwsem);
	if (!ops || !ops->read_and_clear_dirty) {
		ret = -EOPNOTSUPP;
		goto out_unlock;
	}

	iter = iova_bitmap_alloc(bitmap->iova, bitmap->length, bitmap->page_size,
				 (u64 __user *)u64_to_user_ptr(bitmap->data));
	if (IS_ERR(iter)) {
		ret = -ENOMEM;
		goto out_unlock;
	}

	walk.iopt = iopt;
	walk.domain = domain;
	walk.flags = flags;
	iommu_dirty_bitmap_init(&walk.dirty, iter, &gather);
	ret = iova_bitmap_for_each(iter, &walk, iopt_read_and_clear_dirty_window);

	if (!(flags & IOMMU_DIRTY_NO_CLEAR))
		iommu_iotlb_sync(domain, &gather);

	iova_bitmap_free(iter);
out_unlock:
	up_read(&iopt->iova_rwsem);
	return ret;
}

/* Clear every dirty bit of @domain so tracking starts from a clean slate. */
static int iopt_clear_dirty_data(struct io_pagetable *iopt, struct iommu_domain *domain)
{
	const struct iommu_dirty_ops *ops = domain->dirty_ops;
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap dirty;
	struct iopt_area *area;
	int ret = 0;

	lockdep_assert_held_read(&iopt->iova_rwsem);

	iommu_dirty_bitmap_init(&dirty, NULL, &gather);

	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		if (!area->pages)
			continue;

		ret = ops->read_and_clear_dirty(domain, iopt_area_iova(area),
						iopt_area_length(area), 0, &dirty);
		if (ret)
			break;
	}

	iommu_iotlb_sync(domain, &gather);
	return ret;
}

int iopt_set_dirty_tracking(struct io_pagetable *iopt, struct iommu_domain *domain,
			    bool enable)
{
	const struct iommu_dirty_ops *ops = domain->dirty_ops;
	int ret = 0;

	if (!ops)
		return -EOPNOTSUPP;

	down_read(&iopt->iova_rwsem);

	if (enable) {
		ret = iopt_clear_dirty_data(iopt, domain);
		if (ret)
			goto out_unlock;
	}

	ret = ops->set_dirty_tracking(domain, enable);

out_unlock:
	up_read(&iopt->iova_rwsem);
	return ret;
}

/*
 * Collect the slices of pages backing [iova, iova + length), which must
 * be fully mapped, each with a page reference. Used by IOMMU_IOAS_COPY.
 */
int iopt_get_pages(struct io_pagetable *iopt, unsigned long iova, unsigned long length,
		   struct list_head *pages_list)
{
	struct iopt_area_contig_iter iter;
	unsigned long last_iova;
	struct iopt_area *area;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last_iova))
		return -EOVERFLOW;

	down_read(&iopt->iova_rwsem);
	iopt_for_each_contig_area(&iter, area, iopt, iova, last_iova) {
		struct iopt_pages_list *elm;
		unsigned long last = min(last_iova, iopt_area_last_iova(area));

		elm = kzalloc(sizeof(*elm), GFP_KERNEL_ACCOUNT);
		if (!elm) {
			rc = -ENOMEM;
			goto err_free;
		}
		elm->start_byte = iopt_area_start_byte(area, iter.cur_iova);
		elm->pages = area->pages;
		elm->length = (last - iter.cur_iova) + 1;
		kref_get(&elm->pages->kref);
		list_add_tail(&elm->next, pages_list);
	}
	if (!iopt_area_contig_done(&iter)) {
		rc = -ENOENT;
		goto err_free;
	}
	up_read(&iopt->iova_rwsem);
	return 0;
err_free:
	up_read(&iopt->iova_rwsem);
	iopt_free_pages_list(pages_list);
	return rc;
}

/*
 * Remove every area inside [start, last]. An area only partly inside
 * stops the walk with -ENOENT (areas are never split here). Areas pinned
 * by accesses are first offered to the accesses' unmap callbacks; the
 * locks are dropped for that, so the walk restarts after each call.
 */
static int iopt_unmap_iova_range(struct io_pagetable *iopt, unsigned long start,
				 unsigned long last, unsigned long *unmapped)
{
	struct iopt_area *area;
	unsigned long unmapped_bytes = 0;
	unsigned int tries = 0;
	int rc = 0;

again:
	/* Held while any area->pages is NULL: attach/detach must not run. */
	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	while ((area = iopt_area_iter_first(iopt, start, last))) {
		unsigned long area_last = iopt_area_last_iova(area);
		unsigned long area_first = iopt_area_iova(area);
		struct iopt_pages *pages;

		/* A concurrent map or unmap of the same IOVA owns it. */
		if (!area->pages) {
			rc = -EBUSY;
			goto out_unlock_iova;
		}

		if (area->num_locks) {
			rc = -EBUSY;
			goto out_unlock_iova;
		}

		if (area_first < start || area_last > last) {
			rc = -ENOENT;
			goto out_unlock_iova;
		}

		if (area_first != start)
			tries = 0;

		/*
		 * num_accesses only changes with iova_rwsem held, so the write
		 * side lets us read it without pages->mutex.
		 */
		if (area->num_accesses) {
			size_t length = iopt_area_length(area);

			start = area_first;
			area->prevent_access = true;
			up_write(&iopt->iova_rwsem);
			up_read(&iopt->domains_rwsem);

			iommufd_access_notify_unmap(iopt, area_first, length);
			/* An access that never lets go is a driver bug. */
			tries++;
			if (WARN_ON(tries > 100)) {
				rc = -EDEADLOCK;
				goto out_unmapped;
			}
			goto again;
		}

		pages = area->pages;
		area->pages = NULL;
		up_write(&iopt->iova_rwsem);

		iopt_area_unfill_domains(area, pages);
		iopt_abort_area(area);
		iopt_put_pages(pages);

		unmapped_bytes += area_last - area_first + 1;

		down_write(&iopt->iova_rwsem);
	}

out_unlock_iova:
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
out_unmapped:
	if (unmapped)
		*unmapped = unmapped_bytes;
	return rc;
}

/*
 * Unmap every area inside [iova, iova + length). The range must cover
 * whole areas; nothing mapped is success with *unmapped == 0.
 */
int iopt_unmap_iova(struct io_pagetable *iopt, unsigned long iova, unsigned long length,
		    unsigned long *unmapped)
{
	unsigned long iova_last;

	if (!length)
		return -EINVAL;

	if (check_add_overflow(iova, length - 1, &iova_last))
		return -EOVERFLOW;

	return iopt_unmap_iova_range(iopt, iova, iova_last, unmapped);
}

int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped)
{
	return iopt_unmap_iova_range(iopt, 0, ULONG_MAX, unmapped);
}

/*
 * Swap in a new allowed tree; the caller frees whichever tree it holds
 * afterwards. Fails, changing nothing, if it would allow reserved IOVA.
 */
int iopt_set_allow_iova(struct io_pagetable *iopt, struct rb_root_cached *allowed_iova)
{
	struct iopt_allowed *allowed;

	down_write(&iopt->iova_rwsem);
	std::swap(*allowed_iova, iopt->allowed_itree);

	for (allowed = iopt_allowed_iter_first(iopt, 0, ULONG_MAX); allowed;
	     allowed = iopt_allowed_iter_next(allowed, 0, ULONG_MAX)) {
		if (iopt_reserved_iter_first(iopt, allowed->node.start, allowed->node.last)) {
			std::swap(*allowed_iova, iopt->allowed_itree);
			up_write(&iopt->iova_rwsem);
			return -EADDRINUSE;
		}
	}
	up_write(&iopt->iova_rwsem);
	return 0;
}

/* Reserve [start, last] for @owner; it must not be mapped or allowed. */
int iopt_reserve_iova(struct io_pagetable *iopt, unsigned long start, unsigned long last,
		      void *owner)
{
	struct iopt_reserved *reserved;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (iopt_area_iter_first(iopt, start, last) ||
	    iopt_allowed_iter_first(iopt, start, last))
		return -EADDRINUSE;

	reserved = kzalloc(sizeof(*reserved), GFP_KERNEL_ACCOUNT);
	if (!reserved)
		return -ENOMEM;
	reserved->node.start = start;
	reserved->node.last = last;
	reserved->owner = owner;
	interval_tree_insert(&reserved->node, &iopt->reserved_itree);
	return 0;
}

static void __iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner)
{
	struct iopt_reserved *reserved, *next;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	for (reserved = iopt_reserved_iter_first(iopt, 0, ULONG_MAX); reserved;
	     reserved = next) {
		next = iopt_reserved_iter_next(reserved, 0, ULONG_MAX);

		if (reserved->owner == owner) {
			interval_tree_remove(&reserved->node, &iopt->reserved_itree);
			kfree(reserved);
		}
	}
}

void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner)
{
	down_write(&iopt->iova_rwsem);
	__iopt_remove_reserved_iova(iopt, owner);
	up_write(&iopt->iova_rwsem);
}

void iopt_init_table(struct io_pagetable *iopt)
{
	init_rwsem(&iopt->iova_rwsem);
	init_rwsem(&iopt->domains_rwsem);
	iopt->area_itree = RB_ROOT_CACHED;
	iopt->allowed_itree = RB_ROOT_CACHED;
	iopt->reserved_itree = RB_ROOT_CACHED;
	xa_init_flags(&iopt->domains, XA_FLAGS_ACCOUNT);
	xa_init_flags(&iopt->access_list, XA_FLAGS_ALLOC);
	/* zeroed memory in the kernel; not every caller here has it */
	iopt->next_domain_id = 0;
	iopt->disable_large_pages = false;

	/*
	 * With no domain the table is software only: any byte-granular IOVA
	 * in the size_t range works.
	 */
	iopt->iova_alignment = 1;
}

void iopt_destroy_table(struct io_pagetable *iopt)
{
	struct interval_tree_node *node;

	/* Reservations made through the selftest have no owner. */
	iopt_remove_reserved_iova(iopt, NULL);

	while ((node = interval_tree_iter_first(&iopt->allowed_itree, 0, ULONG_MAX))) {
		interval_tree_remove(node, &iopt->allowed_itree);
		kfree(container_of(node, struct iopt_allowed, node));
	}

	WARN_ON(!RB_EMPTY_ROOT(&iopt->reserved_itree.rb_root));
	WARN_ON(!xa_empty(&iopt->domains));
	WARN_ON(!xa_empty(&iopt->access_list));
	WARN_ON(!RB_EMPTY_ROOT(&iopt->area_itree.rb_root));
}

/*
 * Take @domain, already gone from iopt->domains, out of every area. If
 * another domain remains it holds the same PFNs, so this domain is just
 * unmapped and the survivor becomes the storage where needed; the last
 * domain unmaps and unpins.
 */
static void iopt_unfill_domain(struct io_pagetable *iopt, struct iommu_domain *domain)
{
	struct iopt_area *area;

	lockdep_assert_held(&iopt->iova_rwsem);
	lockdep_assert_held_write(&iopt->domains_rwsem);

	if (iopt->next_domain_id != 0) {
		struct iommu_domain *storage_domain =
			(struct iommu_domain *)xa_load(&iopt->domains, 0);

		for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
		     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
			struct iopt_pages *pages = area->pages;

			if (!pages)
				continue;

			mutex_lock(&pages->mutex);
			WARN_ON(!area->storage_domain);
			if (area->storage_domain == domain)
				area->storage_domain = storage_domain;
			mutex_unlock(&pages->mutex);

			iopt_area_unmap_domain(area, domain);
		}
		return;
	}

	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		struct iopt_pages *pages = area->pages;

		if (!pages)
			continue;

		mutex_lock(&pages->mutex);
		interval_tree_remove(&area->pages_node, &pages->domains_itree);
		WARN_ON(area->storage_domain != domain);
		area->storage_domain = NULL;
		iopt_area_unfill_domain(area, pages, domain);
		mutex_unlock(&pages->mutex);
	}
}

/*
 * Map every area into a new @domain. The first domain becomes every
 * area's storage. On failure @domain is left as it was.
 */
static int iopt_fill_domain(struct io_pagetable *iopt, struct iommu_domain *domain)
{
	struct iopt_area *end_area;
	struct iopt_area *area;
	int rc;

	lockdep_assert_held(&iopt->iova_rwsem);
	lockdep_assert_held_write(&iopt->domains_rwsem);

	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		struct iopt_pages *pages = area->pages;

		if (!pages)
			continue;

		mutex_lock(&pages->mutex);
		rc = iopt_area_fill_domain(area, domain);
		if (rc) {
			mutex_unlock(&pages->mutex);
			goto out_unfill;
		}
		if (!area->storage_domain) {
			WARN_ON(iopt->next_domain_id != 0);
			area->storage_domain = domain;
			interval_tree_insert(&area->pages_node, &pages->domains_itree);
		}
		mutex_unlock(&pages->mutex);
	}
	return 0;

out_unfill:
	end_area = area;
	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		struct iopt_pages *pages = area->pages;

		if (area == end_area)
			break;
		if (!pages)
			continue;
		mutex_lock(&pages->mutex);
		if (iopt->next_domain_id == 0) {
			interval_tree_remove(&area->pages_node, &pages->domains_itree);
			area->storage_domain = NULL;
		}
		iopt_area_unfill_domain(area, pages, domain);
		mutex_unlock(&pages->mutex);
	}
	return rc;
}

/* Can every existing area live with IOVA granularity @new_iova_alignment? */
static int iopt_check_iova_alignment(struct io_pagetable *iopt,
				     unsigned long new_iova_alignment)
{
	unsigned long align_mask = new_iova_alignment - 1;
	struct iopt_area *area;
	struct iommufd_access *access;
	unsigned long index;

	lockdep_assert_held(&iopt->iova_rwsem);
	lockdep_assert_held(&iopt->domains_rwsem);

	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX))
		if ((iopt_area_iova(area) & align_mask) ||
		    (iopt_area_length(area) & align_mask) ||
		    (area->page_offset & align_mask))
			return -EADDRINUSE;

	/* Accesses already raised the alignment when they were added. */
	xa_for_each(&iopt->access_list, index, access)
		if (WARN_ON(access->iova_alignment > new_iova_alignment))
			return -EADDRINUSE;
	return 0;
}

/*
 * Attach @domain: clamp the usable IOVA to its aperture (by reserving the
 * rest), raise the IOVA alignment to its smallest page size, and map every
 * existing area into it.
 */
int iopt_table_add_domain(struct io_pagetable *iopt, struct iommu_domain *domain)
{
	const struct iommu_domain_geometry *geometry = &domain->geometry;
	struct iommu_domain *iter_domain;
	unsigned int new_iova_alignment;
	unsigned long index;
	int rc;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);

	xa_for_each(&iopt->domains, index, iter_domain) {
		if (WARN_ON(iter_domain == domain)) {
			rc = -EEXIST;
			goto out_unlock;
		}
	}

	/*
	 * iopt_pages works in PAGE_SIZE units and copes with smaller IO page
	 * sizes, but it cannot promise contiguity above PAGE_SIZE: a domain
	 * must accept PAGE_SIZE mappings.
	 */
	new_iova_alignment = max_t(unsigned long, 1UL << __ffs(domain->pgsize_bitmap),
				   iopt->iova_alignment);
	if (new_iova_alignment > PAGE_SIZE) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (new_iova_alignment != iopt->iova_alignment) {
		rc = iopt_check_iova_alignment(iopt, new_iova_alignment);
		if (rc)
			goto out_unlock;
	}

	if (geometry->aperture_start != 0) {
		rc = iopt_reserve_iova(iopt, 0, geometry->aperture_start - 1, domain);
		if (rc)
			goto out_reserved;
	}
	if (geometry->aperture_end != ULONG_MAX) {
		rc = iopt_reserve_iova(iopt, geometry->aperture_end + 1, ULONG_MAX, domain);
		if (rc)
			goto out_reserved;
	}

	rc = xa_reserve(&iopt->domains, iopt->next_domain_id, GFP_KERNEL);
	if (rc)
		goto out_reserved;

	rc = iopt_fill_domain(iopt, domain);
	if (rc)
		goto out_release;

	WRITE_ONCE(iopt->iova_alignment, new_iova_alignment);
	xa_store(&iopt->domains, iopt->next_domain_id, domain, GFP_KERNEL);
	iopt->next_domain_id++;
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return 0;
out_release:
	xa_release(&iopt->domains, iopt->next_domain_id);
out_reserved:
	__iopt_remove_reserved_iova(iopt, domain);
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}

/*
 * The IOVA granularity is the largest of: every domain's smallest page,
 * every access's need, and PAGE_SIZE when large pages are disabled (each
 * PAGE_SIZE is then mapped on its own, see batch_iommu_map_small()).
 */
static int iopt_calculate_iova_alignment(struct io_pagetable *iopt)
{
	unsigned long new_iova_alignment;
	struct iommufd_access *access;
	struct iommu_domain *domain;
	unsigned long index;

	lockdep_assert_held_write(&iopt->iova_rwsem);
	lockdep_assert_held(&iopt->domains_rwsem);

	if (iopt->disable_large_pages)
		new_iova_alignment = PAGE_SIZE;
	else
		new_iova_alignment = 1;

	xa_for_each(&iopt->domains, index, domain)
		new_iova_alignment = max_t(unsigned long,
					   1UL << __ffs(domain->pgsize_bitmap),
					   new_iova_alignment);
	xa_for_each(&iopt->access_list, index, access)
		new_iova_alignment = max_t(unsigned long, access->iova_alignment,
					   new_iova_alignment);

	if (new_iova_alignment > iopt->iova_alignment) {
		int rc;

		rc = iopt_check_iova_alignment(iopt, new_iova_alignment);
		if (rc)
			return rc;
	}
	WRITE_ONCE(iopt->iova_alignment, new_iova_alignment);
	return 0;
}

void iopt_table_remove_domain(struct io_pagetable *iopt, struct iommu_domain *domain)
{
	struct iommu_domain *iter_domain = NULL;
	unsigned long index;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);

	xa_for_each(&iopt->domains, index, iter_domain)
		if (iter_domain == domain)
			break;
	if (WARN_ON(iter_domain != domain) || index >= iopt->next_domain_id)
		goto out_unlock;

	/*
	 * Keep the domain IDs dense (0 is the storage fallback): move the
	 * last entry into the hole.
	 */
	iopt->next_domain_id--;
	iter_domain = (struct iommu_domain *)xa_erase(&iopt->domains, iopt->next_domain_id);
	if (index != iopt->next_domain_id)
		xa_store(&iopt->domains, index, iter_domain, GFP_KERNEL);

	iopt_unfill_domain(iopt, domain);
	__iopt_remove_reserved_iova(iopt, domain);

	WARN_ON(iopt_calculate_iova_alignment(iopt));
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
}

/*
 * Split @area so that @iova becomes the last byte of the left part; both
 * halves keep the same iopt_pages. This serves VFIO type1 compatibility,
 * where userspace may punch holes into mappings.
 */
static int iopt_area_split(struct iopt_area *area, unsigned long iova)
{
	unsigned long alignment = area->iopt->iova_alignment;
	unsigned long last_iova = iopt_area_last_iova(area);
	unsigned long start_iova = iopt_area_iova(area);
	unsigned long new_start = iova + 1;
	struct io_pagetable *iopt = area->iopt;
	struct iopt_pages *pages = area->pages;
	struct iopt_area *lhs;
	struct iopt_area *rhs;
	int rc;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (iova == start_iova || iova == last_iova)
		return 0;

	if (!pages || area->prevent_access)
		return -EBUSY;

	/*
	 * dma-buf revoke tracking is per area, so such an area is never cut;
	 * upstream's dma-buf series refuses the same way (core-dmabuf.md).
	 */
	if (iopt_is_dmabuf(pages))
		return -EOPNOTSUPP;

	if (new_start & (alignment - 1) ||
	    iopt_area_start_byte(area, new_start) & (alignment - 1))
		return -EINVAL;

	lhs = iopt_area_alloc();
	if (!lhs)
		return -ENOMEM;

	rhs = iopt_area_alloc();
	if (!rhs) {
		rc = -ENOMEM;
		goto err_free_lhs;
	}

	mutex_lock(&pages->mutex);
	/* Access pins are recorded per exact range; they cannot be split. */
	if (area->num_accesses) {
		rc = -EINVAL;
		goto err_unlock;
	}

	/* A domain may hold this range in large pages that cannot be cut. */
	if (area->storage_domain && !iopt->disable_large_pages) {
		rc = -EINVAL;
		goto err_unlock;
	}

	interval_tree_remove(&area->node, &iopt->area_itree);
	rc = iopt_insert_area(iopt, lhs, area->pages, start_iova,
			      iopt_area_start_byte(area, start_iova),
			      (new_start - 1) - start_iova + 1, area->iommu_prot);
	if (WARN_ON(rc))
		goto err_insert;

	rc = iopt_insert_area(iopt, rhs, area->pages, new_start,
			      iopt_area_start_byte(area, new_start), last_iova - new_start + 1,
			      area->iommu_prot);
	if (WARN_ON(rc))
		goto err_remove_lhs;

	if (area->storage_domain) {
		interval_tree_remove(&area->pages_node, &pages->domains_itree);
		interval_tree_insert(&lhs->pages_node, &pages->domains_itree);
		interval_tree_insert(&rhs->pages_node, &pages->domains_itree);
	}

	lhs->storage_domain = area->storage_domain;
	lhs->pages = area->pages;
	rhs->storage_domain = area->storage_domain;
	rhs->pages = area->pages;
	kref_get(&rhs->pages->kref);
	kfree(area);
	mutex_unlock(&pages->mutex);

	/* Same pages, same PFNs: domains and accesses need no update. */
	return 0;

err_remove_lhs:
	interval_tree_remove(&lhs->node, &iopt->area_itree);
err_insert:
	interval_tree_insert(&area->node, &iopt->area_itree);
err_unlock:
	mutex_unlock(&pages->mutex);
	kfree(rhs);
err_free_lhs:
	kfree(lhs);
	return rc;
}

/* Make each of @iovas the last byte of an area, splitting as needed. */
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas, size_t num_iovas)
{
	int rc = 0;
	size_t i;

	down_write(&iopt->iova_rwsem);
	for (i = 0; i < num_iovas; i++) {
		struct iopt_area *area;

		area = iopt_area_iter_first(iopt, iovas[i], iovas[i]);
		if (!area)
			continue;
		rc = iopt_area_split(area, iovas[i]);
		if (rc)
			break;
	}
	up_write(&iopt->iova_rwsem);
	return rc;
}

void iopt_enable_large_pages(struct io_pagetable *iopt)
{
	int rc;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	WRITE_ONCE(iopt->disable_large_pages, false);
	rc = iopt_calculate_iova_alignment(iopt);
	WARN_ON(rc);
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
}

int iopt_disable_large_pages(struct io_pagetable *iopt)
{
	int rc = 0;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (iopt->disable_large_pages)
		goto out_unlock;

	/* Mappings already in a domain may be large pages: too late. */
	if (!xa_empty(&iopt->domains) && !RB_EMPTY_ROOT(&iopt->area_itree.rb_root)) {
		rc = -EINVAL;
		goto out_unlock;
	}

	WRITE_ONCE(iopt->disable_large_pages, true);
	rc = iopt_calculate_iova_alignment(iopt);
	if (rc)
		WRITE_ONCE(iopt->disable_large_pages, false);
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}

int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access)
{
	u32 new_id;
	int rc;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	rc = xa_alloc(&iopt->access_list, &new_id, access, xa_limit_16b, GFP_KERNEL_ACCOUNT);
	if (rc)
		goto out_unlock;

	rc = iopt_calculate_iova_alignment(iopt);
	if (rc) {
		xa_erase(&iopt->access_list, new_id);
		goto out_unlock;
	}
	access->iopt_access_list_id = new_id;

out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}

void iopt_remove_access(struct io_pagetable *iopt, struct iommufd_access *access,
			u32 iopt_access_list_id)
{
	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	WARN_ON(xa_erase(&iopt->access_list, iopt_access_list_id) != access);
	WARN_ON(iopt_calculate_iova_alignment(iopt));
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
}

/*
 * Reserve the regions @dev's IOMMU cannot translate (MSI windows, direct
 * mapped ranges), owned by @dev. Reports where the software MSI window
 * is through @sw_msi_start.
 */
int iopt_table_enforce_dev_resv_regions(struct io_pagetable *iopt, struct device *dev,
					phys_addr_t *sw_msi_start)
{
	struct iommu_resv_region *resv;
	LIST_HEAD(resv_regions);
	unsigned int num_hw_msi = 0;
	unsigned int num_sw_msi = 0;
	int rc;

	if (iommufd_should_fail())
		return -EINVAL;

	down_write(&iopt->iova_rwsem);
	iommu_get_resv_regions(dev, &resv_regions);

	list_for_each_entry(resv, &resv_regions, list) {
		if (resv->type == IOMMU_RESV_DIRECT_RELAXABLE)
			continue;

		if (sw_msi_start && resv->type == IOMMU_RESV_MSI)
			num_hw_msi++;
		if (sw_msi_start && resv->type == IOMMU_RESV_SW_MSI) {
			*sw_msi_start = resv->start;
			num_sw_msi++;
		}

		rc = iopt_reserve_iova(iopt, resv->start, resv->length - 1 + resv->start, dev);
		if (rc)
			goto out_reserved;
	}

	/* A driver offering both MSI kinds, or two SW windows, is broken. */
	if (WARN_ON(num_sw_msi && num_hw_msi) || WARN_ON(num_sw_msi > 1)) {
		rc = -EINVAL;
		goto out_reserved;
	}

	rc = 0;
	goto out_free_resv;

out_reserved:
	__iopt_remove_reserved_iova(iopt, dev);
out_free_resv:
	iommu_put_resv_regions(dev, &resv_regions);
	up_write(&iopt->iova_rwsem);
	return rc;
}
