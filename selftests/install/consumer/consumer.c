// SPDX-License-Identifier: GPL-2.0
/*
 * A VMM prototype's first steps through uiommufd's C API, as a program
 * outside the tree writes them: an iommufd, an IOAS, a device behind the
 * selftest IOMMU attached to it, a buffer mapped, the IOMMU's page table
 * checked against the buffer, the mapping removed and an error's errno.
 * Prints one line per step; exits non-zero at the first that fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <uiommufd/c_api.h>

#define BUF_SIZE (64 * 4096UL)

static int fails;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		fails++;
}

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = { .size = sizeof(mock), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_test_cmd check_map = { .size = sizeof(check_map),
					    .op = IOMMU_TEST_OP_MD_CHECK_MAP };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	void *buf;
	int fd;

	fd = iommufd_open(0);
	check(fd >= 0, "iommufd_open");
	if (fd < 0)
		return 1;
	check(!iommufd_ioctl(fd, IOMMU_IOAS_ALLOC, &alloc), "IOMMU_IOAS_ALLOC");

	mock.id = alloc.out_ioas_id;
	check(!iommufd_ioctl(fd, IOMMU_TEST_CMD, &mock), "a selftest device attached to the IOAS");

	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, 0x5a, BUF_SIZE);
	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (unsigned long)buf;
	map.length = BUF_SIZE;
	check(!iommufd_ioctl(fd, IOMMU_IOAS_MAP, &map), "IOMMU_IOAS_MAP");

	check_map.id = mock.mock_domain.out_hwpt_id;
	check_map.check_map.iova = map.iova;
	check_map.check_map.length = BUF_SIZE;
	check_map.check_map.uptr = (unsigned long)buf;
	check(!iommufd_ioctl(fd, IOMMU_TEST_CMD, &check_map),
	      "the domain translates the IOVA range to the buffer");

	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = map.iova;
	unmap.length = BUF_SIZE;
	check(!iommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap) && unmap.length == BUF_SIZE,
	      "IOMMU_IOAS_UNMAP");
	check(iommufd_ioctl(fd, IOMMU_IOAS_UNMAP, &unmap) && errno == ENOENT,
	      "unmapping it again is ENOENT");
	check(iommufd_ioctl(fd, IOMMU_TEST_CMD, &check_map) && errno == EINVAL,
	      "the domain no longer maps it");

	check(!iommufd_close(fd), "iommufd_close");
	munmap(buf, BUF_SIZE);
	printf("%s\n", fails ? "consumer: FAILED" : "consumer: all steps passed");
	return fails ? 1 : 0;
}
