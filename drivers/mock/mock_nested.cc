// SPDX-License-Identifier: GPL-2.0
/*
 * The mock driver's nesting: nested domains, the mock vIOMMU and its HW
 * queues, with upstream selftest.c's semantics and errnos.
 *
 * A mock nested domain has no page table, only a mock IOTLB of
 * MOCK_NESTED_DOMAIN_IOTLB_NUM u32 entries, all set to the user's
 * iommu_hwpt_selftest.iotlb at allocation. IOMMU_HWPT_INVALIDATE with
 * IOMMU_HWPT_INVALIDATE_DATA_SELFTEST entries resets entries to 0, and
 * IOMMU_TEST_OP_MD_CHECK_IOTLB reads them back.
 *
 * The mock vIOMMU (IOMMU_VIOMMU_TYPE_SELFTEST) invalidates per-device
 * caches (struct mock_dev::cache, IOMMU_TEST_OP_DEV_CHECK_CACHE) named by
 * virtual ID, so it exercises the vDEVICE lookup. Given user data it
 * echoes in_data to out_data and to a two-page fake MMIO region it
 * registers for mmap on the iommufd. Its HW queues
 * (IOMMU_HW_QUEUE_TYPE_SELFTEST, indexes 0..IOMMU_TEST_HW_QUEUE_MAX - 1)
 * must be created in index order (-EIO for a gap, -EEXIST for a taken
 * index) and each depends on the previous one, so they are destroyed in
 * reverse order (-EBUSY otherwise).
 */
#include "drivers/mock/mock.h"

struct mock_iommu_domain_nested {
	struct iommu_domain domain;
	struct mock_viommu *mock_viommu;
	u32 iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

struct mock_hw_queue {
	struct iommufd_hw_queue core;
	struct mock_viommu *mock_viommu;
	struct mock_hw_queue *prev;
	u16 index;
};

static inline struct mock_iommu_domain_nested *to_mock_nested(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_iommu_domain_nested, domain);
}

static inline struct mock_hw_queue *to_mock_hw_queue(struct iommufd_hw_queue *hw_queue)
{
	return container_of(hw_queue, struct mock_hw_queue, core);
}

/* ---- nested domains ---- */

static void mock_domain_free_nested(struct iommu_domain *domain)
{
	kfree(to_mock_nested(domain));
}

/* IOMMU_HWPT_INVALIDATE on a nested HWPT: reset mock IOTLB entries. */
static int mock_domain_cache_invalidate_user(struct iommu_domain *domain,
					     struct iommu_user_data_array *array)
{
	struct mock_iommu_domain_nested *mock_nested = to_mock_nested(domain);
	struct iommu_hwpt_invalidate_selftest inv;
	u32 processed = 0;
	u32 i;
	int rc = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		rc = -EINVAL;
		goto out;
	}

	for (i = 0; i < array->entry_num; i++) {
		rc = iommu_copy_struct_from_user_array(&inv, array,
						       IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, i,
						       iotlb_id);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			/* Every entry; iotlb_id is ignored. */
			for (u32 j = 0; j < MOCK_NESTED_DOMAIN_IOTLB_NUM; j++)
				mock_nested->iotlb[j] = 0;
		} else {
			mock_nested->iotlb[inv.iotlb_id] = 0;
		}
		processed++;
	}
out:
	array->entry_num = processed;
	return rc;
}

static const struct iommu_domain_ops domain_nested_ops = {
	.attach_dev = mock_domain_nop_attach,
	.set_dev_pasid = mock_domain_set_dev_pasid_nop,
	.cache_invalidate_user = mock_domain_cache_invalidate_user,
	.free = mock_domain_free_nested,
};

static struct mock_iommu_domain_nested *
__mock_domain_alloc_nested(const struct iommu_user_data *user_data)
{
	struct mock_iommu_domain_nested *mock_nested;
	struct iommu_hwpt_selftest user_cfg;
	int rc;

	if (user_data->type != IOMMU_HWPT_DATA_SELFTEST)
		return (struct mock_iommu_domain_nested *)ERR_PTR(-EOPNOTSUPP);

	rc = iommu_copy_struct_from_user(&user_cfg, user_data, IOMMU_HWPT_DATA_SELFTEST, iotlb);
	if (rc)
		return (struct mock_iommu_domain_nested *)ERR_PTR(rc);

	mock_nested = (struct mock_iommu_domain_nested *)kzalloc(sizeof(*mock_nested),
								 GFP_KERNEL);
	if (!mock_nested)
		return (struct mock_iommu_domain_nested *)ERR_PTR(-ENOMEM);
	mock_nested->domain.ops = &domain_nested_ops;
	mock_nested->domain.type = IOMMU_DOMAIN_NESTED;
	for (u32 i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		mock_nested->iotlb[i] = user_cfg.iotlb;
	return mock_nested;
}

/* ops->domain_alloc_nested: a nested HWPT on a NEST_PARENT paging HWPT. */
struct iommu_domain *mock_domain_alloc_nested(struct device *dev, struct iommu_domain *parent,
					      u32 flags, const struct iommu_user_data *user_data)
{
	struct mock_iommu_domain_nested *mock_nested;

	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return ERR_PTR(-EOPNOTSUPP);
	if (!parent || !(parent->type & __IOMMU_DOMAIN_PAGING))
		return ERR_PTR(-EINVAL);

	mock_nested = __mock_domain_alloc_nested(user_data);
	if (IS_ERR(mock_nested))
		return ERR_CAST(mock_nested);
	return &mock_nested->domain;
}

/*
 * On attach: a device attached to a nested domain of a vIOMMU must have a
 * vDEVICE there (its virtual ID is what events report); any other domain
 * takes the device out of its vIOMMU.
 */
int mock_dev_follow_viommu(struct mock_dev *mdev, struct iommu_domain *domain)
{
	struct mock_viommu *new_viommu = NULL;
	unsigned long vdev_id = 0;
	int rc;

	if (domain->type == IOMMU_DOMAIN_NESTED && domain->ops == &domain_nested_ops) {
		new_viommu = to_mock_nested(domain)->mock_viommu;
		if (new_viommu) {
			rc = iommufd_viommu_get_vdev_id(&new_viommu->core, &mdev->dev, &vdev_id);
			if (rc)
				return rc;
		}
	}
	if ((void *)new_viommu != mdev->viommu) {
		down_write(&mdev->viommu_rwsem);
		mdev->viommu = new_viommu;
		mdev->vdev_id = vdev_id;
		up_write(&mdev->viommu_rwsem);
	}
	return 0;
}

/* IOMMU_TEST_OP_MD_CHECK_IOTLB */
int iommufd_test_md_check_iotlb(struct iommufd_ucmd *ucmd, u32 mockpt_id,
				unsigned int iotlb_id, u32 iotlb)
{
	struct mock_iommu_domain_nested *mock_nested;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_object *obj;
	int rc = 0;

	obj = iommufd_get_object(ucmd->ictx, mockpt_id, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	hwpt = container_of(obj, struct iommufd_hw_pagetable, obj);
	if (hwpt->domain->type != IOMMU_DOMAIN_NESTED || hwpt->domain->ops != &domain_nested_ops) {
		rc = -EINVAL;
		goto out_put;
	}
	mock_nested = to_mock_nested(hwpt->domain);
	if (iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX || mock_nested->iotlb[iotlb_id] != iotlb)
		rc = -EINVAL;
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}

/* ---- the mock vIOMMU ---- */

static void mock_viommu_destroy(struct iommufd_viommu *viommu)
{
	struct mock_viommu *mock_viommu = to_mock_viommu(viommu);

	if (mock_viommu->mmap_offset)
		iommufd_viommu_destroy_mmap(&mock_viommu->core, mock_viommu->mmap_offset);
	if (mock_viommu->page)
		free_pages((unsigned long)mock_viommu->page, 1);
	mutex_destroy(&mock_viommu->queue_mutex);
	/* The core frees the structure. */
}

static struct iommu_domain *mock_viommu_alloc_domain_nested(struct iommufd_viommu *viommu,
							    u32 flags,
							    const struct iommu_user_data *user_data)
{
	struct mock_iommu_domain_nested *mock_nested;

	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return ERR_PTR(-EOPNOTSUPP);

	mock_nested = __mock_domain_alloc_nested(user_data);
	if (IS_ERR(mock_nested))
		return ERR_CAST(mock_nested);
	mock_nested->mock_viommu = to_mock_viommu(viommu);
	return &mock_nested->domain;
}

/*
 * IOMMU_HWPT_INVALIDATE on the vIOMMU: each entry resets a cache entry (or
 * all, with IOMMU_TEST_INVALIDATE_FLAG_ALL) of the device behind a virtual
 * ID. An empty array of the right type probes support.
 */
static int mock_viommu_cache_invalidate(struct iommufd_viommu *viommu,
					struct iommu_user_data_array *array)
{
	struct iommu_viommu_invalidate_selftest *cmds;
	struct iommu_viommu_invalidate_selftest *cur;
	struct iommu_viommu_invalidate_selftest *end;
	int rc;

	if (array->entry_num == 0 && array->type == IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST) {
		array->entry_num = 0;
		return 0;
	}

	/* An empty array of another type still fails in the copy below. */
	cmds = (struct iommu_viommu_invalidate_selftest *)kcalloc(
		array->entry_num ?: 1, sizeof(*cmds), GFP_KERNEL | __GFP_NOWARN);
	if (!cmds)
		return -ENOMEM;
	cur = cmds;
	end = cmds + array->entry_num;

	static_assert(sizeof(*cmds) == 3 * sizeof(u32));
	rc = iommu_copy_struct_from_full_user_array(cmds, sizeof(*cmds), array,
						    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST);
	if (rc)
		goto out;

	while (cur != end) {
		struct mock_dev *mdev;
		struct device *dev;

		if (cur->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			goto out;
		}
		if (cur->cache_id > MOCK_DEV_CACHE_ID_MAX) {
			rc = -EINVAL;
			goto out;
		}

		xa_lock(&viommu->vdevs);
		dev = iommufd_viommu_find_dev(viommu, (unsigned long)cur->vdev_id);
		if (!dev) {
			xa_unlock(&viommu->vdevs);
			rc = -EINVAL;
			goto out;
		}
		/* A platform function behind the vIOMMU has no mock device cache. */
		if (!iommufd_selftest_is_mock_dev(dev)) {
			xa_unlock(&viommu->vdevs);
			rc = -EINVAL;
			goto out;
		}
		mdev = to_mock_dev(dev);
		if (cur->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			/* Every entry; cache_id is ignored. */
			for (u32 i = 0; i < MOCK_DEV_CACHE_NUM; i++)
				mdev->cache[i] = 0;
		} else {
			mdev->cache[cur->cache_id] = 0;
		}
		xa_unlock(&viommu->vdevs);
		cur++;
	}
out:
	array->entry_num = cur - cmds;
	kfree(cmds);
	return rc;
}

static size_t mock_viommu_get_hw_queue_size(struct iommufd_viommu *viommu, u32 queue_type)
{
	if (queue_type != IOMMU_HW_QUEUE_TYPE_SELFTEST)
		return 0;
	return HW_QUEUE_STRUCT_SIZE(struct mock_hw_queue, core);
}

static void mock_hw_queue_destroy(struct iommufd_hw_queue *hw_queue)
{
	struct mock_hw_queue *mock_hw_queue = to_mock_hw_queue(hw_queue);
	struct mock_viommu *mock_viommu = mock_hw_queue->mock_viommu;

	mutex_lock(&mock_viommu->queue_mutex);
	mock_viommu->hw_queue[mock_hw_queue->index] = NULL;
	if (mock_hw_queue->prev)
		iommufd_hw_queue_undepend(mock_hw_queue, mock_hw_queue->prev, core);
	mutex_unlock(&mock_viommu->queue_mutex);
}

/*
 * A queue at @index needs the one at @index - 1 (and depends on it), and
 * @base_addr_pa must be what the stage 2 translates the guest base to: a
 * check of the core's pinning.
 */
static int mock_hw_queue_init_phys(struct iommufd_hw_queue *hw_queue, u32 index,
				   phys_addr_t base_addr_pa)
{
	struct mock_viommu *mock_viommu = to_mock_viommu(hw_queue->viommu);
	struct mock_hw_queue *mock_hw_queue = to_mock_hw_queue(hw_queue);
	struct mock_hw_queue *prev = NULL;
	int rc = 0;

	if (index >= IOMMU_TEST_HW_QUEUE_MAX)
		return -EINVAL;

	mutex_lock(&mock_viommu->queue_mutex);
	if (mock_viommu->hw_queue[index]) {
		rc = -EEXIST;
		goto unlock;
	}
	if (index) {
		prev = mock_viommu->hw_queue[index - 1];
		if (!prev) {
			rc = -EIO;
			goto unlock;
		}
	}

	if (base_addr_pa != iommu_iova_to_phys(&mock_viommu->s2_parent->domain,
					       hw_queue->base_addr)) {
		rc = -EFAULT;
		goto unlock;
	}

	if (prev) {
		rc = iommufd_hw_queue_depend(mock_hw_queue, prev, core);
		if (rc)
			goto unlock;
	}

	mock_hw_queue->prev = prev;
	mock_hw_queue->mock_viommu = mock_viommu;
	mock_hw_queue->index = index;
	mock_viommu->hw_queue[index] = mock_hw_queue;
	/* Only now: a failed init must not run the destroy op. */
	hw_queue->destroy = &mock_hw_queue_destroy;
unlock:
	mutex_unlock(&mock_viommu->queue_mutex);
	return rc;
}

static const struct iommufd_viommu_ops mock_viommu_ops = {
	.destroy = mock_viommu_destroy,
	.alloc_domain_nested = mock_viommu_alloc_domain_nested,
	.cache_invalidate = mock_viommu_cache_invalidate,
	.get_hw_queue_size = mock_viommu_get_hw_queue_size,
	.hw_queue_init_phys = mock_hw_queue_init_phys,
};

size_t mock_get_viommu_size(struct device *dev, u32 viommu_type)
{
	if (viommu_type != IOMMU_VIOMMU_TYPE_SELFTEST)
		return 0;
	return VIOMMU_STRUCT_SIZE(struct mock_viommu, core);
}

int mock_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent_domain,
		     const struct iommu_user_data *user_data)
{
	struct mock_viommu *mock_viommu = to_mock_viommu(viommu);
	struct iommu_viommu_selftest data;
	int rc;

	if (user_data) {
		rc = iommu_copy_struct_from_user(&data, user_data, IOMMU_VIOMMU_TYPE_SELFTEST,
						 out_data);
		if (rc)
			return rc;

		/* Two zeroed pages of fake MMIO. */
		mock_viommu->page = (u32 *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
		if (!mock_viommu->page)
			return -ENOMEM;

		rc = iommufd_viommu_alloc_mmap(&mock_viommu->core, __pa(mock_viommu->page),
					       PAGE_SIZE * 2, &mock_viommu->mmap_offset);
		if (rc)
			goto err_free_page;

		/* Loopback: the value shows up in out_data and in the page. */
		*mock_viommu->page = data.in_data;
		data.out_data = data.in_data;
		data.out_mmap_length = PAGE_SIZE * 2;
		data.out_mmap_offset = mock_viommu->mmap_offset;
		rc = iommu_copy_struct_to_user(user_data, &data, IOMMU_VIOMMU_TYPE_SELFTEST,
					       out_data);
		if (rc)
			goto err_destroy_mmap;
	}

	mutex_init(&mock_viommu->queue_mutex);
	mock_viommu->s2_parent = to_mock_domain(parent_domain);
	viommu->ops = &mock_viommu_ops;
	return 0;

err_destroy_mmap:
	iommufd_viommu_destroy_mmap(&mock_viommu->core, mock_viommu->mmap_offset);
	mock_viommu->mmap_offset = 0;
err_free_page:
	free_pages((unsigned long)mock_viommu->page, 1);
	mock_viommu->page = NULL;
	return rc;
}

struct iommu_domain *mock_nested_parent_domain(struct iommu_domain *nested)
{
	struct mock_iommu_domain_nested *mock_nested = to_mock_nested(nested);

	if (!mock_nested->mock_viommu || !mock_nested->mock_viommu->s2_parent)
		return NULL;
	return &mock_nested->mock_viommu->s2_parent->domain;
}
