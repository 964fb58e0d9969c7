/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slab allocator: kmalloc and friends, kmem_cache, kvmalloc/vmalloc.
 *
 * Memory comes from the host heap (so ASan still sees overflows and
 * use-after-free), but every allocation is entered in a ledger keyed by its
 * address: size, caller, a global sequence number and which API made it.
 * The ledger is what turns kernel bugs into test failures instead of heap
 * corruption: kfree() of a pointer the ledger does not hold (double free,
 * foreign pointer, interior pointer) is reported and ignored, freeing with
 * the wrong API (kfree on vmalloc memory, kmem_cache_free on the wrong
 * cache) is reported, and kmem_leak_report() lists whatever a test left
 * behind. Fresh memory without __GFP_ZERO is poisoned so code that forgets
 * to initialise is not rescued by a zeroing host allocator.
 *
 * Every allocation is a fault-injection point (failslab, or fail_page_alloc
 * for the sizes the kernel serves from the page allocator), with the
 * kernel's filters, so the per-task fail-nth sweep sees the same points.
 */
#pragma once

#include "harness/compiler.h"

/*
 * gfp flags. The bit values are private to uiommufd; what matters is which
 * flags make up which mask, because fault injection filters on them.
 */
#define ___GFP_DMA		0x01u
#define ___GFP_HIGHMEM		0x02u
#define ___GFP_DMA32		0x04u
#define ___GFP_HIGH		0x20u
#define ___GFP_IO		0x40u
#define ___GFP_FS		0x80u
#define ___GFP_ZERO		0x100u
#define ___GFP_DIRECT_RECLAIM	0x400u
#define ___GFP_KSWAPD_RECLAIM	0x800u
#define ___GFP_NOWARN		0x2000u
#define ___GFP_RETRY_MAYFAIL	0x4000u
#define ___GFP_NOFAIL		0x8000u
#define ___GFP_NORETRY		0x10000u
#define ___GFP_COMP		0x40000u
#define ___GFP_ACCOUNT		0x400000u

#define __GFP_DMA		((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM		((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32		((gfp_t)___GFP_DMA32)
#define __GFP_HIGH		((gfp_t)___GFP_HIGH)
#define __GFP_IO		((gfp_t)___GFP_IO)
#define __GFP_FS		((gfp_t)___GFP_FS)
#define __GFP_ZERO		((gfp_t)___GFP_ZERO)
#define __GFP_DIRECT_RECLAIM	((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM	((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_NOWARN		((gfp_t)___GFP_NOWARN)
#define __GFP_RETRY_MAYFAIL	((gfp_t)___GFP_RETRY_MAYFAIL)
#define __GFP_NOFAIL		((gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY		((gfp_t)___GFP_NORETRY)
#define __GFP_COMP		((gfp_t)___GFP_COMP)
#define __GFP_ACCOUNT		((gfp_t)___GFP_ACCOUNT)

#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_DMA32		__GFP_DMA32
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

/* The kernel's limits for one kmalloc (MAX_PAGE_ORDER 10, 4 KiB pages). */
#define KMALLOC_SHIFT_HIGH	(PAGE_SHIFT + 1)
#define KMALLOC_MAX_CACHE_SIZE	(1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_SIZE	(1UL << (10 + PAGE_SHIFT))

/* kmalloc(0) returns this: non-NULL, faults on any access. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/*
 * In C, kmalloc() returns void * and converts silently to any object
 * pointer. C++ does not convert void *, so the allocators return this
 * proxy, which converts to whatever pointer the caller stores or returns:
 * `p = kzalloc(sizeof(*p), GFP_KERNEL);` compiles unchanged.
 */
struct __alloc_ptr {
	void *ptr;
	template <typename T> operator T *() const { return static_cast<T *>(ptr); }
	explicit operator bool() const { return ptr != nullptr; }
};

__alloc_ptr kmalloc(size_t size, gfp_t flags);
__alloc_ptr kzalloc(size_t size, gfp_t flags);
__alloc_ptr kmalloc_array(size_t n, size_t size, gfp_t flags);
__alloc_ptr kcalloc(size_t n, size_t size, gfp_t flags);
__alloc_ptr krealloc(const void *p, size_t new_size, gfp_t flags);
__alloc_ptr krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags);
__alloc_ptr kmemdup(const void *src, size_t len, gfp_t flags);
char *kstrdup(const char *s, gfp_t flags);
char *kstrndup(const char *s, size_t max, gfp_t flags);
char *kmemdup_nul(const char *s, size_t len, gfp_t flags);
void kfree(const void *p);
/* Usable size of a live kmalloc/kvmalloc/kmem_cache object; 0 otherwise. */
size_t ksize(const void *p);

#define kmalloc_node(size, flags, node) kmalloc(size, flags)
#define kzalloc_node(size, flags, node) kzalloc(size, flags)

/*
 * kvmalloc: the kernel tries kmalloc and falls back to vmalloc for sizes
 * above a page. Free with kvfree(); kfree() on it is reported, because in
 * the kernel it crashes whenever the fallback was taken.
 */
__alloc_ptr kvmalloc(size_t size, gfp_t flags);
__alloc_ptr kvzalloc(size_t size, gfp_t flags);
__alloc_ptr kvmalloc_array(size_t n, size_t size, gfp_t flags);
__alloc_ptr kvcalloc(size_t n, size_t size, gfp_t flags);
__alloc_ptr kvrealloc(const void *p, size_t size, gfp_t flags);
void kvfree(const void *p);

__alloc_ptr vmalloc(unsigned long size);
__alloc_ptr vzalloc(unsigned long size);
void vfree(const void *p);

/* kmem_cache flags (values private to uiommufd). */
#define SLAB_HWCACHE_ALIGN	0x00002000UL
#define SLAB_PANIC		0x00040000UL
#define SLAB_TYPESAFE_BY_RCU	0x00080000UL
#define SLAB_ACCOUNT		0x04000000UL
#define SLAB_FAILSLAB		0x02000000UL

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *));
#define KMEM_CACHE(__struct, __flags)                                         \
	kmem_cache_create(#__struct, sizeof(struct __struct),                 \
			  alignof(struct __struct), (__flags), NULL)
__alloc_ptr kmem_cache_alloc(struct kmem_cache *s, gfp_t flags);
__alloc_ptr kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags);
void kmem_cache_free(struct kmem_cache *s, void *objp);
/* WARNs (and leaks them, as the kernel does) if objects remain. */
void kmem_cache_destroy(struct kmem_cache *s);
unsigned int kmem_cache_size(struct kmem_cache *s);

/*
 * Leak accounting. A mark is the sequence number of the latest allocation;
 * kmem_leak_report() prints to stderr and returns how many allocations
 * made after the mark are still live. It counts slab objects, vmalloc,
 * pages from alloc_pages() and pinned user pages alike. kmem_leak_count()
 * is the same without printing.
 */
u64 kmem_leak_mark(void);
unsigned long kmem_leak_report(u64 mark);
unsigned long kmem_leak_count(u64 mark);
