// SPDX-License-Identifier: GPL-2.0
/*
 * dma-buf import: IOMMU_IOAS_MAP_FILE of a dma-buf fd, with the mock
 * exporter of IOMMU_TEST_OP_DMABUF_GET (a buffer of separate pages, so the
 * importer gets one physical range per page), IOMMU_TEST_OP_MD_CHECK_DMABUF
 * (the mock domain translates each IOVA to the matching byte of the
 * buffer) and IOMMU_TEST_OP_DMABUF_REVOKE (the exporter pulls the memory:
 * every domain is unmapped, new imports fail with ENODEV until it is
 * un-revoked, and pages already imported stay revoked).
 *
 * Variants run without a domain, with one mock domain, and with two mock
 * domains on the IOAS.
 */
#include "uiommufd_utils.h"

#include <linux/vfio.h>

#ifndef PAGE_SIZE
#define PAGE_SIZE 4096UL
#endif

static int mock_dmabuf_get(int fd, __u32 length, __u32 open_flags, int *out_fd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = length, .open_flags = open_flags },
	};
	int rc = ufd_test_cmd(fd, &cmd);

	if (rc < 0)
		return -1;
	*out_fd = rc;
	return 0;
}

static int mock_dmabuf_revoke(int fd, int dfd, bool revoked)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = dfd, .revoked = revoked },
	};

	return ufd_test_cmd(fd, &cmd);
}

static int mock_dmabuf_check(int fd, __u32 hwpt_id, int dfd, __u64 iova, __u64 length,
			__u64 offset)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_DMABUF,
		.id = hwpt_id,
		.check_dmabuf = {
			.dmabuf_fd = dfd,
			.iova = iova,
			.length = length,
			.offset = offset,
		},
	};

	return ufd_test_cmd(fd, &cmd);
}

FIXTURE(dmabuf)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id[2];
	__u32 hwpt_id[2];
	__u32 idev_id[2];
};

FIXTURE_VARIANT(dmabuf)
{
	unsigned int mock_domains;
};

FIXTURE_VARIANT_ADD(dmabuf, no_domain) { .mock_domains = 0 };
FIXTURE_VARIANT_ADD(dmabuf, one_domain) { .mock_domains = 1 };
FIXTURE_VARIANT_ADD(dmabuf, two_domains) { .mock_domains = 2 };

FIXTURE_SETUP(dmabuf)
{
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	for (unsigned int i = 0; i != variant->mock_domains; i++)
		ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id[i],
					     &self->hwpt_id[i], &self->idev_id[i]));
}

FIXTURE_TEARDOWN(dmabuf)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

/* MD_CHECK_DMABUF against every domain of the fixture. */
#define check_all(dfd, iova, length, offset)                                         \
	do {                                                                         \
		for (unsigned int __i = 0; __i != variant->mock_domains; __i++)       \
			ASSERT_EQ(0, mock_dmabuf_check(self->fd, self->hwpt_id[__i], dfd, \
						  iova, length, offset));            \
	} while (0)

/* ... and that none of [iova, iova + length) translates to the buffer. */
#define check_none(dfd, iova, length, offset)                                        \
	do {                                                                         \
		for (unsigned int __i = 0; __i != variant->mock_domains; __i++)       \
			for (__u64 __o = 0; __o < (length); __o += PAGE_SIZE)          \
				UFD_EXPECT_ERRNO(EINVAL,                               \
					mock_dmabuf_check(self->fd, self->hwpt_id[__i],     \
						     dfd, (iova) + __o, PAGE_SIZE,     \
						     (offset) + __o));                 \
	} while (0)

TEST_F(dmabuf, get_sizes)
{
	int dfd;
	int fl;

	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_get(self->fd, 0, O_CLOEXEC, &dfd));
	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_get(self->fd, PAGE_SIZE + 1, O_CLOEXEC, &dfd));
	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_get(self->fd, PAGE_SIZE / 2, O_CLOEXEC, &dfd));
	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_get(self->fd, PAGE_SIZE * 513, O_CLOEXEC, &dfd));

	ASSERT_EQ(0, mock_dmabuf_get(self->fd, PAGE_SIZE * 512, O_CLOEXEC, &dfd));
	ASSERT_LE(0, dfd);
	fl = fcntl(dfd, F_GETFD);
	ASSERT_LE(0, fl);
	EXPECT_TRUE(fl & FD_CLOEXEC);
	EXPECT_EQ(0, ufd_close(dfd));

	/* open_flags decide close-on-exec, as for dma_buf_fd() */
	ASSERT_EQ(0, mock_dmabuf_get(self->fd, PAGE_SIZE, 0, &dfd));
	fl = fcntl(dfd, F_GETFD);
	ASSERT_LE(0, fl);
	EXPECT_FALSE(fl & FD_CLOEXEC);
	EXPECT_EQ(0, ufd_close(dfd));
}

TEST_F(dmabuf, simple)
{
	size_t buf_size = PAGE_SIZE * 4;
	__u64 iova;
	int dfd;

	ASSERT_EQ(0, mock_dmabuf_get(self->fd, buf_size, O_CLOEXEC, &dfd));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, dfd, 0, 0, &iova,
					      UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, dfd, buf_size, buf_size,
					      &iova, UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size + 1,
					      &iova, UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, dfd, PAGE_SIZE, buf_size,
					      &iova, UFD_MAP_RW));
	/* start + length wraps */
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_map_file(self->fd, self->ioas_id, dfd, PAGE_SIZE,
						 ~0ULL - PAGE_SIZE + 2, &iova, UFD_MAP_RW));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova, UFD_MAP_RW));
	check_all(dfd, iova, buf_size, 0);
	/* read-only import too */
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova,
				  IOMMU_IOAS_MAP_READABLE));
	check_all(dfd, iova, buf_size, 0);
	EXPECT_EQ(0, ufd_close(dfd));
}

TEST_F(dmabuf, multi_page)
{
	__u64 iova, iova2;
	int dfd;

	/* one page */
	ASSERT_EQ(0, mock_dmabuf_get(self->fd, PAGE_SIZE, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, PAGE_SIZE, &iova,
				  UFD_MAP_RW));
	check_all(dfd, iova, PAGE_SIZE, 0);
	EXPECT_EQ(0, ufd_close(dfd));

	/* many pages: one physical range each */
	ASSERT_EQ(0, mock_dmabuf_get(self->fd, PAGE_SIZE * 64, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, PAGE_SIZE * 64, &iova,
				  UFD_MAP_RW));
	check_all(dfd, iova, PAGE_SIZE * 64, 0);
	EXPECT_EQ(0, ufd_close(dfd));

	/* a slice from the middle */
	ASSERT_EQ(0, mock_dmabuf_get(self->fd, PAGE_SIZE * 16, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, PAGE_SIZE * 4, PAGE_SIZE * 8,
				  &iova, UFD_MAP_RW));
	check_all(dfd, iova, PAGE_SIZE * 8, PAGE_SIZE * 4);
	EXPECT_EQ(0, ufd_close(dfd));

	/* two slices of one buffer */
	ASSERT_EQ(0, mock_dmabuf_get(self->fd, PAGE_SIZE * 16, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, PAGE_SIZE * 4, &iova,
				  UFD_MAP_RW));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, PAGE_SIZE * 8, PAGE_SIZE * 4,
				  &iova2, UFD_MAP_RW));
	check_all(dfd, iova, PAGE_SIZE * 4, 0);
	check_all(dfd, iova2, PAGE_SIZE * 4, PAGE_SIZE * 8);
	EXPECT_EQ(0, ufd_close(dfd));
}

TEST_F(dmabuf, revoke)
{
	size_t buf_size = PAGE_SIZE * 4;
	__u32 hwpt_id;
	__u64 iova, iova2;
	int dfd;

	ASSERT_EQ(0, mock_dmabuf_get(self->fd, buf_size, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova, UFD_MAP_RW));
	check_all(dfd, iova, buf_size, 0);
	ASSERT_EQ(0, mock_dmabuf_revoke(self->fd, dfd, true));
	/* every domain lost the mapping */
	check_none(dfd, iova, buf_size, 0);
	/* revoking twice is harmless */
	ASSERT_EQ(0, mock_dmabuf_revoke(self->fd, dfd, true));

	/* a new domain maps nothing of the revoked pages, and that is no error */
	if (variant->mock_domains) {
		ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id[0], self->ioas_id, 0,
					    &hwpt_id));
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, PAGE_SIZE, 0));
		ASSERT_EQ(0, ufd_destroy(self->fd, hwpt_id));
	}

	UFD_EXPECT_ERRNO(ENODEV, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova2,
					      UFD_MAP_RW));

	/* access restored: new imports work, the old one stays revoked */
	ASSERT_EQ(0, mock_dmabuf_revoke(self->fd, dfd, false));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova2,
				  UFD_MAP_RW));
	check_all(dfd, iova2, buf_size, 0);
	check_none(dfd, iova, buf_size, 0);

	/* put the IOVA back */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, buf_size, NULL));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova,
				  UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	check_all(dfd, iova, buf_size, 0);

	/* a revoke reaches every import of the buffer */
	ASSERT_EQ(0, mock_dmabuf_revoke(self->fd, dfd, true));
	check_none(dfd, iova, buf_size, 0);
	check_none(dfd, iova2, buf_size, 0);
	EXPECT_EQ(0, ufd_close(dfd));
}

/* Domains come and go on revoked and live imports. */
TEST_F(dmabuf, revoke_then_domains)
{
	size_t buf_size = PAGE_SIZE * 8;
	__u32 stdev_id, hwpt_id;
	__u64 iova;
	int dfd;

	ASSERT_EQ(0, mock_dmabuf_get(self->fd, buf_size, O_CLOEXEC, &dfd));
	/* inside the mock aperture, so mock domains can join later */
	iova = MOCK_APERTURE_START;
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova,
				  UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));

	/* a domain attached after the import gets it */
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &stdev_id, &hwpt_id, NULL));
	ASSERT_EQ(0, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, buf_size, 0));
	ASSERT_EQ(0, mock_dmabuf_revoke(self->fd, dfd, true));
	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, PAGE_SIZE, 0));

	/* detaching domains after the revoke unmaps nothing twice */
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev_id));
	for (unsigned int i = 0; i != variant->mock_domains; i++)
		ASSERT_EQ(0, ufd_destroy(self->fd, self->stdev_id[i]));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &stdev_id, &hwpt_id, NULL));
	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, PAGE_SIZE, 0));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, buf_size, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev_id));
	EXPECT_EQ(0, ufd_close(dfd));
}

/* The import holds the buffer: closing the fd changes nothing. */
TEST_F(dmabuf, close_while_mapped)
{
	size_t buf_size = PAGE_SIZE * 4;
	__u64 unmapped = 0;
	__u64 iova;
	int dfd;

	ASSERT_EQ(0, mock_dmabuf_get(self->fd, buf_size, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova, UFD_MAP_RW));
	EXPECT_EQ(0, ufd_close(dfd));
	for (unsigned int i = 0; i != variant->mock_domains; i++) {
		/* the descriptor is gone, so the check cannot name the buffer */
		struct iommu_test_cmd cmd = {
			.op = IOMMU_TEST_OP_MD_CHECK_DMABUF,
			.id = self->hwpt_id[i],
			.check_dmabuf = { .dmabuf_fd = dfd, .iova = iova, .length = PAGE_SIZE },
		};

		UFD_EXPECT_ERRNO(EBADF, ufd_test_cmd(self->fd, &cmd));
	}
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, buf_size, &unmapped));
	EXPECT_EQ(buf_size, unmapped);
}

/* IOAS_COPY shares the import; a revoke unmaps the copy too. */
TEST_F(dmabuf, copy)
{
	size_t buf_size = PAGE_SIZE * 4;
	__u32 ioas2, stdev_id, hwpt_id;
	__u64 iova, iova2;
	int dfd;

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, ioas2, 0, &stdev_id, &hwpt_id, NULL));
	ASSERT_EQ(0, mock_dmabuf_get(self->fd, buf_size, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova, UFD_MAP_RW));
	ASSERT_EQ(0, ufd_copy(self->fd, ioas2, &iova2, self->ioas_id, iova, buf_size,
			      UFD_MAP_RW));
	ASSERT_EQ(0, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova2, buf_size, 0));
	ASSERT_EQ(0, mock_dmabuf_revoke(self->fd, dfd, true));
	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova2, PAGE_SIZE, 0));
	check_none(dfd, iova, buf_size, 0);
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev_id));
	EXPECT_EQ(0, ufd_close(dfd));
}

/* No in-kernel access to dma-buf memory: pinning and CPU copies fail. */
TEST_F(dmabuf, access_refused)
{
	size_t buf_size = PAGE_SIZE * 2;
	char data[16] = {};
	int access_fd;
	__u64 iova;
	__u32 item;
	int dfd;

	ASSERT_EQ(0, mock_dmabuf_get(self->fd, buf_size, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova, UFD_MAP_RW));
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, &access_fd));
	UFD_EXPECT_ERRNO(EINVAL, ufd_access_pin(self->fd, access_fd, iova, PAGE_SIZE, NULL, 0,
						&item));
	UFD_EXPECT_ERRNO(EINVAL, ufd_access_rw(self->fd, access_fd, iova, data, sizeof(data), 0));
	UFD_EXPECT_ERRNO(EINVAL, ufd_access_rw(self->fd, access_fd, iova, data, sizeof(data),
					       MOCK_ACCESS_RW_SLOW_PATH));
	EXPECT_EQ(0, ufd_close(access_fd));
	EXPECT_EQ(0, ufd_close(dfd));
}

/* IOMMU_IOAS_CHANGE_PROCESS only moves memfd pages: a dma-buf import refuses it. */
TEST_F(dmabuf, change_process)
{
	__u64 iova;
	int dfd;

	ASSERT_EQ(0, mock_dmabuf_get(self->fd, PAGE_SIZE, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, PAGE_SIZE, &iova,
				  UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_change_process(self->fd));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, PAGE_SIZE, NULL));
	EXPECT_EQ(0, ufd_change_process(self->fd));
	EXPECT_EQ(0, ufd_close(dfd));
}

/*
 * VFIO type1 (v1) unmaps may cut areas in two; a dma-buf area is never cut
 * (its revoke tracking is per area), so a partial unmap of one fails and
 * leaves it whole, with upstream's EOPNOTSUPP (Documentation/core-dmabuf.md).
 * A whole-area unmap works.
 */
TEST_F(dmabuf, vfio_type1_no_split)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
	};
	struct iommu_vfio_ioas vio = {
		.size = sizeof(vio),
		.ioas_id = self->ioas_id,
		.op = IOMMU_VFIO_IOAS_SET,
	};
	size_t buf_size = PAGE_SIZE * 4;
	__u64 iova = MOCK_APERTURE_START;
	int dfd;

	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_VFIO_IOAS, &vio));
	ASSERT_EQ(0, ufd_ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	ASSERT_EQ(0, mock_dmabuf_get(self->fd, buf_size, O_CLOEXEC, &dfd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova,
				  UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));

	unmap.iova = iova + PAGE_SIZE;
	unmap.size = PAGE_SIZE;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	check_all(dfd, iova, buf_size, 0);

	unmap.iova = iova;
	unmap.size = buf_size;
	ASSERT_EQ(0, ufd_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	EXPECT_EQ(buf_size, unmap.size);
	EXPECT_EQ(0, ufd_close(dfd));
}

/* Bad descriptors and arguments of the three mock operations. */
TEST_F(dmabuf, bad_args)
{
	size_t buf_size = PAGE_SIZE * 4;
	__u64 iova = 0;
	void *p;
	int mfd;
	int dfd;

	UFD_EXPECT_ERRNO(EBADF, mock_dmabuf_revoke(self->fd, -1, true));
	/* a kernel file that is not a dma-buf */
	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_revoke(self->fd, self->fd, true));
	mfd = ufd_memfd(PAGE_SIZE, &p);
	ASSERT_LE(0, mfd);
	/* an open file that is not a dma-buf */
	UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_revoke(self->fd, mfd, true));

	ASSERT_EQ(0, mock_dmabuf_get(self->fd, buf_size, O_CLOEXEC, &dfd));
	if (variant->mock_domains) {
		__u32 hwpt_id = self->hwpt_id[0];

		ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, dfd, 0, buf_size, &iova,
					  UFD_MAP_RW));
		UFD_EXPECT_ERRNO(EBADF, mock_dmabuf_check(self->fd, hwpt_id, -1, iova, PAGE_SIZE, 0));
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, mfd, iova, PAGE_SIZE,
						      0));
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, self->fd, iova,
						      PAGE_SIZE, 0));
		/* unaligned IOVA, length or offset; beyond the buffer */
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova + 1,
						      PAGE_SIZE, 0));
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, 1, 0));
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, PAGE_SIZE, 1));
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova,
						      buf_size + PAGE_SIZE, 0));
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, PAGE_SIZE,
						      buf_size));
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, PAGE_SIZE,
						      ~0ULL - PAGE_SIZE + 1));
		/* the wrong bytes: offset 1 page against IOVA of page 0 */
		UFD_EXPECT_ERRNO(EINVAL, mock_dmabuf_check(self->fd, hwpt_id, dfd, iova, PAGE_SIZE,
						      PAGE_SIZE));
		/* not an HWPT of the mock */
		UFD_EXPECT_ERRNO(ENOENT, mock_dmabuf_check(self->fd, 0xdead, dfd, iova, PAGE_SIZE, 0));
		UFD_EXPECT_ERRNO(ENOENT, mock_dmabuf_check(self->fd, self->ioas_id, dfd, iova,
						      PAGE_SIZE, 0));
	}
	/* MAP_FILE of a bad fd */
	UFD_EXPECT_ERRNO(EBADF, ufd_map_file(self->fd, self->ioas_id, -1, 0, PAGE_SIZE, &iova,
					     UFD_MAP_RW));
	EXPECT_EQ(0, ufd_close(dfd));
	close(mfd);
	munmap(p, PAGE_SIZE);
}

TEST_HARNESS_MAIN
