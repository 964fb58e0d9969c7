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

struct ufd_server_config {
	/* Where to listen; created (the directory must exist and be private). */
	std::string socket_path;
	/* Directory that becomes the clients' /sys/kernel/debug; created. */
	std::string debugfs_dir;
	/* One decoded line per ioctl, or NULL. */
	FILE *trace = nullptr;
	/* open("/dev/iommu"): a new file with one reference, or an ERR_PTR. */
	struct file *(*open_iommu)(void) = nullptr;
};

/* Starts listening and serving. 0 or -errno. */
int ufd_server_start(const ufd_server_config &cfg);
/*
 * Stops: no new connections, existing ones are shut down, and every file
 * still open in a client is released (as if all clients had exited).
 */
void ufd_server_stop(void);
/* Some client still holds a served file or a connection. */
bool ufd_server_busy(void);
/* Kernel-side tripwires (WARN, leaks, lockdep...) reported while serving. */
unsigned long ufd_server_failures(void);
/* Clients served so far (processes that said hello). */
unsigned long ufd_server_clients(void);

/*
 * Starts the server, runs argv with the interposer (preload) and the
 * server in its environment, serves until it and every process it started
 * have exited, stops the server. Returns the program's exit status
 * (128+signal if killed; 125-127 if it could not be started).
 */
int ufd_server_run(const ufd_server_config &cfg, const std::vector<std::string> &argv,
		   const std::string &preload);
