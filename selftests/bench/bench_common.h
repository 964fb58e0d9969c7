/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every uiommufd benchmark program shares: the yardstick (an ioctl
 * the kernel rejects with ENOTTY on an eventfd, measured in the same run),
 * the x_syscall counter relative to it, smoke mode, main(), and the pieces
 * of a floor (CPU time, best of seven rounds, a pointer chase) that a
 * model's row reports x_floor against.
 */
#pragma once

#include <benchmark/benchmark.h>

#include <linux/iommufd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <sys/eventfd.h>
#include <unordered_map>
#include <vector>
#include <sys/ioctl.h>
#include <unistd.h>

namespace bench {

using clock_type = std::chrono::steady_clock;

/* UIOMMUFD_BENCH_SMOKE=1: only the small cases (the CTest smoke runs). */
inline bool smoke;
/* ns per ENOTTY ioctl on an eventfd, measured before the benchmarks. */
inline double syscall_ns;
/* The ioctl number of the yardstick (see bench_interposer.cc for another). */
inline unsigned long yardstick_req = IOMMU_DESTROY;

/* Wall time of the timed loop, turned into x_syscall after it. */
struct loop_timer {
	clock_type::time_point start = clock_type::now();

	void report(benchmark::State &state) const
	{
		double ns = std::chrono::duration<double, std::nano>(clock_type::now() - start)
				    .count();

		if (state.iterations() && syscall_ns > 0)
			state.counters["x_syscall"] = ns / state.iterations() / syscall_ns;
	}
};

/* The yardstick as a benchmark of its own, to read its x_syscall near 1. */
inline void BM_syscall_enotty(benchmark::State &state)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = 1 };
	int efd = eventfd(0, EFD_CLOEXEC);
	loop_timer timer;

	for (auto _ : state) {
		if (ioctl(efd, yardstick_req, &cmd) != -1 || errno != ENOTTY) {
			state.SkipWithError("eventfd accepted the ioctl");
			break;
		}
	}
	timer.report(state);
	close(efd);
}

/*
 * The yardstick: the best of several rounds, which is what a tight
 * benchmark loop converges to as well.
 */
inline double measure_syscall_ns()
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = 1 };
	unsigned int per_round = smoke ? 2000 : 200000;
	double best = 1e30;
	int efd = eventfd(0, EFD_CLOEXEC);

	if (efd < 0)
		return 0;
	for (unsigned int round = 0; round != 7; round++) {
		auto t0 = clock_type::now();

		for (unsigned int i = 0; i != per_round; i++)
			benchmark::DoNotOptimize(ioctl(efd, yardstick_req, &cmd));
		double ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0)
				    .count() / per_round;
		if (ns < best)
			best = ns;
	}
	close(efd);
	return best;
}

/* ---- floors: a plain-code baseline for a model's operation, in the same run ---- */

inline double thread_cpu_ns()
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* x_floor from the loop's CPU time per iteration (CPU time: the machine is shared). */
struct cpu_timer {
	double start = thread_cpu_ns();

	double per_op(benchmark::State &state) const
	{
		return state.iterations() ? (thread_cpu_ns() - start) / state.iterations() : 0;
	}
	void report(benchmark::State &state, double floor_ns) const
	{
		if (state.iterations() && floor_ns > 0)
			state.counters["x_floor"] = per_op(state) / floor_ns;
	}
};

/* Best of seven rounds of @rounds calls of @op(i), in CPU ns per call. */
template <typename Op> double best_of_seven(unsigned int rounds, Op op)
{
	double best = 1e30;

	for (int r = 0; r != 7; r++) {
		double t0 = thread_cpu_ns();

		for (unsigned int i = 0; i != rounds; i++)
			op(i);
		best = std::min(best, (thread_cpu_ns() - t0) / rounds);
	}
	return best;
}

/*
 * A vendor's HWPT_INVALIDATE row: @inv(n, &done) issues one invalidation of
 * @n entries and returns 0 or the errno; CPU time against @floor_ns (the
 * same ioctl refused early, invalidate_floor_row()), wall time, and the
 * entries per second as counter @rate.
 */
template <typename Inv>
void invalidate_row(benchmark::State &state, unsigned int n, Inv inv, double floor_ns,
		    const char *rate)
{
	uint32_t done = 0;
	loop_timer wall;
	cpu_timer timer;

	for (auto _ : state) {
		if (inv(n, &done) || done != n) {
			state.SkipWithError("HWPT_INVALIDATE failed");
			break;
		}
	}
	timer.report(state, floor_ns);
	wall.report(state);
	if (state.iterations())
		state.counters[rate] =
			benchmark::Counter(double(state.iterations()) * n, benchmark::Counter::kIsRate);
}

/* Its floor: @refused(n), the same call with a data type the driver refuses (EINVAL). */
template <typename Refused>
void invalidate_floor_row(benchmark::State &state, unsigned int n, Refused refused,
			  double floor_ns)
{
	cpu_timer timer;

	for (auto _ : state) {
		if (refused(n) != EINVAL) {
			state.SkipWithError("the wrong data type was accepted");
			break;
		}
	}
	timer.report(state, floor_ns);
}

/* Dependent plain loads through a random cycle of 512 words (one page): a walk's floor. */
struct chase {
	std::vector<uint64_t> next = std::vector<uint64_t>(512);

	chase()
	{
		std::vector<uint64_t> order(512);
		std::mt19937_64 rng(2);

		for (uint64_t i = 0; i != 512; i++)
			order[i] = i;
		std::shuffle(order.begin() + 1, order.end(), rng);
		for (uint64_t i = 0; i != 512; i++)
			next[order[i]] = order[(i + 1) % 512];
	}
	uint64_t walk(uint64_t at, unsigned int loads) const
	{
		for (unsigned int i = 0; i != loads; i++)
			at = next[at];
		return at;
	}
};

/*
 * A hash table of @n page-aligned keys, as large as a model's TLB: find()
 * of one of its keys is a TLB hit's floor.
 */
struct lookup_table {
	std::unordered_map<uint64_t, uint64_t> map;
	uint64_t key;

	explicit lookup_table(unsigned int n = 65536)
	{
		std::mt19937_64 rng(1);

		for (uint64_t i = 0; i != n; i++)
			map[rng() & ~0xfffULL] = i;
		key = map.begin()->first;
	}
	auto find() const { return map.find(key); }
};

/* When a program's machine did not come up: one row, reporting @err rather than a number. */
inline void register_error_row(const char *name, const std::string *err)
{
	benchmark::RegisterBenchmark(name, [err](benchmark::State &state) {
		for (auto _ : state)
			;
		state.SkipWithError(err->c_str());
	});
}

/* main(): smoke mode, the yardstick, the context, then @register_all's benchmarks. */
inline int run_main(int argc, char **argv, void (*register_all)(void))
{
	const char *env = getenv("UIOMMUFD_BENCH_SMOKE");

	smoke = env && *env && strcmp(env, "0");
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;

	syscall_ns = measure_syscall_ns();
	benchmark::AddCustomContext("syscall_enotty_ns", std::to_string(syscall_ns));
	benchmark::AddCustomContext("mode", smoke ? "smoke" : "full");
#ifdef NDEBUG
	benchmark::AddCustomContext("uiommufd_build", "optimised");
#else
	benchmark::AddCustomContext("uiommufd_build", "debug (numbers not meaningful)");
#endif
	benchmark::RegisterBenchmark("syscall_enotty", BM_syscall_enotty);
	register_all();
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

} // namespace bench
