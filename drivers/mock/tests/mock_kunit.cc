// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the IOMMU core layer, devices, HWPTs and the mock driver,
 * driven the way a selftest drives them: through iommufd_open() and
 * iommufd_ioctl() (errno like the syscalls), plus a few direct calls into
 * core/iommu.cc where the uAPI cannot reach (page size splitting, group
 * ownership, the mock page table's tripwires).
 *
 * Every case opens its own /dev/iommu and closes it; the KUnit runner
 * fails a case that leaks, so closing is also the "close cleans up" check.
 */
#include "core/c_api.h"
#include "core/iommufd_private.h"
#include "drivers/mock/mock.h"
#include "drivers/generic_pt/pt_walk.h"
#include "harness/fault_inject.h"
#include "harness/platform/desc.h"
#include "harness/platform/pci.h"
#include "harness/platform/platform.h"
#include "kunit.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>

#define BUF_PAGES 16UL

struct mock_fixture {
	int fd;
	void *buf;
	size_t buf_len;
	u32 ioas_id;
};

/* ioctl() returning 0 or -errno, so expectations read like the kernel's. */
static int do_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (iommufd_ioctl(fd, cmd, arg))
		return -errno;
	return 0;
}

static u32 ioas_alloc(struct kunit *test, int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	KUNIT_ASSERT_EQ(test, 0, do_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd));
	return cmd.out_ioas_id;
}

static int ioas_map_fixed(int fd, u32 ioas_id, void *buf, size_t len, u64 iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)buf,
		.length = len,
		.iova = iova,
	};

	return do_ioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

static int ioas_unmap(int fd, u32 ioas_id, u64 iova, u64 len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = len,
	};

	return do_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

static int destroy(int fd, u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return do_ioctl(fd, IOMMU_DESTROY, &cmd);
}

static int mock_domain_flags(int fd, u32 pt_id, u32 dev_flags, u32 *stdev_id, u32 *hwpt_id,
			     u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = pt_id,
	};
	int rc;

	cmd.mock_domain_flags.dev_flags = dev_flags;
	rc = do_ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (rc)
		return rc;
	if (stdev_id)
		*stdev_id = cmd.mock_domain_flags.out_stdev_id;
	if (hwpt_id)
		*hwpt_id = cmd.mock_domain_flags.out_hwpt_id;
	if (idev_id)
		*idev_id = cmd.mock_domain_flags.out_idev_id;
	return 0;
}

static int mock_domain(int fd, u32 pt_id, u32 *stdev_id, u32 *hwpt_id, u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt_id,
	};
	int rc;

	rc = do_ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (rc)
		return rc;
	if (stdev_id)
		*stdev_id = cmd.mock_domain.out_stdev_id;
	if (hwpt_id)
		*hwpt_id = cmd.mock_domain.out_hwpt_id;
	if (idev_id)
		*idev_id = cmd.mock_domain.out_idev_id;
	return 0;
}

static int mock_domain_replace(int fd, u32 stdev_id, u32 pt_id, u32 *out_pt)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
	};
	int rc;

	cmd.mock_domain_replace.pt_id = pt_id;
	rc = do_ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!rc && out_pt)
		*out_pt = cmd.mock_domain_replace.pt_id;
	return rc;
}

static int check_map(int fd, u32 hwpt_id, u64 iova, u64 len, void *uptr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt_id,
	};

	cmd.check_map.iova = iova;
	cmd.check_map.length = len;
	cmd.check_map.uptr = (uintptr_t)uptr;
	return do_ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int check_refs(int fd, void *uptr, u64 len, u32 refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
	};

	cmd.check_refs.length = len;
	cmd.check_refs.uptr = (uintptr_t)uptr;
	cmd.check_refs.refs = refs;
	return do_ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int hwpt_alloc(int fd, u32 dev_id, u32 pt_id, u32 flags, u32 *hwpt_id, u32 data_type,
		      void *data, u32 data_len)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc;

	rc = do_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	if (!rc && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return rc;
}

static void fixture_init(struct kunit *test, struct mock_fixture *f)
{
	f->fd = iommufd_open(O_RDWR | O_CLOEXEC);
	KUNIT_ASSERT_GE(test, f->fd, 0);
	f->buf_len = BUF_PAGES * PAGE_SIZE;
	f->buf = mmap(NULL, f->buf_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	KUNIT_ASSERT_TRUE(test, f->buf != MAP_FAILED);
	memset(f->buf, 0x5a, f->buf_len);
	f->ioas_id = ioas_alloc(test, f->fd);
}

static void fixture_fini(struct kunit *test, struct mock_fixture *f)
{
	KUNIT_EXPECT_EQ(test, 0, iommufd_close(f->fd));
	munmap(f->buf, f->buf_len);
	/* Closing destroyed every selftest object, hence every mock device. */
	KUNIT_EXPECT_EQ(test, 0L, mock_dev_count());
}

/* Attach a mock device, map, and check the mock page table saw the right pages. */
static void mock_domain_map_check(struct kunit *test)
{
	struct mock_fixture f;
	u32 stdev_id, hwpt_id, idev_id;
	u64 iova = MOCK_APERTURE_START;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, &stdev_id, &hwpt_id, &idev_id));
	KUNIT_EXPECT_NE(test, stdev_id, hwpt_id);
	KUNIT_EXPECT_NE(test, hwpt_id, idev_id);

	KUNIT_ASSERT_EQ(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, f.buf_len, iova));
	KUNIT_EXPECT_EQ(test, 0, check_map(f.fd, hwpt_id, iova, f.buf_len, f.buf));
	/* A sub-page (MOCK_PAGE_SIZE) offset into the buffer */
	KUNIT_EXPECT_EQ(test, 0, check_map(f.fd, hwpt_id, iova + MOCK_PAGE_SIZE,
					   MOCK_PAGE_SIZE, (char *)f.buf + MOCK_PAGE_SIZE));
	/* Wrong memory, misaligned, wrong object type */
	KUNIT_EXPECT_EQ(test, -EINVAL, check_map(f.fd, hwpt_id, iova, PAGE_SIZE,
						 (char *)f.buf + PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, -EINVAL, check_map(f.fd, hwpt_id, iova + 1, PAGE_SIZE, f.buf));
	KUNIT_EXPECT_EQ(test, -ENOENT, check_map(f.fd, f.ioas_id, iova, PAGE_SIZE, f.buf));
	/* The domain pins every page once. */
	KUNIT_EXPECT_EQ(test, 0, check_refs(f.fd, f.buf, f.buf_len, 1));
	KUNIT_EXPECT_EQ(test, -EIO, check_refs(f.fd, f.buf, f.buf_len, 2));
	KUNIT_EXPECT_EQ(test, -EINVAL, check_refs(f.fd, (char *)f.buf + 1, PAGE_SIZE, 1));

	KUNIT_EXPECT_EQ(test, 0, ioas_unmap(f.fd, f.ioas_id, iova, f.buf_len));
	KUNIT_EXPECT_EQ(test, 0, check_refs(f.fd, f.buf, f.buf_len, 0));
	/* Nothing mapped there any more: translates to nothing. */
	KUNIT_EXPECT_EQ(test, -EINVAL, check_map(f.fd, hwpt_id, iova, PAGE_SIZE, f.buf));

	/* The aperture of the default mock format */
	KUNIT_EXPECT_NE(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, PAGE_SIZE,
						MOCK_APERTURE_START - PAGE_SIZE));

	KUNIT_EXPECT_EQ(test, 0, destroy(f.fd, stdev_id));
	/* The automatic domain died with its only device. */
	KUNIT_EXPECT_EQ(test, -ENOENT, destroy(f.fd, hwpt_id));
	KUNIT_EXPECT_EQ(test, -ENOENT, destroy(f.fd, idev_id));
	fixture_fini(test, &f);
}

/* Mapping before the attach: the new domain is filled from the IOAS. */
static void mock_domain_fill_on_attach(struct kunit *test)
{
	struct mock_fixture f;
	u32 stdev_id, hwpt_id, stdev2, hwpt2;
	u64 iova = MOCK_APERTURE_START + 16 * PAGE_SIZE;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, f.buf_len, iova));
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, &stdev_id, &hwpt_id, NULL));
	KUNIT_EXPECT_EQ(test, 0, check_map(f.fd, hwpt_id, iova, f.buf_len, f.buf));
	/* A second compatible device shares the automatic domain. */
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, &stdev2, &hwpt2, NULL));
	KUNIT_EXPECT_EQ(test, hwpt_id, hwpt2);
	KUNIT_EXPECT_EQ(test, 0, check_refs(f.fd, f.buf, f.buf_len, 1));
	/* A NO_DIRTY device can still share it (no dirty tracking asked). */
	KUNIT_ASSERT_EQ(test, 0, mock_domain_flags(f.fd, f.ioas_id, MOCK_FLAGS_DEVICE_NO_DIRTY,
						   NULL, &hwpt2, NULL));
	KUNIT_EXPECT_EQ(test, hwpt_id, hwpt2);
	KUNIT_EXPECT_EQ(test, -EINVAL, mock_domain_flags(f.fd, f.ioas_id, 1U << 30, NULL,
							 NULL, NULL));
	/* The older ABI's HUGE_IOVA bit (v6.12) is accepted and shares the domain. */
	KUNIT_ASSERT_EQ(test, 0, mock_domain_flags(f.fd, f.ioas_id, 1U << 1, NULL, &hwpt2, NULL));
	KUNIT_EXPECT_EQ(test, hwpt_id, hwpt2);
	/* Destroying the IOAS under a domain */
	KUNIT_EXPECT_EQ(test, -EBUSY, destroy(f.fd, f.ioas_id));
	KUNIT_EXPECT_EQ(test, 0, destroy(f.fd, stdev_id));
	KUNIT_EXPECT_EQ(test, 0, check_map(f.fd, hwpt_id, iova, f.buf_len, f.buf));
	fixture_fini(test, &f);
}

static void hwpt_alloc_flags(struct kunit *test)
{
	struct mock_fixture f;
	u32 stdev_id, auto_hwpt, idev_id, hwpt_id, parent_id, nested_id, nodirty_idev, replaced;
	struct iommu_hwpt_selftest data = {};
	u32 ioas2;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, &stdev_id, &auto_hwpt, &idev_id));
	KUNIT_ASSERT_EQ(test, 0, mock_domain_flags(f.fd, f.ioas_id, MOCK_FLAGS_DEVICE_NO_DIRTY,
						   NULL, NULL, &nodirty_idev));

	KUNIT_EXPECT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id, 0, &hwpt_id,
					    IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_EXPECT_NE(test, hwpt_id, auto_hwpt);
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, hwpt_alloc(f.fd, idev_id, f.ioas_id, 1U << 30, NULL,
						      IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_EXPECT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id,
					    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, NULL,
					    IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			hwpt_alloc(f.fd, nodirty_idev, f.ioas_id, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				   NULL, IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			hwpt_alloc(f.fd, idev_id, f.ioas_id,
				   IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_FAULT_ID_VALID, NULL,
				   IOMMU_HWPT_DATA_NONE, NULL, 0));
	/* No fault object with that ID */
	KUNIT_EXPECT_EQ(test, -ENOENT, hwpt_alloc(f.fd, idev_id, f.ioas_id,
						  IOMMU_HWPT_FAULT_ID_VALID, NULL,
						  IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, hwpt_alloc(f.fd, idev_id, f.ioas_id, 0, NULL,
						  IOMMU_HWPT_DATA_NONE, &data, sizeof(data)));
	KUNIT_EXPECT_EQ(test, -EINVAL, hwpt_alloc(f.fd, idev_id, f.ioas_id, 0, NULL,
						  IOMMU_HWPT_DATA_SELFTEST, &data, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, hwpt_alloc(f.fd, idev_id, 9999, 0, NULL,
						  IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_EXPECT_EQ(test, -ENOENT, hwpt_alloc(f.fd, 9999, f.ioas_id, 0, NULL,
						  IOMMU_HWPT_DATA_NONE, NULL, 0));
	/* A device ID is not something to allocate on */
	KUNIT_EXPECT_EQ(test, -EINVAL, hwpt_alloc(f.fd, idev_id, idev_id, 0, NULL,
						  IOMMU_HWPT_DATA_NONE, NULL, 0));
	/* Driver data: page table formats, and a format that does not exist */
	data.pagetable_type = MOCK_IOMMUPT_HUGE;
	KUNIT_EXPECT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id, 0, NULL,
					    IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data)));
	data.pagetable_type = 77;
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, hwpt_alloc(f.fd, idev_id, f.ioas_id, 0, NULL,
						      IOMMU_HWPT_DATA_SELFTEST, &data,
						      sizeof(data)));
	/*
	 * Nesting: a nested HWPT on a NEST_PARENT paging HWPT works; a
	 * paging HWPT that is not a nesting parent cannot carry one.
	 */
	KUNIT_EXPECT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id,
					    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent_id,
					    IOMMU_HWPT_DATA_NONE, NULL, 0));
	data.iotlb = IOMMU_TEST_IOTLB_DEFAULT;
	data.pagetable_type = 0;
	KUNIT_EXPECT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, parent_id, 0, &nested_id,
					    IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data)));
	KUNIT_EXPECT_EQ(test, 0, destroy(f.fd, nested_id));
	KUNIT_EXPECT_EQ(test, -EINVAL, hwpt_alloc(f.fd, idev_id, hwpt_id, 0, NULL,
						  IOMMU_HWPT_DATA_SELFTEST, &data,
						  sizeof(data)));

	/* Replace onto the manual HWPT, which then cannot be destroyed. */
	KUNIT_EXPECT_EQ(test, 0, mock_domain_replace(f.fd, stdev_id, hwpt_id, &replaced));
	KUNIT_EXPECT_EQ(test, hwpt_id, replaced);
	KUNIT_EXPECT_EQ(test, -EBUSY, destroy(f.fd, hwpt_id));
	/* Replacing onto another IOAS builds a new automatic domain there */
	ioas2 = ioas_alloc(test, f.fd);
	KUNIT_EXPECT_EQ(test, 0, mock_domain_replace(f.fd, stdev_id, ioas2, &replaced));
	KUNIT_EXPECT_NE(test, hwpt_id, replaced);
	KUNIT_EXPECT_EQ(test, 0, destroy(f.fd, hwpt_id));
	KUNIT_EXPECT_EQ(test, -ENOENT, mock_domain_replace(f.fd, stdev_id, 9999, NULL));
	KUNIT_EXPECT_EQ(test, -ENOENT, mock_domain_replace(f.fd, 9999, f.ioas_id, NULL));
	fixture_fini(test, &f);
}

static int get_hw_info(int fd, u32 dev_id, u32 flags, u32 in_type, void *data, u32 len,
		       struct iommu_hw_info *out)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc;

	cmd.in_data_type = in_type;
	rc = do_ioctl(fd, IOMMU_GET_HW_INFO, &cmd);
	if (out)
		*out = cmd;
	return rc;
}

static void hw_info(struct kunit *test)
{
	struct iommu_test_hw_info exact;
	struct mock_fixture f;
	struct iommu_hw_info out;
	u32 idev_id, nodirty_idev, pasid_idev;
	u8 larger[64];
	unsigned int i;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, NULL, NULL, &idev_id));
	KUNIT_ASSERT_EQ(test, 0, mock_domain_flags(f.fd, f.ioas_id, MOCK_FLAGS_DEVICE_NO_DIRTY,
						   NULL, NULL, &nodirty_idev));
	KUNIT_ASSERT_EQ(test, 0, mock_domain_flags(f.fd, f.ioas_id, MOCK_FLAGS_DEVICE_PASID,
						   NULL, NULL, &pasid_idev));

	/* Zero-size buffer: only the length and type come back. */
	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, idev_id, 0, 0, NULL, 0, &out));
	KUNIT_EXPECT_EQ(test, (u32)sizeof(exact), out.data_len);
	KUNIT_EXPECT_EQ(test, (u32)IOMMU_HW_INFO_TYPE_SELFTEST, out.out_data_type);
	KUNIT_EXPECT_EQ(test, (u64)IOMMU_HW_CAP_DIRTY_TRACKING,
			out.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	KUNIT_EXPECT_EQ(test, 0, (int)out.out_max_pasid_log2);

	memset(&exact, 0xff, sizeof(exact));
	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, idev_id, 0, 0, &exact, sizeof(exact), NULL));
	KUNIT_EXPECT_EQ(test, (u32)IOMMU_HW_INFO_SELFTEST_REGVAL, exact.test_reg);
	KUNIT_EXPECT_EQ(test, 0U, exact.flags);

	/* A larger buffer gets its tail zeroed. */
	memset(larger, 0xff, sizeof(larger));
	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, idev_id, 0, 0, larger, sizeof(larger), &out));
	KUNIT_EXPECT_EQ(test, (u32)sizeof(exact), out.data_len);
	for (i = sizeof(exact); i < sizeof(larger); i++)
		KUNIT_EXPECT_EQ(test, 0, (int)larger[i]);

	/* Input type: honoured only with the flag */
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			get_hw_info(f.fd, idev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				    IOMMU_HW_INFO_TYPE_SELFTEST + 1, &exact, sizeof(exact), NULL));
	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, idev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
					     IOMMU_HW_INFO_TYPE_SELFTEST, &exact, sizeof(exact),
					     NULL));
	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, idev_id, 0, IOMMU_HW_INFO_TYPE_SELFTEST + 1,
					     &exact, sizeof(exact), NULL));

	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, get_hw_info(f.fd, idev_id, 1U << 5, 0, NULL, 0, NULL));
	KUNIT_EXPECT_EQ(test, -ENOENT, get_hw_info(f.fd, 9999, 0, 0, NULL, 0, NULL));
	KUNIT_EXPECT_EQ(test, -ENOENT, get_hw_info(f.fd, f.ioas_id, 0, 0, NULL, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EFAULT, get_hw_info(f.fd, idev_id, 0, 0, (void *)8, 8, NULL));

	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, nodirty_idev, 0, 0, NULL, 0, &out));
	KUNIT_EXPECT_EQ(test, 0ULL, out.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, pasid_idev, 0, 0, NULL, 0, &out));
	KUNIT_EXPECT_EQ(test, MOCK_PASID_WIDTH, (int)out.out_max_pasid_log2);
	fixture_fini(test, &f);
}

/* __reserved of GET_HW_INFO is checked by the handler, not the dispatcher. */
static void hw_info_reserved(struct kunit *test)
{
	struct mock_fixture f;
	struct iommu_hw_info cmd = { .size = sizeof(cmd) };
	u32 idev_id;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, NULL, NULL, &idev_id));
	cmd.dev_id = idev_id;
	cmd.__reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, do_ioctl(f.fd, IOMMU_GET_HW_INFO, &cmd));
	fixture_fini(test, &f);
}

/* What IOMMU_DESTROY says about objects that others depend on. */
static void destroy_ordering(struct kunit *test)
{
	struct mock_fixture f;
	u32 stdev_id, hwpt_id, idev_id, manual;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, &stdev_id, &hwpt_id, &idev_id));
	KUNIT_ASSERT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id, 0, &manual,
					    IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_EXPECT_EQ(test, -EBUSY, destroy(f.fd, idev_id));
	KUNIT_EXPECT_EQ(test, -EBUSY, destroy(f.fd, hwpt_id));
	KUNIT_EXPECT_EQ(test, -EBUSY, destroy(f.fd, f.ioas_id));
	/* An unused manual HWPT goes; the IOAS is still held by the device. */
	KUNIT_EXPECT_EQ(test, 0, destroy(f.fd, manual));
	KUNIT_EXPECT_EQ(test, -EBUSY, destroy(f.fd, f.ioas_id));
	KUNIT_EXPECT_EQ(test, 0, destroy(f.fd, stdev_id));
	KUNIT_EXPECT_EQ(test, -ENOENT, destroy(f.fd, stdev_id));
	KUNIT_EXPECT_EQ(test, 0, destroy(f.fd, f.ioas_id));
	fixture_fini(test, &f);
}

static int access_pages(int fd, int access_fd, u64 iova, u64 len, void *uptr, u32 flags,
			u32 *id);

/* Close with everything still alive and linked: nothing may leak. */
static void close_cleans_up(struct kunit *test)
{
	struct iommu_test_cmd access = {
		.size = sizeof(access),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
	};
	struct mock_fixture f;
	u32 idev_id, stdev_id, manual;
	u64 iova = MOCK_APERTURE_START;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, f.buf_len, iova));
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, &stdev_id, NULL, &idev_id));
	KUNIT_ASSERT_EQ(test, 0, mock_domain(f.fd, f.ioas_id, NULL, NULL, NULL));
	KUNIT_ASSERT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id, 0, &manual,
					    IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_ASSERT_EQ(test, 0, mock_domain_replace(f.fd, stdev_id, manual, NULL));
	access.id = f.ioas_id;
	access.create_access.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	KUNIT_ASSERT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &access));
	KUNIT_EXPECT_EQ(test, 0, access_pages(f.fd, (int)access.create_access.out_access_fd, iova,
					      PAGE_SIZE, f.buf, 0, NULL));
	KUNIT_EXPECT_EQ(test, 0, iommufd_close(access.create_access.out_access_fd));
	KUNIT_EXPECT_EQ(test, 0, iommufd_close(f.fd));
	KUNIT_EXPECT_EQ(test, 0L, mock_dev_count());

	/* Every pin the closed context held is gone. */
	f.fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_GE(test, f.fd, 0);
	KUNIT_EXPECT_EQ(test, 0, check_refs(f.fd, f.buf, f.buf_len, 0));
	fixture_fini(test, &f);
}

static int access_pages(int fd, int access_fd, u64 iova, u64 len, void *uptr, u32 flags,
			u32 *id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = (u32)access_fd,
	};
	int rc;

	cmd.access_pages.iova = iova;
	cmd.access_pages.length = len;
	cmd.access_pages.uptr = (uintptr_t)uptr;
	cmd.access_pages.flags = flags;
	rc = do_ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!rc && id)
		*id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static int access_rw(int fd, int access_fd, u64 iova, void *uptr, u64 len, u32 flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = (u32)access_fd,
	};

	cmd.access_rw.iova = iova;
	cmd.access_rw.length = len;
	cmd.access_rw.uptr = (uintptr_t)uptr;
	cmd.access_rw.flags = flags;
	return do_ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static void access_ops(struct kunit *test)
{
	struct iommu_test_cmd create = {
		.size = sizeof(create),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
	};
	struct iommu_test_cmd destroy_pages = {
		.size = sizeof(destroy_pages),
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	};
	u64 iova = MOCK_APERTURE_START;
	struct mock_fixture f;
	char rbuf[64], wbuf[64];
	int afd, rw_fd;
	u32 item;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, f.buf_len, iova));

	create.id = f.ioas_id;
	create.create_access.flags = 1U << 7;
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, do_ioctl(f.fd, IOMMU_TEST_CMD, &create));
	create.create_access.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	KUNIT_ASSERT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &create));
	afd = (int)create.create_access.out_access_fd;
	KUNIT_EXPECT_TRUE(test, iommufd_is_fd(afd));

	KUNIT_EXPECT_EQ(test, 0, access_pages(f.fd, afd, iova, 2 * PAGE_SIZE, f.buf,
					      MOCK_FLAGS_ACCESS_WRITE, &item));
	KUNIT_EXPECT_EQ(test, 0, check_refs(f.fd, f.buf, 2 * PAGE_SIZE, 1));
	/* The pages returned must be the user's */
	KUNIT_EXPECT_EQ(test, -EBADE, access_pages(f.fd, afd, iova, PAGE_SIZE,
						   (char *)f.buf + PAGE_SIZE, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EBADFD, access_pages(f.fd, f.fd, iova, PAGE_SIZE, f.buf, 0,
						    NULL));
	destroy_pages.id = (u32)afd;
	destroy_pages.destroy_access_pages.access_pages_id = item;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &destroy_pages));
	KUNIT_EXPECT_EQ(test, -ENOENT, do_ioctl(f.fd, IOMMU_TEST_CMD, &destroy_pages));
	KUNIT_EXPECT_EQ(test, 0, check_refs(f.fd, f.buf, 2 * PAGE_SIZE, 0));

	/* Unmap with pages pinned: the unmap callback must let them go. */
	KUNIT_EXPECT_EQ(test, 0, access_pages(f.fd, afd, iova, PAGE_SIZE, f.buf, 0, &item));
	KUNIT_EXPECT_EQ(test, 0, ioas_unmap(f.fd, f.ioas_id, iova, f.buf_len));
	KUNIT_EXPECT_EQ(test, 0, check_refs(f.fd, f.buf, PAGE_SIZE, 0));
	KUNIT_EXPECT_EQ(test, -ENOENT, do_ioctl(f.fd, IOMMU_TEST_CMD, &destroy_pages));
	KUNIT_EXPECT_EQ(test, 0, iommufd_close(afd));

	/* Read/write through an access that does not pin */
	KUNIT_ASSERT_EQ(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, f.buf_len, iova));
	create.create_access.flags = 0;
	KUNIT_ASSERT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &create));
	rw_fd = (int)create.create_access.out_access_fd;
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, access_pages(f.fd, rw_fd, iova, PAGE_SIZE, f.buf, 0,
							NULL));
	memset(wbuf, 0xa5, sizeof(wbuf));
	KUNIT_EXPECT_EQ(test, 0, access_rw(f.fd, rw_fd, iova + PAGE_SIZE - 7, wbuf,
					   sizeof(wbuf), MOCK_ACCESS_RW_WRITE));
	KUNIT_EXPECT_EQ(test, 0, memcmp((char *)f.buf + PAGE_SIZE - 7, wbuf, sizeof(wbuf)));
	memset(rbuf, 0, sizeof(rbuf));
	KUNIT_EXPECT_EQ(test, 0, access_rw(f.fd, rw_fd, iova + PAGE_SIZE - 7, rbuf,
					   sizeof(rbuf), MOCK_ACCESS_RW_SLOW_PATH));
	KUNIT_EXPECT_EQ(test, 0, memcmp(rbuf, wbuf, sizeof(rbuf)));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, access_rw(f.fd, rw_fd, iova, rbuf, 8, 1U << 9));
	KUNIT_EXPECT_EQ(test, -ENOENT, access_rw(f.fd, rw_fd, iova + f.buf_len, rbuf, 8, 0));
	/* Closing the access fd last, after the context, is fine too. */
	KUNIT_EXPECT_EQ(test, 0, iommufd_close(f.fd));
	KUNIT_EXPECT_EQ(test, 0, iommufd_close(rw_fd));
	munmap(f.buf, f.buf_len);
}

static void test_cmd_misc(struct kunit *test)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd) };
	struct mock_fixture f;

	fixture_init(test, &f);
	cmd.op = IOMMU_TEST_OP_ADD_RESERVED;
	cmd.id = f.ioas_id;
	cmd.add_reserved.start = MOCK_APERTURE_START;
	cmd.add_reserved.length = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	KUNIT_EXPECT_NE(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, PAGE_SIZE,
						MOCK_APERTURE_START));
	cmd.add_reserved.length = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	cmd.add_reserved.start = ~0ULL;
	cmd.add_reserved.length = 2;
	KUNIT_EXPECT_EQ(test, -EOVERFLOW, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));

	cmd.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT;
	cmd.memory_limit.limit = 4;
	KUNIT_EXPECT_EQ(test, -EINVAL, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	cmd.memory_limit.limit = 65536;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	KUNIT_EXPECT_EQ(test, (size_t)65536, iommufd_test_memory_limit);

	cmd.op = IOMMU_TEST_OP_MD_CHECK_IOTLB;
	KUNIT_EXPECT_EQ(test, -ENOENT, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	/* dma-buf ops are implemented (mock_dmabuf.cc): a zero length is refused */
	cmd.op = IOMMU_TEST_OP_DMABUF_GET;
	cmd.dmabuf_get.length = 0;
	cmd.dmabuf_get.open_flags = O_CLOEXEC;
	KUNIT_EXPECT_EQ(test, -EINVAL, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	cmd.op = 0;
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));

	KUNIT_EXPECT_NOT_NULL(test, fault_attr_find("fail_iommufd"));
	fixture_fini(test, &f);
}

/* PASID attach through the test ops, with the every-other-attach failure. */
static void pasid_attach(struct kunit *test)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd) };
	u32 stdev_id, idev_id, pasid_hwpt, plain_hwpt;
	struct mock_fixture f;

	fixture_init(test, &f);
	KUNIT_ASSERT_EQ(test, 0, mock_domain_flags(f.fd, f.ioas_id, MOCK_FLAGS_DEVICE_PASID,
						   &stdev_id, NULL, &idev_id));
	KUNIT_ASSERT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id, IOMMU_HWPT_ALLOC_PASID,
					    &pasid_hwpt, IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_ASSERT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id, 0, &plain_hwpt,
					    IOMMU_HWPT_DATA_NONE, NULL, 0));

	cmd.id = stdev_id;
	cmd.op = IOMMU_TEST_OP_PASID_CHECK_HWPT;
	cmd.pasid_check.pasid = 100;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));

	/* The RID is on a non-PASID-compatible automatic domain: refused. */
	cmd.op = IOMMU_TEST_OP_PASID_ATTACH;
	cmd.pasid_attach.pasid = 100;
	cmd.pasid_attach.pt_id = pasid_hwpt;
	KUNIT_EXPECT_EQ(test, -EINVAL, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	KUNIT_ASSERT_EQ(test, 0, mock_domain_replace(f.fd, stdev_id, pasid_hwpt, NULL));
	cmd.pasid_attach.pt_id = pasid_hwpt;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	/* A PASID beyond the device's width */
	cmd.pasid_attach.pasid = 1U << MOCK_PASID_WIDTH;
	cmd.pasid_attach.pt_id = pasid_hwpt;
	KUNIT_EXPECT_EQ(test, -EINVAL, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	/* Not PASID compatible */
	cmd.pasid_attach.pasid = 200;
	cmd.pasid_attach.pt_id = plain_hwpt;
	KUNIT_EXPECT_EQ(test, -EINVAL, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));

	cmd.op = IOMMU_TEST_OP_PASID_CHECK_HWPT;
	cmd.pasid_check.pasid = 100;
	cmd.pasid_check.hwpt_id = pasid_hwpt;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	KUNIT_EXPECT_EQ(test, -EBUSY, destroy(f.fd, pasid_hwpt));

	/* The reserved PASID fails its second attach: replace rolls back. */
	cmd.op = IOMMU_TEST_OP_PASID_ATTACH;
	cmd.pasid_attach.pasid = IOMMU_TEST_PASID_RESERVED;
	cmd.pasid_attach.pt_id = pasid_hwpt;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	KUNIT_ASSERT_EQ(test, 0, hwpt_alloc(f.fd, idev_id, f.ioas_id, IOMMU_HWPT_ALLOC_PASID,
					    &plain_hwpt, IOMMU_HWPT_DATA_NONE, NULL, 0));
	cmd.op = IOMMU_TEST_OP_PASID_REPLACE;
	cmd.pasid_replace.pasid = IOMMU_TEST_PASID_RESERVED;
	cmd.pasid_replace.pt_id = plain_hwpt;
	KUNIT_EXPECT_EQ(test, -ENOMEM, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	cmd.op = IOMMU_TEST_OP_PASID_CHECK_HWPT;
	cmd.pasid_check.pasid = IOMMU_TEST_PASID_RESERVED;
	cmd.pasid_check.hwpt_id = pasid_hwpt;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));

	cmd.op = IOMMU_TEST_OP_PASID_DETACH;
	cmd.pasid_detach.pasid = IOMMU_TEST_PASID_RESERVED;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	cmd.pasid_detach.pasid = 100;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	cmd.op = IOMMU_TEST_OP_PASID_CHECK_HWPT;
	cmd.pasid_check.pasid = 100;
	cmd.pasid_check.hwpt_id = 0;
	KUNIT_EXPECT_EQ(test, 0, do_ioctl(f.fd, IOMMU_TEST_CMD, &cmd));
	fixture_fini(test, &f);
}

/* ---- direct tests of the IOMMU core layer ---- */

static void iommu_map_split(struct kunit *test)
{
	struct iommu_domain *domain;
	struct mock_dev *mdev;
	const unsigned long iova = MOCK_APERTURE_START;
	const phys_addr_t pa = 0x40000000;

	/* A device whose default domains have huge leaves, to cut one below. */
	mdev = mock_dev_create(MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdev));
	domain = iommu_paging_domain_alloc(&mdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(domain));
	KUNIT_EXPECT_PTR_EQ(test, domain->owner, &mock_ops);

	/* Misaligned to the smallest page: refused before the driver sees it. */
	KUNIT_EXPECT_EQ(test, -EINVAL, iommu_map(domain, iova + 1, pa, PAGE_SIZE,
						 IOMMU_READ, GFP_KERNEL));
	/* 2K + 2M + 2K: the middle can use large leaves. */
	KUNIT_ASSERT_EQ(test, 0, iommu_map(domain, iova + MOCK_PAGE_SIZE, pa + MOCK_PAGE_SIZE,
					   (2UL << 20) + 2 * MOCK_PAGE_SIZE,
					   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, pa + MOCK_PAGE_SIZE,
			iommu_iova_to_phys(domain, iova + MOCK_PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, pa + (1UL << 20) + 123, iommu_iova_to_phys(domain,
									 iova + (1UL << 20) + 123));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)0, iommu_iova_to_phys(domain, iova));
	KUNIT_EXPECT_EQ(test, (size_t)(2UL << 20) + 2 * MOCK_PAGE_SIZE,
			iommu_unmap(domain, iova + MOCK_PAGE_SIZE,
				    (2UL << 20) + 2 * MOCK_PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)0, iommu_iova_to_phys(domain, iova + (1UL << 20)));

	/*
	 * Tripwires: cutting a leaf (the format then removes all of it), freeing
	 * a domain that still maps.
	 */
	KUNIT_ASSERT_EQ(test, 0, iommu_map(domain, iova, pa, MOCK_HUGE_PAGE_SIZE, IOMMU_READ,
					   GFP_KERNEL));
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommu_unmap(domain, iova, MOCK_PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)0, iommu_iova_to_phys(domain, iova + MOCK_PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, 0, iommu_map(domain, iova, pa, MOCK_PAGE_SIZE, IOMMU_READ,
					   GFP_KERNEL));
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommu_domain_free(domain));

	mock_dev_destroy(mdev);
	KUNIT_EXPECT_EQ(test, 0L, mock_dev_count());
}

static const struct iommu_dirty_ops fake_dirty_ops = {};

/*
 * Leaf sizes decide dirty granularity: a default domain has only
 * MOCK_PAGE_SIZE leaves unless its device carries the v6.12-era
 * HUGE_IOVA bit, so a PAGE_SIZE map is two independently dirtied IOPTEs.
 */
static void default_leaf_sizes(struct kunit *test)
{
	struct iommu_domain *plain, *huge;
	struct mock_dev *a, *b;

	a = mock_dev_create(0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = mock_dev_create(MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	plain = iommu_paging_domain_alloc(&a->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(plain));
	huge = iommu_paging_domain_alloc(&b->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(huge));

	KUNIT_EXPECT_EQ(test, (unsigned long)MOCK_PAGE_SIZE, plain->pgsize_bitmap);
	KUNIT_EXPECT_EQ(test, (unsigned long)(MOCK_PAGE_SIZE | MOCK_HUGE_PAGE_SIZE),
			huge->pgsize_bitmap);
	/* Cutting a PAGE_SIZE map in half is fine: it is two leaves. */
	KUNIT_ASSERT_EQ(test, 0, iommu_map(plain, MOCK_APERTURE_START, 0, PAGE_SIZE, IOMMU_READ,
					   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, (size_t)MOCK_PAGE_SIZE,
			iommu_unmap(plain, MOCK_APERTURE_START + MOCK_PAGE_SIZE, MOCK_PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, (size_t)MOCK_PAGE_SIZE,
			iommu_unmap(plain, MOCK_APERTURE_START, MOCK_PAGE_SIZE));

	iommu_domain_free(huge);
	iommu_domain_free(plain);
	mock_dev_destroy(b);
	mock_dev_destroy(a);
}

static void iommu_group_ownership(struct kunit *test)
{
	struct iommu_domain *domain, *other;
	struct iommu_group *group;
	struct mock_dev *mdev;
	int owner_a, owner_b;

	mdev = mock_dev_create(MOCK_FLAGS_DEVICE_NO_DIRTY);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdev));
	group = iommu_group_get(&mdev->dev);
	KUNIT_ASSERT_NOT_NULL(test, group);
	KUNIT_EXPECT_EQ(test, 1U, iommu_group_device_count(group));
	/* Kernel owned: the mock's default domain (blocked) */
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(&mdev->dev), mock_ops.default_domain);
	KUNIT_EXPECT_FALSE(test, iommu_group_dma_owner_claimed(group));

	KUNIT_EXPECT_EQ(test, 0, iommu_device_claim_dma_owner(&mdev->dev, &owner_a));
	KUNIT_EXPECT_EQ(test, -EPERM, iommu_device_claim_dma_owner(&mdev->dev, &owner_b));
	KUNIT_EXPECT_EQ(test, -EPERM, iommu_group_claim_dma_owner(group, &owner_a));
	KUNIT_EXPECT_TRUE(test, iommu_group_dma_owner_claimed(group));

	domain = iommu_paging_domain_alloc(&mdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(domain));
	other = iommu_paging_domain_alloc(&mdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	KUNIT_EXPECT_EQ(test, 0, iommu_attach_group(domain, group));
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(&mdev->dev), domain);
	KUNIT_EXPECT_EQ(test, -EBUSY, iommu_attach_group(other, group));
	/* A handle-less attach has no handle to return */
	KUNIT_EXPECT_TRUE(test, IS_ERR(iommu_attach_handle_get(group, IOMMU_NO_PASID, 0)));
	iommu_detach_group(domain, group);
	/* Detached while owned: blocked */
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(&mdev->dev), mock_ops.blocked_domain);
	/* Dirty-tracking domains are refused by a NO_DIRTY device */
	other->dirty_ops = &fake_dirty_ops;
	KUNIT_EXPECT_EQ(test, -EINVAL, iommu_attach_group(other, group));
	other->dirty_ops = NULL;

	iommu_device_release_dma_owner(&mdev->dev);
	KUNIT_EXPECT_FALSE(test, iommu_group_dma_owner_claimed(group));
	iommu_domain_free(domain);
	iommu_domain_free(other);
	iommu_group_put(group);
	mock_dev_destroy(mdev);
}

/* ---- tripwires ---- */

static void mock_tripwires(struct kunit *test)
{
	const unsigned long iova = MOCK_APERTURE_START;
	struct iommu_domain *domain, *other;
	struct iommu_group *group;
	struct device bare = {};
	struct mock_dev *mdev;
	int owner;

	/* A device whose default domains have huge leaves, to cut one below. */
	mdev = mock_dev_create(MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdev));
	domain = iommu_paging_domain_alloc(&mdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(domain));
	other = iommu_paging_domain_alloc(&mdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));

	/* Mapping over a mapping; a huge leaf so an unmap can start inside it */
	KUNIT_ASSERT_EQ(test, 0, iommu_map(domain, iova, 0, MOCK_HUGE_PAGE_SIZE, IOMMU_READ,
					   GFP_KERNEL));
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommu_map(domain, iova, 0, PAGE_SIZE, IOMMU_READ,
						     GFP_KERNEL));
	/* An unmap starting inside a leaf */
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommu_unmap(domain, iova + MOCK_PAGE_SIZE,
						       MOCK_PAGE_SIZE));
	iommu_unmap(domain, iova, MOCK_HUGE_PAGE_SIZE);
	/* Page table memory never comes from special zones */
	KUNIT_EXPECT_HARNESS_FAILURE(test, KUNIT_EXPECT_EQ(test, -EINVAL,
		iommu_map(domain, iova, 0, PAGE_SIZE, IOMMU_READ, GFP_KERNEL | __GFP_HIGHMEM)));

	/* Attach without a handle through the handle API */
	group = iommu_group_get(&mdev->dev);
	KUNIT_EXPECT_HARNESS_FAILURE(test, KUNIT_EXPECT_EQ(test, -EINVAL,
		iommu_attach_group_handle(domain, group, NULL)));
	/* Detaching a domain the group is not attached to */
	KUNIT_ASSERT_EQ(test, 0, iommu_device_claim_dma_owner(&mdev->dev, &owner));
	KUNIT_ASSERT_EQ(test, 0, iommu_attach_group(domain, group));
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommu_detach_group(other, group));
	KUNIT_EXPECT_PTR_EQ(test, iommu_get_domain_for_dev(&mdev->dev), mock_ops.blocked_domain);
	iommu_device_release_dma_owner(&mdev->dev);
	iommu_group_put(group);

	/* Driver-core rules */
	device_initialize(&bare);
	KUNIT_EXPECT_HARNESS_FAILURE(test, dev_iommu_priv_set(&bare, NULL));
	KUNIT_EXPECT_HARNESS_FAILURE(test, put_device(&bare));

	iommu_domain_free(domain);
	iommu_domain_free(other);
	mock_dev_destroy(mdev);
}

/*
 * A second driver, to reach what the mock cannot: reserved regions (and
 * the software MSI window), drivers with and without hw_info, a driver
 * that reports an IOMMU_HW_INFO_TYPE_NONE format, domain_alloc_paging.
 */
enum { TDRV_RESV_START = 0x8000000, TDRV_SW_MSI_START = 0x9000000 };

struct tdrv_domain {
	struct iommu_domain domain;
	struct xarray ptes;	/* iova >> PAGE_SHIFT -> xa_mk_value(pfn) */
};

static bool tdrv_bad_hw_info;
static const char tdrv_fwnode_info = 0, tdrv_fwnode_noinfo = 0;

static int tdrv_attach(struct iommu_domain *domain, struct device *dev,
		       struct iommu_domain *old)
{
	return 0;
}

static int tdrv_map_pages(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
			  size_t pgsize, size_t pgcount, int prot, gfp_t gfp, size_t *mapped)
{
	struct tdrv_domain *td = container_of(domain, struct tdrv_domain, domain);
	size_t i;

	for (i = 0; i != pgsize * pgcount; i += PAGE_SIZE) {
		void *old = xa_store(&td->ptes, (iova + i) >> PAGE_SHIFT,
				     xa_mk_value((paddr + i) >> PAGE_SHIFT), gfp);

		if (xa_is_err(old))
			return xa_err(old);
		*mapped += PAGE_SIZE;
	}
	return 0;
}

static size_t tdrv_unmap_pages(struct iommu_domain *domain, unsigned long iova, size_t pgsize,
			       size_t pgcount, struct iommu_iotlb_gather *gather)
{
	struct tdrv_domain *td = container_of(domain, struct tdrv_domain, domain);
	size_t i;

	for (i = 0; i != pgsize * pgcount; i += PAGE_SIZE)
		xa_erase(&td->ptes, (iova + i) >> PAGE_SHIFT);
	return pgsize * pgcount;
}

static phys_addr_t tdrv_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	struct tdrv_domain *td = container_of(domain, struct tdrv_domain, domain);
	void *ent = xa_load(&td->ptes, iova >> PAGE_SHIFT);

	return ent ? (xa_to_value(ent) << PAGE_SHIFT) + (iova & ~PAGE_MASK) : 0;
}

static void tdrv_free(struct iommu_domain *domain)
{
	struct tdrv_domain *td = container_of(domain, struct tdrv_domain, domain);

	xa_destroy(&td->ptes);
	kfree(td);
}

static const struct iommu_domain_ops tdrv_domain_ops = {
	.attach_dev = tdrv_attach,
	.map_pages = tdrv_map_pages,
	.unmap_pages = tdrv_unmap_pages,
	.iova_to_phys = tdrv_iova_to_phys,
	.free = tdrv_free,
};

static const struct iommu_domain_ops tdrv_blocked_ops = {
	.attach_dev = tdrv_attach,
};

static struct iommu_domain tdrv_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &tdrv_blocked_ops,
};

static struct iommu_domain *tdrv_domain_alloc_paging(struct device *dev)
{
	struct tdrv_domain *td = (struct tdrv_domain *)kzalloc(sizeof(*td), GFP_KERNEL);

	if (!td)
		return NULL;
	xa_init(&td->ptes);
	td->domain.ops = &tdrv_domain_ops;
	td->domain.pgsize_bitmap = PAGE_SIZE;
	td->domain.geometry.aperture_end = (1UL << 40) - 1;
	td->domain.geometry.force_aperture = true;
	return &td->domain;
}

static bool tdrv_capable(struct device *dev, enum iommu_cap cap)
{
	return cap == IOMMU_CAP_CACHE_COHERENCY || cap == IOMMU_CAP_PCI_ATS_SUPPORTED;
}

static void *tdrv_hw_info(struct device *dev, u32 *length, u32 *type)
{
	u32 *data = (u32 *)kzalloc(sizeof(*data), GFP_KERNEL);

	if (!data)
		return ERR_PTR(-ENOMEM);
	*data = 0x1234;
	*length = sizeof(*data);
	*type = tdrv_bad_hw_info ? IOMMU_HW_INFO_TYPE_NONE : IOMMU_HW_INFO_TYPE_INTEL_VTD;
	return data;
}

static void tdrv_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct iommu_resv_region *region;

	region = iommu_alloc_resv_region(TDRV_RESV_START, PAGE_SIZE, 0, IOMMU_RESV_RESERVED,
					 GFP_KERNEL);
	if (region)
		list_add_tail(&region->list, head);
	region = iommu_alloc_resv_region(TDRV_SW_MSI_START, 1UL << 20, IOMMU_WRITE | IOMMU_MMIO,
					 IOMMU_RESV_SW_MSI, GFP_KERNEL);
	if (region)
		list_add_tail(&region->list, head);
}

static struct iommu_device tdrv_iommu_info, tdrv_iommu_noinfo;

static struct iommu_device *tdrv_probe(struct device *dev)
{
	return dev->iommu_fwnode == &tdrv_fwnode_info ? &tdrv_iommu_info : &tdrv_iommu_noinfo;
}

static const struct iommu_ops tdrv_ops_info = {
	.capable = tdrv_capable,
	.hw_info = tdrv_hw_info,
	.domain_alloc_paging = tdrv_domain_alloc_paging,
	.probe_device = tdrv_probe,
	.device_group = generic_device_group,
	.get_resv_regions = tdrv_get_resv_regions,
	.blocked_domain = &tdrv_blocked_domain,
	.default_domain = &tdrv_blocked_domain,
};

static const struct iommu_ops tdrv_ops_noinfo = {
	.capable = tdrv_capable,
	.domain_alloc_paging = tdrv_domain_alloc_paging,
	.probe_device = tdrv_probe,
	.device_group = generic_device_group,
	.blocked_domain = &tdrv_blocked_domain,
	.default_domain = &tdrv_blocked_domain,
};

static void tdrv_register(void)
{
	static bool done;

	if (done)
		return;
	tdrv_iommu_info.fwnode = &tdrv_fwnode_info;
	iommu_device_register(&tdrv_iommu_info, &tdrv_ops_info, NULL);
	tdrv_iommu_noinfo.fwnode = &tdrv_fwnode_noinfo;
	iommu_device_register(&tdrv_iommu_noinfo, &tdrv_ops_noinfo, NULL);
	done = true;
}

static void tdrv_dev_release(struct device *dev)
{
	kfree(dev);
}

static struct device *tdrv_dev_create(struct kunit *test, const void *fwnode)
{
	struct device *dev = (struct device *)kzalloc(sizeof(*dev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	device_initialize(dev);
	dev->release = tdrv_dev_release;
	dev->iommu_fwnode = fwnode;
	dev_set_name(dev, "tdrv%p", (void *)dev);
	KUNIT_ASSERT_EQ(test, 0, device_add(dev));
	KUNIT_ASSERT_NOT_NULL(test, dev->iommu);
	return dev;
}

static void other_driver_resv_and_hw_info(struct kunit *test)
{
	struct iommufd_device *idev, *idev2, *idev3;
	struct device *dev, *dev2, *dev3;
	struct iommu_hw_info out;
	struct iommufd_ctx *ictx;
	struct mock_fixture f;
	u32 data, id, id2, id3, pt_id, pt_busy;
	u32 ioas_busy;

	tdrv_register();
	fixture_init(test, &f);
	ictx = iommufd_ctx_from_fd(f.fd);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ictx));
	dev = tdrv_dev_create(test, &tdrv_fwnode_info);
	dev2 = tdrv_dev_create(test, &tdrv_fwnode_noinfo);

	idev = iommufd_device_bind(ictx, dev, &id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(idev));
	idev2 = iommufd_device_bind(ictx, dev2, &id2);
	KUNIT_ASSERT_FALSE(test, IS_ERR(idev2));
	/* A second bind of one device: its group is already owned by us. */
	KUNIT_EXPECT_TRUE(test, iommufd_ctx_has_group(ictx, dev->iommu_group));

	/* Attaching enforces the reserved regions; the SW MSI window is recorded. */
	pt_id = f.ioas_id;
	KUNIT_ASSERT_EQ(test, 0, iommufd_device_attach(idev, IOMMU_NO_PASID, &pt_id));
	KUNIT_EXPECT_NE(test, pt_id, f.ioas_id);
	KUNIT_EXPECT_EQ(test, (phys_addr_t)TDRV_SW_MSI_START, idev->igroup->sw_msi_start);
	KUNIT_EXPECT_NE(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, PAGE_SIZE,
						TDRV_RESV_START));
	KUNIT_EXPECT_NE(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, PAGE_SIZE,
						TDRV_SW_MSI_START + PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, f.buf_len, 0x100000));
	KUNIT_EXPECT_EQ(test, 0, check_refs(f.fd, f.buf, f.buf_len, 1));

	/* Something already mapped where a device has a reserved region */
	ioas_busy = ioas_alloc(test, f.fd);
	KUNIT_ASSERT_EQ(test, 0, ioas_map_fixed(f.fd, ioas_busy, f.buf, PAGE_SIZE,
						TDRV_RESV_START));
	dev3 = tdrv_dev_create(test, &tdrv_fwnode_info);
	idev3 = iommufd_device_bind(ictx, dev3, &id3);
	KUNIT_ASSERT_FALSE(test, IS_ERR(idev3));
	pt_busy = ioas_busy;
	KUNIT_EXPECT_EQ(test, -EADDRINUSE, iommufd_device_attach(idev3, IOMMU_NO_PASID, &pt_busy));
	iommufd_device_unbind(idev3);
	device_unregister(dev3);
	/* ...and replace refuses to move the device there, changing nothing. */
	pt_busy = ioas_busy;
	KUNIT_EXPECT_EQ(test, -EADDRINUSE, iommufd_device_replace(idev, IOMMU_NO_PASID, &pt_busy));
	KUNIT_EXPECT_NE(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, PAGE_SIZE,
						TDRV_RESV_START));

	/* hw_info: a driver's own format, no hw_info at all, a broken driver */
	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, id, 0, 0, &data, sizeof(data), &out));
	KUNIT_EXPECT_EQ(test, (u32)IOMMU_HW_INFO_TYPE_INTEL_VTD, out.out_data_type);
	KUNIT_EXPECT_EQ(test, 0x1234U, data);
	KUNIT_EXPECT_EQ(test, 0ULL, out.out_capabilities);
	KUNIT_EXPECT_EQ(test, 0, get_hw_info(f.fd, id2, 0, 0, &data, sizeof(data), &out));
	KUNIT_EXPECT_EQ(test, (u32)IOMMU_HW_INFO_TYPE_NONE, out.out_data_type);
	KUNIT_EXPECT_EQ(test, 0U, out.data_len);
	KUNIT_EXPECT_EQ(test, 0U, data);
	tdrv_bad_hw_info = true;
	KUNIT_EXPECT_HARNESS_FAILURE(test, KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
		get_hw_info(f.fd, id, 0, 0, NULL, 0, NULL)));
	tdrv_bad_hw_info = false;

	/* Flags or driver data need domain_alloc_paging_flags */
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, hwpt_alloc(f.fd, id, f.ioas_id,
						      IOMMU_HWPT_ALLOC_NEST_PARENT, NULL,
						      IOMMU_HWPT_DATA_NONE, NULL, 0));
	KUNIT_EXPECT_EQ(test, 0, hwpt_alloc(f.fd, id, f.ioas_id, 0, NULL,
					    IOMMU_HWPT_DATA_NONE, NULL, 0));

	iommufd_device_detach(idev, IOMMU_NO_PASID);
	/* The reservations went with the device. */
	KUNIT_EXPECT_EQ(test, 0, ioas_map_fixed(f.fd, f.ioas_id, f.buf, PAGE_SIZE,
						TDRV_RESV_START));
	iommufd_device_unbind(idev);
	iommufd_device_unbind(idev2);
	KUNIT_EXPECT_FALSE(test, iommufd_ctx_has_group(ictx, dev->iommu_group));
	device_unregister(dev);
	device_unregister(dev2);
	iommufd_ctx_put(ictx);
	fixture_fini(test, &f);
}

/* Linked in for the machine below: a function that only does DMA when told. */
extern const struct platform_device_kind plain_device_kind;

/*
 * A platform function's DMA as the mock instance translates it: a walk of
 * the attached domain's AMD v1 table, the run to the end of the leaf, the
 * leaf's D bit on a write while tracking, refusals where nothing (or
 * nothing writable) is mapped.
 */
static void platform_dma_walks_table(struct kunit *test)
{
	const unsigned long iova = 1UL << 32;
	const struct platform_iommu_kind *kind;
	struct iommu_dirty_bitmap dirty;
	struct iommu_iotlb_gather gather;
	struct platform_dev *pdev = NULL;
	struct iommu_domain *domain;
	struct iommu_group *group;
	unsigned long faults;
	bool booted = false;
	std::string err;
	struct page *pg;
	phys_addr_t pa, base;
	u64 contig, word = 0x1234;
	int owner;

	if (!platform_current()) {
		platform_desc d;

		d.name = "mock-dma";
		d.iommus.push_back({ .name = "iommu0", .kind = "mock", .caps = {} });
		/*
		 * A group number above any the earlier cases took (a platform
		 * normally boots first and numbers its groups from 0).
		 */
		d.devices.push_back({ .kind = plain_device_kind.name, .devfn = 2 << 3,
				      .iommu = "iommu0", .group = 1 << 20 });
		KUNIT_ASSERT_EQ_MSG(test, 0, platform_boot(d, &err), "%s", err.c_str());
		booted = true;
	}
	for (int i = 0; i < platform_nr_devices() && !pdev; i++)
		if (!strcmp(platform_dev_get(i)->iommu->kind->name, "mock"))
			pdev = platform_dev_get(i);
	if (!pdev) {
		if (booted)
			platform_shutdown();
		kunit_skip(test, "no function behind a mock IOMMU");
	}
	kind = pdev->iommu->kind;

	/* 2 MiB of memory, naturally aligned, behind one 2 MiB IOPTE. */
	pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, 9);
	KUNIT_ASSERT_NOT_NULL(test, pg);
	base = page_to_phys(pg);
	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	KUNIT_ASSERT_FALSE(test, IS_ERR(domain));
	group = iommu_group_get(pdev->dev);
	KUNIT_ASSERT_EQ(test, 0, iommu_device_claim_dma_owner(pdev->dev, &owner));
	KUNIT_ASSERT_EQ(test, 0, iommu_attach_group(domain, group));
	KUNIT_ASSERT_EQ(test, 0, iommu_map(domain, iova, base, 2UL << 20, IOMMU_READ | IOMMU_WRITE,
					   GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0, iommu_map(domain, iova + (4UL << 20), base, PAGE_SIZE, IOMMU_READ,
					   GFP_KERNEL));
	faults = mock_platform_faults(pdev->iommu);

	/* The whole rest of the 2 MiB leaf is one run. */
	KUNIT_EXPECT_EQ(test, PCI_DMA_OK,
			kind->translate(pdev->iommu, pdev, 0, false, iova + 5000, false, &pa, &contig));
	KUNIT_EXPECT_EQ(test, base + 5000, pa);
	KUNIT_EXPECT_EQ(test, (2UL << 20) - 5000, contig);
	/* A 4 KiB leaf (two 2 KiB entries of the mock format): to its end. */
	KUNIT_EXPECT_EQ(test, PCI_DMA_OK, kind->translate(pdev->iommu, pdev, 0, false,
							  iova + (4UL << 20) + 8, false, &pa,
							  &contig));
	KUNIT_EXPECT_EQ(test, base + 8, pa);
	KUNIT_EXPECT_EQ(test, PAGE_SIZE - 8, contig);
	/* Read-only, and nothing mapped: refused and counted. */
	KUNIT_EXPECT_EQ(test, PCI_DMA_UR, kind->translate(pdev->iommu, pdev, 0, false,
							  iova + (4UL << 20), true, &pa, &contig));
	KUNIT_EXPECT_EQ(test, PCI_DMA_UR, kind->translate(pdev->iommu, pdev, 0, false,
							  iova + (2UL << 20), false, &pa, &contig));
	KUNIT_EXPECT_EQ(test, faults + 2, mock_platform_faults(pdev->iommu));

	/* Dirty tracking: a device write marks its leaf, read_and_clear sees it once. */
	KUNIT_ASSERT_EQ(test, 0, domain->dirty_ops->set_dirty_tracking(domain, true));
	KUNIT_EXPECT_EQ(test, PCI_DMA_OK,
			kind->translate(pdev->iommu, pdev, 0, false, iova + 64, true, &pa, &contig));
	KUNIT_EXPECT_EQ(test, 0, phys_write(pa, &word, sizeof(word)));
	KUNIT_EXPECT_EQ(test, word, *(u64 *)((char *)page_address(pg) + 64));
	for (int pass = 0; pass != 2; pass++) {
		iommu_iotlb_gather_init(&gather);
		iommu_dirty_bitmap_init(&dirty, NULL, &gather);
		KUNIT_EXPECT_EQ(test, 0, domain->dirty_ops->read_and_clear_dirty(
						 domain, iova, 8UL << 20, 0, &dirty));
		/* The whole 2 MiB leaf, then nothing (an empty gather ends at 0). */
		if (!pass)
			KUNIT_EXPECT_EQ(test, iova, gather.start);
		KUNIT_EXPECT_EQ(test, pass ? 0 : iova + (2UL << 20) - 1, gather.end);
	}
	/* A read does not dirty. */
	KUNIT_EXPECT_EQ(test, PCI_DMA_OK,
			kind->translate(pdev->iommu, pdev, 0, false, iova + 64, false, &pa, &contig));
	iommu_iotlb_gather_init(&gather);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_EXPECT_EQ(test, 0, domain->dirty_ops->read_and_clear_dirty(domain, iova, 8UL << 20,
									 0, &dirty));
	KUNIT_EXPECT_EQ(test, 0, gather.end);
	KUNIT_EXPECT_EQ(test, 0, domain->dirty_ops->set_dirty_tracking(domain, false));

	KUNIT_EXPECT_EQ(test, (size_t)(2UL << 20), iommu_unmap(domain, iova, 2UL << 20));
	KUNIT_EXPECT_EQ(test, (size_t)PAGE_SIZE, iommu_unmap(domain, iova + (4UL << 20), PAGE_SIZE));
	iommu_detach_group(domain, group);
	iommu_device_release_dma_owner(pdev->dev);
	iommu_group_put(group);
	iommu_domain_free(domain);
	__free_pages(pg, 9);
	if (booted)
		platform_shutdown();
}

static struct kunit_case mock_cases[] = {
	KUNIT_CASE(mock_domain_map_check),
	KUNIT_CASE(mock_domain_fill_on_attach),
	KUNIT_CASE(hwpt_alloc_flags),
	KUNIT_CASE(hw_info),
	KUNIT_CASE(hw_info_reserved),
	KUNIT_CASE(destroy_ordering),
	KUNIT_CASE(close_cleans_up),
	KUNIT_CASE(access_ops),
	KUNIT_CASE(test_cmd_misc),
	KUNIT_CASE(pasid_attach),
	KUNIT_CASE(iommu_map_split),
	KUNIT_CASE(default_leaf_sizes),
	KUNIT_CASE(iommu_group_ownership),
	KUNIT_CASE(mock_tripwires),
	KUNIT_CASE(other_driver_resv_and_hw_info),
	KUNIT_CASE(platform_dma_walks_table),
	{},
};

static struct kunit_suite mock_suite = {
	.name = "mock-iommu",
	.test_cases = mock_cases,
};
kunit_test_suite(mock_suite);
