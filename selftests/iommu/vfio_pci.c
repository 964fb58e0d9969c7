// SPDX-License-Identifier: GPL-2.0
/*
 * The platform's PCI functions as a VMM reaches them: sysfs to find them,
 * the VFIO cdev bound to an iommufd, regions, interrupts, reset, and DMA
 * by the I/OAT engine through the IOMMU. Written against Linux's uAPI
 * only (sysfs paths, <linux/vfio.h>, <linux/iommufd.h>), so it runs the
 * same on a kernel with those devices as under `uiommufd run` on the
 * default platform, which it expects:
 *   0000:00:02.0  plain function 1b36:0005, PASID/ATS/PRI, /dev/vfio/devices/vfio0
 *   0000:00:03.0  Intel I/OAT 8086:2021, /dev/vfio/devices/vfio1
 *   0000:00:04.0  plain function 1b36:0005, no PASID, /dev/vfio/devices/vfio2
 * (and 0000:00:05.0, the edu device vfio_edu.c drives, which this leaves alone).
 * Only built as a plain program (the interposer build): the C API has no
 * sysfs or VFIO.
 */
#include "uiommufd_utils.h"
#include "vfio_dev.h"

#include <dirent.h>
#include <linux/vfio.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#define PLAIN_BDF "0000:00:02.0"
#define PLAIN_NOPASID_BDF "0000:00:04.0"

static int read_sysfs(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* What libvfio does: the cdev named in the device's vfio-dev directory. */

/* The group file of @bdf: /dev/vfio/<N>, N the last component of its iommu_group link. */
static int open_group(const char *bdf)
{
	char link[256], path[300];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* As attach_pt(), and *@pt_id is what the kernel wrote back. */
static int attach_pt_readback(int devfd, __u32 *pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = *pt_id,
	};
	int rc = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);

	if (!rc)
		*pt_id = attach.pt_id;
	return rc;
}

static int detach_pt(int devfd)
{
	struct vfio_device_detach_iommufd_pt detach = {.argsz = sizeof(detach)};

	return ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
}

/* ---- sysfs and device nodes ---- */

TEST(vfio_sysfs_identity)
{
	char buf[64], link[256];
	ssize_t n;

	ASSERT_EQ(0, read_sysfs("/sys/bus/pci/devices/" IOAT_BDF "/vendor", buf, sizeof(buf)));
	ASSERT_EQ(0x8086, strtoul(buf, NULL, 0));
	ASSERT_EQ(0, read_sysfs("/sys/bus/pci/devices/" IOAT_BDF "/device", buf, sizeof(buf)));
	ASSERT_EQ(0x2021, strtoul(buf, NULL, 0));

	/* libvfio takes the group number from the link's last component. */
	n = readlink("/sys/bus/pci/devices/" IOAT_BDF "/iommu_group", link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = 0;
	ASSERT_NE(NULL, strstr(link, "kernel/iommu_groups/"));
	n = readlink("/sys/bus/pci/devices/" IOAT_BDF "/driver", link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = 0;
	ASSERT_NE(NULL, strstr(link, "vfio-pci"));

	/* stdio and directories bypass an interposed open(): they must see it too. */
	FILE *f = fopen("/sys/bus/pci/devices/" PLAIN_BDF "/vendor", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	ASSERT_EQ(0x1b36, strtoul(buf, NULL, 0));
	ASSERT_EQ(0, access("/sys/kernel/iommu_groups", F_OK));
	ASSERT_EQ(0, access("/sys/class/iommu", F_OK));
	ASSERT_EQ(0, access("/sys/bus/iommufd_mock", F_OK));
	ASSERT_EQ(0, access("/dev/vfio/devices/vfio1", F_OK));
}

TEST(vfio_sysfs_bad_bdf)
{
	char buf[64];
	int fd;

	/* A function the machine does not have, and a name that is no BDF. */
	fd = open("/sys/bus/pci/devices/0000:00:1f.7/vendor", O_RDONLY);
	ASSERT_EQ(-1, fd);
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, read_sysfs("/sys/bus/pci/devices/garbage/vendor", buf, sizeof(buf)));
	ASSERT_EQ(-1, open("/dev/vfio/devices/vfio99", O_RDWR));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, open("/dev/vfio/98765", O_RDWR));
	ASSERT_EQ(ENOENT, errno);
}

/* ---- the cdev and its binding ---- */

FIXTURE(vfio_cdev)
{
	int iommufd;
	int devfd;
	__u32 ioas_id;
	unsigned long long leak_mark;
};

FIXTURE_SETUP(vfio_cdev)
{
	self->leak_mark = ufd_leak_mark();
	self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, ufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->devfd = open_cdev(IOAT_BDF);
	ASSERT_LE(0, self->devfd);
}

FIXTURE_TEARDOWN(vfio_cdev)
{
	close(self->devfd);
	close(self->iommufd);
	ASSERT_EQ(0UL, ufd_leak_report(self->leak_mark));
	ASSERT_EQ(0UL, ufd_harness_failures());
}

TEST_F(vfio_cdev, nothing_before_bind)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};
	char cfg[4];

	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_GET_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pread(self->devfd, cfg, sizeof(cfg),
			    REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX)));
	ASSERT_EQ(EINVAL, errno);
	__u32 pt = self->ioas_id;
	ASSERT_EQ(-1, attach_pt_readback(self->devfd, &pt));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(vfio_cdev, bind_errors)
{
	struct vfio_device_bind_iommufd bind = {.argsz = sizeof(bind), .iommufd = self->iommufd};
	int efd = eventfd(0, EFD_CLOEXEC), second;
	__u32 devid;

	ASSERT_EQ(-1, bind_iommufd(self->devfd, -2, NULL));
	ASSERT_EQ(EINVAL, errno);
	bind.argsz = 8;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(EINVAL, errno);
	bind.argsz = sizeof(bind);
	bind.flags = VFIO_DEVICE_BIND_FLAG_TOKEN << 1;	/* no such flag */
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(EINVAL, errno);
	/* A descriptor that is not an iommufd. */
	ASSERT_EQ(-1, bind_iommufd(self->devfd, efd, NULL));
	ASSERT_TRUE(errno == EBADFD || errno == EBADF);
	ASSERT_EQ(-1, bind_iommufd(self->devfd, 999, NULL));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, (void *)8));
	ASSERT_EQ(EFAULT, errno);

	ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, &devid));
	ASSERT_NE(0, devid);
	/* Once per file, and one bound file per device. */
	ASSERT_EQ(-1, bind_iommufd(self->devfd, self->iommufd, NULL));
	ASSERT_EQ(EINVAL, errno);
	second = open_cdev(IOAT_BDF);
	ASSERT_LE(0, second);
	ASSERT_EQ(-1, bind_iommufd(second, self->iommufd, NULL));
	ASSERT_EQ(EINVAL, errno);
	close(second);
	close(efd);
	/* The bound device is an iommufd object: destroying it is refused. */
	ASSERT_EQ(-1, ufd_destroy(self->iommufd, devid));
	ASSERT_EQ(EBUSY, errno);
}

/*
 * VFIO_DEVICE_BIND_FLAG_TOKEN: only an SR-IOV PF or VF has a token, and no
 * function here is either, so a token is refused with -EINVAL (as vfio-pci
 * refuses one for "not a PF or VF"); the UUID is read first (-EFAULT). The
 * struct is extensible: 16 bytes (before token_uuid_ptr) still bind, and
 * bytes past the 24 we know must be zero.
 */
TEST_F(vfio_cdev, bind_token)
{
	static const __u8 token[16] = {0xbd, 0x8d, 0x9d, 0x2b, 0x5a, 0x5f, 0x4f, 0x5a,
				       0xa2, 0x11, 0xf5, 0x91, 0x51, 0x4b, 0xa1, 0xf3};
	struct {
		struct vfio_device_bind_iommufd bind;
		__u64 beyond;
	} big = {};
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.flags = VFIO_DEVICE_BIND_FLAG_TOKEN,
		.iommufd = self->iommufd,
		.token_uuid_ptr = (uintptr_t)token,
	};
	__u32 devid;

	ASSERT_EQ(24, sizeof(bind));
	ASSERT_EQ(16, offsetof(struct vfio_device_bind_iommufd, token_uuid_ptr));
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(EINVAL, errno);
	bind.token_uuid_ptr = 8;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(EFAULT, errno);
	/* Without the flag the pointer is not read. */
	bind.flags = 0;
	big.bind = bind;
	big.bind.argsz = sizeof(big);
	big.beyond = 1;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, &big));
	ASSERT_EQ(E2BIG, errno);
	big.beyond = 0;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, &big));
	ASSERT_NE(0, big.bind.out_devid);

	/* A 16-byte struct from before token_uuid_ptr, on a fresh file. */
	close(self->devfd);
	self->devfd = open_cdev(IOAT_BDF);
	ASSERT_LE(0, self->devfd);
	bind.argsz = offsetof(struct vfio_device_bind_iommufd, token_uuid_ptr);
	bind.token_uuid_ptr = 8;	/* beyond argsz: never looked at */
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	devid = bind.out_devid;
	ASSERT_NE(0, devid);
}

/*
 * The legacy spelling of the same token, "<bdf> vf_token=<uuid>" in
 * VFIO_GROUP_GET_DEVICE_FD: refused for these functions with -EINVAL, as
 * are options other than one vf_token; a name that only starts with the
 * address is no device (-ENODEV); blanks after the address are allowed.
 */
TEST(vfio_group_vf_token)
{
	static const char uuid[] = "bd8d9d2b-5a5f-4f5a-a211-f591514ba1f3";
	struct vfio_group_status status = {.argsz = sizeof(status)};
	unsigned long long leak_mark;
	int container, group, devfd;
	char name[128];

	container = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, container);
	group = open_group(IOAT_BDF);
	ASSERT_LE(0, group);
	/* The group itself lives as long as the machine, as a kernel's does. */
	leak_mark = ufd_leak_mark();
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));

	snprintf(name, sizeof(name), IOAT_BDF " vf_token=%s", uuid);
	ASSERT_EQ(-1, ioctl(group, VFIO_GROUP_GET_DEVICE_FD, name));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(group, VFIO_GROUP_GET_DEVICE_FD, IOAT_BDF " vf_token=not-a-uuid"));
	ASSERT_EQ(EINVAL, errno);
	snprintf(name, sizeof(name), IOAT_BDF " vf_token=%.35sg", uuid);
	ASSERT_EQ(-1, ioctl(group, VFIO_GROUP_GET_DEVICE_FD, name));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(group, VFIO_GROUP_GET_DEVICE_FD, IOAT_BDF " other=1"));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(group, VFIO_GROUP_GET_DEVICE_FD, IOAT_BDF "1"));
	ASSERT_EQ(ENODEV, errno);

	devfd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, IOAT_BDF "  ");
	ASSERT_LE(0, devfd);
	close(devfd);
	close(group);
	close(container);
	ASSERT_EQ(0UL, ufd_leak_report(leak_mark));
}

/*
 * A process's files are released when it exits, before its parent's
 * wait() returns: a group file (opened once at a time) that a child left
 * open is free again for the next child, as the kernel's selftests rely on
 * when a failed test exits without cleaning up. With exit() and _exit(),
 * several times, since a late release shows as a race.
 */
TEST(vfio_group_released_at_exit)
{
	int group, status;
	pid_t pid;

	/* Something served first: the children are then clients of this process. */
	group = open_group(IOAT_BDF);
	ASSERT_LE(0, group);
	ASSERT_EQ(-1, open_group(IOAT_BDF));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, close(group));

	for (int i = 0; i < 16; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			int fd = open_group(IOAT_BDF);

			if (fd < 0)
				_exit(1);
			if (i & 1)
				_exit(0);
			exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
		group = open_group(IOAT_BDF);
		ASSERT_LE(0, group);
		ASSERT_EQ(0, close(group));
	}
}

TEST_F(vfio_cdev, attach_detach)
{
	struct vfio_device_attach_iommufd_pt attach = {.argsz = sizeof(attach)};
	__u32 pt = self->ioas_id, pt2;

	ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, NULL));
	ASSERT_EQ(0, attach_pt_readback(self->devfd, &pt));
	/* The IOAS was turned into an automatic HWPT. */
	ASSERT_NE(self->ioas_id, pt);
	/* Again: a replace. */
	pt2 = self->ioas_id;
	ASSERT_EQ(0, attach_pt_readback(self->devfd, &pt2));
	ASSERT_EQ(0, detach_pt(self->devfd));
	ASSERT_EQ(0, detach_pt(self->devfd));

	pt = UINT32_MAX;
	ASSERT_EQ(-1, attach_pt_readback(self->devfd, &pt));
	ASSERT_EQ(ENOENT, errno);
	attach.flags = 0x80;
	attach.pt_id = self->ioas_id;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	ASSERT_EQ(EINVAL, errno);
	/* The I/OAT has no PASID capability. */
	attach.flags = VFIO_DEVICE_ATTACH_PASID;
	attach.pasid = 1;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	ASSERT_EQ(EOPNOTSUPP, errno);
	attach.argsz = 8;
	attach.flags = 0;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(vfio_cdev, pasid_attach)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.flags = VFIO_DEVICE_ATTACH_PASID,
		.pasid = 5,
	};
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
		.flags = VFIO_DEVICE_DETACH_PASID,
		.pasid = 5,
	};
	struct iommu_hwpt_alloc alloc = {.size = sizeof(alloc), .flags = IOMMU_HWPT_ALLOC_PASID};
	int fd = open_cdev(PLAIN_BDF);
	__u32 devid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind_iommufd(fd, self->iommufd, &devid));
	/* A PASID attach needs a PASID-capable HWPT. */
	alloc.dev_id = devid;
	alloc.pt_id = self->ioas_id;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_HWPT_ALLOC, &alloc));
	attach.pt_id = alloc.out_hwpt_id;
	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, alloc.out_hwpt_id));
	close(fd);
}

TEST_F(vfio_cdev, close_unbinds)
{
	__u32 pt = self->ioas_id, devid;

	ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, &devid));
	ASSERT_EQ(0, attach_pt_readback(self->devfd, &pt));
	close(self->devfd);
	/* Gone with the file: the HWPT is free to go, the device ID unknown. */
	ASSERT_EQ(-1, ufd_destroy(self->iommufd, devid));
	ASSERT_EQ(ENOENT, errno);
	self->devfd = open_cdev(IOAT_BDF);
	ASSERT_LE(0, self->devfd);
	ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, NULL));
}

/* ---- regions, interrupts, reset ---- */

FIXTURE(vfio_dev)
{
	int iommufd;
	int devfd;
	__u32 ioas_id;
	__u32 hwpt_id;
};

FIXTURE_SETUP(vfio_dev)
{
	self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, ufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->devfd = open_cdev(IOAT_BDF);
	ASSERT_LE(0, self->devfd);
	ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, NULL));
	self->hwpt_id = self->ioas_id;
	ASSERT_EQ(0, attach_pt_readback(self->devfd, &self->hwpt_id));
}

FIXTURE_TEARDOWN(vfio_dev)
{
	close(self->devfd);
	close(self->iommufd);
}

TEST_F(vfio_dev, device_info)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};

	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_GET_INFO, &info));
	ASSERT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	ASSERT_TRUE(info.flags & VFIO_DEVICE_FLAGS_RESET);
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS, info.num_regions);
	ASSERT_EQ(VFIO_PCI_NUM_IRQS, info.num_irqs);
	info.argsz = 4;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_GET_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_PCI_HOT_RESET + 40, &info));
	ASSERT_EQ(ENOTTY, errno);
}

TEST_F(vfio_dev, region_info)
{
	struct {
		struct vfio_region_info info;
		__u8 caps[64];
	} r = {};
	struct vfio_info_cap_header *cap;

	r.info.argsz = sizeof(r.info);
	r.info.index = VFIO_PCI_CONFIG_REGION_INDEX;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(4096, r.info.size);
	ASSERT_EQ(REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX), r.info.offset);
	ASSERT_FALSE(r.info.flags & VFIO_REGION_INFO_FLAG_MMAP);

	/* BAR 0 holds the MSI-X table: mappable whole, and a capability says so. */
	r.info.index = VFIO_PCI_BAR0_REGION_INDEX;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(0x4000, r.info.size);
	ASSERT_TRUE(r.info.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_TRUE(r.info.flags & VFIO_REGION_INFO_FLAG_CAPS);
	ASSERT_EQ(0, r.info.cap_offset);
	ASSERT_LT(sizeof(r.info), r.info.argsz);
	r.info.argsz = sizeof(r);
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(sizeof(r.info), r.info.cap_offset);
	cap = (struct vfio_info_cap_header *)((__u8 *)&r + r.info.cap_offset);
	ASSERT_EQ(VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, cap->id);
	ASSERT_EQ(0, cap->next);

	r.info.argsz = sizeof(r.info);
	r.info.index = VFIO_PCI_BAR1_REGION_INDEX;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(0, r.info.size);
	ASSERT_EQ(0, r.info.flags);
	r.info.index = VFIO_PCI_VGA_REGION_INDEX;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(EINVAL, errno);
	r.info.index = 1000;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(EINVAL, errno);
	r.info.argsz = 8;
	r.info.index = 0;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(vfio_dev, config_space)
{
	__u64 cfg = REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	__u16 vendor, device, cmd;
	__u32 bar, val;

	ASSERT_EQ(2, pread(self->devfd, &vendor, 2, cfg + 0));
	ASSERT_EQ(0x8086, vendor);
	ASSERT_EQ(2, pread(self->devfd, &device, 2, cfg + 2));
	ASSERT_EQ(0x2021, device);

	/* Bus mastering starts off; the user turns it on and off. */
	ASSERT_EQ(2, pread(self->devfd, &cmd, 2, cfg + 4));
	ASSERT_FALSE(cmd & 0x4);
	cmd |= 0x4;
	ASSERT_EQ(2, pwrite(self->devfd, &cmd, 2, cfg + 4));
	ASSERT_EQ(2, pread(self->devfd, &cmd, 2, cfg + 4));
	ASSERT_TRUE(cmd & 0x4);
	cmd &= ~0x4;
	ASSERT_EQ(2, pwrite(self->devfd, &cmd, 2, cfg + 4));
	ASSERT_EQ(2, pread(self->devfd, &cmd, 2, cfg + 4));
	ASSERT_FALSE(cmd & 0x4);

	/* The BAR sizes like hardware in the user's view. */
	bar = 0xffffffff;
	ASSERT_EQ(4, pwrite(self->devfd, &bar, 4, cfg + 0x10));
	ASSERT_EQ(4, pread(self->devfd, &bar, 4, cfg + 0x10));
	ASSERT_EQ(~(0x4000u - 1), bar & ~0xfu);

	/* Extended config space reaches the device (I/OAT's CHANERR_INT at 0x180). */
	ASSERT_EQ(4, pread(self->devfd, &val, 4, cfg + 0x180));

	/* Past the end, and straddling it. */
	ASSERT_EQ(-1, pread(self->devfd, &val, 4, cfg + 4096));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, pread(self->devfd, &val, 4, cfg + 4094));
	ASSERT_EQ(EFAULT, errno);
	/* No ROM, no VGA, no such region. */
	ASSERT_EQ(-1, pread(self->devfd, &val, 4, REGION_OFFSET(VFIO_PCI_ROM_REGION_INDEX)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pread(self->devfd, &val, 4, REGION_OFFSET(20)));
	ASSERT_EQ(EINVAL, errno);
	/* read() has no offset to go by. */
	ASSERT_EQ(-1, read(self->devfd, &val, 4));
	ASSERT_EQ(ESPIPE, errno);
}

TEST_F(vfio_dev, bar_rw)
{
	__u64 bar0 = REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX);
	__u8 ver, xfercap;
	__u64 big[2];

	ASSERT_EQ(1, pread(self->devfd, &ver, 1, bar0 + IOAT_CBVER));
	ASSERT_TRUE(ver == 0x32 || ver == 0x33);
	ASSERT_EQ(1, pread(self->devfd, &xfercap, 1, bar0 + IOAT_XFERCAP));
	ASSERT_EQ(12, xfercap);
	/* Past the end: EINVAL; straddling: cut at the end. */
	ASSERT_EQ(-1, pread(self->devfd, big, 8, bar0 + 0x4000));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(4, pread(self->devfd, big, 16, bar0 + 0x4000 - 4));
	/* An empty BAR. */
	ASSERT_EQ(-1, pread(self->devfd, big, 8, REGION_OFFSET(VFIO_PCI_BAR2_REGION_INDEX)));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(vfio_dev, bar_mmap_rules)
{
	void *p;

	p = mmap(NULL, 0x4000, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->devfd,
		 REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX));
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	p = mmap(NULL, 0x8000, PROT_READ | PROT_WRITE, MAP_SHARED, self->devfd,
		 REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX));
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->devfd,
		 REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX));
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	/* A page of it, at an offset: fine. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->devfd,
		 REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX) + 0x3000);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, 4096));
}

/*
 * A BAR mapping is device memory (VM_IO): IOMMU_IOAS_MAP of its addresses
 * cannot pin it and fails with EFAULT, as get_user_pages() refuses such a
 * vma, leaving nothing mapped; the legacy container, iommufd's type1
 * compatibility, says the same. The mapping still reads as the BAR. (The
 * kernel side's probe of those pages must fail there, not be taken for a
 * device access by the interposer's trap.)
 */
TEST_F(vfio_dev, bar_not_dma_mappable)
{
	struct vfio_iommu_type1_dma_map dma_map = {
		.argsz = sizeof(dma_map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = 1ULL << 30,
		.size = 0x4000,
	};
	struct vfio_group_status status = {.argsz = sizeof(status)};
	int container, group, devfd;
	volatile __u8 *bar;

	bar = mmap(NULL, 0x4000, PROT_READ | PROT_WRITE, MAP_SHARED, self->devfd,
		   REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX));
	ASSERT_NE(MAP_FAILED, (void *)bar);
	ASSERT_EQ(-1, ufd_map_fixed(self->iommufd, self->ioas_id, (void *)bar, 0x4000, 1ULL << 30));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ufd_map_fixed(self->iommufd, self->ioas_id, (void *)(bar + 0x1000), 0x1000,
				    1ULL << 30));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ufd_unmap(self->iommufd, self->ioas_id, 1ULL << 30, 0x4000, NULL));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_TRUE(bar[IOAT_CBVER] == 0x32 || bar[IOAT_CBVER] == 0x33);

	/* The same through a container, with another function's group. */
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, container);
	group = open_group(PLAIN_BDF);
	ASSERT_LE(0, group);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	/* A device in the container, so a map has a domain to pin for. */
	devfd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, PLAIN_BDF);
	ASSERT_LE(0, devfd);
	dma_map.vaddr = (uintptr_t)bar;
	ASSERT_EQ(-1, ioctl(container, VFIO_IOMMU_MAP_DMA, &dma_map));
	ASSERT_EQ(EFAULT, errno);
	close(devfd);
	close(group);
	close(container);
	ASSERT_EQ(0, munmap((void *)bar, 0x4000));
}

TEST_F(vfio_dev, irq_info_and_msix)
{
	struct vfio_irq_info info = {.argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX};
	struct {
		struct vfio_irq_set set;
		__s32 fd;
	} s = {};
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	__u64 count = 0;

	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_GET_IRQ_INFO, &info));
	ASSERT_LE(1, info.count);
	ASSERT_TRUE(info.flags & VFIO_IRQ_INFO_EVENTFD);
	info.index = VFIO_PCI_INTX_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_GET_IRQ_INFO, &info));
	ASSERT_EQ(0, info.count);
	info.index = VFIO_PCI_NUM_IRQS;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_GET_IRQ_INFO, &info));
	ASSERT_EQ(EINVAL, errno);

	s.set.argsz = sizeof(s);
	s.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s.set.index = VFIO_PCI_MSIX_IRQ_INDEX;
	s.set.count = 1;
	s.fd = efd;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
	ASSERT_EQ(-1, read(efd, &count, sizeof(count)));
	ASSERT_EQ(EAGAIN, errno);
	/* Fired from software: one count on the eventfd. */
	s.set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	s.set.argsz = sizeof(s.set);
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
	ASSERT_EQ(8, read(efd, &count, sizeof(count)));
	ASSERT_EQ(1, count);

	/* MSI while MSI-X is on; a vector past the end; masking MSI-X. */
	s.set.index = VFIO_PCI_MSI_IRQ_INDEX;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
	ASSERT_EQ(EINVAL, errno);
	s.set.index = VFIO_PCI_MSIX_IRQ_INDEX;
	s.set.start = 100;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
	ASSERT_EQ(EINVAL, errno);
	s.set.start = 0;
	s.set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
	ASSERT_EQ(ENOTTY, errno);
	/* Not an eventfd. */
	s.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s.set.argsz = sizeof(s);
	s.fd = self->iommufd;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
	ASSERT_EQ(EINVAL, errno);
	/* Too short for its data. */
	s.set.argsz = sizeof(s.set) + 2;
	ASSERT_EQ(-1, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
	ASSERT_EQ(EINVAL, errno);
	/* Disable. */
	s.set.argsz = sizeof(s.set);
	s.set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	s.set.count = 0;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));
	close(efd);
}

TEST_F(vfio_dev, reset)
{
	__u64 cfg = REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	__u16 cmd = 0x6;

	ASSERT_EQ(2, pwrite(self->devfd, &cmd, 2, cfg + 4));
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_RESET));
	/* The host restores what it had saved around the function-level reset. */
	ASSERT_EQ(2, pread(self->devfd, &cmd, 2, cfg + 4));
	ASSERT_EQ(0x6, cmd & 0x6);
}

/* ---- DMA: the I/OAT copies through the IOMMU ---- */

FIXTURE(vfio_ioat)
{
	int iommufd;
	int devfd;
	__u32 ioas_id;
	volatile __u8 *bar;
	__u8 *buf;		/* descriptors and data, mapped at iova */
	__u64 iova;
	int msi;
};

#define IOAT_BUF_SIZE (2UL << 20)

static void ioat_writeq(volatile __u8 *bar, unsigned off, __u64 v) { *(volatile __u64 *)(bar + off) = v; }
static void ioat_writew(volatile __u8 *bar, unsigned off, __u16 v) { *(volatile __u16 *)(bar + off) = v; }
static void ioat_writeb(volatile __u8 *bar, unsigned off, __u8 v) { *(volatile __u8 *)(bar + off) = v; }
static __u64 ioat_readq(volatile __u8 *bar, unsigned off) { return *(volatile __u64 *)(bar + off); }
static __u32 ioat_readl(volatile __u8 *bar, unsigned off) { return *(volatile __u32 *)(bar + off); }
static __u8 ioat_readb(volatile __u8 *bar, unsigned off) { return *(volatile __u8 *)(bar + off); }

FIXTURE_SETUP(vfio_ioat)
{
	struct {
		struct vfio_irq_set set;
		__s32 fd;
	} s = {};
	__u64 cfg = REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	__u32 pt;
	__u16 cmd = 0x0406;	/* MEMORY | MASTER | INTX_DISABLE */
	int i;

	self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, ufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->devfd = open_cdev(IOAT_BDF);
	ASSERT_LE(0, self->devfd);
	ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, NULL));
	pt = self->ioas_id;
	ASSERT_EQ(0, attach_pt_readback(self->devfd, &pt));

	self->buf = mmap(NULL, IOAT_BUF_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	self->iova = 1UL << 32;
	/* Two areas, so that a test can unmap the second alone. */
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, self->buf, IOAT_BUF_SIZE / 2,
				   self->iova));
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, self->buf + IOAT_BUF_SIZE / 2,
				   IOAT_BUF_SIZE / 2, self->iova + IOAT_BUF_SIZE / 2));
	self->bar = mmap(NULL, 0x4000, PROT_READ | PROT_WRITE, MAP_SHARED, self->devfd,
			 REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX));
	ASSERT_NE(MAP_FAILED, self->bar);
	ASSERT_EQ(2, pwrite(self->devfd, &cmd, 2, cfg + 4));

	self->msi = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s.set.argsz = sizeof(s);
	s.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s.set.index = VFIO_PCI_MSIX_IRQ_INDEX;
	s.set.count = 1;
	s.fd = self->msi;
	ASSERT_EQ(0, ioctl(self->devfd, VFIO_DEVICE_SET_IRQS, &s));

	/* Reset the channel: the reset bit clears and the channel halts. */
	ioat_writeb(self->bar, IOAT_CHANCMD, CHANCMD_RESET);
	for (i = 0; i < 1000 && (ioat_readb(self->bar, IOAT_CHANCMD) & CHANCMD_RESET); i++)
		;
	ASSERT_EQ(0, ioat_readb(self->bar, IOAT_CHANCMD) & CHANCMD_RESET);
	ASSERT_EQ(CHANSTS_HALTED, ioat_readq(self->bar, IOAT_CHANSTS) & CHANSTS_STATUS);
	ioat_writeb(self->bar, IOAT_INTRCTRL, 0x08);	/* per-channel MSI-X vectors */
}

FIXTURE_TEARDOWN(vfio_ioat)
{
	munmap((void *)self->bar, 0x4000);
	close(self->devfd);
	close(self->iommufd);
	munmap(self->buf, IOAT_BUF_SIZE);
	close(self->msi);
}

/* One descriptor at the start of the buffer copying @size bytes; its final status. */
static __u64 ioat_copy(struct _test_data_vfio_ioat *self, __u64 src, __u64 dst, __u32 size,
		       __u32 ctl)
{
	struct ioat_desc *desc = (struct ioat_desc *)self->buf;
	__u64 sts;
	int i;

	memset(desc, 0, sizeof(*desc));
	desc->size = size;
	desc->ctl = ctl;
	desc->src_addr = src;
	desc->dst_addr = dst;
	desc->next = self->iova;
	ioat_writeq(self->bar, IOAT_CHAINADDR, self->iova);
	ioat_writew(self->bar, IOAT_CHANCTRL, CHANCTRL_INT_REARM | CHANCTRL_ANY_ERR_ABORT_EN);
	ioat_writew(self->bar, IOAT_DMACOUNT, 1);
	for (i = 0; i < 100000; i++) {
		sts = ioat_readq(self->bar, IOAT_CHANSTS) & CHANSTS_STATUS;
		if (sts == CHANSTS_DONE || sts == CHANSTS_HALTED)
			break;
	}
	return sts;
}

TEST_F(vfio_ioat, memcpy)
{
	__u8 *src = self->buf + 4096, *dst = self->buf + 8192;
	__u64 count;

	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, self->iova + 4096, self->iova + 8192, 4096, 0));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	/* No interrupt was asked for. */
	ASSERT_EQ(-1, read(self->msi, &count, sizeof(count)));
	ASSERT_EQ(EAGAIN, errno);

	/* The same with an interrupt: one MSI-X message on vector 0's eventfd. */
	memset(dst, 'y', 4096);
	ioat_writeb(self->bar, IOAT_CHANCMD, CHANCMD_RESET);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, self->iova + 4096, self->iova + 8192, 4096,
					  DESC_INT_EN));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	ASSERT_EQ(8, read(self->msi, &count, sizeof(count)));
	ASSERT_EQ(1, count);
}

TEST_F(vfio_ioat, memcpy_from_unmapped_iova)
{
	__u64 count;

	/* Nothing is mapped at 0: the read is refused, the channel halts, no MSI. */
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, 0, self->iova + 8192, 4096, DESC_INT_EN));
	ASSERT_TRUE(ioat_readl(self->bar, IOAT_CHANERR) & CHANERR_READ_DATA_ERR);
	ASSERT_EQ(-1, read(self->msi, &count, sizeof(count)));
	ASSERT_EQ(EAGAIN, errno);
}

TEST_F(vfio_ioat, memcpy_to_unmapped_iova)
{
	__u8 *src = self->buf + 4096;

	memset(src, 'x', 4096);
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, self->iova + 4096, 1UL << 40, 4096, 0));
	ASSERT_TRUE(ioat_readl(self->bar, IOAT_CHANERR) & CHANERR_WRITE_DATA_ERR);
}

TEST_F(vfio_ioat, dma_after_unmap_and_detach)
{
	/* Unmapped from the IOAS: the IOMMU refuses what it mapped a moment ago. */
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, self->iova + 4096, self->iova + 8192, 4096, 0));
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, self->iova + (1UL << 20), 1UL << 20,
			       NULL));
	ioat_writeb(self->bar, IOAT_CHANCMD, CHANCMD_RESET);
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, self->iova + 4096, self->iova + (1UL << 20),
					    4096, 0));
	/* Detached: blocked, even the descriptor fetch fails. */
	ioat_writeb(self->bar, IOAT_CHANCMD, CHANCMD_RESET);
	ASSERT_EQ(0, detach_pt(self->devfd));
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, self->iova + 4096, self->iova + 8192, 4096, 0));
}

TEST_F(vfio_ioat, no_dma_without_bus_master)
{
	__u64 cfg = REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	__u16 cmd = 0x0402;

	ASSERT_EQ(2, pwrite(self->devfd, &cmd, 2, cfg + 4));
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, self->iova + 4096, self->iova + 8192, 4096, 0));
}

TEST_HARNESS_MAIN
