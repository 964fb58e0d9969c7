// SPDX-License-Identifier: GPL-2.0
/*
 * The Tegra241 CMDQV (upstream's tegra241-cmdqv.c, its iommufd half): a
 * VM's vIOMMU of type TEGRA241_CMDQV is a VINTF of its own, with the
 * parent's VMID; its vDEVICEs fill the VINTF's SID_MATCH/SID_REPLACE pairs;
 * IOMMU_HW_QUEUE_ALLOC of type TEGRA241_CMDQV turns guest memory (pinned
 * and found contiguous by the core) into one of its logical VCMDQs; and the
 * VM drives those queues through the VINTF's page 0, mmapped into it, with
 * no host call per command. A queue error reaches the VM as a vEVENT with
 * the VINTF's LVCMDQ_ERR_MAP.
 *
 * What the host does not do here: issue its own commands through VINTF0's
 * queues (upstream's in-kernel use, for throughput). VINTF0 is reserved and
 * left disabled; the host's commands go through the SMMU's own queue, as
 * upstream's bypass_vcmdq option has it.
 *
 * Trust: a VM's queue reaches only the commands its VINTF allows, with its
 * VMID and its StreamID pairs, enforced by the hardware (the model); what
 * the VMM passes in (queue index, size, base) is checked here.
 */
#include "drivers/arm-smmu-v3/arm-smmu-v3.h"
#include "drivers/arm-smmu-v3/hw/tegra241-cmdqv.h"

#include "core/eventq.h"
#include "harness/slab.h"
#include "harness/wait.h"

#include <atomic>
#include <cstdio>
#include <thread>

struct tegra241_cmdqv;
struct tegra241_vintf;

/* A logical VCMDQ of a VM's VINTF: a HW queue object. */
struct tegra241_vcmdq {
	struct iommufd_hw_queue core;
	u16 idx;	/* global index */
	u16 lidx;	/* index in its VINTF */
	struct tegra241_cmdqv *cmdqv;
	struct tegra241_vintf *vintf;
	struct tegra241_vcmdq *prev;
	u64 q_base;	/* what BASE gets: address and LOG2SIZE */
	void __iomem *page0;
	void __iomem *page1;
};

/* A VM's VINTF: the vIOMMU. */
struct tegra241_vintf {
	struct arm_vsmmu vsmmu;
	u16 idx;
	struct tegra241_cmdqv *cmdqv;
	struct tegra241_vcmdq **lvcmdqs;
	struct mutex lvcmdq_mutex;
	void __iomem *base;
	unsigned long mmap_offset;
	unsigned long *sids;	/* SID pairs in use */
};

/* A vDEVICE: one SID_MATCH/SID_REPLACE pair of the VINTF. */
struct tegra241_vintf_sid {
	struct iommufd_vdevice core;
	struct tegra241_vintf *vintf;
	u32 sid;
	u8 idx;
};

struct tegra241_cmdqv {
	struct arm_smmu_device *smmu;
	void __iomem *base;
	u16 num_vintfs;
	u16 num_vcmdqs;
	u16 num_lvcmdqs_per_vintf;
	u16 num_sids_per_vintf;
	u8 version;

	/* VINTFs by index (0 is the host's, reserved); the lock also fences the ISR */
	struct mutex vintfs_lock;
	struct tegra241_vintf **vintfs;

	/* The threaded error handler */
	std::thread *irq_thread;
	wait_queue_head_t irq_wq;
	std::atomic<bool> irq_pending;
	std::atomic<bool> irq_stop;
};

static struct tegra241_cmdqv *to_cmdqv(struct arm_smmu_device *smmu)
{
	return (struct tegra241_cmdqv *)smmu->impl;
}

static struct tegra241_vintf *viommu_to_vintf(struct iommufd_viommu *viommu)
{
	return container_of(viommu, struct tegra241_vintf, vsmmu.core);
}

#define REG_CMDQV(cmdqv, reg) ((u8 __iomem *)(cmdqv)->base + TEGRA241_CMDQV_##reg)
#define REG_VINTF(vintf, reg) ((u8 __iomem *)(vintf)->base + TEGRA241_VINTF_##reg)
#define REG_VCMDQ_PAGE0(vcmdq, reg) ((u8 __iomem *)(vcmdq)->page0 + TEGRA241_VCMDQ_##reg)
#define REG_VCMDQ_PAGE1(vcmdq, reg) ((u8 __iomem *)(vcmdq)->page1 + TEGRA241_VCMDQ_##reg)

/*
 * Writes an enable bit and checks the status bit follows (the hardware
 * does it before the write returns here; a real one within a poll).
 */
static int tegra241_write_config(struct tegra241_cmdqv *cmdqv, void __iomem *config,
				 void __iomem *status, u32 val, const char *what)
{
	bool en = val & BIT(0);

	writel(val, config);
	if (!!(readl(status) & BIT(0)) == en)
		return 0;
	fprintf(stderr, "tegra241_cmdqv %s: %s failed to %sable\n", cmdqv->smmu->name, what,
		en ? "en" : "dis");
	return -ETIMEDOUT;
}

/* ----- Errors ----- */

static void tegra241_vintf_user_handle_error(struct tegra241_vintf *vintf)
{
	struct iommu_vevent_tegra241_cmdqv vevent = {};

	for (unsigned int i = 0; i < LVCMDQ_ERR_MAP_NUM_64; i++)
		vevent.lvcmdq_err_map[i] =
			cpu_to_le64(readq(REG_VINTF(vintf, LVCMDQ_ERR_MAP_64(i))));
	iommufd_viommu_report_event(&vintf->vsmmu.core, IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV,
				    &vevent, sizeof(vevent));
}

static void tegra241_cmdqv_handle_errors(struct tegra241_cmdqv *cmdqv)
{
	u64 map = (u64)readl(REG_CMDQV(cmdqv, VINTF_ERR_MAP) + 4) << 32 |
		  readl(REG_CMDQV(cmdqv, VINTF_ERR_MAP));

	guard(mutex)(&cmdqv->vintfs_lock);
	while (map) {
		unsigned int idx = __ffs64(map);

		map &= ~BIT_ULL(idx);
		/* VINTF0 is never enabled; a bit past the count is a hardware error */
		if (idx == 0 || WARN_ON_ONCE(idx >= cmdqv->num_vintfs))
			continue;
		if (cmdqv->vintfs[idx])
			tegra241_vintf_user_handle_error(cmdqv->vintfs[idx]);
	}
}

static void tegra241_cmdqv_irq_thread_fn(struct tegra241_cmdqv *cmdqv)
{
	for (;;) {
		wait_event(cmdqv->irq_wq, cmdqv->irq_pending.load() || cmdqv->irq_stop.load());
		if (cmdqv->irq_stop.load())
			return;
		cmdqv->irq_pending = false;
		tegra241_cmdqv_handle_errors(cmdqv);
	}
}

void tegra241_cmdqv_irq(struct arm_smmu_device *smmu)
{
	struct tegra241_cmdqv *cmdqv = to_cmdqv(smmu);

	if (!cmdqv)
		return;
	cmdqv->irq_pending = true;
	wake_up(&cmdqv->irq_wq);
}

/* ----- Logical VCMDQs ----- */

static void tegra241_vcmdq_hw_deinit(struct tegra241_vcmdq *vcmdq)
{
	u32 gerror;

	tegra241_write_config(vcmdq->cmdqv, REG_VCMDQ_PAGE0(vcmdq, CONFIG),
			      REG_VCMDQ_PAGE0(vcmdq, STATUS), 0, "VCMDQ");
	writel(0, REG_VCMDQ_PAGE0(vcmdq, PROD));
	writel(0, REG_VCMDQ_PAGE0(vcmdq, CONS));
	writeq(0, REG_VCMDQ_PAGE1(vcmdq, BASE));
	writeq(0, REG_VCMDQ_PAGE1(vcmdq, CONS_INDX_BASE));
	/* An error the VM left unacknowledged must not reach the next owner */
	gerror = readl(REG_VCMDQ_PAGE0(vcmdq, GERROR));
	if (gerror != readl(REG_VCMDQ_PAGE0(vcmdq, GERRORN)))
		writel(gerror, REG_VCMDQ_PAGE0(vcmdq, GERRORN));
}

static void tegra241_vcmdq_map_lvcmdq(struct tegra241_vcmdq *vcmdq, bool map)
{
	void __iomem *alloc = REG_CMDQV(vcmdq->cmdqv, CMDQ_ALLOC(vcmdq->idx));
	u32 val = readl(alloc);

	writel(map ? val | CMDQV_CMDQ_ALLOCATED : val & ~CMDQV_CMDQ_ALLOCATED, alloc);
}

static size_t tegra241_vintf_get_vcmdq_size(struct iommufd_viommu *viommu, u32 queue_type)
{
	if (queue_type != IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV)
		return 0;
	return HW_QUEUE_STRUCT_SIZE(struct tegra241_vcmdq, core);
}

static void tegra241_vintf_destroy_lvcmdq_user(struct iommufd_hw_queue *hw_queue)
{
	struct tegra241_vcmdq *vcmdq = container_of(hw_queue, struct tegra241_vcmdq, core);
	struct tegra241_vintf *vintf = vcmdq->vintf;

	guard(mutex)(&vintf->lvcmdq_mutex);
	tegra241_vcmdq_hw_deinit(vcmdq);
	tegra241_vcmdq_map_lvcmdq(vcmdq, false);
	vintf->lvcmdqs[vcmdq->lidx] = NULL;
	if (vcmdq->prev)
		iommufd_hw_queue_undepend(vcmdq, vcmdq->prev, core);
}

static int tegra241_vintf_alloc_lvcmdq_user(struct iommufd_hw_queue *hw_queue, u32 lidx,
					    phys_addr_t base_addr_pa)
{
	struct tegra241_vintf *vintf = viommu_to_vintf(hw_queue->viommu);
	struct tegra241_vcmdq *vcmdq = container_of(hw_queue, struct tegra241_vcmdq, core);
	struct tegra241_cmdqv *cmdqv = vintf->cmdqv;
	struct tegra241_vcmdq *prev = NULL;
	unsigned int max_n_shift;
	int ret;

	if (hw_queue->type != IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV)
		return -EOPNOTSUPP;
	if (lidx >= cmdqv->num_lvcmdqs_per_vintf)
		return -EINVAL;

	guard(mutex)(&vintf->lvcmdq_mutex);
	if (vintf->lvcmdqs[lidx])
		return -EEXIST;
	/* Queues are mapped in ascending order, so the one below must exist */
	if (lidx) {
		prev = vintf->lvcmdqs[lidx - 1];
		if (!prev)
			return -EIO;
	}
	/* A power of two from one entry pair (32 bytes) up to the SMMU's CMDQS */
	max_n_shift = FIELD_GET(IDR1_CMDQS,
				readl((u8 __iomem *)cmdqv->smmu->base + ARM_SMMU_IDR1));
	if (!is_power_of_2(hw_queue->length) || hw_queue->length < 32 ||
	    hw_queue->length > (1ULL << (max_n_shift + CMDQ_ENT_SZ_SHIFT)))
		return -EINVAL;
	/* The base must fit the register and be aligned to the queue's size */
	if ((base_addr_pa & ~VCMDQ_ADDR) || (base_addr_pa & (hw_queue->length - 1)))
		return -EINVAL;
	/* ... and queues go in descending order: the core holds this one's predecessor */
	if (prev) {
		ret = iommufd_hw_queue_depend(vcmdq, prev, core);
		if (ret)
			return ret;
	}
	vcmdq->prev = prev;
	vcmdq->idx = vintf->idx * cmdqv->num_lvcmdqs_per_vintf + lidx;
	vcmdq->lidx = lidx;
	vcmdq->cmdqv = cmdqv;
	vcmdq->vintf = vintf;
	vcmdq->page0 = (u8 __iomem *)cmdqv->base + TEGRA241_VINTFi_LVCMDQ_PAGE0(vintf->idx, lidx);
	vcmdq->page1 = (u8 __iomem *)cmdqv->base + TEGRA241_VINTFi_LVCMDQ_PAGE1(vintf->idx, lidx);
	vcmdq->q_base = (base_addr_pa & VCMDQ_ADDR) |
			FIELD_PREP(VCMDQ_LOG2SIZE, ilog2(hw_queue->length) - CMDQ_ENT_SZ_SHIFT);

	tegra241_vcmdq_map_lvcmdq(vcmdq, true);
	tegra241_vcmdq_hw_deinit(vcmdq);
	/* Configured, not enabled: the VM enables it through its page */
	writeq(vcmdq->q_base, REG_VCMDQ_PAGE1(vcmdq, BASE));

	vintf->lvcmdqs[lidx] = vcmdq;
	hw_queue->destroy = tegra241_vintf_destroy_lvcmdq_user;
	return 0;
}

/* ----- vDEVICEs: StreamID pairs ----- */

static void tegra241_vintf_destroy_vsid(struct iommufd_vdevice *vdev)
{
	struct tegra241_vintf_sid *vsid = container_of(vdev, struct tegra241_vintf_sid, core);
	struct tegra241_vintf *vintf = vsid->vintf;

	writel(0, REG_VINTF(vintf, SID_MATCH(vsid->idx)));
	writel(0, REG_VINTF(vintf, SID_REPLACE(vsid->idx)));
	guard(mutex)(&vintf->lvcmdq_mutex);
	clear_bit(vsid->idx, vintf->sids);
}

static int tegra241_vintf_init_vsid(struct iommufd_vdevice *vdev)
{
	struct tegra241_vintf *vintf = viommu_to_vintf(vdev->viommu);
	struct tegra241_vintf_sid *vsid = container_of(vdev, struct tegra241_vintf_sid, core);
	struct arm_smmu_master *master = arm_smmu_master_of(iommufd_vdevice_to_device(vdev));
	unsigned int sidx;

	if (vdev->virt_id > UINT_MAX)
		return -EINVAL;

	{
		guard(mutex)(&vintf->lvcmdq_mutex);
		sidx = find_first_zero_bit(vintf->sids, vintf->cmdqv->num_sids_per_vintf);
		if (sidx >= vintf->cmdqv->num_sids_per_vintf)
			return -ENOSPC;
		set_bit(sidx, vintf->sids);
	}
	/* A PCI function has one StreamID */
	writel(master->streams[0].id, REG_VINTF(vintf, SID_REPLACE(sidx)));
	writel((u32)vdev->virt_id << 1 | VINTF_SID_MATCH_VALID, REG_VINTF(vintf, SID_MATCH(sidx)));
	vsid->idx = sidx;
	vsid->vintf = vintf;
	vsid->sid = master->streams[0].id;
	vdev->destroy = tegra241_vintf_destroy_vsid;
	return 0;
}

/* ----- VINTFs: the vIOMMU ----- */

static void tegra241_vintf_hw_deinit(struct tegra241_vintf *vintf)
{
	tegra241_write_config(vintf->cmdqv, REG_VINTF(vintf, CONFIG), REG_VINTF(vintf, STATUS), 0,
			      "VINTF");
	for (unsigned int s = 0; s < vintf->cmdqv->num_sids_per_vintf; s++) {
		writel(0, REG_VINTF(vintf, SID_MATCH(s)));
		writel(0, REG_VINTF(vintf, SID_REPLACE(s)));
	}
}

static int tegra241_vintf_hw_init(struct tegra241_vintf *vintf)
{
	u32 val = FIELD_PREP(VINTF_VMID, vintf->vsmmu.vmid);

	tegra241_vintf_hw_deinit(vintf);
	/* A VM's: not HYP_OWN, so the hardware restricts its commands */
	writel(val, REG_VINTF(vintf, CONFIG));
	return tegra241_write_config(vintf->cmdqv, REG_VINTF(vintf, CONFIG),
				     REG_VINTF(vintf, STATUS), val | VINTF_EN, "VINTF");
}

static void tegra241_cmdqv_remove_vintf(struct tegra241_cmdqv *cmdqv, struct tegra241_vintf *vintf)
{
	tegra241_vintf_hw_deinit(vintf);
	/* After this no error handler sees it */
	scoped_guard(mutex, &cmdqv->vintfs_lock)
		cmdqv->vintfs[vintf->idx] = NULL;
	kfree(vintf->lvcmdqs);
	kfree(vintf->sids);
	vintf->lvcmdqs = NULL;
	vintf->sids = NULL;
}

static void tegra241_cmdqv_destroy_vintf_user(struct iommufd_viommu *viommu)
{
	struct tegra241_vintf *vintf = viommu_to_vintf(viommu);

	iommufd_viommu_destroy_mmap(viommu, vintf->mmap_offset);
	tegra241_cmdqv_remove_vintf(vintf->cmdqv, vintf);
	mutex_destroy(&vintf->lvcmdq_mutex);
}

static const struct iommufd_viommu_ops tegra241_cmdqv_viommu_ops = {
	.destroy = tegra241_cmdqv_destroy_vintf_user,
	.alloc_domain_nested = arm_vsmmu_alloc_domain_nested,
	/* What the VM does not put on its queues still goes through the host */
	.cache_invalidate = arm_vsmmu_cache_invalidate,
	.vdevice_size = VDEVICE_STRUCT_SIZE(struct tegra241_vintf_sid, core),
	.vdevice_init = tegra241_vintf_init_vsid,
	.get_hw_queue_size = tegra241_vintf_get_vcmdq_size,
	.hw_queue_init_phys = tegra241_vintf_alloc_lvcmdq_user,
};

static int tegra241_cmdqv_init_vintf_user(struct arm_vsmmu *vsmmu,
					  const struct iommu_user_data *user_data)
{
	struct tegra241_cmdqv *cmdqv = to_cmdqv(vsmmu->smmu);
	struct tegra241_vintf *vintf = viommu_to_vintf(&vsmmu->core);
	struct iommu_viommu_tegra241_cmdqv data;
	unsigned int idx = UINT_MAX;
	int ret;

	if (WARN_ON(vsmmu->core.type != IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV))
		return -EOPNOTSUPP;
	if (!user_data)
		return -EINVAL;
	ret = iommu_copy_struct_from_user(&data, user_data, IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
					  out_vintf_mmap_length);
	if (ret)
		return ret;

	vintf->cmdqv = cmdqv;
	vintf->lvcmdqs = (struct tegra241_vcmdq **)kcalloc(cmdqv->num_lvcmdqs_per_vintf,
							    sizeof(*vintf->lvcmdqs), GFP_KERNEL);
	vintf->sids = (unsigned long *)kcalloc(BITS_TO_LONGS(cmdqv->num_sids_per_vintf),
					       sizeof(unsigned long), GFP_KERNEL);
	if (!vintf->lvcmdqs || !vintf->sids) {
		ret = -ENOMEM;
		goto err_free;
	}
	scoped_guard(mutex, &cmdqv->vintfs_lock) {
		for (idx = 1; idx < cmdqv->num_vintfs && cmdqv->vintfs[idx]; idx++)
			;
		if (idx < cmdqv->num_vintfs)
			cmdqv->vintfs[idx] = vintf;
	}
	if (idx >= cmdqv->num_vintfs) {
		ret = -ENOSPC;	/* every VINTF a VM can have is taken */
		goto err_free;
	}
	vintf->idx = idx;
	vintf->base = (u8 __iomem *)cmdqv->base + TEGRA241_VINTF(idx);
	mutex_init(&vintf->lvcmdq_mutex);

	ret = tegra241_vintf_hw_init(vintf);
	if (ret)
		goto err_remove;
	ret = iommufd_viommu_alloc_mmap_iomem(&vsmmu->core,
					      (u8 __iomem *)cmdqv->base + TEGRA241_VINTFi_PAGE0(idx),
					      TEGRA241_CMDQV_PAGE_SIZE, &vintf->mmap_offset);
	if (ret)
		goto err_remove;
	data.out_vintf_mmap_offset = vintf->mmap_offset;
	data.out_vintf_mmap_length = TEGRA241_CMDQV_PAGE_SIZE;
	ret = iommu_copy_struct_to_user(user_data, &data, IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
					out_vintf_mmap_length);
	if (ret)
		goto err_mmap;
	vsmmu->core.ops = &tegra241_cmdqv_viommu_ops;
	return 0;

err_mmap:
	iommufd_viommu_destroy_mmap(&vsmmu->core, vintf->mmap_offset);
err_remove:
	tegra241_cmdqv_remove_vintf(cmdqv, vintf);
	mutex_destroy(&vintf->lvcmdq_mutex);
	return ret;
err_free:
	kfree(vintf->lvcmdqs);
	kfree(vintf->sids);
	return ret;
}

/* ----- The instance ----- */

static void *tegra241_cmdqv_hw_info(struct arm_smmu_device *smmu, u32 *length, u32 *type)
{
	struct tegra241_cmdqv *cmdqv = to_cmdqv(smmu);
	struct iommu_hw_info_tegra241_cmdqv *info;

	if (*type != IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV)
		return ERR_PTR(-EOPNOTSUPP);
	info = (struct iommu_hw_info_tegra241_cmdqv *)kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->log2vcmdqs = ilog2(cmdqv->num_lvcmdqs_per_vintf);
	info->log2vsids = ilog2(cmdqv->num_sids_per_vintf);
	info->version = FIELD_GET(CMDQV_VER, readl(REG_CMDQV(cmdqv, PARAM)));
	*length = sizeof(*info);
	return info;
}

static size_t tegra241_cmdqv_get_vintf_size(u32 viommu_type)
{
	if (viommu_type != IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV)
		return 0;
	return VIOMMU_STRUCT_SIZE(struct tegra241_vintf, vsmmu.core);
}

static const struct arm_smmu_impl_ops tegra241_cmdqv_impl_ops = {
	.hw_info = tegra241_cmdqv_hw_info,
	.get_viommu_size = tegra241_cmdqv_get_vintf_size,
	.vsmmu_init = tegra241_cmdqv_init_vintf_user,
};

int tegra241_cmdqv_probe(struct arm_smmu_device *smmu, void __iomem *base)
{
	struct tegra241_cmdqv *cmdqv;
	u16 idx, lidx, qidx = 0;
	u32 param;
	int ret;

	cmdqv = new (std::nothrow) tegra241_cmdqv{};
	if (!cmdqv)
		return -ENOMEM;
	cmdqv->smmu = smmu;
	cmdqv->base = base;
	param = readl(REG_CMDQV(cmdqv, PARAM));
	cmdqv->num_vintfs = 1 << FIELD_GET(CMDQV_NUM_VINTF_LOG2, param);
	cmdqv->num_vcmdqs = 1 << FIELD_GET(CMDQV_NUM_VCMDQ_LOG2, param);
	cmdqv->num_lvcmdqs_per_vintf = cmdqv->num_vcmdqs / cmdqv->num_vintfs;
	cmdqv->num_sids_per_vintf = 1 << FIELD_GET(CMDQV_NUM_SID_PER_VM_LOG2, param);
	cmdqv->version = FIELD_GET(CMDQV_VER, param);
	/* A VM needs a VINTF of its own beside the host's and at least one queue */
	if (cmdqv->num_vintfs < 2 || !cmdqv->num_lvcmdqs_per_vintf) {
		delete cmdqv;
		return -ENODEV;
	}
	cmdqv->vintfs = (struct tegra241_vintf **)kcalloc(cmdqv->num_vintfs,
							   sizeof(*cmdqv->vintfs), GFP_KERNEL);
	if (!cmdqv->vintfs) {
		delete cmdqv;
		return -ENOMEM;
	}
	mutex_init(&cmdqv->vintfs_lock);
	init_waitqueue_head(&cmdqv->irq_wq);

	/* Reset, then give every VINTF its share of the queues, unmapped */
	ret = tegra241_write_config(cmdqv, REG_CMDQV(cmdqv, CONFIG), REG_CMDQV(cmdqv, STATUS), 0,
				    "CMDQV");
	if (!ret)
		ret = tegra241_write_config(cmdqv, REG_CMDQV(cmdqv, CONFIG),
					    REG_CMDQV(cmdqv, STATUS), CMDQV_EN, "CMDQV");
	if (ret) {
		kfree(cmdqv->vintfs);
		delete cmdqv;
		return ret;
	}
	for (idx = 0; idx < cmdqv->num_vintfs; idx++)
		for (lidx = 0; lidx < cmdqv->num_lvcmdqs_per_vintf; lidx++)
			writel(FIELD_PREP(CMDQV_CMDQ_ALLOC_VINTF, idx) |
				       FIELD_PREP(CMDQV_CMDQ_ALLOC_LVCMDQ, lidx),
			       REG_CMDQV(cmdqv, CMDQ_ALLOC(qidx++)));

	cmdqv->irq_thread = new std::thread(tegra241_cmdqv_irq_thread_fn, cmdqv);
	smmu->impl = cmdqv;
	smmu->impl_ops = &tegra241_cmdqv_impl_ops;
	return 0;
}

void tegra241_cmdqv_remove(struct arm_smmu_device *smmu)
{
	struct tegra241_cmdqv *cmdqv = to_cmdqv(smmu);

	if (!cmdqv)
		return;
	smmu->impl_ops = NULL;
	cmdqv->irq_stop = true;
	wake_up(&cmdqv->irq_wq);
	cmdqv->irq_thread->join();
	delete cmdqv->irq_thread;
	smmu->impl = NULL;
	tegra241_write_config(cmdqv, REG_CMDQV(cmdqv, CONFIG), REG_CMDQV(cmdqv, STATUS), 0,
			      "CMDQV");
	mutex_destroy(&cmdqv->vintfs_lock);
	kfree(cmdqv->vintfs);
	delete cmdqv;
}
