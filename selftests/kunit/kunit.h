/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit, the kernel's in-kernel unit test API, on top of GoogleTest.
 *
 * Tests are written exactly as for the kernel (struct kunit_case arrays,
 * struct kunit_suite, kunit_test_suite(), KUNIT_EXPECT_*()), and
 * kunit_test_suite() registers every case -- and every parameter of a
 * parameterised case -- as a GoogleTest test at static-initialisation
 * time. A KUnit binary is therefore an ordinary gtest binary (filters,
 * repeat, XML/JSON output), and with --ktap (or UIOMMUFD_KTAP=1) it
 * prints the KTAP v1 the kernel prints, so tools/testing/kunit/kunit.py
 * can parse it.
 *
 * Differences from the kernel that a test author may notice:
 *  - gtest names are the KUnit names with every character outside
 *    [A-Za-z0-9_] replaced by '_' (gtest filters treat '-' and ':' as
 *    operators); parameters are "case/description".
 *  - KUNIT_ASSERT_*() and kunit_skip() end the case by throwing a private
 *    C++ exception that the case runner catches, so they work from helper
 *    functions in test code. Do not call them from a thread other than the
 *    case's, from a noexcept function, or from a callback invoked by
 *    kernel-side code (built with -fno-exceptions): the throw would end
 *    the process there.
 *  - Each case also fails if it leaked (kmem_leak_mark()/kmem_leak_report()
 *    around it, after the deferred actions ran) or if any harness tripwire
 *    (WARN_ON, lockdep assertion, bad kfree, ...) fired during it. Use
 *    KUNIT_EXPECT_HARNESS_FAILURE() to show a tripwire firing on purpose.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/err.h"
#if __has_include("harness/slab.h")
#include "harness/slab.h"
#define __KUNIT_HAVE_SLAB 1
#endif

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include <gtest/gtest-printers.h>

#define KUNIT_STATUS_COMMENT_SIZE 256
#define KUNIT_PARAM_DESC_SIZE 128
#define KUNIT_INDENT_LEN 4
#define KUNIT_SUBTEST_INDENT "    "
#define KUNIT_SUBSUBTEST_INDENT "        "

enum kunit_status {
	KUNIT_SUCCESS,
	KUNIT_FAILURE,
	KUNIT_SKIPPED,
};

enum kunit_speed {
	KUNIT_SPEED_UNSET,
	KUNIT_SPEED_VERY_SLOW,
	KUNIT_SPEED_SLOW,
	KUNIT_SPEED_NORMAL,
	KUNIT_SPEED_MAX = KUNIT_SPEED_NORMAL,
};

struct kunit_attributes {
	enum kunit_speed speed;
};

struct kunit;
struct kunit_suite;
struct kunit_run_state;

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	/*
	 * Returns the parameter after @prev (the first one when @prev is
	 * NULL), or NULL when there are no more; may describe it in @desc
	 * (KUNIT_PARAM_DESC_SIZE bytes).
	 */
	const void *(*generate_params)(const void *prev, char *desc);
	struct kunit_attributes attr;
};

#define KUNIT_CASE(test_name) { .run_case = test_name, .name = #test_name }
#define KUNIT_CASE_ATTR(test_name, attributes)                                \
	{ .run_case = test_name, .name = #test_name, .attr = attributes }
#define KUNIT_CASE_SLOW(test_name)                                            \
	{ .run_case = test_name, .name = #test_name,                          \
	  .attr = { .speed = KUNIT_SPEED_SLOW } }
#define KUNIT_CASE_PARAM(test_name, gen_params)                               \
	{ .run_case = test_name, .name = #test_name,                          \
	  .generate_params = gen_params }
#define KUNIT_CASE_PARAM_ATTR(test_name, gen_params, attributes)              \
	{ .run_case = test_name, .name = #test_name,                          \
	  .generate_params = gen_params, .attr = attributes }

struct kunit_suite {
	const char name[256];
	/* Once, before the first case; non-zero fails every case. */
	int (*suite_init)(struct kunit_suite *suite);
	/* Once, after the last case. */
	void (*suite_exit)(struct kunit_suite *suite);
	/* Before each case; non-zero fails the case (exit still runs). */
	int (*init)(struct kunit *test);
	/* After each case, before its deferred actions. */
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
	struct kunit_attributes attr;

	/* private: */
	char status_comment[KUNIT_STATUS_COMMENT_SIZE];
	int suite_init_err;
};

/* One running case (one parameter of a parameterised case). */
struct kunit {
	void *priv;

	/* private: read-only for tests */
	const char *name;
	const void *param_value;
	int param_index;
	enum kunit_status status;
	char status_comment[KUNIT_STATUS_COMMENT_SIZE];
	struct kunit_run_state *run;
};

/* The case running on this process now, or NULL. */
struct kunit *kunit_get_current_test(void);

/*
 * Registration. kunit_test_suites(&a, &b) / kunit_test_suite(a) at file
 * scope register the suites with GoogleTest before main() runs.
 */
int __kunit_test_suites_register(struct kunit_suite *const *suites,
				 size_t nr, const char *file, int line);

#define __kunit_test_suites_id2(id, ...)                                       \
	static struct kunit_suite *const __kunit_suites_##id[] = {            \
		__VA_ARGS__                                                   \
	};                                                                    \
	[[maybe_unused]] static const int __kunit_suites_reg_##id =           \
		__kunit_test_suites_register(                                 \
			__kunit_suites_##id,                                  \
			sizeof(__kunit_suites_##id) /                         \
				sizeof(__kunit_suites_##id[0]),               \
			__FILE__, __LINE__)
#define __kunit_test_suites_id(id, ...) __kunit_test_suites_id2(id, __VA_ARGS__)
#define kunit_test_suites(...) __kunit_test_suites_id(__COUNTER__, __VA_ARGS__)
#define kunit_test_suite(suite) kunit_test_suites(&suite)

/*
 * The program's main() when it defines none (linked from the kunit
 * library): handles --ktap, then runs GoogleTest. A test binary with its
 * own main() may call it.
 */
int kunit_main(int argc, char **argv);

/* Parameter generators over an array, as the kernel's. */
template <typename F, typename P>
static inline void __kunit_param_desc(F get_desc, P param, char *desc)
{
	/* get_desc may be NULL, which g++ spells as an integer. */
	if constexpr (std::is_pointer_v<F>) {
		if (get_desc)
			get_desc(param, desc);
	} else if constexpr (!std::is_integral_v<F> &&
			     !std::is_null_pointer_v<F>) {
		get_desc(param, desc);
	}
}

#define KUNIT_ARRAY_PARAM(name, array, get_desc)                               \
	static const void *name##_gen_params(const void *prev, char *desc)    \
	{                                                                     \
		typedef __typeof__(&(array)[0]) __kunit_elem_ptr;             \
		__kunit_elem_ptr __next =                                     \
			prev ? (__kunit_elem_ptr)prev + 1 : &(array)[0];      \
		if (__next - &(array)[0] <                                    \
		    (ptrdiff_t)(sizeof(array) / sizeof((array)[0]))) {        \
			__kunit_param_desc(get_desc, __next, desc);           \
			return __next;                                        \
		}                                                             \
		return NULL;                                                  \
	}

#define KUNIT_ARRAY_PARAM_DESC(name, array, desc_member)                       \
	static const void *name##_gen_params(const void *prev, char *desc)    \
	{                                                                     \
		typedef __typeof__(&(array)[0]) __kunit_elem_ptr;             \
		__kunit_elem_ptr __next =                                     \
			prev ? (__kunit_elem_ptr)prev + 1 : &(array)[0];      \
		if (__next - &(array)[0] <                                    \
		    (ptrdiff_t)(sizeof(array) / sizeof((array)[0]))) {        \
			snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",           \
				 __next->desc_member);                        \
			return __next;                                        \
		}                                                             \
		return NULL;                                                  \
	}

/* Logging: "    # <case>: message" on stdout (a KTAP diagnostic line). */
__attribute__((format(printf, 2, 3)))
void __kunit_printk(struct kunit *test, const char *fmt, ...);
#define kunit_log(lvl, test, fmt, ...) __kunit_printk(test, fmt, ##__VA_ARGS__)
#define kunit_printk(lvl, test, fmt, ...)                                     \
	__kunit_printk(test, fmt, ##__VA_ARGS__)
#define kunit_info(test, fmt, ...) __kunit_printk(test, fmt, ##__VA_ARGS__)
#define kunit_warn(test, fmt, ...) __kunit_printk(test, fmt, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...) __kunit_printk(test, fmt, ##__VA_ARGS__)

/* Failing, skipping, aborting. */
enum kunit_assert_type {
	KUNIT_ASSERTION,
	KUNIT_EXPECTATION,
};

/* Records a failed check; @detail explains it, @fmt adds the test's words. */
__attribute__((format(printf, 6, 7)))
void __kunit_do_failed_assertion(struct kunit *test, const char *file, int line,
				 enum kunit_assert_type type,
				 const std::string &detail, const char *fmt, ...);
/* Ends the running case now (ASSERT, kunit_skip). */
[[noreturn]] void __kunit_abort(struct kunit *test);

void kunit_set_failure(struct kunit *test);

__attribute__((format(printf, 4, 5)))
void __kunit_mark_skipped(struct kunit *test, const char *file, int line,
			  const char *fmt, ...);
#define kunit_mark_skipped(test, fmt, ...)                                    \
	__kunit_mark_skipped(test, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define kunit_skip(test, fmt, ...)                                            \
	do {                                                                  \
		kunit_mark_skipped(test, fmt, ##__VA_ARGS__);                 \
		__kunit_abort(test);                                          \
	} while (0)

#define KUNIT_SUCCEED(test) do { } while (0)

#define KUNIT_FAIL(test, fmt, ...)                                            \
	__kunit_do_failed_assertion(test, __FILE__, __LINE__,                 \
				    KUNIT_EXPECTATION, std::string(), fmt,    \
				    ##__VA_ARGS__)

#define KUNIT_FAIL_AND_ABORT(test, fmt, ...)                                  \
	do {                                                                  \
		__kunit_do_failed_assertion(test, __FILE__, __LINE__,         \
					    KUNIT_ASSERTION, std::string(),   \
					    fmt, ##__VA_ARGS__);              \
		__kunit_abort(test);                                          \
	} while (0)

/* Value formatting and comparison for the failure messages. */
template <typename T> struct __kunit_is_char : std::false_type {};
template <> struct __kunit_is_char<char> : std::true_type {};
template <> struct __kunit_is_char<signed char> : std::true_type {};
template <> struct __kunit_is_char<unsigned char> : std::true_type {};
template <> struct __kunit_is_char<wchar_t> : std::true_type {};
template <> struct __kunit_is_char<char8_t> : std::true_type {};
template <> struct __kunit_is_char<char16_t> : std::true_type {};
template <> struct __kunit_is_char<char32_t> : std::true_type {};

/* Enums and character types compare as the integers they are. */
template <typename T> static inline decltype(auto) __kunit_arith(const T &v)
{
	if constexpr (std::is_enum_v<T>)
		return static_cast<std::conditional_t<
			std::is_signed_v<std::underlying_type_t<T>>, long long,
			unsigned long long>>(v);
	else if constexpr (__kunit_is_char<T>::value)
		return static_cast<long long>(v);
	else
		return (v);
}

template <typename T>
inline constexpr bool __kunit_is_int =
	std::is_integral_v<T> && !std::is_same_v<T, bool> &&
	!__kunit_is_char<T>::value;

enum class __kunit_op { eq, ne, lt, le, gt, ge };

/*
 * Integers compare by value whatever their signedness (as the kernel's
 * typeof-based macros behave for the values tests use, and without
 * -Wsign-compare noise); everything else uses the type's operators.
 */
template <__kunit_op op, typename L, typename R>
static inline bool __kunit_compare(const L &left, const R &right)
{
	const auto &l = __kunit_arith(left);
	const auto &r = __kunit_arith(right);
	using LA = std::remove_cvref_t<decltype(l)>;
	using RA = std::remove_cvref_t<decltype(r)>;

	if constexpr (__kunit_is_int<LA> && __kunit_is_int<RA>) {
		switch (op) {
		case __kunit_op::eq: return std::cmp_equal(l, r);
		case __kunit_op::ne: return std::cmp_not_equal(l, r);
		case __kunit_op::lt: return std::cmp_less(l, r);
		case __kunit_op::le: return std::cmp_less_equal(l, r);
		case __kunit_op::gt: return std::cmp_greater(l, r);
		case __kunit_op::ge: return std::cmp_greater_equal(l, r);
		}
		return false;
	} else {
		switch (op) {
		case __kunit_op::eq: return l == r;
		case __kunit_op::ne: return l != r;
		case __kunit_op::lt: return l < r;
		case __kunit_op::le: return l <= r;
		case __kunit_op::gt: return l > r;
		case __kunit_op::ge: return l >= r;
		}
		return false;
	}
}

std::string __kunit_format_signed(long long v);
std::string __kunit_format_unsigned(unsigned long long v);
std::string __kunit_format_pointer(const void *p);
std::string __kunit_format_string(const char *s);

template <typename T> static inline std::string __kunit_format_value(const T &v)
{
	if constexpr (std::is_same_v<T, bool>) {
		return v ? "true" : "false";
	} else if constexpr (std::is_enum_v<T> || __kunit_is_char<T>::value) {
		return __kunit_format_value(__kunit_arith(v));
	} else if constexpr (std::is_integral_v<T>) {
		if constexpr (std::is_signed_v<T>)
			return __kunit_format_signed(v);
		else
			return __kunit_format_unsigned(v);
	} else if constexpr (std::is_null_pointer_v<T>) {
		return "NULL";
	} else if constexpr (std::is_pointer_v<T>) {
		return __kunit_format_pointer((const void *)v);
	} else if constexpr (std::is_convertible_v<const T &, const void *>) {
		return __kunit_format_pointer(static_cast<const void *>(v));
	} else {
		return ::testing::PrintToString(v);
	}
}

std::string __kunit_binary_detail(const char *left_text, const char *op_text,
				  const char *right_text,
				  const std::string &left_value,
				  const std::string &right_value);
std::string __kunit_mem_detail(const char *left_text, const char *op_text,
			       const char *right_text, const void *left,
			       const void *right, size_t size);

static inline const char *__kunit_cstr(const char *s) { return s; }
static inline const char *__kunit_cstr(const std::string &s) { return s.c_str(); }

/*
 * The checks. Each evaluates its operands once; on failure it records the
 * failure and, for ASSERT, ends the case. "fmt" is "%s", "" when the test
 * gave no message, so every call is a checked printf format.
 */
#define __KUNIT_FAILED(test, type, detail, fmt, ...)                          \
	do {                                                                  \
		__kunit_do_failed_assertion(test, __FILE__, __LINE__, type,   \
					    detail, fmt, ##__VA_ARGS__);      \
		if ((type) == KUNIT_ASSERTION)                                \
			__kunit_abort(test);                                  \
	} while (0)

#define KUNIT_BINARY_ASSERTION(test, type, left, op, op_text, right, fmt, ...) \
	do {                                                                  \
		const auto &__kunit_left = (left);                            \
		const auto &__kunit_right = (right);                          \
		if (!__kunit_compare<__kunit_op::op>(__kunit_left,            \
						     __kunit_right))          \
			__KUNIT_FAILED(test, type,                            \
				       __kunit_binary_detail(                 \
					       #left, op_text, #right,        \
					       __kunit_format_value(          \
						       __kunit_left),         \
					       __kunit_format_value(          \
						       __kunit_right)),       \
				       fmt, ##__VA_ARGS__);                   \
	} while (0)

#define KUNIT_PTR_ASSERTION(test, type, left, op_text, eq, right, fmt, ...)    \
	do {                                                                  \
		const void *__kunit_left = (left);                            \
		const void *__kunit_right = (right);                          \
		if ((__kunit_left == __kunit_right) != (eq))                  \
			__KUNIT_FAILED(test, type,                            \
				       __kunit_binary_detail(                 \
					       #left, op_text, #right,        \
					       __kunit_format_pointer(        \
						       __kunit_left),         \
					       __kunit_format_pointer(        \
						       __kunit_right)),       \
				       fmt, ##__VA_ARGS__);                   \
	} while (0)

#define KUNIT_STR_ASSERTION(test, type, left, op_text, eq, right, fmt, ...)    \
	do {                                                                  \
		/* References keep a temporary std::string alive. */         \
		const auto &__kunit_left_ref = (left);                        \
		const auto &__kunit_right_ref = (right);                      \
		const char *__kunit_left = __kunit_cstr(__kunit_left_ref);    \
		const char *__kunit_right = __kunit_cstr(__kunit_right_ref);  \
		bool __kunit_same =                                           \
			(__kunit_left && __kunit_right)                       \
				? !strcmp(__kunit_left, __kunit_right)        \
				: __kunit_left == __kunit_right;              \
		if (__kunit_same != (eq))                                     \
			__KUNIT_FAILED(test, type,                            \
				       __kunit_binary_detail(                 \
					       #left, op_text, #right,        \
					       __kunit_format_string(         \
						       __kunit_left),         \
					       __kunit_format_string(         \
						       __kunit_right)),       \
				       fmt, ##__VA_ARGS__);                   \
	} while (0)

#define KUNIT_MEM_ASSERTION(test, type, left, op_text, eq, right, size, fmt, ...) \
	do {                                                                  \
		const void *__kunit_left = (left);                            \
		const void *__kunit_right = (right);                          \
		const size_t __kunit_size = (size);                           \
		if ((!memcmp(__kunit_left, __kunit_right, __kunit_size)) !=   \
		    (eq))                                                     \
			__KUNIT_FAILED(test, type,                            \
				       __kunit_mem_detail(                    \
					       #left, op_text, #right,        \
					       __kunit_left, __kunit_right,   \
					       __kunit_size),                 \
				       fmt, ##__VA_ARGS__);                   \
	} while (0)

#define KUNIT_BOOL_ASSERTION(test, type, cond, expected, fmt, ...)            \
	do {                                                                  \
		if (!!(cond) != (expected))                                   \
			__KUNIT_FAILED(test, type,                            \
				       std::string("Expected " #cond          \
						   " to be ") +               \
					       ((expected) ? "true"           \
							   : "false") +       \
					       ", but is " +                  \
					       ((expected) ? "false"          \
							   : "true"),         \
				       fmt, ##__VA_ARGS__);                   \
	} while (0)

std::string __kunit_null_detail(const char *text, const void *ptr,
				bool want_null);
std::string __kunit_err_detail(const char *text, const void *ptr,
			       bool want_err_or_null);

#define KUNIT_NULL_ASSERTION(test, type, ptr, want_null, fmt, ...)            \
	do {                                                                  \
		const void *__kunit_ptr = (ptr);                              \
		if ((__kunit_ptr == NULL) != (want_null))                     \
			__KUNIT_FAILED(test, type,                            \
				       __kunit_null_detail(#ptr, __kunit_ptr, \
							   want_null),        \
				       fmt, ##__VA_ARGS__);                   \
	} while (0)

#define KUNIT_ERR_ASSERTION(test, type, ptr, want_err_or_null, fmt, ...)      \
	do {                                                                  \
		const void *__kunit_ptr = (ptr);                              \
		if (IS_ERR_OR_NULL(__kunit_ptr) != (want_err_or_null))        \
			__KUNIT_FAILED(test, type,                            \
				       __kunit_err_detail(#ptr, __kunit_ptr,  \
							  want_err_or_null),  \
				       fmt, ##__VA_ARGS__);                   \
	} while (0)

#define __KUNIT_NOMSG "%s", ""

/* Expectations: record the failure and go on. */
#define KUNIT_EXPECT_TRUE(test, cond) KUNIT_EXPECT_TRUE_MSG(test, cond, __KUNIT_NOMSG)
#define KUNIT_EXPECT_TRUE_MSG(test, cond, fmt, ...)                           \
	KUNIT_BOOL_ASSERTION(test, KUNIT_EXPECTATION, cond, true, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_FALSE(test, cond) KUNIT_EXPECT_FALSE_MSG(test, cond, __KUNIT_NOMSG)
#define KUNIT_EXPECT_FALSE_MSG(test, cond, fmt, ...)                          \
	KUNIT_BOOL_ASSERTION(test, KUNIT_EXPECTATION, cond, false, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_EQ(test, left, right) KUNIT_EXPECT_EQ_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_EQ_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, left, eq, "==", right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NE(test, left, right) KUNIT_EXPECT_NE_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_NE_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, left, ne, "!=", right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LT(test, left, right) KUNIT_EXPECT_LT_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_LT_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, left, lt, "<", right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LE(test, left, right) KUNIT_EXPECT_LE_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_LE_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, left, le, "<=", right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GT(test, left, right) KUNIT_EXPECT_GT_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_GT_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, left, gt, ">", right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GE(test, left, right) KUNIT_EXPECT_GE_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_GE_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_EXPECTATION, left, ge, ">=", right, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_PTR_EQ(test, left, right) KUNIT_EXPECT_PTR_EQ_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_PTR_EQ_MSG(test, left, right, fmt, ...)                  \
	KUNIT_PTR_ASSERTION(test, KUNIT_EXPECTATION, left, "==", true, right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_NE(test, left, right) KUNIT_EXPECT_PTR_NE_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_PTR_NE_MSG(test, left, right, fmt, ...)                  \
	KUNIT_PTR_ASSERTION(test, KUNIT_EXPECTATION, left, "!=", false, right, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_STREQ(test, left, right) KUNIT_EXPECT_STREQ_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_STREQ_MSG(test, left, right, fmt, ...)                   \
	KUNIT_STR_ASSERTION(test, KUNIT_EXPECTATION, left, "==", true, right, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_STRNEQ(test, left, right) KUNIT_EXPECT_STRNEQ_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_EXPECT_STRNEQ_MSG(test, left, right, fmt, ...)                  \
	KUNIT_STR_ASSERTION(test, KUNIT_EXPECTATION, left, "!=", false, right, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_MEMEQ(test, left, right, size) KUNIT_EXPECT_MEMEQ_MSG(test, left, right, size, __KUNIT_NOMSG)
#define KUNIT_EXPECT_MEMEQ_MSG(test, left, right, size, fmt, ...)             \
	KUNIT_MEM_ASSERTION(test, KUNIT_EXPECTATION, left, "==", true, right, size, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_MEMNEQ(test, left, right, size) KUNIT_EXPECT_MEMNEQ_MSG(test, left, right, size, __KUNIT_NOMSG)
#define KUNIT_EXPECT_MEMNEQ_MSG(test, left, right, size, fmt, ...)            \
	KUNIT_MEM_ASSERTION(test, KUNIT_EXPECTATION, left, "!=", false, right, size, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_NULL(test, ptr) KUNIT_EXPECT_NULL_MSG(test, ptr, __KUNIT_NOMSG)
#define KUNIT_EXPECT_NULL_MSG(test, ptr, fmt, ...)                            \
	KUNIT_NULL_ASSERTION(test, KUNIT_EXPECTATION, ptr, true, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_NULL(test, ptr) KUNIT_EXPECT_NOT_NULL_MSG(test, ptr, __KUNIT_NOMSG)
#define KUNIT_EXPECT_NOT_NULL_MSG(test, ptr, fmt, ...)                        \
	KUNIT_NULL_ASSERTION(test, KUNIT_EXPECTATION, ptr, false, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(test, ptr) KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, ptr, __KUNIT_NOMSG)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, ptr, fmt, ...)                 \
	KUNIT_ERR_ASSERTION(test, KUNIT_EXPECTATION, ptr, false, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_ERR_OR_NULL(test, ptr) KUNIT_EXPECT_ERR_OR_NULL_MSG(test, ptr, __KUNIT_NOMSG)
#define KUNIT_EXPECT_ERR_OR_NULL_MSG(test, ptr, fmt, ...)                     \
	KUNIT_ERR_ASSERTION(test, KUNIT_EXPECTATION, ptr, true, fmt, ##__VA_ARGS__)

/* Assertions: record the failure and end the case. */
#define KUNIT_ASSERT_TRUE(test, cond) KUNIT_ASSERT_TRUE_MSG(test, cond, __KUNIT_NOMSG)
#define KUNIT_ASSERT_TRUE_MSG(test, cond, fmt, ...)                           \
	KUNIT_BOOL_ASSERTION(test, KUNIT_ASSERTION, cond, true, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_FALSE(test, cond) KUNIT_ASSERT_FALSE_MSG(test, cond, __KUNIT_NOMSG)
#define KUNIT_ASSERT_FALSE_MSG(test, cond, fmt, ...)                          \
	KUNIT_BOOL_ASSERTION(test, KUNIT_ASSERTION, cond, false, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_EQ(test, left, right) KUNIT_ASSERT_EQ_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_EQ_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, left, eq, "==", right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NE(test, left, right) KUNIT_ASSERT_NE_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_NE_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, left, ne, "!=", right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LT(test, left, right) KUNIT_ASSERT_LT_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_LT_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, left, lt, "<", right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LE(test, left, right) KUNIT_ASSERT_LE_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_LE_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, left, le, "<=", right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GT(test, left, right) KUNIT_ASSERT_GT_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_GT_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, left, gt, ">", right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GE(test, left, right) KUNIT_ASSERT_GE_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_GE_MSG(test, left, right, fmt, ...)                      \
	KUNIT_BINARY_ASSERTION(test, KUNIT_ASSERTION, left, ge, ">=", right, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_PTR_EQ(test, left, right) KUNIT_ASSERT_PTR_EQ_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_PTR_EQ_MSG(test, left, right, fmt, ...)                  \
	KUNIT_PTR_ASSERTION(test, KUNIT_ASSERTION, left, "==", true, right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_PTR_NE(test, left, right) KUNIT_ASSERT_PTR_NE_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_PTR_NE_MSG(test, left, right, fmt, ...)                  \
	KUNIT_PTR_ASSERTION(test, KUNIT_ASSERTION, left, "!=", false, right, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_STREQ(test, left, right) KUNIT_ASSERT_STREQ_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_STREQ_MSG(test, left, right, fmt, ...)                   \
	KUNIT_STR_ASSERTION(test, KUNIT_ASSERTION, left, "==", true, right, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_STRNEQ(test, left, right) KUNIT_ASSERT_STRNEQ_MSG(test, left, right, __KUNIT_NOMSG)
#define KUNIT_ASSERT_STRNEQ_MSG(test, left, right, fmt, ...)                  \
	KUNIT_STR_ASSERTION(test, KUNIT_ASSERTION, left, "!=", false, right, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_MEMEQ(test, left, right, size) KUNIT_ASSERT_MEMEQ_MSG(test, left, right, size, __KUNIT_NOMSG)
#define KUNIT_ASSERT_MEMEQ_MSG(test, left, right, size, fmt, ...)             \
	KUNIT_MEM_ASSERTION(test, KUNIT_ASSERTION, left, "==", true, right, size, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_MEMNEQ(test, left, right, size) KUNIT_ASSERT_MEMNEQ_MSG(test, left, right, size, __KUNIT_NOMSG)
#define KUNIT_ASSERT_MEMNEQ_MSG(test, left, right, size, fmt, ...)            \
	KUNIT_MEM_ASSERTION(test, KUNIT_ASSERTION, left, "!=", false, right, size, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_NULL(test, ptr) KUNIT_ASSERT_NULL_MSG(test, ptr, __KUNIT_NOMSG)
#define KUNIT_ASSERT_NULL_MSG(test, ptr, fmt, ...)                            \
	KUNIT_NULL_ASSERTION(test, KUNIT_ASSERTION, ptr, true, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL(test, ptr) KUNIT_ASSERT_NOT_NULL_MSG(test, ptr, __KUNIT_NOMSG)
#define KUNIT_ASSERT_NOT_NULL_MSG(test, ptr, fmt, ...)                        \
	KUNIT_NULL_ASSERTION(test, KUNIT_ASSERTION, ptr, false, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ptr) KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, ptr, __KUNIT_NOMSG)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, ptr, fmt, ...)                 \
	KUNIT_ERR_ASSERTION(test, KUNIT_ASSERTION, ptr, false, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_ERR_OR_NULL(test, ptr) KUNIT_ASSERT_ERR_OR_NULL_MSG(test, ptr, __KUNIT_NOMSG)
#define KUNIT_ASSERT_ERR_OR_NULL_MSG(test, ptr, fmt, ...)                     \
	KUNIT_ERR_ASSERTION(test, KUNIT_ASSERTION, ptr, true, fmt, ##__VA_ARGS__)

/*
 * Harness tripwires. A harness failure (WARN_ON, lockdep assertion, bad
 * kfree, ...) reported while the statement runs is captured instead of
 * failing the case; the check then demands at least one (or none).
 * kunit_last_harness_failure() returns the text of the last one captured.
 */
unsigned long __kunit_harness_capture_begin(struct kunit *test);
void __kunit_harness_capture_end(struct kunit *test, unsigned long snapshot,
				 bool want_failure, const char *file, int line,
				 const char *stmt_text);
const char *kunit_last_harness_failure(struct kunit *test);

#define KUNIT_EXPECT_HARNESS_FAILURE(test, ...)                               \
	do {                                                                  \
		unsigned long __kunit_snap =                                  \
			__kunit_harness_capture_begin(test);                  \
		__VA_ARGS__;                                                  \
		__kunit_harness_capture_end(test, __kunit_snap, true,         \
					    __FILE__, __LINE__,               \
					    #__VA_ARGS__);                    \
	} while (0)

#define KUNIT_EXPECT_NO_HARNESS_FAILURE(test, ...)                            \
	do {                                                                  \
		unsigned long __kunit_snap =                                  \
			__kunit_harness_capture_begin(test);                  \
		__VA_ARGS__;                                                  \
		__kunit_harness_capture_end(test, __kunit_snap, false,        \
					    __FILE__, __LINE__,               \
					    #__VA_ARGS__);                    \
	} while (0)

/*
 * Deferred actions: run when the case ends (after suite->exit), newest
 * first, whether the case passed, failed or was aborted.
 */
typedef void(kunit_action_t)(void *);

#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)                  \
	static void wrapper(void *in)                                         \
	{                                                                     \
		orig((arg_type)in);                                           \
	}

int kunit_add_action(struct kunit *test, kunit_action_t *action, void *ctx);
/* As kunit_add_action(), but runs @action(@ctx) at once if it cannot defer. */
int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *action,
			      void *ctx);
/* Forgets the newest matching action without running it. */
void kunit_remove_action(struct kunit *test, kunit_action_t *action, void *ctx);
/* Runs the newest matching action now and forgets it. */
void kunit_release_action(struct kunit *test, kunit_action_t *action, void *ctx);

#ifdef __KUNIT_HAVE_SLAB
/* Managed allocations: freed with kfree() when the case ends. */
__alloc_ptr kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
				gfp_t gfp);
static inline __alloc_ptr kunit_kmalloc(struct kunit *test, size_t size,
					gfp_t gfp)
{
	return kunit_kmalloc_array(test, 1, size, gfp);
}
static inline __alloc_ptr kunit_kzalloc(struct kunit *test, size_t size,
					gfp_t gfp)
{
	return kunit_kmalloc(test, size, gfp | __GFP_ZERO);
}
static inline __alloc_ptr kunit_kcalloc(struct kunit *test, size_t n,
					size_t size, gfp_t gfp)
{
	return kunit_kmalloc_array(test, n, size, gfp | __GFP_ZERO);
}
char *kunit_kstrdup(struct kunit *test, const char *str, gfp_t gfp);
/* Frees a managed allocation early. */
void kunit_kfree(struct kunit *test, const void *ptr);
#endif
