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
 * "the I/OAT function is not behind ..." in the skip message.
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

#endif /* UIOMMUFD_SELFTEST_IOAT_VMM_H */
