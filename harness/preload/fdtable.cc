// SPDX-License-Identifier: GPL-2.0
/*
 * The descriptor table of the interposer (see fdtable.h).
 *
 * Entries pack kind, caps and a 48-bit value into one word so a reader
 * never sees a half-written entry; the inode sits beside it and is only
 * used to detect a descriptor that changed behind our back, with the
 * generation of unseen closes it was last compared in.
 */
#include "fdtable.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_SHIFT 10
#define CHUNK_SIZE (1 << CHUNK_SHIFT)
#define NR_CHUNKS 1024		/* up to 1M descriptors */

namespace {

struct slot {
	std::atomic<uint64_t> word;
	std::atomic<uint64_t> ino;
	std::atomic<uint32_t> aux;
	/* unseen_closes + 1 when the inode was last found right; 0: never. */
	std::atomic<uint64_t> checked;
};

std::atomic<struct slot *> chunks[NR_CHUNKS];
/* Bumped by every call that may have closed a descriptor we did not see (fdguard.cc). */
std::atomic<uint64_t> unseen_closes;

uint64_t pack(enum ufd_fd_kind kind, uint8_t caps, uint64_t value)
{
	return (uint64_t)kind << 56 | (uint64_t)caps << 48 | (value & ((1ULL << 48) - 1));
}

struct ufd_fd_entry unpack(uint64_t w, uint64_t ino, uint32_t aux = 0)
{
	struct ufd_fd_entry e;

	e.aux = aux;
	e.kind = (enum ufd_fd_kind)(w >> 56);
	e.caps = (uint8_t)(w >> 48);
	e.value = w & ((1ULL << 48) - 1);
	e.ino = ino;
	return e;
}

struct slot *slot_of(int fd, bool create)
{
	struct slot *c;

	if (fd < 0 || (fd >> CHUNK_SHIFT) >= NR_CHUNKS)
		return nullptr;
	c = chunks[fd >> CHUNK_SHIFT].load(std::memory_order_acquire);
	if (!c && create) {
		struct slot *fresh = (struct slot *)calloc(CHUNK_SIZE, sizeof(struct slot));

		if (!fresh)
			return nullptr;
		if (chunks[fd >> CHUNK_SHIFT].compare_exchange_strong(c, fresh))
			c = fresh;
		else
			free(fresh);	/* c now holds the winner's */
	}
	return c ? &c[fd & (CHUNK_SIZE - 1)] : nullptr;
}

uint64_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (uint64_t)st.st_ino;
}

} // namespace

struct ufd_fd_entry ufd_fd_get(int fd)
{
	struct slot *s = slot_of(fd, false);

	if (!s)
		return unpack(0, 0);
	return unpack(s->word.load(std::memory_order_acquire), s->ino.load(), s->aux.load());
}

struct ufd_fd_entry ufd_fd_get_valid(int fd)
{
	struct slot *s = slot_of(fd, false);
	struct ufd_fd_entry e = ufd_fd_get(fd);
	uint64_t gen;

	if (e.kind == UFD_FD_NONE)
		return e;
	/* Nothing closed unseen since the last check: still the same descriptor. */
	gen = unseen_closes.load(std::memory_order_acquire) + 1;
	if (s->checked.load(std::memory_order_acquire) == gen)
		return e;
	if (ino_of(fd) != e.ino) {
		ufd_fd_clear(fd);
		return unpack(0, 0);
	}
	s->checked.store(gen, std::memory_order_release);
	return e;
}

void ufd_fd_unseen_close(void)
{
	unseen_closes.fetch_add(1, std::memory_order_acq_rel);
}

bool ufd_fd_set(int fd, enum ufd_fd_kind kind, uint8_t caps, uint64_t value, uint32_t aux)
{
	struct slot *s = slot_of(fd, true);

	if (!s)
		return false;
	s->checked.store(unseen_closes.load(std::memory_order_acquire) + 1);
	s->ino.store(ino_of(fd));
	s->aux.store(aux);
	s->word.store(pack(kind, caps, value), std::memory_order_release);
	return true;
}

void ufd_fd_clear(int fd)
{
	struct slot *s = slot_of(fd, false);

	if (s)
		s->word.store(0, std::memory_order_release);
}

void ufd_fd_copy(int oldfd, int newfd)
{
	struct ufd_fd_entry e = ufd_fd_get(oldfd);

	if (e.kind == UFD_FD_NONE || e.kind == UFD_FD_CONTROL) {
		ufd_fd_clear(newfd);
		return;
	}
	ufd_fd_set(newfd, e.kind, e.caps, e.value, e.aux);
}

void ufd_fd_for_each(int first, int last, void (*fn)(int fd, struct ufd_fd_entry e, void *arg),
		     void *arg)
{
	if (first < 0)
		first = 0;
	for (int c = first >> CHUNK_SHIFT; c < NR_CHUNKS && c <= (last >> CHUNK_SHIFT); c++) {
		struct slot *s = chunks[c].load(std::memory_order_acquire);

		if (!s)
			continue;
		for (int i = 0; i < CHUNK_SIZE; i++) {
			int fd = (c << CHUNK_SHIFT) | i;
			uint64_t w;

			if (fd < first || fd > last)
				continue;
			w = s[i].word.load(std::memory_order_acquire);
			if (w)
				fn(fd, unpack(w, s[i].ino.load(), s[i].aux.load()), arg);
		}
	}
}
