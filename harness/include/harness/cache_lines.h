/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a hardware model's caches hold, as lines of text for a state
 * digest (core/state.h): one line per entry, naming what an invalidation
 * has to match (the tag: IDs, address, size) and the permissions cached,
 * never a physical address (those differ from run to run). A model collects
 * its lines with cache_line_add() and hands them to cache_lines_emit(),
 * which sorts them (hash-table order means nothing) and passes on at most
 * @max, then one "... N more" line, so two runs that cached the same
 * translations describe them alike.
 */
#pragma once

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

typedef void (*cache_line_fn)(void *arg, const char *line);

__attribute__((format(printf, 2, 3))) static inline void
cache_line_add(std::vector<std::string> *lines, const char *fmt, ...)
{
	char buf[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lines->emplace_back(buf);
}

static inline void cache_lines_emit(std::vector<std::string> *lines, unsigned int max,
				    cache_line_fn emit, void *arg)
{
	char more[64];

	std::sort(lines->begin(), lines->end());
	for (size_t i = 0; i < lines->size() && i < max; i++)
		emit(arg, (*lines)[i].c_str());
	if (lines->size() > max) {
		snprintf(more, sizeof(more), "... %zu more", lines->size() - max);
		emit(arg, more);
	}
}

/* " pasid N" for an entry tagged with PASID N, "" for @none (the model's "no PASID"). */
static inline void cache_pasid(char *buf, size_t len, unsigned int pasid, unsigned int none)
{
	if (pasid == none)
		buf[0] = 0;
	else
		snprintf(buf, len, " pasid %#x", pasid);
}

/* "rw", "r-", ... of a PT_PERM_* mask (generic_pt's R and W bits). */
static inline const char *cache_perm(unsigned int perm)
{
	static const char *const names[] = { "--", "r-", "-w", "rw" };

	return names[perm & 3];
}
