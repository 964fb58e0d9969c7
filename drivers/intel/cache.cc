// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-d: cache tags (upstream's cache.c).
 *
 * A domain keeps one tag per place its translations can be cached: the
 * IOTLB of a unit under a (DID, PASID), and the device-TLB of each ATS
 * device attached to it. Attaching assigns tags (counted, since a device
 * can use a domain on several PASIDs sharing one DID) before the PASID
 * entry points at the domain; detaching drops them after. A change of the
 * domain's page table is flushed by walking the tags: first-stage domains
 * with PASID-based IOTLB descriptors, second-stage ones with IOTLB
 * descriptors by DID, device-TLBs by address range.
 *
 * Nested domains also tag their parent with NESTING tags (the nested
 * domain's DID): a change of the stage 2 must also drop the combined
 * translations the nested DIDs cached, and the device-TLBs of devices
 * under a nested domain, whose addresses are guest IOVAs the parent's
 * range says nothing about, are flushed whole.
 */
#include "drivers/intel/iommu.h"

#include "harness/slab.h"

static bool cache_tag_match(struct cache_tag *tag, u16 did, struct intel_iommu *iommu,
			    struct device *dev, ioasid_t pasid, enum cache_tag_type type)
{
	if (tag->type != type || tag->domain_id != did || tag->pasid != pasid ||
	    tag->iommu != iommu)
		return false;
	if (type == CACHE_TAG_DEVTLB || type == CACHE_TAG_NESTING_DEVTLB)
		return tag->dev == dev;
	return true;
}

static int cache_tag_assign(struct dmar_domain *domain, u16 did, struct device *dev,
			    ioasid_t pasid, enum cache_tag_type type)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct cache_tag *tag, *temp;

	tag = (struct cache_tag *)kzalloc(sizeof(*tag), GFP_KERNEL);
	if (!tag)
		return -ENOMEM;
	tag->type = type;
	tag->iommu = iommu;
	tag->domain_id = did;
	tag->pasid = pasid;
	tag->users = 1;
	if (type == CACHE_TAG_DEVTLB || type == CACHE_TAG_NESTING_DEVTLB)
		tag->dev = dev;

	guard(spinlock)(&domain->cache_lock);
	list_for_each_entry(temp, &domain->cache_tags, node) {
		if (cache_tag_match(temp, did, iommu, dev, pasid, type)) {
			temp->users++;
			kfree(tag);
			return 0;
		}
	}
	list_add_tail(&tag->node, &domain->cache_tags);
	return 0;
}

static void cache_tag_unassign(struct dmar_domain *domain, u16 did, struct device *dev,
			       ioasid_t pasid, enum cache_tag_type type)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct cache_tag *tag;

	guard(spinlock)(&domain->cache_lock);
	list_for_each_entry(tag, &domain->cache_tags, node) {
		if (cache_tag_match(tag, did, iommu, dev, pasid, type)) {
			if (--tag->users == 0) {
				list_del(&tag->node);
				kfree(tag);
			}
			return;
		}
	}
}

static int __cache_tag_assign_domain(struct dmar_domain *domain, u16 did, struct device *dev,
				     ioasid_t pasid, bool nesting)
{
	struct device_domain_info *info = dev_to_info(dev);
	int ret;

	ret = cache_tag_assign(domain, did, dev, pasid,
			       nesting ? CACHE_TAG_NESTING_IOTLB : CACHE_TAG_IOTLB);
	if (ret || !info->ats_enabled)
		return ret;
	ret = cache_tag_assign(domain, did, dev, pasid,
			       nesting ? CACHE_TAG_NESTING_DEVTLB : CACHE_TAG_DEVTLB);
	if (ret)
		cache_tag_unassign(domain, did, dev, pasid,
				   nesting ? CACHE_TAG_NESTING_IOTLB : CACHE_TAG_IOTLB);
	return ret;
}

static void __cache_tag_unassign_domain(struct dmar_domain *domain, u16 did, struct device *dev,
					ioasid_t pasid, bool nesting)
{
	struct device_domain_info *info = dev_to_info(dev);

	cache_tag_unassign(domain, did, dev, pasid,
			   nesting ? CACHE_TAG_NESTING_IOTLB : CACHE_TAG_IOTLB);
	if (info->ats_enabled)
		cache_tag_unassign(domain, did, dev, pasid,
				   nesting ? CACHE_TAG_NESTING_DEVTLB : CACHE_TAG_DEVTLB);
}

int cache_tag_assign_domain(struct dmar_domain *domain, struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_to_info(dev);
	u16 did = domain_id_iommu(domain, info->iommu);
	int ret;

	ret = __cache_tag_assign_domain(domain, did, dev, pasid, false);
	if (ret || domain->domain.type != IOMMU_DOMAIN_NESTED)
		return ret;
	ret = __cache_tag_assign_domain(domain->s2_domain, did, dev, pasid, true);
	if (ret)
		__cache_tag_unassign_domain(domain, did, dev, pasid, false);
	return ret;
}

void cache_tag_unassign_domain(struct dmar_domain *domain, struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_to_info(dev);
	u16 did = domain_id_iommu(domain, info->iommu);

	__cache_tag_unassign_domain(domain, did, dev, pasid, false);
	if (domain->domain.type == IOMMU_DOMAIN_NESTED)
		__cache_tag_unassign_domain(domain->s2_domain, did, dev, pasid, true);
}

unsigned int cache_tag_count(struct dmar_domain *domain)
{
	struct cache_tag *tag;
	unsigned int n = 0;

	guard(spinlock)(&domain->cache_lock);
	list_for_each_entry(tag, &domain->cache_tags, node)
		n++;
	return n;
}

/*
 * The naturally aligned power-of-two block of pages covering [start, end]:
 * its first address, page count and order (upstream's
 * calculate_psi_aligned_address()).
 */
static unsigned long calculate_psi_aligned_address(unsigned long start, unsigned long end,
						   unsigned long *_pages, unsigned long *_mask)
{
	unsigned long pages = (((end & ~(VTD_PAGE_SIZE - 1)) - (start & ~(VTD_PAGE_SIZE - 1))) >>
			       VTD_PAGE_SHIFT) + 1;
	unsigned long aligned_pages = roundup_pow_of_two(pages);
	unsigned long bitmask = aligned_pages - 1;
	unsigned long mask = ilog2(aligned_pages);
	unsigned long pfn = start >> VTD_PAGE_SHIFT;

	if (bitmask & pfn) {
		unsigned long end_pfn = pfn + pages - 1, shared_bits;

		/* The range straddles a block boundary: take the block both ends share */
		shared_bits = ~(pfn ^ end_pfn) & ~bitmask;
		mask = shared_bits ? __ffs(shared_bits) : MAX_AGAW_PFN_WIDTH;
		aligned_pages = mask < BITS_PER_LONG ? 1UL << mask : 0;
	}
	*_pages = aligned_pages;
	*_mask = mask;
	return mask < BITS_PER_LONG - VTD_PAGE_SHIFT ? ALIGN_DOWN(start, VTD_PAGE_SIZE << mask) : 0;
}

static void cache_tag_flush_iotlb(struct dmar_domain *domain, struct cache_tag *tag,
				  unsigned long addr, unsigned long pages, unsigned long mask,
				  int ih)
{
	struct intel_iommu *iommu = tag->iommu;

	if (domain->use_first_level) {
		qi_flush_piotlb(iommu, tag->domain_id, tag->pasid, addr, pages, ih);
		return;
	}
	/*
	 * Second stage (by queue or register, see iommu->flush): page-selective
	 * where the unit can, else the whole DID
	 */
	if (!pages || pages == -1UL || !cap_pgsel_inv(iommu->cap) ||
	    mask > cap_max_amask_val(iommu->cap))
		iommu->flush.flush_iotlb(iommu, tag->domain_id, 0, 0, DMA_TLB_DSI_FLUSH);
	else
		iommu->flush.flush_iotlb(iommu, tag->domain_id,
					 addr | (ih ? DMA_TLB_IH_NONLEAF : 0), mask,
					 DMA_TLB_PSI_FLUSH);
}

static void cache_tag_flush_devtlb_psi(struct dmar_domain *domain, struct cache_tag *tag,
				       unsigned long addr, unsigned long mask)
{
	struct device_domain_info *info = dev_to_info(tag->dev);

	if (tag->pasid == IOMMU_NO_PASID)
		qi_flush_dev_iotlb(tag->iommu, info_rid(info), info->pfsid, info->ats_qdep, addr,
				   mask);
	else
		qi_flush_dev_iotlb_pasid(tag->iommu, info_rid(info), info->pfsid, tag->pasid,
					 info->ats_qdep, addr, mask);
}

static void cache_tag_flush_devtlb_all(struct dmar_domain *domain, struct cache_tag *tag)
{
	struct device_domain_info *info = dev_to_info(tag->dev);

	if (tag->pasid == IOMMU_NO_PASID)
		qi_flush_dev_iotlb(tag->iommu, info_rid(info), info->pfsid, info->ats_qdep, 0,
				   MAX_AGAW_PFN_WIDTH);
	else
		qi_flush_dev_iotlb_pasid(tag->iommu, info_rid(info), info->pfsid, tag->pasid,
					 info->ats_qdep, 0, MAX_AGAW_PFN_WIDTH);
}

/* [start, end] of the domain's table changed; @ih: only leaf entries did. */
void cache_tag_flush_range(struct dmar_domain *domain, unsigned long start, unsigned long end,
			   int ih)
{
	unsigned long pages, mask, addr;
	struct cache_tag *tag;

	addr = calculate_psi_aligned_address(start, end, &pages, &mask);
	if (!pages) {
		cache_tag_flush_all(domain);
		return;
	}

	guard(spinlock)(&domain->cache_lock);
	list_for_each_entry(tag, &domain->cache_tags, node) {
		switch (tag->type) {
		case CACHE_TAG_IOTLB:
		case CACHE_TAG_NESTING_IOTLB:
			cache_tag_flush_iotlb(domain, tag, addr, pages, mask, ih);
			break;
		case CACHE_TAG_NESTING_DEVTLB:
			/* Guest IOVAs: the parent's range says nothing of them */
			cache_tag_flush_devtlb_all(domain, tag);
			break;
		case CACHE_TAG_DEVTLB:
			cache_tag_flush_devtlb_psi(domain, tag, addr, mask);
			break;
		}
	}
}

void cache_tag_flush_all(struct dmar_domain *domain)
{
	struct cache_tag *tag;

	guard(spinlock)(&domain->cache_lock);
	list_for_each_entry(tag, &domain->cache_tags, node) {
		switch (tag->type) {
		case CACHE_TAG_IOTLB:
		case CACHE_TAG_NESTING_IOTLB:
			cache_tag_flush_iotlb(domain, tag, 0, -1UL, 0, 0);
			break;
		case CACHE_TAG_DEVTLB:
		case CACHE_TAG_NESTING_DEVTLB:
			cache_tag_flush_devtlb_all(domain, tag);
			break;
		}
	}
}
