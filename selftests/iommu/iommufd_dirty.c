// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking: IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMU_HWPT_GET_DIRTY_BITMAP
 * (with and without NO_CLEAR, user bitmaps at any alignment, bit sizes
 * other than the IOMMU page), the mock's IOMMU_TEST_OP_DIRTY that plays a
 * device writing memory, and every errno of these paths.
 *
 * The fixture turns IOMMU_OPTION_HUGE_PAGES off on its IOAS, so every CPU
 * page is mapped on its own and the mock splits it into MOCK_PAGE_SIZE
 * IOPTEs: dirtiness is reported per MOCK_PAGE_SIZE, one bit per IOPTE, as
 * the kernel's own dirty selftests expect (a write to half a CPU page must
 * not dirty the other half).
 */
#include "uiommufd_utils.h"

#ifndef PAGE_SIZE
#define PAGE_SIZE 4096UL
#endif

/* Bits of MOCK_PAGE_SIZE per IOPTE, and MOCK_PAGE_SIZE granules per CPU page. */
#define MOCK_PTE_BITS 1UL
#define MOCK_SLOTS_PER_PAGE (PAGE_SIZE / MOCK_PAGE_SIZE)

static int dirty_set_tracking(int fd, __u32 hwpt_id, bool enable)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt_id,
	};

	return ufd_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static int dirty_get_bitmap(int fd, __u32 hwpt_id, __u64 iova, __u64 length, __u64 page_size,
			    void *bitmap, __u32 flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.flags = flags,
		.iova = iova,
		.length = length,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	return ufd_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* The device "writes" every IOVA whose bit is set in bitmap. */
static int dirty_mark(int fd, __u32 hwpt_id, __u64 iova, __u64 length, __u64 page_size,
		      const void *bitmap, __u64 *nr_dirty)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DIRTY,
		.id = hwpt_id,
		.dirty = {
			.iova = iova,
			.length = length,
			.page_size = page_size,
			.uptr = (uintptr_t)bitmap,
		},
	};
	int rc = ufd_test_cmd(fd, &cmd);

	if (!rc && nr_dirty)
		*nr_dirty = cmd.dirty.out_nr_dirty;
	return rc;
}

static bool bm_test(const void *bm, unsigned long bit)
{
	return (((const unsigned char *)bm)[bit / 8] >> (bit % 8)) & 1;
}

static void bm_set(void *bm, unsigned long bit)
{
	((unsigned char *)bm)[bit / 8] |= 1 << (bit % 8);
}

FIXTURE(dirty)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	__u32 hwpt_id;		/* allocated with DIRTY_TRACKING, not attached */
	void *buffer;
	unsigned long nbits;	/* MOCK_PAGE_SIZE bits over the buffer */
	void *bitmap;		/* room for nbits, plus a page for offsets */
};

FIXTURE_VARIANT(dirty)
{
	unsigned long buffer_size;
};

/* Bitmap sizes: half a byte, a byte, a u32, a u64, u64s + a tail, a window. */
FIXTURE_VARIANT_ADD(dirty, b8k) { .buffer_size = 8UL * 1024 };
FIXTURE_VARIANT_ADD(dirty, b16k) { .buffer_size = 16UL * 1024 };
FIXTURE_VARIANT_ADD(dirty, b64k) { .buffer_size = 64UL * 1024 };
FIXTURE_VARIANT_ADD(dirty, b128k) { .buffer_size = 128UL * 1024 };
FIXTURE_VARIANT_ADD(dirty, b320k) { .buffer_size = 320UL * 1024 };
/* 36864 bits: more than one 32768-bit window of the kernel's bitmap walk */
FIXTURE_VARIANT_ADD(dirty, b72m) { .buffer_size = 72UL * 1024 * 1024 };

FIXTURE_SETUP(dirty)
{
	size_t bm_bytes;

	ufd_fixture_open(self);
	self->buffer = ufd_mmap(variant->buffer_size, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->buffer);
	self->nbits = variant->buffer_size / MOCK_PAGE_SIZE;
	bm_bytes = (self->nbits + 63) / 64 * 8;
	self->bitmap = ufd_mmap(bm_bytes + 2 * PAGE_SIZE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->bitmap);

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, ufd_huge_pages(self->fd, self->ioas_id, 0));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id, NULL,
				     &self->idev_id));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, self->buffer, variant->buffer_size,
				   MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &self->hwpt_id));
}

FIXTURE_TEARDOWN(dirty)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
	munmap(self->buffer, variant->buffer_size);
	munmap(self->bitmap, (self->nbits + 63) / 64 * 8 + 2 * PAGE_SIZE);
}

/*
 * Mark one IOPTE in every pair dirty, then read the bitmap (at bm) twice:
 * the first read shows exactly those IOPTEs, the second shows them again
 * only with NO_CLEAR. Bits already set in the user bitmap are kept.
 */
static void check_dirty_bitmaps(struct __test_metadata *_metadata, int fd, __u32 hwpt_id,
				unsigned long length, unsigned char *bm, unsigned long nbits,
				__u32 flags)
{
	const unsigned long pteset = 2 * MOCK_PTE_BITS;
	size_t bytes = (nbits + 7) / 8;
	unsigned long i, expected = 0;
	__u64 nr = 0;

	memset(bm, 0, bytes);
	for (i = 0; i < nbits; i += pteset) {
		bm_set(bm, i);
		expected++;
	}
	ASSERT_EQ(0, dirty_mark(fd, hwpt_id, MOCK_APERTURE_START, length, MOCK_PAGE_SIZE, bm,
				&nr));
	ASSERT_EQ(expected, nr);

	memset(bm, 0, bytes);
	ASSERT_EQ(0, dirty_get_bitmap(fd, hwpt_id, MOCK_APERTURE_START, length, MOCK_PAGE_SIZE,
				      bm, flags));
	for (i = 0; i < nbits; i++) {
		bool want = (i % pteset) < MOCK_PTE_BITS;

		if (want != bm_test(bm, i)) {
			TH_LOG("bit %lu of %lu: %d, expected %d", i, nbits, bm_test(bm, i), want);
			ASSERT_EQ(want, bm_test(bm, i));
		}
	}

	/* Second read into a bitmap whose bits are all set: nothing is cleared. */
	memset(bm, 0xff, bytes);
	ASSERT_EQ(0, dirty_get_bitmap(fd, hwpt_id, MOCK_APERTURE_START, length, MOCK_PAGE_SIZE,
				      bm, flags));
	ASSERT_TRUE(ufd_all_bytes(bm, 0xff, nbits / 8));

	memset(bm, 0, bytes);
	ASSERT_EQ(0, dirty_get_bitmap(fd, hwpt_id, MOCK_APERTURE_START, length, MOCK_PAGE_SIZE,
				      bm, flags));
	for (i = 0; i < nbits; i++) {
		bool want = (flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) &&
			    (i % pteset) < MOCK_PTE_BITS;

		if (want != bm_test(bm, i)) {
			TH_LOG("reread bit %lu: %d, expected %d", i, bm_test(bm, i), want);
			ASSERT_EQ(want, bm_test(bm, i));
		}
	}
	/* Leave the domain clean for the next round. */
	ASSERT_EQ(0, dirty_get_bitmap(fd, hwpt_id, MOCK_APERTURE_START, length, MOCK_PAGE_SIZE,
				      bm, 0));
}

TEST_F(dirty, get_dirty_bitmap)
{
	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	check_dirty_bitmaps(_metadata, self->fd, self->hwpt_id, variant->buffer_size,
			    self->bitmap, self->nbits, 0);
	/* A bitmap that starts a page in, and one at an odd byte address. */
	check_dirty_bitmaps(_metadata, self->fd, self->hwpt_id, variant->buffer_size,
			    (unsigned char *)self->bitmap + PAGE_SIZE, self->nbits, 0);
	check_dirty_bitmaps(_metadata, self->fd, self->hwpt_id, variant->buffer_size,
			    (unsigned char *)self->bitmap + 0xff1, self->nbits, 0);
}

TEST_F(dirty, get_dirty_bitmap_no_clear)
{
	const __u32 nc = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;

	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	check_dirty_bitmaps(_metadata, self->fd, self->hwpt_id, variant->buffer_size,
			    self->bitmap, self->nbits, nc);
	check_dirty_bitmaps(_metadata, self->fd, self->hwpt_id, variant->buffer_size,
			    (unsigned char *)self->bitmap + PAGE_SIZE, self->nbits, nc);
	check_dirty_bitmaps(_metadata, self->fd, self->hwpt_id, variant->buffer_size,
			    (unsigned char *)self->bitmap + 0xff1, self->nbits, nc);
}

/* Bits larger than the IOPTE: a bit is set when any IOPTE it covers is dirty. */
TEST_F(dirty, bit_sizes)
{
	static const unsigned long sizes[] = { PAGE_SIZE, 2 * PAGE_SIZE, 4 * PAGE_SIZE,
					       16 * PAGE_SIZE };
	unsigned char *bm = self->bitmap;
	unsigned long s;

	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned long psz = sizes[s];
		unsigned long nbits = variant->buffer_size / psz;
		unsigned long last_page = variant->buffer_size / PAGE_SIZE - 1;
		unsigned long i;

		if (variant->buffer_size % psz || !nbits)
			continue;
		/* Dirty the first IOPTE and the last one of the second-to-last page. */
		memset(bm, 0, (self->nbits + 7) / 8);
		bm_set(bm, 0);
		bm_set(bm, (last_page ? last_page - 1 : 0) * MOCK_SLOTS_PER_PAGE + 1);
		ASSERT_EQ(0, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					variant->buffer_size, MOCK_PAGE_SIZE, bm, NULL));

		memset(bm, 0, (self->nbits + 7) / 8);
		ASSERT_EQ(0, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					      variant->buffer_size, psz, bm, 0));
		for (i = 0; i < nbits; i++) {
			bool want = i == 0 ||
				    i == (last_page ? last_page - 1 : 0) * PAGE_SIZE / psz;

			if (want != bm_test(bm, i))
				TH_LOG("page size %lu bit %lu", psz, i);
			ASSERT_EQ(want, bm_test(bm, i));
		}
	}
}

/* A range that is a subset of the mapping, starting part way in. */
TEST_F(dirty, sub_range)
{
	unsigned char *bm = self->bitmap;
	unsigned long pages = variant->buffer_size / PAGE_SIZE;
	__u64 iova = MOCK_APERTURE_START + PAGE_SIZE;

	if (pages < 2)
		return;
	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	memset(bm, 0xff, (self->nbits + 7) / 8);
	ASSERT_EQ(0, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
				variant->buffer_size, MOCK_PAGE_SIZE, bm, NULL));

	memset(bm, 0, (self->nbits + 7) / 8);
	ASSERT_EQ(0, dirty_get_bitmap(self->fd, self->hwpt_id, iova, PAGE_SIZE, PAGE_SIZE, bm, 0));
	ASSERT_EQ(1, bm[0]);
	ASSERT_TRUE(ufd_all_bytes(bm + 1, 0, (self->nbits + 7) / 8 - 1));
	/* Only that page was cleared. */
	memset(bm, 0, (self->nbits + 7) / 8);
	ASSERT_EQ(0, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
				      variant->buffer_size, PAGE_SIZE, bm, 0));
	ASSERT_TRUE(bm_test(bm, 0));
	ASSERT_FALSE(bm_test(bm, 1));
	if (pages > 2)
		ASSERT_TRUE(bm_test(bm, 2));
}

TEST_F(dirty, enable_clears_stale_bits)
{
	unsigned char *bm = self->bitmap;

	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	memset(bm, 0xff, (self->nbits + 7) / 8);
	ASSERT_EQ(0, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
				variant->buffer_size, MOCK_PAGE_SIZE, bm, NULL));
	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, false));
	/* Not tracking: reading is refused by the mock, marking too. */
	UFD_EXPECT_ERRNO(EINVAL, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						  variant->buffer_size, MOCK_PAGE_SIZE, bm, 0));
	UFD_EXPECT_ERRNO(EINVAL, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					    variant->buffer_size, MOCK_PAGE_SIZE, bm, NULL));
	/* Enabling again starts from a clean slate. */
	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	memset(bm, 0, (self->nbits + 7) / 8);
	ASSERT_EQ(0, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
				      variant->buffer_size, MOCK_PAGE_SIZE, bm, 0));
	ASSERT_TRUE(ufd_all_bytes(bm, 0, (self->nbits + 7) / 8));
}

TEST_F(dirty, get_bitmap_errors)
{
	const __u64 len = variant->buffer_size;
	unsigned char *bm = self->bitmap;
	void *ro;

	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));

	/* Header: unknown flags, reserved field, wrong object. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, dirty_get_bitmap(self->fd, self->hwpt_id,
						      MOCK_APERTURE_START, len, PAGE_SIZE, bm,
						      1U << 5));
	{
		struct iommu_hwpt_get_dirty_bitmap cmd = {
			.size = sizeof(cmd),
			.hwpt_id = self->hwpt_id,
			.__reserved = 1,
			.iova = MOCK_APERTURE_START,
			.length = len,
			.page_size = PAGE_SIZE,
			.data = (uintptr_t)bm,
		};

		UFD_EXPECT_ERRNO(EOPNOTSUPP,
				 ufd_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd));
		cmd.__reserved = 0;
		cmd.size = offsetof(struct iommu_hwpt_get_dirty_bitmap, data);
		UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd));
	}
	UFD_EXPECT_ERRNO(ENOENT, dirty_get_bitmap(self->fd, self->ioas_id, MOCK_APERTURE_START,
						  len, PAGE_SIZE, bm, 0));
	UFD_EXPECT_ERRNO(ENOENT, dirty_get_bitmap(self->fd, 9999, MOCK_APERTURE_START, len,
						  PAGE_SIZE, bm, 0));

	/* Range checks. */
	UFD_EXPECT_ERRNO(EOVERFLOW, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						     UINT64_MAX, PAGE_SIZE, bm, 0));
	UFD_EXPECT_ERRNO(EINVAL, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						  len, 0, bm, 0));
	UFD_EXPECT_ERRNO(EINVAL, dirty_get_bitmap(self->fd, self->hwpt_id,
						  MOCK_APERTURE_START + 1, len, PAGE_SIZE, bm, 0));
	UFD_EXPECT_ERRNO(EINVAL, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						  len - 1, PAGE_SIZE, bm, 0));
	UFD_EXPECT_ERRNO(EINVAL, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						  len, 2 * len, bm, 0));
	/* Not all mapped. */
	UFD_EXPECT_ERRNO(EINVAL, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						  len + PAGE_SIZE, PAGE_SIZE, bm, 0));
	UFD_EXPECT_ERRNO(EINVAL, dirty_get_bitmap(self->fd, self->hwpt_id,
						  MOCK_APERTURE_START - PAGE_SIZE, 2 * PAGE_SIZE,
						  PAGE_SIZE, bm, 0));

	/* The bitmap must be writable user memory. */
	UFD_EXPECT_ERRNO(EFAULT, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						  len, PAGE_SIZE, NULL, 0));
	ro = ufd_mmap(2 * PAGE_SIZE + len / PAGE_SIZE / 8, PROT_READ);
	ASSERT_NE(MAP_FAILED, ro);
	UFD_EXPECT_ERRNO(EFAULT, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						  len, PAGE_SIZE, ro, 0));
	munmap(ro, 2 * PAGE_SIZE + len / PAGE_SIZE / 8);
}

TEST_F(dirty, tracking_errors)
{
	__u32 plain_hwpt;

	/* Unknown flags */
	{
		struct iommu_hwpt_set_dirty_tracking cmd = {
			.size = sizeof(cmd),
			.flags = 2,
			.hwpt_id = self->hwpt_id,
		};

		UFD_EXPECT_ERRNO(EOPNOTSUPP,
				 ufd_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd));
	}
	UFD_EXPECT_ERRNO(ENOENT, dirty_set_tracking(self->fd, self->ioas_id, true));
	UFD_EXPECT_ERRNO(ENOENT, dirty_set_tracking(self->fd, 9999, true));

	/* An HWPT allocated without DIRTY_TRACKING has no dirty ops. */
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id, 0, &plain_hwpt));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, dirty_set_tracking(self->fd, plain_hwpt, true));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, dirty_set_tracking(self->fd, plain_hwpt, false));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, dirty_get_bitmap(self->fd, plain_hwpt, MOCK_APERTURE_START,
						      PAGE_SIZE, PAGE_SIZE, self->bitmap, 0));
	ASSERT_EQ(0, ufd_destroy(self->fd, plain_hwpt));
}

TEST_F(dirty, mock_dirty_op_errors)
{
	unsigned char *bm = self->bitmap;
	__u64 nr = 7;

	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	memset(bm, 0, PAGE_SIZE);
	UFD_EXPECT_ERRNO(EINVAL, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					    PAGE_SIZE, 0, bm, NULL));
	UFD_EXPECT_ERRNO(EINVAL, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START, 0,
					    PAGE_SIZE, bm, NULL));
	UFD_EXPECT_ERRNO(EINVAL, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START + 1,
					    PAGE_SIZE, PAGE_SIZE, bm, NULL));
	UFD_EXPECT_ERRNO(EINVAL, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					    PAGE_SIZE + 1, PAGE_SIZE, bm, NULL));
	UFD_EXPECT_ERRNO(EINVAL, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					    PAGE_SIZE, PAGE_SIZE, NULL, NULL));
	UFD_EXPECT_ERRNO(ENOENT, dirty_mark(self->fd, self->ioas_id, MOCK_APERTURE_START,
					    PAGE_SIZE, PAGE_SIZE, bm, NULL));
	UFD_EXPECT_ERRNO(EFAULT, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					    PAGE_SIZE, PAGE_SIZE, (void *)8, NULL));
	/* An all-zero bitmap marks nothing. */
	ASSERT_EQ(0, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START, PAGE_SIZE,
				PAGE_SIZE, bm, &nr));
	ASSERT_EQ(0, nr);
}

/* The attached automatic domain has no dirty tracking; the device reports the capability. */
TEST_F(dirty, capability_and_enforcement)
{
	struct iommu_hw_info info;
	__u32 stdev2, idev2, hwpt2, ioas2;

	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, 0, 0, NULL, 0, &info));
	ASSERT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING,
		  info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);

	/* A device that cannot track dirty pages cannot use a tracking HWPT... */
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_domain(self->fd, self->hwpt_id,
						 MOCK_FLAGS_DEVICE_NO_DIRTY, &stdev2, NULL, NULL));
	/* ...nor allocate one; it also lacks the capability. */
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, ioas2, MOCK_FLAGS_DEVICE_NO_DIRTY, &stdev2, NULL,
				     &idev2));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_hwpt_alloc(self->fd, idev2, ioas2,
						    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt2));
	ASSERT_EQ(0, ufd_hw_info(self->fd, idev2, 0, 0, NULL, 0, &info));
	ASSERT_EQ(0, info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev2));

	/* A capable device attaches to the tracking HWPT and it keeps working. */
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->hwpt_id, 0, &stdev2, NULL, NULL));
	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	ASSERT_EQ(0, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START, PAGE_SIZE,
				      PAGE_SIZE, self->bitmap, 0));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev2));
}

/* Unmapping a dirty range and mapping it again starts clean. */
TEST_F(dirty, unmap_drops_dirty)
{
	unsigned char *bm = self->bitmap;

	ASSERT_EQ(0, dirty_set_tracking(self->fd, self->hwpt_id, true));
	memset(bm, 0xff, (self->nbits + 7) / 8);
	ASSERT_EQ(0, dirty_mark(self->fd, self->hwpt_id, MOCK_APERTURE_START,
				variant->buffer_size, MOCK_PAGE_SIZE, bm, NULL));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, MOCK_APERTURE_START,
			       variant->buffer_size, NULL));
	UFD_EXPECT_ERRNO(EINVAL, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
						  variant->buffer_size, MOCK_PAGE_SIZE, bm, 0));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, self->buffer, variant->buffer_size,
				   MOCK_APERTURE_START));
	memset(bm, 0, (self->nbits + 7) / 8);
	ASSERT_EQ(0, dirty_get_bitmap(self->fd, self->hwpt_id, MOCK_APERTURE_START,
				      variant->buffer_size, MOCK_PAGE_SIZE, bm, 0));
	ASSERT_TRUE(ufd_all_bytes(bm, 0, (self->nbits + 7) / 8));
}

/*
 * With huge pages on, the mock may map with IOPTEs larger than PAGE_SIZE;
 * whatever it chose, a dirty IOPTE reports as one aligned power-of-two run
 * of bits that contains the written IOVA.
 */
TEST(dirty_large_iopte_runs)
{
	const unsigned long size = 4UL * 1024 * 1024;
	unsigned long long leak_mark = ufd_leak_mark();
	unsigned long fails = ufd_harness_failures();
	unsigned long nbits = size / MOCK_PAGE_SIZE, i, first = ~0UL, last = 0;
	unsigned char *bm;
	__u32 ioas_id, stdev_id, idev_id, hwpt_id;
	void *buf;
	int fd;

	fd = ufd_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, posix_memalign(&buf, UFD_HUGE_ALIGN, size));
	ASSERT_EQ(buf, mmap(buf, size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	bm = calloc(1, nbits / 8);
	ASSERT_NE(NULL, bm);

	ASSERT_EQ(0, ufd_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(fd, ioas_id, 0, &stdev_id, NULL, &idev_id));
	ASSERT_EQ(0, ufd_map_fixed(fd, ioas_id, buf, size, MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_hwpt_alloc(fd, idev_id, ioas_id, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				    &hwpt_id));
	ASSERT_EQ(0, dirty_set_tracking(fd, hwpt_id, true));

	bm_set(bm, nbits / 2 + 3);
	ASSERT_EQ(0, dirty_mark(fd, hwpt_id, MOCK_APERTURE_START, size, MOCK_PAGE_SIZE, bm, NULL));
	memset(bm, 0, nbits / 8);
	ASSERT_EQ(0, dirty_get_bitmap(fd, hwpt_id, MOCK_APERTURE_START, size, MOCK_PAGE_SIZE, bm,
				      0));
	for (i = 0; i < nbits; i++) {
		if (!bm_test(bm, i))
			continue;
		if (first == ~0UL)
			first = i;
		ASSERT_TRUE(last == 0 || last == i - 1);
		last = i;
	}
	ASSERT_LE(first, nbits / 2 + 3);
	ASSERT_GE(last, nbits / 2 + 3);
	ASSERT_EQ(0, (last - first + 1) & (last - first));	/* a power of two */
	ASSERT_EQ(0, first % (last - first + 1));		/* naturally aligned */
	TH_LOG("dirty IOPTE spans %lu bytes", (last - first + 1) * MOCK_PAGE_SIZE);

	ASSERT_EQ(0, ufd_close(fd));
	free(bm);
	munmap(buf, size);
	EXPECT_EQ(0, ufd_leak_report(leak_mark));
	EXPECT_EQ(0, ufd_harness_failures() - fails);
}

/*
 * A MOCK_IOMMUPT_HUGE domain maps a 2 MiB-aligned, physically contiguous
 * buffer with MOCK_HUGE_PAGE_SIZE IOPTEs: one device write reports exactly
 * that IOPTE, whatever the bit size, and reading it clears the whole IOPTE.
 */
TEST(dirty_huge_iopte_format)
{
	const unsigned long size = 4UL * 1024 * 1024;
	unsigned long long leak_mark = ufd_leak_mark();
	unsigned long fails = ufd_harness_failures();
	unsigned long nbits = size / MOCK_PAGE_SIZE, i;
	struct iommu_hwpt_selftest data = { .pagetable_type = MOCK_IOMMUPT_HUGE };
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	__u32 ioas_id, stdev_id, idev_id;
	unsigned char *bm;
	void *buf;
	int fd;

	fd = ufd_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, posix_memalign(&buf, UFD_HUGE_ALIGN, size));
	ASSERT_EQ(buf, mmap(buf, size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	bm = calloc(1, nbits / 8);
	ASSERT_NE(NULL, bm);

	ASSERT_EQ(0, ufd_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(fd, ioas_id, 0, &stdev_id, NULL, &idev_id));
	ASSERT_EQ(0, ufd_map_fixed(fd, ioas_id, buf, size, MOCK_APERTURE_START));
	alloc.dev_id = idev_id;
	alloc.pt_id = ioas_id;
	ASSERT_EQ(0, ufd_ioctl(fd, IOMMU_HWPT_ALLOC, &alloc));
	ASSERT_EQ(0, dirty_set_tracking(fd, alloc.out_hwpt_id, true));

	/* One write in the second IOPTE, a bit past its start. */
	bm_set(bm, MOCK_HUGE_PAGE_SIZE / MOCK_PAGE_SIZE + 17);
	ASSERT_EQ(0, dirty_mark(fd, alloc.out_hwpt_id, MOCK_APERTURE_START, size, MOCK_PAGE_SIZE,
				bm, NULL));
	memset(bm, 0, nbits / 8);
	ASSERT_EQ(0, dirty_get_bitmap(fd, alloc.out_hwpt_id, MOCK_APERTURE_START, size,
				      MOCK_PAGE_SIZE, bm, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
	for (i = 0; i < nbits; i++) {
		bool want = i / (MOCK_HUGE_PAGE_SIZE / MOCK_PAGE_SIZE) == 1;

		if (want != bm_test(bm, i))
			TH_LOG("bit %lu", i);
		ASSERT_EQ(want, bm_test(bm, i));
	}
	/* In 64 KiB bits: 16 bits; then cleared, nothing is left. */
	memset(bm, 0, nbits / 8);
	ASSERT_EQ(0, dirty_get_bitmap(fd, alloc.out_hwpt_id, MOCK_APERTURE_START, size,
				      64 * 1024, bm, 0));
	ASSERT_EQ(0, bm[0]);
	ASSERT_EQ(0xff, bm[2]);
	ASSERT_EQ(0xff, bm[3]);
	ASSERT_EQ(0, bm[4]);
	memset(bm, 0, nbits / 8);
	ASSERT_EQ(0, dirty_get_bitmap(fd, alloc.out_hwpt_id, MOCK_APERTURE_START, size,
				      MOCK_PAGE_SIZE, bm, 0));
	ASSERT_TRUE(ufd_all_bytes(bm, 0, nbits / 8));

	ASSERT_EQ(0, ufd_close(fd));
	free(bm);
	munmap(buf, size);
	EXPECT_EQ(0, ufd_leak_report(leak_mark));
	EXPECT_EQ(0, ufd_harness_failures() - fails);
}

TEST_HARNESS_MAIN
