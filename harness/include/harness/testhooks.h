/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How harness tripwires reach the running test.
 *
 * The harness does not know which test framework runs it (KUnit on
 * GoogleTest, the kselftest harness, or a plain program under the
 * interposer). A framework installs its ops here; a tripwire (WARN, leak,
 * lockdep assertion, double free) calls harness_report_failure() and the
 * framework marks its current test failed. With no framework installed the
 * report goes to stderr and the process exit status is forced non-zero.
 */
#pragma once

#include <cstdarg>

struct harness_test_ops {
	/* Marks the running test failed; msg is already formatted. */
	void (*fail)(const char *file, int line, const char *msg);
};

void harness_set_test_ops(const struct harness_test_ops *ops);
const struct harness_test_ops *harness_get_test_ops(void);

__attribute__((format(printf, 3, 4)))
void harness_report_failure(const char *file, int line, const char *fmt, ...);
/* Number of failures reported since the process started. */
unsigned long harness_failure_count(void);
