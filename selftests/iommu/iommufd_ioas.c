// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAS family: IOAS_ALLOC, IOAS_MAP (fixed and automatic IOVA,
 * alignment, permissions, overlap), IOAS_MAP_FILE, IOAS_COPY, IOAS_UNMAP,
 * IOAS_IOVA_RANGES, IOAS_ALLOW_IOVAS, reserved ranges, the HUGE_PAGES
 * option, RLIMIT_MEMLOCK accounting and IOAS_CHANGE_PROCESS.
 *
 * Every test runs on an IOAS with no domain (nothing is pinned until
 * something needs the pages), with one or two mock domains attached
 * (mapping pins and fills each domain, the mock aperture and 2 KiB IOMMU
 * page apply), and with a tiny temporary-memory limit so the pinning code
 * works in many small batches.
 */
#include "uiommufd_utils.h"

FIXTURE(ioas)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	unsigned int domains;
	__u32 stdev_id[2];
	__u32 hwpt_id[2];
	__u32 idev_id[2];
	/* Lowest IOVA every variant can map at, and the IOAS alignment. */
	__u64 base;
	__u64 align;
};

FIXTURE_VARIANT(ioas)
{
	unsigned int domains;
	unsigned int memory_limit;
};

FIXTURE_VARIANT_ADD(ioas, no_domain)
{
	.domains = 0,
};

FIXTURE_VARIANT_ADD(ioas, one_domain)
{
	.domains = 1,
};

FIXTURE_VARIANT_ADD(ioas, two_domains)
{
	.domains = 2,
};

FIXTURE_VARIANT_ADD(ioas, small_batches)
{
	.domains = 1,
	.memory_limit = 16,
};

FIXTURE_SETUP(ioas)
{
	unsigned int i;

	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_NE(0, self->ioas_id);
	ASSERT_EQ(0, ufd_set_temp_memory_limit(self->fd, variant->memory_limit ?:
					       UFD_DEFAULT_MEMORY_LIMIT));
	self->domains = variant->domains;
	for (i = 0; i != variant->domains; i++) {
		ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id[i],
					     &self->hwpt_id[i], &self->idev_id[i]));
	}
	self->base = MOCK_APERTURE_START;
	self->align = variant->domains ? MOCK_PAGE_SIZE : 1;
}

FIXTURE_TEARDOWN(ioas)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

/* Every attached mock domain translates [iova, iova + length) to ptr. */
static void check_domains(struct __test_metadata *_metadata, FIXTURE_DATA(ioas) *self,
			  const void *ptr, __u64 iova, __u64 length)
{
	unsigned int i;

	for (i = 0; i != self->domains; i++) {
		ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id[i], iova, length, ptr));
	}
}

static __u64 lowest_set_bit(__u64 v)
{
	return v & -v;
}

TEST_F(ioas, destroy)
{
	if (self->domains) {
		/* The auto domain's HWPT holds the IOAS. */
		UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->ioas_id));
		return;
	}
	ASSERT_EQ(0, ufd_destroy(self->fd, self->ioas_id));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, self->ioas_id));
}

TEST_F(ioas, destroy_with_areas)
{
	unsigned int i;

	/* Mappings are not users: they go with the IOAS. */
	for (i = 0; i != 10; i++) {
		ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					   self->base + i * ufd_psize));
	}
	if (self->domains) {
		UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->ioas_id));
	} else {
		ASSERT_EQ(0, ufd_destroy(self->fd, self->ioas_id));
	}
}

TEST_F(ioas, areas_left_for_close)
{
	unsigned int i;

	for (i = 0; i != 32; i++) {
		ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size,
					   self->base + i * ufd_buf_size));
	}
	check_domains(_metadata, self, ufd_buf, self->base + 31 * ufd_buf_size, ufd_buf_size);
}

TEST_F(ioas, map_fixed)
{
	__u64 iova = self->base + ufd_buf_size;
	__u64 unmapped = 0;

	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, &iova,
			     UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	/* A fixed IOVA comes back unchanged. */
	EXPECT_EQ(self->base + ufd_buf_size, iova);
	check_domains(_metadata, self, ufd_buf, iova, ufd_buf_size);
	if (self->domains) {
		ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 1));
	} else {
		ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
	}

	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, ufd_buf_size, &unmapped));
	EXPECT_EQ(ufd_buf_size, unmapped);
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, iova, ufd_buf_size, NULL));
}

TEST_F(ioas, map_fixed_at_zero)
{
	/* IOVA 0 is a valid fixed IOVA where nothing reserves it. */
	if (self->domains) {
		UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf,
						       ufd_psize, 0));
	} else {
		ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, 0));
	}
}

TEST_F(ioas, map_auto_iova)
{
	__u64 iovas[16] = {};	/* ufd_map() passes *iova in: an IOVA >= ULONG_MAX is EOVERFLOW */
	unsigned int i;

	for (i = 0; i != ARRAY_SIZE(iovas); i++) {
		__u64 length = (i + 1) * ufd_psize;

		ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, length, &iovas[i],
				     UFD_MAP_RW));
		/* Never 0, and aligned like the (2 MiB aligned) buffer allows. */
		EXPECT_NE(0, iovas[i]);
		EXPECT_EQ(0, iovas[i] % lowest_set_bit(length));
		if (self->domains) {
			EXPECT_LE((__u64)MOCK_APERTURE_START, iovas[i]);
			EXPECT_GE((__u64)MOCK_APERTURE_LAST, iovas[i] + length - 1);
		}
		check_domains(_metadata, self, ufd_buf, iovas[i], length);
	}
	for (i = 0; i != ARRAY_SIZE(iovas); i++) {
		ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iovas[i], (i + 1) * ufd_psize,
				       NULL));
	}
}

TEST_F(ioas, map_auto_keeps_page_offset)
{
	__u64 iova;

	/* The offset into the first page survives into the IOVA. */
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, (char *)ufd_buf + MOCK_PAGE_SIZE,
			     MOCK_PAGE_SIZE, &iova, UFD_MAP_RW));
	EXPECT_EQ((__u64)MOCK_PAGE_SIZE, iova % ufd_psize);
	check_domains(_metadata, self, (char *)ufd_buf + MOCK_PAGE_SIZE, iova, MOCK_PAGE_SIZE);
}

TEST_F(ioas, map_every_length)
{
	__u64 length;
	__u64 iova;

	/* With a domain only whole IOMMU pages can be mapped. */
	for (length = 1; length != 2 * ufd_psize; length++) {
		if (self->domains && length % MOCK_PAGE_SIZE) {
			UFD_EXPECT_ERRNO(EINVAL, ufd_map(self->fd, self->ioas_id, ufd_buf,
							 length, &iova, UFD_MAP_RW));
			continue;
		}
		ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, length, &iova,
				     UFD_MAP_RW));
		ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, length, NULL));
	}
}

TEST_F(ioas, map_argument_errors)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = UFD_MAP_RW,
		.ioas_id = self->ioas_id,
		.user_va = (uintptr_t)ufd_buf,
		.length = ufd_psize,
	};
	__u64 iova = self->base;

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova,
					     UFD_MAP_RW | (1U << 3)));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova,
					     UFD_MAP_RW | (1U << 31)));
	cmd.__reserved = 1;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));

	/* A mapping nobody may read or write is refused. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova, 0));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova,
					 IOMMU_IOAS_MAP_FIXED_IOVA));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map(self->fd, self->ioas_id, ufd_buf, 0, &iova, UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 0, self->base));

	/* Values the kernel's unsigned long cannot hold past the last IOVA. */
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
						  UINT64_MAX));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_map(self->fd, self->ioas_id, ufd_buf, UINT64_MAX, &iova,
					    UFD_MAP_RW));
	/* A fixed range that wraps. */
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf,
						  2 * ufd_psize, (__u64)0 - ufd_psize));

	/* Flags are checked before the IOAS is looked up; then the IOAS. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_map(self->fd, 0, ufd_buf, ufd_psize, &iova, UFD_MAP_RW));
	UFD_EXPECT_ERRNO(ENOENT, ufd_map(self->fd, self->ioas_id + 1000, ufd_buf, ufd_psize,
					 &iova, UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map(self->fd, 0, ufd_buf, ufd_psize, &iova, 0));
	if (self->domains) {
		/* An HWPT is not an IOAS. */
		UFD_EXPECT_ERRNO(ENOENT, ufd_map(self->fd, self->hwpt_id[0], ufd_buf, ufd_psize,
						 &iova, UFD_MAP_RW));
	}

	/* None of that left anything behind. */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &iova));
	EXPECT_EQ(0, iova);
}

TEST_F(ioas, map_overlap)
{
	__u64 at = self->base + 16 * ufd_psize;

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize, at));

	UFD_EXPECT_ERRNO(EEXIST, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize,
					       at));
	UFD_EXPECT_ERRNO(EEXIST, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, at));
	UFD_EXPECT_ERRNO(EEXIST, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					       at + ufd_psize));
	UFD_EXPECT_ERRNO(EEXIST, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize,
					       at - ufd_psize));
	UFD_EXPECT_ERRNO(EEXIST, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 4 * ufd_psize,
					       at - ufd_psize));
	UFD_EXPECT_ERRNO(EEXIST, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, MOCK_PAGE_SIZE,
					       at + 2 * ufd_psize - MOCK_PAGE_SIZE));

	/* Touching on either side is not overlapping. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, at - ufd_psize));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
				   at + 2 * ufd_psize));
	check_domains(_metadata, self, ufd_buf, at - ufd_psize, ufd_psize);
	check_domains(_metadata, self, ufd_buf, at, 2 * ufd_psize);
}

TEST_F(ioas, map_misaligned)
{
	__u64 iova;

	if (!self->domains) {
		/* No domain: byte granular. */
		ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, (char *)ufd_buf + 1, 3,
					   self->base + 1));
		ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, (char *)ufd_buf + 5, 7, &iova,
				     UFD_MAP_RW));
		EXPECT_EQ(5, iova % ufd_psize);
		return;
	}
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					       self->base + 1));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					       self->base + MOCK_PAGE_SIZE / 2));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf,
					       MOCK_PAGE_SIZE + 1, self->base));
	/* The user address must agree with the IOVA within an IOMMU page. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, (char *)ufd_buf + 8,
					       MOCK_PAGE_SIZE, self->base));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map(self->fd, self->ioas_id, (char *)ufd_buf + 8,
					 MOCK_PAGE_SIZE, &iova, UFD_MAP_RW));
	/* Half-page granularity is what the mock IOMMU supports. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, (char *)ufd_buf + MOCK_PAGE_SIZE,
				   MOCK_PAGE_SIZE, self->base + MOCK_PAGE_SIZE));
	check_domains(_metadata, self, (char *)ufd_buf + MOCK_PAGE_SIZE,
		      self->base + MOCK_PAGE_SIZE, MOCK_PAGE_SIZE);
}

TEST_F(ioas, map_outside_aperture)
{
	if (!self->domains)
		SKIP(return, "no aperture without a domain");
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					       MOCK_APERTURE_START - ufd_psize));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize,
					       MOCK_APERTURE_START - ufd_psize));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					       (__u64)MOCK_APERTURE_LAST + 1));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize,
					       (__u64)MOCK_APERTURE_LAST + 1 - ufd_psize));
	/* The very last page of the aperture is fine. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
				   (__u64)MOCK_APERTURE_LAST + 1 - ufd_psize));
	check_domains(_metadata, self, ufd_buf, (__u64)MOCK_APERTURE_LAST + 1 - ufd_psize,
		      ufd_psize);
}

TEST_F(ioas, map_unmapped_memory)
{
	size_t length = 8 * ufd_psize;
	char *mem = ufd_mmap(length, PROT_READ | PROT_WRITE);
	__u64 iova;

	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, munmap(mem + length / 2, length / 2));
	if (self->domains) {
		/* Pinning for the domain meets the hole. */
		UFD_EXPECT_ERRNO(EFAULT, ufd_map(self->fd, self->ioas_id, mem, length, &iova,
						 UFD_MAP_RW));
		ASSERT_EQ(0, munmap(mem, length / 2));
		UFD_EXPECT_ERRNO(EFAULT, ufd_map(self->fd, self->ioas_id, mem, length, &iova,
						 UFD_MAP_RW));
		/* The failed maps left no area behind. */
		ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &iova));
		EXPECT_EQ(0, iova);
		return;
	}
	/* Without a domain nothing is pinned yet, so the map succeeds... */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, mem, length, self->base));
	/* ...and the fault shows up when a domain needs the pages. */
	UFD_EXPECT_ERRNO(EFAULT, ufd_mock_domain(self->fd, self->ioas_id, 0, NULL, NULL, NULL));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, self->base, length, NULL));
	ASSERT_EQ(0, munmap(mem, length / 2));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, NULL, NULL, NULL));
}

TEST_F(ioas, map_read_only_memory)
{
	char *mem = ufd_mmap(2 * ufd_psize, PROT_READ);
	__u64 iova = self->base;

	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, mem, 2 * ufd_psize, &iova,
			     IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA));
	check_domains(_metadata, self, mem, self->base, 2 * ufd_psize);

	iova = self->base + 4 * ufd_psize;
	if (self->domains) {
		/* A writable pin of read-only memory faults. */
		UFD_EXPECT_ERRNO(EFAULT, ufd_map(self->fd, self->ioas_id, mem, 2 * ufd_psize,
						 &iova, UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	} else {
		ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, mem, 2 * ufd_psize, &iova,
				     UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	}
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	ASSERT_EQ(0, munmap(mem, 2 * ufd_psize));
}

TEST_F(ioas, map_big_in_small_batches)
{
	size_t length = 256 * ufd_psize;
	char *mem = ufd_mmap(length, PROT_READ | PROT_WRITE);
	__u64 iova;

	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 1, length);
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, mem, length, &iova, UFD_MAP_RW));
	check_domains(_metadata, self, mem, iova, length);
	ASSERT_EQ(0, ufd_check_refs(self->fd, mem, length, self->domains ? 1 : 0));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, length, NULL));
	ASSERT_EQ(0, ufd_check_refs(self->fd, mem, length, 0));
	ASSERT_EQ(0, munmap(mem, length));
}

TEST_F(ioas, unmap_argument_errors)
{
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, self->base, ufd_psize, NULL));
	UFD_EXPECT_ERRNO(EINVAL, ufd_unmap(self->fd, self->ioas_id, self->base, 0, NULL));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_unmap(self->fd, self->ioas_id, UINT64_MAX, 1, NULL));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_unmap(self->fd, self->ioas_id, 1, UINT64_MAX, NULL));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_unmap(self->fd, self->ioas_id, 1ULL << 63,
					      (1ULL << 63) + 1, NULL));
	/* The IOAS is looked up before the range is judged. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, 0, self->base, 0, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id + 1000, 0, UINT64_MAX, NULL));
	if (self->domains)
		UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->hwpt_id[0], 0, UINT64_MAX,
						   NULL));
}

TEST_F(ioas, unmap_whole_areas_only)
{
	__u64 at = self->base + 16 * ufd_psize;
	__u64 unmapped;
	unsigned int i;

	for (i = 0; i != 10; i++)
		UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id,
						   self->base + i * ufd_psize, ufd_psize, NULL));

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize, at));
	/* Areas are never split. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, at, ufd_psize, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, at + ufd_psize, ufd_psize,
					   NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, at + ufd_psize,
					   4 * ufd_psize, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, at - ufd_psize,
					   2 * ufd_psize, NULL));
	check_domains(_metadata, self, ufd_buf, at, 2 * ufd_psize);

	/* A range that covers the area and more takes it out. */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, at - ufd_psize, 8 * ufd_psize,
			       &unmapped));
	EXPECT_EQ(2 * ufd_psize, unmapped);
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, at, 2 * ufd_psize, NULL));
}

TEST_F(ioas, unmap_many_areas)
{
	__u64 start = self->base + 4 * ufd_psize;
	__u64 unmapped;
	unsigned int i;

	/* Four 8-page areas with 8-page holes between them. */
	for (i = 0; i != 4; i++) {
		ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 8 * ufd_psize,
					   start + i * 16 * ufd_psize));
	}

	/* Partial at the front or the back: nothing goes. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, start - 4 * ufd_psize,
					   8 * ufd_psize, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id,
					   start + 3 * 16 * ufd_psize + 4 * ufd_psize,
					   8 * ufd_psize, NULL));
	/* Only holes: nothing to unmap. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_unmap(self->fd, self->ioas_id, start + 8 * ufd_psize,
					   8 * ufd_psize, NULL));

	/* Holes at the ends and between do not matter. */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, start - 4 * ufd_psize,
			       4 * ufd_psize + 3 * 16 * ufd_psize + 8 * ufd_psize + 4 * ufd_psize,
			       &unmapped));
	EXPECT_EQ(32 * ufd_psize, unmapped);
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
}

TEST_F(ioas, unmap_all)
{
	__u64 unmapped = 1;
	__u64 iova;

	/* Unmapping everything from an empty IOAS succeeds with 0 bytes. */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(0, unmapped);

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, self->base));
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, 3 * ufd_psize, &iova,
			     UFD_MAP_RW));
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, 2 * ufd_psize, &iova,
				  UFD_MAP_RW));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(ufd_buf_size + 5 * ufd_psize, unmapped);
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));

	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(0, unmapped);
}

TEST_F(ioas, iova_ranges)
{
	struct iommu_iova_range ranges[4];
	__u64 alignment = 0;
	__u32 num;

	memset(ranges, 0, sizeof(ranges));
	num = ARRAY_SIZE(ranges);
	ASSERT_EQ(0, ufd_iova_ranges(self->fd, self->ioas_id, ranges, &num, &alignment));
	ASSERT_EQ(1, num);
	if (self->domains) {
		EXPECT_EQ((__u64)MOCK_APERTURE_START, ranges[0].start);
		EXPECT_EQ((__u64)MOCK_APERTURE_LAST, ranges[0].last);
		EXPECT_EQ((__u64)MOCK_PAGE_SIZE, alignment);
	} else {
		EXPECT_EQ(0, ranges[0].start);
		EXPECT_EQ((__u64)SIZE_MAX, ranges[0].last);
		EXPECT_EQ(1, alignment);
	}

	/* No room: EMSGSIZE, the count anyway, and nothing written. */
	memset(ranges, 0, sizeof(ranges));
	num = 0;
	UFD_EXPECT_ERRNO(EMSGSIZE, ufd_iova_ranges(self->fd, self->ioas_id, ranges, &num, NULL));
	EXPECT_EQ(1, num);
	EXPECT_TRUE(ufd_all_bytes(ranges, 0, sizeof(ranges)));
	/* No room needs no buffer. */
	num = 0;
	UFD_EXPECT_ERRNO(EMSGSIZE, ufd_iova_ranges(self->fd, self->ioas_id, NULL, &num, NULL));
	EXPECT_EQ(1, num);

	/* Reserving a page splits the single range in two (no domain). */
	ASSERT_EQ(0, ufd_add_reserved(self->fd, self->ioas_id, ufd_psize, ufd_psize));
	memset(ranges, 0, sizeof(ranges));
	num = ARRAY_SIZE(ranges);
	ASSERT_EQ(0, ufd_iova_ranges(self->fd, self->ioas_id, ranges, &num, NULL));
	if (self->domains) {
		/* Below the aperture, so invisible. */
		ASSERT_EQ(1, num);
		EXPECT_EQ((__u64)MOCK_APERTURE_START, ranges[0].start);
		EXPECT_EQ((__u64)MOCK_APERTURE_LAST, ranges[0].last);
	} else {
		ASSERT_EQ(2, num);
		EXPECT_EQ(0, ranges[0].start);
		EXPECT_EQ(ufd_psize - 1, ranges[0].last);
		EXPECT_EQ(2 * ufd_psize, ranges[1].start);
		EXPECT_EQ((__u64)SIZE_MAX, ranges[1].last);
	}

	/* Room for one of two: the first is written, the second is not. */
	memset(ranges, 0, sizeof(ranges));
	num = 1;
	if (self->domains) {
		ASSERT_EQ(0, ufd_iova_ranges(self->fd, self->ioas_id, ranges, &num, NULL));
		EXPECT_EQ(1, num);
	} else {
		UFD_EXPECT_ERRNO(EMSGSIZE, ufd_iova_ranges(self->fd, self->ioas_id, ranges, &num,
							   NULL));
		EXPECT_EQ(2, num);
		EXPECT_EQ(0, ranges[0].start);
		EXPECT_EQ(ufd_psize - 1, ranges[0].last);
	}
	EXPECT_EQ(0, ranges[1].start);
	EXPECT_EQ(0, ranges[1].last);
}

TEST_F(ioas, iova_ranges_errors)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = self->ioas_id,
		.num_iovas = 1,
		.__reserved = 1,
	};
	struct iommu_iova_range range;
	char *hole = ufd_mmap(ufd_psize, PROT_NONE);
	__u32 num = 4;

	ASSERT_NE(MAP_FAILED, hole);
	cmd.allowed_iovas = (uintptr_t)&range;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	UFD_EXPECT_ERRNO(ENOENT, ufd_iova_ranges(self->fd, 0, &range, &num, NULL));
	if (self->domains)
		UFD_EXPECT_ERRNO(ENOENT, ufd_iova_ranges(self->fd, self->hwpt_id[0], &range, &num,
							 NULL));
	/* An array the kernel cannot write. */
	num = 4;
	UFD_EXPECT_ERRNO(EFAULT, ufd_iova_ranges(self->fd, self->ioas_id,
						 (struct iommu_iova_range *)hole, &num, NULL));
	ASSERT_EQ(0, munmap(hole, ufd_psize));
}

TEST_F(ioas, alignment_follows_huge_pages_option)
{
	struct iommu_iova_range range;
	__u64 alignment;
	__u32 num = 1;

	/* Without large pages every mapping is in whole CPU pages. */
	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 0));
	ASSERT_EQ(0, ufd_iova_ranges(self->fd, self->ioas_id, &range, &num, &alignment));
	EXPECT_EQ(ufd_psize, alignment);
	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 1));
	num = 1;
	ASSERT_EQ(0, ufd_iova_ranges(self->fd, self->ioas_id, &range, &num, &alignment));
	EXPECT_EQ(self->align, alignment);
}

TEST_F(ioas, allow_iovas_errors)
{
	struct iommu_iova_range ranges[2] = {
		{ .start = self->base, .last = self->base + 64 * ufd_psize - 1 },
		{ .start = self->base + 32 * ufd_psize, .last = self->base + 96 * ufd_psize - 1 },
	};
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = self->ioas_id,
		.num_iovas = 1,
		.__reserved = 1,
		.allowed_iovas = (uintptr_t)ranges,
	};
	struct iommu_iova_range bad, *edge;
	char *pages = ufd_mmap(2 * ufd_psize, PROT_READ | PROT_WRITE);
	char *hole = pages + ufd_psize;

	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, mprotect(hole, ufd_psize, PROT_NONE));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	UFD_EXPECT_ERRNO(ENOENT, ufd_allow_iovas(self->fd, 0, ranges, 1));

	/* Ranges must not overlap each other. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_allow_iovas(self->fd, self->ioas_id, ranges, 2));
	/* start must be below last (a single byte is not a range). */
	bad.start = bad.last = self->base;
	UFD_EXPECT_ERRNO(EINVAL, ufd_allow_iovas(self->fd, self->ioas_id, &bad, 1));
	bad.start = self->base + ufd_psize;
	bad.last = self->base;
	UFD_EXPECT_ERRNO(EINVAL, ufd_allow_iovas(self->fd, self->ioas_id, &bad, 1));
	UFD_EXPECT_ERRNO(EFAULT, ufd_allow_iovas(self->fd, self->ioas_id,
						 (struct iommu_iova_range *)hole, 1));
	/* A good first element, then an unreadable second one. */
	edge = (struct iommu_iova_range *)(hole - sizeof(*edge));
	edge->start = self->base;
	edge->last = self->base + ufd_psize - 1;
	UFD_EXPECT_ERRNO(EFAULT, ufd_allow_iovas(self->fd, self->ioas_id, edge, 2));
	ASSERT_EQ(0, ufd_allow_iovas(self->fd, self->ioas_id, edge, 1));
	ASSERT_EQ(0, munmap(pages, 2 * ufd_psize));

	/* Disjoint ranges are fine, and num 0 lifts the restriction. */
	ranges[1].start = self->base + 128 * ufd_psize;
	ranges[1].last = self->base + 256 * ufd_psize - 1;
	ASSERT_EQ(0, ufd_allow_iovas(self->fd, self->ioas_id, ranges, 2));
	ASSERT_EQ(0, ufd_allow_iovas(self->fd, self->ioas_id, NULL, 0));
}

TEST_F(ioas, allowed_and_reserved_exclude_each_other)
{
	struct iommu_iova_range allowed = {
		.start = self->base,
		.last = self->base + 600 * ufd_psize,
	};

	/* A reservation inside an allowed range is refused... */
	ASSERT_EQ(0, ufd_allow_iovas(self->fd, self->ioas_id, &allowed, 1));
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_add_reserved(self->fd, self->ioas_id,
						      self->base + ufd_psize, ufd_psize));
	ASSERT_EQ(0, ufd_allow_iovas(self->fd, self->ioas_id, NULL, 0));

	/* ...and so is an allowed range covering a reservation. */
	ASSERT_EQ(0, ufd_add_reserved(self->fd, self->ioas_id, self->base + ufd_psize, ufd_psize));
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_allow_iovas(self->fd, self->ioas_id, &allowed, 1));
	/* Next to it is fine. */
	allowed.start = self->base + 2 * ufd_psize;
	ASSERT_EQ(0, ufd_allow_iovas(self->fd, self->ioas_id, &allowed, 1));
}

TEST_F(ioas, allowed_ranges_steer_auto_iova)
{
	struct iommu_iova_range allowed = {
		.start = self->base + ufd_psize,
		.last = self->base + 600 * ufd_psize - 1,
	};
	__u64 iovas[10] = {};	/* passed in by ufd_map(), as above */
	__u64 iova;
	unsigned int i;

	ASSERT_EQ(0, ufd_allow_iovas(self->fd, self->ioas_id, &allowed, 1));
	for (i = 0; i != ARRAY_SIZE(iovas); i++) {
		__u64 length = (i + 1) * ufd_psize;

		ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, length, &iovas[i],
				     UFD_MAP_RW));
		EXPECT_EQ(0, iovas[i] % lowest_set_bit(length));
		EXPECT_LE(allowed.start, iovas[i]);
		EXPECT_GE(allowed.last, iovas[i] + length - 1);
	}
	/* Fixed IOVAs are not bound by the allowed ranges. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
				   allowed.last + 1));

	/* A range too small for the request. */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	allowed.last = allowed.start + ufd_psize - 1;
	ASSERT_EQ(0, ufd_allow_iovas(self->fd, self->ioas_id, &allowed, 1));
	UFD_EXPECT_ERRNO(ENOSPC, ufd_map(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize, &iova,
					 UFD_MAP_RW));
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova, UFD_MAP_RW));
	EXPECT_EQ(allowed.start, iova);
	/* Now full. */
	UFD_EXPECT_ERRNO(ENOSPC, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova,
					 UFD_MAP_RW));
}

TEST_F(ioas, reserved_ranges)
{
	__u64 start = self->base + 4 * ufd_psize;
	__u64 length = 100 * ufd_psize;
	__u64 iova;
	unsigned int i;

	UFD_EXPECT_ERRNO(ENOENT, ufd_add_reserved(self->fd, 0, start, length));
	ASSERT_EQ(0, ufd_add_reserved(self->fd, self->ioas_id, start, length));

	/* A fixed IOVA inside a reserved range is invalid, not busy. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					       start));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize,
					       start - ufd_psize));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					       start + length - ufd_psize));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, start + length));

	/* Reserving over a mapping is refused. */
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_add_reserved(self->fd, self->ioas_id, start + length,
						      ufd_psize));
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_add_reserved(self->fd, self->ioas_id,
						      start + length - ufd_psize,
						      2 * ufd_psize));

	/* Automatic IOVAs go around reservations and mappings alike. */
	for (i = 0; i != 10; i++) {
		ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, (i + 1) * ufd_psize, &iova,
				     UFD_MAP_RW));
		EXPECT_TRUE(iova + (i + 1) * ufd_psize <= start ||
			    iova >= start + length + ufd_psize);
	}
}

TEST_F(ioas, copy_within_and_between)
{
	__u64 src = self->base;
	__u64 dst = self->base + 8 * ufd_psize;
	__u32 other_ioas;

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 4 * ufd_psize, src));
	ASSERT_EQ(0, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src, 4 * ufd_psize,
			      UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_EQ(self->base + 8 * ufd_psize, dst);
	check_domains(_metadata, self, ufd_buf, dst, 4 * ufd_psize);

	/* A middle slice of an area, to another IOAS at an IOVA it picks. */
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &other_ioas));
	dst = 0;
	ASSERT_EQ(0, ufd_copy(self->fd, other_ioas, &dst, self->ioas_id, src + ufd_psize,
			      2 * ufd_psize, IOMMU_IOAS_MAP_READABLE));
	EXPECT_NE(0, dst);
	EXPECT_EQ(0, dst % ufd_psize);

	/* The copy holds the pages: the source can go away. */
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, src, 4 * ufd_psize, NULL));
	check_domains(_metadata, self, ufd_buf, self->base + 8 * ufd_psize, 4 * ufd_psize);
	ASSERT_EQ(0, ufd_unmap(self->fd, other_ioas, dst, 2 * ufd_psize, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, other_ioas));
}

TEST_F(ioas, copy_spans_adjacent_areas)
{
	__u64 dst = self->base + 64 * ufd_psize;

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize, self->base));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, (char *)ufd_buf + 2 * ufd_psize,
				   2 * ufd_psize, self->base + 2 * ufd_psize));
	ASSERT_EQ(0, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id,
			      self->base + ufd_psize, 2 * ufd_psize,
			      UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	check_domains(_metadata, self, (char *)ufd_buf + ufd_psize, dst, 2 * ufd_psize);

	/* A hole in the source is not copyable. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
				   self->base + 5 * ufd_psize));
	dst = self->base + 128 * ufd_psize;
	UFD_EXPECT_ERRNO(ENOENT, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id,
					  self->base + 3 * ufd_psize, 3 * ufd_psize,
					  UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
}

TEST_F(ioas, copy_errors)
{
	__u64 src = self->base;
	__u64 dst = self->base + 16 * ufd_psize;
	__u32 fixed_rw = UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA;
	char *ro = ufd_mmap(ufd_psize, PROT_READ);

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 4 * ufd_psize, src));

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src,
					      ufd_psize, fixed_rw | (1U << 3)));
	UFD_EXPECT_ERRNO(EINVAL, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src,
					  ufd_psize, IOMMU_IOAS_MAP_FIXED_IOVA));
	UFD_EXPECT_ERRNO(EINVAL, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src, 0,
					  fixed_rw));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src,
					     UINT64_MAX, fixed_rw));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id,
					     UINT64_MAX, ufd_psize, fixed_rw));
	dst = UINT64_MAX;
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src,
					     ufd_psize, fixed_rw));
	dst = self->base + 16 * ufd_psize;

	/* Source IOAS first, then its range, then the destination IOAS. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_copy(self->fd, self->ioas_id, &dst, 0, src, ufd_psize,
					  fixed_rw));
	UFD_EXPECT_ERRNO(ENOENT, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id,
					  src + 4 * ufd_psize, ufd_psize, fixed_rw));
	UFD_EXPECT_ERRNO(ENOENT, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id,
					  src + 3 * ufd_psize, 2 * ufd_psize, fixed_rw));
	UFD_EXPECT_ERRNO(ENOENT, ufd_copy(self->fd, 0, &dst, self->ioas_id, src, ufd_psize,
					  fixed_rw));

	/* The destination must be free. */
	dst = src + 2 * ufd_psize;
	UFD_EXPECT_ERRNO(EEXIST, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src,
					  ufd_psize, fixed_rw));

	/* Write access cannot be granted from a read-only mapping. */
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ro, ufd_psize, &src,
			     IOMMU_IOAS_MAP_READABLE));
	dst = self->base + 32 * ufd_psize;
	UFD_EXPECT_ERRNO(EPERM, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src,
					 ufd_psize, fixed_rw));
	ASSERT_EQ(0, ufd_copy(self->fd, self->ioas_id, &dst, self->ioas_id, src, ufd_psize,
			      IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA));
	check_domains(_metadata, self, ro, dst, ufd_psize);
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	ASSERT_EQ(0, munmap(ro, ufd_psize));
}

TEST_F(ioas, copy_sweep)
{
	__u64 last = self->base + ufd_buf_size - 1;
	__u64 length = MOCK_PAGE_SIZE;
	__u32 dst_ioas;
	__u64 iova;

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &dst_ioas));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size, self->base));

	/* Every start, aligned or not, works iff the range lies in the area. */
	for (iova = self->base - ufd_psize; iova <= last; iova += 1023) {
		__u64 dst = MOCK_APERTURE_START;
		__u32 flags = UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA;

		if (iova < self->base || iova + length - 1 > last) {
			UFD_EXPECT_ERRNO(ENOENT, ufd_copy(self->fd, dst_ioas, &dst, self->ioas_id,
							  iova, length, flags));
			continue;
		}
		ASSERT_EQ(0, ufd_copy(self->fd, dst_ioas, &dst, self->ioas_id, iova, length,
				      flags));
		ASSERT_EQ(0, ufd_unmap(self->fd, dst_ioas, dst, length, NULL));
	}
	ASSERT_EQ(0, ufd_destroy(self->fd, dst_ioas));
}

TEST_F(ioas, map_file)
{
	__u64 iova = self->base;
	__u64 unmapped;

	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_buf_size, &iova,
				  UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_EQ(self->base, iova);
	check_domains(_metadata, self, ufd_mfd_buf, iova, ufd_buf_size);

	/* A slice further into the file, at an IOVA the kernel picks. */
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 3 * ufd_psize, 2 * ufd_psize,
				  &iova, UFD_MAP_RW));
	EXPECT_NE(0, iova);
	check_domains(_metadata, self, (char *)ufd_mfd_buf + 3 * ufd_psize, iova, 2 * ufd_psize);
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_mfd_buf, ufd_psize, self->domains ? 1 : 0));

	/* Read-only works the same way. */
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, ufd_psize, ufd_psize, &iova,
				  IOMMU_IOAS_MAP_READABLE));
	check_domains(_metadata, self, (char *)ufd_mfd_buf + ufd_psize, iova, ufd_psize);

	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(ufd_buf_size + 3 * ufd_psize, unmapped);
}

TEST_F(ioas, map_file_errors)
{
	__u64 iova = self->base;
	void *small_buf;
	int small;

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_psize,
						  &iova, UFD_MAP_RW | (1U << 3)));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_psize,
					      &iova, 0));
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0,
						 UINT64_MAX, &iova, UFD_MAP_RW));
	iova = UINT64_MAX;
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_psize,
						 &iova, UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	/* The IOVA is range checked even when the kernel is to pick one. */
	UFD_EXPECT_ERRNO(EOVERFLOW, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_psize,
						 &iova, UFD_MAP_RW));
	iova = 0;
	UFD_EXPECT_ERRNO(ENOENT, ufd_map_file(self->fd, 0, ufd_mfd, 0, ufd_psize, &iova,
					      UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EBADF, ufd_map_file(self->fd, self->ioas_id, -1, 0, ufd_psize, &iova,
					     UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, 0, &iova,
					      UFD_MAP_RW));

	iova = self->base;
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_psize, &iova,
				  UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	UFD_EXPECT_ERRNO(EEXIST, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_psize,
					      &iova, UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));

	if (!self->domains)
		return;
	/* Pinning a file range needs it to exist. */
	small = ufd_memfd(2 * ufd_psize, &small_buf);
	ASSERT_LE(0, small);
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, small, 0, 3 * ufd_psize,
					      &iova, UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, small, 2 * ufd_psize,
					      ufd_psize, &iova, UFD_MAP_RW));
	ASSERT_EQ(0, ftruncate(small, 0));
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_file(self->fd, self->ioas_id, small, 0, ufd_psize, &iova,
					      UFD_MAP_RW));
	ASSERT_EQ(0, munmap(small_buf, 2 * ufd_psize));
	ASSERT_EQ(0, close(small));
}

TEST_F(ioas, huge_pages_option)
{
	__u64 val = 3;

	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
				self->ioas_id, &val));
	EXPECT_EQ(1, val);

	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 0));
	val = 3;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
				self->ioas_id, &val));
	EXPECT_EQ(0, val);
	/* Setting the current value again is fine. */
	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 0));

	UFD_EXPECT_ERRNO(EINVAL, ufd_huge_pages(self->fd, self->ioas_id, 2));
	val = 1;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_option(self->fd, IOMMU_OPTION_HUGE_PAGES, 2,
						self->ioas_id, &val));
	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 1));
	val = 0;
	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
				self->ioas_id, &val));
	EXPECT_EQ(1, val);

	if (self->domains) {
		/* Only IOAS objects carry the option. */
		UFD_EXPECT_ERRNO(ENOENT, ufd_huge_pages(self->fd, self->hwpt_id[0], 0));
		/* Domains already filled with large pages cannot be downgraded. */
		ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					   self->base));
		UFD_EXPECT_ERRNO(EINVAL, ufd_huge_pages(self->fd, self->ioas_id, 0));
	}
}

TEST_F(ioas, huge_pages_alignment_change)
{
	if (self->domains)
		SKIP(return, "needs an IOAS without domains");

	/* Whole pages: upgrading the alignment works. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, self->base));
	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 0));
	/* Sub-page mappings are now refused. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, self->ioas_id,
					       (char *)ufd_buf + MOCK_PAGE_SIZE, ufd_psize,
					       self->base + ufd_psize));

	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 1));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, (char *)ufd_buf + MOCK_PAGE_SIZE,
				   ufd_psize, self->base + ufd_psize));
	/* A misaligned mapping blocks the upgrade. */
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_huge_pages(self->fd, self->ioas_id, 0));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, self->base + ufd_psize, ufd_psize, NULL));
	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 0));
}

TEST_F(ioas, memlock_limit)
{
	size_t length = 16 * ufd_psize;
	__u64 iova;

	ASSERT_EQ(0, ufd_drop_capability(CAP_IPC_LOCK));
	ASSERT_EQ(0, ufd_set_memlock_limit(4 * ufd_psize));

	if (!self->domains) {
		/* Nothing is pinned until a domain wants the pages. */
		ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, length, self->base));
		UFD_EXPECT_ERRNO(ENOMEM, ufd_mock_domain(self->fd, self->ioas_id, 0, NULL, NULL,
							 NULL));
		ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, self->base, length, NULL));
		return;
	}
	UFD_EXPECT_ERRNO(ENOMEM, ufd_map(self->fd, self->ioas_id, ufd_buf, length, &iova,
					 UFD_MAP_RW));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, length, 0));
	/* Exactly at the limit is allowed... */
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, 4 * ufd_psize, &iova,
			     UFD_MAP_RW));
	/* ...one page more is not, even of memory already pinned (each mapping pays). */
	UFD_EXPECT_ERRNO(ENOMEM, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova,
					 UFD_MAP_RW));
	UFD_EXPECT_ERRNO(ENOMEM, ufd_map(self->fd, self->ioas_id,
					 (char *)ufd_buf + 4 * ufd_psize, ufd_psize, &iova,
					 UFD_MAP_RW));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	/* Unmapping gave the budget back. */
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, (char *)ufd_buf + 4 * ufd_psize,
			     4 * ufd_psize, &iova, UFD_MAP_RW));
}

TEST_F(ioas, change_process)
{
	struct iommu_ioas_change_process cmd = { .size = sizeof(cmd), .__reserved = 1 };
	__u64 iova;
	pid_t child;
	int status;

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd));
	/* Nothing mapped: nothing to move. */
	ASSERT_EQ(0, ufd_change_process(self->fd));

	/* Memory named by a user address belongs to its process for good. */
	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, ufd_buf, ufd_psize, &iova, UFD_MAP_RW));
	UFD_EXPECT_ERRNO(EINVAL, ufd_change_process(self->fd));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, ufd_psize, NULL));

	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_psize, &iova,
				  UFD_MAP_RW));
	ASSERT_EQ(0, ufd_change_process(self->fd));
	check_domains(_metadata, self, ufd_mfd_buf, iova, ufd_psize);

	/* Another process may take the accounting over. */
	child = fork();
	ASSERT_LE(0, child);
	if (!child)
		_exit(ufd_change_process(self->fd) ? errno : 0);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

#ifdef UFD_USE_SYSCALLS
/*
 * A forked child's descriptor is the same iommufd: what it maps is in the
 * parent's IOAS, and stays there (its pages kept) after the child exits.
 * Through the interposer that takes the child becoming its parent's client;
 * the in-process C API has no shared descriptors, hence the #ifdef.
 */
TEST_F(ioas, fork_shares_the_context)
{
	__u64 base = MOCK_APERTURE_START, unmapped = 0;
	pid_t child, grandchild;
	int status;

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		if (ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize, base))
			_exit(1);
		/* A grandchild reaches the same context, through the same parent. */
		grandchild = fork();
		if (!grandchild)
			_exit(ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
					    base + ufd_psize) ? 2 : 0);
		if (grandchild < 0 || waitpid(grandchild, &status, 0) != grandchild ||
		    !WIFEXITED(status))
			_exit(3);
		_exit(WEXITSTATUS(status));
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, base, 2 * ufd_psize, &unmapped));
	EXPECT_EQ(2 * ufd_psize, unmapped);
}
#endif

TEST_HARNESS_MAIN
