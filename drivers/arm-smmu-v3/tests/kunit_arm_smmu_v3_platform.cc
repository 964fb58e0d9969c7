// SPDX-License-Identifier: GPL-2.0
/*
 * arm-smmu-v3-platform: the driver's domains on the "smmuv3" platform,
 * device DMA answered by the model. Each case boots the embedded smmuv3
 * platform, attaches domains through the IOMMU core as iommufd would, and
 * asks the function's DMA port what its accesses reach: so a map must be
 * visible, an unmap must be invisible (the model keeps a TLB or ATC entry
 * until the driver's TLBI/ATC_INV removes it), and a refused access must
 * leave its record on the SMMU's event queue.
 */
#include "kunit.h"

#include "drivers/arm-smmu-v3/arm-smmu-v3.h"
#include "drivers/arm-smmu-v3/model/smmu_model.h"
#include "drivers/arm-smmu-v3/tests/smmuv3_vmm.h"
#include "harness/fault_inject.h"
#include "harness/physmem.h"
#include "harness/platform/pci_pri.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"

#include <mutex>
#include <sys/mman.h>
#include <vector>

#define IOAT_BDF "0000:00:03.0"
#define EDU_BDF "0000:00:05.0"
#define TEST_IOVA 0x100000UL

struct smmuv3_platform_test {
	struct arm_smmu_device *smmu;
	struct smmuv3_model *model;
	void *page;
	phys_addr_t page_pa;
};

/*
 * The platform boots once for the suite: group numbers are handed out
 * once per process, as on a machine that boots once.
 */
static int arm_smmu_v3_platform_suite_init(struct kunit_suite *suite)
{
	std::string err;
	int rc = platform_boot_named("smmuv3", &err);

	if (rc)
		fprintf(stderr, "smmuv3 platform: %s\n", err.c_str());
	return rc;
}

static void arm_smmu_v3_platform_suite_exit(struct kunit_suite *suite)
{
	platform_shutdown();
}

static void smmuv3_platform_up(struct kunit *test, struct smmuv3_platform_test *t)
{
	t->smmu = smmuv3_platform_smmu(platform_iommu_get(0));
	t->model = smmuv3_platform_model(platform_iommu_get(0));
	KUNIT_ASSERT_NOT_NULL(test, t->smmu);
	t->smmu->quiet_events = true;
	t->page = iommu_alloc_pages_sz(GFP_KERNEL, PAGE_SIZE);
	t->page_pa = virt_to_phys(t->page);
}

static void smmuv3_platform_down(struct smmuv3_platform_test *t)
{
	iommu_free_pages(t->page);
}

static void check_map_unmap(struct kunit *test, struct smmuv3_platform_test *t,
			    struct platform_dev *pdev, struct iommu_domain *domain)
{
	phys_addr_t pa = 0;

	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t->page_pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + 0x10, true, &pa), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t->page_pa + 0x10);

	/* Cached now: only the driver's invalidation can make the unmap visible */
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, TEST_IOVA, PAGE_SIZE), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + 0x10, true, &pa), PCI_DMA_UR);
}

static void arm_smmu_v3_platform_s1_dma(struct kunit *test)
{
	struct smmuv3_platform_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	phys_addr_t pa;

	smmuv3_platform_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);

	/* Nothing attached: the blocked domain's abort STE */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_UR);

	domain = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_EXPECT_EQ(test, to_smmu_domain(domain)->stage, ARM_SMMU_DOMAIN_S1);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	check_map_unmap(test, &t, pdev, domain);

	/* The refused access left an F_TRANSLATION naming the function's StreamID */
	arm_smmu_drain_queues(t.smmu);
	KUNIT_EXPECT_GT(test, t.smmu->nr_events.load(), 0UL);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_ID, t.smmu->last_evt[0]),
			(u64)EVT_ID_TRANSLATION_FAULT);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_SID, t.smmu->last_evt[0]),
			(u64)pdev->desc->stream_id);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_2_ADDR, t.smmu->last_evt[2]), TEST_IOVA + 0x10);

	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	smmuv3_platform_down(&t);
}

static void arm_smmu_v3_platform_s2_dma(struct kunit *test)
{
	struct smmuv3_platform_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;

	smmuv3_platform_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);

	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_NEST_PARENT);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_EXPECT_EQ(test, to_smmu_domain(domain)->stage, ARM_SMMU_DOMAIN_S2);
	KUNIT_EXPECT_NE(test, to_smmu_domain(domain)->s2_cfg.vmid, 0);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	check_map_unmap(test, &t, pdev, domain);

	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	smmuv3_platform_down(&t);
}

/* Unmapping more than one TLBI's worth in one go: range commands (RIL) */
static void arm_smmu_v3_platform_range_unmap(struct kunit *test)
{
	struct smmuv3_platform_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	const unsigned long n = 37;
	phys_addr_t pa;
	void *buf;

	smmuv3_platform_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	domain = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);

	buf = iommu_alloc_pages_sz(GFP_KERNEL, 64 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, virt_to_phys(buf), n * PAGE_SIZE,
					IOMMU_READ, GFP_KERNEL), 0);
	for (unsigned long i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + i * PAGE_SIZE, false, &pa),
				PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, TEST_IOVA, n * PAGE_SIZE), n * PAGE_SIZE);
	for (unsigned long i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + i * PAGE_SIZE, false, &pa),
				PCI_DMA_UR);

	/* The same without range invalidation: one TLBI per page */
	t.smmu->features &= ~ARM_SMMU_FEAT_RANGE_INV;
	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, virt_to_phys(buf), n * PAGE_SIZE,
					IOMMU_READ, GFP_KERNEL), 0);
	for (unsigned long i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + i * PAGE_SIZE, false, &pa),
				PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, TEST_IOVA, n * PAGE_SIZE), n * PAGE_SIZE);
	for (unsigned long i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + i * PAGE_SIZE, false, &pa),
				PCI_DMA_UR);
	t.smmu->features |= ARM_SMMU_FEAT_RANGE_INV;

	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	iommu_free_pages(buf);
	smmuv3_platform_down(&t);
}

/* The edu function has PASID and ATS: a PASID domain, through the endpoint's ATC */
static void arm_smmu_v3_platform_pasid_ats(struct kunit *test)
{
	struct smmuv3_platform_test t;
	struct platform_dev *pdev;
	struct iommu_domain *rid, *pasid_domain;
	struct iommu_attach_handle handle = {};
	struct smmuv3_model_stats st;
	phys_addr_t pa = 0;

	smmuv3_platform_up(test, &t);
	pdev = platform_dev_by_bdf(EDU_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);

	rid = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(rid));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(rid, pdev->dev), 0);
	KUNIT_EXPECT_TRUE(test, arm_smmu_master_of(pdev->dev)->ats_enabled);

	pasid_domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pasid_domain));
	KUNIT_ASSERT_EQ(test, iommu_attach_device_pasid(pasid_domain, pdev->dev, 7, &handle), 0);

	KUNIT_ASSERT_EQ(test, iommu_map(pasid_domain, TEST_IOVA, t.page_pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	/* Tagged with PASID 7 it translates; untagged it meets the RID's empty table */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 7, true), PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, pa, t.page_pa);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa), PCI_DMA_UR);
	smmuv3_model_get_stats(t.model, &st);
	KUNIT_EXPECT_GT(test, st.atc_entries, 0U);

	/* The ATC entry goes with the unmap's ATC_INV */
	KUNIT_EXPECT_EQ(test, iommu_unmap(pasid_domain, TEST_IOVA, PAGE_SIZE), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, true, &pa, 7, true), PCI_DMA_UR);

	iommu_detach_device_pasid(pasid_domain, pdev->dev, 7);
	iommu_domain_free(pasid_domain);
	iommu_detach_device(rid, pdev->dev);
	iommu_domain_free(rid);
	smmuv3_platform_down(&t);
}

/*
 * Dirty tracking: a stage-1 domain with DBM leaves and CD.HA/HD; a device
 * write through it makes the leaf dirty (the SMMU's HTTU), which
 * read_and_clear_dirty() reports once and then clears.
 */
static void arm_smmu_v3_platform_dirty(struct kunit *test)
{
	struct smmuv3_platform_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap dirty;
	phys_addr_t pa;

	smmuv3_platform_up(test, &t);
	pdev = platform_dev_by_bdf(IOAT_BDF);
	KUNIT_EXPECT_TRUE(test, device_iommu_capable(pdev->dev, IOMMU_CAP_DIRTY_TRACKING));
	domain = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_ASSERT_NOT_NULL(test, domain->dirty_ops);
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);
	KUNIT_ASSERT_EQ(test, iommu_map(domain, TEST_IOVA, t.page_pa, PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);

	/*
	 * A new writable leaf starts dirty (as io-pgtable-arm's DBM leaves
	 * do): the first harvest takes that, and flushes what the SMMU cached.
	 */
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_EXPECT_EQ(test, domain->dirty_ops->read_and_clear_dirty(domain, TEST_IOVA, PAGE_SIZE,
								      0, &dirty), 0);
	iommu_iotlb_sync(domain, &gather);
	/* A read leaves it clean */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA, false, &pa), PCI_DMA_OK);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_EXPECT_EQ(test, domain->dirty_ops->read_and_clear_dirty(domain, TEST_IOVA, PAGE_SIZE,
								      0, &dirty), 0);
	KUNIT_EXPECT_EQ(test, gather.end, 0UL);

	/* A write makes it dirty, reported once */
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + 8, true, &pa), PCI_DMA_OK);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_EXPECT_EQ(test, domain->dirty_ops->read_and_clear_dirty(domain, TEST_IOVA, PAGE_SIZE,
								      0, &dirty), 0);
	KUNIT_EXPECT_EQ(test, gather.start, TEST_IOVA);
	KUNIT_EXPECT_EQ(test, gather.end, TEST_IOVA + PAGE_SIZE - 1);
	iommu_iotlb_sync(domain, &gather);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	KUNIT_EXPECT_EQ(test, domain->dirty_ops->read_and_clear_dirty(domain, TEST_IOVA, PAGE_SIZE,
								      0, &dirty), 0);
	KUNIT_EXPECT_EQ(test, gather.end, 0UL);

	KUNIT_EXPECT_EQ(test, iommu_unmap(domain, TEST_IOVA, PAGE_SIZE), PAGE_SIZE);
	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	smmuv3_platform_down(&t);
}

/*
 * Every allocation on the way from a new domain to a PASID attach and a
 * mapping fails once, in turn (fail-nth): each failure is a clean error,
 * and nothing is left behind (the case's leak check).
 */
static void arm_smmu_v3_platform_fail_nth(struct kunit *test)
{
	struct smmuv3_platform_test t;
	struct platform_dev *pdev;
	unsigned int n;
	bool done = false;

	smmuv3_platform_up(test, &t);
	pdev = platform_dev_by_bdf(EDU_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);

	for (n = 1; n < 500 && !done; n++) {
		struct iommu_attach_handle handle = {};
		struct iommu_domain *rid, *pd = NULL;
		bool attached;
		int rc;

		fail_nth_write(n);
		rid = iommu_paging_domain_alloc(pdev->dev);
		if (IS_ERR(rid)) {
			fail_nth_write(0);
			continue;
		}
		rc = iommu_attach_device(rid, pdev->dev);
		attached = !rc;
		if (rc)
			KUNIT_EXPECT_EQ(test, rc, -ENOMEM);
		if (attached) {
			pd = iommu_paging_domain_alloc_flags(pdev->dev, IOMMU_HWPT_ALLOC_PASID);
			if (IS_ERR(pd))
				pd = NULL;
		}
		if (pd) {
			rc = iommu_attach_device_pasid(pd, pdev->dev, 3, &handle);
			if (!rc) {
				rc = iommu_map(pd, TEST_IOVA, t.page_pa, PAGE_SIZE, IOMMU_READ,
					       GFP_KERNEL);
				/* Nothing failed this round: every point has had its turn */
				done = !rc && fail_nth_read();
				if (!rc)
					KUNIT_EXPECT_EQ(test, iommu_unmap(pd, TEST_IOVA, PAGE_SIZE),
							PAGE_SIZE);
				else
					KUNIT_EXPECT_TRUE(test, rc == -ENOMEM || rc == -EINVAL);
				iommu_detach_device_pasid(pd, pdev->dev, 3);
			} else {
				KUNIT_EXPECT_EQ(test, rc, -ENOMEM);
			}
			iommu_domain_free(pd);
		}
		fail_nth_write(0);
		if (attached)
			iommu_detach_device(rid, pdev->dev);
		iommu_domain_free(rid);
	}
	KUNIT_EXPECT_TRUE(test, done);
	/* Domains, ASIDs, CD tables, the attach records: several points were hit */
	KUNIT_EXPECT_GT(test, n, 5U);
	smmuv3_platform_down(&t);
}

/* What the PRI function is told, in order */
static std::mutex pri_msgs_lock;
static std::vector<struct pci_pri_msg> pri_msgs;

static void pri_record(struct pci_func *f, const struct pci_pri_msg *msg)
{
	std::lock_guard<std::mutex> l(pri_msgs_lock);

	pri_msgs.push_back(*msg);
}

/*
 * A refused access of the edu function with PRI enabled: its Page Request
 * goes through the PRI queue to the driver and the IOMMU layer; nothing
 * takes page faults on a plain domain, so the answer is Invalid, sent as a
 * PRI_RESP and delivered to the function for the group it asked about.
 * (Last case: the function keeps the recording receiver.)
 */
static void arm_smmu_v3_platform_pri_denied(struct kunit *test)
{
	struct smmuv3_platform_test t;
	struct platform_dev *pdev;
	struct iommu_domain *domain;
	unsigned long ppr_before;
	phys_addr_t pa;

	smmuv3_platform_up(test, &t);
	pdev = platform_dev_by_bdf(EDU_BDF);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_NE(test, pdev->func->pri_ecap, 0);
	pci_pri_set_receiver(pdev->func, pri_record);
	pci_cfg_write(pdev->func, pdev->func->pri_ecap + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE, 2);

	domain = iommu_paging_domain_alloc(pdev->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(domain));
	KUNIT_ASSERT_EQ(test, iommu_attach_device(domain, pdev->dev), 0);

	ppr_before = t.smmu->nr_ppr.load();
	KUNIT_EXPECT_EQ(test, platform_dev_translate(pdev, TEST_IOVA + 0x123, true, &pa), PCI_DMA_UR);
	arm_smmu_drain_queues(t.smmu);
	KUNIT_EXPECT_EQ(test, t.smmu->nr_ppr.load(), ppr_before + 1);
	{
		std::lock_guard<std::mutex> l(pri_msgs_lock);

		KUNIT_ASSERT_EQ(test, pri_msgs.size(), 2UL);
		KUNIT_EXPECT_EQ(test, pri_msgs[0].type, PCI_PRI_PAGE_REQUEST);
		KUNIT_EXPECT_EQ(test, pri_msgs[0].addr, TEST_IOVA);
		KUNIT_EXPECT_TRUE(test, pri_msgs[0].write);
		KUNIT_EXPECT_EQ(test, pri_msgs[1].type, PCI_PRI_PRG_RESPONSE);
		KUNIT_EXPECT_EQ(test, pri_msgs[1].prg_index, pri_msgs[0].prg_index);
		KUNIT_EXPECT_EQ(test, pri_msgs[1].code, PCI_PRG_RESP_INVALID);
		pri_msgs.clear();
	}

	pci_cfg_write(pdev->func, pdev->func->pri_ecap + PCI_PRI_CTRL, 0, 2);
	iommu_detach_device(domain, pdev->dev);
	iommu_domain_free(domain);
	smmuv3_platform_down(&t);
}

/* Guest memory the IOAS does not map: stage 2 has nothing there */
#define OUTSIDE_S2 (SMMUV3_VMM_GPA + (1ULL << 30))

/* The guest's invalidation after it rewrites its CD or tables: CFGI_CD_ALL, TLBI_NH_ALL */
static int guest_invalidate_all(struct inproc_vmm *v)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmds[2] = {};

	cmds[0].cmd[0] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_CD_ALL) |
			 FIELD_PREP(CMDQ_CFGI_0_SID, SMMUV3_VMM_VSID);
	cmds[1].cmd[0] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ALL);
	return smmuv3_vmm_invalidate(v, v->viommu, cmds, 2, NULL);
}

/*
 * The guest's first page is refused; the SMMU's record of it is a stage-2
 * fault of @cls at @ipa, which stays with the host: a guest cannot be
 * told about its own stage 2 (the vEVENTQ stays empty).
 */
static void expect_s2_fault(struct kunit *test, struct smmuv3_platform_test *t,
			    struct inproc_vmm *v, u64 cls, u64 ipa)
{
	struct iommu_vevent_arm_smmuv3 rec[2];
	unsigned long before = t->smmu->nr_events.load();
	phys_addr_t pa;

	KUNIT_EXPECT_NE(test, platform_dev_translate(v->pdev, SMMUV3_VMM_GVA, false, &pa),
			PCI_DMA_OK);
	arm_smmu_drain_queues(t->smmu);
	KUNIT_EXPECT_GT(test, t->smmu->nr_events.load(), before);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_ID, t->smmu->last_evt[0]),
			(u64)EVT_ID_TRANSLATION_FAULT);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_SID, t->smmu->last_evt[0]),
			(u64)v->pdev->desc->stream_id);
	KUNIT_EXPECT_TRUE(test, t->smmu->last_evt[1] & EVTQ_1_S2);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_1_CLASS, t->smmu->last_evt[1]), cls);
	KUNIT_EXPECT_EQ(test, t->smmu->last_evt[3] & EVTQ_3_IPA, ipa & EVTQ_3_IPA);
	KUNIT_EXPECT_EQ(test, iommufd_read(v->veventq_fd, rec, sizeof(rec)), 0L);
}

/* A C_BAD_CD: the guest's own configuration error, on its vEVENTQ with its vSID */
static void expect_guest_bad_cd(struct kunit *test, struct smmuv3_platform_test *t,
				struct inproc_vmm *v)
{
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_vevent_arm_smmuv3 vevt;
	} rec;
	phys_addr_t pa;

	KUNIT_ASSERT_EQ(test, guest_invalidate_all(v), 0);
	KUNIT_EXPECT_NE(test, platform_dev_translate(v->pdev, SMMUV3_VMM_GVA, false, &pa),
			PCI_DMA_OK);
	arm_smmu_drain_queues(t->smmu);
	KUNIT_ASSERT_EQ(test, iommufd_read(v->veventq_fd, &rec, sizeof(rec)), (long)sizeof(rec));
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_ID, le64_to_cpu(rec.vevt.evt[0])),
			(u64)EVT_ID_BAD_CD_CONFIG);
	KUNIT_EXPECT_EQ(test, FIELD_GET(EVTQ_0_SID, le64_to_cpu(rec.vevt.evt[0])),
			(u64)SMMUV3_VMM_VSID);
}

/*
 * A hostile guest's STE, CD and tables through the iommufd nesting uAPI
 * (the VMM's objects made as smmuv3_dma.c makes them): a CD table, a
 * stage-1 table or an output address at an IPA its stage 2 does not map
 * is refused with a stage-2 F_TRANSLATION of class CD, TT or IN naming that
 * IPA (the model never reads what stage 2 does not map: its own suite
 * checks that), kept from the guest; a CD the guest got wrong (V clear,
 * T0SZ out of range) is a C_BAD_CD delivered to the guest with its vSID.
 */
static void arm_smmu_v3_platform_guest_tables_hostile(struct kunit *test)
{
	const size_t guest_size = 2UL << 20;
	struct smmuv3_platform_test t;
	struct iommu_hwpt_arm_smmuv3 vste = smmuv3_vmm_s1_vste();
	struct inproc_vmm v;
	u64 *pg, *cd, *l3, leaf;
	u32 good, bad_ptr;
	phys_addr_t pa;
	void *guest;

	smmuv3_platform_up(test, &t);
	guest = mmap(NULL, guest_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	KUNIT_ASSERT_NE(test, guest, MAP_FAILED);
	smmuv3_vmm_guest_s1(guest, 1);
	pg = (u64 *)guest;
	cd = pg + SMMUV3_VMM_PG_CD * 512;
	l3 = pg + SMMUV3_VMM_PG_L3 * 512;
	leaf = l3[0];

	KUNIT_ASSERT_EQ(test, smmuv3_vmm_open(&v, guest, guest_size), 0);
	KUNIT_ASSERT_EQ(test, inproc_vmm_viommu(&v, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &v.viommu), 0);
	KUNIT_ASSERT_EQ(test, inproc_vmm_vdevice(&v, v.viommu, SMMUV3_VMM_VSID, &v.vdev), 0);
	KUNIT_ASSERT_EQ(test, inproc_vmm_veventq(&v, v.viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3), 0);
	KUNIT_ASSERT_EQ(test, smmuv3_vmm_nested(&v, v.viommu, &vste, &good), 0);
	KUNIT_ASSERT_EQ(test, inproc_vmm_attach(&v, good), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(v.pdev, SMMUV3_VMM_GVA, false, &pa),
			PCI_DMA_OK);

	/* The vSTE's CD table pointer outside stage 2 */
	vste.ste[0] = (vste.ste[0] & ~STRTAB_STE_0_S1CTXPTR_MASK) |
		      (OUTSIDE_S2 & STRTAB_STE_0_S1CTXPTR_MASK);
	KUNIT_ASSERT_EQ(test, smmuv3_vmm_nested(&v, v.viommu, &vste, &bad_ptr), 0);
	KUNIT_ASSERT_EQ(test, iommufd_device_replace(v.idev, IOMMU_NO_PASID, &bad_ptr), 0);
	expect_s2_fault(test, &t, &v, EVTQ_1_CLASS_CD, OUTSIDE_S2);
	KUNIT_ASSERT_EQ(test, iommufd_device_replace(v.idev, IOMMU_NO_PASID, &good), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(v.pdev, SMMUV3_VMM_GVA, false, &pa),
			PCI_DMA_OK);

	/* The CD's TTB0 outside stage 2 */
	cd[1] = OUTSIDE_S2 & CTXDESC_CD_1_TTB0_MASK;
	KUNIT_ASSERT_EQ(test, guest_invalidate_all(&v), 0);
	expect_s2_fault(test, &t, &v, EVTQ_1_CLASS_TT, OUTSIDE_S2);
	cd[1] = smmuv3_vmm_gpa(SMMUV3_VMM_PG_L0) & CTXDESC_CD_1_TTB0_MASK;

	/* A stage-1 leaf whose output stage 2 does not map */
	l3[0] = leaf - smmuv3_vmm_gpa(SMMUV3_VMM_PG_DATA) + OUTSIDE_S2;
	KUNIT_ASSERT_EQ(test, guest_invalidate_all(&v), 0);
	expect_s2_fault(test, &t, &v, EVTQ_1_CLASS_IN, OUTSIDE_S2);
	l3[0] = leaf;
	KUNIT_ASSERT_EQ(test, guest_invalidate_all(&v), 0);
	KUNIT_EXPECT_EQ(test, platform_dev_translate(v.pdev, SMMUV3_VMM_GVA, false, &pa),
			PCI_DMA_OK);

	/* The guest's own CD errors */
	cd[0] &= ~CTXDESC_CD_0_V;
	expect_guest_bad_cd(test, &t, &v);
	cd[0] |= CTXDESC_CD_0_V;
	cd[0] &= ~CTXDESC_CD_0_TCR_T0SZ;
	expect_guest_bad_cd(test, &t, &v);

	inproc_vmm_close(&v);
	munmap(guest, guest_size);
	smmuv3_platform_down(&t);
}

static struct kunit_case arm_smmu_v3_platform_cases[] = {
	KUNIT_CASE(arm_smmu_v3_platform_s1_dma),
	KUNIT_CASE(arm_smmu_v3_platform_s2_dma),
	KUNIT_CASE(arm_smmu_v3_platform_range_unmap),
	KUNIT_CASE(arm_smmu_v3_platform_pasid_ats),
	KUNIT_CASE(arm_smmu_v3_platform_dirty),
	KUNIT_CASE(arm_smmu_v3_platform_fail_nth),
	KUNIT_CASE(arm_smmu_v3_platform_guest_tables_hostile),
	KUNIT_CASE(arm_smmu_v3_platform_pri_denied),
	{}
};

static struct kunit_suite arm_smmu_v3_platform_suite = {
	.name = "arm-smmu-v3-platform",
	.suite_init = arm_smmu_v3_platform_suite_init,
	.suite_exit = arm_smmu_v3_platform_suite_exit,
	.test_cases = arm_smmu_v3_platform_cases,
};
kunit_test_suite(arm_smmu_v3_platform_suite);
