// SPDX-License-Identifier: GPL-2.0
/*
 * The "smmuv3" platform IOMMU kind: an SMMUv3 hardware model
 * (drivers/arm-smmu-v3/model) with this driver bound to it. This file is
 * the machine's wiring, the only place that sees both sides: the model's
 * register file goes to arm_smmu_device_probe() as the driver's MMIO, the
 * model's interrupt lines to arm_smmu_irq(), a function's DMA to the
 * model's translation, and the model's PRG responses to the function.
 *
 * DMA. A function whose ATS Control register has Enable set (the driver
 * sets it when it turns ATS on for the master) goes through its ATC, which
 * the model keeps for it (Translation Requests to the SMMU, entries until
 * ATC_INV); any other function's DMA is an untranslated request. A refused
 * DMA is an Unsupported Request to the function; the SMMU records the
 * event itself. A PRI-capable function (PRI Enable set in its capability)
 * also gets a Page Request sent on its behalf, as on the mock platform
 * (pci_pri.h): it reaches the model's PRI queue, the driver, and the
 * IOMMU layer, and its PRG response comes back through the model's
 * pri_response hook, matched to the request by (StreamID, group index).
 *
 * With the capability "cmdqv" set, a Tegra241 CMDQV model sits beside the
 * SMMU (model/cmdqv_model.h): its commands run on the SMMU model, its error
 * line goes to the driver's tegra241_cmdqv_irq().
 *
 * With the capability "stall" set, the SMMU has the stall model and every
 * device behind it is dma-can-stall: a stage-1 fault blocks the function's
 * DMA, in the thread that issued it, until the driver's RESUME answers the
 * fault (the platform "smmuv3-stall").
 */
#include "drivers/arm-smmu-v3/arm-smmu-v3.h"
#include "drivers/arm-smmu-v3/model/cmdqv_model.h"
#include "drivers/arm-smmu-v3/model/smmu_model.h"

#include "harness/platform/pci_pri.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"
#include "harness/slab.h"

#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace {

struct smmuv3_platform {
	struct smmuv3_model *model;
	struct tegra241_cmdqv_model *cmdqv;	/* NULL without the "cmdqv" capability */
	std::atomic<struct arm_smmu_device *> smmu;
	struct platform_iommu *piommu;
	std::string name;
	/* Page requests sent for functions, awaiting their PRG response */
	struct pci_prg_tracker prgs;
};

const char *const smmuv3_cap_names[] = {
	"sidsize", "ssidsize", "st_2lvl", "cd_2lvl", "ril", "ats", "pri", "httu",
	"asid16", "vmid16", "s1p", "s2p", "coherent", "cmdqs", "evtqs", "priqs", "cmdqv", "stall",
	"gran4k", "gran16k", "gran64k", nullptr,
};

int smmuv3_check_cap(const char *cap, u64 val, std::string *why)
{
	static const struct platform_cap_limit limits[] = {
		{ "sidsize", 0, 32, "at most 32 (IDR1.SIDSIZE)" },
		{ "ssidsize", 0, 20, "at most 20 (IDR1.SSIDSIZE)" },
		{ "httu", 0, 2, "0 none, 1 access flag, 2 access and dirty (IDR0.HTTU)" },
		{ "cmdqs", 0, 19, "at most 19 (IDR1.CMDQS)" },
		{ "evtqs", 0, 19, "at most 19 (IDR1.EVTQS)" },
		{ "priqs", 0, 19, "at most 19 (IDR1.PRIQS)" },
		{ "cmdqv", 0, 1, "0 or 1 (a Tegra241 CMDQV beside the SMMU)" },
		{ "stall", 0, 1, "0 or 1 (IDR0.STALL_MODEL stall, every device dma-can-stall)" },
	};

	return platform_check_cap(cap, val, smmuv3_cap_names, limits, ARRAY_SIZE(limits),
				  "SMMUv3", why);
}

void smmuv3_apply_caps(const struct platform_iommu_desc *desc, struct smmuv3_model_cfg *cfg)
{
	for (const auto &[cap, val] : desc->caps) {
		if (cap == "sidsize")
			cfg->sidsize = val;
		else if (cap == "ssidsize")
			cfg->ssidsize = val;
		else if (cap == "st_2lvl")
			cfg->st_2lvl = val;
		else if (cap == "cd_2lvl")
			cfg->cd_2lvl = val;
		else if (cap == "ril")
			cfg->ril = val;
		else if (cap == "ats")
			cfg->ats = val;
		else if (cap == "pri")
			cfg->pri = val;
		else if (cap == "httu")
			cfg->httu = val;
		else if (cap == "asid16")
			cfg->asid16 = val;
		else if (cap == "vmid16")
			cfg->vmid16 = val;
		else if (cap == "s1p")
			cfg->s1p = val;
		else if (cap == "s2p")
			cfg->s2p = val;
		else if (cap == "coherent")
			cfg->coherent = val;
		else if (cap == "cmdqs")
			cfg->cmdqs = val;
		else if (cap == "evtqs")
			cfg->evtqs = val;
		else if (cap == "priqs")
			cfg->priqs = val;
		else if (cap == "stall")
			cfg->stall = val;
		else if (cap == "gran4k")
			cfg->gran4k = val;
		else if (cap == "gran16k")
			cfg->gran16k = val;
		else if (cap == "gran64k")
			cfg->gran64k = val;
	}
}

struct platform_dev *smmuv3_dev_by_sid(struct smmuv3_platform *sp, u32 sid)
{
	for (int i = 0; i < platform_nr_devices(); i++) {
		struct platform_dev *pdev = platform_dev_get(i);

		if (pdev && pdev->iommu == sp->piommu && pdev->desc->stream_id == sid)
			return pdev;
	}
	return NULL;
}

/* The wired interrupt lines, to the driver's handlers */
void smmuv3_platform_irq(void *priv, enum smmuv3_irq src, bool msi_written)
{
	struct smmuv3_platform *sp = (struct smmuv3_platform *)priv;
	struct arm_smmu_device *smmu = sp->smmu.load();

	if (!smmu)
		return;	/* still probing: the driver polls what it needs */
	switch (src) {
	case SMMUV3_IRQ_EVTQ:
		arm_smmu_irq(smmu, ARM_SMMU_IRQ_EVTQ);
		break;
	case SMMUV3_IRQ_PRIQ:
		arm_smmu_irq(smmu, ARM_SMMU_IRQ_PRIQ);
		break;
	case SMMUV3_IRQ_GERROR:
		arm_smmu_irq(smmu, ARM_SMMU_IRQ_GERROR);
		break;
	default:
		/* CMD_SYNC completion: the driver polls CONS */
		break;
	}
}

void smmuv3_platform_pri_response(void *priv, u32 sid, u32 ssid, bool ssv, u16 grpid,
				  enum pri_resp resp, bool automatic)
{
	struct smmuv3_platform *sp = (struct smmuv3_platform *)priv;
	struct platform_dev *pdev = smmuv3_dev_by_sid(sp, sid);

	pci_prg_respond(&sp->prgs, pdev ? pdev->func : NULL, sid, grpid,
			resp == PRI_RESP_SUCC	? PCI_PRG_RESP_SUCCESS
			: resp == PRI_RESP_DENY ? PCI_PRG_RESP_INVALID
						: PCI_PRG_RESP_FAILURE);
}

const struct smmuv3_model_ops smmuv3_platform_model_ops = {
	.irq = smmuv3_platform_irq,
	.pri_response = smmuv3_platform_pri_response,
};

void smmuv3_platform_cmdqv_irq(void *priv)
{
	struct smmuv3_platform *sp = (struct smmuv3_platform *)priv;
	struct arm_smmu_device *smmu = sp->smmu.load();

	if (smmu)
		tegra241_cmdqv_irq(smmu);
}

const struct tegra241_cmdqv_model_ops smmuv3_platform_cmdqv_ops = {
	.irq = smmuv3_platform_cmdqv_irq,
};

bool smmuv3_platform_has_cmdqv(const struct platform_iommu_desc *desc)
{
	for (const auto &[cap, val] : desc->caps)
		if (cap == "cmdqv")
			return val;
	return false;
}

void smmuv3_platform_free(struct smmuv3_platform *sp)
{
	tegra241_cmdqv_model_destroy(sp->cmdqv);
	smmuv3_model_destroy(sp->model);
	delete sp;
}

int smmuv3_platform_create(struct platform_iommu *piommu)
{
	struct smmuv3_platform *sp;
	struct smmuv3_model_cfg cfg;
	struct arm_smmu_device *smmu;
	int rc;

	sp = new (std::nothrow) smmuv3_platform;
	if (!sp)
		return -ENOMEM;
	sp->piommu = piommu;
	sp->name = piommu->desc->name;

	smmuv3_model_cfg_default(&cfg);
	smmuv3_apply_caps(piommu->desc, &cfg);
	sp->cmdqv = NULL;
	sp->model = smmuv3_model_create(&cfg, &smmuv3_platform_model_ops, sp);
	if (IS_ERR(sp->model)) {
		rc = PTR_ERR(sp->model);
		delete sp;
		return rc;
	}
	if (smmuv3_platform_has_cmdqv(piommu->desc)) {
		struct tegra241_cmdqv_model_cfg qcfg;

		tegra241_cmdqv_model_cfg_default(&qcfg);
		sp->cmdqv = tegra241_cmdqv_model_create(&qcfg, sp->model,
							&smmuv3_platform_cmdqv_ops, sp);
		if (IS_ERR(sp->cmdqv)) {
			rc = PTR_ERR(sp->cmdqv);
			sp->cmdqv = NULL;
			smmuv3_platform_free(sp);
			return rc;
		}
	}

	smmu = arm_smmu_device_probe(smmuv3_model_mmio(sp->model), sp->name.c_str());
	if (IS_ERR(smmu)) {
		smmuv3_platform_free(sp);
		return PTR_ERR(smmu);
	}
	/* The firmware's dma-can-stall, for every device behind a stalling SMMU */
	smmu->dma_can_stall = cfg.stall;
	rc = sp->cmdqv ? tegra241_cmdqv_probe(smmu, tegra241_cmdqv_model_mmio(sp->cmdqv)) : 0;
	if (!rc) {
		sp->smmu = smmu;
		rc = arm_smmu_register_iommu(smmu, piommu);
	}
	if (rc) {
		sp->smmu = NULL;
		tegra241_cmdqv_remove(smmu);
		arm_smmu_device_remove(smmu);
		smmuv3_platform_free(sp);
		return rc;
	}
	piommu->priv = sp;
	return 0;
}

void smmuv3_platform_destroy(struct platform_iommu *piommu)
{
	struct smmuv3_platform *sp = (struct smmuv3_platform *)piommu->priv;
	struct arm_smmu_device *smmu = sp->smmu.load();

	arm_smmu_unregister_iommu(smmu);
	sp->smmu = NULL;
	tegra241_cmdqv_remove(smmu);
	arm_smmu_device_remove(smmu);
	smmuv3_platform_free(sp);
	piommu->priv = nullptr;
}

/* A refused access of a PRI function: the Page Request it sends. */
void smmuv3_platform_page_request(struct smmuv3_platform *sp, struct platform_dev *pdev,
				  u32 pasid, bool has_pasid, u64 iova, bool write)
{
	struct smmuv3_page_req req = {};
	u32 sid = pdev->desc->stream_id;
	struct pci_pri_msg sent = pci_prg_send(&sp->prgs, pdev->func, sid, pasid, has_pasid,
					       iova & ~(u64)(PAGE_SIZE - 1), write,
					       (u16)PRIQ_1_PRG_IDX);

	req.sid = sid;
	req.ssid = sent.pasid;
	req.ssv = has_pasid;
	req.addr = sent.addr;
	req.read = !write;
	req.write = write;
	req.last = true;
	req.grpid = sent.prg_index;
	if (smmuv3_model_page_request(sp->model, &req) == SMMUV3_PRI_DISCARDED) {
		/* The SMMU's own answer to a discarded last request comes through pri_response */
	}
}

int smmuv3_platform_translate(struct platform_iommu *piommu, struct platform_dev *pdev,
			      u32 pasid, bool has_pasid, u64 iova, bool write, phys_addr_t *pa,
			      u64 *contig)
{
	struct smmuv3_platform *sp = (struct smmuv3_platform *)piommu->priv;
	struct pci_func *f = pdev->func;
	struct smmuv3_txn txn = {};
	struct smmuv3_txn_result res = {};

	txn.sid = pdev->desc->stream_id;
	txn.ssid = has_pasid ? pasid : 0;
	txn.ssv = has_pasid;
	txn.addr = iova;
	txn.write = write;

	if (pci_ecap_ctrl_enabled(f, f->ats_ecap, PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE))
		smmuv3_model_atc_translate(sp->model, &txn, &res);
	else
		smmuv3_model_translate(sp->model, &txn, &res);

	if (res.status == SMMUV3_TXN_OK) {
		*pa = res.pa;
		*contig = res.contig;
		return PCI_DMA_OK;
	}
	if (pdev->desc->pri &&
	    pci_ecap_ctrl_enabled(f, f->pri_ecap, PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE))
		smmuv3_platform_page_request(sp, pdev, pasid, has_pasid, iova, write);
	return PCI_DMA_UR;
}

/*
 * The CMDQV's enables and error maps, each VINTF's configuration (VMID,
 * ownership) and StreamID pairs in use, and its counters: reads without
 * side effects. Queue bases are physical addresses, left out.
 */
void smmuv3_platform_describe_cmdqv(struct smmuv3_platform *sp, struct platform_iommu *iommu,
				    std::vector<struct state_item> *out)
{
	u8 __iomem *base = (u8 __iomem *)tegra241_cmdqv_model_mmio(sp->cmdqv);
	u32 param = readl(base + TEGRA241_CMDQV_PARAM);
	unsigned int nr_vintfs = 1U << FIELD_GET(CMDQV_NUM_VINTF_LOG2, param);
	unsigned int nr_sids = 1U << FIELD_GET(CMDQV_NUM_SID_PER_VM_LOG2, param);
	struct tegra241_cmdqv_model_stats st;
	struct state_item item;

	item.key = iommu->desc->name + "/cmdqv";
	item.kind = "tegra241_cmdqv";
	item.owner = iommu->desc->name;
	item.label = "CMDQV";
	state_item_field(&item, "CONFIG %#x VINTF_ERR_MAP %#x", readl(base + TEGRA241_CMDQV_CONFIG),
			 readl(base + TEGRA241_CMDQV_VINTF_ERR_MAP));
	for (unsigned int v = 0; v < nr_vintfs; v++) {
		u8 __iomem *vintf = base + TEGRA241_VINTF(v);
		unsigned int pairs = 0;

		for (unsigned int s = 0; s < nr_sids; s++)
			pairs += !!(readl(vintf + TEGRA241_VINTF_SID_MATCH(s)) & VINTF_SID_MATCH_VALID);
		state_item_field(&item, "VINTF%u CONFIG %#x sid_pairs %u", v,
				 readl(vintf + TEGRA241_VINTF_CONFIG), pairs);
	}
	tegra241_cmdqv_model_get_stats(sp->cmdqv, &st);
	state_item_field(&item, "commands %llu errors %llu", (unsigned long long)st.cmds,
			 (unsigned long long)st.errors);
	state_item_seal(&item);
	out->push_back(std::move(item));
}

/* Events and page requests the interrupt thread has not handled yet, handled now. */
void smmuv3_platform_settle(struct platform_iommu *iommu)
{
	struct smmuv3_platform *sp = (struct smmuv3_platform *)iommu->priv;
	struct arm_smmu_device *smmu = sp ? sp->smmu.load() : NULL;

	if (smmu)
		arm_smmu_drain_queues(smmu);
}

/*
 * What the SMMU holds that software can observe, for digests: the control
 * and error registers, the queues' indexes (not their bases: physical
 * addresses differ between runs) and the caches' occupancy, counters and
 * entries (by tag, as the model lists them).
 */
void smmuv3_platform_describe(struct platform_iommu *iommu, std::vector<struct state_item> *out)
{
	struct smmuv3_platform *sp = (struct smmuv3_platform *)iommu->priv;
	static const struct {
		const char *name;
		unsigned int off;
	} regs[] = {
		{"CR0", ARM_SMMU_CR0}, {"CR1", ARM_SMMU_CR1}, {"CR2", ARM_SMMU_CR2},
		{"GBPA", ARM_SMMU_GBPA}, {"IRQ_CTRL", ARM_SMMU_IRQ_CTRL},
		{"GERROR", ARM_SMMU_GERROR}, {"GERRORN", ARM_SMMU_GERRORN},
		{"STRTAB_BASE_CFG", ARM_SMMU_STRTAB_BASE_CFG},
		{"CMDQ_PROD", ARM_SMMU_CMDQ_PROD}, {"CMDQ_CONS", ARM_SMMU_CMDQ_CONS},
		{"EVTQ_PROD", ARM_SMMU_PAGE1_EVTQ_PROD}, {"EVTQ_CONS", ARM_SMMU_PAGE1_EVTQ_CONS},
		{"PRIQ_PROD", ARM_SMMU_PAGE1_PRIQ_PROD}, {"PRIQ_CONS", ARM_SMMU_PAGE1_PRIQ_CONS},
	};
	struct smmuv3_model_stats st;
	struct state_item regs_item, cache_item;

	if (!sp || !sp->model)
		return;
	regs_item.key = iommu->desc->name + "/regs";
	regs_item.kind = "smmuv3_regs";
	regs_item.owner = iommu->desc->name;
	regs_item.label = "registers";
	for (const auto &r : regs)
		state_item_field(&regs_item, "%s %#x", r.name, smmuv3_model_peek(sp->model, r.off));
	state_item_seal(&regs_item);
	out->push_back(std::move(regs_item));

	smmuv3_model_get_stats(sp->model, &st);
	cache_item.key = iommu->desc->name + "/caches";
	cache_item.kind = "smmuv3_caches";
	cache_item.owner = iommu->desc->name;
	cache_item.label = "caches";
	state_item_field(&cache_item, "entries tlb %u ste %u cd %u atc %u", st.tlb_entries,
			 st.ste_entries, st.cd_entries, st.atc_entries);
	state_item_field(&cache_item, "commands %llu ignored %llu syncs %llu",
			 (unsigned long long)st.cmds, (unsigned long long)st.cmds_ignored,
			 (unsigned long long)st.syncs);
	state_item_field(&cache_item, "events %llu lost %llu", (unsigned long long)st.events,
			 (unsigned long long)st.events_lost);
	smmuv3_model_describe_caches(sp->model, STATE_CACHE_LINES_MAX, state_item_add_line,
				     &cache_item);
	state_item_seal(&cache_item);
	out->push_back(std::move(cache_item));
	if (sp->cmdqv)
		smmuv3_platform_describe_cmdqv(sp, iommu, out);
}

const struct platform_iommu_kind smmuv3_platform_kind = {
	.name = "smmuv3",
	.summary = "ARM SMMUv3: the arm-smmu-v3 driver on the SMMUv3 hardware model",
	.cap_names = smmuv3_cap_names,
	.check_cap = smmuv3_check_cap,
	.create = smmuv3_platform_create,
	.destroy = smmuv3_platform_destroy,
	.translate = smmuv3_platform_translate,
	.describe = smmuv3_platform_describe,
	.settle = smmuv3_platform_settle,
};

} // namespace

PLATFORM_IOMMU_KIND(smmuv3_platform_kind);

struct arm_smmu_device *smmuv3_platform_smmu(struct platform_iommu *piommu)
{
	if (!piommu || piommu->kind != &smmuv3_platform_kind || !piommu->priv)
		return NULL;
	return ((struct smmuv3_platform *)piommu->priv)->smmu.load();
}

struct smmuv3_model *smmuv3_platform_model(struct platform_iommu *piommu)
{
	if (!piommu || piommu->kind != &smmuv3_platform_kind || !piommu->priv)
		return NULL;
	return ((struct smmuv3_platform *)piommu->priv)->model;
}
