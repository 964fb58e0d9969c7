/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci, private: one struct vfio_pci_core_device per PCI function.
 *
 *   vfio_pci_core.cc    the device ops: region/IRQ info, reset, region
 *                       read/write (config, BARs), BAR mmap
 *   vfio_pci_config.cc  config space as the user sees it: BARs and the MSI
 *                       and MSI-X capabilities virtualised, the rest passed
 *                       through with the hardware's own masks
 *   vfio_pci_intrs.cc   VFIO_DEVICE_SET_IRQS: MSI/MSI-X vectors to the user's
 *                       eventfds, and the device's interrupts signalling them
 *
 * Region offsets in the device file are index << VFIO_PCI_OFFSET_SHIFT | offset,
 * as upstream's vfio_pci_core.h defines them (part of the de-facto ABI:
 * users compute them from REGION_INFO, but every VMM knows the shift).
 *
 * Locking: @igate serialises interrupt configuration; register and config
 * accesses take the function's own lock (struct pci_func::lock) inside
 * the pci_* calls; @vconfig is under the function's lock too.
 */
#pragma once

#include "drivers/vfio/vfio.h"
#include "harness/platform/pci.h"
#include "harness/platform/platform.h"

#define VFIO_PCI_OFFSET_SHIFT	40
#define VFIO_PCI_OFFSET_TO_INDEX(off)	((off) >> VFIO_PCI_OFFSET_SHIFT)
#define VFIO_PCI_INDEX_TO_OFFSET(index)	((u64)(index) << VFIO_PCI_OFFSET_SHIFT)
#define VFIO_PCI_OFFSET_MASK	((1ULL << VFIO_PCI_OFFSET_SHIFT) - 1)

enum vfio_pci_irq_type { VFIO_PCI_IRQ_NONE = -1 };

struct vfio_pci_irq_ctx {
	int host_fd;		/* the user's eventfd, a descriptor of ours; -1: none */
};

struct vfio_pci_core_device {
	struct vfio_device vdev;
	struct platform_dev *pdev;
	struct pci_func *func;

	/* The user's view of the BARs and the ROM BAR (what it last wrote, sized). */
	u32 vbar[PCI_NUM_BARS];
	u32 vrom;
	/* The MSI and MSI-X capability bytes as the user sees them. */
	u8 vconfig[PCI_CFG_SPACE_EXP_SIZE];

	struct mutex igate;
	int irq_type;		/* VFIO_PCI_*_IRQ_INDEX, or VFIO_PCI_IRQ_NONE */
	unsigned int num_ctx;
	struct vfio_pci_irq_ctx *ctx;
	int err_trigger, req_trigger;	/* host eventfds, -1: none */
};

static inline struct vfio_pci_core_device *to_vfio_pci(struct vfio_device *vdev)
{
	return container_of(vdev, struct vfio_pci_core_device, vdev);
}

/* vfio_pci_config.cc */
void vfio_config_init(struct vfio_pci_core_device *vdev);
ssize_t vfio_pci_config_rw(struct vfio_pci_core_device *vdev, char __user *buf, size_t count,
			   loff_t *ppos, bool iswrite);
/* The vectors the function offers for @index (INTx: 1 if it has a pin). */
unsigned int vfio_pci_get_irq_count(struct vfio_pci_core_device *vdev, unsigned int index);

/* vfio_pci_intrs.cc */
int vfio_pci_set_irqs_ioctl(struct vfio_pci_core_device *vdev, u32 flags, unsigned int index,
			    unsigned int start, unsigned int count, void *data);
/* Tears down whatever interrupts are set up (close, reset of the user's view). */
void vfio_pci_irqs_disable(struct vfio_pci_core_device *vdev);
/* pci_func::irq: a deliverable interrupt of the function. */
void vfio_pci_irq_deliver(struct pci_func *f, enum pci_irq_type type, unsigned int vector);
