// SPDX-License-Identifier: GPL-2.0
/*
 * The conformance suites' minimal driver (vtd_test.h).
 */
#include "vtd_test.h"

#include "harness/slab.h"

static void vtd_test_irq(void *priv, enum vtd_irq src, bool msi)
{
	struct vtd_test *t = (struct vtd_test *)priv;

	t->irqs[src]++;
}

static void vtd_test_resp(void *priv, u16 rid, u32 pasid, bool pasid_present, u16 prg_index,
			  unsigned int code, bool automatic)
{
	struct vtd_test *t = (struct vtd_test *)priv;

	if (t->nr_resp < ARRAY_SIZE(t->resp))
		t->resp[t->nr_resp++] = { rid, pasid, pasid_present, prg_index, code, automatic };
}

static const struct vtd_model_ops vtd_test_ops = {
	.irq = vtd_test_irq,
	.page_response = vtd_test_resp,
};

static void vtd_test_free(void *arg)
{
	struct vtd_test *t = (struct vtd_test *)arg;

	vtd_model_destroy(t->m);
	for (void *p : t->pages)
		iommu_free_pages(p);
	delete t;
}

void *vtd_test_alloc(struct vtd_test *t, size_t size)
{
	void *p = iommu_alloc_pages_sz(GFP_KERNEL, size);

	KUNIT_ASSERT_NOT_NULL(t->test, p);
	t->pages.push_back(p);
	return p;
}

struct vtd_test *vtd_test_create_raw(struct kunit *test, const struct vtd_model_cfg *cfg, bool sm)
{
	struct vtd_model_cfg def;
	struct vtd_test *t = new vtd_test();

	t->test = test;
	t->sm = sm;
	if (!cfg) {
		vtd_model_cfg_default(&def);
		cfg = &def;
	}
	t->m = vtd_model_create(cfg, &vtd_test_ops, t);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->m));
	kunit_add_action(test, vtd_test_free, t);
	t->base = vtd_model_mmio(t->m);
	t->root = (struct root_entry *)vtd_test_alloc(t, PAGE_SIZE);
	t->iq = (struct qi_desc *)vtd_test_alloc(t, PAGE_SIZE);
	t->prq = (struct page_req_dsc *)vtd_test_alloc(t, PAGE_SIZE);
	t->pasid_dir = (u64 *)vtd_test_alloc(t, PAGE_SIZE);
	t->status = (u32 *)vtd_test_alloc(t, PAGE_SIZE);
	return t;
}

void vtd_gcmd(struct vtd_test *t, u32 cmd, bool set)
{
	if (!(cmd & DMA_GCMD_ONE_SHOT))
		t->gcmd = set ? t->gcmd | cmd : t->gcmd & ~cmd;
	vtd_wr(t, DMAR_GCMD_REG, t->gcmd | (cmd & DMA_GCMD_ONE_SHOT));
}

void vtd_test_enable(struct vtd_test *t)
{
	vtd_wrq(t, DMAR_RTADDR_REG, vtd_pa(t->root) | (t->sm ? DMA_RTADDR_SMT : 0));
	vtd_gcmd(t, DMA_GCMD_SRTP, true);
	vtd_wrq(t, DMAR_IQT_REG, 0);
	vtd_wrq(t, DMAR_IQA_REG, vtd_pa(t->iq) | (t->sm ? DMA_IQA_DW : 0));
	vtd_gcmd(t, DMA_GCMD_QIE, true);
	vtd_wrq(t, DMAR_PQH_REG, 0);
	vtd_wrq(t, DMAR_PQT_REG, 0);
	vtd_wrq(t, DMAR_PQA_REG, vtd_pa(t->prq));
	vtd_wr(t, DMAR_FECTL_REG, 0);
	vtd_wr(t, DMAR_IECTL_REG, 0);
	vtd_wr(t, DMAR_PECTL_REG, 0);
	vtd_gcmd(t, DMA_GCMD_TE, true);
}

struct vtd_test *vtd_test_create(struct kunit *test, const struct vtd_model_cfg *cfg, bool sm)
{
	struct vtd_test *t = vtd_test_create_raw(test, cfg, sm);

	vtd_test_enable(t);
	return t;
}

u32 vtd_rd(struct vtd_test *t, unsigned int off) { return readl((u8 __iomem *)t->base + off); }
u64 vtd_rdq(struct vtd_test *t, unsigned int off) { return readq((u8 __iomem *)t->base + off); }
void vtd_wr(struct vtd_test *t, unsigned int off, u32 val) { writel(val, (u8 __iomem *)t->base + off); }
void vtd_wrq(struct vtd_test *t, unsigned int off, u64 val) { writeq(val, (u8 __iomem *)t->base + off); }

bool vtd_qi(struct vtd_test *t, u64 qw0, u64 qw1, u64 qw2, u64 qw3)
{
	unsigned int dsz = t->sm ? 32 : 16;
	u64 tail = vtd_rdq(t, DMAR_IQT_REG);
	u64 *slot = (u64 *)((u8 *)t->iq + tail);

	slot[0] = qw0;
	slot[1] = qw1;
	if (t->sm) {
		slot[2] = qw2;
		slot[3] = qw3;
	}
	vtd_wrq(t, DMAR_IQT_REG, (tail + dsz) % PAGE_SIZE);
	return !(vtd_rd(t, DMAR_FSTS_REG) & DMA_FSTS_IQE);
}

bool vtd_qi_wait(struct vtd_test *t)
{
	*t->status = 0;
	vtd_qi(t, QI_IWD_TYPE | QI_IWD_STATUS_WRITE | QI_IWD_STATUS_DATA(0x600d), vtd_pa(t->status));
	return *t->status == 0x600d;
}

void vtd_flush_iotlb_dsi(struct vtd_test *t, u16 did)
{
	vtd_qi(t, QI_IOTLB_TYPE | QI_IOTLB_GRAN(DMA_TLB_DSI_FLUSH) | QI_IOTLB_DID(did), 0);
	KUNIT_EXPECT_TRUE(t->test, vtd_qi_wait(t));
}

void vtd_flush_piotlb(struct vtd_test *t, u16 did, u32 pasid)
{
	vtd_qi(t, QI_EIOTLB_TYPE | QI_EIOTLB_GRAN(QI_GRAN_NONG_PASID) | QI_EIOTLB_DID(did) |
		  QI_EIOTLB_PASID(pasid), 0);
	KUNIT_EXPECT_TRUE(t->test, vtd_qi_wait(t));
}

void vtd_flush_pasid_cache(struct vtd_test *t, u16 did, u32 pasid)
{
	vtd_qi(t, QI_PC_TYPE | QI_PC_GRAN(QI_PC_PASID_SEL) | QI_PC_DID(did) | QI_PC_PASID(pasid), 0);
	KUNIT_EXPECT_TRUE(t->test, vtd_qi_wait(t));
}

void vtd_flush_ctx_global(struct vtd_test *t)
{
	vtd_qi(t, QI_CC_TYPE | QI_CC_GRAN(DMA_CCMD_GLOBAL_INVL), 0);
	KUNIT_EXPECT_TRUE(t->test, vtd_qi_wait(t));
}

/* ----- Tables ----- */

static void *vtd_table_of(struct vtd_test *t, u64 *entry)
{
	if (!(*entry & ROOT_ENTRY_P))
		*entry = vtd_pa(vtd_test_alloc(t, PAGE_SIZE)) | ROOT_ENTRY_P;
	return phys_to_virt(*entry & ROOT_ENTRY_CTP);
}

void vtd_legacy_ctx(struct vtd_test *t, u16 sid, u64 lo, u64 hi)
{
	struct context_entry *ct = (struct context_entry *)vtd_table_of(t, &t->root[sid >> 8].lo);

	ct[sid & 0xff].hi = hi;
	ct[sid & 0xff].lo = lo;
}

void vtd_sm_ctx(struct vtd_test *t, u16 sid, u64 val0, u64 val1)
{
	u8 devfn = sid & 0xff;
	u64 *half = devfn < 128 ? &t->root[sid >> 8].lo : &t->root[sid >> 8].hi;
	struct sm_context_entry *ct = (struct sm_context_entry *)vtd_table_of(t, half);

	if ((val0 & SM_CONTEXT_0_P) && !(val0 & SM_CONTEXT_0_PASIDDIRPTR))
		val0 |= vtd_pa(t->pasid_dir);
	ct[devfn % 128].val[1] = val1;
	ct[devfn % 128].val[0] = val0;
}

void vtd_sm_ctx_default(struct vtd_test *t, u16 sid)
{
	vtd_sm_ctx(t, sid, SM_CONTEXT_0_P | SM_CONTEXT_0_PASIDE | SM_CONTEXT_0_DTE |
			   SM_CONTEXT_0_PRE | FIELD_PREP(SM_CONTEXT_0_PDTS, 2), 0);
}

struct pasid_entry *vtd_pasid_entry(struct vtd_test *t, u32 pasid)
{
	u64 *pde = &t->pasid_dir[pasid >> PASID_PDE_SHIFT];

	if (!(*pde & PASID_DIR_P))
		*pde = vtd_pa(vtd_test_alloc(t, PAGE_SIZE)) | PASID_DIR_P;
	return (struct pasid_entry *)phys_to_virt(*pde & PASID_DIR_SMPTBLPTR) +
	       pasid % PASID_TBL_ENTRIES;
}

void vtd_pasid_set(struct vtd_test *t, u32 pasid, const u64 *val)
{
	struct pasid_entry *pe = vtd_pasid_entry(t, pasid);

	for (int i = 7; i >= 0; i--)
		pe->val[i] = val[i];
}

void vtd_pasid_ss(u64 *val, u64 ssptr, u16 did, bool ssade)
{
	memset(val, 0, 64);
	val[0] = PASID_PTE_PRESENT | FIELD_PREP(PASID_0_AW, 2) |
		 FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_SL_ONLY) | (ssade ? PASID_0_SSADE : 0) |
		 ssptr;
	val[1] = FIELD_PREP(PASID_1_DID, did);
}

void vtd_pasid_fs(u64 *val, u64 fsptr, u16 did)
{
	memset(val, 0, 64);
	val[0] = PASID_PTE_PRESENT | FIELD_PREP(PASID_0_AW, 2) |
		 FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_FL_ONLY);
	val[1] = FIELD_PREP(PASID_1_DID, did);
	val[2] = fsptr;
}

void vtd_pasid_nested(u64 *val, u64 fsptr, u64 ssptr, u16 did)
{
	vtd_pasid_fs(val, fsptr, did);
	val[0] = PASID_PTE_PRESENT | FIELD_PREP(PASID_0_AW, 2) |
		 FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_NESTED) | ssptr;
}

u64 *vtd_pt_alloc(struct vtd_test *t)
{
	return (u64 *)vtd_test_alloc(t, PAGE_SIZE);
}

void vtd_pt_map(struct vtd_test *t, u64 *root, u64 va, u64 pa, bool fs, bool write)
{
	u64 table_bits = fs ? DMA_FL_PTE_PRESENT | DMA_FL_PTE_RW | DMA_FL_PTE_US :
			      DMA_PTE_READ | DMA_PTE_WRITE;
	u64 *table = root;

	for (int level = 3; level > 0; level--) {
		u64 *e = &table[(va >> (12 + 9 * level)) & 511];

		if (!*e)
			*e = vtd_pa(vtd_pt_alloc(t)) | table_bits;
		table = (u64 *)phys_to_virt(*e & GENMASK_ULL(51, 12));
	}
	table[(va >> 12) & 511] = pa | (fs ? DMA_FL_PTE_PRESENT | DMA_FL_PTE_US : DMA_PTE_READ) |
				  (write ? (fs ? DMA_FL_PTE_RW : DMA_PTE_WRITE) : 0);
}

u64 *vtd_pt_leaf(u64 *root, u64 va)
{
	u64 *table = root;

	for (int level = 3; level > 0; level--)
		table = (u64 *)phys_to_virt(table[(va >> (12 + 9 * level)) & 511] &
					    GENMASK_ULL(51, 12));
	return &table[(va >> 12) & 511];
}

void vtd_ss_map_fs_tables(struct vtd_test *t, u64 *ss, u64 *fs, u64 va)
{
	u64 *table = fs;

	for (int level = 3; level >= 0; level--) {
		vtd_pt_map(t, ss, vtd_pa(table), vtd_pa(table), false, true);
		if (!level)
			break;
		table = (u64 *)phys_to_virt(table[(va >> (12 + 9 * level)) & 511] &
					    GENMASK_ULL(51, 12));
	}
}

/* ----- Traffic ----- */

struct vtd_txn_result vtd_dma(struct vtd_test *t, u16 sid, u64 addr, bool write)
{
	struct vtd_txn txn = { .sid = sid, .addr = addr, .write = write };
	struct vtd_txn_result res;

	vtd_model_translate(t->m, &txn, &res);
	return res;
}

struct vtd_txn_result vtd_dma_pasid(struct vtd_test *t, u16 sid, u32 pasid, u64 addr, bool write)
{
	struct vtd_txn txn = { .sid = sid, .pasid = pasid, .pasid_present = true, .addr = addr,
			       .write = write };
	struct vtd_txn_result res;

	vtd_model_translate(t->m, &txn, &res);
	return res;
}

bool vtd_fault_pop(struct vtd_test *t, struct vtd_fault_rec *rec)
{
	u32 fsts = vtd_rd(t, DMAR_FSTS_REG);
	unsigned int off;
	u64 lo, hi;

	if (!(fsts & DMA_FSTS_PPF))
		return false;
	off = VTD_MODEL_FRCD_REG + dma_fsts_fault_record_index(fsts) * PRIMARY_FAULT_REG_LEN;
	lo = vtd_rdq(t, off);
	hi = vtd_rdq(t, off + 8);
	*rec = { .sid = (u16)FIELD_GET(DMA_FRCD_1_SID, hi),
		 .reason = (u8)FIELD_GET(DMA_FRCD_1_FR, hi),
		 .addr = lo,
		 .read = (bool)(hi & DMA_FRCD_1_T1),
		 .pasid_present = (bool)(hi & DMA_FRCD_1_PP),
		 .pasid = (u32)FIELD_GET(DMA_FRCD_1_PV, hi) };
	vtd_wr(t, off + 12, DMA_FRCD_F);
	return true;
}

void vtd_fault_clear(struct vtd_test *t)
{
	struct vtd_fault_rec rec;

	while (vtd_fault_pop(t, &rec))
		;
	vtd_wr(t, DMAR_FSTS_REG, DMA_FSTS_RW1C);
}
