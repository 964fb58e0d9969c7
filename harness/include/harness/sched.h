/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tasks: `current` and struct task_struct.
 *
 * Every host thread is a task. The process's main thread is the group
 * leader, a static task; other threads get a thread-local one on first use.
 * A task's mm is the local mm (this process's memory) unless the code
 * switches it, as a server acting for a client process does or as
 * kthread_use_mm() does. pid/tgid are the host's tid/pid, refreshed in a
 * forked child (the kselftest harness forks once per test).
 *
 * Per-task state the kernel keeps here and the harness honours: fail_nth
 * and make_it_fail (fault injection). fail_nth is touched only by its own
 * thread, like the kernel's.
 *
 * `current` is an object, not a macro: a macro named current would rewrite
 * members of the C++ standard library (reverse_iterator::current) in any
 * header included after this one. It converts to struct task_struct * and
 * has ->, so `current->mm` and `get_task_struct(current)` read as in C.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/refcount.h"

#include <sys/types.h>

struct mm_struct;
struct user_struct;

#define TASK_COMM_LEN 16

struct task_struct {
	pid_t pid;			/* host thread id */
	pid_t tgid;			/* host process id */
	char comm[TASK_COMM_LEN];
	struct mm_struct *mm;		/* NULL: a kernel thread without one */
	struct mm_struct *prev_mm;	/* kthread_use_mm(): the mm to go back to */
	struct task_struct *group_leader;
	struct user_struct *user;	/* the credentials' user (current_user()) */
	unsigned int fail_nth;		/* see fault_inject.h */
	unsigned int make_it_fail;
	refcount_t usage;
};

extern thread_local struct task_struct *__current_task;
struct task_struct *__harness_init_current(void);

static inline struct task_struct *get_current(void)
{
	struct task_struct *t = __current_task;

	return likely(t) ? t : __harness_init_current();
}

struct __current_task_proxy {
	struct task_struct *operator->() const { return get_current(); }
	operator struct task_struct *() const { return get_current(); }
};
inline constexpr __current_task_proxy current{};

/*
 * A server acting for a client task (harness/server) runs as that task:
 * `current` becomes t for this thread until switched back. NULL returns
 * the thread to its own task. Returns the previous one.
 */
static inline struct task_struct *harness_switch_current(struct task_struct *t)
{
	struct task_struct *old = __current_task;

	__current_task = t;
	return old;
}

static inline pid_t task_pid_nr(struct task_struct *t) { return t->pid; }
static inline pid_t task_tgid_nr(struct task_struct *t) { return t->tgid; }

/*
 * References to tasks. The harness's tasks are static or thread-local, so
 * the count only catches imbalance (a WARN on underflow); nothing is freed.
 */
static inline struct task_struct *get_task_struct(struct task_struct *t)
{
	refcount_inc(&t->usage);
	return t;
}

static inline void put_task_struct(struct task_struct *t) { refcount_dec(&t->usage); }

/* No signals are ever delivered to kernel-side code. */
static inline int signal_pending(struct task_struct *p) { return 0; }
static inline int fatal_signal_pending(struct task_struct *p) { return 0; }

static inline bool in_task(void) { return true; }
