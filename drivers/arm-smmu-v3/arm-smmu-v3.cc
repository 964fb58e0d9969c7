// SPDX-License-Identifier: GPL-2.0
/*
 * ARM SMMUv3: the device. Probe from the ID registers, the reset sequence,
 * the command, event and PRI queues in fake physical memory, command
 * submission (batches, CMD_SYNC, recovery from a command the SMMU refused),
 * the interrupt handlers and the stream table.
 *
 * Command submission. Upstream's queue is lock-free with an elected owner
 * that publishes PROD for a gathered run; here one spinlock serialises
 * whole command lists, which keeps the order the SMMU sees (every command
 * of a list, then its CMD_SYNC, and nobody else's in between) without the
 * owner election. The wait for a CMD_SYNC polls CONS, as upstream does
 * without MSIs. A command the SMMU refuses stops the queue with CONS.ERR
 * and raises GERROR.CMDQ_ERR; the GERROR handler, which runs in whichever
 * thread the interrupt arrives on (possibly the submitter, inside its own
 * PROD write), turns the command into a CMD_SYNC and acknowledges the
 * error, after which the SMMU carries on (__arm_smmu_cmdq_skip_err()).
 *
 * Interrupts. GERROR is handled at once (upstream's hard IRQ handler). The
 * event and PRI queues are handled on the SMMU's IRQ thread (upstream's
 * threaded handlers), woken by arm_smmu_irq(); arm_smmu_drain_queues()
 * runs the same handlers in the caller's thread, for tests that want an
 * answer before they look.
 */
#include "drivers/arm-smmu-v3/arm-smmu-v3.h"

#include "core/io_pgfault.h"
#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/slab.h"

#include <chrono>
#include <stdio.h>

#define smmu_err(smmu, fmt, ...) \
	fprintf(stderr, "arm-smmu-v3 %s: " fmt "\n", (smmu)->name, ##__VA_ARGS__)

/* ----- Queue manipulation (index, wrap and overflow flag, as hw/regs.h has them) ----- */

static inline u32 Q_IDX(const struct arm_smmu_ll_queue *q, u32 p)
{
	return q_idx(p, q->max_n_shift);
}
static inline u32 Q_WRP(const struct arm_smmu_ll_queue *q, u32 p)
{
	return q_wrp(p, q->max_n_shift);
}
static inline u32 Q_OVF(u32 p)
{
	return p & Q_OVERFLOW_FLAG;
}
static inline __le64 *Q_ENT(struct arm_smmu_queue *q, u32 p)
{
	return q->base + Q_IDX(&q->llq, p) * q->ent_dwords;
}

static bool queue_has_space(struct arm_smmu_ll_queue *q, u32 n)
{
	u32 space, prod = Q_IDX(q, q->prod), cons = Q_IDX(q, q->cons);

	if (Q_WRP(q, q->prod) == Q_WRP(q, q->cons))
		space = (1U << q->max_n_shift) - (prod - cons);
	else
		space = cons - prod;
	return space >= n;
}

static bool queue_empty(struct arm_smmu_ll_queue *q)
{
	return q_empty(q->prod, q->cons, q->max_n_shift);
}

/* Has the SMMU consumed the entry at @prod? */
static bool queue_consumed(struct arm_smmu_ll_queue *q, u32 prod)
{
	return (Q_WRP(q, q->cons) == Q_WRP(q, prod) && Q_IDX(q, q->cons) > Q_IDX(q, prod)) ||
	       (Q_WRP(q, q->cons) != Q_WRP(q, prod) && Q_IDX(q, q->cons) <= Q_IDX(q, prod));
}

static void queue_sync_cons_out(struct arm_smmu_device *smmu, struct arm_smmu_queue *q)
{
	writel_relaxed(q->llq.cons, (u8 __iomem *)smmu->base + q->cons_off);
}

static void queue_inc_cons(struct arm_smmu_ll_queue *q)
{
	u32 cons = (Q_WRP(q, q->cons) | Q_IDX(q, q->cons)) + 1;

	q->cons = Q_OVF(q->cons) | Q_WRP(q, cons) | Q_IDX(q, cons);
}

static int queue_sync_prod_in(struct arm_smmu_device *smmu, struct arm_smmu_queue *q)
{
	u32 prod = readl_relaxed((u8 __iomem *)smmu->base + q->prod_off);
	int ret = 0;

	if (Q_OVF(prod) != Q_OVF(q->llq.prod))
		ret = -EOVERFLOW;
	q->llq.prod = prod;
	return ret;
}

static u32 queue_inc_prod_n(struct arm_smmu_ll_queue *q, int n)
{
	u32 prod = (Q_WRP(q, q->prod) | Q_IDX(q, q->prod)) + n;

	return Q_OVF(q->prod) | Q_WRP(q, prod) | Q_IDX(q, prod);
}

static void queue_write(__le64 *dst, const u64 *src, size_t n_dwords)
{
	for (size_t i = 0; i < n_dwords; ++i)
		WRITE_ONCE(dst[i], cpu_to_le64(src[i]));
}

static void queue_read(u64 *dst, const __le64 *src, size_t n_dwords)
{
	for (size_t i = 0; i < n_dwords; ++i)
		dst[i] = le64_to_cpu(READ_ONCE(src[i]));
}

static int queue_remove_raw(struct arm_smmu_device *smmu, struct arm_smmu_queue *q, u64 *ent)
{
	if (queue_empty(&q->llq))
		return -EAGAIN;
	queue_read(ent, Q_ENT(q, q->llq.cons), q->ent_dwords);
	queue_inc_cons(&q->llq);
	queue_sync_cons_out(smmu, q);
	return 0;
}

/* ----- Commands ----- */

int arm_smmu_cmdq_build_cmd(u64 *cmd, struct arm_smmu_cmdq_ent *ent)
{
	memset(cmd, 0, 1 << CMDQ_ENT_SZ_SHIFT);
	cmd[0] |= FIELD_PREP(CMDQ_0_OP, ent->opcode);

	switch (ent->opcode) {
	case CMDQ_OP_TLBI_EL2_ALL:
	case CMDQ_OP_TLBI_NSNH_ALL:
		break;
	case CMDQ_OP_PREFETCH_CFG:
		cmd[0] |= FIELD_PREP(CMDQ_PREFETCH_0_SID, ent->prefetch.sid);
		break;
	case CMDQ_OP_CFGI_CD:
		cmd[0] |= FIELD_PREP(CMDQ_CFGI_0_SSID, ent->cfgi.ssid);
		fallthrough;
	case CMDQ_OP_CFGI_STE:
		cmd[0] |= FIELD_PREP(CMDQ_CFGI_0_SID, ent->cfgi.sid);
		cmd[1] |= FIELD_PREP(CMDQ_CFGI_1_LEAF, ent->cfgi.leaf);
		break;
	case CMDQ_OP_CFGI_CD_ALL:
		cmd[0] |= FIELD_PREP(CMDQ_CFGI_0_SID, ent->cfgi.sid);
		break;
	case CMDQ_OP_CFGI_ALL:
		/* Cover the entire SID range */
		cmd[1] |= FIELD_PREP(CMDQ_CFGI_1_RANGE, CMDQ_CFGI_1_RANGE_ALL);
		break;
	case CMDQ_OP_TLBI_NH_VA:
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_VMID, ent->tlbi.vmid);
		fallthrough;
	case CMDQ_OP_TLBI_EL2_VA:
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_NUM, ent->tlbi.num);
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_SCALE, ent->tlbi.scale);
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_ASID, ent->tlbi.asid);
		cmd[1] |= FIELD_PREP(CMDQ_TLBI_1_LEAF, ent->tlbi.leaf);
		cmd[1] |= FIELD_PREP(CMDQ_TLBI_1_TTL, ent->tlbi.ttl);
		cmd[1] |= FIELD_PREP(CMDQ_TLBI_1_TG, ent->tlbi.tg);
		cmd[1] |= ent->tlbi.addr & CMDQ_TLBI_1_VA_MASK;
		break;
	case CMDQ_OP_TLBI_S2_IPA:
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_NUM, ent->tlbi.num);
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_SCALE, ent->tlbi.scale);
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_VMID, ent->tlbi.vmid);
		cmd[1] |= FIELD_PREP(CMDQ_TLBI_1_LEAF, ent->tlbi.leaf);
		cmd[1] |= FIELD_PREP(CMDQ_TLBI_1_TTL, ent->tlbi.ttl);
		cmd[1] |= FIELD_PREP(CMDQ_TLBI_1_TG, ent->tlbi.tg);
		cmd[1] |= ent->tlbi.addr & CMDQ_TLBI_1_IPA_MASK;
		break;
	case CMDQ_OP_TLBI_NH_ASID:
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_ASID, ent->tlbi.asid);
		fallthrough;
	case CMDQ_OP_TLBI_NH_ALL:
	case CMDQ_OP_TLBI_S12_VMALL:
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_VMID, ent->tlbi.vmid);
		break;
	case CMDQ_OP_TLBI_EL2_ASID:
		cmd[0] |= FIELD_PREP(CMDQ_TLBI_0_ASID, ent->tlbi.asid);
		break;
	case CMDQ_OP_ATC_INV:
		cmd[0] |= FIELD_PREP(CMDQ_0_SSV, ent->substream_valid);
		cmd[0] |= FIELD_PREP(CMDQ_ATC_0_GLOBAL, ent->atc.global);
		cmd[0] |= FIELD_PREP(CMDQ_ATC_0_SSID, ent->atc.ssid);
		cmd[0] |= FIELD_PREP(CMDQ_ATC_0_SID, ent->atc.sid);
		cmd[1] |= FIELD_PREP(CMDQ_ATC_1_SIZE, ent->atc.size);
		cmd[1] |= ent->atc.addr & CMDQ_ATC_1_ADDR_MASK;
		break;
	case CMDQ_OP_PRI_RESP:
		cmd[0] |= FIELD_PREP(CMDQ_0_SSV, ent->substream_valid);
		cmd[0] |= FIELD_PREP(CMDQ_PRI_0_SSID, ent->pri.ssid);
		cmd[0] |= FIELD_PREP(CMDQ_PRI_0_SID, ent->pri.sid);
		cmd[1] |= FIELD_PREP(CMDQ_PRI_1_GRPID, ent->pri.grpid);
		switch (ent->pri.resp) {
		case PRI_RESP_DENY:
		case PRI_RESP_FAIL:
		case PRI_RESP_SUCC:
			break;
		default:
			return -EINVAL;
		}
		cmd[1] |= FIELD_PREP(CMDQ_PRI_1_RESP, ent->pri.resp);
		break;
	case CMDQ_OP_RESUME:
		cmd[0] |= FIELD_PREP(CMDQ_RESUME_0_SID, ent->resume.sid);
		cmd[0] |= FIELD_PREP(CMDQ_RESUME_0_RESP, ent->resume.resp);
		cmd[1] |= FIELD_PREP(CMDQ_RESUME_1_STAG, ent->resume.stag);
		break;
	case CMDQ_OP_CMD_SYNC:
		if (ent->sync.msiaddr) {
			cmd[0] |= FIELD_PREP(CMDQ_SYNC_0_CS, CMDQ_SYNC_0_CS_IRQ);
			cmd[1] |= ent->sync.msiaddr & CMDQ_SYNC_1_MSIADDR_MASK;
		} else {
			cmd[0] |= FIELD_PREP(CMDQ_SYNC_0_CS, CMDQ_SYNC_0_CS_SEV);
		}
		cmd[0] |= FIELD_PREP(CMDQ_SYNC_0_MSH, ARM_SMMU_SH_ISH);
		cmd[0] |= FIELD_PREP(CMDQ_SYNC_0_MSIATTR, ARM_SMMU_MEMATTR_OIWB);
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

/*
 * The SMMU stopped on the command at CONS (GERROR.CMDQ_ERR): make it a
 * CMD_SYNC so that the queue can go on. Takes no lock: it runs under the
 * submitter's cmdq lock when the error is raised by that submitter's PROD
 * write, and touches only the entry the SMMU is stopped on, which no
 * submitter rewrites until the SMMU has moved past it.
 */
static void __arm_smmu_cmdq_skip_err(struct arm_smmu_device *smmu, struct arm_smmu_queue *q)
{
	u32 cons = readl_relaxed((u8 __iomem *)smmu->base + ARM_SMMU_CMDQ_CONS);
	u32 idx = FIELD_GET(CMDQ_CONS_ERR, cons);
	struct arm_smmu_cmdq_ent cmd_sync = { .opcode = CMDQ_OP_CMD_SYNC };
	u64 cmd[CMDQ_ENT_DWORDS];

	switch (idx) {
	case CMDQ_ERR_CERROR_ABT_IDX:
		smmu_err(smmu, "retrying command fetch");
		return;
	case CMDQ_ERR_CERROR_NONE_IDX:
		return;
	case CMDQ_ERR_CERROR_ATC_INV_IDX:
		/*
		 * An ATC invalidation timed out; CONS is at the CMD_SYNC that
		 * waited for it. Letting the SMMU retry that CMD_SYNC is all
		 * that can be done.
		 */
		return;
	case CMDQ_ERR_CERROR_ILL_IDX:
	default:
		break;
	}

	queue_read(cmd, Q_ENT(q, cons), q->ent_dwords);
	smmu_err(smmu, "skipping command in error state: 0x%016llx 0x%016llx",
		 (unsigned long long)cmd[0], (unsigned long long)cmd[1]);
	arm_smmu_cmdq_build_cmd(cmd, &cmd_sync);
	queue_write(Q_ENT(q, cons), cmd, q->ent_dwords);
	smmu->nr_cmdq_skipped++;
}

static void arm_smmu_cmdq_skip_err(struct arm_smmu_device *smmu)
{
	__arm_smmu_cmdq_skip_err(smmu, &smmu->cmdq.q);
}

/* Reads CONS until @cond holds or the time runs out. */
template <typename Cond>
static int arm_smmu_cmdq_poll(struct arm_smmu_device *smmu, struct arm_smmu_ll_queue *llq,
			      Cond cond)
{
	auto deadline = std::chrono::steady_clock::now() +
			std::chrono::microseconds(ARM_SMMU_POLL_TIMEOUT_US);
	unsigned int spins = 0;

	for (;;) {
		llq->cons = readl_relaxed((u8 __iomem *)smmu->base + ARM_SMMU_CMDQ_CONS);
		if (cond())
			return 0;
		if (++spins < ARM_SMMU_POLL_SPIN_COUNT)
			continue;
		if (std::chrono::steady_clock::now() > deadline)
			return -ETIMEDOUT;
		std::this_thread::yield();
	}
}

/*
 * Writes @n commands (and a CMD_SYNC after them if @sync) into the queue,
 * publishes them with one PROD write and, with @sync, waits for the SMMU
 * to complete the CMD_SYNC: every command before it has then taken effect.
 */
int arm_smmu_cmdq_issue_cmdlist(struct arm_smmu_device *smmu, u64 *cmds, int n, bool sync)
{
	struct arm_smmu_queue *q = &smmu->cmdq.q;
	struct arm_smmu_ll_queue *llq = &q->llq;
	struct arm_smmu_cmdq_ent ent = { .opcode = CMDQ_OP_CMD_SYNC };
	u64 cmd_sync[CMDQ_ENT_DWORDS];
	u32 sync_prod = 0;
	int i, ret = 0;

	arm_smmu_cmdq_build_cmd(cmd_sync, &ent);

	guard(spinlock)(&smmu->cmdq.lock);
	for (i = 0; i < n + (sync ? 1 : 0); i++) {
		const u64 *cmd = i < n ? &cmds[i * CMDQ_ENT_DWORDS] : cmd_sync;

		if (!queue_has_space(llq, 1)) {
			/* Publish what we have and wait for room. */
			writel_relaxed(llq->prod, (u8 __iomem *)smmu->base + ARM_SMMU_CMDQ_PROD);
			ret = arm_smmu_cmdq_poll(smmu, llq, [&] { return queue_has_space(llq, 1); });
			if (ret) {
				smmu_err(smmu, "CMDQ timeout waiting for space");
				return ret;
			}
		}
		if (i == n)
			sync_prod = llq->prod;
		queue_write(Q_ENT(q, llq->prod), cmd, CMDQ_ENT_DWORDS);
		llq->prod = queue_inc_prod_n(llq, 1);
	}
	writel_relaxed(llq->prod, (u8 __iomem *)smmu->base + ARM_SMMU_CMDQ_PROD);

	if (sync) {
		ret = arm_smmu_cmdq_poll(smmu, llq, [&] { return queue_consumed(llq, sync_prod); });
		if (ret)
			smmu_err(smmu, "CMD_SYNC timeout at 0x%08x [hwprod 0x%08x, hwcons 0x%08x]",
				 sync_prod, llq->prod, llq->cons);
	}
	return ret;
}

static int __arm_smmu_cmdq_issue_cmd(struct arm_smmu_device *smmu,
				     struct arm_smmu_cmdq_ent *ent, bool sync)
{
	u64 cmd[CMDQ_ENT_DWORDS];

	if (unlikely(arm_smmu_cmdq_build_cmd(cmd, ent))) {
		smmu_err(smmu, "ignoring unknown CMDQ opcode 0x%x", ent->opcode);
		return -EINVAL;
	}
	return arm_smmu_cmdq_issue_cmdlist(smmu, cmd, 1, sync);
}

int arm_smmu_cmdq_issue_cmd(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_ent *ent)
{
	return __arm_smmu_cmdq_issue_cmd(smmu, ent, false);
}

int arm_smmu_cmdq_issue_cmd_with_sync(struct arm_smmu_device *smmu,
				      struct arm_smmu_cmdq_ent *ent)
{
	return __arm_smmu_cmdq_issue_cmd(smmu, ent, true);
}

void arm_smmu_cmdq_batch_init(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_batch *cmds)
{
	cmds->num = 0;
}

void arm_smmu_cmdq_batch_add(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_batch *cmds,
			     struct arm_smmu_cmdq_ent *cmd)
{
	int index;

	if (cmds->num == CMDQ_BATCH_ENTRIES) {
		arm_smmu_cmdq_issue_cmdlist(smmu, cmds->cmds, cmds->num, false);
		arm_smmu_cmdq_batch_init(smmu, cmds);
	}

	index = cmds->num * CMDQ_ENT_DWORDS;
	if (unlikely(arm_smmu_cmdq_build_cmd(&cmds->cmds[index], cmd))) {
		smmu_err(smmu, "ignoring unknown CMDQ opcode 0x%x", cmd->opcode);
		return;
	}
	cmds->num++;
}

int arm_smmu_cmdq_batch_submit(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_batch *cmds)
{
	return arm_smmu_cmdq_issue_cmdlist(smmu, cmds->cmds, cmds->num, true);
}

void arm_smmu_tlb_inv_asid(struct arm_smmu_device *smmu, u16 asid)
{
	struct arm_smmu_cmdq_ent cmd = {
		.opcode = smmu->features & ARM_SMMU_FEAT_E2H ? CMDQ_OP_TLBI_EL2_ASID
							     : CMDQ_OP_TLBI_NH_ASID,
	};

	cmd.tlbi.asid = asid;
	arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
}

/* ----- Stream table ----- */

static void arm_smmu_init_initial_stes(struct arm_smmu_ste *strtab, unsigned int nent)
{
	/* Every StreamID without a master aborts (upstream's disable_bypass). */
	for (unsigned int i = 0; i < nent; i++)
		arm_smmu_make_abort_ste(&strtab[i]);
}

static void arm_smmu_write_strtab_l1_desc(struct arm_smmu_strtab_l1 *dst, dma_addr_t l2ptr_dma)
{
	u64 val = 0;

	val |= FIELD_PREP(STRTAB_L1_DESC_SPAN, STRTAB_SPLIT + 1);
	val |= l2ptr_dma & STRTAB_L1_DESC_L2PTR_MASK;
	/* The SMMU may fetch it at any time: one 64-bit store. */
	WRITE_ONCE(dst->l2ptr, cpu_to_le64(val));
}

struct arm_smmu_ste *arm_smmu_get_step_for_sid(struct arm_smmu_device *smmu, u32 sid)
{
	struct arm_smmu_strtab_cfg *cfg = &smmu->strtab_cfg;

	if (smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB) {
		/* Two-level walk */
		return &cfg->l2.l2ptrs[sid >> STRTAB_SPLIT]->stes[sid & (STRTAB_NUM_L2_STES - 1)];
	}
	/* Simple linear lookup */
	return &cfg->linear.table[sid];
}

int arm_smmu_init_sid_strtab(struct arm_smmu_device *smmu, u32 sid)
{
	struct arm_smmu_strtab_cfg *cfg = &smmu->strtab_cfg;
	struct arm_smmu_strtab_l2 **l2table;

	if (!(smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB))
		return sid < cfg->linear.num_ents ? 0 : -ERANGE;

	if ((sid >> STRTAB_SPLIT) >= cfg->l2.num_l1_ents)
		return -ERANGE;
	l2table = &cfg->l2.l2ptrs[sid >> STRTAB_SPLIT];
	if (*l2table)
		return 0;

	*l2table = (struct arm_smmu_strtab_l2 *)iommu_alloc_pages_sz(GFP_KERNEL,
								    sizeof(**l2table));
	if (!*l2table) {
		smmu_err(smmu, "failed to allocate l2 stream table for SID %u", sid);
		return -ENOMEM;
	}
	arm_smmu_init_initial_stes((*l2table)->stes, STRTAB_NUM_L2_STES);
	arm_smmu_write_strtab_l1_desc(&cfg->l2.l1tab[sid >> STRTAB_SPLIT],
				      virt_to_phys(*l2table));
	return 0;
}

static int arm_smmu_init_strtab_2lvl(struct arm_smmu_device *smmu)
{
	struct arm_smmu_strtab_cfg *cfg = &smmu->strtab_cfg;
	u32 l1size;

	cfg->l2.num_l1_ents = min(1U << (smmu->sid_bits - STRTAB_SPLIT), (u32)STRTAB_MAX_L1_ENTRIES);
	l1size = cfg->l2.num_l1_ents * sizeof(struct arm_smmu_strtab_l1);
	cfg->l2.l1tab = (struct arm_smmu_strtab_l1 *)iommu_alloc_pages_sz(GFP_KERNEL, l1size);
	if (!cfg->l2.l1tab)
		return -ENOMEM;
	cfg->l2.l1_dma = virt_to_phys(cfg->l2.l1tab);
	cfg->l2.l2ptrs = (struct arm_smmu_strtab_l2 **)kcalloc(cfg->l2.num_l1_ents,
							       sizeof(*cfg->l2.l2ptrs),
							       GFP_KERNEL);
	if (!cfg->l2.l2ptrs) {
		iommu_free_pages(cfg->l2.l1tab);
		cfg->l2.l1tab = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int arm_smmu_init_strtab_linear(struct arm_smmu_device *smmu)
{
	struct arm_smmu_strtab_cfg *cfg = &smmu->strtab_cfg;
	size_t size = (1UL << smmu->sid_bits) * sizeof(struct arm_smmu_ste);

	cfg->linear.table = (struct arm_smmu_ste *)iommu_alloc_pages_sz(GFP_KERNEL, size);
	if (!cfg->linear.table)
		return -ENOMEM;
	cfg->linear.ste_dma = virt_to_phys(cfg->linear.table);
	cfg->linear.num_ents = 1U << smmu->sid_bits;
	arm_smmu_init_initial_stes(cfg->linear.table, cfg->linear.num_ents);
	return 0;
}

static void arm_smmu_free_strtab(struct arm_smmu_device *smmu)
{
	struct arm_smmu_strtab_cfg *cfg = &smmu->strtab_cfg;

	if (smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB) {
		if (cfg->l2.l2ptrs) {
			for (unsigned int i = 0; i < cfg->l2.num_l1_ents; i++)
				if (cfg->l2.l2ptrs[i])
					iommu_free_pages(cfg->l2.l2ptrs[i]);
			kfree(cfg->l2.l2ptrs);
		}
		if (cfg->l2.l1tab)
			iommu_free_pages(cfg->l2.l1tab);
	} else if (cfg->linear.table) {
		iommu_free_pages(cfg->linear.table);
	}
	memset(cfg, 0, sizeof(*cfg));
}

struct arm_smmu_master *arm_smmu_find_master(struct arm_smmu_device *smmu, u32 sid)
{
	struct arm_smmu_stream *stream;

	lockdep_assert_held(&smmu->streams_mutex);
	stream = (struct arm_smmu_stream *)xa_load(&smmu->streams, sid);
	return stream ? stream->master : NULL;
}

/* ----- Event and PRI queues ----- */

/* The fields of an event record the handlers look at. */
struct arm_smmu_event {
	u8 stall : 1, ssv : 1, privileged : 1, instruction : 1, s2 : 1, read : 1;
	u8 id;
	u32 sid;
	u32 ssid;
	u16 stag;
	u64 iova;
};

static void arm_smmu_decode_event(u64 *raw, struct arm_smmu_event *event)
{
	event->id = FIELD_GET(EVTQ_0_ID, raw[0]);
	event->sid = FIELD_GET(EVTQ_0_SID, raw[0]);
	event->ssv = FIELD_GET(EVTQ_0_SSV, raw[0]);
	event->ssid = event->ssv ? FIELD_GET(EVTQ_0_SSID, raw[0]) : IOMMU_NO_PASID;
	event->privileged = FIELD_GET(EVTQ_1_PnU, raw[1]);
	event->instruction = FIELD_GET(EVTQ_1_InD, raw[1]);
	event->s2 = FIELD_GET(EVTQ_1_S2, raw[1]);
	event->read = FIELD_GET(EVTQ_1_RnW, raw[1]);
	event->stag = FIELD_GET(EVTQ_1_STAG, raw[1]);
	event->stall = FIELD_GET(EVTQ_1_STALL, raw[1]);
	event->iova = FIELD_GET(EVTQ_2_ADDR, raw[2]);
}

static int arm_smmu_handle_event(struct arm_smmu_device *smmu, u64 *evt,
				 struct arm_smmu_event *event)
{
	struct arm_smmu_master *master;
	struct iopf_fault fault_evt = {};
	struct iommu_fault *flt = &fault_evt.fault;
	u32 perm = 0;
	int ret;

	switch (event->id) {
	case EVT_ID_BAD_STE_CONFIG:
	case EVT_ID_STREAM_DISABLED_FAULT:
	case EVT_ID_BAD_SUBSTREAMID_CONFIG:
	case EVT_ID_BAD_CD_CONFIG:
	case EVT_ID_TRANSLATION_FAULT:
	case EVT_ID_ADDR_SIZE_FAULT:
	case EVT_ID_ACCESS_FAULT:
	case EVT_ID_PERMISSION_FAULT:
		break;
	default:
		return -EOPNOTSUPP;
	}

	if (event->stall) {
		perm |= event->read ? IOMMU_FAULT_PERM_READ : IOMMU_FAULT_PERM_WRITE;
		if (event->instruction)
			perm |= IOMMU_FAULT_PERM_EXEC;
		if (event->privileged)
			perm |= IOMMU_FAULT_PERM_PRIV;
		flt->type = IOMMU_FAULT_PAGE_REQ;
		flt->prm.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
		flt->prm.grpid = event->stag;
		flt->prm.perm = perm;
		flt->prm.addr = event->iova;
		if (event->ssv) {
			flt->prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
			flt->prm.pasid = event->ssid;
		}
	}

	guard(mutex)(&smmu->streams_mutex);
	master = arm_smmu_find_master(smmu, event->sid);
	if (!master)
		return -EINVAL;

	if (event->stall) {
		iommu_report_device_fault(master->dev, &fault_evt);
		ret = 0;
	} else if (master->vmaster && !event->s2) {
		ret = arm_vmaster_report_event(master->vmaster, evt);
	} else {
		/* Unhandled events should be pinned: nothing to report them to */
		ret = -EOPNOTSUPP;
	}
	return ret;
}

static void arm_smmu_dump_event(struct arm_smmu_device *smmu, u64 *raw,
				struct arm_smmu_event *evt)
{
	smmu_err(smmu, "event 0x%02x received: sid 0x%08x.0x%05x iova 0x%016llx%s%s",
		 evt->id, evt->sid, evt->ssid, (unsigned long long)evt->iova,
		 evt->read ? " read" : " write", evt->s2 ? " S2" : "");
}

static void arm_smmu_evtq_thread(struct arm_smmu_device *smmu)
{
	struct arm_smmu_queue *q = &smmu->evtq.q;
	struct arm_smmu_ll_queue *llq = &q->llq;
	struct arm_smmu_event event = {};
	u64 evt[EVTQ_ENT_DWORDS];

	do {
		while (!queue_remove_raw(smmu, q, evt)) {
			memcpy(smmu->last_evt, evt, sizeof(evt));
			arm_smmu_decode_event(evt, &event);
			if (arm_smmu_handle_event(smmu, evt, &event)) {
				smmu->nr_unhandled_events++;
				if (!smmu->quiet_events)
					arm_smmu_dump_event(smmu, evt, &event);
			}
			smmu->nr_events++;
		}
		/* Not much we can do on overflow but count it and keep going */
		if (queue_sync_prod_in(smmu, q) == -EOVERFLOW) {
			smmu_err(smmu, "EVTQ overflow detected -- events lost");
			smmu->nr_evtq_overflows++;
		}
	} while (!queue_empty(llq));

	/* Sync our overflow flag, as we believe we're up to speed */
	llq->cons = Q_OVF(llq->prod) | Q_WRP(llq, llq->cons) | Q_IDX(llq, llq->cons);
	queue_sync_cons_out(smmu, q);
}

/*
 * A page request. Upstream denies every PRI request (it services I/O page
 * faults through stalls only); here a request from a master goes to the
 * IOMMU layer like a stall does, so an iommufd fault queue can answer it,
 * and the answer comes back as a PRI_RESP (arm_smmu_page_response()). A
 * request from an unknown StreamID is denied at once.
 */
static void arm_smmu_handle_ppr(struct arm_smmu_device *smmu, u64 *evt)
{
	struct arm_smmu_master *master;
	struct iopf_fault fault_evt = {};
	struct iommu_fault *flt = &fault_evt.fault;
	u32 sid = FIELD_GET(PRIQ_0_SID, evt[0]);
	bool ssv = FIELD_GET(PRIQ_0_SSID_V, evt[0]);
	u32 ssid = ssv ? FIELD_GET(PRIQ_0_SSID, evt[0]) : IOMMU_NO_PASID;
	bool last = FIELD_GET(PRIQ_0_PRG_LAST, evt[0]);
	u16 grpid = FIELD_GET(PRIQ_1_PRG_IDX, evt[1]);

	smmu->nr_ppr++;
	flt->type = IOMMU_FAULT_PAGE_REQ;
	flt->prm.flags = last ? IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE : 0;
	if (ssv)
		flt->prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	flt->prm.pasid = ssid;
	flt->prm.grpid = grpid;
	flt->prm.addr = evt[1] & PRIQ_1_ADDR_MASK;
	if (evt[0] & PRIQ_0_PERM_READ)
		flt->prm.perm |= IOMMU_FAULT_PERM_READ;
	if (evt[0] & PRIQ_0_PERM_WRITE)
		flt->prm.perm |= IOMMU_FAULT_PERM_WRITE;
	if (evt[0] & PRIQ_0_PERM_EXEC)
		flt->prm.perm |= IOMMU_FAULT_PERM_EXEC;
	if (evt[0] & PRIQ_0_PERM_PRIV)
		flt->prm.perm |= IOMMU_FAULT_PERM_PRIV;

	{
		guard(mutex)(&smmu->streams_mutex);
		master = arm_smmu_find_master(smmu, sid);
		if (master) {
			iommu_report_device_fault(master->dev, &fault_evt);
			return;
		}
	}

	smmu_err(smmu, "unexpected PRI request received: sid 0x%08x.0x%05x [%u%s]", sid, ssid,
		 grpid, last ? "L" : "");
	if (last) {
		struct arm_smmu_cmdq_ent cmd = {
			.opcode = CMDQ_OP_PRI_RESP,
			.substream_valid = ssv,
		};

		cmd.pri.sid = sid;
		cmd.pri.ssid = ssid;
		cmd.pri.grpid = grpid;
		cmd.pri.resp = PRI_RESP_DENY;
		arm_smmu_cmdq_issue_cmd(smmu, &cmd);
	}
}

static void arm_smmu_priq_thread(struct arm_smmu_device *smmu)
{
	struct arm_smmu_queue *q = &smmu->priq.q;
	struct arm_smmu_ll_queue *llq = &q->llq;
	u64 evt[PRIQ_ENT_DWORDS];

	do {
		while (!queue_remove_raw(smmu, q, evt))
			arm_smmu_handle_ppr(smmu, evt);
		if (queue_sync_prod_in(smmu, q) == -EOVERFLOW)
			smmu_err(smmu, "PRIQ overflow detected -- requests lost");
	} while (!queue_empty(llq));

	/* Sync our overflow flag, as we believe we're up to speed */
	llq->cons = Q_OVF(llq->prod) | Q_WRP(llq, llq->cons) | Q_IDX(llq, llq->cons);
	queue_sync_cons_out(smmu, q);
}

static int arm_smmu_device_disable(struct arm_smmu_device *smmu);

static void arm_smmu_gerror_handler(struct arm_smmu_device *smmu)
{
	u32 gerror, gerrorn, active;

	gerror = readl_relaxed((u8 __iomem *)smmu->base + ARM_SMMU_GERROR);
	gerrorn = readl_relaxed((u8 __iomem *)smmu->base + ARM_SMMU_GERRORN);

	active = gerror ^ gerrorn;
	if (!(active & GERROR_ERR_MASK))
		return; /* No errors pending */

	smmu->nr_gerrors++;
	if (active & ~GERROR_CMDQ_ERR)
		smmu_err(smmu, "unexpected global error reported (0x%08x), this could be serious",
			 active);
	if (active & GERROR_SFM_ERR) {
		smmu_err(smmu, "device has entered Service Failure Mode!");
		arm_smmu_device_disable(smmu);
	}
	if (active & GERROR_PRIQ_ABT_ERR)
		smmu_err(smmu, "PRIQ write aborted -- events may have been lost");
	if (active & GERROR_EVTQ_ABT_ERR)
		smmu_err(smmu, "EVTQ write aborted -- events may have been lost");
	if (active & GERROR_CMDQ_ERR)
		arm_smmu_cmdq_skip_err(smmu);

	writel(gerror, (u8 __iomem *)smmu->base + ARM_SMMU_GERRORN);
}

void arm_smmu_drain_queues(struct arm_smmu_device *smmu)
{
	guard(mutex)(&smmu->queue_handler_lock);
	arm_smmu_evtq_thread(smmu);
	if (smmu->features & ARM_SMMU_FEAT_PRI)
		arm_smmu_priq_thread(smmu);
}

static void arm_smmu_irq_thread_fn(struct arm_smmu_device *smmu)
{
	for (;;) {
		unsigned int pending;

		wait_event(smmu->irq_wq, smmu->irq_pending.load() || smmu->irq_stop.load());
		if (smmu->irq_stop.load())
			return;
		pending = smmu->irq_pending.exchange(0);
		guard(mutex)(&smmu->queue_handler_lock);
		if (pending & BIT(ARM_SMMU_IRQ_EVTQ))
			arm_smmu_evtq_thread(smmu);
		if ((pending & BIT(ARM_SMMU_IRQ_PRIQ)) && (smmu->features & ARM_SMMU_FEAT_PRI))
			arm_smmu_priq_thread(smmu);
	}
}

void arm_smmu_irq(struct arm_smmu_device *smmu, enum arm_smmu_irq_src src)
{
	if (src == ARM_SMMU_IRQ_GERROR) {
		arm_smmu_gerror_handler(smmu);
		return;
	}
	smmu->irq_pending.fetch_or(BIT(src));
	wake_up(&smmu->irq_wq);
}

/* ----- Reset ----- */

static int arm_smmu_write_reg_sync(struct arm_smmu_device *smmu, u32 val, unsigned int reg_off,
				   unsigned int ack_off)
{
	u32 reg;

	writel_relaxed(val, (u8 __iomem *)smmu->base + reg_off);
	return readl_relaxed_poll_timeout((u8 __iomem *)smmu->base + ack_off, reg, reg == val, 1,
					  ARM_SMMU_POLL_TIMEOUT_US);
}

/* GBPA is "special": software writes it with UPDATE and waits for UPDATE to clear. */
static int arm_smmu_update_gbpa(struct arm_smmu_device *smmu, u32 set, u32 clr)
{
	u8 __iomem *gbpa = (u8 __iomem *)smmu->base + ARM_SMMU_GBPA;
	u32 reg;
	int ret;

	ret = readl_relaxed_poll_timeout(gbpa, reg, !(reg & GBPA_UPDATE), 1,
					 ARM_SMMU_POLL_TIMEOUT_US);
	if (ret)
		return ret;
	reg &= ~clr;
	reg |= set;
	writel_relaxed(reg | GBPA_UPDATE, gbpa);
	ret = readl_relaxed_poll_timeout(gbpa, reg, !(reg & GBPA_UPDATE), 1,
					 ARM_SMMU_POLL_TIMEOUT_US);
	if (ret)
		smmu_err(smmu, "GBPA not responding to update");
	return ret;
}

static int arm_smmu_device_disable(struct arm_smmu_device *smmu)
{
	int ret = arm_smmu_write_reg_sync(smmu, 0, ARM_SMMU_CR0, ARM_SMMU_CR0ACK);

	if (ret)
		smmu_err(smmu, "failed to clear cr0");
	return ret;
}

static int arm_smmu_setup_irqs(struct arm_smmu_device *smmu)
{
	u32 irqen_flags = IRQ_CTRL_EVTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN;
	int ret;

	/* Disable IRQs first */
	ret = arm_smmu_write_reg_sync(smmu, 0, ARM_SMMU_IRQ_CTRL, ARM_SMMU_IRQ_CTRLACK);
	if (ret) {
		smmu_err(smmu, "failed to disable irqs");
		return ret;
	}
	/*
	 * Wired interrupts only: the MSI doorbells stay 0 (the SMMU's MSIs
	 * would need an ITS to land in).
	 */
	writeq_relaxed(0, (u8 __iomem *)smmu->base + ARM_SMMU_GERROR_IRQ_CFG0);
	writeq_relaxed(0, (u8 __iomem *)smmu->base + ARM_SMMU_EVTQ_IRQ_CFG0);
	if (smmu->features & ARM_SMMU_FEAT_PRI) {
		writeq_relaxed(0, (u8 __iomem *)smmu->base + ARM_SMMU_PRIQ_IRQ_CFG0);
		irqen_flags |= IRQ_CTRL_PRIQ_IRQEN;
	}
	ret = arm_smmu_write_reg_sync(smmu, irqen_flags, ARM_SMMU_IRQ_CTRL, ARM_SMMU_IRQ_CTRLACK);
	if (ret)
		smmu_err(smmu, "failed to enable irqs");
	return ret;
}

static int arm_smmu_device_reset(struct arm_smmu_device *smmu)
{
	u8 __iomem *base = (u8 __iomem *)smmu->base;
	struct arm_smmu_cmdq_ent cmd = {};
	u32 reg, enables;
	int ret;

	/* Clear CR0 and sync (disables SMMU and queue processing) */
	reg = readl_relaxed(base + ARM_SMMU_CR0);
	if (reg & CR0_SMMUEN) {
		smmu_err(smmu, "SMMU currently enabled! Resetting...");
		arm_smmu_update_gbpa(smmu, GBPA_ABORT, 0);
	}
	ret = arm_smmu_device_disable(smmu);
	if (ret)
		return ret;

	/* CR1 (table and queue memory attributes) */
	reg = FIELD_PREP(CR1_TABLE_SH, ARM_SMMU_SH_ISH) |
	      FIELD_PREP(CR1_TABLE_OC, CR1_CACHE_WB) | FIELD_PREP(CR1_TABLE_IC, CR1_CACHE_WB) |
	      FIELD_PREP(CR1_QUEUE_SH, ARM_SMMU_SH_ISH) |
	      FIELD_PREP(CR1_QUEUE_OC, CR1_CACHE_WB) | FIELD_PREP(CR1_QUEUE_IC, CR1_CACHE_WB);
	writel_relaxed(reg, base + ARM_SMMU_CR1);

	/* CR2 (random crap) */
	reg = CR2_PTM | CR2_RECINVSID;
	if (smmu->features & ARM_SMMU_FEAT_E2H)
		reg |= CR2_E2H;
	writel_relaxed(reg, base + ARM_SMMU_CR2);

	/* Stream table */
	if (smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB) {
		reg = FIELD_PREP(STRTAB_BASE_CFG_FMT, STRTAB_BASE_CFG_FMT_2LVL) |
		      FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE,
				 ilog2(smmu->strtab_cfg.l2.num_l1_ents) + STRTAB_SPLIT) |
		      FIELD_PREP(STRTAB_BASE_CFG_SPLIT, STRTAB_SPLIT);
		writeq_relaxed((smmu->strtab_cfg.l2.l1_dma & STRTAB_BASE_ADDR_MASK) |
				       STRTAB_BASE_RA,
			       base + ARM_SMMU_STRTAB_BASE);
	} else {
		reg = FIELD_PREP(STRTAB_BASE_CFG_FMT, STRTAB_BASE_CFG_FMT_LINEAR) |
		      FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, smmu->sid_bits);
		writeq_relaxed((smmu->strtab_cfg.linear.ste_dma & STRTAB_BASE_ADDR_MASK) |
				       STRTAB_BASE_RA,
			       base + ARM_SMMU_STRTAB_BASE);
	}
	writel_relaxed(reg, base + ARM_SMMU_STRTAB_BASE_CFG);

	/* Command queue */
	writeq_relaxed(smmu->cmdq.q.q_base, base + ARM_SMMU_CMDQ_BASE);
	writel_relaxed(smmu->cmdq.q.llq.prod, base + ARM_SMMU_CMDQ_PROD);
	writel_relaxed(smmu->cmdq.q.llq.cons, base + ARM_SMMU_CMDQ_CONS);

	enables = CR0_CMDQEN;
	ret = arm_smmu_write_reg_sync(smmu, enables, ARM_SMMU_CR0, ARM_SMMU_CR0ACK);
	if (ret) {
		smmu_err(smmu, "failed to enable command queue");
		return ret;
	}

	/* Invalidate any cached configuration */
	cmd.opcode = CMDQ_OP_CFGI_ALL;
	arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);

	/* Invalidate any stale TLB entries */
	if (smmu->features & ARM_SMMU_FEAT_HYP) {
		cmd.opcode = CMDQ_OP_TLBI_EL2_ALL;
		arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
	}
	cmd.opcode = CMDQ_OP_TLBI_NSNH_ALL;
	arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);

	/* Event queue */
	writeq_relaxed(smmu->evtq.q.q_base, base + ARM_SMMU_EVTQ_BASE);
	writel_relaxed(smmu->evtq.q.llq.prod, base + ARM_SMMU_PAGE1_EVTQ_PROD);
	writel_relaxed(smmu->evtq.q.llq.cons, base + ARM_SMMU_PAGE1_EVTQ_CONS);
	enables |= CR0_EVTQEN;
	ret = arm_smmu_write_reg_sync(smmu, enables, ARM_SMMU_CR0, ARM_SMMU_CR0ACK);
	if (ret) {
		smmu_err(smmu, "failed to enable event queue");
		return ret;
	}

	/* PRI queue */
	if (smmu->features & ARM_SMMU_FEAT_PRI) {
		writeq_relaxed(smmu->priq.q.q_base, base + ARM_SMMU_PRIQ_BASE);
		writel_relaxed(smmu->priq.q.llq.prod, base + ARM_SMMU_PAGE1_PRIQ_PROD);
		writel_relaxed(smmu->priq.q.llq.cons, base + ARM_SMMU_PAGE1_PRIQ_CONS);
		enables |= CR0_PRIQEN;
		ret = arm_smmu_write_reg_sync(smmu, enables, ARM_SMMU_CR0, ARM_SMMU_CR0ACK);
		if (ret) {
			smmu_err(smmu, "failed to enable PRI queue");
			return ret;
		}
	}

	if (smmu->features & ARM_SMMU_FEAT_ATS) {
		enables |= CR0_ATSCHK;
		ret = arm_smmu_write_reg_sync(smmu, enables, ARM_SMMU_CR0, ARM_SMMU_CR0ACK);
		if (ret) {
			smmu_err(smmu, "failed to enable ATS check");
			return ret;
		}
	}

	ret = arm_smmu_setup_irqs(smmu);
	if (ret)
		return ret;

	/* Enable the SMMU interface */
	enables |= CR0_SMMUEN;
	ret = arm_smmu_write_reg_sync(smmu, enables, ARM_SMMU_CR0, ARM_SMMU_CR0ACK);
	if (ret) {
		smmu_err(smmu, "failed to enable SMMU interface");
		return ret;
	}
	return 0;
}

/* ----- Probe ----- */

static int arm_smmu_device_hw_probe(struct arm_smmu_device *smmu)
{
	u8 __iomem *base = (u8 __iomem *)smmu->base;
	u32 reg;

	for (unsigned int i = 0; i < ARRAY_SIZE(smmu->idr); i++)
		smmu->idr[i] = readl_relaxed(base + ARM_SMMU_IDR0 + 4 * i);
	smmu->iidr = readl_relaxed(base + ARM_SMMU_IIDR);
	smmu->aidr = readl_relaxed(base + ARM_SMMU_AIDR);

	/* IDR0 */
	reg = smmu->idr[0];

	/* 2-level structures */
	if (FIELD_GET(IDR0_ST_LVL, reg) == IDR0_ST_LVL_2LVL)
		smmu->features |= ARM_SMMU_FEAT_2_LVL_STRTAB;
	if (reg & IDR0_CD2L)
		smmu->features |= ARM_SMMU_FEAT_2_LVL_CDTAB;

	/* Translation table endianness: this host is little-endian */
	switch (FIELD_GET(IDR0_TTENDIAN, reg)) {
	case IDR0_TTENDIAN_MIXED:
		smmu->features |= ARM_SMMU_FEAT_TT_LE | ARM_SMMU_FEAT_TT_BE;
		break;
	case IDR0_TTENDIAN_LE:
		smmu->features |= ARM_SMMU_FEAT_TT_LE;
		break;
	default:
		smmu_err(smmu, "unknown/unsupported TT endianness!");
		return -ENXIO;
	}

	/* Boolean feature flags */
	if (reg & IDR0_PRI)
		smmu->features |= ARM_SMMU_FEAT_PRI;
	if (reg & IDR0_ATS)
		smmu->features |= ARM_SMMU_FEAT_ATS;
	if (reg & IDR0_SEV)
		smmu->features |= ARM_SMMU_FEAT_SEV;
	if (reg & IDR0_MSI)
		smmu->features |= ARM_SMMU_FEAT_MSI;
	if (reg & IDR0_HYP)
		smmu->features |= ARM_SMMU_FEAT_HYP;
	if (reg & IDR0_COHACC)
		smmu->features |= ARM_SMMU_FEAT_COHERENCY;
	if (reg & IDR0_BTM)
		smmu->features |= ARM_SMMU_FEAT_BTM;
	switch (FIELD_GET(IDR0_HTTU, reg)) {
	case IDR0_HTTU_ACCESS_DIRTY:
		smmu->features |= ARM_SMMU_FEAT_HD;
		fallthrough;
	case IDR0_HTTU_ACCESS:
		smmu->features |= ARM_SMMU_FEAT_HA;
	}

	switch (FIELD_GET(IDR0_STALL_MODEL, reg)) {
	case IDR0_STALL_MODEL_FORCE:
		smmu->features |= ARM_SMMU_FEAT_STALL_FORCE;
		fallthrough;
	case IDR0_STALL_MODEL_STALL:
		smmu->features |= ARM_SMMU_FEAT_STALLS;
	}

	if (reg & IDR0_S1P)
		smmu->features |= ARM_SMMU_FEAT_TRANS_S1;
	if (reg & IDR0_S2P)
		smmu->features |= ARM_SMMU_FEAT_TRANS_S2;
	if (!(reg & (IDR0_S1P | IDR0_S2P))) {
		smmu_err(smmu, "no translation support!");
		return -ENXIO;
	}

	/* We only support the AArch64 table format at present */
	if (!(FIELD_GET(IDR0_TTF, reg) & IDR0_TTF_AARCH64)) {
		smmu_err(smmu, "AArch64 table format not supported!");
		return -ENXIO;
	}

	/* ASID/VMID sizes */
	smmu->asid_bits = reg & IDR0_ASID16 ? 16 : 8;
	smmu->vmid_bits = reg & IDR0_VMID16 ? 16 : 8;

	/* IDR1 */
	reg = smmu->idr[1];
	if (reg & (IDR1_TABLES_PRESET | IDR1_QUEUES_PRESET | IDR1_REL)) {
		smmu_err(smmu, "embedded implementation not supported");
		return -ENXIO;
	}
	if (reg & IDR1_ATTR_TYPES_OVR)
		smmu->features |= ARM_SMMU_FEAT_ATTR_TYPES_OVR;

	/* Queue sizes, capped to ensure natural alignment */
	smmu->cmdq.q.llq.max_n_shift = min((u32)CMDQ_MAX_SZ_SHIFT, FIELD_GET(IDR1_CMDQS, reg));
	if (smmu->cmdq.q.llq.max_n_shift <= ilog2(CMDQ_BATCH_ENTRIES)) {
		/* A batch and its CMD_SYNC must fit, or submission could never finish. */
		smmu_err(smmu, "command queue size <= %d entries not supported", CMDQ_BATCH_ENTRIES);
		return -ENXIO;
	}
	smmu->evtq.q.llq.max_n_shift = min((u32)EVTQ_MAX_SZ_SHIFT, FIELD_GET(IDR1_EVTQS, reg));
	smmu->priq.q.llq.max_n_shift = min((u32)PRIQ_MAX_SZ_SHIFT, FIELD_GET(IDR1_PRIQS, reg));

	/* SID/SSID sizes */
	smmu->ssid_bits = FIELD_GET(IDR1_SSIDSIZE, reg);
	smmu->sid_bits = FIELD_GET(IDR1_SIDSIZE, reg);
	smmu->iommu.max_pasids = 1UL << smmu->ssid_bits;

	/* If the SMMU supports fewer bits than would fill a single L2 table, use a linear table */
	if (smmu->sid_bits <= STRTAB_SPLIT)
		smmu->features &= ~ARM_SMMU_FEAT_2_LVL_STRTAB;
	if (!(smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB) && smmu->sid_bits > 16) {
		/* 2^16 STEs are 4 MiB, the most one allocation gives */
		smmu_err(smmu, "linear stream table of %u SID bits not supported", smmu->sid_bits);
		return -ENXIO;
	}

	/* IDR3 */
	reg = smmu->idr[3];
	if (FIELD_GET(IDR3_RIL, reg))
		smmu->features |= ARM_SMMU_FEAT_RANGE_INV;
	if (FIELD_GET(IDR3_FWB, reg))
		smmu->features |= ARM_SMMU_FEAT_S2FWB;

	/* IDR5 */
	reg = smmu->idr[5];

	/* Maximum number of outstanding stalls */
	smmu->evtq.max_stalls = FIELD_GET(IDR5_STALL_MAX, reg);

	/* Page sizes */
	if (reg & IDR5_GRAN64K)
		smmu->pgsize_bitmap |= SZ_64K | SZ_512M;
	if (reg & IDR5_GRAN16K)
		smmu->pgsize_bitmap |= SZ_16K | SZ_32M;
	if (reg & IDR5_GRAN4K)
		smmu->pgsize_bitmap |= SZ_4K | SZ_2M | SZ_1G;
	if (!smmu->pgsize_bitmap) {
		smmu_err(smmu, "no translation granule supported");
		return -ENXIO;
	}

	/* Input address size */
	if (FIELD_GET(IDR5_VAX, reg) == IDR5_VAX_52_BIT)
		smmu->features |= ARM_SMMU_FEAT_VAX;

	/* Output address size */
	smmu->oas = arm_smmu_oas_bits(FIELD_GET(IDR5_OAS, reg));
	if (smmu->oas > 48)
		smmu->oas = 48;		/* no LPA: the formats stop at 48 bits */
	smmu->ias = smmu->oas;

	if ((smmu->features & ARM_SMMU_FEAT_TRANS_S1) && (smmu->features & ARM_SMMU_FEAT_TRANS_S2))
		smmu->features |= ARM_SMMU_FEAT_NESTING;
	return 0;
}

static int arm_smmu_init_one_queue(struct arm_smmu_device *smmu, struct arm_smmu_queue *q,
				   unsigned int prod_off, unsigned int cons_off, size_t dwords)
{
	size_t qsz;

	do {
		qsz = ((1UL << q->llq.max_n_shift) * dwords) << 3;
		q->base = (__le64 *)iommu_alloc_pages_sz(GFP_KERNEL, qsz);
		if (q->base || qsz < PAGE_SIZE)
			break;
		q->llq.max_n_shift--;
	} while (1);

	if (!q->base) {
		smmu_err(smmu, "failed to allocate queue (0x%zx bytes)", qsz);
		return -ENOMEM;
	}
	q->base_dma = virt_to_phys(q->base);
	q->prod_off = prod_off;
	q->cons_off = cons_off;
	q->ent_dwords = dwords;
	q->q_base = Q_BASE_RWA;
	q->q_base |= q->base_dma & Q_BASE_ADDR_MASK;
	q->q_base |= FIELD_PREP(Q_BASE_LOG2SIZE, q->llq.max_n_shift);
	q->llq.prod = q->llq.cons = 0;
	return 0;
}

static void arm_smmu_free_queues(struct arm_smmu_device *smmu)
{
	if (smmu->cmdq.q.base)
		iommu_free_pages(smmu->cmdq.q.base);
	if (smmu->evtq.q.base)
		iommu_free_pages(smmu->evtq.q.base);
	if (smmu->priq.q.base)
		iommu_free_pages(smmu->priq.q.base);
	smmu->cmdq.q.base = smmu->evtq.q.base = smmu->priq.q.base = NULL;
}

static int arm_smmu_init_queues(struct arm_smmu_device *smmu)
{
	int ret;

	/* cmdq */
	ret = arm_smmu_init_one_queue(smmu, &smmu->cmdq.q, ARM_SMMU_CMDQ_PROD, ARM_SMMU_CMDQ_CONS,
				      CMDQ_ENT_DWORDS);
	if (ret)
		return ret;

	/* evtq */
	ret = arm_smmu_init_one_queue(smmu, &smmu->evtq.q, ARM_SMMU_PAGE1_EVTQ_PROD,
				      ARM_SMMU_PAGE1_EVTQ_CONS, EVTQ_ENT_DWORDS);
	if (ret)
		return ret;

	/* priq */
	if (!(smmu->features & ARM_SMMU_FEAT_PRI))
		return 0;
	return arm_smmu_init_one_queue(smmu, &smmu->priq.q, ARM_SMMU_PAGE1_PRIQ_PROD,
				       ARM_SMMU_PAGE1_PRIQ_CONS, PRIQ_ENT_DWORDS);
}

static int arm_smmu_init_strtab(struct arm_smmu_device *smmu)
{
	if (smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB)
		return arm_smmu_init_strtab_2lvl(smmu);
	return arm_smmu_init_strtab_linear(smmu);
}

static int arm_smmu_init_structures(struct arm_smmu_device *smmu)
{
	int ret;

	mutex_init(&smmu->streams_mutex);
	xa_init(&smmu->streams);
	xa_init_flags(&smmu->vmid_map, XA_FLAGS_ALLOC1);
	xa_init_flags(&smmu->asid_map, XA_FLAGS_ALLOC1);
	mutex_init(&smmu->queue_handler_lock);
	spin_lock_init(&smmu->cmdq.lock);
	init_waitqueue_head(&smmu->irq_wq);

	ret = arm_smmu_init_queues(smmu);
	if (ret)
		return ret;
	return arm_smmu_init_strtab(smmu);
}

static void arm_smmu_free_structures(struct arm_smmu_device *smmu)
{
	arm_smmu_free_strtab(smmu);
	arm_smmu_free_queues(smmu);
	WARN_ON(!xa_empty(&smmu->streams));
	WARN_ON(!xa_empty(&smmu->vmid_map));
	WARN_ON(!xa_empty(&smmu->asid_map));
	xa_destroy(&smmu->streams);
	xa_destroy(&smmu->vmid_map);
	xa_destroy(&smmu->asid_map);
}

struct arm_smmu_device *arm_smmu_device_probe(void __iomem *base, const char *name)
{
	struct arm_smmu_device *smmu;
	int ret;

	void *mem = kzalloc(sizeof(*smmu), GFP_KERNEL);

	if (!mem)
		return (struct arm_smmu_device *)ERR_PTR(-ENOMEM);
	smmu = new (mem) arm_smmu_device;
	smmu->base = base;
	smmu->name = name;

	ret = arm_smmu_device_hw_probe(smmu);
	if (ret)
		goto err_free;

	ret = arm_smmu_init_structures(smmu);
	if (ret)
		goto err_structures;

	ret = arm_smmu_device_reset(smmu);
	if (ret)
		goto err_structures;

	smmu->irq_thread = new std::thread(arm_smmu_irq_thread_fn, smmu);
	return smmu;

err_structures:
	arm_smmu_device_disable(smmu);
	arm_smmu_free_structures(smmu);
err_free:
	smmu->~arm_smmu_device();
	kfree(smmu);
	return (struct arm_smmu_device *)ERR_PTR(ret);
}

void arm_smmu_device_remove(struct arm_smmu_device *smmu)
{
	arm_smmu_device_disable(smmu);
	arm_smmu_write_reg_sync(smmu, 0, ARM_SMMU_IRQ_CTRL, ARM_SMMU_IRQ_CTRLACK);
	smmu->irq_stop = true;
	wake_up(&smmu->irq_wq);
	smmu->irq_thread->join();
	delete smmu->irq_thread;
	arm_smmu_free_structures(smmu);
	smmu->~arm_smmu_device();
	kfree(smmu);
}
