// SPDX-License-Identifier: GPL-2.0
/*
 * arm-smmu-v3-granules: the driver on an SMMU without the 4K granule. Each
 * case boots a machine of its own, one SMMUv3 whose IDR5 offers only the
 * 16K or only the 64K granule and the I/OAT function behind it, and checks
 * that stage-1 and nest-parent stage-2 domains take that granule (their
 * page sizes, the CD's TG0 or the STE's S2TG and start level, which the
 * model checks against its IDR5) and that a map is visible to the
 * function's DMA, an unmap invisible after the driver's TLBI (a range
 * TLBI with the granule's TG, and one per granule without RIL).
 *
 * The machines boot after the arm-smmu-v3-platform suite's has shut down
 * (this file links after that one, and GoogleTest runs suites in that
 * order): group numbers are handed out once per process, in increasing
 * order, so each case's device names a group above every one before it.
 */
#include "kunit.h"

#include "drivers/arm-smmu-v3/arm-smmu-v3.h"
#include "harness/physmem.h"
#include "harness/platform/desc.h"
#include "harness/platform/platform.h"

#define IOAT_BDF "0000:00:03.0"
#define GRAN_IOVA 0x40000000UL

struct granule_case {
	const char *name;
	const char *caps;	/* the SMMU's capabilities in the platform file */
	unsigned long granule;
	int group;		/* above every group a machine before it had */
};

static const struct granule_case granule_cases[] = {
	{ "16k", "\"gran4k\": 0, \"gran16k\": 1, \"gran64k\": 0", SZ_16K, 100 },
	{ "64k", "\"gran4k\": 0, \"gran16k\": 0, \"gran64k\": 1", SZ_64K, 101 },
	{ "64k_no_ril", "\"gran4k\": 0, \"gran16k\": 0, \"gran64k\": 1, \"ril\": 0", SZ_64K, 102 },
};

static void granule_case_desc(const struct granule_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(granule, granule_cases, granule_case_desc);

static int granule_boot(const struct granule_case *c, std::string *err)
{
	std::string json = std::string("{ \"name\": \"smmuv3-granule\", \"iommus\": [ ") +
			   "{ \"name\": \"smmu0\", \"kind\": \"smmuv3\", \"caps\": { " + c->caps +
			   " } } ], \"devices\": [ { \"bdf\": \"" IOAT_BDF "\", " +
			   "\"kind\": \"ioat\", \"iommu\": \"smmu0\", \"group\": " +
			   std::to_string(c->group) + " } ] }";
	struct platform_desc desc;
	int rc = platform_desc_parse(json, "granule case", &desc, err);

	return rc ? rc : platform_boot(desc, err);
}

/* @domain maps two granules at GRAN_IOVA; the function sees them, then not. */
static void check_granule_dma(struct kunit *test, struct platform_dev *pdev,
			      struct iommu_domain *domain, unsigned long granule)
{
	void *mem = iommu_alloc_pages_sz(GFP_KERNEL, 2 * granule);
	phys_addr_t mem_pa, pa = 0;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	mem_pa = virt_to_phys(mem);
	KUNIT_EXPECT_EQ(test, mem_pa & (granule - 1), 0UL);
	KUNIT_EXPECT_EQ(test, 1UL << __ffs(domain->pgsize_bitmap), granule);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, GRAN_IOVA, mem_pa, 2 * granule,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	/* The last bytes of the second granule: the walk used the granule's offset bits */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, GRAN_IOVA + 2 * granule - 8, true, &pa),
			PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, mem_pa + 2 * granule - 8);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, GRAN_IOVA + 0x10, false, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, mem_pa + 0x10);

	/* Cached now: only the TLBI for the granule makes the unmap visible */
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, GRAN_IOVA, 2 * granule), 2 * granule);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, GRAN_IOVA + 0x10, false, &pa),
			PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, GRAN_IOVA + 2 * granule - 8, true, &pa),
			PCI_DMA_UR);
	iommu_detach_device(domain, pdev->dev);
	iommu_free_pages(mem);
}

static void arm_smmu_v3_granule_dma(struct kunit *test)
{
	const struct granule_case *c = (const struct granule_case *)test->param_value;
	struct arm_smmu_device *smmu;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	std::string err;
	int rc = granule_boot(c, &err);

	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "%s", err.c_str());
	smmu = smmuv3_platform_smmu(platform_iommu_get(0));
	KUNIT_ASSERT_NOT_NULL(test, smmu);
	smmu->quiet_events = true;
	KUNIT_EXPECT_FALSE(test, smmu->pgsize_bitmap & SZ_4K);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);

	domain = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_EXPECT_EQ(test, to_smmu_domain(domain)->stage, ARM_SMMU_DOMAIN_S1);
	check_granule_dma(test, pdev, domain, c->granule);
	iommu_domain_free(domain);

	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_EXPECT_EQ(test, to_smmu_domain(domain)->stage, ARM_SMMU_DOMAIN_S2);
	check_granule_dma(test, pdev, domain, c->granule);
	iommu_domain_free(domain);

	/* Every DMA above either translated or was refused: no configuration error */
	arm_smmu_drain_queues(smmu);
	KUNIT_EXPECT_NE(test, FIELD_GET(EVTQ_0_ID, smmu->last_evt[0]), (u64)EVT_ID_BAD_STE_CONFIG);
	KUNIT_EXPECT_NE(test, FIELD_GET(EVTQ_0_ID, smmu->last_evt[0]), (u64)EVT_ID_BAD_CD_CONFIG);
	platform_shutdown();
}

static struct kunit_case arm_smmu_v3_granule_cases[] = {
	KUNIT_CASE_PARAM(arm_smmu_v3_granule_dma, granule_gen_params),
	{}
};

static struct kunit_suite arm_smmu_v3_granule_suite = {
	.name = "arm-smmu-v3-granules",
	.test_cases = arm_smmu_v3_granule_cases,
};
kunit_test_suite(arm_smmu_v3_granule_suite);
