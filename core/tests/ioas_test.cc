// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAS ioctls through the C API (errno by errno, as the kernel's
 * selftests see them) and the in-kernel access API: pinning, notify on
 * unmap, a driver that never lets go, replace and destroy.
 */
#include "core_test.h"
#include "core/c_api.h"

#include <linux/iommufd.h>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#define IOVA (1UL << 24)

struct ioas_env {
	int fd;
	u32 ioas_id;
	u8 *buf;
	size_t npages;
};

/* ioctl(); errno-style result: 0 or -errno */
static int do_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (iommufd_ioctl(fd, cmd, arg))
		return -errno;
	return 0;
}

static u32 ioas_alloc(struct kunit *test, int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	KUNIT_ASSERT_EQ(test, do_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd), 0);
	return cmd.out_ioas_id;
}

static void env_open(struct kunit *test, struct ioas_env *env, size_t npages)
{
	env->fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_GE(test, env->fd, 0);
	env->ioas_id = ioas_alloc(test, env->fd);
	env->npages = npages;
	env->buf = (u8 *)test_alloc_buffer(test, npages);
}

static void env_close(struct ioas_env *env)
{
	iommufd_close(env->fd);
	munmap(env->buf, env->npages * PAGE_SIZE);
}

static int ioas_map(struct ioas_env *env, u32 ioas_id, void *uptr, u64 length, u64 *iova,
		    u32 flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)uptr,
		.length = length,
		.iova = *iova,
	};
	int rc = do_ioctl(env->fd, IOMMU_IOAS_MAP, &cmd);

	*iova = cmd.iova;
	return rc;
}

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define MAP_FIXED_RW (MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA)

static int ioas_unmap(struct ioas_env *env, u32 ioas_id, u64 iova, u64 length, u64 *out)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};
	int rc = do_ioctl(env->fd, IOMMU_IOAS_UNMAP, &cmd);

	if (out)
		*out = cmd.length;
	return rc;
}

static void ioctl_map_unmap(struct kunit *test)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc), .flags = 1 };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct ioas_env env;
	u64 iova = IOVA, len;

	env_open(test, &env, 8);
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_ALLOC, &alloc), -EOPNOTSUPP);

	map.ioas_id = env.ioas_id;
	map.flags = 1U << 5;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP, &map), -EOPNOTSUPP);
	map.flags = MAP_RW;
	map.__reserved = 1;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP, &map), -EOPNOTSUPP);
	map.__reserved = 0;
	map.length = ULONG_MAX;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP, &map), -EOVERFLOW);
	map.length = PAGE_SIZE;
	map.iova = ULONG_MAX;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP, &map), -EOVERFLOW);
	map.iova = 0;
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP, &map), -EINVAL);
	map.flags = MAP_RW;
	map.ioas_id = env.ioas_id + 100;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP, &map), -ENOENT);

	KUNIT_EXPECT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, 0, &iova, MAP_FIXED_RW),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, 2 * PAGE_SIZE, &iova,
				       MAP_FIXED_RW), 0);
	KUNIT_EXPECT_EQ(test, iova, IOVA);
	iova = IOVA + PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, PAGE_SIZE, &iova,
				       MAP_FIXED_RW), -EEXIST);
	/* iova + length overflows */
	iova = ULONG_MAX - PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, 2 * PAGE_SIZE, &iova,
				       MAP_FIXED_RW), -EOVERFLOW);
	/* user VA + length overflows */
	iova = 0;
	KUNIT_EXPECT_EQ(test, ioas_map(&env, env.ioas_id, (void *)(ULONG_MAX - 100),
				       PAGE_SIZE, &iova, MAP_RW), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, 4 * PAGE_SIZE, &iova, MAP_RW),
			0);
	/* automatic IOVA keeps the user address's alignment, up to the length */
	KUNIT_EXPECT_EQ(test, iova % min(4 * PAGE_SIZE, 1UL << __builtin_ctzl((uintptr_t)env.buf)),
			0);

	/* nothing there, and cutting an area, are both ENOENT */
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, IOVA + 64 * PAGE_SIZE, PAGE_SIZE,
					 NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, IOVA, PAGE_SIZE, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, IOVA, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, ULONG_MAX, 1, NULL), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, IOVA - PAGE_SIZE, 8 * PAGE_SIZE,
					 &len), 0);
	KUNIT_EXPECT_EQ(test, len, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, 0, UINT64_MAX, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, 0, UINT64_MAX, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 0);
	env_close(&env);
}

static void ioctl_ranges_allow(struct kunit *test)
{
	struct iommu_iova_range ranges[4] = {};
	struct iommu_ioas_iova_ranges rcmd = { .size = sizeof(rcmd) };
	struct iommu_ioas_allow_iovas acmd = { .size = sizeof(acmd) };
	struct iommufd_ctx *ictx;
	struct iommufd_ioas *ioas;
	struct ioas_env env;
	int owner, rc;
	u64 iova = 0;

	env_open(test, &env, 4);
	rcmd.ioas_id = env.ioas_id;
	rcmd.allowed_iovas = (uintptr_t)ranges;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_IOVA_RANGES, &rcmd), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, rcmd.num_iovas, 1);
	KUNIT_EXPECT_EQ(test, ranges[0].last, 0);
	rcmd.num_iovas = 4;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_IOVA_RANGES, &rcmd), 0);
	KUNIT_EXPECT_EQ(test, rcmd.num_iovas, 1);
	KUNIT_EXPECT_EQ(test, ranges[0].start, 0);
	KUNIT_EXPECT_EQ(test, ranges[0].last, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, rcmd.out_iova_alignment, 1);
	rcmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_IOVA_RANGES, &rcmd), -EOPNOTSUPP);
	rcmd.__reserved = 0;

	/* reserve one page, as a device's reserved region would */
	ictx = iommufd_ctx_from_fd(env.fd);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ictx));
	ioas = iommufd_get_ioas(ictx, env.ioas_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ioas));
	down_write(&ioas->iopt.iova_rwsem);
	rc = iopt_reserve_iova(&ioas->iopt, IOVA, IOVA + PAGE_SIZE - 1, &owner);
	up_write(&ioas->iopt.iova_rwsem);
	KUNIT_EXPECT_EQ(test, rc, 0);

	rcmd.num_iovas = 1;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_IOVA_RANGES, &rcmd), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, rcmd.num_iovas, 2);
	KUNIT_EXPECT_EQ(test, ranges[0].last, IOVA - 1);
	rcmd.num_iovas = 4;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_IOVA_RANGES, &rcmd), 0);
	KUNIT_EXPECT_EQ(test, ranges[1].start, IOVA + PAGE_SIZE);

	acmd.ioas_id = env.ioas_id;
	acmd.allowed_iovas = (uintptr_t)ranges;
	acmd.num_iovas = 1;
	ranges[0].start = IOVA + 8 * PAGE_SIZE;
	ranges[0].last = ranges[0].start;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_ALLOW_IOVAS, &acmd), -EINVAL);
	ranges[0].last = IOVA + 16 * PAGE_SIZE - 1;
	ranges[1] = ranges[0];
	acmd.num_iovas = 2;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_ALLOW_IOVAS, &acmd), -EINVAL);
	ranges[1].start = IOVA;
	ranges[1].last = IOVA + 10;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_ALLOW_IOVAS, &acmd), -EADDRINUSE);
	acmd.num_iovas = 1;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_ALLOW_IOVAS, &acmd), 0);
	KUNIT_EXPECT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, PAGE_SIZE, &iova, MAP_RW), 0);
	KUNIT_EXPECT_EQ(test, iova, IOVA + 8 * PAGE_SIZE);
	acmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_ALLOW_IOVAS, &acmd), -EOPNOTSUPP);

	iopt_remove_reserved_iova(&ioas->iopt, &owner);
	iommufd_put_object(ictx, &ioas->obj);
	iommufd_ctx_put(ictx);
	env_close(&env);
}

static int option(int fd, u32 option_id, u16 op, u32 object_id, u64 *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = *val,
	};
	int rc = do_ioctl(fd, IOMMU_OPTION, &cmd);

	*val = cmd.val64;
	return rc;
}

static void clear_sys_resource(void *unused)
{
	harness_clear_capable(CAP_SYS_RESOURCE);
}

static void ioctl_options(struct kunit *test)
{
	struct ioas_env env;
	u64 val = 5;
	int fd;

	kunit_add_action(test, clear_sys_resource, NULL);
	env_open(test, &env, 1);

	fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_GE(test, fd, 0);
	KUNIT_EXPECT_EQ(test, option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, &val),
			0);
	KUNIT_EXPECT_EQ(test, val, 0);
	val = 1;
	KUNIT_EXPECT_EQ(test, option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 1, &val),
			-EOPNOTSUPP);
	harness_set_capable(CAP_SYS_RESOURCE, false);
	KUNIT_EXPECT_EQ(test, option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &val),
			-EPERM);
	harness_set_capable(CAP_SYS_RESOURCE, true);
	KUNIT_EXPECT_EQ(test, option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &val),
			0);
	val = 2;
	KUNIT_EXPECT_EQ(test, option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &val),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, &val),
			0);
	KUNIT_EXPECT_EQ(test, val, 1);
	KUNIT_EXPECT_EQ(test, option(fd, IOMMU_OPTION_RLIMIT_MODE, 7, 0, &val), -EOPNOTSUPP);
	/* a context with objects cannot change mode */
	val = 0;
	KUNIT_EXPECT_EQ(test, option(env.fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
				     &val), -EBUSY);
	iommufd_close(fd);

	KUNIT_EXPECT_EQ(test, option(env.fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
				     env.ioas_id + 1, &val), -ENOENT);
	KUNIT_EXPECT_EQ(test, option(env.fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
				     env.ioas_id, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 1);
	val = 0;
	KUNIT_EXPECT_EQ(test, option(env.fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET,
				     env.ioas_id, &val), 0);
	KUNIT_EXPECT_EQ(test, option(env.fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
				     env.ioas_id, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0);
	val = 2;
	KUNIT_EXPECT_EQ(test, option(env.fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET,
				     env.ioas_id, &val), -EINVAL);
	KUNIT_EXPECT_EQ(test, option(env.fd, IOMMU_OPTION_HUGE_PAGES, 9, env.ioas_id, &val),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, option(env.fd, 1000, IOMMU_OPTION_OP_GET, env.ioas_id, &val),
			-EOPNOTSUPP);
	env_close(&env);
}

static void ioctl_copy(struct kunit *test)
{
	struct iommu_ioas_copy cmd = { .size = sizeof(cmd) };
	struct ioas_env env;
	u64 iova = IOVA;
	u32 dst;

	env_open(test, &env, 4);
	dst = ioas_alloc(test, env.fd);
	KUNIT_ASSERT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, 4 * PAGE_SIZE, &iova,
				       IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE), 0);

	cmd.src_ioas_id = env.ioas_id;
	cmd.dst_ioas_id = dst;
	cmd.src_iova = IOVA;
	cmd.length = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_COPY, &cmd), -EINVAL);
	cmd.flags = MAP_RW;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_COPY, &cmd), -EPERM);
	cmd.flags = IOMMU_IOAS_MAP_READABLE | (1U << 7);
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_COPY, &cmd), -EOPNOTSUPP);
	cmd.flags = IOMMU_IOAS_MAP_READABLE;
	cmd.src_iova = IOVA + 3 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_COPY, &cmd), -ENOENT);
	cmd.src_iova = IOVA + PAGE_SIZE;
	cmd.dst_ioas_id = 1000;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_COPY, &cmd), -ENOENT);
	cmd.dst_ioas_id = dst;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_COPY, &cmd), 0);
	KUNIT_EXPECT_EQ(test, cmd.dst_iova % min(2 * PAGE_SIZE, 1UL << __builtin_ctzl(
							 (uintptr_t)env.buf + PAGE_SIZE)), 0);
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, dst, cmd.dst_iova, 2 * PAGE_SIZE, NULL), 0);
	env_close(&env);
}

static void ioctl_map_file_change_process(struct kunit *test)
{
	struct iommu_ioas_map_file cmd = { .size = sizeof(cmd) };
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	struct ioas_env env;
	u64 iova = IOVA, len;
	int mfd;

	test_set_memlock(test, 1UL << 40, false);
	env_open(test, &env, 2);
	mfd = memfd_create("ioas-ioctl", 0);
	KUNIT_ASSERT_GE(test, mfd, 0);
	KUNIT_ASSERT_EQ(test, ftruncate(mfd, 4 * PAGE_SIZE), 0);

	cmd.ioas_id = env.ioas_id;
	cmd.fd = -1;
	cmd.length = PAGE_SIZE;
	cmd.flags = MAP_RW;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP_FILE, &cmd), -EBADF);
	cmd.fd = mfd;
	cmd.flags = 0;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP_FILE, &cmd), -EINVAL);
	cmd.flags = MAP_RW | (1U << 9);
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP_FILE, &cmd), -EOPNOTSUPP);
	cmd.flags = MAP_RW;
	cmd.length = 0;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP_FILE, &cmd), -EINVAL);
	cmd.length = PAGE_SIZE;
	cmd.start = ULONG_MAX - 10;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP_FILE, &cmd), -EOVERFLOW);
	cmd.start = PAGE_SIZE;
	cmd.length = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_MAP_FILE, &cmd), 0);
	KUNIT_EXPECT_NE(test, cmd.iova, 0);

	cp.__reserved = 1;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_CHANGE_PROCESS, &cp), -EOPNOTSUPP);
	cp.__reserved = 0;
	/* only file mappings can move */
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_CHANGE_PROCESS, &cp), 0);
	KUNIT_ASSERT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, PAGE_SIZE, &iova,
				       MAP_FIXED_RW), 0);
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_IOAS_CHANGE_PROCESS, &cp), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, 0, UINT64_MAX, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 3 * PAGE_SIZE);
	close(mfd);
	env_close(&env);
}

/* ---- accesses ---- */

struct test_pin {
	unsigned long iova;
	unsigned long length;
};

struct test_access {
	struct iommufd_access *access;
	std::vector<test_pin> pins;
	unsigned int unmap_calls;
	bool stubborn;		/* never unpins: a broken driver */
};

static void test_access_unmap(void *data, unsigned long iova, unsigned long length)
{
	struct test_access *ta = (struct test_access *)data;

	ta->unmap_calls++;
	if (ta->stubborn)
		return;
	for (auto it = ta->pins.begin(); it != ta->pins.end();) {
		if (it->iova <= iova + length - 1 && iova <= it->iova + it->length - 1) {
			iommufd_access_unpin_pages(ta->access, it->iova, it->length);
			it = ta->pins.erase(it);
		} else {
			++it;
		}
	}
}

static const struct iommufd_access_ops test_access_ops = {
	.needs_pin_pages = 1,
	.unmap = test_access_unmap,
};

static int ta_pin(struct test_access *ta, unsigned long iova, unsigned long length,
		  struct page **pages, unsigned int flags)
{
	int rc = iommufd_access_pin_pages(ta->access, iova, length, pages, flags);

	if (!rc)
		ta->pins.push_back({ iova, length });
	return rc;
}

static void access_pin_notify(struct kunit *test)
{
	struct test_access ta = {};
	struct iommufd_ctx *ictx;
	struct page *pages[4];
	struct ioas_env env;
	u64 iova = IOVA, len;
	u32 access_id;
	u8 data[16];

	test_set_memlock(test, 1UL << 40, false);
	env_open(test, &env, 4);
	ictx = iommufd_ctx_from_fd(env.fd);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ictx));
	ta.access = iommufd_access_create(ictx, &test_access_ops, &ta, &access_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ta.access));
	KUNIT_EXPECT_EQ(test, iommufd_access_pin_pages(ta.access, IOVA, PAGE_SIZE, pages, 0),
			-ENOENT);
	KUNIT_ASSERT_EQ(test, iommufd_access_attach(ta.access, env.ioas_id), 0);

	/* pinning accesses need PAGE_SIZE granular IOVA */
	iova = IOVA + 2048;
	KUNIT_EXPECT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, PAGE_SIZE, &iova,
				       MAP_FIXED_RW), -EINVAL);
	iova = IOVA;
	KUNIT_ASSERT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, 3 * PAGE_SIZE, &iova,
				       MAP_FIXED_RW), 0);
	iova = IOVA + 3 * PAGE_SIZE;
	KUNIT_ASSERT_EQ(test, ioas_map(&env, env.ioas_id, env.buf + 3 * PAGE_SIZE, PAGE_SIZE,
				       &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
					       IOMMU_IOAS_MAP_READABLE), 0);

	KUNIT_EXPECT_EQ(test, ta_pin(&ta, IOVA, 0, pages, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ta_pin(&ta, ULONG_MAX, 2, pages, 0), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, ta_pin(&ta, IOVA + 4 * PAGE_SIZE, PAGE_SIZE, pages, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, ta_pin(&ta, IOVA + 2 * PAGE_SIZE, 2 * PAGE_SIZE, pages,
				     IOMMUFD_ACCESS_RW_WRITE), -EPERM);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 2 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, ta_pin(&ta, IOVA + PAGE_SIZE, 3 * PAGE_SIZE, pages, 0), 0);
	KUNIT_EXPECT_EQ(test, page_to_pfn(pages[2]), test_page_pfn(env.buf + 3 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 2 * PAGE_SIZE), 1);

	/* rw through the access */
	memset(data, 0xab, sizeof(data));
	KUNIT_EXPECT_EQ(test, iommufd_access_rw(ta.access, IOVA + PAGE_SIZE - 8, data,
						sizeof(data), IOMMUFD_ACCESS_RW_WRITE), 0);
	KUNIT_EXPECT_EQ(test, env.buf[PAGE_SIZE + 7], 0xab);
	KUNIT_EXPECT_EQ(test, iommufd_access_rw(ta.access, IOVA + 4 * PAGE_SIZE - 8, data,
						sizeof(data), 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, iommufd_access_rw(ta.access, IOVA + 3 * PAGE_SIZE, data,
						sizeof(data), IOMMUFD_ACCESS_RW_WRITE), -EPERM);
	KUNIT_EXPECT_EQ(test, iommufd_access_rw(ta.access, IOVA + 3 * PAGE_SIZE, data,
						sizeof(data), __IOMMUFD_ACCESS_RW_SLOW_PATH), 0);

	/* unmap asks the access to let go first */
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, 0, UINT64_MAX, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 4 * PAGE_SIZE);
	KUNIT_EXPECT_GE(test, ta.unmap_calls, 1);
	KUNIT_EXPECT_TRUE(test, ta.pins.empty());
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 2 * PAGE_SIZE), 0);

	iommufd_access_detach(ta.access);
	/* detaching twice is a driver bug */
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommufd_access_detach(ta.access));
	iommufd_access_destroy(ta.access);
	iommufd_ctx_put(ictx);
	env_close(&env);
}

/* A driver that ignores unmap requests: unmap gives up after 100 tries. */
static void access_stubborn(struct kunit *test)
{
	struct test_access ta = {};
	struct iommufd_ctx *ictx;
	struct page *pages[1];
	struct ioas_env env;
	u64 iova = IOVA, len = 0;
	u32 access_id;
	int rc = 0;

	test_set_memlock(test, 1UL << 40, false);
	env_open(test, &env, 1);
	ictx = iommufd_ctx_from_fd(env.fd);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ictx));
	ta.access = iommufd_access_create(ictx, &test_access_ops, &ta, &access_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ta.access));
	KUNIT_ASSERT_EQ(test, iommufd_access_attach(ta.access, env.ioas_id), 0);
	KUNIT_ASSERT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, PAGE_SIZE, &iova,
				       MAP_FIXED_RW), 0);
	KUNIT_ASSERT_EQ(test, ta_pin(&ta, IOVA, PAGE_SIZE, pages, 0), 0);

	ta.stubborn = true;
	KUNIT_EXPECT_HARNESS_FAILURE(test, rc = ioas_unmap(&env, env.ioas_id, IOVA, PAGE_SIZE,
							   &len));
	KUNIT_EXPECT_EQ(test, rc, -EDEADLOCK);
	KUNIT_EXPECT_EQ(test, ta.unmap_calls, 101);
	/* while unmapping is pending, new pins of the area are refused */
	KUNIT_EXPECT_EQ(test, iommufd_access_pin_pages(ta.access, IOVA, PAGE_SIZE, pages, 0),
			-EINVAL);

	ta.stubborn = false;
	KUNIT_EXPECT_EQ(test, ioas_unmap(&env, env.ioas_id, IOVA, PAGE_SIZE, &len), 0);
	KUNIT_EXPECT_EQ(test, len, PAGE_SIZE);

	iommufd_access_destroy(ta.access);
	iommufd_ctx_put(ictx);
	env_close(&env);
}

/* Replacing the IOAS drops every pin in the old one; destroy detaches. */
static void access_replace_destroy(struct kunit *test)
{
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct test_access ta = {};
	struct iommufd_ctx *ictx;
	struct page *pages[2];
	struct ioas_env env;
	u64 iova = IOVA;
	u32 access_id, ioas2;
	int rc = 0;

	test_set_memlock(test, 1UL << 40, false);
	env_open(test, &env, 2);
	ioas2 = ioas_alloc(test, env.fd);
	ictx = iommufd_ctx_from_fd(env.fd);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ictx));
	ta.access = iommufd_access_create(ictx, &test_access_ops, &ta, &access_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ta.access));
	KUNIT_EXPECT_EQ(test, iommufd_access_replace(ta.access, env.ioas_id), -ENOENT);
	KUNIT_ASSERT_EQ(test, iommufd_access_attach(ta.access, env.ioas_id), 0);
	KUNIT_EXPECT_HARNESS_FAILURE(test, rc = iommufd_access_attach(ta.access, ioas2));
	KUNIT_EXPECT_EQ(test, rc, -EINVAL);
	KUNIT_ASSERT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, 2 * PAGE_SIZE, &iova,
				       MAP_FIXED_RW), 0);
	KUNIT_ASSERT_EQ(test, ta_pin(&ta, IOVA, 2 * PAGE_SIZE, pages, 0), 0);

	/* the IOAS is in use by the access */
	destroy.id = env.ioas_id;
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_DESTROY, &destroy), -EBUSY);

	KUNIT_EXPECT_EQ(test, iommufd_access_replace(ta.access, ioas2), 0);
	KUNIT_EXPECT_TRUE(test, ta.pins.empty());
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf), 0);
	KUNIT_EXPECT_EQ(test, do_ioctl(env.fd, IOMMU_DESTROY, &destroy), 0);

	iova = IOVA;
	KUNIT_ASSERT_EQ(test, ioas_map(&env, ioas2, env.buf, 2 * PAGE_SIZE, &iova, MAP_FIXED_RW),
			0);
	KUNIT_ASSERT_EQ(test, ta_pin(&ta, IOVA + PAGE_SIZE, PAGE_SIZE, pages, 0), 0);
	/* destroying the access detaches it, which unpins through the driver */
	iommufd_access_destroy(ta.access);
	KUNIT_EXPECT_TRUE(test, ta.pins.empty());
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + PAGE_SIZE), 0);
	iommufd_ctx_put(ictx);
	env_close(&env);
}

static const struct iommufd_access_ops test_access_nopin_ops = {
	.unmap = test_access_unmap,
};

/* Driver bugs the access API reports. */
static void access_tripwires(struct kunit *test)
{
	struct test_access ta = {}, tn = {};
	struct iommufd_ctx *ictx;
	struct page *pages[1];
	struct ioas_env env;
	u64 iova = IOVA;
	u32 access_id;
	int rc = 0;

	env_open(test, &env, 1);
	ictx = iommufd_ctx_from_fd(env.fd);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ictx));
	ta.access = iommufd_access_create(ictx, &test_access_ops, &ta, &access_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ta.access));
	tn.access = iommufd_access_create(ictx, &test_access_nopin_ops, &tn, &access_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tn.access));

	/* unpinning with no IOAS attached */
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommufd_access_unpin_pages(ta.access, IOVA,
								      PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, iommufd_access_attach(ta.access, env.ioas_id), 0);
	KUNIT_ASSERT_EQ(test, iommufd_access_attach(tn.access, env.ioas_id), 0);
	KUNIT_ASSERT_EQ(test, ioas_map(&env, env.ioas_id, env.buf, PAGE_SIZE, &iova,
				       MAP_FIXED_RW), 0);
	/* a zero-length unpin */
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommufd_access_unpin_pages(ta.access, IOVA, 0));
	/* pinning through an access created without needs_pin_pages */
	KUNIT_EXPECT_HARNESS_FAILURE(test, rc = iommufd_access_pin_pages(tn.access, IOVA,
									 PAGE_SIZE, pages, 0));
	KUNIT_EXPECT_EQ(test, rc, -EINVAL);

	iommufd_access_destroy(tn.access);
	iommufd_access_destroy(ta.access);
	iommufd_ctx_put(ictx);
	env_close(&env);
}

static struct kunit_case ioas_cases[] = {
	KUNIT_CASE(access_tripwires),
	KUNIT_CASE(ioctl_map_unmap),
	KUNIT_CASE(ioctl_ranges_allow),
	KUNIT_CASE(ioctl_options),
	KUNIT_CASE(ioctl_copy),
	KUNIT_CASE(ioctl_map_file_change_process),
	KUNIT_CASE(access_pin_notify),
	KUNIT_CASE(access_stubborn),
	KUNIT_CASE(access_replace_destroy),
	{}
};

static struct kunit_suite ioas_suite = {
	.name = "core-ioas",
	.test_cases = ioas_cases,
};
kunit_test_suite(ioas_suite);
