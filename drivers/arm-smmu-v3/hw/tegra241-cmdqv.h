/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVIDIA Tegra241 CMDQV (command queue virtualization), an extension beside
 * an SMMUv3: extra command queues (VCMDQs) grouped into virtual interfaces
 * (VINTFs). A VINTF owned by a VM gets a VMID and a table of StreamID
 * pairs (SID_MATCH: the VM's StreamID, SID_REPLACE: the physical one); the
 * VM drives its logical VCMDQs through its own 64 KiB page, and the
 * hardware consumes them with the VINTF's VMID and StreamIDs, no hypervisor
 * in between. Both the driver and the model include this.
 *
 * The register space, in 64 KiB pages:
 *   0        global configuration, CMDQ_ALLOC, and every VINTF's registers
 *   64K      every VCMDQ's page-0 registers (by global index)
 *   128K     every VCMDQ's page-1 registers (queue base)
 *   192K+    per VINTF i, 128 KiB: page 0 (its logical VCMDQs' page-0
 *            registers, by logical index) and page 1 (their bases)
 */
#pragma once

#include "harness/bitfield.h"
#include "harness/kernel.h"

inline constexpr unsigned int TEGRA241_CMDQV_PAGE_SIZE = 0x10000;
inline constexpr unsigned int TEGRA241_VCMDQ_PAGE0_BASE = TEGRA241_CMDQV_PAGE_SIZE;
inline constexpr unsigned int TEGRA241_VCMDQ_PAGE1_BASE = 2 * TEGRA241_CMDQV_PAGE_SIZE;
inline constexpr unsigned int TEGRA241_VINTF_PAGE_BASE = 3 * TEGRA241_CMDQV_PAGE_SIZE;

/* Global registers (page 0). */
inline constexpr unsigned int TEGRA241_CMDQV_CONFIG = 0x0000;
inline constexpr u32 CMDQV_EN = BIT(0);
inline constexpr unsigned int TEGRA241_CMDQV_PARAM = 0x0004;
inline constexpr u32 CMDQV_NUM_SID_PER_VM_LOG2 = GENMASK(15, 12);
inline constexpr u32 CMDQV_NUM_VINTF_LOG2 = GENMASK(11, 8);
inline constexpr u32 CMDQV_NUM_VCMDQ_LOG2 = GENMASK(7, 4);
inline constexpr u32 CMDQV_VER = GENMASK(3, 0);
inline constexpr unsigned int TEGRA241_CMDQV_STATUS = 0x0008;
inline constexpr u32 CMDQV_ENABLED = BIT(0);
/* A bit per VINTF with an error; 64 bits as two 32-bit registers. */
inline constexpr unsigned int TEGRA241_CMDQV_VINTF_ERR_MAP = 0x0014;
inline constexpr unsigned int TEGRA241_CMDQV_VINTF_INT_MASK = 0x001c;
/* A bit per global VCMDQ with an error, 32 a register. */
constexpr unsigned int TEGRA241_CMDQV_CMDQ_ERR_MAP(unsigned int m) { return 0x0024 + 4 * m; }
/* Which VINTF and logical index a global VCMDQ serves. */
constexpr unsigned int TEGRA241_CMDQV_CMDQ_ALLOC(unsigned int q) { return 0x0200 + 4 * q; }
inline constexpr u32 CMDQV_CMDQ_ALLOC_VINTF = GENMASK(20, 15);
inline constexpr u32 CMDQV_CMDQ_ALLOC_LVCMDQ = GENMASK(7, 1);
inline constexpr u32 CMDQV_CMDQ_ALLOCATED = BIT(0);

/* A VINTF's registers, at TEGRA241_VINTF(v) in page 0. */
constexpr unsigned int TEGRA241_VINTF(unsigned int v) { return 0x1000 + 0x100 * v; }
inline constexpr unsigned int TEGRA241_VINTF_CONFIG = 0x0000;
inline constexpr u32 VINTF_HYP_OWN = BIT(17);
inline constexpr u32 VINTF_VMID = GENMASK(16, 1);
inline constexpr u32 VINTF_EN = BIT(0);
inline constexpr unsigned int TEGRA241_VINTF_STATUS = 0x0004;
inline constexpr u32 VINTF_STATUS = GENMASK(3, 1);
inline constexpr u32 VINTF_ENABLED = BIT(0);
/* SID_MATCH: the VM's StreamID << 1 | valid; SID_REPLACE: the physical one. */
constexpr unsigned int TEGRA241_VINTF_SID_MATCH(unsigned int s) { return 0x0040 + 4 * s; }
constexpr unsigned int TEGRA241_VINTF_SID_REPLACE(unsigned int s) { return 0x0080 + 4 * s; }
inline constexpr u32 VINTF_SID_MATCH_VALID = BIT(0);
/* A bit per logical VCMDQ of the VINTF with an error: two 64-bit registers. */
constexpr unsigned int TEGRA241_VINTF_LVCMDQ_ERR_MAP_64(unsigned int m) { return 0x00c0 + 8 * m; }
inline constexpr unsigned int LVCMDQ_ERR_MAP_NUM_64 = 2;

/* A VCMDQ's page-0 registers, 0x80 apart. */
inline constexpr unsigned int TEGRA241_VCMDQ_REGS_SIZE = 0x80;
inline constexpr unsigned int TEGRA241_VCMDQ_CONS = 0x00;
inline constexpr u32 VCMDQ_CONS_ERR = GENMASK(30, 24);
inline constexpr unsigned int TEGRA241_VCMDQ_PROD = 0x04;
inline constexpr unsigned int TEGRA241_VCMDQ_CONFIG = 0x08;
inline constexpr u32 VCMDQ_EN = BIT(0);
inline constexpr unsigned int TEGRA241_VCMDQ_STATUS = 0x0c;
inline constexpr u32 VCMDQ_ENABLED = BIT(0);
inline constexpr unsigned int TEGRA241_VCMDQ_GERROR = 0x10;
inline constexpr unsigned int TEGRA241_VCMDQ_GERRORN = 0x14;
/* Page 1: the queue's base (as CMDQ_BASE, 64 bits) and its CONS index base. */
inline constexpr unsigned int TEGRA241_VCMDQ_BASE = 0x00;
inline constexpr u64 VCMDQ_ADDR = GENMASK_ULL(47, 5);
inline constexpr u64 VCMDQ_LOG2SIZE = GENMASK_ULL(4, 0);
inline constexpr unsigned int TEGRA241_VCMDQ_CONS_INDX_BASE = 0x08;

constexpr unsigned int TEGRA241_VCMDQ_PAGE0(unsigned int q)
{
	return TEGRA241_VCMDQ_PAGE0_BASE + TEGRA241_VCMDQ_REGS_SIZE * q;
}
constexpr unsigned int TEGRA241_VCMDQ_PAGE1(unsigned int q)
{
	return TEGRA241_VCMDQ_PAGE1_BASE + TEGRA241_VCMDQ_REGS_SIZE * q;
}
/* VINTF i's own pages: what a VM gets mapped (page 0) and their bases (page 1). */
constexpr unsigned int TEGRA241_VINTFi_PAGE0(unsigned int i)
{
	return TEGRA241_VINTF_PAGE_BASE + 2 * TEGRA241_CMDQV_PAGE_SIZE * i;
}
constexpr unsigned int TEGRA241_VINTFi_PAGE1(unsigned int i)
{
	return TEGRA241_VINTFi_PAGE0(i) + TEGRA241_CMDQV_PAGE_SIZE;
}
constexpr unsigned int TEGRA241_VINTFi_LVCMDQ_PAGE0(unsigned int i, unsigned int q)
{
	return TEGRA241_VINTFi_PAGE0(i) + TEGRA241_VCMDQ_REGS_SIZE * q;
}
constexpr unsigned int TEGRA241_VINTFi_LVCMDQ_PAGE1(unsigned int i, unsigned int q)
{
	return TEGRA241_VINTFi_PAGE1(i) + TEGRA241_VCMDQ_REGS_SIZE * q;
}
/* The register space of a CMDQV with @nr_vintfs VINTFs. */
constexpr unsigned int TEGRA241_CMDQV_MMIO_SIZE(unsigned int nr_vintfs)
{
	return TEGRA241_VINTFi_PAGE0(nr_vintfs);
}
