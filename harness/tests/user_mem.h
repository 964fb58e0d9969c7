/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User memory for tests of uaccess, pinning and the bus.
 *
 * A test that munmaps a page to make a hole needs the hole to stay a hole
 * until it is used, but the kernel's top-down mmap happily fills a fresh
 * one-page gap with the next mapping anyone makes (a sanitizer runtime, a
 * lazily built table). So test memory is mapped low in the address space
 * (1 GiB up, inside every sanitizer's application range), where the
 * top-down allocator does not go while there is room above.
 *
 * Forked children end with child_exit(): TSan's _exit() replaces the exit
 * status with 66 when the parent had reported anything before the fork.
 */
#pragma once

#include "harness/compiler.h"

#include <atomic>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static inline char *map_user_pages(int npages)
{
	static std::atomic<unsigned long> next{0x40000000UL};
	size_t len = npages * PAGE_SIZE;

	for (int tries = 0; tries < 64; tries++) {
		/* A page of distance between areas, so neighbours never merge. */
		unsigned long hint = next.fetch_add(len + PAGE_SIZE);
		void *p = mmap((void *)hint, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (p == (void *)hint)
			return (char *)p;
		if (p != MAP_FAILED)
			munmap(p, len);	/* an old kernel ignored the flag */
	}
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : (char *)p;
}

[[noreturn]] static inline void child_exit(int status)
{
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}
