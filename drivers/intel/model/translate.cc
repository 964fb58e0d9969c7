// SPDX-License-Identifier: GPL-2.0
/*
 * DMA translation (VT-d specification chapter 3, 4, 7), the IOTLB, the
 * device-TLB kept for ATS endpoints, and the page request queue.
 *
 * A request finds its context entry (legacy) or its context and PASID
 * entries (scalable: the request's PASID, or RID_PASID without one), then
 * the IOTLB under (DID, PASID, page), then walks with the generic_pt
 * walkers: VT-d second stage, x86-64 first stage, or both (nested, where
 * every first-stage table address and the output go through stage 2).
 * First-stage A/D bits are always maintained; second-stage ones with the
 * PASID entry's SSADE. A write that hits an entry filled by a read walks
 * again so the dirty bit is set, as hardware must.
 *
 * Walker faults become the spec's reasons:
 *  - legacy: not present or lacking the permission -> LGN.2/LGN.3 (write/
 *    read), reserved bit -> LSL.2, fetch error -> LSL.1, input above the
 *    AGAW -> LGN.1;
 *  - scalable, first stage: not present -> SFS.2, reserved -> SFS.3, fetch
 *    error -> SFS.1 (SFS.4 at the root table), non-canonical -> SGN.1;
 *  - scalable, second stage: R and W clear -> SSS.2, reserved -> SSS.3,
 *    fetch error -> SSS.1, input above the AGAW -> SGN.4;
 *  - nested, stage 2 refusing a first-stage table: SFS.7 for the fetch,
 *    SFS.8 for the A/D write-back, SFS.5 beyond the stage-2 width;
 *  - a present leaf without the permission -> SGN.6 (write), SGN.7 (read),
 *    SGN.3 (execute), SGN.2 (user request to a supervisor page).
 * Translation Requests (ATS) answer walk faults in the completion (R = W =
 * 0) without recording them; configuration faults are recorded and get an
 * Unsupported Request.
 */
#include "drivers/intel/model/model_internal.h"

#include "harness/physmem.h"

struct vtd_xlate {
	struct vtd_fault f;
	u64 oa;
	u8 size_lg2;
	u8 perm;
};

static unsigned int vtd_access(const struct vtd_txn *txn)
{
	return (txn->write ? PT_ACCESS_WRITE : PT_ACCESS_READ) |
	       (txn->exec ? PT_ACCESS_EXEC : 0) | (txn->priv ? PT_ACCESS_PRIV : 0);
}

static u8 vtd_need(unsigned int access)
{
	return (access & PT_ACCESS_READ ? PT_PERM_R : 0) | (access & PT_ACCESS_WRITE ? PT_PERM_W : 0) |
	       (access & PT_ACCESS_EXEC ? PT_PERM_X : 0) | (access & PT_ACCESS_PRIV ? 0 : PT_PERM_U);
}

/* The reason a present translation with @perm refuses @access. */
static u8 vtd_perm_reason(bool sm, u8 perm, unsigned int access)
{
	u8 missing = vtd_need(access) & ~perm;

	if (!sm)
		return access & PT_ACCESS_WRITE ? DMAR_FR_WRITE : DMAR_FR_READ;
	if (missing & PT_PERM_U)
		return DMAR_FR_SM_US;
	if (missing & PT_PERM_W)
		return DMAR_FR_SM_WRITE;
	if (missing & PT_PERM_X)
		return DMAR_FR_SM_EXEC;
	return DMAR_FR_SM_READ;
}

/* The reason for a walk that ended in @r. */
static u8 vtd_walk_reason(bool sm, bool ss_only, const struct pt_walk_cfg *top,
			  const struct pt_walk_result *r, unsigned int access)
{
	if (!sm) {
		switch (r->fault) {
		case PT_FAULT_RESERVED: return DMAR_FR_PAGING_ENTRY_RSVD;
		case PT_FAULT_BUS: return DMAR_FR_PAGING_ENTRY_INV;
		case PT_FAULT_ADDR_SIZE: return DMAR_FR_ADDR_BEYOND_MGAW;
		default: return access & PT_ACCESS_WRITE ? DMAR_FR_WRITE : DMAR_FR_READ;
		}
	}
	if (r->s1ptw) {
		switch (r->fault) {
		case PT_FAULT_ADDR_SIZE: return DMAR_FR_SM_FS_NESTED_ADDR;
		case PT_FAULT_RESERVED: return DMAR_FR_SM_SS_RSVD;
		case PT_FAULT_BUS: return DMAR_FR_SM_SS_ACCESS;
		/* Read permission is all a fetch needs; a refused write is the A/D update. */
		case PT_FAULT_PERMISSION: return DMAR_FR_SM_FS_NESTED_WRITE;
		default: return DMAR_FR_SM_FS_NESTED_READ;
		}
	}
	if (ss_only || r->stage == 2) {
		switch (r->fault) {
		case PT_FAULT_RESERVED: return DMAR_FR_SM_SS_RSVD;
		case PT_FAULT_BUS: return DMAR_FR_SM_SS_ACCESS;
		case PT_FAULT_ADDR_SIZE: return DMAR_FR_SM_ADDR_BEYOND_MGAW;
		default: return DMAR_FR_SM_SS_P;
		}
	}
	switch (r->fault) {
	case PT_FAULT_RESERVED: return DMAR_FR_SM_FS_RSVD;
	case PT_FAULT_BUS:
		return r->level == top->top_level ? DMAR_FR_SM_FS_ROOT_ACCESS : DMAR_FR_SM_FS_ACCESS;
	case PT_FAULT_ADDR_SIZE: return DMAR_FR_SM_NON_CANONICAL;
	default: return DMAR_FR_SM_FS_P;
	}
}

/* ----- IOTLB ----- */

struct vtd_tag {
	u16 did;
	u32 pasid;
	u8 kind;
};

static const struct vtd_iotlb_ent *vtd_iotlb_lookup(struct vtd_model *m, const struct vtd_tag *tag,
						    u64 addr, u8 *size_lg2)
{
	for (u64 sizes = m->iotlb_sizes; sizes; sizes &= sizes - 1) {
		unsigned int lg2 = __builtin_ctzll(sizes);
		struct vtd_iotlb_key key = { log2_set_mod(addr, 0, lg2), tag->pasid, tag->did,
					     (u8)lg2, tag->kind };
		auto it = m->iotlb.find(key);

		if (it != m->iotlb.end()) {
			*size_lg2 = lg2;
			return &it->second;
		}
	}
	return nullptr;
}

static void vtd_iotlb_insert(struct vtd_model *m, const struct vtd_tag *tag, u64 addr,
			     const struct vtd_xlate *x, bool dirty)
{
	struct vtd_iotlb_key key = { log2_set_mod(addr, 0, x->size_lg2), tag->pasid, tag->did,
				     x->size_lg2, tag->kind };

	if (m->iotlb.size() >= VTD_IOTLB_MAX) {
		m->iotlb.clear();
		m->iotlb_sizes = 0;
	}
	m->iotlb[key] = { .oa_page = log2_set_mod(x->oa, 0, x->size_lg2),
			  .perm = x->perm,
			  .dirty = dirty };
	m->iotlb_sizes |= BIT_ULL(x->size_lg2);
}

static bool vtd_overlaps(const struct vtd_iotlb_key *k, u64 addr, unsigned int am)
{
	u64 len = VTD_PAGE_SIZE << am;
	u64 start = addr & ~(len - 1);

	return k->page < start + len && start < k->page + (1ULL << k->size_lg2);
}

/*
 * IOTLB invalidation (IOTLB_REG or an IOTLB descriptor): the mappings of a
 * domain whatever their PASID. A page-selective one reaches second-stage
 * mappings in the range; nested mappings are tagged by their first-stage
 * input, so every nested mapping of the domain goes (a second-stage change
 * reaches them only through this DID flush). First-stage-only mappings do
 * not depend on a second stage and stay.
 */
void vtd_iotlb_inv(struct vtd_model *m, unsigned int gran, u16 did, u64 addr, unsigned int am)
{
	for (auto it = m->iotlb.begin(); it != m->iotlb.end();) {
		const struct vtd_iotlb_key *k = &it->first;
		bool hit;

		switch (gran) {
		case QI_IOTLB_GRAN_GLOBAL:
			hit = true;
			break;
		case QI_IOTLB_GRAN_DOMAIN:
			hit = k->did == did;
			break;
		default:
			hit = k->did == did && (k->kind == VTD_MAP_NESTED ||
						(k->kind == VTD_MAP_SS && vtd_overlaps(k, addr, am)));
			break;
		}
		it = hit ? m->iotlb.erase(it) : std::next(it);
	}
}

/*
 * A page-selective PASID-based invalidation of a range small next to the
 * IOTLB: each key that can overlap it is looked up (every size the IOTLB
 * holds, first-stage and nested), not every entry scanned. False if the
 * range is too large for that to be cheaper.
 */
static bool vtd_piotlb_inv_lookup(struct vtd_model *m, u16 did, u32 pasid, u64 addr,
				  unsigned int am)
{
	u64 len = VTD_PAGE_SIZE << am, start = addr & ~(len - 1), end = start + len - 1;
	u64 lookups = 0;

	if (end < start)
		return false;
	for (u64 sizes = m->iotlb_sizes; sizes; sizes &= sizes - 1) {
		unsigned int lg2 = __builtin_ctzll(sizes);

		lookups += 2 * (((end >> lg2) - (start >> lg2)) + 1);
	}
	if (lookups >= m->iotlb.size())
		return false;
	for (u64 sizes = m->iotlb_sizes; sizes; sizes &= sizes - 1) {
		unsigned int lg2 = __builtin_ctzll(sizes);

		for (u64 page = log2_set_mod(start, 0, lg2);; page += 1ULL << lg2) {
			for (u8 kind : { (u8)VTD_MAP_FS, (u8)VTD_MAP_NESTED }) {
				struct vtd_iotlb_key key = { page, pasid, did, (u8)lg2, kind };

				m->iotlb.erase(key);
			}
			if (page >> lg2 == end >> lg2)
				break;
		}
	}
	return true;
}

/* PASID-based IOTLB invalidation: first-stage and nested mappings of (DID, PASID). */
void vtd_piotlb_inv(struct vtd_model *m, unsigned int gran, u16 did, u32 pasid, u64 addr,
		    unsigned int am)
{
	if (gran != QI_GRAN_NONG_PASID && vtd_piotlb_inv_lookup(m, did, pasid, addr, am))
		return;
	for (auto it = m->iotlb.begin(); it != m->iotlb.end();) {
		const struct vtd_iotlb_key *k = &it->first;
		bool hit = k->did == did && k->pasid == pasid && k->kind != VTD_MAP_SS &&
			   (gran == QI_GRAN_NONG_PASID || vtd_overlaps(k, addr, am));

		it = hit ? m->iotlb.erase(it) : std::next(it);
	}
}

/*
 * Device-TLB invalidation of @sid's endpoint. The range is the ATS encoding
 * (size in the trailing ones of ADDR when @size). Without a PASID every
 * PASID's entries in the range go, as a PCIe Invalidate Request without a
 * PASID covers them all; with one, that PASID's, and with @global every
 * PASID's too since the model's device-TLB does not track global entries.
 */
void vtd_devtlb_inv(struct vtd_model *m, u16 sid, u32 pasid, bool global, u64 addr, bool size)
{
	u64 start = addr & VTD_PAGE_MASK, len = VTD_PAGE_SIZE;

	if (size) {
		unsigned int ones = __builtin_ctzll(~(addr >> VTD_PAGE_SHIFT));

		len = ones + VTD_PAGE_SHIFT + 1 >= 64 ? 0 : 1ULL << (ones + VTD_PAGE_SHIFT + 1);
		start = len ? addr & ~(len - 1) : 0;
	}
	for (auto it = m->devtlb.begin(); it != m->devtlb.end();) {
		const struct vtd_devtlb_key *k = &it->first;
		bool hit = k->sid == sid && (!len || (k->page >= start && k->page - start < len)) &&
			   (pasid == VTD_NO_PASID || global || k->pasid == pasid);

		it = hit ? m->devtlb.erase(it) : std::next(it);
	}
}

/* ----- Translation ----- */

/* Walks (without A/D updates) only to learn the permissions of a mapping. */
static u8 vtd_probe_perm(const struct pt_walk_cfg *fs, const struct pt_walk_cfg *ss, u64 addr)
{
	struct pt_walk_cfg a = fs ? *fs : *ss, b = ss ? *ss : a;
	struct pt_walk_result r;

	a.hw = b.hw = 0;
	if (fs && ss ? pt_walk_nested(&a, &b, addr, PT_ACCESS_PRIV, &r) :
		       pt_walk(&a, addr, PT_ACCESS_PRIV, &r))
		return 0;
	return r.perm;
}

static int vtd_walk(struct vtd_model *m, bool sm, const struct pt_walk_cfg *fs,
		    const struct pt_walk_cfg *ss, u64 addr, unsigned int access, struct vtd_xlate *x)
{
	struct pt_walk_result r;
	int ret;

	m->stats.walks++;
	ret = fs && ss ? pt_walk_nested(fs, ss, addr, access, &r) :
			 pt_walk(fs ? fs : ss, addr, access, &r);
	if (ret == PT_FAULT_PERMISSION && !r.s1ptw)
		x->f.reason = vtd_perm_reason(sm, vtd_probe_perm(fs, ss, addr), access);
	else if (ret)
		x->f.reason = vtd_walk_reason(sm, !fs, fs ? fs : ss, &r, access);
	if (ret)
		return x->f.reason;
	x->oa = r.oa;
	x->size_lg2 = r.size_lg2;
	x->perm = r.perm;
	return 0;
}

/* Translates @txn in the IOTLB or by walking; 0, or the fault reason in @x. */
static int vtd_xlate(struct vtd_model *m, const struct vtd_txn *txn, bool trans_req,
		     unsigned int access, struct vtd_xlate *x)
{
	const struct pt_walk_cfg *fs = nullptr, *ss = nullptr;
	const struct vtd_ctx *ctx;
	const struct vtd_iotlb_ent *hit;
	struct vtd_tag tag = {};
	u8 size_lg2;
	int ret;

	*x = {};
	if (!(m->gsts & DMA_GSTS_TES)) {
		/* Translation disabled: requests go to the address they carry. */
		x->oa = txn->addr;
		x->size_lg2 = VTD_PAGE_SHIFT;
		x->perm = PT_PERM_ALL;
		return 0;
	}
	ret = vtd_get_ctx(m, txn->sid, &ctx, &x->f);
	if (ret)
		return ret;

	if (!ctx->sm) {
		if (txn->pasid_present)
			return x->f.reason = DMAR_FR_SM_RTA_LEGACY_PASID;
		if ((trans_req || txn->ats_translated) && ctx->tt != CONTEXT_TT_DEV_IOTLB)
			return x->f.reason = DMAR_FR_CONTEXT_ENTRY_TT;
		if (txn->ats_translated || ctx->tt == CONTEXT_TT_PASS_THROUGH)
			goto untranslated;
		tag = { ctx->did, VTD_NO_PASID, VTD_MAP_SS };
		ss = &ctx->ss;
	} else {
		const struct vtd_pasid_ent *pe;
		u32 pasid = ctx->rid_pasid;

		if ((trans_req || txn->ats_translated) && !ctx->dte)
			return x->f.reason = DMAR_FR_SM_CTX_DTE;
		if (txn->ats_translated)
			goto untranslated;
		if (txn->pasid_present) {
			if (!ctx->paside)
				return x->f.reason = DMAR_FR_SM_CTX_PASIDE;
			pasid = txn->pasid;
		}
		ret = vtd_get_pasid(m, ctx, txn->sid, pasid, &pe, &x->f);
		if (ret)
			return ret;
		if (pe->pgtt == PASID_ENTRY_PGTT_PT)
			goto untranslated;
		if (pe->pgtt != PASID_ENTRY_PGTT_SL_ONLY) {
			if (txn->priv && !pe->sre)
				return x->f.reason = DMAR_FR_SM_PTE_SRE;
			if (txn->exec && !pe->ere)
				return x->f.reason = DMAR_FR_SM_PTE_ERE;
			fs = &pe->fs;
		}
		if (pe->pgtt != PASID_ENTRY_PGTT_FL_ONLY)
			ss = &pe->ss;
		tag = { pe->did, pasid,
			(u8)(fs && ss ? VTD_MAP_NESTED : fs ? VTD_MAP_FS : VTD_MAP_SS) };
	}

	hit = vtd_iotlb_lookup(m, &tag, txn->addr, &size_lg2);
	/* A write through an entry filled by a read walks again to set D. */
	if (hit && (!(access & PT_ACCESS_WRITE) || hit->dirty)) {
		m->stats.iotlb_hits++;
		if (vtd_need(access) & ~hit->perm)
			return x->f.reason = vtd_perm_reason(ctx->sm, hit->perm, access);
		x->oa = hit->oa_page + log2_mod(txn->addr, size_lg2);
		x->size_lg2 = size_lg2;
		x->perm = hit->perm;
		return 0;
	}
	m->stats.iotlb_misses++;
	ret = vtd_walk(m, ctx->sm, fs, ss, txn->addr, access, x);
	if (ret)
		return ret;
	vtd_iotlb_insert(m, &tag, txn->addr, x,
			 (access & PT_ACCESS_WRITE) || !((fs ? fs : ss)->hw & PT_HW_UPDATE_DIRTY));
	return 0;

untranslated:
	x->oa = txn->addr;
	x->size_lg2 = VTD_PAGE_SHIFT;
	x->perm = PT_PERM_ALL;
	return 0;
}

static void vtd_translate_locked(struct vtd_model *m, const struct vtd_txn *txn,
				 struct vtd_txn_result *res)
{
	struct vtd_xlate x;

	*res = {};
	if (vtd_xlate(m, txn, false, vtd_access(txn), &x)) {
		res->status = VTD_TXN_ABORT;
		res->reason = x.f.reason;
		res->recorded = vtd_record_fault(m, txn, &x.f, false);
		return;
	}
	res->status = VTD_TXN_OK;
	res->pa = x.oa;
	res->contig = (1ULL << x.size_lg2) - log2_mod(x.oa, x.size_lg2);
}

void vtd_model_translate(struct vtd_model *m, const struct vtd_txn *txn,
			 struct vtd_txn_result *res)
{
	vtd_lock(m);
	vtd_translate_locked(m, txn, res);
	vtd_unlock(m);
}

static bool vtd_reason_is_walk(u8 reason)
{
	switch (reason) {
	case DMAR_FR_ADDR_BEYOND_MGAW:
	case DMAR_FR_WRITE:
	case DMAR_FR_READ:
	case DMAR_FR_PAGING_ENTRY_INV:
	case DMAR_FR_PAGING_ENTRY_RSVD:
		return true;
	}
	return reason >= DMAR_FR_SM_FS_ACCESS;
}

static void vtd_ats_request_locked(struct vtd_model *m, const struct vtd_txn *txn,
				   struct vtd_ats_resp *resp)
{
	struct vtd_txn t = *txn;
	struct vtd_xlate x;

	*resp = {};
	t.write = false;
	if (!m->cfg.dt || txn->ats_translated) {
		resp->ok = false;
		return;
	}
	if (vtd_xlate(m, &t, true, vtd_access(&t), &x)) {
		if (vtd_reason_is_walk(x.f.reason)) {
			resp->ok = true;	/* R = W = 0: no translation */
			return;
		}
		vtd_record_fault(m, &t, &x.f, true);
		return;
	}
	/* Granting write: set D now, the endpoint will not ask again before writing. */
	if (x.perm & PT_PERM_W) {
		t.write = true;
		if (vtd_xlate(m, &t, true, vtd_access(&t), &x))
			x.perm &= ~PT_PERM_W;
	}
	resp->ok = true;
	resp->r = x.perm & PT_PERM_R;
	resp->w = x.perm & PT_PERM_W;
	resp->size_lg2 = x.size_lg2;
	resp->addr = log2_set_mod(x.oa, 0, x.size_lg2);
}

void vtd_model_ats_request(struct vtd_model *m, const struct vtd_txn *txn,
			   struct vtd_ats_resp *resp)
{
	vtd_lock(m);
	vtd_ats_request_locked(m, txn, resp);
	vtd_unlock(m);
}

void vtd_model_devtlb_translate(struct vtd_model *m, const struct vtd_txn *txn,
				struct vtd_txn_result *res)
{
	struct vtd_devtlb_key key = { log2_set_mod(txn->addr, 0, VTD_PAGE_SHIFT),
				      txn->pasid_present ? txn->pasid : VTD_NO_PASID, txn->sid, 0 };
	struct vtd_txn t = *txn;
	struct vtd_devtlb_ent ent;

	vtd_lock(m);
	auto it = m->devtlb.find(key);
	if (it != m->devtlb.end() && (txn->write ? it->second.w : it->second.r)) {
		m->stats.devtlb_hits++;
		ent = it->second;
	} else {
		struct vtd_ats_resp resp;

		m->stats.devtlb_misses++;
		vtd_ats_request_locked(m, txn, &resp);
		if (!resp.ok || !(txn->write ? resp.w : resp.r)) {
			/* No translation: the endpoint would now ask with a page request. */
			*res = { .status = VTD_TXN_ABORT };
			vtd_unlock(m);
			return;
		}
		ent = { .addr = resp.addr + log2_mod(key.page, resp.size_lg2),
			.r = resp.r,
			.w = resp.w };
		if (m->devtlb.size() >= VTD_IOTLB_MAX)
			m->devtlb.clear();
		m->devtlb[key] = ent;
	}
	t.ats_translated = true;
	t.addr = ent.addr + log2_mod(txn->addr, VTD_PAGE_SHIFT);
	vtd_translate_locked(m, &t, res);
	vtd_unlock(m);
}

/* ----- Page requests (7.5) ----- */

static void vtd_auto_response(struct vtd_model *m, const struct vtd_page_req *req,
			      unsigned int code)
{
	if (!req->last)
		return;
	m->pending_resp.push_back({ .rid = req->sid,
				    .pasid = req->pasid,
				    .pasid_present = req->pasid_present,
				    .prg_index = req->prg_index,
				    .resp_code = code,
				    .automatic = true });
}

static void vtd_prs_status(struct vtd_model *m, u32 bit)
{
	bool was_clear = !m->prs;

	m->prs |= bit;
	if (was_clear)
		vtd_raise_event(m, VTD_IRQ_PAGE_REQ);
}

static enum vtd_prq_status vtd_page_request_locked(struct vtd_model *m,
						   const struct vtd_page_req *req)
{
	struct vtd_txn txn = { .sid = req->sid, .pasid = req->pasid,
			       .pasid_present = req->pasid_present, .addr = req->addr,
			       .write = req->write, .exec = req->exec, .priv = req->priv };
	struct vtd_fault f = {};
	const struct vtd_ctx *ctx;
	u64 size = VTD_PAGE_SIZE << FIELD_GET(DMA_PQA_PQS, m->pqa);
	struct page_req_dsc d = {};

	m->stats.page_reqs++;
	if (!m->cfg.prs || !(m->gsts & DMA_GSTS_TES))
		goto invalid;
	if (!vtd_scalable(m))
		f.reason = DMAR_FR_SM_RTA_LEGACY_PRQ;
	else if (!vtd_get_ctx(m, req->sid, &ctx, &f)) {
		if (!ctx->pre)
			f.reason = DMAR_FR_SM_CTX_PRE;
		else if (req->pasid_present && !ctx->paside)
			f.reason = DMAR_FR_SM_CTX_PASIDE;
	}
	if (f.reason) {
		vtd_record_fault(m, &txn, &f, true);
		goto invalid;
	}
	if ((m->prs & DMA_PRS_PRO) || (m->pqt + sizeof(d)) % size == m->pqh) {
		/* Full: the request is lost, the group answered so the function retries. */
		m->stats.page_reqs_lost++;
		vtd_prs_status(m, DMA_PRS_PRO);
		vtd_auto_response(m, req, QI_RESP_SUCCESS);
		return VTD_PRQ_DISCARDED;
	}
	d.qw_0 = FIELD_PREP(PRQ_0_TYPE, PRQ_TYPE_PAGE_REQ) | FIELD_PREP(PRQ_0_RID, req->sid) |
		 (req->pasid_present ? PRQ_0_PASID_PRESENT | FIELD_PREP(PRQ_0_PASID, req->pasid) : 0) |
		 (req->exec ? PRQ_0_EXE_REQ : 0) | (req->priv ? PRQ_0_PM_REQ : 0) |
		 (req->private_data ? PRQ_0_PDP : 0);
	d.qw_1 = (req->read ? PRQ_1_RD_REQ : 0) | (req->write ? PRQ_1_WR_REQ : 0) |
		 (req->last ? PRQ_1_LPIG : 0) | FIELD_PREP(PRQ_1_PRG_INDEX, req->prg_index & 0x1ff) |
		 (req->addr & PRQ_1_ADDR);
	if (req->private_data) {
		d.qw_2 = req->private_data_words[0];
		d.qw_3 = req->private_data_words[1];
	}
	if (phys_write((m->pqa & DMA_PQA_PQA) + m->pqt, &d, sizeof(d))) {
		m->stats.page_reqs_lost++;
		goto invalid;
	}
	m->pqt = (m->pqt + sizeof(d)) % size;
	vtd_prs_status(m, DMA_PRS_PPR);
	return VTD_PRQ_QUEUED;

invalid:
	vtd_auto_response(m, req, QI_RESP_INVALID);
	return VTD_PRQ_DISCARDED;
}

enum vtd_prq_status vtd_model_page_request(struct vtd_model *m, const struct vtd_page_req *req)
{
	enum vtd_prq_status st;

	vtd_lock(m);
	st = vtd_page_request_locked(m, req);
	vtd_unlock(m);
	return st;
}
