/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A software Tegra241 CMDQV beside an SMMUv3 model (hw/tegra241-cmdqv.h):
 * VCMDQs the hardware consumes itself, through the SMMU model's command
 * execution, with the rules of the VINTF a queue is allocated to.
 *
 * Consumption is synchronous, as the SMMU model's: the MMIO write that
 * lets a queue progress (PROD, CONFIG.EN of the queue, its VINTF or the
 * CMDQV, GERRORN acknowledging an error) returns once every command up to
 * PROD ran or the queue stopped on an error.
 *
 * A VINTF without HYP_OWN is a VM's. Its queues take TLBI_NH_ASID,
 * TLBI_NH_VA, ATC_INV and CMD_SYNC only; a TLBI runs with the VINTF's VMID
 * whatever the command says, and an ATC_INV's StreamID must match a valid
 * SID_MATCH entry and runs with its SID_REPLACE. Anything else is
 * CERROR_ILL: the queue's CONS.ERR says so, its GERROR.CMDQ_ERR toggles,
 * and the error maps (the VINTF's LVCMDQ_ERR_MAP, the global CMDQ_ERR_MAP
 * and VINTF_ERR_MAP) get the queue's bits until GERRORN acknowledges it;
 * the error interrupt is raised (an edge, once per error). A CMD_SYNC of a
 * VM's queue completes by CONS only: CS=IRQ would write an MSI to an IPA,
 * which the model does not translate, so it is CERROR_ILL there.
 *
 * An access through a VINTF's page to a logical queue no CMDQ_ALLOC entry
 * maps reads as zero and is ignored, as is a write to a queue's BASE or
 * CONS while the queue is enabled.
 */
#pragma once

#include "drivers/arm-smmu-v3/hw/tegra241-cmdqv.h"

struct smmuv3_model;
struct tegra241_cmdqv_model;

struct tegra241_cmdqv_model_cfg {
	u8 vintfs_log2;		/* PARAM.NUM_VINTF_LOG2 (<= 6) */
	u8 vcmdqs_log2;		/* PARAM.NUM_VCMDQ_LOG2 (<= 7, >= vintfs_log2) */
	u8 sids_log2;		/* PARAM.NUM_SID_PER_VM_LOG2 (<= 4: 16 SID pairs) */
	u8 version;		/* PARAM.VER */
};

/* 4 VINTFs, 8 VCMDQs (2 per VINTF), 8 StreamID pairs per VINTF, version 1. */
void tegra241_cmdqv_model_cfg_default(struct tegra241_cmdqv_model_cfg *cfg);

struct tegra241_cmdqv_model_ops {
	/* The error interrupt: a new error is in the maps. May be NULL. */
	void (*irq)(void *priv);
};

/* ERR_PTR(-EINVAL) for a bad @cfg, ERR_PTR(-ENOMEM). */
struct tegra241_cmdqv_model *tegra241_cmdqv_model_create(const struct tegra241_cmdqv_model_cfg *cfg,
							 struct smmuv3_model *smmu,
							 const struct tegra241_cmdqv_model_ops *ops,
							 void *priv);
void tegra241_cmdqv_model_destroy(struct tegra241_cmdqv_model *m);
/* The register space (TEGRA241_CMDQV_MMIO_SIZE(VINTFs) bytes). */
void __iomem *tegra241_cmdqv_model_mmio(struct tegra241_cmdqv_model *m);
size_t tegra241_cmdqv_model_mmio_size(struct tegra241_cmdqv_model *m);

struct tegra241_cmdqv_model_stats {
	u64 cmds;		/* commands run from VCMDQs */
	u64 errors;		/* queues stopped on an error */
};
void tegra241_cmdqv_model_get_stats(struct tegra241_cmdqv_model *m,
				    struct tegra241_cmdqv_model_stats *st);
