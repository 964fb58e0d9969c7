// SPDX-License-Identifier: GPL-2.0
/*
 * memfd backing of an iopt_pages (IOMMU_IOAS_MAP_FILE, IOPT_ADDRESS_FILE).
 *
 * The kernel pins a memfd's pages through the file (memfd_pin_folios()).
 * uiommufd's pages are identified by (address space, user address), so a
 * file page is pinned through a shared mapping of it: the caller's own
 * mapping of that part of the file when it has one -- so what the user
 * sees there, and what the selftest driver checks, is the very page the
 * IOMMU maps -- otherwise a mapping of our own, made when the iopt_pages
 * was set up. Our mappings are listed so the search never mistakes one
 * for the user's.
 *
 * Like memfd_pin_folios(), pinning accepts only shmem and hugetlbfs files
 * and only pages wholly inside the file; both are checked when pages are
 * pinned, not when the mapping is made, as in the kernel.
 */
#include "core/io_pagetable.h"
#include "harness/file.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Every iopt_memfd with a mapping of its own, so the search skips them. */
static DEFINE_SPINLOCK(iopt_memfd_lock);
static LIST_HEAD(iopt_memfd_list);

static bool iopt_memfd_is_ours(unsigned long vm_start)
{
	struct iopt_memfd *mf;
	bool ours = false;

	spin_lock(&iopt_memfd_lock);
	list_for_each_entry(mf, &iopt_memfd_list, item) {
		if ((uintptr_t)mf->map == vm_start) {
			ours = true;
			break;
		}
	}
	spin_unlock(&iopt_memfd_lock);
	return ours;
}

/* A MAP_SHARED mapping of the file in @mm's /proc/PID/maps covering @off. */
static unsigned long find_user_file_mapping(struct mm_struct *mm, struct iopt_memfd *mf,
					    unsigned long off, bool need_write,
					    unsigned long *avail)
{
	unsigned long found = 0;
	char path[64];
	char line[512];
	FILE *maps;

	if (mm->local)
		snprintf(path, sizeof(path), "/proc/self/maps");
	else
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)mm->pid);
	maps = fopen(path, "re");
	if (!maps)
		return 0;
	while (fgets(line, sizeof(line), maps)) {
		unsigned long vm_start, vm_end, vm_pgoff;
		unsigned int dev_major, dev_minor;
		unsigned long long ino;
		char perms[5];

		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %llu", &vm_start, &vm_end, perms,
			   &vm_pgoff, &dev_major, &dev_minor, &ino) != 7)
			continue;
		if (ino != mf->ino || makedev(dev_major, dev_minor) != mf->dev)
			continue;
		if (perms[0] != 'r' || perms[3] != 's' || (need_write && perms[1] != 'w'))
			continue;
		if (off < vm_pgoff || off - vm_pgoff >= vm_end - vm_start)
			continue;
		/* our own mappings are the fallback, not the user's view */
		if (mm->local && iopt_memfd_is_ours(vm_start))
			continue;
		found = vm_start + (off - vm_pgoff);
		*avail = (vm_end - found) / PAGE_SIZE;
		break;
	}
	fclose(maps);
	return found;
}

static long pin_pages_in_mm(struct mm_struct *mm, unsigned long addr, unsigned long npages,
			    unsigned int gup_flags, struct page **upages)
{
	int locked = 1;
	long rc;

	if (mm == current->mm)
		return pin_user_pages_fast(addr, npages, gup_flags, upages);

	if (!mmget_not_zero(mm))
		return -EFAULT;
	mmap_read_lock(mm);
	rc = pin_user_pages_remote(mm, addr, npages, gup_flags, upages, &locked);
	if (locked)
		mmap_read_unlock(mm);
	mmput(mm);
	return rc;
}

/*
 * Pin up to @npages file pages from page @start_index of @pages. Like
 * memfd_pin_folios(): only shmem/hugetlbfs files, and only pages wholly
 * inside the file (-EINVAL otherwise).
 */
long iopt_memfd_pin(struct iopt_pages *pages, unsigned long start_index, unsigned long npages,
		    unsigned int gup_flags, struct page **upages)
{
	struct iopt_memfd *mf = pages->file;
	unsigned long off = pages->start + start_index * PAGE_SIZE;
	unsigned long avail = 0;
	unsigned long addr;
	struct stat st;

	if (!mf->is_shmem)
		return -EINVAL;
	if (fstat(mf->fd, &st))
		return -EINVAL;
	if (off + npages * PAGE_SIZE > (unsigned long)st.st_size)
		return -EINVAL;

	addr = find_user_file_mapping(pages->source_mm, mf, off, gup_flags & FOLL_WRITE,
				      &avail);
	if (addr)
		return pin_pages_in_mm(pages->source_mm, addr, min(npages, avail), gup_flags,
				       upages);

	if (!mf->map || off < mf->map_start || off - mf->map_start >= mf->map_len)
		return -EFAULT;
	addr = (uintptr_t)mf->map + (off - mf->map_start);
	avail = (mf->map_len - (off - mf->map_start)) / PAGE_SIZE;
	return pin_pages_in_mm(harness_local_mm(), addr, min(npages, avail), gup_flags, upages);
}

void iopt_memfd_release(struct iopt_memfd *mf)
{
	if (mf->map) {
		spin_lock(&iopt_memfd_lock);
		list_del(&mf->item);
		spin_unlock(&iopt_memfd_lock);
		munmap(mf->map, mf->map_len);
	}
	close(mf->fd);
	kfree(mf);
}

/*
 * Take our own hold of the memfd behind @fd for bytes [start, start +
 * length) (start page aligned). -EBADF for no file, -EPERM for a writable
 * mapping of a file not open for writing or sealed against writes.
 */
struct iopt_memfd *iopt_memfd_get(int fd, unsigned long start, unsigned long length,
				  bool writable)
{
	struct iopt_memfd *mf;
	struct stat st;
	int hfd;
	int fl;

	/*
	 * @fd is a number in the caller's table, which is not ours when a
	 * server acts for another process: resolve it as fget() would.
	 */
	hfd = host_fd_get(fd);
	if (hfd < 0)
		return (struct iopt_memfd *)ERR_PTR(-EBADF);
	fl = fcntl(hfd, F_GETFL);
	/* fget() does not hand out O_PATH descriptors either */
	if (fl < 0 || (fl & O_PATH)) {
		close(hfd);
		return (struct iopt_memfd *)ERR_PTR(-EBADF);
	}
	if (writable && (fl & O_ACCMODE) == O_RDONLY) {
		close(hfd);
		return (struct iopt_memfd *)ERR_PTR(-EPERM);
	}

	mf = kzalloc(sizeof(*mf), GFP_KERNEL_ACCOUNT);
	if (!mf) {
		close(hfd);
		return (struct iopt_memfd *)ERR_PTR(-ENOMEM);
	}
	mf->fd = hfd;
	if (fstat(mf->fd, &st) == 0) {
		mf->dev = st.st_dev;
		mf->ino = st.st_ino;
	}
	/* Only shmem and hugetlbfs files know about seals. */
	mf->is_shmem = fcntl(mf->fd, F_GET_SEALS) >= 0;
	if (mf->is_shmem) {
		unsigned long align = max_t(unsigned long, st.st_blksize, PAGE_SIZE);

		mf->map_start = ALIGN_DOWN(start, align);
		mf->map_len = ALIGN(start + length, align) - mf->map_start;
		/*
		 * A writable shared mapping is also what keeps a write seal
		 * from being added while the IOMMU may write the pages, and
		 * what fails if one is there already.
		 */
		mf->map = mmap(NULL, mf->map_len, PROT_READ | (writable ? PROT_WRITE : 0),
			       MAP_SHARED, mf->fd, mf->map_start);
		if (mf->map == MAP_FAILED && writable && errno == EPERM) {
			/*
			 * F_SEAL_WRITE forbids this as it forbids the kernel's
			 * mapping_map_writable(); F_SEAL_FUTURE_WRITE only new
			 * user mappings, which this is not in the kernel.
			 */
			if (fcntl(mf->fd, F_GET_SEALS) & F_SEAL_WRITE) {
				mf->map = NULL;
				iopt_memfd_release(mf);
				return (struct iopt_memfd *)ERR_PTR(-EPERM);
			}
			mf->map = mmap(NULL, mf->map_len, PROT_READ, MAP_SHARED, mf->fd,
				       mf->map_start);
		}
		if (mf->map == MAP_FAILED) {
			mf->map = NULL;
		} else {
			spin_lock(&iopt_memfd_lock);
			list_add(&mf->item, &iopt_memfd_list);
			spin_unlock(&iopt_memfd_lock);
		}
	}
	return mf;
}
