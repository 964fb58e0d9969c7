// SPDX-License-Identifier: GPL-2.0
/*
 * Queue files over socketpairs: the kernel's end (see harness/evfd.h).
 *
 * The read-side ledger relies on how AF_UNIX stream sockets account
 * memory: every send() becomes its own skb on the peer's receive queue,
 * charged (skb->truesize) to the sender until the reader has consumed it
 * completely, and SIOCOUTQ on the sender reports that charge. The charge
 * of a record depends only on its length, so it is measured once per
 * length on a private socketpair. The records still charged are always
 * the newest ones (the reader consumes in order), so dropping ledger
 * entries from the front until the ledger's sum fits under SIOCOUTQ leaves
 * exactly the unread records.
 */
#include "harness/evfd.h"
#include "harness/bug.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <errno.h>
#include <linux/sockios.h>
#include <map>
#include <memory>
#include <mutex>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

struct evfd_record {
	long charge;
	bool counted;
};

struct evfd_entry {
	struct file *f;
	int kfd;
	u64 id;
	size_t unit;
	/* read side */
	std::deque<evfd_record> sent;
	long sent_charge = 0;
	/* write side, owned by the I/O thread while @busy */
	std::vector<char> wbuf;
	bool busy = false;
	bool watching = false;
};

std::mutex evfd_lock;
std::condition_variable evfd_cond;
std::unordered_map<struct file *, std::shared_ptr<evfd_entry>> *by_file;
std::unordered_map<u64, std::shared_ptr<evfd_entry>> *by_id;
u64 next_id = 1;
int epfd = -1;
std::atomic<unsigned long> write_errors;
thread_local bool on_io_thread;

std::mutex charge_lock;
std::map<size_t, long> *charge_cache;

/* The receive-queue charge of one record of @len bytes. */
long record_charge(size_t len)
{
	std::lock_guard<std::mutex> g(charge_lock);
	int sv[2], outq = -1;
	std::vector<char> buf(len);

	if (!charge_cache)
		charge_cache = new std::map<size_t, long>();
	auto it = charge_cache->find(len);
	if (it != charge_cache->end())
		return it->second;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (send(sv[1], buf.data(), len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len)
		ioctl(sv[1], SIOCOUTQ, &outq);
	close(sv[0]);
	close(sv[1]);
	if (outq <= 0)
		return -1;
	(*charge_cache)[len] = outq;
	return outq;
}

/* Drops the records the user has consumed; caller holds evfd_lock. */
void settle(evfd_entry *e)
{
	int outq = 0;

	if (ioctl(e->kfd, SIOCOUTQ, &outq))
		return;
	while (!e->sent.empty() && e->sent_charge > outq) {
		e->sent_charge -= e->sent.front().charge;
		e->sent.pop_front();
	}
}

void io_thread_fn(void)
{
	struct epoll_event evs[16];

	on_io_thread = true;
	for (;;) {
		int n = epoll_wait(epfd, evs, 16, 500);

		for (int i = 0; i < n; i++) {
			std::shared_ptr<evfd_entry> e;
			struct file *f;
			bool hup = false;

			/*
			 * struct epoll_event is packed on x86-64: its data sits at
			 * offset 4, so find() must not bind a reference to it.
			 */
			const u64 id = evs[i].data.u64;

			{
				std::lock_guard<std::mutex> g(evfd_lock);
				auto it = by_id->find(id);

				if (it == by_id->end() || it->second->busy)
					continue;
				e = it->second;
				/*
				 * No file reference is taken: ->release() starts
				 * with evfd_unregister(), which waits for @busy to
				 * clear, so the file outlives this pass. Taking one
				 * would make a close() racing with us leave the
				 * release to this thread, after close() returned.
				 * A file at zero is being released: leave it.
				 */
				f = e->f;
				if (f->f_count.load() <= 0)
					continue;
				e->busy = true;
			}
			for (;;) {
				char tmp[4096];
				ssize_t got = recv(e->kfd, tmp, sizeof(tmp), MSG_DONTWAIT);

				if (got > 0) {
					e->wbuf.insert(e->wbuf.end(), tmp, tmp + got);
					continue;
				}
				if (got == 0 || (errno != EAGAIN && errno != EINTR))
					hup = true;
				if (got < 0 && errno == EINTR)
					continue;
				break;
			}
			if (!e->unit) {
				if (!e->wbuf.empty())
					write_errors.fetch_add(1);
				e->wbuf.clear();
			}
			while (e->unit && e->wbuf.size() >= e->unit) {
				loff_t pos = 0;
				ssize_t rc = f->f_op->write(f, (const char __user *)e->wbuf.data(),
							    e->unit, &pos);

				if (rc < 0)
					write_errors.fetch_add(1);
				e->wbuf.erase(e->wbuf.begin(), e->wbuf.begin() + e->unit);
			}
			{
				std::lock_guard<std::mutex> g(evfd_lock);

				if (hup && e->watching) {
					epoll_ctl(epfd, EPOLL_CTL_DEL, e->kfd, nullptr);
					e->watching = false;
				}
				e->busy = false;
			}
			evfd_cond.notify_all();
		}
	}
}

} // namespace

int evfd_register(struct file *f, size_t write_unit)
{
	static std::once_flag started;
	struct epoll_event ev = {};
	auto e = std::make_shared<evfd_entry>();

	if (f->kernel_fd < 0)
		return -EBADF;
	std::call_once(started, [] {
		by_file = new std::unordered_map<struct file *, std::shared_ptr<evfd_entry>>();
		by_id = new std::unordered_map<u64, std::shared_ptr<evfd_entry>>();
		epfd = kernel_fd_hide(epoll_create1(EPOLL_CLOEXEC));
		if (epfd >= 0)
			std::thread(io_thread_fn).detach();
	});
	if (epfd < 0)
		return -ENOMEM;

	std::lock_guard<std::mutex> g(evfd_lock);
	e->f = f;
	e->kfd = f->kernel_fd;
	e->unit = write_unit;
	e->id = next_id++;
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.u64 = e->id;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, e->kfd, &ev))
		return -errno;
	e->watching = true;
	(*by_file)[f] = e;
	(*by_id)[e->id] = e;
	return 0;
}

void evfd_unregister(struct file *f)
{
	std::unique_lock<std::mutex> g(evfd_lock);
	std::shared_ptr<evfd_entry> e;

	if (!by_file)
		return;
	auto it = by_file->find(f);
	if (it == by_file->end())
		return;
	e = it->second;
	by_file->erase(it);
	by_id->erase(e->id);
	if (e->watching) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, e->kfd, nullptr);
		e->watching = false;
	}
	/* A write in flight on the I/O thread finishes first. */
	if (!on_io_thread)
		evfd_cond.wait(g, [&] { return !e->busy; });
}

static std::shared_ptr<evfd_entry> find_entry(struct file *f)
{
	if (!by_file)
		return nullptr;
	auto it = by_file->find(f);
	return it == by_file->end() ? nullptr : it->second;
}

int evfd_send(struct file *f, const void *buf, size_t len, bool counted)
{
	std::lock_guard<std::mutex> g(evfd_lock);
	std::shared_ptr<evfd_entry> e = find_entry(f);
	long charge = record_charge(len);
	int inq = 0, sndbuf = 0;
	socklen_t sl = sizeof(sndbuf);
	ssize_t sent;

	if (!e)
		return -EPIPE;
	settle(e.get());
	/* All or nothing: refuse what the socket might only take in part. */
	if (getsockopt(e->kfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) == 0 &&
	    ioctl(e->kfd, SIOCOUTQ, &inq) == 0 && charge > 0 &&
	    (long)inq + charge > (long)sndbuf)
		return -EAGAIN;
	sent = send(e->kfd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (sent < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -EPIPE;
	if (WARN_ON((size_t)sent != len))
		return -EPIPE;
	e->sent.push_back({charge > 0 ? charge : 0, counted});
	e->sent_charge += charge > 0 ? charge : 0;
	return 0;
}

static long count_unread(struct file *f, bool only_counted)
{
	std::lock_guard<std::mutex> g(evfd_lock);
	std::shared_ptr<evfd_entry> e = find_entry(f);
	long n = 0;

	if (!e)
		return -1;
	settle(e.get());
	for (const auto &r : e->sent)
		n += !only_counted || r.counted;
	return n;
}

long evfd_unread(struct file *f) { return count_unread(f, true); }
long evfd_unread_all(struct file *f) { return count_unread(f, false); }

unsigned long evfd_write_errors(void) { return write_errors.load(); }

void evfd_flush(struct file *f)
{
	std::unique_lock<std::mutex> g(evfd_lock);
	std::shared_ptr<evfd_entry> e = find_entry(f);

	if (!e)
		return;
	for (int i = 0; i < 500; i++) {
		int inq = 0;

		if (ioctl(e->kfd, FIONREAD, &inq) == 0 && inq == 0 && !e->busy)
			return;
		evfd_cond.wait_for(g, std::chrono::milliseconds(10));
	}
	WARN_ON(1);
}
