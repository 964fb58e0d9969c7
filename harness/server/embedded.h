/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the interposer (harness/preload) and the kernel
 * side it loads into the program's own process (embedded.cc). C linkage
 * and plain types: the interposer dlopen()s the library by path and looks
 * these up by name.
 */
#ifndef UIOMMUFD_EMBEDDED_H
#define UIOMMUFD_EMBEDDED_H

#include "harness/server/protocol.h"

/* Environment of a client started by `uiommufd run` in-process (the default). */
#define UFD_ENV_KERNEL_LIB "UIOMMUFD_KERNEL_LIB"	/* path of libuiommufd_kernel.so */
#define UFD_ENV_TRACE "UIOMMUFD_TRACE"		/* --trace: a file, or "-" for stderr */
#define UFD_ENV_FAILURES "UIOMMUFD_FAILURES"	/* a byte per kernel-side failure */
#define UFD_ENV_RUNDIR "UIOMMUFD_RUNDIR"	/* private directory for sockets */
#define UFD_ENV_ROOT "UIOMMUFD_ROOT"		/* --root: ufd_grant_root_capabilities() */

#define UFD_EMBEDDED_EXPORT __attribute__((visibility("default")))

/*
 * Entry points of the sanitizer runtimes, which refuse the RTLD_DEEPBIND
 * the library is loaded with: a program naming one goes to --server.
 */
#define UFD_SANITIZER_RUNTIMES "__asan_init", "__tsan_init", "__msan_init", "__hwasan_init"

struct ufd_embedded_hooks {
	/*
	 * The kernel side made a file for the calling thread: @fd (ours now)
	 * becomes the user's descriptor for @token (INSTALL_FD in protocol.h
	 * says what the rest mean). Returns the descriptor number or -errno.
	 */
	long (*install)(uint64_t token, unsigned int caps, int cloexec, unsigned int read_kind,
			int fd);
	/* Where the kernel side's own descriptors go (file_set_kernel_fd_floor). */
	int fd_floor;
};

#ifdef __cplusplus
extern "C" {
#endif
typedef int (*ufd_embedded_init_fn)(const struct ufd_embedded_hooks *hooks);
/* A request (protocol.h) served as the calling thread; see ufd_server_call_local(). */
typedef long (*ufd_embedded_call_fn)(struct ufd_packet *p, int *fd_out);
/*
 * Before fork(): 0 if the child may keep its copy of the kernel side as
 * its own (nothing served yet), 1 if it must be a client of this process,
 * now listening on @socket_path; -errno if listening failed.
 */
typedef int (*ufd_embedded_fork_prepare_fn)(const char *socket_path);
/* The process is exiting: warns if other processes still use its state. */
typedef void (*ufd_embedded_exit_fn)(void);
/* In a child that is its parent's client: drop the copy's descriptors. */
typedef void (*ufd_embedded_forget_fn)(void);
#ifdef __cplusplus
}
#endif

#endif

