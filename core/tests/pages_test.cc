// SPDX-License-Identifier: GPL-2.0
/*
 * iopt_pages and io_pagetable behaviour beyond the random sequence:
 * charging in the three accounting modes and against RLIMIT_MEMLOCK, one
 * pin per page however many domains, copies and accesses use it, error
 * unwinding when a domain fails part way, apertures, alignment, splitting
 * and memfd backing.
 */
#include "core_test.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct pt_env {
	struct iommufd_ctx *ictx;
	struct io_pagetable iopt;
	u8 *buf;
	size_t npages;
	long locked_base;
	s64 pinned_base;
	unsigned long mm_locked_base;
};

static void env_init(struct kunit *test, struct pt_env *env, size_t npages, u8 account_mode)
{
	env->ictx = test_ctx_alloc(test, account_mode);
	env->npages = npages;
	env->buf = (u8 *)test_alloc_buffer(test, npages);
	iopt_init_table(&env->iopt);
	env->locked_base = atomic_long_read(&current_user()->locked_vm);
	env->pinned_base = atomic64_read(&current->mm->pinned_vm);
	env->mm_locked_base = current->mm->locked_vm;
}

static void env_fini(struct pt_env *env)
{
	iopt_destroy_table(&env->iopt);
	munmap(env->buf, env->npages * PAGE_SIZE);
}

static long locked_delta(struct pt_env *env)
{
	return atomic_long_read(&current_user()->locked_vm) - env->locked_base;
}

static s64 pinned_delta(struct pt_env *env)
{
	return atomic64_read(&current->mm->pinned_vm) - env->pinned_base;
}

static long mm_locked_delta(struct pt_env *env)
{
	return (long)current->mm->locked_vm - (long)env->mm_locked_base;
}

static int map_fixed(struct pt_env *env, unsigned long iova, size_t off, size_t len, int prot)
{
	return iopt_map_user_pages(env->ictx, &env->iopt, &iova, env->buf + off, len, prot, 0);
}

static struct iopt_area *find_area(struct io_pagetable *iopt, unsigned long iova)
{
	struct iopt_area *area;

	down_read(&iopt->iova_rwsem);
	area = iopt_area_iter_first(iopt, iova, iova);
	up_read(&iopt->iova_rwsem);
	return area;
}

#define RW (IOMMU_READ | IOMMU_WRITE)
#define IOVA (1UL << 24)

/* Per-user charging: the limit is enforced and a failure leaves nothing. */
static void pages_account_user(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(0, ULONG_MAX);
	struct pt_env env;
	unsigned long unmapped;
	long base = atomic_long_read(&current_user()->locked_vm);

	test_set_memlock(test, (base + 6) * PAGE_SIZE, false);
	env_init(test, &env, 16, 0);
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);

	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA, 0, 4 * PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 4);
	KUNIT_EXPECT_EQ(test, pinned_delta(&env), 4);

	/* 4 more would pass the 6 page limit: nothing is pinned or charged */
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 8 * PAGE_SIZE, 8 * PAGE_SIZE, 4 * PAGE_SIZE,
					RW), -ENOMEM);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 4);
	KUNIT_EXPECT_EQ(test, pinned_delta(&env), 4);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 8 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, td->ptes->size(), 8);
	KUNIT_EXPECT_NULL(test, find_area(&env.iopt, IOVA + 8 * PAGE_SIZE));

	/* the same pages again through a second iopt_pages: pinned twice */
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 8 * PAGE_SIZE, 0, 2 * PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 6);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf), 2);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, unmapped, 6 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);
	KUNIT_EXPECT_EQ(test, pinned_delta(&env), 0);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf), 0);

	iopt_table_remove_domain(&env.iopt, &td->domain);
	test_domain_free(td);
	env_fini(&env);
}

/* IOMMU_OPTION_RLIMIT_MODE=1: mm->locked_vm, VFIO style. */
static void pages_account_mm(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(0, ULONG_MAX);
	struct pt_env env;
	unsigned long unmapped;

	test_set_memlock(test, (current->mm->locked_vm + 5) * PAGE_SIZE, false);
	env_init(test, &env, 16, IOPT_PAGES_ACCOUNT_MM);
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);

	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA, 0, 3 * PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_EQ(test, mm_locked_delta(&env), 3);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);
	KUNIT_EXPECT_EQ(test, pinned_delta(&env), 3);

	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 8 * PAGE_SIZE, 0, 3 * PAGE_SIZE, RW),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, mm_locked_delta(&env), 3);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, mm_locked_delta(&env), 0);
	KUNIT_EXPECT_EQ(test, pinned_delta(&env), 0);

	iopt_table_remove_domain(&env.iopt, &td->domain);
	test_domain_free(td);
	env_fini(&env);
}

/* CAP_IPC_LOCK: no limit and no locked_vm, but pinned_vm still counts. */
static void pages_account_none(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(0, ULONG_MAX);
	struct pt_env env;
	unsigned long unmapped;

	test_set_memlock(test, 0, true);
	env_init(test, &env, 16, IOPT_PAGES_ACCOUNT_MM);
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);

	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA, 0, 8 * PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);
	KUNIT_EXPECT_EQ(test, mm_locked_delta(&env), 0);
	KUNIT_EXPECT_EQ(test, pinned_delta(&env), 8);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, pinned_delta(&env), 0);
	iopt_table_remove_domain(&env.iopt, &td->domain);
	test_domain_free(td);
	env_fini(&env);
}

/* Without a domain nothing is pinned; attaching pins, detaching unpins. */
static void pages_lazy_pin(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(0, ULONG_MAX);
	struct pt_env env;
	unsigned long unmapped;

	test_set_memlock(test, 1UL << 40, false);
	env_init(test, &env, 8, 0);

	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 512, 512, 3 * PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);

	/* byte-granular IOVA does not suit a 2 KiB domain */
	KUNIT_EXPECT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);

	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 2048, 2048, 3 * PAGE_SIZE, RW), 0);
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);
	/* 2 KiB into page 0 up to 2 KiB into page 3: four pages */
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 4);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 3 * PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, td->ptes->size(), 6);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(&td->domain, IOVA + 2048),
			PFN_PHYS(test_page_pfn(env.buf)) + 2048);

	/* unaligned to the domain now */
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 16 * PAGE_SIZE + 1, 0, PAGE_SIZE, RW),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 16 * PAGE_SIZE, 0, PAGE_SIZE - 1, RW),
			-EINVAL);

	iopt_table_remove_domain(&env.iopt, &td->domain);
	KUNIT_EXPECT_EQ(test, td->ptes->size(), 0);
	KUNIT_EXPECT_EQ(test, td->bad_unmaps, 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf), 0);
	KUNIT_EXPECT_EQ(test, env.iopt.iova_alignment, 1);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	test_domain_free(td);
	env_fini(&env);
}

/* A copy shares the pages: one pin, one charge, across two tables. */
static void pages_copy_shares(struct kunit *test)
{
	struct test_domain *tda = test_domain_alloc(0, ULONG_MAX);
	struct test_domain *tdb = test_domain_alloc(0, ULONG_MAX);
	struct io_pagetable iopt_b;
	LIST_HEAD(pages_list);
	unsigned long dst = 0;
	unsigned long unmapped;
	struct pt_env env;

	test_set_memlock(test, 1UL << 40, false);
	env_init(test, &env, 8, 0);
	iopt_init_table(&iopt_b);
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &tda->domain), 0);
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&iopt_b, &tdb->domain), 0);

	KUNIT_ASSERT_EQ(test, map_fixed(&env, IOVA, 0, 8 * PAGE_SIZE, RW), 0);
	KUNIT_ASSERT_EQ(test, iopt_get_pages(&env.iopt, IOVA + PAGE_SIZE, 4 * PAGE_SIZE,
					     &pages_list), 0);
	KUNIT_ASSERT_EQ(test, iopt_map_pages(&iopt_b, &pages_list, 4 * PAGE_SIZE, &dst, RW,
					     IOPT_ALLOC_IOVA), 0);
	iopt_free_pages_list(&pages_list);

	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 8);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(&tdb->domain, dst),
			PFN_PHYS(test_page_pfn(env.buf + PAGE_SIZE)));

	/* The source goes; the copy keeps its four pages pinned. */
	KUNIT_EXPECT_EQ(test, iopt_unmap_iova(&env.iopt, IOVA, 8 * PAGE_SIZE, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 4);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf), 0);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 4 * PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 5 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, tda->ptes->size(), 0);
	KUNIT_EXPECT_EQ(test, tdb->ptes->size(), 8);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&iopt_b, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);
	KUNIT_EXPECT_EQ(test, tda->bad_unmaps + tdb->bad_unmaps, 0);

	iopt_table_remove_domain(&iopt_b, &tdb->domain);
	iopt_table_remove_domain(&env.iopt, &tda->domain);
	iopt_destroy_table(&iopt_b);
	test_domain_free(tda);
	test_domain_free(tdb);
	env_fini(&env);
}

/*
 * Accesses keep their pages in the xarray; a domain reuses them, and the
 * pin goes only when neither holds the page.
 */
static void pages_access_and_domain(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(0, ULONG_MAX);
	struct page *out[4], *out2[2];
	struct iopt_area *area;
	unsigned long unmapped;
	struct pt_env env;
	int i;

	test_set_memlock(test, 1UL << 40, false);
	env_init(test, &env, 8, 0);
	KUNIT_ASSERT_EQ(test, map_fixed(&env, IOVA, 0, 8 * PAGE_SIZE, RW), 0);
	area = find_area(&env.iopt, IOVA);
	KUNIT_ASSERT_NOT_NULL(test, area);

	down_read(&env.iopt.iova_rwsem);
	KUNIT_ASSERT_EQ(test, iopt_area_add_access(area, 2, 5, out, IOMMUFD_ACCESS_RW_WRITE), 0);
	for (i = 0; i != 4; i++)
		KUNIT_EXPECT_EQ(test, page_to_pfn(out[i]),
				test_page_pfn(env.buf + (2 + i) * PAGE_SIZE));
	/* overlapping, different range: same pages, no new pin */
	KUNIT_ASSERT_EQ(test, iopt_area_add_access(area, 4, 5, out2, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, out2[0], out[2]);
	up_read(&env.iopt.iova_rwsem);

	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 4 * PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 4);

	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 4 * PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 7 * PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 8);

	down_read(&env.iopt.iova_rwsem);
	iopt_area_remove_access(area, 2, 5);
	iopt_area_remove_access(area, 4, 5);
	up_read(&env.iopt.iova_rwsem);
	KUNIT_EXPECT_TRUE(test, xa_empty(&area->pages->pinned_pfns));
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 8);

	/* Domain leaves while an access holds part of the area. */
	down_read(&env.iopt.iova_rwsem);
	KUNIT_ASSERT_EQ(test, iopt_area_add_access(area, 3, 3, out, 0), 0);
	up_read(&env.iopt.iova_rwsem);
	iopt_table_remove_domain(&env.iopt, &td->domain);
	KUNIT_EXPECT_EQ(test, td->bad_unmaps, 0);
	KUNIT_EXPECT_EQ(test, td->ptes->size(), 0);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 3 * PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 1);

	down_read(&env.iopt.iova_rwsem);
	iopt_area_remove_access(area, 3, 3);
	up_read(&env.iopt.iova_rwsem);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);

	/* Removing an access that is not there is a caller bug. */
	down_read(&env.iopt.iova_rwsem);
	KUNIT_EXPECT_HARNESS_FAILURE(test, iopt_area_remove_access(area, 3, 3));
	up_read(&env.iopt.iova_rwsem);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	test_domain_free(td);
	env_fini(&env);
}

/* Reading and writing through the pages, fast and slow path. */
static void pages_rw(struct kunit *test)
{
	struct iopt_area *area;
	unsigned long unmapped;
	struct pt_env env;
	u8 data[300];
	int i;

	env_init(test, &env, 4, 0);
	KUNIT_ASSERT_EQ(test, map_fixed(&env, IOVA, 100, 3 * PAGE_SIZE, RW), 0);
	area = find_area(&env.iopt, IOVA);
	KUNIT_ASSERT_NOT_NULL(test, area);

	for (i = 0; i != 2; i++) {
		unsigned int flags = i ? __IOMMUFD_ACCESS_RW_SLOW_PATH : 0;
		unsigned long sb = iopt_area_start_byte(area, IOVA + PAGE_SIZE - 150);

		memset(data, 0x5a + i, sizeof(data));
		KUNIT_EXPECT_EQ(test, iopt_pages_rw_access(area->pages, sb, data, sizeof(data),
							   flags | IOMMUFD_ACCESS_RW_WRITE), 0);
		KUNIT_EXPECT_EQ(test, env.buf[100 + PAGE_SIZE - 150], 0x5a + i);
		KUNIT_EXPECT_EQ(test, env.buf[100 + PAGE_SIZE + 149], 0x5a + i);
		memset(data, 0, sizeof(data));
		KUNIT_EXPECT_EQ(test, iopt_pages_rw_access(area->pages, sb, data, sizeof(data),
							   flags), 0);
		KUNIT_EXPECT_EQ(test, data[299], 0x5a + i);
	}
	/* the slow path pinned only for the copy */
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, area->pages->npinned, 0);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA, 0, PAGE_SIZE, IOMMU_READ), 0);
	area = find_area(&env.iopt, IOVA);
	KUNIT_EXPECT_EQ(test, iopt_pages_rw_access(area->pages, 0, data, 1,
						   IOMMUFD_ACCESS_RW_WRITE), -EPERM);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	env_fini(&env);
}

/* A domain failing part way: every domain as before, nothing pinned. */
static void pages_domain_fill_unwind(struct kunit *test)
{
	struct test_domain *tda = test_domain_alloc(0, ULONG_MAX);
	struct test_domain *tdb = test_domain_alloc(0, ULONG_MAX);
	unsigned long unmapped;
	struct pt_env env;
	size_t limit = iommufd_test_memory_limit;

	test_set_memlock(test, 1UL << 40, false);
	env_init(test, &env, 32, 0);
	tda->inject = tdb->inject = false;

	/* Scattered pages: one map call per page, batches of two entries. */
	iommufd_test_memory_limit = 32;
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &tda->domain), 0);
	for (int i = 0; i != 8; i++)
		KUNIT_ASSERT_EQ(test, map_fixed(&env, IOVA + i * 3 * PAGE_SIZE, i * 3 * PAGE_SIZE,
						2 * PAGE_SIZE, RW), 0);

	/* The second domain fails at its fifth map call. */
	tdb->fail_map_at = 5;
	KUNIT_EXPECT_EQ(test, iopt_table_add_domain(&env.iopt, &tdb->domain), -ENOMEM);
	KUNIT_EXPECT_EQ(test, tdb->ptes->size(), 0);
	KUNIT_EXPECT_EQ(test, tdb->bad_unmaps, 0);
	KUNIT_EXPECT_EQ(test, tda->ptes->size(), 8 * 4);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 16);

	/* Now both attached, and a new map fails in the second one. */
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &tdb->domain), 0);
	tdb->fail_map_at = 2;
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 64 * PAGE_SIZE, 0, 16 * PAGE_SIZE, RW),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, tda->ptes->size(), 8 * 4);
	KUNIT_EXPECT_EQ(test, tdb->ptes->size(), 8 * 4);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 16);
	KUNIT_EXPECT_EQ(test, test_page_pincount(env.buf + 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, tda->bad_unmaps + tdb->bad_unmaps, 0);

	iommufd_test_memory_limit = limit;
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	iopt_table_remove_domain(&env.iopt, &tda->domain);
	iopt_table_remove_domain(&env.iopt, &tdb->domain);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);
	test_domain_free(tda);
	test_domain_free(tdb);
	env_fini(&env);
}

/* The aperture becomes reserved IOVA; page sizes above PAGE_SIZE are refused. */
static void pages_aperture(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(IOVA, IOVA + 64 * PAGE_SIZE - 1);
	struct test_domain *big = test_domain_alloc(0, ULONG_MAX);
	unsigned long iova = 0, unmapped;
	struct pt_env env;

	env_init(test, &env, 4, 0);
	big->domain.pgsize_bitmap = PAGE_SIZE * 2;
	KUNIT_EXPECT_EQ(test, iopt_table_add_domain(&env.iopt, &big->domain), -EINVAL);

	KUNIT_ASSERT_EQ(test, map_fixed(&env, IOVA - PAGE_SIZE, 0, PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);

	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA - PAGE_SIZE, 0, PAGE_SIZE, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA + 63 * PAGE_SIZE, 0, 2 * PAGE_SIZE, RW),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, iopt_map_user_pages(env.ictx, &env.iopt, &iova, env.buf,
						  PAGE_SIZE, RW, IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_GE(test, iova, IOVA);
	KUNIT_EXPECT_LT(test, iova, IOVA + 64 * PAGE_SIZE);
	/* too big for what is left */
	KUNIT_EXPECT_EQ(test, iopt_map_user_pages(env.ictx, &env.iopt, &iova, env.buf,
						  64 * PAGE_SIZE, RW, IOPT_ALLOC_IOVA), -ENOSPC);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	iopt_table_remove_domain(&env.iopt, &td->domain);
	/* the aperture reservations went with the domain */
	KUNIT_EXPECT_EQ(test, map_fixed(&env, IOVA - PAGE_SIZE, 0, PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	test_domain_free(td);
	test_domain_free(big);
	env_fini(&env);
}

/* Reserved and allowed ranges exclude each other. */
static void pages_reserved_allowed(struct kunit *test)
{
	struct rb_root_cached allowed = RB_ROOT_CACHED;
	struct iopt_allowed *a = (struct iopt_allowed *)kzalloc(sizeof(*a), GFP_KERNEL);
	unsigned long iova = 0, unmapped;
	struct pt_env env;
	int owner, rc;

	env_init(test, &env, 4, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	a->node.start = IOVA;
	a->node.last = IOVA + 16 * PAGE_SIZE - 1;
	interval_tree_insert(&a->node, &allowed);
	KUNIT_ASSERT_EQ(test, iopt_set_allow_iova(&env.iopt, &allowed), 0);
	/* we now hold the old (empty) tree */
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&allowed.rb_root));

	down_write(&env.iopt.iova_rwsem);
	rc = iopt_reserve_iova(&env.iopt, IOVA + PAGE_SIZE, IOVA + PAGE_SIZE, &owner);
	up_write(&env.iopt.iova_rwsem);
	KUNIT_EXPECT_EQ(test, rc, -EADDRINUSE);

	KUNIT_EXPECT_EQ(test, iopt_map_user_pages(env.ictx, &env.iopt, &iova, env.buf,
						  4 * PAGE_SIZE, RW, IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_EQ(test, iova, IOVA);
	KUNIT_EXPECT_EQ(test, iopt_map_user_pages(env.ictx, &env.iopt, &iova, env.buf,
						  16 * PAGE_SIZE, RW, IOPT_ALLOC_IOVA), -ENOSPC);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	env_fini(&env);
}

/* VFIO type1 compatibility: cutting areas. */
static void pages_cut(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(0, ULONG_MAX);
	unsigned long cuts[2] = { IOVA + PAGE_SIZE - 1, IOVA + 3 * PAGE_SIZE - 1 };
	unsigned long unmapped;
	struct pt_env env;

	test_set_memlock(test, 1UL << 40, false);
	env_init(test, &env, 4, 0);
	KUNIT_ASSERT_EQ(test, map_fixed(&env, IOVA, 0, 4 * PAGE_SIZE, RW), 0);
	KUNIT_ASSERT_EQ(test, iopt_cut_iova(&env.iopt, cuts, 2), 0);
	KUNIT_EXPECT_EQ(test, iopt_area_last_iova(find_area(&env.iopt, IOVA)),
			IOVA + PAGE_SIZE - 1);
	KUNIT_EXPECT_PTR_EQ(test, find_area(&env.iopt, IOVA)->pages,
			    find_area(&env.iopt, IOVA + 3 * PAGE_SIZE)->pages);

	/* with a domain that may use large pages, no cutting */
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);
	cuts[0] = IOVA + 2 * PAGE_SIZE - 1;
	KUNIT_EXPECT_EQ(test, iopt_cut_iova(&env.iopt, cuts, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, iopt_unmap_iova(&env.iopt, IOVA + PAGE_SIZE, 2 * PAGE_SIZE,
					      &unmapped), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 2);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	iopt_table_remove_domain(&env.iopt, &td->domain);
	KUNIT_EXPECT_EQ(test, td->bad_unmaps, 0);

	/* with large pages off, cutting a mapped area is fine */
	KUNIT_ASSERT_EQ(test, iopt_disable_large_pages(&env.iopt), 0);
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);
	KUNIT_ASSERT_EQ(test, map_fixed(&env, IOVA, 0, 4 * PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_EQ(test, iopt_disable_large_pages(&env.iopt), 0);
	KUNIT_ASSERT_EQ(test, iopt_cut_iova(&env.iopt, cuts, 1), 0);
	KUNIT_EXPECT_EQ(test, iopt_unmap_iova(&env.iopt, IOVA, 2 * PAGE_SIZE, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, td->bad_unmaps, 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 2);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	iopt_table_remove_domain(&env.iopt, &td->domain);
	iopt_enable_large_pages(&env.iopt);
	test_domain_free(td);
	env_fini(&env);
}

/* memfd backing: pinned through the user's own mapping when there is one. */
static void pages_memfd(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(0, ULONG_MAX);
	unsigned long iova = IOVA, unmapped;
	struct pt_env env;
	int mfd, ro, sfd, pfd[2];
	u8 *map;

	test_set_memlock(test, 1UL << 40, false);
	env_init(test, &env, 1, 0);
	mfd = memfd_create("pages-test", 0);
	KUNIT_ASSERT_GE(test, mfd, 0);
	KUNIT_ASSERT_EQ(test, ftruncate(mfd, 8 * PAGE_SIZE), 0);
	map = (u8 *)mmap(NULL, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	KUNIT_ASSERT_NE(test, (void *)map, MAP_FAILED);
	memset(map, 0x77, 8 * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, -1, 0, PAGE_SIZE,
						  RW, 0), -EBADF);
	ro = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, ro, 0, PAGE_SIZE,
						  RW, 0), -EPERM);
	/* not shmem: accepted while nothing needs the pages */
	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, ro, 0, PAGE_SIZE,
						  IOMMU_READ, 0), 0);
	KUNIT_EXPECT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), -EINVAL);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	close(ro);
	KUNIT_ASSERT_EQ(test, pipe(pfd), 0);
	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, pfd[0], 0,
						  PAGE_SIZE, IOMMU_READ, 0), 0);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	close(pfd[0]);
	close(pfd[1]);

	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);
	iova = IOVA;
	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, mfd,
						  PAGE_SIZE + 2048, 4 * PAGE_SIZE, RW, 0), 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(&td->domain, IOVA),
			PFN_PHYS(test_page_pfn(map + PAGE_SIZE)) + 2048);
	KUNIT_EXPECT_EQ(test, test_page_pincount(map + 5 * PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 5);

	/* beyond the end of the file */
	iova = IOVA + 16 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, mfd,
						  4 * PAGE_SIZE, 4 * PAGE_SIZE + 2048, RW, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 5);

	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, test_page_pincount(map + 5 * PAGE_SIZE), 0);

	/*
	 * Write seals: a writable mapping keeps one from being added, and one
	 * that is there refuses writable mappings. With no user mapping of
	 * this memfd the pages are pinned through uiommufd's own.
	 */
	sfd = memfd_create("pages-sealed", MFD_ALLOW_SEALING);
	KUNIT_ASSERT_GE(test, sfd, 0);
	KUNIT_ASSERT_EQ(test, ftruncate(sfd, 2 * PAGE_SIZE), 0);
	iova = IOVA;
	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, sfd, 0,
						  2 * PAGE_SIZE, RW, 0), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 2);
	KUNIT_EXPECT_EQ(test, fcntl(sfd, F_ADD_SEALS, F_SEAL_WRITE), -1);
	KUNIT_EXPECT_EQ(test, errno, EBUSY);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, fcntl(sfd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, sfd, 0,
						  2 * PAGE_SIZE, RW, 0), -EPERM);
	KUNIT_EXPECT_EQ(test, iopt_map_file_pages(env.ictx, &env.iopt, &iova, sfd, 0,
						  2 * PAGE_SIZE, IOMMU_READ, 0), 0);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 2);
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);
	close(sfd);

	iopt_table_remove_domain(&env.iopt, &td->domain);
	KUNIT_EXPECT_EQ(test, locked_delta(&env), 0);
	munmap(map, 8 * PAGE_SIZE);
	close(mfd);
	test_domain_free(td);
	env_fini(&env);
}

/* Caller bugs the io_pagetable reports instead of corrupting itself. */
static void pages_tripwires(struct kunit *test)
{
	struct test_domain *td = test_domain_alloc(0, ULONG_MAX);
	struct test_domain *other = test_domain_alloc(0, ULONG_MAX);
	unsigned long unmapped;
	struct pt_env env;
	int rc = 0;

	env_init(test, &env, 1, 0);
	KUNIT_ASSERT_EQ(test, iopt_table_add_domain(&env.iopt, &td->domain), 0);
	KUNIT_EXPECT_HARNESS_FAILURE(test, rc = iopt_table_add_domain(&env.iopt, &td->domain));
	KUNIT_EXPECT_EQ(test, rc, -EEXIST);
	KUNIT_EXPECT_HARNESS_FAILURE(test, iopt_table_remove_domain(&env.iopt, &other->domain));
	iopt_table_remove_domain(&env.iopt, &td->domain);

	/* destroying a table that still maps something */
	KUNIT_ASSERT_EQ(test, map_fixed(&env, IOVA, 0, PAGE_SIZE, RW), 0);
	KUNIT_EXPECT_HARNESS_FAILURE(test, iopt_destroy_table(&env.iopt));
	KUNIT_EXPECT_EQ(test, iopt_unmap_all(&env.iopt, &unmapped), 0);

	test_domain_free(td);
	test_domain_free(other);
	env_fini(&env);
}

static struct kunit_case pages_cases[] = {
	KUNIT_CASE(pages_tripwires),
	KUNIT_CASE(pages_account_user),
	KUNIT_CASE(pages_account_mm),
	KUNIT_CASE(pages_account_none),
	KUNIT_CASE(pages_lazy_pin),
	KUNIT_CASE(pages_copy_shares),
	KUNIT_CASE(pages_access_and_domain),
	KUNIT_CASE(pages_rw),
	KUNIT_CASE(pages_domain_fill_unwind),
	KUNIT_CASE(pages_aperture),
	KUNIT_CASE(pages_reserved_allowed),
	KUNIT_CASE(pages_cut),
	KUNIT_CASE(pages_memfd),
	{}
};

static struct kunit_suite pages_suite = {
	.name = "core-pages",
	.test_cases = pages_cases,
};
kunit_test_suite(pages_suite);
