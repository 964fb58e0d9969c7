/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A platform description: which IOMMU instances the machine has and which
 * PCI functions sit behind each. Parsed from JSON (an embedded default, or
 * a file the user names), checked whole before anything is built from it:
 * a bad description is one line naming the file, the field and what is
 * wrong, never a half-built machine.
 *
 * Names of IOMMU and device kinds are looked up in the registries
 * (platform.h), so a vendor IOMMU or a new device model becomes usable in
 * platform files by registering its kind; nothing here knows the kinds.
 */
#pragma once

#include "harness/compiler.h"

#include <map>
#include <string>
#include <vector>

struct platform_iommu_desc {
	std::string name;		/* unique, e.g. "iommu0" */
	std::string kind;		/* a registered platform_iommu_kind, e.g. "mock" */
	/* Capability overrides by the kind's names (checked by the kind). */
	std::map<std::string, u64> caps;
};

struct platform_device_desc {
	std::string kind;		/* a registered platform_device_kind, e.g. "ioat" */
	u16 segment = 0;
	u8 bus = 0;
	u8 devfn = 0;			/* slot << 3 | function */
	std::string iommu;		/* name of the platform_iommu_desc it sits behind */
	/* Requester ID (bus << 8 | devfn unless given), StreamID and DeviceID (RID unless given). */
	u32 rid = 0;
	u32 stream_id = 0;
	u32 device_id = 0;
	/* IOMMU group number; devices that share one are in one group. -1: a group of its own. */
	int group = -1;
	u32 pasid_bits = 0;		/* 0: no PASID capability, else its Max PASID Width */
	bool ats = false;
	bool pri = false;
};

struct platform_desc {
	std::string name;		/* "default", or the file's name */
	std::string description;	/* one line, optional */
	std::vector<platform_iommu_desc> iommus;
	std::vector<platform_device_desc> devices;
};

/*
 * Parses @text (the contents of @source, a name used in messages).
 * 0, or -EINVAL with *@err set to one line: "SOURCE: FIELD: what is wrong".
 * Checks everything it can without building: JSON syntax, types and ranges
 * of every field, unknown fields, kinds registered, capability names and
 * values (through the kind), unique IOMMU names, unique BDFs, RIDs unique
 * per IOMMU, group numbers consistent (one IOMMU per group).
 */
int platform_desc_parse(const std::string &text, const std::string &source,
			struct platform_desc *out, std::string *err);

/*
 * @what is an embedded platform's name ("default") or a file path (anything
 * containing '/' or ending in ".json"). 0, -ENOENT (no such platform or
 * unreadable file, *@err says which), or platform_desc_parse()'s -EINVAL.
 */
int platform_desc_load(const std::string &what, struct platform_desc *out, std::string *err);

/* Names of the embedded platforms. */
std::vector<std::string> platform_desc_builtin_names(void);

/* "0000:00:03.0" */
std::string platform_bdf_name(u16 segment, u8 bus, u8 devfn);

/*
 * The topology as an lspci-like tree, one line per IOMMU and per device
 * with its BDF, kind, vendor:device, IOMMU, group, RID/SID/DevID, PASID,
 * ATS, PRI, and the cdev (/dev/vfio/devices/vfioN) it will get.
 */
std::string platform_desc_tree(const struct platform_desc &desc);
