/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bit numbers, masks and single-bit operations (linux/bits.h, linux/bitops.h,
 * linux/log2.h in one place).
 *
 * Bits live in arrays of unsigned long, bit 0 being the least significant
 * bit of word 0, as in the kernel. set_bit()/clear_bit()/test_and_*_bit()
 * are atomic (relaxed for the plain ones, fully ordered for the test_and_
 * ones, which is what the kernel guarantees); the __ versions are not.
 *
 * Everything that can be constexpr is, so GENMASK() and ilog2() work in
 * static_assert and template arguments. GENMASK(h, l) with h < l does not
 * compile when both are constants.
 */
#pragma once

#include "harness/compiler.h"

#include <climits>
#include <strings.h>

#define BITS_PER_BYTE 8
#define BITS_PER_LONG ((int)(sizeof(unsigned long) * BITS_PER_BYTE))
#define BITS_PER_LONG_LONG 64
#define BITS_PER_TYPE(type) (sizeof(type) * BITS_PER_BYTE)
#define BITS_TO_LONGS(nr) DIV_ROUND_UP((unsigned long)(nr), BITS_PER_LONG)
#define BITS_TO_U64(nr) DIV_ROUND_UP((unsigned long)(nr), 64)
#define BITS_TO_U32(nr) DIV_ROUND_UP((unsigned long)(nr), 32)
#define BITS_TO_BYTES(nr) DIV_ROUND_UP((unsigned long)(nr), BITS_PER_BYTE)

#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_ULL_MASK(nr) (1ULL << ((nr) % BITS_PER_LONG_LONG))
#define BIT_ULL_WORD(nr) ((nr) / BITS_PER_LONG_LONG)

/*
 * A mask with bits l..h set. The (h, l) order is the kernel's (high first);
 * swapping them is a classic bug, caught at compile time for constants.
 */
template <typename T> constexpr T __genmask(unsigned int h, unsigned int l)
{
	return (T)((~(T)0 << l) & (~(T)0 >> (sizeof(T) * 8 - 1 - h)));
}
template <bool ok> struct __genmask_order_check {
	static_assert(ok, "GENMASK(h, l) needs h >= l (high bit first)");
	static constexpr int value = 0;
};
#define __GENMASK_CHECK(h, l)                                                 \
	(__genmask_order_check<(!(__builtin_constant_p(h) && __builtin_constant_p(l)) || \
				((__builtin_constant_p(h) ? (long long)(h) : 0) >= \
				 (__builtin_constant_p(l) ? (long long)(l) : 0)))>::value)
#define GENMASK(h, l) (__GENMASK_CHECK(h, l) + __genmask<unsigned long>((h), (l)))
#define GENMASK_ULL(h, l) (__GENMASK_CHECK(h, l) + __genmask<unsigned long long>((h), (l)))
#define GENMASK_U8(h, l) ((u8)GENMASK(h, l))
#define GENMASK_U16(h, l) ((u16)GENMASK(h, l))
#define GENMASK_U32(h, l) ((u32)GENMASK(h, l))
#define GENMASK_U64(h, l) ((u64)GENMASK_ULL(h, l))

/* Population counts. */
constexpr unsigned int hweight8(unsigned int w) { return __builtin_popcount(w & 0xff); }
constexpr unsigned int hweight16(unsigned int w) { return __builtin_popcount(w & 0xffff); }
constexpr unsigned int hweight32(unsigned int w) { return __builtin_popcount(w); }
constexpr unsigned int hweight64(u64 w) { return __builtin_popcountll(w); }
constexpr unsigned long hweight_long(unsigned long w) { return __builtin_popcountl(w); }

/*
 * ffs()/fls(): 1-based, 0 when no bit is set (the C library convention).
 * ffs() itself is the C library's, from <strings.h>.
 */
constexpr int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
constexpr int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
constexpr int fls_long(unsigned long x) { return x ? BITS_PER_LONG - __builtin_clzl(x) : 0; }
/* __ffs()/__fls(): 0-based; undefined for 0 exactly as in the kernel. */
constexpr unsigned long __ffs(unsigned long x) { return __builtin_ctzl(x); }
constexpr unsigned long __fls(unsigned long x) { return BITS_PER_LONG - 1 - __builtin_clzl(x); }
constexpr unsigned int __ffs64(u64 x) { return __builtin_ctzll(x); }
constexpr unsigned long ffz(unsigned long x) { return __ffs(~x); }

constexpr bool is_power_of_2(unsigned long n) { return n != 0 && (n & (n - 1)) == 0; }

/* ilog2(0) is undefined in the kernel; here it is -1 so constant misuse is visible. */
constexpr int ilog2(u64 n) { return n ? 63 - __builtin_clzll(n) : -1; }
/* roundup_pow_of_two(0) is undefined in the kernel; here it is 1. */
constexpr unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1UL : 1UL << fls_long(n - 1);
}
constexpr unsigned long rounddown_pow_of_two(unsigned long n)
{
	return n ? 1UL << (fls_long(n) - 1) : 0;
}
constexpr int order_base_2(unsigned long n) { return n > 1 ? ilog2(n - 1) + 1 : 0; }
constexpr int get_count_order(unsigned int count)
{
	return count ? fls(--count) : -1;
}

static inline void set_bit(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}
static inline void clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELAXED);
}
static inline void change_bit(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_xor(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}
static inline bool test_and_set_bit(unsigned long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}
static inline bool test_and_clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}
static inline bool test_and_change_bit(unsigned long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_xor(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}
static inline void clear_bit_unlock(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELEASE);
}
static inline bool test_and_set_bit_lock(unsigned long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_ACQUIRE) &
	       BIT_MASK(nr);
}

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}
static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}
static inline void __change_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] ^= BIT_MASK(nr);
}
static inline bool __test_and_set_bit(unsigned long nr, unsigned long *addr)
{
	bool old = addr[BIT_WORD(nr)] & BIT_MASK(nr);

	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
	return old;
}
static inline bool __test_and_clear_bit(unsigned long nr, unsigned long *addr)
{
	bool old = addr[BIT_WORD(nr)] & BIT_MASK(nr);

	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
	return old;
}
static inline bool test_bit(unsigned long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_RELAXED) >> (nr % BITS_PER_LONG)) & 1;
}
static inline bool test_bit_acquire(unsigned long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_ACQUIRE) >> (nr % BITS_PER_LONG)) & 1;
}

/* Searches; each returns @size when nothing is found. */
unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
			    unsigned long offset);
unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
				 unsigned long offset);
unsigned long find_last_bit(const unsigned long *addr, unsigned long size);
unsigned long find_next_and_bit(const unsigned long *addr1, const unsigned long *addr2,
				unsigned long size, unsigned long offset);
static inline unsigned long find_first_bit(const unsigned long *addr, unsigned long size)
{
	return find_next_bit(addr, size, 0);
}
static inline unsigned long find_first_zero_bit(const unsigned long *addr, unsigned long size)
{
	return find_next_zero_bit(addr, size, 0);
}

#define for_each_set_bit(bit, addr, size)                                     \
	for ((bit) = find_first_bit((addr), (size)); (bit) < (size);           \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))
#define for_each_set_bit_from(bit, addr, size)                                \
	for ((bit) = find_next_bit((addr), (size), (bit)); (bit) < (size);     \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))
#define for_each_clear_bit(bit, addr, size)                                   \
	for ((bit) = find_first_zero_bit((addr), (size)); (bit) < (size);      \
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))
#define for_each_clear_bit_from(bit, addr, size)                              \
	for ((bit) = find_next_zero_bit((addr), (size), (bit)); (bit) < (size); \
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))
