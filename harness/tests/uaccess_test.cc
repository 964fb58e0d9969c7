// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of user memory access: exact short copies at unmapped,
 * PROT_NONE and (for writes) read-only pages, the extensible-struct
 * helpers, strings, get_user/put_user, fail_usercopy, a real fault outside
 * a user copy still being fatal, threads, and another process's memory.
 */
#include "harness/uaccess.h"

#include "harness/fault_inject.h"
#include "harness/mm.h"
#include "harness/sched.h"
#include "harness/spinlock.h"

#include "kunit.h"
#include "user_mem.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

/*
 * Maps npages pages, the last `bad` of them made inaccessible per how:
 * 0 unmapped, PROT_NONE or PROT_READ. Returns the base.
 */
static char *map_with_bad_tail(struct kunit *test, int npages, int bad, int how)
{
	size_t len = npages * PAGE_SIZE;
	char *p = map_user_pages(npages);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x42, len);
	char *tail = p + (npages - bad) * PAGE_SIZE;
	if (how == 0)
		KUNIT_ASSERT_EQ(test, munmap(tail, bad * PAGE_SIZE), 0);
	else
		KUNIT_ASSERT_EQ(test, mprotect(tail, bad * PAGE_SIZE, how), 0);
	return p;
}

static void unmap_all(char *p, int npages) { munmap(p, npages * PAGE_SIZE); }

static void ua_roundtrip(struct kunit *test)
{
	char user[64], k[64];

	memset(user, 'u', sizeof(user));
	KUNIT_EXPECT_EQ(test, copy_from_user(k, user, sizeof(k)), 0UL);
	KUNIT_EXPECT_EQ(test, memcmp(k, user, sizeof(k)), 0);
	memset(k, 'k', sizeof(k));
	KUNIT_EXPECT_EQ(test, copy_to_user(user, k, sizeof(k)), 0UL);
	KUNIT_EXPECT_EQ(test, memcmp(k, user, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, copy_from_user(k, user, 0), 0UL);
	/* Odd lengths and alignments take the byte paths too. */
	for (int off = 0; off < 8; off++) {
		memset(k, 0, sizeof(k));
		KUNIT_EXPECT_EQ(test, copy_from_user(k + 1, user + off, 37), 0UL);
		KUNIT_EXPECT_EQ(test, memcmp(k + 1, user + off, 37), 0);
	}
}

/* Tripwire: -EFAULT semantics on an unmapped page; the count is exact. */
static void ua_unmapped(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, 0);
	char *edge = p + PAGE_SIZE;
	char k[64];

	memset(k, 0x77, sizeof(k));
	KUNIT_EXPECT_EQ(test, copy_from_user(k, edge - 3, 11), 8UL);
	KUNIT_EXPECT_EQ(test, k[0], 0x42);
	KUNIT_EXPECT_EQ(test, k[2], 0x42);
	/* The part not copied is zero-filled. */
	KUNIT_EXPECT_EQ(test, k[3], 0);
	KUNIT_EXPECT_EQ(test, k[10], 0);
	KUNIT_EXPECT_EQ(test, k[11], 0x77);
	KUNIT_EXPECT_EQ(test, copy_from_user(k, edge, 16), 16UL);
	KUNIT_EXPECT_EQ(test, copy_from_user(k, edge - 40, 64), 24UL);

	memset(k, 'k', sizeof(k));
	KUNIT_EXPECT_EQ(test, copy_to_user(edge - 5, k, 20), 15UL);
	KUNIT_EXPECT_EQ(test, edge[-1], 'k');
	KUNIT_EXPECT_EQ(test, copy_to_user(edge, k, 1), 1UL);
	unmap_all(p, 1);
}

static void ua_prot_none(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, PROT_NONE);
	char *edge = p + PAGE_SIZE;
	char k[32] = {};

	KUNIT_EXPECT_EQ(test, copy_from_user(k, edge, sizeof(k)), sizeof(k));
	KUNIT_EXPECT_EQ(test, copy_to_user(edge, k, sizeof(k)), sizeof(k));
	KUNIT_EXPECT_EQ(test, copy_from_user(k, edge - 16, sizeof(k)), 16UL);
	unmap_all(p, 2);
}

/* Tripwire: writing to read-only user memory is -EFAULT; reading works. */
static void ua_prot_read(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, PROT_READ);
	char *ro = p + PAGE_SIZE;
	char k[32];

	memset(k, 'k', sizeof(k));
	KUNIT_EXPECT_EQ(test, copy_to_user(ro, k, sizeof(k)), sizeof(k));
	KUNIT_EXPECT_EQ(test, ro[0], 0x42);
	KUNIT_EXPECT_EQ(test, copy_to_user(ro - 8, k, sizeof(k)), 24UL);
	KUNIT_EXPECT_EQ(test, copy_from_user(k, ro, sizeof(k)), 0UL);
	KUNIT_EXPECT_EQ(test, k[0], 0x42);
	KUNIT_EXPECT_EQ(test, put_user(1, (int *)ro), -EFAULT);
	KUNIT_EXPECT_EQ(test, clear_user(ro - 4, 8), 4UL);
	unmap_all(p, 2);
}

static void ua_access_ok(struct kunit *test)
{
	char k[8] = {};

	KUNIT_EXPECT_TRUE(test, access_ok(k, sizeof(k)));
	KUNIT_EXPECT_FALSE(test, access_ok((void *)(TASK_SIZE_MAX - 4), 8));
	KUNIT_EXPECT_FALSE(test, access_ok((void *)~0UL, 1));
	KUNIT_EXPECT_EQ(test, copy_from_user(k, (void *)(TASK_SIZE_MAX + PAGE_SIZE), 8), 8UL);
	KUNIT_EXPECT_EQ(test, copy_to_user((void *)~7UL, k, 8), 8UL);
	/* Never mapped, below TASK_SIZE: the fault path, not access_ok. */
	KUNIT_EXPECT_EQ(test, copy_from_user(k, (void *)8, 8), 8UL);
}

static void ua_get_put_user(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, 0);
	u32 *good = (u32 *)(p + PAGE_SIZE - 4);
	u64 *bad = (u64 *)(p + PAGE_SIZE);
	const u16 cval = 7;
	u32 v = 0;
	u64 w = 99;
	u16 c = 0;

	KUNIT_EXPECT_EQ(test, put_user(0xdeadbeef, good), 0);
	KUNIT_EXPECT_EQ(test, get_user(v, good), 0);
	KUNIT_EXPECT_EQ(test, v, 0xdeadbeefU);
	KUNIT_EXPECT_EQ(test, get_user(c, &cval), 0);
	KUNIT_EXPECT_EQ(test, c, 7);
	/* On a fault the destination is zeroed. */
	KUNIT_EXPECT_EQ(test, get_user(w, bad), -EFAULT);
	KUNIT_EXPECT_EQ(test, w, 0ULL);
	KUNIT_EXPECT_EQ(test, put_user(1ULL, bad), -EFAULT);
	/* A word straddling into the hole fails whole. */
	KUNIT_EXPECT_EQ(test, get_user(w, (u64 *)(p + PAGE_SIZE - 4)), -EFAULT);
	unmap_all(p, 1);
}

struct ext_v1 {
	u32 size;
	u32 a;
};

struct ext_v2 {
	u32 size;
	u32 a;
	u64 b;
};

static void ua_copy_struct_from_user(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, 0);
	struct ext_v2 k;
	struct ext_v1 u1 = {sizeof(u1), 5};

	/* An older, shorter user struct: the rest is zero-filled. */
	memset(&k, 0xff, sizeof(k));
	KUNIT_EXPECT_EQ(test, copy_struct_from_user(&k, sizeof(k), &u1, sizeof(u1)), 0);
	KUNIT_EXPECT_EQ(test, k.a, 5U);
	KUNIT_EXPECT_EQ(test, k.b, 0ULL);

	/* A newer, longer user struct: fine if its tail is zero... */
	struct {
		struct ext_v2 v2;
		u64 future;
	} u3 = {{sizeof(u3), 1, 2}, 0};
	KUNIT_EXPECT_EQ(test, copy_struct_from_user(&k, sizeof(k), &u3, sizeof(u3)), 0);
	KUNIT_EXPECT_EQ(test, k.b, 2ULL);
	/* ...-E2BIG if not. */
	u3.future = 1;
	KUNIT_EXPECT_EQ(test, copy_struct_from_user(&k, sizeof(k), &u3, sizeof(u3)), -E2BIG);

	/* -EFAULT from the tail check and from the copy. */
	char *edge = p + PAGE_SIZE;
	memset(edge - 16, 0, 16);
	KUNIT_EXPECT_EQ(test, copy_struct_from_user(&k, sizeof(k), edge - 16, 32), -EFAULT);
	KUNIT_EXPECT_EQ(test, copy_struct_from_user(&k, sizeof(k), edge - 8, 16), -EFAULT);
	KUNIT_EXPECT_EQ(test, copy_struct_from_user(&k, sizeof(k), edge - 16, 16), 0);
	unmap_all(p, 1);
}

static void ua_copy_struct_to_user(struct kunit *test)
{
	struct ext_v2 k = {sizeof(k), 1, 2};
	struct ext_v1 small;
	u8 big[32];
	bool ignored = false;

	memset(big, 0xff, sizeof(big));
	KUNIT_EXPECT_EQ(test, copy_struct_to_user(big, sizeof(big), &k, sizeof(k), &ignored), 0);
	KUNIT_EXPECT_FALSE(test, ignored);
	KUNIT_EXPECT_EQ(test, memcmp(big, &k, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, big[sizeof(big) - 1], 0);
	KUNIT_EXPECT_EQ(test, copy_struct_to_user(&small, sizeof(small), &k, sizeof(k), &ignored),
			0);
	KUNIT_EXPECT_TRUE(test, ignored);
	KUNIT_EXPECT_EQ(test, small.a, 1U);
}

static void ua_check_zeroed_and_clear(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, 0);
	char *edge = p + PAGE_SIZE;

	memset(edge - 300, 0, 300);
	KUNIT_EXPECT_EQ(test, check_zeroed_user(edge - 300, 300), 1);
	KUNIT_EXPECT_EQ(test, check_zeroed_user(edge - 300, 0), 1);
	edge[-7] = 1;
	KUNIT_EXPECT_EQ(test, check_zeroed_user(edge - 300, 300), 0);
	KUNIT_EXPECT_EQ(test, check_zeroed_user(edge - 4, 8), -EFAULT);
	KUNIT_EXPECT_EQ(test, check_zeroed_user((void *)~0UL, 8), -EFAULT);

	memset(edge - 600, 0x55, 600);
	KUNIT_EXPECT_EQ(test, clear_user(edge - 600, 600), 0UL);
	KUNIT_EXPECT_EQ(test, check_zeroed_user(edge - 600, 600), 1);
	KUNIT_EXPECT_EQ(test, clear_user(edge - 10, 30), 20UL);
	unmap_all(p, 1);
}

static void ua_strings(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, 0);
	char *edge = p + PAGE_SIZE;
	char k[64];

	/* A string ending right before the hole is fine... */
	memcpy(edge - 6, "hello", 6);
	KUNIT_EXPECT_EQ(test, strncpy_from_user(k, edge - 6, sizeof(k)), 5L);
	KUNIT_EXPECT_STREQ(test, k, "hello");
	KUNIT_EXPECT_EQ(test, strnlen_user(edge - 6, 64), 6L);
	/* ...one running into it is not. */
	memset(edge - 6, 'x', 6);
	KUNIT_EXPECT_EQ(test, strncpy_from_user(k, edge - 6, sizeof(k)), (long)-EFAULT);
	KUNIT_EXPECT_EQ(test, strnlen_user(edge - 6, 64), 0L);
	/* count bounds: no NUL within count returns count. */
	KUNIT_EXPECT_EQ(test, strncpy_from_user(k, edge - 6, 4), 4L);
	KUNIT_EXPECT_EQ(test, strnlen_user(edge - 6, 4), 5L);
	KUNIT_EXPECT_EQ(test, strncpy_from_user(k, edge - 6, 0), 0L);
	unmap_all(p, 1);
}

static void ua_memdup_user(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, 0);
	char *edge = p + PAGE_SIZE;
	char *d;

	memcpy(edge - 4, "abc", 4);
	d = memdup_user(edge - 4, 4);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	KUNIT_EXPECT_STREQ(test, d, "abc");
	kfree(d);
	d = memdup_user(edge - 4, 8);
	KUNIT_EXPECT_EQ(test, PTR_ERR(d), (long)-EFAULT);
	d = vmemdup_user(edge - 4, 4);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	kvfree(d);
	d = memdup_user_nul(edge - 4, 2);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	KUNIT_EXPECT_STREQ(test, d, "ab");
	kfree(d);
	unmap_all(p, 1);
}

/* fail_usercopy: an injected failure looks like a fault of the whole copy. */
static void ua_fail_usercopy(struct kunit *test)
{
	char user[16] = "0123456789", k[16];

	fail_nth_write(1);
	memset(k, 0x33, sizeof(k));
	KUNIT_EXPECT_EQ(test, copy_from_user(k, user, sizeof(k)), sizeof(k));
	KUNIT_EXPECT_EQ(test, k[0], 0);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 0U);
	fail_nth_write(1);
	KUNIT_EXPECT_EQ(test, strncpy_from_user(k, user, sizeof(k)), (long)-EFAULT);
	/* get_user is not an injection point, as in the kernel. */
	fail_nth_write(1);
	char c = 0;
	KUNIT_EXPECT_EQ(test, get_user(c, user), 0);
	KUNIT_EXPECT_EQ(test, c, '0');
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 1U);
	fail_nth_write(0);
}

/* Tripwire: user copies may fault, and so sleep: not under a spinlock. */
static void ua_copy_in_atomic(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	char user[8] = "1234567", k[8];

	unsigned long left = 1;

	spin_lock(&lock);
	KUNIT_EXPECT_HARNESS_FAILURE(test, left = copy_from_user(k, user, sizeof(k)));
	KUNIT_EXPECT_EQ(test, left, 0UL);
	KUNIT_EXPECT_HARNESS_FAILURE(test, left = copy_to_user(user, k, sizeof(k)));
	KUNIT_EXPECT_EQ(test, left, 0UL);
	spin_unlock(&lock);
}

/*
 * A fault outside any user copy must still be fatal: the handler chains to
 * the previous one (ASan's, or the default action).
 */
static void ua_real_fault_still_fatal(struct kunit *test)
{
	char k[8];
	pid_t pid;
	int status;

	/* Make sure the handler is installed before forking. */
	KUNIT_EXPECT_EQ(test, copy_from_user(k, (void *)8, 8), 8UL);
	pid = fork();
	KUNIT_ASSERT_GE(test, pid, 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		/* Through a volatile, so the compiler cannot see the bad address. */
		volatile uintptr_t bad = 8;

		dup2(devnull, 2);
		*(volatile int *)bad = 1;
		child_exit(0);
	}
	KUNIT_ASSERT_EQ(test, waitpid(pid, &status, 0), pid);
	KUNIT_EXPECT_FALSE(test, WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void ua_threads(struct kunit *test)
{
	char *p = map_with_bad_tail(test, 2, 1, 0);
	std::vector<std::thread> threads;
	std::atomic<int> wrong{0};

	for (int t = 0; t < 4; t++)
		threads.emplace_back([&, t] {
			char k[64];

			for (int i = 0; i < 2000; i++) {
				size_t off = 8 + (i + t) % 32;

				if (copy_from_user(k, p + PAGE_SIZE - off, 48) != 48 - off)
					wrong++;
				if (copy_from_user(k, p, 48))
					wrong++;
			}
		});
	for (auto &t : threads)
		t.join();
	KUNIT_EXPECT_EQ(test, wrong.load(), 0);
	unmap_all(p, 1);
}

/*
 * Another process's memory: a child maps a buffer (and a read-only page)
 * and waits; current->mm is pointed at it for the copies.
 */
struct child_mem {
	unsigned long rw;
	unsigned long ro;
};

static pid_t spawn_child(struct kunit *test, struct child_mem *mem, int *release_fd)
{
	int to_parent[2], to_child[2];
	pid_t pid;

	KUNIT_ASSERT_EQ(test, pipe(to_parent), 0);
	KUNIT_ASSERT_EQ(test, pipe(to_child), 0);
	pid = fork();
	KUNIT_ASSERT_GE(test, pid, 0);
	if (pid == 0) {
		char *m = (char *)mmap(NULL, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct child_mem cm;
		char c;

		memset(m, 'c', 2 * PAGE_SIZE);
		mprotect(m + PAGE_SIZE, PAGE_SIZE, PROT_READ);
		munmap(m + 2 * PAGE_SIZE, PAGE_SIZE);
		cm.rw = (unsigned long)m;
		cm.ro = (unsigned long)m + PAGE_SIZE;
		if (write(to_parent[1], &cm, sizeof(cm)) != sizeof(cm))
			child_exit(1);
		/* Wait for the parent, then report the first bytes back. */
		if (read(to_child[0], &c, 1) != 1)
			child_exit(1);
		child_exit(m[0] == 'P' ? 0 : 2);
	}
	close(to_parent[1]);
	close(to_child[0]);
	KUNIT_ASSERT_EQ(test, read(to_parent[0], mem, sizeof(*mem)), (ssize_t)sizeof(*mem));
	close(to_parent[0]);
	*release_fd = to_child[1];
	return pid;
}

static void ua_remote_mm(struct kunit *test)
{
	struct child_mem mem;
	int release_fd, status;
	pid_t pid = spawn_child(test, &mem, &release_fd);
	struct mm_struct *mm = harness_mm_of_pid(pid), *saved = current->mm;
	char k[32];
	unsigned long left;

	KUNIT_EXPECT_FALSE(test, mm->local);
	current->mm = mm;
	left = copy_from_user(k, (void *)mem.rw, sizeof(k));
	if (left == sizeof(k)) {
		/* No ptrace permission here (e.g. a locked-down container). */
		current->mm = saved;
		mmput(mm);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(release_fd);
		kunit_skip(test, "process_vm_readv not permitted");
	}
	KUNIT_EXPECT_EQ(test, left, 0UL);
	KUNIT_EXPECT_EQ(test, k[0], 'c');
	KUNIT_EXPECT_EQ(test, copy_to_user((void *)mem.rw, "P", 1), 0UL);
	/* Page-exact short copies across into the read-only and unmapped pages. */
	KUNIT_EXPECT_EQ(test, copy_from_user(k, (void *)(mem.ro + PAGE_SIZE - 8), 16), 8UL);
	KUNIT_EXPECT_EQ(test, copy_to_user((void *)(mem.ro - 8), k, 16), 8UL);
	KUNIT_EXPECT_EQ(test, copy_struct_from_user(&k, 8, (void *)(mem.ro + PAGE_SIZE - 8), 16),
			-EFAULT);
	current->mm = saved;
	mmput(mm);

	KUNIT_EXPECT_EQ(test, write(release_fd, "x", 1), 1);
	close(release_fd);
	KUNIT_ASSERT_EQ(test, waitpid(pid, &status, 0), pid);
	KUNIT_EXPECT_TRUE(test, WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static struct kunit_case ua_cases[] = {
	KUNIT_CASE(ua_roundtrip),
	KUNIT_CASE(ua_unmapped),
	KUNIT_CASE(ua_prot_none),
	KUNIT_CASE(ua_prot_read),
	KUNIT_CASE(ua_access_ok),
	KUNIT_CASE(ua_get_put_user),
	KUNIT_CASE(ua_copy_struct_from_user),
	KUNIT_CASE(ua_copy_struct_to_user),
	KUNIT_CASE(ua_check_zeroed_and_clear),
	KUNIT_CASE(ua_strings),
	KUNIT_CASE(ua_memdup_user),
	KUNIT_CASE(ua_fail_usercopy),
	KUNIT_CASE(ua_copy_in_atomic),
	KUNIT_CASE(ua_real_fault_still_fatal),
	KUNIT_CASE(ua_threads),
	KUNIT_CASE(ua_remote_mm),
	{}
};

static struct kunit_suite ua_suite = {
	.name = "harness-uaccess",
	.test_cases = ua_cases,
};
kunit_test_suite(ua_suite);
