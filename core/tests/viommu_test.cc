// SPDX-License-Identifier: GPL-2.0
/*
 * vIOMMU paths the mock driver does not take: a HW queue of a driver that
 * takes the guest address itself (ops->hw_queue_init, the AMD HW-vIOMMU
 * style, no core pinning), and drivers missing the queue ops.
 *
 * The test builds a real mock vIOMMU through the C API, then swaps its ops
 * for a table of its own (keeping the mock's destroy), as a different
 * driver would have.
 */
#include "core_test.h"

#include "core/c_api.h"
#include "core/iommufd_private.h"

#include <fcntl.h>
#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

namespace {

struct test_hw_queue {
	struct iommufd_hw_queue core;
	u32 index;
	u64 seen_base;
};

int queue_inits;

size_t test_get_hw_queue_size(struct iommufd_viommu *viommu, u32 queue_type)
{
	if (queue_type != IOMMU_HW_QUEUE_TYPE_SELFTEST)
		return 0;
	return HW_QUEUE_STRUCT_SIZE(struct test_hw_queue, core);
}

int test_hw_queue_init(struct iommufd_hw_queue *hw_queue, u32 index)
{
	struct test_hw_queue *q = container_of(hw_queue, struct test_hw_queue, core);

	if (index > 3)
		return -EINVAL;
	q->index = index;
	q->seen_base = hw_queue->base_addr;
	queue_inits++;
	return 0;
}

struct iommufd_viommu_ops test_ops;

int uioctl(int fd, unsigned long cmd, void *arg)
{
	return iommufd_ioctl(fd, cmd, arg) ? -errno : 0;
}

struct viommu_env {
	int fd;
	u32 ioas, stdev, idev, parent, viommu;
	struct iommufd_viommu *obj;
	const struct iommufd_viommu_ops *mock_ops;
};

void env_open(struct kunit *test, struct viommu_env *e)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = { .size = sizeof(mock), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_viommu_alloc viommu = { .size = sizeof(viommu) };
	struct iommufd_ctx *ictx;
	struct iommufd_object *obj;

	e->fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_GE(test, e->fd, 0);
	KUNIT_ASSERT_EQ(test, uioctl(e->fd, IOMMU_IOAS_ALLOC, &alloc), 0);
	e->ioas = alloc.out_ioas_id;
	mock.id = e->ioas;
	KUNIT_ASSERT_EQ(test, uioctl(e->fd, IOMMU_TEST_CMD, &mock), 0);
	e->stdev = mock.mock_domain.out_stdev_id;
	e->idev = mock.mock_domain.out_idev_id;
	hwpt.dev_id = e->idev;
	hwpt.pt_id = e->ioas;
	hwpt.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	KUNIT_ASSERT_EQ(test, uioctl(e->fd, IOMMU_HWPT_ALLOC, &hwpt), 0);
	e->parent = hwpt.out_hwpt_id;
	viommu.type = IOMMU_VIOMMU_TYPE_SELFTEST;
	viommu.dev_id = e->idev;
	viommu.hwpt_id = e->parent;
	KUNIT_ASSERT_EQ(test, uioctl(e->fd, IOMMU_VIOMMU_ALLOC, &viommu), 0);
	e->viommu = viommu.out_viommu_id;

	ictx = iommufd_ctx_from_fd(e->fd);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ictx));
	obj = iommufd_get_object(ictx, e->viommu, IOMMUFD_OBJ_VIOMMU);
	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	e->obj = container_of(obj, struct iommufd_viommu, obj);
	/* The object stays alive: the fd's table holds it. */
	iommufd_put_object(ictx, obj);
	iommufd_ctx_put(ictx);
	e->mock_ops = e->obj->ops;
}

int hw_queue_alloc(int fd, u32 viommu, u32 index, u64 iova, u64 len, u32 *id)
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
		*id = cmd.out_hw_queue_id;
	return rc;
}

int destroy(int fd, u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return uioctl(fd, IOMMU_DESTROY, &cmd);
}

/* No pinning: any guest address is taken, nothing in the IOAS is locked. */
void hw_queue_no_pin(struct kunit *test)
{
	struct viommu_env e;
	u32 q0, q1, id;

	env_open(test, &e);
	test_ops = *e.mock_ops;
	test_ops.hw_queue_init_phys = NULL;
	test_ops.hw_queue_init = test_hw_queue_init;
	test_ops.get_hw_queue_size = test_get_hw_queue_size;
	e.obj->ops = &test_ops;
	queue_inits = 0;

	/* The core's own checks come first. */
	KUNIT_EXPECT_EQ(test, hw_queue_alloc(e.fd, e.viommu, 0, 0x1000, 0, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, hw_queue_alloc(e.fd, e.viommu, 0, ~0ULL, 2, &id), -EOVERFLOW);
	/* Nothing is mapped at the guest address: fine without pinning. */
	KUNIT_ASSERT_EQ(test, hw_queue_alloc(e.fd, e.viommu, 0, 0x12345, 0x100, &q0), 0);
	KUNIT_ASSERT_EQ(test, hw_queue_alloc(e.fd, e.viommu, 1, 0x40000, PAGE_SIZE, &q1), 0);
	KUNIT_EXPECT_EQ(test, queue_inits, 2);
	/* The driver's refusal comes back. */
	KUNIT_EXPECT_EQ(test, hw_queue_alloc(e.fd, e.viommu, 4, 0x40000, PAGE_SIZE, &id),
			-EINVAL);
	/* Queues hold the vIOMMU. */
	KUNIT_EXPECT_EQ(test, destroy(e.fd, e.viommu), -EBUSY);
	KUNIT_EXPECT_EQ(test, destroy(e.fd, q0), 0);
	KUNIT_EXPECT_EQ(test, destroy(e.fd, q1), 0);

	/* A driver with neither init op: -EOPNOTSUPP. */
	test_ops.hw_queue_init = NULL;
	KUNIT_EXPECT_EQ(test, hw_queue_alloc(e.fd, e.viommu, 0, 0x1000, 0x100, &id),
			-EOPNOTSUPP);
	/* Nor a size op. */
	test_ops.hw_queue_init = test_hw_queue_init;
	test_ops.get_hw_queue_size = NULL;
	KUNIT_EXPECT_EQ(test, hw_queue_alloc(e.fd, e.viommu, 0, 0x1000, 0x100, &id),
			-EOPNOTSUPP);

	e.obj->ops = e.mock_ops;
	KUNIT_EXPECT_EQ(test, iommufd_close(e.fd), 0);
}

/* A driver without cache_invalidate or alloc_domain_nested. */
void viommu_missing_ops(struct kunit *test)
{
	struct iommu_hwpt_selftest data = { .iotlb = 1 };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_hwpt_invalidate inv = { .size = sizeof(inv) };
	struct viommu_env e;

	env_open(test, &e);
	test_ops = *e.mock_ops;
	test_ops.cache_invalidate = NULL;
	test_ops.alloc_domain_nested = NULL;
	e.obj->ops = &test_ops;

	inv.hwpt_id = e.viommu;
	inv.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
	KUNIT_EXPECT_EQ(test, uioctl(e.fd, IOMMU_HWPT_INVALIDATE, &inv), -EOPNOTSUPP);
	hwpt.dev_id = e.idev;
	hwpt.pt_id = e.viommu;
	hwpt.data_type = IOMMU_HWPT_DATA_SELFTEST;
	hwpt.data_len = sizeof(data);
	hwpt.data_uptr = (uintptr_t)&data;
	KUNIT_EXPECT_EQ(test, uioctl(e.fd, IOMMU_HWPT_ALLOC, &hwpt), -EOPNOTSUPP);

	e.obj->ops = e.mock_ops;
	KUNIT_EXPECT_EQ(test, iommufd_close(e.fd), 0);
}

struct kunit_case viommu_cases[] = {
	KUNIT_CASE(hw_queue_no_pin),
	KUNIT_CASE(viommu_missing_ops),
	{},
};

struct kunit_suite viommu_suite = {
	.name = "core-viommu",
	.test_cases = viommu_cases,
};

} // namespace

kunit_test_suite(viommu_suite);
