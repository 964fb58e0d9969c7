// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side inside the user's process: libuiommufd_kernel.so.
 *
 * A round trip to the server process costs 10-30 us (two context switches
 * and the process_vm_readv/writev of every user copy); the kernel's own
 * selftests make a quarter of a million ioctls. So `uiommufd run` by
 * default has the interposer dlopen() this library on the first request
 * and serve the request by a function call, as the calling thread of its
 * own process: user copies are plain loads and stores, pinned pages are
 * the program's own.
 *
 * It is the same server (server.cc, files.cc, ...): every file handed out
 * is still one end of a socketpair, so dup, close, poll and the last-close
 * hang-up work as before, and the calling thread is "a connection" whose
 * nested INSTALL_FD is answered by the interposer's hook instead of a
 * socket.
 *
 * Processes. An iommufd is shared by every process holding its
 * descriptor; the kernel's own tests fork with one open (fork_gone,
 * fork_present, change_process). The interposer's atfork prepare asks
 * ufd_embedded_fork_prepare() first:
 *  - nothing served yet (no file, no thread, no descriptor of ours: the
 *    state is only a few fault-injection knobs): the child keeps its copy
 *    and goes on in-process on its own, as the knobs are global;
 *  - otherwise this process starts listening, and the child becomes a
 *    client of it exactly as of a server process (its memory is reached
 *    with process_vm_readv, its pinned pages are kept when it exits).
 * A parent that exits while a child still uses its iommufd takes the
 * state with it (a kernel would keep it); Documentation/running-kselftests.md
 * lists that difference. `uiommufd run --server` keeps everything in a
 * separate process instead.
 *
 * Built without sanitizers (a sanitizer runtime must be the first library
 * of a process, and the program is not ours), with every symbol hidden
 * but the entry points below and -Bsymbolic, so the program's own globals (the
 * kernel's tests define PAGE_SIZE, buffer, ...) cannot interpose on ours.
 */
#include "harness/server/embedded.h"
#include "harness/server/server.h"
#include "harness/server/server_internal.h"

#include "harness/file.h"
#include "harness/mm.h"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

/* core/main.cc: open("/dev/iommu"); core/eventq.cc: how a queue file reads. */
struct file *iommufd_fops_open(void);
/* drivers/vfio: open() of /dev/vfio/...; harness/platform: the machine. */
struct file *vfio_open_path(const char *path, unsigned int flags);
int vfio_pci_boot_platform(std::string *err);
int iommufd_eventq_file_kind(struct file *filep);

namespace {

struct ufd_embedded_hooks hooks;

long local_nested(struct ufd_packet *p, int pass_fd)
{
	if (p->m.op != UFD_OP_INSTALL_FD || pass_fd < 0 || !hooks.install)
		return -EPROTO;
	return hooks.install(p->m.token, (unsigned int)p->m.arg[0], (int)p->m.arg[1],
			     (unsigned int)p->m.arg[2], pass_fd);
}

FILE *open_trace(const char *where)
{
	int fd;

	if (!where || !*where)
		return nullptr;
	if (!strcmp(where, "-"))
		fd = dup(2);
	else
		fd = open(where, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	fd = kernel_fd_hide(fd);
	return fd < 0 ? nullptr : fdopen(fd, "a");
}

} // namespace

extern "C" {

UFD_EMBEDDED_EXPORT int ufd_embedded_init(const struct ufd_embedded_hooks *h)
{
	const char *debugfs = getenv(UFD_ENV_DEBUGFS);
	const char *failures = getenv(UFD_ENV_FAILURES);
	ufd_server_config cfg;

	hooks = *h;
	file_set_kernel_fd_floor(h->fd_floor);
	if (getenv(UFD_ENV_ROOT))
		ufd_grant_root_capabilities();
	cfg.debugfs_dir = debugfs ? debugfs : "";
	cfg.failures_path = failures ? failures : "";
	cfg.trace = open_trace(getenv(UFD_ENV_TRACE));
	cfg.open_iommu = iommufd_fops_open;
	cfg.open_path = vfio_open_path;
	cfg.boot = vfio_pci_boot_platform;
	cfg.read_kind = iommufd_eventq_file_kind;
	cfg.local_nested = local_nested;
	return ufd_server_init(cfg);
}

UFD_EMBEDDED_EXPORT long ufd_embedded_call(struct ufd_packet *p, int *fd_out)
{
	return ufd_server_call_local(p, fd_out);
}

UFD_EMBEDDED_EXPORT int ufd_embedded_fork_prepare(const char *socket_path)
{
	if (ufd_files_quiescent())
		return 0;
	return ufd_server_listen(socket_path) ?: 1;
}

UFD_EMBEDDED_EXPORT void ufd_embedded_forget(void) { ufd_server_forget(); }

UFD_EMBEDDED_EXPORT void ufd_embedded_exit(void)
{
	unsigned long clients = ufd_server_connections();

	/* A kernel would keep the state for them (running-kselftests.md). */
	if (clients)
		fprintf(stderr, "uiommufd: pid %d exits while %lu connection(s) of its forked "
				"children still use its iommufd state, which goes with it; run "
				"with --server to keep it\n", getpid(), clients);
}

} // extern "C"
