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
#include "amd_fixture.h"

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
	ioat_vmm_copy_and_fault(_metadata, self->iommufd, self->ioas_id, self->devfd, self->bar,
				self->buf, BUF_SIZE, GPA_BASE);
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

/*
 * A nest parent on the IOAS and an AMD vIOMMU on it for @dev_id, with the
 * HW-vIOMMU's data in @data; false, with both destroyed again, on an IOMMU
 * without the HW-vIOMMU.
 */
static bool vmm_hw_viommu(struct __test_metadata *_metadata, struct _test_data_amd *self,
			  __u32 dev_id, __u32 *parent, __u32 *viommu, struct iommu_viommu_amd *data)
{
	ASSERT_EQ(0, ufd_hwpt_alloc(self->iommufd, dev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, parent));
	ASSERT_EQ(0, viommu_alloc_data(self->iommufd, dev_id, *parent, IOMMU_VIOMMU_TYPE_AMD, data,
				       sizeof(*data), viommu));
	if (data->out_vf_mmio_length)
		return true;
	ASSERT_EQ(0, ufd_destroy(self->iommufd, *viommu));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, *parent));
	return false;
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

	if (!vmm_hw_viommu(_metadata, self, self->dev_id, &self->parent_id, &self->viommu_id, &data))
		SKIP(return, "no HW-vIOMMU");
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
	ufd_mark("guest invalidation");
	pt[PG_DST] = gpa(PG_ALT) | G_PTE;
	guest_cmd_inv_wait(cmd, GDOM_ID, gpa(PG_SEM), 0x600d);
	*sem = 0;
	vf[VF_CMD_TAIL / 8] = 32;
	ASSERT_EQ(0x600d, *(volatile __u64 *)sem);
	ASSERT_EQ(32, vf[VF_CMD_HEAD / 8]);
	ufd_mark("guest completion seen");
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

/*
 * The guest's INVALIDATE_IOMMU_PAGES of GDOM_ID + COMPLETION_WAIT of @val
 * to PG_SEM at @cmd, run by its CmdTail store of @tail in its VF page;
 * the semaphore as the store left it.
 */
static __u64 guest_inv_wait_run(struct _test_data_amd *self, volatile __u64 *vf, __u32 *cmd,
				__u64 tail, __u32 val)
{
	volatile __u64 *sem = guest_page(self, PG_SEM);

	guest_cmd_inv_wait(cmd, GDOM_ID, gpa(PG_SEM), val);
	*sem = 0;
	vf[VF_CMD_TAIL / 8] = tail;
	return *sem;
}

/* A copy of SRC to GVA(DST) with DST refilled first: where it went shows which page DST is. */
static void copy_to_gva_dst(struct __test_metadata *_metadata, struct _test_data_amd *self)
{
	memset(guest_page(self, PG_DST), 'y', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
}

/*
 * Two HW-vIOMMU guests on one VM's table: guest A owns the I/OAT function
 * (guest DeviceID 0x18) and a nested HWPT with GDOM_ID; guest B has a
 * nested HWPT with the same gDomID but no device. B's invalidation of
 * GDOM_ID runs against B's own host DomainID and leaves A's cached
 * translation alone; B's INVALIDATE_DEVTAB_ENTRY and COMPLETE_PPR_REQUEST
 * naming A's guest DeviceID are illegal commands in B's log that stop B's
 * buffer; A's log sees nothing of it, and A's own invalidation works.
 */
TEST_F(amd, hw_viommu_two_guests_confined)
{
	__u8 *src = (__u8 *)guest_page(self, PG_SRC), *dst = (__u8 *)guest_page(self, PG_DST);
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *pt = guest_page(self, PG_L0 + 3);
	__u32 *cmd_a = (__u32 *)guest_page(self, PG_CMDBUF);
	__u32 *cmd_b = (__u32 *)guest_page(self, PG_GUEST_B_CMDBUF);
	__u32 *evt_b = (__u32 *)guest_page(self, PG_GUEST_B_EVTLOG);
	struct iommu_viommu_amd data_a = {}, data_b = {};
	struct iommu_hwpt_amd_guest g;
	__u32 viommu_b, nested_b, vdev, q_a, evtq_a, q_b, evtq_b;
	volatile __u64 *vf_a, *vf_b;

	if (!vmm_hw_viommu(_metadata, self, self->dev_id, &self->parent_id, &self->viommu_id,
			   &data_a))
		SKIP(return, "no HW-vIOMMU");
	ASSERT_EQ(0, viommu_alloc_data(self->iommufd, self->dev_id, self->parent_id,
				       IOMMU_VIOMMU_TYPE_AMD, &data_b, sizeof(data_b), &viommu_b));
	ASSERT_NE(data_a.out_guest_id, data_b.out_guest_id);
	guest_build_s1(self);
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	ASSERT_EQ(0, gdte_alloc(self->iommufd, self->dev_id, self->viommu_id, &g,
				IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &self->nested_id));
	ASSERT_EQ(0, gdte_alloc(self->iommufd, self->dev_id, viommu_b, &g,
				IOMMU_HWPT_DATA_AMD_GUEST, sizeof(g), &nested_b));
	ASSERT_EQ(0, attach_pt(self->devfd, self->nested_id));
	ASSERT_EQ(0, vdevice_alloc(self->iommufd, self->viommu_id, self->dev_id, 0x18, &vdev));
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0, gpa(PG_CMDBUF), 4096,
				    &q_a));
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG, 0, gpa(PG_EVTLOG), 4096,
				    &evtq_a));
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, viommu_b, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF,
				    0, gpa(PG_GUEST_B_CMDBUF), 4096, &q_b));
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, viommu_b, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG,
				    0, gpa(PG_GUEST_B_EVTLOG), 4096, &evtq_b));
	vf_a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->iommufd,
		    data_a.out_vf_mmio_offset);
	ASSERT_NE(MAP_FAILED, vf_a);
	vf_b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->iommufd,
		    data_b.out_vf_mmio_offset);
	ASSERT_NE(MAP_FAILED, vf_b);

	/* A's device caches GVA(DST) -> DST; the PTE then moves to ALT */
	memset(src, 'x', 4096);
	memset(alt, 'z', 4096);
	ASSERT_EQ(CHANSTS_DONE, ioat_copy(self, gva(PG_DESC), gva(PG_SRC), gva(PG_DST), 4096));
	pt[PG_DST] = gpa(PG_ALT) | G_PTE;

	/* B invalidates "its" GDOM_ID: its own host DomainID, A's entry stays */
	ASSERT_EQ(0xb, guest_inv_wait_run(self, vf_b, cmd_b, 32, 0xb));
	copy_to_gva_dst(_metadata, self);
	ASSERT_EQ('x', dst[0]);
	ASSERT_EQ('z', alt[0]);

	/* B names A's guest DeviceID: illegal, B's buffer stops at it, its wait never stores */
	memset(cmd_b + 8, 0, 16);
	cmd_b[8] = 0x18;
	cmd_b[9] = 0x2 << 28;	/* INVALIDATE_DEVTAB_ENTRY */
	ASSERT_EQ(0, guest_inv_wait_run(self, vf_b, cmd_b + 12, 80, 0xbad));
	ASSERT_FALSE(vf_b[VF_STATUS / 8] & STATUS_CMDBUF_RUN);
	ASSERT_EQ(32, vf_b[VF_CMD_HEAD / 8]);
	ASSERT_EQ(16, vf_b[VF_EVT_TAIL / 8]);
	ASSERT_EQ(EVT_ILLEGAL_COMMAND, evt_b[1] >> 28);
	ASSERT_EQ(gpa(PG_GUEST_B_CMDBUF) + 32, evt_b[2] | ((__u64)evt_b[3] << 32));
	/* A's buffer and log are untouched by B's error */
	ASSERT_TRUE(vf_a[VF_STATUS / 8] & STATUS_CMDBUF_RUN);
	ASSERT_EQ(0, vf_a[VF_EVT_TAIL / 8]);

	/* A's own invalidation reaches its device */
	ASSERT_EQ(0xa, guest_inv_wait_run(self, vf_a, cmd_a, 32, 0xa));
	copy_to_gva_dst(_metadata, self);
	ASSERT_EQ('y', dst[0]);
	ASSERT_EQ(0, memcmp(src, alt, 4096));

	ASSERT_EQ(0, munmap((void *)vf_b, 4096));
	ASSERT_EQ(0, munmap((void *)vf_a, 4096));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, evtq_b));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, q_b));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, evtq_a));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, q_a));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, vdev));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, nested_b));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, viommu_b));
	vmm_unnest(_metadata, self);
}

/*
 * The HW-vIOMMU's guest PPR log end to end: the edu function assigned to
 * the guest (guest DeviceID EDU_GDEV) on a nested HWPT whose guest DTE
 * has PPR, the guest's PPR log a HW queue in its memory. A DMA to a GVA
 * the guest has not mapped is a page request the IOMMU writes into the
 * guest's log with the guest's DeviceID, moving PPRTail in its VF page;
 * the host's fault queue sees nothing. The guest maps the page, writes
 * INVALIDATE_IOMMU_PAGES, COMPLETE_PPR_REQUEST (its DeviceID) and
 * COMPLETION_WAIT and moves CmdTail: the device retries and the data
 * lands. No ioctl between the request and the retry. Without the log the
 * same request is the guest's INVALID_PPR_REQUEST and the DMA fails.
 */
TEST_F(amd, hw_viommu_guest_ppr_log)
{
	__u8 *alt = (__u8 *)guest_page(self, PG_ALT);
	__u64 *pt = guest_page(self, PG_L0 + 3);
	__u32 *cmd = (__u32 *)guest_page(self, PG_CMDBUF);
	__u32 *evt = (__u32 *)guest_page(self, PG_EVTLOG);
	__u64 *ppr = guest_page(self, PG_PPRLOG);
	__u64 *sem = guest_page(self, PG_SEM);
	struct iommu_viommu_amd data = {};
	struct iommu_hwpt_amd_guest g;
	struct iommu_hwpt_pgfault rec;
	__u32 edu_id, parent, viommu, nested, vdev, queue, evtq, pprq, id, fault_id;
	int edufd, fault_fd;
	volatile __u8 *bar;
	volatile __u64 *vf;
	__u64 evt_tail;
	__u16 tag;

	edufd = edu_open(_metadata, self, &edu_id, &bar);
	if (edufd < 0)
		SKIP(return, "no edu function at " EDU_BDF);

	if (!vmm_hw_viommu(_metadata, self, edu_id, &parent, &viommu, &data)) {
		edu_close(edufd, bar);
		SKIP(return, "no HW-vIOMMU");
	}
	guest_build_s1(self);
	guest_dte(&g, gpa(PG_GCR3), GDOM_ID);
	g.dte[0] |= DTE0_PPR;
	/* A fault-capable nested HWPT: page requests on at the function and in its DTE */
	ASSERT_EQ(0, fault_queue_alloc(self->iommufd, &fault_id, &fault_fd));
	ASSERT_EQ(0, gdte_alloc_fault(self->iommufd, edu_id, viommu, &g, fault_id, &nested));
	ASSERT_EQ(0, attach_pt(edufd, nested));
	ASSERT_EQ(0, vdevice_alloc(self->iommufd, viommu, edu_id, EDU_GDEV, &vdev));
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, viommu, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF, 0,
				    gpa(PG_CMDBUF), 4096, &queue));
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, viommu, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG, 0,
				    gpa(PG_EVTLOG), 4096, &evtq));
	vf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->iommufd,
		  data.out_vf_mmio_offset);
	ASSERT_NE(MAP_FAILED, vf);

	/*
	 * No PPR log yet: the refused write is the guest's IO_PAGE_FAULT, the
	 * page request after it the guest's INVALID_PPR_REQUEST (both with its
	 * DeviceID and GVA), and the device gives up
	 */
	edu_to_ram(bar, gva(PG_HOLE) + 0x40, 256);
	ASSERT_EQ(EDU_STS_REFUSED, edu_wait(bar));
	ASSERT_EQ(32, vf[VF_EVT_TAIL / 8]);
	ASSERT_EQ(EVT_IO_PAGE_FAULT, evt[1] >> 28);
	ASSERT_EQ(EVT_INVALID_PPR_REQUEST, evt[5] >> 28);
	ASSERT_EQ(EDU_GDEV, evt[4] & 0xffff);
	ASSERT_EQ(gva(PG_HOLE), evt[6] | ((__u64)evt[7] << 32));

	/* The PPR log's errnos, then the log */
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, viommu, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG, 0,
				     gpa(PG_PPRLOG), 3 * 4096, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, viommu, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG, 0,
				     gpa(PG_PPRLOG) + 16, 4096, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, viommu, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG, 1,
				     gpa(PG_PPRLOG), 4096, &id));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, viommu, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG, 0,
				    gpa(PG_PPRLOG), 4096, &pprq));
	ASSERT_EQ(-1, hw_queue_alloc(self->iommufd, viommu, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG, 0,
				     gpa(PG_PPRLOG), 4096, &id));
	ASSERT_EQ(EEXIST, errno);
	ASSERT_TRUE(vf[VF_STATUS / 8] & STATUS_PPR_RUN);

	memset(alt, 0, 4096);
	for (int i = 0; i < 64; i++)
		*(volatile __u32 *)(bar + EDU_BUF + 4 * i) = 0x9e570000 + i;
	ASSERT_EQ(EDU_STS_PAGE_REQ, edu_to_ram(bar, gva(PG_HOLE) + 0x40, 256));

	/* ---- the guest, from here on: memory and its VF page only ---- */
	ASSERT_EQ(16, vf[VF_PPR_TAIL / 8]);
	ASSERT_EQ(EDU_GDEV, ppr[0] & 0xffff);
	ASSERT_EQ(PPR_TYPE_FAULT, ppr[0] >> 60);
	ASSERT_TRUE((ppr[0] >> 48) & PPR_FLAG_WRITE);
	ASSERT_EQ(gva(PG_HOLE), ppr[1]);
	tag = (ppr[0] >> 32) & 0x1ff;
	vf[VF_PPR_HEAD / 8] = 16;
	pt[PG_HOLE] = gpa(PG_ALT) | G_PTE;
	guest_cmd_inv_wait(cmd, GDOM_ID, gpa(PG_SEM), 0x99);
	/* COMPLETE_PPR_REQUEST between the invalidation and the completion wait */
	memcpy(cmd + 8, cmd + 4, 16);
	guest_cmd_complete_ppr(cmd + 4, EDU_GDEV, tag);
	*sem = 0;
	vf[VF_CMD_TAIL / 8] = 48;
	ASSERT_EQ(0x99, *(volatile __u64 *)sem);
	/* ---- the device retried and finished ---- */

	ASSERT_EQ(0, edu_wait(bar));
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(0x9e570000 + i, *(__u32 *)(alt + 0x40 + 4 * i));
	ASSERT_EQ(0, alt[0x3f]);
	/* The host's fault queue never saw the request */
	ASSERT_EQ(0, read(fault_fd, &rec, sizeof(rec)));

	/*
	 * Requests still in the guest's log when the VMM takes the log or the
	 * device away: the host answers them (Invalid), the device does not
	 * wait for ever; a device out of the guest makes the guest's late
	 * answer an illegal command
	 */
	ASSERT_EQ(EDU_STS_PAGE_REQ, edu_to_ram(bar, gva(PG_HOLE + 1), 16));
	ASSERT_EQ(32, vf[VF_PPR_TAIL / 8]);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, pprq));
	ASSERT_EQ(EDU_STS_REFUSED, edu_wait(bar));
	ASSERT_EQ(0, hw_queue_alloc(self->iommufd, viommu, IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG, 0,
				    gpa(PG_PPRLOG), 4096, &pprq));
	ASSERT_EQ(EDU_STS_PAGE_REQ, edu_to_ram(bar, gva(PG_HOLE + 1), 16));
	ASSERT_EQ(16, vf[VF_PPR_TAIL / 8]);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, vdev));
	ASSERT_EQ(EDU_STS_REFUSED, edu_wait(bar));
	evt_tail = vf[VF_EVT_TAIL / 8];
	guest_cmd_complete_ppr(cmd + 12, EDU_GDEV, (ppr[0] >> 32) & 0x1ff);
	vf[VF_CMD_TAIL / 8] = 64;
	ASSERT_FALSE(vf[VF_STATUS / 8] & STATUS_CMDBUF_RUN);
	ASSERT_EQ(48, vf[VF_CMD_HEAD / 8]);
	ASSERT_EQ(evt_tail + 16, vf[VF_EVT_TAIL / 8]);
	ASSERT_EQ(EVT_ILLEGAL_COMMAND, evt[evt_tail / 4 + 1] >> 28);

	ASSERT_EQ(0, munmap((void *)vf, 4096));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, pprq));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, evtq));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, queue));
	edu_unnest(_metadata, self, edufd, nested, fault_id, fault_fd);
	ASSERT_EQ(0, ufd_destroy(self->iommufd, viommu));
	ASSERT_EQ(0, ufd_destroy(self->iommufd, parent));
	edu_close(edufd, bar);
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
