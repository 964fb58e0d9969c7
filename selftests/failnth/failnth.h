/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fail-nth sweep every selftests/failnth program runs.
 *
 * A sweep is a table row: a setup, the operation sequence under test, a
 * follow-up that must work afterwards, and the errnos the sequence may
 * fail with. For n = 1, 2, ... the n-th injection point of the sequence
 * fails (the kernel's per-task fail-nth); after each run the follow-up must
 * succeed, the context must close with nothing leaked, and no tripwire may
 * fire. The sweep ends at the first n the sequence never reaches.
 *
 * Each program keeps its own rows and context type (struct Sweep with
 * name/setup/run/verify/errnos, and the context its callbacks take); this
 * header is the one loop they share, and the C API wrappers every program
 * needs (the rest stay with the program that uses them).
 */
#pragma once

#include "core/c_api.h"
#include "harness/fault_inject.h"
#include "harness/slab.h"
#include "harness/testhooks.h"
#include "kunit.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>

/* ---- the C API, returning 0 or the errno ---- */

/* < 0, not != 0: VFIO's GET_API_VERSION and CHECK_EXTENSION succeed with 1. */
static inline int uioctl(int fd, unsigned long cmd, void *arg)
{
	return iommufd_ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static inline int test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return uioctl(fd, IOMMU_TEST_CMD, cmd);
}

static inline int ioas_alloc(int fd, u32 *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = uioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (!rc)
		*id = cmd.out_ioas_id;
	return rc;
}

static inline int destroy(int fd, u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return uioctl(fd, IOMMU_DESTROY, &cmd);
}

static inline int map_fixed(int fd, u32 ioas, const void *p, u64 len, u64 iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = ioas,
		.user_va = (uintptr_t)p,
		.length = len,
		.iova = iova,
	};

	return uioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

template <typename Sweep> static bool failnth_errno_allowed(const Sweep *s, int err)
{
	for (int e : s->errnos) {
		if (!e)
			break;
		if (e == err)
			return true;
	}
	return false;
}

/* In a sweep's step: return the errno of a call that failed. */
#define FAILNTH_TRY(expr)                                                     \
	do {                                                                  \
		int __rc = (expr);                                            \
		if (__rc)                                                     \
			return __rc;                                          \
	} while (0)

/* Errnos every uAPI path can give: allocations, user copies, object lookups. */
#define FAILNTH_ERRNOS_BASE ENOMEM, EFAULT, ENOENT
/* ... and an attach, which checks reserved regions through an injection point. */
#define FAILNTH_ERRNOS_ATTACH FAILNTH_ERRNOS_BASE, EINVAL

/* KUNIT_ARRAY_PARAM's description: the row's name. */
template <typename Sweep> static void failnth_sweep_desc(const Sweep *s, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", s->name);
}

template <typename Sweep, typename Ctx>
static void failnth_run_sweep(struct kunit *test, const Sweep *s, unsigned int max_points,
			      void (*teardown)(Ctx *c))
{
	unsigned int n;

	for (n = 1; n <= max_points; n++) {
		unsigned long failures = harness_failure_count();
		u64 mark = kmem_leak_mark();
		unsigned int remaining;
		unsigned long leaked;
		Ctx c;
		int setup_rc, run_rc, verify_rc;

		setup_rc = s->setup(&c);
		if (setup_rc) {
			teardown(&c);
			KUNIT_FAIL_AND_ABORT(test, "%s: setup failed: %s", s->name,
					     strerror(setup_rc));
		}

		fail_nth_write(n);
		run_rc = s->run(&c);
		remaining = fail_nth_read();
		fail_nth_write(0);

		if (run_rc)
			KUNIT_EXPECT_TRUE_MSG(test, failnth_errno_allowed(s, run_rc),
					      "%s n=%u: unexpected errno %d (%s)", s->name, n,
					      run_rc, strerror(run_rc));
		/* Not reached: the sequence ran clean and must have succeeded. */
		if (remaining)
			KUNIT_EXPECT_EQ_MSG(test, run_rc, 0, "%s n=%u: failed without injection",
					    s->name, n);

		verify_rc = s->verify(&c);
		KUNIT_EXPECT_EQ_MSG(test, verify_rc, 0, "%s n=%u (run: %d): follow-up failed: %s",
				    s->name, n, run_rc, strerror(verify_rc));
		teardown(&c);

		leaked = kmem_leak_report(mark);
		KUNIT_EXPECT_EQ_MSG(test, leaked, 0UL, "%s n=%u (run: %d): allocations leaked",
				    s->name, n, run_rc);
		KUNIT_EXPECT_EQ_MSG(test, harness_failure_count(), failures,
				    "%s n=%u (run: %d): a tripwire fired", s->name, n, run_rc);
		if (remaining)
			break;
		/* One broken point reports once; do not flood the log. */
		if (leaked || verify_rc || harness_failure_count() != failures)
			KUNIT_FAIL_AND_ABORT(test, "%s: stopping at n=%u", s->name, n);
	}
	KUNIT_EXPECT_LE_MSG(test, n, max_points, "%s: sweep did not end", s->name);
	kunit_info(test, "%s: %u injection points swept", s->name, n - 1);
}

/*
 * Run every row once with no injection, before any case takes a leak mark,
 * so what the kernel creates once and keeps (the mock IOMMU, caches) is
 * not counted as a leak of the first sweep.
 */
template <typename Sweep, size_t N, typename Ctx>
static void failnth_warm_up(const Sweep (&sweeps)[N], void (*teardown)(Ctx *c))
{
	for (const Sweep &s : sweeps) {
		Ctx c;

		if (!s.setup(&c) && !s.run(&c))
			s.verify(&c);
		teardown(&c);
	}
}

/*
 * A MAP_SHARED anonymous buffer of @size bytes at a 2 MiB-aligned address
 * (so huge-page paths are reachable), filled with @fill; NULL on failure.
 */
static inline void *failnth_shared_buffer(size_t size, int fill)
{
	void *p, *buf;

	if (posix_memalign(&p, 2UL << 20, size))
		return NULL;
	buf = mmap(p, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (buf != p)
		return NULL;
	memset(buf, fill, size);
	return buf;
}
