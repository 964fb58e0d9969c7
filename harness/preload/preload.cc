// SPDX-License-Identifier: GPL-2.0
/*
 * libuiommufd_preload.so: run an unmodified program against uiommufd.
 *
 * Loaded with LD_PRELOAD by `uiommufd run`, it answers the handful of
 * paths a real kernel would answer differently:
 *   /dev/iommu                          a new iommufd, served by the server
 *   /proc/self/task/<tid>/fail-nth, /proc/<pid>/task/<tid>/fail-nth,
 *   /proc/thread-self/fail-nth          that task's fail-nth in the server
 *   /sys/kernel/debug/...               the server's fault-injection knobs
 *                                       and the drivers' debugfs files
 * and routes the descriptor calls the kernel would route to those files:
 * ioctl(), read()/write() (and p- variants), mmap()/munmap(), close() and
 * the dup family. Every other call goes straight to libc untouched, at
 * the cost of one table lookup. It also counts mmap/munmap/mprotect/mremap
 * (the server caches our memory map between changes), falls back from
 * MAP_HUGETLB when the host has no huge pages, and tells the server when
 * the process exits (atexit, destructor, _exit) so pinned pages outlive it.
 *
 * A served file is a real socket here, so the descriptor semantics are
 * the kernel's own (fork shares it, close drops one reference, poll and
 * epoll work); we only keep fd -> token so a request can name the file.
 * fail-nth and debugfs knobs are memfds we answer reads and writes for.
 *
 * Not covered (see Documentation/running-kselftests.md): readv/writev and
 * stdio's internal reads on fail-nth and knob descriptors (fopen() is
 * covered), stat() of /dev/iommu, and io_uring submissions that name a
 * served file for anything but read/write/poll.
 */
#include "client.h"
#include "fdtable.h"
#include "mmio_trap.h"
#include "core/eventq_user.h"

#include <atomic>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT extern "C" __attribute__((visibility("default")))

/* A forked child's copies of our mappings are not ours (see mapping_add()). */
void ufd_forget_mappings(void);

/* Collapses repeated and trailing slashes: "/sys//kernel/debug/" -> "/sys/kernel/debug". */
void ufd_normalize_path(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 1 < len; in++) {
		if (*in == '/' && o && out[o - 1] == '/')
			continue;
		out[o++] = *in;
	}
	while (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = 0;
}

namespace {

/* ---- the paths we answer ---- */

enum path_kind { P_OTHER, P_IOMMU, P_FAILNTH, P_DEBUGFS, P_STATUS, P_VFIO, P_SYSROOT };

struct path_info {
	enum path_kind kind;
	pid_t pid, tid;
	char rel[PATH_MAX];	/* P_DEBUGFS: path below the debugfs root, "" for the root;
				 * P_VFIO: the device node; P_SYSROOT: the path in the tree */
};

bool parse_pid(const char **s, pid_t *out)
{
	char *end;
	long v;

	if (**s < '0' || **s > '9')
		return false;
	v = strtol(*s, &end, 10);
	if (v <= 0 || v > INT_MAX)
		return false;
	*out = (pid_t)v;
	*s = end;
	return true;
}

void classify(const char *path, struct path_info *pi)
{
	static const char debugfs[] = "/sys/kernel/debug";
	char norm[PATH_MAX];
	const char *s;

	pi->kind = P_OTHER;
	if (!path || path[0] != '/')
		return;
	ufd_normalize_path(path, norm, sizeof(norm));
	if (!strcmp(norm, "/dev/iommu")) {
		pi->kind = P_IOMMU;
		return;
	}
	/* The machine's device nodes, then its sysfs and /dev/vfio (sysroot.cc). */
	if (ufd_vfio_node(norm)) {
		pi->kind = P_VFIO;
		snprintf(pi->rel, sizeof(pi->rel), "%s", norm);
		return;
	}
	if (ufd_sysroot_redirect(norm, pi->rel, sizeof(pi->rel))) {
		pi->kind = P_SYSROOT;
		return;
	}
	if (!strncmp(norm, debugfs, sizeof(debugfs) - 1) &&
	    (norm[sizeof(debugfs) - 1] == '/' || !norm[sizeof(debugfs) - 1])) {
		s = norm + sizeof(debugfs) - 1;
		if (*s == '/')
			s++;
		pi->kind = P_DEBUGFS;
		snprintf(pi->rel, sizeof(pi->rel), "%s", s);
		return;
	}
	if (!strcmp(norm, "/proc/thread-self/fail-nth")) {
		pi->kind = P_FAILNTH;
		pi->pid = getpid();
		pi->tid = (pid_t)syscall(SYS_gettid);
		return;
	}
	if (strncmp(norm, "/proc/", 6))
		return;
	s = norm + 6;
	if (!strncmp(s, "self/", 5)) {
		pi->pid = getpid();
		s += 5;
	} else if (!parse_pid(&s, &pi->pid) || *s++ != '/') {
		return;
	}
	if (!strcmp(s, "status")) {
		pi->kind = P_STATUS;
		return;
	}
	if (strncmp(s, "task/", 5))
		return;
	s += 5;
	if (!parse_pid(&s, &pi->tid) || strcmp(s, "/fail-nth"))
		return;
	pi->kind = P_FAILNTH;
}

/* "attr/knob" strings by index, for UFD_FD_KNOB and UFD_FD_DEBUGFS_DIR entries. */
char knob_names[256][96];
std::atomic<int> nr_knobs;
std::atomic_flag knob_lock = ATOMIC_FLAG_INIT;

int knob_index(const char *name)
{
	int i, n;

	if (strlen(name) >= sizeof(knob_names[0]))
		return -1;
	while (knob_lock.test_and_set(std::memory_order_acquire))
		;
	n = nr_knobs.load();
	for (i = 0; i < n; i++)
		if (!strcmp(knob_names[i], name))
			break;
	if (i == n && n < (int)(sizeof(knob_names) / sizeof(knob_names[0]))) {
		strcpy(knob_names[n], name);
		nr_knobs.store(n + 1);
	} else if (i == n) {
		i = -1;
	}
	knob_lock.clear(std::memory_order_release);
	return i;
}

int set_errno(long ret)
{
	if (ret >= 0)
		return (int)ret;
	errno = (int)-ret;
	return -1;
}

int fake_fd(int flags, const char *name)
{
	return (int)syscall(SYS_memfd_create, name, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
}

int open_failnth(const struct path_info *pi, int flags)
{
	char dir[64];
	struct stat st;
	int fd;

	/* The kernel's file exists exactly when the task does. */
	snprintf(dir, sizeof(dir), "/proc/%d/task/%d", pi->pid, pi->tid);
	if (stat(dir, &st))
		return set_errno(-ENOENT);
	if (flags & O_DIRECTORY)
		return set_errno(-ENOTDIR);
	fd = fake_fd(flags, "uiommufd-fail-nth");
	if (fd < 0)
		return -1;
	ufd_fd_set(fd, UFD_FD_FAILNTH, 0, (uint64_t)pi->pid << 24 | (uint64_t)pi->tid);
	return fd;
}

int open_debugfs(const char *rel, int flags, mode_t mode)
{
	char real[PATH_MAX * 2];
	struct stat st;
	int fd, idx;

	if (!ufd_debugfs_dir)
		return set_errno(-ENOENT);
	snprintf(real, sizeof(real), "%s/%s", ufd_debugfs_dir, rel);
	if (stat(real, &st))
		return set_errno(-ENOENT);
	if (S_ISDIR(st.st_mode)) {
		char prefix[PATH_MAX];

		fd = ufd_real.open(real, flags, mode);
		if (fd < 0)
			return fd;
		snprintf(prefix, sizeof(prefix), "%s%s", rel, rel[0] ? "/" : "");
		idx = knob_index(prefix);
		if (idx >= 0)
			ufd_fd_set(fd, UFD_FD_DEBUGFS_DIR, 0, (uint64_t)idx);
		return fd;
	}
	if (flags & O_DIRECTORY)
		return set_errno(-ENOTDIR);
	idx = knob_index(rel);
	if (idx < 0)
		return set_errno(-ENAMETOOLONG);
	fd = fake_fd(flags, "uiommufd-debugfs");
	if (fd < 0)
		return -1;
	ufd_fd_set(fd, UFD_FD_KNOB, 0, (uint64_t)idx);
	return fd;
}

/*
 * /proc/PID/status with what uiommufd pinned and accounted added to the
 * host's VmPin and VmLck (a kernel's pinned_vm and locked_vm count every
 * pinner; the host knows nothing of ours): the real file's text, patched,
 * in a memfd. -2 (libc's file) for a process uiommufd has not served, when
 * no kernel side is reachable from here without loading one, or for
 * anything but a plain read-only open.
 */
int open_status(const struct path_info *pi, int flags)
{
	char path[64], text[16384], out[sizeof(text) + 64];
	struct ufd_packet p;
	size_t o = 0;
	ssize_t n = 0, r;
	int fd;

	if ((flags & O_ACCMODE) != O_RDONLY || !ufd_client_engaged())
		return -2;
	memset(&p.m, 0, sizeof(p.m));
	p.m.op = UFD_OP_MM_COUNTERS;
	p.m.arg[0] = (uint64_t)pi->pid;
	if (ufd_call(&p) < 0)
		return -2;
	snprintf(path, sizeof(path), "/proc/%d/status", pi->pid);
	fd = ufd_real.open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (n < (ssize_t)sizeof(text) - 1 && (r = ufd_real.read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += r;
	ufd_real.close(fd);
	text[n] = 0;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
		unsigned long kib = ~0UL, ours = ~0UL;

		if (!strncmp(line, "VmPin:", 6))
			ours = p.m.arg[0];
		else if (!strncmp(line, "VmLck:", 6))
			ours = p.m.arg[1];
		if (ours != ~0UL)
			kib = strtoul(line + 6, nullptr, 10) + ours * (sysconf(_SC_PAGESIZE) / 1024);
		if (kib != ~0UL)
			o += snprintf(out + o, sizeof(out) - o, "%.6s\t%8lu kB\n", line, kib);
		else if (o + len < sizeof(out))
			memcpy(out + o, line, len), o += len;
		line += len;
	}
	fd = memfd_create("status", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd < 0)
		return -1;
	if (ufd_real.write(fd, out, o) != (ssize_t)o || lseek(fd, 0, SEEK_SET)) {
		ufd_real.close(fd);
		return -1;
	}
	return fd;
}

int open_iommu(int flags)
{
	return set_errno(ufd_call_simple(UFD_OP_OPEN, 0, (uint64_t)flags, 0, 0));
}

/* /dev/vfio/vfio, /dev/vfio/<group>, /dev/vfio/devices/vfio<N>: files of the kernel side. */
int open_vfio(const char *node, int flags)
{
	struct ufd_packet p;
	size_t len = strlen(node);

	if (flags & O_DIRECTORY)
		return set_errno(-ENOTDIR);
	memset(&p.m, 0, sizeof(p.m));
	p.m.op = UFD_OP_OPEN;
	p.m.arg[0] = (uint64_t)flags;
	p.m.len = (uint32_t)len;
	memcpy(p.payload, node, len);
	return set_errno(ufd_call(&p));
}

/* open()/openat() of path; -2 means "not ours, call libc". */
int try_open(int dirfd, const char *path, int flags, mode_t mode)
{
	struct path_info pi;

	if (!ufd_active || !path)
		return -2;
	if (path[0] != '/') {
		struct ufd_fd_entry dir;
		char rel[PATH_MAX];

		if (dirfd == AT_FDCWD)
			return -2;
		dir = ufd_fd_get_valid(dirfd);
		if (dir.kind != UFD_FD_DEBUGFS_DIR || dir.value >= (uint64_t)nr_knobs.load())
			return -2;
		snprintf(rel, sizeof(rel), "%s%s", knob_names[dir.value], path);
		ufd_normalize_path(rel, pi.rel, sizeof(pi.rel));
		return open_debugfs(pi.rel, flags, mode);
	}
	classify(path, &pi);
	switch (pi.kind) {
	case P_IOMMU:
		return open_iommu(flags);
	case P_FAILNTH:
		return open_failnth(&pi, flags);
	case P_DEBUGFS:
		return open_debugfs(pi.rel, flags, mode);
	case P_STATUS:
		return open_status(&pi, flags);
	case P_VFIO:
		return open_vfio(pi.rel, flags);
	case P_SYSROOT:
		return ufd_real.open(pi.rel, flags, mode);
	default:
		return -2;
	}
}

mode_t va_mode(int flags, va_list ap)
{
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return (mode_t)va_arg(ap, int);
	return 0;
}

/* ---- reads and writes of the emulated text files ---- */

/* simple_read_from_buffer(): the part of text at off. */
ssize_t read_text(const char *text, size_t len, void *buf, size_t n, off_t off)
{
	if (off < 0)
		return set_errno(-EINVAL);
	if ((size_t)off >= len)
		return 0;
	if (n > len - off)
		n = len - off;
	memcpy(buf, text + off, n);
	return (ssize_t)n;
}

/* kstrtouint(s, 0): optional '+', base prefix, one trailing newline. */
long parse_uint(const char *buf, size_t n, unsigned int *out)
{
	char tmp[32];
	unsigned long long v;
	char *end;

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, buf, n);
	tmp[n] = 0;
	if (n && tmp[n - 1] == '\n')
		tmp[--n] = 0;
	if (!n || tmp[0] == '-' || tmp[0] == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(tmp[0] == '+' ? tmp + 1 : tmp, &end, 0);
	if (*end || end == tmp)
		return -EINVAL;
	if (errno == ERANGE || v > UINT_MAX)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

ssize_t emu_read(int fd, struct ufd_fd_entry e, void *buf, size_t n, off_t off)
{
	struct ufd_packet p;
	long ret;

	memset(&p.m, 0, sizeof(p.m));
	if (e.kind == UFD_FD_FAILNTH) {
		char text[16];

		ret = ufd_call_simple(UFD_OP_FAIL_NTH_READ, 0, e.value & 0xffffff, 0, e.value >> 24);
		if (ret < 0)
			return set_errno(ret);
		snprintf(text, sizeof(text), "%u\n", (unsigned int)ret);
		return read_text(text, strlen(text), buf, n, off);
	}
	if (off < 0)
		return set_errno(-EINVAL);
	/* The server answers with the text at @off: a show file may outgrow one reply. */
	p.m.op = UFD_OP_DEBUGFS_READ;
	p.m.arg[0] = (uint64_t)off;
	p.m.len = (uint32_t)snprintf(p.payload, sizeof(p.payload), "%s", knob_names[e.value]) + 1;
	ret = ufd_call(&p);
	if (ret < 0)
		return set_errno(ret);
	return read_text(p.payload, (size_t)ret, buf, n, 0);
}

ssize_t emu_write(int fd, struct ufd_fd_entry e, const void *buf, size_t n)
{
	struct ufd_packet p;
	size_t plen;
	long ret;

	if (e.kind == UFD_FD_FAILNTH) {
		unsigned int v;

		ret = parse_uint((const char *)buf, n, &v);
		if (!ret)
			ret = ufd_call_simple(UFD_OP_FAIL_NTH_WRITE, 0, e.value & 0xffffff, v,
					      e.value >> 24);
		return ret < 0 ? set_errno(ret) : (ssize_t)n;
	}
	memset(&p.m, 0, sizeof(p.m));
	p.m.op = UFD_OP_DEBUGFS_WRITE;
	plen = (size_t)snprintf(p.payload, sizeof(p.payload), "%s", knob_names[e.value]) + 1;
	/* debugfs attributes take at most a short line. */
	if (n > 64)
		n = 64;
	memcpy(p.payload + plen, buf, n);
	p.payload[plen + n] = 0;
	p.m.len = (uint32_t)(plen + n + 1);
	ret = ufd_call(&p);
	return ret < 0 ? set_errno(ret) : (ssize_t)n;
}

bool emulated(struct ufd_fd_entry e)
{
	return e.kind == UFD_FD_FAILNTH || e.kind == UFD_FD_KNOB;
}

/* ---- descriptors going away ---- */

void closed_entry(struct ufd_fd_entry e)
{
	if (e.kind == UFD_FD_FILE)
		ufd_call_simple(UFD_OP_CLOSE_SYNC, e.value, 0, 0, 0);
}

/* A socket installed elsewhere (inherited over exec, received by SCM_RIGHTS). */
bool identify(int fd, struct ufd_fd_entry *e)
{
	struct ufd_packet p;
	struct stat st;

	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return false;
	memset(&p.m, 0, sizeof(p.m));
	p.m.op = UFD_OP_IDENTIFY;
	p.m.arg[0] = st.st_ino;
	p.m.arg[1] = st.st_dev;
	if (ufd_call(&p) < 0)
		return false;
	ufd_fd_set(fd, UFD_FD_FILE, (uint8_t)p.m.arg[0], p.m.token, (uint32_t)p.m.arg[1]);
	*e = ufd_fd_get(fd);
	return true;
}

void exit_hook(void) { ufd_client_exit(); }

void atfork_child(void)
{
	ufd_client_atfork_child();
	ufd_forget_mappings();
}

__attribute__((constructor(101))) void preload_init(void)
{
	ufd_client_init();
	if (!ufd_active)
		return;
	pthread_atfork(ufd_client_atfork_prepare, ufd_client_atfork_unlock, atfork_child);
	atexit(exit_hook);
}

__attribute__((destructor)) void preload_fini(void) { exit_hook(); }

} // namespace

/* ---- open ---- */

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	ufd_real_init();
	fd = try_open(AT_FDCWD, path, flags, mode);
	return fd != -2 ? fd : ufd_real.open(path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	return open(path, flags | O_LARGEFILE, mode);
}

EXPORT int __open_2(const char *path, int flags) { return open(path, flags); }
EXPORT int __open64_2(const char *path, int flags) { return open(path, flags | O_LARGEFILE); }

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	ufd_real_init();
	fd = try_open(dirfd, path, flags, mode);
	return fd != -2 ? fd : ufd_real.openat(dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	return openat(dirfd, path, flags | O_LARGEFILE, mode);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags | O_LARGEFILE);
}

/* ---- stdio and directories ---- */

namespace {

struct cookie {
	int fd;
	off_t pos;
};

ssize_t cookie_read(void *c, char *buf, size_t n)
{
	struct cookie *k = (struct cookie *)c;
	ssize_t rc = pread(k->fd, buf, n, k->pos);

	if (rc > 0)
		k->pos += rc;
	return rc;
}

ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	struct cookie *k = (struct cookie *)c;

	return write(k->fd, buf, n);
}

int cookie_seek(void *c, off64_t *off, int whence)
{
	struct cookie *k = (struct cookie *)c;

	if (whence == SEEK_SET)
		k->pos = *off;
	else if (whence == SEEK_CUR)
		k->pos += *off;
	else
		return -1;
	*off = k->pos;
	return 0;
}

int cookie_close(void *c)
{
	struct cookie *k = (struct cookie *)c;
	int rc = close(k->fd);

	free(k);
	return rc;
}

int fopen_flags(const char *mode)
{
	int flags = strchr(mode, '+') ? O_RDWR : (mode[0] == 'r' ? O_RDONLY : O_WRONLY);

	if (strchr(mode, 'e'))
		flags |= O_CLOEXEC;
	return flags;
}

} // namespace

EXPORT FILE *fopen(const char *path, const char *mode)
{
	struct path_info pi;
	int fd;

	ufd_real_init();
	if (!ufd_active || !path || !mode)
		return (FILE *)ufd_real.fopen(path, mode);
	classify(path, &pi);
	if (pi.kind == P_OTHER)
		return (FILE *)ufd_real.fopen(path, mode);
	if (pi.kind == P_SYSROOT)
		return (FILE *)ufd_real.fopen(pi.rel, mode);
	fd = try_open(AT_FDCWD, path, fopen_flags(mode), 0666);
	if (fd == -2)
		return (FILE *)ufd_real.fopen(path, mode);
	if (fd < 0)
		return nullptr;
	if (pi.kind == P_IOMMU || pi.kind == P_STATUS || pi.kind == P_VFIO)
		return fdopen(fd, mode);

	struct cookie *k = (struct cookie *)calloc(1, sizeof(*k));
	cookie_io_functions_t io = {cookie_read, cookie_write, cookie_seek, cookie_close};
	FILE *f;

	if (!k) {
		close(fd);
		return nullptr;
	}
	k->fd = fd;
	f = fopencookie(k, mode, io);
	if (!f) {
		close(fd);
		free(k);
	}
	return f;
}

EXPORT FILE *fopen64(const char *path, const char *mode) { return fopen(path, mode); }

EXPORT DIR *opendir(const char *path)
{
	struct path_info pi;
	DIR *d;
	int fd;

	ufd_real_init();
	if (!ufd_active)
		return (DIR *)ufd_real.opendir(path);
	classify(path, &pi);
	if (pi.kind == P_SYSROOT)
		return (DIR *)ufd_real.opendir(pi.rel);
	if (pi.kind != P_DEBUGFS)
		return (DIR *)ufd_real.opendir(path);
	fd = open_debugfs(pi.rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return nullptr;
	d = fdopendir(fd);
	if (!d) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return d;
}

EXPORT int closedir(DIR *d)
{
	ufd_real_init();
	ufd_fd_clear(dirfd(d));
	return ufd_real.closedir(d);
}

/* ---- descriptors ---- */

EXPORT int close(int fd)
{
	struct ufd_fd_entry e;
	int rc;

	ufd_real_init();
	e = ufd_fd_get(fd);
	if (e.kind == UFD_FD_NONE)
		return ufd_real.close(fd);
	if (e.kind == UFD_FD_CONTROL) {
		/* Not the program's: as far as it knows, nothing is open there. */
		errno = EBADF;
		return -1;
	}
	/* Forget first: once closed, the number may be reused by another thread. */
	ufd_fd_clear(fd);
	rc = ufd_real.close(fd);
	closed_entry(e);
	return rc;
}

namespace {

struct range_ctx {
	uint64_t tokens[256];
	unsigned int nr;
	bool overflow;
};

void collect_range(int fd, struct ufd_fd_entry e, void *arg)
{
	struct range_ctx *rc = (struct range_ctx *)arg;

	ufd_fd_clear(fd);
	if (e.kind != UFD_FD_FILE)
		return;
	if (rc->nr < sizeof(rc->tokens) / sizeof(rc->tokens[0]))
		rc->tokens[rc->nr++] = e.value;
	else
		rc->overflow = true;	/* the watcher releases those a little later */
}

struct exit_ctx {
	int fds[256];
	unsigned int nr;
};

void collect_served(int fd, struct ufd_fd_entry e, void *arg)
{
	auto *ctx = (struct exit_ctx *)arg;

	if (e.kind == UFD_FD_FILE && ctx->nr < sizeof(ctx->fds) / sizeof(ctx->fds[0]))
		ctx->fds[ctx->nr++] = fd;
}

} // namespace

void ufd_release_files(void)
{
	struct exit_ctx ctx = {};

	/* Batches: the table is walked again until no served file is left. */
	do {
		ctx.nr = 0;
		ufd_fd_for_each(0, INT_MAX, collect_served, &ctx);
		for (unsigned int i = 0; i < ctx.nr; i++)
			close(ctx.fds[i]);
	} while (ctx.nr == sizeof(ctx.fds) / sizeof(ctx.fds[0]));
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	struct range_ctx ctx = {};
	int rc;

	ufd_real_init();
	if (!ufd_real.close_range) {
		errno = ENOSYS;
		return -1;
	}
	if (!ufd_active || (flags & CLOSE_RANGE_CLOEXEC))
		return ufd_real.close_range(first, last, flags);
	ufd_fd_for_each((int)first, last > INT_MAX ? INT_MAX : (int)last, collect_range, &ctx);
	rc = ufd_real.close_range(first, last, flags);
	for (unsigned int i = 0; i < ctx.nr; i++)
		ufd_call_simple(UFD_OP_CLOSE_SYNC, ctx.tokens[i], 0, 0, 0);
	return rc;
}

EXPORT int dup(int fd)
{
	int newfd;

	ufd_real_init();
	newfd = ufd_real.dup(fd);
	if (newfd >= 0 && ufd_active)
		ufd_fd_copy(fd, newfd);
	return newfd;
}

namespace {

int do_dup3(int oldfd, int newfd, int flags, bool is_dup2)
{
	struct ufd_fd_entry replaced;
	int rc;

	ufd_real_init();
	if (!ufd_active)
		return is_dup2 ? ufd_real.dup2(oldfd, newfd) : ufd_real.dup3(oldfd, newfd, flags);
	if (is_dup2 && oldfd == newfd)
		return ufd_real.dup2(oldfd, newfd);
	replaced = ufd_fd_get(newfd);
	rc = is_dup2 ? ufd_real.dup2(oldfd, newfd) : ufd_real.dup3(oldfd, newfd, flags);
	if (rc < 0)
		return rc;
	ufd_fd_copy(oldfd, newfd);
	if (replaced.kind == UFD_FD_FILE)
		closed_entry(replaced);
	return rc;
}

} // namespace

EXPORT int dup2(int oldfd, int newfd) { return do_dup3(oldfd, newfd, 0, true); }
EXPORT int dup3(int oldfd, int newfd, int flags) { return do_dup3(oldfd, newfd, flags, false); }

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	int rc;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	ufd_real_init();
	rc = ufd_real.fcntl(fd, cmd, arg);
	if (rc >= 0 && ufd_active && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		ufd_fd_copy(fd, rc);
	return rc;
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl(fd, cmd, arg);
}

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	struct ufd_fd_entry e;
	va_list ap;
	void *arg;
	int rc;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	ufd_real_init();
	if (!ufd_active)
		return ufd_real.ioctl(fd, req, arg);
	e = ufd_fd_get(fd);
	if (e.kind == UFD_FD_FILE)
		e = ufd_fd_get_valid(fd);
	if (e.kind != UFD_FD_FILE) {
		rc = ufd_real.ioctl(fd, req, arg);
		/* iommufd and VFIO commands on a socket we did not see installed. */
		if (rc < 0 && errno == ENOTTY && _IOC_TYPE(req) == ';' && identify(fd, &e))
			goto served;
		return rc;
	}
served:
	/* do_vfs_ioctl() answers these for every file. */
	if (req == FIOCLEX || req == FIONCLEX || req == FIONBIO || req == FIOASYNC)
		return ufd_real.ioctl(fd, req, arg);
	return set_errno(ufd_call_simple(UFD_OP_IOCTL, e.value, req, (uint64_t)(uintptr_t)arg,
					 (uint64_t)fd));
}

EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	struct ufd_fd_entry e;

	ufd_real_init();
	e = ufd_fd_get(fd);
	if (e.kind == UFD_FD_NONE || !ufd_active)
		return ufd_real.read(fd, buf, n);
	e = ufd_fd_get_valid(fd);
	/* A device file reads at offsets only (VFIO regions): no position to read at. */
	if (e.kind == UFD_FD_FILE && (e.caps & UFD_FILE_POSRW))
		return set_errno(-ESPIPE);
	if (e.kind == UFD_FD_FILE && !(e.caps & UFD_FILE_READ))
		return set_errno(-EINVAL);
	/* A queue: whole records, never blocking, as the kernel's ->read(). */
	if (e.kind == UFD_FD_FILE && e.aux)
		return set_errno(iommufd_queue_read(fd, (int)e.aux, buf, n));
	if (emulated(e)) {
		off_t pos = lseek(fd, 0, SEEK_CUR);
		ssize_t rc = emu_read(fd, e, buf, n, pos);

		if (rc > 0)
			lseek(fd, pos + rc, SEEK_SET);
		return rc;
	}
	return ufd_real.read(fd, buf, n);
}

EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	struct ufd_fd_entry e;

	ufd_real_init();
	e = ufd_fd_get(fd);
	if (e.kind == UFD_FD_NONE || !ufd_active)
		return ufd_real.write(fd, buf, n);
	e = ufd_fd_get_valid(fd);
	if (e.kind == UFD_FD_FILE && (e.caps & UFD_FILE_POSRW))
		return set_errno(-ESPIPE);
	if (e.kind == UFD_FD_FILE) {
		if (!(e.caps & UFD_FILE_WRITE))
			return set_errno(-EINVAL);
		return set_errno(ufd_call_simple(UFD_OP_WRITE, e.value, (uintptr_t)buf, n, 0));
	}
	if (emulated(e))
		return emu_write(fd, e, buf, n);
	return ufd_real.write(fd, buf, n);
}

EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	struct ufd_fd_entry e;

	ufd_real_init();
	e = ufd_fd_get(fd);
	if (e.kind == UFD_FD_NONE || !ufd_active)
		return ufd_real.pread(fd, buf, n, off);
	e = ufd_fd_get_valid(fd);
	if (e.kind == UFD_FD_FILE && (e.caps & UFD_FILE_POSRW))
		return set_errno(ufd_call_simple(UFD_OP_PREAD, e.value, (uintptr_t)buf, n,
						 (uint64_t)off));
	if (e.kind == UFD_FD_FILE)
		return set_errno(-ESPIPE);
	if (emulated(e))
		return emu_read(fd, e, buf, n, off);
	return ufd_real.pread(fd, buf, n, off);
}

EXPORT ssize_t pread64(int fd, void *buf, size_t n, off_t off) { return pread(fd, buf, n, off); }

EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	struct ufd_fd_entry e;

	ufd_real_init();
	e = ufd_fd_get(fd);
	if (e.kind == UFD_FD_NONE || !ufd_active)
		return ufd_real.pwrite(fd, buf, n, off);
	e = ufd_fd_get_valid(fd);
	if (e.kind == UFD_FD_FILE && (e.caps & UFD_FILE_POSRW))
		return set_errno(ufd_call_simple(UFD_OP_PWRITE, e.value, (uintptr_t)buf, n,
						 (uint64_t)off));
	if (e.kind == UFD_FD_FILE)
		return set_errno(-ESPIPE);
	if (emulated(e))
		return emu_write(fd, e, buf, n);
	return ufd_real.pwrite(fd, buf, n, off);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite(fd, buf, n, off);
}

/*
 * Our mappings of served files, so that munmap() can tell the server the
 * VMA is gone. A forked child's copies are not ours (the atfork handler
 * forgets them): the server holds references for the parent's only.
 */
namespace {

struct served_mapping {
	uintptr_t addr;
	size_t len;
	uint64_t id;
	/* Device memory (MMIO): the file and the offset the mapping starts at. */
	bool mmio;
	uint64_t token;
	uint64_t off;
};

served_mapping mappings[256];
std::atomic_flag mappings_lock = ATOMIC_FLAG_INIT;

void mappings_acquire(void)
{
	while (mappings_lock.test_and_set(std::memory_order_acquire))
		;
}

served_mapping *mapping_add(void *addr, size_t len, uint64_t id)
{
	served_mapping *slot = nullptr;

	mappings_acquire();
	for (auto &m : mappings)
		if (!m.id) {
			m = {(uintptr_t)addr, (len + 4095) & ~(size_t)4095, id, false, 0, 0};
			slot = &m;
			break;
		}
	mappings_lock.clear(std::memory_order_release);
	return slot;
}

uint64_t mapping_take(void *addr, size_t len)
{
	uint64_t id = 0;

	mappings_acquire();
	for (auto &m : mappings)
		if (m.id && m.addr == (uintptr_t)addr && m.len == ((len + 4095) & ~(size_t)4095)) {
			/* No access may reach the device once the range is gone. */
			if (m.mmio)
				mmio_trap_unregister(addr, m.len);
			id = m.id;
			m.id = 0;
			break;
		}
	mappings_lock.clear(std::memory_order_release);
	return id;
}

/*
 * A load or store to a mapped BAR: the device file's read or write at the
 * mapping's offset plus the access's, synchronously, as the CPU's access
 * would reach the device. A refused access reads all-ones (mmio_trap.c).
 */
int mmio_access(void *cookie, uint64_t offset, unsigned size, int is_write, void *data)
{
	auto *m = (served_mapping *)cookie;
	long ret;

	ret = ufd_call_simple(is_write ? UFD_OP_PWRITE : UFD_OP_PREAD, m->token,
			      (uintptr_t)data, size, m->off + offset);
	return ret == (long)size ? 0 : -1;
}

} // namespace

void ufd_forget_mappings(void)
{
	for (auto &m : mappings)
		m.id = 0;
}

/*
 * MAP_HUGETLB with no huge pages reserved on the host fails with ENOMEM,
 * a property of the machine, not of the program. The kernel side sees
 * user memory 4 KiB at a time anyway, so an anonymous huge mapping becomes
 * a normal one aligned to the huge page size (and THP-advised): what the
 * tests that use it check about IOVA and alignment still holds.
 */
static void *hugetlb_fallback(void *addr, size_t len, int prot, int flags)
{
	unsigned int shift = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
	size_t huge = shift ? (size_t)1 << shift : 2UL << 20;
	int plain = flags & ~(MAP_HUGETLB | (MAP_HUGE_MASK << MAP_HUGE_SHIFT));
	uintptr_t start, aligned;
	char *p;

	len = (len + huge - 1) & ~(huge - 1);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
		return ufd_real.mmap(addr, len, prot, plain, -1, 0);
	p = (char *)ufd_real.mmap(nullptr, len + huge, prot, plain & ~MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return p;
	start = (uintptr_t)p;
	aligned = (start + huge - 1) & ~(uintptr_t)(huge - 1);
	if (aligned > start)
		munmap(p, aligned - start);
	if (aligned + len < start + len + huge)
		munmap((void *)(aligned + len), start + len + huge - (aligned + len));
	madvise((void *)aligned, len, MADV_HUGEPAGE);
	if (flags & MAP_POPULATE)
		madvise((void *)aligned, len, MADV_WILLNEED);
	if ((flags & MAP_POPULATE) && (prot & PROT_WRITE))
		for (size_t i = 0; i < len; i += 4096)
			((volatile char *)aligned)[i] = 0;
	ufd_debug("MAP_HUGETLB without huge pages: %zu bytes at %#lx, %zu-aligned", len,
		  (unsigned long)aligned, huge);
	return (void *)aligned;
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct ufd_fd_entry e;
	long ret;

	ufd_real_init();
	if (fd < 0 || !ufd_active || ufd_fd_get(fd).kind != UFD_FD_FILE) {
		void *p = ufd_real.mmap(addr, len, prot, flags, fd, off);

		if (p == MAP_FAILED && errno == ENOMEM && ufd_active && (flags & MAP_HUGETLB) &&
		    (flags & MAP_ANONYMOUS))
			p = hugetlb_fallback(addr, len, prot, flags);
		if (p != MAP_FAILED)
			ufd_maps_changed();
		return p;
	}
	e = ufd_fd_get_valid(fd);
	if (e.kind != UFD_FD_FILE)
		return ufd_real.mmap(addr, len, prot, flags, fd, off);
	struct ufd_packet p;

	memset(&p.m, 0, sizeof(p.m));
	p.m.op = UFD_OP_MMAP;
	p.m.token = e.value;
	p.m.arg[0] = len;
	p.m.arg[1] = (uint64_t)prot;
	p.m.arg[2] = (uint64_t)flags;
	p.m.arg[3] = (uint64_t)off;
	int memfd = -1;
	void *ptr;

	ret = ufd_call_fd(&p, &memfd);
	if (ret < 0) {
		errno = (int)-ret;
		return MAP_FAILED;
	}
	if (p.m.arg[0]) {
		/* Device memory: no page behind it, every access trapped and forwarded. */
		served_mapping *slot;

		ptr = ufd_real.mmap(addr, len, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS | (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)),
				    -1, 0);
		slot = ptr == MAP_FAILED ? nullptr : mapping_add(ptr, len, (uint64_t)ret);
		if (slot) {
			slot->token = e.value;
			slot->off = (uint64_t)off;
			slot->mmio = true;
			if (mmio_trap_register(ptr, (len + 4095) & ~(size_t)4095, mmio_access, slot)) {
				mapping_take(ptr, len);
				slot = nullptr;
			}
		}
		if (!slot) {
			int err = ptr == MAP_FAILED ? errno : ENOMEM;

			if (ptr != MAP_FAILED)
				ufd_real.munmap(ptr, len);
			ufd_call_simple(UFD_OP_MUNMAP, 0, (uint64_t)ret, 0, 0);
			errno = err;
			return MAP_FAILED;
		}
		ufd_maps_changed();
		return ptr;
	}
	/* The memory the kernel side maps, shared through a memfd (server/mmap.cc). */
	ptr = memfd < 0 ? MAP_FAILED : ufd_real.mmap(addr, len, prot, flags, memfd, 0);
	if (ptr == MAP_FAILED) {
		int err = memfd < 0 ? EIO : errno;

		ufd_call_simple(UFD_OP_MUNMAP, 0, (uint64_t)ret, 0, 0);
		if (memfd >= 0)
			ufd_real.close(memfd);
		errno = err;
		return MAP_FAILED;
	}
	ufd_real.close(memfd);
	mapping_add(ptr, len, (uint64_t)ret);
	ufd_maps_changed();
	return ptr;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

/* The server may cache our memory map between requests: tell it when it changes. */
EXPORT int munmap(void *addr, size_t len)
{
	uint64_t id = 0;
	int rc;

	ufd_real_init();
	if (ufd_active)
		id = mapping_take(addr, len);
	rc = ufd_real.munmap(addr, len);
	ufd_maps_changed();
	/* The end of a mapping of a served file: its VMA closes. */
	if (id && !rc)
		ufd_call_simple(UFD_OP_MUNMAP, 0, id, 0, 0);
	return rc;
}

EXPORT int mprotect(void *addr, size_t len, int prot)
{
	int rc;

	ufd_real_init();
	rc = ufd_real.mprotect(addr, len, prot);
	ufd_maps_changed();
	return rc;
}

EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	void *new_addr = nullptr;
	va_list ap;
	void *p;

	va_start(ap, flags);
	if (flags & MREMAP_FIXED)
		new_addr = va_arg(ap, void *);
	va_end(ap);
	ufd_real_init();
	p = ufd_real.mremap(old, old_len, new_len, flags, new_addr);
	ufd_maps_changed();
	return p;
}

/* ---- exit: the server keeps what this process still has pinned ---- */

EXPORT void _exit(int status)
{
	ufd_client_exit();
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

EXPORT void _Exit(int status) { _exit(status); }

/* ---- for uiommufd's own selftests (UFD_LEAKCHECK): the server's ledger ---- */

EXPORT unsigned long long ufd_leak_mark(void)
{
	long ret = ufd_call_simple(UFD_OP_LEAK_MARK, 0, 0, 0, 0);

	return ret < 0 ? 0 : (unsigned long long)ret;
}

EXPORT unsigned long ufd_leak_report(unsigned long long mark)
{
	long ret = ufd_call_simple(UFD_OP_LEAK_REPORT, 0, mark, 0, 0);

	return ret < 0 ? 0 : (unsigned long)ret;
}

EXPORT unsigned long ufd_harness_failures(void)
{
	long ret = ufd_call_simple(UFD_OP_FAILURES, 0, 0, 0, 0);

	return ret < 0 ? 0 : (unsigned long)ret;
}
