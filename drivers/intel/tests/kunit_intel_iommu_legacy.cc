// SPDX-License-Identifier: GPL-2.0
/*
 * intel-iommu in legacy mode: the driver against VT-d units without
 * scalable mode. "intel-iommu-legacy" boots the vtd-legacy platform (no
 * ECAP.SMTS, no ECAP.QI: register-based invalidation);
 * "intel-iommu-legacy-qi" the same unit with its invalidation queue
 * (ECAP.QI and the device-TLB back), so legacy mode with 128-bit
 * descriptors. Every context entry is read where the unit reads it, from
 * the root table RTADDR names; every stale-entry check is a check that a
 * flush is needed and enough.
 */
#include "kunit.h"

#include "drivers/intel/iommu.h"
#include "drivers/intel/model/vtd_model.h"
#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/platform/desc.h"
#include "harness/platform/platform.h"

#define IOAT_BDF "0000:00:03.0"
#define EDU_BDF "0000:00:05.0"
#define TEST_IOVA 0x200000UL

struct legacy_test {
	struct intel_iommu *iommu;
	struct vtd_model *model;
	void *pages;			/* two pages */
	phys_addr_t pa;
};

/*
 * vtd-legacy, with @qi the invalidation queue (and so the device-TLB) back.
 * Group numbers only grow within a process and another suite of this
 * binary booted a platform before: each suite's groups start at @group_base.
 */
static int legacy_boot(bool qi, int group_base)
{
	struct platform_desc desc;
	std::string err;
	int rc = platform_desc_load("vtd-legacy", &desc, &err);

	if (!rc) {
		if (qi)
			desc.iommus[0].caps["qi"] = 1;
		for (size_t i = 0; i < desc.devices.size(); i++)
			desc.devices[i].group = group_base + (int)i;
		rc = platform_boot(desc, &err);
	}
	if (rc)
		fprintf(stderr, "vtd-legacy%s: %s\n", qi ? " with QI" : "", err.c_str());
	return rc;
}

static int legacy_suite_init(struct kunit_suite *suite)
{
	return legacy_boot(false, 1 << 16);
}

static int legacy_qi_suite_init(struct kunit_suite *suite)
{
	return legacy_boot(true, 1 << 17);
}

static void legacy_suite_exit(struct kunit_suite *suite)
{
	platform_shutdown();
}

static void legacy_up(struct kunit *test, struct legacy_test *t)
{
	t->iommu = vtd_platform_iommu(platform_iommu_get(0));
	t->model = vtd_platform_model(platform_iommu_get(0));
	KUNIT_ASSERT_NOT_NULL(test, t->iommu);
	t->iommu->quiet_faults = true;
	t->pages = iommu_alloc_pages_sz(GFP_KERNEL, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, t->pages);
	t->pa = virt_to_phys(t->pages);
}

static void legacy_down(struct legacy_test *t)
{
	iommu_free_pages(t->pages);
}

/* The legacy context entry of @rid as the unit finds it: RTADDR, root entry, table */
static struct context_entry read_context(struct kunit *test, struct legacy_test *t, u16 rid)
{
	u64 rtaddr = readq((u8 __iomem *)t->iommu->reg + DMAR_RTADDR_REG);
	struct context_entry ce = {};
	u64 rte;

	KUNIT_EXPECT_EQ(test, FIELD_GET(DMA_RTADDR_TTM, rtaddr), DMA_RTADDR_TTM_LEGACY);
	rte = ((struct root_entry *)phys_to_virt(rtaddr & DMA_RTADDR_RTA))[rid >> 8].lo;
	if (rte & ROOT_ENTRY_P)
		ce = ((struct context_entry *)phys_to_virt(rte & ROOT_ENTRY_CTP))[rid & 0xff];
	return ce;
}

static struct platform_dev *legacy_dev(struct kunit *test, const char *bdf)
{
	struct platform_dev *pdev = platform_dev_by_bdf(bdf);

	KUNIT_EXPECT_NOT_NULL(test, pdev);
	return pdev;
}

/* The fault the unit recorded last (after the event thread has had it) */
static struct dmar_fault_info last_fault(struct legacy_test *t)
{
	struct dmar_fault_info f = {};
	unsigned long count;

	intel_iommu_drain_events(t->iommu);
	dmar_fault_log_get(t->iommu, &f, &count);
	return f;
}

/* A second-stage domain (legacy mode has no other) attached to @pdev's RID */
static struct iommu_domain *legacy_attach_paging(struct kunit *test, struct platform_dev *pdev)
{
	struct iommu_domain *domain = iommu_paging_domain_alloc_flags(pdev->dev, 0);

	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(domain));
	if (IS_ERR_OR_NULL(domain))
		return NULL;
	KUNIT_EXPECT_FALSE(test, to_dmar_domain(domain)->use_first_level);
	KUNIT_EXPECT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	return domain;
}

static void legacy_detach_free(struct platform_dev *pdev, struct iommu_domain *domain)
{
	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
}

/* ---- intel-iommu-legacy: no scalable mode, no queue ---- */

/* Bring-up: legacy root table, no queue, flushes through the registers */
static void legacy_probe_state(struct kunit *test)
{
	struct legacy_test t;
	u32 gsts;

	legacy_up(test, &t);
	KUNIT_EXPECT_FALSE(test, t.iommu->ecap & DMA_ECAP_SMTS);
	KUNIT_EXPECT_FALSE(test, t.iommu->ecap & DMA_ECAP_QI);
	KUNIT_EXPECT_FALSE(test, sm_supported(t.iommu));
	gsts = vtd_model_peek(t.model, DMAR_GSTS_REG);
	KUNIT_EXPECT_TRUE(test, gsts & DMA_GSTS_TES);
	KUNIT_EXPECT_TRUE(test, gsts & DMA_GSTS_RTPS);
	KUNIT_EXPECT_FALSE(test, gsts & DMA_GSTS_QIES);
	KUNIT_EXPECT_EQ(test, FIELD_GET(DMA_RTADDR_TTM, readq((u8 __iomem *)t.iommu->reg +
							       DMAR_RTADDR_REG)),
			DMA_RTADDR_TTM_LEGACY);
	KUNIT_EXPECT_NULL(test, t.iommu->qi);
	KUNIT_EXPECT_TRUE(test, t.iommu->flush.flush_context == __iommu_flush_context);
	KUNIT_EXPECT_TRUE(test, t.iommu->flush.flush_iotlb == __iommu_flush_iotlb);
	KUNIT_EXPECT_FALSE(test, t.iommu->prq_enabled);
	KUNIT_EXPECT_EQ(test, t.iommu->iommu.max_pasids, 0U);
	legacy_down(&t);
}

/*
 * A paging domain's context entry: present, faults reported, TT
 * multi-level, SLPTPTR the table's top, AW its AGAW, the domain's DID; the
 * blocked RID's entry is all zero and its DMA refused.
 */
static void legacy_context_entry_paging(struct kunit *test)
{
	struct legacy_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct pt_iommu_hw_info hw;
	struct context_entry ce;
	struct dmar_fault_info f;
	phys_addr_t pa = 0;

	legacy_up(test, &t);
	pdev = legacy_dev(test, IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	ce = read_context(test, &t, (u16)pdev->desc->rid);
	KUNIT_EXPECT_EQ(test, ce.lo, 0ULL);

	domain = legacy_attach_paging(test, pdev);
	KUNIT_ASSERT_NOT_NULL(test, domain);
	pt_iommu_hw_info(&to_dmar_domain(domain)->pt, &hw);
	ce = read_context(test, &t, (u16)pdev->desc->rid);
	KUNIT_EXPECT_TRUE(test, ce.lo & CONTEXT_LO_P);
	KUNIT_EXPECT_FALSE(test, ce.lo & CONTEXT_LO_FPD);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CONTEXT_LO_TT, ce.lo), CONTEXT_TT_MULTI_LEVEL);
	KUNIT_EXPECT_EQ(test, ce.lo & CONTEXT_LO_SLPTPTR, (u64)hw.top_paddr);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CONTEXT_HI_AW, ce.hi), (u64)to_dmar_domain(domain)->agaw);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CONTEXT_HI_AW, ce.hi), (u64)hw.top_level - 1);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CONTEXT_HI_DID, ce.hi),
			(u64)domain_id_iommu(to_dmar_domain(domain), t.iommu));
	KUNIT_EXPECT_GE(test, FIELD_GET(CONTEXT_HI_DID, ce.hi), (u64)IDA_START_DID);
	KUNIT_EXPECT_EQ(test, ce.lo & CONTEXT_LO_RES0, 0ULL);
	KUNIT_EXPECT_EQ(test, ce.hi & CONTEXT_HI_RES0, 0ULL);

	/* Mapped and translated; unmapped through the driver, refused (its flush) */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + 8, true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.pa + 8);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, TEST_IOVA, PAGE_SIZE), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + 8, true, &pa), PCI_DMA_UR);
	/* Recorded with the legacy reason (LGN.2) and the function's RID */
	f = last_fault(&t);
	KUNIT_EXPECT_EQ(test, f.reason, (u8)DMAR_FR_WRITE);
	KUNIT_EXPECT_EQ(test, f.source_id, (u16)pdev->desc->rid);
	KUNIT_EXPECT_EQ(test, f.addr, (u64)TEST_IOVA);
	KUNIT_EXPECT_FALSE(test, f.pasid_present);

	/* Mapped again and cached, then blocked: the entry goes, and with it the DMA */
	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.pa, PAGE_SIZE, IOMMU_READ,
					GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_OK);
	iommu_detach_device(domain, pdev->dev);
	ce = read_context(test, &t, (u16)pdev->desc->rid);
	KUNIT_EXPECT_EQ(test, ce.lo, 0ULL);
	KUNIT_EXPECT_EQ(test, ce.hi, 0ULL);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, last_fault(&t).reason, (u8)DMAR_FR_CONTEXT_ENTRY_P);
	KUNIT_EXPECT_EQ(test, cache_tag_count(to_dmar_domain(domain)), 0U);
	iommu_domain_free(domain);
	legacy_down(&t);
}

/* Identity: TT pass-through with the pass-through DID and the unit's largest AGAW */
static void legacy_context_entry_identity(struct kunit *test)
{
	struct legacy_test t;
	struct platform_dev *pdev;
	struct context_entry ce;
	phys_addr_t pa = 0;

	legacy_up(test, &t);
	pdev = legacy_dev(test, IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_TRUE(test, ecap_pass_through(t.iommu->ecap));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(intel_iommu_ops.identity_domain, pdev->dev), 0);
	ce = read_context(test, &t, (u16)pdev->desc->rid);
	KUNIT_EXPECT_TRUE(test, ce.lo & CONTEXT_LO_P);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CONTEXT_LO_TT, ce.lo), CONTEXT_TT_PASS_THROUGH);
	KUNIT_EXPECT_EQ(test, ce.lo & CONTEXT_LO_SLPTPTR, 0ULL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CONTEXT_HI_DID, ce.hi), (u64)FLPT_DEFAULT_DID);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CONTEXT_HI_AW, ce.hi), (u64)t.iommu->msagaw);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, t.pa, true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.pa);

	iommu_detach_device(intel_iommu_ops.identity_domain, pdev->dev);
	ce = read_context(test, &t, (u16)pdev->desc->rid);
	KUNIT_EXPECT_EQ(test, ce.lo, 0ULL);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, t.pa, true, &pa), PCI_DMA_UR);
	legacy_down(&t);
}

/* The second-stage leaf mapping @iova, read as the unit walks it (0 if none) */
static u64 ss_leaf(struct dmar_domain *domain, u64 iova)
{
	struct pt_iommu_hw_info hw;
	phys_addr_t table;

	pt_iommu_hw_info(&domain->pt, &hw);
	table = hw.top_paddr;
	for (int level = (int)hw.top_level;; level--) {
		unsigned int index = (iova >> (VTD_PAGE_SHIFT + 9 * level)) & 511;
		u64 pte = ((u64 *)phys_to_virt(table))[index];

		if (!(pte & (DMA_PTE_READ | DMA_PTE_WRITE)))
			return 0;
		if (!level || (pte & DMA_PTE_LARGE_PAGE))
			return pte;
		table = pte & GENMASK_ULL(51, VTD_PAGE_SHIFT);
	}
}

/*
 * Snooping forced without a PASID entry to carry PGSNP: SNP in every leaf
 * mapped afterwards, so only on a domain with nothing mapped yet.
 */
static void legacy_enforce_cache_coherency(struct kunit *test)
{
	struct legacy_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain, *mapped;
	phys_addr_t pa = 0;

	legacy_up(test, &t);
	pdev = legacy_dev(test, IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_TRUE(test, intel_iommu_ops.capable(pdev->dev,
							IOMMU_CAP_ENFORCE_CACHE_COHERENCY));

	mapped = iommu_paging_domain_alloc_flags(pdev->dev, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(mapped));
	KUNIT_ASSERT_EQ(test, iommu_map(mapped, TEST_IOVA, t.pa, PAGE_SIZE, IOMMU_READ,
					GFP_KERNEL), 0);
	KUNIT_EXPECT_FALSE(test, mapped->ops->enforce_cache_coherency(mapped));
	KUNIT_EXPECT_FALSE(test, ss_leaf(to_dmar_domain(mapped), TEST_IOVA) & DMA_PTE_SNP);
	iommu_domain_free(mapped);

	domain = iommu_paging_domain_alloc_flags(pdev->dev, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_EXPECT_TRUE(test, domain->ops->enforce_cache_coherency(domain));
	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.pa, PAGE_SIZE, IOMMU_READ,
					GFP_KERNEL), 0);
	KUNIT_EXPECT_TRUE(test, ss_leaf(to_dmar_domain(domain), TEST_IOVA) & DMA_PTE_SNP);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.pa);
	legacy_detach_free(pdev, domain);
	legacy_down(&t);
}

/* The IOTLB registers' upper half: IVT (bit 63) and IAIG (58:57) */
static u32 iotlb_reg_hi(struct legacy_test *t)
{
	return vtd_model_peek(t->model, ecap_iotlb_offset(t->iommu->ecap) + DMAR_IOTLB_OFFSET + 4);
}

/*
 * Register-based IOTLB invalidation at each granularity: a PTE cleared
 * without a flush still translates from the IOTLB; an invalidation of
 * another DID (or, page-selective, of another page) leaves it; the
 * page-, domain-selective or global one that covers it drops it, with IVT
 * back to 0 and IAIG as requested. Other pages stay mapped.
 */
static void legacy_register_iotlb_flush(struct kunit *test)
{
	static const u64 types[] = { DMA_TLB_PSI_FLUSH, DMA_TLB_DSI_FLUSH, DMA_TLB_GLOBAL_FLUSH };
	struct legacy_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct iommu_iotlb_gather gather;
	phys_addr_t pa = 0;
	u16 did;

	legacy_up(test, &t);
	pdev = legacy_dev(test, IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	domain = legacy_attach_paging(test, pdev);
	KUNIT_ASSERT_NOT_NULL(test, domain);
	did = domain_id_iommu(to_dmar_domain(domain), t.iommu);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.pa, 2 * PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);

	for (u64 type : types) {
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa),
				PCI_DMA_OK);
		/* The first page out of the table, no flush: the IOTLB still has it */
		iommu_iotlb_gather_init(&gather);
		KUNIT_EXPECT_EQ(test, domain->ops->unmap_pages(domain, TEST_IOVA, PAGE_SIZE, 1,
							       &gather),
				PAGE_SIZE);
		KUNIT_EXPECT_TRUE(test, list_empty(&gather.freelist));
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa),
				PCI_DMA_OK);
		KUNIT_EXPECT_EQ(test, pa, t.pa);

		/* Another DID's invalidation, or another page's: not this entry */
		if (type != DMA_TLB_GLOBAL_FLUSH) {
			__iommu_flush_iotlb(t.iommu, did + 1, TEST_IOVA, 0, type);
			KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa),
					PCI_DMA_OK);
		}
		if (type == DMA_TLB_PSI_FLUSH) {
			__iommu_flush_iotlb(t.iommu, did, TEST_IOVA + 64 * PAGE_SIZE, 0, type);
			KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa),
					PCI_DMA_OK);
		}

		__iommu_flush_iotlb(t.iommu, did, TEST_IOVA, 0, type);
		KUNIT_EXPECT_FALSE(test, iotlb_reg_hi(&t) & (DMA_TLB_IVT >> 32));
		KUNIT_EXPECT_EQ(test, DMA_TLB_IAIG((u64)iotlb_reg_hi(&t) << 32),
				DMA_TLB_IIRG(type));
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa),
				PCI_DMA_UR);
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + PAGE_SIZE, true,
							     &pa),
				PCI_DMA_OK);
		KUNIT_EXPECT_EQ(test, pa, t.pa + PAGE_SIZE);
		KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.pa, PAGE_SIZE,
						IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	}

	/*
	 * Page 0, one page: the IVA value is 0, and still written (IVA holds
	 * the previous page-selective request's address otherwise)
	 */
	__iommu_flush_iotlb(t.iommu, did, TEST_IOVA, 0, DMA_TLB_PSI_FLUSH);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, 0, t.pa, PAGE_SIZE, IOMMU_READ, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, 0, false, &pa), PCI_DMA_OK);
	iommu_iotlb_gather_init(&gather);
	KUNIT_EXPECT_EQ(test, domain->ops->unmap_pages(domain, 0, PAGE_SIZE, 1, &gather),
			PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, 0, false, &pa), PCI_DMA_OK);
	__iommu_flush_iotlb(t.iommu, did, 0, 0, DMA_TLB_PSI_FLUSH);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, 0, false, &pa), PCI_DMA_UR);
	pt_iommu_put_pages_list(&gather.freelist);
	legacy_detach_free(pdev, domain);
	legacy_down(&t);
}

/*
 * Register-based context-cache invalidation, at each granularity: a
 * context entry made not present in memory without a flush is still used
 * from the context cache; an invalidation of another requester or domain
 * leaves it; the right one (device, domain or global) drops it, CCMD's ICC
 * reads 0 and CAIG says the granularity done, and the DMA faults. Present
 * again, the entry is read afresh.
 */
static void legacy_register_context_flush(struct kunit *test)
{
	static const u64 types[] = { DMA_CCMD_DEVICE_INVL, DMA_CCMD_DOMAIN_INVL,
				     DMA_CCMD_GLOBAL_INVL };
	struct legacy_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct context_entry *context;
	phys_addr_t pa = 0;
	u16 rid, did;

	legacy_up(test, &t);
	pdev = legacy_dev(test, IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	rid = (u16)pdev->desc->rid;
	domain = legacy_attach_paging(test, pdev);
	KUNIT_ASSERT_NOT_NULL(test, domain);
	did = domain_id_iommu(to_dmar_domain(domain), t.iommu);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.pa, PAGE_SIZE, IOMMU_READ,
					GFP_KERNEL), 0);
	{
		guard(spinlock)(&t.iommu->lock);
		context = iommu_context_addr(t.iommu, rid >> 8, rid & 0xff, false);
	}
	KUNIT_ASSERT_NOT_NULL(test, context);

	for (u64 type : types) {
		u32 ccmd_hi;

		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa),
				PCI_DMA_OK);
		{
			guard(spinlock)(&t.iommu->lock);
			__atomic_store_n(&context->lo, context->lo & ~CONTEXT_LO_P,
					 __ATOMIC_RELEASE);
		}
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa),
				PCI_DMA_OK);
		if (type != DMA_CCMD_GLOBAL_INVL) {
			__iommu_flush_context(t.iommu, did + 1, rid + 1, DMA_CCMD_MASK_NOBIT, type);
			KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa),
					PCI_DMA_OK);
		}
		__iommu_flush_context(t.iommu, did, rid, DMA_CCMD_MASK_NOBIT, type);
		ccmd_hi = vtd_model_peek(t.model, DMAR_CCMD_REG + 4);
		KUNIT_EXPECT_FALSE(test, ccmd_hi & (u32)(DMA_CCMD_ICC >> 32));
		KUNIT_EXPECT_EQ(test, FIELD_GET(DMA_CCMD_CAIG, (u64)ccmd_hi << 32),
				type >> DMA_CCMD_INVL_GRANU_OFFSET);
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa),
				PCI_DMA_UR);
		{
			guard(spinlock)(&t.iommu->lock);
			__atomic_store_n(&context->lo, context->lo | CONTEXT_LO_P,
					 __ATOMIC_RELEASE);
		}
	}
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_OK);
	legacy_detach_free(pdev, domain);
	legacy_down(&t);
}

static int legacy_iopf_handler(struct iopf_group *group)
{
	return -EOPNOTSUPP;
}

/*
 * What legacy mode cannot do, refused with upstream's errnos: nesting,
 * dirty tracking, PASIDs, I/O page faults. A plain second-stage domain is
 * still there, with the PASID flag too (it only constrains the domain).
 */
static void legacy_refusals(struct kunit *test)
{
	struct legacy_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain, *pasid_domain;
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x1000, .addr_width = 48 };
	struct iommu_user_data data = {
		.type = IOMMU_HWPT_DATA_VTD_S1,
		.uptr = &s1,
		.len = sizeof(s1),
	};
	struct iommu_attach_handle handle = {};

	legacy_up(test, &t);
	pdev = legacy_dev(test, EDU_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);

	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), -EOPNOTSUPP);
	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	KUNIT_EXPECT_EQ(test, PTR_ERR(domain), -EOPNOTSUPP);
	KUNIT_EXPECT_FALSE(test, intel_iommu_ops.capable(pdev->dev, IOMMU_CAP_DIRTY_TRACKING));
	KUNIT_EXPECT_FALSE(test, intel_iommu_ops.capable(pdev->dev, IOMMU_CAP_PCI_ATS_SUPPORTED));

	domain = iommu_paging_domain_alloc_flags(pdev->dev, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	/* A nested domain on it: no ECAP.NEST */
	KUNIT_EXPECT_EQ(test, PTR_ERR(intel_iommu_domain_alloc_nested(pdev->dev, domain, 0, &data)),
			-EOPNOTSUPP);

	/* PASIDs: none on the device, and the driver refuses them itself */
	KUNIT_EXPECT_EQ(test, dev_iommu_max_pasids(pdev->dev), 0U);
	KUNIT_EXPECT_FALSE(test, dev_to_info(pdev->dev)->pasid_supported);
	KUNIT_EXPECT_EQ(test, iommu_attach_device_pasid(domain, pdev->dev, 1, &handle), -EINVAL);
	KUNIT_EXPECT_EQ(test, domain->ops->set_dev_pasid(domain, pdev->dev, 1, NULL), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test,
			intel_iommu_ops.identity_domain->ops->set_dev_pasid(
				intel_iommu_ops.identity_domain, pdev->dev, 1, NULL),
			-EOPNOTSUPP);
	pasid_domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(pasid_domain));
	if (!IS_ERR_OR_NULL(pasid_domain))
		iommu_domain_free(pasid_domain);

	/* Page requests: no PRI without ECAP.PRS, so no fault handler either */
	KUNIT_EXPECT_FALSE(test, dev_to_info(pdev->dev)->pri_supported);
	KUNIT_EXPECT_FALSE(test, dev_to_info(pdev->dev)->ats_supported);
	domain->iopf_handler = legacy_iopf_handler;
	KUNIT_EXPECT_EQ(test, iopf_for_domain_set(domain, pdev->dev), -ENODEV);
	domain->iopf_handler = NULL;
	iommu_domain_free(domain);
	legacy_down(&t);
}

static struct kunit_case intel_iommu_legacy_cases[] = {
	KUNIT_CASE(legacy_probe_state),
	KUNIT_CASE(legacy_context_entry_paging),
	KUNIT_CASE(legacy_context_entry_identity),
	KUNIT_CASE(legacy_enforce_cache_coherency),
	KUNIT_CASE(legacy_register_iotlb_flush),
	KUNIT_CASE(legacy_register_context_flush),
	KUNIT_CASE(legacy_refusals),
	{},
};

static struct kunit_suite intel_iommu_legacy_suite = {
	.name = "intel-iommu-legacy",
	.suite_init = legacy_suite_init,
	.suite_exit = legacy_suite_exit,
	.test_cases = intel_iommu_legacy_cases,
};
kunit_test_suite(intel_iommu_legacy_suite);

/* ---- intel-iommu-legacy-qi: no scalable mode, with the queue ---- */

/* Legacy mode with QI: 128-bit descriptors, the queue's flushes */
static void legacy_qi_probe_state(struct kunit *test)
{
	struct legacy_test t;

	legacy_up(test, &t);
	KUNIT_EXPECT_FALSE(test, sm_supported(t.iommu));
	KUNIT_EXPECT_TRUE(test, vtd_model_peek(t.model, DMAR_GSTS_REG) & DMA_GSTS_QIES);
	KUNIT_EXPECT_FALSE(test, readq((u8 __iomem *)t.iommu->reg + DMAR_IQA_REG) & DMA_IQA_DW);
	KUNIT_EXPECT_NOT_NULL(test, t.iommu->qi);
	KUNIT_EXPECT_TRUE(test, t.iommu->flush.flush_context == qi_flush_context);
	KUNIT_EXPECT_TRUE(test, t.iommu->flush.flush_iotlb == qi_flush_iotlb);
	legacy_down(&t);
}

/*
 * The edu function with ATS: TT device-TLB in its context entry, DMA
 * through its device-TLB; an unmap drops both the IOTLB and the device-TLB
 * entry (IOTLB and device-TLB descriptors), blocking the context entry.
 */
static void legacy_qi_devtlb(struct kunit *test)
{
	struct legacy_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct context_entry ce;
	struct vtd_model_stats before, after;
	phys_addr_t pa = 0;

	legacy_up(test, &t);
	pdev = legacy_dev(test, EDU_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_TRUE(test, dev_to_info(pdev->dev)->ats_enabled);
	domain = legacy_attach_paging(test, pdev);
	KUNIT_ASSERT_NOT_NULL(test, domain);
	ce = read_context(test, &t, (u16)pdev->desc->rid);
	KUNIT_EXPECT_EQ(test, FIELD_GET(CONTEXT_LO_TT, ce.lo), CONTEXT_TT_DEV_IOTLB);

	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.pa);
	vtd_model_get_stats(t.model, &before);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa), PCI_DMA_OK);
	vtd_model_get_stats(t.model, &after);
	KUNIT_EXPECT_EQ(test, after.devtlb_hits, before.devtlb_hits + 1);

	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, TEST_IOVA, PAGE_SIZE), PAGE_SIZE);
	vtd_model_get_stats(t.model, &after);
	KUNIT_EXPECT_GT(test, after.descs, before.descs);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa), PCI_DMA_UR);

	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.pa, PAGE_SIZE, IOMMU_READ,
					GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_OK);
	legacy_detach_free(pdev, domain);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_UR);
	legacy_down(&t);
}

static struct kunit_case intel_iommu_legacy_qi_cases[] = {
	KUNIT_CASE(legacy_qi_probe_state),
	KUNIT_CASE(legacy_qi_devtlb),
	{},
};

static struct kunit_suite intel_iommu_legacy_qi_suite = {
	.name = "intel-iommu-legacy-qi",
	.suite_init = legacy_qi_suite_init,
	.suite_exit = legacy_suite_exit,
	.test_cases = intel_iommu_legacy_qi_cases,
};
kunit_test_suite(intel_iommu_legacy_qi_suite);
