// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO type1 container compatibility on the iommufd fd and
 * IOMMU_VFIO_IOAS: the compat IOAS (get/set/clear, cleared when destroyed),
 * VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU (type1 v1
 * turns huge pages off), VFIO_IOMMU_GET_INFO with its capability chain
 * read at every possible argsz, VFIO_IOMMU_MAP_DMA / UNMAP_DMA, and their
 * errnos.
 */
#include "uiommufd_utils.h"

#include <linux/vfio.h>

#ifndef PAGE_SIZE
#define PAGE_SIZE 4096UL
#endif

static int vfio_ioas_op(int fd, __u16 op, __u32 *ioas_id)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id ? *ioas_id : 0,
		.op = op,
	};
	int rc = ufd_ioctl(fd, IOMMU_VFIO_IOAS, &cmd);

	if (!rc && ioas_id)
		*ioas_id = cmd.ioas_id;
	return rc;
}

static int vfio_map(int fd, __u64 iova, const void *vaddr, __u64 size, __u32 flags)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ufd_ioctl(fd, VFIO_IOMMU_MAP_DMA, &cmd);
}

static int vfio_unmap(int fd, __u64 iova, __u64 size, __u32 flags, __u64 *unmapped)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int rc = ufd_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &cmd);

	if (!rc && unmapped)
		*unmapped = cmd.size;
	return rc;
}

#define VFIO_RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* ---- without a compat IOAS ---- */

FIXTURE(vfio_nocompat)
{
	UFD_FIXTURE_FIELDS;
};

FIXTURE_SETUP(vfio_nocompat)
{
	ufd_fixture_open(self);
}

FIXTURE_TEARDOWN(vfio_nocompat)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

TEST_F(vfio_nocompat, simple_ioctls)
{
	ASSERT_EQ(VFIO_API_VERSION, ufd_ioctl(self->fd, VFIO_GET_API_VERSION, 0));
	ASSERT_EQ(1, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(1, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	ASSERT_EQ(1, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	ASSERT_EQ(0, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	ASSERT_EQ(0, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU));
	ASSERT_EQ(0, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, 6 /* TYPE1_NESTING */));
	/* Coherency needs the compat IOAS. */
	UFD_EXPECT_ERRNO(ENODEV, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	/* Not type1 and not iommufd: not ours. */
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd, VFIO_IOMMU_DIRTY_PAGES, 0));
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd, VFIO_GROUP_GET_STATUS, 0));
	UFD_EXPECT_ERRNO(ENOTTY, ufd_ioctl(self->fd, _IO(VFIO_TYPE, VFIO_BASE + 27), 0));
}

TEST_F(vfio_nocompat, unmap_cmd)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.iova = MOCK_APERTURE_START,
		.size = PAGE_SIZE,
	};

	cmd.argsz = 1;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &cmd));
	cmd.argsz = sizeof(cmd);
	cmd.flags = 1U << 31;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &cmd));
	cmd.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &cmd));
	cmd.flags = 0;
	UFD_EXPECT_ERRNO(ENODEV, ufd_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &cmd));
	UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, NULL));
}

TEST_F(vfio_nocompat, map_cmd)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.iova = MOCK_APERTURE_START,
		.size = PAGE_SIZE,
		.vaddr = (uintptr_t)ufd_buf,
	};

	cmd.argsz = 1;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &cmd));
	cmd.argsz = sizeof(cmd);
	cmd.flags = 1U << 31;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &cmd));
	cmd.flags = VFIO_DMA_MAP_FLAG_VADDR;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &cmd));
	cmd.flags = VFIO_RW;
	UFD_EXPECT_ERRNO(ENODEV, ufd_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &cmd));
	UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, NULL));
}

TEST_F(vfio_nocompat, info_cmd)
{
	struct vfio_iommu_type1_info cmd = {};

	cmd.argsz = 1;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &cmd));
	cmd.argsz = sizeof(cmd);
	UFD_EXPECT_ERRNO(ENODEV, ufd_ioctl(self->fd, VFIO_IOMMU_GET_INFO, &cmd));
}

TEST_F(vfio_nocompat, set_iommu_cmd)
{
	UFD_EXPECT_ERRNO(ENODEV, ufd_ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	UFD_EXPECT_ERRNO(ENODEV, ufd_ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	/* Other types are refused before the IOAS is looked up. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU));
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, VFIO_SET_IOMMU, 0));
}

TEST_F(vfio_nocompat, vfio_ioas)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_GET,
	};
	__u32 ioas_id, got;

	UFD_EXPECT_ERRNO(ENODEV, ufd_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));

	/* Set: the ID must name an IOAS. */
	cmd.op = IOMMU_VFIO_IOAS_SET;
	UFD_EXPECT_ERRNO(ENOENT, ufd_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas_id));
	cmd.ioas_id = ioas_id;
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));

	got = 0;
	ASSERT_EQ(0, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_GET, &got));
	ASSERT_EQ(ioas_id, got);

	/* Header checks: reserved, unknown op, short size. */
	cmd.__reserved = 1;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.__reserved = 0;
	cmd.op = 3;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.size = offsetof(struct iommu_vfio_ioas, op);
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));

	/* Clear, then get fails again; clear is idempotent. */
	ASSERT_EQ(0, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_CLEAR, NULL));
	UFD_EXPECT_ERRNO(ENODEV, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_GET, &got));
	ASSERT_EQ(0, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_CLEAR, NULL));

	/* Destroying the compat IOAS clears it. */
	ASSERT_EQ(0, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_SET, &ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, ioas_id));
	UFD_EXPECT_ERRNO(ENODEV, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_GET, &got));
	UFD_EXPECT_ERRNO(ENODEV, vfio_map(self->fd, MOCK_APERTURE_START, ufd_buf, PAGE_SIZE,
					  VFIO_RW));
}

TEST_F(vfio_nocompat, set_requires_ioas)
{
	__u32 ioas_id, stdev_id, hwpt_id;

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, ioas_id, 0, &stdev_id, &hwpt_id, NULL));
	/* An HWPT or a selftest object is not an IOAS. */
	UFD_EXPECT_ERRNO(ENOENT, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_SET, &hwpt_id));
	UFD_EXPECT_ERRNO(ENOENT, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_SET, &stdev_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev_id));
}

/* ---- with a compat IOAS and a "group" attached ---- */

FIXTURE(vfio_compat)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 hwpt_id;
};

FIXTURE_VARIANT(vfio_compat)
{
	unsigned long version;
};

FIXTURE_VARIANT_ADD(vfio_compat, v1v2) { .version = VFIO_TYPE1v2_IOMMU };
FIXTURE_VARIANT_ADD(vfio_compat, v1) { .version = VFIO_TYPE1_IOMMU };

FIXTURE_SETUP(vfio_compat)
{
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id,
				     &self->hwpt_id, NULL));
	ASSERT_EQ(0, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_SET, &self->ioas_id));
	ASSERT_EQ(0, ufd_ioctl(self->fd, VFIO_SET_IOMMU, variant->version));
}

FIXTURE_TEARDOWN(vfio_compat)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

TEST_F(vfio_compat, simple_close)
{
}

TEST_F(vfio_compat, huge_pages_follow_version)
{
	__u64 val = 3;

	ASSERT_EQ(0, ufd_option(self->fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
				self->ioas_id, &val));
	ASSERT_EQ(variant->version == VFIO_TYPE1_IOMMU ? 0 : 1, val);
}

TEST_F(vfio_compat, cache_coherency)
{
	__u32 ioas2;

	/* The mock cannot enforce coherency (no IOMMU_CAP_ENFORCE_CACHE_COHERENCY). */
	ASSERT_EQ(0, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	/* An IOAS with no HWPT has nothing incoherent. */
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, vfio_ioas_op(self->fd, IOMMU_VFIO_IOAS_SET, &ioas2));
	ASSERT_EQ(1, ufd_ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
}

/* Fill bytes past argsz with 0xAA and check the kernel wrote none of them. */
static unsigned char info_buf[4096] __attribute__((aligned(8)));

static bool info_call(int fd, __u32 argsz)
{
	struct vfio_iommu_type1_info *info = (void *)info_buf;

	memset(info_buf, 0xAA, sizeof(info_buf));
	memset(info_buf, 0, argsz < sizeof(*info) ? argsz : sizeof(*info));
	info->argsz = argsz;
	if (ufd_ioctl(fd, VFIO_IOMMU_GET_INFO, info))
		return false;
	return ufd_all_bytes(info_buf + argsz, 0xAA, sizeof(info_buf) - argsz);
}

static void check_cap_chain(struct __test_metadata *_metadata,
			    const struct vfio_iommu_type1_info *info)
{
	const struct vfio_info_cap_header *cap;
	bool seen_iova = false, seen_avail = false;

	ASSERT_GE(info->argsz, info->cap_offset + sizeof(*cap));
	cap = (const void *)(info_buf + info->cap_offset);
	for (;;) {
		size_t cap_size = cap->next ? (size_t)(info_buf + cap->next - (unsigned char *)cap) :
					      (size_t)(info_buf + info->argsz -
						       (unsigned char *)cap);

		switch (cap->id) {
		case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
			/* The kernel packs caps at 4-byte offsets: copy before use. */
			struct vfio_iommu_type1_info_cap_iova_range r;
			struct vfio_iova_range r0;

			memcpy(&r, cap, sizeof(r));
			memcpy(&r0, (const unsigned char *)cap + sizeof(r), sizeof(r0));
			ASSERT_EQ(1, r.header.version);
			ASSERT_EQ(1, r.nr_iovas);
			ASSERT_EQ(sizeof(r) + sizeof(r0), cap_size);
			ASSERT_EQ(MOCK_APERTURE_START, r0.start);
			ASSERT_EQ(MOCK_APERTURE_LAST, r0.end);
			seen_iova = true;
			break;
		}
		case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: {
			struct vfio_iommu_type1_info_dma_avail a;

			memcpy(&a, cap, sizeof(a));
			ASSERT_EQ(1, a.header.version);
			ASSERT_EQ(sizeof(a), cap_size);
			ASSERT_EQ(UINT32_MAX, a.avail);
			seen_avail = true;
			break;
		}
		default:
			ASSERT_TRUE(false);
		}
		if (!cap->next)
			break;
		ASSERT_GE(info->argsz, cap->next + sizeof(*cap));
		ASSERT_GT(info_buf + cap->next, (const unsigned char *)cap);
		cap = (const void *)(info_buf + cap->next);
	}
	ASSERT_TRUE(seen_iova);
	ASSERT_TRUE(seen_avail);
}

TEST_F(vfio_compat, get_info)
{
	struct vfio_iommu_type1_info *info = (void *)info_buf;
	__u32 full, i;

	/* Pre-capability ABI: the kernel writes nothing past argsz. */
	ASSERT_TRUE(info_call(self->fd, offsetof(struct vfio_iommu_type1_info, cap_offset)));
	ASSERT_NE(0, info->iova_pgsizes);
	ASSERT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info->flags);

	/* Just the struct: argsz comes back as what the chain needs. */
	ASSERT_TRUE(info_call(self->fd, sizeof(*info)));
	ASSERT_EQ(0, info->cap_offset);
	ASSERT_LT(sizeof(*info), info->argsz);
	full = info->argsz;
	/* Mock page sizes collapse to PAGE_SIZE and up. */
	ASSERT_EQ(PAGE_SIZE, info->iova_pgsizes & -info->iova_pgsizes);

	/* Every argsz in between gives a well-formed (possibly empty) chain. */
	for (i = sizeof(*info); i <= full; i++) {
		ASSERT_TRUE(info_call(self->fd, i));
		ASSERT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info->flags);
		ASSERT_EQ(full, info->argsz);
		if (i < full) {
			ASSERT_EQ(0, info->cap_offset);
			continue;
		}
		ASSERT_EQ(sizeof(*info), info->cap_offset);
		check_cap_chain(_metadata, info);
	}

	/* A reserved range splits the IOVA capability in two. */
	ASSERT_EQ(0, ufd_add_reserved(self->fd, self->ioas_id, MOCK_APERTURE_START + PAGE_SIZE,
				      PAGE_SIZE));
	ASSERT_TRUE(info_call(self->fd, sizeof(*info)));
	ASSERT_EQ(full + sizeof(struct vfio_iova_range), info->argsz);
	ASSERT_TRUE(info_call(self->fd, info->argsz));
	do {
		struct vfio_info_cap_header cap;
		struct vfio_iommu_type1_info_cap_iova_range r;
		struct vfio_iova_range rr[2];

		memcpy(&cap, info_buf + sizeof(*info), sizeof(cap));
		ASSERT_EQ(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, cap.id);
		memcpy(&r, info_buf + cap.next, sizeof(r));
		memcpy(rr, info_buf + cap.next + sizeof(r), sizeof(rr));
		ASSERT_EQ(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, r.header.id);
		ASSERT_EQ(0, r.header.next);
		ASSERT_EQ(2, r.nr_iovas);
		ASSERT_EQ(MOCK_APERTURE_START, rr[0].start);
		ASSERT_EQ(MOCK_APERTURE_START + PAGE_SIZE - 1, rr[0].end);
		ASSERT_EQ(MOCK_APERTURE_START + 2 * PAGE_SIZE, rr[1].start);
		ASSERT_EQ(MOCK_APERTURE_LAST, rr[1].end);
	} while (0);

	/* A bad buffer past the struct is -EFAULT. */
	{
		struct vfio_iommu_type1_info *ro = ufd_mmap(PAGE_SIZE, PROT_READ | PROT_WRITE);

		ASSERT_NE(MAP_FAILED, ro);
		ro->argsz = PAGE_SIZE;
		ASSERT_EQ(0, mprotect(ro, PAGE_SIZE, PROT_READ));
		UFD_EXPECT_ERRNO(EFAULT, ufd_ioctl(self->fd, VFIO_IOMMU_GET_INFO, ro));
		munmap(ro, PAGE_SIZE);
	}
}

static void shuffle(unsigned long *a, size_t n)
{
	size_t i;

	for (i = 0; i != n; i++) {
		size_t o = rand() % (n - i);
		unsigned long t = a[i];

		a[i] = a[o];
		a[o] = t;
	}
}

TEST_F(vfio_compat, map)
{
	unsigned long pages_iova[16];
	__u64 unmapped = 0;
	unsigned int i;

	/* Simple map and unmap; unmapping nothing succeeds with size 0. */
	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, ufd_buf, ufd_buf_size, VFIO_RW));
	ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START, ufd_buf_size,
				   ufd_buf));
	ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START, ufd_buf_size, 0, &unmapped));
	ASSERT_EQ(ufd_buf_size, unmapped);
	ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START, ufd_buf_size, 0, &unmapped));
	ASSERT_EQ(0, unmapped);

	/* Mapping over a mapping. */
	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, ufd_buf, ufd_buf_size, VFIO_RW));
	UFD_EXPECT_ERRNO(EEXIST, vfio_map(self->fd, MOCK_APERTURE_START, ufd_buf, PAGE_SIZE,
					  VFIO_RW));
	/* UNMAP_FLAG_ALL wants iova = size = 0. */
	UFD_EXPECT_ERRNO(EINVAL, vfio_unmap(self->fd, MOCK_APERTURE_START, ufd_buf_size,
					    VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped));
	ASSERT_EQ(ufd_buf_size, unmapped);

	/* Outside the aperture, or misaligned. */
	UFD_EXPECT_ERRNO(EINVAL, vfio_map(self->fd, (__u64)MOCK_APERTURE_LAST + 1, ufd_buf, PAGE_SIZE,
					  VFIO_RW));
	UFD_EXPECT_ERRNO(EINVAL, vfio_map(self->fd, MOCK_APERTURE_START, ufd_buf, 0, VFIO_RW));

	/* Page by page, unmapped in random order. */
	for (i = 0; i != ARRAY_SIZE(pages_iova); i++) {
		pages_iova[i] = MOCK_APERTURE_START + i * PAGE_SIZE;
		ASSERT_EQ(0, vfio_map(self->fd, pages_iova[i],
				      (unsigned char *)ufd_buf + i * PAGE_SIZE, PAGE_SIZE,
				      VFIO_RW));
	}
	shuffle(pages_iova, ARRAY_SIZE(pages_iova));
	for (i = 0; i != ARRAY_SIZE(pages_iova); i++) {
		ASSERT_EQ(0, vfio_unmap(self->fd, pages_iova[i], PAGE_SIZE, 0, &unmapped));
		ASSERT_EQ(PAGE_SIZE, unmapped);
	}
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
}

/* Type1 v1 may unmap part of a mapping; v2 may not. */
TEST_F(vfio_compat, partial_unmap)
{
	__u64 unmapped = 0;
	unsigned int i;

	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, ufd_buf, ufd_buf_size, VFIO_RW));
	if (variant->version == VFIO_TYPE1v2_IOMMU) {
		UFD_EXPECT_ERRNO(ENOENT, vfio_unmap(self->fd, MOCK_APERTURE_START + PAGE_SIZE,
						    PAGE_SIZE, 0, NULL));
		ASSERT_EQ(0, vfio_unmap(self->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &unmapped));
		ASSERT_EQ(ufd_buf_size, unmapped);
		return;
	}
	/* Unmap odd pages one at a time, then the rest of the buffer. */
	for (i = 1; i < ufd_buf_size / PAGE_SIZE; i += 2) {
		ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START + i * PAGE_SIZE, PAGE_SIZE, 0,
					&unmapped));
		ASSERT_EQ(PAGE_SIZE, unmapped);
	}
	ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START, PAGE_SIZE,
				   ufd_buf));
	ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START, ufd_buf_size, 0, &unmapped));
	ASSERT_EQ(ufd_buf_size / 2, unmapped);
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
}

/* A 4 MiB map of 2 MiB-aligned memory cut into 16 pieces, unmapped in random order. */
TEST_F(vfio_compat, huge_map)
{
	const size_t size = 4UL * 1024 * 1024;
	unsigned long pieces[16];
	__u64 unmapped = 0;
	unsigned int i;
	void *buf;

	ASSERT_EQ(0, posix_memalign(&buf, UFD_HUGE_ALIGN, size));
	ASSERT_EQ(buf, mmap(buf, size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, buf, size, VFIO_RW));
	ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START, size, buf));

	for (i = 0; i != ARRAY_SIZE(pieces); i++)
		pieces[i] = MOCK_APERTURE_START + i * (size / ARRAY_SIZE(pieces));
	shuffle(pieces, ARRAY_SIZE(pieces));
	for (i = 0; i != ARRAY_SIZE(pieces); i++) {
		if (variant->version == VFIO_TYPE1_IOMMU) {
			ASSERT_EQ(0, vfio_unmap(self->fd, pieces[i], size / ARRAY_SIZE(pieces), 0,
						&unmapped));
			ASSERT_EQ(size / ARRAY_SIZE(pieces), unmapped);
		} else {
			/* v2 only unmaps whole mappings. */
			UFD_EXPECT_ERRNO(ENOENT, vfio_unmap(self->fd, pieces[i],
							    size / ARRAY_SIZE(pieces), 0, NULL));
		}
	}
	if (variant->version != VFIO_TYPE1_IOMMU) {
		ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START, size, 0, &unmapped));
		ASSERT_EQ(size, unmapped);
	}
	ASSERT_EQ(0, ufd_check_refs(self->fd, buf, size, 0));
	munmap(buf, size);
}

/* A read-only map: the IOAS ioctl path sees the same mapping. */
TEST_F(vfio_compat, map_is_ioas_map)
{
	__u64 unmapped = 0;

	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, ufd_buf, PAGE_SIZE,
			      VFIO_DMA_MAP_FLAG_READ));
	ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START, PAGE_SIZE,
				   ufd_buf));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, MOCK_APERTURE_START, PAGE_SIZE,
			       &unmapped));
	ASSERT_EQ(PAGE_SIZE, unmapped);
}

TEST_HARNESS_MAIN
