// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: the attributes, the per-task fail-nth counter, and the
 * allocator/usercopy hooks with the kernel's pre-filters.
 *
 * Order of decisions in should_fail_ex() is the kernel's, because it is
 * observable: an armed fail-nth is consumed by any should_fail() call of
 * the task before the attribute's own settings are looked at, and a
 * fail-nth failure ignores probability, interval, times and space (but
 * still uses up one of `times`).
 *
 * The registry is an intrusive list through fault_attr::next, so
 * registering never allocates and the predefined attributes are linked at
 * compile time.
 */
#include "harness/fault_inject.h"

#include "harness/bug.h"
#include "harness/sched.h"
#include "harness/slab.h"
#include "harness/testhooks.h"
#include "ledger.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unistd.h>

struct fault_attr fail_usercopy = {
	.name = "fail_usercopy", .probability = 0, .interval = 1, .times = 1,
	.space = 0, .verbose = 0, .task_filter = false,
	.ignore_gfp_reclaim = false, .ignore_gfp_highmem = false,
	.cache_filter = false, .min_order = 0, .count = 0, .next = nullptr,
};

/* The kernel never fails order-0 (or highmem) page allocations by default. */
struct fault_attr fail_page_alloc = {
	.name = "fail_page_alloc", .probability = 0, .interval = 1, .times = 1,
	.space = 0, .verbose = 0, .task_filter = false,
	.ignore_gfp_reclaim = false, .ignore_gfp_highmem = true,
	.cache_filter = false, .min_order = 1, .count = 0, .next = &fail_usercopy,
};

struct fault_attr failslab = {
	.name = "failslab", .probability = 0, .interval = 1, .times = 1,
	.space = 0, .verbose = 0, .task_filter = false,
	.ignore_gfp_reclaim = false, .ignore_gfp_highmem = false,
	.cache_filter = false, .min_order = 0, .count = 0, .next = &fail_page_alloc,
};

static std::mutex registry_lock;
static struct fault_attr *registry = &failslab;

/* ---- the decision ---- */

static std::atomic<u64> seed_base{0x5eed5eed5eed5eedULL};
static std::atomic<u64> seed_generation;

struct fault_rng {
	u64 state;
	u64 generation;
};
static thread_local fault_rng rng;

/* xorshift64*: reproducible for a given seed and call order on a thread. */
static u32 random_below(u32 ceil)
{
	u64 gen = seed_generation.load(std::memory_order_relaxed);

	if (!rng.state || rng.generation != gen) {
		rng.state = seed_base.load() ^ ((u64)gettid() * 0x9e3779b97f4a7c15ULL);
		if (!rng.state)
			rng.state = 1;
		rng.generation = gen;
	}
	rng.state ^= rng.state >> 12;
	rng.state ^= rng.state << 25;
	rng.state ^= rng.state >> 27;
	return (u32)(((rng.state * 0x2545f4914f6cdd1dULL) >> 32) % ceil);
}

void fault_inject_set_seed(u64 seed)
{
	seed_base.store(seed);
	seed_generation.fetch_add(1);
}

static void fail_dump(struct fault_attr *attr)
{
	if (attr->verbose.load(std::memory_order_relaxed) > 0)
		fprintf(stderr,
			"FAULT_INJECTION: forcing a failure.\n"
			"name %s, interval %lu, probability %lu, space %d, times %d\n",
			attr->name ? attr->name : "?", attr->interval.load(),
			attr->probability.load(), attr->space.load(), attr->times.load());
}

/* Decrements *v unless it is zero. */
static void dec_not_zero(std::atomic<int> *v)
{
	int old = v->load();

	while (old && !v->compare_exchange_weak(old, old - 1))
		;
}

bool should_fail_ex(struct fault_attr *attr, ssize_t size, int flags)
{
	struct task_struct *task = current;

	if (in_task()) {
		unsigned int fail_nth = READ_ONCE(task->fail_nth);

		if (fail_nth) {
			fail_nth--;
			WRITE_ONCE(task->fail_nth, fail_nth);
			if (!fail_nth)
				goto fail;
			return false;
		}
	}

	if (attr->probability.load(std::memory_order_relaxed) == 0)
		return false;
	if (attr->task_filter.load(std::memory_order_relaxed) && !task->make_it_fail)
		return false;
	if (attr->times.load() == 0)
		return false;
	if (attr->space.load() > size) {
		attr->space.fetch_sub((int)size);
		return false;
	}
	if (unsigned long interval = attr->interval.load(std::memory_order_relaxed);
	    interval > 1) {
		if ((attr->count.fetch_add(1) + 1) % interval)
			return false;
	}
	if (attr->probability.load(std::memory_order_relaxed) <= random_below(100))
		return false;

fail:
	if (!(flags & FAULT_NOWARN))
		fail_dump(attr);
	if (attr->times.load() != -1)
		dec_not_zero(&attr->times);
	return true;
}

bool should_fail(struct fault_attr *attr, ssize_t size)
{
	return should_fail_ex(attr, size, 0);
}

bool should_failslab(struct kmem_cache *s, size_t size, gfp_t gfpflags)
{
	int flags = 0;

	if (gfpflags & __GFP_NOFAIL)
		return false;
	if (failslab.ignore_gfp_reclaim.load(std::memory_order_relaxed) &&
	    (gfpflags & __GFP_DIRECT_RECLAIM))
		return false;
	/* kmalloc caches never carry SLAB_FAILSLAB. */
	if (failslab.cache_filter.load(std::memory_order_relaxed) &&
	    !(s && (harness_kmem_cache_flags(s) & SLAB_FAILSLAB)))
		return false;
	if (gfpflags & __GFP_NOWARN)
		flags |= FAULT_NOWARN;
	return should_fail_ex(&failslab, (ssize_t)size, flags);
}

bool should_fail_alloc_page(gfp_t gfp_mask, unsigned int order)
{
	int flags = 0;

	if (order < fail_page_alloc.min_order.load(std::memory_order_relaxed))
		return false;
	if (gfp_mask & __GFP_NOFAIL)
		return false;
	if (fail_page_alloc.ignore_gfp_highmem.load(std::memory_order_relaxed) &&
	    (gfp_mask & __GFP_HIGHMEM))
		return false;
	if (fail_page_alloc.ignore_gfp_reclaim.load(std::memory_order_relaxed) &&
	    (gfp_mask & __GFP_DIRECT_RECLAIM))
		return false;
	if (gfp_mask & __GFP_NOWARN)
		flags |= FAULT_NOWARN;
	return should_fail_ex(&fail_page_alloc, (ssize_t)1 << order, flags);
}

bool should_fail_usercopy(void) { return should_fail(&fail_usercopy, 1); }

/* ---- fail-nth ---- */

void fail_nth_write(unsigned int n) { current->fail_nth = n; }
unsigned int fail_nth_read(void) { return current->fail_nth; }

/* ---- registry ---- */

void fault_attr_register(struct fault_attr *attr)
{
	std::lock_guard<std::mutex> g(registry_lock);

	for (struct fault_attr *a = registry; a; a = a->next) {
		if (a == attr)
			return;
		if (attr->name && a->name && !strcmp(a->name, attr->name)) {
			harness_report_failure(__FILE__, __LINE__,
					       "fault_attr_register: %s registered twice",
					       attr->name);
			return;
		}
	}
	attr->next = registry;
	registry = attr;
}

void fault_attr_unregister(struct fault_attr *attr)
{
	std::lock_guard<std::mutex> g(registry_lock);

	for (struct fault_attr **pp = &registry; *pp; pp = &(*pp)->next) {
		if (*pp == attr) {
			*pp = attr->next;
			attr->next = nullptr;
			return;
		}
	}
}

struct fault_attr *fault_attr_find(const char *name)
{
	std::lock_guard<std::mutex> g(registry_lock);

	for (struct fault_attr *a = registry; a; a = a->next)
		if (a->name && !strcmp(a->name, name))
			return a;
	return nullptr;
}

struct dentry *fault_create_debugfs_attr(const char *name, struct dentry *parent,
					 struct fault_attr *attr)
{
	attr->name = name;
	fault_attr_register(attr);
	return (struct dentry *)attr;
}

/* ---- debugfs-style knobs ---- */

static int parse_ul(const char *val, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(val, &end, 0);
	if (errno || end == val || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

static int parse_int(const char *val, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 0);
	if (errno || end == val || (*end && *end != '\n') || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* As kstrtobool: Y/y/1/on and N/n/0/off. */
static int parse_bool(const char *val, bool *out)
{
	if (!strcmp(val, "on") || !strcmp(val, "on\n")) {
		*out = true;
		return 0;
	}
	if (!strcmp(val, "off") || !strcmp(val, "off\n")) {
		*out = false;
		return 0;
	}
	switch (val[0]) {
	case 'y': case 'Y': case '1':
		*out = true;
		return 0;
	case 'n': case 'N': case '0':
		*out = false;
		return 0;
	}
	return -EINVAL;
}

int fault_attr_write_knob(struct fault_attr *attr, const char *knob, const char *val)
{
	unsigned long ul;
	bool b;
	int i, rc;

	if (!strcmp(knob, "probability") || !strcmp(knob, "interval") ||
	    !strcmp(knob, "verbose") || !strcmp(knob, "min-order")) {
		rc = parse_ul(val, &ul);
		if (rc)
			return rc;
		if (!strcmp(knob, "probability"))
			attr->probability = ul;
		else if (!strcmp(knob, "interval"))
			attr->interval = ul;
		else if (!strcmp(knob, "verbose"))
			attr->verbose = ul;
		else
			attr->min_order = (unsigned int)ul;
		return 0;
	}
	if (!strcmp(knob, "times") || !strcmp(knob, "space")) {
		rc = parse_int(val, &i);
		if (rc)
			return rc;
		if (!strcmp(knob, "times"))
			attr->times = i;
		else
			attr->space = i;
		return 0;
	}
	if (!strcmp(knob, "task-filter") || !strcmp(knob, "ignore-gfp-wait") ||
	    !strcmp(knob, "ignore-gfp-highmem") || !strcmp(knob, "cache-filter")) {
		rc = parse_bool(val, &b);
		if (rc)
			return rc;
		if (!strcmp(knob, "task-filter"))
			attr->task_filter = b;
		else if (!strcmp(knob, "ignore-gfp-wait"))
			attr->ignore_gfp_reclaim = b;
		else if (!strcmp(knob, "ignore-gfp-highmem"))
			attr->ignore_gfp_highmem = b;
		else
			attr->cache_filter = b;
		return 0;
	}
	return -ENOENT;
}

int fault_attr_read_knob(struct fault_attr *attr, const char *knob, char *buf, size_t len)
{
	if (!strcmp(knob, "probability"))
		snprintf(buf, len, "%lu\n", attr->probability.load());
	else if (!strcmp(knob, "interval"))
		snprintf(buf, len, "%lu\n", attr->interval.load());
	else if (!strcmp(knob, "verbose"))
		snprintf(buf, len, "%lu\n", attr->verbose.load());
	else if (!strcmp(knob, "min-order"))
		snprintf(buf, len, "%u\n", attr->min_order.load());
	else if (!strcmp(knob, "times"))
		snprintf(buf, len, "%d\n", attr->times.load());
	else if (!strcmp(knob, "space"))
		snprintf(buf, len, "%d\n", attr->space.load());
	else if (!strcmp(knob, "task-filter"))
		snprintf(buf, len, "%c\n", attr->task_filter.load() ? 'Y' : 'N');
	else if (!strcmp(knob, "ignore-gfp-wait"))
		snprintf(buf, len, "%c\n", attr->ignore_gfp_reclaim.load() ? 'Y' : 'N');
	else if (!strcmp(knob, "ignore-gfp-highmem"))
		snprintf(buf, len, "%c\n", attr->ignore_gfp_highmem.load() ? 'Y' : 'N');
	else if (!strcmp(knob, "cache-filter"))
		snprintf(buf, len, "%c\n", attr->cache_filter.load() ? 'Y' : 'N');
	else
		return -ENOENT;
	return 0;
}
