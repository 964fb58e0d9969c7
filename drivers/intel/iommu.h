/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Intel VT-d driver, shaped like drivers/iommu/intel: one struct
 * intel_iommu per remapping unit, struct device_domain_info per device
 * behind it, struct dmar_domain for every domain the driver hands out.
 * The hardware is reached only through the unit's registers (MMIO) and
 * the tables and queues it reads from fake physical memory (hw/).
 *
 * Files, as upstream splits them:
 *   iommu.cc   probe (CAP/ECAP), root/context tables, GCMD protocol,
 *              domains and attach, iommu_ops
 *   dmar.cc    queued invalidation (qi_submit_sync, qi_flush_*), primary
 *              fault log
 *   pasid.cc   PASID directory/tables and the entry of every kind
 *   cache.cc   cache tags: which (unit, DID, PASID, device) a domain's
 *              change must be flushed from
 *   prq.cc     the page request queue and page group responses
 *   nested.cc  nested domains (iommu_hwpt_vtd_s1) and their invalidation
 *   debugfs.cc iommu/intel/<device>/[<pasid>/]domain_translation_struct
 *   intel-iommu-platform.cc  the "vtd" platform kind: model + driver
 *
 * Modes: scalable mode where the unit has it (ECAP.SMTS; queued
 * invalidation is then required), legacy mode otherwise: context entries
 * carry the DID and the second-stage table (or pass-through), written at
 * attach, and there are no PASIDs, first stage, nesting, page requests or
 * dirty tracking. Context-cache and IOTLB invalidations go through
 * iommu->flush: descriptors on the invalidation queue when the unit has one
 * (ECAP.QI), else the CCMD and IOTLB registers.
 *
 * Locks: iommu->lock covers the context and PASID tables of the unit;
 * dmar_domain->lock the domain's device lists; dmar_domain->cache_lock its
 * cache tags; qi->q_lock the invalidation queue (innermost).
 */
#pragma once

#include "drivers/intel/hw/intel-iommu-hw.h"
#include "drivers/generic_pt/iommu_pt.h"

#include "core/iommu.h"
#include "harness/kernel.h"
#include "harness/list.h"
#include "harness/mutex.h"
#include "harness/spinlock.h"
#include "harness/wait.h"
#include "harness/xarray.h"
#include "harness/platform/pci_regs.h"

#include <atomic>
#include <thread>

#ifndef SZ_4K
#define SZ_4K	0x1000UL
#define SZ_2M	0x200000UL
#define SZ_1G	0x40000000UL
#endif

#ifndef U64_MAX
#define U64_MAX (~0ULL)
#endif

#ifndef cpu_relax
#define cpu_relax() std::this_thread::yield()
#endif

#define intel_iommu_err(iommu, fmt, ...) \
	fprintf(stderr, "DMAR: %s: " fmt "\n", (iommu)->name, ##__VA_ARGS__)

/* Domain ID 0 is reserved; 1 is the pass-through entries' (FLPT_DEFAULT_DID). */
#define FLPT_DEFAULT_DID	1
#define IDA_START_DID		2

#define MAX_AGAW_WIDTH		64
#define MAX_AGAW_PFN_WIDTH	(MAX_AGAW_WIDTH - VTD_PAGE_SHIFT)

/* ----- Queued invalidation ----- */

#define QI_LENGTH		256	/* descriptors: 2 pages of 256-bit ones */

enum qi_desc_status {
	QI_FREE,
	QI_IN_USE,
	QI_DONE,
	QI_ABORT,
};

/* qi_submit_sync() options */
#define QI_OPT_WAIT_DRAIN	BIT(0)

struct q_inval {
	spinlock_t q_lock;
	void *desc;			/* the queue, in fake physical memory */
	u32 *desc_status;		/* wait descriptors write here (also fake memory) */
	int free_head;
	int free_tail;
	int free_cnt;
};

/* ----- Fault log kept for tests and traces ----- */

struct dmar_fault_info {
	u16 source_id;
	u8 reason;
	bool pasid_present;
	u32 pasid;
	u64 addr;
	bool write;
};
#define DMAR_FAULT_LOG_LEN	32

/* ----- The remapping unit ----- */

enum intel_iommu_irq {
	INTEL_IOMMU_IRQ_FAULT,
	INTEL_IOMMU_IRQ_PRQ,
};

/*
 * How the unit's context cache and IOTLB are invalidated: by queued
 * descriptors (qi_flush_context/qi_flush_iotlb) or by register
 * (__iommu_flush_context/__iommu_flush_iotlb). Same arguments either way.
 */
struct iommu_flush {
	void (*flush_context)(struct intel_iommu *iommu, u16 did, u16 sid, u8 fm, u64 type);
	void (*flush_iotlb)(struct intel_iommu *iommu, u16 did, u64 addr, unsigned int size_order,
			    u64 type);
};

struct intel_iommu {
	const char *name;
	void __iomem *reg;
	u64 cap, ecap;
	u32 gcmd;			/* the persistent GCMD bits we set */
	spinlock_t register_lock;	/* GCMD/GSTS sequences */
	int seq_id;
	int agaw;			/* second-stage AGAW the unit supports best (SAGAW) */
	int msagaw;

	struct root_entry *root_entry;	/* 4 KiB root table */
	spinlock_t lock;		/* context and PASID tables */

	struct q_inval *qi;
	struct iommu_flush flush;

	/* Domain IDs of this unit */
	struct xarray domain_ids;

	/* Page request queue */
	struct page_req_dsc *prq;
	bool prq_enabled;

	/* Devices behind the unit by requester ID (upstream's device_rbtree) */
	struct mutex devices_lock;
	struct xarray devices;

	struct iommu_device iommu;

	/* Event thread: fault log and PRQ, woken by the unit's messages */
	std::thread *evt_thread;
	wait_queue_head_t evt_wq;
	struct mutex iopf_lock;		/* one consumer of the fault log and PRQ */
	std::atomic<unsigned int> irq_pending;
	std::atomic<bool> evt_stop;

	/* What the handlers saw, for tests */
	std::atomic<unsigned long> nr_faults;
	std::atomic<unsigned long> nr_prq;
	std::atomic<unsigned long> nr_prq_bad;
	std::atomic<unsigned long> nr_iqe;
	bool quiet_faults;
	spinlock_t fault_log_lock;
	struct dmar_fault_info fault_log[DMAR_FAULT_LOG_LEN];
	unsigned long fault_log_next;
};

/* ----- PASID table of a device ----- */

struct pasid_table {
	struct pasid_dir_entry *table;	/* the directory */
	u32 order;			/* its size: 2^order pages */
	u32 max_pasid;			/* PASIDs it can hold */
};

/* ----- Devices ----- */

struct device_domain_info {
	struct list_head link;		/* in dmar_domain->devices */
	u16 segment;
	u16 bus;
	u8 devfn;
	u16 pfsid;
	u8 ats_supported : 1;
	u8 ats_enabled : 1;
	u8 pri_supported : 1;
	u8 pri_enabled : 1;
	u8 pasid_supported : 1;
	u8 ats_qdep;
	unsigned int iopf_refcount;
	struct device *dev;
	struct intel_iommu *iommu;
	struct dmar_domain *domain;	/* attached to the RID (PASID 0) */
	struct pasid_table *pasid_table;
	struct dentry *debugfs_dentry;	/* iommu/intel/<device>/ */
};

static inline u16 info_rid(const struct device_domain_info *info)
{
	return (u16)(info->bus << 8 | info->devfn);
}

/* A PASID of a device attached to a domain (upstream's dev_pasid_info). */
struct dev_pasid_info {
	struct list_head link_domain;
	struct device *dev;
	ioasid_t pasid;
	struct dentry *debugfs_dentry;	/* iommu/intel/<device>/<pasid>/, paging domains */
};

/* ----- Domains ----- */

struct iommu_domain_info {
	struct intel_iommu *iommu;
	unsigned int refcnt;
	u16 did;
};

struct dmar_domain {
	/* Paging domains embed their page table; others use the plain domain. */
	union {
		struct iommu_domain domain;
		struct pt_iommu pt;
	};
	struct xarray iommu_array;	/* seq_id -> struct iommu_domain_info */

	spinlock_t lock;		/* devices and dev_pasids */
	struct list_head devices;	/* struct device_domain_info (RID attach) */
	struct list_head dev_pasids;	/* struct dev_pasid_info */

	spinlock_t cache_lock;
	struct list_head cache_tags;

	u8 use_first_level : 1;		/* first stage (and nested) vs second stage */
	u8 dirty_tracking : 1;
	u8 nested_parent : 1;
	u8 force_snooping : 1;
	u8 has_iotlb_device : 1;
	/* Allocated for a legacy-mode unit: snooping is forced by SNP in the leaves */
	u8 legacy_snoop : 1;
	int agaw;			/* second stage: table depth - 2 */
	int gaw;			/* input width */

	/* Nested (IOMMU_DOMAIN_NESTED) */
	struct dmar_domain *s2_domain;
	struct iommu_hwpt_vtd_s1 s1_cfg;
	struct list_head s2_link;	/* in the parent's s1_domains */
	/* Nest parent: the nested domains on it */
	spinlock_t s1_lock;
	struct list_head s1_domains;
};
static_assert(offsetof(struct pt_iommu, domain) == 0);

static inline struct dmar_domain *to_dmar_domain(struct iommu_domain *dom)
{
	return container_of(dom, struct dmar_domain, domain);
}

/* ----- Cache tags (cache.cc) ----- */

enum cache_tag_type {
	CACHE_TAG_IOTLB,
	CACHE_TAG_DEVTLB,
	CACHE_TAG_NESTING_IOTLB,
	CACHE_TAG_NESTING_DEVTLB,
};

struct cache_tag {
	struct list_head node;
	enum cache_tag_type type;
	struct intel_iommu *iommu;
	struct device *dev;		/* device-TLB tags only */
	u16 domain_id;
	ioasid_t pasid;
	unsigned int users;
};

int cache_tag_assign_domain(struct dmar_domain *domain, struct device *dev, ioasid_t pasid);
void cache_tag_unassign_domain(struct dmar_domain *domain, struct device *dev, ioasid_t pasid);
void cache_tag_flush_range(struct dmar_domain *domain, unsigned long start, unsigned long end,
			   int ih);
void cache_tag_flush_all(struct dmar_domain *domain);
unsigned int cache_tag_count(struct dmar_domain *domain);

/* ----- dmar.cc ----- */

int dmar_enable_qi(struct intel_iommu *iommu);
void dmar_disable_qi(struct intel_iommu *iommu);
int qi_submit_sync(struct intel_iommu *iommu, struct qi_desc *desc, unsigned int count,
		   unsigned long options);
void qi_global_iec(struct intel_iommu *iommu);
void qi_flush_context(struct intel_iommu *iommu, u16 did, u16 sid, u8 fm, u64 type);
void qi_flush_iotlb(struct intel_iommu *iommu, u16 did, u64 addr, unsigned int size_order,
		    u64 type);
void qi_flush_dev_iotlb(struct intel_iommu *iommu, u16 sid, u16 pfsid, u16 qdep, u64 addr,
			unsigned int mask);
void qi_flush_piotlb(struct intel_iommu *iommu, u16 did, u32 pasid, u64 addr,
		     unsigned long npages, bool ih);
void qi_flush_dev_iotlb_pasid(struct intel_iommu *iommu, u16 sid, u16 pfsid, u32 pasid,
			      u16 qdep, u64 addr, unsigned int size_order);
void qi_flush_pasid_cache(struct intel_iommu *iommu, u16 did, u64 granu, u32 pasid);
int dmar_fault(struct intel_iommu *iommu);
void dmar_fault_log_get(struct intel_iommu *iommu, struct dmar_fault_info *out,
			unsigned long *count);

/* ----- debugfs.cc ----- */

struct dentry;
void intel_iommu_debugfs_init(void);
void intel_iommu_debugfs_exit(void);
void intel_iommu_debugfs_create_dev(struct device_domain_info *info);
void intel_iommu_debugfs_remove_dev(struct device_domain_info *info);
void intel_iommu_debugfs_create_dev_pasid(struct dev_pasid_info *dev_pasid);
void intel_iommu_debugfs_remove_dev_pasid(struct dev_pasid_info *dev_pasid);

/* ----- pasid.cc ----- */

/* intel_pasid_setup_first_level() flags */
#define PASID_FLAG_FL5LP	BIT(0)	/* 5-level first-stage table */
#define PASID_FLAG_PAGE_SNOOP	BIT(1)

int intel_pasid_alloc_table(struct device *dev);
void intel_pasid_free_table(struct device *dev);
struct pasid_entry *intel_pasid_get_entry(struct device *dev, u32 pasid);
int intel_pasid_setup_first_level(struct intel_iommu *iommu, struct device *dev, phys_addr_t fsptptr,
				  u32 pasid, u16 did, int flags);
int intel_pasid_setup_second_level(struct intel_iommu *iommu, struct dmar_domain *domain,
				   struct device *dev, u32 pasid);
int intel_pasid_setup_pass_through(struct intel_iommu *iommu, struct device *dev, u32 pasid);
int intel_pasid_setup_nested(struct intel_iommu *iommu, struct device *dev, u32 pasid,
			     struct dmar_domain *domain);
int intel_pasid_replace_first_level(struct intel_iommu *iommu, struct device *dev,
				    phys_addr_t fsptptr, u32 pasid, u16 did, u16 old_did,
				    int flags);
int intel_pasid_replace_second_level(struct intel_iommu *iommu, struct dmar_domain *domain,
				     struct device *dev, u16 old_did, u32 pasid);
int intel_pasid_replace_pass_through(struct intel_iommu *iommu, struct device *dev,
				     u16 old_did, u32 pasid);
int intel_pasid_replace_nested(struct intel_iommu *iommu, struct device *dev, u32 pasid,
			       u16 old_did, struct dmar_domain *domain);
void intel_pasid_tear_down_entry(struct intel_iommu *iommu, struct device *dev, u32 pasid,
				 bool fault_ignore);
int intel_pasid_setup_dirty_tracking(struct intel_iommu *iommu, struct device *dev, u32 pasid,
				     bool enabled);
int intel_pasid_setup_sm_context(struct device *dev);
void intel_pasid_teardown_sm_context(struct device *dev);
void devtlb_invalidation_with_pasid(struct intel_iommu *iommu, struct device *dev, u32 pasid);

/* ----- prq.cc ----- */

int intel_iommu_enable_prq(struct intel_iommu *iommu);
void intel_iommu_finish_prq(struct intel_iommu *iommu);
void intel_prq_handle(struct intel_iommu *iommu);
void intel_iommu_page_response(struct device *dev, struct iopf_fault *evt,
			       struct iommu_page_response *msg);
void intel_iommu_drain_pasid_prq(struct device *dev, u32 pasid);

/* ----- iommu.cc ----- */

extern const struct iommu_ops intel_iommu_ops;
extern const struct iommu_domain_ops intel_paging_domain_ops;

struct intel_iommu *intel_iommu_probe(void __iomem *reg, const char *name);
void intel_iommu_remove(struct intel_iommu *iommu);
int intel_iommu_register(struct intel_iommu *iommu, const void *fwnode);
void intel_iommu_unregister(struct intel_iommu *iommu);
/* The unit's interrupt messages (fault event, page request event). */
void intel_iommu_irq(struct intel_iommu *iommu, enum intel_iommu_irq src);
/* Handles whatever the fault log and PRQ hold now (tests). */
void intel_iommu_drain_events(struct intel_iommu *iommu);
struct device *device_rbtree_find(struct intel_iommu *iommu, u16 rid);

u16 domain_id_iommu(struct dmar_domain *domain, struct intel_iommu *iommu);
int domain_attach_iommu(struct dmar_domain *domain, struct intel_iommu *iommu);
void domain_detach_iommu(struct dmar_domain *domain, struct intel_iommu *iommu);
struct dmar_domain *dmar_domain_alloc(void);
int dmar_domain_attach_device(struct dmar_domain *domain, struct device *dev);
int dmar_domain_attach_device_or_restore(struct dmar_domain *domain, struct device *dev,
					 struct iommu_domain *old);
int dmar_domain_set_dev_pasid(struct dmar_domain *domain, struct device *dev, ioasid_t pasid,
			      struct iommu_domain *old);
int paging_domain_compatible(struct iommu_domain *domain, struct device *dev);
void device_block_translation(struct device *dev);
void domain_remove_dev_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid);
struct dev_pasid_info *domain_add_dev_pasid(struct iommu_domain *domain, struct device *dev,
					    ioasid_t pasid);
void intel_iommu_flush_context_all(struct intel_iommu *iommu);
void __iommu_flush_context(struct intel_iommu *iommu, u16 did, u16 source_id, u8 function_mask,
			   u64 type);
void __iommu_flush_iotlb(struct intel_iommu *iommu, u16 did, u64 addr, unsigned int size_order,
			 u64 type);
/* Legacy mode: the context entry of a device (iommu.cc) */
struct context_entry *iommu_context_addr(struct intel_iommu *iommu, u8 bus, u8 devfn,
					 bool alloc);
int iopf_for_domain_set(struct iommu_domain *domain, struct device *dev);
void iopf_for_domain_remove(struct iommu_domain *domain, struct device *dev);
int iopf_for_domain_replace(struct iommu_domain *domain, struct iommu_domain *old,
			    struct device *dev);

static inline bool sm_supported(struct intel_iommu *iommu)
{
	return ecap_smts(iommu->ecap);
}
static inline bool pasid_supported(struct intel_iommu *iommu)
{
	return sm_supported(iommu) && ecap_pasid(iommu->ecap);
}
static inline bool ssads_supported(struct intel_iommu *iommu)
{
	return sm_supported(iommu) && ecap_slads(iommu->ecap);
}
static inline bool nested_supported(struct intel_iommu *iommu)
{
	return sm_supported(iommu) && ecap_nest(iommu->ecap);
}

static inline struct device_domain_info *dev_to_info(struct device *dev)
{
	return (struct device_domain_info *)dev_iommu_priv_get(dev);
}

/* ----- nested.cc ----- */

struct iommu_domain *intel_iommu_domain_alloc_nested(struct device *dev,
						     struct iommu_domain *parent, u32 flags,
						     const struct iommu_user_data *user_data);
void *intel_iommu_hw_info(struct device *dev, u32 *length, u32 *type);

/* ----- intel-iommu-platform.cc: the "vtd" kind's instances, for tests ----- */

struct platform_iommu;
struct vtd_model;
struct intel_iommu *vtd_platform_iommu(struct platform_iommu *piommu);
struct vtd_model *vtd_platform_model(struct platform_iommu *piommu);
