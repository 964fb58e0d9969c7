// SPDX-License-Identifier: GPL-2.0
/*
 * Devices and HW pagetables through the mock driver: attach (automatic
 * domain or an explicit HWPT), replace, detach by destroying the selftest
 * object, HWPT_ALLOC and its flags, GET_HW_INFO, and the mock domain's
 * own checks (MD_CHECK_MAP, MD_CHECK_REFS) that tell whether the pages a
 * domain translates to are the right ones and pinned the right number of
 * times.
 */
#include "uiommufd_utils.h"

FIXTURE(device)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 hwpt_id;
	__u32 idev_id;
};

FIXTURE_SETUP(device)
{
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id,
				     &self->hwpt_id, &self->idev_id));
	ASSERT_NE(0, self->stdev_id);
	ASSERT_NE(0, self->hwpt_id);
	ASSERT_NE(0, self->idev_id);
}

FIXTURE_TEARDOWN(device)
{
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

TEST_F(device, objects_in_use_are_busy)
{
	/* The IOAS is held by the HWPT, the HWPT by the attached device. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->ioas_id));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->hwpt_id));
	/* Still there and working. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
				   MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START, ufd_psize,
				   ufd_buf));
}

TEST_F(device, detach_frees_auto_domain)
{
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size,
				   MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 1));

	ASSERT_EQ(0, ufd_destroy(self->fd, self->stdev_id));
	/* The automatic domain went with its last device... */
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, self->hwpt_id));
	UFD_EXPECT_ERRNO(ENOENT, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					       ufd_psize, ufd_buf));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, self->stdev_id));
	/* ...and with no domain left nothing needs the pages pinned. */
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->ioas_id));
}

TEST_F(device, devices_share_auto_domain)
{
	__u32 stdev2, hwpt2;

	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &stdev2, &hwpt2, NULL));
	EXPECT_EQ(self->hwpt_id, hwpt2);
	EXPECT_NE(self->stdev_id, stdev2);

	ASSERT_EQ(0, ufd_destroy(self->fd, self->stdev_id));
	/* The second device still uses it. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->hwpt_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev2));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, self->hwpt_id));
}

TEST_F(device, mock_domain_errors)
{
	__u32 stdev;

	UFD_EXPECT_ERRNO(ENOENT, ufd_mock_domain(self->fd, 0, 0, &stdev, NULL, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_mock_domain(self->fd, self->ioas_id + 1000, 0, &stdev, NULL,
						 NULL));
	/* Only an IOAS or an HWPT can be attached to. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_domain(self->fd, self->idev_id, 0, &stdev, NULL, NULL));
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_domain(self->fd, self->stdev_id, 0, &stdev, NULL,
						 NULL));
	/* Device flags the mock does not know. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_domain(self->fd, self->ioas_id, 1U << 30, &stdev, NULL,
						 NULL));
}

TEST_F(device, attach_to_hwpt)
{
	__u32 stdev, hwpt;

	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->hwpt_id, 0, &stdev, &hwpt, NULL));
	EXPECT_EQ(self->hwpt_id, hwpt);
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev));
}

TEST_F(device, attach_fills_domain)
{
	__u32 ioas2, stdev, hwpt;
	__u64 iova;

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, ioas2, ufd_buf, ufd_buf_size, MOCK_APERTURE_START));
	iova = MOCK_APERTURE_START + ufd_buf_size;
	ASSERT_EQ(0, ufd_map_file(self->fd, ioas2, ufd_mfd, 0, ufd_buf_size, &iova,
				  UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	/* Nothing pinned before a domain exists. */
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));

	ASSERT_EQ(0, ufd_mock_domain(self->fd, ioas2, 0, &stdev, &hwpt, NULL));
	EXPECT_NE(self->hwpt_id, hwpt);
	ASSERT_EQ(0, ufd_check_map(self->fd, hwpt, MOCK_APERTURE_START, ufd_buf_size, ufd_buf));
	ASSERT_EQ(0, ufd_check_map(self->fd, hwpt, iova, ufd_buf_size, ufd_mfd_buf));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 1));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_mfd_buf, ufd_buf_size, 1));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 0));
	ASSERT_EQ(0, ufd_destroy(self->fd, ioas2));
}

TEST_F(device, attach_checks_existing_areas)
{
	__u32 ioas2, stdev;

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));

	/* An area below the mock aperture cannot live in its domain. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, ioas2, ufd_buf, ufd_psize, ufd_psize));
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_mock_domain(self->fd, ioas2, 0, &stdev, NULL, NULL));
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_hwpt_alloc(self->fd, self->idev_id, ioas2, 0, NULL));
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_mock_replace(self->fd, self->stdev_id, ioas2, NULL));
	ASSERT_EQ(0, ufd_unmap(self->fd, ioas2, 0, UINT64_MAX, NULL));

	/* Nor one finer than the mock's 2 KiB page. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, ioas2, (char *)ufd_buf + 512, 512,
				   MOCK_APERTURE_START + 512));
	UFD_EXPECT_ERRNO(EADDRINUSE, ufd_mock_domain(self->fd, ioas2, 0, &stdev, NULL, NULL));
	ASSERT_EQ(0, ufd_unmap(self->fd, ioas2, 0, UINT64_MAX, NULL));

	/* The failed replace left the device where it was. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->hwpt_id));

	ASSERT_EQ(0, ufd_map_fixed(self->fd, ioas2, ufd_buf, ufd_psize, MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, ioas2, 0, &stdev, NULL, NULL));
	/* With a domain attached, the aperture is now enforced on new maps. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_map_fixed(self->fd, ioas2, ufd_buf, ufd_psize, ufd_psize));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev));
	/* And lifted once the domain is gone. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, ioas2, ufd_buf, ufd_psize, ufd_psize));
}

TEST_F(device, replace)
{
	__u32 ioas2, hwpt, hwpt_again;

	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, ioas2, &hwpt));
	EXPECT_NE(self->hwpt_id, hwpt);
	/* The automatic domain of the old IOAS lost its only device. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_mock_replace(self->fd, self->stdev_id, self->hwpt_id, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, self->hwpt_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->ioas_id));

	/* Replacing with what is attached changes nothing. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, ioas2, &hwpt_again));
	EXPECT_EQ(hwpt, hwpt_again);
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, hwpt, &hwpt_again));
	EXPECT_EQ(hwpt, hwpt_again);
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, ioas2));
}

TEST_F(device, replace_between_hwpts)
{
	__u32 paging, parent, out;
	__u64 iova;

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_buf_size,
				   MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id, 0, &paging));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	/* A new HWPT on an IOAS receives what is already mapped. */
	ASSERT_EQ(0, ufd_check_map(self->fd, paging, MOCK_APERTURE_START, ufd_buf_size, ufd_buf));
	ASSERT_EQ(0, ufd_check_map(self->fd, parent, MOCK_APERTURE_START, ufd_buf_size, ufd_buf));
	/* Three domains, one set of pinned pages. */
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_buf_size, 1));

	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, paging, &out));
	EXPECT_EQ(paging, out);
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, paging));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, parent, NULL));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, parent));
	ASSERT_EQ(0, ufd_destroy(self->fd, paging));

	/* New mappings reach every domain of the IOAS. */
	ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, ufd_mfd, 0, ufd_psize, &iova,
				  UFD_MAP_RW));
	ASSERT_EQ(0, ufd_check_map(self->fd, parent, iova, ufd_psize, ufd_mfd_buf));

	/* Back to an automatic domain; manual ones are never picked. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, &out));
	EXPECT_NE(parent, out);
	ASSERT_EQ(0, ufd_destroy(self->fd, parent));
}

TEST_F(device, replace_errors)
{
	UFD_EXPECT_ERRNO(ENOENT, ufd_mock_replace(self->fd, 0, self->ioas_id, NULL));
	/* The ID must name the selftest object, not the device or an IOAS. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_mock_replace(self->fd, self->idev_id, self->ioas_id, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_mock_replace(self->fd, self->ioas_id, self->ioas_id, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_mock_replace(self->fd, self->stdev_id, 0, NULL));
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_replace(self->fd, self->stdev_id, self->idev_id, NULL));
	UFD_EXPECT_ERRNO(EINVAL, ufd_mock_replace(self->fd, self->stdev_id, self->stdev_id,
						  NULL));
	/* Nothing moved. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->hwpt_id));
}

TEST_F(device, hwpt_alloc)
{
	__u32 hwpt, ioas2;

	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id, 0, &hwpt));
	EXPECT_NE(self->hwpt_id, hwpt);
	/* Not attached: free to go. */
	ASSERT_EQ(0, ufd_destroy(self->fd, hwpt));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, hwpt));

	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, NULL));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, NULL));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT |
					    IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				    NULL));

	/* An HWPT holds its IOAS. */
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, ioas2, 0, &hwpt));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, ioas2));
	/* Maps after the HWPT exists reach it too. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, ioas2, ufd_buf, ufd_psize, MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_check_map(self->fd, hwpt, MOCK_APERTURE_START, ufd_psize, ufd_buf));
	ASSERT_EQ(0, ufd_destroy(self->fd, hwpt));
	ASSERT_EQ(0, ufd_destroy(self->fd, ioas2));
	/* The rest are left for close(). */
}

TEST_F(device, hwpt_alloc_errors)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = self->idev_id,
		.pt_id = self->ioas_id,
	};
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 hwpt, nodirty_idev, nodirty_stdev;

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
						    1U << 30, &hwpt));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
						    ~(__u32)IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
	/* A nesting parent cannot take faults itself. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
						    IOMMU_HWPT_ALLOC_NEST_PARENT |
							    IOMMU_HWPT_FAULT_ID_VALID,
						    &hwpt));

	/* The device first: anything but a device ID is ENOENT... */
	UFD_EXPECT_ERRNO(ENOENT, ufd_hwpt_alloc(self->fd, 0, self->ioas_id, 0, &hwpt));
	UFD_EXPECT_ERRNO(ENOENT, ufd_hwpt_alloc(self->fd, self->ioas_id, self->ioas_id, 0,
						&hwpt));
	UFD_EXPECT_ERRNO(ENOENT, ufd_hwpt_alloc(self->fd, self->stdev_id, self->ioas_id, 0,
						&hwpt));
	/* ...then the page table, for which anything unusable is EINVAL. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_hwpt_alloc(self->fd, self->idev_id, 0, 0, &hwpt));
	UFD_EXPECT_ERRNO(EINVAL, ufd_hwpt_alloc(self->fd, self->idev_id, self->idev_id, 0,
						&hwpt));
	UFD_EXPECT_ERRNO(EINVAL, ufd_hwpt_alloc(self->fd, self->idev_id, self->stdev_id, 0,
						&hwpt));

	cmd.__reserved = 1;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.__reserved = 0;
	/* Driver data and its type go together. */
	cmd.data_len = sizeof(data);
	cmd.data_uptr = (uintptr_t)&data;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.data_len = 0;
	cmd.data_type = IOMMU_HWPT_DATA_SELFTEST;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));

	/* Dirty tracking needs an IOMMU that can do it. */
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, MOCK_FLAGS_DEVICE_NO_DIRTY,
				     &nodirty_stdev, NULL, &nodirty_idev));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_hwpt_alloc(self->fd, nodirty_idev, self->ioas_id,
						    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, nodirty_idev, self->ioas_id, 0, &hwpt));
	ASSERT_EQ(0, ufd_destroy(self->fd, hwpt));
	ASSERT_EQ(0, ufd_destroy(self->fd, nodirty_stdev));
}

TEST_F(device, hwpt_alloc_short_struct)
{
	struct {
		struct iommu_hwpt_alloc cmd;
		unsigned char after[8];
	} arg;
	size_t short_size = ufd_end_of(struct iommu_hwpt_alloc, __reserved);

	/*
	 * An older userspace that knows nothing past __reserved: the fields
	 * beyond its size read as zero, whatever lies in its memory there.
	 */
	memset(&arg, 0xff, sizeof(arg));
	arg.cmd.size = short_size;
	arg.cmd.flags = 0;
	arg.cmd.dev_id = self->idev_id;
	arg.cmd.pt_id = self->ioas_id;
	arg.cmd.out_hwpt_id = 0;
	arg.cmd.__reserved = 0;
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_HWPT_ALLOC, &arg));
	EXPECT_NE(0, arg.cmd.out_hwpt_id);
	/* Nothing past its size was written. */
	EXPECT_TRUE(ufd_all_bytes((char *)&arg + short_size, 0xff, sizeof(arg) - short_size));
	ASSERT_EQ(0, ufd_destroy(self->fd, arg.cmd.out_hwpt_id));
}

TEST_F(device, get_hw_info)
{
	struct iommu_test_hw_info exact;
	struct {
		struct iommu_test_hw_info info;
		unsigned char tail[24];
	} larger;
	struct iommu_hw_info out;

	/* No buffer at all: just the type, size and capabilities. */
	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, 0, 0, NULL, 0, &out));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, out.out_data_type);
	EXPECT_EQ(sizeof(struct iommu_test_hw_info), out.data_len);
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING,
		  out.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	EXPECT_EQ(0, out.out_max_pasid_log2);

	memset(&exact, 0xff, sizeof(exact));
	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, 0, 0, &exact, sizeof(exact), &out));
	EXPECT_EQ(0, exact.flags);
	EXPECT_EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, exact.test_reg);

	/* A bigger buffer gets its tail cleared. */
	memset(&larger, 0xff, sizeof(larger));
	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, 0, 0, &larger, sizeof(larger), &out));
	EXPECT_EQ(sizeof(struct iommu_test_hw_info), out.data_len);
	EXPECT_EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, larger.info.test_reg);
	EXPECT_TRUE(ufd_all_bytes(larger.tail, 0, sizeof(larger.tail)));

	/* A smaller one gets what fits and nothing beyond. */
	memset(&exact, 0xff, sizeof(exact));
	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, 0, 0, &exact,
				 ufd_end_of(struct iommu_test_hw_info, flags), &out));
	EXPECT_EQ(0, exact.flags);
	EXPECT_EQ(0xffffffffU, exact.test_reg);
	EXPECT_EQ(sizeof(struct iommu_test_hw_info), out.data_len);

	/* Without the input-type flag the input type is ignored. */
	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, 0, 0x1234, NULL, 0, &out));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, out.out_data_type);
	/* With it, the driver is asked for that type. */
	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_SELFTEST, &exact, sizeof(exact), &out));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, out.out_data_type);
	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_DEFAULT, &exact, sizeof(exact), &out));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_hw_info(self->fd, self->idev_id,
						 IOMMU_HW_INFO_FLAG_INPUT_TYPE,
						 IOMMU_HW_INFO_TYPE_SELFTEST + 1, &exact,
						 sizeof(exact), &out));
}

TEST_F(device, get_hw_info_errors)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = self->idev_id,
	};
	char *pages = ufd_mmap(2 * ufd_psize, PROT_READ | PROT_WRITE);
	char *hole = pages + ufd_psize;

	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, mprotect(hole, ufd_psize, PROT_NONE));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_hw_info(self->fd, self->idev_id, 1U << 1, 0, NULL, 0,
						 NULL));
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_hw_info(self->fd, self->idev_id, 1U << 31, 0, NULL, 0,
						 NULL));
	cmd.__reserved[1] = 1;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));

	UFD_EXPECT_ERRNO(ENOENT, ufd_hw_info(self->fd, 0, 0, 0, NULL, 0, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_hw_info(self->fd, self->ioas_id, 0, 0, NULL, 0, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_hw_info(self->fd, self->stdev_id, 0, 0, NULL, 0, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_hw_info(self->fd, self->hwpt_id, 0, 0, NULL, 0, NULL));

	/* A buffer the kernel cannot write... */
	UFD_EXPECT_ERRNO(EFAULT, ufd_hw_info(self->fd, self->idev_id, 0, 0, hole, 8, NULL));
	/* ...including a tail it has to clear. */
	UFD_EXPECT_ERRNO(EFAULT, ufd_hw_info(self->fd, self->idev_id, 0, 0,
					     hole - sizeof(struct iommu_test_hw_info),
					     sizeof(struct iommu_test_hw_info) + 8, NULL));
	/* A zero-length buffer is never touched. */
	ASSERT_EQ(0, ufd_hw_info(self->fd, self->idev_id, 0, 0, hole, 0, NULL));
	ASSERT_EQ(0, munmap(pages, 2 * ufd_psize));
}

TEST_F(device, get_hw_info_short_struct)
{
	struct iommu_hw_info cmd;
	size_t short_size = ufd_end_of(struct iommu_hw_info, __reserved);

	/* out_capabilities lies past a pre-capabilities caller's size. */
	memset(&cmd, 0xaa, sizeof(cmd));
	cmd.size = short_size;
	cmd.flags = 0;
	cmd.dev_id = self->idev_id;
	cmd.data_len = 0;
	cmd.data_uptr = 0;
	cmd.in_data_type = 0;
	cmd.out_max_pasid_log2 = 0;
	memset(cmd.__reserved, 0, sizeof(cmd.__reserved));
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, cmd.out_data_type);
	EXPECT_TRUE(ufd_all_bytes(&cmd.out_capabilities, 0xaa, sizeof(cmd.out_capabilities)));
}

TEST_F(device, device_capabilities)
{
	struct iommu_hw_info out;
	__u32 stdev, idev;

	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, MOCK_FLAGS_DEVICE_NO_DIRTY, &stdev,
				     NULL, &idev));
	ASSERT_EQ(0, ufd_hw_info(self->fd, idev, 0, 0, NULL, 0, &out));
	EXPECT_EQ(0, out.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev));

	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, MOCK_FLAGS_DEVICE_PASID, &stdev,
				     NULL, &idev));
	ASSERT_EQ(0, ufd_hw_info(self->fd, idev, 0, 0, NULL, 0, &out));
	EXPECT_EQ(MOCK_PASID_WIDTH, out.out_max_pasid_log2);
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev));
	/* Once its selftest object is gone the device is gone. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_hw_info(self->fd, idev, 0, 0, NULL, 0, &out));
}

TEST_F(device, check_map_errors)
{
	__u32 paging;

	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, 2 * ufd_psize,
				   MOCK_APERTURE_START));
	ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START + MOCK_PAGE_SIZE,
				   MOCK_PAGE_SIZE, (char *)ufd_buf + MOCK_PAGE_SIZE));
	/* Other memory, unmapped IOVA, or a range off the IOMMU page grid. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					       ufd_psize, (char *)ufd_buf + ufd_psize));
	UFD_EXPECT_ERRNO(EINVAL, ufd_check_map(self->fd, self->hwpt_id,
					       MOCK_APERTURE_START + 2 * ufd_psize, ufd_psize,
					       ufd_buf));
	UFD_EXPECT_ERRNO(EINVAL, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START + 1,
					       MOCK_PAGE_SIZE, ufd_buf));
	UFD_EXPECT_ERRNO(EINVAL, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					       MOCK_PAGE_SIZE + 1, ufd_buf));
	/* Only a paging HWPT of the mock driver can be checked. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_check_map(self->fd, self->ioas_id, MOCK_APERTURE_START,
					       ufd_psize, ufd_buf));
	UFD_EXPECT_ERRNO(ENOENT, ufd_check_map(self->fd, 0, MOCK_APERTURE_START, ufd_psize,
					       ufd_buf));
	/* After unmap the domain is empty again. */
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id, self->ioas_id, 0, &paging));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	UFD_EXPECT_ERRNO(EINVAL, ufd_check_map(self->fd, self->hwpt_id, MOCK_APERTURE_START,
					       ufd_psize, ufd_buf));
	UFD_EXPECT_ERRNO(EINVAL, ufd_check_map(self->fd, paging, MOCK_APERTURE_START, ufd_psize,
					       ufd_buf));
}

TEST_F(device, check_refs_errors)
{
	UFD_EXPECT_ERRNO(EINVAL, ufd_check_refs(self->fd, ufd_buf, ufd_psize + 1, 0));
	UFD_EXPECT_ERRNO(EINVAL, ufd_check_refs(self->fd, (char *)ufd_buf + 1, ufd_psize, 0));
	/* A wrong expectation is reported as EIO. */
	UFD_EXPECT_ERRNO(EIO, ufd_check_refs(self->fd, ufd_buf, ufd_psize, 1));
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
				   MOCK_APERTURE_START));
	UFD_EXPECT_ERRNO(EIO, ufd_check_refs(self->fd, ufd_buf, ufd_psize, 0));
	UFD_EXPECT_ERRNO(EIO, ufd_check_refs(self->fd, ufd_buf, ufd_psize, 2));
	/* Pins are per mapping, not per page. */
	ASSERT_EQ(0, ufd_map_fixed(self->fd, self->ioas_id, ufd_buf, ufd_psize,
				   MOCK_APERTURE_START + ufd_psize));
	ASSERT_EQ(0, ufd_check_refs(self->fd, ufd_buf, ufd_psize, 2));
}

/* Map every start/end pair on the mock page grid of an 8-page buffer. */
static void map_all_alignments(struct __test_metadata *_metadata, FIXTURE_DATA(device) *self,
			       bool file, bool churn)
{
	size_t size = 8 * ufd_psize;
	void *buf;
	int mfd = -1;
	size_t start, end;

	if (file) {
		mfd = ufd_memfd(size, &buf);
		ASSERT_LE(0, mfd);
	} else {
		buf = ufd_mmap(size, PROT_READ | PROT_WRITE);
		ASSERT_NE(MAP_FAILED, buf);
	}
	ASSERT_EQ(0, ufd_check_refs(self->fd, buf, size, 0));

	for (start = 0; start < size; start += MOCK_PAGE_SIZE) {
		for (end = start + MOCK_PAGE_SIZE; end < size; end += MOCK_PAGE_SIZE) {
			size_t first = start / ufd_psize * ufd_psize;
			size_t limit = (end + ufd_psize - 1) / ufd_psize * ufd_psize;
			__u32 stdev, hwpt;
			__u64 iova;

			if (file) {
				ASSERT_EQ(0, ufd_map_file(self->fd, self->ioas_id, mfd, start,
							  end - start, &iova, UFD_MAP_RW));
			} else {
				ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, (char *)buf + start,
						     end - start, &iova, UFD_MAP_RW));
			}
			ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, iova, end - start,
						   (char *)buf + start));
			/* Every CPU page the range touches is pinned once. */
			ASSERT_EQ(0, ufd_check_refs(self->fd, (char *)buf + first, limit - first,
						    1));
			if (churn) {
				/* A second domain comes and goes around the area. */
				ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->idev_id,
							    self->ioas_id, 0, &hwpt));
				ASSERT_EQ(0, ufd_mock_domain(self->fd, hwpt, 0, &stdev, NULL,
							     NULL));
				ASSERT_EQ(0, ufd_check_map(self->fd, hwpt, iova, end - start,
							   (char *)buf + start));
				ASSERT_EQ(0, ufd_check_refs(self->fd, (char *)buf + first,
							    limit - first, 1));
				ASSERT_EQ(0, ufd_destroy(self->fd, stdev));
				ASSERT_EQ(0, ufd_destroy(self->fd, hwpt));
			}
			ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, end - start, NULL));
		}
	}
	ASSERT_EQ(0, ufd_check_refs(self->fd, buf, size, 0));
	ASSERT_EQ(0, munmap(buf, size));
	if (mfd >= 0)
		close(mfd);
}

TEST_F(device, all_alignments)
{
	map_all_alignments(_metadata, self, false, false);
}

TEST_F(device, all_alignments_file)
{
	map_all_alignments(_metadata, self, true, false);
}

TEST_F(device, all_alignments_domain_churn)
{
	map_all_alignments(_metadata, self, false, true);
}

TEST_F(device, private_file_mapping_read_only)
{
	char *mem;
	__u64 iova;
	int exe;

	/* A private file page mapped for reading must not move when written. */
	exe = open("/proc/self/exe", O_RDONLY);
	ASSERT_LE(0, exe);
	mem = mmap(NULL, ufd_psize, PROT_READ | PROT_WRITE, MAP_PRIVATE, exe, 0);
	ASSERT_NE(MAP_FAILED, mem);
	close(exe);

	ASSERT_EQ(0, ufd_map(self->fd, self->ioas_id, mem, ufd_psize, &iova,
			     IOMMU_IOAS_MAP_READABLE));
	ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, iova, ufd_psize, mem));
	memset(mem, 1, ufd_psize);
	ASSERT_EQ(0, ufd_check_map(self->fd, self->hwpt_id, iova, ufd_psize, mem));
	ASSERT_EQ(0, ufd_unmap(self->fd, self->ioas_id, iova, ufd_psize, NULL));
	ASSERT_EQ(0, munmap(mem, ufd_psize));
}

TEST_HARNESS_MAIN
