// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of I/O page fault delivery as the device sees it: every page
 * request the mock device raises gets exactly one answer, and the right
 * one (core/io_pgfault.h keeps the count of answers by code). Driven
 * through the C API like the selftests.
 */
#include "core/c_api.h"
#include "core/io_pgfault.h"
#include "kunit.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

static int ev_ioctl(int fd, unsigned long cmd, void *arg)
{
	return iommufd_ioctl(fd, cmd, arg) ? -errno : 0;
}

static int ev_test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ev_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

struct ev_setup {
	int fd;
	u32 ioas, stdev, idev, fault_id, hwpt;
	int qfd;
};

static void ev_build(struct kunit *test, struct ev_setup *s)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd md = { .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_test_cmd rep = { .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE };

	s->fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_LE(test, 0, s->fd);
	KUNIT_ASSERT_EQ(test, 0, ev_ioctl(s->fd, IOMMU_IOAS_ALLOC, &ioas));
	s->ioas = ioas.out_ioas_id;
	md.id = s->ioas;
	KUNIT_ASSERT_EQ(test, 0, ev_test_cmd(s->fd, &md));
	s->stdev = md.mock_domain.out_stdev_id;
	s->idev = md.mock_domain.out_idev_id;
	KUNIT_ASSERT_EQ(test, 0, ev_ioctl(s->fd, IOMMU_FAULT_QUEUE_ALLOC, &fault));
	s->fault_id = fault.out_fault_id;
	s->qfd = (int)fault.out_fault_fd;
	hwpt.flags = IOMMU_HWPT_FAULT_ID_VALID;
	hwpt.dev_id = s->idev;
	hwpt.pt_id = s->ioas;
	hwpt.fault_id = s->fault_id;
	KUNIT_ASSERT_EQ(test, 0, ev_ioctl(s->fd, IOMMU_HWPT_ALLOC, &hwpt));
	s->hwpt = hwpt.out_hwpt_id;
	rep.id = s->stdev;
	rep.mock_domain_replace.pt_id = s->hwpt;
	KUNIT_ASSERT_EQ(test, 0, ev_test_cmd(s->fd, &rep));
}

static int ev_replace(int fd, u32 stdev, u32 pt)
{
	struct iommu_test_cmd rep = { .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev };

	rep.mock_domain_replace.pt_id = pt;
	return ev_test_cmd(fd, &rep);
}

static int ev_trigger(int fd, u32 idev, u32 grpid)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_TRIGGER_IOPF };

	cmd.trigger_iopf.dev_id = idev;
	cmd.trigger_iopf.grpid = grpid;
	cmd.trigger_iopf.addr = 0x1000;
	return ev_test_cmd(fd, &cmd);
}

static u32 ev_read_cookie(struct kunit *test, int qfd)
{
	struct pollfd pfd = { .fd = qfd, .events = POLLIN };
	struct iommu_hwpt_pgfault f = {};

	KUNIT_EXPECT_EQ(test, 1, poll(&pfd, 1, 1000));
	KUNIT_EXPECT_EQ(test, (ssize_t)sizeof(f), read(qfd, &f, sizeof(f)));
	return f.cookie;
}

static void ev_expect(struct kunit *test, const struct iopf_response_stats *before,
		      unsigned long success, unsigned long invalid, unsigned long failure)
{
	struct iopf_response_stats now;

	iopf_get_response_stats(&now);
	KUNIT_EXPECT_EQ(test, before->success + success, now.success);
	KUNIT_EXPECT_EQ(test, before->invalid + invalid, now.invalid);
	KUNIT_EXPECT_EQ(test, before->failure + failure, now.failure);
}

/* Each way a request can end, and the answer the device gets for it. */
static void iopf_every_request_answered_once(struct kunit *test)
{
	struct iommu_hwpt_page_response resp = { .code = IOMMUFD_PAGE_RESP_SUCCESS };
	struct iopf_response_stats base;
	struct ev_setup s;

	ev_build(test, &s);
	iopf_get_response_stats(&base);

	/* Answered by userspace. */
	KUNIT_ASSERT_EQ(test, 0, ev_trigger(s.fd, s.idev, 1));
	ev_expect(test, &base, 0, 0, 0);
	resp.cookie = ev_read_cookie(test, s.qfd);
	KUNIT_EXPECT_EQ(test, (long)sizeof(resp), iommufd_write(s.qfd, &resp, sizeof(resp)));
	ev_expect(test, &base, 1, 0, 0);
	resp.code = IOMMUFD_PAGE_RESP_INVALID;
	KUNIT_ASSERT_EQ(test, 0, ev_trigger(s.fd, s.idev, 2));
	resp.cookie = ev_read_cookie(test, s.qfd);
	KUNIT_EXPECT_EQ(test, (long)sizeof(resp), iommufd_write(s.qfd, &resp, sizeof(resp)));
	ev_expect(test, &base, 1, 1, 0);

	/* Read but unanswered when the device leaves the HWPT: INVALID. */
	KUNIT_ASSERT_EQ(test, 0, ev_trigger(s.fd, s.idev, 3));
	(void)ev_read_cookie(test, s.qfd);
	KUNIT_ASSERT_EQ(test, 0, ev_replace(s.fd, s.stdev, s.ioas));
	ev_expect(test, &base, 1, 2, 0);

	/* No queue behind the domain: INVALID at once. */
	KUNIT_ASSERT_EQ(test, 0, ev_trigger(s.fd, s.idev, 4));
	ev_expect(test, &base, 1, 3, 0);

	/* The queue's fd is closed: the request waits for the detach. */
	KUNIT_ASSERT_EQ(test, 0, ev_replace(s.fd, s.stdev, s.hwpt));
	KUNIT_ASSERT_EQ(test, 0, iommufd_close(s.qfd));
	KUNIT_ASSERT_EQ(test, 0, ev_trigger(s.fd, s.idev, 5));
	ev_expect(test, &base, 1, 3, 0);
	KUNIT_ASSERT_EQ(test, 0, ev_replace(s.fd, s.stdev, s.ioas));
	ev_expect(test, &base, 1, 4, 0);

	KUNIT_EXPECT_EQ(test, 0, iommufd_close(s.fd));
}

/* Requests still waiting when everything is closed are answered INVALID. */
static void iopf_pending_answered_at_close(struct kunit *test)
{
	struct iopf_response_stats base;
	struct ev_setup s;

	ev_build(test, &s);
	iopf_get_response_stats(&base);
	KUNIT_ASSERT_EQ(test, 0, ev_trigger(s.fd, s.idev, 1));
	KUNIT_ASSERT_EQ(test, 0, ev_trigger(s.fd, s.idev, 2));
	KUNIT_EXPECT_EQ(test, 0, iommufd_close(s.fd));
	ev_expect(test, &base, 0, 0, 0);
	/* The queue fd held the context; its close tears everything down. */
	KUNIT_EXPECT_EQ(test, 0, iommufd_close(s.qfd));
	ev_expect(test, &base, 0, 2, 0);
}

static struct kunit_case mock_events_cases[] = {
	KUNIT_CASE(iopf_every_request_answered_once),
	KUNIT_CASE(iopf_pending_answered_at_close),
	{},
};

static struct kunit_suite mock_events_suite = {
	.name = "mock-events",
	.test_cases = mock_events_cases,
};

kunit_test_suite(mock_events_suite);
