// SPDX-License-Identifier: GPL-2.0
/*
 * The user's side of a queue fd: read() with the kernel's ->read() rules
 * (iommufd_fault_fops_read(), iommufd_veventq_fops_read()) on top of the
 * socket the records were pushed into. See core/eventq_user.h.
 *
 * How records are framed. The kernel side sends each record with one
 * evfd_send(), all or nothing, and in the order ->read() would return
 * them, so the bytes queued on the descriptor always end at a record
 * boundary; what is missing is where the records inside them start. It
 * is recovered from the bytes themselves:
 *
 *  - fault queue: one record is one fault group, a run of struct
 *    iommu_hwpt_pgfault. The IOMMU layer only hands a group over once its
 *    last request (the one with IOMMU_PGFAULT_FLAGS_LAST_PAGE) arrived,
 *    and iommufd emits the group's messages in list order with that one
 *    last, so a group ends after the first message with LAST_PAGE. As a
 *    second fence a group also ends where the cookie changes (all
 *    messages of a group carry the group's cookie).
 *
 *  - vEVENTQ: a record is a struct iommufd_vevent_header followed, unless
 *    it has IOMMU_VEVENTQ_FLAG_LOST_EVENTS, by the event data. The header
 *    has no length: every event of a vEVENTQ is its type's uAPI structure,
 *    so the length comes with the queue kind (iommufd_queue_kind_veventq()).
 *
 * If something else (a plain read(2) or io_uring read with a short
 * count) consumed the start of a record, framing must recover. On a fault
 * queue everything queued is whole messages, so the bytes over a multiple
 * of the message size are the rest of a cut one: they are returned alone
 * and the reads after it are framed right. On a vEVENTQ records differ in
 * size and a cut cannot be found; the end of the queued bytes still ends
 * a record, so a leftover that is the last record queued comes out whole,
 * but one followed by more records is misframed (the documentation says
 * not to mix short stream reads with these reads on a vEVENTQ).
 *
 * Consuming: FIONREAD says how much is queued, recv(MSG_PEEK) shows it,
 * and one recv() of exactly the bytes of the whole records that fit takes
 * them. The evfd ledger counts unread records from SIOCOUTQ on the
 * kernel's end, which drops by whole records this way.
 *
 * Concurrency: the peek and the recv must see the same head of the
 * queue, so readers in this process are serialized by one process-wide
 * lock (nothing inside blocks: every socket call is non-blocking). A
 * reader in another process sharing the descriptor (after fork()) is not
 * serialized; a read there between our peek and recv can make us return
 * a different, still whole-record-sized, span. The kernel serializes
 * those too; this is documented as a difference.
 *
 * The FIONREAD ioctl is issued through syscall(): the LD_PRELOAD
 * interposer, which this file is also built into, exports its own ioctl().
 */
#include "core/eventq_user.h"
#include "uapi/linux/iommufd.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The mock driver's vEVENTQ type and event size (uapi/linux/iommufd_test.h:
 * IOMMU_VEVENTQ_TYPE_SELFTEST, struct iommu_viommu_event_selftest). Spelled
 * out so this file depends on the main uAPI header alone; the KUnit suite
 * "eventq-user" checks them against that header.
 */
#define UFD_VEVENTQ_TYPE_SELFTEST 0xbeefbeefU
#define UFD_VEVENT_SELFTEST_LEN 4

extern "C" size_t iommufd_vevent_data_len(unsigned int veventq_type)
{
	switch (veventq_type) {
	case IOMMU_VEVENTQ_TYPE_ARM_SMMUV3:
		return sizeof(struct iommu_vevent_arm_smmuv3);
	case IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV:
		return sizeof(struct iommu_vevent_tegra241_cmdqv);
	case UFD_VEVENTQ_TYPE_SELFTEST:
		return UFD_VEVENT_SELFTEST_LEN;
	default:
		return 0;
	}
}

extern "C" int iommufd_queue_kind_veventq(unsigned int veventq_type)
{
	return IOMMUFD_QUEUE_VEVENTQ |
	       (int)(iommufd_vevent_data_len(veventq_type) << IOMMUFD_QUEUE_VEVENTQ_DATA_SHIFT);
}

/* Serializes peek + recv of every reader in this process (see above). */
static pthread_mutex_t iommufd_queue_read_lock = PTHREAD_MUTEX_INITIALIZER;

/* recv() that never blocks: bytes, 0 if nothing is queued, or -errno. */
static long queue_recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t n;

	do {
		n = recv(fd, buf, len, flags | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		return (long)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return -errno;
}

/*
 * Bytes of whole fault groups at the head of @q (@len bytes seen, @all:
 * they are all that is queued) that fit in @count, as the kernel would
 * copy them: group by group, stopping at the first that does not fit.
 */
static size_t fault_take(const unsigned char *q, size_t len, bool all, size_t count)
{
	const size_t msg_size = sizeof(struct iommu_hwpt_pgfault);
	size_t done = 0;

	while (done < len) {
		struct iommu_hwpt_pgfault first, cur;
		size_t end = done;
		bool closed = false;

		if (len - done < msg_size) {
			/* the tail of a record cut by a stream read */
			if (all)
				done = len;
			break;
		}
		memcpy(&first, q + done, msg_size);
		while (len - end >= msg_size) {
			memcpy(&cur, q + end, msg_size);
			if (cur.cookie != first.cookie) {
				closed = true;
				break;
			}
			end += msg_size;
			if (cur.flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE) {
				closed = true;
				break;
			}
		}
		if (!closed) {
			/* Runs past what we saw: whole only if that is everything. */
			if (!all)
				break;
			end = len;
		}
		if (end - done > count - done)
			break;
		done = end;
	}
	return done;
}

/* The same for vEVENTs of @data_len bytes each (LOST_EVENTS: header only). */
static size_t vevent_take(const unsigned char *q, size_t len, bool all, size_t count,
			  size_t data_len)
{
	const size_t hdr_size = sizeof(struct iommufd_vevent_header);
	size_t done = 0;

	while (done < len) {
		struct iommufd_vevent_header hdr;
		size_t rec;

		if (hdr_size > count - done)
			break;
		if (len - done < hdr_size) {
			if (all)
				done = len;
			break;
		}
		memcpy(&hdr, q + done, hdr_size);
		rec = hdr_size;
		if (!(hdr.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS))
			rec += data_len;
		if (rec > count - done)
			break;
		if (rec > len - done) {
			if (!all)
				break;
			rec = len - done;
		}
		done += rec;
	}
	return done;
}

static long __iommufd_queue_read(int fd, int kind, void *buf, size_t count)
{
	const int type = kind & IOMMUFD_QUEUE_KIND_MASK;
	const size_t data_len = (size_t)kind >> IOMMUFD_QUEUE_VEVENTQ_DATA_SHIFT;
	unsigned char *peek;
	size_t window, take;
	int avail = 0;
	long rc;

	if (syscall(SYS_ioctl, fd, FIONREAD, &avail))
		return -errno;
	if (avail <= 0 || !count)
		return 0;

	/*
	 * A fault group without LAST_PAGE is closed by the next message's
	 * cookie: look one message past @count.
	 */
	window = count;
	if (type == IOMMUFD_QUEUE_FAULT && window < (size_t)avail)
		window += sizeof(struct iommu_hwpt_pgfault);
	if (window > (size_t)avail)
		window = (size_t)avail;
	peek = (unsigned char *)malloc(window);
	if (!peek)
		return -ENOMEM;
	rc = queue_recv(fd, peek, window, MSG_PEEK);
	if (rc <= 0) {
		free(peek);
		return rc;
	}
	/* Seeing all of it: the queue ends at a record boundary. */
	if (type == IOMMUFD_QUEUE_FAULT && avail % sizeof(struct iommu_hwpt_pgfault))
		/*
		 * Whole messages are queued, and reads take from the head: what
		 * is over a multiple is the rest of one a stream read cut.
		 */
		take = avail % sizeof(struct iommu_hwpt_pgfault);
	else if (type == IOMMUFD_QUEUE_FAULT)
		take = fault_take(peek, (size_t)rc, (size_t)rc == (size_t)avail, count);
	else
		take = vevent_take(peek, (size_t)rc, (size_t)rc == (size_t)avail, count,
				   data_len);
	free(peek);
	/*
	 * Something is queued but its first record does not fit in @count:
	 * a vEVENTQ read fails rather than return 0, which reads as the end
	 * of the file. A fault queue returns 0 (whole messages, none fit).
	 */
	if (!take)
		return type == IOMMUFD_QUEUE_VEVENTQ ? -EINVAL : 0;
	return queue_recv(fd, buf, take, 0);
}

extern "C" long iommufd_queue_read(int fd, int kind, void *buf, size_t count)
{
	const int type = kind & IOMMUFD_QUEUE_KIND_MASK;
	long rc;

	switch (type) {
	case IOMMUFD_QUEUE_FAULT:
		/* iommufd_fault_fops_read(): only whole messages */
		if (kind != IOMMUFD_QUEUE_FAULT)
			return -EINVAL;
		if (count % sizeof(struct iommu_hwpt_pgfault))
			return -ESPIPE;
		break;
	case IOMMUFD_QUEUE_VEVENTQ:
		/*
		 * An unknown type cannot be framed: a non-blocking stream read.
		 * Otherwise iommufd_veventq_fops_read() with the 2026 read-count
		 * checks (Documentation/core-events.md): a count too small for
		 * a header is -EINVAL, queued or not.
		 */
		if (!(kind >> IOMMUFD_QUEUE_VEVENTQ_DATA_SHIFT))
			return queue_recv(fd, buf, count, 0);
		if (count < sizeof(struct iommufd_vevent_header))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	pthread_mutex_lock(&iommufd_queue_read_lock);
	rc = __iommufd_queue_read(fd, kind, buf, count);
	pthread_mutex_unlock(&iommufd_queue_read_lock);
	return rc;
}
