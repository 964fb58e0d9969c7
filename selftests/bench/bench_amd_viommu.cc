// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's IOTLB invalidation on the AMD IOMMU model, three ways, in one
 * run: what one guest INVALIDATE_IOMMU_PAGES + COMPLETION_WAIT costs from
 * the guest's tail write to its semaphore, and how many host calls
 * (ioctls on /dev/iommu) each round trip takes.
 *
 *  - trap_and_emulate: the baseline, upstream's flow on an AMD vIOMMU
 *    object (IOMMU_VIOMMU_TYPE_AMD): the guest writes both commands into
 *    its buffer and moves its tail; the VMM, which trapped that store,
 *    passes the INVALIDATE on with IOMMU_HWPT_INVALIDATE
 *    (IOMMU_VIOMMU_INVALIDATE_DATA_AMD) and emulates the COMPLETION_WAIT
 *    by storing the semaphore itself. One ioctl per invalidation.
 *  - hw_viommu_objects: the HW-vIOMMU through the objects (vDEVICE, nested
 *    HWPT, HW queue IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF): the guest's
 *    tail store goes to the VF page the VMM mmap()ed, the IOMMU runs both
 *    commands from guest memory and stores the semaphore. No ioctl.
 *  - hw_viommu_rfc: the HW-vIOMMU through the 2023 RFC's ioctls
 *    (linux/amd_viommu.h): the same IOMMU work, but the RFC gives the VMM
 *    no mapping of the VF page, so the trapped tail store is replayed
 *    with VIOMMU_MMIO_ACCESS. One ioctl per invalidation.
 *
 *  - vf_tail_store: the hw_viommu_objects set-up, and one store of the
 *    unchanged CmdTail to the VF page: no command runs, so this is what
 *    uiommufd's trap of the store costs alone (the floor of
 *    hw_viommu_objects here; on hardware such a store is a posted write).
 *
 * Counters: inv_per_s (round trips per second), host_calls_per_inv
 * (ioctls counted in the timed loop over its iterations), vs_trap (the
 * trap_and_emulate row's time per round trip over this row's, from the
 * same run; above 1 is faster), x_syscall. Under uiommufd the VF page
 * store is itself a trapped access (SIGSEGV, decoded, performed on the
 * model), which hardware does not have: hw_viommu_objects is the upper
 * bound of its cost here, not its cost on a machine.
 *
 * A plain program against Linux's uAPI and uiommufd's experimental one,
 * for `uiommufd run --platform amd`: the I/OAT function at 0000:00:03.0
 * is the device the guest's DeviceID and DomainID stand for (no DMA is
 * timed). Without it, or without the HW-vIOMMU, the rows say so.
 */
#include "selftests/bench/bench_common.h"

#include <fcntl.h>
#include <sys/mman.h>

#include "selftests/bench/bench_host_calls.h"

#include "selftests/iommu/amd_guest.h"
#include "selftests/iommu/vfio_dev.h"

#include <linux/amd_viommu.h>

namespace {

constexpr __u32 AMD_IOMMU_ID = 0x0002;	/* 00:00.2 */
constexpr __u16 IOAT_DEVID = 0x0018;	/* 00:03.0 */
constexpr __u16 GDEV_ID = 0x0028;
constexpr unsigned int RING_BYTES = 4096;

enum class way { trap_and_emulate, hw_viommu_objects, hw_viommu_rfc };

/* ns per round trip of the trap_and_emulate row, for the others' vs_trap */
double trap_ns;

/* A VM with one device and one guest IOMMU, set up the way @w needs. */
struct amd_vm {
	way w;
	int iommufd = -1, devfd = -1;
	__u32 dev_id = 0, ioas_id = 0, parent_id = 0, viommu_id = 0, nested_id = 0;
	__u32 vdev_id = 0, queue_id = 0, gid = 0;
	__u8 *buf = (__u8 *)MAP_FAILED;
	volatile __u64 *vf = (volatile __u64 *)MAP_FAILED;
	unsigned int tail = 0;		/* the guest's CmdTail, bytes */
	std::string error;

	explicit amd_vm(way way_) : w(way_) { error = setup(); }
	~amd_vm() { teardown(); }

	std::string setup();
	void teardown();
	__u32 *ring() { return (__u32 *)amd_guest_page(buf, PG_CMDBUF); }
	volatile __u64 *sem() { return amd_guest_page(buf, PG_SEM); }
};

int ioas_map_fixed(int fd, __u32 ioas, void *va, size_t len, __u64 iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

int hwpt_alloc_parent(int fd, __u32 dev_id, __u32 ioas, __u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.dev_id = dev_id,
		.pt_id = ioas,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_hwpt_id;
	return rc;
}

int rfc_mmio_write(int fd, __u32 gid, __u32 offset, __u64 value)
{
	struct amd_viommu_mmio_data cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.iommu_id = AMD_IOMMU_ID;
	cmd.gid = gid;
	cmd.offset = offset;
	cmd.value = value;
	cmd.mmio_size = 8;
	cmd.is_write = 1;
	return ufd_ioctl(fd, VIOMMU_MMIO_ACCESS, &cmd);
}

std::string amd_vm::setup()
{
	struct iommu_hwpt_amd_guest g;
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };

	devfd = open_cdev(IOAT_BDF);
	if (devfd < 0)
		return "no I/OAT function at " IOAT_BDF " (run under uiommufd run --platform amd)";
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0 || bind_iommufd(devfd, iommufd, &dev_id))
		return "cannot bind the I/OAT function to an iommufd";
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		return "IOMMU_IOAS_ALLOC failed";
	ioas_id = ioas.out_ioas_id;
	buf = (__u8 *)mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			   -1, 0);
	if (buf == MAP_FAILED || ioas_map_fixed(iommufd, ioas_id, buf, BUF_SIZE, GPA_BASE))
		return "cannot map guest memory";
	if (hwpt_alloc_parent(iommufd, dev_id, ioas_id, &parent_id))
		return "no nest parent (not an AMD IOMMU?)";
	amd_guest_build_s1(buf);
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);

	if (w == way::hw_viommu_rfc) {
		struct amd_viommu_iommu_info init = { .size = sizeof(init), .iommu_id = AMD_IOMMU_ID };
		struct amd_viommu_dev_info dev;
		struct amd_viommu_dom_info dom = {
			.size = sizeof(dom), .iommu_id = AMD_IOMMU_ID, .gdev_id = GDEV_ID,
			.gdom_id = GDOM_ID,
		};
		struct amd_viommu_cmdbuf_data cb = {
			.size = sizeof(cb), .iommu_id = AMD_IOMMU_ID, .cmdbuf_size = RING_BYTES,
			.hva = (uintptr_t)ring(),
		};

		if (attach_pt(devfd, parent_id) || ioctl(iommufd, VIOMMU_IOMMU_INIT, &init))
			return "no HW-vIOMMU";
		gid = init.gid;
		memset(&dev, 0, sizeof(dev));
		dev.size = sizeof(dev);
		dev.iommu_id = AMD_IOMMU_ID;
		dev.gid = gid;
		dev.hdev_id = IOAT_DEVID;
		dev.gdev_id = GDEV_ID;
		dom.gid = cb.gid = gid;
		if (ioctl(iommufd, VIOMMU_DEVICE_ATTACH, &dev) ||
		    gdte_alloc(iommufd, dev_id, parent_id, &g, IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g),
			       &nested_id) ||
		    attach_pt(devfd, nested_id) || ioctl(iommufd, VIOMMU_DOMAIN_ATTACH, &dom) ||
		    ioctl(iommufd, VIOMMU_CMDBUF_UPDATE, &cb) ||
		    rfc_mmio_write(iommufd, gid, G_CMD_BUF, gpa(PG_CMDBUF) | BUF_LEN_4K) ||
		    rfc_mmio_write(iommufd, gid, G_CONTROL, CTRL_CMDBUF_EN))
			return std::string("RFC guest set-up failed: ") + strerror(errno);
		return "";
	}

	struct iommu_viommu_amd data = {};

	if (viommu_alloc_data(iommufd, dev_id, parent_id, IOMMU_VIOMMU_TYPE_AMD, &data,
			      sizeof(data), &viommu_id) ||
	    gdte_alloc(iommufd, dev_id, viommu_id, &g, IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g),
		       &nested_id) ||
	    attach_pt(devfd, nested_id))
		return std::string("vIOMMU set-up failed: ") + strerror(errno);
	if (w == way::trap_and_emulate)
		return "";
	if (!data.out_vf_mmio_length)
		return "no HW-vIOMMU";
	if (vdevice_alloc(iommufd, viommu_id, dev_id, GDEV_ID, &vdev_id) ||
	    hw_queue_alloc(iommufd, viommu_id, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0,
			   gpa(PG_CMDBUF), RING_BYTES, &queue_id))
		return std::string("HW-vIOMMU objects failed: ") + strerror(errno);
	vf = (volatile __u64 *)mmap(NULL, data.out_vf_mmio_length, PROT_READ | PROT_WRITE,
				    MAP_SHARED, iommufd, data.out_vf_mmio_offset);
	if (vf == MAP_FAILED)
		return "cannot map the VF page";
	return "";
}

/* Closing the files tears the objects (and an RFC guest) down in the kernel's order. */
void amd_vm::teardown()
{
	if (vf != MAP_FAILED)
		munmap((void *)vf, 4096);
	if (devfd >= 0)
		close(devfd);
	if (iommufd >= 0)
		close(iommufd);
	if (buf != MAP_FAILED)
		munmap(buf, BUF_SIZE);
}

/* One round trip; false if the semaphore did not come back. */
bool round_trip(amd_vm &vm, __u32 seq)
{
	__u32 *cmd = vm.ring() + vm.tail / 4;

	/* The guest: two commands at its tail, then its doorbell */
	guest_cmd_inv_wait(cmd, GDOM_ID, gpa(PG_SEM), seq);
	*vm.sem() = 0;
	vm.tail = (vm.tail + 32) % RING_BYTES;

	switch (vm.w) {
	case way::trap_and_emulate: {
		/* The VMM trapped the tail store: the INVALIDATE goes on, the WAIT is emulated */
		struct iommu_viommu_amd_inv inv;
		struct iommu_hwpt_invalidate req = {
			.size = sizeof(req),
			.hwpt_id = vm.viommu_id,
			.data_uptr = (uintptr_t)&inv,
			.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_AMD,
			.entry_len = sizeof(inv),
			.entry_num = 1,
		};

		memcpy(inv.cmd, cmd, sizeof(inv.cmd));
		if (ufd_ioctl(vm.iommufd, IOMMU_HWPT_INVALIDATE, &req))
			return false;
		*vm.sem() = cmd[6];
		break;
	}
	case way::hw_viommu_objects:
		vm.vf[VF_CMD_TAIL / 8] = vm.tail;
		break;
	case way::hw_viommu_rfc:
		if (rfc_mmio_write(vm.iommufd, vm.gid, G_CMD_TAIL, vm.tail))
			return false;
		break;
	}
	return *vm.sem() == seq;
}

void BM_guest_invalidation(benchmark::State &state, way w)
{
	amd_vm vm(w);
	unsigned long calls;
	__u32 seq = 1;

	if (!vm.error.empty()) {
		state.SkipWithError(vm.error.c_str());
		return;
	}
	if (!round_trip(vm, seq++)) {
		state.SkipWithError("the guest's semaphore never came back");
		return;
	}

	bench::loop_timer timer;
	auto t0 = bench::clock_type::now();

	calls = host_calls;
	for (auto _ : state) {
		if (!round_trip(vm, seq++)) {
			state.SkipWithError("the guest's semaphore never came back");
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
	state.counters["host_calls_per_inv"] =
		(double)(host_calls - calls) / state.iterations();
	if (w == way::trap_and_emulate)
		trap_ns = ns;
	if (trap_ns > 0)
		state.counters["vs_trap"] = trap_ns / ns;
}

/* One store of the unchanged tail to the VF page: the trap alone, nothing runs. */
void BM_vf_tail_store(benchmark::State &state)
{
	amd_vm vm(way::hw_viommu_objects);

	if (!vm.error.empty()) {
		state.SkipWithError(vm.error.c_str());
		return;
	}

	bench::loop_timer timer;

	for (auto _ : state)
		vm.vf[VF_CMD_TAIL / 8] = vm.tail;
	timer.report(state);
	if (vm.vf[VF_CMD_HEAD / 8] != vm.tail)
		state.SkipWithError("the IOMMU ran commands nobody wrote");
}

void register_all()
{
	/* The baseline first: the other rows' vs_trap reads it */
	benchmark::RegisterBenchmark("trap_and_emulate", BM_guest_invalidation,
				     way::trap_and_emulate)->UseRealTime();
	benchmark::RegisterBenchmark("hw_viommu_objects", BM_guest_invalidation,
				     way::hw_viommu_objects)->UseRealTime();
	benchmark::RegisterBenchmark("hw_viommu_rfc", BM_guest_invalidation,
				     way::hw_viommu_rfc)->UseRealTime();
	benchmark::RegisterBenchmark("vf_tail_store", BM_vf_tail_store)->UseRealTime();
}

} // namespace

int main(int argc, char **argv)
{
	/* As in bench_ioat.cc: an ioctl an ordinary program's descriptors reject */
	bench::yardstick_req = TCGETS;
	return bench::run_main(argc, argv, register_all);
}
