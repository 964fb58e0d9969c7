// SPDX-License-Identifier: GPL-2.0
/*
 * The mock dma-buf exporter: IOMMU_TEST_OP_DMABUF_GET, DMABUF_REVOKE and
 * MD_CHECK_DMABUF.
 *
 * A mock dma-buf is 1..512 pages, each a separate zeroed kernel page from
 * the harness physmem, so its physical address is a real fake-PFN and the
 * buffer is deliberately not contiguous: the importer gets one physical
 * range per page and has to stitch them together. Revoking it makes the
 * exporter refuse new physical mappings (-ENODEV) and notifies every
 * importer through move_notify(); un-revoking lets new imports succeed
 * again (existing importers stay revoked, as iommufd's do).
 */
#include "drivers/mock/mock.h"

#include "harness/dma_buf.h"
#include "harness/physmem.h"

#include <fcntl.h>

struct iommufd_test_dma_buf {
	size_t length;
	unsigned int npages;
	/* under the dma-buf's reservation lock */
	bool revoked;
	struct page *pages[];
};

static void iommufd_test_dma_buf_release(struct dma_buf *dmabuf)
{
	struct iommufd_test_dma_buf *priv = (struct iommufd_test_dma_buf *)dmabuf->priv;

	for (unsigned int i = 0; i < priv->npages; i++)
		__free_page(priv->pages[i]);
	kfree(priv);
}

static struct dma_buf_phys_list *iommufd_test_dma_buf_map_phys(struct dma_buf_attachment *attach)
{
	struct iommufd_test_dma_buf *priv = (struct iommufd_test_dma_buf *)attach->dmabuf->priv;
	struct dma_buf_phys_list *phys;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (priv->revoked)
		return (struct dma_buf_phys_list *)ERR_PTR(-ENODEV);

	phys = (struct dma_buf_phys_list *)kvmalloc(sizeof(*phys) +
						     priv->npages * sizeof(phys->phys[0]), GFP_KERNEL);
	if (!phys)
		return (struct dma_buf_phys_list *)ERR_PTR(-ENOMEM);
	phys->length = priv->npages;
	for (unsigned int i = 0; i < priv->npages; i++) {
		phys->phys[i].paddr = page_to_phys(priv->pages[i]);
		phys->phys[i].len = PAGE_SIZE;
	}
	return phys;
}

static void iommufd_test_dma_buf_unmap_phys(struct dma_buf_attachment *attach,
					    struct dma_buf_phys_list *phys)
{
	kvfree(phys);
}

static const struct dma_buf_ops iommufd_test_dmabuf_ops = {
	.map_phys = iommufd_test_dma_buf_map_phys,
	.unmap_phys = iommufd_test_dma_buf_unmap_phys,
	.release = iommufd_test_dma_buf_release,
};

int iommufd_test_dmabuf_get(struct iommufd_ucmd *ucmd, unsigned int open_flags, size_t len)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct iommufd_test_dma_buf *priv;
	struct dma_buf *dmabuf;
	unsigned int npages;
	int rc;

	if (len == 0 || len % PAGE_SIZE || len > PAGE_SIZE * 512)
		return -EINVAL;
	npages = len >> PAGE_SHIFT;

	priv = (struct iommufd_test_dma_buf *)kzalloc(sizeof(*priv) +
						      npages * sizeof(priv->pages[0]), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;
	priv->length = len;
	priv->npages = npages;
	for (unsigned int i = 0; i < npages; i++) {
		priv->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!priv->pages[i]) {
			rc = -ENOMEM;
			goto err_free;
		}
	}

	exp_info.ops = &iommufd_test_dmabuf_ops;
	exp_info.size = len;
	exp_info.flags = open_flags;
	exp_info.priv = priv;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		rc = PTR_ERR(dmabuf);
		goto err_free;
	}

	/* from here on the file's release frees @priv */
	rc = dma_buf_fd(dmabuf, open_flags);
	if (rc < 0)
		dma_buf_put(dmabuf);
	return rc;

err_free:
	for (unsigned int i = 0; i < npages && priv->pages[i]; i++)
		__free_page(priv->pages[i]);
	kfree(priv);
	return rc;
}

int iommufd_test_dmabuf_revoke(struct iommufd_ucmd *ucmd, int fd, bool revoked)
{
	struct iommufd_test_dma_buf *priv;
	struct dma_buf *dmabuf;
	int rc = 0;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	if (dmabuf->ops != &iommufd_test_dmabuf_ops) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}

	priv = (struct iommufd_test_dma_buf *)dmabuf->priv;
	dma_resv_lock(dmabuf->resv, NULL);
	priv->revoked = revoked;
	dma_buf_move_notify(dmabuf);
	dma_resv_unlock(dmabuf->resv);

out_put:
	dma_buf_put(dmabuf);
	return rc;
}

/*
 * Every mock page of [iova, iova + length) of HWPT @mockpt_id must
 * translate to the same byte of the dma-buf at [offset, offset + length).
 */
int iommufd_test_md_check_dmabuf(struct iommufd_ucmd *ucmd, unsigned int mockpt_id,
				 int dmabuf_fd, unsigned long iova, size_t length,
				 unsigned long offset)
{
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_test_dma_buf *priv;
	struct mock_iommu_domain *mock;
	struct dma_buf *dmabuf;
	unsigned int page_size;
	unsigned long end;
	int rc;

	hwpt = get_md_pagetable(ucmd, mockpt_id, &mock);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);

	dmabuf = dma_buf_get(dmabuf_fd);
	if (IS_ERR(dmabuf)) {
		rc = PTR_ERR(dmabuf);
		goto out_put_hwpt;
	}
	if (dmabuf->ops != &iommufd_test_dmabuf_ops) {
		rc = -EINVAL;
		goto out_put_dmabuf;
	}

	priv = (struct iommufd_test_dma_buf *)dmabuf->priv;
	page_size = 1U << __ffs(mock->domain.pgsize_bitmap);
	if (iova % page_size || length % page_size || offset % page_size ||
	    check_add_overflow(offset, (unsigned long)length, &end) || end > priv->length) {
		rc = -EINVAL;
		goto out_put_dmabuf;
	}

	rc = 0;
	for (size_t i = 0; i < length; i += page_size) {
		phys_addr_t expected = page_to_phys(priv->pages[(offset + i) / PAGE_SIZE]) +
				       ((offset + i) % PAGE_SIZE);
		phys_addr_t io_phys = mock->domain.ops->iova_to_phys(&mock->domain, iova + i);

		if (io_phys != expected) {
			rc = -EINVAL;
			break;
		}
	}

out_put_dmabuf:
	dma_buf_put(dmabuf);
out_put_hwpt:
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}
