// SPDX-License-Identifier: GPL-2.0
/*
 * The conformance suites' minimal driver (amd_test.h).
 */
#include "amd_test.h"

static void amd_test_irq(void *priv, enum amd_iommu_irq src)
{
	struct amd_test *t = (struct amd_test *)priv;

	t->irqs[src]++;
}

static void amd_test_guest_irq(void *priv, u16 gid, enum amd_iommu_irq src)
{
	struct amd_test *t = (struct amd_test *)priv;

	t->guest_irqs++;
}

static void amd_test_resp(void *priv, u16 devid, u32 pasid, bool gn, u16 tag,
			  unsigned int status)
{
	struct amd_test *t = (struct amd_test *)priv;

	if (t->nr_resp < ARRAY_SIZE(t->resp))
		t->resp[t->nr_resp++] = { devid, pasid, gn, tag, status };
}

static const struct amd_iommu_model_ops amd_test_ops = {
	.irq = amd_test_irq,
	.guest_irq = amd_test_guest_irq,
	.ppr_response = amd_test_resp,
};

static void amd_test_free(void *arg)
{
	struct amd_test *t = (struct amd_test *)arg;

	amd_iommu_model_destroy(t->m);
	for (void *p : t->pages)
		iommu_free_pages(p);
	delete t;
}

void *amd_test_alloc(struct amd_test *t, size_t size)
{
	void *p = iommu_alloc_pages_sz(GFP_KERNEL, size);

	KUNIT_ASSERT_NOT_NULL(t->test, p);
	t->pages.push_back(p);
	return p;
}

u64 amd_rdq(struct amd_test *t, unsigned int off) { return readq((u8 __iomem *)t->base + off); }
void amd_wrq(struct amd_test *t, unsigned int off, u64 val)
{
	writeq(val, (u8 __iomem *)t->base + off);
}

/* As the kernel's iommu_feature_enable()/disable(): one Control bit at a time. */
void amd_feature(struct amd_test *t, unsigned int bit, bool on)
{
	u64 ctrl = amd_rdq(t, MMIO_CONTROL_OFFSET);

	amd_wrq(t, MMIO_CONTROL_OFFSET, on ? ctrl | BIT_ULL(bit) : ctrl & ~BIT_ULL(bit));
}

struct amd_test *amd_test_create(struct kunit *test, const struct amd_iommu_model_cfg *cfg)
{
	struct amd_iommu_model_cfg def;
	struct amd_test *t = new amd_test();

	t->test = test;
	if (!cfg) {
		amd_iommu_model_cfg_default(&def);
		cfg = &def;
	}
	t->m = amd_iommu_model_create(cfg, &amd_test_ops, t);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->m));
	kunit_add_action(test, amd_test_free, t);
	t->base = amd_iommu_model_mmio(t->m);
	t->devtab = (struct dev_table_entry *)amd_test_alloc(t, AMD_TEST_DEVTAB_PAGES * PAGE_SIZE);
	t->cmdbuf = (struct iommu_cmd *)amd_test_alloc(t, CMD_BUFFER_SIZE);
	t->evtlog = (struct amd_iommu_event *)amd_test_alloc(t, EVT_BUFFER_SIZE);
	t->pprlog = (struct amd_iommu_ppr_entry *)amd_test_alloc(t, PPR_LOG_SIZE);
	t->sem = (u64 *)amd_test_alloc(t, PAGE_SIZE);

	amd_wrq(t, MMIO_DEV_TABLE_OFFSET, amd_pa(t->devtab) | (AMD_TEST_DEVTAB_PAGES - 1));
	amd_wrq(t, MMIO_CMD_BUF_OFFSET, amd_pa(t->cmdbuf) | MMIO_CMD_SIZE_512);
	amd_wrq(t, MMIO_CMD_HEAD_OFFSET, 0);
	amd_wrq(t, MMIO_CMD_TAIL_OFFSET, 0);
	amd_feature(t, CONTROL_CMDBUF_EN, true);
	amd_wrq(t, MMIO_EVT_BUF_OFFSET, amd_pa(t->evtlog) | EVT_LEN_MASK);
	amd_wrq(t, MMIO_EVT_HEAD_OFFSET, 0);
	amd_wrq(t, MMIO_EVT_TAIL_OFFSET, 0);
	amd_feature(t, CONTROL_EVT_INT_EN, true);
	amd_feature(t, CONTROL_EVT_LOG_EN, true);
	amd_wrq(t, MMIO_PPR_LOG_OFFSET, amd_pa(t->pprlog) | PPR_LOG_SIZE_512);
	amd_wrq(t, MMIO_PPR_HEAD_OFFSET, 0);
	amd_wrq(t, MMIO_PPR_TAIL_OFFSET, 0);
	amd_feature(t, CONTROL_PPRINT_EN, true);
	amd_feature(t, CONTROL_PPRLOG_EN, true);
	amd_feature(t, CONTROL_PPR_EN, true);
	amd_feature(t, CONTROL_GT_EN, true);
	amd_feature(t, CONTROL_IOMMU_EN, true);
	return t;
}

bool amd_cmd(struct amd_test *t, const struct iommu_cmd *cmd)
{
	u64 tail = amd_rdq(t, MMIO_CMD_TAIL_OFFSET);

	t->cmdbuf[tail / sizeof(*cmd)] = *cmd;
	amd_wrq(t, MMIO_CMD_TAIL_OFFSET, (tail + sizeof(*cmd)) % CMD_BUFFER_SIZE);
	return amd_rdq(t, MMIO_STATUS_OFFSET) & MMIO_STATUS_CMDBUF_RUN_MASK;
}

bool amd_wait(struct amd_test *t)
{
	struct iommu_cmd c = {};
	u64 pa = amd_pa(t->sem);

	*t->sem = 0;
	c.data[0] = (u32)pa | CMD_COMPL_WAIT_STORE_MASK;
	c.data[1] = (u32)(pa >> 32);
	c.data[2] = 0x600d;
	CMD_SET_TYPE(&c, CMD_COMPL_WAIT);
	amd_cmd(t, &c);
	return *t->sem == 0x600d;
}

void amd_flush_dte(struct amd_test *t, u16 devid)
{
	struct iommu_cmd c = {};

	c.data[0] = devid;
	CMD_SET_TYPE(&c, CMD_INV_DEV_ENTRY);
	KUNIT_EXPECT_TRUE(t->test, amd_cmd(t, &c));
	KUNIT_EXPECT_TRUE(t->test, amd_wait(t));
}

void amd_build_inv_pages(struct iommu_cmd *c, u16 domid, u32 pasid, bool gn, u64 addr, u64 size)
{
	u64 end = addr + size - 1, inv = addr;
	bool s = size > 4096;

	*c = {};
	if (s) {
		/* The lowest power-of-two aligned block covering the range. */
		unsigned int msb = 63 - __builtin_clzll(addr ^ end);

		inv = msb > 51 ? CMD_INV_IOMMU_ALL_PAGES_ADDRESS : addr | ((1ULL << msb) - 1);
	}
	inv &= ~0xfffULL;
	c->data[1] = domid;
	c->data[2] = (u32)inv | CMD_INV_IOMMU_PAGES_PDE_MASK | (s ? CMD_INV_IOMMU_PAGES_SIZE_MASK : 0);
	c->data[3] = (u32)(inv >> 32);
	if (gn) {
		c->data[0] = pasid;
		c->data[2] |= CMD_INV_IOMMU_PAGES_GN_MASK;
	}
	CMD_SET_TYPE(c, CMD_INV_IOMMU_PAGES);
}

void amd_flush_pages(struct amd_test *t, u16 domid, u32 pasid, bool gn, u64 addr, u64 size)
{
	struct iommu_cmd c;

	amd_build_inv_pages(&c, domid, pasid, gn, addr, size);
	KUNIT_EXPECT_TRUE(t->test, amd_cmd(t, &c));
	KUNIT_EXPECT_TRUE(t->test, amd_wait(t));
}

bool amd_evt_pop(struct amd_test *t, struct amd_iommu_event *ev)
{
	u64 head = amd_rdq(t, MMIO_EVT_HEAD_OFFSET);

	if (head == amd_rdq(t, MMIO_EVT_TAIL_OFFSET))
		return false;
	*ev = t->evtlog[head / EVENT_ENTRY_SIZE];
	amd_wrq(t, MMIO_EVT_HEAD_OFFSET, (head + EVENT_ENTRY_SIZE) % EVT_BUFFER_SIZE);
	return true;
}

/* ----- Tables ----- */

u64 *amd_pt_alloc(struct amd_test *t)
{
	return (u64 *)amd_test_alloc(t, PAGE_SIZE);
}

static unsigned int amd_idx(unsigned int level, u64 va)
{
	return (va >> (12 + 9 * (level - 1))) & 0x1ff;
}

void amd_v1_map(struct amd_test *t, u64 *root, unsigned int levels, u64 va, u64 pa, bool ir,
		bool iw)
{
	u64 *table = root;

	for (unsigned int level = levels; level > 1; level--) {
		u64 *e = &table[amd_idx(level, va)];

		if (!(*e & IOMMU_PTE_PR))
			*e = PM_LEVEL_PDE(level - 1, amd_pa(amd_pt_alloc(t)));
		table = (u64 *)phys_to_virt(*e & PM_ADDR_MASK);
	}
	table[amd_idx(1, va)] = (pa & PM_ADDR_MASK) | IOMMU_PTE_PR | (ir ? IOMMU_PTE_IR : 0) |
				(iw ? IOMMU_PTE_IW : 0);
}

u64 *amd_v1_leaf(u64 *root, unsigned int levels, u64 va)
{
	u64 *table = root;

	for (unsigned int level = levels; level > 1; level--)
		table = (u64 *)phys_to_virt(table[amd_idx(level, va)] & PM_ADDR_MASK);
	return &table[amd_idx(1, va)];
}

void amd_x86_map(struct amd_test *t, u64 *root, u64 va, u64 pa, bool write)
{
	u64 *table = root;

	for (unsigned int level = 4; level > 1; level--) {
		u64 *e = &table[amd_idx(level, va)];

		if (!(*e & IOMMU_PAGE_PRESENT))
			*e = amd_pa(amd_pt_alloc(t)) | IOMMU_PAGE_PRESENT | IOMMU_PAGE_RW |
			     IOMMU_PAGE_USER;
		table = (u64 *)phys_to_virt(*e & PM_ADDR_MASK);
	}
	table[amd_idx(1, va)] = (pa & PM_ADDR_MASK) | IOMMU_PAGE_PRESENT | IOMMU_PAGE_USER |
				(write ? IOMMU_PAGE_RW : 0);
}

void amd_v1_map_guest_tables(struct amd_test *t, u64 *hroot, u64 *groot, u64 va)
{
	u64 *table = groot;

	for (unsigned int level = 4; level >= 1; level--) {
		amd_v1_map(t, hroot, 4, amd_pa(table), amd_pa(table), true, true);
		if (level == 1)
			break;
		table = (u64 *)phys_to_virt(table[amd_idx(level, va)] & PM_ADDR_MASK);
	}
}

void amd_dte_v1(struct amd_test *t, u16 devid, u64 *root, unsigned int levels, u16 domid)
{
	struct dev_table_entry *d = &t->devtab[devid];

	d->data[1] = domid;
	d->data[2] = 0;
	d->data[3] = 0;
	d->data[0] = DTE_FLAG_V | DTE_FLAG_TV | DTE_FLAG_IR | DTE_FLAG_IW |
		     (root ? FIELD_PREP(DTE_MODE_MASK, levels) | (amd_pa(root) & DTE_HOST_TRP) : 0);
}

u64 *amd_dte_gcr3(struct amd_test *t, u16 devid, u32 pasid, u64 *groot)
{
	struct dev_table_entry *d = &t->devtab[devid];
	u64 *gcr3 = amd_pt_alloc(t);

	gcr3[pasid & 0x1ff] = amd_pa(groot) | GCR3_VALID;
	dte_set_gcr3_root(d, amd_pa(gcr3));
	d->data[0] |= DTE_FLAG_GV | DTE_FLAG_GIOV;
	return gcr3;
}

/* ----- Traffic ----- */

struct amd_iommu_txn_result amd_dma(struct amd_test *t, u16 devid, u64 addr, bool write)
{
	struct amd_iommu_txn txn = {};
	struct amd_iommu_txn_result res;

	txn.devid = devid;
	txn.addr = addr;
	txn.write = write;
	amd_iommu_model_translate(t->m, &txn, &res);
	return res;
}

struct amd_iommu_txn_result amd_dma_pasid(struct amd_test *t, u16 devid, u32 pasid, u64 addr,
					  bool write)
{
	struct amd_iommu_txn txn = {};
	struct amd_iommu_txn_result res;

	txn.devid = devid;
	txn.pasid = pasid;
	txn.pasid_present = true;
	txn.addr = addr;
	txn.write = write;
	amd_iommu_model_translate(t->m, &txn, &res);
	return res;
}
