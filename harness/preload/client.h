/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interposer's side of the protocol (harness/server/protocol.h): one
 * connection per thread and process, requests, and the descriptors the
 * server installs into us while it serves one.
 */
#pragma once

#include "harness/server/protocol.h"

#include <stddef.h>
#include <sys/types.h>

/* The real libc entry points the interposer itself uses. */
struct ufd_real {
	int (*open)(const char *path, int flags, ...);
	int (*openat)(int dirfd, const char *path, int flags, ...);
	int (*close)(int fd);
	int (*close_range)(unsigned int first, unsigned int last, int flags);
	int (*dup)(int fd);
	int (*dup2)(int oldfd, int newfd);
	int (*dup3)(int oldfd, int newfd, int flags);
	int (*fcntl)(int fd, int cmd, ...);
	int (*ioctl)(int fd, unsigned long req, ...);
	ssize_t (*read)(int fd, void *buf, size_t n);
	ssize_t (*write)(int fd, const void *buf, size_t n);
	ssize_t (*pread)(int fd, void *buf, size_t n, off_t off);
	ssize_t (*pwrite)(int fd, const void *buf, size_t n, off_t off);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
	int (*munmap)(void *addr, size_t len);
	int (*mprotect)(void *addr, size_t len, int prot);
	void *(*mremap)(void *old, size_t old_len, size_t new_len, int flags, ...);
	void *(*opendir)(const char *path);
	int (*closedir)(void *dir);
	void *(*fopen)(const char *path, const char *mode);
};
extern struct ufd_real ufd_real;
void ufd_real_init(void);

/*
 * Our count of mmap/munmap/mprotect/mremap calls, sent with every request
 * (protocol.h, maps_gen); bumped by ufd_maps_changed() after each.
 */
#include <atomic>
extern std::atomic<uint32_t> ufd_maps_gen;
void ufd_maps_changed(void);

/* Set when the process runs under a server (UIOMMUFD_SOCKET present). */
extern bool ufd_active;
/* The emulated debugfs directory. */
extern const char *ufd_debugfs_dir;

void ufd_client_init(void);

/* preload.cc: "/sys//kernel/debug/" -> "/sys/kernel/debug". */
void ufd_normalize_path(const char *in, char *out, size_t len);
/* sysroot.cc: @path in the machine's sysfs or /dev/vfio tree, if it is the platform's. */
bool ufd_sysroot_redirect(const char *path, char *out, size_t len);
/* sysroot.cc: a /dev/vfio device node (container, group, device cdev). */
bool ufd_vfio_node(const char *path);
/* A kernel side is reachable without loading one (a server, or ours loaded). */
bool ufd_client_engaged(void);
void ufd_client_atfork_prepare(void);
void ufd_client_atfork_unlock(void);
void ufd_client_atfork_child(void);

/*
 * Sends the request in p (op, token, arg[], payload) and waits for the
 * reply, installing descriptors the server hands over meanwhile. Returns
 * the reply's ret (a negative errno on failure) and leaves the reply in p;
 * -EIO if the server cannot be reached.
 */
long ufd_call(struct ufd_packet *p);
/* The same, keeping a descriptor the reply carries in *fd_out (else -1). */
long ufd_call_fd(struct ufd_packet *p, int *fd_out);
/* A request with no payload. */
long ufd_call_simple(enum ufd_op op, uint64_t token, uint64_t a0, uint64_t a1, uint64_t a2);

/* The process is exiting: let the server keep what it pinned. */
void ufd_client_exit(void);
/*
 * Closes every served file this process holds, each released by the
 * server before it returns (preload.cc; ufd_client_exit() calls it).
 */
void ufd_release_files(void);

/* Logs when UIOMMUFD_PRELOAD_DEBUG is set. */
void ufd_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
