/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal AMD IOMMU driver for the model's conformance suites: it brings
 * the IOMMU up through its registers (device table, command buffer, event
 * and PPR logs in fake physical memory), writes DTEs, v1 host tables,
 * GCR3 tables and x86-64 guest tables by hand, issues commands and reads
 * events back, as the kernel's driver would but with nothing hidden
 * behind functions the tests need to see through. For the HW-vIOMMU it
 * also plays the host driver (PAS mappings, VF control) and the guest
 * (its command buffer in guest memory, its VF MMIO page).
 */
#pragma once

#include "kunit.h"

#include "drivers/amd/model/amd_iommu_model.h"
#include "harness/io.h"
#include "harness/physmem.h"

#include <vector>

/* The device table the tests use: 4 pages, DeviceIDs 0 .. 511. */
inline constexpr unsigned int AMD_TEST_DEVTAB_PAGES = 4;

struct amd_test {
	struct kunit *test;
	struct amd_iommu_model *m;
	void __iomem *base;
	struct dev_table_entry *devtab;
	struct iommu_cmd *cmdbuf;	/* 512 entries */
	struct amd_iommu_event *evtlog;	/* 512 entries */
	struct amd_iommu_ppr_entry *pprlog;
	u64 *sem;
	std::vector<void *> pages;
	unsigned int irqs[AMD_IOMMU_IRQ_NR];
	unsigned int guest_irqs;
	struct {
		u16 devid;
		u32 pasid;
		bool gn;
		u16 tag;
		unsigned int status;
	} resp[8];
	unsigned int nr_resp;
};

void *amd_test_alloc(struct amd_test *t, size_t size);
static inline u64 amd_pa(const void *p) { return virt_to_phys(p); }

/* The model with @cfg (NULL: defaults), brought up as the kernel's init does. */
struct amd_test *amd_test_create(struct kunit *test, const struct amd_iommu_model_cfg *cfg);

u64 amd_rdq(struct amd_test *t, unsigned int off);
void amd_wrq(struct amd_test *t, unsigned int off, u64 val);
void amd_feature(struct amd_test *t, unsigned int bit, bool on);

/* Places one command at CmdTail and moves the tail; false if the buffer stopped. */
bool amd_cmd(struct amd_test *t, const struct iommu_cmd *cmd);
/* A COMPLETION_WAIT with a store; true if the store landed. */
bool amd_wait(struct amd_test *t);
void amd_flush_dte(struct amd_test *t, u16 devid);
/* INVALIDATE_IOMMU_PAGES of [@addr, @addr + @size) encoded as the kernel does. */
void amd_flush_pages(struct amd_test *t, u16 domid, u32 pasid, bool gn, u64 addr, u64 size);
void amd_build_inv_pages(struct iommu_cmd *c, u16 domid, u32 pasid, bool gn, u64 addr, u64 size);

/* The next event in the log (consumed by moving EvtHead), or false. */
bool amd_evt_pop(struct amd_test *t, struct amd_iommu_event *ev);
static inline unsigned int amd_evt_type(const struct amd_iommu_event *ev)
{
	return ev->data[1] >> EVENT_TYPE_SHIFT;
}
static inline unsigned int amd_evt_flags(const struct amd_iommu_event *ev)
{
	return (ev->data[1] >> EVENT_FLAGS_SHIFT) & EVENT_FLAGS_MASK;
}
static inline u64 amd_evt_addr(const struct amd_iommu_event *ev)
{
	return ((u64)ev->data[3] << 32) | ev->data[2];
}

/* ----- Tables ----- */

/* A zeroed table page. */
u64 *amd_pt_alloc(struct amd_test *t);
/* Maps the 4 KiB page @va -> @pa in the v1 table @root of @levels levels. */
void amd_v1_map(struct amd_test *t, u64 *root, unsigned int levels, u64 va, u64 pa, bool ir,
		bool iw);
/* A Next Level 7 (sized) leaf for a @size page at level 1 entries (2 MiB items). */
u64 *amd_v1_leaf(u64 *root, unsigned int levels, u64 va);
/* Maps the 4 KiB page @va -> @pa in the x86-64 4-level table @root. */
void amd_x86_map(struct amd_test *t, u64 *root, u64 va, u64 pa, bool write);
/* Maps every table of @groot on the way to @va at GPA = PA in the v1 table @hroot. */
void amd_v1_map_guest_tables(struct amd_test *t, u64 *hroot, u64 *groot, u64 va);

/* DTE V, TV, Mode @levels over @root, DomainID @domid, IR/IW. */
void amd_dte_v1(struct amd_test *t, u16 devid, u64 *root, unsigned int levels, u16 domid);
/* Adds GV and a 1-level GCR3 table with @pasid -> @groot (4-level), GIoV. */
u64 *amd_dte_gcr3(struct amd_test *t, u16 devid, u32 pasid, u64 *groot);

/* ----- Traffic ----- */

struct amd_iommu_txn_result amd_dma(struct amd_test *t, u16 devid, u64 addr, bool write);
struct amd_iommu_txn_result amd_dma_pasid(struct amd_test *t, u16 devid, u32 pasid, u64 addr,
					  bool write);
