// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of fake physical memory: fake pfns that are not host
 * addresses, translations, natural alignment of IOMMU table memory, the
 * bus (phys_read/phys_write) on kernel and pinned user pages, bus errors
 * on holes, and the tripwires (freeing with the wrong order, double free,
 * virt_to_phys of slab memory, phys_to_virt of a user page, leaks).
 */
#include "harness/physmem.h"

#include "harness/fault_inject.h"
#include "harness/mm.h"
#include "harness/slab.h"

#include "kunit.h"
#include "user_mem.h"

#include <atomic>
#include <sys/mman.h>
#include <thread>
#include <vector>

static void pm_alloc_and_translate(struct kunit *test)
{
	unsigned long base = physmem_nr_pages(PAGE_KIND_KERNEL);
	struct page *pg = alloc_pages(GFP_KERNEL, 2);

	KUNIT_ASSERT_NOT_NULL(test, pg);
	KUNIT_EXPECT_EQ(test, physmem_nr_pages(PAGE_KIND_KERNEL), base + 4);
	char *va = (char *)page_address(pg);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_GE(test, page_to_pfn(pg), PHYSMEM_FIRST_PFN);
	/* Block of order 2: pfn-aligned to 4, tail pages by pfn and by address. */
	KUNIT_EXPECT_EQ(test, page_to_pfn(pg) % 4, 0UL);
	for (int i = 0; i < 4; i++) {
		struct page *p = pfn_to_page(page_to_pfn(pg) + i);

		KUNIT_EXPECT_PTR_EQ(test, p, pg + i);
		KUNIT_EXPECT_PTR_EQ(test, compound_head(p), pg);
		KUNIT_EXPECT_PTR_EQ(test, page_address(p), (void *)(va + i * PAGE_SIZE));
		KUNIT_EXPECT_PTR_EQ(test, virt_to_page(va + i * PAGE_SIZE + 5), p);
	}
	/* A physical address is never the host address. */
	KUNIT_EXPECT_NE(test, page_to_phys(pg), (phys_addr_t)(uintptr_t)va);
	KUNIT_EXPECT_EQ(test, virt_to_phys(va + PAGE_SIZE + 12), page_to_phys(pg) + PAGE_SIZE + 12);
	KUNIT_EXPECT_PTR_EQ(test, phys_to_virt(page_to_phys(pg) + 3 * PAGE_SIZE + 1),
			    (void *)(va + 3 * PAGE_SIZE + 1));
	KUNIT_EXPECT_PTR_EQ(test, phys_to_page(page_to_phys(pg) + 100), pg);
	KUNIT_EXPECT_TRUE(test, virt_addr_valid(va));
	/* Not zeroed without __GFP_ZERO: poisoned. */
	KUNIT_EXPECT_EQ(test, (u8)va[0], 0x5a);
	__free_pages(pg, 2);
	KUNIT_EXPECT_EQ(test, physmem_nr_pages(PAGE_KIND_KERNEL), base);
	KUNIT_EXPECT_FALSE(test, pfn_valid(page_to_pfn(pg)));

	unsigned long addr = get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NE(test, addr, 0UL);
	KUNIT_EXPECT_EQ(test, *(u64 *)addr, 0ULL);
	free_page(addr);
	addr = __get_free_pages(GFP_KERNEL, 1);
	KUNIT_ASSERT_NE(test, addr, 0UL);
	free_pages(addr, 1);
}

static void pm_iommu_pages_aligned(struct kunit *test)
{
	static const size_t sizes[] = {64, PAGE_SIZE, 2 * PAGE_SIZE, 16 * PAGE_SIZE,
				       512 * PAGE_SIZE};

	for (size_t size : sizes) {
		/* Something in front, so alignment is not by luck. */
		struct page *pad = alloc_page(GFP_KERNEL);
		u8 *t = (u8 *)iommu_alloc_pages_sz(GFP_KERNEL, size);
		size_t align = max(size, PAGE_SIZE);

		KUNIT_ASSERT_NOT_NULL(test, t);
		KUNIT_EXPECT_EQ_MSG(test, virt_to_phys(t) % align, (phys_addr_t)0, "size %zu", size);
		bool zero = true;
		for (size_t i = 0; i < align; i++)
			zero &= !t[i];
		KUNIT_EXPECT_TRUE(test, zero);
		iommu_free_pages(t);
		__free_page(pad);
	}
	iommu_free_pages(NULL);
}

static void pm_bus_kernel_pages(struct kunit *test)
{
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	char *va = (char *)page_address(pg);
	phys_addr_t pa = page_to_phys(pg);
	char buf[16];

	KUNIT_EXPECT_EQ(test, phys_write(pa + PAGE_SIZE - 4, "abcdefgh", 8), 0);
	KUNIT_EXPECT_EQ(test, memcmp(va + PAGE_SIZE - 4, "abcdefgh", 8), 0);
	KUNIT_EXPECT_EQ(test, phys_read(pa + PAGE_SIZE - 4, buf, 8), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "abcdefgh", 8), 0);
	KUNIT_EXPECT_EQ(test, phys_read(pa, buf, 0), 0);
	__free_pages(pg, 1);
}

/* Tripwire: the bus reports holes as -EFAULT and transfers nothing. */
static void pm_bus_holes(struct kunit *test)
{
	struct page *pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	phys_addr_t pa = page_to_phys(pg);
	char buf[16];

	memset(buf, 0x11, sizeof(buf));
	KUNIT_EXPECT_EQ(test, phys_read(0, buf, 8), -EFAULT);
	KUNIT_EXPECT_EQ(test, phys_read(PFN_PHYS(PHYSMEM_FIRST_PFN) - 8, buf, 8), -EFAULT);
	KUNIT_EXPECT_EQ(test, phys_read(~0ULL - 3, buf, 8), -EFAULT);
	KUNIT_EXPECT_EQ(test, phys_read(1ULL << 60, buf, 8), -EFAULT);
	/* The page after ours is not allocated: a straddling access fails whole. */
	if (!pfn_valid(page_to_pfn(pg) + 1)) {
		KUNIT_EXPECT_EQ(test, phys_read(pa + PAGE_SIZE - 4, buf, 8), -EFAULT);
		KUNIT_EXPECT_EQ(test, buf[0], 0x11);
		KUNIT_EXPECT_EQ(test, phys_write(pa + PAGE_SIZE - 4, buf, 8), -EFAULT);
		KUNIT_EXPECT_EQ(test, ((u8 *)page_address(pg))[PAGE_SIZE - 1], 0);
	}
	__free_page(pg);
	/* A freed page is a hole again. */
	KUNIT_EXPECT_EQ(test, phys_read(pa, buf, 8), -EFAULT);
}

/* DMA reaches pinned user memory in its owner's address space. */
static void pm_bus_user_pages(struct kunit *test)
{
	char *u = map_user_pages(2);
	struct page *pages[2];
	char buf[8];

	KUNIT_ASSERT_NOT_NULL(test, u);
	memcpy(u, "user", 5);
	KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)u, 2, FOLL_WRITE, pages), 2L);
	KUNIT_EXPECT_EQ(test, phys_read(page_to_phys(pages[0]), buf, 5), 0);
	KUNIT_EXPECT_STREQ(test, buf, "user");
	KUNIT_EXPECT_EQ(test, phys_write(page_to_phys(pages[1]) + 8, "dma", 4), 0);
	KUNIT_EXPECT_STREQ(test, u + PAGE_SIZE + 8, "dma");

	memcpy_to_page(pages[1], 100, "cpu", 4);
	KUNIT_EXPECT_STREQ(test, u + PAGE_SIZE + 100, "cpu");
	memcpy_from_page(buf, pages[0], 1, 4);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "ser", 4), 0);
	memzero_page(pages[0], 0, 4);
	KUNIT_EXPECT_EQ(test, u[0], 0);
	/* Tripwire: a copy past the page. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, memcpy_from_page(buf, pages[0], PAGE_SIZE - 2, 4));
	/* Tripwire: a user page has no kernel (direct map) address here. */
	void *v = (void *)1;
	KUNIT_EXPECT_HARNESS_FAILURE(test, v = phys_to_virt(page_to_phys(pages[0])));
	KUNIT_EXPECT_NULL(test, v);
	unpin_user_pages(pages, 2);
	munmap(u, 2 * PAGE_SIZE);
}

/* Tripwire: only alloc_pages memory has a physical address. */
static void pm_virt_to_phys_of_slab(struct kunit *test)
{
	void *p = kmalloc(64, GFP_KERNEL);
	phys_addr_t pa = 1;

	KUNIT_EXPECT_HARNESS_FAILURE(test, pa = virt_to_phys(p));
	KUNIT_EXPECT_EQ(test, pa, (phys_addr_t)0);
	KUNIT_EXPECT_FALSE(test, virt_addr_valid(p));
	KUNIT_EXPECT_HARNESS_FAILURE(test, virt_to_page(p));
	KUNIT_EXPECT_HARNESS_FAILURE(test, phys_to_virt(0x1000));
	kfree(p);
}

/* Tripwire: freeing pages wrongly is reported, never a crash. */
static void pm_bad_frees(struct kunit *test)
{
	struct page *pg = alloc_pages(GFP_KERNEL, 1);
	void *t = iommu_alloc_pages_sz(GFP_KERNEL, 2 * PAGE_SIZE);

	KUNIT_EXPECT_HARNESS_FAILURE(test, __free_pages(pg, 0));
	KUNIT_EXPECT_HARNESS_FAILURE(test, __free_pages(pg + 1, 1));
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommu_free_pages((char *)t + PAGE_SIZE));
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommu_free_pages((char *)t + 8));
	KUNIT_EXPECT_HARNESS_FAILURE(test, __free_pages(NULL, 0));
	__free_pages(pg, 1);
	KUNIT_EXPECT_HARNESS_FAILURE(test, __free_pages(pg, 1));
	KUNIT_EXPECT_HARNESS_FAILURE(test, put_page(pg));
	iommu_free_pages(t);
	KUNIT_EXPECT_HARNESS_FAILURE(test, iommu_free_pages(t));

	struct page *big = NULL;
	KUNIT_EXPECT_HARNESS_FAILURE(test, big = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	KUNIT_EXPECT_NULL(test, big);
}

static void pm_refcount(struct kunit *test)
{
	struct page *pg = alloc_page(GFP_KERNEL);
	unsigned long pfn = page_to_pfn(pg);

	get_page(pg);
	KUNIT_EXPECT_EQ(test, page_ref_count(pg), 2);
	__free_page(pg);
	KUNIT_EXPECT_TRUE(test, pfn_valid(pfn));
	put_page(pg);
	KUNIT_EXPECT_FALSE(test, pfn_valid(pfn));
}

/* Tripwire: pages are counted by the leak check like slab objects. */
static void pm_leak_detected(struct kunit *test)
{
	u64 mark = kmem_leak_mark();
	struct page *pg = alloc_pages(GFP_KERNEL, 3);
	void *t = iommu_alloc_pages_sz(GFP_KERNEL, PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, kmem_leak_report(mark), 2UL);
	__free_pages(pg, 3);
	iommu_free_pages(t);
	KUNIT_EXPECT_EQ(test, kmem_leak_count(mark), 0UL);
}

static void pm_fault_injection(struct kunit *test)
{
	fail_nth_write(1);
	KUNIT_EXPECT_NULL(test, alloc_pages(GFP_KERNEL, 1));
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 0U);
	/* Order 0 is below fail_page_alloc's default min-order. */
	fail_nth_write(1);
	struct page *pg = alloc_page(GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, pg);
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 1U);
	fail_nth_write(0);
	__free_page(pg);
}

/* pfns are recycled: pinning and unpinning a lot does not grow the space. */
static void pm_pfn_reuse(struct kunit *test)
{
	const int n = 512;
	char *u = map_user_pages(n);
	std::vector<struct page *> pages(n);
	unsigned long max_pfn = 0;

	KUNIT_ASSERT_NOT_NULL(test, u);
	for (int round = 0; round < 20; round++) {
		KUNIT_ASSERT_EQ(test, pin_user_pages_fast((unsigned long)u, n, FOLL_WRITE,
							  pages.data()),
				(long)n);
		for (struct page *p : pages) {
			if (round == 0)
				max_pfn = max(max_pfn, page_to_pfn(p));
			else
				KUNIT_EXPECT_LE(test, page_to_pfn(p), max_pfn + 1024);
		}
		unpin_user_pages(pages.data(), n);
	}
	/* After everything is freed, a maximal block is available again. */
	struct page *big = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, big);
	__free_pages(big, MAX_PAGE_ORDER);
	munmap(u, n * PAGE_SIZE);
}

/* DMA from one thread while another allocates and frees. */
static void pm_concurrent_bus(struct kunit *test)
{
	struct page *pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	phys_addr_t pa = page_to_phys(pg);
	std::atomic<bool> stop{false};
	std::atomic<int> errors{0};

	std::thread dma([&] {
		u64 v;

		while (!stop) {
			if (phys_read(pa, &v, 8) || v)
				errors++;
			phys_write(pa + 8, &v, 8);
		}
	});
	for (int i = 0; i < 2000; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, i % 3);

		__free_pages(p, i % 3);
	}
	stop = true;
	dma.join();
	KUNIT_EXPECT_EQ(test, errors.load(), 0);
	__free_page(pg);
}

static struct kunit_case pm_cases[] = {
	KUNIT_CASE(pm_alloc_and_translate),
	KUNIT_CASE(pm_iommu_pages_aligned),
	KUNIT_CASE(pm_bus_kernel_pages),
	KUNIT_CASE(pm_bus_holes),
	KUNIT_CASE(pm_bus_user_pages),
	KUNIT_CASE(pm_virt_to_phys_of_slab),
	KUNIT_CASE(pm_bad_frees),
	KUNIT_CASE(pm_refcount),
	KUNIT_CASE(pm_leak_detected),
	KUNIT_CASE(pm_fault_injection),
	KUNIT_CASE(pm_pfn_reuse),
	KUNIT_CASE(pm_concurrent_bus),
	{}
};

static struct kunit_suite pm_suite = {
	.name = "harness-physmem",
	.test_cases = pm_cases,
};
kunit_test_suite(pm_suite);
