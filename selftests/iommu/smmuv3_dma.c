// SPDX-License-Identifier: GPL-2.0
/*
 * The ARM SMMUv3 as a VMM meets it: an I/OAT DMA engine behind the SMMU,
 * reached through VFIO and iommufd, its copies translated by the SMMU
 * model; then nesting: a nest-parent stage 2 over the "guest memory", a
 * vIOMMU and vDEVICE, a guest stage 1 (CD table and page tables written in
 * guest memory), the guest STE as a nested HWPT, DMA through both stages,
 * a guest page-table change that takes effect only after the guest's
 * invalidation goes through IOMMU_HWPT_INVALIDATE, a guest fault read from
 * the vEVENTQ with the guest's StreamID; and every uAPI field of the
 * SMMUv3 nesting interface given hostile values.
 *
 * It needs the smmuv3 platform (`uiommufd selftest --platform smmuv3`, or
 * `uiommufd run --platform smmuv3 -- ./smmuv3_dma`), with the I/OAT
 * function at 0000:00:03.0; elsewhere (no function there, or one not
 * behind an SMMUv3) every test is skipped. Written against Linux's uAPI
 * only, so it runs on a kernel with such a machine too; built as a plain
 * program (the interposer build), since it uses sysfs and VFIO.
 */
#include "uiommufd_utils.h"
#include "vfio_dev.h"
#include "ioat_vmm.h"
#include "viommu_uapi.h"

#include <dirent.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>

/* SMMUv3 (IHI 0070) encodings the guest side writes */
#define STE0_V (1ULL << 0)
#define STE0_CFG(x) ((__u64)(x) << 1)
#define STE0_CFG_ABORT 0
#define STE0_CFG_BYPASS 4
#define STE0_CFG_S1 5
#define STE0_CFG_NESTED 7
#define STE0_S1CTXPTR(pa) ((pa) & 0x000fffffffffffc0ULL)
#define STE1_EATS(x) ((__u64)(x) << 28)
#define STE1_S1STALLD (1ULL << 27)
#define STE1_SHCFG(x) ((__u64)(x) << 44)
#define CD0_T0SZ(x) ((__u64)(x))
#define CD0_IRGN0(x) ((__u64)(x) << 8)
#define CD0_ORGN0(x) ((__u64)(x) << 10)
#define CD0_SH0(x) ((__u64)(x) << 12)
#define CD0_EPD1 (1ULL << 30)
#define CD0_V (1ULL << 31)
#define CD0_IPS(x) ((__u64)(x) << 32)
#define CD0_AA64 (1ULL << 41)
#define CD0_R (1ULL << 45)
#define CD0_A (1ULL << 46)
#define CD0_ASET (1ULL << 47)
#define CD0_ASID(x) ((__u64)(x) << 48)
#define PTE_TABLE 0x3ULL
#define PTE_PAGE (0x3ULL | (1ULL << 10) /* AF */ | (3ULL << 8) /* ISH */ | \
		  (1ULL << 2) /* AttrIndx 1 */ | (1ULL << 6) /* EL0 RW */ | (1ULL << 11) /* nG */)
#define CMD_TLBI_NH_ALL 0x10
#define CMD_TLBI_NH_ASID 0x11
#define CMD_TLBI_NH_VA 0x12
#define CMD_TLBI_NSNH_ALL 0x30
#define CMD_CFGI_STE 0x03
#define CMD_CFGI_CD 0x05
#define CMD_ATC_INV 0x40
#define CMD_CMD_SYNC 0x46
#define CMD_SID(x) ((__u64)(x) << 32)
#define CMD_ASID(x) ((__u64)(x) << 48)
#define EVT_ID_TRANSLATION_FAULT 0x10

#define GUEST_ASID 1
#define GUEST_VSID 0x42
#define BUF_SIZE (2UL << 20)
#define GPA_BASE (1UL << 32)		/* where guest memory sits in the IOAS */
#define GVA_BASE 0x40000000UL		/* the guest's stage-1 address of page 0 */
/* Pages of guest memory */
#define PG_DESC 0
#define PG_SRC 1
#define PG_DST 2
#define PG_ALT 3
#define PG_CD 16
#define PG_L0 17			/* then L1, L2, L3 */

/* What libvfio does: the cdev named in the device's vfio-dev directory. */

static __u32 ioat_readl(volatile __u8 *bar, unsigned off) { return *(volatile __u32 *)(bar + off); }

FIXTURE(smmuv3)
{
	int iommufd;
	int devfd;
	__u32 dev_id;
	__u32 ioas_id;
	volatile __u8 *bar;
	__u8 *buf;			/* guest memory, at GPA_BASE in the IOAS */
	__u32 parent_id, viommu_id, vdev_id, veventq_id, nested_id;
	int veventq_fd;
};

static __u64 *guest_page(struct _test_data_smmuv3 *self, unsigned int pg)
{
	return (__u64 *)(self->buf + (size_t)pg * 4096);
}

static __u64 gpa(unsigned int pg)
{
	return GPA_BASE + (__u64)pg * 4096;
}

FIXTURE_SETUP(smmuv3)
{
	struct iommu_hw_info_arm_smmuv3 info = {};

	self->veventq_fd = -1;
	IOAT_VMM_SETUP(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &info, sizeof(info), "an SMMUv3");
}

FIXTURE_TEARDOWN(smmuv3)
{
	if (self->devfd >= 0 && self->veventq_fd >= 0)
		close(self->veventq_fd);
	IOAT_VMM_TEARDOWN();
}

/* One descriptor in guest page PG_DESC at @desc_addr (a device address); the final status. */
static __u64 ioat_copy(struct _test_data_smmuv3 *self, __u64 desc_addr, __u64 src, __u64 dst,
		       __u32 size)
{
	return ioat_run(self->bar, (struct ioat_desc *)guest_page(self, PG_DESC), desc_addr, src,
			dst, size);
}

/* ---- one stage: the IOAS straight on the device ---- */

TEST_F(smmuv3, hw_info_raw_idrs)
{
	struct iommu_hw_info_arm_smmuv3 info = {};
	struct iommu_hw_info hw;

	ASSERT_EQ(0, ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &info, sizeof(info), &hw));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, hw.out_data_type);
	ASSERT_EQ(sizeof(info), hw.data_len);
	/* IDR0: S1P, S2P and the AArch64 table format */
	ASSERT_EQ(3, info.idr[0] & 3);
	ASSERT_TRUE((info.idr[0] >> 2) & 2);
	/* IDR5: the 4K granule */
	ASSERT_TRUE(info.idr[5] & (1 << 4));
	/* Another driver's format is refused */
	ASSERT_EQ(-1, ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				  IOMMU_HW_INFO_TYPE_INTEL_VTD, &info, sizeof(info), &hw));
	ASSERT_EQ(EOPNOTSUPP, errno);
}

TEST_F(smmuv3, ioat_copy_and_fault)
{
	ioat_vmm_copy_and_fault(_metadata, self->iommufd, self->ioas_id, self->devfd, self->bar,
				self->buf, BUF_SIZE, GPA_BASE);
}

/* ---- nesting: the VMM's view ---- */

static void guest_build_s1(struct _test_data_smmuv3 *self)
{
	__u64 *cd = guest_page(self, PG_CD);
	__u64 *l0 = guest_page(self, PG_L0), *l1 = guest_page(self, PG_L0 + 1);
	__u64 *l2 = guest_page(self, PG_L0 + 2), *l3 = guest_page(self, PG_L0 + 3);
	unsigned int pg;

	/* GVA_BASE: L0 index 0, L1 index 1, L2 index 0, L3 index = page */
	l0[0] = gpa(PG_L0 + 1) | PTE_TABLE;
	l1[(GVA_BASE >> 30) & 511] = gpa(PG_L0 + 2) | PTE_TABLE;
	l2[(GVA_BASE >> 21) & 511] = gpa(PG_L0 + 3) | PTE_TABLE;
	for (pg = PG_DESC; pg <= PG_ALT; pg++)
		l3[pg] = gpa(pg) | PTE_PAGE;

	/* One CD: 48-bit TTB0 walk with 4K pages, ASID 1 */
	memset(cd, 0, 64);
	cd[0] = CD0_T0SZ(16) | CD0_IRGN0(1) | CD0_ORGN0(1) | CD0_SH0(3) | CD0_EPD1 | CD0_V |
		CD0_IPS(5) | CD0_AA64 | CD0_R | CD0_A | CD0_ASET | CD0_ASID(GUEST_ASID);
	cd[1] = gpa(PG_L0);
	cd[3] = 0x0004ff44;	/* MAIR: NC, WB, Device */
}

/* Parent S2 over guest memory, vIOMMU, vDEVICE GUEST_VSID, vEVENTQ */
static void vmm_setup(struct __test_metadata *_metadata, struct _test_data_smmuv3 *self)
{
	struct iommu_vdevice_alloc vdev = {
		.size = sizeof(vdev),
		.dev_id = self->dev_id,
		.virt_id = GUEST_VSID,
	};
	struct iommu_veventq_alloc veq = {
		.size = sizeof(veq),
		.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
		.veventq_depth = 8,
	};

	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	ASSERT_EQ(0, viommu_alloc(self->iommufd, self->dev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &self->viommu_id));
	vdev.viommu_id = self->viommu_id;
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_VDEVICE_ALLOC, &vdev));
	self->vdev_id = vdev.out_vdevice_id;
	veq.viommu_id = self->viommu_id;
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_VEVENTQ_ALLOC, &veq));
	self->veventq_id = veq.out_veventq_id;
	self->veventq_fd = veq.out_veventq_fd;
}

static int vste_alloc(struct _test_data_smmuv3 *self, __u64 ste0, __u64 ste1, __u32 *out)
{
	struct iommu_hwpt_arm_smmuv3 vste = { .ste = { ste0, ste1 } };

	return hwpt_alloc_data(self->iommufd, self->dev_id, self->viommu_id, 0,
			       IOMMU_HWPT_DATA_ARM_SMMUV3, &vste, sizeof(vste), out);
}

TEST_F(smmuv3, nested_dma_invalidate_event)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *l3 = guest_page(self, PG_L0 + 3);
	struct iommu_viommu_arm_smmuv3_invalidate inv = {};
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_vevent_arm_smmuv3 vevt;
	} rec;
	struct pollfd pfd;
	__u32 done;

	vmm_setup(_metadata, self);
	guest_build_s1(self);
	ASSERT_EQ(0, vste_alloc(self, STE0_V | STE0_CFG(STE0_CFG_S1) | STE0_S1CTXPTR(gpa(PG_CD)),
				0, &self->nested_id));
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));

	/* Through both stages: guest VA -> GPA -> host page */
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	memset(alt, 'z', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, GVA_BASE, GVA_BASE + PG_SRC * 4096,
					  GVA_BASE + PG_DST * 4096, 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	/* The guest moves its destination page; the SMMU's TLB still has the old one */
	l3[PG_DST] = gpa(PG_ALT) | PTE_PAGE;
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, GVA_BASE, GVA_BASE + PG_SRC * 4096,
					  GVA_BASE + PG_DST * 4096, 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	ASSERT_EQ('z', alt[0]);

	/* The guest's TLBI_NH_VA, through the vIOMMU: now the new page */
	inv.cmd[0] = CMD_TLBI_NH_VA | CMD_ASID(GUEST_ASID);
	inv.cmd[1] = GVA_BASE + PG_DST * 4096;
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->viommu_id,
				     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, &inv, sizeof(inv), 1,
				     &done));
	ASSERT_EQ(1, done);
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, GVA_BASE, GVA_BASE + PG_SRC * 4096,
					  GVA_BASE + PG_DST * 4096, 4096));
	ASSERT_EQ(0, memcmp(src, alt, 4096));
	ASSERT_EQ('y', dst[0]);

	/* A guest VA its stage 1 does not map: a guest fault, on the vEVENTQ, with the vSID */
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, GVA_BASE, GVA_BASE + 100 * 4096,
					    GVA_BASE + PG_DST * 4096, 4096));
	ASSERT_TRUE(ioat_readl(self->bar, IOAT_CHANERR) & CHANERR_READ_DATA_ERR);
	pfd.fd = self->veventq_fd;
	pfd.events = POLLIN;
	/* The SMMU's event thread forwards it: wait for it, however long that takes */
	ASSERT_EQ(1, poll(&pfd, 1, -1));
	ASSERT_EQ(sizeof(rec), read(self->veventq_fd, &rec, sizeof(rec)));
	ASSERT_EQ(0, rec.hdr.flags);
	ASSERT_EQ(EVT_ID_TRANSLATION_FAULT, rec.vevt.evt[0] & 0xff);
	ASSERT_EQ(GUEST_VSID, rec.vevt.evt[0] >> 32);
	ASSERT_EQ(GVA_BASE + 100 * 4096, rec.vevt.evt[2]);
}

TEST_F(smmuv3, nested_bypass_and_abort_vste)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u32 bypass_id, abort_id, invalid_id;

	vmm_setup(_metadata, self);
	/* Guest bypass: stage 2 alone, so device addresses are GPAs */
	ASSERT_EQ(0, vste_alloc(self, STE0_V | STE0_CFG(STE0_CFG_BYPASS), 0, &bypass_id));
	ASSERT_EQ(0, attach_pt(self->devfd, bypass_id));
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	/* Guest abort, and a guest STE without V: nothing gets through */
	ASSERT_EQ(0, vste_alloc(self, STE0_V | STE0_CFG(STE0_CFG_ABORT), 0, &abort_id));
	ASSERT_EQ(0, attach_pt(self->devfd, abort_id));
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096));
	ASSERT_EQ(0, vste_alloc(self, 0, 0, &invalid_id));
	ASSERT_EQ(0, attach_pt(self->devfd, invalid_id));
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096));
}

/* ---- hostile input ---- */

TEST_F(smmuv3, viommu_alloc_hostile)
{
	struct iommu_hwpt_arm_smmuv3 bypass_vste = {
		.ste = { STE0_V | STE0_CFG(STE0_CFG_BYPASS) } };
	__u32 paging_id, viommu_id;

	/* Not a nest parent */
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id, 0, &paging_id));
	ASSERT_EQ(-1, viommu_alloc(self->iommufd, self->dev_id, paging_id,
				   IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu_id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	/* Types the SMMUv3 does not have */
	ASSERT_EQ(-1, viommu_alloc(self->iommufd, self->dev_id, self->parent_id,
				   IOMMU_VIOMMU_TYPE_DEFAULT, &viommu_id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, viommu_alloc(self->iommufd, self->dev_id, self->parent_id, 0x7777,
				   &viommu_id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	/* Flags the SMMUv3 does not take on a paging domain, or not together */
	ASSERT_EQ(-1, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				     IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				     &paging_id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				     IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID,
				     &paging_id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	/* A vSTE on an IOAS: paging domains take no driver data */
	ASSERT_EQ(-1, hwpt_alloc_data(self->iommufd, self->dev_id, self->ioas_id, 0,
				      IOMMU_HWPT_DATA_ARM_SMMUV3, &bypass_vste, sizeof(bypass_vste),
				      &paging_id));
	ASSERT_EQ(EOPNOTSUPP, errno);
}

TEST_F(smmuv3, vste_hostile)
{
	struct iommu_hwpt_arm_smmuv3 vste = {};
	const __u64 s1 = STE0_V | STE0_CFG(STE0_CFG_S1) | STE0_S1CTXPTR(gpa(PG_CD));
	__u32 id;
	int bit;

	vmm_setup(_metadata, self);

	/* Every word-0 bit outside V, Config, S1Fmt, S1ContextPtr, S1CDMax: EIO */
	for (bit = 0; bit < 64; bit++) {
		__u64 b = 1ULL << bit;

		if (b & (STE0_V | (7ULL << 1) | (3ULL << 4) | 0x000fffffffffffc0ULL |
			 (0x1fULL << 59)))
			continue;
		ASSERT_EQ(-1, vste_alloc(self, s1 | b, 0, &id));
		ASSERT_EQ(EIO, errno);
	}
	/* Word 1: only S1DSS, S1CIR, S1COR, S1CSH, S1STALLD, EATS */
	for (bit = 0; bit < 64; bit++) {
		__u64 b = 1ULL << bit;

		if (b & ((3ULL << 0) | (3ULL << 2) | (3ULL << 4) | (3ULL << 6) | STE1_S1STALLD |
			 (3ULL << 28)))
			continue;
		ASSERT_EQ(-1, vste_alloc(self, s1, b, &id));
		ASSERT_EQ(EIO, errno);
	}
	/* Words 2 and 3 are the host's: a guest cannot even name them (the struct has two) */
	/* Configurations other than abort, bypass, stage 1: EIO */
	ASSERT_EQ(-1, vste_alloc(self, STE0_V | STE0_CFG(STE0_CFG_NESTED), 0, &id));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(-1, vste_alloc(self, STE0_V | STE0_CFG(6), 0, &id));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(-1, vste_alloc(self, STE0_V | STE0_CFG(1), 0, &id));
	ASSERT_EQ(EIO, errno);
	/* EATS: full ATS or none; S1CHK and the reserved encoding are EIO */
	ASSERT_EQ(-1, vste_alloc(self, s1, STE1_EATS(2), &id));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(-1, vste_alloc(self, s1, STE1_EATS(3), &id));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(0, vste_alloc(self, s1, STE1_EATS(1), &id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, id));
	/* A guest STE without V carries nothing else: any junk is accepted and dropped */
	ASSERT_EQ(0, vste_alloc(self, ~STE0_V, ~0ULL, &id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, id));

	/* The data itself: wrong type, short, long, unreadable */
	vste.ste[0] = s1;
	ASSERT_EQ(-1, hwpt_alloc_data(self->iommufd, self->dev_id, self->viommu_id, 0,
				      IOMMU_HWPT_DATA_VTD_S1, &vste, sizeof(vste), &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hwpt_alloc_data(self->iommufd, self->dev_id, self->viommu_id, 0,
				      IOMMU_HWPT_DATA_ARM_SMMUV3, &vste, sizeof(vste) - 8, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hwpt_alloc_data(self->iommufd, self->dev_id, self->viommu_id, 0,
				      IOMMU_HWPT_DATA_ARM_SMMUV3, &vste, sizeof(vste) + 8, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hwpt_alloc_data(self->iommufd, self->dev_id, self->viommu_id, 0,
				      IOMMU_HWPT_DATA_ARM_SMMUV3, (void *)8, sizeof(vste), &id));
	ASSERT_EQ(EFAULT, errno);
	/* Flags a nested SMMUv3 domain does not take */
	ASSERT_EQ(-1, hwpt_alloc_data(self->iommufd, self->dev_id, self->viommu_id,
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING, IOMMU_HWPT_DATA_ARM_SMMUV3,
				      &vste, sizeof(vste), &id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, hwpt_alloc_data(self->iommufd, self->dev_id, self->viommu_id, 1U << 31,
				      IOMMU_HWPT_DATA_ARM_SMMUV3, &vste, sizeof(vste), &id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	/* No data at all for a nested domain */
	ASSERT_EQ(-1, hwpt_alloc_data(self->iommufd, self->dev_id, self->viommu_id, 0,
				      IOMMU_HWPT_DATA_ARM_SMMUV3, &vste, 0, &id));
	ASSERT_EQ(EINVAL, errno);
	/* The stage-1 fields a guest owns are its to set (2-level CD table, CDMax, cacheability) */
	ASSERT_EQ(0, vste_alloc(self, s1 | (1ULL << 4) | (10ULL << 59),
				(1ULL << 0) | (1ULL << 2) | (1ULL << 4) | (3ULL << 6) | STE1_S1STALLD,
				&id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, id));
}

TEST_F(smmuv3, invalidate_hostile)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmds[4] = {};
	__u32 done;

	vmm_setup(_metadata, self);

	/* The allow-list: everything else fails at its index */
	cmds[0].cmd[0] = CMD_TLBI_NH_ASID | CMD_ASID(GUEST_ASID);
	cmds[1].cmd[0] = CMD_TLBI_NSNH_ALL;
	cmds[2].cmd[0] = CMD_CFGI_STE | CMD_SID(GUEST_VSID);	/* the host's */
	cmds[3].cmd[0] = CMD_TLBI_NH_ALL;
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				      sizeof(cmds[0]), 4, &done));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(2, done);
	cmds[2].cmd[0] = CMD_CMD_SYNC;
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				      sizeof(cmds[0]), 4, &done));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(2, done);

	/* A StreamID that is no vDEVICE of this vIOMMU (the physical one included) */
	cmds[2].cmd[0] = CMD_CFGI_CD | CMD_SID(GUEST_VSID + 1);
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				      sizeof(cmds[0]), 4, &done));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(2, done);
	cmds[2].cmd[0] = CMD_ATC_INV | CMD_SID(0x18);
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				      sizeof(cmds[0]), 4, &done));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(2, done);

	/* The guest's vSID, and a VMID the guest made up (rewritten): all four go through */
	cmds[2].cmd[0] = CMD_CFGI_CD | CMD_SID(GUEST_VSID);
	cmds[3].cmd[0] = CMD_TLBI_NH_ALL | (0xbeefULL << 32);
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->viommu_id,
				     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, sizeof(cmds[0]),
				     4, &done));
	ASSERT_EQ(4, done);

	/* The array itself: wrong type, short entries, unreadable, none */
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, cmds, sizeof(cmds[0]), 4,
				      &done));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, done);
	/* Short entries are zero-extended: the second is word 1 of the first, a zero command */
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 8, 4, &done));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(1, done);
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, (void *)8,
				      sizeof(cmds[0]), 4, &done));
	ASSERT_EQ(EFAULT, errno);
	/* An empty array is refused by the copy helper, as upstream's is */
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				      sizeof(cmds[0]), 0, &done));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, done);
	/* Not through the paging parent: it has no user invalidation */
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->parent_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				      sizeof(cmds[0]), 1, &done));
}

TEST_F(smmuv3, nested_attach_needs_vdevice)
{
	struct iommu_vdevice_alloc vdev = { .size = sizeof(vdev) };
	__u32 bypass_id, abort_id, s1_id;

	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	ASSERT_EQ(0, viommu_alloc(self->iommufd, self->dev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &self->viommu_id));
	/* A guest SMMU still off (its GBPA): bypass and abort need no vSID */
	ASSERT_EQ(0, vste_alloc(self, STE0_V | STE0_CFG(STE0_CFG_BYPASS), 0, &bypass_id));
	ASSERT_EQ(0, attach_pt(self->devfd, bypass_id));
	ASSERT_EQ(0, vste_alloc(self, 0, 0, &abort_id));
	ASSERT_EQ(0, attach_pt(self->devfd, abort_id));
	/* A translating vSTE: events and CD invalidations could not name the device */
	ASSERT_EQ(0, vste_alloc(self, STE0_V | STE0_CFG(STE0_CFG_S1) | STE0_S1CTXPTR(gpa(PG_CD)),
				0, &s1_id));
	ASSERT_EQ(-1, attach_pt(self->devfd, s1_id));
	ASSERT_EQ(ENOENT, errno);
	vdev.viommu_id = self->viommu_id;
	vdev.dev_id = self->dev_id;
	vdev.virt_id = GUEST_VSID;
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_VDEVICE_ALLOC, &vdev));
	ASSERT_EQ(0, attach_pt(self->devfd, s1_id));
}

TEST_F(smmuv3, invalidate_hostile_entries)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmds[2] = {};
	__u64 wide[2][3] = {};
	__u32 done, other_viommu;

	vmm_setup(_metadata, self);

	/* Entries longer than the kernel's: zero tails are fine, anything else E2BIG */
	wide[0][0] = CMD_TLBI_NH_ASID | CMD_ASID(GUEST_ASID);
	wide[1][0] = CMD_CFGI_CD | CMD_SID(GUEST_VSID);
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->viommu_id,
				     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, wide, sizeof(wide[0]),
				     2, &done));
	ASSERT_EQ(2, done);
	wide[1][2] = 1;
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->viommu_id,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, wide,
				      sizeof(wide[0]), 2, &done));
	ASSERT_EQ(E2BIG, errno);

	/* A vSID belongs to its vIOMMU: another vIOMMU of the same VM does not know it */
	ASSERT_EQ(0, viommu_alloc(self->iommufd, self->dev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &other_viommu));
	cmds[0].cmd[0] = CMD_CFGI_CD | CMD_SID(GUEST_VSID);
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, other_viommu,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				      sizeof(cmds[0]), 1, &done));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(0, done);
	cmds[0].cmd[0] = CMD_ATC_INV | CMD_SID(GUEST_VSID);
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, other_viommu,
				      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				      sizeof(cmds[0]), 1, &done));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(0, done);

	/*
	 * An allowed opcode with reserved bits set passes the allow-list as
	 * upstream's does; the SMMU refuses it (CERROR_ILL), the host skips it
	 * and its queue carries on: the call succeeds and so do the next ones.
	 */
	cmds[0].cmd[0] = CMD_TLBI_NH_VA | CMD_ASID(GUEST_ASID) | (1ULL << 8);
	cmds[0].cmd[1] = GVA_BASE | (0x7fULL << 1);
	cmds[1].cmd[0] = CMD_TLBI_NH_ASID | CMD_ASID(GUEST_ASID);
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->viommu_id,
				     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, sizeof(cmds[0]),
				     2, &done));
	ASSERT_EQ(2, done);
	cmds[0].cmd[0] = CMD_TLBI_NH_ALL;
	cmds[0].cmd[1] = 0;
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->viommu_id,
				     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, sizeof(cmds[0]),
				     2, &done));
	ASSERT_EQ(2, done);
}

TEST_F(smmuv3, vdevice_veventq_hostile)
{
	struct iommu_vdevice_alloc vdev = { .size = sizeof(vdev) };
	struct iommu_veventq_alloc veq = { .size = sizeof(veq) };
	struct iommu_viommu_alloc viommu = { .size = sizeof(viommu) };

	vmm_setup(_metadata, self);

	/* One vDEVICE per device, on a vIOMMU that exists */
	vdev.viommu_id = self->viommu_id;
	vdev.dev_id = self->dev_id;
	vdev.virt_id = GUEST_VSID + 1;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VDEVICE_ALLOC, &vdev));
	ASSERT_EQ(EEXIST, errno);
	vdev.viommu_id = self->parent_id;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VDEVICE_ALLOC, &vdev));
	ASSERT_EQ(ENOENT, errno);
	vdev.viommu_id = self->viommu_id;
	vdev.dev_id = self->ioas_id;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VDEVICE_ALLOC, &vdev));
	ASSERT_EQ(ENOENT, errno);

	/* vEVENTQs: one per type and vIOMMU, a depth, no flags, a real type */
	veq.viommu_id = self->viommu_id;
	veq.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	veq.veventq_depth = 8;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VEVENTQ_ALLOC, &veq));
	ASSERT_EQ(EEXIST, errno);
	veq.veventq_depth = 0;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VEVENTQ_ALLOC, &veq));
	ASSERT_EQ(EINVAL, errno);
	veq.veventq_depth = 8;
	veq.flags = 1;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VEVENTQ_ALLOC, &veq));
	ASSERT_EQ(EOPNOTSUPP, errno);
	veq.flags = 0;
	veq.type = IOMMU_VEVENTQ_TYPE_DEFAULT;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VEVENTQ_ALLOC, &veq));
	ASSERT_EQ(EOPNOTSUPP, errno);
	veq.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	veq.viommu_id = self->parent_id;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VEVENTQ_ALLOC, &veq));
	ASSERT_EQ(ENOENT, errno);

	/* vIOMMU flags, and a device that is not one */
	viommu.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
	viommu.dev_id = self->dev_id;
	viommu.hwpt_id = self->parent_id;
	viommu.flags = 1;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	ASSERT_EQ(EOPNOTSUPP, errno);
	viommu.flags = 0;
	viommu.dev_id = self->ioas_id;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	ASSERT_EQ(ENOENT, errno);
	/* The parent must be a HWPT, not its IOAS */
	viommu.dev_id = self->dev_id;
	viommu.hwpt_id = self->ioas_id;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	ASSERT_EQ(ENOENT, errno);
}

/* ---- stalls: the smmuv3-stall platform ---- */

/* What answers a stalled DMA's fault, in a thread of its own: the DMA's waits. */
struct stall_responder {
	int fault_fd, iommufd;
	__u32 ioas_id;
	void *page;		/* mapped at @gpa before a SUCCESS response */
	__u64 gpa;
	__u32 code;
	int detach_devfd;	/* >= 0: no answer, the device is detached instead */
	struct iommu_hwpt_pgfault rec;
	int rc;
};

static void *stall_respond(void *arg)
{
	struct stall_responder *r = arg;
	struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };

	r->rc = fault_read(r->fault_fd, &r->rec);
	if (!r->rc && r->detach_devfd >= 0) {
		r->rc = ioctl(r->detach_devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
		return NULL;
	}
	if (!r->rc && r->code == IOMMUFD_PAGE_RESP_SUCCESS)
		r->rc = ufd_map_fixed(r->iommufd, r->ioas_id, r->page, 4096, r->gpa);
	if (!r->rc)
		r->rc = fault_respond(r->fault_fd, r->rec.cookie, r->code);
	return NULL;
}

/* One copy to PG_DST, which nothing maps, while @r answers its stall. */
static __u64 stalled_copy(struct _test_data_smmuv3 *self, struct stall_responder *r)
{
	pthread_t th;
	__u64 sts;

	r->rc = -1;
	if (pthread_create(&th, NULL, stall_respond, r))
		return 0;
	sts = ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096);
	pthread_join(th, NULL);
	return sts;
}

/*
 * A stall-capable device on a stage-1 domain with a fault queue: its write
 * to an unmapped page stalls the copy until the fault is answered; the
 * VMM maps the page and answers SUCCESS, the SMMU retries (RESUME) and the
 * copy completes; answered INVALID, the SMMU aborts it and the copy halts;
 * left unanswered, the device's detach answers it and the copy halts too.
 */
TEST_F(smmuv3, stall_fault_queue)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	struct iommu_hw_info_arm_smmuv3 info = {};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = self->dev_id,
		.pt_id = self->ioas_id,
	};
	struct stall_responder r = {
		.iommufd = self->iommufd,
		.ioas_id = self->ioas_id,
		.page = dst,
		.gpa = gpa(PG_DST),
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
		.detach_devfd = -1,
	};
	struct iommu_hw_info hw;

	ASSERT_EQ(0, ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &info, sizeof(info), &hw));
	/* IDR0.STALL_MODEL 0: stall and terminate */
	if ((info.idr[0] >> 24) & 3)
		SKIP(return, "the SMMU does not stall (run on the smmuv3-stall platform)");
	ASSERT_EQ(0, fault_queue_alloc(self->iommufd, &alloc.fault_id, &r.fault_fd));
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_HWPT_ALLOC, &alloc));
	ASSERT_EQ(0, attach_pt(self->devfd, alloc.out_hwpt_id));
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	/* The descriptor and source pages mapped, the destination page not */
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, GPA_BASE, BUF_SIZE, NULL));
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, self->buf, 2 * 4096, GPA_BASE));

	ASSERT_EQ(CHANSTS_DONE, stalled_copy(self, &r));
	ASSERT_EQ(0, r.rc);
	ASSERT_EQ(gpa(PG_DST), r.rec.addr);
	ASSERT_TRUE(r.rec.perm & IOMMU_PGFAULT_PERM_WRITE);
	ASSERT_EQ(self->dev_id, r.rec.dev_id);
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	r.code = IOMMUFD_PAGE_RESP_INVALID;
	memset(dst, 'y', 4096);
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, gpa(PG_DST), 4096, NULL));
	ASSERT_EQ(CHANSTS_HALTED, stalled_copy(self, &r));
	ASSERT_EQ(0, r.rc);
	ASSERT_TRUE(ioat_readl(self->bar, IOAT_CHANERR) & CHANERR_WRITE_DATA_ERR);
	ASSERT_EQ('y', dst[0]);

	/* Nobody answers: the detach does (Invalid, so RESUME Abort), and its cookie is gone */
	r.detach_devfd = self->devfd;
	ASSERT_EQ(CHANSTS_HALTED, stalled_copy(self, &r));
	ASSERT_EQ(0, r.rc);
	ASSERT_EQ('y', dst[0]);
	ASSERT_EQ(-1, fault_respond(r.fault_fd, r.rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS));
	close(r.fault_fd);
}

/* ---- Tegra241 CMDQV: a guest's own command queue (the tegra241 platform) ---- */

/* The guest's view of its VINTF page: logical queue @q's registers */
#define LVCMDQ_REG(q, off) (0x80 * (q) + (off))
#define LVCMDQ_CONS 0x00
#define LVCMDQ_PROD 0x04
#define LVCMDQ_CONFIG 0x08
#define LVCMDQ_STATUS 0x0c
#define LVCMDQ_GERROR 0x10
#define LVCMDQ_GERRORN 0x14
#define CONS_ERR(cons) (((cons) >> 24) & 0x7f)
#define CERROR_ILL 1
#define PG_Q 8				/* guest memory page of the guest's queue */
#define VINTF_PAGE 0x10000

static __u32 vintf_readl(volatile __u8 *vintf, unsigned int off)
{
	return *(volatile __u32 *)(vintf + off);
}

static void vintf_writel(volatile __u8 *vintf, unsigned int off, __u32 val)
{
	*(volatile __u32 *)(vintf + off) = val;
}

/*
 * The VMM's side for a CMDQV guest: the parent, a TEGRA241_CMDQV vIOMMU
 * (its VINTF page mapped), the vDEVICE, a CMDQV vEVENTQ. Skips when the
 * SMMU has no CMDQV.
 */
static volatile __u8 *cmdqv_vmm_setup(struct __test_metadata *_metadata,
				      struct _test_data_smmuv3 *self)
{
	struct iommu_hw_info_tegra241_cmdqv info = {};
	struct iommu_viommu_tegra241_cmdqv data = {};
	struct iommu_viommu_alloc viommu = {
		.size = sizeof(viommu),
		.type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
		.dev_id = self->dev_id,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	struct iommu_vdevice_alloc vdev = {
		.size = sizeof(vdev),
		.dev_id = self->dev_id,
		.virt_id = GUEST_VSID,
	};
	struct iommu_veventq_alloc veq = {
		.size = sizeof(veq),
		.type = IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV,
		.veventq_depth = 8,
	};
	struct iommu_hw_info hw;
	void *page;

	if (ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, &info, sizeof(info), &hw))
		return NULL;
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, hw.out_data_type);
	EXPECT_EQ(1, info.version);
	EXPECT_EQ(1, info.log2vcmdqs);	/* two queues per VINTF */
	EXPECT_EQ(3, info.log2vsids);	/* eight StreamID pairs */

	EXPECT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	viommu.hwpt_id = self->parent_id;
	EXPECT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	self->viommu_id = viommu.out_viommu_id;
	EXPECT_EQ(VINTF_PAGE, data.out_vintf_mmap_length);
	page = mmap(NULL, VINTF_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->iommufd,
		    data.out_vintf_mmap_offset);
	EXPECT_NE(MAP_FAILED, page);
	vdev.viommu_id = self->viommu_id;
	EXPECT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_VDEVICE_ALLOC, &vdev));
	self->vdev_id = vdev.out_vdevice_id;
	veq.viommu_id = self->viommu_id;
	EXPECT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_VEVENTQ_ALLOC, &veq));
	self->veventq_id = veq.out_veventq_id;
	self->veventq_fd = veq.out_veventq_fd;
	return page == MAP_FAILED ? NULL : (volatile __u8 *)page;
}

/* A TEGRA241_CMDQV HW queue (logical VCMDQ @index) of the test's vIOMMU */
static int vcmdq_alloc(struct _test_data_smmuv3 *self, __u32 index, __u64 iova, __u64 len,
		       __u32 *out)
{
	return hw_queue_alloc(self->iommufd, self->viommu_id, IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV,
			      index, iova, len, out);
}

/* The guest puts @n commands on its queue 0 from slot @at and moves PROD past them. */
static void guest_queue_cmds(struct _test_data_smmuv3 *self, volatile __u8 *vintf,
			     const __u64 (*cmds)[2], unsigned int n, unsigned int at)
{
	__u64 *q = guest_page(self, PG_Q);

	for (unsigned int i = 0; i < n; i++) {
		q[2 * (at + i)] = cmds[i][0];
		q[2 * (at + i) + 1] = cmds[i][1];
	}
	vintf_writel(vintf, LVCMDQ_REG(0, LVCMDQ_PROD), at + n);
}

TEST_F(smmuv3, cmdqv_guest_queue_invalidates)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *l3 = guest_page(self, PG_L0 + 3);
	const __u64 tlbi[2][2] = {
		{ CMD_TLBI_NH_VA | CMD_ASID(GUEST_ASID), GVA_BASE + PG_DST * 4096 },
		{ CMD_CMD_SYNC, 0 },
	};
	volatile __u8 *vintf;
	__u32 queue_id;

	vintf = cmdqv_vmm_setup(_metadata, self);
	if (!vintf)
		SKIP(return, "the SMMU has no Tegra241 CMDQV (run on the tegra241 platform)");
	guest_build_s1(self);
	ASSERT_EQ(0, vste_alloc(self, STE0_V | STE0_CFG(STE0_CFG_S1) | STE0_S1CTXPTR(gpa(PG_CD)),
				0, &self->nested_id));
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	memset(alt, 'z', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, GVA_BASE, GVA_BASE + PG_SRC * 4096,
					  GVA_BASE + PG_DST * 4096, 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	/* The guest's queue: one page of guest memory, 256 commands */
	ASSERT_EQ(0, vcmdq_alloc(self, 0, gpa(PG_Q), 4096, &queue_id));
	/* Configured by the host, enabled by the guest through its page */
	ASSERT_EQ(0, vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_STATUS)));
	vintf_writel(vintf, LVCMDQ_REG(0, LVCMDQ_CONFIG), 1);
	ASSERT_EQ(1, vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_STATUS)));

	/* The guest moves its destination page: stale until its own TLBI */
	l3[PG_DST] = gpa(PG_ALT) | PTE_PAGE;
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, GVA_BASE, GVA_BASE + PG_SRC * 4096,
					  GVA_BASE + PG_DST * 4096, 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	ASSERT_EQ('z', alt[0]);

	/* TLBI_NH_VA + CMD_SYNC on the guest's queue: no ioctl, the hardware runs them */
	guest_queue_cmds(self, vintf, tlbi, 2, 0);
	ASSERT_EQ(2, vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_CONS)));
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, GVA_BASE, GVA_BASE + PG_SRC * 4096,
					  GVA_BASE + PG_DST * 4096, 4096));
	ASSERT_EQ(0, memcmp(src, alt, 4096));
	ASSERT_EQ('y', dst[0]);

	/* Torn down in order: the queue, then the vIOMMU's page with it */
	ASSERT_EQ(0, ufd_destroy(self->iommufd, queue_id));
	ASSERT_EQ(0, vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_STATUS)));
	munmap((void *)vintf, VINTF_PAGE);
}

TEST_F(smmuv3, cmdqv_guest_queue_errors)
{
	const __u64 cfgi[1][2] = { { CMD_CFGI_STE | CMD_SID(GUEST_VSID), 0 } };
	const __u64 sync[1][2] = { { CMD_CMD_SYNC, 0 } };
	const __u64 atc_foreign[1][2] = { { CMD_ATC_INV | CMD_SID(0x99), 0 } };
	const __u64 atc_own[1][2] = { { CMD_ATC_INV | CMD_SID(GUEST_VSID), 0 } };
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_vevent_tegra241_cmdqv vevt;
	} rec;
	__u64 *q = guest_page(self, PG_Q);
	struct pollfd pfd = { .events = POLLIN };
	volatile __u8 *vintf;
	__u32 queue_id, queue1_id, gerror;

	vintf = cmdqv_vmm_setup(_metadata, self);
	if (!vintf)
		SKIP(return, "the SMMU has no Tegra241 CMDQV (run on the tegra241 platform)");

	/* What the VMM asks for is checked: order, index, size, alignment, type */
	ASSERT_EQ(-1, vcmdq_alloc(self, 1, gpa(PG_Q), 4096, NULL));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(-1, vcmdq_alloc(self, 2, gpa(PG_Q), 4096, NULL));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, vcmdq_alloc(self, 0, gpa(PG_Q), 48, NULL));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, vcmdq_alloc(self, 0, gpa(PG_Q), 16, NULL));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, vcmdq_alloc(self, 0, gpa(PG_Q) + 2048, 4096, NULL));
	ASSERT_EQ(EINVAL, errno);
	/* Guest memory the IOAS does not map */
	ASSERT_EQ(-1, vcmdq_alloc(self, 0, 1UL << 40, 4096, NULL));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, vcmdq_alloc(self, 0, gpa(PG_Q), 4096, &queue_id));
	ASSERT_EQ(-1, vcmdq_alloc(self, 0, gpa(PG_Q), 4096, NULL));
	ASSERT_EQ(EEXIST, errno);
	/* The second queue after the first; the first cannot go before it */
	ASSERT_EQ(0, vcmdq_alloc(self, 1, gpa(PG_Q + 1), 4096, &queue1_id));
	ASSERT_EQ(-1, ufd_destroy(self->iommufd, queue_id));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, queue1_id));

	/* A command a VM's queue may not run: the queue stops on it */
	vintf_writel(vintf, LVCMDQ_REG(0, LVCMDQ_CONFIG), 1);
	guest_queue_cmds(self, vintf, cfgi, 1, 0);
	ASSERT_EQ(CERROR_ILL, CONS_ERR(vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_CONS))));
	ASSERT_EQ(0, vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_CONS)) & 0xff);
	gerror = vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_GERROR));
	ASSERT_NE(gerror, vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_GERRORN)));
	/* ... and the VMM hears of it on the vEVENTQ: logical queue 0 of this VINTF */
	pfd.fd = self->veventq_fd;
	ASSERT_EQ(1, poll(&pfd, 1, -1));
	ASSERT_EQ(sizeof(rec), read(self->veventq_fd, &rec, sizeof(rec)));
	ASSERT_EQ(1, rec.vevt.lvcmdq_err_map[0]);
	ASSERT_EQ(0, rec.vevt.lvcmdq_err_map[1]);

	/* The guest skips it (a CMD_SYNC in its place) and acknowledges: the queue runs on */
	q[0] = sync[0][0];
	q[1] = sync[0][1];
	vintf_writel(vintf, LVCMDQ_REG(0, LVCMDQ_GERRORN), gerror);
	ASSERT_EQ(1, vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_CONS)));

	/* ATC_INV of a StreamID that is not one of this VM's: stopped too */
	guest_queue_cmds(self, vintf, atc_foreign, 1, 1);
	ASSERT_EQ(CERROR_ILL, CONS_ERR(vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_CONS))));
	gerror = vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_GERROR));
	ASSERT_EQ(1, poll(&pfd, 1, -1));
	ASSERT_EQ(sizeof(rec), read(self->veventq_fd, &rec, sizeof(rec)));
	ASSERT_EQ(1, rec.vevt.lvcmdq_err_map[0]);
	q[2] = atc_own[0][0];
	q[3] = atc_own[0][1];
	vintf_writel(vintf, LVCMDQ_REG(0, LVCMDQ_GERRORN), gerror);
	/* Its own vSID goes through (on the physical StreamID) */
	ASSERT_EQ(2, vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_CONS)));
	ASSERT_EQ(0, CONS_ERR(vintf_readl(vintf, LVCMDQ_REG(0, LVCMDQ_CONS))));

	ASSERT_EQ(0, ufd_destroy(self->iommufd, queue_id));
	munmap((void *)vintf, VINTF_PAGE);
}

TEST_F(smmuv3, cmdqv_viommu_hostile)
{
	struct iommu_viommu_tegra241_cmdqv data = {};
	struct iommu_viommu_alloc viommu = {
		.size = sizeof(viommu),
		.type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
		.dev_id = self->dev_id,
	};
	struct iommu_hw_info_tegra241_cmdqv info = {};
	struct iommu_hw_info hw;
	__u32 ids[4], n;

	if (ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, &info, sizeof(info), &hw))
		SKIP(return, "the SMMU has no Tegra241 CMDQV (run on the tegra241 platform)");
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	viommu.hwpt_id = self->parent_id;
	/* The VINTF's page has to go somewhere: no data, no vIOMMU */
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	ASSERT_EQ(EINVAL, errno);
	viommu.data_uptr = (uintptr_t)&data;
	viommu.data_len = sizeof(data) - 1;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	ASSERT_EQ(EINVAL, errno);
	viommu.data_len = sizeof(data);
	viommu.data_uptr = 8;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	ASSERT_EQ(EFAULT, errno);
	/* Four VINTFs, one the host's: three VMs, then no more */
	viommu.data_uptr = (uintptr_t)&data;
	for (n = 0; n < 3; n++) {
		ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
		ids[n] = viommu.out_viommu_id;
	}
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	ASSERT_EQ(ENOSPC, errno);
	/* A freed VINTF is there for the next VM */
	ASSERT_EQ(0, ufd_destroy(self->iommufd, ids[1]));
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_VIOMMU_ALLOC, &viommu));
	ids[3] = viommu.out_viommu_id;
	ASSERT_EQ(0, ufd_destroy(self->iommufd, ids[0]));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, ids[2]));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, ids[3]));
}

TEST_HARNESS_MAIN
