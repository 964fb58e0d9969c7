// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of tasks, address spaces, limits and pinning: pin counts on
 * the same page, partial pins, -EFAULT for unmapped/PROT_NONE and for
 * FOLL_WRITE on read-only memory, misuse (internal flags, unpin of an
 * unpinned page) reported, leaked pins caught by the leak check,
 * RLIMIT_MEMLOCK accounting, and pinning another process's memory.
 */
#include "harness/mm.h"

#include "harness/fault_inject.h"
#include "harness/physmem.h"
#include "harness/sched.h"
#include "harness/slab.h"
#include "harness/uaccess.h"

#include "kunit.h"
#include "user_mem.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

static char *map_pages(struct kunit *test, int npages)
{
	char *p = map_user_pages(npages);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

static void mm_current_task(struct kunit *test)
{
	struct task_struct *me = current;
	struct task_struct *other_task = NULL;
	pid_t other_tid = 0, other_tgid = 0;
	struct mm_struct *other_leader_mm = NULL;

	KUNIT_EXPECT_EQ(test, me->tgid, getpid());
	KUNIT_EXPECT_EQ(test, me->pid, (pid_t)syscall(SYS_gettid));
	KUNIT_EXPECT_PTR_EQ(test, me->mm, harness_local_mm());
	KUNIT_EXPECT_TRUE(test, me->mm->local);
	KUNIT_EXPECT_EQ(test, current_user()->uid, getuid());
	std::thread t([&] {
		other_task = current;
		other_tid = current->pid;
		other_tgid = current->tgid;
		other_leader_mm = current->group_leader->mm;
	});
	t.join();
	KUNIT_EXPECT_PTR_EQ(test, other_leader_mm, harness_local_mm());
	KUNIT_EXPECT_PTR_NE(test, other_task, me);
	KUNIT_EXPECT_NE(test, other_tid, me->pid);
	KUNIT_EXPECT_EQ(test, other_tgid, me->tgid);

	/* get/put balance; an extra put is caught. */
	put_task_struct(get_task_struct(current));
	KUNIT_EXPECT_HARNESS_FAILURE(test, put_task_struct(current));
	refcount_set(&me->usage, 1);
}

/* In a forked child, current and the local mm describe the child. */
static void mm_fork_child_identity(struct kunit *test)
{
	pid_t parent = getpid();
	int status;

	fail_nth_write(5);
	pid_t pid = fork();
	KUNIT_ASSERT_GE(test, pid, 0);
	if (pid == 0) {
		bool ok = current->pid == getpid() && current->tgid == getpid() &&
			  current->tgid != parent && harness_local_mm()->pid == getpid() &&
			  current->fail_nth == 0;
		child_exit(ok ? 0 : 1);
	}
	fail_nth_write(0);
	KUNIT_ASSERT_EQ(test, waitpid(pid, &status, 0), pid);
	KUNIT_EXPECT_TRUE(test, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	KUNIT_EXPECT_EQ(test, harness_local_mm()->pid, parent);
}

static void mm_refcounts_and_users(struct kunit *test)
{
	struct mm_struct *mm = harness_mm_of_pid(getpid());
	struct user_struct *u1, *u2;

	KUNIT_EXPECT_PTR_EQ(test, mm, harness_local_mm());
	KUNIT_EXPECT_TRUE(test, mmget_not_zero(mm));
	mmput(mm);
	mmput(mm);
	mmgrab(mm);
	mmdrop(mm);
	/* Tripwire: dropping the local mm's last reference. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, mmdrop(mm));

	u1 = harness_find_user(54321);
	u2 = harness_find_user(54321);
	KUNIT_EXPECT_PTR_EQ(test, u1, u2);
	KUNIT_EXPECT_EQ(test, u1->uid, (uid_t)54321);
	free_uid(u2);
	free_uid(get_uid(u1));
	free_uid(u1);
	KUNIT_EXPECT_PTR_EQ(test, harness_find_user(getuid()), current_user());
	free_uid(current_user());
}

static void mm_kthread_use_mm(struct kunit *test)
{
	struct mm_struct *local = current->mm;
	struct mm_struct *other = harness_mm_of_pid(getppid());

	kthread_use_mm(other);
	KUNIT_EXPECT_PTR_EQ(test, current->mm, other);
	kthread_unuse_mm(other);
	KUNIT_EXPECT_PTR_EQ(test, current->mm, local);
	/* Tripwire: unuse of an mm that is not in use. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, kthread_unuse_mm(other));
	mmput(other);
}

static void mm_pin_basic(struct kunit *test)
{
	unsigned long base = physmem_nr_pages(PAGE_KIND_USER);
	char *p = map_pages(test, 4);
	struct page *pages[4];

	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)p, 4,
						  FOLL_WRITE | FOLL_LONGTERM, pages), 4L);
	KUNIT_EXPECT_EQ(test, physmem_nr_pages(PAGE_KIND_USER), base + 4);
	for (int i = 0; i < 4; i++) {
		KUNIT_EXPECT_TRUE(test, page_maybe_dma_pinned(pages[i]));
		KUNIT_EXPECT_EQ(test, atomic_read(&pages[i]->_pincount), 1);
		KUNIT_EXPECT_EQ(test, page_ref_count(pages[i]), (int)GUP_PIN_COUNTING_BIAS);
		KUNIT_EXPECT_GE(test, page_to_pfn(pages[i]), PHYSMEM_FIRST_PFN);
		KUNIT_EXPECT_PTR_EQ(test, pfn_to_page(page_to_pfn(pages[i])), pages[i]);
		KUNIT_EXPECT_PTR_EQ(test, page_address(pages[i]), (void *)(p + i * PAGE_SIZE));
		for (int j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, page_to_pfn(pages[i]), page_to_pfn(pages[j]));
	}
	/* An unaligned start pins from its page. */
	struct page *again;
	KUNIT_EXPECT_EQ(test, pin_user_pages_fast((unsigned long)p + 100, 1, 0, &again), 1L);
	KUNIT_EXPECT_PTR_EQ(test, again, pages[0]);
	unpin_user_page(again);
	unpin_user_pages(pages, 4);
	KUNIT_EXPECT_EQ(test, physmem_nr_pages(PAGE_KIND_USER), base);
	KUNIT_EXPECT_FALSE(test, pfn_valid(page_to_pfn(pages[0])));
	munmap(p, 4 * PAGE_SIZE);
}

/* Tripwire: the same user page pinned twice is one struct page, pincount 2. */
static void mm_pin_twice(struct kunit *test)
{
	char *p = map_pages(test, 1);
	struct page *a, *b, *g;

	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)p, 1, FOLL_WRITE, &a), 1L);
	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)p, 1, FOLL_LONGTERM, &b), 1L);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->_pincount), 2);
	KUNIT_EXPECT_EQ(test, page_ref_count(a), 2 * (int)GUP_PIN_COUNTING_BIAS);
	/* A plain reference sees the same page, as the mock driver's checks do. */
	KUNIT_ASSERT_EQ(test, get_user_pages_fast((unsigned long)p, 1, 0, &g), 1L);
	KUNIT_EXPECT_PTR_EQ(test, g, a);
	KUNIT_EXPECT_EQ(test, page_ref_count(a) / (int)GUP_PIN_COUNTING_BIAS, 2);
	put_page(g);
	unpin_user_page(a);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->_pincount), 1);
	unpin_user_page(b);
	KUNIT_EXPECT_FALSE(test, pfn_valid(page_to_pfn(a)));
	munmap(p, PAGE_SIZE);
}

/* Tripwire: pinning an unmapped range is -EFAULT. */
static void mm_pin_unmapped(struct kunit *test)
{
	char *p = map_pages(test, 3);
	struct page *pages[3];

	munmap(p, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pin_user_pages_fast((unsigned long)p, 3, FOLL_WRITE, pages),
			(long)-EFAULT);
	KUNIT_EXPECT_EQ(test, get_user_pages_fast((unsigned long)p, 1, 0, pages), (long)-EFAULT);
}

/* A hole after the first pages: a short pin, then -EFAULT from the hole. */
static void mm_pin_partial(struct kunit *test)
{
	char *p = map_pages(test, 3);
	struct page *pages[3];

	munmap(p + 2 * PAGE_SIZE, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)p, 3, FOLL_WRITE, pages), 2L);
	KUNIT_EXPECT_EQ(test, pin_user_pages_fast((unsigned long)p + 2 * PAGE_SIZE, 1,
						  FOLL_WRITE, pages + 2),
			(long)-EFAULT);
	unpin_user_pages_dirty_lock(pages, 2, true);
	munmap(p, 2 * PAGE_SIZE);
}

/* Tripwire: FOLL_WRITE on read-only memory is -EFAULT; a read pin works. */
static void mm_pin_write_on_readonly(struct kunit *test)
{
	char *p = map_pages(test, 2);
	struct page *pages[2];

	p[0] = 1;
	KUNIT_ASSERT_EQ(test, mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	KUNIT_EXPECT_EQ(test, pin_user_pages_fast((unsigned long)p + PAGE_SIZE, 1, FOLL_WRITE,
						  pages),
			(long)-EFAULT);
	KUNIT_EXPECT_EQ(test, pin_user_pages_fast((unsigned long)p, 2, FOLL_WRITE, pages), 1L);
	unpin_user_page(pages[0]);
	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)p + PAGE_SIZE, 1, 0, pages), 1L);
	unpin_user_page(pages[0]);
	/* The write probe changed nothing. */
	KUNIT_EXPECT_EQ(test, p[0], 1);

	KUNIT_ASSERT_EQ(test, mprotect(p, PAGE_SIZE, PROT_NONE), 0);
	KUNIT_EXPECT_EQ(test, pin_user_pages_fast((unsigned long)p, 1, 0, pages), (long)-EFAULT);
	munmap(p, 2 * PAGE_SIZE);
}

/* Tripwire: bad arguments are WARNs, as is_valid_gup_args() makes them. */
static void mm_pin_bad_args(struct kunit *test)
{
	char *p = map_pages(test, 1);
	struct page *pg;
	long rc = 0;

	KUNIT_EXPECT_HARNESS_FAILURE(test,
		rc = pin_user_pages_fast((unsigned long)p, 1, FOLL_PIN | FOLL_WRITE, &pg));
	KUNIT_EXPECT_EQ(test, rc, (long)-EINVAL);
	KUNIT_EXPECT_HARNESS_FAILURE(test,
		rc = get_user_pages_fast((unsigned long)p, 1, FOLL_LONGTERM, &pg));
	KUNIT_EXPECT_EQ(test, rc, (long)-EINVAL);
	KUNIT_EXPECT_HARNESS_FAILURE(test,
		rc = pin_user_pages_fast((unsigned long)p, 1, FOLL_WRITE, NULL));
	KUNIT_EXPECT_EQ(test, rc, (long)-EINVAL);
	/* pin_user_pages() reports bad flags as 0 pages, as the kernel does. */
	mmap_read_lock(current->mm);
	KUNIT_EXPECT_HARNESS_FAILURE(test,
		rc = pin_user_pages((unsigned long)p, 1, FOLL_GET, &pg));
	mmap_read_unlock(current->mm);
	KUNIT_EXPECT_EQ(test, rc, 0L);

	KUNIT_EXPECT_EQ(test, pin_user_pages_fast((unsigned long)p, 0, 0, &pg), 0L);
	KUNIT_EXPECT_EQ(test, pin_user_pages_fast(TASK_SIZE_MAX - PAGE_SIZE, 2, 0, &pg),
			(long)-EFAULT);
	KUNIT_EXPECT_EQ(test, pin_user_pages_fast(~0UL & PAGE_MASK, 2, 0, &pg),
			(long)-EOVERFLOW);
	munmap(p, PAGE_SIZE);
}

/* Tripwire: unpinning what is not pinned is reported, not a corruption. */
static void mm_unpin_unpinned(struct kunit *test)
{
	char *p = map_pages(test, 1);
	struct page *pg, *ref;
	struct page *kpage = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)p, 1, 0, &pg), 1L);
	KUNIT_ASSERT_EQ(test, get_user_pages_fast((unsigned long)p, 1, 0, &ref), 1L);
	unpin_user_page(pg);
	/* Still alive through the plain reference, but no longer pinned. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, unpin_user_page(pg));
	put_page(ref);
	/* Now freed: both a further unpin and put are reported. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, unpin_user_page(pg));
	KUNIT_EXPECT_HARNESS_FAILURE(test, put_page(pg));
	KUNIT_EXPECT_HARNESS_FAILURE(test, unpin_user_page(kpage));
	__free_page(kpage);
	munmap(p, PAGE_SIZE);
}

/* Tripwire: a pin never released is a leak of the test. */
static void mm_leaked_pin_detected(struct kunit *test)
{
	char *p = map_pages(test, 2);
	struct page *pages[2];
	u64 mark = kmem_leak_mark();

	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)p, 2, FOLL_WRITE, pages), 2L);
	KUNIT_EXPECT_EQ(test, kmem_leak_report(mark), 2UL);
	unpin_user_pages(pages, 2);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0UL);
	munmap(p, 2 * PAGE_SIZE);
}

/* iommufd unpins batches by pfn range; consecutive pins get consecutive pfns. */
static void mm_unpin_range_by_pfn(struct kunit *test)
{
	char *p = map_pages(test, 8);
	struct page *pages[8];

	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)p, 8, FOLL_WRITE, pages), 8L);
	unsigned long run = 1;
	for (int i = 1; i < 8 && page_to_pfn(pages[i]) == page_to_pfn(pages[0]) + i; i++)
		run++;
	KUNIT_EXPECT_PTR_EQ(test, nth_page(pages[0], run - 1), pages[run - 1]);
	unpin_user_page_range_dirty_lock(pages[0], run, true);
	for (unsigned long i = run; i < 8; i++)
		unpin_user_page(pages[i]);
	KUNIT_EXPECT_FALSE(test, pfn_valid(page_to_pfn(pages[0])));
	munmap(p, 8 * PAGE_SIZE);
}

static void mm_limits(struct kunit *test)
{
	struct rlimit rl;

	getrlimit(RLIMIT_MEMLOCK, &rl);
	KUNIT_EXPECT_EQ(test, rlimit(RLIMIT_MEMLOCK), (unsigned long)rl.rlim_cur);
	harness_set_rlimit(RLIMIT_MEMLOCK, 12345);
	KUNIT_EXPECT_EQ(test, rlimit(RLIMIT_MEMLOCK), 12345UL);
	KUNIT_EXPECT_EQ(test, task_rlimit(current->group_leader, RLIMIT_MEMLOCK), 12345UL);
	harness_clear_rlimit(RLIMIT_MEMLOCK);
	KUNIT_EXPECT_EQ(test, rlimit(RLIMIT_MEMLOCK), (unsigned long)rl.rlim_cur);

	harness_set_capable(CAP_IPC_LOCK, false);
	KUNIT_EXPECT_FALSE(test, capable(CAP_IPC_LOCK));
	harness_set_capable(CAP_IPC_LOCK, true);
	KUNIT_EXPECT_TRUE(test, capable(CAP_IPC_LOCK));
	harness_clear_capable(CAP_IPC_LOCK);
	KUNIT_EXPECT_FALSE(test, capable(-1));
}

/* Tripwire: RLIMIT_MEMLOCK exceeded is -ENOMEM unless CAP_IPC_LOCK. */
static void mm_account_locked_vm(struct kunit *test)
{
	struct mm_struct *mm = current->mm;
	unsigned long before = mm->locked_vm;

	harness_set_capable(CAP_IPC_LOCK, false);
	harness_set_rlimit(RLIMIT_MEMLOCK, (before + 4) * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, account_locked_vm(mm, 3, true), 0);
	KUNIT_EXPECT_EQ(test, mm->locked_vm, before + 3);
	KUNIT_EXPECT_EQ(test, account_locked_vm(mm, 2, true), -ENOMEM);
	KUNIT_EXPECT_EQ(test, mm->locked_vm, before + 3);
	KUNIT_EXPECT_EQ(test, account_locked_vm(mm, 1, true), 0);
	KUNIT_EXPECT_EQ(test, account_locked_vm(mm, 0, true), 0);

	harness_set_capable(CAP_IPC_LOCK, true);
	KUNIT_EXPECT_EQ(test, account_locked_vm(mm, 100, true), 0);
	KUNIT_EXPECT_EQ(test, account_locked_vm(mm, 104, false), 0);
	KUNIT_EXPECT_EQ(test, mm->locked_vm, before);

	/* Tripwire: uncharging more than was charged. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, account_locked_vm(mm, before + 1, false));
	mm->locked_vm = before;
	/* The unlocked variant insists on mmap_lock held for write. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, __account_locked_vm(mm, 1, true, current, true));
	mm->locked_vm = before;

	harness_clear_capable(CAP_IPC_LOCK);
	harness_clear_rlimit(RLIMIT_MEMLOCK);
}

/* Pinning another process's pages, as a server acting for a client would. */
static void mm_pin_remote(struct kunit *test)
{
	int to_parent[2], to_child[2], status;
	unsigned long addr;
	pid_t pid;

	KUNIT_ASSERT_EQ(test, pipe(to_parent), 0);
	KUNIT_ASSERT_EQ(test, pipe(to_child), 0);
	pid = fork();
	KUNIT_ASSERT_GE(test, pid, 0);
	if (pid == 0) {
		char *m = (char *)mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned long a = (unsigned long)m;
		char c;

		memset(m, 'r', 2 * PAGE_SIZE);
		mprotect(m + PAGE_SIZE, PAGE_SIZE, PROT_READ);
		if (write(to_parent[1], &a, sizeof(a)) != sizeof(a) ||
		    read(to_child[0], &c, 1) != 1)
			child_exit(1);
		child_exit(m[1] == 'W' ? 0 : 2);
	}
	close(to_parent[1]);
	close(to_child[0]);
	KUNIT_ASSERT_EQ(test, read(to_parent[0], &addr, sizeof(addr)), (ssize_t)sizeof(addr));
	close(to_parent[0]);

	struct mm_struct *mm = harness_mm_of_pid(pid);
	struct page *pages[2];
	int locked = 1;
	long rc;

	mmap_read_lock(mm);
	KUNIT_EXPECT_EQ(test, pin_user_pages_remote(mm, addr + PAGE_SIZE, 1, FOLL_WRITE, pages,
						    &locked),
			(long)-EFAULT);
	rc = pin_user_pages_remote(mm, addr, 2, FOLL_WRITE | FOLL_LONGTERM, pages, &locked);
	mmap_read_unlock(mm);
	KUNIT_EXPECT_EQ(test, rc, 1L);
	if (rc == 1) {
		char buf[2] = {};

		/* The device side reads and writes the child's memory. */
		if (phys_read(page_to_phys(pages[0]), buf, 2) == -EFAULT) {
			unpin_user_page(pages[0]);
			mmput(mm);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			kunit_skip(test, "process_vm_readv not permitted");
		}
		KUNIT_EXPECT_EQ(test, buf[0], 'r');
		KUNIT_EXPECT_EQ(test, phys_write(page_to_phys(pages[0]) + 1, "W", 1), 0);
		KUNIT_EXPECT_PTR_EQ(test, pages[0]->mm, mm);
		/* Another process's page has no kernel address here. */
		KUNIT_EXPECT_HARNESS_FAILURE(test, page_address(pages[0]));
		unpin_user_page(pages[0]);
	}
	mmput(mm);
	KUNIT_EXPECT_EQ(test, write(to_child[1], "x", 1), 1);
	close(to_child[1]);
	KUNIT_ASSERT_EQ(test, waitpid(pid, &status, 0), pid);
	KUNIT_EXPECT_TRUE(test, WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static struct kunit_case mm_cases[] = {
	KUNIT_CASE(mm_current_task),
	KUNIT_CASE(mm_fork_child_identity),
	KUNIT_CASE(mm_refcounts_and_users),
	KUNIT_CASE(mm_kthread_use_mm),
	KUNIT_CASE(mm_pin_basic),
	KUNIT_CASE(mm_pin_twice),
	KUNIT_CASE(mm_pin_unmapped),
	KUNIT_CASE(mm_pin_partial),
	KUNIT_CASE(mm_pin_write_on_readonly),
	KUNIT_CASE(mm_pin_bad_args),
	KUNIT_CASE(mm_unpin_unpinned),
	KUNIT_CASE(mm_leaked_pin_detected),
	KUNIT_CASE(mm_unpin_range_by_pfn),
	KUNIT_CASE(mm_limits),
	KUNIT_CASE(mm_account_locked_vm),
	KUNIT_CASE(mm_pin_remote),
	{}
};

static struct kunit_suite mm_suite = {
	.name = "harness-mm",
	.test_cases = mm_cases,
};
kunit_test_suite(mm_suite);
