// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU core layer (drivers/iommu/iommu.c in the kernel): IOMMU
 * instances, device probing, groups, domains, mapping and attachment.
 *
 * Groups. Every probed device sits in exactly one struct iommu_group; the
 * group is the unit of isolation, so whole-device attach works on groups.
 * A group is either kernel owned (on its default domain) or owned by one
 * user such as an iommufd context (owner != NULL, on the blocking domain
 * until the user attaches something). group->domain is what every device
 * of the group translates through right now.
 *
 * pasid_array maps a PASID (IOMMU_NO_PASID for the RID) to the attach
 * handle the attacher gave us. An attach without a handle (plain
 * iommu_attach_group()) stores the group's own rid_handle, which
 * iommu_attach_handle_get() treats as "no handle", as the kernel does.
 *
 * Locking: group->mutex serialises everything about one group (domain,
 * ownership, pasid_array contents, device list). iommu_device_lock guards
 * the list of IOMMU instances. Driver attach_dev()/set_dev_pasid() run
 * under group->mutex.
 *
 * Domain changes that fail part way are rolled back device by device; a
 * rollback that fails too is a driver bug (WARN), as in the kernel.
 */
#include "core/iommu.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>

struct group_device {
	struct list_head list;
	struct device *dev;
};

struct iommu_group {
	struct kref ref;
	struct mutex mutex;
	struct list_head devices;
	struct xarray pasid_array;
	struct iommu_domain *domain;
	struct iommu_domain *default_domain;
	struct iommu_domain *blocking_domain;
	/* Allocated by us (not a driver's static domain): freed with the group. */
	bool default_domain_allocated : 1;
	bool blocking_domain_allocated : 1;
	void *owner;
	unsigned int owner_cnt;
	int id;
	/* Stored in pasid_array[IOMMU_NO_PASID] by handle-less attaches. */
	struct iommu_attach_handle rid_handle;
};

static LIST_HEAD(iommu_device_list);
static DEFINE_MUTEX(iommu_device_lock);
/* Group IDs are never reused: iommufd keys per-context state by them. */
static std::atomic<int> iommu_group_next_id;

#define for_each_group_device(group, pos) list_for_each_entry(pos, &(group)->devices, list)

static bool dev_has_iommu(struct device *dev)
{
	return dev->iommu && dev->iommu->iommu_dev;
}

/* ---- devices ---- */

void device_initialize(struct device *dev)
{
	kref_init(&dev->kref);
	dev->added = false;
}

int dev_set_name(struct device *dev, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(dev->name, sizeof(dev->name), fmt, args);
	va_end(args);
	return 0;
}

struct device *get_device(struct device *dev)
{
	if (dev)
		kref_get(&dev->kref);
	return dev;
}

static void device_release(struct kref *kref)
{
	struct device *dev = container_of(kref, struct device, kref);

	/* Like the driver core: a device without release() cannot be freed. */
	if (WARN_ON(!dev->release))
		return;
	dev->release(dev);
}

void put_device(struct device *dev)
{
	if (dev)
		kref_put(&dev->kref, device_release);
}

int device_add(struct device *dev)
{
	int rc;

	if (WARN_ON(dev->added))
		return -EEXIST;
	rc = iommu_probe_device(dev);
	/* As the bus notifier: a device no IOMMU claims is still a device. */
	if (rc && rc != -ENODEV)
		return rc;
	dev->added = true;
	return 0;
}

void device_del(struct device *dev)
{
	if (WARN_ON(!dev->added))
		return;
	iommu_release_device(dev);
	dev->added = false;
}

void device_unregister(struct device *dev)
{
	device_del(dev);
	put_device(dev);
}

void dev_iommu_priv_set(struct device *dev, void *priv)
{
	/* Only a probed device has a dev_iommu to hang data on. */
	if (WARN_ON(!dev->iommu))
		return;
	dev->iommu->priv = priv;
}

/* ---- IOMMU instances ---- */

int iommu_device_register(struct iommu_device *iommu, const struct iommu_ops *ops,
			  struct device *hwdev)
{
	if (WARN_ON(!ops))
		return -EINVAL;
	iommu->ops = ops;
	iommu->dev = hwdev;
	if (!iommu->fwnode && hwdev)
		iommu->fwnode = hwdev;
	guard(mutex)(&iommu_device_lock);
	list_add_tail(&iommu->list, &iommu_device_list);
	iommu->ready = true;
	return 0;
}

void iommu_device_unregister(struct iommu_device *iommu)
{
	scoped_guard(mutex, &iommu_device_lock) {
		list_del(&iommu->list);
		iommu->ready = false;
	}
	if (iommu->singleton_group) {
		iommu_group_put(iommu->singleton_group);
		iommu->singleton_group = NULL;
	}
}

/* ---- groups ---- */

static void iommu_group_release(struct kref *kref)
{
	struct iommu_group *group = container_of(kref, struct iommu_group, ref);

	WARN_ON(!list_empty(&group->devices));
	WARN_ON(!xa_empty(&group->pasid_array));
	WARN_ON(group->owner_cnt);

	if (group->default_domain_allocated)
		iommu_domain_free(group->default_domain);
	if (group->blocking_domain_allocated)
		iommu_domain_free(group->blocking_domain);
	xa_destroy(&group->pasid_array);
	mutex_destroy(&group->mutex);
	kfree(group);
}

static struct iommu_group *__iommu_group_alloc(int id)
{
	struct iommu_group *group;

	group = (struct iommu_group *)kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group)
		return ERR_PTR(-ENOMEM);
	kref_init(&group->ref);
	mutex_init(&group->mutex);
	INIT_LIST_HEAD(&group->devices);
	xa_init(&group->pasid_array);
	group->id = id;
	return group;
}

struct iommu_group *iommu_group_alloc(void)
{
	return __iommu_group_alloc(iommu_group_next_id.fetch_add(1));
}

/*
 * A group with a number the platform chose (its description names the
 * groups). Numbers below the next free one may be in use: -EBUSY.
 */
struct iommu_group *iommu_group_alloc_id(int id)
{
	int next = iommu_group_next_id.load();

	do {
		if (id < next)
			return ERR_PTR(-EBUSY);
	} while (!iommu_group_next_id.compare_exchange_weak(next, id + 1));
	return __iommu_group_alloc(id);
}

struct iommu_group *generic_device_group(struct device *dev)
{
	return iommu_group_alloc();
}

/* Every device of the IOMMU instance in one group (no isolation between them). */
struct iommu_group *generic_single_device_group(struct device *dev)
{
	struct iommu_device *iommu = dev->iommu->iommu_dev;

	if (!iommu->singleton_group) {
		struct iommu_group *group = iommu_group_alloc();

		if (IS_ERR(group))
			return group;
		iommu->singleton_group = group;
	}
	return iommu_group_ref_get(iommu->singleton_group);
}

struct iommu_group *iommu_group_get(struct device *dev)
{
	struct iommu_group *group = dev->iommu_group;

	if (group)
		kref_get(&group->ref);
	return group;
}

struct iommu_group *iommu_group_ref_get(struct iommu_group *group)
{
	kref_get(&group->ref);
	return group;
}

void iommu_group_put(struct iommu_group *group)
{
	if (group)
		kref_put(&group->ref, iommu_group_release);
}

int iommu_group_id(struct iommu_group *group)
{
	return group->id;
}

int iommu_group_for_each_dev(struct iommu_group *group, void *data,
			     int (*fn)(struct device *dev, void *data))
{
	struct group_device *gdev;
	int ret = 0;

	guard(mutex)(&group->mutex);
	for_each_group_device(group, gdev) {
		ret = fn(gdev->dev, data);
		if (ret)
			break;
	}
	return ret;
}

unsigned int iommu_group_device_count(struct iommu_group *group)
{
	guard(mutex)(&group->mutex);
	return list_count_nodes(&group->devices);
}

void iommu_group_mutex_assert(struct device *dev)
{
	lockdep_assert_held(&dev->iommu_group->mutex);
}

static struct device *iommu_group_first_dev(struct iommu_group *group)
{
	lockdep_assert_held(&group->mutex);
	return list_first_entry(&group->devices, struct group_device, list)->dev;
}

/* ---- domains ---- */

static void iommu_domain_init(struct iommu_domain *domain, unsigned int type,
			      const struct iommu_ops *ops)
{
	domain->type = type;
	domain->owner = ops;
	if (!domain->ops)
		domain->ops = ops->default_domain_ops;
	if (!domain->pgsize_bitmap)
		domain->pgsize_bitmap = ops->pgsize_bitmap;
}

static struct iommu_domain *__iommu_paging_domain_alloc_flags(struct device *dev,
							      unsigned int type,
							      unsigned int flags)
{
	const struct iommu_ops *ops;
	struct iommu_domain *domain;

	if (!dev_has_iommu(dev))
		return ERR_PTR(-ENODEV);
	ops = dev_iommu_ops(dev);

	if (ops->domain_alloc_paging && !flags)
		domain = ops->domain_alloc_paging(dev);
	else if (ops->domain_alloc_paging_flags)
		domain = ops->domain_alloc_paging_flags(dev, flags, NULL);
	else
		return ERR_PTR(-EOPNOTSUPP);

	if (IS_ERR(domain))
		return domain;
	if (!domain)
		return ERR_PTR(-ENOMEM);
	iommu_domain_init(domain, type, ops);
	return domain;
}

struct iommu_domain *iommu_paging_domain_alloc_flags(struct device *dev, unsigned int flags)
{
	return __iommu_paging_domain_alloc_flags(dev, IOMMU_DOMAIN_UNMANAGED, flags);
}

void iommu_domain_free(struct iommu_domain *domain)
{
	if (WARN_ON(!domain->ops || !domain->ops->free))
		return;
	domain->ops->free(domain);
}

struct iommu_domain *iommu_get_domain_for_dev(struct device *dev)
{
	struct iommu_group *group = dev->iommu_group;

	if (!group)
		return NULL;
	guard(mutex)(&group->mutex);
	return group->domain;
}

/* ---- mapping ---- */

/*
 * Choose the page size for the next run of [iova, iova + size) -> paddr:
 * the largest supported size both addresses are aligned to and that fits.
 * *count is how many such pages to map at once: all that fit, unless a
 * larger supported size becomes usable part way (both addresses reach its
 * alignment together), in which case stop at that boundary so the next
 * call can use the larger size.
 */
static size_t iommu_pgsize(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
			   size_t size, size_t *count)
{
	unsigned long addr_merge = paddr | iova;
	unsigned long pgsizes, larger;
	unsigned int pgsize_idx;
	size_t pgsize, next, to_boundary;

	pgsizes = domain->pgsize_bitmap & GENMASK(__fls(size), 0);
	if (addr_merge)
		pgsizes &= GENMASK(__ffs(addr_merge), 0);
	/* The caller checked alignment to the smallest size: cannot be empty. */
	BUG_ON(!pgsizes);

	pgsize_idx = __fls(pgsizes);
	pgsize = BIT(pgsize_idx);

	larger = domain->pgsize_bitmap & ~GENMASK(pgsize_idx, 0);
	if (larger) {
		next = BIT(__ffs(larger));
		/* Only worth stopping early if both sides can reach @next together. */
		if (!((iova ^ paddr) & (next - 1))) {
			to_boundary = next - (addr_merge & (next - 1));
			if (to_boundary + next > to_boundary && to_boundary + next <= size)
				size = to_boundary;
		}
	}
	*count = size >> pgsize_idx;
	return pgsize;
}

static size_t __iommu_unmap(struct iommu_domain *domain, unsigned long iova, size_t size,
			    struct iommu_iotlb_gather *iotlb_gather)
{
	const struct iommu_domain_ops *ops = domain->ops;
	unsigned int min_pagesz;
	size_t unmapped = 0;

	if (WARN_ON(!ops->unmap_pages || domain->pgsize_bitmap == 0UL))
		return 0;
	if (WARN_ON(!(domain->type & __IOMMU_DOMAIN_PAGING)))
		return 0;

	min_pagesz = 1U << __ffs(domain->pgsize_bitmap);
	if (!IS_ALIGNED(iova | size, min_pagesz)) {
		fprintf(stderr, "iommu: unaligned unmap: iova 0x%lx size 0x%zx min_pagesz 0x%x\n",
			iova, size, min_pagesz);
		return 0;
	}

	while (unmapped < size) {
		size_t pgsize, count, done;

		pgsize = iommu_pgsize(domain, iova, iova, size - unmapped, &count);
		done = ops->unmap_pages(domain, iova, pgsize, count, iotlb_gather);
		if (!done)
			break;
		iova += done;
		unmapped += done;
	}
	return unmapped;
}

size_t iommu_unmap(struct iommu_domain *domain, unsigned long iova, size_t size)
{
	struct iommu_iotlb_gather gather;
	size_t ret;

	iommu_iotlb_gather_init(&gather);
	ret = __iommu_unmap(domain, iova, size, &gather);
	iommu_iotlb_sync(domain, &gather);
	return ret;
}

size_t iommu_unmap_fast(struct iommu_domain *domain, unsigned long iova, size_t size,
			struct iommu_iotlb_gather *iotlb_gather)
{
	return __iommu_unmap(domain, iova, size, iotlb_gather);
}

int iommu_map_nosync(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
		     size_t size, int prot, gfp_t gfp)
{
	const struct iommu_domain_ops *ops = domain->ops;
	unsigned long orig_iova = iova;
	size_t orig_size = size;
	unsigned int min_pagesz;
	int ret = 0;

	if (WARN_ON(!ops->map_pages || domain->pgsize_bitmap == 0UL))
		return -ENODEV;
	if (WARN_ON(!(domain->type & __IOMMU_DOMAIN_PAGING)))
		return -EINVAL;
	/* Page table memory comes from the driver's allocator, never these zones. */
	if (WARN_ON(gfp & (__GFP_COMP | __GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)))
		return -EINVAL;

	min_pagesz = 1U << __ffs(domain->pgsize_bitmap);
	if (!IS_ALIGNED(iova | paddr | size, min_pagesz)) {
		fprintf(stderr,
			"iommu: unaligned map: iova 0x%lx pa 0x%llx size 0x%zx min_pagesz 0x%x\n",
			iova, (unsigned long long)paddr, size, min_pagesz);
		return -EINVAL;
	}

	while (size) {
		size_t pgsize, count, mapped = 0;

		pgsize = iommu_pgsize(domain, iova, paddr, size, &count);
		ret = ops->map_pages(domain, iova, paddr, pgsize, count, prot, gfp, &mapped);
		/* A partial map still has to be undone below. */
		size -= mapped;
		if (ret)
			break;
		iova += mapped;
		paddr += mapped;
	}

	if (ret && orig_size != size)
		iommu_unmap(domain, orig_iova, orig_size - size);
	return ret;
}

int iommu_sync_map(struct iommu_domain *domain, unsigned long iova, size_t size)
{
	if (!domain->ops->iotlb_sync_map)
		return 0;
	return domain->ops->iotlb_sync_map(domain, iova, size);
}

int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr, size_t size,
	      int prot, gfp_t gfp)
{
	int ret;

	ret = iommu_map_nosync(domain, iova, paddr, size, prot, gfp);
	if (ret)
		return ret;
	ret = iommu_sync_map(domain, iova, size);
	if (ret)
		iommu_unmap(domain, iova, size);
	return ret;
}

phys_addr_t iommu_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	if (domain->type == IOMMU_DOMAIN_IDENTITY)
		return iova;
	if (domain->type == IOMMU_DOMAIN_BLOCKED)
		return 0;
	return domain->ops->iova_to_phys(domain, iova);
}

/* ---- reserved regions ---- */

struct iommu_resv_region *iommu_alloc_resv_region(phys_addr_t start, size_t length, int prot,
						  enum iommu_resv_type type, gfp_t gfp)
{
	struct iommu_resv_region *region;

	region = (struct iommu_resv_region *)kzalloc(sizeof(*region), gfp);
	if (!region)
		return NULL;
	INIT_LIST_HEAD(&region->list);
	region->start = start;
	region->length = length;
	region->prot = prot;
	region->type = type;
	return region;
}

void iommu_get_resv_regions(struct device *dev, struct list_head *list)
{
	const struct iommu_ops *ops;

	if (!dev_has_iommu(dev))
		return;
	ops = dev_iommu_ops(dev);
	if (ops->get_resv_regions)
		ops->get_resv_regions(dev, list);
}

void iommu_put_resv_regions(struct device *dev, struct list_head *list)
{
	struct iommu_resv_region *entry, *next;

	list_for_each_entry_safe(entry, next, list, list) {
		list_del(&entry->list);
		if (entry->free)
			entry->free(dev, entry);
		else
			kfree(entry);
	}
}

/* ---- capabilities ---- */

bool device_iommu_capable(struct device *dev, enum iommu_cap cap)
{
	const struct iommu_ops *ops;

	if (!dev_has_iommu(dev))
		return false;
	ops = dev_iommu_ops(dev);
	if (!ops->capable)
		return false;
	return ops->capable(dev, cap);
}

/*
 * No platform modelled here lets a DMA write raise an interrupt outside
 * its owner's context (interrupt remapping is assumed everywhere), so
 * every group isolates MSIs.
 */
bool iommu_group_has_isolated_msi(struct iommu_group *group)
{
	return true;
}

/* ---- attaching domains ---- */

static int __iommu_attach_device(struct iommu_domain *domain, struct device *dev,
				 struct iommu_domain *old)
{
	int ret;

	if (WARN_ON(!domain->ops->attach_dev))
		return -ENODEV;
	ret = domain->ops->attach_dev(domain, dev, old);
	if (ret)
		return ret;
	dev->iommu->attach_deferred = 0;
	return 0;
}

enum {
	/* Failure is not an option: keep going and leave the device blocked. */
	IOMMU_SET_DOMAIN_MUST_SUCCEED = 1 << 0,
};

static int __iommu_device_set_domain(struct iommu_group *group, struct device *dev,
				     struct iommu_domain *new_domain,
				     struct iommu_domain *old_domain, unsigned int flags)
{
	int ret;

	if (dev->iommu->require_direct &&
	    (new_domain->type == IOMMU_DOMAIN_BLOCKED || new_domain == group->blocking_domain))
		return -EINVAL;

	ret = __iommu_attach_device(new_domain, dev, old_domain);
	if (ret) {
		/* Blocked is the safe place for a device we failed to move. */
		if ((flags & IOMMU_SET_DOMAIN_MUST_SUCCEED) && group->blocking_domain &&
		    group->blocking_domain != new_domain)
			__iommu_attach_device(group->blocking_domain, dev, old_domain);
		return ret;
	}
	return 0;
}

/*
 * Move every device of @group to @new_domain. On failure the devices
 * already moved go back to the group's current domain, so the group is
 * never split across domains.
 */
static int __iommu_group_set_domain_internal(struct iommu_group *group,
					     struct iommu_domain *new_domain,
					     unsigned int flags)
{
	struct group_device *last_gdev, *gdev;
	int result = 0;
	int ret;

	lockdep_assert_held(&group->mutex);

	if (group->domain == new_domain)
		return 0;
	if (WARN_ON(!new_domain))
		return -EINVAL;

	for_each_group_device(group, gdev) {
		ret = __iommu_device_set_domain(group, gdev->dev, new_domain, group->domain,
						flags);
		if (ret) {
			result = ret;
			if (flags & IOMMU_SET_DOMAIN_MUST_SUCCEED)
				continue;
			goto err_revert;
		}
	}
	group->domain = new_domain;
	return result;

err_revert:
	last_gdev = gdev;
	for_each_group_device(group, gdev) {
		if (gdev == last_gdev)
			break;
		if (group->domain)
			WARN_ON(__iommu_device_set_domain(group, gdev->dev, group->domain,
							  new_domain,
							  IOMMU_SET_DOMAIN_MUST_SUCCEED));
	}
	return ret;
}

static int __iommu_group_set_domain(struct iommu_group *group, struct iommu_domain *new_domain)
{
	return __iommu_group_set_domain_internal(group, new_domain, 0);
}

static void __iommu_group_set_domain_nofail(struct iommu_group *group,
					    struct iommu_domain *new_domain)
{
	WARN_ON(__iommu_group_set_domain_internal(group, new_domain,
						  IOMMU_SET_DOMAIN_MUST_SUCCEED));
}

/* Back to where a group rests: blocked if a user owns it, else the default. */
static void __iommu_group_set_core_domain(struct iommu_group *group)
{
	struct iommu_domain *new_domain;

	if (group->owner)
		new_domain = group->blocking_domain;
	else
		new_domain = group->default_domain;
	__iommu_group_set_domain_nofail(group, new_domain);
}

static int __iommu_attach_group(struct iommu_domain *domain, struct iommu_group *group)
{
	struct device *dev;

	/* A user domain is already attached: the caller must replace instead. */
	if (group->domain && group->domain != group->default_domain &&
	    group->domain != group->blocking_domain)
		return -EBUSY;

	dev = iommu_group_first_dev(group);
	if (!dev_has_iommu(dev) || dev_iommu_ops(dev) != domain->owner)
		return -EINVAL;
	return __iommu_group_set_domain(group, domain);
}

static int __iommu_attach_group_handle(struct iommu_domain *domain, struct iommu_group *group,
				       struct iommu_attach_handle *handle)
{
	void *curr;
	int ret;

	lockdep_assert_held(&group->mutex);

	if (list_empty(&group->devices))
		return -ENODEV;
	handle->domain = domain;
	ret = xa_insert(&group->pasid_array, IOMMU_NO_PASID, XA_ZERO_ENTRY, GFP_KERNEL);
	if (ret)
		return ret;

	ret = __iommu_attach_group(domain, group);
	if (ret) {
		xa_release(&group->pasid_array, IOMMU_NO_PASID);
		return ret;
	}
	curr = xa_store(&group->pasid_array, IOMMU_NO_PASID, handle, GFP_KERNEL);
	WARN_ON(xa_is_err(curr));
	return 0;
}

int iommu_attach_group(struct iommu_domain *domain, struct iommu_group *group)
{
	guard(mutex)(&group->mutex);
	return __iommu_attach_group_handle(domain, group, &group->rid_handle);
}

int iommu_attach_group_handle(struct iommu_domain *domain, struct iommu_group *group,
			      struct iommu_attach_handle *handle)
{
	if (WARN_ON(!handle))
		return -EINVAL;
	guard(mutex)(&group->mutex);
	return __iommu_attach_group_handle(domain, group, handle);
}

void iommu_detach_group_handle(struct iommu_domain *domain, struct iommu_group *group)
{
	guard(mutex)(&group->mutex);
	WARN_ON(group->domain != domain);
	__iommu_group_set_core_domain(group);
	xa_erase(&group->pasid_array, IOMMU_NO_PASID);
}

void iommu_detach_group(struct iommu_domain *domain, struct iommu_group *group)
{
	iommu_detach_group_handle(domain, group);
}

int iommu_replace_group_handle(struct iommu_group *group, struct iommu_domain *new_domain,
			       struct iommu_attach_handle *handle)
{
	struct device *dev;
	void *curr;
	int ret;

	if (WARN_ON(!new_domain || !handle))
		return -EINVAL;

	guard(mutex)(&group->mutex);
	if (list_empty(&group->devices))
		return -ENODEV;
	dev = iommu_group_first_dev(group);
	if (!dev_has_iommu(dev) || dev_iommu_ops(dev) != new_domain->owner)
		return -EINVAL;

	/* Make sure the store below cannot fail once the hardware has moved. */
	ret = xa_reserve(&group->pasid_array, IOMMU_NO_PASID, GFP_KERNEL);
	if (ret)
		return ret;
	handle->domain = new_domain;
	ret = __iommu_group_set_domain(group, new_domain);
	if (ret) {
		xa_release(&group->pasid_array, IOMMU_NO_PASID);
		return ret;
	}
	curr = xa_store(&group->pasid_array, IOMMU_NO_PASID, handle, GFP_KERNEL);
	WARN_ON(xa_is_err(curr));
	return 0;
}

int iommu_attach_device(struct iommu_domain *domain, struct device *dev)
{
	struct iommu_group *group = dev->iommu_group;

	if (!group)
		return -ENODEV;
	guard(mutex)(&group->mutex);
	/* Attaching one device of a multi-device group would split it. */
	if (list_count_nodes(&group->devices) != 1)
		return -EINVAL;
	return __iommu_attach_group_handle(domain, group, &group->rid_handle);
}

void iommu_detach_device(struct iommu_domain *domain, struct device *dev)
{
	struct iommu_group *group = dev->iommu_group;

	if (!group)
		return;
	guard(mutex)(&group->mutex);
	if (WARN_ON(domain != group->domain) ||
	    WARN_ON(list_count_nodes(&group->devices) != 1))
		return;
	__iommu_group_set_core_domain(group);
	xa_erase(&group->pasid_array, IOMMU_NO_PASID);
}

struct iommu_attach_handle *iommu_attach_handle_get(struct iommu_group *group, ioasid_t pasid,
						    unsigned int type)
{
	struct iommu_attach_handle *handle;

	xa_lock(&group->pasid_array);
	handle = (struct iommu_attach_handle *)xa_load(&group->pasid_array, pasid);
	if (!handle || handle == &group->rid_handle)
		handle = ERR_PTR(-ENOENT);
	else if (type && handle->domain->type != type)
		handle = ERR_PTR(-EBUSY);
	xa_unlock(&group->pasid_array);
	return handle;
}

struct iommu_domain *iommu_get_domain_for_dev_pasid(struct device *dev, ioasid_t pasid,
						    unsigned int type)
{
	struct iommu_group *group = dev->iommu_group;
	struct iommu_attach_handle *handle;
	struct iommu_domain *domain = NULL;

	if (!group)
		return NULL;
	xa_lock(&group->pasid_array);
	handle = (struct iommu_attach_handle *)xa_load(&group->pasid_array, pasid);
	if (handle && (!type || handle->domain->type == type))
		domain = handle->domain;
	xa_unlock(&group->pasid_array);
	return domain;
}

/* ---- PASID attach ---- */

static bool dev_pasid_usable(struct device *dev, ioasid_t pasid)
{
	return dev->iommu->max_pasids && pasid < dev->iommu->max_pasids;
}

/* Detach @pasid of @dev from @domain: the blocked domain takes it over. */
static void iommu_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				   struct iommu_domain *domain)
{
	const struct iommu_ops *ops = dev_iommu_ops(dev);
	struct iommu_domain *blocked_domain = ops->blocked_domain;

	if (WARN_ON(!blocked_domain || !blocked_domain->ops->set_dev_pasid))
		return;
	WARN_ON(blocked_domain->ops->set_dev_pasid(blocked_domain, dev, pasid, domain));
}

static int __iommu_set_group_pasid(struct iommu_domain *domain, struct iommu_group *group,
				   ioasid_t pasid, struct iommu_domain *old)
{
	struct group_device *gdev, *last_gdev;
	int ret;

	for_each_group_device(group, gdev) {
		if (!dev_pasid_usable(gdev->dev, pasid))
			continue;
		ret = domain->ops->set_dev_pasid(domain, gdev->dev, pasid, old);
		if (ret)
			goto err_revert;
	}
	return 0;

err_revert:
	last_gdev = gdev;
	for_each_group_device(group, gdev) {
		if (gdev == last_gdev)
			break;
		if (!dev_pasid_usable(gdev->dev, pasid))
			continue;
		if (old)
			WARN_ON(old->ops->set_dev_pasid(old, gdev->dev, pasid, domain));
		else
			iommu_remove_dev_pasid(gdev->dev, pasid, domain);
	}
	return ret;
}

static void __iommu_remove_group_pasid(struct iommu_group *group, ioasid_t pasid,
				       struct iommu_domain *domain)
{
	struct group_device *gdev;

	for_each_group_device(group, gdev) {
		if (dev_pasid_usable(gdev->dev, pasid))
			iommu_remove_dev_pasid(gdev->dev, pasid, domain);
	}
}

static int iommu_check_pasid_attach(struct iommu_domain *domain, struct device *dev,
				    ioasid_t pasid)
{
	struct iommu_group *group = dev->iommu_group;
	struct group_device *gdev;

	lockdep_assert_held(&group->mutex);
	if (!dev_has_iommu(dev) || dev_iommu_ops(dev) != domain->owner ||
	    pasid == IOMMU_NO_PASID || !domain->ops->set_dev_pasid)
		return -EINVAL;
	if (!dev_pasid_usable(dev, pasid))
		return -EINVAL;
	/* Devices that cannot issue PASID TLPs do not constrain the PASID space. */
	for_each_group_device(group, gdev) {
		if (gdev->dev->iommu->max_pasids && pasid >= gdev->dev->iommu->max_pasids)
			return -EINVAL;
	}
	return 0;
}

int iommu_attach_device_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid,
			      struct iommu_attach_handle *handle)
{
	struct iommu_group *group = dev->iommu_group;
	void *curr;
	int ret;

	if (!group)
		return -ENODEV;
	if (WARN_ON(!handle))
		return -EINVAL;

	guard(mutex)(&group->mutex);
	ret = iommu_check_pasid_attach(domain, dev, pasid);
	if (ret)
		return ret;

	handle->domain = domain;
	ret = xa_insert(&group->pasid_array, pasid, XA_ZERO_ENTRY, GFP_KERNEL);
	if (ret)
		return ret;
	ret = __iommu_set_group_pasid(domain, group, pasid, NULL);
	if (ret) {
		xa_release(&group->pasid_array, pasid);
		return ret;
	}
	curr = xa_store(&group->pasid_array, pasid, handle, GFP_KERNEL);
	WARN_ON(xa_is_err(curr));
	return 0;
}

int iommu_replace_device_pasid(struct iommu_domain *domain, struct device *dev,
			       ioasid_t pasid, struct iommu_attach_handle *handle)
{
	struct iommu_group *group = dev->iommu_group;
	struct iommu_attach_handle *curr;
	void *old;
	int ret;

	if (!group)
		return -ENODEV;
	if (WARN_ON(!handle))
		return -EINVAL;

	guard(mutex)(&group->mutex);
	ret = iommu_check_pasid_attach(domain, dev, pasid);
	if (ret)
		return ret;

	curr = (struct iommu_attach_handle *)xa_load(&group->pasid_array, pasid);
	/* Replace needs something to replace. */
	if (!curr)
		return -EINVAL;
	handle->domain = domain;
	if (curr->domain != domain) {
		ret = __iommu_set_group_pasid(domain, group, pasid, curr->domain);
		if (ret)
			return ret;
	}
	/* The slot exists, so storing into it allocates nothing. */
	old = xa_store(&group->pasid_array, pasid, handle, GFP_KERNEL);
	WARN_ON(xa_is_err(old));
	return 0;
}

void iommu_detach_device_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid)
{
	struct iommu_group *group = dev->iommu_group;

	if (!group)
		return;
	guard(mutex)(&group->mutex);
	__iommu_remove_group_pasid(group, pasid, domain);
	xa_erase(&group->pasid_array, pasid);
}

/* ---- DMA ownership ---- */

static int __iommu_group_alloc_blocking_domain(struct iommu_group *group)
{
	struct device *dev = iommu_group_first_dev(group);
	const struct iommu_ops *ops = dev_iommu_ops(dev);
	struct iommu_domain *domain;

	if (group->blocking_domain)
		return 0;
	if (ops->blocked_domain) {
		group->blocking_domain = ops->blocked_domain;
		return 0;
	}
	/* A driver without a blocked domain gets an empty paging domain instead. */
	domain = __iommu_paging_domain_alloc_flags(dev, IOMMU_DOMAIN_UNMANAGED, 0);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	group->blocking_domain = domain;
	group->blocking_domain_allocated = true;
	return 0;
}

static int __iommu_take_dma_ownership(struct iommu_group *group, void *owner)
{
	int ret;

	if (list_empty(&group->devices))
		return -ENODEV;
	/* Someone already put a non-default domain (or a PASID) on it. */
	if ((group->domain && group->domain != group->default_domain) ||
	    !xa_empty(&group->pasid_array))
		return -EBUSY;

	ret = __iommu_group_alloc_blocking_domain(group);
	if (ret)
		return ret;
	ret = __iommu_group_set_domain(group, group->blocking_domain);
	if (ret)
		return ret;
	group->owner = owner;
	group->owner_cnt++;
	return 0;
}

int iommu_group_claim_dma_owner(struct iommu_group *group, void *owner)
{
	if (WARN_ON(!owner))
		return -EINVAL;
	guard(mutex)(&group->mutex);
	if (group->owner_cnt)
		return -EPERM;
	return __iommu_take_dma_ownership(group, owner);
}

static void __iommu_release_dma_ownership(struct iommu_group *group)
{
	if (WARN_ON(!group->owner_cnt || !group->owner || !xa_empty(&group->pasid_array)))
		return;
	group->owner_cnt = 0;
	group->owner = NULL;
	__iommu_group_set_domain_nofail(group, group->default_domain);
}

void iommu_group_release_dma_owner(struct iommu_group *group)
{
	guard(mutex)(&group->mutex);
	__iommu_release_dma_ownership(group);
}

bool iommu_group_dma_owner_claimed(struct iommu_group *group)
{
	guard(mutex)(&group->mutex);
	return group->owner_cnt != 0;
}

int iommu_device_claim_dma_owner(struct device *dev, void *owner)
{
	struct iommu_group *group = dev->iommu_group;

	if (WARN_ON(!owner))
		return -EINVAL;
	if (!group || !dev_has_iommu(dev))
		return -ENODEV;

	guard(mutex)(&group->mutex);
	if (group->owner_cnt) {
		/* Devices of one group may be claimed one by one, by one owner. */
		if (group->owner != owner)
			return -EPERM;
		group->owner_cnt++;
		return 0;
	}
	return __iommu_take_dma_ownership(group, owner);
}

void iommu_device_release_dma_owner(struct device *dev)
{
	struct iommu_group *group = dev->iommu_group;

	if (WARN_ON(!group))
		return;
	guard(mutex)(&group->mutex);
	if (group->owner_cnt > 1)
		group->owner_cnt--;
	else
		__iommu_release_dma_ownership(group);
}

/* ---- probing ---- */

static u32 dev_iommu_get_max_pasids(struct device *dev, struct iommu_device *iommu)
{
	u32 dev_pasids;

	if (!dev->pasid_bits || !iommu->max_pasids)
		return 0;
	dev_pasids = dev->pasid_bits >= 32 ? ~0U : 1U << dev->pasid_bits;
	return min(dev_pasids, iommu->max_pasids);
}

/* The kernel-owned domain a new group rests on. */
static int iommu_group_setup_default_domain(struct iommu_group *group, struct device *dev)
{
	const struct iommu_ops *ops = dev_iommu_ops(dev);
	struct iommu_domain *domain;

	if (ops->default_domain) {
		domain = ops->default_domain;
	} else if (ops->identity_domain) {
		domain = ops->identity_domain;
	} else {
		domain = __iommu_paging_domain_alloc_flags(dev, IOMMU_DOMAIN_DMA, 0);
		if (IS_ERR(domain))
			return PTR_ERR(domain);
		group->default_domain_allocated = true;
	}
	group->default_domain = domain;
	return 0;
}

static int iommu_group_add_probed_device(struct iommu_group *group, struct device *dev)
{
	struct group_device *gdev;
	int ret;

	gdev = (struct group_device *)kzalloc(sizeof(*gdev), GFP_KERNEL);
	if (!gdev)
		return -ENOMEM;
	gdev->dev = dev;

	guard(mutex)(&group->mutex);
	list_add_tail(&gdev->list, &group->devices);
	dev->iommu_group = group;

	if (!group->default_domain) {
		ret = iommu_group_setup_default_domain(group, dev);
		if (ret)
			goto err_del;
	}
	/* A device joining a group follows whatever the group is attached to. */
	if (!group->domain) {
		ret = __iommu_group_set_domain(group, group->default_domain);
	} else {
		ret = __iommu_device_set_domain(group, dev, group->domain, NULL, 0);
	}
	if (ret)
		goto err_del;
	return 0;

err_del:
	list_del(&gdev->list);
	dev->iommu_group = NULL;
	kfree(gdev);
	return ret;
}

int iommu_probe_device(struct device *dev)
{
	struct iommu_device *iommu = NULL, *iter, *iommu_dev;
	const struct iommu_ops *ops;
	struct iommu_group *group;
	int ret = -ENODEV;

	if (dev->iommu)
		return 0;

	dev->iommu = (struct dev_iommu *)kzalloc(sizeof(*dev->iommu), GFP_KERNEL);
	if (!dev->iommu)
		return -ENOMEM;
	mutex_init(&dev->iommu->lock);

	/* The first IOMMU behind this fwnode that does not decline the device. */
	mutex_lock(&iommu_device_lock);
	list_for_each_entry(iter, &iommu_device_list, list) {
		if (iter->fwnode != dev->iommu_fwnode)
			continue;
		iommu_dev = iter->ops->probe_device(dev);
		if (IS_ERR(iommu_dev)) {
			ret = PTR_ERR(iommu_dev);
			if (ret == -ENODEV)
				continue;
			break;
		}
		iommu = iommu_dev;
		ret = 0;
		break;
	}
	mutex_unlock(&iommu_device_lock);
	if (ret)
		goto err_free;

	ops = iommu->ops;
	dev->iommu->iommu_dev = iommu;
	dev->iommu->max_pasids = dev_iommu_get_max_pasids(dev, iommu);

	group = ops->device_group(dev);
	if (!group)
		group = ERR_PTR(-ENOMEM);
	if (IS_ERR(group)) {
		ret = PTR_ERR(group);
		goto err_release;
	}
	/* The group reference from device_group() is now the device's. */
	ret = iommu_group_add_probed_device(group, dev);
	if (ret) {
		iommu_group_put(group);
		goto err_release;
	}
	if (ops->probe_finalize)
		ops->probe_finalize(dev);
	return 0;

err_release:
	if (ops->release_device)
		ops->release_device(dev);
err_free:
	mutex_destroy(&dev->iommu->lock);
	kfree(dev->iommu);
	dev->iommu = NULL;
	return ret;
}

void iommu_release_device(struct device *dev)
{
	struct iommu_group *group = dev->iommu_group;
	struct group_device *gdev, *found = NULL;
	const struct iommu_ops *ops;

	if (!dev->iommu)
		return;
	ops = dev_iommu_ops(dev);

	if (group) {
		mutex_lock(&group->mutex);
		for_each_group_device(group, gdev) {
			if (gdev->dev == dev) {
				found = gdev;
				break;
			}
		}
		if (!WARN_ON(!found))
			list_del(&found->list);
		/* The last device leaves: the group must be back to the kernel. */
		if (list_empty(&group->devices))
			WARN_ON(group->owner_cnt || group->domain != group->default_domain);
		/* Quiesce the device before the driver forgets it. */
		if (ops->release_domain && ops->release_domain->ops->attach_dev)
			WARN_ON(ops->release_domain->ops->attach_dev(ops->release_domain, dev,
								     group->domain));
		if (list_empty(&group->devices))
			group->domain = NULL;
		mutex_unlock(&group->mutex);
		kfree(found);
	}

	if (ops->release_device)
		ops->release_device(dev);
	dev->iommu_group = NULL;
	iommu_group_put(group);
	mutex_destroy(&dev->iommu->lock);
	kfree(dev->iommu);
	dev->iommu = NULL;
}
