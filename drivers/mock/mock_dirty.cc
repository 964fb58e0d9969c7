// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking in the mock IOMMU: the "hardware" dirty bit of the mock
 * page table, the iommu_dirty_ops iommufd drives, and IOMMU_TEST_OP_DIRTY,
 * which plays the device writing memory.
 *
 * A leaf (an IOPTE of MOCK_PAGE_SIZE << order bytes, stored in every
 * MOCK_PAGE_SIZE slot it covers, see mock.h) is dirty when its head slot
 * carries MOCK_PFN_DIRTY. Like real hardware the mock reports dirtiness per
 * IOPTE: a write anywhere in a 1 MiB leaf makes the whole leaf dirty, and
 * read_and_clear_dirty() reports all of it.
 *
 * Only a domain allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING has
 * mock_dirty_ops; only while tracking is enabled (MOCK_DIRTY_TRACK) can
 * bits be read or set.
 */
#include "drivers/mock/mock.h"

static unsigned long mock_leaf_size(void *ent)
{
	unsigned int order = (xa_to_value(ent) & MOCK_PFN_ORDER_MASK) >> MOCK_PFN_ORDER_SHIFT;

	return (unsigned long)MOCK_PAGE_SIZE << order;
}

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
 * Replace the head slot of a leaf with @val if it still holds @ent; a leaf
 * unmapped meanwhile is left alone. Replacing a present entry allocates
 * nothing, so this cannot fail for lack of memory.
 */
static void mock_leaf_update(struct mock_iommu_domain *mock, unsigned long head, void *ent,
			     unsigned long val)
{
	void *old = xa_cmpxchg(&mock->pfns, head / MOCK_PAGE_SIZE, ent, xa_mk_value(val),
			       GFP_KERNEL);

	WARN_ON(xa_is_err(old));
}

/*
 * Report every dirty leaf that intersects [iova, iova + size) (the whole
 * leaf, which may begin before @iova or end after it) and, unless
 * IOMMU_DIRTY_NO_CLEAR, clear it. Without a bitmap this only clears, which
 * is how iommufd starts tracking from a clean slate.
 */
static int mock_domain_read_and_clear_dirty(struct iommu_domain *domain, unsigned long iova,
					    size_t size, unsigned long flags,
					    struct iommu_dirty_bitmap *dirty)
{
	struct mock_iommu_domain *mock = to_mock_domain(domain);
	unsigned long cur = iova;
	unsigned long last;

	if (!(mock->flags & MOCK_DIRTY_TRACK) && dirty->bitmap)
		return -EINVAL;
	if (!size || check_add_overflow(iova, size - 1, &last))
		return -EINVAL;

	while (cur <= last) {
		unsigned long leaf, head, next;
		void *ent, *hent;

		ent = xa_load(&mock->pfns, cur / MOCK_PAGE_SIZE);
		if (!ent) {
			next = ALIGN_DOWN(cur, MOCK_PAGE_SIZE) + MOCK_PAGE_SIZE;
		} else {
			leaf = mock_leaf_size(ent);
			head = ALIGN_DOWN(cur, leaf);
			hent = xa_load(&mock->pfns, head / MOCK_PAGE_SIZE);
			if (hent && (xa_to_value(hent) & MOCK_PFN_DIRTY)) {
				iommu_dirty_bitmap_record(dirty, head, leaf);
				if (!(flags & IOMMU_DIRTY_NO_CLEAR))
					mock_leaf_update(mock, head, hent,
							 xa_to_value(hent) & ~MOCK_PFN_DIRTY);
			}
			next = head + leaf;
		}
		if (next <= cur)	/* wrapped past the top of the address space */
			break;
		cur = next;
	}
	return 0;
}

const struct iommu_dirty_ops mock_dirty_ops = {
	.set_dirty_tracking = mock_domain_set_dirty_tracking,
	.read_and_clear_dirty = mock_domain_read_and_clear_dirty,
};

/* What a device write to @iova does: dirty the leaf mapping it, if any. */
static void mock_mark_dirty(struct mock_iommu_domain *mock, unsigned long iova)
{
	unsigned long head;
	void *ent, *hent;

	ent = xa_load(&mock->pfns, iova / MOCK_PAGE_SIZE);
	if (!ent)
		return;
	head = ALIGN_DOWN(iova, mock_leaf_size(ent));
	hent = xa_load(&mock->pfns, head / MOCK_PAGE_SIZE);
	if (hent && !(xa_to_value(hent) & MOCK_PFN_DIRTY))
		mock_leaf_update(mock, head, hent, xa_to_value(hent) | MOCK_PFN_DIRTY);
}

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
		mock_mark_dirty(mock, iova + i * page_size);
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
