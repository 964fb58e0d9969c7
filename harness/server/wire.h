/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sending and receiving protocol records (protocol.h), with at most one
 * descriptor attached. Shared by the server and the interposer, so it uses
 * nothing but libc; the interposer passes its real (non-interposed) entry
 * points where it matters.
 */
#pragma once

#include "harness/server/protocol.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/types.h>

/* Sends header + len payload bytes, with fd in SCM_RIGHTS if fd >= 0. 0 or -errno. */
static inline int ufd_wire_send(int sock, const struct ufd_packet *p, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {(void *)p, UFD_PACKET_SIZE(p->m.len)};
	struct msghdr mh = {};
	ssize_t rc;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		rc = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return (size_t)rc == iov.iov_len ? 0 : -EMSGSIZE;
}

/*
 * Receives one record. Returns its size, 0 at end of stream, or -errno
 * (-EPROTO for a record too short to hold a header). A received descriptor
 * (close-on-exec) goes to *fd, else *fd = -1; fd may be NULL only if none
 * is expected, and then any that arrives is closed.
 */
static inline ssize_t ufd_wire_recv(int sock, struct ufd_packet *p, int *fd,
				    int (*close_fn)(int))
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {(void *)p, sizeof(*p)};
	struct msghdr mh = {};
	int got = -1;
	ssize_t rc;

	if (fd)
		*fd = -1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	do
		rc = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&got, CMSG_DATA(c), sizeof(int));
	if (fd)
		*fd = got;
	else if (got >= 0)
		close_fn(got);
	if (rc == 0)
		return 0;
	if ((size_t)rc < sizeof(struct ufd_msg) || p->m.len > UFD_PAYLOAD_MAX ||
	    (size_t)rc < UFD_PACKET_SIZE(p->m.len)) {
		if (fd && *fd >= 0) {
			close_fn(*fd);
			*fd = -1;
		}
		return -EPROTO;
	}
	return rc;
}
