// SPDX-License-Identifier: GPL-2.0
/*
 * --trace of what the vendors put behind a pointer: the driver data of a
 * nested IOMMU_HWPT_ALLOC (an SMMUv3 vSTE, a VT-d stage-1 config, an AMD
 * guest DTE, the selftest driver's IOTLB value) and the entries of an
 * IOMMU_HWPT_INVALIDATE (SMMUv3 commands by name, VT-d ranges, selftest
 * IOTLB IDs), decoded with the field names of the vendors' hw/ headers;
 * and what comes back behind one: IOMMU_GET_HW_INFO's registers (SMMUv3
 * IDRs, VT-d CAP/ECAP, AMD EFR/EFR2, Tegra241 CMDQV parameters) and a
 * vendor vIOMMU's driver data (the CMDQV VINTF's or the AMD VF page's mmap
 * offset):
 *
 *   ioctl(3, IOMMU_HWPT_ALLOC, {flags=0, dev_id=2, pt_id=5, data_type=2, ...}
 *         vSTE{V=1, Config=NESTED(7), S1Fmt=0, S1ContextPtr=0x40000000, S1CDMax=0,
 *              S1DSS=0, EATS=0}) = 0 {out_hwpt_id=7}
 *   ioctl(3, IOMMU_HWPT_INVALIDATE, {hwpt_id=6, data_type=1, ...}
 *         [TLBI_NH_VA{VMID=0, ASID=1, VA=0x200000, LEAF=1}, CMD_SYNC{}]) = 0
 *
 * Read from the client's memory after the call's input is decoded, at most
 * STEPS entries; what cannot be read says so.
 */
#include "harness/server/server_internal.h"

#include "drivers/amd/hw/amd-iommu-hw.h"
#include "drivers/arm-smmu-v3/hw/arm-smmu-v3-hw.h"

#include <linux/iommufd.h>
#include <linux/iommufd_experimental.h>
#include <linux/iommufd_test.h>

#include <algorithm>
#include <cinttypes>
#include <cstring>

namespace {

constexpr unsigned int STEPS = 8;

const char *ste_config(u64 cfg)
{
	switch (cfg) {
	case STRTAB_STE_0_CFG_ABORT: return "ABORT";
	case STRTAB_STE_0_CFG_BYPASS: return "BYPASS";
	case STRTAB_STE_0_CFG_S1_TRANS: return "S1_TRANS";
	case STRTAB_STE_0_CFG_S2_TRANS: return "S2_TRANS";
	case STRTAB_STE_0_CFG_NESTED: return "NESTED";
	default: return "RESERVED";
	}
}

void decode_vste(char *out, size_t len, const u64 *ste)
{
	ufd_trace_append(out, len,
	    " vSTE{V=%" PRIu64 ", Config=%s(%" PRIu64 "), S1Fmt=%" PRIu64
	    ", S1ContextPtr=%#" PRIx64 ", S1CDMax=%" PRIu64 ", S1DSS=%" PRIu64 ", EATS=%" PRIu64
	    "}",
	    FIELD_GET(STRTAB_STE_0_V, ste[0]), ste_config(FIELD_GET(STRTAB_STE_0_CFG, ste[0])),
	    FIELD_GET(STRTAB_STE_0_CFG, ste[0]), FIELD_GET(STRTAB_STE_0_S1FMT, ste[0]),
	    ste[0] & STRTAB_STE_0_S1CTXPTR_MASK, FIELD_GET(STRTAB_STE_0_S1CDMAX, ste[0]),
	    FIELD_GET(STRTAB_STE_1_S1DSS, ste[1]), FIELD_GET(STRTAB_STE_1_EATS, ste[1]));
}

void decode_amd_dte(char *out, size_t len, const u64 *raw)
{
	struct dev_table_entry dte;

	memcpy(dte.data, raw, sizeof(dte.data));
	ufd_trace_append(out, len,
	    " gDTE{V=%" PRIu64 ", TV=%" PRIu64 ", Mode=%" PRIu64 ", GV=%" PRIu64 ", GLX=%" PRIu64
	    ", GCR3=%#" PRIx64 ", GuestPagingMode=%" PRIu64 ", DomainID=%" PRIu64 "}",
	    FIELD_GET(DTE_FLAG_V, dte.data[0]), FIELD_GET(DTE_FLAG_TV, dte.data[0]),
	    FIELD_GET(DTE_MODE_MASK, dte.data[0]), FIELD_GET(DTE_FLAG_GV, dte.data[0]),
	    FIELD_GET(DTE_GLX, dte.data[0]), dte_gcr3_root(&dte),
	    FIELD_GET(DTE_GPT_LEVEL_MASK, dte.data[2]), dte.data[1] & DEV_DOMID_MASK);
}

struct op_name {
	u8 op;
	const char *name;
};

const op_name smmu_ops[] = {
	{CMDQ_OP_PREFETCH_CFG, "PREFETCH_CFG"}, {CMDQ_OP_PREFETCH_ADDR, "PREFETCH_ADDR"},
	{CMDQ_OP_CFGI_STE, "CFGI_STE"}, {CMDQ_OP_CFGI_STE_RANGE, "CFGI_STE_RANGE"},
	{CMDQ_OP_CFGI_CD, "CFGI_CD"}, {CMDQ_OP_CFGI_CD_ALL, "CFGI_CD_ALL"},
	{CMDQ_OP_CFGI_VMS_PIDM, "CFGI_VMS_PIDM"}, {CMDQ_OP_TLBI_NH_ALL, "TLBI_NH_ALL"},
	{CMDQ_OP_TLBI_NH_ASID, "TLBI_NH_ASID"}, {CMDQ_OP_TLBI_NH_VA, "TLBI_NH_VA"},
	{CMDQ_OP_TLBI_NH_VAA, "TLBI_NH_VAA"}, {CMDQ_OP_TLBI_EL3_ALL, "TLBI_EL3_ALL"},
	{CMDQ_OP_TLBI_EL3_VA, "TLBI_EL3_VA"}, {CMDQ_OP_TLBI_EL2_ALL, "TLBI_EL2_ALL"},
	{CMDQ_OP_TLBI_EL2_ASID, "TLBI_EL2_ASID"}, {CMDQ_OP_TLBI_EL2_VA, "TLBI_EL2_VA"},
	{CMDQ_OP_TLBI_EL2_VAA, "TLBI_EL2_VAA"}, {CMDQ_OP_TLBI_S12_VMALL, "TLBI_S12_VMALL"},
	{CMDQ_OP_TLBI_S2_IPA, "TLBI_S2_IPA"}, {CMDQ_OP_TLBI_NSNH_ALL, "TLBI_NSNH_ALL"},
	{CMDQ_OP_ATC_INV, "ATC_INV"}, {CMDQ_OP_PRI_RESP, "PRI_RESP"},
	{CMDQ_OP_RESUME, "RESUME"}, {CMDQ_OP_STALL_TERM, "STALL_TERM"},
	{CMDQ_OP_CMD_SYNC, "CMD_SYNC"},
};

void decode_smmu_cmd(char *out, size_t len, const u64 *cmd)
{
	u8 op = (u8)FIELD_GET(CMDQ_0_OP, cmd[0]);
	const char *name = nullptr;

	for (const op_name &o : smmu_ops)
		if (o.op == op)
			name = o.name;
	if (!name) {
		ufd_trace_append(out, len, "op %#x{%#" PRIx64 ", %#" PRIx64 "}", op, cmd[0], cmd[1]);
		return;
	}
	ufd_trace_append(out, len, "%s{", name);
	switch (op) {
	case CMDQ_OP_CFGI_STE:
	case CMDQ_OP_CFGI_CD:
		ufd_trace_append(out, len, "SID=%#" PRIx64 ", SSID=%" PRIu64 ", LEAF=%" PRIu64,
		    FIELD_GET(CMDQ_CFGI_0_SID, cmd[0]), FIELD_GET(CMDQ_CFGI_0_SSID, cmd[0]),
		    FIELD_GET(CMDQ_CFGI_1_LEAF, cmd[1]));
		break;
	case CMDQ_OP_CFGI_CD_ALL:
		ufd_trace_append(out, len, "SID=%#" PRIx64, FIELD_GET(CMDQ_CFGI_0_SID, cmd[0]));
		break;
	case CMDQ_OP_TLBI_NH_ASID:
	case CMDQ_OP_TLBI_NH_ALL:
		ufd_trace_append(out, len, "VMID=%" PRIu64 ", ASID=%" PRIu64, FIELD_GET(CMDQ_TLBI_0_VMID, cmd[0]),
		    FIELD_GET(CMDQ_TLBI_0_ASID, cmd[0]));
		break;
	case CMDQ_OP_TLBI_NH_VA:
	case CMDQ_OP_TLBI_NH_VAA:
		ufd_trace_append(out, len,
		    "VMID=%" PRIu64 ", ASID=%" PRIu64 ", VA=%#" PRIx64 ", NUM=%" PRIu64
		    ", LEAF=%" PRIu64,
		    FIELD_GET(CMDQ_TLBI_0_VMID, cmd[0]), FIELD_GET(CMDQ_TLBI_0_ASID, cmd[0]),
		    cmd[1] & CMDQ_TLBI_1_VA_MASK, FIELD_GET(CMDQ_TLBI_0_NUM, cmd[0]),
		    FIELD_GET(CMDQ_TLBI_1_LEAF, cmd[1]));
		break;
	case CMDQ_OP_TLBI_S2_IPA:
		ufd_trace_append(out, len, "VMID=%" PRIu64 ", IPA=%#" PRIx64, FIELD_GET(CMDQ_TLBI_0_VMID, cmd[0]),
		    cmd[1] & CMDQ_TLBI_1_IPA_MASK);
		break;
	case CMDQ_OP_TLBI_S12_VMALL:
		ufd_trace_append(out, len, "VMID=%" PRIu64, FIELD_GET(CMDQ_TLBI_0_VMID, cmd[0]));
		break;
	case CMDQ_OP_ATC_INV:
		ufd_trace_append(out, len, "SID=%#" PRIx64 ", SSID=%" PRIu64 ", ADDR=%#" PRIx64,
		    FIELD_GET(CMDQ_ATC_0_SID, cmd[0]), FIELD_GET(CMDQ_ATC_0_SSID, cmd[0]),
		    cmd[1] & CMDQ_ATC_1_ADDR_MASK);
		break;
	default:
		break;
	}
	ufd_trace_append(out, len, "}");
}

struct flag_name {
	u64 bit;
	const char *name;
};

/* "SRE|WPE", "LEAF|0x4", "0": the named bits, then what is left. */
template <size_t N>
void add_flags(char *out, size_t len, u64 v, const flag_name (&names)[N])
{
	bool any = false;

	for (const flag_name &f : names)
		if (v & f.bit) {
			ufd_trace_append(out, len, "%s%s", any ? "|" : "", f.name);
			v &= ~f.bit;
			any = true;
		}
	if (v || !any)
		ufd_trace_append(out, len, "%s%#" PRIx64, any ? "|" : "", v);
}

const flag_name vtd_s1_flags[] = {
	{IOMMU_VTD_S1_SRE, "SRE"}, {IOMMU_VTD_S1_EAFE, "EAFE"}, {IOMMU_VTD_S1_WPE, "WPE"},
};
const flag_name vtd_inv_flags[] = {{IOMMU_VTD_INV_FLAGS_LEAF, "LEAF"}};

/* Up to @len bytes at @uptr, or false. */
bool fetch(u64 uptr, void *buf, size_t len)
{
	return uptr && ufd_trace_peek(uptr, buf, len);
}

void hwpt_alloc_data(char *out, size_t len, const struct iommu_hwpt_alloc *a)
{
	u64 raw[4] = {};
	size_t want = std::min<size_t>(a->data_len, sizeof(raw));

	if (a->data_type == IOMMU_HWPT_DATA_NONE || !a->data_len)
		return;
	if (!fetch(a->data_uptr, raw, want)) {
		ufd_trace_append(out, len, " data unreadable");
		return;
	}
	switch (a->data_type) {
	case IOMMU_HWPT_DATA_ARM_SMMUV3:
		decode_vste(out, len, raw);
		break;
	case IOMMU_HWPT_DATA_VTD_S1: {
		struct iommu_hwpt_vtd_s1 s1;

		memcpy(&s1, raw, sizeof(s1));
		ufd_trace_append(out, len, " vtd_s1{flags=");
		add_flags(out, len, s1.flags, vtd_s1_flags);
		ufd_trace_append(out, len, ", pgtbl_addr=%#" PRIx64 ", addr_width=%u}", (u64)s1.pgtbl_addr,
		    s1.addr_width);
		break;
	}
	case IOMMU_HWPT_DATA_AMD_GUEST:
		decode_amd_dte(out, len, raw);
		break;
	case IOMMU_HWPT_DATA_SELFTEST:
		ufd_trace_append(out, len, " selftest{iotlb=%#x}", (u32)raw[0]);
		break;
	default:
		ufd_trace_append(out, len, " data_type %u: %u bytes", a->data_type, a->data_len);
		break;
	}
}

void hwpt_invalidate_entries(char *out, size_t len, const struct iommu_hwpt_invalidate *inv)
{
	unsigned int n = std::min(inv->entry_num, STEPS);

	if (!inv->entry_num || !inv->entry_len)
		return;
	ufd_trace_append(out, len, " [");
	for (unsigned int i = 0; i < n; i++) {
		u64 raw[4] = {};
		u64 at = inv->data_uptr + (u64)i * inv->entry_len;

		if (i)
			ufd_trace_append(out, len, ", ");
		if (!fetch(at, raw, std::min<size_t>(inv->entry_len, sizeof(raw)))) {
			ufd_trace_append(out, len, "unreadable");
			break;
		}
		switch (inv->data_type) {
		case IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3:
			decode_smmu_cmd(out, len, raw);
			break;
		case IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: {
			struct iommu_hwpt_vtd_s1_invalidate e;

			memcpy(&e, raw, sizeof(e));
			ufd_trace_append(out, len, "{addr=%#" PRIx64 ", npages=%#" PRIx64 ", flags=", (u64)e.addr,
			    (u64)e.npages);
			add_flags(out, len, e.flags, vtd_inv_flags);
			ufd_trace_append(out, len, "}");
			break;
		}
		case IOMMU_HWPT_INVALIDATE_DATA_SELFTEST:
			/* struct iommu_hwpt_invalidate_selftest: flags, then iotlb_id */
			ufd_trace_append(out, len, "{iotlb_id=%u, flags=%#x}", (u32)(raw[0] >> 32), (u32)raw[0]);
			break;
		default:
			ufd_trace_append(out, len, "%#" PRIx64, raw[0]);
			break;
		}
	}
	if (inv->entry_num > n)
		ufd_trace_append(out, len, ", ... %u in all", inv->entry_num);
	ufd_trace_append(out, len, "]");
}

/* What IOMMU_GET_HW_INFO wrote: the vendor's registers, by their names. */
void hw_info_data(char *out, size_t len, const struct iommu_hw_info *h)
{
	u64 raw[5] = {};
	size_t got = std::min<size_t>(h->data_len, sizeof(raw));

	if (!h->data_len || !h->data_uptr)
		return;
	if (!fetch(h->data_uptr, raw, got)) {
		ufd_trace_append(out, len, " data unreadable");
		return;
	}
	switch (h->out_data_type) {
	case IOMMU_HW_INFO_TYPE_ARM_SMMUV3: {
		struct iommu_hw_info_arm_smmuv3 i;

		memcpy(&i, raw, std::min(sizeof(i), sizeof(raw)));
		ufd_trace_append(out, len, " smmuv3{IDR0=%#x, IDR1=%#x, IDR3=%#x, IDR5=%#x, IIDR=%#x, AIDR=%#x}",
		    i.idr[0], i.idr[1], i.idr[3], i.idr[5], i.iidr, i.aidr);
		break;
	}
	case IOMMU_HW_INFO_TYPE_INTEL_VTD: {
		struct iommu_hw_info_vtd i;

		memcpy(&i, raw, sizeof(i));
		ufd_trace_append(out, len, " vtd{flags=%#x, CAP=%#" PRIx64 ", ECAP=%#" PRIx64 "}", i.flags,
		    (u64)i.cap_reg, (u64)i.ecap_reg);
		break;
	}
	case IOMMU_HW_INFO_TYPE_AMD: {
		struct iommu_hw_info_amd i;

		memcpy(&i, raw, sizeof(i));
		ufd_trace_append(out, len, " amd{EFR=%#" PRIx64 ", EFR2=%#" PRIx64 "}", (u64)i.efr,
		    (u64)i.efr2);
		break;
	}
	case IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV: {
		struct iommu_hw_info_tegra241_cmdqv i;

		memcpy(&i, raw, sizeof(i));
		ufd_trace_append(out, len, " tegra241_cmdqv{version=%u, log2vcmdqs=%u, log2vsids=%u}",
		    i.version, i.log2vcmdqs, i.log2vsids);
		break;
	}
	default:
		ufd_trace_append(out, len, " data_type %u: %u bytes", h->out_data_type, h->data_len);
		break;
	}
}

/* What a vIOMMU of a vendor type handed back through its driver data. */
void viommu_alloc_data(char *out, size_t len, const struct iommu_viommu_alloc *a)
{
	u64 raw[3] = {};

	if (!a->data_len || !a->data_uptr)
		return;
	if (!fetch(a->data_uptr, raw, std::min<size_t>(a->data_len, sizeof(raw)))) {
		ufd_trace_append(out, len, " data unreadable");
		return;
	}
	switch (a->type) {
	case IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV:
		ufd_trace_append(out, len, " vintf{mmap_offset=%#" PRIx64 ", mmap_length=%#" PRIx64 "}",
		    raw[0], raw[1]);
		break;
	case IOMMU_VIOMMU_TYPE_AMD: {
		struct iommu_viommu_amd v;

		memcpy(&v, raw, sizeof(v));
		ufd_trace_append(out, len,
		    " amd_viommu{guest_id=%u, vf_mmio_offset=%#" PRIx64 ", vf_mmio_length=%#" PRIx64 "}",
		    v.out_guest_id, (u64)v.out_vf_mmio_offset, (u64)v.out_vf_mmio_length);
		break;
	}
	default:
		ufd_trace_append(out, len, " data: %u bytes", a->data_len);
		break;
	}
}

} // namespace

void ufd_trace_vendor_out(char *out, size_t len, unsigned long cmd, const u8 *buf, size_t n)
{
	if (cmd == IOMMU_GET_HW_INFO && n >= sizeof(struct iommu_hw_info))
		hw_info_data(out, len, (const struct iommu_hw_info *)buf);
	else if (cmd == IOMMU_VIOMMU_ALLOC && n >= sizeof(struct iommu_viommu_alloc))
		viommu_alloc_data(out, len, (const struct iommu_viommu_alloc *)buf);
}

void ufd_trace_vendor_in(char *out, size_t len, unsigned long cmd, const u8 *buf, size_t n)
{
	if (cmd == IOMMU_HWPT_ALLOC && n >= offsetof(struct iommu_hwpt_alloc, data_uptr) + 8)
		hwpt_alloc_data(out, len, (const struct iommu_hwpt_alloc *)buf);
	else if (cmd == IOMMU_HWPT_INVALIDATE &&
		 n >= offsetof(struct iommu_hwpt_invalidate, entry_num) + 4)
		hwpt_invalidate_entries(out, len, (const struct iommu_hwpt_invalidate *)buf);
}
