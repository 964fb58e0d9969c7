// SPDX-License-Identifier: GPL-2.0
/*
 * struct iova_bitmap (drivers/iommu/iommufd/iova_bitmap.c).
 *
 * The kernel pins the user's bitmap a few pages at a time and sets bits in
 * place. uiommufd's "struct page" has no kernel mapping, so a window of
 * the bitmap is copied in, the driver sets bits in the copy, and the window
 * is copied back out: bits the user had set stay set (the kernel only ever
 * ORs bits in), an unwritable or unmapped bitmap is -EFAULT, and every
 * window costs two user copies (fail-nth injection points).
 *
 * The user bitmap is touched in whole u64 words, as the kernel does: the
 * range [iova, iova + length) needs DIV_ROUND_UP(length / page_size, 64)
 * words at @data, which may have any alignment.
 *
 * A driver reporting a large IOPTE may set bits past the current window
 * (a 1 GiB leaf with 4 KiB bits spans several windows). Those are kept in
 * @set_ahead_* and applied when the walk reaches the next window, so the
 * dirty state the driver cleared is never lost.
 */
#include "core/iova_bitmap.h"
#include "core/iommu.h"

/* Bytes of user bitmap per window: 32768 bits. A multiple of sizeof(u64). */
#define IOVA_BITMAP_WINDOW_BYTES PAGE_SIZE

struct iova_bitmap {
	/* The IOVA range the whole bitmap describes */
	unsigned long iova;
	unsigned long last_iova;
	unsigned long pgshift;
	u8 __user *data;
	/* Size of the user bitmap in bytes (whole u64 words) */
	size_t total_bytes;

	/* The current window: user bytes [win_off, win_off + win_bytes) in @buf */
	u8 *buf;
	size_t win_off;
	size_t win_bytes;
	bool win_valid;

	/* Dirty IOVA past the current window, set on the next one */
	unsigned long set_ahead_iova;
	size_t set_ahead_length;
};

struct iova_bitmap *iova_bitmap_alloc(unsigned long iova, size_t length,
				      unsigned long page_size, u64 __user *data)
{
	struct iova_bitmap *bitmap;
	unsigned long words;

	/* A zero @length wraps to the whole space, as (length - 1) does in the kernel. */
	if (!page_size)
		return (struct iova_bitmap *)ERR_PTR(-EINVAL);

	bitmap = (struct iova_bitmap *)kzalloc(sizeof(*bitmap), GFP_KERNEL);
	if (!bitmap)
		return (struct iova_bitmap *)ERR_PTR(-ENOMEM);

	bitmap->iova = iova;
	bitmap->last_iova = iova + (length - 1);
	bitmap->pgshift = __ffs(page_size);
	bitmap->data = (u8 __user *)data;
	words = (((length - 1) >> bitmap->pgshift) / 64) + 1;
	bitmap->total_bytes = words * sizeof(u64);

	bitmap->buf = (u8 *)kmalloc(min_t(size_t, bitmap->total_bytes, IOVA_BITMAP_WINDOW_BYTES),
				    GFP_KERNEL);
	if (!bitmap->buf) {
		kfree(bitmap);
		return (struct iova_bitmap *)ERR_PTR(-ENOMEM);
	}
	return bitmap;
}

void iova_bitmap_free(struct iova_bitmap *bitmap)
{
	if (IS_ERR_OR_NULL(bitmap))
		return;
	kfree(bitmap->buf);
	kfree(bitmap);
}

/* The first IOVA a bit of user byte @off stands for. */
static unsigned long iova_bitmap_byte_iova(struct iova_bitmap *bitmap, size_t off)
{
	return bitmap->iova + (((unsigned long)off * BITS_PER_BYTE) << bitmap->pgshift);
}

/* Last IOVA the current window covers. */
static unsigned long iova_bitmap_win_last(struct iova_bitmap *bitmap)
{
	unsigned long nbits = bitmap->win_bytes * BITS_PER_BYTE;
	unsigned long first = iova_bitmap_byte_iova(bitmap, bitmap->win_off);
	unsigned long span_last;

	/* The window may reach past the end of the range (u64 rounding). */
	if (check_add_overflow(first, (nbits << bitmap->pgshift) - 1, &span_last))
		return bitmap->last_iova;
	return min(span_last, bitmap->last_iova);
}

void iova_bitmap_set(struct iova_bitmap *bitmap, unsigned long iova, size_t length)
{
	unsigned long win_first, win_last, first, last, req_last;
	unsigned long bit, last_bit;

	if (!length || WARN_ON(!bitmap->win_valid))
		return;
	if (check_add_overflow(iova, length - 1, &req_last))
		req_last = ULONG_MAX;

	win_first = iova_bitmap_byte_iova(bitmap, bitmap->win_off);
	win_last = iova_bitmap_win_last(bitmap);

	/* Whatever lies past this window is set when the walk gets there. */
	if (req_last > win_last && win_last < bitmap->last_iova) {
		unsigned long ahead = max(iova, win_last + 1);
		unsigned long ahead_last = min(req_last, bitmap->last_iova);

		if (bitmap->set_ahead_length) {
			unsigned long old_last =
				bitmap->set_ahead_iova + bitmap->set_ahead_length - 1;

			ahead = min(ahead, bitmap->set_ahead_iova);
			ahead_last = max(ahead_last, old_last);
		}
		bitmap->set_ahead_iova = ahead;
		bitmap->set_ahead_length = ahead_last - ahead + 1;
	}

	first = max(iova, win_first);
	last = min(req_last, win_last);
	if (first > last)
		return;

	bit = ((first - bitmap->iova) >> bitmap->pgshift) - bitmap->win_off * BITS_PER_BYTE;
	last_bit = ((last - bitmap->iova) >> bitmap->pgshift) - bitmap->win_off * BITS_PER_BYTE;
	for (; bit <= last_bit; bit++)
		bitmap->buf[bit / BITS_PER_BYTE] |= 1U << (bit % BITS_PER_BYTE);
}

int iova_bitmap_for_each(struct iova_bitmap *bitmap, void *opaque, iova_bitmap_fn_t fn)
{
	int ret = 0;

	for (bitmap->win_off = 0; bitmap->win_off < bitmap->total_bytes;
	     bitmap->win_off += bitmap->win_bytes) {
		unsigned long first, last;

		bitmap->win_bytes = min_t(size_t, bitmap->total_bytes - bitmap->win_off,
					  IOVA_BITMAP_WINDOW_BYTES);
		first = iova_bitmap_byte_iova(bitmap, bitmap->win_off);
		/* u64 rounding can leave a final window with no IOVA in it */
		if (bitmap->win_off && (first - 1 >= bitmap->last_iova ||
					first < bitmap->iova))
			break;

		if (copy_from_user(bitmap->buf, bitmap->data + bitmap->win_off,
				   bitmap->win_bytes))
			return -EFAULT;
		bitmap->win_valid = true;

		if (bitmap->set_ahead_length) {
			unsigned long ahead = bitmap->set_ahead_iova;
			size_t ahead_len = bitmap->set_ahead_length;

			bitmap->set_ahead_length = 0;
			iova_bitmap_set(bitmap, ahead, ahead_len);
		}

		last = iova_bitmap_win_last(bitmap);
		ret = fn(bitmap, first, last - first + 1, opaque);

		/* Bits set before a failure are reported, as with in-place pages. */
		if (copy_to_user(bitmap->data + bitmap->win_off, bitmap->buf, bitmap->win_bytes))
			ret = ret ?: -EFAULT;
		bitmap->win_valid = false;
		if (ret)
			return ret;
	}
	return 0;
}
