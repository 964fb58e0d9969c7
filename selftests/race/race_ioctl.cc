// SPDX-License-Identifier: GPL-2.0
/*
 * Threads racing on one iommufd context, through the C API: map, unmap and
 * copy on two IOASes; a device moved between them and HWPTs by replace;
 * HWPTs allocated and destroyed under it; accesses created, pinning,
 * reading and writing, unpinning and closed; IOVA ranges read; dirty
 * bitmaps read; fault queues allocated and closed; objects destroyed by ID
 * while others use them. Errnos are whatever the races make them (EBUSY,
 * ENOENT, EINVAL...), never a crash.
 *
 * Afterwards, with every file closed, the invariants a kernel keeps:
 * no tripwire fired (WARN, lockdep, refcount), no allocation is left, no
 * user page is still pinned, locked-memory accounting is back where it
 * started. Meant for the tsan preset (ThreadSanitizer reports any data
 * race as a failure), and runs under ASan in the default one.
 *
 * UIOMMUFD_RACE_SECONDS (default 3) bounds each case.
 */
#include "core/c_api.h"
#include "harness/mm.h"
#include "harness/slab.h"
#include "harness/testhooks.h"
#include "kunit.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr unsigned long RACE_PAGES = 64;
constexpr unsigned long RACE_SLOTS = 8;		/* fixed IOVA slots of 8 pages */
constexpr unsigned long RACE_BASE = 1UL << 24;	/* the mock aperture's start */
constexpr unsigned long SLOT_SIZE = (RACE_PAGES / RACE_SLOTS) * 4096;

struct race {
	int fd;
	u32 ioas[2];
	u32 stdev, hwpt, idev;
	u8 *buf;
	std::atomic<bool> stop{false};
	std::atomic<unsigned long> ops{0};
};

int uioctl(int fd, unsigned long cmd, void *arg)
{
	return iommufd_ioctl(fd, cmd, arg) ? -errno : 0;
}

/* xorshift64: each thread its own sequence. */
u64 next_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

void op_map_unmap(struct race *r, u64 *rnd)
{
	unsigned long slot = next_rand(rnd) % RACE_SLOTS;
	u32 ioas = r->ioas[next_rand(rnd) & 1];

	if (next_rand(rnd) & 1) {
		struct iommu_ioas_map map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = ioas,
			.user_va = (u64)(r->buf + slot * SLOT_SIZE),
			.length = SLOT_SIZE,
			.iova = RACE_BASE + slot * SLOT_SIZE,
		};

		uioctl(r->fd, IOMMU_IOAS_MAP, &map);
	} else {
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap),
			.ioas_id = ioas,
			.iova = RACE_BASE + slot * SLOT_SIZE,
			.length = SLOT_SIZE,
		};

		uioctl(r->fd, IOMMU_IOAS_UNMAP, &unmap);
	}
}

void op_copy(struct race *r, u64 *rnd)
{
	unsigned long slot = next_rand(rnd) % RACE_SLOTS;
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = r->ioas[1],
		.src_ioas_id = r->ioas[0],
		.length = SLOT_SIZE,
		.dst_iova = RACE_BASE + slot * SLOT_SIZE,
		.src_iova = RACE_BASE + slot * SLOT_SIZE,
	};

	uioctl(r->fd, IOMMU_IOAS_COPY, &copy);
}

void op_replace(struct race *r, u64 *rnd)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd),
				      .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE };
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };

	cmd.id = r->stdev;
	switch (next_rand(rnd) % 3) {
	case 0:
		cmd.mock_domain_replace.pt_id = r->ioas[next_rand(rnd) & 1];
		uioctl(r->fd, IOMMU_TEST_CMD, &cmd);
		break;
	case 1:
		/* A HWPT of our own, attached, then destroyed (EBUSY while attached). */
		alloc.dev_id = r->idev;
		alloc.pt_id = r->ioas[next_rand(rnd) & 1];
		if (uioctl(r->fd, IOMMU_HWPT_ALLOC, &alloc))
			break;
		cmd.mock_domain_replace.pt_id = alloc.out_hwpt_id;
		uioctl(r->fd, IOMMU_TEST_CMD, &cmd);
		destroy.id = alloc.out_hwpt_id;
		if (uioctl(r->fd, IOMMU_DESTROY, &destroy) == -EBUSY) {
			cmd.mock_domain_replace.pt_id = r->ioas[0];
			uioctl(r->fd, IOMMU_TEST_CMD, &cmd);
			uioctl(r->fd, IOMMU_DESTROY, &destroy);
		}
		break;
	default: {
		struct iommu_hwpt_get_dirty_bitmap dirty = {
			.size = sizeof(dirty),
			.hwpt_id = r->hwpt,
			.iova = RACE_BASE,
			.length = RACE_PAGES * 4096,
			.page_size = 4096,
		};
		u64 bitmap[RACE_PAGES / 64] = {};

		dirty.data = (u64)bitmap;
		uioctl(r->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &dirty);
		break;
	}
	}
}

void op_access(struct race *r, u64 *rnd)
{
	struct iommu_test_cmd create = { .size = sizeof(create),
					 .op = IOMMU_TEST_OP_CREATE_ACCESS };
	struct iommu_test_cmd pages = { .size = sizeof(pages), .op = IOMMU_TEST_OP_ACCESS_PAGES };
	struct iommu_test_cmd rw = { .size = sizeof(rw), .op = IOMMU_TEST_OP_ACCESS_RW };
	struct iommu_test_cmd unpin = { .size = sizeof(unpin),
					.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES };
	unsigned long slot = next_rand(rnd) % RACE_SLOTS;
	u8 tmp[64];
	int afd;

	create.id = r->ioas[next_rand(rnd) & 1];
	create.create_access.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	if (uioctl(r->fd, IOMMU_TEST_CMD, &create))
		return;
	afd = (int)create.create_access.out_access_fd;

	pages.id = (u32)afd;
	pages.access_pages.iova = RACE_BASE + slot * SLOT_SIZE;
	pages.access_pages.length = 4096;
	pages.access_pages.uptr = (u64)(r->buf + slot * SLOT_SIZE);
	if (!uioctl(r->fd, IOMMU_TEST_CMD, &pages) && (next_rand(rnd) & 1)) {
		unpin.id = (u32)afd;
		unpin.destroy_access_pages.access_pages_id = pages.access_pages.out_access_pages_id;
		uioctl(r->fd, IOMMU_TEST_CMD, &unpin);
	}
	rw.id = (u32)afd;
	rw.access_rw.iova = RACE_BASE + slot * SLOT_SIZE + 8;
	rw.access_rw.length = sizeof(tmp);
	rw.access_rw.uptr = (u64)tmp;
	rw.access_rw.flags = (next_rand(rnd) & 1) ? MOCK_ACCESS_RW_WRITE : 0;
	uioctl(r->fd, IOMMU_TEST_CMD, &rw);
	/* Closing with pages still pinned is the access's own unpin path. */
	iommufd_close(afd);
}

void op_misc(struct race *r, u64 *rnd)
{
	switch (next_rand(rnd) % 3) {
	case 0: {
		struct iommu_ioas_iova_ranges ranges = { .size = sizeof(ranges) };
		struct iommu_iova_range out[4];

		ranges.ioas_id = r->ioas[next_rand(rnd) & 1];
		ranges.num_iovas = 4;
		ranges.allowed_iovas = (u64)out;
		uioctl(r->fd, IOMMU_IOAS_IOVA_RANGES, &ranges);
		break;
	}
	case 1: {
		struct iommu_fault_alloc fault = { .size = sizeof(fault) };

		if (!uioctl(r->fd, IOMMU_FAULT_QUEUE_ALLOC, &fault))
			iommufd_close((int)fault.out_fault_fd);
		break;
	}
	default: {
		struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
		struct iommu_destroy destroy = { .size = sizeof(destroy) };

		if (!uioctl(r->fd, IOMMU_IOAS_ALLOC, &alloc)) {
			destroy.id = alloc.out_ioas_id;
			uioctl(r->fd, IOMMU_DESTROY, &destroy);
		}
		break;
	}
	}
}

void worker(struct race *r, unsigned int seed, void (*const *ops)(struct race *, u64 *),
	    unsigned int nops)
{
	u64 rnd = 0x9e3779b97f4a7c15ULL * (seed + 1);

	while (!r->stop.load(std::memory_order_relaxed)) {
		ops[next_rand(&rnd) % nops](r, &rnd);
		r->ops.fetch_add(1, std::memory_order_relaxed);
	}
}

unsigned int race_seconds(void)
{
	const char *env = getenv("UIOMMUFD_RACE_SECONDS");
	int v = env ? atoi(env) : 0;

	return v > 0 ? (unsigned int)v : 3;
}

void setup(struct kunit *test, struct race *r)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = { .size = sizeof(mock),
				       .op = IOMMU_TEST_OP_MOCK_DOMAIN };

	r->fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_GE(test, r->fd, 0);
	for (u32 &id : r->ioas) {
		KUNIT_ASSERT_EQ(test, uioctl(r->fd, IOMMU_IOAS_ALLOC, &alloc), 0);
		id = alloc.out_ioas_id;
	}
	mock.id = r->ioas[0];
	KUNIT_ASSERT_EQ(test, uioctl(r->fd, IOMMU_TEST_CMD, &mock), 0);
	r->stdev = mock.mock_domain.out_stdev_id;
	r->hwpt = mock.mock_domain.out_hwpt_id;
	r->idev = mock.mock_domain.out_idev_id;
	r->buf = (u8 *)mmap(NULL, RACE_PAGES * 4096, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	KUNIT_ASSERT_NE(test, (void *)r->buf, MAP_FAILED);
	memset(r->buf, 0x5a, RACE_PAGES * 4096);
}

/* Every page of the buffer unpinned, by asking how many pins it holds. */
unsigned long pinned_pages(u8 *buf)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i != RACE_PAGES; i++) {
		struct page *page;

		if (get_user_pages_fast((uintptr_t)(buf + i * 4096), 1, 0, &page) != 1)
			continue;
		n += atomic_read(&page->_pincount) != 0;
		put_page(page);
	}
	return n;
}

void run_race(struct kunit *test, void (*const *ops)(struct race *, u64 *), unsigned int nops,
	      unsigned int nthreads)
{
	long locked_before = atomic_long_read(&current_user()->locked_vm);
	unsigned long failures = harness_failure_count();
	u64 mark = kmem_leak_mark();
	std::vector<std::thread> threads;
	struct race r;

	setup(test, &r);
	for (unsigned int i = 0; i != nthreads; i++)
		threads.emplace_back(worker, &r, i, ops, nops);
	std::this_thread::sleep_for(std::chrono::seconds(race_seconds()));
	r.stop = true;
	for (std::thread &t : threads)
		t.join();
	kunit_info(test, "%lu operations in %u s on %u threads", r.ops.load(), race_seconds(),
		   nthreads);
	KUNIT_EXPECT_GT(test, r.ops.load(), 0);

	iommufd_close(r.fd);
	KUNIT_EXPECT_EQ(test, harness_failure_count(), failures);
	KUNIT_EXPECT_EQ(test, kmem_leak_report(mark), 0);
	KUNIT_EXPECT_EQ(test, pinned_pages(r.buf), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&current_user()->locked_vm), locked_before);
	munmap(r.buf, RACE_PAGES * 4096);
}

void race_mappings(struct kunit *test)
{
	static void (*const ops[])(struct race *, u64 *) = {op_map_unmap, op_copy};

	run_race(test, ops, ARRAY_SIZE(ops), 4);
}

void race_attach(struct kunit *test)
{
	static void (*const ops[])(struct race *, u64 *) = {op_map_unmap, op_replace};

	run_race(test, ops, ARRAY_SIZE(ops), 4);
}

void race_accesses(struct kunit *test)
{
	static void (*const ops[])(struct race *, u64 *) = {op_map_unmap, op_access, op_copy};

	run_race(test, ops, ARRAY_SIZE(ops), 4);
}

void race_everything(struct kunit *test)
{
	static void (*const ops[])(struct race *, u64 *) = {op_map_unmap, op_copy, op_replace,
							    op_access, op_misc};

	run_race(test, ops, ARRAY_SIZE(ops), 6);
}

struct kunit_case race_cases[] = {
	KUNIT_CASE(race_mappings),
	KUNIT_CASE(race_attach),
	KUNIT_CASE(race_accesses),
	KUNIT_CASE(race_everything),
	{}
};

struct kunit_suite race_suite = {
	.name = "iommufd-race",
	.test_cases = race_cases,
};

} // namespace

kunit_test_suite(race_suite);
