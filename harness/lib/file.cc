// SPDX-License-Identifier: GPL-2.0
/*
 * The file table: real descriptors standing for kernel-side struct files.
 *
 * The descriptor number is allocated by the host kernel (eventfd or
 * socketpair), so it can never collide with another descriptor of the
 * process. The table is keyed by that number; a descriptor closed behind
 * our back and reused by the host would be found stale by fd_close().
 */
#include "harness/file.h"
#include "harness/bug.h"

#include <atomic>
#include <fcntl.h>
#include <mutex>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>

namespace {

std::mutex fd_table_lock;
std::unordered_map<int, struct file *> &fd_table()
{
	static auto *table = new std::unordered_map<int, struct file *>();
	return *table;
}

} // namespace

struct file *anon_inode_getfile_kind(const char *name, const struct file_operations *fops,
				     void *priv, int flags, enum file_fd_kind kind)
{
	struct file *f = new (std::nothrow) struct file();

	if (!f)
		return ERR_PTR(-ENOMEM);
	f->f_op = fops;
	f->private_data = priv;
	f->f_count.store(1);
	f->name = name;
	f->f_flags = flags;
	f->kernel_fd = -1;
	f->kind = kind;
	return f;
}

struct file *anon_inode_getfile(const char *name, const struct file_operations *fops,
				void *priv, int flags)
{
	return anon_inode_getfile_kind(name, fops, priv, flags, FILE_FD_PLAIN);
}

void fput(struct file *f)
{
	long old = f->f_count.fetch_sub(1);

	if (WARN_ON(old <= 0))
		return;
	if (old != 1)
		return;
	if (f->f_op && f->f_op->release)
		f->f_op->release(nullptr, f);
	if (f->kernel_fd >= 0)
		close(f->kernel_fd);
	delete f;
}

/* ---- the server's descriptor tables (see file.h) ---- */
static std::atomic<const struct file_fd_ops *> remote_fd_ops;

void file_set_fd_ops(const struct file_fd_ops *ops) { remote_fd_ops.store(ops); }

static const struct file_fd_ops *serving_fd_ops(void)
{
	const struct file_fd_ops *ops = remote_fd_ops.load(std::memory_order_acquire);

	return ops && ops->serving() ? ops : nullptr;
}

int fd_install_new(struct file *f, unsigned int flags)
{
	const struct file_fd_ops *ops = serving_fd_ops();
	int fd;

	if (ops)
		return ops->install(f, flags);

	if (f->kind == FILE_FD_SOCKET) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
			return -errno;
		fd = sv[0];
		f->kernel_fd = sv[1];
		if (!(flags & O_CLOEXEC))
			fcntl(fd, F_SETFD, 0);
	} else {
		fd = eventfd(0, (flags & O_CLOEXEC) ? EFD_CLOEXEC : 0);
		if (fd < 0)
			return -errno;
	}
	std::lock_guard<std::mutex> lock(fd_table_lock);
	fd_table()[fd] = f;
	return fd;
}

struct file *fget(int fd)
{
	if (const struct file_fd_ops *ops = serving_fd_ops())
		return ops->get(fd);
	std::lock_guard<std::mutex> lock(fd_table_lock);
	auto it = fd_table().find(fd);

	if (it == fd_table().end())
		return nullptr;
	return get_file(it->second);
}

bool fd_is_kernel_file(int fd)
{
	std::lock_guard<std::mutex> lock(fd_table_lock);
	return fd_table().count(fd);
}

int fd_close(int fd)
{
	struct file *f;

	{
		std::lock_guard<std::mutex> lock(fd_table_lock);
		auto it = fd_table().find(fd);

		if (it == fd_table().end())
			return -EBADF;
		f = it->second;
		fd_table().erase(it);
	}
	close(fd);
	fput(f);
	return 0;
}

int fd_dup(int oldfd, int newfd_min, bool cloexec)
{
	struct file *f = fget(oldfd);
	int fd;

	if (!f)
		return -EBADF;
	fd = fcntl(oldfd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, newfd_min);
	if (fd < 0) {
		fd = -errno;
		fput(f);
		return fd;
	}
	std::lock_guard<std::mutex> lock(fd_table_lock);
	fd_table()[fd] = f;	/* the reference from fget() */
	return fd;
}

int host_fd_get(int fd)
{
	int hfd;

	if (const struct file_fd_ops *ops = serving_fd_ops())
		return ops->get_host(fd);
	hfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return hfd < 0 ? -EBADF : kernel_fd_hide(hfd);
}

static std::atomic<int> kernel_fd_floor;

void file_set_kernel_fd_floor(int floor) { kernel_fd_floor.store(floor); }

int kernel_fd_hide(int fd)
{
	int floor = kernel_fd_floor.load(std::memory_order_relaxed), hi;

	if (fd < 0 || !floor || fd >= floor)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, floor);
	if (hi < 0)
		return fd;	/* a full table: a low number beats no descriptor */
	close(fd);
	return hi;
}
