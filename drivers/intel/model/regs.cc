// SPDX-License-Identifier: GPL-2.0
/*
 * The VT-d model's register file (VT-d specification, chapter 11) served
 * through ioremap_model(), with the behaviour the spec ties to registers:
 *
 *  - GCMD/GSTS: every command bit of a GCMD write is carried out before
 *    the write returns and reflected in GSTS: TE, QIE (and IRE/CFI/EAFL
 *    where supported) follow the written value; SRTP latches RTADDR and
 *    sets RTPS; WBF completes at once (WBFS stays 0). The spec asks
 *    software to change one command at a time; the model takes any
 *    combination in one write.
 *  - CCMD and IOTLB_REG: a write with ICC/IVT invalidates and reads back
 *    with ICC/IVT clear and the actual granularity in CAIG/IAIG. While
 *    queued invalidation is enabled the spec leaves them undefined; the
 *    model ignores them.
 *  - FSTS: PFO, IQE, ICE, ITE are write-1-to-clear; PPF and FRI follow the
 *    fault recording registers. Clearing IQE resumes a stopped queue.
 *  - Fault recording registers at CAP.FRO: F is write-1-to-clear. Faults
 *    go to the records in turn; one that finds its record still valid (F
 *    set) sets PFO and is lost, as are all faults while PFO is set.
 *  - The three event control registers: IM masks, IP holds a masked
 *    event, and clearing IM with IP set sends it. A fault event is raised
 *    only when a status bit is set while FSTS had none (PPF, PFO, IQE,
 *    ICE, ITE); clearing every status bit clears a pending IP.
 *  - IQA is read-only while QIES is set; IQH, IQER, CAP, ECAP, VER and
 *    GSTS are read-only.
 *
 * 64-bit registers take one 64-bit access or two 32-bit accesses to their
 * halves, in any order; a register's side effect runs on the write of the
 * half holding its trigger bit.
 */
#include "drivers/intel/model/model_internal.h"

#include "harness/err.h"
#include "harness/io.h"

void vtd_model_cfg_default(struct vtd_model_cfg *cfg)
{
	*cfg = {};
	cfg->ver_major = 6;
	cfg->ver_minor = 0;
	cfg->nd = 6;
	cfg->sagaw = DMA_SAGAW_48 | DMA_SAGAW_57;
	cfg->mgaw = 57;
	cfg->haw = 48;
	cfg->nfr = 8;
	cfg->sllps = DMA_SLLPS_2M | DMA_SLLPS_1G;
	cfg->mamv = 18;
	cfg->psi = true;
	cfg->fl1gp = cfg->fl5lp = true;
	cfg->coherent = true;
	cfg->qi = true;
	cfg->dt = true;
	cfg->pt = true;
	cfg->sc = true;
	cfg->nest = true;
	cfg->prs = true;
	cfg->ers = cfg->srs = true;
	cfg->pasid = true;
	cfg->pss = 19;
	cfg->pds = true;
	cfg->smts = true;
	cfg->slads = true;
	cfg->slts = cfg->flts = true;
	cfg->rps = true;
	cfg->eafs = false;
	cfg->adms = true;
}

static int vtd_cfg_check(const struct vtd_model_cfg *cfg)
{
	if (cfg->nd > 6 || !cfg->nfr || cfg->nfr > 16 || cfg->mamv > 63)
		return -EINVAL;
	/* The walker knows 3-, 4- and 5-level second-stage tables. */
	if (!cfg->sagaw || (cfg->sagaw & ~(DMA_SAGAW_39 | DMA_SAGAW_48 | DMA_SAGAW_57)))
		return -EINVAL;
	if (cfg->mgaw < 39 || cfg->mgaw > 57 || cfg->haw < 32 || cfg->haw > 52)
		return -EINVAL;
	if (cfg->pss > 19)
		return -EINVAL;
	/* PASIDs, page requests and nesting live in scalable mode. */
	if (!cfg->smts && (cfg->pasid || cfg->prs || cfg->nest || cfg->flts || cfg->slts))
		return -EINVAL;
	if (cfg->smts && !cfg->flts && !cfg->slts)
		return -EINVAL;
	if (cfg->nest && !(cfg->flts && cfg->slts))
		return -EINVAL;
	/* Page requests come from ATS functions, and are answered through the queue. */
	if (cfg->prs && (!cfg->dt || !cfg->qi))
		return -EINVAL;
	if ((cfg->dt || cfg->smts) && !cfg->qi)
		return -EINVAL;
	return 0;
}

static void vtd_build_caps(struct vtd_model *m)
{
	const struct vtd_model_cfg *c = &m->cfg;

	m->ver = FIELD_PREP(DMA_VER_MAJOR, c->ver_major) | FIELD_PREP(DMA_VER_MINOR, c->ver_minor);
	m->cap = FIELD_PREP(DMA_CAP_ND, c->nd) | (c->rwbf ? DMA_CAP_RWBF : 0) |
		 (c->caching_mode ? DMA_CAP_CM : 0) | FIELD_PREP(DMA_CAP_SAGAW, c->sagaw) |
		 FIELD_PREP(DMA_CAP_MGAW, c->mgaw - 1) |
		 FIELD_PREP(DMA_CAP_FRO, VTD_MODEL_FRCD_REG / 16) |
		 FIELD_PREP(DMA_CAP_SLLPS, c->sllps) | (c->psi ? DMA_CAP_PSI : 0) |
		 FIELD_PREP(DMA_CAP_NFR, c->nfr - 1) | FIELD_PREP(DMA_CAP_MAMV, c->mamv) |
		 DMA_CAP_DWD | DMA_CAP_DRD | (c->fl1gp ? DMA_CAP_FL1GP : 0) |
		 (c->fl5lp ? DMA_CAP_FL5LP : 0) | (c->esrtps ? DMA_CAP_ESRTPS : 0);
	m->ecap = (c->coherent ? DMA_ECAP_C : 0) | (c->qi ? DMA_ECAP_QI : 0) |
		  (c->dt ? DMA_ECAP_DT : 0) | (c->pt ? DMA_ECAP_PT : 0) |
		  (c->sc ? DMA_ECAP_SC : 0) | FIELD_PREP(DMA_ECAP_IRO, VTD_MODEL_IOTLB_REG / 16) |
		  (c->nest ? DMA_ECAP_NEST : 0) | (c->prs ? DMA_ECAP_PRS : 0) |
		  (c->ers ? DMA_ECAP_ERS : 0) | (c->srs ? DMA_ECAP_SRS : 0) |
		  (c->eafs ? DMA_ECAP_EAFS : 0) | FIELD_PREP(DMA_ECAP_PSS, c->pss) |
		  (c->pasid ? DMA_ECAP_PASID : 0) | (c->pds ? DMA_ECAP_PDS : 0) |
		  (c->smts ? DMA_ECAP_SMTS : 0) | (c->slads ? DMA_ECAP_SLADS : 0) |
		  (c->slts ? DMA_ECAP_SLTS : 0) | (c->flts ? DMA_ECAP_FLTS : 0) |
		  (c->smts && c->coherent ? DMA_ECAP_SMPWC : 0) | (c->rps ? DMA_ECAP_RPS : 0) |
		  (c->adms ? DMA_ECAP_ADMS : 0);
}

void vtd_lock(struct vtd_model *m)
{
	m->lock.lock();
}

void vtd_unlock(struct vtd_model *m)
{
	unsigned int irqs = m->pending_irq, msis = m->pending_msi;
	std::vector<vtd_model::prg_resp_msg> resp;

	m->pending_irq = m->pending_msi = 0;
	resp.swap(m->pending_resp);
	m->lock.unlock();

	for (unsigned int src = 0; src != VTD_IRQ_NR; src++)
		if ((irqs & BIT(src)) && m->ops.irq)
			m->ops.irq(m->priv, (enum vtd_irq)src, msis & BIT(src));
	for (auto &r : resp)
		if (m->ops.page_response)
			m->ops.page_response(m->priv, r.rid, r.pasid, r.pasid_present, r.prg_index,
					     r.resp_code, r.automatic);
}

/* ----- Events ----- */

struct vtd_event_regs {
	u32 *ctl, *data, *addr, *uaddr;
};

static struct vtd_event_regs vtd_event(struct vtd_model *m, enum vtd_irq src)
{
	switch (src) {
	case VTD_IRQ_FAULT:
		return { &m->fectl, &m->fedata, &m->feaddr, &m->feuaddr };
	case VTD_IRQ_INV_COMPLETION:
		return { &m->iectl, &m->iedata, &m->ieaddr, &m->ieuaddr };
	default:
		return { &m->pectl, &m->pedata, &m->peaddr, &m->peuaddr };
	}
}

/* The interrupt message: DATA to ADDR, where memory is there to take it. */
static void vtd_send_event(struct vtd_model *m, enum vtd_irq src)
{
	struct vtd_event_regs r = vtd_event(m, src);
	u64 addr = ((u64)*r.uaddr << 32) | (*r.addr & DMA_EVENT_ADDR_MA);
	u32 data = *r.data;

	*r.ctl &= ~DMA_FECTL_IP;
	m->pending_irq |= BIT(src);
	if (addr && !phys_write(addr, &data, sizeof(data)))
		m->pending_msi |= BIT(src);
}

void vtd_raise_event(struct vtd_model *m, enum vtd_irq src)
{
	struct vtd_event_regs r = vtd_event(m, src);

	*r.ctl |= DMA_FECTL_IP;
	if (!(*r.ctl & DMA_FECTL_IM))
		vtd_send_event(m, src);
}

static void vtd_write_event_ctl(struct vtd_model *m, enum vtd_irq src, u32 val)
{
	struct vtd_event_regs r = vtd_event(m, src);

	*r.ctl = (*r.ctl & DMA_FECTL_IP) | (val & DMA_FECTL_IM);
	if ((*r.ctl & DMA_FECTL_IP) && !(*r.ctl & DMA_FECTL_IM))
		vtd_send_event(m, src);
}

/* ----- Faults ----- */

static constexpr u32 VTD_FSTS_EVENT_BITS = DMA_FSTS_PFO | DMA_FSTS_PPF | DMA_FSTS_IQE |
					   DMA_FSTS_ICE | DMA_FSTS_ITE;

/* Sets FSTS status @bits; a fault event only if FSTS had no status before. */
void vtd_fault_event_status(struct vtd_model *m, u32 bits)
{
	bool was_clear = !(m->fsts & VTD_FSTS_EVENT_BITS);

	m->fsts |= bits;
	if (was_clear && (m->fsts & VTD_FSTS_EVENT_BITS))
		vtd_raise_event(m, VTD_IRQ_FAULT);
}

/* PPF and FRI from the records: FRI is the first valid one from the oldest. */
static void vtd_update_ppf(struct vtd_model *m)
{
	unsigned int nfr = m->cfg.nfr;

	m->fsts &= ~(DMA_FSTS_PPF | DMA_FSTS_FRI);
	for (unsigned int i = 0; i != nfr; i++) {
		unsigned int idx = (m->frcd_next + i) % nfr;

		if (m->frcd[idx][1] & DMA_FRCD_1_F) {
			m->fsts |= DMA_FSTS_PPF | FIELD_PREP(DMA_FSTS_FRI, idx);
			break;
		}
	}
	if (!(m->fsts & VTD_FSTS_EVENT_BITS))
		m->fectl &= ~DMA_FECTL_IP;
}

bool vtd_record_fault(struct vtd_model *m, const struct vtd_txn *txn, const struct vtd_fault *f,
		      bool translation_request)
{
	unsigned int idx = m->frcd_next;
	u64 hi;

	if (f->fpd || (m->fsts & DMA_FSTS_PFO)) {
		m->stats.faults_lost++;
		return false;
	}
	if (m->frcd[idx][1] & DMA_FRCD_1_F) {
		m->stats.faults_lost++;
		vtd_fault_event_status(m, DMA_FSTS_PFO);
		return false;
	}
	hi = FIELD_PREP(DMA_FRCD_1_SID, txn->sid) | FIELD_PREP(DMA_FRCD_1_FR, f->reason) |
	     (txn->exec ? DMA_FRCD_1_EXE : 0) | (txn->priv ? DMA_FRCD_1_PRIV : 0) |
	     (txn->write ? 0 : DMA_FRCD_1_T1) | DMA_FRCD_1_F |
	     FIELD_PREP(DMA_FRCD_1_AT, translation_request ? DMA_FRCD_AT_TRANSLATION_REQ :
				       txn->ats_translated ? DMA_FRCD_AT_TRANSLATED :
							     DMA_FRCD_AT_UNTRANSLATED);
	if (txn->pasid_present)
		hi |= DMA_FRCD_1_PP | FIELD_PREP(DMA_FRCD_1_PV, txn->pasid & 0xfffff);
	m->frcd[idx][0] = txn->addr & DMA_FRCD_0_FI;
	m->frcd[idx][1] = hi;
	m->stats.faults++;
	m->frcd_next = (idx + 1) % m->cfg.nfr;
	vtd_fault_event_status(m, DMA_FSTS_PPF);
	vtd_update_ppf(m);
	return true;
}

/* ----- Caches as a whole ----- */

void vtd_flush_all(struct vtd_model *m)
{
	m->ctx_cache.clear();
	m->pasid_cache.clear();
	m->iotlb.clear();
	m->iotlb_sizes = 0;
}

/* ----- Commands ----- */

static void vtd_write_gcmd(struct vtd_model *m, u32 val)
{
	u32 follow = DMA_GCMD_TE | (m->cfg.qi ? DMA_GCMD_QIE : 0);
	u32 old = m->gsts;

	/* Persistent commands: the status follows the written bit. */
	m->gsts = (m->gsts & ~follow) | (val & follow);
	if (val & DMA_GCMD_SRTP) {
		m->rtaddr_active = m->rtaddr;
		m->gsts |= DMA_GSTS_RTPS;
		if (m->cfg.esrtps)
			vtd_flush_all(m);
	}
	/* WBF: nothing is buffered, so the flush is done (WBFS 0) at once. */
	if ((m->gsts & DMA_GSTS_QIES) && !(old & DMA_GSTS_QIES)) {
		/* Enabling starts fetching at the base of the queue. */
		m->iqh = 0;
		vtd_qi_consume(m);
	}
}

static void vtd_write_ccmd(struct vtd_model *m)
{
	unsigned int gran = FIELD_GET(DMA_CCMD_CIRG, m->ccmd);

	if (!(m->ccmd & DMA_CCMD_ICC) || (m->gsts & DMA_GSTS_QIES))
		return;
	if (gran)
		vtd_ctx_inv(m, gran, FIELD_GET(DMA_CCMD_DID_MASK, m->ccmd),
			    FIELD_GET(DMA_CCMD_SID_MASK, m->ccmd), FIELD_GET(DMA_CCMD_FM_MASK, m->ccmd));
	m->ccmd = (m->ccmd & ~(DMA_CCMD_ICC | DMA_CCMD_CAIG)) | FIELD_PREP(DMA_CCMD_CAIG, gran);
}

static void vtd_write_iotlb(struct vtd_model *m)
{
	unsigned int gran = FIELD_GET(DMA_TLB_IIRG_MASK, m->iotlb_reg);
	unsigned int am = FIELD_GET(DMA_IVA_AM, m->iva);
	u16 did = FIELD_GET(DMA_TLB_DID_MASK, m->iotlb_reg);

	if (!(m->iotlb_reg & DMA_TLB_IVT) || (m->gsts & DMA_GSTS_QIES))
		return;
	/* A page-selective request the unit cannot honour is done domain-wide. */
	if (gran == QI_IOTLB_GRAN_PAGE && (!m->cfg.psi || am > m->cfg.mamv))
		gran = QI_IOTLB_GRAN_DOMAIN;
	if (gran)
		vtd_iotlb_inv(m, gran, did, m->iva & DMA_IVA_ADDR, am);
	m->iotlb_reg = (m->iotlb_reg & ~(DMA_TLB_IVT | DMA_TLB_IAIG_MASK)) |
		       FIELD_PREP(DMA_TLB_IAIG_MASK, gran);
}

static void vtd_write_fsts(struct vtd_model *m, u32 val)
{
	bool was_stopped = m->fsts & DMA_FSTS_IQE;

	m->fsts &= ~(val & DMA_FSTS_RW1C);
	vtd_update_ppf(m);
	if (was_stopped && !(m->fsts & DMA_FSTS_IQE))
		vtd_qi_consume(m);
}

/* ----- The register map ----- */

/* The 64-bit register containing @offset, or NULL. */
static u64 *vtd_reg64(struct vtd_model *m, u64 offset)
{
	switch (offset & ~7ULL) {
	case DMAR_CAP_REG: return &m->cap;
	case DMAR_ECAP_REG: return &m->ecap;
	case DMAR_RTADDR_REG: return &m->rtaddr;
	case DMAR_CCMD_REG: return &m->ccmd;
	case DMAR_IQH_REG: return &m->iqh;
	case DMAR_IQT_REG: return &m->iqt;
	case DMAR_IQA_REG: return &m->iqa;
	case DMAR_IQER_REG: return &m->iqer;
	case DMAR_IRTA_REG: return &m->irta;
	case DMAR_PQH_REG: return &m->pqh;
	case DMAR_PQT_REG: return &m->pqt;
	case DMAR_PQA_REG: return &m->pqa;
	case VTD_MODEL_IOTLB_REG + DMAR_IVA_OFFSET: return &m->iva;
	case VTD_MODEL_IOTLB_REG + DMAR_IOTLB_OFFSET: return &m->iotlb_reg;
	}
	if (offset >= VTD_MODEL_FRCD_REG &&
	    offset < VTD_MODEL_FRCD_REG + m->cfg.nfr * PRIMARY_FAULT_REG_LEN) {
		unsigned int rel = offset - VTD_MODEL_FRCD_REG;

		return &m->frcd[rel / 16][(rel / 8) & 1];
	}
	return nullptr;
}

static u32 *vtd_reg32(struct vtd_model *m, u64 offset)
{
	switch (offset) {
	case DMAR_VER_REG: return &m->ver;
	case DMAR_GSTS_REG: return &m->gsts;
	case DMAR_FSTS_REG: return &m->fsts;
	case DMAR_FECTL_REG: return &m->fectl;
	case DMAR_FEDATA_REG: return &m->fedata;
	case DMAR_FEADDR_REG: return &m->feaddr;
	case DMAR_FEUADDR_REG: return &m->feuaddr;
	case DMAR_ICS_REG: return &m->ics;
	case DMAR_IECTL_REG: return &m->iectl;
	case DMAR_IEDATA_REG: return &m->iedata;
	case DMAR_IEADDR_REG: return &m->ieaddr;
	case DMAR_IEUADDR_REG: return &m->ieuaddr;
	case DMAR_PRS_REG: return &m->prs;
	case DMAR_PECTL_REG: return &m->pectl;
	case DMAR_PEDATA_REG: return &m->pedata;
	case DMAR_PEADDR_REG: return &m->peaddr;
	case DMAR_PEUADDR_REG: return &m->peuaddr;
	}
	return nullptr;
}

static u32 vtd_read32(struct vtd_model *m, u64 offset)
{
	u64 *r64 = vtd_reg64(m, offset);
	u32 *r32;

	if (r64)
		return (offset & 4) ? *r64 >> 32 : (u32)*r64;
	r32 = vtd_reg32(m, offset);
	return r32 ? *r32 : 0;	/* GCMD reads 0; reserved offsets read 0 */
}

static u64 vtd_merge64(u64 old, u64 offset, u64 val, unsigned int size)
{
	if (size == 8)
		return val;
	if (offset & 4)
		return (old & 0xffffffffULL) | (val << 32);
	return (old & ~0xffffffffULL) | (u32)val;
}

static void vtd_write64(struct vtd_model *m, u64 *reg, u64 offset, u64 val, unsigned int size)
{
	u64 v = vtd_merge64(*reg, offset, val, size);
	u64 base = offset & ~7ULL;

	if (offset >= VTD_MODEL_FRCD_REG) {
		/* Only F, write-1-to-clear, is writable. */
		if (((reg - &m->frcd[0][0]) & 1) &&
		    (vtd_merge64(0, offset, val, size) & DMA_FRCD_1_F)) {
			*reg &= ~DMA_FRCD_1_F;
			vtd_update_ppf(m);
		}
		return;
	}
	switch (base) {
	case DMAR_RTADDR_REG:
		*reg = v & (DMA_RTADDR_RTA | DMA_RTADDR_TTM);
		return;
	case DMAR_CCMD_REG:
		*reg = v & ~(DMA_CCMD_RES0 | DMA_CCMD_CAIG);
		vtd_write_ccmd(m);
		return;
	case DMAR_IQT_REG:
		*reg = v & DMA_IQ_OFFSET;
		vtd_qi_consume(m);
		return;
	case DMAR_IQA_REG:
		if (!(m->gsts & DMA_GSTS_QIES))
			*reg = v & (DMA_IQA_IQA | DMA_IQA_QS | (m->cfg.smts ? DMA_IQA_DW : 0));
		return;
	case DMAR_IRTA_REG:
		*reg = v & (DMA_IRTA_IRTA | DMA_IRTA_EIME | DMA_IRTA_S);
		return;
	case DMAR_PQH_REG:
	case DMAR_PQT_REG:
		if (m->cfg.prs)
			*reg = v & DMA_PQ_OFFSET;
		return;
	case DMAR_PQA_REG:
		if (m->cfg.prs)
			*reg = v & (DMA_PQA_PQA | DMA_PQA_PQS);
		return;
	case VTD_MODEL_IOTLB_REG + DMAR_IVA_OFFSET:
		*reg = v & (DMA_IVA_ADDR | DMA_TLB_IH_NONLEAF | DMA_IVA_AM);
		return;
	case VTD_MODEL_IOTLB_REG + DMAR_IOTLB_OFFSET:
		*reg = v & ~(DMA_TLB_RES0 | DMA_TLB_IAIG_MASK);
		vtd_write_iotlb(m);
		return;
	}
	/* CAP, ECAP, IQH, IQER are read-only. */
}

static void vtd_write32(struct vtd_model *m, u64 offset, u32 val)
{
	switch (offset) {
	case DMAR_GCMD_REG:
		return vtd_write_gcmd(m, val);
	case DMAR_FSTS_REG:
		return vtd_write_fsts(m, val);
	case DMAR_FECTL_REG:
		return vtd_write_event_ctl(m, VTD_IRQ_FAULT, val);
	case DMAR_IECTL_REG:
		return vtd_write_event_ctl(m, VTD_IRQ_INV_COMPLETION, val);
	case DMAR_PECTL_REG:
		if (m->cfg.prs)
			vtd_write_event_ctl(m, VTD_IRQ_PAGE_REQ, val);
		return;
	case DMAR_FEDATA_REG:
		m->fedata = val & DMA_EVENT_DATA_IMD;
		return;
	case DMAR_IEDATA_REG:
		m->iedata = val & DMA_EVENT_DATA_IMD;
		return;
	case DMAR_PEDATA_REG:
		m->pedata = val & DMA_EVENT_DATA_IMD;
		return;
	case DMAR_FEADDR_REG:
		m->feaddr = val & DMA_EVENT_ADDR_MA;
		return;
	case DMAR_IEADDR_REG:
		m->ieaddr = val & DMA_EVENT_ADDR_MA;
		return;
	case DMAR_PEADDR_REG:
		m->peaddr = val & DMA_EVENT_ADDR_MA;
		return;
	case DMAR_FEUADDR_REG:
		m->feuaddr = val;
		return;
	case DMAR_IEUADDR_REG:
		m->ieuaddr = val;
		return;
	case DMAR_PEUADDR_REG:
		m->peuaddr = val;
		return;
	case DMAR_ICS_REG:
		m->ics &= ~(val & DMA_ICS_IWC);
		if (!m->ics)
			m->iectl &= ~DMA_IECTL_IP;
		return;
	case DMAR_PRS_REG:
		m->prs &= ~(val & (DMA_PRS_PPR | DMA_PRS_PRO));
		if (!m->prs)
			m->pectl &= ~DMA_PECTL_IP;
		return;
	}
}

static u64 vtd_mmio_read(void *priv, u64 offset, unsigned int size)
{
	struct vtd_model *m = (struct vtd_model *)priv;
	u64 val;

	vtd_lock(m);
	val = vtd_read32(m, offset & ~3ULL);
	if (size == 8)
		val |= (u64)vtd_read32(m, (offset & ~3ULL) + 4) << 32;
	vtd_unlock(m);
	if (size < 4)
		val = (val >> ((offset & 3) * 8)) & ((1ULL << (size * 8)) - 1);
	return val;
}

static void vtd_mmio_write(void *priv, u64 offset, u64 val, unsigned int size)
{
	struct vtd_model *m = (struct vtd_model *)priv;
	u64 *reg;

	/* The spec defines 32- and 64-bit accesses only. */
	if ((size != 4 && size != 8) || (offset & (size - 1)))
		return;
	vtd_lock(m);
	reg = vtd_reg64(m, offset);
	if (reg) {
		vtd_write64(m, reg, offset, val, size);
	} else {
		vtd_write32(m, offset, (u32)val);
		if (size == 8)
			vtd_write32(m, offset + 4, (u32)(val >> 32));
	}
	vtd_unlock(m);
}

static const struct mmio_ops vtd_mmio_ops = {
	.read = vtd_mmio_read,
	.write = vtd_mmio_write,
};

struct vtd_model *vtd_model_create(const struct vtd_model_cfg *cfg,
				   const struct vtd_model_ops *ops, void *priv)
{
	struct vtd_model *m;
	int rc = vtd_cfg_check(cfg);

	if (rc)
		return (struct vtd_model *)ERR_PTR(rc);
	m = new (std::nothrow) vtd_model();
	if (!m)
		return (struct vtd_model *)ERR_PTR(-ENOMEM);
	m->cfg = *cfg;
	if (ops)
		m->ops = *ops;
	m->priv = priv;
	vtd_build_caps(m);
	/* Event interrupts come out of reset masked. */
	m->fectl = m->iectl = m->pectl = DMA_FECTL_IM;
	m->mmio = ioremap_model(VTD_MODEL_MMIO_SIZE, &vtd_mmio_ops, m);
	if (!m->mmio) {
		delete m;
		return (struct vtd_model *)ERR_PTR(-ENOMEM);
	}
	return m;
}

void vtd_model_destroy(struct vtd_model *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	iounmap(m->mmio);
	delete m;
}

void __iomem *vtd_model_mmio(struct vtd_model *m)
{
	return m->mmio;
}

void vtd_model_get_stats(struct vtd_model *m, struct vtd_model_stats *st)
{
	vtd_lock(m);
	*st = m->stats;
	st->iotlb_entries = m->iotlb.size();
	st->ctx_entries = m->ctx_cache.size();
	st->pasid_entries = m->pasid_cache.size();
	st->devtlb_entries = m->devtlb.size();
	vtd_unlock(m);
}

u32 vtd_model_peek(struct vtd_model *m, unsigned int offset)
{
	u32 val;

	vtd_lock(m);
	val = vtd_read32(m, offset & ~3U);
	vtd_unlock(m);
	return val;
}
