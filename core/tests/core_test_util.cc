// SPDX-License-Identifier: GPL-2.0
/*
 * Shared pieces of the core tests (see core_test.h).
 */
#include "core_test.h"

#include <cstdlib>
#include <ctime>

static int test_map_pages(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
			  size_t pgsize, size_t pgcount, int prot, gfp_t gfp, size_t *mapped)
{
	struct test_domain *td = to_test_domain(domain);
	unsigned long first = iova / TEST_IO_PAGE_SIZE;
	unsigned long n = pgsize * pgcount / TEST_IO_PAGE_SIZE;
	unsigned long i;

	if (td->inject && iommufd_should_fail())
		return -ENOMEM;
	if (td->fail_map_at && --td->fail_map_at == 0)
		return -ENOMEM;
	if (iova % TEST_IO_PAGE_SIZE || paddr % TEST_IO_PAGE_SIZE || !n)
		return -EINVAL;

	/* Mapping over a live entry means the core lost track of IOVA. */
	for (i = 0; i != n; i++)
		if (td->ptes->count(first + i))
			return -EEXIST;

	for (i = 0; i != n; i++) {
		u64 pte = paddr + i * TEST_IO_PAGE_SIZE;

		if (i == 0)
			pte |= TEST_PTE_START;
		if (i == n - 1)
			pte |= TEST_PTE_LAST;
		(*td->ptes)[first + i] = pte;
	}
	td->map_calls++;
	*mapped = n * TEST_IO_PAGE_SIZE;
	return 0;
}

static size_t test_unmap_pages(struct iommu_domain *domain, unsigned long iova, size_t pgsize,
			       size_t pgcount, struct iommu_iotlb_gather *gather)
{
	struct test_domain *td = to_test_domain(domain);
	unsigned long first = iova / TEST_IO_PAGE_SIZE;
	unsigned long n = pgsize * pgcount / TEST_IO_PAGE_SIZE;
	unsigned long i;

	for (i = 0; i != n; i++) {
		auto it = td->ptes->find(first + i);

		if (it == td->ptes->end())
			return i * TEST_IO_PAGE_SIZE;
		if (i == 0 && !(it->second & TEST_PTE_START))
			td->bad_unmaps++;
		if (i == n - 1 && !(it->second & TEST_PTE_LAST))
			td->bad_unmaps++;
		td->ptes->erase(it);
	}
	return n * TEST_IO_PAGE_SIZE;
}

static phys_addr_t test_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	struct test_domain *td = to_test_domain(domain);
	auto it = td->ptes->find(iova / TEST_IO_PAGE_SIZE);

	if (it == td->ptes->end())
		return 0;
	return (it->second & ~TEST_PTE_FLAGS) + iova % TEST_IO_PAGE_SIZE;
}

static const struct iommu_domain_ops test_domain_ops = {
	.map_pages = test_map_pages,
	.unmap_pages = test_unmap_pages,
	.iova_to_phys = test_iova_to_phys,
};

struct test_domain *test_domain_alloc(unsigned long aperture_start, unsigned long aperture_end)
{
	struct test_domain *td = new test_domain();

	td->ptes = new std::map<unsigned long, u64>();

	td->domain.type = IOMMU_DOMAIN_UNMANAGED;
	td->domain.ops = &test_domain_ops;
	td->domain.pgsize_bitmap = TEST_IO_PAGE_SIZE;
	td->domain.geometry.aperture_start = aperture_start;
	td->domain.geometry.aperture_end = aperture_end;
	td->domain.geometry.force_aperture = true;
	return td;
}

void test_domain_free(struct test_domain *td)
{
	delete td->ptes;
	delete td;
}

void *test_alloc_buffer(struct kunit *test, size_t npages)
{
	void *buf;
	size_t i;

	buf = mmap(NULL, npages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	KUNIT_ASSERT_NE(test, buf, MAP_FAILED);
	for (i = 0; i != npages * PAGE_SIZE / sizeof(u32); i++)
		((u32 *)buf)[i] = (u32)i * 2654435761u;
	return buf;
}

int test_page_pincount(void *addr)
{
	struct page *page;
	int pins;

	if (get_user_pages_fast((uintptr_t)addr, 1, 0, &page) != 1)
		return -1;
	pins = atomic_read(&page->_pincount);
	put_page(page);
	return pins;
}

unsigned long test_page_pfn(void *addr)
{
	struct page *page;
	unsigned long pfn;

	if (get_user_pages_fast((uintptr_t)addr, 1, 0, &page) != 1)
		return 0;
	pfn = page_to_pfn(page);
	put_page(page);
	return pfn;
}

static void test_ctx_free(void *ctx)
{
	kfree(ctx);
}

struct iommufd_ctx *test_ctx_alloc(struct kunit *test, u8 account_mode)
{
	struct iommufd_ctx *ictx = kzalloc(sizeof(*ictx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ictx);
	ictx->account_mode = account_mode;
	kunit_add_action(test, test_ctx_free, ictx);
	return ictx;
}

unsigned long test_seed(struct kunit *test)
{
	const char *env = getenv("UIOMMUFD_SEED");
	unsigned long seed;

	if (env && *env)
		seed = strtoul(env, NULL, 0);
	else
		seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
	kunit_info(test, "seed %lu (rerun with UIOMMUFD_SEED=%lu)", seed, seed);
	return seed;
}

static void test_clear_memlock(void *unused)
{
	harness_clear_rlimit(RLIMIT_MEMLOCK);
	harness_clear_capable(CAP_IPC_LOCK);
}

void test_set_memlock(struct kunit *test, unsigned long bytes, bool ipc_lock)
{
	harness_set_rlimit(RLIMIT_MEMLOCK, bytes);
	harness_set_capable(CAP_IPC_LOCK, ipc_lock);
	kunit_add_action(test, test_clear_memlock, NULL);
}
