/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spinlock_t (linux/spinlock.h), with lockdep tracking (see lockdep.h).
 *
 * A spinlock here is a host mutex, not a spinning lock: the machines this
 * runs on are small and shared, and a preempted spinner would burn the
 * only other core. What makes it a spinlock is the rules lockdep enforces:
 * while one is held the thread is atomic, so mutex_lock(), down_*() and
 * might_sleep() are reported. IRQ and bottom-half variants do the same as
 * spin_lock(); there are no interrupts to mask.
 */
#pragma once

#include "harness/lockdep.h"

#include <pthread.h>

typedef struct spinlock {
	pthread_mutex_t rlock;
	void *owner;		/* the holding thread's token, atomic access */
	struct lockdep_map dep_map;
} spinlock_t;

/* raw_spinlock_t differs only under PREEMPT_RT; here it is the same thing. */
typedef spinlock_t raw_spinlock_t;

#define __SPIN_LOCK_UNLOCKED(lockname)                                        \
	{ PTHREAD_MUTEX_INITIALIZER, NULL, { &(lockname), #lockname } }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x) DEFINE_SPINLOCK(x)

void __spin_lock_init(spinlock_t *lock, const char *name, struct lock_class_key *key);
#define spin_lock_init(lock)                                                  \
	do {                                                                  \
		static struct lock_class_key __key;                           \
		__spin_lock_init((lock), #lock, &__key);                      \
	} while (0)
#define raw_spin_lock_init(lock) spin_lock_init(lock)

void spin_lock(spinlock_t *lock, __LOCKDEP_SITE);
void spin_lock_nested(spinlock_t *lock, unsigned int subclass, __LOCKDEP_SITE);
void spin_unlock(spinlock_t *lock, __LOCKDEP_SITE);
int spin_trylock(spinlock_t *lock, __LOCKDEP_SITE);
/* Locked by any thread. */
bool spin_is_locked(const spinlock_t *lock);

static inline void spin_lock_bh(spinlock_t *lock, __LOCKDEP_SITE) { spin_lock(lock, __file, __line); }
static inline void spin_unlock_bh(spinlock_t *lock, __LOCKDEP_SITE) { spin_unlock(lock, __file, __line); }
static inline void spin_lock_irq(spinlock_t *lock, __LOCKDEP_SITE) { spin_lock(lock, __file, __line); }
static inline void spin_unlock_irq(spinlock_t *lock, __LOCKDEP_SITE) { spin_unlock(lock, __file, __line); }
#define spin_lock_irqsave(lock, flags)                                        \
	do {                                                                  \
		(flags) = 0;                                                  \
		spin_lock(lock);                                              \
	} while (0)
#define spin_lock_irqsave_nested(lock, flags, subclass)                       \
	do {                                                                  \
		(flags) = 0;                                                  \
		spin_lock_nested(lock, subclass);                             \
	} while (0)
static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags, __LOCKDEP_SITE)
{
	spin_unlock(lock, __file, __line);
}

#define raw_spin_lock spin_lock
#define raw_spin_unlock spin_unlock
#define raw_spin_trylock spin_trylock
#define raw_spin_lock_irqsave spin_lock_irqsave
#define raw_spin_unlock_irqrestore spin_unlock_irqrestore
#define raw_spin_lock_irq spin_lock_irq
#define raw_spin_unlock_irq spin_unlock_irq

/* The kernel's assert_spin_locked(): locked by someone, not necessarily us. */
#define assert_spin_locked(lock)                                              \
	do {                                                                  \
		if (unlikely(!spin_is_locked(lock)))                          \
			harness_report_failure(__FILE__, __LINE__,            \
					       "assert_spin_locked(%s) failed", #lock); \
	} while (0)

/* No interrupts to mask: these only keep kernel code compiling. */
#define local_irq_save(flags) ((flags) = 0)
#define local_irq_restore(flags) ((void)(flags))
#define local_irq_disable() do { } while (0)
#define local_irq_enable() do { } while (0)
