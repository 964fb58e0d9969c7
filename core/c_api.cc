// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall layer for the C API: errno conventions and the few
 * translations the VFS makes on the way out of a driver.
 */
#include "core/c_api.h"
#include "core/iommufd_private.h"

#include <fcntl.h>

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

extern "C" int iommufd_close(int fd)
{
	return syscall_return(fd_close(fd));
}

extern "C" int iommufd_is_fd(int fd)
{
	return fd_is_kernel_file(fd);
}
