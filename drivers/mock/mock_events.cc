// SPDX-License-Identifier: GPL-2.0
/*
 * Mock driver: the event sources. IOMMU_TEST_OP_TRIGGER_IOPF makes a mock
 * device raise a page request as a PRI-capable device would, through the
 * IOMMU layer's iommu_report_device_fault(); IOMMU_TEST_OP_TRIGGER_VEVENT
 * makes the mock vIOMMU report an event for the device's vDEVICE through
 * iommufd_viommu_report_event(), as a vIOMMU driver forwards hardware
 * events. Both follow selftest.c upstream.
 */
#include "drivers/mock/mock.h"
#include "core/eventq.h"

int iommufd_test_trigger_iopf(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct iopf_fault event = {};
	struct iommufd_device *idev;

	idev = iommufd_get_device(ucmd, cmd->trigger_iopf.dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	event.fault.type = IOMMU_FAULT_PAGE_REQ;
	event.fault.prm.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (cmd->trigger_iopf.pasid != IOMMU_NO_PASID)
		event.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	event.fault.prm.addr = cmd->trigger_iopf.addr;
	event.fault.prm.pasid = cmd->trigger_iopf.pasid;
	event.fault.prm.grpid = cmd->trigger_iopf.grpid;
	event.fault.prm.perm = cmd->trigger_iopf.perm;

	iommu_report_device_fault(idev->dev, &event);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return 0;
}

int iommufd_test_trigger_vevent(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct iommu_viommu_event_selftest test = {};
	struct iommufd_device *idev;
	struct mock_viommu *viommu;
	struct mock_dev *mdev;
	int rc = -ENOENT;

	idev = iommufd_get_device(ucmd, cmd->trigger_vevent.dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	/* Only mock devices have a mock vIOMMU to report through. */
	if (!iommufd_selftest_is_mock_dev(idev->dev)) {
		iommufd_put_object(ucmd->ictx, &idev->obj);
		return -EINVAL;
	}
	mdev = to_mock_dev(idev->dev);

	down_read(&mdev->viommu_rwsem);
	viommu = (struct mock_viommu *)mdev->viommu;
	if (!viommu || !mdev->vdev_id)
		goto out_unlock;
	test.virt_id = (u32)mdev->vdev_id;
	rc = iommufd_viommu_report_event(&viommu->core, IOMMU_VEVENTQ_TYPE_SELFTEST, &test,
					 sizeof(test));
out_unlock:
	up_read(&mdev->viommu_rwsem);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
