/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small lockdep: held-lock tracking per thread, lock assertions, and a
 * lock-order graph between lock classes.
 *
 * Every mutex, spinlock and rw_semaphore carries a lockdep_map naming its
 * class: the static lock_class_key at the mutex_init()/spin_lock_init()/
 * init_rwsem() call site (so all locks initialised at one line share a
 * class, as in the kernel), or the lock itself for DEFINE_MUTEX() and
 * friends. Each thread keeps a stack of the locks it holds. From that the
 * harness reports, as failures of the running test:
 *
 *   - lockdep_assert_held*() / lockdep_assert_not_held() violations,
 *     judged against the calling thread (an rwsem held for read by another
 *     thread does not count);
 *   - recursive locking of one lock instance (the acquisition is then
 *     skipped instead of deadlocking), and nesting two locks of one class
 *     without a subclass (mutex_lock_nested() and friends);
 *   - unlocking a lock the thread does not hold (the unlock is skipped);
 *   - lock-order inversions: acquiring B while holding A records A -> B;
 *     an acquisition that would close a cycle in that graph is reported
 *     with both orders, before it can deadlock;
 *   - sleeping (mutex, rwsem, might_sleep()) while holding a spinlock;
 *   - using a lock that was never initialised.
 *
 * Not modelled: IRQ contexts and irq-safety inversions, RCU, the
 * read-recursion subtleties of the kernel's rwlock_t, lock stats.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/testhooks.h"

/* One per lock class; its address is the class. Must be static storage. */
struct lock_class_key {
	char __dummy;
};

struct lockdep_map {
	const void *key;	/* lock class; NULL if never initialised */
	const char *name;
};

/*
 * Trailing parameters of every lock and unlock function: the caller's
 * source position, so reports name the line that took or dropped a lock.
 */
#define __LOCKDEP_SITE const char *__file = __builtin_FILE(), int __line = __builtin_LINE()

/*
 * For guards (cleanup.h): the next lock or unlock call on this thread
 * reports @file:@line instead of its own call site; NULL cancels.
 */
void __lockdep_set_site(const char *file, int line);

#define MAX_LOCK_DEPTH 48U
#define SINGLE_DEPTH_NESTING 1
#define MAX_LOCKDEP_SUBCLASSES 8U

/* (Re)names the class of one lock; @key is a lock_class_key or the lock. */
void lockdep_init_map(struct lockdep_map *map, const char *name, const void *key);
/* Dynamic keys (in allocated memory) must be registered and unregistered. */
void lockdep_register_key(struct lock_class_key *key);
/* Forgets every ordering learnt about @key's classes; call before freeing it. */
void lockdep_unregister_key(struct lock_class_key *key);

#define lockdep_set_class(lock, key) lockdep_init_map(&(lock)->dep_map, #key, key)
#define lockdep_set_class_and_name(lock, key, name)                           \
	lockdep_init_map(&(lock)->dep_map, name, key)

struct mutex;
struct spinlock;
struct rw_semaphore;

/* Held by the calling thread (in any mode for an rwsem). */
bool lockdep_is_held(const struct mutex *lock);
bool lockdep_is_held(const struct spinlock *lock);
bool lockdep_is_held(const struct rw_semaphore *lock);
/* Held exclusively by the calling thread. */
bool lockdep_is_held_write(const struct mutex *lock);
bool lockdep_is_held_write(const struct spinlock *lock);
bool lockdep_is_held_write(const struct rw_semaphore *lock);
/* Held for read by the calling thread. */
bool lockdep_is_held_read(const struct rw_semaphore *lock);

#define __lockdep_check(cond, what, l)                                        \
	do {                                                                  \
		if (unlikely(!(cond)))                                        \
			harness_report_failure(__FILE__, __LINE__,            \
					       "lockdep: %s(%s) failed", what, #l); \
	} while (0)

#define lockdep_assert(cond)                                                  \
	do {                                                                  \
		if (unlikely(!(cond)))                                        \
			harness_report_failure(__FILE__, __LINE__,            \
					       "lockdep_assert(%s) failed", #cond); \
	} while (0)
#define lockdep_assert_held(l) __lockdep_check(lockdep_is_held(l), "lockdep_assert_held", l)
#define lockdep_assert_held_write(l)                                          \
	__lockdep_check(lockdep_is_held_write(l), "lockdep_assert_held_write", l)
#define lockdep_assert_held_read(l)                                           \
	__lockdep_check(lockdep_is_held_read(l), "lockdep_assert_held_read", l)
#define lockdep_assert_not_held(l)                                            \
	__lockdep_check(!lockdep_is_held(l), "lockdep_assert_not_held", l)
#define lockdep_assert_held_once(l) lockdep_assert_held(l)

/*
 * Reports a sleep in atomic context: the caller holds a spinlock. Called by
 * every sleeping lock; allocators call it for blocking GFP flags.
 */
void __might_sleep(const char *file, int line);
#define might_sleep() __might_sleep(__FILE__, __LINE__)
#define might_sleep_if(cond)                                                  \
	do {                                                                  \
		if (cond)                                                     \
			might_sleep();                                        \
	} while (0)

/* True while the calling thread holds a spinlock. */
bool in_atomic(void);
/* Number of locks the calling thread holds. */
unsigned int lockdep_depth(void);
/* Reports a failure if the calling thread holds any lock (end of a test, thread exit). */
void __debug_check_no_locks_held(const char *file, int line);
#define debug_check_no_locks_held() __debug_check_no_locks_held(__FILE__, __LINE__)
/* Prints the calling thread's held locks to stderr. */
void lockdep_print_held_locks(void);
