// SPDX-License-Identifier: GPL-2.0
/*
 * Translation of a device's transaction (IHI 0070, 3.3 - 3.9, 3.17), the
 * TLB and the endpoint ATC, event recording (chapter 7), ATS Translation
 * Requests and PRI page requests (chapter 8).
 *
 * The order of checks is the spec's: SMMUEN (else GBPA), StreamID and STE,
 * STE.Config, SubstreamID against S1CDMax/S1DSS, CD, then the walks, so
 * each malformed structure gets its own event and an abort.
 *
 * The TLB caches leaf translations only: stage 1 (and stage 1 over stage
 * 2, as one combined entry) tagged by regime, VMID and ASID, stage 2 alone
 * tagged by VMID and IPA. A hit is used without reading memory, so a
 * driver that changes a page table and forgets the TLBI keeps getting the
 * old translation. A hit whose permissions do not allow the access walks
 * again (the architecture lets a TLB refill at any time; this is how the
 * hardware-updated dirty state of a writable-clean page gets set). A
 * fault is never cached. Global (nG=0) stage-1 entries are tagged by
 * ASID like the rest.
 *
 * Faults follow the CD and STE: a stage-1 fault is recorded when CD.R is
 * set and terminates with an abort when CD.A is set, else reads as zero
 * and ignores writes; a stage-2 fault is recorded when STE.S2R is set and
 * aborts. Configuration errors and walk external aborts are always
 * recorded. With cfg.stall (IDR0.STALL_MODEL "stall and terminate") a
 * stage-1 F_TRANSLATION, F_ADDR_SIZE, F_ACCESS or F_PERMISSION under a CD
 * with S=1 stalls instead: its event is recorded (whatever CD.R says) with
 * Stall and a STAG, and smmuv3_model_translate() waits, the model unlocked,
 * until CMD_RESUME retries it (the whole translation again), terminates it
 * as though it had not stalled, or aborts it (CMD_STALL_TERM and an SMMU
 * disable abort too). Stage-2 faults (STE.S2S) and ATS requests never
 * stall; a stall the event queue cannot record, or one past
 * SMMUV3_STALL_MAX, terminates at once.
 */
#include "drivers/arm-smmu-v3/model/model_internal.h"

#include "harness/bug.h"

/* What a successful translation gives. */
struct smmuv3_xlate {
	u64 oa;			/* output of the requested address */
	u8 perm;		/* PT_PERM_* of the page */
	u8 size_lg2;
};

/* Everything a fault needs for its event record. */
struct smmuv3_fault {
	u8 event;
	bool record;
	bool abort;		/* else RAZ/WI */
	bool s2;
	u8 cls;
	u64 ipa;
	u64 fetch_addr;
	bool stall;
	u16 stag;
};

/* ----- Events ----- */

bool smmuv3_record_event(struct smmuv3_model *m, const struct arm_smmu_evtq_ent_raw *evt)
{
	struct smmuv3_queue *q = &m->evtq;
	u64 addr;

	if (!(m->cr0 & CR0_EVTQEN)) {
		m->stats.events_lost++;
		return false;
	}
	if (q_full(q->prod, q->cons, q->log2size)) {
		/* An overflow shows while PROD.OVFLG differs from CONS.OVACKFLG. */
		if (!((q->prod ^ q->cons) & Q_OVERFLOW_FLAG))
			q->prod ^= Q_OVERFLOW_FLAG;
		m->stats.events_lost++;
		return false;
	}
	addr = (q->base & Q_BASE_ADDR_MASK) +
	       (u64)q_idx(q->prod, q->log2size) * sizeof(*evt);
	if (phys_write(addr, evt, sizeof(*evt))) {
		m->stats.events_lost++;
		smmuv3_gerror_raise(m, GERROR_EVTQ_ABT_ERR);
		return false;
	}
	q->prod = q_inc(q->prod, q->log2size);
	m->stats.events++;
	if (m->irq_ctrl & IRQ_CTRL_EVTQ_IRQEN)
		smmuv3_raise_irq(m, SMMUV3_IRQ_EVTQ, q->irq_cfg0, q->irq_cfg1);
	return true;
}

static bool smmuv3_event(struct smmuv3_model *m, const struct smmuv3_txn *txn,
			 const struct smmuv3_fault *f)
{
	struct arm_smmu_evtq_ent_raw evt = {};

	evt.data[0] = FIELD_PREP(EVTQ_0_ID, f->event) | FIELD_PREP(EVTQ_0_SID, txn->sid);
	if (txn->ssv)
		evt.data[0] |= EVTQ_0_SSV | FIELD_PREP(EVTQ_0_SSID, txn->ssid);
	switch (f->event) {
	case EVT_ID_TRANSLATION_FAULT:
	case EVT_ID_ADDR_SIZE_FAULT:
	case EVT_ID_ACCESS_FAULT:
	case EVT_ID_PERMISSION_FAULT:
	case EVT_ID_WALK_EABT:
	case EVT_ID_TRANSL_FORBIDDEN:
	case EVT_ID_BAD_ATS_TREQ:
		evt.data[1] = (txn->priv ? 0 : EVTQ_1_PnU) | (txn->exec ? EVTQ_1_InD : 0) |
			      (txn->write ? 0 : EVTQ_1_RnW) | (f->s2 ? EVTQ_1_S2 : 0) |
			      FIELD_PREP(EVTQ_1_CLASS, f->cls);
		if (f->stall)
			evt.data[1] |= EVTQ_1_STALL | FIELD_PREP(EVTQ_1_STAG, f->stag);
		evt.data[2] = txn->addr;
		if (f->event == EVT_ID_WALK_EABT)
			evt.data[3] = f->fetch_addr & EVTQ_3_FETCH_ADDR;
		else if (f->s2)
			evt.data[3] = f->ipa & EVTQ_3_IPA;
		break;
	case EVT_ID_STE_FETCH_FAULT:
	case EVT_ID_CD_FETCH_FAULT:
		evt.data[3] = f->fetch_addr & EVTQ_3_FETCH_ADDR;
		break;
	}
	return smmuv3_record_event(m, &evt);
}

/* Ends @txn on @f: its event if recorded, and how it terminates. */
static void smmuv3_fault(struct smmuv3_model *m, const struct smmuv3_txn *txn,
			 const struct smmuv3_fault *f, bool quiet, struct smmuv3_txn_result *res)
{
	res->status = f->abort ? SMMUV3_TXN_ABORT : SMMUV3_TXN_RAZWI;
	res->event = f->event;
	res->pa = 0;
	res->contig = 0;
	if (f->record && !quiet)
		smmuv3_event(m, txn, f);
}

static void smmuv3_cfg_error(struct smmuv3_model *m, const struct smmuv3_txn *txn,
			     const struct smmuv3_fault_info *fi, bool quiet,
			     struct smmuv3_txn_result *res)
{
	struct smmuv3_fault f = {
		.event = fi->event, .record = fi->record, .abort = true, .s2 = fi->s2,
		.cls = fi->cls, .ipa = fi->ipa, .fetch_addr = fi->fetch_addr,
	};

	smmuv3_fault(m, txn, &f, quiet, res);
}

/* A configuration error that is not a fetch (C_BAD_SUBSTREAMID, F_STREAM_DISABLED...). */
static void smmuv3_cfg_event(struct smmuv3_model *m, const struct smmuv3_txn *txn, u8 event,
			     bool quiet, struct smmuv3_txn_result *res)
{
	struct smmuv3_fault f = { .event = event, .record = true, .abort = true };

	smmuv3_fault(m, txn, &f, quiet, res);
}

/* ----- TLB ----- */

static bool smmuv3_tlb_lookup(struct smmuv3_model *m, struct smmuv3_tlb_key key, u64 va,
			      u8 need, struct smmuv3_xlate *x)
{
	for (u64 sizes = m->tlb_sizes; sizes; sizes &= sizes - 1) {
		unsigned int s = __builtin_ctzll(sizes);

		key.size_lg2 = s;
		key.page = log2_set_mod(va, 0, s);
		auto it = m->tlb.find(key);
		if (it == m->tlb.end())
			continue;
		if (need & ~it->second.perm)
			return false;
		x->oa = it->second.oa_page + log2_mod(va, s);
		x->perm = it->second.perm;
		x->size_lg2 = s;
		return true;
	}
	return false;
}

static void smmuv3_tlb_insert(struct smmuv3_model *m, struct smmuv3_tlb_key key, u64 va,
			      const struct smmuv3_xlate *x)
{
	if (m->tlb.size() >= SMMUV3_TLB_MAX) {
		m->tlb.clear();
		m->tlb_sizes = 0;
	}
	key.size_lg2 = x->size_lg2;
	key.page = log2_set_mod(va, 0, x->size_lg2);
	m->tlb[key] = { .oa_page = log2_set_mod(x->oa, 0, x->size_lg2), .perm = x->perm };
	m->tlb_sizes |= BIT_ULL(x->size_lg2);
}

void smmuv3_tlb_flush(struct smmuv3_model *m,
		      bool (*match)(const struct smmuv3_tlb_key *, const void *), const void *arg)
{
	std::erase_if(m->tlb, [&](const auto &e) { return match(&e.first, arg); });
	if (m->tlb.empty())
		m->tlb_sizes = 0;
}

/* ----- Translation ----- */

static u8 smmuv3_need(unsigned int access)
{
	return (access & PT_ACCESS_READ ? PT_PERM_R : 0) | (access & PT_ACCESS_WRITE ? PT_PERM_W : 0) |
	       (access & PT_ACCESS_EXEC ? PT_PERM_X : 0) | (access & PT_ACCESS_PRIV ? 0 : PT_PERM_U);
}

/* The walker fault @r as a fault of this transaction. */
static void smmuv3_walk_fault(const struct smmuv3_ste *ste, const struct smmuv3_cd *cd,
			      const struct pt_walk_result *r, struct smmuv3_fault *f)
{
	*f = {};
	f->event = smmuv3_walk_event(r->fault);
	f->s2 = r->stage == 2;
	f->cls = f->s2 && r->s1ptw ? EVTQ_1_CLASS_TT :
		 f->event == EVT_ID_WALK_EABT ? EVTQ_1_CLASS_TT : EVTQ_1_CLASS_IN;
	f->ipa = r->ipa;
	if (f->event == EVT_ID_WALK_EABT)
		f->record = true;
	else
		f->record = f->s2 ? ste->s2r : cd->record;
	f->abort = f->s2 || !cd || cd->abort_on_fault;
}

/*
 * Stage 1 (over stage 2 when nested) of @addr through @cd: the TTB the
 * address selects, its range check, then the TLB or a walk.
 */
static int smmuv3_s1(struct smmuv3_model *m, const struct smmuv3_ste *ste,
		     const struct smmuv3_cd *cd, u64 addr, unsigned int access,
		     struct smmuv3_xlate *x, struct smmuv3_fault *f)
{
	bool upper = addr & BIT_ULL(55);
	bool tbi = upper ? cd->tbi1 : cd->tbi0;
	const struct pt_walk_cfg *cfg = upper ? &cd->ttb1 : &cd->ttb0;
	bool nested = ste->config == STRTAB_STE_0_CFG_NESTED;
	struct smmuv3_tlb_key key = {};
	struct pt_walk_result r;
	u64 va = addr;

	*f = { .event = EVT_ID_TRANSLATION_FAULT, .record = cd->record,
	       .abort = cd->abort_on_fault, .cls = EVTQ_1_CLASS_IN };
	if (upper ? cd->epd1 : cd->epd0)
		return -EFAULT;
	if (tbi)
		va = upper ? va | GENMASK_ULL(63, 56) : va & ~GENMASK_ULL(63, 56);
	if (upper) {
		/* Every bit above the TTB1 range is one. */
		if (~va & GENMASK_ULL(63, cfg->vasz_lg2))
			return -EFAULT;
		va &= GENMASK_ULL(cfg->vasz_lg2 - 1, 0);
	}

	key.regime = ste->strw == STRTAB_STE_1_STRW_EL2 ? SMMUV3_REGIME_EL2 : SMMUV3_REGIME_NS_EL1;
	key.vmid = key.regime == SMMUV3_REGIME_EL2 ? 0 : ste->vmid;
	key.asid = cd->asid;
	key.nested = nested;
	/* TTB1 addresses keep their upper bits in the key, so the two ranges never meet. */
	if (smmuv3_tlb_lookup(m, key, upper ? addr | GENMASK_ULL(63, 56) : va,
			      smmuv3_need(access), x)) {
		m->stats.tlb_hits++;
		return 0;
	}
	m->stats.tlb_misses++;
	m->stats.walks++;
	if (nested ? pt_walk_nested(cfg, &ste->s2, va, access, &r) : pt_walk(cfg, va, access, &r)) {
		smmuv3_walk_fault(ste, cd, &r, f);
		return -EFAULT;
	}
	x->oa = r.oa;
	x->perm = r.perm;
	x->size_lg2 = r.size_lg2;
	smmuv3_tlb_insert(m, key, upper ? addr | GENMASK_ULL(63, 56) : va, x);
	return 0;
}

/* Stage 2 alone (an S2 STE, or nested with stage 1 bypassed by S1DSS). */
static int smmuv3_s2(struct smmuv3_model *m, const struct smmuv3_ste *ste, u64 ipa,
		     unsigned int access, struct smmuv3_xlate *x, struct smmuv3_fault *f)
{
	struct smmuv3_tlb_key key = { .vmid = ste->vmid, .regime = SMMUV3_REGIME_S2 };
	struct pt_walk_result r;

	/* Stage 2 does not know privilege. */
	access |= PT_ACCESS_PRIV;
	if (smmuv3_tlb_lookup(m, key, ipa, smmuv3_need(access), x)) {
		m->stats.tlb_hits++;
		return 0;
	}
	m->stats.tlb_misses++;
	m->stats.walks++;
	if (pt_walk(&ste->s2, ipa, access, &r)) {
		r.stage = 2;
		r.ipa = ipa;
		smmuv3_walk_fault(ste, nullptr, &r, f);
		return -EFAULT;
	}
	x->oa = r.oa;
	x->perm = r.perm;
	x->size_lg2 = r.size_lg2;
	smmuv3_tlb_insert(m, key, ipa, x);
	return 0;
}

static void smmuv3_ok(struct smmuv3_txn_result *res, u64 pa, unsigned int size_lg2)
{
	res->status = SMMUV3_TXN_OK;
	res->pa = pa;
	res->contig = log2_to_int(size_lg2) - log2_mod(pa, size_lg2);
	res->event = 0;
}

/*
 * The whole translation under the lock. @quiet: an ATS Translation
 * Request, whose translation faults are answered, not recorded. @x, when
 * not NULL, receives the permissions and size of the translation.
 */
/*
 * Stalls @txn on the stage-1 fault @f when that fault can stall: its event
 * with Stall and a STAG, and a place in m->stalls (*@out). False when it
 * terminates instead.
 */
static bool smmuv3_stall_txn(struct smmuv3_model *m, const struct smmuv3_txn *txn,
			     struct smmuv3_fault *f, struct smmuv3_model::stall **out)
{
	switch (f->event) {
	case EVT_ID_TRANSLATION_FAULT:
	case EVT_ID_ADDR_SIZE_FAULT:
	case EVT_ID_ACCESS_FAULT:
	case EVT_ID_PERMISSION_FAULT:
		break;
	default:
		return false;
	}
	if (f->s2 || m->stalls.size() >= SMMUV3_STALL_MAX)
		return false;
	f->stall = true;
	f->stag = m->next_stag++;
	/* Software that never sees the event could never resume it */
	if (!smmuv3_event(m, txn, f)) {
		f->stall = false;
		return false;
	}
	m->stalls.push_back({ .sid = txn->sid, .stag = f->stag, .done = false, .resp = 0 });
	*out = &m->stalls.back();
	return true;
}

void smmuv3_stall_end(struct smmuv3_model *m, u32 sid, bool all, u16 stag, bool any_stag,
		      u8 resp)
{
	bool woke = false;

	for (auto &st : m->stalls) {
		if (st.done || (!all && (st.sid != sid || (!any_stag && st.stag != stag))))
			continue;
		st.done = true;
		st.resp = resp;
		woke = true;
	}
	if (woke)
		m->stall_cv.notify_all();
}

/*
 * @stalled: where a transaction that stalls is put (smmuv3_model_translate()
 * waits for it), or NULL where nothing may stall. A stalled transaction's
 * @res is what terminating it gives.
 */
static void smmuv3_translate_locked(struct smmuv3_model *m, const struct smmuv3_txn *txn,
				    bool quiet, struct smmuv3_txn_result *res,
				    struct smmuv3_xlate *xout,
				    struct smmuv3_model::stall **stalled = nullptr)
{
	const struct smmuv3_ste *ste;
	const struct smmuv3_cd *cd;
	struct smmuv3_fault_info fi = {};
	struct smmuv3_fault f;
	struct smmuv3_xlate x = { .oa = txn->addr, .perm = PT_PERM_ALL, .size_lg2 = 12 };
	unsigned int access;
	bool priv = txn->priv, exec = txn->exec;
	u32 cd_ssid = 0;
	int rc;

	*res = {};
	if (!(m->cr0 & CR0_SMMUEN)) {
		if (m->gbpa & GBPA_ABORT) {
			res->status = SMMUV3_TXN_ABORT;
			return;
		}
		goto done;
	}
	if (smmuv3_get_ste(m, txn->sid, &ste, &fi))
		return smmuv3_cfg_error(m, txn, &fi, false, res);
	if (ste->config == STRTAB_STE_0_CFG_ABORT) {
		res->status = SMMUV3_TXN_ABORT;
		return;
	}
	if (txn->ats_translated) {
		/* Translated requests bypass translation only where the STE allows ATS. */
		if (!ste->eats)
			return smmuv3_cfg_event(m, txn, EVT_ID_TRANSL_FORBIDDEN, quiet, res);
		goto done;
	}
	/* STE overrides of the incoming attributes (PRIVCFG, INSTCFG 0b1x). */
	if (FIELD_GET(STRTAB_STE_1_PRIVCFG, ste->raw[1]) >= 2)
		priv = FIELD_GET(STRTAB_STE_1_PRIVCFG, ste->raw[1]) == 3;
	if (FIELD_GET(STRTAB_STE_1_INSTCFG, ste->raw[1]) >= 2)
		exec = FIELD_GET(STRTAB_STE_1_INSTCFG, ste->raw[1]) == 3;
	access = (txn->write ? PT_ACCESS_WRITE : PT_ACCESS_READ) | (exec ? PT_ACCESS_EXEC : 0) |
		 (priv ? PT_ACCESS_PRIV : 0);

	if (!(ste->config & 1)) {
		/* Bypass or stage 2 only: a SubstreamID has no CD to select. */
		if (txn->ssv)
			return smmuv3_cfg_event(m, txn, EVT_ID_BAD_SUBSTREAMID_CONFIG, quiet, res);
		if (ste->config == STRTAB_STE_0_CFG_BYPASS)
			goto done;
		if (smmuv3_s2(m, ste, txn->addr, access, &x, &f))
			return smmuv3_fault(m, txn, &f, quiet, res);
		goto done;
	}

	if (txn->ssv) {
		if (!ste->s1cdmax || txn->ssid >> ste->s1cdmax || txn->ssid >> m->cfg.ssidsize ||
		    (ste->s1dss == STRTAB_STE_1_S1DSS_SSID0 && !txn->ssid))
			return smmuv3_cfg_event(m, txn, EVT_ID_BAD_SUBSTREAMID_CONFIG, quiet, res);
		cd_ssid = txn->ssid;
	} else if (ste->s1cdmax) {
		switch (ste->s1dss) {
		case STRTAB_STE_1_S1DSS_TERMINATE:
			return smmuv3_cfg_event(m, txn, EVT_ID_STREAM_DISABLED_FAULT, quiet, res);
		case STRTAB_STE_1_S1DSS_BYPASS:
			if (ste->config != STRTAB_STE_0_CFG_NESTED)
				goto done;
			if (smmuv3_s2(m, ste, txn->addr, access, &x, &f))
				return smmuv3_fault(m, txn, &f, quiet, res);
			goto done;
		}
	}
	rc = smmuv3_get_cd(m, ste, txn->sid, cd_ssid, &cd, &fi);
	if (rc) {
		if (!fi.record) {
			res->status = SMMUV3_TXN_ABORT;
			res->event = fi.event;
			return;
		}
		return smmuv3_cfg_error(m, txn, &fi, quiet, res);
	}
	if (smmuv3_s1(m, ste, cd, txn->addr, access, &x, &f)) {
		if (stalled && cd->stall && smmuv3_stall_txn(m, txn, &f, stalled))
			return smmuv3_fault(m, txn, &f, true, res);
		return smmuv3_fault(m, txn, &f, quiet, res);
	}
done:
	smmuv3_ok(res, x.oa, x.size_lg2);
	if (xout)
		*xout = x;
}

void smmuv3_model_translate(struct smmuv3_model *m, const struct smmuv3_txn *txn,
			    struct smmuv3_txn_result *res)
{
	smmuv3_lock(m);
	for (;;) {
		struct smmuv3_model::stall *st = nullptr;
		u8 resp;

		smmuv3_translate_locked(m, txn, false, res, nullptr, &st);
		if (!st)
			break;
		/* The event's interrupt goes out first, then the transaction waits */
		smmuv3_unlock(m);
		smmuv3_lock(m);
		{
			std::unique_lock<std::mutex> l(m->lock, std::adopt_lock);

			m->stall_cv.wait(l, [st] { return st->done; });
			l.release();
		}
		resp = st->resp;
		m->stalls.remove_if([st](const auto &s) { return &s == st; });
		if (resp == CMDQ_RESUME_0_RESP_RETRY)
			continue;
		if (resp == CMDQ_RESUME_0_RESP_ABORT)
			res->status = SMMUV3_TXN_ABORT;
		break;
	}
	smmuv3_unlock(m);
}

/* ----- ATS and the endpoint's ATC ----- */

static void smmuv3_ats_request_locked(struct smmuv3_model *m, const struct smmuv3_txn *txn,
				      struct smmuv3_ats_resp *resp)
{
	const struct smmuv3_ste *ste;
	struct smmuv3_fault_info fi = {};
	struct smmuv3_txn_result res;
	struct smmuv3_xlate x;
	struct smmuv3_txn t = *txn;

	*resp = {};
	/* ATS is answered only by an enabled SMMU, for streams whose STE allows it. */
	if (!(m->cr0 & CR0_SMMUEN) || !m->cfg.ats)
		return;
	if (smmuv3_get_ste(m, txn->sid, &ste, &fi)) {
		smmuv3_cfg_error(m, txn, &fi, false, &res);
		return;
	}
	if (ste->config == STRTAB_STE_0_CFG_ABORT)
		return;
	if (!ste->eats) {
		smmuv3_cfg_event(m, txn, EVT_ID_BAD_ATS_TREQ, false, &res);
		return;
	}
	t.ats_translated = false;
	smmuv3_translate_locked(m, &t, true, &res, &x);
	if (res.status == SMMUV3_TXN_OK) {
		resp->ok = true;
		resp->r = x.perm & PT_PERM_R;
		resp->w = x.perm & PT_PERM_W;
		resp->addr = log2_set_mod(res.pa, 0, 12);
		resp->size_lg2 = x.size_lg2;
		return;
	}
	/* A write the page does not allow may still be readable. */
	if (t.write) {
		t.write = false;
		smmuv3_translate_locked(m, &t, true, &res, &x);
		if (res.status == SMMUV3_TXN_OK) {
			resp->ok = true;
			resp->r = x.perm & PT_PERM_R;
			resp->addr = log2_set_mod(res.pa, 0, 12);
			resp->size_lg2 = x.size_lg2;
			return;
		}
	}
	/* Translation faults are answered "no access"; configuration errors are UR. */
	resp->ok = res.event >= EVT_ID_TRANSLATION_FAULT || res.status == SMMUV3_TXN_RAZWI;
}

void smmuv3_model_ats_request(struct smmuv3_model *m, const struct smmuv3_txn *txn,
			      struct smmuv3_ats_resp *resp)
{
	smmuv3_lock(m);
	smmuv3_ats_request_locked(m, txn, resp);
	smmuv3_unlock(m);
}

void smmuv3_model_atc_translate(struct smmuv3_model *m, const struct smmuv3_txn *txn,
				struct smmuv3_txn_result *res)
{
	struct smmuv3_atc_key key = {};
	struct smmuv3_txn t = *txn;
	struct smmuv3_atc_ent ent;

	key.page = log2_set_mod(txn->addr, 0, 12);
	key.sid = txn->sid;
	key.ssid = txn->ssv ? txn->ssid : 0;
	key.ssv = txn->ssv;

	smmuv3_lock(m);
	const struct smmuv3_atc_ent *hit = smmuv3_cache_lookup(m->atc, key, &m->stats.atc_hits,
							       &m->stats.atc_misses);
	if (hit && (txn->write ? hit->w : hit->r)) {
		ent = *hit;
	} else {
		struct smmuv3_ats_resp resp;

		/* Present but without the permission: the endpoint asks again. */
		if (hit) {
			m->stats.atc_hits--;
			m->stats.atc_misses++;
		}
		smmuv3_ats_request_locked(m, txn, &resp);
		if (!resp.ok || !(txn->write ? resp.w : resp.r)) {
			/* No translation: the endpoint would now ask with PRI. */
			*res = { .status = SMMUV3_TXN_ABORT };
			smmuv3_unlock(m);
			return;
		}
		ent = { .addr = resp.addr, .r = resp.r, .w = resp.w };
		smmuv3_cache_insert(m->atc, key, ent, SMMUV3_TLB_MAX);
	}
	t.ats_translated = true;
	t.addr = ent.addr + log2_mod(txn->addr, 12);
	smmuv3_translate_locked(m, &t, false, res, nullptr);
	smmuv3_unlock(m);
}

/*
 * ATC_INV: 2^size 4 KiB pages aligned at @addr of @sid's endpoint. Without
 * SSV every PASID's entries in the range go (a PCIe Invalidate Request
 * without a PASID covers them all); with SSV, that PASID's. The model's
 * ATC keeps no global (PASID-independent) entries, so @global has nothing
 * more to drop.
 */
void smmuv3_atc_inv(struct smmuv3_model *m, u32 sid, u32 ssid, bool ssv, bool global, u64 addr,
		    unsigned int size)
{
	unsigned int lg2 = size >= ATC_INV_SIZE_ALL ? 64 : size + 12;
	u64 start = log2_set_mod(addr, 0, lg2);

	std::erase_if(m->atc, [&](const auto &e) {
		const struct smmuv3_atc_key &k = e.first;

		if (k.sid != sid || (ssv && (!k.ssv || k.ssid != ssid)))
			return false;
		return lg2 >= 64 || log2_set_mod(k.page, 0, lg2) == start;
	});
}

/* ----- PRI ----- */

static void smmuv3_pri_auto_response(struct smmuv3_model *m, const struct smmuv3_page_req *req,
				     enum pri_resp resp)
{
	if (req->last)
		m->pending_pri.push_back({ req->sid, req->ssv ? req->ssid : 0, req->ssv,
					   req->grpid, resp, true });
}

enum smmuv3_pri_status smmuv3_model_page_request(struct smmuv3_model *m,
						 const struct smmuv3_page_req *req)
{
	struct smmuv3_queue *q = &m->priq;
	struct arm_smmu_priq_ent_raw ent = {};
	enum smmuv3_pri_status st = SMMUV3_PRI_DISCARDED;
	u64 addr;

	smmuv3_lock(m);
	if (!m->cfg.pri || !(m->cr0 & CR0_PRIQEN) || !(m->cr0 & CR0_SMMUEN)) {
		/* Nobody to hand it to: the group is refused at once. */
		smmuv3_pri_auto_response(m, req, PRI_RESP_DENY);
		goto out;
	}
	if (q_full(q->prod, q->cons, q->log2size)) {
		if (!((q->prod ^ q->cons) & Q_OVERFLOW_FLAG))
			q->prod ^= Q_OVERFLOW_FLAG;
		/* The SMMU answers a discarded last request itself, so the function retries. */
		smmuv3_pri_auto_response(m, req, PRI_RESP_SUCC);
		goto out;
	}
	ent.data[0] = FIELD_PREP(PRIQ_0_SID, req->sid) |
		      (req->ssv ? PRIQ_0_SSID_V | FIELD_PREP(PRIQ_0_SSID, req->ssid) : 0) |
		      (req->priv ? PRIQ_0_PERM_PRIV : 0) | (req->exec ? PRIQ_0_PERM_EXEC : 0) |
		      (req->read ? PRIQ_0_PERM_READ : 0) | (req->write ? PRIQ_0_PERM_WRITE : 0) |
		      (req->last ? PRIQ_0_PRG_LAST : 0);
	ent.data[1] = FIELD_PREP(PRIQ_1_PRG_IDX, req->grpid) | (req->addr & PRIQ_1_ADDR_MASK);
	addr = (q->base & Q_BASE_ADDR_MASK) + (u64)q_idx(q->prod, q->log2size) * sizeof(ent);
	if (phys_write(addr, &ent, sizeof(ent))) {
		smmuv3_gerror_raise(m, GERROR_PRIQ_ABT_ERR);
		smmuv3_pri_auto_response(m, req, PRI_RESP_FAIL);
		goto out;
	}
	q->prod = q_inc(q->prod, q->log2size);
	st = SMMUV3_PRI_QUEUED;
	if (m->irq_ctrl & IRQ_CTRL_PRIQ_IRQEN)
		smmuv3_raise_irq(m, SMMUV3_IRQ_PRIQ, q->irq_cfg0, q->irq_cfg1);
out:
	smmuv3_unlock(m);
	return st;
}
