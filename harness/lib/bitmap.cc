// SPDX-License-Identifier: GPL-2.0
/*
 * Bitmap operations and bit searches (lib/bitmap.c, lib/find_bit.c).
 *
 * Word-at-a-time loops; the searches mask the first and last words instead
 * of testing bit by bit, so a scan costs one step per word.
 */
#include "harness/bitmap.h"

namespace {

/* Index of the first set bit of (word i of @addr, xor'ed with @invert). */
unsigned long find_next(const unsigned long *addr, unsigned long size, unsigned long offset,
			unsigned long invert)
{
	if (offset >= size)
		return size;
	unsigned long i = offset / BITS_PER_LONG;
	unsigned long word = (addr[i] ^ invert) & BITMAP_FIRST_WORD_MASK(offset);

	while (!word) {
		if (++i * BITS_PER_LONG >= size)
			return size;
		word = addr[i] ^ invert;
	}
	unsigned long bit = i * BITS_PER_LONG + __ffs(word);

	return bit < size ? bit : size;
}

} // namespace

unsigned long find_next_bit(const unsigned long *addr, unsigned long size, unsigned long offset)
{
	return find_next(addr, size, offset, 0);
}

unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
				 unsigned long offset)
{
	return find_next(addr, size, offset, ~0UL);
}

unsigned long find_next_and_bit(const unsigned long *addr1, const unsigned long *addr2,
				unsigned long size, unsigned long offset)
{
	if (offset >= size)
		return size;
	unsigned long i = offset / BITS_PER_LONG;
	unsigned long word = addr1[i] & addr2[i] & BITMAP_FIRST_WORD_MASK(offset);

	while (!word) {
		if (++i * BITS_PER_LONG >= size)
			return size;
		word = addr1[i] & addr2[i];
	}
	unsigned long bit = i * BITS_PER_LONG + __ffs(word);

	return bit < size ? bit : size;
}

unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
	if (!size)
		return size;
	unsigned long i = (size - 1) / BITS_PER_LONG;
	unsigned long word = addr[i] & BITMAP_LAST_WORD_MASK(size);

	for (;;) {
		if (word)
			return i * BITS_PER_LONG + __fls(word);
		if (!i--)
			return size;
		word = addr[i];
	}
}

unsigned long *bitmap_alloc(unsigned int nbits, gfp_t flags)
{
	return kmalloc_array(BITS_TO_LONGS(nbits), sizeof(unsigned long), flags);
}

unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t flags)
{
	return bitmap_alloc(nbits, flags | __GFP_ZERO);
}

void bitmap_free(const unsigned long *bitmap)
{
	kfree(bitmap);
}

bool bitmap_and(unsigned long *dst, const unsigned long *src1, const unsigned long *src2,
		unsigned int nbits)
{
	unsigned long any = 0;
	unsigned int k, full = nbits / BITS_PER_LONG;

	for (k = 0; k < full; k++)
		any |= (dst[k] = src1[k] & src2[k]);
	if (nbits % BITS_PER_LONG)
		any |= (dst[k] = src1[k] & src2[k] & BITMAP_LAST_WORD_MASK(nbits));
	return any != 0;
}

bool bitmap_andnot(unsigned long *dst, const unsigned long *src1, const unsigned long *src2,
		   unsigned int nbits)
{
	unsigned long any = 0;
	unsigned int k, full = nbits / BITS_PER_LONG;

	for (k = 0; k < full; k++)
		any |= (dst[k] = src1[k] & ~src2[k]);
	if (nbits % BITS_PER_LONG)
		any |= (dst[k] = src1[k] & ~src2[k] & BITMAP_LAST_WORD_MASK(nbits));
	return any != 0;
}

void bitmap_or(unsigned long *dst, const unsigned long *src1, const unsigned long *src2,
	       unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = src1[k] | src2[k];
}

void bitmap_xor(unsigned long *dst, const unsigned long *src1, const unsigned long *src2,
		unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = src1[k] ^ src2[k];
}

void bitmap_complement(unsigned long *dst, const unsigned long *src, unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = ~src[k];
}

bool bitmap_equal(const unsigned long *src1, const unsigned long *src2, unsigned int nbits)
{
	unsigned int k, full = nbits / BITS_PER_LONG;

	for (k = 0; k < full; k++)
		if (src1[k] != src2[k])
			return false;
	if (nbits % BITS_PER_LONG)
		return !((src1[k] ^ src2[k]) & BITMAP_LAST_WORD_MASK(nbits));
	return true;
}

bool bitmap_intersects(const unsigned long *src1, const unsigned long *src2, unsigned int nbits)
{
	unsigned int k, full = nbits / BITS_PER_LONG;

	for (k = 0; k < full; k++)
		if (src1[k] & src2[k])
			return true;
	if (nbits % BITS_PER_LONG)
		return (src1[k] & src2[k] & BITMAP_LAST_WORD_MASK(nbits)) != 0;
	return false;
}

bool bitmap_subset(const unsigned long *src1, const unsigned long *src2, unsigned int nbits)
{
	unsigned int k, full = nbits / BITS_PER_LONG;

	for (k = 0; k < full; k++)
		if (src1[k] & ~src2[k])
			return false;
	if (nbits % BITS_PER_LONG)
		return !(src1[k] & ~src2[k] & BITMAP_LAST_WORD_MASK(nbits));
	return true;
}

bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	return find_first_bit(src, nbits) == nbits;
}

bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	return find_first_zero_bit(src, nbits) == nbits;
}

unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits)
{
	unsigned int k, w = 0, full = nbits / BITS_PER_LONG;

	for (k = 0; k < full; k++)
		w += hweight_long(src[k]);
	if (nbits % BITS_PER_LONG)
		w += hweight_long(src[k] & BITMAP_LAST_WORD_MASK(nbits));
	return w;
}

void bitmap_set(unsigned long *map, unsigned int start, unsigned int nbits)
{
	unsigned long *p = map + BIT_WORD(start);
	const unsigned int end = start + nbits;
	unsigned long mask = BITMAP_FIRST_WORD_MASK(start);

	if (!nbits)
		return;
	/* Whole words between the first and the last. */
	while (BIT_WORD(start) != BIT_WORD(end - 1)) {
		*p++ |= mask;
		start = (start | (BITS_PER_LONG - 1)) + 1;
		mask = ~0UL;
	}
	*p |= mask & BITMAP_LAST_WORD_MASK(end);
}

void bitmap_clear(unsigned long *map, unsigned int start, unsigned int nbits)
{
	unsigned long *p = map + BIT_WORD(start);
	const unsigned int end = start + nbits;
	unsigned long mask = BITMAP_FIRST_WORD_MASK(start);

	if (!nbits)
		return;
	while (BIT_WORD(start) != BIT_WORD(end - 1)) {
		*p++ &= ~mask;
		start = (start | (BITS_PER_LONG - 1)) + 1;
		mask = ~0UL;
	}
	*p &= ~(mask & BITMAP_LAST_WORD_MASK(end));
}

unsigned long bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
					 unsigned long start, unsigned int nr,
					 unsigned long align_mask)
{
	for (;;) {
		unsigned long index = find_next_zero_bit(map, size, start);

		index = (index + align_mask) & ~align_mask;
		unsigned long end = index + nr;

		if (end > size)
			return end;
		unsigned long busy = find_next_bit(map, end, index);

		if (busy >= end)
			return index;
		start = busy + 1;
	}
}

void bitmap_from_arr32(unsigned long *bitmap, const u32 *buf, unsigned int nbits)
{
	unsigned int words = BITS_TO_U32(nbits);

	bitmap_zero(bitmap, nbits);
	for (unsigned int i = 0; i < words; i++)
		bitmap[i / 2] |= (unsigned long)buf[i] << (32 * (i % 2));
	if (nbits % BITS_PER_LONG)
		bitmap[(words - 1) / 2] &= BITMAP_LAST_WORD_MASK(nbits);
}

void bitmap_to_arr32(u32 *buf, const unsigned long *bitmap, unsigned int nbits)
{
	unsigned int words = BITS_TO_U32(nbits);

	for (unsigned int i = 0; i < words; i++)
		buf[i] = (u32)(bitmap[i / 2] >> (32 * (i % 2)));
	if (nbits % 32)
		buf[words - 1] &= (u32)BITMAP_LAST_WORD_MASK(nbits % 32);
}

void bitmap_from_arr64(unsigned long *bitmap, const u64 *buf, unsigned int nbits)
{
	static_assert(sizeof(unsigned long) == sizeof(u64), "64-bit hosts only");
	unsigned int words = BITS_TO_U64(nbits);

	for (unsigned int i = 0; i < words; i++)
		bitmap[i] = buf[i];
	if (nbits % BITS_PER_LONG)
		bitmap[words - 1] &= BITMAP_LAST_WORD_MASK(nbits);
}

void bitmap_to_arr64(u64 *buf, const unsigned long *bitmap, unsigned int nbits)
{
	unsigned int words = BITS_TO_U64(nbits);

	for (unsigned int i = 0; i < words; i++)
		buf[i] = bitmap[i];
	if (nbits % 64)
		buf[words - 1] &= GENMASK_ULL((nbits - 1) % 64, 0);
}
