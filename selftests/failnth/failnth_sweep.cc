// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over the ioctl families of the core: IOAS, devices,
 * HWPTs, accesses, options and the fd itself.
 *
 * For each family a sweep builds a fresh context (an iommufd with the
 * objects the operation needs), arms the task's fail-nth counter with n,
 * runs the operation sequence, reads the counter back and disarms it.
 * n = 1, 2, ... walks every injection point the sequence reaches: slab and
 * page allocations, user copies and the core's own fail_iommufd points.
 * After each run:
 *  - a failed ioctl must have failed with an errno the kernel can give
 *    for that family when memory, a user copy or an object lookup fails;
 *  - no harness tripwire fired (WARN_ON, lockdep, refcount, bad kfree);
 *  - the context still works: a follow-up operation, not under
 *    injection, succeeds;
 *  - once every file is closed, nothing allocated since the context was
 *    built is still alive.
 * The sweep ends with the first n the sequence completes without reaching
 * (fail_nth_read() is still non-zero); the number of points it covered is
 * logged.
 *
 * This looks for the same bugs as the kernel's iommufd_fail_nth (error
 * unwinding that leaks, double frees, leaves an object half-published or
 * trips an assertion), but also checks the errno and the leak directly.
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

/* Past this many points a sweep is assumed to be looping. */
constexpr unsigned int max_points = 20000;

unsigned long host_page;
size_t buf_size;
void *buf;
int mfd = -1;
void *mfd_buf;

constexpr u32 map_rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
constexpr u32 map_fixed_rw = map_rw | IOMMU_IOAS_MAP_FIXED_IOVA;

int map(int fd, u32 ioas, const void *p, u64 len, u64 *iova, u32 flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = (uintptr_t)p,
		.length = len,
		.iova = *iova,
	};
	int rc = uioctl(fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

int map_file(int fd, u32 ioas, u64 start, u64 len, u64 *iova, u32 flags)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.fd = mfd,
		.start = start,
		.length = len,
		.iova = *iova,
	};
	int rc = uioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

int unmap(int fd, u32 ioas, u64 iova, u64 len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return uioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

int unmap_all(int fd, u32 ioas)
{
	return unmap(fd, ioas, 0, UINT64_MAX);
}

int copy(int fd, u32 dst, u64 *dst_iova, u32 src, u64 src_iova, u64 len, u32 flags)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = *dst_iova,
		.src_iova = src_iova,
	};
	int rc = uioctl(fd, IOMMU_IOAS_COPY, &cmd);

	if (!rc)
		*dst_iova = cmd.dst_iova;
	return rc;
}

int option(int fd, u32 option_id, u16 op, u32 object, u64 *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object,
		.val64 = *val,
	};
	int rc = uioctl(fd, IOMMU_OPTION, &cmd);

	if (!rc)
		*val = cmd.val64;
	return rc;
}

int mock_domain(int fd, u32 pt, u32 *stdev, u32 *hwpt, u32 *idev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = pt };
	int rc = test_cmd(fd, &cmd);

	if (rc)
		return rc;
	if (stdev)
		*stdev = cmd.mock_domain.out_stdev_id;
	if (hwpt)
		*hwpt = cmd.mock_domain.out_hwpt_id;
	if (idev)
		*idev = cmd.mock_domain.out_idev_id;
	return 0;
}

int mock_replace(int fd, u32 stdev, u32 pt, u32 *hwpt)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev };
	int rc;

	cmd.mock_domain_replace.pt_id = pt;
	rc = test_cmd(fd, &cmd);
	if (!rc && hwpt)
		*hwpt = cmd.mock_domain_replace.pt_id;
	return rc;
}

int check_map(int fd, u32 hwpt, u64 iova, u64 len, const void *p)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt };

	cmd.check_map.iova = iova;
	cmd.check_map.length = len;
	cmd.check_map.uptr = (uintptr_t)p;
	return test_cmd(fd, &cmd);
}

int hwpt_alloc(int fd, u32 idev, u32 pt, u32 flags, u32 *hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = idev,
		.pt_id = pt,
	};
	int rc = uioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*hwpt = cmd.out_hwpt_id;
	return rc;
}

int access_create(int fd, u32 ioas, u32 flags, int *afd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas };
	int rc;

	cmd.create_access.flags = flags;
	rc = test_cmd(fd, &cmd);
	if (!rc)
		*afd = (int)cmd.create_access.out_access_fd;
	return rc;
}

int access_pin(int fd, int afd, u64 iova, u64 len, const void *p, u32 *item)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_ACCESS_PAGES, .id = (u32)afd };
	int rc;

	cmd.access_pages.iova = iova;
	cmd.access_pages.length = len;
	cmd.access_pages.uptr = (uintptr_t)p;
	rc = test_cmd(fd, &cmd);
	if (!rc)
		*item = cmd.access_pages.out_access_pages_id;
	return rc;
}

int access_unpin(int fd, int afd, u32 item)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = (u32)afd };

	cmd.destroy_access_pages.access_pages_id = item;
	return test_cmd(fd, &cmd);
}

int access_rw(int fd, int afd, u64 iova, void *p, u64 len, u32 flags)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_ACCESS_RW, .id = (u32)afd };

	cmd.access_rw.iova = iova;
	cmd.access_rw.length = len;
	cmd.access_rw.uptr = (uintptr_t)p;
	cmd.access_rw.flags = flags;
	return test_cmd(fd, &cmd);
}

/* ---- contexts and sweeps ---- */

struct sweep_ctx {
	int fd = -1;
	u32 ioas = 0;
	u32 ioas2 = 0;
	u32 stdev = 0;
	u32 hwpt = 0;
	u32 idev = 0;
	int access = -1;
	int access2 = -1;
	u32 item = 0;
	u64 iova = 0;
};

constexpr u64 base = MOCK_APERTURE_START;

/*
 * Storing pinned pages for an access, and the CPU copy path, each have an
 * injection point that fails with EINVAL (as pages_to_xarray() and
 * iopt_pages_rw_access() do upstream).
 */
#define ERRNOS_ACCESS FAILNTH_ERRNOS_BASE, EINVAL

struct sweep {
	const char *name;
	/* Builds the context (not under injection); 0 or an errno. */
	int (*setup)(sweep_ctx *c);
	/* The sequence under injection: 0, or the errno of the first failure. */
	int (*run)(sweep_ctx *c);
	/* Must succeed afterwards however run() ended. */
	int (*verify)(sweep_ctx *c);
	/* Errnos run() may end with; zero-terminated. */
	int errnos[8];
};

int setup_fd(sweep_ctx *c)
{
	c->fd = iommufd_open(O_RDWR);
	return c->fd < 0 ? errno : 0;
}

int setup_ioas(sweep_ctx *c)
{
	FAILNTH_TRY(setup_fd(c));
	return ioas_alloc(c->fd, &c->ioas);
}

int setup_ioas_mapped(sweep_ctx *c)
{
	u64 iova = base;

	FAILNTH_TRY(setup_ioas(c));
	return map(c->fd, c->ioas, buf, buf_size, &iova, map_fixed_rw);
}

int setup_domain(sweep_ctx *c)
{
	FAILNTH_TRY(setup_ioas(c));
	return mock_domain(c->fd, c->ioas, &c->stdev, &c->hwpt, &c->idev);
}

int setup_domain_mapped(sweep_ctx *c)
{
	u64 iova = base;

	FAILNTH_TRY(setup_domain(c));
	return map(c->fd, c->ioas, buf, buf_size, &iova, map_fixed_rw);
}

void teardown(sweep_ctx *c)
{
	if (c->access2 >= 0)
		iommufd_close(c->access2);
	if (c->access >= 0)
		iommufd_close(c->access);
	if (c->fd >= 0)
		iommufd_close(c->fd);
}

const struct sweep sweeps[] = {
	{
		.name = "ioas_alloc",
		.setup = setup_fd,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(ioas_alloc(c->fd, &c->ioas));
			return ioas_alloc(c->fd, &c->ioas2);
		},
		.verify = [](sweep_ctx *c) {
			u32 id;

			FAILNTH_TRY(ioas_alloc(c->fd, &id));
			return destroy(c->fd, id);
		},
		.errnos = { ENOMEM, EFAULT },
	},
	{
		.name = "ioas_map",
		.setup = setup_ioas,
		.run = [](sweep_ctx *c) {
			u64 iova = base;

			FAILNTH_TRY(map(c->fd, c->ioas, buf, buf_size, &iova, map_fixed_rw));
			iova = 0;
			return map(c->fd, c->ioas, buf, 4 * host_page, &iova, map_rw);
		},
		.verify = [](sweep_ctx *c) {
			u64 iova = base;

			FAILNTH_TRY(unmap_all(c->fd, c->ioas));
			FAILNTH_TRY(map(c->fd, c->ioas, buf, buf_size, &iova, map_fixed_rw));
			return unmap(c->fd, c->ioas, base, buf_size);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "ioas_map_domain",
		.setup = setup_domain,
		.run = [](sweep_ctx *c) {
			u64 iova = base;

			FAILNTH_TRY(map(c->fd, c->ioas, buf, buf_size, &iova, map_fixed_rw));
			iova = 0;
			return map(c->fd, c->ioas, buf, 4 * host_page, &iova, map_rw);
		},
		.verify = [](sweep_ctx *c) {
			u64 iova = base;

			FAILNTH_TRY(unmap_all(c->fd, c->ioas));
			FAILNTH_TRY(map(c->fd, c->ioas, buf, buf_size, &iova, map_fixed_rw));
			return check_map(c->fd, c->hwpt, base, buf_size, buf);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "ioas_map_file",
		.setup = setup_domain,
		.run = [](sweep_ctx *c) {
			u64 iova = base;

			FAILNTH_TRY(map_file(c->fd, c->ioas, 0, buf_size, &iova, map_fixed_rw));
			iova = 0;
			return map_file(c->fd, c->ioas, host_page, host_page, &iova, map_rw);
		},
		.verify = [](sweep_ctx *c) {
			u64 iova = base;

			FAILNTH_TRY(unmap_all(c->fd, c->ioas));
			FAILNTH_TRY(map_file(c->fd, c->ioas, 0, buf_size, &iova, map_fixed_rw));
			return check_map(c->fd, c->hwpt, base, buf_size, mfd_buf);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "ioas_copy",
		.setup = [](sweep_ctx *c) {
			u64 iova = base;

			/* Source without a domain, destination with one. */
			FAILNTH_TRY(setup_ioas(c));
			FAILNTH_TRY(map(c->fd, c->ioas, buf, buf_size, &iova, map_fixed_rw));
			FAILNTH_TRY(ioas_alloc(c->fd, &c->ioas2));
			return mock_domain(c->fd, c->ioas2, &c->stdev, &c->hwpt, nullptr);
		},
		.run = [](sweep_ctx *c) {
			u64 dst = base;

			FAILNTH_TRY(copy(c->fd, c->ioas2, &dst, c->ioas, base, buf_size,
					 map_fixed_rw));
			dst = 0;
			return copy(c->fd, c->ioas2, &dst, c->ioas, base + host_page, host_page,
				    IOMMU_IOAS_MAP_READABLE);
		},
		.verify = [](sweep_ctx *c) {
			u64 dst = base;

			FAILNTH_TRY(unmap_all(c->fd, c->ioas2));
			FAILNTH_TRY(copy(c->fd, c->ioas2, &dst, c->ioas, base, buf_size,
					 map_fixed_rw));
			return check_map(c->fd, c->hwpt, base, buf_size, buf);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "ioas_unmap",
		.setup = [](sweep_ctx *c) {
			u64 iova;

			/* Three areas, one of them pinned by an access. */
			FAILNTH_TRY(setup_domain(c));
			for (unsigned int i = 0; i != 3; i++) {
				iova = base + i * buf_size;
				FAILNTH_TRY(map(c->fd, c->ioas, buf, buf_size, &iova,
						map_fixed_rw));
			}
			FAILNTH_TRY(access_create(c->fd, c->ioas, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
					  &c->access));
			return access_pin(c->fd, c->access, base + buf_size, 2 * host_page, buf,
					  &c->item);
		},
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(unmap(c->fd, c->ioas, base, buf_size));
			return unmap_all(c->fd, c->ioas);
		},
		.verify = [](sweep_ctx *c) {
			u64 iova = base;
			u32 item;

			FAILNTH_TRY(unmap_all(c->fd, c->ioas));
			FAILNTH_TRY(map(c->fd, c->ioas, buf, buf_size, &iova, map_fixed_rw));
			FAILNTH_TRY(access_pin(c->fd, c->access, base, buf_size, buf, &item));
			FAILNTH_TRY(access_unpin(c->fd, c->access, item));
			return check_map(c->fd, c->hwpt, base, buf_size, buf);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "ioas_iova_ranges",
		.setup = [](sweep_ctx *c) {
			struct iommu_test_cmd cmd = {
				.op = IOMMU_TEST_OP_ADD_RESERVED,
			};

			FAILNTH_TRY(setup_ioas(c));
			cmd.id = c->ioas;
			cmd.add_reserved.start = host_page;
			cmd.add_reserved.length = host_page;
			return test_cmd(c->fd, &cmd);
		},
		.run = [](sweep_ctx *c) {
			struct iommu_iova_range ranges[4];
			struct iommu_ioas_iova_ranges cmd = {
				.size = sizeof(cmd),
				.ioas_id = c->ioas,
				.num_iovas = 4,
				.allowed_iovas = (uintptr_t)ranges,
			};

			return uioctl(c->fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
		},
		.verify = [](sweep_ctx *c) {
			struct iommu_iova_range ranges[4];
			struct iommu_ioas_iova_ranges cmd = {
				.size = sizeof(cmd),
				.ioas_id = c->ioas,
				.num_iovas = 4,
				.allowed_iovas = (uintptr_t)ranges,
			};

			FAILNTH_TRY(uioctl(c->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
			return cmd.num_iovas == 2 && ranges[1].start == 2 * host_page ? 0 : EIO;
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "ioas_allow_iovas",
		.setup = setup_ioas,
		.run = [](sweep_ctx *c) {
			struct iommu_iova_range ranges[2] = {
				{ .start = base, .last = base + 64 * host_page - 1 },
				{ .start = base + 128 * host_page, .last = base + 256 * host_page - 1 },
			};
			struct iommu_ioas_allow_iovas cmd = {
				.size = sizeof(cmd),
				.ioas_id = c->ioas,
				.num_iovas = 2,
				.allowed_iovas = (uintptr_t)ranges,
			};

			return uioctl(c->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
		},
		.verify = [](sweep_ctx *c) {
			struct iommu_iova_range range = {
				.start = base + 128 * host_page,
				.last = base + 256 * host_page - 1,
			};
			struct iommu_ioas_allow_iovas cmd = {
				.size = sizeof(cmd),
				.ioas_id = c->ioas,
				.num_iovas = 1,
				.allowed_iovas = (uintptr_t)&range,
			};
			u64 iova = 0;

			FAILNTH_TRY(uioctl(c->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
			FAILNTH_TRY(map(c->fd, c->ioas, buf, host_page, &iova, map_rw));
			return iova >= range.start && iova <= range.last ? 0 : EIO;
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "option",
		.setup = setup_ioas,
		.run = [](sweep_ctx *c) {
			u64 val = 0;

			FAILNTH_TRY(option(c->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0,
					   &val));
			val = 0;
			FAILNTH_TRY(option(c->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET,
					   c->ioas, &val));
			return option(c->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, c->ioas,
				      &val);
		},
		.verify = [](sweep_ctx *c) {
			u64 val = 1;

			FAILNTH_TRY(option(c->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET,
					   c->ioas, &val));
			val = 0;
			FAILNTH_TRY(option(c->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
					   c->ioas, &val));
			return val == 1 ? 0 : EIO;
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "ioas_change_process",
		.setup = [](sweep_ctx *c) {
			u64 iova = base;

			FAILNTH_TRY(setup_domain(c));
			return map_file(c->fd, c->ioas, 0, buf_size, &iova, map_fixed_rw);
		},
		.run = [](sweep_ctx *c) {
			struct iommu_ioas_change_process cmd = { .size = sizeof(cmd) };

			return uioctl(c->fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd);
		},
		.verify = [](sweep_ctx *c) {
			struct iommu_ioas_change_process cmd = { .size = sizeof(cmd) };

			FAILNTH_TRY(uioctl(c->fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd));
			return check_map(c->fd, c->hwpt, base, buf_size, mfd_buf);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "mock_domain",
		.setup = [](sweep_ctx *c) {
			u64 iova = base + buf_size;

			/* Mappings to fill the new domain with. */
			FAILNTH_TRY(setup_ioas_mapped(c));
			return map_file(c->fd, c->ioas, 0, buf_size, &iova, map_fixed_rw);
		},
		.run = [](sweep_ctx *c) {
			return mock_domain(c->fd, c->ioas, &c->stdev, &c->hwpt, &c->idev);
		},
		.verify = [](sweep_ctx *c) {
			u32 hwpt;

			FAILNTH_TRY(mock_domain(c->fd, c->ioas, nullptr, &hwpt, nullptr));
			return check_map(c->fd, hwpt, base, buf_size, buf);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "mock_domain_replace",
		.setup = [](sweep_ctx *c) {
			u64 iova = base;

			FAILNTH_TRY(setup_domain_mapped(c));
			FAILNTH_TRY(ioas_alloc(c->fd, &c->ioas2));
			return map_file(c->fd, c->ioas2, 0, buf_size, &iova, map_fixed_rw);
		},
		.run = [](sweep_ctx *c) {
			u32 hwpt2;

			FAILNTH_TRY(mock_replace(c->fd, c->stdev, c->ioas2, &hwpt2));
			return mock_replace(c->fd, c->stdev, c->ioas, nullptr);
		},
		.verify = [](sweep_ctx *c) {
			u32 hwpt;

			FAILNTH_TRY(mock_replace(c->fd, c->stdev, c->ioas2, &hwpt));
			FAILNTH_TRY(check_map(c->fd, hwpt, base, buf_size, mfd_buf));
			FAILNTH_TRY(mock_replace(c->fd, c->stdev, c->ioas, &hwpt));
			return check_map(c->fd, hwpt, base, buf_size, buf);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "hwpt_alloc",
		.setup = setup_domain_mapped,
		.run = [](sweep_ctx *c) {
			u32 hwpt;

			FAILNTH_TRY(hwpt_alloc(c->fd, c->idev, c->ioas,
					       IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
			return hwpt_alloc(c->fd, c->idev, c->ioas, 0, &hwpt);
		},
		.verify = [](sweep_ctx *c) {
			u32 hwpt;

			FAILNTH_TRY(hwpt_alloc(c->fd, c->idev, c->ioas, 0, &hwpt));
			FAILNTH_TRY(check_map(c->fd, hwpt, base, buf_size, buf));
			return destroy(c->fd, hwpt);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "get_hw_info",
		.setup = setup_domain,
		.run = [](sweep_ctx *c) {
			struct iommu_test_hw_info info;
			struct iommu_hw_info cmd = {
				.size = sizeof(cmd),
				.dev_id = c->idev,
				.data_len = sizeof(info) + 8,
				.data_uptr = (uintptr_t)buf,
			};

			return uioctl(c->fd, IOMMU_GET_HW_INFO, &cmd);
		},
		.verify = [](sweep_ctx *c) {
			struct iommu_test_hw_info info = {};
			struct iommu_hw_info cmd = {
				.size = sizeof(cmd),
				.dev_id = c->idev,
				.data_len = sizeof(info),
				.data_uptr = (uintptr_t)&info,
			};

			FAILNTH_TRY(uioctl(c->fd, IOMMU_GET_HW_INFO, &cmd));
			return info.test_reg == IOMMU_HW_INFO_SELFTEST_REGVAL ? 0 : EIO;
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "access_create",
		.setup = setup_ioas_mapped,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(access_create(c->fd, c->ioas, 0, &c->access));
			return access_create(c->fd, c->ioas,
					     MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, &c->access2);
		},
		.verify = [](sweep_ctx *c) {
			u32 item;
			int afd;

			FAILNTH_TRY(access_create(c->fd, c->ioas,
						  MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, &afd));
			FAILNTH_TRY(access_pin(c->fd, afd, base, host_page, buf, &item));
			return iommufd_close(afd) ? errno : 0;
		},
		.errnos = { ERRNOS_ACCESS },
	},
	{
		.name = "access_pin",
		.setup = [](sweep_ctx *c) {
			FAILNTH_TRY(setup_ioas_mapped(c));
			return access_create(c->fd, c->ioas,
					     MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, &c->access);
		},
		.run = [](sweep_ctx *c) {
			u32 item;

			FAILNTH_TRY(access_pin(c->fd, c->access, base, 8 * host_page, buf,
					       &c->item));
			FAILNTH_TRY(access_pin(c->fd, c->access, base + host_page, 2 * host_page,
					       (char *)buf + host_page, &item));
			return access_unpin(c->fd, c->access, c->item);
		},
		.verify = [](sweep_ctx *c) {
			u32 item;

			FAILNTH_TRY(access_pin(c->fd, c->access, base, buf_size, buf, &item));
			return access_unpin(c->fd, c->access, item);
		},
		.errnos = { ERRNOS_ACCESS },
	},
	{
		.name = "access_pin_domain",
		.setup = [](sweep_ctx *c) {
			FAILNTH_TRY(setup_domain_mapped(c));
			return access_create(c->fd, c->ioas,
					     MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, &c->access);
		},
		.run = [](sweep_ctx *c) {
			u32 item;

			FAILNTH_TRY(access_pin(c->fd, c->access, base, 8 * host_page, buf, &item));
			return access_unpin(c->fd, c->access, item);
		},
		.verify = [](sweep_ctx *c) {
			u32 item;

			FAILNTH_TRY(access_pin(c->fd, c->access, base, buf_size, buf, &item));
			FAILNTH_TRY(access_unpin(c->fd, c->access, item));
			return check_map(c->fd, c->hwpt, base, buf_size, buf);
		},
		.errnos = { ERRNOS_ACCESS },
	},
	{
		.name = "access_rw",
		.setup = [](sweep_ctx *c) {
			FAILNTH_TRY(setup_ioas_mapped(c));
			return access_create(c->fd, c->ioas, 0, &c->access);
		},
		.run = [](sweep_ctx *c) {
			static unsigned char tmp[3 * 4096 + 64];
			u64 len = 2 * host_page + 64;

			FAILNTH_TRY(access_rw(c->fd, c->access, base + host_page / 2, tmp, len, 0));
			FAILNTH_TRY(access_rw(c->fd, c->access, base + host_page / 2, tmp, len,
					      MOCK_ACCESS_RW_WRITE));
			return access_rw(c->fd, c->access, base + 1, tmp, len,
					 MOCK_ACCESS_RW_SLOW_PATH);
		},
		.verify = [](sweep_ctx *c) {
			unsigned char tmp[64];

			FAILNTH_TRY(access_rw(c->fd, c->access, base + host_page - 32, tmp,
					      sizeof(tmp), 0));
			return memcmp(tmp, (char *)buf + host_page - 32, sizeof(tmp)) ? EIO : 0;
		},
		.errnos = { ERRNOS_ACCESS },
	},
};

KUNIT_ARRAY_PARAM(failnth, sweeps, failnth_sweep_desc<struct sweep>);

void failnth_sweep(struct kunit *test)
{
	failnth_run_sweep(test, (const struct sweep *)test->param_value, max_points, teardown);
}

/*
 * Everything the kernel creates once and keeps (caches, the mock IOMMU)
 * gets created here, before any case takes a leak mark.
 */
int failnth_suite_init(struct kunit_suite *suite)
{
	host_page = sysconf(_SC_PAGESIZE);
	buf_size = 16 * host_page;
	buf = failnth_shared_buffer(buf_size, 0x5a);
	if (!buf)
		return -ENOMEM;

	mfd = memfd_create("uiommufd-failnth", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, buf_size))
		return -ENOMEM;
	mfd_buf = mmap(NULL, buf_size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (mfd_buf == MAP_FAILED)
		return -ENOMEM;
	memset(mfd_buf, 0xa5, buf_size);

	failnth_warm_up(sweeps, teardown);
	return 0;
}

struct kunit_case failnth_cases[] = {
	KUNIT_CASE_PARAM(failnth_sweep, failnth_gen_params),
	{},
};

struct kunit_suite failnth_suite = {
	.name = "iommufd-failnth",
	.suite_init = failnth_suite_init,
	.test_cases = failnth_cases,
};

} // namespace

kunit_test_suite(failnth_suite);
