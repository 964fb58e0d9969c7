// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-d: probe, the root and context tables, translation enable,
 * domains and attach (upstream's iommu.c).
 *
 * Bring-up (intel_iommu_probe()): CAP/ECAP read once. Scalable mode where
 * the unit has it (it then needs queued invalidation), legacy mode
 * otherwise. Translation is turned off if it was on, the root table is
 * latched with SRTP (TTM scalable or legacy), queued invalidation enabled
 * when the unit has it (register-based invalidation otherwise: CCMD and
 * the IOTLB registers, through iommu->flush), every context, PASID and
 * IOTLB entry flushed globally (the unit may not drop its caches on SRTP),
 * the fault and page request events unmasked, then TE set. Each GCMD
 * change follows the spec's protocol: the persistent bits we own plus the
 * one that changes, then a poll of GSTS.
 *
 * Devices in scalable mode: probing a device writes its scalable-mode
 * context entry once (PASID directory, DTE for ATS, PASIDE, PRE) and turns
 * ATS on at the endpoint; every attach afterwards is a PASID entry (PASID 0
 * for the RID, RID_PASID). The RID attach tears the old entry down first
 * (as upstream); a PASID attach over an existing one replaces it in place.
 *
 * Devices in legacy mode: the context entry itself is what an attach
 * writes (upstream's domain_context_mapping_one()): the DID, the
 * second-stage table and its AGAW, TT multi-level (device-TLB with ATS), or
 * TT pass-through for the identity domain; blocking clears it, then
 * flushes the context cache for the device and the IOTLB for the old DID.
 *
 * Domains: first-stage paging domains use x86-64 4-level tables (47-bit
 * lower-half IOVA, canonical by construction), second-stage ones VT-d SS
 * tables as deep as the unit's best SAGAW; both from the generic
 * page-table library. Each domain gets a DID per unit it is attached
 * through (domain_attach_iommu()), and cache tags (cache.cc) say what to
 * flush when its table changes.
 */
#include "drivers/intel/iommu.h"

#include "core/io_pgfault.h"
#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/platform/pci.h"
#include "harness/platform/platform.h"
#include "harness/slab.h"

#include <mutex>
#include <vector>

#define DEFAULT_DOMAIN_ADDRESS_WIDTH 57

/* ----- Units by fwnode (the probe's firmware lookup) ----- */

static std::mutex intel_iommus_lock;
static std::vector<struct intel_iommu *> intel_iommus;
static std::atomic<int> intel_iommu_next_seq;

static struct intel_iommu *intel_iommu_get_by_fwnode(const void *fwnode)
{
	std::lock_guard<std::mutex> l(intel_iommus_lock);

	for (struct intel_iommu *iommu : intel_iommus)
		if (iommu->iommu.fwnode == fwnode)
			return iommu;
	return NULL;
}

int intel_iommu_register(struct intel_iommu *iommu, const void *fwnode)
{
	int ret;

	iommu->iommu.fwnode = fwnode;
	iommu->iommu.max_pasids = pasid_supported(iommu) ? 1U << (ecap_pss(iommu->ecap) + 1) : 0;
	{
		std::lock_guard<std::mutex> l(intel_iommus_lock);
		intel_iommus.push_back(iommu);
	}
	ret = iommu_device_register(&iommu->iommu, &intel_iommu_ops, NULL);
	if (ret) {
		std::lock_guard<std::mutex> l(intel_iommus_lock);
		std::erase(intel_iommus, iommu);
	}
	return ret;
}

void intel_iommu_unregister(struct intel_iommu *iommu)
{
	iommu_device_unregister(&iommu->iommu);
	std::lock_guard<std::mutex> l(intel_iommus_lock);
	std::erase(intel_iommus, iommu);
}

/* ----- Global command protocol ----- */

static u8 __iomem *ireg(struct intel_iommu *iommu, unsigned int off)
{
	return (u8 __iomem *)iommu->reg + off;
}

/* GCMD with our persistent bits plus @oneshot; wait until GSTS has @mask == @want. */
static int iommu_gcmd_sync(struct intel_iommu *iommu, u32 oneshot, u32 mask, u32 want)
{
	u32 sts;

	writel(iommu->gcmd | oneshot, ireg(iommu, DMAR_GCMD_REG));
	return readl_poll_timeout(ireg(iommu, DMAR_GSTS_REG), sts, (sts & mask) == want, 0,
				  1000000);
}

/*
 * CAP.RWBF: the unit may hold table writes in a write buffer; a newly
 * present entry is seen only after WBF (upstream's iommu_flush_write_buffer()).
 */
static void iommu_flush_write_buffer(struct intel_iommu *iommu)
{
	if (!cap_rwbf(iommu->cap))
		return;
	guard(spinlock)(&iommu->register_lock);
	iommu_gcmd_sync(iommu, DMA_GCMD_WBF, DMA_GSTS_WBFS, 0);
}

/* ----- Register-based invalidation (units without ECAP.QI) ----- */

/*
 * One context-cache invalidation through CCMD: the request with ICC set,
 * then a poll until the unit clears ICC. The arguments are those of
 * qi_flush_context(), so either sits in iommu->flush.
 */
void __iommu_flush_context(struct intel_iommu *iommu, u16 did, u16 source_id, u8 function_mask,
			   u64 type)
{
	u64 val;

	switch (type) {
	case DMA_CCMD_GLOBAL_INVL:
		val = DMA_CCMD_GLOBAL_INVL;
		break;
	case DMA_CCMD_DOMAIN_INVL:
		val = DMA_CCMD_DOMAIN_INVL | DMA_CCMD_DID(did);
		break;
	case DMA_CCMD_DEVICE_INVL:
		val = DMA_CCMD_DEVICE_INVL | DMA_CCMD_DID(did) | DMA_CCMD_SID(source_id) |
		      DMA_CCMD_FM(function_mask);
		break;
	default:
		WARN_ON(1);
		return;
	}
	val |= DMA_CCMD_ICC;

	guard(spinlock)(&iommu->register_lock);
	writeq(val, ireg(iommu, DMAR_CCMD_REG));
	if (readq_poll_timeout(ireg(iommu, DMAR_CCMD_REG), val, !(val & DMA_CCMD_ICC), 0,
			       1000000))
		intel_iommu_err(iommu, "context invalidation timed out");
}

/*
 * One IOTLB invalidation through the registers at ECAP.IRO: IVA first for
 * a page-selective one (address, IH, AM), then IOTLB_REG with IVT set and
 * the drains the unit offers, then a poll until IVT reads 0. IAIG 0 means
 * the unit refused the request.
 */
void __iommu_flush_iotlb(struct intel_iommu *iommu, u16 did, u64 addr, unsigned int size_order,
			 u64 type)
{
	unsigned int tlb_offset = ecap_iotlb_offset(iommu->ecap);
	bool psi = type == DMA_TLB_PSI_FLUSH;
	u64 val, val_iva = 0;

	switch (type) {
	case DMA_TLB_GLOBAL_FLUSH:
		val = DMA_TLB_GLOBAL_FLUSH;
		break;
	case DMA_TLB_DSI_FLUSH:
		val = DMA_TLB_DSI_FLUSH | DMA_TLB_DID(did);
		break;
	case DMA_TLB_PSI_FLUSH:
		val = DMA_TLB_PSI_FLUSH | DMA_TLB_DID(did);
		val_iva = size_order | addr;
		break;
	default:
		WARN_ON(1);
		return;
	}
	val |= DMA_TLB_IVT;
	if (cap_read_drain(iommu->cap))
		val |= DMA_TLB_READ_DRAIN;
	if (cap_write_drain(iommu->cap))
		val |= DMA_TLB_WRITE_DRAIN;

	{
		guard(spinlock)(&iommu->register_lock);
		/* Also when 0 (page 0, one page): IVA keeps the previous request's address */
		if (psi)
			writeq(val_iva, ireg(iommu, tlb_offset + DMAR_IVA_OFFSET));
		writeq(val, ireg(iommu, tlb_offset + DMAR_IOTLB_OFFSET));
		if (readq_poll_timeout(ireg(iommu, tlb_offset + DMAR_IOTLB_OFFSET), val,
				       !(val & DMA_TLB_IVT), 0, 1000000)) {
			intel_iommu_err(iommu, "IOTLB invalidation timed out");
			return;
		}
	}
	if (!DMA_TLB_IAIG(val))
		intel_iommu_err(iommu, "Flush IOTLB failed");
}

static int iommu_set_root_entry(struct intel_iommu *iommu)
{
	u64 addr = virt_to_phys(iommu->root_entry);

	if (sm_supported(iommu))
		addr |= DMA_RTADDR_SMT;
	guard(spinlock)(&iommu->register_lock);
	writeq(addr, ireg(iommu, DMAR_RTADDR_REG));
	return iommu_gcmd_sync(iommu, DMA_GCMD_SRTP, DMA_GSTS_RTPS, DMA_GSTS_RTPS);
}

static int iommu_enable_translation(struct intel_iommu *iommu)
{
	guard(spinlock)(&iommu->register_lock);
	iommu->gcmd |= DMA_GCMD_TE;
	return iommu_gcmd_sync(iommu, 0, DMA_GSTS_TES, DMA_GSTS_TES);
}

static int iommu_disable_translation(struct intel_iommu *iommu)
{
	guard(spinlock)(&iommu->register_lock);
	iommu->gcmd &= ~DMA_GCMD_TE;
	return iommu_gcmd_sync(iommu, 0, DMA_GSTS_TES, 0);
}

/* Every context, PASID and IOTLB entry the unit may hold (after SRTP). */
void intel_iommu_flush_context_all(struct intel_iommu *iommu)
{
	iommu->flush.flush_context(iommu, 0, 0, 0, DMA_CCMD_GLOBAL_INVL);
	if (sm_supported(iommu))
		qi_flush_pasid_cache(iommu, 0, QI_PC_GLOBAL, 0);
	iommu->flush.flush_iotlb(iommu, 0, 0, 0, DMA_TLB_GLOBAL_FLUSH);
}

/* ----- Events ----- */

static void intel_iommu_evt_thread_fn(struct intel_iommu *iommu)
{
	for (;;) {
		unsigned int pending;

		wait_event(iommu->evt_wq, iommu->irq_pending.load() || iommu->evt_stop.load());
		if (iommu->evt_stop.load())
			return;
		pending = iommu->irq_pending.exchange(0);
		guard(mutex)(&iommu->iopf_lock);
		if (pending & BIT(INTEL_IOMMU_IRQ_FAULT))
			dmar_fault(iommu);
		if (pending & BIT(INTEL_IOMMU_IRQ_PRQ))
			intel_prq_handle(iommu);
	}
}

void intel_iommu_irq(struct intel_iommu *iommu, enum intel_iommu_irq src)
{
	iommu->irq_pending.fetch_or(BIT(src));
	wake_up(&iommu->evt_wq);
}

void intel_iommu_drain_events(struct intel_iommu *iommu)
{
	guard(mutex)(&iommu->iopf_lock);
	dmar_fault(iommu);
	intel_prq_handle(iommu);
}

/* ----- Probe and remove ----- */

static int iommu_calculate_agaw(struct intel_iommu *iommu, int max_gaw)
{
	unsigned long sagaw = cap_sagaw(iommu->cap);
	int agaw;

	for (agaw = width_to_agaw(max_gaw); agaw >= 0; agaw--)
		if (test_bit(agaw, &sagaw))
			break;
	return agaw;
}

static void free_context_tables(struct intel_iommu *iommu)
{
	if (!iommu->root_entry)
		return;
	for (unsigned int bus = 0; bus < ROOT_ENTRY_NR; bus++) {
		struct root_entry *re = &iommu->root_entry[bus];

		if (re->lo & ROOT_ENTRY_P)
			iommu_free_pages(phys_to_virt(re->lo & ROOT_ENTRY_CTP));
		if (sm_supported(iommu) && (re->hi & ROOT_ENTRY_P))
			iommu_free_pages(phys_to_virt(re->hi & ROOT_ENTRY_CTP));
	}
	iommu_free_pages(iommu->root_entry);
	iommu->root_entry = NULL;
}

static void intel_iommu_free(struct intel_iommu *iommu)
{
	if (iommu->evt_thread) {
		iommu->evt_stop = true;
		wake_up(&iommu->evt_wq);
		iommu->evt_thread->join();
		delete iommu->evt_thread;
	}
	intel_iommu_finish_prq(iommu);
	dmar_disable_qi(iommu);
	free_context_tables(iommu);
	xa_destroy(&iommu->domain_ids);
	xa_destroy(&iommu->devices);
	kfree(iommu->name);
	delete iommu;
}

struct intel_iommu *intel_iommu_probe(void __iomem *reg, const char *name)
{
	struct intel_iommu *iommu;
	u32 sts;
	int ret;

	iommu = new (std::nothrow) intel_iommu();
	if (!iommu)
		return (struct intel_iommu *)ERR_PTR(-ENOMEM);
	iommu->reg = reg;
	iommu->name = kstrdup(name, GFP_KERNEL);
	spin_lock_init(&iommu->register_lock);
	spin_lock_init(&iommu->lock);
	spin_lock_init(&iommu->fault_log_lock);
	mutex_init(&iommu->devices_lock);
	mutex_init(&iommu->iopf_lock);
	init_waitqueue_head(&iommu->evt_wq);
	xa_init_flags(&iommu->domain_ids, XA_FLAGS_ALLOC);
	xa_init(&iommu->devices);
	iommu->seq_id = intel_iommu_next_seq++;
	if (!iommu->name) {
		ret = -ENOMEM;
		goto err;
	}

	iommu->cap = readq(ireg(iommu, DMAR_CAP_REG));
	iommu->ecap = readq(ireg(iommu, DMAR_ECAP_REG));
	/* Scalable mode has no register-based PASID-cache invalidation */
	if (sm_supported(iommu) && !ecap_qis(iommu->ecap)) {
		intel_iommu_err(iommu, "scalable mode without queued invalidation");
		ret = -ENODEV;
		goto err;
	}
	iommu->agaw = iommu_calculate_agaw(iommu, DEFAULT_DOMAIN_ADDRESS_WIDTH);
	iommu->msagaw = iommu_calculate_agaw(iommu, MAX_AGAW_WIDTH);
	if (iommu->agaw < 0) {
		intel_iommu_err(iommu, "Cannot get a valid agaw");
		ret = -ENODEV;
		goto err;
	}

	/* DID 0 is reserved, FLPT_DEFAULT_DID belongs to pass-through entries */
	ret = xa_insert(&iommu->domain_ids, 0, iommu, GFP_KERNEL);
	if (!ret)
		ret = xa_insert(&iommu->domain_ids, FLPT_DEFAULT_DID, iommu, GFP_KERNEL);
	if (ret)
		goto err;

	iommu->root_entry = (struct root_entry *)iommu_alloc_pages_sz(GFP_KERNEL, VTD_PAGE_SIZE);
	if (!iommu->root_entry) {
		ret = -ENOMEM;
		goto err;
	}

	/* Whatever firmware left running stops before the tables change */
	sts = readl(ireg(iommu, DMAR_GSTS_REG));
	if (sts & DMA_GSTS_TES)
		iommu_disable_translation(iommu);
	if (sts & DMA_GSTS_QIES) {
		guard(spinlock)(&iommu->register_lock);
		iommu_gcmd_sync(iommu, 0, DMA_GSTS_QIES, 0);
	}

	if (ecap_qis(iommu->ecap)) {
		ret = dmar_enable_qi(iommu);
		if (ret)
			goto err;
		iommu->flush.flush_context = qi_flush_context;
		iommu->flush.flush_iotlb = qi_flush_iotlb;
	} else {
		iommu->flush.flush_context = __iommu_flush_context;
		iommu->flush.flush_iotlb = __iommu_flush_iotlb;
	}
	ret = iommu_set_root_entry(iommu);
	if (ret) {
		intel_iommu_err(iommu, "root table pointer not latched");
		goto err;
	}
	intel_iommu_flush_context_all(iommu);

	ret = intel_iommu_enable_prq(iommu);
	if (ret)
		goto err;
	iommu->evt_thread = new (std::nothrow) std::thread(intel_iommu_evt_thread_fn, iommu);
	if (!iommu->evt_thread) {
		ret = -ENOMEM;
		goto err;
	}
	/* Fault events: unmasked; anything recorded before now is handled first */
	writel(0, ireg(iommu, DMAR_FECTL_REG));
	intel_iommu_drain_events(iommu);

	ret = iommu_enable_translation(iommu);
	if (ret)
		goto err;
	intel_iommu_debugfs_init();
	return iommu;

err:
	intel_iommu_free(iommu);
	return (struct intel_iommu *)ERR_PTR(ret);
}

void intel_iommu_remove(struct intel_iommu *iommu)
{
	intel_iommu_debugfs_exit();
	iommu_disable_translation(iommu);
	writel(DMA_FECTL_IM, ireg(iommu, DMAR_FECTL_REG));
	intel_iommu_free(iommu);
}

/* ----- Domain IDs ----- */

u16 domain_id_iommu(struct dmar_domain *domain, struct intel_iommu *iommu)
{
	struct iommu_domain_info *info =
		(struct iommu_domain_info *)xa_load(&domain->iommu_array, iommu->seq_id);

	if (WARN_ON(!info))
		return 0;
	return info->did;
}

static u16 iommu_domain_did(struct iommu_domain *domain, struct intel_iommu *iommu)
{
	if (domain->type == IOMMU_DOMAIN_IDENTITY)
		return FLPT_DEFAULT_DID;
	return domain_id_iommu(to_dmar_domain(domain), iommu);
}

int domain_attach_iommu(struct dmar_domain *domain, struct intel_iommu *iommu)
{
	struct iommu_domain_info *info, *curr;
	u32 id;
	int ret;

	{
		guard(spinlock)(&iommu->lock);
		curr = (struct iommu_domain_info *)xa_load(&domain->iommu_array, iommu->seq_id);
		if (curr) {
			curr->refcnt++;
			return 0;
		}
	}
	info = (struct iommu_domain_info *)kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	ret = xa_alloc(&iommu->domain_ids, &id, domain,
		       XA_LIMIT(IDA_START_DID, cap_ndoms(iommu->cap) - 1), GFP_KERNEL);
	if (ret) {
		intel_iommu_err(iommu, "No free domain ids");
		kfree(info);
		return ret;
	}
	info->iommu = iommu;
	info->did = (u16)id;
	info->refcnt = 1;
	ret = xa_insert(&domain->iommu_array, iommu->seq_id, info, GFP_KERNEL);
	if (ret) {
		xa_erase(&iommu->domain_ids, id);
		kfree(info);
		/* Attached concurrently through another path: take that one */
		if (ret == -EBUSY)
			return domain_attach_iommu(domain, iommu);
		return ret;
	}
	return 0;
}

void domain_detach_iommu(struct dmar_domain *domain, struct intel_iommu *iommu)
{
	struct iommu_domain_info *info;

	{
		guard(spinlock)(&iommu->lock);
		info = (struct iommu_domain_info *)xa_load(&domain->iommu_array, iommu->seq_id);
		if (WARN_ON(!info) || --info->refcnt)
			return;
		xa_erase(&domain->iommu_array, iommu->seq_id);
	}
	xa_erase(&iommu->domain_ids, info->did);
	kfree(info);
}

/* ----- PCI capabilities of a device ----- */

static struct pci_func *info_pci(struct device_domain_info *info)
{
	struct platform_dev *pdev = platform_dev_of(info->dev);

	return pdev ? pdev->func : NULL;
}

static void iommu_enable_pci_ats(struct device_domain_info *info)
{
	struct pci_func *f = info_pci(info);

	if (!info->ats_supported || !f)
		return;
	pci_cfg_write(f, f->ats_ecap + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE | PCI_ATS_CTRL_STU(0), 2);
	info->ats_enabled = 1;
}

static void iommu_disable_pci_ats(struct device_domain_info *info)
{
	struct pci_func *f = info_pci(info);

	if (!info->ats_enabled || !f)
		return;
	pci_cfg_write(f, f->ats_ecap + PCI_ATS_CTRL, 0, 2);
	info->ats_enabled = 0;
}

static void iommu_set_pci_pri(struct device_domain_info *info, bool enable)
{
	struct pci_func *f = info_pci(info);

	if (!f || !f->pri_ecap)
		return;
	pci_cfg_write(f, f->pri_ecap + PCI_PRI_CTRL, enable ? PCI_PRI_CTRL_ENABLE : 0, 2);
	info->pri_enabled = enable;
}

/*
 * Page requests are turned on at the endpoint while a domain with a fault
 * handler is attached to it (upstream's iopf_for_domain_set/remove). A
 * device without PRI, or behind a unit without page requests (legacy mode
 * among them), cannot take such a domain: -ENODEV, as upstream's
 * intel_iommu_enable_iopf().
 */
int iopf_for_domain_set(struct iommu_domain *domain, struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);

	if (!domain || !domain->iopf_handler)
		return 0;
	if (!info->pri_supported)
		return -ENODEV;
	if (info->iopf_refcount++ == 0)
		iommu_set_pci_pri(info, true);
	return 0;
}

void iopf_for_domain_remove(struct iommu_domain *domain, struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);

	if (!domain || !domain->iopf_handler)
		return;
	if (!WARN_ON(!info->iopf_refcount) && --info->iopf_refcount == 0)
		iommu_set_pci_pri(info, false);
}

int iopf_for_domain_replace(struct iommu_domain *domain, struct iommu_domain *old,
				   struct device *dev)
{
	int ret = iopf_for_domain_set(domain, dev);

	if (ret)
		return ret;
	iopf_for_domain_remove(old, dev);
	return 0;
}

/* ----- Context entries ----- */

static phys_addr_t dmar_domain_top(struct dmar_domain *domain)
{
	struct pt_iommu_hw_info hw;

	pt_iommu_hw_info(&domain->pt, &hw);
	return hw.top_paddr;
}

/*
 * The context entry of @bus/@devfn, its table allocated if @alloc; NULL if
 * absent (or out of memory). Legacy: one table of 256 128-bit entries per
 * bus, under the root entry's lower half. Scalable: two tables of 128
 * 256-bit entries, devfn 0-127 under the lower half and 128-255 under the
 * upper; the entry is returned as its first 128 bits. Called with
 * iommu->lock held.
 */
struct context_entry *iommu_context_addr(struct intel_iommu *iommu, u8 bus, u8 devfn, bool alloc)
{
	struct root_entry *root = &iommu->root_entry[bus];
	u64 *entry = &root->lo;
	struct context_entry *table;

	if (sm_supported(iommu)) {
		if (devfn >= 0x80) {
			devfn -= 0x80;
			entry = &root->hi;
		}
		devfn *= 2;
	}
	if (!(*entry & ROOT_ENTRY_P)) {
		if (!alloc)
			return NULL;
		table = (struct context_entry *)iommu_alloc_pages_sz(GFP_ATOMIC, VTD_PAGE_SIZE);
		if (!table)
			return NULL;
		__atomic_store_n(entry, virt_to_phys(table) | ROOT_ENTRY_P, __ATOMIC_RELEASE);
	}
	table = (struct context_entry *)phys_to_virt(*entry & ROOT_ENTRY_CTP);
	return &table[devfn];
}

/*
 * A legacy context entry, built whole in @ce: present, faults reported
 * (FPD clear), @did, translation type @tt, @aw and, for translated types,
 * the second-stage table at @slptptr.
 */
static void context_entry_build(struct context_entry *ce, u16 did, u64 tt, int aw,
				phys_addr_t slptptr)
{
	ce->lo = (slptptr & CONTEXT_LO_SLPTPTR) | FIELD_PREP(CONTEXT_LO_TT, tt) | CONTEXT_LO_P;
	ce->hi = FIELD_PREP(CONTEXT_HI_AW, aw) | FIELD_PREP(CONTEXT_HI_DID, did);
}

/*
 * A not-present legacy entry becomes @ce: the high half first, the present
 * bit last. A not-present entry is not cached, so only the write buffer
 * may need flushing; with caching mode the unit may have cached it (as not
 * present) and the device's context and the DID's IOTLB are invalidated
 * (upstream's context_present_cache_flush()). -EBUSY if the entry is
 * present: every RID attach blocks first, and there are no DMA aliases.
 */
static int context_entry_install(struct intel_iommu *iommu, struct device_domain_info *info,
				 const struct context_entry *ce)
{
	struct context_entry *context;
	u16 did = (u16)FIELD_GET(CONTEXT_HI_DID, ce->hi);

	{
		guard(spinlock)(&iommu->lock);
		context = iommu_context_addr(iommu, info->bus, info->devfn, true);
		if (!context)
			return -ENOMEM;
		if (context->lo & CONTEXT_LO_P)
			return -EBUSY;
		WRITE_ONCE(context->hi, ce->hi);
		__atomic_store_n(&context->lo, ce->lo, __ATOMIC_RELEASE);
	}
	if (cap_caching_mode(iommu->cap)) {
		iommu->flush.flush_context(iommu, 0, info_rid(info), DMA_CCMD_MASK_NOBIT,
					   DMA_CCMD_DEVICE_INVL);
		iommu->flush.flush_iotlb(iommu, did, 0, 0, DMA_TLB_DSI_FLUSH);
	} else {
		iommu_flush_write_buffer(iommu);
	}
	return 0;
}

/* Legacy mode: the RID of @dev translated by @domain's second-stage table. */
static int domain_context_mapping(struct dmar_domain *domain, struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct context_entry ce;

	/* Translation requests are allowed only where the device-TLB is used */
	context_entry_build(&ce, domain_id_iommu(domain, iommu),
			    info->ats_supported ? CONTEXT_TT_DEV_IOTLB : CONTEXT_TT_MULTI_LEVEL,
			    domain->agaw, dmar_domain_top(domain));
	return context_entry_install(iommu, info, &ce);
}

/*
 * Legacy mode: the RID of @dev untranslated, with the pass-through DID;
 * the spec wants AW at the largest AGAW the unit supports.
 */
static int context_setup_pass_through(struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct context_entry ce;

	if (!ecap_pass_through(iommu->ecap))
		return -EINVAL;
	context_entry_build(&ce, FLPT_DEFAULT_DID, CONTEXT_TT_PASS_THROUGH, iommu->msagaw, 0);
	return context_entry_install(iommu, info, &ce);
}

/*
 * Legacy mode: the RID's context entry cleared, then what the unit may
 * cache of it: the device's context entry, the old DID's IOTLB entries and
 * the device-TLB (upstream's domain_context_clear_one() and
 * intel_context_flush_no_pasid()).
 */
static void domain_context_clear_one(struct device_domain_info *info)
{
	struct intel_iommu *iommu = info->iommu;
	struct context_entry *context;
	u16 did;

	{
		guard(spinlock)(&iommu->lock);
		context = iommu_context_addr(iommu, info->bus, info->devfn, false);
		if (!context || !(context->lo & CONTEXT_LO_P))
			return;
		did = (u16)FIELD_GET(CONTEXT_HI_DID, context->hi);
		__atomic_store_n(&context->lo, 0, __ATOMIC_RELEASE);
		WRITE_ONCE(context->hi, 0);
	}
	iommu->flush.flush_context(iommu, did, info_rid(info), DMA_CCMD_MASK_NOBIT,
				   DMA_CCMD_DEVICE_INVL);
	iommu->flush.flush_iotlb(iommu, did, 0, 0, DMA_TLB_DSI_FLUSH);
	devtlb_invalidation_with_pasid(iommu, info->dev, IOMMU_NO_PASID);
}

/* ----- Attach ----- */

/* The RID to no translation at all: PASID 0's entry goes, the domain lets go. */
void device_block_translation(struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct dmar_domain *domain = info->domain;

	if (sm_supported(iommu))
		intel_pasid_tear_down_entry(iommu, dev, IOMMU_NO_PASID, false);
	else
		domain_context_clear_one(info);
	if (!domain)
		return;
	{
		guard(spinlock)(&domain->lock);
		list_del(&info->link);
	}
	cache_tag_unassign_domain(domain, dev, IOMMU_NO_PASID);
	iopf_for_domain_remove(&domain->domain, dev);
	domain_detach_iommu(domain, iommu);
	info->domain = NULL;
}

int paging_domain_compatible(struct iommu_domain *domain, struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct intel_iommu *iommu = info->iommu;

	if (domain->owner != &intel_iommu_ops)
		return -EINVAL;
	if (domain->dirty_ops && !ssads_supported(iommu))
		return -EINVAL;
	if (dmar_domain->nested_parent && !nested_supported(iommu))
		return -EINVAL;
	if (dmar_domain->force_snooping && !ecap_sc_support(iommu->ecap))
		return -EINVAL;
	/* Snooping forced in PASID entries only: no use to a legacy context entry */
	if (dmar_domain->force_snooping && !sm_supported(iommu) && !dmar_domain->legacy_snoop)
		return -EINVAL;
	/* Legacy mode has no first stage, and always a second stage */
	if (dmar_domain->use_first_level) {
		if (!sm_supported(iommu) || !ecap_flts(iommu->ecap))
			return -EINVAL;
	} else {
		if (sm_supported(iommu) && !ecap_slts(iommu->ecap))
			return -EINVAL;
		/* The table is deeper than this unit walks */
		if (dmar_domain->agaw < 0 || !(cap_sagaw(iommu->cap) & BIT(dmar_domain->agaw)))
			return -EINVAL;
	}
	return 0;
}

static int domain_fs_flags(struct dmar_domain *domain)
{
	struct pt_iommu_hw_info hw;
	int flags = 0;

	pt_iommu_hw_info(&domain->pt, &hw);
	if (hw.top_level == 4)
		flags |= PASID_FLAG_FL5LP;
	if (domain->force_snooping)
		flags |= PASID_FLAG_PAGE_SNOOP;
	return flags;
}

/* A paging or nested domain's PASID entry: set up, or replacing @old's. */
static int domain_setup_paging(struct intel_iommu *iommu, struct dmar_domain *domain,
			       struct device *dev, ioasid_t pasid, struct iommu_domain *old)
{
	u16 did = domain_id_iommu(domain, iommu);

	if (domain->domain.type == IOMMU_DOMAIN_NESTED) {
		if (!old)
			return intel_pasid_setup_nested(iommu, dev, pasid, domain);
		return intel_pasid_replace_nested(iommu, dev, pasid, iommu_domain_did(old, iommu),
						  domain);
	}
	if (domain->use_first_level) {
		if (!old)
			return intel_pasid_setup_first_level(iommu, dev, dmar_domain_top(domain),
							     pasid, did, domain_fs_flags(domain));
		return intel_pasid_replace_first_level(iommu, dev, dmar_domain_top(domain), pasid,
						       did, iommu_domain_did(old, iommu),
						       domain_fs_flags(domain));
	}
	if (!old)
		return intel_pasid_setup_second_level(iommu, domain, dev, pasid);
	return intel_pasid_replace_second_level(iommu, domain, dev, iommu_domain_did(old, iommu),
						pasid);
}

/*
 * The RID of @dev to @domain (paging or nested): DID, cache tags and page
 * requests first, then PASID 0's entry, then the device joins the domain's
 * list. The caller has blocked the RID.
 */
int dmar_domain_attach_device(struct dmar_domain *domain, struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	int ret;

	ret = domain_attach_iommu(domain, iommu);
	if (ret)
		return ret;
	ret = cache_tag_assign_domain(domain, dev, IOMMU_NO_PASID);
	if (ret)
		goto out_detach;
	ret = iopf_for_domain_set(&domain->domain, dev);
	if (ret)
		goto out_tags;
	if (sm_supported(iommu))
		ret = domain_setup_paging(iommu, domain, dev, IOMMU_NO_PASID, NULL);
	else
		ret = domain_context_mapping(domain, dev);
	if (ret)
		goto out_iopf;

	info->domain = domain;
	spin_lock(&domain->lock);
	list_add(&info->link, &domain->devices);
	spin_unlock(&domain->lock);
	return 0;

out_iopf:
	iopf_for_domain_remove(&domain->domain, dev);
out_tags:
	cache_tag_unassign_domain(domain, dev, IOMMU_NO_PASID);
out_detach:
	domain_detach_iommu(domain, iommu);
	return ret;
}

/*
 * The RID's attach once device_block_translation() has run. If it fails the
 * RID goes back to @old: the core keeps a device whose attach failed on the
 * domain it had (it re-attaches only the other devices of the group), so the
 * hardware must be there too, not blocked. Best effort: should that attach
 * fail as well, the RID stays blocked, which is safe.
 */
int dmar_domain_attach_device_or_restore(struct dmar_domain *domain, struct device *dev,
					 struct iommu_domain *old)
{
	int ret = dmar_domain_attach_device(domain, dev);

	if (ret && old && old != &domain->domain && old->ops && old->ops->attach_dev)
		old->ops->attach_dev(old, dev, NULL);
	return ret;
}

static int intel_iommu_attach_device(struct iommu_domain *domain, struct device *dev,
				     struct iommu_domain *old)
{
	int ret;

	ret = paging_domain_compatible(domain, dev);
	if (ret)
		return ret;
	device_block_translation(dev);
	return dmar_domain_attach_device_or_restore(to_dmar_domain(domain), dev, old);
}

struct dev_pasid_info *domain_add_dev_pasid(struct iommu_domain *domain, struct device *dev,
					    ioasid_t pasid)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct intel_iommu *iommu = info->iommu;
	struct dev_pasid_info *dev_pasid;
	int ret;

	dev_pasid = (struct dev_pasid_info *)kzalloc(sizeof(*dev_pasid), GFP_KERNEL);
	if (!dev_pasid)
		return (struct dev_pasid_info *)ERR_PTR(-ENOMEM);
	ret = domain_attach_iommu(dmar_domain, iommu);
	if (ret)
		goto out_free;
	ret = cache_tag_assign_domain(dmar_domain, dev, pasid);
	if (ret)
		goto out_detach;
	dev_pasid->dev = dev;
	dev_pasid->pasid = pasid;
	{
		guard(spinlock)(&dmar_domain->lock);
		list_add(&dev_pasid->link_domain, &dmar_domain->dev_pasids);
	}
	return dev_pasid;

out_detach:
	domain_detach_iommu(dmar_domain, iommu);
out_free:
	kfree(dev_pasid);
	return (struct dev_pasid_info *)ERR_PTR(ret);
}

void domain_remove_dev_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct dev_pasid_info *curr, *dev_pasid = NULL;
	struct dmar_domain *dmar_domain;

	if (!domain || domain->type == IOMMU_DOMAIN_IDENTITY ||
	    domain->type == IOMMU_DOMAIN_BLOCKED)
		return;
	dmar_domain = to_dmar_domain(domain);
	{
		guard(spinlock)(&dmar_domain->lock);
		list_for_each_entry(curr, &dmar_domain->dev_pasids, link_domain) {
			if (curr->dev == dev && curr->pasid == pasid) {
				list_del(&curr->link_domain);
				dev_pasid = curr;
				break;
			}
		}
	}
	if (WARN_ON(!dev_pasid))
		return;
	intel_iommu_debugfs_remove_dev_pasid(dev_pasid);
	cache_tag_unassign_domain(dmar_domain, dev, pasid);
	domain_detach_iommu(dmar_domain, info->iommu);
	kfree(dev_pasid);
}

static struct iommu_domain *old_with_entry(struct iommu_domain *old)
{
	/* The blocked domain leaves no PASID entry to replace */
	return old && old->type == IOMMU_DOMAIN_BLOCKED ? NULL : old;
}

/*
 * @pasid of @dev to @domain (paging or nested, already checked compatible),
 * replacing @old's entry in place.
 */
int dmar_domain_set_dev_pasid(struct dmar_domain *domain, struct device *dev, ioasid_t pasid,
			      struct iommu_domain *old)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct dev_pasid_info *dev_pasid;
	int ret;

	dev_pasid = domain_add_dev_pasid(&domain->domain, dev, pasid);
	if (IS_ERR(dev_pasid))
		return PTR_ERR(dev_pasid);
	ret = iopf_for_domain_replace(&domain->domain, old, dev);
	if (ret)
		goto out_remove;
	ret = domain_setup_paging(iommu, domain, dev, pasid, old_with_entry(old));
	if (ret)
		goto out_iopf;
	domain_remove_dev_pasid(old, dev, pasid);
	/* After the old domain's directory of the same name is gone */
	if (domain->domain.type & __IOMMU_DOMAIN_PAGING)
		intel_iommu_debugfs_create_dev_pasid(dev_pasid);
	return 0;

out_iopf:
	iopf_for_domain_replace(old, &domain->domain, dev);
out_remove:
	domain_remove_dev_pasid(&domain->domain, dev, pasid);
	return ret;
}

static int intel_iommu_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
				     ioasid_t pasid, struct iommu_domain *old)
{
	int ret;

	if (WARN_ON(!(domain->type & __IOMMU_DOMAIN_PAGING)))
		return -EINVAL;
	if (!pasid_supported(dev_to_info(dev)->iommu))
		return -EOPNOTSUPP;
	ret = paging_domain_compatible(domain, dev);
	if (ret)
		return ret;
	return dmar_domain_set_dev_pasid(to_dmar_domain(domain), dev, pasid, old);
}

/* ----- Identity and blocked domains ----- */

static int identity_domain_attach_dev(struct iommu_domain *domain, struct device *dev,
				      struct iommu_domain *old)
{
	struct device_domain_info *info = dev_to_info(dev);

	device_block_translation(dev);
	if (!sm_supported(info->iommu))
		return context_setup_pass_through(dev);
	return intel_pasid_setup_pass_through(info->iommu, dev, IOMMU_NO_PASID);
}

static int identity_domain_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
					 ioasid_t pasid, struct iommu_domain *old)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	int ret;

	if (!pasid_supported(iommu))
		return -EOPNOTSUPP;
	ret = iopf_for_domain_replace(domain, old, dev);
	if (ret)
		return ret;
	old = old_with_entry(old);
	if (!old)
		ret = intel_pasid_setup_pass_through(iommu, dev, pasid);
	else
		ret = intel_pasid_replace_pass_through(iommu, dev, iommu_domain_did(old, iommu),
						       pasid);
	if (ret) {
		iopf_for_domain_replace(old, domain, dev);
		return ret;
	}
	domain_remove_dev_pasid(old, dev, pasid);
	return 0;
}

static const struct iommu_domain_ops identity_domain_ops = {
	.attach_dev = identity_domain_attach_dev,
	.set_dev_pasid = identity_domain_set_dev_pasid,
};

static struct iommu_domain identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &identity_domain_ops,
	.owner = &intel_iommu_ops,
};

static int blocking_domain_attach_dev(struct iommu_domain *domain, struct device *dev,
				      struct iommu_domain *old)
{
	device_block_translation(dev);
	return 0;
}

static int blocking_domain_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
					 ioasid_t pasid, struct iommu_domain *old)
{
	struct device_domain_info *info = dev_to_info(dev);

	intel_pasid_tear_down_entry(info->iommu, dev, pasid, false);
	iopf_for_domain_remove(old, dev);
	domain_remove_dev_pasid(old, dev, pasid);
	return 0;
}

static const struct iommu_domain_ops blocking_domain_ops = {
	.attach_dev = blocking_domain_attach_dev,
	.set_dev_pasid = blocking_domain_set_dev_pasid,
};

static struct iommu_domain blocking_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &blocking_domain_ops,
	.owner = &intel_iommu_ops,
};

/* ----- Paging domains ----- */

static void intel_iommu_tlb_sync(struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);

	if (gather->end) {
		/* Leaf-only (IH) unless page-table pages were taken out */
		cache_tag_flush_range(dmar_domain, gather->start, gather->end,
				      list_empty(&gather->freelist));
	}
	pt_iommu_put_pages_list(&gather->freelist);
}

static void intel_flush_iotlb_all(struct iommu_domain *domain)
{
	cache_tag_flush_all(to_dmar_domain(domain));
}

static bool intel_iommu_enforce_cache_coherency(struct iommu_domain *domain)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);

	if (dmar_domain->force_snooping)
		return true;
	/*
	 * Snoop control goes into PASID entries (PGSNP) in scalable mode and
	 * into the leaves (SNP) of second-stage tables for legacy mode, which
	 * has no PASID entry: only before the first attach, and for the
	 * leaves before the first map too (they are not rewritten).
	 */
	guard(spinlock)(&dmar_domain->lock);
	if (!list_empty(&dmar_domain->devices) || !list_empty(&dmar_domain->dev_pasids))
		return false;
	if (dmar_domain->legacy_snoop) {
		if (pt_iommu_count_leaves(&dmar_domain->pt))
			return false;
		dmar_domain->pt.common.features |= BIT_ULL(PT_FEAT_VTDSS_FORCE_COHERENCE);
	}
	dmar_domain->force_snooping = true;
	return true;
}

static void intel_iommu_domain_free(struct iommu_domain *domain)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);

	WARN_ON(!list_empty(&dmar_domain->devices) || !list_empty(&dmar_domain->dev_pasids));
	WARN_ON(!list_empty(&dmar_domain->s1_domains));
	WARN_ON(cache_tag_count(dmar_domain));
	pt_iommu_deinit(&dmar_domain->pt);
	xa_destroy(&dmar_domain->iommu_array);
	kfree(dmar_domain);
}

/* SSADE on every PASID entry using the domain (and the nested ones on it). */
static int device_set_dirty_tracking(struct list_head *devices, bool enable)
{
	struct device_domain_info *info;
	int ret = 0;

	list_for_each_entry(info, devices, link) {
		ret = intel_pasid_setup_dirty_tracking(info->iommu, info->dev, IOMMU_NO_PASID,
						       enable);
		if (ret)
			break;
	}
	return ret;
}

static int intel_iommu_set_dirty_tracking(struct iommu_domain *domain, bool enable)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct dmar_domain *s1;
	struct dev_pasid_info *dev_pasid;
	int ret;

	guard(spinlock)(&dmar_domain->lock);
	if (dmar_domain->dirty_tracking == enable)
		return 0;
	ret = device_set_dirty_tracking(&dmar_domain->devices, enable);
	if (ret)
		goto err_unwind;
	list_for_each_entry(dev_pasid, &dmar_domain->dev_pasids, link_domain) {
		ret = intel_pasid_setup_dirty_tracking(dev_to_info(dev_pasid->dev)->iommu,
						       dev_pasid->dev, dev_pasid->pasid, enable);
		if (ret)
			goto err_unwind;
	}
	if (dmar_domain->nested_parent) {
		guard(spinlock)(&dmar_domain->s1_lock);
		list_for_each_entry(s1, &dmar_domain->s1_domains, s2_link) {
			guard(spinlock)(&s1->lock);
			ret = device_set_dirty_tracking(&s1->devices, enable);
			if (ret)
				goto err_unwind;
		}
	}
	dmar_domain->dirty_tracking = enable;
	return 0;

err_unwind:
	device_set_dirty_tracking(&dmar_domain->devices, dmar_domain->dirty_tracking);
	return ret;
}

static int intel_iommu_read_and_clear_dirty(struct iommu_domain *domain, unsigned long iova,
					    size_t size, unsigned long flags,
					    struct iommu_dirty_bitmap *dirty)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);

	/* Without SSADE nothing sets the D bits: a read would report stale ones */
	if (!dmar_domain->dirty_tracking && dirty->bitmap)
		return -EINVAL;
	return pt_read_and_clear_dirty(domain, iova, size, flags, dirty);
}

static const struct iommu_dirty_ops intel_dirty_ops = {
	.set_dirty_tracking = intel_iommu_set_dirty_tracking,
	.read_and_clear_dirty = intel_iommu_read_and_clear_dirty,
};

/*
 * First- and second-stage paging domains differ in their tables and in how
 * their flushes are sent (cache.cc), not in their ops.
 */
const struct iommu_domain_ops intel_paging_domain_ops = {
	.attach_dev = intel_iommu_attach_device,
	.set_dev_pasid = intel_iommu_set_dev_pasid,
	.map_pages = pt_map_pages,
	.unmap_pages = pt_unmap_pages,
	.flush_iotlb_all = intel_flush_iotlb_all,
	.iotlb_sync = intel_iommu_tlb_sync,
	.iova_to_phys = pt_iova_to_phys,
	.enforce_cache_coherency = intel_iommu_enforce_cache_coherency,
	.free = intel_iommu_domain_free,
};

/* A zeroed domain with its lists, locks and DID array ready. */
struct dmar_domain *dmar_domain_alloc(void)
{
	struct dmar_domain *domain;

	domain = (struct dmar_domain *)kzalloc(sizeof(*domain), GFP_KERNEL);
	if (!domain)
		return NULL;
	INIT_LIST_HEAD(&domain->devices);
	INIT_LIST_HEAD(&domain->dev_pasids);
	INIT_LIST_HEAD(&domain->cache_tags);
	INIT_LIST_HEAD(&domain->s1_domains);
	spin_lock_init(&domain->lock);
	spin_lock_init(&domain->cache_lock);
	spin_lock_init(&domain->s1_lock);
	xa_init(&domain->iommu_array);
	return domain;
}

static struct iommu_domain *paging_domain_finalise(struct dmar_domain *domain,
						   const struct iommu_domain_ops *ops,
						   struct pt_iommu_cfg *cfg)
{
	struct pt_iommu_hw_info hw;
	int ret;

	domain->pt.domain.ops = ops;
	ret = pt_iommu_init(&domain->pt, cfg, GFP_KERNEL);
	if (ret) {
		xa_destroy(&domain->iommu_array);
		kfree(domain);
		return (struct iommu_domain *)ERR_PTR(ret);
	}
	pt_iommu_hw_info(&domain->pt, &hw);
	domain->agaw = (int)hw.top_level - 1;
	domain->gaw = hw.vasz_lg2;
	domain->domain.type = IOMMU_DOMAIN_UNMANAGED;
	domain->domain.owner = &intel_iommu_ops;
	return &domain->domain;
}

static struct iommu_domain *intel_iommu_domain_alloc_first_stage(struct device *dev,
								 struct intel_iommu *iommu,
								 u32 flags)
{
	struct pt_iommu_cfg cfg = {};
	struct dmar_domain *domain;

	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	if (!sm_supported(iommu) || !ecap_flts(iommu->ecap))
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);

	domain = dmar_domain_alloc();
	if (!domain)
		return (struct iommu_domain *)ERR_PTR(-ENOMEM);
	domain->use_first_level = true;
	cfg.fmt = PT_FMT_X86_64;
	/* The lower half of a 4-level table: every IOVA is canonical */
	cfg.hw_max_vasz_lg2 = min(47U, cap_mgaw(iommu->cap));
	return paging_domain_finalise(domain, &intel_paging_domain_ops, &cfg);
}

static struct iommu_domain *intel_iommu_domain_alloc_second_stage(struct device *dev,
								  struct intel_iommu *iommu,
								  u32 flags)
{
	struct pt_iommu_cfg cfg = {};
	struct dmar_domain *domain;
	struct iommu_domain *ret;

	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
		      IOMMU_HWPT_ALLOC_PASID))
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	if (((flags & IOMMU_HWPT_ALLOC_NEST_PARENT) && !nested_supported(iommu)) ||
	    ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !ssads_supported(iommu)))
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	/* Legacy mode always has the second stage */
	if (sm_supported(iommu) && !ecap_slts(iommu->ecap))
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);

	domain = dmar_domain_alloc();
	if (!domain)
		return (struct iommu_domain *)ERR_PTR(-ENOMEM);
	domain->nested_parent = !!(flags & IOMMU_HWPT_ALLOC_NEST_PARENT);
	domain->legacy_snoop = !sm_supported(iommu);
	cfg.fmt = PT_FMT_VTDSS;
	cfg.hw_max_vasz_lg2 = min(agaw_to_width(iommu->agaw), cap_mgaw(iommu->cap));
	ret = paging_domain_finalise(domain, &intel_paging_domain_ops, &cfg);
	if (!IS_ERR(ret) && (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		ret->dirty_ops = &intel_dirty_ops;
	return ret;
}

static struct iommu_domain *intel_iommu_domain_alloc_paging_flags(
	struct device *dev, u32 flags, const struct iommu_user_data *user_data)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct iommu_domain *domain;

	if (user_data)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	/* First stage where it can be: its flushes are by PASID and cheaper */
	domain = intel_iommu_domain_alloc_first_stage(dev, iommu, flags);
	if (domain != ERR_PTR(-EOPNOTSUPP))
		return domain;
	return intel_iommu_domain_alloc_second_stage(dev, iommu, flags);
}

/* ----- Devices ----- */

struct device *device_rbtree_find(struct intel_iommu *iommu, u16 rid)
{
	struct device_domain_info *info =
		(struct device_domain_info *)xa_load(&iommu->devices, rid);

	return info ? info->dev : NULL;
}

static struct iommu_device *intel_iommu_probe_device(struct device *dev)
{
	struct platform_dev *pdev = platform_dev_of(dev);
	struct device_domain_info *info;
	struct intel_iommu *iommu;
	struct pci_func *f;
	int ret;

	if (!pdev || !dev->iommu_fwnode)
		return (struct iommu_device *)ERR_PTR(-ENODEV);
	iommu = intel_iommu_get_by_fwnode(dev->iommu_fwnode);
	if (!iommu)
		return (struct iommu_device *)ERR_PTR(-ENODEV);
	f = pdev->func;

	info = (struct device_domain_info *)kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return (struct iommu_device *)ERR_PTR(-ENOMEM);
	info->dev = dev;
	info->iommu = iommu;
	info->segment = pdev->desc->segment;
	info->bus = (pdev->desc->rid >> 8) & 0xff;
	info->devfn = pdev->desc->rid & 0xff;
	info->pfsid = (u16)pdev->desc->rid;	/* no virtual functions: its own RID */
	info->ats_supported = ecap_dev_iotlb_support(iommu->ecap) && pdev->desc->ats && f &&
			      f->ats_ecap;
	info->pasid_supported = pasid_supported(iommu) && dev->pasid_bits;
	info->pri_supported = ecap_prs(iommu->ecap) && pdev->desc->pri && f && f->pri_ecap &&
			      info->ats_supported;
	if (info->ats_supported) {
		unsigned int qdep = PCI_ATS_CAP_QDEP(pci_cfg_read(f, f->ats_ecap + PCI_ATS_CAP, 2));

		info->ats_qdep = qdep ? qdep : QI_DEV_IOTLB_MAX_INVS;
	}

	{
		guard(mutex)(&iommu->devices_lock);
		ret = xa_insert(&iommu->devices, info_rid(info), info, GFP_KERNEL);
	}
	if (ret) {
		/* Two devices with one requester ID: the platform description is wrong */
		kfree(info);
		return (struct iommu_device *)ERR_PTR(ret == -EBUSY ? -EINVAL : ret);
	}
	dev_iommu_priv_set(dev, info);

	if (sm_supported(iommu)) {
		ret = intel_pasid_alloc_table(dev);
		if (!ret)
			ret = intel_pasid_setup_sm_context(dev);
	} else {
		/*
		 * Legacy mode: each attach writes the context entry; its table
		 * is allocated now (it lives as long as the unit), so that an
		 * attach allocates nothing the unit keeps
		 */
		guard(spinlock)(&iommu->lock);
		ret = iommu_context_addr(iommu, info->bus, info->devfn, true) ? 0 : -ENOMEM;
	}
	if (ret) {
		intel_pasid_free_table(dev);
		{
			guard(mutex)(&iommu->devices_lock);
			xa_erase(&iommu->devices, info_rid(info));
		}
		dev_iommu_priv_set(dev, NULL);
		kfree(info);
		return (struct iommu_device *)ERR_PTR(ret);
	}
	/* The context entry allows translation requests: let the endpoint ask */
	iommu_enable_pci_ats(info);
	intel_iommu_debugfs_create_dev(info);
	return &iommu->iommu;
}

static void intel_iommu_release_device(struct device *dev)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu;

	if (!info)
		return;
	iommu = info->iommu;
	intel_iommu_debugfs_remove_dev(info);
	device_block_translation(dev);
	if (sm_supported(iommu))
		intel_pasid_teardown_sm_context(dev);
	iommu_disable_pci_ats(info);
	if (info->pri_enabled)
		iommu_set_pci_pri(info, false);
	{
		guard(mutex)(&iommu->devices_lock);
		xa_erase(&iommu->devices, info_rid(info));
	}
	intel_pasid_free_table(dev);
	dev_iommu_priv_set(dev, NULL);
	kfree(info);
}

static bool intel_iommu_capable(struct device *dev, enum iommu_cap cap)
{
	struct device_domain_info *info = dev_to_info(dev);

	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
	case IOMMU_CAP_DEFERRED_FLUSH:
		return true;
	case IOMMU_CAP_PRE_BOOT_PROTECTION:
		return false;
	case IOMMU_CAP_ENFORCE_CACHE_COHERENCY:
		return info && ecap_sc_support(info->iommu->ecap);
	case IOMMU_CAP_DIRTY_TRACKING:
		return info && ssads_supported(info->iommu);
	case IOMMU_CAP_PCI_ATS_SUPPORTED:
		return info && info->ats_supported;
	default:
		return false;
	}
}

static void intel_iommu_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct iommu_resv_region *reg;

	/* The interrupt address range is never translated on x86 */
	reg = iommu_alloc_resv_region(0xfee00000UL, 0x100000UL, IOMMU_WRITE | IOMMU_MMIO,
				      IOMMU_RESV_MSI, GFP_KERNEL);
	if (reg)
		list_add_tail(&reg->list, head);
}

const struct iommu_ops intel_iommu_ops = {
	.capable = intel_iommu_capable,
	.hw_info = intel_iommu_hw_info,
	.domain_alloc_paging_flags = intel_iommu_domain_alloc_paging_flags,
	.domain_alloc_nested = intel_iommu_domain_alloc_nested,
	.probe_device = intel_iommu_probe_device,
	.release_device = intel_iommu_release_device,
	.device_group = platform_device_group,
	.get_resv_regions = intel_iommu_get_resv_regions,
	.page_response = intel_iommu_page_response,
	.default_domain_ops = &intel_paging_domain_ops,
	.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
	.identity_domain = &identity_domain,
	.blocked_domain = &blocking_domain,
	.release_domain = &blocking_domain,
	.default_domain = &blocking_domain,
};
