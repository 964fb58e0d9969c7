// SPDX-License-Identifier: GPL-2.0
/*
 * DMA through the IOMMU as a VFIO user driver sees it: the Intel I/OAT
 * engine of the default platform (0000:00:03.0, /dev/vfio/devices/vfio1;
 * the first 8086:2021 in sysfs)
 * copies memory mapped into an IOAS, against memcpy() of the same size
 * measured in the same run; and one trapped register read of its mmap'ed
 * BAR against a plain load.
 *
 *  - memcpy/<size>: the baseline, bytes per second;
 *  - ioat_copy/<size>: one chain of size / 4096 descriptors (XFERCAP is
 *    12), built outside the timed loop; each iteration reloads CHAINADDR,
 *    writes DMACOUNT and polls CHANSTS until the channel is DONE. The
 *    buffers are ordinary 4 KiB pages at an IOVA that is not 2 MiB
 *    aligned. vs_memcpy = its bytes per second over memcpy's;
 *  - ioat_copy_2m/<size>: the same from a 2 MiB aligned THP buffer at a
 *    2 MiB aligned IOVA, which a kernel maps with 2 MiB IOPTEs;
 *  - mmio_readq: one 8-byte read of CHANSTS through the BAR mapping, and
 *    load_q the plain load it is compared with (vs_load).
 *
 * Written against Linux's uAPI only (sysfs, <linux/vfio.h>,
 * <linux/iommufd.h>, mmap of the BAR), so it runs under `uiommufd run`
 * (in-process or --server) as it would on a machine with that device
 * bound to vfio-pci. Without the device every I/OAT benchmark says so.
 */
#include "selftests/bench/bench_common.h"

#include <linux/vfio.h>

#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <termios.h>

namespace {

using bench::clock_type;
using bench::loop_timer;

/* The registers a copy needs (the device's programming interface). */
constexpr unsigned int IOAT_XFERCAP = 0x01;
constexpr unsigned int IOAT_CHAN = 0x80;
constexpr unsigned int IOAT_CHANCTRL = IOAT_CHAN + 0x00;
constexpr unsigned int IOAT_CHANCMD = IOAT_CHAN + 0x04;
constexpr unsigned int IOAT_DMACOUNT = IOAT_CHAN + 0x06;
constexpr unsigned int IOAT_CHANSTS = IOAT_CHAN + 0x08;
constexpr unsigned int IOAT_CHAINADDR = IOAT_CHAN + 0x10;
constexpr unsigned int IOAT_CHANERR = IOAT_CHAN + 0x28;
constexpr uint8_t CHANCMD_RESET = 0x20;
constexpr uint16_t CHANCTRL_ANY_ERR_ABORT_EN = 0x0008;
constexpr uint64_t CHANSTS_STATUS = 0x7;
constexpr uint64_t CHANSTS_ACTIVE = 0x0;
constexpr uint64_t CHANSTS_DONE = 0x1;
constexpr uint64_t CHANSTS_HALTED = 0x3;
constexpr uint16_t PCI_COMMAND_BITS = 0x0406;	/* MEMORY | MASTER | INTX_DISABLE */

struct ioat_dma_descriptor {
	uint32_t size;
	uint32_t ctl;		/* 0: a COPY, no completion writeback, no interrupt */
	uint64_t src_addr;
	uint64_t dst_addr;
	uint64_t next;
	uint64_t rsv[4];
};

constexpr size_t SZ_4K = 4096;
constexpr size_t SZ_2M = 2UL << 20;
/* What one descriptor may move: 1 << XFERCAP. */
constexpr size_t xfer_max = SZ_4K;
/* Descriptors first, then source and destination, each 2 MiB aligned in the area. */
constexpr size_t desc_room = SZ_2M;

/* The largest size registered: the areas are sized for it. */
size_t copy_max;

/* One buffer mapped into the IOAS: descriptors, source, destination. */
struct area {
	void *map = MAP_FAILED;
	size_t map_len = 0;
	uint8_t *va = nullptr;
	uint64_t iova = 0;
	size_t len = 0;
};

enum { AREA_4K, AREA_2M, NR_AREAS };

/* The device, bound to an iommufd and attached to one IOAS, set up once. */
struct ioat_ctx {
	bool tried = false;
	std::string error;		/* why the I/OAT benchmarks cannot run */
	int iommufd = -1;
	int devfd = -1;
	uint32_t ioas = 0;
	volatile uint8_t *bar = nullptr;
	size_t bar_len = 0;
	struct area areas[NR_AREAS];
};

ioat_ctx ioat;

void writeq(unsigned int off, uint64_t v) { *(volatile uint64_t *)(ioat.bar + off) = v; }
void writel(unsigned int off, uint32_t v) { *(volatile uint32_t *)(ioat.bar + off) = v; }
void writew(unsigned int off, uint16_t v) { *(volatile uint16_t *)(ioat.bar + off) = v; }
void writeb(unsigned int off, uint8_t v) { *(volatile uint8_t *)(ioat.bar + off) = v; }
uint64_t readq(unsigned int off) { return *(volatile uint64_t *)(ioat.bar + off); }
uint32_t readl(unsigned int off) { return *(volatile uint32_t *)(ioat.bar + off); }
uint8_t readb(unsigned int off) { return *(volatile uint8_t *)(ioat.bar + off); }

bool fail(const std::string &what)
{
	ioat.error = what + (errno ? std::string(": ") + strerror(errno) : std::string()) +
		     " (run under `uiommufd run` on the default platform)";
	return false;
}

unsigned long read_sysfs_ul(const std::string &path)
{
	char buf[32] = {};
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtoul(buf, nullptr, 0) : 0;
}

/* The first I/OAT 8086:2021 in sysfs (0000:00:03.0 on the default platform), or "". */
std::string find_ioat()
{
	DIR *d = opendir("/sys/bus/pci/devices");
	std::string bdf;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		std::string dev = std::string("/sys/bus/pci/devices/") + de->d_name;

		if (read_sysfs_ul(dev + "/vendor") == 0x8086 &&
		    read_sysfs_ul(dev + "/device") == 0x2021 && (bdf.empty() || bdf > de->d_name))
			bdf = de->d_name;
	}
	if (d)
		closedir(d);
	return bdf;
}

/* What libvfio does: the cdev named in the device's vfio-dev directory. */
int open_cdev(const std::string &bdf)
{
	std::string dir = "/sys/bus/pci/devices/" + bdf + "/vfio-dev";
	DIR *d = opendir(dir.c_str());
	struct dirent *de;
	int fd = -1;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4)) {
			fd = open((std::string("/dev/vfio/devices/") + de->d_name).c_str(),
				  O_RDWR | O_CLOEXEC);
			break;
		}
	closedir(d);
	return fd;
}

bool region_info(unsigned int index, struct vfio_region_info *info)
{
	*info = {};
	info->argsz = sizeof(*info);
	info->index = index;
	return !ioctl(ioat.devfd, VFIO_DEVICE_GET_REGION_INFO, info);
}

/*
 * @a: anonymous memory, with THP asked for or refused, placed @misalign
 * bytes past a 2 MiB boundary, mapped at @iova.
 */
bool area_map(struct area *a, bool huge, size_t misalign, uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioat.ioas,
	};

	a->len = desc_room + 2 * copy_max;
	a->map_len = a->len + 2 * SZ_2M;
	a->map = mmap(nullptr, a->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (a->map == MAP_FAILED)
		return fail("mmap of the DMA buffer");
	a->va = (uint8_t *)(((uintptr_t)a->map + SZ_2M - 1) & ~(SZ_2M - 1)) + misalign;
	madvise(a->va, a->len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(a->va, 0, a->len);
	a->iova = iova;
	map.user_va = (uintptr_t)a->va;
	map.length = a->len;
	map.iova = a->iova;
	if (ioctl(ioat.iommufd, IOMMU_IOAS_MAP, &map))
		return fail("IOMMU_IOAS_MAP of " + std::to_string(a->len >> 20) +
			    " MiB (RLIMIT_MEMLOCK?)");
	return true;
}

bool ioat_setup()
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_region_info cfg, bar;
	uint16_t cmd = PCI_COMMAND_BITS;
	struct rlimit rl;

	std::string bdf = find_ioat();

	errno = 0;
	if (bdf.empty())
		return fail("no I/OAT 8086:2021 in /sys/bus/pci/devices");
	ioat.iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (ioat.iommufd < 0 || ioctl(ioat.iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return fail("/dev/iommu");
	ioat.ioas = alloc.out_ioas_id;
	ioat.devfd = open_cdev(bdf);
	if (ioat.devfd < 0)
		return fail("the VFIO cdev of " + bdf);
	bind.iommufd = ioat.iommufd;
	if (ioctl(ioat.devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return fail("VFIO_DEVICE_BIND_IOMMUFD");
	attach.pt_id = ioat.ioas;
	if (ioctl(ioat.devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT");

	/* Pinned memory counts against RLIMIT_MEMLOCK: as much as we may have. */
	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &rl);
	}
	/* 4 KiB pages, 4 KiB past a 2 MiB boundary in both VA and IOVA: no 2 MiB IOPTE fits. */
	if (!area_map(&ioat.areas[AREA_4K], false, SZ_4K, (1ULL << 32) + SZ_4K) ||
	    !area_map(&ioat.areas[AREA_2M], true, 0, 1ULL << 34))
		return false;

	if (!region_info(VFIO_PCI_CONFIG_REGION_INDEX, &cfg) ||
	    !region_info(VFIO_PCI_BAR0_REGION_INDEX, &bar) ||
	    !(bar.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return fail("VFIO_DEVICE_GET_REGION_INFO");
	if (pwrite(ioat.devfd, &cmd, sizeof(cmd), cfg.offset + 4) != sizeof(cmd))
		return fail("enabling bus mastering");
	void *p = mmap(nullptr, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, ioat.devfd,
		       bar.offset);
	if (p == MAP_FAILED)
		return fail("mmap of BAR0");
	ioat.bar = (volatile uint8_t *)p;
	ioat.bar_len = bar.size;

	errno = 0;
	if (readb(IOAT_XFERCAP) != 12)
		return fail("XFERCAP is not 12 (4 KiB per descriptor)");
	writeb(IOAT_CHANCMD, CHANCMD_RESET);
	for (int i = 0; i < 1000 && (readb(IOAT_CHANCMD) & CHANCMD_RESET); i++)
		;
	if ((readq(IOAT_CHANSTS) & CHANSTS_STATUS) != CHANSTS_HALTED)
		return fail("the channel did not halt after a reset");
	writew(IOAT_CHANCTRL, CHANCTRL_ANY_ERR_ABORT_EN);
	return true;
}

/* The device, set up on first use; false (and @state told why) if it cannot be. */
bool ioat_get(benchmark::State &state)
{
	if (!ioat.tried) {
		ioat.tried = true;
		if (!ioat_setup() && ioat.error.empty())
			ioat.error = "setup failed";
	}
	if (!ioat.error.empty()) {
		state.SkipWithError(ioat.error.c_str());
		return false;
	}
	return true;
}

void ioat_teardown()
{
	if (ioat.bar)
		munmap((void *)ioat.bar, ioat.bar_len);
	if (ioat.devfd >= 0)
		close(ioat.devfd);
	if (ioat.iommufd >= 0)
		close(ioat.iommufd);
	for (struct area &a : ioat.areas)
		if (a.map != MAP_FAILED)
			munmap(a.map, a.map_len);
}

/*
 * Runs the chain at @chain, @count descriptors: CHAINADDR (the count of
 * processed descriptors restarts at 0), DMACOUNT, then CHANSTS until the
 * channel is no longer ACTIVE. The status it stopped in.
 */
uint64_t ioat_run(uint64_t chain, uint16_t count)
{
	uint64_t sts = CHANSTS_ACTIVE;

	writeq(IOAT_CHAINADDR, chain);
	writew(IOAT_DMACOUNT, count);
	for (unsigned long i = 0; i < (1UL << 28) && sts == CHANSTS_ACTIVE; i++)
		sts = readq(IOAT_CHANSTS) & CHANSTS_STATUS;
	return sts;
}

/* ---- the baselines, each measured once per size in this run ---- */

/* Best of several rounds, as a tight benchmark loop converges to. @round returns ns. */
template <typename F>
double best_of(F round)
{
	double best = 1e300;

	for (int i = 0; i != 7; i++)
		best = std::min(best, round());
	return best;
}

double elapsed_ns(clock_type::time_point t0)
{
	return std::chrono::duration<double, std::nano>(clock_type::now() - t0).count();
}

/* Page-aligned source and destination for memcpy(), resident before use. */
uint8_t *memcpy_buf(bool dst)
{
	static uint8_t *bufs[2];

	if (!bufs[dst]) {
		bufs[dst] = (uint8_t *)aligned_alloc(SZ_2M, copy_max);
		memset(bufs[dst], dst ? 0 : 0x5a, copy_max);
	}
	return bufs[dst];
}

/* memcpy() of @size bytes in bytes per second. */
double memcpy_bps(size_t size)
{
	static std::map<size_t, double> cache;
	uint8_t *src = memcpy_buf(false), *dst = memcpy_buf(true);

	auto it = cache.find(size);
	if (it != cache.end())
		return it->second;
	size_t reps = std::max<size_t>(1, (bench::smoke ? 4 << 20 : 64 << 20) / size);
	double ns = best_of([&] {
		auto t0 = clock_type::now();

		for (size_t i = 0; i != reps; i++) {
			memcpy(dst, src, size);
			benchmark::ClobberMemory();
		}
		return elapsed_ns(t0) / reps;
	});
	return cache[size] = size / ns * 1e9;
}

/* A word of ordinary memory: what a read of a BAR register is compared with. */
volatile uint64_t plain_word;

/* One plain 8-byte load from memory, in ns. */
double load_ns()
{
	static double ns;
	unsigned int reps = bench::smoke ? 100000 : 10000000;

	if (!ns)
		ns = best_of([&] {
			auto t0 = clock_type::now();

			for (unsigned int i = 0; i != reps; i++) {
				uint64_t v = plain_word;

				benchmark::DoNotOptimize(v);
			}
			return elapsed_ns(t0) / reps;
		});
	return ns;
}

/* ---- benchmarks ---- */

/* Bytes per second of the loop started at @t0 (SetBytesProcessed), and vs_memcpy. */
void report_copy(benchmark::State &state, clock_type::time_point t0, size_t size)
{
	double bps = size * state.iterations() / (elapsed_ns(t0) / 1e9);

	if (state.iterations())
		state.counters["vs_memcpy"] = bps / memcpy_bps(size);
	state.SetBytesProcessed(state.iterations() * size);
}

void BM_memcpy(benchmark::State &state)
{
	size_t size = state.range(0);
	uint8_t *src = memcpy_buf(false), *dst = memcpy_buf(true);
	clock_type::time_point t0;

	memcpy_bps(size);
	t0 = clock_type::now();
	for (auto _ : state) {
		memcpy(dst, src, size);
		benchmark::ClobberMemory();
	}
	report_copy(state, t0, size);
}

/* Fills @p with a pattern that depends on @seed, 8 bytes at a time. */
void fill(uint8_t *p, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = (i + seed) * 0x9e3779b97f4a7c15ULL;

		memcpy(p + i, &v, 8);
	}
}

void BM_ioat_copy(benchmark::State &state, int which)
{
	size_t size = state.range(0), n = size / xfer_max;

	if (!ioat_get(state))
		return;

	struct area *a = &ioat.areas[which];
	auto *desc = (struct ioat_dma_descriptor *)a->va;
	uint64_t chain = a->iova, src = a->iova + desc_room, dst = src + copy_max;
	uint8_t *src_va = a->va + desc_room, *dst_va = src_va + copy_max;

	/* The chain, linked with `next`; the last descriptor links to itself. */
	for (size_t i = 0; i != n; i++) {
		desc[i] = {};
		desc[i].size = xfer_max;
		desc[i].src_addr = src + i * xfer_max;
		desc[i].dst_addr = dst + i * xfer_max;
		desc[i].next = chain + (i + 1 < n ? i + 1 : i) * sizeof(*desc);
	}

	/* Once, outside the timing: the copy is right. */
	fill(src_va, size, size);
	memset(dst_va, 0, size);
	uint64_t sts = ioat_run(chain, n);
	if (sts != CHANSTS_DONE) {
		char why[80];

		snprintf(why, sizeof(why), "the channel stopped in status %llu, CHANERR %#x",
			 (unsigned long long)sts, readl(IOAT_CHANERR));
		state.SkipWithError(why);
		/* Errors are W1C; a reset and the next CHAINADDR start it again. */
		writel(IOAT_CHANERR, readl(IOAT_CHANERR));
		writeb(IOAT_CHANCMD, CHANCMD_RESET);
		return;
	}
	if (memcmp(src_va, dst_va, size)) {
		state.SkipWithError("the destination differs from the source");
		return;
	}

	memcpy_bps(size);
	loop_timer timer;
	for (auto _ : state) {
		if (ioat_run(chain, n) != CHANSTS_DONE) {
			state.SkipWithError("the channel did not finish");
			break;
		}
	}
	timer.report(state);
	report_copy(state, timer.start, size);
}

/* x_syscall, and vs_load: time per iteration of @timer's loop over a plain load's. */
void report_load(benchmark::State &state, const loop_timer &timer)
{
	timer.report(state);
	if (state.iterations())
		state.counters["vs_load"] = elapsed_ns(timer.start) / state.iterations() / load_ns();
}

void BM_load_q(benchmark::State &state)
{
	load_ns();
	loop_timer timer;
	for (auto _ : state) {
		uint64_t v = plain_word;

		benchmark::DoNotOptimize(v);
	}
	report_load(state, timer);
}

void BM_mmio_readq(benchmark::State &state)
{
	if (!ioat_get(state))
		return;

	load_ns();
	loop_timer timer;
	for (auto _ : state)
		benchmark::DoNotOptimize(readq(IOAT_CHANSTS));
	report_load(state, timer);
}

void register_all()
{
	std::vector<int64_t> sizes = { 4 << 10, 64 << 10 };

	if (!bench::smoke) {
		sizes.push_back(1 << 20);
		sizes.push_back(16 << 20);
	}
	copy_max = sizes.back();
	benchmark::RegisterBenchmark("memcpy", BM_memcpy)->ArgsProduct({ sizes })->UseRealTime();
	benchmark::RegisterBenchmark("ioat_copy", BM_ioat_copy, AREA_4K)
		->ArgsProduct({ sizes })->UseRealTime();
	benchmark::RegisterBenchmark("ioat_copy_2m", BM_ioat_copy, AREA_2M)
		->ArgsProduct({ sizes })->UseRealTime();
	benchmark::RegisterBenchmark("load_q", BM_load_q)->UseRealTime();
	benchmark::RegisterBenchmark("mmio_readq", BM_mmio_readq)->UseRealTime();
}

} // namespace

int main(int argc, char **argv)
{
	int rc;

	/* As in bench_interposer.cc: an ioctl an ordinary program's descriptors reject. */
	bench::yardstick_req = TCGETS;
	rc = bench::run_main(argc, argv, register_all);

	ioat_teardown();
	return rc;
}
