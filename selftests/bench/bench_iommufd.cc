// SPDX-License-Identifier: GPL-2.0
/*
 * Google Benchmark measurements of the core's hot paths, each reported
 * next to the cost of a real system call measured in the same run.
 *
 * The yardstick is an ioctl the kernel rejects with ENOTTY on an eventfd:
 * a full syscall round trip doing no work. Every benchmark sets the
 * counter x_syscall = (its time per operation) / (that round trip), so a
 * reader sees at once whether uiommufd's dispatch is cheaper or dearer
 * than the syscall boundary a real /dev/iommu would cost.
 *
 *  - dispatch: IOMMU_DESTROY of an ID that does not exist (size check,
 *    copy in, xarray lookup, errno), and an unknown ioctl number;
 *  - IOAS_MAP + IOAS_UNMAP of 4 KiB, 2 MiB and 1 GiB with a mock domain
 *    attached (pin, fill the domain, unfill, unpin); the buffer is plain
 *    anonymous memory that faults in on the first pin;
 *  - map + unmap of one 4 KiB area in an IOAS that already holds N areas,
 *    N = 1K..1M, without a domain (the interval trees) and with one (N
 *    pinned areas, up to 64K).
 *
 * UIOMMUFD_BENCH_SMOKE=1 (set by the CTest smoke run) keeps only the small
 * cases so that a debug build finishes in seconds. Nothing here asserts on
 * time; numbers are meaningful in the release preset (selftests/bench/run.sh).
 */
#include "selftests/bench/bench_common.h"

#include "core/c_api.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace {

using bench::loop_timer;
using bench::smoke;

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
constexpr uint64_t GiB = 1024 * MiB;
constexpr uint64_t iova_base = MOCK_APERTURE_START;

/* ---- helpers over the C API ---- */

bool ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (iommufd_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd))
		return false;
	*id = cmd.out_ioas_id;
	return true;
}

bool map_fixed(int fd, uint32_t ioas, const void *p, uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)p,
		.length = len,
		.iova = iova,
	};

	return !iommufd_ioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

bool unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return !iommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

bool mock_domain(int fd, uint32_t ioas)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas,
	};

	return !iommufd_ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* An anonymous mapping aligned to 2 MiB; nothing is faulted in yet. */
void *alloc_aligned(uint64_t len)
{
	uint64_t span = len + 2 * MiB;
	char *p = (char *)mmap(nullptr, span, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *aligned;

	if (p == MAP_FAILED)
		return nullptr;
	aligned = (char *)(((uintptr_t)p + 2 * MiB - 1) & ~(uintptr_t)(2 * MiB - 1));
	if (aligned != p)
		munmap(p, aligned - p);
	munmap(aligned + len, (p + span) - (aligned + len));
	return aligned;
}

/* ---- dispatch ---- */

void BM_dispatch_destroy_missing(benchmark::State &state)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = 0x7fffffff };
	int fd = iommufd_open(O_RDWR | O_CLOEXEC);
	loop_timer timer;

	if (fd < 0) {
		state.SkipWithError("iommufd_open failed");
		return;
	}
	for (auto _ : state) {
		if (iommufd_ioctl(fd, IOMMU_DESTROY, &cmd) != -1 || errno != ENOENT) {
			state.SkipWithError("IOMMU_DESTROY did not fail with ENOENT");
			break;
		}
	}
	timer.report(state);
	iommufd_close(fd);
}

void BM_dispatch_unknown_ioctl(benchmark::State &state)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd) };
	int fd = iommufd_open(O_RDWR | O_CLOEXEC);
	loop_timer timer;

	if (fd < 0) {
		state.SkipWithError("iommufd_open failed");
		return;
	}
	for (auto _ : state) {
		if (iommufd_ioctl(fd, _IO(IOMMUFD_TYPE, 0xff), &cmd) != -1 || errno != ENOTTY) {
			state.SkipWithError("unknown ioctl did not fail with ENOTTY");
			break;
		}
	}
	timer.report(state);
	iommufd_close(fd);
}

/* ---- map + unmap with a domain ---- */

void BM_map_unmap(benchmark::State &state)
{
	uint64_t len = state.range(0);
	void *mem = alloc_aligned(len);
	uint32_t ioas;
	int fd = iommufd_open(O_RDWR | O_CLOEXEC);

	if (!mem || fd < 0 || !ioas_alloc(fd, &ioas) || !mock_domain(fd, ioas)) {
		state.SkipWithError("setup failed");
		goto out;
	}
	/* Fault the memory in once, outside the measurement. */
	if (!map_fixed(fd, ioas, mem, len, iova_base) || !unmap(fd, ioas, iova_base, len)) {
		state.SkipWithError(strerror(errno));
		goto out;
	}
	{
		loop_timer timer;

		for (auto _ : state) {
			if (!map_fixed(fd, ioas, mem, len, iova_base) ||
			    !unmap(fd, ioas, iova_base, len)) {
				state.SkipWithError(strerror(errno));
				break;
			}
		}
		timer.report(state);
	}
	state.SetBytesProcessed(state.iterations() * len);
out:
	if (fd >= 0)
		iommufd_close(fd);
	if (mem)
		munmap(mem, len);
}

/* ---- map + unmap among N areas ---- */

/*
 * Building an IOAS with a million areas takes a while, so the populated
 * context is kept across the repeated calls Google Benchmark makes for
 * one argument and rebuilt only when the argument changes.
 */
struct area_env {
	int fd = -1;
	uint32_t ioas = 0;
	uint64_t areas = 0;
	bool domain = false;
	void *page = nullptr;

	/* The one area the benchmark maps and unmaps: a hole in the middle. */
	uint64_t hole_iova() const { return iova_base + (areas / 2) * 4 * KiB; }

	void destroy()
	{
		if (fd >= 0)
			iommufd_close(fd);
		fd = -1;
		areas = 0;
	}

	bool build(uint64_t n, bool with_domain)
	{
		if (fd >= 0 && areas == n && domain == with_domain)
			return true;
		destroy();
		if (!page) {
			page = mmap(nullptr, 4 * KiB, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (page == MAP_FAILED) {
				page = nullptr;
				return false;
			}
			memset(page, 1, 4 * KiB);
		}
		fd = iommufd_open(O_RDWR | O_CLOEXEC);
		if (fd < 0 || !ioas_alloc(fd, &ioas))
			return false;
		if (with_domain && !mock_domain(fd, ioas))
			return false;
		areas = n;
		domain = with_domain;
		/* n areas over n + 1 slots, the middle one left free. */
		for (uint64_t i = 0; i <= n; i++) {
			uint64_t iova = iova_base + i * 4 * KiB;

			if (iova == hole_iova())
				continue;
			if (!map_fixed(fd, ioas, page, 4 * KiB, iova))
				return false;
		}
		return true;
	}
};

area_env areas_env;

void run_areas(benchmark::State &state, bool with_domain)
{
	if (!areas_env.build(state.range(0), with_domain)) {
		state.SkipWithError("could not build the IOAS");
		areas_env.destroy();
		return;
	}
	loop_timer timer;

	for (auto _ : state) {
		if (!map_fixed(areas_env.fd, areas_env.ioas, areas_env.page, 4 * KiB,
			       areas_env.hole_iova()) ||
		    !unmap(areas_env.fd, areas_env.ioas, areas_env.hole_iova(), 4 * KiB)) {
			state.SkipWithError(strerror(errno));
			break;
		}
	}
	timer.report(state);
	state.counters["areas"] = (double)state.range(0);
}

void BM_map_unmap_among_areas(benchmark::State &state)
{
	run_areas(state, false);
}

void BM_map_unmap_among_areas_domain(benchmark::State &state)
{
	run_areas(state, true);
}

void register_all()
{
	benchmark::RegisterBenchmark("dispatch_destroy_missing", BM_dispatch_destroy_missing);
	benchmark::RegisterBenchmark("dispatch_unknown_ioctl", BM_dispatch_unknown_ioctl);

	auto *mu = benchmark::RegisterBenchmark("map_unmap_domain", BM_map_unmap);
	mu->Arg(4 * KiB)->Arg(2 * MiB);
	if (!smoke)
		mu->Arg(1 * GiB);
	mu->Unit(benchmark::kMicrosecond);

	auto *among = benchmark::RegisterBenchmark("map_unmap_among_areas",
						   BM_map_unmap_among_areas);
	auto *among_dom = benchmark::RegisterBenchmark("map_unmap_among_areas_domain",
						       BM_map_unmap_among_areas_domain);
	if (smoke) {
		among->Arg(1 << 10)->Arg(1 << 12);
		among_dom->Arg(1 << 10);
	} else {
		among->RangeMultiplier(4)->Range(1 << 10, 1 << 20);
		among_dom->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
	}
}

} // namespace

int main(int argc, char **argv) { return bench::run_main(argc, argv, register_all); }
