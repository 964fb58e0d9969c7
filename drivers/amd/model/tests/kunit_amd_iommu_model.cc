// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance suites of the AMD IOMMU model, named after the sections of
 * the AMD IOMMU specification (48882) they check, and the HW-vIOMMU. Each
 * test drives the model as a driver would (amd_test.h) and checks what a
 * driver or a device can observe: registers, memory the IOMMU writes,
 * events, and where DMA goes.
 */
#include "amd_test.h"

#define DEV 0x10
#define DOM 7
#define IOVA 0x40000000ULL

static void expect_event(struct kunit *test, struct amd_test *t, unsigned int type, u16 devid,
			 u64 addr)
{
	struct amd_iommu_event ev;

	KUNIT_ASSERT_TRUE(test, amd_evt_pop(t, &ev));
	KUNIT_EXPECT_EQ(test, amd_evt_type(&ev), type);
	KUNIT_EXPECT_EQ(test, ev.data[0] & EVENT_DEVID_MASK, devid);
	KUNIT_EXPECT_EQ(test, amd_evt_addr(&ev), addr);
}

static void expect_no_event(struct kunit *test, struct amd_test *t)
{
	struct amd_iommu_event ev;

	KUNIT_EXPECT_FALSE(test, amd_evt_pop(t, &ev));
}

/* A device with a 4-level v1 table mapping IOVA to a fresh page. */
static u64 *setup_v1(struct amd_test *t, u16 devid, u16 domid, void **page)
{
	u64 *root = amd_pt_alloc(t);

	*page = amd_test_alloc(t, PAGE_SIZE);
	amd_v1_map(t, root, 4, IOVA, amd_pa(*page), true, true);
	amd_dte_v1(t, devid, root, 4, domid);
	return root;
}

/* ----- 3.4: MMIO registers and Control ----- */

static void mmio_efr_reflects_cfg(struct kunit *test)
{
	struct amd_iommu_model_cfg cfg;
	struct amd_test *t;
	u64 efr;

	amd_iommu_model_cfg_default(&cfg);
	cfg.hats = FEATURE_HATS_4LEVEL;
	cfg.ia = false;
	cfg.pasmax = 9;
	t = amd_test_create(test, &cfg);
	efr = amd_rdq(t, MMIO_EXT_FEATURES);
	KUNIT_EXPECT_EQ(test, efr, amd_iommu_model_efr(t->m));
	KUNIT_EXPECT_EQ(test, FIELD_GET(FEATURE_HATS, efr), FEATURE_HATS_4LEVEL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(FEATURE_GATS, efr), FEATURE_GATS_5LEVEL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(FEATURE_PASMAX, efr), 9);
	KUNIT_EXPECT_FALSE(test, efr & FEATURE_IA);
	KUNIT_EXPECT_TRUE(test, efr & FEATURE_GT);
	KUNIT_EXPECT_TRUE(test, efr & FEATURE_PPR);
	KUNIT_EXPECT_TRUE(test, efr & FEATURE_VIOMMU);
	/* Read-only. */
	amd_wrq(t, MMIO_EXT_FEATURES, 0);
	KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_EXT_FEATURES), efr);
	/* Two 32-bit halves read the same register. */
	KUNIT_EXPECT_EQ(test, readl((u8 __iomem *)t->base + MMIO_EXT_FEATURES + 4),
			(u32)(efr >> 32));
}

static void mmio_bad_cfg_rejected(struct kunit *test)
{
	struct amd_iommu_model_cfg cfg;

	amd_iommu_model_cfg_default(&cfg);
	cfg.hats = 3;
	KUNIT_EXPECT_EQ(test, PTR_ERR(amd_iommu_model_create(&cfg, NULL, NULL)), -EINVAL);
	amd_iommu_model_cfg_default(&cfg);
	cfg.gt = false;		/* PPR and the HW-vIOMMU need guest translation */
	KUNIT_EXPECT_EQ(test, PTR_ERR(amd_iommu_model_create(&cfg, NULL, NULL)), -EINVAL);
	amd_iommu_model_cfg_default(&cfg);
	cfg.nr_guests = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(amd_iommu_model_create(&cfg, NULL, NULL)), -EINVAL);
	amd_iommu_model_cfg_default(&cfg);
	cfg.pasmax = 20;
	KUNIT_EXPECT_EQ(test, PTR_ERR(amd_iommu_model_create(&cfg, NULL, NULL)), -EINVAL);
}

static void mmio_status_and_bases(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	u64 st = amd_rdq(t, MMIO_STATUS_OFFSET);
	u64 devtab = amd_rdq(t, MMIO_DEV_TABLE_OFFSET);

	KUNIT_EXPECT_TRUE(test, st & MMIO_STATUS_CMDBUF_RUN_MASK);
	KUNIT_EXPECT_TRUE(test, st & MMIO_STATUS_EVT_RUN_MASK);
	KUNIT_EXPECT_TRUE(test, st & MMIO_STATUS_PPR_RUN_MASK);
	/* Run bits are read-only; W1C bits clear only with a one. */
	amd_wrq(t, MMIO_STATUS_OFFSET, ~0ULL);
	KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_STATUS_OFFSET), st);
	KUNIT_EXPECT_TRUE(test, amd_wait(t));
	/* Bases are fixed while their unit is enabled. */
	amd_wrq(t, MMIO_DEV_TABLE_OFFSET, 0);
	KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_DEV_TABLE_OFFSET), devtab);
	amd_wrq(t, MMIO_CMD_BUF_OFFSET, 0);
	KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_CMD_BUF_OFFSET), amd_pa(t->cmdbuf) | MMIO_CMD_SIZE_512);
	/* ComWaitInt is W1C and raises the interrupt with ComWaitIntEn. */
	amd_feature(t, CONTROL_COMWAIT_EN, true);
	struct iommu_cmd c = {};
	c.data[0] = CMD_COMPL_WAIT_INT_MASK;
	CMD_SET_TYPE(&c, CMD_COMPL_WAIT);
	KUNIT_EXPECT_TRUE(test, amd_cmd(t, &c));
	KUNIT_EXPECT_TRUE(test, amd_rdq(t, MMIO_STATUS_OFFSET) & MMIO_STATUS_COM_WAIT_INT_MASK);
	KUNIT_EXPECT_EQ(test, t->irqs[AMD_IOMMU_IRQ_COMWAIT], 1U);
	amd_wrq(t, MMIO_STATUS_OFFSET, MMIO_STATUS_COM_WAIT_INT_MASK);
	KUNIT_EXPECT_FALSE(test, amd_rdq(t, MMIO_STATUS_OFFSET) & MMIO_STATUS_COM_WAIT_INT_MASK);
}

static void mmio_iommu_disabled_untranslated(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	struct amd_iommu_txn_result r;
	void *page;

	setup_v1(t, DEV, DOM, &page);
	amd_feature(t, CONTROL_IOMMU_EN, false);
	r = amd_dma(t, DEV, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, IOVA);
	/* Commands wait for IommuEn too, and run when it is set. */
	struct iommu_cmd c = {};
	*t->sem = 0;
	c.data[0] = (u32)amd_pa(t->sem) | CMD_COMPL_WAIT_STORE_MASK;
	c.data[1] = (u32)(amd_pa(t->sem) >> 32);
	c.data[2] = 1;
	CMD_SET_TYPE(&c, CMD_COMPL_WAIT);
	amd_cmd(t, &c);
	KUNIT_EXPECT_EQ(test, *t->sem, 0ULL);
	amd_feature(t, CONTROL_IOMMU_EN, true);
	KUNIT_EXPECT_EQ(test, *t->sem, 1ULL);
	r = amd_dma(t, DEV, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(page));
}

static void mmio_unbacked_tables(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	const u64 nowhere = 1ULL << 50;	/* within the physical width, no memory */
	struct amd_iommu_txn_result r;

	/* A device table with no memory behind it: DEV_TAB_HARDWARE_ERROR with its address. */
	amd_feature(t, CONTROL_IOMMU_EN, false);
	amd_wrq(t, MMIO_DEV_TABLE_OFFSET, nowhere | (AMD_TEST_DEVTAB_PAGES - 1));
	amd_feature(t, CONTROL_IOMMU_EN, true);
	r = amd_dma(t, DEV, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_ABORT);
	KUNIT_EXPECT_EQ(test, r.event, EVENT_TYPE_DEV_TAB_ERR);
	expect_event(test, t, EVENT_TYPE_DEV_TAB_ERR, DEV, nowhere + DEV * DEV_TABLE_ENTRY_SIZE);
	/* A command buffer with none: COMMAND_HARDWARE_ERROR, the buffer stops. */
	amd_feature(t, CONTROL_CMDBUF_EN, false);
	amd_wrq(t, MMIO_CMD_BUF_OFFSET, nowhere | MMIO_CMD_SIZE_512);
	amd_wrq(t, MMIO_CMD_HEAD_OFFSET, 0);
	amd_wrq(t, MMIO_CMD_TAIL_OFFSET, 0);
	amd_feature(t, CONTROL_CMDBUF_EN, true);
	amd_wrq(t, MMIO_CMD_TAIL_OFFSET, 16);
	KUNIT_EXPECT_FALSE(test, amd_rdq(t, MMIO_STATUS_OFFSET) & MMIO_STATUS_CMDBUF_RUN_MASK);
	KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_CMD_HEAD_OFFSET), 0ULL);
	expect_event(test, t, EVENT_TYPE_CMD_HARD_ERR, 0, nowhere);
	/* A page table with none: PAGE_TAB_HARDWARE_ERROR. */
	amd_feature(t, CONTROL_IOMMU_EN, false);
	amd_wrq(t, MMIO_DEV_TABLE_OFFSET, amd_pa(t->devtab) | (AMD_TEST_DEVTAB_PAGES - 1));
	amd_feature(t, CONTROL_IOMMU_EN, true);
	t->devtab[DEV].data[0] = DTE_FLAG_V | DTE_FLAG_TV | DTE_FLAG_IR | DTE_FLAG_IW |
				 FIELD_PREP(DTE_MODE_MASK, 4) | nowhere;
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).event, EVENT_TYPE_PAGE_TAB_ERR);
}

/* ----- 2.2.2: device table entries ----- */

static void dte_pass_and_block(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	struct amd_iommu_txn_result r;

	/* V = 0: untranslated, no event. */
	r = amd_dma(t, DEV, IOVA, true);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, IOVA);
	/* The kernel's blocked DTE: V, TV, Mode 0, no IR/IW. */
	t->devtab[DEV + 1].data[0] = DTE_FLAG_V | DTE_FLAG_TV;
	t->devtab[DEV + 1].data[1] = DOM;
	r = amd_dma(t, DEV + 1, IOVA, true);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_ABORT);
	KUNIT_EXPECT_EQ(test, r.event, EVENT_TYPE_IO_FAULT);
	expect_event(test, t, EVENT_TYPE_IO_FAULT, DEV + 1, IOVA);
	/* Mode 0 with IR only: reads pass untranslated, writes fault. */
	t->devtab[DEV + 2].data[0] = DTE_FLAG_V | DTE_FLAG_TV | DTE_FLAG_IR;
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV + 2, IOVA, false).status, AMD_IOMMU_TXN_OK);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV + 2, IOVA, true).status, AMD_IOMMU_TXN_ABORT);
	/* DTE.SE suppresses the event, not the abort. */
	t->devtab[DEV + 3].data[0] = DTE_FLAG_V | DTE_FLAG_TV;
	t->devtab[DEV + 3].data[1] = DTE_1_SE;
	r = amd_dma(t, DEV + 3, IOVA, false);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_ABORT);
	KUNIT_EXPECT_FALSE(test, r.logged);
}

static void dte_malformed(struct kunit *test)
{
	struct amd_iommu_model_cfg cfg;
	struct amd_test *t;
	u64 *root;
	static const struct {
		unsigned int word;
		u64 set;
	} bad[] = {
		{ 0, BIT_ULL(2) },				/* reserved */
		{ 0, BIT_ULL(63) },				/* reserved */
		{ 1, BIT_ULL(42) },				/* reserved */
		{ 2, BIT_ULL(52) },				/* reserved */
		{ 0, FIELD_PREP(DTE_MODE_MASK, 7) },		/* Mode 7 */
		{ 0, FIELD_PREP(DTE_MODE_MASK, 5) },		/* beyond HATS (4 levels) */
		{ 0, FIELD_PREP(DTE_FLAG_HAD, 2) },		/* reserved HAD */
		{ 0, DTE_FLAG_GV | FIELD_PREP(DTE_GLX, 2) },	/* GLX beyond GLXSup */
		{ 2, FIELD_PREP(DTE_GPT_LEVEL_MASK, 2) },	/* reserved paging mode */
		{ 2, FIELD_PREP(DTE_GPT_LEVEL_MASK, 1) },	/* 5-level beyond GATS */
		{ 0, BIT_ULL(50) },				/* HostPTR beyond 48 bits */
	};

	amd_iommu_model_cfg_default(&cfg);
	cfg.hats = FEATURE_HATS_4LEVEL;
	cfg.gats = FEATURE_GATS_4LEVEL;
	cfg.oas = 48;
	t = amd_test_create(test, &cfg);
	root = amd_pt_alloc(t);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		u16 devid = DEV + i;
		struct amd_iommu_txn_result r;
		struct amd_iommu_event ev;

		amd_dte_v1(t, devid, root, 4, DOM);
		if (bad[i].word == 0 && (bad[i].set & DTE_MODE_MASK))
			t->devtab[devid].data[0] &= ~DTE_MODE_MASK;
		if (bad[i].set & DTE_FLAG_GV)
			t->devtab[devid].data[0] |= DTE_FLAG_GV;
		if (bad[i].word == 2)
			t->devtab[devid].data[0] |= DTE_FLAG_GV;
		t->devtab[devid].data[bad[i].word] |= bad[i].set;
		r = amd_dma(t, devid, IOVA, false);
		KUNIT_EXPECT_EQ_MSG(test, r.status, AMD_IOMMU_TXN_ABORT, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, r.event, EVENT_TYPE_ILL_DEV, "case %u", i);
		KUNIT_ASSERT_TRUE(test, amd_evt_pop(t, &ev));
		KUNIT_EXPECT_EQ(test, amd_evt_type(&ev), EVENT_TYPE_ILL_DEV);
		KUNIT_EXPECT_EQ(test, ev.data[0] & EVENT_DEVID_MASK, devid);
		KUNIT_EXPECT_TRUE(test, amd_evt_flags(&ev) & EVENT_FLAG_RZ);
		KUNIT_EXPECT_EQ(test, amd_evt_addr(&ev), IOVA);
	}
	/* A DeviceID beyond the table's size. */
	KUNIT_EXPECT_EQ(test, amd_dma(t, AMD_TEST_DEVTAB_PAGES * 128, IOVA, false).event,
			EVENT_TYPE_ILL_DEV);
	expect_event(test, t, EVENT_TYPE_ILL_DEV, AMD_TEST_DEVTAB_PAGES * 128, IOVA);
	/* GV without GTSup. */
	cfg.gt = cfg.ppr = cfg.viommu = false;
	t = amd_test_create(test, &cfg);
	amd_dte_v1(t, DEV, amd_pt_alloc(t), 4, DOM);
	t->devtab[DEV].data[0] |= DTE_FLAG_GV;
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).event, EVENT_TYPE_ILL_DEV);
}

static void dte_cache_until_invalidated(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	void *page;

	setup_v1(t, DEV, DOM, &page);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).pa, amd_pa(page));
	/* Block the device: the cached DTE keeps translating ... */
	amd_dte_v1(t, DEV, NULL, 0, DOM);
	t->devtab[DEV].data[0] &= ~(DTE_FLAG_IR | DTE_FLAG_IW);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).status, AMD_IOMMU_TXN_OK);
	/* ... until INVALIDATE_DEVTAB_ENTRY of that DeviceID. */
	amd_flush_dte(t, DEV + 1);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).status, AMD_IOMMU_TXN_OK);
	amd_flush_dte(t, DEV);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).status, AMD_IOMMU_TXN_ABORT);
}

/* ----- 2.2.3 - 2.2.7: v1, v2 and nested translation ----- */

static void xlate_v1_pages_and_faults(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	struct amd_iommu_txn_result r;
	struct amd_iommu_event ev;
	u64 *root, *l2;
	void *page;

	root = setup_v1(t, DEV, DOM, &page);
	r = amd_dma(t, DEV, IOVA + 0x123, true);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(page) + 0x123);
	KUNIT_EXPECT_EQ(test, r.contig, 4096ULL - 0x123);
	/* A read-only page: the write faults with PE and RW. */
	amd_v1_map(t, root, 4, IOVA + 0x1000, amd_pa(page), true, false);
	r = amd_dma(t, DEV, IOVA + 0x1000, true);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_ABORT);
	KUNIT_ASSERT_TRUE(test, amd_evt_pop(t, &ev));
	KUNIT_EXPECT_EQ(test, amd_evt_type(&ev), EVENT_TYPE_IO_FAULT);
	KUNIT_EXPECT_EQ(test, ev.data[1] & EVENT_DOMID_MASK_LO, DOM);
	KUNIT_EXPECT_EQ(test, amd_evt_flags(&ev) & (EVENT_FLAG_PE | EVENT_FLAG_RW | EVENT_FLAG_GN),
			EVENT_FLAG_PE | EVENT_FLAG_RW);
	KUNIT_EXPECT_EQ(test, amd_evt_addr(&ev), IOVA + 0x1000);
	/* Not mapped: IO_PAGE_FAULT without PR. */
	r = amd_dma(t, DEV, IOVA + 0x5000, false);
	KUNIT_ASSERT_TRUE(test, amd_evt_pop(t, &ev));
	KUNIT_EXPECT_FALSE(test, amd_evt_flags(&ev) & EVENT_FLAG_PR);
	/* A 2 MiB page as a level-2 leaf, and a 16 KiB Next Level 7 page. */
	l2 = (u64 *)phys_to_virt(
		((u64 *)phys_to_virt(root[(IOVA >> 39) & 0x1ff] & PM_ADDR_MASK))[(IOVA >> 30) & 0x1ff] &
		PM_ADDR_MASK);
	void *big = amd_test_alloc(t, 2 << 20);
	l2[1] = amd_pa(big) | IOMMU_PTE_PR | IOMMU_PTE_IR | IOMMU_PTE_IW;
	r = amd_dma(t, DEV, IOVA + (2 << 20) + 0x12345, false);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(big) + 0x12345);
	KUNIT_EXPECT_EQ(test, r.contig, (2ULL << 20) - 0x12345);
	u64 *leaf = amd_v1_leaf(root, 4, IOVA);
	for (unsigned int i = 4; i < 8; i++)
		leaf[i] = PAGE_SIZE_PTE(amd_pa(big), 0x4000) | PM_LEVEL_ENC(7) | IOMMU_PTE_PR |
			  IOMMU_PTE_IR;
	r = amd_dma(t, DEV, IOVA + 0x6010, false);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(big) + 0x2010);
	KUNIT_EXPECT_EQ(test, r.contig, 0x4000ULL - 0x2010);
}

static void xlate_v1_skipped_levels(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	u64 *root = amd_pt_alloc(t), *l1 = amd_pt_alloc(t);
	void *page = amd_test_alloc(t, PAGE_SIZE);

	/* A 3-level table whose top entry points straight at a level-1 table. */
	root[0] = PM_LEVEL_PDE(1, amd_pa(l1));
	l1[3] = amd_pa(page) | IOMMU_PTE_PR | IOMMU_PTE_IR | IOMMU_PTE_IW;
	amd_dte_v1(t, DEV, root, 3, DOM);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, 0x3000, false).pa, amd_pa(page));
	/* The skipped level's VA bits must be zero. */
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, 0x200000 + 0x3000, false).status,
			AMD_IOMMU_TXN_ABORT);
	expect_event(test, t, EVENT_TYPE_IO_FAULT, DEV, 0x203000);
	/* An entry pointing up is reserved. */
	root[1] = PM_LEVEL_PDE(3, amd_pa(l1));
	amd_dma(t, DEV, 1ULL << 30, false);
	struct amd_iommu_event ev;
	KUNIT_ASSERT_TRUE(test, amd_evt_pop(t, &ev));
	KUNIT_EXPECT_TRUE(test, amd_evt_flags(&ev) & EVENT_FLAG_RZ);
}

static void xlate_v2_gcr3(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	u64 *groot = amd_pt_alloc(t), *gcr3, *l1gcr3, *gcr3b;
	void *page = amd_test_alloc(t, PAGE_SIZE);
	struct amd_iommu_txn_result r;
	struct amd_iommu_event ev;

	amd_x86_map(t, groot, 0x7000, amd_pa(page), true);
	amd_dte_v1(t, DEV, NULL, 0, DOM);
	gcr3 = amd_dte_gcr3(t, DEV, 5, groot);
	r = amd_dma_pasid(t, DEV, 5, 0x7008, true);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(page) + 8);
	/* An invalid GCR3 entry: IO_PAGE_FAULT with GN and the PASID. */
	r = amd_dma_pasid(t, DEV, 6, 0x7000, false);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_ABORT);
	KUNIT_ASSERT_TRUE(test, amd_evt_pop(t, &ev));
	KUNIT_EXPECT_EQ(test, amd_evt_type(&ev), EVENT_TYPE_IO_FAULT);
	KUNIT_EXPECT_TRUE(test, amd_evt_flags(&ev) & EVENT_FLAG_GN);
	KUNIT_EXPECT_EQ(test, ev.data[1] & EVENT_DOMID_MASK_LO, 6);
	/* GIoV: a request without PASID uses PASID 0 (not set up: fault). */
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, 0x7000, false).status, AMD_IOMMU_TXN_ABORT);
	gcr3[0] = gcr3[5];
	amd_flush_pages(t, DOM, 0, true, 0, ~0ULL);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, 0x7000, false).pa, amd_pa(page));
	/* A 2-level GCR3 table: PASID[17:9] then PASID[8:0]. */
	l1gcr3 = amd_pt_alloc(t);
	gcr3b = amd_pt_alloc(t);
	l1gcr3[1] = amd_pa(gcr3b) | GCR3_VALID;
	gcr3b[3] = amd_pa(groot) | GCR3_VALID;
	dte_set_gcr3_root(&t->devtab[DEV], amd_pa(l1gcr3));
	t->devtab[DEV].data[0] |= FIELD_PREP(DTE_GLX, 1);
	amd_flush_dte(t, DEV);
	KUNIT_EXPECT_EQ(test, amd_dma_pasid(t, DEV, 512 + 3, 0x7000, false).pa, amd_pa(page));
	/* A PASID without GV is an invalid device request. */
	amd_dte_v1(t, DEV + 1, amd_pt_alloc(t), 4, DOM);
	r = amd_dma_pasid(t, DEV + 1, 1, 0x7000, false);
	KUNIT_EXPECT_EQ(test, r.event, EVENT_TYPE_INV_DEV_REQ);
}

static void xlate_nested(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	u64 *hroot = amd_pt_alloc(t), *groot = amd_pt_alloc(t), *gcr3;
	void *page = amd_test_alloc(t, PAGE_SIZE);
	const u64 gpa = 0x80000000ULL;
	struct amd_iommu_txn_result r;

	/* Guest maps GVA 0x9000 -> GPA; host maps GPA -> page and the guest's tables 1:1. */
	amd_x86_map(t, groot, 0x9000, gpa, true);
	amd_v1_map(t, hroot, 4, gpa, amd_pa(page), true, true);
	amd_v1_map_guest_tables(t, hroot, groot, 0x9000);
	amd_dte_v1(t, DEV, hroot, 4, DOM);
	gcr3 = amd_dte_gcr3(t, DEV, 1, groot);
	/* The GCR3 table is a GPA too: not mapped yet, the walk stops there. */
	r = amd_dma_pasid(t, DEV, 1, 0x9000, false);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_ABORT);
	KUNIT_EXPECT_EQ(test, r.event, EVENT_TYPE_IO_FAULT);
	amd_v1_map(t, hroot, 4, amd_pa(gcr3), amd_pa(gcr3), true, true);
	r = amd_dma_pasid(t, DEV, 1, 0x9010, true);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_OK);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(page) + 0x10);
	/* The guest output is a GPA: outside the host table it faults. */
	amd_x86_map(t, groot, 0xa000, gpa + 0x10000, true);
	KUNIT_EXPECT_EQ(test, amd_dma_pasid(t, DEV, 1, 0xa000, false).status, AMD_IOMMU_TXN_ABORT);
}

static void xlate_nested_walk_confined(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	u64 *hroot = amd_pt_alloc(t), *groot = amd_pt_alloc(t), *gcr3, *secret;
	void *page = amd_test_alloc(t, PAGE_SIZE);
	struct amd_iommu_txn_result r;

	/*
	 * A hostile guest table points a level at a real page of host memory
	 * that the host table does not map: the walk must not read it.
	 */
	secret = amd_pt_alloc(t);
	secret[0] = amd_pa(page) | IOMMU_PAGE_PRESENT | IOMMU_PAGE_RW | IOMMU_PAGE_USER;
	groot[0] = amd_pa(secret) | IOMMU_PAGE_PRESENT | IOMMU_PAGE_RW | IOMMU_PAGE_USER;
	amd_v1_map(t, hroot, 4, amd_pa(groot), amd_pa(groot), true, true);
	amd_v1_map(t, hroot, 4, amd_pa(page), amd_pa(page), true, true);
	amd_dte_v1(t, DEV, hroot, 4, DOM);
	gcr3 = amd_dte_gcr3(t, DEV, 1, groot);
	amd_v1_map(t, hroot, 4, amd_pa(gcr3), amd_pa(gcr3), true, true);
	r = amd_dma_pasid(t, DEV, 1, 0x0, false);
	KUNIT_EXPECT_EQ(test, r.status, AMD_IOMMU_TXN_ABORT);
	KUNIT_EXPECT_EQ(test, r.event, EVENT_TYPE_IO_FAULT);
	/* Nothing was written back into the unmapped page (no A bit). */
	KUNIT_EXPECT_EQ(test, secret[0] & IOMMU_PAGE_ACCESS, 0ULL);
}

/* ----- 2.4: commands ----- */

static void cmd_completion_wait(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	struct iommu_cmd c = {};

	KUNIT_EXPECT_TRUE(test, amd_wait(t));
	/* A store address with no memory: COMMAND_HARDWARE_ERROR, the buffer stops. */
	c.data[0] = CMD_COMPL_WAIT_STORE_MASK;
	c.data[1] = 0xfff00;
	CMD_SET_TYPE(&c, CMD_COMPL_WAIT);
	KUNIT_EXPECT_FALSE(test, amd_cmd(t, &c));
	expect_event(test, t, EVENT_TYPE_CMD_HARD_ERR, 0, 0xfff0000000000ULL);
}

static void cmd_illegal(struct kunit *test)
{
	struct amd_iommu_model_cfg cfg;
	struct amd_test *t;
	struct {
		u32 d[4];
		unsigned int op;
	} bad[] = {
		{ { 0, 0, 0, 0 }, 0 },				/* opcode 0 */
		{ { 0, 0, 0, 0 }, 9 },				/* opcode 9 */
		{ { 0, 0, 0, 0 }, 0xf },
		{ { 0, BIT(20), 0, 0 }, CMD_COMPL_WAIT },
		{ { BIT(16), 0, 0, 0 }, CMD_INV_DEV_ENTRY },
		{ { 0, 0, 1, 0 }, CMD_INV_DEV_ENTRY },
		{ { BIT(20), 0, 0, 0 }, CMD_INV_IOMMU_PAGES },
		{ { 0, BIT(16), 0, 0 }, CMD_INV_IOMMU_PAGES },
		{ { 0, 0, BIT(3), 0 }, CMD_INV_IOMMU_PAGES },
		{ { 0, BIT(24), 0, 0 }, CMD_INV_IOTLB_PAGES },
		{ { 0, 0, CMD_INV_IOMMU_PAGES_PDE_MASK, 0 }, CMD_INV_IOTLB_PAGES },
		{ { BIT(16), 0, 0, 0 }, CMD_INV_IRT },
		{ { 0, 0, 1, 0 }, CMD_COMPLETE_PPR },
		{ { 0, 0, 0, BIT(9) }, CMD_COMPLETE_PPR },
		{ { 1, 0, 0, 0 }, CMD_INV_ALL },
		{ { 0, 0, 0, 0 }, CMD_PREFETCH_IOMMU_PAGES },	/* without PreFSup */
	};

	t = amd_test_create(test, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct iommu_cmd c = {};
		u64 head = amd_rdq(t, MMIO_CMD_HEAD_OFFSET);

		memcpy(c.data, bad[i].d, sizeof(c.data));
		CMD_SET_TYPE(&c, bad[i].op);
		KUNIT_EXPECT_FALSE_MSG(test, amd_cmd(t, &c), "case %u", i);
		/* Stopped at the command, which the event names. */
		KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_CMD_HEAD_OFFSET), head);
		expect_event(test, t, EVENT_TYPE_ILL_CMD, 0, amd_pa(t->cmdbuf) + head);
		/* A command queued behind it waits for the restart. */
		KUNIT_EXPECT_FALSE(test, amd_wait(t));
		/* Recovery: skip the bad command, restart the buffer. */
		amd_feature(t, CONTROL_CMDBUF_EN, false);
		amd_wrq(t, MMIO_CMD_HEAD_OFFSET, head + 16);
		amd_feature(t, CONTROL_CMDBUF_EN, true);
		KUNIT_EXPECT_EQ(test, *t->sem, 0x600dULL);
		KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_CMD_HEAD_OFFSET),
				amd_rdq(t, MMIO_CMD_TAIL_OFFSET));
	}
	/* INVALIDATE_IOMMU_ALL without IASup. */
	amd_iommu_model_cfg_default(&cfg);
	cfg.ia = false;
	t = amd_test_create(test, &cfg);
	struct iommu_cmd all = {};
	CMD_SET_TYPE(&all, CMD_INV_ALL);
	KUNIT_EXPECT_FALSE(test, amd_cmd(t, &all));
	expect_event(test, t, EVENT_TYPE_ILL_CMD, 0, amd_pa(t->cmdbuf));
}

static void cmd_buffer_wrap(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	struct amd_iommu_model_stats st;

	/* 600 waits through a 512-entry buffer: CmdTail and CmdHead wrap. */
	for (unsigned int i = 0; i < 600; i++)
		KUNIT_ASSERT_TRUE(test, amd_wait(t));
	KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_CMD_HEAD_OFFSET), (600ULL * 16) % CMD_BUFFER_SIZE);
	KUNIT_EXPECT_EQ(test, amd_rdq(t, MMIO_CMD_TAIL_OFFSET), (600ULL * 16) % CMD_BUFFER_SIZE);
	amd_iommu_model_get_stats(t->m, &st);
	KUNIT_EXPECT_EQ(test, st.waits, 600ULL);
	/* A tail beyond the buffer is taken modulo its size. */
	amd_wrq(t, MMIO_CMD_TAIL_OFFSET, CMD_BUFFER_SIZE + 0x7fff0);
	KUNIT_EXPECT_LT(test, amd_rdq(t, MMIO_CMD_TAIL_OFFSET), (u64)CMD_BUFFER_SIZE);
}

/* ----- 2.4.3: invalidation scope ----- */

static void inv_domid_and_range_scope(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	u64 *root;
	void *page, *other = NULL;

	root = setup_v1(t, DEV, DOM, &page);
	other = amd_test_alloc(t, PAGE_SIZE);
	amd_v1_map(t, root, 4, IOVA + 0x10000, amd_pa(page), true, true);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).pa, amd_pa(page));
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA + 0x10000, false).pa, amd_pa(page));
	/* Remap both pages: the IOTLB keeps the old translations. */
	amd_v1_map(t, root, 4, IOVA, amd_pa(other), true, true);
	amd_v1_map(t, root, 4, IOVA + 0x10000, amd_pa(other), true, true);
	/* Another DomainID's invalidation keeps them. */
	amd_flush_pages(t, DOM + 1, 0, false, IOVA, 0x20000);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).pa, amd_pa(page));
	/* A guest (GN) invalidation does not reach host translations. */
	amd_flush_pages(t, DOM, 0, true, 0, ~0ULL);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).pa, amd_pa(page));
	/* One page (no S): the other stays stale. */
	amd_flush_pages(t, DOM, 0, false, IOVA, 0x1000);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).pa, amd_pa(other));
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA + 0x10000, false).pa, amd_pa(page));
	/* An S-encoded 64 KiB range that ends below the second page keeps it ... */
	amd_flush_pages(t, DOM, 0, false, IOVA, 0x10000);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA + 0x10000, false).pa, amd_pa(page));
	/* ... one that covers it drops it. */
	amd_flush_pages(t, DOM, 0, false, IOVA + 0x10000, 0x2000);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA + 0x10000, false).pa, amd_pa(other));
}

static void inv_pde_scope(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	void *page, *b = NULL, *c = NULL;
	struct iommu_cmd cmd;
	u64 *root, *l2, *t2;

	root = setup_v1(t, DEV, DOM, &page);
	b = amd_test_alloc(t, PAGE_SIZE);
	c = amd_test_alloc(t, PAGE_SIZE);
	amd_v1_map(t, root, 4, IOVA + 0x1000, amd_pa(c), true, true);
	/* The walk to IOVA caches the leaf table of its 2 MiB region. */
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).pa, amd_pa(page));
	/* Point the level-2 entry at a new leaf table mapping IOVA + 4K elsewhere. */
	l2 = (u64 *)phys_to_virt(
		((u64 *)phys_to_virt(root[(IOVA >> 39) & 0x1ff] & PM_ADDR_MASK))[(IOVA >> 30) & 0x1ff] &
		PM_ADDR_MASK);
	t2 = amd_pt_alloc(t);
	t2[1] = amd_pa(b) | IOMMU_PTE_PR | IOMMU_PTE_IR | IOMMU_PTE_IW;
	l2[(IOVA >> 21) & 0x1ff] = PM_LEVEL_PDE(1, amd_pa(t2));
	/* A page never translated before still goes through the cached (old) table. */
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA + 0x1000, false).pa, amd_pa(c));
	/* PDE clear: the IOTLB goes, the directory entry stays. */
	amd_build_inv_pages(&cmd, DOM, 0, false, 0, ~0ULL);
	cmd.data[2] &= ~CMD_INV_IOMMU_PAGES_PDE_MASK;
	KUNIT_EXPECT_TRUE(test, amd_cmd(t, &cmd));
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA + 0x1000, false).pa, amd_pa(c));
	/* Another DomainID with PDE: stays. */
	amd_flush_pages(t, DOM + 1, 0, false, 0, ~0ULL);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA + 0x1000, false).pa, amd_pa(c));
	/* PDE set over the region: the new table is walked. */
	amd_flush_pages(t, DOM, 0, false, IOVA, 0x2000);
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA + 0x1000, false).pa, amd_pa(b));
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).status, AMD_IOMMU_TXN_ABORT);
}

static void inv_guest_pasid_and_nested(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	u64 *hroot = amd_pt_alloc(t), *groot = amd_pt_alloc(t), *gcr3;
	void *page = amd_test_alloc(t, PAGE_SIZE), *other = amd_test_alloc(t, PAGE_SIZE);
	const u64 gpa = 0x80000000ULL;

	amd_x86_map(t, groot, 0x9000, gpa, true);
	amd_v1_map(t, hroot, 4, gpa, amd_pa(page), true, true);
	amd_v1_map_guest_tables(t, hroot, groot, 0x9000);
	amd_dte_v1(t, DEV, hroot, 4, DOM);
	gcr3 = amd_dte_gcr3(t, DEV, 1, groot);
	gcr3[2] = gcr3[1];
	amd_v1_map(t, hroot, 4, amd_pa(gcr3), amd_pa(gcr3), true, true);
	KUNIT_EXPECT_EQ(test, amd_dma_pasid(t, DEV, 1, 0x9000, false).pa, amd_pa(page));
	KUNIT_EXPECT_EQ(test, amd_dma_pasid(t, DEV, 2, 0x9000, false).pa, amd_pa(page));
	/* The host moves the GPA. */
	amd_v1_map(t, hroot, 4, gpa, amd_pa(other), true, true);
	/* A host range elsewhere keeps the nested entries ... */
	amd_flush_pages(t, DOM, 0, false, gpa + 0x100000, 0x1000);
	KUNIT_EXPECT_EQ(test, amd_dma_pasid(t, DEV, 1, 0x9000, false).pa, amd_pa(page));
	/* ... a GN invalidation of PASID 1 drops that PASID's only ... */
	amd_flush_pages(t, DOM, 1, true, 0x9000, 0x1000);
	KUNIT_EXPECT_EQ(test, amd_dma_pasid(t, DEV, 1, 0x9000, false).pa, amd_pa(other));
	KUNIT_EXPECT_EQ(test, amd_dma_pasid(t, DEV, 2, 0x9000, false).pa, amd_pa(page));
	/* ... and a host invalidation of the GPA drops every nested entry over it. */
	amd_flush_pages(t, DOM, 0, false, gpa, 0x1000);
	KUNIT_EXPECT_EQ(test, amd_dma_pasid(t, DEV, 2, 0x9000, false).pa, amd_pa(other));
}

static void inv_iotlb_and_all(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	struct amd_iommu_txn txn = {};
	struct amd_iommu_txn_result r;
	struct iommu_cmd c = {};
	u64 *root;
	void *page, *other;

	root = setup_v1(t, DEV, DOM, &page);
	other = amd_test_alloc(t, PAGE_SIZE);
	t->devtab[DEV].data[1] |= DTE_FLAG_IOTLB;
	txn.devid = DEV;
	txn.addr = IOVA;
	amd_iommu_model_devtlb_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(page));
	/* Translated requests pass with DTE.I. */
	txn.ats_translated = true;
	txn.addr = amd_pa(page);
	KUNIT_EXPECT_EQ(test, (amd_iommu_model_translate(t->m, &txn, &r), r.pa), amd_pa(page));
	txn.ats_translated = false;
	txn.addr = IOVA;
	amd_v1_map(t, root, 4, IOVA, amd_pa(other), true, true);
	/* INVALIDATE_IOMMU_ALL empties the IOMMU, not the device's IOTLB. */
	CMD_SET_TYPE(&c, CMD_INV_ALL);
	KUNIT_EXPECT_TRUE(test, amd_cmd(t, &c));
	KUNIT_EXPECT_EQ(test, amd_dma(t, DEV, IOVA, false).pa, amd_pa(other));
	amd_iommu_model_devtlb_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(page));
	/* INVALIDATE_IOTLB_PAGES of another device keeps it; of this one drops it. */
	c = {};
	c.data[0] = DEV + 1;
	c.data[1] = DEV + 1;
	c.data[2] = (u32)IOVA;
	CMD_SET_TYPE(&c, CMD_INV_IOTLB_PAGES);
	KUNIT_EXPECT_TRUE(test, amd_cmd(t, &c));
	amd_iommu_model_devtlb_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(page));
	c.data[0] = DEV;
	c.data[1] = DEV;
	CMD_SET_TYPE(&c, CMD_INV_IOTLB_PAGES);
	KUNIT_EXPECT_TRUE(test, amd_cmd(t, &c));
	amd_iommu_model_devtlb_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.pa, amd_pa(other));
	/* Without DTE.I a translated request is an invalid device request. */
	t->devtab[DEV + 1] = t->devtab[DEV];
	t->devtab[DEV + 1].data[1] &= ~DTE_FLAG_IOTLB;
	txn.devid = DEV + 1;
	txn.ats_translated = true;
	amd_iommu_model_translate(t->m, &txn, &r);
	KUNIT_EXPECT_EQ(test, r.event, EVENT_TYPE_INV_DEV_REQ);
}

/* ----- 2.5, 2.6: event and PPR logs ----- */

static void log_event_overflow(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	struct amd_iommu_model_stats st;
	unsigned int i;

	/* A blocked device faults on every access. */
	t->devtab[DEV].data[0] = DTE_FLAG_V | DTE_FLAG_TV;
	for (i = 0; i < 511; i++)
		KUNIT_ASSERT_TRUE(test, amd_dma(t, DEV, IOVA + i * 4096, false).logged);
	/* The 512th finds the log full: overflow, lost, the log stops. */
	KUNIT_EXPECT_FALSE(test, amd_dma(t, DEV, IOVA, false).logged);
	KUNIT_EXPECT_TRUE(test, amd_rdq(t, MMIO_STATUS_OFFSET) & MMIO_STATUS_EVT_OVERFLOW_MASK);
	KUNIT_EXPECT_FALSE(test, amd_rdq(t, MMIO_STATUS_OFFSET) & MMIO_STATUS_EVT_RUN_MASK);
	KUNIT_EXPECT_GT(test, t->irqs[AMD_IOMMU_IRQ_EVENT], 0U);
	/* Draining is not enough ... */
	amd_wrq(t, MMIO_EVT_HEAD_OFFSET, amd_rdq(t, MMIO_EVT_TAIL_OFFSET));
	KUNIT_EXPECT_FALSE(test, amd_dma(t, DEV, IOVA, false).logged);
	/* ... the kernel's restart: clear the overflow, toggle EventLogEn. */
	amd_wrq(t, MMIO_STATUS_OFFSET, MMIO_STATUS_EVT_OVERFLOW_MASK);
	amd_feature(t, CONTROL_EVT_LOG_EN, false);
	amd_feature(t, CONTROL_EVT_LOG_EN, true);
	KUNIT_EXPECT_TRUE(test, amd_dma(t, DEV, IOVA, false).logged);
	amd_iommu_model_get_stats(t->m, &st);
	KUNIT_EXPECT_EQ(test, st.events, 512ULL);
	KUNIT_EXPECT_EQ(test, st.events_lost, 2ULL);
}

static void log_ppr_and_complete(struct kunit *test)
{
	struct amd_test *t = amd_test_create(test, NULL);
	struct amd_iommu_page_req req = {};
	struct iommu_cmd c = {};
	unsigned int i;
	u64 e;

	amd_dte_v1(t, DEV, NULL, 0, DOM);
	t->devtab[DEV].data[0] |= DTE_FLAG_PPR;
	amd_dte_gcr3(t, DEV, 3, amd_pt_alloc(t));
	req.devid = DEV;
	req.pasid = 3;
	req.pasid_present = true;
	req.addr = 0x5123;
	req.write = true;
	req.tag = 0x1a5;
	KUNIT_EXPECT_EQ(test, amd_iommu_model_page_request(t->m, &req), AMD_IOMMU_PPR_QUEUED);
	e = t->pprlog[0].raw[0];
	KUNIT_EXPECT_EQ(test, PPR_DEVID(e), DEV);
	KUNIT_EXPECT_EQ(test, PPR_PASID(e), 3U);
	KUNIT_EXPECT_EQ(test, PPR_TAG(e), 0x1a5U);
	KUNIT_EXPECT_EQ(test, PPR_REQ_TYPE(e), PPR_REQ_FAULT);
	KUNIT_EXPECT_EQ(test, PPR_FLAGS(e) & (PPR_FLAG_WRITE | PPR_FLAG_GN | PPR_FLAG_US),
			PPR_FLAG_WRITE | PPR_FLAG_GN | PPR_FLAG_US);
	KUNIT_EXPECT_EQ(test, t->pprlog[0].raw[1], 0x5000ULL);
	KUNIT_EXPECT_EQ(test, t->irqs[AMD_IOMMU_IRQ_PPR], 1U);
	/* COMPLETE_PPR_REQUEST answers the device. */
	c.data[0] = DEV;
	c.data[1] = 3;
	c.data[2] = CMD_INV_IOMMU_PAGES_GN_MASK;
	c.data[3] = 0x1a5 | (PPR_INVALID << PPR_STATUS_SHIFT);
	CMD_SET_TYPE(&c, CMD_COMPLETE_PPR);
	KUNIT_EXPECT_TRUE(test, amd_cmd(t, &c));
	KUNIT_ASSERT_EQ(test, t->nr_resp, 1U);
	KUNIT_EXPECT_EQ(test, t->resp[0].devid, DEV);
	KUNIT_EXPECT_EQ(test, t->resp[0].pasid, 3U);
	KUNIT_EXPECT_TRUE(test, t->resp[0].gn);
	KUNIT_EXPECT_EQ(test, t->resp[0].tag, 0x1a5);
	KUNIT_EXPECT_EQ(test, t->resp[0].status, PPR_INVALID);
	/* Fill the log: the 512th request overflows. */
	for (i = 1; i < 511; i++)
		KUNIT_ASSERT_EQ(test, amd_iommu_model_page_request(t->m, &req), AMD_IOMMU_PPR_QUEUED);
	KUNIT_EXPECT_EQ(test, amd_iommu_model_page_request(t->m, &req), AMD_IOMMU_PPR_DISCARDED);
	KUNIT_EXPECT_TRUE(test, amd_rdq(t, MMIO_STATUS_OFFSET) & MMIO_STATUS_PPR_OVERFLOW_MASK);
	KUNIT_EXPECT_FALSE(test, amd_rdq(t, MMIO_STATUS_OFFSET) & MMIO_STATUS_PPR_RUN_MASK);
	/* A device without DTE.PPR: INVALID_PPR_REQUEST. */
	req.devid = DEV + 1;
	amd_dte_v1(t, DEV + 1, NULL, 0, DOM);
	KUNIT_EXPECT_EQ(test, amd_iommu_model_page_request(t->m, &req), AMD_IOMMU_PPR_DISCARDED);
	expect_event(test, t, EVENT_TYPE_INV_PPR_REQ, DEV + 1, 0x5123);
}

/* ----- HW-vIOMMU ----- */

#define GID 3
#define TRANS_DEVID 0x30	/* the VM's GPA -> SPA table */
#define HDEV 0x40		/* a device assigned to the guest */
#define GDEV 0x08		/* its DeviceID in the guest */
#define HDOM 0x55
#define GDOM 0x2

struct viommu_env {
	struct amd_test *t;
	u64 *pas_root;		/* the IOMMU's own v1 table */
	u64 *vm_root;		/* GPA -> SPA */
	struct iommu_cmd *gcmd;	/* guest command buffer (GPA = PA) */
	struct amd_iommu_event *gevt;
	u64 *gsem;
	void __iomem *vf;
	void __iomem *vfctrl;
};

static void vf_wrq(struct viommu_env *e, u32 gid, unsigned int off, u64 val)
{
	writeq(val, (u8 __iomem *)e->vf + gid * VIOMMU_VF_MMIO_ENTRY_SIZE + off);
}

static u64 vf_rdq(struct viommu_env *e, u32 gid, unsigned int off)
{
	return readq((u8 __iomem *)e->vf + gid * VIOMMU_VF_MMIO_ENTRY_SIZE + off);
}

static void vfctrl_wrq(struct viommu_env *e, u32 gid, unsigned int off, u64 val)
{
	writeq(val, (u8 __iomem *)e->vfctrl + gid * VIOMMU_VFCTRL_MMIO_ENTRY_SIZE + off);
}

/* Backs the PAS page holding @pas with memory. */
static void pas_back(struct viommu_env *e, u64 pas)
{
	u64 *leaf;

	amd_v1_map(e->t, e->pas_root, 4, pas, 0, true, true);
	leaf = amd_v1_leaf(e->pas_root, 4, pas);
	if (!(*leaf & PM_ADDR_MASK))
		*leaf |= amd_pa(amd_pt_alloc(e->t));
}

/* The host driver's side: PAS, a guest with its buffers, one assigned device. */
static void viommu_setup(struct kunit *test, struct viommu_env *e)
{
	struct amd_test *t = amd_test_create(test, NULL);

	e->t = t;
	e->vf = amd_iommu_model_vf_mmio(t->m);
	e->vfctrl = amd_iommu_model_vfctrl_mmio(t->m);
	KUNIT_ASSERT_NOT_NULL(test, e->vf);
	e->pas_root = amd_pt_alloc(t);
	amd_dte_v1(t, 0x0002, e->pas_root, 4, 1);	/* cfg.iommu_devid */
	e->vm_root = amd_pt_alloc(t);
	amd_dte_v1(t, TRANS_DEVID, e->vm_root, 4, HDOM);
	e->gcmd = (struct iommu_cmd *)amd_test_alloc(t, PAGE_SIZE);
	e->gevt = (struct amd_iommu_event *)amd_test_alloc(t, PAGE_SIZE);
	e->gsem = (u64 *)amd_test_alloc(t, PAGE_SIZE);
	for (void *p : { (void *)e->gcmd, (void *)e->gevt, (void *)e->gsem })
		amd_v1_map(t, e->vm_root, 4, amd_pa(p), amd_pa(p), true, true);
	pas_back(e, viommu_devid_map_pas(GID, GDEV));
	pas_back(e, viommu_domid_map_pas(GID, GDOM));

	/* The assigned device: nested over the VM's table, owned by the guest. */
	amd_dte_v1(t, HDEV, e->vm_root, 4, HDOM);
	t->devtab[HDEV].data[3] = DTE_VIOMMU_EN | FIELD_PREP(DTE_VIOMMU_GUESTID, GID) |
				  FIELD_PREP(DTE_VIOMMU_GDEVICEID, GDEV);

	amd_feature(t, CONTROL_VIOMMU_EN, true);
	vfctrl_wrq(e, GID, VIOMMU_VFCTRL_GUEST_MISC_CONTROL_OFFSET,
		   FIELD_PREP(VIOMMU_MISC_TRANS_DEVID, TRANS_DEVID));
	vfctrl_wrq(e, GID, VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL0_OFFSET,
		   viommu_map_entry(GDEV, HDEV, true));
	vfctrl_wrq(e, GID, VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL1_OFFSET,
		   viommu_map_entry(GDOM, HDOM, true));
	/* 256-entry buffers (a 4 KiB page each). */
	vfctrl_wrq(e, GID, VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET,
		   amd_pa(e->gevt) | 8 | VIOMMU_EVT_CONTROL_EN | VIOMMU_EVT_CONTROL_INT_EN);
	vfctrl_wrq(e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
		   amd_pa(e->gcmd) | 8 | VIOMMU_CMD_CONTROL_EN);
}

/* The guest's side: one command at its tail; false if its buffer stopped. */
static bool guest_cmd(struct viommu_env *e, u32 gid, const struct iommu_cmd *c)
{
	u64 tail = vf_rdq(e, gid, VIOMMU_VF_MMIO_CMD_TAIL);

	e->gcmd[tail / 16] = *c;
	vf_wrq(e, gid, VIOMMU_VF_MMIO_CMD_TAIL, (tail + 16) % 4096);
	return vf_rdq(e, gid, VIOMMU_VF_MMIO_STATUS) & MMIO_STATUS_CMDBUF_RUN_MASK;
}

static bool guest_wait(struct viommu_env *e, u32 gid)
{
	struct iommu_cmd c = {};
	u64 gpa = amd_pa(e->gsem);

	*e->gsem = 0;
	c.data[0] = (u32)gpa | CMD_COMPL_WAIT_STORE_MASK;
	c.data[1] = (u32)(gpa >> 32);
	c.data[2] = 0xfeed;
	CMD_SET_TYPE(&c, CMD_COMPL_WAIT);
	guest_cmd(e, gid, &c);
	return *e->gsem == 0xfeed;
}

/* A host IOTLB entry of HDEV (a plain GPA translation in HDOM), and its stale target. */
static void viommu_stale_entry(struct kunit *test, struct viommu_env *e, void **page,
			       void **other)
{
	*page = amd_test_alloc(e->t, PAGE_SIZE);
	*other = amd_test_alloc(e->t, PAGE_SIZE);
	amd_v1_map(e->t, e->vm_root, 4, IOVA, amd_pa(*page), true, true);
	KUNIT_EXPECT_EQ(test, amd_dma(e->t, HDEV, IOVA, false).pa, amd_pa(*page));
	amd_v1_map(e->t, e->vm_root, 4, IOVA, amd_pa(*other), true, true);
	KUNIT_EXPECT_EQ(test, amd_dma(e->t, HDEV, IOVA, false).pa, amd_pa(*page));
}

static void viommu_guest_cmdbuf(struct kunit *test)
{
	struct viommu_env e;
	struct iommu_cmd c;
	struct amd_iommu_model_stats st;
	void *page, *other;

	viommu_setup(test, &e);
	/* COMPLETION_WAIT stores into guest memory, no software in between. */
	KUNIT_EXPECT_TRUE(test, guest_wait(&e, GID));
	viommu_stale_entry(test, &e, &page, &other);
	/* gDomID -> hDomID: the guest's invalidation reaches the host entry. */
	amd_build_inv_pages(&c, GDOM, 0, false, IOVA, 0x1000);
	KUNIT_EXPECT_TRUE(test, guest_cmd(&e, GID, &c));
	KUNIT_EXPECT_TRUE(test, guest_wait(&e, GID));
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, HDEV, IOVA, false).pa, amd_pa(other));
	/* gDevID -> hDevID: INVALIDATE_DEVTAB_ENTRY drops the host DTE cache entry. */
	e.t->devtab[HDEV].data[0] &= ~(DTE_FLAG_IR | DTE_FLAG_IW);
	e.t->devtab[HDEV].data[0] &= ~DTE_MODE_MASK;
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, HDEV, IOVA, false).status, AMD_IOMMU_TXN_OK);
	c = {};
	c.data[0] = GDEV;
	CMD_SET_TYPE(&c, CMD_INV_DEV_ENTRY);
	KUNIT_EXPECT_TRUE(test, guest_cmd(&e, GID, &c));
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, HDEV, IOVA, false).status, AMD_IOMMU_TXN_ABORT);
	/* The guest's commands never showed up in the host's buffer or log. */
	KUNIT_EXPECT_EQ(test, amd_rdq(e.t, MMIO_CMD_TAIL_OFFSET), 0ULL);
	amd_iommu_model_get_stats(e.t->m, &st);
	KUNIT_EXPECT_EQ(test, st.guest_cmds, 4ULL);
	/* The device's fault went to the guest's event log, with its guest DeviceID. */
	expect_no_event(test, e.t);
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_EVT_TAIL), 16ULL);
	KUNIT_EXPECT_EQ(test, amd_evt_type(&e.gevt[0]), EVENT_TYPE_IO_FAULT);
	KUNIT_EXPECT_EQ(test, e.gevt[0].data[0] & EVENT_DEVID_MASK, GDEV);
	KUNIT_EXPECT_EQ(test, e.gevt[0].data[1] & EVENT_DOMID_MASK_LO, 0U);
	KUNIT_EXPECT_EQ(test, e.t->guest_irqs, 1U);
}

/*
 * The RFC's layout (CMD_CONTROL PAS): the guest's commands are read from
 * its slot of the PAS, whatever backs it, not from the GPA in BASE. An
 * unbacked slot is the PAS's PAGE_TAB_HARDWARE_ERROR and stops the buffer;
 * the completion store still goes to guest memory.
 */
static void viommu_guest_cmdbuf_in_pas(struct kunit *test)
{
	struct viommu_env e;
	u64 slot = viommu_cmdbuf_pas(GID);

	viommu_setup(test, &e);
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET, 0);
	vf_wrq(&e, GID, VIOMMU_VF_MMIO_CMD_TAIL, 0);
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
		   amd_pa(e.gcmd) | 8 | VIOMMU_CMD_CONTROL_PAS | VIOMMU_CMD_CONTROL_EN);
	KUNIT_EXPECT_FALSE(test, guest_wait(&e, GID));
	KUNIT_EXPECT_FALSE(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_STATUS) &
					 MMIO_STATUS_CMDBUF_RUN_MASK);
	expect_event(test, e.t, EVENT_TYPE_PAGE_TAB_ERR, 0x0002, slot);

	/* The host backs the slot with the guest's page; the buffer restarts from 0 */
	amd_v1_map(e.t, e.pas_root, 4, slot, amd_pa(e.gcmd), true, true);
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET, 0);
	vf_wrq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD, 0);
	vf_wrq(&e, GID, VIOMMU_VF_MMIO_CMD_TAIL, 0);
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
		   8 | VIOMMU_CMD_CONTROL_PAS | VIOMMU_CMD_CONTROL_EN);
	KUNIT_EXPECT_TRUE(test, guest_wait(&e, GID));
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD), 16ULL);
	expect_no_event(test, e.t);
}

static void viommu_unmapped_ids_refused(struct kunit *test)
{
	struct viommu_env e;
	struct iommu_cmd c;
	void *page, *other;
	u64 head;

	viommu_setup(test, &e);
	viommu_stale_entry(test, &e, &page, &other);
	/* A gDomID with no map entry: even one equal to the host DomainID. */
	amd_build_inv_pages(&c, HDOM, 0, false, 0, ~0ULL);
	head = vf_rdq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD);
	KUNIT_EXPECT_FALSE(test, guest_cmd(&e, GID, &c));
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD), head);
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, HDEV, IOVA, false).pa, amd_pa(page));
	/* ILLEGAL_COMMAND_ERROR in the guest's log, with the command's GPA; none in the host's. */
	KUNIT_EXPECT_EQ(test, amd_evt_type(&e.gevt[0]), EVENT_TYPE_ILL_CMD);
	KUNIT_EXPECT_EQ(test, amd_evt_addr(&e.gevt[0]), amd_pa(e.gcmd) + head);
	expect_no_event(test, e.t);
	/* Later commands wait until the host restarts the guest's buffer. */
	KUNIT_EXPECT_FALSE(test, guest_wait(&e, GID));
	/* An unmapped gDevID: the same. Restart past the bad command first. */
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET, amd_pa(e.gcmd) | 8);
	vf_wrq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD, head + 16);
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
		   amd_pa(e.gcmd) | 8 | VIOMMU_CMD_CONTROL_EN);
	KUNIT_EXPECT_EQ(test, *e.gsem, 0xfeedULL);
	c = {};
	c.data[0] = HDEV;
	CMD_SET_TYPE(&c, CMD_INV_DEV_ENTRY);
	KUNIT_EXPECT_FALSE(test, guest_cmd(&e, GID, &c));
	KUNIT_EXPECT_EQ(test, amd_evt_type(&e.gevt[1]), EVENT_TYPE_ILL_CMD);
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, HDEV, IOVA, false).pa, amd_pa(page));
	expect_no_event(test, e.t);
	/* A map entry on a PAS page the host never backed: the host's error, still refused. */
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET, amd_pa(e.gcmd) | 8);
	vf_wrq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD, vf_rdq(&e, GID, VIOMMU_VF_MMIO_CMD_TAIL));
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
		   amd_pa(e.gcmd) | 8 | VIOMMU_CMD_CONTROL_EN);
	c.data[0] = 0x1000;
	KUNIT_EXPECT_FALSE(test, guest_cmd(&e, GID, &c));
	KUNIT_EXPECT_EQ(test, amd_evt_type(&e.gevt[2]), EVENT_TYPE_ILL_CMD);
	expect_event(test, e.t, EVENT_TYPE_PAGE_TAB_ERR, 0x0002, viommu_devid_map_pas(GID, 0x1000));
}

static void viommu_foreign_ids_refused(struct kunit *test)
{
	struct viommu_env e;
	struct iommu_cmd c;
	void *page, *other;

	viommu_setup(test, &e);
	viommu_stale_entry(test, &e, &page, &other);
	/* Guest 4 maps a gDevID onto guest 3's device: refused on use. */
	pas_back(&e, viommu_devid_map_pas(GID + 1, GDEV));
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_MISC_CONTROL_OFFSET,
		   FIELD_PREP(VIOMMU_MISC_TRANS_DEVID, TRANS_DEVID));
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL0_OFFSET,
		   viommu_map_entry(GDEV, HDEV, true));
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET,
		   amd_pa(e.gevt) | 8 | VIOMMU_EVT_CONTROL_EN);
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
		   amd_pa(e.gcmd) | 8 | VIOMMU_CMD_CONTROL_EN);
	c = {};
	c.data[0] = GDEV;
	CMD_SET_TYPE(&c, CMD_INV_DEV_ENTRY);
	KUNIT_EXPECT_FALSE(test, guest_cmd(&e, GID + 1, &c));
	KUNIT_EXPECT_EQ(test, amd_evt_type(&e.gevt[0]), EVENT_TYPE_ILL_CMD);
	/* Guest 4's DomainID map is its own: guest 3's gDomID means nothing there. */
	amd_build_inv_pages(&c, GDOM, 0, false, 0, ~0ULL);
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET, amd_pa(e.gcmd) | 8);
	vf_wrq(&e, GID + 1, VIOMMU_VF_MMIO_CMD_HEAD, 0);
	vf_wrq(&e, GID + 1, VIOMMU_VF_MMIO_CMD_TAIL, 0);
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
		   amd_pa(e.gcmd) | 8 | VIOMMU_CMD_CONTROL_EN);
	KUNIT_EXPECT_FALSE(test, guest_cmd(&e, GID + 1, &c));
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, HDEV, IOVA, false).pa, amd_pa(page));
	/* Guest 3's own invalidation still works. */
	KUNIT_EXPECT_TRUE(test, guest_cmd(&e, GID, &c));
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, HDEV, IOVA, false).pa, amd_pa(other));
	/* INVALIDATE_IOMMU_ALL from a guest drops only its own devices' entries. */
	void *hpage;
	setup_v1(e.t, DEV, DOM, &hpage);
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, DEV, IOVA, false).pa, amd_pa(hpage));
	amd_v1_map(e.t, (u64 *)phys_to_virt(e.t->devtab[DEV].data[0] & DTE_HOST_TRP), 4, IOVA,
		   amd_pa(other), true, true);
	c = {};
	CMD_SET_TYPE(&c, CMD_INV_ALL);
	KUNIT_EXPECT_TRUE(test, guest_cmd(&e, GID, &c));
	KUNIT_EXPECT_EQ(test, amd_dma(e.t, DEV, IOVA, false).pa, amd_pa(hpage));
}

static void viommu_guest_ppr_log(struct kunit *test)
{
	struct amd_iommu_page_req req = {};
	struct amd_iommu_ppr_entry *gppr;
	struct viommu_env e;
	struct iommu_cmd c = {};

	viommu_setup(test, &e);
	e.t->devtab[HDEV].data[0] |= DTE_FLAG_PPR;
	req.devid = HDEV;
	req.pasid = 9;
	req.pasid_present = true;
	req.addr = 0x4000;
	req.read = true;
	req.tag = 0x17;
	/* The guest has no PPR log yet: INVALID_PPR_REQUEST in its event log. */
	KUNIT_EXPECT_EQ(test, amd_iommu_model_page_request(e.t->m, &req), AMD_IOMMU_PPR_DISCARDED);
	KUNIT_EXPECT_EQ(test, amd_evt_type(&e.gevt[0]), EVENT_TYPE_INV_PPR_REQ);
	KUNIT_EXPECT_EQ(test, e.gevt[0].data[0] & EVENT_DEVID_MASK, GDEV);
	gppr = (struct amd_iommu_ppr_entry *)amd_test_alloc(e.t, PAGE_SIZE);
	amd_v1_map(e.t, e.vm_root, 4, amd_pa(gppr), amd_pa(gppr), true, true);
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET,
		   FIELD_PREP(VIOMMU_PPR_CONTROL_BASE, amd_pa(gppr) >> 12) | 8 |
			   VIOMMU_PPR_CONTROL_LOG_EN | VIOMMU_PPR_CONTROL_EN |
			   VIOMMU_PPR_CONTROL_INT_EN);
	KUNIT_EXPECT_EQ(test, amd_iommu_model_page_request(e.t->m, &req), AMD_IOMMU_PPR_QUEUED);
	/* In the guest's log with the guest DeviceID; nothing in the host's. */
	KUNIT_EXPECT_EQ(test, PPR_DEVID(gppr[0].raw[0]), GDEV);
	KUNIT_EXPECT_EQ(test, PPR_PASID(gppr[0].raw[0]), 9U);
	KUNIT_EXPECT_EQ(test, PPR_TAG(gppr[0].raw[0]), 0x17U);
	KUNIT_EXPECT_EQ(test, gppr[0].raw[1], 0x4000ULL);
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_PPR_TAIL), 16ULL);
	KUNIT_EXPECT_TRUE(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_STATUS) & MMIO_STATUS_PPR_INT_MASK);
	KUNIT_EXPECT_EQ(test, amd_rdq(e.t, MMIO_PPR_TAIL_OFFSET), 0ULL);
	/* The event log's interrupt, then the PPR log's. */
	KUNIT_EXPECT_EQ(test, e.t->guest_irqs, 2U);
	/* The guest answers with its DeviceID; the response reaches the host device. */
	c.data[0] = GDEV;
	c.data[1] = 9;
	c.data[2] = CMD_INV_IOMMU_PAGES_GN_MASK;
	c.data[3] = 0x17 | (PPR_SUCCESS << PPR_STATUS_SHIFT);
	CMD_SET_TYPE(&c, CMD_COMPLETE_PPR);
	KUNIT_EXPECT_TRUE(test, guest_cmd(&e, GID, &c));
	KUNIT_ASSERT_EQ(test, e.t->nr_resp, 1U);
	KUNIT_EXPECT_EQ(test, e.t->resp[0].devid, HDEV);
	KUNIT_EXPECT_EQ(test, e.t->resp[0].pasid, 9U);
	KUNIT_EXPECT_EQ(test, e.t->resp[0].tag, 0x17);
}

/* The guest's PPR log on (256 entries at @gppr) with PprEn. */
static void guest_ppr_log_on(struct viommu_env *e, struct amd_iommu_ppr_entry *gppr)
{
	amd_v1_map(e->t, e->vm_root, 4, amd_pa(gppr), amd_pa(gppr), true, true);
	vfctrl_wrq(e, GID, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET,
		   FIELD_PREP(VIOMMU_PPR_CONTROL_BASE, amd_pa(gppr) >> 12) | 8 |
			   VIOMMU_PPR_CONTROL_LOG_EN | VIOMMU_PPR_CONTROL_EN);
}

/* viommu_setup() with DTE.PPR on the guest's device and its PPR log on; the log. */
static struct amd_iommu_ppr_entry *viommu_setup_ppr(struct kunit *test, struct viommu_env *e)
{
	struct amd_iommu_ppr_entry *gppr;

	viommu_setup(test, e);
	e->t->devtab[HDEV].data[0] |= DTE_FLAG_PPR;
	gppr = (struct amd_iommu_ppr_entry *)amd_test_alloc(e->t, PAGE_SIZE);
	guest_ppr_log_on(e, gppr);
	return gppr;
}

/*
 * A full guest PPR log (its tail one record behind its head): the record
 * is dropped, the guest's Status has PprOverflow and no PprRun, the host's
 * log and Status are untouched; the guest's W1C clears the bit, and the
 * log runs again only when the host restarts it.
 */
static void viommu_guest_ppr_log_overflow(struct kunit *test)
{
	struct amd_iommu_page_req req = {};
	struct amd_iommu_ppr_entry *gppr;
	struct viommu_env e;
	u64 st;

	gppr = viommu_setup_ppr(test, &e);
	req.devid = HDEV;
	req.addr = 0x7000;
	req.write = true;
	for (unsigned int i = 0; i < 255; i++) {
		req.tag = i;
		KUNIT_ASSERT_EQ(test, amd_iommu_model_page_request(e.t->m, &req),
				AMD_IOMMU_PPR_QUEUED);
	}
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_PPR_TAIL), 255ULL * 16);
	req.tag = 0x1ff;
	KUNIT_EXPECT_EQ(test, amd_iommu_model_page_request(e.t->m, &req),
			AMD_IOMMU_PPR_DISCARDED);
	st = vf_rdq(&e, GID, VIOMMU_VF_MMIO_STATUS);
	KUNIT_EXPECT_TRUE(test, st & MMIO_STATUS_PPR_OVERFLOW_MASK);
	KUNIT_EXPECT_FALSE(test, st & MMIO_STATUS_PPR_RUN_MASK);
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_PPR_TAIL), 255ULL * 16);
	KUNIT_EXPECT_EQ(test, PPR_TAG(gppr[254].raw[0]), 254U);
	KUNIT_EXPECT_EQ(test, gppr[255].raw[0], 0ULL);
	KUNIT_EXPECT_FALSE(test, amd_rdq(e.t, MMIO_STATUS_OFFSET) & MMIO_STATUS_PPR_OVERFLOW_MASK);
	KUNIT_EXPECT_EQ(test, amd_rdq(e.t, MMIO_PPR_TAIL_OFFSET), 0ULL);
	expect_no_event(test, e.t);

	/* The guest drains its log and clears the bit: still stopped until restarted. */
	vf_wrq(&e, GID, VIOMMU_VF_MMIO_PPR_HEAD, 255 * 16);
	vf_wrq(&e, GID, VIOMMU_VF_MMIO_STATUS, MMIO_STATUS_PPR_OVERFLOW_MASK);
	KUNIT_EXPECT_FALSE(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_STATUS) &
					 MMIO_STATUS_PPR_OVERFLOW_MASK);
	KUNIT_EXPECT_EQ(test, amd_iommu_model_page_request(e.t->m, &req),
			AMD_IOMMU_PPR_DISCARDED);
	vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET, 0);
	guest_ppr_log_on(&e, gppr);
	KUNIT_EXPECT_EQ(test, amd_iommu_model_page_request(e.t->m, &req), AMD_IOMMU_PPR_QUEUED);
	/* The record went at the tail, wrapping to the ring's start. */
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_PPR_TAIL), 0ULL);
	KUNIT_EXPECT_EQ(test, PPR_TAG(gppr[255].raw[0]), 0x1ffU);
}

/*
 * A guest's event log that fills: the event is dropped and the guest's
 * EventOverflow set; nothing reaches the host's log.
 */
static void viommu_guest_evt_log_overflow(struct kunit *test)
{
	struct viommu_env e;
	struct iommu_cmd c = {};
	u64 st;

	viommu_setup(test, &e);
	/* Each illegal command is one event; the host restarts past it each time. */
	for (unsigned int i = 0; i < 256; i++) {
		u64 head = vf_rdq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD);

		c = {};
		CMD_SET_TYPE(&c, 0);
		KUNIT_ASSERT_FALSE(test, guest_cmd(&e, GID, &c));
		vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET, amd_pa(e.gcmd) | 8);
		vf_wrq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD, (head + 16) % 4096);
		vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
			   amd_pa(e.gcmd) | 8 | VIOMMU_CMD_CONTROL_EN);
	}
	/* 255 logged, the 256th found the log full; the command buffer wrapped meanwhile. */
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_EVT_TAIL), 255ULL * 16);
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD), 0ULL);
	st = vf_rdq(&e, GID, VIOMMU_VF_MMIO_STATUS);
	KUNIT_EXPECT_TRUE(test, st & MMIO_STATUS_EVT_OVERFLOW_MASK);
	KUNIT_EXPECT_FALSE(test, st & MMIO_STATUS_EVT_RUN_MASK);
	expect_no_event(test, e.t);
	/* The buffer still runs the guest's good commands after the wrap. */
	KUNIT_EXPECT_TRUE(test, guest_wait(&e, GID));
}

/*
 * Reserved bits and unknown opcodes in a guest's command: ILLEGAL_COMMAND_ERROR
 * at the command's GPA in the guest's log, its buffer stopped at it, no
 * host cache touched; the same command's legal form runs.
 */
static void viommu_guest_reserved_bits(struct kunit *test)
{
	struct {
		u32 d[4];
		unsigned int op;
	} bad[] = {
		{ { 0, 0, 0, 0 }, 0 },
		{ { 0, 0, 0, 0 }, 0xf },
		{ { 0, BIT(20), 0, 0 }, CMD_COMPL_WAIT },
		{ { GDEV | BIT(16), 0, 0, 0 }, CMD_INV_DEV_ENTRY },
		{ { 0, GDOM | BIT(16), 0, 0 }, CMD_INV_IOMMU_PAGES },
		{ { GDEV, 0, 1, 0 }, CMD_COMPLETE_PPR },
		{ { 1, 0, 0, 0 }, CMD_INV_ALL },
	};
	struct viommu_env e;
	void *page, *other;

	viommu_setup(test, &e);
	viommu_stale_entry(test, &e, &page, &other);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		u64 head = vf_rdq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD);
		struct iommu_cmd c = {};

		memcpy(c.data, bad[i].d, sizeof(c.data));
		CMD_SET_TYPE(&c, bad[i].op);
		KUNIT_EXPECT_FALSE_MSG(test, guest_cmd(&e, GID, &c), "case %u", i);
		KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD), head);
		KUNIT_EXPECT_EQ(test, amd_evt_type(&e.gevt[i]), EVENT_TYPE_ILL_CMD);
		KUNIT_EXPECT_EQ(test, amd_evt_addr(&e.gevt[i]), amd_pa(e.gcmd) + head);
		KUNIT_EXPECT_EQ(test, amd_dma(e.t, HDEV, IOVA, false).pa, amd_pa(page));
		vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET, amd_pa(e.gcmd) | 8);
		vf_wrq(&e, GID, VIOMMU_VF_MMIO_CMD_HEAD, head + 16);
		vfctrl_wrq(&e, GID, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
			   amd_pa(e.gcmd) | 8 | VIOMMU_CMD_CONTROL_EN);
	}
	expect_no_event(test, e.t);
	KUNIT_EXPECT_EQ(test, e.t->nr_resp, 0U);
}

/*
 * Two guests: guest 4 maps a guest DeviceID onto guest 3's device and
 * answers a page request of it: refused (ILLEGAL_COMMAND_ERROR in guest
 * 4's log), no response reaches the device; guest 3's own answer does.
 */
static void viommu_foreign_ppr_response_refused(struct kunit *test)
{
	struct amd_iommu_page_req req = {};
	struct amd_iommu_ppr_entry *gppr;
	struct amd_iommu_event *gevt4;
	struct viommu_env e;
	struct iommu_cmd c = {};

	gppr = viommu_setup_ppr(test, &e);
	req.devid = HDEV;
	req.addr = 0x9000;
	req.read = true;
	req.tag = 0x33;
	KUNIT_ASSERT_EQ(test, amd_iommu_model_page_request(e.t->m, &req), AMD_IOMMU_PPR_QUEUED);

	gevt4 = (struct amd_iommu_event *)amd_test_alloc(e.t, PAGE_SIZE);
	amd_v1_map(e.t, e.vm_root, 4, amd_pa(gevt4), amd_pa(gevt4), true, true);
	pas_back(&e, viommu_devid_map_pas(GID + 1, GDEV + 1));
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_MISC_CONTROL_OFFSET,
		   FIELD_PREP(VIOMMU_MISC_TRANS_DEVID, TRANS_DEVID));
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL0_OFFSET,
		   viommu_map_entry(GDEV + 1, HDEV, true));
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET,
		   amd_pa(gevt4) | 8 | VIOMMU_EVT_CONTROL_EN);
	vfctrl_wrq(&e, GID + 1, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET,
		   amd_pa(e.gcmd) | 8 | VIOMMU_CMD_CONTROL_EN);
	c.data[0] = GDEV + 1;
	c.data[3] = 0x33 | (PPR_SUCCESS << PPR_STATUS_SHIFT);
	CMD_SET_TYPE(&c, CMD_COMPLETE_PPR);
	KUNIT_EXPECT_FALSE(test, guest_cmd(&e, GID + 1, &c));
	KUNIT_EXPECT_EQ(test, amd_evt_type(&gevt4[0]), EVENT_TYPE_ILL_CMD);
	KUNIT_EXPECT_EQ(test, e.t->nr_resp, 0U);
	/* Guest 4 saw nothing of guest 3's request, guest 3 nothing of guest 4's error. */
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID + 1, VIOMMU_VF_MMIO_PPR_TAIL), 0ULL);
	KUNIT_EXPECT_EQ(test, vf_rdq(&e, GID, VIOMMU_VF_MMIO_EVT_TAIL), 0ULL);
	expect_no_event(test, e.t);
	/* Guest 3 answers its own request. */
	c.data[0] = PPR_DEVID(gppr[0].raw[0]);
	KUNIT_EXPECT_TRUE(test, guest_cmd(&e, GID, &c));
	KUNIT_ASSERT_EQ(test, e.t->nr_resp, 1U);
	KUNIT_EXPECT_EQ(test, e.t->resp[0].devid, HDEV);
	KUNIT_EXPECT_EQ(test, e.t->resp[0].tag, 0x33);
}

static void viommu_guest_memory_confined(struct kunit *test)
{
	struct viommu_env e;
	struct iommu_cmd c = {};
	struct amd_iommu_event ev;
	u64 *target;

	viommu_setup(test, &e);
	/* A completion store to a GPA the VM's table does not map: host's error, no write. */
	target = amd_pt_alloc(e.t);
	c.data[0] = (u32)amd_pa(target) | CMD_COMPL_WAIT_STORE_MASK;
	c.data[1] = (u32)(amd_pa(target) >> 32);
	c.data[2] = 0xbad;
	CMD_SET_TYPE(&c, CMD_COMPL_WAIT);
	KUNIT_EXPECT_FALSE(test, guest_cmd(&e, GID, &c));
	KUNIT_EXPECT_EQ(test, *target, 0ULL);
	KUNIT_ASSERT_TRUE(test, amd_evt_pop(e.t, &ev));
	KUNIT_EXPECT_EQ(test, amd_evt_type(&ev), EVENT_TYPE_CMD_HARD_ERR);
	KUNIT_EXPECT_EQ(test, ev.data[0] & EVENT_DEVID_MASK, TRANS_DEVID);
	KUNIT_EXPECT_EQ(test, amd_evt_addr(&ev), amd_pa(target));
	/* Without VIommuEn nothing of the guest's runs. */
	viommu_setup(test, &e);
	amd_feature(e.t, CONTROL_VIOMMU_EN, false);
	KUNIT_EXPECT_FALSE(test, guest_wait(&e, GID));
	amd_feature(e.t, CONTROL_VIOMMU_EN, true);
	/* The buffer is consumed on the next tail write. */
	KUNIT_EXPECT_TRUE(test, guest_wait(&e, GID));
}

static struct kunit_case amd_mmio_cases[] = {
	KUNIT_CASE(mmio_efr_reflects_cfg),
	KUNIT_CASE(mmio_bad_cfg_rejected),
	KUNIT_CASE(mmio_status_and_bases),
	KUNIT_CASE(mmio_iommu_disabled_untranslated),
	KUNIT_CASE(mmio_unbacked_tables),
	{}
};

static struct kunit_suite amd_mmio_suite = {
	.name = "amd-iommu-model-3.4-mmio-control",
	.test_cases = amd_mmio_cases,
};

static struct kunit_case amd_dte_cases[] = {
	KUNIT_CASE(dte_pass_and_block),
	KUNIT_CASE(dte_malformed),
	KUNIT_CASE(dte_cache_until_invalidated),
	{}
};

static struct kunit_suite amd_dte_suite = {
	.name = "amd-iommu-model-2.2.2-device-table",
	.test_cases = amd_dte_cases,
};

static struct kunit_case amd_xlate_cases[] = {
	KUNIT_CASE(xlate_v1_pages_and_faults),
	KUNIT_CASE(xlate_v1_skipped_levels),
	KUNIT_CASE(xlate_v2_gcr3),
	KUNIT_CASE(xlate_nested),
	KUNIT_CASE(xlate_nested_walk_confined),
	{}
};

static struct kunit_suite amd_xlate_suite = {
	.name = "amd-iommu-model-2.2.3-v1-v2-nested",
	.test_cases = amd_xlate_cases,
};

static struct kunit_case amd_cmd_cases[] = {
	KUNIT_CASE(cmd_completion_wait),
	KUNIT_CASE(cmd_illegal),
	KUNIT_CASE(cmd_buffer_wrap),
	{}
};

static struct kunit_suite amd_cmd_suite = {
	.name = "amd-iommu-model-2.4-commands",
	.test_cases = amd_cmd_cases,
};

static struct kunit_case amd_inv_cases[] = {
	KUNIT_CASE(inv_domid_and_range_scope),
	KUNIT_CASE(inv_pde_scope),
	KUNIT_CASE(inv_guest_pasid_and_nested),
	KUNIT_CASE(inv_iotlb_and_all),
	{}
};

static struct kunit_suite amd_inv_suite = {
	.name = "amd-iommu-model-2.4.3-invalidation-scope",
	.test_cases = amd_inv_cases,
};

static struct kunit_case amd_log_cases[] = {
	KUNIT_CASE(log_event_overflow),
	KUNIT_CASE(log_ppr_and_complete),
	{}
};

static struct kunit_suite amd_log_suite = {
	.name = "amd-iommu-model-2.5-2.6-event-ppr-logs",
	.test_cases = amd_log_cases,
};

static struct kunit_case amd_viommu_cases[] = {
	KUNIT_CASE(viommu_guest_cmdbuf),
	KUNIT_CASE(viommu_guest_cmdbuf_in_pas),
	KUNIT_CASE(viommu_unmapped_ids_refused),
	KUNIT_CASE(viommu_foreign_ids_refused),
	KUNIT_CASE(viommu_guest_ppr_log),
	KUNIT_CASE(viommu_guest_ppr_log_overflow),
	KUNIT_CASE(viommu_guest_evt_log_overflow),
	KUNIT_CASE(viommu_guest_reserved_bits),
	KUNIT_CASE(viommu_foreign_ppr_response_refused),
	KUNIT_CASE(viommu_guest_memory_confined),
	{}
};

static struct kunit_suite amd_viommu_suite = {
	.name = "amd-iommu-model-hw-viommu",
	.test_cases = amd_viommu_cases,
};

kunit_test_suites(&amd_mmio_suite, &amd_dte_suite, &amd_xlate_suite, &amd_cmd_suite,
		  &amd_inv_suite, &amd_log_suite, &amd_viommu_suite);
