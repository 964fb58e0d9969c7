// SPDX-License-Identifier: GPL-2.0
/*
 * dma-buf: exporter objects behind real descriptors, dynamic importer
 * attachments and the physical-address mapping (see harness/dma_buf.h).
 *
 * A dma-buf's references are its file's: dma_buf_get() is an fget() that
 * checks the file is a dma-buf, dma_buf_put() an fput(), and the exporter's
 * release() runs from the file's release when the last one goes (the
 * descriptor closed and every importer detached and put).
 */
#include "harness/dma_buf.h"

#include "harness/bug.h"
#include "harness/err.h"
#include "harness/fault_inject.h"
#include "harness/file.h"
#include "harness/slab.h"

#include <fcntl.h>
#include <unistd.h>

static int dma_buf_file_release(struct inode *inode, struct file *file)
{
	struct dma_buf *dmabuf = (struct dma_buf *)file->private_data;

	/* every attachment holds a reference, so none can be left */
	WARN_ON(!list_empty(&dmabuf->attachments));
	dmabuf->ops->release(dmabuf);
	mutex_destroy(&dmabuf->resv_obj.lock);
	kfree(dmabuf);
	return 0;
}

static const struct file_operations dma_buf_fops = {
	.release = dma_buf_file_release,
};

bool is_dma_buf_file(struct file *file)
{
	return file && file->f_op == &dma_buf_fops;
}

void dma_resv_lock(struct dma_resv *obj, void *ctx)
{
	mutex_lock(&obj->lock);
}

void dma_resv_unlock(struct dma_resv *obj)
{
	mutex_unlock(&obj->lock);
}

void dma_resv_assert_held(struct dma_resv *obj)
{
	lockdep_assert_held(&obj->lock);
}

struct dma_buf *dma_buf_export(const struct dma_buf_export_info *exp_info)
{
	struct dma_buf *dmabuf;
	struct file *file;

	if (WARN_ON(!exp_info->ops || !exp_info->ops->release || !exp_info->size))
		return (struct dma_buf *)ERR_PTR(-EINVAL);

	dmabuf = (struct dma_buf *)kzalloc(sizeof(*dmabuf), GFP_KERNEL);
	if (!dmabuf)
		return (struct dma_buf *)ERR_PTR(-ENOMEM);
	dmabuf->size = exp_info->size;
	dmabuf->ops = exp_info->ops;
	dmabuf->priv = exp_info->priv;
	INIT_LIST_HEAD(&dmabuf->attachments);
	mutex_init(&dmabuf->resv_obj.lock);
	dmabuf->resv = &dmabuf->resv_obj;

	file = anon_inode_getfile("dmabuf", &dma_buf_fops, dmabuf,
				  exp_info->flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK));
	if (IS_ERR(file)) {
		mutex_destroy(&dmabuf->resv_obj.lock);
		kfree(dmabuf);
		return (struct dma_buf *)file;
	}
	dmabuf->file = file;
	return dmabuf;
}

int dma_buf_fd(struct dma_buf *dmabuf, int flags)
{
	if (!dmabuf || !dmabuf->file)
		return -EINVAL;
	return fd_install_new(dmabuf->file, flags);
}

struct dma_buf *dma_buf_get(int fd)
{
	struct file *file = fget(fd);
	int host_fd;

	if (!file) {
		/*
		 * Not one of our kernel files, but maybe an open host file (a
		 * memfd, a pipe): the kernel's fget() would find that, and it
		 * is simply not a dma-buf.
		 */
		host_fd = host_fd_get(fd);
		if (host_fd < 0)
			return (struct dma_buf *)ERR_PTR(-EBADF);
		close(host_fd);
		return (struct dma_buf *)ERR_PTR(-EINVAL);
	}
	if (!is_dma_buf_file(file)) {
		fput(file);
		return (struct dma_buf *)ERR_PTR(-EINVAL);
	}
	return (struct dma_buf *)file->private_data;
}

void get_dma_buf(struct dma_buf *dmabuf)
{
	get_file(dmabuf->file);
}

void dma_buf_put(struct dma_buf *dmabuf)
{
	if (WARN_ON(!dmabuf || !dmabuf->file))
		return;
	fput(dmabuf->file);
}

struct dma_buf_attachment *dma_buf_dynamic_attach(struct dma_buf *dmabuf, struct device *dev,
						  const struct dma_buf_attach_ops *importer_ops,
						  void *importer_priv)
{
	struct dma_buf_attachment *attach;
	int rc;

	if (WARN_ON(!dmabuf || !importer_ops || !importer_ops->move_notify))
		return (struct dma_buf_attachment *)ERR_PTR(-EINVAL);

	attach = (struct dma_buf_attachment *)kzalloc(sizeof(*attach), GFP_KERNEL);
	if (!attach)
		return (struct dma_buf_attachment *)ERR_PTR(-ENOMEM);
	attach->dmabuf = dmabuf;
	attach->dev = dev;
	attach->importer_ops = importer_ops;
	attach->importer_priv = importer_priv;
	attach->peer2peer = importer_ops->allow_peer2peer;

	if (dmabuf->ops->attach) {
		rc = dmabuf->ops->attach(dmabuf, attach);
		if (rc) {
			kfree(attach);
			return (struct dma_buf_attachment *)ERR_PTR(rc);
		}
	}
	/* the attachment keeps the buffer alive */
	get_dma_buf(dmabuf);
	dma_resv_lock(dmabuf->resv, NULL);
	list_add(&attach->node, &dmabuf->attachments);
	dma_resv_unlock(dmabuf->resv);
	return attach;
}

void dma_buf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	if (WARN_ON(!dmabuf || !attach || attach->dmabuf != dmabuf))
		return;
	dma_resv_lock(dmabuf->resv, NULL);
	list_del(&attach->node);
	dma_resv_unlock(dmabuf->resv);
	if (dmabuf->ops->detach)
		dmabuf->ops->detach(dmabuf, attach);
	kfree(attach);
	dma_buf_put(dmabuf);
}

void dma_buf_move_notify(struct dma_buf *dmabuf)
{
	struct dma_buf_attachment *attach;

	dma_resv_assert_held(dmabuf->resv);
	list_for_each_entry(attach, &dmabuf->attachments, node)
		if (attach->importer_ops)
			attach->importer_ops->move_notify(attach);
}

struct dma_buf_phys_list *dma_buf_pal_map_phys(struct dma_buf_attachment *attach)
{
	struct dma_buf *dmabuf = attach->dmabuf;

	dma_resv_assert_held(dmabuf->resv);
	if (!dmabuf->ops->map_phys)
		return (struct dma_buf_phys_list *)ERR_PTR(-EOPNOTSUPP);
	return dmabuf->ops->map_phys(attach);
}

void dma_buf_pal_unmap_phys(struct dma_buf_attachment *attach, struct dma_buf_phys_list *phys)
{
	struct dma_buf *dmabuf = attach->dmabuf;

	dma_resv_assert_held(dmabuf->resv);
	if (dmabuf->ops->unmap_phys)
		dmabuf->ops->unmap_phys(attach, phys);
}
