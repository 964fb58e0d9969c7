// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration lookup (IHI 0070, chapter 5 and 3.3): StreamID to STE
 * through a linear or 2-level stream table, SubstreamID to CD through a
 * linear or 2-level CD table, and the decode of both into what
 * translation needs, with the spec's errors for everything malformed:
 *
 *  - C_BAD_STREAMID: a StreamID beyond IDR1.SIDSIZE or the table, an
 *    invalid level-1 descriptor, or one whose SPAN does not cover it;
 *  - F_STE_FETCH / F_CD_FETCH: a table address with no memory behind it;
 *  - C_BAD_STE: V clear, a reserved Config, a stage the SMMU lacks, or any
 *    field combination the spec calls ILLEGAL, and non-zero reserved bits
 *    in words 0-3 (words 4-7 hold Secure, MPAM and realm fields the model
 *    does not implement and are not checked);
 *  - C_BAD_SUBSTREAMID: a SubstreamID beyond S1CDMax/SSIDSIZE, SSID 0 with
 *    S1DSS=SSID0, a SubstreamID for a stream without stage 1, an invalid
 *    level-1 CD descriptor;
 *  - C_BAD_CD: V clear, AArch32 tables, big-endian tables, a T0SZ or
 *    granule the SMMU does not support, reserved bits.
 *
 * In a nested STE the CD table is an IPA: each CD and level-1 descriptor
 * fetch goes through stage 2, whose faults are reported with S2 set and
 * CLASS=CD.
 *
 * Decoded STEs and CDs are cached (by StreamID, and by StreamID and
 * SubstreamID) until a CFGI command drops them; a failed lookup is not
 * cached, so an entry that was invalid needs no invalidation to become
 * usable (the driver issues one anyway). CFGI_STE also drops the stream's
 * CDs, since they were found through it. Level-1 descriptors are not
 * cached.
 */
#include "drivers/arm-smmu-v3/model/model_internal.h"

static int smmuv3_cfg_fault(struct smmuv3_fault_info *fi, u8 event, u64 fetch_addr)
{
	fi->event = event;
	fi->fetch_addr = fetch_addr;
	fi->record = true;
	return event;
}

/* ----- Stream table ----- */

/* The address of @sid's STE, or an event. */
static int smmuv3_ste_addr(struct smmuv3_model *m, u32 sid, u64 *addr,
			   struct smmuv3_fault_info *fi)
{
	u64 base = m->strtab_base & STRTAB_BASE_ADDR_MASK;
	unsigned int log2size = FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, m->strtab_base_cfg);
	unsigned int fmt = FIELD_GET(STRTAB_BASE_CFG_FMT, m->strtab_base_cfg);
	unsigned int split = FIELD_GET(STRTAB_BASE_CFG_SPLIT, m->strtab_base_cfg);
	u64 l1, l1_addr;
	unsigned int span;

	/* A table larger than SIDSIZE is cut to it. */
	log2size = min(log2size, (unsigned int)m->cfg.sidsize);
	if (m->cfg.sidsize < 32 && sid >> m->cfg.sidsize)
		return smmuv3_cfg_fault(fi, EVT_ID_BAD_STREAMID_CONFIG, 0);
	if (log2size < 32 && sid >> log2size)
		return smmuv3_cfg_fault(fi, EVT_ID_BAD_STREAMID_CONFIG, 0);

	if (fmt == STRTAB_BASE_CFG_FMT_LINEAR) {
		*addr = base + (u64)sid * sizeof(struct arm_smmu_ste);
		return 0;
	}
	/*
	 * A 2-level table on an SMMU without them, a reserved FMT or a SPLIT
	 * the architecture does not define: CONSTRAINED UNPREDICTABLE; the
	 * model finds no STE for any StreamID.
	 */
	if (fmt != STRTAB_BASE_CFG_FMT_2LVL || !m->cfg.st_2lvl ||
	    (split != STRTAB_SPLIT_4K && split != STRTAB_SPLIT_16K && split != STRTAB_SPLIT_64K))
		return smmuv3_cfg_fault(fi, EVT_ID_BAD_STREAMID_CONFIG, 0);
	/* The level-1 table is 64-byte aligned whatever its size. */
	l1_addr = base + (u64)(sid >> split) * sizeof(struct arm_smmu_strtab_l1);
	if (phys_read(l1_addr, &l1, sizeof(l1)))
		return smmuv3_cfg_fault(fi, EVT_ID_STE_FETCH_FAULT, l1_addr);
	span = FIELD_GET(STRTAB_L1_DESC_SPAN, l1);
	/* SPAN 0 is an invalid descriptor; one above SPLIT + 1 is ILLEGAL. */
	if (!span || span > split + 1 || (l1 & STRTAB_L1_DESC_RES0))
		return smmuv3_cfg_fault(fi, EVT_ID_BAD_STREAMID_CONFIG, 0);
	if ((sid & ((1U << split) - 1)) >> (span - 1))
		return smmuv3_cfg_fault(fi, EVT_ID_BAD_STREAMID_CONFIG, 0);
	*addr = (l1 & STRTAB_L1_DESC_L2PTR_MASK) +
		(u64)(sid & ((1U << split) - 1)) * sizeof(struct arm_smmu_ste);
	return 0;
}

/* The top level and granule of an ARM table: 0, or -EINVAL for an unsupported shape. */
static int smmuv3_granule(struct smmuv3_model *m, unsigned int granule_lg2, enum pt_fmt_id *fmt)
{
	switch (granule_lg2) {
	case 12:
		*fmt = PT_FMT_ARMV8_4K;
		return m->cfg.gran4k ? 0 : -EINVAL;
	case 14:
		*fmt = PT_FMT_ARMV8_16K;
		return m->cfg.gran16k ? 0 : -EINVAL;
	case 16:
		*fmt = PT_FMT_ARMV8_64K;
		return m->cfg.gran64k ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static unsigned int smmuv3_item_lg2(unsigned int granule_lg2, unsigned int level)
{
	return granule_lg2 + level * (granule_lg2 - 3);
}

static u8 smmuv3_hw_updates(struct smmuv3_model *m, bool ha, bool hd)
{
	u8 hw = 0;

	if (ha && m->cfg.httu >= IDR0_HTTU_ACCESS)
		hw |= PT_HW_UPDATE_ACCESSED;
	if (ha && hd && m->cfg.httu >= IDR0_HTTU_ACCESS_DIRTY)
		hw |= PT_HW_UPDATE_DIRTY;
	return hw;
}

/* STE words 2-3: the stage-2 table. 0, or -EINVAL when ILLEGAL. */
static int smmuv3_decode_s2(struct smmuv3_model *m, const u64 *raw, struct smmuv3_ste *ste)
{
	u64 vtcr = FIELD_GET(STRTAB_STE_2_VTCR, raw[2]);
	unsigned int t0sz = FIELD_GET(STRTAB_STE_2_VTCR_S2T0SZ, vtcr);
	unsigned int sl0 = FIELD_GET(STRTAB_STE_2_VTCR_S2SL0, vtcr);
	unsigned int tg = FIELD_GET(STRTAB_STE_2_VTCR_S2TG, vtcr);
	unsigned int ps = FIELD_GET(STRTAB_STE_2_VTCR_S2PS, vtcr);
	unsigned int g, top, vasz = 64 - t0sz, resolved;
	u64 ttb = raw[3] & STRTAB_STE_3_S2TTB_MASK;
	enum pt_fmt_id fmt;

	if (!(raw[2] & STRTAB_STE_2_S2AA64) || (raw[2] & STRTAB_STE_2_S2ENDI))
		return -EINVAL;
	g = tg == ARM_SMMU_S2TG_4K ? 12 : tg == ARM_SMMU_S2TG_16K ? 14 :
	    tg == ARM_SMMU_S2TG_64K ? 16 : 0;
	if (smmuv3_granule(m, g, &fmt))
		return -EINVAL;
	/* The IPA size the SMMU supports bounds S2T0SZ; 25 bits is the smallest. */
	if (t0sz > 64 || vasz > smmuv3_ias_bits(m) || vasz < 25)
		return -EINVAL;
	/* S2SL0 picks the starting level, counted down from ARM level 3 (ours 0). */
	if (g == 12)
		top = sl0 == 0 ? 1 : sl0 == 1 ? 2 : sl0 == 2 ? 3 : 99;
	else
		top = sl0 == 3 && g == 16 ? 99 : sl0;
	if (top > (g == 16 ? 2u : 3u))
		return -EINVAL;
	/*
	 * The start level must resolve at least one bit and at most a table's
	 * worth: a start level that would need concatenated tables is not
	 * modelled (generic_pt does not describe them), and reads as ILLEGAL.
	 */
	if (vasz <= smmuv3_item_lg2(g, top))
		return -EINVAL;
	resolved = vasz - smmuv3_item_lg2(g, top);
	if (resolved > g - 3)
		return -EINVAL;
	if (ttb >> smmuv3_oas_bits(m))
		return -EINVAL;
	ste->s2 = {};
	ste->s2.root = ttb;
	ste->s2.fmt = fmt;
	ste->s2.features = BIT_ULL(PT_FEAT_ARMV8_S2);
	ste->s2.top_level = top;
	ste->s2.vasz_lg2 = vasz;
	ste->s2.oasz_lg2 = min(arm_smmu_oas_bits(ps), smmuv3_oas_bits(m));
	ste->s2.hw = smmuv3_hw_updates(m, raw[2] & STRTAB_STE_2_S2HA, raw[2] & STRTAB_STE_2_S2HD);
	ste->vmid = FIELD_GET(STRTAB_STE_2_S2VMID, raw[2]) & (m->cfg.vmid16 ? 0xffff : 0xff);
	ste->s2r = raw[2] & STRTAB_STE_2_S2R;
	return 0;
}

/* 0, or -EINVAL when the STE is invalid or ILLEGAL (C_BAD_STE). */
static int smmuv3_decode_ste(struct smmuv3_model *m, const u64 *raw, struct smmuv3_ste *ste)
{
	unsigned int cfg = FIELD_GET(STRTAB_STE_0_CFG, raw[0]);
	bool s1, s2;

	memcpy(ste->raw, raw, sizeof(ste->raw));
	if (!(raw[0] & STRTAB_STE_0_V))
		return -EINVAL;
	if (cfg != STRTAB_STE_0_CFG_ABORT && cfg < STRTAB_STE_0_CFG_BYPASS)
		return -EINVAL;
	ste->config = cfg;
	if (cfg == STRTAB_STE_0_CFG_ABORT)
		return 0;
	if ((raw[0] & STRTAB_STE_0_RES0) || (raw[1] & STRTAB_STE_1_RES0) ||
	    (raw[2] & STRTAB_STE_2_RES0) || (raw[3] & STRTAB_STE_3_RES0))
		return -EINVAL;
	s1 = cfg & 1;
	s2 = cfg & 2;
	if ((s1 && !m->cfg.s1p) || (s2 && !m->cfg.s2p))
		return -EINVAL;

	ste->eats = FIELD_GET(STRTAB_STE_1_EATS, raw[1]);
	if (!m->cfg.ats)
		ste->eats = 0;	/* RES0 without ATS */
	if (ste->eats == 3)
		return -EINVAL;
	ste->strw = FIELD_GET(STRTAB_STE_1_STRW, raw[1]);
	if (ste->strw == 1 || (ste->strw >= STRTAB_STE_1_STRW_EL2 && (!m->cfg.hyp || s2)))
		return -EINVAL;
	if (cfg == STRTAB_STE_0_CFG_BYPASS)
		return 0;

	if (s1) {
		ste->s1fmt = FIELD_GET(STRTAB_STE_0_S1FMT, raw[0]);
		ste->s1cdmax = FIELD_GET(STRTAB_STE_0_S1CDMAX, raw[0]);
		ste->s1dss = FIELD_GET(STRTAB_STE_1_S1DSS, raw[1]);
		ste->s1ctxptr = raw[0] & STRTAB_STE_0_S1CTXPTR_MASK;
		if (ste->s1cdmax > m->cfg.ssidsize)
			return -EINVAL;
		if (ste->s1cdmax) {
			if (ste->s1fmt == 3 ||
			    (ste->s1fmt != STRTAB_STE_0_S1FMT_LINEAR && !m->cfg.cd_2lvl))
				return -EINVAL;
			if (ste->s1dss == 3)
				return -EINVAL;
		} else {
			ste->s1fmt = STRTAB_STE_0_S1FMT_LINEAR;
		}
		/* A stage-1-only CD table pointer is a PA; nested, an IPA checked by stage 2. */
		if (!s2 && (ste->s1ctxptr >> smmuv3_oas_bits(m)))
			return -EINVAL;
	}
	if (s2 && smmuv3_decode_s2(m, raw, ste))
		return -EINVAL;
	if (!s2 && m->cfg.s2p) {
		/* Stage 1 only: S2VMID still tags its TLB entries. */
		ste->vmid = FIELD_GET(STRTAB_STE_2_S2VMID, raw[2]) & (m->cfg.vmid16 ? 0xffff : 0xff);
	}
	return 0;
}

int smmuv3_get_ste(struct smmuv3_model *m, u32 sid, const struct smmuv3_ste **out,
		   struct smmuv3_fault_info *fi)
{
	struct smmuv3_ste ste = {};
	u64 raw[STRTAB_STE_DWORDS];
	u64 addr;
	int rc;

	*out = smmuv3_cache_lookup(m->ste_cache, sid, &m->stats.ste_hits, &m->stats.ste_misses);
	if (*out)
		return 0;
	rc = smmuv3_ste_addr(m, sid, &addr, fi);
	if (rc)
		return rc;
	if (phys_read(addr, raw, sizeof(raw)))
		return smmuv3_cfg_fault(fi, EVT_ID_STE_FETCH_FAULT, addr);
	if (smmuv3_decode_ste(m, raw, &ste))
		return smmuv3_cfg_fault(fi, EVT_ID_BAD_STE_CONFIG, 0);
	*out = smmuv3_cache_insert(m->ste_cache, sid, ste, SMMUV3_CFG_MAX);
	return 0;
}

/* ----- Context descriptors ----- */

/*
 * Reads @len bytes of the CD table at @addr: a PA, or in a nested STE an
 * IPA that stage 2 translates first (its faults are CLASS=CD, S2).
 */
static int smmuv3_cd_fetch(struct smmuv3_model *m, const struct smmuv3_ste *ste, u64 addr,
			   void *buf, size_t len, struct smmuv3_fault_info *fi)
{
	u64 pa = addr;

	if (ste->config == STRTAB_STE_0_CFG_NESTED) {
		struct pt_walk_result r;

		m->stats.walks++;
		if (pt_walk(&ste->s2, addr, PT_ACCESS_READ | PT_ACCESS_PRIV, &r)) {
			fi->event = smmuv3_walk_event(r.fault);
			fi->s2 = true;
			fi->cls = EVTQ_1_CLASS_CD;
			fi->ipa = addr;
			fi->record = ste->s2r || fi->event == EVT_ID_WALK_EABT;
			return fi->event;
		}
		pa = r.oa;
	}
	if (phys_read(pa, buf, len))
		return smmuv3_cfg_fault(fi, EVT_ID_CD_FETCH_FAULT, pa);
	return 0;
}

/* 0, or -EINVAL when the CD is invalid or ILLEGAL (C_BAD_CD). */
static int smmuv3_decode_cd(struct smmuv3_model *m, const struct smmuv3_ste *ste, const u64 *raw,
			    struct smmuv3_cd *cd)
{
	unsigned int t0sz = FIELD_GET(CTXDESC_CD_0_TCR_T0SZ, raw[0]);
	unsigned int tg0 = FIELD_GET(CTXDESC_CD_0_TCR_TG0, raw[0]);
	unsigned int ips = FIELD_GET(CTXDESC_CD_0_TCR_IPS, raw[0]);
	unsigned int oasz = min(arm_smmu_oas_bits(ips), smmuv3_oas_bits(m));
	u8 hw = smmuv3_hw_updates(m, raw[0] & CTXDESC_CD_0_TCR_HA, raw[0] & CTXDESC_CD_0_TCR_HD);
	unsigned int g;

	memcpy(cd->raw, raw, sizeof(cd->raw));
	if (!(raw[0] & CTXDESC_CD_0_V))
		return -EINVAL;
	if (!(raw[0] & CTXDESC_CD_0_AA64) || (raw[0] & CTXDESC_CD_0_ENDI))
		return -EINVAL;
	if ((raw[1] & CTXDESC_CD_1_RES0) || (raw[2] & CTXDESC_CD_2_RES0) ||
	    (raw[6] & CTXDESC_CD_6_RES0) || (raw[7] & CTXDESC_CD_7_RES0))
		return -EINVAL;
	/*
	 * CD.S needs STALL_MODEL "stall and terminate", and is ILLEGAL under
	 * an STE with S1STALLD.
	 */
	if ((raw[0] & CTXDESC_CD_0_S) &&
	    (!m->cfg.stall || (ste->raw[1] & STRTAB_STE_1_S1STALLD)))
		return -EINVAL;
	cd->stall = raw[0] & CTXDESC_CD_0_S;
	cd->asid = FIELD_GET(CTXDESC_CD_0_ASID, raw[0]) & (m->cfg.asid16 ? 0xffff : 0xff);
	cd->record = raw[0] & CTXDESC_CD_0_R;
	cd->abort_on_fault = raw[0] & CTXDESC_CD_0_A;
	cd->epd0 = raw[0] & CTXDESC_CD_0_TCR_EPD0;
	cd->epd1 = raw[0] & CTXDESC_CD_0_TCR_EPD1;
	cd->tbi0 = raw[0] & CTXDESC_CD_0_TCR_TBI0;
	cd->tbi1 = raw[0] & CTXDESC_CD_0_TCR_TBI1;

	if (!cd->epd0) {
		g = tg0 == ARM_SMMU_TG0_4K ? 12 : tg0 == ARM_SMMU_TG0_16K ? 14 :
		    tg0 == ARM_SMMU_TG0_64K ? 16 : 0;
		/* T0SZ 16..39: 48- to 25-bit input ranges. */
		if (smmuv3_granule(m, g, &cd->ttb0.fmt) || t0sz < 16 || t0sz > 39)
			return -EINVAL;
		cd->ttb0.root = raw[1] & CTXDESC_CD_1_TTB0_MASK;
		cd->ttb0.vasz_lg2 = 64 - t0sz;
		cd->ttb0.top_level = DIV_ROUND_UP(cd->ttb0.vasz_lg2 - g, g - 3) - 1;
		cd->ttb0.oasz_lg2 = oasz;
		cd->ttb0.hw = hw;
	}
	if (!cd->epd1) {
		unsigned int t1sz = FIELD_GET(CTXDESC_CD_0_TCR_T1SZ, raw[0]);
		unsigned int tg1 = FIELD_GET(CTXDESC_CD_0_TCR_TG1, raw[0]);

		/* TG1 has its own encoding: 1 16K, 2 4K, 3 64K. */
		g = tg1 == 1 ? 14 : tg1 == 2 ? 12 : tg1 == 3 ? 16 : 0;
		if (smmuv3_granule(m, g, &cd->ttb1.fmt) || t1sz < 16 || t1sz > 39)
			return -EINVAL;
		cd->ttb1.root = raw[2] & CTXDESC_CD_2_TTB1_MASK;
		cd->ttb1.vasz_lg2 = 64 - t1sz;
		cd->ttb1.top_level = DIV_ROUND_UP(cd->ttb1.vasz_lg2 - g, g - 3) - 1;
		cd->ttb1.oasz_lg2 = oasz;
		cd->ttb1.hw = hw;
	}
	return 0;
}

int smmuv3_get_cd(struct smmuv3_model *m, const struct smmuv3_ste *ste, u32 sid, u32 ssid,
		  const struct smmuv3_cd **out, struct smmuv3_fault_info *fi)
{
	struct smmuv3_cd_key key = { .sid = sid, .ssid = ssid };
	struct smmuv3_cd cd = {};
	u64 raw[CTXDESC_CD_DWORDS];
	u64 addr = ste->s1ctxptr;
	int rc;

	*out = smmuv3_cache_lookup(m->cd_cache, key, &m->stats.cd_hits, &m->stats.cd_misses);
	if (*out)
		return 0;
	if (ste->s1fmt == STRTAB_STE_0_S1FMT_LINEAR) {
		addr += (u64)ssid * sizeof(struct arm_smmu_cd);
	} else {
		unsigned int l2_lg2 = ste->s1fmt == STRTAB_STE_0_S1FMT_64K_L2 ? 10 : 6;
		u64 l1;

		rc = smmuv3_cd_fetch(m, ste, addr + (u64)(ssid >> l2_lg2) * sizeof(l1), &l1,
				     sizeof(l1), fi);
		if (rc)
			return rc;
		if (!(l1 & CTXDESC_L1_DESC_V))
			return smmuv3_cfg_fault(fi, EVT_ID_BAD_SUBSTREAMID_CONFIG, 0);
		addr = (l1 & CTXDESC_L1_DESC_L2PTR_MASK) +
		       (u64)(ssid & ((1U << l2_lg2) - 1)) * sizeof(struct arm_smmu_cd);
	}
	rc = smmuv3_cd_fetch(m, ste, addr, raw, sizeof(raw), fi);
	if (rc)
		return rc;
	if (smmuv3_decode_cd(m, ste, raw, &cd))
		return smmuv3_cfg_fault(fi, EVT_ID_BAD_CD_CONFIG, 0);
	*out = smmuv3_cache_insert(m->cd_cache, key, cd, SMMUV3_CFG_MAX);
	return 0;
}

/* ----- CFGI_* ----- */

/* Drops the STEs (and their CDs) of StreamIDs [sid, sid + nr), nr 0 meaning all. */
void smmuv3_cfgi_ste(struct smmuv3_model *m, u32 sid, u32 nr)
{
	auto in = [&](u32 s) { return !nr || (s >= sid && s - sid < nr); };

	std::erase_if(m->ste_cache, [&](const auto &e) { return in(e.first); });
	std::erase_if(m->cd_cache, [&](const auto &e) { return in(e.first.sid); });
}

void smmuv3_cfgi_cd(struct smmuv3_model *m, u32 sid, u32 ssid, bool all)
{
	std::erase_if(m->cd_cache, [&](const auto &e) {
		return e.first.sid == sid && (all || e.first.ssid == ssid);
	});
}
