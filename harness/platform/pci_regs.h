/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration space, as the PCI Local Bus and PCI Express Base
 * specifications lay it out: the type 0 header, the standard capabilities
 * the function models use (PCI Express, MSI, MSI-X) and the extended ones
 * (PASID, ATS, PRI). Names are the ones the kernel's <linux/pci_regs.h>
 * uses for the same fields, so code here greps like the kernel; only what
 * the models need is listed.
 *
 * Offsets inside a capability are relative to the capability's header.
 */
#pragma once

#define PCI_DEVFN(slot, func)	((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn)		(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)		((devfn) & 0x07)

/* ---- Type 0 header ---- */
#define PCI_VENDOR_ID		0x00	/* 16 bits */
#define PCI_DEVICE_ID		0x02	/* 16 bits */
#define PCI_COMMAND		0x04	/* 16 bits */
#define  PCI_COMMAND_IO		0x0001	/* I/O space decode */
#define  PCI_COMMAND_MEMORY	0x0002	/* memory space decode */
#define  PCI_COMMAND_MASTER	0x0004	/* bus mastering */
#define  PCI_COMMAND_PARITY	0x0040	/* parity error response */
#define  PCI_COMMAND_SERR	0x0100	/* SERR# enable */
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06	/* 16 bits */
#define  PCI_STATUS_INTERRUPT	0x0008	/* INTx asserted */
#define  PCI_STATUS_CAP_LIST	0x0010	/* capabilities pointer valid */
#define  PCI_STATUS_PARITY	0x0100	/* master data parity error */
#define  PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define  PCI_STATUS_REC_TARGET_ABORT 0x1000	/* requester got a Completer Abort */
#define  PCI_STATUS_REC_MASTER_ABORT 0x2000	/* requester got an Unsupported Request */
#define  PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define  PCI_STATUS_DETECTED_PARITY 0x8000
#define  PCI_STATUS_ERROR_BITS	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
				 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT | \
				 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)
#define PCI_CLASS_REVISION	0x08	/* revision in the low byte, class above */
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define  PCI_HEADER_TYPE_NORMAL	0x00
#define  PCI_HEADER_TYPE_MFD	0x80
#define PCI_BIST		0x0f
#define PCI_BASE_ADDRESS_0	0x10	/* six 32-bit registers to 0x27 */
#define  PCI_BASE_ADDRESS_SPACE_IO 0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_64 0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define  PCI_BASE_ADDRESS_MEM_MASK (~0x0fU)
#define  PCI_BASE_ADDRESS_IO_MASK (~0x03U)
#define PCI_CARDBUS_CIS		0x28
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_MIN_GNT		0x3e
#define PCI_MAX_LAT		0x3f
#define PCI_STD_HEADER_SIZEOF	0x40

/* ---- Standard capabilities: ID at +0, next pointer at +1 ---- */
#define PCI_CAP_LIST_ID		0
#define PCI_CAP_LIST_NEXT	1
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_EXP		0x10
#define PCI_CAP_ID_MSIX		0x11

/* MSI */
#define PCI_MSI_FLAGS		0x02	/* 16 bits */
#define  PCI_MSI_FLAGS_ENABLE	0x0001
#define  PCI_MSI_FLAGS_QMASK	0x000e	/* Multiple Message Capable, log2 */
#define  PCI_MSI_FLAGS_QSIZE	0x0070	/* Multiple Message Enable, log2 */
#define  PCI_MSI_FLAGS_64BIT	0x0080
#define  PCI_MSI_FLAGS_MASKBIT	0x0100	/* per-vector masking */
#define PCI_MSI_ADDRESS_LO	0x04
#define PCI_MSI_ADDRESS_HI	0x08	/* 64-bit only */
#define PCI_MSI_DATA_32		0x08
#define PCI_MSI_MASK_32		0x0c
#define PCI_MSI_PENDING_32	0x10
#define PCI_MSI_DATA_64		0x0c
#define PCI_MSI_MASK_64		0x10
#define PCI_MSI_PENDING_64	0x14

/* MSI-X */
#define PCI_MSIX_FLAGS		0x02	/* 16 bits */
#define  PCI_MSIX_FLAGS_QSIZE	0x07ff	/* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		0x04	/* offset | BIR */
#define PCI_MSIX_PBA		0x08	/* offset | BIR */
#define  PCI_MSIX_TABLE_BIR	0x00000007
#define  PCI_MSIX_TABLE_OFFSET	0xfffffff8
#define PCI_CAP_MSIX_SIZEOF	12
/* One table entry */
#define PCI_MSIX_ENTRY_SIZE	16
#define PCI_MSIX_ENTRY_LOWER_ADDR 0x0
#define PCI_MSIX_ENTRY_UPPER_ADDR 0x4
#define PCI_MSIX_ENTRY_DATA	0x8
#define PCI_MSIX_ENTRY_VECTOR_CTRL 0xc
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT 0x00000001
#define PCI_MSIX_MAX_VECTORS	2048

/* PCI Express */
#define PCI_EXP_FLAGS		0x02	/* 16 bits: version, device/port type */
#define  PCI_EXP_FLAGS_VERS	0x000f
#define  PCI_EXP_FLAGS_TYPE	0x00f0
#define  PCI_EXP_TYPE_ENDPOINT	0x0
#define  PCI_EXP_TYPE_LEG_END	0x1
#define  PCI_EXP_TYPE_RC_END	0x9	/* root complex integrated endpoint */
#define PCI_EXP_DEVCAP		0x04
#define  PCI_EXP_DEVCAP_PAYLOAD	0x00000007
#define  PCI_EXP_DEVCAP_EXT_TAG	0x00000020
#define  PCI_EXP_DEVCAP_RBER	0x00008000	/* role-based error reporting */
#define  PCI_EXP_DEVCAP_FLR	0x10000000
#define PCI_EXP_DEVCTL		0x08	/* 16 bits */
#define  PCI_EXP_DEVCTL_CERE	0x0001
#define  PCI_EXP_DEVCTL_NFERE	0x0002
#define  PCI_EXP_DEVCTL_FERE	0x0004
#define  PCI_EXP_DEVCTL_URRE	0x0008
#define  PCI_EXP_DEVCTL_RELAX_EN 0x0010
#define  PCI_EXP_DEVCTL_PAYLOAD	0x00e0
#define  PCI_EXP_DEVCTL_EXT_TAG	0x0100
#define  PCI_EXP_DEVCTL_NOSNOOP_EN 0x0800
#define  PCI_EXP_DEVCTL_READRQ	0x7000
#define  PCI_EXP_DEVCTL_READRQ_512B 0x2000
#define  PCI_EXP_DEVCTL_BCR_FLR	0x8000	/* initiate function-level reset */
#define PCI_EXP_DEVSTA		0x0a	/* 16 bits */
#define  PCI_EXP_DEVSTA_CED	0x0001	/* correctable error detected */
#define  PCI_EXP_DEVSTA_NFED	0x0002	/* non-fatal error detected */
#define  PCI_EXP_DEVSTA_FED	0x0004	/* fatal error detected */
#define  PCI_EXP_DEVSTA_URD	0x0008	/* unsupported request detected */
#define  PCI_EXP_DEVSTA_TRPND	0x0020	/* transactions pending */
#define PCI_EXP_LNKCAP		0x0c
#define  PCI_EXP_LNKCAP_SLS_2_5GB 0x00000001
#define  PCI_EXP_LNKCAP_MLW_X1	0x00000010
#define PCI_EXP_LNKCTL		0x10	/* 16 bits */
#define  PCI_EXP_LNKCTL_ASPMC	0x0003
#define  PCI_EXP_LNKCTL_RCB	0x0008
#define  PCI_EXP_LNKCTL_CCC	0x0040
#define  PCI_EXP_LNKCTL_ES	0x0080
#define PCI_EXP_LNKSTA		0x12	/* 16 bits */
#define  PCI_EXP_LNKSTA_CLS_2_5GB 0x0001
#define  PCI_EXP_LNKSTA_NLW_X1	0x0010
#define PCI_EXP_DEVCAP2		0x24
#define  PCI_EXP_DEVCAP2_EE_PREFIX 0x00200000	/* end-end TLP prefix (PASID) */
#define PCI_EXP_DEVCTL2		0x28
#define PCI_CAP_EXP_ENDPOINT_SIZEOF_V2 0x3c

/* ---- Extended capabilities: header at +0 (ID 15:0, version 19:16, next 31:20) ---- */
#define PCI_CFG_EXT_CAP_START	0x100
#define PCI_EXT_CAP_ID(header)	((header) & 0x0000ffff)
#define PCI_EXT_CAP_VER(header)	(((header) >> 16) & 0xf)
#define PCI_EXT_CAP_NEXT(header) (((header) >> 20) & 0xffc)
#define PCI_EXT_CAP_HEADER(id, ver, next) ((u32)(id) | (u32)(ver) << 16 | (u32)(next) << 20)
#define PCI_EXT_CAP_ID_ATS	0x0f
#define PCI_EXT_CAP_ID_PRI	0x13
#define PCI_EXT_CAP_ID_PASID	0x1b

/* ATS */
#define PCI_ATS_CAP		0x04	/* 16 bits */
#define  PCI_ATS_CAP_QDEP(x)	((x) & 0x1f)	/* invalidate queue depth, 0: 32 */
#define  PCI_ATS_CAP_PAGE_ALIGNED 0x0020
#define PCI_ATS_CTRL		0x06	/* 16 bits */
#define  PCI_ATS_CTRL_ENABLE	0x8000
#define  PCI_ATS_CTRL_STU(x)	((x) & 0x1f)
#define PCI_EXT_CAP_ATS_SIZEOF	8

/* PRI */
#define PCI_PRI_CTRL		0x04	/* 16 bits */
#define  PCI_PRI_CTRL_ENABLE	0x0001
#define  PCI_PRI_CTRL_RESET	0x0002
#define PCI_PRI_STATUS		0x06	/* 16 bits */
#define  PCI_PRI_STATUS_RF	0x0001	/* response failure */
#define  PCI_PRI_STATUS_UPRGI	0x0002	/* unexpected page request group index */
#define  PCI_PRI_STATUS_STOPPED	0x0100
#define  PCI_PRI_STATUS_PASID	0x8000	/* PRG response needs a PASID */
#define PCI_PRI_MAX_REQ		0x08	/* 32 bits: outstanding request capacity */
#define PCI_PRI_ALLOC_REQ	0x0c	/* 32 bits: outstanding request allocation */
#define PCI_EXT_CAP_PRI_SIZEOF	16

/* PASID */
#define PCI_PASID_CAP		0x04	/* 16 bits */
#define  PCI_PASID_CAP_EXEC	0x0002
#define  PCI_PASID_CAP_PRIV	0x0004
#define  PCI_PASID_CAP_WIDTH	0x1f00
#define PCI_PASID_CTRL		0x06	/* 16 bits */
#define  PCI_PASID_CTRL_ENABLE	0x0001
#define  PCI_PASID_CTRL_EXEC	0x0002
#define  PCI_PASID_CTRL_PRIV	0x0004
#define PCI_EXT_CAP_PASID_SIZEOF 8
#define PCI_PASID_MAX_WIDTH	20
