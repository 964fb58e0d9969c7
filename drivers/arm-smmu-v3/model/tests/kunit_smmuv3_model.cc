// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance of the SMMUv3 model to IHI 0070, suite by section: the
 * register file (6.3), queues (3.5, 4, 7, 8), stream table entries (5.2),
 * context descriptors (5.4), fault events (3.12, 7.3), cache maintenance
 * (3.21, 4.3, 4.4, 4.5) and nested translation (3.3.x). Each test drives
 * the model through MMIO and fake physical memory as a driver would.
 */
#include "smmu_test.h"

#include <thread>

#define SID 3
#define IOVA 0x12345000ULL

static u8 evt_id(const struct arm_smmu_evtq_ent_raw *e)
{
	return FIELD_GET(EVTQ_0_ID, e->data[0]);
}

/* One event of @id for @sid is the only thing in the queue. */
static void expect_one_event(struct smmu_test *t, u8 id, u32 sid)
{
	struct arm_smmu_evtq_ent_raw e;

	KUNIT_ASSERT_TRUE(t->test, smmu_evt_pop(t, &e));
	KUNIT_EXPECT_EQ(t->test, evt_id(&e), id);
	KUNIT_EXPECT_EQ(t->test, FIELD_GET(EVTQ_0_SID, e.data[0]), sid);
	KUNIT_EXPECT_FALSE(t->test, smmu_evt_pop(t, &e));
}

/* A stage-1 stream: linear CD table with CD 0 over a fresh page table. */
struct s1_stream {
	u64 *cdtab;
	u64 *pt;
};

static struct s1_stream make_s1(struct smmu_test *t, u32 sid, u16 asid)
{
	struct s1_stream s = { (u64 *)smmu_test_alloc(t, PAGE_SIZE), smmu_pt_alloc(t) };
	u64 ste[8];

	smmu_cd_make(s.cdtab, smmu_pa(s.pt), asid);
	smmu_ste_s1(ste, smmu_pa(s.cdtab), 0, 0, 0);
	smmu_ste_write(t, sid, ste);
	return s;
}

/* ----- 6.3: the register file ----- */

static void regs_idr_reflect_cfg(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmu_test *t;

	smmuv3_model_cfg_default(&cfg);
	cfg.pri = false;
	cfg.hyp = false;
	cfg.sidsize = 12;
	t = smmu_test_create_raw(test, &cfg);
	KUNIT_EXPECT_TRUE(test, smmu_rd(t, ARM_SMMU_IDR0) & IDR0_S1P);
	KUNIT_EXPECT_FALSE(test, smmu_rd(t, ARM_SMMU_IDR0) & IDR0_PRI);
	KUNIT_EXPECT_EQ(test, FIELD_GET(IDR0_ST_LVL, smmu_rd(t, ARM_SMMU_IDR0)), IDR0_ST_LVL_2LVL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(IDR1_SIDSIZE, smmu_rd(t, ARM_SMMU_IDR1)), 12);
	KUNIT_EXPECT_TRUE(test, smmu_rd(t, ARM_SMMU_IDR3) & IDR3_RIL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(IDR5_OAS, smmu_rd(t, ARM_SMMU_IDR5)), IDR5_OAS_48_BIT);
	/* Without PRI the PRI queue registers read as zero and ignore writes. */
	smmu_wrq(t, ARM_SMMU_PRIQ_BASE, 0x1000 | 3);
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_PRIQ_BASE), 0);
	/* IDRs are read-only. */
	smmu_wr(t, ARM_SMMU_IDR0, 0);
	KUNIT_EXPECT_NE(test, smmu_rd(t, ARM_SMMU_IDR0), 0);
}

static void regs_bad_cfg_rejected(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;

	smmuv3_model_cfg_default(&cfg);
	cfg.oas = IDR5_OAS_52_BIT;
	KUNIT_EXPECT_EQ(test, PTR_ERR(smmuv3_model_create(&cfg, NULL, NULL)), -EINVAL);
	smmuv3_model_cfg_default(&cfg);
	cfg.s1p = cfg.s2p = false;
	KUNIT_EXPECT_EQ(test, PTR_ERR(smmuv3_model_create(&cfg, NULL, NULL)), -EINVAL);
}

static void regs_cr0_ack_and_reserved(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create_raw(test, NULL);

	smmu_wr(t, ARM_SMMU_CR0, CR0_EVTQEN | BIT(5) | BIT(31));
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_CR0), CR0_EVTQEN);
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_CR0ACK), CR0_EVTQEN);
	smmu_wr(t, ARM_SMMU_IRQ_CTRL, IRQ_CTRL_EVTQ_IRQEN | BIT(7));
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_IRQ_CTRLACK), IRQ_CTRL_EVTQ_IRQEN);
}

static void regs_gbpa_update_protocol(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create_raw(test, NULL);
	struct smmuv3_txn_result r;

	/* SMMUEN=0 and GBPA.ABORT=0: incoming transactions bypass. */
	r = smmu_dma(t, SID, IOVA + 8, false);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, IOVA + 8);
	/* Without UPDATE a write is ignored. */
	smmu_wr(t, ARM_SMMU_GBPA, GBPA_ABORT);
	KUNIT_EXPECT_FALSE(test, smmu_rd(t, ARM_SMMU_GBPA) & GBPA_ABORT);
	smmu_wr(t, ARM_SMMU_GBPA, GBPA_ABORT | GBPA_UPDATE);
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_GBPA) & (GBPA_ABORT | GBPA_UPDATE), GBPA_ABORT);
	r = smmu_dma(t, SID, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	KUNIT_EXPECT_EQ(test, r.event, 0);
}

static void regs_bases_readonly_when_enabled(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 base = smmu_pa(t->strtab);

	smmu_wrq(t, ARM_SMMU_STRTAB_BASE, 0x4000);
	smmu_wrq(t, ARM_SMMU_CMDQ_BASE, 0x8000);
	KUNIT_EXPECT_EQ(test, readq((u8 __iomem *)t->base + ARM_SMMU_STRTAB_BASE), base);
	KUNIT_EXPECT_EQ(test, readq((u8 __iomem *)t->base + ARM_SMMU_CMDQ_BASE) & Q_BASE_ADDR_MASK,
			smmu_pa(t->cmdq));
	/* 64-bit registers take two 32-bit halves once writable again. */
	smmu_wr(t, ARM_SMMU_CR0, 0);
	smmu_wr(t, ARM_SMMU_STRTAB_BASE, 0x1240);
	smmu_wr(t, ARM_SMMU_STRTAB_BASE + 4, 0x5);
	KUNIT_EXPECT_EQ(test, readq((u8 __iomem *)t->base + ARM_SMMU_STRTAB_BASE), 0x500001240ULL);
}

/* ----- 3.5, 4, 7.1: the command queue ----- */

static void cmdq_wrap(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct smmuv3_model_stats st;

	/* 40 commands through a 16-entry queue: the wrap bit flips twice and more. */
	for (int i = 0; i < 40; i++)
		smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_CMDQ_CONS), smmu_rd(t, ARM_SMMU_CMDQ_PROD));
	smmuv3_model_get_stats(t->m, &st);
	KUNIT_EXPECT_EQ(test, st.syncs, 41);
	/* The pointer keeps index and wrap bit only. */
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_CMDQ_PROD) & ~((2U << SMMU_TEST_Q_LG2) - 1), 0);
}

static void cmdq_illegal_stops_until_gerrorn(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u32 cons = smmu_rd(t, ARM_SMMU_CMDQ_CONS), gerror;

	/* An unknown opcode: CONS stays on it, ERR says ILL, GERROR.CMDQ_ERR toggles. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, 0x7f), 0);
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_CMDQ_CONS) & ~CMDQ_CONS_ERR, cons);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQ_CONS_ERR, smmu_rd(t, ARM_SMMU_CMDQ_CONS)),
			CMDQ_ERR_CERROR_ILL_IDX);
	gerror = smmu_rd(t, ARM_SMMU_GERROR);
	KUNIT_EXPECT_TRUE(test, (gerror ^ smmu_rd(t, ARM_SMMU_GERRORN)) & GERROR_CMDQ_ERR);
	/* Nothing after it runs while the error is active. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC), 0);
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_CMDQ_CONS) & ~CMDQ_CONS_ERR, cons);
	/* The driver's fix-up: replace it with a CMD_SYNC, then acknowledge. */
	t->cmdq[q_idx(cons, SMMU_TEST_Q_LG2) * 2] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC);
	smmu_wr(t, ARM_SMMU_GERRORN, gerror);
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_CMDQ_CONS) & ~CMDQ_CONS_ERR,
			smmu_rd(t, ARM_SMMU_CMDQ_PROD));
	KUNIT_EXPECT_EQ(test, smmu_rd(t, ARM_SMMU_GERROR), smmu_rd(t, ARM_SMMU_GERRORN));
}

struct illegal_cmd {
	const char *name;
	u64 dw0, dw1;
	bool ril, hyp, vmid16;
};

static const struct illegal_cmd illegal_cmds[] = {
	{ "cfgi_ste_reserved_dw1", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE), BIT_ULL(5), true, false, true },
	{ "cfgi_ste_ssv", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE) | CMDQ_0_SSV, 0, true, false, true },
	{ "tlbi_range_without_ril", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMDQ_TLBI_0_NUM, 1),
	  FIELD_PREP(CMDQ_TLBI_1_TG, 1), false, false, true },
	{ "tlbi_el2_without_hyp", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_EL2_ALL), 0, true, false, true },
	{ "vmid16_without_vmid16", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ALL) | FIELD_PREP(CMDQ_TLBI_0_VMID, 0x100),
	  0, true, false, false },
	{ "sync_cs_reserved", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC) | FIELD_PREP(CMDQ_SYNC_0_CS, 3), 0, true, false, true },
	{ "pri_resp_reserved", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_PRI_RESP), FIELD_PREP(CMDQ_PRI_1_RESP, 3), true, false, true },
	{ "resume_action_reserved", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_RESUME) | FIELD_PREP(CMDQ_RESUME_0_RESP, 3), 0,
	  true, false, true },
	{ "tlbi_el3", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_EL3_ALL), 0, true, true, true },
	{ "secure_tlbi", FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_SNH_ALL), 0, true, true, true },
};
KUNIT_ARRAY_PARAM_DESC(illegal_cmds, illegal_cmds, name);

static void cmdq_illegal_fields(struct kunit *test)
{
	const struct illegal_cmd *c = (const struct illegal_cmd *)test->param_value;
	struct smmuv3_model_cfg cfg;
	struct smmu_test *t;

	smmuv3_model_cfg_default(&cfg);
	cfg.ril = c->ril;
	cfg.hyp = c->hyp;
	cfg.vmid16 = c->vmid16;
	t = smmu_test_create(test, &cfg);
	smmu_cmd(t, c->dw0, c->dw1);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQ_CONS_ERR, smmu_rd(t, ARM_SMMU_CMDQ_CONS)),
			CMDQ_ERR_CERROR_ILL_IDX);
	KUNIT_EXPECT_TRUE(test, (smmu_rd(t, ARM_SMMU_GERROR) ^ smmu_rd(t, ARM_SMMU_GERRORN)) &
					GERROR_CMDQ_ERR);
}

static void cmdq_fetch_abort(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create_raw(test, NULL);

	/* A command queue where no memory is: CERROR_ABT on the first command. */
	smmu_wrq(t, ARM_SMMU_CMDQ_BASE, 0x40000000ULL | SMMU_TEST_Q_LG2);
	smmu_wr(t, ARM_SMMU_CR0, CR0_CMDQEN);
	smmu_wr(t, ARM_SMMU_CMDQ_PROD, 1);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQ_CONS_ERR, smmu_rd(t, ARM_SMMU_CMDQ_CONS)),
			CMDQ_ERR_CERROR_ABT_IDX);
	KUNIT_EXPECT_EQ(test, q_idx(smmu_rd(t, ARM_SMMU_CMDQ_CONS), SMMU_TEST_Q_LG2), 0);
}

static void cmdq_sync_msi_and_sev(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);

	/* CS=IRQ: MSIDATA lands at MSIADDR, as the kernel's MSI polling expects. */
	*t->msi = 0xffffffff;
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC) |
			    FIELD_PREP(CMDQ_SYNC_0_CS, CMDQ_SYNC_0_CS_IRQ) |
			    FIELD_PREP(CMDQ_SYNC_0_MSIDATA, 0x1234),
		 smmu_pa(t->msi) & CMDQ_SYNC_1_MSIADDR_MASK);
	KUNIT_EXPECT_EQ(test, *t->msi, 0x1234);
	KUNIT_EXPECT_EQ(test, t->msis[SMMUV3_IRQ_CMD_SYNC], 1);
	/* CS=IRQ without an address: the wired line only. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC) |
			    FIELD_PREP(CMDQ_SYNC_0_CS, CMDQ_SYNC_0_CS_IRQ), 0);
	KUNIT_EXPECT_EQ(test, t->irqs[SMMUV3_IRQ_CMD_SYNC], 2);
	KUNIT_EXPECT_EQ(test, t->msis[SMMUV3_IRQ_CMD_SYNC], 1);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC) |
			    FIELD_PREP(CMDQ_SYNC_0_CS, CMDQ_SYNC_0_CS_SEV), 0);
	KUNIT_EXPECT_EQ(test, t->irqs[SMMUV3_IRQ_SEV], 1);
	/* An MSI address with no memory: GERROR.MSI_CMDQ_ABT_ERR. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC) |
			    FIELD_PREP(CMDQ_SYNC_0_CS, CMDQ_SYNC_0_CS_IRQ), 0x40000000ULL);
	KUNIT_EXPECT_TRUE(test, (smmu_rd(t, ARM_SMMU_GERROR) ^ smmu_rd(t, ARM_SMMU_GERRORN)) &
					GERROR_MSI_CMDQ_ABT_ERR);
}

static void gerror_irq_msi(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);

	smmu_wrq(t, ARM_SMMU_GERROR_IRQ_CFG0, smmu_pa(t->msi));
	smmu_wr(t, ARM_SMMU_GERROR_IRQ_CFG1, 0xabcd);
	smmu_wr(t, ARM_SMMU_IRQ_CTRL, IRQ_CTRL_GERROR_IRQEN);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, 0x7f), 0);
	KUNIT_EXPECT_EQ(test, *t->msi, 0xabcd);
	KUNIT_EXPECT_EQ(test, t->msis[SMMUV3_IRQ_GERROR], 1);
	/* An error already active is not raised again. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, 0x7f), 0);
	KUNIT_EXPECT_EQ(test, t->irqs[SMMUV3_IRQ_GERROR], 1);
}

/* ----- 7.2, 7.4: the event queue ----- */

static void evtq_overflow_flag(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct smmuv3_model_stats st;
	u32 prod, cons;

	/* SIDs without a valid STE: one C_BAD_STE each, 20 into 16 slots. */
	for (int i = 0; i < 20; i++)
		smmu_dma(t, 10, IOVA, false);
	prod = smmu_rd(t, ARM_SMMU_PAGE1_EVTQ_PROD);
	cons = smmu_rd(t, ARM_SMMU_PAGE1_EVTQ_CONS);
	KUNIT_EXPECT_TRUE(test, q_full(prod, cons, SMMU_TEST_Q_LG2));
	KUNIT_EXPECT_TRUE(test, (prod ^ cons) & Q_OVERFLOW_FLAG);
	smmuv3_model_get_stats(t->m, &st);
	KUNIT_EXPECT_EQ(test, st.events, 16);
	KUNIT_EXPECT_EQ(test, st.events_lost, 4);
	/* The driver drains and acknowledges with OVACKFLG. */
	KUNIT_EXPECT_EQ(test, smmu_evt_drain(t), 16);
	cons = smmu_rd(t, ARM_SMMU_PAGE1_EVTQ_CONS);
	smmu_wr(t, ARM_SMMU_PAGE1_EVTQ_CONS, (cons & ~Q_OVERFLOW_FLAG) | (prod & Q_OVERFLOW_FLAG));
	smmu_dma(t, 10, IOVA, false);
	prod = smmu_rd(t, ARM_SMMU_PAGE1_EVTQ_PROD);
	KUNIT_EXPECT_FALSE(test, (prod ^ smmu_rd(t, ARM_SMMU_PAGE1_EVTQ_CONS)) & Q_OVERFLOW_FLAG);
	expect_one_event(t, EVT_ID_BAD_STE_CONFIG, 10);
}

static void evtq_irq_and_abort(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);

	smmu_wrq(t, ARM_SMMU_EVTQ_IRQ_CFG0, smmu_pa(t->msi));
	smmu_wr(t, ARM_SMMU_EVTQ_IRQ_CFG1, 77);
	smmu_wr(t, ARM_SMMU_IRQ_CTRL, IRQ_CTRL_EVTQ_IRQEN);
	smmu_dma(t, 10, IOVA, false);
	KUNIT_EXPECT_EQ(test, *t->msi, 77);
	KUNIT_EXPECT_EQ(test, t->msis[SMMUV3_IRQ_EVTQ], 1);
	/* An event queue with no memory behind it: EVTQ_ABT_ERR, the event is lost. */
	smmu_wr(t, ARM_SMMU_CR0, CR0_CMDQEN | CR0_SMMUEN);
	smmu_wrq(t, ARM_SMMU_EVTQ_BASE, 0x40000000ULL | SMMU_TEST_Q_LG2);
	smmu_wr(t, ARM_SMMU_CR0, CR0_CMDQEN | CR0_SMMUEN | CR0_EVTQEN);
	smmu_dma(t, 10, IOVA, false);
	KUNIT_EXPECT_TRUE(test, (smmu_rd(t, ARM_SMMU_GERROR) ^ smmu_rd(t, ARM_SMMU_GERRORN)) &
					GERROR_EVTQ_ABT_ERR);
}

/* ----- 8: the PRI queue ----- */

static void priq_overflow_and_response(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct smmuv3_page_req req = { .sid = SID, .ssid = 5, .ssv = true, .addr = IOVA,
				       .read = true, .last = true, .grpid = 9 };
	u32 prod;

	for (int i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, smmuv3_model_page_request(t->m, &req), SMMUV3_PRI_QUEUED);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PRIQ_0_SID, t->priq[0].data[0]), SID);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PRIQ_0_SSID, t->priq[0].data[0]), 5);
	KUNIT_EXPECT_TRUE(test, t->priq[0].data[0] & PRIQ_0_PRG_LAST);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PRIQ_1_PRG_IDX, t->priq[0].data[1]), 9);
	KUNIT_EXPECT_EQ(test, t->priq[0].data[1] & PRIQ_1_ADDR_MASK, IOVA);
	/* Full: discarded, OVFLG toggles, the SMMU answers the last request itself. */
	KUNIT_EXPECT_EQ(test, smmuv3_model_page_request(t->m, &req), SMMUV3_PRI_DISCARDED);
	prod = smmu_rd(t, ARM_SMMU_PAGE1_PRIQ_PROD);
	KUNIT_EXPECT_TRUE(test, (prod ^ smmu_rd(t, ARM_SMMU_PAGE1_PRIQ_CONS)) & Q_OVERFLOW_FLAG);
	KUNIT_ASSERT_EQ(test, t->nr_pri, 1);
	KUNIT_EXPECT_TRUE(test, t->pri[0].automatic);
	/* PRI_RESP from software reaches the function. */
	t->nr_pri = 0;
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_PRI_RESP) | CMDQ_0_SSV |
			    FIELD_PREP(CMDQ_PRI_0_SSID, 5) | FIELD_PREP(CMDQ_PRI_0_SID, SID),
		 FIELD_PREP(CMDQ_PRI_1_GRPID, 9) | FIELD_PREP(CMDQ_PRI_1_RESP, PRI_RESP_SUCC));
	KUNIT_ASSERT_EQ(test, t->nr_pri, 1);
	KUNIT_EXPECT_FALSE(test, t->pri[0].automatic);
	KUNIT_EXPECT_EQ(test, t->pri[0].grpid, 9);
	KUNIT_EXPECT_EQ(test, t->pri[0].resp, PRI_RESP_SUCC);
	/* With the PRI queue disabled, a last request is refused at once. */
	smmu_wr(t, ARM_SMMU_CR0, CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
	KUNIT_EXPECT_EQ(test, smmuv3_model_page_request(t->m, &req), SMMUV3_PRI_DISCARDED);
	KUNIT_ASSERT_EQ(test, t->nr_pri, 2);
	KUNIT_EXPECT_TRUE(test, t->pri[1].automatic);
	KUNIT_EXPECT_EQ(test, t->pri[1].resp, PRI_RESP_DENY);
}

/* ----- 5.2: stream table entries ----- */

static void ste_abort_bypass(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct smmuv3_txn_result r;
	u64 ste[8];

	smmu_ste_abort(ste);
	smmu_ste_write(t, 1, ste);
	smmu_ste_bypass(ste);
	smmu_ste_write(t, 2, ste);
	r = smmu_dma(t, 1, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	KUNIT_EXPECT_EQ(test, smmu_evt_drain(t), 0);	/* Config abort records nothing */
	r = smmu_dma(t, 2, IOVA + 4, true);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, IOVA + 4);
	/* A SubstreamID on a stream without stage 1. */
	r = smmu_dma_pasid(t, 2, 1, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_SUBSTREAMID_CONFIG, 2);
}

struct bad_ste {
	const char *name;
	unsigned int word;
	u64 set, clear;
};

static const struct bad_ste bad_stes[] = {
	{ "v_clear", 0, 0, STRTAB_STE_0_V },
	{ "config_reserved", 0, FIELD_PREP(STRTAB_STE_0_CFG, 1), STRTAB_STE_0_CFG },
	{ "res0_word0", 0, BIT_ULL(55), 0 },
	{ "res0_word2", 2, BIT_ULL(20), 0 },
	{ "s2aa64_clear", 2, 0, STRTAB_STE_2_S2AA64 },
	{ "s2endi", 2, STRTAB_STE_2_S2ENDI, 0 },
	{ "s2sl0_reserved", 2, FIELD_PREP(STRTAB_STE_2_VTCR, FIELD_PREP(STRTAB_STE_2_VTCR_S2SL0, 3)),
	  FIELD_PREP(STRTAB_STE_2_VTCR, STRTAB_STE_2_VTCR_S2SL0) },
	{ "s2t0sz_too_small", 2, FIELD_PREP(STRTAB_STE_2_VTCR, 8),
	  FIELD_PREP(STRTAB_STE_2_VTCR, STRTAB_STE_2_VTCR_S2T0SZ) },
	{ "s2tg_reserved", 2, FIELD_PREP(STRTAB_STE_2_VTCR, STRTAB_STE_2_VTCR_S2TG), 0 },
	{ "eats_reserved", 1, STRTAB_STE_1_EATS, 0 },
	{ "strw_el2_without_hyp", 1, FIELD_PREP(STRTAB_STE_1_STRW, STRTAB_STE_1_STRW_EL2), 0 },
};
KUNIT_ARRAY_PARAM_DESC(bad_stes, bad_stes, name);

static void ste_illegal_is_c_bad_ste(struct kunit *test)
{
	const struct bad_ste *b = (const struct bad_ste *)test->param_value;
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 *pt = smmu_pt_alloc(t);
	struct smmuv3_txn_result r;
	u64 ste[8];

	smmu_pt_map(t, pt, IOVA, 0x80000000ULL, true, SMMU_PT_W);
	smmu_ste_s2(ste, smmu_pa(pt), 1);
	/* The unmodified STE translates. */
	smmu_ste_write(t, SID, ste);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	ste[b->word] = (ste[b->word] & ~b->clear) | b->set;
	smmu_ste_write(t, SID, ste);
	smmu_cfgi_ste(t, SID);
	r = smmu_dma(t, SID, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_STE_CONFIG, SID);
}

static void ste_streamid_range(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct arm_smmu_evtq_ent_raw e;

	/* Beyond STRTAB_BASE_CFG.LOG2SIZE (64 STEs). */
	KUNIT_EXPECT_EQ(test, smmu_dma(t, 64, IOVA, false).status, SMMUV3_TXN_ABORT);
	KUNIT_ASSERT_TRUE(test, smmu_evt_pop(t, &e));
	KUNIT_EXPECT_EQ(test, evt_id(&e), EVT_ID_BAD_STREAMID_CONFIG);
	/* Beyond IDR1.SIDSIZE. */
	KUNIT_EXPECT_EQ(test, smmu_dma(t, 1U << 20, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_STREAMID_CONFIG, 1U << 20);
}

static void ste_two_level_table(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create_raw(test, NULL);
	u64 *l1 = (u64 *)smmu_test_alloc(t, PAGE_SIZE);
	struct arm_smmu_ste *l2 = (struct arm_smmu_ste *)smmu_test_alloc(t, 256 * 64);
	u64 ste[8];

	smmu_test_enable(t);
	/* SPLIT 8, 2^12 StreamIDs: L1 entries 0 (valid, SPAN 9) and 1 (invalid). */
	smmu_wr(t, ARM_SMMU_CR0, CR0_CMDQEN | CR0_EVTQEN);
	smmu_wrq(t, ARM_SMMU_STRTAB_BASE, smmu_pa(l1));
	smmu_wr(t, ARM_SMMU_STRTAB_BASE_CFG, FIELD_PREP(STRTAB_BASE_CFG_FMT, STRTAB_BASE_CFG_FMT_2LVL) |
						     FIELD_PREP(STRTAB_BASE_CFG_SPLIT, 8) |
						     FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, 12));
	smmu_wr(t, ARM_SMMU_CR0, CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
	l1[0] = smmu_pa(l2) | FIELD_PREP(STRTAB_L1_DESC_SPAN, 9);
	smmu_ste_bypass(ste);
	memcpy(l2[7].data, ste, 64);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, 7, IOVA, false).status, SMMUV3_TXN_OK);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, 0x107, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_STREAMID_CONFIG, 0x107);
	/* SPAN 4 covers only the first 8 STEs of the level-2 table. */
	l1[0] = smmu_pa(l2) | FIELD_PREP(STRTAB_L1_DESC_SPAN, 4);
	memcpy(l2[9].data, ste, 64);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, 9, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_STREAMID_CONFIG, 9);
	/* A level-2 table where no memory is: F_STE_FETCH. */
	l1[1] = 0x40000000ULL | FIELD_PREP(STRTAB_L1_DESC_SPAN, 9);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, 0x101, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_STE_FETCH_FAULT, 0x101);
}

/* ----- 5.4: context descriptors ----- */

static void cd_s1_translate_and_ssid(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 *l1 = (u64 *)smmu_test_alloc(t, PAGE_SIZE);
	struct arm_smmu_cd *l2 = (struct arm_smmu_cd *)smmu_test_alloc(t, 64 * 1024);
	u64 *pt0 = smmu_pt_alloc(t), *pt5 = smmu_pt_alloc(t);
	struct smmuv3_txn_result r;
	u64 ste[8];

	/* 2-level CD table (64K leaves), 8 SSID bits, CD 0 for DMA without PASID. */
	smmu_ste_s1(ste, smmu_pa(l1), 8, STRTAB_STE_0_S1FMT_64K_L2, STRTAB_STE_1_S1DSS_SSID0);
	smmu_ste_write(t, SID, ste);
	l1[0] = smmu_pa(l2) | CTXDESC_L1_DESC_V;
	smmu_cd_make((u64 *)l2[0].data, smmu_pa(pt0), 1);
	smmu_cd_make((u64 *)l2[5].data, smmu_pa(pt5), 2);
	smmu_pt_map(t, pt0, IOVA, 0x80000000ULL, false, SMMU_PT_W);
	smmu_pt_map(t, pt5, IOVA, 0x90000000ULL, false, 0);
	r = smmu_dma(t, SID, IOVA + 0x10, true);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, 0x80000010ULL);
	KUNIT_EXPECT_EQ(test, r.contig, 0xff0);
	r = smmu_dma_pasid(t, SID, 5, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.pa, 0x90000000ULL);
	/* SSID 0 is reserved with S1DSS=SSID0; SSID 256 is beyond S1CDMax. */
	KUNIT_EXPECT_EQ(test, smmu_dma_pasid(t, SID, 0, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_SUBSTREAMID_CONFIG, SID);
	KUNIT_EXPECT_EQ(test, smmu_dma_pasid(t, SID, 256, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_SUBSTREAMID_CONFIG, SID);
	/* An SSID whose CD is all zeroes (V clear). */
	KUNIT_EXPECT_EQ(test, smmu_dma_pasid(t, SID, 6, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_CD_CONFIG, SID);
	/* 11 SSID bits: SSID 1024 is in level-1 entry 1, which is invalid. */
	smmu_ste_s1(ste, smmu_pa(l1), 11, STRTAB_STE_0_S1FMT_64K_L2, STRTAB_STE_1_S1DSS_SSID0);
	smmu_ste_write(t, SID, ste);
	smmu_cfgi_ste(t, SID);
	KUNIT_EXPECT_EQ(test, smmu_dma_pasid(t, SID, 1024, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_SUBSTREAMID_CONFIG, SID);
	/* SSID 5 still resolves through level-1 entry 0 under the new STE. */
	KUNIT_EXPECT_EQ(test, smmu_dma_pasid(t, SID, 5, IOVA, false).pa, 0x90000000ULL);
}

static void cd_2lvl_needs_cd2l(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmu_test *t;
	u64 ste[8];

	smmuv3_model_cfg_default(&cfg);
	cfg.cd_2lvl = false;
	t = smmu_test_create(test, &cfg);
	smmu_ste_s1(ste, smmu_pa(smmu_pt_alloc(t)), 8, STRTAB_STE_0_S1FMT_64K_L2,
		    STRTAB_STE_1_S1DSS_SSID0);
	smmu_ste_write(t, SID, ste);
	KUNIT_EXPECT_EQ(test, smmu_dma_pasid(t, SID, 1, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_STE_CONFIG, SID);
}

static void cd_s1dss(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 *cdtab = (u64 *)smmu_test_alloc(t, PAGE_SIZE);
	u64 ste[8];

	smmu_ste_s1(ste, smmu_pa(cdtab), 4, STRTAB_STE_0_S1FMT_LINEAR, STRTAB_STE_1_S1DSS_TERMINATE);
	smmu_ste_write(t, SID, ste);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_STREAM_DISABLED_FAULT, SID);
	smmu_ste_s1(ste, smmu_pa(cdtab), 4, STRTAB_STE_0_S1FMT_LINEAR, STRTAB_STE_1_S1DSS_BYPASS);
	smmu_ste_write(t, SID, ste);
	smmu_cfgi_ste(t, SID);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).pa, IOVA);
}

struct bad_cd {
	const char *name;
	unsigned int word;
	u64 set, clear;
	u8 event;
};

static const struct bad_cd bad_cds[] = {
	{ "v_clear", 0, 0, CTXDESC_CD_0_V, EVT_ID_BAD_CD_CONFIG },
	{ "aa32", 0, 0, CTXDESC_CD_0_AA64, EVT_ID_BAD_CD_CONFIG },
	{ "big_endian", 0, CTXDESC_CD_0_ENDI, 0, EVT_ID_BAD_CD_CONFIG },
	{ "t0sz_too_large", 0, FIELD_PREP(CTXDESC_CD_0_TCR_T0SZ, 40), CTXDESC_CD_0_TCR_T0SZ, EVT_ID_BAD_CD_CONFIG },
	{ "tg0_reserved", 0, FIELD_PREP(CTXDESC_CD_0_TCR_TG0, 3), 0, EVT_ID_BAD_CD_CONFIG },
	{ "stall_unsupported", 0, CTXDESC_CD_0_S, 0, EVT_ID_BAD_CD_CONFIG },
	{ "res0_word1", 1, BIT_ULL(3), 0, EVT_ID_BAD_CD_CONFIG },
	{ "res0_word7", 7, 1, 0, EVT_ID_BAD_CD_CONFIG },
	{ "epd0", 0, CTXDESC_CD_0_TCR_EPD0, 0, EVT_ID_TRANSLATION_FAULT },
};
KUNIT_ARRAY_PARAM_DESC(bad_cds, bad_cds, name);

static void cd_illegal(struct kunit *test)
{
	const struct bad_cd *b = (const struct bad_cd *)test->param_value;
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct s1_stream s = make_s1(t, SID, 1);

	smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	s.cdtab[b->word] = (s.cdtab[b->word] & ~b->clear) | b->set;
	smmu_cfgi_cd(t, SID, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, b->event, SID);
}

static void cd_fetch_abort(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 ste[8];

	smmu_ste_s1(ste, 0x40000000ULL, 0, 0, 0);
	smmu_ste_write(t, SID, ste);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_CD_FETCH_FAULT, SID);
}

/* ----- 3.12, 7.3: translation faults ----- */

static void fault_events(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct s1_stream s = make_s1(t, SID, 1);
	struct arm_smmu_evtq_ent_raw e;
	struct smmuv3_txn_result r;

	smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, 0);
	smmu_pt_map(t, s.pt, IOVA + 0x1000, 0x80001000ULL, false, SMMU_PT_NO_AF);
	/* Unmapped: F_TRANSLATION with the input address and RnW. */
	r = smmu_dma(t, SID, IOVA + 0x5000, false);
	KUNIT_EXPECT_EQ(test, r.event, EVT_ID_TRANSLATION_FAULT);
	KUNIT_ASSERT_TRUE(test, smmu_evt_pop(t, &e));
	KUNIT_EXPECT_EQ(test, evt_id(&e), EVT_ID_TRANSLATION_FAULT);
	KUNIT_EXPECT_EQ(test, e.data[2], IOVA + 0x5000);
	KUNIT_EXPECT_TRUE(test, e.data[1] & EVTQ_1_RnW);
	KUNIT_EXPECT_FALSE(test, e.data[1] & EVTQ_1_S2);
	/* Read-only page written: F_PERMISSION. */
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, true).event, EVT_ID_PERMISSION_FAULT);
	expect_one_event(t, EVT_ID_PERMISSION_FAULT, SID);
	/* Access flag clear without HA: F_ACCESS. */
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA + 0x1000, false).event, EVT_ID_ACCESS_FAULT);
	expect_one_event(t, EVT_ID_ACCESS_FAULT, SID);
	/* An output address above IPS: F_ADDR_SIZE. */
	s.cdtab[0] = (s.cdtab[0] & ~CTXDESC_CD_0_TCR_IPS) | FIELD_PREP(CTXDESC_CD_0_TCR_IPS, IDR5_OAS_32_BIT);
	smmu_cfgi_cd(t, SID, 0);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ALL), 0);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).event, EVT_ID_ADDR_SIZE_FAULT);
	expect_one_event(t, EVT_ID_ADDR_SIZE_FAULT, SID);
	/* A table pointer where no memory is: F_WALK_EABT, recorded whatever CD.R says. */
	s.cdtab[0] = (s.cdtab[0] & ~(CTXDESC_CD_0_TCR_IPS | CTXDESC_CD_0_R)) |
		     FIELD_PREP(CTXDESC_CD_0_TCR_IPS, IDR5_OAS_48_BIT);
	s.pt[1] = 0x40000000ULL | 3;
	smmu_cfgi_cd(t, SID, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, 0x40000000ULL, false).event, EVT_ID_WALK_EABT);
	expect_one_event(t, EVT_ID_WALK_EABT, SID);
	/* CD.R clear: no event; CD.A clear: reads as zero instead of aborting. */
	s.cdtab[0] &= ~CTXDESC_CD_0_A;
	smmu_cfgi_cd(t, SID, 0);
	r = smmu_dma(t, SID, IOVA + 0x5000, false);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_RAZWI);
	KUNIT_EXPECT_EQ(test, smmu_evt_drain(t), 0);
}

static void fault_httu_sets_af_and_dirty(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct s1_stream s = make_s1(t, SID, 1);
	u64 *leaf;

	s.cdtab[0] |= CTXDESC_CD_0_TCR_HA | CTXDESC_CD_0_TCR_HD;
	smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, SMMU_PT_NO_AF);
	leaf = smmu_pt_leaf(s.pt, IOVA);
	*leaf |= pt_fmt_armv8<12>::DBM;	/* writable-clean */
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, true).status, SMMUV3_TXN_OK);
	KUNIT_EXPECT_TRUE(test, *leaf & pt_fmt_armv8<12>::AF);
	KUNIT_EXPECT_FALSE(test, *leaf & pt_fmt_armv8<12>::AP_RDONLY);
}

/* ----- 3.21, 4.3, 4.4, 4.5: caches and their invalidation ----- */

static void cache_ste_stale_until_cfgi(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 ste[8];

	smmu_ste_bypass(ste);
	smmu_ste_write(t, SID, ste);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	smmu_ste_abort(ste);
	smmu_ste_write(t, SID, ste);
	/* The cached STE still bypasses... */
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	/* ...through invalidations of other StreamIDs... */
	smmu_cfgi_ste(t, SID + 1);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE_RANGE) | FIELD_PREP(CMDQ_CFGI_0_SID, 4), 1);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	/* ...until a range that covers it: SIDs 0-3 for RANGE 1 from SID 2. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE_RANGE) | FIELD_PREP(CMDQ_CFGI_0_SID, 2), 1);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
}

static void cache_cd_stale_until_cfgi_cd(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct s1_stream s = make_s1(t, SID, 1);

	smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	s.cdtab[0] &= ~CTXDESC_CD_0_V;
	/* Another SSID's invalidation leaves CD 0 cached; the TLB entry also still serves. */
	smmu_cfgi_cd(t, SID, 1);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	smmu_cfgi_cd(t, SID, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_BAD_CD_CONFIG, SID);
}

static void cache_tlb_scope(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct s1_stream s = make_s1(t, SID, 7);

	smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).pa, 0x80000000ULL);
	/* Remap in memory: the TLB keeps the old translation. */
	*smmu_pt_leaf(s.pt, IOVA) = (*smmu_pt_leaf(s.pt, IOVA) & ~pt_fmt_armv8<12>::OA) | 0x90000000ULL;
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).pa, 0x80000000ULL);
	/* Other ASID, other VMID, other VA: still stale. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ASID) | FIELD_PREP(CMDQ_TLBI_0_ASID, 8), 0);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ALL) | FIELD_PREP(CMDQ_TLBI_0_VMID, 1), 0);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMDQ_TLBI_0_ASID, 7),
		 IOVA + 0x1000);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_EL2_ALL), 0);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC), 0);
	/* EL2_ALL needs HYP: the queue stopped on it, which is also a check. */
	KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQ_CONS_ERR, smmu_rd(t, ARM_SMMU_CMDQ_CONS)),
			CMDQ_ERR_CERROR_ILL_IDX);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).pa, 0x80000000ULL);
	/* Skip the bad command as a driver would, then a range covering IOVA. */
	u32 cons = smmu_rd(t, ARM_SMMU_CMDQ_CONS);
	t->cmdq[q_idx(cons, SMMU_TEST_Q_LG2) * 2] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC);
	smmu_wr(t, ARM_SMMU_GERRORN, smmu_rd(t, ARM_SMMU_GERROR));
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMDQ_TLBI_0_ASID, 7) |
			    FIELD_PREP(CMDQ_TLBI_0_NUM, 3) | FIELD_PREP(CMDQ_TLBI_0_SCALE, 0),
		 (IOVA - 0x2000) | FIELD_PREP(CMDQ_TLBI_1_TG, CMDQ_TLBI_1_TG_4K));
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).pa, 0x90000000ULL);
}

static void cache_s2_and_nested_scope(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 *s2 = smmu_pt_alloc(t), *s1 = smmu_pt_alloc(t);
	u64 *cdtab = (u64 *)smmu_test_alloc(t, PAGE_SIZE);
	u64 ste[8];

	/* Stage 2 maps the CD table and stage-1 table at IPA = PA, and IPA 0x5000000 -> 0x80000000. */
	smmu_pt_map(t, s2, smmu_pa(cdtab), smmu_pa(cdtab), true, 0);
	smmu_pt_map(t, s2, 0x5000000ULL, 0x80000000ULL, true, SMMU_PT_W);
	smmu_ste_s2(ste, smmu_pa(s2), 5);
	smmu_ste_write(t, 4, ste);
	smmu_cd_make(cdtab, smmu_pa(s1), 3);
	smmu_pt_map(t, s1, IOVA, 0x5000000ULL, false, SMMU_PT_W);
	smmu_s2_map_s1_tables(t, s2, s1, IOVA);
	smmu_ste_nested(ste, smmu_pa(cdtab), 0, smmu_pa(s2), 5);
	smmu_ste_write(t, SID, ste);

	KUNIT_EXPECT_EQ(test, smmu_dma(t, 4, 0x5000000ULL, false).pa, 0x80000000ULL);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, true).pa, 0x80000000ULL);
	/* Move the IPA's page: both cached entries stay. */
	*smmu_pt_leaf(s2, 0x5000000ULL) = (*smmu_pt_leaf(s2, 0x5000000ULL) & ~pt_fmt_armv8<12>::OA) |
					 0x90000000ULL;
	/* S2_IPA of another VMID keeps the stage-2 entry. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_S2_IPA) | FIELD_PREP(CMDQ_TLBI_0_VMID, 6), 0x5000000ULL);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, 4, 0x5000000ULL, false).pa, 0x80000000ULL);
	/* S2_IPA of this VMID drops it, but not the combined stage 1+2 entry. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_S2_IPA) | FIELD_PREP(CMDQ_TLBI_0_VMID, 5), 0x5000000ULL);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, 4, 0x5000000ULL, false).pa, 0x90000000ULL);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, true).pa, 0x80000000ULL);
	/* S12_VMALL drops every entry of the VMID. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_S12_VMALL) | FIELD_PREP(CMDQ_TLBI_0_VMID, 5), 0);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, true).pa, 0x90000000ULL);
}

static void cache_el2_regime(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmu_test *t;
	struct s1_stream s;
	u64 ste[8];

	smmuv3_model_cfg_default(&cfg);
	cfg.hyp = true;
	t = smmu_test_create(test, &cfg);
	s = make_s1(t, SID, 4);
	memcpy(ste, t->strtab[SID].data, sizeof(ste));
	ste[1] |= FIELD_PREP(STRTAB_STE_1_STRW, STRTAB_STE_1_STRW_EL2);
	smmu_ste_write(t, SID, ste);
	smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).pa, 0x80000000ULL);
	*smmu_pt_leaf(s.pt, IOVA) = 0;
	/* EL2 entries are not NS-EL1 ones: NH_ASID and NSNH_ALL leave them. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ASID) | FIELD_PREP(CMDQ_TLBI_0_ASID, 4), 0);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NSNH_ALL), 0);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_EL2_VA) | FIELD_PREP(CMDQ_TLBI_0_ASID, 5), IOVA);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_EL2_VA) | FIELD_PREP(CMDQ_TLBI_0_ASID, 4), IOVA);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).event, EVT_ID_TRANSLATION_FAULT);
	expect_one_event(t, EVT_ID_TRANSLATION_FAULT, SID);
}

static void cache_atc_until_atc_inv(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct s1_stream s = make_s1(t, SID, 1);
	struct smmuv3_txn txn = { .sid = SID, .addr = IOVA };
	struct smmuv3_txn_result r;

	smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, 0);
	smmuv3_model_atc_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, 0x80000000ULL);
	/* The endpoint keeps its translation through a TLBI... */
	*smmu_pt_leaf(s.pt, IOVA) = 0;
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ALL), 0);
	smmu_sync(t);
	smmuv3_model_atc_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, 0x80000000ULL);
	/* ...and an ATC_INV of another SSID, until its own. */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_ATC_INV) | CMDQ_0_SSV | FIELD_PREP(CMDQ_ATC_0_SSID, 2) |
			    FIELD_PREP(CMDQ_ATC_0_SID, SID),
		 FIELD_PREP(CMDQ_ATC_1_SIZE, ATC_INV_SIZE_ALL));
	smmu_sync(t);
	smmuv3_model_atc_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_OK);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_ATC_INV) | FIELD_PREP(CMDQ_ATC_0_SID, SID),
		 IOVA | FIELD_PREP(CMDQ_ATC_1_SIZE, 0));
	smmu_sync(t);
	smmuv3_model_atc_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	/* ATS translation faults are answered, not recorded. */
	KUNIT_EXPECT_EQ(test, smmu_evt_drain(t), 0);
}

static void fault_s2_record_flag(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 *s2 = smmu_pt_alloc(t);
	struct arm_smmu_evtq_ent_raw e;
	u64 ste[8];

	smmu_pt_map(t, s2, IOVA, 0x80000000ULL, true, 0);
	smmu_ste_s2(ste, smmu_pa(s2), 9);
	smmu_ste_write(t, SID, ste);
	/* A write to a read-only stage-2 page: F_PERMISSION with S2 and the IPA. */
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, true).status, SMMUV3_TXN_ABORT);
	KUNIT_ASSERT_TRUE(test, smmu_evt_pop(t, &e));
	KUNIT_EXPECT_EQ(test, evt_id(&e), EVT_ID_PERMISSION_FAULT);
	KUNIT_EXPECT_TRUE(test, e.data[1] & EVTQ_1_S2);
	KUNIT_EXPECT_EQ(test, e.data[3] & EVTQ_3_IPA, IOVA);
	/* S2R clear: still aborted, nothing recorded. */
	ste[2] &= ~STRTAB_STE_2_S2R;
	smmu_ste_write(t, SID, ste);
	smmu_cfgi_ste(t, SID);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, true).status, SMMUV3_TXN_ABORT);
	KUNIT_EXPECT_EQ(test, smmu_evt_drain(t), 0);
}

static void ats_request_answer(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct s1_stream s = make_s1(t, SID, 1);
	struct smmuv3_txn txn = { .sid = SID, .addr = IOVA + 0x123, .write = true };
	struct smmuv3_ats_resp resp;

	smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, 0);
	/* Asked for write, the page is read-only: readable translation, W clear. */
	smmuv3_model_ats_request(t->m, &txn, &resp);
	KUNIT_EXPECT_TRUE(test, resp.ok);
	KUNIT_EXPECT_TRUE(test, resp.r);
	KUNIT_EXPECT_FALSE(test, resp.w);
	KUNIT_EXPECT_EQ(test, resp.addr, 0x80000000ULL);
	/* Nothing mapped: a response with no access, and no event. */
	txn.addr = IOVA + 0x10000;
	smmuv3_model_ats_request(t->m, &txn, &resp);
	KUNIT_EXPECT_TRUE(test, resp.ok);
	KUNIT_EXPECT_FALSE(test, resp.r || resp.w);
	KUNIT_EXPECT_EQ(test, smmu_evt_drain(t), 0);
}

static void ats_not_allowed(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct smmuv3_txn txn = { .sid = SID, .addr = IOVA, .ats_translated = true };
	struct smmuv3_txn_result r;
	struct smmuv3_ats_resp resp;
	u64 ste[8];

	smmu_ste_bypass(ste);
	smmu_ste_write(t, SID, ste);
	/* EATS=0: a Translation Request is F_BAD_ATS_TREQ, a Translated one F_TRANSL_FORBIDDEN. */
	smmuv3_model_ats_request(t->m, &txn, &resp);
	KUNIT_EXPECT_FALSE(test, resp.ok);
	expect_one_event(t, EVT_ID_BAD_ATS_TREQ, SID);
	smmuv3_model_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	expect_one_event(t, EVT_ID_TRANSL_FORBIDDEN, SID);
}

/* ----- 3.3.x: nested translation ----- */

static void nested_never_reaches_unmapped_memory(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	u64 *s2 = smmu_pt_alloc(t), *s1 = smmu_pt_alloc(t);
	u64 *cdtab = (u64 *)smmu_test_alloc(t, PAGE_SIZE);
	struct arm_smmu_evtq_ent_raw e;
	struct smmuv3_txn_result r;
	u64 ste[8];

	/* Stage 2 maps the CD table only; the stage-1 table is real memory stage 2 hides. */
	smmu_pt_map(t, s2, smmu_pa(cdtab), smmu_pa(cdtab), true, 0);
	smmu_cd_make(cdtab, smmu_pa(s1), 3);
	smmu_pt_map(t, s1, IOVA, 0x5000000ULL, false, SMMU_PT_W);
	smmu_ste_nested(ste, smmu_pa(cdtab), 0, smmu_pa(s2), 5);
	smmu_ste_write(t, SID, ste);
	r = smmu_dma(t, SID, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	KUNIT_ASSERT_TRUE(test, smmu_evt_pop(t, &e));
	KUNIT_EXPECT_EQ(test, evt_id(&e), EVT_ID_TRANSLATION_FAULT);
	KUNIT_EXPECT_TRUE(test, e.data[1] & EVTQ_1_S2);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_1_CLASS, e.data[1]), EVTQ_1_CLASS_TT);
	KUNIT_EXPECT_EQ(test, e.data[3] & EVTQ_3_IPA, smmu_pa(s1) & EVTQ_3_IPA);
	/* The CD table at an IPA stage 2 does not map: CLASS=CD. */
	smmu_ste_nested(ste, 0x7000000ULL, 0, smmu_pa(s2), 5);
	smmu_ste_write(t, SID, ste);
	smmu_cfgi_ste(t, SID);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
	KUNIT_ASSERT_TRUE(test, smmu_evt_pop(t, &e));
	KUNIT_EXPECT_TRUE(test, e.data[1] & EVTQ_1_S2);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_1_CLASS, e.data[1]), EVTQ_1_CLASS_CD);
	/* Stage 1 output not mapped by stage 2: S2, CLASS=IN, the IPA reported. */
	smmu_s2_map_s1_tables(t, s2, s1, IOVA);
	smmu_ste_nested(ste, smmu_pa(cdtab), 0, smmu_pa(s2), 5);
	smmu_ste_write(t, SID, ste);
	smmu_cfgi_ste(t, SID);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
	KUNIT_ASSERT_TRUE(test, smmu_evt_pop(t, &e));
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_1_CLASS, e.data[1]), EVTQ_1_CLASS_IN);
	KUNIT_EXPECT_EQ(test, e.data[3] & EVTQ_3_IPA, 0x5000000ULL);
}

/* ----- 3.12.2: stalls ----- */

/* The stalled DMA's event (it is recorded before the DMA waits): its STAG. */
static u16 stall_event(struct kunit *test, struct smmu_test *t, u64 addr)
{
	struct arm_smmu_evtq_ent_raw e;

	while (!smmu_evt_pop(t, &e))
		std::this_thread::yield();
	KUNIT_EXPECT_EQ(test, evt_id(&e), EVT_ID_TRANSLATION_FAULT);
	KUNIT_EXPECT_TRUE(test, e.data[1] & EVTQ_1_STALL);
	KUNIT_EXPECT_EQ(test, e.data[2], addr);
	return FIELD_GET(EVTQ_1_STAG, e.data[1]);
}

/*
 * A DMA of @addr, in a thread of its own since it stalls; @answer gets its
 * STAG and ends the stall. What the DMA got.
 */
template <typename Answer>
static struct smmuv3_txn_result stalled_dma(struct kunit *test, struct smmu_test *t, u64 addr,
					    Answer answer)
{
	struct smmuv3_txn_result res;
	std::thread dma([&] { res = smmu_dma(t, SID, addr, false); });

	answer(stall_event(test, t, addr));
	dma.join();
	return res;
}

static void resume(struct smmu_test *t, u32 sid, u16 stag, u64 action)
{
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_RESUME) | FIELD_PREP(CMDQ_RESUME_0_SID, sid) |
			    FIELD_PREP(CMDQ_RESUME_0_RESP, action),
		 FIELD_PREP(CMDQ_RESUME_1_STAG, stag));
	smmu_sync(t);
}

/*
 * With STALL_MODEL "stall", a stage-1 fault under CD.S=1 waits for
 * software: RESUME Retry translates again (the page mapped meanwhile),
 * Abort aborts, Term ends it as if it had not stalled (CD.A clear: RAZ/WI),
 * STALL_TERM aborts every stall of its StreamID, a RESUME for another STAG
 * or StreamID leaves it waiting, and disabling the SMMU ends it.
 */
static void stall_resume(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmuv3_txn_result r;
	struct smmu_test *t;
	struct s1_stream s;

	smmuv3_model_cfg_default(&cfg);
	cfg.stall = true;
	t = smmu_test_create(test, &cfg);
	KUNIT_EXPECT_EQ(test, FIELD_GET(IDR0_STALL_MODEL, smmu_rd(t, ARM_SMMU_IDR0)),
			IDR0_STALL_MODEL_STALL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(IDR5_STALL_MAX, smmu_rd(t, ARM_SMMU_IDR5)), 16U);
	s = make_s1(t, SID, 1);
	s.cdtab[0] |= CTXDESC_CD_0_S;
	smmu_cfgi_cd(t, SID, 0);

	r = stalled_dma(test, t, IOVA, [&](u16 stag) {
		/* Not its STAG, not its StreamID: still stalled */
		resume(t, SID, stag + 1, CMDQ_RESUME_0_RESP_ABORT);
		resume(t, SID + 1, stag, CMDQ_RESUME_0_RESP_ABORT);
		smmu_pt_map(t, s.pt, IOVA, 0x80000000ULL, false, 0);
		resume(t, SID, stag, CMDQ_RESUME_0_RESP_RETRY);
	});
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, 0x80000000ULL);
	r = stalled_dma(test, t, IOVA + 0x1000, [&](u16 stag) {
		resume(t, SID, stag, CMDQ_RESUME_0_RESP_ABORT);
	});
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	r = stalled_dma(test, t, IOVA + 0x2000, [&](u16) {
		smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_STALL_TERM) |
				    FIELD_PREP(CMDQ_STALL_TERM_0_SID, SID), 0);
		smmu_sync(t);
	});
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	s.cdtab[0] &= ~CTXDESC_CD_0_A;
	smmu_cfgi_cd(t, SID, 0);
	r = stalled_dma(test, t, IOVA + 0x3000, [&](u16 stag) {
		resume(t, SID, stag, CMDQ_RESUME_0_RESP_TERM);
	});
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_RAZWI);
	r = stalled_dma(test, t, IOVA + 0x4000, [&](u16) {
		smmu_wr(t, ARM_SMMU_CR0, smmu_rd(t, ARM_SMMU_CR0) & ~CR0_SMMUEN);
	});
	KUNIT_EXPECT_EQ(test, r.status, SMMUV3_TXN_ABORT);
	KUNIT_EXPECT_EQ(test, smmu_evt_drain(t), 0);
}

/* CD.S: C_BAD_CD on an SMMU that cannot stall, or under an STE with S1STALLD. */
static void stall_cd_illegal(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmu_test *t;
	struct s1_stream s;
	u64 ste[8];

	t = smmu_test_create(test, NULL);
	s = make_s1(t, SID, 1);
	s.cdtab[0] |= CTXDESC_CD_0_S;
	smmu_cfgi_cd(t, SID, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).event, EVT_ID_BAD_CD_CONFIG);
	expect_one_event(t, EVT_ID_BAD_CD_CONFIG, SID);

	smmuv3_model_cfg_default(&cfg);
	cfg.stall = true;
	t = smmu_test_create(test, &cfg);
	s = make_s1(t, SID, 1);
	s.cdtab[0] |= CTXDESC_CD_0_S;
	smmu_ste_s1(ste, smmu_pa(s.cdtab), 0, 0, 0);
	ste[1] |= STRTAB_STE_1_S1STALLD;
	smmu_ste_write(t, SID, ste);
	smmu_cfgi_ste(t, SID);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA, false).event, EVT_ID_BAD_CD_CONFIG);
	expect_one_event(t, EVT_ID_BAD_CD_CONFIG, SID);
}

static struct kunit_case smmuv3_regs_cases[] = {
	KUNIT_CASE(regs_idr_reflect_cfg),
	KUNIT_CASE(regs_bad_cfg_rejected),
	KUNIT_CASE(regs_cr0_ack_and_reserved),
	KUNIT_CASE(regs_gbpa_update_protocol),
	KUNIT_CASE(regs_bases_readonly_when_enabled),
	KUNIT_CASE(gerror_irq_msi),
	{}
};

static struct kunit_suite smmuv3_regs_suite = {
	.name = "smmuv3-model-6.3-registers",
	.test_cases = smmuv3_regs_cases,
};

static struct kunit_case smmuv3_queue_cases[] = {
	KUNIT_CASE(cmdq_wrap),
	KUNIT_CASE(cmdq_illegal_stops_until_gerrorn),
	KUNIT_CASE_PARAM(cmdq_illegal_fields, illegal_cmds_gen_params),
	KUNIT_CASE(cmdq_fetch_abort),
	KUNIT_CASE(cmdq_sync_msi_and_sev),
	KUNIT_CASE(evtq_overflow_flag),
	KUNIT_CASE(evtq_irq_and_abort),
	KUNIT_CASE(priq_overflow_and_response),
	{}
};

static struct kunit_suite smmuv3_queue_suite = {
	.name = "smmuv3-model-3.5-queues",
	.test_cases = smmuv3_queue_cases,
};

static struct kunit_case smmuv3_config_cases[] = {
	KUNIT_CASE(ste_abort_bypass),
	KUNIT_CASE_PARAM(ste_illegal_is_c_bad_ste, bad_stes_gen_params),
	KUNIT_CASE(ste_streamid_range),
	KUNIT_CASE(ste_two_level_table),
	KUNIT_CASE(cd_s1_translate_and_ssid),
	KUNIT_CASE(cd_s1dss),
	KUNIT_CASE_PARAM(cd_illegal, bad_cds_gen_params),
	KUNIT_CASE(cd_fetch_abort),
	KUNIT_CASE(cd_2lvl_needs_cd2l),
	{}
};

static struct kunit_suite smmuv3_config_suite = {
	.name = "smmuv3-model-5-ste-cd",
	.test_cases = smmuv3_config_cases,
};

static struct kunit_case smmuv3_fault_cases[] = {
	KUNIT_CASE(fault_events),
	KUNIT_CASE(stall_resume),
	KUNIT_CASE(stall_cd_illegal),
	KUNIT_CASE(fault_httu_sets_af_and_dirty),
	KUNIT_CASE(fault_s2_record_flag),
	KUNIT_CASE(ats_request_answer),
	KUNIT_CASE(ats_not_allowed),
	KUNIT_CASE(nested_never_reaches_unmapped_memory),
	{}
};

static struct kunit_suite smmuv3_fault_suite = {
	.name = "smmuv3-model-7.3-events",
	.test_cases = smmuv3_fault_cases,
};

/* Remaps @va's leaf in @pt to @pa in memory; the TLB does not know. */
static void remap(u64 *pt, u64 va, u64 pa)
{
	*smmu_pt_leaf(pt, va) = (*smmu_pt_leaf(pt, va) & ~pt_fmt_armv8<12>::OA) | pa;
}

/*
 * A TLBI by address in a TLB holding many entries: the one it names goes
 * (erased by key), its neighbours and the same VA of another ASID stay; a
 * range of more pages than the model erases by key (a scan) takes them all.
 */
static void cache_tlbi_va_full_tlb(struct kunit *test)
{
	struct smmu_test *t = smmu_test_create(test, NULL);
	struct s1_stream a = make_s1(t, SID, 1), b = make_s1(t, SID + 1, 2);
	const unsigned int nr = 600;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		smmu_pt_map(t, a.pt, IOVA + i * 0x1000ULL, 0x80000000ULL + i * 0x1000ULL, false, 0);
		KUNIT_ASSERT_EQ(test, smmu_dma(t, SID, IOVA + i * 0x1000ULL, false).status,
				SMMUV3_TXN_OK);
	}
	smmu_pt_map(t, b.pt, IOVA + 0x5000, 0x80005000ULL, false, 0);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID + 1, IOVA + 0x5000, false).pa, 0x80005000ULL);
	for (i = 0; i < nr; i++)
		remap(a.pt, IOVA + i * 0x1000ULL, 0x90000000ULL + i * 0x1000ULL);
	remap(b.pt, IOVA + 0x5000, 0x90005000ULL);

	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMDQ_TLBI_0_ASID, 1),
		 IOVA + 0x5000);
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA + 0x5000, false).pa, 0x90005000ULL);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA + 0x4000, false).pa, 0x80004000ULL);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA + 0x6000, false).pa, 0x80006000ULL);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID + 1, IOVA + 0x5000, false).pa, 0x80005000ULL);

	/* 512 pages from IOVA (NUM 15, SCALE 5): more keys than erased one by one */
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMDQ_TLBI_0_ASID, 1) |
			    FIELD_PREP(CMDQ_TLBI_0_NUM, 15) | FIELD_PREP(CMDQ_TLBI_0_SCALE, 5),
		 IOVA | FIELD_PREP(CMDQ_TLBI_1_TG, CMDQ_TLBI_1_TG_4K));
	smmu_sync(t);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA + 511 * 0x1000ULL, false).pa,
			0x90000000ULL + 511 * 0x1000ULL);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID, IOVA + 512 * 0x1000ULL, false).pa,
			0x80000000ULL + 512 * 0x1000ULL);
	KUNIT_EXPECT_EQ(test, smmu_dma(t, SID + 1, IOVA + 0x5000, false).pa, 0x80005000ULL);
}

static struct kunit_case smmuv3_cache_cases[] = {
	KUNIT_CASE(cache_ste_stale_until_cfgi),
	KUNIT_CASE(cache_cd_stale_until_cfgi_cd),
	KUNIT_CASE(cache_tlb_scope),
	KUNIT_CASE(cache_tlbi_va_full_tlb),
	KUNIT_CASE(cache_s2_and_nested_scope),
	KUNIT_CASE(cache_el2_regime),
	KUNIT_CASE(cache_atc_until_atc_inv),
	{}
};

static struct kunit_suite smmuv3_cache_suite = {
	.name = "smmuv3-model-4.4-invalidation",
	.test_cases = smmuv3_cache_cases,
};

kunit_test_suites(&smmuv3_regs_suite, &smmuv3_queue_suite, &smmuv3_config_suite,
		  &smmuv3_fault_suite, &smmuv3_cache_suite);
