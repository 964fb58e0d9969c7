// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD HW-vIOMMU through the 2023 RFC's ioctls (linux/amd_viommu.h) as
 * its VMM would use them: a guest made by VIOMMU_IOMMU_INIT on the IOMMU
 * at 00:00.2, the I/OAT function attached to it by PCI DeviceID, a nested
 * HWPT on the nest parent carrying the guest's DTE, its gDomID mapped by
 * VIOMMU_DOMAIN_ATTACH, the guest's register writes replayed through
 * VIOMMU_MMIO_ACCESS and its command buffer handed over by address
 * (VIOMMU_CMDBUF_UPDATE). Then the guest's INVALIDATE_IOMMU_PAGES +
 * COMPLETION_WAIT from its own buffer, run by the IOMMU on the CmdTail
 * write, is what makes the device see its new PTE: the same scenario as
 * amd_dma's hw_viommu_guest_cmdbuf on the objects. And every field of
 * every command given hostile values.
 *
 * Needs the amd platform (`uiommufd run --platform amd -- ./amd_viommu_rfc`)
 * with the I/OAT function at 0000:00:03.0; elsewhere every test is skipped.
 */
#include "amd_fixture.h"

#include <linux/amd_viommu.h>

#define AMD_IOMMU_ID 0x0002		/* 00:00.2 */
#define IOAT_DEVID 0x0018		/* 00:03.0 */
#define PLAIN_DEVID 0x0010		/* 00:02.0, never bound here */
#define GDEV_ID 0x0028			/* the guest's DeviceID of the I/OAT function */


static int rfc_init(int fd, __u32 iommu_id, __u32 *gid)
{
	struct amd_viommu_iommu_info cmd = { .size = sizeof(cmd), .iommu_id = iommu_id };
	int rc = ufd_ioctl(fd, VIOMMU_IOMMU_INIT, &cmd);

	if (!rc && gid)
		*gid = cmd.gid;
	return rc;
}

static int rfc_destroy(int fd, __u32 gid)
{
	struct amd_viommu_iommu_info cmd = {
		.size = sizeof(cmd), .iommu_id = AMD_IOMMU_ID, .gid = gid,
	};

	return ufd_ioctl(fd, VIOMMU_IOMMU_DESTROY, &cmd);
}

static int rfc_dev(int fd, unsigned long op, __u32 gid, __u16 hdev, __u16 gdev, __u16 queue)
{
	struct amd_viommu_dev_info cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.iommu_id = AMD_IOMMU_ID;
	cmd.gid = gid;
	cmd.hdev_id = hdev;
	cmd.gdev_id = gdev;
	cmd.queue_id = queue;
	return ufd_ioctl(fd, op, &cmd);
}

static int rfc_dom(int fd, unsigned long op, __u32 gid, __u16 gdev, __u16 gdom)
{
	struct amd_viommu_dom_info cmd = {
		.size = sizeof(cmd), .iommu_id = AMD_IOMMU_ID, .gid = gid,
		.gdev_id = gdev, .gdom_id = gdom,
	};

	return ufd_ioctl(fd, op, &cmd);
}

static int rfc_mmio(int fd, __u32 gid, __u32 offset, __u32 size, __u8 is_write, __u64 *value)
{
	struct amd_viommu_mmio_data cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.iommu_id = AMD_IOMMU_ID;
	cmd.gid = gid;
	cmd.offset = offset;
	cmd.value = is_write ? *value : 0;
	cmd.mmio_size = size;
	cmd.is_write = is_write;
	rc = ufd_ioctl(fd, VIOMMU_MMIO_ACCESS, &cmd);
	if (!rc && !is_write)
		*value = cmd.value;
	return rc;
}

static int rfc_writeq(int fd, __u32 gid, __u32 offset, __u64 value)
{
	return rfc_mmio(fd, gid, offset, 8, 1, &value);
}

static __u64 rfc_readq(int fd, __u32 gid, __u32 offset)
{
	__u64 value = ~0ULL;

	if (rfc_mmio(fd, gid, offset, 8, 0, &value))
		return ~0ULL;
	return value;
}

static int rfc_cmdbuf(int fd, __u32 gid, __u32 size, void *hva)
{
	struct amd_viommu_cmdbuf_data cmd = {
		.size = sizeof(cmd), .iommu_id = AMD_IOMMU_ID, .gid = gid,
		.cmdbuf_size = size, .hva = (uintptr_t)hva,
	};

	return ufd_ioctl(fd, VIOMMU_CMDBUF_UPDATE, &cmd);
}

/* A nested HWPT on the nest parent (no vIOMMU object): the guest's DTE for @gdom. */
static int rfc_nested_alloc(struct _test_data_amd *self, __u16 gdom, __u32 *out)
{
	struct iommu_hwpt_amd_guest g;

	guest_dte(&g, gpa(PG_GCR3), gdom);
	return gdte_alloc(self->iommufd, self->dev_id, self->parent_id, &g,
			  IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), out);
}

/* The VMM's side up to a running guest: parent, guest, device, nested HWPT, gDomID. */
static void rfc_vmm_guest(struct __test_metadata *_metadata, struct _test_data_amd *self,
			  __u32 *gid)
{
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	ASSERT_EQ(0, attach_pt(self->devfd, self->parent_id));
	ASSERT_EQ(0, rfc_init(self->iommufd, AMD_IOMMU_ID, gid));
	ASSERT_EQ(0, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, *gid, IOAT_DEVID, GDEV_ID, 0));
	guest_build_s1(self);
	ASSERT_EQ(0, rfc_nested_alloc(self, GDOM_ID, &self->nested_id));
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));
	ASSERT_EQ(0, rfc_dom(self->iommufd, VIOMMU_DOMAIN_ATTACH, *gid, GDEV_ID, GDOM_ID));
}

static bool rfc_has_hw_viommu(struct _test_data_amd *self)
{
	__u32 gid;

	if (rfc_init(self->iommufd, AMD_IOMMU_ID, &gid))
		return false;
	return !rfc_destroy(self->iommufd, gid);
}

/*
 * The guest's command buffer, the RFC way: the VMM replays the guest's
 * Command Buffer Base, Event Log Base and Control writes, hands the
 * buffer's pages over by address, and replays each CmdTail write. The
 * only calls between the guest's PTE change and the translation it sees
 * next are the guest's own register writes; the IOMMU ran its commands
 * with its DomainID mapped to the host's, and stored its semaphore.
 */
TEST_F(amd, rfc_guest_cmdbuf)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *pt = guest_page(self, PG_L0 + 3);
	__u32 *cmd = (__u32 *)guest_page(self, PG_CMDBUF);
	__u32 *evt = (__u32 *)guest_page(self, PG_EVTLOG);
	volatile __u64 *sem = guest_page(self, PG_SEM);
	__u64 tail = 32;
	__u32 gid;

	if (!rfc_has_hw_viommu(self))
		SKIP(return, "no HW-vIOMMU");
	rfc_vmm_guest(_metadata, self, &gid);

	/* The guest's driver brings its IOMMU up */
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CMD_BUF, gpa(PG_CMDBUF) | BUF_LEN_4K));
	ASSERT_EQ(0, rfc_cmdbuf(self->iommufd, gid, 4096, cmd));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_EVT_BUF, gpa(PG_EVTLOG) | BUF_LEN_4K));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_PPR_BUF, gpa(PG_PPRLOG) | BUF_LEN_4K));
	ASSERT_EQ(gpa(PG_PPRLOG) | BUF_LEN_4K, rfc_readq(self->iommufd, gid, G_PPR_BUF));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CONTROL,
				CTRL_IOMMU_EN | CTRL_EVT_LOG_EN | CTRL_CMDBUF_EN | CTRL_PPR_LOG_EN |
					CTRL_PPR_EN));
	ASSERT_EQ(CTRL_IOMMU_EN | CTRL_EVT_LOG_EN | CTRL_CMDBUF_EN | CTRL_PPR_LOG_EN | CTRL_PPR_EN,
		  rfc_readq(self->iommufd, gid, G_CONTROL));
	ASSERT_TRUE(rfc_readq(self->iommufd, gid, G_STATUS) & STATUS_CMDBUF_RUN);
	ASSERT_TRUE(rfc_readq(self->iommufd, gid, G_STATUS) & STATUS_PPR_RUN);
	ASSERT_EQ(0, rfc_readq(self->iommufd, gid, G_PPR_TAIL));
	/* Its buffer is the guest's: a second while it runs is refused */
	ASSERT_EQ(-1, rfc_cmdbuf(self->iommufd, gid, 4096, cmd));
	ASSERT_EQ(EBUSY, errno);

	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	memset(alt, 'z', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	/* The guest points DST at ALT: cached, the device does not see it yet */
	pt[PG_DST] = gpa(PG_ALT) | G_PTE;
	guest_cmd_inv_wait(cmd, GDOM_ID, gpa(PG_SEM), 0x600d);
	*sem = 0;
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('x', dst[0]);
	ASSERT_EQ('z', alt[0]);
	ASSERT_EQ(0, *sem);

	/* Its CmdTail write (a 32-bit store, as Linux's writel()) runs both commands */
	ASSERT_EQ(0, rfc_mmio(self->iommufd, gid, G_CMD_TAIL, 4, 1, &tail));
	ASSERT_EQ(0x600d, *sem);
	ASSERT_EQ(32, rfc_readq(self->iommufd, gid, G_CMD_HEAD));

	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('y', dst[0]);
	ASSERT_EQ(0, memcmp(src, alt, 4096));

	/* Its device's fault lands in its event log, with its DeviceID */
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(100), 4096));
	ASSERT_EQ(16, rfc_readq(self->iommufd, gid, G_EVT_TAIL));
	ASSERT_EQ(EVT_IO_PAGE_FAULT, evt[1] >> 28);
	ASSERT_EQ(GDEV_ID, evt[0] & 0xffff);

	/* The VMM detaches the gDomID: the guest's next invalidation is illegal */
	ASSERT_EQ(0, rfc_dom(self->iommufd, VIOMMU_DOMAIN_DETACH, gid, GDEV_ID, GDOM_ID));
	guest_cmd_inv_wait(cmd + 8, GDOM_ID, gpa(PG_SEM), 0xbad);
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CMD_TAIL, 64));
	ASSERT_FALSE(rfc_readq(self->iommufd, gid, G_STATUS) & STATUS_CMDBUF_RUN);
	ASSERT_EQ(32, rfc_readq(self->iommufd, gid, G_CMD_HEAD));
	ASSERT_EQ(0x600d, *sem);
	ASSERT_EQ(32, rfc_readq(self->iommufd, gid, G_EVT_TAIL));
	ASSERT_EQ(EVT_ILLEGAL_COMMAND, evt[5] >> 28);

	/* Teardown in the VMM's order; the guest holds on while anything is in it */
	ASSERT_EQ(-1, rfc_destroy(self->iommufd, gid));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, rfc_dev(self->iommufd, VIOMMU_DEVICE_DETACH, gid, IOAT_DEVID, GDEV_ID, 0));
	ASSERT_EQ(-1, rfc_destroy(self->iommufd, gid));	/* the nested HWPT */
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->nested_id));
	ASSERT_EQ(0, rfc_destroy(self->iommufd, gid));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->parent_id));
}

/*
 * The guest's PPR log, the RFC way: the edu function (PRI) attached to the
 * guest by PCI DeviceID, its nested HWPT (guest DTE with PPR) on the nest
 * parent, the guest's PPR Log Base and Control PPRLogEn/PPREn replayed.
 * The device's page request lands in the guest's log with its DeviceID;
 * the guest's COMPLETE_PPR_REQUEST from its buffer, run on its CmdTail
 * write, lets the device retry and finish. Detaching the device with a
 * request still in the log answers it, so the device does not wait.
 */
TEST_F(amd, rfc_guest_ppr_log)
{
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *pt = guest_page(self, PG_L0 + 3);
	__u32 *cmd = (__u32 *)guest_page(self, PG_CMDBUF);
	__u64 *ppr = guest_page(self, PG_PPRLOG);
	volatile __u64 *sem = guest_page(self, PG_SEM);
	struct iommu_hwpt_amd_guest g;
	__u32 gid, edu_id, parent, nested, fault_id;
	volatile __u8 *bar;
	int edufd, fault_fd;

	if (!rfc_has_hw_viommu(self))
		SKIP(return, "no HW-vIOMMU");
	edufd = edu_open(_metadata, self, &edu_id, &bar);
	if (edufd < 0)
		SKIP(return, "no edu function at " EDU_BDF);
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, edu_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, attach_pt(edufd, parent));
	ASSERT_EQ(0, rfc_init(self->iommufd, AMD_IOMMU_ID, &gid));
	ASSERT_EQ(0, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, gid, EDU_DEVID, EDU_GDEV, 0));
	guest_build_s1(self);
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	g.dte[0] |= DTE0_PPR;
	ASSERT_EQ(0, fault_queue_alloc(self->iommufd, &fault_id, &fault_fd));
	ASSERT_EQ(0, gdte_alloc_fault(self->iommufd, edu_id, parent, &g, fault_id, &nested));
	ASSERT_EQ(0, attach_pt(edufd, nested));
	ASSERT_EQ(0, rfc_dom(self->iommufd, VIOMMU_DOMAIN_ATTACH, gid, EDU_GDEV, GDOM_ID));

	/* The guest's driver brings its IOMMU up, PPR log included */
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CMD_BUF, gpa(PG_CMDBUF) | BUF_LEN_4K));
	ASSERT_EQ(0, rfc_cmdbuf(self->iommufd, gid, 4096, cmd));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_PPR_BUF, gpa(PG_PPRLOG) | BUF_LEN_4K));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CONTROL,
				CTRL_IOMMU_EN | CTRL_CMDBUF_EN | CTRL_PPR_EN | CTRL_PPR_LOG_EN));

	memset(alt, 0, 4096);
	for (int i = 0; i < 16; i++)
		*(volatile __u32 *)(bar + EDU_BUF + 4 * i) = 0x7fc00000 + i;
	ASSERT_EQ(EDU_STS_PAGE_REQ, edu_to_ram(bar, gva(PG_HOLE), 64));
	ASSERT_EQ(16, rfc_readq(self->iommufd, gid, G_PPR_TAIL));
	ASSERT_EQ(EDU_GDEV, ppr[0] & 0xffff);
	ASSERT_EQ(gva(PG_HOLE), ppr[1]);

	/* The guest maps the page and answers from its buffer; one CmdTail write */
	pt[PG_HOLE] = gpa(PG_ALT) | G_PTE;
	guest_cmd_inv_wait(cmd, GDOM_ID, gpa(PG_SEM), 0x77);
	memcpy(cmd + 8, cmd + 4, 16);
	guest_cmd_complete_ppr(cmd + 4, EDU_GDEV, (ppr[0] >> 32) & 0x1ff);
	*sem = 0;
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CMD_TAIL, 48));
	ASSERT_EQ(0x77, *sem);
	ASSERT_EQ(0, edu_wait(bar));
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(0x7fc00000 + i, *(__u32 *)(alt + 4 * i));

	/* A request left in the log when the device leaves the guest is answered */
	ASSERT_EQ(EDU_STS_PAGE_REQ, edu_to_ram(bar, gva(PG_HOLE + 1), 16));
	ASSERT_EQ(32, rfc_readq(self->iommufd, gid, G_PPR_TAIL));
	ASSERT_EQ(0, rfc_dev(self->iommufd, VIOMMU_DEVICE_DETACH, gid, EDU_DEVID, EDU_GDEV, 0));
	ASSERT_EQ(EDU_STS_REFUSED, edu_wait(bar));

	edu_unnest(_metadata, self, edufd, nested, fault_id, fault_fd);
	ASSERT_EQ(0, rfc_destroy(self->iommufd, gid));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, parent));
	edu_close(edufd, bar);
}

/* Each command's fields given what a VMM must not give, each with its errno. */
TEST_F(amd, rfc_errnos)
{
	struct amd_viommu_iommu_info big[2];
	__u32 *cmd = (__u32 *)guest_page(self, PG_CMDBUF);
	__u32 gid, other_gid, id;
	__u64 v = 0;
	void *hole;
	int fd2;

	if (!rfc_has_hw_viommu(self))
		SKIP(return, "no HW-vIOMMU");

	/* Sizes and numbers */
	memset(big, 0, sizeof(big));
	big[0].size = 8;
	big[0].iommu_id = AMD_IOMMU_ID;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, VIOMMU_IOMMU_INIT, big));
	ASSERT_EQ(EINVAL, errno);
	big[0].size = sizeof(big);
	big[1].size = 1;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, VIOMMU_IOMMU_INIT, big));
	ASSERT_EQ(E2BIG, errno);
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, _IO(IOMMUFD_TYPE, IOMMUFD_CMD_CMDBUF_UPDATE + 1),
				big));
	ASSERT_EQ(ENOTTY, errno);

	/* Unknown IOMMUs; one guest per iommufd and IOMMU */
	ASSERT_EQ(-1, rfc_init(self->iommufd, 0x1234, &gid));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(-1, rfc_init(self->iommufd, 0x10002, &gid));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(0, rfc_init(self->iommufd, AMD_IOMMU_ID, &gid));
	ASSERT_EQ(-1, rfc_init(self->iommufd, AMD_IOMMU_ID, &id));
	ASSERT_EQ(EEXIST, errno);

	/* Another context's guest is not ours to name */
	fd2 = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, rfc_init(fd2, AMD_IOMMU_ID, &other_gid));
	ASSERT_NE(gid, other_gid);
	ASSERT_EQ(-1, rfc_destroy(self->iommufd, other_gid));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, other_gid, G_CONTROL, 0));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, other_gid, IOAT_DEVID,
			      GDEV_ID, 0));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, close(fd2));	/* its guest goes with it */

	/* Devices: unbound, a queue, not on a nest parent */
	ASSERT_EQ(-1, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, gid, PLAIN_DEVID, GDEV_ID, 0));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(-1, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, gid, IOAT_DEVID, GDEV_ID, 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(-1, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, gid, IOAT_DEVID, GDEV_ID, 0));
	ASSERT_EQ(EINVAL, errno);

	/* A nested HWPT on a parent for a device in no guest */
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	guest_build_s1(self);
	ASSERT_EQ(-1, rfc_nested_alloc(self, GDOM_ID, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, attach_pt(self->devfd, self->parent_id));
	ASSERT_EQ(0, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, gid, IOAT_DEVID, GDEV_ID, 0));
	ASSERT_EQ(-1, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, gid, IOAT_DEVID, GDEV_ID, 0));
	ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(-1, rfc_dev(self->iommufd, VIOMMU_DEVICE_ATTACH, gid, IOAT_DEVID, GDEV_ID + 1,
			      0));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(-1, rfc_dev(self->iommufd, VIOMMU_DEVICE_DETACH, gid, IOAT_DEVID, GDEV_ID + 1,
			      0));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, rfc_dev(self->iommufd, VIOMMU_DEVICE_DETACH, gid, PLAIN_DEVID, GDEV_ID, 0));
	ASSERT_EQ(EINVAL, errno);

	/* Domains: an unknown guest device, the device not on a nested HWPT, another gDomID */
	ASSERT_EQ(-1, rfc_dom(self->iommufd, VIOMMU_DOMAIN_ATTACH, gid, GDEV_ID + 1, GDOM_ID));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, rfc_dom(self->iommufd, VIOMMU_DOMAIN_ATTACH, gid, GDEV_ID, GDOM_ID));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, rfc_nested_alloc(self, GDOM_ID, &self->nested_id));
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));
	ASSERT_EQ(-1, rfc_dom(self->iommufd, VIOMMU_DOMAIN_ATTACH, gid, GDEV_ID, GDOM_ID + 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, rfc_dom(self->iommufd, VIOMMU_DOMAIN_ATTACH, gid, GDEV_ID, GDOM_ID));

	/* Registers: offsets, sizes, alignment, direction, lengths, an enable too early */
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, 0x2028, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, 0x3000, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, 0x0020, 0));	/* the host's exclusion base */
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_mmio(self->iommufd, gid, G_CMD_TAIL, 2, 1, &v));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_mmio(self->iommufd, gid, G_CMD_TAIL + 4, 8, 1, &v));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_mmio(self->iommufd, gid, G_CMD_TAIL, 8, 2, &v));
	ASSERT_EQ(EINVAL, errno);
	v = 1ULL << 32;
	ASSERT_EQ(-1, rfc_mmio(self->iommufd, gid, G_CMD_TAIL, 4, 1, &v));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_CMDBUF_EN));
	ASSERT_EQ(ENXIO, errno);
	/*
	 * Base registers take what the guest writes (a 32-bit guest's low half
	 * first has no length in it yet); a length outside 8..15, or none, is
	 * refused when its enable rises, and the refused Control write changes
	 * nothing, not even an enable that was fine
	 */
	v = (__u32)gpa(PG_PPRLOG);
	ASSERT_EQ(0, rfc_mmio(self->iommufd, gid, G_PPR_BUF, 4, 1, &v));
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_PPR_LOG_EN));
	ASSERT_EQ(EINVAL, errno);
	v = (gpa(PG_PPRLOG) | BUF_LEN_4K) >> 32;
	ASSERT_EQ(0, rfc_mmio(self->iommufd, gid, G_PPR_BUF + 4, 4, 1, &v));
	ASSERT_EQ(gpa(PG_PPRLOG) | BUF_LEN_4K, rfc_readq(self->iommufd, gid, G_PPR_BUF));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_EVT_BUF, gpa(PG_EVTLOG) | (3ULL << 56)));
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_EVT_LOG_EN | CTRL_PPR_LOG_EN));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_FALSE(rfc_readq(self->iommufd, gid, G_STATUS) & STATUS_PPR_RUN);
	ASSERT_EQ(0, rfc_readq(self->iommufd, gid, G_CONTROL));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_PPR_BUF, gpa(PG_PPRLOG) | (16ULL << 56)));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_EVT_BUF, gpa(PG_EVTLOG) | BUF_LEN_4K));
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_EVT_LOG_EN | CTRL_PPR_LOG_EN));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, rfc_readq(self->iommufd, gid, G_CONTROL));
	/* PPREn toggles with the log running; PPRLogEn off stops it */
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_PPR_BUF, gpa(PG_PPRLOG) | BUF_LEN_4K));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_PPR_LOG_EN | CTRL_PPR_EN));
	ASSERT_TRUE(rfc_readq(self->iommufd, gid, G_STATUS) & STATUS_PPR_RUN);
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_PPR_LOG_EN));
	ASSERT_EQ(CTRL_PPR_LOG_EN, rfc_readq(self->iommufd, gid, G_CONTROL));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CONTROL, 0));
	ASSERT_FALSE(rfc_readq(self->iommufd, gid, G_STATUS) & STATUS_PPR_RUN);
	/* ComLen out of range with a buffer handed over */
	ASSERT_EQ(0, rfc_cmdbuf(self->iommufd, gid, 4096, cmd));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CMD_BUF, gpa(PG_CMDBUF) | (3ULL << 56)));
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_CMDBUF_EN));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_FALSE(rfc_readq(self->iommufd, gid, G_STATUS) & STATUS_CMDBUF_RUN);

	/* Command buffers: sizes, alignment, memory the VMM does not have */
	ASSERT_EQ(-1, rfc_cmdbuf(self->iommufd, gid, 3 * 4096, cmd));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_cmdbuf(self->iommufd, gid, 2048, cmd));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_cmdbuf(self->iommufd, gid, 1 << 20, self->buf));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, rfc_cmdbuf(self->iommufd, gid, 4096, (__u8 *)cmd + 16));
	ASSERT_EQ(EINVAL, errno);
	hole = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, 8192));
	ASSERT_EQ(-1, rfc_cmdbuf(self->iommufd, gid, 8192, hole));
	ASSERT_EQ(EFAULT, errno);
	/* One page short: the second page of the buffer is unmapped */
	hole = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap((__u8 *)hole + 4096, 4096));
	ASSERT_EQ(-1, rfc_cmdbuf(self->iommufd, gid, 8192, hole));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, munmap(hole, 4096));
	/* A buffer replaces the last while the guest's is off; ComLen larger than it is refused */
	ASSERT_EQ(0, rfc_cmdbuf(self->iommufd, gid, 4096, cmd));
	ASSERT_EQ(0, rfc_cmdbuf(self->iommufd, gid, 4096, cmd));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CMD_BUF, gpa(PG_CMDBUF) | (9ULL << 56)));
	ASSERT_EQ(-1, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_CMDBUF_EN));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CMD_BUF, gpa(PG_CMDBUF) | BUF_LEN_4K));
	ASSERT_EQ(0, rfc_writeq(self->iommufd, gid, G_CONTROL, CTRL_CMDBUF_EN));

	/* Destroy refused while a device is in the guest; the close tears the rest down */
	ASSERT_EQ(-1, rfc_destroy(self->iommufd, gid));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(-1, rfc_destroy(self->iommufd, gid + 1));
	ASSERT_EQ(ENOENT, errno);
}

TEST_HARNESS_MAIN
