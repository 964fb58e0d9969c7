// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of bit operations and bitmaps: single-bit ops (including
 * atomicity under contention), the searches at word edges, the range and
 * set operations against a brute-force model, and the log2 helpers.
 */
#include "kunit.h"

#include "harness/bitmap.h"
#include "harness/fault_inject.h"

#include <random>
#include <thread>
#include <vector>

static_assert(BIT(3) == 8 && BIT_ULL(63) == 0x8000000000000000ULL);
static_assert(GENMASK(7, 4) == 0xf0 && GENMASK(63, 0) == ~0UL && GENMASK(0, 0) == 1);
static_assert(GENMASK_ULL(39, 12) == 0xfffffff000ULL);
static_assert(ilog2(1) == 0 && ilog2(4096) == 12 && ilog2(4097) == 12);
static_assert(roundup_pow_of_two(5) == 8 && roundup_pow_of_two(8) == 8);
static_assert(rounddown_pow_of_two(5) == 4 && order_base_2(5) == 3 && order_base_2(1) == 0);
static_assert(is_power_of_2(64) && !is_power_of_2(0) && !is_power_of_2(12));
static_assert(fls(0) == 0 && fls(1) == 1 && fls(0x80000000) == 32 && fls64(1ULL << 40) == 41);
static_assert(__ffs(0x10) == 4 && __fls(0x10) == 4 && ffz(0xff) == 8);
static_assert(BITS_TO_LONGS(0) == 0 && BITS_TO_LONGS(64) == 1 && BITS_TO_LONGS(65) == 2);
static_assert(hweight32(0xf0f0) == 8 && hweight64(~0ULL) == 64);

static void single_bits(struct kunit *test)
{
	DECLARE_BITMAP(map, 130);

	bitmap_zero(map, 130);
	set_bit(0, map);
	__set_bit(64, map);
	set_bit(129, map);
	KUNIT_EXPECT_TRUE(test, test_bit(0, map));
	KUNIT_EXPECT_TRUE(test, test_bit(64, map));
	KUNIT_EXPECT_FALSE(test, test_bit(63, map));
	KUNIT_EXPECT_EQ(test, map[2], 2UL);
	KUNIT_EXPECT_TRUE(test, test_and_clear_bit(64, map));
	KUNIT_EXPECT_FALSE(test, test_and_clear_bit(64, map));
	KUNIT_EXPECT_FALSE(test, test_and_set_bit(5, map));
	KUNIT_EXPECT_TRUE(test, __test_and_set_bit(5, map));
	change_bit(6, map);
	KUNIT_EXPECT_TRUE(test, test_bit(6, map));
	__clear_bit(6, map);
	clear_bit(0, map);
	KUNIT_EXPECT_EQ(test, bitmap_weight(map, 130), 2);
	KUNIT_EXPECT_EQ(test, ffs(0), 0);
	KUNIT_EXPECT_EQ(test, ffs(0x18), 4);
}

static void searches(struct kunit *test)
{
	DECLARE_BITMAP(map, 200);
	unsigned long bit;
	std::vector<unsigned long> seen;

	bitmap_zero(map, 200);
	KUNIT_EXPECT_EQ(test, find_first_bit(map, 200), 200);
	KUNIT_EXPECT_EQ(test, find_last_bit(map, 200), 200);
	for (unsigned long b : { 0UL, 63UL, 64UL, 127UL, 199UL })
		__set_bit(b, map);
	for_each_set_bit(bit, map, 200)
		seen.push_back(bit);
	KUNIT_EXPECT_TRUE(test, seen == std::vector<unsigned long>({ 0, 63, 64, 127, 199 }));
	KUNIT_EXPECT_EQ(test, find_next_bit(map, 200, 1), 63);
	KUNIT_EXPECT_EQ(test, find_next_bit(map, 200, 128), 199);
	/* The size bounds the search even with bits set beyond it. */
	KUNIT_EXPECT_EQ(test, find_next_bit(map, 199, 128), 199);
	KUNIT_EXPECT_EQ(test, find_next_bit(map, 150, 128), 150);
	KUNIT_EXPECT_EQ(test, find_last_bit(map, 199), 127);
	KUNIT_EXPECT_EQ(test, find_first_zero_bit(map, 200), 1);
	KUNIT_EXPECT_EQ(test, find_next_zero_bit(map, 200, 63), 65);
	bitmap_fill(map, 200);
	KUNIT_EXPECT_EQ(test, find_first_zero_bit(map, 200), 200);
	KUNIT_EXPECT_TRUE(test, bitmap_full(map, 200));
	/* fill leaves the tail of the last word clear. */
	KUNIT_EXPECT_EQ(test, map[3], (1UL << 8) - 1);
	seen.clear();
	__clear_bit(70, map);
	__clear_bit(71, map);
	for_each_clear_bit(bit, map, 200)
		seen.push_back(bit);
	KUNIT_EXPECT_TRUE(test, seen == std::vector<unsigned long>({ 70, 71 }));
}

static void ranges_vs_model(struct kunit *test)
{
	std::mt19937_64 rng(12345);
	constexpr unsigned int nbits = 300;
	DECLARE_BITMAP(map, nbits);
	DECLARE_BITMAP(other, nbits);
	DECLARE_BITMAP(res, nbits);
	std::vector<bool> m(nbits), o(nbits);

	bitmap_zero(map, nbits);
	bitmap_zero(other, nbits);
	for (int round = 0; round < 2000; round++) {
		unsigned int start = rng() % nbits, len = rng() % (nbits - start + 1);
		bool set = rng() % 2;
		bool into_other = rng() % 4 == 0;

		if (set)
			bitmap_set(into_other ? other : map, start, len);
		else
			bitmap_clear(into_other ? other : map, start, len);
		for (unsigned int i = start; i < start + len; i++)
			(into_other ? o : m)[i] = set;

		unsigned int w = 0;
		bool inter = false, subset = true, equal = true;

		for (unsigned int i = 0; i < nbits; i++) {
			KUNIT_ASSERT_EQ(test, test_bit(i, map), (bool)m[i]);
			w += m[i];
			inter |= m[i] && o[i];
			subset &= !m[i] || o[i];
			equal &= m[i] == o[i];
		}
		KUNIT_ASSERT_EQ(test, bitmap_weight(map, nbits), w);
		KUNIT_ASSERT_EQ(test, bitmap_empty(map, nbits), w == 0);
		KUNIT_ASSERT_EQ(test, bitmap_full(map, nbits), w == nbits);
		KUNIT_ASSERT_EQ(test, bitmap_intersects(map, other, nbits), inter);
		KUNIT_ASSERT_EQ(test, bitmap_subset(map, other, nbits), subset);
		KUNIT_ASSERT_EQ(test, bitmap_equal(map, other, nbits), equal);
		KUNIT_ASSERT_EQ(test, bitmap_and(res, map, other, nbits), inter);
		bitmap_or(res, map, other, nbits);
		bitmap_xor(res, res, other, nbits);
		bitmap_andnot(res, map, other, nbits);
		for (unsigned int i = 0; i < nbits; i++)
			KUNIT_ASSERT_EQ(test, test_bit(i, res), m[i] && !o[i]);
	}
}

static void zero_area(struct kunit *test)
{
	DECLARE_BITMAP(map, 128);

	bitmap_zero(map, 128);
	bitmap_set(map, 0, 3);
	bitmap_set(map, 10, 2);
	KUNIT_EXPECT_EQ(test, bitmap_find_next_zero_area(map, 128, 0, 4, 0), 3);
	KUNIT_EXPECT_EQ(test, bitmap_find_next_zero_area(map, 128, 0, 8, 0), 12);
	/* Aligned to 8. */
	KUNIT_EXPECT_EQ(test, bitmap_find_next_zero_area(map, 128, 0, 4, 7), 16);
	KUNIT_EXPECT_GT(test, bitmap_find_next_zero_area(map, 128, 0, 120, 0), 128 - 120);
}

static void arrays_and_alloc(struct kunit *test)
{
	const u32 in32[3] = { 0xdeadbeef, 0x12345678, 0xffffffff };
	u32 out32[3] = {};
	u64 out64[2] = {};
	unsigned long *map = bitmap_zalloc(70, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(map, 70));
	bitmap_from_arr32(map, in32, 70);
	KUNIT_EXPECT_EQ(test, map[0], 0x12345678deadbeefUL);
	KUNIT_EXPECT_EQ(test, map[1], 0x3fUL);
	bitmap_to_arr32(out32, map, 70);
	KUNIT_EXPECT_EQ(test, out32[2], 0x3fU);
	bitmap_to_arr64(out64, map, 70);
	KUNIT_EXPECT_EQ(test, out64[1], 0x3fULL);
	bitmap_free(map);

	/* bitmap_zalloc() is a kmalloc: failslab reaches it. */
	fail_nth_write(1);
	map = bitmap_zalloc(10, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, map);
	bitmap_free(map);
}

static void atomic_bits_contended(struct kunit *test)
{
	DECLARE_BITMAP(map, 256);
	std::vector<std::thread> threads;

	bitmap_zero(map, 256);
	/* Four threads set interleaved bits of the same words. */
	for (int t = 0; t < 4; t++)
		threads.emplace_back([&, t] {
			for (int rep = 0; rep < 200; rep++)
				for (unsigned long b = t; b < 256; b += 4)
					set_bit(b, map);
		});
	for (auto &th : threads)
		th.join();
	KUNIT_EXPECT_TRUE(test, bitmap_full(map, 256));
}

static struct kunit_case bitmap_cases[] = {
	KUNIT_CASE(single_bits),
	KUNIT_CASE(searches),
	KUNIT_CASE(ranges_vs_model),
	KUNIT_CASE(zero_area),
	KUNIT_CASE(arrays_and_alloc),
	KUNIT_CASE(atomic_bits_contended),
	{}
};

static struct kunit_suite bitmap_suite = {
	.name = "harness-bitmap",
	.test_cases = bitmap_cases,
};
kunit_test_suite(bitmap_suite);
