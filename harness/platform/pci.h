/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI functions: the device side of the machine.
 *
 * A struct pci_func is one PCI function as the hardware has it: a 4 KiB
 * configuration space (type 0 header, the standard capability list from
 * 0x34 and the extended list from 0x100), up to six BARs whose registers a
 * device kind models, MSI and MSI-X, function-level reset. What it is not:
 * the kernel's struct pci_dev, nor vfio-pci's virtualised view of it
 * (drivers/vfio does that on top, as the kernel does on top of hardware).
 *
 * Config space bytes carry three masks, as the hardware's registers do:
 * writable bits (wmask), write-1-to-clear bits (w1cmask) and the rest
 * read-only. Reset values are what the builder wrote before
 * pci_func_finalize(); FLR restores them and calls the kind's reset.
 *
 * A device does DMA only through pci_dma_read()/pci_dma_write(): they go
 * through @dma, the port the platform connects to the function's IOMMU, and
 * a refused DMA comes back as an error the device must treat as its
 * hardware would (an Unsupported Request / Completer Abort completion).
 * Interrupts leave through pci_msix_raise()/pci_msi_raise(), which honour
 * the enable and mask bits and hand deliverable ones to @irq (vfio-pci
 * connects that to the user's eventfds).
 *
 * Locking: @lock serialises register accesses of one function (config and
 * BARs) and the DMA and interrupts a register access triggers; models run
 * synchronously inside the access that started them.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/io.h"

#include <mutex>

#define PCI_CFG_SPACE_SIZE	256
#define PCI_CFG_SPACE_EXP_SIZE	4096
#define PCI_NUM_BARS		6

struct pci_func;

/* How a DMA was refused, as the requester sees the completion. */
enum pci_dma_status {
	PCI_DMA_OK = 0,
	PCI_DMA_UR = -1,	/* Unsupported Request: translation fault, no mapping */
	PCI_DMA_CA = -2,	/* Completer Abort: permission fault, bad address */
};

/*
 * Where a function's DMA goes. The platform sets one per function: the
 * IOMMU the function sits behind. @translate gives the physical address
 * of @iova and how many bytes from it are contiguous, or a pci_dma_status;
 * it reports the fault through the IOMMU's own channels itself.
 */
struct pci_dma_port {
	int (*translate)(struct pci_dma_port *port, struct pci_func *f, u32 pasid, bool has_pasid,
			 u64 iova, bool write, phys_addr_t *pa, u64 *contig);
	void *priv;
};

/* Interrupt types, as VFIO numbers them (VFIO_PCI_MSI_IRQ_INDEX...). */
enum pci_irq_type { PCI_IRQ_INTX = 0, PCI_IRQ_MSI = 1, PCI_IRQ_MSIX = 2 };

struct pci_bar {
	u64 size;		/* power of two, 0: no BAR */
	u32 flags;		/* PCI_BASE_ADDRESS_* low bits: mem/io, 64-bit, prefetch */
	bool mmap;		/* the user may mmap it (vfio: REGION_INFO_FLAG_MMAP) */
	/* The registers; offsets are relative to the BAR. NULL: reads 0, writes dropped. */
	const struct mmio_ops *ops;
	void *priv;
};

/* What a device kind does beyond the generic function. */
struct pci_func_ops {
	/* Function-level reset: back to power-on state (config is restored first). */
	void (*reset)(struct pci_func *f);
	/* The function goes away: free @priv. */
	void (*destroy)(struct pci_func *f);
};

/* A ->destroy for a kind whose @priv is one kmalloc'ed block. */
void pci_func_kfree_priv(struct pci_func *f);

struct pci_func {
	u16 segment;
	u8 bus;
	u8 devfn;		/* PCI_DEVFN(slot, func) */

	u8 config[PCI_CFG_SPACE_EXP_SIZE];
	u8 wmask[PCI_CFG_SPACE_EXP_SIZE];
	u8 w1cmask[PCI_CFG_SPACE_EXP_SIZE];
	u8 reset_config[PCI_CFG_SPACE_EXP_SIZE];

	struct pci_bar bars[PCI_NUM_BARS];

	/* Capability offsets, 0 if absent (set by the pci_cap_add_* builders). */
	u16 pcie_cap, msi_cap, msix_cap;
	u16 pasid_ecap, ats_ecap, pri_ecap;

	/* MSI-X: table and PBA location, and the table's contents (16 bytes/entry). */
	u16 msix_nr;
	u8 msix_bar;
	u32 msix_table_off, msix_pba_off;
	u8 *msix_table;
	unsigned long *msix_pba;

	u16 msi_nr;		/* vectors the MSI capability offers (1, 2, 4...) */

	struct pci_dma_port *dma;
	/* Deliverable interrupts; set by whoever owns the function (vfio-pci). */
	void (*irq)(struct pci_func *f, enum pci_irq_type type, unsigned int vector);
	void *irq_data;

	const struct pci_func_ops *ops;
	void *priv;

	/*
	 * BAR accesses the function did not claim (decode off, past the BAR,
	 * misaligned, bad size): read as all-ones, writes dropped, counted.
	 */
	unsigned long nr_master_aborts;

	std::recursive_mutex lock;
};

/* A function with an empty type 0 header (vendor/device/class set), no BARs. */
struct pci_func *pci_func_alloc(u16 segment, u8 bus, u8 devfn, u16 vendor, u16 device,
				u32 class_code, u8 revision);
/* Records the reset image of config space; call once the builders are done. */
void pci_func_finalize(struct pci_func *f);
void pci_func_free(struct pci_func *f);

/* Builders (before pci_func_finalize). Return the capability offset, or 0 if full. */
/* Class code and revision, for a kind whose caller allocated the function without them. */
void pci_func_set_class(struct pci_func *f, u32 class_code, u8 revision);
int pci_func_set_bar(struct pci_func *f, int bar, u64 size, u32 flags, bool mmap,
		     const struct mmio_ops *ops, void *priv);
u16 pci_cap_add_pcie(struct pci_func *f, u8 port_type, bool flr);
u16 pci_cap_add_msi(struct pci_func *f, u16 nr_vectors, bool is_64bit, bool per_vector_mask);
u16 pci_cap_add_msix(struct pci_func *f, u16 nr_vectors, u8 bar, u32 table_off, u32 pba_off);
u16 pci_ecap_add_pasid(struct pci_func *f, u8 width, bool exec, bool priv);
u16 pci_ecap_add_ats(struct pci_func *f);
u16 pci_ecap_add_pri(struct pci_func *f, u32 max_requests);

/* Config space as the function answers it (no virtualisation). */
u32 pci_cfg_read(struct pci_func *f, unsigned int off, unsigned int size);
void pci_cfg_write(struct pci_func *f, unsigned int off, u32 val, unsigned int size);

/*
 * The function's own side of config space: sets @bits of the register at
 * @off (1, 2 or 4 bytes) whatever the masks say, as hardware sets its
 * status and error bits (software then clears W1C ones).
 */
void pci_cfg_hw_set(struct pci_func *f, unsigned int off, u32 bits, unsigned int size);

/* Offset of the first capability with @id in the standard / extended list, or 0. */
u16 pci_func_find_cap(struct pci_func *f, u8 id);
u16 pci_func_find_ext_cap(struct pci_func *f, u16 id);

/* BAR registers, including the MSI-X table and PBA where they live. */
u64 pci_bar_read(struct pci_func *f, int bar, u64 off, unsigned int size);
void pci_bar_write(struct pci_func *f, int bar, u64 off, u64 val, unsigned int size);

/* Function-level reset. */
void pci_func_flr(struct pci_func *f);

/* Memory space decode and bus mastering as the command register has them. */
bool pci_func_mem_enabled(struct pci_func *f);
bool pci_func_bus_master(struct pci_func *f);
/*
 * An enable bit of an extended capability's 16-bit control register is set
 * (PASID, ATS, PRI: the IOMMU asks before it translates or takes a page
 * request); false when the function has no such capability (@ecap 0).
 */
bool pci_ecap_ctrl_enabled(struct pci_func *f, u16 ecap, unsigned int off, u32 bit);

/*
 * The device raises an interrupt: delivered to @irq if the capability is
 * enabled and the vector unmasked, else (MSI-X) its pending bit is set and
 * it is delivered when unmasked.
 */
void pci_msix_raise(struct pci_func *f, unsigned int vector);
void pci_msi_raise(struct pci_func *f, unsigned int vector);
/*
 * Enables MSI/MSI-X as a host kernel would before handing vectors out:
 * the capability's enable set, the function mask clear and every vector
 * unmasked (disable: every vector masked, then the enable cleared).
 */
void pci_msix_set_enable(struct pci_func *f, bool enable);
/* One MSI-X vector's mask bit, as a write to its table entry sets it. */
void pci_msix_vector_mask(struct pci_func *f, unsigned int vector, bool masked);
void pci_msi_set_enable(struct pci_func *f, bool enable, unsigned int nr_vectors);

/*
 * DMA by the function through its IOMMU. Refused when bus mastering is off
 * (the function cannot issue it: PCI_DMA_UR here) or by the IOMMU.
 */
int pci_dma_read(struct pci_func *f, u32 pasid, bool has_pasid, u64 iova, void *buf, size_t len);
int pci_dma_write(struct pci_func *f, u32 pasid, bool has_pasid, u64 iova, const void *buf,
		  size_t len);

/* The "segment:bus:device.function" name, "0000:00:03.0". */
void pci_func_name(const struct pci_func *f, char *buf, size_t len);
