// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU_TEST_CMD: the kernel side of tools/testing/selftests/iommu.
 *
 * Each operation exercises the core through the same APIs a real driver
 * uses: mock devices are bound and attached with iommufd_device_*(),
 * accesses are made with iommufd_access_*(). The selftest object
 * (IOMMUFD_OBJ_SELFTEST) owns a mock device; destroying it detaches,
 * unbinds and removes the device, which is how tests get rid of one (the
 * device object itself stays -EBUSY while bound).
 *
 * Accesses are handed to userspace as real file descriptors whose release
 * unpins everything and destroys the access, so a test that forgets them
 * still leaves nothing behind.
 *
 * The dma-buf operations (DMABUF_GET, DMABUF_REVOKE, MD_CHECK_DMABUF)
 * live in mock_dmabuf.cc.
 */
#include "drivers/mock/mock.h"
#include "core/io_pagetable.h"

#include <fcntl.h>

/* Debugfs name "fail_iommufd"; extra injection points of the core and the mock. */
static DECLARE_FAULT_ATTR(fail_iommufd);

size_t iommufd_test_memory_limit = 65536;

bool iommufd_should_fail(void)
{
	return should_fail(&fail_iommufd, 1);
}

/* ---- syzkaller IOVA encoding ---- */

/*
 * A fuzzer cannot know the IOVAs the kernel allocated, so in syzkaller
 * mode the 64-bit IOVA is read as (index of an area, offset into it).
 */
static unsigned long __iommufd_test_syz_conv_iova(struct io_pagetable *iopt,
						  const void *iova)
{
	struct syz_layout {
		__u32 nth_area;
		__u32 offset;
	};
	struct syz_layout syz;
	struct iopt_area *area;
	unsigned int nth;

	memcpy(&syz, iova, sizeof(syz));
	nth = syz.nth_area;

	down_read(&iopt->iova_rwsem);
	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		if (nth == 0) {
			up_read(&iopt->iova_rwsem);
			return iopt_area_iova(area) + syz.offset;
		}
		nth--;
	}
	up_read(&iopt->iova_rwsem);
	return 0;
}

static unsigned long iommufd_test_syz_conv_iova(struct iommufd_access *access,
						const __u64 *iova)
{
	unsigned long ret;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas) {
		mutex_unlock(&access->ioas_lock);
		return 0;
	}
	ret = __iommufd_test_syz_conv_iova(&access->ioas->iopt, iova);
	mutex_unlock(&access->ioas_lock);
	return ret;
}

void iommufd_test_syz_conv_iova_id(struct iommufd_ucmd *ucmd, unsigned int ioas_id, u64 *iova,
				   u32 *flags)
{
	struct iommufd_ioas *ioas;

	if (!(*flags & MOCK_FLAGS_ACCESS_SYZ))
		return;
	*flags &= ~(u32)MOCK_FLAGS_ACCESS_SYZ;

	ioas = iommufd_get_ioas(ucmd->ictx, ioas_id);
	if (IS_ERR(ioas))
		return;
	*iova = __iommufd_test_syz_conv_iova(&ioas->iopt, iova);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
}

/* ---- the selftest object ---- */

enum selftest_obj_type {
	TYPE_IDEV,
};

struct selftest_obj {
	struct iommufd_object obj;
	enum selftest_obj_type type;

	union {
		struct {
			struct iommufd_device *idev;
			struct iommufd_ctx *ictx;
			struct mock_dev *mock_dev;
			/* PASIDs attached through IOMMU_TEST_OP_PASID_ATTACH */
			struct xarray pasids;
		} idev;
	};
};

static struct selftest_obj *to_selftest_obj(struct iommufd_object *obj)
{
	return container_of(obj, struct selftest_obj, obj);
}

void iommufd_selftest_destroy(struct iommufd_object *obj)
{
	struct selftest_obj *sobj = to_selftest_obj(obj);

	switch (sobj->type) {
	case TYPE_IDEV: {
		unsigned long pasid;
		void *entry;

		/*
		 * A bound device must be fully detached before it is unbound;
		 * a test that leaves PASIDs attached gets them detached here.
		 */
		xa_for_each(&sobj->idev.pasids, pasid, entry)
			iommufd_device_detach(sobj->idev.idev, pasid);
		xa_destroy(&sobj->idev.pasids);
		iommufd_device_detach(sobj->idev.idev, IOMMU_NO_PASID);
		iommufd_device_unbind(sobj->idev.idev);
		mock_dev_destroy(sobj->idev.mock_dev);
		break;
	}
	}
}

/* A selftest object (not the device) so the lookup cannot race destroy. */
static struct selftest_obj *iommufd_test_get_selftest_obj(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_object *dev_obj;
	struct selftest_obj *sobj;

	dev_obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(dev_obj))
		return ERR_CAST(dev_obj);

	sobj = to_selftest_obj(dev_obj);
	if (sobj->type != TYPE_IDEV) {
		iommufd_put_object(ictx, dev_obj);
		return ERR_PTR(-EINVAL);
	}
	return sobj;
}

/* ---- mock devices ---- */

/* A mock device bound to the context and attached to cmd->id. */
static int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct iommufd_device *idev;
	struct selftest_obj *sobj;
	u32 pt_id = cmd->id;
	u32 dev_flags = 0;
	u32 idev_id;
	int rc;

	sobj = iommufd_object_alloc(ucmd->ictx, sobj, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	sobj->idev.ictx = ucmd->ictx;
	sobj->type = TYPE_IDEV;
	xa_init(&sobj->idev.pasids);

	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		dev_flags = cmd->mock_domain_flags.dev_flags;

	sobj->idev.mock_dev = mock_dev_create(dev_flags);
	if (IS_ERR(sobj->idev.mock_dev)) {
		rc = PTR_ERR(sobj->idev.mock_dev);
		goto out_sobj;
	}

	idev = iommufd_device_bind(ucmd->ictx, &sobj->idev.mock_dev->dev, &idev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_mdev;
	}
	sobj->idev.idev = idev;

	rc = iommufd_device_attach(idev, IOMMU_NO_PASID, &pt_id);
	if (rc)
		goto out_unbind;

	/* The device goes away when userspace destroys the stdev ID. */
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_idev_id = idev_id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_detach;
	iommufd_object_finalize(ucmd->ictx, &sobj->obj);
	return 0;

out_detach:
	iommufd_device_detach(idev, IOMMU_NO_PASID);
out_unbind:
	iommufd_device_unbind(idev);
out_mdev:
	mock_dev_destroy(sobj->idev.mock_dev);
out_sobj:
	iommufd_object_abort(ucmd->ictx, &sobj->obj);
	return rc;
}

static int iommufd_test_mock_domain_replace(struct iommufd_ucmd *ucmd, unsigned int device_id,
					    u32 pt_id, struct iommu_test_cmd *cmd)
{
	struct selftest_obj *sobj;
	int rc;

	sobj = iommufd_test_get_selftest_obj(ucmd->ictx, device_id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	rc = iommufd_device_replace(sobj->idev.idev, IOMMU_NO_PASID, &pt_id);
	if (rc)
		goto out_sobj;

	cmd->mock_domain_replace.pt_id = pt_id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));

out_sobj:
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

/* ---- IOAS and domain inspection ---- */

/* Reserve IOVA in an IOAS as if some device's reserved region said so. */
static int iommufd_test_add_reserved(struct iommufd_ucmd *ucmd, unsigned int mockpt_id,
				     unsigned long start, size_t length)
{
	struct iommufd_ioas *ioas;
	unsigned long last;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(start, length - 1, &last))
		return -EOVERFLOW;

	ioas = iommufd_get_ioas(ucmd->ictx, mockpt_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	down_write(&ioas->iopt.iova_rwsem);
	rc = iopt_reserve_iova(&ioas->iopt, start, last, NULL);
	up_write(&ioas->iopt.iova_rwsem);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/* A paging HWPT whose domain the mock driver made, with a reference. */
struct iommufd_hw_pagetable *get_md_pagetable(struct iommufd_ucmd *ucmd, u32 mockpt_id,
					      struct mock_iommu_domain **mock)
{
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_object *obj;

	obj = iommufd_get_object(ucmd->ictx, mockpt_id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	hwpt = container_of(obj, struct iommufd_hw_pagetable, obj);
	if (hwpt->domain->type != IOMMU_DOMAIN_UNMANAGED || hwpt->domain->owner != &mock_ops) {
		iommufd_put_object(ucmd->ictx, &hwpt->obj);
		return ERR_PTR(-EINVAL);
	}
	*mock = to_mock_domain(hwpt->domain);
	return hwpt;
}

/*
 * Every smallest-page step of [iova, iova + length) must translate to the
 * physical address of the user memory at the same offset from @uptr.
 */
static int iommufd_test_md_check_pa(struct iommufd_ucmd *ucmd, unsigned int mockpt_id,
				    unsigned long iova, size_t length, void __user *uptr)
{
	struct iommufd_hw_pagetable *hwpt;
	struct mock_iommu_domain *mock;
	unsigned int page_size;
	uintptr_t end;
	int rc;

	hwpt = get_md_pagetable(ucmd, mockpt_id, &mock);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);

	page_size = 1U << __ffs(mock->domain.pgsize_bitmap);
	if (iova % page_size || length % page_size || (uintptr_t)uptr % page_size ||
	    check_add_overflow((uintptr_t)uptr, (uintptr_t)length, &end)) {
		rc = -EINVAL;
		goto out_put;
	}

	for (; length; length -= page_size) {
		struct page *pages[1];
		phys_addr_t io_phys;
		unsigned long pfn;
		long npages;

		npages = get_user_pages_fast((uintptr_t)uptr & PAGE_MASK, 1, 0, pages);
		if (npages < 0) {
			rc = npages;
			goto out_put;
		}
		if (WARN_ON(npages != 1)) {
			rc = -EFAULT;
			goto out_put;
		}
		pfn = page_to_pfn(pages[0]);
		put_page(pages[0]);

		io_phys = mock->domain.ops->iova_to_phys(&mock->domain, iova);
		if (io_phys != pfn * PAGE_SIZE + ((uintptr_t)uptr % PAGE_SIZE)) {
			rc = -EINVAL;
			goto out_put;
		}
		iova += page_size;
		uptr = (u8 __user *)uptr + page_size;
	}
	rc = 0;

out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}

/* Every page of the user range must be pinned exactly @refs times. */
static int iommufd_test_md_check_refs(struct iommufd_ucmd *ucmd, void __user *uptr,
				      size_t length, unsigned int refs)
{
	uintptr_t end;

	if (length % PAGE_SIZE || (uintptr_t)uptr % PAGE_SIZE ||
	    check_add_overflow((uintptr_t)uptr, (uintptr_t)length, &end))
		return -EINVAL;

	for (; length; length -= PAGE_SIZE) {
		struct page *pages[1];
		long npages;

		npages = get_user_pages_fast((uintptr_t)uptr, 1, 0, pages);
		if (npages < 0)
			return npages;
		if (WARN_ON(npages != 1))
			return -EFAULT;
		/* Compound pages count pins on the head; the check cannot tell. */
		if (!PageCompound(pages[0])) {
			unsigned int count = page_ref_count(pages[0]);

			if (count / GUP_PIN_COUNTING_BIAS != refs) {
				put_page(pages[0]);
				return -EIO;
			}
		}
		put_page(pages[0]);
		uptr = (u8 __user *)uptr + PAGE_SIZE;
	}
	return 0;
}

/* IOMMU_TEST_OP_MD_CHECK_IOTLB: mock_nested.cc */

static int iommufd_test_dev_check_cache(struct iommufd_ucmd *ucmd, u32 idev_id,
					unsigned int cache_id, u32 cache)
{
	struct iommufd_device *idev;
	struct mock_dev *mdev;
	int rc = 0;

	idev = iommufd_get_device(ucmd, idev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	if (!iommufd_selftest_is_mock_dev(idev->dev)) {
		rc = -EINVAL;
		goto out_put;
	}
	mdev = to_mock_dev(idev->dev);
	if (cache_id > MOCK_DEV_CACHE_ID_MAX || mdev->cache[cache_id] != cache)
		rc = -EINVAL;
out_put:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/* ---- accesses ---- */

struct selftest_access {
	struct iommufd_access *access;
	struct file *file;
	/* Serialises pinning against unmap callbacks; guards @items. */
	struct mutex lock;
	struct list_head items;
	unsigned int next_id;
};

/* One ACCESS_PAGES pin, until DESTROY_ACCESS_PAGES or an unmap. */
struct selftest_access_item {
	struct list_head items_elm;
	unsigned long iova;
	size_t length;
	unsigned int id;
};

/*
 * The core is unmapping [iova, iova + length): drop every pin touching it
 * before returning, as the access contract requires.
 */
static void iommufd_test_access_unmap(void *data, unsigned long iova, unsigned long length)
{
	unsigned long iova_last = iova + length - 1;
	struct selftest_access *staccess = (struct selftest_access *)data;
	struct selftest_access_item *item, *tmp;

	mutex_lock(&staccess->lock);
	list_for_each_entry_safe(item, tmp, &staccess->items, items_elm) {
		if (iova > item->iova + item->length - 1 || iova_last < item->iova)
			continue;
		list_del(&item->items_elm);
		iommufd_access_unpin_pages(staccess->access, item->iova, item->length);
		kfree(item);
	}
	mutex_unlock(&staccess->lock);
}

static int iommufd_test_staccess_release(struct inode *inode, struct file *filep)
{
	struct selftest_access *staccess = (struct selftest_access *)filep->private_data;

	if (staccess->access) {
		iommufd_test_access_unmap(staccess, 0, ULONG_MAX);
		iommufd_access_destroy(staccess->access);
	}
	mutex_destroy(&staccess->lock);
	kfree(staccess);
	return 0;
}

static const struct iommufd_access_ops selftest_access_ops_pin = {
	.needs_pin_pages = 1,
	.unmap = iommufd_test_access_unmap,
};

static const struct iommufd_access_ops selftest_access_ops = {
	.unmap = iommufd_test_access_unmap,
};

static const struct file_operations iommfd_test_staccess_fops = {
	.release = iommufd_test_staccess_release,
};

/* The access behind @fd, with a file reference the caller fput()s. */
static struct selftest_access *iommufd_access_get(int fd)
{
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADFD);

	if (file->f_op != &iommfd_test_staccess_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	return (struct selftest_access *)file->private_data;
}

static int iommufd_test_access_item_destroy(struct iommufd_ucmd *ucmd, unsigned int access_id,
					    unsigned int item_id)
{
	struct selftest_access_item *item;
	struct selftest_access *staccess;

	staccess = iommufd_access_get(access_id);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	mutex_lock(&staccess->lock);
	list_for_each_entry(item, &staccess->items, items_elm) {
		if (item->id == item_id) {
			list_del(&item->items_elm);
			iommufd_access_unpin_pages(staccess->access, item->iova, item->length);
			mutex_unlock(&staccess->lock);
			kfree(item);
			fput(staccess->file);
			return 0;
		}
	}
	mutex_unlock(&staccess->lock);
	fput(staccess->file);
	return -ENOENT;
}

static struct selftest_access *iommufd_test_alloc_access(void)
{
	struct selftest_access *staccess;
	struct file *filep;

	staccess = (struct selftest_access *)kzalloc(sizeof(*staccess), GFP_KERNEL_ACCOUNT);
	if (!staccess)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&staccess->items);
	mutex_init(&staccess->lock);

	filep = anon_inode_getfile("[iommufd_test_staccess]", &iommfd_test_staccess_fops,
				   staccess, O_RDWR);
	if (IS_ERR(filep)) {
		mutex_destroy(&staccess->lock);
		kfree(staccess);
		return ERR_CAST(filep);
	}
	staccess->file = filep;
	return staccess;
}

static int iommufd_test_create_access(struct iommufd_ucmd *ucmd, unsigned int ioas_id,
				      unsigned int flags)
{
	struct iommu_test_cmd *cmd = (struct iommu_test_cmd *)ucmd->cmd;
	struct selftest_access *staccess;
	struct iommufd_access *access;
	u32 id;
	int fdno;
	int rc;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;

	staccess = iommufd_test_alloc_access();
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	access = iommufd_access_create(ucmd->ictx,
				       (flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES) ?
					       &selftest_access_ops_pin :
					       &selftest_access_ops,
				       staccess, &id);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto out_free_staccess;
	}
	rc = iommufd_access_attach(access, ioas_id);
	if (rc)
		goto out_destroy;

	/*
	 * From here the file owns the access: its release unpins and destroys.
	 * The descriptor is made before the reply (the reply carries it) but
	 * closed again if the reply fails, so userspace never sees it then.
	 */
	staccess->access = access;
	fdno = fd_install_new(staccess->file, O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto out_free_staccess;
	}
	cmd->create_access.out_access_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		fd_close(fdno);
	return rc;

out_destroy:
	iommufd_access_destroy(access);
out_free_staccess:
	/* The last reference: release frees staccess (and the access if set). */
	fput(staccess->file);
	return rc;
}

static int iommufd_test_access_replace_ioas(struct iommufd_ucmd *ucmd, unsigned int access_id,
					    unsigned int ioas_id)
{
	struct selftest_access *staccess;
	int rc;

	staccess = iommufd_access_get(access_id);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	rc = iommufd_access_replace(staccess->access, ioas_id);
	fput(staccess->file);
	return rc;
}

/* The pinned pages must be exactly the pages of the user memory at @uptr. */
static int iommufd_test_check_pages(void __user *uptr, struct page **pages, size_t npages)
{
	for (; npages; npages--) {
		struct page *tmp_pages[1];
		long rc;

		rc = get_user_pages_fast((uintptr_t)uptr, 1, 0, tmp_pages);
		if (rc < 0)
			return rc;
		if (WARN_ON(rc != 1))
			return -EFAULT;
		put_page(tmp_pages[0]);
		if (tmp_pages[0] != *pages)
			return -EBADE;
		pages++;
		uptr = (u8 __user *)uptr + PAGE_SIZE;
	}
	return 0;
}

static int iommufd_test_access_pages(struct iommufd_ucmd *ucmd, unsigned int access_id,
				     unsigned long iova, size_t length, void __user *uptr,
				     u32 flags)
{
	struct iommu_test_cmd *cmd = (struct iommu_test_cmd *)ucmd->cmd;
	struct selftest_access_item *item;
	struct selftest_access *staccess;
	struct page **pages;
	size_t npages;
	int rc;

	/* A fuzzer must not be able to ask for a gigantic page array. */
	if (length > 16 * 1024 * 1024)
		return -ENOMEM;

	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;

	staccess = iommufd_access_get(access_id);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	if (staccess->access->ops != &selftest_access_ops_pin) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}

	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = iommufd_test_syz_conv_iova(staccess->access, &cmd->access_pages.iova);

	npages = (ALIGN(iova + length, PAGE_SIZE) - ALIGN_DOWN(iova, PAGE_SIZE)) / PAGE_SIZE;
	pages = (struct page **)kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		rc = -ENOMEM;
		goto out_put;
	}

	/*
	 * The core may issue several unmaps at once after a pin, and none may
	 * return before the range is unpinned: holding the access lock across
	 * the pin is the simple (slow) way to get that right.
	 */
	mutex_lock(&staccess->lock);
	rc = iommufd_access_pin_pages(staccess->access, iova, length, pages,
				      flags & MOCK_FLAGS_ACCESS_WRITE);
	if (rc)
		goto out_unlock;

	/* A NULL uptr skips the check (syzkaller). */
	if (uptr) {
		rc = iommufd_test_check_pages((u8 __user *)uptr -
						      (iova - ALIGN_DOWN(iova, PAGE_SIZE)),
					      pages, npages);
		if (rc)
			goto out_unaccess;
	}

	item = (struct selftest_access_item *)kzalloc(sizeof(*item), GFP_KERNEL_ACCOUNT);
	if (!item) {
		rc = -ENOMEM;
		goto out_unaccess;
	}

	item->iova = iova;
	item->length = length;
	item->id = staccess->next_id++;
	list_add_tail(&item->items_elm, &staccess->items);

	cmd->access_pages.out_access_pages_id = item->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_free_item;
	goto out_unlock;

out_free_item:
	list_del(&item->items_elm);
	kfree(item);
out_unaccess:
	iommufd_access_unpin_pages(staccess->access, iova, length);
out_unlock:
	mutex_unlock(&staccess->lock);
	kvfree(pages);
out_put:
	fput(staccess->file);
	return rc;
}

static int iommufd_test_access_rw(struct iommufd_ucmd *ucmd, unsigned int access_id,
				  unsigned long iova, size_t length, void __user *ubuf,
				  unsigned int flags)
{
	struct iommu_test_cmd *cmd = (struct iommu_test_cmd *)ucmd->cmd;
	struct selftest_access *staccess;
	void *tmp;
	int rc;

	/* A fuzzer must not be able to ask for a gigantic bounce buffer. */
	if (length > 16 * 1024 * 1024)
		return -ENOMEM;

	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;

	staccess = iommufd_access_get(access_id);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	tmp = kvzalloc(length, GFP_KERNEL_ACCOUNT);
	if (!tmp) {
		rc = -ENOMEM;
		goto out_put;
	}

	if (flags & MOCK_ACCESS_RW_WRITE) {
		if (copy_from_user(tmp, ubuf, length)) {
			rc = -EFAULT;
			goto out_free;
		}
	}

	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = iommufd_test_syz_conv_iova(staccess->access, &cmd->access_rw.iova);

	/* The MOCK_ACCESS_RW_* bits are IOMMUFD_ACCESS_RW_* (asserted below). */
	rc = iommufd_access_rw(staccess->access, iova, tmp, length,
			       flags & ~(unsigned int)MOCK_FLAGS_ACCESS_SYZ);
	if (rc)
		goto out_free;
	if (!(flags & MOCK_ACCESS_RW_WRITE)) {
		if (copy_to_user(ubuf, tmp, length)) {
			rc = -EFAULT;
			goto out_free;
		}
	}

out_free:
	kvfree(tmp);
out_put:
	fput(staccess->file);
	return rc;
}
static_assert((unsigned int)MOCK_ACCESS_RW_WRITE == IOMMUFD_ACCESS_RW_WRITE);
static_assert((unsigned int)MOCK_ACCESS_RW_SLOW_PATH == __IOMMUFD_ACCESS_RW_SLOW_PATH);

/* ---- PASIDs ---- */

static int iommufd_test_pasid_attach(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct selftest_obj *sobj;
	int rc;

	sobj = iommufd_test_get_selftest_obj(ucmd->ictx, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	rc = iommufd_device_attach(sobj->idev.idev, cmd->pasid_attach.pasid,
				   &cmd->pasid_attach.pt_id);
	if (rc)
		goto out_sobj;

	rc = xa_err(xa_store(&sobj->idev.pasids, cmd->pasid_attach.pasid, xa_mk_value(1),
			     GFP_KERNEL));
	if (!rc)
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		xa_erase(&sobj->idev.pasids, cmd->pasid_attach.pasid);
		iommufd_device_detach(sobj->idev.idev, cmd->pasid_attach.pasid);
	}

out_sobj:
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

static int iommufd_test_pasid_replace(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct selftest_obj *sobj;
	int rc;

	sobj = iommufd_test_get_selftest_obj(ucmd->ictx, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	rc = iommufd_device_replace(sobj->idev.idev, cmd->pasid_attach.pasid,
				    &cmd->pasid_attach.pt_id);
	if (rc)
		goto out_sobj;

	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));

out_sobj:
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

static int iommufd_test_pasid_detach(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct selftest_obj *sobj;

	sobj = iommufd_test_get_selftest_obj(ucmd->ictx, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	xa_erase(&sobj->idev.pasids, cmd->pasid_detach.pasid);
	iommufd_device_detach(sobj->idev.idev, cmd->pasid_detach.pasid);
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return 0;
}

static struct iommufd_hw_pagetable *iommufd_get_hwpt(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *pt_obj;

	pt_obj = iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt_obj))
		return ERR_CAST(pt_obj);

	if (pt_obj->type != IOMMUFD_OBJ_HWPT_NESTED && pt_obj->type != IOMMUFD_OBJ_HWPT_PAGING) {
		iommufd_put_object(ucmd->ictx, pt_obj);
		return ERR_PTR(-EINVAL);
	}
	return container_of(pt_obj, struct iommufd_hw_pagetable, obj);
}

/* hwpt_id 0 checks that the PASID is attached to nothing. */
static int iommufd_test_pasid_check_hwpt(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct iommu_domain *attached_domain;
	struct iommu_attach_handle *handle;
	struct iommufd_hw_pagetable *hwpt;
	struct selftest_obj *sobj;
	struct mock_dev *mdev;
	int rc = 0;

	sobj = iommufd_test_get_selftest_obj(ucmd->ictx, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	mdev = sobj->idev.mock_dev;
	handle = iommu_attach_handle_get(mdev->dev.iommu_group, cmd->pasid_check.pasid, 0);
	attached_domain = IS_ERR(handle) ? NULL : handle->domain;

	if (!cmd->pasid_check.hwpt_id) {
		if (attached_domain)
			rc = -EINVAL;
		goto out_sobj;
	}

	hwpt = iommufd_get_hwpt(ucmd, cmd->pasid_check.hwpt_id);
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_sobj;
	}
	if (attached_domain != hwpt->domain)
		rc = -EINVAL;
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
out_sobj:
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

/* ---- the ioctl ---- */

int iommufd_test(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = (struct iommu_test_cmd *)ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return iommufd_test_add_reserved(ucmd, cmd->id, cmd->add_reserved.start,
						 cmd->add_reserved.length);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return iommufd_test_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return iommufd_test_mock_domain_replace(ucmd, cmd->id,
							cmd->mock_domain_replace.pt_id, cmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return iommufd_test_md_check_pa(ucmd, cmd->id, cmd->check_map.iova,
						cmd->check_map.length,
						u64_to_user_ptr(cmd->check_map.uptr));
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return iommufd_test_md_check_refs(ucmd, u64_to_user_ptr(cmd->check_refs.uptr),
						  cmd->check_refs.length, cmd->check_refs.refs);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return iommufd_test_md_check_iotlb(ucmd, cmd->id, cmd->check_iotlb.id,
						   cmd->check_iotlb.iotlb);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return iommufd_test_dev_check_cache(ucmd, cmd->id, cmd->check_dev_cache.id,
						    cmd->check_dev_cache.cache);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return iommufd_test_create_access(ucmd, cmd->id, cmd->create_access.flags);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return iommufd_test_access_replace_ioas(ucmd, cmd->id,
							cmd->access_replace_ioas.ioas_id);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return iommufd_test_access_pages(ucmd, cmd->id, cmd->access_pages.iova,
						 cmd->access_pages.length,
						 u64_to_user_ptr(cmd->access_pages.uptr),
						 cmd->access_pages.flags);
	case IOMMU_TEST_OP_ACCESS_RW:
		return iommufd_test_access_rw(ucmd, cmd->id, cmd->access_rw.iova,
					      cmd->access_rw.length,
					      u64_to_user_ptr(cmd->access_rw.uptr),
					      cmd->access_rw.flags);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return iommufd_test_access_item_destroy(ucmd, cmd->id,
							cmd->destroy_access_pages.access_pages_id);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* Smaller than one batch element would break batch initialisation. */
		if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(u32))
			return -EINVAL;
		iommufd_test_memory_limit = cmd->memory_limit.limit;
		return 0;
	case IOMMU_TEST_OP_PASID_ATTACH:
		return iommufd_test_pasid_attach(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_REPLACE:
		return iommufd_test_pasid_replace(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_DETACH:
		return iommufd_test_pasid_detach(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return iommufd_test_pasid_check_hwpt(ucmd, cmd);
	/* Dirty bits: drivers/mock/mock_dirty.cc */
	case IOMMU_TEST_OP_DIRTY:
		return iommufd_test_dirty(ucmd, cmd->id, cmd->dirty.iova, cmd->dirty.length,
					  cmd->dirty.page_size, u64_to_user_ptr(cmd->dirty.uptr),
					  cmd->dirty.flags);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return iommufd_test_trigger_iopf(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return iommufd_test_trigger_vevent(ucmd, cmd);
	/* dma-buf: drivers/mock/mock_dmabuf.cc */
	case IOMMU_TEST_OP_DMABUF_GET:
		return iommufd_test_dmabuf_get(ucmd, cmd->dmabuf_get.open_flags,
					       cmd->dmabuf_get.length);
	case IOMMU_TEST_OP_DMABUF_REVOKE:
		return iommufd_test_dmabuf_revoke(ucmd, cmd->dmabuf_revoke.dmabuf_fd,
						  cmd->dmabuf_revoke.revoked);
	case IOMMU_TEST_OP_MD_CHECK_DMABUF:
		return iommufd_test_md_check_dmabuf(ucmd, cmd->id, cmd->check_dmabuf.dmabuf_fd,
						    cmd->check_dmabuf.iova,
						    cmd->check_dmabuf.length,
						    cmd->check_dmabuf.offset);
	default:
		return -EOPNOTSUPP;
	}
}

/* ---- init ---- */

int iommufd_test_init(void)
{
	/* Registered by name so the debugfs emulation can find it. */
	if (!fault_attr_find("fail_iommufd"))
		fault_create_debugfs_attr("fail_iommufd", NULL, &fail_iommufd);
	return 0;
}

void iommufd_test_exit(void)
{
	mock_iommu_exit();
	fault_attr_unregister(&fail_iommufd);
}

/*
 * "Module init": fail_iommufd must be listed before the first /dev/iommu
 * is opened (iommufd_fail_nth configures every fail* attribute from a
 * constructor). The fault attribute registry is constant-initialised, so
 * this is safe during static initialisation; the mock IOMMU instance is
 * registered on first use instead (mock_dev_create()), since it takes
 * lockdep-tracked locks.
 */
static struct iommufd_test_module {
	iommufd_test_module() { iommufd_test_init(); }
} iommufd_test_module_instance;
