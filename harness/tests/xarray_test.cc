// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the XArray: the normal API's semantics (stores, reserved
 * entries, cmpxchg, ID allocation, iteration), the advanced xas API the
 * way iommufd's pages.c and main.c use it, allocation failure through
 * failslab, locking rules, and a randomised comparison against std::map.
 */
#include "kunit.h"

#include "harness/fault_inject.h"
#include "harness/slab.h"
#include "harness/xarray.h"

#include <atomic>
#include <climits>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

/* Distinct, 4-byte aligned pointers to store. */
static int objs[16];
#define OBJ(i) ((void *)&objs[i])

struct failslab_state {
	unsigned long probability, interval;
	int times;
	bool ignore_reclaim;
};

static failslab_state failslab_save(void)
{
	return { failslab.probability.load(), failslab.interval.load(), failslab.times.load(),
		 failslab.ignore_gfp_reclaim.load() };
}

static void failslab_restore(const failslab_state &s)
{
	failslab.probability = s.probability;
	failslab.interval = s.interval;
	failslab.times = s.times;
	failslab.ignore_gfp_reclaim = s.ignore_reclaim;
}

/* Every slab allocation fails from now on (or only non-blocking ones). */
static void failslab_always(bool only_nowait)
{
	failslab.probability = 100;
	failslab.interval = 1;
	failslab.times = -1;
	failslab.ignore_gfp_reclaim = only_nowait;
}

static void store_load_erase(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	static const unsigned long idx[] = { 0, 1, 63, 64, 4095, 4096, 1UL << 32,
					     (1UL << 60) - 1, 1UL << 60, ULONG_MAX - 1,
					     ULONG_MAX };

	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
	for (unsigned int i = 0; i < ARRAY_SIZE(idx); i++) {
		KUNIT_EXPECT_NULL(test, xa_store(&xa, idx[i], xa_mk_value(i), GFP_KERNEL));
		KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(idx); i++)
		KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, idx[i]), xa_mk_value(i));
	KUNIT_EXPECT_NULL(test, xa_load(&xa, 2));
	KUNIT_EXPECT_NULL(test, xa_load(&xa, ULONG_MAX - 2));
	/* A store returns what it replaced. */
	KUNIT_EXPECT_PTR_EQ(test, xa_store(&xa, 64, OBJ(1), GFP_KERNEL), xa_mk_value(3));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 64), OBJ(1));
	/* Storing NULL in a plain array erases. */
	KUNIT_EXPECT_PTR_EQ(test, xa_store(&xa, 64, NULL, GFP_KERNEL), OBJ(1));
	KUNIT_EXPECT_NULL(test, xa_load(&xa, 64));
	for (unsigned int i = 0; i < ARRAY_SIZE(idx); i++) {
		void *expect = idx[i] == 64 ? NULL : xa_mk_value(i);

		KUNIT_EXPECT_PTR_EQ(test, xa_erase(&xa, idx[i]), expect);
		KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	}
	KUNIT_EXPECT_NULL(test, xa_erase(&xa, 5));
	/* Erasing everything frees every node: no xa_destroy() needed. */
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

static void index_zero_needs_no_node(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	u64 mark = kmem_leak_mark();

	/* Like the kernel, a lone entry at index 0 lives in the head. */
	xa_store(&xa, 0, OBJ(0), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0);
	xa_store(&xa, 1, OBJ(1), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 1);
	/* A second level: a new root above the leaf, and a new leaf. */
	xa_store(&xa, 64 * 64 - 1, OBJ(2), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 3);
	/* A third level: a new root, and a path of two below it. */
	xa_store(&xa, 64 * 64, OBJ(3), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 6);
	/* Deleting shrinks it all back. */
	xa_erase(&xa, 64 * 64);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 3);
	xa_erase(&xa, 64 * 64 - 1);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 1);
	xa_erase(&xa, 1);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 0), OBJ(0));
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	xa_erase(&xa, 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

static void insert_busy(struct kunit *test)
{
	DEFINE_XARRAY(xa);

	KUNIT_EXPECT_EQ(test, xa_insert(&xa, 10, OBJ(0), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, xa_insert(&xa, 10, OBJ(1), GFP_KERNEL), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 10), OBJ(0));
	/* Inserting NULL reserves; a reserved index is busy for insert. */
	KUNIT_EXPECT_EQ(test, xa_insert(&xa, 11, NULL, GFP_KERNEL), 0);
	KUNIT_EXPECT_NULL(test, xa_load(&xa, 11));
	KUNIT_EXPECT_EQ(test, xa_insert(&xa, 11, OBJ(1), GFP_KERNEL), -EBUSY);
	xa_destroy(&xa);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

static void reserve_release(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC(xa);
	unsigned long index;
	void *entry;
	u32 id;

	KUNIT_EXPECT_EQ(test, xa_reserve(&xa, 0, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, xa_reserve(&xa, 2, GFP_KERNEL), 0);
	/* The index is taken but loads as NULL. */
	KUNIT_EXPECT_NULL(test, xa_load(&xa, 2));
	KUNIT_EXPECT_FALSE(test, xa_empty(&xa));
	/* xa_for_each() and xa_find() skip reservations. */
	xa_for_each(&xa, index, entry)
		KUNIT_FAIL(test, "found reserved index %lu", index);
	index = 0;
	KUNIT_EXPECT_NULL(test, xa_find(&xa, &index, ULONG_MAX, XA_PRESENT));
	/* xa_alloc() skips them. */
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(1), xa_limit_32b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 1);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(3), xa_limit_32b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 3);
	/* Reserving an index in use changes nothing. */
	KUNIT_EXPECT_EQ(test, xa_reserve(&xa, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 1), OBJ(1));
	/* Releasing a used index leaves it alone. */
	xa_release(&xa, 1);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 1), OBJ(1));
	/* xa_store() over a reservation is fine and reports NULL. */
	KUNIT_EXPECT_NULL(test, xa_store(&xa, 2, OBJ(2), GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 2), OBJ(2));
	/* xa_release() frees a reservation for xa_alloc() again. */
	xa_release(&xa, 0);
	xa_erase(&xa, 1);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(4), xa_limit_32b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 0);
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	xa_destroy(&xa);
}

static void store_null_in_alloc_array_reserves(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC1(xa);
	u32 id;

	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(0), xa_limit_32b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 1);
	/* Kernel rule: NULL stored in an allocating array keeps the ID busy. */
	KUNIT_EXPECT_PTR_EQ(test, xa_store(&xa, 1, NULL, GFP_KERNEL), OBJ(0));
	KUNIT_EXPECT_FALSE(test, xa_empty(&xa));
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(1), xa_limit_32b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 2);
	/* xa_erase() really frees it. */
	xa_erase(&xa, 1);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(2), xa_limit_32b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 1);
	xa_destroy(&xa);
}

static void cmpxchg_semantics(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC(xa);

	/* NULL -> entry on an empty index succeeds and returns NULL. */
	KUNIT_EXPECT_NULL(test, xa_cmpxchg(&xa, 5, NULL, OBJ(0), GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 5), OBJ(0));
	/* A mismatch returns the current entry and stores nothing. */
	KUNIT_EXPECT_PTR_EQ(test, xa_cmpxchg(&xa, 5, OBJ(1), OBJ(2), GFP_KERNEL), OBJ(0));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 5), OBJ(0));
	KUNIT_EXPECT_PTR_EQ(test, xa_cmpxchg(&xa, 5, OBJ(0), OBJ(2), GFP_KERNEL), OBJ(0));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 5), OBJ(2));
	/* entry -> NULL erases, even in an allocating array. */
	KUNIT_EXPECT_PTR_EQ(test, xa_cmpxchg(&xa, 5, OBJ(2), NULL, GFP_KERNEL), OBJ(2));
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));

	/*
	 * A reservation compares as XA_ZERO_ENTRY, not NULL: NULL -> entry
	 * fails (yet returns NULL, the kernel's ambiguity), ZERO -> entry works.
	 */
	KUNIT_EXPECT_EQ(test, xa_reserve(&xa, 7, GFP_KERNEL), 0);
	KUNIT_EXPECT_NULL(test, xa_cmpxchg(&xa, 7, NULL, OBJ(3), GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, xa_load(&xa, 7));
	KUNIT_EXPECT_FALSE(test, xa_empty(&xa));
	KUNIT_EXPECT_NULL(test, xa_cmpxchg(&xa, 7, XA_ZERO_ENTRY, OBJ(3), GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 7), OBJ(3));
	/* And the other way: the iommufd destroy pattern. */
	KUNIT_EXPECT_PTR_EQ(test, xa_cmpxchg(&xa, 7, OBJ(3), XA_ZERO_ENTRY, GFP_KERNEL), OBJ(3));
	KUNIT_EXPECT_NULL(test, xa_load(&xa, 7));
	KUNIT_EXPECT_FALSE(test, xa_empty(&xa));
	xa_release(&xa, 7);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

static void invalid_entries_warn(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC(xa);
	void *ret = NULL;
	int err = 0;
	u32 id;

	KUNIT_EXPECT_HARNESS_FAILURE(test, ret = xa_store(&xa, 1, xa_mk_internal(5), GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, xa_err(ret), -EINVAL);
	/* A pointer with low bits 10 would be taken for a node by the kernel. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, ret = xa_store(&xa, 1, (void *)0x10006, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, xa_err(ret), -EINVAL);
	KUNIT_EXPECT_HARNESS_FAILURE(test, err = xa_insert(&xa, 1, xa_mk_internal(5), GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_HARNESS_FAILURE(test,
		err = xa_alloc(&xa, &id, xa_mk_internal(5), xa_limit_32b, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

static void alloc_on_plain_array_warns(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	int err = 0;
	u32 id = 77;

	KUNIT_EXPECT_HARNESS_FAILURE(test,
		err = xa_alloc(&xa, &id, OBJ(0), xa_limit_32b, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_EQ(test, id, 77);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

static void alloc_limits(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC(xa);
	DEFINE_XARRAY_ALLOC1(xa1);
	u32 id = 0;

	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(0), xa_limit_32b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 0);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa1, &id, OBJ(0), xa_limit_32b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 1);
	/* ALLOC1 never hands out 0, even when asked for it. */
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa1, &id, OBJ(0), XA_LIMIT(0, 1), GFP_KERNEL), -EBUSY);
	/* But index 0 can still be stored to directly. */
	KUNIT_EXPECT_NULL(test, xa_store(&xa1, 0, OBJ(5), GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa1, 0), OBJ(5));

	/* A small window fills up, then -EBUSY; the ID is left alone. */
	for (u32 i = 5; i <= 7; i++) {
		KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(1), XA_LIMIT(5, 7), GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, id, i);
	}
	id = 1234;
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(1), XA_LIMIT(5, 7), GFP_KERNEL), -EBUSY);
	KUNIT_EXPECT_EQ(test, id, 1234);
	/* Lowest free first: a hole is reused before anything higher. */
	xa_erase(&xa, 6);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(2), XA_LIMIT(5, 100), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 6);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(2), XA_LIMIT(5, 100), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 8);
	/* Near the top of the 32-bit range. */
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(3), XA_LIMIT(UINT_MAX - 1, UINT_MAX),
				       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, UINT_MAX - 1);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(3), XA_LIMIT(UINT_MAX - 1, UINT_MAX),
				       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, UINT_MAX);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(3), XA_LIMIT(UINT_MAX - 1, UINT_MAX),
				       GFP_KERNEL), -EBUSY);
	/* min > max is simply full. */
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(3), XA_LIMIT(9, 8), GFP_KERNEL), -EBUSY);
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	xa_destroy(&xa);
	xa_destroy(&xa1);
}

static void alloc_dense_and_holes(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC(xa);
	u32 id;

	/* Enough to fill several leaves and need a second level. */
	for (u32 i = 0; i < 5000; i++) {
		KUNIT_ASSERT_EQ(test, xa_alloc(&xa, &id, xa_mk_value(i), xa_limit_31b,
					       GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, id, i);
	}
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	/* Holes in full leaves are found in order. */
	static const u32 holes[] = { 63, 64, 130, 4095, 4096, 4999 };

	for (u32 h : holes)
		xa_erase(&xa, h);
	for (u32 h : holes) {
		KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(0), xa_limit_31b, GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, id, h);
	}
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(0), xa_limit_31b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 5000);
	/* A min inside a full region skips to the first hole above it. */
	xa_erase(&xa, 4000);
	KUNIT_EXPECT_EQ(test, xa_alloc(&xa, &id, OBJ(0), XA_LIMIT(3000, INT_MAX), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 4000);
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	xa_destroy(&xa);
}

static void alloc_cyclic(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC(xa);
	u32 id, next = 0;

	KUNIT_EXPECT_EQ(test, xa_alloc_cyclic(&xa, &id, OBJ(0), XA_LIMIT(1, 3), &next,
					      GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 1);
	KUNIT_EXPECT_EQ(test, xa_alloc_cyclic(&xa, &id, OBJ(0), XA_LIMIT(1, 3), &next,
					      GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 2);
	xa_erase(&xa, 1);
	/* Cyclic: 3 before the freed 1. */
	KUNIT_EXPECT_EQ(test, xa_alloc_cyclic(&xa, &id, OBJ(0), XA_LIMIT(1, 3), &next,
					      GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 3);
	/* Wrapping around reports 1. */
	KUNIT_EXPECT_EQ(test, xa_alloc_cyclic(&xa, &id, OBJ(0), XA_LIMIT(1, 3), &next,
					      GFP_KERNEL), 1);
	KUNIT_EXPECT_EQ(test, id, 1);
	KUNIT_EXPECT_EQ(test, xa_alloc_cyclic(&xa, &id, OBJ(0), XA_LIMIT(1, 3), &next,
					      GFP_KERNEL), -EBUSY);
	xa_destroy(&xa);
}

static void iteration(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	static const unsigned long idx[] = { 0, 3, 64, 65, 1000, 1UL << 40, ULONG_MAX };
	unsigned long index;
	unsigned int n = 0;
	void *entry;

	for (unsigned int i = 0; i < ARRAY_SIZE(idx); i++)
		xa_store(&xa, idx[i], xa_mk_value(idx[i] & 0xffff), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, xa_reserve(&xa, 5, GFP_KERNEL), 0);
	xa_for_each(&xa, index, entry) {
		KUNIT_ASSERT_LT(test, n, ARRAY_SIZE(idx));
		KUNIT_EXPECT_EQ(test, index, idx[n]);
		KUNIT_EXPECT_PTR_EQ(test, entry, xa_mk_value(idx[n] & 0xffff));
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(idx));

	n = 0;
	xa_for_each_start(&xa, index, entry, 65)
		n++;
	KUNIT_EXPECT_EQ(test, n, 4);
	n = 0;
	xa_for_each_range(&xa, index, entry, 1, 1000)
		n++;
	KUNIT_EXPECT_EQ(test, n, 4);

	index = 4;
	KUNIT_EXPECT_PTR_EQ(test, xa_find(&xa, &index, ULONG_MAX, XA_PRESENT), xa_mk_value(64));
	KUNIT_EXPECT_EQ(test, index, 64);
	KUNIT_EXPECT_PTR_EQ(test, xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT),
			    xa_mk_value(65));
	KUNIT_EXPECT_EQ(test, index, 65);
	index = 1001;
	KUNIT_EXPECT_NULL(test, xa_find(&xa, &index, 1UL << 39, XA_PRESENT));
	KUNIT_EXPECT_EQ(test, index, 1001);
	index = ULONG_MAX;
	KUNIT_EXPECT_NULL(test, xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT));
	KUNIT_EXPECT_PTR_EQ(test, xa_find(&xa, &index, ULONG_MAX, XA_PRESENT),
			    xa_mk_value(0xffff));

	/* Erasing while iterating, as iommufd_fops_release() does. */
	xa_for_each(&xa, index, entry)
		xa_erase(&xa, index);
	KUNIT_EXPECT_FALSE(test, xa_empty(&xa));	/* the reservation */
	xa_release(&xa, 5);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

static void typed_cursors(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	unsigned long index;
	int *obj;
	int sum = 0;

	/* Kernel code iterates with typed cursors, not void *. */
	for (int i = 0; i < 4; i++) {
		objs[i] = i + 1;
		xa_store(&xa, i * 100, &objs[i], GFP_KERNEL);
	}
	xa_for_each(&xa, index, obj)
		sum += *obj;
	KUNIT_EXPECT_EQ(test, sum, 10);
	{
		XA_STATE(xas, &xa, 0);

		sum = 0;
		xas_for_each(&xas, obj, 250)
			sum += *obj;
		KUNIT_EXPECT_EQ(test, sum, 6);
	}
	xa_destroy(&xa);
}

static void marks_not_modelled(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	unsigned long index = 0;
	void *entry = OBJ(0);

	xa_store(&xa, 3, OBJ(0), GFP_KERNEL);
	KUNIT_EXPECT_HARNESS_FAILURE(test, entry = xa_find(&xa, &index, ULONG_MAX, XA_MARK_0));
	KUNIT_EXPECT_NULL(test, entry);
	xa_destroy(&xa);
}

static void locking_rules(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC(xa);
	XA_STATE(xas, &xa, 3);
	u32 id;
	int err = 0;

	/* The __ variants and xas_store() need xa_lock. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, __xa_store(&xa, 1, OBJ(0), GFP_KERNEL));
	KUNIT_EXPECT_HARNESS_FAILURE(test, __xa_erase(&xa, 1));
	KUNIT_EXPECT_HARNESS_FAILURE(test, err = __xa_alloc(&xa, &id, OBJ(0), xa_limit_32b,
							   GFP_KERNEL));
	KUNIT_EXPECT_HARNESS_FAILURE(test, xas_store(&xas, OBJ(1)));
	xa_destroy(&xa);

	/* Held, they work; a blocking gfp may drop and retake the lock. */
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, {
		xa_lock(&xa);
		KUNIT_EXPECT_EQ(test, __xa_alloc(&xa, &id, OBJ(0), xa_limit_32b, GFP_KERNEL), 0);
		KUNIT_EXPECT_NULL(test, __xa_store(&xa, 1000, OBJ(1), GFP_KERNEL));
		KUNIT_EXPECT_PTR_EQ(test, __xa_cmpxchg(&xa, 1000, OBJ(1), OBJ(2), GFP_KERNEL),
				    OBJ(1));
		KUNIT_EXPECT_EQ(test, __xa_insert(&xa, 1000, OBJ(3), GFP_KERNEL), -EBUSY);
		/* Readers do not take xa_lock: this does not recurse. */
		KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 1000), OBJ(2));
		KUNIT_EXPECT_PTR_EQ(test, __xa_erase(&xa, 1000), OBJ(2));
		lockdep_assert_held(&xa.xa_lock);
		xa_unlock(&xa);
	});
	(void)err;
	xa_destroy(&xa);
}

/* The shape of iommufd's pages_to_xarray(). */
static int fill_values(struct xarray *xa, unsigned long start, unsigned long last)
{
	XA_STATE(xas, xa, start);
	unsigned long i = start;

	do {
		xas_lock(&xas);
		while (i <= last) {
			void *old = xas_store(&xas, xa_mk_value(i));

			if (xas_error(&xas))
				break;
			WARN_ON(old);
			i++;
			xas_next(&xas);
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_KERNEL));
	return xas_error(&xas);
}

/* And of its clear_xarray(). */
static void clear_range(struct xarray *xa, unsigned long start, unsigned long last)
{
	XA_STATE(xas, xa, start);
	void *entry;

	xas_lock(&xas);
	xas_for_each(&xas, entry, last)
		xas_store(&xas, NULL);
	xas_unlock(&xas);
}

static void xas_api(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	unsigned long start = 60, last = 60 + 64 * 3;

	KUNIT_ASSERT_EQ(test, fill_values(&xa, start, last), 0);
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	for (unsigned long i = start; i <= last; i++)
		KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, i), xa_mk_value(i));
	KUNIT_EXPECT_NULL(test, xa_load(&xa, start - 1));
	KUNIT_EXPECT_NULL(test, xa_load(&xa, last + 1));

	/* xas_next() on a fresh cursor reads its own index first. */
	{
		XA_STATE(xas, &xa, start);
		unsigned long i = start;

		for (void *e = xas_next(&xas); i < start + 100; e = xas_next(&xas), i++) {
			KUNIT_EXPECT_EQ(test, xas.xa_index, i);
			KUNIT_EXPECT_PTR_EQ(test, e, xa_mk_value(i));
		}
	}
	/* xas_find()/xas_for_each() visit exactly the present entries. */
	{
		XA_STATE(xas, &xa, 0);
		unsigned long n = 0;
		void *e;

		xas_for_each(&xas, e, ULONG_MAX) {
			KUNIT_EXPECT_PTR_EQ(test, e, xa_mk_value(start + n));
			n++;
		}
		KUNIT_EXPECT_EQ(test, n, last - start + 1);
	}
	/* xas_pause() resumes after the current entry. */
	{
		XA_STATE(xas, &xa, 0);
		void *e = xas_find(&xas, ULONG_MAX);

		KUNIT_EXPECT_EQ(test, xas.xa_index, start);
		xas_pause(&xas);
		e = xas_find(&xas, ULONG_MAX);
		KUNIT_EXPECT_EQ(test, xas.xa_index, start + 1);
		KUNIT_EXPECT_PTR_EQ(test, e, xa_mk_value(start + 1));
	}
	clear_range(&xa, start + 10, last);
	for (unsigned long i = start; i <= last; i++)
		KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, i),
				    i < start + 10 ? xa_mk_value(i) : NULL);
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	clear_range(&xa, 0, ULONG_MAX);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

/* iommufd_object_finalize()/abort(): xas_store() returns the raw old entry. */
static void xas_raw_zero_entry(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC1(xa);
	u32 id;

	KUNIT_ASSERT_EQ(test, xa_alloc(&xa, &id, XA_ZERO_ENTRY, xa_limit_31b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 1);
	{
		XA_STATE(xas, &xa, id);

		xa_lock(&xa);
		KUNIT_EXPECT_PTR_EQ(test, xas_load(&xas), XA_ZERO_ENTRY);
		KUNIT_EXPECT_TRUE(test, xas_retry(&xas, xas_load(&xas)));
		KUNIT_EXPECT_PTR_EQ(test, xas_store(&xas, OBJ(0)), XA_ZERO_ENTRY);
		xa_unlock(&xa);
	}
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, id), OBJ(0));
	KUNIT_ASSERT_EQ(test, xa_alloc(&xa, &id, XA_ZERO_ENTRY, xa_limit_31b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 2);
	{
		XA_STATE(xas, &xa, id);

		xa_lock(&xa);
		KUNIT_EXPECT_PTR_EQ(test, xas_store(&xas, NULL), XA_ZERO_ENTRY);
		xa_unlock(&xa);
	}
	/* The aborted ID is free again. */
	KUNIT_ASSERT_EQ(test, xa_alloc(&xa, &id, OBJ(1), xa_limit_31b, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, id, 2);
	xa_destroy(&xa);
}

static void nomem_single_failure_is_retried(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	void *ret;

	/*
	 * The kernel's protocol: the GFP_NOWAIT attempt under the lock fails,
	 * the GFP_KERNEL retry succeeds, so one injected failure is invisible.
	 */
	fail_nth_write(1);
	ret = xa_store(&xa, 5, OBJ(0), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 0);
	KUNIT_EXPECT_PTR_EQ(test, ret, NULL);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 5), OBJ(0));
	xa_destroy(&xa);
}

static void nomem_fails_cleanly(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC(xa);
	failslab_state saved = failslab_save();
	void *ret;
	u32 id = 99;
	int err;

	xa_store(&xa, 0, OBJ(0), GFP_KERNEL);
	xa_store(&xa, 1, OBJ(1), GFP_KERNEL);
	u64 mark = kmem_leak_mark();

	failslab_always(false);
	ret = xa_store(&xa, 1UL << 40, OBJ(2), GFP_KERNEL);
	err = xa_alloc(&xa, &id, OBJ(3), XA_LIMIT(64, 100), GFP_KERNEL);
	int ierr = xa_insert(&xa, 4096, OBJ(3), GFP_KERNEL);
	int rerr = xa_reserve(&xa, 70000, GFP_KERNEL);
	/* Fitting in an existing node needs no allocation. */
	void *ok = xa_store(&xa, 2, OBJ(4), GFP_KERNEL);
	failslab_restore(saved);

	KUNIT_EXPECT_EQ(test, xa_err(ret), -ENOMEM);
	KUNIT_EXPECT_EQ(test, err, -ENOMEM);
	KUNIT_EXPECT_EQ(test, id, 99);
	KUNIT_EXPECT_EQ(test, ierr, -ENOMEM);
	KUNIT_EXPECT_EQ(test, rerr, -ENOMEM);
	KUNIT_EXPECT_NULL(test, ok);
	/* Nothing was half-built, nothing leaked. */
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0);
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 0), OBJ(0));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 1), OBJ(1));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, 2), OBJ(4));
	KUNIT_EXPECT_NULL(test, xa_load(&xa, 1UL << 40));
	xa_destroy(&xa);

	/* The empty array stays empty: the index-0 entry was not moved. */
	DEFINE_XARRAY(xb);
	xa_store(&xb, 0, OBJ(0), GFP_KERNEL);
	failslab_always(false);
	ret = xa_store(&xb, ULONG_MAX, OBJ(1), GFP_KERNEL);
	failslab_restore(saved);
	KUNIT_EXPECT_EQ(test, xa_err(ret), -ENOMEM);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xb, 0), OBJ(0));
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0);
	xa_destroy(&xb);
}

static void nomem_retry_makes_progress(struct kunit *test)
{
	DEFINE_XARRAY(xa);
	failslab_state saved = failslab_save();

	/*
	 * Every non-blocking allocation fails, every blocking one works: a
	 * store needing many nodes gets one per xas_nomem() round and must
	 * still complete.
	 */
	failslab_always(true);
	void *ret = xa_store(&xa, ULONG_MAX, OBJ(0), GFP_KERNEL);
	int err = fill_values(&xa, 1UL << 50, (1UL << 50) + 200);
	/* With a non-blocking gfp the caller sees the failure. */
	void *fail = xa_store(&xa, 1UL << 30, OBJ(1), GFP_NOWAIT);
	failslab_restore(saved);

	KUNIT_EXPECT_NULL(test, ret);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, xa_err(fail), -ENOMEM);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, ULONG_MAX), OBJ(0));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, (1UL << 50) + 200), xa_mk_value((1UL << 50) + 200));
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	xa_destroy(&xa);
}

static unsigned long random_index(std::mt19937_64 &rng)
{
	switch (rng() % 6) {
	case 0:
		return rng() % 200;		/* dense, one or two leaves */
	case 1:
		return 4096 * (rng() % 3) + rng() % 130;	/* around level edges */
	case 2:
		return rng();			/* anywhere */
	case 3:
		return ULONG_MAX - rng() % 100;	/* the very top */
	case 4:
		return (1UL << (rng() % 64)) + rng() % 3 - 1;	/* powers of two */
	default:
		return rng() % 70000;
	}
}

static void random_vs_map(struct kunit *test)
{
	const char *env = getenv("UIOMMUFD_TEST_SEED");
	u64 seed = env ? strtoull(env, NULL, 0) : std::random_device{}();
	std::mt19937_64 rng(seed);
	std::map<unsigned long, void *> model;	/* XA_ZERO_ENTRY for reserved */
	DEFINE_XARRAY_ALLOC(xa);

	kunit_info(test, "seed %#llx (set UIOMMUFD_TEST_SEED to repeat)",
		   (unsigned long long)seed);
	for (int step = 0; step < 20000; step++) {
		unsigned long index = random_index(rng);
		void *entry = xa_mk_value(rng() >> 2);
		auto it = model.find(index);
		void *cur = it == model.end() ? NULL : it->second;
		void *vis = xa_is_zero(cur) ? NULL : cur;

		switch (rng() % 9) {
		case 0:
		case 1: {
			void *old = xa_store(&xa, index, entry, GFP_KERNEL);

			KUNIT_ASSERT_PTR_EQ_MSG(test, old, vis, "store %#lx step %d", index, step);
			model[index] = entry;
			break;
		}
		case 2: {
			void *old = xa_erase(&xa, index);

			KUNIT_ASSERT_PTR_EQ_MSG(test, old, vis, "erase %#lx step %d", index, step);
			model.erase(index);
			break;
		}
		case 3: {
			int err = xa_insert(&xa, index, entry, GFP_KERNEL);

			KUNIT_ASSERT_EQ_MSG(test, err, cur ? -EBUSY : 0, "insert %#lx", index);
			if (!cur)
				model[index] = entry;
			break;
		}
		case 4: {
			u32 lo = (u32)random_index(rng), hi = lo + (u32)(rng() % 300);
			u32 id;
			int err = xa_alloc(&xa, &id, entry, XA_LIMIT(lo, hi), GFP_KERNEL);
			unsigned long want = lo;

			while (want <= hi && model.count(want))
				want++;
			if (want > hi || hi < lo) {
				KUNIT_ASSERT_EQ_MSG(test, err, -EBUSY, "alloc [%u, %u]", lo, hi);
			} else {
				KUNIT_ASSERT_EQ_MSG(test, err, 0, "alloc [%u, %u]", lo, hi);
				KUNIT_ASSERT_EQ_MSG(test, id, want, "alloc [%u, %u]", lo, hi);
				model[id] = entry;
			}
			break;
		}
		case 5:
			KUNIT_ASSERT_EQ(test, xa_reserve(&xa, index, GFP_KERNEL), 0);
			if (!cur)
				model[index] = XA_ZERO_ENTRY;
			break;
		case 6:
			xa_release(&xa, index);
			if (xa_is_zero(cur))
				model.erase(index);
			break;
		case 7: {
			void *old = rng() % 2 ? cur : XA_ZERO_ENTRY;
			void *ret = xa_cmpxchg(&xa, index, old, entry, GFP_KERNEL);

			KUNIT_ASSERT_PTR_EQ_MSG(test, ret, vis, "cmpxchg %#lx", index);
			if (cur == old)
				model[index] = entry;
			break;
		}
		default: {
			KUNIT_ASSERT_PTR_EQ_MSG(test, xa_load(&xa, index), vis, "load %#lx", index);
			/* The next visible entry at or after index. */
			auto nx = model.lower_bound(index);
			while (nx != model.end() && xa_is_zero(nx->second))
				++nx;
			unsigned long found = index;
			void *e = xa_find(&xa, &found, ULONG_MAX, XA_PRESENT);

			if (nx == model.end()) {
				KUNIT_ASSERT_NULL_MSG(test, e, "find from %#lx", index);
			} else {
				KUNIT_ASSERT_PTR_EQ_MSG(test, e, nx->second, "find from %#lx", index);
				KUNIT_ASSERT_EQ(test, found, nx->first);
			}
			break;
		}
		}
		if (step % 1000 == 0)
			KUNIT_ASSERT_TRUE(test, xa_validate(&xa));
	}
	/* A full walk agrees with the model. */
	auto it = model.begin();
	unsigned long index;
	void *entry;

	xa_for_each(&xa, index, entry) {
		while (it != model.end() && xa_is_zero(it->second))
			++it;
		KUNIT_ASSERT_TRUE(test, it != model.end());
		KUNIT_EXPECT_EQ(test, index, it->first);
		KUNIT_EXPECT_PTR_EQ(test, entry, it->second);
		++it;
	}
	/* Erasing all that is left empties the array without xa_destroy(). */
	for (auto &[i, e] : model)
		xa_erase(&xa, i);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));
}

static void threads_alloc_and_read(struct kunit *test)
{
	DEFINE_XARRAY_ALLOC1(xa);
	constexpr int nthreads = 4, per_thread = 2000;
	std::vector<u32> ids[nthreads];
	std::atomic<bool> stop{ false };
	std::atomic<unsigned long> bad{ 0 };
	std::vector<std::thread> threads;

	/* A reader that never takes xa_lock, racing the writers. */
	std::thread reader([&] {
		while (!stop.load()) {
			unsigned long index;
			void *entry;

			xa_for_each(&xa, index, entry)
				if (!xa_is_value(entry) || xa_to_value(entry) != index)
					bad++;
		}
	});
	for (int t = 0; t < nthreads; t++) {
		threads.emplace_back([&, t] {
			for (int i = 0; i < per_thread; i++) {
				u32 id;

				if (xa_alloc(&xa, &id, XA_ZERO_ENTRY, xa_limit_31b, GFP_KERNEL)) {
					bad++;
					continue;
				}
				xa_store(&xa, id, xa_mk_value(id), GFP_KERNEL);
				ids[t].push_back(id);
				if (i % 3 == 0) {
					xa_erase(&xa, id);
					ids[t].pop_back();
				}
			}
		});
	}
	for (auto &th : threads)
		th.join();
	stop = true;
	reader.join();

	std::set<u32> all;

	for (auto &v : ids)
		for (u32 id : v)
			KUNIT_EXPECT_TRUE_MSG(test, all.insert(id).second, "id %u twice", id);
	KUNIT_EXPECT_EQ(test, bad.load(), 0);
	for (u32 id : all)
		KUNIT_EXPECT_PTR_EQ(test, xa_load(&xa, id), xa_mk_value(id));
	KUNIT_EXPECT_TRUE(test, xa_validate(&xa));
	xa_destroy(&xa);
}

static struct kunit_case xarray_cases[] = {
	KUNIT_CASE(store_load_erase),
	KUNIT_CASE(index_zero_needs_no_node),
	KUNIT_CASE(insert_busy),
	KUNIT_CASE(reserve_release),
	KUNIT_CASE(store_null_in_alloc_array_reserves),
	KUNIT_CASE(cmpxchg_semantics),
	KUNIT_CASE(invalid_entries_warn),
	KUNIT_CASE(alloc_on_plain_array_warns),
	KUNIT_CASE(alloc_limits),
	KUNIT_CASE(alloc_dense_and_holes),
	KUNIT_CASE(alloc_cyclic),
	KUNIT_CASE(iteration),
	KUNIT_CASE(typed_cursors),
	KUNIT_CASE(marks_not_modelled),
	KUNIT_CASE(locking_rules),
	KUNIT_CASE(xas_api),
	KUNIT_CASE(xas_raw_zero_entry),
	KUNIT_CASE(nomem_single_failure_is_retried),
	KUNIT_CASE(nomem_fails_cleanly),
	KUNIT_CASE(nomem_retry_makes_progress),
	KUNIT_CASE(random_vs_map),
	KUNIT_CASE(threads_alloc_and_read),
	{}
};

static struct kunit_suite xarray_suite = {
	.name = "harness-xarray",
	.test_cases = xarray_cases,
};
kunit_test_suite(xarray_suite);
