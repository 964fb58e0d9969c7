// SPDX-License-Identifier: GPL-2.0
/*
 * Nested domains (upstream's nested.c): a guest DTE (struct
 * iommu_hwpt_amd_guest) on the nest parent of a vIOMMU.
 *
 * The guest's DTE keeps its stage-1 half only: GV, GLX, GIoV, PPR, the
 * GCR3 table root (a GPA) and the guest paging mode. The host half (V,
 * TV, Mode, HostPTR, IR/IW) comes from the parent's v1 table, so every
 * guest table and every guest output address is translated by it. What
 * the guest may not set is refused at allocation (validate_gdte_nested()),
 * with upstream's errnos: a Mode or HostPTR, V and GV without a GCR3 root,
 * a reserved guest paging mode or GLX -EINVAL; 5-level guest tables on an
 * IOMMU whose GATS walks only 4 -EOPNOTSUPP.
 *
 * DomainIDs: the guest tags its IOTLB entries by its own DomainID
 * (gDomID, DTE[79:64]). Two nested domains of one vIOMMU with one gDomID
 * share one host DomainID, so the guest's view that they are one cache
 * tag holds; the map is per vIOMMU, so two guests never share a host
 * DomainID. A change of the nest parent is flushed under every host
 * DomainID of every vIOMMU on it (iommu.cc, pdom_flush_targets()).
 *
 * Guest invalidations are trap-and-emulate, as upstream's flow: the VMM
 * that saw the guest's INVALIDATE_IOMMU_PAGES issues IOMMU_HWPT_INVALIDATE
 * on the nested HWPT (struct iommu_hwpt_amd_guest_inv, experimental) and
 * the driver sends the command under the host DomainID.
 */
#include "drivers/amd/amd_iommu.h"

#include "core/iommufd.h"
#include "harness/slab.h"

extern const struct iommu_domain_ops amd_nested_domain_ops;

static int validate_gdte_nested(struct amd_iommu *iommu, const struct iommu_hwpt_amd_guest *gdte)
{
	u64 gpt_level = FIELD_GET(DTE_GPT_LEVEL_MASK, gdte->dte[2]);

	/* The host half is the parent's */
	if (FIELD_GET(DTE_MODE_MASK, gdte->dte[0]) || FIELD_GET(DTE_HOST_TRP, gdte->dte[0]))
		return -EINVAL;
	/* A valid guest translation needs a GCR3 table */
	if ((gdte->dte[0] & DTE_FLAG_V) && (gdte->dte[0] & DTE_FLAG_GV) &&
	    !FIELD_GET(DTE_GCR3_14_12, gdte->dte[0]) && !FIELD_GET(DTE_GCR3_30_15, gdte->dte[1]) &&
	    !FIELD_GET(DTE_GCR3_51_31, gdte->dte[1]))
		return -EINVAL;
	if (gpt_level != GUEST_PGTABLE_4_LEVEL && gpt_level != GUEST_PGTABLE_5_LEVEL)
		return -EINVAL;
	if (FIELD_GET(DTE_GLX, gdte->dte[0]) == 3)
		return -EINVAL;
	if (gpt_level == GUEST_PGTABLE_5_LEVEL &&
	    FIELD_GET(FEATURE_GATS, iommu->features) < FEATURE_GATS_5LEVEL)
		return -EOPNOTSUPP;
	return 0;
}

/* The gDomID's entry with a reference taken, made (with a new hDomID) if it is the first. */
static struct guest_domain_mapping_info *gdom_info_get(struct amd_iommu_viommu *aviommu,
						       u16 gdom_id)
{
	struct guest_domain_mapping_info *gdom_info;
	int id, ret;

	guard(mutex)(&aviommu->gdom_lock);
	gdom_info = (struct guest_domain_mapping_info *)xa_load(&aviommu->gdomid_array, gdom_id);
	if (gdom_info) {
		refcount_inc(&gdom_info->users);
		return gdom_info;
	}
	gdom_info = (struct guest_domain_mapping_info *)kzalloc(sizeof(*gdom_info), GFP_KERNEL);
	if (!gdom_info)
		return (struct guest_domain_mapping_info *)ERR_PTR(-ENOMEM);
	id = amd_iommu_pdom_id_alloc();
	if (id <= 0) {
		kfree(gdom_info);
		return (struct guest_domain_mapping_info *)ERR_PTR(-ENOSPC);
	}
	gdom_info->hdom_id = id;
	refcount_set(&gdom_info->users, 1);
	ret = xa_insert(&aviommu->gdomid_array, gdom_id, gdom_info, GFP_KERNEL);
	if (ret) {
		amd_iommu_pdom_id_free(id);
		kfree(gdom_info);
		return (struct guest_domain_mapping_info *)ERR_PTR(ret);
	}
	/*
	 * The HW-vIOMMU translates the guest's own commands through the same
	 * map; a guest of the RFC uAPI has it written by VIOMMU_DOMAIN_ATTACH
	 */
	if (aviommu->hw && !aviommu->rfc)
		amd_viommu_map_domid(aviommu->hw, gdom_id, id, true);
	return gdom_info;
}

static void gdom_info_put(struct amd_iommu_viommu *aviommu, u16 gdom_id,
			  struct guest_domain_mapping_info *gdom_info)
{
	guard(mutex)(&aviommu->gdom_lock);
	if (!refcount_dec_and_test(&gdom_info->users))
		return;
	xa_erase(&aviommu->gdomid_array, gdom_id);
	if (aviommu->hw)
		amd_viommu_map_domid(aviommu->hw, gdom_id, gdom_info->hdom_id, false);
	amd_iommu_pdom_id_free(gdom_info->hdom_id);
	kfree(gdom_info);
}

struct iommu_domain *amd_iommu_nested_domain_alloc(struct amd_iommu_viommu *aviommu,
						   const struct iommu_hwpt_amd_guest *gdte)
{
	struct amd_iommu *iommu = container_of(aviommu->core.iommu_dev, struct amd_iommu, iommu);
	struct guest_domain_mapping_info *gdom_info;
	struct nested_domain *ndom;
	int ret;

	ret = validate_gdte_nested(iommu, gdte);
	if (ret)
		return (struct iommu_domain *)ERR_PTR(ret);
	ndom = (struct nested_domain *)kzalloc(sizeof(*ndom), GFP_KERNEL);
	if (!ndom)
		return (struct iommu_domain *)ERR_PTR(-ENOMEM);
	ndom->gdte = *gdte;
	ndom->gdom_id = FIELD_GET(DEV_DOMID_MASK, gdte->dte[1]);
	gdom_info = gdom_info_get(aviommu, ndom->gdom_id);
	if (IS_ERR(gdom_info)) {
		kfree(ndom);
		return (struct iommu_domain *)gdom_info;
	}
	ndom->gdom_info = gdom_info;
	ndom->viommu = aviommu;
	ndom->domain.ops = &amd_nested_domain_ops;
	ndom->domain.type = IOMMU_DOMAIN_NESTED;
	ndom->domain.owner = &amd_iommu_ops;
	return &ndom->domain;
}

struct iommu_domain *amd_iommu_alloc_domain_nested(struct iommufd_viommu *viommu, u32 flags,
						   const struct iommu_user_data *user_data)
{
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);
	struct iommu_hwpt_amd_guest gdte;
	int ret;

	if (flags)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	if (!user_data || user_data->type != IOMMU_HWPT_DATA_AMD_GUEST)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	ret = iommu_copy_struct_from_user(&gdte, user_data, IOMMU_HWPT_DATA_AMD_GUEST, dte);
	if (ret)
		return (struct iommu_domain *)ERR_PTR(ret);
	return amd_iommu_nested_domain_alloc(aviommu, &gdte);
}

/* The parent's v1 half under the host DomainID, then the guest's stage-1 fields. */
void amd_iommu_nested_make_dte(struct nested_domain *ndom, struct iommu_dev_data *dev_data,
			       struct dev_table_entry *new_dte)
{
	const struct iommu_hwpt_amd_guest *gdte = &ndom->gdte;

	amd_iommu_set_dte_v1(ndom->viommu->parent, ndom->gdom_info->hdom_id, new_dte);

	new_dte->data[0] |= DTE_FLAG_GV;
	new_dte->data[0] |= gdte->dte[0] & (DTE_FLAG_PPR | DTE_GLX | DTE_FLAG_GIOV | DTE_GCR3_14_12);
	new_dte->data[1] |= gdte->dte[1] & (DTE_GCR3_30_15 | DTE_GCR3_51_31);
	new_dte->data[2] |= gdte->dte[2] & DTE_GPT_LEVEL_MASK;
}

static int nested_attach_device(struct iommu_domain *dom, struct device *dev,
				struct iommu_domain *old)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct nested_domain *ndom = to_ndomain(dom);

	if (&dev_data->iommu->iommu != ndom->viommu->core.iommu_dev)
		return -EINVAL;
	/* The guest's DTE owns GV and the GCR3 root: no host PASIDs beside it */
	if (dev_data->pasid_cnt)
		return -EINVAL;
	return amd_iommu_attach_dev_dte(dom, dev);
}

static void nested_domain_free(struct iommu_domain *dom)
{
	struct nested_domain *ndom = to_ndomain(dom);
	struct amd_iommu_viommu *aviommu = ndom->viommu;

	gdom_info_put(aviommu, ndom->gdom_id, ndom->gdom_info);
	kfree(ndom);
	/* An RFC guest lives while a nested domain of it does */
	if (aviommu->rfc)
		amd_viommu_rfc_put(aviommu);
}

const struct iommu_domain_ops amd_nested_domain_ops = {
	.attach_dev = nested_attach_device,
	.free = nested_domain_free,
};
