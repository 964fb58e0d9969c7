// SPDX-License-Identifier: GPL-2.0
/*
 * core/eventq_user.cc on a bare socketpair, with records pushed the way
 * the kernel side pushes them (one send per record): fault groups of
 * several messages (which the mock driver cannot raise) are returned
 * whole or not at all, vEVENTs and LOST_EVENTS headers are framed by the
 * queue's event size, the count checks, 0 when empty, errors that leave
 * the queue untouched, recovery after a stream read cut a record, and
 * concurrent readers getting whole records only.
 */
#include "core/eventq_user.h"
#include "kunit.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <atomic>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#define MSG sizeof(struct iommu_hwpt_pgfault)

struct qpair {
	int user;	/* what userspace reads */
	int kernel;	/* where records are pushed */
};

static struct qpair qpair_open(struct kunit *test)
{
	int sv[2];

	KUNIT_ASSERT_EQ(test, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	return { sv[0], sv[1] };
}

static void qpair_close(struct qpair *q)
{
	close(q->user);
	close(q->kernel);
}

/* Push one fault group of @n messages with @cookie; LAST_PAGE on the last. */
static void push_group(struct kunit *test, struct qpair *q, u32 cookie, unsigned int n,
		       bool last_flag = true)
{
	std::vector<struct iommu_hwpt_pgfault> msgs(n);

	for (unsigned int i = 0; i < n; i++) {
		msgs[i] = {};
		msgs[i].cookie = cookie;
		msgs[i].grpid = i;
		if (last_flag && i == n - 1)
			msgs[i].flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE;
	}
	KUNIT_ASSERT_EQ(test, send(q->kernel, msgs.data(), n * MSG, 0), (ssize_t)(n * MSG));
}

static void push_vevent(struct kunit *test, struct qpair *q, u32 seq, bool lost)
{
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_viommu_event_selftest data;
	} ev = {};

	ev.hdr.sequence = seq;
	ev.data.virt_id = 0x99;
	if (lost)
		ev.hdr.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS;
	size_t len = lost ? sizeof(ev.hdr) : sizeof(ev);
	KUNIT_ASSERT_EQ(test, send(q->kernel, &ev, len, 0), (ssize_t)len);
}

static void eventq_user_types(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, iommufd_vevent_data_len(IOMMU_VEVENTQ_TYPE_SELFTEST),
			sizeof(struct iommu_viommu_event_selftest));
	KUNIT_EXPECT_EQ(test, iommufd_vevent_data_len(IOMMU_VEVENTQ_TYPE_ARM_SMMUV3),
			sizeof(struct iommu_vevent_arm_smmuv3));
	KUNIT_EXPECT_EQ(test, iommufd_vevent_data_len(IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV),
			sizeof(struct iommu_vevent_tegra241_cmdqv));
	KUNIT_EXPECT_EQ(test, iommufd_vevent_data_len(IOMMU_VEVENTQ_TYPE_DEFAULT), 0UL);
	KUNIT_EXPECT_EQ(test, iommufd_vevent_data_len(0x1234), 0UL);
	KUNIT_EXPECT_EQ(test, iommufd_queue_kind_veventq(0x1234), IOMMUFD_QUEUE_VEVENTQ);
	KUNIT_EXPECT_EQ(test,
			iommufd_queue_kind_veventq(IOMMU_VEVENTQ_TYPE_SELFTEST) &
				IOMMUFD_QUEUE_KIND_MASK,
			IOMMUFD_QUEUE_VEVENTQ);
}

static void eventq_user_fault_groups(struct kunit *test)
{
	struct qpair q = qpair_open(test);
	struct iommu_hwpt_pgfault f[10];

	/* Empty, blocking socket: 0 at once. */
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, sizeof(f)), 0);

	push_group(test, &q, 1, 2);
	push_group(test, &q, 2, 1);
	push_group(test, &q, 3, 3);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, MSG - 1),
			-ESPIPE);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, 0), 0);
	/* The first group needs two messages of room. */
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, MSG), 0);
	/* Room for four: the first two groups (three messages), not the third. */
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, 4 * MSG),
			(long)(3 * MSG));
	KUNIT_EXPECT_EQ(test, f[0].cookie, 1U);
	KUNIT_EXPECT_EQ(test, f[1].cookie, 1U);
	KUNIT_EXPECT_EQ(test, f[2].cookie, 2U);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, 2 * MSG), 0);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, sizeof(f)),
			(long)(3 * MSG));
	KUNIT_EXPECT_EQ(test, f[2].cookie, 3U);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, sizeof(f)), 0);

	/* Without LAST_PAGE a group still ends where the cookie changes. */
	push_group(test, &q, 5, 1, false);
	push_group(test, &q, 6, 1);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, MSG),
			(long)MSG);
	KUNIT_EXPECT_EQ(test, f[0].cookie, 5U);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, MSG),
			(long)MSG);
	KUNIT_EXPECT_EQ(test, f[0].cookie, 6U);
	qpair_close(&q);
}

static void eventq_user_vevents(struct kunit *test)
{
	const int kind = iommufd_queue_kind_veventq(IOMMU_VEVENTQ_TYPE_SELFTEST);
	const size_t ev_size = sizeof(struct iommufd_vevent_header) +
			       sizeof(struct iommu_viommu_event_selftest);
	struct qpair q = qpair_open(test);
	unsigned char buf[64];
	struct iommufd_vevent_header hdr;

	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, kind, buf, sizeof(buf)), 0);
	/* Less than a header's room is EINVAL, queued or not. */
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, kind, buf, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, kind, buf, sizeof(hdr) - 1), -EINVAL);
	push_vevent(test, &q, 0, false);
	push_vevent(test, &q, 1, true);
	push_vevent(test, &q, 2, false);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, kind, buf, 0), -EINVAL);
	/* A header's room is not enough for an event: EINVAL, nothing taken. */
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, kind, buf, sizeof(hdr)), -EINVAL);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, kind, buf, ev_size + sizeof(hdr) - 1),
			(long)ev_size);
	/* ...but it is for a LOST_EVENTS header. */
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, kind, buf, sizeof(hdr)),
			(long)sizeof(hdr));
	memcpy(&hdr, buf, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, hdr.flags, (u32)IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
	KUNIT_EXPECT_EQ(test, hdr.sequence, 1U);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, kind, buf, sizeof(buf)), (long)ev_size);
	memcpy(&hdr, buf, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, hdr.sequence, 2U);

	/* An unknown type cannot be framed: stream reads, still never blocking. */
	push_vevent(test, &q, 3, false);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_VEVENTQ, buf, 5), 5);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_VEVENTQ, buf, 64),
			(long)ev_size - 5);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_VEVENTQ, buf, 64), 0);
	qpair_close(&q);
}

static void eventq_user_errors(struct kunit *test)
{
	struct qpair q = qpair_open(test);
	struct iommu_hwpt_pgfault f[2];
	int fd;

	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, 0, f, sizeof(f)), -EINVAL);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT | 0x100, f,
						 sizeof(f)),
			-EINVAL);
	push_group(test, &q, 1, 1);
	/* A bad buffer: -EFAULT and the group is still there. */
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, (void *)8,
						 sizeof(f)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, sizeof(f)),
			(long)MSG);

	/* A stream read cut a record: its rest comes out whole, then all is framed. */
	push_group(test, &q, 2, 1);
	push_group(test, &q, 3, 1);
	KUNIT_ASSERT_EQ(test, read(q.user, f, 10), 10);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, MSG),
			(long)MSG - 10);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, sizeof(f)),
			(long)MSG);
	KUNIT_EXPECT_EQ(test, f[0].cookie, 3U);

	fd = q.user;
	qpair_close(&q);
	KUNIT_EXPECT_EQ(test, iommufd_queue_read(fd, IOMMUFD_QUEUE_FAULT, f, sizeof(f)), -EBADF);
}

/* Two readers racing over many groups: each read returns whole groups only. */
static void eventq_user_concurrent(struct kunit *test)
{
	const unsigned int nr_groups = 3000;
	struct qpair q = qpair_open(test);
	std::atomic<unsigned int> msgs_read{0}, groups_read{0}, bad{0};
	std::atomic<bool> done{false};
	unsigned int msgs_sent = 0;

	auto reader = [&]() {
		struct iommu_hwpt_pgfault f[4];

		for (;;) {
			long n = iommufd_queue_read(q.user, IOMMUFD_QUEUE_FAULT, f, sizeof(f));

			if (n < 0 || n % MSG) {
				bad++;
				return;
			}
			if (!n) {
				if (done && groups_read == nr_groups)
					return;
				std::this_thread::yield();
				continue;
			}
			/* whole groups: the last message of what we got closes one */
			if (!(f[n / MSG - 1].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE))
				bad++;
			for (long i = 0; i < n / (long)MSG; i++)
				if (f[i].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE)
					groups_read++;
			msgs_read += (unsigned int)(n / MSG);
		}
	};
	std::thread r1(reader), r2(reader);

	for (unsigned int i = 0; i < nr_groups; i++) {
		unsigned int n = 1 + i % 3;

		push_group(test, &q, i + 1, n);
		msgs_sent += n;
	}
	done = true;
	r1.join();
	r2.join();
	KUNIT_EXPECT_EQ(test, bad.load(), 0U);
	KUNIT_EXPECT_EQ(test, groups_read.load(), nr_groups);
	KUNIT_EXPECT_EQ(test, msgs_read.load(), msgs_sent);
	qpair_close(&q);
}

static struct kunit_case eventq_user_cases[] = {
	KUNIT_CASE(eventq_user_types),
	KUNIT_CASE(eventq_user_fault_groups),
	KUNIT_CASE(eventq_user_vevents),
	KUNIT_CASE(eventq_user_errors),
	KUNIT_CASE(eventq_user_concurrent),
	{}
};

static struct kunit_suite eventq_user_suite = {
	.name = "eventq-user",
	.test_cases = eventq_user_cases,
};
kunit_test_suite(eventq_user_suite);
