/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to harness/lib: what uaccess, pinning and fake physical memory
 * need from each other.
 */
#pragma once

#include "harness/compiler.h"

#if defined(__SANITIZE_ADDRESS__)
#define HARNESS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HARNESS_ASAN 1
#endif
#endif

struct mm_struct;
struct page;

/*
 * Copies between kernel memory and mm's user memory, without fault
 * injection. Return the number of bytes not copied.
 */
unsigned long mm_read(struct mm_struct *mm, void *to, unsigned long uaddr, unsigned long n);
unsigned long mm_write(struct mm_struct *mm, unsigned long uaddr, const void *from,
		       unsigned long n);

/*
 * How many of the npages pages from start (page aligned) are accessible in
 * mm, counting from the first: readable, and writable too if write.
 */
unsigned long mm_probe_pages(struct mm_struct *mm, unsigned long start, unsigned long npages,
			     bool write);

/*
 * struct pages for user pages: takes a pin (GUP_PIN_COUNTING_BIAS and a
 * pin count) or a plain reference on each of npages pages from start,
 * creating the struct page and its pfn on first use. Returns how many it
 * did (fewer only if pfns ran out).
 */
unsigned long physmem_get_user_pages(struct mm_struct *mm, unsigned long start,
				     unsigned long npages, bool pin, struct page **pages,
				     void *caller);
/* Drop what physmem_get_user_pages took; misuse is reported. */
void physmem_put_user_page(struct page *page, bool pin, bool dirty, void *caller);
void physmem_put_user_pages(struct page *const *pages, unsigned long npages, bool pin,
			    bool dirty, void *caller);
/* Unpins npages pages by consecutive pfn from page's. */
void physmem_unpin_user_page_range(struct page *page, unsigned long npages, bool dirty,
				   void *caller);
