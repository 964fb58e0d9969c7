// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-d: scalable-mode context entries and PASID tables (upstream's
 * pasid.c).
 *
 * Each device gets a PASID directory sized for the PASIDs it can use (at
 * least one page); 4 KiB leaf tables of 64 entries are allocated when a
 * PASID of their range is first set up and freed with the directory. The
 * scalable-mode context entry, written once at probe, points at the
 * directory with RID_PASID 0, so untagged DMA uses PASID entry 0.
 *
 * A PASID entry is built whole (pasid_pte_config_*()) in a local copy.
 * Setup requires the entry to be not present (-EBUSY otherwise): a
 * not-present entry is never cached, so no flush is needed besides
 * ordering. Replace requires it present (-EINVAL) and swaps the whole
 * entry, then flushes the PASID cache for the old DID, the old DID's IOTLB
 * entries and the device-TLB. Tear-down clears the entry and flushes the
 * same way (the IOTLB by PASID for first-stage and pass-through entries,
 * by domain for second-stage ones, which the PASID-based flush does not
 * reach).
 */
#include "drivers/intel/iommu.h"

#include "harness/physmem.h"
#include "harness/slab.h"

#define PASID_PTE_MASK		(PASID_TBL_ENTRIES - 1)

/* ----- The table ----- */

int intel_pasid_alloc_table(struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct pasid_table *pasid_table;
	u32 max_pasid = 0;
	size_t size;

	if (WARN_ON(!info || info->pasid_table))
		return -EINVAL;
	pasid_table = (struct pasid_table *)kzalloc(sizeof(*pasid_table), GFP_KERNEL);
	if (!pasid_table)
		return -ENOMEM;

	if (info->pasid_supported)
		max_pasid = min_t(u32, dev_iommu_max_pasids(dev), PASID_MAX);
	/* One directory entry covers 64 PASIDs; the directory is at least a page */
	size = max_t(size_t, (size_t)(max_pasid >> PASID_PDE_SHIFT) * sizeof(struct pasid_dir_entry),
		     VTD_PAGE_SIZE);
	size = roundup_pow_of_two(size);
	pasid_table->table = (struct pasid_dir_entry *)iommu_alloc_pages_sz(GFP_KERNEL, size);
	if (!pasid_table->table) {
		kfree(pasid_table);
		return -ENOMEM;
	}
	pasid_table->order = ilog2(size / VTD_PAGE_SIZE);
	pasid_table->max_pasid = (u32)min_t(u64, (u64)(size / sizeof(struct pasid_dir_entry))
						 << PASID_PDE_SHIFT, PASID_MAX);
	info->pasid_table = pasid_table;
	return 0;
}

void intel_pasid_free_table(struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct pasid_table *pasid_table;
	u32 max_pde;

	if (!info || !info->pasid_table)
		return;
	pasid_table = info->pasid_table;
	info->pasid_table = NULL;
	max_pde = pasid_table->max_pasid >> PASID_PDE_SHIFT;
	for (u32 i = 0; i < max_pde; i++) {
		u64 pde = pasid_table->table[i].val;

		if (pde & PASID_DIR_P)
			iommu_free_pages(phys_to_virt(pde & PASID_DIR_SMPTBLPTR));
	}
	iommu_free_pages(pasid_table->table);
	kfree(pasid_table);
}

/* The entry of @pasid, its leaf table allocated on first use; NULL past the table. */
struct pasid_entry *intel_pasid_get_entry(struct device *dev, u32 pasid)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct pasid_table *pasid_table = info ? info->pasid_table : NULL;
	struct pasid_dir_entry *dir;
	struct pasid_entry *entries;
	u32 dir_index, index;
	u64 pde;

	if (!pasid_table || pasid >= pasid_table->max_pasid)
		return NULL;
	dir = pasid_table->table;
	dir_index = pasid >> PASID_PDE_SHIFT;
	index = pasid & PASID_PTE_MASK;

	pde = READ_ONCE(dir[dir_index].val);
	if (!(pde & PASID_DIR_P)) {
		u64 expected = 0;

		entries = (struct pasid_entry *)iommu_alloc_pages_sz(GFP_ATOMIC, VTD_PAGE_SIZE);
		if (!entries)
			return NULL;
		pde = virt_to_phys(entries) | PASID_DIR_P;
		/* Two setups of PASIDs in one range: one table wins */
		if (!__atomic_compare_exchange_n(&dir[dir_index].val, &expected, pde, false,
						 __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
			iommu_free_pages(entries);
			pde = expected;
		}
	}
	entries = (struct pasid_entry *)phys_to_virt(pde & PASID_DIR_SMPTBLPTR);
	return &entries[index];
}

/* The whole entry, highest word first so the present bit goes last. */
static void pasid_entry_write(struct pasid_entry *pte, const struct pasid_entry *new_pte)
{
	for (int i = 7; i >= 1; i--)
		WRITE_ONCE(pte->val[i], new_pte->val[i]);
	__atomic_store_n(&pte->val[0], new_pte->val[0], __ATOMIC_RELEASE);
}

static void pasid_set_bits(u64 *ptr, u64 mask, u64 bits)
{
	*ptr = (*ptr & ~mask) | (bits & mask);
}

/* ----- Flushes ----- */

static void pasid_cache_invalidation_with_pasid(struct intel_iommu *iommu, u16 did, u32 pasid)
{
	qi_flush_pasid_cache(iommu, did, QI_PC_PASID_SEL, pasid);
}

void devtlb_invalidation_with_pasid(struct intel_iommu *iommu, struct device *dev, u32 pasid)
{
	struct device_domain_info *info = dev_to_info(dev);

	if (!info || !info->ats_enabled)
		return;
	/* Every page of the PASID (or of the RID when it is PASID 0) */
	if (pasid == IOMMU_NO_PASID)
		qi_flush_dev_iotlb(iommu, info_rid(info), info->pfsid, info->ats_qdep, 0,
				   MAX_AGAW_PFN_WIDTH);
	else
		qi_flush_dev_iotlb_pasid(iommu, info_rid(info), info->pfsid, pasid,
					 info->ats_qdep, 0, MAX_AGAW_PFN_WIDTH);
}

/* A present entry changed: caches of the old DID, then the device's TLB. */
static void intel_pasid_flush_present(struct intel_iommu *iommu, struct device *dev, u32 pasid,
				      u16 did, u16 old_pgtt)
{
	pasid_cache_invalidation_with_pasid(iommu, did, pasid);
	if (old_pgtt == PASID_ENTRY_PGTT_PT || old_pgtt == PASID_ENTRY_PGTT_FL_ONLY)
		qi_flush_piotlb(iommu, did, pasid, 0, -1UL, false);
	else
		qi_flush_iotlb(iommu, did, 0, 0, DMA_TLB_DSI_FLUSH);
	devtlb_invalidation_with_pasid(iommu, dev, pasid);
}

void intel_pasid_tear_down_entry(struct intel_iommu *iommu, struct device *dev, u32 pasid,
				 bool fault_ignore)
{
	struct pasid_entry *pte;
	struct pasid_entry clear = {};
	u16 did, pgtt;

	{
		guard(spinlock)(&iommu->lock);
		pte = intel_pasid_get_entry(dev, pasid);
		if (WARN_ON(!pte) || !pasid_pte_is_present(pte))
			return;
		did = pasid_get_domain_id(pte);
		pgtt = pasid_pte_get_pgtt(pte);
		/* Leave FPD set if asked: a device still issuing DMA should not flood the log */
		if (fault_ignore)
			clear.val[0] = PASID_PTE_FPD;
		pasid_entry_write(pte, &clear);
	}
	intel_pasid_flush_present(iommu, dev, pasid, did, pgtt);
	if (!fault_ignore)
		intel_iommu_drain_pasid_prq(dev, pasid);
}

/* A new entry where none is present (-EBUSY otherwise): nothing to flush. */
static int intel_pasid_install(struct intel_iommu *iommu, struct device *dev, u32 pasid,
			       const struct pasid_entry *new_pte)
{
	struct pasid_entry *pte;

	guard(spinlock)(&iommu->lock);
	pte = intel_pasid_get_entry(dev, pasid);
	if (!pte)
		return -ENODEV;
	if (pasid_pte_is_present(pte))
		return -EBUSY;
	pasid_entry_write(pte, new_pte);
	return 0;
}

/* ----- Entries of each kind ----- */

static void pasid_pte_config_first_level(struct intel_iommu *iommu, struct pasid_entry *pte,
					 phys_addr_t fsptptr, u16 did, int flags)
{
	*pte = {};
	if (flags & PASID_FLAG_FL5LP)
		pasid_set_bits(&pte->val[2], PASID_2_FLPM, FIELD_PREP(PASID_2_FLPM, PASID_FLPM_5LEVEL));
	if (flags & PASID_FLAG_PAGE_SNOOP)
		pte->val[1] |= PASID_1_PGSNP;
	pasid_set_bits(&pte->val[1], PASID_1_DID, FIELD_PREP(PASID_1_DID, did));
	pasid_set_bits(&pte->val[0], PASID_0_AW, FIELD_PREP(PASID_0_AW, iommu->agaw));
	pasid_set_bits(&pte->val[2], PASID_2_FSPTPTR, fsptptr);
	if (ecap_smpwc(iommu->ecap))
		pte->val[1] |= PASID_1_PWSNP;
	pasid_set_bits(&pte->val[0], PASID_0_PGTT,
		       FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_FL_ONLY));
	pte->val[0] |= PASID_PTE_PRESENT;
}

static int first_level_check(struct intel_iommu *iommu, int flags)
{
	if (!ecap_flts(iommu->ecap))
		return -EINVAL;
	if ((flags & PASID_FLAG_FL5LP) && !cap_fl5lp_support(iommu->cap))
		return -EINVAL;
	return 0;
}

int intel_pasid_setup_first_level(struct intel_iommu *iommu, struct device *dev,
				  phys_addr_t fsptptr, u32 pasid, u16 did, int flags)
{
	struct pasid_entry new_pte;
	int ret = first_level_check(iommu, flags);

	if (ret)
		return ret;
	pasid_pte_config_first_level(iommu, &new_pte, fsptptr, did, flags);
	return intel_pasid_install(iommu, dev, pasid, &new_pte);
}

static void pasid_pte_config_second_level(struct intel_iommu *iommu, struct pasid_entry *pte,
					  struct dmar_domain *domain, u16 did)
{
	struct pt_iommu_hw_info hw;

	pt_iommu_hw_info(&domain->pt, &hw);
	*pte = {};
	pasid_set_bits(&pte->val[1], PASID_1_DID, FIELD_PREP(PASID_1_DID, did));
	pasid_set_bits(&pte->val[0], PASID_0_SSPTPTR, hw.top_paddr);
	pasid_set_bits(&pte->val[0], PASID_0_AW, FIELD_PREP(PASID_0_AW, domain->agaw));
	pasid_set_bits(&pte->val[0], PASID_0_PGTT,
		       FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_SL_ONLY));
	if (ecap_smpwc(iommu->ecap))
		pte->val[1] |= PASID_1_PWSNP;
	if (domain->force_snooping)
		pte->val[1] |= PASID_1_PGSNP;
	if (domain->dirty_tracking)
		pte->val[0] |= PASID_0_SSADE;
	pte->val[0] |= PASID_PTE_PRESENT;
}

static int second_level_check(struct intel_iommu *iommu, struct dmar_domain *domain)
{
	if (!ecap_slts(iommu->ecap))
		return -EINVAL;
	if (domain->dirty_tracking && !ssads_supported(iommu))
		return -EINVAL;
	return 0;
}

int intel_pasid_setup_second_level(struct intel_iommu *iommu, struct dmar_domain *domain,
				   struct device *dev, u32 pasid)
{
	struct pasid_entry new_pte;
	int ret = second_level_check(iommu, domain);

	if (ret)
		return ret;
	pasid_pte_config_second_level(iommu, &new_pte, domain, domain_id_iommu(domain, iommu));
	return intel_pasid_install(iommu, dev, pasid, &new_pte);
}

static void pasid_pte_config_pass_through(struct intel_iommu *iommu, struct pasid_entry *pte)
{
	*pte = {};
	pasid_set_bits(&pte->val[1], PASID_1_DID, FIELD_PREP(PASID_1_DID, FLPT_DEFAULT_DID));
	pasid_set_bits(&pte->val[0], PASID_0_AW, FIELD_PREP(PASID_0_AW, iommu->agaw));
	pasid_set_bits(&pte->val[0], PASID_0_PGTT, FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_PT));
	if (ecap_smpwc(iommu->ecap))
		pte->val[1] |= PASID_1_PWSNP;
	pte->val[0] |= PASID_PTE_PRESENT;
}

int intel_pasid_setup_pass_through(struct intel_iommu *iommu, struct device *dev, u32 pasid)
{
	struct pasid_entry new_pte;

	if (!ecap_pass_through(iommu->ecap))
		return -EINVAL;
	pasid_pte_config_pass_through(iommu, &new_pte);
	return intel_pasid_install(iommu, dev, pasid, &new_pte);
}

static void pasid_pte_config_nestd(struct intel_iommu *iommu, struct pasid_entry *pte,
				   const struct iommu_hwpt_vtd_s1 *s1_cfg,
				   struct dmar_domain *s2_domain, u16 did)
{
	struct pt_iommu_hw_info hw;

	pt_iommu_hw_info(&s2_domain->pt, &hw);
	*pte = {};
	if (s1_cfg->addr_width == ADDR_WIDTH_5LEVEL)
		pasid_set_bits(&pte->val[2], PASID_2_FLPM, FIELD_PREP(PASID_2_FLPM, PASID_FLPM_5LEVEL));
	pasid_set_bits(&pte->val[2], PASID_2_FSPTPTR, s1_cfg->pgtbl_addr);
	if (s1_cfg->flags & IOMMU_VTD_S1_SRE)
		pte->val[2] |= PASID_2_SRE;
	if (s1_cfg->flags & IOMMU_VTD_S1_WPE)
		pte->val[2] |= PASID_2_WPE;
	if (s1_cfg->flags & IOMMU_VTD_S1_EAFE)
		pte->val[2] |= PASID_2_EAFE;
	if (s2_domain->force_snooping)
		pte->val[1] |= PASID_1_PGSNP;
	pasid_set_bits(&pte->val[0], PASID_0_SSPTPTR, hw.top_paddr);
	pasid_set_bits(&pte->val[1], PASID_1_DID, FIELD_PREP(PASID_1_DID, did));
	pasid_set_bits(&pte->val[0], PASID_0_AW, FIELD_PREP(PASID_0_AW, s2_domain->agaw));
	if (ecap_smpwc(iommu->ecap))
		pte->val[1] |= PASID_1_PWSNP;
	if (s2_domain->dirty_tracking)
		pte->val[0] |= PASID_0_SSADE;
	pasid_set_bits(&pte->val[0], PASID_0_PGTT,
		       FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_NESTED));
	pte->val[0] |= PASID_PTE_PRESENT;
}

/* What the guest asked of its stage 1 against what this unit can do. */
static int nested_s1_check(struct intel_iommu *iommu, struct device *dev,
			   const struct iommu_hwpt_vtd_s1 *s1_cfg)
{
	switch (s1_cfg->addr_width) {
	case ADDR_WIDTH_4LEVEL:
		break;
	case ADDR_WIDTH_5LEVEL:
		if (!cap_fl5lp_support(iommu->cap)) {
			intel_iommu_err(iommu, "%s: 5-level paging not supported", dev_name(dev));
			return -EINVAL;
		}
		break;
	default:
		intel_iommu_err(iommu, "%s: Invalid stage-1 address width %d", dev_name(dev),
				s1_cfg->addr_width);
		return -EINVAL;
	}
	if ((s1_cfg->flags & IOMMU_VTD_S1_SRE) && !ecap_srs(iommu->ecap)) {
		intel_iommu_err(iommu, "No supervisor request support");
		return -EINVAL;
	}
	if ((s1_cfg->flags & IOMMU_VTD_S1_EAFE) && !ecap_eafs(iommu->ecap)) {
		intel_iommu_err(iommu, "No extended access flag support");
		return -EINVAL;
	}
	return 0;
}

int intel_pasid_setup_nested(struct intel_iommu *iommu, struct device *dev, u32 pasid,
			     struct dmar_domain *domain)
{
	struct pasid_entry new_pte;
	int ret = nested_s1_check(iommu, dev, &domain->s1_cfg);

	if (ret)
		return ret;
	pasid_pte_config_nestd(iommu, &new_pte, &domain->s1_cfg, domain->s2_domain,
			       domain_id_iommu(domain, iommu));
	return intel_pasid_install(iommu, dev, pasid, &new_pte);
}

/* ----- Replace: a present entry to another, hitless for the device ----- */

static int intel_pasid_replace(struct intel_iommu *iommu, struct device *dev, u32 pasid,
			       u16 old_did, const struct pasid_entry *new_pte)
{
	struct pasid_entry *pte;
	u16 pgtt;

	{
		guard(spinlock)(&iommu->lock);
		pte = intel_pasid_get_entry(dev, pasid);
		if (!pte)
			return -ENODEV;
		if (!pasid_pte_is_present(pte))
			return -EINVAL;
		WARN_ON(old_did != pasid_get_domain_id(pte));
		pgtt = pasid_pte_get_pgtt(pte);
		pasid_entry_write(pte, new_pte);
	}
	intel_pasid_flush_present(iommu, dev, pasid, old_did, pgtt);
	return 0;
}

int intel_pasid_replace_first_level(struct intel_iommu *iommu, struct device *dev,
				    phys_addr_t fsptptr, u32 pasid, u16 did, u16 old_did,
				    int flags)
{
	struct pasid_entry new_pte;
	int ret = first_level_check(iommu, flags);

	if (ret)
		return ret;
	pasid_pte_config_first_level(iommu, &new_pte, fsptptr, did, flags);
	return intel_pasid_replace(iommu, dev, pasid, old_did, &new_pte);
}

int intel_pasid_replace_second_level(struct intel_iommu *iommu, struct dmar_domain *domain,
				     struct device *dev, u16 old_did, u32 pasid)
{
	struct pasid_entry new_pte;
	int ret = second_level_check(iommu, domain);

	if (ret)
		return ret;
	pasid_pte_config_second_level(iommu, &new_pte, domain, domain_id_iommu(domain, iommu));
	return intel_pasid_replace(iommu, dev, pasid, old_did, &new_pte);
}

int intel_pasid_replace_pass_through(struct intel_iommu *iommu, struct device *dev,
				     u16 old_did, u32 pasid)
{
	struct pasid_entry new_pte;

	if (!ecap_pass_through(iommu->ecap))
		return -EINVAL;
	pasid_pte_config_pass_through(iommu, &new_pte);
	return intel_pasid_replace(iommu, dev, pasid, old_did, &new_pte);
}

int intel_pasid_replace_nested(struct intel_iommu *iommu, struct device *dev, u32 pasid,
			       u16 old_did, struct dmar_domain *domain)
{
	struct pasid_entry new_pte;
	int ret = nested_s1_check(iommu, dev, &domain->s1_cfg);

	if (ret)
		return ret;
	pasid_pte_config_nestd(iommu, &new_pte, &domain->s1_cfg, domain->s2_domain,
			       domain_id_iommu(domain, iommu));
	return intel_pasid_replace(iommu, dev, pasid, old_did, &new_pte);
}

/* SSADE of a second-stage or nested entry; the IOTLB holds the old setting until flushed. */
int intel_pasid_setup_dirty_tracking(struct intel_iommu *iommu, struct device *dev, u32 pasid,
				     bool enabled)
{
	struct pasid_entry *pte;
	u16 did, pgtt;

	{
		guard(spinlock)(&iommu->lock);
		pte = intel_pasid_get_entry(dev, pasid);
		if (!pte)
			return -ENODEV;
		did = pasid_get_domain_id(pte);
		pgtt = pasid_pte_get_pgtt(pte);
		if (pgtt != PASID_ENTRY_PGTT_SL_ONLY && pgtt != PASID_ENTRY_PGTT_NESTED)
			return -EINVAL;
		if (!!(pte->val[0] & PASID_0_SSADE) == enabled)
			return 0;
		if (enabled)
			__atomic_or_fetch(&pte->val[0], PASID_0_SSADE, __ATOMIC_RELEASE);
		else
			__atomic_and_fetch(&pte->val[0], ~PASID_0_SSADE, __ATOMIC_RELEASE);
	}
	intel_pasid_flush_present(iommu, dev, pasid, did, pgtt);
	return 0;
}

/* ----- Scalable-mode context entries ----- */

/* The 256-bit scalable-mode context entry of @bus/@devfn (iommu_context_addr()). */
static struct sm_context_entry *sm_context_addr(struct intel_iommu *iommu, u8 bus, u8 devfn,
						bool alloc)
{
	return (struct sm_context_entry *)iommu_context_addr(iommu, bus, devfn, alloc);
}

static unsigned int context_get_sm_pds(struct pasid_table *table)
{
	unsigned int max_pde = table->max_pasid >> PASID_PDE_SHIFT;
	unsigned int pds = ilog2(max_pde);

	return pds < 7 ? 0 : pds - 7;
}

/* Written once when the device is probed: the PASID directory and what the device may do. */
int intel_pasid_setup_sm_context(struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct sm_context_entry *context;
	struct pasid_table *table = info->pasid_table;
	u64 lo;

	guard(spinlock)(&iommu->lock);
	context = sm_context_addr(iommu, info->bus, info->devfn, true);
	if (!context)
		return -ENOMEM;
	if (context->val[0] & SM_CONTEXT_0_P)
		return 0;

	lo = virt_to_phys(table->table) | FIELD_PREP(SM_CONTEXT_0_PDTS, context_get_sm_pds(table));
	if (info->ats_supported)
		lo |= SM_CONTEXT_0_DTE;
	if (info->pasid_supported)
		lo |= SM_CONTEXT_0_PASIDE;
	if (info->pri_supported)
		lo |= SM_CONTEXT_0_PRE;
	context->val[3] = 0;
	context->val[2] = 0;
	context->val[1] = FIELD_PREP(SM_CONTEXT_1_RID_PASID, IOMMU_NO_PASID);
	__atomic_store_n(&context->val[0], lo | SM_CONTEXT_0_P, __ATOMIC_RELEASE);
	return 0;
}

/* The device goes: nothing of it may be cached afterwards. */
void intel_pasid_teardown_sm_context(struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct sm_context_entry *context;

	{
		guard(spinlock)(&iommu->lock);
		context = sm_context_addr(iommu, info->bus, info->devfn, false);
		if (!context || !(context->val[0] & SM_CONTEXT_0_P))
			return;
		__atomic_store_n(&context->val[0], 0, __ATOMIC_RELEASE);
		context->val[1] = 0;
	}
	/* Scalable-mode context entries carry no DID: a device-selective flush */
	qi_flush_context(iommu, 0, info_rid(info), DMA_CCMD_MASK_NOBIT, DMA_CCMD_DEVICE_INVL);
	qi_flush_pasid_cache(iommu, 0, QI_PC_GLOBAL, 0);
	qi_flush_iotlb(iommu, 0, 0, 0, DMA_TLB_GLOBAL_FLUSH);
	devtlb_invalidation_with_pasid(iommu, dev, IOMMU_NO_PASID);
}
