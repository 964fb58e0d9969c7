// SPDX-License-Identifier: GPL-2.0
/*
 * Accesses: the in-kernel users of an IOAS that reach its memory with the
 * CPU instead of DMA (emulated devices, mdev). The mock driver exposes one
 * as a file: CREATE_ACCESS returns its fd, ACCESS_PAGES pins through it,
 * ACCESS_RW copies through it, and an unmap of pinned IOVA makes the
 * kernel ask the access to let go (the pin disappears).
 */
#include "uiommufd_utils.h"

FIXTURE(access)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	unsigned int domains;
	__u32 stdev_id;
	__u32 hwpt_id;
	__u64 base;
};

FIXTURE_VARIANT(access)
{
	unsigned int domains;
};

FIXTURE_VARIANT_ADD(access, no_domain)
{
	.domains = 0,
};

FIXTURE_VARIANT_ADD(access, one_domain)
{
	.domains = 1,
};

FIXTURE_SETUP(access)
{
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	self->domains = variant->domains;
	if (variant->domains) {
		ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id,
					     &self->hwpt_id, NULL));
	}
	self->base = MOCK_APERTURE_START;
}

FIXTURE_TEARDOWN(access)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

/* The access pins pages (needs_pin_pages), like mdev drivers do. */
#define PIN MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES

TEST_F(access, create_and_close)
{
	int afd, pin_afd;

	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, 0, &afd));
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &pin_afd));
	ASSERT_LE(0, pin_afd);
	EXPECT_NE(afd, pin_afd);
	/* An access keeps its IOAS... */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->ioas_id));
	EXPECT_EQ(0, ufd_close(afd));
	EXPECT_EQ(0, ufd_close(pin_afd));
	/* ...until it is closed. */
	if (!self->domains) {
		ASSERT_EQ(0, ufd_destroy(self->fd, self->ioas_id));
	}
}

TEST_F(access, create_errors)
{
	int afd = -1;

	UFD_EXPECT_ERRNO(ENOENT, ufd_access_create(self->fd, 0, 0, &afd));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_create(self->fd, self->ioas_id + 1000, PIN, &afd));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_access_create(self->fd, self->ioas_id, 1U << 1, &afd));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_access_create(self->fd, self->ioas_id, 1U << 31, &afd));
	if (self->domains)
		UFD_EXPECT_ERRNO(ENOENT, ufd_access_create(self->fd, self->hwpt_id, 0, &afd));
	EXPECT_EQ(-1, afd);
}

TEST_F(access, iommufd_outlives_close_while_access_open)
{
	int afd;

	/* The access holds the iommufd context: closing the fd is not the end. */
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, self->base));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, ufd_psize, ufd_buf, 0, NULL));
	EXPECT_EQ(0, ufd_close(self->fd));
	self->fd = -1;
	/* Closing the access releases the pin and then the context. */
	EXPECT_EQ(0, ufd_close(afd));
}

TEST_F(access, pin_and_unpin)
{
	unsigned int npages;
	int afd;

	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));
	for (npages = 1; npages < ufd_buf_size / ufd_psize; npages++) {
		__u64 length = npages * ufd_psize;
		__u32 item, item2, stdev, hwpt;

		ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size,
					   self->base));
		/* Once. */
		ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, length, ufd_buf, 0,
					    &item));
		ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, length, 1));
		ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item));
		ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, length, self->domains ? 1 : 0));

		/* Twice over the same range: still one pin of each page. */
		ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, length, ufd_buf, 0,
					    &item));
		ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, length, ufd_buf,
					    MOCK_FLAGS_ACCESS_WRITE, &item2));
		EXPECT_NE(item, item2);
		ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, length, 1));
		ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item2));
		ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item));

		/* A domain arriving and leaving while pinned. */
		ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, length, ufd_buf, 0,
					    &item));
		ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &stdev, &hwpt, NULL));
		ASSERT_EQ(0, ufd_check_map(self->fd, hwpt, self->base, ufd_buf_size, ufd_buf));
		ASSERT_EQ(0, ufd_destroy(self->fd, stdev));
		ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, length, 1));
		ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item));

		ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, self->base, ufd_buf_size, NULL));
		ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
	}
	EXPECT_EQ(0, ufd_close(afd));
}

TEST_F(access, pin_errors)
{
	char *ro = ufd_mmap(ufd_psize, PROT_READ);
	int afd, rw_afd;
	__u64 iova;
	__u32 item;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, 0, &rw_afd));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 4 * ufd_psize, self->base));

	/* An access created without NEEDS_PIN_PAGES cannot pin. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_access_pin(self->fd, rw_afd, self->base, ufd_psize,
						    NULL, 0, &item));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_access_pin(self->fd, afd, self->base, ufd_psize, NULL,
						    1U << 3, &item));
	UFD_EXPECT_ERRNO(EINVAL, ufd_access_pin(self->fd, afd, self->base, 0, NULL, 0, &item));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_access_pin(self->fd, afd, (__u64)0 - ufd_psize,
						   2 * ufd_psize, NULL, 0, &item));
	/* The mock refuses huge pin requests outright. */
	UFD_EXPECT_ERRNO(ENOMEM, ufd_access_pin(self->fd, afd, self->base, 32ULL << 20, NULL, 0,
						&item));

	/* The whole range must be mapped. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_pin(self->fd, afd, self->base + 8 * ufd_psize,
						ufd_psize, NULL, 0, &item));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_pin(self->fd, afd, self->base + 2 * ufd_psize,
						4 * ufd_psize, NULL, 0, &item));
	/* The kernel checks the pinned pages are the ones behind uptr. */
	UFD_EXPECT_ERRNO(EBADE, ufd_access_pin(self->fd, afd, self->base, ufd_psize,
					       (char *)ufd_buf + ufd_psize, 0, &item));

	/* Permissions of the mapping apply. */
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ro, ufd_psize, &iova,
			     IOMMU_IOAS_MAP_READABLE));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, iova, ufd_psize, ro, 0, &item));
	ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item));
	UFD_EXPECT_ERRNO(EPERM, ufd_access_pin(self->fd, afd, iova, ufd_psize, ro,
					       MOCK_FLAGS_ACCESS_WRITE, &item));
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova,
			     IOMMU_IOAS_MAP_WRITEABLE));
	UFD_EXPECT_ERRNO(EPERM, ufd_access_pin(self->fd, afd, iova, ufd_psize, NULL, 0, &item));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, iova, ufd_psize, NULL,
				    MOCK_FLAGS_ACCESS_WRITE, &item));
	ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item));

	/* The access is named by its fd; anything else is not an access. */
	UFD_EXPECT_ERRNO(EBADFD, ufd_access_pin(self->fd, -1, self->base, ufd_psize, NULL, 0,
						&item));
	UFD_EXPECT_ERRNO(EBADFD, ufd_access_pin(self->fd, self->fd, self->base, ufd_psize, NULL,
						0, &item));
	UFD_EXPECT_ERRNO(EBADFD, ufd_access_unpin(self->fd, -1, 0));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_unpin(self->fd, afd, 12345));

	EXPECT_EQ(0, ufd_close(rw_afd));
	EXPECT_EQ(0, ufd_close(afd));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	ASSERT_EQ(0, munmap(ro, ufd_psize));
}

TEST_F(access, pinning_access_needs_page_alignment)
{
	__u32 ioas2;
	int afd;

	/* A pinning access raises the IOAS alignment to whole CPU pages... */
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id,
					       (char *)ufd_buf + MOCK_PAGE_SIZE, MOCK_PAGE_SIZE,
					       self->base + MOCK_PAGE_SIZE));
	EXPECT_EQ(0, ufd_close(afd));
	/* ...and gives it back when it goes. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, (char *)ufd_buf + MOCK_PAGE_SIZE,
				   MOCK_PAGE_SIZE, self->base + MOCK_PAGE_SIZE));

	/* It cannot join an IOAS that already has a sub-page mapping. */
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));

	/* A non-pinning access does not care. */
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, 0, &afd));
	EXPECT_EQ(0, ufd_close(afd));

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ufd_access_create(self->fd, ioas2, PIN, &afd));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map(self->fd, ioas2, ufd_buf, MOCK_PAGE_SIZE, NULL,
					 UFD_MAP_RW));
	EXPECT_EQ(0, ufd_close(afd));
}

TEST_F(access, unmap_releases_pins)
{
	__u64 unmapped;
	__u32 item, item2;
	int afd;

	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, self->base));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, ufd_buf_size, ufd_buf, 0, &item));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base + ufd_psize, ufd_psize,
				    (char *)ufd_buf + ufd_psize, 0, &item2));

	/* Unmap asks the access to unpin, then succeeds. */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, self->base, ufd_buf_size, &unmapped));
	EXPECT_EQ(ufd_buf_size, unmapped);
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_unpin(self->fd, afd, item));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_unpin(self->fd, afd, item2));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));

	/* The same through unmap-all, and pins outside the range stay. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, self->base));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, (char *)ufd_buf + ufd_psize,
				   ufd_psize, self->base + 4 * ufd_psize));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, ufd_psize, ufd_buf, 0, &item));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base + 4 * ufd_psize, ufd_psize,
				    (char *)ufd_buf + ufd_psize, 0, &item2));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, self->base, ufd_psize, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_unpin(self->fd, afd, item));
	ASSERT_EQ(0, ufd_check_refs(self->fd, (char *)ufd_buf + ufd_psize, ufd_psize, 1));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(ufd_psize, unmapped);
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_unpin(self->fd, afd, item2));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
	EXPECT_EQ(0, ufd_close(afd));
}

TEST_F(access, domain_leaves_while_pinned)
{
	__u32 item;
	int afd;

	if (!self->domains)
		SKIP(return, "needs a domain");
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, self->base));
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base + ufd_psize, ufd_psize,
				    (char *)ufd_buf + ufd_psize, 0, &item));
	/* The domain held the pins; now the access alone keeps its page. */
	ASSERT_EQ(0, ufd_destroy(self->fd, self->stdev_id));
	ASSERT_EQ(0, ufd_check_refs(self->fd, (char *)ufd_buf + ufd_psize, ufd_psize, 1));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_psize, 0));
	ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
	EXPECT_EQ(0, ufd_close(afd));
}

/* Sweep small reads and writes around a page boundary of [iova, +buf_size). */
static void check_rw(struct __test_metadata *_metadata, int fd, int afd, __u64 iova,
		     void *mem, __u32 flags)
{
	unsigned char tmp[64];
	unsigned char *bytes = mem;
	__u64 at, len;
	void *whole;
	size_t i;

	for (i = 0; i != ufd_buf_size; i++)
		bytes[i] = (unsigned char)rand();

	for (at = iova + ufd_psize - 24; at < iova + ufd_psize + 24; at++) {
		for (len = 1; len < 40; len += 3) {
			ASSERT_EQ(0, ufd_access_rw(fd, afd, at, tmp, len, flags));
			ASSERT_EQ(0, memcmp(bytes + (at - iova), tmp, len));

			for (i = 0; i != len; i++)
				tmp[i] = (unsigned char)rand();
			ASSERT_EQ(0, ufd_access_rw(fd, afd, at, tmp, len,
						   flags | MOCK_ACCESS_RW_WRITE));
			ASSERT_EQ(0, memcmp(bytes + (at - iova), tmp, len));
		}
	}

	/* All of it in one go. */
	whole = malloc(ufd_buf_size);
	ASSERT_NE(NULL, whole);
	ASSERT_EQ(0, ufd_access_rw(fd, afd, iova, whole, ufd_buf_size, flags));
	ASSERT_EQ(0, memcmp(mem, whole, ufd_buf_size));
	memset(whole, 0x3c, ufd_buf_size);
	ASSERT_EQ(0, ufd_access_rw(fd, afd, iova, whole, ufd_buf_size,
				   flags | MOCK_ACCESS_RW_WRITE));
	ASSERT_TRUE(ufd_all_bytes(mem, 0x3c, ufd_buf_size));
	free(whole);
}

TEST_F(access, read_write)
{
	__u64 iova;
	int afd;

	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, 0, &afd));
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, &iova, UFD_MAP_RW));
	check_rw(_metadata, self->fd, afd, iova, ufd_buf, 0);
	check_rw(_metadata, self->fd, afd, iova, ufd_buf, MOCK_ACCESS_RW_SLOW_PATH);
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, ufd_buf_size, NULL));
	EXPECT_EQ(0, ufd_close(afd));
}

TEST_F(access, read_write_half_page_offset)
{
	__u64 iova = self->base + MOCK_PAGE_SIZE;
	int afd;

	/* IOVA and memory disagree on where a page starts. */
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, 0, &afd));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, iova));
	check_rw(_metadata, self->fd, afd, iova, ufd_buf, 0);
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, ufd_buf_size, NULL));
	EXPECT_EQ(0, ufd_close(afd));
}

TEST_F(access, read_write_file)
{
	__u64 iova;
	int afd;

	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, 0, &afd));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_buf_size, &iova,
				  UFD_MAP_RW));
	check_rw(_metadata, self->fd, afd, iova, ufd_mfd_buf, 0);
	check_rw(_metadata, self->fd, afd, iova, ufd_mfd_buf, MOCK_ACCESS_RW_SLOW_PATH);
	EXPECT_EQ(0, ufd_close(afd));
}

TEST_F(access, read_write_errors)
{
	unsigned char tmp[16] = {};
	char *pages = ufd_mmap(2 * ufd_psize, PROT_READ | PROT_WRITE);
	char *hole = pages + ufd_psize;
	__u64 ro_iova, wo_iova;
	int afd;

	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, mprotect(hole, ufd_psize, PROT_NONE));
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, 0, &afd));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize, self->base));

	UFD_EXPECT_ERRNO(EINVAL, ufd_access_rw(self->fd, afd, self->base, tmp, 0, 0));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_access_rw(self->fd, afd, UINT64_MAX, tmp, 2, 0));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_access_rw(self->fd, afd, self->base, tmp, 1, 1U << 1));
	UFD_EXPECT_ERRNO(ENOMEM, ufd_access_rw(self->fd, afd, self->base, tmp, 32ULL << 20, 0));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_rw(self->fd, afd, self->base + 4 * ufd_psize, tmp,
					       1, 0));
	/* Runs off the end of the area into nothing. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_rw(self->fd, afd, self->base + 2 * ufd_psize - 4, tmp,
					       8, 0));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_rw(self->fd, afd, self->base + 2 * ufd_psize - 4, tmp,
					       8, MOCK_ACCESS_RW_WRITE));

	/* The user buffer on the other side must be usable. */
	UFD_EXPECT_ERRNO(EFAULT, ufd_access_rw(self->fd, afd, self->base, hole, 8,
					       MOCK_ACCESS_RW_WRITE));
	UFD_EXPECT_ERRNO(EFAULT, ufd_access_rw(self->fd, afd, self->base, hole, 8, 0));
	UFD_EXPECT_ERRNO(EFAULT, ufd_access_rw(self->fd, afd, self->base, hole - 4, 8, 0));

	/* The mapping's permissions apply to CPU access too. */
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &ro_iova,
			     IOMMU_IOAS_MAP_READABLE));
	ASSERT_EQ(0, ufd_access_rw(self->fd, afd, ro_iova, tmp, sizeof(tmp), 0));
	UFD_EXPECT_ERRNO(EPERM, ufd_access_rw(self->fd, afd, ro_iova, tmp, sizeof(tmp),
					      MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &wo_iova,
			     IOMMU_IOAS_MAP_WRITEABLE));
	UFD_EXPECT_ERRNO(EPERM, ufd_access_rw(self->fd, afd, wo_iova, tmp, sizeof(tmp), 0));
	ASSERT_EQ(0, ufd_access_rw(self->fd, afd, wo_iova, tmp, sizeof(tmp),
				   MOCK_ACCESS_RW_WRITE));

	UFD_EXPECT_ERRNO(EBADFD, ufd_access_rw(self->fd, -1, self->base, tmp, 1, 0));
	UFD_EXPECT_ERRNO(EBADFD, ufd_access_rw(self->fd, self->fd, self->base, tmp, 1, 0));
	EXPECT_EQ(0, ufd_close(afd));
	ASSERT_EQ(0, munmap(pages, 2 * ufd_psize));
}

TEST_F(access, replace_ioas)
{
	__u32 ioas2, item;
	__u64 iova2;
	int afd;

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, self->base));
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, ufd_psize, ufd_buf, 0, &item));

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ufd_map_file(self->fd, ioas2, ufd_mfd, 0, ufd_buf_size, &iova2,
				  UFD_MAP_RW));
	/* Same IOAS: nothing happens, the pin stays. */
	ASSERT_EQ(0, ufd_access_replace(self->fd, afd, self->ioas_id));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_psize, 1));

	UFD_EXPECT_ERRNO(ENOENT, ufd_access_replace(self->fd, afd, 0));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_replace(self->fd, afd, ioas2 + 1000));
	if (self->domains)
		UFD_EXPECT_ERRNO(ENOENT, ufd_access_replace(self->fd, afd, self->hwpt_id));
	UFD_EXPECT_ERRNO(EBADFD, ufd_access_replace(self->fd, -1, ioas2));
	/* Failed replaces kept the old IOAS and its pin. */
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_psize, 1));

	/* Moving away unpins everything pinned through the old IOAS. */
	ASSERT_EQ(0, ufd_access_replace(self->fd, afd, ioas2));
	UFD_EXPECT_ERRNO(ENOENT, ufd_access_unpin(self->fd, afd, item));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_psize, self->domains ? 1 : 0));
	if (!self->domains) {
		ASSERT_EQ(0, ufd_destroy(self->fd, self->ioas_id));
	}
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, ioas2));

	/* And the new IOAS works through the access. */
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, iova2, ufd_psize, ufd_mfd_buf, 0, &item));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_mfd_buf, ufd_psize, 1));
	EXPECT_EQ(0, ufd_close(afd));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_mfd_buf, ufd_psize, 0));
	ASSERT_EQ(0, ufd_destroy(self->fd, ioas2));
}

TEST_F(access, copy_from_pinned_ioas)
{
	__u32 src_ioas, item;
	__u64 src_iova, dst = MOCK_APERTURE_START;
	int afd;

	/* Pages pinned for an access in one IOAS feed a copy into another. */
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &src_ioas));
	ASSERT_EQ(0, ufd_map(self->fd, src_ioas, ufd_buf, ufd_buf_size, &src_iova, UFD_MAP_RW));
	ASSERT_EQ(0, ufd_access_create(self->fd, src_ioas, PIN, &afd));
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, src_iova, ufd_buf_size, ufd_buf, 0, &item));
	ASSERT_EQ(0, ufd_copy(self->fd, self->ioas_id, &dst, src_ioas, src_iova, ufd_buf_size,
			      UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	if (self->domains) {
		ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, dst, ufd_buf_size, ufd_buf));
	}
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 1));
	ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item));
	EXPECT_EQ(0, ufd_close(afd));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, self->domains ? 1 : 0));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, dst, ufd_buf_size, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, src_ioas));
}

TEST_HARNESS_MAIN

#ifdef UFD_USE_SYSCALLS
/*
 * Through the interposer /proc/PID/status reports the kernel side's
 * pinned_vm as VmPin, as a kernel does: the kernel's own selftests read it
 * (change_process). Only there: in-process the file is the host's.
 */
static long status_kib(const char *tag)
{
	char line[256];
	long val = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, tag, strlen(tag)))
			val = strtol(line + strlen(tag), NULL, 10);
	fclose(f);
	return val;
}

TEST_F(access, vm_pinned_in_proc_status)
{
	long before = status_kib("VmPin:");
	__u32 item;
	int afd;

	ASSERT_LE(0, before);
	ASSERT_EQ(0, ufd_access_create(self->fd, self->ioas_id, PIN, &afd));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, self->base));
	/* A domain pins the whole mapping at once; without one nothing is yet. */
	EXPECT_EQ(before + (self->domains ? (long)ufd_buf_size / 1024 : 0), status_kib("VmPin:"));
	/* The access's page is pinned once, whoever else holds it. */
	ASSERT_EQ(0, ufd_access_pin(self->fd, afd, self->base, ufd_psize, ufd_buf, 0, &item));
	EXPECT_EQ(before + (long)(self->domains ? ufd_buf_size : ufd_psize) / 1024,
		  status_kib("VmPin:"));
	ASSERT_EQ(0, ufd_access_unpin(self->fd, afd, item));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, self->base, ufd_buf_size, NULL));
	EXPECT_EQ(before, status_kib("VmPin:"));
	EXPECT_EQ(0, ufd_close(afd));
}
#endif
