/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an in-process fuzz target checks once an input has run and
 * everything it made is torn down: no harness tripwire fired, no slab
 * allocation made meanwhile survives, and the count of pages of one kind
 * (pinned user pages, kernel pages) is back where it was. Any of those
 * stops the fuzzer with the input, after a line saying which.
 */
#pragma once

#include "harness/physmem.h"
#include "harness/slab.h"
#include "harness/testhooks.h"

#include <cstdio>
#include <cstdlib>

struct fuzz_after {
	const char *target;
	enum page_kind kind;
	unsigned long failures = harness_failure_count();
	unsigned long pages;
	u64 mark = kmem_leak_mark();

	fuzz_after(const char *target, enum page_kind kind)
		: target(target), kind(kind), pages(physmem_nr_pages(kind))
	{
	}

	/* @leaked and @kept say what a leak and a page left behind mean here. */
	void check(const char *leaked, const char *kept) const
	{
		if (harness_failure_count() != failures) {
			fprintf(stderr, "%s: a kernel-side tripwire fired (above)\n", target);
			abort();
		}
		if (kmem_leak_report(mark)) {
			fprintf(stderr, "%s: %s\n", target, leaked);
			abort();
		}
		if (physmem_nr_pages(kind) != pages) {
			fprintf(stderr, "%s: %s\n", target, kept);
			abort();
		}
	}
};
