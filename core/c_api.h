/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C API: use uiommufd's /dev/iommu without the interposer.
 *
 * Each call behaves like its system call: iommufd_open() returns a real
 * file descriptor, iommufd_ioctl() returns 0 or -1 with errno set to
 * exactly what the kernel would put there. Programs written against open()
 * and ioctl() run unchanged when these are substituted (or when the
 * interposer routes /dev/iommu to them).
 */
#ifndef UIOMMUFD_C_API_H
#define UIOMMUFD_C_API_H

#ifdef __cplusplus
extern "C" {
#endif

/* open("/dev/iommu", O_RDWR [| O_CLOEXEC]). */
int iommufd_open(int flags);
/* ioctl(fd, cmd, arg) on any uiommufd file (iommufd, fault, vEVENTQ, ...). */
int iommufd_ioctl(int fd, unsigned long cmd, void *arg);
/* close(fd) for a uiommufd file. */
int iommufd_close(int fd);
/* True if @fd is a file uiommufd owns. */
int iommufd_is_fd(int fd);

#ifdef __cplusplus
}
#endif
#endif
