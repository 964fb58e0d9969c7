/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XArray (linux/xarray.h): an array of pointers indexed by unsigned
 * long, with ID allocation, reservations and the xa_state ("xas") API.
 *
 * Underneath is a radix tree shaped like the kernel's: 64 slots per node,
 * at most 11 levels for a 64-bit index, a lone entry at index 0 stored in
 * the head without a node, nodes freed as soon as they empty and the tree
 * shrunk when its top only holds slot 0. So lookups and stores are
 * O(log64 n) in the index, and node allocations happen where the kernel's
 * happen. Nodes come from kmalloc(), so leak accounting and failslab apply
 * to them; allocation follows the kernel's protocol: a store first tries
 * GFP_NOWAIT under the lock, and on -ENOMEM xas_nomem()/__xas_nomem()
 * allocate with the caller's gfp (dropping xa_lock first when that gfp may
 * block) and the store is retried. A single injected failure therefore
 * does not make a store fail, exactly as in the kernel.
 *
 * Each node also records which slots are "full" (an entry, or a child with
 * no free index), which is the kernel's XA_FREE_MARK inverted: xa_alloc()
 * finds the lowest free index >= min in O(log n) without wrapping.
 *
 * Entries: any pointer with the low two bits clear, value entries from
 * xa_mk_value(), and XA_ZERO_ENTRY. A reserved index holds XA_ZERO_ENTRY:
 * it loads as NULL, is skipped by xa_for_each() and xa_find(), is not free
 * for xa_alloc() and xa_insert(), and can be overwritten by xa_store().
 * Storing NULL with xa_store() into an allocating array reserves the index
 * (as in the kernel); xa_erase() frees it. Storing any other internal
 * entry (or a pointer with the low bits 10) is WARNed and fails -EINVAL.
 *
 * Locking: writers take xa_lock, a real spinlock_t (lockdep-tracked), and
 * the __xa_*() and xas_store() calls check that it is held. Readers (xa_load,
 * xa_find, xa_for_each, xas_load/find/next) take no xa_lock: where the
 * kernel relies on RCU they take a private mutex for the duration of one
 * lookup instead, invisible to lockdep, so they may run with or without
 * xa_lock held, concurrently with writers.
 *
 * Not modelled: search marks (XA_MARK_0..2; a marked xa_find() WARNs),
 * multi-index entries and xa_store_range(), the xas_*() calls beyond those
 * declared here.
 */
#pragma once

#include "harness/bug.h"
#include "harness/compiler.h"
#include "harness/err.h"
#include "harness/slab.h"
#include "harness/spinlock.h"

#include <climits>
#include <pthread.h>

/* Entry encoding (the kernel's). */

static inline void *xa_mk_value(unsigned long v) { return (void *)((v << 1) | 1); }
static inline unsigned long xa_to_value(const void *entry) { return (unsigned long)entry >> 1; }
static inline bool xa_is_value(const void *entry) { return (unsigned long)entry & 1; }
static inline void *xa_mk_internal(unsigned long v) { return (void *)((v << 2) | 2); }
static inline unsigned long xa_to_internal(const void *entry) { return (unsigned long)entry >> 2; }
static inline bool xa_is_internal(const void *entry) { return ((unsigned long)entry & 3) == 2; }

#define XA_RETRY_ENTRY xa_mk_internal(256)
#define XA_ZERO_ENTRY xa_mk_internal(257)

static inline bool xa_is_zero(const void *entry) { return entry == XA_ZERO_ENTRY; }
static inline bool xa_is_retry(const void *entry) { return entry == XA_RETRY_ENTRY; }
/* Node pointers are internal entries above 4096 (never user-visible). */
static inline bool xa_is_node(const void *entry)
{
	return xa_is_internal(entry) && (unsigned long)entry > 4096;
}
static inline void *xa_zero_to_null(void *entry) { return xa_is_zero(entry) ? NULL : entry; }

#define XA_ERROR(errno) ((void *)((((unsigned long)(long)(errno)) << 2) | 2UL))
static inline bool xa_is_err(const void *entry)
{
	return xa_is_internal(entry) && (unsigned long)entry >= (unsigned long)XA_ERROR(-MAX_ERRNO);
}
/* The errno in an xa_is_err() entry, else 0. */
static inline int xa_err(const void *entry)
{
	return xa_is_err(entry) ? (int)((long)entry >> 2) : 0;
}

typedef unsigned int xa_mark_t;
#define XA_MARK_0 ((xa_mark_t)0U)
#define XA_MARK_1 ((xa_mark_t)1U)
#define XA_MARK_2 ((xa_mark_t)2U)
#define XA_PRESENT ((xa_mark_t)8U)
#define XA_MARK_MAX XA_MARK_2
#define XA_FREE_MARK XA_MARK_0

/* xa_flags (values private to uiommufd). */
#define XA_FLAGS_LOCK_IRQ	((gfp_t)0x01u)
#define XA_FLAGS_LOCK_BH	((gfp_t)0x02u)
#define XA_FLAGS_TRACK_FREE	((gfp_t)0x04u)
#define XA_FLAGS_ZERO_BUSY	((gfp_t)0x08u)
#define XA_FLAGS_ALLOC_WRAPPED	((gfp_t)0x10u)
#define XA_FLAGS_ACCOUNT	((gfp_t)0x20u)
#define XA_FLAGS_ALLOC		XA_FLAGS_TRACK_FREE
#define XA_FLAGS_ALLOC1		(XA_FLAGS_TRACK_FREE | XA_FLAGS_ZERO_BUSY)

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1UL << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK (XA_CHUNK_SIZE - 1)

struct xa_node {
	unsigned char shift;	/* index bits below this level */
	unsigned char offset;	/* slot in the parent */
	unsigned char count;	/* non-NULL slots */
	struct xa_node *parent;	/* also chains spare nodes in an xa_state */
	unsigned long base;	/* first index covered */
	unsigned long present;	/* bitmap of non-NULL slots */
	unsigned long full;	/* bitmap of slots with no free index below */
	void *slots[XA_CHUNK_SIZE];
};

struct xarray {
	spinlock_t xa_lock;
	gfp_t xa_flags;
	void *xa_head;		/* NULL, the entry at index 0, or a node */
	pthread_mutex_t xa_rcu;	/* stands in for RCU: see above */
};

#define XARRAY_INIT(name, flags)                                              \
	{ __SPIN_LOCK_UNLOCKED(name.xa_lock), (flags), NULL, PTHREAD_MUTEX_INITIALIZER }
#define DEFINE_XARRAY_FLAGS(name, flags) struct xarray name = XARRAY_INIT(name, flags)
#define DEFINE_XARRAY(name) DEFINE_XARRAY_FLAGS(name, 0)
#define DEFINE_XARRAY_ALLOC(name) DEFINE_XARRAY_FLAGS(name, XA_FLAGS_ALLOC)
#define DEFINE_XARRAY_ALLOC1(name) DEFINE_XARRAY_FLAGS(name, XA_FLAGS_ALLOC1)

static inline void xa_init_flags(struct xarray *xa, gfp_t flags)
{
	spin_lock_init(&xa->xa_lock);
	xa->xa_flags = flags;
	xa->xa_head = NULL;
	pthread_mutex_init(&xa->xa_rcu, NULL);
}

static inline void xa_init(struct xarray *xa) { xa_init_flags(xa, 0); }

/* No entries and no reservations. */
static inline bool xa_empty(const struct xarray *xa)
{
	return __atomic_load_n(&xa->xa_head, __ATOMIC_ACQUIRE) == NULL;
}

#define xa_lock(xa) spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa) spin_unlock(&(xa)->xa_lock)
#define xa_lock_bh(xa) spin_lock_bh(&(xa)->xa_lock)
#define xa_unlock_bh(xa) spin_unlock_bh(&(xa)->xa_lock)
#define xa_lock_irq(xa) spin_lock_irq(&(xa)->xa_lock)
#define xa_unlock_irq(xa) spin_unlock_irq(&(xa)->xa_lock)
#define xa_lock_irqsave(xa, flags) spin_lock_irqsave(&(xa)->xa_lock, flags)
#define xa_unlock_irqrestore(xa, flags) spin_unlock_irqrestore(&(xa)->xa_lock, flags)
#define xa_lock_nested(xa, subclass) spin_lock_nested(&(xa)->xa_lock, subclass)

/* ID allocation limits, inclusive. */
struct xa_limit {
	u32 max;
	u32 min;
};
#define XA_LIMIT(_min, _max) (xa_limit{ .max = (u32)(_max), .min = (u32)(_min) })
#define xa_limit_32b XA_LIMIT(0, UINT_MAX)
#define xa_limit_31b XA_LIMIT(0, INT_MAX)
#define xa_limit_16b XA_LIMIT(0, USHRT_MAX)

/* The normal API: each call takes xa_lock itself (readers take none). */
void *xa_load(struct xarray *xa, unsigned long index);
/* Returns the old entry, or an xa_err() entry (-ENOMEM, -EINVAL). */
void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *xa_erase(struct xarray *xa, unsigned long index);
/*
 * Replaces the entry at @index with @entry if it is @old (compared raw:
 * a reserved index matches XA_ZERO_ENTRY, not NULL). Returns the previous
 * entry (XA_ZERO_ENTRY reported as NULL) or an xa_err() entry.
 */
void *xa_cmpxchg(struct xarray *xa, unsigned long index, void *old, void *entry, gfp_t gfp);
/* 0, -EBUSY if the index is in use (reserved counts), -ENOMEM, -EINVAL. */
__must_check int xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
/*
 * Stores @entry (NULL: reserves) at the lowest free index in [limit.min,
 * limit.max] (never 0 for XA_FLAGS_ALLOC1) and sets *@id. 0, -EBUSY when
 * no index is free, -ENOMEM; -EINVAL (and a WARN) for an array without
 * XA_FLAGS_ALLOC.
 */
__must_check int xa_alloc(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit,
			  gfp_t gfp);
/*
 * As xa_alloc() but searching from *@next first and wrapping to
 * limit.min; updates *@next. 0, 1 if the search wrapped, or an errno.
 */
int xa_alloc_cyclic(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit,
		    u32 *next, gfp_t gfp);
/* The first entry at or after *@index, up to @max; updates *@index. */
void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max, xa_mark_t filter);
/* The first entry after *@index, up to @max; updates *@index. */
void *xa_find_after(struct xarray *xa, unsigned long *index, unsigned long max,
		    xa_mark_t filter);
/* Frees every node; the entries themselves are the caller's. */
void xa_destroy(struct xarray *xa);
/*
 * Checks the tree's invariants (counts, bitmaps, links, no empty node, a
 * shrunk root); reports (harness_report_failure) and returns false on the
 * first violation. For tests.
 */
bool xa_validate(struct xarray *xa);

/* The same with xa_lock already held (checked); may drop it to allocate. */
void *__xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *__xa_erase(struct xarray *xa, unsigned long index);
void *__xa_cmpxchg(struct xarray *xa, unsigned long index, void *old, void *entry, gfp_t gfp);
__must_check int __xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
__must_check int __xa_alloc(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit,
			    gfp_t gfp);
int __xa_alloc_cyclic(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit,
		      u32 *next, gfp_t gfp);

#define xa_store_bh xa_store
#define xa_store_irq xa_store
#define xa_erase_bh xa_erase
#define xa_erase_irq xa_erase
#define xa_insert_bh xa_insert
#define xa_insert_irq xa_insert
#define xa_alloc_bh xa_alloc
#define xa_alloc_irq xa_alloc
#define xa_alloc_cyclic_bh xa_alloc_cyclic
#define xa_alloc_cyclic_irq xa_alloc_cyclic

/* Makes @index busy (loads as NULL) so a later store cannot fail. */
__must_check static inline int xa_reserve(struct xarray *xa, unsigned long index, gfp_t gfp)
{
	return xa_err(xa_cmpxchg(xa, index, NULL, XA_ZERO_ENTRY, gfp));
}
#define xa_reserve_bh xa_reserve
#define xa_reserve_irq xa_reserve

/* Frees a reservation; an index holding a real entry is left alone. */
static inline void xa_release(struct xarray *xa, unsigned long index)
{
	xa_cmpxchg(xa, index, XA_ZERO_ENTRY, NULL, 0);
}

/*
 * The entries land in typed cursors (struct foo *obj), which void * does
 * not convert to in C++: hence the casts.
 */
#define xa_for_each_range(xa, index, entry, start, last)                      \
	for ((index) = (start),                                               \
	    (entry) = (__typeof__(entry))xa_find((xa), &(index), (last), XA_PRESENT); \
	     (entry);                                                         \
	     (entry) = (__typeof__(entry))xa_find_after((xa), &(index), (last), XA_PRESENT))
#define xa_for_each_start(xa, index, entry, start)                            \
	xa_for_each_range(xa, index, entry, start, ULONG_MAX)
#define xa_for_each(xa, index, entry) xa_for_each_start(xa, index, entry, 0)

/*
 * The advanced API. An xa_state is a cursor at xa_index plus an error and
 * the spare nodes xas_nomem() allocated. xas_load/find/next return raw
 * entries (XA_ZERO_ENTRY included; xas_retry() skips it); xas_store()
 * stores raw (NULL erases, also in allocating arrays) and returns the raw
 * old entry.
 */
enum xas_status { XAS_RESTART, XAS_WALKED, XAS_BOUNDS };

struct xa_state {
	struct xarray *xa;
	unsigned long xa_index;
	struct xa_node *xa_alloc;
	int xa_error;
	enum xas_status xa_status;
};

#define __XA_STATE(array, index)                                              \
	{ .xa = (array), .xa_index = (index), .xa_alloc = NULL, .xa_error = 0,  \
	  .xa_status = XAS_RESTART }
#define XA_STATE(name, array, index) struct xa_state name = __XA_STATE(array, index)

#define xas_lock(xas) xa_lock((xas)->xa)
#define xas_unlock(xas) xa_unlock((xas)->xa)
#define xas_lock_bh(xas) xa_lock_bh((xas)->xa)
#define xas_unlock_bh(xas) xa_unlock_bh((xas)->xa)
#define xas_lock_irq(xas) xa_lock_irq((xas)->xa)
#define xas_unlock_irq(xas) xa_unlock_irq((xas)->xa)
#define xas_lock_irqsave(xas, flags) xa_lock_irqsave((xas)->xa, flags)
#define xas_unlock_irqrestore(xas, flags) xa_unlock_irqrestore((xas)->xa, flags)

static inline int xas_error(const struct xa_state *xas) { return xas->xa_error; }
static inline void xas_set_err(struct xa_state *xas, long err) { xas->xa_error = (int)err; }
static inline bool xas_invalid(const struct xa_state *xas)
{
	return xas->xa_error || xas->xa_status != XAS_WALKED;
}
static inline bool xas_valid(const struct xa_state *xas) { return !xas_invalid(xas); }
/* Back to "not walked", error cleared: the next op starts at xa_index. */
static inline void xas_reset(struct xa_state *xas)
{
	xas->xa_error = 0;
	xas->xa_status = XAS_RESTART;
}
static inline void xas_set(struct xa_state *xas, unsigned long index)
{
	xas->xa_index = index;
	xas_reset(xas);
}
/* True for entries a walk must skip (reserved ones here: there is no RCU). */
static inline bool xas_retry(struct xa_state *xas, const void *entry)
{
	if (xa_is_zero(entry))
		return true;
	if (!xa_is_retry(entry))
		return false;
	xas_reset(xas);
	return true;
}

void *xas_load(struct xa_state *xas);
/* Needs xa_lock; sets xas_error() to -ENOMEM when a node is missing. */
void *xas_store(struct xa_state *xas, void *entry);
/* The first entry at xa_index (if not walked yet) or after it, up to @max. */
void *xas_find(struct xa_state *xas, unsigned long max);
static inline void *xas_next_entry(struct xa_state *xas, unsigned long max)
{
	return xas_find(xas, max);
}
/* Moves to the next index (not on a fresh cursor) and loads it. */
void *xas_next(struct xa_state *xas);
void *xas_prev(struct xa_state *xas);
/* Makes the next xas_find() continue after the current index. */
void xas_pause(struct xa_state *xas);
/*
 * After -ENOMEM: allocates one spare node with @gfp and returns true (retry
 * the operation). Otherwise frees the spares and returns false.
 */
bool xas_nomem(struct xa_state *xas, gfp_t gfp);
/* Frees the spare nodes. */
void xas_destroy(struct xa_state *xas);

#define xas_for_each(xas, entry, max)                                         \
	for ((entry) = (__typeof__(entry))xas_find((xas), (max)); (entry);       \
	     (entry) = (__typeof__(entry))xas_next_entry((xas), (max)))
