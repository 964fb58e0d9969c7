// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over Intel VT-d's iommufd paths on the vtd platform
 * (booted in-process, the I/OAT function bound to the iommufd as VFIO's
 * cdev bind does): the nest-parent second stage (with dirty tracking), the
 * nested IOMMU_HWPT_ALLOC of an iommu_hwpt_vtd_s1 and its attach (a PASID
 * entry of type nested) to the RID and to a PASID of the edu function, a
 * nested domain replaced by another in place,
 * IOMMU_HWPT_INVALIDATE of the nested HWPT (page, leaf and whole-range
 * requests: PASID-based IOTLB descriptors on the invalidation queue), and
 * dirty tracking (IOMMU_HWPT_SET_DIRTY_TRACKING, SSADE in the PASID entry,
 * IOMMU_HWPT_GET_DIRTY_BITMAP of what a DMA wrote).
 *
 * The loop is failnth.h's: for n = 1, 2, ... a fresh VMM, the n-th
 * injection point of the row's sequence fails, the errno must be one the
 * path can give, a follow-up not under injection must work (where the row
 * attaches, the device's DMA must translate), and closing the VMM must
 * free everything allocated since it was opened.
 */
#include "failnth_platform.h"

#include "drivers/intel/iommu.h"
#include "drivers/intel/tests/vtd_vmm.h"
#include "harness/platform/pci.h"

namespace {

constexpr unsigned int max_points = 5000;
constexpr size_t guest_size = 2UL << 20;
void *guest;

constexpr u32 pasid = 7;

struct vtd_ctx {
	struct inproc_vmm v;
	bool pasid_attached = false;
};

struct sweep {
	const char *name;
	int (*setup)(vtd_ctx *c);
	int (*run)(vtd_ctx *c);
	int (*verify)(vtd_ctx *c);
	int errnos[8];
};

/* HWPT_ALLOC says EINVAL when the lookup of its pt_id fails, as upstream. */
#define ERRNOS_HWPT_ALLOC FAILNTH_ERRNOS_BASE, EINVAL

int setup_guest(vtd_ctx *c)
{
	return vtd_vmm_open(&c->v, guest, guest_size);
}

int setup_parent(vtd_ctx *c)
{
	FAILNTH_TRY(setup_guest(c));
	return vtd_vmm_parent(&c->v);
}

int nested_attach(vtd_ctx *c)
{
	FAILNTH_TRY(vtd_vmm_nested(&c->v, &c->v.nested));
	return inproc_vmm_attach(&c->v, c->v.nested);
}

int setup_nested(vtd_ctx *c)
{
	FAILNTH_TRY(setup_parent(c));
	return nested_attach(c);
}

/* A dirty-tracking nest parent attached to the RID itself. */
int setup_dirty(vtd_ctx *c)
{
	FAILNTH_TRY(setup_guest(c));
	FAILNTH_TRY(vtd_vmm_parent(&c->v, IOMMU_HWPT_ALLOC_DIRTY_TRACKING));
	return inproc_vmm_attach(&c->v, c->v.parent);
}

int destroy_id(vtd_ctx *c, u32 *id)
{
	int rc = destroy(c->v.fd, *id);

	if (!rc)
		*id = 0;
	return rc;
}

/* The guest's first page reaches guest memory through both stages. */
int check_dma(vtd_ctx *c)
{
	phys_addr_t pa;

	return platform_dev_translate(c->v.pdev, VTD_VMM_GVA + 0x10, false, &pa) == PCI_DMA_OK ?
		       0 : EIO;
}

void teardown(vtd_ctx *c)
{
	if (c->pasid_attached)
		iommufd_device_detach(c->v.idev, pasid);
	inproc_vmm_close(&c->v);
}

/* The edu function (PASID capable), a parent and nested HWPT that may be attached to PASIDs. */
int setup_pasid_parent(vtd_ctx *c)
{
	FAILNTH_TRY(vtd_vmm_open(&c->v, guest, guest_size, VTD_VMM_PASID_BDF));
	return vtd_vmm_parent(&c->v, IOMMU_HWPT_ALLOC_PASID);
}

int nested_pasid_attach(vtd_ctx *c)
{
	u32 pt;

	FAILNTH_TRY(vtd_vmm_nested(&c->v, &c->v.nested, IOMMU_HWPT_ALLOC_PASID));
	pt = c->v.nested;
	FAILNTH_TRY(-iommufd_device_attach(c->v.idev, pasid, &pt));
	c->pasid_attached = true;
	return 0;
}

/* The guest's first page through both stages for a request with the PASID. */
int check_pasid_dma(vtd_ctx *c)
{
	phys_addr_t pa;

	return platform_dev_translate(c->v.pdev, VTD_VMM_GVA + 0x10, false, &pa, pasid, true) ==
			       PCI_DMA_OK ?
		       0 : EIO;
}

/* Page requests across several descriptors' worth, leaf ones, and the whole range. */
constexpr unsigned int nr_inv = 40;
struct iommu_hwpt_vtd_s1_invalidate inv_reqs[nr_inv];

void build_inv_reqs()
{
	for (unsigned int i = 0; i < nr_inv; i++) {
		inv_reqs[i].addr = VTD_VMM_GVA + i * 8 * 4096ULL;
		inv_reqs[i].npages = 1 + i % 8;
		inv_reqs[i].flags = i % 2 ? IOMMU_VTD_INV_FLAGS_LEAF : 0;
	}
	inv_reqs[nr_inv - 1].addr = 0;
	inv_reqs[nr_inv - 1].npages = U64_MAX;
	inv_reqs[nr_inv - 1].flags = 0;
}

int set_dirty_tracking(vtd_ctx *c, bool enable)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? (u32)IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0u,
		.hwpt_id = c->v.parent,
	};

	return inproc_vmm_ioctl(&c->v, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

/* The first 64 pages of guest memory: *@bits gets their dirty bits. */
int get_dirty_bitmap(vtd_ctx *c, u64 *bits)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = c->v.parent,
		.iova = VTD_VMM_GPA,
		.length = 64 * 4096ULL,
		.page_size = 4096,
		.data = (uintptr_t)bits,
	};

	*bits = 0;
	return inproc_vmm_ioctl(&c->v, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* With tracking on, a DMA write to guest page 3 is the one dirty bit read back. */
int dirty_round(vtd_ctx *c)
{
	phys_addr_t pa;
	u64 bits;

	FAILNTH_TRY(set_dirty_tracking(c, true));
	FAILNTH_TRY(get_dirty_bitmap(c, &bits));	/* read and cleared: nothing from before */
	if (platform_dev_translate(c->v.pdev, VTD_VMM_GPA + 3 * 4096 + 8, true, &pa) != PCI_DMA_OK)
		return EIO;
	return get_dirty_bitmap(c, &bits);
}

const struct sweep sweeps[] = {
	{
		.name = "nest_parent_alloc",
		.setup = setup_guest,
		.run = [](vtd_ctx *c) { return vtd_vmm_parent(&c->v, IOMMU_HWPT_ALLOC_DIRTY_TRACKING); },
		.verify = [](vtd_ctx *c) {
			if (c->v.parent)
				FAILNTH_TRY(destroy_id(c, &c->v.parent));
			FAILNTH_TRY(vtd_vmm_parent(&c->v));
			return nested_attach(c) ?: check_dma(c);
		},
		.errnos = { ERRNOS_HWPT_ALLOC },
	},
	{
		.name = "nested_alloc_attach",
		.setup = setup_parent,
		.run = nested_attach,
		.verify = [](vtd_ctx *c) {
			if (!c->v.attached) {
				if (c->v.nested)
					FAILNTH_TRY(destroy_id(c, &c->v.nested));
				FAILNTH_TRY(nested_attach(c));
			}
			return check_dma(c);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "nested_replace",
		.setup = setup_nested,
		.run = [](vtd_ctx *c) {
			u32 other;

			FAILNTH_TRY(vtd_vmm_nested(&c->v, &other));
			return -iommufd_device_replace(c->v.idev, IOMMU_NO_PASID, &other);
		},
		/* Back to the first nested domain, whatever the run left attached */
		.verify = [](vtd_ctx *c) {
			u32 nested = c->v.nested;

			FAILNTH_TRY(-iommufd_device_replace(c->v.idev, IOMMU_NO_PASID, &nested));
			return check_dma(c);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "nested_pasid_attach",
		.setup = setup_pasid_parent,
		.run = nested_pasid_attach,
		.verify = [](vtd_ctx *c) {
			if (!c->pasid_attached) {
				if (c->v.nested)
					FAILNTH_TRY(destroy_id(c, &c->v.nested));
				FAILNTH_TRY(nested_pasid_attach(c));
			}
			return check_pasid_dma(c);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "hwpt_invalidate",
		.setup = setup_nested,
		.run = [](vtd_ctx *c) {
			return vtd_vmm_invalidate(&c->v, c->v.nested, inv_reqs, nr_inv, NULL);
		},
		.verify = [](vtd_ctx *c) {
			u32 done = 0;

			FAILNTH_TRY(vtd_vmm_invalidate(&c->v, c->v.nested, inv_reqs, nr_inv,
						       &done));
			if (done != nr_inv)
				return EIO;
			return check_dma(c);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "dirty_tracking",
		.setup = setup_dirty,
		.run = dirty_round,
		.verify = [](vtd_ctx *c) {
			phys_addr_t pa;
			u64 bits;

			FAILNTH_TRY(dirty_round(c));
			if (platform_dev_translate(c->v.pdev, VTD_VMM_GPA + 5 * 4096, true, &pa) !=
			    PCI_DMA_OK)
				return EIO;
			FAILNTH_TRY(get_dirty_bitmap(c, &bits));
			if (!(bits & (1ULL << 5)))
				return EIO;
			return set_dirty_tracking(c, false);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
};

int prepare()
{
	vtd_platform_iommu(platform_iommu_get(0))->quiet_faults = true;
	guest = failnth_shared_buffer(guest_size, 0);
	if (!guest)
		return -ENOMEM;
	vtd_vmm_guest_s1(guest, 1);
	build_inv_reqs();
	return 0;
}

FAILNTH_PLATFORM_SUITE(failnth_vtd, "iommufd-failnth-vtd", "vtd", sweeps, max_points,
		       teardown, prepare);

} // namespace

kunit_test_suite(failnth_vtd_suite);
