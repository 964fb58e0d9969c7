// SPDX-License-Identifier: GPL-2.0
/*
 * Google Benchmark measurements of the page-table library
 * (drivers/generic_pt), every format side by side in one run:
 *
 *  - map_unmap/<format>/<size>: pt_map_pages() + pt_unmap_pages() (with
 *    the gather flushed) of one 4 KiB, 2 MiB and 1 GiB range, the domain
 *    choosing its largest pages (16K/64K granules map 4 KiB as their
 *    smallest page, so that row is one granule);
 *  - map_1g_small_pages/<format>: 1 GiB mapped as the granule's smallest
 *    pages only (262144 entries at 4K) and unmapped again;
 *  - walk/<format>: one single-stage walk of a mapped page by the hardware
 *    walker (phys_read() per level), cycling over 16K distinct pages;
 *  - walk_nested/armv8_4k_s1_over_s2: the same with stage 1 and stage 2
 *    both 4-level 4K tables made of 4K pages (24 entry fetches a walk);
 *  - array_lookup: a plain array load at a random index, the floor;
 *  - phys_read: one 8-byte read of a table page through the harness bus,
 *    opening and closing its own reader section (physmem_read_lock());
 *  - phys_read_in_section: the same inside a section that stays open;
 *  - entry_fetch: phys_read_u64_in_section(), the inline 8-byte read each
 *    level of a walk pays (a walk opens one section): walk rows report
 *    walker_ns, their time minus that many of these, the walker's own
 *    cost (the section's entry included).
 *
 * Every benchmark reports x_floor: its CPU time per operation over the
 * floor's, measured in the same run (read the CPU column: wall time on a
 * shared machine includes other processes). Targets (release build): a 4-level
 * walk under 50 ns, a nested 4x4 walk under 300 ns, 1 GiB of 4 KiB pages
 * mapped in under 100 ms. UIOMMUFD_BENCH_SMOKE=1 keeps the run short.
 */
#include "selftests/bench/bench_common.h"

#include "drivers/generic_pt/iommu_pt.h"
#include "drivers/generic_pt/pt_walk.h"

#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr u64 KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

/* ns of one array_lookup and of one walker's entry fetch, measured first. */
double floor_ns;
double entry_fetch_ns;

/*
 * This thread's CPU time in ns: the machine these run on is shared, and
 * wall time would charge other processes' work to ours.
 */
double thread_cpu_ns()
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Reports x_floor and, for walks, walker_ns: the CPU time per walk minus
 * its @fetches phys_read() calls, i.e. what the walker itself costs.
 */
struct floor_timer {
	double start = thread_cpu_ns();

	void report(benchmark::State &state, unsigned int fetches = 0) const
	{
		double ns = thread_cpu_ns() - start;

		if (!state.iterations())
			return;
		ns /= state.iterations();
		if (floor_ns > 0)
			state.counters["x_floor"] = ns / floor_ns;
		if (fetches) {
			state.counters["phys_reads"] = fetches;
			state.counters["walker_ns"] = ns - fetches * entry_fetch_ns;
		}
	}
};

struct bench_fmt {
	const char *name;
	struct pt_iommu_cfg cfg;
};

const bench_fmt bench_fmts[] = {
	{ "armv8_4k", { PT_FMT_ARMV8_4K, BIT_ULL(PT_FEAT_ARMV8_CONTIG), 48, 48 } },
	{ "armv8_16k", { PT_FMT_ARMV8_16K, BIT_ULL(PT_FEAT_ARMV8_CONTIG), 48, 48 } },
	{ "armv8_64k", { PT_FMT_ARMV8_64K, BIT_ULL(PT_FEAT_ARMV8_CONTIG), 48, 48 } },
	{ "x86_64_4lvl", { PT_FMT_X86_64, BIT_ULL(PT_FEAT_SIGN_EXTEND), 48, 52 } },
	{ "vtdss_4lvl", { PT_FMT_VTDSS, 0, 48, 52 } },
	{ "amdv1_4lvl", { PT_FMT_AMDV1, 0, 64, 52, 3 } },
};

void bench_iotlb_sync(struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	pt_iommu_put_pages_list(&gather->freelist);
}

const struct iommu_domain_ops bench_domain_ops = {
	.iotlb_sync = bench_iotlb_sync,
};

/* A table for the benchmark; NULL (and the state told) on failure. */
struct pt_iommu *domain_alloc(benchmark::State &state, const struct pt_iommu_cfg *cfg)
{
	struct pt_iommu *pt = new pt_iommu();

	pt->domain.ops = &bench_domain_ops;
	if (pt_iommu_init(pt, cfg, GFP_KERNEL)) {
		state.SkipWithError("pt_iommu_init failed");
		delete pt;
		return nullptr;
	}
	return pt;
}

void domain_free(struct pt_iommu *pt)
{
	pt_iommu_deinit(pt);
	delete pt;
}

bool map(struct pt_iommu *pt, u64 iova, u64 pa, u64 len, int prot = IOMMU_READ | IOMMU_WRITE)
{
	size_t mapped = 0;

	return !pt_map_pages(&pt->domain, iova, pa, len, 1, prot, GFP_KERNEL, &mapped) &&
	       mapped == len;
}

u64 unmap(struct pt_iommu *pt, u64 iova, u64 len)
{
	struct iommu_iotlb_gather gather;
	u64 done;

	iommu_iotlb_gather_init(&gather);
	done = pt_unmap_pages(&pt->domain, iova, len, 1, &gather);
	iommu_iotlb_sync(&pt->domain, &gather);
	return done;
}

/* The walker's view of the domain, as a model builds it from its context entry. */
struct pt_walk_cfg walk_cfg(struct pt_iommu *pt)
{
	struct pt_iommu_hw_info info;

	pt_iommu_hw_info(pt, &info);
	return { .root = info.top_paddr,
		 .features = pt->common.features,
		 .fmt = pt->common.fmt,
		 .top_level = (u8)info.top_level,
		 .vasz_lg2 = (u8)info.vasz_lg2,
		 .oasz_lg2 = pt->common.max_oasz_lg2,
		 .hw = 0 };
}

void BM_map_unmap(benchmark::State &state, const bench_fmt *fmt, u64 len)
{
	struct pt_iommu *pt = domain_alloc(state, &fmt->cfg);
	u64 iova = 4 * GiB, pa = 8 * GiB, g;

	if (!pt)
		return;
	/* The smallest page of a 16K/64K granule stands in for 4 KiB. */
	g = pt->domain.pgsize_bitmap & -pt->domain.pgsize_bitmap;
	len = std::max(len, g);
	/* Keep the upper tables in place, as a live domain has them. */
	if (!map(pt, iova + 16 * GiB, pa, g)) {
		state.SkipWithError("map failed");
		domain_free(pt);
		return;
	}
	floor_timer timer;
	for (auto _ : state) {
		if (!map(pt, iova, pa, len) || unmap(pt, iova, len) != len) {
			state.SkipWithError("map/unmap failed");
			break;
		}
	}
	timer.report(state);
	domain_free(pt);
}

void BM_map_1g_small_pages(benchmark::State &state, const bench_fmt *fmt)
{
	struct pt_iommu *pt = domain_alloc(state, &fmt->cfg);
	u64 iova = 4 * GiB, pa = 8 * GiB;

	if (!pt)
		return;
	pt->domain.pgsize_bitmap &= -pt->domain.pgsize_bitmap;
	floor_timer timer;
	for (auto _ : state) {
		if (!map(pt, iova, pa, GiB) || unmap(pt, iova, GiB) != GiB) {
			state.SkipWithError("map/unmap failed");
			break;
		}
	}
	timer.report(state);
	state.counters["entries"] = GiB / pt->domain.pgsize_bitmap;
	domain_free(pt);
}

/* 16K distinct pages of the domain's smallest size, in random order. */
std::vector<u64> walk_targets(struct pt_iommu *pt, u64 base)
{
	u64 g = pt->domain.pgsize_bitmap & -pt->domain.pgsize_bitmap;
	std::vector<u64> vas(16384);
	std::mt19937_64 rng(7);

	for (size_t i = 0; i != vas.size(); i++)
		vas[i] = base + i * g + (rng() % g & ~7ULL);
	std::shuffle(vas.begin(), vas.end(), rng);
	return vas;
}

void BM_walk(benchmark::State &state, const bench_fmt *fmt)
{
	struct pt_iommu *pt = domain_alloc(state, &fmt->cfg);
	u64 base = 4 * GiB;

	if (!pt)
		return;
	pt->domain.pgsize_bitmap &= -pt->domain.pgsize_bitmap;
	std::vector<u64> vas = walk_targets(pt, base);
	if (!map(pt, base, 8 * GiB, vas.size() * pt->domain.pgsize_bitmap)) {
		state.SkipWithError("map failed");
		domain_free(pt);
		return;
	}
	struct pt_walk_cfg cfg = walk_cfg(pt);
	size_t i = 0;

	floor_timer timer;
	for (auto _ : state) {
		struct pt_walk_result res;

		if (pt_walk(&cfg, vas[i], PT_ACCESS_READ | PT_ACCESS_PRIV, &res)) {
			state.SkipWithError("walk faulted");
			break;
		}
		benchmark::DoNotOptimize(res);
		i = (i + 1) & (vas.size() - 1);
	}
	timer.report(state, cfg.top_level + 1);
	domain_free(pt);
}

/*
 * Stage 2 maps the fake physical memory identically with 4K pages (so
 * every stage-1 table fetch is itself a 4-level walk) and the stage-1
 * output window with 4K pages.
 */
void BM_walk_nested(benchmark::State &state)
{
	const struct pt_iommu_cfg s1cfg = { PT_FMT_ARMV8_4K, 0, 48, 48 };
	const struct pt_iommu_cfg s2cfg = { PT_FMT_ARMV8_4K, BIT_ULL(PT_FEAT_ARMV8_S2), 48, 48 };
	struct pt_iommu *s1 = domain_alloc(state, &s1cfg), *s2 = domain_alloc(state, &s2cfg);
	u64 base = 4 * GiB, window = 16384 * 4 * KiB;
	struct pt_walk_cfg c1, c2;
	size_t i = 0;

	if (!s1 || !s2) {
		if (s1)
			domain_free(s1);
		if (s2)
			domain_free(s2);
		return;
	}
	s1->domain.pgsize_bitmap = s2->domain.pgsize_bitmap = 4 * KiB;
	std::vector<u64> vas = walk_targets(s1, base);
	/* Stage-1 output IPAs [1 GiB, +64 MiB) -> PAs at 128 GiB. */
	if (!map(s1, base, GiB, window) || !map(s2, GiB, 128 * GiB, window) ||
	    !map(s2, 4 * GiB, 4 * GiB, 512 * MiB)) {
		state.SkipWithError("map failed");
		goto out;
	}
	c1 = walk_cfg(s1);
	c2 = walk_cfg(s2);
	if (c1.root >= 4 * GiB + 512 * MiB) {
		state.SkipWithError("stage-1 tables beyond the identity window");
		goto out;
	}
	{
		floor_timer timer;
		for (auto _ : state) {
			struct pt_walk_result res;

			if (pt_walk_nested(&c1, &c2, vas[i], PT_ACCESS_READ | PT_ACCESS_PRIV, &res)) {
				state.SkipWithError("nested walk faulted");
				break;
			}
			benchmark::DoNotOptimize(res);
			i = (i + 1) & (vas.size() - 1);
		}
		/* Four stage-1 entries each behind a 4-level stage-2 walk, then the output's. */
		timer.report(state, 4 * 4 + 4 + 4);
	}
out:
	domain_free(s1);
	domain_free(s2);
}

/* The floor: one load from a table at a random index. */
std::vector<u64> floor_table(1 << 14);
std::vector<u32> floor_index(1 << 14);

void BM_array_lookup(benchmark::State &state)
{
	size_t i = 0;

	floor_timer timer;
	for (auto _ : state) {
		benchmark::DoNotOptimize(floor_table[floor_index[i]]);
		i = (i + 1) & (floor_index.size() - 1);
	}
	timer.report(state);
}

/*
 * One 8-byte read of a table page per iteration through @read(pa, &v),
 * inside a reader section that stays open if @in_section.
 */
template <class R> void bench_table_read(benchmark::State &state, bool in_section, R &&read)
{
	u64 *table = (u64 *)iommu_alloc_pages_sz(GFP_KERNEL, 4096);
	phys_addr_t pa = virt_to_phys(table);
	size_t i = 0;
	u64 v;

	if (in_section)
		physmem_read_lock();
	floor_timer timer;
	for (auto _ : state) {
		read(pa + 8 * (i & 511), &v);
		benchmark::DoNotOptimize(v);
		i++;
	}
	timer.report(state);
	if (in_section)
		physmem_read_unlock();
	iommu_free_pages(table);
}

int bus_read(phys_addr_t pa, u64 *v) { return phys_read(pa, v, sizeof(*v)); }

/* What the bus costs: phys_read() opening its own section. */
void BM_phys_read(benchmark::State &state) { bench_table_read(state, false, bus_read); }

/* The same read inside an open section. */
void BM_phys_read_in_section(benchmark::State &state) { bench_table_read(state, true, bus_read); }

/* The walker's fetch: the inline read of one entry inside its section. */
void BM_entry_fetch(benchmark::State &state)
{
	bench_table_read(state, true,
			 [](phys_addr_t pa, u64 *v) { return phys_read_u64_in_section(pa, v); });
}

/* The best of several rounds of @body (one operation each), in ns. */
template <class F> double measure_ns(F &&body)
{
	double best = 1e30;

	for (int round = 0; round != 7; round++) {
		double t0 = thread_cpu_ns();

		for (size_t n = 0; n != 1 << 20; n++)
			body(n);
		best = std::min(best, (thread_cpu_ns() - t0) / (1 << 20));
	}
	return best;
}

void measure_yardsticks()
{
	std::mt19937 rng(3);
	u64 *table = (u64 *)iommu_alloc_pages_sz(GFP_KERNEL, 4096);
	phys_addr_t pa = virt_to_phys(table);

	for (size_t i = 0; i != floor_index.size(); i++) {
		floor_index[i] = rng() % floor_table.size();
		floor_table[i] = i;
	}
	/* The same loop shape as BM_array_lookup, so x_floor of the floor is ~1. */
	floor_ns = measure_ns([](size_t n) {
		benchmark::DoNotOptimize(floor_table[floor_index[n & (floor_index.size() - 1)]]);
	});
	physmem_read_lock();
	entry_fetch_ns = measure_ns([pa](size_t n) {
		u64 v;

		phys_read_u64_in_section(pa + 8 * (n & 511), &v);
		benchmark::DoNotOptimize(v);
	});
	physmem_read_unlock();
	iommu_free_pages(table);
}

void register_all()
{
	static const u64 lens[] = { 4 * KiB, 2 * MiB, GiB };

	measure_yardsticks();
	benchmark::AddCustomContext("array_lookup_ns", std::to_string(floor_ns));
	benchmark::AddCustomContext("entry_fetch_ns", std::to_string(entry_fetch_ns));
	benchmark::RegisterBenchmark("array_lookup", BM_array_lookup);
	benchmark::RegisterBenchmark("phys_read", BM_phys_read);
	benchmark::RegisterBenchmark("phys_read_in_section", BM_phys_read_in_section);
	benchmark::RegisterBenchmark("entry_fetch", BM_entry_fetch);
	for (const bench_fmt &f : bench_fmts) {
		for (u64 len : lens) {
			std::string name = std::string("map_unmap/") + f.name + "/" +
					   (len == GiB ? "1G" : len == 2 * MiB ? "2M" : "4K");

			benchmark::RegisterBenchmark(name.c_str(), BM_map_unmap, &f, len);
		}
	}
	for (const bench_fmt &f : bench_fmts)
		benchmark::RegisterBenchmark((std::string("walk/") + f.name).c_str(), BM_walk, &f);
	benchmark::RegisterBenchmark("walk_nested/armv8_4k_s1_over_s2", BM_walk_nested);
	for (const bench_fmt &f : bench_fmts) {
		std::string name = std::string("map_1g_small_pages/") + f.name;
		auto *b = benchmark::RegisterBenchmark(name.c_str(), BM_map_1g_small_pages, &f);

		b->Unit(benchmark::kMillisecond);
		if (bench::smoke)
			b->Iterations(1);
	}
}

} // namespace

int main(int argc, char **argv)
{
	return bench::run_main(argc, argv, register_all);
}
