// SPDX-License-Identifier: GPL-2.0
/*
 * The command queue consumer (IHI 0070, chapter 4 and 7.1).
 *
 * Commands are consumed in order from CONS to PROD while CR0.CMDQEN is set
 * and no command error is active, synchronously in the MMIO write that
 * allows progress (see smmu_model.h). Each command is checked against the
 * fields its opcode defines: an unknown opcode, a non-zero reserved field,
 * a field the SMMU's configuration does not have (a 16-bit VMID without
 * VMID16, range fields without RIL, EL2 invalidation without HYP, ATC_INV
 * without ATS, PRI_RESP without PRI), or a reserved encoding (CMD_SYNC CS
 * 3, PRI_RESP Resp 3, RESUME Action 3) is CERROR_ILL: CONS stays on the command, CONS.ERR
 * says why, GERROR.CMDQ_ERR is raised, and the queue waits until software
 * acknowledges it through GERRORN. A command that cannot be fetched is
 * CERROR_ABT the same way.
 *
 * Accepted without effect (counted in stats.cmds_ignored): PREFETCH_* (the
 * model prefetches nothing). RESUME ends the stalled transaction of its
 * StreamID and STAG (Retry, Abort, or Term: as if it had not stalled), and
 * STALL_TERM every one of its StreamID with an abort; either, matching
 * nothing, has no effect.
 *
 * Invalidation scope (4.4): the TLB holds leaf translations only, so the
 * LEAF flag and the TTL hint make no difference here; walk caches are not
 * modelled. A range TLBI (TG != 0) covers (NUM + 1) << SCALE granules from
 * its address; a non-range one the entries containing its address.
 */
#include "drivers/arm-smmu-v3/model/model_internal.h"

/* The fields an opcode has, word by word; anything else is reserved. */
struct smmuv3_cmd_shape {
	u64 dw0, dw1;
};

static bool smmuv3_cmd_shape(struct smmuv3_model *m, u8 op, struct smmuv3_cmd_shape *sh)
{
	const u64 vmid = m->cfg.vmid16 ? CMDQ_TLBI_0_VMID : GENMASK_ULL(39, 32);
	const u64 asid = m->cfg.asid16 ? CMDQ_TLBI_0_ASID : GENMASK_ULL(55, 48);
	const u64 range0 = m->cfg.ril ? CMDQ_TLBI_0_NUM | CMDQ_TLBI_0_SCALE : 0;
	const u64 range1 = m->cfg.ril ? CMDQ_TLBI_1_TTL | CMDQ_TLBI_1_TG : 0;
	const u64 ssid = CMDQ_0_SSV | CMDQ_CFGI_0_SSID;
	const u64 sid = CMDQ_CFGI_0_SID;

	switch (op) {
	case CMDQ_OP_PREFETCH_CFG:
		*sh = { ssid | sid, 0 };
		return true;
	case CMDQ_OP_PREFETCH_ADDR:
		*sh = { ssid | sid,
			CMDQ_PREFETCH_1_SIZE | CMDQ_PREFETCH_1_STRIDE | CMDQ_PREFETCH_1_ADDR_MASK };
		return true;
	case CMDQ_OP_CFGI_STE:
		*sh = { sid, CMDQ_CFGI_1_LEAF };
		return true;
	case CMDQ_OP_CFGI_STE_RANGE:
		*sh = { sid, CMDQ_CFGI_1_RANGE };
		return true;
	case CMDQ_OP_CFGI_CD:
		*sh = { CMDQ_CFGI_0_SSID | sid, CMDQ_CFGI_1_LEAF };
		return true;
	case CMDQ_OP_CFGI_CD_ALL:
		*sh = { sid, 0 };
		return true;
	case CMDQ_OP_TLBI_NH_ALL:
		*sh = { vmid, 0 };
		return m->cfg.s1p;
	case CMDQ_OP_TLBI_NH_ASID:
		*sh = { vmid | asid, 0 };
		return m->cfg.s1p;
	case CMDQ_OP_TLBI_NH_VA:
		*sh = { range0 | vmid | asid, CMDQ_TLBI_1_LEAF | range1 | CMDQ_TLBI_1_VA_MASK };
		return m->cfg.s1p;
	case CMDQ_OP_TLBI_NH_VAA:
		*sh = { range0 | vmid, CMDQ_TLBI_1_LEAF | range1 | CMDQ_TLBI_1_VA_MASK };
		return m->cfg.s1p;
	case CMDQ_OP_TLBI_EL2_ALL:
		*sh = { 0, 0 };
		return m->cfg.hyp;
	case CMDQ_OP_TLBI_EL2_ASID:
		*sh = { asid, 0 };
		return m->cfg.hyp;
	case CMDQ_OP_TLBI_EL2_VA:
		*sh = { range0 | asid, CMDQ_TLBI_1_LEAF | range1 | CMDQ_TLBI_1_VA_MASK };
		return m->cfg.hyp;
	case CMDQ_OP_TLBI_EL2_VAA:
		*sh = { range0, CMDQ_TLBI_1_LEAF | range1 | CMDQ_TLBI_1_VA_MASK };
		return m->cfg.hyp;
	case CMDQ_OP_TLBI_S12_VMALL:
		*sh = { vmid, 0 };
		return m->cfg.s2p;
	case CMDQ_OP_TLBI_S2_IPA:
		*sh = { range0 | vmid, CMDQ_TLBI_1_LEAF | range1 | CMDQ_TLBI_1_IPA_MASK };
		return m->cfg.s2p;
	case CMDQ_OP_TLBI_NSNH_ALL:
		*sh = { 0, 0 };
		return true;
	case CMDQ_OP_ATC_INV:
		*sh = { CMDQ_0_SSV | CMDQ_ATC_0_GLOBAL | CMDQ_ATC_0_SSID | CMDQ_ATC_0_SID,
			CMDQ_ATC_1_SIZE | CMDQ_ATC_1_ADDR_MASK };
		return m->cfg.ats;
	case CMDQ_OP_PRI_RESP:
		*sh = { CMDQ_0_SSV | CMDQ_PRI_0_SSID | CMDQ_PRI_0_SID,
			CMDQ_PRI_1_GRPID | CMDQ_PRI_1_RESP };
		return m->cfg.pri;
	case CMDQ_OP_RESUME:
		*sh = { CMDQ_RESUME_0_RESP | CMDQ_RESUME_0_SID, CMDQ_RESUME_1_STAG };
		return true;
	case CMDQ_OP_STALL_TERM:
		*sh = { CMDQ_STALL_TERM_0_SID, 0 };
		return true;
	case CMDQ_OP_CMD_SYNC:
		*sh = { CMDQ_SYNC_0_CS | CMDQ_SYNC_0_MSH | CMDQ_SYNC_0_MSIATTR | CMDQ_SYNC_0_MSIDATA,
			CMDQ_SYNC_1_MSIADDR_MASK };
		return true;
	}
	return false;
}

/* What a TLBI removes. */
struct smmuv3_tlbi {
	u8 op;
	u16 vmid, asid;
	u64 start, last;	/* address range, inclusive; all when last < start */
};

static bool smmuv3_tlbi_in_range(const struct smmuv3_tlb_key *k, const struct smmuv3_tlbi *t)
{
	u64 end;

	if (t->last < t->start)
		return true;
	end = k->page + (1ULL << k->size_lg2) - 1;
	return k->page <= t->last && end >= t->start;
}

static bool smmuv3_tlbi_match(const struct smmuv3_tlb_key *k, const void *arg)
{
	const struct smmuv3_tlbi *t = (const struct smmuv3_tlbi *)arg;
	bool el1 = k->regime == SMMUV3_REGIME_NS_EL1, el2 = k->regime == SMMUV3_REGIME_EL2;
	bool s2 = k->regime == SMMUV3_REGIME_S2;

	switch (t->op) {
	case CMDQ_OP_TLBI_NH_ALL:
		return el1 && k->vmid == t->vmid;
	case CMDQ_OP_TLBI_NH_ASID:
		return el1 && k->vmid == t->vmid && k->asid == t->asid;
	case CMDQ_OP_TLBI_NH_VA:
		return el1 && k->vmid == t->vmid && k->asid == t->asid && smmuv3_tlbi_in_range(k, t);
	case CMDQ_OP_TLBI_NH_VAA:
		return el1 && k->vmid == t->vmid && smmuv3_tlbi_in_range(k, t);
	case CMDQ_OP_TLBI_EL2_ALL:
		return el2;
	case CMDQ_OP_TLBI_EL2_ASID:
		return el2 && k->asid == t->asid;
	case CMDQ_OP_TLBI_EL2_VA:
		return el2 && k->asid == t->asid && smmuv3_tlbi_in_range(k, t);
	case CMDQ_OP_TLBI_EL2_VAA:
		return el2 && smmuv3_tlbi_in_range(k, t);
	case CMDQ_OP_TLBI_S12_VMALL:
		return (el1 || s2) && k->vmid == t->vmid;
	case CMDQ_OP_TLBI_S2_IPA:
		/* Stage-2-only entries: combined stage 1+2 entries need S12_VMALL/NH_*. */
		return s2 && k->vmid == t->vmid && smmuv3_tlbi_in_range(k, t);
	case CMDQ_OP_TLBI_NSNH_ALL:
		return el1 || s2;
	}
	return false;
}

/* Beyond this many keys a TLBI scans the TLB instead of erasing them one by one. */
#define SMMUV3_TLBI_KEYS_MAX 256

/*
 * A TLBI that names every part of its entries' tags (NH_VA: NS-EL1, VMID,
 * ASID; EL2_VA: EL2, ASID; S2_IPA: stage 2, VMID) and a range erases the
 * keys the range can have at each entry size the TLB holds, stage 1 alone
 * and nested, instead of scanning the TLB: a TLBI by address costs the same
 * however full the TLB is. False (nothing done) for other TLBIs and for
 * ranges with more keys than SMMUV3_TLBI_KEYS_MAX.
 */
static bool smmuv3_tlbi_by_key(struct smmuv3_model *m, const struct smmuv3_tlbi *t)
{
	struct smmuv3_tlb_key key = {};
	unsigned int size, nested_max = 1;
	u64 nr = 0;

	switch (t->op) {
	case CMDQ_OP_TLBI_NH_VA:
		key.regime = SMMUV3_REGIME_NS_EL1;
		key.vmid = t->vmid;
		key.asid = t->asid;
		break;
	case CMDQ_OP_TLBI_EL2_VA:
		key.regime = SMMUV3_REGIME_EL2;
		key.asid = t->asid;
		break;
	case CMDQ_OP_TLBI_S2_IPA:
		/* Stage-2-only entries are never nested ones */
		key.regime = SMMUV3_REGIME_S2;
		key.vmid = t->vmid;
		nested_max = 0;
		break;
	default:
		return false;
	}
	if (t->last < t->start)
		return false;
	for (size = 0; size < 64; size++) {
		if (!(m->tlb_sizes & BIT_ULL(size)))
			continue;
		nr += (t->last >> size) - (t->start >> size) + 1;
		if (nr > SMMUV3_TLBI_KEYS_MAX)
			return false;
	}
	for (size = 0; size < 64; size++) {
		u64 page;

		if (!(m->tlb_sizes & BIT_ULL(size)))
			continue;
		key.size_lg2 = size;
		for (page = t->start >> size; page <= t->last >> size; page++) {
			key.page = page << size;
			for (unsigned int nested = 0; nested <= nested_max; nested++) {
				key.nested = nested;
				m->tlb.erase(key);
			}
		}
	}
	if (m->tlb.empty())
		m->tlb_sizes = 0;
	return true;
}

static void smmuv3_cmd_tlbi(struct smmuv3_model *m, u8 op, const u64 *cmd)
{
	struct smmuv3_tlbi t = {
		.op = op,
		.vmid = (u16)FIELD_GET(CMDQ_TLBI_0_VMID, cmd[0]),
		.asid = (u16)FIELD_GET(CMDQ_TLBI_0_ASID, cmd[0]),
		.start = 1,
		.last = 0,
	};
	unsigned int tg = FIELD_GET(CMDQ_TLBI_1_TG, cmd[1]);

	switch (op) {
	case CMDQ_OP_TLBI_NH_VA:
	case CMDQ_OP_TLBI_NH_VAA:
	case CMDQ_OP_TLBI_EL2_VA:
	case CMDQ_OP_TLBI_EL2_VAA:
	case CMDQ_OP_TLBI_S2_IPA:
		t.start = cmd[1] & (op == CMDQ_OP_TLBI_S2_IPA ? CMDQ_TLBI_1_IPA_MASK :
								CMDQ_TLBI_1_VA_MASK);
		t.last = t.start;
		if (tg) {
			unsigned int g = tg == CMDQ_TLBI_1_TG_4K ? 12 : tg == CMDQ_TLBI_1_TG_16K ? 14 : 16;
			u64 num = FIELD_GET(CMDQ_TLBI_0_NUM, cmd[0]) + 1;
			unsigned int scale = FIELD_GET(CMDQ_TLBI_0_SCALE, cmd[0]);
			unsigned int shift = g + scale;

			/* A range past the top of the address space stops there. */
			if (shift >= 64 || (num << shift) >> shift != num ||
			    t.start + (num << shift) - 1 < t.start)
				t.last = ~0ULL;
			else
				t.last = t.start + (num << shift) - 1;
		}
		break;
	}
	if (!smmuv3_tlbi_by_key(m, &t))
		smmuv3_tlb_flush(m, smmuv3_tlbi_match, &t);
}

/* CMD_SYNC: everything before it is done by now; signal as CS asks. */
static void smmuv3_cmd_sync(struct smmuv3_model *m, const u64 *cmd)
{
	m->stats.syncs++;
	switch (FIELD_GET(CMDQ_SYNC_0_CS, cmd[0])) {
	case CMDQ_SYNC_0_CS_IRQ:
		smmuv3_raise_irq(m, SMMUV3_IRQ_CMD_SYNC, cmd[1] & CMDQ_SYNC_1_MSIADDR_MASK,
				 (u32)FIELD_GET(CMDQ_SYNC_0_MSIDATA, cmd[0]));
		break;
	case CMDQ_SYNC_0_CS_SEV:
		if (m->cfg.sev)
			m->pending_irq |= BIT(SMMUV3_IRQ_SEV);
		break;
	}
}

/* Runs one command: 0, or the CERROR_* index that stops the queue. */
static u32 smmuv3_cmd_exec(struct smmuv3_model *m, const u64 *cmd)
{
	u8 op = FIELD_GET(CMDQ_0_OP, cmd[0]);
	struct smmuv3_cmd_shape sh;

	if (!smmuv3_cmd_shape(m, op, &sh))
		return CMDQ_ERR_CERROR_ILL_IDX;
	if ((cmd[0] & ~(sh.dw0 | CMDQ_0_OP)) || (cmd[1] & ~sh.dw1))
		return CMDQ_ERR_CERROR_ILL_IDX;

	switch (op) {
	case CMDQ_OP_CFGI_STE:
		smmuv3_cfgi_ste(m, FIELD_GET(CMDQ_CFGI_0_SID, cmd[0]), 1);
		break;
	case CMDQ_OP_CFGI_STE_RANGE: {
		unsigned int range = FIELD_GET(CMDQ_CFGI_1_RANGE, cmd[1]);
		u32 sid = FIELD_GET(CMDQ_CFGI_0_SID, cmd[0]);

		if (range >= CMDQ_CFGI_1_RANGE_ALL)
			smmuv3_cfgi_ste(m, 0, 0);
		else
			smmuv3_cfgi_ste(m, sid & ~((2U << range) - 1), 2U << range);
		break;
	}
	case CMDQ_OP_CFGI_CD:
		smmuv3_cfgi_cd(m, FIELD_GET(CMDQ_CFGI_0_SID, cmd[0]),
			       FIELD_GET(CMDQ_CFGI_0_SSID, cmd[0]), false);
		break;
	case CMDQ_OP_CFGI_CD_ALL:
		smmuv3_cfgi_cd(m, FIELD_GET(CMDQ_CFGI_0_SID, cmd[0]), 0, true);
		break;
	case CMDQ_OP_TLBI_NH_ALL:
	case CMDQ_OP_TLBI_NH_ASID:
	case CMDQ_OP_TLBI_NH_VA:
	case CMDQ_OP_TLBI_NH_VAA:
	case CMDQ_OP_TLBI_EL2_ALL:
	case CMDQ_OP_TLBI_EL2_ASID:
	case CMDQ_OP_TLBI_EL2_VA:
	case CMDQ_OP_TLBI_EL2_VAA:
	case CMDQ_OP_TLBI_S12_VMALL:
	case CMDQ_OP_TLBI_S2_IPA:
	case CMDQ_OP_TLBI_NSNH_ALL:
		smmuv3_cmd_tlbi(m, op, cmd);
		break;
	case CMDQ_OP_ATC_INV:
		smmuv3_atc_inv(m, FIELD_GET(CMDQ_ATC_0_SID, cmd[0]),
			       FIELD_GET(CMDQ_ATC_0_SSID, cmd[0]), cmd[0] & CMDQ_0_SSV,
			       cmd[0] & CMDQ_ATC_0_GLOBAL, cmd[1] & CMDQ_ATC_1_ADDR_MASK,
			       FIELD_GET(CMDQ_ATC_1_SIZE, cmd[1]));
		break;
	case CMDQ_OP_PRI_RESP: {
		u64 resp = FIELD_GET(CMDQ_PRI_1_RESP, cmd[1]);

		if (resp > PRI_RESP_SUCC)
			return CMDQ_ERR_CERROR_ILL_IDX;
		m->pending_pri.push_back({ (u32)FIELD_GET(CMDQ_PRI_0_SID, cmd[0]),
					   (u32)FIELD_GET(CMDQ_PRI_0_SSID, cmd[0]),
					   (bool)(cmd[0] & CMDQ_0_SSV),
					   (u16)FIELD_GET(CMDQ_PRI_1_GRPID, cmd[1]),
					   (enum pri_resp)resp, false });
		break;
	}
	case CMDQ_OP_CMD_SYNC:
		if (FIELD_GET(CMDQ_SYNC_0_CS, cmd[0]) == 3)
			return CMDQ_ERR_CERROR_ILL_IDX;
		smmuv3_cmd_sync(m, cmd);
		break;
	case CMDQ_OP_RESUME:
		if (FIELD_GET(CMDQ_RESUME_0_RESP, cmd[0]) > CMDQ_RESUME_0_RESP_ABORT)
			return CMDQ_ERR_CERROR_ILL_IDX;
		/* A RESUME that matches no stalled transaction has no effect */
		smmuv3_stall_end(m, FIELD_GET(CMDQ_RESUME_0_SID, cmd[0]), false,
				 FIELD_GET(CMDQ_RESUME_1_STAG, cmd[1]), false,
				 FIELD_GET(CMDQ_RESUME_0_RESP, cmd[0]));
		break;
	case CMDQ_OP_STALL_TERM:
		smmuv3_stall_end(m, FIELD_GET(CMDQ_STALL_TERM_0_SID, cmd[0]), false, 0, true,
				 CMDQ_RESUME_0_RESP_ABORT);
		break;
	default:
		/* PREFETCH_* */
		m->stats.cmds_ignored++;
		break;
	}
	return CMDQ_ERR_CERROR_NONE_IDX;
}

void smmuv3_cmdq_consume(struct smmuv3_model *m)
{
	struct smmuv3_queue *q = &m->cmdq;
	u64 base = q->base & Q_BASE_ADDR_MASK;

	while ((m->cr0 & CR0_CMDQEN) && !smmuv3_gerror_active(m, GERROR_CMDQ_ERR) &&
	       !q_empty(q->prod, q->cons, q->log2size)) {
		u64 addr = base + (u64)q_idx(q->cons, q->log2size) * (CMDQ_ENT_DWORDS * 8);
		u64 cmd[CMDQ_ENT_DWORDS];
		u32 err;

		if (phys_read(addr, cmd, sizeof(cmd)))
			err = CMDQ_ERR_CERROR_ABT_IDX;
		else
			err = smmuv3_cmd_exec(m, cmd);
		if (err) {
			q->cons = (q->cons & ~CMDQ_CONS_ERR) | FIELD_PREP(CMDQ_CONS_ERR, err);
			smmuv3_gerror_raise(m, GERROR_CMDQ_ERR);
			return;
		}
		m->stats.cmds++;
		q->cons = q_inc(q->cons & ~CMDQ_CONS_ERR, q->log2size);
	}
}

u32 smmuv3_model_exec_cmd(struct smmuv3_model *m, const u64 *cmd)
{
	u32 err;

	smmuv3_lock(m);
	err = smmuv3_cmd_exec(m, cmd);
	if (!err)
		m->stats.cmds++;
	smmuv3_unlock(m);
	return err;
}
