// SPDX-License-Identifier: GPL-2.0
/*
 * The unit's caches, entry by entry, for digests (harness/cache_lines.h):
 * the context cache by source-id, the PASID cache by source-id and PASID,
 * the IOTLB by domain, PASID, mapping kind and page, the device-TLB by
 * source-id, PASID and page.
 */
#include "drivers/intel/model/model_internal.h"

#include "harness/cache_lines.h"

static const char *const vtd_map_kind_names[] = { "ss", "fs", "nested" };

void vtd_model_describe_caches(struct vtd_model *m, unsigned int max, cache_line_fn emit,
			       void *arg)
{
	std::vector<std::string> lines;
	char pasid[24];

	vtd_lock(m);
	for (const auto &[sid, ctx] : m->ctx_cache)
		cache_line_add(&lines, "context sid %#x %s did %u", sid, ctx.sm ? "sm" : "legacy",
			       ctx.did);
	for (const auto &[k, e] : m->pasid_cache)
		cache_line_add(&lines, "pasid sid %#x pasid %#x pgtt %u did %u", k.sid, k.pasid, e.pgtt,
			       e.did);
	for (const auto &[k, v] : m->iotlb) {
		cache_pasid(pasid, sizeof(pasid), k.pasid, VTD_NO_PASID);
		cache_line_add(&lines, "iotlb did %u%s %s %#llx/%u %s", k.did, pasid,
			       vtd_map_kind_names[k.kind % 3], (unsigned long long)k.page, k.size_lg2,
			       cache_perm(v.perm));
	}
	for (const auto &[k, v] : m->devtlb) {
		cache_pasid(pasid, sizeof(pasid), k.pasid, VTD_NO_PASID);
		cache_line_add(&lines, "devtlb sid %#x%s %#llx %s%s", k.sid, pasid,
			       (unsigned long long)k.page, v.r ? "r" : "-", v.w ? "w" : "-");
	}
	vtd_unlock(m);
	cache_lines_emit(&lines, max, emit, arg);
}
