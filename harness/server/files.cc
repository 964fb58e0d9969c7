// SPDX-License-Identifier: GPL-2.0
/*
 * Files handed to clients, and the watcher that sees them go.
 *
 * Every file the kernel side installs while serving a client becomes a
 * socketpair: the client gets one end (through SCM_RIGHTS, so its number is
 * whatever the client's lowest free descriptor is, as with
 * get_unused_fd_flags()), we keep the other. The client end is the open
 * file description: dup, fork, SCM_RIGHTS to a third process and close all
 * work on it natively, and when its last reference goes our end hangs up.
 * The served entry holds one file reference for all client descriptors and
 * drops it on that hang-up, exactly once, so ->release() runs when the
 * kernel's would: after the last close and after every in-flight ioctl.
 *
 * A client that closes a descriptor asks (CLOSE_SYNC) whether that was the
 * last one; if so the release runs before close() returns, as the
 * kernel's __fput does before returning to user space. A descriptor named
 * by number inside an ioctl is looked up in the client's own table with
 * pidfd_getfd() and matched by socket inode, so the kernel side sees what
 * the number means in that process right now.
 *
 * Files without ->read get one byte in the client's receive queue so that
 * poll() reports them readable and writable, like DEFAULT_POLLMASK; read()
 * on them is answered by the interposer (-EINVAL, like the VFS).
 */
#include "harness/server/server_internal.h"

#include "harness/bug.h"
#include "harness/err.h"
#include "harness/file.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

std::mutex served_lock;
std::unordered_map<u64, std::shared_ptr<ufd_served>> by_token;
std::unordered_map<ino_t, std::shared_ptr<ufd_served>> by_ino;
u64 next_token = 1;

int epfd = -1;
int wake_fd = -1;
std::thread watcher;
std::atomic<bool> watcher_stop;
std::once_flag watcher_once;
std::atomic<bool> watcher_started;

constexpr u64 TAG_WAKE = ~0ULL;
constexpr u64 TAG_PROC = 1ULL << 62;

} // namespace

static int watcher_start(void);

unsigned int ufd_file_caps(const struct file *f)
{
	unsigned int caps = 0;

	/*
	 * A queue file's records travel through its socket; a device file
	 * (VFIO) is read and written at offsets, each access a request.
	 */
	if (f->f_mode & (FMODE_PREAD | FMODE_PWRITE))
		return UFD_FILE_POSRW | ((f->f_op && f->f_op->mmap) ? UFD_FILE_MMAP : 0);
	if (f->f_op && f->f_op->read)
		caps |= UFD_FILE_READ;
	if (f->f_op && f->f_op->write)
		caps |= UFD_FILE_WRITE;
	if (f->f_op && f->f_op->mmap)
		caps |= UFD_FILE_MMAP;
	return caps;
}

static std::shared_ptr<ufd_served> served_find(u64 token)
{
	std::lock_guard<std::mutex> g(served_lock);
	auto it = by_token.find(token);

	return it == by_token.end() ? nullptr : it->second;
}

unsigned long ufd_served_count(void)
{
	std::lock_guard<std::mutex> g(served_lock);

	return by_token.size();
}

/* Drops the clients' reference once; a second caller waits for the first. */
static void served_release(const std::shared_ptr<ufd_served> &sf)
{
	{
		std::unique_lock<std::mutex> g(sf->lock);

		if (sf->state.load() != UFD_LIVE) {
			sf->released.wait(g, [&] { return sf->state.load() == UFD_RELEASED; });
			return;
		}
		sf->state = UFD_RELEASING;
	}
	epoll_ctl(epfd, EPOLL_CTL_DEL, sf->kernel_fd, nullptr);
	if (ufd_cfg && ufd_cfg->trace)
		ufd_trace_printf("close(%s token %llu): last descriptor gone, released",
				 sf->file->name ? sf->file->name : "file",
				 (unsigned long long)sf->token);
	fput(sf->file);
	{
		std::lock_guard<std::mutex> g(sf->lock);

		sf->state = UFD_RELEASED;
	}
	sf->released.notify_all();
	/*
	 * Only now: a CLOSE_SYNC racing with us must find the entry to wait
	 * for the release to finish.
	 */
	{
		std::lock_guard<std::mutex> g(served_lock);

		by_token.erase(sf->token);
		auto it = by_ino.find(sf->client_ino);
		if (it != by_ino.end() && it->second == sf)
			by_ino.erase(it);
	}
}

struct file *ufd_served_fget(u64 token)
{
	std::shared_ptr<ufd_served> sf = served_find(token);

	if (!sf)
		return nullptr;
	std::lock_guard<std::mutex> g(sf->lock);
	if (sf->state.load() != UFD_LIVE)
		return nullptr;
	return get_file(sf->file);
}

long ufd_served_identify(u64 ino, u64 dev, u64 *token, unsigned int *caps,
			 unsigned int *read_kind)
{
	std::lock_guard<std::mutex> g(served_lock);
	auto it = by_ino.find((ino_t)ino);

	if (it == by_ino.end() || it->second->client_dev != (dev_t)dev ||
	    it->second->state.load() != UFD_LIVE)
		return -ENOENT;
	*token = it->second->token;
	*caps = ufd_file_caps(it->second->file);
	*read_kind = ufd_cfg->read_kind ? (unsigned int)ufd_cfg->read_kind(it->second->file) : 0;
	return 0;
}

void ufd_served_close_sync(u64 token)
{
	std::shared_ptr<ufd_served> sf = served_find(token);
	bool hup;

	if (!sf)
		return;
	{
		std::lock_guard<std::mutex> g(sf->lock);
		struct pollfd pfd = {sf->kernel_fd, POLLRDHUP, 0};

		if (sf->state.load() != UFD_LIVE) {
			hup = true;	/* being released: wait for it below */
		} else {
			hup = poll(&pfd, 1, 0) > 0 &&
			      (pfd.revents & (POLLHUP | POLLRDHUP | POLLERR));
		}
	}
	if (hup)
		served_release(sf);
}

void ufd_served_release_all(void)
{
	std::vector<std::shared_ptr<ufd_served>> all;

	{
		std::lock_guard<std::mutex> g(served_lock);

		for (auto &it : by_token)
			all.push_back(it.second);
	}
	for (auto &sf : all)
		served_release(sf);
}

/* ---- the file_fd_ops behind fd_install_new()/fget() while serving ---- */

static bool served_serving(void) { return ufd_serving != nullptr; }

static int served_install(struct file *f, unsigned int flags)
{
	struct ufd_conn *conn = ufd_serving;
	struct ufd_packet *p;
	struct epoll_event ev = {};
	struct stat st;
	unsigned int caps;
	long ret;
	int sv[2];

	if (WARN_ON(!conn) || WARN_ON(f->kernel_fd >= 0))
		return -EBADF;
	ret = watcher_start();
	if (ret)
		return (int)ret;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	/* Ours first, out of the way: the client's end takes the lowest number. */
	sv[1] = kernel_fd_hide(sv[1]);
	if (fstat(sv[0], &st)) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		return (int)ret;
	}
	/* Our end never blocks: events are dropped, not waited for, when full. */
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	caps = ufd_file_caps(f);
	if (!(caps & UFD_FILE_READ)) {
		char ready = 0;

		(void)!send(sv[1], &ready, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	}

	auto sf = std::make_shared<ufd_served>();
	sf->file = f;
	sf->kernel_fd = sv[1];
	sf->client_dev = st.st_dev;
	sf->client_ino = st.st_ino;
	sf->state = UFD_LIVE;
	{
		std::lock_guard<std::mutex> g(served_lock);

		sf->token = next_token++;
		by_token[sf->token] = sf;
		by_ino[sf->client_ino] = sf;
	}

	p = new ufd_packet;
	memset(&p->m, 0, sizeof(p->m));
	p->m.op = UFD_OP_INSTALL_FD;
	p->m.token = sf->token;
	p->m.arg[0] = caps;
	p->m.arg[1] = flags & O_CLOEXEC;
	p->m.arg[2] = ufd_cfg->read_kind ? (u64)ufd_cfg->read_kind(f) : 0;
	ret = ufd_nested_call(conn, p, sv[0]);
	delete p;
	/* In-process the client keeps sv[0] itself as its descriptor. */
	if (conn->fd >= 0 || ret < 0)
		close(sv[0]);
	if (ret < 0) {
		std::lock_guard<std::mutex> g(served_lock);

		by_token.erase(sf->token);
		by_ino.erase(sf->client_ino);
		close(sv[1]);
		return (int)ret;
	}
	/* The file owns our end from now on; its last fput closes it. */
	f->kernel_fd = sv[1];
	ev.events = EPOLLRDHUP;
	ev.data.u64 = sf->token;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sv[1], &ev))
		WARN_ON(1);
	return (int)ret;
}

static int served_get_host(int fd)
{
	struct ufd_conn *conn = ufd_serving;
	int hfd;

	if (!conn || fd < 0)
		return -EBADF;
	if (conn->fd < 0)	/* in-process: the number is in our own table */
		hfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	else
		hfd = (int)syscall(SYS_pidfd_getfd, conn->proc->pidfd, fd, 0);
	return hfd < 0 ? -EBADF : kernel_fd_hide(hfd);
}

/*
 * A descriptor of the client that is not one of ours (a pipe, a memfd, an
 * eventfd): the kernel's fget() still returns its file, and callers tell
 * it apart by f_op (iommufd_ctx_from_fd() answers -EBADFD, not -EBADF).
 * It stands in with no operations, holding the host descriptor until its
 * last fput.
 */
static const struct file_operations host_file_fops = {};

static struct file *host_file(int hfd)
{
	struct file *f;

	if (hfd < 0)
		return nullptr;
	f = anon_inode_getfile("[host file]", &host_file_fops, nullptr, 0);
	if (IS_ERR(f)) {
		close(hfd);
		return nullptr;
	}
	f->kernel_fd = hfd;
	return f;
}

static struct file *served_get(int fd)
{
	struct ufd_conn *conn = ufd_serving;
	/* In-process the number is ours to look at: no copy unless one is kept. */
	bool local = conn && conn->fd < 0 && fd >= 0;
	int hfd = local ? fd : served_get_host(fd);
	std::shared_ptr<ufd_served> sf;
	struct stat st;

	if (hfd < 0 || (local && fstat(fd, &st)))
		return nullptr;
	if (!local && fstat(hfd, &st))
		return host_file(hfd);
	if (S_ISSOCK(st.st_mode)) {
		std::lock_guard<std::mutex> g(served_lock);
		auto it = by_ino.find(st.st_ino);

		if (it != by_ino.end() && it->second->client_dev == st.st_dev)
			sf = it->second;
	}
	/* Not one of ours: the file behind the number, held by a copy of our own. */
	if (!sf)
		return host_file(local ? served_get_host(fd) : hfd);
	if (!local)
		close(hfd);
	std::lock_guard<std::mutex> g(sf->lock);
	if (sf->state.load() != UFD_LIVE)
		return nullptr;
	return get_file(sf->file);
}

static const struct file_fd_ops served_fd_ops = {
	.serving = served_serving,
	.install = served_install,
	.get = served_get,
	.get_host = served_get_host,
};

/* ---- the watcher: hang-ups of served files, exits of client processes ---- */

/* Our own process has no pidfd (server.cc, proc_create()): nothing to watch. */
void ufd_watch_proc(struct ufd_proc *proc)
{
	struct epoll_event ev = {};

	if (proc->pidfd < 0 || watcher_start())
		return;

	ev.events = EPOLLIN;
	ev.data.u64 = TAG_PROC | (u64)proc->pid;
	epoll_ctl(epfd, EPOLL_CTL_ADD, proc->pidfd, &ev);
}

void ufd_unwatch_proc(struct ufd_proc *proc)
{
	if (proc->pidfd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, proc->pidfd, nullptr);
}

static void watcher_main(void)
{
	struct epoll_event evs[64];

	while (!watcher_stop.load()) {
		int n = epoll_wait(epfd, evs, ARRAY_SIZE(evs), -1);

		for (int i = 0; i < n; i++) {
			u64 tag = evs[i].data.u64;

			if (tag == TAG_WAKE)
				continue;
			if (tag & TAG_PROC) {
				ufd_proc_check_exit((pid_t)(tag & ~TAG_PROC));
				continue;
			}
			if (std::shared_ptr<ufd_served> sf = served_find(tag))
				served_release(sf);
		}
	}
}

/*
 * The watcher starts with the first thing it has to watch, not before: an
 * in-process kernel side that has served nothing yet has no thread and no
 * descriptor, so a fork() may give the child a copy of it to use as its
 * own (embedded.cc).
 */
static int watcher_start(void)
{
	std::call_once(watcher_once, [] {
		struct epoll_event ev = {};

		epfd = kernel_fd_hide(epoll_create1(EPOLL_CLOEXEC));
		wake_fd = kernel_fd_hide(eventfd(0, EFD_CLOEXEC));
		if (epfd < 0 || wake_fd < 0)
			return;
		ev.events = EPOLLIN;
		ev.data.u64 = TAG_WAKE;
		epoll_ctl(epfd, EPOLL_CTL_ADD, wake_fd, &ev);
		watcher_stop = false;
		watcher = std::thread(watcher_main);
		/* In-process it ends with the process; nothing joins it. */
		if (ufd_cfg && ufd_cfg->local_nested)
			watcher.detach();
		watcher_started = true;
	});
	return watcher_started.load() ? 0 : -ENOMEM;
}

bool ufd_files_quiescent(void) { return !watcher_started.load(); }

void ufd_files_forget(void)
{
	if (served_lock.try_lock()) {
		for (auto &it : by_token)
			if (it.second->kernel_fd >= 0)
				close(it.second->kernel_fd);
		served_lock.unlock();
	}
	if (epfd >= 0)
		close(epfd);
	if (wake_fd >= 0)
		close(wake_fd);
}

int ufd_files_init(void)
{
	file_set_fd_ops(&served_fd_ops);
	return 0;
}

void ufd_files_exit(void)
{
	u64 one = 1;

	file_set_fd_ops(nullptr);
	if (!watcher_started.load())
		return;
	watcher_stop = true;
	(void)!write(wake_fd, &one, sizeof(one));
	if (watcher.joinable())
		watcher.join();
}
