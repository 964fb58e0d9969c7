// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what a guest (or a buggy driver) controls of an IOMMU,
 * fed straight to the hardware models: command queue contents (SMMUv3
 * CMDQ, AMD command buffer, VT-d invalidation queue descriptors), the
 * tables the hardware walks (STEs and CDs, DTEs and GCR3 tables, root,
 * context and PASID entries, page tables of every stage) and the
 * registers, then DMA, ATS and page requests through whatever that built.
 *
 * The input's first byte picks the model (SMMUv3, AMD, VT-d legacy mode,
 * VT-d scalable mode); the model is created and brought up as its driver
 * does (tables, queues, logs in guest memory: thirteen regions of fake
 * physical memory), then the rest is a program of operations (enum op):
 * fill a region with bytes, store a pointer to a region in a region (so
 * entries can chain into tables the fuzzer also fills), write or read a
 * register (of the model, or for AMD of a HW-vIOMMU guest's VF MMIO page
 * or VF control page), append a command at the queue's tail, make a transaction,
 * send a page request, consume the logs.
 *
 * What must hold: no crash (ASan, UBSan), no harness tripwire; bad input
 * is a hardware error (an event, a fault record, a stopped queue, a
 * command error), and the model reaches memory only through the bus
 * (phys_read()/phys_write(), which refuse addresses with no page behind
 * them). Once the model is destroyed, nothing it allocated is left: no
 * slab object, no page.
 *
 * UIOMMUFD_FUZZ_WRITE_SEEDS=DIR writes the seed programs (one valid
 * translation set up per model, as the model suites build them) into DIR
 * and exits; selftests/fuzz/corpus/fuzz_guest holds their output.
 */
#include "drivers/amd/model/amd_iommu_model.h"
#include "drivers/arm-smmu-v3/model/smmu_model.h"
#include "drivers/generic_pt/fmt/armv8.h"
#include "drivers/intel/model/vtd_model.h"
#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/slab.h"
#include "harness/testhooks.h"
#include "selftests/fuzz/fuzz_after.h"
#include "selftests/fuzz/fuzz_program.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

/* Guest memory: where each model's driver puts what, by region index. */
enum region {
	R_TABLE,	/* stream table, device table, root table (16 KiB) */
	R_CMDQ,		/* command queue / buffer, invalidation queue (8 KiB) */
	R_EVTQ,		/* event queue / log; VT-d: page request queue (8 KiB) */
	R_PRIQ,		/* PRI queue, PPR log (8 KiB) */
	R_STATUS,	/* MSI, completion-wait and invalidation-wait stores */
	R_FREE,		/* R_FREE .. NR_REGIONS - 1: 4 KiB each, for tables */
	NR_REGIONS = R_FREE + 8,
};

const size_t region_size[NR_REGIONS] = {16384, 8192, 8192, 8192, 4096, 4096, 4096,
					4096, 4096, 4096, 4096, 4096, 4096};
u8 *regions[NR_REGIONS];
/* UIOMMUFD_FUZZ_TRACE set: each transaction's outcome on stderr (to check a seed). */
bool trace;

u64 region_pa(unsigned int r, size_t off)
{
	return virt_to_phys(regions[r]) + off;
}

enum model_kind { M_SMMUV3, M_AMD, M_VTD_LEGACY, M_VTD_SM, NR_MODELS };

enum op {
	OP_FILL,	/* u8 region, u16 offset, u8 len, bytes */
	OP_PTR,		/* u8 region, u16 offset, u8 target, u16 target offset, u64 bits */
	OP_WR32,	/* u8 window, u32 register, u32 value */
	OP_WR64,	/* u8 window, u32 register, u64 value */
	OP_RD,		/* u8 window, u32 register */
	OP_CMD,		/* the model's command size in bytes, appended at the tail */
	OP_DMA,		/* u32 requester, u32 pasid, u8 flags (DMA_*), u64 address */
	OP_PRQ,		/* u32 requester, u32 pasid, u8 flags (DMA_*), u16 group, u64 address */
	OP_DRAIN,	/* consume every log, acknowledge errors */
	NR_OPS,
};

enum dma_flags {
	DMA_WRITE = 1 << 0,
	DMA_PASID = 1 << 1,
	DMA_EXEC = 1 << 2,
	DMA_PRIV = 1 << 3,
	DMA_HOW = 3 << 4,	/* 0 translate, 1 device TLB/ATC, 2 ATS request, 3 translated */
	DMA_LAST = 1 << 6,	/* page request: last of its group */
};


/*
 * A register window: the model's register file, and for the AMD
 * HW-vIOMMU the guests' VF MMIO pages (what a guest's own register
 * accesses reach) and the VF control pages.
 */
struct window {
	void __iomem *base;
	unsigned long size;
};

/* One model under test, with its driver's view of the queues. */
struct machine {
	model_kind kind;
	void __iomem *base;
	unsigned long mmio_size;
	struct window windows[3];
	unsigned int nr_windows;
	unsigned int cmd_size;
	struct smmuv3_model *smmu;
	struct amd_iommu_model *amd;
	struct vtd_model *vtd;
};

u32 rd32(struct machine *m, unsigned int off) { return readl((u8 __iomem *)m->base + off); }
u64 rd64(struct machine *m, unsigned int off) { return readq((u8 __iomem *)m->base + off); }
void wr32(struct machine *m, unsigned int off, u32 v) { writel(v, (u8 __iomem *)m->base + off); }
void wr64(struct machine *m, unsigned int off, u64 v) { writeq(v, (u8 __iomem *)m->base + off); }

/* The queues the driver sets up: 16 SMMUv3 commands, 512 AMD, a 4 KiB VT-d queue. */
constexpr unsigned int SMMU_Q_LG2 = 4;
constexpr unsigned int SMMU_SIDS_LG2 = 6;
constexpr unsigned int AMD_DEVTAB_PAGES = 4;

void smmu_up(struct machine *m)
{
	struct smmuv3_model_cfg cfg;

	smmuv3_model_cfg_default(&cfg);
	m->smmu = smmuv3_model_create(&cfg, nullptr, nullptr);
	if (IS_ERR(m->smmu))
		abort();
	m->base = smmuv3_model_mmio(m->smmu);
	m->mmio_size = ARM_SMMU_MMIO_SIZE;
	m->cmd_size = 16;
	wr64(m, ARM_SMMU_STRTAB_BASE, region_pa(R_TABLE, 0));
	wr32(m, ARM_SMMU_STRTAB_BASE_CFG, FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, SMMU_SIDS_LG2));
	wr64(m, ARM_SMMU_CMDQ_BASE, region_pa(R_CMDQ, 0) | SMMU_Q_LG2);
	wr64(m, ARM_SMMU_EVTQ_BASE, region_pa(R_EVTQ, 0) | SMMU_Q_LG2);
	wr64(m, ARM_SMMU_PRIQ_BASE, region_pa(R_PRIQ, 0) | SMMU_Q_LG2);
	wr64(m, ARM_SMMU_GERROR_IRQ_CFG0, region_pa(R_STATUS, 0));
	wr32(m, ARM_SMMU_CR0, CR0_CMDQEN | CR0_EVTQEN | CR0_PRIQEN);
	wr32(m, ARM_SMMU_CR0, CR0_CMDQEN | CR0_EVTQEN | CR0_PRIQEN | CR0_SMMUEN);
}

void amd_up(struct machine *m)
{
	struct amd_iommu_model_cfg cfg;
	u64 ctrl = 0;

	amd_iommu_model_cfg_default(&cfg);
	m->amd = amd_iommu_model_create(&cfg, nullptr, nullptr);
	if (IS_ERR(m->amd))
		abort();
	m->base = amd_iommu_model_mmio(m->amd);
	m->mmio_size = AMD_IOMMU_MODEL_MMIO_SIZE;
	m->cmd_size = 16;
	m->windows[1] = { amd_iommu_model_vf_mmio(m->amd),
			  (unsigned long)cfg.nr_guests * VIOMMU_VF_MMIO_ENTRY_SIZE };
	m->windows[2] = { amd_iommu_model_vfctrl_mmio(m->amd),
			  (unsigned long)cfg.nr_guests * VIOMMU_VFCTRL_MMIO_ENTRY_SIZE };
	m->nr_windows = 3;
	wr64(m, MMIO_DEV_TABLE_OFFSET, region_pa(R_TABLE, 0) | (AMD_DEVTAB_PAGES - 1));
	wr64(m, MMIO_CMD_BUF_OFFSET, region_pa(R_CMDQ, 0) | MMIO_CMD_SIZE_512);
	wr64(m, MMIO_EVT_BUF_OFFSET, region_pa(R_EVTQ, 0) | EVT_LEN_MASK);
	wr64(m, MMIO_PPR_LOG_OFFSET, region_pa(R_PRIQ, 0) | PPR_LOG_SIZE_512);
	/* One Control bit at a time, as the kernel's iommu_feature_enable(). */
	for (unsigned int bit : {CONTROL_CMDBUF_EN, CONTROL_EVT_INT_EN, CONTROL_EVT_LOG_EN,
				 CONTROL_PPRINT_EN, CONTROL_PPRLOG_EN, CONTROL_PPR_EN, CONTROL_GT_EN,
				 CONTROL_IOMMU_EN}) {
		ctrl |= BIT_ULL(bit);
		wr64(m, MMIO_CONTROL_OFFSET, ctrl);
	}
}

void vtd_up(struct machine *m, bool sm)
{
	struct vtd_model_cfg cfg;
	u32 gcmd = 0;

	vtd_model_cfg_default(&cfg);
	m->vtd = vtd_model_create(&cfg, nullptr, nullptr);
	if (IS_ERR(m->vtd))
		abort();
	m->base = vtd_model_mmio(m->vtd);
	m->mmio_size = VTD_MODEL_MMIO_SIZE;
	m->cmd_size = sm ? 32 : 16;
	wr64(m, DMAR_RTADDR_REG, region_pa(R_TABLE, 0) | (sm ? DMA_RTADDR_SMT : 0));
	wr32(m, DMAR_GCMD_REG, DMA_GCMD_SRTP);
	wr64(m, DMAR_IQT_REG, 0);
	wr64(m, DMAR_IQA_REG, region_pa(R_CMDQ, 0) | (sm ? DMA_IQA_DW : 0));
	gcmd |= DMA_GCMD_QIE;
	wr32(m, DMAR_GCMD_REG, gcmd);
	wr64(m, DMAR_PQA_REG, region_pa(R_EVTQ, 0));
	gcmd |= DMA_GCMD_TE;
	wr32(m, DMAR_GCMD_REG, gcmd);
}

void machine_up(struct machine *m, model_kind kind)
{
	*m = {};
	m->kind = kind;
	for (unsigned int r = 0; r < NR_REGIONS; r++)
		memset(regions[r], 0, region_size[r]);
	switch (kind) {
	case M_SMMUV3:
		smmu_up(m);
		break;
	case M_AMD:
		amd_up(m);
		break;
	default:
		vtd_up(m, kind == M_VTD_SM);
		break;
	}
	m->windows[0] = { m->base, m->mmio_size };
	if (!m->nr_windows)
		m->nr_windows = 1;
}

void machine_down(struct machine *m)
{
	if (m->smmu)
		smmuv3_model_destroy(m->smmu);
	if (m->amd)
		amd_iommu_model_destroy(m->amd);
	if (m->vtd)
		vtd_model_destroy(m->vtd);
}

/* Appends @cmd where the driver's tail says (within the queue it set up) and moves the tail. */
void push_cmd(struct machine *m, const u8 *cmd)
{
	switch (m->kind) {
	case M_SMMUV3: {
		u32 prod = rd32(m, ARM_SMMU_CMDQ_PROD);

		memcpy(regions[R_CMDQ] + q_idx(prod, SMMU_Q_LG2) * 16, cmd, 16);
		wr32(m, ARM_SMMU_CMDQ_PROD, q_inc(prod, SMMU_Q_LG2));
		break;
	}
	case M_AMD: {
		u64 tail = rd64(m, MMIO_CMD_TAIL_OFFSET) % CMD_BUFFER_SIZE & ~15ULL;

		memcpy(regions[R_CMDQ] + tail, cmd, 16);
		wr64(m, MMIO_CMD_TAIL_OFFSET, (tail + 16) % CMD_BUFFER_SIZE);
		break;
	}
	default: {
		u64 tail = rd64(m, DMAR_IQT_REG) % PAGE_SIZE & ~(u64)(m->cmd_size - 1);

		memcpy(regions[R_CMDQ] + tail, cmd, m->cmd_size);
		wr64(m, DMAR_IQT_REG, (tail + m->cmd_size) % PAGE_SIZE);
		break;
	}
	}
}

/* What the driver's interrupt handlers do: consume every record, acknowledge errors. */
void drain(struct machine *m)
{
	switch (m->kind) {
	case M_SMMUV3:
		wr32(m, ARM_SMMU_PAGE1_EVTQ_CONS, rd32(m, ARM_SMMU_PAGE1_EVTQ_PROD));
		wr32(m, ARM_SMMU_PAGE1_PRIQ_CONS, rd32(m, ARM_SMMU_PAGE1_PRIQ_PROD));
		wr32(m, ARM_SMMU_GERRORN, rd32(m, ARM_SMMU_GERROR));
		break;
	case M_AMD:
		wr64(m, MMIO_EVT_HEAD_OFFSET, rd64(m, MMIO_EVT_TAIL_OFFSET));
		wr64(m, MMIO_PPR_HEAD_OFFSET, rd64(m, MMIO_PPR_TAIL_OFFSET));
		wr64(m, MMIO_STATUS_OFFSET, rd64(m, MMIO_STATUS_OFFSET));
		break;
	default:
		for (unsigned int i = 0; i < 16; i++)
			wr32(m, VTD_MODEL_FRCD_REG + i * 16 + 12, DMA_FRCD_F);
		wr32(m, DMAR_FSTS_REG, DMA_FSTS_RW1C);
		wr64(m, DMAR_PQH_REG, rd64(m, DMAR_PQT_REG));
		wr32(m, DMAR_PRS_REG, rd32(m, DMAR_PRS_REG));
		break;
	}
}

void dma(struct machine *m, u32 rid, u32 pasid, u8 flags, u64 addr)
{
	unsigned int how = (flags & DMA_HOW) >> 4;

	switch (m->kind) {
	case M_SMMUV3: {
		struct smmuv3_txn t = { .sid = rid, .ssid = pasid, .ssv = !!(flags & DMA_PASID),
					.addr = addr, .write = !!(flags & DMA_WRITE),
					.exec = !!(flags & DMA_EXEC), .priv = !!(flags & DMA_PRIV),
					.ats_translated = how == 3 };
		struct smmuv3_txn_result res;
		struct smmuv3_ats_resp ats;

		if (how == 2) {
			smmuv3_model_ats_request(m->smmu, &t, &ats);
			res = { .status = ats.ok ? SMMUV3_TXN_OK : SMMUV3_TXN_ABORT, .pa = ats.addr };
		} else if (how == 1) {
			smmuv3_model_atc_translate(m->smmu, &t, &res);
		} else {
			smmuv3_model_translate(m->smmu, &t, &res);
		}
		if (trace)
			fprintf(stderr, "smmuv3 sid %u: status %d pa %#llx event %#x\n", rid,
				res.status, (unsigned long long)res.pa, res.event);
		break;
	}
	case M_AMD: {
		struct amd_iommu_txn t = { .devid = (u16)rid, .pasid = pasid,
					   .pasid_present = !!(flags & DMA_PASID), .addr = addr,
					   .write = !!(flags & DMA_WRITE),
					   .exec = !!(flags & DMA_EXEC), .priv = !!(flags & DMA_PRIV),
					   .ats_translated = how == 3 };
		struct amd_iommu_txn_result res;
		struct amd_iommu_ats_resp ats;

		if (how == 2) {
			amd_iommu_model_ats_request(m->amd, &t, &ats);
			res = { .status = ats.ok ? AMD_IOMMU_TXN_OK : AMD_IOMMU_TXN_ABORT,
				.pa = ats.addr };
		} else if (how == 1) {
			amd_iommu_model_devtlb_translate(m->amd, &t, &res);
		} else {
			amd_iommu_model_translate(m->amd, &t, &res);
		}
		if (trace)
			fprintf(stderr, "amd devid %#x: status %d pa %#llx event %#x\n", rid,
				res.status, (unsigned long long)res.pa, res.event);
		break;
	}
	default: {
		struct vtd_txn t = { .sid = (u16)rid, .pasid = pasid,
				     .pasid_present = !!(flags & DMA_PASID), .addr = addr,
				     .write = !!(flags & DMA_WRITE), .exec = !!(flags & DMA_EXEC),
				     .priv = !!(flags & DMA_PRIV), .ats_translated = how == 3 };
		struct vtd_txn_result res;
		struct vtd_ats_resp ats;

		if (how == 2) {
			vtd_model_ats_request(m->vtd, &t, &ats);
			res = { .status = ats.ok ? VTD_TXN_OK : VTD_TXN_ABORT, .pa = ats.addr };
		} else if (how == 1) {
			vtd_model_devtlb_translate(m->vtd, &t, &res);
		} else {
			vtd_model_translate(m->vtd, &t, &res);
		}
		if (trace)
			fprintf(stderr, "vtd sid %#x: status %d pa %#llx reason %#x\n", rid,
				res.status, (unsigned long long)res.pa, res.reason);
		break;
	}
	}
}

void page_request(struct machine *m, u32 rid, u32 pasid, u8 flags, u16 grp, u64 addr)
{
	bool pp = flags & DMA_PASID, w = flags & DMA_WRITE, x = flags & DMA_EXEC;
	bool priv = flags & DMA_PRIV, last = flags & DMA_LAST;

	switch (m->kind) {
	case M_SMMUV3: {
		struct smmuv3_page_req r = { .sid = rid, .ssid = pasid, .ssv = pp, .addr = addr,
					     .read = !w, .write = w, .exec = x, .priv = priv,
					     .last = last, .grpid = (u16)(grp & 0x1ff) };

		smmuv3_model_page_request(m->smmu, &r);
		break;
	}
	case M_AMD: {
		struct amd_iommu_page_req r = { .devid = (u16)rid, .pasid = pasid,
						.pasid_present = pp, .addr = addr, .read = !w,
						.write = w, .exec = x, .priv = priv,
						.tag = (u16)(grp & 0x1ff) };

		amd_iommu_model_page_request(m->amd, &r);
		break;
	}
	default: {
		struct vtd_page_req r = { .sid = (u16)rid, .pasid = pasid, .pasid_present = pp,
					  .addr = addr, .read = !w, .write = w, .exec = x,
					  .priv = priv, .last = last,
					  .prg_index = (u16)(grp & 0x1ff),
					  .private_data = !!(grp & 0x200),
					  .private_data_words = { addr, ~addr } };

		vtd_model_page_request(m->vtd, &r);
		break;
	}
	}
}

void run(struct machine *m, struct fuzz_reader *in)
{
	u8 buf[256];

	for (int steps = 0; in->left && steps < 256; steps++) {
		unsigned int op = in->get<u8>() % NR_OPS;

		switch (op) {
		case OP_FILL: {
			unsigned int r = in->get<u8>() % NR_REGIONS;
			size_t off = in->get<u16>() % region_size[r];
			size_t len = in->get<u8>();
			size_t n = in->take(buf, len);

			if (n > region_size[r] - off)
				n = region_size[r] - off;
			memcpy(regions[r] + off, buf, n);
			break;
		}
		case OP_PTR: {
			unsigned int r = in->get<u8>() % NR_REGIONS;
			size_t off = (in->get<u16>() % region_size[r]) & ~7UL;
			unsigned int t = in->get<u8>() % NR_REGIONS;
			size_t toff = in->get<u16>() % region_size[t];
			u64 v = region_pa(t, toff) | in->get<u64>();

			memcpy(regions[r] + off, &v, sizeof(v));
			break;
		}
		case OP_WR32:
		case OP_WR64:
		case OP_RD: {
			const struct window *w = &m->windows[in->get<u8>() % m->nr_windows];
			unsigned long align = op == OP_WR64 ? 8 : 4;
			u8 __iomem *reg = (u8 __iomem *)w->base + (in->get<u32>() % w->size & ~(align - 1));

			if (op == OP_WR32)
				writel(in->get<u32>(), reg);
			else if (op == OP_WR64)
				writeq(in->get<u64>(), reg);
			else
				(void)readl(reg);
			break;
		}
		case OP_CMD:
			memset(buf, 0, m->cmd_size);
			in->take(buf, m->cmd_size);
			push_cmd(m, buf);
			break;
		case OP_DMA: {
			u32 rid = in->get<u32>(), pasid = in->get<u32>();
			u8 flags = in->get<u8>();
			u64 addr = in->get<u64>();

			dma(m, rid, pasid, flags, addr);
			break;
		}
		case OP_PRQ: {
			u32 rid = in->get<u32>(), pasid = in->get<u32>();
			u8 flags = in->get<u8>();
			u16 grp = in->get<u16>();
			u64 addr = in->get<u64>();

			page_request(m, rid, pasid, flags, grp, addr);
			break;
		}
		case OP_DRAIN:
			drain(m);
			break;
		}
	}
}

/* ----- Seeds: one valid translation per model, built as the model suites build them ----- */

struct program : fuzz_writer {
	void fill(u8 r, u16 off, const void *data, u8 len)
	{
		put<u8>(OP_FILL);
		put(r);
		put(off);
		put(len);
		bytes(data, len);
	}
	void fill64(u8 r, u16 off, u64 v) { fill(r, off, &v, sizeof(v)); }
	void ptr(u8 r, u16 off, u8 t, u16 toff, u64 bits)
	{
		put<u8>(OP_PTR);
		put(r);
		put(off);
		put(t);
		put(toff);
		put(bits);
	}
	void cmd(const void *c, unsigned int size)
	{
		put<u8>(OP_CMD);
		bytes(c, size);
	}
	void dma(u32 rid, u32 pasid, u8 flags, u64 addr)
	{
		put<u8>(OP_DMA);
		put(rid);
		put(pasid);
		put(flags);
		put(addr);
	}
	void prq(u32 rid, u32 pasid, u8 flags, u16 grp, u64 addr)
	{
		put<u8>(OP_PRQ);
		put(rid);
		put(pasid);
		put(flags);
		put(grp);
		put(addr);
	}
	void drain(void) { put<u8>(OP_DRAIN); }
};

constexpr u64 SEED_IOVA = 0x1234000;

/* A 3-level table (R_FREE + first .. + 2) mapping SEED_IOVA to the leaf region. */
void seed_pt(struct program *p, unsigned int first, unsigned int shift0, u64 table_bits,
	     u64 leaf_bits, unsigned int leaf)
{
	for (unsigned int lvl = 0; lvl < 3; lvl++) {
		unsigned int idx = (SEED_IOVA >> (shift0 - 9 * lvl)) & 511;

		p->ptr(R_FREE + first + lvl, idx * 8, lvl < 2 ? R_FREE + first + lvl + 1 : leaf, 0,
		       lvl < 2 ? table_bits : leaf_bits);
	}
}

std::vector<u8> seed_smmu(bool s2)
{
	typedef pt_fmt_armv8<12> fmt;
	struct program p;
	u64 ste[8] = {}, cd[8] = {}, c[2];
	const u32 sid = 1;

	p.put<u8>(M_SMMUV3);
	if (s2) {
		ste[0] = STRTAB_STE_0_V | FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_S2_TRANS);
		ste[2] = FIELD_PREP(STRTAB_STE_2_S2VMID, 3) |
			 FIELD_PREP(STRTAB_STE_2_VTCR,
				    FIELD_PREP(STRTAB_STE_2_VTCR_S2T0SZ, 64 - 39) |
				    FIELD_PREP(STRTAB_STE_2_VTCR_S2SL0, 1) |
				    FIELD_PREP(STRTAB_STE_2_VTCR_S2TG, ARM_SMMU_S2TG_4K) |
				    FIELD_PREP(STRTAB_STE_2_VTCR_S2PS, IDR5_OAS_48_BIT)) |
			 STRTAB_STE_2_S2AA64 | STRTAB_STE_2_S2R;
		p.fill(R_TABLE, sid * 64, ste, 64);
		p.ptr(R_TABLE, sid * 64 + 24, R_FREE, 0, 0);
		seed_pt(&p, 0, 30, fmt::VALID | fmt::TABLE,
			fmt::VALID | fmt::TABLE | fmt::AF | fmt::S2AP_R | fmt::S2AP_W, R_FREE + 7);
	} else {
		ste[0] = STRTAB_STE_0_V | FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_S1_TRANS) |
			 FIELD_PREP(STRTAB_STE_0_S1CDMAX, 2);
		ste[1] = FIELD_PREP(STRTAB_STE_1_S1DSS, STRTAB_STE_1_S1DSS_SSID0) |
			 FIELD_PREP(STRTAB_STE_1_EATS, STRTAB_STE_1_EATS_TRANS);
		p.fill(R_TABLE, sid * 64, ste, 64);
		p.ptr(R_TABLE, sid * 64, R_FREE + 4, 0, ste[0]);
		cd[0] = FIELD_PREP(CTXDESC_CD_0_TCR_T0SZ, 64 - 39) |
			FIELD_PREP(CTXDESC_CD_0_TCR_TG0, ARM_SMMU_TG0_4K) | CTXDESC_CD_0_TCR_EPD1 |
			CTXDESC_CD_0_V | FIELD_PREP(CTXDESC_CD_0_TCR_IPS, IDR5_OAS_48_BIT) |
			CTXDESC_CD_0_AA64 | CTXDESC_CD_0_R | CTXDESC_CD_0_A |
			FIELD_PREP(CTXDESC_CD_0_ASID, 5);
		for (unsigned int ssid = 0; ssid < 2; ssid++) {
			p.fill(R_FREE + 4, ssid * 64, cd, 64);
			p.ptr(R_FREE + 4, ssid * 64 + 8, R_FREE, 0, 0);
		}
		seed_pt(&p, 0, 30, fmt::VALID | fmt::TABLE,
			fmt::VALID | fmt::TABLE | fmt::AF | fmt::AP_UNPRIV, R_FREE + 7);
	}
	c[0] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CFGI_STE) | FIELD_PREP(CMDQ_CFGI_0_SID, sid);
	c[1] = CMDQ_CFGI_1_LEAF;
	p.cmd(c, 16);
	c[0] = FIELD_PREP(CMDQ_0_OP, s2 ? CMDQ_OP_TLBI_S12_VMALL : CMDQ_OP_TLBI_NH_ALL);
	c[1] = 0;
	p.cmd(c, 16);
	c[0] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC);
	p.cmd(c, 16);
	p.dma(sid, 0, 0, SEED_IOVA);
	p.dma(sid, 1, DMA_PASID | DMA_WRITE, SEED_IOVA);
	p.dma(sid, 0, 1 << 4, SEED_IOVA);
	p.dma(sid + 1, 0, 0, SEED_IOVA);
	p.prq(sid, 1, DMA_PASID | DMA_LAST, 3, SEED_IOVA + 0x5000);
	p.drain();
	return p.b;
}

std::vector<u8> seed_amd(bool v2)
{
	struct program p;
	struct iommu_cmd c = {};
	const u16 devid = 0x10, domid = 7;
	u64 dte0 = DTE_FLAG_V | DTE_FLAG_TV | DTE_FLAG_IR | DTE_FLAG_IW;

	p.put<u8>(M_AMD);
	if (v2) {
		/*
		 * A v2 (x86-64, 4-level) table through a one-level GCR3 table,
		 * PASID 1. The GCR3 root is split across the DTE's words, so the
		 * DTE is written whole with the region's address of this run.
		 */
		struct dev_table_entry dte = {};

		dte.data[0] = dte0 | DTE_FLAG_GV | DTE_FLAG_GIOV;
		dte.data[1] = domid;
		dte_set_gcr3_root(&dte, region_pa(R_FREE + 4, 0));
		p.fill(R_TABLE, devid * 32, &dte, sizeof(dte));
		p.ptr(R_FREE + 4, 8, R_FREE, 0, GCR3_VALID);
		for (unsigned int lvl = 0; lvl < 4; lvl++) {
			unsigned int idx = (SEED_IOVA >> (39 - 9 * lvl)) & 511;

			p.ptr(R_FREE + lvl, idx * 8, lvl < 3 ? R_FREE + lvl + 1 : R_FREE + 7, 0,
			      IOMMU_PAGE_PRESENT | IOMMU_PAGE_RW | IOMMU_PAGE_USER);
		}
	} else {
		p.fill64(R_TABLE, devid * 32 + 8, domid);
		p.ptr(R_TABLE, devid * 32, R_FREE, 0, dte0 | FIELD_PREP(DTE_MODE_MASK, 3));
		for (unsigned int lvl = 0; lvl < 3; lvl++) {
			unsigned int idx = (SEED_IOVA >> (30 - 9 * lvl)) & 511;

			p.ptr(R_FREE + lvl, idx * 8, lvl < 2 ? R_FREE + lvl + 1 : R_FREE + 7, 0,
			      lvl < 2 ? PM_LEVEL_PDE(2 - lvl, 0) :
					IOMMU_PTE_PR | IOMMU_PTE_IR | IOMMU_PTE_IW);
		}
	}
	c.data[0] = devid;
	CMD_SET_TYPE(&c, CMD_INV_DEV_ENTRY);
	p.cmd(&c, 16);
	c = {};
	c.data[1] = domid;
	c.data[2] = (u32)CMD_INV_IOMMU_ALL_PAGES_ADDRESS | CMD_INV_IOMMU_PAGES_PDE_MASK |
		    CMD_INV_IOMMU_PAGES_SIZE_MASK;
	c.data[3] = (u32)(CMD_INV_IOMMU_ALL_PAGES_ADDRESS >> 32);
	CMD_SET_TYPE(&c, CMD_INV_IOMMU_PAGES);
	p.cmd(&c, 16);
	c = {};
	{
		u64 sem = region_pa(R_STATUS, 0);

		c.data[0] = (u32)sem | CMD_COMPL_WAIT_STORE_MASK;
		c.data[1] = (u32)(sem >> 32);
	}
	c.data[2] = 0x600d;
	CMD_SET_TYPE(&c, CMD_COMPL_WAIT);
	p.cmd(&c, 16);
	p.dma(devid, 1, v2 ? DMA_PASID : 0, SEED_IOVA);
	p.dma(devid, 1, (v2 ? DMA_PASID : 0) | DMA_WRITE | 1 << 4, SEED_IOVA);
	p.dma(devid + 1, 0, 0, SEED_IOVA);
	p.prq(devid, 1, DMA_PASID | DMA_LAST, 3, SEED_IOVA + 0x5000);
	p.drain();
	return p.b;
}

std::vector<u8> seed_vtd(bool sm)
{
	struct program p;
	const u16 sid = 0x0008, did = 4;
	u64 d[4] = {};

	p.put<u8>(sm ? M_VTD_SM : M_VTD_LEGACY);
	/* Root entry of bus 0 -> a context table. */
	p.ptr(R_TABLE, 0, R_FREE + 4, 0, ROOT_ENTRY_P);
	if (sm) {
		/* Context -> PASID directory -> PASID table -> second stage only. */
		p.ptr(R_FREE + 4, (sid & 0xff) * 32, R_FREE + 5, 0,
		      SM_CONTEXT_0_P | SM_CONTEXT_0_PASIDE | SM_CONTEXT_0_DTE | SM_CONTEXT_0_PRE |
		      FIELD_PREP(SM_CONTEXT_0_PDTS, 2));
		p.ptr(R_FREE + 5, 0, R_FREE + 6, 0, PASID_DIR_P);
		p.fill64(R_FREE + 6, 8, FIELD_PREP(PASID_1_DID, did));
		p.ptr(R_FREE + 6, 0, R_FREE, 0,
		      PASID_PTE_PRESENT | FIELD_PREP(PASID_0_AW, 2) |
		      FIELD_PREP(PASID_0_PGTT, PASID_ENTRY_PGTT_SL_ONLY));
	} else {
		p.fill64(R_FREE + 4, (sid & 0xff) * 16 + 8,
			 FIELD_PREP(CONTEXT_HI_AW, 2) | FIELD_PREP(CONTEXT_HI_DID, did));
		p.ptr(R_FREE + 4, (sid & 0xff) * 16, R_FREE, 0, CONTEXT_LO_P);
	}
	for (unsigned int lvl = 0; lvl < 4; lvl++) {
		unsigned int idx = (SEED_IOVA >> (39 - 9 * lvl)) & 511;

		p.ptr(R_FREE + lvl, idx * 8, lvl < 3 ? R_FREE + lvl + 1 : R_FREE + 7, 0,
		      DMA_PTE_READ | DMA_PTE_WRITE);
	}
	/* Context cache and IOTLB global invalidations, then a wait with a status write. */
	d[0] = QI_CC_TYPE | QI_CC_GRAN(DMA_CCMD_GLOBAL_INVL);
	p.cmd(d, sm ? 32 : 16);
	d[0] = QI_IOTLB_TYPE | QI_IOTLB_GRAN(DMA_TLB_GLOBAL_FLUSH);
	p.cmd(d, sm ? 32 : 16);
	d[0] = QI_IWD_TYPE | QI_IWD_STATUS_WRITE | QI_IWD_STATUS_DATA(0x600d);
	d[1] = region_pa(R_STATUS, 0x800);
	p.cmd(d, sm ? 32 : 16);
	p.dma(sid, 0, 0, SEED_IOVA);
	p.dma(sid, 0, DMA_WRITE | 1 << 4, SEED_IOVA);
	p.dma(sid, 0, DMA_PASID, SEED_IOVA);
	p.dma(sid + 1, 0, 0, SEED_IOVA);
	p.prq(sid, 1, DMA_PASID | DMA_LAST, 3, SEED_IOVA + 0x5000);
	p.drain();
	return p.b;
}

void write_seeds(const char *dir)
{
	const struct {
		const char *name;
		std::vector<u8> prog;
	} seeds[] = {
		{"smmuv3-s1", seed_smmu(false)}, {"smmuv3-s2", seed_smmu(true)},
		{"amd-v1", seed_amd(false)},	 {"amd-v2", seed_amd(true)},
		{"vtd-legacy", seed_vtd(false)}, {"vtd-scalable", seed_vtd(true)},
	};

	for (const auto &s : seeds)
		fuzz_write_seed(dir, s.name, s.prog);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("UIOMMUFD_FUZZ_WRITE_SEEDS");

	trace = getenv("UIOMMUFD_FUZZ_TRACE");
	for (unsigned int r = 0; r < NR_REGIONS; r++) {
		regions[r] = (u8 *)iommu_alloc_pages_sz(GFP_KERNEL, region_size[r]);
		if (!regions[r])
			abort();
	}
	if (seeds) {
		write_seeds(seeds);
		exit(0);
	}
	/* What the models create once and keep is not the first input's leak. */
	for (unsigned int k = 0; k < NR_MODELS; k++) {
		struct machine m;

		machine_up(&m, (model_kind)k);
		machine_down(&m);
	}
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_reader in = { data, size };
	const struct fuzz_after after("fuzz_guest", PAGE_KIND_KERNEL);
	struct machine m;

	if (!size)
		return 0;
	machine_up(&m, (model_kind)(in.get<u8>() % NR_MODELS));
	run(&m, &in);
	machine_down(&m);
	after.check("the model left allocations behind", "the model left pages behind");
	return 0;
}
