/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For a benchmark that plays a VMM: every ioctl the selftests' VMM helpers
 * make (they all go through ufd_ioctl()) is a host call, counted in
 * host_calls. Include before those helpers' headers.
 */
#pragma once

#include <sys/ioctl.h>

static unsigned long host_calls;

static inline int counted_ioctl(int fd, unsigned long req, void *arg)
{
	host_calls++;
	return ioctl(fd, req, arg);
}
#define ufd_ioctl(fd, cmd, arg) counted_ioctl((fd), (cmd), (void *)(arg))
