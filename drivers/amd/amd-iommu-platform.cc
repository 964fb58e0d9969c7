// SPDX-License-Identifier: GPL-2.0
/*
 * The "amd-vi" platform IOMMU kind: the AMD IOMMU hardware model
 * (drivers/amd/model) with this driver bound to it. The only file that
 * sees both sides: the model's register file goes to amd_iommu_init() as
 * the IOMMU's MMIO, the model's MSI causes to amd_iommu_int_handler(), a
 * function's DMA to the model's translation, and the model's PRG
 * responses (COMPLETE_PPR_REQUEST) to the function.
 *
 * DMA. A function whose ATS Control has Enable set (the driver sets it at
 * probe for ATS-capable functions) goes through its IOTLB, which the model
 * keeps for it; any other function's DMA is an untranslated request. A
 * refused DMA is an Unsupported Request to the function; the IOMMU logs
 * the event itself. A function with PRI Enable set also sends a Page
 * Request for the refused page; its response comes back through the
 * model's ppr_response hook, matched by (DeviceID, PRG index).
 *
 * The IOMMU's own DeviceID is 00:00.2, where AMD puts it.
 */
#include "drivers/amd/amd_iommu.h"
#include "drivers/amd/model/amd_iommu_model.h"

#include "harness/platform/pci_pri.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"

#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace {

constexpr u16 AMD_IOMMU_DEVID = 0x0002;	/* 00:00.2 */

struct amd_platform {
	struct amd_iommu_model *model;
	std::atomic<struct amd_iommu *> iommu;
	struct platform_iommu *piommu;
	std::string name;
	/* Page requests sent for functions, awaiting their PPR completion */
	struct pci_prg_tracker prgs;
};

const char *const amd_cap_names[] = {
	"hats", "gats", "glx", "pasmax", "oas", "gt", "ppr", "ia", "nx", "giov", "ha", "hd",
	"viommu", "nr_guests", nullptr,
};

int amd_check_cap(const char *cap, u64 val, std::string *why)
{
	static const struct platform_cap_limit limits[] = {
		{ "hats", 0, 2, "0 to 2 (EFR.HATS: 4 to 6 host levels)" },
		{ "gats", 0, 1, "0 or 1 (EFR.GATS: 4 or 5 guest levels)" },
		{ "glx", 0, 1, "0 or 1 (EFR.GLX: 1 or 2 GCR3 levels)" },
		{ "pasmax", 0, 19, "0 to 19 (EFR.PASMAX: PASID bits - 1)" },
		{ "oas", 32, 52, "32 to 52 bits" },
		{ "nr_guests", 1, 65536, "1 to 65536 guests" },
	};

	return platform_check_cap(cap, val, amd_cap_names, limits, ARRAY_SIZE(limits),
				  "AMD IOMMU", why);
}

void amd_apply_caps(const struct platform_iommu_desc *desc, struct amd_iommu_model_cfg *cfg)
{
	for (const auto &[cap, val] : desc->caps) {
		if (cap == "hats")
			cfg->hats = val;
		else if (cap == "gats")
			cfg->gats = val;
		else if (cap == "glx")
			cfg->glx = val;
		else if (cap == "pasmax")
			cfg->pasmax = val;
		else if (cap == "oas")
			cfg->oas = val;
		else if (cap == "gt")
			cfg->gt = val;
		else if (cap == "ppr")
			cfg->ppr = val;
		else if (cap == "ia")
			cfg->ia = val;
		else if (cap == "nx")
			cfg->nx = val;
		else if (cap == "giov")
			cfg->giov = val;
		else if (cap == "ha")
			cfg->ha = val;
		else if (cap == "hd")
			cfg->hd = val;
		else if (cap == "viommu")
			cfg->viommu = val;
		else if (cap == "nr_guests")
			cfg->nr_guests = val;
	}
}

struct platform_dev *amd_dev_by_devid(struct amd_platform *ap, u16 devid)
{
	for (int i = 0; i < platform_nr_devices(); i++) {
		struct platform_dev *pdev = platform_dev_get(i);

		if (pdev && pdev->iommu == ap->piommu && (u16)pdev->desc->rid == devid)
			return pdev;
	}
	return NULL;
}

void amd_platform_irq(void *priv, enum amd_iommu_irq src)
{
	struct amd_platform *ap = (struct amd_platform *)priv;
	struct amd_iommu *iommu = ap->iommu.load();

	if (!iommu)
		return;	/* still coming up: the driver polls what is there when it is */
	switch (src) {
	case AMD_IOMMU_IRQ_EVENT:
		amd_iommu_int_handler(iommu, AMD_IOMMU_INT_EVENT);
		break;
	case AMD_IOMMU_IRQ_PPR:
		amd_iommu_int_handler(iommu, AMD_IOMMU_INT_PPR);
		break;
	default:
		/* Completion wait: the driver polls its semaphore */
		break;
	}
}

void amd_platform_ppr_response(void *priv, u16 devid, u32 pasid, bool gn, u16 tag,
			       unsigned int status)
{
	struct amd_platform *ap = (struct amd_platform *)priv;
	struct platform_dev *pdev = amd_dev_by_devid(ap, devid);

	pci_prg_respond(&ap->prgs, pdev ? pdev->func : NULL, devid, tag,
			status == PPR_SUCCESS	? PCI_PRG_RESP_SUCCESS
			: status == PPR_INVALID ? PCI_PRG_RESP_INVALID
						: PCI_PRG_RESP_FAILURE);
}

const struct amd_iommu_model_ops amd_platform_model_ops = {
	.irq = amd_platform_irq,
	.ppr_response = amd_platform_ppr_response,
};

int amd_platform_create(struct platform_iommu *piommu)
{
	struct amd_iommu_model_cfg cfg;
	struct amd_platform *ap;
	struct amd_iommu *iommu;
	int rc;

	ap = new (std::nothrow) amd_platform;
	if (!ap)
		return -ENOMEM;
	ap->piommu = piommu;
	ap->name = piommu->desc->name;

	amd_iommu_model_cfg_default(&cfg);
	cfg.iommu_devid = AMD_IOMMU_DEVID;
	amd_apply_caps(piommu->desc, &cfg);
	ap->model = amd_iommu_model_create(&cfg, &amd_platform_model_ops, ap);
	if (IS_ERR(ap->model)) {
		rc = PTR_ERR(ap->model);
		delete ap;
		return rc;
	}

	iommu = amd_iommu_init(amd_iommu_model_mmio(ap->model), AMD_IOMMU_DEVID, ap->name.c_str());
	if (IS_ERR(iommu)) {
		rc = PTR_ERR(iommu);
		goto err_model;
	}
	ap->iommu = iommu;
	if (cfg.viommu) {
		rc = amd_iommu_viommu_setup(iommu, amd_iommu_model_vf_mmio(ap->model),
					    amd_iommu_model_vfctrl_mmio(ap->model), cfg.nr_guests);
		if (rc)
			goto err_iommu;
	}
	amd_iommu_poll_logs(iommu);

	rc = amd_iommu_register(iommu, piommu);
	if (rc)
		goto err_iommu;
	piommu->priv = ap;
	return 0;

err_iommu:
	ap->iommu = NULL;
	amd_iommu_remove(iommu);
err_model:
	amd_iommu_model_destroy(ap->model);
	delete ap;
	return rc;
}

void amd_platform_destroy(struct platform_iommu *piommu)
{
	struct amd_platform *ap = (struct amd_platform *)piommu->priv;
	struct amd_iommu *iommu = ap->iommu.load();

	amd_iommu_unregister(iommu);
	ap->iommu = NULL;
	amd_iommu_remove(iommu);
	amd_iommu_model_destroy(ap->model);
	delete ap;
	piommu->priv = nullptr;
}

/* A refused access of a PRI function: the Page Request it sends. */
void amd_platform_page_request(struct amd_platform *ap, struct platform_dev *pdev, u32 pasid,
			       bool has_pasid, u64 iova, bool write)
{
	struct amd_iommu_page_req req = {};
	u16 devid = (u16)pdev->desc->rid;
	/* PRG indexes are 9 bits */
	struct pci_pri_msg sent = pci_prg_send(&ap->prgs, pdev->func, devid, pasid, has_pasid,
					       iova & ~(u64)(PAGE_SIZE - 1), write, 0x1ff);

	req.devid = devid;
	req.pasid = sent.pasid;
	req.pasid_present = has_pasid;
	req.addr = sent.addr;
	req.read = !write;
	req.write = write;
	req.tag = sent.prg_index;
	if (amd_iommu_model_page_request(ap->model, &req) != AMD_IOMMU_PPR_QUEUED) {
		/*
		 * Nobody will answer a discarded request; the function's PRG
		 * timeout is modelled as an immediate Response Failure.
		 */
		pci_prg_respond(&ap->prgs, pdev->func, devid, sent.prg_index,
				PCI_PRG_RESP_FAILURE);
	}
}

int amd_platform_translate(struct platform_iommu *piommu, struct platform_dev *pdev, u32 pasid,
			   bool has_pasid, u64 iova, bool write, phys_addr_t *pa, u64 *contig)
{
	struct amd_platform *ap = (struct amd_platform *)piommu->priv;
	struct pci_func *f = pdev->func;
	struct amd_iommu_txn txn = {};
	struct amd_iommu_txn_result res = {};

	txn.devid = (u16)pdev->desc->rid;
	txn.pasid = has_pasid ? pasid : 0;
	txn.pasid_present = has_pasid;
	txn.addr = iova;
	txn.write = write;

	if (pci_ecap_ctrl_enabled(f, f->ats_ecap, PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE))
		amd_iommu_model_devtlb_translate(ap->model, &txn, &res);
	else
		amd_iommu_model_translate(ap->model, &txn, &res);

	if (res.status == AMD_IOMMU_TXN_OK) {
		*pa = res.pa;
		*contig = res.contig;
		return PCI_DMA_OK;
	}
	if (pdev->desc->pri &&
	    pci_ecap_ctrl_enabled(f, f->pri_ecap, PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE))
		amd_platform_page_request(ap, pdev, pasid, has_pasid, iova, write);
	return PCI_DMA_UR;
}

/*
 * A ring's base register (Command Buffer, Event Log, PPR Log) and its head
 * and tail: the length and whether a base is set, not the base itself,
 * which is a physical address that differs between runs.
 */
static void amd_describe_ring(struct state_item *item, struct amd_iommu_model *m,
			      const char *name, unsigned int base_off, unsigned int head_off,
			      unsigned int tail_off)
{
	u64 base = amd_iommu_model_peek(m, base_off);

	state_item_field(item, "%s len %u base %s head %#llx tail %#llx", name,
			 (unsigned int)FIELD_GET(MMIO_BUF_LEN, base),
			 base & MMIO_BUF_BASE ? "set" : "0",
			 (unsigned long long)amd_iommu_model_peek(m, head_off),
			 (unsigned long long)amd_iommu_model_peek(m, tail_off));
}

/* Events and page requests the event thread has not handled yet, handled now. */
void amd_platform_settle(struct platform_iommu *iommu)
{
	struct amd_platform *ap = (struct amd_platform *)iommu->priv;

	if (ap && ap->iommu)
		amd_iommu_poll_logs(ap->iommu);
}

/*
 * What the IOMMU holds that software can observe, for digests: its
 * registers (read without an MMIO access: Control, Status, EFR/EFR2, the
 * command buffer and logs), its caches' occupancy and entries (by tag) and
 * what its command buffer and logs have done (host and guests).
 */
void amd_platform_describe(struct platform_iommu *iommu, std::vector<struct state_item> *out)
{
	struct amd_platform *ap = (struct amd_platform *)iommu->priv;
	struct amd_iommu_model_stats st;
	struct state_item regs, item;

	if (!ap || !ap->model)
		return;
	regs.key = iommu->desc->name + "/regs";
	regs.kind = "amd_regs";
	regs.owner = iommu->desc->name;
	regs.label = "registers";
	state_item_field(&regs, "Control %#llx Status %#llx",
			 (unsigned long long)amd_iommu_model_peek(ap->model, MMIO_CONTROL_OFFSET),
			 (unsigned long long)amd_iommu_model_peek(ap->model, MMIO_STATUS_OFFSET));
	state_item_field(&regs, "EFR %#llx EFR2 %#llx",
			 (unsigned long long)amd_iommu_model_peek(ap->model, MMIO_EXT_FEATURES),
			 (unsigned long long)amd_iommu_model_peek(ap->model, MMIO_EXT_FEATURES2));
	amd_describe_ring(&regs, ap->model, "CmdBuf", MMIO_CMD_BUF_OFFSET, MMIO_CMD_HEAD_OFFSET,
			  MMIO_CMD_TAIL_OFFSET);
	amd_describe_ring(&regs, ap->model, "EvtLog", MMIO_EVT_BUF_OFFSET, MMIO_EVT_HEAD_OFFSET,
			  MMIO_EVT_TAIL_OFFSET);
	amd_describe_ring(&regs, ap->model, "PPRLog", MMIO_PPR_LOG_OFFSET, MMIO_PPR_HEAD_OFFSET,
			  MMIO_PPR_TAIL_OFFSET);
	state_item_seal(&regs);
	out->push_back(std::move(regs));

	std::vector<struct amd_iommu_model_guest> guests;

	amd_iommu_model_get_guests(ap->model, &guests);
	if (!guests.empty()) {
		struct state_item gi;

		gi.key = iommu->desc->name + "/guests";
		gi.kind = "amd_guests";
		gi.owner = iommu->desc->name;
		gi.label = "HW-vIOMMU guests";
		/* Bases in VF control are guest physical (or the PAS): the same every run */
		for (const auto &g : guests)
			state_item_field(&gi,
					 "guest %u misc %#llx cmd %#llx head %#llx tail %#llx "
					 "evt %#llx head %#llx tail %#llx ppr %#llx status %#llx",
					 g.gid, (unsigned long long)g.misc,
					 (unsigned long long)g.cmd_ctl, (unsigned long long)g.cmd_head,
					 (unsigned long long)g.cmd_tail, (unsigned long long)g.evt_ctl,
					 (unsigned long long)g.evt_head, (unsigned long long)g.evt_tail,
					 (unsigned long long)g.ppr_ctl, (unsigned long long)g.status);
		state_item_seal(&gi);
		out->push_back(std::move(gi));
	}

	amd_iommu_model_get_stats(ap->model, &st);
	item.key = iommu->desc->name + "/caches";
	item.kind = "amd_caches";
	item.owner = iommu->desc->name;
	item.label = "caches";
	state_item_field(&item, "entries iotlb %u dte %u devtlb %u pde %u", st.iotlb_entries,
			 st.dte_entries, st.devtlb_entries, st.pde_entries);
	state_item_field(&item, "commands %llu guest %llu waits %llu",
			 (unsigned long long)st.cmds, (unsigned long long)st.guest_cmds,
			 (unsigned long long)st.waits);
	state_item_field(&item, "events %llu lost %llu guest %llu ppr %llu lost %llu",
			 (unsigned long long)st.events, (unsigned long long)st.events_lost,
			 (unsigned long long)st.guest_events, (unsigned long long)st.pprs,
			 (unsigned long long)st.pprs_lost);
	amd_iommu_model_describe_caches(ap->model, STATE_CACHE_LINES_MAX, state_item_add_line,
					&item);
	state_item_seal(&item);
	out->push_back(std::move(item));
}

const struct platform_iommu_kind amd_platform_kind = {
	.name = "amd-vi",
	.summary = "AMD-Vi: the AMD IOMMU driver on the AMD IOMMU hardware model",
	.cap_names = amd_cap_names,
	.check_cap = amd_check_cap,
	.create = amd_platform_create,
	.destroy = amd_platform_destroy,
	.translate = amd_platform_translate,
	.describe = amd_platform_describe,
	.settle = amd_platform_settle,
};

} // namespace

PLATFORM_IOMMU_KIND(amd_platform_kind);

struct amd_iommu *amd_platform_iommu(struct platform_iommu *piommu)
{
	if (!piommu || piommu->kind != &amd_platform_kind || !piommu->priv)
		return NULL;
	return ((struct amd_platform *)piommu->priv)->iommu.load();
}

struct amd_iommu_model *amd_platform_model(struct platform_iommu *piommu)
{
	if (!piommu || piommu->kind != &amd_platform_kind || !piommu->priv)
		return NULL;
	return ((struct amd_platform *)piommu->priv)->model;
}
