// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's stage-1 invalidation on the SMMUv3 model with a Tegra241 CMDQV,
 * two ways, in one run: what one guest TLBI_NH_VA (with its CMD_SYNC)
 * costs from the guest's first store to its completion, and how many host
 * calls (ioctls on /dev/iommu) each takes.
 *
 *  - hwpt_invalidate: the baseline, the vSMMU flow of every SMMUv3: the
 *    guest's command, trapped by the VMM, goes on with IOMMU_HWPT_INVALIDATE
 *    (IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3) on the vIOMMU, where the
 *    kernel rewrites its VMID and issues it with a CMD_SYNC on the SMMU's
 *    own queue. One ioctl per invalidation.
 *  - cmdqv_queue: the guest's own VCMDQ (IOMMU_HW_QUEUE_ALLOC of type
 *    TEGRA241_CMDQV in guest memory): it writes TLBI_NH_VA and CMD_SYNC
 *    there and stores PROD to its VINTF page, which the VMM mmap()ed into
 *    it; the CMDQV runs both with the VINTF's VMID. No ioctl.
 *  - prod_store: the cmdqv_queue set-up and one store of the unchanged PROD:
 *    nothing runs, so this is what uiommufd's trap of the store costs alone
 *    (the floor of cmdqv_queue here; on hardware a posted write).
 *
 * Counters: inv_per_s (round trips per second), host_calls_per_inv, vs_hwpt
 * (the hwpt_invalidate row's time per round trip over this row's, from the
 * same run; above 1 is faster), x_syscall. The VINTF page store is a
 * trapped access under uiommufd (SIGSEGV, decoded, performed on the model),
 * which hardware does not have: cmdqv_queue is an upper bound of its cost.
 *
 * A plain program against Linux's uAPI, for `uiommufd run --platform
 * tegra241`: the I/OAT function at 0000:00:03.0 is the guest's device (no
 * DMA is timed). Without it, or without a CMDQV, the rows say so.
 */
#include "selftests/bench/bench_common.h"

#include <fcntl.h>
#include <sys/mman.h>

#include "selftests/bench/bench_host_calls.h"

#include "selftests/iommu/vfio_dev.h"
#include "selftests/iommu/viommu_uapi.h"

namespace {

constexpr __u64 GPA_BASE = 1ULL << 32;
constexpr size_t BUF_SIZE = 16 * 4096;
constexpr unsigned int QUEUE_LOG2 = 8;		/* 256 commands: one 4 KiB page */
constexpr __u64 QUEUE_BYTES = 16ULL << QUEUE_LOG2;
constexpr __u32 GUEST_VSID = 0x42;
constexpr __u64 GVA = 0x40000000;
/* The guest's view of logical queue 0 in its VINTF page */
constexpr unsigned int LVCMDQ_CONS = 0x00, LVCMDQ_PROD = 0x04, LVCMDQ_CONFIG = 0x08;
constexpr __u64 CMD_TLBI_NH_VA = 0x12, CMD_CMD_SYNC = 0x46;
constexpr __u64 CMD_ASID(__u64 asid) { return asid << 48; }

enum class way { hwpt_invalidate, cmdqv_queue };

/* ns per round trip of the hwpt_invalidate row, for the other's vs_hwpt */
double hwpt_ns;

/* A VM with one device and a CMDQV vIOMMU, its queue 0 enabled by the guest. */
struct cmdqv_vm {
	int iommufd = -1, devfd = -1;
	__u32 dev_id = 0, ioas_id = 0, parent_id = 0, viommu_id = 0, vdev_id = 0, queue_id = 0;
	__u8 *buf = (__u8 *)MAP_FAILED;
	volatile __u8 *vintf = (volatile __u8 *)MAP_FAILED;
	size_t vintf_len = 0;
	__u32 prod = 0;		/* the guest's PROD: index and wrap bit */
	std::string error;

	cmdqv_vm() { error = setup(); }
	~cmdqv_vm() { teardown(); }

	std::string setup();
	void teardown();
	__u64 *queue() { return (__u64 *)buf; }
	__u32 reg(unsigned int off) { return *(volatile __u32 *)(vintf + off); }
	void set_reg(unsigned int off, __u32 val) { *(volatile __u32 *)(vintf + off) = val; }
};

std::string cmdqv_vm::setup()
{
	struct iommu_viommu_tegra241_cmdqv data = {};
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = BUF_SIZE,
		.iova = GPA_BASE,
	};

	devfd = open_cdev(IOAT_BDF);
	if (devfd < 0)
		return "no I/OAT function at " IOAT_BDF " (run under uiommufd run --platform tegra241)";
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0 || bind_iommufd(devfd, iommufd, &dev_id))
		return "cannot bind the I/OAT function to an iommufd";
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		return "IOMMU_IOAS_ALLOC failed";
	ioas_id = ioas.out_ioas_id;
	buf = (__u8 *)mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			   -1, 0);
	map.ioas_id = ioas_id;
	map.user_va = (uintptr_t)buf;
	if (buf == MAP_FAILED || ioctl(iommufd, IOMMU_IOAS_MAP, &map))
		return "cannot map guest memory";
	if (hwpt_alloc_data(iommufd, dev_id, ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
			    IOMMU_HWPT_DATA_NONE, NULL, 0, &parent_id))
		return "no nest parent (not an SMMUv3?)";
	if (viommu_alloc_data(iommufd, dev_id, parent_id, IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, &data,
			      sizeof(data), &viommu_id))
		return "no Tegra241 CMDQV (run under uiommufd run --platform tegra241)";
	if (vdevice_alloc(iommufd, viommu_id, dev_id, GUEST_VSID, &vdev_id) ||
	    hw_queue_alloc(iommufd, viommu_id, IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, 0, GPA_BASE,
			   QUEUE_BYTES, &queue_id))
		return std::string("vDEVICE or VCMDQ set-up failed: ") + strerror(errno);
	vintf = (volatile __u8 *)mmap(NULL, data.out_vintf_mmap_length, PROT_READ | PROT_WRITE,
				      MAP_SHARED, iommufd, data.out_vintf_mmap_offset);
	if (vintf == MAP_FAILED)
		return "cannot map the VINTF page";
	vintf_len = data.out_vintf_mmap_length;
	set_reg(LVCMDQ_CONFIG, 1);
	return "";
}

/* Closing the files tears the objects down in the kernel's order. */
void cmdqv_vm::teardown()
{
	if (vintf != MAP_FAILED)
		munmap((void *)vintf, vintf_len);
	if (devfd >= 0)
		close(devfd);
	if (iommufd >= 0)
		close(iommufd);
	if (buf != MAP_FAILED)
		munmap(buf, BUF_SIZE);
}

/* One guest TLBI_NH_VA with its sync; false if it did not complete. */
bool round_trip(cmdqv_vm &vm, way w)
{
	if (w == way::hwpt_invalidate) {
		/* The VMM trapped the guest's command: on it goes through the vIOMMU */
		struct iommu_viommu_arm_smmuv3_invalidate inv = {
			.cmd = { CMD_TLBI_NH_VA | CMD_ASID(1), GVA },
		};
		struct iommu_hwpt_invalidate req = {
			.size = sizeof(req),
			.hwpt_id = vm.viommu_id,
			.data_uptr = (uintptr_t)&inv,
			.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
			.entry_len = sizeof(inv),
			.entry_num = 1,
		};

		return !ufd_ioctl(vm.iommufd, IOMMU_HWPT_INVALIDATE, &req) && req.entry_num == 1;
	}

	/* The guest: two commands at PROD in its queue, then its doorbell */
	__u64 *q = vm.queue();
	const __u32 mask = (1U << QUEUE_LOG2) - 1, wrap = mask + 1;
	__u32 at = vm.prod & mask;

	q[2 * at] = CMD_TLBI_NH_VA | CMD_ASID(1);
	q[2 * at + 1] = GVA;
	q[2 * ((at + 1) & mask)] = CMD_CMD_SYNC;
	q[2 * ((at + 1) & mask) + 1] = 0;
	vm.prod = (vm.prod + 2) & (mask | wrap);
	vm.set_reg(LVCMDQ_PROD, vm.prod);
	/* The CMDQV consumed both by the time the store returned */
	return vm.reg(LVCMDQ_CONS) == vm.prod;
}

void BM_guest_invalidation(benchmark::State &state, way w)
{
	cmdqv_vm vm;
	unsigned long calls;

	if (!vm.error.empty()) {
		state.SkipWithError(vm.error.c_str());
		return;
	}
	if (!round_trip(vm, w)) {
		state.SkipWithError("the guest's invalidation did not complete");
		return;
	}

	bench::loop_timer timer;
	auto t0 = bench::clock_type::now();

	calls = host_calls;
	for (auto _ : state) {
		if (!round_trip(vm, w)) {
			state.SkipWithError("the guest's invalidation did not complete");
			break;
		}
	}
	double ns = std::chrono::duration<double, std::nano>(bench::clock_type::now() - t0).count();

	timer.report(state);
	if (!state.iterations())
		return;
	ns /= state.iterations();
	state.counters["inv_per_s"] =
		benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
	state.counters["host_calls_per_inv"] = (double)(host_calls - calls) / state.iterations();
	if (w == way::hwpt_invalidate)
		hwpt_ns = ns;
	if (hwpt_ns > 0)
		state.counters["vs_hwpt"] = hwpt_ns / ns;
}

/* One store of the unchanged PROD to the VINTF page: the trap alone, nothing runs. */
void BM_prod_store(benchmark::State &state)
{
	cmdqv_vm vm;

	if (!vm.error.empty()) {
		state.SkipWithError(vm.error.c_str());
		return;
	}

	bench::loop_timer timer;

	for (auto _ : state)
		vm.set_reg(LVCMDQ_PROD, vm.prod);
	timer.report(state);
	if (vm.reg(LVCMDQ_CONS) != vm.prod)
		state.SkipWithError("the CMDQV ran commands nobody wrote");
}

void register_all()
{
	/* The baseline first: the other row's vs_hwpt reads it */
	benchmark::RegisterBenchmark("hwpt_invalidate", BM_guest_invalidation,
				     way::hwpt_invalidate)->UseRealTime();
	benchmark::RegisterBenchmark("cmdqv_queue", BM_guest_invalidation, way::cmdqv_queue)
		->UseRealTime();
	benchmark::RegisterBenchmark("prod_store", BM_prod_store)->UseRealTime();
}

} // namespace

int main(int argc, char **argv)
{
	/* As in bench_ioat.cc: an ioctl an ordinary program's descriptors reject */
	bench::yardstick_req = TCGETS;
	return bench::run_main(argc, argv, register_all);
}
