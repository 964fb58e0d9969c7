/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel I/OAT (Crystal Beach DMA, "CBDMA") version 3.3 as the Skylake-SP
 * uncore has it: one channel per PCI function, registers in BAR0, 64-byte
 * descriptors chained in memory. Register names and values are the ones
 * the kernel's drivers/dma/ioat/registers.h and hw.h use for the same
 * hardware, so the model and the kernel's drivers grep alike.
 *
 * BAR0 (16 KiB): global registers at 0x00, channel 0 at 0x80, the MSI-X
 * table at 0x2000 and its PBA at 0x3000 (as the real part lays it out).
 */
#pragma once

#include "harness/compiler.h"

#define PCI_VENDOR_ID_INTEL		0x8086
#define PCI_DEVICE_ID_INTEL_IOAT_SKX	0x2021
/* Class 08h/80h: "other system peripheral", what CBDMA functions report. */
#define IOAT_PCI_CLASS			0x088000

#define IOAT_MMIO_BAR			0
#define IOAT_MMIO_BAR_SIZE		0x4000
#define IOAT_MSIX_TABLE_OFFSET		0x2000
#define IOAT_MSIX_PBA_OFFSET		0x3000

/* Vendor-specific config registers in extended config space (W1C logs). */
#define IOAT_PCI_DMAUNCERRSTS_OFFSET	0x148
#define IOAT_PCI_CHANERR_INT_OFFSET	0x180
#define IOAT_PCI_CHANERRMASK_INT_OFFSET	0x184

/* ---- Global registers ---- */
#define IOAT_CHANCNT_OFFSET		0x00	/* 8 bits: channels in this function */
#define IOAT_XFERCAP_OFFSET		0x01	/* 8 bits: log2 of the largest transfer */
#define  IOAT_XFERCAP_4KB		12
#define IOAT_GENCTRL_OFFSET		0x02	/* 8 bits */
#define  IOAT_GENCTRL_DEBUG_EN		0x01
#define IOAT_INTRCTRL_OFFSET		0x03	/* 8 bits */
#define  IOAT_INTRCTRL_MASTER_INT_EN	0x01
#define  IOAT_INTRCTRL_INT_STATUS	0x02	/* some ATTNSTATUS bit is set */
#define  IOAT_INTRCTRL_INT		0x04	/* INT_STATUS and MASTER_INT_EN */
#define  IOAT_INTRCTRL_MSIX_VECTOR_CONTROL 0x08	/* channel interrupts on their MSI-X vectors */
#define IOAT_ATTNSTATUS_OFFSET		0x04	/* 32 bits: one bit per channel */
#define IOAT_VER_OFFSET			0x08	/* 8 bits: major << 4 | minor */
#define  IOAT_VER_3_3			0x33
#define IOAT_PERPORTOFFSET_OFFSET	0x0a	/* 16 bits */
#define IOAT_INTRDELAY_OFFSET		0x0c	/* 16 bits */
#define  IOAT_INTRDELAY_MASK		0x3fff
#define  IOAT_INTRDELAY_COALESE_SUPPORT	0x8000
#define IOAT_DEVICE_STATUS_OFFSET	0x0e	/* 16 bits: "CS_STATUS" */
#define IOAT_DMA_CAP_OFFSET		0x10	/* 32 bits */
#define  IOAT_CAP_PAGE_BREAK		0x00000001
#define  IOAT_CAP_CRC			0x00000002
#define  IOAT_CAP_DCA			0x00000010
#define  IOAT_CAP_FILL_BLOCK		0x00000040
#define  IOAT_CAP_XOR			0x00000100
#define  IOAT_CAP_PQ			0x00000200
#define IOAT_DCAOFFSET_OFFSET		0x14	/* 16 bits: 0, no DCA registers */

/* ---- Channel registers, relative to the channel's base ---- */
#define IOAT_CHANNEL_MMIO_SIZE		0x80	/* channel n at (n + 1) * 0x80 */
#define IOAT_CHANCTRL_OFFSET		0x00	/* 16 bits */
#define  IOAT_CHANCTRL_INT_REARM	0x0001	/* one completion interrupt, then cleared */
#define  IOAT_CHANCTRL_ERR_COMPLETION_EN 0x0004	/* write CHANSTS to CHANCMP on error */
#define  IOAT_CHANCTRL_ANY_ERR_ABORT_EN	0x0008
#define  IOAT_CHANCTRL_ERR_INT_EN	0x0010
#define  IOAT_CHANCTRL_DESCRIPTOR_ADDR_SNOOP_CONTROL 0x0020
#define  IOAT_CHANCTRL_CHANNEL_IN_USE	0x0100
#define  IOAT3_CHANCTRL_COMPL_DCA_EN	0x0200
#define  IOAT_CHANCTRL_CHANNEL_PRIORITY_MASK 0xf000
#define IOAT_DMA_COMP_OFFSET		0x02	/* 16 bits */
#define  IOAT_DMA_COMP_V2		0x0002
#define IOAT2_CHANCMD_OFFSET		0x04	/* 8 bits */
#define  IOAT_CHANCMD_START		0x01	/* version 1 only */
#define  IOAT_CHANCMD_APPEND		0x02	/* version 1 only */
#define  IOAT_CHANCMD_SUSPEND		0x04
#define  IOAT_CHANCMD_ABORT		0x08
#define  IOAT_CHANCMD_RESUME		0x10
#define  IOAT_CHANCMD_RESET		0x20
#define IOAT_CHAN_DMACOUNT_OFFSET	0x06	/* 16 bits: descriptors issued, wraps */
#define IOAT_CHANSTS_OFFSET		0x08	/* 64 bits */
#define  IOAT_CHANSTS_COMPLETED_DESCRIPTOR_ADDR (~0x3fULL)
#define  IOAT_CHANSTS_STATUS		0x7ULL
#define  IOAT_CHANSTS_ACTIVE		0x0
#define  IOAT_CHANSTS_DONE		0x1
#define  IOAT_CHANSTS_SUSPENDED		0x2
#define  IOAT_CHANSTS_HALTED		0x3
#define IOAT2_CHAINADDR_OFFSET		0x10	/* 64 bits: first descriptor of a chain */
#define IOAT_CHANCMP_OFFSET		0x18	/* 64 bits: completion writeback address */
#define IOAT_CDAR_OFFSET		0x20	/* 64 bits: current descriptor address */
#define IOAT_CHANERR_OFFSET		0x28	/* 32 bits, W1C */
#define  IOAT_CHANERR_SRC_ADDR_ERR	0x0001
#define  IOAT_CHANERR_DEST_ADDR_ERR	0x0002
#define  IOAT_CHANERR_NEXT_ADDR_ERR	0x0004
#define  IOAT_CHANERR_NEXT_DESC_ALIGN_ERR 0x0008
#define  IOAT_CHANERR_CHAIN_ADDR_VALUE_ERR 0x0010
#define  IOAT_CHANERR_CHANCMD_ERR	0x0020
#define  IOAT_CHANERR_READ_DATA_ERR	0x0100
#define  IOAT_CHANERR_WRITE_DATA_ERR	0x0200
#define  IOAT_CHANERR_CONTROL_ERR	0x0400
#define  IOAT_CHANERR_LENGTH_ERR	0x0800
#define  IOAT_CHANERR_COMPLETION_ADDR_ERR 0x1000
#define  IOAT_CHANERR_INT_CONFIGURATION_ERR 0x2000
#define  IOAT_CHANERR_DESCRIPTOR_COUNT_ERR 0x40000
#define  IOAT_CHANERR_ALL		0x7ffff	/* bits 18:0 are defined */
#define IOAT_CHANERR_MASK_OFFSET	0x2c	/* 32 bits */

/* ---- Descriptors: 64 bytes, 64-byte aligned, little-endian ---- */
#define IOAT_DESC_SZ			64

struct ioat_dma_descriptor {
	u32 size;
	u32 ctl;
	u64 src_addr;		/* COPY: source; FILL: the 8-byte pattern */
	u64 dst_addr;
	u64 next;
	u64 rsv1;
	u64 rsv2;
	u64 user1;		/* ignored by hardware: software keeps its own data here */
	u64 user2;
};
static_assert(sizeof(struct ioat_dma_descriptor) == IOAT_DESC_SZ);

/* ctl, bit by bit (hw.h's ctl_f bitfield of the COPY descriptor). */
#define IOAT_DESC_INT_EN		0x00000001
#define IOAT_DESC_SRC_SNOOP_DIS		0x00000002
#define IOAT_DESC_DEST_SNOOP_DIS	0x00000004
#define IOAT_DESC_COMPL_WRITE		0x00000008
#define IOAT_DESC_FENCE			0x00000010
#define IOAT_DESC_NULL			0x00000020	/* no data moved */
#define IOAT_DESC_SRC_BRK		0x00000040
#define IOAT_DESC_DEST_BRK		0x00000080
#define IOAT_DESC_BUNDLE		0x00000100
#define IOAT_DESC_DEST_DCA		0x00000200
#define IOAT_DESC_HINT			0x00000400
#define IOAT_DESC_RSVD			0x00fff800	/* bits 23:11 */
#define IOAT_DESC_OP_SHIFT		24
#define IOAT_OP_COPY			0x00
#define IOAT_OP_FILL			0x01
