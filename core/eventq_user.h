/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a queue file (fault queue or vEVENTQ) the way the kernel's
 * ->read() hands it out, from the user's side of the descriptor.
 *
 * A queue fd is one end of a SOCK_STREAM socketpair (harness/evfd.h) and
 * every record the kernel would queue is pushed into it, whole, when it is
 * produced. A plain read(2) on it therefore has socket semantics: it may
 * stop in the middle of a record and it blocks when nothing is queued.
 * iommufd_queue_read() gives instead exactly what iommufd_fault_fops_read()
 * and iommufd_veventq_fops_read() return for the same queue content and
 * count: the same checks of count, whole fault groups and whole vEVENTs
 * only (or 0 if the first does not fit), and 0 at once when nothing is
 * queued. See Documentation/core-events.md for the rules and their source.
 *
 * Self-contained on purpose (libc and uapi/linux/iommufd.h only, C
 * linkage, no C++ runtime): the same file is built into the kernel side's
 * C API (iommufd_read()) and into the LD_PRELOAD interposer, which routes
 * read(2) of a queue fd here.
 */
#ifndef UIOMMUFD_EVENTQ_USER_H
#define UIOMMUFD_EVENTQ_USER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Queue kinds. A vEVENTQ's kind also carries the byte length of the event
 * data that follows each header (a vEVENTQ's events all have the length
 * of its type's uAPI structure): build it with iommufd_queue_kind_veventq().
 */
#define IOMMUFD_QUEUE_FAULT 1
#define IOMMUFD_QUEUE_VEVENTQ 2
#define IOMMUFD_QUEUE_KIND_MASK 0xff
#define IOMMUFD_QUEUE_VEVENTQ_DATA_SHIFT 8

/*
 * Bytes of event data after each struct iommufd_vevent_header on a vEVENTQ
 * of @veventq_type (enum iommu_veventq_type, or the mock's
 * IOMMU_VEVENTQ_TYPE_SELFTEST); 0 for a type this file does not know.
 */
size_t iommufd_vevent_data_len(unsigned int veventq_type);

/*
 * The kind to pass for a vEVENTQ of @veventq_type (what the caller gave
 * IOMMU_VEVENTQ_ALLOC). For an unknown type events cannot be framed and
 * iommufd_queue_read() falls back to stream reads (see there).
 */
int iommufd_queue_kind_veventq(unsigned int veventq_type);

/*
 * read(@fd, @buf, @count) on a queue fd of @kind with the kernel's result:
 * the bytes read, or a negative errno (-ESPIPE, -EFAULT, -EINVAL for a bad
 * kind, or the socket's errno, e.g. -EBADF). Never blocks; never leaves
 * part of a record behind. Concurrent callers in one process are
 * serialized; readers in other processes sharing the descriptor are not
 * (see the comment in eventq_user.cc).
 */
long iommufd_queue_read(int fd, int kind, void *buf, size_t count);

#ifdef __cplusplus
}
#endif
#endif
