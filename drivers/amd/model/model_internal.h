/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD IOMMU model's state, shared by its units: the register file,
 * event and PPR logs (regs.cc), the command buffer (cmdbuf.cc), DTE
 * fetch and decode with the DTE cache, translation with the IOTLB, the
 * device IOTLB and page requests (translate.cc), and the HW-vIOMMU's VF
 * and VF control MMIO, private address space and guest command buffers
 * (viommu.cc).
 *
 * One std::mutex per instance guards everything: this is the hardware,
 * outside the kernel's lock graph. Interrupts raised under it are
 * collected and delivered by amd_unlock() once it is dropped.
 */
#pragma once

#include "drivers/amd/model/amd_iommu_model.h"
#include "drivers/generic_pt/pt_walk.h"

#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

template <class K> struct amd_xxh {
	size_t operator()(const K &k) const { return XXH3_64bits(&k, sizeof(k)); }
};
template <class K> struct amd_key_eq {
	bool operator()(const K &a, const K &b) const { return !memcmp(&a, &b, sizeof(a)); }
};
template <class K, class V>
using amd_cache = std::unordered_map<K, V, amd_xxh<K>, amd_key_eq<K>>;

/* Past these a cache is emptied, as a hardware cache may evict anything. */
#define AMD_IOTLB_MAX 65536
#define AMD_DTE_MAX 16384

/* Not a PASID: the tag of host (v1 or untranslated) translations. */
#define AMD_NO_PASID 0xffffffffU
/* Not a guest: the owner of entries of devices without DTE vImuEn. */
#define AMD_NO_GUEST 0xffffffffU

/* A decoded DTE. */
struct amd_dte {
	u64 raw[4];
	bool v, tv;
	u8 mode;
	u16 domid;
	bool ir, iw;
	bool ppr, gv, giov, ats, se;
	u8 glx, gpm;
	u64 gcr3_root;
	struct pt_walk_cfg host;	/* mode != 0 */
	u32 gid;			/* AMD_NO_GUEST unless vImuEn */
	u16 gdevid;
};

struct amd_iotlb_key {
	u64 page;		/* input address with the page offset cleared */
	u32 pasid;		/* AMD_NO_PASID for host translations */
	u16 domid;
	u8 size_lg2;
	u8 pad;
};
static_assert(sizeof(struct amd_iotlb_key) == 16);

struct amd_iotlb_ent {
	u64 oa_page;
	u64 gpa_page;		/* nested: the guest output page (else ~0) */
	u8 gpa_size_lg2;
	u8 perm;		/* PT_PERM_* */
	bool nested;
	bool dirty;		/* filled by a write: the walk set D where the tables update it */
	u32 gid;		/* the guest the device belongs to, or AMD_NO_GUEST */
};

/*
 * A page-directory cache entry: the v1 table of 4 KiB leaves (spec level
 * 1) covering one 2 MiB region of a DomainID, with the permissions the
 * levels above it left.
 */
struct amd_pde_key {
	u64 region;		/* input address >> 21 */
	u16 domid;
	u16 pad[3];
};
static_assert(sizeof(struct amd_pde_key) == 16);

struct amd_pde_ent {
	u64 table;
	u8 perm;
	u32 gid;
};

struct amd_devtlb_key {
	u64 page;		/* 4 KiB page of the untranslated address */
	u32 pasid;		/* AMD_NO_PASID for requests without one */
	u16 devid;
	u16 pad;
};
static_assert(sizeof(struct amd_devtlb_key) == 16);

struct amd_devtlb_ent {
	u64 addr;
	bool r, w;
};

/* One 16-byte ring: command buffer, event log or PPR log. */
struct amd_ring {
	u64 base;		/* byte address (system or guest physical) */
	u64 size;		/* bytes */
	u64 head, tail;		/* byte offsets */
	bool run;
};

/* A guest of the HW-vIOMMU (GuestID = its index). */
struct amd_guest {
	u64 misc, cmd_ctl, evt_ctl, ppr_ctl;	/* VF control registers */
	struct amd_ring cmd, evt, ppr;
	u64 status;				/* its VF MMIO Status */
	bool cmd_in_pas;			/* CMD_CONTROL PAS as latched */
};

/* An event about to be logged. */
struct amd_event {
	u8 type;		/* EVENT_TYPE_* */
	u16 devid;
	u32 tag;		/* DomainID or (with EVENT_FLAG_GN) PASID */
	u16 flags;
	u64 addr;
};

struct amd_iommu_model {
	std::mutex lock;
	struct amd_iommu_model_cfg cfg;
	struct amd_iommu_model_ops ops;
	void *priv;
	void __iomem *mmio;
	void __iomem *vf_mmio;
	void __iomem *vfctrl_mmio;

	/* Register file. */
	u64 efr, efr2;
	u64 dev_table, cmd_buf, evt_buf, ppr_log, control;
	u64 excl_base, excl_limit;
	u64 status;
	u64 msi[4];		/* MSI and IntCapXT registers, stored only */
	struct amd_ring cmd, evt, pprl;

	/* Caches. */
	amd_cache<u16, struct amd_dte> dte_cache;
	amd_cache<struct amd_iotlb_key, struct amd_iotlb_ent> iotlb;
	u64 iotlb_sizes;	/* BIT(size_lg2) of every size in @iotlb */
	amd_cache<struct amd_pde_key, struct amd_pde_ent> pde_cache;
	amd_cache<struct amd_devtlb_key, struct amd_devtlb_ent> devtlb;

	/* HW-vIOMMU. */
	std::map<u32, struct amd_guest> guests;

	struct amd_iommu_model_stats stats;
	unsigned int pending_irq;	/* BIT(enum amd_iommu_irq) */
	struct guest_irq_msg {
		u16 gid;
		enum amd_iommu_irq src;
	};
	std::vector<guest_irq_msg> pending_guest_irq;
	struct ppr_resp_msg {
		u16 devid;
		u32 pasid;
		bool gn;
		u16 tag;
		unsigned int status;
	};
	std::vector<ppr_resp_msg> pending_resp;
};

void amd_lock(struct amd_iommu_model *m);
void amd_unlock(struct amd_iommu_model *m);

static inline bool amd_ctrl(const struct amd_iommu_model *m, unsigned int bit)
{
	return m->control & BIT_ULL(bit);
}

/* regs.cc */
void amd_event_encode(const struct amd_event *ev, struct amd_iommu_event *e);
/* Logs @ev in the host event log; false if it was lost (disabled, stopped, full). */
bool amd_log_event(struct amd_iommu_model *m, const struct amd_event *ev);
void amd_raise_irq(struct amd_iommu_model *m, enum amd_iommu_irq src);
bool amd_log_ppr(struct amd_iommu_model *m, const struct amd_iommu_ppr_entry *e);
void amd_ring_set(struct amd_ring *r, u64 base_reg);

/* cmdbuf.cc */
void amd_cmdbuf_consume(struct amd_iommu_model *m);
/* 0 if @cmd is a legal command for this IOMMU, else -EINVAL. */
int amd_cmd_check(const struct amd_iommu_model *m, const struct iommu_cmd *cmd);
void amd_inv_dte(struct amd_iommu_model *m, u16 devid);
void amd_inv_pages(struct amd_iommu_model *m, u16 domid, u32 pasid, bool gn, bool pde, u64 addr,
		   bool s);
void amd_inv_iotlb(struct amd_iommu_model *m, u16 devid, u32 pasid, bool gn, u64 addr, bool s);
void amd_inv_all(struct amd_iommu_model *m);
void amd_ppr_respond(struct amd_iommu_model *m, u16 devid, const struct iommu_cmd *cmd);

/* translate.cc */
/* 0 with @dte set, or the event to log (filled in @ev). */
int amd_get_dte(struct amd_iommu_model *m, u16 devid, const struct amd_dte **dte,
		struct amd_event *ev);
/*
 * Translates a host-stage address (GPA, PAS address) through the v1
 * table of @dte. 0 with @pa, or an enum pt_fault.
 */
int amd_host_xlate(const struct amd_dte *dte, u64 addr, bool write, u64 *pa);

/* viommu.cc */
void amd_viommu_flush_guest(struct amd_iommu_model *m, u32 gid);
int amd_viommu_mmio_init(struct amd_iommu_model *m);
void amd_viommu_mmio_exit(struct amd_iommu_model *m);
/* A device fault of a guest's device: logged in its guest's event log. */
bool amd_viommu_log_event(struct amd_iommu_model *m, u32 gid, const struct amd_event *ev);
/* A page request of a guest's device: logged in its guest's PPR log. */
bool amd_viommu_log_ppr(struct amd_iommu_model *m, u32 gid, const struct amd_iommu_ppr_entry *e);
