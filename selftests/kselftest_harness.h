/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness API (the kernel's
 * tools/testing/selftests/kselftest_harness.h) for uiommufd: TEST, TEST_F,
 * FIXTURE with setup/teardown and variants, ASSERT_*() and EXPECT_*() with the
 * optional trailing handler statement, SKIP, XFAIL_ADD, per-test fork and
 * timeout, and the kernel's TAP output and exit codes. An independent
 * implementation of the same interface, in C that also compiles as C++20,
 * so the kernel's iommufd selftests and ours build against it unchanged.
 *
 * How a test runs. The runner forks a child per test (in its own process
 * group, so a timeout can kill everything the test spawned) and waits with
 * alarm(timeout). The test's _metadata is a copy in shared memory: results
 * written by the test, by its setup, or by any process the test forks are
 * seen by the runner. ASSERT_* longjmp()s back to the wrapper that called
 * the test; TEST_F's wrapper runs setup, test and teardown in a grandchild
 * so that FIXTURE_TEARDOWN_PARENT() can run in the child after the
 * grandchild has gone, whatever it did to its own credentials.
 *
 * Tests run in declaration order whatever order the constructors that
 * register them run in: every registration carries its __LINE__.
 *
 * uiommufd tripwires. When the program links (or is preloaded with) the
 * uiommufd kernel, a WARN_ON, lockdep assertion or bad kfree in the test's
 * process fails the test: the child installs harness_test_ops (found
 * through a weak reference, so programs without the kernel still link).
 */
#ifndef UIOMMUFD_KSELFTEST_HARNESS_H
#define UIOMMUFD_KSELFTEST_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <asm/types.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"

#ifdef __cplusplus
#include <type_traits>
#endif

#define TEST_TIMEOUT_DEFAULT 30

#ifndef TH_LOG_STREAM
#define TH_LOG_STREAM stderr
#endif

#ifndef TH_LOG_ENABLED
#define TH_LOG_ENABLED 1
#endif

#ifdef __cplusplus
#define __KSFT_AUTO auto
/* C++'s NULL is an integer; the NULL checks take pointers, as in C. */
#define __KSFT_PTR_AUTO const volatile void *
#define __KSFT_CAST(type, v) ((type)(v))
#else
#define __KSFT_AUTO __auto_type
#define __KSFT_PTR_AUTO __auto_type
#define __KSFT_CAST(type, v) (v)
#endif

/* TH_LOG(fmt, ...): a log line for the running test, on TH_LOG_STREAM. */
#define TH_LOG(fmt, ...)                                                      \
	do {                                                                  \
		if (TH_LOG_ENABLED)                                           \
			__TH_LOG(fmt, ##__VA_ARGS__);                         \
	} while (0)

#define __TH_LOG(fmt, ...)                                                    \
	fprintf(TH_LOG_STREAM, "# %s:%d:%s:" fmt "\n", __FILE__, __LINE__,    \
		_metadata->name, ##__VA_ARGS__)

/*
 * SKIP(statement, fmt, ...): record why the test is skipped, then run
 * @statement (usually "return" or "goto out"). A skip in FIXTURE_SETUP()
 * skips the test body and the teardown.
 */
#define SKIP(statement, fmt, ...)                                             \
	do {                                                                  \
		snprintf(_metadata->results->reason,                          \
			 sizeof(_metadata->results->reason), fmt,             \
			 ##__VA_ARGS__);                                      \
		if (TH_LOG_ENABLED)                                           \
			fprintf(TH_LOG_STREAM, "#      SKIP      %s\n",       \
				_metadata->results->reason);                  \
		_metadata->exit_code = KSFT_SKIP;                             \
		_metadata->trigger = 0;                                       \
		statement;                                                    \
	} while (0)

struct __test_results {
	char reason[1024];
};

struct __test_metadata;
struct __fixture_variant_metadata;
struct __test_xfail;

struct __fixture_metadata {
	const char *name;
	int line;
	struct __test_metadata *tests;
	struct __fixture_variant_metadata *variant;
	struct __fixture_metadata *next;
};

struct __fixture_variant_metadata {
	const char *name;
	const void *data;
	int line;
	struct __test_xfail *xfails;
	struct __fixture_variant_metadata *next;
};

struct __test_metadata {
	const char *name;
	void (*fn)(struct __test_metadata *, struct __fixture_variant_metadata *);
	struct __fixture_metadata *fixture;
	int termsig;
	int timeout;
	int line;
	/* run state, reset for every run */
	pid_t pid;
	int exit_code;
	int trigger;	/* a check failed: run its optional handler */
	bool timed_out;
	bool aborted;	/* an ASSERT ended the test */
	bool setup_completed;
	jmp_buf env;
	struct __test_results *results;
	struct __test_metadata *next;
};

struct __test_xfail {
	struct __fixture_metadata *fixture;
	struct __fixture_variant_metadata *variant;
	struct __test_metadata *test;
	struct __test_xfail *next;
};

/* Tests declared with TEST() belong to the fixture named "global". */
static struct __fixture_metadata _fixture_global __attribute__((unused)) = {
	.name = "global",
	.line = 0,
	.tests = NULL,
	.variant = NULL,
	.next = NULL,
};
static struct __fixture_metadata *__fixture_list __attribute__((unused)) =
	&_fixture_global;
static struct __test_metadata *__active_test __attribute__((unused));

/* Insert keeping declaration (line) order; equal lines keep arrival order. */
#define __KSFT_INSERT_SORTED(head, item)                                      \
	do {                                                                  \
		__typeof__(head) *__pp = &(head);                             \
		while (*__pp && (*__pp)->line <= (item)->line)                \
			__pp = &(*__pp)->next;                                \
		(item)->next = *__pp;                                         \
		*__pp = (item);                                               \
	} while (0)

static inline void __register_fixture(struct __fixture_metadata *f)
{
	/* global stays first, as the kernel lists it. */
	__KSFT_INSERT_SORTED(_fixture_global.next, f);
}

static inline void __register_fixture_variant(struct __fixture_metadata *f,
					      struct __fixture_variant_metadata *v)
{
	__KSFT_INSERT_SORTED(f->variant, v);
}

static inline void __register_test(struct __test_metadata *t)
{
	__KSFT_INSERT_SORTED(t->fixture->tests, t);
}

static inline void __register_xfail(struct __test_xfail *xf)
{
	xf->next = xf->variant->xfails;
	xf->variant->xfails = xf;
}

static inline bool __test_passed(struct __test_metadata *t)
{
	return t->exit_code != KSFT_FAIL && t->exit_code <= KSFT_SKIP;
}

/* The handler loop of a failed check: an ASSERT leaves the test here. */
static inline int __bail(int for_realz, struct __test_metadata *t)
{
	if (for_realz) {
		t->aborted = true;
		longjmp(t->env, 1);
	}
	return 0;
}

/*
 * Every check ends in this loop header, so a statement written after the
 * check ("ASSERT_EQ(0, ret) TH_LOG("why");") runs only when it failed.
 */
#define OPTIONAL_HANDLER(_assert)                                             \
	for (; _metadata->trigger;                                            \
	     _metadata->trigger = __bail(_assert, _metadata))

/* TEST(name) { body }: a test without a fixture, "global.name". */
#define TEST(test_name) __TEST_IMPL(test_name, -1)

/* TEST_SIGNAL(name, signal): passes only if the test dies by @signal. */
#define TEST_SIGNAL(test_name, signal) __TEST_IMPL(test_name, signal)

#define __TEST_IMPL(test_name, _signal)                                       \
	static void test_name(struct __test_metadata *_metadata);             \
	static void wrapper_##test_name(                                      \
		struct __test_metadata *_metadata,                            \
		struct __fixture_variant_metadata __attribute__((unused)) *v) \
	{                                                                     \
		_metadata->setup_completed = true;                            \
		if (setjmp(_metadata->env) == 0)                              \
			test_name(_metadata);                                 \
	}                                                                     \
	static struct __test_metadata _##test_name##_object = {               \
		.name = #test_name,                                           \
		.fn = &wrapper_##test_name,                                   \
		.fixture = &_fixture_global,                                  \
		.termsig = _signal,                                           \
		.timeout = TEST_TIMEOUT_DEFAULT,                              \
		.line = __LINE__,                                             \
	};                                                                    \
	static void __attribute__((constructor)) _register_##test_name(void)  \
	{                                                                     \
		__register_test(&_##test_name##_object);                      \
	}                                                                     \
	static void test_name(                                                \
		struct __test_metadata __attribute__((unused)) *_metadata)

/* The fixture's data type, for helpers that take "self". */
#define FIXTURE_DATA(datatype_name) struct _test_data_##datatype_name

/* FIXTURE(name) { members }: the data every TEST_F(name, ...) gets as self. */
#define FIXTURE(fixture_name)                                                 \
	FIXTURE_VARIANT(fixture_name);                                        \
	static struct __fixture_metadata _##fixture_name##_fixture_object = { \
		.name = #fixture_name,                                        \
		.line = __LINE__,                                             \
	};                                                                    \
	static void __attribute__((constructor))                              \
		_register_##fixture_name##_data(void)                         \
	{                                                                     \
		__register_fixture(&_##fixture_name##_fixture_object);        \
	}                                                                     \
	FIXTURE_DATA(fixture_name)

#define FIXTURE_SETUP(fixture_name)                                           \
	void fixture_name##_setup(                                            \
		struct __test_metadata __attribute__((unused)) *_metadata,    \
		FIXTURE_DATA(fixture_name) __attribute__((unused)) *self,     \
		const FIXTURE_VARIANT(fixture_name)                           \
			__attribute__((unused)) *variant)

/* Teardown in the process that ran the test. */
#define FIXTURE_TEARDOWN(fixture_name)                                        \
	static const bool fixture_name##_teardown_parent                      \
		__attribute__((unused)) = false;                              \
	__FIXTURE_TEARDOWN(fixture_name)

/*
 * Teardown in the test's parent, after the test process is gone; self is
 * then in shared memory so the parent sees what setup and the test did.
 */
#define FIXTURE_TEARDOWN_PARENT(fixture_name)                                 \
	static const bool fixture_name##_teardown_parent                      \
		__attribute__((unused)) = true;                               \
	__FIXTURE_TEARDOWN(fixture_name)

#define __FIXTURE_TEARDOWN(fixture_name)                                      \
	void fixture_name##_teardown(                                         \
		struct __test_metadata __attribute__((unused)) *_metadata,    \
		FIXTURE_DATA(fixture_name) __attribute__((unused)) *self,     \
		const FIXTURE_VARIANT(fixture_name)                           \
			__attribute__((unused)) *variant)

/* FIXTURE_VARIANT(name) { members }: the per-variant constants type. */
#define FIXTURE_VARIANT(fixture_name) struct _fixture_variant_##fixture_name

/*
 * FIXTURE_VARIANT_ADD(fixture, variant) { .member = value, ... };
 * Every TEST_F of the fixture runs once per variant, as
 * "fixture.variant.test".
 */
#define FIXTURE_VARIANT_ADD(fixture_name, variant_name)                       \
	extern const FIXTURE_VARIANT(fixture_name)                            \
		_##fixture_name##_##variant_name##_variant;                   \
	static struct __fixture_variant_metadata                              \
		_##fixture_name##_##variant_name##_object = {                 \
			.name = #variant_name,                                \
			.data = &_##fixture_name##_##variant_name##_variant,  \
			.line = __LINE__,                                     \
	};                                                                    \
	static void __attribute__((constructor))                              \
		_register_##fixture_name##_##variant_name(void)               \
	{                                                                     \
		__register_fixture_variant(                                   \
			&_##fixture_name##_fixture_object,                    \
			&_##fixture_name##_##variant_name##_object);          \
	}                                                                     \
	const FIXTURE_VARIANT(fixture_name)                                   \
		_##fixture_name##_##variant_name##_variant =

/*
 * XFAIL_ADD(fixture, variant, test): that combination is expected to fail;
 * it reports XFAIL when it does and XPASS when it does not. Place it after
 * the TEST_F it names.
 */
#define XFAIL_ADD(fixture_name, variant_name, test_name)                      \
	static struct __test_xfail                                            \
		_##fixture_name##_##variant_name##_##test_name##_xfail = {    \
			.fixture = &_##fixture_name##_fixture_object,         \
			.variant = &_##fixture_name##_##variant_name##_object, \
			.test = &_##fixture_name##_##test_name##_object,      \
	};                                                                    \
	static void __attribute__((constructor))                              \
		_register_##fixture_name##_##variant_name##_##test_name##_xfail(void) \
	{                                                                     \
		__register_xfail(                                             \
			&_##fixture_name##_##variant_name##_##test_name##_xfail); \
	}

#define TEST_F(fixture_name, test_name)                                       \
	__TEST_F_IMPL(fixture_name, test_name, -1, TEST_TIMEOUT_DEFAULT)

#define TEST_F_SIGNAL(fixture_name, test_name, signal)                        \
	__TEST_F_IMPL(fixture_name, test_name, signal, TEST_TIMEOUT_DEFAULT)

#define TEST_F_TIMEOUT(fixture_name, test_name, timeout)                      \
	__TEST_F_IMPL(fixture_name, test_name, -1, timeout)

static inline void *__ksft_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void __kselftest_memset_safe(void *s, int c, size_t n)
{
	if (n > 0)
		memset(s, c, n);
}

/*
 * Runs in the grandchild: setup, the test, then (once, even if the test
 * forked and its children come back here) the teardown.
 */
#define __TEST_F_IMPL(fixture_name, test_name, signal, tmout)                 \
	static void fixture_name##_##test_name(                               \
		struct __test_metadata *_metadata,                            \
		FIXTURE_DATA(fixture_name) *self,                             \
		const FIXTURE_VARIANT(fixture_name) *variant);                \
	static void wrapper_##fixture_name##_##test_name(                     \
		struct __test_metadata *_metadata,                            \
		struct __fixture_variant_metadata *v)                         \
	{                                                                     \
		const FIXTURE_VARIANT(fixture_name) *variant = __KSFT_CAST(   \
			const FIXTURE_VARIANT(fixture_name) *, v->data);      \
		FIXTURE_DATA(fixture_name) self_private, *self = NULL;        \
		bool *teardown_claimed = __KSFT_CAST(                         \
			bool *, __ksft_shared_alloc(sizeof(bool)));           \
		pid_t child;                                                  \
		int status = 0;                                               \
		if (!teardown_claimed) {                                      \
			ksft_print_msg("ERROR MAPPING TEST STATE\n");         \
			_metadata->exit_code = KSFT_FAIL;                     \
			return;                                               \
		}                                                             \
		*teardown_claimed = false;                                    \
		if (fixture_name##_teardown_parent) {                         \
			self = __KSFT_CAST(FIXTURE_DATA(fixture_name) *,      \
					   __ksft_shared_alloc(sizeof(*self))); \
		} else {                                                      \
			__kselftest_memset_safe(&self_private, 0,             \
						sizeof(self_private));        \
			self = &self_private;                                 \
		}                                                             \
		fflush(stdout);                                               \
		fflush(stderr);                                               \
		child = fork();                                               \
		if (child == 0) {                                             \
			if (setjmp(_metadata->env) == 0) {                    \
				fixture_name##_setup(_metadata, self, variant); \
				/* A failed or skipped setup ends here. */    \
				if (_metadata->exit_code)                     \
					_exit(0);                             \
				_metadata->setup_completed = true;            \
				fixture_name##_##test_name(_metadata, self,   \
							   variant);          \
			}                                                     \
			if (_metadata->setup_completed &&                     \
			    !fixture_name##_teardown_parent &&                \
			    __sync_bool_compare_and_swap(teardown_claimed,    \
							 false, true))        \
				fixture_name##_teardown(_metadata, self,      \
							variant);             \
			_exit(0);                                             \
		}                                                             \
		if (child < 0 || waitpid(child, &status, 0) != child) {       \
			ksft_print_msg("ERROR SPAWNING TEST GRANDCHILD\n");   \
			_metadata->exit_code = KSFT_FAIL;                     \
		}                                                             \
		if (_metadata->setup_completed &&                             \
		    fixture_name##_teardown_parent &&                         \
		    __sync_bool_compare_and_swap(teardown_claimed, false,     \
						 true)) {                     \
			/* An ASSERT in this teardown must land here. */      \
			if (setjmp(_metadata->env) == 0)                      \
				fixture_name##_teardown(_metadata, self,      \
							variant);             \
		}                                                             \
		munmap(teardown_claimed, sizeof(bool));                       \
		if (self && fixture_name##_teardown_parent)                   \
			munmap(self, sizeof(*self));                          \
		if (WIFEXITED(status) && WEXITSTATUS(status))                 \
			_metadata->exit_code = WEXITSTATUS(status);           \
		else if (WIFSIGNALED(status))                                 \
			/* Let the runner see how the test died. */           \
			kill(getpid(), WTERMSIG(status));                     \
	}                                                                     \
	static struct __test_metadata _##fixture_name##_##test_name##_object = { \
		.name = #test_name,                                           \
		.fn = &wrapper_##fixture_name##_##test_name,                  \
		.fixture = &_##fixture_name##_fixture_object,                 \
		.termsig = signal,                                            \
		.timeout = tmout,                                             \
		.line = __LINE__,                                             \
	};                                                                    \
	static void __attribute__((constructor))                              \
		_register_##fixture_name##_##test_name(void)                  \
	{                                                                     \
		__register_test(&_##fixture_name##_##test_name##_object);     \
	}                                                                     \
	static void fixture_name##_##test_name(                               \
		struct __test_metadata __attribute__((unused)) *_metadata,    \
		FIXTURE_DATA(fixture_name) __attribute__((unused)) *self,     \
		const FIXTURE_VARIANT(fixture_name)                           \
			__attribute__((unused)) *variant)

/* TEST_HARNESS_MAIN: a main() that runs every registered test. */
#define TEST_HARNESS_MAIN                                                     \
	int main(int argc, char **argv)                                       \
	{                                                                     \
		return test_harness_run(argc, argv);                          \
	}

/*
 * The checks. ASSERT_* ends the test, EXPECT_* records the failure and
 * goes on. @expected and @seen are evaluated once; the comparison is C's,
 * so the usual arithmetic conversions apply as they do in the kernel's
 * harness (without the -Wsign-compare noise they would cause).
 */
#define ASSERT_EQ(expected, seen) __EXPECT(expected, #expected, seen, #seen, ==, 1)
#define ASSERT_NE(expected, seen) __EXPECT(expected, #expected, seen, #seen, !=, 1)
#define ASSERT_LT(expected, seen) __EXPECT(expected, #expected, seen, #seen, <, 1)
#define ASSERT_LE(expected, seen) __EXPECT(expected, #expected, seen, #seen, <=, 1)
#define ASSERT_GT(expected, seen) __EXPECT(expected, #expected, seen, #seen, >, 1)
#define ASSERT_GE(expected, seen) __EXPECT(expected, #expected, seen, #seen, >=, 1)
#define ASSERT_NULL(seen) __EXPECT_NULL(seen, #seen, 1, 1)
#define ASSERT_NOT_NULL(seen) __EXPECT_NULL(seen, #seen, 0, 1)
#define ASSERT_TRUE(seen) __EXPECT_BOOL(seen, #seen, 1, 1)
#define ASSERT_FALSE(seen) __EXPECT_BOOL(seen, #seen, 0, 1)
#define ASSERT_STREQ(expected, seen) __EXPECT_STR(expected, seen, ==, 1)
#define ASSERT_STRNE(expected, seen) __EXPECT_STR(expected, seen, !=, 1)

#define EXPECT_EQ(expected, seen) __EXPECT(expected, #expected, seen, #seen, ==, 0)
#define EXPECT_NE(expected, seen) __EXPECT(expected, #expected, seen, #seen, !=, 0)
#define EXPECT_LT(expected, seen) __EXPECT(expected, #expected, seen, #seen, <, 0)
#define EXPECT_LE(expected, seen) __EXPECT(expected, #expected, seen, #seen, <=, 0)
#define EXPECT_GT(expected, seen) __EXPECT(expected, #expected, seen, #seen, >, 0)
#define EXPECT_GE(expected, seen) __EXPECT(expected, #expected, seen, #seen, >=, 0)
#define EXPECT_NULL(seen) __EXPECT_NULL(seen, #seen, 1, 0)
#define EXPECT_NOT_NULL(seen) __EXPECT_NULL(seen, #seen, 0, 0)
#define EXPECT_TRUE(seen) __EXPECT_BOOL(seen, #seen, 1, 0)
#define EXPECT_FALSE(seen) __EXPECT_BOOL(seen, #seen, 0, 0)
#define EXPECT_STREQ(expected, seen) __EXPECT_STR(expected, seen, ==, 0)
#define EXPECT_STRNE(expected, seen) __EXPECT_STR(expected, seen, !=, 0)

#define __KSFT_IS_SIGNED(v) (!!((__typeof__(v))(-1) < (__typeof__(v))1))

#ifdef __cplusplus
#define __KSFT_WARNINGS_OFF_LANG                                              \
	_Pragma("GCC diagnostic ignored \"-Wconversion-null\"")
#else
#define __KSFT_WARNINGS_OFF_LANG
#endif
#define __KSFT_WARNINGS_OFF                                                   \
	_Pragma("GCC diagnostic push")                                        \
	_Pragma("GCC diagnostic ignored \"-Wsign-compare\"")                  \
	_Pragma("GCC diagnostic ignored \"-Wtype-limits\"")                   \
	__KSFT_WARNINGS_OFF_LANG
#define __KSFT_WARNINGS_ON _Pragma("GCC diagnostic pop")

/* Both values printed with their own signedness. */
static inline void __ksft_log_cmp(struct __test_metadata *_metadata,
				  const char *file, int line,
				  const char *exp_str, bool exp_signed,
				  uintmax_t exp, const char *op,
				  const char *seen_str, bool seen_signed,
				  uintmax_t seen)
{
	char e[32], s[32];

	if (exp_signed)
		snprintf(e, sizeof(e), "%jd", (intmax_t)exp);
	else
		snprintf(e, sizeof(e), "%ju", exp);
	if (seen_signed)
		snprintf(s, sizeof(s), "%jd", (intmax_t)seen);
	else
		snprintf(s, sizeof(s), "%ju", seen);
	fprintf(TH_LOG_STREAM, "# %s:%d:%s:Expected %s (%s) %s %s (%s)\n",
		file, line, _metadata->name, exp_str, e, op, seen_str, s);
}

#ifdef __cplusplus
/*
 * C compares a pointer with NULL, which C++ spells as an integer; compare
 * such a pair as addresses.
 */
template <typename A, typename B>
inline constexpr bool __ksft_ptr_int =
	(std::is_pointer_v<A> && std::is_integral_v<B>) ||
	(std::is_integral_v<A> && std::is_pointer_v<B>);
template <typename A, typename B>
static inline decltype(auto) __ksft_operand(const A &a, const B &)
{
	if constexpr (__ksft_ptr_int<A, B>)
		return (uintptr_t)a;
	else
		return (a);
}
#define __KSFT_COMPARE(a, op, b) (__ksft_operand(a, b) op __ksft_operand(b, a))
#else
#define __KSFT_COMPARE(a, op, b) ((a) op (b))
#endif

#define __EXPECT(_expected, _expected_str, _seen, _seen_str, _t, _assert)     \
	do {                                                                  \
		__KSFT_WARNINGS_OFF                                           \
		__KSFT_AUTO __exp = (_expected);                              \
		__KSFT_AUTO __seen = (_seen);                                 \
		if (!__KSFT_COMPARE(__exp, _t, __seen)) {                     \
			__ksft_log_cmp(_metadata, __FILE__, __LINE__,         \
				       _expected_str, __KSFT_IS_SIGNED(__exp),\
				       (uintmax_t)__exp, #_t, _seen_str,      \
				       __KSFT_IS_SIGNED(__seen),              \
				       (uintmax_t)__seen);                    \
			_metadata->exit_code = KSFT_FAIL;                     \
			_metadata->trigger = 1;                               \
		}                                                             \
		__KSFT_WARNINGS_ON                                            \
	} while (0);                                                          \
	OPTIONAL_HANDLER(_assert)

/* Logged as the kernel's harness logs them: against NULL, or against 0. */
#define __EXPECT_NULL(_seen, _seen_str, _want_null, _assert)                  \
	do {                                                                  \
		__KSFT_PTR_AUTO __seen = (_seen);                             \
		if ((__seen == 0) != (_want_null)) {                          \
			__ksft_log_cmp(_metadata, __FILE__, __LINE__, "NULL", \
				       false, 0, (_want_null) ? "==" : "!=",  \
				       _seen_str, false, (uintmax_t)__seen);  \
			_metadata->exit_code = KSFT_FAIL;                     \
			_metadata->trigger = 1;                               \
		}                                                             \
	} while (0);                                                          \
	OPTIONAL_HANDLER(_assert)

#define __EXPECT_BOOL(_seen, _seen_str, _want_true, _assert)                  \
	do {                                                                  \
		__KSFT_AUTO __seen = (_seen);                                 \
		if (!!(__seen) != (_want_true)) {                             \
			__ksft_log_cmp(_metadata, __FILE__, __LINE__, "0",    \
				       true, 0, (_want_true) ? "!=" : "==",   \
				       _seen_str, __KSFT_IS_SIGNED(__seen),   \
				       (uintmax_t)__seen);                    \
			_metadata->exit_code = KSFT_FAIL;                     \
			_metadata->trigger = 1;                               \
		}                                                             \
	} while (0);                                                          \
	OPTIONAL_HANDLER(_assert)

#define __EXPECT_STR(_expected, _seen, _t, _assert)                           \
	do {                                                                  \
		const char *__exp = (_expected);                              \
		const char *__seen = (_seen);                                 \
		if (!(strcmp(__exp, __seen) _t 0)) {                          \
			__TH_LOG("Expected '%s' %s '%s'.", __exp, #_t,        \
				 __seen);                                     \
			_metadata->exit_code = KSFT_FAIL;                     \
			_metadata->trigger = 1;                               \
		}                                                             \
	} while (0);                                                          \
	OPTIONAL_HANDLER(_assert)

/*
 * The uiommufd tripwire bridge. The layout matches struct harness_test_ops
 * (harness/testhooks.h); the setter is reached through a weak reference to
 * its C++ symbol so that C programs, and programs without the uiommufd
 * kernel, link all the same.
 */
struct __ksft_harness_ops {
	void (*fail)(const char *file, int line, const char *msg);
};

#ifdef __cplusplus
struct harness_test_ops;
void harness_set_test_ops(const struct harness_test_ops *ops)
	__attribute__((weak));
#define __ksft_harness_set_ops(ops)                                           \
	(harness_set_test_ops ?                                               \
		 (harness_set_test_ops(                                       \
			  (const struct harness_test_ops *)(ops)), true) :    \
		 false)
#else
extern void __ksft_harness_set_test_ops(const void *ops) __asm__(
	"_Z20harness_set_test_opsPK16harness_test_ops") __attribute__((weak));
#define __ksft_harness_set_ops(ops)                                           \
	(__ksft_harness_set_test_ops ?                                        \
		 (__ksft_harness_set_test_ops(ops), true) :                   \
		 false)
#endif

static inline void __ksft_harness_fail(const char *file, int line,
				       const char *msg)
{
	struct __test_metadata *t = __active_test;

	fprintf(TH_LOG_STREAM, "# %s:%d:%s:%s\n", file, line,
		t ? t->name : "(no test)", msg);
	if (t)
		t->exit_code = KSFT_FAIL;
}

static const struct __ksft_harness_ops __ksft_harness_ops
	__attribute__((unused)) = { __ksft_harness_fail };

static inline void __ksft_timeout_handler(int sig,
					  siginfo_t *info __attribute__((unused)),
					  void *ucontext __attribute__((unused)))
{
	struct __test_metadata *t = __active_test;

	if (!t || sig != SIGALRM)
		return;
	t->timed_out = true;
	/* The whole process group: the test and whatever it forked. */
	if (kill(-(t->pid), SIGKILL))
		kill(t->pid, SIGKILL);
}

/* Waits for the test's child, kills it on timeout, judges its end. */
static inline void __wait_for_test(struct __test_metadata *t)
{
	struct sigaction action, saved_action;
	int status = KSFT_FAIL << 8;
	pid_t pid;

	memset(&action, 0, sizeof(action));
	action.sa_sigaction = __ksft_timeout_handler;
	action.sa_flags = SA_SIGINFO; /* no SA_RESTART: the alarm ends waitpid */
	if (sigaction(SIGALRM, &action, &saved_action)) {
		t->exit_code = KSFT_FAIL;
		fprintf(TH_LOG_STREAM, "# %s: unable to install SIGALRM handler\n",
			t->name);
		return;
	}
	__active_test = t;
	t->timed_out = false;
	alarm((unsigned int)t->timeout);
	do {
		pid = waitpid(t->pid, &status, 0);
	} while (pid == -1 && errno == EINTR);
	alarm(0);
	sigaction(SIGALRM, &saved_action, NULL);
	__active_test = NULL;

	if (pid == -1) {
		t->exit_code = KSFT_FAIL;
		fprintf(TH_LOG_STREAM, "# %s: Failed to wait for PID %d (errno: %d)\n",
			t->name, t->pid, errno);
		return;
	}
	if (t->timed_out) {
		t->exit_code = KSFT_FAIL;
		fprintf(TH_LOG_STREAM, "# %s: Test terminated by timeout\n",
			t->name);
	} else if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);

		if (t->aborted) {
			t->exit_code = KSFT_FAIL;
			fprintf(TH_LOG_STREAM,
				"# %s: Test terminated by assertion\n", t->name);
		} else if (code == KSFT_SKIP || code == KSFT_XPASS ||
			   code == KSFT_XFAIL) {
			t->exit_code = code;
		} else if (t->termsig != -1) {
			t->exit_code = KSFT_FAIL;
			fprintf(TH_LOG_STREAM,
				"# %s: Test exited normally instead of by signal (code: %d)\n",
				t->name, code);
		} else if (code == KSFT_PASS) {
			t->exit_code = KSFT_PASS;
		} else {
			t->exit_code = KSFT_FAIL;
			fprintf(TH_LOG_STREAM, "# %s: Test failed\n", t->name);
		}
	} else if (WIFSIGNALED(status)) {
		t->exit_code = KSFT_FAIL;
		/* As in the kernel, SIGABRT always means a failed assertion. */
		if (WTERMSIG(status) == SIGABRT) {
			fprintf(TH_LOG_STREAM,
				"# %s: Test terminated by assertion\n", t->name);
		} else if (WTERMSIG(status) == t->termsig) {
			t->exit_code = KSFT_PASS;
		} else {
			fprintf(TH_LOG_STREAM,
				"# %s: Test terminated unexpectedly by signal %d\n",
				t->name, WTERMSIG(status));
		}
	} else {
		t->exit_code = KSFT_FAIL;
		fprintf(TH_LOG_STREAM, "# %s: Test ended in some other way [%u]\n",
			t->name, (unsigned int)status);
	}
}

static inline void test_harness_list_tests(void)
{
	struct __fixture_metadata *f;

	for (f = __fixture_list; f; f = f->next) {
		struct __fixture_variant_metadata *v = f->variant;
		struct __test_metadata *t = f->tests;

		if (f == __fixture_list)
			fprintf(stderr, "%-20s %-25s %s\n", "# FIXTURE",
				"VARIANT", "TEST");
		else
			fprintf(stderr, "%.80s\n",
				"----------------------------------------"
				"----------------------------------------");
		do {
			fprintf(stderr, "%-20s %-25s %s\n",
				t == f->tests ? f->name : "", v ? v->name : "",
				t ? t->name : "");
			v = v ? v->next : NULL;
			t = t ? t->next : NULL;
		} while (v || t);
	}
}

static inline int test_harness_argv_check(int argc, char **argv)
{
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "hlF:f:V:v:t:T:r:")) != -1) {
		switch (opt) {
		case 'f':
		case 'F':
		case 'v':
		case 'V':
		case 't':
		case 'T':
		case 'r':
			break;
		case 'l':
			test_harness_list_tests();
			return KSFT_SKIP;
		case 'h':
		default:
			fprintf(stderr,
				"Usage: %s [-h|-l] [-t|-T|-v|-V|-f|-F|-r name]\n"
				"\t-h       print help\n"
				"\t-l       list all tests\n"
				"\n"
				"\t-t name  include test\n"
				"\t-T name  exclude test\n"
				"\t-v name  include variant\n"
				"\t-V name  exclude variant\n"
				"\t-f name  include fixture\n"
				"\t-F name  exclude fixture\n"
				"\t-r name  run specified test (fixture[.variant].test)\n"
				"\n"
				"Filters may be repeated; the first that matches a test\n"
				"decides. With only exclusions, everything else runs:\n"
				"'-T foo -v bla' runs variant bla except test foo.\n",
				argv[0]);
			return opt == 'h' ? KSFT_SKIP : KSFT_FAIL;
		}
	}
	return KSFT_PASS;
}

/* "fixture.variant.test", or "fixture.test" when the variant has no name. */
static inline void __ksft_full_name(char *buf, size_t size,
				    const struct __fixture_metadata *f,
				    const struct __fixture_variant_metadata *v,
				    const struct __test_metadata *t)
{
	snprintf(buf, size, "%s%s%s.%s", f->name, v->name[0] ? "." : "",
		 v->name, t->name);
}

static inline bool test_enabled(int argc, char **argv,
				struct __fixture_metadata *f,
				struct __fixture_variant_metadata *v,
				struct __test_metadata *t)
{
	bool has_positive = false;
	char full[1024];
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "F:f:V:v:t:T:r:")) != -1) {
		bool include = islower(opt);

		has_positive |= include;
		switch (tolower(opt)) {
		case 't':
			if (!strcmp(t->name, optarg))
				return include;
			break;
		case 'f':
			if (!strcmp(f->name, optarg))
				return include;
			break;
		case 'v':
			if (!strcmp(v->name, optarg))
				return include;
			break;
		case 'r':
			__ksft_full_name(full, sizeof(full), f, v, t);
			if (!strcmp(full, optarg))
				return true;
			break;
		}
	}
	/* Only exclusions given: everything not excluded runs. */
	return !has_positive;
}

static inline void __run_test(struct __fixture_metadata *f,
			      struct __fixture_variant_metadata *variant,
			      struct __test_metadata *t,
			      struct __test_results *results)
{
	struct __test_metadata *m;
	struct __test_xfail *xfail;
	char test_name[1024];
	const char *diagnostic;
	pid_t child;

	__ksft_full_name(test_name, sizeof(test_name), f, variant, t);
	ksft_print_msg(" RUN           %s ...\n", test_name);

	/* The run's metadata lives in memory the test's processes share. */
	m = __KSFT_CAST(struct __test_metadata *,
			__ksft_shared_alloc(sizeof(*m)));
	if (!m) {
		t->exit_code = KSFT_FAIL;
		ksft_test_result_code(KSFT_FAIL, test_name, "%s",
				      "cannot map the test's state");
		return;
	}
	memcpy(m, t, sizeof(*m));
	m->exit_code = KSFT_PASS;
	m->trigger = 0;
	m->aborted = false;
	m->timed_out = false;
	m->setup_completed = false;
	m->results = results;
	memset(results->reason, 0, sizeof(results->reason));

	fflush(stdout);
	fflush(stderr);
	child = fork();
	if (child < 0) {
		ksft_print_msg("ERROR SPAWNING TEST CHILD\n");
		m->exit_code = KSFT_FAIL;
	} else if (child == 0) {
		setpgid(0, 0);
		__active_test = m;
		__ksft_harness_set_ops(&__ksft_harness_ops);
		m->fn(m, variant);
		_exit(m->aborted ? KSFT_FAIL : m->exit_code);
	} else {
		/* Also here: the alarm may fire before the child ran at all. */
		setpgid(child, child);
		m->pid = child;
		__wait_for_test(m);
	}
	ksft_print_msg("         %4s  %s\n", __test_passed(m) ? "OK" : "FAIL",
		       test_name);

	for (xfail = variant->xfails; xfail; xfail = xfail->next)
		if (xfail->test == t)
			break;
	if (xfail)
		m->exit_code = __test_passed(m) ? KSFT_XPASS : KSFT_XFAIL;

	if (results->reason[0])
		diagnostic = results->reason;
	else if (m->exit_code == KSFT_PASS || m->exit_code == KSFT_FAIL)
		diagnostic = NULL;
	else
		diagnostic = "unknown";
	ksft_test_result_code(m->exit_code, test_name,
			      diagnostic ? "%s" : NULL, diagnostic);

	t->exit_code = m->exit_code;
	munmap(m, sizeof(*m));
}

static inline int test_harness_run(int argc, char **argv)
{
	struct __fixture_variant_metadata no_variant;
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_results *results;
	struct __test_metadata *t;
	unsigned int case_count = 0, test_count = 0;
	unsigned int count = 0, pass_count = 0;
	int ret;

	memset(&no_variant, 0, sizeof(no_variant));
	no_variant.name = "";

	ret = test_harness_argv_check(argc, argv);
	if (ret != KSFT_PASS)
		return ret;

	for (f = __fixture_list; f; f = f->next) {
		for (v = f->variant ? f->variant : &no_variant; v; v = v->next) {
			unsigned int before = test_count;

			for (t = f->tests; t; t = t->next)
				if (test_enabled(argc, argv, f, v, t))
					test_count++;
			if (test_count != before)
				case_count++;
		}
	}

	results = __KSFT_CAST(struct __test_results *,
			      __ksft_shared_alloc(sizeof(*results)));
	if (!results)
		ksft_exit_fail_msg("cannot map the results area\n");

	ksft_print_header();
	ksft_set_plan(test_count);
	ksft_print_msg("Starting %u tests from %u test cases.\n", test_count,
		       case_count);
	for (f = __fixture_list; f; f = f->next) {
		for (v = f->variant ? f->variant : &no_variant; v; v = v->next) {
			for (t = f->tests; t; t = t->next) {
				if (!test_enabled(argc, argv, f, v, t))
					continue;
				count++;
				__run_test(f, v, t, results);
				if (__test_passed(t))
					pass_count++;
				else
					ret = 1;
			}
		}
	}
	munmap(results, sizeof(*results));

	ksft_print_msg("%s: %u / %u tests passed.\n", ret ? "FAILED" : "PASSED",
		       pass_count, count);
	ksft_exit(ret == 0);
	return KSFT_FAIL; /* not reached */
}

#endif /* UIOMMUFD_KSELFTEST_HARNESS_H */
