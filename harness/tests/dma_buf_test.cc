// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of harness/dma_buf.h: an exported buffer behind a real fd,
 * dma_buf_get() errnos, references held by attachments, move_notify
 * delivery under the reservation lock, and the physical-address mapping.
 */
#include "harness/dma_buf.h"
#include "harness/file.h"
#include "harness/slab.h"
#include "kunit.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace {

int releases;
int notifies;
bool revoked;

void test_release(struct dma_buf *dmabuf)
{
	releases++;
}

struct dma_buf_phys_list *test_map_phys(struct dma_buf_attachment *attach)
{
	struct dma_buf_phys_list *phys;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (revoked)
		return (struct dma_buf_phys_list *)ERR_PTR(-ENODEV);
	phys = (struct dma_buf_phys_list *)kzalloc(sizeof(*phys) + 2 * sizeof(phys->phys[0]),
						   GFP_KERNEL);
	if (!phys)
		return (struct dma_buf_phys_list *)ERR_PTR(-ENOMEM);
	phys->length = 2;
	phys->phys[0] = { 0x100000, 4096 };
	phys->phys[1] = { 0x300000, 4096 };
	return phys;
}

void test_unmap_phys(struct dma_buf_attachment *attach, struct dma_buf_phys_list *phys)
{
	kfree(phys);
}

const struct dma_buf_ops test_ops = {
	.map_phys = test_map_phys,
	.unmap_phys = test_unmap_phys,
	.release = test_release,
};

const struct dma_buf_ops test_ops_nophys = {
	.release = test_release,
};

void test_move_notify(struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(attach->dmabuf->resv);
	notifies++;
}

const struct dma_buf_attach_ops importer_ops = {
	.allow_peer2peer = true,
	.move_notify = test_move_notify,
};

struct dma_buf *export_one(const struct dma_buf_ops *ops)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);

	info.ops = ops;
	info.size = 8192;
	info.flags = O_CLOEXEC;
	return dma_buf_export(&info);
}

void dma_buf_fd_lifetime(struct kunit *test)
{
	struct dma_buf *dmabuf, *got;
	int fd;

	releases = 0;
	dmabuf = export_one(&test_ops);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	KUNIT_ASSERT_GE(test, fd, 0);
	KUNIT_EXPECT_TRUE(test, fcntl(fd, F_GETFD) & FD_CLOEXEC);

	got = dma_buf_get(fd);
	KUNIT_ASSERT_TRUE(test, got == dmabuf);
	KUNIT_EXPECT_TRUE(test, is_dma_buf_file(got->file));
	/* the fd goes, our reference keeps the buffer */
	KUNIT_EXPECT_EQ(test, 0, fd_close(fd));
	KUNIT_EXPECT_EQ(test, 0, releases);
	dma_buf_put(got);
	KUNIT_EXPECT_EQ(test, 1, releases);
}

void dma_buf_get_errnos(struct kunit *test)
{
	int pipefd[2];

	KUNIT_EXPECT_EQ(test, -EBADF, PTR_ERR(dma_buf_get(-1)));
	KUNIT_ASSERT_EQ(test, 0, pipe(pipefd));
	/* an open host file that is not a dma-buf, as the kernel's fget() sees it */
	KUNIT_EXPECT_EQ(test, -EINVAL, PTR_ERR(dma_buf_get(pipefd[0])));
	close(pipefd[0]);
	close(pipefd[1]);
}

void dma_buf_attach_notify_map(struct kunit *test)
{
	struct dma_buf_attachment *attach;
	struct dma_buf_phys_list *phys;
	struct dma_buf *dmabuf;

	releases = 0;
	notifies = 0;
	revoked = false;
	dmabuf = export_one(&test_ops);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	attach = dma_buf_dynamic_attach(dmabuf, nullptr, &importer_ops, nullptr);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	KUNIT_EXPECT_TRUE(test, attach->peer2peer);

	/* the attachment holds the buffer after the exporter's reference goes */
	dma_buf_put(dmabuf);
	KUNIT_EXPECT_EQ(test, 0, releases);

	dma_resv_lock(dmabuf->resv, nullptr);
	phys = dma_buf_pal_map_phys(attach);
	KUNIT_ASSERT_FALSE(test, IS_ERR(phys));
	KUNIT_EXPECT_EQ(test, (size_t)2, phys->length);
	KUNIT_EXPECT_EQ(test, (phys_addr_t)0x300000, phys->phys[1].paddr);
	dma_buf_pal_unmap_phys(attach, phys);

	revoked = true;
	dma_buf_move_notify(dmabuf);
	KUNIT_EXPECT_EQ(test, 1, notifies);
	KUNIT_EXPECT_EQ(test, -ENODEV, PTR_ERR(dma_buf_pal_map_phys(attach)));
	dma_resv_unlock(dmabuf->resv);

	dma_buf_detach(dmabuf, attach);
	KUNIT_EXPECT_EQ(test, 1, releases);
	revoked = false;
}

void dma_buf_no_phys(struct kunit *test)
{
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	releases = 0;
	dmabuf = export_one(&test_ops_nophys);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	attach = dma_buf_dynamic_attach(dmabuf, nullptr, &importer_ops, nullptr);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	dma_resv_lock(dmabuf->resv, nullptr);
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, PTR_ERR(dma_buf_pal_map_phys(attach)));
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
	dma_buf_put(dmabuf);
	KUNIT_EXPECT_EQ(test, 1, releases);
}

struct kunit_case dma_buf_cases[] = {
	KUNIT_CASE(dma_buf_fd_lifetime),
	KUNIT_CASE(dma_buf_get_errnos),
	KUNIT_CASE(dma_buf_attach_notify_map),
	KUNIT_CASE(dma_buf_no_phys),
	{},
};

struct kunit_suite dma_buf_suite = {
	.name = "harness-dma-buf",
	.test_cases = dma_buf_cases,
};

} // namespace

kunit_test_suite(dma_buf_suite);
