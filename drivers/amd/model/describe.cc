// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU's caches, entry by entry, for digests (harness/cache_lines.h):
 * the DTE cache by DeviceID, the IOTLB by DomainID, PASID and page, the
 * PDE cache by DomainID and 2 MiB region, the device-TLB by DeviceID,
 * PASID and page.
 */
#include "drivers/amd/model/model_internal.h"

#include "harness/cache_lines.h"

void amd_iommu_model_describe_caches(struct amd_iommu_model *m, unsigned int max,
				     cache_line_fn emit, void *arg)
{
	std::vector<std::string> lines;
	char pasid[24];

	amd_lock(m);
	for (const auto &[devid, dte] : m->dte_cache)
		cache_line_add(&lines, "dte devid %#x v %u tv %u mode %u domid %u%s", devid, dte.v,
			       dte.tv, dte.mode, dte.domid, dte.gv ? " gv" : "");
	for (const auto &[k, v] : m->iotlb) {
		cache_pasid(pasid, sizeof(pasid), k.pasid, AMD_NO_PASID);
		cache_line_add(&lines, "iotlb domid %u%s %#llx/%u%s %s", k.domid, pasid,
			       (unsigned long long)k.page, k.size_lg2, v.nested ? " nested" : "",
			       cache_perm(v.perm));
	}
	for (const auto &[k, v] : m->pde_cache)
		cache_line_add(&lines, "pde domid %u region %#llx", k.domid,
			       (unsigned long long)k.region << 21);
	for (const auto &[k, v] : m->devtlb) {
		cache_pasid(pasid, sizeof(pasid), k.pasid, AMD_NO_PASID);
		cache_line_add(&lines, "devtlb devid %#x%s %#llx %s%s", k.devid, pasid,
			       (unsigned long long)k.page, v.r ? "r" : "-", v.w ? "w" : "-");
	}
	amd_unlock(m);
	cache_lines_emit(&lines, max, emit, arg);
}
