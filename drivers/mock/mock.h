/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mock ("selftest") IOMMU driver, shared between its two halves:
 *   mock_iommu.cc  the driver: iommu_ops, domains and their page table,
 *                  mock devices on the mock bus
 *   selftest.cc    IOMMU_TEST_CMD (iommufd_test()) and the selftest object
 *
 * The mock page table. A mock paging domain translates in MOCK_PAGE_SIZE
 * (PAGE_SIZE / 2) units: pfns[iova / MOCK_PAGE_SIZE] holds an xa_value
 * with the physical address in MOCK_PAGE_SIZE units and flags. A mapping
 * of a larger page size is stored in every MOCK_PAGE_SIZE slot it covers,
 * each slot knowing the order of its leaf and whether it is the leaf's
 * head, so unmaps that cut a leaf (an iommufd bug: unmaps must cover whole
 * maps) are caught. The xarray is the page table's only memory; domains
 * that still map anything when freed are a leak the driver reports.
 */
#pragma once

#include "core/iommufd_private.h"

#include <linux/iommufd_test.h>

/* Layout of a pfns entry (the argument of xa_mk_value()). */
enum {
	MOCK_PFN_BITS = 48,
	MOCK_PFN_ORDER_SHIFT = MOCK_PFN_BITS,	/* log2(leaf / MOCK_PAGE_SIZE), 6 bits */
};
#define MOCK_PFN_MASK		((1UL << MOCK_PFN_BITS) - 1)
#define MOCK_PFN_ORDER_MASK	(0x3fUL << MOCK_PFN_ORDER_SHIFT)
#define MOCK_PFN_LEAF_HEAD	(1UL << 54)	/* first slot of its leaf */
#define MOCK_PFN_DIRTY		(1UL << 55)	/* written since last cleared */

enum {
	/* mock_iommu_domain::flags */
	MOCK_DIRTY_TRACK = 1 << 0,
};

struct mock_iommu_domain {
	struct iommu_domain domain;
	unsigned long flags;
	/* MOCK_IOMMUPT_* this domain was created with */
	u32 pagetable_type;
	struct xarray pfns;
};

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

/* Registers the mock bus IOMMU instance; idempotent. */
int mock_iommu_init(void);
void mock_iommu_exit(void);

/* A new mock device, added to the mock bus (probed by the mock IOMMU). */
struct mock_dev *mock_dev_create(unsigned long dev_flags);
void mock_dev_destroy(struct mock_dev *mdev);

/* Number of mock devices alive, for leak checks. */
long mock_dev_count(void);
