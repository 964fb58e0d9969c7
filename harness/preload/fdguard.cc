// SPDX-License-Identifier: GPL-2.0
/*
 * The closes the interposer does not see one descriptor at a time.
 *
 * A served descriptor's table entry is trusted without a system call
 * (fdtable.h) as long as nothing may have closed a descriptor behind our
 * back since the entry was last checked. What can close one without going
 * through our close(), close_range() or dup2()/dup3() are the calls below:
 * a raw syscall() of those numbers (or of io_uring_enter, whose requests
 * may close), closefrom() (glibc closes through its internal
 * close_range), and the stdio calls that close the descriptor under a
 * stream, which may be one fdopen() made of a served descriptor. Each
 * tells the table so; the next use of every entry then checks its
 * descriptor once more. (closedir() of an fdopendir() stream clears the
 * entry itself, in preload.cc.)
 *
 * Not covered: system calls made by inline assembly (as liburing may make
 * io_uring_enter), which no interposer sees.
 */
#include "client.h"
#include "fdtable.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

/* The next definition of @name (libc's), looked up once. */
void *next_fn(void **cache, const char *name)
{
	void *fn = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (!fn) {
		fn = dlsym(RTLD_NEXT, name);
		__atomic_store_n(cache, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

#define NEXT(type, name)                                            \
	({                                                          \
		static void *cache;                                 \
		(type)next_fn(&cache, #name);                       \
	})

} // namespace

EXPORT long syscall(long nr, ...)
{
	long a[6];
	va_list ap;
	long ret;

	/* As glibc's own: six arguments, whatever the call takes. */
	va_start(ap, nr);
	for (long &arg : a)
		arg = va_arg(ap, long);
	va_end(ap);
	ret = NEXT(long (*)(long, ...), syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	switch (nr) {
	case SYS_close:
	case SYS_close_range:
	case SYS_dup2:
	case SYS_dup3:
	case SYS_io_uring_enter:
		ufd_fd_unseen_close();
		break;
	}
	return ret;
}

EXPORT void closefrom(int lowfd)
{
	NEXT(void (*)(int), closefrom)(lowfd);
	ufd_fd_unseen_close();
}

EXPORT int fclose(FILE *f)
{
	int ret = NEXT(int (*)(FILE *), fclose)(f);

	ufd_fd_unseen_close();
	return ret;
}

EXPORT FILE *freopen(const char *path, const char *mode, FILE *f)
{
	FILE *ret = NEXT(FILE * (*)(const char *, const char *, FILE *), freopen)(path, mode, f);

	ufd_fd_unseen_close();
	return ret;
}

EXPORT FILE *freopen64(const char *path, const char *mode, FILE *f)
{
	FILE *ret = NEXT(FILE * (*)(const char *, const char *, FILE *), freopen64)(path, mode, f);

	ufd_fd_unseen_close();
	return ret;
}

EXPORT int pclose(FILE *f)
{
	int ret = NEXT(int (*)(FILE *), pclose)(f);

	ufd_fd_unseen_close();
	return ret;
}
