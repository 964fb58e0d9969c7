/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-d model's state, shared by its units: the register file, GCMD,
 * register-based invalidation, fault recording and events (regs.cc), the
 * invalidation queue (qi.cc), root/context/PASID fetch and decode with the
 * context and PASID caches (config.cc), and translation with the IOTLB,
 * the device-TLB and the page request queue (translate.cc).
 *
 * One std::mutex per instance guards everything: this is the hardware,
 * outside the kernel's lock graph. Events raised under it are collected
 * and delivered by vtd_unlock() once it is dropped.
 */
#pragma once

#include "drivers/intel/model/vtd_model.h"
#include "drivers/generic_pt/pt_walk.h"

#include <mutex>
#include <unordered_map>
#include <vector>

/* ----- Caches ----- */

template <class K> struct vtd_xxh {
	size_t operator()(const K &k) const { return XXH3_64bits(&k, sizeof(k)); }
};
template <class K> struct vtd_key_eq {
	bool operator()(const K &a, const K &b) const { return !memcmp(&a, &b, sizeof(a)); }
};
template <class K, class V>
using vtd_cache = std::unordered_map<K, V, vtd_xxh<K>, vtd_key_eq<K>>;

/* Past these a cache is emptied, as a hardware cache may evict anything. */
#define VTD_IOTLB_MAX 65536
#define VTD_CFG_MAX 16384

/* Not a PASID: the tag of legacy-mode translations. */
#define VTD_NO_PASID 0xffffffffU

/* A decoded context entry, legacy or scalable. */
struct vtd_ctx {
	u64 raw[4];
	bool sm;
	bool fpd;
	/* Legacy. */
	u8 tt;
	u16 did;
	struct pt_walk_cfg ss;
	/* Scalable. */
	bool dte, paside, pre;
	u64 pasid_dir;
	u32 pasid_dir_entries;
	u32 rid_pasid;
};

/* A decoded PASID table entry. */
struct vtd_pasid_ent {
	u64 raw[8];
	bool fpd;
	u8 pgtt;
	u16 did;
	bool sre, ere, ssade;
	struct pt_walk_cfg fs, ss;
};

struct vtd_pasid_key {
	u32 sid;
	u32 pasid;
};

/* What kind of mapping an IOTLB entry holds (which descriptors reach it). */
enum vtd_map_kind : u8 {
	VTD_MAP_SS,		/* legacy or PGTT second-stage only */
	VTD_MAP_FS,		/* PGTT first-stage only */
	VTD_MAP_NESTED,		/* PGTT nested: depends on both stages */
};

struct vtd_iotlb_key {
	u64 page;		/* input address with the page offset cleared */
	u32 pasid;		/* VTD_NO_PASID in legacy mode */
	u16 did;
	u8 size_lg2;
	u8 kind;		/* enum vtd_map_kind */
};
static_assert(sizeof(struct vtd_iotlb_key) == 16);

struct vtd_iotlb_ent {
	u64 oa_page;
	u8 perm;		/* PT_PERM_* */
	bool dirty;		/* filled by a write, or D is not maintained */
};

struct vtd_devtlb_key {
	u64 page;		/* 4 KiB page of the untranslated address */
	u32 pasid;		/* VTD_NO_PASID for requests without one */
	u16 sid;
	u16 pad;
};
static_assert(sizeof(struct vtd_devtlb_key) == 16);

struct vtd_devtlb_ent {
	u64 addr;
	bool r, w;
};

/* One fault about to be recorded. */
struct vtd_fault {
	u8 reason;		/* enum dmar_fault_reason */
	bool fpd;		/* an entry on the way had fault processing disabled */
};

struct vtd_model {
	std::mutex lock;
	struct vtd_model_cfg cfg;
	struct vtd_model_ops ops;
	void *priv;
	void __iomem *mmio;

	/* Register file. */
	u32 ver;
	u64 cap, ecap;
	u32 gsts;
	u64 rtaddr;		/* as written */
	u64 rtaddr_active;	/* as latched by SRTP */
	u64 ccmd;
	u64 iva, iotlb_reg;
	u32 fsts, fectl, fedata, feaddr, feuaddr;
	u64 iqh, iqt, iqa, iqer;
	u32 ics, iectl, iedata, ieaddr, ieuaddr;
	u64 irta;
	u64 pqh, pqt, pqa;
	u32 prs, pectl, pedata, peaddr, peuaddr;
	u64 frcd[16][2];
	unsigned int frcd_next;	/* where the next fault goes */

	/* Caches. */
	vtd_cache<u16, struct vtd_ctx> ctx_cache;
	vtd_cache<struct vtd_pasid_key, struct vtd_pasid_ent> pasid_cache;
	vtd_cache<struct vtd_iotlb_key, struct vtd_iotlb_ent> iotlb;
	u64 iotlb_sizes;	/* BIT(size_lg2) of every size in @iotlb */
	vtd_cache<struct vtd_devtlb_key, struct vtd_devtlb_ent> devtlb;

	struct vtd_model_stats stats;
	unsigned int pending_irq, pending_msi;	/* BIT(enum vtd_irq) */
	struct prg_resp_msg {
		u16 rid;
		u32 pasid;
		bool pasid_present;
		u16 prg_index;
		unsigned int resp_code;
		bool automatic;
	};
	std::vector<prg_resp_msg> pending_resp;
};

void vtd_lock(struct vtd_model *m);
void vtd_unlock(struct vtd_model *m);

static inline bool vtd_scalable(struct vtd_model *m)
{
	return FIELD_GET(DMA_RTADDR_TTM, m->rtaddr_active) == DMA_RTADDR_TTM_SCALABLE;
}

/* regs.cc */
void vtd_fault_event_status(struct vtd_model *m, u32 bits);
bool vtd_record_fault(struct vtd_model *m, const struct vtd_txn *txn, const struct vtd_fault *f,
		      bool translation_request);
void vtd_raise_event(struct vtd_model *m, enum vtd_irq src);
void vtd_flush_all(struct vtd_model *m);

/* qi.cc */
void vtd_qi_consume(struct vtd_model *m);

/* config.cc: 0 with @ctx/@pe filled, or the fault reason. */
int vtd_get_ctx(struct vtd_model *m, u16 sid, const struct vtd_ctx **ctx, struct vtd_fault *f);
int vtd_get_pasid(struct vtd_model *m, const struct vtd_ctx *ctx, u16 sid, u32 pasid,
		  const struct vtd_pasid_ent **pe, struct vtd_fault *f);
void vtd_ctx_inv(struct vtd_model *m, unsigned int gran, u16 did, u16 sid, unsigned int fm);
void vtd_pasid_cache_inv(struct vtd_model *m, unsigned int gran, u16 did, u32 pasid);

/* translate.cc */
void vtd_iotlb_inv(struct vtd_model *m, unsigned int gran, u16 did, u64 addr, unsigned int am);
void vtd_piotlb_inv(struct vtd_model *m, unsigned int gran, u16 did, u32 pasid, u64 addr,
		    unsigned int am);
void vtd_devtlb_inv(struct vtd_model *m, u16 sid, u32 pasid, bool global, u64 addr, bool size);
