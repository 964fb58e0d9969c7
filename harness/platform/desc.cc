// SPDX-License-Identifier: GPL-2.0
/*
 * Platform descriptions: the JSON a platform file holds, checked whole
 * (Documentation/platforms.md describes the format and every rule).
 *
 * The text is hostile input like any other: it is parsed with
 * nlohmann-json's non-throwing API (this code is built without
 * exceptions; a throw would abort), every value's type is checked before
 * it is read (get_ptr<>, which returns NULL on a mismatch), and the first
 * problem found ends the parse with one line naming the source, the field
 * (as a path such as devices[2].bdf) and what is wrong.
 */
/* First: harness/compiler.h defines `fallthrough`, a name json.hpp's macros test. */
#include <nlohmann/json.hpp>

#include "harness/platform/desc.h"
#include "harness/platform/platform.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using json = nlohmann::json;

namespace {

/* Deeper than any valid description nests (top, list, entry, caps). */
constexpr size_t max_depth = 16;
/* Limits of names and strings that end up in messages and /sys paths. */
constexpr size_t max_name_len = 32;
constexpr size_t max_description_len = 256;

const char *const top_fields[] = {"name", "description", "iommus", "devices", nullptr};
const char *const iommu_fields[] = {"name", "kind", "caps", nullptr};
const char *const device_fields[] = {"bdf",	  "kind",  "iommu",	 "rid", "stream_id",
				     "device_id", "group", "pasid_bits", "ats", "pri",
				     nullptr};

std::string hex(u64 v, int width = 0)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%0*llx", width, (unsigned long long)v);
	return buf;
}

/* @s quoted for a one-line message: control bytes escaped, long ones cut. */
std::string quote(const std::string &s)
{
	std::string q = "\"";
	size_t n = std::min(s.size(), (size_t)64);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		char buf[8];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			snprintf(buf, sizeof(buf), c == '"' || c == '\\' ? "\\%c" : "\\x%02x", c);
			q += buf;
		} else {
			q += (char)c;
		}
	}
	return q + (n < s.size() ? "...\"" : "\"");
}

/* The path of member @key of the object at @path: "path.key", or path["k y"] for odd keys. */
std::string child(const std::string &path, const std::string &key)
{
	bool plain = !key.empty() && key.size() <= 64;

	for (char c : key)
		if (!isalnum((unsigned char)c) && c != '_' && c != '-')
			plain = false;
	if (!plain)
		return path + "[" + quote(key) + "]";
	return path.empty() ? key : path + "." + key;
}

std::string join(const std::vector<std::string> &v)
{
	std::string s;

	for (const std::string &e : v)
		s += (s.empty() ? "" : ", ") + e;
	return s.empty() ? "none" : s;
}

std::string join(const char *const *names)
{
	std::vector<std::string> v;

	for (; names && *names; names++)
		v.push_back(*names);
	return join(v);
}

template <typename K>
std::string kind_names(const std::vector<const K *> &kinds)
{
	std::vector<std::string> names;

	for (const K *k : kinds)
		names.push_back(k->name);
	return join(names);
}

const char *type_name(const json &v)
{
	if (v.is_number_unsigned() || v.is_number_integer())
		return "an integer";
	if (v.is_number_float())
		return "a fraction";
	if (v.is_string())
		return "a string";
	if (v.is_boolean())
		return "a boolean";
	if (v.is_array())
		return "a list";
	if (v.is_object())
		return "an object";
	return "null";
}

bool is_name(const std::string &s)
{
	if (s.empty() || s.size() > max_name_len)
		return false;
	for (char c : s)
		if (!isalnum((unsigned char)c) && c != '_' && c != '-' && c != '.')
			return false;
	return true;
}

std::string not_a_name(const std::string &s)
{
	return quote(s) + " is not a name (1-" + std::to_string(max_name_len) +
	       " letters, digits, '_', '-', '.')";
}

bool is_one_line(const std::string &s)
{
	for (unsigned char c : s)
		if (c < 0x20 || c == 0x7f)
			return false;
	return true;
}

/*
 * A number: a JSON integer, or a string holding one ("0x" then hex digits,
 * or decimal digits). 0, or -EINVAL with *@why.
 */
int get_u64(const json &v, u64 *out, std::string *why)
{
	const char *want = "must be an integer or a \"0x...\" string";

	if (const u64 *p = v.get_ptr<const json::number_unsigned_t *>()) {
		*out = *p;
		return 0;
	}
	/* Unsigned numbers are handled above: this pointer would point at them too. */
	if (const s64 *p = v.get_ptr<const json::number_integer_t *>()) {
		*why = std::to_string(*p) + " is negative";
		return -EINVAL;
	}
	/* JSON numbers with a fraction or exponent, and integers past 64 bits. */
	if (const double *p = v.get_ptr<const json::number_float_t *>()) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%.17g", *p);
		if (*p != std::floor(*p)) {
			*why = std::string(buf) + " is not an integer";
			return -EINVAL;
		}
		if (*p < 0) {
			*why = std::string(buf) + " is negative";
			return -EINVAL;
		}
		if (*p >= 18446744073709551616.0) {
			*why = std::string(buf) + " does not fit in 64 bits";
			return -EINVAL;
		}
		*out = (u64)*p;
		return 0;
	}
	const std::string *s = v.get_ptr<const json::string_t *>();
	if (!s) {
		*why = std::string(want) + ", not " + type_name(v);
		return -EINVAL;
	}
	bool is_hex = s->size() > 2 && (*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X');
	size_t i = is_hex ? 2 : 0;
	u64 val = 0;

	if (i >= s->size())
		goto bad;
	for (; i < s->size(); i++) {
		char c = (*s)[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (is_hex && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (is_hex && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			goto bad;
		if (check_mul_overflow(val, (u64)(is_hex ? 16 : 10), &val) ||
		    check_add_overflow(val, (u64)d, &val)) {
			*why = quote(*s) + " does not fit in 64 bits";
			return -EINVAL;
		}
	}
	*out = val;
	return 0;
bad:
	*why = quote(*s) + " is not a number (" + want + ")";
	return -EINVAL;
}

/* Hex digits only, at most 8 (the ranges are checked by the caller). */
bool parse_hex_part(const std::string &s, u32 *out)
{
	u32 v = 0;

	if (s.empty() || s.size() > 8)
		return false;
	for (char c : s) {
		if (!isxdigit((unsigned char)c))
			return false;
		v = v * 16 + (isdigit((unsigned char)c) ? c - '0' : (tolower(c) - 'a' + 10));
	}
	*out = v;
	return true;
}

/* "SSSS:BB:DD.F" or "BB:DD.F", hex. 0, or -EINVAL with *@why. */
int parse_bdf(const std::string &s, platform_device_desc *d, std::string *why)
{
	size_t c1 = s.find(':'), c2 = c1 == std::string::npos ? c1 : s.find(':', c1 + 1);
	size_t dot = s.rfind('.');
	u32 seg = 0, bus, dev, fn;
	bool ok;

	if (c2 != std::string::npos && s.find(':', c2 + 1) != std::string::npos)
		c1 = std::string::npos;	/* three colons */
	if (c1 == std::string::npos || dot == std::string::npos || dot < c1) {
		ok = false;
	} else if (c2 == std::string::npos) {
		ok = parse_hex_part(s.substr(0, c1), &bus) &&
		     parse_hex_part(s.substr(c1 + 1, dot - c1 - 1), &dev);
	} else {
		ok = dot > c2 && parse_hex_part(s.substr(0, c1), &seg) &&
		     parse_hex_part(s.substr(c1 + 1, c2 - c1 - 1), &bus) &&
		     parse_hex_part(s.substr(c2 + 1, dot - c2 - 1), &dev);
	}
	if (!ok || !parse_hex_part(s.substr(dot + 1), &fn)) {
		*why = quote(s) + " is not a PCI address (SSSS:BB:DD.F or BB:DD.F, hex)";
		return -EINVAL;
	}
	if (seg > 0xffff)
		*why = "segment " + hex(seg) + " out of range (0-0xffff)";
	else if (bus > 0xff)
		*why = "bus " + hex(bus) + " out of range (0-0xff)";
	else if (dev > 0x1f)
		*why = "device " + hex(dev) + " out of range (0-0x1f)";
	else if (fn > 7)
		*why = "function " + hex(fn) + " out of range (0-7)";
	else {
		d->segment = seg;
		d->bus = bus;
		d->devfn = dev << 3 | fn;
		return 0;
	}
	return -EINVAL;
}

/*
 * What nlohmann's parser does not check: duplicate keys (it keeps the
 * last) and nesting depth. Called for every parse event; remembers the
 * first problem with its path.
 */
struct structure_check {
	struct frame {
		bool array;
		size_t index = 0;		/* array: the element being parsed */
		std::string key;		/* object: the member being parsed */
		std::set<std::string> keys;
	};
	std::vector<frame> stack;
	/* Containers open below max_depth: not tracked, and discarded (not built). */
	size_t overflow = 0;
	std::string field, why;

	std::string path(void) const
	{
		std::string p;

		for (const frame &f : stack) {
			if (f.array)
				p += "[" + std::to_string(f.index) + "]";
			else
				p = child(p, f.key);
		}
		return p;
	}

	void fail(const std::string &what)
	{
		if (why.empty()) {
			field = path();
			why = what;
		}
	}

	bool event(json::parse_event_t ev, json &parsed)
	{
		switch (ev) {
		case json::parse_event_t::object_start:
		case json::parse_event_t::array_start:
			if (overflow || stack.size() >= max_depth) {
				fail("nested too deeply");
				overflow++;
				return false;
			}
			stack.push_back({ev == json::parse_event_t::array_start});
			break;
		case json::parse_event_t::key:
			if (overflow)
				break;
			if (const std::string *k = parsed.get_ptr<const json::string_t *>()) {
				stack.back().key = *k;
				if (!stack.back().keys.insert(*k).second)
					fail("given twice");
			}
			break;
		case json::parse_event_t::object_end:
		case json::parse_event_t::array_end:
			if (overflow) {
				overflow--;
				return false;
			}
			if (!stack.empty())
				stack.pop_back();
			fallthrough;
		case json::parse_event_t::value:
			if (!overflow && !stack.empty() && stack.back().array)
				stack.back().index++;
			break;
		}
		return true;
	}
};

/* Locates a syntax error: a SAX handler that accepts everything but the error. */
struct error_locator : json::json_sax_t {
	size_t position = 0;
	std::string what;

	bool null() override { return true; }
	bool boolean(bool) override { return true; }
	bool number_integer(number_integer_t) override { return true; }
	bool number_unsigned(number_unsigned_t) override { return true; }
	bool number_float(number_float_t, const string_t &) override { return true; }
	bool string(string_t &) override { return true; }
	bool binary(binary_t &) override { return true; }
	bool start_object(std::size_t) override { return true; }
	bool key(string_t &) override { return true; }
	bool end_object() override { return true; }
	bool start_array(std::size_t) override { return true; }
	bool end_array() override { return true; }
	bool parse_error(std::size_t pos, const std::string &, const nlohmann::detail::exception &ex)
		override
	{
		position = pos;
		what = ex.what();
		return false;
	}
};

/* "SOURCE:LINE:COLUMN: syntax error: ..." for text nlohmann's parser refused. */
std::string syntax_error(const std::string &text, const std::string &source)
{
	error_locator loc;
	size_t line = 1, col = 1, end, at;

	json::sax_parse(text, &loc, json::input_format_t::json, true, true);
	/* The byte the parser stopped at is the position-th (1-based). */
	end = std::min(loc.position ? loc.position - 1 : 0, text.size());
	for (size_t i = 0; i < end; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	/* nlohmann's message: "[json.exception...] parse error at line L, column C: WHAT" */
	std::string what = loc.what;
	at = what.find("syntax error");
	if (at == std::string::npos)
		at = what.find(": ") == std::string::npos ? 0 : what.find(": ") + 2;
	what = what.substr(at);
	if (what.empty())
		what = "syntax error";
	for (char &c : what)
		if (c == '\n')
			c = ' ';
	/* "last read: '...'" can quote a whole unterminated string. */
	if (what.size() > 200)
		what = what.substr(0, 200) + "...";
	return source + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + what;
}

/* The parse of one description: the first error wins and ends it. */
struct desc_parser {
	const std::string &source;
	std::string *err;
	platform_desc *out;

	int fail(const std::string &field, const std::string &why)
	{
		if (err)
			*err = source + ": " + field + ": " + why;
		return -EINVAL;
	}

	int check_fields(const json &obj, const std::string &path, const char *const *known)
	{
		for (auto it = obj.begin(); it != obj.end(); ++it) {
			bool ok = false;

			for (const char *const *k = known; *k; k++)
				ok |= it.key() == *k;
			if (!ok)
				return fail(child(path, it.key()),
					    "unknown field (known: " + join(known) + ")");
		}
		return 0;
	}

	/* The string member @key of @obj, into *@val; absent: 1 (or an error if @required). */
	int get_string(const json &obj, const std::string &path, const char *key, bool required,
		       std::string *val)
	{
		auto it = obj.find(key);

		if (it == obj.end())
			return required ? fail(child(path, key), "missing") : 1;
		const std::string *s = it->get_ptr<const json::string_t *>();
		if (!s)
			return fail(child(path, key),
				    std::string("must be a string, not ") + type_name(*it));
		*val = *s;
		return 0;
	}

	/* The number member @key of @obj in [@lo, @hi]; absent: 1, *@val untouched. */
	int get_number(const json &obj, const std::string &path, const char *key, u64 lo, u64 hi,
		       u64 *val)
	{
		auto it = obj.find(key);
		std::string why;
		u64 v;

		if (it == obj.end())
			return 1;
		if (get_u64(*it, &v, &why))
			return fail(child(path, key), why);
		if (v < lo || v > hi)
			return fail(child(path, key), std::to_string(v) + " (" + hex(v) +
					") out of range (" + std::to_string(lo) + "-" +
					(hi > 255 ? hex(hi) : std::to_string(hi)) + ")");
		*val = v;
		return 0;
	}

	int get_bool(const json &obj, const std::string &path, const char *key, bool *val)
	{
		auto it = obj.find(key);

		if (it == obj.end())
			return 1;
		const bool *b = it->get_ptr<const json::boolean_t *>();
		if (!b)
			return fail(child(path, key),
				    std::string("must be true or false, not ") + type_name(*it));
		*val = *b;
		return 0;
	}

	int parse_iommu(const json &j, const std::string &path, platform_iommu_desc *d)
	{
		const platform_iommu_kind *kind;
		int rc;

		if (!j.is_object())
			return fail(path, std::string("must be an object, not ") + type_name(j));
		if ((rc = check_fields(j, path, iommu_fields)) ||
		    (rc = get_string(j, path, "name", true, &d->name)) < 0)
			return rc;
		if (!is_name(d->name))
			return fail(path + ".name", not_a_name(d->name));
		for (size_t i = 0; i < out->iommus.size(); i++)
			if (out->iommus[i].name == d->name)
				return fail(path + ".name", "IOMMU " + quote(d->name) +
						" already named by iommus[" + std::to_string(i) + "]");
		if ((rc = get_string(j, path, "kind", true, &d->kind)) < 0)
			return rc;
		kind = platform_iommu_kind_find(d->kind);
		if (!kind)
			return fail(path + ".kind", "unknown IOMMU kind " + quote(d->kind) +
					" (registered: " + kind_names(platform_iommu_kinds()) + ")");
		auto caps = j.find("caps");
		if (caps == j.end())
			return 0;
		if (!caps->is_object())
			return fail(path + ".caps",
				    std::string("must be an object, not ") + type_name(*caps));
		for (auto it = caps->begin(); it != caps->end(); ++it) {
			std::string field = child(path + ".caps", it.key()), why;
			bool known = false;
			u64 val;

			for (const char *const *n = kind->cap_names; n && *n; n++)
				known |= it.key() == *n;
			if (!known)
				return fail(field, "IOMMU kind " + quote(d->kind) +
						" has no capability " + quote(it.key()) +
						" (it has: " + join(kind->cap_names) + ")");
			if (get_u64(it.value(), &val, &why))
				return fail(field, why);
			if (kind->check_cap && kind->check_cap(it.key().c_str(), val, &why)) {
				if (why.empty())
					why = hex(val) + " is not accepted by kind " +
					      quote(d->kind);
				return fail(field, why);
			}
			d->caps[it.key()] = val;
		}
		return 0;
	}

	int parse_device(const json &j, const std::string &path, platform_device_desc *d)
	{
		std::string bdf, why;
		u64 v;
		int rc;

		if (!j.is_object())
			return fail(path, std::string("must be an object, not ") + type_name(j));
		if ((rc = check_fields(j, path, device_fields)) ||
		    (rc = get_string(j, path, "bdf", true, &bdf)) < 0)
			return rc;
		if (parse_bdf(bdf, d, &why))
			return fail(path + ".bdf", why);
		for (size_t i = 0; i < out->devices.size(); i++) {
			const platform_device_desc &o = out->devices[i];

			if (o.segment == d->segment && o.bus == d->bus && o.devfn == d->devfn)
				return fail(path + ".bdf",
					    platform_bdf_name(d->segment, d->bus, d->devfn) +
						    " already used by devices[" +
						    std::to_string(i) + "]");
		}
		if ((rc = get_string(j, path, "kind", true, &d->kind)) < 0)
			return rc;
		if (!platform_device_kind_find(d->kind))
			return fail(path + ".kind", "unknown device kind " + quote(d->kind) +
					" (registered: " + kind_names(platform_device_kinds()) + ")");
		/* With one IOMMU, "iommu" may be left out. */
		rc = get_string(j, path, "iommu", out->iommus.size() != 1, &d->iommu);
		if (rc < 0)
			return rc;
		if (rc > 0)
			d->iommu = out->iommus[0].name;
		if (std::none_of(out->iommus.begin(), out->iommus.end(),
				 [&](const platform_iommu_desc &i) { return i.name == d->iommu; })) {
			std::vector<std::string> names;

			for (const platform_iommu_desc &i : out->iommus)
				names.push_back(i.name);
			return fail(path + ".iommu", "no IOMMU named " + quote(d->iommu) +
					" (the platform has: " + join(names) + ")");
		}

		v = (u32)d->bus << 8 | d->devfn;
		if ((rc = get_number(j, path, "rid", 0, 0xffff, &v)) < 0)
			return rc;
		d->rid = v;
		d->stream_id = d->device_id = d->rid;
		if ((rc = get_number(j, path, "stream_id", 0, UINT32_MAX, &v)) < 0)
			return rc;
		if (!rc)
			d->stream_id = v;
		if ((rc = get_number(j, path, "device_id", 0, UINT32_MAX, &v)) < 0)
			return rc;
		if (!rc)
			d->device_id = v;
		if ((rc = check_ids(path, d)))
			return rc;

		if ((rc = parse_group(j, path, d)))
			return rc;
		v = 0;
		if ((rc = get_number(j, path, "pasid_bits", 0, 20, &v)) < 0)
			return rc;
		d->pasid_bits = v;
		if ((rc = get_bool(j, path, "ats", &d->ats)) < 0 ||
		    (rc = get_bool(j, path, "pri", &d->pri)) < 0)
			return rc;
		/* PRI is part of ATS (PCIe: Page Request Services extend ATS). */
		if (d->pri && !d->ats)
			return fail(path + ".pri", "PRI needs ATS (\"ats\": true)");
		return 0;
	}

	/* RID, StreamID and DeviceID each name one device behind its IOMMU. */
	int check_ids(const std::string &path, const platform_device_desc *d)
	{
		for (size_t i = 0; i < out->devices.size(); i++) {
			const platform_device_desc &o = out->devices[i];
			const char *field = nullptr;
			u32 id = 0;

			if (o.iommu != d->iommu)
				continue;
			if (o.rid == d->rid)
				field = "rid", id = d->rid;
			else if (o.stream_id == d->stream_id)
				field = "stream_id", id = d->stream_id;
			else if (o.device_id == d->device_id)
				field = "device_id", id = d->device_id;
			if (field)
				return fail(path + "." + field,
					    hex(id, 4) + " already used behind " + d->iommu +
						    " by devices[" + std::to_string(i) + "]");
		}
		return 0;
	}

	/* "group": -1 (its own), or a number all of whose devices share one IOMMU. */
	int parse_group(const json &j, const std::string &path, platform_device_desc *d)
	{
		auto it = j.find("group");
		const s64 *neg;
		u64 v;
		int rc;

		if (it == j.end())
			return 0;
		/* (number_integer_t's pointer also points at unsigned numbers.) */
		neg = it->is_number_unsigned() ? nullptr
					       : it->get_ptr<const json::number_integer_t *>();
		if (neg && *neg == -1)
			return 0;
		if ((rc = get_number(j, path, "group", 0, 0xffff, &v)) < 0) {
			if (neg)
				return fail(path + ".group", std::to_string(*neg) +
						" out of range (-1 for a group of its own, or "
						"0-0xffff)");
			return rc;
		}
		d->group = v;
		for (size_t i = 0; i < out->devices.size(); i++) {
			const platform_device_desc &o = out->devices[i];

			if (o.group == d->group && o.iommu != d->iommu)
				return fail(path + ".group",
					    "group " + std::to_string(d->group) + " holds devices[" +
						    std::to_string(i) + "] behind " + o.iommu +
						    ", and a group cannot span IOMMUs (this one is "
						    "behind " + d->iommu + ")");
		}
		return 0;
	}

	int parse(const json &top)
	{
		int rc;

		if (!top.is_object())
			return fail("top level", std::string("must be an object, not ") +
						 type_name(top));
		if ((rc = check_fields(top, "", top_fields)))
			return rc;
		if ((rc = get_string(top, "", "name", false, &out->name)) < 0)
			return rc;
		if (!rc && !is_name(out->name))
			return fail("name", not_a_name(out->name));
		if ((rc = get_string(top, "", "description", false, &out->description)) < 0)
			return rc;
		if (!is_one_line(out->description) || out->description.size() > max_description_len)
			return fail("description", "must be one line of at most " +
						   std::to_string(max_description_len) + " bytes");

		auto iommus = top.find("iommus");
		if (iommus == top.end())
			return fail("iommus", "missing (the list of IOMMU instances)");
		if (!iommus->is_array())
			return fail("iommus", std::string("must be a list, not ") +
						      type_name(*iommus));
		for (size_t i = 0; i < iommus->size(); i++) {
			platform_iommu_desc d;

			if ((rc = parse_iommu((*iommus)[i], "iommus[" + std::to_string(i) + "]", &d)))
				return rc;
			out->iommus.push_back(std::move(d));
		}

		auto devices = top.find("devices");
		if (devices == top.end())
			return 0;
		if (!devices->is_array())
			return fail("devices", std::string("must be a list, not ") +
						       type_name(*devices));
		for (size_t i = 0; i < devices->size(); i++) {
			platform_device_desc d;

			if ((rc = parse_device((*devices)[i], "devices[" + std::to_string(i) + "]",
					       &d)))
				return rc;
			out->devices.push_back(std::move(d));
		}
		return 0;
	}
};

/* "dir/name.json" -> "name" */
std::string stem(const std::string &path)
{
	std::string base = path.substr(path.rfind('/') + 1);

	if (base.size() > 5 && !base.compare(base.size() - 5, 5, ".json"))
		base.resize(base.size() - 5);
	return base;
}

bool is_file_name(const std::string &what)
{
	return what.find('/') != std::string::npos ||
	       (what.size() >= 5 && !what.compare(what.size() - 5, 5, ".json"));
}

/* Reads at most PLATFORM_DESC_MAX_SIZE + 1 bytes of @path. 0 or -errno. */
int read_file(const std::string &path, std::string *text)
{
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	struct stat st;
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
	} else {
		char buf[65536];

		text->clear();
		while (text->size() <= PLATFORM_DESC_MAX_SIZE) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				err = -errno;
				break;
			}
			if (!n)
				break;
			text->append(buf, n);
		}
	}
	close(fd);
	return err;
}

} // namespace

int platform_desc_parse(const std::string &text, const std::string &source,
			struct platform_desc *out, std::string *err)
{
	platform_desc d;
	structure_check structure;
	desc_parser parser{source, err, &d};
	json top;
	int rc;

	if (text.size() > PLATFORM_DESC_MAX_SIZE) {
		if (err)
			*err = source + ": too large (" + std::to_string(text.size()) +
			       " bytes; a platform file has at most " +
			       std::to_string(PLATFORM_DESC_MAX_SIZE) + ")";
		return -EINVAL;
	}
	top = json::parse(text,
			  [&](int, json::parse_event_t ev, json &parsed) {
				  return structure.event(ev, parsed);
			  },
			  false, true);
	if (top.is_discarded()) {
		if (err)
			*err = syntax_error(text, source);
		return -EINVAL;
	}
	if (!structure.why.empty())
		return parser.fail(structure.field.empty() ? "top level" : structure.field,
				   structure.why);
	d.name = stem(source);
	if ((rc = parser.parse(top)))
		return rc;
	*out = std::move(d);
	return 0;
}

int platform_desc_load(const std::string &what, struct platform_desc *out, std::string *err)
{
	std::string text;
	int rc;

	if (!is_file_name(what)) {
		for (unsigned int i = 0; i < platform_nr_builtins; i++)
			if (what == platform_builtins[i].name)
				return platform_desc_parse(platform_builtins[i].text, what, out, err);
		if (err)
			*err = what + ": no such platform (embedded: " +
			       join(platform_desc_builtin_names()) +
			       "; a file name contains '/' or ends in .json)";
		return -ENOENT;
	}
	rc = read_file(what, &text);
	if (rc) {
		if (err)
			*err = what + ": " + strerror(-rc);
		return -ENOENT;
	}
	return platform_desc_parse(text, what, out, err);
}

std::vector<std::string> platform_desc_builtin_names(void)
{
	std::vector<std::string> names;

	for (unsigned int i = 0; i < platform_nr_builtins; i++)
		names.push_back(platform_builtins[i].name);
	return names;
}

std::string platform_bdf_name(u16 segment, u8 bus, u8 devfn)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%04x:%02x:%02x.%x", segment, bus, devfn >> 3, devfn & 7);
	return buf;
}

std::vector<int> platform_desc_group_ids(const struct platform_desc &desc)
{
	std::vector<int> ids;
	int next = 0;

	for (const platform_device_desc &d : desc.devices)
		next = std::max(next, d.group + 1);
	for (const platform_device_desc &d : desc.devices)
		ids.push_back(d.group >= 0 ? d.group : next++);
	return ids;
}

std::string platform_cdev_path(int index)
{
	return "/dev/vfio/devices/vfio" + std::to_string(index);
}

std::string platform_desc_tree(const struct platform_desc &desc)
{
	std::vector<int> groups = platform_desc_group_ids(desc);
	std::vector<std::string> kinds, features;
	size_t kind_w = 0, feat_w = 0, group_w = 0;
	std::string s = desc.name;
	char buf[256];

	if (!desc.description.empty())
		s += ": " + desc.description;
	s += "\n";
	/* Columns: widths over all devices, so every IOMMU's devices line up. */
	for (size_t i = 0; i < desc.devices.size(); i++) {
		const platform_device_desc &d = desc.devices[i];
		std::string f;

		if (d.pasid_bits)
			f += "pasid " + std::to_string(d.pasid_bits);
		if (d.ats)
			f += f.empty() ? "ats" : " ats";
		if (d.pri)
			f += " pri";
		if (f.empty())
			f = "-";
		kind_w = std::max(kind_w, d.kind.size());
		feat_w = std::max(feat_w, f.size());
		group_w = std::max(group_w, std::to_string(groups[i]).size());
		features.push_back(f);
	}
	for (const platform_iommu_desc &iommu : desc.iommus) {
		const platform_iommu_kind *ik = platform_iommu_kind_find(iommu.kind);
		std::vector<size_t> behind;
		std::string caps;

		/* Counts and widths in decimal, masks and addresses in hex. */
		for (const auto &[name, val] : iommu.caps)
			caps += (caps.empty() ? "" : " ") + name + "=" +
				(val < 4096 ? std::to_string(val) : hex(val));
		s += iommu.name + "  " + iommu.kind;
		if (!caps.empty())
			s += "  (caps " + caps + ")";
		if (ik && ik->summary && *ik->summary)
			s += "  " + std::string(ik->summary);
		s += "\n";
		for (size_t i = 0; i < desc.devices.size(); i++)
			if (desc.devices[i].iommu == iommu.name)
				behind.push_back(i);
		if (behind.empty())
			s += "   (no devices)\n";
		for (size_t n = 0; n < behind.size(); n++) {
			const platform_device_desc &d = desc.devices[behind[n]];
			const platform_device_kind *dk = platform_device_kind_find(d.kind);
			char id[16] = "????:????";

			if (dk)
				snprintf(id, sizeof(id), "%04x:%04x", dk->vendor, dk->device);
			snprintf(buf, sizeof(buf),
				 "%s %s  %-*s  %s  group %-*d  rid 0x%04x sid 0x%04x devid 0x%04x  "
				 "%-*s  %s\n",
				 n + 1 == behind.size() ? "└─" : "├─",
				 platform_bdf_name(d.segment, d.bus, d.devfn).c_str(), (int)kind_w,
				 d.kind.c_str(), id, (int)group_w, groups[behind[n]], d.rid,
				 d.stream_id, d.device_id, (int)feat_w, features[behind[n]].c_str(),
				 platform_cdev_path((int)behind[n]).c_str());
			s += buf;
		}
	}
	return s;
}
