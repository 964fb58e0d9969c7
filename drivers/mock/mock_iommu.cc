// SPDX-License-Identifier: GPL-2.0
/*
 * The mock IOMMU driver: one IOMMU instance serving the mock bus, its
 * paging domains (the MOCK_PAGE_SIZE page table described in mock.h), a
 * blocking domain, and the mock devices IOMMU_TEST_OP_MOCK_DOMAIN creates.
 *
 * Page table formats (iommu_hwpt_selftest.pagetable_type):
 *   MOCK_IOMMUPT_DEFAULT  MOCK_PAGE_SIZE leaves (and MOCK_HUGE_PAGE_SIZE
 *                         ones for a MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA
 *                         device), aperture MOCK_APERTURE_START..LAST
 *   MOCK_IOMMUPT_HUGE     only PAGE_SIZE and MOCK_HUGE_PAGE_SIZE leaves,
 *                         56-bit aperture from 0
 *   MOCK_IOMMUPT_AMDV1    PAGE_SIZE granule, 4 KiB to 2^51, the full
 *                         64-bit space
 * The geometries follow upstream's generic-pt based mock; the storage is
 * the per-MOCK_PAGE_SIZE xarray for every format.
 *
 * The xarray can fail allocations under fault injection in ways iommufd
 * cannot observe (it retries), so map_pages has its own injection point,
 * iommufd_should_fail(), as upstream's mock does.
 */
#include "drivers/mock/mock.h"
#include "harness/platform/platform.h"

#include <atomic>

static struct bus_type iommufd_mock_bus_type = {
	.name = "iommufd_mock",
};

static std::atomic<int> mock_dev_next_id;
static std::atomic<long> mock_dev_live;

static struct iommu_device mock_iommu_device;
static DEFINE_MUTEX(mock_iommu_lock);
static bool mock_iommu_registered;

/* ---- attach ---- */

int mock_domain_nop_attach(struct iommu_domain *domain, struct device *dev,
			   struct iommu_domain *old)
{
	struct mock_dev *mdev;
	int rc;

	iommu_group_mutex_assert(dev);
	/* A platform function: the core's record of the attach is all the mock keeps. */
	if (!iommufd_selftest_is_mock_dev(dev))
		return 0;
	mdev = to_mock_dev(dev);

	/* A device without dirty tracking cannot use a dirty-tracking domain. */
	if (domain->dirty_ops && (mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EINVAL;

	/* Follow a nested domain's vIOMMU (mock_nested.cc). */
	rc = mock_dev_follow_viommu(mdev, domain);
	if (rc)
		return rc;
	/* Second core issue: IOPF enable/disable. */
	mdev->domain = domain;
	return 0;
}

int mock_domain_set_dev_pasid_nop(struct iommu_domain *domain, struct device *dev,
				  ioasid_t pasid, struct iommu_domain *old)
{
	struct mock_dev *mdev;

	if (!iommufd_selftest_is_mock_dev(dev))
		return 0;
	mdev = to_mock_dev(dev);

	/*
	 * On IOMMU_TEST_PASID_RESERVED every other attach fails, so tests can
	 * make a replace fail and watch the core roll back. Going to blocked
	 * resets the sequence.
	 */
	if (pasid == IOMMU_TEST_PASID_RESERVED) {
		if (domain->type == IOMMU_DOMAIN_BLOCKED) {
			atomic_set(&mdev->pasid_1024_fake_error, 0);
		} else if (atomic_read(&mdev->pasid_1024_fake_error)) {
			atomic_set(&mdev->pasid_1024_fake_error, 0);
			return -ENOMEM;
		} else {
			atomic_set(&mdev->pasid_1024_fake_error, 1);
		}
	}
	return 0;
}

static const struct iommu_domain_ops mock_blocking_ops = {
	.attach_dev = mock_domain_nop_attach,
	.set_dev_pasid = mock_domain_set_dev_pasid_nop,
};

static struct iommu_domain mock_blocking_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &mock_blocking_ops,
};

/* ---- hw_info and capabilities ---- */

static void *mock_domain_hw_info(struct device *dev, u32 *length, u32 *type)
{
	struct iommu_test_hw_info *info;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT && *type != IOMMU_HW_INFO_TYPE_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);

	info = (struct iommu_test_hw_info *)kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL;
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return info;
}

static bool mock_domain_capable(struct device *dev, enum iommu_cap cap)
{
	/* Platform functions: every capability a mock device can have. */
	unsigned long flags = iommufd_selftest_is_mock_dev(dev) ? to_mock_dev(dev)->flags : 0;

	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
		return true;
	case IOMMU_CAP_DIRTY_TRACKING:
		return !(flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
	default:
		break;
	}
	return false;
}

/* ---- the page table ---- */

static unsigned long mock_entry(phys_addr_t paddr, unsigned int order, bool head, int prot)
{
	unsigned long val = (paddr / MOCK_PAGE_SIZE) & MOCK_PFN_MASK;

	if (prot & IOMMU_READ)
		val |= MOCK_PFN_READ;
	if (prot & IOMMU_WRITE)
		val |= MOCK_PFN_WRITE;
	val |= (unsigned long)order << MOCK_PFN_ORDER_SHIFT;
	if (head)
		val |= MOCK_PFN_LEAF_HEAD;
	return val;
}

static int mock_domain_map_pages(struct iommu_domain *domain, unsigned long iova,
				 phys_addr_t paddr, size_t pgsize, size_t pgcount, int prot,
				 gfp_t gfp, size_t *mapped)
{
	struct mock_iommu_domain *mock = to_mock_domain(domain);
	unsigned long start_iova = iova;
	unsigned int order;

	/* Our own injection point: xarray allocation failures are retried. */
	if (iommufd_should_fail())
		return -ENOENT;

	if (WARN_ON(iova % MOCK_PAGE_SIZE || paddr % MOCK_PAGE_SIZE) ||
	    WARN_ON(!pgsize || pgsize % MOCK_PAGE_SIZE || !(domain->pgsize_bitmap & pgsize)))
		return -EINVAL;
	order = ilog2(pgsize / MOCK_PAGE_SIZE);

	for (; pgcount; pgcount--) {
		size_t cur;

		for (cur = 0; cur != pgsize; cur += MOCK_PAGE_SIZE) {
			void *old;

			old = xa_store(&mock->pfns, iova / MOCK_PAGE_SIZE,
				       xa_mk_value(mock_entry(paddr, order, cur == 0, prot)), gfp);
			if (xa_is_err(old)) {
				for (; start_iova != iova; start_iova += MOCK_PAGE_SIZE)
					xa_erase(&mock->pfns, start_iova / MOCK_PAGE_SIZE);
				*mapped = 0;
				return xa_err(old);
			}
			/* iommufd never maps over a mapping. */
			WARN_ON(old);
			iova += MOCK_PAGE_SIZE;
			paddr += MOCK_PAGE_SIZE;
		}
		*mapped += pgsize;
	}
	return 0;
}

/*
 * Every unmap must start at a leaf head and end at a leaf end: iommufd
 * unmaps exactly what it mapped. Holes are skipped (and counted), as a
 * page table walk would.
 */
static size_t mock_domain_unmap_pages(struct iommu_domain *domain, unsigned long iova,
				      size_t pgsize, size_t pgcount,
				      struct iommu_iotlb_gather *iotlb_gather)
{
	struct mock_iommu_domain *mock = to_mock_domain(domain);
	size_t length = pgsize * pgcount;
	unsigned long end = iova + length;
	unsigned long cur;
	void *ent;

	WARN_ON(iova % MOCK_PAGE_SIZE);
	WARN_ON(pgsize % MOCK_PAGE_SIZE);

	ent = xa_load(&mock->pfns, iova / MOCK_PAGE_SIZE);
	WARN_ON(ent && !(xa_to_value(ent) & MOCK_PFN_LEAF_HEAD));

	for (cur = iova; cur != end; cur += MOCK_PAGE_SIZE) {
		ent = xa_erase(&mock->pfns, cur / MOCK_PAGE_SIZE);
		if (!ent)
			continue;
		/* The last slot we clear must end its leaf. */
		if (cur + MOCK_PAGE_SIZE == end) {
			void *next = xa_load(&mock->pfns, end / MOCK_PAGE_SIZE);

			WARN_ON(next && !(xa_to_value(next) & MOCK_PFN_LEAF_HEAD));
		}
	}
	if (iotlb_gather)
		iommu_iotlb_gather_add_range(iotlb_gather, iova, length);
	return length;
}

static phys_addr_t mock_domain_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	struct mock_iommu_domain *mock = to_mock_domain(domain);
	void *ent;

	ent = xa_load(&mock->pfns, iova / MOCK_PAGE_SIZE);
	/* Like a page table walk: nothing there translates to 0. */
	if (!ent)
		return 0;
	return (xa_to_value(ent) & MOCK_PFN_MASK) * MOCK_PAGE_SIZE + iova % MOCK_PAGE_SIZE;
}

static void mock_domain_free(struct iommu_domain *domain)
{
	struct mock_iommu_domain *mock = to_mock_domain(domain);

	/* iommufd unmaps everything before it frees a domain. */
	WARN_ON(!xa_empty(&mock->pfns));
	xa_destroy(&mock->pfns);
	kfree(mock);
}

/* Dirty tracking: mock_dirty_ops, drivers/mock/mock_dirty.cc. */

static const struct iommu_domain_ops mock_domain_ops = {
	.attach_dev = mock_domain_nop_attach,
	.set_dev_pasid = mock_domain_set_dev_pasid_nop,
	.map_pages = mock_domain_map_pages,
	.unmap_pages = mock_domain_unmap_pages,
	.iova_to_phys = mock_domain_iova_to_phys,
	.free = mock_domain_free,
};

/* ---- domain allocation ---- */

static struct mock_iommu_domain *mock_domain_alloc_pgtable(const struct iommu_hwpt_selftest *cfg,
							   u32 flags)
{
	struct mock_iommu_domain *mock;

	mock = (struct mock_iommu_domain *)kzalloc(sizeof(*mock), GFP_KERNEL);
	if (!mock)
		return ERR_PTR(-ENOMEM);
	mock->domain.type = IOMMU_DOMAIN_UNMANAGED;
	mock->domain.ops = &mock_domain_ops;
	mock->pagetable_type = cfg->pagetable_type;
	xa_init(&mock->pfns);

	switch (cfg->pagetable_type) {
	case MOCK_IOMMUPT_DEFAULT:
		/*
		 * Dirty bits live in IOPTEs, so the leaf sizes are ABI: the
		 * kernel's dirty selftests expect MOCK_PAGE_SIZE granules here
		 * and MOCK_HUGE_PAGE_SIZE ones only where they asked for huge
		 * leaves (see mock_domain_alloc_paging_flags()).
		 */
		mock->domain.pgsize_bitmap = MOCK_PAGE_SIZE;
		mock->domain.geometry.aperture_start = MOCK_APERTURE_START;
		mock->domain.geometry.aperture_end = MOCK_APERTURE_LAST;
		break;
	case MOCK_IOMMUPT_HUGE:
		/* Only huge leaves are wanted; PAGE_SIZE keeps iommufd willing. */
		mock->domain.pgsize_bitmap = MOCK_HUGE_PAGE_SIZE | PAGE_SIZE;
		mock->domain.geometry.aperture_start = 0;
		mock->domain.geometry.aperture_end = (1UL << 56) - 1;
		break;
	case MOCK_IOMMUPT_AMDV1:
		mock->domain.pgsize_bitmap = GENMASK(51, 12);
		mock->domain.geometry.aperture_start = 0;
		mock->domain.geometry.aperture_end = ULONG_MAX;
		break;
	default:
		kfree(mock);
		return ERR_PTR(-EOPNOTSUPP);
	}
	mock->domain.geometry.force_aperture = true;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		mock->domain.dirty_ops = &mock_dirty_ops;
	return mock;
}

static struct iommu_domain *mock_domain_alloc_paging_flags(struct device *dev, u32 flags,
							   const struct iommu_user_data *user_data)
{
	const u32 paging_flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				 IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID;
	bool has_dirty_flag = flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	unsigned long dev_flags = iommufd_selftest_is_mock_dev(dev) ? to_mock_dev(dev)->flags : 0;
	bool no_dirty_ops = dev_flags & MOCK_FLAGS_DEVICE_NO_DIRTY;
	struct iommu_hwpt_selftest user_cfg = {};
	struct mock_iommu_domain *mock;
	int rc;

	if ((flags & ~paging_flags) || (has_dirty_flag && no_dirty_ops))
		return ERR_PTR(-EOPNOTSUPP);
	if (user_data && user_data->type != IOMMU_HWPT_DATA_SELFTEST &&
	    user_data->type != IOMMU_HWPT_DATA_NONE)
		return ERR_PTR(-EOPNOTSUPP);

	if (user_data) {
		rc = iommu_copy_struct_from_user(&user_cfg, user_data, IOMMU_HWPT_DATA_SELFTEST,
						 iotlb);
		if (rc)
			return ERR_PTR(rc);
	}

	mock = mock_domain_alloc_pgtable(&user_cfg, flags);
	if (IS_ERR(mock))
		return ERR_CAST(mock);
	/*
	 * A platform function asks for an ordinary domain: an x86-64-like
	 * 48-bit space with 4 KiB, 2 MiB and 1 GiB leaves, room for what VMMs
	 * and the VFIO selftests map (the mock bus's aperture is 256 MiB).
	 */
	if (!iommufd_selftest_is_mock_dev(dev) && user_cfg.pagetable_type == MOCK_IOMMUPT_DEFAULT) {
		mock->domain.pgsize_bitmap = (1UL << 12) | (1UL << 21) | (1UL << 30);
		mock->domain.geometry.aperture_start = 0;
		mock->domain.geometry.aperture_end = (1UL << 48) - 1;
	}
	if (user_cfg.pagetable_type == MOCK_IOMMUPT_DEFAULT &&
	    (dev_flags & MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA))
		mock->domain.pgsize_bitmap |= MOCK_HUGE_PAGE_SIZE;
	return &mock->domain;
}

/* ---- devices ---- */

static struct iommu_device *mock_probe_device(struct device *dev)
{
	if (dev->bus != &iommufd_mock_bus_type)
		return mock_platform_probe(dev);
	return &mock_iommu_device;
}

/* Platform functions are grouped as their description says. */
static struct iommu_group *mock_device_group(struct device *dev)
{
	if (dev->bus != &iommufd_mock_bus_type)
		return platform_device_group(dev);
	return generic_device_group(dev);
}

const struct iommu_ops mock_ops = {
	.capable = mock_domain_capable,
	.hw_info = mock_domain_hw_info,
	.domain_alloc_paging_flags = mock_domain_alloc_paging_flags,
	/* mock_nested.cc */
	.domain_alloc_nested = mock_domain_alloc_nested,
	.probe_device = mock_probe_device,
	.device_group = mock_device_group,
	/* mock_platform.cc */
	.page_response = mock_platform_page_response,
	.get_viommu_size = mock_get_viommu_size,
	.viommu_init = mock_viommu_init,
	.pgsize_bitmap = MOCK_PAGE_SIZE,
	/* Blocked is zero, so def_domain_type could not say it: say it here. */
	.blocked_domain = &mock_blocking_domain,
	.default_domain = &mock_blocking_domain,
	.user_pasid_table = true,
};

static void mock_dev_release(struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	mock_dev_live.fetch_sub(1);
	kfree(mdev);
}

bool iommufd_selftest_is_mock_dev(struct device *dev)
{
	return dev->release == mock_dev_release;
}

struct mock_dev *mock_dev_create(unsigned long dev_flags)
{
	const unsigned long valid_flags = MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_PASID |
					  MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA;
	struct mock_dev *mdev;
	int rc, i;

	if (dev_flags & ~valid_flags)
		return ERR_PTR(-EINVAL);

	rc = mock_iommu_init();
	if (rc)
		return ERR_PTR(rc);

	mdev = (struct mock_dev *)kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	mock_dev_live.fetch_add(1);

	init_rwsem(&mdev->viommu_rwsem);
	device_initialize(&mdev->dev);
	mdev->flags = dev_flags;
	mdev->dev.release = mock_dev_release;
	mdev->dev.bus = &iommufd_mock_bus_type;
	for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		mdev->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	mdev->id = mock_dev_next_id.fetch_add(1);
	dev_set_name(&mdev->dev, "iommufd_mock%d", mdev->id);
	/* The PASID capability, as the "pasid-num-bits" property upstream. */
	if (dev_flags & MOCK_FLAGS_DEVICE_PASID)
		mdev->dev.pasid_bits = MOCK_PASID_WIDTH;

	rc = device_add(&mdev->dev);
	if (rc)
		goto err_put;
	/* Not claimed by the mock IOMMU (it must be): useless to the tests. */
	if (WARN_ON(!mdev->dev.iommu)) {
		rc = -ENODEV;
		device_del(&mdev->dev);
		goto err_put;
	}
	return mdev;

err_put:
	put_device(&mdev->dev);
	return ERR_PTR(rc);
}

void mock_dev_destroy(struct mock_dev *mdev)
{
	device_unregister(&mdev->dev);
}

long mock_dev_count(void)
{
	return mock_dev_live.load();
}

/* ---- the instance ---- */

int mock_iommu_init(void)
{
	int rc;

	guard(mutex)(&mock_iommu_lock);
	if (mock_iommu_registered)
		return 0;
	mock_iommu_device.max_pasids = 1U << MOCK_PASID_WIDTH;
	/* No fwnode: the mock claims devices by bus, as a bus-registered IOMMU. */
	mock_iommu_device.fwnode = NULL;
	rc = iommu_device_register(&mock_iommu_device, &mock_ops, NULL);
	if (rc)
		return rc;
	mock_iommu_registered = true;
	return 0;
}

void mock_iommu_exit(void)
{
	guard(mutex)(&mock_iommu_lock);
	if (!mock_iommu_registered)
		return;
	WARN_ON(mock_dev_live.load());
	iommu_device_unregister(&mock_iommu_device);
	mock_iommu_registered = false;
}
