/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every uiommufd benchmark program shares: the yardstick (an ioctl
 * the kernel rejects with ENOTTY on an eventfd, measured in the same run),
 * the x_syscall counter relative to it, smoke mode, and main().
 */
#pragma once

#include <benchmark/benchmark.h>

#include <linux/iommufd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/eventfd.h>
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
