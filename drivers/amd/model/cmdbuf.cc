// SPDX-License-Identifier: GPL-2.0
/*
 * The host command buffer (spec 48882, 2.4) and the invalidations every
 * command buffer (the host's and the guests', viommu.cc) runs against
 * the caches.
 *
 * Commands are fetched at CmdHead while the buffer runs and CmdHead !=
 * CmdTail; each completes before the next is fetched, so COMPLETION_WAIT
 * needs no queueing of its own. A command with an unknown opcode, an
 * opcode this IOMMU does not support (INVALIDATE_IOMMU_ALL without IASup,
 * PREFETCH without PreFSup) or a reserved bit set is an
 * ILLEGAL_COMMAND_ERROR carrying the command's physical address; the
 * buffer stops with CmdHead at it and Status.CmdBufRun clear until
 * software turns CmdBufEn off and on again. A fetch with no memory behind
 * it is a COMMAND_HARDWARE_ERROR and stops the buffer the same way.
 *
 * Invalidation scope:
 *  - INVALIDATE_DEVTAB_ENTRY drops the DTE cache entry of the DeviceID.
 *  - INVALIDATE_IOMMU_PAGES with GN drops the DomainID's guest
 *    translations of that PASID overlapping the range. Without GN it
 *    drops the DomainID's host translations overlapping the range and the
 *    nested guest translations whose guest-physical page overlaps it
 *    (their host stage is what changed); with the all-pages range every
 *    translation of the DomainID goes. With PDE it also drops the
 *    DomainID's cached page-directory entries in the range (without GN);
 *    without PDE they stay, and a changed upper-level entry keeps being
 *    walked through the old table.
 *  - INVALIDATE_IOTLB_PAGES drops the device IOTLB entries of the
 *    DeviceID (and PASID with GN) in the range.
 *  - INVALIDATE_IOMMU_ALL empties the DTE cache, the IOTLB and the
 *    page-directory cache.
 *  - INVALIDATE_INTERRUPT_TABLE has no cache to drop (interrupt remapping
 *    is not modelled).
 */
#include "drivers/amd/model/model_internal.h"

#include "harness/physmem.h"

static bool amd_res0(const struct iommu_cmd *c, u32 r0, u32 r1, u32 r2, u32 r3)
{
	return (c->data[0] & r0) || (c->data[1] & r1 & ~CMD_OPCODE) || (c->data[2] & r2) ||
	       (c->data[3] & r3);
}

int amd_cmd_check(const struct amd_iommu_model *m, const struct iommu_cmd *c)
{
	bool bad;

	switch (cmd_opcode(c)) {
	case CMD_COMPL_WAIT:
		bad = amd_res0(c, 0, CMD_COMPL_WAIT_1_RES0, 0, 0);
		break;
	case CMD_INV_DEV_ENTRY:
		bad = amd_res0(c, CMD_INV_DEV_ENTRY_0_RES0, CMD_INV_DEV_ENTRY_1_RES0, ~0U, ~0U);
		break;
	case CMD_INV_IOMMU_PAGES:
		bad = amd_res0(c, CMD_INV_IOMMU_PAGES_0_RES0, CMD_INV_IOMMU_PAGES_1_RES0,
			       CMD_INV_IOMMU_PAGES_2_RES0, 0);
		/* A PASID is only meaningful with GN, and only within PASmax. */
		if ((c->data[2] & CMD_INV_IOMMU_PAGES_GN_MASK) &&
		    (!m->cfg.gt || (c->data[0] & CMD_INV_IOMMU_PAGES_0_PASID) >>
					   (m->cfg.pasmax + 1)))
			bad = true;
		break;
	case CMD_INV_IOTLB_PAGES:
		bad = amd_res0(c, 0, CMD_INV_IOTLB_1_RES0, CMD_INV_IOTLB_2_RES0, 0);
		break;
	case CMD_INV_IRT:
		bad = amd_res0(c, CMD_INV_IRT_0_RES0, CMD_INV_IRT_1_RES0, ~0U, ~0U);
		break;
	case CMD_PREFETCH_IOMMU_PAGES:
		bad = !m->cfg.prefetch;
		break;
	case CMD_COMPLETE_PPR:
		bad = !m->cfg.ppr ||
		      amd_res0(c, CMD_COMPLETE_PPR_0_RES0, CMD_COMPLETE_PPR_1_RES0,
			       CMD_COMPLETE_PPR_2_RES0, CMD_COMPLETE_PPR_3_RES0);
		break;
	case CMD_INV_ALL:
		bad = !m->cfg.ia || amd_res0(c, ~0U, CMD_INV_ALL_1_RES0, ~0U, ~0U);
		break;
	default:
		bad = true;
	}
	return bad ? -EINVAL : 0;
}

/* [start, last] of an INVALIDATE_*_PAGES address with its S bit. */
static void amd_inv_range(u64 addr, bool s, u64 *start, u64 *last)
{
	unsigned int lg2 = cmd_inv_range_lg2(addr, s);

	if (lg2 >= 64) {
		*start = 0;
		*last = ~0ULL;
		return;
	}
	*start = addr & ~((1ULL << lg2) - 1);
	*last = *start + (1ULL << lg2) - 1;
}

static bool amd_overlap(u64 page, unsigned int size_lg2, u64 start, u64 last)
{
	u64 end = size_lg2 >= 64 ? ~0ULL : page + (1ULL << size_lg2) - 1;

	return page <= last && end >= start;
}

void amd_inv_dte(struct amd_iommu_model *m, u16 devid)
{
	m->dte_cache.erase(devid);
}

void amd_inv_pages(struct amd_iommu_model *m, u16 domid, u32 pasid, bool gn, bool pde, u64 addr,
		   bool s)
{
	u64 start, last;
	bool all;

	amd_inv_range(addr, s, &start, &last);
	all = !start && last == ~0ULL;
	if (pde && !gn)
		for (auto it = m->pde_cache.begin(); it != m->pde_cache.end();) {
			bool drop = it->first.domid == domid &&
				    amd_overlap(it->first.region << 21, 21, start, last);

			it = drop ? m->pde_cache.erase(it) : std::next(it);
		}
	for (auto it = m->iotlb.begin(); it != m->iotlb.end();) {
		const struct amd_iotlb_key &k = it->first;
		const struct amd_iotlb_ent &e = it->second;
		bool drop = false;

		if (k.domid != domid) {
			++it;
			continue;
		}
		if (gn)
			drop = k.pasid == pasid && amd_overlap(k.page, k.size_lg2, start, last);
		else if (all)
			drop = true;
		else if (k.pasid == AMD_NO_PASID)
			drop = amd_overlap(k.page, k.size_lg2, start, last);
		else if (e.nested)
			drop = amd_overlap(e.gpa_page, e.gpa_size_lg2, start, last);
		it = drop ? m->iotlb.erase(it) : std::next(it);
	}
}

void amd_inv_iotlb(struct amd_iommu_model *m, u16 devid, u32 pasid, bool gn, u64 addr, bool s)
{
	u64 start, last;

	amd_inv_range(addr, s, &start, &last);
	for (auto it = m->devtlb.begin(); it != m->devtlb.end();) {
		const struct amd_devtlb_key &k = it->first;
		bool drop = k.devid == devid && (gn ? k.pasid == pasid : k.pasid == AMD_NO_PASID) &&
			    amd_overlap(k.page, 12, start, last);

		it = drop ? m->devtlb.erase(it) : std::next(it);
	}
}

void amd_inv_all(struct amd_iommu_model *m)
{
	m->dte_cache.clear();
	m->iotlb.clear();
	m->iotlb_sizes = 0;
	m->pde_cache.clear();
}

void amd_ppr_respond(struct amd_iommu_model *m, u16 devid, const struct iommu_cmd *c)
{
	bool gn = c->data[2] & CMD_INV_IOMMU_PAGES_GN_MASK;

	m->pending_resp.push_back({ devid,
				    gn ? (u32)FIELD_GET(CMD_COMPLETE_PPR_1_PASID, c->data[1]) : 0,
				    gn, (u16)FIELD_GET(CMD_COMPLETE_PPR_3_TAG, c->data[3]),
				    (unsigned int)FIELD_GET(CMD_COMPLETE_PPR_3_STATUS, c->data[3]) });
}

/* One host command; false stops the buffer (the event is already logged). */
static bool amd_host_exec(struct amd_iommu_model *m, const struct iommu_cmd *c, u64 cmd_pa)
{
	struct amd_event ev = {};
	u64 data;

	if (amd_cmd_check(m, c)) {
		ev.type = EVENT_TYPE_ILL_CMD;
		ev.addr = cmd_pa;
		amd_log_event(m, &ev);
		return false;
	}
	switch (cmd_opcode(c)) {
	case CMD_COMPL_WAIT:
		if (c->data[0] & CMD_COMPL_WAIT_STORE_MASK) {
			data = ((u64)c->data[3] << 32) | c->data[2];
			if (phys_write(cmd_compl_wait_addr(c), &data, sizeof(data))) {
				ev.type = EVENT_TYPE_CMD_HARD_ERR;
				ev.addr = cmd_compl_wait_addr(c);
				amd_log_event(m, &ev);
				return false;
			}
		}
		if (c->data[0] & CMD_COMPL_WAIT_INT_MASK) {
			m->status |= MMIO_STATUS_COM_WAIT_INT_MASK;
			amd_raise_irq(m, AMD_IOMMU_IRQ_COMWAIT);
		}
		m->stats.waits++;
		break;
	case CMD_INV_DEV_ENTRY:
		amd_inv_dte(m, c->data[0] & CMD_DEVID);
		break;
	case CMD_INV_IOMMU_PAGES:
		amd_inv_pages(m, c->data[1] & CMD_INV_IOMMU_PAGES_1_DOMID,
			      c->data[0] & CMD_INV_IOMMU_PAGES_0_PASID,
			      c->data[2] & CMD_INV_IOMMU_PAGES_GN_MASK,
			      c->data[2] & CMD_INV_IOMMU_PAGES_PDE_MASK, cmd_inv_address(c),
			      c->data[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK);
		break;
	case CMD_INV_IOTLB_PAGES:
		amd_inv_iotlb(m, c->data[0] & CMD_DEVID, cmd_inv_iotlb_pasid(c),
			      c->data[2] & CMD_INV_IOMMU_PAGES_GN_MASK, cmd_inv_address(c),
			      c->data[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK);
		break;
	case CMD_COMPLETE_PPR:
		amd_ppr_respond(m, c->data[0] & CMD_DEVID, c);
		break;
	case CMD_INV_ALL:
		amd_inv_all(m);
		break;
	case CMD_INV_IRT:
	case CMD_PREFETCH_IOMMU_PAGES:
		break;
	}
	m->stats.cmds++;
	return true;
}

void amd_cmdbuf_consume(struct amd_iommu_model *m)
{
	struct iommu_cmd c;
	struct amd_event ev = {};

	if (!amd_ctrl(m, CONTROL_IOMMU_EN) || !amd_ctrl(m, CONTROL_CMDBUF_EN))
		return;
	while (m->cmd.run && m->cmd.head != m->cmd.tail) {
		u64 pa = m->cmd.base + m->cmd.head;

		if (phys_read(pa, &c, sizeof(c))) {
			ev.type = EVENT_TYPE_CMD_HARD_ERR;
			ev.addr = pa;
			amd_log_event(m, &ev);
			m->cmd.run = false;
			return;
		}
		if (!amd_host_exec(m, &c, pa)) {
			m->cmd.run = false;
			return;
		}
		m->cmd.head = (m->cmd.head + sizeof(c)) % m->cmd.size;
	}
}
