// SPDX-License-Identifier: GPL-2.0
/*
 * WARN/BUG reporting and the bridge from tripwires to the test frameworks.
 */
#include "harness/bug.h"
#include "harness/testhooks.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

static std::atomic<const harness_test_ops *> test_ops;
static std::atomic<unsigned long> failures;
static std::atomic<unsigned long> warns;

void harness_set_test_ops(const harness_test_ops *ops) { test_ops.store(ops); }
const harness_test_ops *harness_get_test_ops(void) { return test_ops.load(); }
unsigned long harness_failure_count(void) { return failures.load(); }
unsigned long harness_warn_count(void) { return warns.load(); }

static void exit_failed(void)
{
	/* No framework saw the failure: make sure the exit status does. */
	if (failures.load())
		_Exit(1);
}

void harness_report_failure(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	failures.fetch_add(1);
	const harness_test_ops *ops = test_ops.load();
	if (ops && ops->fail) {
		ops->fail(file, line, msg);
		return;
	}
	fprintf(stderr, "%s:%d: %s\n", file, line, msg);
	static std::atomic<bool> registered;
	if (!registered.exchange(true))
		atexit(exit_failed);
}

void __warn(const char *file, int line, const char *cond)
{
	warns.fetch_add(1);
	harness_report_failure(file, line, "WARNING: WARN_ON(%s)", cond);
}

void __bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "%s:%d: kernel BUG: %s\n", file, line, cond);
	abort();
}
