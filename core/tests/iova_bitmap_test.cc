// SPDX-License-Identifier: GPL-2.0
/*
 * struct iova_bitmap on its own: windows cover the range exactly once,
 * bits land at the right place for any user alignment, bits the user had
 * set survive, bits set past the current window (a large IOPTE) are
 * carried to the next windows, and user faults and callback errors stop
 * the walk with what was set so far written back.
 */
#include "core/iova_bitmap.h"
#include "core/iommu.h"
#include "kunit.h"

#include <sys/mman.h>
#include <vector>

/* Bits per window of the walk (IOVA_BITMAP_WINDOW_BYTES * 8). */
#define WIN_BITS (PAGE_SIZE * BITS_PER_BYTE)

struct walk_log {
	std::vector<std::pair<unsigned long, size_t>> windows;
	/* Ranges to set, in IOVA, the first time a window contains their start */
	std::vector<std::pair<unsigned long, size_t>> sets;
	int fail_at = -1;	/* window index whose callback fails */
};

static int log_fn(struct iova_bitmap *bitmap, unsigned long iova, size_t length, void *opaque)
{
	struct walk_log *log = (struct walk_log *)opaque;
	int idx = (int)log->windows.size();

	log->windows.emplace_back(iova, length);
	for (auto &s : log->sets)
		if (s.first >= iova && s.first - iova < length)
			iova_bitmap_set(bitmap, s.first, s.second);
	return idx == log->fail_at ? -EIO : 0;
}

static bool bit(const u8 *bm, unsigned long i)
{
	return (bm[i / 8] >> (i % 8)) & 1;
}

static u8 *user_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : (u8 *)p;
}

static void iova_bitmap_windows(struct kunit *test)
{
	const unsigned long iova = 1UL << 30, pgsz = 4096;
	const unsigned long nbits = 3 * WIN_BITS + 5;
	size_t bytes = DIV_ROUND_UP(nbits, 64) * 8;
	u8 *bm = user_map(bytes + PAGE_SIZE);
	struct iova_bitmap *it;
	struct walk_log log;
	unsigned long next;

	KUNIT_ASSERT_NOT_NULL(test, bm);
	it = iova_bitmap_alloc(iova, nbits * pgsz, pgsz, (u64 __user *)bm);
	KUNIT_ASSERT_FALSE(test, IS_ERR(it));
	KUNIT_EXPECT_EQ(test, iova_bitmap_for_each(it, &log, log_fn), 0);
	iova_bitmap_free(it);

	/* Contiguous windows covering exactly [iova, iova + nbits * pgsz). */
	KUNIT_ASSERT_EQ(test, log.windows.size(), 4UL);
	next = iova;
	for (auto &w : log.windows) {
		KUNIT_EXPECT_EQ(test, w.first, next);
		next = w.first + w.second;
	}
	KUNIT_EXPECT_EQ(test, next, iova + nbits * pgsz);
	KUNIT_EXPECT_EQ(test, log.windows[3].second, 5 * pgsz);
	munmap(bm, bytes + PAGE_SIZE);
}

static void iova_bitmap_bits_and_alignment(struct kunit *test)
{
	const unsigned long iova = 0x100000, pgsz = 2048;
	const unsigned long nbits = 200;
	static const unsigned long offsets[] = { 0, 1, 3, 7, 0xff1, PAGE_SIZE - 1 };

	for (unsigned long off : offsets) {
		u8 *map = user_map(2 * PAGE_SIZE + 64);
		u8 *bm = map + off;
		struct iova_bitmap *it;
		struct walk_log log;

		KUNIT_ASSERT_NOT_NULL(test, map);
		memset(bm, 0, DIV_ROUND_UP(nbits, 64) * 8);
		bm[0] = 0x80;	/* a user bit (bit 7) that must survive */
		log.sets.emplace_back(iova, pgsz);		/* bit 0 */
		log.sets.emplace_back(iova + 65 * pgsz, 3 * pgsz);	/* bits 65..67 */
		log.sets.emplace_back(iova + 199 * pgsz, 1);	/* bit 199, sub-page */
		it = iova_bitmap_alloc(iova, nbits * pgsz, pgsz, (u64 __user *)bm);
		KUNIT_ASSERT_FALSE(test, IS_ERR(it));
		KUNIT_EXPECT_EQ(test, iova_bitmap_for_each(it, &log, log_fn), 0);
		iova_bitmap_free(it);

		for (unsigned long i = 0; i < nbits; i++) {
			bool want = i == 0 || i == 7 || (i >= 65 && i <= 67) || i == 199;

			KUNIT_EXPECT_EQ_MSG(test, bit(bm, i), want, "offset %lu bit %lu", off, i);
		}
		/* Nothing past the last u64 word was touched. */
		KUNIT_EXPECT_EQ(test, bm[DIV_ROUND_UP(nbits, 64) * 8], 0);
		munmap(map, 2 * PAGE_SIZE + 64);
	}
}

/* A large IOPTE reported in the first window sets bits in the later ones. */
static void iova_bitmap_set_ahead(struct kunit *test)
{
	const unsigned long iova = 0, pgsz = 4096;
	const unsigned long nbits = 3 * WIN_BITS;
	size_t bytes = nbits / 8;
	u8 *bm = user_map(bytes);
	struct iova_bitmap *it;
	struct walk_log log;
	unsigned long i;

	KUNIT_ASSERT_NOT_NULL(test, bm);
	/* From 10 bits before the end of window 0 to 10 bits into window 2. */
	log.sets.emplace_back(iova + (WIN_BITS - 10) * pgsz, (WIN_BITS + 20) * pgsz);
	/* And one starting in window 1 that runs past the end of the range. */
	log.sets.emplace_back(iova + (2 * WIN_BITS - 1) * pgsz, (WIN_BITS + 64) * pgsz);
	it = iova_bitmap_alloc(iova, nbits * pgsz, pgsz, (u64 __user *)bm);
	KUNIT_ASSERT_FALSE(test, IS_ERR(it));
	KUNIT_EXPECT_EQ(test, iova_bitmap_for_each(it, &log, log_fn), 0);
	iova_bitmap_free(it);

	for (i = 0; i < nbits; i++) {
		bool want = i >= WIN_BITS - 10;

		if (bit(bm, i) != want) {
			KUNIT_FAIL(test, "bit %lu is %d", i, bit(bm, i));
			break;
		}
	}
	munmap(bm, bytes);
}

static void iova_bitmap_errors(struct kunit *test)
{
	const unsigned long iova = 0, pgsz = 4096;
	const unsigned long nbits = 2 * WIN_BITS;
	size_t bytes = nbits / 8;
	u8 *bm = user_map(bytes);
	struct iova_bitmap *it;

	KUNIT_ASSERT_NOT_NULL(test, bm);
	KUNIT_EXPECT_TRUE(test, IS_ERR(iova_bitmap_alloc(iova, PAGE_SIZE, 0, (u64 __user *)bm)));

	/* The callback fails in window 1: window 0's bits are already out. */
	{
		struct walk_log log;

		log.sets.emplace_back(iova, pgsz);
		log.sets.emplace_back(iova + WIN_BITS * pgsz, pgsz);
		log.fail_at = 1;
		it = iova_bitmap_alloc(iova, nbits * pgsz, pgsz, (u64 __user *)bm);
		KUNIT_ASSERT_FALSE(test, IS_ERR(it));
		KUNIT_EXPECT_EQ(test, iova_bitmap_for_each(it, &log, log_fn), -EIO);
		iova_bitmap_free(it);
		KUNIT_EXPECT_TRUE(test, bit(bm, 0));
		/* Set before the failure in the same window: written back too. */
		KUNIT_EXPECT_TRUE(test, bit(bm, WIN_BITS));
	}

	/* A read-only second page: the first window works, the second faults. */
	{
		struct walk_log log;

		memset(bm, 0, bytes);
		KUNIT_ASSERT_EQ(test, mprotect(bm + PAGE_SIZE, bytes - PAGE_SIZE, PROT_READ), 0);
		log.sets.emplace_back(iova + 3 * pgsz, pgsz);
		it = iova_bitmap_alloc(iova, nbits * pgsz, pgsz, (u64 __user *)bm);
		KUNIT_ASSERT_FALSE(test, IS_ERR(it));
		KUNIT_EXPECT_EQ(test, iova_bitmap_for_each(it, &log, log_fn), -EFAULT);
		iova_bitmap_free(it);
		KUNIT_EXPECT_TRUE(test, bit(bm, 3));
		KUNIT_EXPECT_EQ(test, log.windows.size(), 2UL);
	}
	munmap(bm, bytes);
}

static struct kunit_case iova_bitmap_cases[] = {
	KUNIT_CASE(iova_bitmap_windows),
	KUNIT_CASE(iova_bitmap_bits_and_alignment),
	KUNIT_CASE(iova_bitmap_set_ahead),
	KUNIT_CASE(iova_bitmap_errors),
	{}
};

static struct kunit_suite iova_bitmap_suite = {
	.name = "core-iova-bitmap",
	.test_cases = iova_bitmap_cases,
};
kunit_test_suite(iova_bitmap_suite);
