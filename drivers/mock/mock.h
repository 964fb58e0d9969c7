/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mock ("selftest") IOMMU driver, shared between its two halves:
 *   mock_iommu.cc  the driver: iommu_ops, domains and their page table,
 *                  mock devices on the mock bus
 *   selftest.cc    IOMMU_TEST_CMD (iommufd_test()) and the selftest object
 *
 * The mock page table is a real one, as upstream's mock after its move to
 * generic page tables: AMD v1 entries in fake physical memory
 * (drivers/generic_pt), built and torn down by the library's map/unmap,
 * walked by the hardware walker when a platform function does DMA
 * (mock_platform.cc). MOCK_IOMMUPT_DEFAULT and MOCK_IOMMUPT_HUGE domains
 * use the mock variant of the format (PT_FMT_AMDV1_MOCK: a MOCK_PAGE_SIZE
 * = 2 KiB granule, so MOCK_HUGE_PAGE_SIZE is the 1 MiB level-1 item),
 * MOCK_IOMMUPT_AMDV1 the real one. Leaf sizes, write-dirty state (the
 * entries' D bit) and the refusal to unmap from inside a leaf all come
 * from the format. Domains that still map anything when freed are a leak
 * the driver reports.
 */
#pragma once

#include "core/iommufd_private.h"
#include "drivers/generic_pt/iommu_pt.h"

#include <linux/iommufd_test.h>

enum {
	/* mock_iommu_domain::flags */
	MOCK_DIRTY_TRACK = 1 << 0,
};

/*
 * Bit 1 of the device flags was MOCK_FLAGS_DEVICE_HUGE_IOVA in older
 * selftest ABIs (v6.12 has it): only a device created with it gets
 * MOCK_HUGE_PAGE_SIZE leaves in its MOCK_IOMMUPT_DEFAULT domains. Newer
 * selftests ask for huge leaves with MOCK_IOMMUPT_HUGE instead.
 */
#define MOCK_FLAGS_DEVICE_LEGACY_HUGE_IOVA (1UL << 1)

struct mock_iommu_domain {
	/* The generic page table embeds the domain: one object, two views. */
	union {
		struct iommu_domain domain;
		struct pt_iommu pt;
	};
	unsigned long flags;
	/* MOCK_IOMMUPT_* this domain was created with */
	u32 pagetable_type;
};
static_assert(offsetof(struct pt_iommu, domain) == 0);

static inline struct mock_iommu_domain *to_mock_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_iommu_domain, domain);
}

/* A device on the mock bus, behind the mock IOMMU. */
struct mock_dev {
	struct device dev;
	unsigned long flags;		/* MOCK_FLAGS_DEVICE_* */
	int id;
	/* The domain the RID is attached to (driver's view), under the group mutex */
	struct iommu_domain *domain;
	/* IOMMU_TEST_PASID_RESERVED: fail every second attach */
	atomic_t pasid_1024_fake_error;
	/* Second core issue: vIOMMU the device sits under, and its virtual ID */
	struct rw_semaphore viommu_rwsem;
	void *viommu;
	unsigned long vdev_id;
	u32 cache[MOCK_DEV_CACHE_NUM];
};

static inline struct mock_dev *to_mock_dev(struct device *dev)
{
	return container_of(dev, struct mock_dev, dev);
}

extern const struct iommu_ops mock_ops;

/* mock_dirty.cc: dirty bits of the mock page table, IOMMU_TEST_OP_DIRTY */
extern const struct iommu_dirty_ops mock_dirty_ops;
int iommufd_test_dirty(struct iommufd_ucmd *ucmd, unsigned int mockpt_id, unsigned long iova,
		       size_t length, unsigned long page_size, void __user *uptr, u32 flags);

/* selftest.cc: the paging HWPT @mockpt_id if the mock made its domain, with a reference */
struct iommufd_hw_pagetable *get_md_pagetable(struct iommufd_ucmd *ucmd, u32 mockpt_id,
					      struct mock_iommu_domain **mock);

/* mock_iommu.cc: attach ops shared by every mock domain type */
int mock_domain_nop_attach(struct iommu_domain *domain, struct device *dev,
			   struct iommu_domain *old);
int mock_domain_set_dev_pasid_nop(struct iommu_domain *domain, struct device *dev,
				  ioasid_t pasid, struct iommu_domain *old);

/*
 * mock_nested.cc: nested domains (a mock IOTLB of MOCK_NESTED_DOMAIN_IOTLB_NUM
 * entries, reset by invalidation), the mock vIOMMU (device cache
 * invalidation by virtual ID, an mmap-able MMIO page, HW queues).
 */
struct mock_hw_queue;

struct mock_viommu {
	struct iommufd_viommu core;
	struct mock_iommu_domain *s2_parent;
	/* Guards @hw_queue */
	struct mutex queue_mutex;
	struct mock_hw_queue *hw_queue[IOMMU_TEST_HW_QUEUE_MAX];
	/* The fake MMIO page pair userspace can mmap, if it asked for one */
	unsigned long mmap_offset;
	u32 *page;
};

static inline struct mock_viommu *to_mock_viommu(struct iommufd_viommu *viommu)
{
	return container_of(viommu, struct mock_viommu, core);
}

struct iommu_domain *mock_domain_alloc_nested(struct device *dev, struct iommu_domain *parent,
					      u32 flags, const struct iommu_user_data *user_data);
size_t mock_get_viommu_size(struct device *dev, u32 viommu_type);
int mock_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent_domain,
		     const struct iommu_user_data *user_data);
/* Attach: record the vIOMMU and virtual ID @domain puts the device under. */
int mock_dev_follow_viommu(struct mock_dev *mdev, struct iommu_domain *domain);
int iommufd_test_md_check_iotlb(struct iommufd_ucmd *ucmd, u32 mockpt_id,
				unsigned int iotlb_id, u32 iotlb);

/* mock_events.cc: IOMMU_TEST_OP_TRIGGER_IOPF, IOMMU_TEST_OP_TRIGGER_VEVENT */
int iommufd_test_trigger_iopf(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd);
int iommufd_test_trigger_vevent(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd);

/* mock_dmabuf.cc: the mock dma-buf exporter, IOMMU_TEST_OP_DMABUF_* and MD_CHECK_DMABUF */
int iommufd_test_dmabuf_get(struct iommufd_ucmd *ucmd, unsigned int open_flags, size_t len);
int iommufd_test_dmabuf_revoke(struct iommufd_ucmd *ucmd, int fd, bool revoked);
int iommufd_test_md_check_dmabuf(struct iommufd_ucmd *ucmd, unsigned int mockpt_id,
				 int dmabuf_fd, unsigned long iova, size_t length,
				 unsigned long offset);

/* Registers the mock bus IOMMU instance; idempotent. */
int mock_iommu_init(void);
void mock_iommu_exit(void);

/* A new mock device, added to the mock bus (probed by the mock IOMMU). */
struct mock_dev *mock_dev_create(unsigned long dev_flags);
void mock_dev_destroy(struct mock_dev *mdev);

/*
 * mock_platform.cc: the "mock" platform IOMMU kind (PCI functions of a
 * platform description behind mock instances). mock_platform_probe() is
 * the probe for those devices, -ENODEV for any other.
 */
struct platform_iommu;
struct iommu_device *mock_platform_probe(struct device *dev);
/* DMA the instance refused so far. */
unsigned long mock_platform_faults(struct platform_iommu *piommu);
/*
 * mock_ops.page_response: a page request the mock sent for a platform
 * function is answered; the function is told (pci_pri.h). Nothing for the
 * mock bus's devices, which have no hardware to tell.
 */
struct iopf_fault;
struct iommu_page_response;
void mock_platform_page_response(struct device *dev, struct iopf_fault *evt,
				 struct iommu_page_response *msg);
/* mock_nested.cc: the stage-2 parent a mock nested domain translates through. */
struct iommu_domain *mock_nested_parent_domain(struct iommu_domain *nested);

/* Number of mock devices alive, for leak checks. */
long mock_dev_count(void);
