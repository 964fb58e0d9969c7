// SPDX-License-Identifier: GPL-2.0
/*
 * DMA with PASID and PRI by a real device model: the edu function
 * (QEMU's educational device, 1234:11e8) of the default platform, bound
 * through its VFIO cdev, copies through the IOMMU in both directions,
 * with a PASID through a PASID-attached HWPT, and when the IOMMU refuses
 * it on a fault-capable HWPT, its page request reaches the iommufd fault
 * queue: the test reads the record, maps the page, answers, and sees the
 * device retry and finish. Written against Linux's uAPI (sysfs,
 * <linux/vfio.h>, <linux/iommufd.h>) and the device's registers; expects
 *   0000:00:05.0  edu 1234:11e8, PASID (20 bits), ATS, PRI, /dev/vfio/devices/vfio3
 * behind the mock IOMMU. The registers at 0xa0 and up are the model's
 * additions to QEMU's device (harness/platform/edu_hw.h). Only built as a
 * plain program (the interposer build).
 */
#include "uiommufd_utils.h"
#include "vfio_dev.h"

#include <dirent.h>
#include <linux/vfio.h>
#include <poll.h>
#include <sys/eventfd.h>

#define EDU_BDF "0000:00:05.0"

/* The device's programming interface. */
#define EDU_BAR_SIZE 0x100000
#define EDU_ID 0x00
#define EDU_LIVENESS 0x04
#define EDU_FACTORIAL 0x08
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_ACK 0x64
#define EDU_IRQ_DMA 0x100
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define DMA_START 0x1
#define DMA_TO_RAM 0x2
#define DMA_IRQ 0x4
#define EDU_DMA_STATUS 0xa0
#define STS_ERROR 0x01
#define STS_PAGE_REQ 0x02
#define STS_FAULT 0x08
#define STS_PRG_FAIL 0x10
#define EDU_DMA_FAULT_ADDR 0xa8
#define EDU_DMA_PASID 0xb0
#define PASID_VALID 0x80000000u
#define EDU_BUF 0x40000
#define EDU_BUF_SIZE 0x1000
#define EDU_MSIX_VEC_DMA 1

/* What a refused DMA ends with when nothing takes page faults: answered Invalid at once. */
#define STS_REFUSED (STS_ERROR | STS_FAULT | STS_PRG_FAIL)

#define BUF_SIZE (2UL << 20)
#define IOVA (1UL << 32)
/* Mapped only when a test maps it. */
#define HOLE_IOVA (IOVA + BUF_SIZE)

static int attach(int devfd, __u32 pt_id, bool pasid, __u32 pasid_val)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.flags = pasid ? VFIO_DEVICE_ATTACH_PASID : 0,
		.pt_id = pt_id,
		.pasid = pasid_val,
	};

	return ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

static int detach(int devfd, bool pasid, __u32 pasid_val)
{
	struct vfio_device_detach_iommufd_pt d = {
		.argsz = sizeof(d),
		.flags = pasid ? VFIO_DEVICE_DETACH_PASID : 0,
		.pasid = pasid_val,
	};

	return ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static int hwpt_alloc(int fd, __u32 dev_id, __u32 pt_id, __u32 flags, __u32 fault_id,
		      __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
		.fault_id = fault_id,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*hwpt_id = cmd.out_hwpt_id;
	return rc;
}

FIXTURE(vfio_edu)
{
	int iommufd;
	int devfd;
	__u32 dev_id;
	__u32 ioas_id;
	volatile __u8 *bar;
	__u8 *buf;		/* mapped at IOVA */
	__u8 *hole;		/* one page, for HOLE_IOVA */
	int irq[2];		/* MSI-X vectors 0 and 1 */
	unsigned long long leak_mark;
	unsigned long failure_mark;
};

static void wr32(struct _test_data_vfio_edu *self, unsigned int off, __u32 v)
{
	*(volatile __u32 *)(self->bar + off) = v;
}

static void wr64(struct _test_data_vfio_edu *self, unsigned int off, __u64 v)
{
	*(volatile __u64 *)(self->bar + off) = v;
}

static __u32 rd32(struct _test_data_vfio_edu *self, unsigned int off)
{
	return *(volatile __u32 *)(self->bar + off);
}

static __u64 rd64(struct _test_data_vfio_edu *self, unsigned int off)
{
	return *(volatile __u64 *)(self->bar + off);
}

/* Programs one transfer and starts it; the DMA status as it reads right after. */
static __u32 edu_dma(struct _test_data_vfio_edu *self, __u64 src, __u64 dst, __u64 cnt,
		     __u64 cmd)
{
	wr64(self, EDU_DMA_SRC, src);
	wr64(self, EDU_DMA_DST, dst);
	wr64(self, EDU_DMA_CNT, cnt);
	wr64(self, EDU_DMA_CMD, cmd | DMA_START);
	return rd32(self, EDU_DMA_STATUS);
}

/* The QEMU document's wait: START reads 1 until the transfer has ended. The final status. */
static __u32 edu_wait(struct _test_data_vfio_edu *self)
{
	int i;

	for (i = 0; i < 10000 && (rd64(self, EDU_DMA_CMD) & DMA_START); i++)
		usleep(1000);
	return rd32(self, EDU_DMA_STATUS);
}

static __u64 irq_count(int efd)
{
	__u64 count = 0;

	if (read(efd, &count, sizeof(count)) != sizeof(count))
		return 0;
	return count;
}

FIXTURE_SETUP(vfio_edu)
{
	struct {
		struct vfio_irq_set set;
		__s32 fd[2];
	} s = {};
	struct vfio_device_bind_iommufd bind = {.argsz = sizeof(bind)};
	__u64 cfg = REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	__u16 cmd = 0x0406;	/* MEMORY | MASTER | INTX_DISABLE */

	self->leak_mark = ufd_leak_mark();
	self->failure_mark = ufd_harness_failures();
	self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, ufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->devfd = open_cdev(EDU_BDF);
	ASSERT_LE(0, self->devfd);
	bind.iommufd = self->iommufd;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	self->dev_id = bind.out_devid;
	/* Whatever an earlier user left running is gone. */
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_RESET));

	self->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	self->hole = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->hole);
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, self->buf, BUF_SIZE, IOVA));
	self->bar = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->devfd,
			 REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX));
	ASSERT_NE(MAP_FAILED, self->bar);
	ASSERT_EQ(2, pwrite(self->devfd, &cmd, 2, cfg + 4));

	self->irq[0] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	self->irq[1] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s.set.argsz = sizeof(s);
	s.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s.set.index = VFIO_PCI_MSIX_IRQ_INDEX;
	s.set.count = 2;
	s.fd[0] = self->irq[0];
	s.fd[1] = self->irq[1];
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
}

FIXTURE_TEARDOWN(vfio_edu)
{
	munmap((void *)self->bar, EDU_BAR_SIZE);
	close(self->devfd);
	close(self->iommufd);
	munmap(self->buf, BUF_SIZE);
	munmap(self->hole, 4096);
	close(self->irq[0]);
	close(self->irq[1]);
	ASSERT_EQ(0UL, ufd_leak_report(self->leak_mark));
	ASSERT_EQ(0UL, ufd_harness_failures() - self->failure_mark);
}

TEST_F(vfio_edu, identity)
{
	__u64 cfg = REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	__u16 vendor, device;
	char buf[64];
	int fd;

	ASSERT_EQ(2, pread(self->devfd, &vendor, 2, cfg + 0));
	ASSERT_EQ(0x1234, vendor);
	ASSERT_EQ(2, pread(self->devfd, &device, 2, cfg + 2));
	ASSERT_EQ(0x11e8, device);
	fd = open("/sys/bus/pci/devices/" EDU_BDF "/device", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	ASSERT_EQ(0x11e8, strtoul(buf, NULL, 0));

	ASSERT_EQ(0x010000ed, rd32(self, EDU_ID));
	wr32(self, EDU_LIVENESS, 0x0f0f0f0f);
	ASSERT_EQ(0xf0f0f0f0, rd32(self, EDU_LIVENESS));
	wr32(self, EDU_FACTORIAL, 10);
	ASSERT_EQ(3628800, rd32(self, EDU_FACTORIAL));
	/* A function-level reset through VFIO clears what the driver set. */
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_RESET));
	ASSERT_EQ(0, rd32(self, EDU_LIVENESS));
	ASSERT_EQ(0, rd32(self, EDU_FACTORIAL));
}

TEST_F(vfio_edu, dma_both_directions)
{
	__u32 pt = self->ioas_id;
	int i;

	ASSERT_EQ(0, attach(self->devfd, pt, false, 0));
	for (i = 0; i < EDU_BUF_SIZE; i++)
		self->buf[i] = (__u8)(i * 13 + 5);
	memset(self->buf + 0x10000, 0, EDU_BUF_SIZE);

	/* RAM to the device's buffer and back to another page, as the QEMU document shows. */
	ASSERT_EQ(0, edu_dma(self, IOVA, EDU_BUF, EDU_BUF_SIZE, 0));
	ASSERT_EQ(0, edu_wait(self));
	ASSERT_EQ(*(__u32 *)(self->buf + 0x100), rd32(self, EDU_BUF + 0x100));
	ASSERT_EQ(0, edu_dma(self, EDU_BUF, IOVA + 0x10000, EDU_BUF_SIZE, DMA_TO_RAM | DMA_IRQ));
	ASSERT_EQ(0, edu_wait(self));
	ASSERT_EQ(0, memcmp(self->buf, self->buf + 0x10000, EDU_BUF_SIZE));

	/* The end of the transfer: MSI-X vector 1, EDU_IRQ_DMA in the status. */
	ASSERT_EQ(1, irq_count(self->irq[EDU_MSIX_VEC_DMA]));
	ASSERT_EQ(0, irq_count(self->irq[0]));
	ASSERT_EQ(EDU_IRQ_DMA, rd32(self, EDU_IRQ_STATUS));
	wr32(self, EDU_IRQ_ACK, EDU_IRQ_DMA);
	ASSERT_EQ(0, rd32(self, EDU_IRQ_STATUS));

	/* Unaligned, across a page boundary. */
	memset(self->buf + 0x20000, 0xab, 0x100);
	ASSERT_EQ(0, edu_dma(self, IOVA + 0x20000, EDU_BUF + 0x10, 0x100, 0));
	ASSERT_EQ(0, edu_dma(self, EDU_BUF + 0x10, IOVA + 0x30f80 + 3, 0x100, DMA_TO_RAM));
	ASSERT_TRUE(ufd_all_bytes(self->buf + 0x30f83, 0xab, 0x100));
	ASSERT_EQ(0, self->buf[0x30f82]);
	ASSERT_EQ(0, detach(self->devfd, false, 0));
}

TEST_F(vfio_edu, pasid_dma)
{
	__u32 hwpt_id;

	/* A PASID-capable HWPT on PASID 5; the RID is attached to nothing. */
	ASSERT_EQ(0, hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id, IOMMU_HWPT_ALLOC_PASID,
				0, &hwpt_id));
	ASSERT_EQ(0, attach(self->devfd, hwpt_id, true, 5));

	memset(self->buf, 0x5e, EDU_BUF_SIZE);
	/* Without a PASID the request is the RID's: refused. */
	ASSERT_EQ(STS_REFUSED, edu_dma(self, IOVA, EDU_BUF, 64, 0));
	ASSERT_EQ(IOVA, rd64(self, EDU_DMA_FAULT_ADDR));
	/* With PASID 5, through the HWPT, both ways. */
	wr32(self, EDU_DMA_PASID, PASID_VALID | 5);
	ASSERT_EQ(0, edu_dma(self, IOVA, EDU_BUF, EDU_BUF_SIZE, 0));
	ASSERT_EQ(0x5e5e5e5e, rd32(self, EDU_BUF + 0x800));
	ASSERT_EQ(0, edu_dma(self, EDU_BUF, IOVA + 0x8000, EDU_BUF_SIZE, DMA_TO_RAM));
	ASSERT_TRUE(ufd_all_bytes(self->buf + 0x8000, 0x5e, EDU_BUF_SIZE));
	/* Another PASID is attached to nothing. */
	wr32(self, EDU_DMA_PASID, PASID_VALID | 6);
	ASSERT_EQ(STS_REFUSED, edu_dma(self, IOVA, EDU_BUF, 64, 0));
	/* Detached, PASID 5 is refused too. */
	wr32(self, EDU_DMA_PASID, PASID_VALID | 5);
	ASSERT_EQ(0, detach(self->devfd, true, 5));
	ASSERT_EQ(STS_REFUSED, edu_dma(self, IOVA, EDU_BUF, 64, 0));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, hwpt_id));
}

TEST_F(vfio_edu, refused_dma_without_fault_queue)
{
	struct iommu_hwpt_pgfault rec;
	__u32 fault_id, hwpt_id;
	int fault_fd;

	/* A fault queue exists but the HWPT is not fault-capable: nothing reaches it. */
	ASSERT_EQ(0, fault_queue_alloc(self->iommufd, &fault_id, &fault_fd));
	ASSERT_EQ(0, hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id, 0, 0, &hwpt_id));
	ASSERT_EQ(0, attach(self->devfd, hwpt_id, false, 0));

	ASSERT_EQ(STS_REFUSED, edu_dma(self, HOLE_IOVA + 0x10, EDU_BUF, 16, DMA_IRQ));
	ASSERT_EQ(HOLE_IOVA + 0x10, rd64(self, EDU_DMA_FAULT_ADDR));
	ASSERT_EQ(0, rd64(self, EDU_DMA_CMD) & DMA_START);
	ASSERT_EQ(1, irq_count(self->irq[EDU_MSIX_VEC_DMA]));
	ASSERT_EQ(STS_REFUSED, edu_dma(self, EDU_BUF, HOLE_IOVA, 16, DMA_TO_RAM));
	/* An empty fault queue reads 0, as the kernel's. */
	ASSERT_EQ(0, read(fault_fd, &rec, sizeof(rec)));

	ASSERT_EQ(0, detach(self->devfd, false, 0));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, hwpt_id));
	close(fault_fd);
}

/* The fault queue and a fault-capable HWPT on the IOAS, attached to the RID or to @pasid. */
struct pri_setup {
	__u32 fault_id, hwpt_id;
	int fault_fd;
};

static void pri_attach(struct __test_metadata *_metadata, struct _test_data_vfio_edu *self,
		       struct pri_setup *p, bool pasid, __u32 pasid_val)
{
	__u32 flags = IOMMU_HWPT_FAULT_ID_VALID | (pasid ? IOMMU_HWPT_ALLOC_PASID : 0);

	ASSERT_EQ(0, fault_queue_alloc(self->iommufd, &p->fault_id, &p->fault_fd));
	ASSERT_EQ(0, hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id, flags, p->fault_id,
				&p->hwpt_id));
	ASSERT_EQ(0, attach(self->devfd, p->hwpt_id, pasid, pasid_val));
	if (pasid)
		wr32(self, EDU_DMA_PASID, PASID_VALID | pasid_val);
}

static void pri_detach(struct __test_metadata *_metadata, struct _test_data_vfio_edu *self,
		       struct pri_setup *p, bool pasid, __u32 pasid_val)
{
	ASSERT_EQ(0, detach(self->devfd, pasid, pasid_val));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, p->hwpt_id));
	close(p->fault_fd);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, p->fault_id));
}

TEST_F(vfio_edu, page_request_success_retries)
{
	struct iommu_hwpt_pgfault rec;
	struct pri_setup p;
	__u8 *buf = (__u8 *)self->hole;

	pri_attach(_metadata, self, &p, false, 0);
	memset(buf, 0, 4096);
	for (int i = 0; i < 64; i++)
		wr32(self, EDU_BUF + 4 * i, 0xc0de0000 + i);

	/* The buffer to an unmapped page: refused, a page request, the transfer waits. */
	ASSERT_EQ(STS_PAGE_REQ, edu_dma(self, EDU_BUF, HOLE_IOVA + 0x40, 256, DMA_TO_RAM | DMA_IRQ));
	ASSERT_EQ(DMA_START, rd64(self, EDU_DMA_CMD) & DMA_START);
	ASSERT_EQ(0, fault_read(p.fault_fd, &rec));
	ASSERT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, rec.flags);
	ASSERT_EQ(self->dev_id, rec.dev_id);
	ASSERT_EQ(0, rec.pasid);
	ASSERT_EQ(0, rec.grpid);
	ASSERT_EQ(IOMMU_PGFAULT_PERM_WRITE, rec.perm);
	ASSERT_EQ(HOLE_IOVA, rec.addr);
	ASSERT_EQ(0, rec.length);
	/* Still waiting while nobody answered; no interrupt yet. */
	usleep(10000);
	ASSERT_EQ(STS_PAGE_REQ, rd32(self, EDU_DMA_STATUS));
	ASSERT_EQ(0, irq_count(self->irq[EDU_MSIX_VEC_DMA]));

	/* Map the page, answer Success: the device retries and finishes. */
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, buf, 4096, HOLE_IOVA));
	ASSERT_EQ(0, fault_respond(p.fault_fd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_EQ(0, edu_wait(self));
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(0xc0de0000 + i, *(__u32 *)(buf + 0x40 + 4 * i));
	ASSERT_EQ(0, buf[0x3f]);
	ASSERT_EQ(1, irq_count(self->irq[EDU_MSIX_VEC_DMA]));
	/* Answered once: the same cookie again is refused. */
	ASSERT_EQ(-1, fault_respond(p.fault_fd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS));

	/* Now mapped, the same transfer needs no page request. */
	ASSERT_EQ(0, edu_dma(self, HOLE_IOVA, EDU_BUF, 16, 0));
	ASSERT_EQ(0, read(p.fault_fd, &rec, sizeof(rec)));

	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, HOLE_IOVA, 4096, NULL));
	pri_detach(_metadata, self, &p, false, 0);
}

TEST_F(vfio_edu, page_request_success_without_mapping)
{
	struct iommu_hwpt_pgfault rec, again;
	struct pri_setup p;

	pri_attach(_metadata, self, &p, false, 0);
	/* A read from the hole: perm READ. Success without mapping: a second request. */
	ASSERT_EQ(STS_PAGE_REQ, edu_dma(self, HOLE_IOVA + 0x123, EDU_BUF, 8, 0));
	ASSERT_EQ(0, fault_read(p.fault_fd, &rec));
	ASSERT_EQ(IOMMU_PGFAULT_PERM_READ, rec.perm);
	ASSERT_EQ(HOLE_IOVA, rec.addr);
	ASSERT_EQ(0, fault_respond(p.fault_fd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_EQ(0, fault_read(p.fault_fd, &again));
	ASSERT_EQ(HOLE_IOVA, again.addr);
	ASSERT_EQ(IOMMU_PGFAULT_PERM_READ, again.perm);
	ASSERT_EQ(STS_PAGE_REQ, rd32(self, EDU_DMA_STATUS));
	/* Invalid this time: the transfer fails. */
	ASSERT_EQ(0, fault_respond(p.fault_fd, again.cookie, IOMMUFD_PAGE_RESP_INVALID));
	ASSERT_EQ(STS_ERROR | STS_FAULT | STS_PRG_FAIL, edu_wait(self));
	ASSERT_EQ(HOLE_IOVA + 0x123, rd64(self, EDU_DMA_FAULT_ADDR));
	pri_detach(_metadata, self, &p, false, 0);
}

TEST_F(vfio_edu, page_request_invalid_fails)
{
	struct iommu_hwpt_pgfault rec;
	struct pri_setup p;
	__u8 *buf = (__u8 *)self->hole;

	pri_attach(_metadata, self, &p, false, 0);
	memset(buf, 0, 4096);
	ASSERT_EQ(STS_PAGE_REQ, edu_dma(self, EDU_BUF, HOLE_IOVA, 64, DMA_TO_RAM | DMA_IRQ));
	ASSERT_EQ(0, fault_read(p.fault_fd, &rec));
	/* Even with the page mapped meanwhile, Invalid means no retry. */
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, buf, 4096, HOLE_IOVA));
	ASSERT_EQ(0, fault_respond(p.fault_fd, rec.cookie, IOMMUFD_PAGE_RESP_INVALID));
	ASSERT_EQ(STS_ERROR | STS_FAULT | STS_PRG_FAIL, edu_wait(self));
	ASSERT_EQ(0, rd64(self, EDU_DMA_CMD) & DMA_START);
	ASSERT_TRUE(ufd_all_bytes(buf, 0, 64));
	ASSERT_EQ(1, irq_count(self->irq[EDU_MSIX_VEC_DMA]));
	/* A code iommufd does not take is refused, and answers nothing. */
	ASSERT_EQ(-1, fault_respond(p.fault_fd, rec.cookie, 2));
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, HOLE_IOVA, 4096, NULL));
	pri_detach(_metadata, self, &p, false, 0);
}

TEST_F(vfio_edu, page_request_with_pasid)
{
	struct iommu_hwpt_pgfault rec;
	struct pri_setup p;
	__u8 *buf = (__u8 *)self->hole;

	pri_attach(_metadata, self, &p, true, 7);
	memset(buf, 0x71, 4096);
	/* RAM to the device through PASID 7: a read of the hole. */
	ASSERT_EQ(STS_PAGE_REQ, edu_dma(self, HOLE_IOVA + 0x800, EDU_BUF, 128, 0));
	ASSERT_EQ(0, fault_read(p.fault_fd, &rec));
	ASSERT_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE, rec.flags);
	ASSERT_EQ(7, rec.pasid);
	ASSERT_EQ(self->dev_id, rec.dev_id);
	ASSERT_EQ(IOMMU_PGFAULT_PERM_READ, rec.perm);
	ASSERT_EQ(HOLE_IOVA, rec.addr);
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, buf, 4096, HOLE_IOVA));
	ASSERT_EQ(0, fault_respond(p.fault_fd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_EQ(0, edu_wait(self));
	ASSERT_EQ(0x71717171, rd32(self, EDU_BUF + 0x7c));
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, HOLE_IOVA, 4096, NULL));
	pri_detach(_metadata, self, &p, true, 7);
}

TEST_F(vfio_edu, detach_answers_the_waiting_request)
{
	struct iommu_hwpt_pgfault rec;
	struct pri_setup p;

	pri_attach(_metadata, self, &p, false, 0);
	ASSERT_EQ(STS_PAGE_REQ, edu_dma(self, HOLE_IOVA, EDU_BUF, 64, 0));
	ASSERT_EQ(0, fault_read(p.fault_fd, &rec));
	/* Nobody answers; the detach does, Invalid, and the transfer fails. */
	ASSERT_EQ(0, detach(self->devfd, false, 0));
	ASSERT_EQ(STS_ERROR | STS_FAULT | STS_PRG_FAIL, edu_wait(self));
	/* The cookie is gone with the answer. */
	ASSERT_EQ(-1, fault_respond(p.fault_fd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, p.hwpt_id));
	close(p.fault_fd);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, p.fault_id));
}

TEST_HARNESS_MAIN
