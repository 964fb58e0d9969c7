// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI function model: configuration space, BAR routing, MSI and MSI-X,
 * function-level reset and the function's DMA.
 *
 * Config space is data, as hardware registers are: every byte has a value,
 * a writable mask and a write-1-to-clear mask; a write changes only
 * writable bits and clears only W1C bits written as 1, the rest is read
 * only. The builders (pci_cap_add_*, pci_func_set_bar, or a kind poking
 * f->config/wmask/w1cmask directly for its vendor registers) lay out the
 * power-on image, which pci_func_finalize() records for FLR. A handful of
 * registers have side effects on write (Initiate FLR, the MSI and MSI-X
 * enable and mask bits, PRI Enable); those are handled after the masked
 * store, in cfg_write_effects().
 *
 * Capabilities are placed as a builder asks for them: standard ones from
 * 0x40 up, linked from the Capabilities Pointer at 0x34; extended ones
 * from 0x100 up (only behind a PCI Express capability, as only PCIe
 * functions have the 4 KiB space). A new capability goes after the end of
 * the last one, whose length is known from its ID.
 *
 * The MSI-X table and PBA are modelled here, not by the kind: accesses in
 * their windows never reach the kind's mmio_ops. The table is kept in
 * f->msix_table (16 bytes per entry, little-endian as on the bus), the
 * pending bits in f->msix_pba.
 *
 * Everything runs under f->lock (recursive: a BAR write may run the
 * device's DMA and interrupts, and an FLR written through config space
 * calls back into the kind). @irq and @dma->translate are called with the
 * lock held, so it comes before any lock they take: an IOMMU model must
 * not call into its functions' registers with its own locks held.
 */
#include "harness/platform/pci.h"
#include "harness/platform/pci_regs.h"

#include "harness/bitmap.h"
#include "harness/bitops.h"
#include "harness/bug.h"
#include "harness/physmem.h"
#include "harness/slab.h"

#include <cstdio>
#include <new>

using pci_guard = std::lock_guard<std::recursive_mutex>;

/* ---- raw config access (no masks) ---- */

static u32 cfg_get(const struct pci_func *f, unsigned int off, unsigned int size)
{
	u32 v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (u32)f->config[off + i] << (8 * i);
	return v;
}

static void cfg_put(u8 *space, unsigned int off, u32 val, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		space[off + i] = (u8)(val >> (8 * i));
}

/* Sets value, writable and W1C masks of one register at build time. */
static void cfg_init(struct pci_func *f, unsigned int off, unsigned int size, u32 val, u32 wmask,
		     u32 w1cmask)
{
	cfg_put(f->config, off, val, size);
	cfg_put(f->wmask, off, wmask, size);
	cfg_put(f->w1cmask, off, w1cmask, size);
}

static bool range_overlaps(unsigned int off, unsigned int size, unsigned int reg,
			   unsigned int reg_size)
{
	return off < reg + reg_size && reg < off + size;
}

/* What a master abort reads as: every byte 0xff. */
static u64 all_ones(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* ---- allocation, the type 0 header ---- */

struct pci_func *pci_func_alloc(u16 segment, u8 bus, u8 devfn, u16 vendor, u16 device,
				u32 class_code, u8 revision)
{
	void *mem = kzalloc(sizeof(struct pci_func), GFP_KERNEL);
	struct pci_func *f;

	if (!mem)
		return NULL;
	f = new (mem) pci_func();
	f->segment = segment;
	f->bus = bus;
	f->devfn = devfn;

	cfg_init(f, PCI_VENDOR_ID, 2, vendor, 0, 0);
	cfg_init(f, PCI_DEVICE_ID, 2, device, 0, 0);
	/*
	 * Memory decode, bus mastering and INTx disable do something here;
	 * parity error response and SERR# enable are read-write on every PCIe
	 * function though nothing in the model reports through them. I/O
	 * decode becomes writable when an I/O BAR is added.
	 */
	cfg_init(f, PCI_COMMAND, 2, 0,
		 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
			 PCI_COMMAND_INTX_DISABLE,
		 0);
	cfg_init(f, PCI_STATUS, 2, 0, 0, PCI_STATUS_ERROR_BITS);
	pci_func_set_class(f, class_code, revision);
	/* Cache Line Size is read-write with no effect on PCIe. */
	cfg_init(f, PCI_CACHE_LINE_SIZE, 1, 0, 0xff, 0);
	cfg_init(f, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL, 0, 0);
	cfg_init(f, PCI_SUBSYSTEM_VENDOR_ID, 2, vendor, 0, 0);
	cfg_init(f, PCI_SUBSYSTEM_ID, 2, 0, 0, 0);
	cfg_init(f, PCI_INTERRUPT_LINE, 1, 0, 0xff, 0);
	/*
	 * Interrupt Pin 0: the models signal only through MSI and MSI-X, so
	 * the function claims no INTx pin rather than one that never fires.
	 */
	cfg_init(f, PCI_INTERRUPT_PIN, 1, 0, 0, 0);
	return f;
}

void pci_func_set_class(struct pci_func *f, u32 class_code, u8 revision)
{
	cfg_init(f, PCI_CLASS_REVISION, 4, (class_code & 0xffffff) << 8 | revision, 0, 0);
}

static void msix_table_reset(struct pci_func *f)
{
	if (!f->msix_table)
		return;
	memset(f->msix_table, 0, (size_t)f->msix_nr * PCI_MSIX_ENTRY_SIZE);
	/* Every vector comes out of reset masked. */
	for (unsigned int v = 0; v < f->msix_nr; v++)
		f->msix_table[v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] =
			PCI_MSIX_ENTRY_CTRL_MASKBIT;
	bitmap_zero(f->msix_pba, f->msix_nr);
}

void pci_func_finalize(struct pci_func *f)
{
	pci_guard g(f->lock);

	memcpy(f->reset_config, f->config, sizeof(f->config));
	msix_table_reset(f);
}

void pci_func_free(struct pci_func *f)
{
	if (!f)
		return;
	if (f->ops && f->ops->destroy)
		f->ops->destroy(f);
	kfree(f->msix_table);
	bitmap_free(f->msix_pba);
	f->~pci_func();
	kfree(f);
}

void pci_func_kfree_priv(struct pci_func *f)
{
	kfree(f->priv);
	f->priv = NULL;
}

void pci_func_name(const struct pci_func *f, char *buf, size_t len)
{
	snprintf(buf, len, "%04x:%02x:%02x.%d", f->segment, f->bus, PCI_SLOT(f->devfn),
		 PCI_FUNC(f->devfn));
}

bool pci_func_mem_enabled(struct pci_func *f)
{
	pci_guard g(f->lock);

	return cfg_get(f, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY;
}

bool pci_ecap_ctrl_enabled(struct pci_func *f, u16 ecap, unsigned int off, u32 bit)
{
	return ecap && (pci_cfg_read(f, ecap + off, 2) & bit);
}

bool pci_func_bus_master(struct pci_func *f)
{
	pci_guard g(f->lock);

	return cfg_get(f, PCI_COMMAND, 2) & PCI_COMMAND_MASTER;
}

/* ---- BARs ---- */

static bool bar_is_upper_half(const struct pci_func *f, int bar)
{
	return bar > 0 && f->bars[bar - 1].size &&
	       !(f->bars[bar - 1].flags & PCI_BASE_ADDRESS_SPACE_IO) &&
	       (f->bars[bar - 1].flags & PCI_BASE_ADDRESS_MEM_TYPE_64);
}

int pci_func_set_bar(struct pci_func *f, int bar, u64 size, u32 flags, bool mmap,
		     const struct mmio_ops *ops, void *priv)
{
	bool io = flags & PCI_BASE_ADDRESS_SPACE_IO;
	bool is64 = !io && (flags & PCI_BASE_ADDRESS_MEM_TYPE_64);
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bar;
	u32 low_flags;

	if (bar < 0 || bar >= PCI_NUM_BARS || !is_power_of_2(size))
		return -EINVAL;
	/* The smallest BARs the spec allows; I/O BARs reach at most 256 bytes. */
	if (io ? (size < 4 || size > 256) : (size < 16 || (!is64 && size > (1ULL << 31))))
		return -EINVAL;
	if (is64 && (bar == PCI_NUM_BARS - 1 || size > (1ULL << 62)))
		return -EINVAL;
	if (f->bars[bar].size || bar_is_upper_half(f, bar) || (is64 && f->bars[bar + 1].size))
		return -EBUSY;

	low_flags = io ? PCI_BASE_ADDRESS_SPACE_IO
		       : flags & (PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
	/* Address bits below the size are read-only zero: that is what sizing reads back. */
	cfg_init(f, reg, 4, low_flags,
		 (u32)~(size - 1) & (io ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK), 0);
	if (is64)
		cfg_init(f, reg + 4, 4, 0, (u32)(~(size - 1) >> 32), 0);
	if (io)
		f->wmask[PCI_COMMAND] |= PCI_COMMAND_IO;

	f->bars[bar] = { .size = size, .flags = low_flags, .mmap = mmap, .ops = ops, .priv = priv };
	return 0;
}

/* ---- capability lists ---- */

static unsigned int msi_cap_size(const struct pci_func *f, unsigned int cap)
{
	u16 flags = cfg_get(f, cap + PCI_MSI_FLAGS, 2);
	unsigned int size = flags & PCI_MSI_FLAGS_64BIT ? 14 : 10;

	return flags & PCI_MSI_FLAGS_MASKBIT ? size + 10 : size;
}

/* Length of a capability the builders place; 0 for one they do not know. */
static unsigned int cap_size(const struct pci_func *f, unsigned int cap)
{
	switch (f->config[cap + PCI_CAP_LIST_ID]) {
	case PCI_CAP_ID_EXP:
		return PCI_CAP_EXP_ENDPOINT_SIZEOF_V2;
	case PCI_CAP_ID_MSI:
		return msi_cap_size(f, cap);
	case PCI_CAP_ID_MSIX:
		return PCI_CAP_MSIX_SIZEOF;
	}
	return 0;
}

static unsigned int ext_cap_size(u16 id)
{
	switch (id) {
	case PCI_EXT_CAP_ID_PASID:
		return PCI_EXT_CAP_PASID_SIZEOF;
	case PCI_EXT_CAP_ID_ATS:
		return PCI_EXT_CAP_ATS_SIZEOF;
	case PCI_EXT_CAP_ID_PRI:
		return PCI_EXT_CAP_PRI_SIZEOF;
	}
	return 0;
}

/*
 * The walks stop after as many steps as the space has dwords, so a list
 * that loops (which only a bug in a builder could make: the pointers are
 * read-only) cannot hang them.
 */
u16 pci_func_find_cap(struct pci_func *f, u8 id)
{
	pci_guard g(f->lock);
	unsigned int pos = f->config[PCI_CAPABILITY_LIST] & ~3u;

	if (!(cfg_get(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	for (int ttl = PCI_CFG_SPACE_SIZE / 4; pos >= PCI_STD_HEADER_SIZEOF && ttl; ttl--) {
		if (f->config[pos + PCI_CAP_LIST_ID] == id)
			return pos;
		pos = f->config[pos + PCI_CAP_LIST_NEXT] & ~3u;
	}
	return 0;
}

u16 pci_func_find_ext_cap(struct pci_func *f, u16 id)
{
	pci_guard g(f->lock);
	unsigned int pos = PCI_CFG_EXT_CAP_START;

	if (!f->pcie_cap)
		return 0;
	for (int ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8; pos && ttl; ttl--) {
		u32 header = cfg_get(f, pos, 4);

		if (!header)
			return 0;
		if (PCI_EXT_CAP_ID(header) == id)
			return pos;
		pos = PCI_EXT_CAP_NEXT(header);
		if (pos < PCI_CFG_SPACE_SIZE)
			return 0;
	}
	return 0;
}

/* Places a standard capability of @len bytes after the last one and links it. */
static u16 cap_append(struct pci_func *f, u8 id, unsigned int len)
{
	unsigned int pos = f->config[PCI_CAPABILITY_LIST];
	unsigned int last = 0, end = PCI_STD_HEADER_SIZEOF;

	for (int ttl = PCI_CFG_SPACE_SIZE / 4; pos && ttl; ttl--) {
		last = pos;
		end = max(end, pos + cap_size(f, pos));
		pos = f->config[pos + PCI_CAP_LIST_NEXT];
	}
	pos = ALIGN(end, 4u);
	if (pos + len > PCI_CFG_SPACE_SIZE)
		return 0;
	if (last)
		f->config[last + PCI_CAP_LIST_NEXT] = pos;
	else
		f->config[PCI_CAPABILITY_LIST] = pos;
	f->config[pos + PCI_CAP_LIST_ID] = id;
	f->config[pos + PCI_CAP_LIST_NEXT] = 0;
	f->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	return pos;
}

static u16 ext_cap_append(struct pci_func *f, u16 id, u8 version)
{
	unsigned int len = ext_cap_size(id);
	unsigned int pos = PCI_CFG_EXT_CAP_START, last = 0, end = PCI_CFG_EXT_CAP_START;
	u32 header;

	/* Only a PCI Express function has config space past 256 bytes. */
	if (!f->pcie_cap)
		return 0;
	for (int ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8;
	     ttl && pos >= PCI_CFG_SPACE_SIZE && (header = cfg_get(f, pos, 4)); ttl--) {
		last = pos;
		end = max(end, pos + ext_cap_size(PCI_EXT_CAP_ID(header)));
		pos = PCI_EXT_CAP_NEXT(header);
	}
	pos = last ? ALIGN(end, 4u) : PCI_CFG_EXT_CAP_START;
	if (pos + len > PCI_CFG_SPACE_EXP_SIZE)
		return 0;
	if (last) {
		header = cfg_get(f, last, 4);
		cfg_put(f->config, last, header | (u32)pos << 20, 4);
	}
	cfg_init(f, pos, 4, PCI_EXT_CAP_HEADER(id, version, 0), 0, 0);
	return pos;
}

u16 pci_cap_add_pcie(struct pci_func *f, u8 port_type, bool flr)
{
	u16 cap;
	u32 devcap = PCI_EXP_DEVCAP_EXT_TAG | PCI_EXP_DEVCAP_RBER;

	if (f->pcie_cap || !(cap = cap_append(f, PCI_CAP_ID_EXP, PCI_CAP_EXP_ENDPOINT_SIZEOF_V2)))
		return 0;
	if (flr)
		devcap |= PCI_EXP_DEVCAP_FLR;
	cfg_init(f, cap + PCI_EXP_FLAGS, 2, 2 | (port_type & 0xf) << 4, 0, 0);
	cfg_init(f, cap + PCI_EXP_DEVCAP, 4, devcap, 0, 0);
	/*
	 * Device Control: the error reporting enables, relaxed ordering, max
	 * payload, extended tags, no snoop and max read request are
	 * read-write; the reset values are the spec's (relaxed ordering and
	 * no snoop on, 512-byte reads). Initiate FLR always reads 0: writing
	 * it is handled in cfg_write_effects().
	 */
	cfg_init(f, cap + PCI_EXP_DEVCTL, 2,
		 PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ_512B,
		 PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE |
			 PCI_EXP_DEVCTL_URRE | PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_PAYLOAD |
			 PCI_EXP_DEVCTL_EXT_TAG | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ,
		 0);
	cfg_init(f, cap + PCI_EXP_DEVSTA, 2, 0, 0,
		 PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |
			 PCI_EXP_DEVSTA_URD);
	/* A root complex integrated endpoint has no link; the others a x1 2.5 GT/s one. */
	if (port_type != PCI_EXP_TYPE_RC_END) {
		cfg_init(f, cap + PCI_EXP_LNKCAP, 4,
			 PCI_EXP_LNKCAP_SLS_2_5GB | PCI_EXP_LNKCAP_MLW_X1, 0, 0);
		cfg_init(f, cap + PCI_EXP_LNKCTL, 2, 0,
			 PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_RCB | PCI_EXP_LNKCTL_CCC |
				 PCI_EXP_LNKCTL_ES,
			 0);
		cfg_init(f, cap + PCI_EXP_LNKSTA, 2,
			 PCI_EXP_LNKSTA_CLS_2_5GB | PCI_EXP_LNKSTA_NLW_X1, 0, 0);
	}
	f->pcie_cap = cap;
	return cap;
}

/* One bit per vector the MSI capability offers. */
static u32 msi_vector_bits(const struct pci_func *f)
{
	return f->msi_nr >= 32 ? ~0u : (1u << f->msi_nr) - 1;
}

u16 pci_cap_add_msi(struct pci_func *f, u16 nr_vectors, bool is_64bit, bool per_vector_mask)
{
	unsigned int len = (is_64bit ? 14 : 10) + (per_vector_mask ? 10 : 0);
	u16 flags, cap, data;

	if (f->msi_cap || !is_power_of_2(nr_vectors) || nr_vectors > 32 ||
	    !(cap = cap_append(f, PCI_CAP_ID_MSI, len)))
		return 0;
	flags = ilog2(nr_vectors) << 1;
	if (is_64bit)
		flags |= PCI_MSI_FLAGS_64BIT;
	if (per_vector_mask)
		flags |= PCI_MSI_FLAGS_MASKBIT;
	/* Enable and Multiple Message Enable are the writable control bits. */
	cfg_init(f, cap + PCI_MSI_FLAGS, 2, flags, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, 0);
	/* The address is dword aligned: its two low bits are read-only zero. */
	cfg_init(f, cap + PCI_MSI_ADDRESS_LO, 4, 0, ~3u, 0);
	if (is_64bit)
		cfg_init(f, cap + PCI_MSI_ADDRESS_HI, 4, 0, ~0u, 0);
	data = is_64bit ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
	/* 16 bits of data; the extended message data half is not implemented. */
	cfg_init(f, cap + data, 2, 0, 0xffff, 0);
	f->msi_cap = cap;
	f->msi_nr = nr_vectors;
	/* Mask bits exist for the vectors the function has; pending bits are the function's. */
	if (per_vector_mask) {
		cfg_init(f, cap + data + 4, 4, 0, msi_vector_bits(f), 0);
		cfg_init(f, cap + data + 8, 4, 0, 0, 0);
	}
	return cap;
}

u16 pci_cap_add_msix(struct pci_func *f, u16 nr_vectors, u8 bar, u32 table_off, u32 pba_off)
{
	u64 table_end = table_off + (u64)nr_vectors * PCI_MSIX_ENTRY_SIZE;
	u64 pba_end = pba_off + (u64)BITS_TO_LONGS(nr_vectors) * 8;
	u8 *table;
	unsigned long *pba;
	u16 cap;

	/* The table and PBA live in one of the function's memory BARs, qword aligned. */
	if (f->msix_cap || !nr_vectors || nr_vectors > PCI_MSIX_MAX_VECTORS ||
	    bar >= PCI_NUM_BARS || !f->bars[bar].size ||
	    (f->bars[bar].flags & PCI_BASE_ADDRESS_SPACE_IO) || (table_off & 7) || (pba_off & 7) ||
	    table_end > f->bars[bar].size || pba_end > f->bars[bar].size ||
	    (table_off < pba_end && pba_off < table_end))
		return 0;
	table = (u8 *)kcalloc(nr_vectors, PCI_MSIX_ENTRY_SIZE, GFP_KERNEL);
	pba = bitmap_zalloc(nr_vectors, GFP_KERNEL);
	if (!table || !pba || !(cap = cap_append(f, PCI_CAP_ID_MSIX, PCI_CAP_MSIX_SIZEOF))) {
		kfree(table);
		bitmap_free(pba);
		return 0;
	}
	cfg_init(f, cap + PCI_MSIX_FLAGS, 2, nr_vectors - 1,
		 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
	cfg_init(f, cap + PCI_MSIX_TABLE, 4, table_off | bar, 0, 0);
	cfg_init(f, cap + PCI_MSIX_PBA, 4, pba_off | bar, 0, 0);
	f->msix_cap = cap;
	f->msix_nr = nr_vectors;
	f->msix_bar = bar;
	f->msix_table_off = table_off;
	f->msix_pba_off = pba_off;
	f->msix_table = table;
	f->msix_pba = pba;
	msix_table_reset(f);
	return cap;
}

u16 pci_ecap_add_pasid(struct pci_func *f, u8 width, bool exec, bool priv)
{
	u16 cap, caps = 0, ctrl_wmask = PCI_PASID_CTRL_ENABLE;

	if (f->pasid_ecap || !width || width > PCI_PASID_MAX_WIDTH ||
	    !(cap = ext_cap_append(f, PCI_EXT_CAP_ID_PASID, 1)))
		return 0;
	if (exec) {
		caps |= PCI_PASID_CAP_EXEC;
		ctrl_wmask |= PCI_PASID_CTRL_EXEC;
	}
	if (priv) {
		caps |= PCI_PASID_CAP_PRIV;
		ctrl_wmask |= PCI_PASID_CTRL_PRIV;
	}
	caps |= (u16)width << 8;
	cfg_init(f, cap + PCI_PASID_CAP, 2, caps, 0, 0);
	/* An unsupported permission's enable bit is read-only zero. */
	cfg_init(f, cap + PCI_PASID_CTRL, 2, 0, ctrl_wmask, 0);
	/*
	 * PASIDs travel in an End-End TLP Prefix; a function with the PASID
	 * capability says it supports them (the kernel checks the path for it).
	 */
	f->config[f->pcie_cap + PCI_EXP_DEVCAP2 + 2] |= PCI_EXP_DEVCAP2_EE_PREFIX >> 16;
	f->pasid_ecap = cap;
	return cap;
}

u16 pci_ecap_add_ats(struct pci_func *f)
{
	u16 cap;

	if (f->ats_ecap || !(cap = ext_cap_append(f, PCI_EXT_CAP_ID_ATS, 1)))
		return 0;
	/* Invalidate queue depth 0 means 32; requests are page aligned. */
	cfg_init(f, cap + PCI_ATS_CAP, 2, PCI_ATS_CAP_QDEP(0) | PCI_ATS_CAP_PAGE_ALIGNED, 0, 0);
	cfg_init(f, cap + PCI_ATS_CTRL, 2, 0, PCI_ATS_CTRL_ENABLE | PCI_ATS_CTRL_STU(0x1f), 0);
	f->ats_ecap = cap;
	return cap;
}

u16 pci_ecap_add_pri(struct pci_func *f, u32 max_requests)
{
	u16 cap, status = PCI_PRI_STATUS_STOPPED;

	if (f->pri_ecap || !(cap = ext_cap_append(f, PCI_EXT_CAP_ID_PRI, 1)))
		return 0;
	/* Reset is a command bit that reads 0: not writable, acted on in cfg_write_effects(). */
	cfg_init(f, cap + PCI_PRI_CTRL, 2, 0, PCI_PRI_CTRL_ENABLE, 0);
	/* A function with PASIDs wants its PRG responses to carry them back. */
	if (f->pasid_ecap)
		status |= PCI_PRI_STATUS_PASID;
	cfg_init(f, cap + PCI_PRI_STATUS, 2, status, 0, PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI);
	cfg_init(f, cap + PCI_PRI_MAX_REQ, 4, max_requests, 0, 0);
	cfg_init(f, cap + PCI_PRI_ALLOC_REQ, 4, 0, ~0u, 0);
	f->pri_ecap = cap;
	return cap;
}

/* ---- interrupts ---- */

static void irq_deliver(struct pci_func *f, enum pci_irq_type type, unsigned int vector)
{
	if (f->irq)
		f->irq(f, type, vector);
}

static u8 *msix_entry(struct pci_func *f, unsigned int vector)
{
	return f->msix_table + (size_t)vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(struct pci_func *f, unsigned int vector)
{
	return msix_entry(f, vector)[PCI_MSIX_ENTRY_VECTOR_CTRL] & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

/* MSI-X Enable set and Function Mask clear. */
static bool msix_live(struct pci_func *f)
{
	u16 ctrl = cfg_get(f, f->msix_cap + PCI_MSIX_FLAGS, 2);

	return (ctrl & PCI_MSIX_FLAGS_ENABLE) && !(ctrl & PCI_MSIX_FLAGS_MASKALL);
}

/* A vector that becomes unmasked with its pending bit set is sent then. */
static void msix_deliver_pending(struct pci_func *f)
{
	if (!f->msix_cap || !msix_live(f))
		return;
	for (unsigned int v = 0; v < f->msix_nr; v++)
		if (test_bit(v, f->msix_pba) && !msix_vector_masked(f, v)) {
			__clear_bit(v, f->msix_pba);
			irq_deliver(f, PCI_IRQ_MSIX, v);
		}
}

void pci_msix_raise(struct pci_func *f, unsigned int vector)
{
	pci_guard g(f->lock);

	if (WARN_ON_ONCE(!f->msix_cap || vector >= f->msix_nr))
		return;
	/* With MSI-X disabled the function would use INTx, which it does not have. */
	if (!(cfg_get(f, f->msix_cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE))
		return;
	if (!msix_live(f) || msix_vector_masked(f, vector)) {
		__set_bit(vector, f->msix_pba);
		return;
	}
	irq_deliver(f, PCI_IRQ_MSIX, vector);
}

void pci_msix_vector_mask(struct pci_func *f, unsigned int vector, bool masked)
{
	pci_guard g(f->lock);

	if (WARN_ON_ONCE(!f->msix_cap || vector >= f->msix_nr))
		return;
	if (masked)
		msix_entry(f, vector)[PCI_MSIX_ENTRY_VECTOR_CTRL] |= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	else
		msix_entry(f, vector)[PCI_MSIX_ENTRY_VECTOR_CTRL] &= ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	msix_deliver_pending(f);
}

void pci_msix_set_enable(struct pci_func *f, bool enable)
{
	pci_guard g(f->lock);
	unsigned int flags;
	u16 ctrl;

	if (WARN_ON_ONCE(!f->msix_cap))
		return;
	flags = f->msix_cap + PCI_MSIX_FLAGS;
	ctrl = cfg_get(f, flags, 2) & ~PCI_MSIX_FLAGS_MASKALL;
	if (!enable)
		cfg_put(f->config, flags, ctrl & ~PCI_MSIX_FLAGS_ENABLE, 2);
	for (unsigned int v = 0; v < f->msix_nr; v++) {
		u8 *vctrl = &msix_entry(f, v)[PCI_MSIX_ENTRY_VECTOR_CTRL];

		*vctrl = enable ? *vctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT
				: *vctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT;
	}
	if (enable) {
		cfg_put(f->config, flags, ctrl | PCI_MSIX_FLAGS_ENABLE, 2);
		msix_deliver_pending(f);
	}
}

/* Offsets of the MSI mask and pending registers, 0 without per-vector masking. */
static unsigned int msi_mask_reg(struct pci_func *f)
{
	u16 flags = cfg_get(f, f->msi_cap + PCI_MSI_FLAGS, 2);

	if (!(flags & PCI_MSI_FLAGS_MASKBIT))
		return 0;
	return f->msi_cap + (flags & PCI_MSI_FLAGS_64BIT ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static void msi_deliver_pending(struct pci_func *f)
{
	unsigned int mask_reg;
	u32 mask, pending;

	if (!f->msi_cap || !(cfg_get(f, f->msi_cap + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE))
		return;
	mask_reg = msi_mask_reg(f);
	if (!mask_reg)
		return;
	mask = cfg_get(f, mask_reg, 4);
	pending = cfg_get(f, mask_reg + 4, 4);
	for (unsigned int v = 0; v < f->msi_nr; v++)
		if ((pending & BIT(v)) && !(mask & BIT(v))) {
			pending &= ~BIT(v);
			cfg_put(f->config, mask_reg + 4, pending, 4);
			irq_deliver(f, PCI_IRQ_MSI, v);
		}
}

void pci_msi_raise(struct pci_func *f, unsigned int vector)
{
	pci_guard g(f->lock);
	unsigned int mask_reg;
	u16 flags;

	if (WARN_ON_ONCE(!f->msi_cap || vector >= f->msi_nr))
		return;
	flags = cfg_get(f, f->msi_cap + PCI_MSI_FLAGS, 2);
	if (!(flags & PCI_MSI_FLAGS_ENABLE))
		return;
	/*
	 * Software granted 2^MME vectors: the function may vary only that
	 * many low bits of the message data, so a vector past the grant
	 * folds onto one it has.
	 */
	vector &= (1u << ((flags & PCI_MSI_FLAGS_QSIZE) >> 4)) - 1;
	mask_reg = msi_mask_reg(f);
	if (mask_reg && (cfg_get(f, mask_reg, 4) & BIT(vector))) {
		cfg_put(f->config, mask_reg + 4, cfg_get(f, mask_reg + 4, 4) | BIT(vector), 4);
		return;
	}
	irq_deliver(f, PCI_IRQ_MSI, vector);
}

void pci_msi_set_enable(struct pci_func *f, bool enable, unsigned int nr_vectors)
{
	pci_guard g(f->lock);
	unsigned int flags_reg, mask_reg;
	u16 flags;

	if (WARN_ON_ONCE(!f->msi_cap))
		return;
	flags_reg = f->msi_cap + PCI_MSI_FLAGS;
	flags = cfg_get(f, flags_reg, 2) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	nr_vectors = min(max(nr_vectors, 1u), (unsigned int)f->msi_nr);
	mask_reg = msi_mask_reg(f);
	if (!enable) {
		cfg_put(f->config, flags_reg, flags, 2);
		if (mask_reg)
			cfg_put(f->config, mask_reg, msi_vector_bits(f), 4);
		return;
	}
	flags |= order_base_2(nr_vectors) << 4;
	if (mask_reg)
		cfg_put(f->config, mask_reg, 0, 4);
	cfg_put(f->config, flags_reg, flags | PCI_MSI_FLAGS_ENABLE, 2);
	msi_deliver_pending(f);
}

/* ---- config space accesses ---- */

/* Config requests are at most a dword and never cross one (byte enables of one dword). */
static bool cfg_access_ok(struct pci_func *f, unsigned int off, unsigned int size)
{
	if ((size != 1 && size != 2 && size != 4) || (off & 3) + size > 4 ||
	    off + size > PCI_CFG_SPACE_EXP_SIZE)
		return false;
	/* A conventional function has no extended space. */
	return off < PCI_CFG_SPACE_SIZE || f->pcie_cap;
}

u32 pci_cfg_read(struct pci_func *f, unsigned int off, unsigned int size)
{
	pci_guard g(f->lock);

	if (!cfg_access_ok(f, off, size))
		return (u32)all_ones(size);
	return cfg_get(f, off, size);
}

void pci_cfg_hw_set(struct pci_func *f, unsigned int off, u32 bits, unsigned int size)
{
	pci_guard g(f->lock);

	if (WARN_ON(!cfg_access_ok(f, off, size)))
		return;
	cfg_put(f->config, off, cfg_get(f, off, size) | bits, size);
}

void pci_func_flr(struct pci_func *f)
{
	pci_guard g(f->lock);

	memcpy(f->config, f->reset_config, sizeof(f->config));
	msix_table_reset(f);
	if (f->ops && f->ops->reset)
		f->ops->reset(f);
}

/* Side effects of a config write, after the masked store; @val as written. */
static void cfg_write_effects(struct pci_func *f, unsigned int off, unsigned int size, u32 val)
{
	auto written = [&](unsigned int reg) -> u32 {
		/* The byte of @val that landed on config byte @reg (0 if none). */
		return range_overlaps(off, size, reg, 1) ? (val >> (8 * (reg - off))) & 0xff : 0;
	};

	if (f->pcie_cap && (written(f->pcie_cap + PCI_EXP_DEVCTL + 1) & (PCI_EXP_DEVCTL_BCR_FLR >> 8)) &&
	    (cfg_get(f, f->pcie_cap + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR)) {
		/* The reset completes before the write does: nothing else of it survives. */
		pci_func_flr(f);
		return;
	}
	if (f->msix_cap && range_overlaps(off, size, f->msix_cap + PCI_MSIX_FLAGS, 2))
		msix_deliver_pending(f);
	if (f->msi_cap && (range_overlaps(off, size, f->msi_cap + PCI_MSI_FLAGS, 2) ||
			   (msi_mask_reg(f) && range_overlaps(off, size, msi_mask_reg(f), 4))))
		msi_deliver_pending(f);
	if (f->pri_ecap && range_overlaps(off, size, f->pri_ecap + PCI_PRI_CTRL, 1)) {
		/* No page request is ever outstanding here: Stopped is exactly !Enable. */
		unsigned int status = f->pri_ecap + PCI_PRI_STATUS + 1;

		if (f->config[f->pri_ecap + PCI_PRI_CTRL] & PCI_PRI_CTRL_ENABLE)
			f->config[status] &= ~(PCI_PRI_STATUS_STOPPED >> 8);
		else
			f->config[status] |= PCI_PRI_STATUS_STOPPED >> 8;
	}
}

void pci_cfg_write(struct pci_func *f, unsigned int off, u32 val, unsigned int size)
{
	pci_guard g(f->lock);

	if (!cfg_access_ok(f, off, size))
		return;
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;
		u8 b = val >> (8 * i);
		u8 nv = (f->config[o] & ~f->wmask[o]) | (b & f->wmask[o]);

		f->config[o] = nv & ~(b & f->w1cmask[o]);
	}
	cfg_write_effects(f, off, size, val);
}

/* ---- BAR accesses ---- */

/*
 * Whether the function serves a BAR access. With decode off, or at an
 * address past the BAR, nobody claims the request and the requester sees
 * a master abort. One that starts inside the BAR but is not a naturally
 * aligned 1, 2, 4 or 8 bytes within it, the function claims and answers
 * with Unsupported Request, which it logs in Device Status as a completer
 * does. Either way it is counted, reads get all-ones, writes vanish.
 */
static bool bar_claim(struct pci_func *f, int bar, u64 off, unsigned int size)
{
	struct pci_bar *b;
	u16 decode;

	if (bar < 0 || bar >= PCI_NUM_BARS || !f->bars[bar].size)
		goto abort;
	b = &f->bars[bar];
	decode = b->flags & PCI_BASE_ADDRESS_SPACE_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	if (!(cfg_get(f, PCI_COMMAND, 2) & decode) || off >= b->size)
		goto abort;
	if ((size != 1 && size != 2 && size != 4 && size != 8) || (off & (size - 1)) ||
	    size > b->size - off) {
		if (f->pcie_cap)
			f->config[f->pcie_cap + PCI_EXP_DEVSTA] |= PCI_EXP_DEVSTA_URD;
		goto abort;
	}
	return true;
abort:
	f->nr_master_aborts++;
	return false;
}

static bool in_window(u64 off, u64 start, u64 len)
{
	return off >= start && off - start < len;
}

static u64 msix_table_len(struct pci_func *f)
{
	return (u64)f->msix_nr * PCI_MSIX_ENTRY_SIZE;
}

static u64 msix_pba_len(struct pci_func *f)
{
	return (u64)BITS_TO_LONGS(f->msix_nr) * 8;
}

/*
 * Table bytes software may change: the address (its two low bits are
 * zero, messages are dword writes), the data, and of Vector Control only
 * the mask bit (the rest is reserved; there are no TPH steering tags).
 */
static u8 msix_table_wmask(unsigned int byte_in_entry)
{
	if (byte_in_entry == PCI_MSIX_ENTRY_LOWER_ADDR)
		return 0xfc;
	if (byte_in_entry == PCI_MSIX_ENTRY_VECTOR_CTRL)
		return PCI_MSIX_ENTRY_CTRL_MASKBIT;
	return byte_in_entry < PCI_MSIX_ENTRY_VECTOR_CTRL ? 0xff : 0;
}

u64 pci_bar_read(struct pci_func *f, int bar, u64 off, unsigned int size)
{
	pci_guard g(f->lock);
	const struct pci_bar *b;
	u64 v = 0;

	if (!bar_claim(f, bar, off, size))
		return all_ones(size);
	if (f->msix_cap && bar == f->msix_bar) {
		if (in_window(off, f->msix_table_off, msix_table_len(f))) {
			u64 t = off - f->msix_table_off;

			for (unsigned int i = 0; i < size; i++)
				v |= (u64)f->msix_table[t + i] << (8 * i);
			return v;
		}
		if (in_window(off, f->msix_pba_off, msix_pba_len(f))) {
			u64 bit0 = (off - f->msix_pba_off) * 8;

			for (unsigned int i = 0; i < 8 * size; i++)
				if (bit0 + i < f->msix_nr && test_bit(bit0 + i, f->msix_pba))
					v |= 1ULL << i;
			return v;
		}
	}
	b = &f->bars[bar];
	return b->ops && b->ops->read ? b->ops->read(b->priv, off, size) & all_ones(size) : 0;
}

void pci_bar_write(struct pci_func *f, int bar, u64 off, u64 val, unsigned int size)
{
	pci_guard g(f->lock);
	const struct pci_bar *b;

	if (!bar_claim(f, bar, off, size))
		return;
	if (f->msix_cap && bar == f->msix_bar) {
		if (in_window(off, f->msix_table_off, msix_table_len(f))) {
			u64 t = off - f->msix_table_off;

			for (unsigned int i = 0; i < size; i++) {
				u8 m = msix_table_wmask((t + i) % PCI_MSIX_ENTRY_SIZE);
				u8 *p = &f->msix_table[t + i];

				*p = (*p & ~m) | ((u8)(val >> (8 * i)) & m);
			}
			msix_deliver_pending(f);
			return;
		}
		/* Pending bits are the function's: software writes have no effect. */
		if (in_window(off, f->msix_pba_off, msix_pba_len(f)))
			return;
	}
	b = &f->bars[bar];
	if (b->ops && b->ops->write)
		b->ops->write(b->priv, off, val & all_ones(size), size);
}

/* ---- DMA ---- */

/*
 * What the requester learns of a refused request. A read gets a
 * completion with UR or CA status, which sets Received Master Abort or
 * Received Target Abort in its Status register (Device Status's
 * Unsupported Request Detected is the completer's bit, set by whoever
 * receives the request: the root complex here, not this function). A
 * write is posted: on a real link no completion comes back and the
 * function sets nothing. The model still reports the refused write to
 * the device, as an engine integrated with its IOMMU (an RCiEP like
 * I/OAT) learns of the fault and stops.
 */
static int dma_refused(struct pci_func *f, int status, bool write)
{
	if (status != PCI_DMA_CA)
		status = PCI_DMA_UR;
	if (!write)
		cfg_put(f->config, PCI_STATUS,
			cfg_get(f, PCI_STATUS, 2) | (status == PCI_DMA_UR ? PCI_STATUS_REC_MASTER_ABORT
									  : PCI_STATUS_REC_TARGET_ABORT),
			2);
	return status;
}

/*
 * One DMA, split where the IOMMU's translation stops being contiguous.
 * The whole transfer succeeds or an error comes back; a write refused
 * part way leaves the earlier chunks written, as a device's posted writes
 * that went out before the fault stay written on real hardware.
 */
static int pci_dma(struct pci_func *f, u32 pasid, bool has_pasid, u64 iova, void *buf, size_t len,
		   bool write)
{
	pci_guard g(f->lock);
	u8 *p = (u8 *)buf;

	/* With Bus Master Enable clear the function cannot issue the request at all. */
	if (!f->dma || !(cfg_get(f, PCI_COMMAND, 2) & PCI_COMMAND_MASTER))
		return PCI_DMA_UR;
	/* A request wrapping past the top of the 64-bit space is malformed. */
	if (len && iova + (len - 1) < iova)
		return dma_refused(f, PCI_DMA_UR, write);
	while (len) {
		phys_addr_t pa;
		u64 contig = 0, chunk;
		int ret;

		ret = f->dma->translate(f->dma, f, pasid, has_pasid, iova, write, &pa, &contig);
		if (ret == PCI_DMA_OK && WARN_ON_ONCE(!contig))
			ret = PCI_DMA_CA;
		if (ret != PCI_DMA_OK)
			return dma_refused(f, ret, write);
		chunk = min_t(u64, contig, len);
		ret = write ? phys_write(pa, p, chunk) : phys_read(pa, p, chunk);
		/* No memory behind the translated address: the host bridge answers UR. */
		if (ret)
			return dma_refused(f, PCI_DMA_UR, write);
		iova += chunk;
		p += chunk;
		len -= chunk;
	}
	return PCI_DMA_OK;
}

int pci_dma_read(struct pci_func *f, u32 pasid, bool has_pasid, u64 iova, void *buf, size_t len)
{
	return pci_dma(f, pasid, has_pasid, iova, buf, len, false);
}

int pci_dma_write(struct pci_func *f, u32 pasid, bool has_pasid, u64 iova, const void *buf,
		  size_t len)
{
	return pci_dma(f, pasid, has_pasid, iova, const_cast<void *>(buf), len, true);
}
