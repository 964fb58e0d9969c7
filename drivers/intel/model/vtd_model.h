/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A software Intel VT-d remapping unit (DMA remapping; interrupt remapping
 * is not modelled): what the driver programs through the register file
 * and fake physical memory, and what a device's DMA meets.
 *
 * The model owns a 4 KiB register file served through ioremap_model() and
 * reads root, context and PASID tables, page tables and the invalidation
 * queue with phys_read(); it writes page requests, invalidation wait
 * status, event messages and A/D updates with phys_write(). It never
 * includes the driver.
 *
 * Threads and ordering. Every entry point takes the instance's lock, so
 * MMIO from the driver and DMA from device threads may race as on real
 * hardware. The invalidation queue is consumed synchronously inside the
 * MMIO write that moves IQT (or that enables queued invalidation, or that
 * clears FSTS.IQE to resume a stopped queue): when writel() returns, every
 * descriptor up to IQT has completed or the queue has stopped at an
 * invalid one with IQH pointing at it. GCMD commands, CCMD and IOTLB_REG
 * invalidations likewise complete within the write, so the driver's first
 * poll of GSTS, CCMD.ICC or IOTLB_REG.IVT sees them done.
 *
 * Interrupts. The fault, invalidation completion and page request events
 * are messages: when unmasked, the model writes the event's 32-bit DATA
 * register to its ADDR/UADDR with phys_write() if memory is there, and
 * always calls vtd_model_ops.irq() (msi_written says whether the write
 * happened). Masked events leave IP set until the mask is cleared. Hooks
 * run after the instance's lock is dropped, so they may do MMIO.
 *
 * Caches, tagged as the hardware tags them and keyed with XXH3: the
 * context cache (by source-id; legacy entries carry their DID), the PASID
 * cache (by source-id and PASID, holding the entry's DID), the IOTLB (by
 * DID, PASID and page; second-stage-only and legacy entries under the
 * RID's PASID) and, for ATS functions, a device-TLB kept on the endpoint's
 * behalf (by source-id, PASID and page). A stale entry keeps translating
 * until the descriptor or register invalidation that covers it completes.
 */
#pragma once

#include "drivers/intel/hw/intel-iommu-hw.h"
#include "harness/compiler.h"

struct vtd_model;

/* Capabilities, turned into CAP and ECAP by vtd_model_create(). */
struct vtd_model_cfg {
	u8 ver_major, ver_minor;
	u8 nd;			/* CAP.ND: 2^(4 + 2 * nd) domain ids (<= 6) */
	u8 sagaw;		/* CAP.SAGAW: DMA_SAGAW_* */
	u8 mgaw;		/* input address width (CAP.MGAW + 1), <= 57 */
	u8 haw;			/* host address width: output addresses, <= 52 */
	u8 nfr;			/* fault recording registers (1 .. 16) */
	u8 sllps;		/* CAP.SLLPS: DMA_SLLPS_* */
	u8 mamv;		/* CAP.MAMV */
	bool psi;		/* page-selective invalidation */
	bool caching_mode;	/* CAP.CM: not-present entries may be cached too */
	bool rwbf;
	bool fl1gp, fl5lp;
	bool esrtps;		/* SRTP also invalidates every cache */
	bool coherent;		/* ECAP.C / ECAP.SMPWC */
	bool qi;		/* queued invalidation */
	bool dt;		/* device-TLB: ATS */
	bool pt;		/* pass-through */
	bool sc;		/* snoop control */
	bool nest;
	bool prs;		/* page requests (needs scalable mode) */
	bool ers, srs;		/* execute / supervisor requests */
	bool pasid;
	u8 pss;			/* PASID bits - 1 (<= 19) */
	bool pds;		/* page-request drain */
	bool smts;		/* scalable mode; legacy mode is always there */
	bool slads;		/* second-stage A/D (SSADE) */
	bool slts, flts;	/* second / first-stage translation in scalable mode */
	bool rps;		/* RID_PASID */
	bool eafs;
	bool adms;		/* abort-DMA mode */
};

/*
 * Every feature the model implements, at its largest: scalable mode with
 * first, second and nested translation, 20-bit PASIDs, PRS, ATS, 4- and
 * 5-level tables, 48-bit HAW, 8 fault recording registers.
 */
void vtd_model_cfg_default(struct vtd_model_cfg *cfg);

enum vtd_irq {
	VTD_IRQ_FAULT,		/* FECTL/FEDATA/FEADDR: faults and queue errors */
	VTD_IRQ_INV_COMPLETION,	/* IECTL/IEDATA/IEADDR: invalidation wait with IF */
	VTD_IRQ_PAGE_REQ,	/* PECTL/PEDATA/PEADDR: page request queue */
	VTD_IRQ_NR,
};

/* What the model tells the rest of the machine. Every hook may be NULL. */
struct vtd_model_ops {
	void (*irq)(void *priv, enum vtd_irq src, bool msi_written);
	/*
	 * A page group response for a function's page request group: from a
	 * page group response descriptor (@automatic false) or the unit's own
	 * answer to a last request it could not queue (@automatic true).
	 */
	void (*page_response)(void *priv, u16 rid, u32 pasid, bool pasid_present, u16 prg_index,
			      unsigned int resp_code, bool automatic);
};

/* ERR_PTR(-EINVAL) for a bad @cfg, ERR_PTR(-ENOMEM). */
struct vtd_model *vtd_model_create(const struct vtd_model_cfg *cfg,
				   const struct vtd_model_ops *ops, void *priv);
void vtd_model_destroy(struct vtd_model *m);
/* The register file (VTD_MODEL_MMIO_SIZE bytes), for readl()/writeq(). */
void __iomem *vtd_model_mmio(struct vtd_model *m);

inline constexpr unsigned long VTD_MODEL_MMIO_SIZE = 0x1000;
/* Where the model puts its IOTLB registers and fault recording registers. */
inline constexpr unsigned int VTD_MODEL_IOTLB_REG = 0x200;
inline constexpr unsigned int VTD_MODEL_FRCD_REG = 0x220;

/* ----- Transactions ----- */

struct vtd_txn {
	u16 sid;		/* requester id: bus << 8 | devfn */
	u32 pasid;
	bool pasid_present;
	u64 addr;		/* IOVA, or a translated address with @ats_translated */
	bool write;
	bool exec;
	bool priv;		/* privileged-mode request (PASID TLP prefix) */
	bool ats_translated;	/* PCIe Translated request (AT=10b) */
};

enum vtd_txn_status {
	VTD_TXN_OK,		/* @pa is where the access goes */
	VTD_TXN_ABORT,		/* blocked: the device sees an Unsupported Request */
};

struct vtd_txn_result {
	enum vtd_txn_status status;
	phys_addr_t pa;
	u64 contig;		/* bytes from @pa translated the same way */
	u8 reason;		/* enum dmar_fault_reason met (recorded or not), 0 if none */
	bool recorded;		/* written to a fault recording register */
};

/* Translates one DMA of the function @txn names. */
void vtd_model_translate(struct vtd_model *m, const struct vtd_txn *txn,
			 struct vtd_txn_result *res);

/*
 * An ATS endpoint's device-TLB, kept by the model for the endpoint: a hit
 * gives the translated address the endpoint would send; a miss makes a
 * Translation Request (vtd_model_ats_request()) and caches its answer
 * until a device-TLB invalidation descriptor covers it.
 */
void vtd_model_devtlb_translate(struct vtd_model *m, const struct vtd_txn *txn,
				struct vtd_txn_result *res);

/* A Translation Completion (PCIe 10.2.3). */
struct vtd_ats_resp {
	bool ok;		/* false: Unsupported Request */
	bool r, w;		/* both 0: no translation */
	bool u;			/* untranslated access only (pass-through) */
	u64 addr;		/* translated address of the page holding the request */
	u8 size_lg2;
};
void vtd_model_ats_request(struct vtd_model *m, const struct vtd_txn *txn,
			   struct vtd_ats_resp *resp);

/* A PCIe Page Request message. */
struct vtd_page_req {
	u16 sid;
	u32 pasid;
	bool pasid_present;
	u64 addr;
	bool read, write, exec, priv;
	bool last;		/* LPIG */
	u16 prg_index;		/* 9 bits */
	bool private_data;	/* PDP, with @private_data_words */
	u64 private_data_words[2];
};
enum vtd_prq_status {
	VTD_PRQ_QUEUED,
	VTD_PRQ_DISCARDED,	/* queue full (PRS.PRO set) or the request was invalid */
};
enum vtd_prq_status vtd_model_page_request(struct vtd_model *m, const struct vtd_page_req *req);

/* ----- Introspection for tests and traces ----- */

struct vtd_model_stats {
	u64 descs;		/* invalidation descriptors consumed */
	u64 waits;		/* invalidation waits completed */
	u64 faults;		/* faults recorded */
	u64 faults_lost;	/* faults not recorded: overflow or FPD */
	u64 iotlb_hits, iotlb_misses;
	u64 ctx_hits, ctx_misses;
	u64 pasid_hits, pasid_misses;
	u64 devtlb_hits, devtlb_misses;
	u64 walks;
	u64 page_reqs, page_reqs_lost;
	u32 iotlb_entries, ctx_entries, pasid_entries, devtlb_entries;
};
void vtd_model_get_stats(struct vtd_model *m, struct vtd_model_stats *st);
/* The 32-bit register value at @offset, without side effects. */
u32 vtd_model_peek(struct vtd_model *m, unsigned int offset);
/*
 * Every cache entry as a line naming its tag and permissions (never a
 * physical address), sorted, at most @max then "... N more", to @emit
 * (harness/cache_lines.h).
 */
void vtd_model_describe_caches(struct vtd_model *m, unsigned int max,
			       void (*emit)(void *arg, const char *line), void *arg);
