/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal VT-d driver for the model's conformance suites: it brings a
 * unit up through its registers (root table, invalidation queue, page
 * request queue in fake physical memory), writes context and PASID
 * entries and 4-level page tables by hand, submits invalidation
 * descriptors and reads fault records back, as the kernel's driver would
 * but with nothing hidden behind helpers the tests need to see through.
 */
#pragma once

#include "kunit.h"

#include "drivers/intel/model/vtd_model.h"
#include "harness/io.h"
#include "harness/physmem.h"

#include <vector>

struct vtd_test {
	struct kunit *test;
	struct vtd_model *m;
	void __iomem *base;
	bool sm;
	struct root_entry *root;
	struct qi_desc *iq;		/* 256-bit slots in scalable mode, else 128-bit */
	struct page_req_dsc *prq;
	u64 *pasid_dir;			/* one directory shared by every SM context */
	u32 *status;			/* a word for invalidation waits to write */
	u32 gcmd;			/* persistent commands currently set */
	std::vector<void *> pages;
	unsigned int irqs[VTD_IRQ_NR];
	struct {
		u16 rid;
		u32 pasid;
		bool pasid_present;
		u16 prg_index;
		unsigned int code;
		bool automatic;
	} resp[8];
	unsigned int nr_resp;
};

void *vtd_test_alloc(struct vtd_test *t, size_t size);
static inline u64 vtd_pa(const void *p) { return virt_to_phys(p); }

/* The model with @cfg (NULL: defaults), enabled in scalable (@sm) or legacy mode. */
struct vtd_test *vtd_test_create(struct kunit *test, const struct vtd_model_cfg *cfg, bool sm);
/* Just the model and its memory; nothing enabled. */
struct vtd_test *vtd_test_create_raw(struct kunit *test, const struct vtd_model_cfg *cfg, bool sm);
void vtd_test_enable(struct vtd_test *t);
/* One GCMD command, as the kernel issues it: the persistent bits plus @cmd. */
void vtd_gcmd(struct vtd_test *t, u32 cmd, bool set);

u32 vtd_rd(struct vtd_test *t, unsigned int off);
u64 vtd_rdq(struct vtd_test *t, unsigned int off);
void vtd_wr(struct vtd_test *t, unsigned int off, u32 val);
void vtd_wrq(struct vtd_test *t, unsigned int off, u64 val);

/* Places one descriptor at IQT and moves IQT past it; false if the queue stopped (IQE). */
bool vtd_qi(struct vtd_test *t, u64 qw0, u64 qw1, u64 qw2 = 0, u64 qw3 = 0);
/* An invalidation wait with a status write; true if the status landed. */
bool vtd_qi_wait(struct vtd_test *t);
void vtd_flush_iotlb_dsi(struct vtd_test *t, u16 did);
void vtd_flush_piotlb(struct vtd_test *t, u16 did, u32 pasid);
void vtd_flush_pasid_cache(struct vtd_test *t, u16 did, u32 pasid);
void vtd_flush_ctx_global(struct vtd_test *t);

/* ----- Tables ----- */

/* Legacy context entry of @sid (context table allocated on first use). */
void vtd_legacy_ctx(struct vtd_test *t, u16 sid, u64 lo, u64 hi);
/* Scalable-mode context entry of @sid; @val0 without the PASID directory is given one. */
void vtd_sm_ctx(struct vtd_test *t, u16 sid, u64 val0, u64 val1);
/* The standard SM context: present, PASIDE, DTE, PRE, a 512-entry (one page) directory. */
void vtd_sm_ctx_default(struct vtd_test *t, u16 sid);
/* The PASID entry of @pasid in the shared directory (table allocated on first use). */
struct pasid_entry *vtd_pasid_entry(struct vtd_test *t, u32 pasid);
void vtd_pasid_set(struct vtd_test *t, u32 pasid, const u64 *val);
void vtd_pasid_ss(u64 *val, u64 ssptr, u16 did, bool ssade);
void vtd_pasid_fs(u64 *val, u64 fsptr, u16 did);
void vtd_pasid_nested(u64 *val, u64 fsptr, u64 ssptr, u16 did);

/* A zeroed 4-level table root. */
u64 *vtd_pt_alloc(struct vtd_test *t);
/*
 * Maps the 4 KiB page @va to @pa in the 4-level table @root: second-stage
 * (@fs false, R plus W if @write) or first-stage (P, US, RW if @write).
 * Intermediate tables are allocated in ordinary memory.
 */
void vtd_pt_map(struct vtd_test *t, u64 *root, u64 va, u64 pa, bool fs, bool write);
/* The leaf entry of @va (which must be mapped). */
u64 *vtd_pt_leaf(u64 *root, u64 va);
/* Maps each of @fs's tables on the way to @va at GPA = PA in the SS table @ss. */
void vtd_ss_map_fs_tables(struct vtd_test *t, u64 *ss, u64 *fs, u64 va);

/* ----- Traffic ----- */

struct vtd_txn_result vtd_dma(struct vtd_test *t, u16 sid, u64 addr, bool write);
struct vtd_txn_result vtd_dma_pasid(struct vtd_test *t, u16 sid, u32 pasid, u64 addr, bool write);

/* The next valid fault record (cleared as the driver would), or false. */
struct vtd_fault_rec {
	u16 sid;
	u8 reason;
	u64 addr;
	bool read;
	bool pasid_present;
	u32 pasid;
};
bool vtd_fault_pop(struct vtd_test *t, struct vtd_fault_rec *rec);
/* Clears every fault record and FSTS. */
void vtd_fault_clear(struct vtd_test *t);
