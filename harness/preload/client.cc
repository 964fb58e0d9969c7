// SPDX-License-Identifier: GPL-2.0
/*
 * Connections to the server, one per thread and process.
 *
 * A syscall always runs as the calling task; here a request must reach
 * the server thread that runs as the calling client thread. So each thread
 * opens its own connection on first use, and a forked child never uses
 * its parent's: the pid is checked on every request (fork() by raw syscall
 * skips atfork handlers), and the atfork handler closes the inherited
 * copies so the parent's server threads are not kept waiting on them.
 *
 * Our connection descriptors are moved high, out of the range a program
 * counts on (the lowest free descriptor is what open() and the iommufd's
 * own file descriptors must get).
 */
#include "client.h"
#include "fdtable.h"
#include "harness/server/embedded.h"
#include "harness/server/self_pid.h"
#include "harness/server/wire.h"
#include "mmio_trap.h"

#include <algorithm>
#include <atomic>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

struct ufd_real ufd_real;
bool ufd_active;
std::atomic<uint32_t> ufd_maps_gen{1};

void ufd_maps_changed(void)
{
	/* 0 means "unknown" to the server: skip it on wrap. */
	if (ufd_maps_gen.fetch_add(1, std::memory_order_relaxed) + 1 == 0)
		ufd_maps_gen.fetch_add(1, std::memory_order_relaxed);
}
const char *ufd_debugfs_dir;

namespace {

char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
bool debug;

/*
 * In-process (embedded.h): the kernel side as a library in this process.
 * kernel_pid is the process whose copy we may call (the one that loaded
 * it, or a child that inherited one with nothing served yet); a child of a
 * process that had served something is that process's client instead
 * (remote), over sock_path.
 */
const char *kernel_lib;
const char *run_dir;
pthread_mutex_t kernel_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * Requests hold it shared, fork() exclusive: no request is half done in
 * the kernel side when a child is made, so a child keeping its copy finds
 * no lock held by a thread it does not have.
 */
pthread_rwlock_t kernel_fork_lock = PTHREAD_RWLOCK_INITIALIZER;
std::atomic<pid_t> kernel_pid;
ufd_embedded_call_fn kernel_call;
ufd_embedded_fork_prepare_fn kernel_fork_prepare;
ufd_embedded_exit_fn kernel_exit;
ufd_embedded_forget_fn kernel_forget;
bool remote;
int fork_mode;		/* what the last fork prepare decided (embedded.h) */
bool fork_locked;	/* the prepare handler holds kernel_fork_lock */
char fork_path[sizeof(sock_path)];

/* This thread's connection, the process it was made in, and our tid there. */
__thread int tl_conn = -1;
__thread pid_t tl_pid;
__thread pid_t tl_tid;

/* Every connection of this process, for the atfork child to close. */
std::atomic<int> ctl_fds[512];
/* The process that last connected: only it has anything to say at exit. */
std::atomic<pid_t> connected_pid;
std::atomic<pid_t> exited_pid;

pthread_key_t conn_key;

struct conn_owner {
	int fd;
	pid_t pid;
};

pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

void ctl_register(int fd)
{
	for (auto &slot : ctl_fds) {
		int expected = -1;

		if (slot.compare_exchange_strong(expected, fd))
			return;
	}
}

void ctl_unregister(int fd)
{
	for (auto &slot : ctl_fds) {
		int expected = fd;

		if (slot.compare_exchange_strong(expected, -1))
			return;
	}
}

void conn_drop(int fd)
{
	ufd_fd_clear(fd);
	ctl_unregister(fd);
	ufd_real.close(fd);
}

/* Thread exit: its server thread can go too. */
void conn_key_dtor(void *p)
{
	struct conn_owner *o = (struct conn_owner *)p;

	if (o->pid == getpid() && o->fd >= 0 && ufd_fd_get(o->fd).kind == UFD_FD_CONTROL)
		conn_drop(o->fd);
	free(o);
}

int high_fd_floor(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < 64)
		return 3;
	return rl.rlim_cur > 1024 ? 1000 : (int)(rl.rlim_cur * 3 / 4);
}

int connect_server(void)
{
	struct sockaddr_un addr = {};
	struct ufd_packet p;
	int fd, hi;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, sock_path, sizeof(sock_path));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		static std::atomic<bool> told;

		ufd_debug("connect %s: %s", sock_path, strerror(errno));
		/* In-process, the state lived in our parent (embedded.h), now gone. */
		if (remote && !told.exchange(true)) {
			char msg[256];
			int n = snprintf(msg, sizeof(msg),
					 "uiommufd: pid %d: the process that held its iommufd state "
					 "has exited, and in-process the state goes with it (a "
					 "kernel keeps it): EIO; run with --server\n", getpid());

			(void)!ufd_real.write(2, msg, (size_t)n);
		}
		ufd_real.close(fd);
		return -1;
	}
	hi = ufd_real.fcntl(fd, F_DUPFD_CLOEXEC, high_fd_floor());
	if (hi >= 0) {
		ufd_real.close(fd);
		fd = hi;
	}
	memset(&p.m, 0, sizeof(p.m));
	p.m.op = UFD_OP_HELLO;
	p.m.pid = getpid();
	p.m.tid = my_tid();
	p.m.arg[0] = UFD_PROTO_VERSION;
	p.m.arg[1] = getuid();
	static_assert(sizeof(ufd_maps_gen) == sizeof(uint32_t), "read as a u32 by the server");
	p.m.arg[2] = (uint64_t)(uintptr_t)&ufd_maps_gen;
	if (ufd_wire_send(fd, &p, -1) || ufd_wire_recv(fd, &p, nullptr, ufd_real.close) <= 0 ||
	    p.m.op != UFD_OP_REPLY || p.m.ret) {
		ufd_debug("hello refused");
		ufd_real.close(fd);
		return -1;
	}
	ufd_fd_set(fd, UFD_FD_CONTROL, 0, 0);
	ctl_register(fd);
	connected_pid = getpid();

	struct conn_owner *o = (struct conn_owner *)pthread_getspecific(conn_key);
	if (!o) {
		o = (struct conn_owner *)malloc(sizeof(*o));
		if (o)
			pthread_setspecific(conn_key, o);
	}
	if (o) {
		o->fd = fd;
		o->pid = getpid();
	}
	return fd;
}

/* Checks the pid every time: fork() by raw syscall skips the atfork handler. */
int conn_get(void)
{
	pid_t pid = self_pid();

	if (tl_conn >= 0 && tl_pid == pid && ufd_fd_get(tl_conn).kind == UFD_FD_CONTROL)
		return tl_conn;
	tl_conn = connect_server();
	tl_pid = pid;
	tl_tid = my_tid();
	return tl_conn;
}

} // namespace

void ufd_debug(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (!debug)
		return;
	n = snprintf(line, sizeof(line), "uiommufd-preload[%d/%d]: ", getpid(), my_tid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!ufd_real.write(2, line, n);
}

namespace {

/* The kernel side made a file for us: sv[0] of its socketpair is our descriptor. */
long kernel_install(uint64_t token, unsigned int caps, int cloexec, unsigned int read_kind,
		    int fd)
{
	if (!cloexec)
		ufd_real.fcntl(fd, F_SETFD, 0);
	if (!ufd_fd_set(fd, UFD_FD_FILE, (uint8_t)caps, token, read_kind))
		return -EMFILE;
	ufd_debug("installed token %llu as fd %d", (unsigned long long)token, fd);
	return fd;
}

/*
 * The kernel side's faults in a BAR are its own (see mmio_trap_foreign_code()):
 * its user accesses there fail as on a VM_IO mapping instead of being
 * emulated, so pinning a BAR's addresses is -EFAULT, as for the kernel.
 */
void exclude_kernel_code(void *h)
{
	struct link_map *lm = nullptr;
	struct range {
		uintptr_t base;
		uintptr_t lo, hi;
	} r = {};

	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) || !lm)
		return;
	r.base = lm->l_addr;
	r.lo = UINTPTR_MAX;
	dl_iterate_phdr([](struct dl_phdr_info *info, size_t, void *arg) {
		auto *rr = (struct range *)arg;

		if (info->dlpi_addr != rr->base)
			return 0;
		for (int i = 0; i < info->dlpi_phnum; i++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

			if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
				continue;
			rr->lo = std::min(rr->lo, (uintptr_t)(info->dlpi_addr + ph->p_vaddr));
			rr->hi = std::max(rr->hi, (uintptr_t)(info->dlpi_addr + ph->p_vaddr +
							      ph->p_memsz));
		}
		return 1;
	}, &r);
	if (r.lo < r.hi && mmio_trap_foreign_code(r.lo, r.hi))
		ufd_debug("cannot exclude the kernel library's code from MMIO trapping");
}

/* Loads the kernel side into this process once. */
bool kernel_load(void)
{
	struct ufd_embedded_hooks hooks = {kernel_install, high_fd_floor()};
	ufd_embedded_init_fn init;
	void *h;

	pthread_mutex_lock(&kernel_lock);
	if (kernel_pid.load() == getpid())
		goto out;
	/*
	 * A sanitizer runtime kills the process on an RTLD_DEEPBIND dlopen,
	 * and without it the library's own libc calls would come back here.
	 * `uiommufd run` sends such programs to --server; one it could not
	 * tell (started by another program) gets EIO and the reason.
	 */
	for (const char *rt : {UFD_SANITIZER_RUNTIMES}) {
		if (dlsym(RTLD_DEFAULT, rt)) {
			char msg[256];
			int n = snprintf(msg, sizeof(msg),
					 "uiommufd: pid %d runs under a sanitizer (%s), which "
					 "cannot host the in-process kernel side: EIO; run with "
					 "--server\n", getpid(), rt);

			(void)!ufd_real.write(2, msg, (size_t)n);
			goto out;
		}
	}
	h = dlopen(kernel_lib, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
	if (!h) {
		ufd_debug("dlopen %s: %s", kernel_lib, dlerror());
		goto out;
	}
	init = (ufd_embedded_init_fn)dlsym(h, "ufd_embedded_init");
	kernel_call = (ufd_embedded_call_fn)dlsym(h, "ufd_embedded_call");
	kernel_fork_prepare = (ufd_embedded_fork_prepare_fn)dlsym(h, "ufd_embedded_fork_prepare");
	kernel_exit = (ufd_embedded_exit_fn)dlsym(h, "ufd_embedded_exit");
	kernel_forget = (ufd_embedded_forget_fn)dlsym(h, "ufd_embedded_forget");
	if (!init || !kernel_call || !kernel_fork_prepare || !kernel_exit || !kernel_forget ||
	    init(&hooks)) {
		ufd_debug("%s: not a usable kernel library", kernel_lib);
		kernel_call = nullptr;
		goto out;
	}
	exclude_kernel_code(h);
	kernel_pid = getpid();
out:
	pthread_mutex_unlock(&kernel_lock);
	return kernel_pid.load() == getpid();
}

/* gettid() once per thread and process (a forked child's thread is new). */
pid_t cached_tid(pid_t pid)
{
	static __thread pid_t tid_pid, tid;

	if (tid_pid != pid) {
		tid = my_tid();
		tid_pid = pid;
	}
	return tid;
}

long kernel_call_fd(struct ufd_packet *p, int *fd_out)
{
	pid_t pid = self_pid();

	if (fd_out)
		*fd_out = -1;
	if (kernel_pid.load(std::memory_order_relaxed) != pid && !kernel_load())
		return -EIO;
	p->m.pid = pid;
	p->m.tid = cached_tid(pid);
	p->m.maps_gen = ufd_maps_gen.load(std::memory_order_relaxed);
	pthread_rwlock_rdlock(&kernel_fork_lock);
	long ret = kernel_call(p, fd_out);
	pthread_rwlock_unlock(&kernel_fork_lock);
	return ret;
}

} // namespace

long ufd_call(struct ufd_packet *p) { return ufd_call_fd(p, nullptr); }

long ufd_call_fd(struct ufd_packet *p, int *fd_out)
{
	int conn;

	if (kernel_lib && !remote)
		return kernel_call_fd(p, fd_out);
	conn = conn_get();

	if (conn < 0)
		return -EIO;
	p->m.pid = tl_pid;
	p->m.tid = tl_tid;
	p->m.maps_gen = ufd_maps_gen.load(std::memory_order_relaxed);
	if (ufd_wire_send(conn, p, -1))
		goto broken;
	for (;;) {
		int fd = -1;
		ssize_t n = ufd_wire_recv(conn, p, &fd, ufd_real.close);

		if (n <= 0)
			goto broken;
		if (p->m.op == UFD_OP_INSTALL_FD) {
			uint64_t token = p->m.token;
			long ret;

			if (fd < 0) {
				/* The descriptor was dropped: our table is full. */
				ret = -EMFILE;
			} else {
				if (!(p->m.arg[1] & O_CLOEXEC))
					ufd_real.fcntl(fd, F_SETFD, 0);
				ufd_fd_set(fd, UFD_FD_FILE, (uint8_t)p->m.arg[0], token,
					   (uint32_t)p->m.arg[2]);
				ret = fd;
			}
			ufd_debug("installed token %llu as fd %ld", (unsigned long long)token, ret);
			memset(&p->m, 0, sizeof(p->m));
			p->m.op = UFD_OP_INSTALL_ACK;
			p->m.ret = ret;
			if (ufd_wire_send(conn, p, -1))
				goto broken;
			continue;
		}
		if (fd_out)
			*fd_out = fd;
		else if (fd >= 0)
			ufd_real.close(fd);
		if (p->m.op != UFD_OP_REPLY)
			goto broken;
		return p->m.ret;
	}
broken:
	ufd_debug("connection to the server lost");
	conn_drop(conn);
	tl_conn = -1;
	return -EIO;
}

long ufd_call_simple(enum ufd_op op, uint64_t token, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct ufd_packet p;

	memset(&p.m, 0, sizeof(p.m));
	p.m.op = op;
	p.m.token = token;
	p.m.arg[0] = a0;
	p.m.arg[1] = a1;
	p.m.arg[2] = a2;
	return ufd_call(&p);
}

void ufd_client_exit(void)
{
	pid_t pid = getpid();

	/* The kernel side in this process: it goes with us; say so if it is still used. */
	if (kernel_lib && !remote && kernel_pid.load() == pid && kernel_exit) {
		if (exited_pid.exchange(pid) != pid)
			kernel_exit();
		return;
	}
	/* Only a process that talked to the server can have pinned anything. */
	if (!ufd_active || connected_pid.load() != pid || exited_pid.exchange(pid) == pid)
		return;
	/*
	 * A kernel has released a dying process's files (exit_files()) by the
	 * time its parent's wait() returns: an exclusive file it held (a VFIO
	 * group, a bound device) is free for the parent's next child. Left to
	 * the hang-ups of its sockets, the server would see them some time
	 * after the process is gone, and that child would get EBUSY.
	 */
	ufd_release_files();
	ufd_call_simple(UFD_OP_EXIT, 0, 0, 0, 0);
}

bool ufd_client_engaged(void)
{
	return !kernel_lib || remote || kernel_pid.load() == self_pid();
}

void ufd_client_atfork_prepare(void)
{
	fork_mode = 0;
	if (!kernel_lib || remote)
		return;
	/*
	 * Load it now if not yet: the child then starts with a copy instead of
	 * loading its own (the kernel's selftest harness forks once per test,
	 * from a parent that never opens /dev/iommu itself).
	 */
	if (kernel_pid.load() != getpid() && !kernel_load())
		return;
	pthread_rwlock_wrlock(&kernel_fork_lock);
	fork_locked = true;
	if (snprintf(fork_path, sizeof(fork_path), "%s/host-%d.sock", run_dir ? run_dir : "/tmp",
		     getpid()) >= (int)sizeof(fork_path))
		fork_mode = -ENAMETOOLONG;
	else
		fork_mode = kernel_fork_prepare(fork_path);
	if (fork_mode < 0) {
		char msg[256];
		int n = snprintf(msg, sizeof(msg),
				 "uiommufd: pid %d: cannot serve its children its iommufd state "
				 "(%s); theirs fail with EIO\n", getpid(), strerror(-fork_mode));

		(void)!ufd_real.write(2, msg, (size_t)n);
	}
}

/* After fork(), in the parent. */
void ufd_client_atfork_unlock(void)
{
	if (fork_locked) {
		fork_locked = false;
		pthread_rwlock_unlock(&kernel_fork_lock);
	}
}

void ufd_client_atfork_child(void)
{
	/* Ours alone now, whoever held it: a fresh one rather than an unlock by another tid. */
	if (fork_locked) {
		fork_locked = false;
		pthread_rwlock_init(&kernel_fork_lock, nullptr);
	}
	/* Our parent holds iommufd state we share: be its client (embedded.h). */
	if (fork_mode != 0) {
		/* A parent that could not listen leaves us an address that fails: EIO. */
		remote = true;
		if (fork_mode > 0)
			memcpy(sock_path, fork_path, sizeof(sock_path));
		else
			sock_path[0] = 0;
		kernel_pid = 0;
		kernel_forget();
	} else if (kernel_lib && !remote && kernel_call) {
		/* Nothing served yet: the copy we were born with is ours. */
		kernel_pid = getpid();
	}
	for (auto &slot : ctl_fds) {
		int fd = slot.exchange(-1);

		if (fd >= 0) {
			ufd_fd_clear(fd);
			ufd_real.close(fd);
		}
	}
	tl_conn = -1;
}

#define REAL(name) ufd_real.name = (decltype(ufd_real.name))dlsym(RTLD_NEXT, #name)

void ufd_real_init(void)
{
	if (ufd_real.open)
		return;
	REAL(openat);
	REAL(close);
	REAL(close_range);
	REAL(dup);
	REAL(dup2);
	REAL(dup3);
	REAL(fcntl);
	REAL(ioctl);
	REAL(read);
	REAL(write);
	REAL(pread);
	REAL(pwrite);
	REAL(mmap);
	REAL(munmap);
	REAL(mprotect);
	REAL(mremap);
	REAL(opendir);
	REAL(closedir);
	REAL(fopen);
	REAL(open);
}

void ufd_client_init(void)
{
	const char *path = getenv(UFD_ENV_SOCKET);
	const char *spid = getenv(UFD_ENV_SERVER_PID);

	ufd_real_init();
	debug = getenv(UFD_ENV_TRACE_CLIENT) != nullptr;
	for (auto &slot : ctl_fds)
		slot = -1;
	kernel_lib = getenv(UFD_ENV_KERNEL_LIB);
	if (kernel_lib && *kernel_lib) {
		run_dir = getenv(UFD_ENV_RUNDIR);
		ufd_debugfs_dir = getenv(UFD_ENV_DEBUGFS);
		pthread_key_create(&conn_key, conn_key_dtor);
		ufd_active = true;
		return;
	}
	kernel_lib = nullptr;
	if (!path || strlen(path) >= sizeof(sock_path)) {
		ufd_debug("no server: %s not set", UFD_ENV_SOCKET);
		return;
	}
	strcpy(sock_path, path);
	ufd_debugfs_dir = getenv(UFD_ENV_DEBUGFS);
	pthread_key_create(&conn_key, conn_key_dtor);
	/* Under Yama ptrace_scope=1 the server may read us only if we say so. */
	if (spid)
		prctl(PR_SET_PTRACER, (unsigned long)atol(spid), 0, 0, 0);
	ufd_active = true;
}
