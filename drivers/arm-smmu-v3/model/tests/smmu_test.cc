// SPDX-License-Identifier: GPL-2.0
/*
 * The conformance suites' minimal driver (smmu_test.h).
 */
#include "smmu_test.h"

#include "harness/slab.h"

typedef pt_fmt_armv8<12> fmt4k;

static void smmu_test_irq(void *priv, enum smmuv3_irq src, bool msi)
{
	struct smmu_test *t = (struct smmu_test *)priv;

	t->irqs[src]++;
	if (msi)
		t->msis[src]++;
}

static void smmu_test_pri(void *priv, u32 sid, u32 ssid, bool ssv, u16 grpid,
			  enum pri_resp resp, bool automatic)
{
	struct smmu_test *t = (struct smmu_test *)priv;

	if (t->nr_pri < ARRAY_SIZE(t->pri))
		t->pri[t->nr_pri++] = { sid, ssid, ssv, grpid, resp, automatic };
}

static const struct smmuv3_model_ops smmu_test_ops = {
	.irq = smmu_test_irq,
	.pri_response = smmu_test_pri,
};

static void smmu_test_free(void *arg)
{
	struct smmu_test *t = (struct smmu_test *)arg;

	smmuv3_model_destroy(t->m);
	for (void *p : t->pages)
		iommu_free_pages(p);
	delete t;
}

void *smmu_test_alloc(struct smmu_test *t, size_t size)
{
	void *p = iommu_alloc_pages_sz(GFP_KERNEL, size);

	KUNIT_ASSERT_NOT_NULL(t->test, p);
	t->pages.push_back(p);
	return p;
}

struct smmu_test *smmu_test_create_raw(struct kunit *test, const struct smmuv3_model_cfg *cfg)
{
	struct smmuv3_model_cfg def;
	struct smmu_test *t = new smmu_test();

	t->test = test;
	if (!cfg) {
		smmuv3_model_cfg_default(&def);
		cfg = &def;
	}
	t->m = smmuv3_model_create(cfg, &smmu_test_ops, t);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->m));
	kunit_add_action(test, smmu_test_free, t);
	t->base = smmuv3_model_mmio(t->m);
	t->strtab = (struct arm_smmu_ste *)smmu_test_alloc(t, sizeof(struct arm_smmu_ste) << SMMU_TEST_SIDS_LG2);
	t->cmdq = (u64 *)smmu_test_alloc(t, 16 << SMMU_TEST_Q_LG2);
	t->evtq = (struct arm_smmu_evtq_ent_raw *)smmu_test_alloc(t, 32 << SMMU_TEST_Q_LG2);
	t->priq = (struct arm_smmu_priq_ent_raw *)smmu_test_alloc(t, 16 << SMMU_TEST_Q_LG2);
	t->msi = (u32 *)smmu_test_alloc(t, PAGE_SIZE);
	return t;
}

void smmu_test_enable(struct smmu_test *t)
{
	smmu_wrq(t, ARM_SMMU_STRTAB_BASE, smmu_pa(t->strtab));
	smmu_wr(t, ARM_SMMU_STRTAB_BASE_CFG, FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, SMMU_TEST_SIDS_LG2));
	smmu_wrq(t, ARM_SMMU_CMDQ_BASE, smmu_pa(t->cmdq) | SMMU_TEST_Q_LG2);
	smmu_wr(t, ARM_SMMU_CMDQ_PROD, 0);
	smmu_wr(t, ARM_SMMU_CMDQ_CONS, 0);
	smmu_wrq(t, ARM_SMMU_EVTQ_BASE, smmu_pa(t->evtq) | SMMU_TEST_Q_LG2);
	smmu_wr(t, ARM_SMMU_PAGE1_EVTQ_PROD, 0);
	smmu_wr(t, ARM_SMMU_PAGE1_EVTQ_CONS, 0);
	smmu_wrq(t, ARM_SMMU_PRIQ_BASE, smmu_pa(t->priq) | SMMU_TEST_Q_LG2);
	smmu_wr(t, ARM_SMMU_PAGE1_PRIQ_PROD, 0);
	smmu_wr(t, ARM_SMMU_PAGE1_PRIQ_CONS, 0);
	smmu_wr(t, ARM_SMMU_CR0, CR0_CMDQEN | CR0_EVTQEN | CR0_PRIQEN);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_ALL), CMDQ_CFGI_1_RANGE_ALL);
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NSNH_ALL), 0);
	smmu_sync(t);
	smmu_wr(t, ARM_SMMU_CR0, CR0_CMDQEN | CR0_EVTQEN | CR0_PRIQEN | CR0_SMMUEN);
	KUNIT_EXPECT_EQ(t->test, smmu_rd(t, ARM_SMMU_CR0ACK),
			CR0_CMDQEN | CR0_EVTQEN | CR0_PRIQEN | CR0_SMMUEN);
}

struct smmu_test *smmu_test_create(struct kunit *test, const struct smmuv3_model_cfg *cfg)
{
	struct smmu_test *t = smmu_test_create_raw(test, cfg);

	smmu_test_enable(t);
	return t;
}

u32 smmu_rd(struct smmu_test *t, unsigned int off)
{
	return readl((u8 __iomem *)t->base + off);
}

void smmu_wr(struct smmu_test *t, unsigned int off, u32 val)
{
	writel(val, (u8 __iomem *)t->base + off);
}

void smmu_wrq(struct smmu_test *t, unsigned int off, u64 val)
{
	writeq(val, (u8 __iomem *)t->base + off);
}

u32 smmu_cmd(struct smmu_test *t, u64 dw0, u64 dw1)
{
	u32 prod = smmu_rd(t, ARM_SMMU_CMDQ_PROD);

	t->cmdq[q_idx(prod, SMMU_TEST_Q_LG2) * 2] = dw0;
	t->cmdq[q_idx(prod, SMMU_TEST_Q_LG2) * 2 + 1] = dw1;
	smmu_wr(t, ARM_SMMU_CMDQ_PROD, q_inc(prod, SMMU_TEST_Q_LG2));
	return smmu_rd(t, ARM_SMMU_CMDQ_CONS);
}

void smmu_sync(struct smmu_test *t)
{
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC), 0);
	KUNIT_EXPECT_EQ(t->test, smmu_rd(t, ARM_SMMU_CMDQ_CONS), smmu_rd(t, ARM_SMMU_CMDQ_PROD));
}

void smmu_cfgi_ste(struct smmu_test *t, u32 sid)
{
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE) | FIELD_PREP(CMDQ_CFGI_0_SID, sid),
		 CMDQ_CFGI_1_LEAF);
	smmu_sync(t);
}

void smmu_cfgi_cd(struct smmu_test *t, u32 sid, u32 ssid)
{
	smmu_cmd(t, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_CD) | FIELD_PREP(CMDQ_CFGI_0_SID, sid) |
			    FIELD_PREP(CMDQ_CFGI_0_SSID, ssid),
		 CMDQ_CFGI_1_LEAF);
	smmu_sync(t);
}

bool smmu_evt_pop(struct smmu_test *t, struct arm_smmu_evtq_ent_raw *evt)
{
	u32 prod = smmu_rd(t, ARM_SMMU_PAGE1_EVTQ_PROD);
	u32 cons = smmu_rd(t, ARM_SMMU_PAGE1_EVTQ_CONS);

	if (q_empty(prod, cons, SMMU_TEST_Q_LG2))
		return false;
	*evt = t->evtq[q_idx(cons, SMMU_TEST_Q_LG2)];
	smmu_wr(t, ARM_SMMU_PAGE1_EVTQ_CONS, q_inc(cons, SMMU_TEST_Q_LG2));
	return true;
}

unsigned int smmu_evt_drain(struct smmu_test *t)
{
	struct arm_smmu_evtq_ent_raw evt;
	unsigned int n = 0;

	while (smmu_evt_pop(t, &evt))
		n++;
	return n;
}

void smmu_ste_write(struct smmu_test *t, u32 sid, const u64 *ste)
{
	memcpy(t->strtab[sid].data, ste, sizeof(t->strtab[sid].data));
}

void smmu_ste_abort(u64 *ste)
{
	memset(ste, 0, 64);
	ste[0] = STRTAB_STE_0_V | FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_ABORT);
}

void smmu_ste_bypass(u64 *ste)
{
	memset(ste, 0, 64);
	ste[0] = STRTAB_STE_0_V | FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_BYPASS);
}

void smmu_ste_s1(u64 *ste, u64 cdtab, unsigned int cdmax, unsigned int s1fmt, unsigned int s1dss)
{
	memset(ste, 0, 64);
	ste[0] = STRTAB_STE_0_V | FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_S1_TRANS) |
		 FIELD_PREP(STRTAB_STE_0_S1FMT, s1fmt) | (cdtab & STRTAB_STE_0_S1CTXPTR_MASK) |
		 FIELD_PREP(STRTAB_STE_0_S1CDMAX, cdmax);
	ste[1] = FIELD_PREP(STRTAB_STE_1_S1DSS, s1dss) | FIELD_PREP(STRTAB_STE_1_EATS, STRTAB_STE_1_EATS_TRANS);
}

static u64 smmu_vtcr(void)
{
	return FIELD_PREP(STRTAB_STE_2_VTCR_S2T0SZ, 64 - 39) |
	       FIELD_PREP(STRTAB_STE_2_VTCR_S2SL0, 1) | /* start at ARM level 1 */
	       FIELD_PREP(STRTAB_STE_2_VTCR_S2TG, ARM_SMMU_S2TG_4K) |
	       FIELD_PREP(STRTAB_STE_2_VTCR_S2PS, IDR5_OAS_48_BIT);
}

void smmu_ste_s2(u64 *ste, u64 s2ttb, u16 vmid)
{
	memset(ste, 0, 64);
	ste[0] = STRTAB_STE_0_V | FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_S2_TRANS);
	ste[1] = FIELD_PREP(STRTAB_STE_1_EATS, STRTAB_STE_1_EATS_TRANS);
	ste[2] = FIELD_PREP(STRTAB_STE_2_S2VMID, vmid) | FIELD_PREP(STRTAB_STE_2_VTCR, smmu_vtcr()) |
		 STRTAB_STE_2_S2AA64 | STRTAB_STE_2_S2R;
	ste[3] = s2ttb & STRTAB_STE_3_S2TTB_MASK;
}

void smmu_ste_nested(u64 *ste, u64 cdtab, unsigned int cdmax, u64 s2ttb, u16 vmid)
{
	u64 s2[8];

	smmu_ste_s2(s2, s2ttb, vmid);
	smmu_ste_s1(ste, cdtab, cdmax, STRTAB_STE_0_S1FMT_LINEAR, STRTAB_STE_1_S1DSS_SSID0);
	ste[0] = (ste[0] & ~STRTAB_STE_0_CFG) | FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_NESTED);
	ste[2] = s2[2];
	ste[3] = s2[3];
}

void smmu_cd_make(u64 *cd, u64 ttb0, u16 asid)
{
	memset(cd, 0, 64);
	cd[0] = FIELD_PREP(CTXDESC_CD_0_TCR_T0SZ, 64 - 39) |
		FIELD_PREP(CTXDESC_CD_0_TCR_TG0, ARM_SMMU_TG0_4K) | CTXDESC_CD_0_TCR_EPD1 |
		CTXDESC_CD_0_V | FIELD_PREP(CTXDESC_CD_0_TCR_IPS, IDR5_OAS_48_BIT) |
		CTXDESC_CD_0_AA64 | CTXDESC_CD_0_R | CTXDESC_CD_0_A |
		FIELD_PREP(CTXDESC_CD_0_ASID, asid);
	cd[1] = ttb0 & CTXDESC_CD_1_TTB0_MASK;
}

u64 *smmu_pt_alloc(struct smmu_test *t)
{
	return (u64 *)smmu_test_alloc(t, PAGE_SIZE);
}

/* Index of @va at ARM level 1..3 of a 39-bit, 4K-granule table. */
static unsigned int smmu_pt_idx(u64 va, unsigned int arm_level)
{
	return (va >> (12 + 9 * (3 - arm_level))) & 511;
}

void smmu_pt_map(struct smmu_test *t, u64 *root, u64 va, u64 pa, bool s2, unsigned int flags)
{
	u64 *table = root;

	for (unsigned int lvl = 1; lvl < 3; lvl++) {
		u64 *e = &table[smmu_pt_idx(va, lvl)];

		if (!(*e & fmt4k::VALID))
			*e = smmu_pa(smmu_pt_alloc(t)) | fmt4k::VALID | fmt4k::TABLE;
		table = (u64 *)phys_to_virt(*e & fmt4k::OA);
	}
	u64 leaf = (pa & fmt4k::OA) | fmt4k::VALID | fmt4k::TABLE |
		   (flags & SMMU_PT_NO_AF ? 0 : fmt4k::AF);
	if (s2)
		leaf |= fmt4k::S2AP_R | (flags & SMMU_PT_W ? fmt4k::S2AP_W : 0);
	else
		leaf |= fmt4k::AP_UNPRIV | (flags & SMMU_PT_W ? 0 : fmt4k::AP_RDONLY);
	table[smmu_pt_idx(va, 3)] = leaf;
}

u64 *smmu_pt_leaf(u64 *root, u64 va)
{
	u64 *table = root;

	for (unsigned int lvl = 1; lvl < 3; lvl++)
		table = (u64 *)phys_to_virt(table[smmu_pt_idx(va, lvl)] & fmt4k::OA);
	return &table[smmu_pt_idx(va, 3)];
}

struct smmuv3_txn_result smmu_dma(struct smmu_test *t, u32 sid, u64 addr, bool write)
{
	struct smmuv3_txn txn = { .sid = sid, .addr = addr, .write = write };
	struct smmuv3_txn_result res;

	smmuv3_model_translate(t->m, &txn, &res);
	return res;
}

struct smmuv3_txn_result smmu_dma_pasid(struct smmu_test *t, u32 sid, u32 ssid, u64 addr,
					bool write)
{
	struct smmuv3_txn txn = { .sid = sid, .ssid = ssid, .ssv = true, .addr = addr, .write = write };
	struct smmuv3_txn_result res;

	smmuv3_model_translate(t->m, &txn, &res);
	return res;
}

void smmu_s2_map_s1_tables(struct smmu_test *t, u64 *s2, u64 *s1, u64 va)
{
	u64 *table = s1;

	smmu_pt_map(t, s2, smmu_pa(s1), smmu_pa(s1), true, 0);
	for (unsigned int lvl = 1; lvl < 3; lvl++) {
		u64 pa = table[smmu_pt_idx(va, lvl)] & fmt4k::OA;

		smmu_pt_map(t, s2, pa, pa, true, 0);
		table = (u64 *)phys_to_virt(pa);
	}
}
