/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the program-shaped fuzz targets share: reading an input as a
 * program (little-endian fields from the front, zeros once it runs out),
 * writing one (the seed generators), and storing the seeds.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

struct fuzz_reader {
	const uint8_t *p;
	size_t left;

	/* Up to @len bytes into @buf; how many there were. */
	size_t take(void *buf, size_t len)
	{
		size_t n = left < len ? left : len;

		memcpy(buf, p, n);
		p += n;
		left -= n;
		return n;
	}
	template <typename T> T get(void)
	{
		T v = 0;

		take(&v, sizeof(v));
		return v;
	}
};

struct fuzz_writer {
	std::vector<uint8_t> b;

	void bytes(const void *data, size_t len)
	{
		b.insert(b.end(), (const uint8_t *)data, (const uint8_t *)data + len);
	}
	template <typename T> void put(T v) { bytes(&v, sizeof(v)); }
};

/* Writes @prog as @dir/@name, or aborts: a seed run that half works is worse than none. */
static inline void fuzz_write_seed(const char *dir, const std::string &name,
				   const std::vector<uint8_t> &prog)
{
	std::string path = std::string(dir) + "/" + name;
	FILE *f = fopen(path.c_str(), "wb");

	if (!f || fwrite(prog.data(), 1, prog.size(), f) != prog.size() || fclose(f))
		abort();
}
