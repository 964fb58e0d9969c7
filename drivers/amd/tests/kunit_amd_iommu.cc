// SPDX-License-Identifier: GPL-2.0
/*
 * amd-iommu-platform: the AMD IOMMU driver against the AMD IOMMU model on
 * the "amd" platform. The platform boots once for the suite; each case
 * attaches domains through the IOMMU core as iommufd would and asks the
 * function's DMA port what its accesses reach. The model keeps DTEs,
 * IOTLB entries and page-directory entries until the right command, so
 * every "unmapped means refused" and "moved means moved" check is a check
 * of the driver's flushes.
 */
#include "kunit.h"

#include "drivers/amd/amd_iommu.h"
#include "drivers/amd/model/amd_iommu_model.h"
#include "harness/fault_inject.h"
#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/platform/platform.h"

#define IOAT_BDF "0000:00:03.0"
#define EDU_BDF "0000:00:05.0"
#define TEST_IOVA 0x100000UL

struct amd_test {
	struct amd_iommu *iommu;
	struct amd_iommu_model *model;
	void *page;
	phys_addr_t page_pa;
};

static int amd_iommu_platform_suite_init(struct kunit_suite *suite)
{
	std::string err;
	int rc = platform_boot_named("amd", &err);

	if (rc)
		fprintf(stderr, "amd platform: %s\n", err.c_str());
	return rc;
}

static void amd_iommu_platform_suite_exit(struct kunit_suite *suite)
{
	platform_shutdown();
}

static void amd_up(struct kunit *test, struct amd_test *t)
{
	t->iommu = amd_platform_iommu(platform_iommu_get(0));
	t->model = amd_platform_model(platform_iommu_get(0));
	KUNIT_ASSERT_NOT_NULL(test, t->iommu);
	t->iommu->quiet_faults = true;
	t->page = iommu_alloc_pages_sz(GFP_KERNEL, PAGE_SIZE);
	t->page_pa = virt_to_phys(t->page);
}

static void amd_down(struct amd_test *t)
{
	iommu_free_pages(t->page);
}

static u64 reg(struct amd_test *t, unsigned int off)
{
	return readq(t->iommu->mmio_base + off);
}

/* Bring-up: IommuEn, the rings running, EFR as the hardware reports it */
static void amd_iommu_init_state(struct kunit *test)
{
	struct amd_test t;
	u64 ctrl, status;

	amd_up(test, &t);
	ctrl = reg(&t, MMIO_CONTROL_OFFSET);
	status = reg(&t, MMIO_STATUS_OFFSET);
	KUNIT_EXPECT_TRUE(test, ctrl & BIT_ULL(CONTROL_IOMMU_EN));
	KUNIT_EXPECT_TRUE(test, ctrl & BIT_ULL(CONTROL_CMDBUF_EN));
	KUNIT_EXPECT_TRUE(test, ctrl & BIT_ULL(CONTROL_EVT_LOG_EN));
	KUNIT_EXPECT_TRUE(test, ctrl & BIT_ULL(CONTROL_EVT_INT_EN));
	KUNIT_EXPECT_TRUE(test, ctrl & BIT_ULL(CONTROL_PPRLOG_EN));
	KUNIT_EXPECT_TRUE(test, ctrl & BIT_ULL(CONTROL_PPR_EN));
	KUNIT_EXPECT_TRUE(test, ctrl & BIT_ULL(CONTROL_GT_EN));
	KUNIT_EXPECT_TRUE(test, status & MMIO_STATUS_CMDBUF_RUN_MASK);
	KUNIT_EXPECT_TRUE(test, status & MMIO_STATUS_EVT_RUN_MASK);
	KUNIT_EXPECT_TRUE(test, status & MMIO_STATUS_PPR_RUN_MASK);
	KUNIT_EXPECT_EQ(test, t.iommu->features, amd_iommu_model_efr(t.model));
	KUNIT_EXPECT_EQ(test, reg(&t, MMIO_DEV_TABLE_OFFSET),
			virt_to_phys(t.iommu->dev_table) | 0x1ffULL);
	amd_down(&t);
}

/* Every completion wait stores a new semaphore value; the ring wraps */
static void amd_iommu_completion_wait_sem(struct kunit *test)
{
	struct amd_test t;
	struct amd_iommu_model_stats before, after;
	u64 sem;

	amd_up(test, &t);
	amd_iommu_model_get_stats(t.model, &before);
	sem = READ_ONCE(*t.iommu->cmd_sem);
	KUNIT_ASSERT_EQ(test, iommu_completion_wait(t.iommu), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*t.iommu->cmd_sem), sem + 1);
	for (unsigned int i = 0; i < 2 * CMD_BUFFER_ENTRIES; i++)
		KUNIT_ASSERT_EQ(test, iommu_completion_wait(t.iommu), 0);
	amd_iommu_model_get_stats(t.model, &after);
	KUNIT_EXPECT_EQ(test, after.waits, before.waits + 2 * CMD_BUFFER_ENTRIES + 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*t.iommu->cmd_sem), t.iommu->cmd_sem_val);
	amd_down(&t);
}

/* The S-bit encoding covers the whole range, and the block is the smallest aligned one */
static void amd_iommu_inv_pages_encoding(struct kunit *test)
{
	static const struct {
		u64 addr;
		u64 size;
	} ranges[] = {
		{ 0x1000, 0x1000 },   { 0x1000, 0x2000 },	{ 0x3000, 0x2000 },
		{ 0x100000, 0x5000 }, { 0x1ff000, 0x2000 },	{ 0x40000000, 0x200000 },
		{ 0x7ffff000, 0x1000 }, { 0, 1ULL << 52 },	{ 0x12345000, 0x10000000 },
	};
	struct iommu_cmd cmd;

	for (const auto &r : ranges) {
		u64 address, start;
		unsigned int lg2;

		build_inv_iommu_pages(&cmd, r.addr, r.size, 7, 0, false);
		KUNIT_EXPECT_EQ(test, cmd_opcode(&cmd), CMD_INV_IOMMU_PAGES);
		KUNIT_EXPECT_EQ(test, cmd.data[1] & CMD_INV_IOMMU_PAGES_1_DOMID, 7U);
		KUNIT_EXPECT_TRUE(test, cmd.data[2] & CMD_INV_IOMMU_PAGES_PDE_MASK);
		KUNIT_EXPECT_FALSE(test, cmd.data[2] & CMD_INV_IOMMU_PAGES_GN_MASK);
		address = cmd_inv_address(&cmd);
		lg2 = cmd_inv_range_lg2(address, cmd.data[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK);
		start = lg2 >= 64 ? 0 : address & ~((1ULL << lg2) - 1);
		/* Covers the range ... */
		KUNIT_EXPECT_LE(test, start, r.addr);
		if (lg2 < 64)
			KUNIT_EXPECT_GE(test, start + (1ULL << lg2), r.addr + r.size);
		/* ... and no block half its size would */
		if (lg2 > 12 && lg2 < 64)
			KUNIT_EXPECT_TRUE(test, (r.addr >> (lg2 - 1)) != ((r.addr + r.size - 1) >> (lg2 - 1)));
	}
	/* A single page has no S bit */
	build_inv_iommu_pages(&cmd, 0x5000, 0x1000, 1, 0, false);
	KUNIT_EXPECT_FALSE(test, cmd.data[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK);
	KUNIT_EXPECT_EQ(test, cmd_inv_address(&cmd), 0x5000ULL);
}

static void check_map_unmap(struct kunit *test, struct amd_test *t, struct platform_dev *pdev,
			    struct iommu_domain *domain)
{
	phys_addr_t pa = 0;

	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t->page_pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + 0x10, true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t->page_pa + 0x10);
	/* Cached in the IOTLB now: only the driver's flush makes the unmap visible */
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, TEST_IOVA, PAGE_SIZE), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + 0x10, true, &pa), PCI_DMA_UR);
}

/* A v1 nest parent on the I/OAT function; a refused DMA is an IO_PAGE_FAULT event */
static void amd_iommu_v1_dma_and_fault(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct amd_iommu_fault f = {};
	struct dev_table_entry *dte;
	unsigned long before, after;
	phys_addr_t pa;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	dte = &t.iommu->dev_table[(u16)pdev->desc->rid];

	amd_iommu_poll_logs(t.iommu);
	amd_iommu_fault_log_get(t.iommu, &f, &before);
	/* Nothing attached: V and TV with no permission */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, dte->data[0] & (DTE_FLAG_V | DTE_FLAG_TV | DTE_FLAG_IR | DTE_FLAG_IW),
			DTE_FLAG_V | DTE_FLAG_TV);

	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_EXPECT_TRUE(test, to_pdomain(domain)->nest_parent);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	KUNIT_EXPECT_EQ(test, dte->data[1] & DEV_DOMID_MASK, (u64)to_pdomain(domain)->id);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DTE_MODE_MASK, dte->data[0]), (u64)PAGE_MODE_4_LEVEL);
	check_map_unmap(test, &t, pdev, domain);

	/* The refused write is logged with the DeviceID, DomainID and address */
	amd_iommu_poll_logs(t.iommu);
	amd_iommu_fault_log_get(t.iommu, &f, &after);
	KUNIT_EXPECT_GE(test, after, before + 1);
	KUNIT_EXPECT_EQ(test, f.type, EVENT_TYPE_IO_FAULT);
	KUNIT_EXPECT_EQ(test, f.devid, (u16)pdev->desc->rid);
	KUNIT_EXPECT_EQ(test, f.domid_or_pasid, (u32)to_pdomain(domain)->id);
	KUNIT_EXPECT_EQ(test, f.address, TEST_IOVA + 0x10);
	KUNIT_EXPECT_TRUE(test, f.flags & EVENT_FLAG_RW);

	iommu_detach_device(domain, pdev->dev);
	KUNIT_EXPECT_EQ(test, to_pdomain(domain)->dev_cnt, 0U);
	iommu_domain_free(domain);
	amd_down(&t);
}

/* Unmapping many pages at once: one ranged INVALIDATE_IOMMU_PAGES must cover them all */
static void amd_iommu_range_flush(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	phys_addr_t pa;
	const unsigned int n = 37;
	u8 *buf;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	domain = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	buf = (u8 *)iommu_alloc_pages_sz(GFP_KERNEL, 64 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* Straddling a 2 MiB boundary: more than one leaf table, PDE matters */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0x200000 - 5 * PAGE_SIZE, virt_to_phys(buf),
					n * PAGE_SIZE, IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	for (unsigned int i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, 0x200000 - (5 - (long)i) * PAGE_SIZE, false, &pa),
				PCI_DMA_OK);
		KUNIT_EXPECT_EQ(test, pa, virt_to_phys(buf) + i * PAGE_SIZE);
	}
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, 0x200000 - 5 * PAGE_SIZE, n * PAGE_SIZE),
			n * PAGE_SIZE);
	for (unsigned int i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, 0x200000 - (5 - (long)i) * PAGE_SIZE, false, &pa),
				PCI_DMA_UR);

	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	iommu_free_pages(buf);
	amd_down(&t);
}

/* Moving a device between domains: the DTE flush makes the new table the one walked */
static void amd_iommu_dte_replace(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *a, *b;
	void *page_b;
	phys_addr_t pa;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	a = iommu_paging_domain_alloc(pdev->dev);
	b = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	KUNIT_EXPECT_NE(test, to_pdomain(a)->id, to_pdomain(b)->id);
	page_b = iommu_alloc_pages_sz(GFP_KERNEL, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, iommu_map(a, TEST_IOVA, t.page_pa, PAGE_SIZE, IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(b, TEST_IOVA, virt_to_phys(page_b), PAGE_SIZE, IOMMU_READ,
					GFP_KERNEL), 0);

	KUNIT_ASSERT_EQ(test, iommu_attach_device(a, pdev->dev), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.page_pa);
	/* Read-only: a write is refused */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa), PCI_DMA_UR);
	iommu_detach_device(a, pdev->dev);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(b, pdev->dev), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, virt_to_phys(page_b));
	iommu_detach_device(b, pdev->dev);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_UR);

	iommu_domain_free(a);
	iommu_domain_free(b);
	iommu_free_pages(page_b);
	amd_down(&t);
}

static void amd_iommu_identity_blocked(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	phys_addr_t pa = 0;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(amd_iommu_ops.identity_domain, pdev->dev), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, t.page_pa, true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.page_pa);
	iommu_detach_device(amd_iommu_ops.identity_domain, pdev->dev);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, t.page_pa, false, &pa), PCI_DMA_UR);
	amd_down(&t);
}

/* An ATS function: the DTE allows translation requests and unmap reaches its IOTLB */
static void amd_iommu_ats_devtlb(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct iommu_dev_data *dev_data;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(EDU_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	dev_data = dev_iommu_priv(pdev->dev);
	KUNIT_EXPECT_TRUE(test, dev_data->ats_enabled);
	domain = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	KUNIT_EXPECT_TRUE(test, t.iommu->dev_table[dev_data->devid].data[1] & DTE_FLAG_IOTLB);
	check_map_unmap(test, &t, pdev, domain);
	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	amd_down(&t);
}

/* Domain ops of another driver and flags the driver does not offer */
static void amd_iommu_alloc_errnos(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID |
							       IOMMU_HWPT_ALLOC_NEST_PARENT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), -EOPNOTSUPP);
	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID |
							       IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), -EOPNOTSUPP);
	amd_down(&t);
}

/* ----- The HW-vIOMMU: a guest running its own command buffer ----- */

#define GPA_BASE (1ULL << 32)
#define GVA_BASE 0x40000000ULL
#define G_PTE (IOMMU_PAGE_PRESENT | IOMMU_PAGE_RW | IOMMU_PAGE_USER)
#define PG_SRC 1
#define PG_DST 2
#define PG_ALT 3
#define PG_GCR3 16
#define PG_L0 17
#define PG_CMDBUF 30
#define PG_SEM 31
#define GDOM 0x42
#define GDEV 0x0018
#define GMEM_SIZE 0x200000UL

static u64 gpa_of(unsigned int pg)
{
	return GPA_BASE + (u64)pg * PAGE_SIZE;
}

static u64 gva_of(unsigned int pg)
{
	return GVA_BASE + (u64)pg * PAGE_SIZE;
}

/*
 * The VMM's part is done by the driver's HW-vIOMMU calls (what the vIOMMU,
 * nested HWPT, vDEVICE and HW queue objects do); the guest's part is
 * stores into its memory and into its VF page only. After the set-up no
 * host command is issued: the host semaphore does not move.
 */
static void amd_iommu_hw_viommu_guest_cmdbuf(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *parent, *nested;
	struct amd_iommu_viommu *aviommu;
	struct iommu_hwpt_amd_guest gdte = {};
	struct iommu_cmd *gcmd;
	u64 *gcr3, *pml4, *pdpt, *pd, *pt, host_sem;
	u8 __iomem *vf;
	phys_addr_t pa;
	u8 *gmem;

	amd_up(test, &t);
	/* The amd platform's IOMMU has the HW-vIOMMU */
	KUNIT_ASSERT_NOT_NULL(test, t.iommu->pas);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	gmem = (u8 *)iommu_alloc_pages_sz(GFP_KERNEL, GMEM_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, gmem);

	/* VMM: guest memory behind a nest parent, a vIOMMU (a GuestID) on it */
	parent = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(parent));
	KUNIT_ASSERT_EQ(test, iommu_map(parent, GPA_BASE, virt_to_phys(gmem), GMEM_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	aviommu = (struct amd_iommu_viommu *)kzalloc(sizeof(*aviommu), GFP_KERNEL);
	aviommu->core.iommu_dev = &t.iommu->iommu;
	KUNIT_ASSERT_EQ(test, amd_iommufd_viommu_init(&aviommu->core, parent, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, aviommu->hw);

	/* Guest: GCR3[0] -> x86-64 4-level table mapping GVA_BASE + pg -> GPA of pg */
	gcr3 = (u64 *)(gmem + PG_GCR3 * PAGE_SIZE);
	pml4 = (u64 *)(gmem + PG_L0 * PAGE_SIZE);
	pdpt = pml4 + 512;
	pd = pdpt + 512;
	pt = pd + 512;
	gcr3[0] = gpa_of(PG_L0) | GCR3_VALID;
	pml4[(GVA_BASE >> 39) & 511] = gpa_of(PG_L0 + 1) | G_PTE;
	pdpt[(GVA_BASE >> 30) & 511] = gpa_of(PG_L0 + 2) | G_PTE;
	pd[(GVA_BASE >> 21) & 511] = gpa_of(PG_L0 + 3) | G_PTE;
	for (unsigned int pg = PG_SRC; pg <= PG_ALT; pg++)
		pt[pg] = gpa_of(pg) | G_PTE;
	gdte.dte[0] = DTE_FLAG_V | DTE_FLAG_TV | DTE_FLAG_GV | DTE_FLAG_GIOV;
	gdte.dte[1] = GDOM;
	dte_set_gcr3_root((struct dev_table_entry *)&gdte, gpa_of(PG_GCR3));

	/* VMM: the guest's DTE (nested HWPT), its vDEVICE, its command buffer (HW queue) */
	nested = amd_iommu_nested_domain_alloc(aviommu, &gdte);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(nested));
	KUNIT_ASSERT_EQ(test, amd_iommu_attach_dev_dte(nested, pdev->dev), 0);
	KUNIT_ASSERT_EQ(test, amd_viommu_attach_vdev(aviommu->hw, pdev->dev, GDEV), 0);
	KUNIT_EXPECT_TRUE(test, t.iommu->dev_table[(u16)pdev->desc->rid].data[3] & DTE_VIOMMU_EN);
	KUNIT_ASSERT_EQ(test, amd_viommu_cmdbuf_enable(aviommu->hw, gpa_of(PG_CMDBUF), PAGE_SIZE), 0);
	vf = amd_viommu_vf_page(aviommu->hw);
	KUNIT_EXPECT_TRUE(test, readq(vf + VIOMMU_VF_MMIO_STATUS) & MMIO_STATUS_CMDBUF_RUN_MASK);

	/* DMA through both stages, then cached */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, gva_of(PG_DST), true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, virt_to_phys(gmem) + PG_DST * PAGE_SIZE);
	pt[PG_DST] = gpa_of(PG_ALT) | G_PTE;
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, gva_of(PG_DST), true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, virt_to_phys(gmem) + PG_DST * PAGE_SIZE);

	/* Guest: INVALIDATE_IOMMU_PAGES (its DomainID, PASID 0) + COMPLETION_WAIT, tail bump */
	host_sem = READ_ONCE(*t.iommu->cmd_sem);
	gcmd = (struct iommu_cmd *)(gmem + PG_CMDBUF * PAGE_SIZE);
	memset(gcmd, 0, 2 * sizeof(*gcmd));
	gcmd[0].data[1] = GDOM;
	gcmd[0].data[2] = 0xfffff000u | CMD_INV_IOMMU_PAGES_SIZE_MASK |
			  CMD_INV_IOMMU_PAGES_PDE_MASK | CMD_INV_IOMMU_PAGES_GN_MASK;
	gcmd[0].data[3] = 0x7fffffffu;
	CMD_SET_TYPE(&gcmd[0], CMD_INV_IOMMU_PAGES);
	gcmd[1].data[0] = lower_32_bits(gpa_of(PG_SEM)) | CMD_COMPL_WAIT_STORE_MASK;
	gcmd[1].data[1] = upper_32_bits(gpa_of(PG_SEM));
	gcmd[1].data[2] = 0x600d;
	CMD_SET_TYPE(&gcmd[1], CMD_COMPL_WAIT);
	writeq(2 * sizeof(*gcmd), vf + VIOMMU_VF_MMIO_CMD_TAIL);

	KUNIT_EXPECT_EQ(test, *(u64 *)(gmem + PG_SEM * PAGE_SIZE), 0x600dULL);
	KUNIT_EXPECT_EQ(test, readq(vf + VIOMMU_VF_MMIO_CMD_HEAD), 2 * sizeof(*gcmd));
	KUNIT_EXPECT_EQ(test, READ_ONCE(*t.iommu->cmd_sem), host_sem);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, gva_of(PG_DST), true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, virt_to_phys(gmem) + PG_ALT * PAGE_SIZE);

	/* A DomainID the guest never used: refused by the map, its buffer stops */
	memset(&gcmd[2], 0, sizeof(gcmd[2]));
	gcmd[2] = gcmd[0];
	gcmd[2].data[1] = (gcmd[2].data[1] & ~CMD_INV_IOMMU_PAGES_1_DOMID) | (GDOM + 1);
	writeq(3 * sizeof(*gcmd), vf + VIOMMU_VF_MMIO_CMD_TAIL);
	KUNIT_EXPECT_FALSE(test, readq(vf + VIOMMU_VF_MMIO_STATUS) & MMIO_STATUS_CMDBUF_RUN_MASK);
	KUNIT_EXPECT_EQ(test, readq(vf + VIOMMU_VF_MMIO_CMD_HEAD), 2 * sizeof(*gcmd));

	/* Teardown in the objects' order */
	amd_iommu_attach_dev_dte(amd_iommu_ops.blocked_domain, pdev->dev);
	amd_viommu_detach_vdev(aviommu->hw, pdev->dev);
	KUNIT_EXPECT_FALSE(test, t.iommu->dev_table[(u16)pdev->desc->rid].data[3] & DTE_VIOMMU_EN);
	iommu_domain_free(nested);
	aviommu->core.ops->destroy(&aviommu->core);
	kfree(aviommu);
	KUNIT_EXPECT_TRUE(test, xa_empty(&t.iommu->guest_ids));
	KUNIT_EXPECT_EQ(test, iommu_unmap(parent, GPA_BASE, GMEM_SIZE), (size_t)GMEM_SIZE);
	iommu_domain_free(parent);
	iommu_free_pages(gmem);
	amd_down(&t);
}

/* The v1 leaf (or the walked entry of a sized run) mapping @iova, walked by hand. */
static u64 v1_leaf(struct iommu_domain *domain, u64 iova)
{
	struct pt_iommu_hw_info hw;
	u64 *tbl, e = 0;

	pt_iommu_hw_info(&to_pdomain(domain)->iommu, &hw);
	tbl = (u64 *)phys_to_virt(hw.top_paddr);
	for (int lvl = hw.top_level; lvl >= 0; lvl--) {
		unsigned int nl;

		e = tbl[PM_LEVEL_INDEX(lvl, iova)];
		nl = PM_PTE_LEVEL(e);
		if (!(e & IOMMU_PTE_PR) || nl == 0 || nl == 7)
			break;
		tbl = (u64 *)phys_to_virt(e & PM_ADDR_MASK);
	}
	return e;
}

/*
 * Dirty tracking: DTE.HAD while enabled, and the first write through a
 * translation a read put in the IOTLB still sets D in the (2 MiB) leaf.
 */
static void amd_iommu_dirty_tracking(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct dev_table_entry *dte;
	phys_addr_t pa;
	void *big;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	dte = &t.iommu->dev_table[(u16)pdev->desc->rid];
	big = iommu_alloc_pages_sz(GFP_KERNEL, 0x200000);
	KUNIT_ASSERT_NOT_NULL(test, big);
	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_ASSERT_NOT_NULL(test, domain->dirty_ops);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0x40000000, virt_to_phys(big), 0x200000,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DTE_FLAG_HAD, dte->data[0]), 0ULL);
	KUNIT_ASSERT_EQ(test, domain->dirty_ops->set_dirty_tracking(domain, true), 0);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DTE_FLAG_HAD, dte->data[0]), DTE_HAD_DIRTY);

	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, 0x40001000, false, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_TRUE(test, v1_leaf(domain, 0x40001000) & IOMMU_PTE_HA);
	KUNIT_EXPECT_FALSE(test, v1_leaf(domain, 0x40001000) & IOMMU_PTE_HD);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, 0x40002000, true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_TRUE(test, v1_leaf(domain, 0x40002000) & IOMMU_PTE_HD);

	KUNIT_ASSERT_EQ(test, domain->dirty_ops->set_dirty_tracking(domain, false), 0);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DTE_FLAG_HAD, dte->data[0]), 0ULL);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, 0x40000000, 0x200000), (size_t)0x200000);
	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	iommu_free_pages(big);
	amd_down(&t);
}

/*
 * Every allocation on the way from a nest parent to a vIOMMU guest, a
 * nested domain attached and a mapping fails once, in turn (fail-nth):
 * each failure is a clean error, and nothing is left behind (the case's
 * leak check).
 */
static void amd_iommu_fail_nth(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	unsigned int n;
	bool done = false;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	for (n = 1; n < 500 && !done; n++) {
		struct iommu_hwpt_amd_guest gdte = {};
		struct amd_iommu_viommu *aviommu;
		struct iommu_domain *parent, *nested;
		int rc;

		fail_nth_write(n);
		parent = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
		if (IS_ERR(parent)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(parent), -ENOMEM);
			fail_nth_write(0);
			continue;
		}
		aviommu = (struct amd_iommu_viommu *)kzalloc(sizeof(*aviommu), GFP_KERNEL);
		if (!aviommu)
			goto free_parent;
		aviommu->core.iommu_dev = &t.iommu->iommu;
		rc = amd_iommufd_viommu_init(&aviommu->core, parent, NULL);
		if (rc) {
			KUNIT_EXPECT_EQ(test, rc, -ENOMEM);
			kfree(aviommu);
			goto free_parent;
		}
		gdte.dte[0] = DTE_FLAG_V | DTE_FLAG_TV | DTE_FLAG_GV | DTE_FLAG_GIOV;
		gdte.dte[1] = GDOM;
		dte_set_gcr3_root((struct dev_table_entry *)&gdte, GPA_BASE);
		nested = amd_iommu_nested_domain_alloc(aviommu, &gdte);
		if (!IS_ERR(nested)) {
			rc = amd_iommu_attach_dev_dte(nested, pdev->dev);
			KUNIT_EXPECT_EQ(test, rc, 0);
			rc = iommu_map(parent, GPA_BASE, t.page_pa, PAGE_SIZE, IOMMU_READ, GFP_KERNEL);
			/* Nothing failed this round: every point has had its turn */
			done = !rc && fail_nth_read();
			if (!rc)
				KUNIT_EXPECT_EQ(test, iommu_unmap(parent, GPA_BASE, PAGE_SIZE),
						(size_t)PAGE_SIZE);
			else
				KUNIT_EXPECT_EQ(test, rc, -ENOMEM);
			amd_iommu_attach_dev_dte(amd_iommu_ops.blocked_domain, pdev->dev);
			iommu_domain_free(nested);
		} else {
			KUNIT_EXPECT_EQ(test, PTR_ERR(nested), -ENOMEM);
		}
		aviommu->core.ops->destroy(&aviommu->core);
		kfree(aviommu);
free_parent:
		fail_nth_write(0);
		iommu_domain_free(parent);
	}
	KUNIT_EXPECT_TRUE(test, done);
	KUNIT_EXPECT_GT(test, n, 4U);
	amd_down(&t);
}

/*
 * v2 domains: one on a PASID of the edu function (its GCR3 table and
 * DomainID), one on its RID (PASID 0 through GIoV); unmaps flushed by
 * PASID; a v1 RID domain refused while PASIDs are attached; everything
 * let go at the end.
 */
static void amd_iommu_pasid_v2(struct kunit *test)
{
	struct amd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *pd, *rid, *v1;
	struct iommu_attach_handle handle = {};
	struct iommu_dev_data *dev_data;
	struct dev_table_entry *dte;
	phys_addr_t pa;

	amd_up(test, &t);
	pdev = platform_dev_by_bdf(EDU_BDF);
	dev_data = dev_iommu_priv(pdev->dev);
	dte = &t.iommu->dev_table[dev_data->devid];
	KUNIT_ASSERT_TRUE(test, dev_data->pasid_supported);

	pd = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pd));
	KUNIT_EXPECT_EQ(test, to_pdomain(pd)->pd_mode, PD_MODE_V2);
	KUNIT_ASSERT_EQ(test, iommu_map(pd, TEST_IOVA, t.page_pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(pd, pdev->dev, 7, &handle), 0);
	KUNIT_EXPECT_TRUE(test, dte->data[0] & DTE_FLAG_GV);
	KUNIT_EXPECT_TRUE(test, dte->data[0] & DTE_FLAG_GIOV);
	KUNIT_EXPECT_EQ(test, dte->data[1] & DEV_DOMID_MASK, (u64)dev_data->gcr3_domid);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 7, true), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.page_pa);
	/* Untagged requests: PASID 0 has no entry (the RID is blocked) */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa), PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 8, true), PCI_DMA_UR);

	/* A v1 RID domain would nest the PASID tables */
	v1 = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(v1));
	KUNIT_EXPECT_EQ(test, iommu_attach_device(v1, pdev->dev), -EINVAL);
	iommu_domain_free(v1);

	/* The RID on a v2 domain: PASID 0's entry */
	rid = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(rid));
	KUNIT_ASSERT_EQ(test, iommu_map(rid, TEST_IOVA + PAGE_SIZE, t.page_pa, PAGE_SIZE,
					IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(rid, pdev->dev), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + PAGE_SIZE, false, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.page_pa);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + PAGE_SIZE, true, &pa), PCI_DMA_UR);

	/* Unmaps reach the cached translations of each PASID */
	KUNIT_EXPECT_EQ(test, iommu_unmap(pd, TEST_IOVA, PAGE_SIZE), (size_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 7, true), PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, iommu_unmap(rid, TEST_IOVA + PAGE_SIZE, PAGE_SIZE), (size_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + PAGE_SIZE, false, &pa), PCI_DMA_UR);

	iommu_detach_device_pasid(pd, pdev->dev, 7);
	KUNIT_EXPECT_EQ(test, dev_data->pasid_cnt, 0U);
	KUNIT_EXPECT_NOT_NULL(test, dev_data->gcr3_tbl);	/* the RID still uses it */
	iommu_detach_device(rid, pdev->dev);
	KUNIT_EXPECT_NULL(test, dev_data->gcr3_tbl);
	KUNIT_EXPECT_FALSE(test, dte->data[0] & DTE_FLAG_GV);
	iommu_domain_free(rid);
	iommu_domain_free(pd);
	amd_down(&t);
}

static struct kunit_case amd_iommu_platform_cases[] = {
	KUNIT_CASE(amd_iommu_init_state),
	KUNIT_CASE(amd_iommu_completion_wait_sem),
	KUNIT_CASE(amd_iommu_inv_pages_encoding),
	KUNIT_CASE(amd_iommu_v1_dma_and_fault),
	KUNIT_CASE(amd_iommu_range_flush),
	KUNIT_CASE(amd_iommu_dte_replace),
	KUNIT_CASE(amd_iommu_identity_blocked),
	KUNIT_CASE(amd_iommu_ats_devtlb),
	KUNIT_CASE(amd_iommu_alloc_errnos),
	KUNIT_CASE(amd_iommu_dirty_tracking),
	KUNIT_CASE(amd_iommu_pasid_v2),
	KUNIT_CASE(amd_iommu_hw_viommu_guest_cmdbuf),
	KUNIT_CASE(amd_iommu_fail_nth),
	{},
};

static struct kunit_suite amd_iommu_platform_suite = {
	.name = "amd-iommu-platform",
	.suite_init = amd_iommu_platform_suite_init,
	.suite_exit = amd_iommu_platform_suite_exit,
	.test_cases = amd_iommu_platform_cases,
};
kunit_test_suite(amd_iommu_platform_suite);
