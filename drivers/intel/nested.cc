// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-d for iommufd: IOMMU_GET_HW_INFO and nested domains (upstream's
 * nested.c and intel_iommu_hw_info()).
 *
 * A nested domain is a guest's first-stage table (iommu_hwpt_vtd_s1: its
 * guest-physical root, width and flags) over a nest-parent second-stage
 * domain. It has its own DID; attaching writes a PASID entry of type
 * nested (PGTT 011b) holding both roots, so every guest table read and the
 * output go through the parent. The guest's table lives in guest memory
 * and is hostile: the unit walks it through stage 2 and faults what is
 * wrong, the driver checks only what the PASID entry needs (width, SRE,
 * EAFE) when attaching, with -EINVAL as upstream.
 *
 * Invalidation (IOMMU_HWPT_INVALIDATE, iommu_hwpt_vtd_s1_invalidate): each
 * request becomes a flush of the nested domain's cache tags, by range or
 * (addr 0, npages U64_MAX) whole; IH when the guest says only leaves
 * changed. A request with unknown flags or reserved bits is -EOPNOTSUPP,
 * a misaligned address or a "whole" request with an address -EINVAL;
 * entry_num comes back as the number handled.
 */
#include "drivers/intel/iommu.h"

#include "harness/slab.h"

/* ----- IOMMU_GET_HW_INFO ----- */

void *intel_iommu_hw_info(struct device *dev, u32 *length, u32 *type)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct intel_iommu *iommu = info->iommu;
	struct iommu_hw_info_vtd *vtd;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT && *type != IOMMU_HW_INFO_TYPE_INTEL_VTD)
		return ERR_PTR(-EOPNOTSUPP);
	vtd = (struct iommu_hw_info_vtd *)kzalloc(sizeof(*vtd), GFP_KERNEL);
	if (!vtd)
		return ERR_PTR(-ENOMEM);
	/*
	 * Upstream reports the erratum on every unit: a VMM must not let a
	 * guest rely on second-stage A/D state of read-only mappings.
	 */
	vtd->flags = IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17;
	vtd->cap_reg = iommu->cap;
	vtd->ecap_reg = iommu->ecap;
	*length = sizeof(*vtd);
	*type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	return vtd;
}

/* ----- Nested domains ----- */

static int intel_nested_attach_dev(struct iommu_domain *domain, struct device *dev,
				   struct iommu_domain *old)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	int ret;

	/* The stage 2 is what the unit walks for every guest table: it must fit */
	ret = paging_domain_compatible(&dmar_domain->s2_domain->domain, dev);
	if (ret) {
		intel_iommu_err(dev_to_info(dev)->iommu, "%s: s2 domain is not compatible",
				dev_name(dev));
		return ret;
	}
	device_block_translation(dev);
	return dmar_domain_attach_device_or_restore(dmar_domain, dev, old);
}

static int intel_nested_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
				      ioasid_t pasid, struct iommu_domain *old)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	int ret;

	if (!pasid_supported(dev_to_info(dev)->iommu))
		return -EOPNOTSUPP;
	ret = paging_domain_compatible(&dmar_domain->s2_domain->domain, dev);
	if (ret)
		return ret;
	return dmar_domain_set_dev_pasid(dmar_domain, dev, pasid, old);
}

static void intel_nested_domain_free(struct iommu_domain *domain)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct dmar_domain *s2_domain = dmar_domain->s2_domain;

	{
		guard(spinlock)(&s2_domain->s1_lock);
		list_del(&dmar_domain->s2_link);
	}
	WARN_ON(cache_tag_count(dmar_domain));
	xa_destroy(&dmar_domain->iommu_array);
	kfree(dmar_domain);
}

static int intel_nested_cache_invalidate_user(struct iommu_domain *domain,
					      struct iommu_user_data_array *array)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct iommu_hwpt_vtd_s1_invalidate inv_entry;
	u32 index, processed = 0;
	int ret = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) {
		ret = -EINVAL;
		goto out;
	}
	for (index = 0; index < array->entry_num; index++) {
		ret = iommu_copy_struct_from_user_array(&inv_entry, array,
							IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, index,
							__reserved);
		if (ret)
			break;
		if ((inv_entry.flags & ~IOMMU_VTD_INV_FLAGS_LEAF) || inv_entry.__reserved) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (!IS_ALIGNED(inv_entry.addr, VTD_PAGE_SIZE) ||
		    (inv_entry.npages == U64_MAX && inv_entry.addr)) {
			ret = -EINVAL;
			break;
		}
		if (inv_entry.npages == U64_MAX) {
			cache_tag_flush_all(dmar_domain);
		} else if (inv_entry.npages) {
			u64 end = inv_entry.addr + inv_entry.npages * VTD_PAGE_SIZE - 1;

			/* A range past the top of the address space: everything */
			if (inv_entry.npages > (U64_MAX >> VTD_PAGE_SHIFT) || end < inv_entry.addr)
				cache_tag_flush_all(dmar_domain);
			else
				cache_tag_flush_range(dmar_domain, inv_entry.addr, end,
						      inv_entry.flags & IOMMU_VTD_INV_FLAGS_LEAF);
		}
		processed++;
	}
out:
	array->entry_num = processed;
	return ret;
}

static const struct iommu_domain_ops intel_nested_domain_ops = {
	.attach_dev = intel_nested_attach_dev,
	.set_dev_pasid = intel_nested_set_dev_pasid,
	.cache_invalidate_user = intel_nested_cache_invalidate_user,
	.free = intel_nested_domain_free,
};

struct iommu_domain *intel_iommu_domain_alloc_nested(struct device *dev,
						     struct iommu_domain *parent, u32 flags,
						     const struct iommu_user_data *user_data)
{
	struct device_domain_info *info = dev_to_info(dev);
	struct dmar_domain *s2_domain = to_dmar_domain(parent);
	struct intel_iommu *iommu = info->iommu;
	struct iommu_hwpt_vtd_s1 vtd;
	struct dmar_domain *domain;
	int ret;

	if (!nested_supported(iommu) || (flags & ~IOMMU_HWPT_ALLOC_PASID))
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	/* Must be a guest stage 1 */
	if (user_data->type != IOMMU_HWPT_DATA_VTD_S1)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	if (parent->ops != intel_iommu_ops.default_domain_ops || !s2_domain->nested_parent)
		return (struct iommu_domain *)ERR_PTR(-EINVAL);

	ret = iommu_copy_struct_from_user(&vtd, user_data, IOMMU_HWPT_DATA_VTD_S1, __reserved);
	if (ret)
		return (struct iommu_domain *)ERR_PTR(ret);

	domain = dmar_domain_alloc();
	if (!domain)
		return (struct iommu_domain *)ERR_PTR(-ENOMEM);
	domain->use_first_level = true;
	domain->s2_domain = s2_domain;
	domain->s1_cfg = vtd;
	domain->domain.ops = &intel_nested_domain_ops;
	domain->domain.type = IOMMU_DOMAIN_NESTED;
	domain->domain.owner = &intel_iommu_ops;

	guard(spinlock)(&s2_domain->s1_lock);
	list_add(&domain->s2_link, &s2_domain->s1_domains);
	return &domain->domain;
}
