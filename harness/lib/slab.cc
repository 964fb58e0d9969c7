// SPDX-License-Identifier: GPL-2.0
/*
 * The slab allocator over the host heap, and the allocation ledger.
 *
 * The ledger is a hash map from address to entry, split into shards by
 * address hash, each under its own mutex, so an allocation or a free costs
 * one uncontended lock and one hash operation whatever the number of live
 * objects (iommufd benchmarks keep a million areas alive). Each shard also
 * remembers its most recent frees in a bounded ring so that a second kfree()
 * of the same pointer is reported as a double free rather than as a foreign
 * pointer; reallocation at that address forgets the old free.
 *
 * Memory is never handed back to the host on a reported bad free: the
 * kernel would corrupt its heap there, we keep the process alive and let
 * the test fail.
 */
#include "harness/slab.h"

#include "harness/bug.h"
#include "harness/fault_inject.h"
#include "harness/lockdep.h"
#include "harness/testhooks.h"
#include "ledger.h"
#include "memory_internal.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <dlfcn.h>
#include <mutex>
#include <vector>

/* SLUB's poison values: allocated-but-uninitialised, and freed. */
#define POISON_INUSE 0x5a
#define POISON_FREE 0x6b

struct kmem_cache {
	const char *name;
	unsigned int size;
	unsigned int align;
	unsigned long flags;
	void (*ctor)(void *);
	std::atomic<long> live;
};

/* ---- the ledger ---- */

#define LEDGER_SHARDS 64
#define FREED_RING 256

struct ledger_slot {
	uintptr_t key;		/* 0: empty */
	struct ledger_entry e;
};

/*
 * One shard: an open-addressing table (linear probing, backward-shift
 * deletion, so no tombstones), at most half full. A node-based map costs a
 * cache miss per node on top of the bucket's; with a million live objects
 * that is most of the cost of a kmalloc.
 *
 * The ring remembers the last frees for double-free reports; it is only
 * searched when a free finds nothing live, so the fast path never touches it.
 */
struct ledger_shard {
	std::mutex lock;
	struct ledger_slot *slots = nullptr;
	size_t cap = 0;		/* power of two */
	size_t used = 0;
	struct {
		uintptr_t key;
		void *free_caller;
	} ring[FREED_RING] = {};
	unsigned int ring_next = 0;

	size_t home(uintptr_t key) const
	{
		/* Other bits of the product than the shard's (the top six). */
		return (((key >> 4) * 0x9e3779b97f4a7c15ULL) >> 16) & (cap - 1);
	}

	struct ledger_slot *find(uintptr_t key)
	{
		if (!cap)
			return nullptr;
		for (size_t i = home(key);; i = (i + 1) & (cap - 1)) {
			if (slots[i].key == key)
				return &slots[i];
			if (!slots[i].key)
				return nullptr;
		}
	}

	void place(const struct ledger_slot &s)
	{
		size_t i = home(s.key);

		while (slots[i].key)
			i = (i + 1) & (cap - 1);
		slots[i] = s;
	}

	void grow(void)
	{
		struct ledger_slot *old = slots;
		size_t old_cap = cap;

		cap = cap ? cap * 2 : 256;
		slots = (struct ledger_slot *)calloc(cap, sizeof(*slots));
		if (!slots) {
			fprintf(stderr, "harness ledger: out of memory\n");
			abort();
		}
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].key)
				place(old[i]);
		free(old);
	}

	/* Empties slot i and shifts later members of its probe run back. */
	void remove(size_t i)
	{
		size_t j = i;

		for (;;) {
			slots[i].key = 0;
			for (;;) {
				j = (j + 1) & (cap - 1);
				if (!slots[j].key)
					return;
				size_t h = home(slots[j].key);
				/* Stay if its home lies cyclically in (i, j]. */
				if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
					continue;
				break;
			}
			slots[i] = slots[j];
			i = j;
		}
	}
};

static std::atomic<u64> ledger_seq;

/*
 * Built on first use and never destroyed: allocations may happen in other
 * translation units' static constructors, and leak reports at exit.
 */
static ledger_shard &shard_of_index(unsigned int i)
{
	static ledger_shard *const shards = new ledger_shard[LEDGER_SHARDS];

	return shards[i];
}

static ledger_shard &shard_of(uintptr_t key)
{
	static_assert(LEDGER_SHARDS == 64);
	return shard_of_index((key * 0x9e3779b97f4a7c15ULL) >> 58);
}

u64 ledger_add(const void *key, size_t size, enum ledger_kind kind,
	       struct kmem_cache *cache, void *caller)
{
	uintptr_t k = (uintptr_t)key;
	ledger_shard &sh = shard_of(k);
	u64 seq = ledger_seq.fetch_add(1, std::memory_order_relaxed) + 1;
	std::lock_guard<std::mutex> g(sh.lock);

	if (sh.find(k)) {
		/* The host handed out a live address twice: our bug, not the test's. */
		fprintf(stderr, "harness ledger: %p allocated twice\n", key);
		abort();
	}
	if ((sh.used + 1) * 2 > sh.cap)
		sh.grow();
	sh.place(ledger_slot{k, ledger_entry{size, caller, seq, cache, kind}});
	sh.used++;
	return seq;
}

enum ledger_del_result ledger_del_if(const void *key, void *caller,
				     bool (*accept)(const struct ledger_entry *e, const void *ctx),
				     const void *ctx, struct ledger_entry *out,
				     struct ledger_free_info *info)
{
	uintptr_t k = (uintptr_t)key;
	ledger_shard &sh = shard_of(k);
	std::lock_guard<std::mutex> g(sh.lock);
	struct ledger_slot *s = sh.find(k);

	if (!s) {
		if (info) {
			*info = {};
			for (unsigned int n = 1; n <= FREED_RING; n++) {
				auto &r = sh.ring[(sh.ring_next - n) % FREED_RING];

				if (r.key == k) {
					info->was_freed = true;
					info->free_caller = r.free_caller;
					break;
				}
			}
		}
		return LEDGER_NOT_LIVE;
	}
	if (out)
		*out = s->e;
	if (accept && !accept(&s->e, ctx))
		return LEDGER_REJECTED;
	sh.ring[sh.ring_next++ % FREED_RING] = {k, caller};
	sh.remove(s - sh.slots);
	sh.used--;
	return LEDGER_DELETED;
}

bool ledger_del(const void *key, void *caller, struct ledger_entry *out,
		struct ledger_free_info *info)
{
	return ledger_del_if(key, caller, nullptr, nullptr, out, info) == LEDGER_DELETED;
}

bool ledger_find(const void *key, struct ledger_entry *out)
{
	uintptr_t k = (uintptr_t)key;
	ledger_shard &sh = shard_of(k);
	std::lock_guard<std::mutex> g(sh.lock);
	struct ledger_slot *s = sh.find(k);

	if (s && out)
		*out = s->e;
	return s;
}

const char *ledger_kind_name(enum ledger_kind kind)
{
	/* In enum order. */
	static const char *const names[] = {
		"kmalloc", "kvmalloc", "vmalloc", "kmem_cache_alloc", "kmem_cache",
		"alloc_pages", "pinned user page",
	};
	static_assert(ARRAY_SIZE(names) == LEDGER_NR_KINDS);
	return kind < LEDGER_NR_KINDS ? names[kind] : "?";
}

/* Present in sanitizer runtimes; gives file:line when a symbolizer exists. */
extern "C" void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out_buf,
					 size_t out_buf_size) __attribute__((weak));

void harness_format_caller(void *caller, char *buf, size_t len)
{
	/* A return address points after the call; step back into it. */
	void *pc = (char *)caller - 1;
	Dl_info info;

	if (__sanitizer_symbolize_pc) {
		__sanitizer_symbolize_pc(pc, "%f %L", buf, len);
		if (buf[0] && !strstr(buf, "<null>"))
			return;
	}
	if (dladdr(pc, &info) && info.dli_fname) {
		const char *mod = strrchr(info.dli_fname, '/');
		uintptr_t off = (uintptr_t)pc - (uintptr_t)info.dli_fbase;

		mod = mod ? mod + 1 : info.dli_fname;
		if (info.dli_sname) {
			int status;
			char *dm = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);

			snprintf(buf, len, "%s+0x%lx (%s+0x%lx)", status == 0 ? dm : info.dli_sname,
				 (unsigned long)((uintptr_t)pc - (uintptr_t)info.dli_saddr), mod,
				 (unsigned long)off);
			free(dm);
		} else {
			snprintf(buf, len, "%s+0x%lx", mod, (unsigned long)off);
		}
		return;
	}
	snprintf(buf, len, "%p", pc);
}

static void collect_since(u64 mark, std::vector<std::pair<uintptr_t, ledger_entry>> *v)
{
	for (unsigned int i = 0; i < LEDGER_SHARDS; i++) {
		ledger_shard &sh = shard_of_index(i);
		std::lock_guard<std::mutex> g(sh.lock);

		for (size_t j = 0; j < sh.cap; j++)
			if (sh.slots[j].key && sh.slots[j].e.seq > mark)
				v->emplace_back(sh.slots[j].key, sh.slots[j].e);
	}
}

u64 kmem_leak_mark(void) { return ledger_seq.load(); }

unsigned long kmem_leak_count(u64 mark)
{
	std::vector<std::pair<uintptr_t, ledger_entry>> v;

	collect_since(mark, &v);
	return v.size();
}

unsigned long kmem_leak_report(u64 mark)
{
	std::vector<std::pair<uintptr_t, ledger_entry>> v;
	const size_t max_print = 32;

	collect_since(mark, &v);
	if (v.empty())
		return 0;
	std::sort(v.begin(), v.end(),
		  [](const auto &a, const auto &b) { return a.second.seq < b.second.seq; });
	fprintf(stderr, "kmemleak: %zu allocation(s) made after mark %llu still live:\n",
		v.size(), (unsigned long long)mark);
	for (size_t i = 0; i < v.size() && i < max_print; i++) {
		const ledger_entry &e = v[i].second;
		char where[256];

		harness_format_caller(e.caller, where, sizeof(where));
		fprintf(stderr, "  %s%s%s %zu bytes at %#lx (seq %llu) from %s\n",
			ledger_kind_name(e.kind), e.cache ? " " : "",
			e.cache ? e.cache->name : "", e.size, (unsigned long)v[i].first,
			(unsigned long long)e.seq, where);
	}
	if (v.size() > max_print)
		fprintf(stderr, "  ... and %zu more\n", v.size() - max_print);
	return v.size();
}

/* ---- allocation ---- */

void harness_might_sleep_at(void *caller)
{
	char where[256];

	if (likely(!in_atomic()))
		return;
	harness_format_caller(caller, where, sizeof(where));
	__might_sleep(where, 0);
}

enum free_api { FREE_KFREE, FREE_KVFREE, FREE_VFREE, FREE_CACHE, FREE_KREALLOC,
		FREE_KVREALLOC };
static const char *const free_api_names[] = {
	"kfree", "kvfree", "vfree", "kmem_cache_free", "krealloc", "kvrealloc",
};

static void report_bad_free(enum free_api api, const void *p, const ledger_free_info &info,
			    void *caller)
{
	char where[256], prev[256];

	harness_format_caller(caller, where, sizeof(where));
	if (info.was_freed) {
		harness_format_caller(info.free_caller, prev, sizeof(prev));
		harness_report_failure(__FILE__, __LINE__,
				       "%s: double free of %p from %s, freed before from %s",
				       free_api_names[api], p, where, prev);
	} else {
		harness_report_failure(__FILE__, __LINE__,
				       "%s: %p was not allocated by the slab allocator "
				       "(foreign or interior pointer, or freed long ago) from %s",
				       free_api_names[api], p, where);
	}
}

static void report_wrong_api(enum free_api api, const void *p, const ledger_entry &e,
			     void *caller)
{
	char where[256], alloc_where[256];

	harness_format_caller(caller, where, sizeof(where));
	harness_format_caller(e.caller, alloc_where, sizeof(alloc_where));
	harness_report_failure(__FILE__, __LINE__,
			       "%s(%p) from %s, but it came from %s%s%s at %s",
			       free_api_names[api], p, where, ledger_kind_name(e.kind),
			       e.cache ? " of cache " : "", e.cache ? e.cache->name : "",
			       alloc_where);
}

struct free_check {
	enum free_api api;
	struct kmem_cache *cache;
};

/* Whether an allocation may be freed through the API in ctx. */
static bool free_api_matches(const struct ledger_entry *e, const void *ctx)
{
	const struct free_check *c = (const struct free_check *)ctx;

	switch (c->api) {
	case FREE_KFREE:
	case FREE_KREALLOC:
		return e->kind == LEDGER_KMALLOC || e->kind == LEDGER_CACHE_OBJ;
	case FREE_VFREE:
		return e->kind == LEDGER_VMALLOC || e->kind == LEDGER_KVMALLOC;
	case FREE_CACHE:
		return e->kind == LEDGER_CACHE_OBJ && e->cache == c->cache;
	default:
		return e->kind == LEDGER_KMALLOC || e->kind == LEDGER_CACHE_OBJ ||
		       e->kind == LEDGER_VMALLOC || e->kind == LEDGER_KVMALLOC;
	}
}

/*
 * Removes p from the ledger if api may free it, in one lookup. Otherwise
 * reports why, leaves the ledger alone and returns false.
 */
static bool take_for_free(enum free_api api, const void *p, struct kmem_cache *cache,
			  ledger_entry *e, void *caller)
{
	struct free_check c = {api, cache};
	ledger_free_info info = {};

	switch (ledger_del_if(p, caller, free_api_matches, &c, e, &info)) {
	case LEDGER_DELETED:
		return true;
	case LEDGER_REJECTED:
		report_wrong_api(api, p, *e, caller);
		return false;
	default:
		report_bad_free(api, p, info, caller);
		return false;
	}
}

/* As take_for_free(), but leaves a good p in the ledger (krealloc). */
static bool check_free(enum free_api api, const void *p, ledger_entry *e, void *caller)
{
	struct free_check c = {api, nullptr};
	ledger_free_info info = {};

	if (!ledger_find(p, e)) {
		ledger_del_if(p, caller, nullptr, nullptr, nullptr, &info);
		report_bad_free(api, p, info, caller);
		return false;
	}
	if (!free_api_matches(e, &c)) {
		report_wrong_api(api, p, *e, caller);
		return false;
	}
	return true;
}

static unsigned int get_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* The kernel's failslab filters, or fail_page_alloc for large kmalloc. */
static bool kmalloc_should_fail(size_t size, gfp_t flags)
{
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return should_fail_alloc_page(flags, get_order(size));
	return should_failslab(nullptr, size, flags);
}

static void *host_alloc(size_t size, size_t align)
{
	void *p = nullptr;

	if (align <= 16)
		return malloc(size);
	if (posix_memalign(&p, align, size))
		return nullptr;
	return p;
}

static void host_free(void *p, size_t size)
{
#ifndef HARNESS_ASAN
	/* Make use-after-free visible without ASan (which has its own). */
	memset(p, POISON_FREE, size);
#endif
	free(p);
}

/*
 * kmalloc aligns power-of-two sizes naturally up to a page; code relies on
 * it (e.g. for tables that must not cross a boundary).
 */
static size_t kmalloc_align(size_t size)
{
	if (size >= 32 && (size & (size - 1)) == 0)
		return size < PAGE_SIZE ? size : PAGE_SIZE;
	return 16;
}

static void *do_kmalloc(size_t size, gfp_t flags, enum ledger_kind kind, void *caller)
{
	void *p;

	if (gfpflags_allow_blocking(flags))
		harness_might_sleep_at(caller);
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE && kind == LEDGER_KMALLOC) {
		/* The page allocator refuses orders above MAX_PAGE_ORDER, loudly. */
		if (!(flags & __GFP_NOWARN)) {
			char where[256];

			harness_format_caller(caller, where, sizeof(where));
			harness_report_failure(__FILE__, __LINE__,
					       "WARNING: kmalloc(%zu) above KMALLOC_MAX_SIZE from %s",
					       size, where);
		}
		return nullptr;
	}
	if (kmalloc_should_fail(size, flags))
		return nullptr;
	p = host_alloc(size, kmalloc_align(size));
	if (!p)
		return nullptr;
	memset(p, (flags & __GFP_ZERO) ? 0 : POISON_INUSE, size);
	ledger_add(p, size, kind, nullptr, caller);
	return p;
}

static void do_kfree(enum free_api api, const void *p, struct kmem_cache *cache,
		     void *caller)
{
	ledger_entry e;

	if (ZERO_OR_NULL_PTR(p))
		return;
	/* On a bad free, leave the memory alone: the kernel would corrupt it. */
	if (!take_for_free(api, p, cache, &e, caller))
		return;
	if (e.cache)
		e.cache->live.fetch_sub(1);
	host_free((void *)p, e.size);
}

#define CALLER __builtin_return_address(0)

__alloc_ptr kmalloc(size_t size, gfp_t flags)
{
	return {do_kmalloc(size, flags, LEDGER_KMALLOC, CALLER)};
}

__alloc_ptr kzalloc(size_t size, gfp_t flags)
{
	return {do_kmalloc(size, flags | __GFP_ZERO, LEDGER_KMALLOC, CALLER)};
}

__alloc_ptr kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return {nullptr};
	return {do_kmalloc(bytes, flags, LEDGER_KMALLOC, CALLER)};
}

__alloc_ptr kcalloc(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return {nullptr};
	return {do_kmalloc(bytes, flags | __GFP_ZERO, LEDGER_KMALLOC, CALLER)};
}

static void *do_kvmalloc(size_t size, gfp_t flags, void *caller);

static void *do_realloc(enum free_api api, const void *p, size_t new_size, gfp_t flags,
			void *caller)
{
	ledger_entry e;
	void *n;

	if (ZERO_OR_NULL_PTR(p))
		return api == FREE_KREALLOC ? do_kmalloc(new_size, flags, LEDGER_KMALLOC, caller)
					    : do_kvmalloc(new_size, flags, caller);
	if (!check_free(api, p, &e, caller))
		return nullptr;
	if (!new_size) {
		do_kfree(api, p, nullptr, caller);
		return ZERO_SIZE_PTR;
	}
	n = api == FREE_KREALLOC ? do_kmalloc(new_size, flags & ~__GFP_ZERO, LEDGER_KMALLOC, caller)
				 : do_kvmalloc(new_size, flags & ~__GFP_ZERO, caller);
	if (!n)
		return nullptr;	/* the old object stays valid */
	memcpy(n, p, min(e.size, new_size));
	if (new_size > e.size && (flags & __GFP_ZERO))
		memset((char *)n + e.size, 0, new_size - e.size);
	do_kfree(api, p, nullptr, caller);
	return n;
}

__alloc_ptr krealloc(const void *p, size_t new_size, gfp_t flags)
{
	return {do_realloc(FREE_KREALLOC, p, new_size, flags, CALLER)};
}

__alloc_ptr krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags)
{
	size_t bytes;

	if (check_mul_overflow(new_n, new_size, &bytes))
		return {nullptr};
	return {do_realloc(FREE_KREALLOC, p, bytes, flags, CALLER)};
}

__alloc_ptr kmemdup(const void *src, size_t len, gfp_t flags)
{
	void *p = do_kmalloc(len, flags, LEDGER_KMALLOC, CALLER);

	if (!ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return {p};
}

static char *do_kstrndup(const char *s, size_t len, gfp_t flags, void *caller)
{
	char *p = (char *)do_kmalloc(len + 1, flags, LEDGER_KMALLOC, caller);

	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

char *kstrdup(const char *s, gfp_t flags)
{
	return s ? do_kstrndup(s, strlen(s), flags, CALLER) : nullptr;
}

char *kstrndup(const char *s, size_t max, gfp_t flags)
{
	return s ? do_kstrndup(s, strnlen(s, max), flags, CALLER) : nullptr;
}

char *kmemdup_nul(const char *s, size_t len, gfp_t flags)
{
	return s ? do_kstrndup(s, len, flags, CALLER) : nullptr;
}

void kfree(const void *p) { do_kfree(FREE_KFREE, p, nullptr, CALLER); }

size_t ksize(const void *p)
{
	ledger_entry e;

	if (ZERO_OR_NULL_PTR(p) || !ledger_find(p, &e))
		return 0;
	return e.size;
}

/* vmalloc: one failslab point for its bookkeeping, page-aligned memory. */
static void *do_vmalloc(size_t size, gfp_t flags, enum ledger_kind kind, void *caller)
{
	void *p;

	harness_might_sleep_at(caller);
	if (!size)
		return nullptr;
	if (should_failslab(nullptr, size, flags & ~__GFP_ZERO))
		return nullptr;
	p = host_alloc(size, PAGE_SIZE);
	if (!p)
		return nullptr;
	memset(p, (flags & __GFP_ZERO) ? 0 : POISON_INUSE, size);
	ledger_add(p, size, kind, nullptr, caller);
	return p;
}

static void *do_kvmalloc(size_t size, gfp_t flags, void *caller)
{
	gfp_t kmalloc_flags = flags;
	void *p;

	if (size > INT_MAX) {
		if (!(flags & __GFP_NOWARN)) {
			char where[256];

			harness_format_caller(caller, where, sizeof(where));
			harness_report_failure(__FILE__, __LINE__,
					       "WARNING: kvmalloc(%zu) above INT_MAX from %s",
					       size, where);
		}
		return nullptr;
	}
	/* Above a page, the kmalloc attempt is quiet and gives up early. */
	if (size > PAGE_SIZE) {
		kmalloc_flags |= __GFP_NOWARN;
		if (!(flags & __GFP_RETRY_MAYFAIL))
			kmalloc_flags |= __GFP_NORETRY;
	}
	if (size <= KMALLOC_MAX_SIZE) {
		p = do_kmalloc(size, kmalloc_flags, LEDGER_KVMALLOC, caller);
		if (p || size <= PAGE_SIZE)
			return p;
	}
	/* vmalloc cannot serve allocations that may not sleep. */
	if (!gfpflags_allow_blocking(flags))
		return nullptr;
	return do_vmalloc(size, flags, LEDGER_KVMALLOC, caller);
}

__alloc_ptr kvmalloc(size_t size, gfp_t flags) { return {do_kvmalloc(size, flags, CALLER)}; }

__alloc_ptr kvzalloc(size_t size, gfp_t flags)
{
	return {do_kvmalloc(size, flags | __GFP_ZERO, CALLER)};
}

__alloc_ptr kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return {nullptr};
	return {do_kvmalloc(bytes, flags, CALLER)};
}

__alloc_ptr kvcalloc(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return {nullptr};
	return {do_kvmalloc(bytes, flags | __GFP_ZERO, CALLER)};
}

__alloc_ptr kvrealloc(const void *p, size_t size, gfp_t flags)
{
	return {do_realloc(FREE_KVREALLOC, p, size, flags, CALLER)};
}

void kvfree(const void *p) { do_kfree(FREE_KVFREE, p, nullptr, CALLER); }

__alloc_ptr vmalloc(unsigned long size)
{
	return {do_vmalloc(size, GFP_KERNEL, LEDGER_VMALLOC, CALLER)};
}

__alloc_ptr vzalloc(unsigned long size)
{
	return {do_vmalloc(size, GFP_KERNEL | __GFP_ZERO, LEDGER_VMALLOC, CALLER)};
}

void vfree(const void *p)
{
	do_kfree(FREE_VFREE, p, nullptr, CALLER);
}

/* ---- kmem_cache ---- */

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned long flags, void (*ctor)(void *))
{
	struct kmem_cache *s = new kmem_cache;

	s->name = name;
	s->size = size ? size : 1;
	s->align = align ? align : 8;
	if ((flags & SLAB_HWCACHE_ALIGN) && s->align < 64)
		s->align = 64;
	s->flags = flags;
	s->ctor = ctor;
	s->live = 0;
	ledger_add(s, sizeof(*s), LEDGER_CACHE, s, CALLER);
	return s;
}

static void *do_cache_alloc(struct kmem_cache *s, gfp_t flags, void *caller)
{
	void *p;

	if (gfpflags_allow_blocking(flags))
		harness_might_sleep_at(caller);
	if (should_failslab(s, s->size, flags))
		return nullptr;
	p = host_alloc(s->size, s->align);
	if (!p)
		return nullptr;
	if (flags & __GFP_ZERO)
		memset(p, 0, s->size);
	else if (s->ctor)
		s->ctor(p);
	else
		memset(p, POISON_INUSE, s->size);
	s->live.fetch_add(1);
	ledger_add(p, s->size, LEDGER_CACHE_OBJ, s, caller);
	return p;
}

__alloc_ptr kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	return {do_cache_alloc(s, flags, CALLER)};
}

__alloc_ptr kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags)
{
	return {do_cache_alloc(s, flags | __GFP_ZERO, CALLER)};
}

void kmem_cache_free(struct kmem_cache *s, void *objp)
{
	if (objp)
		do_kfree(FREE_CACHE, objp, s, CALLER);
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	void *caller = CALLER;
	ledger_free_info info = {};
	ledger_entry e;

	if (!s)
		return;
	if (!ledger_find(s, &e) || e.kind != LEDGER_CACHE) {
		ledger_del(s, caller, nullptr, &info);
		report_bad_free(FREE_CACHE, s, info, caller);
		return;
	}
	if (long n = s->live.load()) {
		char where[256];

		harness_format_caller(caller, where, sizeof(where));
		harness_report_failure(__FILE__, __LINE__,
				       "WARNING: kmem_cache_destroy(%s) with %ld objects "
				       "remaining, from %s",
				       s->name, n, where);
		/* The objects keep pointing at the cache: keep it, as the kernel does. */
		return;
	}
	ledger_del(s, caller, nullptr, nullptr);
	delete s;
}

unsigned int kmem_cache_size(struct kmem_cache *s) { return s->size; }

unsigned long harness_kmem_cache_flags(struct kmem_cache *s) { return s->flags; }

void *harness_kmalloc_caller(size_t size, gfp_t flags, void *caller)
{
	return do_kmalloc(size, flags, LEDGER_KMALLOC, caller);
}

void *harness_kvmalloc_caller(size_t size, gfp_t flags, void *caller)
{
	return do_kvmalloc(size, flags, caller);
}
