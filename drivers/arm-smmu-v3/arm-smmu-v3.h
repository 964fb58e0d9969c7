/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ARM SMMUv3 driver, shaped like drivers/iommu/arm/arm-smmu-v3: the
 * same objects (arm_smmu_device, arm_smmu_master, arm_smmu_domain,
 * arm_smmu_nested_domain, arm_vsmmu) and function names, so a symbol greps
 * the same in both trees.
 *
 *   arm-smmu-v3.cc          the device: probe from the ID registers, reset,
 *                           queues, command submission and error recovery,
 *                           event and PRI queue threads, the stream table
 *   arm-smmu-v3-entry.cc    STEs and CDs built whole (arm_smmu_make_*), the
 *                           hitless arm_smmu_write_entry(), CD tables
 *   arm-smmu-v3-domain.cc   paging/identity/blocked domains, attach, PASID,
 *                           ATS, TLB and ATC invalidation, iommu_ops
 *   arm-smmu-v3-iommufd.cc  hw_info, vIOMMU, vDEVICE, nested domains, user
 *                           invalidation, vEVENTQ
 *   arm-smmu-v3-platform.cc the "smmuv3" platform IOMMU kind: the hardware
 *                           model and this driver, wired together
 *
 * The driver reaches the SMMU only through its register file (readl/writel
 * on @base) and fake physical memory (tables and queues from
 * iommu_alloc_pages_sz(), handed to the SMMU by virt_to_phys()); it never
 * includes the model. The architecture's layouts come from hw/.
 *
 * Locks, outermost first: the group mutex the core holds over attach,
 * smmu->streams_mutex (StreamID -> master), smmu_domain->devices_lock
 * (the masters a domain is installed in), smmu->cmdq.lock (one command
 * list at a time on the queue; the GERROR handler, which the SMMU may run
 * under it, takes none).
 */
#pragma once

#include "drivers/arm-smmu-v3/hw/arm-smmu-v3-hw.h"
#include "drivers/generic_pt/iommu_pt.h"

#include "core/iommu.h"
#include "core/iommufd_private.h"
#include "harness/kernel.h"
#include "harness/list.h"
#include "harness/mutex.h"
#include "harness/spinlock.h"
#include "harness/wait.h"
#include "harness/xarray.h"

#include <atomic>
#include <thread>

/*
 * Byte order: the SMMU reads its tables little-endian, and so is every host
 * this runs on (hw/ assumes it too); the conversions stay spelled out so
 * the code reads as the kernel's does.
 */
static inline u64 le64_to_cpu(__le64 v) { return (u64)v; }
static inline __le64 cpu_to_le64(u64 v) { return (__le64)v; }

#ifndef SZ_4K
#define SZ_4K	0x1000UL
#define SZ_16K	0x4000UL
#define SZ_64K	0x10000UL
#define SZ_2M	0x200000UL
#define SZ_32M	0x2000000UL
#define SZ_512M	0x20000000UL
#define SZ_1G	0x40000000UL
#endif

/* Driver policy, not architecture: how big a level-2 stream table is. */
#define STRTAB_SPLIT		8
#define STRTAB_NUM_L2_STES	(1 << STRTAB_SPLIT)
/* The linear table is used up to this many StreamIDs (as upstream). */
#define STRTAB_MAX_LINEAR_LG2	8
#define STRTAB_MAX_L1_ENTRIES	(1 << 17)

struct arm_smmu_strtab_l2 {
	struct arm_smmu_ste stes[STRTAB_NUM_L2_STES];
};

/* Queue sizes the driver asks for (clamped to IDR1) */
#define CMDQ_MAX_SZ_SHIFT	8
#define EVTQ_MAX_SZ_SHIFT	7
#define PRIQ_MAX_SZ_SHIFT	7

/* How long a CMD_SYNC or a register acknowledgement may take */
#define ARM_SMMU_POLL_TIMEOUT_US	1000000
#define ARM_SMMU_POLL_SPIN_COUNT	10

/* Commands gathered before one submission */
#define CMDQ_BATCH_ENTRIES	64

/* Context descriptors: the driver's choice of split and max SSID bits */
#define CTXDESC_L2_ENTRIES_LG2	10
#define CTXDESC_LINEAR_CDMAX	ilog2(SZ_64K / sizeof(struct arm_smmu_cd))
#define CTXDESC_L1_DESC_DWORDS	1

/* ASIDs/VMIDs: 0 is reserved (VMID 0 for S1 and bypass EL1 STEs). */
#define ARM_SMMU_FEAT_2_LVL_STRTAB	(1 << 0)
#define ARM_SMMU_FEAT_2_LVL_CDTAB	(1 << 1)
#define ARM_SMMU_FEAT_TT_LE		(1 << 2)
#define ARM_SMMU_FEAT_TT_BE		(1 << 3)
#define ARM_SMMU_FEAT_PRI		(1 << 4)
#define ARM_SMMU_FEAT_ATS		(1 << 5)
#define ARM_SMMU_FEAT_SEV		(1 << 6)
#define ARM_SMMU_FEAT_MSI		(1 << 7)
#define ARM_SMMU_FEAT_COHERENCY		(1 << 8)
#define ARM_SMMU_FEAT_TRANS_S1		(1 << 9)
#define ARM_SMMU_FEAT_TRANS_S2		(1 << 10)
#define ARM_SMMU_FEAT_STALLS		(1 << 11)
#define ARM_SMMU_FEAT_HYP		(1 << 12)
#define ARM_SMMU_FEAT_STALL_FORCE	(1 << 13)
#define ARM_SMMU_FEAT_VAX		(1 << 14)
#define ARM_SMMU_FEAT_RANGE_INV		(1 << 15)
#define ARM_SMMU_FEAT_BTM		(1 << 16)
#define ARM_SMMU_FEAT_SVA		(1 << 17)
#define ARM_SMMU_FEAT_E2H		(1 << 18)
#define ARM_SMMU_FEAT_NESTING		(1 << 19)
#define ARM_SMMU_FEAT_ATTR_TYPES_OVR	(1 << 20)
#define ARM_SMMU_FEAT_HA		(1 << 21)
#define ARM_SMMU_FEAT_HD		(1 << 22)
#define ARM_SMMU_FEAT_S2FWB		(1 << 23)

/* ----- Queues ----- */

struct arm_smmu_ll_queue {
	u32 prod;
	u32 cons;
	u32 max_n_shift;
};

struct arm_smmu_queue {
	struct arm_smmu_ll_queue llq;
	__le64 *base;			/* host view of the queue memory */
	dma_addr_t base_dma;
	u64 q_base;			/* the *_BASE register value */
	size_t ent_dwords;
	u32 prod_off, cons_off;		/* register offsets of PROD and CONS */
};

/* A decoded command, as arm_smmu_cmdq_build_cmd() takes it. */
struct arm_smmu_cmdq_ent {
	u8 opcode;
	bool substream_valid;
	union {
		struct {
			u32 sid;
		} prefetch;
		struct {
			u32 sid;
			u32 ssid;
			union {
				bool leaf;
				u8 span;
			};
		} cfgi;
		struct {
			u8 num;
			u8 scale;
			u16 asid;
			u16 vmid;
			bool leaf;
			u8 ttl;
			u8 tg;
			u64 addr;
		} tlbi;
		struct {
			u32 sid;
			u32 ssid;
			u64 addr;
			u8 size;
			bool global;
		} atc;
		struct {
			u32 sid;
			u32 ssid;
			u16 grpid;
			enum pri_resp resp;
		} pri;
		struct {
			u32 sid;
			u16 stag;
			u8 resp;
		} resume;
		struct {
			u64 msiaddr;
		} sync;
	};
};

struct arm_smmu_cmdq {
	struct arm_smmu_queue q;
	spinlock_t lock;
};

struct arm_smmu_cmdq_batch {
	u64 cmds[CMDQ_BATCH_ENTRIES * CMDQ_ENT_DWORDS];
	int num;
};

struct arm_smmu_evtq {
	struct arm_smmu_queue q;
	u32 max_stalls;
};

struct arm_smmu_priq {
	struct arm_smmu_queue q;
};

/* ----- Stream table ----- */

struct arm_smmu_strtab_cfg {
	union {
		struct {
			struct arm_smmu_ste *table;
			dma_addr_t ste_dma;
			unsigned int num_ents;
		} linear;
		struct {
			struct arm_smmu_strtab_l1 *l1tab;
			struct arm_smmu_strtab_l2 **l2ptrs;
			dma_addr_t l1_dma;
			unsigned int num_l1_ents;
		} l2;
	};
};

/* ----- Context descriptor tables ----- */

struct arm_smmu_ctx_desc {
	u16 asid;
};

struct arm_smmu_ctx_desc_cfg {
	union {
		struct {
			struct arm_smmu_cd *table;
			unsigned int num_ents;
		} linear;
		struct {
			struct arm_smmu_cdtab_l1 *l1tab;
			struct arm_smmu_cdtab_l2 **l2ptrs;
			unsigned int num_l1_ents;
		} l2;
	};
	dma_addr_t cdtab_dma;
	unsigned int used_ssids;
	u8 in_ste;
	u8 s1fmt;
	/* log2 of the maximum number of CDs supported by this table */
	u8 s1cdmax;
};

static inline bool arm_smmu_cdtab_allocated(struct arm_smmu_ctx_desc_cfg *cfg)
{
	return cfg->linear.table || cfg->l2.l1tab;
}

/* ----- The SMMU instance ----- */

enum arm_smmu_irq_src {
	ARM_SMMU_IRQ_EVTQ,
	ARM_SMMU_IRQ_PRIQ,
	ARM_SMMU_IRQ_GERROR,
};

struct arm_smmu_device {
	const char *name;
	void __iomem *base;		/* page 0 and page 1 of the register file */

	u32 features;
	u32 options;

	struct arm_smmu_cmdq cmdq;
	struct arm_smmu_evtq evtq;
	struct arm_smmu_priq priq;

	unsigned long ias;		/* IPA */
	unsigned long oas;		/* PA */
	unsigned long pgsize_bitmap;

	unsigned int asid_bits;
	unsigned int vmid_bits;
	struct xarray vmid_map;		/* allocated VMIDs (1 ..) */
	/*
	 * Allocated ASIDs (1 ..). Per SMMU here; upstream shares one space
	 * with the CPU for SVA and BTM, which this driver does not do.
	 */
	struct xarray asid_map;

	unsigned int ssid_bits;
	unsigned int sid_bits;

	struct arm_smmu_strtab_cfg strtab_cfg;

	/* The raw ID registers, for IOMMU_GET_HW_INFO */
	u32 idr[6];
	u32 iidr;
	u32 aidr;

	struct iommu_device iommu;

	/* StreamID -> struct arm_smmu_stream */
	struct mutex streams_mutex;
	struct xarray streams;

	/*
	 * The threaded half of the event and PRI queue interrupts: one host
	 * thread per SMMU, woken by arm_smmu_irq() and run until told to stop.
	 */
	std::thread *irq_thread;
	wait_queue_head_t irq_wq;
	/* One consumer of the event and PRI queues at a time */
	struct mutex queue_handler_lock;
	std::atomic<unsigned int> irq_pending;
	std::atomic<bool> irq_stop;
	/* Events and PRI requests handled so far (tests wait on these) */
	std::atomic<unsigned long> nr_events;
	std::atomic<unsigned long> nr_unhandled_events;
	std::atomic<unsigned long> nr_ppr;
	std::atomic<unsigned long> nr_gerrors;
	std::atomic<unsigned long> nr_cmdq_skipped;
	std::atomic<unsigned long> nr_evtq_overflows;
	/* Do not print events nobody took (tests that provoke them) */
	std::atomic<bool> quiet_events;
	/*
	 * Firmware says every master behind this SMMU can stall its DMA (the
	 * devices' dma-can-stall property): set by the platform before masters
	 * are probed.
	 */
	bool dma_can_stall;
	/* The last event record the event thread read, for tests and traces */
	u64 last_evt[EVTQ_ENT_DWORDS];

	/* An implementation's extension beside the SMMU (Tegra241 CMDQV), or NULL */
	const struct arm_smmu_impl_ops *impl_ops;
	void *impl;
};

/*
 * What an implementation adds to the iommufd side (upstream's
 * arm_smmu_impl_ops, user-space part): its own HW_INFO type, and a vIOMMU
 * type of its own whose structure embeds struct arm_vsmmu at offset 0,
 * initialised after the common part by @vsmmu_init.
 */
struct arm_smmu_impl_ops {
	void *(*hw_info)(struct arm_smmu_device *smmu, u32 *length, u32 *type);
	size_t (*get_viommu_size)(u32 viommu_type);
	int (*vsmmu_init)(struct arm_vsmmu *vsmmu, const struct iommu_user_data *user_data);
};

/* A StreamID of a master, and the tree node that maps it back */
struct arm_smmu_stream {
	u32 id;
	struct arm_smmu_master *master;
};

struct arm_smmu_vmaster {
	struct arm_vsmmu *vsmmu;
	unsigned long vsid;
};

/* A device behind the SMMU (upstream's arm_smmu_master) */
struct arm_smmu_master {
	struct arm_smmu_device *smmu;
	struct device *dev;
	struct arm_smmu_stream *streams;
	unsigned int num_streams;
	struct arm_smmu_vmaster *vmaster;	/* under the group mutex */
	/*
	 * The domain the RID is attached to, under the group mutex: PASID
	 * attach needs it, and the core's getter takes the mutex it holds.
	 */
	struct iommu_domain *sid_domain;
	struct arm_smmu_ctx_desc_cfg cd_table;
	bool ats_enabled : 1;
	bool ste_ats_enabled : 1;
	bool stall_enabled : 1;
	bool pri_supported : 1;
	bool ats_supported : 1;
	unsigned int ssid_bits;
	unsigned int iopf_refcount;
};

/* ----- Domains ----- */

enum arm_smmu_domain_stage {
	ARM_SMMU_DOMAIN_SVA,
	ARM_SMMU_DOMAIN_S1,
	ARM_SMMU_DOMAIN_S2,
};

struct arm_smmu_s2_cfg {
	u16 vmid;
};

/*
 * What io-pgtable's cfg carries upstream, for the STE/CD make functions:
 * the table's root and the TCR/VTCR fields that describe it.
 */
struct arm_smmu_pgtbl_cfg {
	u64 ttbr;		/* TTB0 / S2TTB */
	u64 mair;
	u8 tsz, sl, irgn, orgn, sh, tg, ps;
	bool s2fwb;
	bool hd;		/* hardware dirty (and access) flag updates */
};

struct arm_smmu_domain {
	/* The generic page table embeds the domain: one object, two views. */
	union {
		struct iommu_domain domain;
		struct pt_iommu pt;
	};
	struct arm_smmu_device *smmu;
	std::atomic<int> nr_ats_masters;
	enum arm_smmu_domain_stage stage;
	union {
		struct arm_smmu_ctx_desc cd;
		struct arm_smmu_s2_cfg s2_cfg;
	};
	struct arm_smmu_pgtbl_cfg pgtbl_cfg;
	/* List of struct arm_smmu_master_domain */
	struct list_head devices;
	spinlock_t devices_lock;
	bool enforce_cache_coherency : 1;
	bool nest_parent : 1;
};
static_assert(offsetof(struct pt_iommu, domain) == 0);

struct arm_smmu_nested_domain {
	struct iommu_domain domain;
	struct arm_vsmmu *vsmmu;
	bool enable_ats : 1;
	__le64 ste[2];
};

struct arm_smmu_master_domain {
	struct list_head devices_elm;
	struct arm_smmu_master *master;
	/* For nested domains: the nested domain the master is under */
	struct iommu_domain *domain;
	ioasid_t ssid;
	bool nested_ats_flush : 1;
};

static inline struct arm_smmu_domain *to_smmu_domain(struct iommu_domain *dom)
{
	return container_of(dom, struct arm_smmu_domain, domain);
}

static inline struct arm_smmu_nested_domain *to_smmu_nested_domain(struct iommu_domain *dom)
{
	return container_of(dom, struct arm_smmu_nested_domain, domain);
}

/* The vIOMMU: a VM's view of this SMMU, on a nest-parent S2 domain */
struct arm_vsmmu {
	struct iommufd_viommu core;
	struct arm_smmu_device *smmu;
	struct arm_smmu_domain *s2_parent;
	u16 vmid;
};

static inline struct arm_vsmmu *to_vsmmu(struct iommufd_viommu *viommu)
{
	return container_of(viommu, struct arm_vsmmu, core);
}

/* ----- The entry writer (exposed for the KUnit suite) ----- */

#define NUM_ENTRY_QWORDS 8
static_assert(sizeof(struct arm_smmu_ste) == NUM_ENTRY_QWORDS * sizeof(u64));
static_assert(sizeof(struct arm_smmu_cd) == NUM_ENTRY_QWORDS * sizeof(u64));

struct arm_smmu_entry_writer_ops;
struct arm_smmu_entry_writer {
	const struct arm_smmu_entry_writer_ops *ops;
	struct arm_smmu_master *master;
};

struct arm_smmu_entry_writer_ops {
	void (*get_used)(const __le64 *entry, __le64 *used);
	void (*sync)(struct arm_smmu_entry_writer *writer);
};

void arm_smmu_get_ste_used(const __le64 *ent, __le64 *used_bits);
void arm_smmu_get_cd_used(const __le64 *ent, __le64 *used_bits);
void arm_smmu_write_entry(struct arm_smmu_entry_writer *writer, __le64 *cur,
			  const __le64 *target);

void arm_smmu_make_abort_ste(struct arm_smmu_ste *target);
void arm_smmu_make_bypass_ste(struct arm_smmu_device *smmu, struct arm_smmu_ste *target);
void arm_smmu_make_cdtable_ste(struct arm_smmu_ste *target, struct arm_smmu_master *master,
			       bool ats_enabled, unsigned int s1dss);
void arm_smmu_make_s2_domain_ste(struct arm_smmu_ste *target, struct arm_smmu_master *master,
				 struct arm_smmu_domain *smmu_domain, bool ats_enabled);
void arm_smmu_make_s1_cd(struct arm_smmu_cd *target, struct arm_smmu_master *master,
			 struct arm_smmu_domain *smmu_domain);
/*
 * The CD an SVA domain installs: @pgd the process's table root, 0 for a
 * released mm (TTB0 walks disabled with EPD0, faults without stalling).
 */
void arm_smmu_make_sva_cd(struct arm_smmu_cd *target, struct arm_smmu_master *master,
			  phys_addr_t pgd, u16 asid);

/* ----- arm-smmu-v3.cc ----- */

/* Probes the SMMU whose register file is at @base; ERR_PTR on failure. */
struct arm_smmu_device *arm_smmu_device_probe(void __iomem *base, const char *name);
void arm_smmu_device_remove(struct arm_smmu_device *smmu);
/* The SMMU raised an interrupt (the wired line, or its MSI). */
void arm_smmu_irq(struct arm_smmu_device *smmu, enum arm_smmu_irq_src src);
/* Handles whatever the event and PRI queues hold now, in the caller's thread. */
void arm_smmu_drain_queues(struct arm_smmu_device *smmu);

int arm_smmu_cmdq_build_cmd(u64 *cmd, struct arm_smmu_cmdq_ent *ent);
int arm_smmu_cmdq_issue_cmdlist(struct arm_smmu_device *smmu, u64 *cmds, int n, bool sync);
int arm_smmu_cmdq_issue_cmd(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_ent *ent);
int arm_smmu_cmdq_issue_cmd_with_sync(struct arm_smmu_device *smmu,
				      struct arm_smmu_cmdq_ent *ent);
void arm_smmu_cmdq_batch_init(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_batch *cmds);
void arm_smmu_cmdq_batch_add(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_batch *cmds,
			     struct arm_smmu_cmdq_ent *cmd);
int arm_smmu_cmdq_batch_submit(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_batch *cmds);

struct arm_smmu_ste *arm_smmu_get_step_for_sid(struct arm_smmu_device *smmu, u32 sid);
int arm_smmu_init_sid_strtab(struct arm_smmu_device *smmu, u32 sid);
struct arm_smmu_master *arm_smmu_find_master(struct arm_smmu_device *smmu, u32 sid);
void arm_smmu_tlb_inv_asid(struct arm_smmu_device *smmu, u16 asid);
void arm_smmu_sync_cd(struct arm_smmu_master *master, int ssid, bool leaf);

/* ----- arm-smmu-v3-entry.cc ----- */

void arm_smmu_write_ste(struct arm_smmu_master *master, u32 sid, struct arm_smmu_ste *ste,
			const struct arm_smmu_ste *target);
void arm_smmu_install_ste_for_dev(struct arm_smmu_master *master,
				  const struct arm_smmu_ste *target);
struct arm_smmu_cd *arm_smmu_get_cd_ptr(struct arm_smmu_master *master, u32 ssid);
struct arm_smmu_cd *arm_smmu_alloc_cd_ptr(struct arm_smmu_master *master, u32 ssid);
void arm_smmu_write_cd_entry(struct arm_smmu_master *master, int ssid,
			     struct arm_smmu_cd *cdptr, const struct arm_smmu_cd *target);
void arm_smmu_clear_cd(struct arm_smmu_master *master, ioasid_t ssid);
int arm_smmu_alloc_cd_tables(struct arm_smmu_master *master);
void arm_smmu_free_cd_tables(struct arm_smmu_master *master);

/* ----- arm-smmu-v3-domain.cc ----- */

extern const struct iommu_ops arm_smmu_ops;
extern struct iommu_domain arm_smmu_blocked_domain;
extern struct iommu_domain arm_smmu_identity_domain;

struct arm_smmu_attach_state {
	/* Inputs */
	struct iommu_domain *old_domain;
	struct arm_smmu_master *master;
	bool cd_needs_ats;
	bool disable_ats;
	ioasid_t ssid;
	/* Resulting state */
	struct arm_smmu_vmaster *vmaster;
	bool ats_enabled;
	bool iopf;		/* the new domain has a fault handler */
};

int arm_smmu_attach_prepare(struct arm_smmu_attach_state *state, struct iommu_domain *new_domain);
void arm_smmu_attach_commit(struct arm_smmu_attach_state *state);
int arm_smmu_atc_inv_master(struct arm_smmu_master *master, ioasid_t ssid);
int arm_smmu_atc_inv_domain(struct arm_smmu_domain *smmu_domain, unsigned long iova, size_t size);
void arm_smmu_tlb_inv_range_domain(unsigned long iova, size_t size, size_t granule, bool leaf,
				   struct arm_smmu_domain *smmu_domain);
void arm_smmu_domain_inv(struct arm_smmu_domain *smmu_domain);
struct arm_smmu_domain *arm_smmu_domain_alloc(void);
int arm_smmu_domain_finalise(struct arm_smmu_domain *smmu_domain, struct arm_smmu_device *smmu,
			     u32 flags);
static inline struct arm_smmu_master *arm_smmu_master_of(struct device *dev)
{
	return (struct arm_smmu_master *)dev_iommu_priv_get(dev);
}

/* ----- arm-smmu-v3-iommufd.cc ----- */

/* The vSTE fields a guest may set (IOMMU_HWPT_DATA_ARM_SMMUV3); anything else is -EIO */
#define STRTAB_STE_0_NESTING_ALLOWED                                              \
	cpu_to_le64(STRTAB_STE_0_V | STRTAB_STE_0_CFG | STRTAB_STE_0_S1FMT |       \
		    STRTAB_STE_0_S1CTXPTR_MASK | STRTAB_STE_0_S1CDMAX)
#define STRTAB_STE_1_NESTING_ALLOWED                                              \
	cpu_to_le64(STRTAB_STE_1_S1DSS | STRTAB_STE_1_S1CIR | STRTAB_STE_1_S1COR | \
		    STRTAB_STE_1_S1CSH | STRTAB_STE_1_S1STALLD | STRTAB_STE_1_EATS)

/* arm-smmu-v3-domain.cc: the instance as an iommu_device, found by @fwnode */
int arm_smmu_register_iommu(struct arm_smmu_device *smmu, const void *fwnode);
void arm_smmu_unregister_iommu(struct arm_smmu_device *smmu);

void *arm_smmu_hw_info(struct device *dev, u32 *length, u32 *type);
size_t arm_smmu_get_viommu_size(struct device *dev, u32 viommu_type);
int arm_vsmmu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent_domain,
		   const struct iommu_user_data *user_data);
int arm_smmu_attach_prepare_vmaster(struct arm_smmu_attach_state *state,
				    struct arm_smmu_nested_domain *nested_domain);
void arm_smmu_attach_commit_vmaster(struct arm_smmu_attach_state *state);
void arm_smmu_master_clear_vmaster(struct arm_smmu_master *master);
/* An event for a master under a vIOMMU: to the vEVENTQ, with its vSID. */
int arm_vmaster_report_event(struct arm_smmu_vmaster *vmaster, u64 *evt);
/* The ARM_SMMUV3 vIOMMU's ops, for an implementation's vIOMMU to reuse. */
struct iommu_domain *arm_vsmmu_alloc_domain_nested(struct iommufd_viommu *viommu, u32 flags,
						   const struct iommu_user_data *user_data);
int arm_vsmmu_cache_invalidate(struct iommufd_viommu *viommu, struct iommu_user_data_array *array);

/* ----- tegra241-cmdqv.cc: the Tegra241 CMDQV extension ----- */
/*
 * Binds the CMDQV whose registers are @base to @smmu (smmu->impl_ops); 0 or
 * -errno. The host keeps issuing through the SMMU's own queue (VINTF0 is
 * reserved, its queues unused); VINTFs 1.. are for VMs.
 */
int tegra241_cmdqv_probe(struct arm_smmu_device *smmu, void __iomem *base);
void tegra241_cmdqv_remove(struct arm_smmu_device *smmu);
/* The CMDQV's error interrupt line. */
void tegra241_cmdqv_irq(struct arm_smmu_device *smmu);

/* ----- arm-smmu-v3-platform.cc: the "smmuv3" platform kind ----- */

struct platform_iommu;
struct smmuv3_model;
/* The driver's instance and the model behind a "smmuv3" platform IOMMU, or NULL */
struct arm_smmu_device *smmuv3_platform_smmu(struct platform_iommu *piommu);
struct smmuv3_model *smmuv3_platform_model(struct platform_iommu *piommu);
