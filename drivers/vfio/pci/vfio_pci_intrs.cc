// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci interrupts: VFIO_DEVICE_SET_IRQS.
 *
 * MSI and MSI-X (vfio_pci_set_msi_trigger() upstream): the first
 * DATA_EVENTFD enables the capability with start + count vectors, as the
 * host kernel would allocate them, and unmasks them in the function's
 * MSI-X table; each vector then signals its eventfd when the function
 * raises it. An fd of -1 unhooks a vector; DATA_NONE with count 0 disables
 * the whole index; DATA_NONE or DATA_BOOL with vectors fires them from
 * software (loopback tests). Only one index can be enabled at a time:
 * anything else is -EINVAL, as upstream.
 *
 * The eventfds are the user's descriptors, taken as our own with
 * host_fd_get() (in-process: a dup; a server: pidfd_getfd()), checked to
 * be eventfds, and signalled by writing a count of 1 as eventfd_signal()
 * adds one. INTx: the models have no pin (count 0), so every INTx request
 * fails validation before it gets here. ERR and REQ triggers are kept but
 * never fire: nothing models AER or a device request.
 */
#include "drivers/vfio/pci/vfio_pci_priv.h"
#include "harness/platform/pci_regs.h"

#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace {

/* The user's descriptor as an eventfd of ours, or -EBADF/-EINVAL (eventfd_ctx_fdget()). */
int eventfd_get(int fd)
{
	char path[64], target[64];
	ssize_t n;
	int hfd;

	hfd = host_fd_get(fd);
	if (hfd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", hfd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0 || (target[n] = 0, strcmp(target, "anon_inode:[eventfd]"))) {
		close(hfd);
		return -EINVAL;
	}
	return hfd;
}

void eventfd_signal(int hfd)
{
	u64 one = 1;

	/* A full counter (2^64 - 2) cannot happen with our rates; ignore EAGAIN. */
	if (hfd >= 0 && write(hfd, &one, sizeof(one)) < 0)
		return;
}

void eventfd_put(int *hfd)
{
	if (*hfd >= 0)
		close(*hfd);
	*hfd = -1;
}

bool irq_is(struct vfio_pci_core_device *vdev, unsigned int index)
{
	return vdev->irq_type == (int)index;
}

bool is_irq_none(struct vfio_pci_core_device *vdev)
{
	return vdev->irq_type == VFIO_PCI_IRQ_NONE;
}

int vfio_msi_enable(struct vfio_pci_core_device *vdev, unsigned int nvec, bool msix)
{
	struct pci_func *f = vdev->func;

	if (!is_irq_none(vdev))
		return -EINVAL;
	vdev->ctx = (struct vfio_pci_irq_ctx *)kcalloc(nvec, sizeof(*vdev->ctx), GFP_KERNEL);
	if (!vdev->ctx)
		return -ENOMEM;
	for (unsigned int i = 0; i < nvec; i++)
		vdev->ctx[i].host_fd = -1;
	vdev->num_ctx = nvec;
	vdev->irq_type = msix ? VFIO_PCI_MSIX_IRQ_INDEX : VFIO_PCI_MSI_IRQ_INDEX;
	if (msix) {
		/* The host programs the vectors and unmasks them (pci_msix_set_enable()). */
		pci_msix_set_enable(f, true);
	} else {
		pci_msi_set_enable(f, true, nvec);
	}
	return 0;
}

int vfio_msi_set_vector_signal(struct vfio_pci_core_device *vdev, unsigned int vector, int fd)
{
	struct vfio_pci_irq_ctx *ctx;
	int hfd;

	if (vector >= vdev->num_ctx)
		return -EINVAL;
	ctx = &vdev->ctx[vector];
	if (fd < 0) {
		std::lock_guard<std::recursive_mutex> g(vdev->func->lock);

		eventfd_put(&ctx->host_fd);
		return 0;
	}
	hfd = eventfd_get(fd);
	if (hfd < 0)
		return hfd;
	std::lock_guard<std::recursive_mutex> g(vdev->func->lock);
	eventfd_put(&ctx->host_fd);
	ctx->host_fd = hfd;
	return 0;
}

int vfio_msi_set_block(struct vfio_pci_core_device *vdev, unsigned int start, unsigned int count,
		       const s32 *fds)
{
	unsigned int i, j;
	int ret = 0;

	for (i = 0, j = start; i < count && !ret; i++, j++)
		ret = vfio_msi_set_vector_signal(vdev, j, fds ? fds[i] : -1);
	if (ret) {
		for (i = start; i < j; i++)
			vfio_msi_set_vector_signal(vdev, i, -1);
	}
	return ret;
}

void vfio_msi_disable(struct vfio_pci_core_device *vdev)
{
	struct pci_func *f = vdev->func;
	bool msix = irq_is(vdev, VFIO_PCI_MSIX_IRQ_INDEX);

	vfio_msi_set_block(vdev, 0, vdev->num_ctx, NULL);
	if (msix)
		pci_msix_set_enable(f, false);	/* masks every vector, then disables */
	else
		pci_msi_set_enable(f, false, 0);
	kfree(vdev->ctx);
	vdev->ctx = NULL;
	vdev->num_ctx = 0;
	vdev->irq_type = VFIO_PCI_IRQ_NONE;
}

int vfio_pci_set_msi_trigger(struct vfio_pci_core_device *vdev, unsigned int index,
			     unsigned int start, unsigned int count, u32 flags, void *data)
{
	bool msix = index == VFIO_PCI_MSIX_IRQ_INDEX;
	int ret;

	if (irq_is(vdev, index) && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		vfio_msi_disable(vdev);
		return 0;
	}
	if (!(irq_is(vdev, index) || is_irq_none(vdev)))
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		const s32 *fds = (const s32 *)data;

		if (irq_is(vdev, index)) {
			/* Dynamic MSI-X: vectors past the enabled ones are allocated now. */
			if (msix && start + count > vdev->num_ctx) {
				auto *ctx = (struct vfio_pci_irq_ctx *)krealloc(
					vdev->ctx, (start + count) * sizeof(*vdev->ctx), GFP_KERNEL);

				if (!ctx)
					return -ENOMEM;
				for (unsigned int i = vdev->num_ctx; i < start + count; i++) {
					ctx[i].host_fd = -1;
					pci_msix_vector_mask(vdev->func, i, false);
				}
				vdev->ctx = ctx;
				vdev->num_ctx = start + count;
			}
			return vfio_msi_set_block(vdev, start, count, fds);
		}
		ret = vfio_msi_enable(vdev, start + count, msix);
		if (ret)
			return ret;
		ret = vfio_msi_set_block(vdev, start, count, fds);
		if (ret)
			vfio_msi_disable(vdev);
		return ret;
	}

	if (!irq_is(vdev, index))
		return -EINVAL;
	for (unsigned int i = start; i < start + count && i < vdev->num_ctx; i++) {
		std::lock_guard<std::recursive_mutex> g(vdev->func->lock);

		if (flags & VFIO_IRQ_SET_DATA_NONE)
			eventfd_signal(vdev->ctx[i].host_fd);
		else if ((flags & VFIO_IRQ_SET_DATA_BOOL) && ((const u8 *)data)[i - start])
			eventfd_signal(vdev->ctx[i].host_fd);
	}
	return 0;
}

/* ERR and REQ: one eventfd each, set, cleared or fired from software (loopback). */
int vfio_pci_set_ctx_trigger_single(int *trigger, unsigned int count, u32 flags, void *data)
{
	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (*trigger < 0)
			return -EINVAL;
		if (count)
			eventfd_signal(*trigger);
		else
			eventfd_put(trigger);
		return 0;
	}
	if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (!count)
			return -EINVAL;
		if (((const u8 *)data)[0])
			eventfd_signal(*trigger);
		return 0;
	}
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		s32 fd;
		int hfd;

		if (!count)
			return -EINVAL;
		fd = *(const s32 *)data;
		if (fd == -1) {
			eventfd_put(trigger);
		} else if (fd >= 0) {
			hfd = eventfd_get(fd);
			if (hfd < 0)
				return hfd;
			eventfd_put(trigger);
			*trigger = hfd;
		}
		return 0;
	}
	return -EINVAL;
}

} // namespace

int vfio_pci_set_irqs_ioctl(struct vfio_pci_core_device *vdev, u32 flags, unsigned int index,
			    unsigned int start, unsigned int count, void *data)
{
	u32 action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

	lockdep_assert_held(&vdev->igate);
	switch (index) {
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX:
		/* Masking MSI vectors from user space is not offered upstream either. */
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return vfio_pci_set_msi_trigger(vdev, index, start, count, flags, data);
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER && vdev->func->pcie_cap)
			return vfio_pci_set_ctx_trigger_single(&vdev->err_trigger, count, flags, data);
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return vfio_pci_set_ctx_trigger_single(&vdev->req_trigger, count, flags, data);
		break;
	}
	return -ENOTTY;
}

void vfio_pci_irqs_disable(struct vfio_pci_core_device *vdev)
{
	guard(mutex)(&vdev->igate);
	if (!is_irq_none(vdev))
		vfio_msi_disable(vdev);
	eventfd_put(&vdev->err_trigger);
	eventfd_put(&vdev->req_trigger);
}

void vfio_pci_irq_deliver(struct pci_func *f, enum pci_irq_type type, unsigned int vector)
{
	auto *vdev = (struct vfio_pci_core_device *)f->irq_data;

	/* Called with the function's lock held, by the model raising it. */
	if (!vdev || (int)type != vdev->irq_type || vector >= vdev->num_ctx)
		return;
	eventfd_signal(vdev->ctx[vector].host_fd);
}
