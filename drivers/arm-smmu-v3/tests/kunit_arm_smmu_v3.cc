// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of the arm-smmu-v3 driver.
 *
 * arm-smmu-v3-entry: the hitless entry writer, case by case as upstream's
 * arm-smmu-v3-test.c has them: each transition between two STEs or CDs
 * built by the driver's make functions is written by
 * arm_smmu_write_entry() into a copy, with a sync op that records every
 * intermediate entry. At each sync the entry must read, in the bits its
 * own configuration uses, as either the initial or the target entry (the
 * SMMU never sees a mix), the number of syncs must be the minimum, and the
 * entry must go through "invalid" only for the transitions that cannot be
 * hitless.
 *
 * arm-smmu-v3-device: the driver against the SMMUv3 model through MMIO
 * only: probe and reset from the ID registers, linear and 2-level stream
 * tables, commands with CMD_SYNC, recovery from an illegal command, and
 * the event queue.
 */
#include "kunit.h"

#include "drivers/arm-smmu-v3/arm-smmu-v3.h"
#include "drivers/arm-smmu-v3/model/smmu_model.h"
#include "harness/io.h"
#include "harness/physmem.h"

/* ----- the entry writer ----- */

struct arm_smmu_test_writer {
	struct arm_smmu_entry_writer writer;
	struct kunit *test;
	const __le64 *init_entry;
	const __le64 *target_entry;
	__le64 *entry;

	bool invalid_entry_written;
	unsigned int num_syncs;
};

enum arm_smmu_test_master_feat {
	ARM_SMMU_MASTER_TEST_ATS = BIT(0),
	ARM_SMMU_MASTER_TEST_STALL = BIT(1),
};

/* An SMMU that has stalls and attribute overrides, as upstream's suite uses */
static struct arm_smmu_device *test_smmu(void)
{
	static struct arm_smmu_device *smmu = [] {
		static struct arm_smmu_device s;

		s.features = ARM_SMMU_FEAT_STALLS | ARM_SMMU_FEAT_ATTR_TYPES_OVR;
		return &s;
	}();
	return smmu;
}

static const dma_addr_t fake_cdtab_dma_addr = 0xF0F0F0F0F0F0;
static const u64 fake_pgd = 0xdaedbeefdeadbeefULL;

/* Does @entry, in the bits @used_bits names, differ from @target? */
static bool arm_smmu_entry_differs_in_used_bits(const __le64 *entry, const __le64 *used_bits,
						const __le64 *target, unsigned int length)
{
	bool differs = false;

	for (unsigned int i = 0; i < length; i++)
		if ((entry[i] & used_bits[i]) != target[i])
			differs = true;
	return differs;
}

static void arm_smmu_test_writer_record_syncs(struct arm_smmu_entry_writer *writer)
{
	struct arm_smmu_test_writer *tw = container_of(writer, struct arm_smmu_test_writer, writer);
	__le64 used[NUM_ENTRY_QWORDS] = {};

	tw->num_syncs++;
	if (!tw->entry[0]) {
		tw->invalid_entry_written = true;
		return;
	}
	/* What the SMMU may read now is the old or the new configuration, never a mix */
	writer->ops->get_used(tw->entry, used);
	KUNIT_EXPECT_FALSE(tw->test,
			   arm_smmu_entry_differs_in_used_bits(tw->entry, used, tw->init_entry,
							       NUM_ENTRY_QWORDS) &&
				   arm_smmu_entry_differs_in_used_bits(tw->entry, used,
								       tw->target_entry,
								       NUM_ENTRY_QWORDS));
}

static const struct arm_smmu_entry_writer_ops test_ste_ops = {
	.get_used = arm_smmu_get_ste_used,
	.sync = arm_smmu_test_writer_record_syncs,
};

static const struct arm_smmu_entry_writer_ops test_cd_ops = {
	.get_used = arm_smmu_get_cd_used,
	.sync = arm_smmu_test_writer_record_syncs,
};

static void expect_transition(struct kunit *test, const struct arm_smmu_entry_writer_ops *ops,
			      const __le64 *cur, const __le64 *target,
			      unsigned int num_syncs_expected, bool hitless)
{
	__le64 cur_copy[NUM_ENTRY_QWORDS];
	struct arm_smmu_test_writer tw = {
		.writer = { .ops = ops },
		.test = test,
		.init_entry = cur,
		.target_entry = target,
		.entry = cur_copy,
	};

	memcpy(cur_copy, cur, sizeof(cur_copy));
	arm_smmu_write_entry(&tw.writer, cur_copy, target);

	KUNIT_EXPECT_EQ(test, tw.invalid_entry_written, !hitless);
	KUNIT_EXPECT_EQ(test, tw.num_syncs, num_syncs_expected);
	KUNIT_EXPECT_MEMEQ(test, target, cur_copy, sizeof(cur_copy));
}

static void ste_expect_hitless(struct kunit *test, const struct arm_smmu_ste *cur,
			       const struct arm_smmu_ste *target, unsigned int syncs)
{
	expect_transition(test, &test_ste_ops, cur->data, target->data, syncs, true);
}

static void ste_expect_non_hitless(struct kunit *test, const struct arm_smmu_ste *cur,
				   const struct arm_smmu_ste *target, unsigned int syncs)
{
	expect_transition(test, &test_ste_ops, cur->data, target->data, syncs, false);
}

static void cd_expect_hitless(struct kunit *test, const struct arm_smmu_cd *cur,
			      const struct arm_smmu_cd *target, unsigned int syncs)
{
	expect_transition(test, &test_cd_ops, cur->data, target->data, syncs, true);
}

static void cd_expect_non_hitless(struct kunit *test, const struct arm_smmu_cd *cur,
				  const struct arm_smmu_cd *target, unsigned int syncs)
{
	expect_transition(test, &test_cd_ops, cur->data, target->data, syncs, false);
}

static struct arm_smmu_ste bypass_ste(void)
{
	struct arm_smmu_ste ste;

	arm_smmu_make_bypass_ste(test_smmu(), &ste);
	return ste;
}

static struct arm_smmu_ste abort_ste(void)
{
	struct arm_smmu_ste ste;

	arm_smmu_make_abort_ste(&ste);
	return ste;
}

static struct arm_smmu_ste make_cdtable_ste(unsigned int s1dss, dma_addr_t dma_addr,
					    unsigned int feat)
{
	struct arm_smmu_master master = {};
	struct arm_smmu_ste ste;

	master.smmu = test_smmu();
	master.ats_enabled = feat & ARM_SMMU_MASTER_TEST_ATS;
	master.stall_enabled = feat & ARM_SMMU_MASTER_TEST_STALL;
	master.cd_table.cdtab_dma = dma_addr;
	master.cd_table.s1cdmax = 0xff;
	master.cd_table.s1fmt = STRTAB_STE_0_S1FMT_64K_L2;
	arm_smmu_make_cdtable_ste(&ste, &master, master.ats_enabled, s1dss);
	return ste;
}

/* The table configuration upstream's suite uses (TCR/VTCR fields and the root) */
static void test_pgtbl_cfg(struct arm_smmu_pgtbl_cfg *cfg)
{
	*cfg = {};
	cfg->ttbr = fake_pgd;
	cfg->ps = 1;
	cfg->tg = 2;
	cfg->sh = 3;
	cfg->orgn = 1;
	cfg->irgn = 2;
	cfg->tsz = 4;
}

/* A stage-2 STE as upstream's suite builds it */
static struct arm_smmu_ste make_s2_ste(unsigned int feat)
{
	struct arm_smmu_master master = {};
	struct arm_smmu_domain smmu_domain;
	struct arm_smmu_ste ste;

	master.smmu = test_smmu();
	master.ats_enabled = feat & ARM_SMMU_MASTER_TEST_ATS;
	master.stall_enabled = feat & ARM_SMMU_MASTER_TEST_STALL;
	test_pgtbl_cfg(&smmu_domain.pgtbl_cfg);
	smmu_domain.pgtbl_cfg.sl = 3;
	smmu_domain.s2_cfg.vmid = 0;
	arm_smmu_make_s2_domain_ste(&ste, &master, &smmu_domain, master.ats_enabled);
	return ste;
}

static struct arm_smmu_cd make_s1_cd(unsigned int asid)
{
	struct arm_smmu_master master = {};
	struct arm_smmu_domain smmu_domain;
	struct arm_smmu_cd cd;

	master.smmu = test_smmu();
	test_pgtbl_cfg(&smmu_domain.pgtbl_cfg);
	smmu_domain.pgtbl_cfg.mair = 0xabcdef012345678ULL;
	smmu_domain.cd.asid = asid;
	arm_smmu_make_s1_cd(&cd, &master, &smmu_domain);
	return cd;
}

static struct arm_smmu_cd make_sva_cd(unsigned int asid, bool released)
{
	struct arm_smmu_master master = {};
	struct arm_smmu_cd cd;

	master.smmu = test_smmu();
	arm_smmu_make_sva_cd(&cd, &master, released ? 0 : fake_pgd, asid);
	return cd;
}

static void arm_smmu_v3_write_ste_test_bypass_to_abort(struct kunit *test)
{
	/* Bypass uses qwords 0 and 1, abort only 0: switch on 0, then clean 1 */
	struct arm_smmu_ste b = bypass_ste(), a = abort_ste();

	ste_expect_hitless(test, &b, &a, 2);
}

static void arm_smmu_v3_write_ste_test_abort_to_bypass(struct kunit *test)
{
	/* Fill qword 1 (unused while aborting), then switch on qword 0 */
	struct arm_smmu_ste b = bypass_ste(), a = abort_ste();

	ste_expect_hitless(test, &a, &b, 2);
}

static void arm_smmu_v3_write_ste_test_cdtable_to_abort(struct kunit *test)
{
	struct arm_smmu_ste ste = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						   ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste a = abort_ste();

	ste_expect_hitless(test, &ste, &a, 2);
}

static void arm_smmu_v3_write_ste_test_abort_to_cdtable(struct kunit *test)
{
	struct arm_smmu_ste ste = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						   ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste a = abort_ste();

	ste_expect_hitless(test, &a, &ste, 2);
}

static void arm_smmu_v3_write_ste_test_cdtable_to_bypass(struct kunit *test)
{
	struct arm_smmu_ste ste = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						   ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste b = bypass_ste();

	ste_expect_hitless(test, &ste, &b, 3);
}

static void arm_smmu_v3_write_ste_test_bypass_to_cdtable(struct kunit *test)
{
	struct arm_smmu_ste ste = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						   ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste b = bypass_ste();

	ste_expect_hitless(test, &b, &ste, 3);
}

static void arm_smmu_v3_write_ste_test_cdtable_s1dss_change(struct kunit *test)
{
	/* S1DSS lives in qword 1 alone: one store each way */
	struct arm_smmu_ste ste = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						   ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste s1dss_bypass = make_cdtable_ste(
		STRTAB_STE_1_S1DSS_BYPASS, fake_cdtab_dma_addr, ARM_SMMU_MASTER_TEST_ATS);

	ste_expect_hitless(test, &ste, &s1dss_bypass, 1);
	ste_expect_hitless(test, &s1dss_bypass, &ste, 1);
}

static void arm_smmu_v3_write_ste_test_s1dssbypass_to_stebypass(struct kunit *test)
{
	struct arm_smmu_ste s1dss_bypass = make_cdtable_ste(
		STRTAB_STE_1_S1DSS_BYPASS, fake_cdtab_dma_addr, ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste b = bypass_ste();

	ste_expect_hitless(test, &s1dss_bypass, &b, 2);
}

static void arm_smmu_v3_write_ste_test_stebypass_to_s1dssbypass(struct kunit *test)
{
	struct arm_smmu_ste s1dss_bypass = make_cdtable_ste(
		STRTAB_STE_1_S1DSS_BYPASS, fake_cdtab_dma_addr, ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste b = bypass_ste();

	ste_expect_hitless(test, &b, &s1dss_bypass, 2);
}

static void arm_smmu_v3_write_ste_test_s2_to_abort(struct kunit *test)
{
	struct arm_smmu_ste ste = make_s2_ste(ARM_SMMU_MASTER_TEST_ATS), a = abort_ste();

	ste_expect_hitless(test, &ste, &a, 2);
}

static void arm_smmu_v3_write_ste_test_abort_to_s2(struct kunit *test)
{
	struct arm_smmu_ste ste = make_s2_ste(ARM_SMMU_MASTER_TEST_ATS), a = abort_ste();

	ste_expect_hitless(test, &a, &ste, 2);
}

static void arm_smmu_v3_write_ste_test_s2_to_bypass(struct kunit *test)
{
	struct arm_smmu_ste ste = make_s2_ste(ARM_SMMU_MASTER_TEST_ATS), b = bypass_ste();

	ste_expect_hitless(test, &ste, &b, 2);
}

static void arm_smmu_v3_write_ste_test_bypass_to_s2(struct kunit *test)
{
	struct arm_smmu_ste ste = make_s2_ste(ARM_SMMU_MASTER_TEST_ATS), b = bypass_ste();

	ste_expect_hitless(test, &b, &ste, 2);
}

static void arm_smmu_v3_write_ste_test_s1_to_s2(struct kunit *test)
{
	struct arm_smmu_ste s1 = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						  ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste s2 = make_s2_ste(ARM_SMMU_MASTER_TEST_ATS);

	ste_expect_hitless(test, &s1, &s2, 3);
}

static void arm_smmu_v3_write_ste_test_s2_to_s1(struct kunit *test)
{
	struct arm_smmu_ste s1 = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						  ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste s2 = make_s2_ste(ARM_SMMU_MASTER_TEST_ATS);

	ste_expect_hitless(test, &s2, &s1, 3);
}

static void arm_smmu_v3_write_ste_test_non_hitless(struct kunit *test)
{
	/*
	 * The CD table pointer (qword 0) and S1DSS (qword 1) changing in one
	 * update: no single store gets there, so the entry goes invalid.
	 */
	struct arm_smmu_ste ste = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						   ARM_SMMU_MASTER_TEST_ATS);
	struct arm_smmu_ste ste_2 = make_cdtable_ste(STRTAB_STE_1_S1DSS_BYPASS, 0x4B4B4b4B4B,
						     ARM_SMMU_MASTER_TEST_ATS);

	ste_expect_non_hitless(test, &ste, &ste_2, 3);
}

static void arm_smmu_v3_write_cd_test_s1_clear(struct kunit *test)
{
	struct arm_smmu_cd cd = {};
	struct arm_smmu_cd cd_2 = make_s1_cd(1997);

	cd_expect_non_hitless(test, &cd, &cd_2, 2);
	cd_expect_non_hitless(test, &cd_2, &cd, 2);
}

static void arm_smmu_v3_write_cd_test_s1_change_asid(struct kunit *test)
{
	/* The ASID is in qword 0 with V: one store */
	struct arm_smmu_cd cd = make_s1_cd(778);
	struct arm_smmu_cd cd_2 = make_s1_cd(1997);

	cd_expect_hitless(test, &cd, &cd_2, 1);
	cd_expect_hitless(test, &cd_2, &cd, 1);
}

static void arm_smmu_v3_write_ste_test_s1_to_s2_stall(struct kunit *test)
{
	struct arm_smmu_ste s1 = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						  ARM_SMMU_MASTER_TEST_STALL);
	struct arm_smmu_ste s2 = make_s2_ste(ARM_SMMU_MASTER_TEST_STALL);

	ste_expect_hitless(test, &s1, &s2, 3);
}

static void arm_smmu_v3_write_ste_test_s2_to_s1_stall(struct kunit *test)
{
	struct arm_smmu_ste s1 = make_cdtable_ste(STRTAB_STE_1_S1DSS_SSID0, fake_cdtab_dma_addr,
						  ARM_SMMU_MASTER_TEST_STALL);
	struct arm_smmu_ste s2 = make_s2_ste(ARM_SMMU_MASTER_TEST_STALL);

	ste_expect_hitless(test, &s2, &s1, 3);
}

static void arm_smmu_v3_write_cd_test_sva_clear(struct kunit *test)
{
	struct arm_smmu_cd cd = {};
	struct arm_smmu_cd cd_2 = make_sva_cd(1997, false);

	cd_expect_non_hitless(test, &cd, &cd_2, 2);
	cd_expect_non_hitless(test, &cd_2, &cd, 2);
}

static void arm_smmu_v3_write_cd_test_sva_release(struct kunit *test)
{
	/* EPD0 makes the TTB0 fields unused: setting it first lets the rest change freely */
	struct arm_smmu_cd cd = make_sva_cd(1997, false);
	struct arm_smmu_cd cd_2 = make_sva_cd(1997, true);

	cd_expect_hitless(test, &cd, &cd_2, 2);
	cd_expect_hitless(test, &cd_2, &cd, 2);
}

static struct kunit_case arm_smmu_v3_entry_cases[] = {
	KUNIT_CASE(arm_smmu_v3_write_ste_test_bypass_to_abort),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_abort_to_bypass),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_cdtable_to_abort),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_abort_to_cdtable),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_cdtable_to_bypass),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_bypass_to_cdtable),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_cdtable_s1dss_change),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_s1dssbypass_to_stebypass),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_stebypass_to_s1dssbypass),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_s2_to_abort),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_abort_to_s2),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_s2_to_bypass),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_bypass_to_s2),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_s1_to_s2),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_s2_to_s1),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_non_hitless),
	KUNIT_CASE(arm_smmu_v3_write_cd_test_s1_clear),
	KUNIT_CASE(arm_smmu_v3_write_cd_test_s1_change_asid),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_s1_to_s2_stall),
	KUNIT_CASE(arm_smmu_v3_write_ste_test_s2_to_s1_stall),
	KUNIT_CASE(arm_smmu_v3_write_cd_test_sva_clear),
	KUNIT_CASE(arm_smmu_v3_write_cd_test_sva_release),
	{}
};

static struct kunit_suite arm_smmu_v3_entry_suite = {
	.name = "arm-smmu-v3-entry",
	.test_cases = arm_smmu_v3_entry_cases,
};
kunit_test_suite(arm_smmu_v3_entry_suite);

/* ----- the driver on the model ----- */

struct smmu_fixture {
	struct smmuv3_model *model;
	struct arm_smmu_device *smmu;
};

static void fixture_irq(void *priv, enum smmuv3_irq src, bool msi_written)
{
	struct smmu_fixture *fx = (struct smmu_fixture *)priv;

	if (!fx->smmu)
		return;
	if (src == SMMUV3_IRQ_GERROR)
		arm_smmu_irq(fx->smmu, ARM_SMMU_IRQ_GERROR);
	else if (src == SMMUV3_IRQ_EVTQ)
		arm_smmu_irq(fx->smmu, ARM_SMMU_IRQ_EVTQ);
	else if (src == SMMUV3_IRQ_PRIQ)
		arm_smmu_irq(fx->smmu, ARM_SMMU_IRQ_PRIQ);
}

static const struct smmuv3_model_ops fixture_ops = {
	.irq = fixture_irq,
};

static void fixture_up(struct kunit *test, struct smmu_fixture *fx,
		       const struct smmuv3_model_cfg *cfg)
{
	fx->smmu = NULL;
	fx->model = smmuv3_model_create(cfg, &fixture_ops, fx);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fx->model);
	struct arm_smmu_device *smmu = arm_smmu_device_probe(smmuv3_model_mmio(fx->model), "t");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, smmu);
	fx->smmu = smmu;
}

static void fixture_down(struct smmu_fixture *fx)
{
	struct arm_smmu_device *smmu = fx->smmu;

	fx->smmu = NULL;
	arm_smmu_device_remove(smmu);
	smmuv3_model_destroy(fx->model);
}

static void arm_smmu_v3_probe_reset(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmu_fixture fx;
	u32 cr0;

	smmuv3_model_cfg_default(&cfg);
	fixture_up(test, &fx, &cfg);

	KUNIT_EXPECT_TRUE(test, fx.smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB);
	KUNIT_EXPECT_TRUE(test, fx.smmu->features & ARM_SMMU_FEAT_NESTING);
	KUNIT_EXPECT_TRUE(test, fx.smmu->features & ARM_SMMU_FEAT_RANGE_INV);
	KUNIT_EXPECT_TRUE(test, fx.smmu->features & ARM_SMMU_FEAT_PRI);
	KUNIT_EXPECT_EQ(test, fx.smmu->sid_bits, 16U);
	KUNIT_EXPECT_EQ(test, fx.smmu->ssid_bits, 20U);
	KUNIT_EXPECT_EQ(test, fx.smmu->asid_bits, 16U);
	KUNIT_EXPECT_EQ(test, fx.smmu->oas, 48UL);

	/* Every queue and the SMMU itself enabled, and acknowledged */
	cr0 = smmuv3_model_peek(fx.model, ARM_SMMU_CR0ACK);
	KUNIT_EXPECT_EQ(test, cr0 & (CR0_SMMUEN | CR0_CMDQEN | CR0_EVTQEN | CR0_PRIQEN),
			CR0_SMMUEN | CR0_CMDQEN | CR0_EVTQEN | CR0_PRIQEN);
	KUNIT_EXPECT_EQ(test, FIELD_GET(STRTAB_BASE_CFG_FMT,
					smmuv3_model_peek(fx.model, ARM_SMMU_STRTAB_BASE_CFG)),
			STRTAB_BASE_CFG_FMT_2LVL);
	fixture_down(&fx);
}

static void arm_smmu_v3_probe_linear(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmu_fixture fx;
	u32 base_cfg;

	smmuv3_model_cfg_default(&cfg);
	cfg.sidsize = 6;	/* fewer SIDs than one level-2 table: linear */
	cfg.pri = false;
	fixture_up(test, &fx, &cfg);

	KUNIT_EXPECT_FALSE(test, fx.smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB);
	KUNIT_EXPECT_FALSE(test, fx.smmu->features & ARM_SMMU_FEAT_PRI);
	base_cfg = smmuv3_model_peek(fx.model, ARM_SMMU_STRTAB_BASE_CFG);
	KUNIT_EXPECT_EQ(test, FIELD_GET(STRTAB_BASE_CFG_FMT, base_cfg), STRTAB_BASE_CFG_FMT_LINEAR);
	KUNIT_EXPECT_EQ(test, FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, base_cfg), 6U);
	/* Out-of-range StreamIDs are refused before anything is written */
	KUNIT_EXPECT_EQ(test, arm_smmu_init_sid_strtab(fx.smmu, 63), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_init_sid_strtab(fx.smmu, 64), -ERANGE);
	fixture_down(&fx);
}

static void arm_smmu_v3_cmdq_batch_sync(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmuv3_model_stats st0, st1;
	struct smmu_fixture fx;
	struct arm_smmu_cmdq_batch cmds;
	struct arm_smmu_cmdq_ent cmd = { .opcode = CMDQ_OP_TLBI_NH_ASID };

	smmuv3_model_cfg_default(&cfg);
	fixture_up(test, &fx, &cfg);
	smmuv3_model_get_stats(fx.model, &st0);

	/* More than a batch: the first 64 go out, then the rest with one CMD_SYNC */
	arm_smmu_cmdq_batch_init(fx.smmu, &cmds);
	for (int i = 0; i < CMDQ_BATCH_ENTRIES + 10; i++) {
		cmd.tlbi.asid = i + 1;
		arm_smmu_cmdq_batch_add(fx.smmu, &cmds, &cmd);
	}
	KUNIT_EXPECT_EQ(test, arm_smmu_cmdq_batch_submit(fx.smmu, &cmds), 0);
	smmuv3_model_get_stats(fx.model, &st1);
	KUNIT_EXPECT_EQ(test, st1.cmds - st0.cmds, (u64)CMDQ_BATCH_ENTRIES + 10 + 1);
	KUNIT_EXPECT_EQ(test, st1.syncs - st0.syncs, 1ULL);

	/* Wrap the queue (256 entries) several times over */
	for (int i = 0; i < 1000; i++)
		KUNIT_ASSERT_EQ(test, arm_smmu_cmdq_issue_cmd_with_sync(fx.smmu, &cmd), 0);
	fixture_down(&fx);
}

static void arm_smmu_v3_cmdq_skip_illegal(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmu_fixture fx;
	struct arm_smmu_cmdq_ent ent = { .opcode = CMDQ_OP_TLBI_NSNH_ALL };
	u64 cmds[3 * CMDQ_ENT_DWORDS] = {};

	smmuv3_model_cfg_default(&cfg);
	fixture_up(test, &fx, &cfg);

	/* A good command, an opcode the SMMU does not know, a good command */
	arm_smmu_cmdq_build_cmd(&cmds[0], &ent);
	cmds[2] = 0xff;		/* CERROR_ILL */
	arm_smmu_cmdq_build_cmd(&cmds[4], &ent);
	fx.smmu->quiet_events = true;
	KUNIT_EXPECT_EQ(test, arm_smmu_cmdq_issue_cmdlist(fx.smmu, cmds, 3, true), 0);
	KUNIT_EXPECT_EQ(test, fx.smmu->nr_cmdq_skipped.load(), 1UL);
	KUNIT_EXPECT_EQ(test, fx.smmu->nr_gerrors.load(), 1UL);
	/* The error is acknowledged and the queue runs on */
	KUNIT_EXPECT_EQ(test, smmuv3_model_peek(fx.model, ARM_SMMU_GERROR) ^
				      smmuv3_model_peek(fx.model, ARM_SMMU_GERRORN),
			0U);
	KUNIT_EXPECT_EQ(test, arm_smmu_cmdq_issue_cmd_with_sync(fx.smmu, &ent), 0);
	fixture_down(&fx);
}

static void arm_smmu_v3_evtq_bad_streamid(struct kunit *test)
{
	struct smmuv3_model_cfg cfg;
	struct smmu_fixture fx;
	struct smmuv3_txn txn = {};
	struct smmuv3_txn_result res = {};

	smmuv3_model_cfg_default(&cfg);
	fixture_up(test, &fx, &cfg);
	fx.smmu->quiet_events = true;

	/* No level-2 table was ever made for this StreamID */
	txn.sid = 0x1234;
	txn.addr = 0x1000;
	smmuv3_model_translate(fx.model, &txn, &res);
	KUNIT_EXPECT_EQ(test, res.status, SMMUV3_TXN_ABORT);
	arm_smmu_drain_queues(fx.smmu);
	KUNIT_EXPECT_EQ(test, fx.smmu->nr_events.load(), 1UL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_ID, fx.smmu->last_evt[0]),
			(u64)EVT_ID_BAD_STREAMID_CONFIG);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_SID, fx.smmu->last_evt[0]), 0x1234ULL);
	/* Nobody to report it to */
	KUNIT_EXPECT_EQ(test, fx.smmu->nr_unhandled_events.load(), 1UL);
	fixture_down(&fx);
}

static struct kunit_case arm_smmu_v3_device_cases[] = {
	KUNIT_CASE(arm_smmu_v3_probe_reset),
	KUNIT_CASE(arm_smmu_v3_probe_linear),
	KUNIT_CASE(arm_smmu_v3_cmdq_batch_sync),
	KUNIT_CASE(arm_smmu_v3_cmdq_skip_illegal),
	KUNIT_CASE(arm_smmu_v3_evtq_bad_streamid),
	{}
};

static struct kunit_suite arm_smmu_v3_device_suite = {
	.name = "arm-smmu-v3-device",
	.test_cases = arm_smmu_v3_device_cases,
};
kunit_test_suite(arm_smmu_v3_device_suite);
