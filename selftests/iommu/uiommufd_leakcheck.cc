// SPDX-License-Identifier: GPL-2.0
/*
 * extern "C" wrappers so the C selftests can reach the slab ledger and the
 * harness failure counter without including C++ headers.
 */
#include "selftests/iommu/uiommufd_leakcheck.h"

#include "harness/slab.h"
#include "harness/testhooks.h"

extern "C" unsigned long long ufd_leak_mark(void)
{
	return kmem_leak_mark();
}

extern "C" unsigned long ufd_leak_report(unsigned long long mark)
{
	return kmem_leak_report(mark);
}

extern "C" unsigned long ufd_harness_failures(void)
{
	return harness_failure_count();
}
