// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD IOMMU model's register file (spec 48882, 3.4) served through
 * ioremap_model(), and the event and PPR logs:
 *
 *  - Device Table Base is ignored while Control.IommuEn is set; Command
 *    Buffer, Event Log and PPR Log Base while their enable is set. A
 *    length field below 8 (reserved) is taken as 8 (256 entries).
 *  - Control: CmdBufEn, EventLogEn and PPRLogEn going 0 -> 1 start their
 *    ring (the Status Run bit); the command buffer is consumed only while
 *    IommuEn and CmdBufEn are both set, and at once when either is set.
 *  - Head and tail registers hold byte offsets [18:4], taken modulo the
 *    ring. CmdTail moves the command buffer; CmdHead, EvtTail and PPRTail
 *    are writable only while their ring is stopped, EvtHead and PPRHead
 *    always (software consumes the logs).
 *  - Status: EventOverflow, EventLogInt, ComWaitInt, PprOverflow, PprInt
 *    (and the GA ones) are write-1-to-clear; the Run bits are read-only.
 *  - Event and PPR logs: a record that finds the log full (the tail one
 *    entry behind the head) sets the Overflow bit, is lost, and stops the
 *    log (Run clear) until software restarts it by clearing and setting
 *    the log's enable, as the kernel's restart path does.
 *  - EFR and EFR2 are read-only and built from the configuration.
 *
 * Registers take one 64-bit access or two 32-bit accesses to their
 * halves; a register's side effect runs on every write to either half.
 */
#include "drivers/amd/model/model_internal.h"

#include "harness/err.h"
#include "harness/io.h"
#include "harness/physmem.h"

void amd_iommu_model_cfg_default(struct amd_iommu_model_cfg *cfg)
{
	*cfg = {};
	cfg->hats = FEATURE_HATS_6LEVEL;
	cfg->gats = FEATURE_GATS_5LEVEL;
	cfg->glx = 1;
	cfg->pasmax = 15;
	cfg->oas = 52;
	cfg->gt = true;
	cfg->ppr = true;
	cfg->ia = true;
	cfg->nx = true;
	cfg->giov = true;
	cfg->ha = cfg->hd = true;
	cfg->prefetch = false;
	cfg->viommu = true;
	cfg->iommu_devid = 0x0002;	/* 00:00.2, where AMD IOMMUs sit */
	cfg->nr_guests = 16;
}

static int amd_cfg_check(const struct amd_iommu_model_cfg *cfg)
{
	if (cfg->hats > FEATURE_HATS_6LEVEL || cfg->gats > FEATURE_GATS_5LEVEL || cfg->glx > 1)
		return -EINVAL;
	if (cfg->pasmax > 19 || cfg->oas < 32 || cfg->oas > 52)
		return -EINVAL;
	/* Page requests are for PASID-capable guest translation. */
	if (cfg->ppr && !cfg->gt)
		return -EINVAL;
	if (cfg->hd && !cfg->ha)
		return -EINVAL;
	if (cfg->viommu && (!cfg->gt || !cfg->nr_guests || cfg->nr_guests > VIOMMU_MAX_GUESTID))
		return -EINVAL;
	return 0;
}

static void amd_build_efr(struct amd_iommu_model *m)
{
	const struct amd_iommu_model_cfg *c = &m->cfg;

	m->efr = (c->prefetch ? FEATURE_PREFETCH : 0) | (c->ppr ? FEATURE_PPR : 0) |
		 (c->nx ? FEATURE_NX : 0) | (c->gt ? FEATURE_GT : 0) | (c->ia ? FEATURE_IA : 0) |
		 FEATURE_HE | FIELD_PREP(FEATURE_HATS, c->hats) |
		 FIELD_PREP(FEATURE_GATS, c->gats) | FIELD_PREP(FEATURE_GLX, c->glx) |
		 (c->gt ? FIELD_PREP(FEATURE_PASMAX, c->pasmax) : 0) |
		 (c->giov ? FEATURE_GIOSUP : 0) | (c->ha ? FEATURE_HASUP : 0) |
		 (c->hd ? FEATURE_HDSUP : 0) | (c->viommu ? FEATURE_VIOMMU : 0);
	m->efr2 = 0;
}

void amd_lock(struct amd_iommu_model *m)
{
	m->lock.lock();
}

void amd_unlock(struct amd_iommu_model *m)
{
	unsigned int irqs = m->pending_irq;
	std::vector<amd_iommu_model::guest_irq_msg> girqs;
	std::vector<amd_iommu_model::ppr_resp_msg> resp;

	m->pending_irq = 0;
	girqs.swap(m->pending_guest_irq);
	resp.swap(m->pending_resp);
	m->lock.unlock();

	for (unsigned int src = 0; src != AMD_IOMMU_IRQ_NR; src++)
		if ((irqs & BIT(src)) && m->ops.irq)
			m->ops.irq(m->priv, (enum amd_iommu_irq)src);
	for (auto &g : girqs)
		if (m->ops.guest_irq)
			m->ops.guest_irq(m->priv, g.gid, g.src);
	for (auto &r : resp)
		if (m->ops.ppr_response)
			m->ops.ppr_response(m->priv, r.devid, r.pasid, r.gn, r.tag, r.status);
}

void amd_raise_irq(struct amd_iommu_model *m, enum amd_iommu_irq src)
{
	static const unsigned int en[] = {
		[AMD_IOMMU_IRQ_EVENT] = CONTROL_EVT_INT_EN,
		[AMD_IOMMU_IRQ_COMWAIT] = CONTROL_COMWAIT_EN,
		[AMD_IOMMU_IRQ_PPR] = CONTROL_PPRINT_EN,
	};

	if (amd_ctrl(m, en[src]))
		m->pending_irq |= BIT(src);
}

void amd_ring_set(struct amd_ring *r, u64 base_reg)
{
	unsigned int len = FIELD_GET(MMIO_BUF_LEN, base_reg);

	r->base = base_reg & MMIO_BUF_BASE;
	r->size = mmio_buf_bytes(len < MMIO_BUF_LEN_MIN ? MMIO_BUF_LEN_MIN : len);
	r->head %= r->size;
	r->tail %= r->size;
}

/* Appends a 16-byte record to a log ring; false if full or unwritable. */
static bool amd_ring_put(struct amd_ring *r, const void *rec, u64 *status, u64 overflow)
{
	if (!r->run)
		return false;
	if ((r->tail + 16) % r->size == r->head) {
		*status |= overflow;
		r->run = false;
		return false;
	}
	if (phys_write(r->base + r->tail, rec, 16))
		return false;
	r->tail = (r->tail + 16) % r->size;
	return true;
}

void amd_event_encode(const struct amd_event *ev, struct amd_iommu_event *e)
{
	e->data[0] = ev->devid | (ev->tag & EVENT_DOMID_MASK_HI);
	e->data[1] = (ev->tag & EVENT_DOMID_MASK_LO) |
		     ((u32)(ev->flags & EVENT_FLAGS_MASK) << EVENT_FLAGS_SHIFT) |
		     ((u32)ev->type << EVENT_TYPE_SHIFT);
	e->data[2] = (u32)ev->addr;
	e->data[3] = (u32)(ev->addr >> 32);
}

bool amd_log_event(struct amd_iommu_model *m, const struct amd_event *ev)
{
	struct amd_iommu_event e;

	amd_event_encode(ev, &e);

	if (!amd_ctrl(m, CONTROL_EVT_LOG_EN) ||
	    !amd_ring_put(&m->evt, &e, &m->status, MMIO_STATUS_EVT_OVERFLOW_MASK)) {
		m->stats.events_lost++;
		return false;
	}
	m->stats.events++;
	m->status |= MMIO_STATUS_EVT_INT_MASK;
	amd_raise_irq(m, AMD_IOMMU_IRQ_EVENT);
	return true;
}

bool amd_log_ppr(struct amd_iommu_model *m, const struct amd_iommu_ppr_entry *e)
{
	if (!amd_ctrl(m, CONTROL_PPRLOG_EN) ||
	    !amd_ring_put(&m->pprl, e, &m->status, MMIO_STATUS_PPR_OVERFLOW_MASK))
		return false;
	m->status |= MMIO_STATUS_PPR_INT_MASK;
	amd_raise_irq(m, AMD_IOMMU_IRQ_PPR);
	return true;
}

static u64 amd_status(const struct amd_iommu_model *m)
{
	return m->status | (m->evt.run ? MMIO_STATUS_EVT_RUN_MASK : 0) |
	       (m->cmd.run ? MMIO_STATUS_CMDBUF_RUN_MASK : 0) |
	       (m->pprl.run ? MMIO_STATUS_PPR_RUN_MASK : 0);
}

static u64 amd_read64(struct amd_iommu_model *m, unsigned int off)
{
	switch (off) {
	case MMIO_DEV_TABLE_OFFSET: return m->dev_table;
	case MMIO_CMD_BUF_OFFSET: return m->cmd_buf;
	case MMIO_EVT_BUF_OFFSET: return m->evt_buf;
	case MMIO_CONTROL_OFFSET: return m->control;
	case MMIO_EXCL_BASE_OFFSET: return m->excl_base;
	case MMIO_EXCL_LIMIT_OFFSET: return m->excl_limit;
	case MMIO_EXT_FEATURES: return m->efr;
	case MMIO_PPR_LOG_OFFSET: return m->ppr_log;
	case MMIO_MSI_ADDR_LO_OFFSET & ~7U: return m->msi[0];
	case (MMIO_MSI_ADDR_LO_OFFSET & ~7U) + 8: return m->msi[1];
	case MMIO_INTCAPXT_EVT_OFFSET: return m->msi[2];
	case MMIO_INTCAPXT_PPR_OFFSET: return m->msi[3];
	case MMIO_EXT_FEATURES2: return m->efr2;
	case MMIO_CMD_HEAD_OFFSET: return m->cmd.head;
	case MMIO_CMD_TAIL_OFFSET: return m->cmd.tail;
	case MMIO_EVT_HEAD_OFFSET: return m->evt.head;
	case MMIO_EVT_TAIL_OFFSET: return m->evt.tail;
	case MMIO_STATUS_OFFSET: return amd_status(m);
	case MMIO_PPR_HEAD_OFFSET: return m->pprl.head;
	case MMIO_PPR_TAIL_OFFSET: return m->pprl.tail;
	}
	return 0;
}

static void amd_write_control(struct amd_iommu_model *m, u64 val)
{
	u64 old = m->control;
	u64 rising = val & ~old, falling = old & ~val;

	m->control = val;
	if (falling & BIT_ULL(CONTROL_CMDBUF_EN))
		m->cmd.run = false;
	if (rising & BIT_ULL(CONTROL_CMDBUF_EN))
		m->cmd.run = true;
	if (falling & BIT_ULL(CONTROL_EVT_LOG_EN))
		m->evt.run = false;
	if (rising & BIT_ULL(CONTROL_EVT_LOG_EN))
		m->evt.run = true;
	if (falling & BIT_ULL(CONTROL_PPRLOG_EN))
		m->pprl.run = false;
	if (rising & BIT_ULL(CONTROL_PPRLOG_EN))
		m->pprl.run = true;
	if (rising & (BIT_ULL(CONTROL_CMDBUF_EN) | BIT_ULL(CONTROL_IOMMU_EN)))
		amd_cmdbuf_consume(m);
}

static void amd_write64(struct amd_iommu_model *m, unsigned int off, u64 val)
{
	switch (off) {
	case MMIO_DEV_TABLE_OFFSET:
		if (!amd_ctrl(m, CONTROL_IOMMU_EN))
			m->dev_table = val & (MMIO_DEV_TABLE_BASE | MMIO_DEV_TABLE_SIZE);
		return;
	case MMIO_CMD_BUF_OFFSET:
		if (!amd_ctrl(m, CONTROL_CMDBUF_EN)) {
			m->cmd_buf = val & (MMIO_BUF_BASE | MMIO_BUF_LEN);
			amd_ring_set(&m->cmd, m->cmd_buf);
		}
		return;
	case MMIO_EVT_BUF_OFFSET:
		if (!amd_ctrl(m, CONTROL_EVT_LOG_EN)) {
			m->evt_buf = val & (MMIO_BUF_BASE | MMIO_BUF_LEN);
			amd_ring_set(&m->evt, m->evt_buf);
		}
		return;
	case MMIO_PPR_LOG_OFFSET:
		if (!amd_ctrl(m, CONTROL_PPRLOG_EN)) {
			m->ppr_log = val & (MMIO_BUF_BASE | MMIO_BUF_LEN);
			amd_ring_set(&m->pprl, m->ppr_log);
		}
		return;
	case MMIO_CONTROL_OFFSET:
		amd_write_control(m, val);
		return;
	case MMIO_EXCL_BASE_OFFSET:
		m->excl_base = val;
		return;
	case MMIO_EXCL_LIMIT_OFFSET:
		m->excl_limit = val;
		return;
	case MMIO_MSI_ADDR_LO_OFFSET & ~7U:
		m->msi[0] = val;
		return;
	case (MMIO_MSI_ADDR_LO_OFFSET & ~7U) + 8:
		m->msi[1] = val;
		return;
	case MMIO_INTCAPXT_EVT_OFFSET:
		m->msi[2] = val;
		return;
	case MMIO_INTCAPXT_PPR_OFFSET:
		m->msi[3] = val;
		return;
	case MMIO_CMD_HEAD_OFFSET:
		if (!m->cmd.run || !amd_ctrl(m, CONTROL_CMDBUF_EN))
			m->cmd.head = (val & MMIO_HEAD_TAIL_MASK) % m->cmd.size;
		return;
	case MMIO_CMD_TAIL_OFFSET:
		m->cmd.tail = (val & MMIO_HEAD_TAIL_MASK) % m->cmd.size;
		amd_cmdbuf_consume(m);
		return;
	case MMIO_EVT_HEAD_OFFSET:
		m->evt.head = (val & MMIO_HEAD_TAIL_MASK) % m->evt.size;
		return;
	case MMIO_EVT_TAIL_OFFSET:
		if (!m->evt.run)
			m->evt.tail = (val & MMIO_HEAD_TAIL_MASK) % m->evt.size;
		return;
	case MMIO_PPR_HEAD_OFFSET:
		m->pprl.head = (val & MMIO_HEAD_TAIL_MASK) % m->pprl.size;
		return;
	case MMIO_PPR_TAIL_OFFSET:
		if (!m->pprl.run)
			m->pprl.tail = (val & MMIO_HEAD_TAIL_MASK) % m->pprl.size;
		return;
	case MMIO_STATUS_OFFSET:
		m->status &= ~(val & MMIO_STATUS_W1C);
		return;
	}
}

static u64 amd_mmio_read(void *priv, u64 offset, unsigned int size)
{
	struct amd_iommu_model *m = (struct amd_iommu_model *)priv;
	u64 val;

	amd_lock(m);
	val = amd_read64(m, offset & ~7ULL);
	amd_unlock(m);
	val >>= (offset & 7) * 8;
	if (size < 8)
		val &= (1ULL << (size * 8)) - 1;
	return val;
}

static void amd_mmio_write(void *priv, u64 offset, u64 val, unsigned int size)
{
	struct amd_iommu_model *m = (struct amd_iommu_model *)priv;
	unsigned int off = offset & ~7ULL, shift = (offset & 7) * 8;
	u64 mask, cur;

	/* 32- and 64-bit accesses, naturally aligned. */
	if ((size != 4 && size != 8) || (offset & (size - 1)))
		return;
	amd_lock(m);
	if (size == 8) {
		amd_write64(m, off, val);
	} else {
		mask = 0xffffffffULL << shift;
		/* W1C bits must not be written back as ones from the other half. */
		cur = off == MMIO_STATUS_OFFSET ? 0 : amd_read64(m, off);
		amd_write64(m, off, (cur & ~mask) | ((val << shift) & mask));
	}
	amd_unlock(m);
}

static const struct mmio_ops amd_mmio_ops = {
	.read = amd_mmio_read,
	.write = amd_mmio_write,
};

struct amd_iommu_model *amd_iommu_model_create(const struct amd_iommu_model_cfg *cfg,
					       const struct amd_iommu_model_ops *ops, void *priv)
{
	struct amd_iommu_model *m;
	int rc = amd_cfg_check(cfg);

	if (rc)
		return (struct amd_iommu_model *)ERR_PTR(rc);
	m = new (std::nothrow) amd_iommu_model();
	if (!m)
		return (struct amd_iommu_model *)ERR_PTR(-ENOMEM);
	m->cfg = *cfg;
	if (ops)
		m->ops = *ops;
	m->priv = priv;
	amd_build_efr(m);
	amd_ring_set(&m->cmd, 0);
	amd_ring_set(&m->evt, 0);
	amd_ring_set(&m->pprl, 0);
	m->mmio = ioremap_model(AMD_IOMMU_MODEL_MMIO_SIZE, &amd_mmio_ops, m);
	if (!m->mmio || amd_viommu_mmio_init(m)) {
		amd_iommu_model_destroy(m);
		return (struct amd_iommu_model *)ERR_PTR(-ENOMEM);
	}
	return m;
}

void amd_iommu_model_destroy(struct amd_iommu_model *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	amd_viommu_mmio_exit(m);
	if (m->mmio)
		iounmap(m->mmio);
	delete m;
}

void __iomem *amd_iommu_model_mmio(struct amd_iommu_model *m)
{
	return m->mmio;
}

u64 amd_iommu_model_peek(struct amd_iommu_model *m, unsigned int offset)
{
	u64 val;

	amd_lock(m);
	val = amd_read64(m, offset & ~7U);
	amd_unlock(m);
	return val;
}

u64 amd_iommu_model_efr(struct amd_iommu_model *m)
{
	return m->efr;
}

void amd_iommu_model_get_stats(struct amd_iommu_model *m, struct amd_iommu_model_stats *st)
{
	amd_lock(m);
	*st = m->stats;
	st->iotlb_entries = m->iotlb.size();
	st->dte_entries = m->dte_cache.size();
	st->devtlb_entries = m->devtlb.size();
	st->pde_entries = m->pde_cache.size();
	amd_unlock(m);
}
