// SPDX-License-Identifier: GPL-2.0
/*
 * PASID attachments through the mock's IOMMU_TEST_OP_PASID_* (which call
 * iommufd_device_attach/replace/detach with a PASID): attach, replace and
 * detach of paging HWPTs on a device PASID, and the rules between PASID
 * and RID attachments:
 *  - only an HWPT allocated with IOMMU_HWPT_ALLOC_PASID may sit on a PASID,
 *    so an IOAS (whose automatic domains are not PASID-compatible) cannot
 *  - while any PASID is attached the RID must use a PASID-compatible HWPT,
 *    and a PASID cannot be attached while the RID uses one that is not
 *  - attach does not overwrite (EBUSY), replace needs an attachment
 *    (EINVAL), a failed replace keeps the old HWPT
 *  - a device that is not PASID-capable can use PASID-compatible HWPTs on
 *    its RID but cannot attach a PASID
 */
#include "uiommufd_utils.h"

static int pasid_op(int fd, __u32 op, __u32 stdev_id, __u32 pasid, __u32 pt_id)
{
	struct iommu_test_cmd cmd = { .op = op, .id = stdev_id };

	switch (op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		cmd.pasid_attach.pasid = pasid;
		cmd.pasid_attach.pt_id = pt_id;
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		cmd.pasid_replace.pasid = pasid;
		cmd.pasid_replace.pt_id = pt_id;
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		cmd.pasid_detach.pasid = pasid;
		break;
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		cmd.pasid_check.pasid = pasid;
		cmd.pasid_check.hwpt_id = pt_id;
		break;
	}
	return ufd_test_cmd(fd, &cmd);
}

#define pasid_attach(self, pasid, pt) \
	pasid_op((self)->fd, IOMMU_TEST_OP_PASID_ATTACH, (self)->stdev_id, pasid, pt)
#define pasid_replace(self, pasid, pt) \
	pasid_op((self)->fd, IOMMU_TEST_OP_PASID_REPLACE, (self)->stdev_id, pasid, pt)
#define pasid_detach(self, pasid) \
	pasid_op((self)->fd, IOMMU_TEST_OP_PASID_DETACH, (self)->stdev_id, pasid, 0)
/* 0 if @pasid is attached to @hwpt (0: to nothing). */
#define pasid_check(self, pasid, hwpt) \
	pasid_op((self)->fd, IOMMU_TEST_OP_PASID_CHECK_HWPT, (self)->stdev_id, pasid, hwpt)

FIXTURE(pasid_dev)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id;		/* PASID-capable */
	__u32 hwpt_id;		/* its automatic RID domain */
	__u32 idev_id;
	__u32 no_pasid_stdev_id;
	__u32 parent_hwpt_id;	/* NEST_PARENT: not PASID-compatible */
	__u32 s2_hwpt_id;	/* IOMMU_HWPT_ALLOC_PASID */
	__u32 s2b_hwpt_id;	/* IOMMU_HWPT_ALLOC_PASID */
};

FIXTURE_VARIANT(pasid_dev)
{
	bool pasid_capable;
};

FIXTURE_VARIANT_ADD(pasid_dev, no_pasid) { .pasid_capable = false };
FIXTURE_VARIANT_ADD(pasid_dev, has_pasid) { .pasid_capable = true };

FIXTURE_SETUP(pasid_dev)
{
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size,
				   MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, MOCK_FLAGS_DEVICE_PASID,
				     &self->stdev_id, &self->hwpt_id, &self->idev_id));
	if (!variant->pasid_capable)
		ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0,
					     &self->no_pasid_stdev_id, NULL, NULL));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_hwpt_id));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_PASID, &self->s2_hwpt_id));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_PASID, &self->s2b_hwpt_id));
}

FIXTURE_TEARDOWN(pasid_dev)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

TEST_F(pasid_dev, rid_and_pasid_rules)
{
	const __u32 pasid = 100;

	/* Detaching a PASID that is not attached is harmless. */
	ASSERT_EQ(0, pasid_detach(self, pasid));

	/* RID on a non-PASID-compatible HWPT: no PASID may attach. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->parent_hwpt_id, NULL));
	UFD_EXPECT_ERRNO(EINVAL, pasid_attach(self, pasid, self->s2_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, 0));

	/* RID on a compatible one: the PASID attaches... */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->s2_hwpt_id, NULL));
	ASSERT_EQ(0, pasid_attach(self, pasid, self->s2b_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2b_hwpt_id));
	/* ...and now the RID cannot move to an incompatible HWPT or IOAS. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_replace(self->fd, self->stdev_id,
						  self->parent_hwpt_id, NULL));
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id,
						  NULL));
	/* A compatible one is fine. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->s2b_hwpt_id, NULL));
	ASSERT_EQ(0, pasid_detach(self, pasid));
	ASSERT_EQ(0, pasid_check(self, pasid, 0));
	/* With no PASID left the RID is free again. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->parent_hwpt_id, NULL));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->s2_hwpt_id, NULL));

	if (!variant->pasid_capable) {
		/* PASID-compatible HWPTs work on the RID of any device... */
		ASSERT_EQ(0, ufd_mock_replace(self->fd, self->no_pasid_stdev_id,
					      self->s2b_hwpt_id, NULL));
		ASSERT_EQ(0, ufd_mock_replace(self->fd, self->no_pasid_stdev_id, self->ioas_id,
					      NULL));
		/* ...but a device without PASID support has no PASID to attach. */
		UFD_EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
						  self->no_pasid_stdev_id, pasid,
						  self->parent_hwpt_id));
		UFD_EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
						  self->no_pasid_stdev_id, pasid,
						  self->s2_hwpt_id));
	}

	/* Not PASID-compatible: refused, nothing attached. */
	UFD_EXPECT_ERRNO(EINVAL, pasid_attach(self, pasid, self->parent_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, 0));
	/* An IOAS: its automatic domains are not PASID-compatible either. */
	UFD_EXPECT_ERRNO(EINVAL, pasid_attach(self, pasid, self->ioas_id));
	ASSERT_EQ(0, pasid_check(self, pasid, 0));

	/* Attach, then attach again: no overwriting, not even with the same HWPT. */
	ASSERT_EQ(0, pasid_attach(self, pasid, self->s2_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2_hwpt_id));
	UFD_EXPECT_ERRNO(EBUSY, pasid_attach(self, pasid, self->s2b_hwpt_id));
	UFD_EXPECT_ERRNO(EBUSY, pasid_attach(self, pasid, self->s2_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2_hwpt_id));
	/* The check op tells HWPTs apart. */
	UFD_EXPECT_ERRNO(EINVAL, pasid_check(self, pasid, self->s2b_hwpt_id));
	UFD_EXPECT_ERRNO(EINVAL, pasid_check(self, pasid, 0));
	/* Attached HWPTs are busy. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->s2_hwpt_id));
	ASSERT_EQ(0, pasid_detach(self, pasid));
	ASSERT_EQ(0, pasid_check(self, pasid, 0));

	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
}

TEST_F(pasid_dev, replace)
{
	const __u32 pasid = 200;

	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->s2_hwpt_id, NULL));

	/* Nothing to replace yet. */
	UFD_EXPECT_ERRNO(EINVAL, pasid_replace(self, pasid, self->s2_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, 0));

	ASSERT_EQ(0, pasid_attach(self, pasid, self->s2_hwpt_id));
	/* An IOAS cannot replace it; the old HWPT stays. */
	UFD_EXPECT_ERRNO(EINVAL, pasid_replace(self, pasid, self->ioas_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2_hwpt_id));
	UFD_EXPECT_ERRNO(EINVAL, pasid_replace(self, pasid, self->parent_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2_hwpt_id));

	ASSERT_EQ(0, pasid_replace(self, pasid, self->s2b_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2b_hwpt_id));
	/* The old HWPT is free now, the new one busy. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->s2b_hwpt_id));
	/* Replacing with the same HWPT is a no-op. */
	ASSERT_EQ(0, pasid_replace(self, pasid, self->s2b_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2b_hwpt_id));
	ASSERT_EQ(0, pasid_replace(self, pasid, self->s2_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2_hwpt_id));

	/* Bad IDs. */
	UFD_EXPECT_ERRNO(ENOENT, pasid_replace(self, pasid, 9999));
	UFD_EXPECT_ERRNO(ENOENT, pasid_attach(self, pasid + 1, 9999));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2_hwpt_id));

	ASSERT_EQ(0, pasid_detach(self, pasid));
	ASSERT_EQ(0, pasid_check(self, pasid, 0));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->s2b_hwpt_id));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
}

/* The mock fails every second attach of IOMMU_TEST_PASID_RESERVED. */
TEST_F(pasid_dev, failed_replace_keeps_old)
{
	const __u32 pasid = IOMMU_TEST_PASID_RESERVED;

	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->s2_hwpt_id, NULL));
	ASSERT_EQ(0, pasid_attach(self, pasid, self->s2_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2_hwpt_id));
	UFD_EXPECT_ERRNO(ENOMEM, pasid_replace(self, pasid, self->s2b_hwpt_id));
	ASSERT_EQ(0, pasid_check(self, pasid, self->s2_hwpt_id));
	/* The failed HWPT took no reference. */
	ASSERT_EQ(0, ufd_destroy(self->fd, self->s2b_hwpt_id));
	ASSERT_EQ(0, pasid_detach(self, pasid));
	ASSERT_EQ(0, pasid_check(self, pasid, 0));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
}

/* Several PASIDs at once, on the same and on different HWPTs; the RID is unaffected. */
TEST_F(pasid_dev, many_pasids)
{
	static const __u32 pasids[] = { 1, 2, 3, 4096, (1U << MOCK_PASID_WIDTH) - 1 };
	unsigned int i;

	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->s2_hwpt_id, NULL));
	for (i = 0; i < ARRAY_SIZE(pasids); i++)
		ASSERT_EQ(0, pasid_attach(self, pasids[i],
					  i % 2 ? self->s2_hwpt_id : self->s2b_hwpt_id));
	for (i = 0; i < ARRAY_SIZE(pasids); i++)
		ASSERT_EQ(0, pasid_check(self, pasids[i],
					 i % 2 ? self->s2_hwpt_id : self->s2b_hwpt_id));
	/* The RID is still on s2 and translates. */
	ASSERT_EQ(0, ufd_check_map(self->fd, self->s2_hwpt_id, MOCK_APERTURE_START, ufd_psize,
				   ufd_buf));
	/* One PASID still attached pins the RID to compatible HWPTs. */
	for (i = 0; i + 1 < ARRAY_SIZE(pasids); i++)
		ASSERT_EQ(0, pasid_detach(self, pasids[i]));
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id,
						  NULL));
	ASSERT_EQ(0, pasid_detach(self, pasids[i]));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->s2_hwpt_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->s2b_hwpt_id));
}

/* Closing the fd with PASIDs still attached cleans everything up. */
TEST_F(pasid_dev, close_with_pasid_attached)
{
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->s2_hwpt_id, NULL));
	ASSERT_EQ(0, pasid_attach(self, 7, self->s2_hwpt_id));
	ASSERT_EQ(0, pasid_attach(self, 8, self->s2b_hwpt_id));
}

/* Destroying the device with PASIDs attached: the PASIDs go with it. */
TEST_F(pasid_dev, destroy_device_with_pasid_attached)
{
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->s2_hwpt_id, NULL));
	ASSERT_EQ(0, pasid_attach(self, 7, self->s2b_hwpt_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->stdev_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->s2b_hwpt_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->s2_hwpt_id));
}

TEST_HARNESS_MAIN
