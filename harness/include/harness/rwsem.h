/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct rw_semaphore (linux/rwsem.h), with writer and reader tracking.
 *
 * Writer-preferring like the kernel's: once a writer waits, new readers
 * queue behind it, so the read-recursion deadlock the kernel has is real
 * here too (lockdep reports it before it hangs). The writer is recorded as
 * an owner; readers are counted, and each thread's lockdep stack records
 * which rwsems it holds for read, so lockdep_assert_held() is true for a
 * reader on this thread and false for a reader on another.
 */
#pragma once

#include "harness/lockdep.h"

#include <pthread.h>

struct rw_semaphore {
	pthread_mutex_t wait_lock;
	pthread_cond_t read_wait;
	pthread_cond_t write_wait;
	int readers;		/* active readers */
	int writers_waiting;
	void *owner;		/* the writing thread's token, atomic access */
	struct lockdep_map dep_map;
};

#define __RWSEM_INITIALIZER(name)                                             \
	{ PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,                \
	  PTHREAD_COND_INITIALIZER, 0, 0, NULL, { &(name), #name } }
#define DECLARE_RWSEM(name) struct rw_semaphore name = __RWSEM_INITIALIZER(name)

void __init_rwsem(struct rw_semaphore *sem, const char *name, struct lock_class_key *key);
#define init_rwsem(sem)                                                       \
	do {                                                                  \
		static struct lock_class_key __key;                           \
		__init_rwsem((sem), #sem, &__key);                            \
	} while (0)

void down_read(struct rw_semaphore *sem, __LOCKDEP_SITE);
void down_read_nested(struct rw_semaphore *sem, int subclass, __LOCKDEP_SITE);
__must_check int down_read_interruptible(struct rw_semaphore *sem, __LOCKDEP_SITE);
__must_check int down_read_killable(struct rw_semaphore *sem, __LOCKDEP_SITE);
/* 1 if acquired. */
int down_read_trylock(struct rw_semaphore *sem, __LOCKDEP_SITE);
void up_read(struct rw_semaphore *sem, __LOCKDEP_SITE);

void down_write(struct rw_semaphore *sem, __LOCKDEP_SITE);
void down_write_nested(struct rw_semaphore *sem, int subclass, __LOCKDEP_SITE);
__must_check int down_write_killable(struct rw_semaphore *sem, __LOCKDEP_SITE);
/* 1 if acquired. */
int down_write_trylock(struct rw_semaphore *sem, __LOCKDEP_SITE);
void up_write(struct rw_semaphore *sem, __LOCKDEP_SITE);
/* Turns the caller's write hold into a read hold without letting a writer in. */
void downgrade_write(struct rw_semaphore *sem, __LOCKDEP_SITE);

/* Held by any thread in any mode. */
bool rwsem_is_locked(const struct rw_semaphore *sem);
/* Someone is waiting for it. */
bool rwsem_is_contended(const struct rw_semaphore *sem);
