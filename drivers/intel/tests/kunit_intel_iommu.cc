// SPDX-License-Identifier: GPL-2.0
/*
 * intel-iommu-platform: the driver against the VT-d model on the "vtd"
 * platform. The platform boots once for the suite; each case attaches
 * domains through the IOMMU core as iommufd would and asks the function's
 * DMA port what its accesses reach. The model keeps IOTLB, PASID-cache and
 * device-TLB entries until the right invalidation, so every "unmapped
 * means refused" check is a check of the driver's flushes.
 */
#include "kunit.h"

#include "drivers/intel/iommu.h"
#include "drivers/intel/model/vtd_model.h"
#include "harness/debugfs.h"
#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/platform/platform.h"

#define IOAT_BDF "0000:00:03.0"
#define EDU_BDF "0000:00:05.0"
#define TEST_IOVA 0x100000UL

struct vtd_test {
	struct intel_iommu *iommu;
	struct vtd_model *model;
	void *page;
	phys_addr_t page_pa;
};

static int intel_iommu_platform_suite_init(struct kunit_suite *suite)
{
	std::string err;
	int rc = platform_boot_named("vtd", &err);

	if (rc)
		fprintf(stderr, "vtd platform: %s\n", err.c_str());
	return rc;
}

static void intel_iommu_platform_suite_exit(struct kunit_suite *suite)
{
	platform_shutdown();
}

static void vtd_up(struct kunit *test, struct vtd_test *t)
{
	t->iommu = vtd_platform_iommu(platform_iommu_get(0));
	t->model = vtd_platform_model(platform_iommu_get(0));
	KUNIT_ASSERT_NOT_NULL(test, t->iommu);
	t->iommu->quiet_faults = true;
	t->page = iommu_alloc_pages_sz(GFP_KERNEL, PAGE_SIZE);
	t->page_pa = virt_to_phys(t->page);
}

static void vtd_down(struct vtd_test *t)
{
	iommu_free_pages(t->page);
}

static void check_map_unmap(struct kunit *test, struct vtd_test *t, struct platform_dev *pdev,
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

/* Bring-up: the GCMD protocol left TE, QIE and the scalable root table on */
static void intel_iommu_probe_state(struct kunit *test)
{
	struct vtd_test t;
	u32 gsts;

	vtd_up(test, &t);
	gsts = vtd_model_peek(t.model, DMAR_GSTS_REG);
	KUNIT_EXPECT_TRUE(test, gsts & DMA_GSTS_TES);
	KUNIT_EXPECT_TRUE(test, gsts & DMA_GSTS_QIES);
	KUNIT_EXPECT_TRUE(test, gsts & DMA_GSTS_RTPS);
	KUNIT_EXPECT_TRUE(test, vtd_model_peek(t.model, DMAR_RTADDR_REG) & DMA_RTADDR_SMT);
	KUNIT_EXPECT_TRUE(test, sm_supported(t.iommu));
	KUNIT_EXPECT_TRUE(test, t.iommu->prq_enabled);
	KUNIT_EXPECT_EQ(test, t.iommu->cap, readq((u8 __iomem *)t.iommu->reg + DMAR_CAP_REG));
	vtd_down(&t);
}

/* A second-stage nest parent on the I/OAT function; a refused DMA in the fault log */
static void intel_iommu_ss_dma_and_fault(struct kunit *test)
{
	struct vtd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct dmar_fault_info f = {};
	unsigned long before, after;
	phys_addr_t pa;

	vtd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);

	intel_iommu_drain_events(t.iommu);
	dmar_fault_log_get(t.iommu, &f, &before);
	/* Nothing attached: PASID 0's entry is not present */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_UR);

	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_EXPECT_FALSE(test, to_dmar_domain(domain)->use_first_level);
	KUNIT_EXPECT_TRUE(test, to_dmar_domain(domain)->nested_parent);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	KUNIT_EXPECT_GE(test, domain_id_iommu(to_dmar_domain(domain), t.iommu), IDA_START_DID);
	check_map_unmap(test, &t, pdev, domain);

	/* The refused access is recorded with the function's RID and the page */
	intel_iommu_drain_events(t.iommu);
	dmar_fault_log_get(t.iommu, &f, &after);
	KUNIT_EXPECT_GE(test, after, before + 2);
	KUNIT_EXPECT_EQ(test, f.source_id, (u16)pdev->desc->rid);
	KUNIT_EXPECT_EQ(test, f.addr, TEST_IOVA);
	KUNIT_EXPECT_TRUE(test, f.write);
	KUNIT_EXPECT_FALSE(test, f.pasid_present);

	iommu_detach_device(domain, pdev->dev);
	KUNIT_EXPECT_EQ(test, cache_tag_count(to_dmar_domain(domain)), 0U);
	iommu_domain_free(domain);
	vtd_down(&t);
}

/* Without flags the driver prefers the first stage */
static void intel_iommu_fs_dma(struct kunit *test)
{
	struct vtd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;

	vtd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	domain = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_EXPECT_TRUE(test, to_dmar_domain(domain)->use_first_level);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	check_map_unmap(test, &t, pdev, domain);
	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	vtd_down(&t);
}

/* 37 pages in one unmap: one page-selective flush of a 64-page aligned block */
static void intel_iommu_range_flush(struct kunit *test)
{
	struct vtd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domains[2];
	const unsigned long n = 37;
	phys_addr_t pa;
	void *buf;

	vtd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	buf = iommu_alloc_pages_sz(GFP_KERNEL, 64 * PAGE_SIZE);
	domains[0] = iommu_paging_domain_alloc(pdev->dev);
	domains[1] = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	for (struct iommu_domain *domain : domains) {
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
		KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
		/* Starting off a 64-page boundary: the block straddles it */
		KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA + 5 * PAGE_SIZE, virt_to_phys(buf),
						n * PAGE_SIZE, IOMMU_READ, GFP_KERNEL), 0);
		for (unsigned long i = 0; i < n; i++)
			KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + (5 + i) * PAGE_SIZE,
							    false, &pa),
					PCI_DMA_OK);
		KUNIT_EXPECT_EQ(test, iommu_unmap(domain, TEST_IOVA + 5 * PAGE_SIZE, n * PAGE_SIZE),
				n * PAGE_SIZE);
		for (unsigned long i = 0; i < n; i++)
			KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + (5 + i) * PAGE_SIZE,
							    false, &pa),
					PCI_DMA_UR);
		iommu_detach_device(domain, pdev->dev);
		iommu_domain_free(domain);
	}
	iommu_free_pages(buf);
	vtd_down(&t);
}

/* The edu function: a PASID domain through its device-TLB, gone after the devTLB flush */
static void intel_iommu_pasid_ats(struct kunit *test)
{
	struct vtd_test t;
	struct platform_dev *pdev;
	struct iommu_domain *rid, *pasid_domain, *other;
	struct iommu_attach_handle handle = {}, handle2 = {};
	struct vtd_model_stats st;
	phys_addr_t pa = 0;

	vtd_up(test, &t);
	pdev = platform_dev_by_bdf(EDU_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_EXPECT_TRUE(test, dev_to_info(pdev->dev)->ats_enabled);

	rid = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(rid));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(rid, pdev->dev), 0);

	pasid_domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pasid_domain));
	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(pasid_domain, pdev->dev, 7, &handle), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(pasid_domain, TEST_IOVA, t.page_pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 7, true), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.page_pa);
	/* Untagged, the RID's empty table */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa), PCI_DMA_UR);
	vtd_model_get_stats(t.model, &st);
	KUNIT_EXPECT_GT(test, st.devtlb_entries, 0U);

	/* Replacing PASID 7's domain: the old translation goes with the PASID cache flush */
	other = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(other));
	KUNIT_ASSERT_EQ(test, iommu_replace_device_pasid(other, pdev->dev, 7, &handle2), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 7, true), PCI_DMA_UR);
	KUNIT_ASSERT_EQ(test, iommu_replace_device_pasid(pasid_domain, pdev->dev, 7, &handle), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 7, true), PCI_DMA_OK);

	/* The devTLB entry goes with the unmap's flush */
	KUNIT_EXPECT_EQ(test, iommu_unmap(pasid_domain, TEST_IOVA, PAGE_SIZE), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 7, true), PCI_DMA_UR);

	iommu_detach_device_pasid(pasid_domain, pdev->dev, 7);
	iommu_domain_free(other);
	iommu_domain_free(pasid_domain);
	iommu_detach_device(rid, pdev->dev);
	iommu_domain_free(rid);
	vtd_down(&t);
}

/* debugfs.cc's text of @path, read in pieces of @chunk bytes as a reader would. */
static std::string debugfs_text(const char *path, size_t chunk)
{
	std::string text;
	char buf[4096];
	long n;

	while ((n = debugfs_read_file(path, text.size(), buf, chunk)) > 0)
		text.append(buf, (size_t)n);
	return n < 0 ? "error " + std::to_string(n) : text;
}

/*
 * iommu/intel/<BDF>/<pasid>/domain_translation_struct: a PASID's paging
 * domain while it is attached, its one leaf at PTE level pointing at the
 * page; the RID's file walks PASID 0's (empty) table; a replaced domain's
 * table in the same file; gone after detach.
 */
static void intel_iommu_debugfs_pasid(struct kunit *test)
{
	const char *rid_path = "iommu/intel/" EDU_BDF "/domain_translation_struct";
	const char *pasid_path = "iommu/intel/" EDU_BDF "/7/domain_translation_struct";
	const char *columns = "IOVA_PFN         \tPML5E             \tPML4E             \t"
			      "PDPE              \tPDE               \tPTE\n";
	struct iommu_attach_handle handle = {}, handle2 = {};
	struct iommu_domain *rid, *pasid_domain, *other;
	struct platform_dev *pdev;
	struct vtd_test t;
	std::string text, head;
	unsigned long long pml5e, pml4e, pdpe, pde, pte;
	char buf[64];

	vtd_up(test, &t);
	pdev = platform_dev_by_bdf(EDU_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	rid = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(rid));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(rid, pdev->dev), 0);
	pasid_domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pasid_domain));
	KUNIT_EXPECT_EQ(test, debugfs_read_file(pasid_path, 0, buf, sizeof(buf)), -ENOENT);
	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(pasid_domain, pdev->dev, 7, &handle), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(pasid_domain, TEST_IOVA, t.page_pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);

	/* Read in 7-byte pieces: one snapshot, the same text as at once */
	text = debugfs_text(pasid_path, 7);
	head = debugfs_text(pasid_path, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, text.c_str(), head.c_str());
	head = "Device " EDU_BDF " with pasid 7 @0x";
	KUNIT_ASSERT_EQ(test, text.compare(0, head.size(), head), 0);
	text = text.substr(text.find('\n') + 1);
	KUNIT_ASSERT_EQ(test, text.compare(0, strlen(columns), columns), 0);
	text = text.substr(strlen(columns));
	/* One leaf: TEST_IOVA's pfn, a 4-level first stage (no PML5E), a PTE to the page */
	KUNIT_ASSERT_EQ(test, text.compare(0, 18, "0x0000000000100 |\t"), 0);
	KUNIT_ASSERT_EQ(test, sscanf(text.c_str() + 18, "0x%llx\t0x%llx\t0x%llx\t0x%llx\t0x%llx\n",
				     &pml5e, &pml4e, &pdpe, &pde, &pte), 5);
	KUNIT_EXPECT_EQ(test, pml5e, 0ULL);
	KUNIT_EXPECT_NE(test, pml4e, 0ULL);
	KUNIT_EXPECT_NE(test, pdpe, 0ULL);
	KUNIT_EXPECT_NE(test, pde, 0ULL);
	KUNIT_EXPECT_EQ(test, pte & GENMASK_ULL(51, 12), (unsigned long long)t.page_pa);
	KUNIT_EXPECT_EQ(test, text.find('\n'), text.size() - 1);

	/* The RID's file: PASID 0's table, nothing mapped there */
	text = debugfs_text(rid_path, sizeof(buf));
	head = "Device " EDU_BDF " with pasid 0 @0x";
	KUNIT_EXPECT_EQ(test, text.compare(0, head.size(), head), 0);
	KUNIT_EXPECT_EQ(test, text.size(), text.find('\n') + 1 + strlen(columns));

	/* Unmapped: the header lines only */
	KUNIT_EXPECT_EQ(test, iommu_unmap(pasid_domain, TEST_IOVA, PAGE_SIZE), PAGE_SIZE);
	text = debugfs_text(pasid_path, sizeof(buf));
	KUNIT_EXPECT_EQ(test, text.size(), text.find('\n') + 1 + strlen(columns));

	/* Replaced by another domain: the same file, now that domain's table */
	head = text.substr(0, text.find('\n'));
	other = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(other));
	KUNIT_ASSERT_EQ(test, iommu_replace_device_pasid(other, pdev->dev, 7, &handle2), 0);
	text = debugfs_text(pasid_path, sizeof(buf));
	KUNIT_EXPECT_EQ(test, text.compare(0, strlen("Device " EDU_BDF " with pasid 7 @0x"),
					   "Device " EDU_BDF " with pasid 7 @0x"), 0);
	KUNIT_EXPECT_NE(test, text.substr(0, text.find('\n')), head);
	KUNIT_ASSERT_EQ(test, iommu_replace_device_pasid(pasid_domain, pdev->dev, 7, &handle), 0);
	text = debugfs_text(pasid_path, sizeof(buf));
	KUNIT_EXPECT_EQ(test, text.substr(0, text.find('\n')), head);

	/* Detached: the directory is gone */
	iommu_detach_device_pasid(pasid_domain, pdev->dev, 7);
	KUNIT_EXPECT_EQ(test, debugfs_read_file(pasid_path, 0, buf, sizeof(buf)), -ENOENT);
	KUNIT_EXPECT_FALSE(test, debugfs_exists("iommu/intel/" EDU_BDF "/7"));
	KUNIT_EXPECT_TRUE(test, debugfs_exists(rid_path));

	iommu_domain_free(other);
	iommu_domain_free(pasid_domain);
	iommu_detach_device(rid, pdev->dev);
	iommu_domain_free(rid);
	vtd_down(&t);
}

/* Identity: pass-through PASID entry, the IOVA is the address */
static void intel_iommu_identity(struct kunit *test)
{
	struct vtd_test t;
	struct platform_dev *pdev;
	phys_addr_t pa = 0;

	vtd_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, intel_iommu_ops.identity_domain);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(intel_iommu_ops.identity_domain, pdev->dev), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, t.page_pa, false, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.page_pa);
	iommu_detach_device(intel_iommu_ops.identity_domain, pdev->dev);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, t.page_pa, false, &pa), PCI_DMA_UR);
	vtd_down(&t);
}

/* An invalid descriptor: IQE, the slot overwritten, -EINVAL, and the queue goes on */
static void intel_iommu_qi_iqe_recovery(struct kunit *test)
{
	struct vtd_test t;
	struct qi_desc desc[3] = {};
	unsigned long iqe;

	vtd_up(test, &t);
	iqe = t.iommu->nr_iqe;
	/* Interrupt entry cache: no interrupt remapping, an invalid type here */
	desc[0].qw0 = QI_IEC_TYPE;
	KUNIT_EXPECT_EQ(test, qi_submit_sync(t.iommu, desc, 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, t.iommu->nr_iqe.load(), iqe + 1);
	KUNIT_EXPECT_FALSE(test, vtd_model_peek(t.model, DMAR_FSTS_REG) & DMA_FSTS_IQE);

	/* In the middle of a batch */
	desc[0].qw0 = QI_PC_GRAN(QI_PC_GLOBAL) | QI_PC_TYPE;
	desc[1].qw0 = QI_IEC_TYPE;
	desc[2].qw0 = QI_PC_GRAN(QI_PC_GLOBAL) | QI_PC_TYPE;
	KUNIT_EXPECT_EQ(test, qi_submit_sync(t.iommu, desc, 3, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, t.iommu->nr_iqe.load(), iqe + 2);

	/* Valid ones complete afterwards, many times round the ring */
	for (int i = 0; i < 2 * QI_LENGTH; i++)
		KUNIT_ASSERT_EQ(test, qi_submit_sync(t.iommu, &desc[0], 1, 0), 0);
	vtd_down(&t);
}

static struct kunit_case intel_iommu_platform_cases[] = {
	KUNIT_CASE(intel_iommu_probe_state),
	KUNIT_CASE(intel_iommu_ss_dma_and_fault),
	KUNIT_CASE(intel_iommu_fs_dma),
	KUNIT_CASE(intel_iommu_range_flush),
	KUNIT_CASE(intel_iommu_pasid_ats),
	KUNIT_CASE(intel_iommu_debugfs_pasid),
	KUNIT_CASE(intel_iommu_identity),
	KUNIT_CASE(intel_iommu_qi_iqe_recovery),
	{},
};

static struct kunit_suite intel_iommu_platform_suite = {
	.name = "intel-iommu-platform",
	.suite_init = intel_iommu_platform_suite_init,
	.suite_exit = intel_iommu_platform_suite_exit,
	.test_cases = intel_iommu_platform_cases,
};
kunit_test_suite(intel_iommu_platform_suite);
