// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of FIELD_PREP()/FIELD_GET() and friends. Most checks are
 * static_asserts: the macros must work in constant expressions, as the
 * drivers' register descriptions use them there. (A non-constant or
 * non-contiguous mask, or a constant too large for its field, does not
 * compile; that is checked by hand, not here.)
 */
#include "kunit.h"

#include "harness/bitfield.h"

#define REG_MODE GENMASK(3, 0)
#define REG_ADDR GENMASK_ULL(51, 12)
#define REG_VALID BIT_ULL(63)

static_assert(FIELD_PREP(REG_MODE, 5) == 5);
static_assert(FIELD_PREP(GENMASK(7, 4), 0xa) == 0xa0);
static_assert(FIELD_GET(GENMASK(7, 4), 0xabcd) == 0xc);
static_assert(FIELD_MAX(GENMASK(7, 4)) == 0xf);
static_assert(FIELD_FIT(GENMASK(7, 4), 0xf) && !FIELD_FIT(GENMASK(7, 4), 0x10));
static_assert(FIELD_PREP(REG_VALID, 1) == 0x8000000000000000ULL);
static_assert(FIELD_GET(REG_ADDR, FIELD_PREP(REG_ADDR, 0xfffffffffULL)) == 0xfffffffffULL);
/* The result has the mask's type. */
static_assert(std::is_same_v<decltype(FIELD_PREP(REG_ADDR, 1)), unsigned long long>);
static_assert(std::is_same_v<decltype(FIELD_GET(0xf0u, 0u)), unsigned int>);

/* Usable in static tables, as register layouts are. */
static const u64 table[] = { FIELD_PREP(REG_ADDR, 1) | FIELD_PREP(REG_VALID, 1),
			     FIELD_PREP(REG_MODE, 3) };

static void runtime_values(struct kunit *test)
{
	volatile u64 addr = 0xabcdef123ULL;
	u64 reg = FIELD_PREP(REG_ADDR, addr) | FIELD_PREP(REG_VALID, 1);
	u32 word = 0;

	KUNIT_EXPECT_EQ(test, FIELD_GET(REG_ADDR, reg), 0xabcdef123ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(REG_VALID, reg), 1ULL);
	KUNIT_EXPECT_EQ(test, reg & ~(REG_ADDR | REG_VALID), 0ULL);
	/* A run-time value that does not fit is truncated, as in the kernel. */
	volatile int big = 0x1f;
	KUNIT_EXPECT_EQ(test, FIELD_PREP(GENMASK(7, 4), big), 0xf0UL);
	KUNIT_EXPECT_EQ(test, table[0], 0x8000000000001000ULL);
	KUNIT_EXPECT_EQ(test, table[1], 3ULL);

	FIELD_MODIFY(GENMASK(15, 8), &word, 0x5a);
	FIELD_MODIFY(GENMASK(3, 0), &word, 0x1);
	FIELD_MODIFY(GENMASK(15, 8), &word, 0x33);
	KUNIT_EXPECT_EQ(test, word, 0x3301U);

	/* Run-time masks and the typed helpers. */
	u64 mask = GENMASK_ULL(23, 16);
	KUNIT_EXPECT_EQ(test, field_prep(mask, 0x7f), 0x7f0000ULL);
	KUNIT_EXPECT_EQ(test, field_get(mask, 0x123456ULL), 0x12ULL);
	KUNIT_EXPECT_EQ(test, u32_encode_bits(3, 0x30), 0x30U);
	KUNIT_EXPECT_EQ(test, u32_get_bits(0xabcd, 0x0ff0), 0xbcU);
	KUNIT_EXPECT_EQ(test, u16_replace_bits(0xffff, 0, 0x0f00), 0xf0ffU);
	u8 b = 0;
	u8p_replace_bits(&b, 2, 0x0c);
	KUNIT_EXPECT_EQ(test, b, 8);
}

static struct kunit_case bitfield_cases[] = {
	KUNIT_CASE(runtime_values),
	{}
};

static struct kunit_suite bitfield_suite = {
	.name = "harness-bitfield",
	.test_cases = bitfield_cases,
};
kunit_test_suite(bitfield_suite);
