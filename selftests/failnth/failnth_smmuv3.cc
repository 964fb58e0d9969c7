// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over the ARM SMMUv3's iommufd paths on the tegra241
 * platform (booted in-process, the I/OAT function bound to the iommufd as
 * VFIO's cdev bind does): IOMMU_VIOMMU_ALLOC of type ARM_SMMUV3,
 * IOMMU_VDEVICE_ALLOC (the vSID), the nested IOMMU_HWPT_ALLOC with a guest
 * STE and its attach, a nested domain replaced by another (the hitless STE
 * writer), IOMMU_HWPT_INVALIDATE of raw commands on the vIOMMU and
 * IOMMU_VEVENTQ_ALLOC with a guest fault delivered to it; and, as the
 * platform is tegra241 (the smmuv3 platform with a Tegra241 CMDQV), the
 * CMDQV vIOMMU, its vDEVICE (a StreamID pair) and IOMMU_HW_QUEUE_ALLOC of
 * its VCMDQ, each verified by the guest running commands on that queue.
 *
 * The loop is failnth.h's: for n = 1, 2, ... a fresh VMM, the n-th
 * injection point of the row's sequence fails, the errno must be one the
 * path can give, a follow-up not under injection must work (and, where the
 * row attaches, the device's DMA must translate through both stages), and
 * closing the VMM must free everything allocated since it was opened.
 */
#include "failnth_platform.h"

#include "drivers/arm-smmu-v3/arm-smmu-v3.h"
#include "drivers/arm-smmu-v3/tests/smmuv3_vmm.h"
#include "harness/platform/pci.h"

#include <poll.h>

namespace {

constexpr unsigned int max_points = 5000;
constexpr size_t guest_size = 2UL << 20;
void *guest;

struct smmu_ctx {
	struct inproc_vmm v;
};

struct sweep {
	const char *name;
	int (*setup)(smmu_ctx *c);
	int (*run)(smmu_ctx *c);
	int (*verify)(smmu_ctx *c);
	int errnos[8];
};

int setup_parent(smmu_ctx *c)
{
	return smmuv3_vmm_open(&c->v, guest, guest_size);
}

int setup_viommu(smmu_ctx *c)
{
	FAILNTH_TRY(setup_parent(c));
	return inproc_vmm_viommu(&c->v, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &c->v.viommu);
}

int setup_vdev(smmu_ctx *c)
{
	FAILNTH_TRY(setup_viommu(c));
	return inproc_vmm_vdevice(&c->v, c->v.viommu, SMMUV3_VMM_VSID, &c->v.vdev);
}

int nested_attach(smmu_ctx *c)
{
	struct iommu_hwpt_arm_smmuv3 vste = smmuv3_vmm_s1_vste();

	FAILNTH_TRY(smmuv3_vmm_nested(&c->v, c->v.viommu, &vste, &c->v.nested));
	return inproc_vmm_attach(&c->v, c->v.nested);
}

int setup_nested(smmu_ctx *c)
{
	FAILNTH_TRY(setup_vdev(c));
	return nested_attach(c);
}

int destroy_id(smmu_ctx *c, u32 *id)
{
	int rc = destroy(c->v.fd, *id);

	if (!rc)
		*id = 0;
	return rc;
}

/* The guest's first page reaches guest memory through both stages. */
int check_dma(smmu_ctx *c)
{
	phys_addr_t pa;

	return platform_dev_translate(c->v.pdev, SMMUV3_VMM_GVA + 0x10, false, &pa) == PCI_DMA_OK ?
		       0 : EIO;
}

void teardown(smmu_ctx *c)
{
	inproc_vmm_close(&c->v);
}

/* Every opcode the vIOMMU forwards, more than one CMD_SYNC run's worth. */
constexpr unsigned int nr_inv = 70;
struct iommu_viommu_arm_smmuv3_invalidate inv_cmds[nr_inv];

void build_inv_cmds()
{
	const u64 ops[] = {
		FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) |
			FIELD_PREP(CMDQ_TLBI_0_ASID, SMMUV3_VMM_ASID),
		FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VAA),
		FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ASID) |
			FIELD_PREP(CMDQ_TLBI_0_ASID, SMMUV3_VMM_ASID),
		FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ALL),
		FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NSNH_ALL),
		FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_CD) |
			FIELD_PREP(CMDQ_CFGI_0_SID, SMMUV3_VMM_VSID),
		FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_CD_ALL) |
			FIELD_PREP(CMDQ_CFGI_0_SID, SMMUV3_VMM_VSID),
	};
	unsigned int i;

	for (i = 0; i < nr_inv; i++) {
		inv_cmds[i].cmd[0] = ops[i % ARRAY_SIZE(ops)];
		inv_cmds[i].cmd[1] = i % ARRAY_SIZE(ops) < 2 ? SMMUV3_VMM_GVA + i * 4096ULL : 0;
	}
}

/* A guest fault (a GVA its stage 1 does not map) arrives on the vEVENTQ. */
int check_vevent(smmu_ctx *c)
{
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_vevent_arm_smmuv3 vevt;
	} rec;
	struct pollfd pfd = { .fd = c->v.veventq_fd, .events = POLLIN };
	phys_addr_t pa;

	if (platform_dev_translate(c->v.pdev, SMMUV3_VMM_GVA + (1ULL << 30), false, &pa) ==
	    PCI_DMA_OK)
		return EIO;
	arm_smmu_drain_queues(smmuv3_platform_smmu(platform_iommu_get(0)));
	/* The SMMU's event thread may be the one forwarding it */
	if (poll(&pfd, 1, 10000) != 1)
		return ETIMEDOUT;
	if (iommufd_read(c->v.veventq_fd, &rec, sizeof(rec)) != (long)sizeof(rec))
		return EIO;
	if (FIELD_GET(EVTQ_0_SID, rec.vevt.evt[0]) != SMMUV3_VMM_VSID ||
	    FIELD_GET(EVTQ_0_ID, rec.vevt.evt[0]) != EVT_ID_TRANSLATION_FAULT)
		return EIO;
	return 0;
}

/* ----- Tegra241 CMDQV (the tegra241 platform): the VM's own queue ----- */

constexpr unsigned int CMDQV_PG_QUEUE = 200;	/* guest memory page of the VCMDQ */

struct cmdqv_state {
	unsigned long mmap_offset, mmap_length;
	u32 queue;
};
/* One VM's CMDQV state per sweep context: the contexts are made one at a time */
struct cmdqv_state cmdqv;

int cmdqv_viommu(smmu_ctx *c)
{
	struct iommu_viommu_tegra241_cmdqv data = {};
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
		.dev_id = c->v.dev_id,
		.hwpt_id = c->v.parent,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};

	FAILNTH_TRY(inproc_vmm_ioctl(&c->v, IOMMU_VIOMMU_ALLOC, &cmd));
	c->v.viommu = cmd.out_viommu_id;
	cmdqv.mmap_offset = data.out_vintf_mmap_offset;
	cmdqv.mmap_length = data.out_vintf_mmap_length;
	return 0;
}

int cmdqv_queue_alloc(smmu_ctx *c)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = c->v.viommu,
		.type = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV,
		.index = 0,
		.nesting_parent_iova = smmuv3_vmm_gpa(CMDQV_PG_QUEUE),
		.length = 4096,
	};

	FAILNTH_TRY(inproc_vmm_ioctl(&c->v, IOMMU_HW_QUEUE_ALLOC, &cmd));
	cmdqv.queue = cmd.out_hw_queue_id;
	return 0;
}

int setup_cmdqv_viommu(smmu_ctx *c)
{
	cmdqv = {};
	FAILNTH_TRY(setup_parent(c));
	return cmdqv_viommu(c);
}

int setup_cmdqv_vdev(smmu_ctx *c)
{
	FAILNTH_TRY(setup_cmdqv_viommu(c));
	return inproc_vmm_vdevice(&c->v, c->v.viommu, SMMUV3_VMM_VSID, &c->v.vdev);
}

/*
 * The guest's side: its VINTF page mapped, queue 0 enabled, TLBI_NH_VA,
 * ATC_INV of its vSID (a SID pair must exist) and CMD_SYNC put on it and
 * PROD moved; the CMDQV must consume all three without an error.
 */
int cmdqv_guest_runs(smmu_ctx *c)
{
	u64 *q = (u64 *)((u8 *)guest + (size_t)CMDQV_PG_QUEUE * 4096);
	u8 __iomem *page;
	u32 cons;

	if (cmdqv.mmap_length != 0x10000)
		return EIO;
	page = (u8 __iomem *)iommufd_mmap(NULL, cmdqv.mmap_length, PROT_READ | PROT_WRITE,
					  MAP_SHARED, c->v.fd, cmdqv.mmap_offset);
	if (page == MAP_FAILED)
		return errno;
	q[0] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) |
	       FIELD_PREP(CMDQ_TLBI_0_ASID, SMMUV3_VMM_ASID);
	q[1] = SMMUV3_VMM_GVA;
	q[2] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_ATC_INV) | FIELD_PREP(CMDQ_ATC_0_SID, SMMUV3_VMM_VSID) |
	       CMDQ_ATC_0_GLOBAL;
	q[3] = 0;
	q[4] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC);
	q[5] = 0;
	writel(1, page + 0x08);		/* the logical queue's CONFIG: enable */
	writel(3, page + 0x04);		/* PROD */
	cons = readl(page + 0x00);
	iommufd_munmap(page, cmdqv.mmap_length);
	return cons == 3 ? 0 : EIO;
}

const struct sweep sweeps[] = {
	{
		.name = "viommu_alloc",
		.setup = setup_parent,
		.run = [](smmu_ctx *c) { return inproc_vmm_viommu(&c->v, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &c->v.viommu); },
		.verify = [](smmu_ctx *c) {
			u32 viommu;

			FAILNTH_TRY(inproc_vmm_viommu(&c->v, IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
						      &viommu));
			return destroy(c->v.fd, viommu);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "vdevice_alloc",
		.setup = setup_viommu,
		.run = [](smmu_ctx *c) {
			return inproc_vmm_vdevice(&c->v, c->v.viommu, SMMUV3_VMM_VSID, &c->v.vdev);
		},
		/* One vSID per device: the run's, if any, must go cleanly first */
		.verify = [](smmu_ctx *c) {
			if (c->v.vdev)
				FAILNTH_TRY(destroy_id(c, &c->v.vdev));
			return inproc_vmm_vdevice(&c->v, c->v.viommu, SMMUV3_VMM_VSID + 1,
						  &c->v.vdev);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "nested_alloc_attach",
		.setup = setup_vdev,
		.run = nested_attach,
		.verify = [](smmu_ctx *c) {
			if (!c->v.attached) {
				if (c->v.nested)
					FAILNTH_TRY(destroy_id(c, &c->v.nested));
				FAILNTH_TRY(nested_attach(c));
			}
			return check_dma(c);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "nested_replace",
		.setup = setup_nested,
		.run = [](smmu_ctx *c) {
			struct iommu_hwpt_arm_smmuv3 vste = {};
			u32 bypass;

			vste.ste[0] = STRTAB_STE_0_V |
				      FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_BYPASS);
			FAILNTH_TRY(smmuv3_vmm_nested(&c->v, c->v.viommu, &vste, &bypass));
			return -iommufd_device_replace(c->v.idev, IOMMU_NO_PASID, &bypass);
		},
		/* Back to the guest's stage 1, whatever the run left attached */
		.verify = [](smmu_ctx *c) {
			u32 nested = c->v.nested;

			FAILNTH_TRY(-iommufd_device_replace(c->v.idev, IOMMU_NO_PASID, &nested));
			return check_dma(c);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "hwpt_invalidate",
		.setup = setup_nested,
		.run = [](smmu_ctx *c) {
			return smmuv3_vmm_invalidate(&c->v, c->v.viommu, inv_cmds, nr_inv, NULL);
		},
		.verify = [](smmu_ctx *c) {
			u32 done = 0;

			FAILNTH_TRY(smmuv3_vmm_invalidate(&c->v, c->v.viommu, inv_cmds, nr_inv,
							  &done));
			if (done != nr_inv)
				return EIO;
			return check_dma(c);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "veventq_alloc",
		.setup = setup_nested,
		.run = [](smmu_ctx *c) { return inproc_vmm_veventq(&c->v, c->v.viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3); },
		.verify = [](smmu_ctx *c) {
			if (c->v.veventq_fd < 0)
				FAILNTH_TRY(inproc_vmm_veventq(&c->v, c->v.viommu,
							       IOMMU_VEVENTQ_TYPE_ARM_SMMUV3));
			return check_vevent(c);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "cmdqv_viommu_alloc",
		.setup = [](smmu_ctx *c) { cmdqv = {}; return setup_parent(c); },
		.run = cmdqv_viommu,
		.verify = [](smmu_ctx *c) {
			if (!c->v.viommu)
				FAILNTH_TRY(cmdqv_viommu(c));
			FAILNTH_TRY(inproc_vmm_vdevice(&c->v, c->v.viommu, SMMUV3_VMM_VSID,
						       &c->v.vdev));
			FAILNTH_TRY(cmdqv_queue_alloc(c));
			return cmdqv_guest_runs(c);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "cmdqv_vdevice_alloc",
		.setup = setup_cmdqv_viommu,
		.run = [](smmu_ctx *c) {
			return inproc_vmm_vdevice(&c->v, c->v.viommu, SMMUV3_VMM_VSID, &c->v.vdev);
		},
		.verify = [](smmu_ctx *c) {
			if (!c->v.vdev)
				FAILNTH_TRY(inproc_vmm_vdevice(&c->v, c->v.viommu, SMMUV3_VMM_VSID,
							       &c->v.vdev));
			FAILNTH_TRY(cmdqv_queue_alloc(c));
			return cmdqv_guest_runs(c);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "cmdqv_hw_queue_alloc",
		.setup = setup_cmdqv_vdev,
		.run = cmdqv_queue_alloc,
		.verify = [](smmu_ctx *c) {
			if (!cmdqv.queue)
				FAILNTH_TRY(cmdqv_queue_alloc(c));
			return cmdqv_guest_runs(c);
		},
		/* The core's pinning of the guest queue has a point that fails with EINVAL */
		.errnos = { FAILNTH_ERRNOS_BASE, EINVAL },
	},
};

int prepare()
{
	smmuv3_platform_smmu(platform_iommu_get(0))->quiet_events = true;
	guest = failnth_shared_buffer(guest_size, 0);
	if (!guest)
		return -ENOMEM;
	smmuv3_vmm_guest_s1(guest, 1);
	build_inv_cmds();
	return 0;
}

FAILNTH_PLATFORM_SUITE(failnth_smmuv3, "iommufd-failnth-smmuv3", "tegra241", sweeps, max_points,
		       teardown, prepare);

} // namespace

kunit_test_suite(failnth_smmuv3_suite);
