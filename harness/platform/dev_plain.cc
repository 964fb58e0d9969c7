// SPDX-License-Identifier: GPL-2.0
/*
 * "plain": a PCI Express function with every generic part and no engine.
 *
 * It exists so the rest of the stack (vfio-pci's config virtualisation,
 * BAR mmap, MSI/MSI-X plumbing, reset, the IOMMU's per-device PASID, ATS
 * and PRI setup) has a function to work on whose behaviour is nothing but
 * PCI: QEMU's test device ID 1b36:0005, class ff0000 (unassigned), FLR,
 * a one-vector MSI capability with per-vector masking, four MSI-X vectors,
 * and BAR0, 16 KiB of scratch registers that read back what was written.
 * The MSI-X table (0x2000) and PBA (0x3000) sit in BAR0 and are pci.cc's;
 * the scratch file behind them is simply never reached.
 *
 * PASID, ATS and PRI capabilities appear when the platform description
 * asks for them, since they are what an IOMMU driver keys its per-device
 * features on.
 */
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"

#include "harness/slab.h"

#define PCI_VENDOR_ID_REDHAT		0x1b36
#define PCI_DEVICE_ID_REDHAT_TEST	0x0005
#define PLAIN_CLASS			0xff0000
#define PLAIN_BAR0_SIZE			0x4000
#define PLAIN_MSIX_VECTORS		4
#define PLAIN_MSIX_TABLE		0x2000
#define PLAIN_MSIX_PBA			0x3000
/* Outstanding page requests the PRI capability offers. */
#define PLAIN_PRI_MAX_REQUESTS		32

struct plain_dev {
	u8 regs[PLAIN_BAR0_SIZE];
};

static u64 plain_bar0_read(void *priv, u64 off, unsigned int size)
{
	struct plain_dev *p = (struct plain_dev *)priv;
	u64 v = 0;

	/* pci.cc hands us only naturally aligned accesses inside the BAR. */
	memcpy(&v, &p->regs[off], size);
	return v;
}

static void plain_bar0_write(void *priv, u64 off, u64 val, unsigned int size)
{
	struct plain_dev *p = (struct plain_dev *)priv;

	memcpy(&p->regs[off], &val, size);
}

static const struct mmio_ops plain_bar0_ops = {
	.read = plain_bar0_read,
	.write = plain_bar0_write,
};

static void plain_reset(struct pci_func *f)
{
	struct plain_dev *p = (struct plain_dev *)f->priv;

	memset(p->regs, 0, sizeof(p->regs));
}

static const struct pci_func_ops plain_func_ops = {
	.reset = plain_reset,
	.destroy = pci_func_kfree_priv,
};

static int plain_create(struct pci_func *f, const struct platform_device_desc *desc)
{
	struct plain_dev *p;

	if (desc->pasid_bits > PCI_PASID_MAX_WIDTH)
		return -EINVAL;
	p = (struct plain_dev *)kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	/* From here on a failure is undone by the caller's pci_func_free(), through ->destroy. */
	f->priv = p;
	f->ops = &plain_func_ops;
	pci_func_set_class(f, PLAIN_CLASS, 0);

	if (pci_func_set_bar(f, 0, PLAIN_BAR0_SIZE, PCI_BASE_ADDRESS_MEM_TYPE_64, true,
			     &plain_bar0_ops, p) ||
	    !pci_cap_add_pcie(f, PCI_EXP_TYPE_ENDPOINT, true) || !pci_cap_add_msi(f, 1, true, true) ||
	    !pci_cap_add_msix(f, PLAIN_MSIX_VECTORS, 0, PLAIN_MSIX_TABLE, PLAIN_MSIX_PBA))
		return -ENOSPC;
	/* PASID first: PRI looks for it to say its responses carry PASIDs. */
	if (desc->pasid_bits && !pci_ecap_add_pasid(f, desc->pasid_bits, false, false))
		return -ENOSPC;
	if (desc->ats && !pci_ecap_add_ats(f))
		return -ENOSPC;
	if (desc->pri && !pci_ecap_add_pri(f, PLAIN_PRI_MAX_REQUESTS))
		return -ENOSPC;
	return 0;
}

extern const struct platform_device_kind plain_device_kind;
const struct platform_device_kind plain_device_kind = {
	.name = "plain",
	.summary = "PCIe function with MSI, MSI-X, FLR and a 16 KiB scratch BAR0; no DMA engine",
	.vendor = PCI_VENDOR_ID_REDHAT,
	.device = PCI_DEVICE_ID_REDHAT_TEST,
	.create = plain_create,
};
PLATFORM_DEVICE_KIND(plain_device_kind);
