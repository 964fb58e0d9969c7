/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VMM's VT-d nesting objects in-process on the booted vtd platform, over
 * selftests/inproc_vmm.h: the I/OAT function, guest memory at VTD_VMM_GPA,
 * a nest-parent second stage (with dirty tracking if asked), the guest's
 * x86-64 4-level first stage written into guest memory (every first-stage
 * fetch is a GPA the parent translates), the nested iommu_hwpt_vtd_s1 and
 * its invalidation. Each step returns 0 or the errno.
 *
 * Used by vtd_bench (selftests/bench/bench_vtd.cc) and the VT-d fail-nth
 * sweeps (selftests/failnth/failnth_vtd.cc).
 */
#pragma once

#include "drivers/intel/hw/intel-iommu-hw.h"
#include "selftests/inproc_vmm.h"

#include <cstring>

#define VTD_VMM_BDF "0000:00:03.0"	/* the I/OAT function: no ATS, no PASID */
#define VTD_VMM_PASID_BDF "0000:00:05.0"	/* the edu function: PASID, ATS, PRI */
#define VTD_VMM_GPA (1ULL << 32)	/* guest memory in the IOAS */
#define VTD_VMM_GVA (1ULL << 30)	/* the guest's first mapped first-stage address */

/* Guest memory pages: the data page, PML4, PDPT, PD, then the page tables. */
enum {
	VTD_VMM_PG_DATA,
	VTD_VMM_PG_PML4,
	VTD_VMM_PG_PDPT,
	VTD_VMM_PG_PD,
	VTD_VMM_PG_PT,
};

static inline u64 vtd_vmm_gpa(unsigned int pg)
{
	return VTD_VMM_GPA + (u64)pg * 4096ULL;
}

/* The function at @bdf bound to a fresh iommufd, @guest mapped at VTD_VMM_GPA. */
static inline int vtd_vmm_open(struct inproc_vmm *v, void *guest, size_t len,
			       const char *bdf = VTD_VMM_BDF)
{
	int rc = inproc_vmm_open(v, bdf);

	return rc ?: inproc_vmm_map_guest(v, guest, len, VTD_VMM_GPA);
}

/*
 * The second stage over guest memory as a nest parent, with @flags
 * (IOMMU_HWPT_ALLOC_DIRTY_TRACKING, IOMMU_HWPT_ALLOC_PASID) besides.
 */
static inline int vtd_vmm_parent(struct inproc_vmm *v, u32 flags = 0)
{
	return inproc_vmm_hwpt_alloc(v, v->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT | flags,
				     IOMMU_HWPT_DATA_NONE, nullptr, 0, &v->parent);
}

/*
 * The guest's first stage (iommu_hwpt_vtd_s1) on the parent, rooted at its
 * PML4, 48 bits; @flags IOMMU_HWPT_ALLOC_PASID for a PASID attach.
 */
static inline int vtd_vmm_nested(struct inproc_vmm *v, u32 *out, u32 flags = 0)
{
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = vtd_vmm_gpa(VTD_VMM_PG_PML4),
		.addr_width = 48,
	};

	return inproc_vmm_hwpt_alloc(v, v->parent, flags, IOMMU_HWPT_DATA_VTD_S1, &s1,
				     sizeof(s1), out);
}

/*
 * The guest's first stage in @guest (VTD_VMM_PG_PT + @nr_pt pages at least):
 * x86-64 4-level tables mapping @nr_pt * 512 pages from VTD_VMM_GVA, all to
 * the data page, user and writable (untagged DMA is a user access). @nr_pt
 * is at most 512 (one PD).
 */
static inline void vtd_vmm_guest_s1(void *guest, unsigned int nr_pt)
{
	const u64 entry = DMA_FL_PTE_PRESENT | DMA_FL_PTE_RW | DMA_FL_PTE_US;
	u64 *pg = (u64 *)guest;
	u64 *pml4 = pg + VTD_VMM_PG_PML4 * 512, *pdpt = pg + VTD_VMM_PG_PDPT * 512;
	u64 *pd = pg + VTD_VMM_PG_PD * 512;
	unsigned int i;

	memset(pml4, 0, 4096ULL * (VTD_VMM_PG_PT + nr_pt - VTD_VMM_PG_PML4));
	pml4[(VTD_VMM_GVA >> 39) & 511] = vtd_vmm_gpa(VTD_VMM_PG_PDPT) | entry;
	pdpt[(VTD_VMM_GVA >> 30) & 511] = vtd_vmm_gpa(VTD_VMM_PG_PD) | entry;
	for (i = 0; i < nr_pt; i++) {
		u64 *pt = pg + (VTD_VMM_PG_PT + i) * 512;

		pd[((VTD_VMM_GVA >> 21) & 511) + i] = vtd_vmm_gpa(VTD_VMM_PG_PT + i) | entry;
		for (unsigned int j = 0; j < 512; j++)
			pt[j] = vtd_vmm_gpa(VTD_VMM_PG_DATA) | entry;
	}
}

/* HWPT_INVALIDATE of @n requests on the nested HWPT @hwpt; *@done gets entry_num back. */
static inline int vtd_vmm_invalidate(struct inproc_vmm *v, u32 hwpt,
				     const struct iommu_hwpt_vtd_s1_invalidate *reqs, u32 n,
				     u32 *done)
{
	return inproc_vmm_invalidate(v, hwpt, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, reqs,
				     sizeof(*reqs), n, done);
}
