/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest of the AMD IOMMU as the AMD tests and benchmarks build it, in
 * 2 MiB of "guest memory" mapped at GPA_BASE of an IOAS: its x86-64
 * stage-1 table for four data pages, its DTE (struct
 * iommu_hwpt_amd_guest), the commands it writes into its command buffer,
 * and the AMD guest DTE's HWPT allocation (the rest of the vIOMMU calls are
 * viommu_uapi.h's). C and C++: the
 * selftests (amd_fixture.h) and selftests/bench/bench_amd_viommu.cc share
 * it. Every ioctl goes through ufd_ioctl(), which the includer may define
 * (uiommufd_utils.h does; a benchmark counts host calls with it).
 */
#ifndef UIOMMUFD_SELFTEST_AMD_GUEST_H
#define UIOMMUFD_SELFTEST_AMD_GUEST_H

#include <linux/iommufd.h>
#include <linux/iommufd_experimental.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "viommu_uapi.h"

/* AMD IOMMU: EFR bits, guest DTE fields and x86-64 guest PTEs (spec 48882) */
#define EFR_GT (1ULL << 4)
#define EFR_GIOSUP (1ULL << 48)
#define EFR_HASUP (1ULL << 49)
#define EFR_HDSUP (1ULL << 52)
#define DTE0_V (1ULL << 0)
#define DTE0_TV (1ULL << 1)
#define DTE0_MODE(x) ((__u64)(x) << 9)
#define DTE0_GIOV (1ULL << 54)
#define DTE0_GV (1ULL << 55)
#define DTE0_GLX(x) ((__u64)(x) << 56)
#define DTE2_GPT_LEVEL(x) ((__u64)(x) << 54)
#define GCR3_VALID 1ULL
#define G_PTE (0x1ULL /* P */ | 0x2ULL /* RW */ | 0x4ULL /* US: untagged DMA is user */)
#define CMD_INV_IOMMU_PAGES 0x3
#define INV_S 0x1
#define INV_PDE 0x2
#define INV_GN 0x4

#define BUF_SIZE (2UL << 20)
#define GPA_BASE (1UL << 32)		/* where guest memory sits in the IOAS */
#define GVA_BASE 0x40000000UL		/* the guest's address of page 0 */
#define PG_DESC 0
#define PG_SRC 1
#define PG_DST 2
#define PG_ALT 3
#define PG_GCR3 16
#define PG_L0 17			/* PML4, then PDPT, PD, PT */
#define GDOM_ID 0x42

/* The guest's IOMMU registers as it writes them (the RFC's VIOMMU_MMIO_ACCESS offsets) */
#define G_CMD_BUF 0x0008
#define G_EVT_BUF 0x0010
#define G_CONTROL 0x0018
#define G_PPR_BUF 0x0038
#define G_CMD_HEAD 0x2000
#define G_CMD_TAIL 0x2008
#define G_EVT_TAIL 0x2018
#define G_STATUS 0x2020
#define G_PPR_TAIL 0x2038
#define CTRL_IOMMU_EN (1ULL << 0)
#define CTRL_EVT_LOG_EN (1ULL << 2)
#define CTRL_CMDBUF_EN (1ULL << 12)
#define CTRL_PPR_LOG_EN (1ULL << 13)
#define CTRL_PPR_EN (1ULL << 15)
#define BUF_LEN_4K (8ULL << 56)		/* ComLen/EventLen: 256 entries, 4 KiB */

#define VF_CMD_HEAD 0x00
#define VF_CMD_TAIL 0x08
#define VF_STATUS 0x20
#define STATUS_CMDBUF_RUN 0x10
#define CMD_COMPL_WAIT 0x1
#define PG_CMDBUF 30
#define PG_SEM 31
#define PG_EVTLOG 32
#define VF_EVT_TAIL 0x18
#define VF_PPR_HEAD 0x30
#define VF_PPR_TAIL 0x38
#define STATUS_PPR_OVERFLOW 0x20
#define STATUS_PPR_RUN 0x80
#define PG_PPRLOG 33
#define PG_GUEST_B_CMDBUF 34		/* a second guest's buffers, same VM memory */
#define PG_GUEST_B_EVTLOG 35
#define CMD_COMPLETE_PPR 0x7
#define PPR_TYPE_FAULT 0x1
#define PPR_FLAG_WRITE 0x020
#define DTE0_PPR (1ULL << 52)
#define EVT_IO_PAGE_FAULT 0x2
#define EVT_ILLEGAL_COMMAND 0x5
#define EVT_INVALID_PPR_REQUEST 0x9


/* Guest memory page @pg, as the VMM sees it */
static inline __u64 *amd_guest_page(__u8 *buf, unsigned int pg)
{
	return (__u64 *)(buf + (size_t)pg * 4096);
}

static inline __u64 gpa(unsigned int pg)
{
	return GPA_BASE + (__u64)pg * 4096;
}

static inline __u64 gva(unsigned int pg)
{
	return GVA_BASE + (__u64)pg * 4096;
}

/* GVA_BASE + pg * 4K -> GPA of pg for the four data pages; GCR3[0] -> the PML4 */
static inline void amd_guest_build_s1(__u8 *buf)
{
	__u64 *gcr3 = amd_guest_page(buf, PG_GCR3);
	__u64 *pml4 = amd_guest_page(buf, PG_L0), *pdpt = amd_guest_page(buf, PG_L0 + 1);
	__u64 *pd = amd_guest_page(buf, PG_L0 + 2), *pt = amd_guest_page(buf, PG_L0 + 3);
	unsigned int pg;

	memset(gcr3, 0, 5 * 4096);
	gcr3[0] = gpa(PG_L0) | GCR3_VALID;
	pml4[(GVA_BASE >> 39) & 511] = gpa(PG_L0 + 1) | G_PTE;
	pdpt[(GVA_BASE >> 30) & 511] = gpa(PG_L0 + 2) | G_PTE;
	pd[(GVA_BASE >> 21) & 511] = gpa(PG_L0 + 3) | G_PTE;
	for (pg = PG_DESC; pg <= PG_ALT; pg++)
		pt[pg] = gpa(pg) | G_PTE;
}

/* The guest's DTE: GV with GIoV (untagged DMA is PASID 0), one-level GCR3 table, 4-level */
static inline void guest_dte(struct iommu_hwpt_amd_guest *g, __u64 gcr3, __u16 gdom)
{
	memset(g, 0, sizeof(*g));
	g->dte[0] = DTE0_V | DTE0_TV | DTE0_GV | DTE0_GIOV | DTE0_GLX(0) |
		    (((gcr3 >> 12) & 0x7) << 58);
	g->dte[1] = gdom | (((gcr3 >> 15) & 0xffff) << 16) | (((gcr3 >> 31) & 0x1fffff) << 43);
	g->dte[2] = DTE2_GPT_LEVEL(0);
}

/*
 * Two guest commands at @cmd (32 bytes): INVALIDATE_IOMMU_PAGES of all
 * its DomainID @gdom holds for PASID 0, then COMPLETION_WAIT storing
 * @val at @sem_gpa once everything before it is done.
 */
static inline void guest_cmd_inv_wait(__u32 *cmd, __u16 gdom, __u64 sem_gpa, __u32 val)
{
	memset(cmd, 0, 32);
	cmd[1] = gdom | (CMD_INV_IOMMU_PAGES << 28);
	cmd[2] = 0xfffff000u | INV_S | INV_PDE | INV_GN;
	cmd[3] = 0x7fffffffu;
	cmd[4] = (__u32)sem_gpa | 0x1;	/* S: store */
	cmd[5] = (__u32)(sem_gpa >> 32) | (CMD_COMPL_WAIT << 28);
	cmd[6] = val;
}

/*
 * COMPLETE_PPR_REQUEST at @cmd (16 bytes) for the guest's DeviceID @gdev,
 * PRG index @tag, no PASID, Success.
 */
static inline void guest_cmd_complete_ppr(__u32 *cmd, __u16 gdev, __u16 tag)
{
	memset(cmd, 0, 16);
	cmd[0] = gdev;
	cmd[1] = CMD_COMPLETE_PPR << 28;
	cmd[3] = tag & 0x1ff;		/* status [15:12] 0: Success */
}

static inline int gdte_alloc(int fd, __u32 dev_id, __u32 viommu,
			     const struct iommu_hwpt_amd_guest *g, __u32 type, __u32 len,
			     __u32 *out)
{
	return hwpt_alloc_data(fd, dev_id, viommu, 0, type, g, len, out);
}

/*
 * A nested HWPT of guest DTE @g on @pt_id (a vIOMMU, or the RFC's nest
 * parent) whose host page requests would go to fault queue @fault_id.
 */
static inline int gdte_alloc_fault(int fd, __u32 dev_id, __u32 pt_id,
				   const struct iommu_hwpt_amd_guest *g, __u32 fault_id, __u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_AMD_GUEST,
		.data_len = sizeof(*g),
		.data_uptr = (uintptr_t)g,
		.fault_id = fault_id,
	};
	int rc = ufd_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_hwpt_id;
	return rc;
}

#endif /* UIOMMUFD_SELFTEST_AMD_GUEST_H */
