/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The start and end every vendor's end-to-end selftest shares (amd_dma,
 * vtd_dma, smmuv3_dma): the I/OAT function's VFIO cdev bound to a fresh
 * iommufd, the IOMMU behind it identified by IOMMU_GET_HW_INFO (the test
 * skips on any other), an IOAS with BUF_SIZE bytes of "guest memory" mapped
 * at GPA_BASE, and the I/OAT BAR enabled. For use inside FIXTURE_SETUP()
 * and FIXTURE_TEARDOWN() of a fixture with these members:
 *
 *   int iommufd, devfd; __u32 dev_id, ioas_id; volatile __u8 *bar; __u8 *buf;
 *
 * @info/@info_len receive the IOMMU's HW_INFO data; @behind completes
 * "the I/OAT function is not behind ..." in the skip message. Then the
 * first test they all run, ioat_vmm_copy_and_fault().
 */
#ifndef UIOMMUFD_SELFTEST_IOAT_VMM_H
#define UIOMMUFD_SELFTEST_IOAT_VMM_H

#include "uiommufd_utils.h"
#include "vfio_dev.h"

#define IOAT_VMM_SETUP(hw_type, info, info_len, behind)                                   \
	do {                                                                               \
		struct iommu_hw_info __hw;                                                 \
                                                                                           \
		self->devfd = open_cdev(IOAT_BDF);                                         \
		if (self->devfd < 0)                                                       \
			SKIP(return, "no I/OAT function at " IOAT_BDF);                    \
		self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);                    \
		ASSERT_LE(0, self->iommufd);                                               \
		ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, &self->dev_id));     \
		if (ufd_hw_info(self->iommufd, self->dev_id, 0, IOMMU_HW_INFO_TYPE_DEFAULT, \
				(info), (info_len), &__hw) ||                              \
		    __hw.out_data_type != (hw_type)) {                                     \
			close(self->devfd);                                                \
			close(self->iommufd);                                              \
			self->devfd = -1;                                                  \
			SKIP(return, "the I/OAT function is not behind " behind);          \
		}                                                                          \
		ASSERT_EQ(0, ufd_ioas_alloc(self->iommufd, &self->ioas_id));               \
		self->buf = (__u8 *)mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,           \
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);               \
		ASSERT_NE(MAP_FAILED, self->buf);                                          \
		ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, self->buf,        \
					   BUF_SIZE, GPA_BASE));                           \
		self->bar = ioat_bar_enable(self->devfd);                                  \
		ASSERT_NE(MAP_FAILED, self->bar);                                          \
	} while (0)

/* Everything IOAT_VMM_SETUP() made, in reverse; nothing if it skipped. */
#define IOAT_VMM_TEARDOWN()                                                                \
	do {                                                                               \
		if (self->devfd < 0)                                                       \
			break;                                                             \
		munmap((void *)self->bar, IOAT_BAR_SIZE);                                  \
		close(self->devfd);                                                        \
		close(self->iommufd);                                                      \
		munmap(self->buf, BUF_SIZE);                                               \
	} while (0)

/*
 * The test every vendor runs first: the IOAS straight on the device, an
 * I/OAT copy within guest memory (guest pages 0, 1 and 2: descriptor,
 * source, destination), a write to an address nothing maps refused by the
 * IOMMU (the channel halts with a write error), and the buffer unmapped from
 * the IOAS no longer translated (the unmap flushed the IOMMU's caches).
 */
static inline void ioat_vmm_copy_and_fault(struct __test_metadata *_metadata, int iommufd,
					   __u32 ioas_id, int devfd, volatile __u8 *bar,
					   __u8 *buf, size_t buf_size, __u64 gpa_base)
{
	struct ioat_desc *desc = (struct ioat_desc *)buf;
	__u8 *src = buf + 4096, *dst = buf + 2 * 4096;
	__u64 desc_gpa = gpa_base, src_gpa = gpa_base + 4096, dst_gpa = gpa_base + 2 * 4096;

	ASSERT_EQ(0, attach_pt(devfd, ioas_id));
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_run(bar, desc, desc_gpa, src_gpa, dst_gpa, 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	/* Nothing at 1 TiB */
	ASSERT_EQ(CHANSTS_HALTED, ioat_run(bar, desc, desc_gpa, src_gpa, 1ULL << 40, 4096));
	ASSERT_TRUE(*(volatile __u32 *)(bar + IOAT_CHANERR) & CHANERR_WRITE_DATA_ERR);

	ASSERT_EQ(0, ufd_unmap(iommufd, ioas_id, gpa_base, buf_size, NULL));
	ASSERT_EQ(CHANSTS_HALTED, ioat_run(bar, desc, desc_gpa, src_gpa, dst_gpa, 4096));
}

#endif /* UIOMMUFD_SELFTEST_IOAT_VMM_H */
