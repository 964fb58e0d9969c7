/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommufd's private header: the table of contents of core/.
 *
 * core/ mirrors drivers/iommu/iommufd/ one file per object family:
 *   main.cc          fd context, ioctl table and dispatch, object lifetime
 *   ioas.cc          IOAS ioctls (alloc, map, map_file, copy, unmap, ranges, option)
 *   io_pagetable.cc  IOVA -> pages map: areas, allowed/reserved ranges, domains
 *   pages.cc         iopt_pages: pinning, accounting, filling domains, accesses
 *   pages_dmabuf.cc  iopt_pages over a dma-buf: import, domain maps, revoke
 *   device.cc        device bind/attach/replace/detach, groups, accesses
 *   hw_pagetable.cc  HWPT_ALLOC and the paging/nested HWPT objects
 *   iommu.cc         the IOMMU core layer drivers plug into (include/linux/iommu.h)
 *   eventq.cc        fault queues and vEVENTQs, their fds (eventq.h)
 *   io_pgfault.cc    I/O page fault delivery of the IOMMU layer (io_pgfault.h)
 *   c_api.cc         iommufd_open()/iommufd_ioctl()/iommufd_close()
 *
 * Object lifetime (main.cc): an object is allocated with its ID reserved
 * (the xarray slot holds XA_ZERO_ENTRY, so lookups miss it), initialised,
 * then either finalized (published) or aborted. Nothing that can fail may
 * happen after finalize. @users edges keep objects alive; @wait_cnt covers
 * ioctl-length references. Closing the fd destroys leaves first until the
 * table is empty.
 *
 * Lock order: ioas_creation_lock -> ioas->mutex -> igroup->lock ->
 * iopt.domains_rwsem -> iopt.iova_rwsem -> pages->mutex -> objects xa_lock.
 * A dma-buf's reservation lock orders before pages->mutex (core-dmabuf.md).
 */
#pragma once

#include "core/iommu.h"
#include "core/iommufd.h"
#include "harness/file.h"
#include "harness/kernel.h"
#include "harness/wait.h"

#include <linux/iommufd.h>

struct iommu_domain;
struct iommu_group;
struct iommu_option;
struct iommu_user_data;
struct iommufd_device;

/* The per-open-file context: one per open("/dev/iommu"). */
struct iommufd_ctx {
	struct file *file;
	struct xarray objects;
	struct xarray groups;
	wait_queue_head_t destroy_wait;
	struct rw_semaphore ioas_creation_lock;

	u8 account_mode;
	/* Compatibility with VFIO no-iommu */
	u8 no_iommu_mode;
	struct iommufd_ioas *vfio_ioas;
	/*
	 * mmap regions drivers offer on this fd (core/driver.cc): vm_pgoff ->
	 * struct iommufd_mmap, guarded by its xa_lock. @mmap_next_pgoff hands
	 * out offsets; they are never reused for the life of the fd.
	 */
	struct xarray mt_mmap;
	unsigned long mmap_next_pgoff;

	/* Open order (1, 2, ...) and entry in the list of open contexts (core/state.h). */
	u64 seq;
	struct list_head ctx_node;
};

/* One region of the mmap registry. @owner's users count covers each mapping. */
struct iommufd_mmap {
	struct iommufd_object *owner;
	phys_addr_t mmio_addr;
	/*
	 * Not like the kernel: a region of a hardware model's register file
	 * (ioremap_model()) rather than physical memory. It is mapped as
	 * device memory (VM_IO): every access of the mapping is one
	 * read()/write() of the iommufd at the mapping's offset.
	 */
	void __iomem *mmio;
	size_t length;
	unsigned long vm_pgoff;
};

/*
 * The IOVA -> PFN map of an IOAS, copied into every domain attached to it
 * and offered to accesses. Areas (struct iopt_area, io_pagetable.h) point
 * at shared, refcounted iopt_pages that hold the pinned PFNs.
 *
 * Lock order: domains_rwsem -> iova_rwsem -> pages::mutex
 */
struct io_pagetable {
	struct rw_semaphore domains_rwsem;
	struct xarray domains;
	struct xarray access_list;
	unsigned int next_domain_id;

	struct rw_semaphore iova_rwsem;
	struct rb_root_cached area_itree;
	/* IOVA that cannot become reserved, struct iopt_allowed */
	struct rb_root_cached allowed_itree;
	/* IOVA that cannot be allocated, struct iopt_reserved */
	struct rb_root_cached reserved_itree;
	u8 disable_large_pages;
	unsigned long iova_alignment;
};

void iopt_init_table(struct io_pagetable *iopt);
void iopt_destroy_table(struct io_pagetable *iopt);
int iopt_get_pages(struct io_pagetable *iopt, unsigned long iova, unsigned long length,
		   struct list_head *pages_list);
void iopt_free_pages_list(struct list_head *pages_list);
enum {
	IOPT_ALLOC_IOVA = 1 << 0,
};
int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, void __user *uptr, unsigned long length,
			int iommu_prot, unsigned int flags);
int iopt_map_file_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, int fd, unsigned long start,
			unsigned long length, int iommu_prot, unsigned int flags);
int iopt_map_pages(struct io_pagetable *iopt, struct list_head *pages_list,
		   unsigned long length, unsigned long *dst_iova, int iommu_prot,
		   unsigned int flags);
int iopt_unmap_iova(struct io_pagetable *iopt, unsigned long iova, unsigned long length,
		    unsigned long *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped);

int iopt_read_and_clear_dirty_data(struct io_pagetable *iopt, struct iommu_domain *domain,
				   unsigned long flags,
				   struct iommu_hwpt_get_dirty_bitmap *bitmap);
int iopt_set_dirty_tracking(struct io_pagetable *iopt, struct iommu_domain *domain,
			    bool enable);

void iommufd_access_notify_unmap(struct io_pagetable *iopt, unsigned long iova,
				 unsigned long length);
int iopt_table_add_domain(struct io_pagetable *iopt, struct iommu_domain *domain);
void iopt_table_remove_domain(struct io_pagetable *iopt, struct iommu_domain *domain);
int iopt_table_enforce_dev_resv_regions(struct io_pagetable *iopt, struct device *dev,
					phys_addr_t *sw_msi_start);
int iopt_set_allow_iova(struct io_pagetable *iopt, struct rb_root_cached *allowed_iova);
int iopt_reserve_iova(struct io_pagetable *iopt, unsigned long start, unsigned long last,
		      void *owner);
void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner);
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas, size_t num_iovas);
void iopt_enable_large_pages(struct io_pagetable *iopt);
int iopt_disable_large_pages(struct io_pagetable *iopt);

/* One ioctl call in flight. */
struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
	/* An object allocated by iommufd_object_alloc_ucmd(), finalized or
	 * aborted by the dispatcher according to the handler's result. */
	struct iommufd_object *new_obj;
};

int iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, unsigned long arg);

/* Upper bounds current kernels put on user-sized queues and arrays. */
#define IOMMU_VEVENTQ_MAX_DEPTH		(1U << 19)
#define IOMMUFD_MAX_INVALIDATE_ENTRIES	(1U << 19)

/* Copy the response in ucmd->cmd back to userspace, no more than it gave. */
static inline int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd, min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

static inline bool iommufd_lock_obj(struct iommufd_object *obj)
{
	if (!refcount_inc_not_zero(&obj->users))
		return false;
	if (!refcount_inc_not_zero(&obj->wait_cnt)) {
		/* Being destroyed: back out (we are under xa_lock or hold a users ref). */
		refcount_dec(&obj->users);
		return false;
	}
	return true;
}

struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type);
static inline void iommufd_put_object(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	/* users first: a waiter must never see wait_cnt 0 with a spurious user */
	refcount_dec(&obj->users);
	if (refcount_dec_and_test(&obj->wait_cnt))
		wake_up_interruptible_all(&ictx->destroy_wait);
}

void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_finalize(struct iommufd_ctx *ictx, struct iommufd_object *obj);

enum {
	REMOVE_WAIT = BIT(0),
	REMOVE_OBJ_TOMBSTONE = BIT(1),
};
int iommufd_object_remove(struct iommufd_ctx *ictx, struct iommufd_object *to_destroy,
			  u32 id, unsigned int flags);

/* The caller holds a users ref and wants the object gone now. */
static inline void iommufd_object_destroy_user(struct iommufd_ctx *ictx,
					       struct iommufd_object *obj)
{
	WARN_ON(iommufd_object_remove(ictx, obj, obj->id, REMOVE_WAIT));
}

/* As above, but the ID stays reserved (a tombstone) until the fd closes. */
static inline void iommufd_object_tombstone_user(struct iommufd_ctx *ictx,
						 struct iommufd_object *obj)
{
	WARN_ON(iommufd_object_remove(ictx, obj, obj->id, REMOVE_WAIT | REMOVE_OBJ_TOMBSTONE));
}

/* Drop a users ref; destroy the object if that was the last edge. */
static inline void iommufd_object_put_and_try_destroy(struct iommufd_ctx *ictx,
						      struct iommufd_object *obj)
{
	iommufd_object_remove(ictx, obj, obj->id, 0);
}

struct iommufd_object *_iommufd_object_alloc(size_t size, struct iommufd_ctx *ictx,
					     enum iommufd_object_type type);
struct iommufd_object *_iommufd_object_alloc_ucmd(size_t size, struct iommufd_ucmd *ucmd,
						  enum iommufd_object_type type);

/*
 * iommufd_object_alloc(ictx, ptr, type): allocate the container of
 * ptr's type, whose first member is struct iommufd_object @obj. Returns the
 * container or an ERR_PTR.
 */
template <typename T, typename Alloc, typename Owner>
static inline T *__iommufd_alloc_container(Alloc alloc, Owner owner,
					   enum iommufd_object_type type)
{
	static_assert(offsetof(T, obj) == 0, "struct iommufd_object must come first");
	struct iommufd_object *obj = alloc(sizeof(T), owner, type);

	if (IS_ERR(obj))
		return (T *)obj;
	return container_of(obj, T, obj);
}
#define iommufd_object_alloc(ictx, ptr, type)                                           \
	__iommufd_alloc_container<std::remove_reference_t<decltype(*(ptr))>>(           \
		_iommufd_object_alloc, ictx, type)
#define iommufd_object_alloc_ucmd(ucmd, ptr, type)                                      \
	__iommufd_alloc_container<std::remove_reference_t<decltype(*(ptr))>>(           \
		_iommufd_object_alloc_ucmd, ucmd, type)

/* As iommufd_object_alloc() for containers whose object is nested (common.obj). */
#define __iommufd_object_alloc(ictx, ptr, type, member)                                 \
	({                                                                              \
		using __iommufd_T = std::remove_reference_t<decltype(*(ptr))>;          \
		static_assert(offsetof(__iommufd_T, member) == 0,                       \
			      "struct iommufd_object must come first");                 \
		struct iommufd_object *__iommufd_obj =                                  \
			_iommufd_object_alloc(sizeof(__iommufd_T), ictx, type);         \
		IS_ERR(__iommufd_obj) ? (__iommufd_T *)__iommufd_obj :                  \
					container_of(__iommufd_obj, __iommufd_T, member); \
	})

/*
 * An IOAS: a user-controlled IOVA -> PFN map (the io_pagetable), copied into
 * every HWPT attached to it. @hwpt_list holds the paging HWPTs built on it,
 * reused by automatic domain selection at attach.
 */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
	struct mutex mutex;
	struct list_head hwpt_list;
};

static inline struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS);

	if (IS_ERR(obj))
		return (struct iommufd_ioas *)obj;
	return container_of(obj, struct iommufd_ioas, obj);
}

struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx);
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_ioas_destroy(struct iommufd_object *obj);
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd);
int iommufd_ioas_change_process(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd);
int iommufd_ioas_option(struct iommufd_ucmd *ucmd);
int iommufd_option_rlimit_mode(struct iommu_option *cmd, struct iommufd_ctx *ictx);
int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd);
int iommufd_check_iova_range(struct io_pagetable *iopt,
			     struct iommu_hwpt_get_dirty_bitmap *bitmap);

/*
 * A HW pagetable: an iommu_domain as a user object. Paging HWPTs take their
 * mappings from an IOAS; nested HWPTs sit on a paging
 * parent or a vIOMMU.
 */
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	struct iommu_domain *domain;
	struct iommufd_fault *fault;
	bool pasid_compat : 1;
};

struct iommufd_hwpt_paging {
	struct iommufd_hw_pagetable common;
	struct iommufd_ioas *ioas;
	/* Read without ioas->mutex by a racing put: a whole byte, READ_ONCE. */
	bool auto_domain;
	bool enforce_cache_coherency : 1;
	bool nest_parent : 1;
	/* Entry in iommufd_ioas::hwpt_list */
	struct list_head hwpt_item;
};

struct iommufd_hwpt_nested {
	struct iommufd_hw_pagetable common;
	struct iommufd_hwpt_paging *parent;
	struct iommufd_viommu *viommu;
};

static inline bool hwpt_is_paging(struct iommufd_hw_pagetable *hwpt)
{
	return hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING;
}

static inline struct iommufd_hwpt_paging *to_hwpt_paging(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_paging, common);
}

static inline struct iommufd_hwpt_nested *to_hwpt_nested(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_nested, common);
}

static inline struct iommufd_hwpt_paging *find_hwpt_paging(struct iommufd_hw_pagetable *hwpt)
{
	switch (hwpt->obj.type) {
	case IOMMUFD_OBJ_HWPT_PAGING:
		return to_hwpt_paging(hwpt);
	case IOMMUFD_OBJ_HWPT_NESTED:
		return to_hwpt_nested(hwpt)->parent;
	default:
		return NULL;
	}
}

static inline struct iommufd_hwpt_paging *iommufd_get_hwpt_paging(struct iommufd_ucmd *ucmd,
								  u32 id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_HWPT_PAGING);

	if (IS_ERR(obj))
		return (struct iommufd_hwpt_paging *)obj;
	return container_of(obj, struct iommufd_hwpt_paging, common.obj);
}

int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd);
struct iommufd_hwpt_paging *iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx,
						      struct iommufd_ioas *ioas,
						      struct iommufd_device *idev,
						      ioasid_t pasid, u32 flags,
						      bool immediate_attach,
						      const struct iommu_user_data *user_data);
int iommufd_hw_pagetable_attach(struct iommufd_hw_pagetable *hwpt,
				struct iommufd_device *idev, ioasid_t pasid);
struct iommufd_hw_pagetable *iommufd_hw_pagetable_detach(struct iommufd_device *idev,
							 ioasid_t pasid);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_hwpt_paging_abort(struct iommufd_object *obj);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);
void iommufd_hwpt_nested_abort(struct iommufd_object *obj);
int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd);

static inline void iommufd_hw_pagetable_put(struct iommufd_ctx *ictx,
					    struct iommufd_hw_pagetable *hwpt)
{
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING) {
		struct iommufd_hwpt_paging *hwpt_paging = to_hwpt_paging(hwpt);

		if (READ_ONCE(hwpt_paging->auto_domain)) {
			lockdep_assert_not_held(&hwpt_paging->ioas->mutex);
			iommufd_object_put_and_try_destroy(ictx, &hwpt->obj);
			return;
		}
	}
	refcount_dec(&hwpt->obj.users);
}

/*
 * Devices. struct iommufd_group, struct iommufd_device and the attach
 * machinery are defined in device.cc's section below (owner: device.cc).
 */
struct iommufd_vdevice;

/*
 * iommufd's per-context state of one iommu_group (ictx->groups, keyed by
 * iommu_group_id()). @pasid_attach maps a PASID (IOMMU_NO_PASID for the
 * RID) to the struct iommufd_attach (device.cc) saying which HWPT the
 * group uses and which of its devices asked for it. @lock guards both.
 */
struct iommufd_group {
	struct kref ref;
	struct mutex lock;
	struct iommufd_ctx *ictx;
	struct iommu_group *group;
	struct xarray pasid_attach;
	phys_addr_t sw_msi_start;
};

/*
 * A device bound to a context (IOMMUFD_OBJ_DEVICE). Its users count holds
 * one for the binding driver (dropped by iommufd_device_unbind()) and one
 * per attachment, so IOMMU_DESTROY of a bound device is -EBUSY.
 */
struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_group *igroup;
	struct list_head group_item;
	/* always the physical device */
	struct device *dev;
	bool enforce_cache_coherency;
	/* The vDEVICE on this device, under igroup->lock */
	struct iommufd_vdevice *vdev;
	bool destroying;
};

/* What iommufd hands the IOMMU core at attach: finds the idev on a fault. */
struct iommufd_attach_handle {
	struct iommu_attach_handle handle;
	struct iommufd_device *idev;
};

#define to_iommufd_handle(hdl) container_of(hdl, struct iommufd_attach_handle, handle)

static inline struct iommufd_device *iommufd_get_device(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_DEVICE);

	if (IS_ERR(obj))
		return (struct iommufd_device *)obj;
	return container_of(obj, struct iommufd_device, obj);
}

void iommufd_device_pre_destroy(struct iommufd_object *obj);
void iommufd_device_destroy(struct iommufd_object *obj);
int iommufd_get_hw_info(struct iommufd_ucmd *ucmd);

struct iommufd_access;
void iommufd_access_destroy_object(struct iommufd_object *obj);

/* Fault queues, vIOMMU, vDEVICE, vEVENTQ, HW queues. */
int iommufd_fault_alloc(struct iommufd_ucmd *ucmd);
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd);
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd);

/* core/viommu.cc */
void iommufd_viommu_destroy(struct iommufd_object *obj);
void iommufd_vdevice_destroy(struct iommufd_object *obj);
void iommufd_vdevice_abort(struct iommufd_object *obj);
void iommufd_hw_queue_destroy(struct iommufd_object *obj);
/* device.cc's pre_destroy: tombstone the device's vDEVICE, if any. */
void iommufd_device_remove_vdev(struct iommufd_device *idev);

static inline struct iommufd_viommu *iommufd_get_viommu(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_VIOMMU);

	if (IS_ERR(obj))
		return (struct iommufd_viommu *)obj;
	return container_of(obj, struct iommufd_viommu, obj);
}

static inline struct iommufd_vdevice *iommufd_get_vdevice(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_VDEVICE);

	if (IS_ERR(obj))
		return (struct iommufd_vdevice *)obj;
	return container_of(obj, struct iommufd_vdevice, obj);
}

/* Internal accesses (no ID, no context reference): HW queues pin with them. */
struct iommufd_access *iommufd_access_create_internal(struct iommufd_ctx *ictx);
void iommufd_access_destroy_internal(struct iommufd_ctx *ictx, struct iommufd_access *access);
int iommufd_access_attach_internal(struct iommufd_access *access, struct iommufd_ioas *ioas);
void iommufd_access_detach_internal(struct iommufd_access *access);

/* Selftest (CONFIG_IOMMUFD_TEST is always on in uiommufd). */
int iommufd_test(struct iommufd_ucmd *ucmd);
void iommufd_selftest_destroy(struct iommufd_object *obj);
extern size_t iommufd_test_memory_limit;
void iommufd_test_syz_conv_iova_id(struct iommufd_ucmd *ucmd, unsigned int ioas_id,
				   u64 *iova, u32 *flags);
bool iommufd_should_fail(void);
/* Mock devices skip the MSI check and hold no context reference. */
bool iommufd_selftest_is_mock_dev(struct device *dev);
int iommufd_test_init(void);
void iommufd_test_exit(void);
