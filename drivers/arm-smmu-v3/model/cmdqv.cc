// SPDX-License-Identifier: GPL-2.0
/*
 * The Tegra241 CMDQV model: see cmdqv_model.h.
 *
 * One mutex guards the CMDQV's registers and queues. Commands run through
 * smmuv3_model_exec_cmd(), which takes the SMMU model's own lock: the order
 * is always CMDQV, then SMMU. The error interrupt is delivered after the
 * CMDQV lock is dropped, so its handler may read the registers.
 */
#include "drivers/arm-smmu-v3/model/cmdqv_model.h"
#include "drivers/arm-smmu-v3/model/smmu_model.h"

#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/slab.h"

#include <mutex>
#include <new>
#include <vector>

struct tegra241_vcmdq_regs {
	u32 cons, prod, config, gerror, gerrorn;
	u64 base, cons_indx_base;
};

struct tegra241_vintf_regs {
	u32 config;
	std::vector<u32> sid_match, sid_replace;
	u64 lvcmdq_err_map[LVCMDQ_ERR_MAP_NUM_64];
};

struct tegra241_cmdqv_model {
	std::mutex lock;
	struct tegra241_cmdqv_model_cfg cfg;
	struct tegra241_cmdqv_model_ops ops;
	void *priv;
	struct smmuv3_model *smmu;
	void __iomem *mmio;
	size_t mmio_size;

	unsigned int nr_vintfs, nr_vcmdqs, nr_sids;
	u32 config;
	u64 vintf_err_map;
	u64 vintf_int_mask;
	std::vector<u32> cmdq_alloc;
	std::vector<struct tegra241_vintf_regs> vintfs;
	std::vector<struct tegra241_vcmdq_regs> vcmdqs;

	struct tegra241_cmdqv_model_stats stats;
	bool irq_pending;
};

void tegra241_cmdqv_model_cfg_default(struct tegra241_cmdqv_model_cfg *cfg)
{
	cfg->vintfs_log2 = 2;
	cfg->vcmdqs_log2 = 3;
	cfg->sids_log2 = 3;
	cfg->version = 1;
}

/* ----- Queue state ----- */

static bool vcmdq_err_active(const struct tegra241_vcmdq_regs *q)
{
	return (q->gerror ^ q->gerrorn) & GERROR_CMDQ_ERR;
}

/* The VINTF a global queue is allocated to, or -1. */
static int vcmdq_vintf(struct tegra241_cmdqv_model *m, unsigned int q)
{
	u32 alloc = m->cmdq_alloc[q];
	unsigned int v = FIELD_GET(CMDQV_CMDQ_ALLOC_VINTF, alloc);

	if (!(alloc & CMDQV_CMDQ_ALLOCATED) || v >= m->nr_vintfs)
		return -1;
	return (int)v;
}

/* The global queue serving logical queue @lidx of VINTF @v, or -1. */
static int vintf_lvcmdq(struct tegra241_cmdqv_model *m, unsigned int v, unsigned int lidx)
{
	for (unsigned int q = 0; q < m->nr_vcmdqs; q++) {
		u32 alloc = m->cmdq_alloc[q];

		if ((alloc & CMDQV_CMDQ_ALLOCATED) && FIELD_GET(CMDQV_CMDQ_ALLOC_VINTF, alloc) == v &&
		    FIELD_GET(CMDQV_CMDQ_ALLOC_LVCMDQ, alloc) == lidx)
			return (int)q;
	}
	return -1;
}

/* The queue's size: its BASE.LOG2SIZE, within the SMMU's IDR1.CMDQS. */
static unsigned int vcmdq_log2size(struct tegra241_cmdqv_model *m,
				   const struct tegra241_vcmdq_regs *q)
{
	unsigned int cmdqs = FIELD_GET(IDR1_CMDQS, smmuv3_model_peek(m->smmu, ARM_SMMU_IDR1));

	return min_t(unsigned int, FIELD_GET(VCMDQ_LOG2SIZE, q->base), cmdqs);
}

/* Recomputes the error maps from the queues' error states. */
static void cmdqv_update_err_maps(struct tegra241_cmdqv_model *m)
{
	u64 vintf_map = 0;

	for (auto &vi : m->vintfs)
		memset(vi.lvcmdq_err_map, 0, sizeof(vi.lvcmdq_err_map));
	for (unsigned int q = 0; q < m->nr_vcmdqs; q++) {
		int v = vcmdq_vintf(m, q);
		unsigned int lidx = FIELD_GET(CMDQV_CMDQ_ALLOC_LVCMDQ, m->cmdq_alloc[q]);

		if (!vcmdq_err_active(&m->vcmdqs[q]) || v < 0)
			continue;
		m->vintfs[v].lvcmdq_err_map[lidx / 64] |= BIT_ULL(lidx % 64);
		vintf_map |= BIT_ULL(v);
	}
	m->vintf_err_map = vintf_map;
}

/* ----- Commands ----- */

/* A VM's command, rewritten for the SMMU: 0, or the CERROR_* index. */
static u32 vcmdq_guest_cmd(struct tegra241_cmdqv_model *m, const struct tegra241_vintf_regs *vi,
			   u64 *cmd)
{
	u16 vmid = FIELD_GET(VINTF_VMID, vi->config);

	switch (FIELD_GET(CMDQ_0_OP, cmd[0])) {
	case CMDQ_OP_TLBI_NH_ASID:
	case CMDQ_OP_TLBI_NH_VA:
		cmd[0] = (cmd[0] & ~CMDQ_TLBI_0_VMID) | FIELD_PREP(CMDQ_TLBI_0_VMID, vmid);
		return CMDQ_ERR_CERROR_NONE_IDX;
	case CMDQ_OP_ATC_INV: {
		u32 vsid = FIELD_GET(CMDQ_ATC_0_SID, cmd[0]);

		for (unsigned int s = 0; s < m->nr_sids; s++) {
			if (vi->sid_match[s] != (vsid << 1 | VINTF_SID_MATCH_VALID))
				continue;
			cmd[0] = (cmd[0] & ~CMDQ_ATC_0_SID) |
				 FIELD_PREP(CMDQ_ATC_0_SID, vi->sid_replace[s]);
			return CMDQ_ERR_CERROR_NONE_IDX;
		}
		return CMDQ_ERR_CERROR_ILL_IDX;
	}
	case CMDQ_OP_CMD_SYNC:
		if (FIELD_GET(CMDQ_SYNC_0_CS, cmd[0]) == CMDQ_SYNC_0_CS_IRQ)
			return CMDQ_ERR_CERROR_ILL_IDX;
		return CMDQ_ERR_CERROR_NONE_IDX;
	default:
		return CMDQ_ERR_CERROR_ILL_IDX;
	}
}

/* Runs queue @q from CONS to PROD while it may; under m->lock. */
static void vcmdq_consume(struct tegra241_cmdqv_model *m, unsigned int q)
{
	struct tegra241_vcmdq_regs *r = &m->vcmdqs[q];
	int v = vcmdq_vintf(m, q);
	unsigned int log2size = vcmdq_log2size(m, r);
	u64 base = r->base & VCMDQ_ADDR;

	if (v < 0 || !(m->config & CMDQV_EN) || !(m->vintfs[v].config & VINTF_EN) ||
	    !(r->config & VCMDQ_EN))
		return;
	while (!vcmdq_err_active(r) && !q_empty(r->prod, r->cons, log2size)) {
		const struct tegra241_vintf_regs *vi = &m->vintfs[v];
		u64 addr = base + (u64)q_idx(r->cons, log2size) * (CMDQ_ENT_DWORDS * 8);
		u64 cmd[CMDQ_ENT_DWORDS];
		u32 err;

		if (phys_read(addr, cmd, sizeof(cmd)))
			err = CMDQ_ERR_CERROR_ABT_IDX;
		else if (!(vi->config & VINTF_HYP_OWN))
			err = vcmdq_guest_cmd(m, vi, cmd);
		else
			err = CMDQ_ERR_CERROR_NONE_IDX;
		if (!err)
			err = smmuv3_model_exec_cmd(m->smmu, cmd);
		if (err) {
			r->cons = (r->cons & ~VCMDQ_CONS_ERR) | FIELD_PREP(VCMDQ_CONS_ERR, err);
			r->gerror ^= GERROR_CMDQ_ERR;
			m->stats.errors++;
			cmdqv_update_err_maps(m);
			if (!(m->vintf_int_mask & BIT_ULL(v)))
				m->irq_pending = true;
			return;
		}
		m->stats.cmds++;
		r->cons = q_inc(r->cons & ~VCMDQ_CONS_ERR, log2size);
	}
}

static void cmdqv_consume_all(struct tegra241_cmdqv_model *m)
{
	for (unsigned int q = 0; q < m->nr_vcmdqs; q++)
		vcmdq_consume(m, q);
}

/* ----- Registers ----- */

static u64 vcmdq_page0_read(const struct tegra241_vcmdq_regs *r, unsigned int off)
{
	switch (off) {
	case TEGRA241_VCMDQ_CONS: return r->cons;
	case TEGRA241_VCMDQ_PROD: return r->prod;
	case TEGRA241_VCMDQ_CONFIG: return r->config;
	case TEGRA241_VCMDQ_STATUS: return r->config & VCMDQ_EN ? VCMDQ_ENABLED : 0;
	case TEGRA241_VCMDQ_GERROR: return r->gerror;
	case TEGRA241_VCMDQ_GERRORN: return r->gerrorn;
	default: return 0;
	}
}

static void vcmdq_page0_write(struct tegra241_cmdqv_model *m, unsigned int q, unsigned int off,
			      u32 val)
{
	struct tegra241_vcmdq_regs *r = &m->vcmdqs[q];

	switch (off) {
	case TEGRA241_VCMDQ_CONS:
		if (!(r->config & VCMDQ_EN))
			r->cons = val;
		return;
	case TEGRA241_VCMDQ_PROD:
		r->prod = val;
		break;
	case TEGRA241_VCMDQ_CONFIG:
		r->config = val & VCMDQ_EN;
		break;
	case TEGRA241_VCMDQ_GERRORN:
		r->gerrorn = val & GERROR_CMDQ_ERR;
		cmdqv_update_err_maps(m);
		break;
	default:
		return;
	}
	vcmdq_consume(m, q);
}

static u64 vcmdq_page1_read(const struct tegra241_vcmdq_regs *r, unsigned int off)
{
	switch (off) {
	case TEGRA241_VCMDQ_BASE: return r->base;
	case TEGRA241_VCMDQ_CONS_INDX_BASE: return r->cons_indx_base;
	default: return 0;
	}
}

static void vcmdq_page1_write(struct tegra241_vcmdq_regs *r, unsigned int off, u64 val)
{
	if (r->config & VCMDQ_EN)
		return;
	switch (off) {
	case TEGRA241_VCMDQ_BASE:
		r->base = val & (VCMDQ_ADDR | VCMDQ_LOG2SIZE);
		break;
	case TEGRA241_VCMDQ_CONS_INDX_BASE:
		r->cons_indx_base = val;
		break;
	}
}

/*
 * Where @offset lands: a global queue's page 0 or 1, through the global
 * pages or a VINTF's; -1 for the configuration page or nothing.
 */
static int cmdqv_decode_queue(struct tegra241_cmdqv_model *m, u64 offset, bool *page1,
			      unsigned int *off)
{
	const u64 qbytes = (u64)TEGRA241_VCMDQ_REGS_SIZE * m->nr_vcmdqs;
	const unsigned int per_vintf = m->nr_vcmdqs / m->nr_vintfs;

	*off = offset % TEGRA241_VCMDQ_REGS_SIZE;
	if (offset >= TEGRA241_VCMDQ_PAGE0_BASE && offset < TEGRA241_VCMDQ_PAGE0_BASE + qbytes) {
		*page1 = false;
		return (int)((offset - TEGRA241_VCMDQ_PAGE0_BASE) / TEGRA241_VCMDQ_REGS_SIZE);
	}
	if (offset >= TEGRA241_VCMDQ_PAGE1_BASE && offset < TEGRA241_VCMDQ_PAGE1_BASE + qbytes) {
		*page1 = true;
		return (int)((offset - TEGRA241_VCMDQ_PAGE1_BASE) / TEGRA241_VCMDQ_REGS_SIZE);
	}
	if (offset >= TEGRA241_VINTF_PAGE_BASE) {
		u64 rel = offset - TEGRA241_VINTF_PAGE_BASE;
		unsigned int v = rel / (2 * TEGRA241_CMDQV_PAGE_SIZE);
		u64 in_page = rel % TEGRA241_CMDQV_PAGE_SIZE;
		unsigned int lidx = in_page / TEGRA241_VCMDQ_REGS_SIZE;

		*page1 = (rel / TEGRA241_CMDQV_PAGE_SIZE) & 1;
		if (v >= m->nr_vintfs || lidx >= per_vintf)
			return -1;
		return vintf_lvcmdq(m, v, lidx);
	}
	return -1;
}

static u64 cmdqv_config_read(struct tegra241_cmdqv_model *m, unsigned int off)
{
	if (off >= TEGRA241_VINTF(0) && off < TEGRA241_VINTF(m->nr_vintfs)) {
		const struct tegra241_vintf_regs *vi = &m->vintfs[(off - TEGRA241_VINTF(0)) / 0x100];
		unsigned int r = (off - TEGRA241_VINTF(0)) % 0x100;

		if (r == TEGRA241_VINTF_CONFIG)
			return vi->config;
		if (r == TEGRA241_VINTF_STATUS)
			return vi->config & VINTF_EN ? VINTF_ENABLED : 0;
		if (r >= TEGRA241_VINTF_SID_MATCH(0) && r < TEGRA241_VINTF_SID_MATCH(m->nr_sids))
			return vi->sid_match[(r - TEGRA241_VINTF_SID_MATCH(0)) / 4];
		if (r >= TEGRA241_VINTF_SID_REPLACE(0) && r < TEGRA241_VINTF_SID_REPLACE(m->nr_sids))
			return vi->sid_replace[(r - TEGRA241_VINTF_SID_REPLACE(0)) / 4];
		if (r >= TEGRA241_VINTF_LVCMDQ_ERR_MAP_64(0) &&
		    r < TEGRA241_VINTF_LVCMDQ_ERR_MAP_64(LVCMDQ_ERR_MAP_NUM_64)) {
			unsigned int b = r - TEGRA241_VINTF_LVCMDQ_ERR_MAP_64(0);

			return vi->lvcmdq_err_map[b / 8] >> (8 * (b % 8));
		}
		return 0;
	}
	if (off >= TEGRA241_CMDQV_CMDQ_ALLOC(0) && off < TEGRA241_CMDQV_CMDQ_ALLOC(m->nr_vcmdqs))
		return m->cmdq_alloc[(off - TEGRA241_CMDQV_CMDQ_ALLOC(0)) / 4];
	if (off >= TEGRA241_CMDQV_CMDQ_ERR_MAP(0) && off < TEGRA241_CMDQV_CMDQ_ERR_MAP(4)) {
		unsigned int word = (off - TEGRA241_CMDQV_CMDQ_ERR_MAP(0)) / 4;
		u32 map = 0;

		for (unsigned int q = 32 * word; q < m->nr_vcmdqs && q < 32 * (word + 1); q++)
			if (vcmdq_err_active(&m->vcmdqs[q]))
				map |= BIT(q % 32);
		return map;
	}
	switch (off) {
	case TEGRA241_CMDQV_CONFIG:
		return m->config;
	case TEGRA241_CMDQV_PARAM:
		return FIELD_PREP(CMDQV_NUM_SID_PER_VM_LOG2, m->cfg.sids_log2) |
		       FIELD_PREP(CMDQV_NUM_VINTF_LOG2, m->cfg.vintfs_log2) |
		       FIELD_PREP(CMDQV_NUM_VCMDQ_LOG2, m->cfg.vcmdqs_log2) |
		       FIELD_PREP(CMDQV_VER, m->cfg.version);
	case TEGRA241_CMDQV_STATUS:
		return m->config & CMDQV_EN ? CMDQV_ENABLED : 0;
	case TEGRA241_CMDQV_VINTF_ERR_MAP:
		return (u32)m->vintf_err_map;
	case TEGRA241_CMDQV_VINTF_ERR_MAP + 4:
		return (u32)(m->vintf_err_map >> 32);
	case TEGRA241_CMDQV_VINTF_INT_MASK:
		return (u32)m->vintf_int_mask;
	case TEGRA241_CMDQV_VINTF_INT_MASK + 4:
		return (u32)(m->vintf_int_mask >> 32);
	default:
		return 0;
	}
}

static void cmdqv_config_write(struct tegra241_cmdqv_model *m, unsigned int off, u32 val)
{
	if (off >= TEGRA241_VINTF(0) && off < TEGRA241_VINTF(m->nr_vintfs)) {
		struct tegra241_vintf_regs *vi = &m->vintfs[(off - TEGRA241_VINTF(0)) / 0x100];
		unsigned int r = (off - TEGRA241_VINTF(0)) % 0x100;

		if (r == TEGRA241_VINTF_CONFIG) {
			vi->config = val & (VINTF_HYP_OWN | VINTF_VMID | VINTF_EN);
			cmdqv_consume_all(m);
		} else if (r >= TEGRA241_VINTF_SID_MATCH(0) &&
			   r < TEGRA241_VINTF_SID_MATCH(m->nr_sids)) {
			vi->sid_match[(r - TEGRA241_VINTF_SID_MATCH(0)) / 4] = val;
		} else if (r >= TEGRA241_VINTF_SID_REPLACE(0) &&
			   r < TEGRA241_VINTF_SID_REPLACE(m->nr_sids)) {
			vi->sid_replace[(r - TEGRA241_VINTF_SID_REPLACE(0)) / 4] = val;
		}
		return;
	}
	if (off >= TEGRA241_CMDQV_CMDQ_ALLOC(0) && off < TEGRA241_CMDQV_CMDQ_ALLOC(m->nr_vcmdqs)) {
		m->cmdq_alloc[(off - TEGRA241_CMDQV_CMDQ_ALLOC(0)) / 4] =
			val & (CMDQV_CMDQ_ALLOC_VINTF | CMDQV_CMDQ_ALLOC_LVCMDQ | CMDQV_CMDQ_ALLOCATED);
		cmdqv_update_err_maps(m);
		return;
	}
	switch (off) {
	case TEGRA241_CMDQV_CONFIG:
		m->config = val & CMDQV_EN;
		cmdqv_consume_all(m);
		break;
	case TEGRA241_CMDQV_VINTF_INT_MASK:
		m->vintf_int_mask = (m->vintf_int_mask & ~0xffffffffULL) | val;
		break;
	case TEGRA241_CMDQV_VINTF_INT_MASK + 4:
		m->vintf_int_mask = (m->vintf_int_mask & 0xffffffffULL) | (u64)val << 32;
		break;
	}
}

static void cmdqv_unlock(struct tegra241_cmdqv_model *m)
{
	bool irq = m->irq_pending;

	m->irq_pending = false;
	m->lock.unlock();
	if (irq && m->ops.irq)
		m->ops.irq(m->priv);
}

static u64 cmdqv_mmio_read(void *priv, u64 offset, unsigned int size)
{
	struct tegra241_cmdqv_model *m = (struct tegra241_cmdqv_model *)priv;
	unsigned int off;
	bool page1;
	int q;
	u64 val;

	if (size != 4 && size != 8)
		return 0;
	m->lock.lock();
	if (offset < TEGRA241_CMDQV_PAGE_SIZE) {
		val = cmdqv_config_read(m, offset);
		if (size == 8)
			val |= cmdqv_config_read(m, offset + 4) << 32;
	} else {
		q = cmdqv_decode_queue(m, offset, &page1, &off);
		if (q < 0)
			val = 0;
		else if (page1)
			val = vcmdq_page1_read(&m->vcmdqs[q], off & ~7U) >> (8 * (off & 4));
		else
			val = vcmdq_page0_read(&m->vcmdqs[q], off);
	}
	m->lock.unlock();
	return size == 4 ? (u32)val : val;
}

static void cmdqv_mmio_write(void *priv, u64 offset, u64 val, unsigned int size)
{
	struct tegra241_cmdqv_model *m = (struct tegra241_cmdqv_model *)priv;
	unsigned int off;
	bool page1;
	int q;

	if (size != 4 && size != 8)
		return;
	m->lock.lock();
	if (offset < TEGRA241_CMDQV_PAGE_SIZE) {
		cmdqv_config_write(m, offset, (u32)val);
		if (size == 8)
			cmdqv_config_write(m, offset + 4, (u32)(val >> 32));
	} else {
		q = cmdqv_decode_queue(m, offset, &page1, &off);
		if (q >= 0 && page1) {
			u64 cur = vcmdq_page1_read(&m->vcmdqs[q], off & ~7U);

			/* A 32-bit write replaces its half of the 64-bit register */
			if (size == 4)
				val = off & 4 ? (cur & 0xffffffffULL) | val << 32
					      : (cur & ~0xffffffffULL) | (u32)val;
			vcmdq_page1_write(&m->vcmdqs[q], off & ~7U, val);
		} else if (q >= 0) {
			vcmdq_page0_write(m, q, off, (u32)val);
		}
	}
	cmdqv_unlock(m);
}

static const struct mmio_ops cmdqv_mmio_ops = {
	.read = cmdqv_mmio_read,
	.write = cmdqv_mmio_write,
};

struct tegra241_cmdqv_model *tegra241_cmdqv_model_create(const struct tegra241_cmdqv_model_cfg *cfg,
							 struct smmuv3_model *smmu,
							 const struct tegra241_cmdqv_model_ops *ops,
							 void *priv)
{
	struct tegra241_cmdqv_model *m;

	if (!smmu || cfg->vintfs_log2 > 6 || cfg->vcmdqs_log2 > 7 ||
	    cfg->vcmdqs_log2 < cfg->vintfs_log2 || cfg->sids_log2 > 4 || cfg->version > 15)
		return (struct tegra241_cmdqv_model *)ERR_PTR(-EINVAL);
	m = new (std::nothrow) tegra241_cmdqv_model;
	if (!m)
		return (struct tegra241_cmdqv_model *)ERR_PTR(-ENOMEM);
	m->cfg = *cfg;
	m->ops = ops ? *ops : (struct tegra241_cmdqv_model_ops){};
	m->priv = priv;
	m->smmu = smmu;
	m->nr_vintfs = 1U << cfg->vintfs_log2;
	m->nr_vcmdqs = 1U << cfg->vcmdqs_log2;
	m->nr_sids = 1U << cfg->sids_log2;
	m->config = 0;
	m->vintf_err_map = 0;
	m->vintf_int_mask = 0;
	m->stats = {};
	m->irq_pending = false;
	m->cmdq_alloc.assign(m->nr_vcmdqs, 0);
	m->vcmdqs.assign(m->nr_vcmdqs, tegra241_vcmdq_regs{});
	m->vintfs.resize(m->nr_vintfs);
	for (auto &vi : m->vintfs) {
		vi.config = 0;
		vi.sid_match.assign(m->nr_sids, 0);
		vi.sid_replace.assign(m->nr_sids, 0);
		memset(vi.lvcmdq_err_map, 0, sizeof(vi.lvcmdq_err_map));
	}
	m->mmio_size = TEGRA241_CMDQV_MMIO_SIZE(m->nr_vintfs);
	m->mmio = ioremap_model(m->mmio_size, &cmdqv_mmio_ops, m);
	if (!m->mmio) {
		delete m;
		return (struct tegra241_cmdqv_model *)ERR_PTR(-ENOMEM);
	}
	return m;
}

void tegra241_cmdqv_model_destroy(struct tegra241_cmdqv_model *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	iounmap(m->mmio);
	delete m;
}

void __iomem *tegra241_cmdqv_model_mmio(struct tegra241_cmdqv_model *m)
{
	return m->mmio;
}

size_t tegra241_cmdqv_model_mmio_size(struct tegra241_cmdqv_model *m)
{
	return m->mmio_size;
}

void tegra241_cmdqv_model_get_stats(struct tegra241_cmdqv_model *m,
				    struct tegra241_cmdqv_model_stats *st)
{
	std::lock_guard<std::mutex> g(m->lock);

	*st = m->stats;
}
