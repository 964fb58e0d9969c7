// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of mutex, spinlock_t, rw_semaphore and the lockdep checks:
 * owner tracking seen from this thread and others, every reported misuse
 * (assertions, recursion, foreign unlock, order inversion, same-class
 * nesting, sleeping under a spinlock, uninitialised and destroyed locks,
 * depth overflow), rwsem reader/writer rules, and mutual exclusion under
 * contention.
 */
#include "kunit.h"

#include "harness/lockdep.h"
#include "harness/mutex.h"
#include "harness/rwsem.h"
#include "harness/spinlock.h"

#include <atomic>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

/* A thread that takes a lock, holds it until told, then drops it. */
class holder {
public:
	holder(std::function<void()> lock, std::function<void()> unlock)
		: th([this, lock, unlock] {
			  lock();
			  stage = 1;
			  while (stage.load() != 2)
				  std::this_thread::yield();
			  unlock();
		  })
	{
		while (stage.load() != 1)
			std::this_thread::yield();
	}
	~holder() { release(); }
	void release()
	{
		if (th.joinable()) {
			stage = 2;
			th.join();
		}
	}
	holder(const holder &) = delete;
	holder &operator=(const holder &) = delete;

private:
	std::atomic<int> stage{ 0 };
	std::thread th;
};

static bool last_failure_has(struct kunit *test, const char *what)
{
	return strstr(kunit_last_harness_failure(test), what) != nullptr;
}

static void mutex_basics(struct kunit *test)
{
	struct mutex m;

	mutex_init(&m);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&m));
	mutex_lock(&m);
	KUNIT_EXPECT_TRUE(test, mutex_is_locked(&m));
	KUNIT_EXPECT_TRUE(test, lockdep_is_held(&m));
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 1);
	lockdep_assert_held(&m);
	/* trylock on a mutex we hold fails quietly, as in the kernel. */
	KUNIT_EXPECT_EQ(test, mutex_trylock(&m), 0);
	mutex_unlock(&m);
	KUNIT_EXPECT_EQ(test, mutex_trylock(&m), 1);
	mutex_unlock(&m);
	KUNIT_EXPECT_EQ(test, mutex_lock_interruptible(&m), 0);
	mutex_unlock(&m);
	KUNIT_EXPECT_EQ(test, mutex_lock_killable(&m), 0);
	mutex_unlock(&m);
	lockdep_assert_not_held(&m);
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 0);
	mutex_destroy(&m);
}

static void assertions_fire(struct kunit *test)
{
	static DEFINE_MUTEX(m);
	static DEFINE_SPINLOCK(s);
	static DECLARE_RWSEM(sem);

	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held(&m));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "lockdep_assert_held(&m)"));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held(&s));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held(&sem));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held_write(&m));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held_read(&sem));

	mutex_lock(&m);
	spin_lock(&s);
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, lockdep_assert_held(&m); lockdep_assert_held(&s);
					lockdep_assert_held_write(&s));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_not_held(&m));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_not_held(&s));
	spin_unlock(&s);
	mutex_unlock(&m);

	down_read(&sem);
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, lockdep_assert_held(&sem);
					lockdep_assert_held_read(&sem));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held_write(&sem));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_not_held(&sem));
	up_read(&sem);

	down_write(&sem);
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, lockdep_assert_held(&sem);
					lockdep_assert_held_write(&sem));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held_read(&sem));
	up_write(&sem);

	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert(1 + 1 == 3));
}

static void held_by_another_thread(struct kunit *test)
{
	static DEFINE_MUTEX(m);
	static DEFINE_SPINLOCK(s);
	static DECLARE_RWSEM(sem);

	{
		holder h([&] { mutex_lock(&m); }, [&] { mutex_unlock(&m); });

		/* Locked, but not by us: held-assertions are per thread. */
		KUNIT_EXPECT_TRUE(test, mutex_is_locked(&m));
		KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held(&m));
		KUNIT_EXPECT_NO_HARNESS_FAILURE(test, lockdep_assert_not_held(&m));
		KUNIT_EXPECT_EQ(test, mutex_trylock(&m), 0);
	}
	{
		holder h([&] { spin_lock(&s); }, [&] { spin_unlock(&s); });

		KUNIT_EXPECT_TRUE(test, spin_is_locked(&s));
		KUNIT_EXPECT_NO_HARNESS_FAILURE(test, assert_spin_locked(&s));
		KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held(&s));
		KUNIT_EXPECT_EQ(test, spin_trylock(&s), 0);
	}
	KUNIT_EXPECT_HARNESS_FAILURE(test, assert_spin_locked(&s));
	{
		holder h([&] { down_read(&sem); }, [&] { up_read(&sem); });

		/* A reader on another thread does not make us a holder... */
		KUNIT_EXPECT_TRUE(test, rwsem_is_locked(&sem));
		KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held(&sem));
		KUNIT_EXPECT_EQ(test, down_write_trylock(&sem), 0);
		/* ...but readers share, and then we are one. */
		down_read(&sem);
		KUNIT_EXPECT_NO_HARNESS_FAILURE(test, lockdep_assert_held(&sem);
						lockdep_assert_held_read(&sem));
		up_read(&sem);
	}
	{
		holder h([&] { down_write(&sem); }, [&] { up_write(&sem); });

		KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held_write(&sem));
		KUNIT_EXPECT_EQ(test, down_read_trylock(&sem), 0);
		KUNIT_EXPECT_EQ(test, down_write_trylock(&sem), 0);
	}
	KUNIT_EXPECT_FALSE(test, rwsem_is_locked(&sem));
}

static void recursion_reported(struct kunit *test)
{
	static DEFINE_MUTEX(m);
	static DEFINE_SPINLOCK(s);
	static DECLARE_RWSEM(sem);

	mutex_lock(&m);
	/*
	 * Reported and skipped instead of hanging; its unlock is skipped
	 * too, so the code's own unlocks stay balanced.
	 */
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&m));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "recursive locking"));
	mutex_unlock(&m);
	KUNIT_EXPECT_TRUE(test, lockdep_is_held(&m));
	mutex_unlock(&m);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&m));

	spin_lock(&s);
	KUNIT_EXPECT_HARNESS_FAILURE(test, spin_lock(&s));
	spin_unlock(&s);
	KUNIT_EXPECT_TRUE(test, in_atomic());
	spin_unlock(&s);
	KUNIT_EXPECT_FALSE(test, spin_is_locked(&s));
	KUNIT_EXPECT_FALSE(test, in_atomic());

	down_write(&sem);
	KUNIT_EXPECT_HARNESS_FAILURE(test, down_write(&sem));
	KUNIT_EXPECT_HARNESS_FAILURE(test, down_read(&sem));
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, up_read(&sem); up_write(&sem));
	KUNIT_EXPECT_TRUE(test, lockdep_is_held_write(&sem));
	up_write(&sem);

	/* Read recursion deadlocks as soon as a writer queues in between. */
	down_read(&sem);
	KUNIT_EXPECT_HARNESS_FAILURE(test, down_read(&sem));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "recursive down_read"));
	up_read(&sem);
	KUNIT_EXPECT_TRUE(test, rwsem_is_locked(&sem));
	up_read(&sem);
	KUNIT_EXPECT_FALSE(test, rwsem_is_locked(&sem));
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 0);
}

static void foreign_unlock_reported(struct kunit *test)
{
	static DEFINE_MUTEX(m);
	static DEFINE_SPINLOCK(s);
	static DECLARE_RWSEM(sem);

	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_unlock(&m));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "not locked"));
	KUNIT_EXPECT_HARNESS_FAILURE(test, spin_unlock(&s));
	KUNIT_EXPECT_HARNESS_FAILURE(test, up_read(&sem));
	KUNIT_EXPECT_HARNESS_FAILURE(test, up_write(&sem));

	/* Another thread unlocking ours is reported there and ignored. */
	mutex_lock(&m);
	down_read(&sem);
	KUNIT_EXPECT_HARNESS_FAILURE(test, std::thread([&] {
		mutex_unlock(&m);
		up_read(&sem);
	}).join());
	KUNIT_EXPECT_TRUE(test, lockdep_is_held(&m));
	KUNIT_EXPECT_TRUE(test, lockdep_is_held(&sem));
	up_read(&sem);
	mutex_unlock(&m);

	down_write(&sem);
	KUNIT_EXPECT_HARNESS_FAILURE(test, std::thread([&] { up_write(&sem); }).join());
	KUNIT_EXPECT_HARNESS_FAILURE(test, std::thread([&] { downgrade_write(&sem); }).join());
	up_write(&sem);
	KUNIT_EXPECT_FALSE(test, rwsem_is_locked(&sem));
}

static void order_inversion_reported(struct kunit *test)
{
	struct mutex a, b, c;
	spinlock_t s;

	mutex_init(&a);
	mutex_init(&b);
	mutex_init(&c);
	spin_lock_init(&s);

	/* a -> b, b -> c, a -> s: the orders the code establishes. */
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, {
		mutex_lock(&a);
		mutex_lock(&b);
		mutex_unlock(&b);
		spin_lock(&s);
		spin_unlock(&s);
		mutex_unlock(&a);
		mutex_lock(&b);
		mutex_lock(&c);
		mutex_unlock(&c);
		mutex_unlock(&b);
		/* Repeating a known order, or releasing out of order, is fine. */
		mutex_lock(&a);
		mutex_lock(&b);
		mutex_unlock(&a);
		mutex_unlock(&b);
	});
	/* b -> a inverts a -> b: reported before anything could deadlock. */
	mutex_lock(&b);
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&a));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "circular locking dependency"));
	mutex_unlock(&a);
	mutex_unlock(&b);
	/* c -> a closes a -> b -> c. */
	mutex_lock(&c);
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&a));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "a chain"));
	mutex_unlock(&a);
	mutex_unlock(&c);
	/* Spinlocks join the same graph: s -> a inverts a -> s. */
	spin_lock(&s);
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&a));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "circular locking dependency"));
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 2);
	mutex_unlock(&a);
	/* A trylock cannot deadlock, so it is not checked. */
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, KUNIT_EXPECT_EQ(test, mutex_trylock(&a), 1));
	mutex_unlock(&a);
	spin_unlock(&s);
}

static void non_static_key_reported(struct kunit *test)
{
	/* Self-keyed locks on the stack: their address may be reused. */
	DEFINE_MUTEX(a);
	DEFINE_MUTEX(b);

	mutex_lock(&a);
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&b));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "non-static class key"));
	mutex_unlock(&b);
	/* Reported once per class; the order is simply not tracked. */
	mutex_unlock(&a);
	mutex_lock(&b);
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, mutex_lock(&a));
	mutex_unlock(&a);
	mutex_unlock(&b);
	/* Forget them, so the next run (same stack addresses) reports again. */
	lockdep_unregister_key((struct lock_class_key *)&a);
	lockdep_unregister_key((struct lock_class_key *)&b);
}

static void init_one(struct mutex *m)
{
	/* Every mutex initialised here shares one class. */
	mutex_init(m);
}

static void same_class_nesting(struct kunit *test)
{
	struct mutex a, b;

	init_one(&a);
	init_one(&b);
	mutex_lock(&a);
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&b));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "possible recursive locking"));
	mutex_unlock(&b);
	/* Annotated nesting is accepted. */
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, mutex_lock_nested(&b, SINGLE_DEPTH_NESTING));
	mutex_unlock(&b);
	mutex_unlock(&a);
}

static void sleeping_under_spinlock(struct kunit *test)
{
	static DEFINE_SPINLOCK(s);
	static DEFINE_MUTEX(m);
	static DECLARE_RWSEM(sem);

	KUNIT_EXPECT_FALSE(test, in_atomic());
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, might_sleep());
	spin_lock_irq(&s);
	KUNIT_EXPECT_TRUE(test, in_atomic());
	KUNIT_EXPECT_HARNESS_FAILURE(test, might_sleep());
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "sleeping function"));
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&m));
	mutex_unlock(&m);
	KUNIT_EXPECT_HARNESS_FAILURE(test, down_read(&sem));
	up_read(&sem);
	spin_unlock_irq(&s);
	KUNIT_EXPECT_FALSE(test, in_atomic());
}

static void uninitialised_and_destroyed(struct kunit *test)
{
	struct mutex m;
	spinlock_t s;

	/* Zeroed memory, as from kzalloc(), never passed to mutex_init(). */
	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&m));
	KUNIT_EXPECT_TRUE(test, last_failure_has(test, "without being initialised"));
	/* Reported once; the lock still works. */
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, mutex_unlock(&m); mutex_lock(&m));
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_destroy(&m));
	mutex_unlock(&m);
	KUNIT_EXPECT_HARNESS_FAILURE(test, spin_lock(&s));
	spin_unlock(&s);

	mutex_init(&m);
	mutex_destroy(&m);
	/* Use after mutex_destroy(). */
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&m));
	mutex_unlock(&m);
	mutex_init(&m);
	/* Re-initialising a held lock is reported and ignored. */
	mutex_lock(&m);
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_init(&m));
	KUNIT_EXPECT_TRUE(test, lockdep_is_held(&m));
	mutex_unlock(&m);
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 0);
}

static void locks_left_held(struct kunit *test)
{
	static DEFINE_MUTEX(m);

	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, debug_check_no_locks_held());
	mutex_lock(&m);
	KUNIT_EXPECT_HARNESS_FAILURE(test, debug_check_no_locks_held());
	mutex_unlock(&m);
}

static void depth_overflow(struct kunit *test)
{
	static struct lock_class_key keys[MAX_LOCK_DEPTH + 2];
	static struct mutex locks[MAX_LOCK_DEPTH + 2];

	for (unsigned int i = 0; i < ARRAY_SIZE(locks); i++) {
		mutex_init(&locks[i]);
		lockdep_set_class(&locks[i], &keys[i]);
	}
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, {
		for (unsigned int i = 0; i < MAX_LOCK_DEPTH; i++)
			mutex_lock(&locks[i]);
	});
	KUNIT_EXPECT_HARNESS_FAILURE(test, mutex_lock(&locks[MAX_LOCK_DEPTH]));
	KUNIT_EXPECT_EQ(test, lockdep_depth(), MAX_LOCK_DEPTH + 1);
	/* Reported once, and the untracked lock still unlocks cleanly. */
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, {
		mutex_lock(&locks[MAX_LOCK_DEPTH + 1]);
		for (unsigned int i = ARRAY_SIZE(locks); i-- > 0;)
			mutex_unlock(&locks[i]);
	});
	KUNIT_EXPECT_EQ(test, lockdep_depth(), 0);
}

static void rwsem_sharing_and_writer_preference(struct kunit *test)
{
	static DECLARE_RWSEM(sem);
	std::atomic<int> writer_in{ 0 };

	down_read(&sem);
	{
		/* A second reader on another thread gets in. */
		holder h([&] { down_read(&sem); }, [&] { up_read(&sem); });
	}
	std::thread w([&] {
		down_write(&sem);
		writer_in = 1;
		up_write(&sem);
	});
	while (!rwsem_is_contended(&sem))
		std::this_thread::yield();
	/* A writer queued: new readers wait behind it. */
	KUNIT_EXPECT_EQ(test, down_read_trylock(&sem), 0);
	KUNIT_EXPECT_EQ(test, writer_in.load(), 0);
	up_read(&sem);
	w.join();
	KUNIT_EXPECT_EQ(test, writer_in.load(), 1);
	KUNIT_EXPECT_EQ(test, down_read_trylock(&sem), 1);
	up_read(&sem);
}

static void rwsem_downgrade(struct kunit *test)
{
	static DECLARE_RWSEM(sem);

	down_write(&sem);
	downgrade_write(&sem);
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, lockdep_assert_held_read(&sem));
	KUNIT_EXPECT_HARNESS_FAILURE(test, lockdep_assert_held_write(&sem));
	/* Other readers may now join; writers may not. */
	std::thread([&] {
		KUNIT_EXPECT_EQ(test, down_read_trylock(&sem), 1);
		up_read(&sem);
		KUNIT_EXPECT_EQ(test, down_write_trylock(&sem), 0);
	}).join();
	up_read(&sem);
	KUNIT_EXPECT_FALSE(test, rwsem_is_locked(&sem));
}

static void mutual_exclusion(struct kunit *test)
{
	static DEFINE_MUTEX(m);
	static DEFINE_SPINLOCK(s);
	static DECLARE_RWSEM(sem);
	constexpr int nthreads = 4, iters = 20000;
	long in_mutex = 0, in_spin = 0, in_sem = 0;
	std::atomic<long> bad{ 0 };
	std::vector<std::thread> threads;

	for (int t = 0; t < nthreads; t++) {
		threads.emplace_back([&, t] {
			for (int i = 0; i < iters; i++) {
				mutex_lock(&m);
				in_mutex++;
				mutex_unlock(&m);
				spin_lock(&s);
				in_spin++;
				spin_unlock(&s);
				if ((i + t) % 4) {
					down_write(&sem);
					in_sem += 2;
					up_write(&sem);
				} else {
					down_read(&sem);
					if (in_sem % 2)
						bad++;
					up_read(&sem);
				}
			}
		});
	}
	for (auto &th : threads)
		th.join();
	KUNIT_EXPECT_EQ(test, in_mutex, (long)nthreads * iters);
	KUNIT_EXPECT_EQ(test, in_spin, (long)nthreads * iters);
	KUNIT_EXPECT_EQ(test, in_sem, 2L * nthreads * iters * 3 / 4);
	KUNIT_EXPECT_EQ(test, bad.load(), 0);
}

/*
 * Two cases invert lock orders on purpose, which ThreadSanitizer's own
 * deadlock detector reports too; in a TSan build, silence it for them only.
 */
#if defined(__SANITIZE_THREAD__)
#define HARNESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HARNESS_TSAN 1
#endif
#endif
#ifdef HARNESS_TSAN
extern "C" const char *__tsan_default_suppressions(void)
{
	return "deadlock:order_inversion_reported\n"
	       "deadlock:non_static_key_reported\n";
}
#endif

static struct kunit_case locking_cases[] = {
	KUNIT_CASE(mutex_basics),
	KUNIT_CASE(assertions_fire),
	KUNIT_CASE(held_by_another_thread),
	KUNIT_CASE(recursion_reported),
	KUNIT_CASE(foreign_unlock_reported),
	KUNIT_CASE(order_inversion_reported),
	KUNIT_CASE(non_static_key_reported),
	KUNIT_CASE(same_class_nesting),
	KUNIT_CASE(sleeping_under_spinlock),
	KUNIT_CASE(uninitialised_and_destroyed),
	KUNIT_CASE(locks_left_held),
	KUNIT_CASE(depth_overflow),
	KUNIT_CASE(rwsem_sharing_and_writer_preference),
	KUNIT_CASE(rwsem_downgrade),
	KUNIT_CASE(mutual_exclusion),
	{}
};

static struct kunit_suite locking_suite = {
	.name = "harness-locking",
	.test_cases = locking_cases,
};
kunit_test_suite(locking_suite);
