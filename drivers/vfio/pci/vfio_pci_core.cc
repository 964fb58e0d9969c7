// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci: a PCI function of the platform exposed to user space.
 *
 * Regions: BARs 0-5, the (absent) ROM, the config space, no VGA. A memory
 * BAR of at least a page that its model marks mmap-able may be mapped; the
 * mapping is device memory (VM_IO): the interposer forwards every load and
 * store of it to vfio_pci_rw() at the same offset, so a register the user
 * pokes reaches the model at once, in order, with the access's width.
 * The MSI-X table lives in BAR 0 of our models and interrupt remapping is
 * always present, so the whole BAR is mappable and REGION_INFO says so
 * with the MSIX_MAPPABLE capability, as upstream does on such hosts.
 *
 * Life cycle (vfio_pci_core_enable/disable upstream): the first open
 * resets the function, enables memory decode and leaves bus mastering
 * off; the last close tears down interrupts, stops bus mastering and
 * resets the function again, so the next user finds it quiet.
 * VFIO_DEVICE_RESET is a function-level reset with the configuration
 * saved and restored around it (pci_try_reset_function()).
 */
#include "drivers/vfio/pci/vfio_pci_priv.h"
#include "harness/platform/pci_regs.h"

#include <cstring>

namespace {

bool bar_mmap_supported(struct vfio_pci_core_device *vdev, int bar)
{
	struct pci_bar *b = &vdev->func->bars[bar];

	return b->size >= PAGE_SIZE && b->mmap && !(b->flags & PCI_BASE_ADDRESS_SPACE_IO);
}

/* FLR with the configuration the host had saved put back afterwards. */
void vfio_pci_try_reset_function(struct vfio_pci_core_device *vdev)
{
	struct pci_func *f = vdev->func;
	u8 *saved, *table = nullptr;
	size_t table_len = (size_t)f->msix_nr * PCI_MSIX_ENTRY_SIZE;

	saved = (u8 *)kmalloc(PCI_CFG_SPACE_EXP_SIZE, GFP_KERNEL);
	if (table_len)
		table = (u8 *)kmalloc(table_len, GFP_KERNEL);
	std::lock_guard<std::recursive_mutex> g(f->lock);
	if (saved)
		memcpy(saved, f->config, PCI_CFG_SPACE_EXP_SIZE);
	if (table)
		memcpy(table, f->msix_table, table_len);
	pci_func_flr(f);
	if (saved) {
		/* pci_restore_state(): the header, then every capability's state. */
		for (unsigned int off = 0; off < PCI_CFG_SPACE_EXP_SIZE; off += 4) {
			u32 val;

			memcpy(&val, saved + off, 4);
			if (off == PCI_COMMAND || off == PCI_CLASS_REVISION)
				continue;
			pci_cfg_write(f, off, val, 4);
		}
		pci_cfg_write(f, PCI_COMMAND, saved[PCI_COMMAND] | saved[PCI_COMMAND + 1] << 8, 2);
	}
	if (table)
		memcpy(f->msix_table, table, table_len);
	kfree(saved);
	kfree(table);
}

int vfio_pci_core_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev = to_vfio_pci(core_vdev);
	struct pci_func *f = vdev->func;
	u32 cmd;

	{
		std::lock_guard<std::recursive_mutex> g(f->lock);

		pci_func_flr(f);
		cmd = pci_cfg_read(f, PCI_COMMAND, 2);
		cmd = (cmd | PCI_COMMAND_MEMORY) & ~PCI_COMMAND_MASTER;
		pci_cfg_write(f, PCI_COMMAND, cmd, 2);
		f->irq = vfio_pci_irq_deliver;
		f->irq_data = vdev;
	}
	vfio_config_init(vdev);
	return 0;
}

void vfio_pci_core_close_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev = to_vfio_pci(core_vdev);
	struct pci_func *f = vdev->func;

	vfio_pci_irqs_disable(vdev);
	std::lock_guard<std::recursive_mutex> g(f->lock);
	pci_cfg_write(f, PCI_COMMAND, pci_cfg_read(f, PCI_COMMAND, 2) & ~PCI_COMMAND_MASTER, 2);
	pci_func_flr(f);
	f->irq = nullptr;
	f->irq_data = nullptr;
}

/* Device memory: natural-width accesses, as vfio_pci_core_do_io_rw() issues them. */
ssize_t vfio_pci_bar_rw(struct vfio_pci_core_device *vdev, char __user *buf, size_t count,
			loff_t *ppos, bool iswrite)
{
	int bar = (int)VFIO_PCI_OFFSET_TO_INDEX((u64)*ppos);
	u64 pos = (u64)*ppos & VFIO_PCI_OFFSET_MASK;
	struct pci_func *f = vdev->func;
	u64 end = f->bars[bar].size;
	size_t done = 0;

	if (!end || pos >= end)
		return -EINVAL;
	count = min_t(u64, count, end - pos);
	/* A BAR with memory decode off has no data to give. */
	if (!pci_func_mem_enabled(f))
		return -EIO;
	while (count) {
		unsigned int size;
		u64 val = 0;

		if (count >= 8 && !(pos % 8))
			size = 8;
		else if (count >= 4 && !(pos % 4))
			size = 4;
		else if (count >= 2 && !(pos % 2))
			size = 2;
		else
			size = 1;
		if (iswrite) {
			if (copy_from_user(&val, buf, size))
				return -EFAULT;
			pci_bar_write(f, bar, pos, val, size);
		} else {
			val = pci_bar_read(f, bar, pos, size);
			if (copy_to_user(buf, &val, size))
				return -EFAULT;
		}
		count -= size;
		done += size;
		buf += size;
		pos += size;
	}
	*ppos += (loff_t)done;
	return (ssize_t)done;
}

ssize_t vfio_pci_rw(struct vfio_pci_core_device *vdev, char __user *buf, size_t count,
		    loff_t *ppos, bool iswrite)
{
	u64 index = VFIO_PCI_OFFSET_TO_INDEX((u64)*ppos);

	if (*ppos < 0 || index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return vfio_pci_config_rw(vdev, buf, count, ppos, iswrite);
	case VFIO_PCI_ROM_REGION_INDEX:
	case VFIO_PCI_VGA_REGION_INDEX:
		/* No option ROM and no VGA on any model. */
		return -EINVAL;
	default:
		return vfio_pci_bar_rw(vdev, buf, count, ppos, iswrite);
	}
}

ssize_t vfio_pci_core_read(struct vfio_device *core_vdev, char __user *buf, size_t count,
			   loff_t *ppos)
{
	if (!count)
		return 0;
	return vfio_pci_rw(to_vfio_pci(core_vdev), buf, count, ppos, false);
}

ssize_t vfio_pci_core_write(struct vfio_device *core_vdev, const char __user *buf, size_t count,
			    loff_t *ppos)
{
	if (!count)
		return 0;
	return vfio_pci_rw(to_vfio_pci(core_vdev), (char __user *)buf, count, ppos, true);
}

int vfio_pci_core_mmap(struct vfio_device *core_vdev, struct vm_area_struct *vma)
{
	struct vfio_pci_core_device *vdev = to_vfio_pci(core_vdev);
	unsigned int index = vma->vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	u64 phys_len, req_len, pgoff, req_start;

	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	if (vma->vm_end < vma->vm_start)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (index >= VFIO_PCI_ROM_REGION_INDEX)
		return -EINVAL;
	if (!bar_mmap_supported(vdev, (int)index))
		return -EINVAL;

	phys_len = ALIGN(vdev->func->bars[index].size, PAGE_SIZE);
	req_len = vma->vm_end - vma->vm_start;
	pgoff = vma->vm_pgoff & ((1UL << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)) - 1);
	req_start = pgoff << PAGE_SHIFT;
	if (req_start + req_len > phys_len)
		return -EINVAL;
	/* No page behind it: every access goes to vfio_pci_rw() at vm_pgoff. */
	vma->vm_flags |= VM_IO;
	return 0;
}

int vfio_pci_ioctl_get_info(struct vfio_pci_core_device *vdev, struct vfio_device_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI;
	if (vdev->func->pcie_cap &&
	    (pci_cfg_read(vdev->func, vdev->func->pcie_cap + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR))
		info.flags |= VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

int vfio_pci_ioctl_get_region_info(struct vfio_pci_core_device *vdev,
				   struct vfio_region_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = {};
	struct vfio_region_info info;
	int ret = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	switch (info.index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
		info.size = PCI_CFG_SPACE_EXP_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
		info.size = vdev->func->bars[info.index].size;
		if (!info.size) {
			info.flags = 0;
			break;
		}
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		if (bar_mmap_supported(vdev, (int)info.index)) {
			info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
			if (vdev->func->msix_cap && info.index == vdev->func->msix_bar) {
				struct vfio_info_cap_header *h =
					vfio_info_cap_add(&caps, sizeof(*h),
							  VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1);

				if (IS_ERR(h))
					return PTR_ERR(h);
			}
		}
		break;
	case VFIO_PCI_ROM_REGION_INDEX:
		info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
		info.size = 0;
		info.flags = 0;
		break;
	case VFIO_PCI_VGA_REGION_INDEX:
	default:
		return -EINVAL;
	}

	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = (u32)(sizeof(info) + caps.size);
			info.cap_offset = 0;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user((u8 __user *)arg + sizeof(info), caps.buf, caps.size))
				ret = -EFAULT;
			info.cap_offset = sizeof(info);
		}
		kfree(caps.buf);
		if (ret)
			return ret;
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

int vfio_pci_ioctl_get_irq_info(struct vfio_pci_core_device *vdev,
				struct vfio_irq_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	if (info.index == VFIO_PCI_ERR_IRQ_INDEX && !vdev->func->pcie_cap)
		return -EINVAL;

	info.flags = VFIO_IRQ_INFO_EVENTFD;
	info.count = vfio_pci_get_irq_count(vdev, info.index);
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index != VFIO_PCI_MSIX_IRQ_INDEX)
		/* MSI-X vectors can be added while enabled (dynamic MSI-X on x86). */
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

int vfio_pci_ioctl_set_irqs(struct vfio_pci_core_device *vdev, struct vfio_irq_set __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	u8 *data = NULL;
	int max, ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	max = (int)vfio_pci_get_irq_count(vdev, hdr.index);
	ret = vfio_set_irqs_validate_and_prepare(&hdr, max, VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = (u8 *)kmalloc(data_size, GFP_KERNEL);
		if (!data)
			return -ENOMEM;
		if (copy_from_user(data, (const u8 __user *)arg + minsz, data_size)) {
			kfree(data);
			return -EFAULT;
		}
	}
	guard(mutex)(&vdev->igate);
	ret = vfio_pci_set_irqs_ioctl(vdev, hdr.flags, hdr.index, hdr.start, hdr.count, data);
	kfree(data);
	return ret;
}

long vfio_pci_core_ioctl(struct vfio_device *core_vdev, unsigned int cmd, unsigned long arg)
{
	struct vfio_pci_core_device *vdev = to_vfio_pci(core_vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return vfio_pci_ioctl_get_info(vdev, (struct vfio_device_info __user *)uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return vfio_pci_ioctl_get_region_info(vdev, (struct vfio_region_info __user *)uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return vfio_pci_ioctl_get_irq_info(vdev, (struct vfio_irq_info __user *)uarg);
	case VFIO_DEVICE_SET_IRQS:
		return vfio_pci_ioctl_set_irqs(vdev, (struct vfio_irq_set __user *)uarg);
	case VFIO_DEVICE_RESET:
		if (!vdev->func->pcie_cap ||
		    !(pci_cfg_read(vdev->func, vdev->func->pcie_cap + PCI_EXP_DEVCAP, 4) &
		      PCI_EXP_DEVCAP_FLR))
			return -EINVAL;
		vfio_pci_try_reset_function(vdev);
		return 0;
	default:
		/* Hot reset and ioeventfds are not offered (no bus topology to reset). */
		return -ENOTTY;
	}
}

int vfio_pci_core_device_feature(struct vfio_device *core_vdev, u32 flags, void __user *arg,
				 size_t argsz)
{
	/* No SR-IOV (no VF token), no runtime power management, no dma-buf export. */
	return -ENOTTY;
}

/*
 * The VF token check (vfio_pci_core_match_token_uuid upstream). A VF whose
 * PF is a vfio-pci device needs the PF's token, and a PF with VFs in use
 * needs its own; no platform function here is a PF or a VF (no SR-IOV
 * capability is modelled), so there is never a token to match, and one
 * given anyway is refused with -EINVAL, as upstream refuses it for a
 * function that is neither.
 */
int vfio_pci_core_match_token_uuid(struct vfio_device *core_vdev, const uuid_t *uuid)
{
	return uuid ? -EINVAL : 0;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* kernel uuid_parse(): 36 characters, dashes at 8, 13, 18 and 23, hex elsewhere. */
int vfio_pci_uuid_parse(const char *s, uuid_t *u)
{
	int n = 0;

	for (int i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		hi = hex_digit(s[i]);
		lo = hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		u->b[n++] = (u8)(hi << 4 | lo);
		i++;
	}
	return 0;
}

/*
 * VFIO_GROUP_GET_DEVICE_FD's name (vfio_pci_core_match upstream): the
 * function's address, then optionally blanks and one "vf_token=<uuid>".
 * Anything else after a blank, a second token or a malformed UUID is
 * -EINVAL; a name that only starts like ours (no blank after it) is not ours.
 */
int vfio_pci_core_match(struct vfio_device *core_vdev, const char *buf)
{
	static const char vf_token_arg[] = "vf_token=";
	const std::string &name = to_vfio_pci(core_vdev)->pdev->bdf;
	bool vf_token = false;
	uuid_t uuid;
	int ret;

	if (strncmp(name.c_str(), buf, name.size()))
		return 0;
	buf += name.size();
	if (*buf && *buf != ' ')
		return 0;
	while (*buf) {
		if (*buf == ' ') {
			buf++;
			continue;
		}
		if (vf_token || strncmp(buf, vf_token_arg, strlen(vf_token_arg)))
			return -EINVAL;	/* unknown or repeated option */
		buf += strlen(vf_token_arg);
		if (strlen(buf) < 36)
			return -EINVAL;
		ret = vfio_pci_uuid_parse(buf, &uuid);
		if (ret)
			return ret;
		vf_token = true;
		buf += 36;
	}
	ret = core_vdev->ops->match_token_uuid(core_vdev, vf_token ? &uuid : NULL);
	return ret ? ret : 1;
}

const struct vfio_device_ops vfio_pci_ops = {
	.name = "vfio-pci",
	.open_device = vfio_pci_core_open_device,
	.close_device = vfio_pci_core_close_device,
	.read = vfio_pci_core_read,
	.write = vfio_pci_core_write,
	.ioctl = vfio_pci_core_ioctl,
	.mmap = vfio_pci_core_mmap,
	.device_feature = vfio_pci_core_device_feature,
	.match = vfio_pci_core_match,
	.match_token_uuid = vfio_pci_core_match_token_uuid,
};

} // namespace

struct vfio_device *vfio_pci_core_create(int index)
{
	struct platform_dev *pdev = platform_dev_get(index);
	struct vfio_pci_core_device *vdev;

	if (!pdev)
		return NULL;
	vdev = (struct vfio_pci_core_device *)kzalloc(sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return NULL;
	vfio_init_device(&vdev->vdev, pdev->dev, &vfio_pci_ops, index);
	vdev->pdev = pdev;
	vdev->func = pdev->func;
	mutex_init(&vdev->igate);
	vdev->irq_type = VFIO_PCI_IRQ_NONE;
	vdev->err_trigger = -1;
	vdev->req_trigger = -1;
	vfio_config_init(vdev);
	return &vdev->vdev;
}
