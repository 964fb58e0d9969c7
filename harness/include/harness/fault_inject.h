/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection with the kernel's semantics (lib/fault-inject.c).
 *
 * Two mechanisms decide whether an injection point fails:
 *  - per-task fail-nth (/proc/<pid>/task/<tid>/fail-nth): armed with n, the
 *    task's n-th next should_fail() call fails, whichever attribute it is
 *    made on; the counter then reads 0. This is what iommufd_fail_nth uses.
 *  - the debugfs attributes of each fault_attr: probability (percent),
 *    interval, times, space, task-filter, verbose.
 * Filters that the kernel applies before should_fail() (failslab's
 * ignore-gfp-wait, fail_page_alloc's min-order, ...) are applied before it
 * here too, so a filtered allocation does not count against fail-nth.
 *
 * Deliberate difference: ignore-gfp-wait defaults to N (the kernel boots
 * with Y), which is the state iommufd_fail_nth puts a kernel in; with Y
 * nearly every GFP_KERNEL allocation would be invisible to fail-nth.
 * verbose defaults to 0 to keep test logs readable.
 */
#pragma once

#include "harness/compiler.h"

#include <atomic>
#include <sys/types.h>

struct fault_attr {
	/* Name as under /sys/kernel/debug/, set at registration. */
	const char *name;
	std::atomic<unsigned long> probability;	/* percent, 0..100 */
	std::atomic<unsigned long> interval;
	std::atomic<int> times;			/* -1: no limit */
	std::atomic<int> space;
	std::atomic<unsigned long> verbose;
	std::atomic<bool> task_filter;		/* only tasks with make_it_fail */
	/* Filters used by the allocator attributes (see should_failslab()). */
	std::atomic<bool> ignore_gfp_reclaim;	/* "ignore-gfp-wait" */
	std::atomic<bool> ignore_gfp_highmem;
	std::atomic<bool> cache_filter;		/* only SLAB_FAILSLAB caches */
	std::atomic<unsigned int> min_order;
	/* Internal: interval counter, and the registry chain. */
	std::atomic<unsigned long> count;
	struct fault_attr *next;
};

/*
 * The kernel's defaults: never fails until probability is raised, fails at
 * most once (times = 1) when it does.
 */
#define FAULT_ATTR_INITIALIZER                                                \
	{                                                                     \
		.name = nullptr, .probability = 0, .interval = 1, .times = 1, \
		.space = 0, .verbose = 0, .task_filter = false,               \
		.ignore_gfp_reclaim = false, .ignore_gfp_highmem = false,     \
		.cache_filter = false, .min_order = 0, .count = 0,            \
		.next = nullptr,                                              \
	}
#define DECLARE_FAULT_ATTR(name) struct fault_attr name = FAULT_ATTR_INITIALIZER

/* Predefined, always registered. */
extern struct fault_attr failslab;
extern struct fault_attr fail_page_alloc;
extern struct fault_attr fail_usercopy;

struct kmem_cache;

#define FAULT_NOWARN 0x1
bool should_fail_ex(struct fault_attr *attr, ssize_t size, int flags);
bool should_fail(struct fault_attr *attr, ssize_t size);

/* The allocator and uaccess hooks, with the kernel's pre-filters. */
bool should_failslab(struct kmem_cache *s, size_t size, gfp_t gfpflags);
bool should_fail_alloc_page(gfp_t gfp_mask, unsigned int order);
bool should_fail_usercopy(void);

/*
 * Registry of attributes by debugfs name, so an interposer can serve
 * /sys/kernel/debug/<name>/<knob> and the core can add fail_iommufd.
 * Registering a second attribute under a taken name is reported.
 */
void fault_attr_register(struct fault_attr *attr);
void fault_attr_unregister(struct fault_attr *attr);
struct fault_attr *fault_attr_find(const char *name);

struct dentry;
/*
 * As the kernel's: names and registers attr. Returns an opaque non-NULL
 * handle; there is no debugfs, the registry stands in for it.
 */
struct dentry *fault_create_debugfs_attr(const char *name, struct dentry *parent,
					 struct fault_attr *attr);

/*
 * debugfs-style access to one knob ("probability", "interval", "times",
 * "space", "verbose", "task-filter", "ignore-gfp-wait",
 * "ignore-gfp-highmem", "cache-filter", "min-order"). Values are parsed
 * and printed as debugfs does (bools as Y/N). 0 or -EINVAL/-ENOENT.
 */
int fault_attr_write_knob(struct fault_attr *attr, const char *knob, const char *val);
int fault_attr_read_knob(struct fault_attr *attr, const char *knob, char *buf, size_t len);

/* Per-task fail-nth of current: arm (0 disarms) and read back. */
void fail_nth_write(unsigned int n);
unsigned int fail_nth_read(void);

/* Seeds the generator behind probability (per thread, reproducible). */
void fault_inject_set_seed(u64 seed);
