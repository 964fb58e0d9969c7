// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of atomics, refcount_t and kref: the arithmetic, the
 * kernel's saturation on misuse (each misuse must WARN and pin the count),
 * and exactness under concurrent use.
 */
#include "kunit.h"

#include "harness/refcount.h"

#include <thread>
#include <vector>

static void atomic_ops(struct kunit *test)
{
	atomic_t a = ATOMIC_INIT(5);
	atomic64_t b = ATOMIC64_INIT(1LL << 40);
	atomic_long_t c = ATOMIC_LONG_INIT(-1);
	int old;

	KUNIT_EXPECT_EQ(test, atomic_read(&a), 5);
	atomic_inc(&a);
	atomic_add(10, &a);
	atomic_sub(2, &a);
	atomic_dec(&a);
	KUNIT_EXPECT_EQ(test, atomic_read(&a), 13);
	KUNIT_EXPECT_EQ(test, atomic_inc_return(&a), 14);
	KUNIT_EXPECT_EQ(test, atomic_fetch_add(6, &a), 14);
	KUNIT_EXPECT_EQ(test, atomic_sub_return(19, &a), 1);
	KUNIT_EXPECT_TRUE(test, atomic_dec_and_test(&a));
	KUNIT_EXPECT_FALSE(test, atomic_dec_and_test(&a));
	KUNIT_EXPECT_EQ(test, atomic_read(&a), -1);

	/* cmpxchg returns the old value; try_cmpxchg updates *old on failure. */
	atomic_set(&a, 7);
	KUNIT_EXPECT_EQ(test, atomic_cmpxchg(&a, 7, 8), 7);
	KUNIT_EXPECT_EQ(test, atomic_cmpxchg(&a, 7, 9), 8);
	old = 3;
	KUNIT_EXPECT_FALSE(test, atomic_try_cmpxchg(&a, &old, 4));
	KUNIT_EXPECT_EQ(test, old, 8);
	KUNIT_EXPECT_TRUE(test, atomic_try_cmpxchg(&a, &old, 4));
	KUNIT_EXPECT_EQ(test, atomic_xchg(&a, 0), 4);
	KUNIT_EXPECT_FALSE(test, atomic_inc_not_zero(&a));
	KUNIT_EXPECT_EQ(test, atomic_fetch_add_unless(&a, 1, 0), 0);
	KUNIT_EXPECT_EQ(test, atomic_dec_if_positive(&a), -1);
	KUNIT_EXPECT_EQ(test, atomic_read(&a), 0);
	atomic_set(&a, 0x0f);
	atomic_or(0x30, &a);
	atomic_andnot(0x01, &a);
	KUNIT_EXPECT_EQ(test, atomic_fetch_and(0x3c, &a), 0x3e);
	KUNIT_EXPECT_EQ(test, atomic_read(&a), 0x3c);

	atomic64_add(1LL << 40, &b);
	KUNIT_EXPECT_EQ(test, atomic64_read(&b), 1LL << 41);
	KUNIT_EXPECT_EQ(test, atomic64_sub_return(1LL << 41, &b), 0);
	atomic_long_inc(&c);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_add_return(LONG_MAX, &c), LONG_MAX);
}

static void refcount_basics(struct kunit *test)
{
	refcount_t r = REFCOUNT_INIT(1);

	refcount_inc(&r);
	refcount_add(3, &r);
	KUNIT_EXPECT_EQ(test, refcount_read(&r), 5);
	KUNIT_EXPECT_TRUE(test, refcount_inc_not_zero(&r));
	KUNIT_EXPECT_FALSE(test, refcount_sub_and_test(3, &r));
	refcount_dec(&r);
	KUNIT_EXPECT_FALSE(test, refcount_dec_if_one(&r));
	KUNIT_EXPECT_TRUE(test, refcount_dec_not_one(&r));
	KUNIT_EXPECT_FALSE(test, refcount_dec_not_one(&r));
	KUNIT_EXPECT_EQ(test, refcount_read(&r), 1);
	KUNIT_EXPECT_TRUE(test, refcount_dec_if_one(&r));
	KUNIT_EXPECT_EQ(test, refcount_read(&r), 0);
	KUNIT_EXPECT_FALSE(test, refcount_inc_not_zero(&r));
	KUNIT_EXPECT_EQ(test, refcount_read(&r), 0);
	refcount_set(&r, 1);
	KUNIT_EXPECT_TRUE(test, refcount_dec_and_test(&r));
}

static void refcount_inc_from_zero_warns(struct kunit *test)
{
	refcount_t r = REFCOUNT_INIT(0);

	KUNIT_EXPECT_HARNESS_FAILURE(test, refcount_inc(&r));
	KUNIT_EXPECT_EQ(test, (int)refcount_read(&r), REFCOUNT_SATURATED);
	KUNIT_EXPECT_NOT_NULL(test, strstr(kunit_last_harness_failure(test), "use-after-free"));
}

static void refcount_underflow_warns(struct kunit *test)
{
	refcount_t r = REFCOUNT_INIT(1);
	bool freed = true;

	KUNIT_EXPECT_TRUE(test, refcount_dec_and_test(&r));
	/* One put too many: WARN, and never "free" again. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, freed = refcount_dec_and_test(&r));
	KUNIT_EXPECT_FALSE(test, freed);
	KUNIT_EXPECT_EQ(test, (int)refcount_read(&r), REFCOUNT_SATURATED);
	/* Saturated stays put-proof: it is a leak now, not a double free. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, freed = refcount_dec_and_test(&r));
	KUNIT_EXPECT_FALSE(test, freed);

	refcount_set(&r, 3);
	KUNIT_EXPECT_HARNESS_FAILURE(test, freed = refcount_sub_and_test(4, &r));
	KUNIT_EXPECT_FALSE(test, freed);
	KUNIT_EXPECT_EQ(test, (int)refcount_read(&r), REFCOUNT_SATURATED);
}

static void refcount_dec_to_zero_warns(struct kunit *test)
{
	refcount_t r = REFCOUNT_INIT(1);

	/* refcount_dec() must not drop the last reference. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, refcount_dec(&r));
	KUNIT_EXPECT_EQ(test, (int)refcount_read(&r), REFCOUNT_SATURATED);

	refcount_set(&r, 0);
	bool ret = false;

	KUNIT_EXPECT_HARNESS_FAILURE(test, ret = refcount_dec_not_one(&r));
	KUNIT_EXPECT_TRUE(test, ret);
}

static void refcount_overflow_warns(struct kunit *test)
{
	refcount_t r = REFCOUNT_INIT(INT_MAX);
	bool ok = false;

	KUNIT_EXPECT_HARNESS_FAILURE(test, refcount_inc(&r));
	KUNIT_EXPECT_EQ(test, (int)refcount_read(&r), REFCOUNT_SATURATED);

	refcount_set(&r, INT_MAX - 1);
	KUNIT_EXPECT_HARNESS_FAILURE(test, ok = refcount_add_not_zero(2, &r));
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, (int)refcount_read(&r), REFCOUNT_SATURATED);

	/* Saturated: further gets do not wrap to zero. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, refcount_add(INT_MAX, &r));
	KUNIT_EXPECT_EQ(test, (int)refcount_read(&r), REFCOUNT_SATURATED);
}

struct kobj {
	struct kref ref;
	int released;
};

static void kobj_release(struct kref *ref)
{
	container_of(ref, struct kobj, ref)->released++;
}

static void kref_lifecycle(struct kunit *test)
{
	struct kobj o = {};

	kref_init(&o.ref);
	kref_get(&o.ref);
	KUNIT_EXPECT_EQ(test, kref_read(&o.ref), 2);
	KUNIT_EXPECT_EQ(test, kref_put(&o.ref, kobj_release), 0);
	KUNIT_EXPECT_EQ(test, o.released, 0);
	KUNIT_EXPECT_EQ(test, kref_put(&o.ref, kobj_release), 1);
	KUNIT_EXPECT_EQ(test, o.released, 1);
	KUNIT_EXPECT_FALSE(test, kref_get_unless_zero(&o.ref));
	/* A get after the release is a use-after-free. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, kref_get(&o.ref));
	/* And a put after it warns again but must not release twice. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, kref_put(&o.ref, kobj_release));
	KUNIT_EXPECT_EQ(test, o.released, 1);
}

static void refcount_threads_exact(struct kunit *test)
{
	refcount_t r = REFCOUNT_INIT(1);
	atomic_long_t sum = ATOMIC_LONG_INIT(0);
	std::vector<std::thread> threads;
	constexpr int per_thread = 100000;

	for (int t = 0; t < 4; t++) {
		threads.emplace_back([&] {
			for (int i = 0; i < per_thread; i++) {
				refcount_inc(&r);
				atomic_long_add(2, &sum);
			}
			for (int i = 0; i < per_thread; i++)
				if (refcount_dec_and_test(&r))
					atomic_long_inc(&sum);	/* must not happen */
		});
	}
	for (auto &th : threads)
		th.join();
	KUNIT_EXPECT_EQ(test, refcount_read(&r), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sum), 4L * 2 * per_thread);
	KUNIT_EXPECT_TRUE(test, refcount_dec_and_test(&r));
}

static struct kunit_case refcount_cases[] = {
	KUNIT_CASE(atomic_ops),
	KUNIT_CASE(refcount_basics),
	KUNIT_CASE(refcount_inc_from_zero_warns),
	KUNIT_CASE(refcount_underflow_warns),
	KUNIT_CASE(refcount_dec_to_zero_warns),
	KUNIT_CASE(refcount_overflow_warns),
	KUNIT_CASE(kref_lifecycle),
	KUNIT_CASE(refcount_threads_exact),
	{}
};

static struct kunit_suite refcount_suite = {
	.name = "harness-refcount",
	.test_cases = refcount_cases,
};
kunit_test_suite(refcount_suite);
