// SPDX-License-Identifier: GPL-2.0
/*
 * dma-buf backing of an iopt_pages (IOMMU_IOAS_MAP_FILE of a dma-buf fd,
 * IOPT_ADDRESS_DMABUF).
 *
 * The importer attaches dynamically and asks the exporter for the physical
 * ranges of the buffer once, when the pages are created; the ranges may be
 * MMIO without struct pages, so nothing here is pinned, charged or put in
 * the pinned_pfns xarray, and in-kernel accesses (pin and rw) are refused.
 * Areas are mapped straight from the ranges into each domain
 * (IOMMU_MMIO), never through the pfn_reader.
 *
 * Revoke: the exporter's move_notify() (called with the dma-buf's
 * reservation lock held) unmaps the pages from every domain and drops the
 * ranges; from then on filling a new domain maps nothing and unfilling
 * unmaps nothing, and the pages stay revoked for good even if the exporter
 * later allows access again (a new IOMMU_IOAS_MAP_FILE is needed). The set
 * of (area, domain) pairs that have a mapping cannot be found from the
 * pages under the locks move_notify() holds (domains are reached from the
 * io_pagetable, whose locks order before pages->mutex), so it is tracked
 * here, in a list kept under pages->mutex beside every map and unmap.
 *
 * Lock order: dma-buf reservation lock, then pages->mutex.
 */
#include "core/io_pagetable.h"

#include "harness/dma_buf.h"

struct iopt_pages_dmabuf_track {
	struct iommu_domain *domain;
	struct iopt_area *area;
	struct list_head elm;
};

struct iopt_pages_dmabuf {
	struct dma_buf_attachment *attach;
	/* The exporter's ranges; NULL once revoked. Under pages->mutex. */
	struct dma_buf_phys_list *phys;
	/* Byte offset into the dma-buf of page index 0, page aligned */
	unsigned long start;
	/* of iopt_pages_dmabuf_track, under pages->mutex */
	struct list_head tracker;
};

static bool iopt_dmabuf_revoked(struct iopt_pages *pages)
{
	lockdep_assert_held(&pages->mutex);
	return !pages->dmabuf->phys;
}

unsigned long iopt_dmabuf_start(struct iopt_pages *pages)
{
	return pages->dmabuf->start;
}

/* ---- mapping an area from the physical ranges ---- */

/* Map all of @area into @domain; on failure nothing of it stays mapped. */
static int iopt_dmabuf_map_area(struct iopt_area *area, struct iopt_pages *pages,
				struct iommu_domain *domain)
{
	struct dma_buf_phys_list *phys = pages->dmabuf->phys;
	unsigned long iova = iopt_area_iova(area);
	unsigned long end_iova = iopt_area_last_iova(area) + 1;
	unsigned long off = pages->dmabuf->start + iopt_area_start_byte(area, iova);
	unsigned long vec_start = 0;
	size_t i = 0;
	int rc;

	while (iova != end_iova) {
		const struct dma_buf_phys_vec *vec;
		unsigned long len;

		/* the range holding byte @off */
		while (i < phys->length && off >= vec_start + phys->phys[i].len) {
			vec_start += phys->phys[i].len;
			i++;
		}
		if (WARN_ON(i == phys->length)) {
			rc = -EINVAL;
			goto err_unmap;
		}
		vec = &phys->phys[i];
		len = min(end_iova - iova, vec_start + vec->len - off);
		if (area->iopt->disable_large_pages)
			len = min(len, ALIGN(iova + 1, PAGE_SIZE) - iova);

		rc = iommu_map(domain, iova, vec->paddr + (off - vec_start), len,
			       area->iommu_prot | IOMMU_MMIO, GFP_KERNEL_ACCOUNT);
		if (rc)
			goto err_unmap;
		iova += len;
		off += len;
	}
	return 0;

err_unmap:
	if (iova != iopt_area_iova(area))
		WARN_ON(iommu_unmap(domain, iopt_area_iova(area), iova - iopt_area_iova(area)) !=
			iova - iopt_area_iova(area));
	return rc;
}

static void iopt_dmabuf_unmap_area(struct iopt_area *area, struct iommu_domain *domain)
{
	size_t len = iopt_area_length(area);

	WARN_ON(iommu_unmap(domain, iopt_area_iova(area), len) != len);
}

/* ---- the tracker ---- */

static int iopt_dmabuf_track_domain(struct iopt_pages *pages, struct iopt_area *area,
				    struct iommu_domain *domain)
{
	struct iopt_pages_dmabuf_track *track;

	lockdep_assert_held(&pages->mutex);
	list_for_each_entry(track, &pages->dmabuf->tracker, elm)
		if (WARN_ON(track->domain == domain && track->area == area))
			return -EINVAL;

	track = (struct iopt_pages_dmabuf_track *)kzalloc(sizeof(*track), GFP_KERNEL);
	if (!track)
		return -ENOMEM;
	track->domain = domain;
	track->area = area;
	list_add_tail(&track->elm, &pages->dmabuf->tracker);
	return 0;
}

static void iopt_dmabuf_untrack_domain(struct iopt_pages *pages, struct iopt_area *area,
				       struct iommu_domain *domain)
{
	struct iopt_pages_dmabuf_track *track;

	lockdep_assert_held(&pages->mutex);
	list_for_each_entry(track, &pages->dmabuf->tracker, elm) {
		if (track->domain == domain && track->area == area) {
			list_del(&track->elm);
			kfree(track);
			return;
		}
	}
	WARN_ON(true);
}

static void iopt_dmabuf_untrack_all_domains(struct iopt_area *area, struct iopt_pages *pages)
{
	struct iopt_pages_dmabuf_track *track;
	struct iopt_pages_dmabuf_track *tmp;

	lockdep_assert_held(&pages->mutex);
	list_for_each_entry_safe(track, tmp, &pages->dmabuf->tracker, elm) {
		if (track->area == area) {
			list_del(&track->elm);
			kfree(track);
		}
	}
}

/* ---- the domain hooks of pages.cc ---- */

/* iopt_area_fill_domain(): one more domain for an existing area; pages->mutex held. */
int iopt_dmabuf_fill_domain(struct iopt_area *area, struct iommu_domain *domain)
{
	struct iopt_pages *pages = area->pages;
	int rc;

	lockdep_assert_held(&pages->mutex);
	rc = iopt_dmabuf_track_domain(pages, area, domain);
	if (rc)
		return rc;
	if (iopt_dmabuf_revoked(pages))
		return 0;
	rc = iopt_dmabuf_map_area(area, pages, domain);
	if (rc)
		iopt_dmabuf_untrack_domain(pages, area, domain);
	return rc;
}

/* iopt_area_fill_domains(): a new area into every domain of its io_pagetable. */
int iopt_dmabuf_fill_domains(struct iopt_area *area, struct iopt_pages *pages)
{
	struct iommu_domain *domain;
	unsigned long done;
	unsigned long index;
	int rc = 0;

	lockdep_assert_held(&area->iopt->domains_rwsem);

	mutex_lock(&pages->mutex);
	xa_for_each(&area->iopt->domains, index, domain) {
		rc = iopt_dmabuf_track_domain(pages, area, domain);
		if (rc)
			goto err_untrack;
	}

	if (!iopt_dmabuf_revoked(pages)) {
		xa_for_each(&area->iopt->domains, index, domain) {
			rc = iopt_dmabuf_map_area(area, pages, domain);
			if (rc)
				goto err_unmap;
		}
	}

	area->storage_domain = (struct iommu_domain *)xa_load(&area->iopt->domains, 0);
	interval_tree_insert(&area->pages_node, &pages->domains_itree);
	mutex_unlock(&pages->mutex);
	return 0;

err_unmap:
	done = index;
	xa_for_each(&area->iopt->domains, index, domain) {
		if (index >= done)
			break;
		iopt_dmabuf_unmap_area(area, domain);
	}
err_untrack:
	iopt_dmabuf_untrack_all_domains(area, pages);
	mutex_unlock(&pages->mutex);
	return rc;
}

/* iopt_area_unfill_domain(): @domain leaves; pages->mutex held. */
void iopt_dmabuf_unfill_domain(struct iopt_area *area, struct iopt_pages *pages,
			       struct iommu_domain *domain)
{
	lockdep_assert_held(&pages->mutex);
	if (!iopt_dmabuf_revoked(pages))
		iopt_dmabuf_unmap_area(area, domain);
	iopt_dmabuf_untrack_domain(pages, area, domain);
}

/* iopt_area_unmap_domain(): a non-storage @domain leaves; takes pages->mutex. */
void iopt_dmabuf_unmap_domain(struct iopt_area *area, struct iommu_domain *domain)
{
	struct iopt_pages *pages = area->pages;

	mutex_lock(&pages->mutex);
	iopt_dmabuf_unfill_domain(area, pages, domain);
	mutex_unlock(&pages->mutex);
}

/* iopt_area_unfill_domains(): @area goes away (its ->pages already NULL). */
void iopt_dmabuf_unfill_domains(struct iopt_area *area, struct iopt_pages *pages)
{
	struct iommu_domain *domain;
	unsigned long index;

	lockdep_assert_held(&area->iopt->domains_rwsem);

	mutex_lock(&pages->mutex);
	if (area->storage_domain) {
		if (!iopt_dmabuf_revoked(pages))
			xa_for_each(&area->iopt->domains, index, domain)
				iopt_dmabuf_unmap_area(area, domain);
		iopt_dmabuf_untrack_all_domains(area, pages);
		interval_tree_remove(&area->pages_node, &pages->domains_itree);
		area->storage_domain = NULL;
	}
	mutex_unlock(&pages->mutex);
}

/* ---- import and revoke ---- */

static void iopt_dmabuf_revoke_notify(struct dma_buf_attachment *attach)
{
	struct iopt_pages *pages = (struct iopt_pages *)attach->importer_priv;
	struct iopt_pages_dmabuf_track *track;

	dma_resv_assert_held(attach->dmabuf->resv);
	mutex_lock(&pages->mutex);
	if (!iopt_dmabuf_revoked(pages)) {
		/* the IOMMU must stop reaching the memory before it goes */
		list_for_each_entry(track, &pages->dmabuf->tracker, elm)
			iopt_dmabuf_unmap_area(track->area, track->domain);
		dma_buf_pal_unmap_phys(attach, pages->dmabuf->phys);
		pages->dmabuf->phys = NULL;
	}
	mutex_unlock(&pages->mutex);
}

static const struct dma_buf_attach_ops iopt_dmabuf_attach_revoke_ops = {
	.allow_peer2peer = true,
	.move_notify = iopt_dmabuf_revoke_notify,
};

/* Attach and take the ranges, which must cover the whole buffer. */
static int iopt_dmabuf_map(struct iopt_pages *pages, struct dma_buf *dmabuf)
{
	struct dma_buf_attachment *attach;
	struct dma_buf_phys_list *phys;
	unsigned long total = 0;
	int rc;

	attach = dma_buf_dynamic_attach(dmabuf, NULL, &iopt_dmabuf_attach_revoke_ops, pages);
	if (IS_ERR(attach))
		return PTR_ERR(attach);

	dma_resv_lock(dmabuf->resv, NULL);
	/* teach lockdep the order revoke uses: pages->mutex inside the resv */
	mutex_lock(&pages->mutex);
	mutex_unlock(&pages->mutex);

	phys = dma_buf_pal_map_phys(attach);
	if (IS_ERR(phys)) {
		rc = PTR_ERR(phys);
		goto err_detach;
	}
	for (size_t i = 0; i < phys->length; i++) {
		if (phys->phys[i].len % PAGE_SIZE ||
		    check_add_overflow(total, (unsigned long)phys->phys[i].len, &total))
			break;
	}
	if (total < dmabuf->size) {
		rc = -EINVAL;
		goto err_unmap;
	}
	pages->dmabuf->phys = phys;
	pages->dmabuf->attach = attach;
	dma_resv_unlock(dmabuf->resv);
	return 0;

err_unmap:
	dma_buf_pal_unmap_phys(attach, phys);
err_detach:
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
	return rc;
}

struct iopt_pages *iopt_alloc_dmabuf_pages(struct dma_buf *dmabuf, unsigned long start_byte,
					   unsigned long start, unsigned long length,
					   bool writable)
{
	struct iopt_pages *pages;
	unsigned long last;
	int rc;

	if (!length || check_add_overflow(start, length - 1, &last) || last >= dmabuf->size ||
	    length / PAGE_SIZE >= UINT32_MAX)
		return (struct iopt_pages *)ERR_PTR(-EINVAL);

	pages = iopt_alloc_pages(start_byte, length, writable);
	if (IS_ERR(pages))
		return pages;
	/* device memory: not charged to anyone */
	pages->account_mode = IOPT_PAGES_ACCOUNT_NONE;
	pages->type = IOPT_ADDRESS_DMABUF;
	pages->dmabuf = (struct iopt_pages_dmabuf *)kzalloc(sizeof(*pages->dmabuf),
							    GFP_KERNEL_ACCOUNT);
	if (!pages->dmabuf) {
		rc = -ENOMEM;
		goto err_put;
	}
	pages->dmabuf->start = start - start_byte;
	INIT_LIST_HEAD(&pages->dmabuf->tracker);

	rc = iopt_dmabuf_map(pages, dmabuf);
	if (rc)
		goto err_put;
	return pages;

err_put:
	iopt_put_pages(pages);
	return (struct iopt_pages *)ERR_PTR(rc);
}

/* From iopt_release_pages(): the last reference is gone. */
void iopt_dmabuf_release(struct iopt_pages *pages)
{
	struct iopt_pages_dmabuf *db = pages->dmabuf;
	struct dma_buf *dmabuf;

	if (!db)
		return;
	if (db->attach) {
		dmabuf = db->attach->dmabuf;
		dma_resv_lock(dmabuf->resv, NULL);
		if (db->phys)
			dma_buf_pal_unmap_phys(db->attach, db->phys);
		dma_resv_unlock(dmabuf->resv);
		dma_buf_detach(dmabuf, db->attach);
	}
	WARN_ON(!list_empty(&db->tracker));
	kfree(db);
}
