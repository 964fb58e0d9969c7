// SPDX-License-Identifier: GPL-2.0
/*
 * A server with a fake /dev/iommu, to test the server and the interposer
 * without the core: `ufd_fake_server PROGRAM [ARGS]` serves PROGRAM like
 * `uiommufd run` does. The fake file's ioctls exercise exactly the
 * server's duties: user copies into the calling process, files installed
 * into it mid-ioctl, descriptors it names resolved in its own table,
 * fail-nth on the calling thread, release on the last close.
 */
#include "harness/server/server.h"
#include "harness/server/tests/fake_ioctls.h"

#include "harness/err.h"
#include "harness/fault_inject.h"
#include "harness/file.h"
#include "harness/sched.h"
#include "harness/slab.h"
#include "harness/uaccess.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>

#ifndef UFD_PRELOAD_PATH
#define UFD_PRELOAD_PATH ""
#endif

static std::atomic<int> live_files;
static std::atomic<int> vma_closes;
/* The page fake files map: kernel memory, as a driver's MMIO page would be. */
static u32 *fake_page;

static long fake_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);

static int fake_release(struct inode *inode, struct file *filp)
{
	live_files--;
	return 0;
}

static ssize_t fake_read(struct file *filp, char __user *buf, size_t count, loff_t *ppos)
{
	return -EINVAL;
}

static void fake_vma_close(struct vm_area_struct *vma) { vma_closes++; }

static const struct vm_operations_struct fake_vm_ops = {
	.close = fake_vma_close,
};

/* Like iommufd_fops_mmap(): one region at one offset, shared, not executable. */
static int fake_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start != PAGE_SIZE || vma->vm_pgoff != FAKE_MMAP_OFFSET >> PAGE_SHIFT)
		return -ENXIO;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_ops = &fake_vm_ops;
	vma->vm_start = (unsigned long)fake_page;
	vma->vm_end = vma->vm_start + PAGE_SIZE;
	return 0;
}

static const struct file_operations fake_fops = {
	.release = fake_release,
	.unlocked_ioctl = fake_ioctl,
	.mmap = fake_mmap,
};

/* A second kind, with ->read, as a fault queue would have. */
static const struct file_operations fake_queue_fops = {
	.release = fake_release,
	.unlocked_ioctl = fake_ioctl,
	.read = fake_read,
};

static struct file *fake_open(void)
{
	struct file *f = anon_inode_getfile("[fake-iommufd]", &fake_fops, nullptr, O_RDWR);

	if (!IS_ERR(f))
		live_files++;
	return f;
}

static long fake_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	void __user *uptr = (void __user *)arg;
	struct fake_echo echo;

	switch (cmd) {
	case FAKE_ECHO:
		if (copy_from_user(&echo, uptr, sizeof(echo)))
			return -EFAULT;
		echo.out = echo.in + 1;
		if (copy_to_user(uptr, &echo, sizeof(echo)))
			return -EFAULT;
		return 0;
	case FAKE_NEWFD: {
		bool queue = arg & 1;
		struct file *f = anon_inode_getfile("[fake-queue]",
						    queue ? &fake_queue_fops : &fake_fops, nullptr,
						    O_RDWR);
		int fd;

		if (IS_ERR(f))
			return PTR_ERR(f);
		live_files++;
		fd = fd_install_new(f, (arg & 2) ? O_CLOEXEC : 0);
		if (fd < 0)
			fput(f);
		return fd;
	}
	case FAKE_ALLOC: {
		void *p = kmalloc(64, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		kfree(p);
		return 0;
	}
	case FAKE_GETFD: {
		struct file *f = fget((int)arg);
		long ret;

		if (!f)
			return -EBADF;
		ret = (f->f_op == &fake_fops || f->f_op == &fake_queue_fops) ? 1 : 0;
		fput(f);
		return ret;
	}
	case FAKE_COUNT:
		return live_files.load();
	case FAKE_WHO:
		return current->pid;
	case FAKE_WARN:
		WARN_ON(1);
		return 0;
	case FAKE_PEEK:
		return READ_ONCE(fake_page[0]);
	case FAKE_UNMAPS:
		return vma_closes.load();
	case FAKE_REINSTALL: {
		struct file *f = anon_inode_getfile("[fake-twice]", &fake_fops, nullptr, O_RDWR);
		int fd, fd2;

		if (IS_ERR(f))
			return PTR_ERR(f);
		live_files++;
		/* Ours to keep using: the install takes over the first reference. */
		get_file(f);
		fd = fd_install_new(f, 0);
		if (fd < 0) {
			fput(f);
			fput(f);
			return fd;
		}
		/* A file already installed: the server refuses (-EBADF) with a WARN. */
		fd2 = fd_install_new(f, 0);
		fput(f);
		return fd2 == -EBADF ? fd : -EINVAL;
	}
	default:
		return -ENOIOCTLCMD;
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(int argc, char **argv)
{
	const char *preload = getenv("UIOMMUFD_PRELOAD");
	char dir[] = "/tmp/ufd-fake.XXXXXX";
	std::vector<std::string> args;
	ufd_server_config cfg;
	int rc;

	fake_page = (u32 *)aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	fake_page[0] = FAKE_MMAP_PATTERN;
	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM [ARGS]\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	cfg.socket_path = std::string(dir) + "/sock";
	cfg.debugfs_dir = std::string(dir) + "/debugfs";
	cfg.open_iommu = fake_open;
	if (getenv("UFD_FAKE_TRACE"))
		cfg.trace = stderr;
	for (int i = 1; i < argc; i++)
		args.push_back(argv[i]);
	rc = ufd_server_run(cfg, args, preload && *preload ? preload : UFD_PRELOAD_PATH);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	if (live_files.load()) {
		fprintf(stderr, "fake server: %d file(s) never released\n", live_files.load());
		rc = rc ? rc : 1;
	}
	/* The client provokes exactly two tripwires (test_warn()) when asked to. */
	if (ufd_server_failures() != (getenv("UFD_FAKE_EXPECT_WARN") ? 2UL : 0UL)) {
		fprintf(stderr, "fake server: %lu kernel-side failure(s)\n", ufd_server_failures());
		rc = rc ? rc : 1;
	}
	return rc;
}
