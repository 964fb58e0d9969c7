// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of platform descriptions (desc.h): every field read back,
 * the defaults, each rule refusing bad input with -EINVAL and one line
 * naming the exact field, loading embedded platforms and files, the group
 * numbering, the tree, and robustness against truncated and corrupted
 * texts (only 0 or -EINVAL, never a crash).
 *
 * The tests bring their own kinds ("test-iommu", "test-dev"), so they do
 * not depend on which drivers and device models are linked in.
 */
#include "kunit.h"

#include "harness/platform/desc.h"
#include "harness/platform/platform.h"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <random>
#include <unistd.h>

static const char *const test_iommu_caps[] = {"pgsize", "ias", nullptr};

static int test_iommu_check_cap(const char *cap, u64 val, std::string *why)
{
	if (!strcmp(cap, "ias") && (val < 32 || val > 64)) {
		*why = "ias must be 32-64";
		return -EINVAL;
	}
	return 0;
}

static const struct platform_iommu_kind test_iommu_kind = {
	.name = "test-iommu",
	.summary = "an IOMMU kind of the description tests",
	.cap_names = test_iommu_caps,
	.check_cap = test_iommu_check_cap,
};
PLATFORM_IOMMU_KIND(test_iommu_kind);

/* No capabilities at all. */
static const struct platform_iommu_kind test_iommu_bare_kind = {
	.name = "test-iommu-bare",
	.summary = "",
};
PLATFORM_IOMMU_KIND(test_iommu_bare_kind);

static const struct platform_device_kind test_dev_kind = {
	.name = "test-dev",
	.summary = "a device kind of the description tests",
	.vendor = 0x1234,
	.device = 0x5678,
};
PLATFORM_DEVICE_KIND(test_dev_kind);

/* Every field set, two IOMMUs. */
static const char full_text[] = R"({
	"name": "full",
	"description": "every field",
	"iommus": [
		{ "name": "i0", "kind": "test-iommu", "caps": { "pgsize": "0x40201000", "ias": 48 } },
		{ "name": "i1", "kind": "test-iommu-bare" }
	],
	"devices": [
		{ "bdf": "0001:02:03.4", "kind": "test-dev", "iommu": "i0", "rid": "0x1234",
		  "stream_id": "0x80000000", "device_id": 4294967295, "group": 7,
		  "pasid_bits": 20, "ats": true, "pri": true },
		{ "bdf": "00:1f.7", "kind": "test-dev", "iommu": "i1", "pasid_bits": "8",
		  "ats": true, "pri": false },
		{ "bdf": "ff:00.0", "kind": "test-dev", "iommu": "i0", "group": 7 },
		{ "bdf": "0000:00:03.0", "kind": "test-dev", "iommu": "i1", "group": -1 }
	]
})";

static int parse(const std::string &text, platform_desc *d, std::string *err)
{
	return platform_desc_parse(text, "test.json", d, err);
}

static void parse_every_field(struct kunit *test)
{
	platform_desc d;
	std::string err;

	KUNIT_ASSERT_EQ_MSG(test, parse(full_text, &d, &err), 0, "%s", err.c_str());
	KUNIT_EXPECT_STREQ(test, d.name, "full");
	KUNIT_EXPECT_STREQ(test, d.description, "every field");
	KUNIT_ASSERT_EQ(test, d.iommus.size(), 2);
	KUNIT_EXPECT_STREQ(test, d.iommus[0].name, "i0");
	KUNIT_EXPECT_STREQ(test, d.iommus[0].kind, "test-iommu");
	KUNIT_EXPECT_EQ(test, d.iommus[0].caps.size(), 2);
	KUNIT_EXPECT_EQ(test, d.iommus[0].caps["pgsize"], 0x40201000ULL);
	KUNIT_EXPECT_EQ(test, d.iommus[0].caps["ias"], 48ULL);
	KUNIT_EXPECT_STREQ(test, d.iommus[1].name, "i1");
	KUNIT_EXPECT_TRUE(test, d.iommus[1].caps.empty());

	KUNIT_ASSERT_EQ(test, d.devices.size(), 4);
	const platform_device_desc &a = d.devices[0];
	KUNIT_EXPECT_STREQ(test, a.kind, "test-dev");
	KUNIT_EXPECT_EQ(test, a.segment, 1);
	KUNIT_EXPECT_EQ(test, a.bus, 2);
	KUNIT_EXPECT_EQ(test, a.devfn, 3 << 3 | 4);
	KUNIT_EXPECT_STREQ(test, a.iommu, "i0");
	KUNIT_EXPECT_EQ(test, a.rid, 0x1234);
	KUNIT_EXPECT_EQ(test, a.stream_id, 0x80000000U);
	KUNIT_EXPECT_EQ(test, a.device_id, 0xffffffffU);
	KUNIT_EXPECT_EQ(test, a.group, 7);
	KUNIT_EXPECT_EQ(test, a.pasid_bits, 20);
	KUNIT_EXPECT_TRUE(test, a.ats);
	KUNIT_EXPECT_TRUE(test, a.pri);

	const platform_device_desc &b = d.devices[1];
	KUNIT_EXPECT_EQ(test, b.segment, 0);
	KUNIT_EXPECT_EQ(test, b.bus, 0);
	KUNIT_EXPECT_EQ(test, b.devfn, 0x1f << 3 | 7);
	KUNIT_EXPECT_STREQ(test, b.iommu, "i1");
	KUNIT_EXPECT_EQ(test, b.pasid_bits, 8);
	KUNIT_EXPECT_TRUE(test, b.ats);
	KUNIT_EXPECT_FALSE(test, b.pri);
	KUNIT_EXPECT_EQ(test, b.group, -1);

	KUNIT_EXPECT_EQ(test, d.devices[2].bus, 0xff);
	KUNIT_EXPECT_EQ(test, d.devices[2].group, 7);
	KUNIT_EXPECT_EQ(test, d.devices[3].group, -1);
}

/* What a device leaves out: RID from the BDF, SID/DevID from the RID, one IOMMU, no features. */
static void parse_defaults(struct kunit *test)
{
	platform_desc d;
	std::string err;

	KUNIT_ASSERT_EQ_MSG(test,
			    platform_desc_parse(R"({"iommus": [{"name": "i0", "kind": "test-iommu"}],
				"devices": [{"bdf": "01:02.3", "kind": "test-dev"}]})",
						"dir/mine.json", &d, &err),
			    0, "%s", err.c_str());
	KUNIT_EXPECT_STREQ(test, d.name, "mine");
	KUNIT_EXPECT_STREQ(test, d.description, "");
	KUNIT_ASSERT_EQ(test, d.devices.size(), 1);
	const platform_device_desc &a = d.devices[0];
	KUNIT_EXPECT_EQ(test, a.segment, 0);
	KUNIT_EXPECT_STREQ(test, a.iommu, "i0");
	KUNIT_EXPECT_EQ(test, a.rid, 0x0113);
	KUNIT_EXPECT_EQ(test, a.stream_id, 0x0113);
	KUNIT_EXPECT_EQ(test, a.device_id, 0x0113);
	KUNIT_EXPECT_EQ(test, a.group, -1);
	KUNIT_EXPECT_EQ(test, a.pasid_bits, 0);
	KUNIT_EXPECT_FALSE(test, a.ats);
	KUNIT_EXPECT_FALSE(test, a.pri);
}

/* Inputs that are fine, though unusual. */
static void parse_accepts(struct kunit *test)
{
	static const char *const ok[] = {
		/* No devices, an empty device list, no IOMMUs at all. */
		R"({"iommus": [{"name": "i0", "kind": "test-iommu"}]})",
		R"({"iommus": [{"name": "i0", "kind": "test-iommu"}], "devices": []})",
		R"({"iommus": []})",
		/* Comments. */
		"// a comment\n{\"iommus\": [/* none */]}",
		/* The same IDs behind different IOMMUs. */
		R"({"iommus": [{"name": "i0", "kind": "test-iommu"}, {"name": "i1", "kind": "test-iommu"}],
		    "devices": [{"bdf": "00:01.0", "kind": "test-dev", "iommu": "i0", "rid": 5},
				{"bdf": "00:02.0", "kind": "test-dev", "iommu": "i1", "rid": 5}]})",
		/* ATS without PASID, uppercase hex, decimal strings, empty caps. */
		R"({"iommus": [{"name": "i0", "kind": "test-iommu", "caps": {}}],
		    "devices": [{"bdf": "0000:0A:1F.7", "kind": "test-dev", "ats": true,
				 "rid": "0XABCD", "stream_id": "12"}]})",
	};

	for (const char *text : ok) {
		platform_desc d;
		std::string err;

		KUNIT_EXPECT_EQ_MSG(test, parse(text, &d, &err), 0, "%s: %s", text, err.c_str());
	}
}

struct bad_case {
	const char *name;
	const char *text;
	const char *expect;	/* in the message, after "test.json:" */
};

#define I0 R"({"name": "i0", "kind": "test-iommu"})"
#define I1 R"({"name": "i1", "kind": "test-iommu"})"
#define PLAT(iommus, devices) "{\"iommus\": [" iommus "], \"devices\": [" devices "]}"
#define DEV(bdf, extra) "{\"bdf\": \"" bdf "\", \"kind\": \"test-dev\"" extra "}"
#define ONE_DEV(extra) PLAT(I0, DEV("00:03.0", extra))
#define IOMMU_CAPS(caps) PLAT(R"({"name": "i0", "kind": "test-iommu", "caps": )" caps "}", "")

static const struct bad_case bad_cases[] = {
	/* Syntax: the position of the error, as LINE:COLUMN. */
	{"empty", "", "1:1: syntax error"},
	{"unterminated", "{", "1:2: syntax error"},
	{"syntax_line_col", "{\n  \"iommus\": [,]\n}", "2:14: syntax error"},
	{"trailing", "{\"iommus\": []} x", "1:16: syntax error"},
	{"bad_utf8", "{\"iommus\": [], \"name\": \"\xff\"}", "1:25: syntax error"},
	{"duplicate_key", PLAT(I0, DEV("00:03.0", ", \"bdf\": \"00:04.0\"")),
	 " devices[0].bdf: given twice"},
	{"too_deep",
	 "{\"iommus\": [[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]}",
	 " iommus[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested too deeply"},
	/* Top level. */
	{"top_not_object", "[]", " top level: must be an object, not a list"},
	{"top_unknown", R"({"iommus": [], "colour": "red"})", " colour: unknown field (known: name, "},
	{"top_name_type", R"({"iommus": [], "name": 3})", " name: must be a string, not an integer"},
	{"top_name_chars", R"({"iommus": [], "name": "a/b"})", " name: \"a/b\" is not a name"},
	{"description_lines", R"({"iommus": [], "description": "a\nb"})",
	 " description: must be one line"},
	{"iommus_missing", "{}", " iommus: missing"},
	{"iommus_type", R"({"iommus": {}})", " iommus: must be a list, not an object"},
	{"devices_type", R"({"iommus": [], "devices": "none"})",
	 " devices: must be a list, not a string"},
	/* IOMMUs. */
	{"iommu_not_object", PLAT("1", ""), " iommus[0]: must be an object, not an integer"},
	{"iommu_unknown", PLAT(R"({"name": "i0", "kind": "test-iommu", "base": 0})", ""),
	 " iommus[0].base: unknown field (known: name, kind, caps)"},
	{"iommu_name_missing", PLAT(R"({"kind": "test-iommu"})", ""), " iommus[0].name: missing"},
	{"iommu_name_type", PLAT(R"({"name": null, "kind": "test-iommu"})", ""),
	 " iommus[0].name: must be a string, not null"},
	{"iommu_name_chars", PLAT(R"({"name": "my iommu", "kind": "test-iommu"})", ""),
	 " iommus[0].name: \"my iommu\" is not a name"},
	{"iommu_name_duplicate", PLAT(I0 "," I1 "," I0, ""),
	 " iommus[2].name: IOMMU \"i0\" already named by iommus[0]"},
	{"iommu_kind_missing", PLAT(R"({"name": "i0"})", ""), " iommus[0].kind: missing"},
	{"iommu_kind_unknown", PLAT(R"({"name": "i0", "kind": "nope"})", ""),
	 " iommus[0].kind: unknown IOMMU kind \"nope\" (registered: "},
	{"caps_type", IOMMU_CAPS("[]"), " iommus[0].caps: must be an object, not a list"},
	{"cap_unknown", IOMMU_CAPS(R"({"bogus": 1})"),
	 " iommus[0].caps.bogus: IOMMU kind \"test-iommu\" has no capability \"bogus\" "
	 "(it has: pgsize, ias)"},
	{"cap_none_listed",
	 PLAT(R"({"name": "i0", "kind": "test-iommu-bare", "caps": {"x": 1}})", ""),
	 " iommus[0].caps.x: IOMMU kind \"test-iommu-bare\" has no capability \"x\" (it has: none)"},
	{"cap_type", IOMMU_CAPS(R"({"ias": true})"),
	 " iommus[0].caps.ias: must be an integer or a \"0x...\" string, not a boolean"},
	{"cap_rejected", IOMMU_CAPS(R"({"ias": 16})"), " iommus[0].caps.ias: ias must be 32-64"},
	{"cap_negative", IOMMU_CAPS(R"({"pgsize": -1})"), " iommus[0].caps.pgsize: -1 is negative"},
	{"cap_fraction", IOMMU_CAPS(R"({"pgsize": 4096.5})"),
	 " iommus[0].caps.pgsize: 4096.5 is not an integer"},
	{"cap_exponent_negative", IOMMU_CAPS(R"({"pgsize": -1e3})"),
	 " iommus[0].caps.pgsize: -1000 is negative"},
	{"cap_bad_hex", IOMMU_CAPS(R"({"pgsize": "0xg"})"),
	 " iommus[0].caps.pgsize: \"0xg\" is not a number"},
	{"cap_bare_0x", IOMMU_CAPS(R"({"pgsize": "0x"})"),
	 " iommus[0].caps.pgsize: \"0x\" is not a number"},
	{"cap_overflow", IOMMU_CAPS(R"({"pgsize": "0x10000000000000000"})"),
	 " iommus[0].caps.pgsize: \"0x10000000000000000\" does not fit in 64 bits"},
	{"cap_big_integer", IOMMU_CAPS(R"({"pgsize": 18446744073709551616})"),
	 " iommus[0].caps.pgsize: 1.8446744073709552e+19 does not fit in 64 bits"},
	/* Devices. */
	{"device_not_object", PLAT(I0, "[]"), " devices[0]: must be an object, not a list"},
	{"device_unknown", ONE_DEV(", \"vendor\": 1"), " devices[0].vendor: unknown field (known: bdf, "},
	{"device_unknown_odd_key", ONE_DEV(", \"a b\": 1"), " devices[0][\"a b\"]: unknown field"},
	{"bdf_missing", PLAT(I0, R"({"kind": "test-dev"})"), " devices[0].bdf: missing"},
	{"bdf_type", PLAT(I0, R"({"bdf": 3, "kind": "test-dev"})"),
	 " devices[0].bdf: must be a string, not an integer"},
	{"bdf_no_function", PLAT(I0, DEV("00:03", "")),
	 " devices[0].bdf: \"00:03\" is not a PCI address (SSSS:BB:DD.F or BB:DD.F, hex)"},
	{"bdf_three_colons", PLAT(I0, DEV("0:0:0:0.0", "")),
	 " devices[0].bdf: \"0:0:0:0.0\" is not a PCI address"},
	{"bdf_junk", PLAT(I0, DEV("00:03.0x", "")), " devices[0].bdf: \"00:03.0x\" is not a PCI address"},
	{"bdf_empty_part", PLAT(I0, DEV("00:.0", "")), " devices[0].bdf: \"00:.0\" is not a PCI address"},
	{"bdf_not_hex", PLAT(I0, DEV("zz:00.0", "")), " devices[0].bdf: \"zz:00.0\" is not a PCI address"},
	{"bdf_dot_first", PLAT(I0, DEV("0.0:00:00", "")),
	 " devices[0].bdf: \"0.0:00:00\" is not a PCI address"},
	{"bdf_segment", PLAT(I0, DEV("10000:00:00.0", "")),
	 " devices[0].bdf: segment 0x10000 out of range (0-0xffff)"},
	{"bdf_bus", PLAT(I0, DEV("100:00.0", "")), " devices[0].bdf: bus 0x100 out of range (0-0xff)"},
	{"bdf_device", PLAT(I0, DEV("00:20.0", "")),
	 " devices[0].bdf: device 0x20 out of range (0-0x1f)"},
	{"bdf_function", PLAT(I0, DEV("00:00.8", "")),
	 " devices[0].bdf: function 0x8 out of range (0-7)"},
	{"bdf_duplicate", PLAT(I0, DEV("0000:00:03.0", "") "," DEV("00:04.0", "") "," DEV("00:03.0", "")),
	 " devices[2].bdf: 0000:00:03.0 already used by devices[0]"},
	{"kind_missing", PLAT(I0, R"({"bdf": "00:03.0"})"), " devices[0].kind: missing"},
	{"kind_unknown", PLAT(I0, R"({"bdf": "00:03.0", "kind": "nic"})"),
	 " devices[0].kind: unknown device kind \"nic\" (registered: "},
	{"iommu_required", PLAT(I0 "," I1, DEV("00:03.0", "")), " devices[0].iommu: missing"},
	{"iommu_none", PLAT("", DEV("00:03.0", "")), " devices[0].iommu: missing"},
	{"iommu_missing", ONE_DEV(", \"iommu\": \"i9\""),
	 " devices[0].iommu: no IOMMU named \"i9\" (the platform has: i0)"},
	{"iommu_type", ONE_DEV(", \"iommu\": 0"), " devices[0].iommu: must be a string, not an integer"},
	{"rid_range", ONE_DEV(", \"rid\": 65536"),
	 " devices[0].rid: 65536 (0x10000) out of range (0-0xffff)"},
	{"rid_fraction", ONE_DEV(", \"rid\": 1.5"), " devices[0].rid: 1.5 is not an integer"},
	{"rid_exponent", ONE_DEV(", \"rid\": 1e5"),
	 " devices[0].rid: 100000 (0x186a0) out of range (0-0xffff)"},
	{"rid_string", ONE_DEV(", \"rid\": \"twelve\""), " devices[0].rid: \"twelve\" is not a number"},
	{"stream_id_range", ONE_DEV(", \"stream_id\": \"0x100000000\""),
	 " devices[0].stream_id: 4294967296 (0x100000000) out of range (0-0xffffffff)"},
	{"device_id_negative", ONE_DEV(", \"device_id\": -5"), " devices[0].device_id: -5 is negative"},
	{"rid_duplicate", PLAT(I0, DEV("00:03.0", "") "," DEV("00:04.0", ", \"rid\": 24")),
	 " devices[1].rid: 0x0018 already used behind i0 by devices[0]"},
	{"stream_id_duplicate",
	 PLAT(I0, DEV("00:03.0", ", \"stream_id\": 7") "," DEV("00:04.0", ", \"stream_id\": 7")),
	 " devices[1].stream_id: 0x0007 already used behind i0 by devices[0]"},
	{"device_id_duplicate",
	 PLAT(I0, DEV("00:03.0", ", \"device_id\": 32") "," DEV("00:04.0", ", \"device_id\": 32")),
	 " devices[1].device_id: 0x0020 already used behind i0 by devices[0]"},
	{"sid_equals_other_rid", PLAT(I0, DEV("00:03.0", "") "," DEV("00:04.0", ", \"stream_id\": 24")),
	 " devices[1].stream_id: 0x0018 already used behind i0 by devices[0]"},
	{"group_across_iommus",
	 PLAT(I0 "," I1, DEV("00:03.0", ", \"iommu\": \"i0\", \"group\": 3") ","
			  DEV("00:04.0", ", \"iommu\": \"i1\", \"group\": 3")),
	 " devices[1].group: group 3 holds devices[0] behind i0, and a group cannot span IOMMUs"},
	{"group_negative", ONE_DEV(", \"group\": -2"),
	 " devices[0].group: -2 out of range (-1 for a group of its own, or 0-0xffff)"},
	{"group_range", ONE_DEV(", \"group\": 65536"),
	 " devices[0].group: 65536 (0x10000) out of range (0-0xffff)"},
	{"group_huge", ONE_DEV(", \"group\": 18446744073709551615"),
	 " devices[0].group: 18446744073709551615 (0xffffffffffffffff) out of range (0-0xffff)"},
	{"group_type", ONE_DEV(", \"group\": \"x\""), " devices[0].group: \"x\" is not a number"},
	{"pasid_bits_range", ONE_DEV(", \"pasid_bits\": 21"),
	 " devices[0].pasid_bits: 21 (0x15) out of range (0-20)"},
	{"pasid_bits_type", ONE_DEV(", \"pasid_bits\": [20]"),
	 " devices[0].pasid_bits: must be an integer or a \"0x...\" string, not a list"},
	{"ats_type", ONE_DEV(", \"ats\": \"yes\""),
	 " devices[0].ats: must be true or false, not a string"},
	{"pri_type", ONE_DEV(", \"ats\": true, \"pri\": 1"),
	 " devices[0].pri: must be true or false, not an integer"},
	{"pri_without_ats", ONE_DEV(", \"pasid_bits\": 20, \"pri\": true"),
	 " devices[0].pri: PRI needs ATS (\"ats\": true)"},
	{"second_device_path", PLAT(I0, DEV("00:03.0", "") "," DEV("00:04.0", ", \"ats\": null")),
	 " devices[1].ats: must be true or false, not null"},
};

KUNIT_ARRAY_PARAM_DESC(parse_refuses, bad_cases, name);

static void parse_refuses(struct kunit *test)
{
	const struct bad_case *c = (const struct bad_case *)test->param_value;
	platform_desc d;
	std::string err;

	d.name = "untouched";
	KUNIT_EXPECT_EQ(test, parse(c->text, &d, &err), -EINVAL);
	KUNIT_EXPECT_EQ_MSG(test, err.rfind("test.json", 0), 0, "%s", err.c_str());
	KUNIT_EXPECT_NE_MSG(test, err.find(std::string("test.json:") + c->expect), std::string::npos,
			    "got \"%s\", want \"%s\"", err.c_str(), c->expect);
	KUNIT_EXPECT_EQ_MSG(test, err.find('\n'), std::string::npos, "%s", err.c_str());
	/* A refused description leaves the output alone. */
	KUNIT_EXPECT_STREQ(test, d.name, "untouched");
}

/* Each kind list in a message names the registered kinds. */
static void unknown_kind_lists_kinds(struct kunit *test)
{
	platform_desc d;
	std::string err;

	KUNIT_EXPECT_EQ(test, parse(PLAT(R"({"name": "i0", "kind": "nope"})", ""), &d, &err),
			-EINVAL);
	KUNIT_EXPECT_NE(test, err.find("test-iommu"), std::string::npos);
	KUNIT_EXPECT_NE(test, err.find("test-iommu-bare"), std::string::npos);
	KUNIT_EXPECT_EQ(test, parse(PLAT(I0, R"({"bdf": "00:03.0", "kind": "nic"})"), &d, &err),
			-EINVAL);
	KUNIT_EXPECT_NE(test, err.find("test-dev"), std::string::npos);
}

static void too_large(struct kunit *test)
{
	std::string text = PLAT(I0, "");
	platform_desc d;
	std::string err;

	text.resize(PLATFORM_DESC_MAX_SIZE, ' ');
	KUNIT_EXPECT_EQ_MSG(test, parse(text, &d, &err), 0, "%s", err.c_str());
	text += ' ';
	KUNIT_EXPECT_EQ(test, parse(text, &d, &err), -EINVAL);
	KUNIT_EXPECT_EQ_MSG(test, err.rfind("test.json: too large", 0), 0, "%s", err.c_str());
}

static void group_numbering(struct kunit *test)
{
	platform_desc d;
	std::vector<int> want;

	KUNIT_EXPECT_TRUE(test, platform_desc_group_ids(d).empty());
	for (int g : {-1, -1, -1})
		d.devices.push_back({.group = g});
	want = {0, 1, 2};
	KUNIT_EXPECT_TRUE(test, platform_desc_group_ids(d) == want);
	/* Own groups are numbered after the highest explicit one, in device order. */
	d.devices.clear();
	for (int g : {5, -1, 5, 2, -1})
		d.devices.push_back({.group = g});
	want = {5, 6, 5, 2, 7};
	KUNIT_EXPECT_TRUE(test, platform_desc_group_ids(d) == want);
	KUNIT_EXPECT_STREQ(test, platform_cdev_path(3), "/dev/vfio/devices/vfio3");
	KUNIT_EXPECT_STREQ(test, platform_bdf_name(0x1a, 0xb, 0x1f << 3 | 7), "001a:0b:1f.7");
}

static void tree(struct kunit *test)
{
	platform_desc d;
	std::string err, t;

	KUNIT_ASSERT_EQ_MSG(test, parse(full_text, &d, &err), 0, "%s", err.c_str());
	t = platform_desc_tree(d);
	kunit_info(test, "\n%s", t.c_str());
	KUNIT_EXPECT_EQ(test, t.rfind("full: every field\n", 0), 0);
	KUNIT_EXPECT_NE(test, t.find("\ni0  test-iommu  (caps ias=48 pgsize=0x40201000)  an IOMMU "
				     "kind of the description tests\n"),
			std::string::npos);
	KUNIT_EXPECT_NE(test, t.find("\ni1  test-iommu-bare\n"), std::string::npos);
	/* Behind i0: devices 0 and 2 (group 7); behind i1: 1 and 3 (their own, 8 and 9). */
	KUNIT_EXPECT_NE(test,
			t.find("├─ 0001:02:03.4  test-dev  1234:5678  group 7  rid 0x1234 "
			       "sid 0x80000000 devid 0xffffffff  pasid 20 ats pri  "
			       "/dev/vfio/devices/vfio0\n"),
			std::string::npos);
	KUNIT_EXPECT_NE(test,
			t.find("└─ 0000:ff:00.0  test-dev  1234:5678  group 7  rid 0xff00 "
			       "sid 0xff00 devid 0xff00  -                 /dev/vfio/devices/vfio2\n"),
			std::string::npos);
	KUNIT_EXPECT_NE(test, t.find("├─ 0000:00:1f.7  test-dev  1234:5678  group 8  rid 0x00ff"),
			std::string::npos);
	KUNIT_EXPECT_NE(test, t.find("pasid 8 ats  "), std::string::npos);
	KUNIT_EXPECT_NE(test, t.find("└─ 0000:00:03.0  test-dev  1234:5678  group 9  rid 0x0018"),
			std::string::npos);

	/* An IOMMU with nothing behind it says so. */
	KUNIT_ASSERT_EQ(test, parse(PLAT(I0, ""), &d, &err), 0);
	KUNIT_EXPECT_NE(test, platform_desc_tree(d).find("(no devices)"), std::string::npos);
}

static std::string temp_file(const std::string &name, const std::string &text)
{
	const char *tmp = getenv("TMPDIR");
	std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/desc_kunit.XXXXXX";
	std::string path;

	if (!mkdtemp(dir.data()))
		return "";
	path = dir + "/" + name;
	int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return "";
	if (write(fd, text.data(), text.size()) != (ssize_t)text.size())
		path.clear();
	close(fd);
	return path;
}

static void remove_temp(const std::string &path)
{
	unlink(path.c_str());
	rmdir(path.substr(0, path.rfind('/')).c_str());
}

static void load(struct kunit *test)
{
	std::vector<std::string> names = platform_desc_builtin_names();
	platform_desc d;
	std::string err, path;

	KUNIT_EXPECT_NE(test, std::find(names.begin(), names.end(), "default"), names.end());
	KUNIT_EXPECT_EQ(test, platform_desc_load("no-such-platform", &d, &err), -ENOENT);
	KUNIT_EXPECT_EQ_MSG(test, err.rfind("no-such-platform: no such platform (embedded: ", 0), 0,
			    "%s", err.c_str());
	KUNIT_EXPECT_NE(test, err.find("default"), std::string::npos);
	/* A ".json" name or one with '/' is a file. */
	KUNIT_EXPECT_EQ(test, platform_desc_load("default.json", &d, &err), -ENOENT);
	KUNIT_EXPECT_STREQ(test, err, "default.json: No such file or directory");
	KUNIT_EXPECT_EQ(test, platform_desc_load("/", &d, &err), -ENOENT);
	KUNIT_EXPECT_STREQ(test, err, "/: Is a directory");

	path = temp_file("machine.json", PLAT(I0, DEV("00:03.0", "")));
	KUNIT_ASSERT_FALSE(test, path.empty());
	KUNIT_EXPECT_EQ_MSG(test, platform_desc_load(path, &d, &err), 0, "%s", err.c_str());
	KUNIT_EXPECT_STREQ(test, d.name, "machine");
	KUNIT_EXPECT_EQ(test, d.devices.size(), 1);
	remove_temp(path);

	path = temp_file("bad.json", PLAT(I0, DEV("00:03.0", ", \"pasid_bits\": 32")));
	KUNIT_ASSERT_FALSE(test, path.empty());
	KUNIT_EXPECT_EQ(test, platform_desc_load(path, &d, &err), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err, path + ": devices[0].pasid_bits: 32 (0x20) out of range (0-20)");
	remove_temp(path);

	path = temp_file("big.json", std::string(PLATFORM_DESC_MAX_SIZE + 4096, ' '));
	KUNIT_ASSERT_FALSE(test, path.empty());
	KUNIT_EXPECT_EQ(test, platform_desc_load(path, &d, &err), -EINVAL);
	KUNIT_EXPECT_EQ_MSG(test, err.rfind(path + ": too large", 0), 0, "%s", err.c_str());
	remove_temp(path);
}

/* The embedded default, once its kinds are linked in. */
static void default_platform(struct kunit *test)
{
	platform_desc d;
	std::string err, t;

	if (!platform_iommu_kind_find("mock") || !platform_device_kind_find("plain") ||
	    !platform_device_kind_find("ioat"))
		kunit_skip(test, "the mock, plain and ioat kinds are not linked into this test");
	KUNIT_ASSERT_EQ_MSG(test, platform_desc_load("default", &d, &err), 0, "%s", err.c_str());
	KUNIT_EXPECT_STREQ(test, d.name, "default");
	KUNIT_ASSERT_EQ(test, d.iommus.size(), 1);
	KUNIT_EXPECT_STREQ(test, d.iommus[0].kind, "mock");
	KUNIT_ASSERT_EQ(test, d.devices.size(), 4);
	KUNIT_EXPECT_STREQ(test, d.devices[0].kind, "plain");
	KUNIT_EXPECT_EQ(test, d.devices[0].pasid_bits, 20);
	KUNIT_EXPECT_TRUE(test, d.devices[0].pri);
	KUNIT_EXPECT_STREQ(test, d.devices[1].kind, "ioat");
	KUNIT_EXPECT_EQ(test, d.devices[1].devfn, 3 << 3);
	KUNIT_EXPECT_EQ(test, d.devices[2].pasid_bits, 0);
	KUNIT_EXPECT_STREQ(test, d.devices[3].kind, "edu");
	KUNIT_EXPECT_EQ(test, d.devices[3].pasid_bits, 20);
	KUNIT_EXPECT_TRUE(test, d.devices[3].pri);
	t = platform_desc_tree(d);
	kunit_info(test, "\n%s", t.c_str());
	KUNIT_EXPECT_NE(test, t.find("0000:00:03.0  ioat"), std::string::npos);
}

/* Every returned code is 0 or -EINVAL, every message one line from the source. */
static void check_outcome(struct kunit *test, const std::string &text, const char *what, size_t at)
{
	platform_desc d;
	std::string err;
	int rc = parse(text, &d, &err);

	KUNIT_EXPECT_TRUE_MSG(test, rc == 0 || rc == -EINVAL, "%s at %zu: %d", what, at, rc);
	if (rc) {
		KUNIT_EXPECT_EQ_MSG(test, err.rfind("test.json", 0), 0, "%s at %zu: %s", what, at,
				    err.c_str());
		KUNIT_EXPECT_EQ_MSG(test, err.find('\n'), std::string::npos, "%s at %zu: %s", what,
				    at, err.c_str());
	}
}

static void truncated(struct kunit *test)
{
	std::vector<std::string> texts = {full_text};

	for (unsigned int i = 0; i < platform_nr_builtins; i++)
		texts.push_back(platform_builtins[i].text);
	for (const std::string &text : texts)
		for (size_t n = 0; n < text.size(); n++)
			check_outcome(test, text.substr(0, n), "truncated", n);
}

/* Nesting far past the limit is refused without building it. */
static void very_deep(struct kunit *test)
{
	std::string text = "{\"iommus\": " + std::string(300000, '[') + std::string(300000, ']') + "}";
	platform_desc d;
	std::string err;

	KUNIT_EXPECT_EQ(test, parse(text, &d, &err), -EINVAL);
	KUNIT_EXPECT_NE_MSG(test, err.find(": nested too deeply"), std::string::npos, "%s",
			    err.c_str());
}

/* A syntax error quoting a long token stays a short line. */
static void long_syntax_error(struct kunit *test)
{
	std::string text = "{\"iommus\": [], \"description\": \"" + std::string(100000, 'a');
	platform_desc d;
	std::string err;

	KUNIT_EXPECT_EQ(test, parse(text, &d, &err), -EINVAL);
	KUNIT_EXPECT_EQ_MSG(test, err.rfind("test.json:1:", 0), 0, "%s", err.c_str());
	KUNIT_EXPECT_LT(test, err.size(), 300);
}

static void corrupted(struct kunit *test)
{
	static const char interesting[] = "{}[]\",:-.0x19aeE\\/ \n\ttrufalsn";
	std::mt19937 rng(12345);
	std::string base = full_text;

	for (int iter = 0; iter < 4000; iter++) {
		std::string text = base;
		int flips = 1 + rng() % 3;

		for (int i = 0; i < flips; i++) {
			size_t at = rng() % text.size();

			switch (rng() % 4) {
			case 0:
				text[at] = (char)(rng() & 0xff);
				break;
			case 1:
				text[at] = interesting[rng() % (sizeof(interesting) - 1)];
				break;
			case 2:
				text.erase(at, 1 + rng() % 8);
				break;
			default:
				text.insert(at, 1, interesting[rng() % (sizeof(interesting) - 1)]);
				break;
			}
			if (text.empty())
				text = "{";
		}
		check_outcome(test, text, "corrupted", iter);
	}
}

static struct kunit_case desc_cases[] = {
	KUNIT_CASE(parse_every_field),
	KUNIT_CASE(parse_defaults),
	KUNIT_CASE(parse_accepts),
	KUNIT_CASE_PARAM(parse_refuses, parse_refuses_gen_params),
	KUNIT_CASE(unknown_kind_lists_kinds),
	KUNIT_CASE(too_large),
	KUNIT_CASE(group_numbering),
	KUNIT_CASE(tree),
	KUNIT_CASE(load),
	KUNIT_CASE(default_platform),
	KUNIT_CASE(truncated),
	KUNIT_CASE(very_deep),
	KUNIT_CASE(long_syntax_error),
	KUNIT_CASE(corrupted),
	{}
};

static struct kunit_suite desc_suite = {
	.name = "platform_desc",
	.test_cases = desc_cases,
};
kunit_test_suite(desc_suite);
