// SPDX-License-Identifier: GPL-2.0
/*
 * The machine as sysfs and /dev show it, written once as a real directory
 * tree that the interposer redirects the matching paths into (the
 * program's /sys/bus/pci/devices/<BDF>/vendor is <root>/sys/bus/pci/...).
 *
 * The layout is the kernel's, links included, so tools that walk it
 * (lspci -v's sysfs back end, the VFIO selftests' libvfio, QEMU's iommufd
 * backend) find what they look for:
 *
 *   sys/devices/pci<SSSS>:<BB>/<BDF>/   vendor device class revision
 *                                       subsystem_vendor subsystem_device
 *                                       config (the reset image), numa_node,
 *                                       iommu_group -> kernel/iommu_groups/N
 *                                       iommu -> devices/virtual/iommu/<name>
 *                                       driver -> bus/pci/drivers/vfio-pci
 *                                       vfio-dev/vfio<N>/dev
 *   sys/bus/pci/devices/<BDF>         -> the device directory
 *   sys/bus/pci/drivers/vfio-pci/<BDF> -> the device directory
 *   sys/kernel/iommu_groups/N/{type, devices/<BDF>}
 *   sys/class/iommu/<name>            -> sys/devices/virtual/iommu/<name>
 *   sys/bus/iommufd_mock/             the mock bus, as CONFIG_IOMMUFD_TEST has it
 *   dev/vfio/{vfio, N, devices/vfio<N>}  names only: opens go to the kernel side
 *
 * Every link is relative, so it resolves inside the tree wherever the
 * tree is. Values come from the device models themselves (a function is
 * built, read and thrown away), never from a second table of IDs.
 */
#include "harness/platform/platform.h"
#include "harness/platform/pci_regs.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

int mkdirs(const std::string &path)
{
	for (size_t pos = 1; pos <= path.size(); pos++) {
		if (pos != path.size() && path[pos] != '/')
			continue;
		std::string part = path.substr(0, pos);

		if (mkdir(part.c_str(), 0755) && errno != EEXIST)
			return -errno;
	}
	return 0;
}

int write_file(const std::string &path, const void *data, size_t len)
{
	int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

int write_text(const std::string &path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int write_text(const std::string &path, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return write_file(path, buf, (size_t)n);
}

int link_to(const std::string &target, const std::string &linkpath)
{
	if (symlink(target.c_str(), linkpath.c_str()) && errno != EEXIST)
		return -errno;
	return 0;
}

/* "../" as often as @path (relative to the root) has directory levels. */
std::string up(const std::string &path)
{
	std::string r;

	for (char c : path)
		if (c == '/')
			r += "../";
	return r;
}

int write_device(const std::string &root, const platform_device_desc &d, int index, int group,
		 std::string *err)
{
	const struct platform_device_kind *kind = platform_device_kind_find(d.kind);
	std::string bdf = platform_bdf_name(d.segment, d.bus, d.devfn);
	char bus[16];
	struct pci_func *f;
	int rc;

	if (!kind) {
		*err = bdf + ": unknown device kind " + d.kind;
		return -EINVAL;
	}
	f = pci_func_alloc(d.segment, d.bus, d.devfn, kind->vendor, kind->device, 0, 0);
	if (!f)
		return -ENOMEM;
	rc = kind->create(f, &d);
	if (rc) {
		pci_func_free(f);
		*err = bdf + ": the " + d.kind + " model could not be built";
		return rc;
	}
	pci_func_finalize(f);

	snprintf(bus, sizeof(bus), "pci%04x:%02x", d.segment, d.bus);
	std::string rel = std::string("sys/devices/") + bus + "/" + bdf;
	std::string dir = root + "/" + rel;
	std::string back = up(rel.substr(4) + "/");	/* from the device directory to sys/ */

	rc = mkdirs(dir + "/vfio-dev/vfio" + std::to_string(index));
	if (!rc)
		rc = write_text(dir + "/vendor", "0x%04x\n", pci_cfg_read(f, PCI_VENDOR_ID, 2));
	if (!rc)
		rc = write_text(dir + "/device", "0x%04x\n", pci_cfg_read(f, PCI_DEVICE_ID, 2));
	if (!rc)
		rc = write_text(dir + "/class", "0x%06x\n", pci_cfg_read(f, PCI_CLASS_REVISION, 4) >> 8);
	if (!rc)
		rc = write_text(dir + "/revision", "0x%02x\n", pci_cfg_read(f, PCI_REVISION_ID, 1));
	if (!rc)
		rc = write_text(dir + "/subsystem_vendor", "0x%04x\n",
				pci_cfg_read(f, PCI_SUBSYSTEM_VENDOR_ID, 2));
	if (!rc)
		rc = write_text(dir + "/subsystem_device", "0x%04x\n",
				pci_cfg_read(f, PCI_SUBSYSTEM_ID, 2));
	if (!rc)
		rc = write_text(dir + "/numa_node", "-1\n");
	if (!rc)
		rc = write_file(dir + "/config", f->reset_config, PCI_CFG_SPACE_EXP_SIZE);
	if (!rc)
		rc = write_text(dir + "/vfio-dev/vfio" + std::to_string(index) + "/dev", "%d:%d\n",
				511, index);
	if (!rc)
		rc = link_to(back + "kernel/iommu_groups/" + std::to_string(group),
			     dir + "/iommu_group");
	if (!rc)
		rc = link_to(back + "devices/virtual/iommu/" + d.iommu, dir + "/iommu");
	if (!rc)
		rc = link_to(back + "bus/pci/drivers/vfio-pci", dir + "/driver");
	if (!rc)
		rc = link_to("../../../" + rel.substr(4), root + "/sys/bus/pci/devices/" + bdf);
	if (!rc)
		rc = link_to("../../../../" + rel.substr(4),
			     root + "/sys/bus/pci/drivers/vfio-pci/" + bdf);
	if (!rc) {
		std::string gdir = root + "/sys/kernel/iommu_groups/" + std::to_string(group);

		rc = mkdirs(gdir + "/devices");
		if (!rc)
			rc = write_text(gdir + "/type", "blocked\n");
		if (!rc)
			rc = link_to("../../../../" + rel.substr(4), gdir + "/devices/" + bdf);
		if (!rc)
			rc = write_file(root + "/dev/vfio/" + std::to_string(group), "", 0);
	}
	if (!rc) {
		std::string idir = root + "/sys/devices/virtual/iommu/" + d.iommu + "/devices";

		rc = mkdirs(idir);
		if (!rc)
			rc = link_to("../../../../../" + rel.substr(4), idir + "/" + bdf);
	}
	if (!rc)
		rc = write_file(root + "/dev/vfio/devices/vfio" + std::to_string(index), "", 0);
	pci_func_free(f);
	if (rc && err->empty())
		*err = dir + ": " + strerror(-rc);
	return rc;
}

} // namespace

int platform_sysfs_write(const std::string &root, const struct platform_desc &desc,
			 std::string *err)
{
	std::vector<int> groups = platform_desc_group_ids(desc);
	int rc = 0;

	for (const char *d : {"sys/bus/pci/devices", "sys/bus/pci/drivers/vfio-pci",
			      "sys/kernel/iommu_groups", "sys/class/iommu",
			      "sys/devices/virtual/iommu", "sys/bus/iommufd_mock/devices",
			      "sys/bus/iommufd_mock/drivers", "dev/vfio/devices"}) {
		rc = mkdirs(root + "/" + d);
		if (rc) {
			*err = root + "/" + d + ": " + strerror(-rc);
			return rc;
		}
	}
	rc = write_file(root + "/dev/vfio/vfio", "", 0);
	for (const auto &iommu : desc.iommus) {
		if (rc)
			break;
		rc = mkdirs(root + "/sys/devices/virtual/iommu/" + iommu.name + "/devices");
		if (!rc)
			rc = link_to("../../devices/virtual/iommu/" + iommu.name,
				     root + "/sys/class/iommu/" + iommu.name);
	}
	for (size_t i = 0; !rc && i < desc.devices.size(); i++)
		rc = write_device(root, desc.devices[i], (int)i, groups[i], err);
	if (rc && err->empty())
		*err = root + ": " + strerror(-rc);
	return rc;
}
