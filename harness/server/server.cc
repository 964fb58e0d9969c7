// SPDX-License-Identifier: GPL-2.0
/*
 * The server's front: the listening socket, one thread per client
 * connection, client processes and tasks, and the request dispatcher.
 *
 * A connection belongs to one client thread (HELLO says which). Its server
 * thread switches `current` to that thread's task once and keeps it, so
 * everything kernel-side code does on its behalf — user copies, pinning,
 * RLIMIT_MEMLOCK accounting, fail-nth — lands on the right task and mm.
 *
 * Process exit: a client says EXIT from its exit path (atexit, destructor,
 * _exit), and we snapshot the pages it still has pinned before its memory
 * goes, since the kernel would keep those pages alive (fork_gone). If it
 * dies without saying so (a signal), its pidfd tells us, later; the pages
 * are then unreachable and DMA to them reads zeroes (noted on stderr).
 */
#include "harness/server/self_pid.h"
#include "harness/server/server_internal.h"
#include "harness/server/wire.h"

#include "harness/bug.h"
#include "harness/err.h"
#include "harness/fault_inject.h"
#include "harness/file.h"
#include "harness/mm.h"
#include "harness/physmem.h"
#include "harness/slab.h"
#include "harness/testhooks.h"

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

thread_local struct ufd_conn *ufd_serving;
const ufd_server_config *ufd_cfg;

namespace {

ufd_server_config config;
int listen_fd = -1;
std::thread accept_thread;
std::atomic<bool> stopping;
std::atomic<unsigned long> failures;
std::atomic<unsigned long> clients;

/* Live connections, so stop can shut them down and wait for their threads. */
std::mutex conns_lock;
std::condition_variable conns_gone;
std::vector<int> conn_fds;
unsigned int nr_conn_threads;

std::mutex procs_lock;
std::unordered_map<pid_t, struct ufd_proc *> procs;

const harness_test_ops *prev_test_ops;

} // namespace

/* ---- kernel-side failures while serving ---- */

static void server_report_failure(const char *file, int line, const char *msg)
{
	struct ufd_conn *c = ufd_serving;

	failures.fetch_add(1);
	/* In-process, the count lives in many processes: `uiommufd run` adds them up. */
	if (!config.failures_path.empty()) {
		int fd = open(config.failures_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);

		if (fd >= 0) {
			(void)!write(fd, "F", 1);
			close(fd);
		}
	}
	if (c)
		fprintf(stderr, "uiommufd: kernel-side failure serving pid %d tid %d: %s:%d: %s\n",
			c->proc->pid, c->task->ts.pid, file, line, msg);
	else
		fprintf(stderr, "uiommufd: kernel-side failure: %s:%d: %s\n", file, line, msg);
}

static const harness_test_ops server_test_ops = {
	.fail = server_report_failure,
};

unsigned long ufd_server_failures(void) { return failures.load(); }

bool ufd_server_busy(void)
{
	{
		std::lock_guard<std::mutex> g(conns_lock);

		if (nr_conn_threads)
			return true;
	}
	return ufd_served_count() != 0;
}
unsigned long ufd_server_clients(void) { return clients.load(); }

unsigned long ufd_server_connections(void)
{
	std::lock_guard<std::mutex> g(conns_lock);
	unsigned long live = 0;

	/* Not those whose client is gone and whose thread has yet to notice. */
	for (int fd : conn_fds) {
		struct pollfd pfd = {fd, POLLRDHUP, 0};

		if (poll(&pfd, 1, 0) == 0)
			live++;
	}
	return live;
}

/* ---- processes and tasks ---- */

static void read_comm(pid_t pid, pid_t tid, char *comm)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	snprintf(comm, TASK_COMM_LEN, "client-%d", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, TASK_COMM_LEN - 1);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = 0;
	if (char *nl = strchr(comm, '\n'))
		*nl = 0;
}

static struct ufd_proc *proc_create(pid_t pid)
{
	/*
	 * The process we run in needs no pidfd: we cannot outlive it, and
	 * in-process (embedded.cc) nothing may start a thread before a file
	 * is served (a fork must find the kernel side quiescent).
	 */
	bool self = pid == getpid();
	int pidfd = self ? -1 : kernel_fd_hide((int)syscall(SYS_pidfd_open, pid, 0));
	struct ufd_proc *proc;

	if (pidfd < 0 && !self)
		return nullptr;
	if (pidfd >= 0)
		fcntl(pidfd, F_SETFD, FD_CLOEXEC);
	proc = new ufd_proc();
	proc->pid = pid;
	proc->pidfd = pidfd;
	/* Its users reference means "the process is alive". */
	proc->mm = harness_mm_of_pid(pid);
	proc->refs = 1;		/* the table's */
	proc->exited = false;
	clients.fetch_add(1);
	return proc;
}

/*
 * Tasks outlive their process while kernel-side code holds a reference
 * (get_task_struct(): iopt_pages keeps its source task for RLIMIT
 * accounting). put_task_struct() frees nothing in the harness, so tasks
 * with references left wait here and are freed once only ours remains.
 */
static std::mutex zombies_lock;
static std::vector<struct ufd_task *> zombie_tasks;

static void task_free(struct ufd_task *t)
{
	free_uid(t->ts.user);
	mmdrop(t->ts.mm);
	delete t;
}

static void reap_zombie_tasks(void)
{
	std::vector<struct ufd_task *> done;

	{
		std::lock_guard<std::mutex> g(zombies_lock);

		for (auto it = zombie_tasks.begin(); it != zombie_tasks.end();) {
			if (refcount_read(&(*it)->ts.usage) == 1) {
				done.push_back(*it);
				it = zombie_tasks.erase(it);
			} else {
				++it;
			}
		}
	}
	for (struct ufd_task *t : done)
		task_free(t);
}

static void proc_free(struct ufd_proc *proc)
{
	for (auto &it : proc->tasks) {
		struct ufd_task *t = it.second;

		if (refcount_read(&t->ts.usage) == 1) {
			task_free(t);
		} else {
			std::lock_guard<std::mutex> g(zombies_lock);

			zombie_tasks.push_back(t);
		}
	}
	reap_zombie_tasks();
	if (!proc->exited.exchange(true))
		mmput(proc->mm);
	if (proc->pidfd >= 0)
		close(proc->pidfd);
	delete proc;
}

void ufd_proc_put(struct ufd_proc *proc)
{
	if (proc->refs.fetch_sub(1) == 1)
		proc_free(proc);
}

static bool proc_is_dead(struct ufd_proc *proc)
{
	struct pollfd pfd = {proc->pidfd, POLLIN, 0};

	/* A pidfd polls readable once the process has exited. */
	if (proc->pidfd < 0)
		return proc->exited.load() || proc->pid != self_pid();
	return proc->exited.load() || poll(&pfd, 1, 0) > 0;
}

/*
 * The process entry for pid, with a reference; created on first contact.
 * An entry left by an earlier process with the same (reused) pid is
 * retired first.
 */
static struct ufd_proc *proc_get(pid_t pid)
{
	struct ufd_proc *proc, *stale = nullptr;

	{
		std::lock_guard<std::mutex> g(procs_lock);
		auto it = procs.find(pid);

		if (it != procs.end() && !proc_is_dead(it->second)) {
			it->second->refs.fetch_add(1);
			return it->second;
		}
		if (it != procs.end())
			stale = it->second;
	}
	if (stale)
		ufd_proc_retire(stale);

	proc = proc_create(pid);
	if (!proc)
		return nullptr;
	{
		std::lock_guard<std::mutex> g(procs_lock);
		auto it = procs.find(pid);

		if (it == procs.end()) {
			procs[pid] = proc;
			proc->refs.fetch_add(1);
			ufd_watch_proc(proc);
			return proc;
		}
		/* Another thread of the process won the race. */
		it->second->refs.fetch_add(1);
		stale = it->second;
	}
	proc_free(proc);
	return stale;
}

struct ufd_proc *ufd_proc_find_get(pid_t pid) { return proc_get(pid); }

void ufd_proc_check_exit(pid_t pid)
{
	struct ufd_proc *proc = nullptr;

	{
		std::lock_guard<std::mutex> g(procs_lock);
		auto it = procs.find(pid);

		if (it != procs.end() && proc_is_dead(it->second)) {
			proc = it->second;
			proc->refs.fetch_add(1);
		}
	}
	if (proc) {
		ufd_proc_retire(proc);
		ufd_proc_put(proc);
	}
}

/*
 * The process is gone (or going): its address space can no longer be
 * pinned from. Idempotent.
 */
void ufd_proc_retire(struct ufd_proc *proc)
{
	bool drop_table_ref = false;

	{
		std::lock_guard<std::mutex> g(procs_lock);
		auto it = procs.find(proc->pid);

		if (it != procs.end() && it->second == proc) {
			procs.erase(it);
			drop_table_ref = true;
		}
	}
	if (!proc->exited.exchange(true))
		mmput(proc->mm);
	/* Its mappings go with it, as exit_mmap() closes every VMA. */
	ufd_munmap_all(proc->pid);
	if (drop_table_ref) {
		ufd_unwatch_proc(proc);
		ufd_proc_put(proc);
	}
}

static struct ufd_task *task_get(struct ufd_proc *proc, pid_t tid)
{
	std::lock_guard<std::mutex> g(proc->lock);
	auto it = proc->tasks.find(tid);
	struct ufd_task *t;

	if (it != proc->tasks.end())
		return it->second;
	t = new ufd_task();
	t->proc = proc;
	t->ts.pid = tid;
	t->ts.tgid = proc->pid;
	read_comm(proc->pid, tid, t->ts.comm);
	mmgrab(proc->mm);
	t->ts.mm = proc->mm;
	t->ts.prev_mm = nullptr;
	t->ts.group_leader = &t->ts;
	t->ts.user = get_uid(proc->mm->user);
	t->ts.fail_nth = 0;
	t->ts.make_it_fail = 0;
	refcount_set(&t->ts.usage, 1);
	proc->tasks[tid] = t;
	return t;
}

/* ---- nested calls: the server asks the client during a request ---- */

long ufd_nested_call(struct ufd_conn *conn, struct ufd_packet *p, int pass_fd)
{
	struct ufd_packet *ack;
	long ret;
	ssize_t n;
	int rc;

	/* In-process: the client's side of the exchange is a function call. */
	if (conn->fd < 0)
		return ufd_cfg->local_nested ? ufd_cfg->local_nested(p, pass_fd) : -EPROTO;
	ack = new ufd_packet;

	rc = ufd_wire_send(conn->fd, p, pass_fd);
	if (rc) {
		delete ack;
		return rc;
	}
	n = ufd_wire_recv(conn->fd, ack, nullptr, close);
	if (n <= 0)
		ret = n ? n : -EPIPE;
	else if (ack->m.op != UFD_OP_INSTALL_ACK)
		ret = -EPROTO;
	else
		ret = ack->m.ret;
	delete ack;
	return ret;
}

/* ---- requests ---- */

static long do_open(struct ufd_conn *conn, const struct ufd_msg *m, const char *payload)
{
	char path[256] = "/dev/iommu";
	struct file *filp;
	long fd;

	if (m->len) {
		if (m->len >= sizeof(path))
			return -ENAMETOOLONG;
		memcpy(path, payload, m->len);
		path[m->len] = 0;
	}
	if (!strcmp(path, "/dev/iommu"))
		filp = ufd_cfg->open_iommu ? ufd_cfg->open_iommu() : (struct file *)ERR_PTR(-ENODEV);
	else
		filp = ufd_cfg->open_path ? ufd_cfg->open_path(path, (unsigned int)m->arg[0])
					  : (struct file *)ERR_PTR(-ENOENT);
	if (IS_ERR(filp)) {
		fd = PTR_ERR(filp);
	} else {
		fd = fd_install_new(filp, m->arg[0] & O_CLOEXEC);
		if (fd < 0)
			fput(filp);
	}
	/* The core may register fail_iommufd on first use. */
	ufd_debugfs_sync();
	if (ufd_cfg->trace)
		ufd_trace_printf("open(\"%s\", %s) = %ld%s%s", path, (m->arg[0] & O_CLOEXEC) ?
				 "O_RDWR|O_CLOEXEC" : "O_RDWR", fd < 0 ? -1L : fd,
				 fd < 0 ? " " : "", fd < 0 ? ufd_errno_name((int)-fd) : "");
	return fd;
}

/* pread/pwrite of a device file: ->read/->write at the offset, as the VFS calls them. */
static long do_rw(struct ufd_conn *conn, const struct ufd_msg *m, bool write)
{
	struct file *filp = ufd_served_fget(m->token);
	loff_t pos = (loff_t)m->arg[2];
	long ret;

	if (!filp)
		return -EBADF;
	if (pos < 0)
		ret = -EINVAL;
	else if (write)
		ret = filp->f_op->write ? filp->f_op->write(filp, (const char __user *)m->arg[0],
							     m->arg[1], &pos)
					: -EINVAL;
	else
		ret = filp->f_op->read ? filp->f_op->read(filp, (char __user *)m->arg[0], m->arg[1],
							  &pos)
				       : -EINVAL;
	fput(filp);
	if (ufd_cfg->trace)
		ufd_trace_rw(write, m->arg[0], m->arg[1], (long long)m->arg[2], ret);
	return ret;
}

static long do_ioctl(struct ufd_conn *conn, const struct ufd_msg *m)
{
	struct file *filp = ufd_served_fget(m->token);
	unsigned long cmd = m->arg[0], arg = m->arg[1];
	bool state_steps = !ufd_cfg->digest_path.empty() || !ufd_cfg->graph_path.empty();
	struct ufd_trace_call tc;
	long ret;

	if (!filp)
		return -EBADF;
	if (ufd_cfg->trace)
		ufd_trace_ioctl_begin(&tc, (int)m->arg[2], cmd, arg);
	if (state_steps)
		ufd_state_ioctl_begin();
	if (filp->f_op && filp->f_op->unlocked_ioctl)
		ret = filp->f_op->unlocked_ioctl(filp, (unsigned int)cmd, arg);
	else
		ret = -ENOTTY;
	/* Drivers say "not mine"; the VFS says ENOTTY. */
	if (ret == -ENOIOCTLCMD)
		ret = -ENOTTY;
	fput(filp);
	if (state_steps)
		ufd_state_ioctl_end(cmd, arg, ret);
	if (ufd_cfg->trace)
		ufd_trace_ioctl_end(&tc, m->token, ret);
	return ret;
}

static long do_write(struct ufd_conn *conn, const struct ufd_msg *m)
{
	struct file *filp = ufd_served_fget(m->token);
	loff_t pos = 0;
	long ret;

	if (!filp)
		return -EBADF;
	if (filp->f_op && filp->f_op->write)
		ret = filp->f_op->write(filp, (const char __user *)m->arg[0], m->arg[1], &pos);
	else
		ret = -EINVAL;
	fput(filp);
	return ret;
}

static struct ufd_task *target_task(struct ufd_conn *conn, const struct ufd_msg *m,
				    struct ufd_proc **procp)
{
	pid_t pid = (pid_t)m->arg[2], tid = (pid_t)m->arg[0];
	struct ufd_proc *proc;

	if (!pid || pid == conn->proc->pid) {
		proc = conn->proc;
		proc->refs.fetch_add(1);
	} else {
		proc = proc_get(pid);
		if (!proc)
			return nullptr;
	}
	*procp = proc;
	return task_get(proc, tid ? tid : pid);
}

static long do_fail_nth(struct ufd_conn *conn, const struct ufd_msg *m, bool write)
{
	struct ufd_proc *proc;
	struct ufd_task *t = target_task(conn, m, &proc);
	long ret = 0;

	if (!t)
		return -ESRCH;
	if (write)
		WRITE_ONCE(t->ts.fail_nth, (unsigned int)m->arg[1]);
	else
		ret = READ_ONCE(t->ts.fail_nth);
	ufd_proc_put(proc);
	return ret;
}

/*
 * What /proc/PID/status says of pinned and locked memory is the kernel's
 * count, which here lives with us, not in the host kernel.
 */
static long do_mm_counters(struct ufd_conn *conn, const struct ufd_msg *m, struct ufd_msg *out)
{
	pid_t pid = m->arg[0] ? (pid_t)m->arg[0] : conn->proc->pid;
	struct ufd_proc *proc = nullptr;

	{
		std::lock_guard<std::mutex> g(procs_lock);
		auto it = procs.find(pid);

		if (it != procs.end() && !proc_is_dead(it->second)) {
			proc = it->second;
			proc->refs.fetch_add(1);
		}
	}
	if (!proc)
		return -ESRCH;
	out->arg[0] = (u64)atomic64_read(&proc->mm->pinned_vm);
	out->arg[1] = READ_ONCE(proc->mm->locked_vm);
	ufd_proc_put(proc);
	return 0;
}

/* ---- exit: where the pages a process still has pinned can live on ---- */

struct vma_info {
	unsigned long start, end, pgoff, ino;
	unsigned int dev_major, dev_minor;
};

/* The shared file-backed (incl. shared anonymous) mappings of pid. */
static std::vector<vma_info> shared_vmas(pid_t pid)
{
	std::vector<vma_info> out;
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return out;
	while (fgets(line, sizeof(line), f)) {
		struct vma_info v;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &v.start, &v.end, perms, &v.pgoff,
			   &v.dev_major, &v.dev_minor, &v.ino) != 7)
			continue;
		if (perms[3] == 's' && v.ino)
			out.push_back(v);
	}
	fclose(f);
	return out;
}

/* [start, end) of the dying process is the same memory as mm's [start + delta, ...). */
struct alias_range {
	unsigned long start, end;
	struct mm_struct *mm;
	long delta;
};

static bool alias_lookup(unsigned long va, struct mm_struct **amm, unsigned long *ava, void *ctx)
{
	for (const alias_range &a : *(std::vector<alias_range> *)ctx)
		if (va >= a.start && va < a.end) {
			*amm = a.mm;
			*ava = va + a.delta;
			return true;
		}
	return false;
}

/*
 * Every live client that maps the same shared memory as the dying one
 * (MAP_SHARED memory survives in the processes that share it, e.g. the
 * parent of a forked child). Takes references on those processes.
 */
static std::vector<alias_range> shared_aliases(struct ufd_proc *dying,
					       std::vector<struct ufd_proc *> *held)
{
	std::vector<vma_info> mine = shared_vmas(dying->pid);
	std::vector<alias_range> out;

	if (mine.empty())
		return out;
	{
		std::lock_guard<std::mutex> g(procs_lock);

		for (auto &it : procs)
			if (it.second != dying && !it.second->exited.load()) {
				it.second->refs.fetch_add(1);
				held->push_back(it.second);
			}
	}
	for (struct ufd_proc *other : *held) {
		for (const vma_info &t : shared_vmas(other->pid)) {
			for (const vma_info &m : mine) {
				unsigned long lo, hi;

				if (m.ino != t.ino || m.dev_major != t.dev_major ||
				    m.dev_minor != t.dev_minor)
					continue;
				lo = max(m.pgoff, t.pgoff);
				hi = min(m.pgoff + (m.end - m.start), t.pgoff + (t.end - t.start));
				if (lo >= hi)
					continue;
				out.push_back({m.start + (lo - m.pgoff), m.start + (hi - m.pgoff),
					       other->mm,
					       (long)((t.start - t.pgoff) - (m.start - m.pgoff))});
			}
		}
	}
	return out;
}

static long do_exit(struct ufd_conn *conn)
{
	std::vector<struct ufd_proc *> held;
	std::vector<alias_range> aliases = shared_aliases(conn->proc, &held);
	unsigned long kept;

	kept = physmem_detach_user_pages(conn->proc->mm, alias_lookup, &aliases);
	for (struct ufd_proc *p : held)
		ufd_proc_put(p);
	if (ufd_cfg->trace && kept)
		ufd_trace_printf("exit: kept %lu pinned page(s) of pid %d", kept, conn->proc->pid);
	ufd_proc_retire(conn->proc);
	return 0;
}

/* Serves one request in p, turning p into the reply. Returns an fd to pass, or -1. */
static int handle(struct ufd_conn *conn, struct ufd_packet *p)
{
	const struct ufd_msg m = p->m;
	unsigned long failures_before = failures.load();
	int pass = -1;
	long ret;

	p->m.len = 0;
	switch (m.op) {
	case UFD_OP_OPEN:
		ret = do_open(conn, &m, p->payload);
		break;
	case UFD_OP_PREAD:
	case UFD_OP_PWRITE:
		ret = do_rw(conn, &m, m.op == UFD_OP_PWRITE);
		break;
	case UFD_OP_IOCTL:
		ret = do_ioctl(conn, &m);
		break;
	case UFD_OP_CLOSE_SYNC:
		ufd_served_close_sync(m.token);
		ret = 0;
		break;
	case UFD_OP_MMAP: {
		bool mmio = false;

		ret = ufd_mmap(conn, &m, &pass, &mmio);
		p->m.arg[0] = mmio;
		break;
	}
	case UFD_OP_MUNMAP:
		ret = ufd_munmap(conn, m.arg[0]);
		break;
	case UFD_OP_FAIL_NTH_READ:
	case UFD_OP_FAIL_NTH_WRITE:
		ret = do_fail_nth(conn, &m, m.op == UFD_OP_FAIL_NTH_WRITE);
		break;
	case UFD_OP_DEBUGFS_READ:
		p->payload[min_t(size_t, m.len, UFD_PAYLOAD_MAX - 1)] = 0;
		{
			std::string path(p->payload);

			ret = ufd_debugfs_read(path.c_str(), m.arg[0], p->payload, UFD_PAYLOAD_MAX);
			if (ret > 0)
				p->m.len = (u32)ret;
		}
		break;
	case UFD_OP_DEBUGFS_WRITE:
		p->payload[min_t(size_t, m.len, UFD_PAYLOAD_MAX - 1)] = 0;
		{
			size_t plen = strlen(p->payload);

			ret = plen + 1 < m.len ? ufd_debugfs_write(p->payload, p->payload + plen + 1)
					       : -EINVAL;
		}
		break;
	case UFD_OP_EXIT:
		ret = do_exit(conn);
		break;
	case UFD_OP_LEAK_MARK:
		ret = (long)kmem_leak_mark();
		break;
	case UFD_OP_LEAK_REPORT:
		ret = (long)kmem_leak_report(m.arg[0]);
		break;
	case UFD_OP_FAILURES:
		ret = (long)failures.load();
		break;
	case UFD_OP_WRITE:
		ret = do_write(conn, &m);
		break;
	case UFD_OP_MM_COUNTERS:
		ret = do_mm_counters(conn, &m, &p->m);
		break;
	case UFD_OP_IDENTIFY: {
		unsigned int caps = 0, read_kind = 0;

		ret = ufd_served_identify(m.arg[0], m.arg[1], &p->m.token, &caps, &read_kind);
		p->m.arg[0] = caps;
		p->m.arg[1] = read_kind;
		break;
	}
	default:
		ret = -EPROTO;
		break;
	}
	p->m.op = UFD_OP_REPLY;
	p->m.ret = ret;
	p->m.flags = failures.load() != failures_before ? UFD_REPLY_HARNESS_FAILURE : 0;
	return pass;
}

/* ---- connections ---- */

static void conn_done(int fd)
{
	std::lock_guard<std::mutex> g(conns_lock);

	for (auto it = conn_fds.begin(); it != conn_fds.end(); ++it)
		if (*it == fd) {
			conn_fds.erase(it);
			break;
		}
	close(fd);
	nr_conn_threads--;
	conns_gone.notify_all();
}

static void conn_main(int fd)
{
	struct ufd_packet *p = new ufd_packet;
	struct ufd_conn conn = {fd, nullptr, nullptr};
	ssize_t n;

	n = ufd_wire_recv(fd, p, nullptr, close);
	if (n <= 0 || p->m.op != UFD_OP_HELLO || p->m.arg[0] != UFD_PROTO_VERSION ||
	    p->m.pid <= 0 || p->m.tid <= 0)
		goto out;
	conn.proc = proc_get(p->m.pid);
	if (!conn.proc)
		goto out;
	conn.task = task_get(conn.proc, p->m.tid);
	/* Where its count of map changes is, for requests of other processes. */
	if (p->m.arg[2])
		WRITE_ONCE(conn.proc->mm->maps_gen_addr, (unsigned long)p->m.arg[2]);
	p->m.op = UFD_OP_REPLY;
	p->m.ret = 0;
	p->m.len = 0;
	if (ufd_wire_send(fd, p, -1))
		goto out;

	harness_switch_current(&conn.task->ts);
	ufd_serving = &conn;
	while ((n = ufd_wire_recv(fd, p, nullptr, close)) > 0) {
		int pass;

		harness_user_maps_generation(p->m.maps_gen);
		pass = handle(&conn, p);
		harness_user_maps_generation(0);

		if (ufd_wire_send(fd, p, pass))
			break;
	}
	ufd_serving = nullptr;
	harness_switch_current(nullptr);
out:
	if (conn.proc)
		ufd_proc_put(conn.proc);
	delete p;
	conn_done(fd);
}

static void accept_main(void)
{
	for (;;) {
		int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (stopping.load())
				return;
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) {
				usleep(1000);
				continue;
			}
			fprintf(stderr, "uiommufd: accept: %s\n", strerror(errno));
			return;
		}
		{
			std::lock_guard<std::mutex> g(conns_lock);

			if (stopping.load()) {
				close(fd);
				continue;
			}
			conn_fds.push_back(fd);
			nr_conn_threads++;
		}
		std::thread(conn_main, fd).detach();
	}
}

int ufd_server_init(const ufd_server_config &cfg)
{
	int rc;

	config = cfg;
	ufd_cfg = &config;
	rc = ufd_files_init();
	if (rc)
		return rc;
	rc = ufd_debugfs_init(cfg.debugfs_dir);
	if (rc)
		return rc;
	if (cfg.boot) {
		std::string err;

		rc = cfg.boot(&err);
		if (rc) {
			fprintf(stderr, "uiommufd: the platform did not boot: %s\n", err.c_str());
			return rc;
		}
	}
	rc = ufd_state_init();
	if (rc)
		return rc;
	prev_test_ops = harness_get_test_ops();
	harness_set_test_ops(&server_test_ops);
	return 0;
}

int ufd_server_listen(const std::string &socket_path)
{
	struct sockaddr_un addr = {};
	int rc;

	if (listen_fd >= 0)
		return 0;
	if (socket_path.size() >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	config.socket_path = socket_path;
	listen_fd = kernel_fd_hide(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
	if (listen_fd < 0)
		return -errno;
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(listen_fd, 256)) {
		rc = -errno;
		close(listen_fd);
		listen_fd = -1;
		return rc;
	}
	stopping = false;
	accept_thread = std::thread(accept_main);
	/* In-process nobody stops us: the thread ends with the process. */
	if (config.local_nested)
		accept_thread.detach();
	return 0;
}

int ufd_server_start(const ufd_server_config &cfg)
{
	int rc;

	if (cfg.socket_path.size() >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	rc = ufd_server_init(cfg);
	return rc ? rc : ufd_server_listen(cfg.socket_path);
}

/*
 * In a forked child that will be its parent's client (embedded.cc): let go
 * of the descriptors of the copy of the parent's state. Above all the
 * listening socket and the accepted connections: while a copy lives here,
 * a connect() to a parent that has exited would still succeed and a
 * sibling's requests would never see the parent's end close. The parent's
 * other threads are not here; a lock one of them held stays held, so only
 * what can be had without waiting is touched.
 */
void ufd_server_forget(void)
{
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	if (conns_lock.try_lock()) {
		for (int fd : conn_fds)
			close(fd);
		conn_fds.clear();
		conns_lock.unlock();
	}
	ufd_files_forget();
}

/* ---- the calling thread as its own client (embedded.cc) ---- */

long ufd_server_call_local(struct ufd_packet *p, int *pass_fd)
{
	/* Per thread, as a connection is; a forked child makes its own. */
	static thread_local struct ufd_conn local = {-1, nullptr, nullptr};
	struct ufd_conn *prev = ufd_serving;
	struct task_struct *prev_task;
	int pass;

	/* The caller is this very thread; the request names it (pid, tid). */
	if (!local.proc || local.proc->pid != p->m.pid) {
		local.proc = proc_get(p->m.pid);
		if (!local.proc)
			return -ENOMEM;
		local.task = task_get(local.proc, p->m.tid);
	}
	prev_task = harness_switch_current(&local.task->ts);
	ufd_serving = &local;
	harness_user_maps_generation(p->m.maps_gen);
	pass = handle(&local, p);
	harness_user_maps_generation(0);
	ufd_serving = prev;
	harness_switch_current(prev_task);
	if (pass_fd)
		*pass_fd = pass;
	else if (pass >= 0)
		close(pass);
	return p->m.ret;
}

void ufd_server_stop(void)
{
	if (listen_fd < 0)
		return;
	stopping = true;
	/* Wakes accept(). */
	shutdown(listen_fd, SHUT_RDWR);
	accept_thread.join();
	close(listen_fd);
	listen_fd = -1;
	unlink(config.socket_path.c_str());

	{
		std::unique_lock<std::mutex> g(conns_lock);

		for (int fd : conn_fds)
			shutdown(fd, SHUT_RDWR);
		conns_gone.wait(g, [] { return nr_conn_threads == 0; });
	}
	ufd_munmap_all(0);
	ufd_served_release_all();
	ufd_state_exit();

	std::vector<struct ufd_proc *> left;
	{
		std::lock_guard<std::mutex> g(procs_lock);

		for (auto &it : procs)
			left.push_back(it.second);
	}
	for (struct ufd_proc *proc : left)
		ufd_proc_retire(proc);
	ufd_files_exit();
	reap_zombie_tasks();
	harness_set_test_ops(prev_test_ops);
}

void ufd_grant_root_capabilities(void)
{
	/*
	 * Root in a container lacks what the bounding set withholds (here
	 * CAP_SYS_RESOURCE, say): those count as held. What root does have
	 * stays real, so a test that drops CAP_IPC_LOCK with cap_set_proc()
	 * does lose it. A user who is not root is given everything.
	 */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (getuid() != 0 || prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0)
			harness_set_capable(cap, true);
}
