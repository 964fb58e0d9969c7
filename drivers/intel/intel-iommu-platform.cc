// SPDX-License-Identifier: GPL-2.0
/*
 * The "vtd" platform IOMMU kind: a VT-d hardware model
 * (drivers/intel/model) with this driver bound to it. The only file that
 * sees both sides: the model's register file goes to intel_iommu_probe()
 * as the unit's MMIO, the model's fault and page request messages to
 * intel_iommu_irq(), a function's DMA to the model's translation, and the
 * model's page group responses to the function.
 *
 * DMA. A function whose ATS Control register has Enable set (the driver
 * sets it at probe for ATS-capable functions) goes through its device-TLB,
 * which the model keeps for it (Translation Requests to the unit, entries
 * until a device-TLB invalidation); any other function's DMA is an
 * untranslated request. A refused DMA is an Unsupported Request to the
 * function; the unit records the fault itself. A function with PRI Enable
 * set also sends a Page Request for the refused page (pci_pri.h); its page
 * group response comes back through the model's page_response hook,
 * matched to the request by (requester ID, PRG index).
 */
#include "drivers/intel/iommu.h"
#include "drivers/intel/model/vtd_model.h"

#include "harness/platform/pci_pri.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"

#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace {

struct vtd_platform {
	struct vtd_model *model;
	std::atomic<struct intel_iommu *> iommu;
	struct platform_iommu *piommu;
	std::string name;
	/* Page requests sent for functions, awaiting their page group response */
	struct pci_prg_tracker prgs;
};

const char *const vtd_cap_names[] = {
	"smts", "nest", "flts", "slts", "slads", "pasid", "pss", "prs", "dt", "pt", "sc",
	"fl5lp", "fl1gp", "psi", "nfr", "nd", "haw", "mgaw", "caching_mode", "esrtps", "qi", nullptr,
};

int vtd_check_cap(const char *cap, u64 val, std::string *why)
{
	static const struct platform_cap_limit limits[] = {
		{ "pss", 0, 19, "0 to 19 (ECAP.PSS: PASID bits - 1)" },
		{ "nfr", 1, 16, "1 to 16 fault recording registers" },
		{ "nd", 0, 6, "0 to 6 (CAP.ND)" },
		{ "haw", 32, 52, "32 to 52 bits" },
		{ "mgaw", 39, 57, "39 to 57 bits" },
	};

	return platform_check_cap(cap, val, vtd_cap_names, limits, ARRAY_SIZE(limits),
				  "VT-d unit", why);
}

/*
 * "smts" 0 is a unit of legacy mode only: what needs scalable mode (PASIDs,
 * page requests, both scalable translation types, nesting, second-stage A/D,
 * RID_PASID, drain) goes with it. "qi" 0 leaves register-based invalidation
 * only: the device-TLB and page requests, which need the queue, go too.
 * Capabilities named explicitly are applied afterwards, so a description
 * asking for an impossible unit is still refused by the model.
 */
void vtd_apply_mode_caps(const struct platform_iommu_desc *desc, struct vtd_model_cfg *cfg)
{
	for (const auto &[cap, val] : desc->caps) {
		if (cap == "smts" && !val)
			cfg->pasid = cfg->prs = cfg->nest = cfg->flts = cfg->slts = cfg->slads =
				cfg->rps = cfg->pds = false;
		else if (cap == "qi" && !val)
			cfg->dt = cfg->prs = false;
	}
}

void vtd_apply_caps(const struct platform_iommu_desc *desc, struct vtd_model_cfg *cfg)
{
	vtd_apply_mode_caps(desc, cfg);
	for (const auto &[cap, val] : desc->caps) {
		if (cap == "smts")
			cfg->smts = val;
		else if (cap == "nest")
			cfg->nest = val;
		else if (cap == "flts")
			cfg->flts = val;
		else if (cap == "slts")
			cfg->slts = val;
		else if (cap == "slads")
			cfg->slads = val;
		else if (cap == "pasid")
			cfg->pasid = val;
		else if (cap == "pss")
			cfg->pss = val;
		else if (cap == "prs")
			cfg->prs = val;
		else if (cap == "dt")
			cfg->dt = val;
		else if (cap == "pt")
			cfg->pt = val;
		else if (cap == "sc")
			cfg->sc = val;
		else if (cap == "fl5lp")
			cfg->fl5lp = val;
		else if (cap == "fl1gp")
			cfg->fl1gp = val;
		else if (cap == "psi")
			cfg->psi = val;
		else if (cap == "nfr")
			cfg->nfr = val;
		else if (cap == "nd")
			cfg->nd = val;
		else if (cap == "haw")
			cfg->haw = val;
		else if (cap == "mgaw")
			cfg->mgaw = val;
		else if (cap == "caching_mode")
			cfg->caching_mode = val;
		else if (cap == "esrtps")
			cfg->esrtps = val;
		else if (cap == "qi")
			cfg->qi = val;
	}
}

struct platform_dev *vtd_dev_by_rid(struct vtd_platform *vp, u16 rid)
{
	for (int i = 0; i < platform_nr_devices(); i++) {
		struct platform_dev *pdev = platform_dev_get(i);

		if (pdev && pdev->iommu == vp->piommu && (u16)pdev->desc->rid == rid)
			return pdev;
	}
	return NULL;
}

void vtd_platform_irq(void *priv, enum vtd_irq src, bool msi_written)
{
	struct vtd_platform *vp = (struct vtd_platform *)priv;
	struct intel_iommu *iommu = vp->iommu.load();

	if (!iommu)
		return;	/* still probing: the driver drains what is there when it is up */
	switch (src) {
	case VTD_IRQ_FAULT:
		intel_iommu_irq(iommu, INTEL_IOMMU_IRQ_FAULT);
		break;
	case VTD_IRQ_PAGE_REQ:
		intel_iommu_irq(iommu, INTEL_IOMMU_IRQ_PRQ);
		break;
	default:
		/* Invalidation completion: the driver polls its wait status */
		break;
	}
}

void vtd_platform_page_response(void *priv, u16 rid, u32 pasid, bool pasid_present,
				u16 prg_index, unsigned int resp_code, bool automatic)
{
	struct vtd_platform *vp = (struct vtd_platform *)priv;
	struct platform_dev *pdev = vtd_dev_by_rid(vp, rid);

	pci_prg_respond(&vp->prgs, pdev ? pdev->func : NULL, rid, prg_index,
			resp_code == QI_RESP_SUCCESS   ? PCI_PRG_RESP_SUCCESS
			: resp_code == QI_RESP_INVALID ? PCI_PRG_RESP_INVALID
						       : PCI_PRG_RESP_FAILURE);
}

const struct vtd_model_ops vtd_platform_model_ops = {
	.irq = vtd_platform_irq,
	.page_response = vtd_platform_page_response,
};

int vtd_platform_create(struct platform_iommu *piommu)
{
	struct vtd_platform *vp;
	struct vtd_model_cfg cfg;
	struct intel_iommu *iommu;
	int rc;

	vp = new (std::nothrow) vtd_platform;
	if (!vp)
		return -ENOMEM;
	vp->piommu = piommu;
	vp->name = piommu->desc->name;

	vtd_model_cfg_default(&cfg);
	vtd_apply_caps(piommu->desc, &cfg);
	vp->model = vtd_model_create(&cfg, &vtd_platform_model_ops, vp);
	if (IS_ERR(vp->model)) {
		rc = PTR_ERR(vp->model);
		delete vp;
		return rc;
	}

	iommu = intel_iommu_probe(vtd_model_mmio(vp->model), vp->name.c_str());
	if (IS_ERR(iommu)) {
		rc = PTR_ERR(iommu);
		vtd_model_destroy(vp->model);
		delete vp;
		return rc;
	}
	vp->iommu = iommu;
	/* Anything the unit raised while the driver was coming up */
	intel_iommu_drain_events(iommu);

	rc = intel_iommu_register(iommu, piommu);
	if (rc) {
		vp->iommu = NULL;
		intel_iommu_remove(iommu);
		vtd_model_destroy(vp->model);
		delete vp;
		return rc;
	}
	piommu->priv = vp;
	return 0;
}

void vtd_platform_destroy(struct platform_iommu *piommu)
{
	struct vtd_platform *vp = (struct vtd_platform *)piommu->priv;
	struct intel_iommu *iommu = vp->iommu.load();

	intel_iommu_unregister(iommu);
	vp->iommu = NULL;
	intel_iommu_remove(iommu);
	vtd_model_destroy(vp->model);
	delete vp;
	piommu->priv = nullptr;
}

/* A refused access of a PRI function: the Page Request it sends. */
void vtd_platform_page_request(struct vtd_platform *vp, struct platform_dev *pdev, u32 pasid,
			       bool has_pasid, u64 iova, bool write)
{
	struct vtd_page_req req = {};
	u16 rid = (u16)pdev->desc->rid;
	/* PRG indexes are 9 bits */
	struct pci_pri_msg sent = pci_prg_send(&vp->prgs, pdev->func, rid, pasid, has_pasid,
					       iova & ~(u64)(VTD_PAGE_SIZE - 1), write, 0x1ff);

	req.sid = rid;
	req.pasid = sent.pasid;
	req.pasid_present = has_pasid;
	req.addr = sent.addr;
	req.read = !write;
	req.write = write;
	req.last = true;
	req.prg_index = sent.prg_index;
	/* A discarded last request is answered by the unit through page_response */
	vtd_model_page_request(vp->model, &req);
}

int vtd_platform_translate(struct platform_iommu *piommu, struct platform_dev *pdev, u32 pasid,
			   bool has_pasid, u64 iova, bool write, phys_addr_t *pa, u64 *contig)
{
	struct vtd_platform *vp = (struct vtd_platform *)piommu->priv;
	struct pci_func *f = pdev->func;
	struct vtd_txn txn = {};
	struct vtd_txn_result res = {};

	txn.sid = (u16)pdev->desc->rid;
	txn.pasid = has_pasid ? pasid : 0;
	txn.pasid_present = has_pasid;
	txn.addr = iova;
	txn.write = write;

	if (pci_ecap_ctrl_enabled(f, f->ats_ecap, PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE))
		vtd_model_devtlb_translate(vp->model, &txn, &res);
	else
		vtd_model_translate(vp->model, &txn, &res);

	if (res.status == VTD_TXN_OK) {
		*pa = res.pa;
		*contig = res.contig;
		return PCI_DMA_OK;
	}
	if (pdev->desc->pri &&
	    pci_ecap_ctrl_enabled(f, f->pri_ecap, PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE))
		vtd_platform_page_request(vp, pdev, pasid, has_pasid, iova, write);
	return PCI_DMA_UR;
}

/* Faults and page requests the event thread has not handled yet, handled now. */
void vtd_platform_settle(struct platform_iommu *iommu)
{
	struct vtd_platform *vp = (struct vtd_platform *)iommu->priv;

	if (vp && vp->iommu)
		intel_iommu_drain_events(vp->iommu);
}

/*
 * What the unit holds that software can observe, for digests: global and
 * fault status, the queues' indexes (not their bases: physical addresses
 * differ between runs) and the caches' occupancy, counters and entries (by
 * tag, as the model lists them).
 */
void vtd_platform_describe(struct platform_iommu *iommu, std::vector<struct state_item> *out)
{
	struct vtd_platform *vp = (struct vtd_platform *)iommu->priv;
	static const struct {
		const char *name;
		unsigned int off;
	} regs[] = {
		{"GSTS", DMAR_GSTS_REG}, {"FSTS", DMAR_FSTS_REG}, {"FECTL", DMAR_FECTL_REG},
		{"IQH", DMAR_IQH_REG},   {"IQT", DMAR_IQT_REG},   {"PQH", DMAR_PQH_REG},
		{"PQT", DMAR_PQT_REG},   {"PRS", DMAR_PRS_REG},
	};
	struct vtd_model_stats st;
	struct state_item regs_item, cache_item;

	if (!vp || !vp->model)
		return;
	regs_item.key = iommu->desc->name + "/regs";
	regs_item.kind = "vtd_regs";
	regs_item.owner = iommu->desc->name;
	regs_item.label = "registers";
	for (const auto &r : regs)
		state_item_field(&regs_item, "%s %#x", r.name, vtd_model_peek(vp->model, r.off));
	state_item_seal(&regs_item);
	out->push_back(std::move(regs_item));

	vtd_model_get_stats(vp->model, &st);
	cache_item.key = iommu->desc->name + "/caches";
	cache_item.kind = "vtd_caches";
	cache_item.owner = iommu->desc->name;
	cache_item.label = "caches";
	state_item_field(&cache_item, "entries iotlb %u context %u pasid %u devtlb %u",
			 st.iotlb_entries, st.ctx_entries, st.pasid_entries, st.devtlb_entries);
	state_item_field(&cache_item, "descriptors %llu waits %llu", (unsigned long long)st.descs,
			 (unsigned long long)st.waits);
	state_item_field(&cache_item, "faults %llu lost %llu page_requests %llu lost %llu",
			 (unsigned long long)st.faults, (unsigned long long)st.faults_lost,
			 (unsigned long long)st.page_reqs, (unsigned long long)st.page_reqs_lost);
	vtd_model_describe_caches(vp->model, STATE_CACHE_LINES_MAX, state_item_add_line,
				  &cache_item);
	state_item_seal(&cache_item);
	out->push_back(std::move(cache_item));
}

const struct platform_iommu_kind vtd_platform_kind = {
	.name = "vtd",
	.summary = "Intel VT-d: the intel-iommu driver on the VT-d hardware model",
	.cap_names = vtd_cap_names,
	.check_cap = vtd_check_cap,
	.create = vtd_platform_create,
	.destroy = vtd_platform_destroy,
	.translate = vtd_platform_translate,
	.describe = vtd_platform_describe,
	.settle = vtd_platform_settle,
};

} // namespace

PLATFORM_IOMMU_KIND(vtd_platform_kind);

struct intel_iommu *vtd_platform_iommu(struct platform_iommu *piommu)
{
	if (!piommu || piommu->kind != &vtd_platform_kind || !piommu->priv)
		return NULL;
	return ((struct vtd_platform *)piommu->priv)->iommu.load();
}

struct vtd_model *vtd_platform_model(struct platform_iommu *piommu)
{
	if (!piommu || piommu->kind != &vtd_platform_kind || !piommu->priv)
		return NULL;
	return ((struct vtd_platform *)piommu->priv)->model;
}
