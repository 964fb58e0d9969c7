// SPDX-License-Identifier: GPL-2.0
/*
 * AMD IOMMU commands, flushes, device table entries, protection domains
 * and attach (upstream's iommu.c).
 *
 * Commands go into the 512-entry ring and CmdTail moves past them
 * (iommu_queue_command()); iommu_completion_wait() appends a
 * COMPLETION_WAIT that stores a new sequence number into the semaphore
 * page and polls for it, so everything queued before it has completed
 * when it returns. A ring the IOMMU stopped (an illegal command) never
 * stores: the wait times out with -EIO, as upstream's wait_on_sem().
 *
 * DTE changes (amd_iommu_update_and_flush_device_table()): the entry is
 * written with V|TV kept set, word 0 last, then INVALIDATE_DEVTAB_ENTRY
 * and a completion wait; an ATS device's IOTLB is dropped whole, and a
 * DomainID the entry stops using is flushed (upstream's set_dte_entry()).
 *
 * Paging domains are AMD v1 tables from the generic page-table library,
 * four levels (48-bit IOVA, DTE Mode 4). An unmap's flush is one
 * INVALIDATE_IOMMU_PAGES for the smallest naturally aligned block around
 * the range (build_inv_iommu_pages(); PDE always set, so table pages the
 * unmap freed leave the page-directory cache too), an
 * INVALIDATE_IOTLB_PAGES per ATS device, then a completion wait per IOMMU.
 * A nest parent's change is flushed under every host DomainID its nested
 * domains were given as well (nested.cc).
 */
#include "drivers/amd/amd_iommu.h"

#include "core/io_pgfault.h"
#include "core/iommufd.h"
#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/platform/pci.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"
#include "harness/slab.h"

#include <algorithm>
#include <vector>

/* Completion-wait polls before a stuck ring is declared (upstream's LOOP_TIMEOUT). */
#define LOOP_TIMEOUT	2000000

/* ----- Command composition ----- */

static void build_completion_wait(struct iommu_cmd *cmd, struct amd_iommu *iommu, u64 data)
{
	u64 paddr = virt_to_phys(iommu->cmd_sem);

	memset(cmd, 0, sizeof(*cmd));
	cmd->data[0] = lower_32_bits(paddr) | CMD_COMPL_WAIT_STORE_MASK;
	cmd->data[1] = upper_32_bits(paddr);
	cmd->data[2] = lower_32_bits(data);
	cmd->data[3] = upper_32_bits(data);
	CMD_SET_TYPE(cmd, CMD_COMPL_WAIT);
}

static void build_inv_dte(struct iommu_cmd *cmd, u16 devid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->data[0] = devid;
	CMD_SET_TYPE(cmd, CMD_INV_DEV_ENTRY);
}

/*
 * The S-encoded address of the smallest naturally aligned block holding
 * [address, address + size): the bits below the highest bit in which the
 * first and last byte differ are set, and that bit (0 in the first byte)
 * is the lowest clear one. Beyond 2^52 it is simply everything.
 */
static u64 build_inv_address(u64 address, size_t size)
{
	u64 end, msb_diff;

	if (size <= PAGE_SIZE && (address & PAGE_MASK) == ((address + size - 1) & PAGE_MASK))
		return address & PAGE_MASK;
	end = address + size - 1;
	msb_diff = fls64(end ^ address) - 1;
	if (msb_diff > 51)
		address = CMD_INV_IOMMU_ALL_PAGES_ADDRESS;
	else
		address |= (1ULL << msb_diff) - 1;
	address &= PAGE_MASK;
	return address | CMD_INV_IOMMU_PAGES_SIZE_MASK;
}

void build_inv_iommu_pages(struct iommu_cmd *cmd, u64 address, size_t size, u16 domid,
			   ioasid_t pasid, bool gn)
{
	u64 inv_address = build_inv_address(address, size);

	memset(cmd, 0, sizeof(*cmd));
	cmd->data[1] |= domid;
	cmd->data[2] = lower_32_bits(inv_address);
	cmd->data[3] = upper_32_bits(inv_address);
	/* Page-directory entries too: an unmap may have freed table pages */
	cmd->data[2] |= CMD_INV_IOMMU_PAGES_PDE_MASK;
	if (gn) {
		cmd->data[0] |= pasid;
		cmd->data[2] |= CMD_INV_IOMMU_PAGES_GN_MASK;
	}
	CMD_SET_TYPE(cmd, CMD_INV_IOMMU_PAGES);
}

static void build_inv_iotlb_pages(struct iommu_cmd *cmd, u16 devid, int qdep, u64 address,
				  size_t size, ioasid_t pasid, bool gn)
{
	u64 inv_address = build_inv_address(address, size);

	memset(cmd, 0, sizeof(*cmd));
	cmd->data[0] = devid;
	cmd->data[0] |= (qdep & 0xff) << 24;
	cmd->data[1] = devid;
	cmd->data[2] = lower_32_bits(inv_address);
	cmd->data[3] = upper_32_bits(inv_address);
	if (gn) {
		cmd->data[0] |= ((pasid >> 8) & 0xff) << 16;
		cmd->data[1] |= (pasid & 0xff) << 16;
		cmd->data[2] |= CMD_INV_IOMMU_PAGES_GN_MASK;
	}
	CMD_SET_TYPE(cmd, CMD_INV_IOTLB_PAGES);
}

static void build_inv_all(struct iommu_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	CMD_SET_TYPE(cmd, CMD_INV_ALL);
}

/* ----- The command buffer ----- */

static int __iommu_queue_command_sync(struct amd_iommu *iommu, struct iommu_cmd *cmd)
{
	u32 next_tail = (iommu->cmd_buf_tail + sizeof(*cmd)) % CMD_BUFFER_SIZE;
	unsigned int count = 0;

	/* Full when the tail would catch the head: wait for the IOMMU to consume */
	while (next_tail == (readl(iommu->mmio_base + MMIO_CMD_HEAD_OFFSET) & MMIO_HEAD_TAIL_MASK)) {
		if (count++ == LOOP_TIMEOUT) {
			amd_iommu_err(iommu, "Command buffer timeout");
			return -EIO;
		}
		cpu_relax();
	}
	memcpy(iommu->cmd_buf + iommu->cmd_buf_tail, cmd, sizeof(*cmd));
	iommu->cmd_buf_tail = next_tail;
	writel(next_tail, iommu->mmio_base + MMIO_CMD_TAIL_OFFSET);
	return 0;
}

int iommu_queue_command(struct amd_iommu *iommu, struct iommu_cmd *cmd)
{
	guard(spinlock)(&iommu->lock);
	return __iommu_queue_command_sync(iommu, cmd);
}

static int wait_on_sem(struct amd_iommu *iommu, u64 data)
{
	unsigned int i = 0;

	while ((s64)(READ_ONCE(*iommu->cmd_sem) - data) < 0) {
		if (i++ == LOOP_TIMEOUT) {
			amd_iommu_err(iommu, "Completion-Wait loop timed out");
			return -EIO;
		}
		cpu_relax();
	}
	return 0;
}

int iommu_completion_wait(struct amd_iommu *iommu)
{
	struct iommu_cmd cmd;
	u64 data;
	int ret;

	{
		guard(spinlock)(&iommu->lock);
		data = ++iommu->cmd_sem_val;
		build_completion_wait(&cmd, iommu, data);
		ret = __iommu_queue_command_sync(iommu, &cmd);
	}
	if (ret)
		return ret;
	return wait_on_sem(iommu, data);
}

/* ----- Flushes ----- */

static int iommu_flush_dte(struct amd_iommu *iommu, u16 devid)
{
	struct iommu_cmd cmd;

	build_inv_dte(&cmd, devid);
	return iommu_queue_command(iommu, &cmd);
}

static void amd_iommu_flush_dte_all(struct amd_iommu *iommu)
{
	for (u32 devid = 0; devid < DEV_TABLE_SIZE / DEV_TABLE_ENTRY_SIZE; devid++)
		iommu_flush_dte(iommu, devid);
	iommu_completion_wait(iommu);
}

void amd_iommu_flush_tlb_domid(struct amd_iommu *iommu, u32 dom_id)
{
	struct iommu_cmd cmd;

	build_inv_iommu_pages(&cmd, 0, CMD_INV_IOMMU_ALL_PAGES_ADDRESS, dom_id, IOMMU_NO_PASID,
			      false);
	iommu_queue_command(iommu, &cmd);
	iommu_completion_wait(iommu);
}

static void amd_iommu_flush_tlb_all(struct amd_iommu *iommu)
{
	struct iommu_cmd cmd;

	for (u32 dom_id = 0; dom_id < MAX_DOMAIN_ID; dom_id++) {
		build_inv_iommu_pages(&cmd, 0, CMD_INV_IOMMU_ALL_PAGES_ADDRESS, dom_id,
				      IOMMU_NO_PASID, false);
		iommu_queue_command(iommu, &cmd);
	}
	iommu_completion_wait(iommu);
}

static void amd_iommu_flush_all(struct amd_iommu *iommu)
{
	struct iommu_cmd cmd;

	build_inv_all(&cmd);
	iommu_queue_command(iommu, &cmd);
	iommu_completion_wait(iommu);
}

void amd_iommu_flush_all_caches(struct amd_iommu *iommu)
{
	if (check_feature(iommu, FEATURE_IA)) {
		amd_iommu_flush_all(iommu);
	} else {
		amd_iommu_flush_dte_all(iommu);
		amd_iommu_flush_tlb_all(iommu);
	}
}

static int device_flush_iotlb(struct iommu_dev_data *dev_data, u64 address, size_t size,
			      ioasid_t pasid, bool gn)
{
	struct iommu_cmd cmd;

	build_inv_iotlb_pages(&cmd, dev_data->devid, dev_data->ats_qdep, address, size, pasid, gn);
	return iommu_queue_command(dev_data->iommu, &cmd);
}

void amd_iommu_flush_iotlb_pasid(struct iommu_dev_data *dev_data, u64 address, size_t size,
				 ioasid_t pasid)
{
	device_flush_iotlb(dev_data, address, size, pasid, pasid != IOMMU_NO_PASID);
}

/*
 * The host DomainIDs a change of @pdom's table must be flushed under, and
 * the IOMMUs that hold them: its own ID on each IOMMU with a device
 * attached, and for a nest parent the IDs of the nested domains on it.
 */
struct pdom_flush_target {
	struct amd_iommu *iommu;
	u16 domid;
};

static void pdom_flush_targets(struct protection_domain *pdom,
			       std::vector<struct pdom_flush_target> *out)
{
	struct amd_iommu_viommu *aviommu;
	struct iommu_dev_data *dev_data;

	{
		guard(spinlock)(&pdom->lock);
		list_for_each_entry(dev_data, &pdom->dev_list, list) {
			bool seen = false;

			for (auto &t : *out)
				seen |= t.iommu == dev_data->iommu && t.domid == pdom->id;
			if (!seen)
				out->push_back({ dev_data->iommu, pdom->id });
		}
	}
	if (!pdom->nest_parent)
		return;
	guard(mutex)(&pdom->viommu_lock);
	list_for_each_entry(aviommu, &pdom->viommu_list, pdom_list) {
		struct amd_iommu *iommu =
			container_of(aviommu->core.iommu_dev, struct amd_iommu, iommu);
		struct guest_domain_mapping_info *gdom_info;
		unsigned long index;

		/* A HW-vIOMMU guest's translation DTE walks the parent under its ID */
		if (aviommu->hw)
			out->push_back({ iommu, pdom->id });
		guard(mutex)(&aviommu->gdom_lock);
		xa_for_each(&aviommu->gdomid_array, index, gdom_info)
			out->push_back({ iommu, (u16)gdom_info->hdom_id });
	}
}

static void domain_flush_pages(struct protection_domain *pdom, u64 address, size_t size)
{
	std::vector<struct pdom_flush_target> targets;
	std::vector<struct amd_iommu *> iommus;
	struct iommu_dev_data *dev_data;
	struct iommu_cmd cmd;

	pdom_flush_targets(pdom, &targets);
	for (auto &t : targets) {
		build_inv_iommu_pages(&cmd, address, size, t.domid, IOMMU_NO_PASID, false);
		iommu_queue_command(t.iommu, &cmd);
		if (std::find(iommus.begin(), iommus.end(), t.iommu) == iommus.end())
			iommus.push_back(t.iommu);
	}
	{
		guard(spinlock)(&pdom->lock);
		list_for_each_entry(dev_data, &pdom->dev_list, list)
			if (dev_data->ats_enabled)
				device_flush_iotlb(dev_data, address, size, IOMMU_NO_PASID, false);
	}
	for (struct amd_iommu *iommu : iommus)
		iommu_completion_wait(iommu);
}

void amd_iommu_domain_flush_all(struct protection_domain *pdom)
{
	domain_flush_pages(pdom, 0, CMD_INV_IOMMU_ALL_PAGES_ADDRESS);
}

/* ----- Device table entries ----- */

u16 amd_iommu_domain_id_of(struct iommu_domain *domain)
{
	if (!domain)
		return 0;
	if (domain->type == IOMMU_DOMAIN_NESTED)
		return to_ndomain(domain)->gdom_info->hdom_id;
	if (domain->type & __IOMMU_DOMAIN_PAGING)
		return to_pdomain(domain)->id;
	return 0;
}

/* The host (v1) half of a DTE: @pdom's table under @domid, with HAD while it tracks dirt. */
void amd_iommu_set_dte_v1(struct protection_domain *pdom, u16 domid,
			  struct dev_table_entry *new_dte)
{
	struct pt_iommu_hw_info hw;

	pt_iommu_hw_info(&pdom->iommu, &hw);
	new_dte->data[0] |= (hw.top_paddr & DTE_HOST_TRP) |
			    FIELD_PREP(DTE_MODE_MASK, hw.top_level + 1) | DTE_FLAG_IR |
			    DTE_FLAG_IW;
	/* Dirty tracking: the IOMMU sets A and D in the v1 leaves it uses */
	if (pdom->dirty_tracking)
		new_dte->data[0] |= FIELD_PREP(DTE_FLAG_HAD, DTE_HAD_DIRTY);
	new_dte->data[1] |= domid;
}

void amd_iommu_make_dte(struct iommu_dev_data *dev_data, struct iommu_domain *domain,
			struct dev_table_entry *new_dte)
{
	memset(new_dte, 0, sizeof(*new_dte));
	/* V and TV always: a DTE without them lets DMA through untranslated */
	new_dte->data[0] = DTE_FLAG_V | DTE_FLAG_TV;
	if (!domain || domain->type == IOMMU_DOMAIN_BLOCKED) {
		/* PASIDs still translate; untagged requests meet PASID 0's empty entry */
		if (!dev_data->gcr3_tbl)
			return;
		amd_iommu_set_dte_gcr3(dev_data, new_dte);
	} else if (domain->type == IOMMU_DOMAIN_IDENTITY) {
		new_dte->data[0] |= DTE_FLAG_IR | DTE_FLAG_IW;
	} else if (domain->type == IOMMU_DOMAIN_NESTED) {
		amd_iommu_nested_make_dte(to_ndomain(domain), dev_data, new_dte);
	} else if (to_pdomain(domain)->pd_mode == PD_MODE_V1) {
		amd_iommu_set_dte_v1(to_pdomain(domain), to_pdomain(domain)->id, new_dte);
	}
	if (dev_data->gcr3_tbl && domain && domain->type != IOMMU_DOMAIN_NESTED &&
	    domain->type != IOMMU_DOMAIN_BLOCKED)
		amd_iommu_set_dte_gcr3(dev_data, new_dte);
	if (dev_data->ats_enabled)
		new_dte->data[1] |= DTE_FLAG_IOTLB;
	if (dev_data->ppr)
		new_dte->data[0] |= DTE_FLAG_PPR;
	/* A device of a HW-vIOMMU guest: its faults and requests go to the guest */
	if (dev_data->vimu)
		new_dte->data[3] |= DTE_VIOMMU_EN | FIELD_PREP(DTE_VIOMMU_GUESTID, dev_data->vimu_gid) |
				    FIELD_PREP(DTE_VIOMMU_GDEVICEID, dev_data->vimu_gdevid);
}

/*
 * Writes @new_dte at @devid and flushes it (INVALIDATE_DEVTAB_ENTRY and a
 * completion wait). Word 0 (V, TV, Mode, HostPTR) goes last so a walk
 * never pairs the new root with the old DomainID's words; the IOMMU reads
 * the entry only after the invalidation anyway, the order matters for a
 * cache miss in between. Returns the DomainID the entry had.
 */
u16 amd_iommu_write_dte(struct amd_iommu *iommu, u16 devid, const struct dev_table_entry *new_dte)
{
	struct dev_table_entry *dte = &iommu->dev_table[devid];
	u16 old_domid;

	{
		guard(spinlock)(&iommu->dev_table_lock);
		old_domid = dte->data[1] & DEV_DOMID_MASK;
		WRITE_ONCE(dte->data[3], new_dte->data[3]);
		WRITE_ONCE(dte->data[2], new_dte->data[2]);
		WRITE_ONCE(dte->data[1], new_dte->data[1]);
		smp_wmb();
		WRITE_ONCE(dte->data[0], new_dte->data[0]);
	}
	iommu_flush_dte(iommu, devid);
	iommu_completion_wait(iommu);
	return old_domid;
}

/* A device's DTE: also its IOTLB if ATS, and the DomainID it gave up. */
static void update_dte(struct iommu_dev_data *dev_data, const struct dev_table_entry *new_dte)
{
	struct amd_iommu *iommu = dev_data->iommu;
	u16 old_domid;

	old_domid = amd_iommu_write_dte(iommu, dev_data->devid, new_dte);
	if (dev_data->ats_enabled) {
		device_flush_iotlb(dev_data, 0, ~0UL, IOMMU_NO_PASID, false);
		iommu_completion_wait(iommu);
	}
	/* Nothing may translate with the DomainID the entry gave up */
	if (old_domid && old_domid != (new_dte->data[1] & DEV_DOMID_MASK))
		amd_iommu_flush_tlb_domid(iommu, old_domid);
}

void amd_iommu_update_and_flush_device_table(struct iommu_dev_data *dev_data)
{
	struct dev_table_entry new_dte;

	amd_iommu_make_dte(dev_data, dev_data->domain, &new_dte);
	update_dte(dev_data, &new_dte);
}

/* ----- Domain IDs (global, as upstream's pdom_ids) ----- */

static DEFINE_XARRAY_ALLOC1(pdom_ids);

int amd_iommu_pdom_id_alloc(void)
{
	u32 id;
	int ret = xa_alloc(&pdom_ids, &id, &pdom_ids, XA_LIMIT(1, MAX_DOMAIN_ID - 1), GFP_KERNEL);

	return ret ? (ret == -EBUSY ? -ENOSPC : ret) : (int)id;
}

void amd_iommu_pdom_id_free(int id)
{
	xa_erase(&pdom_ids, id);
}

/* ----- PCI capabilities ----- */

static struct pci_func *dev_data_pci(struct iommu_dev_data *dev_data)
{
	struct platform_dev *pdev = platform_dev_of(dev_data->dev);

	return pdev ? pdev->func : NULL;
}

static void pdev_enable_cap_ats(struct iommu_dev_data *dev_data)
{
	struct pci_func *f = dev_data_pci(dev_data);

	if (!dev_data->ats_supported || !f)
		return;
	pci_cfg_write(f, f->ats_ecap + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE | PCI_ATS_CTRL_STU(0), 2);
	dev_data->ats_enabled = 1;
}

static void pdev_disable_cap_ats(struct iommu_dev_data *dev_data)
{
	struct pci_func *f = dev_data_pci(dev_data);

	if (!dev_data->ats_enabled || !f)
		return;
	pci_cfg_write(f, f->ats_ecap + PCI_ATS_CTRL, 0, 2);
	dev_data->ats_enabled = 0;
}

static void pdev_set_cap_pri(struct iommu_dev_data *dev_data, bool enable)
{
	struct pci_func *f = dev_data_pci(dev_data);

	if (!f || !f->pri_ecap)
		return;
	pci_cfg_write(f, f->pri_ecap + PCI_PRI_CTRL, enable ? PCI_PRI_CTRL_ENABLE : 0, 2);
	dev_data->pri_enabled = enable;
}

/*
 * Page requests are on at the endpoint and in the DTE (PPR) while a
 * domain with a fault handler is attached (upstream's
 * amd_iommu_iopf_add_device() and the DTE's PPR bit).
 */
int amd_iommu_iopf_set(struct iommu_domain *domain, struct iommu_dev_data *dev_data)
{
	if (!domain || !domain->iopf_handler)
		return 0;
	if (!dev_data->pri_supported)
		return -EOPNOTSUPP;
	if (dev_data->iopf_refcount++ == 0) {
		pdev_set_cap_pri(dev_data, true);
		dev_data->ppr = 1;
	}
	return 0;
}

void amd_iommu_iopf_remove(struct iommu_domain *domain, struct iommu_dev_data *dev_data)
{
	if (!domain || !domain->iopf_handler)
		return;
	if (!WARN_ON(!dev_data->iopf_refcount) && --dev_data->iopf_refcount == 0) {
		pdev_set_cap_pri(dev_data, false);
		dev_data->ppr = 0;
		/*
		 * No handler of this device may run past its detach: the
		 * caller answers what is left and may free the fault queue.
		 */
		amd_iommu_drain_ppr_log(dev_data->iommu);
	}
}

/* ----- Attach ----- */

static void pdom_detach(struct iommu_domain *old, struct iommu_dev_data *dev_data)
{
	struct protection_domain *pdom;

	if (!old || !(old->type & __IOMMU_DOMAIN_PAGING))
		return;
	pdom = to_pdomain(old);
	guard(spinlock)(&pdom->lock);
	list_del(&dev_data->list);
	pdom->dev_cnt--;
}

static void pdom_attach(struct iommu_domain *domain, struct iommu_dev_data *dev_data)
{
	struct protection_domain *pdom;

	if (!(domain->type & __IOMMU_DOMAIN_PAGING))
		return;
	pdom = to_pdomain(domain);
	guard(spinlock)(&pdom->lock);
	list_add(&dev_data->list, &pdom->dev_list);
	pdom->dev_cnt++;
}

/*
 * Points @dev's DTE at @domain (any kind): page requests first, then the
 * entry and its flush, then the old domain lets go and its IOTLB entries
 * for this device go with a flush of the old DomainID (update_dte()).
 */
int amd_iommu_attach_dev_dte(struct iommu_domain *domain, struct device *dev)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct iommu_domain *old = dev_data->domain;
	bool v2 = domain && (domain->type & __IOMMU_DOMAIN_PAGING) &&
		  to_pdomain(domain)->pd_mode == PD_MODE_V2;
	bool was_v2 = amd_iommu_rid_uses_gcr3(dev_data);
	int ret;

	if (old == domain)
		return 0;
	ret = amd_iommu_iopf_set(domain, dev_data);
	if (ret)
		return ret;
	if (v2) {
		struct pt_iommu_hw_info hw;

		/* PASID 0's entry first: the DTE will send untagged requests there */
		pt_iommu_hw_info(&to_pdomain(domain)->iommu, &hw);
		ret = amd_iommu_prepare_gcr3(dev_data, IOMMU_NO_PASID, hw.top_paddr);
		if (ret) {
			amd_iommu_iopf_remove(domain, dev_data);
			amd_iommu_put_gcr3_table(dev_data);
			return ret;
		}
	}
	dev_data->domain = domain;
	amd_iommu_update_and_flush_device_table(dev_data);
	/* The previous table's PASID 0 translations (same GCR3 DomainID) */
	if (v2 && was_v2)
		amd_iommu_flush_gcr3_pasid(dev_data, IOMMU_NO_PASID);
	if (was_v2 && !v2) {
		amd_iommu_set_gcr3(dev_data, IOMMU_NO_PASID, 0);
		amd_iommu_put_gcr3_table(dev_data);
	}
	pdom_detach(old, dev_data);
	pdom_attach(domain, dev_data);
	amd_iommu_iopf_remove(old, dev_data);
	return 0;
}

static int amd_iommu_attach_device(struct iommu_domain *dom, struct device *dev,
				   struct iommu_domain *old)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct amd_iommu *iommu = dev_data->iommu;
	struct pt_iommu_hw_info hw;

	if (dom->owner != &amd_iommu_ops)
		return -EINVAL;
	if (dom->dirty_ops && !amd_iommu_hd_support(iommu))
		return -EINVAL;
	if (to_pdomain(dom)->pd_mode == PD_MODE_V2)
		return amd_iommu_attach_dev_dte(dom, dev);
	/* GV with a v1 table would nest the PASIDs' tables */
	if (dev_data->pasid_cnt)
		return -EINVAL;
	/* The table is deeper than this IOMMU walks (Mode beyond HATS) */
	pt_iommu_hw_info(&to_pdomain(dom)->iommu, &hw);
	if (hw.top_level + 1 > FIELD_GET(FEATURE_HATS, iommu->features) + 4)
		return -EINVAL;
	return amd_iommu_attach_dev_dte(dom, dev);
}

/* ----- Identity and blocked domains ----- */

static int identity_domain_attach_dev(struct iommu_domain *domain, struct device *dev,
				      struct iommu_domain *old)
{
	return amd_iommu_attach_dev_dte(domain, dev);
}

static const struct iommu_domain_ops identity_domain_ops = {
	.attach_dev = identity_domain_attach_dev,
};

static struct iommu_domain identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &identity_domain_ops,
	.owner = &amd_iommu_ops,
};

static int blocked_domain_attach_device(struct iommu_domain *domain, struct device *dev,
					struct iommu_domain *old)
{
	return amd_iommu_attach_dev_dte(domain, dev);
}

static const struct iommu_domain_ops blocked_domain_ops = {
	.attach_dev = blocked_domain_attach_device,
	.set_dev_pasid = amd_iommu_remove_dev_pasid,
};

static struct iommu_domain blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &blocked_domain_ops,
	.owner = &amd_iommu_ops,
};

/* ----- Paging domains ----- */

static void amd_iommu_iotlb_sync(struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	struct protection_domain *pdom = to_pdomain(domain);

	if (gather->end) {
		if (pdom->pd_mode == PD_MODE_V2)
			amd_iommu_domain_flush_pages_v2(pdom, gather->start,
							gather->end - gather->start + 1);
		else
			domain_flush_pages(pdom, gather->start, gather->end - gather->start + 1);
	}
	pt_iommu_put_pages_list(&gather->freelist);
}

static void amd_iommu_flush_iotlb_all(struct iommu_domain *domain)
{
	struct protection_domain *pdom = to_pdomain(domain);

	if (pdom->pd_mode == PD_MODE_V2)
		amd_iommu_domain_flush_pages_v2(pdom, 0, CMD_INV_IOMMU_ALL_PAGES_ADDRESS);
	else
		amd_iommu_domain_flush_all(pdom);
}

static void amd_iommu_domain_free(struct iommu_domain *dom)
{
	struct protection_domain *pdom = to_pdomain(dom);

	if (pdom->nest_parent)
		amd_viommu_rfc_parent_free(pdom);
	WARN_ON(pdom->dev_cnt || !list_empty(&pdom->viommu_list) || !list_empty(&pdom->dev_pasids));
	pt_iommu_deinit(&pdom->iommu);
	amd_iommu_pdom_id_free(pdom->id);
	kfree(pdom);
}

/*
 * DTE.HAD on every device of the domain, then a flush: an IOTLB entry
 * filled before could let a write through without setting D.
 */
static int amd_iommu_set_dirty_tracking(struct iommu_domain *domain, bool enable)
{
	struct protection_domain *pdom = to_pdomain(domain);
	std::vector<struct iommu_dev_data *> devs;
	struct iommu_dev_data *dev_data;

	{
		guard(spinlock)(&pdom->lock);
		if (pdom->dirty_tracking == enable)
			return 0;
		pdom->dirty_tracking = enable;
		list_for_each_entry(dev_data, &pdom->dev_list, list)
			devs.push_back(dev_data);
	}
	for (struct iommu_dev_data *d : devs)
		amd_iommu_update_and_flush_device_table(d);
	amd_iommu_domain_flush_all(pdom);
	return 0;
}

static int amd_iommu_read_and_clear_dirty(struct iommu_domain *domain, unsigned long iova,
					  size_t size, unsigned long flags,
					  struct iommu_dirty_bitmap *dirty)
{
	/* Without HAD nothing sets the D bits: a read would report stale ones */
	if (!to_pdomain(domain)->dirty_tracking && dirty->bitmap)
		return -EINVAL;
	return pt_read_and_clear_dirty(domain, iova, size, flags, dirty);
}

static const struct iommu_dirty_ops amd_dirty_ops = {
	.set_dirty_tracking = amd_iommu_set_dirty_tracking,
	.read_and_clear_dirty = amd_iommu_read_and_clear_dirty,
};

static const struct iommu_domain_ops amdv1_ops = {
	.attach_dev = amd_iommu_attach_device,
	.map_pages = pt_map_pages,
	.unmap_pages = pt_unmap_pages,
	.flush_iotlb_all = amd_iommu_flush_iotlb_all,
	.iotlb_sync = amd_iommu_iotlb_sync,
	.iova_to_phys = pt_iova_to_phys,
	.free = amd_iommu_domain_free,
};

static const struct iommu_domain_ops amdv2_ops = {
	.attach_dev = amd_iommu_attach_device,
	.set_dev_pasid = amd_iommu_set_dev_pasid,
	.map_pages = pt_map_pages,
	.unmap_pages = pt_unmap_pages,
	.flush_iotlb_all = amd_iommu_flush_iotlb_all,
	.iotlb_sync = amd_iommu_iotlb_sync,
	.iova_to_phys = pt_iova_to_phys,
	.free = amd_iommu_domain_free,
};

struct protection_domain *protection_domain_alloc(void)
{
	struct protection_domain *pdom;
	int id;

	pdom = (struct protection_domain *)kzalloc(sizeof(*pdom), GFP_KERNEL);
	if (!pdom)
		return NULL;
	id = amd_iommu_pdom_id_alloc();
	if (id < 0) {
		kfree(pdom);
		return NULL;
	}
	pdom->id = id;
	spin_lock_init(&pdom->lock);
	INIT_LIST_HEAD(&pdom->dev_list);
	INIT_LIST_HEAD(&pdom->viommu_list);
	INIT_LIST_HEAD(&pdom->dev_pasids);
	mutex_init(&pdom->viommu_lock);
	return pdom;
}

/* A paging domain of @mode over a fresh @fmt table of @vasz_lg2 bits. */
static struct iommu_domain *pdom_domain_alloc(enum protection_domain_mode mode,
					      enum pt_fmt_id fmt, u8 vasz_lg2,
					      const struct iommu_domain_ops *ops, u32 flags)
{
	struct pt_iommu_cfg cfg = {};
	struct protection_domain *pdom;
	int ret;

	pdom = protection_domain_alloc();
	if (!pdom)
		return (struct iommu_domain *)ERR_PTR(-ENOMEM);
	pdom->pd_mode = mode;
	pdom->nest_parent = !!(flags & IOMMU_HWPT_ALLOC_NEST_PARENT);
	cfg.fmt = fmt;
	cfg.hw_max_vasz_lg2 = vasz_lg2;
	cfg.hw_max_oasz_lg2 = 52;
	pdom->iommu.domain.ops = ops;
	ret = pt_iommu_init(&pdom->iommu, &cfg, GFP_KERNEL);
	if (ret) {
		amd_iommu_pdom_id_free(pdom->id);
		kfree(pdom);
		return (struct iommu_domain *)ERR_PTR(ret);
	}
	pdom->domain.type = IOMMU_DOMAIN_UNMANAGED;
	pdom->domain.owner = &amd_iommu_ops;
	return &pdom->domain;
}

/* A v1 domain: four levels, 48-bit IOVA, DTE Mode 4. */
struct iommu_domain *amd_iommu_domain_alloc_paging_v1(struct device *dev, u32 flags)
{
	return pdom_domain_alloc(PD_MODE_V1, PT_FMT_AMDV1, 48, &amdv1_ops, flags);
}

/*
 * A v2 domain, what PASIDs (and their RID) take: x86-64 4-level, the
 * lower half (47 bits) so every IOVA is canonical.
 */
static struct iommu_domain *amd_iommu_domain_alloc_paging_v2(struct device *dev)
{
	return pdom_domain_alloc(PD_MODE_V2, PT_FMT_X86_64, 47, &amdv2_ops, 0);
}

static struct iommu_domain *amd_iommu_domain_alloc_paging_flags(
	struct device *dev, u32 flags, const struct iommu_user_data *user_data)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct iommu_domain *domain;

	if (user_data)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	if (flags & IOMMU_HWPT_ALLOC_PASID) {
		/* v2 tables: neither a nest parent nor dirty-tracked here */
		if (flags != IOMMU_HWPT_ALLOC_PASID || !dev_data ||
		    !check_feature(dev_data->iommu, FEATURE_GT))
			return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
		return amd_iommu_domain_alloc_paging_v2(dev);
	}
	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    (!dev_data || !amd_iommu_hd_support(dev_data->iommu)))
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	domain = amd_iommu_domain_alloc_paging_v1(dev, flags);
	if (!IS_ERR(domain) && (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		domain->dirty_ops = &amd_dirty_ops;
	return domain;
}

/* ----- Devices ----- */

struct iommu_dev_data *search_dev_data(struct amd_iommu *iommu, u16 devid)
{
	guard(mutex)(&iommu->devices_lock);
	return (struct iommu_dev_data *)xa_load(&iommu->devices, devid);
}

static struct iommu_device *amd_iommu_probe_device(struct device *dev)
{
	struct platform_dev *pdev = platform_dev_of(dev);
	struct iommu_dev_data *dev_data;
	struct amd_iommu *iommu;
	struct pci_func *f;
	int ret;

	if (!pdev || !dev->iommu_fwnode)
		return (struct iommu_device *)ERR_PTR(-ENODEV);
	iommu = rlookup_amd_iommu_fwnode(dev->iommu_fwnode);
	if (!iommu)
		return (struct iommu_device *)ERR_PTR(-ENODEV);
	f = pdev->func;

	dev_data = (struct iommu_dev_data *)kzalloc(sizeof(*dev_data), GFP_KERNEL);
	if (!dev_data)
		return (struct iommu_device *)ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&dev_data->list);
	dev_data->dev = dev;
	dev_data->iommu = iommu;
	dev_data->devid = (u16)pdev->desc->rid;
	dev_data->ats_supported = pdev->desc->ats && f && f->ats_ecap;
	dev_data->pasid_supported = check_feature(iommu, FEATURE_GT) && dev->pasid_bits;
	dev_data->pri_supported = amd_iommu_gt_ppr_supported(iommu) && pdev->desc->pri && f &&
				  f->pri_ecap && dev_data->ats_supported;
	if (dev_data->ats_supported) {
		unsigned int qdep = PCI_ATS_CAP_QDEP(pci_cfg_read(f, f->ats_ecap + PCI_ATS_CAP, 2));

		dev_data->ats_qdep = qdep ? qdep : 32;
	}
	{
		guard(mutex)(&iommu->devices_lock);
		ret = xa_insert(&iommu->devices, dev_data->devid, dev_data, GFP_KERNEL);
	}
	if (ret) {
		/* Two devices with one DeviceID: the platform description is wrong */
		kfree(dev_data);
		return (struct iommu_device *)ERR_PTR(ret == -EBUSY ? -EINVAL : ret);
	}
	dev_iommu_priv_set(dev, dev_data);
	/* The DTE will allow translation requests (DTE.I): let the endpoint ask */
	pdev_enable_cap_ats(dev_data);
	amd_iommu_update_and_flush_device_table(dev_data);
	return &iommu->iommu;
}

static void amd_iommu_release_device(struct device *dev)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct amd_iommu *iommu;

	if (!dev_data)
		return;
	iommu = dev_data->iommu;
	amd_iommu_attach_dev_dte(&blocked_domain, dev);
	WARN_ON(dev_data->pasid_cnt);
	amd_iommu_put_gcr3_table(dev_data);
	pdev_disable_cap_ats(dev_data);
	amd_iommu_update_and_flush_device_table(dev_data);
	if (dev_data->pri_enabled)
		pdev_set_cap_pri(dev_data, false);
	{
		guard(mutex)(&iommu->devices_lock);
		xa_erase(&iommu->devices, dev_data->devid);
	}
	dev_iommu_priv_set(dev, NULL);
	kfree(dev_data);
}

static bool amd_iommu_capable(struct device *dev, enum iommu_cap cap)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);

	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
	case IOMMU_CAP_DEFERRED_FLUSH:
		return true;
	case IOMMU_CAP_PCI_ATS_SUPPORTED:
		return dev_data && dev_data->ats_supported;
	case IOMMU_CAP_DIRTY_TRACKING:
		return dev_data && amd_iommu_hd_support(dev_data->iommu);
	default:
		return false;
	}
}

static void amd_iommu_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct iommu_resv_region *reg;

	/* The interrupt address range is never translated on x86 */
	reg = iommu_alloc_resv_region(0xfee00000UL, 0x100000UL, IOMMU_WRITE | IOMMU_MMIO,
				      IOMMU_RESV_MSI, GFP_KERNEL);
	if (reg)
		list_add_tail(&reg->list, head);
	/* HyperTransport's reserved window, unless EFR2 says the IOMMU ignores it */
	if (dev_data && !(dev_data->iommu->features2 & FEATURE_HT_RANGE_IGNORE)) {
		reg = iommu_alloc_resv_region(0xfd00000000ULL, 0x300000000ULL, 0,
					      IOMMU_RESV_RESERVED, GFP_KERNEL);
		if (reg)
			list_add_tail(&reg->list, head);
	}
}

const struct iommu_ops amd_iommu_ops = {
	.capable = amd_iommu_capable,
	.hw_info = amd_iommufd_hw_info,
	.domain_alloc_paging_flags = amd_iommu_domain_alloc_paging_flags,
	/* Only the RFC uAPI's guests: an AMD vIOMMU allocates its own */
	.domain_alloc_nested = amd_viommu_rfc_domain_alloc_nested,
	.probe_device = amd_iommu_probe_device,
	.release_device = amd_iommu_release_device,
	.device_group = platform_device_group,
	.get_resv_regions = amd_iommu_get_resv_regions,
	.page_response = amd_iommu_page_response,
	.get_viommu_size = amd_iommufd_get_viommu_size,
	.viommu_init = amd_iommufd_viommu_init,
	.default_domain_ops = &amdv1_ops,
	.pgsize_bitmap = AMD_IOMMU_PGSIZES,
	.identity_domain = &identity_domain,
	.blocked_domain = &blocked_domain,
	.release_domain = &blocked_domain,
	.default_domain = &blocked_domain,
};
