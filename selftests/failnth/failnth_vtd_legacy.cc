// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over Intel VT-d's legacy-mode paths on the vtd-legacy
 * platform (a unit without scalable mode or invalidation queue, booted
 * in-process; the I/OAT function bound to the iommufd as VFIO's cdev bind
 * does): IOMMU_HWPT_ALLOC of a second-stage domain and its attach (the
 * device's legacy context entry written), the IOAS's own domain attached
 * then guest memory mapped (range flushes through the IOTLB registers),
 * and an attach replacing one HWPT by another (the context entry cleared,
 * the context cache and the old DID's IOTLB invalidated through CCMD and
 * IOTLB_REG, the new entry written).
 *
 * The loop is failnth.h's: for n = 1, 2, ... a fresh VMM, the n-th
 * injection point of the row's sequence fails, the errno must be one the
 * path can give, a follow-up not under injection must work (the device's
 * DMA to guest memory must translate, and an unmapped page must not), and
 * closing the VMM must free everything allocated since it was opened.
 */
#include "failnth_platform.h"

#include "drivers/intel/iommu.h"
#include "drivers/intel/tests/vtd_vmm.h"

namespace {

constexpr unsigned int max_points = 5000;
constexpr size_t guest_size = 2UL << 20;
void *guest;

struct legacy_ctx {
	struct inproc_vmm v;
	u32 hwpt = 0;
};

struct sweep {
	const char *name;
	int (*setup)(legacy_ctx *c);
	int (*run)(legacy_ctx *c);
	int (*verify)(legacy_ctx *c);
	int errnos[8];
};

/* Guest memory as two areas, its first page and the rest (an unmap takes whole areas). */
int map_guest(legacy_ctx *c)
{
	FAILNTH_TRY(inproc_vmm_map_guest(&c->v, guest, 4096, VTD_VMM_GPA));
	return inproc_vmm_map_guest(&c->v, (u8 *)guest + 4096, guest_size - 4096,
				    VTD_VMM_GPA + 4096);
}

int setup_guest(legacy_ctx *c)
{
	FAILNTH_TRY(inproc_vmm_open(&c->v, VTD_VMM_BDF));
	return map_guest(c);
}

/* The I/OAT function bound, the IOAS's automatic domain attached, nothing mapped. */
int setup_attached(legacy_ctx *c)
{
	FAILNTH_TRY(inproc_vmm_open(&c->v, VTD_VMM_BDF));
	return inproc_vmm_attach(&c->v, c->v.ioas);
}

int hwpt_attach(legacy_ctx *c)
{
	FAILNTH_TRY(inproc_vmm_hwpt_alloc(&c->v, c->v.ioas, 0, IOMMU_HWPT_DATA_NONE, nullptr, 0,
					  &c->hwpt));
	return inproc_vmm_attach(&c->v, c->hwpt);
}

int setup_hwpt(legacy_ctx *c)
{
	FAILNTH_TRY(setup_guest(c));
	return hwpt_attach(c);
}

/* Guest page @pg: translated (0), refused (EIO) or neither as @want says. */
int check_dma(legacy_ctx *c, unsigned int pg, bool want)
{
	phys_addr_t pa;
	bool ok = platform_dev_translate(c->v.pdev, VTD_VMM_GPA + pg * 4096ULL + 0x10, true,
					 &pa) == PCI_DMA_OK;

	return ok == want ? 0 : EIO;
}

/* All but guest page 0 unmapped: page 1's DMA refused (the IOTLB flushed), page 0's not. */
int unmap_one(legacy_ctx *c)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = c->v.ioas,
		.iova = VTD_VMM_GPA + 4096,
		.length = guest_size - 4096,
	};

	FAILNTH_TRY(check_dma(c, 1, true));
	FAILNTH_TRY(inproc_vmm_ioctl(&c->v, IOMMU_IOAS_UNMAP, &unmap));
	FAILNTH_TRY(check_dma(c, 1, false));
	return check_dma(c, 0, true);
}

void teardown(legacy_ctx *c)
{
	inproc_vmm_close(&c->v);
	c->hwpt = 0;
}

const struct sweep sweeps[] = {
	{
		.name = "legacy_hwpt_alloc_attach",
		.setup = setup_guest,
		.run = hwpt_attach,
		.verify = [](legacy_ctx *c) {
			if (!c->v.attached) {
				if (c->hwpt)
					FAILNTH_TRY(destroy(c->v.fd, c->hwpt));
				FAILNTH_TRY(hwpt_attach(c));
			}
			return unmap_one(c);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
	{
		.name = "legacy_ioas_map",
		.setup = setup_attached,
		.run = map_guest,
		/* Mapped afresh, whatever the run left */
		.verify = [](legacy_ctx *c) {
			struct iommu_ioas_unmap unmap = {
				.size = sizeof(unmap),
				.ioas_id = c->v.ioas,
				.length = U64_MAX,
			};

			FAILNTH_TRY(inproc_vmm_ioctl(&c->v, IOMMU_IOAS_UNMAP, &unmap));
			FAILNTH_TRY(map_guest(c));
			return unmap_one(c);
		},
		.errnos = { FAILNTH_ERRNOS_BASE },
	},
	{
		.name = "legacy_replace",
		.setup = setup_hwpt,
		.run = [](legacy_ctx *c) {
			u32 other;

			FAILNTH_TRY(inproc_vmm_hwpt_alloc(&c->v, c->v.ioas, 0, IOMMU_HWPT_DATA_NONE,
							  nullptr, 0, &other));
			return -iommufd_device_replace(c->v.idev, IOMMU_NO_PASID, &other);
		},
		/* Back to the first HWPT, whatever the run left attached */
		.verify = [](legacy_ctx *c) {
			u32 hwpt = c->hwpt;

			FAILNTH_TRY(-iommufd_device_replace(c->v.idev, IOMMU_NO_PASID, &hwpt));
			return unmap_one(c);
		},
		.errnos = { FAILNTH_ERRNOS_ATTACH },
	},
};

int prepare()
{
	vtd_platform_iommu(platform_iommu_get(0))->quiet_faults = true;
	guest = failnth_shared_buffer(guest_size, 0);
	return guest ? 0 : -ENOMEM;
}

FAILNTH_PLATFORM_SUITE(failnth_vtd_legacy, "iommufd-failnth-vtd-legacy", "vtd-legacy", sweeps,
		       max_points, teardown, prepare);

} // namespace

kunit_test_suite(failnth_vtd_legacy_suite);
