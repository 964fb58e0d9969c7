// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of harness/evfd.h: records pushed to the user's end of a
 * queue file, the unread-record ledger, and the I/O thread that hands
 * bytes written by the user to f_op->write one unit at a time.
 */
#include "harness/evfd.h"
#include "kunit.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace {

std::atomic<int> writes_seen;
std::atomic<int> write_bytes;
std::atomic<int> releases;

ssize_t test_write(struct file *f, const char __user *buf, size_t count, loff_t *ppos)
{
	char tmp[64];

	memcpy(tmp, (const void *)buf, count < sizeof(tmp) ? count : sizeof(tmp));
	writes_seen.fetch_add(1);
	write_bytes.fetch_add((int)count);
	/* Refuse units starting with 'x', as a driver refuses a bad response. */
	return tmp[0] == 'x' ? -EINVAL : (ssize_t)count;
}

ssize_t test_read(struct file *f, char __user *buf, size_t count, loff_t *ppos)
{
	return -EINVAL;
}

int test_release(struct inode *inode, struct file *f)
{
	evfd_unregister(f);
	releases.fetch_add(1);
	return 0;
}

const struct file_operations test_fops = {
	.release = test_release,
	.read = test_read,
	.write = test_write,
};

int make_queue(struct kunit *test, size_t unit, struct file **fp)
{
	struct file *f = anon_inode_getfile_kind("[evfd-test]", &test_fops, nullptr, O_RDWR,
						 FILE_FD_SOCKET);
	int fd;

	KUNIT_EXPECT_FALSE(test, IS_ERR(f));
	fd = fd_install_new(f, O_CLOEXEC);
	KUNIT_EXPECT_LE(test, 0, fd);
	KUNIT_EXPECT_EQ(test, 0, evfd_register(f, unit));
	*fp = f;
	return fd;
}

void evfd_ledger_counts_unread_records(struct kunit *test)
{
	char rec[24], buf[64];
	struct file *f;
	int fd = make_queue(test, 0, &f);

	memset(rec, 'a', sizeof(rec));
	KUNIT_EXPECT_EQ(test, 0L, evfd_unread(f));
	KUNIT_EXPECT_EQ(test, 0, evfd_send(f, rec, sizeof(rec), true));
	KUNIT_EXPECT_EQ(test, 0, evfd_send(f, rec, sizeof(rec), true));
	KUNIT_EXPECT_EQ(test, 0, evfd_send(f, rec, 8, false));
	KUNIT_EXPECT_EQ(test, 2L, evfd_unread(f));
	KUNIT_EXPECT_EQ(test, 3L, evfd_unread_all(f));

	/* A whole record read: one fewer. */
	KUNIT_EXPECT_EQ(test, (ssize_t)sizeof(rec), read(fd, buf, sizeof(rec)));
	KUNIT_EXPECT_EQ(test, 1L, evfd_unread(f));
	/* Half of the next: still unread. */
	KUNIT_EXPECT_EQ(test, (ssize_t)10, read(fd, buf, 10));
	KUNIT_EXPECT_EQ(test, 1L, evfd_unread(f));
	KUNIT_EXPECT_EQ(test, 2L, evfd_unread_all(f));
	/* The rest, and the uncounted one. */
	KUNIT_EXPECT_EQ(test, (ssize_t)(sizeof(rec) - 10 + 8), read(fd, buf, sizeof(buf)));
	KUNIT_EXPECT_EQ(test, 0L, evfd_unread(f));
	KUNIT_EXPECT_EQ(test, 0L, evfd_unread_all(f));

	releases = 0;
	KUNIT_EXPECT_EQ(test, 0, fd_close(fd));
	KUNIT_EXPECT_EQ(test, 1, releases.load());
}

void evfd_writes_reach_f_op_write_by_unit(struct kunit *test)
{
	unsigned long errors = evfd_write_errors();
	struct file *f;
	int fd = make_queue(test, 8, &f);
	char buf[20];

	writes_seen = 0;
	write_bytes = 0;
	memset(buf, 'r', sizeof(buf));
	buf[8] = 'x';	/* the second unit is refused */
	KUNIT_EXPECT_EQ(test, (ssize_t)sizeof(buf), write(fd, buf, sizeof(buf)));
	evfd_flush(f);
	/* Two whole units handed over; the 4-byte tail waits for more. */
	KUNIT_EXPECT_EQ(test, 2, writes_seen.load());
	KUNIT_EXPECT_EQ(test, 16, write_bytes.load());
	KUNIT_EXPECT_EQ(test, errors + 1, evfd_write_errors());
	KUNIT_EXPECT_EQ(test, (ssize_t)4, write(fd, buf, 4));
	evfd_flush(f);
	KUNIT_EXPECT_EQ(test, 3, writes_seen.load());

	releases = 0;
	KUNIT_EXPECT_EQ(test, 0, fd_close(fd));
	KUNIT_EXPECT_EQ(test, 1, releases.load());
}

void evfd_send_after_close_of_user_end(struct kunit *test)
{
	struct file *f;
	int fd = make_queue(test, 0, &f);
	char rec[8] = {};

	/* The kernel keeps a reference; the user's end goes away. */
	get_file(f);
	KUNIT_EXPECT_EQ(test, 0, fd_close(fd));
	KUNIT_EXPECT_EQ(test, -EPIPE, evfd_send(f, rec, sizeof(rec), true));
	releases = 0;
	fput(f);
	KUNIT_EXPECT_EQ(test, 1, releases.load());
	/* Unregistered: nothing to send to. */
}

struct kunit_case evfd_cases[] = {
	KUNIT_CASE(evfd_ledger_counts_unread_records),
	KUNIT_CASE(evfd_writes_reach_f_op_write_by_unit),
	KUNIT_CASE(evfd_send_after_close_of_user_end),
	{},
};

struct kunit_suite evfd_suite = {
	.name = "harness-evfd",
	.test_cases = evfd_cases,
};

} // namespace

kunit_test_suite(evfd_suite);
