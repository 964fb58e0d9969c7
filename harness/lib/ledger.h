/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to harness/lib: the allocation ledger shared by the slab
 * allocator and fake physical memory, so that one kmem_leak_report() sees
 * every kind of kernel allocation.
 */
#pragma once

#include "harness/compiler.h"

#include <cstdio>

struct kmem_cache;

enum ledger_kind : u8 {
	LEDGER_KMALLOC,		/* kmalloc and friends */
	LEDGER_KVMALLOC,	/* kvmalloc: may be either kind in the kernel */
	LEDGER_VMALLOC,		/* vmalloc */
	LEDGER_CACHE_OBJ,	/* kmem_cache_alloc */
	LEDGER_CACHE,		/* a struct kmem_cache itself */
	LEDGER_PAGES,		/* alloc_pages block, keyed by its head page */
	LEDGER_USER_PAGE,	/* a user page with a pin or reference held */
	LEDGER_NR_KINDS,
};

struct ledger_entry {
	size_t size;
	void *caller;
	u64 seq;
	struct kmem_cache *cache;
	enum ledger_kind kind;
};

/* Records a live allocation; returns its sequence number. */
u64 ledger_add(const void *key, size_t size, enum ledger_kind kind,
	       struct kmem_cache *cache, void *caller);
struct ledger_free_info {
	bool was_freed;		/* key was freed recently: a double free */
	void *free_caller;	/* who freed it */
};

/*
 * Removes the entry for key (freed by caller) and returns true, copying it
 * to *out. When key is not live it returns false and fills *info.
 */
bool ledger_del(const void *key, void *caller, struct ledger_entry *out,
		struct ledger_free_info *info);
enum ledger_del_result {
	LEDGER_DELETED,
	LEDGER_NOT_LIVE,	/* *info says whether it was freed recently */
	LEDGER_REJECTED,	/* accept() said no; *out holds the entry */
};

/* ledger_del() for entries accept(entry, ctx) agrees to, in one lookup. */
enum ledger_del_result ledger_del_if(const void *key, void *caller,
				     bool (*accept)(const struct ledger_entry *e, const void *ctx),
				     const void *ctx, struct ledger_entry *out,
				     struct ledger_free_info *info);

/* Looks up a live entry without removing it. */
bool ledger_find(const void *key, struct ledger_entry *out);
const char *ledger_kind_name(enum ledger_kind kind);

/* Allocation with an explicit caller, for wrappers like memdup_user(). */
void *harness_kmalloc_caller(size_t size, gfp_t flags, void *caller);
void *harness_kvmalloc_caller(size_t size, gfp_t flags, void *caller);
unsigned long harness_kmem_cache_flags(struct kmem_cache *s);

/*
 * might_sleep() on behalf of caller: allocations that may block, and user
 * copies, are bugs under a spinlock. Reported at the caller.
 */
void harness_might_sleep_at(void *caller);

/* "func+0x1c (binary+0x4a2c)" or as good as the platform can do. */
void harness_format_caller(void *caller, char *buf, size_t len);
