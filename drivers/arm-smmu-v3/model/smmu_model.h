/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A software ARM SMMUv3 (IHI 0070): what the driver programs through the
 * register file and fake physical memory, and what a device's DMA meets.
 *
 * The model is the hardware side of the driver/hardware boundary. It owns
 * a register file of two 64 KiB pages served through ioremap_model(), and
 * reads the stream table, context descriptors, page tables and command
 * queue with phys_read(); it writes event and PRI records, MSIs and
 * access/dirty updates with phys_write(). It never includes the driver.
 *
 * Threads and ordering. Every entry point takes the instance's lock, so
 * MMIO from the driver and DMA from device threads may race as on real
 * hardware. The command queue is consumed synchronously inside the MMIO
 * write that moves CMDQ_PROD (or that re-enables the queue, or that
 * acknowledges a command error through GERRORN): when writel() returns,
 * every command up to PROD has completed or the queue has stopped on an
 * error. That keeps runs deterministic; a driver that polls CONS or a
 * CMD_SYNC's MSI sees completion on its first read.
 *
 * Interrupts. An interrupt source (event queue, PRI queue, global error,
 * CMD_SYNC completion) is signalled by an MSI when IDR0.MSI is set and its
 * IRQ_CFG0 holds an address (a 32-bit phys_write() of IRQ_CFG1's payload),
 * and always by smmuv3_model_ops.irq(), the wired line (with msi_written
 * telling whether an MSI was written too). Hooks are called after the
 * instance's lock is dropped, so they may do MMIO on the model.
 *
 * Caches, as hardware keeps them: configuration (STE by StreamID, CD by
 * StreamID/SubstreamID) until CFGI_*, translations tagged by
 * (regime, VMID, ASID, VA) and (VMID, IPA) until the matching TLBI, and
 * for ATS-enabled streams an endpoint ATC until ATC_INV. A stale entry
 * keeps translating until its invalidation arrives. Keys are hashed with
 * XXH3.
 */
#pragma once

#include "drivers/arm-smmu-v3/hw/arm-smmu-v3-hw.h"
#include "harness/compiler.h"

struct smmuv3_model;

/* Capabilities, turned into IDR0/IDR1/IDR3/IDR5 by smmuv3_model_create(). */
struct smmuv3_model_cfg {
	bool st_2lvl;		/* IDR0.ST_LEVEL: 2-level stream table */
	bool cd_2lvl;		/* IDR0.CD2L */
	bool s1p, s2p;		/* stage 1 / stage 2 translation */
	bool asid16, vmid16;
	bool ats, pri;
	bool ril;		/* IDR3.RIL: range invalidations */
	bool hyp;		/* IDR0.HYP: EL2 stream world, TLBI_EL2_* */
	bool msi;		/* IDR0.MSI */
	bool sev;		/* IDR0.SEV */
	bool coherent;		/* IDR0.COHACC */
	bool fwb;		/* IDR3.FWB */
	u8 httu;		/* IDR0.HTTU: 0, IDR0_HTTU_ACCESS, IDR0_HTTU_ACCESS_DIRTY */
	bool gran4k, gran16k, gran64k;
	u8 oas;			/* IDR5.OAS encoding (IDR5_OAS_*); at most 48-bit */
	u8 sidsize;		/* IDR1.SIDSIZE, bits of StreamID (<= 32) */
	u8 ssidsize;		/* IDR1.SSIDSIZE, bits of SubstreamID (<= 20) */
	u8 cmdqs, evtqs, priqs;	/* IDR1 queue size limits (log2 entries, <= 19) */
	bool gbpa_abort;	/* GBPA.ABORT out of reset */
	/*
	 * IDR0.STALL_MODEL "stall and terminate" (else terminate only): a
	 * stage-1 fault under a CD with S=1 stalls the transaction, recorded
	 * with Stall and STAG, until CMD_RESUME or CMD_STALL_TERM.
	 */
	bool stall;
	u32 iidr;
};

/*
 * Every feature the model implements, at its largest (16-bit StreamIDs,
 * 20-bit SubstreamIDs, 2^19-entry queues), without HYP (EL2 streams) so a
 * driver runs in the NS-EL1 regime.
 */
void smmuv3_model_cfg_default(struct smmuv3_model_cfg *cfg);

enum smmuv3_irq {
	SMMUV3_IRQ_EVTQ,
	SMMUV3_IRQ_PRIQ,
	SMMUV3_IRQ_GERROR,
	SMMUV3_IRQ_CMD_SYNC,	/* CMD_SYNC with CS=IRQ */
	SMMUV3_IRQ_SEV,		/* CMD_SYNC with CS=SEV: a WFE wake-up event */
	SMMUV3_IRQ_NR,
};

/* What the model tells the rest of the machine. Every hook may be NULL. */
struct smmuv3_model_ops {
	/* A wired interrupt (or an MSI, with msi_written) for @src. */
	void (*irq)(void *priv, enum smmuv3_irq src, bool msi_written);
	/*
	 * A PRG response for a function's page request group: from PRI_RESP
	 * (@automatic false) or the SMMU's own answer to a last request it
	 * discarded on PRI queue overflow (@automatic true).
	 */
	void (*pri_response)(void *priv, u32 sid, u32 ssid, bool ssv, u16 grpid,
			     enum pri_resp resp, bool automatic);
};

/* ERR_PTR(-EINVAL) for a bad @cfg, ERR_PTR(-ENOMEM). */
struct smmuv3_model *smmuv3_model_create(const struct smmuv3_model_cfg *cfg,
					 const struct smmuv3_model_ops *ops, void *priv);
void smmuv3_model_destroy(struct smmuv3_model *m);
/* The register file (ARM_SMMU_MMIO_SIZE bytes), for readl()/writel(). */
void __iomem *smmuv3_model_mmio(struct smmuv3_model *m);

/* ----- Transactions ----- */

struct smmuv3_txn {
	u32 sid;
	u32 ssid;
	bool ssv;		/* the transaction carries a SubstreamID (PASID) */
	u64 addr;		/* IOVA, or a translated address with @ats_translated */
	bool write;
	bool exec;
	bool priv;
	/* A PCIe Translated request: an address the endpoint's ATC gave. */
	bool ats_translated;
};

enum smmuv3_txn_status {
	SMMUV3_TXN_OK,		/* @pa is where the access goes */
	SMMUV3_TXN_ABORT,	/* terminated with an abort (device sees UR/CA) */
	SMMUV3_TXN_RAZWI,	/* terminated, reads as zero, writes ignored (CD.A=0) */
};

struct smmuv3_txn_result {
	enum smmuv3_txn_status status;
	phys_addr_t pa;
	u64 contig;		/* bytes from @pa translated the same way */
	u8 event;		/* EVT_ID_* recorded (or that would have been), 0 if none */
};

/* Translates one untranslated (or ATS Translated) DMA of the device @txn names. */
void smmuv3_model_translate(struct smmuv3_model *m, const struct smmuv3_txn *txn,
			    struct smmuv3_txn_result *res);

/*
 * An endpoint's ATC, kept by the model for the endpoint: an access by an
 * ATS-capable device goes through this first. A hit gives the translated
 * address as the endpoint would send it; a miss makes an ATS Translation
 * Request (smmuv3_model_ats_request()) and caches its answer until ATC_INV.
 */
void smmuv3_model_atc_translate(struct smmuv3_model *m, const struct smmuv3_txn *txn,
				struct smmuv3_txn_result *res);

/* An ATS Translation Request's completion (PCIe 10.2.3). */
struct smmuv3_ats_resp {
	bool ok;		/* false: Unsupported Request (no response data) */
	bool r, w;		/* permissions granted; both 0 = no translation */
	u64 addr;		/* translated address of the page holding the request */
	u8 size_lg2;		/* the translation's size */
};
void smmuv3_model_ats_request(struct smmuv3_model *m, const struct smmuv3_txn *txn,
			      struct smmuv3_ats_resp *resp);

/* A PCIe Page Request message (PRI). */
struct smmuv3_page_req {
	u32 sid;
	u32 ssid;
	bool ssv;
	u64 addr;
	bool read, write, exec, priv;
	bool last;
	u16 grpid;		/* PRG index, 9 bits */
};
enum smmuv3_pri_status {
	SMMUV3_PRI_QUEUED,
	SMMUV3_PRI_DISCARDED,	/* PRI queue disabled or full (OVFLG set) */
};
enum smmuv3_pri_status smmuv3_model_page_request(struct smmuv3_model *m,
						 const struct smmuv3_page_req *req);

/*
 * Runs one command that reached the SMMU by another queue (an extension's,
 * such as a Tegra241 VCMDQ): 0, or the CMDQ_ERR_CERROR_* index the SMMU's
 * own queue would have stopped with. Takes the instance's lock.
 */
u32 smmuv3_model_exec_cmd(struct smmuv3_model *m, const u64 *cmd);

/* ----- Introspection for tests and traces ----- */

struct smmuv3_model_stats {
	u64 cmds;		/* commands consumed */
	u64 cmds_ignored;	/* consumed without effect here (PREFETCH_*, RESUME, ...) */
	u64 events;		/* event records written */
	u64 events_lost;	/* events dropped: queue full, disabled or not writable */
	u64 tlb_hits, tlb_misses;
	u64 ste_hits, ste_misses;
	u64 cd_hits, cd_misses;
	u64 atc_hits, atc_misses;
	u64 walks;		/* page-table walks made */
	u64 syncs;		/* CMD_SYNCs completed */
	u32 tlb_entries, ste_entries, cd_entries, atc_entries;
};
void smmuv3_model_get_stats(struct smmuv3_model *m, struct smmuv3_model_stats *st);
/*
 * Every cache entry as a line naming its tag and permissions (never a
 * physical address), sorted, at most @max then "... N more", to @emit
 * (harness/cache_lines.h).
 */
void smmuv3_model_describe_caches(struct smmuv3_model *m, unsigned int max,
				  void (*emit)(void *arg, const char *line), void *arg);
/* The register value at @offset (any page), without side effects. */
u32 smmuv3_model_peek(struct smmuv3_model *m, unsigned int offset);
