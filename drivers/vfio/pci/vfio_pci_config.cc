// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci config space: what the user reads and writes through the
 * config region, against what the function has.
 *
 * Virtualised (the user's writes never reach the function):
 *  - the BARs and the ROM BAR: the host placed them; the user sees a
 *    register that sizes like hardware (write all-ones, read the size
 *    mask) and remembers what it was given, as a guest's BARs do;
 *  - the MSI and MSI-X capabilities: the host owns the function's
 *    interrupt programming, the user asks for vectors with SET_IRQS. The
 *    user's view keeps its own enable bits, message address and data.
 * Everything else (the command register, the PCIe and extended
 * capabilities, and bytes outside any capability, which upstream's
 * unassigned_perms pass through raw) reaches the function, with the
 * function's own write masks. Upstream virtualises more (INTx disable,
 * parts of the PCIe capability); none of our models or users notice.
 *
 * Accesses are cut in naturally aligned pieces of 4, 2 or 1 bytes, and an
 * access that does not fit in the config space is -EFAULT, as
 * vfio_config_do_rw() has it.
 */
#include "drivers/vfio/pci/vfio_pci_priv.h"
#include "harness/platform/pci_regs.h"

#include <cstring>

namespace {

bool in_cap(unsigned int pos, unsigned int cap, unsigned int len)
{
	return cap && pos >= cap && pos < cap + len;
}

unsigned int msi_cap_len(struct pci_func *f)
{
	u16 flags = (u16)pci_cfg_read(f, f->msi_cap + PCI_MSI_FLAGS, 2);
	unsigned int len = 10;	/* id, next, flags, 32-bit address, data */

	if (flags & PCI_MSI_FLAGS_64BIT)
		len += 4;
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		len += 10;	/* 2 reserved after data, mask, pending */
	return len;
}

/* Which bits of the user's view the user may write, per byte of the MSI/MSI-X capabilities. */
u8 virt_wmask(struct vfio_pci_core_device *vdev, unsigned int pos)
{
	struct pci_func *f = vdev->func;

	if (in_cap(pos, f->msix_cap, PCI_CAP_MSIX_SIZEOF)) {
		unsigned int off = pos - f->msix_cap;

		if (off == PCI_MSIX_FLAGS + 1)
			return (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
		return 0;
	}
	if (in_cap(pos, f->msi_cap, msi_cap_len(f))) {
		unsigned int off = pos - f->msi_cap;

		if (off == PCI_MSI_FLAGS)
			return PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE;
		if (off <= PCI_MSI_FLAGS + 1)
			return 0;
		return 0xff;	/* address, data, mask bits */
	}
	return 0;
}

bool is_virt_cap_byte(struct vfio_pci_core_device *vdev, unsigned int pos)
{
	struct pci_func *f = vdev->func;

	return in_cap(pos, f->msix_cap, PCI_CAP_MSIX_SIZEOF) ||
	       in_cap(pos, f->msi_cap, msi_cap_len(f));
}

u32 bar_mask(struct pci_func *f, int bar)
{
	/* The upper half of a 64-bit BAR sizes with the size's high bits. */
	if (bar > 0 && (f->bars[bar - 1].flags & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
	    !f->bars[bar].size && f->bars[bar - 1].size)
		return (u32)(~(f->bars[bar - 1].size - 1) >> 32);
	if (!f->bars[bar].size)
		return 0;
	if (f->bars[bar].flags & PCI_BASE_ADDRESS_SPACE_IO)
		return (u32)~(f->bars[bar].size - 1) & PCI_BASE_ADDRESS_IO_MASK;
	return (u32)~(f->bars[bar].size - 1) & PCI_BASE_ADDRESS_MEM_MASK;
}

u32 bar_flags(struct pci_func *f, int bar)
{
	if (!f->bars[bar].size)
		return 0;
	return f->bars[bar].flags & 0xf;
}

u32 vconfig_read(struct vfio_pci_core_device *vdev, unsigned int pos, unsigned int size)
{
	struct pci_func *f = vdev->func;
	u32 val = 0;

	if (pos >= PCI_BASE_ADDRESS_0 && pos < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS) {
		int bar = (int)(pos - PCI_BASE_ADDRESS_0) / 4;
		u32 reg = vdev->vbar[bar];

		return (reg >> (8 * (pos % 4))) & (size == 4 ? ~0U : (1U << (8 * size)) - 1);
	}
	if (pos >= PCI_ROM_ADDRESS && pos < PCI_ROM_ADDRESS + 4)
		return 0;	/* no option ROM */
	if (is_virt_cap_byte(vdev, pos)) {
		std::lock_guard<std::recursive_mutex> g(f->lock);

		memcpy(&val, vdev->vconfig + pos, size);
		return val;
	}
	return pci_cfg_read(f, pos, size);
}

void vconfig_write(struct vfio_pci_core_device *vdev, unsigned int pos, u32 val, unsigned int size)
{
	struct pci_func *f = vdev->func;

	if (pos >= PCI_BASE_ADDRESS_0 && pos < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS) {
		int bar = (int)(pos - PCI_BASE_ADDRESS_0) / 4;
		unsigned int shift = 8 * (pos % 4);
		u32 reg = vdev->vbar[bar];
		u32 mask = size == 4 ? ~0U : ((1U << (8 * size)) - 1) << shift;

		reg = (reg & ~mask) | ((val << shift) & mask);
		vdev->vbar[bar] = (reg & bar_mask(f, bar)) | bar_flags(f, bar);
		return;
	}
	if (pos >= PCI_ROM_ADDRESS && pos < PCI_ROM_ADDRESS + 4)
		return;
	if (is_virt_cap_byte(vdev, pos)) {
		std::lock_guard<std::recursive_mutex> g(f->lock);

		for (unsigned int i = 0; i < size; i++) {
			u8 wm = virt_wmask(vdev, pos + i);
			u8 b = (u8)(val >> (8 * i));

			vdev->vconfig[pos + i] = (vdev->vconfig[pos + i] & ~wm) | (b & wm);
		}
		return;
	}
	pci_cfg_write(f, pos, val, size);
}

ssize_t vfio_config_do_rw(struct vfio_pci_core_device *vdev, char __user *buf, size_t count,
			  loff_t pos, bool iswrite)
{
	u32 val = 0;

	if (pos < 0 || pos >= PCI_CFG_SPACE_EXP_SIZE || pos + (loff_t)count > PCI_CFG_SPACE_EXP_SIZE)
		return -EFAULT;
	if (count >= 4 && !(pos % 4))
		count = 4;
	else if (count >= 2 && !(pos % 2))
		count = 2;
	else
		count = 1;
	if (iswrite) {
		if (copy_from_user(&val, buf, count))
			return -EFAULT;
		vconfig_write(vdev, (unsigned int)pos, val, (unsigned int)count);
	} else {
		val = vconfig_read(vdev, (unsigned int)pos, (unsigned int)count);
		if (copy_to_user(buf, &val, count))
			return -EFAULT;
	}
	return (ssize_t)count;
}

} // namespace

void vfio_config_init(struct vfio_pci_core_device *vdev)
{
	struct pci_func *f = vdev->func;

	std::lock_guard<std::recursive_mutex> g(f->lock);
	memcpy(vdev->vconfig, f->config, sizeof(vdev->vconfig));
	/* The user starts with interrupts off in its view, whatever the host did. */
	if (f->msix_cap)
		vdev->vconfig[f->msix_cap + PCI_MSIX_FLAGS + 1] &=
			(u8)~((PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8);
	if (f->msi_cap)
		vdev->vconfig[f->msi_cap + PCI_MSI_FLAGS] &=
			(u8)~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	for (int bar = 0; bar < PCI_NUM_BARS; bar++)
		vdev->vbar[bar] = bar_flags(f, bar);
	vdev->vrom = 0;
}

ssize_t vfio_pci_config_rw(struct vfio_pci_core_device *vdev, char __user *buf, size_t count,
			   loff_t *ppos, bool iswrite)
{
	loff_t pos = (loff_t)((u64)*ppos & VFIO_PCI_OFFSET_MASK);
	size_t done = 0;

	while (count) {
		ssize_t ret = vfio_config_do_rw(vdev, buf, count, pos, iswrite);

		if (ret < 0)
			return ret;
		count -= (size_t)ret;
		done += (size_t)ret;
		buf += ret;
		pos += ret;
	}
	*ppos += (loff_t)done;
	return (ssize_t)done;
}

unsigned int vfio_pci_get_irq_count(struct vfio_pci_core_device *vdev, unsigned int index)
{
	struct pci_func *f = vdev->func;

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return pci_cfg_read(f, PCI_INTERRUPT_PIN, 1) ? 1 : 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (!f->msi_cap)
			return 0;
		return 1U << ((pci_cfg_read(f, f->msi_cap + PCI_MSI_FLAGS, 2) &
			       PCI_MSI_FLAGS_QMASK) >> 1);
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if (!f->msix_cap)
			return 0;
		return (pci_cfg_read(f, f->msix_cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE) + 1;
	case VFIO_PCI_ERR_IRQ_INDEX:
		return f->pcie_cap ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}
