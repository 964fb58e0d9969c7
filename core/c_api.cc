// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall layer for the C API: errno conventions and the few
 * translations the VFS makes on the way out of a driver.
 */
#include "core/c_api.h"
#include "core/eventq.h"
#include "core/eventq_user.h"
#include "core/iommufd_private.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

struct file *iommufd_fops_open(void);

static int syscall_return(long ret)
{
	if (ret >= 0)
		return (int)ret;
	/* Drivers say "not mine"; the VFS says ENOTTY. */
	if (ret == -ENOIOCTLCMD)
		ret = -ENOTTY;
	errno = (int)-ret;
	return -1;
}

extern "C" int iommufd_open(int flags)
{
	struct file *filp = iommufd_fops_open();
	int fd;

	if (IS_ERR(filp))
		return syscall_return(PTR_ERR(filp));
	fd = fd_install_new(filp, flags & O_CLOEXEC);
	if (fd < 0)
		fput(filp);
	return syscall_return(fd);
}

extern "C" int iommufd_ioctl(int fd, unsigned long cmd, void *arg)
{
	struct file *filp = fget(fd);
	long ret;

	if (!filp)
		return syscall_return(-EBADF);
	if (filp->f_op->unlocked_ioctl)
		ret = filp->f_op->unlocked_ioctl(filp, (unsigned int)cmd, (unsigned long)arg);
	else
		ret = -ENOTTY;
	fput(filp);
	return syscall_return(ret);
}

/* ->read() or ->write() of a file of ours, with read(2)/write(2)'s return convention. */
static long c_api_rw(struct file *filp, void *buf, unsigned long count, bool write)
{
	loff_t pos = 0;
	long ret;

	if (write && filp->f_op->write)
		ret = filp->f_op->write(filp, (const char __user *)buf, count, &pos);
	else if (!write && filp->f_op->read)
		ret = filp->f_op->read(filp, (char __user *)buf, count, &pos);
	else
		ret = -EINVAL;
	fput(filp);
	return ret < 0 ? syscall_return(ret) : ret;
}

extern "C" long iommufd_write(int fd, const void *buf, unsigned long count)
{
	struct file *filp = fget(fd);

	if (!filp)
		return syscall_return(-EBADF);
	return c_api_rw(filp, (void *)buf, count, true);
}

extern "C" long iommufd_read(int fd, void *buf, unsigned long count)
{
	struct file *filp = fget(fd);
	long ret;
	int kind;

	if (!filp)
		return read(fd, buf, count);
	kind = iommufd_eventq_file_kind(filp);
	if (!kind)
		return c_api_rw(filp, buf, count, false);
	/* @fd is the user's end of the queue's socket, as for read(2) */
	ret = iommufd_queue_read(fd, kind, buf, count);
	fput(filp);
	return ret < 0 ? syscall_return(ret) : ret;
}

/* The live iommufd_mmap() mappings: each holds its file, as a VMA does. */
struct c_api_mapping {
	struct list_head item;
	struct vm_area_struct vma;
};
static LIST_HEAD(c_api_mappings);
static DEFINE_MUTEX(c_api_mappings_lock);

extern "C" void *iommufd_mmap(void *addr, unsigned long length, int prot, int flags, int fd,
			      long offset)
{
	struct c_api_mapping *map;
	struct file *filp;
	int rc;

	/* The mmap syscall's own checks come before the driver's. */
	if (!length || (offset & (PAGE_SIZE - 1)) || offset < 0) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (addr || (flags & MAP_FIXED)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	filp = fget(fd);
	if (!filp) {
		errno = EBADF;
		return MAP_FAILED;
	}
	if (!filp->f_op->mmap) {
		fput(filp);
		errno = ENODEV;
		return MAP_FAILED;
	}
	map = (struct c_api_mapping *)kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map) {
		fput(filp);
		errno = ENOMEM;
		return MAP_FAILED;
	}
	map->vma.vm_end = length;
	map->vma.vm_pgoff = (unsigned long)offset >> PAGE_SHIFT;
	map->vma.vm_flags = ((prot & PROT_READ) ? VM_READ : 0) |
			    ((prot & PROT_WRITE) ? VM_WRITE : 0) |
			    ((prot & PROT_EXEC) ? VM_EXEC : 0) |
			    ((flags & MAP_SHARED) ? VM_SHARED : 0);
	map->vma.vm_file = filp;
	rc = filp->f_op->mmap(filp, &map->vma);
	if (rc) {
		kfree(map);
		fput(filp);
		errno = -rc;
		return MAP_FAILED;
	}
	mutex_lock(&c_api_mappings_lock);
	list_add_tail(&map->item, &c_api_mappings);
	mutex_unlock(&c_api_mappings_lock);
	return (void *)map->vma.vm_start;
}

extern "C" int iommufd_munmap(void *addr, unsigned long length)
{
	struct c_api_mapping *map, *found = NULL;

	mutex_lock(&c_api_mappings_lock);
	list_for_each_entry(map, &c_api_mappings, item) {
		if (map->vma.vm_start == (unsigned long)addr &&
		    map->vma.vm_end - map->vma.vm_start == length) {
			list_del(&map->item);
			found = map;
			break;
		}
	}
	mutex_unlock(&c_api_mappings_lock);
	if (!found)
		return munmap(addr, length);
	if (found->vma.vm_ops && found->vma.vm_ops->close)
		found->vma.vm_ops->close(&found->vma);
	fput(found->vma.vm_file);
	kfree(found);
	return 0;
}

extern "C" int iommufd_close(int fd)
{
	return syscall_return(fd_close(fd));
}

extern "C" int iommufd_is_fd(int fd)
{
	return fd_is_kernel_file(fd);
}
