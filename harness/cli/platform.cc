// SPDX-License-Identifier: GPL-2.0
/*
 * `uiommufd platform`: the machine a platform description builds, and what
 * platform files may name.
 *
 *   uiommufd platform [NAME|FILE]   the topology as a tree (default: "default")
 *   uiommufd platform --list        embedded platforms, IOMMU and device kinds
 *
 * And the check every command taking --platform makes before it starts
 * anything: a bad description is its one line on stderr and exit status 2.
 */
#include "harness/cli/cli.h"

#include "harness/platform/platform.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int cli_platform_resolve(const std::string &what, std::string *value)
{
	platform_desc desc;
	std::string err;
	char buf[PATH_MAX];

	if (platform_desc_load(what, &desc, &err)) {
		fprintf(stderr, "uiommufd: platform %s\n", err.c_str());
		return 2;
	}
	*value = what;
	/* A file: the kernel side may run in a process with another working directory. */
	if (what.find('/') != std::string::npos ||
	    (what.size() >= 5 && !what.compare(what.size() - 5, 5, ".json"))) {
		if (!realpath(what.c_str(), buf)) {
			fprintf(stderr, "uiommufd: platform %s: %s\n", what.c_str(), strerror(errno));
			return 2;
		}
		*value = buf;
	}
	return 0;
}

static void list(void)
{
	printf("embedded platforms:\n");
	for (const std::string &name : platform_desc_builtin_names()) {
		platform_desc desc;
		std::string err;

		if (platform_desc_load(name, &desc, &err))
			printf("  %-12s (does not load here: %s)\n", name.c_str(), err.c_str());
		else
			printf("  %-12s %s\n", name.c_str(), desc.description.c_str());
	}
	printf("IOMMU kinds:\n");
	for (const platform_iommu_kind *k : platform_iommu_kinds()) {
		std::string caps;

		for (const char *const *c = k->cap_names; c && *c; c++)
			caps += (caps.empty() ? "" : ", ") + std::string(*c);
		printf("  %-12s %s%s%s\n", k->name, k->summary ? k->summary : "",
		       caps.empty() ? "" : "; caps: ", caps.c_str());
	}
	printf("device kinds:\n");
	for (const platform_device_kind *k : platform_device_kinds())
		printf("  %-12s %04x:%04x  %s\n", k->name, k->vendor, k->device,
		       k->summary ? k->summary : "");
}

int cli_platform(int argc, char **argv)
{
	static const char help[] =
		"usage: uiommufd platform [NAME|FILE]\n"
		"       uiommufd platform --list\n"
		"Prints the machine a platform describes: its IOMMUs and, behind each, the PCI\n"
		"functions with their IDs, group, PASID/ATS/PRI and VFIO cdev. NAME is an\n"
		"embedded platform (default: \"default\"); FILE (with a '/' or ending in .json)\n"
		"a platform file (Documentation/platforms.md). A bad description is one line\n"
		"on stderr and exit status 2. --list: the embedded platforms, and the IOMMU\n"
		"and device kinds a platform file may name.\n";
	std::string what = "default";
	platform_desc desc;
	std::string err;

	if (argc > 2) {
		fprintf(stderr, "uiommufd platform: one platform at a time\n%s", help);
		return 2;
	}
	if (argc == 2) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			fputs(help, stdout);
			return 0;
		}
		if (!strcmp(argv[1], "--list")) {
			list();
			return 0;
		}
		if (argv[1][0] == '-' && argv[1][1]) {
			fprintf(stderr, "uiommufd platform: unknown option %s\n%s", argv[1], help);
			return 2;
		}
		what = argv[1];
	}
	if (platform_desc_load(what, &desc, &err)) {
		fprintf(stderr, "%s\n", err.c_str());
		return 2;
	}
	fputs(platform_desc_tree(desc).c_str(), stdout);
	return 0;
}
