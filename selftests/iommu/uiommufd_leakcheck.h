/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C entry points into the harness's allocation ledger and failure counter.
 *
 * The selftests are C programs and the ledger is C++ (harness/slab.h), so
 * this is the narrow bridge: a test takes a mark before it opens
 * /dev/iommu, and after it has closed every file it asks how many kernel
 * allocations made since the mark are still alive. Each test runs in its
 * own child, where the kselftest harness cannot see kernel-side leaks or
 * WARNs, hence the explicit check at the end of every fixture.
 */
#ifndef UIOMMUFD_LEAKCHECK_H
#define UIOMMUFD_LEAKCHECK_H

#ifdef __cplusplus
extern "C" {
#endif

/* Sequence number of the latest kernel-side allocation. */
unsigned long long ufd_leak_mark(void);
/* Allocations made after @mark still alive; each is listed on stderr. */
unsigned long ufd_leak_report(unsigned long long mark);
/* Tripwires (WARN, lockdep, refcount, bad kfree) reported so far. */
unsigned long ufd_harness_failures(void);

#ifdef __cplusplus
}
#endif
#endif
