/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU core layer: what IOMMU drivers implement and what iommufd calls,
 * shaped like include/linux/iommu.h so that symbols grep the same in both
 * trees.
 *
 * Who owns what:
 *  - A driver registers a struct iommu_device with its struct iommu_ops.
 *  - A struct device is "added" (device_add()) and the core probes it: it
 *    finds the iommu_device whose fwnode matches dev->iommu_fwnode (NULL
 *    matches an instance registered with a NULL fwnode, which is how the
 *    mock driver is found), calls ops->probe_device() and puts the device
 *    in a struct iommu_group chosen by ops->device_group().
 *  - Domains (struct iommu_domain) are allocated by the driver, attached to
 *    whole groups (or to one PASID of one device), and programmed through
 *    iommu_map()/iommu_unmap() which split ranges into the page sizes the
 *    domain supports before calling the driver's map_pages/unmap_pages.
 *  - A group is owned for DMA either by the kernel (default domain) or by
 *    one user such as iommufd (iommu_group_claim_dma_owner()); user-owned
 *    groups sit on the blocking domain until an attach.
 *
 * struct iommu_group is private to core/iommu.cc, as it is in the kernel.
 *
 * Locking: group->mutex serialises attach/detach/replace and ownership of
 * one group; no iommufd lock is taken under it.
 */
#pragma once

#include "harness/kernel.h"

#include <linux/iommufd.h>

struct device;
struct iommu_device;
struct iommu_domain;
struct iommu_group;
struct iommu_ops;
struct iommufd_hw_pagetable;
struct iommufd_viommu;
struct iopf_fault;
struct iopf_group;
struct iommu_page_response;
struct iova_bitmap;

/* Mapping permissions, the prot argument of iommu_map(). */
#define IOMMU_READ	(1 << 0)
#define IOMMU_WRITE	(1 << 1)
#define IOMMU_CACHE	(1 << 2)	/* DMA cache coherency */
#define IOMMU_NOEXEC	(1 << 3)
#define IOMMU_MMIO	(1 << 4)	/* e.g. things like MSI doorbells */
#define IOMMU_PRIV	(1 << 5)

#ifndef PHYS_ADDR_MAX
#define PHYS_ADDR_MAX (~(phys_addr_t)0)
#endif

/* PASID 0 is the untagged (RID) translation. */
#define IOMMU_NO_PASID		(0U)
#define IOMMU_FIRST_GLOBAL_PASID (1U)
#define IOMMU_PASID_INVALID	(-1U)

/* Domain type bits and the domain types built from them. */
#define __IOMMU_DOMAIN_PAGING	(1U << 0)	/* translates through a page table */
#define __IOMMU_DOMAIN_DMA_API	(1U << 1)	/* owned by the DMA API */
#define __IOMMU_DOMAIN_PT	(1U << 2)	/* identity */
#define __IOMMU_DOMAIN_DMA_FQ	(1U << 3)	/* flush queue */
#define __IOMMU_DOMAIN_SVA	(1U << 4)	/* shares a CPU page table */
#define __IOMMU_DOMAIN_PLATFORM	(1U << 5)
#define __IOMMU_DOMAIN_NESTED	(1U << 6)	/* user-managed stage 1 */

#define IOMMU_DOMAIN_BLOCKED	(0U)
#define IOMMU_DOMAIN_IDENTITY	(__IOMMU_DOMAIN_PT)
#define IOMMU_DOMAIN_UNMANAGED	(__IOMMU_DOMAIN_PAGING)
#define IOMMU_DOMAIN_DMA	(__IOMMU_DOMAIN_PAGING | __IOMMU_DOMAIN_DMA_API)
#define IOMMU_DOMAIN_DMA_FQ	(__IOMMU_DOMAIN_PAGING | __IOMMU_DOMAIN_DMA_API | \
				 __IOMMU_DOMAIN_DMA_FQ)
#define IOMMU_DOMAIN_SVA	(__IOMMU_DOMAIN_SVA)
#define IOMMU_DOMAIN_PLATFORM	(__IOMMU_DOMAIN_PLATFORM)
#define IOMMU_DOMAIN_NESTED	(__IOMMU_DOMAIN_NESTED)

enum iommu_cap {
	IOMMU_CAP_CACHE_COHERENCY,	/* IOMMU_CACHE is supported */
	IOMMU_CAP_NOEXEC,		/* IOMMU_NOEXEC flag */
	IOMMU_CAP_PRE_BOOT_PROTECTION,
	IOMMU_CAP_ENFORCE_CACHE_COHERENCY,
	IOMMU_CAP_DEFERRED_FLUSH,
	IOMMU_CAP_DIRTY_TRACKING,	/* IOMMU supports dirty tracking */
	IOMMU_CAP_PCI_ATS_SUPPORTED,	/* the device may use ATS */
};

/* Reserved regions a device reports (iommu_get_resv_regions()). */
enum iommu_resv_type {
	/* Memory regions which must be mapped 1:1 at all times */
	IOMMU_RESV_DIRECT,
	/* As above, but may be unmapped once the device is owned by a user */
	IOMMU_RESV_DIRECT_RELAXABLE,
	/* Arbitrary "never map this or give it to a device" address ranges */
	IOMMU_RESV_RESERVED,
	/* Hardware MSI region (untranslated) */
	IOMMU_RESV_MSI,
	/* Software-managed MSI translation window */
	IOMMU_RESV_SW_MSI,
};

struct iommu_resv_region {
	struct list_head list;
	phys_addr_t start;
	size_t length;
	int prot;
	enum iommu_resv_type type;
	void (*free)(struct device *dev, struct iommu_resv_region *region);
};

struct iommu_domain_geometry {
	dma_addr_t aperture_start;	/* first address that can be mapped */
	dma_addr_t aperture_end;	/* last address that can be mapped */
	bool force_aperture;		/* DMA only allowed in the aperture */
};

/*
 * Invalidation gathered across unmap_pages() calls and flushed once by
 * iommu_iotlb_sync(). @freelist collects page-table pages to free after
 * the flush.
 */
struct iommu_iotlb_gather {
	unsigned long start;
	unsigned long end;
	size_t pgsize;
	struct list_head freelist;
	bool queued;
};

/* Where read_and_clear_dirty() reports dirty IOVA. */
struct iommu_dirty_bitmap {
	struct iova_bitmap *bitmap;
	struct iommu_iotlb_gather *gather;
};

/* read_and_clear_dirty() flags */
#define IOMMU_DIRTY_NO_CLEAR (1 << 0)

struct iommu_dirty_ops {
	int (*set_dirty_tracking)(struct iommu_domain *domain, bool enabled);
	int (*read_and_clear_dirty)(struct iommu_domain *domain, unsigned long iova,
				    size_t size, unsigned long flags,
				    struct iommu_dirty_bitmap *dirty);
};

/* Driver data a user passed through iommufd (HWPT_ALLOC data, ...). */
struct iommu_user_data {
	unsigned int type;
	void __user *uptr;
	size_t len;
};

/* An array of driver-typed entries (cache invalidation requests). */
struct iommu_user_data_array {
	unsigned int type;
	void __user *uptr;
	size_t entry_len;
	u32 entry_num;
};

/*
 * Copy @user_data into @dst (of @dst_size bytes, whose last mandatory
 * member ends at @min_size). The user may pass a shorter (>= @min_size)
 * struct, but not a longer one: unlike the ioctl headers, driver data has
 * no zero-tail extension, and the kernel's selftests expect -EINVAL for
 * sizeof + 1. -EINVAL for a wrong type or a bad length.
 */
static inline int __iommu_copy_struct_from_user(void *dst,
						const struct iommu_user_data *user_data,
						unsigned int data_type, size_t dst_size,
						size_t min_size)
{
	if (WARN_ON(!user_data || !dst))
		return -EINVAL;
	if (user_data->type != data_type)
		return -EINVAL;
	if (user_data->len < min_size || user_data->len > dst_size)
		return -EINVAL;
	return copy_struct_from_user(dst, dst_size, user_data->uptr, user_data->len);
}

#define __iommu_offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

#define iommu_copy_struct_from_user(kdst, user_data, data_type, min_last)        \
	__iommu_copy_struct_from_user(                                           \
		kdst, user_data, data_type, sizeof(*(kdst)),                     \
		__iommu_offsetofend(std::remove_reference_t<decltype(*(kdst))>, \
				    min_last))

/* Entry @index of @src_array into @dst, as above per entry. */
static inline int __iommu_copy_struct_from_user_array(void *dst,
						      const struct iommu_user_data_array *src_array,
						      unsigned int data_type, unsigned int index,
						      size_t dst_size, size_t min_size)
{
	const u8 __user *src;

	if (WARN_ON(!src_array || index >= src_array->entry_num))
		return -EINVAL;
	if (src_array->type != data_type)
		return -EINVAL;
	if (src_array->entry_len < min_size || src_array->entry_len > dst_size)
		return -EINVAL;
	src = (const u8 __user *)src_array->uptr + (size_t)index * src_array->entry_len;
	return copy_struct_from_user(dst, dst_size, src, src_array->entry_len);
}

#define iommu_copy_struct_from_user_array(kdst, user_array, data_type, index,    \
					  min_last)                              \
	__iommu_copy_struct_from_user_array(                                     \
		kdst, user_array, data_type, index, sizeof(*(kdst)),             \
		__iommu_offsetofend(std::remove_reference_t<decltype(*(kdst))>, \
				    min_last))

/*
 * The whole of @user_array into @kdst (entry_num entries of
 * @kdst_entry_size each), each entry zero-extended or tail-checked as
 * copy_struct_from_user() does. -EINVAL for a wrong type or no entries.
 */
static inline int iommu_copy_struct_from_full_user_array(void *kdst, size_t kdst_entry_size,
							 struct iommu_user_data_array *user_array,
							 unsigned int data_type)
{
	unsigned int i;
	int ret;

	if (user_array->type != data_type)
		return -EINVAL;
	if (!user_array->entry_num)
		return -EINVAL;
	if (user_array->entry_len == kdst_entry_size) {
		if (copy_from_user(kdst, user_array->uptr,
				   (size_t)user_array->entry_num * user_array->entry_len))
			return -EFAULT;
		return 0;
	}
	for (i = 0; i != user_array->entry_num; i++) {
		ret = copy_struct_from_user((u8 *)kdst + kdst_entry_size * i, kdst_entry_size,
					    (const u8 __user *)user_array->uptr +
						    (size_t)user_array->entry_len * i,
					    user_array->entry_len);
		if (ret)
			return ret;
	}
	return 0;
}

/* Copy @src (kernel) back to the user's data buffer, no more than it gave. */
static inline int __iommu_copy_struct_to_user(const struct iommu_user_data *dst_data,
					      const void *src, unsigned int data_type,
					      size_t src_size, size_t min_size)
{
	if (WARN_ON(!dst_data || !src))
		return -EINVAL;
	if (dst_data->type != data_type)
		return -EINVAL;
	if (dst_data->len < min_size)
		return -EINVAL;
	if (copy_to_user(dst_data->uptr, src, min_t(size_t, src_size, dst_data->len)))
		return -EFAULT;
	return 0;
}

#define iommu_copy_struct_to_user(user_data, ksrc, data_type, min_last)          \
	__iommu_copy_struct_to_user(                                             \
		user_data, ksrc, data_type, sizeof(*(ksrc)),                     \
		__iommu_offsetofend(std::remove_reference_t<decltype(*(ksrc))>, \
				    min_last))

/* What a driver attaches: tracks who got the attach (iommufd's handle). */
struct iommu_attach_handle {
	struct iommu_domain *domain;
};

enum iommu_domain_cookie_type {
	IOMMU_COOKIE_NONE,
	IOMMU_COOKIE_DMA_IOVA,
	IOMMU_COOKIE_DMA_MSI,
	IOMMU_COOKIE_FAULT_HANDLER,
	IOMMU_COOKIE_SVA,
	IOMMU_COOKIE_IOMMUFD,
};

struct iommu_domain {
	unsigned int type;
	enum iommu_domain_cookie_type cookie_type;
	const struct iommu_domain_ops *ops;
	const struct iommu_dirty_ops *dirty_ops;
	/* The driver that allocated the domain; attach requires a match. */
	const struct iommu_ops *owner;
	unsigned long pgsize_bitmap;	/* bitmap of supported page sizes */
	struct iommu_domain_geometry geometry;
	int (*iopf_handler)(struct iopf_group *group);

	/* IOMMU_COOKIE_IOMMUFD: the HWPT wrapping this domain */
	struct iommufd_hw_pagetable *iommufd_hwpt;
};

static inline bool iommu_is_dma_domain(struct iommu_domain *domain)
{
	return domain->type & __IOMMU_DOMAIN_DMA_API;
}

/*
 * Operations on a domain.
 *
 * attach_dev: -EINVAL means "incompatible, try another domain" (iommufd
 *   relies on it when it reuses HWPTs), -ENOMEM/-ENOSPC resource failures,
 *   -EBUSY, -ENODEV device-specific failures. @old is the domain the device
 *   is leaving (NULL on first attach).
 * set_dev_pasid: the same for one PASID of @dev.
 * map_pages: map @pgcount pages of @pgsize; on failure *@mapped says how far
 *   it got so the core can unwind.
 * unmap_pages: returns how many bytes were unmapped.
 */
struct iommu_domain_ops {
	int (*attach_dev)(struct iommu_domain *domain, struct device *dev,
			  struct iommu_domain *old);
	int (*set_dev_pasid)(struct iommu_domain *domain, struct device *dev,
			     ioasid_t pasid, struct iommu_domain *old);

	int (*map_pages)(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
			 size_t pgsize, size_t pgcount, int prot, gfp_t gfp, size_t *mapped);
	size_t (*unmap_pages)(struct iommu_domain *domain, unsigned long iova, size_t pgsize,
			      size_t pgcount, struct iommu_iotlb_gather *iotlb_gather);

	void (*flush_iotlb_all)(struct iommu_domain *domain);
	int (*iotlb_sync_map)(struct iommu_domain *domain, unsigned long iova, size_t size);
	void (*iotlb_sync)(struct iommu_domain *domain, struct iommu_iotlb_gather *iotlb_gather);
	int (*cache_invalidate_user)(struct iommu_domain *domain,
				     struct iommu_user_data_array *array);

	phys_addr_t (*iova_to_phys)(struct iommu_domain *domain, dma_addr_t iova);

	bool (*enforce_cache_coherency)(struct iommu_domain *domain);
	int (*set_pgtable_quirks)(struct iommu_domain *domain, unsigned long quirks);

	void (*free)(struct iommu_domain *domain);
};

/*
 * The driver. hw_info: *@type comes in as the format the user asked for
 * (IOMMU_HW_INFO_TYPE_DEFAULT: the driver's own) and goes out as the format
 * of the returned kzalloc'd buffer (*@length bytes); a driver that cannot
 * report the requested format returns ERR_PTR(-EOPNOTSUPP).
 *
 * Type codes are u32 rather than the uAPI enums: drivers use values outside
 * the enums (IOMMU_HW_INFO_TYPE_SELFTEST, IOMMU_VIOMMU_TYPE_SELFTEST), which
 * C accepts but C++ does not let an unfixed enum hold.
 */
struct iommu_ops {
	bool (*capable)(struct device *dev, enum iommu_cap cap);
	void *(*hw_info)(struct device *dev, u32 *length, u32 *type);

	struct iommu_domain *(*domain_alloc_identity)(struct device *dev);
	struct iommu_domain *(*domain_alloc_paging_flags)(struct device *dev, u32 flags,
							  const struct iommu_user_data *user_data);
	struct iommu_domain *(*domain_alloc_paging)(struct device *dev);
	struct iommu_domain *(*domain_alloc_nested)(struct device *dev,
						    struct iommu_domain *parent, u32 flags,
						    const struct iommu_user_data *user_data);

	struct iommu_device *(*probe_device)(struct device *dev);
	void (*release_device)(struct device *dev);
	void (*probe_finalize)(struct device *dev);
	struct iommu_group *(*device_group)(struct device *dev);

	void (*get_resv_regions)(struct device *dev, struct list_head *list);

	/*
	 * A page request the driver reported (iommu_report_device_fault()) is
	 * answered: the driver sends the response to the device (io_pgfault.h).
	 */
	void (*page_response)(struct device *dev, struct iopf_fault *evt,
			      struct iommu_page_response *msg);

	int (*def_domain_type)(struct device *dev);

	/* vIOMMU: size of the driver's iommufd_viommu. */
	size_t (*get_viommu_size)(struct device *dev, u32 viommu_type);
	int (*viommu_init)(struct iommufd_viommu *viommu, struct iommu_domain *parent_domain,
			   const struct iommu_user_data *user_data);

	const struct iommu_domain_ops *default_domain_ops;
	unsigned long pgsize_bitmap;
	struct iommu_domain *identity_domain;
	struct iommu_domain *blocked_domain;
	struct iommu_domain *release_domain;
	struct iommu_domain *default_domain;
	/* The PASID table lives in guest memory (nested): no per-PASID attach. */
	u8 user_pasid_table : 1;
};

/* One IOMMU hardware instance. */
struct iommu_device {
	struct list_head list;
	const struct iommu_ops *ops;
	/* Matches struct device::iommu_fwnode of the devices behind it. */
	const void *fwnode;
	struct device *dev;
	struct iommu_group *singleton_group;
	u32 max_pasids;
	bool ready;
};

/* Per-device IOMMU data, allocated when a device is probed. */
struct dev_iommu {
	struct mutex lock;
	struct iommu_device *iommu_dev;
	void *priv;
	u32 max_pasids;
	u32 attach_deferred : 1;
	u32 require_direct : 1;
	u32 shadow_on_flush : 1;
};

/* A bus, for drivers that recognise their devices by it (the mock does). */
struct bus_type {
	const char *name;
};

/*
 * A device, the little of struct device the IOMMU layer needs.
 *
 * @iommu_fwnode selects the IOMMU instances that may claim the device
 *   (those registered with the same fwnode, see iommu_device_register());
 *   each one's probe_device() may still decline it with -ENODEV.
 * @pasid_bits is the device's PASID capability (0: none, else the width,
 *   like the PCI PASID capability's Max PASID Width).
 * @release is called when the last reference (put_device()) goes.
 */
struct device {
	char name[48];
	struct device *parent;
	const struct bus_type *bus;
	const void *iommu_fwnode;
	struct dev_iommu *iommu;
	struct iommu_group *iommu_group;
	u32 pasid_bits;
	void *driver_data;
	struct kref kref;
	bool added;
	void (*release)(struct device *dev);
};

static inline const char *dev_name(const struct device *dev) { return dev->name; }
static inline void *dev_get_drvdata(const struct device *dev) { return dev->driver_data; }
static inline void dev_set_drvdata(struct device *dev, void *data) { dev->driver_data = data; }

/* Device life cycle: initialize, add (probes the IOMMU), del, put. */
void device_initialize(struct device *dev);
int dev_set_name(struct device *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int device_add(struct device *dev);
void device_del(struct device *dev);
/* device_del() + put_device(). */
void device_unregister(struct device *dev);
struct device *get_device(struct device *dev);
void put_device(struct device *dev);

static inline const struct iommu_ops *dev_iommu_ops(struct device *dev)
{
	/* Only called for devices an IOMMU has probed. */
	return dev->iommu->iommu_dev->ops;
}

/* The IOMMU instance that probed @dev (iommu-priv.h upstream). */
static inline struct iommu_device *__iommu_get_iommu_dev(struct device *dev)
{
	return dev->iommu->iommu_dev;
}

static inline void *dev_iommu_priv_get(struct device *dev)
{
	return dev->iommu ? dev->iommu->priv : NULL;
}

void dev_iommu_priv_set(struct device *dev, void *priv);

/* The PASID width the device can use: min(device, IOMMU), 0 for none. */
static inline u32 dev_iommu_max_pasids(struct device *dev)
{
	return dev->iommu ? dev->iommu->max_pasids : 0;
}

/*
 * Make an IOMMU instance available to device probing. @iommu->fwnode may be
 * preset by the driver; otherwise @hwdev (the IOMMU's own device) is used
 * as its fwnode. Devices then name their IOMMU by struct
 * device::iommu_fwnode. @iommu->max_pasids is the instance's PASID space.
 */
int iommu_device_register(struct iommu_device *iommu, const struct iommu_ops *ops,
			  struct device *hwdev);
void iommu_device_unregister(struct iommu_device *iommu);
int iommu_probe_device(struct device *dev);
void iommu_release_device(struct device *dev);

bool device_iommu_capable(struct device *dev, enum iommu_cap cap);
bool iommu_group_has_isolated_msi(struct iommu_group *group);

/* Domains */
struct iommu_domain *iommu_paging_domain_alloc_flags(struct device *dev, unsigned int flags);
static inline struct iommu_domain *iommu_paging_domain_alloc(struct device *dev)
{
	return iommu_paging_domain_alloc_flags(dev, 0);
}
void iommu_domain_free(struct iommu_domain *domain);
struct iommu_domain *iommu_get_domain_for_dev(struct device *dev);

/* Drivers: assert the caller holds @dev's group mutex (attach paths do). */
void iommu_group_mutex_assert(struct device *dev);

/*
 * Mapping. iommu_map() requires @iova, @paddr and @size aligned to the
 * domain's smallest page size (-EINVAL otherwise) and unmaps whatever it
 * mapped if it fails part way. iommu_unmap() returns the number of bytes
 * unmapped.
 */
int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr, size_t size,
	      int prot, gfp_t gfp);
int iommu_map_nosync(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
		     size_t size, int prot, gfp_t gfp);
int iommu_sync_map(struct iommu_domain *domain, unsigned long iova, size_t size);
size_t iommu_unmap(struct iommu_domain *domain, unsigned long iova, size_t size);
size_t iommu_unmap_fast(struct iommu_domain *domain, unsigned long iova, size_t size,
			struct iommu_iotlb_gather *iotlb_gather);
phys_addr_t iommu_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova);

static inline void iommu_iotlb_gather_init(struct iommu_iotlb_gather *gather)
{
	gather->start = ULONG_MAX;
	gather->end = 0;
	gather->pgsize = 0;
	INIT_LIST_HEAD(&gather->freelist);
	gather->queued = false;
}

static inline void iommu_flush_iotlb_all(struct iommu_domain *domain)
{
	if (domain->ops->flush_iotlb_all)
		domain->ops->flush_iotlb_all(domain);
}

static inline void iommu_iotlb_sync(struct iommu_domain *domain,
				    struct iommu_iotlb_gather *iotlb_gather)
{
	if (domain->ops->iotlb_sync)
		domain->ops->iotlb_sync(domain, iotlb_gather);
	iommu_iotlb_gather_init(iotlb_gather);
}

/* True if [iova, iova + size) neither overlaps nor touches the gathered range. */
static inline bool iommu_iotlb_gather_is_disjoint(struct iommu_iotlb_gather *gather,
						  unsigned long iova, size_t size)
{
	unsigned long end = iova + size - 1;

	return gather->end != 0 && (end + 1 < gather->start || iova > gather->end + 1);
}

static inline void iommu_iotlb_gather_add_range(struct iommu_iotlb_gather *gather,
						unsigned long iova, size_t size)
{
	unsigned long end = iova + size - 1;

	if (gather->start > iova)
		gather->start = iova;
	if (gather->end < end)
		gather->end = end;
}

/* For page-based invalidation: a new page size or a gap forces a sync first. */
static inline void iommu_iotlb_gather_add_page(struct iommu_domain *domain,
					       struct iommu_iotlb_gather *gather,
					       unsigned long iova, size_t size)
{
	if ((gather->pgsize && gather->pgsize != size) ||
	    iommu_iotlb_gather_is_disjoint(gather, iova, size))
		iommu_iotlb_sync(domain, gather);
	gather->pgsize = size;
	iommu_iotlb_gather_add_range(gather, iova, size);
}

static inline bool iommu_iotlb_gather_queued(struct iommu_iotlb_gather *gather)
{
	return gather && gather->queued;
}

/* Dirty tracking: the driver reports dirty IOVAs into a struct iova_bitmap. */
void iova_bitmap_set(struct iova_bitmap *bitmap, unsigned long iova, size_t length);

static inline void iommu_dirty_bitmap_init(struct iommu_dirty_bitmap *dirty,
					   struct iova_bitmap *bitmap,
					   struct iommu_iotlb_gather *gather)
{
	if (gather)
		iommu_iotlb_gather_init(gather);
	dirty->bitmap = bitmap;
	dirty->gather = gather;
}

static inline void iommu_dirty_bitmap_record(struct iommu_dirty_bitmap *dirty,
					     unsigned long iova, unsigned long length)
{
	if (dirty->bitmap)
		iova_bitmap_set(dirty->bitmap, iova, length);
	if (dirty->gather)
		iommu_iotlb_gather_add_range(dirty->gather, iova, length);
}

/* Reserved regions */
void iommu_get_resv_regions(struct device *dev, struct list_head *list);
void iommu_put_resv_regions(struct device *dev, struct list_head *list);
struct iommu_resv_region *iommu_alloc_resv_region(phys_addr_t start, size_t length, int prot,
						  enum iommu_resv_type type, gfp_t gfp);

/* Groups */
struct iommu_group *iommu_group_alloc(void);
struct iommu_group *iommu_group_alloc_id(int id);
struct iommu_group *generic_device_group(struct device *dev);
struct iommu_group *generic_single_device_group(struct device *dev);
struct iommu_group *iommu_group_get(struct device *dev);
struct iommu_group *iommu_group_ref_get(struct iommu_group *group);
void iommu_group_put(struct iommu_group *group);
int iommu_group_id(struct iommu_group *group);
int iommu_group_for_each_dev(struct iommu_group *group, void *data,
			     int (*fn)(struct device *dev, void *data));
/* Number of devices currently in @group. */
unsigned int iommu_group_device_count(struct iommu_group *group);

/*
 * Attach a whole group. A group owned by a user (iommufd) starts on the
 * blocking domain; attach moves it to @domain (-EBUSY if it is already on
 * another non-default domain), replace moves it from one user domain to
 * another atomically, detach puts it back on the blocking domain.
 */
int iommu_attach_group(struct iommu_domain *domain, struct iommu_group *group);
void iommu_detach_group(struct iommu_domain *domain, struct iommu_group *group);
int iommu_attach_group_handle(struct iommu_domain *domain, struct iommu_group *group,
			      struct iommu_attach_handle *handle);
void iommu_detach_group_handle(struct iommu_domain *domain, struct iommu_group *group);
int iommu_replace_group_handle(struct iommu_group *group, struct iommu_domain *new_domain,
			       struct iommu_attach_handle *handle);
int iommu_attach_device(struct iommu_domain *domain, struct device *dev);
void iommu_detach_device(struct iommu_domain *domain, struct device *dev);

/* PASID attach: one PASID of one device (group must be a singleton). */
int iommu_attach_device_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid,
			      struct iommu_attach_handle *handle);
void iommu_detach_device_pasid(struct iommu_domain *domain, struct device *dev,
			       ioasid_t pasid);
int iommu_replace_device_pasid(struct iommu_domain *domain, struct device *dev,
			       ioasid_t pasid, struct iommu_attach_handle *handle);
struct iommu_attach_handle *iommu_attach_handle_get(struct iommu_group *group, ioasid_t pasid,
						    unsigned int type);

/* DMA ownership: -EBUSY if another owner (or the kernel's DMA API) uses it. */
int iommu_group_claim_dma_owner(struct iommu_group *group, void *owner);
void iommu_group_release_dma_owner(struct iommu_group *group);
bool iommu_group_dma_owner_claimed(struct iommu_group *group);
int iommu_device_claim_dma_owner(struct device *dev, void *owner);
void iommu_device_release_dma_owner(struct device *dev);

/* The domain @pasid of @dev's group is attached to, or NULL (introspection). */
struct iommu_domain *iommu_get_domain_for_dev_pasid(struct device *dev, ioasid_t pasid,
						    unsigned int type);
