/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD tests' fixture: the I/OAT function at IOAT_BDF through VFIO,
 * bound to an iommufd, its BAR enabled, 2 MiB of guest memory mapped at
 * GPA_BASE of an IOAS (amd_guest.h lays the guest out there). Every test
 * is skipped without the function or without an AMD IOMMU above it.
 * amd_dma.c (the objects) and amd_viommu_rfc.c (the 2023 RFC's ioctls)
 * share it, and the edu function's helpers for the guest PPR log tests.
 */
#ifndef UIOMMUFD_SELFTEST_AMD_FIXTURE_H
#define UIOMMUFD_SELFTEST_AMD_FIXTURE_H

#include "uiommufd_utils.h"
#include "vfio_dev.h"
#include "ioat_vmm.h"
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
	IOAT_VMM_SETUP(IOMMU_HW_INFO_TYPE_AMD, &self->info, sizeof(self->info), "an AMD IOMMU");
}

FIXTURE_TEARDOWN(amd)
{
	IOAT_VMM_TEARDOWN();
}

/* One descriptor in guest page PG_DESC at @desc_addr (a device address); the final status. */
static inline __u64 ioat_copy(struct _test_data_amd *self, __u64 desc_addr, __u64 src, __u64 dst,
		       __u32 size)
{
	return ioat_run(self->bar, (struct ioat_desc *)guest_page(self, PG_DESC), desc_addr, src,
			dst, size);
}

/* The edu function (PASID, ATS, PRI) on the amd platform, and its registers */
#define EDU_BDF "0000:00:05.0"
#define EDU_BAR_SIZE 0x100000
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_STATUS 0xa0
#define EDU_DMA_START 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_STS_PAGE_REQ 0x02
#define EDU_STS_REFUSED 0x19		/* ERROR | FAULT | PRG_FAIL */
#define EDU_BUF 0x40000
#define EDU_DEVID 0x0028		/* 00:05.0 */
#define EDU_GDEV 0x30			/* its guest DeviceID */
#define PG_HOLE 5			/* a GVA page the guest maps only when asked */

static inline void edu_wr64(volatile __u8 *bar, unsigned int off, __u64 v)
{
	*(volatile __u64 *)(bar + off) = v;
}

/* The device buffer's first @cnt bytes to @dst; the DMA status right after the start. */
static inline __u32 edu_to_ram(volatile __u8 *bar, __u64 dst, __u64 cnt)
{
	edu_wr64(bar, EDU_DMA_SRC, EDU_BUF);
	edu_wr64(bar, EDU_DMA_DST, dst);
	edu_wr64(bar, EDU_DMA_CNT, cnt);
	edu_wr64(bar, EDU_DMA_CMD, EDU_DMA_TO_RAM | EDU_DMA_START);
	return *(volatile __u32 *)(bar + EDU_DMA_STATUS);
}

/* The transfer's end (START clear), polled for up to ten seconds; the final status. */
static inline __u32 edu_wait(volatile __u8 *bar)
{
	for (int i = 0; i < 10000 && (*(volatile __u64 *)(bar + EDU_DMA_CMD) & EDU_DMA_START); i++)
		usleep(1000);
	return *(volatile __u32 *)(bar + EDU_DMA_STATUS);
}

/*
 * The edu function bound to the fixture's iommufd (*@dev_id), reset, its
 * BAR mapped (*@bar) with memory decoding and bus mastering on; its VFIO
 * file, or -1 without the function.
 */
static inline int edu_open(struct __test_metadata *_metadata, struct _test_data_amd *self,
			   __u32 *dev_id, volatile __u8 **bar)
{
	__u16 cmd = 0x0406;	/* MEMORY | MASTER | INTX_DISABLE */
	int fd = open_cdev(EDU_BDF);

	if (fd < 0)
		return fd;
	ASSERT_EQ(0, bind_iommufd(fd, self->iommufd, dev_id));
	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_RESET));
	*bar = (volatile __u8 *)mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
				     REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX));
	ASSERT_NE(MAP_FAILED, *bar);
	ASSERT_EQ(2, pwrite(fd, &cmd, 2, REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX) + 4));
	return fd;
}

/* The edu function back on the IOAS; its fault-capable nested HWPT and the fault queue gone. */
static inline void edu_unnest(struct __test_metadata *_metadata, struct _test_data_amd *self,
			      int edufd, __u32 nested, __u32 fault_id, int fault_fd)
{
	ASSERT_EQ(0, attach_pt(edufd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, nested));
	close(fault_fd);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, fault_id));
}

static inline void edu_close(int edufd, volatile __u8 *bar)
{
	munmap((void *)bar, EDU_BAR_SIZE);
	close(edufd);
}

#endif /* UIOMMUFD_SELFTEST_AMD_FIXTURE_H */
