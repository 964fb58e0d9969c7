// SPDX-License-Identifier: GPL-2.0
/*
 * A driver's own ioctl range (iommufd_register_ext_ioctls(), the AMD RFC
 * uAPI's route): which ranges registration refuses, that a registered
 * range is dispatched before VFIO compatibility with the raw command and
 * user pointer, that numbers beside it are untouched, and that the
 * release hook runs once per closing context, after its objects.
 */
#include "core_test.h"

#include "core/c_api.h"
#include "core/iommufd_private.h"

#include <fcntl.h>
#include <linux/iommufd.h>

namespace {

constexpr unsigned int EXT_FIRST = 0xf0, EXT_LAST = 0xf3;

struct iommufd_ctx *last_ictx;
unsigned long last_arg;
int calls, releases, objects_at_release;

long ext_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void __user *arg)
{
	calls++;
	last_ictx = ictx;
	last_arg = (unsigned long)arg;
	return _IOC_NR(cmd) == EXT_LAST ? -ENOTTY : (long)_IOC_NR(cmd);
}

void ext_release(struct iommufd_ctx *ictx)
{
	unsigned long index;
	void *entry;

	releases++;
	objects_at_release = 0;
	xa_for_each(&ictx->objects, index, entry)
		objects_at_release++;
}

const struct iommufd_ext_ioctls ext = {
	.first_nr = EXT_FIRST,
	.last_nr = EXT_LAST,
	.ioctl = ext_ioctl,
	.ctx_release = ext_release,
};

void ext_register_rules(struct kunit *test)
{
	struct iommufd_ext_ioctls overlap = ext, core_range = ext, reversed = ext;

	overlap.first_nr = EXT_LAST;
	overlap.last_nr = EXT_LAST + 2;
	core_range.first_nr = 0xa0;		/* IOMMU_TEST_CMD */
	reversed.first_nr = EXT_LAST + 8;
	reversed.last_nr = EXT_LAST + 4;

	KUNIT_EXPECT_EQ(test, iommufd_register_ext_ioctls(&ext), 0);
	KUNIT_EXPECT_EQ(test, iommufd_register_ext_ioctls(&ext), 0);	/* again: a no-op */
	KUNIT_EXPECT_EQ(test, iommufd_register_ext_ioctls(&overlap), -EBUSY);
	KUNIT_EXPECT_EQ(test, iommufd_register_ext_ioctls(&core_range), -EINVAL);
	KUNIT_EXPECT_EQ(test, iommufd_register_ext_ioctls(&reversed), -EINVAL);
}

void ext_dispatch_and_release(struct kunit *test)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	unsigned long arg = 0x1234;
	int fd, before;

	KUNIT_ASSERT_EQ(test, iommufd_register_ext_ioctls(&ext), 0);
	fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_GE(test, fd, 0);
	KUNIT_ASSERT_EQ(test, iommufd_ioctl(fd, IOMMU_IOAS_ALLOC, &alloc), 0);

	calls = 0;
	/* The handler's value comes back as is; it sees the user pointer untouched */
	KUNIT_EXPECT_EQ(test, iommufd_ioctl(fd, _IO(IOMMUFD_TYPE, EXT_FIRST + 1), &arg),
			(int)EXT_FIRST + 1);
	KUNIT_EXPECT_EQ(test, last_arg, (unsigned long)&arg);
	KUNIT_EXPECT_EQ(test, iommufd_ioctl(fd, _IO(IOMMUFD_TYPE, EXT_LAST), &arg), -1);
	KUNIT_EXPECT_EQ(test, errno, ENOTTY);
	KUNIT_EXPECT_EQ(test, calls, 2);
	/* Beside the range: VFIO compatibility, the handler not called */
	KUNIT_EXPECT_EQ(test, iommufd_ioctl(fd, _IO(IOMMUFD_TYPE, EXT_LAST + 1), &arg), -1);
	KUNIT_EXPECT_EQ(test, errno, ENOTTY);
	KUNIT_EXPECT_EQ(test, calls, 2);

	before = releases;
	KUNIT_EXPECT_EQ(test, iommufd_close(fd), 0);
	KUNIT_EXPECT_EQ(test, releases, before + 1);
	KUNIT_EXPECT_EQ(test, objects_at_release, 0);
}

struct kunit_case ext_cases[] = {
	KUNIT_CASE(ext_register_rules),
	KUNIT_CASE(ext_dispatch_and_release),
	{},
};

struct kunit_suite ext_suite = {
	.name = "core-ext-ioctls",
	.test_cases = ext_cases,
};

} // namespace

kunit_test_suite(ext_suite);
