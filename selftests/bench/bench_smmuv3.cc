// SPDX-License-Identifier: GPL-2.0
/*
 * Google Benchmark measurements of the ARM SMMUv3 on the smmuv3 platform,
 * booted in-process: the I/OAT function bound to an iommufd (C API), a
 * nest-parent stage 2 over guest memory, a vIOMMU, a vDEVICE and a guest
 * stage-1 vSTE attached (drivers/arm-smmu-v3/tests/smmuv3_vmm.h). The
 * guest's stage 1 maps 256 * 512 pages (more than the model's TLB holds)
 * with 4-level 4K tables in guest memory.
 *
 *  - iotlb_hit: smmuv3_model_translate() of one guest VA whose nested
 *    translation is in the TLB; floor: lookup_floor, one find() in a hash
 *    table of as many entries as the TLB holds.
 *  - nested_miss_walk: the same for guest VAs taken in turn over all
 *    131072 pages, each a TLB miss: the 2-D walk (4 stage-1 levels, each
 *    table address and the output translated by a 4-level stage 2: 24
 *    descriptor fetches) and the TLB fill (the model empties a full TLB,
 *    which this row pays for too); floor: chase24_floor, 24 dependent
 *    plain loads.
 *  - hwpt_invalidate/<n>: IOMMU_HWPT_INVALIDATE on the vIOMMU with n raw
 *    TLBI_NH_VA commands through iommufd_ioctl(): copy, check and rewrite
 *    (VMID), the driver's command queue with one CMD_SYNC per 63, the
 *    model's TLB invalidation; cmds_per_s is its rate; floor:
 *    invalidate_floor/<n>, the same ioctl refused for its data type after
 *    the dispatch and the object lookup.
 *
 * Every row reports x_floor: CPU time per operation over its floor's,
 * the floor measured in the same run (best of seven rounds before the
 * benchmarks); CPU time because the machine is shared.
 */
#include "selftests/bench/bench_common.h"

#include "drivers/arm-smmu-v3/arm-smmu-v3.h"
#include "drivers/arm-smmu-v3/model/smmu_model.h"
#include "drivers/arm-smmu-v3/tests/smmuv3_vmm.h"

#include <string>
#include <sys/mman.h>
#include <vector>

namespace {

constexpr unsigned int nr_l3 = 256;
constexpr u64 nr_pages = nr_l3 * 512ULL;
constexpr size_t guest_size = 2UL << 20;
constexpr unsigned int max_cmds = 256;

struct smmuv3_bench_env {
	struct inproc_vmm vmm;
	struct smmuv3_model *model = nullptr;
	void *guest = MAP_FAILED;
	bool booted = false;
	u32 sid = 0;
	std::string err;
} env;

double lookup_floor_ns, chase24_floor_ns;
double invalidate_floor_ns[max_cmds + 1];

bool env_up()
{
	struct iommu_hwpt_arm_smmuv3 vste = smmuv3_vmm_s1_vste();
	struct inproc_vmm *v = &env.vmm;
	int rc;

	if (platform_boot_named("smmuv3", &env.err))
		return false;
	env.booted = true;
	env.model = smmuv3_platform_model(platform_iommu_get(0));
	smmuv3_platform_smmu(platform_iommu_get(0))->quiet_events = true;
	env.guest = mmap(NULL, guest_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
			 0);
	if (env.guest == MAP_FAILED) {
		env.err = "no guest memory";
		return false;
	}
	smmuv3_vmm_guest_s1(env.guest, nr_l3);
	rc = smmuv3_vmm_open(v, env.guest, guest_size);
	if (!rc)
		rc = inproc_vmm_viommu(v, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &v->viommu);
	if (!rc)
		rc = inproc_vmm_vdevice(v, v->viommu, SMMUV3_VMM_VSID, &v->vdev);
	if (!rc)
		rc = smmuv3_vmm_nested(v, v->viommu, &vste, &v->nested);
	if (!rc)
		rc = inproc_vmm_attach(v, v->nested);
	if (rc) {
		env.err = std::string("the VMM's objects: ") + strerror(rc);
		return false;
	}
	env.sid = v->pdev->desc->stream_id;
	return true;
}

void env_down()
{
	inproc_vmm_close(&env.vmm);
	if (env.guest != MAP_FAILED)
		munmap(env.guest, guest_size);
	if (env.booted)
		platform_shutdown();
}

bool translate(u64 gva, struct smmuv3_txn_result *res)
{
	struct smmuv3_txn txn = { .sid = env.sid, .addr = gva };

	smmuv3_model_translate(env.model, &txn, res);
	return res->status == SMMUV3_TXN_OK;
}

/* Everything this ASID has in the TLB goes: the next walk of each page misses. */
bool invalidate_asid()
{
	struct iommu_viommu_arm_smmuv3_invalidate cmd = {};

	cmd.cmd[0] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_ASID) |
		     FIELD_PREP(CMDQ_TLBI_0_ASID, SMMUV3_VMM_ASID);
	return !smmuv3_vmm_invalidate(&env.vmm, env.vmm.viommu, &cmd, 1, NULL);
}

void BM_lookup_floor(benchmark::State &state)
{
	bench::lookup_table table;
	bench::cpu_timer timer;

	for (auto _ : state)
		benchmark::DoNotOptimize(table.find());
	timer.report(state, lookup_floor_ns);
}

void BM_iotlb_hit(benchmark::State &state)
{
	struct smmuv3_txn_result res;
	bench::cpu_timer timer;

	if (!translate(SMMUV3_VMM_GVA + 0x10, &res)) {
		state.SkipWithError("the guest VA does not translate");
		return;
	}
	timer = bench::cpu_timer();
	for (auto _ : state) {
		struct smmuv3_txn txn = { .sid = env.sid, .addr = SMMUV3_VMM_GVA + 0x10 };

		smmuv3_model_translate(env.model, &txn, &res);
		benchmark::DoNotOptimize(res);
	}
	timer.report(state, lookup_floor_ns);
	state.SetItemsProcessed(state.iterations());
}

void BM_chase24_floor(benchmark::State &state)
{
	bench::chase c;
	u64 at = 0;
	bench::cpu_timer timer;

	for (auto _ : state)
		benchmark::DoNotOptimize(at = c.walk(at, 24));
	timer.report(state, chase24_floor_ns);
}

void BM_nested_miss_walk(benchmark::State &state)
{
	struct smmuv3_txn_result res;
	u64 i = 0;
	bench::cpu_timer timer;

	if (!invalidate_asid() || !translate(SMMUV3_VMM_GVA + (nr_pages - 1) * 4096, &res)) {
		state.SkipWithError("the guest's stage 1 does not translate");
		return;
	}
	timer = bench::cpu_timer();
	for (auto _ : state) {
		struct smmuv3_txn txn = { .sid = env.sid, .addr = SMMUV3_VMM_GVA + i * 4096 };

		smmuv3_model_translate(env.model, &txn, &res);
		benchmark::DoNotOptimize(res);
		i = i + 1 == nr_pages ? 0 : i + 1;
	}
	timer.report(state, chase24_floor_ns);
	state.SetItemsProcessed(state.iterations());
	if (res.status != SMMUV3_TXN_OK)
		state.SkipWithError("a walk failed");
}

std::vector<struct iommu_viommu_arm_smmuv3_invalidate> tlbi_cmds(unsigned int n)
{
	std::vector<struct iommu_viommu_arm_smmuv3_invalidate> cmds(n);

	for (unsigned int i = 0; i != n; i++) {
		cmds[i].cmd[0] = FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) |
				 FIELD_PREP(CMDQ_TLBI_0_ASID, SMMUV3_VMM_ASID);
		cmds[i].cmd[1] = (SMMUV3_VMM_GVA + i * 4096ULL) & CMDQ_TLBI_1_VA_MASK;
	}
	return cmds;
}

/* The same HWPT_INVALIDATE, refused for its data type once the vIOMMU is looked up. */
int invalidate_refused(const struct iommu_viommu_arm_smmuv3_invalidate *cmds, unsigned int n)
{
	return inproc_vmm_invalidate(&env.vmm, env.vmm.viommu, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
				     cmds, sizeof(*cmds), n, NULL);
}

void BM_invalidate_floor(benchmark::State &state)
{
	unsigned int n = state.range(0);
	auto entries = tlbi_cmds(n);

	bench::invalidate_floor_row(
		state, n, [&](unsigned int k) { return invalidate_refused(entries.data(), k); },
		invalidate_floor_ns[n]);
}

void BM_hwpt_invalidate(benchmark::State &state)
{
	unsigned int n = state.range(0);
	auto entries = tlbi_cmds(n);

	/* The TLB holds what the walk row left: a TLBI by address must not scan it */
	bench::invalidate_row(
		state, n,
		[&](unsigned int k, uint32_t *done) {
			return smmuv3_vmm_invalidate(&env.vmm, env.vmm.viommu, entries.data(), k, done);
		},
		invalidate_floor_ns[n], "cmds_per_s");
}

void measure_floors()
{
	unsigned int rounds = bench::smoke ? 1000 : 200000;
	bench::lookup_table table;
	bench::chase c;
	u64 at = 0;

	lookup_floor_ns = bench::best_of_seven(rounds, [&](unsigned int) {
		benchmark::DoNotOptimize(table.find());
	});
	chase24_floor_ns = bench::best_of_seven(rounds, [&](unsigned int) {
		benchmark::DoNotOptimize(at = c.walk(at, 24));
	});
	for (unsigned int n : { 1u, 16u, 63u, 64u, max_cmds }) {
		auto cmds = tlbi_cmds(n);

		invalidate_floor_ns[n] = bench::best_of_seven(rounds / 20, [&](unsigned int) {
			benchmark::DoNotOptimize(invalidate_refused(cmds.data(), n));
		});
	}
	benchmark::AddCustomContext("lookup_floor_ns", std::to_string(lookup_floor_ns));
	benchmark::AddCustomContext("chase24_floor_ns", std::to_string(chase24_floor_ns));
}

void register_all()
{
	if (!env_up()) {
		fprintf(stderr, "smmuv3_bench: %s\n", env.err.c_str());
		bench::register_error_row("smmuv3_platform", &env.err);
		return;
	}
	measure_floors();
	benchmark::RegisterBenchmark("lookup_floor", BM_lookup_floor);
	benchmark::RegisterBenchmark("iotlb_hit", BM_iotlb_hit);
	benchmark::RegisterBenchmark("chase24_floor", BM_chase24_floor);
	benchmark::RegisterBenchmark("nested_miss_walk", BM_nested_miss_walk);
	for (unsigned int n : { 1u, 16u, 63u, 64u, max_cmds }) {
		if (bench::smoke && n > 64)
			continue;
		benchmark::RegisterBenchmark("invalidate_floor", BM_invalidate_floor)->Arg(n);
		benchmark::RegisterBenchmark("hwpt_invalidate", BM_hwpt_invalidate)->Arg(n);
	}
}

} // namespace

int main(int argc, char **argv)
{
	int rc = bench::run_main(argc, argv, register_all);

	env_down();
	return rc;
}
