/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uiommufd server: the process that owns iommufd state for unmodified
 * programs running under the interposer (harness/preload).
 *
 * The server plays the kernel's part for its clients. Each client thread
 * talks to it over its own connection, and the server runs that thread's
 * requests as that task: `current` is a task for the client's tid, its mm
 * is the client's address space (reached with process_vm_readv/writev),
 * its fail-nth is the client thread's. Files it hands out are real sockets
 * in the client, so dup/fork/close behave as the kernel's; the last close
 * is seen as a hang-up on the server's end, which drops the file.
 *
 * One server per process: the state is global, like a kernel's.
 */
#pragma once

#include <cstdio>
#include <string>
#include <vector>

struct file;
struct state_item;
struct ufd_packet;

struct ufd_server_config {
	/* Where to listen; created (the directory must exist and be private). */
	std::string socket_path;
	/* Directory that becomes the clients' /sys/kernel/debug; created. */
	std::string debugfs_dir;
	/* The machine's sysfs and /dev/vfio tree (platform_sysfs_write()); may be empty. */
	std::string sysroot_dir;
	/* One decoded line per ioctl, or NULL. */
	FILE *trace = nullptr;
	/* open("/dev/iommu"): a new file with one reference, or an ERR_PTR. */
	struct file *(*open_iommu)(void) = nullptr;
	/* open() of a device node other than /dev/iommu (/dev/vfio/...); may be NULL. */
	struct file *(*open_path)(const char *path, unsigned int flags) = nullptr;
	/* Builds the machine (the platform's IOMMUs and devices); may be NULL. */
	int (*boot)(std::string *err) = nullptr;
	/*
	 * In-process (embedded.cc): the client's answer to a nested record
	 * (INSTALL_FD with @pass_fd) when the client is the calling thread.
	 */
	long (*local_nested)(struct ufd_packet *p, int pass_fd) = nullptr;
	/* How read() of a file must frame its records (core/eventq_user.h); may be NULL. */
	int (*read_kind)(struct file *f) = nullptr;
	/* --root: see ufd_grant_root_capabilities(). */
	bool root = false;
	/* Appended a byte per kernel-side failure, when set (in-process runs). */
	std::string failures_path;
	/* --digest: the state digest after every ioctl and at exit ("" for none). */
	std::string digest_path;
	/* --graph: the object graph as DOT at exit and on SIGUSR1 ("" for none). */
	std::string graph_path;
	/*
	 * What digests and graphs are made of (core/state.h), given by whoever
	 * links the core: the machine's state items, and where to hook the
	 * capture of a context's items on its release.
	 */
	void (*state_snapshot)(std::vector<struct state_item> *out) = nullptr;
	void (**state_release_hook)(const std::vector<struct state_item> &items) = nullptr;
};

/* Starts listening and serving. 0 or -errno. */
int ufd_server_start(const ufd_server_config &cfg);
/* The two halves of ufd_server_start(): state, then the socket (idempotent). */
int ufd_server_init(const ufd_server_config &cfg);
int ufd_server_listen(const std::string &socket_path);
/*
 * Serves the request in @p as the calling thread of this process (no
 * socket), which @p's pid and tid must name: the reply is left in @p and
 * its ret returned; a descriptor the
 * reply passes goes to *@pass_fd (closed if @pass_fd is NULL).
 */
long ufd_server_call_local(struct ufd_packet *p, int *pass_fd);
/* In a forked child that must not use its copy of the state: close its descriptors. */
void ufd_server_forget(void);
/*
 * Stops: no new connections, existing ones are shut down, and every file
 * still open in a client is released (as if all clients had exited).
 */
void ufd_server_stop(void);
/* Some client still holds a served file or a connection. */
bool ufd_server_busy(void);
/* Kernel-side tripwires (WARN, leaks, lockdep...) reported while serving. */
unsigned long ufd_server_failures(void);
/* Client threads connected right now (their process still alive). */
unsigned long ufd_server_connections(void);
/* Clients served so far (processes that said hello). */
unsigned long ufd_server_clients(void);

/*
 * Starts the server, runs argv with the interposer (preload) and the
 * server in its environment, serves until it and every process it started
 * have exited, stops the server. Returns the program's exit status
 * (128+signal if killed; 125-127 if it could not be started).
 */
struct ufd_inproc_config {
	std::string kernel_lib;		/* libuiommufd_kernel.so */
	std::string run_dir;		/* private directory for the processes' sockets */
	std::string failures_path;	/* created empty; a byte per kernel-side failure */
	std::string trace;		/* --trace: a file, "-" for stderr, "" for none */
};
/*
 * With @inproc, no server: the program loads the kernel side itself
 * (embedded.cc) and only the debugfs directory is prepared here; the
 * result is the program's status as above.
 */
int ufd_server_run(const ufd_server_config &cfg, const std::vector<std::string> &argv,
		   const std::string &preload, const ufd_inproc_config *inproc = nullptr);
/*
 * --root: capable() answers as for root in the VM the kernel's selftests
 * are written for (CAP_SYS_RESOURCE for IOMMU_OPTION_RLIMIT_MODE, ...):
 * capabilities outside the bounding set (a container's) count as held.
 */
void ufd_grant_root_capabilities(void);
/* Creates the clients' debugfs directory with every attribute's knobs. */
int ufd_debugfs_prepare(const std::string &dir);
