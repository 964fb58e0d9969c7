// SPDX-License-Identifier: GPL-2.0
/*
 * The Tegra241 CMDQV model beside the SMMUv3 model: its parameters and
 * enables, queue allocation to VINTFs and the logical pages, a VM's queue
 * (allowed commands, the VINTF's VMID, StreamID pairs), the error protocol
 * (CONS.ERR, GERROR/GERRORN, the error maps, the interrupt), and a host
 * (HYP_OWN) queue. Each test drives the registers as the driver would and
 * puts commands in fake physical memory.
 */
#include "smmu_test.h"

#include "drivers/arm-smmu-v3/model/cmdqv_model.h"

#define SID 3
#define IOVA 0x12345000ULL
#define VMID 5
#define VSID 0x42

struct cmdqv_test {
	struct smmu_test *t;
	struct tegra241_cmdqv_model *q;
	u8 __iomem *base;
	unsigned int irqs;
};

static void cmdqv_test_irq(void *priv)
{
	((struct cmdqv_test *)priv)->irqs++;
}

static const struct tegra241_cmdqv_model_ops cmdqv_test_ops = {
	.irq = cmdqv_test_irq,
};

static void cmdqv_test_exit(void *data)
{
	tegra241_cmdqv_model_destroy((struct tegra241_cmdqv_model *)data);
}

/* The default CMDQV on an enabled SMMU; every queue given to its VINTF, unmapped. */
static struct cmdqv_test *cmdqv_test_create(struct kunit *test)
{
	struct cmdqv_test *c = (struct cmdqv_test *)kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct tegra241_cmdqv_model_cfg cfg;
	unsigned int q = 0;

	c->t = smmu_test_create(test, NULL);
	tegra241_cmdqv_model_cfg_default(&cfg);
	c->q = tegra241_cmdqv_model_create(&cfg, c->t->m, &cmdqv_test_ops, c);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c->q));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, cmdqv_test_exit, c->q), 0);
	c->base = (u8 __iomem *)tegra241_cmdqv_model_mmio(c->q);
	writel(CMDQV_EN, c->base + TEGRA241_CMDQV_CONFIG);
	for (unsigned int v = 0; v < 4; v++)
		for (unsigned int l = 0; l < 2; l++)
			writel(FIELD_PREP(CMDQV_CMDQ_ALLOC_VINTF, v) |
				       FIELD_PREP(CMDQV_CMDQ_ALLOC_LVCMDQ, l),
			       c->base + TEGRA241_CMDQV_CMDQ_ALLOC(q++));
	return c;
}

/* VINTF @v for a VM (or the host) with @vmid, enabled, one StreamID pair VSID -> SID. */
static void vintf_enable(struct cmdqv_test *c, unsigned int v, u16 vmid, bool hyp_own)
{
	u8 __iomem *vintf = c->base + TEGRA241_VINTF(v);

	writel(SID, vintf + TEGRA241_VINTF_SID_REPLACE(0));
	writel(VSID << 1 | VINTF_SID_MATCH_VALID, vintf + TEGRA241_VINTF_SID_MATCH(0));
	writel(FIELD_PREP(VINTF_VMID, vmid) | (hyp_own ? VINTF_HYP_OWN : 0) | VINTF_EN,
	       vintf + TEGRA241_VINTF_CONFIG);
	KUNIT_EXPECT_EQ(c->t->test, readl(vintf + TEGRA241_VINTF_STATUS), VINTF_ENABLED);
}

/* Maps logical queue 0 of VINTF @v (global queue 2v) on a 16-entry queue; enables it. */
static u64 *lvcmdq0_enable(struct cmdqv_test *c, unsigned int v)
{
	u64 *mem = (u64 *)smmu_test_alloc(c->t, PAGE_SIZE);
	u8 __iomem *page0 = c->base + TEGRA241_VINTFi_LVCMDQ_PAGE0(v, 0);

	writel(readl(c->base + TEGRA241_CMDQV_CMDQ_ALLOC(2 * v)) | CMDQV_CMDQ_ALLOCATED,
	       c->base + TEGRA241_CMDQV_CMDQ_ALLOC(2 * v));
	writeq(smmu_pa(mem) | 4, c->base + TEGRA241_VINTFi_LVCMDQ_PAGE1(v, 0) + TEGRA241_VCMDQ_BASE);
	writel(VCMDQ_EN, page0 + TEGRA241_VCMDQ_CONFIG);
	KUNIT_EXPECT_EQ(c->t->test, readl(page0 + TEGRA241_VCMDQ_STATUS), VCMDQ_ENABLED);
	return mem;
}

/* Puts a command at @slot of the queue and moves PROD past it; CONS afterwards. */
static u32 lvcmdq_cmd(struct cmdqv_test *c, unsigned int v, u64 *mem, unsigned int slot,
		      u64 dw0, u64 dw1)
{
	u8 __iomem *page0 = c->base + TEGRA241_VINTFi_LVCMDQ_PAGE0(v, 0);

	mem[2 * slot] = dw0;
	mem[2 * slot + 1] = dw1;
	writel(slot + 1, page0 + TEGRA241_VCMDQ_PROD);
	return readl(page0 + TEGRA241_VCMDQ_CONS);
}

/* A nested stream SID (stage 2 with @vmid) whose stage 1 maps IOVA to IPA 0x5000000. */
static u64 *nested_stream(struct cmdqv_test *c, u16 vmid)
{
	struct smmu_test *t = c->t;
	u64 *s2 = smmu_pt_alloc(t), *s1 = smmu_pt_alloc(t);
	u64 *cdtab = (u64 *)smmu_test_alloc(t, PAGE_SIZE);
	u64 ste[8];

	smmu_pt_map(t, s2, smmu_pa(cdtab), smmu_pa(cdtab), true, 0);
	smmu_pt_map(t, s2, 0x5000000ULL, 0x80000000ULL, true, SMMU_PT_W);
	smmu_pt_map(t, s2, 0x6000000ULL, 0x90000000ULL, true, SMMU_PT_W);
	smmu_cd_make(cdtab, smmu_pa(s1), 1);
	smmu_pt_map(t, s1, IOVA, 0x5000000ULL, false, SMMU_PT_W);
	smmu_s2_map_s1_tables(t, s2, s1, IOVA);
	smmu_ste_nested(ste, smmu_pa(cdtab), 0, smmu_pa(s2), vmid);
	smmu_ste_write(t, SID, ste);
	return s1;
}

static void cmdqv_param_and_enables(struct kunit *test)
{
	struct cmdqv_test *c = cmdqv_test_create(test);
	u32 param = readl(c->base + TEGRA241_CMDQV_PARAM);

	KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQV_NUM_VINTF_LOG2, param), 2);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQV_NUM_VCMDQ_LOG2, param), 3);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQV_NUM_SID_PER_VM_LOG2, param), 3);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CMDQV_VER, param), 1);
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_CMDQV_STATUS), CMDQV_ENABLED);
	writel(0, c->base + TEGRA241_CMDQV_CONFIG);
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_CMDQV_STATUS), 0);
	/* PARAM is read-only */
	writel(0, c->base + TEGRA241_CMDQV_PARAM);
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_CMDQV_PARAM), param);
	/* A bad configuration is refused */
	{
		struct tegra241_cmdqv_model_cfg cfg;

		tegra241_cmdqv_model_cfg_default(&cfg);
		cfg.vcmdqs_log2 = 1;	/* fewer queues than VINTFs */
		KUNIT_EXPECT_EQ(test, PTR_ERR(tegra241_cmdqv_model_create(&cfg, c->t->m, NULL, NULL)),
				-EINVAL);
	}
}

static void cmdqv_logical_pages_follow_alloc(struct kunit *test)
{
	struct cmdqv_test *c = cmdqv_test_create(test);
	u8 __iomem *lpage1 = c->base + TEGRA241_VINTFi_LVCMDQ_PAGE1(1, 0);
	u8 __iomem *gpage1 = c->base + TEGRA241_VCMDQ_PAGE1(2);

	/* Not ALLOCATED yet: the VINTF's page reaches nothing */
	writeq(0x40000 | 4, lpage1 + TEGRA241_VCMDQ_BASE);
	KUNIT_EXPECT_EQ(test, readq(lpage1 + TEGRA241_VCMDQ_BASE), 0);
	KUNIT_EXPECT_EQ(test, readq(gpage1 + TEGRA241_VCMDQ_BASE), 0);
	/* Mapped: the logical page is the global queue 2 */
	writel(readl(c->base + TEGRA241_CMDQV_CMDQ_ALLOC(2)) | CMDQV_CMDQ_ALLOCATED,
	       c->base + TEGRA241_CMDQV_CMDQ_ALLOC(2));
	writeq(0x40000 | 4, lpage1 + TEGRA241_VCMDQ_BASE);
	KUNIT_EXPECT_EQ(test, readq(gpage1 + TEGRA241_VCMDQ_BASE), 0x40000ULL | 4);
	/* Reserved address bits are not kept; BASE is fixed while the queue is enabled */
	writeq(BIT_ULL(60) | 0x80000 | 4, lpage1 + TEGRA241_VCMDQ_BASE);
	KUNIT_EXPECT_EQ(test, readq(lpage1 + TEGRA241_VCMDQ_BASE), 0x80000ULL | 4);
	writel(VCMDQ_EN, c->base + TEGRA241_VINTFi_LVCMDQ_PAGE0(1, 0) + TEGRA241_VCMDQ_CONFIG);
	writeq(0x40000 | 4, lpage1 + TEGRA241_VCMDQ_BASE);
	KUNIT_EXPECT_EQ(test, readq(lpage1 + TEGRA241_VCMDQ_BASE), 0x80000ULL | 4);
	/* Logical queue 1 of VINTF 1 (global 3) is still unmapped */
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_VINTFi_LVCMDQ_PAGE0(1, 1) +
					TEGRA241_VCMDQ_STATUS), 0);
}

static void cmdqv_vm_tlbi_uses_vintf_vmid(struct kunit *test)
{
	struct cmdqv_test *c = cmdqv_test_create(test);
	u64 *s1 = nested_stream(c, VMID);
	u64 *mem1, *mem2;

	vintf_enable(c, 1, VMID, false);
	vintf_enable(c, 2, VMID + 1, false);
	mem1 = lvcmdq0_enable(c, 1);
	mem2 = lvcmdq0_enable(c, 2);
	KUNIT_EXPECT_EQ(test, smmu_dma(c->t, SID, IOVA, true).pa, 0x80000000ULL);
	/* The VM moves its page: stale until a TLBI of its VMID */
	*smmu_pt_leaf(s1, IOVA) = (*smmu_pt_leaf(s1, IOVA) & ~pt_fmt_armv8<12>::OA) | 0x6000000ULL;
	KUNIT_EXPECT_EQ(test, smmu_dma(c->t, SID, IOVA, true).pa, 0x80000000ULL);
	/* Another VM's TLBI, naming this VMID in the command: its own VMID is used */
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 2, mem2, 0,
					 FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) |
						 FIELD_PREP(CMDQ_TLBI_0_VMID, VMID) |
						 FIELD_PREP(CMDQ_TLBI_0_ASID, 1),
					 IOVA), 1);
	KUNIT_EXPECT_EQ(test, smmu_dma(c->t, SID, IOVA, true).pa, 0x80000000ULL);
	/* This VM's, naming no VMID at all: done */
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem1, 0,
					 FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) |
						 FIELD_PREP(CMDQ_TLBI_0_ASID, 1),
					 IOVA), 1);
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem1, 1, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC), 0),
			2);
	KUNIT_EXPECT_EQ(test, smmu_dma(c->t, SID, IOVA, true).pa, 0x90000000ULL);
	KUNIT_EXPECT_EQ(test, c->irqs, 0);
}

static void cmdqv_vm_commands_restricted(struct kunit *test)
{
	struct cmdqv_test *c = cmdqv_test_create(test);
	u8 __iomem *page0 = c->base + TEGRA241_VINTFi_LVCMDQ_PAGE0(1, 0);
	u64 *mem;
	u32 gerror;

	vintf_enable(c, 1, VMID, false);
	mem = lvcmdq0_enable(c, 1);
	/* CFGI_STE is the host's: CERROR_ILL, the queue stays on it */
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem, 0,
					 FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE) |
						 FIELD_PREP(CMDQ_CFGI_0_SID, VSID),
					 0),
			FIELD_PREP(VCMDQ_CONS_ERR, CMDQ_ERR_CERROR_ILL_IDX));
	gerror = readl(page0 + TEGRA241_VCMDQ_GERROR);
	KUNIT_EXPECT_NE(test, gerror & GERROR_CMDQ_ERR,
			readl(page0 + TEGRA241_VCMDQ_GERRORN) & GERROR_CMDQ_ERR);
	/* The maps: logical queue 0 of VINTF 1, global queue 2, VINTF 1; one interrupt */
	KUNIT_EXPECT_EQ(test, readq(c->base + TEGRA241_VINTF(1) + TEGRA241_VINTF_LVCMDQ_ERR_MAP_64(0)),
			1);
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_CMDQV_CMDQ_ERR_MAP(0)), BIT(2));
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_CMDQV_VINTF_ERR_MAP), BIT(1));
	KUNIT_EXPECT_EQ(test, c->irqs, 1);
	/* More PROD does not move it while the error is active */
	mem[2] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC);
	mem[3] = 0;
	writel(2, page0 + TEGRA241_VCMDQ_PROD);
	KUNIT_EXPECT_EQ(test, readl(page0 + TEGRA241_VCMDQ_CONS) & 0xff, 0);
	/* Skipped and acknowledged: on it goes, the maps clear */
	mem[0] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC);
	writel(gerror, page0 + TEGRA241_VCMDQ_GERRORN);
	KUNIT_EXPECT_EQ(test, readl(page0 + TEGRA241_VCMDQ_CONS), 2);
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_CMDQV_VINTF_ERR_MAP), 0);
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_CMDQV_CMDQ_ERR_MAP(0)), 0);
	/* Other host commands, and CMD_SYNC asking for an MSI (to an IPA), are refused too */
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem, 2, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NSNH_ALL),
					 0) & VCMDQ_CONS_ERR,
			FIELD_PREP(VCMDQ_CONS_ERR, CMDQ_ERR_CERROR_ILL_IDX));
	writel(readl(page0 + TEGRA241_VCMDQ_GERROR), page0 + TEGRA241_VCMDQ_GERRORN);
	mem[4] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC) |
		 FIELD_PREP(CMDQ_SYNC_0_CS, CMDQ_SYNC_0_CS_IRQ);
	writel(3, page0 + TEGRA241_VCMDQ_PROD);
	KUNIT_EXPECT_EQ(test, readl(page0 + TEGRA241_VCMDQ_CONS) & VCMDQ_CONS_ERR,
			FIELD_PREP(VCMDQ_CONS_ERR, CMDQ_ERR_CERROR_ILL_IDX));
	KUNIT_EXPECT_EQ(test, c->irqs, 3);
}

static void cmdqv_vm_atc_inv_by_sid_pair(struct kunit *test)
{
	struct cmdqv_test *c = cmdqv_test_create(test);
	u8 __iomem *page0 = c->base + TEGRA241_VINTFi_LVCMDQ_PAGE0(1, 0);
	struct tegra241_cmdqv_model_stats st;
	u64 *mem;

	vintf_enable(c, 1, VMID, false);
	mem = lvcmdq0_enable(c, 1);
	/* The VM's own StreamID: runs (on the physical one) */
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem, 0,
					 FIELD_PREP(CMDQ_0_OP, CMDQ_OP_ATC_INV) |
						 FIELD_PREP(CMDQ_ATC_0_SID, VSID) | CMDQ_ATC_0_GLOBAL,
					 0),
			1);
	/* The physical StreamID itself, or any it has no pair for: refused */
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem, 1,
					 FIELD_PREP(CMDQ_0_OP, CMDQ_OP_ATC_INV) |
						 FIELD_PREP(CMDQ_ATC_0_SID, SID) | CMDQ_ATC_0_GLOBAL,
					 0) & VCMDQ_CONS_ERR,
			FIELD_PREP(VCMDQ_CONS_ERR, CMDQ_ERR_CERROR_ILL_IDX));
	/* Skipped; and a pair the host cleared (its vDEVICE gone) no longer matches */
	mem[2] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC);
	mem[3] = 0;
	writel(0, c->base + TEGRA241_VINTF(1) + TEGRA241_VINTF_SID_MATCH(0));
	writel(readl(page0 + TEGRA241_VCMDQ_GERROR), page0 + TEGRA241_VCMDQ_GERRORN);
	KUNIT_EXPECT_EQ(test, readl(page0 + TEGRA241_VCMDQ_CONS), 2);
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem, 2,
					 FIELD_PREP(CMDQ_0_OP, CMDQ_OP_ATC_INV) |
						 FIELD_PREP(CMDQ_ATC_0_SID, VSID) | CMDQ_ATC_0_GLOBAL,
					 0) & VCMDQ_CONS_ERR,
			FIELD_PREP(VCMDQ_CONS_ERR, CMDQ_ERR_CERROR_ILL_IDX));
	tegra241_cmdqv_model_get_stats(c->q, &st);
	KUNIT_EXPECT_EQ(test, st.cmds, 2);
	KUNIT_EXPECT_EQ(test, st.errors, 2);
}

static void cmdqv_queue_needs_every_enable(struct kunit *test)
{
	struct cmdqv_test *c = cmdqv_test_create(test);
	u8 __iomem *page0 = c->base + TEGRA241_VINTFi_LVCMDQ_PAGE0(1, 0);
	u8 __iomem *vintf = c->base + TEGRA241_VINTF(1);
	u64 *mem;

	vintf_enable(c, 1, VMID, false);
	mem = lvcmdq0_enable(c, 1);
	/* VINTF disabled: the queue waits, and runs once it is enabled again */
	writel(FIELD_PREP(VINTF_VMID, VMID), vintf + TEGRA241_VINTF_CONFIG);
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem, 0, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC), 0),
			0);
	writel(FIELD_PREP(VINTF_VMID, VMID) | VINTF_EN, vintf + TEGRA241_VINTF_CONFIG);
	KUNIT_EXPECT_EQ(test, readl(page0 + TEGRA241_VCMDQ_CONS), 1);
	/* The CMDQV disabled: the same */
	writel(0, c->base + TEGRA241_CMDQV_CONFIG);
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 1, mem, 1, FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC), 0),
			1);
	writel(CMDQV_EN, c->base + TEGRA241_CMDQV_CONFIG);
	KUNIT_EXPECT_EQ(test, readl(page0 + TEGRA241_VCMDQ_CONS), 2);
	/* The queue wraps at its size (16 entries) */
	for (unsigned int i = 2; i < 18; i++) {
		mem[2 * (i % 16)] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC);
		mem[2 * (i % 16) + 1] = 0;
	}
	writel(BIT(4) | 2, page0 + TEGRA241_VCMDQ_PROD);
	KUNIT_EXPECT_EQ(test, readl(page0 + TEGRA241_VCMDQ_CONS), BIT(4) | 2);
	/* Queue memory that is not there: CERROR_ABT */
	writel(0, page0 + TEGRA241_VCMDQ_CONFIG);
	writeq(0xfff00000000ULL | 4, c->base + TEGRA241_VINTFi_LVCMDQ_PAGE1(1, 0) +
					     TEGRA241_VCMDQ_BASE);
	writel(0, page0 + TEGRA241_VCMDQ_CONS);
	writel(0, page0 + TEGRA241_VCMDQ_PROD);
	writel(VCMDQ_EN, page0 + TEGRA241_VCMDQ_CONFIG);
	writel(1, page0 + TEGRA241_VCMDQ_PROD);
	KUNIT_EXPECT_EQ(test, readl(page0 + TEGRA241_VCMDQ_CONS),
			FIELD_PREP(VCMDQ_CONS_ERR, CMDQ_ERR_CERROR_ABT_IDX));
}

static void cmdqv_host_queue_runs_any_command(struct kunit *test)
{
	struct cmdqv_test *c = cmdqv_test_create(test);
	u64 *mem, ste[8];

	vintf_enable(c, 0, 0, true);
	mem = lvcmdq0_enable(c, 0);
	/* An abort STE cached, then replaced: CFGI_STE through VINTF0's queue drops it */
	smmu_ste_abort(ste);
	smmu_ste_write(c->t, SID, ste);
	KUNIT_EXPECT_EQ(test, smmu_dma(c->t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
	smmu_evt_drain(c->t);
	smmu_ste_bypass(ste);
	smmu_ste_write(c->t, SID, ste);
	KUNIT_EXPECT_EQ(test, smmu_dma(c->t, SID, IOVA, false).status, SMMUV3_TXN_ABORT);
	smmu_evt_drain(c->t);
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 0, mem, 0,
					 FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE) |
						 FIELD_PREP(CMDQ_CFGI_0_SID, SID),
					 CMDQ_CFGI_1_LEAF),
			1);
	KUNIT_EXPECT_EQ(test, smmu_dma(c->t, SID, IOVA, false).status, SMMUV3_TXN_OK);
	/* The SMMU's own checks still apply: a reserved field is CERROR_ILL */
	KUNIT_EXPECT_EQ(test, lvcmdq_cmd(c, 0, mem, 1,
					 FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE) | BIT_ULL(20), 0) &
				      VCMDQ_CONS_ERR,
			FIELD_PREP(VCMDQ_CONS_ERR, CMDQ_ERR_CERROR_ILL_IDX));
	KUNIT_EXPECT_EQ(test, readl(c->base + TEGRA241_CMDQV_VINTF_ERR_MAP), BIT(0));
}

static struct kunit_case tegra241_cmdqv_cases[] = {
	KUNIT_CASE(cmdqv_param_and_enables),
	KUNIT_CASE(cmdqv_logical_pages_follow_alloc),
	KUNIT_CASE(cmdqv_vm_tlbi_uses_vintf_vmid),
	KUNIT_CASE(cmdqv_vm_commands_restricted),
	KUNIT_CASE(cmdqv_vm_atc_inv_by_sid_pair),
	KUNIT_CASE(cmdqv_queue_needs_every_enable),
	KUNIT_CASE(cmdqv_host_queue_runs_any_command),
	{}
};

static struct kunit_suite tegra241_cmdqv_suite = {
	.name = "tegra241-cmdqv-model",
	.test_cases = tegra241_cmdqv_cases,
};

kunit_test_suites(&tegra241_cmdqv_suite);
