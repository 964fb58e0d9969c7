// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over the dma-buf paths: the mock exporter's
 * IOMMU_TEST_OP_DMABUF_GET, IOMMU_IOAS_MAP_FILE of a dma-buf fd (attach,
 * physical ranges, mapping into every domain, the revoke tracker),
 * IOMMU_IOAS_COPY and domain attach over an imported buffer,
 * IOMMU_TEST_OP_DMABUF_REVOKE and MD_CHECK_DMABUF.
 *
 * Same method as failnth_sweep.cc: for n = 1, 2, ... build a fresh context,
 * fail the nth injection point of the sequence, check the errno, that no
 * tripwire fired, that a follow-up works, and that closing every fd frees
 * everything (the dma-buf's pages included).
 */
#include "failnth.h"
#include "kunit.h"

#include "core/c_api.h"
#include "harness/fault_inject.h"
#include "harness/slab.h"
#include "harness/testhooks.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace {

constexpr unsigned int max_points = 20000;
constexpr u64 base = MOCK_APERTURE_START;

unsigned long host_page;
size_t buf_size;

int mock_domain(int fd, u32 pt, u32 *stdev, u32 *hwpt)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = pt };
	int rc = test_cmd(fd, &cmd);

	if (rc)
		return rc;
	*stdev = cmd.mock_domain.out_stdev_id;
	*hwpt = cmd.mock_domain.out_hwpt_id;
	return 0;
}

int dmabuf_get(int fd, int *dfd)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd), .op = IOMMU_TEST_OP_DMABUF_GET };
	int rc;

	cmd.dmabuf_get.length = buf_size;
	cmd.dmabuf_get.open_flags = O_CLOEXEC;
	rc = iommufd_ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (rc < 0)
		return errno;
	*dfd = rc;
	return 0;
}

int dmabuf_revoke(int fd, int dfd, bool revoked)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_DMABUF_REVOKE };

	cmd.dmabuf_revoke.dmabuf_fd = dfd;
	cmd.dmabuf_revoke.revoked = revoked;
	return test_cmd(fd, &cmd);
}

int dmabuf_check(int fd, u32 hwpt, int dfd, u64 iova)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MD_CHECK_DMABUF, .id = hwpt };

	cmd.check_dmabuf.dmabuf_fd = dfd;
	cmd.check_dmabuf.iova = iova;
	cmd.check_dmabuf.length = buf_size;
	return test_cmd(fd, &cmd);
}

/* MAP_FILE of the whole buffer; at *iova if fixed. */
int map_dmabuf(int fd, u32 ioas, int dfd, u64 *iova, bool fixed)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (fixed ? (u32)IOMMU_IOAS_MAP_FIXED_IOVA : 0u),
		.ioas_id = ioas,
		.fd = dfd,
		.start = 0,
		.length = buf_size,
		.iova = *iova,
	};
	int rc = uioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

int unmap_all(int fd, u32 ioas)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = 0,
		.length = UINT64_MAX,
	};

	return uioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

int copy(int fd, u32 dst, u32 src, u64 *dst_iova)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = buf_size,
		.src_iova = base,
	};
	int rc = uioctl(fd, IOMMU_IOAS_COPY, &cmd);

	if (!rc)
		*dst_iova = cmd.dst_iova;
	return rc;
}

struct sweep_ctx {
	int fd = -1;
	int dfd = -1;
	int dfd2 = -1;
	u32 ioas = 0;
	u32 ioas2 = 0;
	u32 stdev = 0;
	u32 hwpt = 0;
	u32 stdev2 = 0;
	u32 hwpt2 = 0;
};

struct sweep {
	const char *name;
	int (*setup)(sweep_ctx *c);
	int (*run)(sweep_ctx *c);
	int (*verify)(sweep_ctx *c);
	int errnos[8];
};

int setup_ioas(sweep_ctx *c)
{
	c->fd = iommufd_open(O_RDWR);
	if (c->fd < 0)
		return errno;
	return ioas_alloc(c->fd, &c->ioas);
}

/* An IOAS with a mock domain and a dma-buf not yet imported. */
int setup_domain_dmabuf(sweep_ctx *c)
{
	FAILNTH_TRY(setup_ioas(c));
	FAILNTH_TRY(mock_domain(c->fd, c->ioas, &c->stdev, &c->hwpt));
	return dmabuf_get(c->fd, &c->dfd);
}

/* ... and the buffer imported at base. */
int setup_imported(sweep_ctx *c)
{
	u64 iova = base;

	FAILNTH_TRY(setup_domain_dmabuf(c));
	return map_dmabuf(c->fd, c->ioas, c->dfd, &iova, true);
}

/* An IOAS with only the import at base, no domain yet. */
int setup_imported_no_domain(sweep_ctx *c)
{
	u64 iova = base;

	FAILNTH_TRY(setup_ioas(c));
	FAILNTH_TRY(dmabuf_get(c->fd, &c->dfd));
	return map_dmabuf(c->fd, c->ioas, c->dfd, &iova, true);
}

/* Drop every import, import again at base, check the domain. */
int verify_reimport(sweep_ctx *c)
{
	u64 iova = base;

	FAILNTH_TRY(unmap_all(c->fd, c->ioas));
	FAILNTH_TRY(map_dmabuf(c->fd, c->ioas, c->dfd, &iova, true));
	return dmabuf_check(c->fd, c->hwpt, c->dfd, iova);
}

void teardown(sweep_ctx *c)
{
	if (c->dfd >= 0)
		iommufd_close(c->dfd);
	if (c->dfd2 >= 0)
		iommufd_close(c->dfd2);
	if (c->fd >= 0)
		iommufd_close(c->fd);
}

const struct sweep sweeps[] = {
	{
		.name = "dmabuf_get",
		.setup = setup_ioas,
		.run = [](sweep_ctx *c) { return dmabuf_get(c->fd, &c->dfd); },
		.verify = [](sweep_ctx *c) { return dmabuf_get(c->fd, &c->dfd2); },
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "map_file_dmabuf",
		.setup = setup_domain_dmabuf,
		.run = [](sweep_ctx *c) {
			u64 iova = 0;

			FAILNTH_TRY(map_dmabuf(c->fd, c->ioas, c->dfd, &iova, false));
			FAILNTH_TRY(dmabuf_check(c->fd, c->hwpt, c->dfd, iova));
			/* a second import of the same buffer */
			return map_dmabuf(c->fd, c->ioas, c->dfd, &iova, false);
		},
		.verify = verify_reimport,
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		/* the unwind of a failed map into the second domain */
		.name = "map_file_two_domains",
		.setup = [](sweep_ctx *c) {
			FAILNTH_TRY(setup_domain_dmabuf(c));
			return mock_domain(c->fd, c->ioas, &c->stdev2, &c->hwpt2);
		},
		.run = [](sweep_ctx *c) {
			u64 iova = 0;

			FAILNTH_TRY(map_dmabuf(c->fd, c->ioas, c->dfd, &iova, false));
			FAILNTH_TRY(dmabuf_check(c->fd, c->hwpt2, c->dfd, iova));
			return dmabuf_revoke(c->fd, c->dfd, true);
		},
		.verify = [](sweep_ctx *c) {
			FAILNTH_TRY(dmabuf_revoke(c->fd, c->dfd, false));
			FAILNTH_TRY(verify_reimport(c));
			/* both domains leave: nothing tracked may be left behind */
			FAILNTH_TRY(destroy(c->fd, c->stdev2));
			return destroy(c->fd, c->stdev);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "attach_after_import",
		.setup = setup_imported_no_domain,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(mock_domain(c->fd, c->ioas, &c->stdev, &c->hwpt));
			FAILNTH_TRY(mock_domain(c->fd, c->ioas, &c->stdev2, &c->hwpt2));
			return destroy(c->fd, c->stdev);
		},
		.verify = [](sweep_ctx *c) {
			u32 stdev, hwpt;

			FAILNTH_TRY(mock_domain(c->fd, c->ioas, &stdev, &hwpt));
			return dmabuf_check(c->fd, hwpt, c->dfd, base);
		},
		/* HWPT allocation reports some failed lookups as EINVAL */
		.errnos = { FAILNTH_ERRNOS_BASE, EINVAL },
	},
	{
		.name = "copy_dmabuf",
		.setup = [](sweep_ctx *c) {
			FAILNTH_TRY(setup_imported(c));
			FAILNTH_TRY(ioas_alloc(c->fd, &c->ioas2));
			return mock_domain(c->fd, c->ioas2, &c->stdev2, &c->hwpt2);
		},
		.run = [](sweep_ctx *c) {
			u64 iova;

			FAILNTH_TRY(copy(c->fd, c->ioas2, c->ioas, &iova));
			return dmabuf_check(c->fd, c->hwpt2, c->dfd, iova);
		},
		.verify = [](sweep_ctx *c) {
			u64 iova;

			FAILNTH_TRY(unmap_all(c->fd, c->ioas2));
			FAILNTH_TRY(copy(c->fd, c->ioas2, c->ioas, &iova));
			return dmabuf_check(c->fd, c->hwpt2, c->dfd, iova);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "revoke",
		.setup = setup_imported,
		.run = [](sweep_ctx *c) {
			u64 iova = 0;

			FAILNTH_TRY(dmabuf_revoke(c->fd, c->dfd, true));
			FAILNTH_TRY(mock_domain(c->fd, c->ioas, &c->stdev2, &c->hwpt2));
			FAILNTH_TRY(dmabuf_revoke(c->fd, c->dfd, false));
			FAILNTH_TRY(map_dmabuf(c->fd, c->ioas, c->dfd, &iova, false));
			return dmabuf_check(c->fd, c->hwpt2, c->dfd, iova);
		},
		.verify = [](sweep_ctx *c) {
			FAILNTH_TRY(dmabuf_revoke(c->fd, c->dfd, false));
			return verify_reimport(c);
		},
		.errnos = { FAILNTH_ERRNOS_BASE, EINVAL },
	},
};

KUNIT_ARRAY_PARAM(failnth_dmabuf, sweeps, failnth_sweep_desc<struct sweep>);

void failnth_dmabuf_sweep(struct kunit *test)
{
	failnth_run_sweep(test, (const struct sweep *)test->param_value, max_points, teardown);
}

int failnth_dmabuf_suite_init(struct kunit_suite *suite)
{
	host_page = sysconf(_SC_PAGESIZE);
	buf_size = 8 * host_page;

	failnth_warm_up(sweeps, teardown);
	return 0;
}

struct kunit_case failnth_dmabuf_cases[] = {
	KUNIT_CASE_PARAM(failnth_dmabuf_sweep, failnth_dmabuf_gen_params),
	{},
};

struct kunit_suite failnth_dmabuf_suite = {
	.name = "iommufd-failnth-dmabuf",
	.suite_init = failnth_dmabuf_suite_init,
	.test_cases = failnth_dmabuf_cases,
};

} // namespace

kunit_test_suite(failnth_dmabuf_suite);
