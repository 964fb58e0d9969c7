// SPDX-License-Identifier: GPL-2.0
/*
 * A small, deterministic iommufd program for `uiommufd run --digest/--graph`
 * and `uiommufd diff`: an IOAS, a selftest device on a mock domain, two
 * buffers mapped at fixed IOVAs, an access, one mapping removed, then exit
 * with everything still open.
 *
 *   digest_client [SECOND_IOVA [mark]]
 *
 * SECOND_IOVA (default 0x2000000) moves the second mapping: a run with
 * another value is "the same program on a build that maps one buffer
 * elsewhere", which a diff must catch at exactly that step (the 4th).
 * With "mark", the program marks a step of its own after the mappings
 * ("mark mappings done", the 5th), as a test names a point it wants to
 * find in the digest.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#define FIRST_IOVA 0x1000000UL
#define LEN (4 * 4096UL)

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(1);
	}
}

static void map_fixed(int fd, unsigned int ioas, void *buf, unsigned long iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (unsigned long)buf,
		.length = LEN,
		.iova = iova,
	};

	must(!ioctl(fd, IOMMU_IOAS_MAP, &map), "IOMMU_IOAS_MAP");
}

int main(int argc, char **argv)
{
	unsigned long second = argc > 1 ? strtoul(argv[1], NULL, 0) : 0x2000000UL;
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = { .size = sizeof(mock), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_test_cmd access = { .size = sizeof(access),
					 .op = IOMMU_TEST_OP_CREATE_ACCESS };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	void *a, *b;
	int fd;

	fd = open("/dev/iommu", O_RDWR);
	must(fd >= 0, "open /dev/iommu");
	must(!ioctl(fd, IOMMU_IOAS_ALLOC, &alloc), "IOMMU_IOAS_ALLOC");		/* step 1 */
	mock.id = alloc.out_ioas_id;
	must(!ioctl(fd, IOMMU_TEST_CMD, &mock), "MOCK_DOMAIN");			/* step 2 */
	a = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	must(a != MAP_FAILED && b != MAP_FAILED, "mmap");
	memset(a, 1, LEN);
	memset(b, 2, LEN);
	map_fixed(fd, alloc.out_ioas_id, a, FIRST_IOVA);				/* step 3 */
	map_fixed(fd, alloc.out_ioas_id, b, second);					/* step 4 */
	if (argc > 2 && !strcmp(argv[2], "mark")) {
		int mark = open("/sys/kernel/debug/uiommufd/mark", O_WRONLY);

		must(mark >= 0, "open /sys/kernel/debug/uiommufd/mark");
		must(write(mark, "mappings done\n", 14) == 14, "write mark");
		close(mark);
	}
	access.id = alloc.out_ioas_id;
	access.create_access.flags = 0;
	must(!ioctl(fd, IOMMU_TEST_CMD, &access), "CREATE_ACCESS");			/* step 5 */
	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = FIRST_IOVA;
	unmap.length = LEN;
	must(!ioctl(fd, IOMMU_IOAS_UNMAP, &unmap), "IOMMU_IOAS_UNMAP");		/* step 6 */
	printf("digest_client: done\n");
	return 0;
}
