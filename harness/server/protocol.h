/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire protocol between the interposer (harness/preload) and the
 * uiommufd server (harness/server).
 *
 * Transport: one AF_UNIX SOCK_SEQPACKET connection per client thread, so a
 * message is a record and a request and its reply are never interleaved
 * with another thread's. The first message on a connection is HELLO; it
 * binds the connection to one client task (pid/tid) for its whole life, the
 * way a syscall always runs as the calling task.
 *
 * A request is answered by exactly one REPLY. While it serves a request the
 * server may send INSTALL_FD records first (a file it made, with the
 * client's end of the file's socketpair in SCM_RIGHTS); the client takes
 * the descriptor into its table and answers INSTALL_ACK with the number it
 * got, which is what the kernel's get_unused_fd_flags() would have
 * returned, and the server carries on. This lets an ioctl that creates an
 * fd (an access, a fault queue, a vEVENTQ) copy the client's fd number to
 * user memory exactly where the kernel does.
 *
 * Files are named by server-assigned tokens (never 0). The client keeps
 * fd -> token; the server maps the token to its struct file. A descriptor
 * number the *kernel side* is given (an ioctl field that names an fd) is
 * resolved by the server itself in the client's descriptor table
 * (pidfd_getfd), as the kernel's fget() does, so the client's bookkeeping
 * is a routing cache, never an authority.
 *
 * All integers are host-endian: both ends run on the same machine.
 */
#ifndef UIOMMUFD_PROTOCOL_H
#define UIOMMUFD_PROTOCOL_H

#include <stdint.h>

#define UFD_PROTO_VERSION 1

/* Environment of a client started by `uiommufd run`. */
#define UFD_ENV_SOCKET "UIOMMUFD_SOCKET"	/* path of the listening socket */
#define UFD_ENV_SERVER_PID "UIOMMUFD_SERVER_PID"
#define UFD_ENV_DEBUGFS "UIOMMUFD_DEBUGFS"	/* the emulated debugfs directory */
#define UFD_ENV_SYSROOT "UIOMMUFD_SYSROOT"	/* the machine's sysfs and /dev/vfio tree */
#define UFD_ENV_TRACE_CLIENT "UIOMMUFD_PRELOAD_DEBUG"	/* interposer chatter */

enum ufd_op {
	UFD_OP_HELLO = 1,	/* -> ret: 0 */
	UFD_OP_OPEN,		/* open("/dev/iommu"): ret fd (after an INSTALL_FD) */
	UFD_OP_IOCTL,		/* ret: the driver's return value */
	UFD_OP_CLOSE_SYNC,	/* a descriptor of token was closed: release if last */
	UFD_OP_MMAP,		/* ret: a mapping id and a memfd to map, or -errno */
	UFD_OP_FAIL_NTH_READ,	/* ret: value */
	UFD_OP_FAIL_NTH_WRITE,	/* ret: 0 */
	UFD_OP_DEBUGFS_READ,	/* payload: the path; arg0: offset; ret: length, payload: text there */
	UFD_OP_DEBUGFS_WRITE,	/* payload: "attr/knob\0value"; ret: 0 or -errno */
	UFD_OP_EXIT,		/* the process is exiting: keep what it pinned */
	UFD_OP_LEAK_MARK,	/* ret: kmem_leak_mark() */
	UFD_OP_LEAK_REPORT,	/* arg: mark; ret: kmem_leak_report(mark) */
	UFD_OP_FAILURES,	/* ret: harness failures so far */
	UFD_OP_WRITE,		/* write(2) to a file with ->write; ret: bytes or -errno */
	UFD_OP_IDENTIFY,	/* a socket we did not install here: is it a served file? */
	UFD_OP_MUNMAP,		/* the client unmapped what MMAP gave it */
	UFD_OP_MM_COUNTERS,	/* /proc/PID/status: the kernel side's VmPin and VmLck */
	UFD_OP_PREAD,		/* pread(2) of a positioned file (a VFIO device); ret: bytes */
	UFD_OP_PWRITE,		/* pwrite(2) of a positioned file; ret: bytes or -errno */
	UFD_OP_REPLY = 64,	/* server -> client */
	UFD_OP_INSTALL_FD,	/* server -> client, nested in a request */
	UFD_OP_INSTALL_ACK,	/* client -> server: ret = fd or -errno */
};

/* File capabilities sent with INSTALL_FD, kept by the client per fd. */
#define UFD_FILE_READ	0x1u	/* has ->read: read() goes to the socket */
#define UFD_FILE_WRITE	0x2u	/* has ->write */
#define UFD_FILE_MMAP	0x4u	/* has ->mmap */
#define UFD_FILE_POSRW	0x8u	/* pread/pwrite at an offset go to ->read/->write (device files) */

/* Set in a REPLY when kernel-side tripwires fired while serving it. */
#define UFD_REPLY_HARNESS_FAILURE 0x1u

#define UFD_PAYLOAD_MAX 4096

struct ufd_msg {
	uint32_t op;		/* enum ufd_op */
	uint32_t flags;		/* INSTALL_FD: UFD_FILE_*, O_CLOEXEC; REPLY: UFD_REPLY_* */
	int32_t pid;		/* the caller (client -> server) */
	int32_t tid;
	uint64_t token;		/* the file, where one is involved */
	uint64_t arg[4];	/* op-specific, see below */
	int64_t ret;		/* REPLY and INSTALL_ACK */
	uint32_t len;		/* bytes of payload used */
	/*
	 * Requests: the client's count of its own mmap/munmap/mprotect/mremap
	 * calls (never 0), so the server may reuse what it read of the
	 * client's memory map while the count stays the same.
	 */
	uint32_t maps_gen;
};

/*
 * arg[] by op:
 *   HELLO          arg[0] = UFD_PROTO_VERSION, arg[1] = uid, arg[2] = the address
 *                  of the client's u32 count of its map changes (maps_gen), which
 *                  the server may read to trust a map it read for another request
 *   OPEN           arg[0] = open flags; payload: the path ("/dev/iommu" if empty),
 *                  one of /dev/iommu, /dev/vfio/vfio, /dev/vfio/<group>,
 *                  /dev/vfio/devices/vfio<N>
 *   IOCTL          arg[0] = cmd, arg[1] = the argument (a user address),
 *                  arg[2] = the client's fd number (for --trace only)
 *   MMAP           arg[0] = length, arg[1] = prot, arg[2] = flags, arg[3] = offset;
 *                  the reply carries a memfd (SCM_RIGHTS) to map at offset 0, or,
 *                  with reply arg[0] = 1, none: device memory (VM_IO), which the
 *                  client maps with no access and forwards every access of as
 *                  PREAD/PWRITE at offset + the access's place in the mapping
 *   PREAD/PWRITE   arg[0] = buffer (a user address), arg[1] = count, arg[2] = offset
 *   MUNMAP         arg[0] = the mapping id MMAP returned
 *   FAIL_NTH_*     arg[0] = target tid, arg[1] = value (write),
 *                  arg[2] = target pid (0: the caller's process)
 *   LEAK_REPORT    arg[0] = mark
 *   WRITE          arg[0] = buffer (a user address), arg[1] = count
 *   MM_COUNTERS    arg[0] = pid (0: the caller's); the reply's arg[0] = pinned_vm,
 *                  arg[1] = locked_vm, in pages (ret 0), or -ESRCH for a process
 *                  the kernel side has never served
 *   IDENTIFY       arg[0] = inode, arg[1] = device of the socket; the reply
 *                  carries its token, arg[0] = UFD_FILE_* and arg[1] = the read
 *                  framing as in INSTALL_FD (ret 0), or -ENOENT
 *   INSTALL_FD     token = the new file, arg[0] = UFD_FILE_*, arg[1] = O_CLOEXEC or 0,
 *                  arg[2] = how its read() must frame records (core/eventq_user.h
 *                  queue kind; 0: the socket's own read)
 */

/* A message and its payload, as one SEQPACKET record. */
struct ufd_packet {
	struct ufd_msg m;
	char payload[UFD_PAYLOAD_MAX];
};

#define UFD_PACKET_SIZE(len) (sizeof(struct ufd_msg) + (len))

#endif
