// SPDX-License-Identifier: GPL-2.0
/*
 * iopt_pages: where PFNs come from, where they are kept, and who pays.
 *
 * An iopt_pages is a logical array of npages PFNs, indexed from 0. A PFN
 * can sit in three places, cheapest to read first:
 *  1. the pinned_pfns xarray, filled only for indexes an access holds;
 *  2. an iommu_domain an area over the index is mapped into (read back
 *     with iommu_iova_to_phys());
 *  3. its origin, the user VA range or the memfd, by pinning it.
 * An index is pinned exactly once while access_itree or domains_itree
 * covers it, and unpinned when the last interval over it goes away.
 *
 * PFNs travel in a pfn_batch, a run-length list (pfn, count) that keeps
 * contiguous memory together so domains can use large pages. Two rules
 * shape the code:
 *  - Every iommu_map() covers one contiguous PFN run, and every
 *    iommu_unmap() must cover whole iommu_map() calls. Unmapping thus
 *    only ever cuts where the PFNs are discontiguous, reading ahead in the
 *    domain when it has to stop inside a run ("carry").
 *  - Tear-down cannot fail: unmap and unpin paths fall back to a small
 *    on-stack batch when memory is short, and a domain is always
 *    unmapped before the pages under it are unpinned.
 * Charging the owner (RLIMIT_MEMLOCK) happens after pinning, once the
 * number of new pins is known; if it fails everything just pinned is
 * released again. npinned counts pins, last_npinned what was charged.
 *
 * The temporary buffers (batches, page lists) are capped at
 * iommufd_test_memory_limit bytes, so the selftests can force the
 * chunking paths with tiny limits. "last" is inclusive, "end" exclusive.
 */
#include "core/io_pagetable.h"
#include "core/iommu.h"


#define BATCH_BACKUP_SIZE 32

/*
 * A temporary buffer of up to *size bytes (updated to what was really
 * given). Only a performance aid, so it settles for less; with @backup it
 * cannot fail, which the tear-down paths rely on.
 */
static void *temp_kmalloc(size_t *size, void *backup, size_t backup_len)
{
	void *res;

	if (WARN_ON(*size == 0))
		return NULL;

	if (*size < backup_len)
		return backup;

	if (!backup && iommufd_should_fail())
		return NULL;

	*size = min_t(size_t, *size, iommufd_test_memory_limit);
	res = kmalloc(*size, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
	if (res)
		return res;
	*size = PAGE_SIZE;
	if (backup_len) {
		res = kmalloc(*size, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
		if (res)
			return res;
		*size = backup_len;
		return backup;
	}
	return kmalloc(*size, GFP_KERNEL);
}

static void iopt_pages_add_npinned(struct iopt_pages *pages, size_t npages)
{
	int overflow;

	overflow = check_add_overflow(pages->npinned, npages, &pages->npinned);
	WARN_ON(overflow || pages->npinned > pages->npages);
}

static void iopt_pages_sub_npinned(struct iopt_pages *pages, size_t npages)
{
	int overflow;

	overflow = check_sub_overflow(pages->npinned, npages, &pages->npinned);
	WARN_ON(overflow || pages->npinned > pages->npages);
}

static void iopt_pages_err_unpin(struct iopt_pages *pages, unsigned long start_index,
				 unsigned long last_index, struct page **page_list)
{
	unsigned long npages = last_index - start_index + 1;

	unpin_user_pages(page_list, npages);
	iopt_pages_sub_npinned(pages, npages);
}

/*
 * IOVA of the first byte of page @index within @area. Only the area's
 * first page can start mid-page (page_offset).
 */
static unsigned long iopt_area_index_to_iova(struct iopt_area *area, unsigned long index)
{
	WARN_ON(index < iopt_area_index(area) || index > iopt_area_last_index(area));
	index -= iopt_area_index(area);
	if (index == 0)
		return iopt_area_iova(area);
	return iopt_area_iova(area) - area->page_offset + index * PAGE_SIZE;
}

/* IOVA of the last byte of page @index within @area. */
static unsigned long iopt_area_index_to_iova_last(struct iopt_area *area, unsigned long index)
{
	WARN_ON(index < iopt_area_index(area) || index > iopt_area_last_index(area));
	if (index == iopt_area_last_index(area))
		return iopt_area_last_iova(area);
	return iopt_area_iova(area) - area->page_offset +
	       (index - iopt_area_index(area) + 1) * PAGE_SIZE - 1;
}

/*
 * Unmapping is never allowed to fail or to come up short: the driver got
 * exactly the ranges it mapped. Anything else is a bug here or there.
 */
static void iommu_unmap_nofail(struct iommu_domain *domain, unsigned long iova, size_t size)
{
	size_t ret;

	ret = iommu_unmap(domain, iova, size);
	WARN_ON(ret != size);
}

static void iopt_area_unmap_domain_range(struct iopt_area *area, struct iommu_domain *domain,
					 unsigned long start_index, unsigned long last_index)
{
	unsigned long start_iova = iopt_area_index_to_iova(area, start_index);

	iommu_unmap_nofail(domain, start_iova,
			   iopt_area_index_to_iova_last(area, last_index) - start_iova + 1);
}

static struct iopt_area *iopt_pages_find_domain_area(struct iopt_pages *pages,
						     unsigned long index)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&pages->domains_itree, index, index);
	if (!node)
		return NULL;
	return container_of(node, struct iopt_area, pages_node);
}

/*
 * A run-length list of PFNs: entry i is npfns[i] PFNs from pfns[i]. Both
 * arrays share one allocation. A batch fills up only when a PFN would
 * need a new entry, so a full batch always ends where the PFNs jump.
 */
struct pfn_batch {
	unsigned long *pfns;
	u32 *npfns;
	unsigned int array_size;
	unsigned int end;
	unsigned int total_pfns;
};

static void batch_clear(struct pfn_batch *batch)
{
	batch->total_pfns = 0;
	batch->end = 0;
	batch->pfns[0] = 0;
	batch->npfns[0] = 0;
}

/*
 * Empty the batch except the last @keep_pfns PFNs of its last entry, which
 * become entry 0 (read ahead and already unmapped, still to be unpinned).
 */
static void batch_clear_carry(struct pfn_batch *batch, unsigned int keep_pfns)
{
	unsigned long first_kept;

	if (!keep_pfns)
		return batch_clear(batch);

	WARN_ON(!batch->end || batch->npfns[batch->end - 1] < keep_pfns);

	first_kept = batch->pfns[batch->end - 1] + (batch->npfns[batch->end - 1] - keep_pfns);
	batch->pfns[0] = first_kept;
	batch->npfns[0] = keep_pfns;
	batch->total_pfns = keep_pfns;
	batch->end = 1;
}

/* Drop up to @skip_pfns from the front of a carry (a single entry). */
static void batch_skip_carry(struct pfn_batch *batch, unsigned int skip_pfns)
{
	if (!batch->total_pfns)
		return;
	WARN_ON(batch->total_pfns != batch->npfns[0]);
	skip_pfns = min(batch->total_pfns, skip_pfns);
	batch->pfns[0] += skip_pfns;
	batch->npfns[0] -= skip_pfns;
	batch->total_pfns -= skip_pfns;
	/* no empty entry may stay behind: later PFNs would be appended after it */
	if (!batch->total_pfns)
		batch_clear(batch);
}

static int __batch_init(struct pfn_batch *batch, size_t max_pages, void *backup,
			size_t backup_len)
{
	const size_t elmsz = sizeof(*batch->pfns) + sizeof(*batch->npfns);
	size_t size = max_pages * elmsz;

	batch->pfns = (unsigned long *)temp_kmalloc(&size, backup, backup_len);
	if (!batch->pfns)
		return -ENOMEM;
	if (WARN_ON(size < elmsz))
		return -EINVAL;
	batch->array_size = size / elmsz;
	batch->npfns = (u32 *)(batch->pfns + batch->array_size);
	batch_clear(batch);
	return 0;
}

static int batch_init(struct pfn_batch *batch, size_t max_pages)
{
	return __batch_init(batch, max_pages, NULL, 0);
}

static void batch_init_backup(struct pfn_batch *batch, size_t max_pages, void *backup,
			      size_t backup_len)
{
	__batch_init(batch, max_pages, backup, backup_len);
}

static void batch_destroy(struct pfn_batch *batch, void *backup)
{
	if (batch->pfns != backup)
		kfree(batch->pfns);
}

/* false when the batch is full */
static bool batch_add_pfn(struct pfn_batch *batch, unsigned long pfn)
{
	const unsigned int MAX_NPFNS = UINT32_MAX;

	if (batch->end && pfn == batch->pfns[batch->end - 1] + batch->npfns[batch->end - 1] &&
	    batch->npfns[batch->end - 1] != MAX_NPFNS) {
		batch->npfns[batch->end - 1]++;
		batch->total_pfns++;
		return true;
	}
	if (batch->end == batch->array_size)
		return false;
	batch->total_pfns++;
	batch->pfns[batch->end] = pfn;
	batch->npfns[batch->end] = 1;
	batch->end++;
	return true;
}

/*
 * Append the PFNs of indexes [start_index, last_index] as @domain maps
 * them through @area, until the batch is full.
 */
static void batch_from_domain(struct pfn_batch *batch, struct iommu_domain *domain,
			      struct iopt_area *area, unsigned long start_index,
			      unsigned long last_index)
{
	unsigned int page_offset = 0;
	unsigned long iova;
	phys_addr_t phys;

	iova = iopt_area_index_to_iova(area, start_index);
	if (start_index == iopt_area_index(area))
		page_offset = area->page_offset;
	while (start_index <= last_index) {
		phys = iommu_iova_to_phys(domain, iova) - page_offset;
		if (!batch_add_pfn(batch, PHYS_PFN(phys)))
			return;
		iova += PAGE_SIZE - page_offset;
		page_offset = 0;
		start_index++;
	}
}

static struct page **raw_pages_from_domain(struct iommu_domain *domain, struct iopt_area *area,
					   unsigned long start_index, unsigned long last_index,
					   struct page **out_pages)
{
	unsigned int page_offset = 0;
	unsigned long iova;
	phys_addr_t phys;

	iova = iopt_area_index_to_iova(area, start_index);
	if (start_index == iopt_area_index(area))
		page_offset = area->page_offset;
	while (start_index <= last_index) {
		phys = iommu_iova_to_phys(domain, iova) - page_offset;
		*(out_pages++) = pfn_to_page(PHYS_PFN(phys));
		iova += PAGE_SIZE - page_offset;
		page_offset = 0;
		start_index++;
	}
	return out_pages;
}

/* Extend only the batch's last run, stopping where the PFNs jump. */
static void batch_from_domain_continue(struct pfn_batch *batch, struct iommu_domain *domain,
				       struct iopt_area *area, unsigned long start_index,
				       unsigned long last_index)
{
	unsigned int array_size = batch->array_size;

	batch->array_size = batch->end;
	batch_from_domain(batch, domain, area, start_index, last_index);
	batch->array_size = array_size;
}

/*
 * With large pages disabled (VFIO type1 compatibility, which lets
 * userspace unmap part of a mapping) every PAGE_SIZE is its own
 * iommu_map(), so any page boundary is a legal unmap cut.
 */
static int batch_iommu_map_small(struct iommu_domain *domain, unsigned long iova,
				 phys_addr_t paddr, size_t size, int prot)
{
	unsigned long start_iova = iova;
	int rc;

	WARN_ON(paddr % PAGE_SIZE || iova % PAGE_SIZE || size % PAGE_SIZE);

	while (size) {
		rc = iommu_map(domain, iova, paddr, PAGE_SIZE, prot, GFP_KERNEL_ACCOUNT);
		if (rc)
			goto err_unmap;
		iova += PAGE_SIZE;
		paddr += PAGE_SIZE;
		size -= PAGE_SIZE;
	}
	return 0;

err_unmap:
	if (start_iova != iova)
		iommu_unmap_nofail(domain, start_iova, iova - start_iova);
	return rc;
}

/*
 * Map the batch into @domain at the IOVA of index @start_index of @area,
 * one iommu_map() per run. On failure nothing of the batch stays mapped.
 */
static int batch_to_domain(struct pfn_batch *batch, struct iommu_domain *domain,
			   struct iopt_area *area, unsigned long start_index)
{
	bool disable_large_pages = area->iopt->disable_large_pages;
	unsigned long last_iova = iopt_area_last_iova(area);
	unsigned int page_offset = 0;
	unsigned long start_iova;
	unsigned long next_iova;
	unsigned int cur = 0;
	unsigned long iova;
	int rc;

	if (start_index == iopt_area_index(area))
		page_offset = area->page_offset;
	next_iova = iova = start_iova = iopt_area_index_to_iova(area, start_index);
	while (cur < batch->end) {
		next_iova = min(last_iova + 1,
				next_iova + batch->npfns[cur] * PAGE_SIZE - page_offset);
		if (disable_large_pages)
			rc = batch_iommu_map_small(domain, iova,
						   PFN_PHYS(batch->pfns[cur]) + page_offset,
						   next_iova - iova, area->iommu_prot);
		else
			rc = iommu_map(domain, iova, PFN_PHYS(batch->pfns[cur]) + page_offset,
				       next_iova - iova, area->iommu_prot, GFP_KERNEL_ACCOUNT);
		if (rc)
			goto err_unmap;
		iova = next_iova;
		page_offset = 0;
		cur++;
	}
	return 0;
err_unmap:
	if (start_iova != iova)
		iommu_unmap_nofail(domain, start_iova, iova - start_iova);
	return rc;
}

static void batch_from_xarray(struct pfn_batch *batch, struct xarray *xa,
			      unsigned long start_index, unsigned long last_index)
{
	for (; start_index <= last_index; start_index++) {
		void *entry = xa_load(xa, start_index);

		WARN_ON(!xa_is_value(entry));
		if (!batch_add_pfn(batch, xa_to_value(entry)))
			break;
	}
}

/* Like batch_from_xarray(), also removing what made it into the batch. */
static void batch_from_xarray_clear(struct pfn_batch *batch, struct xarray *xa,
				    unsigned long start_index, unsigned long last_index)
{
	for (; start_index <= last_index; start_index++) {
		void *entry = xa_load(xa, start_index);

		WARN_ON(!xa_is_value(entry));
		if (!batch_add_pfn(batch, xa_to_value(entry)))
			break;
		xa_erase(xa, start_index);
	}
}

static void clear_xarray(struct xarray *xa, unsigned long start_index, unsigned long last_index)
{
	for (; start_index <= last_index; start_index++)
		xa_erase(xa, start_index);
}

/* Record @pages at [start_index, last_index]; on failure nothing stays. */
static int pages_to_xarray(struct xarray *xa, unsigned long start_index,
			   unsigned long last_index, struct page **pages)
{
	unsigned long npages = last_index - start_index + 1;
	unsigned long i;
	int rc;

	for (i = 0; i != npages; i++) {
		void *old;

		/* One injection point in the middle of every fill. */
		if (i == npages / 2 && iommufd_should_fail()) {
			rc = -EINVAL;
			goto err_clear;
		}

		old = xa_store(xa, start_index + i, xa_mk_value(page_to_pfn(pages[i])),
			       GFP_KERNEL);
		if (xa_is_err(old)) {
			rc = xa_err(old);
			goto err_clear;
		}
		WARN_ON(old);
	}
	return 0;

err_clear:
	if (i)
		clear_xarray(xa, start_index, start_index + i - 1);
	return rc;
}

static void batch_from_pages(struct pfn_batch *batch, struct page **pages, size_t npages)
{
	struct page **end = pages + npages;

	for (; pages != end; pages++)
		if (!batch_add_pfn(batch, page_to_pfn(*pages)))
			break;
}

/* Unpin @npages of the batch, skipping its first @first_page_off PFNs. */
static void batch_unpin(struct pfn_batch *batch, struct iopt_pages *pages,
			unsigned int first_page_off, size_t npages)
{
	unsigned int cur = 0;

	while (first_page_off) {
		if (batch->npfns[cur] > first_page_off)
			break;
		first_page_off -= batch->npfns[cur];
		cur++;
	}

	while (npages) {
		size_t to_unpin = min_t(size_t, npages, batch->npfns[cur] - first_page_off);

		unpin_user_page_range_dirty_lock(pfn_to_page(batch->pfns[cur] + first_page_off),
						 to_unpin, pages->writable);
		iopt_pages_sub_npinned(pages, to_unpin);
		cur++;
		first_page_off = 0;
		npages -= to_unpin;
	}
}

static unsigned long batch_rw(struct pfn_batch *batch, void *data, unsigned long offset,
			      unsigned long length, unsigned int flags)
{
	unsigned long copied = 0;
	unsigned int npage = 0;
	unsigned int cur = 0;

	while (cur < batch->end) {
		unsigned long bytes = min(length, PAGE_SIZE - offset);

		copy_data_page(pfn_to_page(batch->pfns[cur] + npage), data, offset, bytes,
			       flags);
		offset = 0;
		length -= bytes;
		data = (u8 *)data + bytes;
		copied += bytes;
		npage++;
		if (npage == batch->npfns[cur]) {
			npage = 0;
			cur++;
		}
		if (!length)
			break;
	}
	return copied;
}

/*
 * ---- the origin of the PFNs: pinning ----
 */
struct pfn_reader_user {
	struct page **upages;
	size_t upages_len;
	unsigned long upages_start;
	unsigned long upages_end;
	unsigned int gup_flags;
	/* -1: nothing held; 0: an mmget() on source_mm; 1: also its mmap_lock */
	int locked;
};

static void pfn_reader_user_init(struct pfn_reader_user *user, struct iopt_pages *pages)
{
	user->upages = NULL;
	user->upages_len = 0;
	user->upages_start = 0;
	user->upages_end = 0;
	user->locked = -1;

	user->gup_flags = FOLL_LONGTERM;
	if (pages->writable)
		user->gup_flags |= FOLL_WRITE;
}

static void pfn_reader_user_destroy(struct pfn_reader_user *user, struct iopt_pages *pages)
{
	if (user->locked != -1) {
		if (user->locked)
			mmap_read_unlock(pages->source_mm);
		if (pages->source_mm != current->mm)
			mmput(pages->source_mm);
		user->locked = -1;
	}

	kfree(user->upages);
	user->upages = NULL;
}

/* Pin from @start_index on, as many pages up to @last_index as fit. */
static int pfn_reader_user_pin(struct pfn_reader_user *user, struct iopt_pages *pages,
			       unsigned long start_index, unsigned long last_index)
{
	bool remote_mm = pages->source_mm != current->mm;
	unsigned long npages;
	uintptr_t uptr;
	long rc;

	if (WARN_ON(last_index < start_index))
		return -EINVAL;

	if (!user->upages) {
		/* released by pfn_reader_user_destroy() */
		user->upages_len = (last_index - start_index + 1) * sizeof(*user->upages);
		user->upages = (struct page **)temp_kmalloc(&user->upages_len, NULL, 0);
		if (!user->upages)
			return -ENOMEM;
	}

	if (pages->type == IOPT_ADDRESS_USER && user->locked == -1) {
		/* The usual case is the owner mapping its own memory: no mm ref. */
		if (remote_mm) {
			if (!mmget_not_zero(pages->source_mm))
				return -EFAULT;
		}
		user->locked = 0;
	}

	npages = min_t(unsigned long, last_index - start_index + 1,
		       user->upages_len / sizeof(*user->upages));

	if (iommufd_should_fail())
		return -EFAULT;

	if (pages->type == IOPT_ADDRESS_FILE) {
		rc = iopt_memfd_pin(pages, start_index, npages, user->gup_flags, user->upages);
	} else {
		uptr = (uintptr_t)pages->uptr + start_index * PAGE_SIZE;
		if (!remote_mm) {
			rc = pin_user_pages_fast(uptr, npages, user->gup_flags, user->upages);
		} else {
			if (!user->locked) {
				mmap_read_lock(pages->source_mm);
				user->locked = 1;
			}
			rc = pin_user_pages_remote(pages->source_mm, uptr, npages,
						   user->gup_flags, user->upages, &user->locked);
		}
	}
	if (rc <= 0) {
		if (WARN_ON(!rc))
			return -EFAULT;
		return rc;
	}
	iopt_pages_add_npinned(pages, rc);
	user->upages_start = start_index;
	user->upages_end = start_index + rc;
	return 0;
}

/* Per-user charging against RLIMIT_MEMLOCK, as io_uring does it. */
static int incr_user_locked_vm(struct iopt_pages *pages, unsigned long npages)
{
	unsigned long lock_limit;
	unsigned long cur_pages;
	unsigned long new_pages;

	lock_limit = task_rlimit(pages->source_task, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	do {
		cur_pages = atomic_long_read(&pages->source_user->locked_vm);
		new_pages = cur_pages + npages;
		if (new_pages > lock_limit)
			return -ENOMEM;
	} while (atomic_long_cmpxchg(&pages->source_user->locked_vm, cur_pages, new_pages) !=
		 (long)cur_pages);
	return 0;
}

static void decr_user_locked_vm(struct iopt_pages *pages, unsigned long npages)
{
	if (WARN_ON(atomic_long_read(&pages->source_user->locked_vm) < (long)npages))
		return;
	atomic_long_sub(npages, &pages->source_user->locked_vm);
}

/* Per-mm charging of mm->locked_vm, as VFIO type1 does it. */
static int update_mm_locked_vm(struct iopt_pages *pages, unsigned long npages, bool inc,
			       struct pfn_reader_user *user)
{
	bool do_put = false;
	int rc;

	if (user && user->locked == 1) {
		/* the mmap_lock is needed for write; our mmget stays */
		mmap_read_unlock(pages->source_mm);
		user->locked = 0;
	} else if ((!user || user->locked == -1) && pages->source_mm != current->mm) {
		if (!mmget_not_zero(pages->source_mm))
			return -EINVAL;
		do_put = true;
	}

	mmap_write_lock(pages->source_mm);
	rc = __account_locked_vm(pages->source_mm, npages, inc, pages->source_task, false);
	mmap_write_unlock(pages->source_mm);

	if (do_put)
		mmput(pages->source_mm);
	return rc;
}

static int do_update_pinned(struct iopt_pages *pages, unsigned long npages, bool inc,
			    struct pfn_reader_user *user)
{
	int rc = 0;

	switch (pages->account_mode) {
	case IOPT_PAGES_ACCOUNT_NONE:
		break;
	case IOPT_PAGES_ACCOUNT_USER:
		if (inc)
			rc = incr_user_locked_vm(pages, npages);
		else
			decr_user_locked_vm(pages, npages);
		break;
	case IOPT_PAGES_ACCOUNT_MM:
		rc = update_mm_locked_vm(pages, npages, inc, user);
		break;
	}
	if (rc)
		return rc;

	pages->last_npinned = pages->npinned;
	if (inc)
		atomic64_add(npages, &pages->source_mm->pinned_vm);
	else
		atomic64_sub(npages, &pages->source_mm->pinned_vm);
	return 0;
}

int iopt_pages_update_pinned(struct iopt_pages *pages, unsigned long npages, bool inc)
{
	return do_update_pinned(pages, npages, inc, NULL);
}

/* After unpinning: refund what is no longer pinned. */
static void update_unpinned(struct iopt_pages *pages)
{
	if (WARN_ON(pages->npinned > pages->last_npinned))
		return;
	if (pages->npinned == pages->last_npinned)
		return;
	do_update_pinned(pages, pages->last_npinned - pages->npinned, false, NULL);
}

/*
 * Charge (or refund) the difference pinning made. Counting new pins in
 * advance would need a walk of the trees; instead a failed charge makes
 * the caller unpin what it just pinned.
 */
static int pfn_reader_user_update_pinned(struct pfn_reader_user *user,
					 struct iopt_pages *pages)
{
	unsigned long npages;
	bool inc;

	lockdep_assert_held(&pages->mutex);

	if (pages->npinned == pages->last_npinned)
		return 0;

	if (pages->npinned < pages->last_npinned) {
		npages = pages->last_npinned - pages->npinned;
		inc = false;
	} else {
		if (iommufd_should_fail())
			return -ENOMEM;
		npages = pages->npinned - pages->last_npinned;
		inc = true;
	}
	return do_update_pinned(pages, npages, inc, user);
}

/*
 * ---- pfn_reader: the PFNs of a range, from the cheapest tier ----
 *
 * Walks [start, last] in batches: xarray spans (an access has them),
 * domain spans (read back from an area's storage domain), and holes
 * (pinned from the origin now).
 */
struct pfn_reader {
	struct iopt_pages *pages;
	struct interval_tree_double_span_iter span;
	struct pfn_batch batch;
	unsigned long batch_start_index;
	unsigned long batch_end_index;
	unsigned long last_index;

	struct pfn_reader_user user;
};

static int pfn_reader_update_pinned(struct pfn_reader *pfns)
{
	return pfn_reader_user_update_pinned(&pfns->user, pfns->pages);
}

/* Unpin the batch's PFNs that no access or domain holds any more. */
static void pfn_reader_unpin(struct pfn_reader *pfns)
{
	unsigned long last = pfns->batch_end_index - 1;
	unsigned long start = pfns->batch_start_index;
	struct interval_tree_double_span_iter span;
	struct iopt_pages *pages = pfns->pages;

	lockdep_assert_held(&pages->mutex);

	interval_tree_for_each_double_span(&span, &pages->access_itree, &pages->domains_itree,
					   start, last) {
		if (span.is_used)
			continue;

		batch_unpin(&pfns->batch, pages, span.start_hole - start,
			    span.last_hole - span.start_hole + 1);
	}
}

/* Add PFNs from the current span, from whichever tier holds it. */
static int pfn_reader_fill_span(struct pfn_reader *pfns)
{
	struct interval_tree_double_span_iter *span = &pfns->span;
	unsigned long start_index = pfns->batch_end_index;
	struct iopt_area *area;
	int rc;

	if (WARN_ON(span->last_used < start_index))
		return -EINVAL;

	if (span->is_used == 1) {
		batch_from_xarray(&pfns->batch, &pfns->pages->pinned_pfns, start_index,
				  span->last_used);
		return 0;
	}

	if (span->is_used == 2) {
		/*
		 * Take what one area's domain covers; a span wider than the
		 * area brings us back here for the next area.
		 */
		area = iopt_pages_find_domain_area(pfns->pages, start_index);
		if (WARN_ON(!area))
			return -EINVAL;

		/* storage_domain is stable under pages->mutex */
		batch_from_domain(&pfns->batch, area->storage_domain, area, start_index,
				  min(iopt_area_last_index(area), span->last_used));
		return 0;
	}

	if (start_index >= pfns->user.upages_end) {
		rc = pfn_reader_user_pin(&pfns->user, pfns->pages, start_index, span->last_hole);
		if (rc)
			return rc;
	}

	batch_from_pages(&pfns->batch, pfns->user.upages + (start_index - pfns->user.upages_start),
			 pfns->user.upages_end - start_index);
	return 0;
}

static bool pfn_reader_done(struct pfn_reader *pfns)
{
	return pfns->batch_start_index == pfns->last_index + 1;
}

/* Refill the batch with the PFNs that follow the previous batch. */
static int pfn_reader_next(struct pfn_reader *pfns)
{
	int rc;

	batch_clear(&pfns->batch);
	pfns->batch_start_index = pfns->batch_end_index;

	while (pfns->batch_end_index != pfns->last_index + 1) {
		unsigned int npfns = pfns->batch.total_pfns;

		if (WARN_ON(interval_tree_double_span_iter_done(&pfns->span)))
			return -EINVAL;

		rc = pfn_reader_fill_span(pfns);
		if (rc)
			return rc;

		if (WARN_ON(!pfns->batch.total_pfns))
			return -EINVAL;

		pfns->batch_end_index = pfns->batch_start_index + pfns->batch.total_pfns;
		if (pfns->batch_end_index == pfns->span.last_used + 1)
			interval_tree_double_span_iter_next(&pfns->span);

		/* nothing fitted: the batch is full */
		if (npfns == pfns->batch.total_pfns)
			return 0;
	}
	return 0;
}

static int pfn_reader_init(struct pfn_reader *pfns, struct iopt_pages *pages,
			   unsigned long start_index, unsigned long last_index)
{
	int rc;

	lockdep_assert_held(&pages->mutex);

	pfns->pages = pages;
	pfns->batch_start_index = start_index;
	pfns->batch_end_index = start_index;
	pfns->last_index = last_index;
	pfn_reader_user_init(&pfns->user, pages);
	rc = batch_init(&pfns->batch, last_index - start_index + 1);
	if (rc)
		return rc;
	interval_tree_double_span_iter_first(&pfns->span, &pages->access_itree,
					     &pages->domains_itree, start_index, last_index);
	return 0;
}

/*
 * Give back the pins the reader holds that nobody took over: pages pinned
 * but not yet in a batch, and the current batch's pages no interval
 * covers. Error paths call it before unmapping what earlier batches did.
 */
static void pfn_reader_release_pins(struct pfn_reader *pfns)
{
	struct iopt_pages *pages = pfns->pages;

	if (pfns->user.upages_end > pfns->batch_end_index) {
		size_t npages = pfns->user.upages_end - pfns->batch_end_index;

		unpin_user_pages(pfns->user.upages +
					 (pfns->batch_end_index - pfns->user.upages_start),
				 npages);
		iopt_pages_sub_npinned(pages, npages);
		pfns->user.upages_end = pfns->batch_end_index;
	}
	if (pfns->batch_start_index != pfns->batch_end_index) {
		pfn_reader_unpin(pfns);
		pfns->batch_start_index = pfns->batch_end_index;
	}
}

static void pfn_reader_destroy(struct pfn_reader *pfns)
{
	struct iopt_pages *pages = pfns->pages;

	pfn_reader_release_pins(pfns);
	pfn_reader_user_destroy(&pfns->user, pfns->pages);
	batch_destroy(&pfns->batch, NULL);
	WARN_ON(pages->last_npinned != pages->npinned);
}

static int pfn_reader_first(struct pfn_reader *pfns, struct iopt_pages *pages,
			    unsigned long start_index, unsigned long last_index)
{
	int rc;

	if (WARN_ON(last_index < start_index))
		return -EINVAL;

	rc = pfn_reader_init(pfns, pages, start_index, last_index);
	if (rc)
		return rc;
	rc = pfn_reader_next(pfns);
	if (rc) {
		pfn_reader_destroy(pfns);
		return rc;
	}
	return 0;
}

/*
 * ---- allocation ----
 */
struct iopt_pages *iopt_alloc_pages(unsigned long start_byte, unsigned long length,
				    bool writable)
{
	struct iopt_pages *pages;

	/* iommu lengths are size_t; also keeps DIV_ROUND_UP() from overflowing */
	if (length > SIZE_MAX - PAGE_SIZE || length == 0)
		return (struct iopt_pages *)ERR_PTR(-EINVAL);

	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return (struct iopt_pages *)ERR_PTR(-ENOMEM);

	kref_init(&pages->kref);
	xa_init_flags(&pages->pinned_pfns, XA_FLAGS_ACCOUNT);
	mutex_init(&pages->mutex);
	pages->source_mm = current->mm;
	mmgrab(pages->source_mm);
	pages->npages = DIV_ROUND_UP(length + start_byte, PAGE_SIZE);
	pages->access_itree = RB_ROOT_CACHED;
	pages->domains_itree = RB_ROOT_CACHED;
	pages->writable = writable;
	if (capable(CAP_IPC_LOCK))
		pages->account_mode = IOPT_PAGES_ACCOUNT_NONE;
	else
		pages->account_mode = IOPT_PAGES_ACCOUNT_USER;
	/* rlimits belong to the process, not the thread */
	pages->source_task = current->group_leader;
	get_task_struct(pages->source_task);
	pages->source_user = get_uid(current_user());
	return pages;
}

struct iopt_pages *iopt_alloc_user_pages(void __user *uptr, unsigned long length, bool writable)
{
	struct iopt_pages *pages;
	unsigned long end;
	void __user *uptr_down = (void __user *)ALIGN_DOWN((uintptr_t)uptr, PAGE_SIZE);

	if (check_add_overflow((unsigned long)uptr, length, &end))
		return (struct iopt_pages *)ERR_PTR(-EOVERFLOW);

	pages = iopt_alloc_pages((uintptr_t)uptr - (uintptr_t)uptr_down, length, writable);
	if (IS_ERR(pages))
		return pages;
	pages->uptr = uptr_down;
	pages->type = IOPT_ADDRESS_USER;
	return pages;
}

struct iopt_pages *iopt_alloc_file_pages(int fd, unsigned long start_byte, unsigned long start,
					 unsigned long length, bool writable)
{
	struct iopt_pages *pages;
	struct iopt_memfd *mf;

	mf = iopt_memfd_get(fd, start - start_byte, start_byte + length, writable);
	if (IS_ERR(mf))
		return (struct iopt_pages *)mf;

	pages = iopt_alloc_pages(start_byte, length, writable);
	if (IS_ERR(pages)) {
		iopt_memfd_release(mf);
		return pages;
	}
	pages->file = mf;
	pages->start = start - start_byte;
	pages->type = IOPT_ADDRESS_FILE;
	return pages;
}

void iopt_release_pages(struct kref *kref)
{
	struct iopt_pages *pages = container_of(kref, struct iopt_pages, kref);

	WARN_ON(!RB_EMPTY_ROOT(&pages->access_itree.rb_root));
	WARN_ON(!RB_EMPTY_ROOT(&pages->domains_itree.rb_root));
	WARN_ON(pages->npinned);
	WARN_ON(!xa_empty(&pages->pinned_pfns));
	mmdrop(pages->source_mm);
	mutex_destroy(&pages->mutex);
	put_task_struct(pages->source_task);
	free_uid(pages->source_user);
	if (iopt_is_dmabuf(pages))
		iopt_dmabuf_release(pages);
	else if (pages->type == IOPT_ADDRESS_FILE)
		iopt_memfd_release(pages->file);
	kfree(pages);
}

/*
 * ---- domains ----
 */

/*
 * Unpin hole [start_index, last_index] (nobody else holds it) of @area,
 * unmapping from @domain first. *unmapped_end_index is how far the domain
 * has been unmapped; the batch carries PFNs of [start_index,
 * *unmapped_end_index) read ahead earlier. Unmaps end only where the PFNs
 * jump (or at @real_last_index, the area's end).
 */
static void iopt_area_unpin_domain(struct pfn_batch *batch, struct iopt_area *area,
				   struct iopt_pages *pages, struct iommu_domain *domain,
				   unsigned long start_index, unsigned long last_index,
				   unsigned long *unmapped_end_index,
				   unsigned long real_last_index)
{
	while (start_index <= last_index) {
		unsigned long batch_last_index;

		if (*unmapped_end_index <= last_index) {
			unsigned long start = max(start_index, *unmapped_end_index);

			WARN_ON(batch->total_pfns &&
				*unmapped_end_index - batch->total_pfns != start_index);
			batch_from_domain(batch, domain, area, start, last_index);
			batch_last_index = start_index + batch->total_pfns - 1;
		} else {
			batch_last_index = last_index;
		}

		/*
		 * Stopping at the end of the hole may be inside a run the
		 * domain mapped in one go: read on to where the run ends.
		 */
		if (batch_last_index == last_index && last_index != real_last_index &&
		    *unmapped_end_index <= last_index + 1)
			batch_from_domain_continue(batch, domain, area, last_index + 1,
						   real_last_index);

		if (*unmapped_end_index <= batch_last_index) {
			iopt_area_unmap_domain_range(area, domain, *unmapped_end_index,
						     start_index + batch->total_pfns - 1);
			*unmapped_end_index = start_index + batch->total_pfns;
		}

		/* only now that the IOMMU cannot reach them */
		batch_unpin(batch, pages, 0, batch_last_index - start_index + 1);
		start_index = batch_last_index + 1;

		batch_clear_carry(batch, *unmapped_end_index - batch_last_index - 1);
	}
}

static void __iopt_area_unfill_domain(struct iopt_area *area, struct iopt_pages *pages,
				      struct iommu_domain *domain, unsigned long last_index)
{
	struct interval_tree_double_span_iter span;
	unsigned long start_index = iopt_area_index(area);
	unsigned long unmapped_end_index = start_index;
	u64 backup[BATCH_BACKUP_SIZE];
	struct pfn_batch batch;

	lockdep_assert_held(&pages->mutex);

	/*
	 * Spans still used by another domain or an access are unmapped (as
	 * part of the next unmap, or the tail one below) but not unpinned;
	 * holes are unmapped, then unpinned.
	 */
	batch_init_backup(&batch, last_index + 1, backup, sizeof(backup));
	interval_tree_for_each_double_span(&span, &pages->domains_itree, &pages->access_itree,
					   start_index, last_index) {
		if (span.is_used) {
			batch_skip_carry(&batch, span.last_used - span.start_used + 1);
			continue;
		}
		iopt_area_unpin_domain(&batch, area, pages, domain, span.start_hole,
				       span.last_hole, &unmapped_end_index, last_index);
	}
	if (unmapped_end_index != last_index + 1)
		iopt_area_unmap_domain_range(area, domain, unmapped_end_index, last_index);
	WARN_ON(batch.total_pfns);
	batch_destroy(&batch, backup);
	update_unpinned(pages);
}

static void iopt_area_unfill_partial_domain(struct iopt_area *area, struct iopt_pages *pages,
					    struct iommu_domain *domain, unsigned long end_index)
{
	if (end_index != iopt_area_index(area))
		__iopt_area_unfill_domain(area, pages, domain, end_index - 1);
}

/*
 * Unmap @area from @domain without unpinning: the caller knows another
 * domain still holds the PFNs.
 */
void iopt_area_unmap_domain(struct iopt_area *area, struct iommu_domain *domain)
{
	if (iopt_is_dmabuf(area->pages))
		return iopt_dmabuf_unmap_domain(area, domain);
	iommu_unmap_nofail(domain, iopt_area_iova(area), iopt_area_length(area));
}

/*
 * Unmap @area from @domain (already out of domains_itree) and unpin what
 * no access still holds.
 */
void iopt_area_unfill_domain(struct iopt_area *area, struct iopt_pages *pages,
			     struct iommu_domain *domain)
{
	if (iopt_is_dmabuf(pages))
		return iopt_dmabuf_unfill_domain(area, pages, domain);
	__iopt_area_unfill_domain(area, pages, domain, iopt_area_last_index(area));
}

/* Map @area's PFNs into a newly attached @domain. */
int iopt_area_fill_domain(struct iopt_area *area, struct iommu_domain *domain)
{
	unsigned long done_end_index = iopt_area_index(area);
	struct pfn_reader pfns;
	int rc;

	lockdep_assert_held(&area->pages->mutex);
	if (iopt_is_dmabuf(area->pages))
		return iopt_dmabuf_fill_domain(area, domain);

	rc = pfn_reader_first(&pfns, area->pages, iopt_area_index(area),
			      iopt_area_last_index(area));
	if (rc)
		return rc;

	while (!pfn_reader_done(&pfns)) {
		done_end_index = pfns.batch_start_index;
		rc = batch_to_domain(&pfns.batch, domain, area, pfns.batch_start_index);
		if (rc)
			goto out_unmap;
		done_end_index = pfns.batch_end_index;

		rc = pfn_reader_next(&pfns);
		if (rc)
			goto out_unmap;
	}

	rc = pfn_reader_update_pinned(&pfns);
	if (rc)
		goto out_unmap;
	goto out_destroy;

out_unmap:
	pfn_reader_release_pins(&pfns);
	iopt_area_unfill_partial_domain(area, area->pages, domain, done_end_index);
out_destroy:
	pfn_reader_destroy(&pfns);
	return rc;
}

/*
 * Map a new @area (not yet in domains_itree) into every domain of its
 * io_pagetable and make the first its storage. On failure every domain
 * is as before and nothing stays pinned.
 */
int iopt_area_fill_domains(struct iopt_area *area, struct iopt_pages *pages)
{
	unsigned long done_first_end_index = iopt_area_index(area);
	unsigned long done_all_end_index = iopt_area_index(area);
	struct iommu_domain *domain;
	unsigned long unmap_index;
	struct pfn_reader pfns;
	unsigned long index = 0;
	int rc;

	lockdep_assert_held(&area->iopt->domains_rwsem);

	if (xa_empty(&area->iopt->domains))
		return 0;
	if (iopt_is_dmabuf(pages))
		return iopt_dmabuf_fill_domains(area, pages);

	mutex_lock(&pages->mutex);
	rc = pfn_reader_first(&pfns, pages, iopt_area_index(area), iopt_area_last_index(area));
	if (rc)
		goto out_unlock;

	while (!pfn_reader_done(&pfns)) {
		done_first_end_index = pfns.batch_end_index;
		done_all_end_index = pfns.batch_start_index;
		xa_for_each(&area->iopt->domains, index, domain) {
			rc = batch_to_domain(&pfns.batch, domain, area, pfns.batch_start_index);
			if (rc)
				goto out_unmap;
		}
		done_all_end_index = done_first_end_index;

		rc = pfn_reader_next(&pfns);
		if (rc)
			goto out_unmap;
	}
	rc = pfn_reader_update_pinned(&pfns);
	if (rc)
		goto out_unmap;

	area->storage_domain = (struct iommu_domain *)xa_load(&area->iopt->domains, 0);
	interval_tree_insert(&area->pages_node, &pages->domains_itree);
	goto out_destroy;

out_unmap:
	pfn_reader_release_pins(&pfns);
	xa_for_each(&area->iopt->domains, unmap_index, domain) {
		unsigned long end_index;

		/* domains before the failing one also got the current batch */
		if (unmap_index < index)
			end_index = done_first_end_index;
		else
			end_index = done_all_end_index;

		/*
		 * The area is not in domains_itree, so the PFNs are held by
		 * nothing but these domains: the last one unpins, the others
		 * only unmap.
		 */
		if (unmap_index != area->iopt->next_domain_id - 1) {
			if (end_index != iopt_area_index(area))
				iopt_area_unmap_domain_range(area, domain, iopt_area_index(area),
							     end_index - 1);
		} else {
			iopt_area_unfill_partial_domain(area, pages, domain, end_index);
		}
	}
out_destroy:
	pfn_reader_destroy(&pfns);
out_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}

/*
 * Unmap @area (its ->pages already NULL) from all its domains and unpin
 * what nothing else holds.
 */
void iopt_area_unfill_domains(struct iopt_area *area, struct iopt_pages *pages)
{
	struct io_pagetable *iopt = area->iopt;
	struct iommu_domain *domain;
	unsigned long index;

	lockdep_assert_held(&iopt->domains_rwsem);
	if (iopt_is_dmabuf(pages))
		return iopt_dmabuf_unfill_domains(area, pages);

	mutex_lock(&pages->mutex);
	if (!area->storage_domain)
		goto out_unlock;

	xa_for_each(&iopt->domains, index, domain)
		if (domain != area->storage_domain)
			iopt_area_unmap_domain_range(area, domain, iopt_area_index(area),
						     iopt_area_last_index(area));

	interval_tree_remove(&area->pages_node, &pages->domains_itree);
	iopt_area_unfill_domain(area, pages, area->storage_domain);
	area->storage_domain = NULL;
out_unlock:
	mutex_unlock(&pages->mutex);
}

/*
 * ---- the xarray tier, for accesses ----
 */
static void iopt_pages_unpin_xarray(struct pfn_batch *batch, struct iopt_pages *pages,
				    unsigned long start_index, unsigned long end_index)
{
	while (start_index <= end_index) {
		batch_from_xarray_clear(batch, &pages->pinned_pfns, start_index, end_index);
		batch_unpin(batch, pages, 0, batch->total_pfns);
		start_index += batch->total_pfns;
		batch_clear(batch);
	}
}

/*
 * An access gave up [start_index, last_index] (already out of
 * access_itree): drop the xarray entries nobody else needs, unpinning
 * those no domain holds either.
 */
void iopt_pages_unfill_xarray(struct iopt_pages *pages, unsigned long start_index,
			      unsigned long last_index)
{
	struct interval_tree_double_span_iter span;
	u64 backup[BATCH_BACKUP_SIZE];
	struct pfn_batch batch;
	bool batch_inited = false;

	lockdep_assert_held(&pages->mutex);

	interval_tree_for_each_double_span(&span, &pages->access_itree, &pages->domains_itree,
					   start_index, last_index) {
		if (!span.is_used) {
			if (!batch_inited) {
				batch_init_backup(&batch, last_index - start_index + 1, backup,
						  sizeof(backup));
				batch_inited = true;
			}
			iopt_pages_unpin_xarray(&batch, pages, span.start_hole, span.last_hole);
		} else if (span.is_used == 2) {
			/* a domain keeps these pinned; the xarray copy can go */
			clear_xarray(&pages->pinned_pfns, span.start_used, span.last_used);
		}
		/* is_used == 1: another access still needs the entries */
	}
	if (batch_inited)
		batch_destroy(&batch, backup);
	update_unpinned(pages);
}

/*
 * Read PFNs straight from the xarray; the caller holds an access over the
 * whole range, so they are all there.
 */
void iopt_pages_fill_from_xarray(struct iopt_pages *pages, unsigned long start_index,
				 unsigned long last_index, struct page **out_pages)
{
	for (; start_index <= last_index; start_index++) {
		void *entry = xa_load(&pages->pinned_pfns, start_index);

		WARN_ON(!xa_is_value(entry));
		*(out_pages++) = pfn_to_page(xa_to_value(entry));
	}
}

static int iopt_pages_fill_from_domain(struct iopt_pages *pages, unsigned long start_index,
				       unsigned long last_index, struct page **out_pages)
{
	while (start_index != last_index + 1) {
		unsigned long domain_last;
		struct iopt_area *area;

		area = iopt_pages_find_domain_area(pages, start_index);
		if (WARN_ON(!area))
			return -EINVAL;

		domain_last = min(iopt_area_last_index(area), last_index);
		out_pages = raw_pages_from_domain(area->storage_domain, area, start_index,
						  domain_last, out_pages);
		start_index = domain_last + 1;
	}
	return 0;
}

static int iopt_pages_fill_from_mm(struct iopt_pages *pages, struct pfn_reader_user *user,
				   unsigned long start_index, unsigned long last_index,
				   struct page **out_pages)
{
	unsigned long cur_index = start_index;
	int rc;

	while (cur_index != last_index + 1) {
		/* pin straight into the caller's array */
		user->upages = out_pages + (cur_index - start_index);
		rc = pfn_reader_user_pin(user, pages, cur_index, last_index);
		if (rc)
			goto out_unpin;
		cur_index = user->upages_end;
	}
	return 0;

out_unpin:
	if (start_index != cur_index)
		iopt_pages_err_unpin(pages, start_index, cur_index - 1, out_pages);
	return rc;
}

/*
 * Make sure [start_index, last_index] is in the xarray (pinning what is
 * not pinned yet) and return the pages in @out_pages. On failure the
 * xarray and the pins are as before.
 */
int iopt_pages_fill_xarray(struct iopt_pages *pages, unsigned long start_index,
			   unsigned long last_index, struct page **out_pages)
{
	struct interval_tree_double_span_iter span;
	unsigned long xa_end = start_index;
	struct pfn_reader_user user;
	int rc;

	lockdep_assert_held(&pages->mutex);

	pfn_reader_user_init(&user, pages);
	user.upages_len = (last_index - start_index + 1) * sizeof(*out_pages);
	interval_tree_for_each_double_span(&span, &pages->access_itree, &pages->domains_itree,
					   start_index, last_index) {
		struct page **cur_pages;

		if (span.is_used == 1) {
			cur_pages = out_pages + (span.start_used - start_index);
			iopt_pages_fill_from_xarray(pages, span.start_used, span.last_used,
						    cur_pages);
			continue;
		}

		if (span.is_used == 2) {
			cur_pages = out_pages + (span.start_used - start_index);
			iopt_pages_fill_from_domain(pages, span.start_used, span.last_used,
						    cur_pages);
			rc = pages_to_xarray(&pages->pinned_pfns, span.start_used,
					     span.last_used, cur_pages);
			if (rc)
				goto out_clean_xa;
			xa_end = span.last_used + 1;
			continue;
		}

		cur_pages = out_pages + (span.start_hole - start_index);
		rc = iopt_pages_fill_from_mm(pages, &user, span.start_hole, span.last_hole,
					     cur_pages);
		if (rc)
			goto out_clean_xa;
		rc = pages_to_xarray(&pages->pinned_pfns, span.start_hole, span.last_hole,
				     cur_pages);
		if (rc) {
			iopt_pages_err_unpin(pages, span.start_hole, span.last_hole, cur_pages);
			goto out_clean_xa;
		}
		xa_end = span.last_hole + 1;
	}
	rc = pfn_reader_user_update_pinned(&user, pages);
	if (rc)
		goto out_clean_xa;
	user.upages = NULL;
	pfn_reader_user_destroy(&user, pages);
	return 0;

out_clean_xa:
	if (start_index != xa_end)
		iopt_pages_unfill_xarray(pages, start_index, xa_end - 1);
	user.upages = NULL;
	pfn_reader_user_destroy(&user, pages);
	return rc;
}

/*
 * CPU access the thorough way (the fast paths are in access.cc): read the
 * PFNs exactly as a domain would see them, pinning what is not pinned for
 * the length of the copy.
 */
int iopt_pages_rw_slow(struct iopt_pages *pages, unsigned long start_index,
		       unsigned long last_index, unsigned long offset, void *data,
		       unsigned long length, unsigned int flags)
{
	struct pfn_reader pfns;
	int rc;

	mutex_lock(&pages->mutex);

	rc = pfn_reader_first(&pfns, pages, start_index, last_index);
	if (rc)
		goto out_unlock;

	while (!pfn_reader_done(&pfns)) {
		unsigned long done;

		done = batch_rw(&pfns.batch, data, offset, length, flags);
		data = (u8 *)data + done;
		length -= done;
		offset = 0;
		pfn_reader_unpin(&pfns);

		rc = pfn_reader_next(&pfns);
		if (rc)
			goto out_destroy;
	}
	if (WARN_ON(length != 0))
		rc = -EINVAL;
out_destroy:
	pfn_reader_destroy(&pfns);
out_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}
