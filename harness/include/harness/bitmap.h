/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bitmaps (linux/bitmap.h): arrays of unsigned long with a bit count.
 *
 * Same layout and same edge semantics as the kernel: operations that
 * answer a question (weight, empty, full, equal, subset, intersects) look
 * at the first nbits only; operations that write whole words (zero, copy,
 * complement, and/or/xor) may also write the unused tail bits of the last
 * word, which callers must not rely on. bitmap_zalloc() memory comes from
 * kmalloc, so leak accounting and failslab apply.
 */
#pragma once

#include "harness/bitops.h"
#include "harness/slab.h"

#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

#define BITMAP_FIRST_WORD_MASK(start) (~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BITMAP_LAST_WORD_MASK(nbits) (~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

unsigned long *bitmap_alloc(unsigned int nbits, gfp_t flags);
unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t flags);
void bitmap_free(const unsigned long *bitmap);

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

static inline void bitmap_fill(unsigned long *dst, unsigned int nbits)
{
	unsigned int len = BITS_TO_LONGS(nbits) * sizeof(unsigned long);

	memset(dst, 0xff, len);
	if (nbits % BITS_PER_LONG)
		dst[nbits / BITS_PER_LONG] &= BITMAP_LAST_WORD_MASK(nbits);
}

static inline void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int nbits)
{
	memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

/* The and-family returns whether the result has any bit set. */
bool bitmap_and(unsigned long *dst, const unsigned long *src1, const unsigned long *src2,
		unsigned int nbits);
bool bitmap_andnot(unsigned long *dst, const unsigned long *src1, const unsigned long *src2,
		   unsigned int nbits);
void bitmap_or(unsigned long *dst, const unsigned long *src1, const unsigned long *src2,
	       unsigned int nbits);
void bitmap_xor(unsigned long *dst, const unsigned long *src1, const unsigned long *src2,
		unsigned int nbits);
void bitmap_complement(unsigned long *dst, const unsigned long *src, unsigned int nbits);

bool bitmap_equal(const unsigned long *src1, const unsigned long *src2, unsigned int nbits);
bool bitmap_intersects(const unsigned long *src1, const unsigned long *src2,
		       unsigned int nbits);
/* Every bit of @src1 is in @src2. */
bool bitmap_subset(const unsigned long *src1, const unsigned long *src2, unsigned int nbits);
bool bitmap_empty(const unsigned long *src, unsigned int nbits);
bool bitmap_full(const unsigned long *src, unsigned int nbits);
unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits);

/* Sets / clears bits [start, start + nbits). */
void bitmap_set(unsigned long *map, unsigned int start, unsigned int nbits);
void bitmap_clear(unsigned long *map, unsigned int start, unsigned int nbits);

/*
 * The first run of @nr clear bits at or after @start whose first index is
 * a multiple of (align_mask + 1); a value > @size - @nr when there is none.
 */
unsigned long bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
					 unsigned long start, unsigned int nr,
					 unsigned long align_mask);

/* Array-of-u32 conversions (the uAPI uses u32 and u64 arrays for bitmaps). */
void bitmap_from_arr32(unsigned long *bitmap, const u32 *buf, unsigned int nbits);
void bitmap_to_arr32(u32 *buf, const unsigned long *bitmap, unsigned int nbits);
void bitmap_from_arr64(unsigned long *bitmap, const u64 *buf, unsigned int nbits);
void bitmap_to_arr64(u64 *buf, const unsigned long *bitmap, unsigned int nbits);
