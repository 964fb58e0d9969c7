/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to harness/server: clients, their tasks, served files, tracing.
 *
 * Lifetimes:
 *  - struct ufd_proc is one client process. It holds the address space's
 *    "alive" reference (mm_users) until the process exits (its pidfd
 *    fires, or it says EXIT first); references: the process table, every
 *    connection thread serving one of its threads.
 *  - struct ufd_task is one client thread as the kernel side sees it; it
 *    belongs to its process and lives as long as the process struct.
 *  - struct ufd_served is one file handed to clients: it holds the file
 *    reference that stands for "open in some client" and the server end
 *    of the file's socketpair. A hang-up on that end means the last client
 *    descriptor is gone: the reference is dropped, exactly once.
 *
 * Lock order: procs_lock -> proc->lock; served_lock is a leaf.
 */
#pragma once

#include "harness/server/protocol.h"
#include "harness/server/server.h"

#include "harness/sched.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <unordered_map>

struct file;
struct mm_struct;

struct ufd_proc;

struct ufd_task {
	struct task_struct ts;
	struct ufd_proc *proc;
};

struct ufd_proc {
	pid_t pid;
	int pidfd;
	struct mm_struct *mm;
	std::atomic<int> refs;
	std::atomic<bool> exited;
	std::mutex lock;
	std::unordered_map<pid_t, struct ufd_task *> tasks;
};

/* A connection: one client thread, served by one server thread. */
struct ufd_conn {
	int fd;
	struct ufd_proc *proc;
	struct ufd_task *task;
};

enum ufd_served_state { UFD_LIVE, UFD_RELEASING, UFD_RELEASED };

struct ufd_served {
	u64 token;
	struct file *file;
	int kernel_fd;			/* our end; the file closes it on its last put */
	dev_t client_dev;		/* identity of the client's end */
	ino_t client_ino;
	std::atomic<int> state;
	std::mutex lock;
	std::condition_variable released;
};

/* ---- server.cc ---- */
extern thread_local struct ufd_conn *ufd_serving;
extern const ufd_server_config *ufd_cfg;
/* Sends a server -> client record nested in the current request, then reads the ack. */
long ufd_nested_call(struct ufd_conn *conn, struct ufd_packet *p, int pass_fd);
void ufd_proc_retire(struct ufd_proc *proc);
struct ufd_proc *ufd_proc_find_get(pid_t pid);
/* pid's pidfd fired: retire its entry if that process has exited. */
void ufd_proc_check_exit(pid_t pid);
void ufd_proc_put(struct ufd_proc *proc);

/* ---- files.cc ---- */
int ufd_files_init(void);
void ufd_files_exit(void);
/* No watcher thread (nor anything else of ours) has been started yet. */
bool ufd_files_quiescent(void);
/* ufd_server_forget()'s part: the watcher's and the served files' descriptors. */
void ufd_files_forget(void);
/* The served file for a token, with a file reference; NULL if none/released. */
struct file *ufd_served_fget(u64 token);
/* A descriptor of token was closed by a client: release now if it was the last. */
void ufd_served_close_sync(u64 token);
/* The token and caps of the served file whose client end is (ino, dev); 0 or -ENOENT. */
long ufd_served_identify(u64 ino, u64 dev, u64 *token, unsigned int *caps,
			 unsigned int *read_kind);
/* Has ->read etc. as UFD_FILE_* flags. */
unsigned int ufd_file_caps(const struct file *f);
/* Watch a client process for exit. */
void ufd_watch_proc(struct ufd_proc *proc);
void ufd_unwatch_proc(struct ufd_proc *proc);
/* Drops every served file (server stop). */
void ufd_served_release_all(void);
unsigned long ufd_served_count(void);

/* ---- mmap.cc ---- */
/* Maps a served file for the client: a mapping id, the memfd to pass in *pass_fd. */
long ufd_mmap(struct ufd_conn *conn, const struct ufd_msg *m, int *pass_fd, bool *mmio);
long ufd_munmap(struct ufd_conn *conn, u64 id);
/* Ends every mapping of pid (0: of everyone). */
void ufd_munmap_all(pid_t pid);

/* ---- debugfs.cc ---- */
int ufd_debugfs_init(const std::string &dir);
/* Adds directories for attributes registered since (fail_iommufd...). */
void ufd_debugfs_sync(void);
/* Up to @len bytes of @path's text at @off: a knob's value or a driver's show file. */
long ufd_debugfs_read(const char *path, u64 off, char *buf, size_t len);
long ufd_debugfs_write(const char *path, const char *val);

/* ---- trace.cc ---- */
struct ufd_trace_call {
	char in[896];	/* the call as written, with any vendor data decoded */
	unsigned long cmd;
	unsigned long arg;
	int fd_hint;
};
/* Decodes the ioctl's input; the call's output is decoded after. */
void ufd_trace_ioctl_begin(struct ufd_trace_call *t, int fd, unsigned long cmd,
			   unsigned long arg);
void ufd_trace_ioctl_end(struct ufd_trace_call *t, u64 token, long ret);
void ufd_trace_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ufd_ioctl_name(unsigned long cmd);
/* One region read or write of the calling client (pread/pwrite of a VFIO device). */
void ufd_trace_rw(bool write, unsigned long buf, size_t count, long long pos, long ret);
/* printf onto the end of a NUL-terminated line, never past @len bytes in all. */
void ufd_trace_append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The calling client's memory at @addr; false if it cannot be read. */
bool ufd_trace_peek(unsigned long addr, void *buf, size_t len);
/* trace_vendor.cc: the driver data and invalidation entries behind an ioctl's pointers. */
void ufd_trace_vendor_in(char *out, size_t len, unsigned long cmd, const u8 *buf, size_t n);
/* The same for what the call wrote back behind its pointers (after success). */
void ufd_trace_vendor_out(char *out, size_t len, unsigned long cmd, const u8 *buf, size_t n);
/* "IOMMU_IOAS_MAP", "IOMMU_TEST_CMD(MOCK_DOMAIN)": a digest's name for a step. */
std::string ufd_ioctl_step_name(unsigned long cmd, unsigned long arg);

/* ---- digest.cc: --digest and --graph ---- */
/* Before the first request: opens what the config names, installs the hooks. */
int ufd_state_init(void);
/* Around every ioctl when a digest or a graph is kept: one ioctl at a time. */
void ufd_state_ioctl_begin(void);
void ufd_state_ioctl_end(unsigned long cmd, unsigned long arg, long ret);
/* After the last client: the exit step, the graph file. */
void ufd_state_exit(void);
/*
 * A program's own mark (a write to /sys/kernel/debug/uiommufd/mark): a
 * step named "mark TEXT" with the state at that point; nothing without a
 * digest.
 */
void ufd_state_mark(const char *text);
/* "ENOENT" for ENOENT; "E?" for a number with no name. */
const char *ufd_errno_name(int err);
