/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD IOMMU driver, shaped like drivers/iommu/amd: struct amd_iommu
 * per IOMMU, struct iommu_dev_data per device (DeviceID) behind it,
 * struct protection_domain for every paging domain the driver hands out
 * and struct nested_domain for a guest DTE on a nest parent. The hardware
 * is reached only through the MMIO registers and the tables, rings and
 * semaphores it reads and writes in fake physical memory (hw/).
 *
 * Files, as upstream splits them:
 *   init.cc     bring-up from EFR (amd_iommu_init(): iommu_init_*,
 *               early_enable_iommu()), the event log and its interrupt
 *   iommu.cc    commands and flushes (iommu_completion_wait(),
 *               build_inv_iommu_pages(), amd_iommu_flush_*), DTEs
 *               (set_dte_entry(), amd_iommu_update_and_flush_device_table()),
 *               protection domains, attach, identity/blocked, iommu_ops
 *   pasid.cc    v2 domains on PASIDs through per-device GCR3 tables
 *   ppr.cc      the PPR log: page requests to the IOPF core, responses
 *               as COMPLETE_PPR_REQUEST
 *   nested.cc   nested domains from iommu_hwpt_amd_guest, the gDomID ->
 *               hDomID map of a vIOMMU
 *   iommufd.cc  IOMMU_GET_HW_INFO (iommu_hw_info_amd) and the vIOMMU
 *   viommu.cc   the HW-vIOMMU: PAS, GuestIDs, DeviceID/DomainID maps,
 *               guest command buffers, event and PPR logs
 *   amd-iommu-platform.cc  the "amd-vi" platform kind: model + driver
 *
 * Domain IDs are global (upstream's pdom_ids): one DomainID names one
 * protection domain on every IOMMU, so a flush is built once.
 *
 * Locks: iommu->lock covers the command buffer (innermost);
 * iommu->dev_table_lock the device table; pdom->lock a domain's device
 * list; pdom->viommu_lock a nest parent's vIOMMUs, taken before a
 * vIOMMU's gdom_lock (its gDomID map); iommu->devices_lock the DeviceID
 * -> dev_data lookup.
 */
#pragma once

#include "drivers/amd/hw/amd-iommu-hw.h"
#include "drivers/generic_pt/iommu_pt.h"

#include "core/iommu.h"
#include "core/iommufd.h"
#include "harness/kernel.h"
#include "harness/list.h"
#include "harness/mutex.h"
#include "harness/spinlock.h"
#include "harness/wait.h"
#include "harness/xarray.h"

#include <atomic>
#include <thread>

#ifndef cpu_relax
#define cpu_relax() std::this_thread::yield()
#endif

static inline u32 lower_32_bits(u64 v) { return (u32)v; }
static inline u32 upper_32_bits(u64 v) { return (u32)(v >> 32); }

#define amd_iommu_err(iommu, fmt, ...) \
	fprintf(stderr, "AMD-Vi: %s: " fmt "\n", (iommu)->name, ##__VA_ARGS__)

/* DomainID 0 is never handed out (upstream reserves it too). */
#define MAX_DOMAIN_ID		65536

/* The whole DeviceID space: Device Table Base's Size is 0x1ff (512 pages). */
#define DEV_TABLE_SIZE		(DEV_TABLE_ENTRY_SIZE * 65536)

/* ----- What the event handler saw, for tests ----- */

struct amd_iommu_fault {
	u8 type;		/* EVENT_TYPE_* */
	u16 devid;
	u16 flags;		/* EVENT_FLAG_* */
	u32 domid_or_pasid;
	u64 address;
};
#define AMD_IOMMU_FAULT_LOG_LEN	32

enum amd_iommu_irq_src {
	AMD_IOMMU_INT_EVENT,
	AMD_IOMMU_INT_PPR,
};

/* ----- The IOMMU ----- */

struct amd_iommu {
	const char *name;
	int index;
	u8 __iomem *mmio_base;
	u64 features;		/* EFR */
	u64 features2;		/* EFR2 */
	u16 devid;		/* the IOMMU's own DeviceID */

	struct dev_table_entry *dev_table;
	spinlock_t dev_table_lock;

	/* Command buffer and the completion-wait semaphore */
	spinlock_t lock;
	u8 *cmd_buf;
	u32 cmd_buf_tail;
	u64 *cmd_sem;
	u64 cmd_sem_val;

	u8 *evt_buf;
	u8 *ppr_log;

	struct iommu_device iommu;

	/* Devices behind the IOMMU by DeviceID */
	struct mutex devices_lock;
	struct xarray devices;

	/* Event thread: event and PPR logs, woken by the IOMMU's interrupt */
	std::thread *evt_thread;
	wait_queue_head_t evt_wq;
	struct mutex evt_lock;	/* one consumer of both logs */
	std::atomic<unsigned int> irq_pending;
	std::atomic<bool> evt_stop;

	/* HW-vIOMMU (viommu.cc): the VF and VF control BARs, guests, the PAS */
	u8 __iomem *vf_mmio;
	u8 __iomem *vfctrl_mmio;
	u32 nr_guests;
	struct protection_domain *pas;	/* v1 table of the IOMMU's own DTE */
	struct xarray guest_ids;
	/* PAS backing of each GuestID's DeviceID and DomainID maps */
	void **devid_maps;
	void **domid_maps;

	/* What the handlers saw */
	bool quiet_faults;
	std::atomic<unsigned long> nr_events;
	std::atomic<unsigned long> nr_ppr;
	std::atomic<unsigned long> nr_cmd_errors;
	spinlock_t fault_log_lock;
	struct amd_iommu_fault fault_log[AMD_IOMMU_FAULT_LOG_LEN];
	unsigned long fault_log_next;
};

static inline bool check_feature(struct amd_iommu *iommu, u64 mask)
{
	return iommu->features & mask;
}

static inline bool amd_iommu_gt_ppr_supported(struct amd_iommu *iommu)
{
	return check_feature(iommu, FEATURE_GT) && check_feature(iommu, FEATURE_PPR);
}

/* Host dirty tracking: DTE.HAD = A and D (HASup and HDSup). */
static inline bool amd_iommu_hd_support(struct amd_iommu *iommu)
{
	return check_feature(iommu, FEATURE_HASUP) && check_feature(iommu, FEATURE_HDSUP);
}

/* ----- Devices ----- */

struct iommu_dev_data {
	struct list_head list;		/* in protection_domain->dev_list */
	u16 devid;
	struct device *dev;
	struct amd_iommu *iommu;
	struct iommu_domain *domain;	/* what the DTE holds now (NULL: blocked) */
	u8 ats_supported : 1;
	u8 ats_enabled : 1;
	u8 pri_supported : 1;
	u8 pri_enabled : 1;
	u8 ppr : 1;			/* DTE.PPR */
	u8 vimu : 1;			/* assigned to a HW-vIOMMU guest: DTE word 3 */
	u8 pasid_supported : 1;
	/* PASIDs (pasid.cc): the GCR3 table, its DomainID, PASIDs attached */
	u64 *gcr3_tbl;
	u16 gcr3_domid;
	unsigned int pasid_cnt;
	u16 vimu_gid;
	u16 vimu_gdevid;
	u8 ats_qdep;
	unsigned int iopf_refcount;
};

static inline struct iommu_dev_data *dev_iommu_priv(struct device *dev)
{
	return (struct iommu_dev_data *)dev_iommu_priv_get(dev);
}

/* ----- Domains ----- */

enum protection_domain_mode {
	PD_MODE_NONE,
	PD_MODE_V1,	/* host (v1) table in the DTE */
	PD_MODE_V2,	/* x86-64 table behind GCR3 entries (PASIDs) */
};

/* A (device, PASID) a v2 domain is attached as. */
struct pdom_dev_pasid {
	struct list_head list;		/* in protection_domain->dev_pasids */
	struct iommu_dev_data *dev_data;
	ioasid_t pasid;
};

struct protection_domain {
	union {
		struct iommu_domain domain;
		struct pt_iommu iommu;
	};
	enum protection_domain_mode pd_mode;
	u16 id;				/* DomainID */
	spinlock_t lock;
	struct list_head dev_list;	/* struct iommu_dev_data */
	unsigned int dev_cnt;
	struct list_head dev_pasids;	/* struct pdom_dev_pasid (v2) */
	bool nest_parent;
	bool dirty_tracking;
	/* Nest parent: the vIOMMUs on it (amd_iommu_viommu.pdom_list) */
	struct mutex viommu_lock;	/* viommu_list; outside each vIOMMU's gdom_lock */
	struct list_head viommu_list;
};
static_assert(offsetof(struct pt_iommu, domain) == 0);

static inline struct protection_domain *to_pdomain(struct iommu_domain *dom)
{
	return container_of(dom, struct protection_domain, domain);
}

/* ----- Nested domains and the vIOMMU (nested.cc, iommufd.cc) ----- */

/* One host DomainID for every nested domain of a vIOMMU with one gDomID. */
struct guest_domain_mapping_info {
	refcount_t users;
	u32 hdom_id;
};

/* A guest of the HW-vIOMMU: its GuestID, VF pages and PAS backing. */
struct amd_hw_viommu {
	struct amd_iommu *iommu;
	u16 gid;
	u16 trans_devid;	/* the DTE with the VM's GPA -> SPA table */
	struct protection_domain *parent;	/* that table's domain, NULL while blocked */
};

struct amd_iommu_viommu {
	struct iommufd_viommu core;
	struct amd_hw_viommu *hw;	/* NULL without the HW-vIOMMU */
	/* A guest of the RFC uAPI (viommu_rfc.cc), no iommufd object */
	bool rfc;
	unsigned long vf_mmap_offset;	/* its VF page in the iommufd mmap space */
	/* The HW queues programmed now (one command buffer, one event log, one PPR log) */
	struct mutex queue_lock;
	struct iommufd_hw_queue *cmdbuf_q;
	struct iommufd_hw_queue *evtlog_q;
	struct iommufd_hw_queue *pprlog_q;
	struct protection_domain *parent;
	struct list_head pdom_list;	/* in parent->viommu_list */
	struct mutex gdom_lock;		/* gdomid_array and the entries' users */
	struct xarray gdomid_array;	/* gDomID -> guest_domain_mapping_info */
};

struct nested_domain {
	struct iommu_domain domain;
	u16 gdom_id;
	struct guest_domain_mapping_info *gdom_info;
	struct iommu_hwpt_amd_guest gdte;
	struct amd_iommu_viommu *viommu;
};

static inline struct nested_domain *to_ndomain(struct iommu_domain *dom)
{
	return container_of(dom, struct nested_domain, domain);
}

/* ----- init.cc ----- */

struct amd_iommu *amd_iommu_init(void __iomem *mmio, u16 devid, const char *name);
void amd_iommu_remove(struct amd_iommu *iommu);
struct amd_iommu *rlookup_amd_iommu_fwnode(const void *fwnode);
/* The IOMMU whose own PCI DeviceID is @devid (the RFC uAPI names IOMMUs so). */
struct amd_iommu *get_amd_iommu_from_devid(u16 devid);
int amd_iommu_register(struct amd_iommu *iommu, const void *fwnode);
void amd_iommu_unregister(struct amd_iommu *iommu);
/* The IOMMU's MSI with its cause. */
void amd_iommu_int_handler(struct amd_iommu *iommu, enum amd_iommu_irq_src src);
/* Handles whatever the event and PPR logs hold now (tests). */
void amd_iommu_poll_logs(struct amd_iommu *iommu);
void amd_iommu_fault_log_get(struct amd_iommu *iommu, struct amd_iommu_fault *last,
			     unsigned long *count);
void iommu_feature_enable(struct amd_iommu *iommu, u8 bit);
void iommu_feature_disable(struct amd_iommu *iommu, u8 bit);

/* ----- iommu.cc ----- */

extern const struct iommu_ops amd_iommu_ops;

int iommu_queue_command(struct amd_iommu *iommu, struct iommu_cmd *cmd);
int iommu_completion_wait(struct amd_iommu *iommu);
void build_inv_iommu_pages(struct iommu_cmd *cmd, u64 address, size_t size, u16 domid,
			   ioasid_t pasid, bool gn);
void amd_iommu_flush_all_caches(struct amd_iommu *iommu);
void amd_iommu_domain_flush_all(struct protection_domain *domain);
void amd_iommu_flush_tlb_domid(struct amd_iommu *iommu, u32 dom_id);
void amd_iommu_update_and_flush_device_table(struct iommu_dev_data *dev_data);
u16 amd_iommu_write_dte(struct amd_iommu *iommu, u16 devid, const struct dev_table_entry *new_dte);
void amd_iommu_set_dte_v1(struct protection_domain *pdom, u16 domid,
			  struct dev_table_entry *new_dte);
struct iommu_dev_data *search_dev_data(struct amd_iommu *iommu, u16 devid);
int amd_iommu_pdom_id_alloc(void);
void amd_iommu_pdom_id_free(int id);
struct protection_domain *protection_domain_alloc(void);
struct iommu_domain *amd_iommu_domain_alloc_paging_v1(struct device *dev, u32 flags);
/* The DTE @dev_data's domain wants, built but not written. */
void amd_iommu_make_dte(struct iommu_dev_data *dev_data, struct iommu_domain *domain,
			struct dev_table_entry *new_dte);
int amd_iommu_attach_dev_dte(struct iommu_domain *domain, struct device *dev);
u16 amd_iommu_domain_id_of(struct iommu_domain *domain);

int amd_iommu_iopf_set(struct iommu_domain *domain, struct iommu_dev_data *dev_data);
void amd_iommu_iopf_remove(struct iommu_domain *domain, struct iommu_dev_data *dev_data);
void amd_iommu_flush_iotlb_pasid(struct iommu_dev_data *dev_data, u64 address, size_t size,
				 ioasid_t pasid);

/* ----- pasid.cc ----- */

bool amd_iommu_rid_uses_gcr3(struct iommu_dev_data *dev_data);
void amd_iommu_set_dte_gcr3(struct iommu_dev_data *dev_data, struct dev_table_entry *new_dte);
int amd_iommu_set_gcr3(struct iommu_dev_data *dev_data, ioasid_t pasid, phys_addr_t root);
int amd_iommu_prepare_gcr3(struct iommu_dev_data *dev_data, ioasid_t pasid, phys_addr_t root);
void amd_iommu_flush_gcr3_pasid(struct iommu_dev_data *dev_data, ioasid_t pasid);
void amd_iommu_put_gcr3_table(struct iommu_dev_data *dev_data);
int amd_iommu_set_dev_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid,
			    struct iommu_domain *old);
int amd_iommu_remove_dev_pasid(struct iommu_domain *blocked, struct device *dev, ioasid_t pasid,
			       struct iommu_domain *old);
void amd_iommu_domain_flush_pages_v2(struct protection_domain *pdom, u64 address, size_t size);

/* ----- ppr.cc ----- */

int amd_iommu_alloc_ppr_log(struct amd_iommu *iommu);
/* COMPLETE_PPR_REQUEST to DeviceID @devid and a completion wait. */
void amd_iommu_complete_ppr(struct amd_iommu *iommu, u16 devid, u32 pasid, int status, int tag,
			    bool gn);
void amd_iommu_enable_ppr_log(struct amd_iommu *iommu);
void amd_iommu_free_ppr_log(struct amd_iommu *iommu);
void amd_iommu_poll_ppr_log(struct amd_iommu *iommu);
void amd_iommu_drain_ppr_log(struct amd_iommu *iommu);
void amd_iommu_page_response(struct device *dev, struct iopf_fault *evt,
			     struct iommu_page_response *resp);
int amd_iommu_iopf_add_device(struct iommu_dev_data *dev_data);

/* ----- nested.cc / iommufd.cc ----- */

struct iommu_domain *amd_iommu_alloc_domain_nested(struct iommufd_viommu *viommu, u32 flags,
						   const struct iommu_user_data *user_data);
void amd_iommu_nested_make_dte(struct nested_domain *ndom, struct iommu_dev_data *dev_data,
			       struct dev_table_entry *new_dte);
void *amd_iommufd_hw_info(struct device *dev, u32 *length, u32 *type);
size_t amd_iommufd_get_viommu_size(struct device *dev, u32 viommu_type);
int amd_iommufd_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent,
			    const struct iommu_user_data *user_data);

/* ----- viommu.cc: the HW-vIOMMU ----- */

int amd_iommu_viommu_setup(struct amd_iommu *iommu, void __iomem *vf_mmio,
			   void __iomem *vfctrl_mmio, u32 nr_guests);
void amd_iommu_viommu_teardown(struct amd_iommu *iommu);
struct amd_hw_viommu *amd_viommu_guest_alloc(struct amd_iommu *iommu,
					     struct protection_domain *parent);
void amd_viommu_guest_free(struct amd_hw_viommu *hw);
void amd_viommu_map_domid(struct amd_hw_viommu *hw, u16 gdom_id, u16 hdom_id, bool valid);
int amd_viommu_attach_vdev(struct amd_hw_viommu *hw, struct device *dev, u64 gdevid);
void amd_viommu_detach_vdev(struct amd_hw_viommu *hw, struct device *dev);
int amd_viommu_cmdbuf_enable(struct amd_hw_viommu *hw, u64 gpa, u64 length);
void amd_viommu_cmdbuf_disable(struct amd_hw_viommu *hw);
void amd_viommu_set_translation(struct amd_hw_viommu *hw, struct protection_domain *parent);
void amd_viommu_cmdbuf_enable_pas(struct amd_hw_viommu *hw, unsigned int len_lg2,
				  bool comwait_int);
int amd_viommu_cmdbuf_back(struct amd_hw_viommu *hw, const phys_addr_t *phys,
			   unsigned long npages);
void amd_viommu_cmdbuf_unback(struct amd_hw_viommu *hw, unsigned long npages);
int amd_viommu_evtlog_enable(struct amd_hw_viommu *hw, u64 gpa, u64 length);
void amd_viommu_evtlog_disable(struct amd_hw_viommu *hw);
int amd_viommu_pprlog_enable(struct amd_hw_viommu *hw, u64 gpa, u64 length, bool ppr_en);
void amd_viommu_ppr_set_enable(struct amd_hw_viommu *hw, bool ppr_en);
void amd_viommu_pprlog_disable(struct amd_hw_viommu *hw);
/* The guest's VF page: what the VMM maps into the guest as its 0x2000 page. */
u8 __iomem *amd_viommu_vf_page(struct amd_hw_viommu *hw);
/* ----- viommu_rfc.cc: the HW-vIOMMU through the 2023 RFC's ioctls ----- */

int amd_viommu_rfc_register(void);
struct iommu_domain *amd_viommu_rfc_domain_alloc_nested(struct device *dev,
							struct iommu_domain *parent, u32 flags,
							const struct iommu_user_data *user_data);
void amd_viommu_rfc_put(struct amd_iommu_viommu *aviommu);
void amd_viommu_rfc_parent_free(struct protection_domain *pdom);

/* Nested domain from a guest DTE already in kernel memory (validated here). */
struct iommu_domain *amd_iommu_nested_domain_alloc(struct amd_iommu_viommu *aviommu,
						   const struct iommu_hwpt_amd_guest *gdte);

/* ----- amd-iommu-platform.cc: the "amd-vi" kind's instances, for tests ----- */

struct platform_iommu;
struct amd_iommu_model;
struct amd_iommu *amd_platform_iommu(struct platform_iommu *piommu);
struct amd_iommu_model *amd_platform_model(struct platform_iommu *piommu);
