/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest result API (the kernel's tools/testing/selftests/kselftest.h)
 * for uiommufd's kselftest-style programs: a TAP 13 header and plan, one
 * "ok N ..." / "not ok N ..." line per result, a totals line, and the
 * kselftest exit codes that the kernel's runner scripts understand.
 *
 * This is an independent implementation of the same interface, written in
 * C that also compiles as C++20. State is per translation unit, as in the
 * kernel: a test program is one TU that includes this header.
 */
#ifndef UIOMMUFD_KSELFTEST_H
#define UIOMMUFD_KSELFTEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif

/* Exit codes, as the kselftest runner reads them. */
#define KSFT_PASS  0
#define KSFT_FAIL  1
#define KSFT_XFAIL 2
#define KSFT_XPASS 3
#define KSFT_SKIP  4

#ifndef __noreturn
#define __noreturn __attribute__((__noreturn__))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif

struct ksft_count {
	unsigned int ksft_pass;
	unsigned int ksft_fail;
	unsigned int ksft_xfail;
	unsigned int ksft_xpass;
	unsigned int ksft_xskip;
	unsigned int ksft_error;
};

static struct ksft_count ksft_cnt __attribute__((unused));
static unsigned int ksft_plan __attribute__((unused));

static inline unsigned int ksft_test_num(void)
{
	return ksft_cnt.ksft_pass + ksft_cnt.ksft_fail + ksft_cnt.ksft_xfail +
	       ksft_cnt.ksft_xpass + ksft_cnt.ksft_xskip + ksft_cnt.ksft_error;
}

static inline void ksft_inc_pass_cnt(void) { ksft_cnt.ksft_pass++; }
static inline void ksft_inc_fail_cnt(void) { ksft_cnt.ksft_fail++; }
static inline void ksft_inc_xfail_cnt(void) { ksft_cnt.ksft_xfail++; }
static inline void ksft_inc_xpass_cnt(void) { ksft_cnt.ksft_xpass++; }
static inline void ksft_inc_xskip_cnt(void) { ksft_cnt.ksft_xskip++; }
static inline void ksft_inc_error_cnt(void) { ksft_cnt.ksft_error++; }

static inline int ksft_get_pass_cnt(void) { return (int)ksft_cnt.ksft_pass; }
static inline int ksft_get_fail_cnt(void) { return (int)ksft_cnt.ksft_fail; }
static inline int ksft_get_xfail_cnt(void) { return (int)ksft_cnt.ksft_xfail; }
static inline int ksft_get_xpass_cnt(void) { return (int)ksft_cnt.ksft_xpass; }
static inline int ksft_get_xskip_cnt(void) { return (int)ksft_cnt.ksft_xskip; }
static inline int ksft_get_error_cnt(void) { return (int)ksft_cnt.ksft_error; }

static inline void ksft_print_header(void)
{
	/*
	 * Line buffered even into a pipe: the harness forks per test, and a
	 * fully buffered stdout would be flushed twice, once per process.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A runner nesting us in its own TAP stream sets KSFT_TAP_LEVEL. */
	if (!getenv("KSFT_TAP_LEVEL"))
		printf("TAP version 13\n");
}

static inline void ksft_set_plan(unsigned int plan)
{
	ksft_plan = plan;
	printf("1..%u\n", plan);
}

static inline void ksft_print_cnts(void)
{
	if (ksft_plan != ksft_test_num())
		printf("# Planned tests != run tests (%u != %u)\n", ksft_plan,
		       ksft_test_num());
	printf("# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u\n",
	       ksft_cnt.ksft_pass, ksft_cnt.ksft_fail, ksft_cnt.ksft_xfail,
	       ksft_cnt.ksft_xpass, ksft_cnt.ksft_xskip, ksft_cnt.ksft_error);
}

/*
 * All printers keep errno as the caller had it, so "%m" in a message
 * reports the caller's error and not one from printf itself.
 */
static inline __printf(1, 2) void ksft_print_msg(const char *msg, ...)
{
	int saved_errno = errno;
	va_list args;

	printf("# ");
	errno = saved_errno;
	va_start(args, msg);
	vprintf(msg, args);
	va_end(args);
}

static inline void ksft_perror(const char *msg)
{
	int err = errno;

	ksft_print_msg("%s: %s (%d)\n", msg, strerror(err), err);
}

/* "<prefix> N " then the caller's text, which brings its own newline. */
static inline void __ksft_result(const char *prefix, const char *msg,
				 va_list args, int saved_errno)
{
	printf("%s %u ", prefix, ksft_test_num());
	errno = saved_errno;
	vprintf(msg, args);
}

#define __KSFT_RESULT_FN(fn, counter, prefix)                                 \
	static inline __printf(1, 2) void fn(const char *msg, ...)            \
	{                                                                     \
		int saved_errno = errno;                                      \
		va_list args;                                                 \
		ksft_cnt.counter++;                                           \
		va_start(args, msg);                                          \
		__ksft_result(prefix, msg, args, saved_errno);                \
		va_end(args);                                                 \
	}

__KSFT_RESULT_FN(ksft_test_result_pass, ksft_pass, "ok")
__KSFT_RESULT_FN(ksft_test_result_fail, ksft_fail, "not ok")

/* Directive results put the directive between the number and the text. */
static inline void __ksft_directive(const char *prefix, const char *directive,
				    const char *msg, va_list args,
				    int saved_errno)
{
	printf("%s %u # %s ", prefix, ksft_test_num(), directive);
	errno = saved_errno;
	vprintf(msg, args);
}

#define __KSFT_DIRECTIVE_FN(fn, counter, prefix, directive)                   \
	static inline __printf(1, 2) void fn(const char *msg, ...)            \
	{                                                                     \
		int saved_errno = errno;                                      \
		va_list args;                                                 \
		ksft_cnt.counter++;                                           \
		va_start(args, msg);                                          \
		__ksft_directive(prefix, directive, msg, args, saved_errno);  \
		va_end(args);                                                 \
	}

__KSFT_DIRECTIVE_FN(ksft_test_result_xfail, ksft_xfail, "ok", "XFAIL")
__KSFT_DIRECTIVE_FN(ksft_test_result_skip, ksft_xskip, "ok", "SKIP")
__KSFT_DIRECTIVE_FN(ksft_test_result_error, ksft_error, "not ok", "error")

#define ksft_test_result(condition, fmt, ...)                                 \
	do {                                                                  \
		if (!!(condition))                                            \
			ksft_test_result_pass(fmt, ##__VA_ARGS__);            \
		else                                                          \
			ksft_test_result_fail(fmt, ##__VA_ARGS__);            \
	} while (0)

/*
 * One result line for a test named @test_name from its exit code; @msg
 * (optional) is the diagnostic after the directive, e.g. a skip reason.
 */
static inline __printf(3, 4) void ksft_test_result_code(int exit_code,
							const char *test_name,
							const char *msg, ...)
{
	const char *tap_code = "ok";
	const char *directive = "";
	int saved_errno = errno;
	va_list args;

	switch (exit_code) {
	case KSFT_PASS:
		ksft_cnt.ksft_pass++;
		break;
	case KSFT_XFAIL:
		ksft_cnt.ksft_xfail++;
		directive = " # XFAIL ";
		break;
	case KSFT_XPASS:
		ksft_cnt.ksft_xpass++;
		directive = " # XPASS ";
		break;
	case KSFT_SKIP:
		ksft_cnt.ksft_xskip++;
		directive = " # SKIP ";
		break;
	default:
		ksft_cnt.ksft_fail++;
		tap_code = "not ok";
		break;
	}
	/* A diagnostic without a directive still needs its "#" (TAP 13). */
	if (msg && !directive[0])
		directive = " #  ";

	printf("%s %u %s%s", tap_code, ksft_test_num(), test_name, directive);
	if (msg) {
		errno = saved_errno;
		va_start(args, msg);
		vprintf(msg, args);
		va_end(args);
	}
	printf("\n");
}

#define ksft_test_result_report(result, fmt, ...)                             \
	do {                                                                  \
		switch (result) {                                             \
		case KSFT_PASS:                                               \
			ksft_test_result_pass(fmt, ##__VA_ARGS__);            \
			break;                                                \
		case KSFT_FAIL:                                               \
			ksft_test_result_fail(fmt, ##__VA_ARGS__);            \
			break;                                                \
		case KSFT_XFAIL:                                              \
			ksft_test_result_xfail(fmt, ##__VA_ARGS__);           \
			break;                                                \
		case KSFT_SKIP:                                               \
			ksft_test_result_skip(fmt, ##__VA_ARGS__);            \
			break;                                                \
		}                                                             \
	} while (0)

static inline __noreturn void ksft_exit_pass(void)
{
	ksft_print_cnts();
	exit(KSFT_PASS);
}

static inline __noreturn void ksft_exit_fail(void)
{
	ksft_print_cnts();
	exit(KSFT_FAIL);
}

#define ksft_exit(condition)                                                  \
	do {                                                                  \
		if (!!(condition))                                            \
			ksft_exit_pass();                                     \
		else                                                          \
			ksft_exit_fail();                                     \
	} while (0)

/* Passes when every planned test passed, was skipped or failed as expected. */
#define ksft_finished()                                                       \
	ksft_exit(ksft_plan == ksft_cnt.ksft_pass + ksft_cnt.ksft_xfail +     \
				       ksft_cnt.ksft_xskip)

static inline __noreturn __printf(1, 2) void ksft_exit_fail_msg(const char *msg,
								...)
{
	int saved_errno = errno;
	va_list args;

	printf("Bail out! ");
	errno = saved_errno;
	va_start(args, msg);
	vprintf(msg, args);
	va_end(args);
	ksft_print_cnts();
	exit(KSFT_FAIL);
}

static inline __noreturn void ksft_exit_fail_perror(const char *msg)
{
	int err = errno;

	ksft_exit_fail_msg("%s: %s (%d)\n", msg, strerror(err), err);
}

static inline __noreturn void ksft_exit_xfail(void)
{
	ksft_print_cnts();
	exit(KSFT_XFAIL);
}

static inline __noreturn void ksft_exit_xpass(void)
{
	ksft_print_cnts();
	exit(KSFT_XPASS);
}

/*
 * Skips the rest of the program. Before any result this is a skipped
 * plan ("1..0 # SKIP reason"); after some, one more skipped result.
 */
static inline __noreturn __printf(1, 2) void ksft_exit_skip(const char *msg, ...)
{
	int saved_errno = errno;
	va_list args;

	if (ksft_plan || ksft_test_num()) {
		ksft_cnt.ksft_xskip++;
		printf("ok %u # SKIP ", ksft_test_num());
	} else {
		printf("1..0 # SKIP ");
	}
	if (msg) {
		errno = saved_errno;
		va_start(args, msg);
		vprintf(msg, args);
		va_end(args);
	}
	if (ksft_test_num())
		ksft_print_cnts();
	exit(KSFT_SKIP);
}

/* Whether the running kernel is at least @min_major.@min_minor. */
static inline int ksft_min_kernel_version(unsigned int min_major,
					  unsigned int min_minor)
{
	unsigned int major, minor;
	struct utsname info;

	if (uname(&info) || sscanf(info.release, "%u.%u.", &major, &minor) != 2)
		ksft_exit_fail_msg("Can't parse kernel version\n");
	return major > min_major || (major == min_major && minor >= min_minor);
}

#endif /* UIOMMUFD_KSELFTEST_H */
