// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the slab allocator and its ledger: allocation semantics,
 * and every tripwire (leak, double free, foreign pointer, wrong free API,
 * cache destroyed with live objects, oversized kmalloc) shown firing.
 */
#include "harness/slab.h"

#include "harness/spinlock.h"

#include "kunit.h"

#include <atomic>
#include <climits>
#include <cstdint>
#include <thread>
#include <vector>

static bool all_bytes(const void *p, u8 val, size_t len)
{
	const u8 *b = (const u8 *)p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != val)
			return false;
	return true;
}

static void slab_kmalloc_basics(struct kunit *test)
{
	u8 *p = kmalloc(100, GFP_KERNEL);
	u8 *z = kzalloc(100, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, z);
	/* Not zeroed: poisoned, so forgetting __GFP_ZERO shows. */
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 0x5a, 100));
	KUNIT_EXPECT_TRUE(test, all_bytes(z, 0, 100));
	KUNIT_EXPECT_EQ(test, ksize(p), (size_t)100);
	kfree(p);
	kfree(z);
	KUNIT_EXPECT_EQ(test, ksize(p), (size_t)0);

	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, kfree(NULL));
	void *zero = kmalloc(0, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, zero, ZERO_SIZE_PTR);
	KUNIT_EXPECT_TRUE(test, ZERO_OR_NULL_PTR(zero));
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, kfree(zero));
}

static void slab_kmalloc_alignment(struct kunit *test)
{
	for (size_t size = 8; size <= 2 * PAGE_SIZE; size <<= 1) {
		void *p = kmalloc(size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, (uintptr_t)p % min(size, PAGE_SIZE), (uintptr_t)0,
				    "size %zu", size);
		kfree(p);
	}
}

static void slab_array_overflow(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, (void *)kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, (void *)kmalloc_array(SIZE_MAX / 3, 8, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, (void *)kvcalloc(SIZE_MAX / 2, 4, GFP_KERNEL));

	u32 *a = kcalloc(16, sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_TRUE(test, all_bytes(a, 0, 16 * sizeof(u32)));
	kfree(a);
}

static void slab_krealloc(struct kunit *test)
{
	char *p = krealloc(NULL, 8, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, "abcdefg", 8);
	p = krealloc(p, 64, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p, "abcdefg");
	KUNIT_EXPECT_TRUE(test, all_bytes(p + 8, 0, 56));
	KUNIT_EXPECT_EQ(test, ksize(p), (size_t)64);
	p = krealloc(p, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, memcmp(p, "abcd", 4), 0);
	void *gone = krealloc(p, 0, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, gone, ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, ksize(p), (size_t)0);

	char *kv = kvrealloc(NULL, 3 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kv);
	kv[0] = 'x';
	kv = kvrealloc(kv, 5 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kv);
	KUNIT_EXPECT_EQ(test, kv[0], 'x');
	kvfree(kv);
}

static void slab_dup(struct kunit *test)
{
	const char src[] = "uiommufd";
	char *a = kstrdup(src, GFP_KERNEL);
	char *b = kstrndup(src, 3, GFP_KERNEL);
	char *c = kmemdup_nul(src, 4, GFP_KERNEL);
	u8 *d = kmemdup(src, sizeof(src), GFP_KERNEL);

	KUNIT_EXPECT_STREQ(test, a, "uiommufd");
	KUNIT_EXPECT_STREQ(test, b, "uio");
	KUNIT_EXPECT_STREQ(test, c, "uiom");
	KUNIT_EXPECT_EQ(test, memcmp(d, src, sizeof(src)), 0);
	KUNIT_EXPECT_NULL(test, kstrdup(NULL, GFP_KERNEL));
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
}

/* Tripwire: what a test leaves allocated is counted and printed. */
static void slab_leak_detected(struct kunit *test)
{
	u64 mark = kmem_leak_mark();
	void *before = kmalloc(16, GFP_KERNEL);
	u64 mark2 = kmem_leak_mark();
	void *a = kmalloc(32, GFP_KERNEL);
	void *b = kvzalloc(3 * PAGE_SIZE, GFP_KERNEL);

	KUNIT_EXPECT_EQ(test, kmem_leak_report(mark2), 2UL);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 3UL);
	kfree(a);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark2), 1UL);
	kvfree(b);
	KUNIT_EXPECT_EQ(test, kmem_leak_report(mark2), 0UL);
	kfree(before);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0UL);
}

/* Tripwire: a second kfree() is reported (and ignored), not a crash. */
static void slab_double_free_reported(struct kunit *test)
{
	void *p = kmalloc(24, GFP_KERNEL);

	kfree(p);
	KUNIT_EXPECT_HARNESS_FAILURE(test, kfree(p));
	KUNIT_EXPECT_NOT_NULL(test, strstr(kunit_last_harness_failure(test), "double free"));

	void *v = kvmalloc(8 * PAGE_SIZE, GFP_KERNEL);
	kvfree(v);
	KUNIT_EXPECT_HARNESS_FAILURE(test, kvfree(v));
}

/* Tripwire: pointers the allocator never returned. */
static void slab_foreign_pointer_reported(struct kunit *test)
{
	int on_stack;
	char *p = kmalloc(16, GFP_KERNEL);
	void *host = malloc(16);

	KUNIT_EXPECT_HARNESS_FAILURE(test, kfree(&on_stack));
	KUNIT_EXPECT_NOT_NULL(test, strstr(kunit_last_harness_failure(test),
					   "not allocated by the slab allocator"));
	KUNIT_EXPECT_HARNESS_FAILURE(test, kfree(host));
	KUNIT_EXPECT_HARNESS_FAILURE(test, kfree(p + 1));
	/* The interior pointer did not free p. */
	KUNIT_EXPECT_EQ(test, ksize(p), (size_t)16);
	kfree(p);
	free(host);
}

/* Tripwire: freeing through an API that does not match the allocation. */
static void slab_wrong_free_api_reported(struct kunit *test)
{
	void *v = vmalloc(100);
	void *kv = kvmalloc(4 * PAGE_SIZE, GFP_KERNEL);
	void *k = kmalloc(100, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, kv);
	KUNIT_EXPECT_HARNESS_FAILURE(test, kfree(v));
	KUNIT_EXPECT_HARNESS_FAILURE(test, kfree(kv));
	KUNIT_EXPECT_HARNESS_FAILURE(test, vfree(k));
	/* Still live after the bad frees; the right API works. */
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, vfree(v); kvfree(kv); kvfree(k));
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, vfree(NULL); kvfree(NULL));
}

static std::atomic<int> ctor_calls;

static void count_ctor(void *obj)
{
	ctor_calls++;
	memset(obj, 0x11, 40);
}

static void slab_kmem_cache(struct kunit *test)
{
	struct kmem_cache *c = kmem_cache_create("test_obj", 40, 0, SLAB_HWCACHE_ALIGN,
						 count_ctor);
	struct kmem_cache *other = kmem_cache_create("other_obj", 40, 0, 0, NULL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, kmem_cache_size(c), 40U);
	ctor_calls = 0;
	u8 *a = kmem_cache_alloc(c, GFP_KERNEL);
	u8 *b = kmem_cache_zalloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, ctor_calls.load(), 1);
	KUNIT_EXPECT_TRUE(test, all_bytes(a, 0x11, 40));
	KUNIT_EXPECT_TRUE(test, all_bytes(b, 0, 40));
	KUNIT_EXPECT_EQ(test, (uintptr_t)a % 64, (uintptr_t)0);

	/* Tripwires: the wrong cache, and a kmalloc pointer. */
	void *k = kmalloc(40, GFP_KERNEL);
	KUNIT_EXPECT_HARNESS_FAILURE(test, kmem_cache_free(other, a));
	KUNIT_EXPECT_HARNESS_FAILURE(test, kmem_cache_free(c, k));
	kfree(k);

	/* Tripwire: destroying a cache that still has objects. */
	kmem_cache_free(c, a);
	KUNIT_EXPECT_HARNESS_FAILURE(test, kmem_cache_destroy(c));
	/* kfree() of a cache object is allowed, as in current kernels. */
	kfree(b);
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, kmem_cache_destroy(c));
	kmem_cache_destroy(other);
	kmem_cache_destroy(NULL);
}

/* Tripwire: kmalloc of more than the page allocator can give WARNs. */
static void slab_oversized_warns(struct kunit *test)
{
	void *p = NULL;

	KUNIT_EXPECT_HARNESS_FAILURE(test, p = kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test,
		p = kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_HARNESS_FAILURE(test, p = kvmalloc((size_t)INT_MAX + 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, p);

	/* kvmalloc takes what kmalloc cannot. */
	p = kvmalloc(KMALLOC_MAX_SIZE + PAGE_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	kvfree(p);
}

/* Tripwire: an allocation that may sleep, under a spinlock. */
static void slab_sleeping_alloc_in_atomic(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	void *p = NULL, *q = NULL;

	spin_lock(&lock);
	KUNIT_EXPECT_HARNESS_FAILURE(test, p = kmalloc(16, GFP_KERNEL));
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, q = kmalloc(16, GFP_ATOMIC));
	spin_unlock(&lock);
	kfree(p);
	kfree(q);
}

static void slab_threads(struct kunit *test)
{
	u64 mark = kmem_leak_mark();
	std::vector<std::thread> threads;

	for (int t = 0; t < 4; t++)
		threads.emplace_back([] {
			std::vector<void *> v;

			for (int i = 0; i < 5000; i++) {
				v.push_back(kmalloc(8 + i % 200, GFP_KERNEL));
				if (i % 3 == 0) {
					kfree(v.back());
					v.pop_back();
				}
			}
			for (void *p : v)
				kfree(p);
		});
	for (auto &t : threads)
		t.join();
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0UL);
}

/* The ledger stays O(1) with many live objects (iommufd keeps ~1M areas). */
static void slab_many_live(struct kunit *test)
{
	const size_t n = 200000;
	std::vector<void *> v(n);

	for (size_t i = 0; i < n; i++) {
		v[i] = kmalloc(32, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, v[i]);
	}
	for (size_t i = 0; i < n; i++)
		kfree(v[i]);
}

static struct kunit_case slab_cases[] = {
	KUNIT_CASE(slab_kmalloc_basics),
	KUNIT_CASE(slab_kmalloc_alignment),
	KUNIT_CASE(slab_array_overflow),
	KUNIT_CASE(slab_krealloc),
	KUNIT_CASE(slab_dup),
	KUNIT_CASE(slab_leak_detected),
	KUNIT_CASE(slab_double_free_reported),
	KUNIT_CASE(slab_foreign_pointer_reported),
	KUNIT_CASE(slab_wrong_free_api_reported),
	KUNIT_CASE(slab_kmem_cache),
	KUNIT_CASE(slab_oversized_warns),
	KUNIT_CASE(slab_sleeping_alloc_in_atomic),
	KUNIT_CASE(slab_threads),
	KUNIT_CASE(slab_many_live),
	{}
};

static struct kunit_suite slab_suite = {
	.name = "harness-slab",
	.test_cases = slab_cases,
};
kunit_test_suite(slab_suite);
