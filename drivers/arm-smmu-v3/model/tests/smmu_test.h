/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal SMMUv3 driver for the model's conformance suites: it brings an
 * instance up through its registers (stream table, command, event and PRI
 * queues in fake physical memory), writes STEs, CDs and 4 KiB-granule
 * page tables by hand, issues commands and reads events back, as the
 * kernel's driver would but with nothing hidden behind helpers the tests
 * need to see through.
 */
#pragma once

#include "kunit.h"

#include "drivers/arm-smmu-v3/model/smmu_model.h"
#include "drivers/generic_pt/fmt/armv8.h"
#include "harness/io.h"
#include "harness/physmem.h"

#include <vector>

#define SMMU_TEST_SIDS_LG2 6	/* 64 STEs in the linear table */
#define SMMU_TEST_Q_LG2 4	/* 16 entries in each queue */

struct smmu_test {
	struct kunit *test;
	struct smmuv3_model *m;
	void __iomem *base;
	struct arm_smmu_ste *strtab;
	u64 *cmdq;
	struct arm_smmu_evtq_ent_raw *evtq;
	struct arm_smmu_priq_ent_raw *priq;
	u32 *msi;		/* a word for MSIs to land in */
	std::vector<void *> pages;	/* everything allocated, freed at the end */
	unsigned int irqs[SMMUV3_IRQ_NR];
	unsigned int msis[SMMUV3_IRQ_NR];
	struct {
		u32 sid, ssid;
		bool ssv;
		u16 grpid;
		enum pri_resp resp;
		bool automatic;
	} pri[8];
	unsigned int nr_pri;
};

void *smmu_test_alloc(struct smmu_test *t, size_t size);
static inline u64 smmu_pa(const void *p) { return virt_to_phys(p); }

/* Creates the model with @cfg (NULL: defaults) and enables it with linear stream table. */
struct smmu_test *smmu_test_create(struct kunit *test, const struct smmuv3_model_cfg *cfg);
/* Just the model and the queues in memory, nothing enabled. */
struct smmu_test *smmu_test_create_raw(struct kunit *test, const struct smmuv3_model_cfg *cfg);
void smmu_test_enable(struct smmu_test *t);

u32 smmu_rd(struct smmu_test *t, unsigned int off);
void smmu_wr(struct smmu_test *t, unsigned int off, u32 val);
void smmu_wrq(struct smmu_test *t, unsigned int off, u64 val);

/* Places one command and moves PROD past it; returns CMDQ_CONS afterwards. */
u32 smmu_cmd(struct smmu_test *t, u64 dw0, u64 dw1);
void smmu_sync(struct smmu_test *t);
void smmu_cfgi_ste(struct smmu_test *t, u32 sid);
void smmu_cfgi_cd(struct smmu_test *t, u32 sid, u32 ssid);

/* The next event record, or false when the queue is empty. */
bool smmu_evt_pop(struct smmu_test *t, struct arm_smmu_evtq_ent_raw *evt);
unsigned int smmu_evt_drain(struct smmu_test *t);

/* ----- Tables ----- */

void smmu_ste_write(struct smmu_test *t, u32 sid, const u64 *ste);
void smmu_ste_abort(u64 *ste);
void smmu_ste_bypass(u64 *ste);
/* Stage 1 through a CD table at @cdtab (PA or IPA), @cdmax SubstreamID bits. */
void smmu_ste_s1(u64 *ste, u64 cdtab, unsigned int cdmax, unsigned int s1fmt,
		 unsigned int s1dss);
/* Stage 2 of a 4K-granule, 3-level (39-bit IPA) table at @s2ttb. */
void smmu_ste_s2(u64 *ste, u64 s2ttb, u16 vmid);
void smmu_ste_nested(u64 *ste, u64 cdtab, unsigned int cdmax, u64 s2ttb, u16 vmid);

/* A valid CD: 4K granule, 39-bit VA, TTB0 @ttb0, R and A set. */
void smmu_cd_make(u64 *cd, u64 ttb0, u16 asid);

/* A page-table root (one zeroed page); its PA is smmu_pa(). */
u64 *smmu_pt_alloc(struct smmu_test *t);
/*
 * Maps the 4 KiB page @va to @pa in the 3-level (39-bit) table @root, stage
 * 1 or 2. @flags: SMMU_PT_W writable, SMMU_PT_NO_AF access flag clear.
 * Tables are allocated in ordinary memory; for a nested stage 1 whose
 * tables must be IPAs, @ipa_of translates a table PA to the IPA to store.
 */
enum { SMMU_PT_W = 1, SMMU_PT_NO_AF = 2 };
void smmu_pt_map(struct smmu_test *t, u64 *root, u64 va, u64 pa, bool s2, unsigned int flags);
/* Maps @s1's tables on the way to @va at IPA = PA in the stage-2 table @s2. */
void smmu_s2_map_s1_tables(struct smmu_test *t, u64 *s2, u64 *s1, u64 va);
/* The leaf entry of @va (which must be mapped), to corrupt or change it. */
u64 *smmu_pt_leaf(u64 *root, u64 va);

/* A DMA through the model. */
struct smmuv3_txn_result smmu_dma(struct smmu_test *t, u32 sid, u64 addr, bool write);
struct smmuv3_txn_result smmu_dma_pasid(struct smmu_test *t, u32 sid, u32 ssid, u64 addr,
					bool write);
