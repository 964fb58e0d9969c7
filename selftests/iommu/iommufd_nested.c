// SPDX-License-Identifier: GPL-2.0
/*
 * Nesting and virtualization through the mock driver: nested HWPTs on a
 * NEST_PARENT paging HWPT and on a vIOMMU (driver data copied by the
 * kernel's rules), IOMMU_HWPT_INVALIDATE on both (typed arrays, entry_len
 * compatibility, entry_num written back), VIOMMU_ALLOC, VDEVICE_ALLOC (one
 * per device, one per virtual ID, the tombstone left when the device goes
 * first), HW_QUEUE_ALLOC (index order, pinning, -EOVERFLOW) and destroy
 * ordering between all of them.
 */
#include "uiommufd_utils.h"

#include <pthread.h>

/* ---- helpers for this family ---- */

#ifdef UFD_USE_SYSCALLS
#define nst_mmap(len, prot, flags, fd, off) mmap(NULL, (len), (prot), (flags), (fd), (off))
#define nst_munmap(p, len) munmap((p), (len))
#else
#define nst_mmap(len, prot, flags, fd, off) iommufd_mmap(NULL, (len), (prot), (flags), (fd), (off))
#define nst_munmap(p, len) iommufd_munmap((p), (len))
#endif

static int nst_hwpt_alloc_data(int fd, __u32 dev_id, __u32 pt_id, __u32 flags, __u32 data_type,
			       const void *data, __u32 data_len, __u32 *hwpt_id)
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
	int rc = ufd_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return rc;
}

/* A mock nested HWPT whose IOTLB entries all start at @iotlb. */
static int nst_nested_alloc(int fd, __u32 dev_id, __u32 pt_id, __u32 flags, __u32 iotlb,
			    __u32 *hwpt_id)
{
	struct iommu_hwpt_selftest data = { .iotlb = iotlb };

	return nst_hwpt_alloc_data(fd, dev_id, pt_id, flags, IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data), hwpt_id);
}

static int nst_invalidate(int fd, __u32 id, const void *reqs, __u32 data_type,
			  __u32 entry_len, __u32 *entry_num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)reqs,
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = *entry_num,
	};
	int rc = ufd_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*entry_num = cmd.entry_num;
	return rc;
}

static int nst_check_iotlb(int fd, __u32 hwpt_id, __u32 iotlb_id, __u32 expected)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = hwpt_id,
		.check_iotlb = { .id = iotlb_id, .iotlb = expected },
	};

	return ufd_test_cmd(fd, &cmd);
}

static int nst_check_iotlbs(int fd, __u32 hwpt_id, __u32 expected)
{
	for (__u32 i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		if (nst_check_iotlb(fd, hwpt_id, i, expected))
			return -1;
	return 0;
}

static int nst_check_cache(int fd, __u32 idev_id, __u32 cache_id, __u32 expected)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev_id,
		.check_dev_cache = { .id = cache_id, .cache = expected },
	};

	return ufd_test_cmd(fd, &cmd);
}

static int nst_viommu_alloc(int fd, __u32 dev_id, __u32 hwpt_id, __u32 flags, __u32 type,
			    void *data, __u32 data_len, __u32 *viommu_id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ufd_ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!rc && viommu_id)
		*viommu_id = cmd.out_viommu_id;
	return rc;
}

static int nst_vdevice_alloc(int fd, __u32 viommu_id, __u32 dev_id, __u64 virt_id,
			     __u32 *vdev_id)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int rc = ufd_ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!rc && vdev_id)
		*vdev_id = cmd.out_vdevice_id;
	return rc;
}

static int nst_hw_queue_alloc(int fd, __u32 viommu_id, __u32 type, __u32 index, __u64 iova,
			      __u64 length, __u32 *hw_queue_id)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = type,
		.index = index,
		.nesting_parent_iova = iova,
		.length = length,
	};
	int rc = ufd_ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (!rc && hw_queue_id)
		*hw_queue_id = cmd.out_hw_queue_id;
	return rc;
}

/* ---- nested HWPTs on a NEST_PARENT paging HWPT ---- */

FIXTURE(nested)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	__u32 parent_id;
};

FIXTURE_SETUP(nested)
{
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id, NULL,
				     &self->idev_id));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
}

FIXTURE_TEARDOWN(nested)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

TEST_F(nested, alloc_and_iotlb)
{
	__u32 nested[2];

	ASSERT_EQ(0, nst_nested_alloc(self->fd, self->idev_id, self->parent_id, 0, 0xdead,
				      &nested[0]));
	ASSERT_EQ(0, nst_nested_alloc(self->fd, self->idev_id, self->parent_id, 0, 0xbeef,
				      &nested[1]));
	EXPECT_EQ(0, nst_check_iotlbs(self->fd, nested[0], 0xdead));
	EXPECT_EQ(0, nst_check_iotlbs(self->fd, nested[1], 0xbeef));
	/* Wrong value, out-of-range entry, not a nested HWPT. */
	UFD_EXPECT_ERRNO(EINVAL, nst_check_iotlb(self->fd, nested[0], 0, 0xbeef));
	UFD_EXPECT_ERRNO(EINVAL, nst_check_iotlb(self->fd, nested[0],
						 MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1, 0xdead));
	UFD_EXPECT_ERRNO(ENOENT, nst_check_iotlb(self->fd, self->parent_id, 0, 0));

	/* The parent is busy while a nested HWPT sits on it. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->parent_id));

	/* Attach, replace between nested HWPTs, and back to the parent. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, nested[0], NULL));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, nested[0]));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, nested[1], NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, nested[0]));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->parent_id, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, nested[1]));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->parent_id));
}

TEST_F(nested, alloc_errors)
{
	struct iommu_hwpt_selftest data = { .iotlb = 1 };
	struct {
		struct iommu_hwpt_selftest data;
		__u32 tail;
	} longer = { .data = { .iotlb = 2 } };
	__u32 not_parent, nested, id;

	/* Data type and length must agree (checked before anything else). */
	UFD_EXPECT_ERRNO(EINVAL, nst_hwpt_alloc_data(self->fd, self->idev_id, self->parent_id, 0,
						     IOMMU_HWPT_DATA_NONE, &data, sizeof(data),
						     &id));
	UFD_EXPECT_ERRNO(EINVAL, nst_hwpt_alloc_data(self->fd, self->idev_id, self->parent_id, 0,
						     IOMMU_HWPT_DATA_SELFTEST, &data, 0, &id));
	/* A nested HWPT needs driver data at all. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_hwpt_alloc_data(self->fd, self->idev_id,
							 self->parent_id, 0,
							 IOMMU_HWPT_DATA_NONE, NULL, 0, &id));
	/* A type the driver does not know. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_hwpt_alloc_data(self->fd, self->idev_id,
							 self->parent_id, 0,
							 IOMMU_HWPT_DATA_SELFTEST + 1, &data,
							 sizeof(data), &id));
	/* Flags a nested HWPT cannot take. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_nested_alloc(self->fd, self->idev_id, self->parent_id,
						      IOMMU_HWPT_ALLOC_NEST_PARENT, 0, &id));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_nested_alloc(self->fd, self->idev_id, self->parent_id,
						      IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0, &id));
	/*
	 * Short driver data; longer driver data, whatever its tail: unlike
	 * the ioctl structs, driver data has no zero-tail extension.
	 */
	UFD_EXPECT_ERRNO(EINVAL, nst_hwpt_alloc_data(self->fd, self->idev_id, self->parent_id, 0,
						     IOMMU_HWPT_DATA_SELFTEST, &data, 2, &id));
	longer.tail = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_hwpt_alloc_data(self->fd, self->idev_id, self->parent_id, 0,
						     IOMMU_HWPT_DATA_SELFTEST, &longer,
						     sizeof(longer), &id));
	longer.tail = 0;
	UFD_EXPECT_ERRNO(EINVAL, nst_hwpt_alloc_data(self->fd, self->idev_id, self->parent_id, 0,
						     IOMMU_HWPT_DATA_SELFTEST, &longer,
						     sizeof(longer), &id));
	/* Exactly sizeof works. */
	ASSERT_EQ(0, nst_hwpt_alloc_data(self->fd, self->idev_id, self->parent_id, 0,
					 IOMMU_HWPT_DATA_SELFTEST, &longer.data,
					 sizeof(longer.data), &nested));
	EXPECT_EQ(0, nst_check_iotlbs(self->fd, nested, 2));
	/* Bad user pointer. */
	UFD_EXPECT_ERRNO(EFAULT, nst_hwpt_alloc_data(self->fd, self->idev_id, self->parent_id, 0,
						     IOMMU_HWPT_DATA_SELFTEST, (void *)8,
						     sizeof(data), &id));

	/* The parent must be a NEST_PARENT, manually allocated paging HWPT. */
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id, 0, &not_parent));
	UFD_EXPECT_ERRNO(EINVAL, nst_nested_alloc(self->fd, self->idev_id, not_parent, 0, 0,
						  &id));
	/* Not on another nested HWPT, nor on a device. */
	UFD_EXPECT_ERRNO(EINVAL, nst_nested_alloc(self->fd, self->idev_id, nested, 0, 0, &id));
	UFD_EXPECT_ERRNO(EINVAL, nst_nested_alloc(self->fd, self->idev_id, self->idev_id, 0, 0,
						  &id));
	UFD_EXPECT_ERRNO(EINVAL, nst_nested_alloc(self->fd, self->idev_id, 0xffff, 0, 0, &id));
	UFD_EXPECT_ERRNO(ENOENT, nst_nested_alloc(self->fd, 0xffff, self->parent_id, 0, 0, &id));
	/* A paging HWPT cannot take a fault ID it does not have either. */
	ASSERT_EQ(0, ufd_destroy(self->fd, nested));
	ASSERT_EQ(0, ufd_destroy(self->fd, not_parent));
}

TEST_F(nested, invalidate)
{
	struct iommu_hwpt_invalidate_selftest inv[2] = {};
	struct {
		struct iommu_hwpt_invalidate_selftest req;
		__u32 tail;
	} longer[1] = {};
	__u32 nested, num;

	ASSERT_EQ(0, nst_nested_alloc(self->fd, self->idev_id, self->parent_id, 0, 0x1234,
				      &nested));

	/* entry_num == 0 probes support and does nothing. */
	num = 0;
	ASSERT_EQ(0, nst_invalidate(self->fd, nested, NULL, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    sizeof(*inv), &num));
	EXPECT_EQ(0, num);

	/* Above the bounds (a page per entry, 2^19 entries): nothing handled. */
	num = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 4096 + 1, &num));
	EXPECT_EQ(0, num);
	num = (1U << 19) + 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv),
						&num));
	EXPECT_EQ(0, num);

	/* The wrong type: nothing handled. */
	num = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
						sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	/* No array or no entry length with entries. */
	num = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, NULL,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(*inv),
						&num));
	EXPECT_EQ(0, num);
	num = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 0, &num));
	EXPECT_EQ(0, num);
	/* Entries shorter than the mandatory part. */
	num = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 4, &num));
	EXPECT_EQ(0, num);
	/* Longer entries, zero tail or not: -EINVAL, nothing handled. */
	num = 1;
	longer[0].tail = 7;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, longer,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						sizeof(longer[0]), &num));
	EXPECT_EQ(0, num);
	num = 1;
	longer[0].tail = 0;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, longer,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						sizeof(longer[0]), &num));
	EXPECT_EQ(0, num);
	/* So does sizeof + 1 (what the kernel's own selftest passes). */
	num = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv) + 1, &num));
	EXPECT_EQ(0, num);
	/* Unknown flag, bad iotlb_id. */
	num = 1;
	inv[0].flags = 0xffffffff;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_invalidate(self->fd, nested, inv,
						    IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						    sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	inv[0].flags = 0;
	inv[0].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, nst_check_iotlbs(self->fd, nested, 0x1234));

	/* First request works, second fails: entry_num says one was handled. */
	num = 2;
	inv[0].iotlb_id = 0;
	inv[1].flags = 0xffffffff;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_invalidate(self->fd, nested, inv,
						    IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						    sizeof(*inv), &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, nst_check_iotlb(self->fd, nested, 0, 0));
	EXPECT_EQ(0, nst_check_iotlb(self->fd, nested, 1, 0x1234));

	num = 2;
	inv[1].flags = 0;
	inv[1].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, nested, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv), &num));
	EXPECT_EQ(1, num);

	/* One entry, iotlb 1. */
	longer[0].tail = 0;
	longer[0].req.iotlb_id = 1;
	num = 1;
	ASSERT_EQ(0, nst_invalidate(self->fd, nested, &longer[0].req,
				    IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, sizeof(longer[0].req),
				    &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, nst_check_iotlb(self->fd, nested, 1, 0));
	EXPECT_EQ(0, nst_check_iotlb(self->fd, nested, 2, 0x1234));

	/* FLAG_ALL ignores iotlb_id. */
	num = 1;
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	inv[0].iotlb_id = 3;
	ASSERT_EQ(0, nst_invalidate(self->fd, nested, inv, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    sizeof(*inv), &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, nst_check_iotlbs(self->fd, nested, 0));

	/* Only nested HWPTs and vIOMMUs take invalidations. */
	num = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, self->parent_id, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	UFD_EXPECT_ERRNO(ENOENT, nst_invalidate(self->fd, 0xffff, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	ASSERT_EQ(0, ufd_destroy(self->fd, nested));
}

/* Closing the fd with a whole nesting stack alive frees it in order. */
TEST_F(nested, close_with_everything_alive)
{
	__u32 nested, viommu, vdev;

	ASSERT_EQ(0, nst_nested_alloc(self->fd, self->idev_id, self->parent_id, 0, 1, &nested));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, nested, NULL));
	ASSERT_EQ(0, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
				      IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &viommu));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, viommu, self->idev_id, 5, &vdev));
}

/* ---- vIOMMU and vDEVICE ---- */

FIXTURE(viommu)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	__u32 parent_id;
	__u32 viommu_id;
};

FIXTURE_SETUP(viommu)
{
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id, NULL,
				     &self->idev_id));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	ASSERT_EQ(0, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
				      IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &self->viommu_id));
}

FIXTURE_TEARDOWN(viommu)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

TEST_F(viommu, alloc_errors)
{
	__u32 not_parent, id;

	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id,
						      1, IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
						      &id));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id,
						      0, IOMMU_VIOMMU_TYPE_DEFAULT, NULL, 0,
						      &id));
	/* A type the driver does not have. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id,
						      0, IOMMU_VIOMMU_TYPE_SELFTEST + 1, NULL, 0,
						      &id));
	UFD_EXPECT_ERRNO(ENOENT, nst_viommu_alloc(self->fd, 0xffff, self->parent_id, 0,
						  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &id));
	UFD_EXPECT_ERRNO(ENOENT, nst_viommu_alloc(self->fd, self->idev_id, self->ioas_id, 0,
						  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &id));
	/* Only on a nest parent. */
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id, 0, &not_parent));
	UFD_EXPECT_ERRNO(EINVAL, nst_viommu_alloc(self->fd, self->idev_id, not_parent, 0,
						  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0, &id));
	ASSERT_EQ(0, ufd_destroy(self->fd, not_parent));
}

TEST_F(viommu, alloc_with_data)
{
	struct iommu_viommu_selftest data = { .in_data = 0xbadbeef };
	struct {
		struct iommu_viommu_selftest data;
		__u64 tail;
	} longer = { .data = { .in_data = 7 }, .tail = 1 };
	__u32 id;

	ASSERT_EQ(0, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
				      IOMMU_VIOMMU_TYPE_SELFTEST, &data, sizeof(data), &id));
	EXPECT_EQ(0xbadbeef, data.out_data);
	EXPECT_EQ(2 * ufd_psize, data.out_mmap_length);
	EXPECT_NE(0, data.out_mmap_offset);
	EXPECT_EQ(0, data.out_mmap_offset % ufd_psize);
	ASSERT_EQ(0, ufd_destroy(self->fd, id));

	/* Shorter than out_data, or longer than the struct (any tail): -EINVAL. */
	UFD_EXPECT_ERRNO(EINVAL, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
						  IOMMU_VIOMMU_TYPE_SELFTEST, &data, 4, &id));
	UFD_EXPECT_ERRNO(EINVAL, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
						  IOMMU_VIOMMU_TYPE_SELFTEST, &longer,
						  sizeof(longer), &id));
	longer.tail = 0;
	UFD_EXPECT_ERRNO(EINVAL, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
						  IOMMU_VIOMMU_TYPE_SELFTEST, &longer,
						  sizeof(longer), &id));
	ASSERT_EQ(0, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
				      IOMMU_VIOMMU_TYPE_SELFTEST, &longer.data,
				      sizeof(longer.data), &id));
	EXPECT_EQ(7, longer.data.out_data);
	ASSERT_EQ(0, ufd_destroy(self->fd, id));
}

TEST_F(viommu, destroy_order)
{
	__u32 nested, vdev;

	/* The parent is held by the vIOMMU. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->parent_id));
	ASSERT_EQ(0, nst_nested_alloc(self->fd, self->idev_id, self->viommu_id, 0, 3, &nested));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, self->idev_id, 0x99, &vdev));
	EXPECT_EQ(0, nst_check_iotlbs(self->fd, nested, 3));
	/* Held by the nested HWPT and the vDEVICE. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, nested));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, vdev));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, vdev));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->parent_id));
}

TEST_F(viommu, nested_on_viommu)
{
	__u32 nested, vdev, id;

	/* Flags and data rules as for a nested HWPT on a parent. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_nested_alloc(self->fd, self->idev_id, self->viommu_id,
						      IOMMU_HWPT_ALLOC_NEST_PARENT, 0, &id));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_hwpt_alloc_data(self->fd, self->idev_id,
							 self->viommu_id, 0,
							 IOMMU_HWPT_DATA_NONE, NULL, 0, &id));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_hwpt_alloc_data(self->fd, self->idev_id,
							 self->viommu_id, 0,
							 IOMMU_HWPT_DATA_SELFTEST + 1, &id,
							 sizeof(id), &id));

	ASSERT_EQ(0, nst_nested_alloc(self->fd, self->idev_id, self->viommu_id, 0, 9, &nested));
	/* The device has no virtual ID in the vIOMMU yet: the driver refuses. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_mock_replace(self->fd, self->stdev_id, nested, NULL));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, self->idev_id, 0x42, &vdev));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, nested, NULL));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, nested));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->parent_id, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, nested));
	ASSERT_EQ(0, ufd_destroy(self->fd, vdev));
}

TEST_F(viommu, vdevice_rules)
{
	__u32 stdev2, idev2, vdev, vdev2, id;

	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &stdev2, NULL, &idev2));

	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, self->idev_id, 0x10, &vdev));
	/* One per device, one per virtual ID. */
	UFD_EXPECT_ERRNO(EEXIST, nst_vdevice_alloc(self->fd, self->viommu_id, self->idev_id,
						   0x11, &id));
	UFD_EXPECT_ERRNO(EEXIST, nst_vdevice_alloc(self->fd, self->viommu_id, idev2, 0x10, &id));
	/* Lookups and IDs. */
	UFD_EXPECT_ERRNO(ENOENT, nst_vdevice_alloc(self->fd, 0xffff, idev2, 0x11, &id));
	UFD_EXPECT_ERRNO(ENOENT, nst_vdevice_alloc(self->fd, self->viommu_id, 0xffff, 0x11, &id));
	UFD_EXPECT_ERRNO(ENOENT, nst_vdevice_alloc(self->fd, self->ioas_id, idev2, 0x11, &id));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, idev2, 0x11, &vdev2));
	/* The device is held by its vDEVICE. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->idev_id));

	/* After a destroy the virtual ID and the device are free again. */
	ASSERT_EQ(0, ufd_destroy(self->fd, vdev));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, self->idev_id, 0x10, &vdev));
	ASSERT_EQ(0, ufd_destroy(self->fd, vdev2));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev2));
	ASSERT_EQ(0, ufd_destroy(self->fd, vdev));
}

TEST_F(viommu, vdevice_tombstone)
{
	__u32 vdev, vdev2, stdev2, idev2;

	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &stdev2, NULL, &idev2));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, self->idev_id, 0x99, &vdev));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, idev2, 0x98, &vdev2));
	/* The device goes first: its vDEVICE goes with it, the ID stays taken. */
	ASSERT_EQ(0, ufd_destroy(self->fd, self->stdev_id));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, vdev));
	/* The virtual ID is free in the vIOMMU again. */
	ASSERT_EQ(0, ufd_destroy(self->fd, vdev2));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, idev2, 0x99, &vdev2));
	EXPECT_NE(vdev, vdev2);
	ASSERT_EQ(0, ufd_destroy(self->fd, vdev2));
	/* The vIOMMU no longer has users: it and its parent can go. */
	ASSERT_EQ(0, ufd_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->parent_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev2));
}

TEST_F(viommu, vdevice_cache_invalidate)
{
	struct iommu_viommu_invalidate_selftest inv[2] = {};
	__u32 vdev, num;

	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, self->idev_id, 0x99, &vdev));
	for (__u32 i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		EXPECT_EQ(0, nst_check_cache(self->fd, self->idev_id, i,
					     IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* Probe: an empty array of the right type. */
	num = 0;
	ASSERT_EQ(0, nst_invalidate(self->fd, self->viommu_id, NULL,
				    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	/* An empty array of another type is refused. */
	num = 0;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, self->viommu_id, NULL,
						IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
						sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, self->viommu_id, inv,
						IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
						sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	/* Unknown virtual ID, bad flags, bad cache ID. */
	num = 1;
	inv[0].vdev_id = 0x98;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, self->viommu_id, inv,
						IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	inv[0].vdev_id = 0x99;
	inv[0].flags = 0xffff;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_invalidate(self->fd, self->viommu_id, inv,
						    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
						    sizeof(*inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	inv[0].flags = 0;
	inv[0].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, self->viommu_id, inv,
						IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv), &num));
	EXPECT_EQ(0, num);

	/* First handled, second fails. */
	num = 2;
	inv[0].cache_id = 0;
	inv[1].vdev_id = 0x99;
	inv[1].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	UFD_EXPECT_ERRNO(EINVAL, nst_invalidate(self->fd, self->viommu_id, inv,
						IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv), &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, nst_check_cache(self->fd, self->idev_id, 0, 0));
	EXPECT_EQ(0, nst_check_cache(self->fd, self->idev_id, 1, IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* Two entries. */
	num = 2;
	inv[1].cache_id = 2;
	ASSERT_EQ(0, nst_invalidate(self->fd, self->viommu_id, inv,
				    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	EXPECT_EQ(2, num);
	EXPECT_EQ(0, nst_check_cache(self->fd, self->idev_id, 2, 0));
	EXPECT_EQ(0, nst_check_cache(self->fd, self->idev_id, 3, IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* FLAG_ALL. */
	num = 1;
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	ASSERT_EQ(0, nst_invalidate(self->fd, self->viommu_id, inv,
				    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num));
	EXPECT_EQ(1, num);
	for (__u32 i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		EXPECT_EQ(0, nst_check_cache(self->fd, self->idev_id, i, 0));
	ASSERT_EQ(0, ufd_destroy(self->fd, vdev));
}

TEST_F(viommu, hw_queue)
{
	__u64 iova = MOCK_APERTURE_START, iova2 = MOCK_APERTURE_START + ufd_psize;
	__u32 q[2], id;

	/* Zero length, wrap-around, type and flags. */
	UFD_EXPECT_ERRNO(EINVAL, nst_hw_queue_alloc(self->fd, self->viommu_id,
						    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova, 0, &id));
	UFD_EXPECT_ERRNO(EOVERFLOW, nst_hw_queue_alloc(self->fd, self->viommu_id,
						       IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, ~0ULL,
						       ufd_psize, &id));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_hw_queue_alloc(self->fd, self->viommu_id,
							IOMMU_HW_QUEUE_TYPE_DEFAULT, 0, iova,
							ufd_psize, &id));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, nst_hw_queue_alloc(self->fd, self->viommu_id,
							IOMMU_HW_QUEUE_TYPE_SELFTEST + 1, 0, iova,
							ufd_psize, &id));
	UFD_EXPECT_ERRNO(ENOENT, nst_hw_queue_alloc(self->fd, self->ioas_id,
						    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova,
						    ufd_psize, &id));
	/* Nothing mapped there yet. */
	UFD_EXPECT_ERRNO(ENOENT, nst_hw_queue_alloc(self->fd, self->viommu_id,
						    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova,
						    ufd_psize, &id));

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, iova));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, (char *)ufd_buf + ufd_psize,
				   ufd_psize, iova2));

	/* Indexes start at 0 and stay below the driver's maximum. */
	UFD_EXPECT_ERRNO(EIO, nst_hw_queue_alloc(self->fd, self->viommu_id,
						 IOMMU_HW_QUEUE_TYPE_SELFTEST, 1, iova, ufd_psize,
						 &id));
	UFD_EXPECT_ERRNO(EINVAL, nst_hw_queue_alloc(self->fd, self->viommu_id,
						    IOMMU_HW_QUEUE_TYPE_SELFTEST,
						    IOMMU_TEST_HW_QUEUE_MAX, iova, ufd_psize, &id));
	ASSERT_EQ(0, nst_hw_queue_alloc(self->fd, self->viommu_id, IOMMU_HW_QUEUE_TYPE_SELFTEST,
					0, iova, ufd_psize, &q[0]));
	UFD_EXPECT_ERRNO(EEXIST, nst_hw_queue_alloc(self->fd, self->viommu_id,
						    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova,
						    ufd_psize, &id));
	/* The queue memory is pinned: it cannot be unmapped; the next page can. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_unmap(self->fd, self->ioas_id, iova, ufd_psize, NULL));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova2, ufd_psize, NULL));
	/* An unaligned queue inside the first page. */
	ASSERT_EQ(0, nst_hw_queue_alloc(self->fd, self->viommu_id, IOMMU_HW_QUEUE_TYPE_SELFTEST,
					1, iova + ufd_psize / 2, ufd_psize / 2, &q[1]));
	/* Queue 1 depends on queue 0; both hold the vIOMMU. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, q[0]));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, q[1]));
	ASSERT_EQ(0, ufd_destroy(self->fd, q[0]));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, ufd_psize, NULL));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_psize, 0));
}

/* Pages that are not physically contiguous cannot back a queue. */
TEST_F(viommu, hw_queue_not_contiguous)
{
	__u64 iova = MOCK_APERTURE_START;
	__u32 id;

	/* The same page twice, back to back in IOVA. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, iova));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
				   iova + ufd_psize));
	UFD_EXPECT_ERRNO(EFAULT, nst_hw_queue_alloc(self->fd, self->viommu_id,
						    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova,
						    2 * ufd_psize, &id));
	/* Nothing stays pinned after the failure. */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, 2 * ufd_psize, NULL));
}

struct nst_race {
	int fd;
	__u32 id;
	int rc;
	int err;
};

static void *nst_destroy_thread(void *arg)
{
	struct nst_race *r = (struct nst_race *)arg;

	r->rc = ufd_destroy(r->fd, r->id);
	r->err = r->rc ? errno : 0;
	return NULL;
}

/*
 * IOMMU_DESTROY of a vDEVICE racing with the destruction of its device:
 * the device always goes, the vDEVICE destroy succeeds, finds it already
 * gone (ENOENT: tombstoned) or transiently held by the device's teardown
 * (EBUSY), and nothing hangs or leaks.
 */
TEST_F(viommu, vdevice_destroy_race)
{
	for (int i = 0; i < 64; i++) {
		struct nst_race a = { .fd = self->fd }, b = { .fd = self->fd };
		pthread_t ta, tb;
		__u32 stdev, idev;

		ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &stdev, NULL, &idev));
		ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, idev, 0x1000 + i,
					       &a.id));
		b.id = stdev;
		ASSERT_EQ(0, pthread_create(&ta, NULL, nst_destroy_thread, &a));
		ASSERT_EQ(0, pthread_create(&tb, NULL, nst_destroy_thread, &b));
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		EXPECT_EQ(0, b.rc);
		if (a.rc)
			EXPECT_TRUE(a.err == ENOENT || a.err == EBUSY);
		UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, a.id));
	}
	/* Every vDEVICE is gone: the vIOMMU has no users left. */
	ASSERT_EQ(0, ufd_destroy(self->fd, self->viommu_id));
}

/* The mock vIOMMU's MMIO region: mmap only at its exact offset and length. */
TEST_F(viommu, mmap_region)
{
	struct iommu_viommu_selftest data = { .in_data = 0xcafe };
	unsigned long len;
	__u32 *ptr, id;

	ASSERT_EQ(0, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
				      IOMMU_VIOMMU_TYPE_SELFTEST, &data, sizeof(data), &id));
	len = data.out_mmap_length;

	/* Another offset inside or outside the region, another length. */
	errno = 0;
	EXPECT_EQ(MAP_FAILED, nst_mmap(len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
				       data.out_mmap_offset + ufd_psize));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, nst_mmap(len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
				       data.out_mmap_offset + 16 * ufd_psize));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, nst_mmap(ufd_psize, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
				       data.out_mmap_offset));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, nst_mmap(len * 2, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
				       data.out_mmap_offset));
	EXPECT_EQ(ENXIO, errno);
	/* Private and executable mappings are refused. */
	EXPECT_EQ(MAP_FAILED, nst_mmap(len, PROT_READ, MAP_PRIVATE, self->fd,
				       data.out_mmap_offset));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, nst_mmap(len, PROT_READ | PROT_EXEC, MAP_SHARED, self->fd,
				       data.out_mmap_offset));
	EXPECT_EQ(EPERM, errno);

	ptr = (__u32 *)nst_mmap(len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
				data.out_mmap_offset);
	ASSERT_NE(MAP_FAILED, (void *)ptr);
	/* The driver wrote in_data into its page: loopback through the mapping. */
	EXPECT_EQ(0xcafe, *ptr);
	/* The mapping holds the vIOMMU. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, id));
	ASSERT_EQ(0, nst_munmap(ptr, len));
	ASSERT_EQ(0, ufd_destroy(self->fd, id));
	/* The region went with its owner. */
	EXPECT_EQ(MAP_FAILED, nst_mmap(len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
				       data.out_mmap_offset));
	EXPECT_EQ(ENXIO, errno);
}

/* A mapping keeps the context alive past close(), as a VMA holds its file. */
TEST_F(viommu, mmap_outlives_close)
{
	struct iommu_viommu_selftest data = { .in_data = 0x77 };
	__u32 *ptr, id;

	ASSERT_EQ(0, nst_viommu_alloc(self->fd, self->idev_id, self->parent_id, 0,
				      IOMMU_VIOMMU_TYPE_SELFTEST, &data, sizeof(data), &id));
	ptr = (__u32 *)nst_mmap(data.out_mmap_length, PROT_READ, MAP_SHARED, self->fd,
				data.out_mmap_offset);
	ASSERT_NE(MAP_FAILED, (void *)ptr);
	EXPECT_EQ(0, ufd_close(self->fd));
	self->fd = -1;
	EXPECT_EQ(0x77, *ptr);
	/* The last reference: the whole context is torn down here. */
	ASSERT_EQ(0, nst_munmap(ptr, data.out_mmap_length));
}

/* Close with queues, vDEVICEs and nested HWPTs alive. */
TEST_F(viommu, close_with_queues)
{
	__u64 iova = MOCK_APERTURE_START;
	__u32 q[2], nested, vdev;

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, iova));
	ASSERT_EQ(0, nst_hw_queue_alloc(self->fd, self->viommu_id, IOMMU_HW_QUEUE_TYPE_SELFTEST,
					0, iova, ufd_psize, &q[0]));
	ASSERT_EQ(0, nst_hw_queue_alloc(self->fd, self->viommu_id, IOMMU_HW_QUEUE_TYPE_SELFTEST,
					1, iova, ufd_psize, &q[1]));
	ASSERT_EQ(0, nst_vdevice_alloc(self->fd, self->viommu_id, self->idev_id, 1, &vdev));
	ASSERT_EQ(0, nst_nested_alloc(self->fd, self->idev_id, self->viommu_id, 0, 1, &nested));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, nested, NULL));
}

TEST_HARNESS_MAIN
