// SPDX-License-Identifier: GPL-2.0
/*
 * DTE fetch and decode with the DTE cache, and translation (spec 48882,
 * 2.2) with the IOTLB, GCR3 tables, the device IOTLB for ATS and page
 * requests.
 *
 * What a request meets, in order:
 *  - Control.IommuEn clear: no translation.
 *  - A DeviceID beyond Device Table Base's size, or a DTE with V and TV
 *    set and a reserved bit, a reserved Mode (7, or more levels than
 *    HATS), GV without GTSup, GLX beyond GLXSup, a reserved
 *    GuestPagingMode or one beyond GATS, HAD without HASup/HDSup, GIoV
 *    without GIoSup, PPR without PPRSup, a HostPTR or GCR3 root beyond the
 *    physical width: ILLEGAL_DEV_TABLE_ENTRY (RZ), target abort. A DTE
 *    fetch with no memory behind it: DEV_TAB_HARDWARE_ERROR.
 *  - V or TV clear: the request passes untranslated (the kernel sets V
 *    and TV on every DTE it owns).
 *  - A Translated (ATS) request needs DTE.I; a PASID request needs GV and
 *    a PASID within PASmax: otherwise INVALID_DEVICE_REQUEST.
 *  - Mode 0 without guest translation: untranslated, within DTE.IR/IW.
 *  - GV with a PASID (or GIoV for requests without one, PASID 0): the
 *    GCR3 table (1 or 2 levels) gives the guest CR3 of an x86-64 4- or
 *    5-level table; with Mode != 0 the GCR3 table, every guest table and
 *    the guest output are GPAs translated by the v1 table (pt_walk_nested),
 *    so a guest table reaches only what the host table maps.
 *  - Otherwise the v1 host table at HostPTR, Mode levels.
 * Host walks that end in a 4 KiB leaf cache the leaf table they passed
 * (page-directory cache, by DomainID and 2 MiB region); later walks in
 * that region start there until an INVALIDATE_IOMMU_PAGES with PDE
 * covers it. DTE.IR/IW bound every translation's permissions. A fault is an
 * IO_PAGE_FAULT with the request's address and DomainID (PASID with GN)
 * unless DTE.SE suppresses it; a table fetch with no memory behind it is
 * a PAGE_TAB_HARDWARE_ERROR. A fault of a device whose DTE has vImuEn
 * goes to its guest's event log instead, with the guest DeviceID and no
 * host DomainID (viommu.cc).
 */
#include "drivers/amd/model/model_internal.h"

#include "harness/physmem.h"

static void amd_ill_dte(struct amd_event *ev, u16 devid)
{
	*ev = {};
	ev->type = EVENT_TYPE_ILL_DEV;
	ev->devid = devid;
	ev->flags = EVENT_FLAG_RZ;
}

/* 0 if the valid, translation-valid DTE @d is legal for this IOMMU. */
static int amd_dte_check(const struct amd_iommu_model *m, const struct amd_dte *d)
{
	const struct amd_iommu_model_cfg *c = &m->cfg;
	u64 had = FIELD_GET(DTE_FLAG_HAD, d->raw[0]);
	u64 pa_rsvd = ~0ULL << c->oas;

	if ((d->raw[0] & DTE_0_RES0) || (d->raw[1] & DTE_1_RES0) || (d->raw[2] & DTE_2_RES0))
		return -EINVAL;
	if (d->mode == PAGE_MODE_7_LEVEL || d->mode > c->hats + 4)
		return -EINVAL;
	if (d->mode && ((d->raw[0] & DTE_HOST_TRP) & pa_rsvd))
		return -EINVAL;
	if ((had == DTE_HAD_ACCESS && !c->ha) || had == 2 || (had == DTE_HAD_DIRTY && !c->hd))
		return -EINVAL;
	if (d->ppr && !c->ppr)
		return -EINVAL;
	if (d->giov && !c->giov)
		return -EINVAL;
	if (d->gv) {
		if (!c->gt || d->glx > c->glx || d->glx == 3)
			return -EINVAL;
		if (d->gpm > GUEST_PGTABLE_5_LEVEL ||
		    (d->gpm == GUEST_PGTABLE_5_LEVEL && c->gats < FEATURE_GATS_5LEVEL))
			return -EINVAL;
		if (d->gcr3_root & pa_rsvd)
			return -EINVAL;
	}
	return 0;
}

static void amd_dte_decode(const struct amd_iommu_model *m, const u64 *raw, struct amd_dte *d)
{
	struct dev_table_entry dte;

	*d = {};
	memcpy(d->raw, raw, sizeof(d->raw));
	memcpy(dte.data, raw, sizeof(dte.data));
	d->v = raw[0] & DTE_FLAG_V;
	d->tv = raw[0] & DTE_FLAG_TV;
	d->mode = FIELD_GET(DTE_MODE_MASK, raw[0]);
	d->domid = raw[1] & DEV_DOMID_MASK;
	d->ir = raw[0] & DTE_FLAG_IR;
	d->iw = raw[0] & DTE_FLAG_IW;
	d->ppr = raw[0] & DTE_FLAG_PPR;
	d->gv = raw[0] & DTE_FLAG_GV;
	d->giov = raw[0] & DTE_FLAG_GIOV;
	d->ats = raw[1] & DTE_FLAG_IOTLB;
	d->se = raw[1] & DTE_1_SE;
	d->glx = FIELD_GET(DTE_GLX, raw[0]);
	d->gpm = FIELD_GET(DTE_GPT_LEVEL_MASK, raw[2]);
	d->gcr3_root = dte_gcr3_root(&dte);
	d->gid = (raw[3] & DTE_VIOMMU_EN) ? (u32)FIELD_GET(DTE_VIOMMU_GUESTID, raw[3]) :
					     AMD_NO_GUEST;
	d->gdevid = FIELD_GET(DTE_VIOMMU_GDEVICEID, raw[3]);
	if (d->mode && d->mode < PAGE_MODE_7_LEVEL) {
		u64 had = FIELD_GET(DTE_FLAG_HAD, raw[0]);

		d->host.root = raw[0] & DTE_HOST_TRP;
		d->host.fmt = PT_FMT_AMDV1;
		d->host.top_level = d->mode - 1;
		d->host.vasz_lg2 = d->mode == PAGE_MODE_6_LEVEL ? 64 : PM_LEVEL_SHIFT(d->mode);
		d->host.oasz_lg2 = m->cfg.oas;
		d->host.hw = (had ? PT_HW_UPDATE_ACCESSED : 0) |
			     (had == DTE_HAD_DIRTY ? PT_HW_UPDATE_DIRTY : 0);
	}
}

int amd_get_dte(struct amd_iommu_model *m, u16 devid, const struct amd_dte **dte,
		struct amd_event *ev)
{
	u64 base = m->dev_table & MMIO_DEV_TABLE_BASE;
	u64 size = (FIELD_GET(MMIO_DEV_TABLE_SIZE, m->dev_table) + 1) * 4096;
	struct amd_dte d;
	u64 raw[4];

	auto it = m->dte_cache.find(devid);
	if (it != m->dte_cache.end()) {
		m->stats.dte_hits++;
		*dte = &it->second;
		return 0;
	}
	m->stats.dte_misses++;
	if ((u64)devid * DEV_TABLE_ENTRY_SIZE >= size) {
		amd_ill_dte(ev, devid);
		return -EINVAL;
	}
	if (phys_read(base + (u64)devid * DEV_TABLE_ENTRY_SIZE, raw, sizeof(raw))) {
		*ev = {};
		ev->type = EVENT_TYPE_DEV_TAB_ERR;
		ev->devid = devid;
		ev->addr = base + (u64)devid * DEV_TABLE_ENTRY_SIZE;
		return -EIO;
	}
	amd_dte_decode(m, raw, &d);
	if (d.v && d.tv && amd_dte_check(m, &d)) {
		amd_ill_dte(ev, devid);
		return -EINVAL;
	}
	if (m->dte_cache.size() >= AMD_DTE_MAX)
		m->dte_cache.clear();
	*dte = &(m->dte_cache[devid] = d);
	return 0;
}

int amd_host_xlate(const struct amd_dte *d, u64 addr, bool write, u64 *pa)
{
	struct pt_walk_result r;

	if (!d->v || !d->tv || !d->mode) {
		*pa = addr;
		return 0;
	}
	if (pt_walk(&d->host, addr, write ? PT_ACCESS_WRITE : PT_ACCESS_READ, &r))
		return r.fault;
	*pa = r.oa;
	return 0;
}

/*
 * Reads the GCR3 entry at @gpa (through the host table with Mode != 0):
 * 0 with the table or guest CR3 it holds, or an enum pt_fault.
 */
static int amd_gcr3_read(const struct amd_dte *d, u64 gpa, u64 *next)
{
	u64 pa = 0, ent;	/* set whenever amd_host_xlate() returns 0 */
	int ret = amd_host_xlate(d, gpa, false, &pa);

	if (ret)
		return ret;
	if (phys_read(pa, &ent, sizeof(ent)))
		return PT_FAULT_BUS;
	if (!(ent & GCR3_VALID))
		return PT_FAULT_TRANSLATION;
	if (ent & GCR3_RES0)
		return PT_FAULT_RESERVED;
	*next = ent & GCR3_ADDR_MASK;
	return 0;
}

/* The guest table of @pasid, or an enum pt_fault. */
static int amd_gcr3_lookup(const struct amd_iommu_model *m, const struct amd_dte *d, u32 pasid,
			   struct pt_walk_cfg *g)
{
	u64 table = d->gcr3_root, cr3;
	int ret;

	if (d->glx == 1) {
		ret = amd_gcr3_read(d, table + ((pasid >> 9) & 0x1ff) * 8, &table);
		if (ret)
			return ret;
	} else if (pasid >> 9) {
		return PT_FAULT_TRANSLATION;
	}
	ret = amd_gcr3_read(d, table + (pasid & 0x1ff) * 8, &cr3);
	if (ret)
		return ret;
	*g = {};
	g->root = cr3;
	g->fmt = PT_FMT_X86_64;
	g->top_level = d->gpm == GUEST_PGTABLE_5_LEVEL ? 4 : 3;
	g->vasz_lg2 = d->gpm == GUEST_PGTABLE_5_LEVEL ? 57 : 48;
	g->oasz_lg2 = d->mode ? d->host.vasz_lg2 : m->cfg.oas;
	g->features = BIT_ULL(PT_FEAT_SIGN_EXTEND);
	g->hw = PT_HW_UPDATE_ACCESSED | PT_HW_UPDATE_DIRTY;
	return 0;
}

static u8 amd_dte_perm(const struct amd_dte *d)
{
	return PT_PERM_X | PT_PERM_U | (d->ir ? PT_PERM_R : 0) | (d->iw ? PT_PERM_W : 0);
}

static u8 amd_needed(const struct amd_iommu_txn *txn)
{
	return (txn->write ? PT_PERM_W : PT_PERM_R) | (txn->exec ? PT_PERM_X : 0) |
	       (txn->priv ? 0 : PT_PERM_U);
}

/* Logs a fault of @d's device, in its guest's event log if it has one. */
static bool amd_report(struct amd_iommu_model *m, const struct amd_dte *d, struct amd_event *ev)
{
	if (d && ev->type == EVENT_TYPE_IO_FAULT && d->se)
		return false;
	if (d && d->gid != AMD_NO_GUEST && ev->type == EVENT_TYPE_IO_FAULT) {
		struct amd_event g = *ev;

		g.devid = d->gdevid;
		if (!(g.flags & EVENT_FLAG_GN))
			g.tag = 0;
		return amd_viommu_log_event(m, d->gid, &g);
	}
	return amd_log_event(m, ev);
}

/*
 * Caches the leaf table (spec level 1) on the way to @va in @d's v1
 * table, found by following the upper levels once more after a walk that
 * ended in a 4 KiB leaf there.
 */
static void amd_pde_fill(struct amd_iommu_model *m, const struct amd_dte *d, u64 va)
{
	u64 table = d->host.root, e;
	unsigned int level = d->mode;
	u8 perm = PT_PERM_ALL;

	while (level > 1) {
		unsigned int idx = (va >> PM_LEVEL_SHIFT(level - 1)) & (level == 6 ? 0x7f : 0x1ff);
		unsigned int nl;

		if (phys_read(table + idx * 8, &e, sizeof(e)) || !(e & IOMMU_PTE_PR))
			return;
		nl = PM_PTE_LEVEL(e);
		if (!nl || nl == 7 || nl >= level)
			return;
		if (!(e & IOMMU_PTE_IR))
			perm &= ~PT_PERM_R;
		if (!(e & IOMMU_PTE_IW))
			perm &= ~PT_PERM_W;
		table = e & PM_ADDR_MASK;
		level = nl;
	}
	if (m->pde_cache.size() >= AMD_IOTLB_MAX)
		m->pde_cache.clear();
	m->pde_cache[{ va >> 21, d->domid, {} }] = { table, perm, d->gid };
}

/* A host walk, through a cached leaf table when there is one. */
static int amd_host_walk(struct amd_iommu_model *m, const struct amd_dte *d, u64 va,
			 unsigned int access, struct pt_walk_result *r)
{
	struct pt_walk_cfg leaf;
	int fault;

	auto it = d->mode > 1 ? m->pde_cache.find({ va >> 21, d->domid, {} }) : m->pde_cache.end();
	if (it == m->pde_cache.end()) {
		fault = pt_walk(&d->host, va, access, r);
		if (!fault && r->size_lg2 == 12 && d->mode > 1)
			amd_pde_fill(m, d, va);
		return fault;
	}
	m->stats.pde_hits++;
	leaf = d->host;
	leaf.root = it->second.table;
	leaf.top_level = 0;
	leaf.vasz_lg2 = 21;
	fault = pt_walk(&leaf, va & ((1ULL << 21) - 1), access, r);
	if (fault)
		return fault;
	r->perm &= it->second.perm;
	return 0;
}

struct amd_xlate {
	u64 oa_page;
	u8 size_lg2;
	u8 perm;
};

/*
 * The translation of @txn through @d (V, TV set; not untranslated), from
 * the IOTLB or a walk that fills it. 0, or the event to raise in @ev.
 */
static int amd_xlate(struct amd_iommu_model *m, const struct amd_dte *d,
		     const struct amd_iommu_txn *txn, bool treq, struct amd_xlate *x,
		     struct amd_event *ev)
{
	bool guest = d->gv && (txn->pasid_present || d->giov);
	u32 pasid = txn->pasid_present ? txn->pasid : 0;
	u8 need = treq ? (u8)PT_PERM_R : amd_needed(txn);
	unsigned int access = treq ? PT_ACCESS_READ :
			      (txn->write ? PT_ACCESS_WRITE : PT_ACCESS_READ) |
				      (txn->exec ? PT_ACCESS_EXEC : 0) |
				      (txn->priv ? PT_ACCESS_PRIV : 0);
	struct amd_iotlb_key key = {};
	struct amd_iotlb_ent ent = {};
	struct pt_walk_result r = {};
	struct pt_walk_cfg g;
	int fault;

	*ev = {};
	ev->devid = txn->devid;
	ev->addr = txn->addr;
	ev->tag = guest ? pasid : d->domid;
	ev->flags = (txn->write ? EVENT_FLAG_RW : 0) | (txn->exec ? EVENT_FLAG_NX : 0) |
		    (treq ? EVENT_FLAG_TR : 0) |
		    (guest ? EVENT_FLAG_GN | (txn->priv ? 0 : EVENT_FLAG_US) : 0);
	ev->type = EVENT_TYPE_IO_FAULT;

	key.pasid = guest ? pasid : AMD_NO_PASID;
	key.domid = d->domid;
	for (u64 sizes = m->iotlb_sizes; sizes; sizes &= sizes - 1) {
		unsigned int lg2 = __builtin_ctzll(sizes);

		key.page = lg2 >= 64 ? 0 : txn->addr & ~((1ULL << lg2) - 1);
		key.size_lg2 = lg2;
		auto it = m->iotlb.find(key);
		if (it == m->iotlb.end())
			continue;
		/* A permission miss walks again: the entry may have been upgraded. */
		if ((it->second.perm & need) != need)
			break;
		/*
		 * The first write through an entry a read filled walks again, so
		 * D is set in the leaf (DTE.HAD, guest tables) as on hardware.
		 */
		if ((access & PT_ACCESS_WRITE) && !it->second.dirty)
			break;
		m->stats.iotlb_hits++;
		x->oa_page = it->second.oa_page;
		x->size_lg2 = lg2;
		x->perm = it->second.perm;
		return 0;
	}
	m->stats.iotlb_misses++;
	m->stats.walks++;

	if (guest) {
		fault = amd_gcr3_lookup(m, d, pasid, &g);
		if (!fault)
			fault = d->mode ? pt_walk_nested(&g, &d->host, txn->addr, access, &r) :
					  pt_walk(&g, txn->addr, access, &r);
	} else {
		fault = amd_host_walk(m, d, txn->addr, access, &r);
	}
	if (fault) {
		switch (fault) {
		case PT_FAULT_BUS:
			ev->type = EVENT_TYPE_PAGE_TAB_ERR;
			break;
		case PT_FAULT_PERMISSION:
			ev->flags |= EVENT_FLAG_PE | EVENT_FLAG_PR;
			break;
		case PT_FAULT_RESERVED:
			ev->flags |= EVENT_FLAG_RZ | EVENT_FLAG_PR;
			break;
		default:
			break;
		}
		return -EFAULT;
	}
	ent.perm = r.perm & amd_dte_perm(d);
	if ((ent.perm & need) != need) {
		ev->flags |= EVENT_FLAG_PE | EVENT_FLAG_PR;
		return -EFAULT;
	}
	key.size_lg2 = r.size_lg2;
	key.page = r.size_lg2 >= 64 ? 0 : txn->addr & ~((1ULL << r.size_lg2) - 1);
	ent.oa_page = r.oa & ~((1ULL << r.size_lg2) - 1);
	ent.nested = guest && d->mode;
	ent.gpa_page = ent.nested ? r.ipa & ~((1ULL << r.size_lg2) - 1) : ~0ULL;
	ent.gpa_size_lg2 = r.size_lg2;
	ent.dirty = access & PT_ACCESS_WRITE;
	ent.gid = d->gid;
	if (m->iotlb.size() >= AMD_IOTLB_MAX) {
		m->iotlb.clear();
		m->iotlb_sizes = 0;
	}
	m->iotlb[key] = ent;
	m->iotlb_sizes |= BIT_ULL(r.size_lg2);
	x->oa_page = ent.oa_page;
	x->size_lg2 = r.size_lg2;
	x->perm = ent.perm;
	return 0;
}

static void amd_untranslated(const struct amd_iommu_txn *txn, struct amd_iommu_txn_result *res)
{
	res->status = AMD_IOMMU_TXN_OK;
	res->pa = txn->addr;
	res->contig = 4096 - (txn->addr & 4095);
}

static void amd_abort(struct amd_iommu_model *m, const struct amd_dte *d, struct amd_event *ev,
		      struct amd_iommu_txn_result *res)
{
	res->status = AMD_IOMMU_TXN_ABORT;
	res->event = ev->type;
	res->event_flags = ev->flags;
	res->logged = amd_report(m, d, ev);
}

static void amd_inv_dev_req(struct amd_event *ev, const struct amd_iommu_txn *txn,
			    unsigned int type)
{
	*ev = {};
	ev->type = EVENT_TYPE_INV_DEV_REQ;
	ev->devid = txn->devid;
	ev->addr = txn->addr;
	ev->tag = txn->pasid_present ? txn->pasid : 0;
	ev->flags = FIELD_PREP(EVENT_INV_DEV_REQ_TYPE, type) | (txn->write ? EVENT_FLAG_RW : 0) |
		    (txn->pasid_present ? EVENT_FLAG_GN : 0);
}

/* Everything before the tables: 1 if @res is final, 0 to translate through @d. */
static int amd_front(struct amd_iommu_model *m, const struct amd_iommu_txn *txn,
		     const struct amd_dte **d, struct amd_iommu_txn_result *res)
{
	struct amd_event ev;

	*res = {};
	if (!amd_ctrl(m, CONTROL_IOMMU_EN)) {
		amd_untranslated(txn, res);
		return 1;
	}
	if (amd_get_dte(m, txn->devid, d, &ev)) {
		ev.addr = ev.type == EVENT_TYPE_ILL_DEV ? txn->addr : ev.addr;
		amd_abort(m, NULL, &ev, res);
		return 1;
	}
	if (!(*d)->v || !(*d)->tv) {
		amd_untranslated(txn, res);
		return 1;
	}
	if (txn->ats_translated) {
		if (!(*d)->ats) {
			amd_inv_dev_req(&ev, txn, INV_DEV_REQ_TRANSLATED_NO_ATS);
			amd_abort(m, *d, &ev, res);
		} else {
			amd_untranslated(txn, res);
		}
		return 1;
	}
	if (txn->pasid_present &&
	    (!(*d)->gv || (txn->pasid >> (m->cfg.pasmax + 1)))) {
		amd_inv_dev_req(&ev, txn, INV_DEV_REQ_PASID_NO_GV);
		amd_abort(m, *d, &ev, res);
		return 1;
	}
	return 0;
}

static void amd_translate_locked(struct amd_iommu_model *m, const struct amd_iommu_txn *txn,
				 struct amd_iommu_txn_result *res)
{
	const struct amd_dte *d;
	struct amd_xlate x;
	struct amd_event ev;
	bool guest;

	if (amd_front(m, txn, &d, res))
		return;
	guest = d->gv && (txn->pasid_present || d->giov);
	if (!guest && !d->mode) {
		u8 need = amd_needed(txn);

		if ((amd_dte_perm(d) & need) == need) {
			amd_untranslated(txn, res);
			return;
		}
		ev = {};
		ev.type = EVENT_TYPE_IO_FAULT;
		ev.devid = txn->devid;
		ev.addr = txn->addr;
		ev.tag = d->domid;
		ev.flags = EVENT_FLAG_PE | (txn->write ? EVENT_FLAG_RW : 0);
		amd_abort(m, d, &ev, res);
		return;
	}
	if (amd_xlate(m, d, txn, false, &x, &ev)) {
		amd_abort(m, d, &ev, res);
		return;
	}
	res->status = AMD_IOMMU_TXN_OK;
	res->pa = x.oa_page + (txn->addr & ((1ULL << x.size_lg2) - 1));
	res->contig = (1ULL << x.size_lg2) - (txn->addr & ((1ULL << x.size_lg2) - 1));
}

void amd_iommu_model_translate(struct amd_iommu_model *m, const struct amd_iommu_txn *txn,
			       struct amd_iommu_txn_result *res)
{
	amd_lock(m);
	amd_translate_locked(m, txn, res);
	amd_unlock(m);
}

static void amd_ats_locked(struct amd_iommu_model *m, const struct amd_iommu_txn *txn,
			   struct amd_iommu_ats_resp *resp)
{
	struct amd_iommu_txn_result res;
	const struct amd_dte *d;
	struct amd_xlate x;
	struct amd_event ev;

	*resp = {};
	if (amd_front(m, txn, &d, &res)) {
		/* Untranslated: an identity answer for the page. */
		resp->ok = res.status == AMD_IOMMU_TXN_OK;
		resp->r = resp->w = resp->ok;
		resp->addr = txn->addr & ~0xfffULL;
		resp->size_lg2 = 12;
		return;
	}
	if (!d->ats) {
		amd_inv_dev_req(&ev, txn, INV_DEV_REQ_TREQ_NO_ATS);
		ev.flags |= EVENT_FLAG_TR;
		amd_report(m, d, &ev);
		return;
	}
	resp->ok = true;
	if (!d->gv && !d->mode) {
		resp->r = d->ir;
		resp->w = d->iw;
		resp->addr = txn->addr & ~0xfffULL;
		resp->size_lg2 = 12;
		return;
	}
	/* A fault is the answer (no permission), not an event. */
	if (amd_xlate(m, d, txn, true, &x, &ev))
		return;
	resp->r = x.perm & PT_PERM_R;
	resp->w = x.perm & PT_PERM_W;
	resp->addr = x.oa_page;
	resp->size_lg2 = x.size_lg2;
}

void amd_iommu_model_ats_request(struct amd_iommu_model *m, const struct amd_iommu_txn *txn,
				 struct amd_iommu_ats_resp *resp)
{
	amd_lock(m);
	amd_ats_locked(m, txn, resp);
	amd_unlock(m);
}

void amd_iommu_model_devtlb_translate(struct amd_iommu_model *m,
				      const struct amd_iommu_txn *txn,
				      struct amd_iommu_txn_result *res)
{
	struct amd_devtlb_key key = {};
	struct amd_iommu_ats_resp resp;

	key.page = txn->addr & ~0xfffULL;
	key.pasid = txn->pasid_present ? txn->pasid : AMD_NO_PASID;
	key.devid = txn->devid;
	*res = {};
	res->status = AMD_IOMMU_TXN_ABORT;

	amd_lock(m);
	auto it = m->devtlb.find(key);
	if (it != m->devtlb.end()) {
		m->stats.devtlb_hits++;
	} else {
		m->stats.devtlb_misses++;
		amd_ats_locked(m, txn, &resp);
		if (resp.ok && (resp.r || resp.w)) {
			u64 off = (txn->addr & ~0xfffULL) & ((1ULL << resp.size_lg2) - 1);

			it = m->devtlb.insert({ key, { resp.addr + off, resp.r, resp.w } }).first;
		}
	}
	if (it != m->devtlb.end() && (txn->write ? it->second.w : it->second.r)) {
		res->status = AMD_IOMMU_TXN_OK;
		res->pa = it->second.addr + (txn->addr & 0xfff);
		res->contig = 4096 - (txn->addr & 0xfff);
	}
	amd_unlock(m);
}

enum amd_iommu_ppr_status amd_iommu_model_page_request(struct amd_iommu_model *m,
						       const struct amd_iommu_page_req *req)
{
	struct amd_iommu_ppr_entry e = {};
	const struct amd_dte *d = NULL;
	struct amd_event ev;
	bool queued = false;
	u32 flags;

	amd_lock(m);
	m->stats.pprs++;
	if (!amd_ctrl(m, CONTROL_IOMMU_EN))
		goto out;
	if (amd_get_dte(m, req->devid, &d, &ev)) {
		ev.addr = ev.type == EVENT_TYPE_ILL_DEV ? req->addr : ev.addr;
		amd_log_event(m, &ev);
		goto out;
	}
	if (!amd_ctrl(m, CONTROL_PPR_EN) || !d->v || !d->ppr) {
		ev = {};
		ev.type = EVENT_TYPE_INV_PPR_REQ;
		ev.devid = req->devid;
		ev.addr = req->addr;
		ev.tag = req->pasid_present ? req->pasid : 0;
		ev.flags = req->pasid_present ? EVENT_FLAG_GN : 0;
		amd_log_event(m, &ev);
		goto out;
	}
	flags = (req->read ? PPR_FLAG_READ : 0) | (req->write ? PPR_FLAG_WRITE : 0) |
		(req->exec ? PPR_FLAG_EXEC : 0) | (req->priv ? 0 : PPR_FLAG_US) |
		(req->pasid_present ? PPR_FLAG_GN : 0);
	e.raw[0] = FIELD_PREP(PPR_0_DEVID, req->devid) |
		   FIELD_PREP(PPR_0_PASID1, req->pasid & 0xffff) |
		   FIELD_PREP(PPR_0_TAG, req->tag & 0x1ff) |
		   FIELD_PREP(PPR_0_PASID2, (req->pasid >> 16) & 0xf) |
		   FIELD_PREP(PPR_0_FLAGS, flags) | FIELD_PREP(PPR_0_TYPE, PPR_REQ_FAULT);
	e.raw[1] = req->addr & ~0xfffULL;
	if (d->gid != AMD_NO_GUEST) {
		e.raw[0] = (e.raw[0] & ~PPR_0_DEVID) | FIELD_PREP(PPR_0_DEVID, d->gdevid);
		queued = amd_viommu_log_ppr(m, d->gid, &e);
	} else {
		queued = amd_log_ppr(m, &e);
	}
out:
	if (!queued)
		m->stats.pprs_lost++;
	amd_unlock(m);
	return queued ? AMD_IOMMU_PPR_QUEUED : AMD_IOMMU_PPR_DISCARDED;
}
