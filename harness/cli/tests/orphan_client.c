// SPDX-License-Identifier: GPL-2.0
/*
 * A child that goes on using its parent's iommufd after the parent has
 * exited. On a kernel (and with `uiommufd run --server`) the iommufd lives
 * as long as a descriptor does, so the child's ioctl succeeds; in-process
 * the state went with the parent, and the child must get EIO and a clear
 * message at once, never hang (harness/server/embedded.cc).
 *
 * Prints "child: ok" or "child: errno N" on stderr; the parent exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int fd = open("/dev/iommu", O_RDWR);
	int go[2];
	char c;

	if (fd < 0 || ioctl(fd, IOMMU_IOAS_ALLOC, &alloc) || pipe(go))
		return 1;
	switch (fork()) {
	case -1:
		return 1;
	case 0:
		/* Wait until the parent is gone: its end of the pipe closes. */
		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(1);
		alloc.out_ioas_id = 0;
		if (ioctl(fd, IOMMU_IOAS_ALLOC, &alloc))
			fprintf(stderr, "child: errno %d\n", errno);
		else
			fprintf(stderr, "child: ok\n");
		_exit(0);
	default:
		return 0;
	}
}
