/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the core's KUnit tests: a software iommu_domain that records
 * what iommufd maps and checks the map/unmap pairing rule, user buffers,
 * and page pin/charge probes.
 *
 * The test domain uses 2 KiB IO pages (PAGE_SIZE / 2, like the selftest
 * mock driver) so sub-page offsets are exercised. Each map_pages() call
 * tags its first and last IO page; an unmap_pages() that starts or ends
 * anywhere else cuts a mapping in two, which iommufd must never do, and is
 * counted in @bad_unmaps.
 */
#pragma once

#include "core/io_pagetable.h"
#include "core/iommu.h"
#include "harness/physmem.h"
#include "kunit.h"

#include <map>
#include <sys/mman.h>

#define TEST_IO_PAGE_SIZE (PAGE_SIZE / 2)

struct test_domain {
	struct iommu_domain domain;
	/* IO page index -> physical address | TEST_PTE_* (a pointer, so the
	 * struct stays standard-layout for container_of()) */
	std::map<unsigned long, u64> *ptes;
	unsigned long bad_unmaps = 0;
	unsigned long map_calls = 0;
	/* Fail the n-th next map_pages() call with -ENOMEM (0: never). */
	unsigned long fail_map_at = 0;
	/* Make map_pages() an iommufd_should_fail() injection point. */
	bool inject = true;
};

#define TEST_PTE_START 1ULL
#define TEST_PTE_LAST 2ULL
#define TEST_PTE_FLAGS 3ULL

static inline struct test_domain *to_test_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct test_domain, domain);
}

struct test_domain *test_domain_alloc(unsigned long aperture_start, unsigned long aperture_end);
void test_domain_free(struct test_domain *td);

/* An anonymous shared mapping of @npages pages, filled with a pattern. */
void *test_alloc_buffer(struct kunit *test, size_t npages);

/* Pins held on the user page at @addr (0 if no struct page exists). */
int test_page_pincount(void *addr);
/* pfn of the user page at @addr (takes and drops a reference). */
unsigned long test_page_pfn(void *addr);

/* A context for iopt_map_*(): only account_mode is read. */
struct iommufd_ctx *test_ctx_alloc(struct kunit *test, u8 account_mode);

/* The UIOMMUFD_SEED environment variable, or a fresh seed; printed. */
unsigned long test_seed(struct kunit *test);

/* RLIMIT_MEMLOCK/CAP_IPC_LOCK overrides, undone at the end of the case. */
void test_set_memlock(struct kunit *test, unsigned long bytes, bool ipc_lock);
