// SPDX-License-Identifier: GPL-2.0
/*
 * Root, context and PASID table fetch and decode (VT-d specification 3.4 -
 * 3.6, 9.1 - 9.6) with the context and PASID caches.
 *
 * Each entry is checked as the spec's fault tables list the conditions: a
 * fetch that finds no memory (the *_ACCESS / *_TABLE_INV reasons), a clear
 * present bit, a reserved bit or a pointer beyond the host address width
 * (*_RSVD), and a field value the unit does not support (*_INV). Fault
 * processing disable (FPD) in a context, PASID directory or PASID entry
 * suppresses recording of the faults found at or below that entry; FPD of
 * a PASID table entry counts even when the entry is not present, which is
 * how the kernel silences a torn-down PASID.
 *
 * Only decoded, valid entries are cached; a not-present or invalid entry
 * is fetched again each time (the model does not implement CAP.CM, which
 * would let hardware cache those too). Cached entries stay until the
 * context-cache or PASID-cache invalidation that covers them.
 */
#include "drivers/intel/model/model_internal.h"

#include "harness/physmem.h"

static int vtd_fault(struct vtd_fault *f, u8 reason)
{
	f->reason = reason;
	return reason;
}

static u64 vtd_haw_mask(struct vtd_model *m)
{
	return GENMASK_ULL(63, m->cfg.haw);
}

/* A second-stage table as an AW field describes it; false if AW is unsupported. */
static bool vtd_ss_cfg(struct vtd_model *m, u64 root, unsigned int aw, bool ssade,
		       struct pt_walk_cfg *cfg)
{
	if (aw > 3 || !(m->cfg.sagaw & BIT(aw)))
		return false;
	*cfg = {};
	cfg->root = root;
	cfg->fmt = PT_FMT_VTDSS;
	cfg->top_level = agaw_to_level(aw) - 1;
	cfg->vasz_lg2 = min(agaw_to_width(aw), (unsigned int)m->cfg.mgaw);
	cfg->oasz_lg2 = m->cfg.haw;
	cfg->hw = ssade ? PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY : 0;
	return true;
}

/* ----- Context entries ----- */

static int vtd_decode_legacy_ctx(struct vtd_model *m, const struct context_entry *ce,
				 struct vtd_ctx *ctx, struct vtd_fault *f)
{
	if (!(ce->lo & CONTEXT_LO_P))
		return vtd_fault(f, DMAR_FR_CONTEXT_ENTRY_P);
	ctx->fpd = ce->lo & CONTEXT_LO_FPD;
	f->fpd |= ctx->fpd;
	if ((ce->lo & (CONTEXT_LO_RES0 | (vtd_haw_mask(m) & CONTEXT_LO_SLPTPTR))) ||
	    (ce->hi & CONTEXT_HI_RES0))
		return vtd_fault(f, DMAR_FR_CONTEXT_ENTRY_RSVD);
	ctx->tt = FIELD_GET(CONTEXT_LO_TT, ce->lo);
	ctx->did = FIELD_GET(CONTEXT_HI_DID, ce->hi);
	switch (ctx->tt) {
	case CONTEXT_TT_MULTI_LEVEL:
		break;
	case CONTEXT_TT_DEV_IOTLB:
		if (!m->cfg.dt)
			return vtd_fault(f, DMAR_FR_CONTEXT_ENTRY_INV);
		break;
	case CONTEXT_TT_PASS_THROUGH:
		if (!m->cfg.pt)
			return vtd_fault(f, DMAR_FR_CONTEXT_ENTRY_INV);
		return 0;
	default:
		return vtd_fault(f, DMAR_FR_CONTEXT_ENTRY_INV);
	}
	if (!vtd_ss_cfg(m, ce->lo & CONTEXT_LO_SLPTPTR, FIELD_GET(CONTEXT_HI_AW, ce->hi), false,
			&ctx->ss))
		return vtd_fault(f, DMAR_FR_CONTEXT_ENTRY_INV);
	return 0;
}

static int vtd_decode_sm_ctx(struct vtd_model *m, const struct sm_context_entry *ce,
			     struct vtd_ctx *ctx, struct vtd_fault *f)
{
	u64 res0 = SM_CONTEXT_0_RES0 | (vtd_haw_mask(m) & SM_CONTEXT_0_PASIDDIRPTR);
	u64 res1 = SM_CONTEXT_1_RES0 | (m->cfg.rps ? 0 : SM_CONTEXT_1_RID_PASID) |
		   SM_CONTEXT_1_RID_PRIV;

	if (!(ce->val[0] & SM_CONTEXT_0_P))
		return vtd_fault(f, DMAR_FR_SM_CTX_P);
	ctx->fpd = ce->val[0] & SM_CONTEXT_0_FPD;
	f->fpd |= ctx->fpd;
	if ((ce->val[0] & res0) || (ce->val[1] & res1) || ce->val[2] || ce->val[3])
		return vtd_fault(f, DMAR_FR_SM_CTX_RSVD);
	ctx->sm = true;
	ctx->dte = ce->val[0] & SM_CONTEXT_0_DTE;
	ctx->paside = ce->val[0] & SM_CONTEXT_0_PASIDE;
	ctx->pre = ce->val[0] & SM_CONTEXT_0_PRE;
	ctx->pasid_dir = ce->val[0] & SM_CONTEXT_0_PASIDDIRPTR;
	ctx->pasid_dir_entries = sm_context_pasid_dir_entries(ce->val[0]);
	ctx->rid_pasid = FIELD_GET(SM_CONTEXT_1_RID_PASID, ce->val[1]);
	/* Features the unit lacks, and PRE without DTE, make the entry invalid. */
	if ((ctx->dte && !m->cfg.dt) || (ctx->pre && (!m->cfg.prs || !ctx->dte)) ||
	    (ctx->paside && !m->cfg.pasid))
		return vtd_fault(f, DMAR_FR_SM_CTX_INV);
	return 0;
}

int vtd_get_ctx(struct vtd_model *m, u16 sid, const struct vtd_ctx **out, struct vtd_fault *f)
{
	unsigned int ttm = FIELD_GET(DMA_RTADDR_TTM, m->rtaddr_active);
	u64 rta = m->rtaddr_active & DMA_RTADDR_RTA;
	unsigned int bus = sid >> 8, devfn = sid & 0xff;
	struct root_entry re;
	struct vtd_ctx ctx = {};
	auto it = m->ctx_cache.find(sid);
	u64 ctp;
	int ret;

	if (it != m->ctx_cache.end()) {
		m->stats.ctx_hits++;
		f->fpd |= it->second.fpd;
		*out = &it->second;
		return 0;
	}
	m->stats.ctx_misses++;
	if (ttm == DMA_RTADDR_TTM_ABORT_DMA && m->cfg.adms) {
		/* Abort-DMA mode blocks everything and records nothing. */
		f->fpd = true;
		return vtd_fault(f, DMAR_FR_SM_RTA_ABORT_DMA);
	}
	if (ttm > DMA_RTADDR_TTM_SCALABLE || (ttm == DMA_RTADDR_TTM_SCALABLE && !m->cfg.smts) ||
	    (rta & vtd_haw_mask(m)))
		return vtd_fault(f, DMAR_FR_SM_RTA_INVALID);

	if (phys_read(rta + bus * sizeof(re), &re, sizeof(re)))
		return vtd_fault(f, ttm ? DMAR_FR_SM_ROOT_ACCESS : DMAR_FR_ROOT_TABLE_INV);
	if (ttm == DMA_RTADDR_TTM_LEGACY) {
		struct context_entry ce;

		if (!(re.lo & ROOT_ENTRY_P))
			return vtd_fault(f, DMAR_FR_ROOT_ENTRY_P);
		if ((re.lo & (ROOT_ENTRY_RES0 | (vtd_haw_mask(m) & ROOT_ENTRY_CTP))) || re.hi)
			return vtd_fault(f, DMAR_FR_ROOT_ENTRY_RSVD);
		ctp = re.lo & ROOT_ENTRY_CTP;
		if (phys_read(ctp + devfn * sizeof(ce), &ce, sizeof(ce)))
			return vtd_fault(f, DMAR_FR_CONTEXT_TABLE_INV);
		ctx.raw[0] = ce.lo;
		ctx.raw[1] = ce.hi;
		ret = vtd_decode_legacy_ctx(m, &ce, &ctx, f);
	} else {
		u64 half = devfn < SM_CONTEXT_NR ? re.lo : re.hi;
		struct sm_context_entry ce;

		if (!(half & ROOT_ENTRY_P))
			return vtd_fault(f, DMAR_FR_SM_ROOT_P);
		if (half & (ROOT_ENTRY_RES0 | (vtd_haw_mask(m) & ROOT_ENTRY_CTP)))
			return vtd_fault(f, DMAR_FR_SM_ROOT_RSVD);
		ctp = half & ROOT_ENTRY_CTP;
		if (phys_read(ctp + (devfn % SM_CONTEXT_NR) * sizeof(ce), &ce, sizeof(ce)))
			return vtd_fault(f, DMAR_FR_SM_CTX_ACCESS);
		memcpy(ctx.raw, ce.val, sizeof(ce.val));
		ret = vtd_decode_sm_ctx(m, &ce, &ctx, f);
	}
	if (ret)
		return ret;
	if (m->ctx_cache.size() >= VTD_CFG_MAX)
		m->ctx_cache.clear();
	*out = &(m->ctx_cache[sid] = ctx);
	return 0;
}

/* ----- PASID entries ----- */

static int vtd_decode_pasid(struct vtd_model *m, const struct pasid_entry *pe,
			    struct vtd_pasid_ent *e, struct vtd_fault *f)
{
	const struct vtd_model_cfg *c = &m->cfg;
	u64 res0 = PASID_0_RES0 | (c->slads ? 0 : PASID_0_SSADE);
	u64 res2 = PASID_2_RES0 | (c->srs ? 0 : PASID_2_SRE) | (c->ers ? 0 : PASID_2_ERE) |
		   (c->eafs ? 0 : PASID_2_EAFE);
	unsigned int aw = FIELD_GET(PASID_0_AW, pe->val[0]);
	unsigned int flpm = FIELD_GET(PASID_2_FLPM, pe->val[2]);

	e->fpd = pe->val[0] & PASID_PTE_FPD;
	f->fpd |= e->fpd;
	if (!(pe->val[0] & PASID_PTE_PRESENT))
		return vtd_fault(f, DMAR_FR_SM_PTE_P);
	for (unsigned int i = 3; i != 8; i++)
		if (pe->val[i])
			return vtd_fault(f, DMAR_FR_SM_PTE_RSVD);
	if ((pe->val[0] & res0) || (pe->val[1] & PASID_1_RES0) || (pe->val[2] & res2))
		return vtd_fault(f, DMAR_FR_SM_PTE_RSVD);
	e->pgtt = FIELD_GET(PASID_0_PGTT, pe->val[0]);
	e->did = FIELD_GET(PASID_1_DID, pe->val[1]);
	e->sre = pe->val[2] & PASID_2_SRE;
	e->ere = pe->val[2] & PASID_2_ERE;
	e->ssade = pe->val[0] & PASID_0_SSADE;

	switch (e->pgtt) {
	case PASID_ENTRY_PGTT_FL_ONLY:
		if (!c->flts)
			return vtd_fault(f, DMAR_FR_SM_PTE_INV);
		break;
	case PASID_ENTRY_PGTT_SL_ONLY:
		if (!c->slts)
			return vtd_fault(f, DMAR_FR_SM_PTE_INV);
		break;
	case PASID_ENTRY_PGTT_NESTED:
		if (!c->nest)
			return vtd_fault(f, DMAR_FR_SM_PTE_INV);
		break;
	case PASID_ENTRY_PGTT_PT:
		if (!c->pt)
			return vtd_fault(f, DMAR_FR_SM_PTE_INV);
		return 0;
	default:
		return vtd_fault(f, DMAR_FR_SM_PTE_INV);
	}
	if (e->pgtt != PASID_ENTRY_PGTT_FL_ONLY) {
		if (pe->val[0] & vtd_haw_mask(m) & PASID_0_SSPTPTR)
			return vtd_fault(f, DMAR_FR_SM_PTE_RSVD);
		if (!vtd_ss_cfg(m, pe->val[0] & PASID_0_SSPTPTR, aw, e->ssade, &e->ss))
			return vtd_fault(f, DMAR_FR_SM_PTE_INV);
	}
	if (e->pgtt != PASID_ENTRY_PGTT_SL_ONLY) {
		bool five = flpm == PASID_FLPM_5LEVEL;

		if (flpm > PASID_FLPM_5LEVEL || (five && !c->fl5lp))
			return vtd_fault(f, DMAR_FR_SM_PTE_INV);
		/* Nested: the first-stage pointer is a guest address, checked by stage 2. */
		if (e->pgtt == PASID_ENTRY_PGTT_FL_ONLY &&
		    (pe->val[2] & vtd_haw_mask(m) & PASID_2_FSPTPTR))
			return vtd_fault(f, DMAR_FR_SM_PTE_RSVD);
		e->fs = {};
		e->fs.root = pe->val[2] & PASID_2_FSPTPTR;
		e->fs.fmt = PT_FMT_X86_64;
		e->fs.top_level = five ? 4 : 3;
		e->fs.vasz_lg2 = five ? ADDR_WIDTH_5LEVEL : ADDR_WIDTH_4LEVEL;
		e->fs.oasz_lg2 = e->pgtt == PASID_ENTRY_PGTT_NESTED ? e->ss.vasz_lg2 : c->haw;
		e->fs.features = BIT_ULL(PT_FEAT_SIGN_EXTEND);
		/* First-stage A/D are always maintained by hardware, as the CPU's. */
		e->fs.hw = PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY;
	}
	return 0;
}

int vtd_get_pasid(struct vtd_model *m, const struct vtd_ctx *ctx, u16 sid, u32 pasid,
		  const struct vtd_pasid_ent **out, struct vtd_fault *f)
{
	struct vtd_pasid_key key = { sid, pasid };
	struct vtd_pasid_ent e = {};
	struct pasid_entry pe;
	u64 pde, table;
	auto it = m->pasid_cache.find(key);

	if (it != m->pasid_cache.end()) {
		m->stats.pasid_hits++;
		f->fpd |= it->second.fpd;
		*out = &it->second;
		return 0;
	}
	m->stats.pasid_misses++;
	if ((pasid >> PASID_PDE_SHIFT) >= ctx->pasid_dir_entries ||
	    pasid >= (2U << m->cfg.pss))
		return vtd_fault(f, DMAR_FR_SM_CTX_PASID_MAX);
	if (phys_read(ctx->pasid_dir + (pasid >> PASID_PDE_SHIFT) * sizeof(pde), &pde, sizeof(pde)))
		return vtd_fault(f, DMAR_FR_SM_PDE_ACCESS);
	f->fpd |= pde & PASID_DIR_FPD;
	if (!(pde & PASID_DIR_P))
		return vtd_fault(f, DMAR_FR_SM_PDE_P);
	if (pde & (PASID_DIR_RES0 | (vtd_haw_mask(m) & PASID_DIR_SMPTBLPTR)))
		return vtd_fault(f, DMAR_FR_SM_PDE_RSVD);
	table = pde & PASID_DIR_SMPTBLPTR;
	if (phys_read(table + (pasid % PASID_TBL_ENTRIES) * sizeof(pe), &pe, sizeof(pe)))
		return vtd_fault(f, DMAR_FR_SM_PTE_ACCESS);
	memcpy(e.raw, pe.val, sizeof(pe.val));
	if (int ret = vtd_decode_pasid(m, &pe, &e, f))
		return ret;
	e.fpd |= pde & PASID_DIR_FPD;
	if (m->pasid_cache.size() >= VTD_CFG_MAX)
		m->pasid_cache.clear();
	*out = &(m->pasid_cache[key] = e);
	return 0;
}

/* ----- Invalidation ----- */

/* Context-cache invalidation (CCMD or a context-cache descriptor). */
void vtd_ctx_inv(struct vtd_model *m, unsigned int gran, u16 did, u16 sid, unsigned int fm)
{
	/* FM masks the top 1, 2 or 3 bits of the function number. */
	u16 mask = ~(u16)((0x7 << (3 - fm)) & 0x7);

	for (auto it = m->ctx_cache.begin(); it != m->ctx_cache.end();) {
		bool hit;

		switch (gran) {
		case QI_CC_GRAN_GLOBAL:
			hit = true;
			break;
		case QI_CC_GRAN_DOMAIN:
			/* Scalable-mode context entries carry no DID: all of them go. */
			hit = it->second.sm || it->second.did == did;
			break;
		default:
			hit = (it->first & mask) == (sid & mask);
			break;
		}
		it = hit ? m->ctx_cache.erase(it) : std::next(it);
	}
}

void vtd_pasid_cache_inv(struct vtd_model *m, unsigned int gran, u16 did, u32 pasid)
{
	for (auto it = m->pasid_cache.begin(); it != m->pasid_cache.end();) {
		bool hit = gran == QI_PC_GLOBAL ||
			   (it->second.did == did &&
			    (gran == QI_PC_ALL_PASIDS || it->first.pasid == pasid));

		it = hit ? m->pasid_cache.erase(it) : std::next(it);
	}
}
