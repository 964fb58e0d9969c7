// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a VFIO device file of the default platform (the mock
 * IOMMU's plain, I/OAT and edu functions behind vfio-pci), in this process.
 *
 * Each input opens an iommufd with one IOAS (a scratch area mapped at
 * IOVA 0, so a function told to DMA reaches memory), opens the cdev of the
 * function the first byte picks, and runs a program of up to 64 steps:
 *  - a device ioctl (GET_INFO, GET_REGION_INFO, GET_IRQ_INFO, SET_IRQS,
 *    RESET, BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT, DEVICE_FEATURE, and
 *    any other number in VFIO's range) with the struct's bytes from the
 *    input, argsz right, short, long or anything, and the fields that need
 *    a shape drawn: the iommufd, object IDs, eventfds and pointers into a
 *    scratch area inside an inaccessible fence;
 *  - a read or write of 1, 2, 4, 8 or up to 256 bytes at an offset in a
 *    region (config space, the BARs, ROM, VGA, an index past them) or
 *    anywhere, as pread()/pwrite() make them;
 *  - a second file opened on the same function (one bound file per device).
 *
 * After the program every file is closed, and then: no harness tripwire,
 * every allocation made meanwhile freed, every page pinned unpinned.
 *
 * UIOMMUFD_FUZZ_WRITE_SEEDS=DIR writes seed programs (the calls
 * selftests/iommu/vfio_pci.c makes, per function) and exits.
 */
#include "core/c_api.h"
#include "drivers/vfio/vfio.h"
#include "harness/file.h"
#include "harness/physmem.h"
#include "harness/platform/platform.h"
#include "harness/slab.h"
#include "harness/testhooks.h"
#include "selftests/fuzz/fuzz_after.h"
#include "selftests/fuzz/fuzz_program.h"

#include <linux/iommufd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace {

constexpr size_t SCRATCH = 1UL << 20;
constexpr size_t FENCE = 64UL << 20;
constexpr unsigned int REGION_SHIFT = 40;	/* VFIO_PCI_OFFSET_SHIFT */
u8 *scratch;
int eventfds[2];
/* UIOMMUFD_FUZZ_TRACE set: each call's result on stderr (to check a seed). */
bool trace;

enum op {
	OP_IOCTL,	/* u8 which (table), u8 argsz mode, u32 argsz, payload, drawn fields */
	OP_READ,	/* u8 region, u32 offset, u8 size */
	OP_WRITE,	/* u8 region, u32 offset, u8 size, bytes */
	OP_REOPEN,	/* a second file on the function */
	OP_SWITCH,	/* act on the other file from now on */
	NR_OPS,
};

/* A field the program draws rather than copies. */
enum field_kind : u8 { F_IOMMUFD, F_ID, F_PTR, F_IRQ_DATA };

struct field {
	u16 off;
	field_kind kind;
};

struct ioctl_desc {
	unsigned long cmd;
	u32 size;	/* the struct the kernel expects at least */
	std::vector<field> fields;
};

#define F(type, member, kind) field{(u16)offsetof(type, member), kind}

const std::vector<ioctl_desc> &ioctls(void)
{
	static const std::vector<ioctl_desc> table = {
		{VFIO_DEVICE_GET_INFO, sizeof(struct vfio_device_info), {}},
		{VFIO_DEVICE_GET_REGION_INFO, sizeof(struct vfio_region_info), {}},
		{VFIO_DEVICE_GET_IRQ_INFO, sizeof(struct vfio_irq_info), {}},
		{VFIO_DEVICE_SET_IRQS, sizeof(struct vfio_irq_set) + 8,
		 {F(struct vfio_irq_set, data, F_IRQ_DATA)}},
		{VFIO_DEVICE_RESET, 0, {}},
		{VFIO_DEVICE_BIND_IOMMUFD, sizeof(struct vfio_device_bind_iommufd),
		 {F(struct vfio_device_bind_iommufd, iommufd, F_IOMMUFD),
		  F(struct vfio_device_bind_iommufd, token_uuid_ptr, F_PTR)}},
		{VFIO_DEVICE_ATTACH_IOMMUFD_PT, sizeof(struct vfio_device_attach_iommufd_pt),
		 {F(struct vfio_device_attach_iommufd_pt, pt_id, F_ID)}},
		{VFIO_DEVICE_DETACH_IOMMUFD_PT, sizeof(struct vfio_device_detach_iommufd_pt), {}},
		{VFIO_DEVICE_FEATURE, sizeof(struct vfio_device_feature) + 16, {}},
		{VFIO_DEVICE_PCI_HOT_RESET, sizeof(struct vfio_pci_hot_reset) + 4, {}},
		{VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, sizeof(struct vfio_pci_hot_reset_info) + 32,
		 {}},
		{VFIO_DEVICE_IOEVENTFD, sizeof(struct vfio_device_ioeventfd), {}},
		{VFIO_DEVICE_QUERY_GFX_PLANE, sizeof(struct vfio_device_gfx_plane_info), {}},
		{VFIO_GROUP_GET_STATUS, sizeof(struct vfio_group_status), {}},
		{0, 64, {}},	/* any number */
	};
	return table;
}


struct program {
	int iommufd;
	int index;		/* the function */
	int files[2];		/* device files, -1 if not open */
	int cur;
};

int open_device(int index)
{
	std::string path = "/dev/vfio/devices/vfio" + std::to_string(index);
	struct file *f = vfio_open_path(path.c_str(), O_RDWR);
	int fd;

	if (IS_ERR(f))
		return -1;
	fd = fd_install_new(f, O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

void do_ioctl(struct fuzz_reader *in, struct program *p)
{
	const auto &table = ioctls();
	const ioctl_desc &d = table[in->get<u8>() % table.size()];
	u8 mode = in->get<u8>();
	u32 any = in->get<u32>();
	unsigned long cmd = d.cmd ? d.cmd : VFIO_GET_API_VERSION + (any >> 24) % 32;
	/* At the end of the scratch: a size past the struct reads into the fence. */
	u8 *buf = scratch + SCRATCH - 512;
	u32 argsz;

	memset(buf, 0, 512);
	in->take(buf, d.size);
	switch (mode % 8) {
	case 0:
		argsz = any % (d.size + 1);
		break;
	case 1:
		argsz = d.size + any % 512;
		break;
	case 2:
		argsz = any;
		break;
	default:
		argsz = d.size;
		break;
	}
	if (d.size >= 4)
		memcpy(buf, &argsz, sizeof(argsz));
	for (const field &f : d.fields) {
		u8 how = in->get<u8>();
		u32 v32;
		u64 v64;

		switch (f.kind) {
		case F_IOMMUFD:
			v32 = how % 4 ? (u32)p->iommufd : (u32)(int)(how >> 2) - 2;
			memcpy(buf + f.off, &v32, 4);
			break;
		case F_ID:
			v32 = how % 16;
			memcpy(buf + f.off, &v32, 4);
			break;
		case F_PTR:
			v64 = how % 4 == 0 ? 0 :
			      how % 4 == 1 ? (u64)(scratch + SCRATCH) :
					     (u64)(scratch + (u64)how * 997 % SCRATCH);
			memcpy(buf + f.off, &v64, 8);
			break;
		case F_IRQ_DATA:
			/* Up to two eventfds (or -1, or anything) for DATA_EVENTFD. */
			for (int i = 0; i < 2; i++) {
				int32_t fd = (how >> (2 * i)) % 4 == 0 ? -1 :
					     (how >> (2 * i)) % 4 == 3 ? p->iommufd :
									 eventfds[i];

				if (how & 0x80)
					memcpy(buf + f.off + 4 * i, &fd, 4);
			}
			break;
		}
	}
	if (iommufd_ioctl(p->files[p->cur], cmd, buf) && trace)
		fprintf(stderr, "ioctl %#lx argsz %u: %s\n", cmd, argsz, strerror(errno));
	else if (trace)
		fprintf(stderr, "ioctl %#lx argsz %u: 0\n", cmd, argsz);
}

/* pread()/pwrite() of the device file: its ->read/->write at a position. */
void do_rw(struct fuzz_reader *in, struct program *p, bool write)
{
	static const u8 sizes[] = {1, 2, 4, 8};
	u8 region = in->get<u8>();
	u32 off = in->get<u32>();
	u8 sz = in->get<u8>();
	size_t len = sz & 0x80 ? sz & 0x7f : sizes[sz % 4];
	u8 *buf = scratch + SCRATCH - 256;
	loff_t pos = (loff_t)(region % 12) << REGION_SHIFT | off % 0x10000;
	struct file *f = fget(p->files[p->cur]);

	if (region >= 0xf0)	/* anywhere, negative included */
		pos = (loff_t)((u64)off << 32 | (u64)region << 24 | sz);
	if (!f)
		return;
	long ret = -EINVAL;

	memset(buf, 0, 256);
	if (write) {
		in->take(buf, len);
		if (f->f_op->write)
			ret = f->f_op->write(f, (const char __user *)buf, len, &pos);
	} else if (f->f_op->read) {
		ret = f->f_op->read(f, (char __user *)buf, len, &pos);
	}
	if (trace)
		fprintf(stderr, "%s %zu at %#llx: %ld\n", write ? "write" : "read", len,
			(unsigned long long)pos, ret);
	fput(f);
}

void run(struct fuzz_reader *in, struct program *p)
{
	for (int steps = 0; in->left && steps < 64; steps++) {
		switch (in->get<u8>() % NR_OPS) {
		case OP_IOCTL:
			do_ioctl(in, p);
			break;
		case OP_READ:
			do_rw(in, p, false);
			break;
		case OP_WRITE:
			do_rw(in, p, true);
			break;
		case OP_REOPEN:
			if (p->files[1] < 0)
				p->files[1] = open_device(p->index);
			break;
		case OP_SWITCH:
			if (p->files[!p->cur] >= 0)
				p->cur = !p->cur;
			break;
		}
	}
}

/* An iommufd with one IOAS, the scratch area mapped at IOVA 0; 0 or -1. */
int context_open(struct program *p)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (u64)scratch,
		.length = SCRATCH,
		.iova = 0,
	};

	p->iommufd = iommufd_open(O_RDWR);
	if (p->iommufd < 0 || iommufd_ioctl(p->iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return -1;
	map.ioas_id = alloc.out_ioas_id;
	return iommufd_ioctl(p->iommufd, IOMMU_IOAS_MAP, &map);
}

/* ----- Seeds: what selftests/iommu/vfio_pci.c asks of each function ----- */

struct seed : fuzz_writer {
	/* An ioctl with the right argsz: @payload is the struct after argsz. */
	void call(u8 which, const void *payload, size_t len, const std::vector<u8> &how)
	{
		put<u8>(OP_IOCTL);
		put(which);
		put<u8>(3);
		put<u32>(0);
		bytes(payload, len);
		bytes(how.data(), how.size());
	}
	void rw(bool write, u8 region, u32 off, u8 size, const void *data)
	{
		put<u8>(write ? OP_WRITE : OP_READ);
		put(region);
		put(off);
		put(size);
		if (write)
			bytes(data, 1U << size);
	}
};

/* Index in ioctls() of @cmd. */
u8 which(unsigned long cmd)
{
	const auto &table = ioctls();

	for (size_t i = 0; i < table.size(); i++)
		if (table[i].cmd == cmd)
			return (u8)i;
	abort();
}

std::vector<u8> seed_function(u8 index, bool irqs)
{
	struct seed s;
	struct vfio_device_bind_iommufd bind = {};
	struct vfio_device_attach_iommufd_pt attach = {};
	struct vfio_device_info info = {};
	struct vfio_region_info region = {};
	struct vfio_irq_info irq = {};
	struct vfio_device_detach_iommufd_pt detach = {};
	u16 cmd = 0x0406;
	u8 zero[64] = {};

	s.put(index);
	bind.argsz = sizeof(bind);
	s.call(which(VFIO_DEVICE_BIND_IOMMUFD), &bind, sizeof(bind), {1, 0});
	attach.argsz = sizeof(attach);
	s.call(which(VFIO_DEVICE_ATTACH_IOMMUFD_PT), &attach, sizeof(attach), {1});
	info.argsz = sizeof(info);
	s.call(which(VFIO_DEVICE_GET_INFO), &info, sizeof(info), {});
	for (u32 i = 0; i < 3; i++) {
		region.argsz = sizeof(region);
		region.index = i == 2 ? VFIO_PCI_CONFIG_REGION_INDEX : i;
		s.call(which(VFIO_DEVICE_GET_REGION_INFO), &region, sizeof(region), {});
	}
	irq.argsz = sizeof(irq);
	irq.index = VFIO_PCI_MSIX_IRQ_INDEX;
	s.call(which(VFIO_DEVICE_GET_IRQ_INFO), &irq, sizeof(irq), {});
	/* Config space: the IDs, then memory decoding and bus mastering on. */
	s.rw(false, VFIO_PCI_CONFIG_REGION_INDEX, 0, 2, nullptr);
	s.rw(false, VFIO_PCI_CONFIG_REGION_INDEX, 0x34, 0, nullptr);
	s.rw(true, VFIO_PCI_CONFIG_REGION_INDEX, 4, 1, &cmd);
	s.rw(false, VFIO_PCI_CONFIG_REGION_INDEX, 0x100, 2, nullptr);
	/* BAR 0: a register, the I/OAT channel command (reset). */
	s.rw(false, VFIO_PCI_BAR0_REGION_INDEX, 0, 2, nullptr);
	s.rw(true, VFIO_PCI_BAR0_REGION_INDEX, 0x84, 0, "\x20");
	s.rw(false, VFIO_PCI_BAR0_REGION_INDEX, 0x88, 3, nullptr);
	/* One eventfd on INTx, MSI and MSI-X vector 0, then each disabled. */
	for (u32 index = 0; irqs && index <= VFIO_PCI_MSIX_IRQ_INDEX; index++) {
		struct vfio_irq_set set = {};

		set.argsz = sizeof(set) + 8;
		set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		set.index = index;
		set.count = 1;
		s.call(which(VFIO_DEVICE_SET_IRQS), &set, sizeof(set), {});
		s.bytes(zero, 8);
		s.put<u8>(0x80 | 0x2);
		set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
		set.count = 0;
		s.call(which(VFIO_DEVICE_SET_IRQS), &set, sizeof(set), {});
		s.bytes(zero, 8);
		s.put<u8>(0);
	}
	s.call(which(VFIO_DEVICE_RESET), nullptr, 0, {});
	detach.argsz = sizeof(detach);
	s.call(which(VFIO_DEVICE_DETACH_IOMMUFD_PT), &detach, sizeof(detach), {});
	s.put<u8>(OP_REOPEN);
	s.put<u8>(OP_SWITCH);
	s.call(which(VFIO_DEVICE_BIND_IOMMUFD), &bind, sizeof(bind), {1, 0});
	return s.b;
}

void write_seeds(const char *dir)
{
	for (int i = 0; i < platform_nr_devices(); i++)
		for (bool irqs : {false, true})
			fuzz_write_seed(dir, "vfio" + std::to_string(i) + (irqs ? "-irqs" : ""),
					seed_function((u8)i, irqs));
}

void scratch_init(void)
{
	u8 *r = (u8 *)mmap(NULL, FENCE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			   -1, 0);

	if (r == MAP_FAILED)
		abort();
	scratch = r + FENCE / 2;
	if (mprotect(scratch, SCRATCH, PROT_READ | PROT_WRITE))
		abort();
}

void program_close(struct program *p)
{
	for (int fd : p->files)
		if (fd >= 0)
			iommufd_close(fd);
	if (p->iommufd >= 0)
		iommufd_close(p->iommufd);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("UIOMMUFD_FUZZ_WRITE_SEEDS");
	std::string err;

	trace = getenv("UIOMMUFD_FUZZ_TRACE");
	setenv(PLATFORM_ENV, "default", 1);
	if (vfio_pci_boot_platform(&err)) {
		fprintf(stderr, "fuzz_vfio: %s\n", err.c_str());
		abort();
	}
	if (seeds) {
		write_seeds(seeds);
		exit(0);
	}
	scratch_init();
	for (int &fd : eventfds) {
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fd < 0)
			abort();
	}
	/* What the first bind, attach and IRQ setup create and keep is no leak. */
	for (int i = 0; i < platform_nr_devices(); i++) {
		std::vector<u8> b = seed_function((u8)i, true);
		struct fuzz_reader in = { b.data() + 1, b.size() - 1 };
		struct program p = { .iommufd = -1, .index = i, .files = {-1, -1}, .cur = 0 };

		if (context_open(&p))
			abort();
		p.files[0] = open_device(i);
		if (p.files[0] < 0)
			abort();
		run(&in, &p);
		program_close(&p);
	}
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_reader in = { data, size };
	const struct fuzz_after after("fuzz_vfio", PAGE_KIND_USER);
	struct program p = { .iommufd = -1, .index = 0, .files = {-1, -1}, .cur = 0 };

	if (!size)
		return 0;
	p.index = in.get<u8>() % platform_nr_devices();
	if (context_open(&p))
		abort();
	p.files[0] = open_device(p.index);
	if (p.files[0] < 0)
		abort();
	run(&in, &p);
	program_close(&p);
	after.check("allocations survived the files", "pages stayed pinned after the files closed");
	return 0;
}
