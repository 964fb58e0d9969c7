// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs for kernel-side code (harness/debugfs.h): a table of entries by
 * path, mirrored as empty files below the interposer's debugfs directory
 * when there is one, and show functions run on reads.
 */
#include "harness/debugfs.h"

#include "harness/cleanup.h"
#include "harness/err.h"
#include "harness/mutex.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <new>
#include <sys/stat.h>
#include <unistd.h>

struct dentry {
	std::string path;	/* below the root, no leading slash */
	const struct debugfs_show_fops *fops;	/* NULL for a directory */
	void *data;
	std::string snapshot;	/* the text the last read at offset 0 made */
};

namespace {

/*
 * Entries by path, the host directory, and every show: a removal waits for
 * a running read, as the kernel's debugfs_remove() waits for its users.
 */
DEFINE_MUTEX(debugfs_lock);
std::map<std::string, struct dentry *> *entries;
std::string host_dir;
struct dentry *iommu_dir;

void host_make(const struct dentry *d)
{
	std::string p;
	int fd;

	if (host_dir.empty())
		return;
	p = host_dir + "/" + d->path;
	if (!d->fops) {
		/* An existing one is fine: a process before us made it */
		mkdir(p.c_str(), 0755);
		return;
	}
	fd = open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
	if (fd >= 0)
		close(fd);
}

void host_remove(const struct dentry *d)
{
	std::string p;

	if (host_dir.empty())
		return;
	p = host_dir + "/" + d->path;
	if (d->fops)
		unlink(p.c_str());
	else
		rmdir(p.c_str());
}

/*
 * Is @d an entry now? Looked up by address, not through @d: a caller may
 * hold a dentry an ancestor's removal freed (the kernel's would be a
 * stale pointer too; here it is a no-op).
 */
bool alive(const struct dentry *d)
{
	if (!entries)
		return false;
	for (auto &e : *entries)
		if (e.second == d)
			return true;
	return false;
}

struct dentry *create(const char *name, struct dentry *parent, void *data,
		      const struct debugfs_show_fops *fops)
{
	struct dentry *d;

	if (IS_ERR(parent))
		return parent;
	if (!name || !*name || strchr(name, '/'))
		return (struct dentry *)ERR_PTR(-EINVAL);
	guard(mutex)(&debugfs_lock);
	if (!entries) {
		entries = new (std::nothrow) std::map<std::string, struct dentry *>;
		if (!entries)
			return (struct dentry *)ERR_PTR(-ENOMEM);
	}
	/* The parent may have been removed meanwhile */
	if (parent && !alive(parent))
		return (struct dentry *)ERR_PTR(-ENOENT);
	d = new (std::nothrow) dentry();
	if (!d)
		return (struct dentry *)ERR_PTR(-ENOMEM);
	d->path = parent ? parent->path + "/" + name : std::string(name);
	d->fops = fops;
	d->data = data;
	if (entries->count(d->path)) {
		delete d;
		return (struct dentry *)ERR_PTR(-EEXIST);
	}
	(*entries)[d->path] = d;
	host_make(d);
	return d;
}

} // namespace

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		m->buf.append(small, (size_t)n);
		return;
	}
	size_t at = m->buf.size();

	m->buf.resize(at + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(&m->buf[at], (size_t)n + 1, fmt, ap);
	va_end(ap);
	m->buf.resize(at + (size_t)n);
}

void seq_puts(struct seq_file *m, const char *s) { m->buf.append(s); }

void seq_putc(struct seq_file *m, char c) { m->buf.push_back(c); }

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return create(name, parent, NULL, NULL);
}

struct dentry *debugfs_create_file(const char *name, unsigned int mode, struct dentry *parent,
				   void *data, const struct debugfs_show_fops *fops)
{
	(void)mode;	/* every file here is read-only */
	if (!fops || !fops->show)
		return (struct dentry *)ERR_PTR(-EINVAL);
	return create(name, parent, data, fops);
}

void debugfs_remove_recursive(struct dentry *dentry)
{
	std::string prefix;

	if (IS_ERR_OR_NULL(dentry))
		return;
	guard(mutex)(&debugfs_lock);
	if (!alive(dentry))
		return;
	if (dentry == iommu_dir)
		iommu_dir = NULL;
	prefix = dentry->path + "/";
	/* Deepest first, so the host's directories are empty when they go */
	for (auto it = entries->end(); it != entries->begin();) {
		--it;
		struct dentry *d = it->second;

		if (d != dentry && d->path.compare(0, prefix.size(), prefix))
			continue;
		if (d == iommu_dir)
			iommu_dir = NULL;
		host_remove(d);
		it = entries->erase(it);
		delete d;
	}
}

struct dentry *iommu_debugfs_dir_get(void)
{
	{
		guard(mutex)(&debugfs_lock);
		if (iommu_dir)
			return iommu_dir;
	}
	struct dentry *d = debugfs_create_dir("iommu", NULL);

	guard(mutex)(&debugfs_lock);
	if (!IS_ERR(d))
		iommu_dir = d;
	else if (PTR_ERR(d) == -EEXIST && entries && entries->count("iommu"))
		iommu_dir = (*entries)["iommu"];	/* a racing first user made it */
	return iommu_dir ? iommu_dir : d;
}

void debugfs_set_host_dir(const char *dir)
{
	guard(mutex)(&debugfs_lock);
	host_dir = dir ? dir : "";
	if (!entries)
		return;
	/* Parents sort before their children */
	for (auto &e : *entries)
		host_make(e.second);
}

long debugfs_read_file(const char *path, u64 off, char *buf, size_t len)
{
	struct seq_file m;

	guard(mutex)(&debugfs_lock);
	if (!entries)
		return -ENOENT;
	auto it = entries->find(path);
	if (it == entries->end() || !it->second->fops)
		return -ENOENT;
	struct dentry *d = it->second;

	if (!off) {
		int ret;

		m.private_data = d->data;
		ret = d->fops->show(&m, NULL);
		if (ret)
			return ret;
		d->snapshot.swap(m.buf);
	}
	if (off >= d->snapshot.size())
		return 0;
	len = min_t(size_t, len, d->snapshot.size() - off);
	memcpy(buf, d->snapshot.data() + off, len);
	return (long)len;
}

bool debugfs_exists(const char *path)
{
	guard(mutex)(&debugfs_lock);
	return entries && entries->count(path);
}
