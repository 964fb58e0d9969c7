/* SPDX-License-Identifier: GPL-2.0 */
/*
 * debugfs for kernel-side code: directories and read-only show files.
 *
 * Drivers create files the way the kernel's do (debugfs_create_dir(),
 * debugfs_create_file() with a DEFINE_SHOW_ATTRIBUTE() show function,
 * debugfs_remove_recursive()); the show function prints into a seq_file.
 * Programs under the interposer see every file below their
 * /sys/kernel/debug: the directory the server makes for them
 * (harness/server/debugfs.cc) gets one empty file per entry, and a read of
 * it runs the show function here (debugfs_read_file()).
 *
 * As the kernel's single_open() files: the whole text is made when a read
 * starts at offset 0 and later reads at higher offsets are served from that
 * text, so a reader going through the file in pieces sees one snapshot.
 * The snapshot is per file, not per open (readers of one file at once
 * share it).
 *
 * Errors are the kernel's: creating returns an ERR_PTR, which later calls
 * with it as the parent pass on and removal ignores, so callers need not
 * check (debugfs is for diagnosis; nothing must fail for lack of it).
 */
#pragma once

#include "harness/kernel.h"

#include <string>

struct dentry;

struct seq_file {
	std::string buf;
	void *private_data;	/* the kernel's m->private: the file's data */
};

__attribute__((format(printf, 2, 3))) void seq_printf(struct seq_file *m, const char *fmt, ...);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);

/* What a show file does (the kernel's file_operations of a single_open() file). */
struct debugfs_show_fops {
	int (*show)(struct seq_file *m, void *unused);
};

/* __name##_fops from __name##_show(), as the kernel's macro. */
#define DEFINE_SHOW_ATTRIBUTE(__name)                                              \
	static const struct debugfs_show_fops __name##_fops = {.show = __name##_show}

/* @parent NULL is the debugfs root. -EEXIST if the name is taken. */
struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
/* @data becomes m->private_data of every read. */
struct dentry *debugfs_create_file(const char *name, unsigned int mode, struct dentry *parent,
				   void *data, const struct debugfs_show_fops *fops);
/*
 * Removes @dentry and everything below it; returns once no read of them
 * is running, so their data may be freed. NULL and ERR_PTRs are ignored.
 */
void debugfs_remove_recursive(struct dentry *dentry);

/* drivers/iommu/iommu-debugfs.c: the "iommu" directory, made on first use. */
struct dentry *iommu_debugfs_dir_get(void);

/*
 * The interposer's side. debugfs_set_host_dir() makes every entry (and
 * every later one) a file or directory below @dir, "" for none.
 * debugfs_read_file(): up to @len bytes of the text of @path (relative to
 * the root) at @off, their count, or -ENOENT if no show file has that
 * path.
 */
void debugfs_set_host_dir(const char *dir);
long debugfs_read_file(const char *path, u64 off, char *buf, size_t len);
/* Does @path (relative) name a show file or directory here? */
bool debugfs_exists(const char *path);
