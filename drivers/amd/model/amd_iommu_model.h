/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A software AMD IOMMU (DMA remapping and the HW-vIOMMU; interrupt
 * remapping, the guest virtual APIC, performance counters and SNP are
 * not modelled): what the driver programs through the register file and
 * fake physical memory, and what a device's DMA meets.
 *
 * The model owns a 512 KiB register file served through ioremap_model()
 * and, with the HW-vIOMMU, the VF MMIO (one 4 KiB page per guest) and VF
 * control MMIO (64 bytes per guest) BARs. It reads the device table,
 * GCR3 tables, page tables and command buffers with phys_read(); it
 * writes the event and PPR logs, completion-wait stores and A/D updates
 * with phys_write(). It never includes the driver.
 *
 * Threads and ordering. Every entry point takes the instance's lock, so
 * MMIO from the driver and DMA from device threads may race as on real
 * hardware. The command buffer is consumed synchronously inside the MMIO
 * write that moves CmdTail (or that enables the IOMMU or the command
 * buffer): when writeq() returns, every command up to the tail has
 * completed, or the buffer has stopped at an illegal one with CmdHead
 * pointing at it, Status.CmdBufRun clear and an ILLEGAL_COMMAND_ERROR in
 * the event log. A guest's command buffer is consumed the same way in
 * the write of its VF MMIO CmdTail.
 *
 * Interrupts. The AMD IOMMU signals through one MSI whose routing is the
 * platform's business: the model calls amd_iommu_model_ops.irq() with the
 * cause (event log, completion wait, PPR log) when the Status bit is set
 * and its Control enable is on; a guest's causes go to guest_irq(). Hooks
 * run after the instance's lock is dropped, so they may do MMIO.
 *
 * Caches, tagged as the hardware tags them and keyed with XXH3: the DTE
 * cache (by DeviceID), the IOTLB (by DomainID, and PASID for guest
 * translations; each entry also remembers the GPA page of a nested
 * translation and the guest that owns the device), a page-directory
 * cache of v1 leaf tables (by DomainID and 2 MiB region, dropped only by
 * invalidations with PDE set) and, for ATS devices,
 * a device IOTLB kept on the endpoint's behalf (by DeviceID, PASID and
 * page). A stale entry keeps translating until the command that covers
 * it completes.
 */
#pragma once

#include "drivers/amd/hw/amd-iommu-hw.h"
#include "harness/compiler.h"

#include <vector>

struct amd_iommu_model;

/* Capabilities, turned into EFR and EFR2 by amd_iommu_model_create(). */
struct amd_iommu_model_cfg {
	u8 hats;		/* FEATURE_HATS: 0..2 = 4..6 host levels */
	u8 gats;		/* FEATURE_GATS: 0 = 4-level, 1 = 5-level guest tables */
	u8 glx;			/* FEATURE_GLX: 0 = 1-level, 1 = 2-level GCR3 tables */
	u8 pasmax;		/* FEATURE_PASMAX: PASID bits - 1 (<= 19) */
	u8 oas;			/* physical address width, <= 52 */
	bool gt;		/* GTSup: guest (v2) translation, PASIDs */
	bool ppr;		/* PPRSup: page requests */
	bool ia;		/* IASup: INVALIDATE_IOMMU_ALL */
	bool nx;		/* NXSup */
	bool giov;		/* GIoSup */
	bool ha, hd;		/* HASup / HDSup: host A and D updates (DTE.HAD) */
	bool prefetch;		/* PreFSup: PREFETCH_IOMMU_PAGES (a hint, ignored) */
	bool viommu;		/* the HW-vIOMMU (FEATURE_VIOMMU, VF BARs) */
	u16 iommu_devid;	/* the IOMMU's own DeviceID: its DTE maps the PAS */
	u32 nr_guests;		/* VF MMIO pages (GuestIDs 0 .. nr_guests - 1), <= 65536 */
};

/*
 * Every feature the model implements, at its largest: 6-level host and
 * 5-level guest tables, 2-level GCR3 tables, 16-bit PASIDs, PPR, IA,
 * HA/HD, 52-bit addresses and the HW-vIOMMU with 16 guests.
 */
void amd_iommu_model_cfg_default(struct amd_iommu_model_cfg *cfg);

enum amd_iommu_irq {
	AMD_IOMMU_IRQ_EVENT,	/* Status.EventLogInt with Control.EventIntEn */
	AMD_IOMMU_IRQ_COMWAIT,	/* Status.ComWaitInt with Control.ComWaitIntEn */
	AMD_IOMMU_IRQ_PPR,	/* Status.PprInt with Control.PprIntEn */
	AMD_IOMMU_IRQ_NR,
};

/* What the model tells the rest of the machine. Every hook may be NULL. */
struct amd_iommu_model_ops {
	void (*irq)(void *priv, enum amd_iommu_irq src);
	/* A guest's interrupt (its VF MMIO Status bit with its VF control enable). */
	void (*guest_irq)(void *priv, u16 gid, enum amd_iommu_irq src);
	/* A PRG response to a device: COMPLETE_PPR_REQUEST (host or guest). */
	void (*ppr_response)(void *priv, u16 devid, u32 pasid, bool gn, u16 tag,
			     unsigned int status);
};

/* ERR_PTR(-EINVAL) for a bad @cfg, ERR_PTR(-ENOMEM). */
struct amd_iommu_model *amd_iommu_model_create(const struct amd_iommu_model_cfg *cfg,
					       const struct amd_iommu_model_ops *ops, void *priv);
void amd_iommu_model_destroy(struct amd_iommu_model *m);
/* The register file (AMD_IOMMU_MODEL_MMIO_SIZE bytes), for readq()/writeq(). */
void __iomem *amd_iommu_model_mmio(struct amd_iommu_model *m);
/* With cfg.viommu: the VF BAR (nr_guests pages) and VF control BAR (nr_guests * 64 bytes). */
void __iomem *amd_iommu_model_vf_mmio(struct amd_iommu_model *m);
void __iomem *amd_iommu_model_vfctrl_mmio(struct amd_iommu_model *m);
u64 amd_iommu_model_efr(struct amd_iommu_model *m);

inline constexpr unsigned long AMD_IOMMU_MODEL_MMIO_SIZE = MMIO_REG_END_OFFSET;

/* ----- Transactions ----- */

struct amd_iommu_txn {
	u16 devid;		/* requester: bus << 8 | devfn */
	u32 pasid;
	bool pasid_present;
	u64 addr;		/* IOVA/GVA, or a translated address with @ats_translated */
	bool write;
	bool exec;
	bool priv;		/* supervisor request (PASID TLP prefix) */
	bool ats_translated;	/* PCIe Translated request (AT=10b) */
};

enum amd_iommu_txn_status {
	AMD_IOMMU_TXN_OK,	/* @pa is where the access goes */
	AMD_IOMMU_TXN_ABORT,	/* target abort */
};

struct amd_iommu_txn_result {
	enum amd_iommu_txn_status status;
	phys_addr_t pa;
	u64 contig;		/* bytes from @pa translated the same way */
	u8 event;		/* EVENT_TYPE_* met (logged or not), 0 if none */
	u16 event_flags;	/* EVENT_FLAG_* */
	bool logged;		/* written to an event log (the host's or a guest's) */
};

/* Translates one DMA of the device @txn names. */
void amd_iommu_model_translate(struct amd_iommu_model *m, const struct amd_iommu_txn *txn,
			       struct amd_iommu_txn_result *res);

/*
 * An ATS endpoint's IOTLB, kept by the model for the endpoint: a hit
 * gives the translated address the endpoint would send; a miss makes a
 * Translation Request (amd_iommu_model_ats_request()) and caches its
 * answer until an INVALIDATE_IOTLB_PAGES covers it.
 */
void amd_iommu_model_devtlb_translate(struct amd_iommu_model *m,
				      const struct amd_iommu_txn *txn,
				      struct amd_iommu_txn_result *res);

/* A Translation Completion (PCIe 10.2.3). */
struct amd_iommu_ats_resp {
	bool ok;		/* false: Unsupported Request */
	bool r, w;		/* both 0: no translation */
	u64 addr;		/* translated address of the page holding the request */
	u8 size_lg2;
};
void amd_iommu_model_ats_request(struct amd_iommu_model *m, const struct amd_iommu_txn *txn,
				 struct amd_iommu_ats_resp *resp);

/* A PCIe Page Request message. */
struct amd_iommu_page_req {
	u16 devid;
	u32 pasid;
	bool pasid_present;
	u64 addr;
	bool read, write, exec, priv;
	u16 tag;		/* PRG index, 9 bits */
};
enum amd_iommu_ppr_status {
	AMD_IOMMU_PPR_QUEUED,
	AMD_IOMMU_PPR_DISCARDED,	/* log full (PprOverflow), disabled, or not allowed */
};
enum amd_iommu_ppr_status amd_iommu_model_page_request(struct amd_iommu_model *m,
						       const struct amd_iommu_page_req *req);

/* ----- Introspection for tests and traces ----- */

struct amd_iommu_model_stats {
	u64 cmds;		/* commands completed (host and guests) */
	u64 guest_cmds;
	u64 waits;
	u64 events, events_lost;
	u64 guest_events;
	u64 iotlb_hits, iotlb_misses;
	u64 pde_hits;
	u64 dte_hits, dte_misses;
	u64 devtlb_hits, devtlb_misses;
	u64 walks;
	u64 pprs, pprs_lost;
	u32 iotlb_entries, dte_entries, devtlb_entries, pde_entries;
};
void amd_iommu_model_get_stats(struct amd_iommu_model *m, struct amd_iommu_model_stats *st);
/*
 * Every cache entry as a line naming its tag and permissions (never a
 * physical address), sorted, at most @max then "... N more", to @emit
 * (harness/cache_lines.h).
 */
void amd_iommu_model_describe_caches(struct amd_iommu_model *m, unsigned int max,
				     void (*emit)(void *arg, const char *line), void *arg);
/* A HW-vIOMMU guest the host has programmed: its VF control and VF MMIO registers. */
struct amd_iommu_model_guest {
	u32 gid;
	u64 misc, cmd_ctl, evt_ctl, ppr_ctl;
	u64 cmd_head, cmd_tail, evt_head, evt_tail, status;
};
void amd_iommu_model_get_guests(struct amd_iommu_model *m,
				std::vector<struct amd_iommu_model_guest> *out);
/* A register's value as a read of it would return, without an MMIO access (digests). */
u64 amd_iommu_model_peek(struct amd_iommu_model *m, unsigned int offset);
