// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over the AMD HW-vIOMMU on the amd platform (booted
 * in-process, the I/OAT function bound to the iommufd as VFIO's cdev bind
 * does), both uAPIs. The upstream-style objects: an AMD vIOMMU with its VF
 * page, the nested HWPT of a guest DTE attached, the vDEVICE, the command
 * buffer HW queue, each verified by a guest round trip rung through the
 * mapped VF page. The 2023 RFC's ioctls (linux/amd_viommu.h): a guest made
 * with VIOMMU_IOMMU_INIT, the device attached to it, a nested HWPT on the
 * nest parent attached and its gDomID mapped; then the guest's command
 * buffer handed over, enabled through its trapped Control register, and
 * its INVALIDATE + COMPLETION_WAIT run by a CmdTail write.
 *
 * The loop is failnth.h's: for n = 1, 2, ... a fresh VMM, the n-th
 * injection point fails, the errno must be one the path can give, the
 * same steps run again without injection must finish the job (the DMA
 * through both stages, the guest's semaphore), and closing the VMM must
 * free everything, the guest and its pinned buffer included.
 */
#include "failnth_platform.h"

#include "drivers/amd/amd_iommu.h"
#include "harness/platform/pci.h"
#include "selftests/inproc_vmm.h"

#define ufd_ioctl(fd, cmd, arg) iommufd_ioctl((fd), (cmd), (void *)(arg))
#include "selftests/iommu/amd_guest.h"

#include <linux/amd_viommu.h>

namespace {

constexpr unsigned int max_points = 5000;
constexpr u32 AMD_IOMMU_ID = 0x0002;	/* 00:00.2 */
constexpr u16 IOAT_DEVID = 0x0018;	/* 00:03.0 */
constexpr u16 GDEV_ID = 0x0028;
__u8 *guest;

/* The VMM, and how far its RFC guest got (each step done once) */
struct amd_ctx {
	struct inproc_vmm v;
	u32 gid = 0;
	bool have_guest = false, dev_in_guest = false, nested_attached = false;
	bool dom_mapped = false, cmdbuf = false, enabled = false;
	u32 seq = 0;
	/* The objects path: the vIOMMU's VF page, its vDEVICE and command buffer queue */
	unsigned long vf_offset = 0, vf_length = 0;
	u32 queue = 0;
};

struct sweep {
	const char *name;
	int (*setup)(amd_ctx *c);
	int (*run)(amd_ctx *c);
	int (*verify)(amd_ctx *c);
	int errnos[8];
};

/* Allocations, pins, user copies, object lookups; HWPT_ALLOC's failed pt_id lookup is EINVAL */
#define ERRNOS_RFC ENOMEM, EFAULT, ENOENT, EINVAL

int rfc(amd_ctx *c, unsigned long cmd, void *arg)
{
	return inproc_vmm_ioctl(&c->v, cmd, arg);
}

int mmio_write(amd_ctx *c, u32 offset, u64 value)
{
	struct amd_viommu_mmio_data cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.iommu_id = AMD_IOMMU_ID;
	cmd.gid = c->gid;
	cmd.offset = offset;
	cmd.value = value;
	cmd.mmio_size = 8;
	cmd.is_write = 1;
	return rfc(c, VIOMMU_MMIO_ACCESS, &cmd);
}

/* The VMM with guest memory and the device on the nest parent */
int setup_vmm(amd_ctx *c)
{
	u32 pt;

	FAILNTH_TRY(inproc_vmm_open(&c->v, "0000:00:03.0"));
	FAILNTH_TRY(inproc_vmm_map_guest(&c->v, guest, BUF_SIZE, GPA_BASE));
	FAILNTH_TRY(inproc_vmm_parent(&c->v));
	pt = c->v.parent;
	FAILNTH_TRY(-iommufd_device_attach(c->v.idev, IOMMU_NO_PASID, &pt));
	c->v.attached = true;
	return 0;
}

/* The guest, its device, its nested HWPT attached and gDomID mapped: whatever is not done yet */
int guest_up(amd_ctx *c)
{
	if (!c->have_guest) {
		struct amd_viommu_iommu_info init = { .size = sizeof(init), .iommu_id = AMD_IOMMU_ID };

		FAILNTH_TRY(rfc(c, VIOMMU_IOMMU_INIT, &init));
		c->gid = init.gid;
		c->have_guest = true;
	}
	if (!c->dev_in_guest) {
		struct amd_viommu_dev_info dev;

		memset(&dev, 0, sizeof(dev));
		dev.size = sizeof(dev);
		dev.iommu_id = AMD_IOMMU_ID;
		dev.gid = c->gid;
		dev.hdev_id = IOAT_DEVID;
		dev.gdev_id = GDEV_ID;
		FAILNTH_TRY(rfc(c, VIOMMU_DEVICE_ATTACH, &dev));
		c->dev_in_guest = true;
	}
	if (!c->v.nested) {
		struct iommu_hwpt_amd_guest g;

		guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
		FAILNTH_TRY(inproc_vmm_hwpt_alloc(&c->v, c->v.parent, 0, IOMMU_HWPT_DATA_AMD_GUEST,
						  &g, sizeof(g), &c->v.nested));
	}
	if (!c->nested_attached) {
		u32 pt = c->v.nested;

		FAILNTH_TRY(-iommufd_device_replace(c->v.idev, IOMMU_NO_PASID, &pt));
		c->nested_attached = true;
	}
	if (!c->dom_mapped) {
		struct amd_viommu_dom_info dom = {
			.size = sizeof(dom), .iommu_id = AMD_IOMMU_ID, .gid = c->gid,
			.gdev_id = GDEV_ID, .gdom_id = GDOM_ID,
		};

		FAILNTH_TRY(rfc(c, VIOMMU_DOMAIN_ATTACH, &dom));
		c->dom_mapped = true;
	}
	return 0;
}

int setup_guest(amd_ctx *c)
{
	FAILNTH_TRY(setup_vmm(c));
	return guest_up(c);
}

/* The device's copy source through both stages */
int check_dma(amd_ctx *c)
{
	phys_addr_t pa;

	return platform_dev_translate(c->v.pdev, gva(PG_SRC), false, &pa) == PCI_DMA_OK ? 0 : EIO;
}

/* The guest's buffer handed over and enabled, if not yet */
int cmdbuf_up(amd_ctx *c)
{
	if (!c->cmdbuf) {
		struct amd_viommu_cmdbuf_data cb = {
			.size = sizeof(cb), .iommu_id = AMD_IOMMU_ID, .gid = c->gid,
			.cmdbuf_size = 4096, .hva = (uintptr_t)amd_guest_page(guest, PG_CMDBUF),
		};

		FAILNTH_TRY(mmio_write(c, G_CMD_BUF, gpa(PG_CMDBUF) | BUF_LEN_4K));
		FAILNTH_TRY(rfc(c, VIOMMU_CMDBUF_UPDATE, &cb));
		c->cmdbuf = true;
	}
	if (!c->enabled) {
		FAILNTH_TRY(mmio_write(c, G_CONTROL, CTRL_CMDBUF_EN));
		c->enabled = true;
	}
	return 0;
}

/* One guest INVALIDATE + COMPLETION_WAIT through its buffer; EIO if the semaphore stays */
int guest_round_trip(amd_ctx *c)
{
	__u32 *ring = (__u32 *)amd_guest_page(guest, PG_CMDBUF);
	volatile __u64 *sem = amd_guest_page(guest, PG_SEM);
	u32 seq = ++c->seq;

	guest_cmd_inv_wait(ring + (seq - 1) % 128 * 8, GDOM_ID, gpa(PG_SEM), seq);
	*sem = 0;
	FAILNTH_TRY(mmio_write(c, G_CMD_TAIL, seq % 128 * 32));
	return *sem == seq ? 0 : EIO;
}

void teardown(amd_ctx *c)
{
	inproc_vmm_close(&c->v);
}

/* ----- The upstream-style objects: vIOMMU, nested HWPT, vDEVICE, HW queue ----- */

int obj_viommu(amd_ctx *c)
{
	struct iommu_viommu_amd data = {};
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_AMD,
		.dev_id = c->v.dev_id,
		.hwpt_id = c->v.parent,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};

	FAILNTH_TRY(inproc_vmm_ioctl(&c->v, IOMMU_VIOMMU_ALLOC, &cmd));
	c->v.viommu = cmd.out_viommu_id;
	c->vf_offset = data.out_vf_mmio_offset;
	c->vf_length = data.out_vf_mmio_length;
	return 0;
}

int obj_nested(amd_ctx *c)
{
	struct iommu_hwpt_amd_guest g;
	u32 pt;

	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	FAILNTH_TRY(inproc_vmm_hwpt_alloc(&c->v, c->v.viommu, 0, IOMMU_HWPT_DATA_AMD_GUEST, &g,
					  sizeof(g), &c->v.nested));
	pt = c->v.nested;
	return -iommufd_device_replace(c->v.idev, IOMMU_NO_PASID, &pt);
}

int obj_vdevice(amd_ctx *c)
{
	return inproc_vmm_vdevice(&c->v, c->v.viommu, GDEV_ID, &c->v.vdev);
}

int obj_queue(amd_ctx *c)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = c->v.viommu,
		.type = IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF,
		.index = 0,
		.nesting_parent_iova = gpa(PG_CMDBUF),
		.length = 4096,
	};

	FAILNTH_TRY(inproc_vmm_ioctl(&c->v, IOMMU_HW_QUEUE_ALLOC, &cmd));
	c->queue = cmd.out_hw_queue_id;
	return 0;
}

/* Each object step not done yet, in the VMM's order */
int obj_up(amd_ctx *c)
{
	if (!c->v.viommu)
		FAILNTH_TRY(obj_viommu(c));
	if (!c->v.nested)
		FAILNTH_TRY(obj_nested(c));
	if (!c->v.vdev)
		FAILNTH_TRY(obj_vdevice(c));
	if (!c->queue)
		FAILNTH_TRY(obj_queue(c));
	return 0;
}

/* One guest INVALIDATE + COMPLETION_WAIT rung through the mapped VF page; EIO if no answer */
int obj_round_trip(amd_ctx *c)
{
	__u32 *ring = (__u32 *)amd_guest_page(guest, PG_CMDBUF);
	volatile __u64 *sem = amd_guest_page(guest, PG_SEM);
	u8 __iomem *vf;
	int rc;

	if (c->vf_length != 4096)
		return EIO;
	vf = (u8 __iomem *)iommufd_mmap(NULL, c->vf_length, PROT_READ | PROT_WRITE, MAP_SHARED,
					c->v.fd, c->vf_offset);
	if (vf == MAP_FAILED)
		return errno;
	guest_cmd_inv_wait(ring, GDOM_ID, gpa(PG_SEM), 0x600d);
	*sem = 0;
	writeq(32, vf + VF_CMD_TAIL);
	rc = *sem == 0x600d && readq(vf + VF_CMD_HEAD) == 32 ? 0 : EIO;
	iommufd_munmap(vf, c->vf_length);
	if (!rc)
		rc = check_dma(c);
	return rc;
}

int obj_setup(amd_ctx *c, int (*upto)(amd_ctx *))
{
	FAILNTH_TRY(setup_vmm(c));
	if (upto == obj_viommu)
		return 0;
	FAILNTH_TRY(obj_viommu(c));
	if (upto == obj_nested)
		return 0;
	FAILNTH_TRY(obj_nested(c));
	if (upto == obj_vdevice)
		return 0;
	return obj_vdevice(c);
}

int obj_verify(amd_ctx *c)
{
	FAILNTH_TRY(obj_up(c));
	return obj_round_trip(c);
}

const struct sweep sweeps[] = {
	{
		.name = "objects_viommu_alloc",
		.setup = [](amd_ctx *c) { return obj_setup(c, obj_viommu); },
		.run = obj_viommu,
		.verify = obj_verify,
		.errnos = { ERRNOS_RFC },
	},
	{
		.name = "objects_nested_attach",
		.setup = [](amd_ctx *c) { return obj_setup(c, obj_nested); },
		.run = obj_nested,
		/* A nested HWPT the failed run made stays: attach it, or make one */
		.verify = [](amd_ctx *c) {
			if (c->v.nested) {
				u32 pt = c->v.nested;

				FAILNTH_TRY(-iommufd_device_replace(c->v.idev, IOMMU_NO_PASID,
								    &pt));
			}
			return obj_verify(c);
		},
		.errnos = { ERRNOS_RFC },
	},
	{
		.name = "objects_vdevice_alloc",
		.setup = [](amd_ctx *c) { return obj_setup(c, obj_vdevice); },
		.run = obj_vdevice,
		.verify = obj_verify,
		.errnos = { ERRNOS_RFC },
	},
	{
		.name = "objects_cmdbuf_queue_alloc",
		.setup = [](amd_ctx *c) { return obj_setup(c, obj_queue); },
		.run = obj_queue,
		.verify = obj_verify,
		.errnos = { ERRNOS_RFC },
	},
	{
		.name = "rfc_guest_setup",
		.setup = setup_vmm,
		.run = guest_up,
		.verify = [](amd_ctx *c) { return guest_up(c) ?: check_dma(c); },
		.errnos = { ERRNOS_RFC },
	},
	{
		.name = "rfc_guest_cmdbuf",
		.setup = setup_guest,
		.run = [](amd_ctx *c) { return cmdbuf_up(c) ?: guest_round_trip(c); },
		.verify = [](amd_ctx *c) {
			FAILNTH_TRY(cmdbuf_up(c));
			FAILNTH_TRY(guest_round_trip(c));
			return check_dma(c);
		},
		.errnos = { ERRNOS_RFC },
	},
};

int prepare()
{
	amd_platform_iommu(platform_iommu_get(0))->quiet_faults = true;
	guest = (__u8 *)failnth_shared_buffer(BUF_SIZE, 0);
	if (!guest)
		return -ENOMEM;
	amd_guest_build_s1(guest);
	return 0;
}

FAILNTH_PLATFORM_SUITE(failnth_amd, "iommufd-failnth-amd", "amd", sweeps, max_points,
		       teardown, prepare);

} // namespace

kunit_test_suite(failnth_amd_suite);
