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

/* libuiommufd.so exports these and nothing else (core/c_api.map). */
#define IOMMUFD_C_API __attribute__((visibility("default")))

/* open("/dev/iommu", O_RDWR [| O_CLOEXEC]). */
IOMMUFD_C_API int iommufd_open(int flags);
/* ioctl(fd, cmd, arg) on any uiommufd file (iommufd, fault, vEVENTQ, ...). */
IOMMUFD_C_API int iommufd_ioctl(int fd, unsigned long cmd, void *arg);
/*
 * write(fd, buf, count) on a uiommufd file, answered by its ->write in the
 * caller's thread, so errors come back as the kernel's errno. (A plain
 * write(2) on a queue fd also works; it is serviced asynchronously.)
 */
IOMMUFD_C_API long iommufd_write(int fd, const void *buf, unsigned long count);
/*
 * read(fd, buf, count) with the kernel's ->read() semantics. On a fault
 * queue or vEVENTQ fd (whose plain read(2) has socket semantics) it
 * returns whole fault groups / whole vEVENTs only, -1/ESPIPE for a fault
 * read count that is not a multiple of the message size, and 0 at once
 * when nothing is queued (core/eventq_user.h). Other uiommufd files: their
 * ->read, or -1/EINVAL without one; any other descriptor: read(2).
 */
IOMMUFD_C_API long iommufd_read(int fd, void *buf, unsigned long count);
/* close(fd) for a uiommufd file. */
IOMMUFD_C_API int iommufd_close(int fd);
/*
 * mmap(addr, length, prot, flags, fd, offset) of a region a uiommufd file
 * offers (a vIOMMU's MMIO page on the iommufd). The kernel-side memory is
 * aliased in place: @addr must be NULL (no MAP_FIXED) and the mapping is
 * only valid in this process. MAP_FAILED with errno on failure.
 */
IOMMUFD_C_API void *iommufd_mmap(void *addr, unsigned long length, int prot, int flags, int fd,
		   long offset);
/* munmap() of an iommufd_mmap() mapping; other ranges go to munmap(). */
IOMMUFD_C_API int iommufd_munmap(void *addr, unsigned long length);
/* True if @fd is a file uiommufd owns. */
IOMMUFD_C_API int iommufd_is_fd(int fd);

#ifdef __cplusplus
}
#endif
#endif
