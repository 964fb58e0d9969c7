// SPDX-License-Identifier: GPL-2.0
/*
 * mmap() of served files: memory the kernel side owns, aliased into a
 * client.
 *
 * A driver's ->mmap() says which memory a mapping shows by setting
 * vm_start to its kernel address (in place of io_remap_pfn_range()); for
 * the C API the caller's mapping is that memory itself. A client is
 * another process, so the memory must become shareable first: its pages
 * are moved, contents and address unchanged, onto a memfd mapped over
 * them (MAP_FIXED), and the client maps the same memfd. Both sides then
 * see one set of pages, as a user mapping of MMIO or queue memory does.
 * A region stays memfd-backed for the server's life (cheap, and a second
 * mapping of it reuses the memfd).
 *
 * The mapping holds what a VMA holds: a reference on the file and
 * whatever ->mmap() took (vm_ops->open/close). It ends at the client's
 * munmap() of exactly that range (the interposer says so), or when the
 * client process exits. Not modelled: a forked child's copy of the
 * mapping takes no reference of its own, and partial munmap or mremap of
 * it ends nothing.
 */
#include "harness/server/server_internal.h"

#include "harness/file.h"

#include <fcntl.h>
#include <map>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace {

struct shared_region {
	int memfd;
	size_t len;
};

struct mapping {
	pid_t pid;
	struct vm_area_struct vma;
};

std::mutex mmap_lock;
/* Server address -> the memfd now behind it. */
std::map<unsigned long, shared_region> regions;
std::map<u64, mapping> mappings;
u64 next_mapping_id = 1;

/* Moves [start, start + len) onto a memfd, in place; the memfd or -errno. */
int share_region(unsigned long start, size_t len)
{
	auto it = regions.find(start);
	void *p;
	int fd;

	if (it != regions.end() && it->second.len == len)
		return it->second.memfd;
	fd = kernel_fd_hide(memfd_create("uiommufd-mmap", MFD_CLOEXEC));
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) || pwrite(fd, (void *)start, len, 0) != (ssize_t)len) {
		int err = errno;

		close(fd);
		return -err;
	}
	p = mmap((void *)start, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		close(fd);
		return -err;
	}
	if (it != regions.end())
		close(it->second.memfd);
	regions[start] = {fd, len};
	return fd;
}

void unmap_one(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	fput(vma->vm_file);
}

} // namespace

long ufd_mmap(struct ufd_conn *conn, const struct ufd_msg *m, int *pass_fd, bool *mmio)
{
	struct file *filp = ufd_served_fget(m->token);
	unsigned long len = m->arg[0], off = m->arg[3];
	int prot = (int)m->arg[1], flags = (int)m->arg[2];
	struct vm_area_struct vma = {};
	long ret;
	int fd;

	*pass_fd = -1;
	if (!filp)
		return -EBADF;
	/* do_mmap()'s own checks come before the driver's. */
	if (!len || (off & (PAGE_SIZE - 1))) {
		fput(filp);
		return -EINVAL;
	}
	if (!filp->f_op->mmap) {
		fput(filp);
		return -ENODEV;
	}
	vma.vm_end = ALIGN(len, PAGE_SIZE);
	vma.vm_pgoff = off >> PAGE_SHIFT;
	vma.vm_flags = ((prot & PROT_READ) ? VM_READ : 0) | ((prot & PROT_WRITE) ? VM_WRITE : 0) |
		       ((prot & PROT_EXEC) ? VM_EXEC : 0) | ((flags & MAP_SHARED) ? VM_SHARED : 0);
	vma.vm_file = filp;	/* fget()'s reference is the mapping's */
	ret = filp->f_op->mmap(filp, &vma);
	if (ret) {
		fput(filp);
		return ret;
	}

	std::lock_guard<std::mutex> g(mmap_lock);
	/* Device memory: nothing to share, the client traps every access. */
	if (vma.vm_flags & VM_IO) {
		*mmio = true;
		ret = (long)next_mapping_id++;
		mappings[(u64)ret] = {conn->proc->pid, vma};
		return ret;
	}
	fd = share_region(vma.vm_start, vma.vm_end - vma.vm_start);
	if (fd < 0) {
		unmap_one(&vma);
		return fd;
	}
	ret = (long)next_mapping_id++;
	mappings[(u64)ret] = {conn->proc->pid, vma};
	*pass_fd = fd;
	return ret;
}

long ufd_munmap(struct ufd_conn *conn, u64 id)
{
	struct vm_area_struct vma;

	{
		std::lock_guard<std::mutex> g(mmap_lock);
		auto it = mappings.find(id);

		if (it == mappings.end() || it->second.pid != conn->proc->pid)
			return -EINVAL;
		vma = it->second.vma;
		mappings.erase(it);
	}
	unmap_one(&vma);
	return 0;
}

void ufd_munmap_all(pid_t pid)
{
	std::vector<struct vm_area_struct> gone;

	{
		std::lock_guard<std::mutex> g(mmap_lock);

		for (auto it = mappings.begin(); it != mappings.end();) {
			if (pid && it->second.pid != pid) {
				++it;
				continue;
			}
			gone.push_back(it->second.vma);
			it = mappings.erase(it);
		}
	}
	for (auto &vma : gone)
		unmap_one(&vma);
}
