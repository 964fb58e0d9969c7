// SPDX-License-Identifier: GPL-2.0
/*
 * The mock IOMMU driver: one IOMMU instance serving the mock bus, its
 * paging domains (AMD v1 page tables, see mock.h), a blocking domain, and
 * the mock devices IOMMU_TEST_OP_MOCK_DOMAIN creates.
 *
 * Page table formats (iommu_hwpt_selftest.pagetable_type), as upstream's:
 *   MOCK_IOMMUPT_DEFAULT  AMD v1 with a MOCK_PAGE_SIZE granule; only
 *                         MOCK_PAGE_SIZE leaves (and MOCK_HUGE_PAGE_SIZE
 *                         ones for a MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA
 *                         device), aperture MOCK_APERTURE_START..LAST
 *   MOCK_IOMMUPT_HUGE     the same format, only PAGE_SIZE and
 *                         MOCK_HUGE_PAGE_SIZE leaves, aperture from 0
 *   MOCK_IOMMUPT_AMDV1    AMD v1 itself: PAGE_SIZE granule, every size
 *                         from 4 KiB to 2^51 but 512 GiB, a top that grows
 *                         to cover the full 64-bit space
 * Upstream's DEFAULT offers every size of its format and its newer
 * selftests turn iommufd's huge pages off where they need small leaves;
 * the 6.12 selftests cannot, and read dirty bits per MOCK_PAGE_SIZE, so
 * DEFAULT keeps the older ABI's leaf sizes (which upstream's tests accept
 * too: they only ever ask for MOCK_PAGE_SIZE granules there).
 *
 * Table allocation is fault-injectable (iommu_alloc_pages_sz()), and
 * map_pages keeps the mock's own injection point, iommufd_should_fail(),
 * as upstream's mock had, so fail-nth sequences reach the same places.
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

static int mock_domain_map_pages(struct iommu_domain *domain, unsigned long iova,
				 phys_addr_t paddr, size_t pgsize, size_t pgcount, int prot,
				 gfp_t gfp, size_t *mapped)
{
	int rc;

	if (iommufd_should_fail())
		return -ENOENT;
	rc = pt_map_pages(domain, iova, paddr, pgsize, pgcount, prot, gfp, mapped);
	/* iommufd never maps over a mapping. */
	WARN_ON(rc == -EADDRINUSE);
	return rc;
}

/*
 * iommufd unmaps exactly what it mapped, so an unmap never starts inside
 * a leaf (the format refuses it and leaves the leaf) nor ends inside one
 * (the format removes the whole leaf and says so): both are its bugs.
 */
static size_t mock_domain_unmap_pages(struct iommu_domain *domain, unsigned long iova,
				      size_t pgsize, size_t pgcount,
				      struct iommu_iotlb_gather *iotlb_gather)
{
	size_t unmapped = pt_unmap_pages(domain, iova, pgsize, pgcount, iotlb_gather);

	WARN_ON(unmapped > pgsize * pgcount);
	WARN_ON(pt_iova_to_phys(domain, iova));
	return unmapped;
}

/* No IOTLB to flush (every DMA walks the table): freed tables go at once. */
static void mock_iotlb_sync(struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	pt_iommu_put_pages_list(&gather->freelist);
}

static void mock_domain_free(struct iommu_domain *domain)
{
	struct mock_iommu_domain *mock = to_mock_domain(domain);

	/* iommufd unmaps everything before it frees a domain. */
	WARN_ON(pt_iommu_count_leaves(&mock->pt));
	pt_iommu_deinit(&mock->pt);
	kfree(mock);
}

/* Dirty tracking: mock_dirty_ops, drivers/mock/mock_dirty.cc. */

static const struct iommu_domain_ops mock_domain_ops = {
	.attach_dev = mock_domain_nop_attach,
	.set_dev_pasid = mock_domain_set_dev_pasid_nop,
	.map_pages = mock_domain_map_pages,
	.unmap_pages = mock_domain_unmap_pages,
	.iotlb_sync = mock_iotlb_sync,
	.iova_to_phys = pt_iova_to_phys,
	.free = mock_domain_free,
};

/* ---- domain allocation ---- */

/*
 * @dev_flags: the mock device's flags (0 for a platform function);
 * @platform: the domain is for a platform function, which wants an
 * ordinary 48-bit space with 4 KiB, 2 MiB and 1 GiB pages, room for what
 * VMMs and the VFIO selftests map.
 */
static struct mock_iommu_domain *mock_domain_alloc_pgtable(const struct iommu_hwpt_selftest *user_cfg,
							   u32 flags, unsigned long dev_flags,
							   bool platform)
{
	struct pt_iommu_cfg cfg = {};
	struct mock_iommu_domain *mock;
	int rc;

	switch (user_cfg->pagetable_type) {
	case MOCK_IOMMUPT_DEFAULT:
	case MOCK_IOMMUPT_HUGE:
		cfg.fmt = PT_FMT_AMDV1_MOCK;
		/* Three levels (38 bits) as upstream's; four for 48 bits. */
		cfg.hw_max_vasz_lg2 = platform ? 48 : 56;
		cfg.hw_max_oasz_lg2 = 51;
		cfg.starting_level = platform ? 4 : 2;
		break;
	case MOCK_IOMMUPT_AMDV1:
		cfg.fmt = PT_FMT_AMDV1;
		cfg.features = BIT_ULL(PT_FEAT_DYNAMIC_TOP) | BIT_ULL(PT_FEAT_AMDV1_FORCE_COHERENCE);
		cfg.hw_max_vasz_lg2 = 64;
		cfg.hw_max_oasz_lg2 = 52;
		cfg.starting_level = 2;
		break;
	default:
		return (struct mock_iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	}

	mock = (struct mock_iommu_domain *)kzalloc(sizeof(*mock), GFP_KERNEL);
	if (!mock)
		return (struct mock_iommu_domain *)ERR_PTR(-ENOMEM);
	mock->domain.type = IOMMU_DOMAIN_UNMANAGED;
	mock->domain.ops = &mock_domain_ops;
	mock->pagetable_type = user_cfg->pagetable_type;
	rc = pt_iommu_init(&mock->pt, &cfg, GFP_KERNEL);
	if (rc) {
		kfree(mock);
		return (struct mock_iommu_domain *)ERR_PTR(rc);
	}

	switch (user_cfg->pagetable_type) {
	case MOCK_IOMMUPT_DEFAULT:
		if (platform) {
			mock->domain.pgsize_bitmap = (1UL << 12) | (1UL << 21) | (1UL << 30);
			break;
		}
		/*
		 * Dirty bits live in IOPTEs, so the leaf sizes are ABI: the
		 * kernel's dirty selftests expect MOCK_PAGE_SIZE granules here
		 * and MOCK_HUGE_PAGE_SIZE ones only where they asked for huge
		 * leaves.
		 */
		mock->domain.pgsize_bitmap = MOCK_PAGE_SIZE;
		if (dev_flags & MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA)
			mock->domain.pgsize_bitmap |= MOCK_HUGE_PAGE_SIZE;
		mock->domain.geometry.aperture_start = MOCK_APERTURE_START;
		mock->domain.geometry.aperture_end = MOCK_APERTURE_LAST;
		break;
	case MOCK_IOMMUPT_HUGE:
		/* Only huge leaves are wanted; PAGE_SIZE keeps iommufd willing. */
		mock->domain.pgsize_bitmap = MOCK_HUGE_PAGE_SIZE | PAGE_SIZE;
		break;
	}
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
	bool platform = !iommufd_selftest_is_mock_dev(dev);
	unsigned long dev_flags = platform ? 0 : to_mock_dev(dev)->flags;
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

	mock = mock_domain_alloc_pgtable(&user_cfg, flags, dev_flags, platform);
	if (IS_ERR(mock))
		return ERR_CAST(mock);
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
