// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance of the VT-d model to the VT-d specification, suite by
 * section: registers and the GCMD protocol (11.4, 10.4), root, context
 * and PASID entries with their fault reasons (9.1 - 9.6, 7.1.3),
 * translation (3.6 - 3.8), queued invalidation (6.5.2), invalidation
 * scope (6.5), fault recording (7.2) and page requests (7.5). Each test
 * drives the model through MMIO and fake physical memory as a driver would.
 */
#include "vtd_test.h"

#define SID 0x0308	/* 03:01.0 */
#define DID 7
#define PASID 0x4321
#define IOVA 0x12345000ULL

static struct vtd_test *sm_test(struct kunit *test)
{
	return vtd_test_create(test, nullptr, true);
}

/* The one fault recorded since the last check is @reason for @sid. */
static void expect_fault(struct vtd_test *t, u8 reason, u16 sid)
{
	struct vtd_fault_rec rec;

	KUNIT_ASSERT_TRUE(t->test, vtd_fault_pop(t, &rec));
	KUNIT_EXPECT_EQ(t->test, rec.reason, reason);
	KUNIT_EXPECT_EQ(t->test, rec.sid, sid);
	KUNIT_EXPECT_FALSE(t->test, vtd_fault_pop(t, &rec));
	vtd_wr(t, DMAR_FSTS_REG, DMA_FSTS_RW1C);
}

static void expect_no_fault(struct vtd_test *t)
{
	struct vtd_fault_rec rec;

	KUNIT_EXPECT_FALSE(t->test, vtd_fault_pop(t, &rec));
}

/* A second-stage-only PASID entry for RID_PASID 0 of SID over a fresh table. */
static u64 *make_ss(struct vtd_test *t, u16 did, bool ssade)
{
	u64 *pt = vtd_pt_alloc(t);
	u64 pe[8];

	vtd_sm_ctx_default(t, SID);
	vtd_pasid_ss(pe, vtd_pa(pt), did, ssade);
	vtd_pasid_set(t, 0, pe);
	return pt;
}

static u64 *make_fs(struct vtd_test *t, u32 pasid, u16 did)
{
	u64 *pt = vtd_pt_alloc(t);
	u64 pe[8];

	vtd_sm_ctx_default(t, SID);
	vtd_pasid_fs(pe, vtd_pa(pt), did);
	vtd_pasid_set(t, pasid, pe);
	return pt;
}

/* ----- 11.4: registers ----- */

static void regs_cap_ecap_reflect_cfg(struct kunit *test)
{
	struct vtd_test *t = vtd_test_create_raw(test, nullptr, true);
	u64 cap = vtd_rdq(t, DMAR_CAP_REG), ecap = vtd_rdq(t, DMAR_ECAP_REG);

	KUNIT_EXPECT_EQ(test, DMAR_VER_MAJOR(vtd_rd(t, DMAR_VER_REG)), 6U);
	KUNIT_EXPECT_EQ(test, cap_sagaw(cap), (unsigned int)(DMA_SAGAW_48 | DMA_SAGAW_57));
	KUNIT_EXPECT_EQ(test, cap_mgaw(cap), 57U);
	KUNIT_EXPECT_EQ(test, cap_num_fault_regs(cap), 8U);
	KUNIT_EXPECT_EQ(test, cap_fault_reg_offset(cap), VTD_MODEL_FRCD_REG);
	KUNIT_EXPECT_EQ(test, ecap_iotlb_offset(ecap), VTD_MODEL_IOTLB_REG);
	KUNIT_EXPECT_EQ(test, cap_ndoms(cap), 1UL << 16);
	KUNIT_EXPECT_TRUE(test, cap_pgsel_inv(cap) && cap_fl5lp_support(cap) && cap_fl1gp_support(cap));
	KUNIT_EXPECT_TRUE(test, ecap_smts(ecap) && ecap_pasid(ecap) && ecap_nest(ecap) &&
				ecap_prs(ecap) && ecap_slads(ecap) && ecap_qis(ecap) &&
				ecap_dev_iotlb_support(ecap) && ecap_pds(ecap));
	KUNIT_EXPECT_EQ(test, ecap_pss(ecap), 19U);
	KUNIT_EXPECT_EQ(test, cap & DMA_CAP_RES0, 0ULL);
	KUNIT_EXPECT_EQ(test, ecap & DMA_ECAP_RES0, 0ULL);
	/* Read-only. */
	vtd_wrq(t, DMAR_CAP_REG, 0);
	KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_CAP_REG), cap);
	/* Events come out of reset masked. */
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_FECTL_REG), DMA_FECTL_IM);
}

static void regs_bad_cfg_rejected(struct kunit *test)
{
	struct vtd_model_cfg cfg;
	struct vtd_model *m;

	vtd_model_cfg_default(&cfg);
	cfg.smts = false;	/* PASIDs without scalable mode */
	m = vtd_model_create(&cfg, nullptr, nullptr);
	KUNIT_EXPECT_EQ(test, PTR_ERR(m), -EINVAL);
	vtd_model_cfg_default(&cfg);
	cfg.sagaw = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vtd_model_create(&cfg, nullptr, nullptr)), -EINVAL);
	vtd_model_cfg_default(&cfg);
	cfg.nfr = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vtd_model_create(&cfg, nullptr, nullptr)), -EINVAL);
}

static void regs_gcmd_protocol(struct kunit *test)
{
	struct vtd_test *t = vtd_test_create_raw(test, nullptr, true);

	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_GSTS_REG), 0U);
	vtd_wrq(t, DMAR_RTADDR_REG, vtd_pa(t->root) | DMA_RTADDR_SMT);
	vtd_gcmd(t, DMA_GCMD_SRTP, true);
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_GSTS_REG), DMA_GSTS_RTPS);
	KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_RTADDR_REG), vtd_pa(t->root) | DMA_RTADDR_SMT);
	/* GCMD reads as zero; one-shot bits do not stick. */
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_GCMD_REG), 0U);
	vtd_wrq(t, DMAR_IQA_REG, vtd_pa(t->iq) | DMA_IQA_DW);
	vtd_gcmd(t, DMA_GCMD_QIE, true);
	KUNIT_EXPECT_TRUE(test, vtd_rd(t, DMAR_GSTS_REG) & DMA_GSTS_QIES);
	/* IQA is read-only while the queue is enabled. */
	vtd_wrq(t, DMAR_IQA_REG, 0);
	KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_IQA_REG), vtd_pa(t->iq) | DMA_IQA_DW);
	vtd_gcmd(t, DMA_GCMD_TE, true);
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_GSTS_REG),
			DMA_GSTS_TES | DMA_GSTS_QIES | DMA_GSTS_RTPS);
	/* WBF completes at once: WBFS reads 0. */
	vtd_gcmd(t, DMA_GCMD_WBF, true);
	KUNIT_EXPECT_FALSE(test, vtd_rd(t, DMAR_GSTS_REG) & DMA_GSTS_WBFS);
	vtd_gcmd(t, DMA_GCMD_TE, false);
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_GSTS_REG), DMA_GSTS_QIES | DMA_GSTS_RTPS);
}

/* Translation disabled: DMA goes to the address it carries. */
static void regs_te_clear_untranslated(struct kunit *test)
{
	struct vtd_test *t = vtd_test_create(test, nullptr, true);
	struct vtd_txn_result r;

	vtd_gcmd(t, DMA_GCMD_TE, false);
	r = vtd_dma(t, SID, 0xabc123, true);
	KUNIT_EXPECT_EQ(test, r.status, VTD_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, 0xabc123ULL);
}

/* Register-based invalidation (CCMD, IOTLB_REG) in legacy mode, without QI. */
static void regs_ccmd_iotlb_reg(struct kunit *test)
{
	struct vtd_test *t = vtd_test_create_raw(test, nullptr, false);
	u64 *pt = vtd_pt_alloc(t), *pt2 = vtd_pt_alloc(t);
	u64 hi = FIELD_PREP(CONTEXT_HI_AW, 2) | FIELD_PREP(CONTEXT_HI_DID, DID);
	unsigned int iotlb = VTD_MODEL_IOTLB_REG + DMAR_IOTLB_OFFSET;

	vtd_wrq(t, DMAR_RTADDR_REG, vtd_pa(t->root));
	vtd_gcmd(t, DMA_GCMD_SRTP, true);
	vtd_gcmd(t, DMA_GCMD_TE, true);
	vtd_pt_map(t, pt, IOVA, 0x100000, false, true);
	vtd_pt_map(t, pt2, IOVA, 0x200000, false, true);
	vtd_legacy_ctx(t, SID, vtd_pa(pt) | CONTEXT_LO_P, hi);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x100000ULL);

	/* A new context entry is not seen until the context cache is invalidated. */
	vtd_legacy_ctx(t, SID, vtd_pa(pt2) | CONTEXT_LO_P, hi);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x100000ULL);
	vtd_wrq(t, DMAR_CCMD_REG, DMA_CCMD_ICC | DMA_CCMD_DEVICE_INVL | DMA_CCMD_SID(SID));
	KUNIT_EXPECT_FALSE(test, vtd_rdq(t, DMAR_CCMD_REG) & DMA_CCMD_ICC);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DMA_CCMD_CAIG, vtd_rdq(t, DMAR_CCMD_REG)), 3ULL);
	/* ... and the IOTLB still holds the old translation until IOTLB_REG. */
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x100000ULL);
	vtd_wrq(t, iotlb, DMA_TLB_IVT | DMA_TLB_DSI_FLUSH | DMA_TLB_DID(DID + 1));
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x100000ULL);
	vtd_wrq(t, iotlb, DMA_TLB_IVT | DMA_TLB_DSI_FLUSH | DMA_TLB_DID(DID));
	KUNIT_EXPECT_FALSE(test, vtd_rdq(t, iotlb) & DMA_TLB_IVT);
	KUNIT_EXPECT_EQ(test, DMA_TLB_IAIG(vtd_rdq(t, iotlb)), 2U);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x200000ULL);
}

/* FECTL.IM holds a fault event in IP until software unmasks it. */
static void regs_fault_event_masking(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);

	vtd_wr(t, DMAR_FECTL_REG, DMA_FECTL_IM);
	vtd_dma(t, SID, IOVA, false);	/* no root entry: a fault */
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_FAULT], 0U);
	KUNIT_EXPECT_TRUE(test, vtd_rd(t, DMAR_FECTL_REG) & DMA_FECTL_IP);
	vtd_wr(t, DMAR_FECTL_REG, 0);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_FAULT], 1U);
	KUNIT_EXPECT_FALSE(test, vtd_rd(t, DMAR_FECTL_REG) & DMA_FECTL_IP);
	/* A second fault while PPF is set raises no new event. */
	vtd_dma(t, SID, IOVA, false);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_FAULT], 1U);
}

/* ----- 9.1 - 9.6: root, context and PASID entries ----- */

static void legacy_translate_and_faults(struct kunit *test)
{
	struct vtd_test *t = vtd_test_create(test, nullptr, false);
	u64 *pt = vtd_pt_alloc(t);
	u64 hi = FIELD_PREP(CONTEXT_HI_AW, 2) | FIELD_PREP(CONTEXT_HI_DID, DID);
	struct vtd_txn_result r;

	r = vtd_dma(t, SID, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, VTD_TXN_ABORT);
	expect_fault(t, DMAR_FR_ROOT_ENTRY_P, SID);

	vtd_legacy_ctx(t, SID, 0, 0);
	vtd_dma(t, SID, IOVA, false);
	expect_fault(t, DMAR_FR_CONTEXT_ENTRY_P, SID);

	vtd_pt_map(t, pt, IOVA, 0x300000, false, false);
	vtd_legacy_ctx(t, SID, vtd_pa(pt) | CONTEXT_LO_P, hi);
	r = vtd_dma(t, SID, IOVA + 0x10, false);
	KUNIT_EXPECT_EQ(test, r.status, VTD_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, 0x300010ULL);
	KUNIT_EXPECT_EQ(test, r.contig, 0x1000ULL - 0x10);
	vtd_dma(t, SID, IOVA, true);
	expect_fault(t, DMAR_FR_WRITE, SID);
	vtd_dma(t, SID, IOVA + 0x100000, false);
	expect_fault(t, DMAR_FR_READ, SID);

	/* Requests with a PASID have no place in legacy mode. */
	vtd_dma_pasid(t, SID, 1, IOVA, false);
	expect_fault(t, DMAR_FR_SM_RTA_LEGACY_PASID, SID);
}

struct bad_legacy_ctx {
	u64 lo, hi;
	u8 reason;
};

static void legacy_bad_context(struct kunit *test)
{
	struct vtd_test *t = vtd_test_create(test, nullptr, false);
	u64 *pt = vtd_pt_alloc(t);
	u64 ok_hi = FIELD_PREP(CONTEXT_HI_AW, 2) | FIELD_PREP(CONTEXT_HI_DID, DID);
	const struct bad_legacy_ctx bad[] = {
		{ CONTEXT_LO_P | BIT_ULL(5), ok_hi, DMAR_FR_CONTEXT_ENTRY_RSVD },
		{ CONTEXT_LO_P, ok_hi | BIT_ULL(40), DMAR_FR_CONTEXT_ENTRY_RSVD },
		{ CONTEXT_LO_P | FIELD_PREP(CONTEXT_LO_TT, 3), ok_hi, DMAR_FR_CONTEXT_ENTRY_INV },
		{ CONTEXT_LO_P, FIELD_PREP(CONTEXT_HI_AW, 1), DMAR_FR_CONTEXT_ENTRY_INV },
		{ CONTEXT_LO_P, FIELD_PREP(CONTEXT_HI_AW, 4), DMAR_FR_CONTEXT_ENTRY_INV },
	};

	for (const auto &b : bad) {
		vtd_legacy_ctx(t, SID, b.lo | vtd_pa(pt), b.hi);
		vtd_flush_ctx_global(t);
		vtd_dma(t, SID, IOVA, false);
		expect_fault(t, b.reason, SID);
	}
	/* FPD: the same fault, not recorded. */
	vtd_legacy_ctx(t, SID, CONTEXT_LO_P | CONTEXT_LO_FPD | BIT_ULL(5) | vtd_pa(pt), ok_hi);
	vtd_flush_ctx_global(t);
	KUNIT_EXPECT_FALSE(test, vtd_dma(t, SID, IOVA, false).recorded);
	expect_no_fault(t);
	/* Pass-through. */
	vtd_legacy_ctx(t, SID, CONTEXT_LO_P | FIELD_PREP(CONTEXT_LO_TT, CONTEXT_TT_PASS_THROUGH), ok_hi);
	vtd_flush_ctx_global(t);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, 0x777000, true).pa, 0x777000ULL);
}

static void sm_bad_root_and_context(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	struct sm_context_entry *ct;

	vtd_dma(t, SID, IOVA, false);
	expect_fault(t, DMAR_FR_SM_ROOT_P, SID);
	/* The upper half of the root entry serves devfn 128-255. */
	vtd_sm_ctx_default(t, SID);
	vtd_dma(t, SID | 0x80, IOVA, false);
	expect_fault(t, DMAR_FR_SM_ROOT_P, SID | 0x80);
	t->root[SID >> 8].lo |= BIT_ULL(3);
	vtd_dma(t, SID, IOVA, false);
	expect_fault(t, DMAR_FR_SM_ROOT_RSVD, SID);
	t->root[SID >> 8].lo &= ~BIT_ULL(3);

	ct = (struct sm_context_entry *)phys_to_virt(t->root[SID >> 8].lo & ROOT_ENTRY_CTP);
	vtd_dma(t, SID + 1, IOVA, false);
	expect_fault(t, DMAR_FR_SM_CTX_P, SID + 1);
	ct[(SID + 1) & 0x7f].val[0] = SM_CONTEXT_0_P | BIT_ULL(6) | vtd_pa(t->pasid_dir);
	vtd_dma(t, SID + 1, IOVA, false);
	expect_fault(t, DMAR_FR_SM_CTX_RSVD, SID + 1);
	ct[(SID + 1) & 0x7f].val[0] = SM_CONTEXT_0_P | vtd_pa(t->pasid_dir);
	ct[(SID + 1) & 0x7f].val[3] = 1;
	vtd_dma(t, SID + 1, IOVA, false);
	expect_fault(t, DMAR_FR_SM_CTX_RSVD, SID + 1);
	ct[(SID + 1) & 0x7f].val[3] = 0;
	/* PRE without DTE is an invalid programming. */
	ct[(SID + 1) & 0x7f].val[0] = SM_CONTEXT_0_P | SM_CONTEXT_0_PRE | vtd_pa(t->pasid_dir);
	vtd_dma(t, SID + 1, IOVA, false);
	expect_fault(t, DMAR_FR_SM_CTX_INV, SID + 1);
	/* PASIDE clear: a request with a PASID faults. */
	ct[(SID + 1) & 0x7f].val[0] = SM_CONTEXT_0_P | vtd_pa(t->pasid_dir);
	vtd_dma_pasid(t, SID + 1, 5, IOVA, false);
	expect_fault(t, DMAR_FR_SM_CTX_PASIDE, SID + 1);
	/* DTE clear: a Translated request faults. */
	struct vtd_txn txn = { .sid = SID + 1, .addr = IOVA, .ats_translated = true };
	struct vtd_txn_result r;
	vtd_model_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.status, VTD_TXN_ABORT);
	expect_fault(t, DMAR_FR_SM_CTX_DTE, SID + 1);
	/* Beyond the 512-entry (PDTS 2) PASID directory. */
	vtd_dma_pasid(t, SID, 512 << PASID_PDE_SHIFT, IOVA, false);
	expect_fault(t, DMAR_FR_SM_CTX_PASID_MAX, SID);
}

static void sm_root_table_bus_error(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);

	/* A root table where no memory is: the fetch fails. */
	vtd_wrq(t, DMAR_RTADDR_REG, 0x7f0000000000ULL | DMA_RTADDR_SMT);
	vtd_gcmd(t, DMA_GCMD_SRTP, true);
	vtd_dma(t, SID, IOVA, false);
	expect_fault(t, DMAR_FR_SM_ROOT_ACCESS, SID);
	/* TTM 10b is reserved. */
	vtd_wrq(t, DMAR_RTADDR_REG, vtd_pa(t->root) | FIELD_PREP(DMA_RTADDR_TTM, 2));
	vtd_gcmd(t, DMA_GCMD_SRTP, true);
	vtd_dma(t, SID, IOVA, false);
	expect_fault(t, DMAR_FR_SM_RTA_INVALID, SID);
}

struct bad_pasid_entry {
	int word;
	u64 set;
	u64 clear;
	u8 reason;
};

static void sm_bad_pasid_entries(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = vtd_pt_alloc(t);
	const struct bad_pasid_entry bad[] = {
		{ 0, 0, PASID_PTE_PRESENT, DMAR_FR_SM_PTE_P },
		{ 0, BIT_ULL(10), 0, DMAR_FR_SM_PTE_RSVD },
		{ 1, BIT_ULL(17), 0, DMAR_FR_SM_PTE_RSVD },
		{ 2, BIT_ULL(9), 0, DMAR_FR_SM_PTE_RSVD },
		{ 2, PASID_2_EAFE, 0, DMAR_FR_SM_PTE_RSVD },	/* no ECAP.EAFS */
		{ 5, 1, 0, DMAR_FR_SM_PTE_RSVD },
		{ 0, FIELD_PREP(PASID_0_PGTT, 5), PASID_0_PGTT, DMAR_FR_SM_PTE_INV },
		{ 0, 0, PASID_0_PGTT, DMAR_FR_SM_PTE_INV },
		{ 0, FIELD_PREP(PASID_0_AW, 1), PASID_0_AW, DMAR_FR_SM_PTE_INV },
		{ 2, FIELD_PREP(PASID_2_FLPM, 2), 0, DMAR_FR_SM_PTE_INV },
	};
	u64 good[8];

	vtd_sm_ctx_default(t, SID);
	vtd_pasid_ss(good, vtd_pa(pt), DID, false);
	for (const auto &b : bad) {
		u64 pe[8];

		memcpy(pe, good, sizeof(pe));
		if (b.word == 2 && b.reason == DMAR_FR_SM_PTE_INV)	/* FLPM matters with a first stage */
			pe[0] = (pe[0] & ~PASID_0_PGTT) |
				FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_NESTED);
		pe[b.word] = (pe[b.word] & ~b.clear) | b.set;
		vtd_pasid_set(t, PASID, pe);
		vtd_flush_pasid_cache(t, DID, PASID);
		vtd_dma_pasid(t, SID, PASID, IOVA, false);
		expect_fault(t, b.reason, SID);
	}

	/* Directory entry not present, then reserved. */
	vtd_dma_pasid(t, SID, PASID + (1 << PASID_PDE_SHIFT), IOVA, false);
	expect_fault(t, DMAR_FR_SM_PDE_P, SID);
	t->pasid_dir[PASID >> PASID_PDE_SHIFT] |= BIT_ULL(5);
	vtd_dma_pasid(t, SID, PASID + 1, IOVA, false);
	expect_fault(t, DMAR_FR_SM_PDE_RSVD, SID);
	t->pasid_dir[PASID >> PASID_PDE_SHIFT] &= ~BIT_ULL(5);

	/* A torn-down entry with FPD set faults silently. */
	u64 fpd[8] = { PASID_PTE_FPD };
	vtd_pasid_set(t, PASID + 2, fpd);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID + 2, IOVA, false).reason,
			DMAR_FR_SM_PTE_P);
	expect_no_fault(t);
}

static void sm_first_stage_request_checks(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_fs(t, PASID, DID);
	struct vtd_txn txn = { .sid = SID, .pasid = PASID, .pasid_present = true, .addr = IOVA };
	struct vtd_txn_result r;

	vtd_pt_map(t, pt, IOVA, 0x500000, true, true);
	txn.priv = true;
	vtd_model_translate(t->m, &txn, &r);
	expect_fault(t, DMAR_FR_SM_PTE_SRE, SID);
	txn.priv = false;
	txn.exec = true;
	vtd_model_translate(t->m, &txn, &r);
	expect_fault(t, DMAR_FR_SM_PTE_ERE, SID);
}

/* ----- 3.6 - 3.8: translation ----- */

static void xlate_first_stage_ad(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_fs(t, PASID, DID);
	struct vtd_txn_result r;

	vtd_pt_map(t, pt, IOVA, 0x500000, true, true);
	r = vtd_dma_pasid(t, SID, PASID, IOVA + 8, false);
	KUNIT_EXPECT_EQ(test, r.status, VTD_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, 0x500008ULL);
	KUNIT_EXPECT_TRUE(test, *vtd_pt_leaf(pt, IOVA) & DMA_FL_PTE_ACCESS);
	KUNIT_EXPECT_FALSE(test, *vtd_pt_leaf(pt, IOVA) & DMA_FL_PTE_DIRTY);
	/* The write hits the entry filled by the read and still sets D. */
	vtd_dma_pasid(t, SID, PASID, IOVA, true);
	KUNIT_EXPECT_TRUE(test, *vtd_pt_leaf(pt, IOVA) & DMA_FL_PTE_DIRTY);

	/* Not present, not canonical, user request to a supervisor page. */
	vtd_dma_pasid(t, SID, PASID, IOVA + 0x200000, false);
	expect_fault(t, DMAR_FR_SM_FS_P, SID);
	vtd_dma_pasid(t, SID, PASID, 0x0000900000000000ULL, false);
	expect_fault(t, DMAR_FR_SM_NON_CANONICAL, SID);
	vtd_pt_map(t, pt, IOVA + 0x1000, 0x501000, true, false);
	*vtd_pt_leaf(pt, IOVA + 0x1000) &= ~DMA_FL_PTE_US;
	vtd_dma_pasid(t, SID, PASID, IOVA + 0x1000, false);
	expect_fault(t, DMAR_FR_SM_US, SID);
	*vtd_pt_leaf(pt, IOVA + 0x1000) |= DMA_FL_PTE_US;
	vtd_dma_pasid(t, SID, PASID, IOVA + 0x1000, true);
	expect_fault(t, DMAR_FR_SM_WRITE, SID);
	*vtd_pt_leaf(pt, IOVA + 0x1000) |= BIT_ULL(51);
	vtd_dma_pasid(t, SID, PASID, IOVA + 0x1000, false);
	expect_fault(t, DMAR_FR_SM_FS_RSVD, SID);
}

static void xlate_second_stage_ssade(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_ss(t, DID, true);
	struct vtd_txn_result r;

	vtd_pt_map(t, pt, IOVA, 0x600000, false, true);
	r = vtd_dma(t, SID, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.pa, 0x600000ULL);
	KUNIT_EXPECT_TRUE(test, *vtd_pt_leaf(pt, IOVA) & DMA_SL_PTE_ACCESS);
	KUNIT_EXPECT_FALSE(test, *vtd_pt_leaf(pt, IOVA) & DMA_SL_PTE_DIRTY);
	vtd_dma(t, SID, IOVA, true);
	KUNIT_EXPECT_TRUE(test, *vtd_pt_leaf(pt, IOVA) & DMA_SL_PTE_DIRTY);
	/* Not present and read-only. */
	vtd_dma(t, SID, IOVA + 0x400000, false);
	expect_fault(t, DMAR_FR_SM_SS_P, SID);
	vtd_pt_map(t, pt, IOVA + 0x1000, 0x601000, false, false);
	vtd_dma(t, SID, IOVA + 0x1000, true);
	expect_fault(t, DMAR_FR_SM_WRITE, SID);
	/* Beyond the 48-bit AGAW. */
	vtd_dma(t, SID, 1ULL << 50, false);
	expect_fault(t, DMAR_FR_SM_ADDR_BEYOND_MGAW, SID);
}

static void xlate_second_stage_no_ssade(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_ss(t, DID, false);

	vtd_pt_map(t, pt, IOVA, 0x600000, false, true);
	vtd_dma(t, SID, IOVA, true);
	KUNIT_EXPECT_FALSE(test, *vtd_pt_leaf(pt, IOVA) & (DMA_SL_PTE_ACCESS | DMA_SL_PTE_DIRTY));
}

static void xlate_nested(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *fs = vtd_pt_alloc(t), *ss = vtd_pt_alloc(t);
	u64 pe[8];
	struct vtd_txn_result r;

	vtd_sm_ctx_default(t, SID);
	/* Guest addresses equal host ones for the tables; the output GPA 0x700000 -> 0x900000. */
	vtd_pt_map(t, fs, IOVA, 0x700000, true, true);
	vtd_ss_map_fs_tables(t, ss, fs, IOVA);
	vtd_pt_map(t, ss, 0x700000, 0x900000, false, true);
	vtd_pasid_nested(pe, vtd_pa(fs), vtd_pa(ss), DID);
	vtd_pasid_set(t, PASID, pe);
	r = vtd_dma_pasid(t, SID, PASID, IOVA, true);
	KUNIT_EXPECT_EQ(test, r.status, VTD_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, 0x900000ULL);
	KUNIT_EXPECT_TRUE(test, *vtd_pt_leaf(fs, IOVA) & DMA_FL_PTE_DIRTY);

	/* The output GPA unmapped in stage 2: a second-stage fault. */
	vtd_pt_map(t, fs, IOVA + 0x1000, 0x710000, true, true);
	vtd_dma_pasid(t, SID, PASID, IOVA + 0x1000, false);
	expect_fault(t, DMAR_FR_SM_SS_P, SID);
}

/*
 * A first-stage table pointer at a GPA stage 2 does not map: the walk never
 * reads that memory, even though a valid-looking table sits at the same
 * host address.
 */
static void xlate_nested_walk_confined(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *fs = vtd_pt_alloc(t), *ss = vtd_pt_alloc(t), *leaf;
	u64 pe[8];
	struct vtd_txn_result r;

	vtd_sm_ctx_default(t, SID);
	vtd_pt_map(t, fs, IOVA, 0x700000, true, true);
	vtd_pt_map(t, ss, 0x700000, 0x900000, false, true);
	/* Only the FS root is mapped in stage 2. */
	vtd_pt_map(t, ss, vtd_pa(fs), vtd_pa(fs), false, true);
	vtd_pasid_nested(pe, vtd_pa(fs), vtd_pa(ss), DID);
	vtd_pasid_set(t, PASID, pe);
	r = vtd_dma_pasid(t, SID, PASID, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, VTD_TXN_ABORT);
	expect_fault(t, DMAR_FR_SM_FS_NESTED_READ, SID);
	leaf = vtd_pt_leaf(fs, IOVA);
	KUNIT_EXPECT_FALSE(test, *leaf & DMA_FL_PTE_ACCESS);

	/* Stage 2 read-only for the FS tables: the A/D write-back is refused. */
	vtd_ss_map_fs_tables(t, ss, fs, IOVA);
	*vtd_pt_leaf(ss, vtd_pa(fs)) &= ~DMA_PTE_WRITE;
	vtd_flush_iotlb_dsi(t, DID);
	vtd_dma_pasid(t, SID, PASID, IOVA, false);
	expect_fault(t, DMAR_FR_SM_FS_NESTED_WRITE, SID);
}

static void xlate_pass_through(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 pe[8] = { PASID_PTE_PRESENT | FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_PT),
		      FIELD_PREP(PASID_1_DID, DID) };

	vtd_sm_ctx_default(t, SID);
	vtd_pasid_set(t, 0, pe);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, 0x1234567, true).pa, 0x1234567ULL);
}

/* ----- 6.5: invalidation scope ----- */

static void inv_iotlb_did_scope(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_ss(t, DID, false);

	vtd_pt_map(t, pt, IOVA, 0x600000, false, true);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x600000ULL);
	*vtd_pt_leaf(pt, IOVA) = 0x610000 | DMA_PTE_READ;
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x600000ULL);
	vtd_flush_iotlb_dsi(t, DID + 1);
	vtd_flush_piotlb(t, DID, 0);	/* PASID-based flushes do not reach SS-only mappings */
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x600000ULL);
	/* Page-selective for another page keeps it; for this one drops it. */
	vtd_qi(t, QI_IOTLB_TYPE | QI_IOTLB_GRAN(DMA_TLB_PSI_FLUSH) | QI_IOTLB_DID(DID),
	       QI_IOTLB_ADDR(IOVA + 0x2000));
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x600000ULL);
	vtd_qi(t, QI_IOTLB_TYPE | QI_IOTLB_GRAN(DMA_TLB_PSI_FLUSH) | QI_IOTLB_DID(DID),
	       QI_IOTLB_ADDR(IOVA + 0x2000) | QI_IOTLB_AM(2));
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID, IOVA, false).pa, 0x610000ULL);
}

static void inv_piotlb_pasid_scope(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_fs(t, PASID, DID);

	vtd_pt_map(t, pt, IOVA, 0x500000, true, true);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x500000ULL);
	*vtd_pt_leaf(pt, IOVA) = 0x520000 | DMA_FL_PTE_PRESENT | DMA_FL_PTE_US;
	vtd_flush_piotlb(t, DID, PASID + 1);
	vtd_flush_piotlb(t, DID + 1, PASID);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x500000ULL);
	vtd_flush_piotlb(t, DID, PASID);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x520000ULL);
}

/*
 * Page-selective PASID-based invalidation with the IOTLB holding many more
 * entries than the range has pages (the model looks the range's keys up
 * rather than scanning): exactly the pages of the range go, for that DID
 * and PASID only.
 */
static void inv_piotlb_psi_full_iotlb(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_fs(t, PASID, DID);
	const u64 psi = QI_EIOTLB_TYPE | QI_EIOTLB_GRAN(QI_GRAN_PSI_PASID);
	unsigned int i;

	for (i = 0; i < 64; i++) {
		vtd_pt_map(t, pt, IOVA + i * 0x1000ULL, 0x500000 + i * 0x1000ULL, true, true);
		KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA + i * 0x1000ULL, false).pa,
				0x500000 + i * 0x1000ULL);
	}
	for (i = 0; i < 64; i++)
		*vtd_pt_leaf(pt, IOVA + i * 0x1000ULL) =
			(0x600000 + i * 0x1000ULL) | DMA_FL_PTE_PRESENT | DMA_FL_PTE_US;
	/* The same range for another PASID, then another DID: nothing goes */
	vtd_qi(t, psi | QI_EIOTLB_DID(DID) | QI_EIOTLB_PASID(PASID + 1),
	       QI_EIOTLB_ADDR(IOVA + 0x4000) | QI_EIOTLB_AM(2));
	vtd_qi(t, psi | QI_EIOTLB_DID(DID + 1) | QI_EIOTLB_PASID(PASID),
	       QI_EIOTLB_ADDR(IOVA + 0x4000) | QI_EIOTLB_AM(2));
	KUNIT_EXPECT_TRUE(test, vtd_qi_wait(t));
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA + 0x5000, false).pa, 0x505000ULL);
	/* AM 2 with an address inside the block: the naturally aligned 16 KiB around it only */
	vtd_qi(t, psi | QI_EIOTLB_DID(DID) | QI_EIOTLB_PASID(PASID),
	       QI_EIOTLB_ADDR(IOVA + 0x6000) | QI_EIOTLB_AM(2));
	KUNIT_EXPECT_TRUE(test, vtd_qi_wait(t));
	for (i = 0; i < 64; i++) {
		u64 va = IOVA + i * 0x1000ULL;
		bool gone = (va & ~0x3fffULL) == ((IOVA + 0x6000) & ~0x3fffULL);

		KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, va, false).pa,
				(gone ? 0x600000 : 0x500000) + i * 0x1000ULL);
	}
}

static void inv_pasid_cache_scope(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_fs(t, PASID, DID), *pt2 = vtd_pt_alloc(t);
	u64 pe[8];

	vtd_pt_map(t, pt, IOVA, 0x500000, true, true);
	vtd_pt_map(t, pt2, IOVA, 0x540000, true, true);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x500000ULL);
	/* A new entry with another domain: the old one is used until the PASID cache flush. */
	vtd_pasid_fs(pe, vtd_pa(pt2), DID + 1);
	vtd_pasid_set(t, PASID, pe);
	vtd_flush_pasid_cache(t, DID + 1, PASID);
	vtd_flush_pasid_cache(t, DID, PASID + 1);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x500000ULL);
	vtd_flush_pasid_cache(t, DID, PASID);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x540000ULL);
}

/* A change to the second stage under a nested translation needs the DID flush. */
static void inv_nested_needs_did_flush(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *fs = vtd_pt_alloc(t), *ss = vtd_pt_alloc(t);
	u64 pe[8];

	vtd_sm_ctx_default(t, SID);
	vtd_pt_map(t, fs, IOVA, 0x700000, true, true);
	vtd_ss_map_fs_tables(t, ss, fs, IOVA);
	vtd_pt_map(t, ss, 0x700000, 0x900000, false, true);
	vtd_pasid_nested(pe, vtd_pa(fs), vtd_pa(ss), DID);
	vtd_pasid_set(t, PASID, pe);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x900000ULL);
	*vtd_pt_leaf(ss, 0x700000) = 0x980000 | DMA_PTE_READ | DMA_PTE_WRITE;
	vtd_flush_iotlb_dsi(t, DID + 1);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x900000ULL);
	vtd_flush_iotlb_dsi(t, DID);
	KUNIT_EXPECT_EQ(test, vtd_dma_pasid(t, SID, PASID, IOVA, false).pa, 0x980000ULL);
}

static void inv_devtlb(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 *pt = make_ss(t, DID, false);
	struct vtd_txn txn = { .sid = SID, .addr = IOVA };
	struct vtd_txn_result r;
	struct vtd_ats_resp resp;

	vtd_pt_map(t, pt, IOVA, 0x600000, false, true);
	vtd_model_ats_request(t->m, &txn, &resp);
	KUNIT_EXPECT_TRUE(test, resp.ok && resp.r && resp.w);
	KUNIT_EXPECT_EQ(test, resp.addr, 0x600000ULL);
	vtd_model_devtlb_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, 0x600000ULL);
	*vtd_pt_leaf(pt, IOVA) = 0x650000 | DMA_PTE_READ | DMA_PTE_WRITE;
	vtd_flush_iotlb_dsi(t, DID);
	/* The endpoint keeps its translation until the device-TLB invalidation. */
	vtd_model_devtlb_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, 0x600000ULL);
	vtd_qi(t, QI_DIOTLB_TYPE | QI_DEV_IOTLB_SID(SID + 1), QI_DEV_IOTLB_ADDR(IOVA));
	vtd_model_devtlb_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, 0x600000ULL);
	vtd_qi(t, QI_DIOTLB_TYPE | QI_DEV_IOTLB_SID(SID), QI_DEV_IOTLB_ADDR(IOVA));
	vtd_model_devtlb_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, 0x650000ULL);
	/* A Translation Request for an unmapped page: no translation, nothing recorded. */
	txn.addr = IOVA + 0x800000;
	vtd_model_ats_request(t->m, &txn, &resp);
	KUNIT_EXPECT_TRUE(test, resp.ok);
	KUNIT_EXPECT_FALSE(test, resp.r || resp.w);
	expect_no_fault(t);
}

/* ----- 6.5.2: queued invalidation ----- */

static void qi_wait_status_and_interrupt(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);

	*t->status = 0;
	vtd_qi(t, QI_IWD_TYPE | QI_IWD_IF | QI_IWD_STATUS_WRITE | QI_IWD_FENCE |
		  QI_IWD_STATUS_DATA(0x1234), vtd_pa(t->status));
	KUNIT_EXPECT_EQ(test, *t->status, 0x1234U);
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_ICS_REG), DMA_ICS_IWC);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_INV_COMPLETION], 1U);
	KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_IQH_REG), vtd_rdq(t, DMAR_IQT_REG));
	/* IWC still set: no new event. */
	vtd_qi(t, QI_IWD_TYPE | QI_IWD_IF, 0);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_INV_COMPLETION], 1U);
	vtd_wr(t, DMAR_ICS_REG, DMA_ICS_IWC);
	vtd_qi(t, QI_IWD_TYPE | QI_IWD_IF | QI_IWD_PRQ_DRAIN, 0);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_INV_COMPLETION], 2U);
}

/* The queue stops at the bad descriptor, IQH on it, until IQE is cleared. */
static void qi_invalid_stops_at_slot(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	u64 bad_slot;

	*t->status = 0;
	vtd_qi(t, QI_IWD_TYPE | QI_IWD_STATUS_WRITE | QI_IWD_STATUS_DATA(1), vtd_pa(t->status));
	bad_slot = vtd_rdq(t, DMAR_IQT_REG);
	KUNIT_EXPECT_FALSE(test, vtd_qi(t, 0xb, 0));
	KUNIT_EXPECT_EQ(test, *t->status, 1U);
	KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_IQH_REG), bad_slot);
	KUNIT_EXPECT_EQ(test, DMAR_IQER_REG_IQEI(vtd_rdq(t, DMAR_IQER_REG)), (unsigned)DMA_IQEI_TYPE);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_FAULT], 1U);
	/* More descriptors wait behind it. */
	vtd_qi(t, QI_IWD_TYPE | QI_IWD_STATUS_WRITE | QI_IWD_STATUS_DATA(2), vtd_pa(t->status));
	KUNIT_EXPECT_EQ(test, *t->status, 1U);
	/* Recovery as qi_check_fault() does it: replace the slot, clear IQE. */
	t->iq[bad_slot / 32] = { QI_IWD_TYPE, 0, 0, 0 };
	vtd_wr(t, DMAR_FSTS_REG, DMA_FSTS_IQE);
	KUNIT_EXPECT_EQ(test, *t->status, 2U);
	KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_IQH_REG), vtd_rdq(t, DMAR_IQT_REG));
}

struct bad_desc {
	u64 qw0, qw1, qw2;
	enum dmar_iqei iqei;
};

static void qi_invalid_descriptors(struct kunit *test)
{
	const struct bad_desc bad[] = {
		{ 0, 0, 0, DMA_IQEI_TYPE },
		{ QI_IEC_TYPE, 0, 0, DMA_IQEI_TYPE },		/* no interrupt remapping */
		{ QI_PSTRM_RESP_TYPE, 0, 0, DMA_IQEI_TYPE },
		{ QI_CC_TYPE, 0, 0, DMA_IQEI_RESERVED },	/* granularity 0 */
		{ QI_CC_TYPE | QI_CC_GRAN(DMA_CCMD_GLOBAL_INVL) | BIT_ULL(7), 0, 0, DMA_IQEI_RESERVED },
		{ QI_IOTLB_TYPE | QI_IOTLB_GRAN(DMA_TLB_DSI_FLUSH), BIT_ULL(8), 0, DMA_IQEI_RESERVED },
		{ QI_IOTLB_TYPE | QI_IOTLB_GRAN(DMA_TLB_PSI_FLUSH), QI_IOTLB_AM(40), 0,
		  DMA_IQEI_RESERVED },
		{ QI_EIOTLB_TYPE | QI_EIOTLB_GRAN(1), 0, 0, DMA_IQEI_RESERVED },
		{ QI_PC_TYPE | QI_PC_GRAN(2), 0, 0, DMA_IQEI_RESERVED },
		{ QI_IWD_TYPE | BIT_ULL(12), 0, 0, DMA_IQEI_RESERVED },
		{ QI_IWD_TYPE, 0, 5, DMA_IQEI_RESERVED },	/* upper half must be zero */
		{ QI_PGRP_RESP_TYPE | BIT_ULL(60), 0, 0, DMA_IQEI_RESERVED },
	};

	for (const auto &b : bad) {
		struct vtd_test *t = sm_test(test);

		KUNIT_EXPECT_FALSE(test, vtd_qi(t, b.qw0, b.qw1, b.qw2));
		KUNIT_EXPECT_EQ(test, DMAR_IQER_REG_IQEI(vtd_rdq(t, DMAR_IQER_REG)), (unsigned)b.iqei);
		KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_IQH_REG), 0ULL);
	}
}

static void qi_mode_errors(struct kunit *test)
{
	struct vtd_test *t = vtd_test_create(test, nullptr, false);
	struct vtd_model_cfg cfg;

	/* PASID-based descriptors in legacy mode. */
	KUNIT_EXPECT_FALSE(test, vtd_qi(t, QI_PC_TYPE | QI_PC_GRAN(QI_PC_GLOBAL), 0));
	KUNIT_EXPECT_EQ(test, DMAR_IQER_REG_IQEI(vtd_rdq(t, DMAR_IQER_REG)), (unsigned)DMA_IQEI_TTM);

	/* A 128-bit queue in scalable mode. */
	t = vtd_test_create_raw(test, nullptr, true);
	vtd_wrq(t, DMAR_RTADDR_REG, vtd_pa(t->root) | DMA_RTADDR_SMT);
	vtd_gcmd(t, DMA_GCMD_SRTP, true);
	vtd_wrq(t, DMAR_IQA_REG, vtd_pa(t->iq));
	vtd_gcmd(t, DMA_GCMD_QIE, true);
	vtd_wrq(t, DMAR_IQT_REG, 16);
	KUNIT_EXPECT_TRUE(test, vtd_rd(t, DMAR_FSTS_REG) & DMA_FSTS_IQE);
	KUNIT_EXPECT_EQ(test, DMAR_IQER_REG_IQEI(vtd_rdq(t, DMAR_IQER_REG)), (unsigned)DMA_IQEI_WIDTH);

	/* A tail not 256-bit aligned with 256-bit descriptors. */
	t = sm_test(test);
	vtd_wrq(t, DMAR_IQT_REG, 16);
	KUNIT_EXPECT_EQ(test, DMAR_IQER_REG_IQEI(vtd_rdq(t, DMAR_IQER_REG)),
			(unsigned)DMA_IQEI_TAIL_MISALIGNED);

	/* Drain without ECAP.PDS. */
	vtd_model_cfg_default(&cfg);
	cfg.pds = false;
	t = vtd_test_create(test, &cfg, true);
	KUNIT_EXPECT_FALSE(test, vtd_qi(t, QI_IWD_TYPE | QI_IWD_PRQ_DRAIN, 0));
}

static void qi_context_cache_function_mask(struct kunit *test)
{
	struct vtd_test *t = vtd_test_create(test, nullptr, false);
	u64 *pt = vtd_pt_alloc(t), *pt2 = vtd_pt_alloc(t);
	u64 hi = FIELD_PREP(CONTEXT_HI_AW, 2) | FIELD_PREP(CONTEXT_HI_DID, DID);

	vtd_pt_map(t, pt, IOVA, 0x100000, false, false);
	vtd_pt_map(t, pt2, IOVA, 0x200000, false, false);
	vtd_legacy_ctx(t, SID + 5, vtd_pa(pt) | CONTEXT_LO_P, hi);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID + 5, IOVA, false).pa, 0x100000ULL);
	vtd_legacy_ctx(t, SID + 5, vtd_pa(pt2) | CONTEXT_LO_P, hi + (1 << 8));
	/* Device-selective for function 0 with FM=0 misses function 5; FM=3 covers it. */
	vtd_qi(t, QI_CC_TYPE | QI_CC_GRAN(DMA_CCMD_DEVICE_INVL) | QI_CC_SID(SID), 0);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID + 5, IOVA, false).pa, 0x100000ULL);
	vtd_qi(t, QI_CC_TYPE | QI_CC_GRAN(DMA_CCMD_DEVICE_INVL) | QI_CC_SID(SID) | QI_CC_FM(3), 0);
	KUNIT_EXPECT_EQ(test, vtd_dma(t, SID + 5, IOVA, false).pa, 0x200000ULL);
}

/* ----- 7.2: fault recording ----- */

static void fault_records_and_overflow(struct kunit *test)
{
	struct vtd_model_cfg cfg;
	struct vtd_test *t;
	struct vtd_fault_rec rec;
	struct vtd_model_stats st;

	vtd_model_cfg_default(&cfg);
	cfg.nfr = 2;
	t = vtd_test_create(test, &cfg, true);
	KUNIT_EXPECT_TRUE(test, vtd_dma(t, SID, 0x1000, false).recorded);
	KUNIT_EXPECT_TRUE(test, vtd_dma_pasid(t, SID + 1, 9, 0x2000, true).recorded);
	KUNIT_EXPECT_FALSE(test, vtd_dma(t, SID + 2, 0x3000, false).recorded);
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_FSTS_REG) & (DMA_FSTS_PFO | DMA_FSTS_PPF),
			DMA_FSTS_PFO | DMA_FSTS_PPF);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_FAULT], 1U);

	KUNIT_ASSERT_TRUE(test, vtd_fault_pop(t, &rec));
	KUNIT_EXPECT_EQ(test, rec.sid, SID);
	KUNIT_EXPECT_EQ(test, rec.addr, 0x1000ULL);
	KUNIT_EXPECT_TRUE(test, rec.read);
	KUNIT_EXPECT_FALSE(test, rec.pasid_present);
	KUNIT_ASSERT_TRUE(test, vtd_fault_pop(t, &rec));
	KUNIT_EXPECT_EQ(test, rec.sid, SID + 1);
	KUNIT_EXPECT_FALSE(test, rec.read);
	KUNIT_EXPECT_TRUE(test, rec.pasid_present);
	KUNIT_EXPECT_EQ(test, rec.pasid, 9U);
	KUNIT_EXPECT_FALSE(test, vtd_fault_pop(t, &rec));
	/* PFO stays until cleared, and no fault is recorded meanwhile. */
	KUNIT_EXPECT_FALSE(test, vtd_dma(t, SID, 0x4000, false).recorded);
	vtd_wr(t, DMAR_FSTS_REG, DMA_FSTS_PFO);
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_FSTS_REG), 0U);
	KUNIT_EXPECT_TRUE(test, vtd_dma(t, SID, 0x5000, false).recorded);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_FAULT], 2U);
	vtd_model_get_stats(t->m, &st);
	KUNIT_EXPECT_EQ(test, st.faults, 3ULL);
	KUNIT_EXPECT_EQ(test, st.faults_lost, 2ULL);
}

/* ----- 7.5: page requests ----- */

static struct vtd_page_req page_req(u16 prg, bool last)
{
	return { .sid = SID, .pasid = PASID, .pasid_present = true, .addr = IOVA + 0x123,
		 .read = true, .write = true, .last = last, .prg_index = prg };
}

static void prq_queue_and_response(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	struct vtd_page_req req = page_req(5, true);
	struct page_req_dsc *d = &t->prq[0];

	vtd_sm_ctx_default(t, SID);
	KUNIT_EXPECT_EQ(test, vtd_model_page_request(t->m, &req), VTD_PRQ_QUEUED);
	KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_PQT_REG), 32ULL);
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_PRS_REG), DMA_PRS_PPR);
	KUNIT_EXPECT_EQ(test, t->irqs[VTD_IRQ_PAGE_REQ], 1U);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PRQ_0_RID, d->qw_0), (u64)SID);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PRQ_0_PASID, d->qw_0), (u64)PASID);
	KUNIT_EXPECT_TRUE(test, d->qw_0 & PRQ_0_PASID_PRESENT);
	KUNIT_EXPECT_EQ(test, d->qw_1 & PRQ_1_ADDR, IOVA);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PRQ_1_PRG_INDEX, d->qw_1), 5ULL);
	KUNIT_EXPECT_TRUE(test, (d->qw_1 & PRQ_1_LPIG) && (d->qw_1 & PRQ_1_WR_REQ));

	KUNIT_EXPECT_TRUE(test, vtd_qi(t, QI_PGRP_RESP_TYPE | QI_PGRP_PASID_P(1) |
					     QI_PGRP_RESP_CODE(QI_RESP_SUCCESS) | QI_PGRP_DID(SID) |
					     QI_PGRP_PASID(PASID),
				   QI_PGRP_LPIG(1) | QI_PGRP_IDX(5)));
	KUNIT_ASSERT_EQ(test, t->nr_resp, 1U);
	KUNIT_EXPECT_EQ(test, t->resp[0].rid, SID);
	KUNIT_EXPECT_EQ(test, t->resp[0].pasid, (u32)PASID);
	KUNIT_EXPECT_EQ(test, t->resp[0].prg_index, 5);
	KUNIT_EXPECT_EQ(test, t->resp[0].code, QI_RESP_SUCCESS);
	KUNIT_EXPECT_FALSE(test, t->resp[0].automatic);
}

static void prq_overflow_and_drain(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	struct vtd_page_req req = page_req(1, false);
	unsigned int n = PAGE_SIZE / 32;

	vtd_sm_ctx_default(t, SID);
	/* One slot always stays free: n - 1 requests fill the queue. */
	for (unsigned int i = 0; i != n - 1; i++)
		KUNIT_ASSERT_EQ(test, vtd_model_page_request(t->m, &req), VTD_PRQ_QUEUED);
	req = page_req(2, true);
	KUNIT_EXPECT_EQ(test, vtd_model_page_request(t->m, &req), VTD_PRQ_DISCARDED);
	KUNIT_EXPECT_EQ(test, vtd_rd(t, DMAR_PRS_REG), DMA_PRS_PPR | DMA_PRS_PRO);
	KUNIT_ASSERT_EQ(test, t->nr_resp, 1U);
	KUNIT_EXPECT_TRUE(test, t->resp[0].automatic);
	KUNIT_EXPECT_EQ(test, t->resp[0].prg_index, 2);
	/* While PRO is set nothing is queued, even with room. */
	vtd_wrq(t, DMAR_PQH_REG, vtd_rdq(t, DMAR_PQT_REG));
	KUNIT_EXPECT_EQ(test, vtd_model_page_request(t->m, &req), VTD_PRQ_DISCARDED);
	/* The drain protocol: a wait with PD, then PRO cleared with the queue empty. */
	KUNIT_EXPECT_TRUE(test, vtd_qi(t, QI_IWD_TYPE | QI_IWD_PRQ_DRAIN | QI_IWD_FENCE, 0));
	vtd_wr(t, DMAR_PRS_REG, DMA_PRS_PPR | DMA_PRS_PRO);
	KUNIT_EXPECT_EQ(test, vtd_model_page_request(t->m, &req), VTD_PRQ_QUEUED);
}

static void prq_pre_clear_is_fault(struct kunit *test)
{
	struct vtd_test *t = sm_test(test);
	struct vtd_page_req req = page_req(3, true);

	vtd_sm_ctx(t, SID, SM_CONTEXT_0_P | SM_CONTEXT_0_PASIDE | SM_CONTEXT_0_DTE, 0);
	KUNIT_EXPECT_EQ(test, vtd_model_page_request(t->m, &req), VTD_PRQ_DISCARDED);
	expect_fault(t, DMAR_FR_SM_CTX_PRE, SID);
	KUNIT_ASSERT_EQ(test, t->nr_resp, 1U);
	KUNIT_EXPECT_EQ(test, t->resp[0].code, QI_RESP_INVALID);
	KUNIT_EXPECT_EQ(test, vtd_rdq(t, DMAR_PQT_REG), 0ULL);
}

static struct kunit_case vtd_regs_cases[] = {
	KUNIT_CASE(regs_cap_ecap_reflect_cfg),
	KUNIT_CASE(regs_bad_cfg_rejected),
	KUNIT_CASE(regs_gcmd_protocol),
	KUNIT_CASE(regs_te_clear_untranslated),
	KUNIT_CASE(regs_ccmd_iotlb_reg),
	KUNIT_CASE(regs_fault_event_masking),
	{}
};

static struct kunit_suite vtd_regs_suite = {
	.name = "vtd-model-11.4-registers",
	.test_cases = vtd_regs_cases,
};

static struct kunit_case vtd_tables_cases[] = {
	KUNIT_CASE(legacy_translate_and_faults),
	KUNIT_CASE(legacy_bad_context),
	KUNIT_CASE(sm_bad_root_and_context),
	KUNIT_CASE(sm_root_table_bus_error),
	KUNIT_CASE(sm_bad_pasid_entries),
	KUNIT_CASE(sm_first_stage_request_checks),
	{}
};

static struct kunit_suite vtd_tables_suite = {
	.name = "vtd-model-9-root-context-pasid",
	.test_cases = vtd_tables_cases,
};

static struct kunit_case vtd_xlate_cases[] = {
	KUNIT_CASE(xlate_first_stage_ad),
	KUNIT_CASE(xlate_second_stage_ssade),
	KUNIT_CASE(xlate_second_stage_no_ssade),
	KUNIT_CASE(xlate_nested),
	KUNIT_CASE(xlate_nested_walk_confined),
	KUNIT_CASE(xlate_pass_through),
	{}
};

static struct kunit_suite vtd_xlate_suite = {
	.name = "vtd-model-3-translation",
	.test_cases = vtd_xlate_cases,
};

static struct kunit_case vtd_inv_cases[] = {
	KUNIT_CASE(inv_iotlb_did_scope),
	KUNIT_CASE(inv_piotlb_pasid_scope),
	KUNIT_CASE(inv_piotlb_psi_full_iotlb),
	KUNIT_CASE(inv_pasid_cache_scope),
	KUNIT_CASE(inv_nested_needs_did_flush),
	KUNIT_CASE(inv_devtlb),
	KUNIT_CASE(qi_context_cache_function_mask),
	{}
};

static struct kunit_suite vtd_inv_suite = {
	.name = "vtd-model-6.5-invalidation-scope",
	.test_cases = vtd_inv_cases,
};

static struct kunit_case vtd_qi_cases[] = {
	KUNIT_CASE(qi_wait_status_and_interrupt),
	KUNIT_CASE(qi_invalid_stops_at_slot),
	KUNIT_CASE(qi_invalid_descriptors),
	KUNIT_CASE(qi_mode_errors),
	{}
};

static struct kunit_suite vtd_qi_suite = {
	.name = "vtd-model-6.5.2-queued-invalidation",
	.test_cases = vtd_qi_cases,
};

static struct kunit_case vtd_fault_cases[] = {
	KUNIT_CASE(fault_records_and_overflow),
	KUNIT_CASE(prq_queue_and_response),
	KUNIT_CASE(prq_overflow_and_drain),
	KUNIT_CASE(prq_pre_clear_is_fault),
	{}
};

static struct kunit_suite vtd_fault_suite = {
	.name = "vtd-model-7-faults-page-requests",
	.test_cases = vtd_fault_cases,
};

kunit_test_suites(&vtd_regs_suite, &vtd_tables_suite, &vtd_xlate_suite, &vtd_inv_suite,
		  &vtd_qi_suite, &vtd_fault_suite);
