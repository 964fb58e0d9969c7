/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iommufd API seen by the rest of the "kernel": drivers binding devices
 * (VFIO, the mock selftest driver), in-kernel users of an IOAS (accesses),
 * and the IOMMU drivers implementing vIOMMU objects. It mirrors
 * include/linux/iommufd.h so the same symbols grep the same in both trees.
 */
#pragma once

#include "harness/kernel.h"

struct device;
struct file;
struct iommu_group;
struct iommufd_access;
struct iommufd_ctx;
struct iommufd_device;
struct page;

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_ACCESS,
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_VIOMMU,
	IOMMUFD_OBJ_VDEVICE,
	IOMMUFD_OBJ_VEVENTQ,
	IOMMUFD_OBJ_HW_QUEUE,
	IOMMUFD_OBJ_SELFTEST,
	IOMMUFD_OBJ_MAX,
};

/*
 * Every object userspace can name by ID starts with this.
 *
 * @users counts the edges from other objects (and from files/mmaps) that
 *   keep this one alive; the ID table holds one. IOMMU_DESTROY succeeds only
 *   when the table's is the last (-EBUSY otherwise).
 * @wait_cnt counts short-term references taken for the length of an ioctl
 *   (iommufd_get_object()/iommufd_put_object()); destruction waits for it.
 */
struct iommufd_object {
	refcount_t wait_cnt;
	refcount_t users;
	enum iommufd_object_type type;
	unsigned int id;
};

/* Device binding, as VFIO and the selftest driver use it. */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx, struct device *dev,
					   u32 *id);
void iommufd_device_unbind(struct iommufd_device *idev);
int iommufd_device_attach(struct iommufd_device *idev, ioasid_t pasid, u32 *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, ioasid_t pasid, u32 *pt_id);
void iommufd_device_detach(struct iommufd_device *idev, ioasid_t pasid);
struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev);
u32 iommufd_device_to_id(struct iommufd_device *idev);

/* In-kernel users of an IOAS (emulated devices, mdev-like). */
struct iommufd_access_ops {
	u8 needs_pin_pages : 1;
	void (*unmap)(void *data, unsigned long iova, unsigned long length);
};

enum {
	IOMMUFD_ACCESS_RW_READ = 0,
	IOMMUFD_ACCESS_RW_WRITE = 1 << 0,
	/* Set if the caller is in a kthread then rw will use kthread_use_mm() */
	IOMMUFD_ACCESS_RW_KTHREAD = 1 << 1,
	/* Only for use by selftest */
	__IOMMUFD_ACCESS_RW_SLOW_PATH = 1 << 2,
};

struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data, u32 *id);
void iommufd_access_destroy(struct iommufd_access *access);
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id);
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id);
void iommufd_access_detach(struct iommufd_access *access);
int iommufd_access_pin_pages(struct iommufd_access *access, unsigned long iova,
			     unsigned long length, struct page **out_pages,
			     unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access, unsigned long iova,
				unsigned long length);
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova, void *data,
		      size_t len, unsigned int flags);

void iommufd_ctx_get(struct iommufd_ctx *ictx);
void iommufd_ctx_put(struct iommufd_ctx *ictx);
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file);
struct iommufd_ctx *iommufd_ctx_from_fd(int fd);
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx, struct iommu_group *group);
