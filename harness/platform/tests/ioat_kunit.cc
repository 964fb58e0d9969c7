// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the I/OAT channel model (dev_ioat.cc), driven through its
 * registers the way the kernel's ioat drivers drive it: the VFIO
 * selftests' init/reset/memcpy/send_msi sequence, descriptor chains and
 * appends, completion writeback, interrupts and their rearming, every
 * error the model raises, and hostile register values (counts, loops,
 * misaligned addresses) that must end in an error state, never a hang.
 */
#include "pci_test.h"

#include "harness/platform/ioat_hw.h"

extern const struct platform_device_kind ioat_device_kind;

#define CHAN(reg) (IOAT_CHANNEL_MMIO_SIZE + (reg))

struct ioat_test {
	struct test_dma_port port;
	struct test_irq_log log;
	struct pci_func *f;
	/* Descriptors in the first page, data after. */
	struct test_mem mem;
};

static u64 rd(struct ioat_test *t, u64 off, unsigned int size)
{
	return pci_bar_read(t->f, IOAT_MMIO_BAR, off, size);
}

static void wr(struct ioat_test *t, u64 off, u64 val, unsigned int size)
{
	pci_bar_write(t->f, IOAT_MMIO_BAR, off, val, size);
}

static u64 chansts(struct ioat_test *t)
{
	return rd(t, CHAN(IOAT_CHANSTS_OFFSET), 8);
}

static u32 chanerr(struct ioat_test *t)
{
	return rd(t, CHAN(IOAT_CHANERR_OFFSET), 4);
}

static struct ioat_dma_descriptor *desc_at(struct ioat_test *t, unsigned int i)
{
	return (struct ioat_dma_descriptor *)(t->mem.va + i * IOAT_DESC_SZ);
}

static u64 desc_pa(struct ioat_test *t, unsigned int i)
{
	return t->mem.pa + i * IOAT_DESC_SZ;
}

#define DATA_OFF 0x1000
#define MEM_SIZE 0x10000

static u64 data_pa(struct ioat_test *t, u64 off)
{
	return t->mem.pa + DATA_OFF + off;
}

static u8 *data_va(struct ioat_test *t, u64 off)
{
	return t->mem.va + DATA_OFF + off;
}

/* The selftest driver's reset: clear the logs, reset, see HALTED. */
static void ioat_sw_reset(struct kunit *test, struct ioat_test *t)
{
	pci_cfg_write(t->f, IOAT_PCI_CHANERR_INT_OFFSET,
		      pci_cfg_read(t->f, IOAT_PCI_CHANERR_INT_OFFSET, 4), 4);
	pci_cfg_write(t->f, IOAT_PCI_DMAUNCERRSTS_OFFSET,
		      pci_cfg_read(t->f, IOAT_PCI_DMAUNCERRSTS_OFFSET, 4), 4);
	wr(t, CHAN(IOAT_CHANERR_OFFSET), chanerr(t), 4);
	wr(t, CHAN(IOAT2_CHANCMD_OFFSET), IOAT_CHANCMD_RESET, 1);
	KUNIT_EXPECT_EQ(test, rd(t, CHAN(IOAT2_CHANCMD_OFFSET), 1), 0ull);
	KUNIT_EXPECT_EQ(test, chansts(t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_HALTED);
}

/* The selftest driver's init: decode, mastering, reset, MSI-X on vector 0. */
static void ioat_setup(struct kunit *test, struct ioat_test *t)
{
	t->f = test_func_create(test, &ioat_device_kind, platform_device_desc(), &t->port, &t->log);
	t->mem = test_mem_alloc(test, MEM_SIZE);
	pci_cfg_write(t->f, PCI_COMMAND,
		      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE, 2);
	ioat_sw_reset(test, t);
	wr(t, IOAT_INTRCTRL_OFFSET, IOAT_INTRCTRL_MSIX_VECTOR_CONTROL, 1);
	pci_msix_set_enable(t->f, true);
}

static void set_desc(struct ioat_test *t, unsigned int i, u32 size, u32 ctl, u64 src, u64 dst,
		     u64 next)
{
	*desc_at(t, i) = { .size = size, .ctl = ctl, .src_addr = src, .dst_addr = dst, .next = next };
}

/* Start a chain at descriptor @first, as memcpy_start does. */
static void start(struct ioat_test *t, unsigned int first, u16 chanctrl, u16 count)
{
	wr(t, CHAN(IOAT2_CHAINADDR_OFFSET), desc_pa(t, first), 8);
	wr(t, CHAN(IOAT_CHANCTRL_OFFSET), chanctrl, 2);
	wr(t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), count, 2);
}

static void identification(struct kunit *test)
{
	struct ioat_test t;

	ioat_setup(test, &t);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, PCI_VENDOR_ID, 4), 0x20218086u);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_VER_OFFSET, 1), (u64)IOAT_VER_3_3);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_XFERCAP_OFFSET, 1), (u64)IOAT_XFERCAP_4KB);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_CHANCNT_OFFSET, 1), 1ull);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_DMA_CAP_OFFSET, 4), (u64)IOAT_CAP_FILL_BLOCK);
	/* Read-only identification stays. */
	wr(&t, IOAT_CHANCNT_OFFSET, 0xffffffffffffffffull, 8);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_VER_OFFSET, 1), (u64)IOAT_VER_3_3);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_CHANCNT_OFFSET, 2), 0x0c01ull);
	/* BAR0: 16 KiB, 64-bit, mmap-able; MSI-X one vector, table 0x2000, PBA 0x3000. */
	KUNIT_EXPECT_EQ(test, t.f->bars[0].size, 0x4000ull);
	KUNIT_EXPECT_TRUE(test, t.f->bars[0].mmap);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, PCI_BASE_ADDRESS_0, 4) & 0xf,
			(u32)PCI_BASE_ADDRESS_MEM_TYPE_64);
	KUNIT_ASSERT_NE(test, pci_func_find_cap(t.f, PCI_CAP_ID_MSIX), 0);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, t.f->msix_cap + PCI_MSIX_FLAGS, 2) &
				      PCI_MSIX_FLAGS_QSIZE, 0u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, t.f->msix_cap + PCI_MSIX_TABLE, 4), 0x2000u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, t.f->msix_cap + PCI_MSIX_PBA, 4), 0x3000u);
	KUNIT_ASSERT_NE(test, pci_func_find_cap(t.f, PCI_CAP_ID_EXP), 0);
	KUNIT_EXPECT_EQ(test, (pci_cfg_read(t.f, t.f->pcie_cap + PCI_EXP_FLAGS, 2) &
			       PCI_EXP_FLAGS_TYPE) >> 4, (u32)PCI_EXP_TYPE_RC_END);
	/* The vendor error logs in extended config space are W1C. */
	pci_cfg_hw_set(t.f, IOAT_PCI_DMAUNCERRSTS_OFFSET, 0x10, 4);
	pci_cfg_write(t.f, IOAT_PCI_DMAUNCERRSTS_OFFSET, 0, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, IOAT_PCI_DMAUNCERRSTS_OFFSET, 4), 0x10u);
	pci_cfg_write(t.f, IOAT_PCI_DMAUNCERRSTS_OFFSET, 0x10, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, IOAT_PCI_DMAUNCERRSTS_OFFSET, 4), 0u);
	pci_cfg_write(t.f, IOAT_PCI_CHANERRMASK_INT_OFFSET, 0x300, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, IOAT_PCI_CHANERRMASK_INT_OFFSET, 4), 0x300u);
	/* No PASID, ATS or PRI on this part. */
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, PCI_CFG_EXT_CAP_START, 4), 0u);
}

static void reset_halts(struct kunit *test)
{
	struct ioat_test t;

	ioat_setup(test, &t);
	/* After a run the channel is DONE; a reset halts it and clears the counts. */
	set_desc(&t, 0, 8, 0, data_pa(&t, 0), data_pa(&t, 8), desc_pa(&t, 0));
	start(&t, 0, 0, 3);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 0) | IOAT_CHANSTS_DONE);
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2), 3ull);
	ioat_sw_reset(test, &t);
	KUNIT_EXPECT_EQ(test, chansts(&t), (u64)IOAT_CHANSTS_HALTED);
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2), 0ull);
	/* A halted channel without a new chain does nothing for DMACOUNT. */
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 1, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t), (u64)IOAT_CHANSTS_HALTED);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);
}

static void copy_chain_and_append(struct kunit *test)
{
	static const u32 sizes[] = { 1, 100, 4096, 63 };
	struct ioat_test t;
	u64 src = 0, dst = 0x8000;

	ioat_setup(test, &t);
	for (unsigned int i = 0; i < 0x4000; i++)
		*data_va(&t, i) = (u8)(i * 7 + 3);
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		set_desc(&t, i, sizes[i], 0, data_pa(&t, src), data_pa(&t, dst), desc_pa(&t, i + 1));
		src += sizes[i];
		dst += sizes[i];
	}
	start(&t, 0, IOAT_CHANCTRL_INT_REARM | IOAT_CHANCTRL_ANY_ERR_ABORT_EN, 4);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 3) | IOAT_CHANSTS_DONE);
	KUNIT_EXPECT_EQ(test, memcmp(data_va(&t, 0x8000), data_va(&t, 0), src), 0);
	KUNIT_EXPECT_EQ(test, *data_va(&t, 0x8000 + src), 0);
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT_CDAR_OFFSET), 8), desc_pa(&t, 3));

	/* The same count again is no new work. */
	memset(data_va(&t, 0x8000), 0, src);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 4, 2);
	KUNIT_EXPECT_EQ(test, *data_va(&t, 0x8000), 0);

	/* Appending: descriptor 4 is where descriptor 3's next points. */
	set_desc(&t, 4, 16, 0, data_pa(&t, 0x100), data_pa(&t, 0x9000), 0);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 5, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 4) | IOAT_CHANSTS_DONE);
	KUNIT_EXPECT_EQ(test, memcmp(data_va(&t, 0x9000), data_va(&t, 0x100), 16), 0);
	KUNIT_EXPECT_EQ(test, *data_va(&t, 0x8000), 0);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);
	KUNIT_EXPECT_EQ(test, chanerr(&t), 0u);
}

/* The VFIO selftest's memcpy_start/memcpy_wait, twice, and its send_msi. */
static void selftest_sequence(struct kunit *test)
{
	struct ioat_test t;
	u16 chanctrl = IOAT_CHANCTRL_INT_REARM | IOAT_CHANCTRL_ANY_ERR_ABORT_EN;

	ioat_setup(test, &t);
	memset(data_va(&t, 0), 'x', 4096);
	memset(data_va(&t, 0x4000), 'y', 4096);
	for (int round = 0; round < 2; round++) {
		/* One descriptor linked to itself, run @count times. */
		set_desc(&t, 0, 4096, 0, data_pa(&t, 0), data_pa(&t, 0x4000), desc_pa(&t, 0));
		start(&t, 0, chanctrl, round ? 1 : 100);
		KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_DONE);
		KUNIT_EXPECT_EQ(test, memcmp(data_va(&t, 0), data_va(&t, 0x4000), 4096), 0);
		wr(&t, CHAN(IOAT2_CHANCMD_OFFSET), IOAT_CHANCMD_SUSPEND, 1);
		KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS,
				(u64)IOAT_CHANSTS_SUSPENDED);
		memset(data_va(&t, 0), 'z', 4096);
	}
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);

	/* send_msi: one 8-byte copy with int_en: exactly one message on vector 0. */
	set_desc(&t, 0, 8, IOAT_DESC_INT_EN, data_pa(&t, 0), data_pa(&t, 8), desc_pa(&t, 0));
	start(&t, 0, chanctrl, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_DONE);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)1);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)1);
}

static void refused_translation_halts(struct kunit *test)
{
	struct ioat_test t;
	u16 chanctrl = IOAT_CHANCTRL_INT_REARM | IOAT_CHANCTRL_ANY_ERR_ABORT_EN;

	ioat_setup(test, &t);
	/* An unmapped source: read data error, no interrupt even with int_en. */
	t.port.deny_start = 0xdead0000;
	t.port.deny_end = 0xdead0000 + 0x10000;
	set_desc(&t, 0, 64, IOAT_DESC_INT_EN, 0xdead0000, data_pa(&t, 0), desc_pa(&t, 0));
	start(&t, 0, chanctrl, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_HALTED);
	KUNIT_EXPECT_EQ(test, chanerr(&t), (u32)IOAT_CHANERR_READ_DATA_ERR);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, IOAT_PCI_CHANERR_INT_OFFSET, 4),
			(u32)IOAT_CHANERR_READ_DATA_ERR);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);
	/* With errors logged the channel starts nothing, even with a new chain. */
	set_desc(&t, 1, 64, 0, data_pa(&t, 0), data_pa(&t, 64), desc_pa(&t, 1));
	start(&t, 1, chanctrl, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_HALTED);

	/* Cleared and reset, an unmapped destination: write data error. */
	ioat_sw_reset(test, &t);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, IOAT_PCI_CHANERR_INT_OFFSET, 4), 0u);
	set_desc(&t, 0, 64, 0, data_pa(&t, 0), 0xdead0000, desc_pa(&t, 0));
	start(&t, 0, chanctrl, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_HALTED);
	KUNIT_EXPECT_EQ(test, chanerr(&t), (u32)IOAT_CHANERR_WRITE_DATA_ERR);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);

	/* And then a good copy works again. */
	ioat_sw_reset(test, &t);
	set_desc(&t, 0, 64, 0, data_pa(&t, 0), data_pa(&t, 64), desc_pa(&t, 0));
	start(&t, 0, chanctrl, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 0) | IOAT_CHANSTS_DONE);

	/* The chain itself refused: a chain address error. */
	ioat_sw_reset(test, &t);
	t.port.deny_start = t.mem.pa;
	t.port.deny_end = t.mem.pa + PAGE_SIZE;
	start(&t, 0, chanctrl, 1);
	KUNIT_EXPECT_EQ(test, chanerr(&t), (u32)IOAT_CHANERR_CHAIN_ADDR_VALUE_ERR);
	/* Bus mastering off: the same from the descriptor fetch. */
	ioat_sw_reset(test, &t);
	t.port.deny_end = 0;
	pci_cfg_write(t.f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	start(&t, 0, chanctrl, 1);
	KUNIT_EXPECT_EQ(test, chanerr(&t), (u32)IOAT_CHANERR_CHAIN_ADDR_VALUE_ERR);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);
}

static void interrupts(struct kunit *test)
{
	struct ioat_test t;

	ioat_setup(test, &t);
	/* Three descriptors asking for an interrupt, one arming: one message, then disarmed. */
	for (unsigned int i = 0; i < 3; i++)
		set_desc(&t, i, 8, IOAT_DESC_INT_EN, data_pa(&t, 0), data_pa(&t, 8 * (i + 1)),
			 desc_pa(&t, i + 1));
	start(&t, 0, IOAT_CHANCTRL_INT_REARM, 3);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)1);
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT_CHANCTRL_OFFSET), 2) & IOAT_CHANCTRL_INT_REARM, 0ull);
	/* ATTNSTATUS says channel 0 wants attention, and reading it clears it. */
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_INTRCTRL_OFFSET, 1),
			(u64)(IOAT_INTRCTRL_MSIX_VECTOR_CONTROL | IOAT_INTRCTRL_INT_STATUS));
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_ATTNSTATUS_OFFSET, 4), 1ull);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_ATTNSTATUS_OFFSET, 4), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_INTRCTRL_OFFSET, 1),
			(u64)IOAT_INTRCTRL_MSIX_VECTOR_CONTROL);

	/* Not armed: no message. */
	ioat_sw_reset(test, &t);
	start(&t, 0, 0, 3);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)1);
	/* Rearmed, appended: one more. */
	set_desc(&t, 3, 8, IOAT_DESC_INT_EN, data_pa(&t, 0), data_pa(&t, 64), desc_pa(&t, 0));
	wr(&t, CHAN(IOAT_CHANCTRL_OFFSET), IOAT_CHANCTRL_INT_REARM, 2);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 4, 2);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)2);
	/* Masked vector: the message waits in the PBA, and comes on unmask. */
	wr(&t, CHAN(IOAT_CHANCTRL_OFFSET), IOAT_CHANCTRL_INT_REARM, 2);
	pci_msix_vector_mask(t.f, 0, true);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 5, 2);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)2);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_MSIX_PBA_OFFSET, 8), 1ull);
	pci_msix_vector_mask(t.f, 0, false);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)3);
	/* Without MSIX_VECTOR_CONTROL the channel's interrupt has nowhere to go. */
	wr(&t, IOAT_INTRCTRL_OFFSET, 0, 1);
	wr(&t, CHAN(IOAT_CHANCTRL_OFFSET), IOAT_CHANCTRL_INT_REARM, 2);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 6, 2);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)3);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_ATTNSTATUS_OFFSET, 4), 1ull);
}

static void error_interrupt_and_completion(struct kunit *test)
{
	struct ioat_test t;
	u64 *completion;
	u64 cmp_pa;

	ioat_setup(test, &t);
	completion = (u64 *)(t.mem.va + 0xf00);
	cmp_pa = t.mem.pa + 0xf00;
	wr(&t, CHAN(IOAT_CHANCMP_OFFSET), cmp_pa, 8);
	/* compl_write: CHANSTS lands in memory, ACTIVE while more is due, DONE at the end. */
	set_desc(&t, 0, 8, IOAT_DESC_COMPL_WRITE, data_pa(&t, 0), data_pa(&t, 8), desc_pa(&t, 1));
	set_desc(&t, 1, 8, 0, data_pa(&t, 0), data_pa(&t, 16), desc_pa(&t, 2));
	start(&t, 0, 0, 2);
	KUNIT_EXPECT_EQ(test, *completion, desc_pa(&t, 0) | IOAT_CHANSTS_ACTIVE);
	set_desc(&t, 2, 8, IOAT_DESC_COMPL_WRITE, data_pa(&t, 0), data_pa(&t, 16), 0);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 3, 2);
	KUNIT_EXPECT_EQ(test, *completion, desc_pa(&t, 2) | IOAT_CHANSTS_DONE);

	/* On an error: the completion writeback and the error interrupt, when enabled. */
	ioat_sw_reset(test, &t);
	t.port.deny_start = 0xbad000;
	t.port.deny_end = 0xbad000 + PAGE_SIZE;
	set_desc(&t, 0, 8, 0, data_pa(&t, 0), data_pa(&t, 8), desc_pa(&t, 1));
	set_desc(&t, 1, 8, 0, 0xbad000, data_pa(&t, 8), desc_pa(&t, 1));
	start(&t, 0, IOAT_CHANCTRL_ERR_INT_EN | IOAT_CHANCTRL_ERR_COMPLETION_EN, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 0) | IOAT_CHANSTS_HALTED);
	KUNIT_EXPECT_EQ(test, *completion, desc_pa(&t, 0) | IOAT_CHANSTS_HALTED);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)1);

	/* A misaligned or refused completion address is an error of its own. */
	ioat_sw_reset(test, &t);
	wr(&t, CHAN(IOAT_CHANCMP_OFFSET), cmp_pa + 8, 8);
	set_desc(&t, 0, 8, IOAT_DESC_COMPL_WRITE, data_pa(&t, 0), data_pa(&t, 8), desc_pa(&t, 0));
	start(&t, 0, 0, 1);
	KUNIT_EXPECT_EQ(test, chanerr(&t), (u32)IOAT_CHANERR_COMPLETION_ADDR_ERR);
	ioat_sw_reset(test, &t);
	wr(&t, CHAN(IOAT_CHANCMP_OFFSET), 0xbad000, 8);
	start(&t, 0, 0, 1);
	KUNIT_EXPECT_EQ(test, chanerr(&t), (u32)IOAT_CHANERR_COMPLETION_ADDR_ERR);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)1);
}

static void suspend_resume_abort(struct kunit *test)
{
	struct ioat_test t;

	ioat_setup(test, &t);
	set_desc(&t, 0, 8, 0, data_pa(&t, 0), data_pa(&t, 8), desc_pa(&t, 1));
	set_desc(&t, 1, 8, 0, data_pa(&t, 0), data_pa(&t, 16), desc_pa(&t, 2));
	set_desc(&t, 2, 8, 0, data_pa(&t, 0), data_pa(&t, 24), desc_pa(&t, 3));
	start(&t, 0, 0, 1);
	wr(&t, CHAN(IOAT2_CHANCMD_OFFSET), IOAT_CHANCMD_SUSPEND, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 0) | IOAT_CHANSTS_SUSPENDED);
	/* Suspended: more count waits for RESUME. */
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 0) | IOAT_CHANSTS_SUSPENDED);
	wr(&t, CHAN(IOAT2_CHANCMD_OFFSET), IOAT_CHANCMD_RESUME, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 1) | IOAT_CHANSTS_DONE);
	/* Abort halts; only a new chain goes on. */
	wr(&t, CHAN(IOAT2_CHANCMD_OFFSET), IOAT_CHANCMD_ABORT, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_HALTED);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 3, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_HALTED);
	start(&t, 2, 0, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 2) | IOAT_CHANSTS_DONE);
	/* Suspending a halted channel leaves it halted. */
	ioat_sw_reset(test, &t);
	wr(&t, CHAN(IOAT2_CHANCMD_OFFSET), IOAT_CHANCMD_SUSPEND, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t), (u64)IOAT_CHANSTS_HALTED);
	/* Version 1 commands and two commands at once are command errors. */
	wr(&t, CHAN(IOAT2_CHANCMD_OFFSET), IOAT_CHANCMD_START, 1);
	KUNIT_EXPECT_EQ(test, chanerr(&t), (u32)IOAT_CHANERR_CHANCMD_ERR);
	ioat_sw_reset(test, &t);
	wr(&t, CHAN(IOAT2_CHANCMD_OFFSET), IOAT_CHANCMD_SUSPEND | IOAT_CHANCMD_ABORT, 1);
	KUNIT_EXPECT_EQ(test, chanerr(&t), (u32)IOAT_CHANERR_CHANCMD_ERR);
}

struct bad_desc_case {
	const char *name;
	u32 size, ctl;
	bool misalign_chain, misalign_next, refuse_next;
	u32 chanerr;
	/* Descriptors completed before the error (the bad one is the second). */
	bool second;
};

static const struct bad_desc_case bad_desc_cases[] = {
	{ "size over XFERCAP", 4097, 0, false, false, false, IOAT_CHANERR_LENGTH_ERR, false },
	{ "size 4 GiB - 1", 0xffffffff, 0, false, false, false, IOAT_CHANERR_LENGTH_ERR, false },
	{ "XOR opcode", 64, 0x87u << 24, false, false, false, IOAT_CHANERR_CONTROL_ERR, false },
	{ "opcode 0xff", 64, 0xffu << 24, false, false, false, IOAT_CHANERR_CONTROL_ERR, false },
	{ "reserved ctl bit", 64, 1u << 11, false, false, false, IOAT_CHANERR_CONTROL_ERR, false },
	{ "misaligned CHAINADDR", 64, 0, true, false, false, IOAT_CHANERR_CHAIN_ADDR_VALUE_ERR,
	  false },
	{ "misaligned next", 64, 0, false, true, false, IOAT_CHANERR_NEXT_DESC_ALIGN_ERR, true },
	{ "refused next", 64, 0, false, false, true, IOAT_CHANERR_NEXT_ADDR_ERR, true },
};
KUNIT_ARRAY_PARAM_DESC(bad_desc, bad_desc_cases, name);

static void bad_descriptor(struct kunit *test)
{
	const struct bad_desc_case *c = (const struct bad_desc_case *)test->param_value;
	struct ioat_test t;
	u64 next;

	ioat_setup(test, &t);
	next = c->misalign_next ? desc_pa(&t, 1) + 8 : c->refuse_next ? 0xbad000 : desc_pa(&t, 1);
	t.port.deny_start = 0xbad000;
	t.port.deny_end = 0xbad000 + PAGE_SIZE;
	if (c->second) {
		set_desc(&t, 0, 8, 0, data_pa(&t, 0), data_pa(&t, 8), next);
	} else {
		set_desc(&t, 0, c->size, c->ctl, data_pa(&t, 0), data_pa(&t, 0x8000), desc_pa(&t, 1));
	}
	set_desc(&t, 1, 8, 0, data_pa(&t, 0), data_pa(&t, 16), desc_pa(&t, 1));
	wr(&t, CHAN(IOAT2_CHAINADDR_OFFSET), desc_pa(&t, 0) + (c->misalign_chain ? 0x20 : 0), 8);
	wr(&t, CHAN(IOAT_CHANCTRL_OFFSET), IOAT_CHANCTRL_INT_REARM | IOAT_CHANCTRL_ANY_ERR_ABORT_EN, 2);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t),
			(c->second ? desc_pa(&t, 0) : 0) | IOAT_CHANSTS_HALTED);
	KUNIT_EXPECT_EQ(test, chanerr(&t), c->chanerr);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, IOAT_PCI_CHANERR_INT_OFFSET, 4), c->chanerr);
	KUNIT_EXPECT_EQ(test, t.log.events.size(), (size_t)0);
	/* Nothing was written for the bad descriptor. */
	KUNIT_EXPECT_EQ(test, *data_va(&t, 0x8000), 0);
	ioat_sw_reset(test, &t);
	KUNIT_EXPECT_EQ(test, chanerr(&t), 0u);
}

static void hostile_counts_and_loops(struct kunit *test)
{
	struct ioat_test t;

	ioat_setup(test, &t);
	/* A self-loop and the largest count: 65535 descriptors in one write, then DONE. */
	set_desc(&t, 0, 8, IOAT_DESC_INT_EN, data_pa(&t, 0), data_pa(&t, 8), desc_pa(&t, 0));
	start(&t, 0, IOAT_CHANCTRL_INT_REARM, 0xffff);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 0) | IOAT_CHANSTS_DONE);
	KUNIT_EXPECT_EQ(test, t.log.count(PCI_IRQ_MSIX, 0), (size_t)1);
	/* A smaller count wraps the 16-bit counter: 65535 more, still bounded. */
	t.port.translations = 0;
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 0xfffe, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 0) | IOAT_CHANSTS_DONE);
	KUNIT_EXPECT_EQ(test, t.port.translations, 3ul * 0xffff);
	/* Byte-wide writes of DMACOUNT are two register writes, each taken as it comes. */
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 0xff, 1);
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2), 0xffffull);
	/* 64-bit writes spanning several registers: CHANCMD, then DMACOUNT. */
	wr(&t, CHAN(0), (u64)0x1234 << 48 | (u64)IOAT_CHANCMD_SUSPEND << 32, 8);
	KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_SUSPENDED);
	/* Garbage everywhere in the channel and global registers never wedges the model. */
	for (unsigned int off = 0; off < 0x100; off += 8)
		wr(&t, off, 0xa5a5a5a5a5a5a5a5ull, 8);
	for (unsigned int off = 0; off < IOAT_MMIO_BAR_SIZE; off += 4)
		(void)rd(&t, off, 4);
	/* Reserved BAR space reads zero and ignores writes. */
	wr(&t, 0x1000, 0x55, 4);
	KUNIT_EXPECT_EQ(test, rd(&t, 0x1000, 4), 0ull);
	ioat_sw_reset(test, &t);
	/* An unaligned 64-bit read is a master abort, not a model access. */
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT_CHANSTS_OFFSET) + 4, 8), ~0ull);
}

static void decode_off_and_flr(struct kunit *test)
{
	struct ioat_test t;
	unsigned long aborts;

	ioat_setup(test, &t);
	set_desc(&t, 0, 8, 0, data_pa(&t, 0), data_pa(&t, 8), desc_pa(&t, 0));
	start(&t, 0, IOAT_CHANCTRL_INT_REARM, 1);
	KUNIT_EXPECT_EQ(test, chansts(&t) & IOAT_CHANSTS_STATUS, (u64)IOAT_CHANSTS_DONE);
	/* Memory decode off: reads all-ones, writes (a DMACOUNT kick) lost. */
	pci_cfg_write(t.f, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
	aborts = t.f->nr_master_aborts;
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_VER_OFFSET, 1), 0xffull);
	wr(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2, 2);
	KUNIT_EXPECT_EQ(test, t.f->nr_master_aborts, aborts + 2);
	pci_cfg_write(t.f, PCI_COMMAND, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY, 2);
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT_CHAN_DMACOUNT_OFFSET), 2), 1ull);

	/* FLR: config and registers back to power-on, channel halted. */
	wr(&t, CHAN(IOAT_CHANERR_MASK_OFFSET), 0x300, 4);
	pci_cfg_hw_set(t.f, IOAT_PCI_CHANERR_INT_OFFSET, 0x100, 4);
	pci_cfg_write(t.f, t.f->pcie_cap + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, PCI_COMMAND, 2), 0u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(t.f, IOAT_PCI_CHANERR_INT_OFFSET, 4), 0u);
	pci_cfg_write(t.f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t), (u64)IOAT_CHANSTS_HALTED);
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT_CHANERR_MASK_OFFSET), 4), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, CHAN(IOAT2_CHAINADDR_OFFSET), 8), 0ull);
	KUNIT_EXPECT_EQ(test, rd(&t, IOAT_INTRCTRL_OFFSET, 1), 0ull);
}

static void fill_descriptor(struct kunit *test)
{
	struct ioat_test t;

	ioat_setup(test, &t);
	set_desc(&t, 0, 20, IOAT_OP_FILL << IOAT_DESC_OP_SHIFT, 0x0807060504030201ull,
		 data_pa(&t, 0x100), desc_pa(&t, 1));
	/* A null descriptor moves nothing, whatever its addresses say. */
	set_desc(&t, 1, 1, IOAT_DESC_NULL, 0xbad000, 0xbad000, desc_pa(&t, 1));
	t.port.deny_start = 0xbad000;
	t.port.deny_end = 0xbad000 + PAGE_SIZE;
	start(&t, 0, 0, 2);
	KUNIT_EXPECT_EQ(test, chansts(&t), desc_pa(&t, 1) | IOAT_CHANSTS_DONE);
	for (unsigned int i = 0; i < 20; i++)
		KUNIT_EXPECT_EQ(test, *data_va(&t, 0x100 + i), (u8)(i % 8 + 1));
	KUNIT_EXPECT_EQ(test, *data_va(&t, 0x100 + 20), 0);
}

static void kind_refuses_pasid(struct kunit *test)
{
	struct platform_device_desc desc;
	struct pci_func *f = pci_func_alloc(0, 0, 0, ioat_device_kind.vendor, ioat_device_kind.device,
					    0, 0);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_func_free, f), 0);
	desc.ats = true;
	KUNIT_EXPECT_EQ(test, ioat_device_kind.create(f, &desc), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ioat_device_kind.name, "ioat");
}

static struct kunit_case ioat_cases[] = {
	KUNIT_CASE(identification),
	KUNIT_CASE(reset_halts),
	KUNIT_CASE(copy_chain_and_append),
	KUNIT_CASE(selftest_sequence),
	KUNIT_CASE(refused_translation_halts),
	KUNIT_CASE(interrupts),
	KUNIT_CASE(error_interrupt_and_completion),
	KUNIT_CASE(suspend_resume_abort),
	KUNIT_CASE_PARAM(bad_descriptor, bad_desc_gen_params),
	KUNIT_CASE(hostile_counts_and_loops),
	KUNIT_CASE(decode_off_and_flr),
	KUNIT_CASE(fill_descriptor),
	KUNIT_CASE(kind_refuses_pasid),
	{}
};

static struct kunit_suite ioat_suite = {
	.name = "platform-ioat",
	.test_cases = ioat_cases,
};
kunit_test_suite(ioat_suite);
