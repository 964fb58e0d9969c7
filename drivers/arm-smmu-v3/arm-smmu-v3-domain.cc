// SPDX-License-Identifier: GPL-2.0
/*
 * ARM SMMUv3: domains and attach.
 *
 * Paging domains are ARMv8 LPAE tables from the generic page-table
 * library (PT_FMT_ARMV8_4K): stage 1 with an ASID, installed through a CD
 * of the master's CD table (the STE then points at that table, S1DSS
 * routing untagged traffic to CD 0), or stage 2 with a VMID, installed in
 * the STE itself. A stage-2 domain allocated with NEST_PARENT is the
 * parent of nested domains (arm-smmu-v3-iommufd.cc). Identity and blocked
 * domains are static: bypass and abort STEs, or, while PASIDs are in use,
 * a CD-table STE with S1DSS bypass or terminate.
 *
 * Attach follows upstream's prepare/commit split: prepare records the
 * master in the new domain's device list (so invalidations of the new
 * domain reach it from the moment the STE/CD can point at it) and decides
 * ATS; the STE/CD is written; commit enables or flushes the ATC and only
 * then drops the master from the old domain's list.
 *
 * Invalidation after unmap: TLBI by VA (stage 1, by ASID) or by IPA
 * (stage 2, by VMID), one command per granule, or range commands when the
 * SMMU has IDR3.RIL; a nest parent also drops every stage-1 entry of its
 * VMID (TLBI_NH_ALL). Then ATC_INV to every ATS-enabled master of the
 * domain. Freed table pages go back only after that (the gather's list).
 */
#include "drivers/arm-smmu-v3/arm-smmu-v3.h"

#include "core/io_pgfault.h"
#include "harness/platform/pci.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"
#include "harness/physmem.h"
#include "harness/slab.h"

#include <mutex>
#include <vector>

/* The MAIR the page tables' AttrIndx values assume: 0 Normal NC, 1 Normal WB, 2 Device. */
#define ARM_SMMU_PT_MAIR ((0x04ULL << 16) | (0xffULL << 8) | 0x44ULL)

/* Above this many single-granule TLBIs, invalidate the whole ASID/VMID instead. */
#define CMDQ_MAX_TLBI_OPS (1 << (PAGE_SHIFT - 3))

/* ----- SMMU instances by fwnode (the probe's firmware lookup) ----- */

static std::mutex arm_smmu_devices_lock;
static std::vector<struct arm_smmu_device *> arm_smmu_devices;

static struct arm_smmu_device *arm_smmu_get_by_fwnode(const void *fwnode)
{
	std::lock_guard<std::mutex> l(arm_smmu_devices_lock);

	for (struct arm_smmu_device *smmu : arm_smmu_devices)
		if (smmu->iommu.fwnode == fwnode)
			return smmu;
	return NULL;
}

int arm_smmu_register_iommu(struct arm_smmu_device *smmu, const void *fwnode)
{
	int ret;

	smmu->iommu.fwnode = fwnode;
	{
		std::lock_guard<std::mutex> l(arm_smmu_devices_lock);
		arm_smmu_devices.push_back(smmu);
	}
	ret = iommu_device_register(&smmu->iommu, &arm_smmu_ops, NULL);
	if (ret) {
		std::lock_guard<std::mutex> l(arm_smmu_devices_lock);
		std::erase(arm_smmu_devices, smmu);
	}
	return ret;
}

void arm_smmu_unregister_iommu(struct arm_smmu_device *smmu)
{
	iommu_device_unregister(&smmu->iommu);
	std::lock_guard<std::mutex> l(arm_smmu_devices_lock);
	std::erase(arm_smmu_devices, smmu);
}

/* ----- ATS ----- */

static struct pci_func *arm_smmu_master_pci(struct arm_smmu_master *master)
{
	struct platform_dev *pdev = platform_dev_of(master->dev);

	return pdev ? pdev->func : NULL;
}

static bool arm_smmu_ats_supported(struct arm_smmu_master *master)
{
	return master->ats_supported;
}

/* The endpoint's ATS Control register (pci_enable_ats()/pci_disable_ats()). */
static void arm_smmu_pci_set_ats(struct arm_smmu_master *master, bool enable)
{
	struct pci_func *f = arm_smmu_master_pci(master);

	if (!f || !f->ats_ecap)
		return;
	/* Smallest Translation Unit 0: 4 KiB, our granule */
	pci_cfg_write(f, f->ats_ecap + PCI_ATS_CTRL,
		      enable ? PCI_ATS_CTRL_ENABLE | PCI_ATS_CTRL_STU(0) : 0, 2);
}

/* The endpoint's PRI Control register (pci_enable_pri()/pci_disable_pri()). */
static void arm_smmu_pci_set_pri(struct arm_smmu_master *master, bool enable)
{
	struct pci_func *f = arm_smmu_master_pci(master);

	if (!f || !f->pri_ecap)
		return;
	pci_cfg_write(f, f->pri_ecap + PCI_PRI_CTRL, enable ? PCI_PRI_CTRL_ENABLE : 0, 2);
}

/*
 * I/O page faults are on while a domain with a fault handler is attached
 * to the master's RID or a PASID: for a PRI function, PRI at the endpoint
 * (upstream has no PRI path; here page requests go to the fault handler as
 * stalls do). The last such detach turns PRI off and drains both queues
 * under the handlers' lock, so no fault handler of the device runs past
 * it (the caller answers what is left and may free the fault queue).
 */
static void arm_smmu_iopf_get(struct arm_smmu_master *master)
{
	if (!master->iopf_refcount++ && master->pri_supported)
		arm_smmu_pci_set_pri(master, true);
}

static void arm_smmu_iopf_put(struct arm_smmu_master *master)
{
	if (WARN_ON(!master->iopf_refcount) || --master->iopf_refcount)
		return;
	if (master->pri_supported)
		arm_smmu_pci_set_pri(master, false);
	arm_smmu_drain_queues(master->smmu);
}

static void arm_smmu_atc_inv_to_cmd(int ssid, unsigned long iova, size_t size,
				    struct arm_smmu_cmdq_ent *cmd)
{
	/* ATC invalidations are always on 4 KiB pages */
	const size_t inval_grain_shift = 12;
	unsigned long page_start, page_end;
	size_t log2_span, span_mask;

	/*
	 * Without SSV the invalidation reaches every ATC entry of the range,
	 * PASID-tagged ones included: there is no way to name only the
	 * untagged ones. That is what the RID (CD 0 via S1DSS=SSID0) needs.
	 */
	*cmd = {};
	cmd->opcode = CMDQ_OP_ATC_INV;
	cmd->substream_valid = ssid != IOMMU_NO_PASID;
	cmd->atc.ssid = ssid;

	if (!size) {
		cmd->atc.size = ATC_INV_SIZE_ALL;
		return;
	}

	page_start = iova >> inval_grain_shift;
	page_end = (iova + size - 1) >> inval_grain_shift;

	/*
	 * An ATS invalidation covers a naturally aligned power of two of
	 * pages: take the smallest one that covers the range (the highest
	 * bit in which start and end differ gives its size).
	 */
	log2_span = fls_long(page_start ^ page_end);
	span_mask = (1ULL << log2_span) - 1;
	page_start &= ~span_mask;

	cmd->atc.addr = page_start << inval_grain_shift;
	cmd->atc.size = log2_span;
}

int arm_smmu_atc_inv_master(struct arm_smmu_master *master, ioasid_t ssid)
{
	struct arm_smmu_cmdq_ent cmd;
	struct arm_smmu_cmdq_batch cmds;

	arm_smmu_atc_inv_to_cmd(ssid, 0, 0, &cmd);
	arm_smmu_cmdq_batch_init(master->smmu, &cmds);
	for (unsigned int i = 0; i < master->num_streams; i++) {
		cmd.atc.sid = master->streams[i].id;
		arm_smmu_cmdq_batch_add(master->smmu, &cmds, &cmd);
	}
	return arm_smmu_cmdq_batch_submit(master->smmu, &cmds);
}

int arm_smmu_atc_inv_domain(struct arm_smmu_domain *smmu_domain, unsigned long iova, size_t size)
{
	struct arm_smmu_master_domain *master_domain;
	struct arm_smmu_cmdq_batch cmds;
	struct arm_smmu_cmdq_ent cmd;

	if (!(smmu_domain->smmu->features & ARM_SMMU_FEAT_ATS))
		return 0;
	/*
	 * The TLBI before this completed; a master enabling ATS concurrently
	 * counted itself in before its endpoint could cache anything.
	 */
	if (!smmu_domain->nr_ats_masters.load())
		return 0;

	arm_smmu_cmdq_batch_init(smmu_domain->smmu, &cmds);
	{
		guard(spinlock)(&smmu_domain->devices_lock);
		list_for_each_entry(master_domain, &smmu_domain->devices, devices_elm) {
			struct arm_smmu_master *master = master_domain->master;

			if (!master->ats_enabled)
				continue;
			if (master_domain->nested_ats_flush) {
				/*
				 * The guest's stage 1 sits on top: a change of
				 * the stage 2 can affect any IOVA it caches.
				 */
				arm_smmu_atc_inv_to_cmd(IOMMU_NO_PASID, 0, 0, &cmd);
			} else {
				arm_smmu_atc_inv_to_cmd(master_domain->ssid, iova, size, &cmd);
			}
			for (unsigned int i = 0; i < master->num_streams; i++) {
				cmd.atc.sid = master->streams[i].id;
				arm_smmu_cmdq_batch_add(smmu_domain->smmu, &cmds, &cmd);
			}
		}
	}
	return arm_smmu_cmdq_batch_submit(smmu_domain->smmu, &cmds);
}

/* ----- TLB invalidation ----- */

/* Everything the domain's tag owns: its ASID, or its VMID. */
static void arm_smmu_tlb_inv_context(struct arm_smmu_domain *smmu_domain)
{
	struct arm_smmu_device *smmu = smmu_domain->smmu;
	struct arm_smmu_cmdq_ent cmd = {};

	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		arm_smmu_tlb_inv_asid(smmu, smmu_domain->cd.asid);
	} else {
		cmd.opcode = CMDQ_OP_TLBI_S12_VMALL;
		cmd.tlbi.vmid = smmu_domain->s2_cfg.vmid;
		arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
	}
	arm_smmu_atc_inv_domain(smmu_domain, 0, 0);
}

void arm_smmu_domain_inv(struct arm_smmu_domain *smmu_domain)
{
	arm_smmu_tlb_inv_context(smmu_domain);
}

static void __arm_smmu_tlb_inv_range(struct arm_smmu_cmdq_ent *cmd, unsigned long iova,
				     size_t size, size_t granule,
				     struct arm_smmu_domain *smmu_domain)
{
	struct arm_smmu_device *smmu = smmu_domain->smmu;
	unsigned long end = iova + size, num_pages = 0, tg = 0;
	size_t inv_range = granule;
	struct arm_smmu_cmdq_batch cmds;

	if (!size)
		return;

	if (smmu->features & ARM_SMMU_FEAT_RANGE_INV) {
		/* Get the leaf page size */
		tg = __ffs(smmu_domain->domain.pgsize_bitmap);

		/* Convert page size of 12,14,16 (log2) to 1,2,3 */
		cmd->tlbi.tg = (tg - 10) / 2;

		/*
		 * The level the granule's leaves are at (TTL); a non-leaf
		 * invalidation may cover several levels and says nothing.
		 */
		if (cmd->tlbi.leaf)
			cmd->tlbi.ttl = 4 - ((ilog2(granule) - 3) / (tg - 3));

		num_pages = size >> tg;
	}

	arm_smmu_cmdq_batch_init(smmu, &cmds);
	while (iova < end) {
		if (smmu->features & ARM_SMMU_FEAT_RANGE_INV) {
			/*
			 * Each command covers NUM+1 (up to 32) chunks of
			 * 2^SCALE pages: take the lowest set bits of what is
			 * left, so the next round starts aligned.
			 */
			unsigned long scale, num;

			scale = __ffs(num_pages);
			cmd->tlbi.scale = scale;
			num = (num_pages >> scale) & CMDQ_TLBI_RANGE_NUM_MAX;
			cmd->tlbi.num = num - 1;
			inv_range = num << (scale + tg);
			num_pages -= num << scale;
		}
		cmd->tlbi.addr = iova;
		arm_smmu_cmdq_batch_add(smmu, &cmds, cmd);
		iova += inv_range;
	}
	arm_smmu_cmdq_batch_submit(smmu, &cmds);
}

void arm_smmu_tlb_inv_range_domain(unsigned long iova, size_t size, size_t granule, bool leaf,
				   struct arm_smmu_domain *smmu_domain)
{
	struct arm_smmu_device *smmu = smmu_domain->smmu;
	struct arm_smmu_cmdq_ent cmd = {};

	cmd.tlbi.leaf = leaf;
	if (!(smmu->features & ARM_SMMU_FEAT_RANGE_INV) && size / granule > CMDQ_MAX_TLBI_OPS) {
		/* Cheaper to drop the whole tag than to queue this many commands */
		arm_smmu_tlb_inv_context(smmu_domain);
		return;
	}

	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		cmd.opcode = smmu->features & ARM_SMMU_FEAT_E2H ? CMDQ_OP_TLBI_EL2_VA
								: CMDQ_OP_TLBI_NH_VA;
		cmd.tlbi.asid = smmu_domain->cd.asid;
	} else {
		cmd.opcode = CMDQ_OP_TLBI_S2_IPA;
		cmd.tlbi.vmid = smmu_domain->s2_cfg.vmid;
	}
	__arm_smmu_tlb_inv_range(&cmd, iova, size, granule, smmu_domain);

	if (smmu_domain->nest_parent) {
		/* A stage-2 change invalidates every nested stage-1 entry of the VMID */
		cmd = {};
		cmd.opcode = CMDQ_OP_TLBI_NH_ALL;
		cmd.tlbi.vmid = smmu_domain->s2_cfg.vmid;
		arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
	}

	/* Not leaf-only: a whole table may have gone */
	arm_smmu_atc_inv_domain(smmu_domain, iova, size);
}

/* ----- Paging domain ops ----- */

static void arm_smmu_flush_iotlb_all(struct iommu_domain *domain)
{
	arm_smmu_tlb_inv_context(to_smmu_domain(domain));
}

static void arm_smmu_iotlb_sync(struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);
	size_t granule = gather->pgsize ? gather->pgsize : 1UL << __ffs(domain->pgsize_bitmap);

	if (gather->end) {
		/* Freed tables mean the walk caches hold more than leaves */
		bool leaf = list_empty(&gather->freelist);

		arm_smmu_tlb_inv_range_domain(gather->start, gather->end - gather->start + 1,
					      granule, leaf, smmu_domain);
	}
	pt_iommu_put_pages_list(&gather->freelist);
}

static bool arm_smmu_enforce_cache_coherency(struct iommu_domain *domain)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);

	/* The SMMU snoops (IDR0.COHACC): every DMA is coherent */
	if (!(smmu_domain->smmu->features & ARM_SMMU_FEAT_COHERENCY))
		return false;
	smmu_domain->enforce_cache_coherency = true;
	return true;
}

static int arm_smmu_set_dirty_tracking(struct iommu_domain *domain, bool enabled)
{
	/* DBM is always on in a dirty-tracking domain: nothing to switch */
	return 0;
}

static const struct iommu_dirty_ops arm_smmu_dirty_ops = {
	.set_dirty_tracking = arm_smmu_set_dirty_tracking,
	.read_and_clear_dirty = pt_read_and_clear_dirty,
};

static int arm_smmu_attach_dev(struct iommu_domain *domain, struct device *dev,
			       struct iommu_domain *old);
static int arm_smmu_s1_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
				     ioasid_t id, struct iommu_domain *old);
static void arm_smmu_domain_free_paging(struct iommu_domain *domain);

static const struct iommu_domain_ops arm_smmu_domain_ops = {
	.attach_dev = arm_smmu_attach_dev,
	.set_dev_pasid = arm_smmu_s1_set_dev_pasid,
	.map_pages = pt_map_pages,
	.unmap_pages = pt_unmap_pages,
	.flush_iotlb_all = arm_smmu_flush_iotlb_all,
	.iotlb_sync = arm_smmu_iotlb_sync,
	.iova_to_phys = pt_iova_to_phys,
	.enforce_cache_coherency = arm_smmu_enforce_cache_coherency,
	.free = arm_smmu_domain_free_paging,
};

struct arm_smmu_domain *arm_smmu_domain_alloc(void)
{
	void *mem = kzalloc(sizeof(struct arm_smmu_domain), GFP_KERNEL);
	struct arm_smmu_domain *smmu_domain;

	if (!mem)
		return NULL;
	smmu_domain = new (mem) arm_smmu_domain;
	INIT_LIST_HEAD(&smmu_domain->devices);
	spin_lock_init(&smmu_domain->devices_lock);
	return smmu_domain;
}

static void arm_smmu_domain_release(struct arm_smmu_domain *smmu_domain)
{
	smmu_domain->~arm_smmu_domain();
	kfree(smmu_domain);
}

/* The IDR5.OAS / CD.IPS / VTCR.PS encoding for an address width. */
static u8 arm_smmu_ps_encoding(unsigned int bits)
{
	switch (bits) {
	case 32: return IDR5_OAS_32_BIT;
	case 36: return IDR5_OAS_36_BIT;
	case 40: return IDR5_OAS_40_BIT;
	case 42: return IDR5_OAS_42_BIT;
	case 44: return IDR5_OAS_44_BIT;
	default: return IDR5_OAS_48_BIT;
	}
}

int arm_smmu_domain_finalise(struct arm_smmu_domain *smmu_domain, struct arm_smmu_device *smmu,
			     u32 flags)
{
	struct arm_smmu_pgtbl_cfg *pcfg = &smmu_domain->pgtbl_cfg;
	struct pt_iommu_cfg cfg = {};
	struct pt_iommu_hw_info info;
	u32 id;
	int ret;

	/*
	 * The granule: the CPU's page size (4K) where the SMMU has it, as
	 * io-pgtable picks, else the smallest it has.
	 */
	cfg.fmt = smmu->pgsize_bitmap & SZ_4K  ? PT_FMT_ARMV8_4K :
		  smmu->pgsize_bitmap & SZ_16K ? PT_FMT_ARMV8_16K :
						 PT_FMT_ARMV8_64K;
	cfg.hw_max_oasz_lg2 = smmu->oas;
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		cfg.hw_max_vasz_lg2 = 48;
		if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
			cfg.features |= BIT_ULL(PT_FEAT_ARMV8_DBM);
		ret = xa_alloc(&smmu->asid_map, &id, smmu_domain,
			       XA_LIMIT(1, (1U << smmu->asid_bits) - 1), GFP_KERNEL);
		if (ret)
			return ret;
		smmu_domain->cd.asid = id;
	} else {
		cfg.hw_max_vasz_lg2 = smmu->ias;
		/*
		 * A 16K stage 2 starting at level 0 needs S2SL0 encodings beyond
		 * SMMUv3.1's, and at level 1 two concatenated tables for 48
		 * bits: stop at 47 bits, one level-1 table.
		 */
		if (cfg.fmt == PT_FMT_ARMV8_16K)
			cfg.hw_max_vasz_lg2 = min(cfg.hw_max_vasz_lg2, 47U);
		cfg.features |= BIT_ULL(PT_FEAT_ARMV8_S2);
		if (smmu->features & ARM_SMMU_FEAT_S2FWB)
			pcfg->s2fwb = true;
		ret = xa_alloc(&smmu->vmid_map, &id, smmu_domain,
			       XA_LIMIT(1, (1U << smmu->vmid_bits) - 1), GFP_KERNEL);
		if (ret)
			return ret;
		smmu_domain->s2_cfg.vmid = id;
	}
	smmu_domain->smmu = smmu;
	smmu_domain->domain.ops = &arm_smmu_domain_ops;

	ret = pt_iommu_init(&smmu_domain->pt, &cfg, GFP_KERNEL);
	if (ret) {
		if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
			xa_erase(&smmu->asid_map, smmu_domain->cd.asid);
		else
			xa_erase(&smmu->vmid_map, smmu_domain->s2_cfg.vmid);
		smmu_domain->smmu = NULL;
		return ret;
	}
	/* pt_iommu_init() set the page sizes; the SMMU's granules bound them */
	smmu_domain->domain.pgsize_bitmap &= smmu->pgsize_bitmap;

	pt_iommu_hw_info(&smmu_domain->pt, &info);
	pcfg->ttbr = info.top_paddr;
	pcfg->tsz = 64 - info.vasz_lg2;
	/*
	 * Start level: SL0 is 2 - the ARM level with a 4K granule, 3 - it with
	 * 16K and 64K; generic_pt's top_level counts up from the leaf (0), so
	 * the ARM level is 3 - top_level.
	 */
	pcfg->sl = cfg.fmt == PT_FMT_ARMV8_4K ? info.top_level - 1 : info.top_level;
	pcfg->irgn = 1;			/* Normal WB-WA */
	pcfg->orgn = 1;
	pcfg->sh = ARM_SMMU_SH_ISH;
	switch (cfg.fmt) {
	case PT_FMT_ARMV8_16K:
		pcfg->tg = smmu_domain->stage == ARM_SMMU_DOMAIN_S1 ? ARM_SMMU_TG0_16K :
								       ARM_SMMU_S2TG_16K;
		break;
	case PT_FMT_ARMV8_64K:
		pcfg->tg = smmu_domain->stage == ARM_SMMU_DOMAIN_S1 ? ARM_SMMU_TG0_64K :
								       ARM_SMMU_S2TG_64K;
		break;
	default:
		pcfg->tg = smmu_domain->stage == ARM_SMMU_DOMAIN_S1 ? ARM_SMMU_TG0_4K :
								       ARM_SMMU_S2TG_4K;
		break;
	}
	pcfg->ps = arm_smmu_ps_encoding(smmu->oas);
	pcfg->mair = ARM_SMMU_PT_MAIR;
	pcfg->hd = flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	return 0;
}

static struct iommu_domain *arm_smmu_domain_alloc_paging_flags(struct device *dev, u32 flags,
							       const struct iommu_user_data *user_data)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_device *smmu = master->smmu;
	const u32 PAGING_FLAGS = IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID |
				 IOMMU_HWPT_ALLOC_NEST_PARENT;
	struct arm_smmu_domain *smmu_domain;
	int ret;

	if (flags & ~PAGING_FLAGS)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	if (user_data)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);

	smmu_domain = arm_smmu_domain_alloc();
	if (!smmu_domain)
		return (struct iommu_domain *)ERR_PTR(-ENOMEM);

	switch (flags) {
	case 0:
		/* Prefer S1 if available */
		smmu_domain->stage = smmu->features & ARM_SMMU_FEAT_TRANS_S1 ? ARM_SMMU_DOMAIN_S1
									     : ARM_SMMU_DOMAIN_S2;
		break;
	case IOMMU_HWPT_ALLOC_NEST_PARENT:
		if (!(smmu->features & ARM_SMMU_FEAT_NESTING)) {
			ret = -EOPNOTSUPP;
			goto err_free;
		}
		smmu_domain->stage = ARM_SMMU_DOMAIN_S2;
		smmu_domain->nest_parent = true;
		break;
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING:
	case IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID:
	case IOMMU_HWPT_ALLOC_PASID:
		if (!(smmu->features & ARM_SMMU_FEAT_TRANS_S1)) {
			ret = -EOPNOTSUPP;
			goto err_free;
		}
		if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
		    !(smmu->features & ARM_SMMU_FEAT_HD)) {
			ret = -EOPNOTSUPP;
			goto err_free;
		}
		smmu_domain->stage = ARM_SMMU_DOMAIN_S1;
		break;
	default:
		ret = -EOPNOTSUPP;
		goto err_free;
	}

	smmu_domain->domain.type = IOMMU_DOMAIN_UNMANAGED;
	ret = arm_smmu_domain_finalise(smmu_domain, smmu, flags);
	if (ret)
		goto err_free;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		smmu_domain->domain.dirty_ops = &arm_smmu_dirty_ops;
	return &smmu_domain->domain;

err_free:
	arm_smmu_domain_release(smmu_domain);
	return (struct iommu_domain *)ERR_PTR(ret);
}

static void arm_smmu_domain_free_paging(struct iommu_domain *domain)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);
	struct arm_smmu_device *smmu = smmu_domain->smmu;

	WARN_ON(!list_empty(&smmu_domain->devices));
	/* Nothing may hit the tag once it is reused: flush it before freeing */
	arm_smmu_tlb_inv_context(smmu_domain);
	pt_iommu_deinit(&smmu_domain->pt);
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
		xa_erase(&smmu->asid_map, smmu_domain->cd.asid);
	else
		xa_erase(&smmu->vmid_map, smmu_domain->s2_cfg.vmid);
	arm_smmu_domain_release(smmu_domain);
}

/* ----- Attach ----- */

/* The paging domain whose device list a domain's masters go on (a nested one's parent). */
static struct arm_smmu_domain *to_smmu_domain_devices(struct iommu_domain *domain)
{
	if (!domain)
		return NULL;
	if ((domain->type & __IOMMU_DOMAIN_PAGING) && domain->owner == &arm_smmu_ops)
		return to_smmu_domain(domain);
	if (domain->type == IOMMU_DOMAIN_NESTED)
		return to_smmu_nested_domain(domain)->vsmmu->s2_parent;
	return NULL;
}

static bool arm_smmu_ssids_in_use(struct arm_smmu_ctx_desc_cfg *cd_table)
{
	return cd_table->used_ssids;
}

static void arm_smmu_remove_master_domain(struct arm_smmu_master *master,
					  struct iommu_domain *domain, ioasid_t ssid)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain_devices(domain);
	struct arm_smmu_master_domain *master_domain, *found = NULL;
	struct iommu_domain *nested = domain && domain->type == IOMMU_DOMAIN_NESTED ? domain : NULL;

	if (!smmu_domain)
		return;
	{
		guard(spinlock)(&smmu_domain->devices_lock);
		list_for_each_entry(master_domain, &smmu_domain->devices, devices_elm) {
			if (master_domain->master == master && master_domain->ssid == ssid &&
			    master_domain->domain == nested) {
				found = master_domain;
				break;
			}
		}
		if (found) {
			list_del(&found->devices_elm);
			if (master->ats_enabled)
				smmu_domain->nr_ats_masters--;
		}
	}
	kfree(found);
}

/*
 * The CD table outlives nothing that uses it: once the STE no longer
 * points at it and no PASID is attached, its CDs are invalidated and its
 * memory goes (upstream keeps it until the device is released; here a
 * table without users is returned so that every attach/detach pairs up).
 */
static void arm_smmu_put_unused_cd_table(struct arm_smmu_master *master)
{
	struct arm_smmu_cmdq_ent cmd = { .opcode = CMDQ_OP_CFGI_CD_ALL };
	struct arm_smmu_cmdq_batch cmds;

	if (!arm_smmu_cdtab_allocated(&master->cd_table) || master->cd_table.in_ste ||
	    arm_smmu_ssids_in_use(&master->cd_table))
		return;
	arm_smmu_cmdq_batch_init(master->smmu, &cmds);
	for (unsigned int i = 0; i < master->num_streams; i++) {
		cmd.cfgi.sid = master->streams[i].id;
		arm_smmu_cmdq_batch_add(master->smmu, &cmds, &cmd);
	}
	arm_smmu_cmdq_batch_submit(master->smmu, &cmds);
	arm_smmu_free_cd_tables(master);
}

int arm_smmu_attach_prepare(struct arm_smmu_attach_state *state, struct iommu_domain *new_domain)
{
	struct arm_smmu_master *master = state->master;
	struct arm_smmu_master_domain *master_domain;
	struct arm_smmu_domain *smmu_domain = to_smmu_domain_devices(new_domain);
	int ret;

	iommu_group_mutex_assert(master->dev);

	state->iopf = new_domain && new_domain->iopf_handler;
	if (smmu_domain || state->cd_needs_ats) {
		/*
		 * The master is in the new domain's list from here, so an
		 * ATC invalidation of that domain reaches it before the STE
		 * can point at the domain: the ATC is never stale.
		 */
		state->ats_enabled = !state->disable_ats && arm_smmu_ats_supported(master);
	}

	if (smmu_domain) {
		if (new_domain->type == IOMMU_DOMAIN_NESTED) {
			ret = arm_smmu_attach_prepare_vmaster(state, to_smmu_nested_domain(new_domain));
			if (ret)
				return ret;
		}

		master_domain = (struct arm_smmu_master_domain *)kzalloc(sizeof(*master_domain),
									  GFP_KERNEL);
		if (!master_domain) {
			kfree(state->vmaster);
			state->vmaster = NULL;
			return -ENOMEM;
		}
		master_domain->master = master;
		master_domain->ssid = state->ssid;
		if (new_domain->type == IOMMU_DOMAIN_NESTED) {
			master_domain->domain = new_domain;
			master_domain->nested_ats_flush = to_smmu_nested_domain(new_domain)->enable_ats;
		}

		if (state->ats_enabled)
			smmu_domain->nr_ats_masters++;
		guard(spinlock)(&smmu_domain->devices_lock);
		list_add(&master_domain->devices_elm, &smmu_domain->devices);
	}

	if (!state->ats_enabled && master->ats_enabled) {
		/* Off at the endpoint before the STE starts refusing its translated requests */
		arm_smmu_pci_set_ats(master, false);
	}
	return 0;
}

void arm_smmu_attach_commit(struct arm_smmu_attach_state *state)
{
	struct arm_smmu_master *master = state->master;

	iommu_group_mutex_assert(master->dev);

	if (state->ats_enabled && !master->ats_enabled) {
		/* Nothing stale from an earlier life of the endpoint's ATC */
		arm_smmu_atc_inv_master(master, IOMMU_NO_PASID);
		arm_smmu_pci_set_ats(master, true);
	} else if (state->ats_enabled && master->ats_enabled) {
		/*
		 * The translation changed under a live ATC: flush it. Both
		 * domains issue invalidations for it until commit finishes.
		 */
		arm_smmu_atc_inv_master(master, state->ssid);
	} else if (!state->ats_enabled && master->ats_enabled) {
		/* ATS is being switched off, invalidate the entire ATC */
		arm_smmu_atc_inv_master(master, IOMMU_NO_PASID);
	}
	master->ats_enabled = state->ats_enabled;

	/* Page requests on before the old handler goes, so none is refused in between */
	if (state->iopf)
		arm_smmu_iopf_get(master);
	arm_smmu_remove_master_domain(master, state->old_domain, state->ssid);
	arm_smmu_attach_commit_vmaster(state);
	if (state->old_domain && state->old_domain->iopf_handler)
		arm_smmu_iopf_put(master);
}

static int arm_smmu_attach_dev(struct iommu_domain *domain, struct device *dev,
			       struct iommu_domain *old)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);
	struct arm_smmu_attach_state state = {
		.old_domain = old,
		.master = master,
		.ssid = IOMMU_NO_PASID,
	};
	struct arm_smmu_ste target;
	struct arm_smmu_cd *cdptr = NULL;
	int ret;

	if (smmu_domain->smmu != master->smmu)
		return -EINVAL;

	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		cdptr = arm_smmu_alloc_cd_ptr(master, IOMMU_NO_PASID);
		if (!cdptr)
			return -ENOMEM;
	} else if (arm_smmu_ssids_in_use(&master->cd_table)) {
		/* A stage-2 STE has no CD table: the PASIDs in use would be lost */
		return -EBUSY;
	}

	ret = arm_smmu_attach_prepare(&state, domain);
	if (ret)
		return ret;

	switch (smmu_domain->stage) {
	case ARM_SMMU_DOMAIN_S1: {
		struct arm_smmu_cd target_cd;

		arm_smmu_make_s1_cd(&target_cd, master, smmu_domain);
		arm_smmu_write_cd_entry(master, IOMMU_NO_PASID, cdptr, &target_cd);
		arm_smmu_make_cdtable_ste(&target, master, state.ats_enabled,
					  STRTAB_STE_1_S1DSS_SSID0);
		arm_smmu_install_ste_for_dev(master, &target);
		break;
	}
	case ARM_SMMU_DOMAIN_S2:
	default:
		arm_smmu_make_s2_domain_ste(&target, master, smmu_domain, state.ats_enabled);
		arm_smmu_install_ste_for_dev(master, &target);
		arm_smmu_clear_cd(master, IOMMU_NO_PASID);
		arm_smmu_put_unused_cd_table(master);
		break;
	}

	arm_smmu_attach_commit(&state);
	master->sid_domain = domain;
	return 0;
}

/*
 * The RID's STE while PASIDs are in use: a CD table, with untagged
 * traffic going where the RID domain says (S1DSS bypass or terminate).
 */
static void arm_smmu_update_ste(struct arm_smmu_master *master, struct iommu_domain *sid_domain,
				bool ats_enabled)
{
	unsigned int s1dss = STRTAB_STE_1_S1DSS_TERMINATE;
	struct arm_smmu_ste ste;

	if (master->cd_table.in_ste && master->ste_ats_enabled == ats_enabled)
		return;

	if (sid_domain->type == IOMMU_DOMAIN_IDENTITY)
		s1dss = STRTAB_STE_1_S1DSS_BYPASS;
	else
		WARN_ON(sid_domain->type != IOMMU_DOMAIN_BLOCKED);

	arm_smmu_make_cdtable_ste(&ste, master, ats_enabled, s1dss);
	arm_smmu_install_ste_for_dev(master, &ste);
}

static int arm_smmu_set_pasid(struct arm_smmu_master *master,
			      struct arm_smmu_domain *smmu_domain, ioasid_t pasid,
			      struct arm_smmu_cd *cd, struct iommu_domain *old)
{
	struct iommu_domain *sid_domain = master->sid_domain;
	struct arm_smmu_attach_state state = {
		.old_domain = old,
		.master = master,
		.ssid = pasid,
	};
	struct arm_smmu_cd *cdptr;
	int ret;

	if (smmu_domain->smmu != master->smmu)
		return -EINVAL;
	/*
	 * PASIDs need a CD table in the STE: the RID must be on a stage-1
	 * domain already, or on identity/blocked which can become S1DSS.
	 */
	if (!sid_domain)
		sid_domain = &arm_smmu_blocked_domain;
	if (!master->cd_table.in_ste && sid_domain->type != IOMMU_DOMAIN_IDENTITY &&
	    sid_domain->type != IOMMU_DOMAIN_BLOCKED)
		return -EINVAL;

	cdptr = arm_smmu_alloc_cd_ptr(master, pasid);
	if (!cdptr)
		return -ENOMEM;

	ret = arm_smmu_attach_prepare(&state, &smmu_domain->domain);
	if (ret)
		return ret;

	arm_smmu_write_cd_entry(master, pasid, cdptr, cd);
	arm_smmu_update_ste(master, sid_domain, state.ats_enabled);
	arm_smmu_attach_commit(&state);
	return 0;
}

static int arm_smmu_s1_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
				     ioasid_t id, struct iommu_domain *old)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_cd target_cd;

	if (smmu_domain->smmu != master->smmu)
		return -EINVAL;
	if (smmu_domain->stage != ARM_SMMU_DOMAIN_S1)
		return -EINVAL;
	if (!master->ssid_bits || id >= (1U << master->ssid_bits))
		return -EINVAL;

	arm_smmu_make_s1_cd(&target_cd, master, smmu_domain);
	return arm_smmu_set_pasid(master, smmu_domain, id, &target_cd, old);
}

static void arm_smmu_attach_dev_ste(struct iommu_domain *domain, struct device *dev,
				    struct arm_smmu_ste *ste, unsigned int s1dss,
				    struct iommu_domain *old)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_attach_state state = {
		.old_domain = old,
		.master = master,
		.ssid = IOMMU_NO_PASID,
	};

	if (arm_smmu_ssids_in_use(&master->cd_table)) {
		/*
		 * PASIDs keep their CD table: untagged traffic goes through
		 * S1DSS (13.5), and ATS stays on since a PASID may use it.
		 */
		state.cd_needs_ats = true;
		arm_smmu_attach_prepare(&state, domain);
		arm_smmu_make_cdtable_ste(ste, master, state.ats_enabled, s1dss);
	} else {
		arm_smmu_attach_prepare(&state, domain);
	}
	arm_smmu_install_ste_for_dev(master, ste);
	arm_smmu_attach_commit(&state);
	master->sid_domain = domain;

	/* Only once the master is off the old domain's list, so nobody else writes CD 0 */
	arm_smmu_clear_cd(master, IOMMU_NO_PASID);
	arm_smmu_put_unused_cd_table(master);
}

static int arm_smmu_attach_dev_identity(struct iommu_domain *domain, struct device *dev,
					struct iommu_domain *old)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_ste ste;

	arm_smmu_master_clear_vmaster(master);
	arm_smmu_make_bypass_ste(master->smmu, &ste);
	arm_smmu_attach_dev_ste(domain, dev, &ste, STRTAB_STE_1_S1DSS_BYPASS, old);
	return 0;
}

static int arm_smmu_attach_dev_blocked(struct iommu_domain *domain, struct device *dev,
				       struct iommu_domain *old)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_ste ste;

	arm_smmu_master_clear_vmaster(master);
	arm_smmu_make_abort_ste(&ste);
	arm_smmu_attach_dev_ste(domain, dev, &ste, STRTAB_STE_1_S1DSS_TERMINATE, old);
	return 0;
}

static int arm_smmu_blocking_set_dev_pasid(struct iommu_domain *new_domain, struct device *dev,
					   ioasid_t pasid, struct iommu_domain *old_domain)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);

	arm_smmu_clear_cd(master, pasid);
	if (master->ats_enabled)
		arm_smmu_atc_inv_master(master, pasid);
	arm_smmu_remove_master_domain(master, old_domain, pasid);
	if (old_domain && old_domain->iopf_handler)
		arm_smmu_iopf_put(master);

	/* The last PASID gone: the RID's STE goes back to what its domain is */
	if (!arm_smmu_ssids_in_use(&master->cd_table)) {
		struct iommu_domain *sid_domain = master->sid_domain;

		if (sid_domain && (sid_domain->type == IOMMU_DOMAIN_IDENTITY ||
				   sid_domain->type == IOMMU_DOMAIN_BLOCKED))
			sid_domain->ops->attach_dev(sid_domain, dev, sid_domain);
	}
	return 0;
}

static const struct iommu_domain_ops arm_smmu_identity_ops = {
	.attach_dev = arm_smmu_attach_dev_identity,
};

struct iommu_domain arm_smmu_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &arm_smmu_identity_ops,
};

static const struct iommu_domain_ops arm_smmu_blocked_ops = {
	.attach_dev = arm_smmu_attach_dev_blocked,
	.set_dev_pasid = arm_smmu_blocking_set_dev_pasid,
};

struct iommu_domain arm_smmu_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &arm_smmu_blocked_ops,
};

/* ----- Devices ----- */

static bool arm_smmu_capable(struct device *dev, enum iommu_cap cap)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);

	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
	case IOMMU_CAP_ENFORCE_CACHE_COHERENCY:
		return master->smmu->features & ARM_SMMU_FEAT_COHERENCY;
	case IOMMU_CAP_NOEXEC:
	case IOMMU_CAP_DEFERRED_FLUSH:
		return true;
	case IOMMU_CAP_DIRTY_TRACKING:
		return (master->smmu->features & (ARM_SMMU_FEAT_HD | ARM_SMMU_FEAT_COHERENCY)) ==
		       (ARM_SMMU_FEAT_HD | ARM_SMMU_FEAT_COHERENCY);
	case IOMMU_CAP_PCI_ATS_SUPPORTED:
		return master->ats_supported;
	default:
		return false;
	}
}

/* Makes the master's StreamIDs (already in master->streams) find it. */
static int arm_smmu_insert_master(struct arm_smmu_device *smmu, struct arm_smmu_master *master)
{
	unsigned int i;
	int ret = 0;

	guard(mutex)(&smmu->streams_mutex);
	for (i = 0; i < master->num_streams; i++) {
		struct arm_smmu_stream *stream = &master->streams[i];

		ret = arm_smmu_init_sid_strtab(smmu, stream->id);
		if (ret)
			break;
		stream->master = master;
		ret = xa_insert(&smmu->streams, stream->id, stream, GFP_KERNEL);
		if (ret) {
			/* Two masters claiming one StreamID: the firmware is wrong */
			if (ret == -EBUSY)
				ret = -EINVAL;
			break;
		}
	}
	if (ret) {
		while (i--)
			xa_erase(&smmu->streams, master->streams[i].id);
	}
	return ret;
}

static void arm_smmu_remove_master(struct arm_smmu_master *master)
{
	struct arm_smmu_device *smmu = master->smmu;

	if (!master->streams)
		return;
	guard(mutex)(&smmu->streams_mutex);
	for (unsigned int i = 0; i < master->num_streams; i++)
		xa_erase(&smmu->streams, master->streams[i].id);
	kfree(master->streams);
	master->streams = NULL;
}

/*
 * The device's StreamIDs come from the firmware description (the platform
 * file's stream_id, upstream's fwspec ids), its ATS/PRI/PASID support from
 * the same place the PCI capability checks read.
 */
static struct iommu_device *arm_smmu_probe_device(struct device *dev)
{
	struct platform_dev *pdev = platform_dev_of(dev);
	struct arm_smmu_device *smmu;
	struct arm_smmu_master *master;
	int ret;

	if (!pdev || !dev->iommu_fwnode)
		return (struct iommu_device *)ERR_PTR(-ENODEV);
	smmu = arm_smmu_get_by_fwnode(dev->iommu_fwnode);
	if (!smmu)
		return (struct iommu_device *)ERR_PTR(-ENODEV);

	master = (struct arm_smmu_master *)kzalloc(sizeof(*master), GFP_KERNEL);
	if (!master)
		return (struct iommu_device *)ERR_PTR(-ENOMEM);
	master->dev = dev;
	master->smmu = smmu;
	master->num_streams = 1;
	master->streams = (struct arm_smmu_stream *)kcalloc(master->num_streams,
							    sizeof(*master->streams), GFP_KERNEL);
	if (!master->streams) {
		kfree(master);
		return (struct iommu_device *)ERR_PTR(-ENOMEM);
	}
	master->streams[0].id = pdev->desc->stream_id;

	ret = arm_smmu_insert_master(smmu, master);
	if (ret) {
		kfree(master->streams);
		kfree(master);
		return (struct iommu_device *)ERR_PTR(ret);
	}

	master->ssid_bits = min(smmu->ssid_bits, dev->pasid_bits);
	/* A linear CD table past 64 KiB is not worth it: no 2-level, fewer PASIDs */
	if (!(smmu->features & ARM_SMMU_FEAT_2_LVL_CDTAB))
		master->ssid_bits = min(master->ssid_bits, (unsigned int)CTXDESC_LINEAR_CDMAX);
	master->ats_supported = (smmu->features & ARM_SMMU_FEAT_ATS) && pdev->desc->ats &&
				pdev->func && pdev->func->ats_ecap;
	master->pri_supported = (smmu->features & ARM_SMMU_FEAT_PRI) && pdev->desc->pri;
	/* Its stage-1 faults stall (CD.S) and come back as I/O page faults to resume */
	master->stall_enabled = ((smmu->features & ARM_SMMU_FEAT_STALLS) && smmu->dma_can_stall) ||
				(smmu->features & ARM_SMMU_FEAT_STALL_FORCE);

	dev_iommu_priv_set(dev, master);
	return &smmu->iommu;
}

static void arm_smmu_release_device(struct device *dev)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_ste target;

	if (!master)
		return;
	WARN_ON(master->cd_table.used_ssids);
	if (master->ats_enabled)
		arm_smmu_pci_set_ats(master, false);
	/* Nothing of the device may translate once it is gone */
	arm_smmu_make_abort_ste(&target);
	arm_smmu_install_ste_for_dev(master, &target);
	arm_smmu_master_clear_vmaster(master);
	arm_smmu_remove_master(master);
	arm_smmu_free_cd_tables(master);
	dev_iommu_priv_set(dev, NULL);
	kfree(master);
}

static void arm_smmu_get_resv_regions(struct device *dev, struct list_head *head)
{
	/* No MSI doorbell to keep out of the IOVA space: interrupts are not remapped here */
}

/*
 * A stalled transaction is answered with a RESUME for its STAG: retried
 * on success, aborted otherwise (upstream's choice).
 */
static void arm_smmu_stall_response(struct arm_smmu_master *master,
				    struct iommu_page_response *resp)
{
	struct arm_smmu_cmdq_ent cmd = { .opcode = CMDQ_OP_RESUME };

	cmd.resume.sid = master->streams[0].id;
	cmd.resume.stag = resp->grpid;
	cmd.resume.resp = resp->code == IOMMU_PAGE_RESP_SUCCESS ? CMDQ_RESUME_0_RESP_RETRY :
								  CMDQ_RESUME_0_RESP_ABORT;
	arm_smmu_cmdq_issue_cmd_with_sync(master->smmu, &cmd);
}

/*
 * An I/O page fault is answered: a stall with a RESUME, a page request the
 * PRI queue reported with a PRI_RESP for its group, which the SMMU turns
 * into a PRG Response to the function.
 */
static void arm_smmu_page_response(struct device *dev, struct iopf_fault *evt,
				   struct iommu_page_response *resp)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	const struct iommu_fault_page_request *prm = &evt->fault.prm;
	struct arm_smmu_cmdq_ent cmd = { .opcode = CMDQ_OP_PRI_RESP };

	if (!master || !master->num_streams)
		return;
	if (master->stall_enabled)
		return arm_smmu_stall_response(master, resp);
	cmd.substream_valid = prm->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	cmd.pri.sid = master->streams[0].id;
	cmd.pri.ssid = resp->pasid;
	cmd.pri.grpid = resp->grpid;
	switch (resp->code) {
	case IOMMU_PAGE_RESP_SUCCESS:
		cmd.pri.resp = PRI_RESP_SUCC;
		break;
	case IOMMU_PAGE_RESP_INVALID:
		cmd.pri.resp = PRI_RESP_DENY;
		break;
	default:
		cmd.pri.resp = PRI_RESP_FAIL;
		break;
	}
	arm_smmu_cmdq_issue_cmd_with_sync(master->smmu, &cmd);
}

const struct iommu_ops arm_smmu_ops = {
	.capable = arm_smmu_capable,
	.hw_info = arm_smmu_hw_info,
	.domain_alloc_paging_flags = arm_smmu_domain_alloc_paging_flags,
	.probe_device = arm_smmu_probe_device,
	.release_device = arm_smmu_release_device,
	.device_group = platform_device_group,
	.get_resv_regions = arm_smmu_get_resv_regions,
	.page_response = arm_smmu_page_response,
	.get_viommu_size = arm_smmu_get_viommu_size,
	.viommu_init = arm_vsmmu_init,
	.default_domain_ops = &arm_smmu_domain_ops,
	.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
	.identity_domain = &arm_smmu_identity_domain,
	.blocked_domain = &arm_smmu_blocked_domain,
	.release_domain = &arm_smmu_blocked_domain,
	.default_domain = &arm_smmu_blocked_domain,
	.user_pasid_table = true,
};
