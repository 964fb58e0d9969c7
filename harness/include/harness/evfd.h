/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel side of queue files (fault queues, vEVENTQs).
 *
 * A queue file is made with anon_inode_getfile_kind(..., FILE_FD_SOCKET):
 * the user gets one end of a SOCK_STREAM socketpair, the kernel keeps the
 * other (file::kernel_fd). So read(), poll(), epoll and io_uring work on
 * the user's descriptor natively, with no help from us:
 *
 *  - read side: the kernel pushes each record it would hand to ->read()
 *    into its end with evfd_send() as soon as it exists. The ledger below
 *    remembers the socket buffer charge of every record sent, so
 *    evfd_unread() can tell how many the user has not read yet (what the
 *    kernel's queue length would be) from SIOCOUTQ, which counts the
 *    charge of the records still in the user's receive queue.
 *
 *  - write side: bytes the user write()s land in the kernel's end. An I/O
 *    thread (one for the process) waits on all registered kernel ends and
 *    hands the bytes to f_op->write() one @write_unit at a time, as the
 *    kernel's write would see them. Errors cannot travel back through a
 *    socket; they are counted (evfd_write_errors()) and a caller wanting
 *    the exact errno uses the synchronous path (iommufd_write() in the C
 *    API, or the server's UFD_OP_WRITE), which calls f_op->write directly.
 *
 * evfd_register() after the descriptor is installed; evfd_unregister()
 * first thing in ->release(): the I/O thread holds no file reference (a
 * close() must release the file before it returns, as the kernel's does),
 * so unregistering is what waits for a write in flight to finish.
 */
#pragma once

#include "harness/file.h"

#include <stddef.h>

/* Start servicing @f (kernel_fd must be set). @write_unit 0: no ->write. */
int evfd_register(struct file *f, size_t write_unit);
void evfd_unregister(struct file *f);

/*
 * Push one record to the user's end, all or nothing. @counted: include it
 * in evfd_unread()'s count. 0, -EAGAIN (receive queue full) or -EPIPE.
 */
int evfd_send(struct file *f, const void *buf, size_t len, bool counted);

/* Counted records sent and not completely read yet; -1 if unknown. */
long evfd_unread(struct file *f);
/* Records of any kind still (partly) unread. */
long evfd_unread_all(struct file *f);

/* Writes f_op->write() refused on the I/O thread path, process-wide. */
unsigned long evfd_write_errors(void);
/* Wait until the I/O thread has consumed everything written so far to @f. */
void evfd_flush(struct file *f);
