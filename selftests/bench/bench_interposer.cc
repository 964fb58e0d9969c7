// SPDX-License-Identifier: GPL-2.0
/*
 * What an unmodified program pays per iommufd call under `uiommufd run`:
 * plain open("/dev/iommu") and ioctl() through the LD_PRELOAD interposer,
 * each reported next to an ENOTTY ioctl on an eventfd measured in the same
 * run (which crosses the interposer too: its pass-through is part of what
 * every program pays).
 *
 *  - IOMMU_DESTROY of an ID that does not exist: the whole route (the
 *    interposer's descriptor check, the request, dispatch, errno);
 *  - IOAS_MAP + IOAS_UNMAP of 4 KiB, without and with a mock domain.
 *
 * Run it under `uiommufd run` (in-process) and `uiommufd run --server` to
 * compare the two (selftests/bench/run.sh does both). Without uiommufd the
 * open fails and every benchmark says so.
 */
#include "selftests/bench/bench_common.h"

#include <linux/iommufd_test.h>

#include <cstdlib>
#include <fcntl.h>
#include <sys/mman.h>
#include <termios.h>

namespace {

using bench::loop_timer;

/* The iommufd and one IOAS, or an error on @state. */
struct ctx {
	int fd = -1;
	uint32_t ioas = 0;

	explicit ctx(benchmark::State &state, bool domain)
	{
		struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

		fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, IOMMU_IOAS_ALLOC, &alloc)) {
			state.SkipWithError("no /dev/iommu: run under `uiommufd run`");
			return;
		}
		ioas = alloc.out_ioas_id;
		if (domain) {
			struct iommu_test_cmd cmd = {
				.size = sizeof(cmd),
				.op = IOMMU_TEST_OP_MOCK_DOMAIN,
				.id = ioas,
			};

			if (ioctl(fd, IOMMU_TEST_CMD, &cmd))
				state.SkipWithError("IOMMU_TEST_OP_MOCK_DOMAIN failed");
		}
	}
	~ctx()
	{
		if (fd >= 0)
			close(fd);
	}
};

void BM_destroy_missing(benchmark::State &state)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = 0x7fffffff };
	ctx c(state, false);
	loop_timer timer;

	if (c.fd < 0)
		return;
	for (auto _ : state) {
		if (ioctl(c.fd, IOMMU_DESTROY, &cmd) != -1 || errno != ENOENT) {
			state.SkipWithError("IOMMU_DESTROY did not fail with ENOENT");
			break;
		}
	}
	timer.report(state);
}

void BM_map_unmap_4k(benchmark::State &state)
{
	ctx c(state, state.range(0));
	size_t len = 4096;
	void *buf = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = c.ioas,
		.user_va = (uintptr_t)buf,
		.length = len,
		.iova = MOCK_APERTURE_START,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = c.ioas,
		.iova = MOCK_APERTURE_START,
		.length = len,
	};
	loop_timer timer;

	if (c.fd >= 0 && buf != MAP_FAILED) {
		for (auto _ : state) {
			if (ioctl(c.fd, IOMMU_IOAS_MAP, &map) || ioctl(c.fd, IOMMU_IOAS_UNMAP, &unmap)) {
				state.SkipWithError("IOAS_MAP/UNMAP failed");
				break;
			}
		}
		timer.report(state);
	}
	if (buf != MAP_FAILED)
		munmap(buf, len);
}

void register_all()
{
	/*
	 * UIOMMUFD_BENCH_ITERATIONS=N: exactly N iterations each, so that a
	 * system-call count of two runs (N and 2N, e.g. perf stat -e
	 * raw_syscalls:sys_enter) differs by the calls N iterations make
	 * (Documentation/benchmarks.md, "Interposer").
	 */
	const char *env = getenv("UIOMMUFD_BENCH_ITERATIONS");
	long n = env ? atol(env) : 0;
	auto *destroy = benchmark::RegisterBenchmark("interposer_destroy_missing",
						     BM_destroy_missing);
	auto *map = benchmark::RegisterBenchmark("interposer_map_unmap_4k", BM_map_unmap_4k)
			    ->ArgName("domain")->Arg(0)->Arg(1);

	if (n > 0) {
		destroy->Iterations(n);
		map->Iterations(n);
	}
}

} // namespace

int main(int argc, char **argv)
{
	/*
	 * Not an iommufd number: the interposer looks twice at a failed
	 * iommufd ioctl on a descriptor it does not know (is it one of ours,
	 * inherited?), which an ordinary program's ioctls never pay.
	 */
	bench::yardstick_req = TCGETS;
	return bench::run_main(argc, argv, register_all);
}
