/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the selftests that drive a PCI function through VFIO share: finding
 * its cdev through sysfs, attaching it, region offsets, and the Intel
 * I/OAT engine's programming interface (the registers a copy needs, the
 * descriptor, one copy run to its end). Written against Linux's uAPI only,
 * as the tests are.
 */
#ifndef UIOMMUFD_SELFTEST_VFIO_DEV_H
#define UIOMMUFD_SELFTEST_VFIO_DEV_H

#include <dirent.h>
#include <fcntl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The I/OAT engine's address on every embedded platform. */
#define IOAT_BDF "0000:00:03.0"

#define VFIO_PCI_OFFSET_SHIFT 40
#define REGION_OFFSET(index) ((__u64)(index) << VFIO_PCI_OFFSET_SHIFT)

/* The I/OAT registers a copy needs (BAR 0), and their bits. */
#define IOAT_XFERCAP 0x01
#define IOAT_INTRCTRL 0x03
#define IOAT_CBVER 0x08
#define IOAT_CHAN 0x80
#define IOAT_CHANCTRL (IOAT_CHAN + 0x00)
#define IOAT_CHANCMD (IOAT_CHAN + 0x04)
#define IOAT_DMACOUNT (IOAT_CHAN + 0x06)
#define IOAT_CHANSTS (IOAT_CHAN + 0x08)
#define IOAT_CHAINADDR (IOAT_CHAN + 0x10)
#define IOAT_CHANERR (IOAT_CHAN + 0x28)
#define CHANCMD_RESET 0x20
#define CHANCTRL_INT_REARM 0x0001
#define CHANCTRL_ANY_ERR_ABORT_EN 0x0008
#define CHANSTS_STATUS 0x7
#define CHANSTS_DONE 0x1
#define CHANSTS_HALTED 0x3
#define CHANERR_READ_DATA_ERR 0x100
#define CHANERR_WRITE_DATA_ERR 0x200
#define DESC_INT_EN 0x1

/* One I/OAT DMA descriptor, as the engine reads it from memory. */
struct ioat_desc {
	__u32 size;
	__u32 ctl;
	__u64 src_addr;
	__u64 dst_addr;
	__u64 next;
	__u64 rsv[4];
};

/* The function's VFIO cdev, found as a VMM finds it: its vfio-dev directory in sysfs. */
static inline int open_cdev(const char *bdf)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int fd = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(path, sizeof(path), "/dev/vfio/devices/%s", de->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
			break;
		}
	closedir(d);
	return fd;
}

/* VFIO_DEVICE_ATTACH_IOMMUFD_PT of the whole function (no PASID). */
static inline int attach_pt(int devfd, __u32 pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = pt_id,
	};

	return ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
}

/* VFIO_DEVICE_BIND_IOMMUFD: 0 with *@dev_id set (if not NULL), or -1 with errno. */
static inline int bind_iommufd(int devfd, int iommufd, __u32 *dev_id)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = iommufd };
	int rc = ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);

	if (!rc && dev_id)
		*dev_id = bind.out_devid;
	return rc;
}

#define IOAT_BAR_SIZE 0x4000

/*
 * The I/OAT function ready to copy: BAR 0 mapped (as device memory),
 * memory decoding and bus mastering on (INTx off), the channel reset.
 * The BAR, or MAP_FAILED.
 */
static inline volatile __u8 *ioat_bar_enable(int devfd)
{
	__u16 cmd = 0x0406;	/* MEMORY | MASTER | INTX_DISABLE */
	volatile __u8 *bar;
	int i;

	bar = (volatile __u8 *)mmap(NULL, IOAT_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
				    devfd, REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX));
	if (bar == MAP_FAILED)
		return bar;
	if (pwrite(devfd, &cmd, 2, REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX) + 4) != 2) {
		munmap((void *)bar, IOAT_BAR_SIZE);
		return (volatile __u8 *)MAP_FAILED;
	}
	*(volatile __u8 *)(bar + IOAT_CHANCMD) = CHANCMD_RESET;
	for (i = 0; i < 1000 && (*(volatile __u8 *)(bar + IOAT_CHANCMD) & CHANCMD_RESET); i++)
		;
	return bar;
}

/*
 * One copy by the I/OAT channel behind @bar: @desc (the CPU's view of the
 * descriptor at device address @desc_addr) copies @size bytes from @src to
 * @dst. Errors of an earlier run are cleared first (a halted channel starts
 * nothing until they are). Returns the channel's final status
 * (CHANSTS_DONE, CHANSTS_HALTED, or what it was when polling gave up).
 */
static inline __u64 ioat_run(volatile __u8 *bar, struct ioat_desc *desc, __u64 desc_addr,
			     __u64 src, __u64 dst, __u32 size)
{
	__u64 sts = 0;
	int i;

	memset(desc, 0, sizeof(*desc));
	desc->size = size;
	desc->src_addr = src;
	desc->dst_addr = dst;
	desc->next = desc_addr;
	*(volatile __u32 *)(bar + IOAT_CHANERR) = ~0u;
	*(volatile __u8 *)(bar + IOAT_CHANCMD) = CHANCMD_RESET;
	*(volatile __u64 *)(bar + IOAT_CHAINADDR) = desc_addr;
	*(volatile __u16 *)(bar + IOAT_CHANCTRL) = CHANCTRL_INT_REARM | CHANCTRL_ANY_ERR_ABORT_EN;
	*(volatile __u16 *)(bar + IOAT_DMACOUNT) = 1;
	for (i = 0; i < 100000; i++) {
		sts = *(volatile __u64 *)(bar + IOAT_CHANSTS) & CHANSTS_STATUS;
		if (sts == CHANSTS_DONE || sts == CHANSTS_HALTED)
			break;
	}
	return sts;
}

/* IOMMU_FAULT_QUEUE_ALLOC: the queue's object ID and its file. */
static inline int fault_queue_alloc(int fd, __u32 *fault_id, int *fault_fd)
{
	struct iommu_fault_alloc cmd = {.size = sizeof(cmd)};
	int rc = ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (!rc) {
		*fault_id = cmd.out_fault_id;
		*fault_fd = cmd.out_fault_fd;
	}
	return rc;
}

/* One record from the fault queue, within a few seconds. */
static inline int fault_read(int fault_fd, struct iommu_hwpt_pgfault *rec)
{
	struct pollfd p = {.fd = fault_fd, .events = POLLIN};

	if (poll(&p, 1, 5000) != 1)
		return -1;
	return read(fault_fd, rec, sizeof(*rec)) == sizeof(*rec) ? 0 : -1;
}

/* The response to the fault group whose last record had @cookie. */
static inline int fault_respond(int fault_fd, __u32 cookie, __u32 code)
{
	struct iommu_hwpt_page_response resp = {.cookie = cookie, .code = code};

	return write(fault_fd, &resp, sizeof(resp)) == sizeof(resp) ? 0 : -1;
}

#endif
