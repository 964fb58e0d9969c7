// SPDX-License-Identifier: GPL-2.0
/*
 * The legacy VFIO path: /dev/vfio/vfio (the container) and /dev/vfio/<N>
 * (the IOMMU group files), as a kernel with CONFIG_IOMMUFD_VFIO_CONTAINER
 * has them: the container *is* an iommufd (its type1 ioctls are the core's
 * compatibility layer, core/vfio_compat.cc), and a group joins it with
 * VFIO_GROUP_SET_CONTAINER, which creates the compatibility IOAS. Device
 * files taken from the group are bound to that iommufd and attached to
 * that IOAS before the user gets them (vfio_df_group_open()).
 *
 * A group file opens once at a time (-EBUSY, as upstream); device files
 * hold a reference on it, so the group's release (which leaves the
 * container) only runs after its last device file is closed.
 */
#include "drivers/vfio/vfio.h"

#include "harness/platform/platform.h"

#include <cstring>
#include <map>

/* core/main.cc: open("/dev/iommu"). */
struct file *iommufd_fops_open(void);

struct vfio_group {
	int id;
	struct mutex lock;
	struct file *opened_file;	/* under @lock */
	struct iommufd_ctx *iommufd;	/* the container, under @lock */
};

namespace {

std::mutex groups_lock;
std::map<int, struct vfio_group *> groups;

struct vfio_group *vfio_group_find(int id)
{
	std::lock_guard<std::mutex> g(groups_lock);
	struct vfio_group *group;
	bool exists = false;

	for (int i = 0; i < platform_nr_devices(); i++)
		if (platform_dev_get(i)->group_id == id)
			exists = true;
	if (!exists)
		return NULL;
	auto it = groups.find(id);
	if (it != groups.end())
		return it->second;
	group = (struct vfio_group *)kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group)
		return NULL;
	group->id = id;
	mutex_init(&group->lock);
	groups[id] = group;
	return group;
}

int vfio_group_ioctl_get_status(struct vfio_group *group, struct vfio_group_status __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_group_status, flags);
	struct vfio_group_status status;

	if (copy_from_user(&status, arg, minsz))
		return -EFAULT;
	if (status.argsz < minsz)
		return -EINVAL;
	status.flags = 0;
	{
		guard(mutex)(&group->lock);
		if (group->iommufd)
			status.flags |= VFIO_GROUP_FLAGS_CONTAINER_SET | VFIO_GROUP_FLAGS_VIABLE;
		else
			/* Every device of a platform group is bound to vfio-pci: always viable. */
			status.flags |= VFIO_GROUP_FLAGS_VIABLE;
	}
	return copy_to_user(arg, &status, minsz) ? -EFAULT : 0;
}

int vfio_group_ioctl_set_container(struct vfio_group *group, int __user *arg)
{
	struct iommufd_ctx *iommufd;
	struct file *f;
	int fd, ret;

	if (copy_from_user(&fd, arg, sizeof(fd)))
		return -EFAULT;
	if (fd < 0)
		return -EINVAL;
	f = fget(fd);
	if (!f)
		return -EBADF;

	guard(mutex)(&group->lock);
	if (group->iommufd) {
		fput(f);
		return -EINVAL;
	}
	iommufd = iommufd_ctx_from_file(f);
	fput(f);
	if (IS_ERR(iommufd))
		return -EBADFD;	/* neither a container nor an iommufd */
	ret = iommufd_vfio_compat_ioas_create(iommufd);
	if (ret) {
		iommufd_ctx_put(iommufd);
		return ret;
	}
	group->iommufd = iommufd;
	return 0;
}

int vfio_group_ioctl_unset_container(struct vfio_group *group)
{
	guard(mutex)(&group->lock);
	if (!group->iommufd)
		return -EINVAL;
	/* Device files hold the group file: none can be open while we run here. */
	iommufd_ctx_put(group->iommufd);
	group->iommufd = NULL;
	return 0;
}

int vfio_group_ioctl_get_device_fd(struct vfio_group *group, char __user *arg)
{
	struct vfio_device_file *df;
	struct vfio_device *device = NULL;
	char name[64];
	struct file *filep;
	long len;
	int fd, ret;

	len = strncpy_from_user(name, arg, sizeof(name));
	if (len < 0)
		return (int)len;
	if (len == sizeof(name))
		return -ENODEV;	/* longer than any device name */

	/* vfio_device_get_from_name(): the driver's match, else the exact name. */
	for (int i = 0; i < platform_nr_devices() && !device; i++) {
		struct platform_dev *pdev = platform_dev_get(i);
		struct vfio_device *candidate;

		if (pdev->group_id != group->id)
			continue;
		candidate = vfio_device_get_by_index(i);
		if (!candidate)
			continue;
		if (candidate->ops->match) {
			ret = candidate->ops->match(candidate, name);
			if (ret < 0)
				return ret;
			if (ret > 0)
				device = candidate;
		} else if (pdev->bdf == name) {
			device = candidate;
		}
	}
	if (!device)
		return -ENODEV;

	guard(mutex)(&group->lock);
	if (!group->iommufd)
		return -EINVAL;
	filep = vfio_device_open_file(device, group);
	if (IS_ERR(filep))
		return PTR_ERR(filep);
	df = (struct vfio_device_file *)filep->private_data;
	ret = vfio_df_group_open(df, group->iommufd);
	if (ret) {
		/* Not open: the release must not unbind anything. */
		df->group = NULL;
		fput(filep);
		return ret;
	}
	df->group_file = get_file(group->opened_file);
	fd = fd_install_new(filep, O_CLOEXEC);
	if (fd < 0)
		fput(filep);
	return fd;
}

long vfio_group_fops_unl_ioctl(struct file *filep, unsigned int cmd, unsigned long arg)
{
	auto *group = (struct vfio_group *)filep->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GROUP_GET_DEVICE_FD:
		return vfio_group_ioctl_get_device_fd(group, (char __user *)uarg);
	case VFIO_GROUP_GET_STATUS:
		return vfio_group_ioctl_get_status(group, (struct vfio_group_status __user *)uarg);
	case VFIO_GROUP_SET_CONTAINER:
		return vfio_group_ioctl_set_container(group, (int __user *)uarg);
	case VFIO_GROUP_UNSET_CONTAINER:
		return vfio_group_ioctl_unset_container(group);
	default:
		return -ENOTTY;
	}
}

int vfio_group_fops_release(struct inode *inode, struct file *filep)
{
	auto *group = (struct vfio_group *)filep->private_data;

	guard(mutex)(&group->lock);
	if (group->iommufd) {
		iommufd_ctx_put(group->iommufd);
		group->iommufd = NULL;
	}
	group->opened_file = NULL;
	return 0;
}

const struct file_operations vfio_group_fops = {
	.release = vfio_group_fops_release,
	.unlocked_ioctl = vfio_group_fops_unl_ioctl,
};

} // namespace

struct file *vfio_container_open(void)
{
	/* The container is an iommufd: its VFIO ioctls are the type1 compatibility. */
	return iommufd_fops_open();
}

struct file *vfio_group_open(int group_id)
{
	struct vfio_group *group = vfio_group_find(group_id);
	struct file *filep;

	if (!group)
		return (struct file *)ERR_PTR(-ENOENT);
	guard(mutex)(&group->lock);
	if (group->opened_file)
		return (struct file *)ERR_PTR(-EBUSY);
	filep = anon_inode_getfile("[vfio-group]", &vfio_group_fops, group, O_RDWR);
	if (IS_ERR(filep))
		return filep;
	group->opened_file = filep;
	return filep;
}
