/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD tests' fixture: the I/OAT function at IOAT_BDF through VFIO,
 * bound to an iommufd, its BAR enabled, 2 MiB of guest memory mapped at
 * GPA_BASE of an IOAS (amd_guest.h lays the guest out there). Every test
 * is skipped without the function or without an AMD IOMMU above it.
 * amd_dma.c (the objects) and amd_viommu_rfc.c (the 2023 RFC's ioctls)
 * share it.
 */
#ifndef UIOMMUFD_SELFTEST_AMD_FIXTURE_H
#define UIOMMUFD_SELFTEST_AMD_FIXTURE_H

#include "uiommufd_utils.h"
#include "vfio_dev.h"
#include "amd_guest.h"

#include <dirent.h>
#include <linux/vfio.h>

FIXTURE(amd)
{
	int iommufd;
	int devfd;
	__u32 dev_id;
	__u32 ioas_id;
	volatile __u8 *bar;
	__u8 *buf;			/* guest memory, at GPA_BASE in the IOAS */
	struct iommu_hw_info_amd info;
	__u32 parent_id, viommu_id, nested_id;
};

static inline __u64 *guest_page(struct _test_data_amd *self, unsigned int pg)
{
	return amd_guest_page(self->buf, pg);
}

static inline void guest_build_s1(struct _test_data_amd *self)
{
	amd_guest_build_s1(self->buf);
}

FIXTURE_SETUP(amd)
{
	struct iommu_hw_info hw;

	self->devfd = open_cdev(IOAT_BDF);
	if (self->devfd < 0)
		SKIP(return, "no I/OAT function at " IOAT_BDF);
	self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, &self->dev_id));
	if (ufd_hw_info(self->iommufd, self->dev_id, 0, IOMMU_HW_INFO_TYPE_DEFAULT, &self->info,
			sizeof(self->info), &hw) ||
	    hw.out_data_type != IOMMU_HW_INFO_TYPE_AMD) {
		close(self->devfd);
		close(self->iommufd);
		self->devfd = -1;
		SKIP(return, "the I/OAT function is not behind an AMD IOMMU");
	}

	ASSERT_EQ(0, ufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, self->buf, BUF_SIZE, GPA_BASE));

	self->bar = ioat_bar_enable(self->devfd);
	ASSERT_NE(MAP_FAILED, self->bar);
}

FIXTURE_TEARDOWN(amd)
{
	if (self->devfd < 0)
		return;
	munmap((void *)self->bar, IOAT_BAR_SIZE);
	close(self->devfd);
	close(self->iommufd);
	munmap(self->buf, BUF_SIZE);
}

/* One descriptor in guest page PG_DESC at @desc_addr (a device address); the final status. */
static inline __u64 ioat_copy(struct _test_data_amd *self, __u64 desc_addr, __u64 src, __u64 dst,
		       __u32 size)
{
	return ioat_run(self->bar, (struct ioat_desc *)guest_page(self, PG_DESC), desc_addr, src,
			dst, size);
}

#endif /* UIOMMUFD_SELFTEST_AMD_FIXTURE_H */
