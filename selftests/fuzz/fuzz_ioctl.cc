// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: sequences of iommufd ioctls on one context, through
 * the C API (the kernel side in this process).
 *
 * Each input is a program: per step, which ioctl (every IOMMU_* and the
 * selftest driver's IOMMU_TEST_CMD ops), the struct's bytes from the input,
 * then the fields that need a shape to be meaningful are drawn rather than
 * copied: object IDs from the small numbers a fresh context hands out,
 * user pointers into a scratch area fenced by inaccessible memory (or
 * NULL, or into the fence), the size field right or wrong. Whatever the
 * kernel side writes back stays in the scratch area or faults in the fence.
 *
 * After the program the context is closed and three things must hold, or
 * the fuzzer is stopped with the input that broke them: no harness
 * tripwire fired (WARN, lockdep, refcount, bad free), every allocation
 * made while the program ran is freed, and every pinned page is unpinned.
 * ASan and UBSan watch everything else.
 */
#include "core/c_api.h"
#include "harness/slab.h"
#include "harness/testhooks.h"
#include "selftests/fuzz/fuzz_after.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace {

enum field_kind : uint8_t { F_ID, F_PTR, F_FD, F_OUT_FD };

struct field {
	uint16_t off;
	field_kind kind;
	uint8_t size;		/* 4 or 8 */
};

struct ioctl_desc {
	unsigned long cmd;
	uint32_t size;
	uint32_t test_op;	/* for IOMMU_TEST_CMD */
	std::vector<field> fields;
};

#define ID(type, member) field{(uint16_t)offsetof(type, member), F_ID, 4}
#define PTR(type, member) field{(uint16_t)offsetof(type, member), F_PTR, 8}
#define FD(type, member) field{(uint16_t)offsetof(type, member), F_FD, 4}
#define OUT_FD(type, member) field{(uint16_t)offsetof(type, member), F_OUT_FD, 4}
#define T struct iommu_test_cmd

const std::vector<ioctl_desc> &ioctls(void)
{
	static const std::vector<ioctl_desc> table = {
		{IOMMU_DESTROY, sizeof(struct iommu_destroy), 0,
		 {ID(struct iommu_destroy, id)}},
		{IOMMU_IOAS_ALLOC, sizeof(struct iommu_ioas_alloc), 0, {}},
		{IOMMU_IOAS_IOVA_RANGES, sizeof(struct iommu_ioas_iova_ranges), 0,
		 {ID(struct iommu_ioas_iova_ranges, ioas_id),
		  PTR(struct iommu_ioas_iova_ranges, allowed_iovas)}},
		{IOMMU_IOAS_ALLOW_IOVAS, sizeof(struct iommu_ioas_allow_iovas), 0,
		 {ID(struct iommu_ioas_allow_iovas, ioas_id),
		  PTR(struct iommu_ioas_allow_iovas, allowed_iovas)}},
		{IOMMU_IOAS_MAP, sizeof(struct iommu_ioas_map), 0,
		 {ID(struct iommu_ioas_map, ioas_id), PTR(struct iommu_ioas_map, user_va)}},
		{IOMMU_IOAS_MAP_FILE, sizeof(struct iommu_ioas_map_file), 0,
		 {ID(struct iommu_ioas_map_file, ioas_id), FD(struct iommu_ioas_map_file, fd)}},
		{IOMMU_IOAS_COPY, sizeof(struct iommu_ioas_copy), 0,
		 {ID(struct iommu_ioas_copy, dst_ioas_id), ID(struct iommu_ioas_copy, src_ioas_id)}},
		{IOMMU_IOAS_UNMAP, sizeof(struct iommu_ioas_unmap), 0,
		 {ID(struct iommu_ioas_unmap, ioas_id)}},
		{IOMMU_OPTION, sizeof(struct iommu_option), 0,
		 {ID(struct iommu_option, object_id)}},
		{IOMMU_VFIO_IOAS, sizeof(struct iommu_vfio_ioas), 0,
		 {ID(struct iommu_vfio_ioas, ioas_id)}},
		{IOMMU_HWPT_ALLOC, sizeof(struct iommu_hwpt_alloc), 0,
		 {ID(struct iommu_hwpt_alloc, dev_id), ID(struct iommu_hwpt_alloc, pt_id),
		  PTR(struct iommu_hwpt_alloc, data_uptr), ID(struct iommu_hwpt_alloc, fault_id)}},
		{IOMMU_GET_HW_INFO, sizeof(struct iommu_hw_info), 0,
		 {ID(struct iommu_hw_info, dev_id), PTR(struct iommu_hw_info, data_uptr)}},
		{IOMMU_HWPT_SET_DIRTY_TRACKING, sizeof(struct iommu_hwpt_set_dirty_tracking), 0,
		 {ID(struct iommu_hwpt_set_dirty_tracking, hwpt_id)}},
		{IOMMU_HWPT_GET_DIRTY_BITMAP, sizeof(struct iommu_hwpt_get_dirty_bitmap), 0,
		 {ID(struct iommu_hwpt_get_dirty_bitmap, hwpt_id),
		  PTR(struct iommu_hwpt_get_dirty_bitmap, data)}},
		{IOMMU_HWPT_INVALIDATE, sizeof(struct iommu_hwpt_invalidate), 0,
		 {ID(struct iommu_hwpt_invalidate, hwpt_id),
		  PTR(struct iommu_hwpt_invalidate, data_uptr)}},
		{IOMMU_FAULT_QUEUE_ALLOC, sizeof(struct iommu_fault_alloc), 0,
		 {OUT_FD(struct iommu_fault_alloc, out_fault_fd)}},
		{IOMMU_VIOMMU_ALLOC, sizeof(struct iommu_viommu_alloc), 0,
		 {ID(struct iommu_viommu_alloc, dev_id), ID(struct iommu_viommu_alloc, hwpt_id),
		  PTR(struct iommu_viommu_alloc, data_uptr)}},
		{IOMMU_VDEVICE_ALLOC, sizeof(struct iommu_vdevice_alloc), 0,
		 {ID(struct iommu_vdevice_alloc, viommu_id), ID(struct iommu_vdevice_alloc, dev_id)}},
		{IOMMU_VEVENTQ_ALLOC, sizeof(struct iommu_veventq_alloc), 0,
		 {ID(struct iommu_veventq_alloc, viommu_id),
		  OUT_FD(struct iommu_veventq_alloc, out_veventq_fd)}},
		{IOMMU_HW_QUEUE_ALLOC, sizeof(struct iommu_hw_queue_alloc), 0,
		 {ID(struct iommu_hw_queue_alloc, viommu_id)}},

		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_ADD_RESERVED, {ID(T, id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_MOCK_DOMAIN, {ID(T, id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, {ID(T, id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		 {ID(T, id), ID(T, mock_domain_replace.pt_id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_MD_CHECK_MAP,
		 {ID(T, id), PTR(T, check_map.uptr)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_MD_CHECK_REFS, {PTR(T, check_refs.uptr)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_CREATE_ACCESS,
		 {ID(T, id), OUT_FD(T, create_access.out_access_fd)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_ACCESS_PAGES,
		 {FD(T, id), PTR(T, access_pages.uptr)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		 {FD(T, id), ID(T, destroy_access_pages.access_pages_id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_ACCESS_RW,
		 {FD(T, id), PTR(T, access_rw.uptr)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
		 {FD(T, id), ID(T, access_replace_ioas.ioas_id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_DIRTY, {ID(T, id), PTR(T, dirty.uptr)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_MD_CHECK_IOTLB, {ID(T, id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_TRIGGER_IOPF,
		 {ID(T, trigger_iopf.dev_id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_DEV_CHECK_CACHE, {ID(T, id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_TRIGGER_VEVENT,
		 {ID(T, trigger_vevent.dev_id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_PASID_ATTACH,
		 {ID(T, id), ID(T, pasid_attach.pt_id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_PASID_REPLACE,
		 {ID(T, id), ID(T, pasid_replace.pt_id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_PASID_DETACH, {ID(T, id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_PASID_CHECK_HWPT,
		 {ID(T, id), ID(T, pasid_check.hwpt_id)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_DMABUF_GET, {}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_DMABUF_REVOKE,
		 {FD(T, dmabuf_revoke.dmabuf_fd)}},
		{IOMMU_TEST_CMD, sizeof(T), IOMMU_TEST_OP_MD_CHECK_DMABUF,
		 {ID(T, id), FD(T, check_dmabuf.dmabuf_fd)}},
	};
	return table;
}

/*
 * The scratch area: SCRATCH bytes of memory in the middle of a FENCE-byte
 * reservation nobody may touch, so what the kernel side writes through a
 * drawn pointer lands in scratch or faults (uaccess is fault-safe).
 */
constexpr size_t SCRATCH = 1UL << 20;
constexpr size_t FENCE = 64UL << 20;
uint8_t *scratch;

void scratch_init(void)
{
	uint8_t *r = (uint8_t *)mmap(NULL, FENCE, PROT_NONE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (r == MAP_FAILED)
		abort();
	scratch = r + FENCE / 2;
	if (mprotect(scratch, SCRATCH, PROT_READ | PROT_WRITE))
		abort();
}

uint64_t draw_ptr(FuzzedDataProvider &in)
{
	switch (in.ConsumeIntegralInRange<int>(0, 7)) {
	case 0:
		return 0;
	case 1:		/* the fence just past the scratch */
		return (uint64_t)(scratch + SCRATCH);
	default:
		return (uint64_t)(scratch + in.ConsumeIntegralInRange<size_t>(0, SCRATCH - 1));
	}
}

struct program {
	int fd;
	std::vector<int> fds;		/* files the program was handed */
};

int draw_fd(FuzzedDataProvider &in, const struct program *p)
{
	if (!p->fds.empty() && in.ConsumeBool())
		return p->fds[in.ConsumeIntegralInRange<size_t>(0, p->fds.size() - 1)];
	return in.ConsumeBool() ? p->fd : in.ConsumeIntegralInRange<int>(-2, 64);
}

void put(uint8_t *buf, const field &f, uint64_t v)
{
	memcpy(buf + f.off, &v, f.size);	/* little-endian: the low bytes */
}

void step(FuzzedDataProvider &in, struct program *p)
{
	const auto &table = ioctls();
	const ioctl_desc &d = table[in.ConsumeIntegralInRange<size_t>(0, table.size() - 1)];
	/* At the end of the scratch: a size past the struct reads into the fence. */
	uint8_t *buf = scratch + SCRATCH - 512;
	std::vector<uint8_t> raw = in.ConsumeBytes<uint8_t>(d.size);
	uint32_t size = d.size;
	long ret;

	memset(buf, 0, 512);
	if (!raw.empty())
		memcpy(buf, raw.data(), raw.size());
	/* Mostly the right size; sometimes short, long, or anything. */
	switch (in.ConsumeIntegralInRange<int>(0, 15)) {
	case 0:
		size = in.ConsumeIntegralInRange<uint32_t>(0, d.size);
		break;
	case 1:
		size = d.size + in.ConsumeIntegralInRange<uint32_t>(1, 64);
		break;
	case 2:
		size = in.ConsumeIntegral<uint32_t>();
		break;
	}
	memcpy(buf, &size, sizeof(size));
	if (d.cmd == IOMMU_TEST_CMD)
		memcpy(buf + offsetof(T, op), &d.test_op, sizeof(d.test_op));
	for (const field &f : d.fields) {
		switch (f.kind) {
		case F_ID:
			put(buf, f, in.ConsumeIntegralInRange<uint32_t>(0, 16));
			break;
		case F_PTR:
			put(buf, f, draw_ptr(in));
			break;
		case F_FD:
			put(buf, f, (uint32_t)draw_fd(in, p));
			break;
		case F_OUT_FD:
			break;
		}
	}
	ret = iommufd_ioctl(p->fd, d.cmd, buf);
	if (ret < 0)
		return;
	for (const field &f : d.fields) {
		int32_t out;

		if (f.kind != F_OUT_FD)
			continue;
		memcpy(&out, buf + f.off, sizeof(out));
		if (out > 2 && iommufd_is_fd(out))
			p->fds.push_back(out);
	}
	/* IOMMU_TEST_OP_DMABUF_GET returns its fd. */
	if (ret > 2 && iommufd_is_fd((int)ret))
		p->fds.push_back((int)ret);
}

} // namespace

/*
 * Builds and tears down what most programs build once before fuzzing, so
 * what the kernel side creates on first use and keeps (caches, lock
 * classes) is not taken for a leak of the first input that needs it.
 */
void warm_up(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = { .size = sizeof(mock), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uint64_t)scratch,
		.length = 16 * 4096,
	};
	int fd = iommufd_open(O_RDWR);

	if (fd < 0 || iommufd_ioctl(fd, IOMMU_IOAS_ALLOC, &alloc))
		abort();
	mock.id = alloc.out_ioas_id;
	map.ioas_id = alloc.out_ioas_id;
	if (iommufd_ioctl(fd, IOMMU_TEST_CMD, &mock) || iommufd_ioctl(fd, IOMMU_IOAS_MAP, &map))
		abort();
	if (!iommufd_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fault))
		iommufd_close((int)fault.out_fault_fd);
	iommufd_close(fd);
}

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	scratch_init();
	warm_up();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzedDataProvider in(data, size);
	const struct fuzz_after after("fuzz_ioctl", PAGE_KIND_USER);
	struct program p;
	int steps = 0;

	p.fd = iommufd_open(O_RDWR);
	if (p.fd < 0)
		abort();
	while (in.remaining_bytes() && steps++ < 32)
		step(in, &p);
	/* Queue and access files first, as a process's exit may close them. */
	std::sort(p.fds.begin(), p.fds.end());
	p.fds.erase(std::unique(p.fds.begin(), p.fds.end()), p.fds.end());
	for (int fd : p.fds)
		if (iommufd_is_fd(fd))
			iommufd_close(fd);
	iommufd_close(p.fd);
	after.check("allocations survived the context", "pages stayed pinned after the context");
	return 0;
}
