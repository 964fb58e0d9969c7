// SPDX-License-Identifier: GPL-2.0
/*
 * The iommufd file: context lifetime, the ioctl table and the object
 * lifetime protocol every object family relies on.
 *
 * Dispatch order matters because the kernel's selftests check it: the
 * number range is checked first (anything outside goes to the VFIO
 * compatibility layer), then the leading u32 size is read from the user
 * (-EFAULT), then the exact command (-ENOTTY), the minimum size (-EINVAL),
 * and only then is the struct copied in with copy_struct_from_user() (short
 * structs zero-extended, non-zero unknown tails -E2BIG).
 */
#include "core/iommufd_private.h"
#include "core/io_pagetable.h"
#include "core/eventq.h"
#include "core/state.h"
#include "harness/io.h"

#include <linux/iommufd_test.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <sched.h>
#include <fcntl.h>

struct iommufd_object_ops {
	size_t file_offset;
	void (*pre_destroy)(struct iommufd_object *obj);
	void (*destroy)(struct iommufd_object *obj);
	void (*abort)(struct iommufd_object *obj);
};
static const struct iommufd_object_ops *object_ops(enum iommufd_object_type type);

struct iommufd_object *_iommufd_object_alloc(size_t size, struct iommufd_ctx *ictx,
					     enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	int rc;

	obj = (struct iommufd_object *)kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	/* One for the ID table, dropped when the object is removed from it. */
	refcount_set(&obj->wait_cnt, 1);
	refcount_set(&obj->users, 1);

	/*
	 * Take the ID now but publish only the zero entry: until finalize,
	 * lookups miss the object, so the creator alone can still undo it.
	 */
	rc = xa_alloc(&ictx->objects, &obj->id, XA_ZERO_ENTRY, xa_limit_31b,
		      GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(obj);
		return ERR_PTR(rc);
	}
	return obj;
}

struct iommufd_object *_iommufd_object_alloc_ucmd(size_t size, struct iommufd_ucmd *ucmd,
						  enum iommufd_object_type type)
{
	struct iommufd_object *new_obj;

	/* One auto-managed object per ioctl. */
	if (WARN_ON(ucmd->new_obj))
		return ERR_PTR(-EBUSY);
	/* An abort op must run under the caller's lock: not possible here. */
	if (WARN_ON(object_ops(type)->abort))
		return ERR_PTR(-EOPNOTSUPP);

	new_obj = _iommufd_object_alloc(size, ucmd->ictx, type);
	if (IS_ERR(new_obj))
		return new_obj;
	ucmd->new_obj = new_obj;
	return new_obj;
}

void iommufd_object_finalize(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	void *old;

	xa_lock(&ictx->objects);
	old = __xa_store(&ictx->objects, obj->id, obj, GFP_KERNEL);
	xa_unlock(&ictx->objects);
	/*
	 * The slot exists since alloc, so the store cannot fail; a reserved
	 * slot reads back as NULL through the normal API.
	 */
	WARN_ON(old);
}

void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	void *old;

	xa_lock(&ictx->objects);
	old = __xa_erase(&ictx->objects, obj->id);
	xa_unlock(&ictx->objects);
	WARN_ON(old != XA_ZERO_ENTRY && old != NULL);

	if (WARN_ON(!refcount_dec_and_test(&obj->users)))
		return;
	kfree(obj);
}

void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	const struct iommufd_object_ops *ops = object_ops(obj->type);

	if (ops->file_offset) {
		struct file **filep = (struct file **)((char *)obj + ops->file_offset);

		/* The file holds a users ref; release it before the object goes. */
		if (*filep)
			__fput_sync(*filep);
	}
	if (ops->abort)
		ops->abort(obj);
	else
		ops->destroy(obj);
	iommufd_object_abort(ictx, obj);
}

struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOENT);

	xa_lock(&ictx->objects);
	obj = (struct iommufd_object *)xa_load(&ictx->objects, id);
	if (!obj || (type != IOMMUFD_OBJ_ANY && obj->type != type) || !iommufd_lock_obj(obj))
		obj = ERR_PTR(-ENOENT);
	xa_unlock(&ictx->objects);
	return obj;
}

static int iommufd_object_dec_wait(struct iommufd_ctx *ictx,
				   struct iommufd_object *to_destroy)
{
	if (refcount_dec_and_test(&to_destroy->wait_cnt))
		return 0;

	if (object_ops(to_destroy->type)->pre_destroy)
		object_ops(to_destroy->type)->pre_destroy(to_destroy);

	/*
	 * An acquire read: the last short-term user's put (a release) is then
	 * ordered before the destroy and free that follow, also when the
	 * condition already holds and nothing sleeps or wakes.
	 */
	if (wait_event_timeout(ictx->destroy_wait,
			       atomic_read_acquire(&to_destroy->wait_cnt.refs) == 0,
			       msecs_to_jiffies(60000)))
		return 0;

	fprintf(stderr, "iommufd: timed out waiting for an object to become free\n");
	refcount_inc(&to_destroy->wait_cnt);
	return -EBUSY;
}

/*
 * REMOVE_WAIT brought the short-term count to zero, so no lookup can take
 * the object any more; but one that raced it may hold a users reference
 * for a moment before it sees that count and backs out
 * (iommufd_lock_obj() called outside the object table's lock, as
 * iommufd_access_notify_unmap() does under the access list's). Give such a
 * back-out time to land instead of failing the destroy; a users reference
 * that stays is a real one, and the caller's WARN says so.
 */
static bool users_settle(struct iommufd_object *obj)
{
	for (int i = 0; i < 100000; i++) {
		if (refcount_dec_if_one(&obj->users))
			return true;
		sched_yield();
	}
	return false;
}

int iommufd_object_remove(struct iommufd_ctx *ictx, struct iommufd_object *to_destroy,
			  u32 id, unsigned int flags)
{
	struct iommufd_object *obj;
	bool zerod_wait_cnt = false;
	int ret;

	/*
	 * REMOVE_WAIT is for objects an external driver destroys: any
	 * short-term user must finish (or be revoked by pre_destroy) first.
	 */
	if (flags & REMOVE_WAIT) {
		ret = iommufd_object_dec_wait(ictx, to_destroy);
		if (ret) {
			/* A bug: give back the caller's ref; close cleans up. */
			refcount_dec(&to_destroy->users);
			return ret;
		}
		zerod_wait_cnt = true;
	}

	xa_lock(&ictx->objects);
	obj = (struct iommufd_object *)xa_load(&ictx->objects, id);
	if (to_destroy) {
		/* The caller's users ref is dropped under the lock. */
		refcount_dec(&to_destroy->users);
		/*
		 * Nobody can have removed it while the caller held a ref, so an
		 * empty slot is one still reserved: an automatic domain attached
		 * but not yet finalized, which another thread's replace has
		 * already moved the device off. Its creator publishes it; what
		 * is unused then goes with the IOAS or the context.
		 */
		if (!obj) {
			ret = -EBUSY;
			goto err_xa;
		}
		if (WARN_ON(obj != to_destroy)) {
			ret = -ENOENT;
			goto err_xa;
		}
	} else if (!obj) {
		ret = -ENOENT;
		goto err_xa;
	}

	if (!refcount_dec_if_one(&obj->users) && !(zerod_wait_cnt && users_settle(obj))) {
		ret = -EBUSY;
		goto err_xa;
	}

	if (flags & REMOVE_OBJ_TOMBSTONE)
		__xa_store(&ictx->objects, id, XA_ZERO_ENTRY, GFP_KERNEL);
	else
		__xa_erase(&ictx->objects, id);
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
	xa_unlock(&ictx->objects);

	/* users is zero: any wait_cnt left is an ioctl about to put it. */
	if (!zerod_wait_cnt) {
		ret = iommufd_object_dec_wait(ictx, obj);
		if (WARN_ON(ret))
			return ret;
	}

	object_ops(obj->type)->destroy(obj);
	kfree(obj);
	return 0;

err_xa:
	if (zerod_wait_cnt)	/* only with REMOVE_WAIT, which names its object */
		refcount_set(&to_destroy->wait_cnt, 1);	/* the table's again */
	xa_unlock(&ictx->objects);
	return ret;
}

static int iommufd_destroy(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = (struct iommu_destroy *)ucmd->cmd;

	return iommufd_object_remove(ucmd->ictx, NULL, cmd->id, 0);
}

/*
 * Every open context, for the state snapshots (core/state.h): a kernel has
 * no such list; it exists so that a digest can name everything a program
 * holds. Taken for a context's open and release and for a walk only.
 */
static DEFINE_MUTEX(iommufd_ctx_list_lock);
static LIST_HEAD(iommufd_ctx_list);
static u64 iommufd_ctx_seq;

void iommufd_for_each_ctx(void (*fn)(struct iommufd_ctx *ictx, u64 seq, void *arg), void *arg)
{
	struct iommufd_ctx *ictx;

	guard(mutex)(&iommufd_ctx_list_lock);
	list_for_each_entry(ictx, &iommufd_ctx_list, ctx_node)
		fn(ictx, ictx->seq, arg);
}

void iommufd_state_ctx_items(struct iommufd_ctx *ictx, std::vector<struct state_item> *out);

/*
 * Driver ioctl ranges (struct iommufd_ext_ioctls): a few slots filled at
 * driver init and never emptied, read without a lock by the ioctl path.
 */
static std::atomic<const struct iommufd_ext_ioctls *> iommufd_ext_ioctls_tbl[4];
static DEFINE_MUTEX(iommufd_ext_ioctls_lock);

int iommufd_register_ext_ioctls(const struct iommufd_ext_ioctls *ext)
{
	/* Never the core's own range: a driver cannot shadow an upstream ioctl */
	if (ext->first_nr <= _IOC_NR(IOMMU_TEST_CMD) || ext->last_nr < ext->first_nr ||
	    ext->last_nr > _IOC_NRMASK)
		return -EINVAL;
	guard(mutex)(&iommufd_ext_ioctls_lock);
	for (auto &slot : iommufd_ext_ioctls_tbl) {
		const struct iommufd_ext_ioctls *cur = slot.load(std::memory_order_relaxed);

		if (cur == ext)
			return 0;
		if (cur && ext->first_nr <= cur->last_nr && cur->first_nr <= ext->last_nr)
			return -EBUSY;
	}
	for (auto &slot : iommufd_ext_ioctls_tbl) {
		if (!slot.load(std::memory_order_relaxed)) {
			slot.store(ext, std::memory_order_release);
			return 0;
		}
	}
	return -ENOSPC;
}

static const struct iommufd_ext_ioctls *iommufd_ext_ioctls_find(unsigned int nr)
{
	for (auto &slot : iommufd_ext_ioctls_tbl) {
		const struct iommufd_ext_ioctls *ext = slot.load(std::memory_order_acquire);

		if (ext && nr >= ext->first_nr && nr <= ext->last_nr)
			return ext;
	}
	return NULL;
}

static int iommufd_fops_release(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx = (struct iommufd_ctx *)filp->private_data;
	struct iommufd_object *obj;

	if (iommufd_state_release_hook) {
		std::vector<struct state_item> items;

		iommufd_state_ctx_items(ictx, &items);
		iommufd_state_release_hook(items);
	}
	scoped_guard(mutex, &iommufd_ctx_list_lock)
		list_del(&ictx->ctx_node);

	/*
	 * The users counts form a graph; destroying every object whose only
	 * user is the table makes progress until nothing is left. No
	 * progress in a round means a refcount bug.
	 */
	for (;;) {
		unsigned int destroyed = 0;
		unsigned long index;
		bool empty = true;

		xa_for_each(&ictx->objects, index, obj) {
			empty = false;
			if (!refcount_dec_if_one(&obj->users))
				continue;
			destroyed++;
			xa_erase(&ictx->objects, index);
			object_ops(obj->type)->destroy(obj);
			kfree(obj);
		}
		if (empty)
			break;
		if (WARN_ON(!destroyed))
			break;
	}
	/* Tombstones may remain. */
	xa_destroy(&ictx->objects);
	for (auto &slot : iommufd_ext_ioctls_tbl) {
		const struct iommufd_ext_ioctls *ext = slot.load(std::memory_order_acquire);

		if (ext && ext->ctx_release)
			ext->ctx_release(ictx);
	}
	WARN_ON(!xa_empty(&ictx->groups));
	xa_destroy(&ictx->groups);
	/* Every region belongs to an object, which removed it when destroyed. */
	WARN_ON(!xa_empty(&ictx->mt_mmap));
	xa_destroy(&ictx->mt_mmap);
	kfree(ictx);
	return 0;
}

static int iommufd_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = (struct iommu_option *)ucmd->cmd;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = iommufd_option_rlimit_mode(cmd, ucmd->ictx);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = iommufd_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	if (copy_to_user(&((struct iommu_option __user *)ucmd->ubuffer)->val64, &cmd->val64,
			 sizeof(cmd->val64)))
		return -EFAULT;
	return 0;
}

union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_fault_alloc fault;
	struct iommu_hw_info info;
	struct iommu_hw_queue_alloc hw_queue;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate cache;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vdevice_alloc vdev;
	struct iommu_veventq_alloc veventq;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_viommu_alloc viommu;
	struct iommu_test_cmd test;
};

struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct iommufd_ucmd *ucmd);
};

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * The ioctl table, indexed by _IOC_NR() - IOMMUFD_CMD_BASE. One row per
 * ioctl: the struct, its last mandatory member, the handler. Adding an
 * ioctl is one row here and a handler beside its object family.
 */
#define IOCTL_OP(_ioctl, _fn, _struct, _last)                                        \
	t[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = iommufd_ioctl_op{                    \
		sizeof(_struct), offsetofend(_struct, _last), _ioctl, _fn}

static constexpr auto iommufd_ioctl_ops = [] {
	std::array<iommufd_ioctl_op, _IOC_NR(IOMMU_TEST_CMD) - IOMMUFD_CMD_BASE + 1> t{};

	IOCTL_OP(IOMMU_DESTROY, iommufd_destroy, struct iommu_destroy, id);
	IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, iommufd_fault_alloc, struct iommu_fault_alloc,
		 out_fault_fd);
	IOCTL_OP(IOMMU_GET_HW_INFO, iommufd_get_hw_info, struct iommu_hw_info, __reserved);
	IOCTL_OP(IOMMU_HW_QUEUE_ALLOC, iommufd_hw_queue_alloc_ioctl,
		 struct iommu_hw_queue_alloc, length);
	IOCTL_OP(IOMMU_HWPT_ALLOC, iommufd_hwpt_alloc, struct iommu_hwpt_alloc, __reserved);
	IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, iommufd_hwpt_get_dirty_bitmap,
		 struct iommu_hwpt_get_dirty_bitmap, data);
	IOCTL_OP(IOMMU_HWPT_INVALIDATE, iommufd_hwpt_invalidate, struct iommu_hwpt_invalidate,
		 __reserved);
	IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING, iommufd_hwpt_set_dirty_tracking,
		 struct iommu_hwpt_set_dirty_tracking, __reserved);
	IOCTL_OP(IOMMU_IOAS_ALLOC, iommufd_ioas_alloc_ioctl, struct iommu_ioas_alloc,
		 out_ioas_id);
	IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, iommufd_ioas_allow_iovas,
		 struct iommu_ioas_allow_iovas, allowed_iovas);
	IOCTL_OP(IOMMU_IOAS_CHANGE_PROCESS, iommufd_ioas_change_process,
		 struct iommu_ioas_change_process, __reserved);
	IOCTL_OP(IOMMU_IOAS_COPY, iommufd_ioas_copy, struct iommu_ioas_copy, src_iova);
	IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges,
		 struct iommu_ioas_iova_ranges, out_iova_alignment);
	IOCTL_OP(IOMMU_IOAS_MAP, iommufd_ioas_map, struct iommu_ioas_map, iova);
	IOCTL_OP(IOMMU_IOAS_MAP_FILE, iommufd_ioas_map_file, struct iommu_ioas_map_file, iova);
	IOCTL_OP(IOMMU_IOAS_UNMAP, iommufd_ioas_unmap, struct iommu_ioas_unmap, length);
	IOCTL_OP(IOMMU_OPTION, iommufd_option, struct iommu_option, val64);
	IOCTL_OP(IOMMU_VFIO_IOAS, iommufd_vfio_ioas, struct iommu_vfio_ioas, __reserved);
	IOCTL_OP(IOMMU_VDEVICE_ALLOC, iommufd_vdevice_alloc_ioctl, struct iommu_vdevice_alloc,
		 virt_id);
	IOCTL_OP(IOMMU_VIOMMU_ALLOC, iommufd_viommu_alloc_ioctl, struct iommu_viommu_alloc,
		 out_viommu_id);
	IOCTL_OP(IOMMU_VEVENTQ_ALLOC, iommufd_veventq_alloc, struct iommu_veventq_alloc,
		 out_veventq_fd);
	IOCTL_OP(IOMMU_TEST_CMD, iommufd_test, struct iommu_test_cmd, last);
	return t;
}();

static_assert(sizeof(union ucmd_buffer) >= sizeof(struct iommu_test_cmd));

static long iommufd_fops_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct iommufd_ctx *ictx = (struct iommufd_ctx *)filp->private_data;
	const struct iommufd_ioctl_op *op;
	struct iommufd_ucmd ucmd = {};
	union ucmd_buffer buf;
	unsigned int nr;
	int ret;

	nr = _IOC_NR(cmd);
	if (nr < IOMMUFD_CMD_BASE || (nr - IOMMUFD_CMD_BASE) >= ARRAY_SIZE(iommufd_ioctl_ops)) {
		const struct iommufd_ext_ioctls *ext = iommufd_ext_ioctls_find(nr);

		if (ext)
			return ext->ioctl(ictx, cmd, (void __user *)arg);
		return iommufd_vfio_ioctl(ictx, cmd, arg);
	}

	ucmd.ictx = ictx;
	ucmd.ubuffer = (void __user *)arg;
	ret = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (ret)
		return ret;

	op = &iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	if (op->ioctl_num != cmd || !op->execute)
		return -ENOIOCTLCMD;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	ret = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer, ucmd.user_size);
	if (ret)
		return ret;
	ret = op->execute(&ucmd);

	if (ucmd.new_obj) {
		if (ret)
			iommufd_object_abort_and_destroy(ictx, ucmd.new_obj);
		else
			iommufd_object_finalize(ictx, ucmd.new_obj);
	}
	return ret;
}

static void iommufd_fops_vma_open(struct vm_area_struct *vma)
{
	struct iommufd_mmap *immap = (struct iommufd_mmap *)vma->vm_private_data;

	refcount_inc(&immap->owner->users);
}

static void iommufd_fops_vma_close(struct vm_area_struct *vma)
{
	struct iommufd_mmap *immap = (struct iommufd_mmap *)vma->vm_private_data;

	refcount_dec(&immap->owner->users);
}

static const struct vm_operations_struct iommufd_vma_ops = {
	.open = iommufd_fops_vma_open,
	.close = iommufd_fops_vma_close,
};

/*
 * mmap of a region a driver registered (core/driver.cc): exactly its
 * offset and length, shared, not executable. The mapping holds a users
 * reference on the region's owner, so the owner cannot be destroyed
 * (-EBUSY) until it is unmapped.
 */
static int iommufd_fops_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct iommufd_ctx *ictx = (struct iommufd_ctx *)filp->private_data;
	size_t length = vma->vm_end - vma->vm_start;
	struct iommufd_mmap *immap;

	if (!IS_ALIGNED(length, PAGE_SIZE))
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	xa_lock(&ictx->mt_mmap);
	/* Regions are keyed by their first page: any other offset misses. */
	immap = (struct iommufd_mmap *)xa_load(&ictx->mt_mmap, vma->vm_pgoff);
	if (!immap || !refcount_inc_not_zero(&immap->owner->users)) {
		xa_unlock(&ictx->mt_mmap);
		return -ENXIO;
	}
	xa_unlock(&ictx->mt_mmap);

	if (length != immap->length) {
		refcount_dec(&immap->owner->users);
		return -ENXIO;
	}

	vma->vm_pgoff = 0;
	vma->vm_private_data = immap;
	vma->vm_ops = &iommufd_vma_ops;
	if (immap->mmio) {
		/* A model's registers: accesses come back as read()/write() */
		vma->vm_flags |= VM_IO;
		vma->vm_start = (unsigned long)immap->mmio;
		vma->vm_end = vma->vm_start + length;
		return 0;
	}
	/* io_remap_pfn_range(): the region's memory, aliased in place. */
	vma->vm_start = (unsigned long)phys_to_virt(immap->mmio_addr);
	vma->vm_end = vma->vm_start + length;
	return 0;
}

/*
 * One access of a device-memory (VM_IO) mapping of a model's registers
 * (_iommufd_alloc_mmap_iomem()), forwarded as a read()/write() at the
 * mapping's offset: 1, 2, 4 or 8 naturally aligned bytes inside one
 * region; anything else -EINVAL. Not like the kernel, where the CPU
 * reaches the BAR itself.
 */
static ssize_t iommufd_fops_mmio_rw(struct file *filp, char __user *buf, size_t count,
				    loff_t *ppos, bool write)
{
	struct iommufd_ctx *ictx = (struct iommufd_ctx *)filp->private_data;
	unsigned long pgoff = (unsigned long)*ppos >> PAGE_SHIFT, index;
	struct iommufd_mmap *immap, *found = NULL;
	u64 off, val = 0;
	ssize_t ret = (ssize_t)count;

	if (count != 1 && count != 2 && count != 4 && count != 8)
		return -EINVAL;
	if (*ppos & (count - 1))
		return -EINVAL;
	xa_lock(&ictx->mt_mmap);
	xa_for_each(&ictx->mt_mmap, index, immap) {
		if (immap->mmio && index <= pgoff && pgoff < index + (immap->length >> PAGE_SHIFT) &&
		    refcount_inc_not_zero(&immap->owner->users)) {
			found = immap;
			break;
		}
	}
	xa_unlock(&ictx->mt_mmap);
	if (!found)
		return -EINVAL;
	off = (u64)*ppos - ((u64)found->vm_pgoff << PAGE_SHIFT);
	if (write) {
		if (copy_from_user(&val, buf, count))
			ret = -EFAULT;
		else
			__mmio_write((u8 __iomem *)found->mmio + off, val, count);
	} else {
		val = __mmio_read((u8 __iomem *)found->mmio + off, count);
		if (copy_to_user(buf, &val, count))
			ret = -EFAULT;
	}
	refcount_dec(&found->owner->users);
	return ret;
}

static ssize_t iommufd_fops_read(struct file *filp, char __user *buf, size_t count,
				 loff_t *ppos)
{
	return iommufd_fops_mmio_rw(filp, buf, count, ppos, false);
}

static ssize_t iommufd_fops_write(struct file *filp, const char __user *buf, size_t count,
				  loff_t *ppos)
{
	return iommufd_fops_mmio_rw(filp, (char __user *)buf, count, ppos, true);
}

static const struct file_operations iommufd_fops = {
	.release = iommufd_fops_release,
	.unlocked_ioctl = iommufd_fops_ioctl,
	.mmap = iommufd_fops_mmap,
	.read = iommufd_fops_read,
	.write = iommufd_fops_write,
};

/* open("/dev/iommu"): a new context behind a new file with one reference. */
struct file *iommufd_fops_open(void)
{
	struct iommufd_ctx *ictx;
	struct file *filp;

	ictx = (struct iommufd_ctx *)kzalloc(sizeof(*ictx), GFP_KERNEL_ACCOUNT);
	if (!ictx)
		return ERR_PTR(-ENOMEM);
	init_rwsem(&ictx->ioas_creation_lock);
	xa_init_flags(&ictx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	xa_init(&ictx->groups);
	xa_init(&ictx->mt_mmap);
	init_waitqueue_head(&ictx->destroy_wait);

	filp = anon_inode_getfile("[iommufd]", &iommufd_fops, ictx, O_RDWR);
	if (IS_ERR(filp)) {
		kfree(ictx);
		return filp;
	}
	ictx->file = filp;
	scoped_guard(mutex, &iommufd_ctx_list_lock) {
		ictx->seq = ++iommufd_ctx_seq;
		list_add_tail(&ictx->ctx_node, &iommufd_ctx_list);
	}
	return filp;
}

void iommufd_ctx_get(struct iommufd_ctx *ictx)
{
	get_file(ictx->file);
}

struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	struct iommufd_ctx *ictx;

	if (file->f_op != &iommufd_fops)
		return ERR_PTR(-EBADFD);
	ictx = (struct iommufd_ctx *)file->private_data;
	iommufd_ctx_get(ictx);
	return ictx;
}

struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &iommufd_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	/* fget()'s reference is the context reference. */
	return (struct iommufd_ctx *)file->private_data;
}

void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
	fput(ictx->file);
}

/* Per-type destruction, indexed by enum iommufd_object_type. */
static constexpr auto iommufd_object_ops_table = [] {
	std::array<iommufd_object_ops, IOMMUFD_OBJ_MAX> t{};

	t[IOMMUFD_OBJ_ACCESS].destroy = iommufd_access_destroy_object;
	t[IOMMUFD_OBJ_DEVICE].pre_destroy = iommufd_device_pre_destroy;
	t[IOMMUFD_OBJ_DEVICE].destroy = iommufd_device_destroy;
	t[IOMMUFD_OBJ_HWPT_PAGING].destroy = iommufd_hwpt_paging_destroy;
	t[IOMMUFD_OBJ_HWPT_PAGING].abort = iommufd_hwpt_paging_abort;
	t[IOMMUFD_OBJ_HWPT_NESTED].destroy = iommufd_hwpt_nested_destroy;
	t[IOMMUFD_OBJ_HWPT_NESTED].abort = iommufd_hwpt_nested_abort;
	t[IOMMUFD_OBJ_HW_QUEUE].destroy = iommufd_hw_queue_destroy;
	t[IOMMUFD_OBJ_VDEVICE].destroy = iommufd_vdevice_destroy;
	t[IOMMUFD_OBJ_VDEVICE].abort = iommufd_vdevice_abort;
	t[IOMMUFD_OBJ_VIOMMU].destroy = iommufd_viommu_destroy;
	t[IOMMUFD_OBJ_IOAS].destroy = iommufd_ioas_destroy;
	t[IOMMUFD_OBJ_SELFTEST].destroy = iommufd_selftest_destroy;
	t[IOMMUFD_OBJ_FAULT].destroy = iommufd_fault_destroy;
	t[IOMMUFD_OBJ_VEVENTQ].destroy = iommufd_veventq_destroy;
	t[IOMMUFD_OBJ_VEVENTQ].abort = iommufd_veventq_abort;
	return t;
}();

static const struct iommufd_object_ops *object_ops(enum iommufd_object_type type)
{
	return &iommufd_object_ops_table[type];
}
