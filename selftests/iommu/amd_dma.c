// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD IOMMU as a VMM meets it: an I/OAT DMA engine behind the AMD
 * IOMMU, reached through VFIO and iommufd, its copies translated by the
 * AMD IOMMU model; an unmapped IOVA refused (the IOMMU logs an
 * IO_PAGE_FAULT, the channel halts with a write error); then nesting: a
 * nest-parent v1 table over the "guest memory", an AMD vIOMMU on it, a
 * guest GCR3 table and x86-64 4-level table written in guest memory, the
 * guest's DTE as a nested HWPT (iommu_hwpt_amd_guest), DMA through both
 * stages, a guest PTE change that takes effect only after the VMM passes
 * the guest's INVALIDATE_IOMMU_PAGES on (IOMMU_HWPT_INVALIDATE on the
 * vIOMMU), and the guest DTE given hostile values, each with upstream's
 * errno.
 *
 * It needs the amd platform (`uiommufd run --platform amd -- ./amd_dma`),
 * with the I/OAT function at 0000:00:03.0; elsewhere every test is
 * skipped. Written against Linux's uAPI and uiommufd's experimental one
 * (the vIOMMU type and its invalidation format); built as a plain program
 * (the interposer build).
 */
#include "uiommufd_utils.h"
#include "vfio_dev.h"

#include <dirent.h>
#include <linux/iommufd_experimental.h>
#include <linux/vfio.h>

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

static int viommu_alloc_data(int fd, __u32 dev_id, __u32 hwpt_id, __u32 type, void *data,
			     __u32 len, __u32 *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ufd_ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_viommu_id;
	return rc;
}

static int viommu_alloc(int fd, __u32 dev_id, __u32 hwpt_id, __u32 type, __u32 *out)
{
	return viommu_alloc_data(fd, dev_id, hwpt_id, type, NULL, 0, out);
}

static int gdte_alloc(int fd, __u32 dev_id, __u32 viommu, const struct iommu_hwpt_amd_guest *g,
		      __u32 type, __u32 len, __u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = viommu,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)g,
	};
	int rc = ufd_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

/* HWPT_INVALIDATE of @n guest commands on @id; *@done gets entry_num back. */
static int invalidate(int fd, __u32 id, const struct iommu_viommu_amd_inv *reqs, __u32 n,
		      __u32 *done)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = (uintptr_t)reqs,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_AMD,
		.entry_len = sizeof(*reqs),
		.entry_num = n,
	};
	int rc = ufd_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	if (done)
		*done = cmd.entry_num;
	return rc;
}

/* The guest's INVALIDATE_IOMMU_PAGES of everything its DomainID @gdom holds for PASID 0 */
static void guest_inv_all(struct iommu_viommu_amd_inv *inv, __u16 gdom)
{
	memset(inv, 0, sizeof(*inv));
	inv->cmd[1] = gdom | (CMD_INV_IOMMU_PAGES << 28);
	inv->cmd[2] = 0xfffff000u | INV_S | INV_PDE | INV_GN;
	inv->cmd[3] = 0x7fffffffu;
}

FIXTURE(amd)
{
	int iommufd;
	int devfd;
	__u32 dev_id;
	__u32 ioas_id;
	volatile __u8 *bar;
	__u8 *buf;			/* guest memory, at GPA_BASE in the IOAS */
	struct iommu_hw_info_amd info;
	__u32 parent_id, viommu_id, nested_id;
};

static __u64 *guest_page(struct _test_data_amd *self, unsigned int pg)
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

FIXTURE_SETUP(amd)
{
	struct iommu_hw_info hw;

	self->devfd = open_cdev(IOAT_BDF);
	if (self->devfd < 0)
		SKIP(return, "no I/OAT function at " IOAT_BDF);
	self->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, bind_iommufd(self->devfd, self->iommufd, &self->dev_id));
	if (ufd_hw_info(self->iommufd, self->dev_id, 0, IOMMU_HW_INFO_TYPE_DEFAULT, &self->info,
			sizeof(self->info), &hw) ||
	    hw.out_data_type != IOMMU_HW_INFO_TYPE_AMD) {
		close(self->devfd);
		close(self->iommufd);
		self->devfd = -1;
		SKIP(return, "the I/OAT function is not behind an AMD IOMMU");
	}

	ASSERT_EQ(0, ufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, self->buf, BUF_SIZE, GPA_BASE));

	self->bar = ioat_bar_enable(self->devfd);
	ASSERT_NE(MAP_FAILED, self->bar);
}

FIXTURE_TEARDOWN(amd)
{
	if (self->devfd < 0)
		return;
	munmap((void *)self->bar, IOAT_BAR_SIZE);
	close(self->devfd);
	close(self->iommufd);
	munmap(self->buf, BUF_SIZE);
}

/* One descriptor in guest page PG_DESC at @desc_addr (a device address); the final status. */
static __u64 ioat_copy(struct _test_data_amd *self, __u64 desc_addr, __u64 src, __u64 dst,
		       __u32 size)
{
	return ioat_run(self->bar, (struct ioat_desc *)guest_page(self, PG_DESC), desc_addr, src,
			dst, size);
}

/* ---- one stage: the IOAS straight on the device ---- */

TEST_F(amd, hw_info_efr)
{
	struct iommu_hw_info_amd info = {};
	struct iommu_hw_info_vtd vtd = {};
	struct iommu_hw_info hw;

	ASSERT_EQ(0, ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_AMD, &info, sizeof(info), &hw));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_AMD, hw.out_data_type);
	ASSERT_EQ(sizeof(info), hw.data_len);
	ASSERT_TRUE(info.efr & EFR_GT);
	ASSERT_TRUE(info.efr & EFR_GIOSUP);
	ASSERT_EQ(self->info.efr, info.efr);
	ASSERT_EQ(self->info.efr2, info.efr2);
	/* Another driver's format is refused */
	ASSERT_EQ(-1, ufd_hw_info(self->iommufd, self->dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				  IOMMU_HW_INFO_TYPE_INTEL_VTD, &vtd, sizeof(vtd), &hw));
	ASSERT_EQ(EOPNOTSUPP, errno);
}

TEST_F(amd, ioat_copy_and_fault)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);

	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	/* Nothing at 1 TiB: the IOMMU refuses the write (an IO_PAGE_FAULT), the channel halts */
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), 1UL << 40, 4096));
	ASSERT_TRUE(*(volatile __u32 *)(self->bar + IOAT_CHANERR) & CHANERR_WRITE_DATA_ERR);

	/* Unmapped from the IOAS: no longer translated (the unmap flushed the IOTLB) */
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, GPA_BASE, BUF_SIZE, NULL));
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096));
}

/* DTE.HAD on a v1 domain: what the engine wrote is dirty, read once */
TEST_F(amd, dirty_tracking)
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

	if (!(self->info.efr & EFR_HASUP) || !(self->info.efr & EFR_HDSUP))
		SKIP(return, "no host A/D updates");
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt_id));
	ASSERT_EQ(0, attach_pt(self->devfd, hwpt_id));

	/* Not tracking yet: asking for the bitmap is refused */
	get.hwpt_id = hwpt_id;
	ASSERT_EQ(-1, ufd_ioctl(self->iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get));
	ASSERT_EQ(EINVAL, errno);

	/* A copy before tracking leaves a cached translation that must not skip D */
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gpa(PG_DESC), gpa(PG_SRC), gpa(PG_DST), 4096));
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

/* ---- nesting: the VMM's view ---- */

/* GVA_BASE + pg * 4K -> GPA of pg for the four data pages; GCR3[0] -> the PML4 */
static void guest_build_s1(struct _test_data_amd *self)
{
	__u64 *gcr3 = guest_page(self, PG_GCR3);
	__u64 *pml4 = guest_page(self, PG_L0), *pdpt = guest_page(self, PG_L0 + 1);
	__u64 *pd = guest_page(self, PG_L0 + 2), *pt = guest_page(self, PG_L0 + 3);
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
static void guest_dte(struct iommu_hwpt_amd_guest *g, __u64 gcr3, __u16 gdom)
{
	memset(g, 0, sizeof(*g));
	g->dte[0] = DTE0_V | DTE0_TV | DTE0_GV | DTE0_GIOV | DTE0_GLX(0) |
		    (((gcr3 >> 12) & 0x7) << 58);
	g->dte[1] = gdom | (((gcr3 >> 15) & 0xffff) << 16) | (((gcr3 >> 31) & 0x1fffff) << 43);
	g->dte[2] = DTE2_GPT_LEVEL(0);
}

static void vmm_nest(struct __test_metadata *_metadata, struct _test_data_amd *self)
{
	struct iommu_hwpt_amd_guest g;

	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	ASSERT_EQ(0, viommu_alloc(self->iommufd, self->dev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_AMD, &self->viommu_id));
	guest_build_s1(self);
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	ASSERT_EQ(0, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &self->nested_id));
}

static void vmm_unnest(struct __test_metadata *_metadata, struct _test_data_amd *self)
{
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->nested_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->viommu_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->parent_id));
}

TEST_F(amd, nested_dma_invalidate)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *pt = guest_page(self, PG_L0 + 3);
	struct iommu_viommu_amd_inv inv[2];
	__u32 done;

	vmm_nest(_metadata, self);
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));

	/* Through both stages: guest VA -> GPA -> host page */
	memset(src, 'x', 4096);
	memset(dst, 'y', 4096);
	memset(alt, 'z', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	ASSERT_EQ('z', alt[0]);

	/* The guest points its DST page at ALT: cached, nothing changes yet */
	pt[PG_DST] = gpa(PG_ALT) | G_PTE;
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('x', dst[0]);
	ASSERT_EQ('z', alt[0]);

	/* Another gDomID's invalidation leaves this one's entries alone */
	guest_inv_all(&inv[0], GDOM_ID + 1);
	ASSERT_EQ(0, invalidate(self->iommufd, self->viommu_id, inv, 1, &done));
	ASSERT_EQ(1, done);
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('x', dst[0]);

	/* The guest's own INVALIDATE_IOMMU_PAGES, passed on by the VMM */
	guest_inv_all(&inv[0], GDOM_ID);
	ASSERT_EQ(0, invalidate(self->iommufd, self->viommu_id, inv, 1, &done));
	ASSERT_EQ(1, done);
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('y', dst[0]);
	ASSERT_EQ(0, memcmp(src, alt, 4096));

	/* A command the VMM must not pass on: entry 1 refused, entry 0 done */
	guest_inv_all(&inv[1], GDOM_ID);
	inv[1].cmd[1] = GDOM_ID | (0x1 << 28);	/* COMPLETION_WAIT */
	ASSERT_EQ(-1, invalidate(self->iommufd, self->viommu_id, inv, 2, &done));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(1, done);

	/* A guest address the guest does not map: refused */
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(100), 4096));
	vmm_unnest(_metadata, self);
}

/* The guest reloads its DTE: the VMM re-allocates the nested HWPT with the same gDomID */
TEST_F(amd, nested_realloc_same_gdomid)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	struct iommu_hwpt_amd_guest g;
	__u32 second;

	vmm_nest(_metadata, self);
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	ASSERT_EQ(0, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &second));
	ASSERT_EQ(0, attach_pt(self->devfd, second));
	memset(src, 'q', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	/* The first one goes; the gDomID's host DomainID stays with the second */
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->nested_id));
	memset(src, 'r', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	self->nested_id = second;
	vmm_unnest(_metadata, self);
}

/* Two vIOMMUs with the same gDomID: separate host DomainIDs, separate invalidations */
TEST_F(amd, nested_two_viommus_never_share)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *pt = guest_page(self, PG_L0 + 3);
	struct iommu_viommu_amd_inv inv;
	struct iommu_hwpt_amd_guest g;
	__u32 viommu2, nested2, done;

	vmm_nest(_metadata, self);
	ASSERT_EQ(0, viommu_alloc(self->iommufd, self->dev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_AMD, &viommu2));
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	ASSERT_EQ(0, gdte_alloc(self->iommufd, self->dev_id, viommu2, &g,
				IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &nested2));
	ASSERT_EQ(0, attach_pt(self->devfd, nested2));
	memset(src, 'x', 4096);
	memset(alt, 'z', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	pt[PG_DST] = gpa(PG_ALT) | G_PTE;
	/* The first vIOMMU's gDomID is another host DomainID: nothing of this one goes */
	guest_inv_all(&inv, GDOM_ID);
	ASSERT_EQ(0, invalidate(self->iommufd, self->viommu_id, &inv, 1, &done));
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('x', dst[0]);
	ASSERT_EQ('z', alt[0]);
	/* Its own vIOMMU's */
	ASSERT_EQ(0, invalidate(self->iommufd, viommu2, &inv, 1, &done));
	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('y', dst[0]);
	ASSERT_EQ(0, memcmp(src, alt, 4096));

	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, nested2));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, viommu2));
	vmm_unnest(_metadata, self);
}

/* A change of the nest parent reaches the nested translations (their host DomainIDs) */
TEST_F(amd, nested_parent_remap_flushes)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *buf2;

	vmm_nest(_metadata, self);
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));
	memset(src, 'x', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	/* Guest memory moves to other host pages: same GPAs, same guest tables */
	buf2 = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf2);
	memcpy(buf2, self->buf, BUF_SIZE);
	/* Pinned elsewhere first, so its frames are not the ones the unmap frees */
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, buf2, BUF_SIZE, GPA_BASE + BUF_SIZE));
	ASSERT_EQ(0, ufd_unmap(self->iommufd, self->ioas_id, GPA_BASE, BUF_SIZE, NULL));
	ASSERT_EQ(0, ufd_map_fixed(self->iommufd, self->ioas_id, buf2, BUF_SIZE, GPA_BASE));
	munmap(self->buf, BUF_SIZE);
	self->buf = buf2;
	src = (__u8 *)guest_page(self, PG_SRC);
	dst = (__u8 *)guest_page(self, PG_DST);
	memset(src, 'n', 4096);
	memset(dst, 'y', 4096);
	/* Every cached GVA -> old host page went with the stage-2 unmap */
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));
	vmm_unnest(_metadata, self);
}

static int vdevice_alloc(int fd, __u32 viommu, __u32 dev_id, __u64 virt_id, __u32 *out)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int rc = ufd_ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_vdevice_id;
	return rc;
}

static int hw_queue_alloc(int fd, __u32 viommu, __u32 type, __u32 index, __u64 iova,
			  __u64 length, __u32 *out)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = type,
		.index = index,
		.nesting_parent_iova = iova,
		.length = length,
	};
	int rc = ufd_ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hw_queue_id;
	return rc;
}

/*
 * The HW-vIOMMU's objects as a VMM makes them: a vDEVICE (the guest's
 * DeviceID for the I/OAT function), the guest's command buffer as a HW
 * queue, with their errnos; DMA still runs through both stages with the
 * device assigned to the guest. (The guest's own CmdTail store needs the
 * VF page mapped into the process, see Documentation/amd-iommu.md; the
 * KUnit suite runs that part.)
 */
TEST_F(amd, hw_viommu_objects)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u32 vdev, queue, id;

	vmm_nest(_metadata, self);
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));
	ASSERT_EQ(-1, vdevice_alloc(self->iommufd, self->viommu_id, self->dev_id, 0x10000, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vdevice_alloc(self->iommufd, self->viommu_id, self->dev_id, 0x18, &vdev));

	/* Not a power of two, too small, misaligned, a second index, an unknown type */
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, self->viommu_id,
				     IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0, gpa(30), 3 * 4096, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, self->viommu_id,
				     IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0, gpa(30), 2048, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, self->viommu_id,
				     IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0, gpa(30) + 16, 4096, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, self->viommu_id,
				     IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 1, gpa(30), 4096, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, self->viommu_id,
				     IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, 0, gpa(30), 4096, &id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0, gpa(30), 4096, &queue));

	memset(src, 'v', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	ASSERT_EQ(0, ufd_destroy(self->iommufd, queue));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, vdev));
	vmm_unnest(_metadata, self);
}

#define VF_CMD_HEAD 0x00
#define VF_CMD_TAIL 0x08
#define VF_STATUS 0x20
#define STATUS_CMDBUF_RUN 0x10
#define CMD_COMPL_WAIT 0x1
#define PG_CMDBUF 30
#define PG_SEM 31
#define PG_EVTLOG 32
#define VF_EVT_TAIL 0x18
#define EVT_IO_PAGE_FAULT 0x2
#define EVT_ILLEGAL_COMMAND 0x5

/*
 * The HW-vIOMMU end to end: the VMM maps the vIOMMU's VF page; the guest
 * writes INVALIDATE_IOMMU_PAGES + COMPLETION_WAIT into its own command
 * buffer (in guest memory) and moves CmdTail in the VF page. No ioctl
 * between the guest's PTE change and the translation it sees next: the
 * IOMMU ran the guest's commands, with its DomainID mapped to the host's.
 */
TEST_F(amd, hw_viommu_guest_cmdbuf)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *pt = guest_page(self, PG_L0 + 3);
	__u32 *cmd = (__u32 *)guest_page(self, PG_CMDBUF);
	__u64 *sem = guest_page(self, PG_SEM);
	struct iommu_viommu_amd data = {};
	struct iommu_hwpt_amd_guest g;
	volatile __u64 *vf;
	__u32 *evt = (__u32 *)guest_page(self, PG_EVTLOG);
	__u32 vdev, queue, evtq, id;

	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id));
	ASSERT_EQ(0, viommu_alloc_data(self->iommufd, self->dev_id, self->parent_id,
				       IOMMU_VIOMMU_TYPE_AMD, &data, sizeof(data),
				       &self->viommu_id));
	if (!data.out_vf_mmio_length) {
		ASSERT_EQ(0, ufd_destroy(self->iommufd, self->viommu_id));
		ASSERT_EQ(0, ufd_destroy(self->iommufd, self->parent_id));
		SKIP(return, "no HW-vIOMMU");
	}
	ASSERT_EQ(4096, data.out_vf_mmio_length);
	guest_build_s1(self);
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	ASSERT_EQ(0, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &self->nested_id));
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));
	ASSERT_EQ(0, vdevice_alloc(self->iommufd, self->viommu_id, self->dev_id, 0x18, &vdev));
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0, gpa(PG_CMDBUF), 4096,
				    &queue));
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, self->viommu_id,
				     IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0, gpa(PG_CMDBUF), 4096,
				     &id));
	ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG, 0, gpa(PG_EVTLOG), 4096,
				    &evtq));
	vf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->iommufd,
		  data.out_vf_mmio_offset);
	ASSERT_NE(MAP_FAILED, vf);
	ASSERT_TRUE(vf[VF_STATUS / 8] & STATUS_CMDBUF_RUN);

	memset(src, 'x', 4096);
	memset(alt, 'z', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ(0, memcmp(src, dst, 4096));

	/* ---- the guest, from here on: memory and its VF page only ---- */
	pt[PG_DST] = gpa(PG_ALT) | G_PTE;
	memset(cmd, 0, 32);
	cmd[1] = GDOM_ID | (CMD_INV_IOMMU_PAGES << 28);
	cmd[2] = 0xfffff000u | INV_S | INV_PDE | INV_GN;
	cmd[3] = 0x7fffffffu;
	cmd[4] = (__u32)gpa(PG_SEM) | 0x1;	/* S: store */
	cmd[5] = (__u32)(gpa(PG_SEM) >> 32) | (CMD_COMPL_WAIT << 28);
	cmd[6] = 0x600d;
	*sem = 0;
	vf[VF_CMD_TAIL / 8] = 32;
	ASSERT_EQ(0x600d, *(volatile __u64 *)sem);
	ASSERT_EQ(32, vf[VF_CMD_HEAD / 8]);
	/* ---- the guest's change is what the device sees now ---- */

	memset(dst, 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	ASSERT_EQ('y', dst[0]);
	ASSERT_EQ(0, memcmp(src, alt, 4096));

	/* A fault of its device is the guest's: its log, its DeviceID, its address */
	ASSERT_EQ(0, vf[VF_EVT_TAIL / 8]);
	ASSERT_EQ(CHANSTS_HALTED, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(100), 4096));
	ASSERT_EQ(16, vf[VF_EVT_TAIL / 8]);
	ASSERT_EQ(EVT_IO_PAGE_FAULT, evt[1] >> 28);
	ASSERT_EQ(0x18, evt[0] & 0xffff);
	ASSERT_EQ(gva(100), evt[2] | ((__u64)evt[3] << 32));

	/* A DomainID the guest never gave a nested HWPT: its command stops its buffer */
	memset(cmd + 8, 0, 16);
	cmd[9] = (GDOM_ID + 1) | (CMD_INV_IOMMU_PAGES << 28);
	cmd[10] = 0xfffff000u | INV_S | INV_PDE | INV_GN;
	cmd[11] = 0x7fffffffu;
	vf[VF_CMD_TAIL / 8] = 48;
	ASSERT_FALSE(vf[VF_STATUS / 8] & STATUS_CMDBUF_RUN);
	ASSERT_EQ(32, vf[VF_CMD_HEAD / 8]);
	ASSERT_EQ(32, vf[VF_EVT_TAIL / 8]);
	ASSERT_EQ(EVT_ILLEGAL_COMMAND, evt[5] >> 28);

	/* The vIOMMU stays while its page is mapped */
	ASSERT_EQ(0, ufd_destroy(self->iommufd, evtq));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, queue));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, vdev));
	ASSERT_EQ(0, attach_pt(self->devfd, self->ioas_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->nested_id));
	ASSERT_EQ(-1, ufd_destroy(self->iommufd, self->viommu_id));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, munmap((void *)vf, 4096));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->viommu_id));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, self->parent_id));
}

TEST_F(amd, nested_alloc_errnos)
{
	struct iommu_hwpt_amd_guest g;
	__u32 id, plain;

	vmm_nest(_metadata, self);

	/* Mode or HostPTR: the host half is not the guest's */
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	g.dte[0] |= DTE0_MODE(4);
	ASSERT_EQ(-1, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				 IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &id));
	ASSERT_EQ(EINVAL, errno);
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	g.dte[0] |= 0x1000ULL << 12;
	ASSERT_EQ(-1, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				 IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &id));
	ASSERT_EQ(EINVAL, errno);
	/* V and GV without a GCR3 table */
	guest_dte(&g, 0, GDOM_ID);
	ASSERT_EQ(-1, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				 IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &id));
	ASSERT_EQ(EINVAL, errno);
	/* Reserved guest paging mode, reserved GLX */
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	g.dte[2] = DTE2_GPT_LEVEL(2);
	ASSERT_EQ(-1, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				 IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &id));
	ASSERT_EQ(EINVAL, errno);
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	g.dte[0] |= DTE0_GLX(3);
	ASSERT_EQ(-1, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				 IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &id));
	ASSERT_EQ(EINVAL, errno);
	/* Another driver's data type, and a short one */
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	ASSERT_EQ(-1, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				 IOMMU_HWPT_DATA_VTD_S1, sizeof(g), &id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				 IOMMU_HWPT_DATA_AMD_GUEST, 8, &id));
	ASSERT_EQ(EINVAL, errno);
	/* A vIOMMU needs a nest parent; the upstream default type is not the driver's */
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, self->dev_id, self->ioas_id, 0, &plain));
	ASSERT_EQ(-1, viommu_alloc(self->iommufd, self->dev_id, plain, IOMMU_VIOMMU_TYPE_AMD, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, viommu_alloc(self->iommufd, self->dev_id, self->parent_id,
				   IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &id));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, plain));
	vmm_unnest(_metadata, self);
}

TEST_HARNESS_MAIN
