// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over the dirty-tracking and VFIO-compatibility ioctls:
 * dirty tracking (HWPT_ALLOC with DIRTY_TRACKING, HWPT_SET_DIRTY_TRACKING,
 * HWPT_GET_DIRTY_BITMAP with and without NO_CLEAR, the mock's TEST_OP_DIRTY)
 * and VFIO type1 compatibility (IOMMU_VFIO_IOAS, VFIO_SET_IOMMU,
 * VFIO_IOMMU_GET_INFO, VFIO_IOMMU_MAP_DMA / UNMAP_DMA).
 *
 * Same method as failnth_sweep.cc: for n = 1, 2, ... build a fresh context,
 * fail the nth injection point of the sequence, check the errno, that no
 * tripwire fired, that a follow-up works, and that closing the fd frees
 * everything.
 */
#include "failnth.h"
#include "kunit.h"

#include "core/c_api.h"
#include "harness/fault_inject.h"
#include "harness/slab.h"
#include "harness/testhooks.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <linux/vfio.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace {

constexpr unsigned int max_points = 20000;
constexpr u64 base = MOCK_APERTURE_START;

unsigned long host_page;
size_t buf_size;
void *buf;
/* Dirty bitmaps; the sweeps also read into it at an odd address. */
alignas(8) unsigned char bitmap[4096];
alignas(8) unsigned char info_buf[4096];

/* VFIO ioctls that take an integer argument. */
int uioctl_val(int fd, unsigned long cmd, unsigned long val)
{
	return iommufd_ioctl(fd, cmd, (void *)val) < 0 ? errno : 0;
}

int mock_domain(int fd, u32 pt, u32 *stdev, u32 *hwpt, u32 *idev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = pt };
	int rc = test_cmd(fd, &cmd);

	if (rc)
		return rc;
	*stdev = cmd.mock_domain.out_stdev_id;
	*hwpt = cmd.mock_domain.out_hwpt_id;
	*idev = cmd.mock_domain.out_idev_id;
	return 0;
}

int mock_domain_pasid(int fd, u32 pt, u32 *stdev, u32 *idev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, .id = pt };
	int rc;

	cmd.mock_domain_flags.dev_flags = MOCK_FLAGS_DEVICE_PASID;
	rc = test_cmd(fd, &cmd);
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

int pasid_op(int fd, u32 op, u32 stdev, u32 pasid, u32 pt)
{
	struct iommu_test_cmd cmd = { .op = op, .id = stdev };

	/* attach, replace, detach and check all start with pasid, pt_id */
	cmd.pasid_attach.pasid = pasid;
	cmd.pasid_attach.pt_id = pt;
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

int set_tracking(int fd, u32 hwpt, bool enable)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? (u32)IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0u,
		.hwpt_id = hwpt,
	};

	return uioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

int get_bitmap(int fd, u32 hwpt, u64 page_size, void *bm, u32 flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = base,
		.length = buf_size,
		.page_size = page_size,
		.data = (uintptr_t)bm,
	};

	return uioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* Mark every other MOCK_PAGE_SIZE page of the mapping dirty. */
int mark_dirty(int fd, u32 hwpt)
{
	static unsigned char pattern[512];
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_DIRTY, .id = hwpt };

	memset(pattern, 0x55, sizeof(pattern));
	cmd.dirty.iova = base;
	cmd.dirty.length = buf_size;
	cmd.dirty.page_size = MOCK_PAGE_SIZE;
	cmd.dirty.uptr = (uintptr_t)pattern;
	return test_cmd(fd, &cmd);
}

int vfio_ioas(int fd, u16 op, u32 *id)
{
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd), .ioas_id = *id, .op = op };
	int rc = uioctl(fd, IOMMU_VFIO_IOAS, &cmd);

	if (!rc)
		*id = cmd.ioas_id;
	return rc;
}

int vfio_map(int fd, u64 iova, const void *p, u64 len)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.argsz = sizeof(cmd),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)p,
		.iova = iova,
		.size = len,
	};

	return uioctl(fd, VFIO_IOMMU_MAP_DMA, &cmd);
}

int vfio_unmap(int fd, u64 iova, u64 len, u32 flags)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.iova = iova,
		.size = len,
	};

	return uioctl(fd, VFIO_IOMMU_UNMAP_DMA, &cmd);
}

int vfio_info(int fd)
{
	struct vfio_iommu_type1_info *info = (struct vfio_iommu_type1_info *)info_buf;

	memset(info_buf, 0, sizeof(info_buf));
	info->argsz = sizeof(info_buf);
	return uioctl(fd, VFIO_IOMMU_GET_INFO, info);
}

struct sweep_ctx {
	int fd = -1;
	u32 ioas = 0;
	u32 stdev = 0;
	u32 hwpt = 0;		/* the automatic domain */
	u32 idev = 0;
	u32 dirty_hwpt = 0;	/* allocated with DIRTY_TRACKING */
	u32 s2[2] = {};		/* allocated with IOMMU_HWPT_ALLOC_PASID */
};

struct sweep {
	const char *name;
	int (*setup)(sweep_ctx *c);
	int (*run)(sweep_ctx *c);
	int (*verify)(sweep_ctx *c);
	int errnos[8];
};

int setup_domain_mapped(sweep_ctx *c)
{
	c->fd = iommufd_open(O_RDWR);
	if (c->fd < 0)
		return errno;
	FAILNTH_TRY(ioas_alloc(c->fd, &c->ioas));
	FAILNTH_TRY(mock_domain(c->fd, c->ioas, &c->stdev, &c->hwpt, &c->idev));
	return map_fixed(c->fd, c->ioas, buf, buf_size, base);
}

int setup_dirty_hwpt(sweep_ctx *c)
{
	FAILNTH_TRY(setup_domain_mapped(c));
	return hwpt_alloc(c->fd, c->idev, c->ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			  &c->dirty_hwpt);
}

int setup_dirty_tracking(sweep_ctx *c)
{
	FAILNTH_TRY(setup_dirty_hwpt(c));
	FAILNTH_TRY(set_tracking(c->fd, c->dirty_hwpt, true));
	return mark_dirty(c->fd, c->dirty_hwpt);
}

int setup_vfio(sweep_ctx *c)
{
	FAILNTH_TRY(setup_domain_mapped(c));
	FAILNTH_TRY(vfio_ioas(c->fd, IOMMU_VFIO_IOAS_SET, &c->ioas));
	/* The IOAS map of the setup is in the way of the VFIO maps. */
	return vfio_unmap(c->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL);
}

/* The dirty bits still read back as the pattern (or already cleared). */
int verify_dirty(sweep_ctx *c)
{
	FAILNTH_TRY(mark_dirty(c->fd, c->dirty_hwpt));
	memset(bitmap, 0, sizeof(bitmap));
	FAILNTH_TRY(get_bitmap(c->fd, c->dirty_hwpt, MOCK_PAGE_SIZE, bitmap, 0));
	/* Dirty per PAGE_SIZE IOPTE at most: each marked byte shows up. */
	for (size_t i = 0; i < buf_size / MOCK_PAGE_SIZE / 8; i++)
		if ((bitmap[i] & 0x55) != 0x55)
			return EIO;
	return 0;
}

/* A PASID-capable device whose RID is on a PASID-compatible HWPT. */
int setup_pasid(sweep_ctx *c)
{
	c->fd = iommufd_open(O_RDWR);
	if (c->fd < 0)
		return errno;
	FAILNTH_TRY(ioas_alloc(c->fd, &c->ioas));
	FAILNTH_TRY(map_fixed(c->fd, c->ioas, buf, buf_size, base));
	FAILNTH_TRY(mock_domain_pasid(c->fd, c->ioas, &c->stdev, &c->idev));
	FAILNTH_TRY(hwpt_alloc(c->fd, c->idev, c->ioas, IOMMU_HWPT_ALLOC_PASID, &c->s2[0]));
	FAILNTH_TRY(hwpt_alloc(c->fd, c->idev, c->ioas, IOMMU_HWPT_ALLOC_PASID, &c->s2[1]));
	return mock_replace(c->fd, c->stdev, c->s2[0]);
}

void teardown(sweep_ctx *c)
{
	if (c->fd >= 0)
		iommufd_close(c->fd);
}

const struct sweep sweeps[] = {
	{
		.name = "hwpt_alloc_dirty",
		.setup = setup_domain_mapped,
		.run = [](sweep_ctx *c) {
			return hwpt_alloc(c->fd, c->idev, c->ioas,
					  IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &c->dirty_hwpt);
		},
		.verify = [](sweep_ctx *c) {
			u32 id;

			FAILNTH_TRY(hwpt_alloc(c->fd, c->idev, c->ioas,
					       IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &id));
			FAILNTH_TRY(set_tracking(c->fd, id, true));
			return destroy(c->fd, id);
		},
		/* HWPT_ALLOC reports a failed pt_id lookup as EINVAL. */
		.errnos = { FAILNTH_ERRNOS_BASE, EINVAL },
	},
	{
		.name = "hwpt_set_dirty_tracking",
		.setup = setup_dirty_hwpt,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(set_tracking(c->fd, c->dirty_hwpt, true));
			FAILNTH_TRY(set_tracking(c->fd, c->dirty_hwpt, false));
			return set_tracking(c->fd, c->dirty_hwpt, true);
		},
		.verify = [](sweep_ctx *c) {
			FAILNTH_TRY(set_tracking(c->fd, c->dirty_hwpt, true));
			return verify_dirty(c);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "hwpt_get_dirty_bitmap",
		.setup = setup_dirty_tracking,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(get_bitmap(c->fd, c->dirty_hwpt, MOCK_PAGE_SIZE, bitmap + 1,
					       IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
			FAILNTH_TRY(get_bitmap(c->fd, c->dirty_hwpt, host_page, bitmap, 0));
			FAILNTH_TRY(mark_dirty(c->fd, c->dirty_hwpt));
			return get_bitmap(c->fd, c->dirty_hwpt, MOCK_PAGE_SIZE, bitmap, 0);
		},
		.verify = verify_dirty,
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "pasid_attach_replace_detach",
		.setup = setup_pasid,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(pasid_op(c->fd, IOMMU_TEST_OP_PASID_ATTACH, c->stdev, 100,
					     c->s2[0]));
			FAILNTH_TRY(pasid_op(c->fd, IOMMU_TEST_OP_PASID_REPLACE, c->stdev, 100,
					     c->s2[1]));
			FAILNTH_TRY(pasid_op(c->fd, IOMMU_TEST_OP_PASID_ATTACH, c->stdev, 200,
					     c->s2[0]));
			FAILNTH_TRY(pasid_op(c->fd, IOMMU_TEST_OP_PASID_DETACH, c->stdev, 100, 0));
			return mock_replace(c->fd, c->stdev, c->s2[1]);
		},
		.verify = [](sweep_ctx *c) {
			/* Whatever is attached, detach it; then the whole cycle works. */
			FAILNTH_TRY(pasid_op(c->fd, IOMMU_TEST_OP_PASID_DETACH, c->stdev, 100, 0));
			FAILNTH_TRY(pasid_op(c->fd, IOMMU_TEST_OP_PASID_DETACH, c->stdev, 200, 0));
			FAILNTH_TRY(pasid_op(c->fd, IOMMU_TEST_OP_PASID_ATTACH, c->stdev, 100,
					     c->s2[1]));
			FAILNTH_TRY(pasid_op(c->fd, IOMMU_TEST_OP_PASID_CHECK_HWPT, c->stdev, 100,
					     c->s2[1]));
			/* Left attached on purpose: closing the fd must clean it up. */
			return pasid_op(c->fd, IOMMU_TEST_OP_PASID_CHECK_HWPT, c->stdev, 200, 0);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "vfio_ioas",
		.setup = setup_domain_mapped,
		.run = [](sweep_ctx *c) {
			u32 id = c->ioas;

			FAILNTH_TRY(vfio_ioas(c->fd, IOMMU_VFIO_IOAS_SET, &id));
			FAILNTH_TRY(vfio_ioas(c->fd, IOMMU_VFIO_IOAS_GET, &id));
			FAILNTH_TRY(vfio_ioas(c->fd, IOMMU_VFIO_IOAS_CLEAR, &id));
			return vfio_ioas(c->fd, IOMMU_VFIO_IOAS_SET, &id);
		},
		.verify = [](sweep_ctx *c) {
			u32 id = c->ioas;

			FAILNTH_TRY(vfio_ioas(c->fd, IOMMU_VFIO_IOAS_SET, &id));
			id = 0;
			FAILNTH_TRY(vfio_ioas(c->fd, IOMMU_VFIO_IOAS_GET, &id));
			return id == c->ioas ? 0 : EIO;
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "vfio_type1v2",
		.setup = setup_vfio,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(uioctl_val(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
			FAILNTH_TRY(vfio_info(c->fd));
			FAILNTH_TRY(vfio_map(c->fd, base, buf, buf_size));
			FAILNTH_TRY(vfio_unmap(c->fd, base, buf_size, 0));
			FAILNTH_TRY(vfio_map(c->fd, base, buf, buf_size));
			return vfio_unmap(c->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL);
		},
		.verify = [](sweep_ctx *c) {
			FAILNTH_TRY(vfio_unmap(c->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL));
			FAILNTH_TRY(vfio_info(c->fd));
			FAILNTH_TRY(vfio_map(c->fd, base, buf, buf_size));
			return vfio_unmap(c->fd, base, buf_size, 0);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "vfio_type1_partial_unmap",
		.setup = setup_vfio,
		.run = [](sweep_ctx *c) {
			FAILNTH_TRY(uioctl_val(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
			FAILNTH_TRY(vfio_map(c->fd, base, buf, buf_size));
			FAILNTH_TRY(vfio_unmap(c->fd, base + host_page, host_page, 0));
			return vfio_unmap(c->fd, base + 4 * host_page, 2 * host_page, 0);
		},
		.verify = [](sweep_ctx *c) {
			FAILNTH_TRY(vfio_unmap(c->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL));
			FAILNTH_TRY(vfio_map(c->fd, base, buf, buf_size));
			return vfio_unmap(c->fd, base + host_page, host_page, 0);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
};

KUNIT_ARRAY_PARAM(failnth_h11, sweeps, failnth_sweep_desc<struct sweep>);

void failnth_h11_sweep(struct kunit *test)
{
	failnth_run_sweep(test, (const struct sweep *)test->param_value, max_points, teardown);
}

int failnth_h11_suite_init(struct kunit_suite *suite)
{
	host_page = sysconf(_SC_PAGESIZE);
	buf_size = 16 * host_page;
	buf = failnth_shared_buffer(buf_size, 0x5a);
	if (!buf)
		return -ENOMEM;

	failnth_warm_up(sweeps, teardown);
	return 0;
}

struct kunit_case failnth_h11_cases[] = {
	KUNIT_CASE_PARAM(failnth_h11_sweep, failnth_h11_gen_params),
	{},
};

struct kunit_suite failnth_h11_suite = {
	.name = "iommufd-failnth-dirty-vfio",
	.suite_init = failnth_h11_suite_init,
	.test_cases = failnth_h11_cases,
};

} // namespace

kunit_test_suite(failnth_h11_suite);
