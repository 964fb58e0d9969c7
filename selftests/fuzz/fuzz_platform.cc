// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the platform-file parser (harness/platform/desc.cc) on
 * any text. Whatever the input, the parser returns 0 or -EINVAL, an error
 * is one line naming the source, and a description it accepts prints as a
 * tree and parses the same way again from a second call.
 */
#include "harness/platform/desc.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string text((const char *)data, size), err, err2;
	struct platform_desc d, again;
	int rc = platform_desc_parse(text, "fuzz.json", &d, &err);

	if (rc && rc != -EINVAL) {
		fprintf(stderr, "fuzz_platform: parse returned %d\n", rc);
		abort();
	}
	if (rc) {
		if (err.rfind("fuzz.json", 0) != 0 || err.find('\n') != std::string::npos) {
			fprintf(stderr, "fuzz_platform: bad error line: %s\n", err.c_str());
			abort();
		}
		return 0;
	}
	(void)platform_desc_tree(d);
	if (platform_desc_parse(text, "fuzz.json", &again, &err2) ||
	    platform_desc_tree(again) != platform_desc_tree(d)) {
		fprintf(stderr, "fuzz_platform: a second parse of an accepted text differs\n");
		abort();
	}
	return 0;
}
