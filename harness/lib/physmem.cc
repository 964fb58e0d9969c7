// SPDX-License-Identifier: GPL-2.0
/*
 * Fake physical memory: the pfn space, kernel pages, user pages, the bus.
 *
 * State and its lock:
 *  - the state lock (a shared_mutex) serialises every change of a page's life:
 *    pfn allocation (a buddy allocator of std::sets per order), the
 *    pfn -> page table, the host address -> kernel page map, the
 *    (mm, user address) -> user page map and user page reference counts.
 *    Everything that changes a page's life holds it exclusive; bus
 *    accesses to user pages hold it shared.
 *  - The pfn table itself is three levels of atomics, so pfn_to_page() is
 *    a lock-free O(1) lookup.
 *  - Bus accesses to kernel pages (the tables hardware walks, queues) take
 *    no lock: they run inside a reader section (physmem_read_lock(), like
 *    rcu_read_lock()), and whoever frees a page first unpublishes its pfn,
 *    then waits for every section that may have looked it up to end
 *    (physmem_synchronize()), and only then recycles the struct page and
 *    returns the host memory. So a DMA racing with a free reads the page
 *    whole or gets a bus error, as under a lock, and an address with no
 *    page behind it is still a bus error.
 *  - The struct page pools have their own lock (the pool lock), because a
 *    struct page goes back to its pool only after a grace period, outside
 *    the state lock.
 * Lock order: the state lock, then the pool lock, then the ledger's shard
 * locks. Nothing waits for a grace period while holding either lock, and a
 * reader section never waits for the state lock unless it is already
 * inside the fallback to the locked path (user pages), so the two cannot
 * deadlock.
 *
 * struct pages are recycled through per-order pools and never returned to
 * the host: a stale struct page pointer then reads PAGE_KIND_FREE and the
 * misuse is reported, instead of being a use-after-free in the harness.
 */
#include "harness/physmem.h"

#include "harness/bug.h"
#include "harness/fault_inject.h"
#include "harness/testhooks.h"
#include "ledger.h"
#include "memory_internal.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#define POISON_INUSE 0x5a
#define POISON_FREE 0x6b

/*
 * Built on first use and never destroyed, so that allocations from other
 * translation units' static constructors and leak reports at exit work.
 */
struct user_key {
	struct mm_struct *mm;
	unsigned long va;
	bool operator==(const user_key &o) const { return mm == o.mm && va == o.va; }
};
struct user_key_hash {
	size_t operator()(const user_key &k) const
	{
		return (size_t)((k.va >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) ^ (uintptr_t)k.mm;
	}
};

/*
 * (mm, user page address) -> user page, in chunks of USER_CHUNK_PAGES
 * consecutive pages: pinning a buffer looks a chunk up once per 2 MiB and
 * indexes it for every page, instead of hashing (and allocating a node)
 * per page. A chunk goes when its last page does.
 */
constexpr unsigned int USER_CHUNK_PAGES = 512;
constexpr unsigned long USER_CHUNK_SIZE = USER_CHUNK_PAGES * PAGE_SIZE;

struct user_chunk {
	struct page *pages[USER_CHUNK_PAGES];
	unsigned int used;
};

struct user_page_map {
	std::unordered_map<user_key, struct user_chunk *, user_key_hash> chunks;

	/* The slot of (@mm, @va), creating its chunk if @create; NULL if none. */
	struct page **slot(struct mm_struct *mm, unsigned long va, bool create,
			   struct user_chunk **chunk)
	{
		user_key key = {mm, va & ~(USER_CHUNK_SIZE - 1)};
		auto it = chunks.find(key);
		struct user_chunk *c;

		if (it != chunks.end()) {
			c = it->second;
		} else {
			if (!create)
				return nullptr;
			c = new user_chunk();
			chunks.emplace(key, c);
		}
		*chunk = c;
		return &c->pages[(va % USER_CHUNK_SIZE) >> PAGE_SHIFT];
	}
	/* Sets an empty slot (a page moved to another mm may find that mm's own there). */
	void insert(struct mm_struct *mm, unsigned long va, struct page *p)
	{
		struct user_chunk *c;
		struct page **s = slot(mm, va, true, &c);

		if (!*s) {
			*s = p;
			c->used++;
		}
	}
	void erase_if(struct mm_struct *mm, unsigned long va, struct page *p)
	{
		user_key key = {mm, va & ~(USER_CHUNK_SIZE - 1)};
		auto it = chunks.find(key);
		struct page **s;

		if (it == chunks.end())
			return;
		s = &it->second->pages[(va % USER_CHUNK_SIZE) >> PAGE_SHIFT];
		if (*s != p)
			return;
		*s = nullptr;
		if (!--it->second->used) {
			delete it->second;
			chunks.erase(it);
		}
	}
	/* Every (address, page) of @mm. */
	std::vector<std::pair<unsigned long, struct page *>> of_mm(struct mm_struct *mm)
	{
		std::vector<std::pair<unsigned long, struct page *>> out;

		for (auto &[key, c] : chunks) {
			if (key.mm != mm)
				continue;
			for (unsigned int i = 0; i < USER_CHUNK_PAGES; i++)
				if (c->pages[i])
					out.emplace_back(key.va + i * PAGE_SIZE, c->pages[i]);
		}
		return out;
	}
};

/*
 * User pfns: only ever single pages, so a bitmap rather than a buddy
 * allocator's sets. The lowest free pfn is handed out, so a buffer pinned
 * in order gets ascending, mostly contiguous pfns, as from the buddy
 * allocator (see pfn_alloc()).
 */
struct user_pfn_zone {
	std::vector<u64> used;		/* bit n: PHYSMEM_USER_FIRST_PFN + n is taken */
	unsigned long lowest_free = 0;	/* no free bit below it */

	bool alloc(unsigned long *pfn)
	{
		constexpr unsigned long limit = (1UL << PHYSMEM_PFN_BITS) - PHYSMEM_USER_FIRST_PFN;
		unsigned long w = lowest_free / 64;

		while (w < used.size() && used[w] == ~0ULL)
			w++;
		if (w == used.size())
			used.push_back(0);
		unsigned long n = w * 64 + __builtin_ctzll(~used[w]);

		if (n >= limit)
			return false;
		used[w] |= 1ULL << (n % 64);
		lowest_free = n + 1;
		*pfn = PHYSMEM_USER_FIRST_PFN + n;
		return true;
	}
	void free(unsigned long pfn)
	{
		unsigned long n = pfn - PHYSMEM_USER_FIRST_PFN;

		used[n / 64] &= ~(1ULL << (n % 64));
		lowest_free = min(lowest_free, n);
	}
};

struct physmem_state {
	std::shared_mutex lock;
	/* The buddy allocator of kernel pfns. */
	struct pfn_zone {
		std::set<unsigned long> free_area[MAX_PAGE_ORDER + 1];
		unsigned long next_pfn;
		unsigned long end_pfn;
	} kernel_zone = { {}, PHYSMEM_FIRST_PFN, PHYSMEM_USER_FIRST_PFN };
	struct user_pfn_zone user_zone;
	/* Recycled struct page arrays, by order (under pool_lock). */
	std::mutex pool_lock;
	std::vector<struct page *> page_pool[MAX_PAGE_ORDER + 1];
	/* Host page address -> kernel page. */
	std::unordered_map<uintptr_t, struct page *> kernel_virt;
	struct user_page_map user_pages;
};

static physmem_state &state(void)
{
	static physmem_state *const s = new physmem_state;

	return *s;
}


/* ---- pfn -> page, lock-free to read ---- */

#define L3_BITS 12
#define L2_BITS 14
#define L1_BITS (PHYSMEM_PFN_BITS - L2_BITS - L3_BITS)

struct pfn_leaf {
	std::atomic<struct page *> page[1UL << L3_BITS];
};
struct pfn_mid {
	std::atomic<struct pfn_leaf *> leaf[1UL << L2_BITS];
};
static std::atomic<struct pfn_mid *> pfn_root[1UL << L1_BITS];

static std::atomic<struct page *> *pfn_slot(unsigned long pfn, bool create)
{
	if (pfn >> PHYSMEM_PFN_BITS)
		return nullptr;
	std::atomic<struct pfn_mid *> &r = pfn_root[pfn >> (L2_BITS + L3_BITS)];
	struct pfn_mid *mid = r.load(std::memory_order_acquire);

	if (!mid) {
		if (!create)
			return nullptr;
		/* Creation runs under the state lock, exclusive: no race to install. */
		mid = new pfn_mid();
		r.store(mid, std::memory_order_release);
	}
	std::atomic<struct pfn_leaf *> &m = mid->leaf[(pfn >> L3_BITS) & ((1UL << L2_BITS) - 1)];
	struct pfn_leaf *leaf = m.load(std::memory_order_acquire);
	if (!leaf) {
		if (!create)
			return nullptr;
		leaf = new pfn_leaf();
		m.store(leaf, std::memory_order_release);
	}
	return &leaf->page[pfn & ((1UL << L3_BITS) - 1)];
}

struct page *pfn_to_page(unsigned long pfn)
{
	std::atomic<struct page *> *slot = pfn_slot(pfn, false);

	return slot ? slot->load(std::memory_order_acquire) : nullptr;
}

bool pfn_valid(unsigned long pfn) { return pfn_to_page(pfn) != nullptr; }

/*
 * ---- reader sections and grace periods ----
 *
 * Each thread that reads the bus owns a reader record, found through a
 * thread-local pointer. Its sequence is odd while the thread is inside a
 * section; only the owner writes it. Records are never freed: a thread
 * that exits leaves its record for the next new thread, and
 * physmem_synchronize() walks the list without a lock.
 *
 * The pairing is Dekker's: a reader makes its sequence odd before it looks
 * a pfn up; a freer clears the pfn slot, makes every thread fence, then
 * reads every sequence. Either the freer sees the reader inside, and waits
 * for that section to end, or the reader sees the cleared slot. The
 * reader's half of the fence is the expensive one (a locked instruction,
 * most of a walk's overhead), and sections are opened far more often than
 * pages are freed, so where the host has membarrier() the freer issues
 * the fence for every thread of the process (MEMBARRIER_CMD_PRIVATE_EXPEDITED)
 * and a reader needs only a compiler barrier, as liburcu's "memb" flavour.
 * Without membarrier(), and under ThreadSanitizer (which does not know
 * it), readers fence themselves.
 * Leaving a section is a release store the freer's acquire load pairs with,
 * which is the happens-before ThreadSanitizer needs between the reader's
 * last access to the page and its recycling.
 */
struct physmem_reader {
	std::atomic<unsigned long> seq{0};
	std::atomic<bool> in_use{true};
	unsigned int nesting = 0;		/* the owner's only */
	struct physmem_reader *next = nullptr;	/* fixed once on the list */
};

static std::atomic<struct physmem_reader *> physmem_readers;
static thread_local struct physmem_reader *this_reader;
static pthread_key_t physmem_reader_key;
/* Set once, before the first section of any thread: see physmem_readers_init(). */
static bool physmem_membarrier;

static long sys_membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

#if defined(__SANITIZE_THREAD__)
#define PHYSMEM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PHYSMEM_TSAN 1
#endif
#endif

static bool physmem_membarrier_register(void)
{
#ifdef PHYSMEM_TSAN
	return false;
#else
	long cmds = sys_membarrier(MEMBARRIER_CMD_QUERY);

	return cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
	       !sys_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED);
#endif
}

/* Thread exit: the record goes back for reuse (never inside a section). */
static void physmem_reader_release(void *arg)
{
	struct physmem_reader *r = (struct physmem_reader *)arg;

	WARN_ON(r->nesting);
	this_reader = nullptr;
	r->in_use.store(false, std::memory_order_release);
}

/*
 * A child of fork() has only the forking thread: the other threads'
 * records describe nobody, and one caught inside a section would make
 * every grace period in the child wait forever.
 */
static void physmem_readers_after_fork(void)
{
	for (struct physmem_reader *r = physmem_readers.load(std::memory_order_acquire); r;
	     r = r->next) {
		if (r == this_reader)
			continue;
		r->nesting = 0;
		r->seq.store(0, std::memory_order_relaxed);
		r->in_use.store(false, std::memory_order_relaxed);
	}
	/* The child is one thread now, so the way of fencing may change. */
	if (physmem_membarrier)
		physmem_membarrier = physmem_membarrier_register();
}

/* Once per process, before any section or grace period. */
static void physmem_readers_init(void)
{
	static std::once_flag once;

	std::call_once(once, [] {
		physmem_membarrier = physmem_membarrier_register();
		pthread_key_create(&physmem_reader_key, physmem_reader_release);
		pthread_atfork(nullptr, nullptr, physmem_readers_after_fork);
	});
}

static struct physmem_reader *physmem_reader_register(void)
{
	struct physmem_reader *r;

	physmem_readers_init();
	for (r = physmem_readers.load(std::memory_order_acquire); r; r = r->next) {
		bool free = false;

		if (r->in_use.compare_exchange_strong(free, true, std::memory_order_acquire))
			break;
	}
	if (!r) {
		r = new physmem_reader();
		r->next = physmem_readers.load(std::memory_order_relaxed);
		/* seq_cst: pairs with the empty-list check of physmem_synchronize(). */
		while (!physmem_readers.compare_exchange_weak(r->next, r, std::memory_order_seq_cst,
							      std::memory_order_relaxed))
			;
	}
	r->nesting = 0;
	this_reader = r;
	pthread_setspecific(physmem_reader_key, r);
	return r;
}

static inline struct physmem_reader *physmem_reader_enter(void)
{
	struct physmem_reader *r = this_reader;

	if (unlikely(!r))
		r = physmem_reader_register();
	if (!r->nesting++) {
		r->seq.store(r->seq.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
		if (physmem_membarrier)
			std::atomic_signal_fence(std::memory_order_seq_cst);
		else
			std::atomic_thread_fence(std::memory_order_seq_cst);
	}
	return r;
}

static inline void physmem_reader_exit(struct physmem_reader *r)
{
	if (!--r->nesting)
		r->seq.store(r->seq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void physmem_read_lock(void) { physmem_reader_enter(); }

void physmem_read_unlock(void)
{
	struct physmem_reader *r = this_reader;

	if (WARN_ON(!r || !r->nesting))
		return;
	physmem_reader_exit(r);
}

/*
 * Waits until every reader section that was running when the caller
 * unpublished its pfns has ended. The caller's own section, if it is in
 * one, cannot be waited for (it would never end) and is skipped: freeing
 * a page from inside a section is the caller's bug to avoid.
 */
static void physmem_synchronize(void)
{
	/* No reader yet: nobody can hold a page. */
	if (!physmem_readers.load(std::memory_order_seq_cst))
		return;
	physmem_readers_init();
	if (!physmem_membarrier || sys_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		std::atomic_thread_fence(std::memory_order_seq_cst);
	for (struct physmem_reader *r = physmem_readers.load(std::memory_order_acquire); r;
	     r = r->next) {
		unsigned long seq;

		if (r == this_reader)
			continue;
		seq = r->seq.load(std::memory_order_acquire);
		if (!(seq & 1))
			continue;
		for (unsigned int spin = 0; r->seq.load(std::memory_order_acquire) == seq; spin++) {
#if defined(__x86_64__) || defined(__i386__)
			if (spin < 64) {
				__builtin_ia32_pause();
				continue;
			}
#endif
			sched_yield();
		}
	}
}

/*
 * The kernel pfn range's host addresses, flat: what a bus access to a
 * kernel page needs, in one load instead of three table levels and the
 * struct page. Reserved address space (2^24 pointers), touched only where
 * kernel pages have been; an entry is set when its page is allocated and
 * cleared, like the pfn table's, before its grace period.
 */
#define KERNEL_MAP_PFNS (PHYSMEM_USER_FIRST_PFN - PHYSMEM_FIRST_PFN)
static_assert(sizeof(std::atomic<char *>) == sizeof(char *));

/* Published (physmem.h) once made, before the first kernel page has a pfn. */
char **physmem_kernel_map;

static std::atomic<char *> *kernel_map(void)
{
	static std::atomic<char *> *const map = [] {
		void *p = mmap(nullptr, KERNEL_MAP_PFNS * sizeof(std::atomic<char *>),
			       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);

		BUG_ON(p == MAP_FAILED);
		__atomic_store_n(&physmem_kernel_map, (char **)p, __ATOMIC_RELEASE);
		return (std::atomic<char *> *)p;
	}();

	return map;
}

static void kernel_map_set(unsigned long pfn, char *host)
{
	kernel_map()[pfn - PHYSMEM_FIRST_PFN].store(host, std::memory_order_seq_cst);
}

/* The host address of kernel page @pfn inside a reader section, or NULL. */
static inline char *kernel_map_in_section(unsigned long pfn)
{
	unsigned long i = pfn - PHYSMEM_FIRST_PFN;

	if (i >= KERNEL_MAP_PFNS)
		return nullptr;
	return kernel_map()[i].load(std::memory_order_seq_cst);
}

/* pfn_to_page() for reader sections: seq_cst, the other half of the Dekker pairing. */
static inline struct page *pfn_to_page_in_section(unsigned long pfn)
{
	if (pfn >> PHYSMEM_PFN_BITS)
		return nullptr;
	struct pfn_mid *mid = pfn_root[pfn >> (L2_BITS + L3_BITS)].load(std::memory_order_seq_cst);
	if (!mid)
		return nullptr;
	struct pfn_leaf *leaf =
		mid->leaf[(pfn >> L3_BITS) & ((1UL << L2_BITS) - 1)].load(std::memory_order_seq_cst);
	if (!leaf)
		return nullptr;
	return leaf->page[pfn & ((1UL << L3_BITS) - 1)].load(std::memory_order_seq_cst);
}

/*
 * ---- the buddy allocators of pfns (state lock exclusive) ----
 *
 * Kernel pages and user pages come from separate ranges, so the page
 * tables a domain allocates while iommufd pins and maps a buffer batch by
 * batch do not land between the buffer's pages: pinned in order, a buffer
 * gets ascending, mostly contiguous pfns, and huge IOPTEs can map it, as
 * on a kernel whose huge pages are physically contiguous.
 */
static bool pfn_alloc(unsigned int order, unsigned long *pfn)
{
	struct physmem_state::pfn_zone *z = &state().kernel_zone;
	unsigned int o = order;

	while (o <= MAX_PAGE_ORDER && z->free_area[o].empty())
		o++;
	if (o > MAX_PAGE_ORDER) {
		if (z->next_pfn + (1UL << MAX_PAGE_ORDER) > z->end_pfn)
			return false;
		o = MAX_PAGE_ORDER;
		z->free_area[o].insert(z->next_pfn);
		z->next_pfn += 1UL << MAX_PAGE_ORDER;
	}
	unsigned long p = *z->free_area[o].begin();

	z->free_area[o].erase(z->free_area[o].begin());
	/* Keep the low half, free the high halves: allocations stay ascending. */
	while (o > order) {
		o--;
		z->free_area[o].insert(p + (1UL << o));
	}
	*pfn = p;
	return true;
}

static void pfn_free(unsigned long pfn, unsigned int order)
{
	struct physmem_state::pfn_zone *z = &state().kernel_zone;

	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy = pfn ^ (1UL << order);

		if (!z->free_area[order].erase(buddy))
			break;
		pfn = min(pfn, buddy);
		order++;
	}
	z->free_area[order].insert(pfn);
}

/* ---- struct page pools and maps (state lock exclusive) ---- */

static std::atomic<unsigned long> nr_pages_by_kind[3];

static struct page *pool_get(unsigned int order)
{
	std::lock_guard<std::mutex> g(state().pool_lock);
	struct page *p;

	if (state().page_pool[order].empty()) {
		p = new struct page[1UL << order]();
	} else {
		p = state().page_pool[order].back();
		state().page_pool[order].pop_back();
		for (unsigned long i = 0; i < (1UL << order); i++)
			p[i] = {};
	}
	return p;
}

/* After a grace period: no reader section still holds @p from the pfn table. */
static void pool_put(struct page *p, unsigned int order)
{
	std::lock_guard<std::mutex> g(state().pool_lock);

	for (unsigned long i = 0; i < (1UL << order); i++)
		p[i].kind = PAGE_KIND_FREE;
	state().page_pool[order].push_back(p);
}

static void report_page(const char *what, const struct page *page, void *caller)
{
	char where[256];

	harness_format_caller(caller, where, sizeof(where));
	harness_report_failure(__FILE__, __LINE__, "%s: page %p (pfn %#lx) from %s", what,
			       (const void *)page, page ? page->pfn : 0UL, where);
}

/* ---- kernel pages ---- */

static struct page *do_alloc_pages(gfp_t gfp, unsigned int order, void *caller)
{
	size_t size = PAGE_SIZE << order;
	unsigned long pfn;
	struct page *pages;
	void *host = nullptr;

	if (gfpflags_allow_blocking(gfp))
		harness_might_sleep_at(caller);
	if (order > MAX_PAGE_ORDER) {
		if (!(gfp & __GFP_NOWARN)) {
			char where[256];

			harness_format_caller(caller, where, sizeof(where));
			harness_report_failure(__FILE__, __LINE__,
					       "WARNING: alloc_pages order %u > MAX_PAGE_ORDER from %s",
					       order, where);
		}
		return nullptr;
	}
	if (should_fail_alloc_page(gfp, order))
		return nullptr;
	if (posix_memalign(&host, PAGE_SIZE, size))
		return nullptr;
	memset(host, (gfp & __GFP_ZERO) ? 0 : POISON_INUSE, size);
	{
		std::unique_lock<std::shared_mutex> g(state().lock);

		if (!pfn_alloc(order, &pfn)) {
			g.unlock();
			free(host);
			return nullptr;
		}
		pages = pool_get(order);
		for (unsigned long i = 0; i < (1UL << order); i++) {
			struct page *p = &pages[i];

			p->pfn = pfn + i;
			p->kind = PAGE_KIND_KERNEL;
			p->virt = (char *)host + i * PAGE_SIZE;
			p->compound_head = pages;
			INIT_LIST_HEAD(&p->lru);
			pfn_slot(pfn + i, true)->store(p, std::memory_order_release);
			kernel_map_set(pfn + i, (char *)p->virt);
			state().kernel_virt[(uintptr_t)p->virt] = p;
		}
		pages->head = true;
		pages->order = order;
		atomic_set(&pages->_refcount, 1);
		nr_pages_by_kind[PAGE_KIND_KERNEL] += 1UL << order;
	}
	ledger_add(pages, size, LEDGER_PAGES, nullptr, caller);
	return pages;
}

/*
 * Called with the state lock exclusive: the block leaves the pfn table. The
 * caller, after unlocking, waits for a grace period and only then recycles
 * the struct pages and frees the host memory (finish_kernel_block()).
 */
static void *release_kernel_block(struct page *head)
{
	unsigned int order = head->order;
	void *host = head->virt;

	for (unsigned long i = 0; i < (1UL << order); i++) {
		pfn_slot(head[i].pfn, false)->store(nullptr, std::memory_order_seq_cst);
		kernel_map_set(head[i].pfn, nullptr);
		state().kernel_virt.erase((uintptr_t)head[i].virt);
	}
	pfn_free(head->pfn, order);
	nr_pages_by_kind[PAGE_KIND_KERNEL] -= 1UL << order;
	return host;
}

static void free_host_block(void *host, unsigned int order)
{
#ifndef HARNESS_ASAN
	memset(host, POISON_FREE, PAGE_SIZE << order);
#endif
	free(host);
}

/* Drops one reference on a kernel block's head; frees it on the last. */
static void put_kernel_head(struct page *head, const char *what, int expect_order,
			    void *caller)
{
	void *host = nullptr;
	unsigned int order;

	{
		std::unique_lock<std::shared_mutex> g(state().lock);

		if (head->kind != PAGE_KIND_KERNEL || !head->head) {
			g.unlock();
			report_page(head->kind == PAGE_KIND_FREE ? "double free of pages"
								 : "free of a page that is not an allocation",
				    head, caller);
			return;
		}
		if (expect_order >= 0 && head->order != (unsigned int)expect_order) {
			char msg[96];

			snprintf(msg, sizeof(msg), "%s: order %d, but allocated with order %u",
				 what, expect_order, head->order);
			g.unlock();
			report_page(msg, head, caller);
			return;
		}
		if (atomic_dec_return(&head->_refcount) > 0)
			return;
		order = head->order;
		ledger_del(head, caller, nullptr, nullptr);
		host = release_kernel_block(head);
	}
	/* A bus access that looked the block up before it left finishes first. */
	physmem_synchronize();
	pool_put(head, order);
	free_host_block(host, order);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return do_alloc_pages(gfp, order, __builtin_return_address(0));
}

void __free_pages(struct page *page, unsigned int order)
{
	void *caller = __builtin_return_address(0);

	if (!page) {
		report_page("__free_pages(NULL)", page, caller);
		return;
	}
	put_kernel_head(page, "__free_pages", (int)order, caller);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = do_alloc_pages(gfp, order, __builtin_return_address(0));

	return page ? (unsigned long)page->virt : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	struct page *page = do_alloc_pages(gfp | __GFP_ZERO, 0, __builtin_return_address(0));

	return page ? (unsigned long)page->virt : 0;
}

static struct page *lookup_kernel_virt(const void *addr)
{
	std::shared_lock<std::shared_mutex> g(state().lock);
	auto it = state().kernel_virt.find((uintptr_t)addr & PAGE_MASK);

	return it == state().kernel_virt.end() ? nullptr : it->second;
}

/* The head page of the block whose first byte is addr, or reports. */
static struct page *block_of_virt(const void *addr, const char *what, void *caller)
{
	struct page *page = lookup_kernel_virt(addr);

	if (!page || page->compound_head != page || ((uintptr_t)addr & ~PAGE_MASK)) {
		char where[256];

		harness_format_caller(caller, where, sizeof(where));
		harness_report_failure(__FILE__, __LINE__,
				       "%s(%p): not the start of a page allocation, from %s",
				       what, addr, where);
		return nullptr;
	}
	return page;
}

void free_pages(unsigned long addr, unsigned int order)
{
	void *caller = __builtin_return_address(0);
	struct page *page;

	if (!addr)
		return;
	page = block_of_virt((const void *)addr, "free_pages", caller);
	if (page)
		put_kernel_head(page, "free_pages", (int)order, caller);
}

void *iommu_alloc_pages_sz(gfp_t gfp, size_t size)
{
	struct page *page = do_alloc_pages(gfp | __GFP_ZERO, get_order(size),
					   __builtin_return_address(0));

	return page ? page->virt : nullptr;
}

void iommu_free_pages(void *virt)
{
	void *caller = __builtin_return_address(0);
	struct page *page;

	if (!virt)
		return;
	page = block_of_virt(virt, "iommu_free_pages", caller);
	if (page)
		put_kernel_head(page, "iommu_free_pages", -1, caller);
}

/* ---- address translation, kernel side ---- */

void *page_address(const struct page *page)
{
	if (page->kind == PAGE_KIND_KERNEL || (page->kind == PAGE_KIND_USER && page->mm->local))
		return page->virt;
	report_page(page->kind == PAGE_KIND_USER
			    ? "page_address of another process's user page"
			    : "page_address of a freed page",
		    page, __builtin_return_address(0));
	return nullptr;
}

struct page *virt_to_page(const void *addr)
{
	struct page *page = lookup_kernel_virt(addr);

	if (!page) {
		char where[256];

		harness_format_caller(__builtin_return_address(0), where, sizeof(where));
		harness_report_failure(__FILE__, __LINE__,
				       "virt_to_page(%p): not in a page from alloc_pages, from %s",
				       addr, where);
	}
	return page;
}

phys_addr_t virt_to_phys(const void *addr)
{
	struct page *page = lookup_kernel_virt(addr);

	if (!page) {
		char where[256];

		harness_format_caller(__builtin_return_address(0), where, sizeof(where));
		harness_report_failure(__FILE__, __LINE__,
				       "virt_to_phys(%p): not in a page from alloc_pages "
				       "(kmalloc memory has no physical address here), from %s",
				       addr, where);
		return 0;
	}
	return PFN_PHYS(page->pfn) + ((uintptr_t)addr & ~PAGE_MASK);
}

void *phys_to_virt(phys_addr_t pa)
{
	std::shared_lock<std::shared_mutex> g(state().lock);
	struct page *page = pfn_to_page(PHYS_PFN(pa));

	if (!page || page->kind != PAGE_KIND_KERNEL) {
		char where[256];

		g.unlock();
		harness_format_caller(__builtin_return_address(0), where, sizeof(where));
		harness_report_failure(__FILE__, __LINE__,
				       "phys_to_virt(%#llx): %s, from %s", (unsigned long long)pa,
				       page ? "a user page has no kernel address"
					    : "no page at that address",
				       where);
		return nullptr;
	}
	return (char *)page->virt + (pa & ~PAGE_MASK);
}

bool virt_addr_valid(const void *addr) { return lookup_kernel_virt(addr) != nullptr; }

/* ---- user pages ---- */

unsigned long physmem_get_user_pages(struct mm_struct *mm, unsigned long start,
				     unsigned long npages, bool pin, struct page **pages,
				     void *caller)
{
	std::unique_lock<std::shared_mutex> g(state().lock);
	struct user_chunk *chunk = nullptr;
	struct page **slot = nullptr;
	unsigned long i;

	for (i = 0; i < npages; i++) {
		unsigned long va = start + i * PAGE_SIZE;
		struct page *p;

		/* One chunk lookup per 2 MiB; the slots of a chunk are consecutive. */
		if (!slot || !(va % USER_CHUNK_SIZE))
			slot = state().user_pages.slot(mm, va, true, &chunk);
		else
			slot++;
		if (*slot) {
			p = *slot;
		} else {
			unsigned long pfn;

			if (!state().user_zone.alloc(&pfn))
				break;
			p = pool_get(0);
			p->pfn = pfn;
			p->kind = PAGE_KIND_USER;
			p->virt = (void *)va;
			p->mm = mm;
			p->compound_head = p;
			INIT_LIST_HEAD(&p->lru);
			mmgrab(mm);
			pfn_slot(pfn, true)->store(p, std::memory_order_release);
			*slot = p;
			chunk->used++;
			nr_pages_by_kind[PAGE_KIND_USER]++;
			ledger_add(p, PAGE_SIZE, LEDGER_USER_PAGE, nullptr, caller);
		}
		if (pin) {
			atomic_inc(&p->_pincount);
			atomic_add(GUP_PIN_COUNTING_BIAS, &p->_refcount);
		} else {
			atomic_inc(&p->_refcount);
		}
		pages[i] = p;
	}
	return i;
}

/*
 * What dropping user page references leaves to do once the state lock is
 * released: mm references to drop, and misuse to report (a report runs the
 * test framework's hook, which must not run under our lock).
 */
struct put_batch {
	std::vector<struct mm_struct *> drop;
	std::vector<std::pair<const char *, const struct page *>> bad;
	/* Freed pages: recycled after a grace period. */
	std::vector<struct page *> freed;

	void finish(void *caller)
	{
		if (!freed.empty()) {
			physmem_synchronize();
			for (struct page *page : freed)
				pool_put(page, 0);
		}
		for (auto &[what, page] : bad)
			report_page(what, page, caller);
		for (struct mm_struct *mm : drop)
			mmdrop(mm);
	}
};

/* State lock exclusive. */
static void put_user_page_locked(struct page *page, bool pin, bool dirty, put_batch *b)
{
	if (page->kind != PAGE_KIND_USER) {
		b->bad.emplace_back(page->kind == PAGE_KIND_FREE
					    ? (pin ? "unpin of a page that is no longer pinned"
						   : "put_page of a freed page")
					    : (pin ? "unpin_user_page of a kernel page"
						   : "put_page of a kernel page as a user page"),
				    page);
		return;
	}
	if (pin) {
		if (atomic_read(&page->_pincount) <= 0) {
			b->bad.emplace_back("unpin of a page that is not pinned", page);
			return;
		}
		atomic_dec(&page->_pincount);
		atomic_sub(GUP_PIN_COUNTING_BIAS, &page->_refcount);
	} else {
		if (atomic_read(&page->_refcount) -
			    atomic_read(&page->_pincount) * (int)GUP_PIN_COUNTING_BIAS <= 0) {
			b->bad.emplace_back("put_page without a reference", page);
			return;
		}
		atomic_dec(&page->_refcount);
	}
	if (dirty)
		page->dirty = true;
	if (atomic_read(&page->_refcount))
		return;
	b->drop.push_back(page->mm);
	free(page->kept);
	page->kept = nullptr;
	/* A page moved to another mm may share its key with that mm's own page. */
	state().user_pages.erase_if(page->mm, (unsigned long)page->virt, page);
	pfn_slot(page->pfn, false)->store(nullptr, std::memory_order_seq_cst);
	state().user_zone.free(page->pfn);
	nr_pages_by_kind[PAGE_KIND_USER]--;
	ledger_del(page, nullptr, nullptr, nullptr);
	b->freed.push_back(page);
}

void physmem_put_user_page(struct page *page, bool pin, bool dirty, void *caller)
{
	put_batch b;

	{
		std::unique_lock<std::shared_mutex> g(state().lock);

		put_user_page_locked(page, pin, dirty, &b);
	}
	b.finish(caller);
}

void physmem_put_user_pages(struct page *const *pages, unsigned long npages, bool pin,
			    bool dirty, void *caller)
{
	put_batch b;

	{
		std::unique_lock<std::shared_mutex> g(state().lock);

		for (unsigned long i = 0; i < npages; i++)
			put_user_page_locked(pages[i], pin, dirty, &b);
	}
	b.finish(caller);
}

void physmem_unpin_user_page_range(struct page *page, unsigned long npages, bool dirty,
				   void *caller)
{
	put_batch b;
	unsigned long pfn;

	/* A PFN with no page behind it (pfn_to_page() said NULL): the caller's bug. */
	if (!page) {
		report_page("unpin_user_page_range_dirty_lock of no page", page, caller);
		return;
	}
	pfn = page->pfn;

	{
		std::unique_lock<std::shared_mutex> g(state().lock);

		for (unsigned long i = 0; i < npages; i++) {
			struct page *p = pfn_to_page(pfn + i);

			if (!p) {
				b.bad.emplace_back("unpin_user_page_range_dirty_lock past the "
						   "pinned pages", page);
				break;
			}
			put_user_page_locked(p, true, dirty, &b);
		}
	}
	b.finish(caller);
}

void get_page(struct page *page)
{
	struct page *head = page->compound_head;

	if (page->kind == PAGE_KIND_FREE) {
		report_page("get_page of a freed page", page, __builtin_return_address(0));
		return;
	}
	atomic_inc(&head->_refcount);
}

void put_page(struct page *page)
{
	void *caller = __builtin_return_address(0);

	if (page->kind == PAGE_KIND_USER)
		physmem_put_user_page(page, false, false, caller);
	else
		put_kernel_head(page->compound_head, "put_page", -1, caller);
}

/* ---- CPU-side copies and the bus ---- */

static void note_lost_user_page(const struct page *page)
{
	static std::atomic<bool> said;

	if (!said.exchange(true))
		fprintf(stderr,
			"uiommufd: pinned user page %#lx of pid %d is no longer mapped; "
			"the kernel would still reach it, the harness cannot\n",
			(unsigned long)page->virt, page->mm->pid);
}

/* Copies within one page; false if a user page could not be reached. */
static bool page_rw(struct page *page, size_t offset, void *buf, size_t len, bool write)
{
	if (page->kind == PAGE_KIND_KERNEL) {
		if (write)
			memcpy((char *)page->virt + offset, buf, len);
		else
			memcpy(buf, (char *)page->virt + offset, len);
		return true;
	}
	if (page->kept) {
		if (write)
			memcpy((char *)page->kept + offset, buf, len);
		else
			memcpy(buf, (char *)page->kept + offset, len);
		return true;
	}
	unsigned long uaddr = (unsigned long)page->virt + offset;
	unsigned long left = write ? mm_write(page->mm, uaddr, buf, len)
				   : mm_read(page->mm, buf, uaddr, len);
	if (!left)
		return true;
	note_lost_user_page(page);
	if (!write)
		memset((char *)buf + (len - left), 0, left);
	return false;
}

static bool check_page_range(struct page *page, size_t offset, size_t len, const char *what,
			     void *caller)
{
	if (page->kind == PAGE_KIND_FREE) {
		report_page(what, page, caller);
		return false;
	}
	if (offset > PAGE_SIZE || len > PAGE_SIZE - offset) {
		report_page(what, page, caller);
		return false;
	}
	return true;
}

void memcpy_from_page(char *to, struct page *page, size_t offset, size_t len)
{
	if (check_page_range(page, offset, len, "memcpy_from_page: bad page or range",
			     __builtin_return_address(0)))
		page_rw(page, offset, to, len, false);
}

void memcpy_to_page(struct page *page, size_t offset, const char *from, size_t len)
{
	if (check_page_range(page, offset, len, "memcpy_to_page: bad page or range",
			     __builtin_return_address(0)))
		page_rw(page, offset, (void *)from, len, true);
}

void memzero_page(struct page *page, size_t offset, size_t len)
{
	static const char zeroes[PAGE_SIZE] = {};

	if (check_page_range(page, offset, len, "memzero_page: bad page or range",
			     __builtin_return_address(0)))
		page_rw(page, offset, (void *)zeroes, len, true);
}

/*
 * The lock-free path: inside a reader section, every page of the range
 * looked up once and, if all are kernel pages, copied. 1 when a page is a
 * user page (nothing was transferred: the locked path takes over).
 */
static int phys_rw_kernel(phys_addr_t pa, phys_addr_t end, void *buf, size_t len, bool write)
{
	unsigned long first = PHYS_PFN(pa), last = PHYS_PFN(end);
	size_t off = pa & ~PAGE_MASK;
	struct page *page;

	/* A table entry: one aligned word of one page, read or written whole. */
	if (first == last) {
		char *host = kernel_map_in_section(first);

		if (!host)
			return pfn_to_page_in_section(first) ? 1 : -EFAULT;
		if (len == sizeof(u64) && !(off % sizeof(u64))) {
			u64 *word = (u64 *)(host + off);

			if (write)
				__atomic_store_n(word, *(const u64 *)buf, __ATOMIC_RELAXED);
			else
				*(u64 *)buf = __atomic_load_n(word, __ATOMIC_RELAXED);
			return 0;
		}
		if (write)
			memcpy(host + off, buf, len);
		else
			memcpy(buf, host + off, len);
		return 0;
	}
	/* A bus error transfers nothing: check every page first. */
	for (unsigned long pfn = first; pfn <= last; pfn++) {
		page = pfn_to_page_in_section(pfn);
		if (!page)
			return -EFAULT;
		if (page->kind != PAGE_KIND_KERNEL)
			return 1;
	}
	for (size_t done = 0; done < len;) {
		phys_addr_t a = pa + done;
		size_t n = min(PAGE_SIZE - (a & ~PAGE_MASK), len - done);

		page_rw(pfn_to_page_in_section(PHYS_PFN(a)), a & ~PAGE_MASK, (char *)buf + done, n,
			write);
		done += n;
	}
	return 0;
}

static int phys_rw(phys_addr_t pa, void *buf, size_t len, bool write)
{
	struct physmem_reader *r;
	phys_addr_t end;
	int rc = 0;

	if (!len)
		return 0;
	if (check_add_overflow(pa, (phys_addr_t)len - 1, &end))
		return -EFAULT;
	r = physmem_reader_enter();
	rc = phys_rw_kernel(pa, end, buf, len, write);
	physmem_reader_exit(r);
	if (rc <= 0)
		return rc;

	/* User pages: their owner's memory is reached under the shared lock. */
	rc = 0;
	std::shared_lock<std::shared_mutex> g(state().lock);
	/* A bus error transfers nothing: check every page first. */
	for (unsigned long pfn = PHYS_PFN(pa); pfn <= PHYS_PFN(end); pfn++)
		if (!pfn_to_page(pfn))
			return -EFAULT;
	for (size_t done = 0; done < len;) {
		phys_addr_t a = pa + done;
		size_t off = a & ~PAGE_MASK;
		size_t n = min(PAGE_SIZE - off, len - done);

		if (!page_rw(pfn_to_page(PHYS_PFN(a)), off, (char *)buf + done, n, write))
			rc = -EFAULT;
		done += n;
	}
	return rc;
}

int phys_read(phys_addr_t pa, void *buf, size_t len) { return phys_rw(pa, buf, len, false); }

int phys_write(phys_addr_t pa, const void *buf, size_t len)
{
	return phys_rw(pa, (void *)buf, len, true);
}

unsigned long physmem_nr_pages(enum page_kind kind)
{
	return kind <= PAGE_KIND_USER ? nr_pages_by_kind[kind].load() : 0;
}

/*
 * ---- a process exits with pages still pinned (harness/server) ----
 *
 * The kernel keeps a pinned page alive after its process is gone; here the
 * page is that process's memory, which is about to vanish. Called from the
 * exiting process's last request. A page of shared memory another live
 * process also maps (MAP_SHARED inherited over fork) moves to that
 * process's mapping, so both sides keep seeing one page; any other page is
 * copied into memory of our own, which stands for it from then on
 * (page_rw). Under the state lock, so no DMA sees a half-made copy.
 */
unsigned long physmem_detach_user_pages(struct mm_struct *mm,
					bool (*alias)(unsigned long va, struct mm_struct **amm,
						      unsigned long *ava, void *ctx),
					void *ctx)
{
	std::vector<struct mm_struct *> drop;
	unsigned long kept = 0;

	{
		std::unique_lock<std::shared_mutex> g(state().lock);
		std::vector<std::pair<unsigned long, struct page *>> mine;

		for (auto &it : state().user_pages.of_mm(mm))
			if (!it.second->kept)
				mine.push_back(it);
		for (auto &[va, p] : mine) {
			struct mm_struct *amm;
			unsigned long ava;
			void *copy;

			if (alias && alias(va, &amm, &ava, ctx) && amm != mm) {
				state().user_pages.erase_if(mm, va, p);
				state().user_pages.insert(amm, ava, p);
				mmgrab(amm);
				drop.push_back(p->mm);
				p->mm = amm;
				p->virt = (void *)ava;
				kept++;
				continue;
			}
			copy = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
			if (!copy)
				continue;
			if (mm_read(mm, copy, va, PAGE_SIZE))
				memset(copy, 0, PAGE_SIZE);
			p->kept = copy;
			kept++;
		}
	}
	for (struct mm_struct *m : drop)
		mmdrop(m);
	return kept;
}
