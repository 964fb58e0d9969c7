/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to harness/platform: the running machine, shared by the lookups
 * (platform.cc) and boot/shutdown (platform_boot.cc).
 */
#pragma once

#include "harness/platform/platform.h"

#include "core/iommu.h"

#include <map>
#include <memory>
#include <mutex>
#include <vector>

extern const struct bus_type platform_pci_bus_type;

/* The kernel's device for a platform function. */
struct platform_pci_device {
	struct device dev;
	struct platform_dev *pdev;
};

struct platform_machine {
	platform_desc desc;
	std::vector<std::unique_ptr<platform_iommu>> iommus;
	std::vector<std::unique_ptr<platform_dev>> devs;
	/* The machine's reference on each group, by number. */
	std::map<int, struct iommu_group *> groups;
};

/* Set once booted; nothing is hot-plugged, so readers need no lock. */
extern struct platform_machine *platform_running;
