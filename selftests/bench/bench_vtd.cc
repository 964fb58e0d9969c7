// SPDX-License-Identifier: GPL-2.0
/*
 * Google Benchmark measurements of Intel VT-d on the vtd platform, booted
 * in-process: the I/OAT function bound to an iommufd (C API), a nest-parent
 * second stage over guest memory and a nested HWPT (iommu_hwpt_vtd_s1)
 * attached to its RID (drivers/intel/tests/vtd_vmm.h over selftests/inproc_vmm.h). The guest's first
 * stage maps 256 * 512 pages (more than the model's IOTLB holds) with
 * x86-64 4-level tables in guest memory.
 *
 *  - iotlb_hit: vtd_model_translate() of one guest VA whose nested
 *    translation is in the IOTLB (context and PASID caches hit too);
 *    floor: lookup_floor, one find() in a hash table of as many entries as
 *    the IOTLB holds.
 *  - nested_miss_walk: the same for guest VAs taken in turn over all
 *    131072 pages, each an IOTLB miss: the nested walk (4 first-stage
 *    levels, each table address and the output translated by the second
 *    stage: 5 * (second-stage levels) + 4 entry fetches, 24 for a 4-level
 *    second stage) and the IOTLB fill (the model empties a full IOTLB,
 *    which this row pays for too); floor: chase_floor, as many dependent
 *    plain loads as the walk fetches (walk_loads in the context).
 *  - hwpt_invalidate/<n>: IOMMU_HWPT_INVALIDATE of the nested HWPT with n
 *    one-page requests through iommufd_ioctl(): copy and check each, the
 *    driver's PASID-based IOTLB descriptors and one wait on the invalidation
 *    queue, the model's IOTLB invalidation; descs_per_s is its rate of
 *    requests; floor: invalidate_floor/<n>, the same ioctl refused for its
 *    data type by the driver (after the dispatch and the object lookup).
 *
 * Every row reports x_floor: CPU time per operation over its floor's,
 * the floor measured in the same run (best of seven rounds before the
 * benchmarks).
 */
#include "selftests/bench/bench_common.h"

#include "drivers/intel/iommu.h"
#include "drivers/intel/model/vtd_model.h"
#include "drivers/intel/tests/vtd_vmm.h"

#include <string>
#include <sys/mman.h>
#include <vector>

namespace {

constexpr unsigned int nr_pt = 256;
constexpr u64 nr_pages = nr_pt * 512ULL;
constexpr size_t guest_size = 2UL << 20;
constexpr unsigned int max_reqs = 256;

struct vtd_bench_env {
	struct inproc_vmm vmm;
	struct vtd_model *model = nullptr;
	void *guest = MAP_FAILED;
	bool booted = false;
	u16 sid = 0;
	unsigned int walk_loads = 24;
	std::string err;
} env;

double lookup_floor_ns, chase_floor_ns;
double invalidate_floor_ns[max_reqs + 1];

bool env_up()
{
	struct inproc_vmm *v = &env.vmm;
	struct platform_iommu *piommu;
	struct intel_iommu *iommu;
	int rc;

	if (platform_boot_named("vtd", &env.err))
		return false;
	env.booted = true;
	piommu = platform_iommu_get(0);
	env.model = vtd_platform_model(piommu);
	iommu = vtd_platform_iommu(piommu);
	iommu->quiet_faults = true;
	env.guest = mmap(NULL, guest_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
			 0);
	if (env.guest == MAP_FAILED) {
		env.err = "no guest memory";
		return false;
	}
	vtd_vmm_guest_s1(env.guest, nr_pt);
	rc = vtd_vmm_open(v, env.guest, guest_size);
	if (!rc)
		rc = vtd_vmm_parent(v);
	if (!rc)
		rc = vtd_vmm_nested(v, &v->nested);
	if (!rc)
		rc = inproc_vmm_attach(v, v->nested);
	if (rc) {
		env.err = std::string("the VMM's objects: ") + strerror(rc);
		return false;
	}
	env.sid = (u16)v->pdev->desc->rid;
	/* The parent is as deep as the unit's best SAGAW */
	env.walk_loads = 5 * (iommu->agaw + 2) + 4;
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

bool translate(u64 gva, struct vtd_txn_result *res)
{
	struct vtd_txn txn = {};

	txn.sid = env.sid;
	txn.addr = gva;
	vtd_model_translate(env.model, &txn, res);
	return res->status == VTD_TXN_OK;
}

/* The whole-range form: everything the nested domain has in the IOTLB goes. */
bool invalidate_all()
{
	struct iommu_hwpt_vtd_s1_invalidate req = { .addr = 0, .npages = U64_MAX };

	return !vtd_vmm_invalidate(&env.vmm, env.vmm.nested, &req, 1, NULL);
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
	struct vtd_txn_result res;
	bench::cpu_timer timer;

	if (!translate(VTD_VMM_GVA + 0x10, &res)) {
		state.SkipWithError("the guest VA does not translate");
		return;
	}
	timer = bench::cpu_timer();
	for (auto _ : state) {
		struct vtd_txn txn = {};

		txn.sid = env.sid;
		txn.addr = VTD_VMM_GVA + 0x10;
		vtd_model_translate(env.model, &txn, &res);
		benchmark::DoNotOptimize(res);
	}
	timer.report(state, lookup_floor_ns);
	state.SetItemsProcessed(state.iterations());
}

void BM_chase_floor(benchmark::State &state)
{
	bench::chase c;
	uint64_t at = 0;
	bench::cpu_timer timer;

	for (auto _ : state)
		benchmark::DoNotOptimize(at = c.walk(at, env.walk_loads));
	timer.report(state, chase_floor_ns);
}

void BM_nested_miss_walk(benchmark::State &state)
{
	struct vtd_txn_result res;
	u64 i = 0;
	bench::cpu_timer timer;

	if (!invalidate_all() || !translate(VTD_VMM_GVA + (nr_pages - 1) * 4096, &res)) {
		state.SkipWithError("the guest's first stage does not translate");
		return;
	}
	timer = bench::cpu_timer();
	for (auto _ : state) {
		struct vtd_txn txn = {};

		txn.sid = env.sid;
		txn.addr = VTD_VMM_GVA + i * 4096;
		vtd_model_translate(env.model, &txn, &res);
		benchmark::DoNotOptimize(res);
		i = i + 1 == nr_pages ? 0 : i + 1;
	}
	timer.report(state, chase_floor_ns);
	state.SetItemsProcessed(state.iterations());
	if (res.status != VTD_TXN_OK)
		state.SkipWithError("a walk failed");
}

std::vector<struct iommu_hwpt_vtd_s1_invalidate> page_reqs(unsigned int n)
{
	std::vector<struct iommu_hwpt_vtd_s1_invalidate> reqs(n);

	for (unsigned int i = 0; i != n; i++) {
		reqs[i].addr = VTD_VMM_GVA + i * 4096ULL;
		reqs[i].npages = 1;
	}
	return reqs;
}

/* The same HWPT_INVALIDATE, refused by the driver for its data type. */
int invalidate_refused(const struct iommu_hwpt_vtd_s1_invalidate *reqs, unsigned int n)
{
	return inproc_vmm_invalidate(&env.vmm, env.vmm.nested,
				     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, reqs, sizeof(*reqs), n,
				     NULL);
}

void BM_invalidate_floor(benchmark::State &state)
{
	unsigned int n = state.range(0);
	auto entries = page_reqs(n);

	bench::invalidate_floor_row(
		state, n, [&](unsigned int k) { return invalidate_refused(entries.data(), k); },
		invalidate_floor_ns[n]);
}

void BM_hwpt_invalidate(benchmark::State &state)
{
	unsigned int n = state.range(0);
	auto entries = page_reqs(n);
	bench::invalidate_row(
		state, n,
		[&](unsigned int k, uint32_t *done) {
			return vtd_vmm_invalidate(&env.vmm, env.vmm.nested, entries.data(), k, done);
		},
		invalidate_floor_ns[n], "descs_per_s");
}

void measure_floors()
{
	unsigned int rounds = bench::smoke ? 1000 : 200000;
	bench::lookup_table table;
	bench::chase c;
	uint64_t at = 0;

	lookup_floor_ns = bench::best_of_seven(rounds, [&](unsigned int) {
		benchmark::DoNotOptimize(table.find());
	});
	chase_floor_ns = bench::best_of_seven(rounds, [&](unsigned int) {
		benchmark::DoNotOptimize(at = c.walk(at, env.walk_loads));
	});
	for (unsigned int n : { 1u, 16u, 64u, max_reqs }) {
		auto reqs = page_reqs(n);

		invalidate_floor_ns[n] = bench::best_of_seven(rounds / 20, [&](unsigned int) {
			benchmark::DoNotOptimize(invalidate_refused(reqs.data(), n));
		});
	}
	benchmark::AddCustomContext("lookup_floor_ns", std::to_string(lookup_floor_ns));
	benchmark::AddCustomContext("chase_floor_ns", std::to_string(chase_floor_ns));
	benchmark::AddCustomContext("walk_loads", std::to_string(env.walk_loads));
}

void register_all()
{
	if (!env_up()) {
		fprintf(stderr, "vtd_bench: %s\n", env.err.c_str());
		bench::register_error_row("vtd_platform", &env.err);
		return;
	}
	measure_floors();
	benchmark::RegisterBenchmark("lookup_floor", BM_lookup_floor);
	benchmark::RegisterBenchmark("iotlb_hit", BM_iotlb_hit);
	benchmark::RegisterBenchmark("chase_floor", BM_chase_floor);
	benchmark::RegisterBenchmark("nested_miss_walk", BM_nested_miss_walk);
	for (unsigned int n : { 1u, 16u, 64u, max_reqs }) {
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
