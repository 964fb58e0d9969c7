// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking in the mock IOMMU: the write-dirty bit of its page table
 * entries (AMD v1's D bit, see mock.h), the iommu_dirty_ops iommufd drives,
 * and IOMMU_TEST_OP_DIRTY, which plays the device writing memory.
 *
 * Like real hardware the mock reports dirtiness per IOPTE: a write
 * anywhere in a 1 MiB leaf makes the whole leaf dirty, and
 * read_and_clear_dirty() (the generic page table's) reports all of it.
 * Device DMA through a platform function sets the same bit through the
 * hardware walker (mock_platform.cc).
 *
 * Only a domain allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING has
 * mock_dirty_ops; only while tracking is enabled (MOCK_DIRTY_TRACK) can
 * bits be read or set.
 */
#include "drivers/mock/mock.h"

static int mock_domain_set_dirty_tracking(struct iommu_domain *domain, bool enable)
{
	struct mock_iommu_domain *mock = to_mock_domain(domain);

	if (enable && !domain->dirty_ops)
		return -EINVAL;
	if (enable)
		mock->flags |= MOCK_DIRTY_TRACK;
	else
		mock->flags &= ~MOCK_DIRTY_TRACK;
	return 0;
}

/*
 * Report every dirty leaf that intersects [iova, iova + size) and, unless
 * IOMMU_DIRTY_NO_CLEAR, clear it. Without a bitmap this only clears, which
 * is how iommufd starts tracking from a clean slate; with one, tracking
 * must be on.
 */
static int mock_domain_read_and_clear_dirty(struct iommu_domain *domain, unsigned long iova,
					    size_t size, unsigned long flags,
					    struct iommu_dirty_bitmap *dirty)
{
	struct mock_iommu_domain *mock = to_mock_domain(domain);
	unsigned long last;

	if (!(mock->flags & MOCK_DIRTY_TRACK) && dirty->bitmap)
		return -EINVAL;
	if (!size || check_add_overflow(iova, size - 1, &last))
		return -EINVAL;
	return pt_read_and_clear_dirty(domain, iova, size, flags, dirty);
}

const struct iommu_dirty_ops mock_dirty_ops = {
	.set_dirty_tracking = mock_domain_set_dirty_tracking,
	.read_and_clear_dirty = mock_domain_read_and_clear_dirty,
};

/*
 * IOMMU_TEST_OP_DIRTY: bit i of the user bitmap at @uptr marks
 * @iova + i * @page_size as written by the device. Returns in
 * out_nr_dirty how many bits were set. The domain must be tracking.
 */
int iommufd_test_dirty(struct iommufd_ucmd *ucmd, unsigned int mockpt_id, unsigned long iova,
		       size_t length, unsigned long page_size, void __user *uptr, u32 flags)
{
	struct iommu_test_cmd *cmd = (struct iommu_test_cmd *)ucmd->cmd;
	struct iommufd_hw_pagetable *hwpt;
	struct mock_iommu_domain *mock;
	unsigned long i, max, count = 0;
	unsigned long *tmp;
	int rc;

	if (!page_size || !length || iova % page_size || length % page_size || !uptr)
		return -EINVAL;

	hwpt = get_md_pagetable(ucmd, mockpt_id, &mock);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);

	if (!(mock->flags & MOCK_DIRTY_TRACK)) {
		rc = -EINVAL;
		goto out_put;
	}

	max = length / page_size;
	/* Whole longs for test_bit(); the user supplies only whole bytes. */
	tmp = (unsigned long *)kvzalloc(DIV_ROUND_UP(max, BITS_PER_LONG) * sizeof(unsigned long),
					GFP_KERNEL_ACCOUNT);
	if (!tmp) {
		rc = -ENOMEM;
		goto out_put;
	}
	if (copy_from_user(tmp, uptr, DIV_ROUND_UP(max, BITS_PER_BYTE))) {
		rc = -EFAULT;
		goto out_free;
	}

	for (i = 0; i < max; i++) {
		if (!test_bit(i, tmp))
			continue;
		/* What a device write does; nothing happens where nothing is mapped. */
		pt_iommu_set_dirty(&mock->pt, iova + i * page_size);
		count++;
	}

	cmd->dirty.out_nr_dirty = count;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kvfree(tmp);
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}
