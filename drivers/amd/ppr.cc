// SPDX-License-Identifier: GPL-2.0
/*
 * The PPR log (upstream's ppr.c): PRI page requests of devices with
 * DTE.PPR set arrive as PAGE_SERVICE_REQUEST records; each becomes an
 * IOMMU_FAULT_PAGE_REQ for the IOPF core, and the core's answer goes back
 * to the device as COMPLETE_PPR_REQUEST (amd_iommu_page_response()).
 *
 * The log has no last-in-group flag, so every record is reported as the
 * last of its group. A record of an unknown DeviceID, or of a type the
 * driver does not know, is answered INVALID at once so the device does
 * not wait for ever.
 */
#include "drivers/amd/amd_iommu.h"

#include "core/io_pgfault.h"
#include "harness/io.h"
#include "harness/physmem.h"

int amd_iommu_alloc_ppr_log(struct amd_iommu *iommu)
{
	iommu->ppr_log = (u8 *)iommu_alloc_pages_sz(GFP_KERNEL, PPR_LOG_SIZE);
	return iommu->ppr_log ? 0 : -ENOMEM;
}

void amd_iommu_free_ppr_log(struct amd_iommu *iommu)
{
	iommu_free_pages(iommu->ppr_log);
	iommu->ppr_log = NULL;
}

void amd_iommu_enable_ppr_log(struct amd_iommu *iommu)
{
	if (!iommu->ppr_log)
		return;
	writeq(virt_to_phys(iommu->ppr_log) | PPR_LOG_SIZE_512,
	       iommu->mmio_base + MMIO_PPR_LOG_OFFSET);
	writeq(0, iommu->mmio_base + MMIO_PPR_HEAD_OFFSET);
	writeq(0, iommu->mmio_base + MMIO_PPR_TAIL_OFFSET);
	iommu_feature_enable(iommu, CONTROL_PPRLOG_EN);
	iommu_feature_enable(iommu, CONTROL_PPR_EN);
	iommu_feature_enable(iommu, CONTROL_PPRINT_EN);
}

static void build_complete_ppr(struct iommu_cmd *cmd, u16 devid, u32 pasid, int status,
			       int tag, bool gn)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->data[0] = devid;
	if (gn) {
		cmd->data[1] = pasid;
		cmd->data[2] = CMD_INV_IOMMU_PAGES_GN_MASK;
	}
	cmd->data[3] = (tag & 0x1ff) | ((status & PPR_STATUS_MASK) << PPR_STATUS_SHIFT);
	CMD_SET_TYPE(cmd, CMD_COMPLETE_PPR);
}

void amd_iommu_complete_ppr(struct amd_iommu *iommu, u16 devid, u32 pasid, int status, int tag,
			    bool gn)
{
	struct iommu_cmd cmd;

	build_complete_ppr(&cmd, devid, pasid, status, tag, gn);
	iommu_queue_command(iommu, &cmd);
	iommu_completion_wait(iommu);
}

static u32 ppr_flag_to_fault_perm(u16 flag)
{
	u32 perm = 0;

	if (flag & PPR_FLAG_READ)
		perm |= IOMMU_FAULT_PERM_READ;
	if (flag & PPR_FLAG_WRITE)
		perm |= IOMMU_FAULT_PERM_WRITE;
	if (flag & PPR_FLAG_EXEC)
		perm |= IOMMU_FAULT_PERM_EXEC;
	if (!(flag & PPR_FLAG_US))
		perm |= IOMMU_FAULT_PERM_PRIV;
	return perm;
}

static void iommu_call_iopf_notifier(struct amd_iommu *iommu, const u64 *raw)
{
	struct iommu_dev_data *dev_data;
	struct iopf_fault event = {};
	u16 devid = PPR_DEVID(raw[0]);
	u16 flags = PPR_FLAGS(raw[0]);
	bool gn = flags & PPR_FLAG_GN;

	iommu->nr_ppr++;
	if (PPR_REQ_TYPE(raw[0]) != PPR_REQ_FAULT) {
		amd_iommu_err(iommu, "Unknown PPR request received");
		return;
	}
	dev_data = search_dev_data(iommu, devid);
	if (!dev_data || !dev_data->ppr) {
		amd_iommu_complete_ppr(iommu, devid, PPR_PASID(raw[0]), PPR_INVALID,
				       PPR_TAG(raw[0]), gn);
		return;
	}
	event.fault.type = IOMMU_FAULT_PAGE_REQ;
	event.fault.prm.perm = ppr_flag_to_fault_perm(flags);
	event.fault.prm.addr = raw[1] & PAGE_MASK;
	event.fault.prm.grpid = PPR_TAG(raw[0]) & 0x1ff;
	event.fault.prm.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (gn) {
		event.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
		event.fault.prm.pasid = PPR_PASID(raw[0]);
	}
	iommu_report_device_fault(dev_data->dev, &event);
}

void amd_iommu_poll_ppr_log(struct amd_iommu *iommu)
{
	u32 head, tail;

	if (!iommu->ppr_log)
		return;
	head = readl(iommu->mmio_base + MMIO_PPR_HEAD_OFFSET);
	tail = readl(iommu->mmio_base + MMIO_PPR_TAIL_OFFSET);
	while (head != tail) {
		u64 raw[2];

		memcpy(raw, iommu->ppr_log + head, sizeof(raw));
		/* Consume before handling: the response may raise the next request */
		head = (head + PPR_ENTRY_SIZE) % PPR_LOG_SIZE;
		writel(head, iommu->mmio_base + MMIO_PPR_HEAD_OFFSET);
		iommu_call_iopf_notifier(iommu, raw);
		tail = readl(iommu->mmio_base + MMIO_PPR_TAIL_OFFSET);
	}
	if (readq(iommu->mmio_base + MMIO_STATUS_OFFSET) & MMIO_STATUS_PPR_OVERFLOW_MASK) {
		amd_iommu_err(iommu, "PPR log overflow: restarting it");
		iommu_feature_disable(iommu, CONTROL_PPRLOG_EN);
		writeq(MMIO_STATUS_PPR_OVERFLOW_MASK, iommu->mmio_base + MMIO_STATUS_OFFSET);
		iommu_feature_enable(iommu, CONTROL_PPRLOG_EN);
	}
}

/*
 * Whatever the log holds is handled now, and a handler the interrupt
 * thread is running has returned: both consume under evt_lock.
 */
void amd_iommu_drain_ppr_log(struct amd_iommu *iommu)
{
	guard(mutex)(&iommu->evt_lock);
	amd_iommu_poll_ppr_log(iommu);
}

void amd_iommu_page_response(struct device *dev, struct iopf_fault *evt,
			     struct iommu_page_response *resp)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	const struct iommu_fault_page_request *prm = &evt->fault.prm;
	int status;

	if (!dev_data)
		return;
	switch (resp->code) {
	case IOMMU_PAGE_RESP_SUCCESS:
		status = PPR_SUCCESS;
		break;
	case IOMMU_PAGE_RESP_INVALID:
		status = PPR_INVALID;
		break;
	default:
		status = PPR_FAILURE;
		break;
	}
	amd_iommu_complete_ppr(dev_data->iommu, dev_data->devid, resp->pasid, status, prm->grpid,
			       prm->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID);
}
