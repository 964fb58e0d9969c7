// SPDX-License-Identifier: GPL-2.0
/*
 * A few real iommufd calls for the `uiommufd run --trace` test: one that
 * succeeds with an output, one that fails with a known errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_destroy destroy = { .size = sizeof(destroy), .id = 4242 };
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("open /dev/iommu");
		return 1;
	}
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &alloc)) {
		perror("IOMMU_IOAS_ALLOC");
		return 1;
	}
	if (ioctl(fd, IOMMU_DESTROY, &destroy) != -1 || errno != ENOENT) {
		fprintf(stderr, "IOMMU_DESTROY of a missing id: want ENOENT\n");
		return 1;
	}
	destroy.id = alloc.out_ioas_id;
	if (ioctl(fd, IOMMU_DESTROY, &destroy)) {
		perror("IOMMU_DESTROY");
		return 1;
	}
	return close(fd) ? 1 : 0;
}
