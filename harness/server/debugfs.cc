// SPDX-License-Identifier: GPL-2.0
/*
 * The clients' /sys/kernel/debug: the fault-injection attributes, and the
 * files drivers create (harness/debugfs.h).
 *
 * Programs under the interposer see a real directory in place of debugfs,
 * so opendir()/readdir()/stat() need no emulation: one subdirectory per
 * registered fault_attr, one empty file per knob the kernel would create
 * for it. Opening a knob gives the client a descriptor whose reads and
 * writes the interposer forwards here, to fault_attr_read_knob() and
 * fault_attr_write_knob() on the server's attributes — the same ones the
 * kernel side's should_fail() consults, shared by every client like the
 * kernel's. A path that is no knob is a driver's show file: its text comes
 * from debugfs_read_file(), at the offset the client reads at (a file may
 * be longer than one reply). One file is ours, not the kernel's:
 * uiommufd/mark, where a program names a point of its run by writing a
 * line: a step of its --digest (harness/server/digest.cc), a line of its
 * --trace.
 */
#include "harness/server/server_internal.h"

#include "harness/debugfs.h"
#include "harness/fault_inject.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

const char MARK_FILE[] = "uiommufd/mark";
std::string root;
std::mutex sync_lock;

/* The attributes a kernel can have, and which knobs each gets. */
const char *const attr_names[] = {
	"failslab", "fail_page_alloc", "fail_usercopy", "fail_iommufd", "fail_futex",
};
const char *const common_knobs[] = {
	"probability", "interval", "times", "space", "verbose", "task-filter",
};
const char *const failslab_knobs[] = {"ignore-gfp-wait", "cache-filter"};
const char *const page_alloc_knobs[] = {"ignore-gfp-wait", "ignore-gfp-highmem", "min-order"};

bool knob_exists(const char *attr, const char *knob)
{
	for (const char *k : common_knobs)
		if (!strcmp(k, knob))
			return true;
	if (!strcmp(attr, "failslab"))
		for (const char *k : failslab_knobs)
			if (!strcmp(k, knob))
				return true;
	if (!strcmp(attr, "fail_page_alloc"))
		for (const char *k : page_alloc_knobs)
			if (!strcmp(k, knob))
				return true;
	return false;
}

void touch(const std::string &path)
{
	int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0)
		close(fd);
}

void make_attr_dir(const char *name)
{
	std::string dir = root + "/" + name;

	if (mkdir(dir.c_str(), 0755) && errno != EEXIST)
		return;
	for (const char *k : common_knobs)
		touch(dir + "/" + k);
	if (!strcmp(name, "failslab"))
		for (const char *k : failslab_knobs)
			touch(dir + "/" + k);
	if (!strcmp(name, "fail_page_alloc"))
		for (const char *k : page_alloc_knobs)
			touch(dir + "/" + k);
}

/* "attr/knob" -> the attribute, with knob pointing into path; NULL if none. */
struct fault_attr *resolve(const char *path, const char **knob)
{
	char attr[64];
	const char *slash;
	struct fault_attr *fa;

	while (*path == '/')
		path++;
	slash = strchr(path, '/');
	if (!slash || (size_t)(slash - path) >= sizeof(attr))
		return nullptr;
	memcpy(attr, path, slash - path);
	attr[slash - path] = 0;
	fa = fault_attr_find(attr);
	if (!fa || !knob_exists(attr, slash + 1))
		return nullptr;
	*knob = slash + 1;
	return fa;
}

} // namespace

int ufd_debugfs_init(const std::string &dir)
{
	root = dir;
	if (root.empty())
		return -EINVAL;
	if (mkdir(root.c_str(), 0755) && errno != EEXIST)
		return -errno;
	ufd_debugfs_sync();
	/* Not a kernel file: where a program marks a step of its digest. */
	if (mkdir((root + "/uiommufd").c_str(), 0755) && errno != EEXIST)
		return -errno;
	touch(root + "/" + MARK_FILE);
	debugfs_set_host_dir(root.c_str());
	return 0;
}

void ufd_debugfs_sync(void)
{
	static bool made[ARRAY_SIZE(attr_names)];
	std::lock_guard<std::mutex> g(sync_lock);

	for (size_t i = 0; i < ARRAY_SIZE(attr_names); i++) {
		if (made[i] || !fault_attr_find(attr_names[i]))
			continue;
		make_attr_dir(attr_names[i]);
		made[i] = true;
	}
}

long ufd_debugfs_read(const char *path, u64 off, char *buf, size_t len)
{
	const char *knob;
	struct fault_attr *fa = resolve(path, &knob);
	char text[128];
	size_t n;
	int rc;

	if (!fa) {
		while (*path == '/')
			path++;
		if (!strcmp(path, MARK_FILE))
			return 0;
		return debugfs_read_file(path, off, buf, len);
	}
	rc = fault_attr_read_knob(fa, knob, text, sizeof(text));
	if (rc)
		return rc;
	n = strlen(text);
	if (off >= n)
		return 0;
	n = min_t(size_t, n - off, len);
	memcpy(buf, text + off, n);
	return (long)n;
}

long ufd_debugfs_write(const char *path, const char *val)
{
	const char *knob;
	struct fault_attr *fa = resolve(path, &knob);

	if (!fa && !strcmp(path + strspn(path, "/"), MARK_FILE)) {
		if (ufd_cfg->trace)
			ufd_trace_printf("mark(\"%.*s\")", (int)strcspn(val, "\n"), val);
		ufd_state_mark(val);
		return 0;
	}
	if (!fa)
		return -ENOENT;
	return fault_attr_write_knob(fa, knob, val);
}

int ufd_debugfs_prepare(const std::string &dir) { return ufd_debugfs_init(dir); }
