// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's sysfs and /dev/vfio, as the program sees them.
 *
 * `uiommufd run` writes the platform's view (harness/platform/sysfs.cc)
 * as a real directory tree and names it in $UIOMMUFD_SYSROOT. Paths in
 * the subtrees the platform owns are redirected into it, for every call a
 * tool uses to find devices: open/openat/fopen/opendir (preload.cc asks
 * ufd_sysroot_redirect()), and here stat, lstat, fstatat, statx, access,
 * faccessat, getxattr, lgetxattr, listxattr, llistxattr, readlink,
 * readlinkat and realpath. The links in the tree are
 * relative, so they resolve inside it; realpath() answers with the path
 * the program would have seen.
 *
 * stat and access of /sys/kernel/debug paths see the interposer's debugfs
 * directory (the files preload.cc opens there).
 *
 * The subtrees: /sys/bus/pci, /sys/devices/pci*, /sys/devices/virtual/iommu,
 * /sys/kernel/iommu_groups, /sys/class/iommu, /sys/bus/iommufd_mock and
 * /dev/vfio. The host's own PCI devices disappear from the program's view:
 * the platform is its machine. Opening a /dev/vfio device node is not a
 * redirect but a request to the kernel side (preload.cc), which makes the
 * container, group or device file.
 */
#include "client.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

const char *sysroot(void)
{
	static const char *root = (const char *)-1;

	if (root == (const char *)-1) {
		const char *r = getenv(UFD_ENV_SYSROOT);

		root = r && *r ? r : nullptr;
	}
	return root;
}

/* Does @norm equal @prefix or lie below it? */
bool under(const char *norm, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(norm, prefix, n) && (norm[n] == '/' || !norm[n]);
}

bool platform_owned(const char *norm)
{
	static const char *const prefixes[] = {
		"/sys/bus/pci", "/sys/kernel/iommu_groups", "/sys/class/iommu",
		"/sys/devices/virtual/iommu", "/sys/bus/iommufd_mock", "/dev/vfio",
	};

	for (const char *p : prefixes)
		if (under(norm, p))
			return true;
	/* /sys/devices/pci<segment>:<bus>, the PCI hierarchy itself */
	return !strncmp(norm, "/sys/devices/pci", 16);
}

template <typename F>
F real_fn(F *slot, const char *name)
{
	if (!*slot)
		*slot = (F)dlsym(RTLD_NEXT, name);
	return *slot;
}

#define REAL_FN(type, name)                                                \
	static type real_##name;                                           \
	real_fn(&real_##name, #name)

} // namespace

bool ufd_sysroot_redirect(const char *path, char *out, size_t len)
{
	char norm[PATH_MAX];
	const char *root = sysroot();

	if (!root || !path || path[0] != '/')
		return false;
	ufd_normalize_path(path, norm, sizeof(norm));
	if (!platform_owned(norm))
		return false;
	return (size_t)snprintf(out, len, "%s%s", root, norm) < len;
}

bool ufd_vfio_node(const char *path)
{
	char norm[PATH_MAX];
	const char *s;

	if (!sysroot() || !path || path[0] != '/')
		return false;
	ufd_normalize_path(path, norm, sizeof(norm));
	if (!strcmp(norm, "/dev/vfio/vfio"))
		return true;
	if (!strncmp(norm, "/dev/vfio/devices/vfio", 22))
		s = norm + 22;
	else if (!strncmp(norm, "/dev/vfio/", 10))
		s = norm + 10;
	else
		return false;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

namespace {

/*
 * /sys/kernel/debug and below: the interposer's debugfs directory, whose
 * knob and show files preload.cc opens (stat and access see them here).
 */
bool debugfs_redirect(const char *path, char *out, size_t len)
{
	static const char prefix[] = "/sys/kernel/debug";
	const char *dir = getenv(UFD_ENV_DEBUGFS);
	char norm[PATH_MAX];

	if (!dir || !*dir || !path || path[0] != '/')
		return false;
	ufd_normalize_path(path, norm, sizeof(norm));
	if (!under(norm, prefix))
		return false;
	return (size_t)snprintf(out, len, "%s%s", dir, norm + sizeof(prefix) - 1) < len;
}

} // namespace

/* Redirected path into @buf if @path is the platform's or debugfs', else @path itself. */
#define SYSROOT_PATH(path, buf)                                                    \
	(ufd_sysroot_redirect(path, buf, sizeof(buf)) || debugfs_redirect(path, buf, sizeof(buf)) \
		 ? buf                                                             \
		 : path)

EXPORT int stat(const char *path, struct stat *st)
{
	typedef int (*fn)(const char *, struct stat *);
	char buf[PATH_MAX];

	REAL_FN(fn, stat);
	return real_stat(SYSROOT_PATH(path, buf), st);
}

EXPORT int stat64(const char *path, struct stat64 *st)
{
	typedef int (*fn)(const char *, struct stat64 *);
	char buf[PATH_MAX];

	REAL_FN(fn, stat64);
	return real_stat64(SYSROOT_PATH(path, buf), st);
}

EXPORT int lstat(const char *path, struct stat *st)
{
	typedef int (*fn)(const char *, struct stat *);
	char buf[PATH_MAX];

	REAL_FN(fn, lstat);
	return real_lstat(SYSROOT_PATH(path, buf), st);
}

EXPORT int lstat64(const char *path, struct stat64 *st)
{
	typedef int (*fn)(const char *, struct stat64 *);
	char buf[PATH_MAX];

	REAL_FN(fn, lstat64);
	return real_lstat64(SYSROOT_PATH(path, buf), st);
}

EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	typedef int (*fn)(int, const char *, struct stat *, int);
	char buf[PATH_MAX];

	REAL_FN(fn, fstatat);
	return real_fstatat(dirfd, SYSROOT_PATH(path, buf), st, flags);
}

EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	typedef int (*fn)(int, const char *, struct stat64 *, int);
	char buf[PATH_MAX];

	REAL_FN(fn, fstatat64);
	return real_fstatat64(dirfd, SYSROOT_PATH(path, buf), st, flags);
}

EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	typedef int (*fn)(int, const char *, int, unsigned int, struct statx *);
	char buf[PATH_MAX];

	REAL_FN(fn, statx);
	return real_statx(dirfd, SYSROOT_PATH(path, buf), flags, mask, stx);
}

EXPORT int access(const char *path, int mode)
{
	typedef int (*fn)(const char *, int);
	char buf[PATH_MAX];

	REAL_FN(fn, access);
	return real_access(SYSROOT_PATH(path, buf), mode);
}

EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	typedef int (*fn)(int, const char *, int, int);
	char buf[PATH_MAX];

	REAL_FN(fn, faccessat);
	return real_faccessat(dirfd, SYSROOT_PATH(path, buf), mode, flags);
}

/* ls -l asks for extended attributes (an SELinux label, ACLs): of the same files. */
EXPORT ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
	typedef ssize_t (*fn)(const char *, const char *, void *, size_t);
	char buf[PATH_MAX];

	REAL_FN(fn, getxattr);
	return real_getxattr(SYSROOT_PATH(path, buf), name, value, size);
}

EXPORT ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	typedef ssize_t (*fn)(const char *, const char *, void *, size_t);
	char buf[PATH_MAX];

	REAL_FN(fn, lgetxattr);
	return real_lgetxattr(SYSROOT_PATH(path, buf), name, value, size);
}

EXPORT ssize_t listxattr(const char *path, char *list, size_t size)
{
	typedef ssize_t (*fn)(const char *, char *, size_t);
	char buf[PATH_MAX];

	REAL_FN(fn, listxattr);
	return real_listxattr(SYSROOT_PATH(path, buf), list, size);
}

EXPORT ssize_t llistxattr(const char *path, char *list, size_t size)
{
	typedef ssize_t (*fn)(const char *, char *, size_t);
	char buf[PATH_MAX];

	REAL_FN(fn, llistxattr);
	return real_llistxattr(SYSROOT_PATH(path, buf), list, size);
}

EXPORT ssize_t readlink(const char *path, char *out, size_t len)
{
	typedef ssize_t (*fn)(const char *, char *, size_t);
	char buf[PATH_MAX];

	REAL_FN(fn, readlink);
	return real_readlink(SYSROOT_PATH(path, buf), out, len);
}

EXPORT ssize_t readlinkat(int dirfd, const char *path, char *out, size_t len)
{
	typedef ssize_t (*fn)(int, const char *, char *, size_t);
	char buf[PATH_MAX];

	REAL_FN(fn, readlinkat);
	return real_readlinkat(dirfd, SYSROOT_PATH(path, buf), out, len);
}

EXPORT char *realpath(const char *path, char *resolved)
{
	typedef char *(*fn)(const char *, char *);
	char buf[PATH_MAX], tmp[PATH_MAX];
	const char *root = sysroot();
	size_t n;
	char *r;

	REAL_FN(fn, realpath);
	if (!ufd_sysroot_redirect(path, buf, sizeof(buf)))
		return real_realpath(path, resolved);
	r = real_realpath(buf, tmp);
	if (!r)
		return nullptr;
	/* The program's view of the answer: the tree's root is its "/". */
	n = strlen(root);
	if (!strncmp(tmp, root, n) && tmp[n] == '/')
		memmove(tmp, tmp + n, strlen(tmp + n) + 1);
	if (!resolved) {
		resolved = (char *)malloc(strlen(tmp) + 1);
		if (!resolved) {
			errno = ENOMEM;
			return nullptr;
		}
	}
	strcpy(resolved, tmp);
	return resolved;
}
