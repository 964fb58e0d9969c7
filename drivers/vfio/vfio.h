/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO: user-space device access, the kernel side (drivers/vfio upstream).
 *
 *   vfio_main.cc        struct vfio_device, the cdev (/dev/vfio/devices/vfioN)
 *                       and its file: bind to an iommufd, attach/detach,
 *                       DEVICE_FEATURE, and dispatch to the device driver
 *   iommufd.cc          the physical device's iommufd glue (bind, attach)
 *   group.cc            the legacy /dev/vfio/vfio container and /dev/vfio/N
 *                       group files, served by iommufd's type1 compatibility
 *   pci/                vfio-pci: regions, config space virtualisation, IRQs
 *
 * Every PCI function of the platform is bound to vfio-pci at boot, as a
 * VMM host has its assigned devices: vfio_device number N is platform
 * function N (its cdev vfioN, the description's order).
 *
 * Files: a device file is opened from the cdev (cdev mode: nothing but
 * BIND_IOMMUFD works until it is bound; one bound file per device) or
 * handed out by a group (legacy mode: bound to the container's iommufd
 * from the start). struct vfio_device_file is its private data.
 *
 * Locking: vfio_device::lock (the kernel's dev_set->lock) serialises
 * open/close, bind, attach and detach of one device; the driver has its
 * own locks for registers and interrupts.
 */
#pragma once

#include "core/iommu.h"
#include "core/iommufd.h"
#include "harness/file.h"
#include "harness/kernel.h"

#include <fcntl.h>
#include <string>
#include <linux/vfio.h>

#ifndef offsetofend
#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* A VF token: 16 bytes, as VFIO_DEVICE_FEATURE_PCI_VF_TOKEN and uuid_parse() give them. */
typedef struct {
	u8 b[16];
} uuid_t;

struct vfio_device;
struct vfio_group;
struct iommufd_ctx;
struct iommufd_device;

/* What a VFIO device driver provides (include/linux/vfio.h upstream, the subset used). */
struct vfio_device_ops {
	const char *name;
	int (*open_device)(struct vfio_device *vdev);
	void (*close_device)(struct vfio_device *vdev);
	ssize_t (*read)(struct vfio_device *vdev, char __user *buf, size_t count, loff_t *ppos);
	ssize_t (*write)(struct vfio_device *vdev, const char __user *buf, size_t count,
			 loff_t *ppos);
	long (*ioctl)(struct vfio_device *vdev, unsigned int cmd, unsigned long arg);
	int (*mmap)(struct vfio_device *vdev, struct vm_area_struct *vma);
	int (*device_feature)(struct vfio_device *vdev, u32 flags, void __user *arg,
			      size_t argsz);
	/*
	 * The name VFIO_GROUP_GET_DEVICE_FD was given: 1 it names this device,
	 * 0 it does not, -errno it does but with bad or refused options.
	 * Without it the name must equal the device's exactly.
	 */
	int (*match)(struct vfio_device *vdev, const char *buf);
	/*
	 * Whether @uuid (NULL: none given) is the token this device requires
	 * to be opened: 0 or -errno. Without it, giving a token is -EINVAL.
	 */
	int (*match_token_uuid)(struct vfio_device *vdev, const uuid_t *uuid);
};

struct vfio_device {
	struct device *dev;
	const struct vfio_device_ops *ops;
	int index;			/* /dev/vfio/devices/vfio<index> */
	struct mutex lock;
	unsigned int open_count;
	bool cdev_opened;
	/* iommufd binding (cdev or legacy compat), under @lock */
	struct iommufd_ctx *iommufd_ictx;
	struct iommufd_device *iommufd_device;
	bool iommufd_attached;
	/* The PASIDs attached, as the kernel's pasid xarray in iommufd.c */
	struct xarray pasids;
};

struct vfio_device_file {
	struct vfio_device *device;
	struct vfio_group *group;	/* legacy: the group it came from */
	struct file *group_file;	/* legacy: a reference on the group's file */
	bool access_granted;		/* bound (cdev) or opened through a group */
	struct iommufd_ctx *iommufd;	/* cdev: the context BIND_IOMMUFD named */
	u32 devid;
};

/* ---- vfio_main.cc ---- */
void vfio_init_device(struct vfio_device *vdev, struct device *dev,
		      const struct vfio_device_ops *ops, int index);
/* Boots $UIOMMUFD_PLATFORM's machine and binds every function to vfio-pci. */
int vfio_pci_boot_platform(std::string *err);
/* The device behind cdev @index (created on first use), or NULL. */
struct vfio_device *vfio_device_get_by_index(int index);
/* A new file for @vdev: cdev open (group NULL) or a group's GET_DEVICE_FD. */
struct file *vfio_device_open_file(struct vfio_device *vdev, struct vfio_group *group);
/* Opens and binds @df for a legacy group file (the container's iommufd). */
int vfio_df_group_open(struct vfio_device_file *df, struct iommufd_ctx *ictx);
extern const struct file_operations vfio_device_fops;

/* Helpers drivers use (vfio_main.c upstream). */
int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size);

struct vfio_info_cap {
	u8 *buf;
	size_t size;
};
/* Appends a capability of @size bytes (header included) to @caps; its header, or ERR_PTR. */
struct vfio_info_cap_header *vfio_info_cap_add(struct vfio_info_cap *caps, size_t size,
					       u16 id, u16 version);
/* Rebases the chain's next offsets by @offset (where the chain lands in the reply). */
void vfio_info_cap_shift(struct vfio_info_cap *caps, size_t offset);

/* ---- iommufd.cc ---- */
int vfio_iommufd_physical_bind(struct vfio_device *vdev, struct iommufd_ctx *ictx, u32 *out_devid);
void vfio_iommufd_physical_unbind(struct vfio_device *vdev);
int vfio_iommufd_physical_attach_ioas(struct vfio_device *vdev, u32 *pt_id);
void vfio_iommufd_physical_detach_ioas(struct vfio_device *vdev);
int vfio_iommufd_physical_pasid_attach_ioas(struct vfio_device *vdev, u32 pasid, u32 *pt_id);
void vfio_iommufd_physical_pasid_detach_ioas(struct vfio_device *vdev, u32 pasid);

/* ---- group.cc ---- */
/* open("/dev/vfio/vfio") and open("/dev/vfio/<group>"). */
struct file *vfio_container_open(void);
struct file *vfio_group_open(int group_id);

/* ---- pci/vfio_pci_core.cc ---- */
/* The vfio-pci device for platform function @index, or NULL. */
struct vfio_device *vfio_pci_core_create(int index);

/* ---- opening by path (the interposer's /dev/vfio/...) ---- */
struct file *vfio_open_path(const char *path, unsigned int flags);
