/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FIELD_PREP()/FIELD_GET() and friends (linux/bitfield.h).
 *
 * Register and table-entry layouts in the drivers and hardware models are
 * written as masks; these macros move values in and out of them. As in the
 * kernel the mask must be a compile-time constant: it is passed as a
 * template argument, so a non-constant mask does not compile, and
 * static_asserts reject an empty mask, a mask with holes, and a constant
 * value that does not fit its field. A run-time value that does not fit is
 * truncated silently, as the kernel does.
 *
 * field_prep()/field_get() (lower case) take a run-time mask.
 */
#pragma once

#include "harness/bitops.h"

template <typename T> constexpr unsigned int __bf_shf(T mask)
{
	return __builtin_ctzll((unsigned long long)mask);
}

template <auto mask> constexpr void __bf_check_mask()
{
	using T = decltype(mask);
	static_assert(std::is_integral_v<T> || std::is_enum_v<T>, "mask is not an integer");
	static_assert(mask != 0, "mask is zero");
	/* A contiguous mask plus its lowest bit is a power of two (or wraps to 0). */
	constexpr unsigned long long m = (unsigned long long)mask;
	static_assert(((m + (m & -m)) & (m + (m & -m) - 1)) == 0, "mask is not contiguous");
}

/* @cval is the value if it is a compile-time constant, else 0. */
template <auto mask, unsigned long long cval>
constexpr auto __field_prep(unsigned long long val)
{
	__bf_check_mask<mask>();
	constexpr unsigned long long fmax = (unsigned long long)mask >> __bf_shf(mask);
	static_assert((cval & ~fmax) == 0, "value too large for the field");
	using T = decltype(mask);
	return (T)(((T)val << __bf_shf(mask)) & mask);
}

template <auto mask, typename R> constexpr auto __field_get(R reg)
{
	__bf_check_mask<mask>();
	static_assert(sizeof(mask) <= sizeof(unsigned long long), "mask too wide");
	using T = decltype(mask);
	return (T)(((T)reg & mask) >> __bf_shf(mask));
}

#define __bf_const_or_zero(v) (__builtin_constant_p(v) ? (unsigned long long)(v) : 0ULL)

/* @val shifted into the field @mask. */
#define FIELD_PREP(mask, val) (__field_prep<(mask), __bf_const_or_zero(val)>((unsigned long long)(val)))
/* The field @mask extracted from @reg. */
#define FIELD_GET(mask, reg) (__field_get<(mask)>(reg))
/* The largest value the field @mask holds. */
#define FIELD_MAX(mask)                                                       \
	(__bf_check_mask<(mask)>(), (decltype(mask))((mask) >> __bf_shf(mask)))
/* Whether @val fits in the field @mask. */
#define FIELD_FIT(mask, val)                                                  \
	(__bf_check_mask<(mask)>(),                                           \
	 !((((decltype(mask))(val)) << __bf_shf(mask)) & ~(mask)))
/* Like FIELD_PREP() but modifying @reg in place, as FIELD_MODIFY() does. */
#define FIELD_MODIFY(mask, reg, val)                                          \
	(*(reg) = (__typeof__(*(reg)))((*(reg) & ~(mask)) | FIELD_PREP(mask, val)))

/* Run-time mask versions. The mask must still be non-zero. */
template <typename T> constexpr T field_prep(T mask, unsigned long long val)
{
	return (T)(((T)val << __bf_shf(mask)) & mask);
}
template <typename T> constexpr T field_get(T mask, unsigned long long reg)
{
	return (T)(((T)reg & mask) >> __bf_shf(mask));
}

/* u32_encode_bits() and friends: the typed spellings some drivers use. */
#define __BF_ENCODE_DECODE(type)                                              \
	static inline constexpr type type##_encode_bits(unsigned long long v, type field) \
	{                                                                     \
		return field_prep<type>(field, v);                            \
	}                                                                     \
	static inline constexpr type type##_get_bits(type v, type field)      \
	{                                                                     \
		return field_get<type>(field, v);                             \
	}                                                                     \
	static inline constexpr void type##p_replace_bits(type *p, type val, type field) \
	{                                                                     \
		*p = (*p & ~field) | field_prep<type>(field, val);            \
	}                                                                     \
	static inline constexpr type type##_replace_bits(type old, type val, type field) \
	{                                                                     \
		return (old & ~field) | field_prep<type>(field, val);         \
	}
__BF_ENCODE_DECODE(u8)
__BF_ENCODE_DECODE(u16)
__BF_ENCODE_DECODE(u32)
__BF_ENCODE_DECODE(u64)
#undef __BF_ENCODE_DECODE
