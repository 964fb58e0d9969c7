/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address spaces, users, resource limits and page pinning.
 *
 * struct mm_struct describes one user address space: the local one (this
 * process, accessed directly with fault-safe copies) or another process's
 * (accessed with process_vm_readv/writev, its layout read from
 * /proc/PID/maps), as when a server acts for a client.
 *
 * struct page is a fake page frame with a fake pfn (fake physical memory is
 * in physmem.h). Kernel pages come from alloc_pages(); user pages exist
 * while a pin or a reference is held on them, one struct page per (mm,
 * user page), so pinning the same page twice gives the same struct page
 * with a pin count of two and the same pfn. As in the kernel, a pin adds
 * GUP_PIN_COUNTING_BIAS to the page's reference count, a plain reference
 * (get_user_pages_fast) adds one.
 *
 * What a pin checks: the range is mapped with the right permission
 * (FOLL_WRITE needs write access; the probe is an atomic add of 0, which
 * faults exactly where a write would and changes nothing). What it cannot
 * do: keep the memory. The kernel keeps a pinned page alive after the user
 * unmaps it; here the page is the user's virtual page, so DMA to a pinned
 * page the user has since unmapped is lost (reads see zeroes) and noted on
 * stderr.
 *
 * RLIMIT_MEMLOCK and capable() read the real process's values unless a
 * test overrides them (tests run as root would otherwise never hit limits).
 */
#pragma once

#include "harness/compiler.h"
#include "harness/list.h"
#include "harness/refcount.h"
#include "harness/rwsem.h"
#include "harness/sched.h"

#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/types.h>

/* ---- users ---- */

struct user_struct {
	refcount_t __count;
	atomic_long_t locked_vm;	/* pages, for RLIMIT_MEMLOCK accounting */
	uid_t uid;
};

struct user_struct *get_uid(struct user_struct *u);
void free_uid(struct user_struct *u);
/* The user of current's credentials. */
struct user_struct *current_user(void);
/* The user_struct for a uid, with a reference the caller drops with free_uid(). */
struct user_struct *harness_find_user(uid_t uid);

/* ---- address spaces ---- */

struct mm_struct {
	pid_t pid;			/* the process whose memory this is */
	bool local;			/* that process is us */
	atomic_t mm_users;		/* mmget/mmput: the address space is alive */
	atomic_t mm_count;		/* mmgrab/mmdrop: the struct is alive */
	atomic64_t pinned_vm;		/* pages, maintained by pinning users */
	unsigned long locked_vm;	/* pages, under mmap_lock */
	struct user_struct *user;	/* owner's user */
	struct rw_semaphore mmap_lock;
	/*
	 * Where that process keeps its count of map changes (a u32, see
	 * harness_user_maps_generation()), so another process's request may
	 * still trust a cached copy of its map; 0 if unknown.
	 */
	unsigned long maps_gen_addr;
};

/* This process's address space (never freed). */
struct mm_struct *harness_local_mm(void);
/*
 * An address space of another process, holding one mm_users reference.
 * Its memory is accessed through process_vm_readv/writev, which needs
 * ptrace permission over pid.
 */
struct mm_struct *harness_mm_of_pid(pid_t pid);
/*
 * A server serving a client task (harness/server): the client's memory
 * map has not changed since @generation (the client counts its own
 * mmap/munmap/mprotect/mremap calls), so probes for pinning may reuse the
 * map read for that generation instead of reading /proc/PID/maps each
 * time. 0: unknown, read it every time. Per thread; set around a request.
 */
void harness_user_maps_generation(u64 generation);

void mmgrab(struct mm_struct *mm);
void mmdrop(struct mm_struct *mm);
/* Takes a users reference unless the address space is already gone. */
bool mmget_not_zero(struct mm_struct *mm);
void mmget(struct mm_struct *mm);
void mmput(struct mm_struct *mm);

static inline void mmap_read_lock(struct mm_struct *mm) { down_read(&mm->mmap_lock); }
static inline void mmap_read_unlock(struct mm_struct *mm) { up_read(&mm->mmap_lock); }
static inline void mmap_write_lock(struct mm_struct *mm) { down_write(&mm->mmap_lock); }
static inline void mmap_write_unlock(struct mm_struct *mm) { up_write(&mm->mmap_lock); }
static inline void mmap_assert_locked(struct mm_struct *mm) { lockdep_assert_held(&mm->mmap_lock); }
static inline void mmap_assert_write_locked(struct mm_struct *mm)
{
	lockdep_assert_held_write(&mm->mmap_lock);
}

/* Let a kernel thread work on mm (as a user's) until kthread_unuse_mm(). */
void kthread_use_mm(struct mm_struct *mm);
void kthread_unuse_mm(struct mm_struct *mm);

/* ---- limits and capabilities ---- */

/* Soft limit of resource for current's process (an override wins). */
unsigned long rlimit(unsigned int resource);
unsigned long task_rlimit(struct task_struct *task, unsigned int resource);
/* Tests: pretend the soft limit is value; harness_clear_rlimit() undoes it. */
void harness_set_rlimit(unsigned int resource, unsigned long value);
void harness_clear_rlimit(unsigned int resource);

bool capable(int cap);
/* Tests: force capable(cap) to value; harness_clear_capable() undoes it. */
void harness_set_capable(int cap, bool value);
void harness_clear_capable(int cap);

/*
 * RLIMIT_MEMLOCK accounting of mm->locked_vm, as mm/util.c: -ENOMEM when
 * an increment would pass the limit, unless bypass_rlim (capable
 * CAP_IPC_LOCK for account_locked_vm()).
 */
int __account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc,
			struct task_struct *task, bool bypass_rlim);
int account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc);

/* ---- pages and pinning ---- */

enum page_kind : u8 {
	PAGE_KIND_FREE,		/* no longer allocated: any use is reported */
	PAGE_KIND_KERNEL,	/* from alloc_pages(): host memory behind it */
	PAGE_KIND_USER,		/* a user page, pinned or referenced */
};

struct page {
	unsigned long pfn;		/* fake, never a host address */
	atomic_t _refcount;
	atomic_t _pincount;		/* user pages: FOLL_PIN pins */
	enum page_kind kind;
	u8 order;			/* head of an alloc_pages() block: its order */
	bool head;
	bool dirty;
	/* kernel: the host address of the page; user: the user address */
	void *virt;
	struct mm_struct *mm;		/* user pages: the address space */
	struct page *compound_head;	/* first page of the block (itself for order 0) */
	unsigned long priv;		/* page_private(): free for the page's owner */
	struct list_head lru;		/* free for the page's owner */
	/*
	 * User pages whose process has exited while they were still pinned
	 * (harness/server): a copy made at exit that now stands for the page,
	 * as the kernel would keep the page itself. NULL otherwise.
	 */
	void *kept;
};

#define GUP_PIN_COUNTING_BIAS (1U << 10)

/* gup_flags */
#define FOLL_WRITE	0x01	/* the pages will be written */
#define FOLL_GET	0x04	/* internal: take a reference */
#define FOLL_FORCE	0x10	/* not supported: reported */
#define FOLL_NOFAULT	0x80
#define FOLL_LONGTERM	0x100	/* the pin may last indefinitely */
#define FOLL_PIN	0x40000	/* internal: set by pin_user_pages*() */

/*
 * Pins nr_pages user pages of current->mm from start (rounded down to a
 * page). Returns how many were pinned, fewer when a later page is not
 * accessible, or -EFAULT when the first one is not; -EINVAL (and a WARN)
 * for internal flags such as FOLL_PIN passed in.
 */
long pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			 struct page **pages);
/* The same under mmap_read_lock(current->mm), held by the caller. */
long pin_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages);
/* The same for any mm; the caller holds mmap_read_lock(mm) and *locked == 1. */
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked);
/* Reference (not pin) user pages; drop with put_page(). */
long get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			 struct page **pages);

void unpin_user_page(struct page *page);
void unpin_user_pages(struct page **pages, unsigned long npages);
void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty);
/* Unpins npages consecutive struct pages from page (one folio's worth). */
void unpin_user_page_range_dirty_lock(struct page *page, unsigned long npages,
				      bool make_dirty);

void get_page(struct page *page);
void put_page(struct page *page);
static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}
static inline bool page_maybe_dma_pinned(const struct page *page)
{
	return atomic_read(&page->_pincount) > 0;
}
static inline struct page *compound_head(struct page *page) { return page->compound_head; }
static inline bool PageCompound(const struct page *page)
{
	return page->compound_head != page || page->order;
}
static inline unsigned long page_private(const struct page *page) { return page->priv; }
static inline void set_page_private(struct page *page, unsigned long v) { page->priv = v; }
static inline void set_page_dirty_lock(struct page *page) { page->dirty = true; }
static inline void SetPageDirty(struct page *page) { page->dirty = true; }

static inline unsigned long page_to_pfn(const struct page *page) { return page->pfn; }
static inline phys_addr_t page_to_phys(const struct page *page) { return PFN_PHYS(page->pfn); }
/* NULL for a pfn with no page behind it. */
struct page *pfn_to_page(unsigned long pfn);
static inline struct page *phys_to_page(phys_addr_t pa) { return pfn_to_page(PHYS_PFN(pa)); }
bool pfn_valid(unsigned long pfn);
/* By pfn: consecutive user pages need not be adjacent struct pages. */
#define nth_page(page, n) pfn_to_page(page_to_pfn(page) + (n))
