// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the edu device model (dev_edu.cc) through its registers:
 * identification and capabilities, the QEMU registers (liveness,
 * factorial, interrupt raise/ack), DMA both ways with its interrupt, a
 * refused DMA's error and address, PASID transfers, the page request
 * wait and the retry a PRG Response allows, FLR, and hostile values
 * (counts and addresses outside the buffer, huge, wrapping) that must end
 * in an error state.
 *
 * The test port stands in for the IOMMU: it refuses a window and, when
 * asked, tells the function it sent a page request for the refused
 * access, as the mock IOMMU does (pci_pri.h); the tests answer with
 * pci_pri_deliver().
 */
#include "pci_test.h"

#include "harness/platform/edu_hw.h"
#include "harness/platform/pci_pri.h"

#include <atomic>
#include <chrono>
#include <thread>

extern const struct platform_device_kind edu_device_kind;

#define MEM_SIZE 0x4000

struct edu_port {
	struct test_dma_port base;	/* first: test_dma_translate() takes port->priv as it */
	bool send_requests = false;
	std::atomic<unsigned int> requests{0};
	struct pci_pri_msg last = {};
};

struct edu_test {
	struct edu_port port;
	struct test_irq_log log;
	struct pci_func *f;
	struct test_mem mem;
};

static int edu_port_translate(struct pci_dma_port *port, struct pci_func *f, u32 pasid,
			      bool has_pasid, u64 iova, bool write, phys_addr_t *pa, u64 *contig)
{
	struct edu_port *p = (struct edu_port *)port->priv;
	int rc = test_dma_translate(port, f, pasid, has_pasid, iova, write, pa, contig);

	if (rc != PCI_DMA_OK && p->send_requests) {
		struct pci_pri_msg m = {};

		m.type = PCI_PRI_PAGE_REQUEST;
		m.pasid = has_pasid ? pasid : 0;
		m.has_pasid = has_pasid;
		m.addr = iova & ~(u64)(PAGE_SIZE - 1);
		m.write = write;
		p->last = m;
		p->requests++;
		pci_pri_deliver(f, &m);
	}
	return rc;
}

static u64 rd(struct edu_test *t, u64 off, unsigned int size = 4)
{
	return pci_bar_read(t->f, EDU_BAR, off, size);
}

static void wr(struct edu_test *t, u64 off, u64 val, unsigned int size = 4)
{
	pci_bar_write(t->f, EDU_BAR, off, val, size);
}

static struct platform_device_desc pri_desc(void)
{
	struct platform_device_desc desc;

	desc.pasid_bits = 20;
	desc.ats = true;
	desc.pri = true;
	return desc;
}

/* A driver's bring-up: decode, mastering, MSI-X on. */
static void edu_setup(struct kunit *test, struct edu_test *t,
		      const struct platform_device_desc &desc = platform_device_desc())
{
	t->f = test_func_create(test, &edu_device_kind, desc, &t->port.base, &t->log);
	t->port.base.port.translate = edu_port_translate;
	t->mem = test_mem_alloc(test, MEM_SIZE);
	pci_cfg_write(t->f, PCI_COMMAND,
		      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE, 2);
	pci_msix_set_enable(t->f, true);
}

/* Programs and starts one transfer; returns EDU_DMA_STATUS as it reads after the write. */
static u64 dma(struct edu_test *t, u64 src, u64 dst, u64 cnt, u64 cmd)
{
	wr(t, EDU_DMA_SRC, src, 8);
	wr(t, EDU_DMA_DST, dst, 8);
	wr(t, EDU_DMA_CNT, cnt, 8);
	wr(t, EDU_DMA_CMD, cmd | EDU_DMA_CMD_START, 8);
	return rd(t, EDU_DMA_STATUS);
}

static void fill_buf(struct edu_test *t, u8 val)
{
	for (u64 off = 0; off < EDU_BUF_SIZE; off += 8)
		wr(t, EDU_BUF_OFF + off, 0x0101010101010101ULL * val, 8);
}

static void identification(struct kunit *test)
{
	struct edu_test t;

	edu_setup(test, &t);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, PCI_VENDOR_ID, 4), 0x11e81234u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, PCI_CLASS_REVISION, 4), 0xff000010u);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_ID), (u64)EDU_ID_VALUE);
	KUNIT_EXPECT_EQ(test, t.f->bars[0].size, (u64)EDU_BAR_SIZE);
	KUNIT_EXPECT_TRUE(test, t.f->bars[0].mmap);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, PCI_BASE_ADDRESS_0, 4) & 0xf,
			(u32)PCI_BASE_ADDRESS_MEM_TYPE_64);
	/* MSI one vector, MSI-X two with table and PBA in BAR0, PCIe with FLR. */
	KUNIT_ASSERT_NE(test, t.f->msi_cap, 0);
	KUNIT_EXPECT_EQ(test, t.f->msi_nr, 1);
	KUNIT_ASSERT_NE(test, t.f->msix_cap, 0);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, t.f->msix_cap + PCI_MSIX_FLAGS, 2) &
				      PCI_MSIX_FLAGS_QSIZE, (u32)EDU_MSIX_VECTORS - 1);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, t.f->msix_cap + PCI_MSIX_TABLE, 4),
			(u32)EDU_MSIX_TABLE);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, t.f->msix_cap + PCI_MSIX_PBA, 4),
			(u32)EDU_MSIX_PBA);
	KUNIT_ASSERT_NE(test, t.f->pcie_cap, 0);
	KUNIT_EXPECT_TRUE(test, pci_cfg_read(t.f, t.f->pcie_cap + PCI_EXP_DEVCAP, 4) &
					PCI_EXP_DEVCAP_FLR);
	/* Without asking: no PASID, ATS or PRI. */
	KUNIT_EXPECT_EQ(test, t.f->pasid_ecap, 0);
	KUNIT_EXPECT_EQ(test, t.f->ats_ecap, 0);
	KUNIT_EXPECT_EQ(test, t.f->pri_ecap, 0);
	KUNIT_EXPECT_STREQ(test, edu_device_kind.name, "edu");
}

static void pasid_ats_pri_capabilities(struct kunit *test)
{
	struct platform_device_desc desc = pri_desc();
	struct edu_test t;
	struct pci_func *f;

	edu_setup(test, &t, desc);
	KUNIT_ASSERT_NE(test, t.f->pasid_ecap, 0);
	KUNIT_EXPECT_EQ(test, (pci_cfg_read(t.f, t.f->pasid_ecap + PCI_PASID_CAP, 2) &
			       PCI_PASID_CAP_WIDTH) >> 8, 20u);
	KUNIT_EXPECT_NE(test, t.f->ats_ecap, 0);
	KUNIT_ASSERT_NE(test, t.f->pri_ecap, 0);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, t.f->pri_ecap + PCI_PRI_MAX_REQ, 4), 1u);
	KUNIT_EXPECT_TRUE(test, pci_cfg_read(t.f, t.f->pri_ecap + PCI_PRI_STATUS, 2) &
					PCI_PRI_STATUS_PASID);

	/* A PASID width past PCIe's is a wrong description. */
	f = pci_func_alloc(0, 0, 0, EDU_VENDOR_ID, EDU_DEVICE_ID, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_func_free, f), 0);
	desc.pasid_bits = 21;
	KUNIT_EXPECT_EQ(test, edu_device_kind.create(f, &desc), -EINVAL);
}

static void registers(struct kunit *test)
{
	struct edu_test t;
	static const u32 facts[] = {1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800,
				    39916800, 479001600, 1932053504 /* 13! mod 2^32 */};

	edu_setup(test, &t);
	/* Liveness: the inverse of what was written. */
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_LIVENESS), 0ull);
	wr(&t, EDU_LIVENESS, 0x12345678);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_LIVENESS), (u64)(u32)~0x12345678u);
	/* The identification is read-only. */
	wr(&t, EDU_ID, 0);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_ID), (u64)EDU_ID_VALUE);

	for (u32 n = 0; n < ARRAY_SIZE(facts); n++) {
		wr(&t, EDU_FACTORIAL, n);
		KUNIT_EXPECT_EQ(test, rd(&t, EDU_FACTORIAL), (u64)facts[n]);
	}
	/* Huge arguments: the 32-bit product is 0 from 34! on, and comes back at once. */
	wr(&t, EDU_FACTORIAL, 33);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_FACTORIAL), 2147483648ull);
	wr(&t, EDU_FACTORIAL, 34);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_FACTORIAL), 0ull);
	wr(&t, EDU_FACTORIAL, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_FACTORIAL), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_STATUS), 0ull);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);

	/* Only IRQFACT of the status is writable. */
	wr(&t, EDU_STATUS, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_STATUS), (u64)EDU_STATUS_IRQFACT);
	wr(&t, EDU_FACTORIAL, 5);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_FACTORIAL), 120ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_STATUS), (u64)EDU_IRQ_FACT);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)1);
	wr(&t, EDU_STATUS, 0);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_STATUS), 0ull);

	/* Raise ORs into the status and signals; ack clears what it names. */
	wr(&t, EDU_IRQ_RAISE, 0x30);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_STATUS), (u64)(EDU_IRQ_FACT | 0x30));
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)2);
	wr(&t, EDU_IRQ_ACK, EDU_IRQ_FACT | 0x10);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_STATUS), 0x20ull);
	wr(&t, EDU_IRQ_STATUS, 0);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_STATUS), 0x20ull);
	/* Write-only and reserved registers read all-ones. */
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_RAISE), 0xffffffffull);
	KUNIT_EXPECT_EQ(test, rd(&t, 0x10), 0xffffffffull);
	KUNIT_EXPECT_EQ(test, rd(&t, 0xc0, 8), ~0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, 0x30000, 4), 0xffffffffull);

	/* Below 0x80 only 4-byte accesses; above, 4 or 8. */
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_ID, 1), 0xffull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_ID, 8), ~0ull);
	wr(&t, EDU_LIVENESS, 0, 2);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_LIVENESS), (u64)(u32)~0x12345678u);
	wr(&t, EDU_DMA_SRC, 0x1122334455667788ull, 8);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_SRC, 8), 0x1122334455667788ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_SRC, 4), 0x55667788ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_SRC + 4, 4), 0x11223344ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_SRC, 2), 0xffffull);
	wr(&t, EDU_DMA_SRC, 0xabcd, 2);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_SRC, 8), 0x1122334455667788ull);
	/* A 32-bit write of the low half sets the register, as QEMU; the high half then. */
	wr(&t, EDU_DMA_SRC, 0xcafe0000, 4);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_SRC, 8), 0xcafe0000ull);
	wr(&t, EDU_DMA_SRC + 4, 0x1, 4);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_SRC, 8), 0x1cafe0000ull);
	/* The engine's status and fault address are read-only; the PASID keeps its fields. */
	wr(&t, EDU_DMA_STATUS, 0xff, 4);
	wr(&t, EDU_DMA_FAULT_ADDR, 0x1234, 8);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_FAULT_ADDR, 8), 0ull);
	wr(&t, EDU_DMA_PASID, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_PASID), (u64)(EDU_DMA_PASID_VALID | EDU_DMA_PASID_MASK));
	/* A command without START starts nothing and is not kept. */
	wr(&t, EDU_DMA_CMD, EDU_DMA_CMD_TO_RAM, 8);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8), 0ull);

	/* The buffer takes any access size. */
	wr(&t, EDU_BUF_OFF + 3, 0xaa, 1);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_BUF_OFF, 4), 0xaa000000ull);
	wr(&t, EDU_BUF_OFF + EDU_BUF_SIZE - 8, 0x0102030405060708ull, 8);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_BUF_OFF + EDU_BUF_SIZE - 2, 2), 0x0102ull);
}

static void dma_both_directions(struct kunit *test)
{
	struct edu_test t;

	edu_setup(test, &t);
	for (unsigned int i = 0; i < EDU_BUF_SIZE; i++)
		t.mem.va[i] = (u8)(i * 7 + 1);
	/* RAM to the buffer, the QEMU document's first example shape. */
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, EDU_BUF_SIZE, 0), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8), 0ull);
	for (unsigned int i = 0; i < EDU_BUF_SIZE; i += 4)
		KUNIT_ASSERT_EQ(test, rd(&t, EDU_BUF_OFF + i), (u64)(*(u32 *)&t.mem.va[i]));
	/* The buffer to RAM, 100 bytes from the middle to an unaligned address. */
	KUNIT_EXPECT_EQ(test, dma(&t, EDU_BUF_OFF + 100, t.mem.pa + 0x2000 + 3, 100,
				  EDU_DMA_CMD_TO_RAM), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8), (u64)EDU_DMA_CMD_TO_RAM);
	KUNIT_EXPECT_EQ(test, memcmp(t.mem.va + 0x2000 + 3, t.mem.va + 100, 100), 0);
	KUNIT_EXPECT_EQ(test, t.mem.va[0x2000 + 2], 0);
	KUNIT_EXPECT_EQ(test, t.mem.va[0x2000 + 103], 0);
	/* Across a page boundary: two chunks, one transfer. */
	fill_buf(&t, 0x5a);
	KUNIT_EXPECT_EQ(test, dma(&t, EDU_BUF_OFF, t.mem.pa + 0x1800, 0x1000, EDU_DMA_CMD_TO_RAM),
			0ull);
	for (unsigned int i = 0; i < 0x1000; i++)
		KUNIT_ASSERT_EQ(test, t.mem.va[0x1800 + i], 0x5a);
	/* The last byte of the buffer alone. */
	t.mem.va[0x3000] = 0xee;
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa + 0x3000, EDU_BUF_OFF + EDU_BUF_SIZE - 1, 1, 0),
			0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_BUF_OFF + EDU_BUF_SIZE - 4), 0xee5a5a5aull);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);
}

static void dma_interrupts(struct kunit *test)
{
	struct edu_test t;

	edu_setup(test, &t);
	/* MSI-X: the end of a transfer on vector 1, EDU_IRQ_DMA in the status. */
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 64, EDU_DMA_CMD_IRQ), 0ull);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, EDU_MSIX_VEC_DMA), (size_t)1);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)1);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_STATUS), (u64)EDU_IRQ_DMA);
	wr(&t, EDU_IRQ_ACK, EDU_IRQ_DMA);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_STATUS), 0ull);
	/* A failed transfer ends too, and says so. */
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 0, EDU_DMA_CMD_IRQ),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_RANGE));
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, EDU_MSIX_VEC_DMA), (size_t)2);
	/* A masked vector is pending, delivered when unmasked. */
	pci_msix_vector_mask(t.f, EDU_MSIX_VEC_DMA, true);
	dma(&t, EDU_BUF_OFF, t.mem.pa, 8, EDU_DMA_CMD_TO_RAM | EDU_DMA_CMD_IRQ);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, EDU_MSIX_VEC_DMA), (size_t)2);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_MSIX_PBA, 8), 1ull << EDU_MSIX_VEC_DMA);
	pci_msix_vector_mask(t.f, EDU_MSIX_VEC_DMA, false);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, EDU_MSIX_VEC_DMA), (size_t)3);

	/* MSI instead: everything on its one vector. */
	pci_msix_set_enable(t.f, false);
	pci_msi_set_enable(t.f, true, 1);
	dma(&t, t.mem.pa, EDU_BUF_OFF, 8, EDU_DMA_CMD_IRQ);
	wr(&t, EDU_IRQ_RAISE, 0x4);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSI, 0), (size_t)2);
	/* Neither enabled: the status alone. */
	pci_msi_set_enable(t.f, false, 0);
	wr(&t, EDU_IRQ_RAISE, 0x8);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)5);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_STATUS), (u64)(EDU_IRQ_DMA | 0xc));
}

static void refused_dma_sets_error(struct kunit *test)
{
	struct edu_test t;

	edu_setup(test, &t);
	/* The second page refused: the first chunk lands, the error names the second. */
	t.port.base.deny_start = t.mem.pa + 0x1000;
	t.port.base.deny_end = t.mem.pa + 0x2000;
	fill_buf(&t, 0x77);
	KUNIT_EXPECT_EQ(test, dma(&t, EDU_BUF_OFF, t.mem.pa + 0xf00, 0x200,
				  EDU_DMA_CMD_TO_RAM | EDU_DMA_CMD_IRQ),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT));
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_FAULT_ADDR, 8), t.mem.pa + 0x1000);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8) & EDU_DMA_CMD_START, 0ull);
	KUNIT_EXPECT_EQ(test, t.mem.va[0xfff], 0x77);
	KUNIT_EXPECT_EQ(test, t.mem.va[0x1000], 0);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, EDU_MSIX_VEC_DMA), (size_t)1);
	/* A read refused: the exact address, not the page. */
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa + 0x1234, EDU_BUF_OFF, 16, 0),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT));
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_FAULT_ADDR, 8), t.mem.pa + 0x1234);
	/* The next good transfer clears the status and the address. */
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 16, 0), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_FAULT_ADDR, 8), 0ull);
	/* Bus mastering off: refused before the IOMMU sees it. */
	pci_cfg_write(t.f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	unsigned long before = t.port.base.translations;
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 16, 0),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT));
	KUNIT_EXPECT_EQ(test, t.port.base.translations, before);
}

static void hostile_values(struct kunit *test)
{
	struct edu_test t;
	const u64 range = EDU_DMA_STS_ERROR | EDU_DMA_STS_RANGE;

	edu_setup(test, &t);
	unsigned long before = t.port.base.translations;
	/* Count zero, past the buffer, huge; buffer-side address outside it or wrapping. */
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 0, 0), range);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, EDU_BUF_SIZE + 1, 0), range);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, ~0ull, 0), range);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF + 1, EDU_BUF_SIZE, 0), range);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF + EDU_BUF_SIZE, 1, 0), range);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF - 1, 2, 0), range);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, 0, 16, 0), range);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, ~0ull, 16, 0), range);
	KUNIT_EXPECT_EQ(test, dma(&t, ~0ull - 4, t.mem.pa, 16, EDU_DMA_CMD_TO_RAM), range);
	/* A 32-bit count write: 0x100000000 would have been out of range too. */
	wr(&t, EDU_DMA_CNT + 4, 1, 4);
	wr(&t, EDU_DMA_CMD, EDU_DMA_CMD_START, 4);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), range);
	KUNIT_EXPECT_EQ(test, t.port.base.translations, before);

	/* A RAM address wrapping past 2^64 is a malformed request: refused. */
	KUNIT_EXPECT_EQ(test, dma(&t, ~0ull - 7, EDU_BUF_OFF, 16, 0),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT));
	/* Unaligned everything still works. */
	t.mem.va[0x1001] = 0x42;
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa + 0x1001, EDU_BUF_OFF + 0x333, 1, 0), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_BUF_OFF + 0x330), 0x42000000ull);

	/* A PASID on a function without the capability. */
	wr(&t, EDU_DMA_PASID, EDU_DMA_PASID_VALID | 1);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 16, 0),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_PASID));
}

static void pasid_dma(struct kunit *test)
{
	struct platform_device_desc desc = pri_desc();
	struct edu_test t;

	desc.pasid_bits = 8;
	desc.pri = false;
	edu_setup(test, &t, desc);
	/* Past the width: refused by the function itself. */
	wr(&t, EDU_DMA_PASID, EDU_DMA_PASID_VALID | 256);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 16, 0),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_PASID));
	/* Within it: the transfer carries the PASID (the port denies, so the request shows it). */
	t.port.send_requests = true;
	t.port.base.deny_start = t.mem.pa;
	t.port.base.deny_end = t.mem.pa + PAGE_SIZE;
	wr(&t, EDU_DMA_PASID, EDU_DMA_PASID_VALID | 255);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa + 8, EDU_BUF_OFF, 16, 0),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT));
	KUNIT_EXPECT_TRUE(test, t.port.last.has_pasid);
	KUNIT_EXPECT_EQ(test, t.port.last.pasid, 255u);
	/* No PRI capability: no wait, whatever the IOMMU says it sent. */
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8) & EDU_DMA_CMD_START, 0ull);
	/* Without VALID, no PASID. */
	wr(&t, EDU_DMA_PASID, 255);
	dma(&t, t.mem.pa + 8, EDU_BUF_OFF, 16, 0);
	KUNIT_EXPECT_FALSE(test, t.port.last.has_pasid);
}

static struct pci_pri_msg response(const struct pci_pri_msg &req, u8 code)
{
	struct pci_pri_msg r = req;

	r.type = PCI_PRI_PRG_RESPONSE;
	r.code = code;
	return r;
}

static u16 pri_status(struct edu_test *t)
{
	return pci_cfg_read(t->f, t->f->pri_ecap + PCI_PRI_STATUS, 2);
}

static void page_request_and_retry(struct kunit *test)
{
	struct edu_test t;
	struct pci_pri_msg r;

	edu_setup(test, &t, pri_desc());
	t.port.send_requests = true;
	t.port.base.deny_start = t.mem.pa + 0x1000;
	t.port.base.deny_end = t.mem.pa + 0x2000;
	fill_buf(&t, 0x3c);

	/* Refused with a page request: the transfer waits, START stays. */
	KUNIT_EXPECT_EQ(test, dma(&t, EDU_BUF_OFF, t.mem.pa + 0x800, 0x1000,
				  EDU_DMA_CMD_TO_RAM | EDU_DMA_CMD_IRQ),
			(u64)EDU_DMA_STS_PAGE_REQ);
	KUNIT_EXPECT_EQ(test, t.port.requests.load(), 1u);
	KUNIT_EXPECT_EQ(test, t.port.last.addr, t.mem.pa + 0x1000);
	KUNIT_EXPECT_TRUE(test, t.port.last.write);
	KUNIT_EXPECT_FALSE(test, t.port.last.has_pasid);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8) & EDU_DMA_CMD_START, (u64)EDU_DMA_CMD_START);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_FAULT_ADDR, 8), t.mem.pa + 0x1000);
	KUNIT_EXPECT_EQ(test, t.mem.va[0xfff], 0x3c);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);
	/* A new command while it waits is ignored. */
	wr(&t, EDU_DMA_CMD, EDU_DMA_CMD_START, 8);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8),
			(u64)(EDU_DMA_CMD_START | EDU_DMA_CMD_TO_RAM | EDU_DMA_CMD_IRQ));

	/* A response for another page is unexpected, and changes nothing. */
	r = response(t.port.last, PCI_PRG_RESP_SUCCESS);
	r.addr += PAGE_SIZE;
	KUNIT_EXPECT_TRUE(test, pci_pri_deliver(t.f, &r));
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), (u64)EDU_DMA_STS_PAGE_REQ);
	KUNIT_EXPECT_TRUE(test, pri_status(&t) & PCI_PRI_STATUS_UPRGI);

	/* The page made present, then Success: the transfer goes on and ends. */
	t.port.base.deny_end = 0;
	r = response(t.port.last, PCI_PRG_RESP_SUCCESS);
	pci_pri_deliver(t.f, &r);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8) & EDU_DMA_CMD_START, 0ull);
	for (unsigned int i = 0; i < 0x1000; i++)
		KUNIT_ASSERT_EQ(test, t.mem.va[0x800 + i], 0x3c);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, EDU_MSIX_VEC_DMA), (size_t)1);
	KUNIT_EXPECT_EQ(test, t.port.requests.load(), 1u);

	/* Success without the page: refused again, a second request, still waiting. */
	t.port.base.deny_start = t.mem.pa;
	t.port.base.deny_end = t.mem.pa + PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa + 0x10, EDU_BUF_OFF, 16, 0),
			(u64)EDU_DMA_STS_PAGE_REQ);
	KUNIT_EXPECT_FALSE(test, t.port.last.write);
	r = response(t.port.last, PCI_PRG_RESP_SUCCESS);
	pci_pri_deliver(t.f, &r);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), (u64)EDU_DMA_STS_PAGE_REQ);
	KUNIT_EXPECT_EQ(test, t.port.requests.load(), 3u);
	/* Invalid: the transfer fails. */
	r = response(t.port.last, PCI_PRG_RESP_INVALID);
	pci_pri_deliver(t.f, &r);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT | EDU_DMA_STS_PRG_FAIL));
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8) & EDU_DMA_CMD_START, 0ull);
	KUNIT_EXPECT_FALSE(test, pri_status(&t) & PCI_PRI_STATUS_RF);
	/* Failure: fails too, and the PRI capability says Response Failure. */
	dma(&t, t.mem.pa + 0x10, EDU_BUF_OFF, 16, 0);
	r = response(t.port.last, PCI_PRG_RESP_FAILURE);
	pci_pri_deliver(t.f, &r);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT | EDU_DMA_STS_PRG_FAIL));
	KUNIT_EXPECT_TRUE(test, pri_status(&t) & PCI_PRI_STATUS_RF);
	/* Nothing waits now: any response is unexpected. */
	pci_cfg_write(t.f, t.f->pri_ecap + PCI_PRI_STATUS, PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI, 2);
	pci_pri_deliver(t.f, &r);
	rd(&t, EDU_DMA_STATUS);
	KUNIT_EXPECT_TRUE(test, pri_status(&t) & PCI_PRI_STATUS_UPRGI);

	/* No page request sent (the IOMMU says nothing): a plain failure. */
	t.port.send_requests = false;
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa + 0x10, EDU_BUF_OFF, 16, 0),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT));
}

/* An answer given inside the request (nobody handles page faults): no wait at all. */
static void immediate_response(struct kunit *test)
{
	struct edu_test t;

	edu_setup(test, &t, pri_desc());
	t.port.send_requests = true;
	t.port.base.deny_start = t.mem.pa;
	t.port.base.deny_end = t.mem.pa + PAGE_SIZE;
	t.port.base.port.translate = [](struct pci_dma_port *port, struct pci_func *f, u32 pasid,
					bool has_pasid, u64 iova, bool write, phys_addr_t *pa,
					u64 *contig) {
		struct edu_port *p = (struct edu_port *)port->priv;
		int rc = edu_port_translate(port, f, pasid, has_pasid, iova, write, pa, contig);

		if (rc != PCI_DMA_OK) {
			struct pci_pri_msg r = response(p->last, PCI_PRG_RESP_INVALID);

			pci_pri_deliver(f, &r);
		}
		return rc;
	};
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 16, 0),
			(u64)(EDU_DMA_STS_ERROR | EDU_DMA_STS_FAULT | EDU_DMA_STS_PRG_FAIL));
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8) & EDU_DMA_CMD_START, 0ull);
	KUNIT_EXPECT_FALSE(test, pri_status(&t) & PCI_PRI_STATUS_UPRGI);
}

/* A PASID transfer waits for the response with that PASID only. */
static void pasid_page_request(struct kunit *test)
{
	struct edu_test t;
	struct pci_pri_msg r;

	edu_setup(test, &t, pri_desc());
	t.port.send_requests = true;
	t.port.base.deny_start = t.mem.pa;
	t.port.base.deny_end = t.mem.pa + PAGE_SIZE;
	wr(&t, EDU_DMA_PASID, EDU_DMA_PASID_VALID | 0x12345);
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 16, 0), (u64)EDU_DMA_STS_PAGE_REQ);
	KUNIT_EXPECT_TRUE(test, t.port.last.has_pasid);
	KUNIT_EXPECT_EQ(test, t.port.last.pasid, 0x12345u);
	t.port.base.deny_end = 0;
	r = response(t.port.last, PCI_PRG_RESP_SUCCESS);
	r.pasid = 0x12344;
	pci_pri_deliver(t.f, &r);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), (u64)EDU_DMA_STS_PAGE_REQ);
	r = response(t.port.last, PCI_PRG_RESP_SUCCESS);
	r.has_pasid = false;
	pci_pri_deliver(t.f, &r);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), (u64)EDU_DMA_STS_PAGE_REQ);
	r = response(t.port.last, PCI_PRG_RESP_SUCCESS);
	pci_pri_deliver(t.f, &r);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), 0ull);
}

static std::atomic<unsigned int> worker_irqs;

static void count_irq(struct pci_func *f, enum pci_irq_type type, unsigned int vector)
{
	if (type == PCI_IRQ_MSIX && vector == EDU_MSIX_VEC_DMA)
		worker_irqs++;
}

/* Nobody touches the registers after the response: the function still finishes and signals. */
static void retry_without_register_access(struct kunit *test)
{
	struct edu_test t;
	struct pci_pri_msg r;

	edu_setup(test, &t, pri_desc());
	t.f->irq = count_irq;
	worker_irqs = 0;
	t.port.send_requests = true;
	t.port.base.deny_start = t.mem.pa;
	t.port.base.deny_end = t.mem.pa + PAGE_SIZE;
	fill_buf(&t, 0x99);
	KUNIT_EXPECT_EQ(test, dma(&t, EDU_BUF_OFF, t.mem.pa, 64,
				  EDU_DMA_CMD_TO_RAM | EDU_DMA_CMD_IRQ),
			(u64)EDU_DMA_STS_PAGE_REQ);
	t.port.base.deny_end = 0;
	r = response(t.port.last, PCI_PRG_RESP_SUCCESS);
	pci_pri_deliver(t.f, &r);
	for (int i = 0; i < 5000 && !worker_irqs.load(); i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	KUNIT_EXPECT_EQ(test, worker_irqs.load(), 1u);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), 0ull);
	KUNIT_EXPECT_EQ(test, t.mem.va[63], 0x99);
}

static void flr(struct kunit *test)
{
	struct edu_test t;
	struct pci_pri_msg r;

	edu_setup(test, &t, pri_desc());
	wr(&t, EDU_LIVENESS, 1);
	wr(&t, EDU_FACTORIAL, 4);
	wr(&t, EDU_STATUS, EDU_STATUS_IRQFACT);
	wr(&t, EDU_IRQ_RAISE, 0x2);
	wr(&t, EDU_DMA_PASID, EDU_DMA_PASID_VALID | 3);
	fill_buf(&t, 0x11);
	t.port.send_requests = true;
	t.port.base.deny_start = t.mem.pa;
	t.port.base.deny_end = t.mem.pa + PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 16, 0), (u64)EDU_DMA_STS_PAGE_REQ);

	/* Through the PCIe capability, as vfio-pci resets it. */
	pci_cfg_write(t.f, t.f->pcie_cap + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, PCI_COMMAND, 2), 0u);
	/* Decode back on to look; mastering stays off until the response below. */
	pci_cfg_write(t.f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_LIVENESS), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_FACTORIAL), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_STATUS), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_IRQ_STATUS), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_PASID), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_CMD, 8), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_BUF_OFF, 8), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_ID), (u64)EDU_ID_VALUE);

	/* The abandoned transfer's response arrives: unexpected, nothing starts. */
	pci_cfg_write(t.f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	t.port.base.deny_end = 0;
	r = response(t.port.last, PCI_PRG_RESP_SUCCESS);
	pci_pri_deliver(t.f, &r);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_DMA_STATUS), 0ull);
	KUNIT_EXPECT_TRUE(test, pri_status(&t) & PCI_PRI_STATUS_UPRGI);
	KUNIT_EXPECT_EQ(test, rd(&t, EDU_BUF_OFF, 8), 0ull);
	/* And the function works as new. */
	KUNIT_EXPECT_EQ(test, dma(&t, t.mem.pa, EDU_BUF_OFF, 16, 0), 0ull);
}

static struct kunit_case edu_cases[] = {
	KUNIT_CASE(identification),
	KUNIT_CASE(pasid_ats_pri_capabilities),
	KUNIT_CASE(registers),
	KUNIT_CASE(dma_both_directions),
	KUNIT_CASE(dma_interrupts),
	KUNIT_CASE(refused_dma_sets_error),
	KUNIT_CASE(hostile_values),
	KUNIT_CASE(pasid_dma),
	KUNIT_CASE(page_request_and_retry),
	KUNIT_CASE(immediate_response),
	KUNIT_CASE(pasid_page_request),
	KUNIT_CASE(retry_without_register_access),
	KUNIT_CASE(flr),
	{}
};

static struct kunit_suite edu_suite = {
	.name = "platform-edu",
	.test_cases = edu_cases,
};
kunit_test_suite(edu_suite);
