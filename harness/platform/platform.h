/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine: IOMMU instances and the PCI functions behind them, built
 * from a platform description (desc.h), and the two registries that make
 * it extensible.
 *
 *  - struct platform_iommu_kind: an IOMMU model and its driver ("mock"
 *    today; a vendor adds "smmuv3", "vtd", "amd-vi"). @create brings the
 *    instance up (hardware model + driver, iommu_device_register() with the
 *    instance as fwnode), @translate is the hardware's answer to a DMA.
 *  - struct platform_device_kind: a PCI function model ("plain", "ioat").
 *
 * A kind registers itself at load time with PLATFORM_IOMMU_KIND() /
 * PLATFORM_DEVICE_KIND(); the platform code names no kind.
 *
 * Lifetime: platform_boot() builds the machine once per kernel side (the
 * server, or the in-process library) before the first client request;
 * platform_shutdown() tears it down. Devices are never hot-plugged.
 */
#pragma once

#include "harness/platform/desc.h"
#include "harness/platform/pci.h"
#include "harness/state.h"

#include <string>

struct device;
struct platform_iommu;
struct platform_dev;

struct platform_iommu_kind {
	const char *name;
	/* One line on what it is, for `uiommufd platform`. */
	const char *summary;
	/* Capability names it accepts in a platform file; NULL-terminated. */
	const char *const *cap_names;
	/* 0, or -EINVAL and a reason, for one capability override. */
	int (*check_cap)(const char *cap, u64 val, std::string *why);
	/* Brings the instance up: model, driver, iommu_device_register(). */
	int (*create)(struct platform_iommu *iommu);
	void (*destroy)(struct platform_iommu *iommu);
	/*
	 * A device behind the instance is being added (before device_add()):
	 * the kind sets up what its hardware needs to know of it (stream table
	 * entry space, ...).
	 */
	int (*add_device)(struct platform_iommu *iommu, struct platform_dev *pdev);
	void (*remove_device)(struct platform_iommu *iommu, struct platform_dev *pdev);
	/* The hardware's translation of one DMA (see struct pci_dma_port). */
	int (*translate)(struct platform_iommu *iommu, struct platform_dev *pdev, u32 pasid,
			 bool has_pasid, u64 iova, bool write, phys_addr_t *pa, u64 *contig);
	/*
	 * Optional: what the hardware holds that software can observe (register
	 * file, queues, cache contents) as state items keyed "<iommu name>/..."
	 * (harness/state.h), for digests and their diffs.
	 */
	void (*describe)(struct platform_iommu *iommu, std::vector<struct state_item> *out);
	/*
	 * Optional, before ->describe: have the driver handle now what the
	 * hardware signalled and its interrupt thread has not handled yet
	 * (faults, events, page requests), so that a description does not
	 * depend on when that thread ran.
	 */
	void (*settle)(struct platform_iommu *iommu);
};

struct platform_device_kind {
	const char *name;
	const char *summary;
	u16 vendor, device;
	/* Builds the function's registers, BARs and capabilities (before finalize). */
	int (*create)(struct pci_func *f, const struct platform_device_desc *desc);
};

/*
 * A kind's ->check_cap from its tables: @names (NULL-terminated) are the
 * capabilities, each 0 or 1 unless @limits gives its range (and the words
 * that explain it); @what names the hardware in the error. 0 or -EINVAL.
 */
struct platform_cap_limit {
	const char *name;
	u64 min, max;
	const char *why;
};
int platform_check_cap(const char *cap, u64 val, const char *const *names,
		       const struct platform_cap_limit *limits, size_t nr_limits, const char *what,
		       std::string *why);

void platform_iommu_kind_register(const struct platform_iommu_kind *kind);
void platform_device_kind_register(const struct platform_device_kind *kind);
const struct platform_iommu_kind *platform_iommu_kind_find(const std::string &name);
const struct platform_device_kind *platform_device_kind_find(const std::string &name);
std::vector<const struct platform_iommu_kind *> platform_iommu_kinds(void);
std::vector<const struct platform_device_kind *> platform_device_kinds(void);

#define __PLATFORM_KIND_REG(fn, kind, tag)                                  \
	static const int __platform_kind_reg_##tag = ((fn)(&(kind)), 0)
#define PLATFORM_IOMMU_KIND(kind) \
	__PLATFORM_KIND_REG(platform_iommu_kind_register, kind, kind)
#define PLATFORM_DEVICE_KIND(kind) \
	__PLATFORM_KIND_REG(platform_device_kind_register, kind, kind)

/* An IOMMU instance of the running machine. */
struct platform_iommu {
	const struct platform_iommu_desc *desc;
	const struct platform_iommu_kind *kind;
	int index;			/* position in the description: /sys/class/iommu/<name> */
	void *priv;			/* the kind's */
};

/* A PCI function of the running machine, as the platform owns it. */
struct platform_dev {
	const struct platform_device_desc *desc;
	const struct platform_device_kind *kind;
	struct platform_iommu *iommu;
	struct pci_func *func;
	struct pci_dma_port dma;
	/* The kernel's struct device for it (bus "pci", fwnode = its IOMMU). */
	struct device *dev;
	int index;			/* cdev number: /dev/vfio/devices/vfio<index> */
	int group_id;			/* the IOMMU group number the kernel gave it */
	std::string bdf;
};

/* The platform a kernel side boots: a name or a file, as platform_desc_load() takes. */
#define PLATFORM_ENV "UIOMMUFD_PLATFORM"

/*
 * Builds the machine for @desc (copied). 0 or -errno, with *@err set.
 * A second call with a machine running is -EBUSY.
 */
int platform_boot(const struct platform_desc &desc, std::string *err);
void platform_shutdown(void);
/* Boots @what: an embedded platform's name or a file, as platform_desc_load() takes. */
int platform_boot_named(const std::string &what, std::string *err);
/* Boots what $UIOMMUFD_PLATFORM names ("default" if unset). */
int platform_boot_from_env(std::string *err);
/* The running machine's description, or NULL. */
const struct platform_desc *platform_current(void);

/* Lookups in the running machine. */
int platform_nr_devices(void);
struct platform_dev *platform_dev_get(int index);
struct platform_dev *platform_dev_by_bdf(const std::string &bdf);
struct platform_dev *platform_dev_of(struct device *dev);
int platform_nr_iommus(void);
struct platform_iommu *platform_iommu_get(int index);

/*
 * Writes the sysfs and /dev/vfio view of @desc under @root (sysfs.cc), for
 * the interposer to redirect /sys/bus/pci, /sys/kernel/iommu_groups, ...
 * into. 0, or -errno with *@err set.
 */
int platform_sysfs_write(const std::string &root, const struct platform_desc &desc,
			 std::string *err);

/*
 * The machine's state items (harness/state.h): each IOMMU (its kind's
 * ->describe), each PCI function's command register and error counters.
 */
void platform_state_items(std::vector<struct state_item> *out);

/*
 * ->device_group for every IOMMU kind: the group the description puts the
 * device in, shared with the other devices naming the same group.
 */
struct iommu_group *platform_device_group(struct device *dev);

/*
 * What one DMA of @pdev to @iova reaches through its IOMMU, as its DMA port
 * asks: PCI_DMA_OK with *@pa set, or the pci_dma_status the function sees.
 */
static inline int platform_dev_translate(struct platform_dev *pdev, u64 iova, bool write,
					 phys_addr_t *pa, u32 pasid = 0, bool has_pasid = false)
{
	u64 contig;

	return pdev->dma.translate(&pdev->dma, pdev->func, pasid, has_pasid, iova, write, pa,
				   &contig);
}
