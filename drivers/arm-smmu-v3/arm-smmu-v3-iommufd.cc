// SPDX-License-Identifier: GPL-2.0
/*
 * ARM SMMUv3 for iommufd: IOMMU_GET_HW_INFO, the vIOMMU (a VM's view of
 * this SMMU on a nest-parent stage 2), nested domains built from a guest
 * STE, the guest's invalidation commands, and its events.
 *
 * Trust: everything from userspace is a guest's and hostile. A vSTE may set
 * only the stage-1 fields the VM owns (STRTAB_STE_*_NESTING_ALLOWED) and
 * only the abort, bypass and stage-1 configurations; the physical STE gets
 * the stage 2 and VMID from the parent. Guest commands pass an allow-list,
 * carry the vIOMMU's VMID whatever the guest wrote there, and name devices
 * by virtual StreamID, which must be a vDEVICE of this vIOMMU. Every
 * refusal of guest data is -EIO, as upstream reserves it.
 *
 * The VMID is the nest parent's (upstream's current arrangement): a vIOMMU
 * owns the stage-1 TLB entries of that VMID, and a change to the parent
 * flushes them all (TLBI_NH_ALL, arm-smmu-v3-domain.cc).
 */
#include "drivers/arm-smmu-v3/arm-smmu-v3.h"

#include "core/eventq.h"
#include "harness/slab.h"

/* ----- IOMMU_GET_HW_INFO ----- */

void *arm_smmu_hw_info(struct device *dev, u32 *length, u32 *type)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	const struct arm_smmu_impl_ops *impl_ops = master->smmu->impl_ops;
	struct iommu_hw_info_arm_smmuv3 *info;
	u8 __iomem *base = (u8 __iomem *)master->smmu->base;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT && *type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3) {
		if (!impl_ops || !impl_ops->hw_info)
			return ERR_PTR(-EOPNOTSUPP);
		return impl_ops->hw_info(master->smmu, length, type);
	}

	info = (struct iommu_hw_info_arm_smmuv3 *)kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);

	/* Raw registers: the VMM picks the fields it can use */
	for (unsigned int i = 0; i <= 5; i++)
		info->idr[i] = readl_relaxed(base + ARM_SMMU_IDR0 + 4 * i);
	info->iidr = readl_relaxed(base + ARM_SMMU_IIDR);
	info->aidr = readl_relaxed(base + ARM_SMMU_AIDR);

	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	return info;
}

/* ----- Nested domains ----- */

static void arm_smmu_make_nested_cd_table_ste(struct arm_smmu_ste *target,
					      struct arm_smmu_master *master,
					      struct arm_smmu_nested_domain *nested_domain,
					      bool ats_enabled)
{
	arm_smmu_make_s2_domain_ste(target, master, nested_domain->vsmmu->s2_parent, ats_enabled);

	target->data[0] = cpu_to_le64(STRTAB_STE_0_V |
				      FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_NESTED));
	target->data[0] |= nested_domain->ste[0] & ~cpu_to_le64(STRTAB_STE_0_CFG);
	target->data[1] |= nested_domain->ste[1];
	/* Merge events: a guest must not be able to flood the event queue */
	target->data[1] |= cpu_to_le64(STRTAB_STE_1_MEV);
}

/*
 * A guest STE that is not valid becomes an abort STE, so the guest's
 * StreamID faults (and the guest may see C_BAD_STE-like events for it).
 */
static void arm_smmu_make_nested_domain_ste(struct arm_smmu_ste *target,
					    struct arm_smmu_master *master,
					    struct arm_smmu_nested_domain *nested_domain,
					    bool ats_enabled)
{
	unsigned int cfg = FIELD_GET(STRTAB_STE_0_CFG, le64_to_cpu(nested_domain->ste[0]));

	if (!(nested_domain->ste[0] & cpu_to_le64(STRTAB_STE_0_V)))
		cfg = STRTAB_STE_0_CFG_ABORT;

	switch (cfg) {
	case STRTAB_STE_0_CFG_S1_TRANS:
		arm_smmu_make_nested_cd_table_ste(target, master, nested_domain, ats_enabled);
		break;
	case STRTAB_STE_0_CFG_BYPASS:
		arm_smmu_make_s2_domain_ste(target, master, nested_domain->vsmmu->s2_parent,
					    ats_enabled);
		break;
	case STRTAB_STE_0_CFG_ABORT:
	default:
		arm_smmu_make_abort_ste(target);
		break;
	}
}

int arm_smmu_attach_prepare_vmaster(struct arm_smmu_attach_state *state,
				    struct arm_smmu_nested_domain *nested_domain)
{
	unsigned int cfg = FIELD_GET(STRTAB_STE_0_CFG, le64_to_cpu(nested_domain->ste[0]));
	struct arm_smmu_vmaster *vmaster;
	unsigned long vsid;
	int ret;

	iommu_group_mutex_assert(state->master->dev);

	/*
	 * A translating vSTE needs the device's vDEVICE first: events, CD and
	 * ATC invalidations name it by vSID. An abort or bypass vSTE (a guest
	 * SMMU still disabled, its GBPA) has nothing to name it for.
	 */
	ret = iommufd_viommu_get_vdev_id(&nested_domain->vsmmu->core, state->master->dev, &vsid);
	if (ret) {
		if (cfg == STRTAB_STE_0_CFG_ABORT || cfg == STRTAB_STE_0_CFG_BYPASS)
			return 0;
		return ret;
	}

	vmaster = (struct arm_smmu_vmaster *)kzalloc(sizeof(*vmaster), GFP_KERNEL);
	if (!vmaster)
		return -ENOMEM;
	vmaster->vsmmu = nested_domain->vsmmu;
	vmaster->vsid = vsid;
	state->vmaster = vmaster;
	return 0;
}

void arm_smmu_attach_commit_vmaster(struct arm_smmu_attach_state *state)
{
	struct arm_smmu_master *master = state->master;

	/* The event thread reads master->vmaster under streams_mutex */
	guard(mutex)(&master->smmu->streams_mutex);
	kfree(master->vmaster);
	master->vmaster = state->vmaster;
}

void arm_smmu_master_clear_vmaster(struct arm_smmu_master *master)
{
	struct arm_smmu_attach_state state = { .master = master };

	arm_smmu_attach_commit_vmaster(&state);
}

static int arm_smmu_attach_dev_nested(struct iommu_domain *domain, struct device *dev,
				      struct iommu_domain *old)
{
	struct arm_smmu_nested_domain *nested_domain = to_smmu_nested_domain(domain);
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_attach_state state = {
		.old_domain = old,
		.master = master,
		.ssid = IOMMU_NO_PASID,
	};
	struct arm_smmu_ste ste;
	int ret;

	if (nested_domain->vsmmu->smmu != master->smmu)
		return -EINVAL;
	if (master->cd_table.used_ssids)
		return -EBUSY;

	/*
	 * The guest drives its ATC through its own ATC_INV commands, and it
	 * only sends them if it believes ATS is on: follow the vSTE's EATS.
	 */
	state.disable_ats = !nested_domain->enable_ats;
	ret = arm_smmu_attach_prepare(&state, domain);
	if (ret)
		return ret;

	arm_smmu_make_nested_domain_ste(&ste, master, nested_domain, state.ats_enabled);
	arm_smmu_install_ste_for_dev(master, &ste);
	arm_smmu_attach_commit(&state);
	master->sid_domain = domain;
	return 0;
}

static void arm_smmu_domain_nested_free(struct iommu_domain *domain)
{
	kfree(to_smmu_nested_domain(domain));
}

static const struct iommu_domain_ops arm_smmu_nested_ops = {
	.attach_dev = arm_smmu_attach_dev_nested,
	.free = arm_smmu_domain_nested_free,
};

static int arm_smmu_validate_vste(struct iommu_hwpt_arm_smmuv3 *arg, bool *enable_ats)
{
	unsigned int eats, cfg;

	if (!(arg->ste[0] & cpu_to_le64(STRTAB_STE_0_V))) {
		/* Not valid: nothing else of it matters, nor is kept */
		memset(arg->ste, 0, sizeof(arg->ste));
		return 0;
	}

	/* EIO is reserved for invalid STE data */
	if ((arg->ste[0] & ~STRTAB_STE_0_NESTING_ALLOWED) ||
	    (arg->ste[1] & ~STRTAB_STE_1_NESTING_ALLOWED))
		return -EIO;

	cfg = FIELD_GET(STRTAB_STE_0_CFG, le64_to_cpu(arg->ste[0]));
	if (cfg != STRTAB_STE_0_CFG_ABORT && cfg != STRTAB_STE_0_CFG_BYPASS &&
	    cfg != STRTAB_STE_0_CFG_S1_TRANS)
		return -EIO;

	/*
	 * Full ATS or none: the physical EATS is the host's to set
	 * (arm_smmu_make_nested_domain_ste()), from what the guest asked.
	 */
	eats = FIELD_GET(STRTAB_STE_1_EATS, le64_to_cpu(arg->ste[1]));
	arg->ste[1] &= ~cpu_to_le64(STRTAB_STE_1_EATS);
	if (eats != STRTAB_STE_1_EATS_ABT && eats != STRTAB_STE_1_EATS_TRANS)
		return -EIO;

	if (cfg == STRTAB_STE_0_CFG_S1_TRANS)
		*enable_ats = eats == STRTAB_STE_1_EATS_TRANS;
	return 0;
}

struct iommu_domain *arm_vsmmu_alloc_domain_nested(struct iommufd_viommu *viommu, u32 flags,
						   const struct iommu_user_data *user_data)
{
	struct arm_vsmmu *vsmmu = to_vsmmu(viommu);
	const u32 SUPPORTED_FLAGS = IOMMU_HWPT_FAULT_ID_VALID;
	struct arm_smmu_nested_domain *nested_domain;
	struct iommu_hwpt_arm_smmuv3 arg;
	bool enable_ats = false;
	int ret;

	if (flags & ~SUPPORTED_FLAGS)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);

	ret = iommu_copy_struct_from_user(&arg, user_data, IOMMU_HWPT_DATA_ARM_SMMUV3, ste);
	if (ret)
		return (struct iommu_domain *)ERR_PTR(ret);

	ret = arm_smmu_validate_vste(&arg, &enable_ats);
	if (ret)
		return (struct iommu_domain *)ERR_PTR(ret);

	nested_domain = (struct arm_smmu_nested_domain *)kzalloc(sizeof(*nested_domain),
								  GFP_KERNEL_ACCOUNT);
	if (!nested_domain)
		return (struct iommu_domain *)ERR_PTR(-ENOMEM);

	nested_domain->domain.type = IOMMU_DOMAIN_NESTED;
	nested_domain->domain.ops = &arm_smmu_nested_ops;
	nested_domain->enable_ats = enable_ats;
	nested_domain->vsmmu = vsmmu;
	nested_domain->ste[0] = arg.ste[0];
	nested_domain->ste[1] = arg.ste[1] & ~cpu_to_le64(STRTAB_STE_1_EATS);
	return &nested_domain->domain;
}

/* ----- Guest invalidation commands ----- */

static int arm_vsmmu_vsid_to_sid(struct arm_vsmmu *vsmmu, u32 vsid, u32 *sid)
{
	struct arm_smmu_master *master;
	struct device *dev;
	int ret = 0;

	xa_lock(&vsmmu->core.vdevs);
	dev = iommufd_viommu_find_dev(&vsmmu->core, (unsigned long)vsid);
	if (!dev) {
		ret = -EIO;
		goto unlock;
	}
	master = arm_smmu_master_of(dev);
	/* A PCI function has one StreamID */
	*sid = master->streams[0].id;
unlock:
	xa_unlock(&vsmmu->core.vdevs);
	return ret;
}

/* One guest command, host-endian. */
struct arm_vsmmu_invalidation_cmd {
	union {
		u64 cmd[2];
		struct iommu_viommu_arm_smmuv3_invalidate ucmd;
	};
};

/*
 * Turns a guest command into the one the host issues: the allow-listed
 * opcodes only, the vIOMMU's VMID in TLBIs, the physical StreamID for the
 * guest's vSID. -EIO for anything else.
 */
static int arm_vsmmu_convert_user_cmd(struct arm_vsmmu *vsmmu,
				      struct arm_vsmmu_invalidation_cmd *cmd)
{
	/* Commands are le64 stored in u64 */
	cmd->cmd[0] = le64_to_cpu(cmd->ucmd.cmd[0]);
	cmd->cmd[1] = le64_to_cpu(cmd->ucmd.cmd[1]);

	switch (cmd->cmd[0] & CMDQ_0_OP) {
	case CMDQ_OP_TLBI_NSNH_ALL:
		/* The guest's "everything" is everything of its VMID */
		cmd->cmd[0] = CMDQ_OP_TLBI_NH_ALL | FIELD_PREP(CMDQ_TLBI_0_VMID, vsmmu->vmid);
		cmd->cmd[1] = 0;
		break;
	case CMDQ_OP_TLBI_NH_VA:
	case CMDQ_OP_TLBI_NH_VAA:
	case CMDQ_OP_TLBI_NH_ALL:
	case CMDQ_OP_TLBI_NH_ASID:
		cmd->cmd[0] &= ~CMDQ_TLBI_0_VMID;
		cmd->cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_VMID, vsmmu->vmid);
		break;
	case CMDQ_OP_ATC_INV:
	case CMDQ_OP_CFGI_CD:
	case CMDQ_OP_CFGI_CD_ALL: {
		u32 sid, vsid = FIELD_GET(CMDQ_CFGI_0_SID, cmd->cmd[0]);

		if (arm_vsmmu_vsid_to_sid(vsmmu, vsid, &sid))
			return -EIO;
		cmd->cmd[0] &= ~CMDQ_CFGI_0_SID;
		cmd->cmd[0] |= FIELD_PREP(CMDQ_CFGI_0_SID, sid);
		break;
	}
	default:
		return -EIO;
	}
	return 0;
}

int arm_vsmmu_cache_invalidate(struct iommufd_viommu *viommu, struct iommu_user_data_array *array)
{
	struct arm_vsmmu *vsmmu = to_vsmmu(viommu);
	struct arm_smmu_device *smmu = vsmmu->smmu;
	struct arm_vsmmu_invalidation_cmd *last, *cmds, *cur, *end;
	int ret;

	cmds = (struct arm_vsmmu_invalidation_cmd *)kcalloc(array->entry_num, sizeof(*cmds),
							    GFP_KERNEL);
	if (!cmds)
		return -ENOMEM;
	cur = cmds;
	end = cmds + array->entry_num;

	static_assert(sizeof(*cmds) == 2 * sizeof(u64));
	ret = iommu_copy_struct_from_full_user_array(cmds, sizeof(*cmds), array,
						     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3);
	if (ret)
		goto out;

	last = cmds;
	while (cur != end) {
		ret = arm_vsmmu_convert_user_cmd(vsmmu, cur);
		if (ret)
			goto out;

		/* Issue in runs of a batch (with room for its CMD_SYNC), or at the end */
		cur++;
		if (cur != end && (cur - last) != CMDQ_BATCH_ENTRIES - 1)
			continue;

		ret = arm_smmu_cmdq_issue_cmdlist(smmu, last->cmd, cur - last, true);
		if (ret) {
			cur--;
			goto out;
		}
		last = cur;
	}
out:
	/* How many entries were handled: on failure, the index of the failing one */
	array->entry_num = cur - cmds;
	kfree(cmds);
	return ret;
}

/* ----- The vIOMMU ----- */

static const struct iommufd_viommu_ops arm_vsmmu_ops = {
	.alloc_domain_nested = arm_vsmmu_alloc_domain_nested,
	.cache_invalidate = arm_vsmmu_cache_invalidate,
};

size_t arm_smmu_get_viommu_size(struct device *dev, u32 viommu_type)
{
	struct arm_smmu_master *master = arm_smmu_master_of(dev);
	struct arm_smmu_device *smmu = master->smmu;

	if (!(smmu->features & ARM_SMMU_FEAT_NESTING))
		return 0;
	/*
	 * Nothing does cache maintenance for the VM's memory: the SMMU must
	 * be coherent, or stage 2 must force write-back (S2FWB).
	 */
	if (!(smmu->features & ARM_SMMU_FEAT_COHERENCY) && !(smmu->features & ARM_SMMU_FEAT_S2FWB))
		return 0;
	if (viommu_type != IOMMU_VIOMMU_TYPE_ARM_SMMUV3) {
		if (!smmu->impl_ops || !smmu->impl_ops->get_viommu_size ||
		    !smmu->impl_ops->vsmmu_init)
			return 0;
		return smmu->impl_ops->get_viommu_size(viommu_type);
	}
	return VIOMMU_STRUCT_SIZE(struct arm_vsmmu, core);
}

int arm_vsmmu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent_domain,
		   const struct iommu_user_data *user_data)
{
	struct arm_vsmmu *vsmmu = to_vsmmu(viommu);
	struct arm_smmu_device *smmu = container_of(viommu->iommu_dev, struct arm_smmu_device,
						    iommu);
	struct arm_smmu_domain *s2_parent;

	if (parent_domain->owner != &arm_smmu_ops || !(parent_domain->type & __IOMMU_DOMAIN_PAGING))
		return -EINVAL;
	s2_parent = to_smmu_domain(parent_domain);
	if (s2_parent->smmu != smmu || !s2_parent->nest_parent)
		return -EINVAL;
	vsmmu->smmu = smmu;
	vsmmu->s2_parent = s2_parent;
	vsmmu->vmid = s2_parent->s2_cfg.vmid;
	/* An implementation's type: its part of the vIOMMU, its ops */
	if (viommu->type != IOMMU_VIOMMU_TYPE_ARM_SMMUV3)
		return smmu->impl_ops->vsmmu_init(vsmmu, user_data);
	/* Driver data of the plain type is for implementations: ignored */
	viommu->ops = &arm_vsmmu_ops;
	return 0;
}

/* ----- Events ----- */

int arm_vmaster_report_event(struct arm_smmu_vmaster *vmaster, u64 *evt)
{
	__le64 vevt[EVTQ_ENT_DWORDS];

	lockdep_assert_held(&vmaster->vsmmu->smmu->streams_mutex);

	/* The guest knows its device by the vSID only */
	vevt[0] = cpu_to_le64((evt[0] & ~EVTQ_0_SID) | FIELD_PREP(EVTQ_0_SID, vmaster->vsid));
	for (unsigned int i = 1; i < EVTQ_ENT_DWORDS; i++)
		vevt[i] = cpu_to_le64(evt[i]);

	return iommufd_viommu_report_event(&vmaster->vsmmu->core, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
					   vevt, sizeof(vevt));
}
