// SPDX-License-Identifier: GPL-2.0
/*
 * The SMMUv3 model's register file (IHI 0070, chapter 6): two 64 KiB
 * pages served through ioremap_model().
 *
 * Registers are data with side effects only where the spec puts them:
 *  - CR0 and IRQ_CTRL take effect at once, so CR0ACK/IRQ_CTRLACK read back
 *    the written value on the next read (an implementation may take longer;
 *    the driver polls either way).
 *  - GBPA takes a write only with UPDATE set, and UPDATE reads 0 again
 *    because the update is complete by the time the write returns.
 *  - GERROR is read-only; an error is active while a GERROR bit differs
 *    from GERRORN. Acknowledging CMDQ_ERR restarts the command queue.
 *  - Tables and queue bases are read-only while the unit using them is
 *    enabled (STRTAB_* under SMMUEN, each *Q_BASE under its queue's
 *    enable); such writes are ignored. CR1/CR2 likewise while SMMUEN or any
 *    queue is enabled.
 *  - A queue's producer index is the SMMU's to move for EVTQ/PRIQ and the
 *    consumer index for CMDQ; software may write them only while the queue
 *    is disabled (to initialise them).
 *  - Reserved offsets, and registers of features the configuration
 *    leaves out (PRIQ without PRI), read as zero and ignore writes.
 *
 * 64-bit registers take either one 64-bit access or two 32-bit accesses to
 * their halves (lo_hi_writeq()), in any order.
 */
#include "drivers/arm-smmu-v3/model/model_internal.h"

#include "harness/bug.h"
#include "harness/err.h"
#include "harness/io.h"

void smmuv3_model_cfg_default(struct smmuv3_model_cfg *cfg)
{
	*cfg = {};
	cfg->st_2lvl = true;
	cfg->cd_2lvl = true;
	cfg->s1p = cfg->s2p = true;
	cfg->asid16 = cfg->vmid16 = true;
	cfg->ats = cfg->pri = true;
	cfg->ril = true;
	cfg->msi = true;
	cfg->sev = true;
	cfg->coherent = true;
	cfg->fwb = true;
	cfg->httu = IDR0_HTTU_ACCESS_DIRTY;
	cfg->gran4k = cfg->gran16k = cfg->gran64k = true;
	cfg->oas = IDR5_OAS_48_BIT;
	cfg->sidsize = 16;
	cfg->ssidsize = 20;
	cfg->cmdqs = cfg->evtqs = cfg->priqs = 19;
	/* Arm's implementer code with a made-up product, so nothing matches an erratum. */
	cfg->iidr = FIELD_PREP(IIDR_IMPLEMENTER, 0x43b) | FIELD_PREP(IIDR_PRODUCTID, 0x3ff);
}

static int smmuv3_cfg_check(const struct smmuv3_model_cfg *cfg)
{
	if (!cfg->s1p && !cfg->s2p)
		return -EINVAL;
	if (!cfg->gran4k && !cfg->gran16k && !cfg->gran64k)
		return -EINVAL;
	/* The walker describes 48-bit tables only (no LPA/LPA2). */
	if (cfg->oas > IDR5_OAS_48_BIT)
		return -EINVAL;
	if (cfg->sidsize > 32 || cfg->ssidsize > 20 || cfg->httu > IDR0_HTTU_ACCESS_DIRTY)
		return -EINVAL;
	if (cfg->cmdqs > 19 || cfg->evtqs > 19 || cfg->priqs > 19)
		return -EINVAL;
	/* Page requests come from ATS functions: PRI without ATS is not a configuration. */
	if (cfg->pri && !cfg->ats)
		return -EINVAL;
	return 0;
}

static void smmuv3_build_idrs(struct smmuv3_model *m)
{
	const struct smmuv3_model_cfg *c = &m->cfg;

	m->idr[0] = (c->s2p ? IDR0_S2P : 0) | (c->s1p ? IDR0_S1P : 0) |
		    FIELD_PREP(IDR0_TTF, IDR0_TTF_AARCH64) | (c->coherent ? IDR0_COHACC : 0) |
		    FIELD_PREP(IDR0_HTTU, c->httu) | (c->hyp ? IDR0_HYP : 0) |
		    (c->ats ? IDR0_ATS : 0) | (c->asid16 ? IDR0_ASID16 : 0) |
		    (c->msi ? IDR0_MSI : 0) | (c->sev ? IDR0_SEV : 0) | (c->pri ? IDR0_PRI : 0) |
		    (c->vmid16 ? IDR0_VMID16 : 0) | (c->cd_2lvl ? IDR0_CD2L : 0) |
		    FIELD_PREP(IDR0_TTENDIAN, IDR0_TTENDIAN_LE) |
		    FIELD_PREP(IDR0_STALL_MODEL,
			       c->stall ? IDR0_STALL_MODEL_STALL : IDR0_STALL_MODEL_NONE) |
		    IDR0_TERM_MODEL |
		    FIELD_PREP(IDR0_ST_LVL, c->st_2lvl ? IDR0_ST_LVL_2LVL : IDR0_ST_LVL_LINEAR);
	m->idr[1] = FIELD_PREP(IDR1_SIDSIZE, c->sidsize) | FIELD_PREP(IDR1_SSIDSIZE, c->ssidsize) |
		    FIELD_PREP(IDR1_PRIQS, c->pri ? c->priqs : 0) |
		    FIELD_PREP(IDR1_EVTQS, c->evtqs) | FIELD_PREP(IDR1_CMDQS, c->cmdqs);
	m->idr[2] = 0;
	m->idr[3] = (c->fwb ? IDR3_FWB : 0) | (c->ril ? IDR3_RIL : 0);
	m->idr[4] = 0;
	m->idr[5] = FIELD_PREP(IDR5_OAS, c->oas) | (c->gran4k ? IDR5_GRAN4K : 0) |
		    (c->gran16k ? IDR5_GRAN16K : 0) | (c->gran64k ? IDR5_GRAN64K : 0) |
		    FIELD_PREP(IDR5_VAX, IDR5_VAX_48_BIT) |
		    FIELD_PREP(IDR5_STALL_MAX, c->stall ? SMMUV3_STALL_MAX : 0);
	m->iidr = c->iidr;
	/* SMMUv3.1: the revision whose STE/CD layouts hw/ describes. */
	m->aidr = FIELD_PREP(AIDR_ARCH_MINOR_REV, 1);
}

unsigned int smmuv3_oas_bits(struct smmuv3_model *m)
{
	return arm_smmu_oas_bits(m->cfg.oas);
}

/* Stage-2 input (IPA) width: the OAS, as the architecture has it for SMMUv3. */
u32 smmuv3_ias_bits(struct smmuv3_model *m)
{
	return smmuv3_oas_bits(m);
}

void smmuv3_lock(struct smmuv3_model *m)
{
	m->lock.lock();
}

void smmuv3_unlock(struct smmuv3_model *m)
{
	unsigned int irqs = m->pending_irq, msis = m->pending_msi;
	std::vector<smmuv3_model::pri_resp_msg> pri;

	m->pending_irq = m->pending_msi = 0;
	pri.swap(m->pending_pri);
	m->lock.unlock();

	for (unsigned int src = 0; src != SMMUV3_IRQ_NR; src++)
		if ((irqs & BIT(src)) && m->ops.irq)
			m->ops.irq(m->priv, (enum smmuv3_irq)src, msis & BIT(src));
	for (auto &r : pri)
		if (m->ops.pri_response)
			m->ops.pri_response(m->priv, r.sid, r.ssid, r.ssv, r.grpid, r.resp,
					    r.automatic);
}

/*
 * Signals @src: an MSI of @cfg1 to @cfg0's address when the SMMU does MSIs
 * and the address is set, and the wired line. An MSI that cannot be
 * written is a global error of its own (GERROR.MSI_*_ABT_ERR).
 */
void smmuv3_raise_irq(struct smmuv3_model *m, enum smmuv3_irq src, u64 cfg0, u32 cfg1)
{
	u64 addr = cfg0 & MSI_CFG0_ADDR_MASK;

	m->pending_irq |= BIT(src);
	if (!m->cfg.msi || !addr)
		return;
	if (!phys_write(addr, &cfg1, sizeof(cfg1))) {
		m->pending_msi |= BIT(src);
		return;
	}
	switch (src) {
	case SMMUV3_IRQ_EVTQ:
		smmuv3_gerror_raise(m, GERROR_MSI_EVTQ_ABT_ERR);
		break;
	case SMMUV3_IRQ_PRIQ:
		smmuv3_gerror_raise(m, GERROR_MSI_PRIQ_ABT_ERR);
		break;
	case SMMUV3_IRQ_CMD_SYNC:
		smmuv3_gerror_raise(m, GERROR_MSI_CMDQ_ABT_ERR);
		break;
	case SMMUV3_IRQ_GERROR:
		/* Raised directly: the GERROR interrupt's own MSI failed. */
		if (!smmuv3_gerror_active(m, GERROR_MSI_GERROR_ABT_ERR))
			m->gerror ^= GERROR_MSI_GERROR_ABT_ERR;
		break;
	default:
		break;
	}
}

bool smmuv3_gerror_active(struct smmuv3_model *m, u32 bit)
{
	return (m->gerror ^ m->gerrorn) & bit;
}

/* Activates a global error; one already active is not raised again. */
void smmuv3_gerror_raise(struct smmuv3_model *m, u32 bit)
{
	if (smmuv3_gerror_active(m, bit))
		return;
	m->gerror ^= bit;
	if (m->irq_ctrl & IRQ_CTRL_GERROR_IRQEN)
		smmuv3_raise_irq(m, SMMUV3_IRQ_GERROR, m->gerror_irq_cfg0, m->gerror_irq_cfg1);
}

/* ----- The register map ----- */

static u32 smmuv3_cr0_mask(struct smmuv3_model *m)
{
	return CR0_SMMUEN | CR0_EVTQEN | CR0_CMDQEN | (m->cfg.pri ? CR0_PRIQEN : 0) |
	       (m->cfg.ats ? CR0_ATSCHK : 0) | CR0_VMW;
}

static u32 smmuv3_q_ptr_mask(const struct smmuv3_queue *q)
{
	return (2U << q->log2size) - 1;
}

static void smmuv3_q_set_base(struct smmuv3_queue *q, u64 val, unsigned int max_lg2)
{
	q->base = val & (Q_BASE_RWA | Q_BASE_ADDR_MASK | Q_BASE_LOG2SIZE);
	q->log2size = min((unsigned int)FIELD_GET(Q_BASE_LOG2SIZE, q->base), max_lg2);
}

/* A 64-bit register updated by a 64-bit write or by one 32-bit half. */
static u64 smmuv3_merge64(u64 old, u64 off_in_reg, u64 val, unsigned int size)
{
	if (size == 8)
		return val;
	if (off_in_reg)
		return (old & 0xffffffffULL) | (val << 32);
	return (old & ~0xffffffffULL) | (u32)val;
}

static u64 smmuv3_read64(u64 reg, u64 off_in_reg, unsigned int size)
{
	if (size == 8)
		return reg;
	return off_in_reg ? reg >> 32 : (u32)reg;
}

/* The 64-bit register containing @offset, or NULL. */
static u64 *smmuv3_reg64(struct smmuv3_model *m, u64 offset)
{
	switch (offset & ~7ULL) {
	case ARM_SMMU_GERROR_IRQ_CFG0: return &m->gerror_irq_cfg0;
	case ARM_SMMU_STRTAB_BASE: return &m->strtab_base;
	case ARM_SMMU_CMDQ_BASE: return &m->cmdq.base;
	case ARM_SMMU_EVTQ_BASE: return &m->evtq.base;
	case ARM_SMMU_EVTQ_IRQ_CFG0: return &m->evtq.irq_cfg0;
	case ARM_SMMU_PRIQ_BASE: return m->cfg.pri ? &m->priq.base : nullptr;
	case ARM_SMMU_PRIQ_IRQ_CFG0: return m->cfg.pri ? &m->priq.irq_cfg0 : nullptr;
	}
	return nullptr;
}

static u32 smmuv3_read32(struct smmuv3_model *m, u64 offset)
{
	switch (offset) {
	case ARM_SMMU_IDR0: return m->idr[0];
	case ARM_SMMU_IDR1: return m->idr[1];
	case ARM_SMMU_IDR2: return m->idr[2];
	case ARM_SMMU_IDR3: return m->idr[3];
	case ARM_SMMU_IDR4: return m->idr[4];
	case ARM_SMMU_IDR5: return m->idr[5];
	case ARM_SMMU_IIDR: return m->iidr;
	case ARM_SMMU_AIDR: return m->aidr;
	case ARM_SMMU_CR0: return m->cr0;
	case ARM_SMMU_CR0ACK: return m->cr0;
	case ARM_SMMU_CR1: return m->cr1;
	case ARM_SMMU_CR2: return m->cr2;
	case ARM_SMMU_GBPA: return m->gbpa;
	case ARM_SMMU_IRQ_CTRL: return m->irq_ctrl;
	case ARM_SMMU_IRQ_CTRLACK: return m->irq_ctrl;
	case ARM_SMMU_GERROR: return m->gerror;
	case ARM_SMMU_GERRORN: return m->gerrorn;
	case ARM_SMMU_GERROR_IRQ_CFG1: return m->gerror_irq_cfg1;
	case ARM_SMMU_GERROR_IRQ_CFG2: return m->gerror_irq_cfg2;
	case ARM_SMMU_STRTAB_BASE_CFG: return m->strtab_base_cfg;
	case ARM_SMMU_CMDQ_PROD: return m->cmdq.prod;
	case ARM_SMMU_CMDQ_CONS: return m->cmdq.cons;
	case ARM_SMMU_EVTQ_IRQ_CFG1: return m->evtq.irq_cfg1;
	case ARM_SMMU_EVTQ_IRQ_CFG2: return m->evtq.irq_cfg2;
	case ARM_SMMU_PAGE1_EVTQ_PROD: return m->evtq.prod;
	case ARM_SMMU_PAGE1_EVTQ_CONS: return m->evtq.cons;
	}
	if (m->cfg.pri) {
		switch (offset) {
		case ARM_SMMU_PRIQ_IRQ_CFG1: return m->priq.irq_cfg1;
		case ARM_SMMU_PRIQ_IRQ_CFG2: return m->priq.irq_cfg2;
		case ARM_SMMU_PAGE1_PRIQ_PROD: return m->priq.prod;
		case ARM_SMMU_PAGE1_PRIQ_CONS: return m->priq.cons;
		}
	}
	return 0;
}

static u64 smmuv3_mmio_read_locked(struct smmuv3_model *m, u64 offset, unsigned int size)
{
	u64 *reg = smmuv3_reg64(m, offset);

	if (reg)
		return smmuv3_read64(*reg, offset & 4, size);
	if (size == 8)
		return smmuv3_read32(m, offset) | ((u64)smmuv3_read32(m, offset + 4) << 32);
	return smmuv3_read32(m, offset);
}

static void smmuv3_write_cr0(struct smmuv3_model *m, u32 val)
{
	u32 old = m->cr0;

	m->cr0 = val & smmuv3_cr0_mask(m);
	/* Disabling the SMMU terminates what it holds stalled */
	if (!(m->cr0 & CR0_SMMUEN) && (old & CR0_SMMUEN))
		smmuv3_stall_end(m, 0, true, 0, true, CMDQ_RESUME_0_RESP_ABORT);
	/* A queue enabled again picks up where PROD/CONS stand. */
	if ((m->cr0 & CR0_CMDQEN) && !(old & CR0_CMDQEN))
		smmuv3_cmdq_consume(m);
}

static void smmuv3_write32(struct smmuv3_model *m, u64 offset, u32 val)
{
	const u32 enables = CR0_SMMUEN | CR0_EVTQEN | CR0_CMDQEN | CR0_PRIQEN;

	switch (offset) {
	case ARM_SMMU_CR0:
		return smmuv3_write_cr0(m, val);
	case ARM_SMMU_CR1:
		if (!(m->cr0 & enables))
			m->cr1 = val & (CR1_QUEUE_IC | CR1_QUEUE_OC | CR1_QUEUE_SH | CR1_TABLE_IC |
					CR1_TABLE_OC | CR1_TABLE_SH);
		return;
	case ARM_SMMU_CR2:
		if (!(m->cr0 & CR0_SMMUEN))
			m->cr2 = val & ((m->cfg.hyp ? CR2_E2H : 0) | CR2_RECINVSID | CR2_PTM);
		return;
	case ARM_SMMU_GBPA:
		if (val & GBPA_UPDATE)
			m->gbpa = val & (GBPA_MEMATTR | GBPA_MTCFG | GBPA_ALLOCCFG | GBPA_SHCFG |
					 GBPA_PRIVCFG | GBPA_INSTCFG | GBPA_ABORT);
		return;
	case ARM_SMMU_IRQ_CTRL:
		m->irq_ctrl = val & (IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVTQ_IRQEN |
				     (m->cfg.pri ? IRQ_CTRL_PRIQ_IRQEN : 0));
		return;
	case ARM_SMMU_GERRORN: {
		bool was_stopped = smmuv3_gerror_active(m, GERROR_CMDQ_ERR);

		m->gerrorn = val & (GERROR_ERR_MASK);
		if (was_stopped && !smmuv3_gerror_active(m, GERROR_CMDQ_ERR))
			smmuv3_cmdq_consume(m);
		return;
	}
	case ARM_SMMU_GERROR_IRQ_CFG1:
		m->gerror_irq_cfg1 = val;
		return;
	case ARM_SMMU_GERROR_IRQ_CFG2:
		m->gerror_irq_cfg2 = val & (MSI_CFG2_SH | MSI_CFG2_MEMATTR);
		return;
	case ARM_SMMU_STRTAB_BASE_CFG:
		if (!(m->cr0 & CR0_SMMUEN))
			m->strtab_base_cfg = val & (STRTAB_BASE_CFG_FMT | STRTAB_BASE_CFG_SPLIT |
						    STRTAB_BASE_CFG_LOG2SIZE);
		return;
	case ARM_SMMU_CMDQ_PROD:
		m->cmdq.prod = val & smmuv3_q_ptr_mask(&m->cmdq);
		smmuv3_cmdq_consume(m);
		return;
	case ARM_SMMU_CMDQ_CONS:
		if (!(m->cr0 & CR0_CMDQEN))
			m->cmdq.cons = val & (smmuv3_q_ptr_mask(&m->cmdq) | CMDQ_CONS_ERR);
		return;
	case ARM_SMMU_EVTQ_IRQ_CFG1:
		m->evtq.irq_cfg1 = val;
		return;
	case ARM_SMMU_EVTQ_IRQ_CFG2:
		m->evtq.irq_cfg2 = val & (MSI_CFG2_SH | MSI_CFG2_MEMATTR);
		return;
	case ARM_SMMU_PAGE1_EVTQ_PROD:
		if (!(m->cr0 & CR0_EVTQEN))
			m->evtq.prod = val & (smmuv3_q_ptr_mask(&m->evtq) | Q_OVERFLOW_FLAG);
		return;
	case ARM_SMMU_PAGE1_EVTQ_CONS:
		m->evtq.cons = val & (smmuv3_q_ptr_mask(&m->evtq) | Q_OVERFLOW_FLAG);
		return;
	}
	if (!m->cfg.pri)
		return;
	switch (offset) {
	case ARM_SMMU_PRIQ_IRQ_CFG1:
		m->priq.irq_cfg1 = val;
		return;
	case ARM_SMMU_PRIQ_IRQ_CFG2:
		m->priq.irq_cfg2 = val & (MSI_CFG2_SH | MSI_CFG2_MEMATTR);
		return;
	case ARM_SMMU_PAGE1_PRIQ_PROD:
		if (!(m->cr0 & CR0_PRIQEN))
			m->priq.prod = val & (smmuv3_q_ptr_mask(&m->priq) | Q_OVERFLOW_FLAG);
		return;
	case ARM_SMMU_PAGE1_PRIQ_CONS:
		m->priq.cons = val & (smmuv3_q_ptr_mask(&m->priq) | Q_OVERFLOW_FLAG);
		return;
	}
}

static void smmuv3_write64(struct smmuv3_model *m, u64 *reg, u64 offset, u64 val,
			   unsigned int size)
{
	u64 v = smmuv3_merge64(*reg, offset & 4, val, size);

	switch (offset & ~7ULL) {
	case ARM_SMMU_GERROR_IRQ_CFG0:
	case ARM_SMMU_EVTQ_IRQ_CFG0:
	case ARM_SMMU_PRIQ_IRQ_CFG0:
		*reg = v & MSI_CFG0_ADDR_MASK;
		return;
	case ARM_SMMU_STRTAB_BASE:
		if (!(m->cr0 & CR0_SMMUEN))
			*reg = v & (STRTAB_BASE_RA | STRTAB_BASE_ADDR_MASK);
		return;
	case ARM_SMMU_CMDQ_BASE:
		if (!(m->cr0 & CR0_CMDQEN))
			smmuv3_q_set_base(&m->cmdq, v, m->cfg.cmdqs);
		return;
	case ARM_SMMU_EVTQ_BASE:
		if (!(m->cr0 & CR0_EVTQEN))
			smmuv3_q_set_base(&m->evtq, v, m->cfg.evtqs);
		return;
	case ARM_SMMU_PRIQ_BASE:
		if (!(m->cr0 & CR0_PRIQEN))
			smmuv3_q_set_base(&m->priq, v, m->cfg.priqs);
		return;
	}
}

static u64 smmuv3_mmio_read(void *priv, u64 offset, unsigned int size)
{
	struct smmuv3_model *m = (struct smmuv3_model *)priv;
	u64 val;

	smmuv3_lock(m);
	val = smmuv3_mmio_read_locked(m, offset, size);
	smmuv3_unlock(m);
	if (size < 8)
		val &= (1ULL << (size * 8)) - 1;
	return val;
}

static void smmuv3_mmio_write(void *priv, u64 offset, u64 val, unsigned int size)
{
	struct smmuv3_model *m = (struct smmuv3_model *)priv;
	u64 *reg;

	/* The architecture defines 32- and 64-bit accesses only. */
	if (size != 4 && size != 8)
		return;
	smmuv3_lock(m);
	reg = smmuv3_reg64(m, offset);
	if (reg) {
		smmuv3_write64(m, reg, offset, val, size);
	} else {
		smmuv3_write32(m, offset, (u32)val);
		if (size == 8)
			smmuv3_write32(m, offset + 4, (u32)(val >> 32));
	}
	smmuv3_unlock(m);
}

static const struct mmio_ops smmuv3_mmio_ops = {
	.read = smmuv3_mmio_read,
	.write = smmuv3_mmio_write,
};

struct smmuv3_model *smmuv3_model_create(const struct smmuv3_model_cfg *cfg,
					 const struct smmuv3_model_ops *ops, void *priv)
{
	struct smmuv3_model *m;
	int rc = smmuv3_cfg_check(cfg);

	if (rc)
		return (struct smmuv3_model *)ERR_PTR(rc);
	m = new (std::nothrow) smmuv3_model();
	if (!m)
		return (struct smmuv3_model *)ERR_PTR(-ENOMEM);
	m->cfg = *cfg;
	if (ops)
		m->ops = *ops;
	m->priv = priv;
	smmuv3_build_idrs(m);
	m->gbpa = FIELD_PREP(GBPA_SHCFG, 1) | (cfg->gbpa_abort ? GBPA_ABORT : 0);
	m->mmio = ioremap_model(ARM_SMMU_MMIO_SIZE, &smmuv3_mmio_ops, m);
	if (!m->mmio) {
		delete m;
		return (struct smmuv3_model *)ERR_PTR(-ENOMEM);
	}
	return m;
}

void smmuv3_model_destroy(struct smmuv3_model *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	/* Nothing may still wait on the model: the owner ended its DMA first */
	WARN_ON(!m->stalls.empty());
	iounmap(m->mmio);
	delete m;
}

void __iomem *smmuv3_model_mmio(struct smmuv3_model *m)
{
	return m->mmio;
}

void smmuv3_model_get_stats(struct smmuv3_model *m, struct smmuv3_model_stats *st)
{
	smmuv3_lock(m);
	*st = m->stats;
	st->tlb_entries = m->tlb.size();
	st->ste_entries = m->ste_cache.size();
	st->cd_entries = m->cd_cache.size();
	st->atc_entries = m->atc.size();
	smmuv3_unlock(m);
}

u32 smmuv3_model_peek(struct smmuv3_model *m, unsigned int offset)
{
	u32 val;

	smmuv3_lock(m);
	val = (u32)smmuv3_mmio_read_locked(m, offset & ~3U, 4);
	smmuv3_unlock(m);
	return val;
}
