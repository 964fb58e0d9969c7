/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake /dev/iommu of ufd_fake_server (fake_server.cc) and the commands
 * its test client (harness/preload/tests/preload_client.c) sends. Type
 * ';' like iommufd's, so they take the same path through the interposer.
 */
#ifndef UFD_FAKE_IOCTLS_H
#define UFD_FAKE_IOCTLS_H

#include <linux/ioctl.h>
#include <stdint.h>

struct fake_echo {
	uint32_t size;
	uint32_t in;
	uint32_t out;
};

#define FAKE_ECHO	_IO(';', 0x40)	/* out = in + 1, through user copies */
#define FAKE_NEWFD	_IO(';', 0x41)	/* arg bit 0: a queue file (->read), bit 1: O_CLOEXEC */
#define FAKE_ALLOC	_IO(';', 0x42)	/* one kmalloc: -ENOMEM when fail-nth fires */
#define FAKE_GETFD	_IO(';', 0x43)	/* arg: an fd of the caller; 1 if a fake file */
#define FAKE_COUNT	_IO(';', 0x44)	/* fake files not yet released */
#define FAKE_WHO	_IO(';', 0x45)	/* current->pid as the server sees it */
#define FAKE_WARN	_IO(';', 0x46)	/* a WARN_ON, to see it reported */
#define FAKE_PEEK	_IO(';', 0x47)	/* the first u32 of the mmap()able page */
#define FAKE_UNMAPS	_IO(';', 0x48)	/* how many mappings were closed */
#define FAKE_REINSTALL	_IO(';', 0x49)	/* install one file twice: the server's tripwire */

/* mmap() offset of the fake file's one page, and what the page starts with. */
#define FAKE_MMAP_OFFSET	0x10000
#define FAKE_MMAP_PATTERN	0x5eedf00du

#endif
