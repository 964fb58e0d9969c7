// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks, address spaces, users, limits, and the pinning API.
 *
 * The main thread's task is the group leader and lives as long as the
 * process; other threads get a thread-local task on first use of
 * `current`. After fork() the child's forking thread becomes its leader
 * with fresh ids and fail_nth cleared (the kernel clears it in
 * dup_task_struct()), and the local mm takes the child's pid.
 *
 * Pinning validates like mm/gup.c (flag checks, rounding, overflow and
 * TASK_SIZE checks, in that order), probes the pages (uaccess.cc), and
 * has fake physical memory create or reference the struct pages
 * (physmem.cc).
 */
#include "harness/mm.h"

#include "harness/bug.h"
#include "harness/physmem.h"
#include "harness/testhooks.h"
#include "harness/uaccess.h"
#include "harness/server/self_pid.h"
#include "ledger.h"
#include "memory_internal.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <unordered_map>

/* ---- users ---- */

struct user_registry {
	std::mutex lock;
	std::unordered_map<uid_t, struct user_struct *> users;
	struct user_struct local;
};

static user_registry &users(void)
{
	static user_registry *const r = [] {
		user_registry *reg = new user_registry();

		refcount_set(&reg->local.__count, 1);	/* never dropped */
		atomic_long_set(&reg->local.locked_vm, 0);
		reg->local.uid = getuid();
		reg->users[reg->local.uid] = &reg->local;
		return reg;
	}();
	return *r;
}

struct user_struct *get_uid(struct user_struct *u)
{
	refcount_inc(&u->__count);
	return u;
}

void free_uid(struct user_struct *u)
{
	user_registry &r = users();

	if (!u)
		return;
	std::lock_guard<std::mutex> g(r.lock);
	if (!refcount_dec_and_test(&u->__count))
		return;
	if (u == &r.local) {
		harness_report_failure(__FILE__, __LINE__,
				       "free_uid: dropped the last reference of the process's user");
		refcount_set(&u->__count, 1);
		return;
	}
	r.users.erase(u->uid);
	delete u;
}

struct user_struct *harness_find_user(uid_t uid)
{
	user_registry &r = users();
	std::lock_guard<std::mutex> g(r.lock);
	auto it = r.users.find(uid);

	if (it != r.users.end())
		return get_uid(it->second);
	struct user_struct *u = new user_struct();
	refcount_set(&u->__count, 1);
	atomic_long_set(&u->locked_vm, 0);
	u->uid = uid;
	r.users[uid] = u;
	return u;
}

struct user_struct *current_user(void) { return current->user; }

/* ---- address spaces ---- */

static void mm_init(struct mm_struct *mm, pid_t pid, bool local, struct user_struct *user)
{
	mm->pid = pid;
	mm->local = local;
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	atomic64_set(&mm->pinned_vm, 0);
	mm->locked_vm = 0;
	mm->user = user;
	mm->maps_gen_addr = 0;
	init_rwsem(&mm->mmap_lock);
}

struct mm_struct *harness_local_mm(void)
{
	static struct mm_struct *const mm = [] {
		struct mm_struct *m = new mm_struct();
		user_registry &r = users();

		mm_init(m, getpid(), true, get_uid(&r.local));
		return m;
	}();
	return mm;
}

struct mm_struct *harness_mm_of_pid(pid_t pid)
{
	char path[32];
	struct stat st;
	struct mm_struct *mm;

	if (pid == getpid()) {
		mm = harness_local_mm();
		mmget(mm);
		return mm;
	}
	snprintf(path, sizeof(path), "/proc/%d", pid);
	mm = new mm_struct();
	mm_init(mm, pid, false, harness_find_user(stat(path, &st) ? (uid_t)-1 : st.st_uid));
	return mm;
}

void mmgrab(struct mm_struct *mm) { atomic_inc(&mm->mm_count); }

void mmdrop(struct mm_struct *mm)
{
	int left = atomic_dec_return(&mm->mm_count);

	if (left > 0)
		return;
	if (left < 0 || mm == harness_local_mm()) {
		harness_report_failure(__FILE__, __LINE__,
				       "mmdrop: mm of pid %d dropped below its last reference",
				       mm->pid);
		atomic_set(&mm->mm_count, 1);
		return;
	}
	free_uid(mm->user);
	delete mm;
}

bool mmget_not_zero(struct mm_struct *mm) { return atomic_inc_not_zero(&mm->mm_users); }

void mmget(struct mm_struct *mm) { atomic_inc(&mm->mm_users); }

void mmput(struct mm_struct *mm)
{
	int left = atomic_dec_return(&mm->mm_users);

	if (left < 0) {
		harness_report_failure(__FILE__, __LINE__,
				       "mmput: mm of pid %d put more than it was got", mm->pid);
		atomic_set(&mm->mm_users, 0);
		return;
	}
	if (!left)
		mmdrop(mm);
}

/* ---- tasks ---- */

thread_local struct task_struct *__current_task;

static void task_init(struct task_struct *t, pid_t tid, struct task_struct *leader)
{
	t->pid = tid;
	t->tgid = getpid();
	if (prctl(PR_GET_NAME, t->comm) || !t->comm[0])
		snprintf(t->comm, sizeof(t->comm), "task-%d", tid);
	t->mm = harness_local_mm();
	t->prev_mm = nullptr;
	t->group_leader = leader ? leader : t;
	t->user = &users().local;
	t->fail_nth = 0;
	t->make_it_fail = 0;
	refcount_set(&t->usage, 1);
}

static struct task_struct *leader_task(void)
{
	static struct task_struct *const leader = [] {
		struct task_struct *t = new task_struct();

		task_init(t, getpid(), nullptr);
		return t;
	}();
	return leader;
}

/* Clears `current` when its thread goes, so a late use rebuilds rather than dangles. */
struct thread_task {
	struct task_struct task;
	~thread_task()
	{
		if (__current_task == &task)
			__current_task = nullptr;
	}
};

struct task_struct *__harness_init_current(void)
{
	static thread_local thread_task tls;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	struct task_struct *t;

	if (tid == getpid()) {
		t = leader_task();
	} else {
		t = &tls.task;
		task_init(t, tid, leader_task());
	}
	__current_task = t;
	return t;
}

static void atfork_child(void)
{
	struct task_struct *leader = leader_task();
	pid_t pid = getpid();

	leader->pid = leader->tgid = pid;
	leader->fail_nth = 0;
	leader->mm = harness_local_mm();
	harness_local_mm()->pid = pid;
	__current_task = leader;
}

__attribute__((constructor)) static void register_atfork(void)
{
	pthread_atfork(nullptr, nullptr, atfork_child);
}

void kthread_use_mm(struct mm_struct *mm)
{
	struct task_struct *t = current;

	if (WARN_ON(t->prev_mm))
		return;
	mmgrab(mm);
	t->prev_mm = t->mm;
	t->mm = mm;
}

void kthread_unuse_mm(struct mm_struct *mm)
{
	struct task_struct *t = current;

	if (WARN_ON(t->mm != mm || !t->prev_mm))
		return;
	t->mm = t->prev_mm;
	t->prev_mm = nullptr;
	mmdrop(mm);
}

/* ---- limits and capabilities ---- */

#define NR_RLIMITS 16
#define NR_CAPS 64

static std::atomic<bool> rlimit_overridden[NR_RLIMITS];
static std::atomic<unsigned long> rlimit_value[NR_RLIMITS];
/* Zero (the static initial value) means no override, so order of init is moot. */
enum cap_setting : u8 { CAP_REAL, CAP_FORCE_NO, CAP_FORCE_YES };
static std::atomic<u8> cap_override[NR_CAPS];

static unsigned long host_rlimit(pid_t pid, unsigned int resource)
{
	struct rlimit rl;

	if (prlimit(pid, (enum __rlimit_resource)resource, nullptr, &rl))
		return RLIM_INFINITY;
	return rl.rlim_cur;
}

unsigned long rlimit(unsigned int resource)
{
	return task_rlimit(current, resource);
}

unsigned long task_rlimit(struct task_struct *task, unsigned int resource)
{
	if (resource >= NR_RLIMITS)
		return RLIM_INFINITY;
	if (task->tgid == self_pid()) {
		if (rlimit_overridden[resource].load())
			return rlimit_value[resource].load();
		return host_rlimit(0, resource);
	}
	return host_rlimit(task->tgid, resource);
}

void harness_set_rlimit(unsigned int resource, unsigned long value)
{
	if (WARN_ON(resource >= NR_RLIMITS))
		return;
	rlimit_value[resource] = value;
	rlimit_overridden[resource] = true;
}

void harness_clear_rlimit(unsigned int resource)
{
	if (!WARN_ON(resource >= NR_RLIMITS))
		rlimit_overridden[resource] = false;
}

static bool host_capable(int cap)
{
	/*
	 * current's credentials: a server acting for a client task
	 * (harness/server) asks about that task, not about itself.
	 */
	pid_t pid = current->tgid == self_pid() ? 0 : current->pid;
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, pid};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

bool capable(int cap)
{
	if (cap < 0 || cap >= NR_CAPS)
		return false;
	switch (cap_override[cap].load()) {
	case CAP_FORCE_NO:
		return false;
	case CAP_FORCE_YES:
		return true;
	default:
		return host_capable(cap);
	}
}

void harness_set_capable(int cap, bool value)
{
	if (!WARN_ON(cap < 0 || cap >= NR_CAPS))
		cap_override[cap] = value ? CAP_FORCE_YES : CAP_FORCE_NO;
}

void harness_clear_capable(int cap)
{
	if (!WARN_ON(cap < 0 || cap >= NR_CAPS))
		cap_override[cap] = CAP_REAL;
}

int __account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc,
			struct task_struct *task, bool bypass_rlim)
{
	unsigned long locked_vm, limit;
	int ret = 0;

	mmap_assert_write_locked(mm);
	locked_vm = mm->locked_vm;
	if (inc) {
		if (!bypass_rlim) {
			limit = task_rlimit(task, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
			if (locked_vm + pages > limit)
				ret = -ENOMEM;
		}
		if (!ret)
			mm->locked_vm = locked_vm + pages;
	} else {
		WARN_ON(pages > locked_vm);
		mm->locked_vm = locked_vm - min(pages, locked_vm);
	}
	return ret;
}

int account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc)
{
	int ret;

	if (!pages || !mm)
		return 0;
	mmap_write_lock(mm);
	ret = __account_locked_vm(mm, pages, inc, current, capable(CAP_IPC_LOCK));
	mmap_write_unlock(mm);
	return ret;
}

/* ---- pinning ---- */

/*
 * is_valid_gup_args(): internal flags from outside and impossible
 * combinations are caller bugs, reported as WARNs.
 */
static bool valid_gup_args(struct page **pages, int *locked, unsigned int gup_flags,
			   bool pin)
{
	const unsigned int supported = FOLL_WRITE | FOLL_LONGTERM | FOLL_NOFAULT;

	if (WARN_ON(gup_flags & (FOLL_PIN | FOLL_GET)))
		return false;
	if (gup_flags & FOLL_FORCE) {
		harness_report_failure(__FILE__, __LINE__, "gup: FOLL_FORCE is not modelled");
		return false;
	}
	if (WARN_ON(gup_flags & ~supported))
		return false;
	if (WARN_ON(locked && *locked != 1))
		return false;
	if (WARN_ON(!pin && (gup_flags & FOLL_LONGTERM)))
		return false;
	if (WARN_ON(!pages))
		return false;
	return true;
}

static long gup_range(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
		      unsigned int gup_flags, struct page **pages, bool pin, void *caller)
{
	unsigned long len, end, n, got;

	if (!nr_pages)
		return 0;
	start &= PAGE_MASK;
	if (nr_pages > (~0UL >> PAGE_SHIFT))
		return -EOVERFLOW;
	len = nr_pages << PAGE_SHIFT;
	if (check_add_overflow(start, len, &end))
		return -EOVERFLOW;
	if (end > TASK_SIZE_MAX)
		return -EFAULT;
	n = mm_probe_pages(mm, start, nr_pages, gup_flags & FOLL_WRITE);
	if (!n)
		return -EFAULT;
	got = physmem_get_user_pages(mm, start, n, pin, pages, caller);
	return got ? (long)got : -ENOMEM;
}

static long gup_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
		     struct page **pages, bool pin, void *caller)
{
	struct mm_struct *mm = current->mm;
	long rc;

	if (!valid_gup_args(pages, nullptr, gup_flags, pin))
		return -EINVAL;
	if (nr_pages <= 0)
		return 0;
	if (!mm)
		return -EFAULT;
	mmap_read_lock(mm);
	rc = gup_range(mm, start, nr_pages, gup_flags, pages, pin, caller);
	mmap_read_unlock(mm);
	return rc;
}

long pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			 struct page **pages)
{
	return gup_fast(start, nr_pages, gup_flags, pages, true, __builtin_return_address(0));
}

long get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			 struct page **pages)
{
	return gup_fast(start, nr_pages, gup_flags, pages, false, __builtin_return_address(0));
}

long pin_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages)
{
	struct mm_struct *mm = current->mm;

	/* The kernel returns 0, not an errno, for bad arguments here. */
	if (!valid_gup_args(pages, nullptr, gup_flags, true))
		return 0;
	if (!mm)
		return -EFAULT;
	mmap_assert_locked(mm);
	return gup_range(mm, start, nr_pages, gup_flags, pages, true,
			 __builtin_return_address(0));
}

long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked)
{
	if (!valid_gup_args(pages, locked, gup_flags, true))
		return 0;
	mmap_assert_locked(mm);
	return gup_range(mm, start, nr_pages, gup_flags, pages, true,
			 __builtin_return_address(0));
}

void unpin_user_page(struct page *page)
{
	physmem_put_user_page(page, true, false, __builtin_return_address(0));
}

void unpin_user_pages(struct page **pages, unsigned long npages)
{
	physmem_put_user_pages(pages, npages, true, false, __builtin_return_address(0));
}

void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty)
{
	physmem_put_user_pages(pages, npages, true, make_dirty, __builtin_return_address(0));
}

void unpin_user_page_range_dirty_lock(struct page *page, unsigned long npages,
				      bool make_dirty)
{
	physmem_unpin_user_page_range(page, npages, make_dirty, __builtin_return_address(0));
}
