// SPDX-License-Identifier: GPL-2.0
/*
 * ARM SMMUv3: stream table entries and context descriptors.
 *
 * Every STE and CD is built whole by a make function (the target), then
 * written over the live entry by arm_smmu_write_entry(), which knows
 * nothing of the format beyond a "used bits" function: for an entry value
 * it says which bits the SMMU looks at in the configuration that value
 * selects. With it the writer can tell a hitless change (the SMMU sees the
 * old configuration, then the new one, never a mix) from one that must go
 * through an invalid entry, and it syncs (CFGI_STE/CFGI_CD + CMD_SYNC)
 * only between stores that change what the SMMU may read:
 *
 *  - if the used bits of the target differ from what the current entry
 *    uses in at most one 64-bit word (the "critical" qword), it first
 *    writes every bit the current configuration ignores to its target
 *    value, then the critical qword in one store, then clears what the
 *    target ignores;
 *  - if two or more qwords must change under the SMMU's eyes, it clears
 *    V (qword 0), writes qwords 1..7, then qword 0.
 *
 * Any store that changed nothing is skipped along with its sync, so the
 * sync counts the KUnit suite checks are the minimum for each transition.
 */
#include "drivers/arm-smmu-v3/arm-smmu-v3.h"

#include "harness/physmem.h"
#include "harness/slab.h"

/* ----- Used bits ----- */

/*
 * Which bits of an STE the SMMU reads, given the configuration @ent selects
 * (IHI 0070 5.2: fields are IGNORED outside the stages that are enabled).
 */
void arm_smmu_get_ste_used(const __le64 *ent, __le64 *used_bits)
{
	unsigned int cfg = FIELD_GET(STRTAB_STE_0_CFG, le64_to_cpu(ent[0]));

	used_bits[0] = cpu_to_le64(STRTAB_STE_0_V);
	if (!(ent[0] & cpu_to_le64(STRTAB_STE_0_V)))
		return;

	used_bits[0] |= cpu_to_le64(STRTAB_STE_0_CFG);

	/* S1 translates (CFG 0b101 and 0b111) */
	if (cfg & BIT(0)) {
		used_bits[0] |= cpu_to_le64(STRTAB_STE_0_S1FMT | STRTAB_STE_0_S1CTXPTR_MASK |
					    STRTAB_STE_0_S1CDMAX);
		used_bits[1] |= cpu_to_le64(STRTAB_STE_1_S1DSS | STRTAB_STE_1_S1CIR |
					    STRTAB_STE_1_S1COR | STRTAB_STE_1_S1CSH |
					    STRTAB_STE_1_S1STALLD | STRTAB_STE_1_STRW |
					    STRTAB_STE_1_EATS | STRTAB_STE_1_MEV);
		used_bits[2] |= cpu_to_le64(STRTAB_STE_2_S2VMID);

		/*
		 * SHCFG applies to the S1DSS=bypass traffic only (13.5, the
		 * attribute and permission summary).
		 */
		if (FIELD_GET(STRTAB_STE_1_S1DSS, le64_to_cpu(ent[1])) ==
		    STRTAB_STE_1_S1DSS_BYPASS)
			used_bits[1] |= cpu_to_le64(STRTAB_STE_1_SHCFG);
	}

	/* S2 translates (CFG 0b110 and 0b111) */
	if (cfg & BIT(1)) {
		used_bits[1] |= cpu_to_le64(STRTAB_STE_1_S2FWB | STRTAB_STE_1_EATS |
					    STRTAB_STE_1_SHCFG | STRTAB_STE_1_MEV);
		used_bits[2] |= cpu_to_le64(STRTAB_STE_2_S2VMID | STRTAB_STE_2_VTCR |
					    STRTAB_STE_2_S2AA64 | STRTAB_STE_2_S2ENDI |
					    STRTAB_STE_2_S2PTW | STRTAB_STE_2_S2S |
					    STRTAB_STE_2_S2R);
		used_bits[3] |= cpu_to_le64(STRTAB_STE_3_S2TTB_MASK);
	}

	if (cfg == STRTAB_STE_0_CFG_BYPASS)
		used_bits[1] |= cpu_to_le64(STRTAB_STE_1_SHCFG);
}

/* A valid CD uses every bit, except the TTB0 walk fields once EPD0 disables that walk. */
void arm_smmu_get_cd_used(const __le64 *ent, __le64 *used_bits)
{
	used_bits[0] = cpu_to_le64(CTXDESC_CD_0_V);
	if (!(ent[0] & cpu_to_le64(CTXDESC_CD_0_V)))
		return;
	memset(used_bits, 0xff, sizeof(struct arm_smmu_cd));

	if (ent[0] & cpu_to_le64(CTXDESC_CD_0_TCR_EPD0)) {
		used_bits[0] &= ~cpu_to_le64(CTXDESC_CD_0_TCR_T0SZ | CTXDESC_CD_0_TCR_TG0 |
					     CTXDESC_CD_0_TCR_IRGN0 | CTXDESC_CD_0_TCR_ORGN0 |
					     CTXDESC_CD_0_TCR_SH0);
		used_bits[1] &= ~cpu_to_le64(CTXDESC_CD_1_TTB0_MASK);
	}
}

/* ----- The writer ----- */

/*
 * Returns a bit per qword whose used bits must change to reach @target,
 * after @unused_update (the current entry with every bit it ignores
 * already set to its target value) is in place.
 */
static u8 arm_smmu_entry_qword_diff(struct arm_smmu_entry_writer *writer, const __le64 *entry,
				    const __le64 *target, __le64 *unused_update)
{
	__le64 target_used[NUM_ENTRY_QWORDS] = {};
	__le64 cur_used[NUM_ENTRY_QWORDS] = {};
	u8 used_qword_diff = 0;
	unsigned int i;

	writer->ops->get_used(entry, cur_used);
	writer->ops->get_used(target, target_used);

	for (i = 0; i != NUM_ENTRY_QWORDS; i++) {
		/*
		 * A make function must not set a bit its configuration does
		 * not use: the writer would never clean it up.
		 */
		WARN_ON_ONCE(target[i] & ~target_used[i]);

		/* Bits the SMMU does not use now can change freely */
		unused_update[i] = (entry[i] & cur_used[i]) | (target[i] & ~cur_used[i]);
		/* Used bits that still differ after that need a visible store */
		if ((unused_update[i] & target_used[i]) != target[i])
			used_qword_diff |= 1 << i;
	}
	return used_qword_diff;
}

/* Stores @len qwords from @start where they differ; syncs if anything changed. */
static bool entry_set(struct arm_smmu_entry_writer *writer, __le64 *entry, const __le64 *target,
		      unsigned int start, unsigned int len)
{
	bool changed = false;
	unsigned int i;

	for (i = start; len != 0; len--, i++) {
		if (entry[i] != target[i]) {
			WRITE_ONCE(entry[i], target[i]);
			changed = true;
		}
	}

	if (changed)
		writer->ops->sync(writer);
	return changed;
}

void arm_smmu_write_entry(struct arm_smmu_entry_writer *writer, __le64 *entry,
			  const __le64 *target)
{
	__le64 unused_update[NUM_ENTRY_QWORDS];
	u8 used_qword_diff;

	used_qword_diff = arm_smmu_entry_qword_diff(writer, entry, target, unused_update);
	if (hweight8(used_qword_diff) == 1) {
		/*
		 * Hitless: one qword's used bits change. Bring every ignored
		 * bit to its target value, flip the critical qword in one
		 * store, then clear what the target ignores.
		 */
		unsigned int critical_qword_index = ffs(used_qword_diff) - 1;

		/* The critical qword is written whole in the next step: skip it here */
		unused_update[critical_qword_index] = entry[critical_qword_index];
		entry_set(writer, entry, unused_update, 0, NUM_ENTRY_QWORDS);
		entry_set(writer, entry, target, critical_qword_index, 1);
		entry_set(writer, entry, target, 0, NUM_ENTRY_QWORDS);
	} else if (used_qword_diff) {
		/*
		 * Breaking: at least two qwords' used bits change. Make the
		 * entry invalid (V is in qword 0), write qwords 1..7, then 0.
		 */
		unused_update[0] = 0;
		entry_set(writer, entry, unused_update, 0, 1);
		entry_set(writer, entry, target, 1, NUM_ENTRY_QWORDS - 1);
		entry_set(writer, entry, target, 0, 1);
	} else {
		/*
		 * No used bit changes. Every unused bit must already be 0;
		 * the target's were checked by arm_smmu_entry_qword_diff().
		 */
		WARN_ON_ONCE(entry_set(writer, entry, target, 0, NUM_ENTRY_QWORDS));
	}
}

/* ----- STEs ----- */

struct arm_smmu_ste_writer {
	struct arm_smmu_entry_writer writer;
	u32 sid;
};

static void arm_smmu_ste_writer_sync_entry(struct arm_smmu_entry_writer *writer)
{
	struct arm_smmu_ste_writer *ste_writer =
		container_of(writer, struct arm_smmu_ste_writer, writer);
	struct arm_smmu_cmdq_ent cmd = {
		.opcode = CMDQ_OP_CFGI_STE,
	};

	cmd.cfgi.sid = ste_writer->sid;
	cmd.cfgi.leaf = true;
	arm_smmu_cmdq_issue_cmd_with_sync(writer->master->smmu, &cmd);
}

static const struct arm_smmu_entry_writer_ops arm_smmu_ste_writer_ops = {
	.get_used = arm_smmu_get_ste_used,
	.sync = arm_smmu_ste_writer_sync_entry,
};

void arm_smmu_write_ste(struct arm_smmu_master *master, u32 sid, struct arm_smmu_ste *ste,
			const struct arm_smmu_ste *target)
{
	struct arm_smmu_ste_writer ste_writer = {
		.writer = { .ops = &arm_smmu_ste_writer_ops, .master = master },
		.sid = sid,
	};

	arm_smmu_write_entry(&ste_writer.writer, ste->data, target->data);
	/*
	 * Upstream follows with a PREFETCH_CFG for the StreamID; it is only a
	 * hint, and the model counts it as ignored, so it is left out.
	 */
}

void arm_smmu_install_ste_for_dev(struct arm_smmu_master *master,
				  const struct arm_smmu_ste *target)
{
	for (unsigned int i = 0; i < master->num_streams; ++i) {
		u32 sid = master->streams[i].id;

		arm_smmu_write_ste(master, sid, arm_smmu_get_step_for_sid(master->smmu, sid),
				   target);
	}
	master->cd_table.in_ste = FIELD_GET(STRTAB_STE_0_CFG, le64_to_cpu(target->data[0])) ==
				  STRTAB_STE_0_CFG_S1_TRANS;
	master->ste_ats_enabled = FIELD_GET(STRTAB_STE_1_EATS, le64_to_cpu(target->data[1])) ==
				  STRTAB_STE_1_EATS_TRANS;
}

void arm_smmu_make_abort_ste(struct arm_smmu_ste *target)
{
	memset(target, 0, sizeof(*target));
	target->data[0] = cpu_to_le64(STRTAB_STE_0_V |
				      FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_ABORT));
}

void arm_smmu_make_bypass_ste(struct arm_smmu_device *smmu, struct arm_smmu_ste *target)
{
	memset(target, 0, sizeof(*target));
	target->data[0] = cpu_to_le64(STRTAB_STE_0_V |
				      FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_BYPASS));
	if (smmu->features & ARM_SMMU_FEAT_ATTR_TYPES_OVR)
		target->data[1] = cpu_to_le64(FIELD_PREP(STRTAB_STE_1_SHCFG,
							 STRTAB_STE_1_SHCFG_INCOMING));
}

void arm_smmu_make_cdtable_ste(struct arm_smmu_ste *target, struct arm_smmu_master *master,
			       bool ats_enabled, unsigned int s1dss)
{
	struct arm_smmu_ctx_desc_cfg *cd_table = &master->cd_table;
	struct arm_smmu_device *smmu = master->smmu;

	memset(target, 0, sizeof(*target));
	target->data[0] = cpu_to_le64(STRTAB_STE_0_V |
				      FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_S1_TRANS) |
				      FIELD_PREP(STRTAB_STE_0_S1FMT, cd_table->s1fmt) |
				      (cd_table->cdtab_dma & STRTAB_STE_0_S1CTXPTR_MASK) |
				      FIELD_PREP(STRTAB_STE_0_S1CDMAX, cd_table->s1cdmax));

	target->data[1] = cpu_to_le64(
		FIELD_PREP(STRTAB_STE_1_S1DSS, s1dss) |
		FIELD_PREP(STRTAB_STE_1_S1CIR, STRTAB_STE_1_S1C_CACHE_WBRA) |
		FIELD_PREP(STRTAB_STE_1_S1COR, STRTAB_STE_1_S1C_CACHE_WBRA) |
		FIELD_PREP(STRTAB_STE_1_S1CSH, ARM_SMMU_SH_ISH) |
		((smmu->features & ARM_SMMU_FEAT_STALLS && !master->stall_enabled)
			 ? STRTAB_STE_1_S1STALLD
			 : 0) |
		FIELD_PREP(STRTAB_STE_1_EATS, ats_enabled ? STRTAB_STE_1_EATS_TRANS : 0));

	if ((smmu->features & ARM_SMMU_FEAT_ATTR_TYPES_OVR) && s1dss == STRTAB_STE_1_S1DSS_BYPASS)
		target->data[1] |= cpu_to_le64(FIELD_PREP(STRTAB_STE_1_SHCFG,
							  STRTAB_STE_1_SHCFG_INCOMING));

	if (smmu->features & ARM_SMMU_FEAT_E2H) {
		/* The EL2 stream world, so ASIDs match the host's (BTM) */
		target->data[1] |= cpu_to_le64(FIELD_PREP(STRTAB_STE_1_STRW,
							  STRTAB_STE_1_STRW_EL2));
	} else {
		target->data[1] |= cpu_to_le64(FIELD_PREP(STRTAB_STE_1_STRW,
							  STRTAB_STE_1_STRW_NSEL1));
		/* VMID 0 is reserved for stage-1 and bypass EL1 STEs */
		target->data[2] = cpu_to_le64(FIELD_PREP(STRTAB_STE_2_S2VMID, 0));
	}
}

void arm_smmu_make_s2_domain_ste(struct arm_smmu_ste *target, struct arm_smmu_master *master,
				 struct arm_smmu_domain *smmu_domain, bool ats_enabled)
{
	const struct arm_smmu_pgtbl_cfg *cfg = &smmu_domain->pgtbl_cfg;
	struct arm_smmu_device *smmu = master->smmu;
	u64 vtcr_val;

	memset(target, 0, sizeof(*target));
	target->data[0] = cpu_to_le64(STRTAB_STE_0_V |
				      FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_S2_TRANS));

	target->data[1] = cpu_to_le64(
		FIELD_PREP(STRTAB_STE_1_EATS, ats_enabled ? STRTAB_STE_1_EATS_TRANS : 0));
	if (cfg->s2fwb)
		target->data[1] |= cpu_to_le64(STRTAB_STE_1_S2FWB);
	if (smmu->features & ARM_SMMU_FEAT_ATTR_TYPES_OVR)
		target->data[1] |= cpu_to_le64(FIELD_PREP(STRTAB_STE_1_SHCFG,
							  STRTAB_STE_1_SHCFG_INCOMING));

	vtcr_val = FIELD_PREP(STRTAB_STE_2_VTCR_S2T0SZ, cfg->tsz) |
		   FIELD_PREP(STRTAB_STE_2_VTCR_S2SL0, cfg->sl) |
		   FIELD_PREP(STRTAB_STE_2_VTCR_S2IR0, cfg->irgn) |
		   FIELD_PREP(STRTAB_STE_2_VTCR_S2OR0, cfg->orgn) |
		   FIELD_PREP(STRTAB_STE_2_VTCR_S2SH0, cfg->sh) |
		   FIELD_PREP(STRTAB_STE_2_VTCR_S2TG, cfg->tg) |
		   FIELD_PREP(STRTAB_STE_2_VTCR_S2PS, cfg->ps);
	target->data[2] = cpu_to_le64(FIELD_PREP(STRTAB_STE_2_S2VMID, smmu_domain->s2_cfg.vmid) |
				      FIELD_PREP(STRTAB_STE_2_VTCR, vtcr_val) |
				      STRTAB_STE_2_S2AA64 | STRTAB_STE_2_S2PTW |
				      (master->stall_enabled ? STRTAB_STE_2_S2S : 0) |
				      STRTAB_STE_2_S2R);

	target->data[3] = cpu_to_le64(cfg->ttbr & STRTAB_STE_3_S2TTB_MASK);
}

/* ----- CDs ----- */

void arm_smmu_make_s1_cd(struct arm_smmu_cd *target, struct arm_smmu_master *master,
			 struct arm_smmu_domain *smmu_domain)
{
	const struct arm_smmu_pgtbl_cfg *cfg = &smmu_domain->pgtbl_cfg;

	memset(target, 0, sizeof(*target));
	target->data[0] = cpu_to_le64(FIELD_PREP(CTXDESC_CD_0_TCR_T0SZ, cfg->tsz) |
				      FIELD_PREP(CTXDESC_CD_0_TCR_TG0, cfg->tg) |
				      FIELD_PREP(CTXDESC_CD_0_TCR_IRGN0, cfg->irgn) |
				      FIELD_PREP(CTXDESC_CD_0_TCR_ORGN0, cfg->orgn) |
				      FIELD_PREP(CTXDESC_CD_0_TCR_SH0, cfg->sh) |
				      CTXDESC_CD_0_TCR_EPD1 | CTXDESC_CD_0_V |
				      FIELD_PREP(CTXDESC_CD_0_TCR_IPS, cfg->ps) |
				      CTXDESC_CD_0_AA64 |
				      (master->stall_enabled ? CTXDESC_CD_0_S : 0) |
				      CTXDESC_CD_0_R | CTXDESC_CD_0_A | CTXDESC_CD_0_ASET |
				      FIELD_PREP(CTXDESC_CD_0_ASID, smmu_domain->cd.asid));

	/* Dirty updates need the access flag updates as well */
	if (cfg->hd)
		target->data[0] |= cpu_to_le64(CTXDESC_CD_0_TCR_HA | CTXDESC_CD_0_TCR_HD);

	target->data[1] = cpu_to_le64(cfg->ttbr & CTXDESC_CD_1_TTB0_MASK);
	target->data[3] = cpu_to_le64(cfg->mair);
}

/* The MAIR a CPU's process tables assume: Normal WB at index 0, Device at 1. */
#define ARM_SMMU_SVA_MAIR 0x04ffULL

void arm_smmu_make_sva_cd(struct arm_smmu_cd *target, struct arm_smmu_master *master,
			  phys_addr_t pgd, u16 asid)
{
	memset(target, 0, sizeof(*target));
	target->data[0] = cpu_to_le64(CTXDESC_CD_0_TCR_EPD1 | CTXDESC_CD_0_V | CTXDESC_CD_0_AA64 |
				      CTXDESC_CD_0_R | CTXDESC_CD_0_A | CTXDESC_CD_0_ASET |
				      FIELD_PREP(CTXDESC_CD_0_ASID, asid));

	if (pgd) {
		target->data[0] |= cpu_to_le64(FIELD_PREP(CTXDESC_CD_0_TCR_T0SZ, 64 - 48) |
					       FIELD_PREP(CTXDESC_CD_0_TCR_TG0, ARM_SMMU_TG0_4K) |
					       FIELD_PREP(CTXDESC_CD_0_TCR_IRGN0, 1) |
					       FIELD_PREP(CTXDESC_CD_0_TCR_ORGN0, 1) |
					       FIELD_PREP(CTXDESC_CD_0_TCR_SH0, ARM_SMMU_SH_ISH) |
					       FIELD_PREP(CTXDESC_CD_0_TCR_IPS, IDR5_OAS_48_BIT));
		target->data[1] = cpu_to_le64(pgd & CTXDESC_CD_1_TTB0_MASK);
	} else {
		/*
		 * The mm is gone: no TTB0 walks, and faults abort at once
		 * rather than stall (unless the SMMU forces stalls).
		 */
		target->data[0] |= cpu_to_le64(CTXDESC_CD_0_TCR_EPD0);
		if (!(master->smmu->features & ARM_SMMU_FEAT_STALL_FORCE))
			target->data[0] &= ~cpu_to_le64(CTXDESC_CD_0_S);
	}
	target->data[3] = cpu_to_le64(ARM_SMMU_SVA_MAIR);
}

void arm_smmu_sync_cd(struct arm_smmu_master *master, int ssid, bool leaf)
{
	struct arm_smmu_device *smmu = master->smmu;
	struct arm_smmu_cmdq_batch cmds;
	struct arm_smmu_cmdq_ent cmd = {
		.opcode = CMDQ_OP_CFGI_CD,
	};

	cmd.cfgi.ssid = ssid;
	cmd.cfgi.leaf = leaf;
	arm_smmu_cmdq_batch_init(smmu, &cmds);
	for (unsigned int i = 0; i < master->num_streams; i++) {
		cmd.cfgi.sid = master->streams[i].id;
		arm_smmu_cmdq_batch_add(smmu, &cmds, &cmd);
	}
	arm_smmu_cmdq_batch_submit(smmu, &cmds);
}

static void arm_smmu_write_cd_l1_desc(struct arm_smmu_cdtab_l1 *dst, dma_addr_t l2ptr_dma)
{
	u64 val = (l2ptr_dma & CTXDESC_L1_DESC_L2PTR_MASK) | CTXDESC_L1_DESC_V;

	/* The SMMU may fetch it at any time: one 64-bit store */
	WRITE_ONCE(dst->l2ptr, cpu_to_le64(val));
}

struct arm_smmu_cd *arm_smmu_get_cd_ptr(struct arm_smmu_master *master, u32 ssid)
{
	struct arm_smmu_ctx_desc_cfg *cd_table = &master->cd_table;
	struct arm_smmu_cdtab_l2 *l2;

	if (!arm_smmu_cdtab_allocated(cd_table))
		return NULL;
	if (ssid >= (1U << cd_table->s1cdmax) && cd_table->s1cdmax)
		return NULL;
	if (cd_table->s1fmt == STRTAB_STE_0_S1FMT_LINEAR)
		return &cd_table->linear.table[ssid];

	l2 = cd_table->l2.l2ptrs[ssid / CTXDESC_L2_ENTRIES];
	if (!l2)
		return NULL;
	return &l2->cds[ssid % CTXDESC_L2_ENTRIES];
}

int arm_smmu_alloc_cd_tables(struct arm_smmu_master *master)
{
	struct arm_smmu_device *smmu = master->smmu;
	struct arm_smmu_ctx_desc_cfg *cd_table = &master->cd_table;
	unsigned int max_contexts;
	size_t l1size;

	cd_table->s1cdmax = master->ssid_bits;
	max_contexts = 1U << cd_table->s1cdmax;

	if (!(smmu->features & ARM_SMMU_FEAT_2_LVL_CDTAB) || max_contexts <= CTXDESC_L2_ENTRIES) {
		cd_table->s1fmt = STRTAB_STE_0_S1FMT_LINEAR;
		cd_table->linear.num_ents = max_contexts;
		l1size = max_contexts * sizeof(struct arm_smmu_cd);
		cd_table->linear.table = (struct arm_smmu_cd *)iommu_alloc_pages_sz(GFP_KERNEL,
										    l1size);
		if (!cd_table->linear.table)
			return -ENOMEM;
		cd_table->cdtab_dma = virt_to_phys(cd_table->linear.table);
	} else {
		cd_table->s1fmt = STRTAB_STE_0_S1FMT_64K_L2;
		cd_table->l2.num_l1_ents = DIV_ROUND_UP(max_contexts, CTXDESC_L2_ENTRIES);
		cd_table->l2.l2ptrs = (struct arm_smmu_cdtab_l2 **)kcalloc(
			cd_table->l2.num_l1_ents, sizeof(*cd_table->l2.l2ptrs), GFP_KERNEL);
		if (!cd_table->l2.l2ptrs)
			return -ENOMEM;
		l1size = cd_table->l2.num_l1_ents * sizeof(struct arm_smmu_cdtab_l1);
		cd_table->l2.l1tab = (struct arm_smmu_cdtab_l1 *)iommu_alloc_pages_sz(GFP_KERNEL,
										      l1size);
		if (!cd_table->l2.l1tab) {
			kfree(cd_table->l2.l2ptrs);
			cd_table->l2.l2ptrs = NULL;
			return -ENOMEM;
		}
		cd_table->cdtab_dma = virt_to_phys(cd_table->l2.l1tab);
	}
	return 0;
}

void arm_smmu_free_cd_tables(struct arm_smmu_master *master)
{
	struct arm_smmu_ctx_desc_cfg *cd_table = &master->cd_table;

	if (!arm_smmu_cdtab_allocated(cd_table))
		return;
	if (cd_table->s1fmt != STRTAB_STE_0_S1FMT_LINEAR) {
		for (unsigned int i = 0; i < cd_table->l2.num_l1_ents; i++)
			if (cd_table->l2.l2ptrs[i])
				iommu_free_pages(cd_table->l2.l2ptrs[i]);
		kfree(cd_table->l2.l2ptrs);
		iommu_free_pages(cd_table->l2.l1tab);
	} else {
		iommu_free_pages(cd_table->linear.table);
	}
	memset(cd_table, 0, sizeof(*cd_table));
}

struct arm_smmu_cd *arm_smmu_alloc_cd_ptr(struct arm_smmu_master *master, u32 ssid)
{
	struct arm_smmu_ctx_desc_cfg *cd_table = &master->cd_table;

	iommu_group_mutex_assert(master->dev);

	if (!arm_smmu_cdtab_allocated(cd_table)) {
		if (arm_smmu_alloc_cd_tables(master))
			return NULL;
	}
	if (ssid >= (1U << cd_table->s1cdmax) && cd_table->s1cdmax)
		return NULL;

	if (cd_table->s1fmt == STRTAB_STE_0_S1FMT_64K_L2) {
		unsigned int idx = ssid / CTXDESC_L2_ENTRIES;
		struct arm_smmu_cdtab_l2 **l2ptr = &cd_table->l2.l2ptrs[idx];

		if (!*l2ptr) {
			*l2ptr = (struct arm_smmu_cdtab_l2 *)iommu_alloc_pages_sz(GFP_KERNEL,
										  sizeof(**l2ptr));
			if (!*l2ptr)
				return NULL;
			arm_smmu_write_cd_l1_desc(&cd_table->l2.l1tab[idx], virt_to_phys(*l2ptr));
			/* An invalid L1CD can be cached */
			arm_smmu_sync_cd(master, ssid, false);
		}
	}
	return arm_smmu_get_cd_ptr(master, ssid);
}

struct arm_smmu_cd_writer {
	struct arm_smmu_entry_writer writer;
	unsigned int ssid;
};

static void arm_smmu_cd_writer_sync_entry(struct arm_smmu_entry_writer *writer)
{
	struct arm_smmu_cd_writer *cd_writer =
		container_of(writer, struct arm_smmu_cd_writer, writer);

	arm_smmu_sync_cd(writer->master, cd_writer->ssid, true);
}

static const struct arm_smmu_entry_writer_ops arm_smmu_cd_writer_ops = {
	.get_used = arm_smmu_get_cd_used,
	.sync = arm_smmu_cd_writer_sync_entry,
};

void arm_smmu_write_cd_entry(struct arm_smmu_master *master, int ssid,
			     struct arm_smmu_cd *cdptr, const struct arm_smmu_cd *target)
{
	bool target_valid = target->data[0] & cpu_to_le64(CTXDESC_CD_0_V);
	bool cur_valid = cdptr->data[0] & cpu_to_le64(CTXDESC_CD_0_V);
	struct arm_smmu_cd_writer cd_writer = {
		.writer = { .ops = &arm_smmu_cd_writer_ops, .master = master },
		.ssid = (unsigned int)ssid,
	};

	if (ssid != IOMMU_NO_PASID && cur_valid != target_valid) {
		if (cur_valid)
			master->cd_table.used_ssids--;
		else
			master->cd_table.used_ssids++;
	}
	arm_smmu_write_entry(&cd_writer.writer, cdptr->data, target->data);
}

void arm_smmu_clear_cd(struct arm_smmu_master *master, ioasid_t ssid)
{
	struct arm_smmu_cd target = {};
	struct arm_smmu_cd *cdptr;

	if (!arm_smmu_cdtab_allocated(&master->cd_table))
		return;
	cdptr = arm_smmu_get_cd_ptr(master, ssid);
	if (WARN_ON(!cdptr))
		return;
	arm_smmu_write_cd_entry(master, ssid, cdptr, &target);
}
