/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The calling process's pid without a system call.
 *
 * glibc's getpid() enters the kernel every time, and the interposer and
 * the kernel side ask on every request whether they still run in the
 * process they were set up in (a forked child must not use its parent's
 * connections or state). The pid is kept in a page the kernel zeroes in a
 * forked child (MADV_WIPEONFORK), so a child of any fork, also one made by
 * a raw clone() that skips the atfork handlers, reads 0 and asks the
 * kernel once. Where the page cannot be had, every call is a getpid().
 *
 * A vfork() child shares the page and reads its parent's pid; it may only
 * exec or _exit, as POSIX says, and neither asks.
 */
#pragma once

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * The page, made on first use. An atomic pointer rather than a function's
 * static initialiser: the interposer is built without thread-safe statics.
 */
inline pid_t *self_pid_page(void)
{
	static pid_t *page;	/* NULL: not made yet; -1: cannot be */
	pid_t *const none = (pid_t *)-1L;
	pid_t *p = __atomic_load_n(&page, __ATOMIC_ACQUIRE), *expected = nullptr;

	if (p)
		return p == none ? nullptr : p;
	/* Raw system calls: in the interposer, mmap() is our own wrapper. */
	p = (pid_t *)syscall(SYS_mmap, nullptr, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		p = none;
	} else if (syscall(SYS_madvise, p, 4096, MADV_WIPEONFORK)) {
		syscall(SYS_munmap, p, 4096);
		p = none;
	}
	/* Another thread may have made one meanwhile: use the first. */
	if (!__atomic_compare_exchange_n(&page, &expected, p, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (p != none)
			syscall(SYS_munmap, p, 4096);
		p = expected;
	}
	return p == none ? nullptr : p;
}

inline pid_t self_pid(void)
{
	pid_t *page = self_pid_page();
	pid_t pid;

	if (!page)
		return getpid();
	pid = __atomic_load_n(page, __ATOMIC_RELAXED);
	if (!pid) {
		pid = getpid();
		__atomic_store_n(page, pid, __ATOMIC_RELAXED);
	}
	return pid;
}
