/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's state, shared by its units: the register file (regs.cc),
 * the command queue consumer (cmdq.cc), configuration fetch and decode
 * (config.cc), and translation with its TLB, ATC, events and PRI
 * (translate.cc).
 *
 * One std::mutex per instance guards everything: this is the hardware,
 * outside the kernel's lock graph, so lockdep never sees it. Interrupts
 * raised under it are collected in @pending_irq and delivered by
 * smmuv3_unlock() once it is dropped.
 */
#pragma once

#include "drivers/arm-smmu-v3/model/smmu_model.h"
#include "drivers/generic_pt/pt_walk.h"

#include <condition_variable>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

/* ----- Caches ----- */

/* XXH3 over a key's bytes; keys are padded structs zeroed before use. */
template <class K> struct smmuv3_xxh {
	size_t operator()(const K &k) const { return XXH3_64bits(&k, sizeof(k)); }
};
template <class K> struct smmuv3_key_eq {
	bool operator()(const K &a, const K &b) const { return !memcmp(&a, &b, sizeof(a)); }
};
template <class K, class V>
using smmuv3_cache = std::unordered_map<K, V, smmuv3_xxh<K>, smmuv3_key_eq<K>>;

/* The cached value of @key or NULL, counting the hit or miss. */
template <class K, class V>
static inline const V *smmuv3_cache_lookup(smmuv3_cache<K, V> &cache, const K &key, u64 *hits,
					   u64 *misses)
{
	auto it = cache.find(key);

	if (it == cache.end()) {
		(*misses)++;
		return nullptr;
	}
	(*hits)++;
	return &it->second;
}

/*
 * Caches @val under @key. A full cache is emptied first, as a hardware
 * cache may evict anything at any time; values handed out earlier by
 * other caches stay valid.
 */
template <class K, class V>
static inline const V *smmuv3_cache_insert(smmuv3_cache<K, V> &cache, const K &key, const V &val,
					   size_t max)
{
	if (cache.size() >= max)
		cache.clear();
	return &(cache[key] = val);
}

/* A decoded STE: what translation of this stream needs. */
struct smmuv3_ste {
	u64 raw[STRTAB_STE_DWORDS];
	u8 config;		/* STRTAB_STE_0_CFG_* */
	u8 s1fmt, s1cdmax, s1dss;
	u64 s1ctxptr;
	u8 eats, strw;
	u16 vmid;
	bool s2r;		/* record stage-2 faults */
	struct pt_walk_cfg s2;	/* stage 2, when config has it */
};

/* A decoded CD. */
struct smmuv3_cd {
	u64 raw[CTXDESC_CD_DWORDS];
	u16 asid;
	bool record, abort_on_fault; /* CD.R, CD.A */
	bool stall;		/* CD.S: a stage-1 fault stalls */
	bool epd0, epd1, tbi0, tbi1;
	struct pt_walk_cfg ttb0, ttb1;
};

struct smmuv3_cd_key {
	u32 sid;
	u32 ssid;
};

/* Who a translation belongs to (the TLB's tag). */
enum smmuv3_regime : u8 {
	SMMUV3_REGIME_NS_EL1,	/* stage 1 (and nested) of NS-EL1 streams: VMID + ASID */
	SMMUV3_REGIME_EL2,	/* stage 1 of EL2 streams: ASID only */
	SMMUV3_REGIME_S2,	/* stage 2 alone: VMID + IPA */
};

struct smmuv3_tlb_key {
	u64 page;		/* input address with the page offset cleared */
	u16 vmid;
	u16 asid;
	u8 regime;		/* enum smmuv3_regime */
	u8 size_lg2;
	u8 nested;		/* stage 1 over stage 2: also a stage-2 entry */
	u8 pad;
};
static_assert(sizeof(struct smmuv3_tlb_key) == 16);

struct smmuv3_tlb_ent {
	u64 oa_page;		/* output address of @page */
	u8 perm;		/* PT_PERM_* */
};

struct smmuv3_atc_key {
	u64 page;		/* 4 KiB page of the untranslated address */
	u32 sid;
	u32 ssid;		/* 0 when !ssv */
	u8 ssv;
	u8 pad[7];
};
static_assert(sizeof(struct smmuv3_atc_key) == 24);

struct smmuv3_atc_ent {
	u64 addr;		/* translated address of the page */
	bool r, w;
};

/* Bounds: past these a cache is emptied, as a hardware cache evicts. */
#define SMMUV3_TLB_MAX 65536
#define SMMUV3_CFG_MAX 16384

/* A queue as the registers describe it. */
struct smmuv3_queue {
	u64 base;		/* *_BASE register */
	u32 prod, cons;		/* PROD/CONS registers, flags included */
	unsigned int log2size;	/* effective: min(BASE.LOG2SIZE, IDR1 limit) */
	u64 irq_cfg0;
	u32 irq_cfg1, irq_cfg2;
};

struct smmuv3_model {
	std::mutex lock;
	struct smmuv3_model_cfg cfg;
	struct smmuv3_model_ops ops;
	void *priv;
	void __iomem *mmio;

	/* Register file. */
	u32 idr[6], iidr, aidr;
	u32 cr0, cr1, cr2, gbpa, irq_ctrl, gerror, gerrorn;
	u64 gerror_irq_cfg0;
	u32 gerror_irq_cfg1, gerror_irq_cfg2;
	u64 strtab_base;
	u32 strtab_base_cfg;
	struct smmuv3_queue cmdq, evtq, priq;

	/* Caches. */
	smmuv3_cache<u32, struct smmuv3_ste> ste_cache;
	smmuv3_cache<struct smmuv3_cd_key, struct smmuv3_cd> cd_cache;
	smmuv3_cache<struct smmuv3_tlb_key, struct smmuv3_tlb_ent> tlb;
	u64 tlb_sizes;		/* BIT(size_lg2) of every size in @tlb */
	smmuv3_cache<struct smmuv3_atc_key, struct smmuv3_atc_ent> atc;

	struct smmuv3_model_stats stats;
	unsigned int pending_irq;	/* BIT(enum smmuv3_irq) to signal */
	unsigned int pending_msi;	/* of those, the ones an MSI was written for */
	/* PRG responses to deliver once unlocked. */
	struct pri_resp_msg {
		u32 sid, ssid;
		bool ssv;
		u16 grpid;
		enum pri_resp resp;
		bool automatic;
	};
	std::vector<pri_resp_msg> pending_pri;

	/*
	 * Stalled transactions (3.12.2): each waits in the translating thread
	 * on @stall_cv until CMD_RESUME (its StreamID and STAG),
	 * CMD_STALL_TERM (its StreamID) or the SMMU's disable ends it.
	 */
	struct stall {
		u32 sid;
		u16 stag;
		bool done;
		u8 resp;	/* CMDQ_RESUME_0_RESP_* */
	};
	std::list<stall> stalls;
	std::condition_variable stall_cv;
	u16 next_stag;
};

/* At most this many transactions stall at once (IDR5.STALL_MAX); more terminate. */
#define SMMUV3_STALL_MAX 16

/* Ends the stalled transactions of @sid (all of them if @all) with @resp. */
void smmuv3_stall_end(struct smmuv3_model *m, u32 sid, bool all, u16 stag, bool any_stag,
		      u8 resp);

/* Takes the lock; smmuv3_unlock() drops it and then delivers hooks. */
void smmuv3_lock(struct smmuv3_model *m);
void smmuv3_unlock(struct smmuv3_model *m);

/* regs.cc */
u32 smmuv3_ias_bits(struct smmuv3_model *m);
unsigned int smmuv3_oas_bits(struct smmuv3_model *m);
bool smmuv3_gerror_active(struct smmuv3_model *m, u32 bit);
void smmuv3_gerror_raise(struct smmuv3_model *m, u32 bit);
void smmuv3_raise_irq(struct smmuv3_model *m, enum smmuv3_irq src, u64 cfg0, u32 cfg1);

/* cmdq.cc */
void smmuv3_cmdq_consume(struct smmuv3_model *m);

/* config.cc: fill @ste/@cd or return the EVT_ID_* of the failure. */
struct smmuv3_fault_info {
	u8 event;		/* EVT_ID_*, 0 for none */
	bool s2;		/* a stage-2 fault (nested CD fetch) */
	u8 cls;			/* EVTQ_1_CLASS_* */
	u64 ipa;		/* for stage-2 faults */
	u64 fetch_addr;		/* for fetch aborts */
	bool record;		/* whether the event is recorded */
};
int smmuv3_get_ste(struct smmuv3_model *m, u32 sid, const struct smmuv3_ste **ste,
		   struct smmuv3_fault_info *fi);
int smmuv3_get_cd(struct smmuv3_model *m, const struct smmuv3_ste *ste, u32 sid, u32 ssid,
		  const struct smmuv3_cd **cd, struct smmuv3_fault_info *fi);
void smmuv3_cfgi_ste(struct smmuv3_model *m, u32 sid, u32 nr);
void smmuv3_cfgi_cd(struct smmuv3_model *m, u32 sid, u32 ssid, bool all);

/* translate.cc */
bool smmuv3_record_event(struct smmuv3_model *m, const struct arm_smmu_evtq_ent_raw *evt);
void smmuv3_tlb_flush(struct smmuv3_model *m, bool (*match)(const struct smmuv3_tlb_key *,
							    const void *), const void *arg);
void smmuv3_atc_inv(struct smmuv3_model *m, u32 sid, u32 ssid, bool ssv, bool global,
		    u64 addr, unsigned int size);

/* The event a walker fault is reported as. */
static inline u8 smmuv3_walk_event(u8 fault)
{
	switch (fault) {
	case PT_FAULT_ADDR_SIZE: return EVT_ID_ADDR_SIZE_FAULT;
	case PT_FAULT_ACCESS: return EVT_ID_ACCESS_FAULT;
	case PT_FAULT_PERMISSION: return EVT_ID_PERMISSION_FAULT;
	case PT_FAULT_BUS: return EVT_ID_WALK_EABT;
	default: return EVT_ID_TRANSLATION_FAULT;
	}
}
