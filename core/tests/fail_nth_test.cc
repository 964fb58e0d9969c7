// SPDX-License-Identifier: GPL-2.0
/*
 * Error unwinding under fault injection, the way the kernel's
 * iommufd_fail_nth sweeps it: arm fail-nth with n = 1, 2, 3, ... and run
 * the same sequence of io_pagetable operations each time, so that every
 * injection point in turn (slab allocations, iommufd_should_fail() sites,
 * the domain's map_pages()) fails once. Whatever fails, after tearing
 * down there must be no allocation, pin or charge left, and no domain
 * mapping may ever have been cut in two. The sweep ends at the first n the
 * sequence no longer reaches.
 */
#include "core_test.h"

#define FN_PAGES 16UL
#define FN_IOVA (1UL << 24)

struct fn_env {
	struct iommufd_ctx *ictx;
	struct io_pagetable iopt;
	struct test_domain *tda;
	struct test_domain *tdb;
	bool a_attached;
	bool b_attached;
	u8 *buf;
};

/* Stops at the first error; returns how many steps succeeded. */
static int fn_sequence(struct fn_env *e)
{
	struct page *out[4];
	unsigned long iova = FN_IOVA, auto_iova = 0, copy_iova = FN_IOVA + 64 * PAGE_SIZE;
	LIST_HEAD(pages_list);
	struct iopt_area *area;
	unsigned long unmapped;
	int steps = 0;
	u8 data[64];
	int rc;

	if (iopt_table_add_domain(&e->iopt, &e->tda->domain))
		return steps;
	e->a_attached = true;
	steps++;

	if (iopt_map_user_pages(e->ictx, &e->iopt, &iova, e->buf, 8 * PAGE_SIZE,
				IOMMU_READ | IOMMU_WRITE, 0))
		return steps;
	steps++;

	if (iopt_map_user_pages(e->ictx, &e->iopt, &auto_iova, e->buf + 6 * PAGE_SIZE + 2048,
				3 * PAGE_SIZE, IOMMU_READ | IOMMU_WRITE, IOPT_ALLOC_IOVA))
		return steps;
	steps++;

	rc = iopt_get_pages(&e->iopt, FN_IOVA + PAGE_SIZE, 4 * PAGE_SIZE, &pages_list);
	if (!rc)
		rc = iopt_map_pages(&e->iopt, &pages_list, 4 * PAGE_SIZE, &copy_iova, IOMMU_READ,
				    0);
	iopt_free_pages_list(&pages_list);
	if (rc)
		return steps;
	steps++;

	if (iopt_table_add_domain(&e->iopt, &e->tdb->domain))
		return steps;
	e->b_attached = true;
	steps++;

	/* into two domains at once, sharing a page with the first mapping */
	iova = FN_IOVA + 32 * PAGE_SIZE;
	if (iopt_map_user_pages(e->ictx, &e->iopt, &iova, e->buf + 7 * PAGE_SIZE, 6 * PAGE_SIZE,
				IOMMU_READ | IOMMU_WRITE, 0))
		return steps;
	steps++;

	down_read(&e->iopt.iova_rwsem);
	area = iopt_area_iter_first(&e->iopt, FN_IOVA, FN_IOVA);
	rc = iopt_area_add_access(area, 2, 5, out, 0);
	up_read(&e->iopt.iova_rwsem);
	if (rc)
		return steps;
	steps++;

	/* the access keeps 2..5 while domain A leaves */
	iopt_table_remove_domain(&e->iopt, &e->tda->domain);
	e->a_attached = false;

	rc = iopt_pages_rw_access(area->pages, 3 * PAGE_SIZE - 10, data, sizeof(data),
				  __IOMMUFD_ACCESS_RW_SLOW_PATH);

	down_read(&e->iopt.iova_rwsem);
	iopt_area_remove_access(area, 2, 5);
	up_read(&e->iopt.iova_rwsem);
	if (rc)
		return steps;
	steps++;

	if (iopt_unmap_iova(&e->iopt, FN_IOVA, 8 * PAGE_SIZE, &unmapped))
		return steps;
	steps++;

	if (iopt_table_add_domain(&e->iopt, &e->tda->domain))
		return steps;
	e->a_attached = true;
	steps++;
	return steps;
}

static void fn_teardown(struct fn_env *e)
{
	unsigned long unmapped;

	iopt_unmap_all(&e->iopt, &unmapped);
	if (e->a_attached)
		iopt_table_remove_domain(&e->iopt, &e->tda->domain);
	if (e->b_attached)
		iopt_table_remove_domain(&e->iopt, &e->tdb->domain);
	e->a_attached = e->b_attached = false;
	iopt_destroy_table(&e->iopt);
}

static void fail_nth_sweep(struct kunit *test, size_t memory_limit)
{
	size_t saved_limit = iommufd_test_memory_limit;
	struct fn_env e = {};
	unsigned int n, full_steps = 0;
	long locked_base;

	test_set_memlock(test, 1UL << 40, false);
	e.ictx = test_ctx_alloc(test, 0);
	e.buf = (u8 *)test_alloc_buffer(test, FN_PAGES);
	e.tda = test_domain_alloc(0, ULONG_MAX);
	e.tdb = test_domain_alloc(0, ULONG_MAX);
	locked_base = atomic_long_read(&current_user()->locked_vm);
	iommufd_test_memory_limit = memory_limit;

	/* A clean run first: how far the sequence goes without faults. */
	iopt_init_table(&e.iopt);
	full_steps = fn_sequence(&e);
	fn_teardown(&e);
	KUNIT_ASSERT_EQ(test, full_steps, 10);

	for (n = 1; n < 100000; n++) {
		unsigned long pg, pins = 0;
		bool fired;
		u64 mark;
		int steps;

		iopt_init_table(&e.iopt);
		mark = kmem_leak_mark();
		fail_nth_write(n);
		steps = fn_sequence(&e);
		fired = fail_nth_read() == 0;
		fail_nth_write(0);
		fn_teardown(&e);

		for (pg = 0; pg != FN_PAGES; pg++)
			pins += test_page_pincount(e.buf + pg * PAGE_SIZE);
		KUNIT_EXPECT_EQ_MSG(test, pins, 0, "fail_nth=%u (after %d steps)", n, steps);
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&current_user()->locked_vm),
				    locked_base, "fail_nth=%u", n);
		KUNIT_EXPECT_EQ_MSG(test, kmem_leak_count(mark), 0, "fail_nth=%u", n);
		KUNIT_EXPECT_EQ_MSG(test, e.tda->bad_unmaps + e.tdb->bad_unmaps, 0,
				    "fail_nth=%u", n);
		KUNIT_EXPECT_EQ(test, e.tda->ptes->size() + e.tdb->ptes->size(), 0);
		if (!fired || kunit_get_current_test()->status == KUNIT_FAILURE)
			break;
	}
	kunit_info(test, "memory limit %zu: %u injection points", memory_limit, n - 1);
	KUNIT_EXPECT_GT(test, n, 20);

	iommufd_test_memory_limit = saved_limit;
	test_domain_free(e.tda);
	test_domain_free(e.tdb);
	munmap(e.buf, FN_PAGES * PAGE_SIZE);
}

static void fail_nth_default_limit(struct kunit *test)
{
	fail_nth_sweep(test, 65536);
}

/* A 32-byte limit makes every batch and page list tiny: many more points. */
static void fail_nth_tiny_limit(struct kunit *test)
{
	fail_nth_sweep(test, 32);
}

static struct kunit_case fail_nth_cases[] = {
	KUNIT_CASE(fail_nth_default_limit),
	KUNIT_CASE(fail_nth_tiny_limit),
	{}
};

static struct kunit_suite fail_nth_suite = {
	.name = "core-fail-nth",
	.test_cases = fail_nth_cases,
};
kunit_test_suite(fail_nth_suite);
