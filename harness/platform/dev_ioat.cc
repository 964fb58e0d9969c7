// SPDX-License-Identifier: GPL-2.0
/*
 * "ioat": one Intel I/OAT v3.3 (CBDMA) channel, the PCI function
 * 8086:2021 of a Skylake-SP uncore, modelled well enough that the kernel's
 * own drivers for it (drivers/dma/ioat, and the VFIO selftests' userspace
 * driver) copy memory with it through the IOMMU.
 *
 * The channel is a small state machine (ioat_hw.h has the registers):
 *
 *  - Software writes CHAINADDR while the channel is idle: the channel will
 *    fetch its next descriptor there, and its count of processed
 *    descriptors restarts at 0 (DMACOUNT reads 0 again). The kernel
 *    driver restarts its own count at 0 whenever it reloads CHAINADDR,
 *    after a reset or a suspend, so the hardware's must restart there too.
 *  - DMACOUNT is a free-running 16-bit count of descriptors software has
 *    made valid. While the channel's processed count differs from it, the
 *    channel fetches a descriptor (64 bytes, 64-byte aligned), executes it,
 *    and follows its `next`. Writing the same DMACOUNT again starts
 *    nothing; writing a smaller one means 65536 - difference more, as the
 *    count wraps. So one register write runs at most 65535 descriptors,
 *    however the chain is linked (the selftests link a descriptor to
 *    itself).
 *  - A channel runs from DONE (appending: it continues from the last
 *    descriptor's `next`), or from HALTED or SUSPENDED once CHAINADDR has
 *    been written. RESUME continues a suspended channel where it stopped.
 *  - Errors halt the channel with a CHANERR bit set; a halted channel with
 *    CHANERR bits still set starts nothing until software clears them
 *    (W1C) and reloads CHAINADDR, the sequence every driver follows.
 *
 * Everything runs synchronously inside the register write that started
 * it (a descriptor's DMA, its completion writeback, its interrupt), so a
 * poll of CHANSTS never sees ACTIVE: DONE, SUSPENDED or HALTED are what
 * software reads back.
 *
 * Choices the documentation leaves open, made here:
 *  - CHANERR bits are mirrored into CHANERR_INT (config 0x180), which the
 *    drivers read and clear alongside; DMAUNCERRSTS (0x148) logs
 *    uncorrectable data-integrity errors, which never happen here.
 *  - Every modelled error is fatal to the channel, whatever
 *    ANY_ERR_ABORT_EN and CHANERR_MASK say: the maskable errors are the
 *    RAID/CRC validation results of operations this channel does not
 *    offer (DMACAPABILITY says COPY and FILL only).
 *  - ATTNSTATUS reads clear it (the kernel's INTx/MSI handler reads it
 *    once per interrupt and never writes it).
 *  - CHANCMD reads 0: every command, RESET included, has completed by the
 *    time the write that issued it returns.
 */
#include "harness/platform/ioat_hw.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"

#include "harness/slab.h"

/* The register file: globals at 0x00, channel 0 at 0x80; the rest of BAR0 is reserved. */
#define IOAT_REGS_SIZE		(2 * IOAT_CHANNEL_MMIO_SIZE)
#define IOAT_CHAN0		IOAT_CHANNEL_MMIO_SIZE
#define IOAT_CHAN(reg)		(IOAT_CHAN0 + (reg))
/* PCI revision of the modelled part. */
#define IOAT_REVISION		0x04
/* Largest transfer one descriptor may ask for: 1 << XFERCAP. */
#define IOAT_MAX_XFER		(1u << IOAT_XFERCAP_4KB)
/* Writable CHANCTRL bits: everything the kernel's headers name. */
#define IOAT_CHANCTRL_WMASK                                                   \
	(IOAT_CHANCTRL_INT_REARM | IOAT_CHANCTRL_ERR_COMPLETION_EN |              \
	 IOAT_CHANCTRL_ANY_ERR_ABORT_EN | IOAT_CHANCTRL_ERR_INT_EN |              \
	 IOAT_CHANCTRL_DESCRIPTOR_ADDR_SNOOP_CONTROL | IOAT_CHANCTRL_CHANNEL_IN_USE | \
	 IOAT3_CHANCTRL_COMPL_DCA_EN | IOAT_CHANCTRL_CHANNEL_PRIORITY_MASK)

struct ioat_dev {
	struct pci_func *f;

	/* Register bytes with their writable and W1C masks, as config space has them. */
	u8 regs[IOAT_REGS_SIZE];
	u8 wmask[IOAT_REGS_SIZE];
	u8 w1cmask[IOAT_REGS_SIZE];

	/* Channel state behind the registers. */
	u8 state;		/* IOAT_CHANSTS_* */
	u16 processed;		/* descriptors done since the chain was loaded */
	u64 next_desc;		/* where the next descriptor is fetched */
	bool chain_loaded;	/* CHAINADDR written since the channel went idle */
	u64 completed_desc;	/* address of the last completed descriptor */

	/* One transfer's bounce buffer: data moves source -> here -> destination. */
	u8 buf[IOAT_MAX_XFER];
};

/* ---- register file ---- */

static u64 reg_get(const struct ioat_dev *d, unsigned int off, unsigned int size)
{
	u64 v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (u64)d->regs[off + i] << (8 * i);
	return v;
}

static void reg_put(struct ioat_dev *d, unsigned int off, u64 val, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		d->regs[off + i] = (u8)(val >> (8 * i));
}

static void reg_init(struct ioat_dev *d, unsigned int off, unsigned int size, u64 val, u64 wmask,
		     u64 w1cmask)
{
	for (unsigned int i = 0; i < size; i++) {
		d->regs[off + i] = (u8)(val >> (8 * i));
		d->wmask[off + i] = (u8)(wmask >> (8 * i));
		d->w1cmask[off + i] = (u8)(w1cmask >> (8 * i));
	}
}

static bool touches(u64 off, unsigned int size, unsigned int reg, unsigned int reg_size)
{
	return off < reg + reg_size && reg < off + size;
}

/* CHANSTS and CDAR are the channel's state, refreshed whenever it changes. */
static void chan_set_state(struct ioat_dev *d, u8 state)
{
	d->state = state;
	reg_put(d, IOAT_CHAN(IOAT_CHANSTS_OFFSET),
		(d->completed_desc & IOAT_CHANSTS_COMPLETED_DESCRIPTOR_ADDR) | state, 8);
}

/* INT_STATUS follows ATTNSTATUS, INT is it gated by MASTER_INT_EN. */
static void intrctrl_update(struct ioat_dev *d)
{
	u8 *intrctrl = &d->regs[IOAT_INTRCTRL_OFFSET];

	*intrctrl &= ~(IOAT_INTRCTRL_INT_STATUS | IOAT_INTRCTRL_INT);
	if (reg_get(d, IOAT_ATTNSTATUS_OFFSET, 4)) {
		*intrctrl |= IOAT_INTRCTRL_INT_STATUS;
		if (*intrctrl & IOAT_INTRCTRL_MASTER_INT_EN)
			*intrctrl |= IOAT_INTRCTRL_INT;
	}
}

static void ioat_regs_reset(struct ioat_dev *d)
{
	memset(d->regs, 0, sizeof(d->regs));
	memset(d->wmask, 0, sizeof(d->wmask));
	memset(d->w1cmask, 0, sizeof(d->w1cmask));

	reg_init(d, IOAT_CHANCNT_OFFSET, 1, 1, 0, 0);
	reg_init(d, IOAT_XFERCAP_OFFSET, 1, IOAT_XFERCAP_4KB, 0, 0);
	reg_init(d, IOAT_GENCTRL_OFFSET, 1, 0, IOAT_GENCTRL_DEBUG_EN, 0);
	reg_init(d, IOAT_INTRCTRL_OFFSET, 1, 0,
		 IOAT_INTRCTRL_MASTER_INT_EN | IOAT_INTRCTRL_MSIX_VECTOR_CONTROL, 0);
	reg_init(d, IOAT_VER_OFFSET, 1, IOAT_VER_3_3, 0, 0);
	/* No interrupt coalescing: the delay field is kept but never waited for. */
	reg_init(d, IOAT_INTRDELAY_OFFSET, 2, 0, IOAT_INTRDELAY_MASK, 0);
	reg_init(d, IOAT_DMA_CAP_OFFSET, 4, IOAT_CAP_FILL_BLOCK, 0, 0);

	reg_init(d, IOAT_CHAN(IOAT_CHANCTRL_OFFSET), 2, 0, IOAT_CHANCTRL_WMASK, 0);
	reg_init(d, IOAT_CHAN(IOAT_DMA_COMP_OFFSET), 2, IOAT_DMA_COMP_V2, 0, 0);
	reg_init(d, IOAT_CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2, 0, 0xffff, 0);
	reg_init(d, IOAT_CHAN(IOAT2_CHAINADDR_OFFSET), 8, 0, ~0ULL, 0);
	reg_init(d, IOAT_CHAN(IOAT_CHANCMP_OFFSET), 8, 0, ~0ULL, 0);
	reg_init(d, IOAT_CHAN(IOAT_CHANERR_OFFSET), 4, 0, 0, IOAT_CHANERR_ALL);
	reg_init(d, IOAT_CHAN(IOAT_CHANERR_MASK_OFFSET), 4, 0, IOAT_CHANERR_ALL, 0);

	d->processed = 0;
	d->next_desc = 0;
	d->chain_loaded = false;
	d->completed_desc = 0;
	/* A channel comes out of power-on halted: nothing to do until a chain is loaded. */
	chan_set_state(d, IOAT_CHANSTS_HALTED);
}

/* ---- interrupts and errors ---- */

static void chan_interrupt(struct ioat_dev *d)
{
	reg_put(d, IOAT_ATTNSTATUS_OFFSET, reg_get(d, IOAT_ATTNSTATUS_OFFSET, 4) | 1, 4);
	intrctrl_update(d);
	/*
	 * With MSIX_VECTOR_CONTROL a channel signals on its own MSI-X vector;
	 * without it the interrupt would go out as MSI or INTx, which this
	 * function does not have: it stays in ATTNSTATUS.
	 */
	if (d->regs[IOAT_INTRCTRL_OFFSET] & IOAT_INTRCTRL_MSIX_VECTOR_CONTROL)
		pci_msix_raise(d->f, 0);
}

/* The completion writeback: CHANSTS as it is now, 8 bytes at CHANCMP. */
static int chan_write_completion(struct ioat_dev *d)
{
	u64 chancmp = reg_get(d, IOAT_CHAN(IOAT_CHANCMP_OFFSET), 8);
	u64 chansts = reg_get(d, IOAT_CHAN(IOAT_CHANSTS_OFFSET), 8);

	/* The writeback area is a 64-byte aligned cache line. */
	if (chancmp & 0x3f)
		return -EINVAL;
	return pci_dma_write(d->f, 0, false, chancmp, &chansts, sizeof(chansts)) ? -EIO : 0;
}

static void chan_error(struct ioat_dev *d, u32 err)
{
	u16 chanctrl = reg_get(d, IOAT_CHAN(IOAT_CHANCTRL_OFFSET), 2);

	chan_set_state(d, IOAT_CHANSTS_HALTED);
	if ((chanctrl & IOAT_CHANCTRL_ERR_COMPLETION_EN) && chan_write_completion(d))
		err |= IOAT_CHANERR_COMPLETION_ADDR_ERR;
	reg_put(d, IOAT_CHAN(IOAT_CHANERR_OFFSET),
		reg_get(d, IOAT_CHAN(IOAT_CHANERR_OFFSET), 4) | err, 4);
	pci_cfg_hw_set(d->f, IOAT_PCI_CHANERR_INT_OFFSET, err, 4);
	if (chanctrl & IOAT_CHANCTRL_ERR_INT_EN)
		chan_interrupt(d);
}

/* ---- descriptors ---- */

/*
 * Moves one descriptor's data. 0, or the CHANERR bit of what went wrong.
 */
static u32 desc_execute(struct ioat_dev *d, const struct ioat_dma_descriptor *desc)
{
	u8 op = desc->ctl >> IOAT_DESC_OP_SHIFT;

	if (desc->ctl & IOAT_DESC_RSVD)
		return IOAT_CHANERR_CONTROL_ERR;
	if (op != IOAT_OP_COPY && op != IOAT_OP_FILL)
		return IOAT_CHANERR_CONTROL_ERR;
	if (desc->size > IOAT_MAX_XFER)
		return IOAT_CHANERR_LENGTH_ERR;
	/* A null descriptor moves nothing: drivers use it to (re)start a channel. */
	if ((desc->ctl & IOAT_DESC_NULL) || !desc->size)
		return 0;
	if (op == IOAT_OP_COPY) {
		if (pci_dma_read(d->f, 0, false, desc->src_addr, d->buf, desc->size))
			return IOAT_CHANERR_READ_DATA_ERR;
	} else {
		/* FILL: the source field is the 8-byte pattern, repeated from the destination up. */
		for (u32 i = 0; i < desc->size; i++)
			d->buf[i] = (u8)(desc->src_addr >> (8 * (i % 8)));
	}
	if (pci_dma_write(d->f, 0, false, desc->dst_addr, d->buf, desc->size))
		return IOAT_CHANERR_WRITE_DATA_ERR;
	return 0;
}

/*
 * Fetches and executes the descriptor at next_desc. false once the
 * channel halted on an error. @first: it came from CHAINADDR rather than
 * another descriptor's `next`, which decides the error bit of a bad fetch.
 */
static bool chan_step(struct ioat_dev *d, bool first)
{
	struct ioat_dma_descriptor desc;
	u64 addr = d->next_desc;
	u16 dmacount;
	u32 err;

	reg_put(d, IOAT_CHAN(IOAT_CDAR_OFFSET), addr, 8);
	if (addr & (IOAT_DESC_SZ - 1)) {
		chan_error(d, first ? IOAT_CHANERR_CHAIN_ADDR_VALUE_ERR
				    : IOAT_CHANERR_NEXT_DESC_ALIGN_ERR);
		return false;
	}
	if (pci_dma_read(d->f, 0, false, addr, &desc, sizeof(desc))) {
		chan_error(d, first ? IOAT_CHANERR_CHAIN_ADDR_VALUE_ERR : IOAT_CHANERR_NEXT_ADDR_ERR);
		return false;
	}
	err = desc_execute(d, &desc);
	if (err) {
		chan_error(d, err);
		return false;
	}

	d->processed++;
	d->completed_desc = addr;
	d->next_desc = desc.next;
	dmacount = reg_get(d, IOAT_CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2);
	chan_set_state(d, d->processed == dmacount ? IOAT_CHANSTS_DONE : IOAT_CHANSTS_ACTIVE);

	if ((desc.ctl & IOAT_DESC_COMPL_WRITE) && chan_write_completion(d)) {
		chan_error(d, IOAT_CHANERR_COMPLETION_ADDR_ERR);
		return false;
	}
	if (desc.ctl & IOAT_DESC_INT_EN) {
		u16 chanctrl = reg_get(d, IOAT_CHAN(IOAT_CHANCTRL_OFFSET), 2);

		/* One interrupt per arming: software sets INT_REARM again when it has handled it. */
		if (chanctrl & IOAT_CHANCTRL_INT_REARM) {
			reg_put(d, IOAT_CHAN(IOAT_CHANCTRL_OFFSET),
				chanctrl & ~IOAT_CHANCTRL_INT_REARM, 2);
			chan_interrupt(d);
		}
	}
	return true;
}

/* Runs descriptors while the processed count lags DMACOUNT (at most 65535 of them). */
static void chan_run(struct ioat_dev *d)
{
	bool first = false;

	if (reg_get(d, IOAT_CHAN(IOAT_CHANERR_OFFSET), 4))
		return;
	if (d->processed == reg_get(d, IOAT_CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2))
		return;
	if (d->chain_loaded) {
		d->next_desc = reg_get(d, IOAT_CHAN(IOAT2_CHAINADDR_OFFSET), 8);
		d->chain_loaded = false;
		first = true;
	} else if (d->state != IOAT_CHANSTS_DONE) {
		/* Halted or suspended with no new chain: it waits for CHAINADDR or RESUME. */
		return;
	}
	chan_set_state(d, IOAT_CHANSTS_ACTIVE);
	while (d->processed != (u16)reg_get(d, IOAT_CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2)) {
		if (!chan_step(d, first))
			return;
		first = false;
	}
}

/* The channel is idle (never mid-descriptor here): reloading CHAINADDR starts a new chain. */
static void chan_load_chain(struct ioat_dev *d)
{
	d->chain_loaded = true;
	d->processed = 0;
	reg_put(d, IOAT_CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 0, 2);
}

static void chan_reset(struct ioat_dev *d)
{
	/*
	 * What software programmed (CHANCTRL, CHAINADDR, CHANCMP) stays, and
	 * so do the error logs, which software clears itself before a reset.
	 */
	d->processed = 0;
	d->next_desc = 0;
	d->chain_loaded = false;
	d->completed_desc = 0;
	reg_put(d, IOAT_CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 0, 2);
	reg_put(d, IOAT_CHAN(IOAT_CDAR_OFFSET), 0, 8);
	chan_set_state(d, IOAT_CHANSTS_HALTED);
}

static void chan_command(struct ioat_dev *d, u8 cmd)
{
	/* Reset wins over whatever else is set with it. */
	if (cmd & IOAT_CHANCMD_RESET) {
		chan_reset(d);
		return;
	}
	switch (cmd) {
	case 0:
		return;
	case IOAT_CHANCMD_SUSPEND:
		if (d->state != IOAT_CHANSTS_HALTED)
			chan_set_state(d, IOAT_CHANSTS_SUSPENDED);
		return;
	case IOAT_CHANCMD_RESUME:
		if (d->state == IOAT_CHANSTS_SUSPENDED) {
			chan_set_state(d, IOAT_CHANSTS_DONE);
			chan_run(d);
		}
		return;
	case IOAT_CHANCMD_ABORT:
		/* Descriptors not yet fetched are dropped; a new chain is needed to go on. */
		d->chain_loaded = false;
		chan_set_state(d, IOAT_CHANSTS_HALTED);
		return;
	}
	/* START and APPEND are version 1 commands; two commands at once are no command. */
	chan_error(d, IOAT_CHANERR_CHANCMD_ERR);
}

/* ---- BAR0 ---- */

static u64 ioat_bar0_read(void *priv, u64 off, unsigned int size)
{
	struct ioat_dev *d = (struct ioat_dev *)priv;
	u64 v;

	if (off + size > IOAT_REGS_SIZE)
		return 0;
	v = reg_get(d, off, size);
	if (touches(off, size, IOAT_ATTNSTATUS_OFFSET, 4)) {
		reg_put(d, IOAT_ATTNSTATUS_OFFSET, 0, 4);
		intrctrl_update(d);
	}
	return v;
}

static void ioat_bar0_write(void *priv, u64 off, u64 val, unsigned int size)
{
	struct ioat_dev *d = (struct ioat_dev *)priv;

	/* Reserved space: writes have no effect. */
	if (off + size > IOAT_REGS_SIZE)
		return;
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;
		u8 b = val >> (8 * i);

		d->regs[o] = ((d->regs[o] & ~d->wmask[o]) | (b & d->wmask[o])) & ~(b & d->w1cmask[o]);
	}
	if (touches(off, size, IOAT_INTRCTRL_OFFSET, 1))
		intrctrl_update(d);
	if (touches(off, size, IOAT_CHAN(IOAT2_CHAINADDR_OFFSET), 8))
		chan_load_chain(d);
	if (touches(off, size, IOAT_CHAN(IOAT2_CHANCMD_OFFSET), 1))
		chan_command(d, val >> (8 * (IOAT_CHAN(IOAT2_CHANCMD_OFFSET) - off)));
	if (touches(off, size, IOAT_CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2))
		chan_run(d);
}

static const struct mmio_ops ioat_bar0_ops = {
	.read = ioat_bar0_read,
	.write = ioat_bar0_write,
};

/* ---- the function ---- */

static void ioat_reset(struct pci_func *f)
{
	ioat_regs_reset((struct ioat_dev *)f->priv);
}

static const struct pci_func_ops ioat_func_ops = {
	.reset = ioat_reset,
	.destroy = pci_func_kfree_priv,
};

static int ioat_create(struct pci_func *f, const struct platform_device_desc *desc)
{
	struct ioat_dev *d;

	/* CBDMA has no PASID, ATS or PRI: a description asking for them is wrong. */
	if (desc->pasid_bits || desc->ats || desc->pri)
		return -EINVAL;
	d = (struct ioat_dev *)kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	/* From here on a failure is undone by the caller's pci_func_free(), through ->destroy. */
	d->f = f;
	f->priv = d;
	f->ops = &ioat_func_ops;
	ioat_regs_reset(d);

	pci_func_set_class(f, IOAT_PCI_CLASS, IOAT_REVISION);
	if (pci_func_set_bar(f, IOAT_MMIO_BAR, IOAT_MMIO_BAR_SIZE, PCI_BASE_ADDRESS_MEM_TYPE_64, true,
			     &ioat_bar0_ops, d) ||
	    !pci_cap_add_pcie(f, PCI_EXP_TYPE_RC_END, true) ||
	    !pci_cap_add_msix(f, 1, IOAT_MMIO_BAR, IOAT_MSIX_TABLE_OFFSET, IOAT_MSIX_PBA_OFFSET))
		return -ENOSPC;

	/* The error logs in extended config space, outside any capability: W1C, reset 0. */
	memset(&f->w1cmask[IOAT_PCI_DMAUNCERRSTS_OFFSET], 0xff, 4);
	memset(&f->w1cmask[IOAT_PCI_CHANERR_INT_OFFSET], 0xff, 4);
	memset(&f->wmask[IOAT_PCI_CHANERRMASK_INT_OFFSET], 0xff, 4);
	return 0;
}

extern const struct platform_device_kind ioat_device_kind;
const struct platform_device_kind ioat_device_kind = {
	.name = "ioat",
	.summary = "Intel I/OAT v3.3 (CBDMA) channel, 8086:2021: descriptor-chain memcpy/fill DMA",
	.vendor = PCI_VENDOR_ID_INTEL,
	.device = PCI_DEVICE_ID_INTEL_IOAT_SKX,
	.create = ioat_create,
};
PLATFORM_DEVICE_KIND(ioat_device_kind);
