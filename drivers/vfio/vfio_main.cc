// SPDX-License-Identifier: GPL-2.0
/*
 * The VFIO core: devices, the cdev, and the device file.
 *
 * A device file starts without access. Opened from the cdev it accepts
 * only VFIO_DEVICE_BIND_IOMMUFD (everything else -EINVAL) until bound,
 * and a device has at most one bound cdev file at a time; opened through
 * a legacy group (group.cc) it is bound to the container's iommufd and
 * attached to its compatibility IOAS before the user ever sees it. Either
 * way the binding ends with the file's last close, which detaches and
 * unbinds, as the kernel's release does.
 *
 * The ioctls the core answers itself (bind, attach/detach, DEVICE_FEATURE
 * framing) follow device_cdev.c and vfio_main.c upstream, errno for errno;
 * the rest go to the driver (vfio-pci, pci/).
 */
#include "drivers/vfio/vfio.h"

#include "harness/platform/platform.h"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

std::mutex devices_lock;
std::vector<struct vfio_device *> devices;

int vfio_df_open(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;
	int ret;

	lockdep_assert_held(&device->lock);
	/* Only one cdev file may have the device open, and not beside a group's. */
	if (device->open_count != 0 && !df->group)
		return -EINVAL;

	device->open_count++;
	if (device->open_count == 1 && device->ops->open_device) {
		ret = device->ops->open_device(device);
		if (ret) {
			device->open_count--;
			return ret;
		}
	}
	return 0;
}

void vfio_df_close(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	lockdep_assert_held(&device->lock);
	if (WARN_ON(!device->open_count))
		return;
	if (device->open_count == 1 && device->ops->close_device)
		device->ops->close_device(device);
	device->open_count--;
}

/*
 * The token check of a bind: a device that keeps no token refuses one;
 * otherwise its driver decides, seeing NULL when the flag is clear (a VF
 * whose PF holds a token must not bind without it).
 */
int vfio_df_check_token(struct vfio_device *device, const struct vfio_device_bind_iommufd *bind)
{
	uuid_t uuid;

	if (!device->ops->match_token_uuid)
		return (bind->flags & VFIO_DEVICE_BIND_FLAG_TOKEN) ? -EINVAL : 0;
	if (!(bind->flags & VFIO_DEVICE_BIND_FLAG_TOKEN))
		return device->ops->match_token_uuid(device, NULL);
	if (copy_from_user(&uuid, u64_to_user_ptr(bind->token_uuid_ptr), sizeof(uuid)))
		return -EFAULT;
	return device->ops->match_token_uuid(device, &uuid);
}

long vfio_df_ioctl_bind_iommufd(struct vfio_device_file *df,
				struct vfio_device_bind_iommufd __user *arg)
{
	struct vfio_device *device = df->device;
	struct vfio_device_bind_iommufd bind;
	unsigned long minsz = offsetofend(struct vfio_device_bind_iommufd, out_devid);
	u32 user_size;
	int ret;

	/*
	 * Extensible since token_uuid_ptr: a 16-byte struct still binds, a
	 * longer one must be zero past what we know (-E2BIG).
	 */
	if (get_user(user_size, &arg->argsz))
		return -EFAULT;
	if (user_size < minsz)
		return -EINVAL;
	ret = copy_struct_from_user(&bind, sizeof(bind), arg, user_size);
	if (ret)
		return ret;
	if (bind.iommufd < 0 || (bind.flags & ~VFIO_DEVICE_BIND_FLAG_TOKEN))
		return -EINVAL;
	/* Only cdev files bind; a group's file came bound. */
	if (df->group)
		return -EINVAL;

	guard(mutex)(&device->lock);
	if (df->access_granted)
		return -EINVAL;
	ret = vfio_df_check_token(device, &bind);
	if (ret)
		return ret;

	df->iommufd = iommufd_ctx_from_fd(bind.iommufd);
	if (IS_ERR(df->iommufd)) {
		ret = PTR_ERR(df->iommufd);
		df->iommufd = NULL;
		return ret;
	}
	ret = vfio_df_open(df);
	if (ret)
		goto out_put;
	ret = vfio_iommufd_physical_bind(device, df->iommufd, &df->devid);
	if (ret)
		goto out_close;
	if (copy_to_user(&arg->out_devid, &df->devid, sizeof(df->devid))) {
		ret = -EFAULT;
		goto out_unbind;
	}
	device->cdev_opened = true;
	df->access_granted = true;
	return 0;

out_unbind:
	vfio_iommufd_physical_unbind(device);
out_close:
	vfio_df_close(df);
out_put:
	iommufd_ctx_put(df->iommufd);
	df->iommufd = NULL;
	return ret;
}

void vfio_df_unbind_iommufd(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	if (!df->access_granted)
		return;
	guard(mutex)(&device->lock);
	/* A group's files share one binding: the last one out unbinds. */
	if (!df->group || device->open_count == 1)
		vfio_iommufd_physical_unbind(device);
	vfio_df_close(df);
	if (!df->group) {
		iommufd_ctx_put(df->iommufd);
		device->cdev_opened = false;
	}
	df->access_granted = false;
}

int vfio_df_ioctl_attach_pt(struct vfio_device_file *df,
			    struct vfio_device_attach_iommufd_pt __user *arg)
{
	struct vfio_device_attach_iommufd_pt attach;
	struct vfio_device *device = df->device;
	unsigned long minsz = offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	unsigned long xend = 0;
	int ret;

	if (copy_from_user(&attach, arg, minsz))
		return -EFAULT;
	if (attach.argsz < minsz)
		return -EINVAL;
	if (attach.flags & ~VFIO_DEVICE_ATTACH_PASID)
		return -EINVAL;
	if (attach.flags & VFIO_DEVICE_ATTACH_PASID) {
		/* The PASID capability decides, as for a driver without pasid ops. */
		if (!device->dev->pasid_bits)
			return -EOPNOTSUPP;
		xend = offsetofend(struct vfio_device_attach_iommufd_pt, pasid);
	}
	if (xend) {
		if (attach.argsz < xend)
			return -EINVAL;
		if (copy_from_user((u8 *)&attach + minsz, (const u8 __user *)arg + minsz,
				   xend - minsz))
			return -EFAULT;
	}

	guard(mutex)(&device->lock);
	if (attach.flags & VFIO_DEVICE_ATTACH_PASID)
		ret = vfio_iommufd_physical_pasid_attach_ioas(device, attach.pasid, &attach.pt_id);
	else
		ret = vfio_iommufd_physical_attach_ioas(device, &attach.pt_id);
	if (ret)
		return ret;
	if (copy_to_user(&arg->pt_id, &attach.pt_id, sizeof(attach.pt_id))) {
		if (attach.flags & VFIO_DEVICE_ATTACH_PASID)
			vfio_iommufd_physical_pasid_detach_ioas(device, attach.pasid);
		else
			vfio_iommufd_physical_detach_ioas(device);
		return -EFAULT;
	}
	return 0;
}

int vfio_df_ioctl_detach_pt(struct vfio_device_file *df,
			    struct vfio_device_detach_iommufd_pt __user *arg)
{
	struct vfio_device_detach_iommufd_pt detach;
	struct vfio_device *device = df->device;
	unsigned long minsz = offsetofend(struct vfio_device_detach_iommufd_pt, flags);
	unsigned long xend = 0;

	if (copy_from_user(&detach, arg, minsz))
		return -EFAULT;
	if (detach.argsz < minsz)
		return -EINVAL;
	if (detach.flags & ~VFIO_DEVICE_DETACH_PASID)
		return -EINVAL;
	if (detach.flags & VFIO_DEVICE_DETACH_PASID) {
		if (!device->dev->pasid_bits)
			return -EOPNOTSUPP;
		xend = offsetofend(struct vfio_device_detach_iommufd_pt, pasid);
	}
	if (xend) {
		if (detach.argsz < xend)
			return -EINVAL;
		if (copy_from_user((u8 *)&detach + minsz, (const u8 __user *)arg + minsz,
				   xend - minsz))
			return -EFAULT;
	}

	guard(mutex)(&device->lock);
	if (detach.flags & VFIO_DEVICE_DETACH_PASID)
		vfio_iommufd_physical_pasid_detach_ioas(device, detach.pasid);
	else
		vfio_iommufd_physical_detach_ioas(device);
	return 0;
}

int vfio_ioctl_device_feature(struct vfio_device *device, struct vfio_device_feature __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_feature, flags);
	struct vfio_device_feature feature;

	if (copy_from_user(&feature, arg, minsz))
		return -EFAULT;
	if (feature.argsz < minsz)
		return -EINVAL;
	if (feature.flags & ~(VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	/* GET and SET together only make sense as a PROBE. */
	if (!(feature.flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_SET) && (feature.flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;

	switch (feature.flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_MIGRATION:
	case VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE:
	case VFIO_DEVICE_FEATURE_MIG_DATA_SIZE:
	case VFIO_DEVICE_FEATURE_DMA_LOGGING_START:
	case VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP:
	case VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT:
		/* No device model migrates or logs DMA itself. */
		return -ENOTTY;
	default:
		if (!device->ops->device_feature)
			return -EINVAL;
		return device->ops->device_feature(device, feature.flags,
						   (u8 __user *)arg + minsz, feature.argsz - minsz);
	}
}

int vfio_device_fops_release(struct inode *inode, struct file *filep)
{
	auto *df = (struct vfio_device_file *)filep->private_data;

	vfio_df_unbind_iommufd(df);
	/* Only now may the group leave its container (group.cc). */
	if (df->group_file)
		fput(df->group_file);
	kfree(df);
	return 0;
}

long vfio_device_fops_unl_ioctl(struct file *filep, unsigned int cmd, unsigned long arg)
{
	auto *df = (struct vfio_device_file *)filep->private_data;
	struct vfio_device *device = df->device;
	void __user *uptr = (void __user *)arg;

	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return vfio_df_ioctl_bind_iommufd(df, (struct vfio_device_bind_iommufd __user *)uptr);
	if (!__atomic_load_n(&df->access_granted, __ATOMIC_ACQUIRE))
		return -EINVAL;

	/* Only cdev files attach by themselves; a group's follows its container. */
	if (!df->group) {
		switch (cmd) {
		case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
			return vfio_df_ioctl_attach_pt(
				df, (struct vfio_device_attach_iommufd_pt __user *)uptr);
		case VFIO_DEVICE_DETACH_IOMMUFD_PT:
			return vfio_df_ioctl_detach_pt(
				df, (struct vfio_device_detach_iommufd_pt __user *)uptr);
		}
	}
	if (cmd == VFIO_DEVICE_FEATURE)
		return vfio_ioctl_device_feature(device, (struct vfio_device_feature __user *)uptr);
	if (!device->ops->ioctl)
		return -EINVAL;
	return device->ops->ioctl(device, cmd, arg);
}

ssize_t vfio_device_fops_read(struct file *filep, char __user *buf, size_t count, loff_t *ppos)
{
	auto *df = (struct vfio_device_file *)filep->private_data;

	if (!__atomic_load_n(&df->access_granted, __ATOMIC_ACQUIRE) || !df->device->ops->read)
		return -EINVAL;
	return df->device->ops->read(df->device, buf, count, ppos);
}

ssize_t vfio_device_fops_write(struct file *filep, const char __user *buf, size_t count,
			       loff_t *ppos)
{
	auto *df = (struct vfio_device_file *)filep->private_data;

	if (!__atomic_load_n(&df->access_granted, __ATOMIC_ACQUIRE) || !df->device->ops->write)
		return -EINVAL;
	return df->device->ops->write(df->device, buf, count, ppos);
}

int vfio_device_fops_mmap(struct file *filep, struct vm_area_struct *vma)
{
	auto *df = (struct vfio_device_file *)filep->private_data;

	if (!__atomic_load_n(&df->access_granted, __ATOMIC_ACQUIRE) || !df->device->ops->mmap)
		return -EINVAL;
	return df->device->ops->mmap(df->device, vma);
}

} // namespace

const struct file_operations vfio_device_fops = {
	.release = vfio_device_fops_release,
	.unlocked_ioctl = vfio_device_fops_unl_ioctl,
	.mmap = vfio_device_fops_mmap,
	.read = vfio_device_fops_read,
	.write = vfio_device_fops_write,
};

void vfio_init_device(struct vfio_device *vdev, struct device *dev,
		      const struct vfio_device_ops *ops, int index)
{
	vdev->dev = dev;
	vdev->ops = ops;
	vdev->index = index;
	mutex_init(&vdev->lock);
	xa_init(&vdev->pasids);
}

struct vfio_device *vfio_device_get_by_index(int index)
{
	std::lock_guard<std::mutex> g(devices_lock);

	if (index < 0 || index >= platform_nr_devices())
		return NULL;
	if ((int)devices.size() <= index)
		devices.resize(index + 1);
	/* Bound at boot (vfio_pci_boot_platform()); a device stays bound for the machine's life. */
	if (!devices[index])
		devices[index] = vfio_pci_core_create(index);
	return devices[index];
}

int vfio_pci_boot_platform(std::string *err)
{
	int rc = platform_boot_from_env(err);

	if (rc)
		return rc;
	/* vfio-pci binds every function at boot, as a VMM host has its devices. */
	for (int i = 0; i < platform_nr_devices(); i++) {
		if (!vfio_device_get_by_index(i)) {
			*err = platform_dev_get(i)->bdf + ": vfio-pci could not bind it";
			return -ENOMEM;
		}
	}
	return 0;
}

struct file *vfio_device_open_file(struct vfio_device *vdev, struct vfio_group *group)
{
	struct vfio_device_file *df;
	struct file *filep;

	df = (struct vfio_device_file *)kzalloc(sizeof(*df), GFP_KERNEL);
	if (!df)
		return (struct file *)ERR_PTR(-ENOMEM);
	df->device = vdev;
	df->group = group;
	filep = anon_inode_getfile("[vfio-device]", &vfio_device_fops, df, O_RDWR);
	if (IS_ERR(filep)) {
		kfree(df);
		return filep;
	}
	/* A character device's file: regions are read and written at offsets. */
	filep->f_mode |= FMODE_PREAD | FMODE_PWRITE;
	return filep;
}

int vfio_df_group_open(struct vfio_device_file *df, struct iommufd_ctx *ictx)
{
	struct vfio_device *device = df->device;
	u32 devid, ioas_id;
	int ret;

	guard(mutex)(&device->lock);
	/* A device already bound through its cdev cannot be opened by a group. */
	if (device->cdev_opened)
		return -EBUSY;
	ret = iommufd_vfio_compat_ioas_get_id(ictx, &ioas_id);
	if (ret)
		return ret;
	ret = vfio_df_open(df);
	if (ret)
		return ret;
	/* The second file of the group shares the first one's binding. */
	if (device->open_count > 1) {
		df->access_granted = true;
		return 0;
	}
	ret = vfio_iommufd_physical_bind(device, ictx, &devid);
	if (ret)
		goto out_close;
	ret = vfio_iommufd_physical_attach_ioas(device, &ioas_id);
	if (ret)
		goto out_unbind;
	df->access_granted = true;
	return 0;

out_unbind:
	vfio_iommufd_physical_unbind(device);
out_close:
	vfio_df_close(df);
	return ret;
}

/* ---- helpers for drivers ---- */

int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs, int max_irq_type,
				       size_t *data_size)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	size_t size;

	if (hdr->argsz < minsz || hdr->index >= (u32)max_irq_type ||
	    hdr->count >= (UINT32_MAX - hdr->start) ||
	    (hdr->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)))
		return -EINVAL;
	if (data_size)
		*data_size = 0;
	if (hdr->start >= (u32)num_irqs || hdr->start + hdr->count > (u32)num_irqs)
		return -EINVAL;

	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = sizeof(u8);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(s32);
		break;
	default:
		return -EINVAL;
	}
	if (size) {
		if (hdr->argsz - minsz < hdr->count * size)
			return -EINVAL;
		if (!data_size)
			return -EINVAL;
		*data_size = hdr->count * size;
	}
	return 0;
}

struct vfio_info_cap_header *vfio_info_cap_add(struct vfio_info_cap *caps, size_t size, u16 id,
					       u16 version)
{
	struct vfio_info_cap_header *header, *tmp;
	u8 *buf;

	/* Capabilities are 8-byte aligned in the chain. */
	size = ALIGN(size, sizeof(u64));
	buf = (u8 *)krealloc(caps->buf, caps->size + size, GFP_KERNEL);
	if (!buf) {
		kfree(caps->buf);
		caps->buf = NULL;
		caps->size = 0;
		return (struct vfio_info_cap_header *)ERR_PTR(-ENOMEM);
	}
	caps->buf = buf;
	header = (struct vfio_info_cap_header *)(buf + caps->size);
	memset(header, 0, size);
	header->id = id;
	header->version = version;
	if (caps->size) {
		for (tmp = (struct vfio_info_cap_header *)buf; tmp->next;
		     tmp = (struct vfio_info_cap_header *)(buf + tmp->next))
			;
		tmp->next = (u32)caps->size;
	}
	caps->size += size;
	return header;
}

void vfio_info_cap_shift(struct vfio_info_cap *caps, size_t offset)
{
	struct vfio_info_cap_header *tmp;

	if (!caps->size)
		return;
	for (tmp = (struct vfio_info_cap_header *)caps->buf; tmp->next;
	     tmp = (struct vfio_info_cap_header *)(caps->buf + tmp->next - offset))
		tmp->next += (u32)offset;
}

/* ---- /dev/vfio paths ---- */

struct file *vfio_open_path(const char *path, unsigned int flags)
{
	static const char devices_dir[] = "/dev/vfio/devices/vfio";
	static const char vfio_dir[] = "/dev/vfio/";
	struct vfio_device *vdev;
	const char *num;
	char *end;
	long n;

	if (!strncmp(path, devices_dir, sizeof(devices_dir) - 1)) {
		num = path + sizeof(devices_dir) - 1;
		n = strtol(num, &end, 10);
		if (*num < '0' || *num > '9' || *end || n > INT_MAX)
			return (struct file *)ERR_PTR(-ENOENT);
		vdev = vfio_device_get_by_index((int)n);
		if (!vdev)
			return (struct file *)ERR_PTR(-ENOENT);
		return vfio_device_open_file(vdev, NULL);
	}
	if (!strcmp(path, "/dev/vfio/vfio"))
		return vfio_container_open();
	if (!strncmp(path, vfio_dir, sizeof(vfio_dir) - 1)) {
		num = path + sizeof(vfio_dir) - 1;
		n = strtol(num, &end, 10);
		if (*num < '0' || *num > '9' || *end || n > INT_MAX)
			return (struct file *)ERR_PTR(-ENOENT);
		return vfio_group_open((int)n);
	}
	return (struct file *)ERR_PTR(-ENOENT);
}
