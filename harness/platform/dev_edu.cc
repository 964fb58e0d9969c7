// SPDX-License-Identifier: GPL-2.0
/*
 * "edu": QEMU's educational PCI device (1234:11e8, QEMU's
 * docs/specs/edu.rst), a small function students write drivers for: an
 * identification and a liveness register, a factorial unit, an interrupt
 * raised on request, and a DMA engine that moves up to 4 KiB between RAM
 * and a buffer inside the device. edu_hw.h has the registers, the ones
 * this model adds among them.
 *
 * What it is here for is the second half of a DMA-capable function: PASID
 * and PRI. With the platform description's pasid_bits, ats and pri it has
 * those capabilities, its transfers can carry a PASID (EDU_DMA_PASID), and
 * a transfer the IOMMU refuses waits for the page request the IOMMU sent
 * for it, then retries, as PRI hardware does:
 *
 *  - A transfer runs synchronously inside the write of EDU_DMA_CMD, one
 *    page-bounded chunk at a time through pci_dma_read()/pci_dma_write().
 *  - A refused chunk ends the transfer with EDU_DMA_STS_FAULT and its
 *    address in EDU_DMA_FAULT_ADDR, unless the IOMMU said it sent a page
 *    request for exactly that access (pci_pri.h). Then the transfer waits:
 *    START stays 1, EDU_DMA_STATUS reads PAGE_REQ.
 *  - The PRG Response ends the wait. Success: the transfer goes on from
 *    the refused chunk (which may be refused again and wait again).
 *    Invalid or Failure: it ends with FAULT | PRG_FAIL; Failure also sets
 *    Response Failure in the PRI capability's status. A response for no
 *    waiting access sets Unexpected PRG Index there.
 *  - Responses arrive from whatever thread answered the page request,
 *    with iommufd's locks held; the function only queues them. It acts on
 *    them at its next register access or from its own thread, started
 *    when its first transfer waits, so a driver waiting for the
 *    completion interrupt gets it without touching the device.
 *
 * Choices the QEMU document leaves open or that differ from QEMU's model:
 *  - Everything but the retried transfer runs synchronously: the
 *    factorial is done (and its interrupt raised) by the time the write
 *    returns, so COMPUTING never reads 1; a transfer that needs no page
 *    request has ended when the write of EDU_DMA_CMD returns.
 *  - A bad range (count 0 or past the buffer, a buffer-side address
 *    outside it) ends the transfer with EDU_DMA_STS_RANGE instead of
 *    stopping the machine; no address is masked (QEMU's dma_mask property
 *    defaults to 28 bits; behind an IOMMU every IOVA bit is the IOMMU's).
 *  - The buffer is also reachable with loads and stores at 0x40000, any
 *    size; QEMU's BAR does not decode it.
 *  - A transfer's end raises EDU_IRQ_DMA when asked for, failed or not.
 *  - START, TO_RAM and IRQ are the command bits kept; writes without START,
 *    or while a transfer waits, are ignored as QEMU ignores them while busy.
 *    The addresses, count and PASID are latched at START.
 *  - The page request goes out whenever the function has the PRI
 *    capability, as the mock IOMMU decides by the capability too: nothing
 *    on the host sets PRI Enable or PASID Enable here, so neither gates.
 *  - Interrupts go out as MSI-X when it is enabled (vector 1 for a
 *    transfer's end, 0 for the rest), else as MSI vector 0; no INTx.
 */
#include "harness/platform/edu_hw.h"
#include "harness/platform/pci_pri.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"

#include "harness/slab.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <new>
#include <thread>

/* The engine waits on one page request at a time. */
#define EDU_PRI_MAX_REQUESTS	1
/* Responses queued beyond this (a confused IOMMU) are dropped as unexpected. */
#define EDU_PRI_QUEUE_MAX	64

struct edu_dma_job {
	bool active;
	bool waiting;		/* for the PRG Response to the request below */
	bool to_ram;
	bool irq;
	bool has_pasid;
	u32 pasid;
	u64 ram;		/* the RAM-side address */
	u32 buf_off;		/* the buffer-side offset */
	u32 cnt, done;
	/* The access the outstanding page request is for. */
	u64 req_page;
	bool req_write;
};

struct edu_dev {
	struct pci_func *f;
	u32 pasid_bits;

	/* Registers. */
	u32 liveness, fact, status, irq_status;
	u64 dma_src, dma_dst, dma_cnt, dma_cmd;
	u32 dma_sts, dma_pasid;
	u64 dma_fault_addr;
	u8 buf[EDU_BUF_SIZE];

	struct edu_dma_job job;

	/*
	 * PRI messages, under @pri_lock (taken inside iommufd's locks by the
	 * receiver, so nothing is called with it held): the page request the
	 * IOMMU sent during the current chunk, and responses not acted on yet.
	 */
	std::mutex pri_lock;
	std::condition_variable pri_cv;
	bool req_sent;
	struct pci_pri_msg req;
	std::deque<struct pci_pri_msg> responses;
	bool stop;
	std::thread worker;
};

static bool edu_has_pri(struct edu_dev *d)
{
	return d->f->pri_ecap;
}

/* ---- interrupts ---- */

static bool edu_msix_enabled(struct edu_dev *d)
{
	return pci_cfg_read(d->f, d->f->msix_cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE;
}

static void edu_raise_irq(struct edu_dev *d, u32 val)
{
	d->irq_status |= val;
	if (edu_msix_enabled(d))
		pci_msix_raise(d->f, (val & EDU_IRQ_DMA) ? EDU_MSIX_VEC_DMA : 0);
	else
		pci_msi_raise(d->f, 0);
}

/* ---- factorial ---- */

static u32 edu_factorial(u32 n)
{
	u32 r = 1;

	/* 34! and up hold 2^32: zero, as the 32-bit product QEMU computes ends up. */
	if (n >= 34)
		return 0;
	while (n > 1)
		r *= n--;
	return r;
}

/* ---- DMA ---- */

static void edu_dma_finish(struct edu_dev *d, u32 err)
{
	d->dma_sts = err ? (err | EDU_DMA_STS_ERROR) : 0;
	d->dma_cmd &= ~(u64)EDU_DMA_CMD_START;
	d->job.active = false;
	d->job.waiting = false;
	if (d->job.irq)
		edu_raise_irq(d, EDU_IRQ_DMA);
}

/* Did the IOMMU send a page request for the access just refused? */
static bool edu_page_request_sent(struct edu_dev *d, u64 iova, bool write)
{
	std::lock_guard<std::mutex> g(d->pri_lock);

	return d->req_sent && d->req.has_pasid == d->job.has_pasid &&
	       (!d->job.has_pasid || d->req.pasid == d->job.pasid) &&
	       d->req.addr == (iova & ~(u64)(PAGE_SIZE - 1)) && d->req.write == write;
}

static void edu_pri_worker(struct edu_dev *d);

static void edu_start_worker(struct edu_dev *d)
{
	if (d->worker.joinable())
		return;
	d->worker = std::thread(edu_pri_worker, d);
}

/* Moves the job's chunks from where it stopped; ends it, or leaves it waiting. */
static void edu_dma_run(struct edu_dev *d)
{
	struct edu_dma_job *j = &d->job;

	while (j->done < j->cnt) {
		u64 iova = j->ram + j->done;
		u32 chunk = min_t(u64, j->cnt - j->done, PAGE_SIZE - (iova & (PAGE_SIZE - 1)));
		u8 *p = &d->buf[j->buf_off + j->done];
		int rc;

		{
			std::lock_guard<std::mutex> g(d->pri_lock);
			d->req_sent = false;
		}
		if (j->to_ram)
			rc = pci_dma_write(d->f, j->pasid, j->has_pasid, iova, p, chunk);
		else
			rc = pci_dma_read(d->f, j->pasid, j->has_pasid, iova, p, chunk);
		if (rc == PCI_DMA_OK) {
			j->done += chunk;
			continue;
		}
		d->dma_fault_addr = iova;
		if (edu_has_pri(d) && edu_page_request_sent(d, iova, j->to_ram)) {
			j->waiting = true;
			j->req_page = iova & ~(u64)(PAGE_SIZE - 1);
			j->req_write = j->to_ram;
			d->dma_sts = EDU_DMA_STS_PAGE_REQ;
			edu_start_worker(d);
			return;
		}
		edu_dma_finish(d, EDU_DMA_STS_FAULT);
		return;
	}
	edu_dma_finish(d, 0);
}

static void edu_dma_start(struct edu_dev *d, u64 cmd)
{
	struct edu_dma_job *j = &d->job;
	u64 dev_addr, cnt = d->dma_cnt;

	if (!(cmd & EDU_DMA_CMD_START) || (d->dma_cmd & EDU_DMA_CMD_START))
		return;
	d->dma_cmd = cmd & (EDU_DMA_CMD_START | EDU_DMA_CMD_TO_RAM | EDU_DMA_CMD_IRQ);
	d->dma_sts = 0;
	d->dma_fault_addr = 0;
	*j = {};
	j->active = true;
	j->to_ram = cmd & EDU_DMA_CMD_TO_RAM;
	j->irq = cmd & EDU_DMA_CMD_IRQ;
	dev_addr = j->to_ram ? d->dma_src : d->dma_dst;
	j->ram = j->to_ram ? d->dma_dst : d->dma_src;

	if (!cnt || cnt > EDU_BUF_SIZE || dev_addr < EDU_BUF_OFF ||
	    dev_addr - EDU_BUF_OFF > EDU_BUF_SIZE - cnt) {
		edu_dma_finish(d, EDU_DMA_STS_RANGE);
		return;
	}
	j->buf_off = dev_addr - EDU_BUF_OFF;
	j->cnt = cnt;
	if (d->dma_pasid & EDU_DMA_PASID_VALID) {
		u32 pasid = d->dma_pasid & EDU_DMA_PASID_MASK;

		if (!d->f->pasid_ecap || pasid >= (1u << d->pasid_bits)) {
			edu_dma_finish(d, EDU_DMA_STS_PASID);
			return;
		}
		j->has_pasid = true;
		j->pasid = pasid;
	}
	edu_dma_run(d);
}

/* ---- PRI ---- */

/* The receiver (pci_pri.h): record, wake the worker, nothing else. */
static void edu_pri_receive(struct pci_func *f, const struct pci_pri_msg *msg)
{
	struct edu_dev *d = (struct edu_dev *)f->priv;
	std::lock_guard<std::mutex> g(d->pri_lock);

	if (msg->type == PCI_PRI_PAGE_REQUEST) {
		d->req_sent = true;
		d->req = *msg;
		return;
	}
	if (d->responses.size() >= EDU_PRI_QUEUE_MAX)
		return;
	d->responses.push_back(*msg);
	d->pri_cv.notify_one();
}

static bool edu_pri_pop(struct edu_dev *d, struct pci_pri_msg *msg)
{
	std::lock_guard<std::mutex> g(d->pri_lock);

	if (d->responses.empty())
		return false;
	*msg = d->responses.front();
	d->responses.pop_front();
	return true;
}

/* Acts on the queued responses. Under f->lock. */
static void edu_pri_process(struct edu_dev *d)
{
	struct edu_dma_job *j = &d->job;
	struct pci_pri_msg r;

	while (edu_pri_pop(d, &r)) {
		if (!j->waiting || r.has_pasid != j->has_pasid ||
		    (j->has_pasid && r.pasid != j->pasid) || r.addr != j->req_page ||
		    r.write != j->req_write) {
			pci_cfg_hw_set(d->f, d->f->pri_ecap + PCI_PRI_STATUS, PCI_PRI_STATUS_UPRGI, 2);
			continue;
		}
		j->waiting = false;
		d->dma_sts = 0;
		if (r.code == PCI_PRG_RESP_SUCCESS) {
			edu_dma_run(d);
			continue;
		}
		if (r.code == PCI_PRG_RESP_FAILURE)
			pci_cfg_hw_set(d->f, d->f->pri_ecap + PCI_PRI_STATUS, PCI_PRI_STATUS_RF, 2);
		edu_dma_finish(d, EDU_DMA_STS_FAULT | EDU_DMA_STS_PRG_FAIL);
	}
}

/*
 * The function's own context for responses that arrive while nobody
 * touches its registers: takes f->lock with no other lock held.
 */
static void edu_pri_worker(struct edu_dev *d)
{
	std::unique_lock<std::mutex> l(d->pri_lock);

	for (;;) {
		d->pri_cv.wait(l, [d] { return d->stop || !d->responses.empty(); });
		if (d->stop)
			return;
		l.unlock();
		{
			std::lock_guard<std::recursive_mutex> g(d->f->lock);
			edu_pri_process(d);
		}
		l.lock();
	}
}

/* ---- BAR0 ---- */

static u64 *edu_reg64(struct edu_dev *d, u64 off)
{
	switch (off & ~7ULL) {
	case EDU_DMA_SRC:
		return &d->dma_src;
	case EDU_DMA_DST:
		return &d->dma_dst;
	case EDU_DMA_CNT:
		return &d->dma_cnt;
	case EDU_DMA_CMD:
		return &d->dma_cmd;
	case EDU_DMA_FAULT_ADDR:
		return &d->dma_fault_addr;
	}
	return NULL;
}

static bool edu_in_buf(u64 off, unsigned int size)
{
	return off >= EDU_BUF_OFF && off + size <= EDU_BUF_OFF + EDU_BUF_SIZE;
}

static u64 edu_bar0_read(void *priv, u64 off, unsigned int size)
{
	struct edu_dev *d = (struct edu_dev *)priv;
	u64 v = 0;
	u64 *r;

	edu_pri_process(d);
	if (edu_in_buf(off, size)) {
		memcpy(&v, &d->buf[off - EDU_BUF_OFF], size);
		return v;
	}
	if (off < 0x80) {
		if (size != 4)
			return ~0ULL;
		switch (off) {
		case EDU_ID:
			return EDU_ID_VALUE;
		case EDU_LIVENESS:
			return d->liveness;
		case EDU_FACTORIAL:
			return d->fact;
		case EDU_STATUS:
			return d->status;
		case EDU_IRQ_STATUS:
			return d->irq_status;
		}
		return ~0ULL;
	}
	if (size != 4 && size != 8)
		return ~0ULL;
	if (off == EDU_DMA_STATUS)
		return d->dma_sts;
	if (off == EDU_DMA_PASID)
		return d->dma_pasid;
	r = edu_reg64(d, off);
	if (!r)
		return ~0ULL;
	return (off & 4) ? *r >> 32 : *r;
}

static void edu_bar0_write(void *priv, u64 off, u64 val, unsigned int size)
{
	struct edu_dev *d = (struct edu_dev *)priv;
	u64 *r;

	edu_pri_process(d);
	if (edu_in_buf(off, size)) {
		memcpy(&d->buf[off - EDU_BUF_OFF], &val, size);
		return;
	}
	if (off < 0x80) {
		if (size != 4)
			return;
		switch (off) {
		case EDU_LIVENESS:
			d->liveness = ~(u32)val;
			break;
		case EDU_FACTORIAL:
			d->fact = edu_factorial(val);
			if (d->status & EDU_STATUS_IRQFACT)
				edu_raise_irq(d, EDU_IRQ_FACT);
			break;
		case EDU_STATUS:
			d->status = (d->status & ~EDU_STATUS_IRQFACT) | (val & EDU_STATUS_IRQFACT);
			break;
		case EDU_IRQ_RAISE:
			edu_raise_irq(d, val);
			break;
		case EDU_IRQ_ACK:
			d->irq_status &= ~(u32)val;
			break;
		}
		return;
	}
	if (size != 4 && size != 8)
		return;
	if (off == EDU_DMA_PASID) {
		d->dma_pasid = val & (EDU_DMA_PASID_VALID | EDU_DMA_PASID_MASK);
		return;
	}
	r = edu_reg64(d, off);
	/* The status and the fault address are the engine's. */
	if (!r || r == &d->dma_fault_addr)
		return;
	if (r == &d->dma_cmd) {
		/* The command is its low half; a write of the high half starts nothing. */
		if (!(off & 4))
			edu_dma_start(d, val);
		edu_pri_process(d);
		return;
	}
	if (off & 4)
		*r = (*r & 0xffffffffULL) | (val << 32);
	else if (size == 4)
		*r = (u32)val;	/* as QEMU: a 32-bit write sets the whole register */
	else
		*r = val;
}

static const struct mmio_ops edu_bar0_ops = {
	.read = edu_bar0_read,
	.write = edu_bar0_write,
};

/* ---- the function ---- */

static void edu_regs_reset(struct edu_dev *d)
{
	d->liveness = d->fact = d->status = d->irq_status = 0;
	d->dma_src = d->dma_dst = d->dma_cnt = d->dma_cmd = 0;
	d->dma_sts = d->dma_pasid = 0;
	d->dma_fault_addr = 0;
	d->job = {};
	memset(d->buf, 0, sizeof(d->buf));
	std::lock_guard<std::mutex> g(d->pri_lock);
	/* An abandoned transfer's response, arriving later, is unexpected. */
	d->req_sent = false;
	d->responses.clear();
}

static void edu_reset(struct pci_func *f)
{
	edu_regs_reset((struct edu_dev *)f->priv);
}

static void edu_destroy(struct pci_func *f)
{
	struct edu_dev *d = (struct edu_dev *)f->priv;

	if (!d)
		return;
	pci_pri_set_receiver(f, NULL);
	{
		std::lock_guard<std::mutex> g(d->pri_lock);
		d->stop = true;
		d->pri_cv.notify_one();
	}
	if (d->worker.joinable())
		d->worker.join();
	d->~edu_dev();
	kfree(d);
	f->priv = NULL;
}

static const struct pci_func_ops edu_func_ops = {
	.reset = edu_reset,
	.destroy = edu_destroy,
};

static int edu_create(struct pci_func *f, const struct platform_device_desc *desc)
{
	struct edu_dev *d;
	void *mem;

	if (desc->pasid_bits > PCI_PASID_MAX_WIDTH)
		return -EINVAL;
	mem = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!mem)
		return -ENOMEM;
	d = new (mem) edu_dev();
	/* From here on a failure is undone by the caller's pci_func_free(), through ->destroy. */
	d->f = f;
	d->pasid_bits = desc->pasid_bits;
	f->priv = d;
	f->ops = &edu_func_ops;
	pci_func_set_class(f, EDU_CLASS, EDU_REVISION);

	if (pci_func_set_bar(f, EDU_BAR, EDU_BAR_SIZE, PCI_BASE_ADDRESS_MEM_TYPE_64, true,
			     &edu_bar0_ops, d) ||
	    !pci_cap_add_pcie(f, PCI_EXP_TYPE_ENDPOINT, true) || !pci_cap_add_msi(f, 1, true, false) ||
	    !pci_cap_add_msix(f, EDU_MSIX_VECTORS, EDU_BAR, EDU_MSIX_TABLE, EDU_MSIX_PBA))
		return -ENOSPC;
	/* PASID first: PRI looks for it to say its responses carry PASIDs. */
	if (desc->pasid_bits && !pci_ecap_add_pasid(f, desc->pasid_bits, false, false))
		return -ENOSPC;
	if (desc->ats && !pci_ecap_add_ats(f))
		return -ENOSPC;
	if (desc->pri) {
		if (!pci_ecap_add_pri(f, EDU_PRI_MAX_REQUESTS))
			return -ENOSPC;
		pci_pri_set_receiver(f, edu_pri_receive);
	}
	return 0;
}

extern const struct platform_device_kind edu_device_kind;
const struct platform_device_kind edu_device_kind = {
	.name = "edu",
	.summary = "QEMU's educational device, 1234:11e8: factorial, interrupts, 4 KiB DMA "
		   "with PASID and PRI retry",
	.vendor = EDU_VENDOR_ID,
	.device = EDU_DEVICE_ID,
	.create = edu_create,
};
PLATFORM_DEVICE_KIND(edu_device_kind);
