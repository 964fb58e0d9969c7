// SPDX-License-Identifier: GPL-2.0
/*
 * PASIDs (upstream's pasid.c and the GCR3 half of iommu.c): v2 paging
 * domains (x86-64 tables, the IOMMU's guest format) attached to a
 * device's PASIDs through its GCR3 table.
 *
 * GCR3 table: two levels (GLX 1: a root indexed by PASID[17:9], leaves by
 * PASID[8:0]), made on a device's first PASID use with a DomainID of its
 * own (upstream's gcr3_info.domid): guest-format IOTLB entries are tagged
 * (DomainID, PASID), and one device's PASID n is not another's. The DTE
 * then carries GV, GLX, the root and a 4-level GuestPagingMode under that
 * DomainID; requests without a PASID use PASID 0 (GIoV) unless the RID
 * is in the identity domain, where they pass untranslated (Mode 0).
 *
 * A v1 RID domain never coexists with PASIDs: with GV, Mode != 0 would
 * make the guest tables nested. The core enforces it (v2 domains are the
 * only IOMMU_HWPT_ALLOC_PASID ones, and a RID domain must be one when
 * PASIDs are attached); the driver refuses it as well (-EINVAL).
 *
 * Flushes of a v2 domain: INVALIDATE_IOMMU_PAGES with GN for each (device,
 * PASID) it is attached as, under the device's GCR3 DomainID, and
 * INVALIDATE_IOTLB_PAGES with the PASID for ATS devices.
 */
#include "drivers/amd/amd_iommu.h"

#include "harness/physmem.h"
#include "harness/slab.h"

#include <algorithm>
#include <vector>

/* ----- GCR3 tables ----- */

static u64 *gcr3_entry(struct iommu_dev_data *dev_data, ioasid_t pasid, bool alloc)
{
	u64 *root = dev_data->gcr3_tbl, *leaf;
	u64 *re = &root[(pasid >> 9) & 0x1ff];

	if (!(READ_ONCE(*re) & GCR3_VALID)) {
		if (!alloc)
			return NULL;
		leaf = (u64 *)iommu_alloc_pages_sz(GFP_KERNEL, PAGE_SIZE);
		if (!leaf)
			return NULL;
		WRITE_ONCE(*re, virt_to_phys(leaf) | GCR3_VALID);
	}
	leaf = (u64 *)phys_to_virt(READ_ONCE(*re) & GCR3_ADDR_MASK);
	return &leaf[pasid & 0x1ff];
}

static int setup_gcr3_table(struct iommu_dev_data *dev_data)
{
	int id;

	if (dev_data->gcr3_tbl)
		return 0;
	dev_data->gcr3_tbl = (u64 *)iommu_alloc_pages_sz(GFP_KERNEL, PAGE_SIZE);
	if (!dev_data->gcr3_tbl)
		return -ENOMEM;
	id = amd_iommu_pdom_id_alloc();
	if (id < 0) {
		iommu_free_pages(dev_data->gcr3_tbl);
		dev_data->gcr3_tbl = NULL;
		return id;
	}
	dev_data->gcr3_domid = id;
	return 0;
}

/* Frees the table once nothing uses it (no PASID, RID not v2); the DTE is rewritten first. */
void amd_iommu_put_gcr3_table(struct iommu_dev_data *dev_data)
{
	u64 *root = dev_data->gcr3_tbl;

	if (!root || dev_data->pasid_cnt || amd_iommu_rid_uses_gcr3(dev_data))
		return;
	dev_data->gcr3_tbl = NULL;
	amd_iommu_update_and_flush_device_table(dev_data);
	for (unsigned int i = 0; i < GCR3_TBL_ENTRIES; i++)
		if (root[i] & GCR3_VALID)
			iommu_free_pages(phys_to_virt(root[i] & GCR3_ADDR_MASK));
	iommu_free_pages(root);
	amd_iommu_flush_tlb_domid(dev_data->iommu, dev_data->gcr3_domid);
	amd_iommu_pdom_id_free(dev_data->gcr3_domid);
	dev_data->gcr3_domid = 0;
}

bool amd_iommu_rid_uses_gcr3(struct iommu_dev_data *dev_data)
{
	struct iommu_domain *d = dev_data->domain;

	return d && (d->type & __IOMMU_DOMAIN_PAGING) && to_pdomain(d)->pd_mode == PD_MODE_V2;
}

/* The guest-translation half of @dev_data's DTE, when it has a GCR3 table. */
void amd_iommu_set_dte_gcr3(struct iommu_dev_data *dev_data, struct dev_table_entry *new_dte)
{
	struct iommu_domain *rid = dev_data->domain;

	new_dte->data[0] |= DTE_FLAG_GV | FIELD_PREP(DTE_GLX, 1) | DTE_FLAG_IR | DTE_FLAG_IW;
	dte_set_gcr3_root(new_dte, virt_to_phys(dev_data->gcr3_tbl));
	new_dte->data[1] = (new_dte->data[1] & ~DEV_DOMID_MASK) | dev_data->gcr3_domid;
	new_dte->data[2] |= FIELD_PREP(DTE_GPT_LEVEL_MASK, GUEST_PGTABLE_4_LEVEL);
	/* Untagged requests: PASID 0's entry, except through the identity domain */
	if (!rid || rid->type != IOMMU_DOMAIN_IDENTITY)
		new_dte->data[0] |= DTE_FLAG_GIOV;
}

static void flush_pasid(struct iommu_dev_data *dev_data, ioasid_t pasid, u64 address, size_t size)
{
	struct iommu_cmd cmd;

	build_inv_iommu_pages(&cmd, address, size, dev_data->gcr3_domid, pasid, true);
	iommu_queue_command(dev_data->iommu, &cmd);
	/* The endpoint tags its IOTLB by what it sent: PASID 0's are untagged requests */
	if (dev_data->ats_enabled)
		amd_iommu_flush_iotlb_pasid(dev_data, address, size, pasid);
}

/* Sets @pasid's GCR3 entry without touching the DTE or flushing (a RID attach does both). */
int amd_iommu_prepare_gcr3(struct iommu_dev_data *dev_data, ioasid_t pasid, phys_addr_t root)
{
	u64 *e;
	int ret;

	ret = setup_gcr3_table(dev_data);
	if (ret)
		return ret;
	e = gcr3_entry(dev_data, pasid, true);
	if (!e)
		return -ENOMEM;
	WRITE_ONCE(*e, (root & GCR3_ADDR_MASK) | GCR3_VALID);
	return 0;
}

void amd_iommu_flush_gcr3_pasid(struct iommu_dev_data *dev_data, ioasid_t pasid)
{
	flush_pasid(dev_data, pasid, 0, CMD_INV_IOMMU_ALL_PAGES_ADDRESS);
	iommu_completion_wait(dev_data->iommu);
}

/* Points @pasid's GCR3 entry at @root (0: none) and flushes what it cached. */
int amd_iommu_set_gcr3(struct iommu_dev_data *dev_data, ioasid_t pasid, phys_addr_t root)
{
	bool fresh = !dev_data->gcr3_tbl;
	u64 *e;
	int ret;

	ret = setup_gcr3_table(dev_data);
	if (ret)
		return ret;
	e = gcr3_entry(dev_data, pasid, root != 0);
	if (!e) {
		if (root) {
			if (fresh)
				amd_iommu_put_gcr3_table(dev_data);
			return -ENOMEM;
		}
		return 0;
	}
	WRITE_ONCE(*e, root ? (root & GCR3_ADDR_MASK) | GCR3_VALID : 0);
	if (fresh)
		amd_iommu_update_and_flush_device_table(dev_data);
	flush_pasid(dev_data, pasid, 0, CMD_INV_IOMMU_ALL_PAGES_ADDRESS);
	iommu_completion_wait(dev_data->iommu);
	return 0;
}

/* ----- v2 domains on PASIDs ----- */

static struct pdom_dev_pasid *find_dev_pasid(struct protection_domain *pdom,
					     struct iommu_dev_data *dev_data, ioasid_t pasid)
{
	struct pdom_dev_pasid *dp;

	list_for_each_entry(dp, &pdom->dev_pasids, list)
		if (dp->dev_data == dev_data && dp->pasid == pasid)
			return dp;
	return NULL;
}

/* @old (a v2 domain, or anything else) lets go of @pasid of @dev_data. */
static void remove_dev_pasid(struct iommu_domain *old, struct iommu_dev_data *dev_data,
			     ioasid_t pasid)
{
	struct protection_domain *pdom;
	struct pdom_dev_pasid *dp;

	if (!old || !(old->type & __IOMMU_DOMAIN_PAGING) || to_pdomain(old)->pd_mode != PD_MODE_V2)
		return;
	pdom = to_pdomain(old);
	{
		guard(spinlock)(&pdom->lock);
		dp = find_dev_pasid(pdom, dev_data, pasid);
		if (dp)
			list_del(&dp->list);
	}
	if (dp) {
		kfree(dp);
		dev_data->pasid_cnt--;
	}
}

int amd_iommu_set_dev_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid,
			    struct iommu_domain *old)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct protection_domain *pdom = to_pdomain(domain);
	struct pt_iommu_hw_info hw;
	struct pdom_dev_pasid *dp;
	int ret;

	if (domain->owner != &amd_iommu_ops || pdom->pd_mode != PD_MODE_V2)
		return -EINVAL;
	if (!dev_data->pasid_supported)
		return -EOPNOTSUPP;
	/* GV with a v1 RID table would nest the guest tables */
	if (dev_data->domain && (dev_data->domain->type & __IOMMU_DOMAIN_PAGING) &&
	    to_pdomain(dev_data->domain)->pd_mode == PD_MODE_V1)
		return -EINVAL;
	dp = (struct pdom_dev_pasid *)kzalloc(sizeof(*dp), GFP_KERNEL);
	if (!dp)
		return -ENOMEM;
	dp->dev_data = dev_data;
	dp->pasid = pasid;
	ret = amd_iommu_iopf_set(domain, dev_data);
	if (ret)
		goto err_free;
	pt_iommu_hw_info(&pdom->iommu, &hw);
	ret = amd_iommu_set_gcr3(dev_data, pasid, hw.top_paddr);
	if (ret)
		goto err_iopf;
	remove_dev_pasid(old, dev_data, pasid);
	amd_iommu_iopf_remove(old, dev_data);
	{
		guard(spinlock)(&pdom->lock);
		list_add(&dp->list, &pdom->dev_pasids);
	}
	dev_data->pasid_cnt++;
	return 0;

err_iopf:
	amd_iommu_iopf_remove(domain, dev_data);
err_free:
	kfree(dp);
	return ret;
}

int amd_iommu_remove_dev_pasid(struct iommu_domain *blocked, struct device *dev, ioasid_t pasid,
			       struct iommu_domain *old)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);

	amd_iommu_set_gcr3(dev_data, pasid, 0);
	remove_dev_pasid(old, dev_data, pasid);
	amd_iommu_iopf_remove(old, dev_data);
	amd_iommu_put_gcr3_table(dev_data);
	return 0;
}

/* A v2 domain's change: each (device, PASID) it is on, and its RID users' PASID 0. */
void amd_iommu_domain_flush_pages_v2(struct protection_domain *pdom, u64 address, size_t size)
{
	std::vector<struct amd_iommu *> iommus;
	struct iommu_dev_data *dev_data;
	struct pdom_dev_pasid *dp;

	guard(spinlock)(&pdom->lock);
	list_for_each_entry(dev_data, &pdom->dev_list, list) {
		if (!dev_data->gcr3_tbl)
			continue;
		flush_pasid(dev_data, IOMMU_NO_PASID, address, size);
		if (std::find(iommus.begin(), iommus.end(), dev_data->iommu) == iommus.end())
			iommus.push_back(dev_data->iommu);
	}
	list_for_each_entry(dp, &pdom->dev_pasids, list) {
		flush_pasid(dp->dev_data, dp->pasid, address, size);
		if (std::find(iommus.begin(), iommus.end(), dp->dev_data->iommu) == iommus.end())
			iommus.push_back(dp->dev_data->iommu);
	}
	for (struct amd_iommu *iommu : iommus)
		iommu_completion_wait(iommu);
}
