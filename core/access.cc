// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel accesses to an IOAS: emulated devices (and the selftest's
 * access objects) that read and write IOVA with the CPU instead of DMA.
 *
 * An access is attached to at most one IOAS. It pins ranges with
 * iommufd_access_pin_pages(), which records an iopt_pages_access interval
 * (kept in the pinned_pfns xarray, so later readers find the pages without
 * pinning again) and bumps area->num_accesses; iommufd_access_unpin_pages()
 * must then be called with exactly the same range. Unmapping IOVA that an
 * access holds first calls the access's ops->unmap() so the driver drops
 * its pins (iommufd_access_notify_unmap()); the unmap retries until it
 * does.
 *
 * An access that needs pin_pages raises the IOAS's IOVA alignment to
 * PAGE_SIZE, so every area it can see starts and ends on page boundaries.
 *
 * iommufd_access_rw() copies with the CPU: through the owner's own mapping
 * when it can (ignoring pin state, as a CPU would), page by page for
 * another address space, or through pages.cc's pfn reader (memfds, and
 * whenever __IOMMUFD_ACCESS_RW_SLOW_PATH asks for it).
 *
 * Lock order: access->ioas_lock -> iopt->domains_rwsem -> iopt->iova_rwsem
 * -> pages->mutex. ops->unmap() is called with none of them held.
 */
#include "core/io_pagetable.h"
#include "core/iommu.h"

static struct iopt_pages_access *iopt_pages_get_exact_access(struct iopt_pages *pages,
							     unsigned long index,
							     unsigned long last)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&pages->mutex);

	/* Intervals of different accesses may overlap: look for the exact one. */
	for (node = interval_tree_iter_first(&pages->access_itree, index, last); node;
	     node = interval_tree_iter_next(node, index, last))
		if (node->start == index && node->last == last)
			return container_of(node, struct iopt_pages_access, node);
	return NULL;
}

/*
 * Record that an access uses pages [start_index, last_index] of @area,
 * pinning them if needed, and return them in @out_pages. Undone by
 * iopt_area_remove_access() with the same range.
 */
int iopt_area_add_access(struct iopt_area *area, unsigned long start_index,
			 unsigned long last_index, struct page **out_pages, unsigned int flags)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_pages_access *access;
	int rc;

	if ((flags & IOMMUFD_ACCESS_RW_WRITE) && !pages->writable)
		return -EPERM;

	/* dma-buf PFNs are not pinnable pages: no accesses */
	if (iopt_is_dmabuf(pages))
		return -EINVAL;

	mutex_lock(&pages->mutex);
	access = iopt_pages_get_exact_access(pages, start_index, last_index);
	if (access) {
		area->num_accesses++;
		access->users++;
		iopt_pages_fill_from_xarray(pages, start_index, last_index, out_pages);
		mutex_unlock(&pages->mutex);
		return 0;
	}

	access = kzalloc(sizeof(*access), GFP_KERNEL_ACCOUNT);
	if (!access) {
		rc = -ENOMEM;
		goto err_unlock;
	}

	rc = iopt_pages_fill_xarray(pages, start_index, last_index, out_pages);
	if (rc)
		goto err_free;

	access->node.start = start_index;
	access->node.last = last_index;
	access->users = 1;
	area->num_accesses++;
	interval_tree_insert(&access->node, &pages->access_itree);
	mutex_unlock(&pages->mutex);
	return 0;

err_free:
	kfree(access);
err_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}

/* Drop one use of [start_index, last_index]; the last user unpins. */
void iopt_area_remove_access(struct iopt_area *area, unsigned long start_index,
			     unsigned long last_index)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_pages_access *access;

	mutex_lock(&pages->mutex);
	access = iopt_pages_get_exact_access(pages, start_index, last_index);
	if (WARN_ON(!access))
		goto out_unlock;

	WARN_ON(area->num_accesses == 0 || access->users == 0);
	area->num_accesses--;
	access->users--;
	if (access->users)
		goto out_unlock;

	interval_tree_remove(&access->node, &pages->access_itree);
	iopt_pages_unfill_xarray(pages, start_index, last_index);
	kfree(access);
out_unlock:
	mutex_unlock(&pages->mutex);
}

/* One page of another address space: pin it just for the copy. */
static int iopt_pages_rw_page(struct iopt_pages *pages, unsigned long index,
			      unsigned long offset, void *data, unsigned long length,
			      unsigned int flags)
{
	struct page *page = NULL;
	int locked = 1;
	int rc;

	if (!mmget_not_zero(pages->source_mm))
		return iopt_pages_rw_slow(pages, index, index, offset, data, length, flags);

	if (iommufd_should_fail()) {
		rc = -EINVAL;
		goto out_mmput;
	}

	mmap_read_lock(pages->source_mm);
	rc = pin_user_pages_remote(pages->source_mm,
				   (uintptr_t)pages->uptr + index * PAGE_SIZE, 1,
				   (flags & IOMMUFD_ACCESS_RW_WRITE) ? FOLL_WRITE : 0, &page,
				   &locked);
	if (locked)
		mmap_read_unlock(pages->source_mm);
	if (rc != 1) {
		if (WARN_ON(rc >= 0))
			rc = -EINVAL;
		goto out_mmput;
	}
	copy_data_page(page, data, offset, length, flags);
	unpin_user_page(page);
	rc = 0;

out_mmput:
	mmput(pages->source_mm);
	return rc;
}

/*
 * Copy @length bytes at byte @start_byte of @pages to (RW_WRITE) or from
 * @data. The owner's own mapping is used directly when possible, which
 * ignores pin state the way a CPU would.
 */
int iopt_pages_rw_access(struct iopt_pages *pages, unsigned long start_byte, void *data,
			 unsigned long length, unsigned int flags)
{
	unsigned long start_index = start_byte / PAGE_SIZE;
	unsigned long last_index = (start_byte + length - 1) / PAGE_SIZE;
	bool change_mm = current->mm != pages->source_mm;
	int rc = 0;

	if (flags & __IOMMUFD_ACCESS_RW_SLOW_PATH)
		change_mm = true;

	if ((flags & IOMMUFD_ACCESS_RW_WRITE) && !pages->writable)
		return -EPERM;

	/* dma-buf memory may have no struct pages to copy through */
	if (iopt_is_dmabuf(pages))
		return -EINVAL;

	if (pages->type != IOPT_ADDRESS_USER)
		return iopt_pages_rw_slow(pages, start_index, last_index, start_byte % PAGE_SIZE,
					  data, length, flags);

	if (!(flags & IOMMUFD_ACCESS_RW_KTHREAD) && change_mm) {
		if (start_index == last_index)
			return iopt_pages_rw_page(pages, start_index, start_byte % PAGE_SIZE, data,
						  length, flags);
		return iopt_pages_rw_slow(pages, start_index, last_index, start_byte % PAGE_SIZE,
					  data, length, flags);
	}

	if (change_mm) {
		if (!mmget_not_zero(pages->source_mm))
			return iopt_pages_rw_slow(pages, start_index, last_index,
						  start_byte % PAGE_SIZE, data, length, flags);
		kthread_use_mm(pages->source_mm);
	}

	if (flags & IOMMUFD_ACCESS_RW_WRITE) {
		if (copy_to_user((u8 __user *)pages->uptr + start_byte, data, length))
			rc = -EFAULT;
	} else {
		if (copy_from_user(data, (u8 __user *)pages->uptr + start_byte, length))
			rc = -EFAULT;
	}

	if (change_mm) {
		kthread_unuse_mm(pages->source_mm);
		mmput(pages->source_mm);
	}

	return rc;
}

/*
 * Move @access from its IOAS to @new_ioas (either may be NULL). On success
 * the users reference moves along with it. Before the old IOAS is left,
 * the driver is told to drop every pin it has there.
 */
static int iommufd_access_change_ioas(struct iommufd_access *access,
				      struct iommufd_ioas *new_ioas)
{
	u32 iopt_access_list_id = access->iopt_access_list_id;
	struct iommufd_ioas *cur_ioas = access->ioas;
	int rc;

	lockdep_assert_held(&access->ioas_lock);

	/* A concurrent detach is in the middle of its ops->unmap() call. */
	if (cur_ioas != access->ioas_unpin)
		return -EBUSY;

	if (cur_ioas == new_ioas)
		return 0;

	/* New pins are refused from here on; unpins still find ioas_unpin. */
	access->ioas = NULL;

	if (new_ioas) {
		rc = iopt_add_access(&new_ioas->iopt, access);
		if (rc) {
			access->ioas = cur_ioas;
			return rc;
		}
		refcount_inc(&new_ioas->obj.users);
	}

	if (cur_ioas) {
		if (access->ops->unmap) {
			mutex_unlock(&access->ioas_lock);
			access->ops->unmap(access->data, 0, ULONG_MAX);
			mutex_lock(&access->ioas_lock);
		}
		iopt_remove_access(&cur_ioas->iopt, access, iopt_access_list_id);
		refcount_dec(&cur_ioas->obj.users);
	}

	access->ioas = new_ioas;
	access->ioas_unpin = new_ioas;

	return 0;
}

static int iommufd_access_change_ioas_id(struct iommufd_access *access, u32 id)
{
	struct iommufd_ioas *ioas = iommufd_get_ioas(access->ictx, id);
	int rc;

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iommufd_access_change_ioas(access, ioas);
	iommufd_put_object(access->ictx, &ioas->obj);
	return rc;
}

void iommufd_access_destroy_object(struct iommufd_object *obj)
{
	struct iommufd_access *access = container_of(obj, struct iommufd_access, obj);

	mutex_lock(&access->ioas_lock);
	if (access->ioas)
		WARN_ON(iommufd_access_change_ioas(access, NULL));
	mutex_unlock(&access->ioas_lock);
	mutex_destroy(&access->ioas_lock);
	iommufd_ctx_put(access->ictx);
}

/*
 * Internal accesses belong to an object of the core (a HW queue pinning
 * guest queue memory), not to a driver: no ID, no context reference, and
 * their pins lock the areas (area->num_locks), so IOAS_UNMAP of a pinned
 * range is -EBUSY rather than a request to let go.
 */
static void iommufd_access_internal_unmap(void *data, unsigned long iova,
					  unsigned long length)
{
	/* Locked areas are never unmapped; other ranges are not ours. */
}

static const struct iommufd_access_ops iommufd_access_internal_ops = {
	.needs_pin_pages = 1,
	.unmap = iommufd_access_internal_unmap,
};

static bool iommufd_access_is_internal(struct iommufd_access *access)
{
	return access->ops == &iommufd_access_internal_ops;
}

static void iopt_area_lock_access(struct iopt_area *area, bool lock)
{
	mutex_lock(&area->pages->mutex);
	if (lock)
		area->num_locks++;
	else if (!WARN_ON(!area->num_locks))
		area->num_locks--;
	mutex_unlock(&area->pages->mutex);
}

struct iommufd_access *iommufd_access_create_internal(struct iommufd_ctx *ictx)
{
	struct iommufd_access *access;

	access = (struct iommufd_access *)kzalloc(sizeof(*access), GFP_KERNEL_ACCOUNT);
	if (!access)
		return ERR_PTR(-ENOMEM);
	access->obj.type = IOMMUFD_OBJ_ACCESS;
	refcount_set(&access->obj.users, 1);
	refcount_set(&access->obj.wait_cnt, 1);
	access->ictx = ictx;
	access->ops = &iommufd_access_internal_ops;
	access->iova_alignment = PAGE_SIZE;
	mutex_init(&access->ioas_lock);
	return access;
}

void iommufd_access_destroy_internal(struct iommufd_ctx *ictx, struct iommufd_access *access)
{
	mutex_lock(&access->ioas_lock);
	if (access->ioas)
		WARN_ON(iommufd_access_change_ioas(access, NULL));
	mutex_unlock(&access->ioas_lock);
	mutex_destroy(&access->ioas_lock);
	kfree(access);
}

int iommufd_access_attach_internal(struct iommufd_access *access, struct iommufd_ioas *ioas)
{
	int rc;

	mutex_lock(&access->ioas_lock);
	if (WARN_ON(access->ioas)) {
		mutex_unlock(&access->ioas_lock);
		return -EINVAL;
	}
	rc = iommufd_access_change_ioas(access, ioas);
	mutex_unlock(&access->ioas_lock);
	return rc;
}

void iommufd_access_detach_internal(struct iommufd_access *access)
{
	mutex_lock(&access->ioas_lock);
	if (!WARN_ON(!access->ioas))
		WARN_ON(iommufd_access_change_ioas(access, NULL));
	mutex_unlock(&access->ioas_lock);
}

/*
 * Create an access for a driver that will read/write an IOAS with the
 * CPU. @ops->unmap is mandatory for drivers that pin pages
 * (@ops->needs_pin_pages). The access is an object with an ID (no uAPI
 * uses it) and the driver holds a users reference until
 * iommufd_access_destroy().
 */
struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data, u32 *id)
{
	struct iommufd_access *access;

	access = iommufd_object_alloc(ictx, access, IOMMUFD_OBJ_ACCESS);
	if (IS_ERR(access))
		return access;

	access->data = data;
	access->ops = ops;

	if (ops->needs_pin_pages)
		access->iova_alignment = PAGE_SIZE;
	else
		access->iova_alignment = 1;

	/* the driver's reference, dropped by iommufd_access_destroy() */
	refcount_inc(&access->obj.users);
	access->ictx = ictx;
	iommufd_ctx_get(ictx);
	mutex_init(&access->ioas_lock);
	iommufd_object_finalize(ictx, &access->obj);
	*id = access->obj.id;
	return access;
}

/* The driver must have stopped using the access. */
void iommufd_access_destroy(struct iommufd_access *access)
{
	iommufd_object_destroy_user(access->ictx, &access->obj);
}

void iommufd_access_detach(struct iommufd_access *access)
{
	mutex_lock(&access->ioas_lock);
	if (WARN_ON(!access->ioas)) {
		mutex_unlock(&access->ioas_lock);
		return;
	}
	WARN_ON(iommufd_access_change_ioas(access, NULL));
	mutex_unlock(&access->ioas_lock);
}

int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id)
{
	int rc;

	mutex_lock(&access->ioas_lock);
	if (WARN_ON(access->ioas)) {
		mutex_unlock(&access->ioas_lock);
		return -EINVAL;
	}

	rc = iommufd_access_change_ioas_id(access, ioas_id);
	mutex_unlock(&access->ioas_lock);
	return rc;
}

int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id)
{
	int rc;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas) {
		mutex_unlock(&access->ioas_lock);
		return -ENOENT;
	}
	rc = iommufd_access_change_ioas_id(access, ioas_id);
	mutex_unlock(&access->ioas_lock);
	return rc;
}

/*
 * Ask every access on @iopt to drop its pins in [iova, iova + length).
 * Called by unmap with no locks held; each callback must unpin before
 * returning. iommufd_access_destroy() waits for a callback in flight (the
 * short-term object reference), so no callback runs after it.
 */
void iommufd_access_notify_unmap(struct io_pagetable *iopt, unsigned long iova,
				 unsigned long length)
{
	struct iommufd_ioas *ioas = container_of(iopt, struct iommufd_ioas, iopt);
	struct iommufd_access *access;
	unsigned long index;

	xa_lock(&ioas->iopt.access_list);
	xa_for_each(&ioas->iopt.access_list, index, access) {
		if (!iommufd_lock_obj(&access->obj))
			continue;
		xa_unlock(&ioas->iopt.access_list);

		access->ops->unmap(access->data, iova, length);

		iommufd_put_object(access->ictx, &access->obj);
		xa_lock(&ioas->iopt.access_list);
	}
	xa_unlock(&ioas->iopt.access_list);
}

/*
 * Undo iommufd_access_pin_pages() for exactly the same [iova, iova +
 * length). The caller has stopped using the pages.
 */
void iommufd_access_unpin_pages(struct iommufd_access *access, unsigned long iova,
				unsigned long length)
{
	struct iopt_area_contig_iter iter;
	struct io_pagetable *iopt;
	unsigned long last_iova;
	struct iopt_area *area;

	if (WARN_ON(!length) || WARN_ON(check_add_overflow(iova, length - 1, &last_iova)))
		return;

	mutex_lock(&access->ioas_lock);
	/* Unpinning with no IOAS attached is a driver bug. */
	if (WARN_ON(!access->ioas_unpin)) {
		mutex_unlock(&access->ioas_lock);
		return;
	}
	iopt = &access->ioas_unpin->iopt;

	down_read(&iopt->iova_rwsem);
	iopt_for_each_contig_area(&iter, area, iopt, iova, last_iova) {
		if (iommufd_access_is_internal(access))
			iopt_area_lock_access(area, false);
		iopt_area_remove_access(area, iopt_area_iova_to_index(area, iter.cur_iova),
					iopt_area_iova_to_index(area,
								min(last_iova,
								    iopt_area_last_iova(area))));
	}
	WARN_ON(!iopt_area_contig_done(&iter));
	up_read(&iopt->iova_rwsem);
	mutex_unlock(&access->ioas_lock);
}

/*
 * pin_pages hands out whole pages, so each area's piece of the range must
 * start on a page boundary, and end on one unless it is the range's end.
 */
static bool iopt_area_contig_is_aligned(struct iopt_area_contig_iter *iter)
{
	if (iopt_area_start_byte(iter->area, iter->cur_iova) % PAGE_SIZE)
		return false;

	if (!iopt_area_contig_done(iter) &&
	    (iopt_area_start_byte(iter->area, iopt_area_last_iova(iter->area)) % PAGE_SIZE) !=
		    (PAGE_SIZE - 1))
		return false;
	return true;
}

static bool check_area_prot(struct iopt_area *area, unsigned int flags)
{
	if (flags & IOMMUFD_ACCESS_RW_WRITE)
		return area->iommu_prot & IOMMU_WRITE;
	return area->iommu_prot & IOMMU_READ;
}

/*
 * The start pin_pages and rw share: check [@iova, @iova + @length) and
 * take the attached IOAS under ioas_lock, which the caller then owns.
 * -EINVAL for an empty range, -EOVERFLOW if it wraps, -ENOENT when no IOAS
 * is attached.
 */
static struct io_pagetable *access_lock_iopt(struct iommufd_access *access,
					     unsigned long iova, unsigned long length,
					     unsigned long *last_iova)
{
	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(iova, length - 1, last_iova))
		return ERR_PTR(-EOVERFLOW);

	mutex_lock(&access->ioas_lock);
	if (!access->ioas) {
		mutex_unlock(&access->ioas_lock);
		return ERR_PTR(-ENOENT);
	}
	return &access->ioas->iopt;
}

/*
 * Pin the pages under [iova, iova + length) and return them in @out_pages
 * (one per PAGE_SIZE). Balance with iommufd_access_unpin_pages(). @iova
 * must be page aligned in the areas' pages: natural when the IOAS
 * alignment is PAGE_SIZE, which such accesses impose.
 */
int iommufd_access_pin_pages(struct iommufd_access *access, unsigned long iova,
			     unsigned long length, struct page **out_pages, unsigned int flags)
{
	struct iopt_area_contig_iter iter;
	struct io_pagetable *iopt;
	unsigned long last_iova;
	struct iopt_area *area;
	int rc;

	/* Only accesses created with needs_pin_pages and an unmap op may pin. */
	if (WARN_ON(access->iova_alignment != PAGE_SIZE || !access->ops->unmap))
		return -EINVAL;

	iopt = access_lock_iopt(access, iova, length, &last_iova);
	if (IS_ERR(iopt))
		return PTR_ERR(iopt);

	down_read(&iopt->iova_rwsem);
	iopt_for_each_contig_area(&iter, area, iopt, iova, last_iova) {
		unsigned long last = min(last_iova, iopt_area_last_iova(area));
		unsigned long last_index = iopt_area_iova_to_index(area, last);
		unsigned long index = iopt_area_iova_to_index(area, iter.cur_iova);

		if (area->prevent_access || !iopt_area_contig_is_aligned(&iter)) {
			rc = -EINVAL;
			goto err_remove;
		}

		if (!check_area_prot(area, flags)) {
			rc = -EPERM;
			goto err_remove;
		}

		rc = iopt_area_add_access(area, index, last_index, out_pages, flags);
		if (rc)
			goto err_remove;
		if (iommufd_access_is_internal(access))
			iopt_area_lock_access(area, true);
		out_pages += last_index - index + 1;
	}
	if (!iopt_area_contig_done(&iter)) {
		rc = -ENOENT;
		goto err_remove;
	}

	up_read(&iopt->iova_rwsem);
	mutex_unlock(&access->ioas_lock);
	return 0;

err_remove:
	/* Give back what the areas before the failing one handed out. */
	if (iova < iter.cur_iova) {
		last_iova = iter.cur_iova - 1;
		iopt_for_each_contig_area(&iter, area, iopt, iova, last_iova) {
			if (iommufd_access_is_internal(access))
				iopt_area_lock_access(area, false);
			iopt_area_remove_access(area,
						iopt_area_iova_to_index(area, iter.cur_iova),
						iopt_area_iova_to_index(area,
									min(last_iova,
									    iopt_area_last_iova(area))));
		}
	}
	up_read(&iopt->iova_rwsem);
	mutex_unlock(&access->ioas_lock);
	return rc;
}

/*
 * Copy @length bytes between @data and IOVA @iova (to IOVA with
 * IOMMUFD_ACCESS_RW_WRITE). -ENOENT if part of the range is not mapped,
 * -EPERM if the mapping's permissions forbid it, -EFAULT if the memory
 * behind it is gone.
 */
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova, void *data,
		      size_t length, unsigned int flags)
{
	struct iopt_area_contig_iter iter;
	struct io_pagetable *iopt;
	struct iopt_area *area;
	unsigned long last_iova;
	int rc = -EINVAL;

	iopt = access_lock_iopt(access, iova, length, &last_iova);
	if (IS_ERR(iopt))
		return PTR_ERR(iopt);

	down_read(&iopt->iova_rwsem);
	iopt_for_each_contig_area(&iter, area, iopt, iova, last_iova) {
		unsigned long last = min(last_iova, iopt_area_last_iova(area));
		unsigned long bytes = (last - iter.cur_iova) + 1;

		if (area->prevent_access) {
			rc = -EINVAL;
			goto err_out;
		}

		if (!check_area_prot(area, flags)) {
			rc = -EPERM;
			goto err_out;
		}

		rc = iopt_pages_rw_access(area->pages, iopt_area_start_byte(area, iter.cur_iova),
					  data, bytes, flags);
		if (rc)
			goto err_out;
		data = (u8 *)data + bytes;
	}
	if (!iopt_area_contig_done(&iter))
		rc = -ENOENT;
err_out:
	up_read(&iopt->iova_rwsem);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
