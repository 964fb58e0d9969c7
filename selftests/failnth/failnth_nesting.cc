// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over the nesting ioctls: HWPT_ALLOC of nested HWPTs (on
 * a NEST_PARENT HWPT and on a vIOMMU), HWPT_INVALIDATE (both targets),
 * VIOMMU_ALLOC (with driver data and its mmap region), VDEVICE_ALLOC and
 * the vDEVICE tombstone, HW_QUEUE_ALLOC (core pinning through an internal
 * access, queue dependencies).
 *
 * The method is failnth_sweep.cc's: for n = 1, 2, ... build a fresh
 * context, arm fail-nth with n, run the sequence, disarm; the run may only
 * fail with an errno the family can give, a follow-up not under injection
 * must succeed, no tripwire may fire, and closing the fd must free
 * everything allocated since the context was built. Contexts are closed
 * with every object still alive, so each sweep also covers teardown order.
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
#include <sys/mman.h>
#include <unistd.h>

namespace {

constexpr unsigned int max_points = 20000;

unsigned long host_page;
size_t buf_size;
void *buf;

int mock_domain(int fd, u32 pt, u32 *stdev, u32 *idev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = pt };
	int rc = test_cmd(fd, &cmd);

	if (rc)
		return rc;
	*stdev = cmd.mock_domain.out_stdev_id;
	*idev = cmd.mock_domain.out_idev_id;
	return 0;
}

int mock_replace(int fd, u32 stdev, u32 pt)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev };

	cmd.mock_domain_replace.pt_id = pt;
	return test_cmd(fd, &cmd);
}

int hwpt_alloc(int fd, u32 idev, u32 pt, u32 flags, u32 data_type, const void *data,
	       u32 data_len, u32 *hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = idev,
		.pt_id = pt,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = uioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*hwpt = cmd.out_hwpt_id;
	return rc;
}

int nested_alloc(int fd, u32 idev, u32 pt, u32 *hwpt)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	return hwpt_alloc(fd, idev, pt, 0, IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data), hwpt);
}

int invalidate(int fd, u32 id, const void *reqs, u32 type, u32 entry_len, u32 num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)reqs,
		.data_type = type,
		.entry_len = entry_len,
		.entry_num = num,
	};

	return uioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);
}

int viommu_alloc(int fd, u32 idev, u32 hwpt, void *data, u32 data_len, u32 *viommu)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = idev,
		.hwpt_id = hwpt,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = uioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!rc)
		*viommu = cmd.out_viommu_id;
	return rc;
}

int vdevice_alloc(int fd, u32 viommu, u32 idev, u64 virt_id, u32 *vdev)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = idev,
		.virt_id = virt_id,
	};
	int rc = uioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!rc)
		*vdev = cmd.out_vdevice_id;
	return rc;
}

int hw_queue_alloc(int fd, u32 viommu, u32 index, u64 iova, u64 len, u32 *queue)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
		.index = index,
		.nesting_parent_iova = iova,
		.length = len,
	};
	int rc = uioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (!rc)
		*queue = cmd.out_hw_queue_id;
	return rc;
}

struct sweep_ctx {
	int fd = -1;
	u32 ioas = 0;
	u32 stdev = 0;
	u32 idev = 0;
	u32 stdev2 = 0;
	u32 idev2 = 0;
	u32 parent = 0;
	u32 nested = 0;
	u32 viommu = 0;
	u32 vdev = 0;
};

constexpr u64 base = MOCK_APERTURE_START;

struct sweep {
	const char *name;
	int (*setup)(sweep_ctx *c);
	int (*run)(sweep_ctx *c);
	int (*verify)(sweep_ctx *c);
	int errnos[8];
};

int setup_parent(sweep_ctx *c)
{
	c->fd = iommufd_open(O_RDWR);
	if (c->fd < 0)
		return errno;
	FAILNTH_TRY(ioas_alloc(c->fd, &c->ioas));
	FAILNTH_TRY(map_fixed(c->fd, c->ioas, buf, buf_size, base));
	FAILNTH_TRY(mock_domain(c->fd, c->ioas, &c->stdev, &c->idev));
	FAILNTH_TRY(mock_domain(c->fd, c->ioas, &c->stdev2, &c->idev2));
	return hwpt_alloc(c->fd, c->idev, c->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
			  IOMMU_HWPT_DATA_NONE, NULL, 0, &c->parent);
}

int setup_nested(sweep_ctx *c)
{
	FAILNTH_TRY(setup_parent(c));
	return nested_alloc(c->fd, c->idev, c->parent, &c->nested);
}

int setup_viommu(sweep_ctx *c)
{
	FAILNTH_TRY(setup_parent(c));
	return viommu_alloc(c->fd, c->idev, c->parent, NULL, 0, &c->viommu);
}

int setup_vdev(sweep_ctx *c)
{
	FAILNTH_TRY(setup_viommu(c));
	return vdevice_alloc(c->fd, c->viommu, c->idev, 0x10, &c->vdev);
}

void teardown(sweep_ctx *c)
{
	if (c->fd >= 0)
		iommufd_close(c->fd);
}

/* A nested HWPT can still be made, used and destroyed. */
int verify_nested(sweep_ctx *c)
{
	u32 id;

	FAILNTH_TRY(nested_alloc(c->fd, c->idev2, c->parent, &id));
	FAILNTH_TRY(mock_replace(c->fd, c->stdev2, id));
	FAILNTH_TRY(mock_replace(c->fd, c->stdev2, c->ioas));
	return destroy(c->fd, id);
}

int verify_viommu(sweep_ctx *c)
{
	struct iommu_viommu_invalidate_selftest inv = { .vdev_id = 0x20 };
	u32 viommu, vdev;

	FAILNTH_TRY(viommu_alloc(c->fd, c->idev2, c->parent, NULL, 0, &viommu));
	FAILNTH_TRY(vdevice_alloc(c->fd, viommu, c->idev2, 0x20, &vdev));
	FAILNTH_TRY(invalidate(c->fd, viommu, &inv, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
			       sizeof(inv), 1));
	FAILNTH_TRY(destroy(c->fd, vdev));
	return destroy(c->fd, viommu);
}

const struct sweep sweeps[] = {
	{
		.name = "hwpt_alloc_nested",
		.setup = setup_parent,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(nested_alloc(c->fd, c->idev, c->parent, &c->nested));
			return mock_replace(c->fd, c->stdev, c->nested);
		},
		.verify = verify_nested,
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "hwpt_invalidate_nested",
		.setup = setup_nested,
		.run = [](sweep_ctx *c) {
			struct iommu_hwpt_invalidate_selftest inv[2] = {
				{ .iotlb_id = 1 },
				{ .flags = IOMMU_TEST_INVALIDATE_FLAG_ALL },
			};

			return invalidate(c->fd, c->nested, inv, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					  sizeof(inv[0]), 2);
		},
		.verify = verify_nested,
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "viommu_alloc",
		.setup = setup_parent,
		.run = [](sweep_ctx *c) {
			struct iommu_viommu_selftest data = { .in_data = 5 };
			u32 id;

			FAILNTH_TRY(viommu_alloc(c->fd, c->idev, c->parent, &data, sizeof(data),
						 &c->viommu));
			return viommu_alloc(c->fd, c->idev, c->parent, NULL, 0, &id);
		},
		.verify = verify_viommu,
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "vdevice_alloc",
		.setup = setup_viommu,
		.run = [](sweep_ctx *c) {
			struct iommu_viommu_invalidate_selftest inv = { .vdev_id = 0x10 };

			FAILNTH_TRY(vdevice_alloc(c->fd, c->viommu, c->idev, 0x10, &c->vdev));
			FAILNTH_TRY(nested_alloc(c->fd, c->idev, c->viommu, &c->nested));
			FAILNTH_TRY(mock_replace(c->fd, c->stdev, c->nested));
			return invalidate(c->fd, c->viommu, &inv,
					  IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, sizeof(inv), 1);
		},
		.verify = verify_viommu,
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "vdevice_tombstone",
		.setup = setup_vdev,
		.run = [](sweep_ctx *c) {
			u32 vdev;

			/* The device goes first; its virtual ID can be reused. */
			FAILNTH_TRY(destroy(c->fd, c->stdev));
			return vdevice_alloc(c->fd, c->viommu, c->idev2, 0x10, &vdev);
		},
		.verify = [](sweep_ctx *c) {
			u32 viommu;

			FAILNTH_TRY(viommu_alloc(c->fd, c->idev2, c->parent, NULL, 0, &viommu));
			return destroy(c->fd, viommu);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "hw_queue_alloc",
		.setup = setup_viommu,
		.run = [](sweep_ctx *c) {
			u32 q0, q1;

			FAILNTH_TRY(hw_queue_alloc(c->fd, c->viommu, 0, base, host_page, &q0));
			return hw_queue_alloc(c->fd, c->viommu, 1, base + host_page + host_page / 2,
					      host_page, &q1);
		},
		.verify = [](sweep_ctx *c) {
			u32 q0, q1, viommu;

			FAILNTH_TRY(viommu_alloc(c->fd, c->idev2, c->parent, NULL, 0, &viommu));
			FAILNTH_TRY(hw_queue_alloc(c->fd, viommu, 0, base + 4 * host_page,
						   host_page, &q0));
			FAILNTH_TRY(hw_queue_alloc(c->fd, viommu, 1, base + 4 * host_page,
						   host_page, &q1));
			FAILNTH_TRY(destroy(c->fd, q1));
			FAILNTH_TRY(destroy(c->fd, q0));
			return destroy(c->fd, viommu);
		},
		/* Pinning has an injection point that fails with EINVAL. */
		.errnos = { FAILNTH_ERRNOS_BASE, EINVAL },
	},
};

KUNIT_ARRAY_PARAM(failnth_h9, sweeps, failnth_sweep_desc<struct sweep>);

void failnth_h9_sweep(struct kunit *test)
{
	failnth_run_sweep(test, (const struct sweep *)test->param_value, max_points, teardown);
}

int failnth_h9_suite_init(struct kunit_suite *suite)
{
	host_page = sysconf(_SC_PAGESIZE);
	buf_size = 16 * host_page;
	buf = failnth_shared_buffer(buf_size, 0x5a);
	if (!buf)
		return -ENOMEM;

	failnth_warm_up(sweeps, teardown);
	return 0;
}

struct kunit_case failnth_h9_cases[] = {
	KUNIT_CASE_PARAM(failnth_h9_sweep, failnth_h9_gen_params),
	{},
};

struct kunit_suite failnth_h9_suite = {
	.name = "iommufd-failnth-nesting",
	.suite_init = failnth_h9_suite_init,
	.test_cases = failnth_h9_cases,
};

} // namespace

kunit_test_suite(failnth_h9_suite);
