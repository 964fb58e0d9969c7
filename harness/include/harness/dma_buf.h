/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small dma-buf layer (linux/dma-buf.h, linux/dma-resv.h and the
 * physical-address mapping type of linux/dma-buf-mapping.h).
 *
 * An exporter describes its buffer with dma_buf_ops and gets a struct
 * dma_buf whose struct file has a real descriptor (harness/file.h), so a
 * program holds a genuine fd it can close or pass back to an ioctl. An
 * importer attaches dynamically with dma_buf_dynamic_attach(): its
 * move_notify() runs, with the reservation lock held, whenever the exporter
 * calls dma_buf_move_notify(); iommufd reads that as "revoked".
 *
 * Only the physical-address ("PAL") mapping exists here: map_phys() hands
 * the importer a list of (physical address, length) ranges that need not
 * be backed by struct pages, which is what iommufd maps into IOMMU domains.
 * There is no sg_table mapping and no fences: dma_resv is just the
 * reservation mutex.
 */
#pragma once

#include "harness/kernel.h"
#include "harness/list.h"
#include "harness/mutex.h"

struct dma_buf;
struct dma_buf_attachment;
struct file;
struct device;

/* The reservation object; only its lock exists here. */
struct dma_resv {
	struct mutex lock;
};

void dma_resv_lock(struct dma_resv *obj, void *ctx);
void dma_resv_unlock(struct dma_resv *obj);
void dma_resv_assert_held(struct dma_resv *obj);

/* One contiguous physical range. */
struct dma_buf_phys_vec {
	phys_addr_t paddr;
	size_t len;
};

/* The ranges of a buffer, in buffer order; @length entries. */
struct dma_buf_phys_list {
	size_t length;
	struct dma_buf_phys_vec phys[];
};

struct dma_buf_ops {
	/* Optional: veto an attachment. */
	int (*attach)(struct dma_buf *dmabuf, struct dma_buf_attachment *attach);
	void (*detach)(struct dma_buf *dmabuf, struct dma_buf_attachment *attach);
	/*
	 * The physical ranges, resv held. ERR_PTR on failure (an exporter
	 * whose memory is gone returns -ENODEV). NULL map_phys: the exporter
	 * offers no physical mapping and importers that need one get
	 * -EOPNOTSUPP.
	 */
	struct dma_buf_phys_list *(*map_phys)(struct dma_buf_attachment *attach);
	void (*unmap_phys)(struct dma_buf_attachment *attach, struct dma_buf_phys_list *phys);
	/* The last reference is gone: free @dmabuf->priv. */
	void (*release)(struct dma_buf *dmabuf);
};

struct dma_buf {
	size_t size;
	const struct dma_buf_ops *ops;
	void *priv;
	struct file *file;
	struct dma_resv *resv;
	/* of dma_buf_attachment::node, under resv */
	struct list_head attachments;
	struct dma_resv resv_obj;
};

/* What a dynamic importer provides. */
struct dma_buf_attach_ops {
	bool allow_peer2peer;
	/* The exporter moved or revoked the buffer; resv held. */
	void (*move_notify)(struct dma_buf_attachment *attach);
};

struct dma_buf_attachment {
	struct dma_buf *dmabuf;
	struct device *dev;
	struct list_head node;
	const struct dma_buf_attach_ops *importer_ops;
	void *importer_priv;
	bool peer2peer;
};

struct dma_buf_export_info {
	const struct dma_buf_ops *ops;
	size_t size;
	int flags;
	void *priv;
};
#define DEFINE_DMA_BUF_EXPORT_INFO(name) struct dma_buf_export_info name = {}

/*
 * A new dma-buf with one reference (its file's). ERR_PTR(-EINVAL) for a
 * zero size or missing ops, -ENOMEM.
 */
struct dma_buf *dma_buf_export(const struct dma_buf_export_info *exp_info);
/* Install a descriptor for @dmabuf, taking over the caller's reference. */
int dma_buf_fd(struct dma_buf *dmabuf, int flags);
/*
 * A reference on the dma-buf behind @fd: -EBADF no open file, -EINVAL an
 * open file (kernel or host) that is not a dma-buf.
 */
struct dma_buf *dma_buf_get(int fd);
void dma_buf_put(struct dma_buf *dmabuf);
void get_dma_buf(struct dma_buf *dmabuf);
/* True if @file is a dma-buf's. */
bool is_dma_buf_file(struct file *file);

struct dma_buf_attachment *dma_buf_dynamic_attach(struct dma_buf *dmabuf, struct device *dev,
						  const struct dma_buf_attach_ops *importer_ops,
						  void *importer_priv);
void dma_buf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach);
/* Tell every dynamic importer the buffer moved; resv must be held. */
void dma_buf_move_notify(struct dma_buf *dmabuf);

/* The physical mapping, resv held; -EOPNOTSUPP if the exporter has none. */
struct dma_buf_phys_list *dma_buf_pal_map_phys(struct dma_buf_attachment *attach);
void dma_buf_pal_unmap_phys(struct dma_buf_attachment *attach, struct dma_buf_phys_list *phys);
