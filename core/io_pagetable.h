/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pieces of an io_pagetable: areas (IOVA ranges), the iopt_pages they
 * slice (a linear run of user or memfd pages, pinned on demand), the
 * allowed/reserved IOVA trees, and in-kernel accesses.
 *
 * Invariants, and who guards what:
 *  - iopt->iova_rwsem guards the three IOVA trees and area->node.
 *  - An area whose ->pages is NULL is being built or torn down by another
 *    thread. Seen under the write side of iopt->domains_rwsem it can only
 *    be under construction, with no domain filled yet.
 *  - pages->mutex guards everything inside an iopt_pages: the pinned PFN
 *    xarray, both interval trees (access_itree of iopt_pages_access nodes,
 *    domains_itree of iopt_area::pages_node), npinned/last_npinned, and
 *    area->storage_domain / area->num_accesses of every area on it.
 *  - An index of an iopt_pages is pinned exactly once, however many
 *    domains and accesses use it, and only while some interval of
 *    access_itree or domains_itree covers it. Accesses keep their PFNs in
 *    the xarray; domains are their own PFN storage (read back with
 *    iommu_iova_to_phys()) so a domain-only mapping costs no xarray.
 *
 * Units: IOVAs and "start_byte" are bytes; "index" counts PAGE_SIZE pages
 * from the start of an iopt_pages. "last" is inclusive, "end" exclusive.
 */
#pragma once

#include "core/iommufd_private.h"
#include "harness/interval_tree.h"
#include "harness/kernel.h"

struct iommu_domain;
struct mm_struct;
struct task_struct;
struct user_struct;

/*
 * One mapping in an IOAS: [node.start, node.last] in IOVA, backed by
 * pages indexes [pages_node.start, pages_node.last] of @pages, starting
 * @page_offset bytes into the first page. @storage_domain is the one
 * attached domain this area's PFNs are read back from (NULL until the
 * area is in a domain); @num_accesses counts iopt_area_add_access() holds.
 * @num_locks counts objects that pinned the area and forbid unmapping it.
 */
struct iopt_area {
	struct interval_tree_node node;
	struct interval_tree_node pages_node;
	struct io_pagetable *iopt;
	struct iopt_pages *pages;
	struct iommu_domain *storage_domain;
	unsigned int page_offset;
	int iommu_prot;
	bool prevent_access : 1;
	unsigned int num_accesses;
	unsigned int num_locks;
};

/* IOVA userspace asked to restrict allocation to (IOMMU_IOAS_ALLOW_IOVAS). */
struct iopt_allowed {
	struct interval_tree_node node;
};

/* IOVA nothing may be mapped at, with whoever reserved it. */
struct iopt_reserved {
	struct interval_tree_node node;
	void *owner;
};

int iopt_area_fill_domains(struct iopt_area *area, struct iopt_pages *pages);
void iopt_area_unfill_domains(struct iopt_area *area, struct iopt_pages *pages);
int iopt_area_fill_domain(struct iopt_area *area, struct iommu_domain *domain);
void iopt_area_unfill_domain(struct iopt_area *area, struct iopt_pages *pages,
			     struct iommu_domain *domain);
void iopt_area_unmap_domain(struct iopt_area *area, struct iommu_domain *domain);

static inline unsigned long iopt_area_index(struct iopt_area *area)
{
	return area->pages_node.start;
}

static inline unsigned long iopt_area_last_index(struct iopt_area *area)
{
	return area->pages_node.last;
}

static inline unsigned long iopt_area_iova(struct iopt_area *area)
{
	return area->node.start;
}

static inline unsigned long iopt_area_last_iova(struct iopt_area *area)
{
	return area->node.last;
}

static inline size_t iopt_area_length(struct iopt_area *area)
{
	return (area->node.last - area->node.start) + 1;
}

/*
 * Byte offset of @iova from the start of the area's iopt_pages: divided by
 * PAGE_SIZE it is the page index, its remainder the offset in that page.
 */
static inline unsigned long iopt_area_start_byte(struct iopt_area *area, unsigned long iova)
{
	/* uiommufd is always a CONFIG_IOMMUFD_TEST build */
	WARN_ON(iova < iopt_area_iova(area) || iova > iopt_area_last_iova(area));
	return (iova - iopt_area_iova(area)) + area->page_offset +
	       iopt_area_index(area) * PAGE_SIZE;
}

static inline unsigned long iopt_area_iova_to_index(struct iopt_area *area, unsigned long iova)
{
	return iopt_area_start_byte(area, iova) / PAGE_SIZE;
}

/* Typed walks of the three IOVA trees, all under iopt->iova_rwsem. */
#define __make_iopt_iter(name)                                                        \
	static inline struct iopt_##name *iopt_##name##_iter_first(                   \
		struct io_pagetable *iopt, unsigned long start, unsigned long last)   \
	{                                                                             \
		struct interval_tree_node *node;                                      \
                                                                                      \
		lockdep_assert_held(&iopt->iova_rwsem);                               \
		node = interval_tree_iter_first(&iopt->name##_itree, start, last);    \
		if (!node)                                                            \
			return NULL;                                                  \
		return container_of(node, struct iopt_##name, node);                  \
	}                                                                             \
	static inline struct iopt_##name *iopt_##name##_iter_next(                    \
		struct iopt_##name *last_node, unsigned long start, unsigned long last) \
	{                                                                             \
		struct interval_tree_node *node;                                      \
                                                                                      \
		node = interval_tree_iter_next(&last_node->node, start, last);        \
		if (!node)                                                            \
			return NULL;                                                  \
		return container_of(node, struct iopt_##name, node);                  \
	}

__make_iopt_iter(area)
__make_iopt_iter(allowed)
__make_iopt_iter(reserved)

/*
 * Walk the areas covering [iova, last_iova] as long as they follow each
 * other without a gap (and are fully set up). After the loop,
 * iopt_area_contig_done() says whether the whole range was covered.
 */
struct iopt_area_contig_iter {
	unsigned long cur_iova;
	unsigned long last_iova;
	struct iopt_area *area;
};
struct iopt_area *iopt_area_contig_init(struct iopt_area_contig_iter *iter,
					struct io_pagetable *iopt, unsigned long iova,
					unsigned long last_iova);
struct iopt_area *iopt_area_contig_next(struct iopt_area_contig_iter *iter);

static inline bool iopt_area_contig_done(struct iopt_area_contig_iter *iter)
{
	return iter->area && iter->last_iova <= iopt_area_last_iova(iter->area);
}

#define iopt_for_each_contig_area(iter, area, iopt, iova, last_iova)                  \
	for (area = iopt_area_contig_init(iter, iopt, iova, last_iova); area;         \
	     area = iopt_area_contig_next(iter))

/*
 * Two interval trees walked together over [first, last]: each step is
 * either a hole in both (is_used == 0, [start_hole, last_hole]) or a
 * stretch used by the first tree (is_used == 1) or, where the first has a
 * hole, by the second (is_used == 2), [start_used, last_used]. is_used
 * == -1 ends the walk.
 */
struct interval_tree_double_span_iter {
	struct rb_root_cached *itrees[2];
	struct interval_tree_span_iter spans[2];
	union {
		unsigned long start_hole;
		unsigned long start_used;
	};
	union {
		unsigned long last_hole;
		unsigned long last_used;
	};
	/* 0 = hole, 1 = used span[0], 2 = used span[1], -1 done iteration */
	int is_used;
};

void interval_tree_double_span_iter_update(struct interval_tree_double_span_iter *iter);
void interval_tree_double_span_iter_first(struct interval_tree_double_span_iter *iter,
					  struct rb_root_cached *itree1,
					  struct rb_root_cached *itree2,
					  unsigned long first_index, unsigned long last_index);
void interval_tree_double_span_iter_next(struct interval_tree_double_span_iter *iter);

static inline bool
interval_tree_double_span_iter_done(struct interval_tree_double_span_iter *state)
{
	return state->is_used == -1;
}

#define interval_tree_for_each_double_span(span, itree1, itree2, first_index, last_index) \
	for (interval_tree_double_span_iter_first(span, itree1, itree2, first_index,       \
						  last_index);                             \
	     !interval_tree_double_span_iter_done(span);                                   \
	     interval_tree_double_span_iter_next(span))

/* Who is charged for the pinned pages of an iopt_pages. */
enum {
	IOPT_PAGES_ACCOUNT_NONE = 0,	/* CAP_IPC_LOCK: nobody */
	IOPT_PAGES_ACCOUNT_USER = 1,	/* user_struct::locked_vm, io_uring style */
	IOPT_PAGES_ACCOUNT_MM = 2,	/* mm->locked_vm, VFIO type1 style */
	IOPT_PAGES_ACCOUNT_MODE_NUM = 3,
};

enum iopt_address_type {
	IOPT_ADDRESS_USER = 0,
	IOPT_ADDRESS_FILE,
	IOPT_ADDRESS_DMABUF,
};

struct iopt_pages_dmabuf;

/*
 * A memfd given to IOMMU_IOAS_MAP_FILE. uiommufd's "kernel" cannot use the
 * caller's descriptor after the ioctl returns, so it keeps its own
 * duplicate and a shared mapping of the file through which the pages are
 * pinned (see pin_memfd_pages() in pages.cc).
 */
struct iopt_memfd {
	int fd;			/* our duplicate, O_CLOEXEC */
	bool is_shmem;		/* shmem or hugetlbfs: memfd_pin_folios() accepts it */
	u64 dev;		/* st_dev/st_ino, to find the user's own mappings */
	u64 ino;
	void *map;		/* our shared mapping of [map_start, map_start + map_len) */
	unsigned long map_start;
	unsigned long map_len;
	struct list_head item;	/* in the list of our own mappings */
};

/*
 * A linear run of npages pages from a user VA range (@uptr, page aligned)
 * or a memfd range (@start, page aligned), shared by every area that maps
 * a slice of it (copies share it too), so nothing is pinned or charged
 * twice. Pages are pinned lazily: only the indexes some domain or access
 * needs are pinned; npinned counts them, last_npinned is what has been
 * charged to the owner (they differ only inside an operation).
 */
struct iopt_pages {
	struct kref kref;
	struct mutex mutex;
	size_t npages;
	size_t npinned;
	size_t last_npinned;
	struct task_struct *source_task;
	struct mm_struct *source_mm;
	struct user_struct *source_user;
	enum iopt_address_type type;
	union {
		void __user *uptr;		/* IOPT_ADDRESS_USER */
		struct {			/* IOPT_ADDRESS_FILE */
			struct iopt_memfd *file;
			unsigned long start;
		};
		/* IOPT_ADDRESS_DMABUF: attachment, ranges, revoke tracking */
		struct iopt_pages_dmabuf *dmabuf;
	};
	bool writable : 1;
	u8 account_mode;

	/* index -> xa_mk_value(pfn) for every index some access holds */
	struct xarray pinned_pfns;
	/* Of iopt_pages_access::node */
	struct rb_root_cached access_itree;
	/* Of iopt_area::pages_node, for areas filled into some domain */
	struct rb_root_cached domains_itree;
};

/* pages_file.cc: the memfd behind an IOPT_ADDRESS_FILE iopt_pages */
struct iopt_memfd *iopt_memfd_get(int fd, unsigned long start, unsigned long length,
				  bool writable);
void iopt_memfd_release(struct iopt_memfd *mf);
long iopt_memfd_pin(struct iopt_pages *pages, unsigned long start_index, unsigned long npages,
		    unsigned int gup_flags, struct page **upages);

struct iopt_pages *iopt_alloc_user_pages(void __user *uptr, unsigned long length, bool writable);
struct iopt_pages *iopt_alloc_file_pages(int fd, unsigned long start_byte, unsigned long start,
					 unsigned long length, bool writable);
struct iopt_pages *iopt_alloc_pages(unsigned long start_byte, unsigned long length,
				    bool writable);
void iopt_release_pages(struct kref *kref);

/*
 * pages_dmabuf.cc: an iopt_pages over bytes [start, start + length) of a
 * dma-buf (IOMMU_IOAS_MAP_FILE of a dma-buf fd). Its PFNs are the
 * exporter's physical ranges: nothing is pinned or charged, accesses are
 * refused, and a revoke by the exporter unmaps it from every domain.
 */
struct dma_buf;
static inline bool iopt_is_dmabuf(struct iopt_pages *pages)
{
	return pages->type == IOPT_ADDRESS_DMABUF;
}
struct iopt_pages *iopt_alloc_dmabuf_pages(struct dma_buf *dmabuf, unsigned long start_byte,
					   unsigned long start, unsigned long length,
					   bool writable);
unsigned long iopt_dmabuf_start(struct iopt_pages *pages);
void iopt_dmabuf_release(struct iopt_pages *pages);
int iopt_dmabuf_fill_domain(struct iopt_area *area, struct iommu_domain *domain);
int iopt_dmabuf_fill_domains(struct iopt_area *area, struct iopt_pages *pages);
void iopt_dmabuf_unfill_domain(struct iopt_area *area, struct iopt_pages *pages,
			       struct iommu_domain *domain);
void iopt_dmabuf_unmap_domain(struct iopt_area *area, struct iommu_domain *domain);
void iopt_dmabuf_unfill_domains(struct iopt_area *area, struct iopt_pages *pages);

static inline void iopt_put_pages(struct iopt_pages *pages)
{
	kref_put(&pages->kref, iopt_release_pages);
}

void iopt_pages_fill_from_xarray(struct iopt_pages *pages, unsigned long start,
				 unsigned long last, struct page **out_pages);
int iopt_pages_fill_xarray(struct iopt_pages *pages, unsigned long start, unsigned long last,
			   struct page **out_pages);
void iopt_pages_unfill_xarray(struct iopt_pages *pages, unsigned long start,
			      unsigned long last);

int iopt_area_add_access(struct iopt_area *area, unsigned long start, unsigned long last,
			 struct page **out_pages, unsigned int flags);
void iopt_area_remove_access(struct iopt_area *area, unsigned long start, unsigned long last);
int iopt_pages_rw_access(struct iopt_pages *pages, unsigned long start_byte, void *data,
			 unsigned long length, unsigned int flags);
int iopt_pages_rw_slow(struct iopt_pages *pages, unsigned long start_index,
		       unsigned long last_index, unsigned long offset, void *data,
		       unsigned long length, unsigned int flags);

/* A CPU copy to (IOMMUFD_ACCESS_RW_WRITE) or from one page. */
static inline void copy_data_page(struct page *page, void *data, unsigned long offset,
				  size_t length, unsigned int flags)
{
	if (flags & IOMMUFD_ACCESS_RW_WRITE) {
		memcpy_to_page(page, offset, (const char *)data, length);
		set_page_dirty_lock(page);
	} else {
		memcpy_from_page((char *)data, page, offset, length);
	}
}

/*
 * One interval of access_itree: an exact [start, last] some access pinned
 * @users times. Intervals of different accesses may overlap.
 */
struct iopt_pages_access {
	struct interval_tree_node node;
	unsigned int users;
};

/* Charge (@inc) or refund @npages pinned pages to the owner of @pages. */
int iopt_pages_update_pinned(struct iopt_pages *pages, unsigned long npages, bool inc);

/*
 * An in-kernel user of an IOAS (emulated device, mdev): it reads and
 * writes through the IOAS with the CPU, pinning pages on demand. @ioas is
 * what pin/rw use; @ioas_unpin stays valid while an IOAS change is in
 * flight so outstanding pins can still be returned. @ioas_lock orders
 * before the IOAS's locks.
 */
struct iommufd_access {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_ioas *ioas;
	struct iommufd_ioas *ioas_unpin;
	struct mutex ioas_lock;
	const struct iommufd_access_ops *ops;
	void *data;
	unsigned long iova_alignment;
	u32 iopt_access_list_id;
};

int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access);
void iopt_remove_access(struct io_pagetable *iopt, struct iommufd_access *access,
			u32 iopt_access_list_id);
