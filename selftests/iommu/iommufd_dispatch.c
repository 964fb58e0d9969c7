// SPDX-License-Identifier: GPL-2.0
/*
 * How /dev/iommu decodes an ioctl before any object code runs: the number
 * (ENOTTY), the leading size word (EFAULT), the minimum size (EINVAL),
 * zero-extension of short structs and rejection of non-zero unknown tails
 * (E2BIG), how much of the struct is written back, object IDs and their
 * lifetime, and the context-wide IOMMU_OPTION.
 */
#include "uiommufd_utils.h"

/* One row per ioctl of the base set: IOAS, HWPT, devices, accesses, options. */
struct ufd_ioctl_desc {
	const char *name;
	unsigned long cmd;
	size_t size;
	size_t min_size;
	/* errno of an all-zero struct on a fresh iommufd; -1: not fixed */
	int zero_errno;
};

#define UFD_IOCTL_ROW(_cmd, _struct, _last, _errno)                           \
	{ #_cmd, _cmd, sizeof(struct _struct), ufd_end_of(struct _struct, _last), _errno }

static const struct ufd_ioctl_desc ufd_ioctls[] = {
	UFD_IOCTL_ROW(IOMMU_DESTROY, iommu_destroy, id, ENOENT),
	UFD_IOCTL_ROW(IOMMU_GET_HW_INFO, iommu_hw_info, __reserved, ENOENT),
	UFD_IOCTL_ROW(IOMMU_HWPT_ALLOC, iommu_hwpt_alloc, __reserved, ENOENT),
	UFD_IOCTL_ROW(IOMMU_IOAS_ALLOC, iommu_ioas_alloc, out_ioas_id, 0),
	UFD_IOCTL_ROW(IOMMU_IOAS_ALLOW_IOVAS, iommu_ioas_allow_iovas, allowed_iovas, ENOENT),
	UFD_IOCTL_ROW(IOMMU_IOAS_CHANGE_PROCESS, iommu_ioas_change_process, __reserved, 0),
	/* flags 0 asks for neither read nor write */
	UFD_IOCTL_ROW(IOMMU_IOAS_COPY, iommu_ioas_copy, src_iova, EINVAL),
	UFD_IOCTL_ROW(IOMMU_IOAS_IOVA_RANGES, iommu_ioas_iova_ranges, out_iova_alignment,
		      ENOENT),
	UFD_IOCTL_ROW(IOMMU_IOAS_MAP, iommu_ioas_map, iova, EINVAL),
	UFD_IOCTL_ROW(IOMMU_IOAS_MAP_FILE, iommu_ioas_map_file, iova, EINVAL),
	UFD_IOCTL_ROW(IOMMU_IOAS_UNMAP, iommu_ioas_unmap, length, ENOENT),
	/* RLIMIT_MODE set: depends on CAP_SYS_RESOURCE */
	UFD_IOCTL_ROW(IOMMU_OPTION, iommu_option, val64, -1),
};

/* Big enough for any command plus a long zero tail. */
static union {
	__u32 size;
	unsigned char bytes[4096];
} ufd_raw;

/* ioctl on ufd_raw with the given size word; 0 or the errno. */
static int ufd_raw_ioctl(int fd, unsigned long cmd, __u32 size)
{
	ufd_raw.size = size;
	return ufd_ioctl(fd, cmd, ufd_raw.bytes) ? errno : 0;
}

FIXTURE(dispatch)
{
	UFD_FIXTURE_FIELDS;
};

FIXTURE_SETUP(dispatch)
{
	ufd_fixture_open(self);
}

FIXTURE_TEARDOWN(dispatch)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

TEST_F(dispatch, open_and_close)
{
}

TEST_F(dispatch, destroy_unknown_ids)
{
	/* ID 0 is never handed out; the others were never allocated. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, 0));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, 1));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, 0x7fffffff));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, UINT32_MAX));
}

TEST_F(dispatch, null_argument_faults)
{
	unsigned int i;

	/* The size word is read before the command is even looked at. */
	for (i = 0; i != ARRAY_SIZE(ufd_ioctls); i++) {
		TH_LOG("%s", ufd_ioctls[i].name);
		UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, ufd_ioctls[i].cmd, NULL));
	}
	UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, IOMMU_TEST_CMD, NULL));
}

TEST_F(dispatch, argument_in_unmapped_memory)
{
	unsigned char *pages = ufd_mmap(2 * ufd_psize, PROT_READ | PROT_WRITE);
	struct iommu_destroy *cmd;

	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, mprotect(pages + ufd_psize, ufd_psize, PROT_NONE));

	/* Whole argument inaccessible. */
	UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, IOMMU_DESTROY, pages + ufd_psize));

	/* The size word is readable, the rest of the struct is not. */
	cmd = (struct iommu_destroy *)(pages + ufd_psize - sizeof(__u32));
	cmd->size = sizeof(*cmd);
	UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, IOMMU_DESTROY, cmd));

	/* A struct that fits, claiming a zero tail that runs off the page. */
	cmd = (struct iommu_destroy *)(pages + ufd_psize - sizeof(*cmd));
	cmd->size = sizeof(*cmd) + 16;
	cmd->id = 0;
	UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, IOMMU_DESTROY, cmd));
	/* The same struct with its true size reaches the handler. */
	cmd->size = sizeof(*cmd);
	UFD_EXPECT_ERRNO(ENOENT, ufd_ioctl(self->fd, IOMMU_DESTROY, cmd));

	ASSERT_EQ(0, munmap(pages, 2 * ufd_psize));
}

TEST_F(dispatch, unknown_numbers)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd) };

	/* Below the iommufd range: handed to VFIO compat, which does not know it. */
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd, _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE - 1),
					   &cmd));
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd, _IO(IOMMUFD_TYPE, 0), &cmd));
	/* Past every table. */
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd, _IO(IOMMUFD_TYPE, 0xff), &cmd));
	/* A hole inside the table (no upstream ioctl uses this number). */
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd, _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 31),
					   &cmd));
}

TEST_F(dispatch, exact_command_encoding)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd) };

	/* The right number with another type or direction is another ioctl. */
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd, _IO('x', IOMMUFD_CMD_DESTROY), &cmd));
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd,
					   _IOW(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY,
						struct iommu_destroy),
					   &cmd));
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd,
					   _IOWR(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC,
						 struct iommu_ioas_alloc),
					   &cmd));
	/*
	 * In the table's range the size word is fetched first, so a bad
	 * pointer wins over a bad encoding.
	 */
	UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, _IO('x', IOMMUFD_CMD_DESTROY), NULL));
}

TEST_F(dispatch, size_below_minimum)
{
	unsigned int i;

	for (i = 0; i != ARRAY_SIZE(ufd_ioctls); i++) {
		const struct ufd_ioctl_desc *d = &ufd_ioctls[i];

		TH_LOG("%s min %zu", d->name, d->min_size);
		memset(&ufd_raw, 0, sizeof(ufd_raw));
		/* Even with a non-zero byte right after, short is short. */
		ufd_raw.bytes[d->size] = 0xff;
		EXPECT_EQ(EINVAL, ufd_raw_ioctl(self->fd, d->cmd, 0));
		EXPECT_EQ(EINVAL, ufd_raw_ioctl(self->fd, d->cmd, sizeof(__u32)));
		EXPECT_EQ(EINVAL, ufd_raw_ioctl(self->fd, d->cmd, d->min_size - 1));
	}
}

TEST_F(dispatch, nonzero_tail_rejected)
{
	unsigned int i;

	for (i = 0; i != ARRAY_SIZE(ufd_ioctls); i++) {
		const struct ufd_ioctl_desc *d = &ufd_ioctls[i];

		TH_LOG("%s", d->name);
		memset(&ufd_raw, 0, sizeof(ufd_raw));
		ufd_raw.bytes[d->size] = 1;
		EXPECT_EQ(E2BIG, ufd_raw_ioctl(self->fd, d->cmd, d->size + 1));
		EXPECT_EQ(E2BIG, ufd_raw_ioctl(self->fd, d->cmd, d->size + 8));
		/* Anywhere in the tail counts. */
		ufd_raw.bytes[d->size] = 0;
		ufd_raw.bytes[sizeof(ufd_raw) - 1] = 0x80;
		EXPECT_EQ(E2BIG, ufd_raw_ioctl(self->fd, d->cmd, sizeof(ufd_raw)));
	}
}

TEST_F(dispatch, zero_tail_accepted)
{
	unsigned int i;

	/* A newer userspace passing a longer, zero-filled struct is fine. */
	for (i = 0; i != ARRAY_SIZE(ufd_ioctls); i++) {
		const struct ufd_ioctl_desc *d = &ufd_ioctls[i];
		int fd = ufd_open();
		int exact;

		TH_LOG("%s", d->name);
		ASSERT_LE(0, fd);
		memset(&ufd_raw, 0, sizeof(ufd_raw));
		exact = ufd_raw_ioctl(fd, d->cmd, d->size);
		if (d->zero_errno != -1) {
			EXPECT_EQ(d->zero_errno, exact);
		}

		memset(&ufd_raw, 0, sizeof(ufd_raw));
		EXPECT_EQ(exact, ufd_raw_ioctl(fd, d->cmd, d->size + 1));
		memset(&ufd_raw, 0, sizeof(ufd_raw));
		EXPECT_EQ(exact, ufd_raw_ioctl(fd, d->cmd, sizeof(ufd_raw)));
		EXPECT_EQ(0, ufd_close(fd));
	}
}

TEST_F(dispatch, reply_stays_within_size)
{
	struct {
		struct iommu_ioas_alloc cmd;
		unsigned char tail[24];
	} arg;
	__u32 first;

	/* Only the bytes the caller declared are written back. */
	memset(&arg, 0xaa, sizeof(arg));
	memset(&arg.cmd, 0, sizeof(arg.cmd));
	arg.cmd.size = sizeof(arg.cmd);
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_IOAS_ALLOC, &arg));
	EXPECT_NE(0, arg.cmd.out_ioas_id);
	EXPECT_TRUE(ufd_all_bytes(arg.tail, 0xaa, sizeof(arg.tail)));
	first = arg.cmd.out_ioas_id;

	/* A longer struct: the zero tail is neither checked as data nor written. */
	memset(&arg, 0, sizeof(arg));
	arg.cmd.size = sizeof(arg.cmd) + 8;
	memset(arg.tail + 8, 0xaa, sizeof(arg.tail) - 8);
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_IOAS_ALLOC, &arg));
	EXPECT_NE(first, arg.cmd.out_ioas_id);
	EXPECT_TRUE(ufd_all_bytes(arg.tail, 0, 8));
	EXPECT_TRUE(ufd_all_bytes(arg.tail + 8, 0xaa, sizeof(arg.tail) - 8));
}

TEST_F(dispatch, bad_file_descriptor)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd) };
	int fd = ufd_open();

	ASSERT_LE(0, fd);
	UFD_EXPECT_ERRNO(EBADF, ufd_ioctl(-1, IOMMU_DESTROY, &cmd));
	ASSERT_EQ(0, ufd_close(fd));
	/* A closed iommufd is gone, whatever number it had. */
	UFD_EXPECT_ERRNO(EBADF, ufd_ioctl(fd, IOMMU_DESTROY, &cmd));
	UFD_EXPECT_ERRNO(EBADF, ufd_close(fd));
}

TEST_F(dispatch, ioas_alloc_flags)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
	cmd.flags = 1U << 31;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
	/* Nothing was created by the failed calls. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, 1));
}

TEST_F(dispatch, object_ids)
{
	__u32 ids[64];
	unsigned int i, j;

	for (i = 0; i != ARRAY_SIZE(ids); i++) {
		ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ids[i]));
		ASSERT_NE(0, ids[i]);
		for (j = 0; j != i; j++) {
			ASSERT_NE(ids[j], ids[i]);
		}
	}
	/* Destroy is exactly once per object. */
	for (i = 0; i < ARRAY_SIZE(ids); i += 2) {
		ASSERT_EQ(0, ufd_destroy(self->fd, ids[i]));
	}
	for (i = 0; i < ARRAY_SIZE(ids); i += 2)
		UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, ids[i]));
	/* The other half is left for close() to free. */
}

TEST_F(dispatch, ids_are_per_file)
{
	__u32 mine, theirs;
	int other = ufd_open();

	ASSERT_LE(0, other);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &mine));
	ASSERT_EQ(0, ufd_ioas_alloc(other, &theirs));
	/* Each file has its own ID space: the same number may exist in both. */
	if (mine != theirs)
		UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(other, mine));
	ASSERT_EQ(0, ufd_destroy(other, theirs));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(other, theirs));
	ASSERT_EQ(0, ufd_destroy(self->fd, mine));
	EXPECT_EQ(0, ufd_close(other));
}

TEST_F(dispatch, close_frees_many_objects)
{
	__u32 id;
	unsigned int i;

	for (i = 0; i != 1000; i++) {
		ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &id));
	}
}

TEST_F(dispatch, rlimit_mode_option)
{
	__u64 val;
	__u32 ioas_id;

	if (!ufd_has_capability(CAP_SYS_RESOURCE))
		SKIP(return, "setting the mode needs CAP_SYS_RESOURCE");
	val = 1;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0,
				&val));
	EXPECT_EQ(0, val);

	val = 1;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
				&val));
	val = 0;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0,
				&val));
	EXPECT_EQ(1, val);

	val = 2;
	UFD_EXPECT_ERRNO(EINVAL, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE,
					    IOMMU_OPTION_OP_SET, 0, &val));
	/* The failed set changed nothing. */
	val = 0;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0,
				&val));
	EXPECT_EQ(1, val);

	/* A context-wide option takes no object. */
	val = 0;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE,
						IOMMU_OPTION_OP_SET, 1, &val));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE,
						IOMMU_OPTION_OP_GET, 1, &val));
	/* Neither get nor set. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, 2, 0,
						&val));

	val = 0;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
				&val));

	/* Once any object exists the mode is frozen; reading still works. */
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas_id));
	val = 1;
	UFD_EXPECT_ERRNO(EBUSY, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE,
					   IOMMU_OPTION_OP_SET, 0, &val));
	val = 7;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0,
				&val));
	EXPECT_EQ(0, val);
	/* Empty again: settable again. */
	ASSERT_EQ(0, ufd_destroy(self->fd, ioas_id));
	val = 1;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
				&val));
}

TEST_F(dispatch, rlimit_mode_needs_cap_sys_resource)
{
	__u64 val = 1;

	ASSERT_EQ(0, ufd_drop_capability(CAP_SYS_RESOURCE));
	UFD_EXPECT_ERRNO(EPERM, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE,
					   IOMMU_OPTION_OP_SET, 0, &val));
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0,
				&val));
	EXPECT_EQ(0, val);
}

TEST_F(dispatch, option_argument_checks)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.__reserved = 1,
	};
	__u64 val = 0;

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.__reserved = 0;
	cmd.option_id = 99;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_OPTION, &cmd));

	/* HUGE_PAGES is per IOAS: no object, no option. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					    IOMMU_OPTION_OP_GET, 0, &val));
	UFD_EXPECT_ERRNO(ENOENT, ufd_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					    IOMMU_OPTION_OP_SET, 0, &val));
	UFD_EXPECT_ERRNO(ENOENT, ufd_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					    IOMMU_OPTION_OP_GET, 1234, &val));
}

TEST_F(dispatch, test_cmd_unknown_op)
{
	struct iommu_test_cmd cmd = { .op = 0 };

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_test_cmd(self->fd, &cmd));
	cmd.op = 0xffff;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_test_cmd(self->fd, &cmd));
	/* The temporary memory limit has a floor. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_set_temp_memory_limit(self->fd, 1));
	ASSERT_EQ(0, ufd_set_temp_memory_limit(self->fd, UFD_DEFAULT_MEMORY_LIMIT));
}

TEST_HARNESS_MAIN
