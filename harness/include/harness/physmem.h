/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake physical memory.
 *
 * Physical addresses are fake page frame numbers handed out by buddy
 * allocators from PHYSMEM_FIRST_PFN (4 GiB) up, user pages from
 * PHYSMEM_USER_FIRST_PFN (68 GiB) up, so a physical address is
 * never a host address and code that confuses the two fails visibly. Two
 * kinds of page have a pfn:
 *  - kernel pages from alloc_pages(), with host memory behind them, which
 *    kernel code reaches with page_address()/phys_to_virt();
 *  - pinned (or referenced) user pages, whose bytes live in their owner's
 *    address space.
 * pfn_to_page() is a three-level table lookup, O(1) and lock-free to read.
 *
 * Hardware models see memory only through phys_read()/phys_write(): every
 * byte must have a page behind it or the access is a bus error (-EFAULT),
 * never a wild pointer. Accesses to kernel pages are lock-free (reader
 * sections and grace periods, see physmem_read_lock()). A pinned user page is read and written in its
 * owner's memory, so DMA reaches exactly what the IOMMU maps.
 *
 * Orders follow the kernel (MAX_PAGE_ORDER 10). Blocks are naturally
 * aligned in pfn space, which is what iommu_alloc_pages_sz() promises.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/mm.h"
#include "harness/slab.h"

#define MAX_PAGE_ORDER 10
#define PHYSMEM_FIRST_PFN 0x100000UL
/* User pages from 68 GiB up: kernel pages below (see physmem.cc). */
#define PHYSMEM_USER_FIRST_PFN (PHYSMEM_FIRST_PFN + (1UL << 24))
/* 52-bit physical addresses: the widest any modelled IOMMU walks. */
#define PHYSMEM_PFN_BITS 40

static inline unsigned int get_order(unsigned long size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* Kernel pages: a naturally aligned block of 2^order pfns; NULL on failure. */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
#define alloc_pages_node(nid, gfp, order) alloc_pages(gfp, order)
/* Drops the allocation's reference; order must match the allocation. */
void __free_pages(struct page *page, unsigned int order);
#define __free_page(page) __free_pages((page), 0)
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr) free_pages((addr), 0)

/*
 * The kernel virtual address of a page: host memory for kernel pages, the
 * user address for user pages of the local mm; NULL (reported) for a page
 * of another process.
 */
void *page_address(const struct page *page);
#define lowmem_page_address page_address
static inline void *kmap_local_page(struct page *page) { return page_address(page); }
static inline void kunmap_local(const void *addr) {}

/* Kernel pages only: anything else is reported and gives PA 0 / NULL. */
struct page *virt_to_page(const void *addr);
phys_addr_t virt_to_phys(const void *addr);
void *phys_to_virt(phys_addr_t pa);
#define __pa(x) virt_to_phys((const void *)(x))
#define __va(x) phys_to_virt((phys_addr_t)(x))
/* addr lies in a kernel page. */
bool virt_addr_valid(const void *addr);

/*
 * Table memory for IOMMU drivers: zeroed, naturally aligned (in physical
 * address) to its size rounded up to a power of two, at least a page.
 */
void *iommu_alloc_pages_sz(gfp_t gfp, size_t size);
#define iommu_alloc_pages_node_sz(nid, gfp, size) iommu_alloc_pages_sz(gfp, size)
void iommu_free_pages(void *virt);

/* CPU-side copies within one page (the core's, for pinned user pages). */
void memcpy_from_page(char *to, struct page *page, size_t offset, size_t len);
void memcpy_to_page(struct page *page, size_t offset, const char *from, size_t len);
void memzero_page(struct page *page, size_t offset, size_t len);

/*
 * The bus, as hardware models see it: 0, or -EFAULT if any byte of the
 * range has no page behind it (then nothing was transferred), or if a
 * user page's memory could not be reached (then part may have been).
 */
int phys_read(phys_addr_t pa, void *buf, size_t len);
int phys_write(phys_addr_t pa, const void *buf, size_t len);

/*
 * A bus reader section, like rcu_read_lock(): bus accesses to kernel pages
 * never take a lock, and a page freed meanwhile stays whole (its host
 * memory and struct page) until every section that may have looked it up
 * has ended. phys_read()/phys_write() open one of their own; a walker that
 * fetches several entries opens one around the whole walk so the entries
 * after the first cost no atomic. Sections nest, never sleep, and must not
 * free pages. The guard is guard(physmem_read)().
 */
void physmem_read_lock(void);
void physmem_read_unlock(void);

/*
 * phys_read() of one aligned 8-byte word (a table entry) inside a reader
 * section, without a call where the word is in a kernel page: one load
 * from the kernel pages' flat pfn -> host address map, then the word.
 * Anything else goes to phys_read(). Same result, same bus errors.
 */
#define PHYSMEM_KERNEL_MAP_PFNS (PHYSMEM_USER_FIRST_PFN - PHYSMEM_FIRST_PFN)
extern char **physmem_kernel_map;

static inline int phys_read_u64_in_section(phys_addr_t pa, u64 *val)
{
	char **map = __atomic_load_n(&physmem_kernel_map, __ATOMIC_ACQUIRE);
	unsigned long i = PHYS_PFN(pa) - PHYSMEM_FIRST_PFN;
	char *host;

	if (likely(map && i < PHYSMEM_KERNEL_MAP_PFNS && !(pa & 7))) {
		host = __atomic_load_n(&map[i], __ATOMIC_SEQ_CST);
		if (likely(host)) {
			*val = __atomic_load_n((u64 *)(host + (pa & ~PAGE_MASK)), __ATOMIC_RELAXED);
			return 0;
		}
	}
	return phys_read(pa, val, sizeof(*val));
}

/* Number of pages with a pfn now, by kind (for tests). */
unsigned long physmem_nr_pages(enum page_kind kind);

/*
 * A user address space is going away with pages still pinned (a client of
 * harness/server exiting). Each page alias() places in another live
 * address space (the same shared memory, mapped there at *ava) moves to
 * it; every other page gets a copy it reads and writes from then on,
 * instead of the dead process's memory. Returns how many pages were kept.
 */
unsigned long physmem_detach_user_pages(struct mm_struct *mm,
					bool (*alias)(unsigned long va, struct mm_struct **amm,
						      unsigned long *ava, void *ctx),
					void *ctx);
