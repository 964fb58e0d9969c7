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
/* VFIO type1 compatibility for VFIO's legacy group files (core/vfio_compat.cc). */
int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx, u32 *out_ioas_id);
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx);

/*
 * ---- vIOMMU, vDEVICE, HW queue: the objects IOMMU drivers extend ----
 *
 * A driver embeds these at offset 0 of its own structures (the core
 * allocates the driver's size, asked through get_viommu_size(),
 * ops->vdevice_size and get_hw_queue_size()). core/viommu.cc owns their
 * lifetime; core/driver.cc has the helpers drivers call.
 */
struct iommu_device;
struct iommu_domain;
struct iommu_user_data;
struct iommu_user_data_array;
struct iommufd_hwpt_paging;
struct iommufd_viommu_ops;

struct iommufd_viommu {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	/* The physical IOMMU instance; vDEVICEs must sit behind the same one */
	struct iommu_device *iommu_dev;
	/* The nest-parent HWPT (stage 2) this vIOMMU holds a users ref on */
	struct iommufd_hwpt_paging *hwpt;
	const struct iommufd_viommu_ops *ops;
	/* virtual ID -> struct iommufd_vdevice, under its xa_lock */
	struct xarray vdevs;
	/* vEVENTQs (core/eventq.cc) */
	struct list_head veventqs;
	struct rw_semaphore veventqs_rwsem;
	u32 type;
};

struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	u64 virt_id;
	/* Driver part teardown, set by ops->vdevice_init() */
	void (*destroy)(struct iommufd_vdevice *vdev);
};

struct iommufd_hw_queue {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	/* Internal access pinning the guest queue (physical-address style) */
	struct iommufd_access *access;
	/* Guest queue base, an IOVA of the nest parent's IOAS */
	u64 base_addr;
	size_t length;
	u32 type;
	/* Driver part teardown, set by the init op on success */
	void (*destroy)(struct iommufd_hw_queue *hw_queue);
};

/*
 * What a driver's vIOMMU can do. Everything is optional except that a
 * driver setting @vdevice_size must also set @vdevice_init.
 *
 * @hw_queue_init_phys: the core pinned [base, base + length) of the parent
 *   IOAS and found it physically contiguous at @base_addr_pa.
 * @hw_queue_init: the driver takes hw_queue->base_addr (a guest address)
 *   itself, without core pinning (the AMD HW-vIOMMU style).
 */
struct iommufd_viommu_ops {
	void (*destroy)(struct iommufd_viommu *viommu);
	struct iommu_domain *(*alloc_domain_nested)(struct iommufd_viommu *viommu, u32 flags,
						    const struct iommu_user_data *user_data);
	int (*cache_invalidate)(struct iommufd_viommu *viommu,
				struct iommu_user_data_array *array);
	size_t vdevice_size;
	int (*vdevice_init)(struct iommufd_vdevice *vdev);
	size_t (*get_hw_queue_size)(struct iommufd_viommu *viommu, u32 queue_type);
	int (*hw_queue_init_phys)(struct iommufd_hw_queue *hw_queue, u32 index,
				  phys_addr_t base_addr_pa);
	int (*hw_queue_init)(struct iommufd_hw_queue *hw_queue, u32 index);
};

/* Sizes a driver returns: its structure, checked to embed the core's at 0. */
#define VIOMMU_STRUCT_SIZE(drv_struct, member)                                       \
	(sizeof(drv_struct) +                                                        \
	 0 * sizeof(char[offsetof(drv_struct, member) == 0 ? 1 : -1]))
#define VDEVICE_STRUCT_SIZE(drv_struct, member) VIOMMU_STRUCT_SIZE(drv_struct, member)
#define HW_QUEUE_STRUCT_SIZE(drv_struct, member) VIOMMU_STRUCT_SIZE(drv_struct, member)

/* core/driver.cc: for drivers. */
struct device *iommufd_viommu_find_dev(struct iommufd_viommu *viommu, unsigned long vdev_id);
struct device *iommufd_vdevice_to_device(struct iommufd_vdevice *vdev);
int iommufd_viommu_get_vdev_id(struct iommufd_viommu *viommu, struct device *dev,
			       unsigned long *vdev_id);
int _iommufd_object_depend(struct iommufd_object *obj_dependent,
			   struct iommufd_object *obj_depended);
void _iommufd_object_undepend(struct iommufd_object *obj_dependent,
			      struct iommufd_object *obj_depended);
int _iommufd_alloc_mmap(struct iommufd_ctx *ictx, struct iommufd_object *owner,
			phys_addr_t mmio_addr, size_t length, unsigned long *offset);
void _iommufd_destroy_mmap(struct iommufd_ctx *ictx, struct iommufd_object *owner,
			   unsigned long offset);
/* As _iommufd_alloc_mmap() for a model's MMIO page(s) (ioremap_model()), page aligned. */
int _iommufd_alloc_mmap_iomem(struct iommufd_ctx *ictx, struct iommufd_object *owner,
			      void __iomem *mmio, size_t length, unsigned long *offset);

static inline int iommufd_viommu_alloc_mmap(struct iommufd_viommu *viommu,
					    phys_addr_t mmio_addr, size_t length,
					    unsigned long *offset)
{
	return _iommufd_alloc_mmap(viommu->ictx, &viommu->obj, mmio_addr, length, offset);
}

static inline int iommufd_viommu_alloc_mmap_iomem(struct iommufd_viommu *viommu,
						  void __iomem *mmio, size_t length,
						  unsigned long *offset)
{
	return _iommufd_alloc_mmap_iomem(viommu->ictx, &viommu->obj, mmio, length, offset);
}

static inline void iommufd_viommu_destroy_mmap(struct iommufd_viommu *viommu,
					       unsigned long offset)
{
	_iommufd_destroy_mmap(viommu->ictx, &viommu->obj, offset);
}

/*
 * An ioctl range a driver serves itself, outside the core's table: an
 * experimental vendor uAPI whose commands name no iommufd object (the AMD
 * HW-vIOMMU's 2023 RFC ioctls, drivers/amd/viommu_rfc.cc). @ioctl gets the
 * raw command and user pointer; @ctx_release runs when a context closes,
 * after its objects are gone, to drop what the driver keeps for it.
 * Registered once, for the life of the program.
 */
struct iommufd_ext_ioctls {
	unsigned int first_nr, last_nr;		/* _IOC_NR() range, inclusive */
	long (*ioctl)(struct iommufd_ctx *ictx, unsigned int cmd, void __user *arg);
	void (*ctx_release)(struct iommufd_ctx *ictx);
};
int iommufd_register_ext_ioctls(const struct iommufd_ext_ioctls *ext);

/* One HW queue of a vIOMMU depending on another (destroy order). */
#define iommufd_hw_queue_depend(dependent, depended, member)                         \
	_iommufd_object_depend(&(dependent)->member.obj, &(depended)->member.obj)
#define iommufd_hw_queue_undepend(dependent, depended, member)                       \
	_iommufd_object_undepend(&(dependent)->member.obj, &(depended)->member.obj)
