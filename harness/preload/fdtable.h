/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interposer's view of the process's descriptors: which ones stand for
 * something uiommufd serves. Lock-free: a two-level array of atomic
 * entries indexed by fd, so the check every read()/write()/close() makes on
 * an ordinary descriptor is one or two loads.
 *
 * An entry remembers the inode of the descriptor it was made for. Programs
 * can close or replace a descriptor behind our back (raw syscalls,
 * closefrom, stdio's internal close); before an entry routes anything it is
 * checked against the descriptor's current inode, and dropped if stale.
 * The check costs an fstat(), so it is made once per entry after each call
 * that may have closed something unseen (fdguard.cc counts them), not on
 * every request.
 */
#pragma once

#include <atomic>
#include <stdint.h>
#include <sys/types.h>

enum ufd_fd_kind : uint8_t {
	UFD_FD_NONE,
	UFD_FD_FILE,		/* a served file: value = token, caps = UFD_FILE_* */
	UFD_FD_FAILNTH,		/* value = pid << 24 | tid */
	UFD_FD_KNOB,		/* value = index of "attr/knob" in the knob table */
	UFD_FD_DEBUGFS_DIR,	/* value = index of the directory prefix ("" or "attr/") */
	UFD_FD_CONTROL,		/* our own connection to the server */
};

struct ufd_fd_entry {
	enum ufd_fd_kind kind;
	uint8_t caps;
	uint64_t value;		/* 48 bits */
	uint64_t ino;
	uint32_t aux;		/* UFD_FD_FILE: how read() frames records (core/eventq_user.h) */
};

/* The entry for fd (kind UFD_FD_NONE if none), not validated. */
struct ufd_fd_entry ufd_fd_get(int fd);
/* The entry if it is still the descriptor it was made for; drops it if not. */
struct ufd_fd_entry ufd_fd_get_valid(int fd);
/* A call that may have closed descriptors without our close() was made. */
void ufd_fd_unseen_close(void);
/* Records fd (its inode is read now). false if fd is out of range. */
bool ufd_fd_set(int fd, enum ufd_fd_kind kind, uint8_t caps, uint64_t value,
		uint32_t aux = 0);
void ufd_fd_clear(int fd);
/* Copies fd's entry to newfd (dup); newfd's inode is the same file's. */
void ufd_fd_copy(int oldfd, int newfd);
/* Calls fn for each entry in [first, last]. */
void ufd_fd_for_each(int first, int last, void (*fn)(int fd, struct ufd_fd_entry e, void *arg),
		     void *arg);
