/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SMMUv3 half of an in-process VMM (selftests/inproc_vmm.h has the
 * iommufd half): the I/OAT function on the smmuv3 platform, the guest's
 * stage-1 vSTE, and the guest side, a CD and a 4-level 4K stage 1 written
 * into guest memory (a user buffer the IOAS maps at SMMUV3_VMM_GPA), so
 * every stage-1 fetch is an IPA that the parent's stage 2 translates.
 *
 * Used by the platform KUnit suite, the SMMUv3 fail-nth sweeps
 * (selftests/failnth/failnth_smmuv3.cc) and smmuv3_bench
 * (selftests/bench/bench_smmuv3.cc).
 */
#pragma once

#include "drivers/arm-smmu-v3/hw/arm-smmu-v3-hw.h"
#include "selftests/inproc_vmm.h"

#include <cstring>

#define SMMUV3_VMM_BDF "0000:00:03.0"	/* the I/OAT function: no ATS, no PASID */
#define SMMUV3_VMM_GPA (1ULL << 32)	/* guest memory in the IOAS */
#define SMMUV3_VMM_GVA (1ULL << 30)	/* the guest's first mapped stage-1 address */
#define SMMUV3_VMM_VSID 0x42u
#define SMMUV3_VMM_ASID 1u

/* Guest memory pages: the data page, the CD, stage-1 L0..L2, then the L3 tables. */
enum {
	SMMUV3_VMM_PG_DATA,
	SMMUV3_VMM_PG_CD,
	SMMUV3_VMM_PG_L0,
	SMMUV3_VMM_PG_L1,
	SMMUV3_VMM_PG_L2,
	SMMUV3_VMM_PG_L3,
};

static inline u64 smmuv3_vmm_gpa(unsigned int pg)
{
	return SMMUV3_VMM_GPA + (u64)pg * 4096ULL;
}

/* The I/OAT function bound, an IOAS with @len of guest memory at SMMUV3_VMM_GPA, the parent. */
static inline int smmuv3_vmm_open(struct inproc_vmm *v, void *guest, size_t len)
{
	int rc = inproc_vmm_open(v, SMMUV3_VMM_BDF);

	if (!rc)
		rc = inproc_vmm_map_guest(v, guest, len, SMMUV3_VMM_GPA);
	if (!rc)
		rc = inproc_vmm_parent(v);
	return rc;
}

/* The guest's stage-1 STE: one linear CD at SMMUV3_VMM_PG_CD. */
static inline struct iommu_hwpt_arm_smmuv3 smmuv3_vmm_s1_vste(void)
{
	struct iommu_hwpt_arm_smmuv3 vste = {};

	vste.ste[0] = STRTAB_STE_0_V |
		      FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_S1_TRANS) |
		      (smmuv3_vmm_gpa(SMMUV3_VMM_PG_CD) & STRTAB_STE_0_S1CTXPTR_MASK);
	return vste;
}

static inline int smmuv3_vmm_nested(struct inproc_vmm *v, u32 viommu,
				    const struct iommu_hwpt_arm_smmuv3 *vste, u32 *out)
{
	return inproc_vmm_hwpt_alloc(v, viommu, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, vste,
				     sizeof(*vste), out);
}

/* Raw commands on the vIOMMU; *@done gets entry_num back. */
static inline int smmuv3_vmm_invalidate(struct inproc_vmm *v, u32 viommu,
					const struct iommu_viommu_arm_smmuv3_invalidate *cmds,
					u32 n, u32 *done)
{
	return inproc_vmm_invalidate(v, viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				     sizeof(*cmds), n, done);
}

/*
 * The guest's stage 1 in @guest (SMMUV3_VMM_PG_L3 + @nr_l3 pages at least):
 * a CD (ASID SMMUV3_VMM_ASID, 48-bit TTB0 walk, 4K granule) and 4-level
 * tables mapping @nr_l3 * 512 pages from SMMUV3_VMM_GVA, all to the data
 * page. @nr_l3 is at most 512 (one L2 table).
 */
static inline void smmuv3_vmm_guest_s1(void *guest, unsigned int nr_l3)
{
	const u64 table = 3, page = 3 | (1ULL << 10) /* AF */ | (3ULL << 8) /* ISH */ |
				    (1ULL << 2) /* AttrIndx 1 */ | (1ULL << 6) /* EL0 RW */ |
				    (1ULL << 11) /* nG */;
	u64 *pg = (u64 *)guest;
	u64 *cd = pg + SMMUV3_VMM_PG_CD * 512, *l0 = pg + SMMUV3_VMM_PG_L0 * 512;
	u64 *l1 = pg + SMMUV3_VMM_PG_L1 * 512, *l2 = pg + SMMUV3_VMM_PG_L2 * 512;
	unsigned int i;

	memset(cd, 0, 4096ULL * (SMMUV3_VMM_PG_L3 + nr_l3 - SMMUV3_VMM_PG_CD));
	l0[SMMUV3_VMM_GVA >> 39] = smmuv3_vmm_gpa(SMMUV3_VMM_PG_L1) | table;
	l1[(SMMUV3_VMM_GVA >> 30) & 511] = smmuv3_vmm_gpa(SMMUV3_VMM_PG_L2) | table;
	for (i = 0; i < nr_l3; i++) {
		u64 *l3 = pg + (SMMUV3_VMM_PG_L3 + i) * 512;
		unsigned int j;

		l2[((SMMUV3_VMM_GVA >> 21) & 511) + i] = smmuv3_vmm_gpa(SMMUV3_VMM_PG_L3 + i) | table;
		for (j = 0; j < 512; j++)
			l3[j] = smmuv3_vmm_gpa(SMMUV3_VMM_PG_DATA) | page;
	}
	cd[0] = FIELD_PREP(CTXDESC_CD_0_TCR_T0SZ, 16) | FIELD_PREP(CTXDESC_CD_0_TCR_IRGN0, 1) |
		FIELD_PREP(CTXDESC_CD_0_TCR_ORGN0, 1) | FIELD_PREP(CTXDESC_CD_0_TCR_SH0, 3) |
		CTXDESC_CD_0_TCR_EPD1 | CTXDESC_CD_0_V | FIELD_PREP(CTXDESC_CD_0_TCR_IPS, 5) |
		CTXDESC_CD_0_AA64 | CTXDESC_CD_0_R | CTXDESC_CD_0_A | CTXDESC_CD_0_ASET |
		FIELD_PREP(CTXDESC_CD_0_ASID, SMMUV3_VMM_ASID);
	cd[1] = smmuv3_vmm_gpa(SMMUV3_VMM_PG_L0) & CTXDESC_CD_1_TTB0_MASK;
	cd[3] = 0x0004ff44;	/* MAIR: Normal NC, Normal WB, Device */
}
