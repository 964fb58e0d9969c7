// SPDX-License-Identifier: GPL-2.0
/*
 * The HW-vIOMMU (2023 RFC "iommu/amd: Introduce support for HW
 * accelerated vIOMMU w/ nested page table"; the public spec describes it
 * only in outline, so the choices below are the model's and are listed in
 * Documentation/amd-iommu.md):
 *
 *  - The private address space (PAS) is translated by the v1 table of the
 *    IOMMU's own DTE (cfg.iommu_devid), through the DTE cache like any
 *    other DTE. The DeviceID and DomainID maps live there at the RFC's
 *    offsets; the host writes them only through VF control
 *    DID_MAP_CONTROL0/1, and the hardware stores the entry. A PAS access
 *    with nothing mapped is a PAGE_TAB_HARDWARE_ERROR in the host log
 *    (DeviceID = the IOMMU's) and leaves the map entry invalid.
 *  - A guest's physical addresses (its command buffer, event log,
 *    completion-wait stores) are translated by the v1 table of the DTE of
 *    the guest's translation DeviceID (VF control MISC_CONTROL), the VM's
 *    GPA -> SPA table. That DTE must be valid with Mode != 0: otherwise
 *    nothing of the guest's is read or written.
 *  - VF MMIO page of guest N: CmdHead/CmdTail, EvtHead/EvtTail, Status,
 *    PPRHead/PPRTail as on the 0x2000 page. Its registers live in the
 *    model (the guest MMIO backing in the PAS is not used). The guest's
 *    command buffer runs while the host's Control.IommuEn and VIommuEn
 *    and the guest's CMD_CONTROL.CmdBufEn are set, and is consumed in the
 *    write of its CmdTail.
 *  - Guest commands are the host's commands with guest IDs: DeviceIDs go
 *    through the DeviceID map and must land on a DTE with vImuEn and this
 *    GuestID; DomainIDs go through the DomainID map. Then the command
 *    runs against the host caches with the host IDs. INVALIDATE_IOMMU_ALL
 *    drops only cache entries of devices that belong to the guest.
 *    COMPLETION_WAIT stores in guest memory and sets the guest's
 *    ComWaitInt.
 *  - A guest ID with no map entry, or whose map entry names a device of
 *    another guest, and every illegal command, is an
 *    ILLEGAL_COMMAND_ERROR in the guest's event log (address = the
 *    command's GPA); the guest's buffer stops at it (guest Status
 *    CmdBufRun clear) until the host clears and sets CmdBufEn. No host
 *    cache is touched and nothing goes to the host's log.
 *  - A page request of a device whose DTE has vImuEn goes to its guest's
 *    PPR log (PPR_CONTROL: base GPA[51:12] at [55:16], PprLogEn, PprEn),
 *    with the guest DeviceID; a guest without PprEn and PprLogEn gets
 *    INVALID_PPR_REQUEST in its event log instead. A full guest PPR log
 *    sets the guest's PprOverflow and stops it as the host's does.
 *  - CMD_CONTROL's model-defined PAS bit puts the guest's command buffer
 *    at its slot of the PAS (viommu_cmdbuf_pas(GuestID)), the RFC's
 *    layout, where the host maps the guest's pages (VIOMMU_CMDBUF_UPDATE);
 *    its completion stores and event log stay GPAs. An unbacked slot is
 *    the PAS's PAGE_TAB_HARDWARE_ERROR and stops the guest's buffer.
 *  - A guest command buffer fetch or completion store the translation
 *    DTE does not map is a COMMAND_HARDWARE_ERROR in the host log
 *    (DeviceID = the translation DeviceID, address = the GPA), and stops
 *    the guest's buffer.
 */
#include "drivers/amd/model/model_internal.h"

#include "harness/io.h"
#include "harness/physmem.h"

/* ----- The private address space ----- */

static int amd_pas_access(struct amd_iommu_model *m, u64 pas, void *buf, size_t len, bool write)
{
	const struct amd_dte *d;
	struct amd_event ev;
	u64 pa;

	if (amd_get_dte(m, m->cfg.iommu_devid, &d, &ev) || !d->v || !d->tv || !d->mode ||
	    amd_host_xlate(d, pas, write, &pa) ||
	    (write ? phys_write(pa, buf, len) : phys_read(pa, buf, len))) {
		ev = {};
		ev.type = EVENT_TYPE_PAGE_TAB_ERR;
		ev.devid = m->cfg.iommu_devid;
		ev.addr = pas;
		ev.flags = write ? EVENT_FLAG_RW : 0;
		amd_log_event(m, &ev);
		return -EIO;
	}
	return 0;
}

/* ----- Guest physical memory ----- */

static int amd_guest_pa(struct amd_iommu_model *m, const struct amd_guest *g, u64 gpa,
			bool write, u64 *pa)
{
	const struct amd_dte *d;
	struct amd_event ev;

	if (amd_get_dte(m, FIELD_GET(VIOMMU_MISC_TRANS_DEVID, g->misc), &d, &ev) || !d->v ||
	    !d->tv || !d->mode)
		return -EIO;
	return amd_host_xlate(d, gpa, write, pa) ? -EFAULT : 0;
}

static int amd_guest_rw(struct amd_iommu_model *m, const struct amd_guest *g, u64 gpa,
			void *buf, size_t len, bool write)
{
	u64 pa;

	if (amd_guest_pa(m, g, gpa, write, &pa))
		return -EFAULT;
	return write ? phys_write(pa, buf, len) : phys_read(pa, buf, len);
}

static void amd_guest_irq(struct amd_iommu_model *m, u32 gid, enum amd_iommu_irq src)
{
	m->pending_guest_irq.push_back({ (u16)gid, src });
}

/* Appends a record to a guest's log ring through the VM's table. */
static bool amd_guest_ring_put(struct amd_iommu_model *m, struct amd_guest *g, struct amd_ring *r,
			       const void *rec, u64 overflow)
{
	if (!r->run)
		return false;
	if ((r->tail + 16) % r->size == r->head) {
		g->status |= overflow;
		r->run = false;
		return false;
	}
	if (amd_guest_rw(m, g, r->base + r->tail, (void *)rec, 16, true))
		return false;
	r->tail = (r->tail + 16) % r->size;
	return true;
}

bool amd_viommu_log_event(struct amd_iommu_model *m, u32 gid, const struct amd_event *ev)
{
	auto it = m->guests.find(gid);
	struct amd_iommu_event e = {};
	struct amd_guest *g;

	if (it == m->guests.end()) {
		m->stats.events_lost++;
		return false;
	}
	g = &it->second;
	if (!(g->evt_ctl & VIOMMU_EVT_CONTROL_EN)) {
		m->stats.events_lost++;
		return false;
	}
	amd_event_encode(ev, &e);
	if (!amd_guest_ring_put(m, g, &g->evt, &e, MMIO_STATUS_EVT_OVERFLOW_MASK)) {
		m->stats.events_lost++;
		return false;
	}
	g->status |= MMIO_STATUS_EVT_INT_MASK;
	if (g->evt_ctl & VIOMMU_EVT_CONTROL_INT_EN)
		amd_guest_irq(m, gid, AMD_IOMMU_IRQ_EVENT);
	m->stats.guest_events++;
	return true;
}

bool amd_viommu_log_ppr(struct amd_iommu_model *m, u32 gid, const struct amd_iommu_ppr_entry *e)
{
	auto it = m->guests.find(gid);
	struct amd_guest *g;
	struct amd_event ev = {};

	if (it == m->guests.end())
		return false;
	g = &it->second;
	if ((g->ppr_ctl & (VIOMMU_PPR_CONTROL_LOG_EN | VIOMMU_PPR_CONTROL_EN)) !=
	    (VIOMMU_PPR_CONTROL_LOG_EN | VIOMMU_PPR_CONTROL_EN)) {
		ev.type = EVENT_TYPE_INV_PPR_REQ;
		ev.devid = PPR_DEVID(e->raw[0]);
		ev.addr = e->raw[1];
		ev.tag = PPR_FLAGS(e->raw[0]) & PPR_FLAG_GN ? PPR_PASID(e->raw[0]) : 0;
		ev.flags = PPR_FLAGS(e->raw[0]) & PPR_FLAG_GN ? EVENT_FLAG_GN : 0;
		amd_viommu_log_event(m, gid, &ev);
		return false;
	}
	if (!amd_guest_ring_put(m, g, &g->ppr, e, MMIO_STATUS_PPR_OVERFLOW_MASK))
		return false;
	g->status |= MMIO_STATUS_PPR_INT_MASK;
	if (g->ppr_ctl & VIOMMU_PPR_CONTROL_INT_EN)
		amd_guest_irq(m, gid, AMD_IOMMU_IRQ_PPR);
	return true;
}

void amd_viommu_flush_guest(struct amd_iommu_model *m, u32 gid)
{
	for (auto it = m->iotlb.begin(); it != m->iotlb.end();)
		it = it->second.gid == gid ? m->iotlb.erase(it) : std::next(it);
	for (auto it = m->dte_cache.begin(); it != m->dte_cache.end();)
		it = it->second.gid == gid ? m->dte_cache.erase(it) : std::next(it);
	for (auto it = m->pde_cache.begin(); it != m->pde_cache.end();)
		it = it->second.gid == gid ? m->pde_cache.erase(it) : std::next(it);
}

/* ----- ID translation ----- */

static int amd_map_devid(struct amd_iommu_model *m, u32 gid, u16 gdevid, u16 *hdevid)
{
	const struct amd_dte *d;
	struct amd_event ev;
	u64 ent;

	if (amd_pas_access(m, viommu_devid_map_pas(gid, gdevid), &ent, sizeof(ent), false))
		return -EIO;
	if (!(ent & VIOMMU_MAP_VALID))
		return -ENOENT;
	*hdevid = FIELD_GET(VIOMMU_MAP_HOST_ID, ent);
	/* The device must be this guest's: never another guest's or the host's. */
	if (amd_get_dte(m, *hdevid, &d, &ev) || d->gid != gid)
		return -EPERM;
	return 0;
}

static int amd_map_domid(struct amd_iommu_model *m, u32 gid, u16 gdomid, u16 *hdomid)
{
	u64 ent;

	if (amd_pas_access(m, viommu_domid_map_pas(gid, gdomid), &ent, sizeof(ent), false))
		return -EIO;
	if (!(ent & VIOMMU_MAP_VALID))
		return -ENOENT;
	*hdomid = FIELD_GET(VIOMMU_MAP_HOST_ID, ent);
	return 0;
}

/* ----- Guest command buffers ----- */

static void amd_guest_ill_cmd(struct amd_iommu_model *m, u32 gid, u64 gpa)
{
	struct amd_event ev = {};

	ev.type = EVENT_TYPE_ILL_CMD;
	ev.addr = gpa;
	amd_viommu_log_event(m, gid, &ev);
}

static void amd_guest_hw_err(struct amd_iommu_model *m, const struct amd_guest *g, u64 gpa)
{
	struct amd_event ev = {};

	ev.type = EVENT_TYPE_CMD_HARD_ERR;
	ev.devid = FIELD_GET(VIOMMU_MISC_TRANS_DEVID, g->misc);
	ev.addr = gpa;
	amd_log_event(m, &ev);
}

/* One guest command; false stops the guest's buffer. */
static bool amd_guest_exec(struct amd_iommu_model *m, u32 gid, struct amd_guest *g,
			   const struct iommu_cmd *c, u64 gpa)
{
	u16 hdev = 0, hdom = 0;
	int ret = 0;
	u64 data;

	if (amd_cmd_check(m, c)) {
		amd_guest_ill_cmd(m, gid, gpa);
		return false;
	}
	switch (cmd_opcode(c)) {
	case CMD_INV_DEV_ENTRY:
	case CMD_INV_IOTLB_PAGES:
	case CMD_INV_IRT:
	case CMD_COMPLETE_PPR:
		ret = amd_map_devid(m, gid, c->data[0] & CMD_DEVID, &hdev);
		break;
	case CMD_INV_IOMMU_PAGES:
		ret = amd_map_domid(m, gid, c->data[1] & CMD_INV_IOMMU_PAGES_1_DOMID, &hdom);
		break;
	}
	if (ret) {
		amd_guest_ill_cmd(m, gid, gpa);
		return false;
	}

	switch (cmd_opcode(c)) {
	case CMD_COMPL_WAIT:
		if (c->data[0] & CMD_COMPL_WAIT_STORE_MASK) {
			data = ((u64)c->data[3] << 32) | c->data[2];
			if (amd_guest_rw(m, g, cmd_compl_wait_addr(c), &data, sizeof(data), true)) {
				amd_guest_hw_err(m, g, cmd_compl_wait_addr(c));
				return false;
			}
		}
		if (c->data[0] & CMD_COMPL_WAIT_INT_MASK) {
			g->status |= MMIO_STATUS_COM_WAIT_INT_MASK;
			if (g->cmd_ctl & VIOMMU_CMD_CONTROL_COMWAIT_INT_EN)
				amd_guest_irq(m, gid, AMD_IOMMU_IRQ_COMWAIT);
		}
		m->stats.waits++;
		break;
	case CMD_INV_DEV_ENTRY:
		amd_inv_dte(m, hdev);
		break;
	case CMD_INV_IOMMU_PAGES:
		amd_inv_pages(m, hdom, c->data[0] & CMD_INV_IOMMU_PAGES_0_PASID,
			      c->data[2] & CMD_INV_IOMMU_PAGES_GN_MASK,
			      c->data[2] & CMD_INV_IOMMU_PAGES_PDE_MASK, cmd_inv_address(c),
			      c->data[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK);
		break;
	case CMD_INV_IOTLB_PAGES:
		amd_inv_iotlb(m, hdev, cmd_inv_iotlb_pasid(c),
			      c->data[2] & CMD_INV_IOMMU_PAGES_GN_MASK, cmd_inv_address(c),
			      c->data[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK);
		break;
	case CMD_COMPLETE_PPR:
		amd_ppr_respond(m, hdev, c);
		break;
	case CMD_INV_ALL:
		amd_viommu_flush_guest(m, gid);
		break;
	}
	m->stats.cmds++;
	m->stats.guest_cmds++;
	return true;
}

static void amd_guest_consume(struct amd_iommu_model *m, u32 gid, struct amd_guest *g)
{
	struct iommu_cmd c;

	if (!amd_ctrl(m, CONTROL_IOMMU_EN) || !amd_ctrl(m, CONTROL_VIOMMU_EN) ||
	    !(g->cmd_ctl & VIOMMU_CMD_CONTROL_EN))
		return;
	while (g->cmd.run && g->cmd.head != g->cmd.tail) {
		u64 gpa = g->cmd.base + g->cmd.head;

		/* A PAS slot with nothing behind it is logged by amd_pas_access() */
		if (g->cmd_in_pas) {
			if (amd_pas_access(m, gpa, &c, sizeof(c), false)) {
				g->cmd.run = false;
				return;
			}
		} else if (amd_guest_rw(m, g, gpa, &c, sizeof(c), false)) {
			amd_guest_hw_err(m, g, gpa);
			g->cmd.run = false;
			return;
		}
		if (!amd_guest_exec(m, gid, g, &c, gpa)) {
			g->cmd.run = false;
			return;
		}
		g->cmd.head = (g->cmd.head + sizeof(c)) % g->cmd.size;
	}
}

/* ----- VF MMIO: the guests' 0x2000 pages ----- */

static void amd_guest_ring(struct amd_ring *r, u64 base, unsigned int len)
{
	r->base = base;
	r->size = mmio_buf_bytes(len < MMIO_BUF_LEN_MIN ? MMIO_BUF_LEN_MIN : len);
	r->head %= r->size;
	r->tail %= r->size;
}

static struct amd_guest *amd_guest_get(struct amd_iommu_model *m, u32 gid)
{
	auto it = m->guests.find(gid);

	if (it != m->guests.end())
		return &it->second;
	struct amd_guest &g = m->guests[gid];
	g = {};
	amd_guest_ring(&g.cmd, 0, 0);
	amd_guest_ring(&g.evt, 0, 0);
	amd_guest_ring(&g.ppr, 0, 0);
	return &g;
}

static u64 amd_guest_status(const struct amd_guest *g)
{
	return g->status | (g->cmd.run ? MMIO_STATUS_CMDBUF_RUN_MASK : 0) |
	       (g->evt.run ? MMIO_STATUS_EVT_RUN_MASK : 0) |
	       (g->ppr.run ? MMIO_STATUS_PPR_RUN_MASK : 0);
}

static u64 amd_vf_read64(struct amd_iommu_model *m, u32 gid, unsigned int off)
{
	struct amd_guest *g = amd_guest_get(m, gid);

	switch (off) {
	case VIOMMU_VF_MMIO_CMD_HEAD: return g->cmd.head;
	case VIOMMU_VF_MMIO_CMD_TAIL: return g->cmd.tail;
	case VIOMMU_VF_MMIO_EVT_HEAD: return g->evt.head;
	case VIOMMU_VF_MMIO_EVT_TAIL: return g->evt.tail;
	case VIOMMU_VF_MMIO_STATUS: return amd_guest_status(g);
	case VIOMMU_VF_MMIO_PPR_HEAD: return g->ppr.head;
	case VIOMMU_VF_MMIO_PPR_TAIL: return g->ppr.tail;
	}
	return 0;
}

static void amd_vf_write64(struct amd_iommu_model *m, u32 gid, unsigned int off, u64 val)
{
	struct amd_guest *g = amd_guest_get(m, gid);

	val &= off == VIOMMU_VF_MMIO_STATUS ? ~0ULL : MMIO_HEAD_TAIL_MASK;
	switch (off) {
	case VIOMMU_VF_MMIO_CMD_HEAD:
		if (!g->cmd.run)
			g->cmd.head = val % g->cmd.size;
		return;
	case VIOMMU_VF_MMIO_CMD_TAIL:
		g->cmd.tail = val % g->cmd.size;
		amd_guest_consume(m, gid, g);
		return;
	case VIOMMU_VF_MMIO_EVT_HEAD:
		g->evt.head = val % g->evt.size;
		return;
	case VIOMMU_VF_MMIO_EVT_TAIL:
		if (!g->evt.run)
			g->evt.tail = val % g->evt.size;
		return;
	case VIOMMU_VF_MMIO_STATUS:
		g->status &= ~(val & MMIO_STATUS_W1C);
		return;
	case VIOMMU_VF_MMIO_PPR_HEAD:
		g->ppr.head = val % g->ppr.size;
		return;
	case VIOMMU_VF_MMIO_PPR_TAIL:
		if (!g->ppr.run)
			g->ppr.tail = val % g->ppr.size;
		return;
	}
}

/* ----- VF control MMIO: the host's per-guest registers ----- */

static u64 amd_vfctrl_read64(struct amd_iommu_model *m, u32 gid, unsigned int off)
{
	struct amd_guest *g = amd_guest_get(m, gid);

	switch (off) {
	case VIOMMU_VFCTRL_GUEST_MISC_CONTROL_OFFSET: return g->misc;
	case VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET: return g->cmd_ctl;
	case VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET: return g->evt_ctl;
	case VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET: return g->ppr_ctl;
	}
	return 0;
}

static void amd_map_write(struct amd_iommu_model *m, u32 gid, bool dev, u64 val)
{
	unsigned int guest_id = FIELD_GET(VIOMMU_MAP_GUEST_ID, val);
	u64 ent = val & (VIOMMU_MAP_VALID | VIOMMU_MAP_HOST_ID);

	if (!(val & VIOMMU_MAP_WRITE))
		return;
	amd_pas_access(m, dev ? viommu_devid_map_pas(gid, guest_id) :
				viommu_domid_map_pas(gid, guest_id),
		       &ent, sizeof(ent), true);
}

static void amd_vfctrl_write64(struct amd_iommu_model *m, u32 gid, unsigned int off, u64 val)
{
	struct amd_guest *g = amd_guest_get(m, gid);
	u64 rising, falling;

	switch (off) {
	case VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL0_OFFSET:
		amd_map_write(m, gid, true, val);
		return;
	case VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL1_OFFSET:
		amd_map_write(m, gid, false, val);
		return;
	case VIOMMU_VFCTRL_GUEST_MISC_CONTROL_OFFSET:
		g->misc = val & VIOMMU_MISC_TRANS_DEVID;
		return;
	case VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET:
		val &= VIOMMU_CMD_CONTROL_LEN | VIOMMU_CMD_CONTROL_EN |
		       VIOMMU_CMD_CONTROL_COMWAIT_INT_EN | VIOMMU_CMD_CONTROL_PAS |
		       VIOMMU_CMD_CONTROL_BASE;
		rising = val & ~g->cmd_ctl;
		falling = g->cmd_ctl & ~val;
		/* Base, length and where the buffer lives are latched while it is off. */
		if (!(g->cmd_ctl & VIOMMU_CMD_CONTROL_EN)) {
			g->cmd_in_pas = val & VIOMMU_CMD_CONTROL_PAS;
			amd_guest_ring(&g->cmd,
				       g->cmd_in_pas ? viommu_cmdbuf_pas(gid)
						     : val & VIOMMU_CMD_CONTROL_BASE,
				       FIELD_GET(VIOMMU_CMD_CONTROL_LEN, val));
		}
		g->cmd_ctl = val;
		if (falling & VIOMMU_CMD_CONTROL_EN)
			g->cmd.run = false;
		if (rising & VIOMMU_CMD_CONTROL_EN) {
			g->cmd.run = true;
			amd_guest_consume(m, gid, g);
		}
		return;
	case VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET:
		val &= VIOMMU_EVT_CONTROL_LEN | VIOMMU_EVT_CONTROL_EN | VIOMMU_EVT_CONTROL_INT_EN |
		       VIOMMU_EVT_CONTROL_BASE;
		rising = val & ~g->evt_ctl;
		falling = g->evt_ctl & ~val;
		if (!(g->evt_ctl & VIOMMU_EVT_CONTROL_EN))
			amd_guest_ring(&g->evt, val & VIOMMU_EVT_CONTROL_BASE,
				       FIELD_GET(VIOMMU_EVT_CONTROL_LEN, val));
		g->evt_ctl = val;
		if (falling & VIOMMU_EVT_CONTROL_EN)
			g->evt.run = false;
		if (rising & VIOMMU_EVT_CONTROL_EN)
			g->evt.run = true;
		return;
	case VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET:
		val &= VIOMMU_PPR_CONTROL_LEN | VIOMMU_PPR_CONTROL_LOG_EN | VIOMMU_PPR_CONTROL_INT_EN |
		       VIOMMU_PPR_CONTROL_EN | VIOMMU_PPR_CONTROL_BASE;
		rising = val & ~g->ppr_ctl;
		falling = g->ppr_ctl & ~val;
		if (!(g->ppr_ctl & VIOMMU_PPR_CONTROL_LOG_EN))
			amd_guest_ring(&g->ppr, FIELD_GET(VIOMMU_PPR_CONTROL_BASE, val) << 12,
				       FIELD_GET(VIOMMU_PPR_CONTROL_LEN, val));
		g->ppr_ctl = val;
		if (falling & VIOMMU_PPR_CONTROL_LOG_EN)
			g->ppr.run = false;
		if (rising & VIOMMU_PPR_CONTROL_LOG_EN)
			g->ppr.run = true;
		return;
	}
}


static u64 amd_bar_read(void *priv, u64 offset, unsigned int size)
{
	struct amd_iommu_model *m = (struct amd_iommu_model *)priv;
	bool ctrl = offset >> 63;
	u64 val;

	offset &= ~BIT_ULL(63);
	amd_lock(m);
	if (ctrl)
		val = amd_vfctrl_read64(m, offset / VIOMMU_VFCTRL_MMIO_ENTRY_SIZE,
					offset % VIOMMU_VFCTRL_MMIO_ENTRY_SIZE & ~7U);
	else
		val = amd_vf_read64(m, offset / VIOMMU_VF_MMIO_ENTRY_SIZE,
				    offset % VIOMMU_VF_MMIO_ENTRY_SIZE & ~7U);
	amd_unlock(m);
	val >>= (offset & 7) * 8;
	if (size < 8)
		val &= (1ULL << (size * 8)) - 1;
	return val;
}

static void amd_bar_write(void *priv, u64 offset, u64 val, unsigned int size)
{
	struct amd_iommu_model *m = (struct amd_iommu_model *)priv;
	bool ctrl = offset >> 63;
	unsigned int shift;
	u32 gid;
	u64 off, cur, mask;

	offset &= ~BIT_ULL(63);
	if ((size != 4 && size != 8) || (offset & (size - 1)))
		return;
	gid = ctrl ? offset / VIOMMU_VFCTRL_MMIO_ENTRY_SIZE : offset / VIOMMU_VF_MMIO_ENTRY_SIZE;
	off = (ctrl ? offset % VIOMMU_VFCTRL_MMIO_ENTRY_SIZE : offset % VIOMMU_VF_MMIO_ENTRY_SIZE) &
	      ~7ULL;
	shift = (offset & 7) * 8;
	amd_lock(m);
	if (size == 4) {
		mask = 0xffffffffULL << shift;
		cur = (!ctrl && off == VIOMMU_VF_MMIO_STATUS) ? 0 :
		      ctrl ? amd_vfctrl_read64(m, gid, off) : amd_vf_read64(m, gid, off);
		val = (cur & ~mask) | ((val << shift) & mask);
	}
	if (ctrl)
		amd_vfctrl_write64(m, gid, off, val);
	else
		amd_vf_write64(m, gid, off, val);
	amd_unlock(m);
}

/* The two BARs share the handlers; bit 63 of the offset says which one it is. */
static u64 amd_vf_read(void *priv, u64 offset, unsigned int size)
{
	return amd_bar_read(priv, offset, size);
}

static void amd_vf_write(void *priv, u64 offset, u64 val, unsigned int size)
{
	amd_bar_write(priv, offset, val, size);
}

static u64 amd_vfctrl_read(void *priv, u64 offset, unsigned int size)
{
	return amd_bar_read(priv, offset | BIT_ULL(63), size);
}

static void amd_vfctrl_write(void *priv, u64 offset, u64 val, unsigned int size)
{
	amd_bar_write(priv, offset | BIT_ULL(63), val, size);
}

static const struct mmio_ops amd_vf_ops = {
	.read = amd_vf_read,
	.write = amd_vf_write,
};

static const struct mmio_ops amd_vfctrl_ops = {
	.read = amd_vfctrl_read,
	.write = amd_vfctrl_write,
};

int amd_viommu_mmio_init(struct amd_iommu_model *m)
{
	if (!m->cfg.viommu)
		return 0;
	m->vf_mmio = ioremap_model((size_t)m->cfg.nr_guests * VIOMMU_VF_MMIO_ENTRY_SIZE,
				   &amd_vf_ops, m);
	m->vfctrl_mmio = ioremap_model((size_t)m->cfg.nr_guests * VIOMMU_VFCTRL_MMIO_ENTRY_SIZE,
				       &amd_vfctrl_ops, m);
	return m->vf_mmio && m->vfctrl_mmio ? 0 : -ENOMEM;
}

void amd_viommu_mmio_exit(struct amd_iommu_model *m)
{
	if (m->vf_mmio)
		iounmap(m->vf_mmio);
	if (m->vfctrl_mmio)
		iounmap(m->vfctrl_mmio);
}

void __iomem *amd_iommu_model_vf_mmio(struct amd_iommu_model *m)
{
	return m->vf_mmio;
}

void __iomem *amd_iommu_model_vfctrl_mmio(struct amd_iommu_model *m)
{
	return m->vfctrl_mmio;
}

void amd_iommu_model_get_guests(struct amd_iommu_model *m,
				std::vector<struct amd_iommu_model_guest> *out)
{
	amd_lock(m);
	for (const auto &[gid, g] : m->guests) {
		/* A read of an unused guest's page makes an entry; only programmed ones count */
		if (!g.misc && !g.cmd_ctl && !g.evt_ctl && !g.ppr_ctl)
			continue;
		out->push_back({ gid, g.misc, g.cmd_ctl, g.evt_ctl, g.ppr_ctl, g.cmd.head, g.cmd.tail,
				 g.evt.head, g.evt.tail, amd_guest_status(&g) });
	}
	amd_unlock(m);
}
