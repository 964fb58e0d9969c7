// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of fault injection: per-task fail-nth with the kernel's
 * semantics (every should_fail() of the task counts, whatever the
 * attribute; filtered allocations do not; the counter reads 0 once fired),
 * and the debugfs-style attributes (probability, interval, times, space,
 * task-filter), the registry and the knobs.
 */
#include "harness/fault_inject.h"

#include "harness/physmem.h"
#include "harness/sched.h"
#include "harness/slab.h"
#include "harness/uaccess.h"

#include "kunit.h"

#include <thread>

static void reset_attr(struct fault_attr *attr)
{
	attr->probability = 0;
	attr->interval = 1;
	attr->times = 1;
	attr->space = 0;
	attr->verbose = 0;
	attr->task_filter = false;
	attr->count = 0;
}

/* Every case starts and ends with injection disarmed and default knobs. */
static int fi_init(struct kunit *test)
{
	fail_nth_write(0);
	reset_attr(&failslab);
	reset_attr(&fail_page_alloc);
	reset_attr(&fail_usercopy);
	failslab.ignore_gfp_reclaim = false;
	fail_page_alloc.ignore_gfp_reclaim = false;
	fail_page_alloc.min_order = 1;
	return 0;
}

static void fi_exit(struct kunit *test) { fi_init(test); }

/* Tripwire: the n-th allocation fails, and fail-nth then reads 0. */
static void fi_fail_nth_kmalloc(struct kunit *test)
{
	void *p[4];

	fail_nth_write(3);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 3U);
	p[0] = kmalloc(8, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 2U);
	p[1] = kzalloc(8, GFP_KERNEL);
	p[2] = kmalloc(8, GFP_KERNEL);
	p[3] = kmalloc(8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p[0]);
	KUNIT_EXPECT_NOT_NULL(test, p[1]);
	KUNIT_EXPECT_NULL(test, p[2]);
	KUNIT_EXPECT_NOT_NULL(test, p[3]);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 0U);
	for (void *q : p)
		kfree(q);
}

static void fi_fail_nth_disarm(struct kunit *test)
{
	fail_nth_write(1);
	fail_nth_write(0);
	void *p = kmalloc(8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	kfree(p);
}

/* Any attribute's should_fail() consumes the count, as in the kernel. */
static void fi_fail_nth_any_attr(struct kunit *test)
{
	DECLARE_FAULT_ATTR(mine);
	char src[8] = "abcdefg", dst[8];

	fail_nth_write(3);
	KUNIT_EXPECT_FALSE(test, should_fail(&mine, 1));
	void *p = kmalloc(16, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	/* The third point is a user copy: it fails and zero-fills. */
	KUNIT_EXPECT_EQ(test, copy_from_user(dst, src, sizeof(dst)), sizeof(dst));
	KUNIT_EXPECT_EQ(test, dst[0], 0);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 0U);
	KUNIT_EXPECT_EQ(test, copy_from_user(dst, src, sizeof(dst)), 0UL);
	kfree(p);

	fail_nth_write(1);
	KUNIT_EXPECT_EQ(test, copy_to_user(dst, src, sizeof(dst)), sizeof(dst));
	fail_nth_write(1);
	KUNIT_EXPECT_TRUE(test, should_fail(&mine, 1));
}

/* Filtered injection points never reach should_fail(), so do not count. */
static void fi_fail_nth_filters(struct kunit *test)
{
	void *p;

	fail_nth_write(1);
	p = kmalloc(8, GFP_KERNEL | __GFP_NOFAIL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	kfree(p);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 1U);

	/* fail_page_alloc ignores orders below min-order (1 by default). */
	struct page *pg = alloc_pages(GFP_KERNEL, 0);
	KUNIT_EXPECT_NOT_NULL(test, pg);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 1U);
	__free_pages(pg, 0);
	pg = alloc_pages(GFP_KERNEL, 1);
	KUNIT_EXPECT_NULL(test, pg);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 0U);

	/* ignore-gfp-wait=Y exempts sleeping allocations only. */
	failslab.ignore_gfp_reclaim = true;
	fail_nth_write(1);
	p = kmalloc(8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	kfree(p);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 1U);
	p = kmalloc(8, GFP_ATOMIC);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 0U);
}

/* Large kmalloc is served by the page allocator; kvmalloc falls back. */
static void fi_large_allocations(struct kunit *test)
{
	void *p;

	fail_nth_write(1);
	p = kmalloc(16 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, p);

	/* One injected failure is absorbed by kvmalloc's vmalloc fallback. */
	fail_nth_write(1);
	p = kvmalloc(16 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 0U);
	kvfree(p);
	/* ...but not for a page or less, where kvmalloc is kmalloc. */
	fail_nth_write(1);
	p = kvmalloc(PAGE_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, p);
	fail_nth_write(2);
	p = kvmalloc(16 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	kvfree(p);
}

static void fi_fail_nth_per_task(struct kunit *test)
{
	unsigned int other_read = 99;
	bool other_failed = false;

	fail_nth_write(2);
	std::thread t([&] {
		void *p = kmalloc(8, GFP_KERNEL);

		other_failed = !p;
		kfree(p);
		other_read = fail_nth_read();
		fail_nth_write(1);	/* arms only that thread */
	});
	t.join();
	KUNIT_EXPECT_FALSE(test, other_failed);
	KUNIT_EXPECT_EQ(test, other_read, 0U);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 2U);
	void *p = kmalloc(8, GFP_KERNEL);
	void *q = kmalloc(8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, q);
	kfree(p);
}

static void fi_probability_times(struct kunit *test)
{
	DECLARE_FAULT_ATTR(attr);

	KUNIT_EXPECT_FALSE(test, should_fail(&attr, 1));
	attr.probability = 100;
	attr.times = 2;
	KUNIT_EXPECT_TRUE(test, should_fail(&attr, 1));
	KUNIT_EXPECT_TRUE(test, should_fail(&attr, 1));
	KUNIT_EXPECT_FALSE(test, should_fail(&attr, 1));
	KUNIT_EXPECT_EQ(test, attr.times.load(), 0);

	attr.times = -1;
	for (int i = 0; i < 10; i++)
		KUNIT_EXPECT_TRUE(test, should_fail(&attr, 1));
	KUNIT_EXPECT_EQ(test, attr.times.load(), -1);

	/* Roughly half at 50%, reproducibly for a seed. */
	attr.probability = 50;
	fault_inject_set_seed(42);
	int fails = 0;
	for (int i = 0; i < 1000; i++)
		fails += should_fail(&attr, 1);
	KUNIT_EXPECT_GT(test, fails, 350);
	KUNIT_EXPECT_LT(test, fails, 650);
	fault_inject_set_seed(42);
	int again = 0;
	for (int i = 0; i < 1000; i++)
		again += should_fail(&attr, 1);
	KUNIT_EXPECT_EQ(test, fails, again);
}

static void fi_interval_space(struct kunit *test)
{
	DECLARE_FAULT_ATTR(attr);

	attr.probability = 100;
	attr.times = -1;
	attr.interval = 3;
	KUNIT_EXPECT_FALSE(test, should_fail(&attr, 1));
	KUNIT_EXPECT_FALSE(test, should_fail(&attr, 1));
	KUNIT_EXPECT_TRUE(test, should_fail(&attr, 1));
	KUNIT_EXPECT_FALSE(test, should_fail(&attr, 1));

	/* space: the first bytes are spared, then failures start. */
	DECLARE_FAULT_ATTR(sp);
	sp.probability = 100;
	sp.times = -1;
	sp.space = 10;
	KUNIT_EXPECT_FALSE(test, should_fail(&sp, 4));
	KUNIT_EXPECT_FALSE(test, should_fail(&sp, 4));
	KUNIT_EXPECT_EQ(test, sp.space.load(), 2);
	KUNIT_EXPECT_TRUE(test, should_fail(&sp, 4));
}

static void fi_task_filter(struct kunit *test)
{
	DECLARE_FAULT_ATTR(attr);

	attr.probability = 100;
	attr.times = -1;
	attr.task_filter = true;
	current->make_it_fail = 0;
	KUNIT_EXPECT_FALSE(test, should_fail(&attr, 1));
	current->make_it_fail = 1;
	KUNIT_EXPECT_TRUE(test, should_fail(&attr, 1));
	current->make_it_fail = 0;
}

/* The probability attributes apply to the allocator too. */
static void fi_failslab_probability(struct kunit *test)
{
	failslab.probability = 100;
	failslab.times = 1;
	void *p = kmalloc(8, GFP_KERNEL);
	void *q = kmalloc(8, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_NOT_NULL(test, q);
	kfree(q);
}

static void fi_registry(struct kunit *test)
{
	DECLARE_FAULT_ATTR(mine);
	DECLARE_FAULT_ATTR(dup);

	KUNIT_EXPECT_PTR_EQ(test, fault_attr_find("failslab"), &failslab);
	KUNIT_EXPECT_PTR_EQ(test, fault_attr_find("fail_page_alloc"), &fail_page_alloc);
	KUNIT_EXPECT_PTR_EQ(test, fault_attr_find("fail_usercopy"), &fail_usercopy);
	KUNIT_EXPECT_NULL(test, fault_attr_find("fail_test"));

	KUNIT_EXPECT_NOT_NULL(test, fault_create_debugfs_attr("fail_test", NULL, &mine));
	KUNIT_EXPECT_PTR_EQ(test, fault_attr_find("fail_test"), &mine);
	dup.name = "fail_test";
	/* Tripwire: two attributes under one name. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, fault_attr_register(&dup));
	fault_attr_unregister(&mine);
	KUNIT_EXPECT_NULL(test, fault_attr_find("fail_test"));
}

static void fi_knobs(struct kunit *test)
{
	DECLARE_FAULT_ATTR(attr);
	char buf[32];

	KUNIT_EXPECT_EQ(test, fault_attr_write_knob(&attr, "probability", "25\n"), 0);
	KUNIT_EXPECT_EQ(test, attr.probability.load(), 25UL);
	KUNIT_EXPECT_EQ(test, fault_attr_write_knob(&attr, "times", "-1"), 0);
	KUNIT_EXPECT_EQ(test, attr.times.load(), -1);
	KUNIT_EXPECT_EQ(test, fault_attr_write_knob(&attr, "ignore-gfp-wait", "Y"), 0);
	KUNIT_EXPECT_TRUE(test, attr.ignore_gfp_reclaim.load());
	KUNIT_EXPECT_EQ(test, fault_attr_read_knob(&attr, "ignore-gfp-wait", buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, "Y\n");
	KUNIT_EXPECT_EQ(test, fault_attr_write_knob(&attr, "min-order", "0"), 0);
	KUNIT_EXPECT_EQ(test, fault_attr_read_knob(&attr, "min-order", buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, "0\n");
	KUNIT_EXPECT_EQ(test, fault_attr_write_knob(&attr, "interval", "x"), -EINVAL);
	KUNIT_EXPECT_EQ(test, fault_attr_write_knob(&attr, "task-filter", "maybe"), -EINVAL);
	KUNIT_EXPECT_EQ(test, fault_attr_write_knob(&attr, "nonsense", "1"), -ENOENT);
	KUNIT_EXPECT_EQ(test, fault_attr_read_knob(&attr, "nonsense", buf, sizeof(buf)), -ENOENT);
}

static struct kunit_case fi_cases[] = {
	KUNIT_CASE(fi_fail_nth_kmalloc),
	KUNIT_CASE(fi_fail_nth_disarm),
	KUNIT_CASE(fi_fail_nth_any_attr),
	KUNIT_CASE(fi_fail_nth_filters),
	KUNIT_CASE(fi_large_allocations),
	KUNIT_CASE(fi_fail_nth_per_task),
	KUNIT_CASE(fi_probability_times),
	KUNIT_CASE(fi_interval_space),
	KUNIT_CASE(fi_task_filter),
	KUNIT_CASE(fi_failslab_probability),
	KUNIT_CASE(fi_registry),
	KUNIT_CASE(fi_knobs),
	{}
};

static struct kunit_suite fi_suite = {
	.name = "harness-fault-inject",
	.init = fi_init,
	.exit = fi_exit,
	.test_cases = fi_cases,
};
kunit_test_suite(fi_suite);
