/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomic_t/atomic64_t/atomic_long_t, refcount_t and struct kref.
 *
 * The atomics are plain structs around an integer (as in the kernel, so they
 * can sit in kzalloc'ed memory and be copied by value), operated on with
 * compiler builtins. Ordering follows the kernel's rules: operations that
 * return a value are fully ordered, void ones are relaxed, and the
 * _acquire/_release/_relaxed suffixes do what they say.
 *
 * refcount_t saturates like the kernel's: an increment from zero (a
 * use-after-free), an overflow past INT_MAX or a decrement below zero
 * reports a failure to the running test (a WARN) and pins the counter at
 * REFCOUNT_SATURATED, so the object leaks instead of being freed twice.
 * Unlike the kernel, which warns once per boot, every saturation event is
 * reported, so each test sees its own.
 */
#pragma once

#include "harness/bug.h"
#include "harness/compiler.h"

#include <climits>

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

typedef struct {
	long counter;
} atomic_long_t;

#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
#define ATOMIC_LONG_INIT(i) { (i) }

/*
 * One set of operations per atomic type; @pfx is the kernel's prefix
 * (atomic, atomic64, atomic_long) and @T the counter type.
 */
#define __HARNESS_ATOMIC_OPS(pfx, atype, T)                                   \
	static inline T pfx##_read(const atype *v)                            \
	{                                                                     \
		return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);        \
	}                                                                     \
	static inline T pfx##_read_acquire(const atype *v)                    \
	{                                                                     \
		return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);        \
	}                                                                     \
	static inline void pfx##_set(atype *v, T i)                           \
	{                                                                     \
		__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);           \
	}                                                                     \
	static inline void pfx##_set_release(atype *v, T i)                   \
	{                                                                     \
		__atomic_store_n(&v->counter, i, __ATOMIC_RELEASE);           \
	}                                                                     \
	static inline void pfx##_add(T i, atype *v)                           \
	{                                                                     \
		__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);         \
	}                                                                     \
	static inline void pfx##_sub(T i, atype *v)                           \
	{                                                                     \
		__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);         \
	}                                                                     \
	static inline void pfx##_inc(atype *v) { pfx##_add(1, v); }           \
	static inline void pfx##_dec(atype *v) { pfx##_sub(1, v); }           \
	static inline void pfx##_and(T i, atype *v)                           \
	{                                                                     \
		__atomic_fetch_and(&v->counter, i, __ATOMIC_RELAXED);         \
	}                                                                     \
	static inline void pfx##_or(T i, atype *v)                            \
	{                                                                     \
		__atomic_fetch_or(&v->counter, i, __ATOMIC_RELAXED);          \
	}                                                                     \
	static inline void pfx##_xor(T i, atype *v)                           \
	{                                                                     \
		__atomic_fetch_xor(&v->counter, i, __ATOMIC_RELAXED);         \
	}                                                                     \
	static inline void pfx##_andnot(T i, atype *v)                        \
	{                                                                     \
		__atomic_fetch_and(&v->counter, ~i, __ATOMIC_RELAXED);        \
	}                                                                     \
	static inline T pfx##_fetch_add(T i, atype *v)                        \
	{                                                                     \
		return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);  \
	}                                                                     \
	static inline T pfx##_fetch_add_relaxed(T i, atype *v)                \
	{                                                                     \
		return __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);  \
	}                                                                     \
	static inline T pfx##_fetch_sub(T i, atype *v)                        \
	{                                                                     \
		return __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST);  \
	}                                                                     \
	static inline T pfx##_fetch_sub_release(T i, atype *v)                \
	{                                                                     \
		return __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELEASE);  \
	}                                                                     \
	static inline T pfx##_fetch_inc(atype *v) { return pfx##_fetch_add(1, v); } \
	static inline T pfx##_fetch_dec(atype *v) { return pfx##_fetch_sub(1, v); } \
	static inline T pfx##_fetch_and(T i, atype *v)                        \
	{                                                                     \
		return __atomic_fetch_and(&v->counter, i, __ATOMIC_SEQ_CST);  \
	}                                                                     \
	static inline T pfx##_fetch_or(T i, atype *v)                         \
	{                                                                     \
		return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST);   \
	}                                                                     \
	static inline T pfx##_fetch_xor(T i, atype *v)                        \
	{                                                                     \
		return __atomic_fetch_xor(&v->counter, i, __ATOMIC_SEQ_CST);  \
	}                                                                     \
	static inline T pfx##_fetch_andnot(T i, atype *v)                     \
	{                                                                     \
		return __atomic_fetch_and(&v->counter, ~i, __ATOMIC_SEQ_CST); \
	}                                                                     \
	static inline T pfx##_add_return(T i, atype *v)                       \
	{                                                                     \
		return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);  \
	}                                                                     \
	static inline T pfx##_add_return_relaxed(T i, atype *v)               \
	{                                                                     \
		return __atomic_add_fetch(&v->counter, i, __ATOMIC_RELAXED);  \
	}                                                                     \
	static inline T pfx##_sub_return(T i, atype *v)                       \
	{                                                                     \
		return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);  \
	}                                                                     \
	static inline T pfx##_inc_return(atype *v) { return pfx##_add_return(1, v); } \
	static inline T pfx##_dec_return(atype *v) { return pfx##_sub_return(1, v); } \
	static inline bool pfx##_dec_and_test(atype *v) { return pfx##_dec_return(v) == 0; } \
	static inline bool pfx##_inc_and_test(atype *v) { return pfx##_inc_return(v) == 0; } \
	static inline bool pfx##_sub_and_test(T i, atype *v)                  \
	{                                                                     \
		return pfx##_sub_return(i, v) == 0;                           \
	}                                                                     \
	static inline bool pfx##_add_negative(T i, atype *v)                  \
	{                                                                     \
		return pfx##_add_return(i, v) < 0;                            \
	}                                                                     \
	static inline T pfx##_xchg(atype *v, T i)                             \
	{                                                                     \
		return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST); \
	}                                                                     \
	/* Returns the old value; stores @newv only if it was @old. */        \
	static inline T pfx##_cmpxchg(atype *v, T old, T newv)                \
	{                                                                     \
		__atomic_compare_exchange_n(&v->counter, &old, newv, false,   \
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
		return old;                                                   \
	}                                                                     \
	/* On failure *@old is updated to the current value. */               \
	static inline bool pfx##_try_cmpxchg(atype *v, T *old, T newv)        \
	{                                                                     \
		return __atomic_compare_exchange_n(&v->counter, old, newv, false, \
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	}                                                                     \
	static inline bool pfx##_try_cmpxchg_relaxed(atype *v, T *old, T newv) \
	{                                                                     \
		return __atomic_compare_exchange_n(&v->counter, old, newv, false, \
						   __ATOMIC_RELAXED, __ATOMIC_RELAXED); \
	}                                                                     \
	static inline bool pfx##_try_cmpxchg_release(atype *v, T *old, T newv) \
	{                                                                     \
		return __atomic_compare_exchange_n(&v->counter, old, newv, false, \
						   __ATOMIC_RELEASE, __ATOMIC_RELAXED); \
	}                                                                     \
	/* Adds @a unless the value is @u; returns the old value. */          \
	static inline T pfx##_fetch_add_unless(atype *v, T a, T u)            \
	{                                                                     \
		T c = pfx##_read(v);                                          \
		do {                                                          \
			if (c == u)                                           \
				break;                                        \
		} while (!pfx##_try_cmpxchg(v, &c, c + a));                   \
		return c;                                                     \
	}                                                                     \
	static inline bool pfx##_add_unless(atype *v, T a, T u)               \
	{                                                                     \
		return pfx##_fetch_add_unless(v, a, u) != u;                  \
	}                                                                     \
	static inline bool pfx##_inc_not_zero(atype *v) { return pfx##_add_unless(v, 1, 0); } \
	/* Decrements unless that would go negative; returns old - 1. */      \
	static inline T pfx##_dec_if_positive(atype *v)                       \
	{                                                                     \
		T c = pfx##_read(v);                                          \
		do {                                                          \
			if (c <= 0)                                           \
				return c - 1;                                 \
		} while (!pfx##_try_cmpxchg(v, &c, c - 1));                   \
		return c - 1;                                                 \
	}

__HARNESS_ATOMIC_OPS(atomic, atomic_t, int)
__HARNESS_ATOMIC_OPS(atomic64, atomic64_t, s64)
__HARNESS_ATOMIC_OPS(atomic_long, atomic_long_t, long)
#undef __HARNESS_ATOMIC_OPS

/* Plain-variable helpers some code uses directly. */
#define xchg(ptr, v) __atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST)
#define cmpxchg(ptr, o, n)                                                    \
	({                                                                    \
		auto __old = (o);                                             \
		__atomic_compare_exchange_n((ptr), &__old, (n), false,        \
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
		__old;                                                        \
	})
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic() smp_mb()
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* refcount_t */

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n) }
#define REFCOUNT_MAX INT_MAX
#define REFCOUNT_SATURATED (INT_MIN / 2)

enum refcount_saturation_type {
	REFCOUNT_ADD_NOT_ZERO_OVF,
	REFCOUNT_ADD_OVF,
	REFCOUNT_ADD_UAF,
	REFCOUNT_SUB_UAF,
	REFCOUNT_DEC_LEAK,
};

/* a + b and a - b with the kernel's wrapping (-fno-strict-overflow) arithmetic. */
static inline int __refcount_wrap_add(int a, int b) { return (int)((unsigned int)a + (unsigned int)b); }
static inline int __refcount_wrap_sub(int a, int b) { return (int)((unsigned int)a - (unsigned int)b); }

/* Pins @r at REFCOUNT_SATURATED and reports why (a WARN). */
void refcount_warn_saturate(refcount_t *r, enum refcount_saturation_type t);

static inline void refcount_set(refcount_t *r, int n) { atomic_set(&r->refs, n); }
static inline void refcount_set_release(refcount_t *r, int n) { atomic_set_release(&r->refs, n); }
static inline unsigned int refcount_read(const refcount_t *r) { return atomic_read(&r->refs); }

__must_check static inline bool __refcount_add_not_zero(int i, refcount_t *r, int *oldp)
{
	int old = refcount_read(r);

	do {
		if (!old)
			break;
	} while (!atomic_try_cmpxchg_relaxed(&r->refs, &old, __refcount_wrap_add(old, i)));

	if (oldp)
		*oldp = old;
	if (unlikely(old < 0 || __refcount_wrap_add(old, i) < 0))
		refcount_warn_saturate(r, REFCOUNT_ADD_NOT_ZERO_OVF);
	return old;
}

/* Adds @i unless the count is zero; false means the object is dying. */
__must_check static inline bool refcount_add_not_zero(int i, refcount_t *r)
{
	return __refcount_add_not_zero(i, r, NULL);
}

__must_check static inline bool refcount_inc_not_zero(refcount_t *r)
{
	return __refcount_add_not_zero(1, r, NULL);
}

static inline void refcount_add(int i, refcount_t *r)
{
	int old = atomic_fetch_add_relaxed(i, &r->refs);

	if (unlikely(!old))
		refcount_warn_saturate(r, REFCOUNT_ADD_UAF);
	else if (unlikely(old < 0 || __refcount_wrap_add(old, i) < 0))
		refcount_warn_saturate(r, REFCOUNT_ADD_OVF);
}

static inline void refcount_inc(refcount_t *r) { refcount_add(1, r); }

/* True when this dropped the last reference; the caller then frees. */
__must_check static inline bool refcount_sub_and_test(int i, refcount_t *r)
{
	/*
	 * Release, and the kernel's acquire when this was the last reference,
	 * in the one instruction: an acq_rel RMW orders the free that follows
	 * after every other holder's last access as the kernel's fence does,
	 * ThreadSanitizer sees it, and nothing touches the counter afterwards
	 * (another waiter may free it as soon as it reads zero).
	 */
	int old = __atomic_fetch_sub(&r->refs.counter, i, __ATOMIC_ACQ_REL);

	if (old > 0 && old == i)
		return true;
	if (unlikely(old <= 0 || __refcount_wrap_sub(old, i) < 0))
		refcount_warn_saturate(r, REFCOUNT_SUB_UAF);
	return false;
}

__must_check static inline bool refcount_dec_and_test(refcount_t *r)
{
	return refcount_sub_and_test(1, r);
}

/* A decrement that must not drop the last reference. */
static inline void refcount_dec(refcount_t *r)
{
	if (unlikely(atomic_fetch_sub_release(1, &r->refs) <= 1))
		refcount_warn_saturate(r, REFCOUNT_DEC_LEAK);
}

/* 1 -> 0 only; true if it did. */
__must_check static inline bool refcount_dec_if_one(refcount_t *r)
{
	int val = 1;

	/*
	 * The kernel's is release-only and relies on the caller then owning
	 * the object; acquire as well orders the free that follows after the
	 * other holders' last accesses in a way ThreadSanitizer can see.
	 */
	return __atomic_compare_exchange_n(&r->refs.counter, &val, 0, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_RELAXED);
}

/* Decrements unless the count is 1; false means the caller holds the last one. */
__must_check static inline bool refcount_dec_not_one(refcount_t *r)
{
	unsigned int val = atomic_read(&r->refs);

	do {
		if (unlikely((int)val == REFCOUNT_SATURATED))
			return true;
		if (val == 1)
			return false;
		if (unlikely(!val)) {
			refcount_warn_saturate(r, REFCOUNT_SUB_UAF);
			return true;
		}
	} while (!atomic_try_cmpxchg_release(&r->refs, (int *)&val, val - 1));
	return true;
}

/* struct kref: a refcount with a release callback. */

struct kref {
	refcount_t refcount;
};

#define KREF_INIT(n) { .refcount = REFCOUNT_INIT(n) }

static inline void kref_init(struct kref *kref) { refcount_set(&kref->refcount, 1); }
static inline unsigned int kref_read(const struct kref *kref)
{
	return refcount_read(&kref->refcount);
}
static inline void kref_get(struct kref *kref) { refcount_inc(&kref->refcount); }

/* Drops a reference; calls @release (and returns 1) when it was the last. */
static inline int kref_put(struct kref *kref, void (*release)(struct kref *kref))
{
	if (refcount_dec_and_test(&kref->refcount)) {
		release(kref);
		return 1;
	}
	return 0;
}

__must_check static inline int kref_get_unless_zero(struct kref *kref)
{
	return refcount_inc_not_zero(&kref->refcount);
}
