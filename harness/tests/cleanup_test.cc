// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of linux/cleanup.h-style scope guards and __free(): every
 * lock guard takes and drops its lock at the right points, conditional
 * guards run their body only when the lock was taken, __free() frees on
 * every exit path unless the pointer was handed on, and reports from a
 * guard name the guard's line rather than the header's.
 */
#include "kunit.h"

#include "harness/cleanup.h"
#include "harness/slab.h"

#include <atomic>
#include <cstring>
#include <thread>

static DEFINE_MUTEX(test_mutex);
static DEFINE_SPINLOCK(test_spin);
static DECLARE_RWSEM(test_sem);

static int locked_section(void)
{
	guard(mutex)(&test_mutex);
	lockdep_assert_held(&test_mutex);
	/* The early return drops the lock too. */
	if (mutex_is_locked(&test_mutex))
		return 1;
	return 0;
}

static void guard_lock_kinds(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, locked_section(), 1);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&test_mutex));
	{
		guard(spinlock)(&test_spin);
		KUNIT_EXPECT_TRUE(test, lockdep_is_held(&test_spin));
		KUNIT_EXPECT_TRUE(test, in_atomic());
	}
	KUNIT_EXPECT_FALSE(test, spin_is_locked(&test_spin));
	{
		guard(spinlock_irqsave)(&test_spin);
		KUNIT_EXPECT_TRUE(test, lockdep_is_held(&test_spin));
	}
	{
		guard(spinlock_irq)(&test_spin);
		KUNIT_EXPECT_TRUE(test, lockdep_is_held(&test_spin));
	}
	{
		guard(spinlock_bh)(&test_spin);
		KUNIT_EXPECT_TRUE(test, lockdep_is_held(&test_spin));
	}
	KUNIT_EXPECT_FALSE(test, in_atomic());
	{
		guard(rwsem_read)(&test_sem);
		KUNIT_EXPECT_TRUE(test, lockdep_is_held_read(&test_sem));
		KUNIT_EXPECT_FALSE(test, lockdep_is_held_write(&test_sem));
	}
	{
		guard(rwsem_write)(&test_sem);
		KUNIT_EXPECT_TRUE(test, lockdep_is_held_write(&test_sem));
	}
	KUNIT_EXPECT_FALSE(test, rwsem_is_locked(&test_sem));
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 0);
}

static void guard_recursion_names_caller(struct kunit *test)
{
	int line = 0;

	char where[64];

	{
		guard(spinlock_irqsave)(&test_spin);
		line = __LINE__ - 1;
		/* The same lock twice: the report must point at the guards. */
		KUNIT_EXPECT_HARNESS_FAILURE(test, guard(spinlock_irqsave)(&test_spin));
	}
	snprintf(where, sizeof(where), "cleanup_test.cc:%d", line);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(kunit_last_harness_failure(test), where),
				  "%s", kunit_last_harness_failure(test));
	KUNIT_EXPECT_FALSE(test, spin_is_locked(&test_spin));
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 0);
}

static void scoped_guards(struct kunit *test)
{
	int runs = 0;

	scoped_guard(mutex, &test_mutex) {
		lockdep_assert_held(&test_mutex);
		runs++;
	}
	KUNIT_EXPECT_EQ(test, runs, 1);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&test_mutex));

	/* break leaves the block and drops the lock. */
	for (int i = 0; i < 3; i++) {
		scoped_guard(rwsem_write, &test_sem) {
			runs++;
			if (i == 1)
				break;
			runs += 10;
		}
		KUNIT_EXPECT_FALSE(test, rwsem_is_locked(&test_sem));
	}
	KUNIT_EXPECT_EQ(test, runs, 1 + 11 + 1 + 11);

	/* Nested scoped guards. */
	scoped_guard(rwsem_read, &test_sem)
		scoped_guard(spinlock, &test_spin)
			runs = lockdep_depth();
	KUNIT_EXPECT_EQ(test, runs, 2);
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 0);
}

static void conditional_guards(struct kunit *test)
{
	std::atomic<int> stage{ 0 };
	int runs = 0;

	scoped_guard(mutex_try, &test_mutex)
		runs++;
	KUNIT_EXPECT_EQ(test, runs, 1);

	/* Held elsewhere: the try guard skips its body. */
	std::thread other([&] {
		mutex_lock(&test_mutex);
		down_write(&test_sem);
		stage = 1;
		while (stage.load() != 2)
			std::this_thread::yield();
		up_write(&test_sem);
		mutex_unlock(&test_mutex);
	});
	while (stage.load() != 1)
		std::this_thread::yield();
	scoped_guard(mutex_try, &test_mutex)
		runs += 100;
	scoped_guard(rwsem_read_try, &test_sem)
		runs += 100;
	scoped_guard(rwsem_write_try, &test_sem)
		runs += 100;
	stage = 2;
	other.join();
	KUNIT_EXPECT_EQ(test, runs, 1);

	/* scoped_cond_guard(): the fail statement runs when not taken. */
	int failed = 0;

	scoped_cond_guard(mutex_intr, failed++, &test_mutex) {
		lockdep_assert_held(&test_mutex);
		runs++;
	}
	KUNIT_EXPECT_EQ(test, failed, 0);
	KUNIT_EXPECT_EQ(test, runs, 2);
	mutex_lock(&test_mutex);
	std::thread([&] {
		scoped_cond_guard(mutex_try, failed++, &test_mutex)
			runs += 100;
	}).join();
	mutex_unlock(&test_mutex);
	KUNIT_EXPECT_EQ(test, failed, 1);
	KUNIT_EXPECT_EQ(test, runs, 2);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&test_mutex));
}

struct thing {
	int v;
};

static struct thing *make_thing(int v, bool fail_late)
{
	struct thing *t __free(kfree) = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->v = v;
	if (fail_late)
		return NULL;	/* t is freed here */
	return_ptr(t);
}

static void free_attribute(struct kunit *test)
{
	u64 mark = kmem_leak_mark();
	struct thing *t = make_thing(3, false);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, t->v, 3);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 1);
	kfree(t);
	KUNIT_EXPECT_NULL(test, make_thing(4, true));
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0);

	{
		void *buf __free(kvfree) = kvzalloc(3 * PAGE_SIZE, GFP_KERNEL);
		char *keep __free(kfree) = (char *)kstrdup("kept", GFP_KERNEL);
		char *mine;

		KUNIT_EXPECT_NOT_NULL(test, buf);
		mine = no_free_ptr(keep);
		KUNIT_EXPECT_NULL(test, keep);
		KUNIT_EXPECT_STREQ(test, mine, "kept");
		kfree(mine);
		/* Error pointers are not freed. */
		struct thing *err __free(kfree) = (struct thing *)ERR_PTR(-ENOMEM);
		(void)err;
	}
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0);
}

static int counter_freed;

DEFINE_FREE(count_free, struct thing *, if (_T) { counter_freed += _T->v; kfree(_T); })

static void define_free_custom(struct kunit *test)
{
	counter_freed = 0;
	{
		struct thing *a __free(count_free) = kzalloc(sizeof(*a), GFP_KERNEL);
		struct thing *b __free(count_free) = kzalloc(sizeof(*b), GFP_KERNEL);
		struct thing *none __free(count_free) = NULL;

		KUNIT_ASSERT_NOT_NULL(test, a);
		KUNIT_ASSERT_NOT_NULL(test, b);
		a->v = 1;
		b->v = 20;
		(void)none;
	}
	KUNIT_EXPECT_EQ(test, counter_freed, 21);
}

static int class_exits;

DEFINE_CLASS(counted_int, int, class_exits += _T, v * 2, int v)

static void define_class(struct kunit *test)
{
	class_exits = 0;
	{
		CLASS(counted_int, x)(5);
		int &val = x;

		KUNIT_EXPECT_EQ(test, val, 10);
		val = 7;
	}
	KUNIT_EXPECT_EQ(test, class_exits, 7);
}

/* A guard of our own, as a driver would declare one. */
struct counted_lock {
	int depth;
};

DEFINE_GUARD(counted, struct counted_lock *, _T->depth++, _T->depth--)

static void define_guard_custom(struct kunit *test)
{
	struct counted_lock l = {};

	{
		guard(counted)(&l);
		KUNIT_EXPECT_EQ(test, l.depth, 1);
		scoped_guard(counted, &l)
			KUNIT_EXPECT_EQ(test, l.depth, 2);
		KUNIT_EXPECT_EQ(test, l.depth, 1);
	}
	KUNIT_EXPECT_EQ(test, l.depth, 0);
}

static struct kunit_case cleanup_cases[] = {
	KUNIT_CASE(guard_lock_kinds),
	KUNIT_CASE(guard_recursion_names_caller),
	KUNIT_CASE(scoped_guards),
	KUNIT_CASE(conditional_guards),
	KUNIT_CASE(free_attribute),
	KUNIT_CASE(define_free_custom),
	KUNIT_CASE(define_class),
	KUNIT_CASE(define_guard_custom),
	{}
};

static struct kunit_suite cleanup_suite = {
	.name = "harness-cleanup",
	.test_cases = cleanup_cases,
};
kunit_test_suite(cleanup_suite);
