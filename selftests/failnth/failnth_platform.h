/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fail-nth suite over a vendor platform's iommufd paths (failnth_smmuv3,
 * failnth_vtd, failnth_amd): the platform booted in-process before the
 * first case, the file's own preparation (quieting the driver's fault
 * printing, shared guest memory, prebuilt commands), every sweep warmed up
 * once (failnth.h), one parameterised case running each row of @sweeps,
 * and the platform shut down after the last case.
 *
 *   FAILNTH_PLATFORM_SUITE(failnth_vtd, "iommufd-failnth-vtd", "vtd", sweeps,
 *                          max_points, teardown, prepare);
 *
 * @prepare() returns 0 or -errno; rows are of the file's `struct sweep`.
 */
#pragma once

#include "failnth.h"

#include "harness/platform/platform.h"

#include <string>

/* Boots the embedded platform @name in-process; 0 or -errno, said on stderr. */
static inline int failnth_boot_platform(const char *name)
{
	std::string err;
	int rc = platform_boot_named(name, &err);

	if (rc)
		fprintf(stderr, "%s platform: %s\n", name, err.c_str());
	return rc;
}

#define FAILNTH_PLATFORM_SUITE(prefix, suite_name, platform, sweeps, max_points, teardown,      \
			       prepare)                                                        \
	KUNIT_ARRAY_PARAM(prefix, sweeps, failnth_sweep_desc<struct sweep>);                   \
                                                                                               \
	void prefix##_sweep(struct kunit *test)                                                \
	{                                                                                      \
		failnth_run_sweep(test, (const struct sweep *)test->param_value, max_points,  \
				  teardown);                                                   \
	}                                                                                      \
                                                                                               \
	int prefix##_suite_init(struct kunit_suite *suite)                                     \
	{                                                                                      \
		int rc = failnth_boot_platform(platform);                                      \
                                                                                               \
		if (!rc)                                                                       \
			rc = prepare();                                                        \
		if (!rc)                                                                       \
			failnth_warm_up(sweeps, teardown);                                     \
		return rc;                                                                     \
	}                                                                                      \
                                                                                               \
	void prefix##_suite_exit(struct kunit_suite *suite)                                    \
	{                                                                                      \
		platform_shutdown();                                                           \
	}                                                                                      \
                                                                                               \
	struct kunit_case prefix##_cases[] = {                                                 \
		KUNIT_CASE_PARAM(prefix##_sweep, prefix##_gen_params),                         \
		{},                                                                            \
	};                                                                                     \
                                                                                               \
	struct kunit_suite prefix##_suite = {                                                  \
		.name = suite_name,                                                            \
		.suite_init = prefix##_suite_init,                                             \
		.suite_exit = prefix##_suite_exit,                                             \
		.test_cases = prefix##_cases,                                                  \
	}
