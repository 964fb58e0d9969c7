// SPDX-License-Identifier: GPL-2.0
/*
 * AMD IOMMU bring-up and the event log (upstream's init.c and the event
 * half of iommu.c).
 *
 * amd_iommu_init(): EFR and EFR2 are read once and decide everything
 * else (iommu_init_features()). The device table covers every DeviceID
 * and starts with V and TV set in each entry, so a device nobody attached
 * is blocked, not passed through (upstream's init_device_table_dma()).
 * early_enable_iommu() follows upstream's order: the IOMMU is turned off
 * if it was on, the device table, command buffer and event log bases are
 * latched while their enables are clear, GT is enabled when the IOMMU
 * has it, IommuEn is set, and then every cache the IOMMU may hold is
 * flushed (amd_iommu_flush_all_caches()), since nothing says it dropped
 * them when it was last disabled. The PPR log comes up after that
 * (ppr.cc), as upstream enables it late.
 *
 * Events: the IOMMU's one MSI carries a cause; the platform turns it into
 * amd_iommu_int_handler(), which wakes the event thread. The thread
 * acknowledges the Status bits first (a record arriving after that raises
 * the interrupt again), consumes the log between head and tail, and
 * restarts a log the IOMMU stopped on overflow (upstream's
 * amd_iommu_restart_event_logging()).
 */
#include "drivers/amd/amd_iommu.h"

#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/slab.h"

#include <mutex>
#include <vector>

/* ----- IOMMUs by fwnode ----- */

static std::mutex amd_iommus_lock;
static std::vector<struct amd_iommu *> amd_iommus;
static std::atomic<int> amd_iommu_next_index;

struct amd_iommu *rlookup_amd_iommu_fwnode(const void *fwnode)
{
	std::lock_guard<std::mutex> l(amd_iommus_lock);

	for (struct amd_iommu *iommu : amd_iommus)
		if (iommu->iommu.fwnode == fwnode)
			return iommu;
	return NULL;
}

struct amd_iommu *get_amd_iommu_from_devid(u16 devid)
{
	std::lock_guard<std::mutex> l(amd_iommus_lock);

	for (struct amd_iommu *iommu : amd_iommus)
		if (iommu->devid == devid)
			return iommu;
	return NULL;
}

int amd_iommu_register(struct amd_iommu *iommu, const void *fwnode)
{
	int ret;

	iommu->iommu.fwnode = fwnode;
	/* PASIDs need guest (v2) translation; the GCR3 table takes 18 bits */
	iommu->iommu.max_pasids =
		check_feature(iommu, FEATURE_GT)
			? 1U << std::min<u32>(FIELD_GET(FEATURE_PASMAX, iommu->features) + 1, 18)
			: 0;
	{
		std::lock_guard<std::mutex> l(amd_iommus_lock);
		amd_iommus.push_back(iommu);
	}
	ret = iommu_device_register(&iommu->iommu, &amd_iommu_ops, NULL);
	if (ret) {
		std::lock_guard<std::mutex> l(amd_iommus_lock);
		std::erase(amd_iommus, iommu);
	}
	return ret;
}

void amd_iommu_unregister(struct amd_iommu *iommu)
{
	iommu_device_unregister(&iommu->iommu);
	std::lock_guard<std::mutex> l(amd_iommus_lock);
	std::erase(amd_iommus, iommu);
}

/* ----- Control register ----- */

void iommu_feature_enable(struct amd_iommu *iommu, u8 bit)
{
	u64 ctrl = readq(iommu->mmio_base + MMIO_CONTROL_OFFSET);

	writeq(ctrl | BIT_ULL(bit), iommu->mmio_base + MMIO_CONTROL_OFFSET);
}

void iommu_feature_disable(struct amd_iommu *iommu, u8 bit)
{
	u64 ctrl = readq(iommu->mmio_base + MMIO_CONTROL_OFFSET);

	writeq(ctrl & ~BIT_ULL(bit), iommu->mmio_base + MMIO_CONTROL_OFFSET);
}

static void iommu_disable(struct amd_iommu *iommu)
{
	/* Rings first, then translation: nothing runs on a half-torn state */
	iommu_feature_disable(iommu, CONTROL_CMDBUF_EN);
	iommu_feature_disable(iommu, CONTROL_EVT_INT_EN);
	iommu_feature_disable(iommu, CONTROL_EVT_LOG_EN);
	iommu_feature_disable(iommu, CONTROL_PPRINT_EN);
	iommu_feature_disable(iommu, CONTROL_PPRLOG_EN);
	iommu_feature_disable(iommu, CONTROL_PPR_EN);
	iommu_feature_disable(iommu, CONTROL_GT_EN);
	iommu_feature_disable(iommu, CONTROL_IOMMU_EN);
}

/* ----- Tables and rings ----- */

static int iommu_init_device_table(struct amd_iommu *iommu)
{
	iommu->dev_table = (struct dev_table_entry *)iommu_alloc_pages_sz(GFP_KERNEL,
									 DEV_TABLE_SIZE);
	if (!iommu->dev_table)
		return -ENOMEM;
	/* Every DeviceID blocked until its device is attached */
	for (unsigned int devid = 0; devid < DEV_TABLE_SIZE / DEV_TABLE_ENTRY_SIZE; devid++)
		iommu->dev_table[devid].data[0] = DTE_FLAG_V | DTE_FLAG_TV;
	return 0;
}

static void iommu_set_device_table(struct amd_iommu *iommu)
{
	u64 entry = virt_to_phys(iommu->dev_table);

	entry |= (DEV_TABLE_SIZE >> 12) - 1;
	writeq(entry, iommu->mmio_base + MMIO_DEV_TABLE_OFFSET);
}

static int alloc_command_buffer(struct amd_iommu *iommu)
{
	iommu->cmd_buf = (u8 *)iommu_alloc_pages_sz(GFP_KERNEL, CMD_BUFFER_SIZE);
	iommu->cmd_sem = (u64 *)iommu_alloc_pages_sz(GFP_KERNEL, PAGE_SIZE);
	if (!iommu->cmd_buf || !iommu->cmd_sem)
		return -ENOMEM;
	return 0;
}

static void iommu_enable_command_buffer(struct amd_iommu *iommu)
{
	u64 entry = virt_to_phys(iommu->cmd_buf) | MMIO_CMD_SIZE_512;

	writeq(entry, iommu->mmio_base + MMIO_CMD_BUF_OFFSET);
	/* Head and tail are writable only while the ring is stopped: reset now */
	writeq(0, iommu->mmio_base + MMIO_CMD_HEAD_OFFSET);
	writeq(0, iommu->mmio_base + MMIO_CMD_TAIL_OFFSET);
	iommu->cmd_buf_tail = 0;
	iommu_feature_enable(iommu, CONTROL_CMDBUF_EN);
}

static int alloc_event_buffer(struct amd_iommu *iommu)
{
	iommu->evt_buf = (u8 *)iommu_alloc_pages_sz(GFP_KERNEL, EVT_BUFFER_SIZE);
	return iommu->evt_buf ? 0 : -ENOMEM;
}

static void iommu_enable_event_buffer(struct amd_iommu *iommu)
{
	u64 entry = virt_to_phys(iommu->evt_buf) | EVT_LEN_MASK;

	writeq(entry, iommu->mmio_base + MMIO_EVT_BUF_OFFSET);
	writeq(0, iommu->mmio_base + MMIO_EVT_HEAD_OFFSET);
	writeq(0, iommu->mmio_base + MMIO_EVT_TAIL_OFFSET);
	iommu_feature_enable(iommu, CONTROL_EVT_LOG_EN);
}

/* A log the IOMMU stopped on overflow runs again after EventLogEn 1 -> 0 -> 1. */
static void amd_iommu_restart_event_logging(struct amd_iommu *iommu)
{
	iommu_feature_disable(iommu, CONTROL_EVT_LOG_EN);
	writeq(MMIO_STATUS_EVT_OVERFLOW_MASK, iommu->mmio_base + MMIO_STATUS_OFFSET);
	iommu_feature_enable(iommu, CONTROL_EVT_LOG_EN);
}

/* ----- Events ----- */

static void amd_iommu_fault_log_add(struct amd_iommu *iommu, const struct amd_iommu_fault *f)
{
	guard(spinlock)(&iommu->fault_log_lock);
	iommu->fault_log[iommu->fault_log_next++ % AMD_IOMMU_FAULT_LOG_LEN] = *f;
}

void amd_iommu_fault_log_get(struct amd_iommu *iommu, struct amd_iommu_fault *last,
			     unsigned long *count)
{
	guard(spinlock)(&iommu->fault_log_lock);
	*count = iommu->fault_log_next;
	if (last && iommu->fault_log_next)
		*last = iommu->fault_log[(iommu->fault_log_next - 1) % AMD_IOMMU_FAULT_LOG_LEN];
}

static const char *event_name(unsigned int type)
{
	switch (type) {
	case EVENT_TYPE_ILL_DEV: return "ILLEGAL_DEV_TABLE_ENTRY";
	case EVENT_TYPE_IO_FAULT: return "IO_PAGE_FAULT";
	case EVENT_TYPE_DEV_TAB_ERR: return "DEV_TAB_HARDWARE_ERROR";
	case EVENT_TYPE_PAGE_TAB_ERR: return "PAGE_TAB_HARDWARE_ERROR";
	case EVENT_TYPE_ILL_CMD: return "ILLEGAL_COMMAND_ERROR";
	case EVENT_TYPE_CMD_HARD_ERR: return "COMMAND_HARDWARE_ERROR";
	case EVENT_TYPE_IOTLB_INV_TO: return "IOTLB_INV_TIMEOUT";
	case EVENT_TYPE_INV_DEV_REQ: return "INVALID_DEVICE_REQUEST";
	case EVENT_TYPE_INV_PPR_REQ: return "INVALID_PPR_REQUEST";
	default: return "UNKNOWN";
	}
}

static void iommu_print_event(struct amd_iommu *iommu, const struct amd_iommu_event *ev)
{
	struct amd_iommu_fault f = {};
	unsigned int type = (ev->data[1] >> EVENT_TYPE_SHIFT) & EVENT_TYPE_MASK;
	const char *name = event_name(type);

	f.type = type;
	f.devid = (ev->data[0] >> EVENT_DEVID_SHIFT) & EVENT_DEVID_MASK;
	f.flags = (ev->data[1] >> EVENT_FLAGS_SHIFT) & EVENT_FLAGS_MASK;
	f.domid_or_pasid = (ev->data[1] & EVENT_DOMID_MASK_LO) | (ev->data[0] & EVENT_DOMID_MASK_HI);
	f.address = ((u64)ev->data[3] << 32) | ev->data[2];
	iommu->nr_events++;
	if (type == EVENT_TYPE_ILL_CMD || type == EVENT_TYPE_CMD_HARD_ERR)
		iommu->nr_cmd_errors++;
	amd_iommu_fault_log_add(iommu, &f);
	if (!iommu->quiet_faults)
		amd_iommu_err(iommu, "Event logged [%s device=%02x:%02x.%x domain=0x%04x address=0x%llx flags=0x%04x]",
			      name, f.devid >> 8, (f.devid >> 3) & 0x1f, f.devid & 7,
			      f.domid_or_pasid, (unsigned long long)f.address, f.flags);
}

static void iommu_poll_events(struct amd_iommu *iommu)
{
	u32 head, tail;

	head = readl(iommu->mmio_base + MMIO_EVT_HEAD_OFFSET);
	tail = readl(iommu->mmio_base + MMIO_EVT_TAIL_OFFSET);
	while (head != tail) {
		struct amd_iommu_event ev;

		memcpy(&ev, iommu->evt_buf + head, sizeof(ev));
		iommu_print_event(iommu, &ev);
		head = (head + EVENT_ENTRY_SIZE) % EVT_BUFFER_SIZE;
	}
	writel(head, iommu->mmio_base + MMIO_EVT_HEAD_OFFSET);
}

void amd_iommu_poll_logs(struct amd_iommu *iommu)
{
	u64 status;

	guard(mutex)(&iommu->evt_lock);
	status = readq(iommu->mmio_base + MMIO_STATUS_OFFSET);
	/* Acknowledge first: a record after this raises the interrupt again */
	writeq(status & (MMIO_STATUS_EVT_INT_MASK | MMIO_STATUS_PPR_INT_MASK |
			 MMIO_STATUS_COM_WAIT_INT_MASK),
	       iommu->mmio_base + MMIO_STATUS_OFFSET);
	iommu_poll_events(iommu);
	amd_iommu_poll_ppr_log(iommu);
	if (status & MMIO_STATUS_EVT_OVERFLOW_MASK) {
		amd_iommu_err(iommu, "Event log overflow: restarting it");
		amd_iommu_restart_event_logging(iommu);
	}
}

static void amd_iommu_evt_thread_fn(struct amd_iommu *iommu)
{
	for (;;) {
		wait_event(iommu->evt_wq, iommu->irq_pending.load() || iommu->evt_stop.load());
		if (iommu->evt_stop.load())
			return;
		iommu->irq_pending.exchange(0);
		amd_iommu_poll_logs(iommu);
	}
}

void amd_iommu_int_handler(struct amd_iommu *iommu, enum amd_iommu_irq_src src)
{
	iommu->irq_pending.fetch_or(BIT(src));
	wake_up(&iommu->evt_wq);
}

/* ----- Bring-up ----- */

static void iommu_enable_gt(struct amd_iommu *iommu)
{
	if (check_feature(iommu, FEATURE_GT))
		iommu_feature_enable(iommu, CONTROL_GT_EN);
}

static void early_enable_iommu(struct amd_iommu *iommu)
{
	iommu_disable(iommu);
	iommu_feature_enable(iommu, CONTROL_COHERENT_EN);
	iommu_set_device_table(iommu);
	iommu_enable_command_buffer(iommu);
	iommu_enable_event_buffer(iommu);
	iommu_enable_gt(iommu);
	iommu_feature_enable(iommu, CONTROL_IOMMU_EN);
	amd_iommu_flush_all_caches(iommu);
}

static void iommu_init_features(struct amd_iommu *iommu)
{
	iommu->features = readq(iommu->mmio_base + MMIO_EXT_FEATURES);
	iommu->features2 = readq(iommu->mmio_base + MMIO_EXT_FEATURES2);
}

static void amd_iommu_free(struct amd_iommu *iommu)
{
	if (iommu->evt_thread) {
		iommu->evt_stop = true;
		wake_up(&iommu->evt_wq);
		iommu->evt_thread->join();
		delete iommu->evt_thread;
	}
	amd_iommu_free_ppr_log(iommu);
	iommu_free_pages(iommu->evt_buf);
	iommu_free_pages(iommu->cmd_sem);
	iommu_free_pages(iommu->cmd_buf);
	iommu_free_pages(iommu->dev_table);
	xa_destroy(&iommu->devices);
	kfree(iommu->name);
	delete iommu;
}

struct amd_iommu *amd_iommu_init(void __iomem *mmio, u16 devid, const char *name)
{
	struct amd_iommu *iommu;
	int ret;

	iommu = new (std::nothrow) amd_iommu();
	if (!iommu)
		return (struct amd_iommu *)ERR_PTR(-ENOMEM);
	iommu->mmio_base = (u8 __iomem *)mmio;
	iommu->devid = devid;
	iommu->index = amd_iommu_next_index++;
	iommu->name = kstrdup(name, GFP_KERNEL);
	spin_lock_init(&iommu->lock);
	spin_lock_init(&iommu->dev_table_lock);
	spin_lock_init(&iommu->fault_log_lock);
	mutex_init(&iommu->devices_lock);
	mutex_init(&iommu->evt_lock);
	init_waitqueue_head(&iommu->evt_wq);
	xa_init(&iommu->devices);
	if (!iommu->name) {
		ret = -ENOMEM;
		goto err;
	}

	iommu_init_features(iommu);
	ret = iommu_init_device_table(iommu);
	if (!ret)
		ret = alloc_command_buffer(iommu);
	if (!ret)
		ret = alloc_event_buffer(iommu);
	if (!ret && check_feature(iommu, FEATURE_PPR))
		ret = amd_iommu_alloc_ppr_log(iommu);
	if (ret)
		goto err;

	early_enable_iommu(iommu);
	if (!(readq(iommu->mmio_base + MMIO_STATUS_OFFSET) & MMIO_STATUS_CMDBUF_RUN_MASK)) {
		amd_iommu_err(iommu, "command buffer did not start");
		ret = -ENODEV;
		goto err_disable;
	}
	amd_iommu_enable_ppr_log(iommu);

	iommu->evt_thread = new (std::nothrow) std::thread(amd_iommu_evt_thread_fn, iommu);
	if (!iommu->evt_thread) {
		ret = -ENOMEM;
		goto err_disable;
	}
	/* Event interrupts on; anything logged while coming up is handled first */
	iommu_feature_enable(iommu, CONTROL_EVT_INT_EN);
	amd_iommu_poll_logs(iommu);
	return iommu;

err_disable:
	iommu_disable(iommu);
err:
	amd_iommu_free(iommu);
	return (struct amd_iommu *)ERR_PTR(ret);
}

void amd_iommu_remove(struct amd_iommu *iommu)
{
	amd_iommu_viommu_teardown(iommu);
	iommu_disable(iommu);
	amd_iommu_free(iommu);
}
