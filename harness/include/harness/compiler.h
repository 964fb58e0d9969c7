/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel base types and compiler helpers for kernel-side C++ code.
 *
 * Kernel-side code in uiommufd (harness, core, drivers) is written against
 * these names so that it reads like, and greps like, the kernel code it
 * mirrors. Nothing here allocates or fails.
 */
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef uint64_t phys_addr_t;
typedef uint64_t dma_addr_t;
typedef u32 gfp_t;
typedef u32 ioasid_t;

/* User pointers are plain addresses in the user's address space. */
#define __user
#define __iomem
#define __force
#define __must_check __attribute__((__warn_unused_result__))
#define __always_unused [[maybe_unused]]
#define __maybe_unused [[maybe_unused]]
#define fallthrough [[fallthrough]]

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define container_of(ptr, type, member)                                       \
	((type *)((char *)(ptr) - offsetof(type, member)))

/*
 * Marked accesses, as the kernel's: one load or store the compiler may not
 * tear, fuse or invent. Integers, enums and pointers use relaxed atomics,
 * which compile to the same single move and which ThreadSanitizer knows
 * as intended races (KCSAN's view of READ_ONCE/WRITE_ONCE); anything else
 * is a volatile access.
 */
template <typename T>
constexpr bool __once_atomic = (std::is_integral_v<T> || std::is_enum_v<T> ||
				std::is_pointer_v<T>) && sizeof(T) <= 8;

template <typename T>
static inline T __read_once(const T &x)
{
	if constexpr (__once_atomic<T>)
		return __atomic_load_n(&x, __ATOMIC_RELAXED);
	else
		return *(const volatile T *)&x;
}

template <typename T, typename V>
static inline void __write_once(T &x, V val)
{
	if constexpr (__once_atomic<T>)
		__atomic_store_n(&x, (T)val, __ATOMIC_RELAXED);
	else
		*(volatile T *)&x = val;
}

#define READ_ONCE(x) __read_once(x)
#define WRITE_ONCE(x, val) __write_once((x), (val))

#define u64_to_user_ptr(x) ((void __user *)(uintptr_t)(x))

#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12
#endif
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))

#define ALIGN(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

template <typename T, typename U> constexpr auto min(T a, U b) { return a < b ? a : b; }
template <typename T, typename U> constexpr auto max(T a, U b) { return a > b ? a : b; }
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define max_t(type, a, b) ((type)(a) > (type)(b) ? (type)(a) : (type)(b))

/* Kernel-internal errnos that never reach userspace as such. */
#define ERESTARTSYS 512
#define ENOIOCTLCMD 515	/* the VFS turns it into -ENOTTY */
#define ENOTSUPP 524
