/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of uiommufd's own iommufd selftests.
 *
 * Every ioctl goes through ufd_open()/ufd_ioctl()/ufd_close(). By default
 * they are the C API (core/c_api.h), which behaves exactly like the system
 * calls; building with -DUFD_USE_SYSCALLS turns them into plain
 * open("/dev/iommu")/ioctl()/close(), so the same programs can run through
 * the LD_PRELOAD interposer or on a real kernel with CONFIG_IOMMUFD_TEST.
 *
 * Helpers named ufd_<op>() issue one ioctl and return what the system
 * call returns (0, or -1 with errno); outputs are stored only on success.
 * Tests check them with ASSERT_EQ(0, ...) or UFD_EXPECT_ERRNO(err, ...).
 *
 * Each fixture ends with ufd_fixture_close(): after the iommufd is closed
 * no page may still be pinned, no kernel allocation made since the fixture
 * opened may still be alive, and no harness tripwire may have fired.
 */
#ifndef UIOMMUFD_UTILS_H
#define UIOMMUFD_UTILS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "../kselftest_harness.h"
#include "uiommufd_leakcheck.h"

#ifdef UFD_USE_SYSCALLS
#define ufd_open() open("/dev/iommu", O_RDWR | O_CLOEXEC)
#define ufd_ioctl(fd, cmd, arg) ioctl((fd), (cmd), (arg))
#define ufd_close(fd) close(fd)
#else
#include "core/c_api.h"
#define ufd_open() iommufd_open(O_RDWR | O_CLOEXEC)
#define ufd_ioctl(fd, cmd, arg) iommufd_ioctl((fd), (cmd), (void *)(arg))
#define ufd_close(fd) iommufd_close(fd)
#endif

/* The kernel's leak ledger is only visible when it lives in this process. */
#if defined(UFD_USE_SYSCALLS) && !defined(UFD_LEAKCHECK)
#define ufd_leak_mark() 0ULL
#define ufd_leak_report(mark) ((void)(mark), 0UL)
#define ufd_harness_failures() 0UL
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define ufd_end_of(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * expr must fail with exactly errno err. errno is sampled right after the
 * call, before the harness's own reporting can touch it.
 */
#define UFD_EXPECT_ERRNO(err, expr)                                           \
	do {                                                                  \
		int __ufd_rc = (expr);                                        \
		int __ufd_errno = errno;                                      \
		ASSERT_EQ(-1, __ufd_rc);                                      \
		if (__ufd_errno != (int)(err))                                \
			TH_LOG("%s: errno %d (%s), expected %d", #expr,       \
			       __ufd_errno, strerror(__ufd_errno), (int)(err)); \
		EXPECT_EQ((int)(err), __ufd_errno);                           \
	} while (0)

/*
 * Names a point of the run for `uiommufd run --digest` (a step "mark TEXT")
 * and --trace (a line "mark(TEXT)"): a line written to uiommufd's
 * /sys/kernel/debug/uiommufd/mark. Elsewhere (a kernel, an in-process
 * build) there is no such file and nothing happens.
 */
static inline void ufd_mark(const char *text)
{
	int fd = open("/sys/kernel/debug/uiommufd/mark", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		(void)0;	/* a mark is never worth failing a test over */
	close(fd);
}

/* ---- memory every test may use ---- */

/* Host page size, and a 16-page MAP_SHARED buffer aligned to 2 MiB. */
static unsigned long ufd_psize;
static unsigned long ufd_buf_size;
static void *ufd_buf;
/* A memfd of ufd_buf_size bytes and a shared mapping of it. */
static int ufd_mfd = -1;
static void *ufd_mfd_buf;

#define UFD_HUGE_ALIGN (2UL * 1024 * 1024)

/* ---- IOMMUFD ioctls ---- */

static inline int ufd_destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ufd_ioctl(fd, IOMMU_DESTROY, &cmd);
}

static inline int ufd_ioas_alloc(int fd, __u32 *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = ufd_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (!rc && ioas_id)
		*ioas_id = cmd.out_ioas_id;
	return rc;
}

#define UFD_MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

/*
 * IOAS_MAP. With IOMMU_IOAS_MAP_FIXED_IOVA in flags *iova is the input
 * IOVA; the IOVA the kernel used is written back on success.
 */
static inline int ufd_map(int fd, __u32 ioas_id, const void *ptr, __u64 length,
			  __u64 *iova, __u32 flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)ptr,
		.length = length,
		.iova = iova ? *iova : 0,
	};
	int rc = ufd_ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return rc;
}

static inline int ufd_map_fixed(int fd, __u32 ioas_id, const void *ptr, __u64 length,
				__u64 iova)
{
	return ufd_map(fd, ioas_id, ptr, length, &iova,
		       UFD_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA);
}

static inline int ufd_map_file(int fd, __u32 ioas_id, int mfd, __u64 start,
			       __u64 length, __u64 *iova, __u32 flags)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.fd = mfd,
		.start = start,
		.length = length,
		.iova = iova ? *iova : 0,
	};
	int rc = ufd_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return rc;
}

/* IOAS_UNMAP; *unmapped receives the byte count the kernel reports. */
static inline int ufd_unmap(int fd, __u32 ioas_id, __u64 iova, __u64 length,
			    __u64 *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};
	int rc = ufd_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (!rc && unmapped)
		*unmapped = cmd.length;
	return rc;
}

static inline int ufd_copy(int fd, __u32 dst_ioas, __u64 *dst_iova, __u32 src_ioas,
			   __u64 src_iova, __u64 length, __u32 flags)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst_ioas,
		.src_ioas_id = src_ioas,
		.length = length,
		.dst_iova = dst_iova ? *dst_iova : 0,
		.src_iova = src_iova,
	};
	int rc = ufd_ioctl(fd, IOMMU_IOAS_COPY, &cmd);

	if (!rc && dst_iova)
		*dst_iova = cmd.dst_iova;
	return rc;
}

/*
 * IOAS_IOVA_RANGES. *num is the capacity of ranges on input and the
 * number of ranges the kernel has on output; the output is also written
 * when the call fails with EMSGSIZE, as the kernel does.
 */
static inline int ufd_iova_ranges(int fd, __u32 ioas_id, struct iommu_iova_range *ranges,
				  __u32 *num, __u64 *alignment)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = *num,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int rc = ufd_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
	int err = errno;

	if (!rc || err == EMSGSIZE) {
		*num = cmd.num_iovas;
		if (alignment)
			*alignment = cmd.out_iova_alignment;
	}
	errno = err;
	return rc;
}

static inline int ufd_allow_iovas(int fd, __u32 ioas_id, const struct iommu_iova_range *ranges,
				  __u32 num)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = num,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return ufd_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

/* IOMMU_OPTION; *val is the value to set, or receives the value got. */
static inline int ufd_option(int fd, __u32 option_id, __u16 op, __u32 object_id, __u64 *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = *val,
	};
	int rc = ufd_ioctl(fd, IOMMU_OPTION, &cmd);

	if (!rc)
		*val = cmd.val64;
	return rc;
}

static inline int ufd_huge_pages(int fd, __u32 ioas_id, __u64 enable)
{
	return ufd_option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas_id, &enable);
}

static inline int ufd_change_process(int fd)
{
	struct iommu_ioas_change_process cmd = { .size = sizeof(cmd) };

	return ufd_ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd);
}

static inline int ufd_hwpt_alloc(int fd, __u32 dev_id, __u32 pt_id, __u32 flags,
				 __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	int rc = ufd_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return rc;
}

/* GET_HW_INFO; the whole response lands in *out when out is not NULL. */
static inline int ufd_hw_info(int fd, __u32 dev_id, __u32 flags, __u32 in_type, void *data,
			      __u32 data_len, struct iommu_hw_info *out)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.in_data_type = in_type,
	};
	int rc = ufd_ioctl(fd, IOMMU_GET_HW_INFO, &cmd);

	if (!rc && out)
		*out = cmd;
	return rc;
}

/* ---- IOMMU_TEST_CMD (the mock driver) ---- */

static inline int ufd_test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ufd_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/*
 * Create a mock device and attach it to pt_id (an IOAS or an HWPT).
 * Outputs: the selftest object that owns the device (destroy it to detach
 * and unbind), the HWPT now attached, and the device ID for HWPT_ALLOC and
 * GET_HW_INFO. Any output pointer may be NULL.
 */
static inline int ufd_mock_domain(int fd, __u32 pt_id, __u32 dev_flags, __u32 *stdev_id,
				  __u32 *hwpt_id, __u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.op = dev_flags ? IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS : IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt_id,
	};
	int rc;

	if (dev_flags)
		cmd.mock_domain_flags.dev_flags = dev_flags;
	rc = ufd_test_cmd(fd, &cmd);
	if (rc)
		return rc;
	if (stdev_id)
		*stdev_id = cmd.mock_domain.out_stdev_id;
	if (hwpt_id)
		*hwpt_id = cmd.mock_domain.out_hwpt_id;
	if (idev_id)
		*idev_id = cmd.mock_domain.out_idev_id;
	return 0;
}

/* Re-attach the device of stdev_id to pt_id; *hwpt_id gets the new HWPT. */
static inline int ufd_mock_replace(int fd, __u32 stdev_id, __u32 pt_id, __u32 *hwpt_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};
	int rc = ufd_test_cmd(fd, &cmd);

	if (!rc && hwpt_id)
		*hwpt_id = cmd.mock_domain_replace.pt_id;
	return rc;
}

static inline int ufd_add_reserved(int fd, __u32 ioas_id, __u64 start, __u64 length)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = ioas_id,
		.add_reserved = { .start = start, .length = length },
	};

	return ufd_test_cmd(fd, &cmd);
}

/* The mock domain hwpt_id translates [iova, iova + length) to ptr's pages. */
static inline int ufd_check_map(int fd, __u32 hwpt_id, __u64 iova, __u64 length,
				const void *ptr)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt_id,
		.check_map = { .iova = iova, .length = length, .uptr = (uintptr_t)ptr },
	};

	return ufd_test_cmd(fd, &cmd);
}

/* Every page of [ptr, ptr + length) is pinned exactly refs times. */
static inline int ufd_check_refs(int fd, const void *ptr, __u64 length, __u32 refs)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = length, .uptr = (uintptr_t)ptr, .refs = refs },
	};

	return ufd_test_cmd(fd, &cmd);
}

static inline int ufd_set_temp_memory_limit(int fd, __u32 limit)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = limit },
	};

	return ufd_test_cmd(fd, &cmd);
}

/* The kernel's default temporary memory limit (iommufd_test_memory_limit). */
#define UFD_DEFAULT_MEMORY_LIMIT 65536

/*
 * An emulated-device access on ioas_id. The access is a file: *access_fd
 * is a descriptor of the same kind as the iommufd, closed with ufd_close().
 */
static inline int ufd_access_create(int fd, __u32 ioas_id, __u32 flags, int *access_fd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas_id,
		.create_access = { .flags = flags },
	};
	int rc = ufd_test_cmd(fd, &cmd);

	if (!rc && access_fd)
		*access_fd = (int)cmd.create_access.out_access_fd;
	return rc;
}

/*
 * Pin [iova, iova + length) through the access and have the kernel check
 * the pages are those behind ptr (skipped when ptr is NULL). *item_id names
 * the pin for ufd_access_unpin().
 */
static inline int ufd_access_pin(int fd, int access_fd, __u64 iova, __u64 length,
				 const void *ptr, __u32 flags, __u32 *item_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = (__u32)access_fd,
		.access_pages = {
			.flags = flags,
			.iova = iova,
			.length = length,
			.uptr = (uintptr_t)ptr,
		},
	};
	int rc = ufd_test_cmd(fd, &cmd);

	if (!rc && item_id)
		*item_id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static inline int ufd_access_unpin(int fd, int access_fd, __u32 item_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = (__u32)access_fd,
		.destroy_access_pages = { .access_pages_id = item_id },
	};

	return ufd_test_cmd(fd, &cmd);
}

/* CPU copy through the access: MOCK_ACCESS_RW_WRITE copies buf -> IOVA. */
static inline int ufd_access_rw(int fd, int access_fd, __u64 iova, void *buf, __u64 length,
				__u32 flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = (__u32)access_fd,
		.access_rw = {
			.iova = iova,
			.length = length,
			.uptr = (uintptr_t)buf,
			.flags = flags,
		},
	};

	return ufd_test_cmd(fd, &cmd);
}

static inline int ufd_access_replace(int fd, int access_fd, __u32 ioas_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
		.id = (__u32)access_fd,
		.access_replace_ioas = { .ioas_id = ioas_id },
	};

	return ufd_test_cmd(fd, &cmd);
}

/* ---- process state ---- */

/* Remove cap from this process's effective set (the kernel checks that). */
static inline int ufd_drop_capability(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data);
}

/* Whether cap is in this process's effective set. */
static inline bool ufd_has_capability(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

static inline int ufd_set_memlock_limit(unsigned long bytes)
{
	struct rlimit lim = { .rlim_cur = bytes, .rlim_max = bytes };

	return setrlimit(RLIMIT_MEMLOCK, &lim);
}

/* An anonymous shared mapping; MAP_FAILED on failure. */
static inline void *ufd_mmap(size_t length, int prot)
{
	return mmap(NULL, length, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

/* A memfd of length bytes mapped shared at *ptr; the fd, or -1. */
static inline int ufd_memfd(size_t length, void **ptr)
{
	int mfd = memfd_create("uiommufd-selftest", MFD_CLOEXEC);

	if (mfd < 0)
		return -1;
	if (ftruncate(mfd, length)) {
		close(mfd);
		return -1;
	}
	*ptr = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (*ptr == MAP_FAILED) {
		close(mfd);
		return -1;
	}
	return mfd;
}

static inline bool ufd_all_bytes(const void *p, unsigned char c, size_t len)
{
	const unsigned char *b = (const unsigned char *)p;

	while (len--)
		if (*b++ != c)
			return false;
	return true;
}

/* ---- fixture bracket ---- */

/* Fields every fixture starts with. */
#define UFD_FIXTURE_FIELDS                                                    \
	int fd;                                                               \
	unsigned long long leak_mark;                                         \
	unsigned long failure_mark

/* Take the marks, then open the iommufd the test works on. */
#define ufd_fixture_open(self)                                                \
	do {                                                                  \
		(self)->failure_mark = ufd_harness_failures();                \
		(self)->leak_mark = ufd_leak_mark();                          \
		(self)->fd = ufd_open();                                      \
		ASSERT_LE(0, (self)->fd);                                     \
	} while (0)

/*
 * Close the iommufd, then check from a fresh one that nothing the test
 * pinned is still pinned, and that the kernel freed everything allocated
 * since the fixture opened. Access fds hold the context too: tests close
 * them before they end.
 */
static inline void ufd_fixture_close(struct __test_metadata *_metadata, int fd,
				     unsigned long long leak_mark, unsigned long failure_mark)
{
	unsigned long leaked, failures;
	int check_fd;

	if (fd >= 0)
		EXPECT_EQ(0, ufd_close(fd));

	check_fd = ufd_open();
	ASSERT_LE(0, check_fd);
	EXPECT_EQ(0, ufd_check_refs(check_fd, ufd_buf, ufd_buf_size, 0));
	EXPECT_EQ(0, ufd_check_refs(check_fd, ufd_mfd_buf, ufd_buf_size, 0));
	EXPECT_EQ(0, ufd_close(check_fd));

	leaked = ufd_leak_report(leak_mark);
	if (leaked)
		TH_LOG("%lu kernel allocations outlived the iommufd (listed above)", leaked);
	EXPECT_EQ(0, leaked);
	failures = ufd_harness_failures() - failure_mark;
	if (failures)
		TH_LOG("%lu kernel-side tripwires fired during the test", failures);
	EXPECT_EQ(0, failures);
}

/*
 * Run once in the parent before any test forks: set up the shared buffers
 * and touch every kernel path once, so that state the kernel creates on
 * first use (caches, the mock IOMMU) exists before any leak mark is taken.
 */
static void __attribute__((constructor)) ufd_global_setup(void)
{
	void *p;
	__u32 ioas_id, stdev_id;
	__u64 iova;
	int access_fd;
	__u32 item;
	int fd;

	ufd_psize = sysconf(_SC_PAGESIZE);
	ufd_buf_size = 16 * ufd_psize;
	if (posix_memalign(&p, UFD_HUGE_ALIGN, ufd_buf_size))
		abort();
	/* Replace the heap pages with a shared mapping at the same address. */
	ufd_buf = mmap(p, ufd_buf_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (ufd_buf != p)
		abort();
	memset(ufd_buf, 0x5a, ufd_buf_size);

	ufd_mfd = ufd_memfd(ufd_buf_size, &ufd_mfd_buf);
	if (ufd_mfd < 0)
		abort();
	memset(ufd_mfd_buf, 0xa5, ufd_buf_size);

	fd = ufd_open();
	if (fd < 0)
		return;
	if (!ufd_ioas_alloc(fd, &ioas_id)) {
		iova = MOCK_APERTURE_START;
		ufd_map_fixed(fd, ioas_id, ufd_buf, ufd_buf_size, iova);
		if (!ufd_mock_domain(fd, ioas_id, 0, &stdev_id, NULL, NULL))
			ufd_destroy(fd, stdev_id);
		if (!ufd_access_create(fd, ioas_id, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &access_fd)) {
			if (!ufd_access_pin(fd, access_fd, iova, ufd_psize, NULL, 0, &item))
				ufd_access_unpin(fd, access_fd, item);
			ufd_close(access_fd);
		}
		ufd_unmap(fd, ioas_id, 0, UINT64_MAX, NULL);
	}
	ufd_close(fd);
}

#endif
