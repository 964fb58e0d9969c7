// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-d: queued invalidation and the primary fault log (upstream's
 * dmar.c).
 *
 * The invalidation queue is QI_LENGTH 256-bit descriptors in fake physical
 * memory; every submission is followed by an invalidation wait descriptor
 * whose status write lands in desc_status[] (also fake memory), which the
 * submitter polls. While polling it checks FSTS: an invalid descriptor
 * stops the hardware with IQH at it (FSTS.IQE); the submitter overwrites
 * the bad slot with its wait descriptor, clears IQE so the queue resumes,
 * and fails the submission with -EINVAL (upstream's qi_check_fault()).
 * Upstream recovers only when the bad descriptor is the first of the batch;
 * here any slot of the batch is recognised, so a bad descriptor in the
 * middle of a batch does not leave the submitter spinning.
 *
 * Faults: the unit records faults in its fault recording registers (at
 * CAP.FRO) and raises the fault event; dmar_fault() walks the records from
 * FSTS.FRI, logs and clears each, then clears the overflow status.
 */
#include "drivers/intel/iommu.h"

#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/slab.h"

/* ----- Queued invalidation ----- */

static unsigned int qi_shift(struct intel_iommu *iommu)
{
	/* 256-bit descriptors in scalable mode (IQA.DW), as the spec requires there */
	return DMAR_IQ_SHIFT + !!ecap_smts(iommu->ecap);
}

static void __dmar_enable_qi(struct intel_iommu *iommu)
{
	struct q_inval *qi = iommu->qi;
	u64 val = virt_to_phys(qi->desc);
	u32 sts;

	qi->free_head = qi->free_tail = 0;
	qi->free_cnt = QI_LENGTH;
	/* 256-bit descriptors: QS counts 4 KiB pages, 2 of them here */
	if (ecap_smts(iommu->ecap))
		val |= DMA_IQA_DW | 1;

	guard(spinlock)(&iommu->register_lock);
	writeq(0, (u8 __iomem *)iommu->reg + DMAR_IQT_REG);
	writeq(val, (u8 __iomem *)iommu->reg + DMAR_IQA_REG);
	iommu->gcmd |= DMA_GCMD_QIE;
	writel(iommu->gcmd, (u8 __iomem *)iommu->reg + DMAR_GCMD_REG);
	readl_poll_timeout((u8 __iomem *)iommu->reg + DMAR_GSTS_REG, sts, sts & DMA_GSTS_QIES,
			   0, 1000000);
}

int dmar_enable_qi(struct intel_iommu *iommu)
{
	struct q_inval *qi;
	size_t size = (size_t)QI_LENGTH << qi_shift(iommu);

	if (!ecap_qis(iommu->ecap))
		return -ENOENT;
	if (iommu->qi)
		return 0;
	qi = (struct q_inval *)kzalloc(sizeof(*qi), GFP_KERNEL);
	if (!qi)
		return -ENOMEM;
	qi->desc = iommu_alloc_pages_sz(GFP_KERNEL, size);
	if (!qi->desc) {
		kfree(qi);
		return -ENOMEM;
	}
	/* Wait descriptors write their status by physical address */
	qi->desc_status = (u32 *)iommu_alloc_pages_sz(GFP_KERNEL, QI_LENGTH * sizeof(u32));
	if (!qi->desc_status) {
		iommu_free_pages(qi->desc);
		kfree(qi);
		return -ENOMEM;
	}
	spin_lock_init(&qi->q_lock);
	iommu->qi = qi;
	__dmar_enable_qi(iommu);
	return 0;
}

void dmar_disable_qi(struct intel_iommu *iommu)
{
	struct q_inval *qi = iommu->qi;
	u32 sts;

	if (!qi)
		return;
	{
		guard(spinlock)(&iommu->register_lock);
		iommu->gcmd &= ~DMA_GCMD_QIE;
		writel(iommu->gcmd, (u8 __iomem *)iommu->reg + DMAR_GCMD_REG);
		readl_poll_timeout((u8 __iomem *)iommu->reg + DMAR_GSTS_REG, sts,
				   !(sts & DMA_GSTS_QIES), 0, 1000000);
	}
	iommu_free_pages(qi->desc_status);
	iommu_free_pages(qi->desc);
	kfree(qi);
	iommu->qi = NULL;
}

static void reclaim_free_desc(struct q_inval *qi)
{
	while (qi->desc_status[qi->free_tail] == QI_FREE && qi->free_tail != qi->free_head) {
		qi->free_tail = (qi->free_tail + 1) % QI_LENGTH;
		qi->free_cnt++;
	}
}

static bool qi_index_in(int idx, int first, int last)
{
	if (first <= last)
		return idx >= first && idx <= last;
	return idx >= first || idx <= last;
}

/*
 * The queue stopped with IQE at a descriptor of ours: replace it by our
 * wait descriptor and let the queue go on, the submission fails.
 */
static int qi_check_fault(struct intel_iommu *iommu, int index, int wait_index)
{
	struct q_inval *qi = iommu->qi;
	unsigned int shift = qi_shift(iommu);
	u8 __iomem *reg = (u8 __iomem *)iommu->reg;
	u32 fault = readl(reg + DMAR_FSTS_REG);

	if (fault & DMA_FSTS_IQE) {
		int head = (int)((readl(reg + DMAR_IQH_REG) & DMA_IQ_OFFSET) >> shift);

		if (qi_index_in(head, index, wait_index) && head != wait_index) {
			struct qi_desc *desc = (struct qi_desc *)((u8 *)qi->desc + (head << shift));
			u64 iqer = readq(reg + DMAR_IQER_REG);

			/* qw2/qw3 may carry software data: not printed, as upstream */
			intel_iommu_err(iommu,
					"VT-d detected invalid descriptor: qw0 = %llx, qw1 = %llx (IQEI %u)",
					(unsigned long long)desc->qw0, (unsigned long long)desc->qw1,
					DMAR_IQER_REG_IQEI(iqer));
			memcpy(desc, (u8 *)qi->desc + (wait_index << shift), 1U << shift);
			iommu->nr_iqe++;
			writel(DMA_FSTS_IQE, reg + DMAR_FSTS_REG);
			return -EINVAL;
		}
	}
	/* Device-TLB completion errors and time-outs: endpoints here always answer */
	if (fault & DMA_FSTS_ICE)
		writel(DMA_FSTS_ICE, reg + DMAR_FSTS_REG);
	if (fault & DMA_FSTS_ITE)
		writel(DMA_FSTS_ITE, reg + DMAR_FSTS_REG);
	return 0;
}

/*
 * Submit @count descriptors and wait until the hardware has completed them
 * (a wait descriptor after them). 0, or -EINVAL if the hardware rejected
 * one of them.
 */
int qi_submit_sync(struct intel_iommu *iommu, struct qi_desc *desc, unsigned int count,
		   unsigned long options)
{
	struct q_inval *qi = iommu->qi;
	unsigned int shift = qi_shift(iommu);
	size_t dsz = 1U << shift;
	struct qi_desc wait_desc = {};
	int wait_index, index;
	unsigned int i;
	int rc = 0;

	if (!qi || WARN_ON(!count || count > QI_LENGTH - 2))
		return -EINVAL;

	spin_lock(&qi->q_lock);
	/* Room for the descriptors, the wait, and one slot kept free (IQH != IQT when full) */
	while (qi->free_cnt < (int)count + 2) {
		spin_unlock(&qi->q_lock);
		cpu_relax();
		spin_lock(&qi->q_lock);
	}

	index = qi->free_head;
	wait_index = (index + count) % QI_LENGTH;
	for (i = 0; i < count; i++) {
		int slot = (index + i) % QI_LENGTH;

		memcpy((u8 *)qi->desc + ((size_t)slot << shift), &desc[i], dsz);
		WRITE_ONCE(qi->desc_status[slot], (u32)QI_IN_USE);
	}

	wait_desc.qw0 = QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_STATUS_WRITE | QI_IWD_TYPE;
	if (options & QI_OPT_WAIT_DRAIN)
		wait_desc.qw0 |= QI_IWD_PRQ_DRAIN;
	wait_desc.qw1 = virt_to_phys(&qi->desc_status[wait_index]);
	memcpy((u8 *)qi->desc + ((size_t)wait_index << shift), &wait_desc, dsz);
	WRITE_ONCE(qi->desc_status[wait_index], (u32)QI_IN_USE);

	qi->free_head = (wait_index + 1) % QI_LENGTH;
	qi->free_cnt -= count + 1;

	/* The hardware reads the descriptors once the tail moves past them */
	writel((u32)(qi->free_head << shift), (u8 __iomem *)iommu->reg + DMAR_IQT_REG);

	while (READ_ONCE(qi->desc_status[wait_index]) != QI_DONE) {
		rc = qi_check_fault(iommu, index, wait_index);
		if (rc)
			break;
		spin_unlock(&qi->q_lock);
		cpu_relax();
		spin_lock(&qi->q_lock);
	}
	/*
	 * After an IQE the copied wait descriptor completes in the bad slot;
	 * wait for ours too so no slot is reused while the hardware may
	 * still write it.
	 */
	while (rc && READ_ONCE(qi->desc_status[wait_index]) != QI_DONE) {
		if (qi_check_fault(iommu, index, wait_index) && !ecap_qis(iommu->ecap))
			break;
		spin_unlock(&qi->q_lock);
		cpu_relax();
		spin_lock(&qi->q_lock);
	}

	for (i = 0; i <= count; i++)
		WRITE_ONCE(qi->desc_status[(index + i) % QI_LENGTH], (u32)QI_FREE);
	reclaim_free_desc(qi);
	spin_unlock(&qi->q_lock);
	return rc;
}

void qi_flush_context(struct intel_iommu *iommu, u16 did, u16 sid, u8 fm, u64 type)
{
	struct qi_desc desc = {};

	desc.qw0 = QI_CC_FM(fm) | QI_CC_SID(sid) | QI_CC_DID(did) | QI_CC_GRAN(type) | QI_CC_TYPE;
	qi_submit_sync(iommu, &desc, 1, 0);
}

void qi_flush_iotlb(struct intel_iommu *iommu, u16 did, u64 addr, unsigned int size_order,
		    u64 type)
{
	struct qi_desc desc = {};

	desc.qw0 = QI_IOTLB_DID(did) | QI_IOTLB_DR(1) | QI_IOTLB_DW(1) | QI_IOTLB_GRAN(type) |
		   QI_IOTLB_TYPE;
	desc.qw1 = QI_IOTLB_ADDR(addr) | QI_IOTLB_AM(size_order);
	qi_submit_sync(iommu, &desc, 1, 0);
}

void qi_flush_dev_iotlb(struct intel_iommu *iommu, u16 sid, u16 pfsid, u16 qdep, u64 addr,
			unsigned int mask)
{
	struct qi_desc desc = {};

	/* The size bit with the address's low bits set encodes 2^mask pages */
	if (mask) {
		addr |= (1ULL << (VTD_PAGE_SHIFT + mask - 1)) - 1;
		desc.qw1 = QI_DEV_IOTLB_ADDR(addr) | QI_DEV_IOTLB_SIZE;
	} else {
		desc.qw1 = QI_DEV_IOTLB_ADDR(addr);
	}
	if (qdep >= QI_DEV_IOTLB_MAX_INVS)
		qdep = 0;
	desc.qw0 = QI_DEV_IOTLB_SID(sid) | QI_DEV_IOTLB_QDEP(qdep) | QI_DIOTLB_TYPE |
		   QI_DEV_IOTLB_PFSID(pfsid);
	qi_submit_sync(iommu, &desc, 1, 0);
}

/* PASID-based IOTLB: @npages == -1 is every entry of (DID, PASID). */
void qi_flush_piotlb(struct intel_iommu *iommu, u16 did, u32 pasid, u64 addr,
		     unsigned long npages, bool ih)
{
	struct qi_desc desc = {};

	if (WARN_ON(!npages))
		return;
	if (npages == -1UL) {
		desc.qw0 = QI_EIOTLB_PASID(pasid) | QI_EIOTLB_DID(did) |
			   QI_EIOTLB_GRAN(QI_GRAN_NONG_PASID) | QI_EIOTLB_TYPE;
		desc.qw1 = 0;
	} else {
		unsigned int mask = ilog2(roundup_pow_of_two(npages));
		u64 align = 1ULL << (VTD_PAGE_SHIFT + mask);

		if (WARN_ON(!IS_ALIGNED(addr, align)))
			addr = ALIGN_DOWN(addr, align);
		desc.qw0 = QI_EIOTLB_PASID(pasid) | QI_EIOTLB_DID(did) |
			   QI_EIOTLB_GRAN(QI_GRAN_PSI_PASID) | QI_EIOTLB_TYPE;
		desc.qw1 = QI_EIOTLB_ADDR(addr) | QI_EIOTLB_IH(ih) | QI_EIOTLB_AM(mask);
	}
	qi_submit_sync(iommu, &desc, 1, 0);
}

void qi_flush_dev_iotlb_pasid(struct intel_iommu *iommu, u16 sid, u16 pfsid, u32 pasid,
			      u16 qdep, u64 addr, unsigned int size_order)
{
	struct qi_desc desc = {};

	if (qdep >= QI_DEV_EIOTLB_MAX_INVS)
		qdep = 0;
	desc.qw0 = QI_DEV_EIOTLB_PASID(pasid) | QI_DEV_EIOTLB_SID(sid) |
		   QI_DEV_EIOTLB_QDEP(qdep) | QI_DEIOTLB_TYPE | QI_DEV_EIOTLB_PFSID(pfsid);
	desc.qw1 = QI_DEV_EIOTLB_ADDR(addr);
	if (size_order) {
		/* The range must be naturally aligned to its size */
		if (size_order + VTD_PAGE_SHIFT < 64 &&
		    !IS_ALIGNED(addr, 1ULL << (VTD_PAGE_SHIFT + size_order))) {
			intel_iommu_err(iommu, "invalidate devTLB: unaligned addr %llx order %u",
					(unsigned long long)addr, size_order);
			addr &= ~((1ULL << (VTD_PAGE_SHIFT + size_order)) - 1);
			desc.qw1 = QI_DEV_EIOTLB_ADDR(addr);
		}
		desc.qw1 |= GENMASK_ULL(min(size_order + VTD_PAGE_SHIFT - 1, 63U), VTD_PAGE_SHIFT);
		desc.qw1 |= QI_DEV_EIOTLB_SIZE;
	}
	qi_submit_sync(iommu, &desc, 1, 0);
}

void qi_flush_pasid_cache(struct intel_iommu *iommu, u16 did, u64 granu, u32 pasid)
{
	struct qi_desc desc = {};

	desc.qw0 = QI_PC_PASID(pasid) | QI_PC_DID(did) | QI_PC_GRAN(granu) | QI_PC_TYPE;
	qi_submit_sync(iommu, &desc, 1, 0);
}

/* ----- Primary fault log ----- */

/* What the spec's fault condition codes mean, for the log line (7.1.3, 7.2). */
static const char *dmar_fault_reason_str(u8 reason)
{
	switch (reason) {
	case DMAR_FR_ROOT_ENTRY_P: return "Present bit in root entry is clear";
	case 0x2: return "Present bit in context entry is clear";
	case 0x5: return "PTE Write access is not set";
	case 0x6: return "PTE Read access is not set";
	case DMAR_FR_SM_RTA_INVALID: return "SM: Invalid Root Table Address";
	case DMAR_FR_SM_ROOT_P: return "SM: Present bit in Root Entry is clear";
	case DMAR_FR_SM_CTX_P: return "SM: Present bit in Context Entry is clear";
	case DMAR_FR_SM_CTX_INV: return "SM: Invalid Context Entry";
	case DMAR_FR_SM_CTX_PASIDE: return "SM: Request with PASID, PASID Enable clear";
	case DMAR_FR_SM_PDE_P: return "SM: Present bit in PASID Directory Entry is clear";
	case DMAR_FR_SM_PTE_P: return "SM: Present bit in PASID Table Entry is clear";
	case DMAR_FR_SM_PTE_RSVD: return "SM: Non-zero reserved field set in PASID Table Entry";
	case DMAR_FR_SM_PTE_SRE: return "SM: Supervisor request with SRE clear";
	case DMAR_FR_SM_FS_P: return "SM: First-stage entry not present or access refused";
	case DMAR_FR_SM_FS_RSVD: return "SM: Non-zero reserved field set in first-stage entry";
	case DMAR_FR_SM_FS_NESTED_READ: return "SM: Second stage refuses a first-stage table read";
	case DMAR_FR_SM_FS_NESTED_WRITE: return "SM: Second stage refuses a first-stage A/D update";
	case DMAR_FR_SM_SS_P: return "SM: Second-stage entry not present";
	case DMAR_FR_SM_SS_RSVD: return "SM: Non-zero reserved field set in second-stage entry";
	default: return "Unknown";
	}
}

static void dmar_fault_do_one(struct intel_iommu *iommu, int type, u8 fault_reason,
			      u32 pasid, u16 source_id, unsigned long long addr)
{
	struct dmar_fault_info *f;

	{
		guard(spinlock)(&iommu->fault_log_lock);
		f = &iommu->fault_log[iommu->fault_log_next++ % DMAR_FAULT_LOG_LEN];
		f->source_id = source_id;
		f->reason = fault_reason;
		f->pasid_present = pasid != IOMMU_PASID_INVALID;
		f->pasid = f->pasid_present ? pasid : 0;
		f->addr = addr;
		f->write = !type;
	}
	iommu->nr_faults++;
	if (iommu->quiet_faults)
		return;
	if (pasid == IOMMU_PASID_INVALID)
		fprintf(stderr,
			"DMAR: [%s NO_PASID] Request device [%02x:%02x.%d] fault addr 0x%llx [fault reason 0x%02x] %s\n",
			type ? "DMA Read" : "DMA Write", source_id >> 8, PCI_SLOT(source_id & 0xff),
			PCI_FUNC(source_id & 0xff), addr, fault_reason,
			dmar_fault_reason_str(fault_reason));
	else
		fprintf(stderr,
			"DMAR: [%s PASID 0x%x] Request device [%02x:%02x.%d] fault addr 0x%llx [fault reason 0x%02x] %s\n",
			type ? "DMA Read" : "DMA Write", pasid, source_id >> 8,
			PCI_SLOT(source_id & 0xff), PCI_FUNC(source_id & 0xff), addr, fault_reason,
			dmar_fault_reason_str(fault_reason));
}

/* The fault event: every pending record, from FSTS.FRI on. */
int dmar_fault(struct intel_iommu *iommu)
{
	u8 __iomem *reg = (u8 __iomem *)iommu->reg;
	unsigned int nr = cap_num_fault_regs(iommu->cap);
	unsigned int frcd = cap_fault_reg_offset(iommu->cap);
	u32 fault_status;
	unsigned int fault_index;

	fault_status = readl(reg + DMAR_FSTS_REG);
	if (fault_status & DMA_FSTS_PPF) {
		fault_index = dma_fsts_fault_record_index(fault_status);
		for (unsigned int n = 0; n < nr; n++) {
			u8 __iomem *rec = reg + frcd + fault_index * PRIMARY_FAULT_REG_LEN;
			u32 data = readl(rec + 12);
			u32 hi_lo;
			u64 guest_addr;
			int type;
			u8 fault_reason;
			u16 source_id;
			u32 pasid;

			if (!(data & DMA_FRCD_F))
				break;
			fault_reason = dma_frcd_fault_reason(data);
			type = dma_frcd_type(data);
			hi_lo = readl(rec + 8);
			pasid = dma_frcd_pasid_present(hi_lo) ? dma_frcd_pasid_value(data)
							      : IOMMU_PASID_INVALID;
			source_id = dma_frcd_source_id(hi_lo);
			guest_addr = dma_frcd_page_addr(readq(rec));
			/* Clear the record before looking at it further: it may be reused */
			writel(DMA_FRCD_F, rec + 12);
			dmar_fault_do_one(iommu, type, fault_reason, pasid, source_id, guest_addr);
			if (++fault_index >= nr)
				fault_index = 0;
		}
	}
	writel(DMA_FSTS_PFO | DMA_FSTS_PPF | DMA_FSTS_PRO, reg + DMAR_FSTS_REG);
	return 0;
}

void dmar_fault_log_get(struct intel_iommu *iommu, struct dmar_fault_info *out,
			unsigned long *count)
{
	guard(spinlock)(&iommu->fault_log_lock);
	*count = iommu->fault_log_next;
	if (iommu->fault_log_next)
		*out = iommu->fault_log[(iommu->fault_log_next - 1) % DMAR_FAULT_LOG_LEN];
}
