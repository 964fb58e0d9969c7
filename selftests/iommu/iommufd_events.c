// SPDX-License-Identifier: GPL-2.0
/*
 * Fault queues and vEVENTQs: IOMMU_FAULT_QUEUE_ALLOC, HWPTs with
 * IOMMU_HWPT_FAULT_ID_VALID, page requests raised by the mock device
 * (IOMMU_TEST_OP_TRIGGER_IOPF) read from the fault fd and answered by
 * writing to it, the automatic answer when the device leaves the HWPT,
 * IOMMU_VEVENTQ_ALLOC and mock vIOMMU events (IOMMU_TEST_OP_TRIGGER_VEVENT)
 * with their sequence numbers and the lost-events header.
 *
 * The queue fds are real descriptors: the tests read them with read(2),
 * wait with poll(2) and epoll, and one test does the whole round trip with
 * io_uring (liburing), reads and writes both.
 */
#include "uiommufd_utils.h"

#include <liburing.h>
#include <poll.h>
#include <sys/epoll.h>

#ifdef UFD_USE_SYSCALLS
#define ufd_write(fd, buf, n) write((fd), (buf), (n))
#else
/* Answered by the file's ->write in this thread: the kernel's errno. */
#define ufd_write(fd, buf, n) iommufd_write((fd), (buf), (n))
#endif

/*
 * Reads that check the kernel's ->read() rules (whole records, count
 * checks, 0 when empty). Through the interposer read(2) itself follows
 * them; in this process iommufd_read() does (a plain read(2) of the
 * socket-backed fd has stream semantics).
 */
#ifdef UFD_USE_SYSCALLS
#define ufd_read(fd, buf, n) read((fd), (buf), (n))
#else
#define ufd_read(fd, buf, n) iommufd_read((fd), (buf), (n))
#endif

static int ufd_fault_alloc(int fd, __u32 flags, __u32 *fault_id, int *fault_fd)
{
	struct iommu_fault_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
	};
	int rc = ufd_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (!rc) {
		*fault_id = cmd.out_fault_id;
		*fault_fd = cmd.out_fault_fd;
	}
	return rc;
}

static int ufd_hwpt_alloc_fault(int fd, __u32 dev_id, __u32 pt_id, __u32 flags,
				__u32 fault_id, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
		.fault_id = fault_id,
	};
	int rc = ufd_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*hwpt_id = cmd.out_hwpt_id;
	return rc;
}

static int ufd_trigger_iopf(int fd, __u32 dev_id, __u32 pasid, __u32 grpid, __u64 addr)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = dev_id,
			.pasid = pasid,
			.grpid = grpid,
			.perm = IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE,
			.addr = addr,
		},
	};

	return ufd_test_cmd(fd, &cmd);
}

static int ufd_trigger_vevent(int fd, __u32 dev_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = dev_id },
	};

	return ufd_test_cmd(fd, &cmd);
}

static int ufd_veventq_alloc(int fd, __u32 viommu_id, __u32 type, __u32 depth,
			     __u32 *veventq_id, int *veventq_fd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = type,
		.veventq_depth = depth,
	};
	int rc = ufd_ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (!rc) {
		*veventq_id = cmd.out_veventq_id;
		*veventq_fd = cmd.out_veventq_fd;
	}
	return rc;
}

/* Readable within @ms? 1 yes, 0 no. */
static int ufd_readable(int qfd, int ms)
{
	struct pollfd pfd = { .fd = qfd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

/* ---- fault queues ---- */

FIXTURE(iopf)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 hwpt_id;
	__u32 dev_id;
	__u32 fault_id;
	int fault_fd;
	__u32 iopf_hwpt_id;
};

FIXTURE_SETUP(iopf)
{
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id,
				     &self->hwpt_id, &self->dev_id));
	ASSERT_EQ(0, ufd_fault_alloc(self->fd, 0, &self->fault_id, &self->fault_fd));
	ASSERT_NE(0, self->fault_id);
	ASSERT_LE(0, self->fault_fd);
	ASSERT_EQ(0, ufd_hwpt_alloc_fault(self->fd, self->dev_id, self->ioas_id,
					  IOMMU_HWPT_FAULT_ID_VALID, self->fault_id,
					  &self->iopf_hwpt_id));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->iopf_hwpt_id, NULL));
}

FIXTURE_TEARDOWN(iopf)
{
	/* The queue fd holds the context: close it first. */
	if (self->fault_fd >= 0)
		EXPECT_EQ(0, ufd_close(self->fault_fd));
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

static void check_fault(struct __test_metadata *_metadata, const struct iommu_hwpt_pgfault *f,
			__u32 dev_id, __u32 grpid, __u64 addr)
{
	ASSERT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, f->flags);
	ASSERT_EQ(dev_id, f->dev_id);
	ASSERT_EQ(0, f->pasid);
	ASSERT_EQ(grpid, f->grpid);
	ASSERT_EQ(IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE, f->perm);
	ASSERT_EQ(addr, f->addr);
	ASSERT_EQ(0, f->length);
	ASSERT_NE(0, f->cookie);
}

TEST_F(iopf, alloc_errors)
{
	__u32 id;
	int qfd;

	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_fault_alloc(self->fd, 1, &id, &qfd));
	/* Held by the HWPT and by its fd. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->fault_id));
	/* Not a fault queue / no such object. */
	UFD_EXPECT_ERRNO(ENOENT, ufd_hwpt_alloc_fault(self->fd, self->dev_id, self->ioas_id,
						      IOMMU_HWPT_FAULT_ID_VALID, self->ioas_id,
						      &id));
	UFD_EXPECT_ERRNO(ENOENT, ufd_hwpt_alloc_fault(self->fd, self->dev_id, self->ioas_id,
						      IOMMU_HWPT_FAULT_ID_VALID, 9999, &id));
	/* A stage 2 takes no faults itself. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP,
			 ufd_hwpt_alloc_fault(self->fd, self->dev_id, self->ioas_id,
					      IOMMU_HWPT_FAULT_ID_VALID |
						      IOMMU_HWPT_ALLOC_NEST_PARENT,
					      self->fault_id, &id));
	/* Nothing pending: not readable. */
	ASSERT_EQ(0, ufd_readable(self->fault_fd, 0));
}

TEST_F(iopf, destroy_order)
{
	/* Detach and destroy the HWPT: the fd alone now holds the queue. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->iopf_hwpt_id));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->fault_id));
	ASSERT_EQ(0, ufd_close(self->fault_fd));
	self->fault_fd = -1;
	ASSERT_EQ(0, ufd_destroy(self->fd, self->fault_id));
	UFD_EXPECT_ERRNO(ENOENT, ufd_destroy(self->fd, self->fault_id));
}

TEST_F(iopf, read_poll_respond)
{
	struct iommu_hwpt_page_response resp = {};
	struct iommu_hwpt_pgfault f[2];

	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 0x2, 0xdeadbeef000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	ASSERT_EQ(sizeof(f[0]), read(self->fault_fd, f, sizeof(f)));
	check_fault(_metadata, &f[0], self->dev_id, 0x2, 0xdeadbeef000);
	ASSERT_EQ(0, ufd_readable(self->fault_fd, 0));

	/* Bad responses: size, code, cookie. */
	resp.cookie = f[0].cookie;
	resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
	UFD_EXPECT_ERRNO(ESPIPE, ufd_write(self->fault_fd, &resp, sizeof(resp) - 1));
	resp.code = 7;
	UFD_EXPECT_ERRNO(EINVAL, ufd_write(self->fault_fd, &resp, sizeof(resp)));
	resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
	resp.cookie = f[0].cookie + 100;
	UFD_EXPECT_ERRNO(EINVAL, ufd_write(self->fault_fd, &resp, sizeof(resp)));
	/* The right one, once. */
	resp.cookie = f[0].cookie;
	ASSERT_EQ(sizeof(resp), ufd_write(self->fault_fd, &resp, sizeof(resp)));
	UFD_EXPECT_ERRNO(EINVAL, ufd_write(self->fault_fd, &resp, sizeof(resp)));
}

TEST_F(iopf, several_groups_and_partial_write)
{
	struct iommu_hwpt_page_response resp[3] = {};
	struct iommu_hwpt_pgfault f[4];
	ssize_t got = 0;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, i, 0x1000 * (i + 1)));
	while (got < (ssize_t)(3 * sizeof(f[0]))) {
		ssize_t n;

		ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
		n = read(self->fault_fd, (char *)f + got, sizeof(f) - got);
		ASSERT_LT(0, n);
		got += n;
	}
	ASSERT_EQ(3 * sizeof(f[0]), got);
	for (i = 0; i < 3; i++) {
		check_fault(_metadata, &f[i], self->dev_id, i, 0x1000 * (i + 1));
		resp[i].cookie = f[i].cookie;
		resp[i].code = IOMMUFD_PAGE_RESP_INVALID;
	}
	ASSERT_NE(f[0].cookie, f[1].cookie);
	/* The second is bad: the first is taken, the write reports 1 entry. */
	resp[1].cookie = 0;
	ASSERT_EQ(sizeof(resp[0]), ufd_write(self->fault_fd, resp, sizeof(resp)));
	ASSERT_EQ(sizeof(resp[0]), ufd_write(self->fault_fd, &resp[2], sizeof(resp[0])));
}

/* iommufd_fault_fops_read(): count must be a multiple of the message size. */
TEST_F(iopf, read_count_checks)
{
	struct iommu_hwpt_pgfault f[2];

	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 0x11, 0x11000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	UFD_EXPECT_ERRNO(ESPIPE, ufd_read(self->fault_fd, f, 1));
	UFD_EXPECT_ERRNO(ESPIPE, ufd_read(self->fault_fd, f, sizeof(f[0]) - 1));
	UFD_EXPECT_ERRNO(ESPIPE, ufd_read(self->fault_fd, f, sizeof(f[0]) + 1));
	UFD_EXPECT_ERRNO(ESPIPE, ufd_read(self->fault_fd, f, sizeof(f) - 8));
	/* Zero is a multiple: nothing copied, nothing consumed. */
	ASSERT_EQ(0, ufd_read(self->fault_fd, f, 0));
	/* None of that took any of the group. */
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 0));
	ASSERT_EQ(sizeof(f[0]), ufd_read(self->fault_fd, f, sizeof(f)));
	check_fault(_metadata, &f[0], self->dev_id, 0x11, 0x11000);
}

/* Whole groups only, as many as fit; 0 (not EAGAIN, no wait) when empty. */
TEST_F(iopf, read_whole_groups)
{
	struct iommu_hwpt_pgfault f[3];

	/* Empty, on a blocking descriptor: 0 at once. */
	ASSERT_EQ(0, ufd_read(self->fault_fd, f, sizeof(f)));

	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 1, 0x1000));
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 2, 0x2000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	/* Room for one group: the first; the second stays queued. */
	ASSERT_EQ(sizeof(f[0]), ufd_read(self->fault_fd, f, sizeof(f[0])));
	check_fault(_metadata, &f[0], self->dev_id, 1, 0x1000);
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 0));
	/* Room for three: the one left. */
	ASSERT_EQ(sizeof(f[0]), ufd_read(self->fault_fd, f, sizeof(f)));
	check_fault(_metadata, &f[0], self->dev_id, 2, 0x2000);
	ASSERT_EQ(0, ufd_read(self->fault_fd, f, sizeof(f)));
	ASSERT_EQ(0, ufd_readable(self->fault_fd, 0));

	/* Two queued, room for both: one read returns both. */
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 3, 0x3000));
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 4, 0x4000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	ASSERT_EQ(2 * sizeof(f[0]), ufd_read(self->fault_fd, f, sizeof(f)));
	check_fault(_metadata, &f[0], self->dev_id, 3, 0x3000);
	check_fault(_metadata, &f[1], self->dev_id, 4, 0x4000);
	ASSERT_NE(f[0].cookie, f[1].cookie);
	ASSERT_EQ(0, ufd_read(self->fault_fd, f, sizeof(f)));
}

TEST_F(iopf, plain_write_is_serviced)
{
	struct iommu_hwpt_page_response resp = {};
	struct iommu_hwpt_pgfault f;
	int tries;

	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 5, 0x5000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	ASSERT_EQ(sizeof(f), read(self->fault_fd, &f, sizeof(f)));
	resp.cookie = f.cookie;
	resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
	/* write(2) on the descriptor itself: the kernel side picks it up. */
	ASSERT_EQ(sizeof(resp), write(self->fault_fd, &resp, sizeof(resp)));
	for (tries = 0; tries < 500; tries++) {
		if (ufd_write(self->fault_fd, &resp, sizeof(resp)) == -1 && errno == EINVAL)
			break;
		usleep(10000);
	}
	ASSERT_GT(500, tries);
}

TEST_F(iopf, detach_answers_pending)
{
	struct iommu_hwpt_page_response resp = {};
	struct iommu_hwpt_pgfault f;

	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 1, 0x7000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	ASSERT_EQ(sizeof(f), read(self->fault_fd, &f, sizeof(f)));
	/* Leaving the HWPT answers the outstanding request (INVALID). */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
	resp.cookie = f.cookie;
	resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
	UFD_EXPECT_ERRNO(EINVAL, ufd_write(self->fault_fd, &resp, sizeof(resp)));

	/* A device on an HWPT without a queue: the fault goes nowhere. */
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 1, 0x7000));
	ASSERT_EQ(0, ufd_readable(self->fault_fd, 50));

	/* Back on the queue's HWPT; then the device goes away with one pending. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->iopf_hwpt_id, NULL));
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 2, 0x8000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	ASSERT_EQ(sizeof(f), read(self->fault_fd, &f, sizeof(f)));
	ASSERT_EQ(0, ufd_destroy(self->fd, self->stdev_id));
	resp.cookie = f.cookie;
	UFD_EXPECT_ERRNO(EINVAL, ufd_write(self->fault_fd, &resp, sizeof(resp)));
}

TEST_F(iopf, unanswered_at_close)
{
	/* Pending requests are answered when everything is torn down. */
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 1, 0x1000));
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 2, 0x2000));
	/* Close the iommufd first: the queue fd keeps the context alive. */
	ASSERT_EQ(0, ufd_close(self->fd));
	self->fd = -1;
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
}

TEST_F(iopf, epoll)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct iommu_hwpt_pgfault f;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_LE(0, ep);
	ev.data.fd = self->fault_fd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fault_fd, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 3, 0x3000));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 1000));
	ASSERT_EQ(self->fault_fd, out.data.fd);
	ASSERT_TRUE(out.events & EPOLLIN);
	ASSERT_EQ(sizeof(f), read(self->fault_fd, &f, sizeof(f)));
	check_fault(_metadata, &f, self->dev_id, 3, 0x3000);
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
}

TEST_F(iopf, io_uring)
{
	struct iommu_hwpt_page_response resp = {};
	struct iommu_hwpt_pgfault f = {};
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int tries;

	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));

	/* A poll, then a read, queued before the fault exists. */
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_poll_add(sqe, self->fault_fd, POLLIN);
	sqe->user_data = 1;
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0, 9, 0x9000));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	ASSERT_EQ(1, cqe->user_data);
	ASSERT_TRUE(cqe->res & POLLIN);
	io_uring_cqe_seen(&ring, cqe);

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, self->fault_fd, &f, sizeof(f), 0);
	sqe->user_data = 2;
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	ASSERT_EQ(2, cqe->user_data);
	ASSERT_EQ(sizeof(f), cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	check_fault(_metadata, &f, self->dev_id, 9, 0x9000);

	/* The response goes back through io_uring too. */
	resp.cookie = f.cookie;
	resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write(sqe, self->fault_fd, &resp, sizeof(resp), 0);
	sqe->user_data = 3;
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	ASSERT_EQ(3, cqe->user_data);
	ASSERT_EQ(sizeof(resp), cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);

	/* ...and was consumed: the cookie is spent. */
	for (tries = 0; tries < 500; tries++) {
		if (ufd_write(self->fault_fd, &resp, sizeof(resp)) == -1 && errno == EINVAL)
			break;
		usleep(10000);
	}
	ASSERT_GT(500, tries);
}

static int ufd_pasid_op(int fd, __u32 op, __u32 stdev_id, __u32 pasid, __u32 pt_id)
{
	struct iommu_test_cmd cmd = { .op = op, .id = stdev_id };

	if (op == IOMMU_TEST_OP_PASID_ATTACH) {
		cmd.pasid_attach.pasid = pasid;
		cmd.pasid_attach.pt_id = pt_id;
	} else {
		cmd.pasid_detach.pasid = pasid;
	}
	return ufd_test_cmd(fd, &cmd);
}

/* Page requests tagged with a PASID go to the HWPT on that PASID. */
TEST_F(iopf, pasid)
{
	struct iommu_hwpt_page_response resp = { .code = IOMMUFD_PAGE_RESP_SUCCESS };
	__u32 stdev_id, dev_id, hwpt_id;
	struct iommu_hwpt_pgfault f;

	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, MOCK_FLAGS_DEVICE_PASID, &stdev_id,
				     NULL, &dev_id));
	ASSERT_EQ(0, ufd_hwpt_alloc_fault(self->fd, dev_id, self->ioas_id,
					  IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID,
					  self->fault_id, &hwpt_id));
	/* PASID attachments want a PASID-capable HWPT on the RID too. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, stdev_id, hwpt_id, NULL));
	ASSERT_EQ(0, ufd_pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH, stdev_id, 100, hwpt_id));

	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, dev_id, 100, 4, 0x4000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	ASSERT_EQ(sizeof(f), read(self->fault_fd, &f, sizeof(f)));
	ASSERT_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE, f.flags);
	ASSERT_EQ(dev_id, f.dev_id);
	ASSERT_EQ(100, f.pasid);
	ASSERT_EQ(4, f.grpid);
	ASSERT_EQ(0x4000, f.addr);
	resp.cookie = f.cookie;
	ASSERT_EQ(sizeof(resp), ufd_write(self->fault_fd, &resp, sizeof(resp)));

	/* Nothing on PASID 200: no handle there, and the RID domain is not nested. */
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, dev_id, 200, 4, 0x4000));
	ASSERT_EQ(0, ufd_readable(self->fault_fd, 50));

	/* Detaching the PASID answers what is outstanding on it. */
	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, dev_id, 100, 5, 0x5000));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	ASSERT_EQ(sizeof(f), read(self->fault_fd, &f, sizeof(f)));
	ASSERT_EQ(0, ufd_pasid_op(self->fd, IOMMU_TEST_OP_PASID_DETACH, stdev_id, 100, 0));
	resp.cookie = f.cookie;
	UFD_EXPECT_ERRNO(EINVAL, ufd_write(self->fault_fd, &resp, sizeof(resp)));
	ASSERT_EQ(0, ufd_destroy(self->fd, stdev_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, hwpt_id));
}

/*
 * A nested HWPT with a fault queue. The mock's PASID table is the guest's
 * (user_pasid_table): a request for a PASID nobody attached goes to the
 * nested domain on the RID, as the kernel's selftest expects.
 */
TEST_F(iopf, nested_user_pasid_table)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_page_response resp = { .code = IOMMUFD_PAGE_RESP_SUCCESS };
	struct iommu_hwpt_alloc nested = {
		.size = sizeof(nested),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = self->dev_id,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
		.fault_id = self->fault_id,
	};
	struct iommu_hwpt_pgfault f;
	__u32 parent_id;

	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent_id));
	nested.pt_id = parent_id;
	nested.fault_id = 9999;
	UFD_EXPECT_ERRNO(ENOENT, ufd_ioctl(self->fd, IOMMU_HWPT_ALLOC, &nested));
	nested.fault_id = self->fault_id;
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_HWPT_ALLOC, &nested));
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, nested.out_hwpt_id, NULL));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, nested.out_hwpt_id));

	ASSERT_EQ(0, ufd_trigger_iopf(self->fd, self->dev_id, 0x1, 0x2, 0xdeadbeaf));
	ASSERT_EQ(1, ufd_readable(self->fault_fd, 1000));
	ASSERT_EQ(sizeof(f), read(self->fault_fd, &f, sizeof(f)));
	ASSERT_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE, f.flags);
	ASSERT_EQ(0x1, f.pasid);
	ASSERT_EQ(0x2, f.grpid);
	resp.cookie = f.cookie;
	ASSERT_EQ(sizeof(resp), ufd_write(self->fault_fd, &resp, sizeof(resp)));

	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
	ASSERT_EQ(0, ufd_destroy(self->fd, nested.out_hwpt_id));
	ASSERT_EQ(0, ufd_destroy(self->fd, parent_id));
}

/* ---- vEVENTQ ---- */

FIXTURE(veventq)
{
	UFD_FIXTURE_FIELDS;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 dev_id;
	__u32 parent_id;
	__u32 viommu_id;
	__u32 vdev_id;
	__u32 nested_id;
	__u32 veventq_id;
	int veventq_fd;
};

#define VIRT_ID 0x99

FIXTURE_SETUP(veventq)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_viommu_alloc viommu = {
		.size = sizeof(viommu),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
	};
	struct iommu_vdevice_alloc vdev = {
		.size = sizeof(vdev),
		.virt_id = VIRT_ID,
	};
	struct iommu_hwpt_alloc nested = {
		.size = sizeof(nested),
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};

	self->veventq_fd = -1;
	ufd_fixture_open(self);
	ASSERT_EQ(0, ufd_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, ufd_mock_domain(self->fd, self->ioas_id, 0, &self->stdev_id, NULL,
				     &self->dev_id));
	ASSERT_EQ(0, ufd_hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	viommu.dev_id = self->dev_id;
	viommu.hwpt_id = self->parent_id;
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &viommu));
	self->viommu_id = viommu.out_viommu_id;
	vdev.viommu_id = self->viommu_id;
	vdev.dev_id = self->dev_id;
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_VDEVICE_ALLOC, &vdev));
	self->vdev_id = vdev.out_vdevice_id;
	nested.dev_id = self->dev_id;
	nested.pt_id = self->viommu_id;
	ASSERT_EQ(0, ufd_ioctl(self->fd, IOMMU_HWPT_ALLOC, &nested));
	self->nested_id = nested.out_hwpt_id;
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->nested_id, NULL));
	ASSERT_EQ(0, ufd_veventq_alloc(self->fd, self->viommu_id, IOMMU_VEVENTQ_TYPE_SELFTEST,
				       2, &self->veventq_id, &self->veventq_fd));
}

FIXTURE_TEARDOWN(veventq)
{
	if (self->veventq_fd >= 0)
		EXPECT_EQ(0, ufd_close(self->veventq_fd));
	ufd_fixture_close(_metadata, self->fd, self->leak_mark, self->failure_mark);
}

struct selftest_vevent {
	struct iommufd_vevent_header hdr;
	struct iommu_viommu_event_selftest data;
};

/* Read one event; check its virtual ID and that its sequence follows. */
static void read_vevent(struct __test_metadata *_metadata, int qfd, __u32 expect_seq)
{
	struct selftest_vevent ev;

	ASSERT_EQ(1, ufd_readable(qfd, 1000));
	ASSERT_EQ(sizeof(ev), read(qfd, &ev, sizeof(ev)));
	ASSERT_EQ(0, ev.hdr.flags);
	ASSERT_EQ(expect_seq, ev.hdr.sequence);
	ASSERT_EQ(VIRT_ID, ev.data.virt_id);
}

TEST_F(veventq, alloc_errors)
{
	__u32 id;
	int qfd;
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = self->viommu_id,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 4,
	};

	cmd.flags = 1;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.__reserved = 0;
	cmd.type = IOMMU_VEVENTQ_TYPE_DEFAULT;
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.type = IOMMU_VEVENTQ_TYPE_SELFTEST;
	cmd.veventq_depth = 0;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	/* Bounded above at 2^19 events. */
	cmd.veventq_depth = (1U << 19) + 1;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.veventq_depth = UINT32_MAX;
	UFD_EXPECT_ERRNO(EINVAL, ufd_ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	UFD_EXPECT_ERRNO(ENOENT, ufd_veventq_alloc(self->fd, self->ioas_id,
						   IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &id, &qfd));
	/* One per type per vIOMMU. */
	UFD_EXPECT_ERRNO(EEXIST, ufd_veventq_alloc(self->fd, self->viommu_id,
						   IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &id, &qfd));
	/* Another type is fine. */
	ASSERT_EQ(0, ufd_veventq_alloc(self->fd, self->viommu_id, 0x1234, 2, &id, &qfd));
	ASSERT_EQ(0, ufd_close(qfd));
	ASSERT_EQ(0, ufd_destroy(self->fd, id));

	/* The queue holds the vIOMMU; its fd holds the queue. */
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->viommu_id));
	UFD_EXPECT_ERRNO(EBUSY, ufd_destroy(self->fd, self->veventq_id));
	ASSERT_EQ(0, ufd_close(self->veventq_fd));
	self->veventq_fd = -1;
	ASSERT_EQ(0, ufd_destroy(self->fd, self->veventq_id));
	/* Gone: the vIOMMU has none of the type now. */
	UFD_EXPECT_ERRNO(EOPNOTSUPP, ufd_trigger_vevent(self->fd, self->dev_id));
}

TEST_F(veventq, sequence_and_overflow)
{
	struct iommufd_vevent_header hdr;

	ASSERT_EQ(0, ufd_readable(self->veventq_fd, 0));
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	read_vevent(_metadata, self->veventq_fd, 0);
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	/* Depth 2 reached: the third is lost, a LOST_EVENTS header says so. */
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	read_vevent(_metadata, self->veventq_fd, 1);
	read_vevent(_metadata, self->veventq_fd, 2);
	ASSERT_EQ(1, ufd_readable(self->veventq_fd, 1000));
	ASSERT_EQ(sizeof(hdr), read(self->veventq_fd, &hdr, sizeof(hdr)));
	ASSERT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, hdr.flags);
	ASSERT_EQ(3, hdr.sequence);
	ASSERT_EQ(0, ufd_readable(self->veventq_fd, 0));
	/* Drained: room again, and the numbering goes on. */
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	read_vevent(_metadata, self->veventq_fd, 4);
}

TEST_F(veventq, partial_read_frees_room)
{
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	/* Reading one of two makes room for exactly one more. */
	read_vevent(_metadata, self->veventq_fd, 0);
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	read_vevent(_metadata, self->veventq_fd, 1);
	read_vevent(_metadata, self->veventq_fd, 2);
	ASSERT_EQ(0, ufd_readable(self->veventq_fd, 0));
}

/*
 * iommufd_veventq_fops_read(): a header and its data, whole, or nothing;
 * a count that cannot hold the first record is EINVAL, not 0 (end of file).
 */
TEST_F(veventq, read_framing)
{
	const size_t hdr_size = sizeof(struct iommufd_vevent_header);
	struct selftest_vevent ev[3];

	/* Empty, on a blocking descriptor: 0 at once. */
	ASSERT_EQ(0, ufd_read(self->veventq_fd, ev, sizeof(ev)));
	ASSERT_EQ(0, ufd_read(self->veventq_fd, ev, hdr_size));
	/* Too small for any header, queued or not. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_read(self->veventq_fd, ev, 0));
	UFD_EXPECT_ERRNO(EINVAL, ufd_read(self->veventq_fd, ev, hdr_size - 1));

	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	ASSERT_EQ(1, ufd_readable(self->veventq_fd, 1000));
	UFD_EXPECT_ERRNO(EINVAL, ufd_read(self->veventq_fd, ev, 0));
	/* Room for a header but not its data: EINVAL, nothing lost. */
	UFD_EXPECT_ERRNO(EINVAL, ufd_read(self->veventq_fd, ev, hdr_size));
	UFD_EXPECT_ERRNO(EINVAL, ufd_read(self->veventq_fd, ev, sizeof(ev[0]) - 1));
	/* Room for one and a half: one. */
	ASSERT_EQ(sizeof(ev[0]), ufd_read(self->veventq_fd, ev, sizeof(ev[0]) * 3 / 2));
	ASSERT_EQ(0, ev[0].hdr.flags);
	ASSERT_EQ(0, ev[0].hdr.sequence);
	ASSERT_EQ(VIRT_ID, ev[0].data.virt_id);
	/* Room for three: the one left. */
	ASSERT_EQ(sizeof(ev[0]), ufd_read(self->veventq_fd, ev, sizeof(ev)));
	ASSERT_EQ(0, ev[0].hdr.flags);
	ASSERT_EQ(1, ev[0].hdr.sequence);
	ASSERT_EQ(VIRT_ID, ev[0].data.virt_id);
	ASSERT_EQ(0, ufd_read(self->veventq_fd, ev, sizeof(ev)));
	ASSERT_EQ(0, ufd_readable(self->veventq_fd, 0));
}

/* The LOST_EVENTS header carries no data: it needs only its own room. */
TEST_F(veventq, read_lost_events_header)
{
	struct iommufd_vevent_header lost;
	struct selftest_vevent ev[2];
	unsigned char buf[64];
	int i;

	/* Depth 2: the third is lost. One read takes all three records. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	ASSERT_EQ(1, ufd_readable(self->veventq_fd, 1000));
	ASSERT_EQ(sizeof(ev) + sizeof(lost), ufd_read(self->veventq_fd, buf, sizeof(buf)));
	memcpy(ev, buf, sizeof(ev));
	memcpy(&lost, buf + sizeof(ev), sizeof(lost));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ev[i].hdr.flags);
		ASSERT_EQ(i, ev[i].hdr.sequence);
		ASSERT_EQ(VIRT_ID, ev[i].data.virt_id);
	}
	ASSERT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, lost.flags);
	ASSERT_EQ(2, lost.sequence);
	ASSERT_EQ(0, ufd_read(self->veventq_fd, buf, sizeof(buf)));

	/* Again, read in pieces: room for the two events, then a header. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	ASSERT_EQ(1, ufd_readable(self->veventq_fd, 1000));
	ASSERT_EQ(sizeof(ev), ufd_read(self->veventq_fd, buf, sizeof(ev) + sizeof(lost) - 1));
	memcpy(ev, buf, sizeof(ev));
	ASSERT_EQ(3, ev[0].hdr.sequence);
	ASSERT_EQ(4, ev[1].hdr.sequence);
	ASSERT_EQ(sizeof(lost), ufd_read(self->veventq_fd, &lost, sizeof(lost)));
	ASSERT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, lost.flags);
	ASSERT_EQ(5, lost.sequence);
	ASSERT_EQ(0, ufd_readable(self->veventq_fd, 0));
}

TEST_F(veventq, no_vdevice)
{
	/* Off the nested HWPT the device is not under the vIOMMU any more. */
	ASSERT_EQ(0, ufd_mock_replace(self->fd, self->stdev_id, self->ioas_id, NULL));
	UFD_EXPECT_ERRNO(ENOENT, ufd_trigger_vevent(self->fd, self->dev_id));
	UFD_EXPECT_ERRNO(ENOENT, ufd_trigger_vevent(self->fd, 9999));
}

TEST_F(veventq, epoll_and_close_order)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->veventq_fd, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, ufd_trigger_vevent(self->fd, self->dev_id));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 1000));
	close(ep);
	/* Unread events and the iommufd closed first: all freed at the end. */
	ASSERT_EQ(0, ufd_close(self->fd));
	self->fd = -1;
}

TEST_HARNESS_MAIN
