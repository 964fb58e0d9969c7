// SPDX-License-Identifier: GPL-2.0
/*
 * The intel-iommu debugfs view (upstream's debugfs.c): for every device
 * behind a unit, /sys/kernel/debug/iommu/intel/<device>/domain_translation_struct,
 * and for every PASID attached to a paging domain, <device>/<pasid in
 * hex>/domain_translation_struct, each dumping the leaf entries of the
 * page table the hardware uses for that requester, in the kernel's line
 * format:
 *
 *   Device 0000:00:02.0 with pasid 0 @0x<table>
 *   IOVA_PFN         	PML5E             	PML4E ...	PTE
 *   0x<iova pfn, 13 digits> |	0x<PML5E>	0x<PML4E>	0x<PDPE>	0x<PDE>	0x<PTE>
 *
 * one line per leaf (a 4 KiB page, or a 2 MiB/1 GiB superpage: the
 * columns below the leaf are 0), each column the entry at that level of
 * the walk to it. Tools (the kernel's vfio_dma_mapping_test) tell the page
 * size of a mapping from which columns are set.
 *
 * As upstream, everything is read the way the hardware finds it: RTADDR,
 * the root and context entries, the PASID directory and entry, then the
 * table the entry's PGTT names (first stage: FSPTPTR; second stage and
 * nested: SSPTPTR). Table pages are read on the bus inside a reader
 * section, so an unmap freeing a table page meanwhile makes the walk see
 * a bus error (an empty subtree), never freed memory.
 */
#include "drivers/intel/iommu.h"

#include "harness/debugfs.h"
#include "harness/physmem.h"

namespace {

DEFINE_LOCK_GUARD_0(physmem_read, physmem_read_lock(), physmem_read_unlock())

DEFINE_MUTEX(intel_debugfs_lock);
struct dentry *intel_iommu_debug;
unsigned int intel_iommu_debug_users;

/* Bytes of IOVA one entry at @level maps (level 1 = 4 KiB). */
u64 level_to_directory_size(int level)
{
	return 1ULL << (VTD_PAGE_SHIFT + 9 * (level - 1));
}

/* Both formats: present with R or W (second stage), P (first stage, whose bit 1 is R/W). */
bool dma_pte_present(u64 pte)
{
	return (pte & (DMA_PTE_READ | DMA_PTE_WRITE)) != 0;
}

u64 dma_pte_addr(u64 pte)
{
	return pte & GENMASK_ULL(51, 12);
}

void dump_page_info(struct seq_file *m, u64 iova, const u64 *path)
{
	seq_printf(m, "0x%013llx |\t0x%016llx\t0x%016llx\t0x%016llx\t0x%016llx\t0x%016llx\n",
		   (unsigned long long)(iova >> VTD_PAGE_SHIFT), (unsigned long long)path[5],
		   (unsigned long long)path[4], (unsigned long long)path[3],
		   (unsigned long long)path[2], (unsigned long long)path[1]);
}

/* Every present leaf below the table at @table, which maps from @start at @level. */
void pgtable_walk_level(struct seq_file *m, phys_addr_t table, int level, u64 start, u64 *path)
{
	if (level > 5 || level < 1)
		return;
	for (unsigned int i = 0; i < 512; i++, start += level_to_directory_size(level)) {
		u64 pte;

		if (phys_read_u64_in_section(table + i * sizeof(u64), &pte) || !dma_pte_present(pte))
			continue;
		path[level] = pte;
		if ((pte & DMA_PTE_LARGE_PAGE) || level == 1)
			dump_page_info(m, start, path);
		else
			pgtable_walk_level(m, dma_pte_addr(pte), level - 1, start, path);
		path[level] = 0;
	}
}

/*
 * The table @pasid of the device at @bus/@devfn translates with, and how
 * many levels it has: false if the hardware would find none (no context
 * entry, no PASID entry, pass-through).
 */
bool scalable_translation_table(u64 ctx_lo, u32 pasid, phys_addr_t *pgd, int *levels)
{
	u64 pde, pe0, pe2;
	phys_addr_t table;

	if (!(ctx_lo & SM_CONTEXT_0_P))
		return false;
	if ((pasid >> PASID_PDE_SHIFT) >= sm_context_pasid_dir_entries(ctx_lo))
		return false;
	if (phys_read_u64_in_section((ctx_lo & SM_CONTEXT_0_PASIDDIRPTR) +
				     (pasid >> PASID_PDE_SHIFT) * sizeof(u64), &pde) ||
	    !(pde & PASID_DIR_P))
		return false;
	table = (pde & PASID_DIR_SMPTBLPTR) +
		(pasid & (PASID_TBL_ENTRIES - 1)) * sizeof(struct pasid_entry);
	if (phys_read_u64_in_section(table, &pe0) || !(pe0 & PASID_PTE_PRESENT) ||
	    phys_read_u64_in_section(table + 2 * sizeof(u64), &pe2))
		return false;

	switch (FIELD_GET(PASID_0_PGTT, pe0)) {
	case PASID_ENTRY_PGTT_FL_ONLY:
		/*
		 * Upstream takes the depth from AW, which it sets to the unit's
		 * AGAW for first-stage entries too; the hardware walks as FLPM
		 * says, and so does this.
		 */
		*pgd = pe2 & PASID_2_FSPTPTR;
		*levels = FIELD_GET(PASID_2_FLPM, pe2) == PASID_FLPM_5LEVEL ? 5 : 4;
		return true;
	case PASID_ENTRY_PGTT_SL_ONLY:
	case PASID_ENTRY_PGTT_NESTED:
		*pgd = pe0 & PASID_0_SSPTPTR;
		*levels = (int)FIELD_GET(PASID_0_AW, pe0) + 2;
		return true;
	default:
		return false;
	}
}

int domain_translation_struct_show(struct seq_file *m, struct device_domain_info *info,
				   ioasid_t pasid)
{
	struct intel_iommu *iommu = info->iommu;
	u8 __iomem *reg = (u8 __iomem *)iommu->reg;
	u64 path[6] = {};
	u64 root, ctx[2];
	phys_addr_t pgd;
	bool scalable;
	int levels;

	if (!(readl(reg + DMAR_GSTS_REG) & DMA_GSTS_TES)) {
		seq_printf(m, "DMA Remapping is not enabled on %s\n", iommu->name);
		return 0;
	}
	root = readq(reg + DMAR_RTADDR_REG);
	scalable = root & DMA_RTADDR_SMT;

	/* The tables of the device do not change meanwhile (attach holds it too) */
	guard(spinlock)(&iommu->lock);
	guard(physmem_read)();
	root &= DMA_RTADDR_RTA;
	if (scalable) {
		u64 rte;

		/* Lower half of the root entry: devfn 0-127; upper: 128-255 */
		if (phys_read_u64_in_section(root + info->bus * 16 + (info->devfn >= 0x80 ? 8 : 0),
					     &rte) || !(rte & ROOT_ENTRY_P))
			return 0;
		if (phys_read_u64_in_section((rte & ROOT_ENTRY_CTP) +
					     (info->devfn & 0x7f) * sizeof(struct sm_context_entry),
					     &ctx[0]))
			return 0;
		if (!scalable_translation_table(ctx[0], pasid, &pgd, &levels))
			return 0;
	} else {
		u64 rte;

		if (phys_read_u64_in_section(root + info->bus * 16, &rte) || !(rte & ROOT_ENTRY_P))
			return 0;
		if (phys_read_u64_in_section((rte & ROOT_ENTRY_CTP) + info->devfn * 16, &ctx[0]) ||
		    phys_read_u64_in_section((rte & ROOT_ENTRY_CTP) + info->devfn * 16 + 8,
					     &ctx[1]) ||
		    !(ctx[0] & CONTEXT_LO_P))
			return 0;
		switch (FIELD_GET(CONTEXT_LO_TT, ctx[0])) {
		case CONTEXT_TT_MULTI_LEVEL:
		case CONTEXT_TT_DEV_IOTLB:
			pgd = ctx[0] & CONTEXT_LO_SLPTPTR;
			levels = (int)FIELD_GET(CONTEXT_HI_AW, ctx[1]) + 2;
			break;
		default:
			return 0;
		}
	}

	seq_printf(m, "Device %04x:%02x:%02x.%x ", info->segment, info->bus,
		   PCI_SLOT(info->devfn), PCI_FUNC(info->devfn));
	if (scalable)
		seq_printf(m, "with pasid %x @0x%llx\n", pasid, (unsigned long long)pgd);
	else
		seq_printf(m, "@0x%llx\n", (unsigned long long)pgd);
	seq_printf(m, "%-17s\t%-18s\t%-18s\t%-18s\t%-18s\t%-s\n", "IOVA_PFN", "PML5E", "PML4E",
		   "PDPE", "PDE", "PTE");
	pgtable_walk_level(m, pgd, levels, 0, path);
	return 0;
}

int dev_domain_translation_struct_show(struct seq_file *m, void *unused)
{
	return domain_translation_struct_show(m, (struct device_domain_info *)m->private_data,
					      IOMMU_NO_PASID);
}
DEFINE_SHOW_ATTRIBUTE(dev_domain_translation_struct);

int pasid_domain_translation_struct_show(struct seq_file *m, void *unused)
{
	struct dev_pasid_info *dev_pasid = (struct dev_pasid_info *)m->private_data;

	return domain_translation_struct_show(m, dev_to_info(dev_pasid->dev), dev_pasid->pasid);
}
DEFINE_SHOW_ATTRIBUTE(pasid_domain_translation_struct);

} // namespace

/* The "intel" directory, while some unit is probed (upstream makes it once at init). */
void intel_iommu_debugfs_init(void)
{
	guard(mutex)(&intel_debugfs_lock);
	if (intel_iommu_debug_users++)
		return;
	intel_iommu_debug = debugfs_create_dir("intel", iommu_debugfs_dir_get());
}

void intel_iommu_debugfs_exit(void)
{
	guard(mutex)(&intel_debugfs_lock);
	if (WARN_ON(!intel_iommu_debug_users) || --intel_iommu_debug_users)
		return;
	debugfs_remove_recursive(intel_iommu_debug);
	intel_iommu_debug = NULL;
}

void intel_iommu_debugfs_create_dev(struct device_domain_info *info)
{
	struct dentry *parent;

	{
		guard(mutex)(&intel_debugfs_lock);
		parent = intel_iommu_debug;
	}
	if (IS_ERR_OR_NULL(parent))
		return;
	info->debugfs_dentry = debugfs_create_dir(dev_name(info->dev), parent);
	debugfs_create_file("domain_translation_struct", 0444, info->debugfs_dentry, info,
			    &dev_domain_translation_struct_fops);
}

void intel_iommu_debugfs_remove_dev(struct device_domain_info *info)
{
	debugfs_remove_recursive(info->debugfs_dentry);
	info->debugfs_dentry = NULL;
}

void intel_iommu_debugfs_create_dev_pasid(struct dev_pasid_info *dev_pasid)
{
	struct device_domain_info *info = dev_to_info(dev_pasid->dev);
	char dir_name[10];

	if (IS_ERR_OR_NULL(info->debugfs_dentry))
		return;
	snprintf(dir_name, sizeof(dir_name), "%x", dev_pasid->pasid);
	dev_pasid->debugfs_dentry = debugfs_create_dir(dir_name, info->debugfs_dentry);
	debugfs_create_file("domain_translation_struct", 0444, dev_pasid->debugfs_dentry,
			    dev_pasid, &pasid_domain_translation_struct_fops);
}

void intel_iommu_debugfs_remove_dev_pasid(struct dev_pasid_info *dev_pasid)
{
	debugfs_remove_recursive(dev_pasid->debugfs_dentry);
	dev_pasid->debugfs_dentry = NULL;
}
