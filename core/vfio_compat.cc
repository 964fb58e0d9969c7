// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO type1 container compatibility on the iommufd fd.
 *
 * Not built yet (second core issue): this behaves like a kernel configured
 * without CONFIG_IOMMUFD_VFIO_CONTAINER, where every ioctl number outside
 * iommufd's range is "not mine" and userspace sees ENOTTY.
 */
#include "core/iommufd_private.h"

int iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, unsigned long arg)
{
	return -ENOIOCTLCMD;
}
