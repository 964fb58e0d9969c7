/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct file, file_operations and the file-descriptor table.
 *
 * iommufd hands files to userspace: the iommufd itself, fault queues,
 * vEVENTQs, dma-bufs. Here every such file is a kernel-side struct file plus
 * a real descriptor in the process, so the number a program gets back is a
 * genuine fd: it is unique, close() works on it, and (for queues) read(),
 * poll() and io_uring work on it natively. The table below maps the real fd
 * to its struct file; the interposer and the C API look files up through
 * fget() exactly as the kernel's syscalls do.
 *
 * Lifetime follows the kernel: a file holds a reference count (f_count);
 * every installed descriptor holds one; ->release() runs when the last
 * reference goes.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/err.h"

#include <atomic>
#include <sys/types.h>

struct file;
struct inode;
struct vm_area_struct;

/*
 * mmap of a kernel file (the C API's iommufd_mmap()). The caller fills
 * vm_end - vm_start (the length; vm_start is 0 on entry), vm_pgoff and
 * vm_flags; a driver's ->mmap() validates and, in place of
 * io_remap_pfn_range(), sets vm_start to the kernel virtual address of the
 * memory it maps: the mapping aliases that memory in this address space.
 * vm_ops->close() runs at munmap.
 */
struct vm_operations_struct {
	void (*open)(struct vm_area_struct *vma);
	void (*close)(struct vm_area_struct *vma);
};

#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
/*
 * Device memory (a BAR): no page backs it, every access must reach the
 * driver's read/write at vm_pgoff. The interposer maps such a VMA with no
 * access and forwards each faulting load and store (harness/preload/mmio_trap).
 */
#define VM_IO		0x00004000UL

/* struct file::f_mode */
#define FMODE_PREAD	0x8u
#define FMODE_PWRITE	0x10u

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_pgoff;
	unsigned long vm_flags;
	struct file *vm_file;
	const struct vm_operations_struct *vm_ops;
	void *vm_private_data;
};
/* loff_t comes from <sys/types.h> (glibc, _GNU_SOURCE as g++ always sets). */
typedef unsigned int __poll_t;

struct file_operations {
	int (*release)(struct inode *inode, struct file *filp);
	long (*unlocked_ioctl)(struct file *filp, unsigned int cmd, unsigned long arg);
	int (*mmap)(struct file *filp, struct vm_area_struct *vma);
	ssize_t (*read)(struct file *filp, char __user *buf, size_t count, loff_t *ppos);
	ssize_t (*write)(struct file *filp, const char __user *buf, size_t count,
			 loff_t *ppos);
};

/* How the real descriptor behind a file is made. */
enum file_fd_kind {
	FILE_FD_PLAIN,		/* an eventfd: identity only (iommufd, dma-buf) */
	FILE_FD_SOCKET,		/* one end of a socketpair; the kernel keeps the other */
};

struct file {
	const struct file_operations *f_op;
	void *private_data;
	std::atomic<long> f_count;
	const char *name;
	unsigned int f_flags;
	/*
	 * FMODE_PREAD/FMODE_PWRITE: read/write at any offset (a device node's
	 * file, like VFIO's); anon-inode files (queues) have neither.
	 */
	unsigned int f_mode;
	/* FILE_FD_SOCKET: the kernel-side end of the socketpair, else -1 */
	int kernel_fd;
	enum file_fd_kind kind;
};

/* anon_inode_getfile(): a new file with one reference, owned by the caller. */
struct file *anon_inode_getfile(const char *name, const struct file_operations *fops,
				void *priv, int flags);
struct file *anon_inode_getfile_kind(const char *name, const struct file_operations *fops,
				     void *priv, int flags, enum file_fd_kind kind);

static inline struct file *get_file(struct file *f)
{
	f->f_count.fetch_add(1);
	return f;
}
void fput(struct file *f);
/* Like __fput_sync(): the same as fput() here, release always runs inline. */
static inline void __fput_sync(struct file *f) { fput(f); }

/*
 * get_unused_fd_flags() + fd_install() in one step: creates the real
 * descriptor for @f and installs it, taking over the caller's reference.
 * Returns the fd or a negative errno.
 */
int fd_install_new(struct file *f, unsigned int flags);
/* fget(): the file behind a descriptor with a new reference, or NULL. */
struct file *fget(int fd);
/*
 * close(2) for a descriptor that may belong to the table: drops the table's
 * reference and closes the real fd. Returns 0, or -EBADF if @fd is not ours.
 */
int fd_close(int fd);
/* dup(2)/fcntl(F_DUPFD) for a table fd: the new fd shares the file. */
int fd_dup(int oldfd, int newfd_min, bool cloexec);
/* True if @fd is in the table. */
bool fd_is_kernel_file(int fd);

/*
 * ---- whose descriptor table (harness/server) ----
 *
 * The table above is this process's. A uiommufd server runs kernel-side
 * code on behalf of other processes: there an fd the core installs or looks
 * up is a number in the *client's* table. The server registers these ops;
 * while ops->serving() is true for the calling thread, fd_install_new()
 * and fget() go to them instead of the local table.
 */
struct file_fd_ops {
	bool (*serving)(void);
	int (*install)(struct file *f, unsigned int flags);
	struct file *(*get)(int fd);
	int (*get_host)(int fd);
};
void file_set_fd_ops(const struct file_fd_ops *ops);
/*
 * For code that needs the host file behind a user's descriptor (a memfd
 * given to IOMMU_IOAS_MAP_FILE): a new host descriptor for what @fd names
 * in current's table, close-on-exec, owned by the caller; -EBADF if none.
 */
int host_fd_get(int fd);

/*
 * Descriptors the kernel side keeps for itself (the server's ends of
 * socketpairs, epoll instances, pidfds). In a server process they are
 * nobody's business; when the kernel side runs inside the user's own
 * process (harness/server/embedded.cc) they share its descriptor table, and
 * the kernel's own files never take a number there: open() must still
 * return the lowest free descriptor. file_set_kernel_fd_floor(N) makes
 * kernel_fd_hide() move a descriptor to N or above (0: leave it alone).
 */
void file_set_kernel_fd_floor(int floor);
/* Returns the descriptor to use in place of @fd (closing @fd if it moved). */
int kernel_fd_hide(int fd);
