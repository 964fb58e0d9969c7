// SPDX-License-Identifier: GPL-2.0
/*
 * The model's caches, entry by entry, for digests (harness/cache_lines.h):
 * the TLB by regime, VMID, ASID and page, the configuration caches by
 * StreamID (and SubstreamID), the ATC by StreamID, SubstreamID and page.
 */
#include "drivers/arm-smmu-v3/model/model_internal.h"

#include "harness/cache_lines.h"

static const char *const smmuv3_regime_names[] = { "nh", "el2", "s2" };

void smmuv3_model_describe_caches(struct smmuv3_model *m, unsigned int max, cache_line_fn emit,
				  void *arg)
{
	std::vector<std::string> lines;

	smmuv3_lock(m);
	for (const auto &[k, v] : m->tlb)
		cache_line_add(&lines, "tlb %s vmid %u asid %u %#llx/%u%s %s",
			       smmuv3_regime_names[k.regime % 3], k.vmid, k.asid,
			       (unsigned long long)k.page, k.size_lg2, k.nested ? " nested" : "",
			       cache_perm(v.perm));
	for (const auto &[sid, ste] : m->ste_cache)
		cache_line_add(&lines, "ste sid %#x config %u vmid %u", sid, ste.config, ste.vmid);
	for (const auto &[k, cd] : m->cd_cache)
		cache_line_add(&lines, "cd sid %#x ssid %#x asid %u", k.sid, k.ssid, cd.asid);
	for (const auto &[k, v] : m->atc) {
		char ssid[24] = "";

		if (k.ssv)
			snprintf(ssid, sizeof(ssid), " ssid %#x", k.ssid);
		cache_line_add(&lines, "atc sid %#x%s %#llx %s%s", k.sid, ssid,
			       (unsigned long long)k.page, v.r ? "r" : "-", v.w ? "w" : "-");
	}
	smmuv3_unlock(m);
	cache_lines_emit(&lines, max, emit, arg);
}
