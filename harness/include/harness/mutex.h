/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct mutex (linux/mutex.h), with owner and lockdep tracking.
 *
 * A host mutex underneath (uncontended lock/unlock is one atomic each plus
 * the thread-local lockdep bookkeeping). The owner is recorded so
 * lockdep_assert_held() and mutex_unlock() can tell whether the calling
 * thread holds it; see lockdep.h for what is reported. Killable and
 * interruptible variants always succeed: no signal reaches kernel code here.
 */
#pragma once

#include "harness/lockdep.h"

#include <pthread.h>

struct mutex {
	pthread_mutex_t wait_lock;
	void *owner;		/* the holding thread's token, atomic access */
	struct lockdep_map dep_map;
};

#define __MUTEX_INITIALIZER(lockname)                                         \
	{ PTHREAD_MUTEX_INITIALIZER, NULL, { &(lockname), #lockname } }
#define DEFINE_MUTEX(mutexname) struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key);
#define mutex_init(mutex)                                                     \
	do {                                                                  \
		static struct lock_class_key __key;                           \
		__mutex_init((mutex), #mutex, &__key);                        \
	} while (0)
/* Reports if the mutex is still locked. */
void mutex_destroy(struct mutex *lock);

void mutex_lock(struct mutex *lock, __LOCKDEP_SITE);
void mutex_lock_nested(struct mutex *lock, unsigned int subclass, __LOCKDEP_SITE);
/* Always 0: there are no signals to interrupt the wait. */
__must_check int mutex_lock_interruptible(struct mutex *lock, __LOCKDEP_SITE);
__must_check int mutex_lock_killable(struct mutex *lock, __LOCKDEP_SITE);
/* 1 if acquired. */
int mutex_trylock(struct mutex *lock, __LOCKDEP_SITE);
void mutex_unlock(struct mutex *lock, __LOCKDEP_SITE);
/* Locked by any thread. */
bool mutex_is_locked(const struct mutex *lock);

#define mutex_lock_interruptible_nested(lock, subclass)                       \
	({ mutex_lock_nested(lock, subclass); 0; })
#define mutex_lock_io(lock) mutex_lock(lock)
