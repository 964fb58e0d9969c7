// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-d as a VMM meets it: an I/OAT DMA engine behind the VT-d unit,
 * reached through VFIO and iommufd, its copies translated by the VT-d
 * model; dirty tracking of a second-stage domain; then nesting: a
 * nest-parent second stage over the "guest memory", a guest first-stage
 * (x86-64 4-level) table written in guest memory, the nested HWPT
 * (iommu_hwpt_vtd_s1) attached, DMA through both stages, a guest PTE
 * change that takes effect only after IOMMU_HWPT_INVALIDATE; and the
 * nesting uAPI given hostile values, each with upstream's errno; and the
 * intel-iommu debugfs dump of the device's page table (1G/2M/4K leaves).
 *
 * It needs the vtd platform (`uiommufd run --platform vtd -- ./vtd_dma`),
 * with the I/OAT function at 0000:00:03.0; elsewhere (no function there,
 * or one not behind a VT-d unit) every test is skipped. On a unit without
 * scalable mode (vtd-legacy: ECAP.SMTS clear in IOMMU_GET_HW_INFO) the
 * one-stage tests run on legacy context entries, the nesting tests skip
 * (no ECAP.NEST) and legacy_mode_refusals checks what is refused there.
 * Written against Linux's uAPI only; built as a plain program (the
 * interposer build).
 */
#include "uiommufd_utils.h"
#include "vfio_dev.h"
#include "ioat_vmm.h"
#include "viommu_uapi.h"

#include <dirent.h>
#include <sys/stat.h>
#include <linux/vfio.h>

/* VT-d: the CAP/ECAP bits checked, and x86-64 first-stage entries (US: untagged DMA is user) */
#define VTD_ECAP_PASID (1ULL << 40)
#define VTD_ECAP_NEST (1ULL << 26)
#define VTD_ECAP_SMTS (1ULL << 43)
#define VTD_ECAP_SLADS (1ULL << 45)
#define VTD_ECAP_FLTS (1ULL << 47)
#define FL_PTE (0x1ULL /* P */ | 0x2ULL /* RW */ | 0x4ULL /* US */)
#define EDU_BDF "0000:00:05.0"

#define BUF_SIZE (2UL << 20)
#define GPA_BASE (1UL << 32)		/* where guest memory sits in the IOAS */
#define GVA_BASE 0x40000000UL		/* the guest's first-stage address of page 0 */
#define PG_DESC 0
#define PG_SRC 1
#define PG_DST 2
#define PG_ALT 3
#define PG_L0 17			/* PML4, then PDPT, PD, PT */

static int s1_alloc(int fd, __u32 dev_id, __u32 parent, const struct iommu_hwpt_vtd_s1 *s1,
		    __u32 type, __u32 len, __u32 *out)
{
	return hwpt_alloc_data(fd, dev_id, parent, 0, type, s1, len, out);
}

FIXTURE(vtd)
{
	int iommufd;
	int devfd;
	__u32 dev_id;
	__u32 ioas_id;
	volatile __u8 *bar;
	__u8 *buf;			/* guest memory, at GPA_BASE in the IOAS */
	struct iommu_hw_info_vtd info;
	__u32 parent_id, nested_id;
};

static __u64 *guest_page(struct _test_data_vtd *self, unsigned int pg)
{
	return (__u64 *)(self->buf + (size_t)pg * 4096);
}

static __u64 gpa(unsigned int pg)
{
	return GPA_BASE + (__u64)pg * 4096;
}

static __u64 gva(unsigned int pg)
{
	return GVA_BASE + (__u64)pg * 4096;
}

FIXTURE_SETUP(vtd)
{
	IOAT_VMM_SETUP(IOMMU_HW_INFO_TYPE_INTEL_VTD, &self->info, sizeof(self->info),
		       "a VT-d unit");
}

FIXTURE_TEARDOWN(vtd)
{
	IOAT_VMM_TEARDOWN();
}

/* One descriptor in guest page PG_DESC at @desc_addr (a device address); the final status. */
static __u64 ioat_copy(struct _test_data_vtd *self, __u64 desc_addr, __u64 src, __u64 dst,
		       __u32 size)
{
	return ioat_run(self->bar, (struct ioat_desc *)guest_page(self, PG_DESC), desc_addr, src,
			dst, size);
}

/* ---- one stage: the IOAS straight on the device ---- */

TEST_F(vtd, hw_info_raw_cap_ecap)
{
	struct iommu_hw_info_vtd info = {};
	struct iommu_hw_info_arm_smmuv3 arm = {};
	struct iommu_hw_info hw;

	ASSERT_EQ(0, ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_INTEL_VTD, &info, sizeof(info), &hw));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, hw.out_data_type);
	ASSERT_EQ(sizeof(info), hw.data_len);
	ASSERT_EQ(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, info.flags);
	ASSERT_EQ(0, info.__reserved);
	if (info.ecap_reg & VTD_ECAP_SMTS) {
		ASSERT_TRUE(info.ecap_reg & VTD_ECAP_NEST);
		ASSERT_TRUE(info.ecap_reg & VTD_ECAP_FLTS);
	} else {
		/* Legacy mode: what lives in scalable mode is not reported */
		ASSERT_FALSE(info.ecap_reg & VTD_ECAP_NEST);
		ASSERT_FALSE(info.ecap_reg & VTD_ECAP_FLTS);
		ASSERT_FALSE(info.ecap_reg & VTD_ECAP_PASID);
		ASSERT_FALSE(info.ecap_reg & VTD_ECAP_SLADS);
		ASSERT_EQ(0, hw.out_max_pasid_log2);
	}
	ASSERT_NE(0, (info.cap_reg >> 8) & 0x1f);	/* SAGAW */
	/* Another driver's format is refused */
	ASSERT_EQ(-1, ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				  IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &arm, sizeof(arm), &hw));
	ASSERT_EQ(EOPNOTSUPP, errno);
}

TEST_F(vtd, ioat_copy_and_fault)
{
	ioat_vmm_copy_and_fault(_metadata, self->iommufd, self->ioas_id, self->devfd, self->bar,
				self->buf, BUF_SIZE, GPA_BASE);
}

/* Second stage with SSADE: what the engine wrote is dirty, read once */
TEST_F(vtd, dirty_tracking)
{
	struct iommu_hwpt_set_dirty_tracking set = { .size = sizeof(set) };
	__u64 bitmap[BUF_SIZE / 4096 / 64] = {};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.iova = GPA_BASE,
		.length = BUF_SIZE,
		.page_size = 4096,
		.data = (uintptr_t)bitmap,
	};
	__u32 hwpt_id;

	if (!(self->info.ecap_reg & VTD_ECAP_SLADS))
		SKIP(return, "no second-stage A/D");
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt_id));
	ASSERT_EQ(0, attach_pt(self->devfd, hwpt_id));

	/* Not tracking yet: asking for the bitmap is refused */
	get.hwpt_id = hwpt_id;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get));
	ASSERT_EQ(EINVAL, errno);

	set.hwpt_id = hwpt_id;
	set.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set));
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096));
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get));
	/* The copy's destination is dirty (with the whole leaf it sits in) */
	ASSERT_TRUE(bitmap[0] & (1ULL << PG_DST));
	/* Read and cleared */
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get));
	ASSERT_FALSE(bitmap[0] & (1ULL << PG_DST));

	set.flags = 0;
	ASSERT_EQ(0, ufd_ioctl(self->iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set));
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, hwpt_id));
}

/* ---- the intel-iommu debugfs view of the device's page table ---- */

#define DEBUGFS_DEV "/sys/kernel/debug/iommu/intel/" IOAT_BDF
#define SZ_2M_ (2UL << 20)
#define SZ_1G_ (1UL << 30)

struct dts_line {
	__u64 pml5e, pml4e, pdpe, pde, pte;
};

/*
 * The line of domain_translation_struct whose IOVA_PFN is @iova's: 1 when
 * found (*@out filled), 0 when not; checks the two header lines on the way
 * (@scalable: the RID's PASID 0 is named, a legacy context entry has none).
 */
static int dts_lookup(struct __test_metadata *_metadata, int scalable, __u64 iova,
		      struct dts_line *out)
{
	char line[512], want[64];
	int found = 0, n = 0;
	FILE *f = fopen(DEBUGFS_DEV "/domain_translation_struct", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "0x%013llx |\t", (unsigned long long)(iova >> 12));
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (n == 1) {
			/* RID requests without PASID use the RID_PASID entry, PASID 0 */
			if (scalable) {
				EXPECT_EQ(0, strncmp(line, "Device " IOAT_BDF " with pasid 0 @0x",
						     33));
			} else {
				EXPECT_EQ(0, strncmp(line, "Device " IOAT_BDF " @0x", 22));
			}
			continue;
		}
		if (n == 2) {
			EXPECT_STREQ("IOVA_PFN         \tPML5E             \tPML4E             \t"
				     "PDPE              \tPDE               \tPTE\n", line);
			continue;
		}
		/* Every leaf line has one width: 13 digits, then five 16-digit entries */
		EXPECT_EQ(strlen("0x0000000000000 |") + 5 * strlen("\t0x0000000000000000") + 1,
			  strlen(line));
		if (strncmp(line, want, strlen(want)))
			continue;
		EXPECT_EQ(5, sscanf(line + strlen(want), "0x%llx\t0x%llx\t0x%llx\t0x%llx\t0x%llx",
				    (unsigned long long *)&out->pml5e,
				    (unsigned long long *)&out->pml4e,
				    (unsigned long long *)&out->pdpe,
				    (unsigned long long *)&out->pde, (unsigned long long *)&out->pte));
		found = 1;
	}
	fclose(f);
	EXPECT_LE(2, n);
	return found;
}

/*
 * 1 GiB, 2 MiB and 4 KiB mappings show as leaves at PDPE, PDE and PTE: the
 * columns below the leaf are 0, the leaf has PS (bit 7) where it is not a
 * PTE, and its address is the start of the pinned range. Unmapped, the
 * IOVA is gone from the file.
 */
TEST_F(vtd, debugfs_domain_translation_struct)
{
	const __u64 iova_1g = 1UL << 33, iova_2m = iova_1g + SZ_1G_, iova_4k = iova_2m + SZ_2M_;
	const int sm = !!(self->info.ecap_reg & VTD_ECAP_SMTS);
	struct dts_line l;
	struct stat st;
	void *big, *mid, *small;

	ASSERT_EQ(0, access("/sys/kernel/debug/iommu/intel", F_OK));
	ASSERT_EQ(0, stat(DEBUGFS_DEV "/domain_translation_struct", &st));
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));

	/*
	 * Pinned pages get consecutive fake pfns from the lowest free one, so
	 * map the largest first, after dropping the fixture's buffer: each
	 * range then starts at a physical address aligned as its IOVA.
	 */
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, GPA_BASE, BUF_SIZE, NULL));
	big = mmap(NULL, SZ_1G_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	mid = mmap(NULL, SZ_2M_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	small = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	ASSERT_NE(MAP_FAILED, mid);
	ASSERT_NE(MAP_FAILED, small);
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, big, SZ_1G_, iova_1g));
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, mid, SZ_2M_, iova_2m));
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, small, 4096, iova_4k));

	/*
	 * x86-64 4-level first stage: no PML5E, a PML4E on every walk. A legacy
	 * context entry has a second stage as deep as the unit's best AGAW.
	 */
	ASSERT_EQ(1, dts_lookup(_metadata, sm, iova_1g, &l));
	if (sm) {
		ASSERT_EQ(0, l.pml5e);
	}
	ASSERT_NE(0, l.pml4e);
	ASSERT_NE(0, l.pdpe);
	ASSERT_TRUE(l.pdpe & 0x80);
	ASSERT_EQ(0, l.pde);
	ASSERT_EQ(0, l.pte);
	/* Inside a 1 GiB leaf there is no other line */
	ASSERT_EQ(0, dts_lookup(_metadata, sm, iova_1g + SZ_2M_, &l));

	ASSERT_EQ(1, dts_lookup(_metadata, sm, iova_2m, &l));
	ASSERT_NE(0, l.pdpe);
	ASSERT_FALSE(l.pdpe & 0x80);
	ASSERT_TRUE(l.pde & 0x80);
	ASSERT_EQ(0, l.pte);

	ASSERT_EQ(1, dts_lookup(_metadata, sm, iova_4k, &l));
	ASSERT_NE(0, l.pde);
	ASSERT_FALSE(l.pde & 0x80);
	ASSERT_NE(0, l.pte);
	ASSERT_EQ(1, l.pte & 1);	/* P */

	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, iova_4k, 4096, NULL));
	ASSERT_EQ(0, dts_lookup(_metadata, sm, iova_4k, &l));
	ASSERT_EQ(1, dts_lookup(_metadata, sm, iova_2m, &l));
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, 0, UINT64_MAX, NULL));
	ASSERT_EQ(0, dts_lookup(_metadata, sm, iova_1g, &l));
	ASSERT_EQ(0, dts_lookup(_metadata, sm, iova_2m, &l));
	munmap(big, SZ_1G_);
	munmap(mid, SZ_2M_);
	munmap(small, 4096);
}

/* ---- nesting: the VMM's view ---- */

/* GVA_BASE + pg * 4K -> GPA of pg for the four data pages; x86-64 4-level */
static void guest_build_s1(struct _test_data_vtd *self)
{
	__u64 *pml4 = guest_page(self, PG_L0), *pdpt = guest_page(self, PG_L0 + 1);
	__u64 *pd = guest_page(self, PG_L0 + 2), *pt = guest_page(self, PG_L0 + 3);
	unsigned int pg;

	memset(pml4, 0, 4 * 4096);
	pml4[(GVA_BASE >> 39) & 511] = gpa(PG_L0 + 1) | FL_PTE;
	pdpt[(GVA_BASE >> 30) & 511] = gpa(PG_L0 + 2) | FL_PTE;
	pd[(GVA_BASE >> 21) & 511] = gpa(PG_L0 + 3) | FL_PTE;
	for (pg = PG_DESC; pg <= PG_ALT; pg++)
		pt[pg] = gpa(pg) | FL_PTE;
}

#define SKIP_WITHOUT_NEST(self)                                                      \
	do {                                                                         \
		if (!((self)->info.ecap_reg & VTD_ECAP_NEST))                        \
			SKIP(return, "no nesting (ECAP.NEST clear; legacy mode has none)"); \
	} while (0)

static void vmm_nest(struct __test_metadata *_metadata, struct _test_data_vtd *self,
		     __u32 addr_width)
{
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = gpa(PG_L0),
		.addr_width = addr_width,
	};

	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	guest_build_s1(self);
	ASSERT_EQ(0, s1_alloc(self->iommufd, self->dev_id, self->parent_id, &s1,
			      IOMMU_HWPT_DATA_VTD_S1, sizeof(s1), &self->nested_id));
}

TEST_F(vtd, nested_dma_invalidate)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *pt = guest_page(self, PG_L0 + 3);
	struct iommu_hwpt_vtd_s1_invalidate inv = {};
	__u32 done;

	SKIP_WITHOUT_NEST(self);
	vmm_nest(_metadata, self, 48);
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));

	/* Through both stages: guest VA -> GPA -> host page */
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	memset(alt, 'z', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	ASSERT_EQ('z', alt[0]);
	/* The unit set A and D in the guest's PTE through stage 2 */
	ASSERT_EQ(0x60, pt[PG_DST] & 0x60);

	/* The guest points its DST page at ALT: cached, nothing changes yet */
	pt[PG_DST] = gpa(PG_ALT) | FL_PTE;
	memset(src, 'w', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('w', dst[0]);
	ASSERT_EQ('z', alt[0]);

	/* Its invalidation of that page: the new translation from now on */
	inv.addr = gva(PG_DST);
	inv.npages = 1;
	inv.flags = IOMMU_VTD_INV_FLAGS_LEAF;
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->nested_id,
				     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &inv, sizeof(inv), 1,
				     &done));
	ASSERT_EQ(1, done);
	memset(src, 'v', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('w', dst[0]);
	ASSERT_EQ(0, memcmp(src, alt, 4096));

	/* The guest unmaps DST; the whole-range form drops it */
	pt[PG_DST] = 0;
	inv.addr = 0;
	inv.npages = UINT64_MAX;
	inv.flags = 0;
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->nested_id,
				     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &inv, sizeof(inv), 1,
				     &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));

	/* The host unmapping guest memory reaches the nested translations too */
	pt[PG_DST] = gpa(PG_DST) | FL_PTE;
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->nested_id,
				     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, &inv, sizeof(inv), 1,
				     &done));
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->nested_id));
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, GPA_BASE, BUF_SIZE, NULL));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->parent_id));
}

TEST_F(vtd, nested_alloc_and_attach_errnos)
{
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = gpa(PG_L0), .addr_width = 48 };
	__u8 big[sizeof(s1) + 8] = {};
	__u32 plain_id, id;

	SKIP_WITHOUT_NEST(self);
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	/* A parent that is not a nest parent */
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id, 0, &plain_id));
	ASSERT_EQ(-1, s1_alloc(self->iommufd, self->dev_id, plain_id, &s1, IOMMU_HWPT_DATA_VTD_S1,
			       sizeof(s1), &id));
	ASSERT_EQ(EINVAL, errno);
	/* Another vendor's data */
	ASSERT_EQ(-1, s1_alloc(self->iommufd, self->dev_id, self->parent_id, &s1,
			       IOMMU_HWPT_DATA_ARM_SMMUV3, 16, &id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	/* Shorter or longer than the struct */
	ASSERT_EQ(-1, s1_alloc(self->iommufd, self->dev_id, self->parent_id, &s1,
			       IOMMU_HWPT_DATA_VTD_S1, sizeof(s1) - 8, &id));
	ASSERT_EQ(EINVAL, errno);
	memcpy(big, &s1, sizeof(s1));
	ASSERT_EQ(-1, s1_alloc(self->iommufd, self->dev_id, self->parent_id,
			       (struct iommu_hwpt_vtd_s1 *)big, IOMMU_HWPT_DATA_VTD_S1, sizeof(big),
			       &id));
	ASSERT_EQ(EINVAL, errno);

	/* Widths are checked when the PASID entry is written: at attach */
	s1.addr_width = 39;
	ASSERT_EQ(0, s1_alloc(self->iommufd, self->dev_id, self->parent_id, &s1,
			      IOMMU_HWPT_DATA_VTD_S1, sizeof(s1), &id));
	ASSERT_EQ(-1, attach_pt(self->devfd, id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, id));

	/* A guest root outside guest memory: attach works, DMA faults */
	s1.addr_width = 48;
	s1.pgtbl_addr = 1ULL << 45;
	ASSERT_EQ(0, s1_alloc(self->iommufd, self->dev_id, self->parent_id, &s1,
			      IOMMU_HWPT_DATA_VTD_S1, sizeof(s1), &id));
	ASSERT_EQ(0, attach_pt(self->devfd, id));
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, id));

	ASSERT_EQ(0, ufd_destroy(self->iommufd, plain_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->parent_id));
}

TEST_F(vtd, invalidate_errnos)
{
	struct iommu_hwpt_vtd_s1_invalidate inv[2] = {};
	__u32 done;

	SKIP_WITHOUT_NEST(self);
	vmm_nest(_metadata, self, 48);
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));

	/* Wrong data type */
	inv[0].addr = gva(PG_DST);
	inv[0].npages = 1;
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->nested_id, 1, inv, sizeof(inv[0]), 1,
				      &done));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, done);
	/* Unknown flag; reserved field */
	inv[0].flags = 1 << 1;
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->nested_id,
				      IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]), 1,
				      &done));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, done);
	inv[0].flags = 0;
	inv[0].__reserved = 1;
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->nested_id,
				      IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]), 1,
				      &done));
	ASSERT_EQ(EOPNOTSUPP, errno);
	inv[0].__reserved = 0;
	/* The second of two is misaligned: the first is done, entry_num says so */
	inv[1].addr = gva(PG_DST) + 0x800;
	inv[1].npages = 1;
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->nested_id,
				      IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]), 2,
				      &done));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(1, done);
	/* "Everything" with an address */
	inv[1].addr = gva(PG_DST);
	inv[1].npages = UINT64_MAX;
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->nested_id,
				      IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]), 2,
				      &done));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(1, done);
	/* Shorter entries than the struct: refused */
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->nested_id,
				      IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, 8, 1, &done));
	ASSERT_EQ(EINVAL, errno);
	/* Zero entries is a no-op */
	ASSERT_EQ(0, hwpt_invalidate(self->iommufd, self->nested_id,
				     IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]), 0,
				     &done));
	ASSERT_EQ(0, done);
	/* The parent takes no user invalidation */
	ASSERT_EQ(-1, hwpt_invalidate(self->iommufd, self->parent_id,
				      IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv, sizeof(inv[0]), 1,
				      &done));

	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->nested_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->parent_id));
}

/*
 * Legacy mode (ECAP.SMTS clear): nest parents and dirty tracking are
 * refused at allocation (-EOPNOTSUPP, no ECAP.NEST / SLADS), so a nested
 * HWPT has no parent to sit on (-EINVAL); the edu function's PASIDs cannot
 * be attached (no PASID on the unit: the device has none, -EINVAL), nor can
 * a HWPT with a fault queue (no page requests: -ENODEV). A plain HWPT, also
 * one allocated with the PASID flag, still carries the DMA.
 */
TEST_F(vtd, legacy_mode_refusals)
{
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = gpa(PG_L0), .addr_width = 48 };
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.flags = VFIO_DEVICE_ATTACH_PASID,
		.pasid = 1,
		.pt_id = self->ioas_id,
	};
	struct iommu_hwpt_alloc fault = {
		.size = sizeof(fault),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
	};
	struct iommu_hw_info_vtd info;
	struct iommu_hw_info hw;
	__u32 hwpt_id, id, edu_id;
	int edufd, fault_fd;

	if (self->info.ecap_reg & VTD_ECAP_SMTS)
		SKIP(return, "the unit has scalable mode (ECAP.SMTS): nothing refused here");

	ASSERT_EQ(-1, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				     IOMMU_HWPT_ALLOC_NEST_PARENT, &id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				     IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &id));
	ASSERT_EQ(EOPNOTSUPP, errno);

	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_PASID, &hwpt_id));
	/* Not a nest parent (iommufd refuses it before the driver sees it) */
	ASSERT_EQ(-1, s1_alloc(self->iommufd, self->dev_id, hwpt_id, &s1, IOMMU_HWPT_DATA_VTD_S1,
			       sizeof(s1), &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, attach_pt(self->devfd, hwpt_id));
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, hwpt_id));

	/* The edu function has a PASID capability; the unit has no PASIDs */
	edufd = open_cdev(EDU_BDF);
	if (edufd < 0)
		return;
	ASSERT_EQ(0, bind_iommufd(edufd, self->iommufd, &edu_id));
	ASSERT_EQ(0, ufd_hw_info(self->iommufd, edu_id, 0, IOMMU_HW_INFO_TYPE_DEFAULT, &info,
				 sizeof(info), &hw));
	ASSERT_EQ(0, hw.out_max_pasid_log2);
	ASSERT_EQ(0, hw.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	ASSERT_EQ(-1, ioctl(edufd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	ASSERT_EQ(EINVAL, errno);

	/* Its PRI without page requests on the unit: a fault-capable HWPT does not attach */
	ASSERT_EQ(0, fault_queue_alloc(self->iommufd, &fault.fault_id, &fault_fd));
	fault.dev_id = edu_id;
	fault.pt_id = self->ioas_id;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_HWPT_ALLOC, &fault));
	ASSERT_EQ(-1, attach_pt(edufd, fault.out_hwpt_id));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, fault.out_hwpt_id));
	close(fault_fd);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, fault.fault_id));
	close(edufd);
}

TEST_HARNESS_MAIN
