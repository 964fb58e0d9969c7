// SPDX-License-Identifier: GPL-2.0
/*
 * The interposer's test client: run under ufd_fake_server (or `uiommufd
 * run` with the fake core). Each check prints a TAP line; the exit status
 * is the number of failed checks (capped).
 *
 * It checks what a program sees of a kernel: descriptor numbers, errno
 * values, descriptor semantics across dup/fork/close, fail-nth and the
 * debugfs knobs, per-thread and per-process identity.
 */
#define _GNU_SOURCE
#include "harness/server/tests/fake_ioctls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int checks, failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		checks++;                                                    \
		if (cond) {                                                  \
			printf("ok %d ", checks);                            \
		} else {                                                     \
			failures++;                                          \
			printf("not ok %d ", checks);                        \
		}                                                            \
		printf(__VA_ARGS__);                                         \
		printf(" (%s:%d, errno %d)\n", __FILE__, __LINE__, errno);   \
		fflush(stdout);                                              \
	} while (0)

static int lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static long count_files(int fd) { return ioctl(fd, FAKE_COUNT); }

/* The watcher releases files of exited processes a little later. */
static bool wait_count(int fd, long want)
{
	for (int i = 0; i < 2000; i++) {
		if (count_files(fd) == want)
			return true;
		usleep(1000);
	}
	return false;
}

static void test_basics(void)
{
	struct fake_echo e = { .size = sizeof(e), .in = 41 };
	int expect = lowest_free_fd();
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	char c;

	CHECK(fd == expect, "open(/dev/iommu) gives the lowest free fd (%d, want %d)", fd, expect);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC honoured");
	CHECK(ioctl(fd, FAKE_ECHO, &e) == 0 && e.out == 42, "ioctl copies in and out");
	errno = 0;
	CHECK(ioctl(fd, FAKE_ECHO, (void *)16) == -1 && errno == EFAULT, "bad pointer: EFAULT");
	errno = 0;
	CHECK(ioctl(fd, _IO(';', 0x7f), &e) == -1 && errno == ENOTTY, "unknown ioctl: ENOTTY");
	errno = 0;
	CHECK(read(fd, &c, 1) == -1 && errno == EINVAL, "read on a file without ->read: EINVAL");
	errno = 0;
	CHECK(write(fd, &c, 1) == -1 && errno == EINVAL, "write without ->write: EINVAL");
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLIN | POLLOUT)) == (POLLIN | POLLOUT),
	      "poll: readable and writable, like DEFAULT_POLLMASK");
	CHECK(ioctl(fd, FIONCLEX) == 0 && fcntl(fd, F_GETFD) == 0, "FIONCLEX is the VFS's");
	CHECK(ioctl(fd, FAKE_WHO) == syscall(SYS_gettid), "the server runs as the calling thread");
	CHECK(close(fd) == 0, "close");
	errno = 0;
	CHECK(ioctl(fd, FAKE_ECHO, &e) == -1 && errno == EBADF, "ioctl after close: EBADF");
	errno = 0;
	CHECK(open("/dev/iommu/x", O_RDWR) == -1, "only /dev/iommu itself is ours");
}

static void test_dup_close(void)
{
	int probe = open("/dev/iommu", O_RDWR);
	long base = count_files(probe);
	int fd = open("/dev/iommu", O_RDWR), d1, d2, d3;
	struct fake_echo e = { .size = sizeof(e), .in = 1 };

	CHECK(count_files(probe) == base + 1, "a second iommufd is a second file");
	d1 = dup(fd);
	d2 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	CHECK(d2 >= 100 && ioctl(d2, FAKE_ECHO, &e) == 0, "F_DUPFD_CLOEXEC keeps the file");
	close(fd);
	CHECK(ioctl(d1, FAKE_ECHO, &e) == 0 && count_files(probe) == base + 1,
	      "closing one of several descriptors releases nothing");
	close(d1);
	CHECK(count_files(probe) == base + 1, "still held by the F_DUPFD copy");
	close(d2);
	CHECK(count_files(probe) == base, "the last close releases, before close() returns");

	fd = open("/dev/iommu", O_RDWR);
	d3 = open("/dev/iommu", O_RDWR);
	CHECK(count_files(probe) == base + 2, "two more");
	CHECK(dup2(fd, d3) == d3 && count_files(probe) == base + 1,
	      "dup2 over a served file releases the one replaced");
	CHECK(ioctl(d3, FAKE_ECHO, &e) == 0, "and routes to the new one");
	close(d3);
	close(fd);
	CHECK(count_files(probe) == base, "all released");
	close(probe);
}

/*
 * A served descriptor closed without our close() (a raw syscall, fclose()
 * of a stream made with fdopen()) whose number is then reused: the new
 * descriptor is not taken for the served file.
 */
static void test_closed_unseen(void)
{
	struct fake_echo e = { .size = sizeof(e), .in = 1 };
	int probe = open("/dev/iommu", O_RDWR);
	long base = count_files(probe);
	int fd = open("/dev/iommu", O_RDWR), other;
	FILE *f;

	CHECK(ioctl(fd, FAKE_ECHO, &e) == 0, "served before the raw close");
	syscall(SYS_close, fd);
	other = eventfd(0, 0);
	errno = 0;
	CHECK(other == fd && ioctl(other, FAKE_ECHO, &e) == -1 && errno == ENOTTY,
	      "syscall(SYS_close) then the number reused: the new descriptor is not ours");
	close(other);

	fd = open("/dev/iommu", O_RDWR);
	CHECK(ioctl(fd, FAKE_ECHO, &e) == 0, "served before fclose()");
	f = fdopen(fd, "r+");
	CHECK(f && fclose(f) == 0, "fdopen() and fclose() of the served descriptor");
	other = eventfd(0, 0);
	errno = 0;
	CHECK(other == fd && ioctl(other, FAKE_ECHO, &e) == -1 && errno == ENOTTY,
	      "fclose() then the number reused: the new descriptor is not ours");
	close(other);
	/* The server saw both hang up, not our close(): it releases them a little later. */
	CHECK(wait_count(probe, base), "both released");
	close(probe);
}

static void test_fork(void)
{
	int probe = open("/dev/iommu", O_RDWR);
	long base = count_files(probe);
	int fd = open("/dev/iommu", O_RDWR);
	int to_parent[2], to_child[2];
	pid_t child;
	int status;
	char c;

	(void)!pipe(to_parent);
	(void)!pipe(to_child);
	child = fork();
	if (!child) {
		struct fake_echo e = { .size = sizeof(e), .in = 7 };
		int ok = ioctl(fd, FAKE_ECHO, &e) == 0 && e.out == 8 &&
			 ioctl(fd, FAKE_WHO) == getpid();

		(void)!write(to_parent[1], ok ? "y" : "n", 1);
		/* Wait until the parent has closed its copy. */
		(void)!read(to_child[0], &c, 1);
		_exit(ioctl(fd, FAKE_ECHO, &e) == 0 ? 0 : 1);
	}
	CHECK(read(to_parent[0], &c, 1) == 1 && c == 'y',
	      "a forked child uses the inherited fd, as itself");
	close(fd);
	CHECK(count_files(probe) == base + 1, "the child's copy keeps the file open");
	(void)!write(to_child[1], "x", 1);
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child still used it after our close");
	CHECK(wait_count(probe, base), "released once the child exited");
	close(probe);
	close(to_parent[0]);
	close(to_parent[1]);
	close(to_child[0]);
	close(to_child[1]);
}

static void test_newfd(void)
{
	int fd = open("/dev/iommu", O_RDWR);
	long base = count_files(fd);
	int expect = lowest_free_fd();
	int q = ioctl(fd, FAKE_NEWFD, 1);
	int q2 = ioctl(fd, FAKE_NEWFD, 2);
	char c;

	CHECK(q == expect, "an fd made inside an ioctl is the lowest free one (%d, want %d)", q,
	      expect);
	CHECK(fcntl(q, F_GETFD) == 0 && fcntl(q2, F_GETFD) == FD_CLOEXEC, "its O_CLOEXEC as asked");
	CHECK(ioctl(fd, FAKE_GETFD, q) == 1, "the kernel side resolves the client's fd number");
	CHECK(ioctl(fd, FAKE_GETFD, 0) == 0, "an unrelated fd is not a fake file");
	errno = 0;
	CHECK(ioctl(fd, FAKE_GETFD, 999) == -1 && errno == EBADF, "a closed fd number: EBADF");
	CHECK(fcntl(q, F_SETFL, O_NONBLOCK) == 0 && read(q, &c, 1) == -1 && errno == EAGAIN,
	      "a file with ->read reads from its socket (empty: EAGAIN)");
	errno = 0;
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, q, 0) == MAP_FAILED && errno == ENODEV,
	      "mmap of a file without ->mmap: ENODEV");
	CHECK(count_files(fd) == base + 2, "two new files");
	close(q);
	close(q2);
	CHECK(count_files(fd) == base, "both released on close");
	close(fd);
}

static int open_fail_nth(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	return open(path, O_RDWR);
}

static void *thread_fail_nth(void *arg)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR);
	char buf[16] = "";

	(void)arg;
	(void)!pread(fd, buf, sizeof(buf), 0);
	close(fd);
	return (void *)(long)(strcmp(buf, "0\n") == 0);
}

static void test_fail_nth(void)
{
	int fd = open("/dev/iommu", O_RDWR);
	int nth = open_fail_nth();
	char buf[16] = "";
	pthread_t t;
	void *ok;

	CHECK(nth >= 0, "open /proc/self/task/<tid>/fail-nth");
	CHECK(pread(nth, buf, sizeof(buf), 0) == 2 && !strcmp(buf, "0\n"), "reads 0 when disarmed");
	CHECK(pwrite(nth, "1", 1, 0) == 1, "arm: fail the next injection point");
	errno = 0;
	CHECK(ioctl(fd, FAKE_ALLOC) == -1 && errno == ENOMEM, "the kmalloc failed");
	memset(buf, 0, sizeof(buf));
	CHECK(pread(nth, buf, sizeof(buf), 0) == 2 && !strcmp(buf, "0\n"), "fired: reads 0");
	CHECK(ioctl(fd, FAKE_ALLOC) == 0, "only once");
	CHECK(write(nth, "3\n", 2) == 2, "arm with 3 (write, trailing newline)");
	memset(buf, 0, sizeof(buf));
	lseek(nth, 0, SEEK_SET);
	CHECK(read(nth, buf, sizeof(buf)) == 2 && !strcmp(buf, "3\n"), "read back 3");
	CHECK(pthread_create(&t, NULL, thread_fail_nth, NULL) == 0 && pthread_join(t, &ok) == 0 &&
	      ok, "fail-nth is per thread");
	CHECK(ioctl(fd, FAKE_ALLOC) == 0 && ioctl(fd, FAKE_ALLOC) == 0 &&
	      ioctl(fd, FAKE_ALLOC) == -1 && errno == ENOMEM, "the third one fails");
	errno = 0;
	CHECK(pwrite(nth, "x", 1, 0) == -1 && errno == EINVAL, "garbage: EINVAL");
	CHECK(pwrite(nth, "0", 1, 0) == 1, "disarm");
	close(nth);
	errno = 0;
	CHECK(open("/proc/self/task/1/fail-nth", O_RDWR) == -1 && errno == ENOENT,
	      "another process's task is not ours");
	close(fd);
}

static int writeat(int dfd, const char *fn, const char *val)
{
	int fd = openat(dfd, fn, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static void test_debugfs(void)
{
	DIR *d = opendir("/sys/kernel/debug/");
	struct dirent *de;
	bool saw_failslab = false;
	char buf[32] = "";
	FILE *f;
	int fd;

	CHECK(d != NULL, "opendir(/sys/kernel/debug/)");
	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strcmp(de->d_name, "failslab"))
			saw_failslab = true;
	CHECK(saw_failslab, "failslab is listed");
	CHECK(writeat(dirfd(d), "failslab/ignore-gfp-wait", "N") == 0,
	      "write failslab/ignore-gfp-wait relative to the directory");
	CHECK(writeat(dirfd(d), "failslab/verbose", "0") == 0, "write failslab/verbose");
	closedir(d);

	fd = open("/sys/kernel/debug/failslab/ignore-gfp-wait", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 2 && !strcmp(buf, "N\n"), "read it back");
	close(fd);
	errno = 0;
	CHECK(open("/sys/kernel/debug/failslab/nonsense", O_RDONLY) == -1 && errno == ENOENT,
	      "unknown knob: ENOENT");
	fd = open("/sys/kernel/debug/failslab/times", O_WRONLY);
	errno = 0;
	CHECK(write(fd, "zz", 2) == -1 && errno == EINVAL, "bad value: EINVAL");
	close(fd);
	f = fopen("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "r");
	CHECK(f && fgets(buf, sizeof(buf), f) && (buf[0] == 'Y' || buf[0] == 'N'),
	      "fopen+fgets of a knob");
	if (f)
		fclose(f);
}

static void test_mmap(void)
{
	int fd = open("/dev/iommu", O_RDWR);
	long closes = ioctl(fd, FAKE_UNMAPS);
	volatile uint32_t *p;
	pid_t child;
	int status;

	errno = 0;
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == ENXIO,
	      "mmap of an offset the driver did not register: its ENXIO");
	errno = 0;
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, FAKE_MMAP_OFFSET) == MAP_FAILED &&
	      errno == EINVAL, "a private mapping: the driver's EINVAL");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, FAKE_MMAP_OFFSET);
	CHECK(p != MAP_FAILED, "mmap of the driver's page");
	if (p == MAP_FAILED)
		return;
	CHECK(p[0] == FAKE_MMAP_PATTERN, "shows what the kernel side wrote");
	p[0] = 0x1234;
	CHECK(ioctl(fd, FAKE_PEEK) == 0x1234, "the kernel side sees our store: one page, aliased");
	child = fork();
	if (!child)
		_exit(p[0] == 0x1234 ? 0 : 1);
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "a forked child sees it too");
	CHECK(ioctl(fd, FAKE_UNMAPS) == closes, "the child's exit closed nothing of ours");
	close(fd);
	CHECK(p[0] == 0x1234, "the mapping outlives close()");
	CHECK(munmap((void *)p, 4096) == 0, "munmap");
	fd = open("/dev/iommu", O_RDWR);
	CHECK(ioctl(fd, FAKE_UNMAPS) == closes + 1, "munmap closed the VMA (vm_ops->close)");
	close(fd);
}

static void test_warn(void)
{
	int fd = open("/dev/iommu", O_RDWR);
	int fd2;

	CHECK(ioctl(fd, FAKE_WARN) == 0, "a kernel-side WARN does not fail the ioctl");
	fd2 = ioctl(fd, FAKE_REINSTALL);
	CHECK(fd2 >= 0, "installing one file twice: refused, and the first install stands");
	close(fd2);
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	test_basics();
	test_dup_close();
	test_closed_unseen();
	test_fork();
	test_newfd();
	test_fail_nth();
	test_debugfs();
	test_mmap();
	if (getenv("UFD_FAKE_EXPECT_WARN"))
		test_warn();
	printf("1..%d\n", checks);
	return failures > 100 ? 100 : failures;
}
