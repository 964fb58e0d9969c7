/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The programming interface of QEMU's educational PCI device ("edu",
 * 1234:11e8; QEMU's docs/specs/edu.rst), as dev_edu.cc models it, and the
 * registers this model adds to it (marked "extension": QEMU's device has
 * no such register, its offsets are reserved there and read as all-ones).
 *
 * BAR0 is 1 MiB of memory space. Offsets below 0x80 take 4-byte accesses
 * only; 0x80 and up take 4 or 8 bytes (a 4-byte access at the high half
 * of a 64-bit register reaches that half: extension). Any other access
 * size reads all-ones and writes nothing.
 */
#pragma once

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8
#define EDU_CLASS		0xff0000	/* PCI_CLASS_OTHERS */
#define EDU_REVISION		0x10
#define EDU_BAR			0
#define EDU_BAR_SIZE		0x100000

#define EDU_ID			0x00	/* RO: 0xRRrr00ed, major RR, minor rr */
#define  EDU_ID_VALUE		0x010000ed
#define EDU_LIVENESS		0x04	/* RW: reads back the inverse of what was written */
#define EDU_FACTORIAL		0x08	/* RW: a value written is replaced by its factorial (mod 2^32) */
#define EDU_STATUS		0x20	/* RW */
#define  EDU_STATUS_COMPUTING	0x01	/* RO: factorial in progress */
#define  EDU_STATUS_IRQFACT	0x80	/* raise EDU_IRQ_FACT when a factorial is done */
#define EDU_IRQ_STATUS		0x24	/* RO: what raised the interrupt */
#define EDU_IRQ_RAISE		0x60	/* WO: ORed into IRQ_STATUS, raises the interrupt */
#define EDU_IRQ_ACK		0x64	/* WO: cleared from IRQ_STATUS */
#define  EDU_IRQ_FACT		0x00000001
#define  EDU_IRQ_DMA		0x00000100

#define EDU_DMA_SRC		0x80	/* RW 64: source address */
#define EDU_DMA_DST		0x88	/* RW 64: destination address */
#define EDU_DMA_CNT		0x90	/* RW 64: byte count */
#define EDU_DMA_CMD		0x98	/* RW 64 */
#define  EDU_DMA_CMD_START	0x01	/* start; reads 1 until the transfer has ended */
#define  EDU_DMA_CMD_TO_RAM	0x02	/* 0: RAM to the buffer, 1: the buffer to RAM */
#define  EDU_DMA_CMD_IRQ	0x04	/* raise EDU_IRQ_DMA when it ends */

/*
 * Extension: how the last transfer ended. Cleared when a transfer starts.
 * QEMU's device aborts the whole machine on a bad range and has no IOMMU
 * fault to report; this one records the failure here instead.
 */
#define EDU_DMA_STATUS		0xa0	/* RO */
#define  EDU_DMA_STS_ERROR	0x01	/* the transfer failed; the bits below say why */
#define  EDU_DMA_STS_PAGE_REQ	0x02	/* a page request for it is outstanding (START stays 1) */
#define  EDU_DMA_STS_RANGE	0x04	/* the buffer side or the count is outside the buffer */
#define  EDU_DMA_STS_FAULT	0x08	/* the IOMMU or the bus refused an access */
#define  EDU_DMA_STS_PRG_FAIL	0x10	/* the page request was answered Invalid or Failure */
#define  EDU_DMA_STS_PASID	0x20	/* PASID_VALID without a PASID capability or past its width */
#define EDU_DMA_FAULT_ADDR	0xa8	/* RO 64, extension: the refused address */
#define EDU_DMA_PASID		0xb0	/* RW 32, extension: PASID of the transfers started */
#define  EDU_DMA_PASID_MASK	0x000fffff
#define  EDU_DMA_PASID_VALID	0x80000000

/* The device's buffer: the device-side end of every transfer. */
#define EDU_BUF_OFF		0x40000
#define EDU_BUF_SIZE		0x1000

/*
 * Extension: MSI-X, 2 vectors, table and PBA in BAR0. Vector 0 carries
 * EDU_IRQ_RAISE and factorial interrupts, vector 1 the end of a transfer.
 * With MSI (one vector, as QEMU's) everything goes to vector 0.
 */
#define EDU_MSIX_VECTORS	2
#define EDU_MSIX_VEC_DMA	1
#define EDU_MSIX_TABLE		0x80000
#define EDU_MSIX_PBA		0x81000
