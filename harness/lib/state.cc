// SPDX-License-Identifier: GPL-2.0
/*
 * State items (harness/state.h): building one and sealing it with its hash.
 */
#include "harness/state.h"

#include <cstdarg>
#include <cstdio>
#include <xxhash.h>

void state_item_field(struct state_item *item, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		item->fields.emplace_back(buf, (size_t)n);
		return;
	}
	/* Longer than the stack buffer: format again into the string itself. */
	std::string line((size_t)n, '\0');
	va_start(ap, fmt);
	vsnprintf(line.data(), line.size() + 1, fmt, ap);
	va_end(ap);
	item->fields.push_back(std::move(line));
}

/* Every string with its length, so that no two item texts hash alike by concatenation. */
static void hash_str(XXH3_state_t *st, const std::string &s)
{
	u64 len = s.size();

	XXH3_64bits_update(st, &len, sizeof(len));
	XXH3_64bits_update(st, s.data(), s.size());
}

void state_item_seal(struct state_item *item)
{
	XXH3_state_t *st = XXH3_createState();

	XXH3_64bits_reset(st);
	hash_str(st, item->kind);
	for (const std::string &f : item->fields)
		hash_str(st, f);
	for (const auto &e : item->edges) {
		hash_str(st, e.first);
		hash_str(st, e.second);
	}
	item->hash = XXH3_64bits_digest(st);
	XXH3_freeState(st);
}

void state_item_add_line(void *item, const char *line)
{
	state_item_field((struct state_item *)item, "%s", line);
}
