/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the PCI function tests share: a DMA port the test controls (the
 * identity over fake physical memory, with a window it refuses), an
 * interrupt log, and a function built by a device kind without the
 * platform around it.
 */
#pragma once

#include "kunit.h"

#include "harness/physmem.h"
#include "harness/platform/pci_regs.h"
#include "harness/platform/platform.h"

#include <utility>
#include <vector>

/* IOVA == physical address, except [deny_start, deny_end) which comes back as @deny_status. */
struct test_dma_port {
	struct pci_dma_port port;
	u64 deny_start = 0, deny_end = 0;
	int deny_status = PCI_DMA_UR;
	unsigned long translations = 0;
};

static inline int test_dma_translate(struct pci_dma_port *port, struct pci_func *f, u32 pasid,
				     bool has_pasid, u64 iova, bool write, phys_addr_t *pa,
				     u64 *contig)
{
	struct test_dma_port *t = (struct test_dma_port *)port->priv;

	t->translations++;
	if (iova >= t->deny_start && iova < t->deny_end)
		return t->deny_status;
	*pa = iova;
	/* One page at a time, as an IOMMU with 4 KiB mappings answers. */
	*contig = PAGE_SIZE - (iova & (PAGE_SIZE - 1));
	return PCI_DMA_OK;
}

static inline void test_dma_port_init(struct test_dma_port *t)
{
	t->port.translate = test_dma_translate;
	t->port.priv = t;
}

struct test_irq_log {
	std::vector<std::pair<enum pci_irq_type, unsigned int>> events;

	size_t count(enum pci_irq_type type, unsigned int vector) const
	{
		size_t n = 0;

		for (const auto &e : events)
			n += e.first == type && e.second == vector;
		return n;
	}
};

static inline void test_irq(struct pci_func *f, enum pci_irq_type type, unsigned int vector)
{
	((struct test_irq_log *)f->irq_data)->events.emplace_back(type, vector);
}

KUNIT_DEFINE_ACTION_WRAPPER(test_func_free, pci_func_free, struct pci_func *);
KUNIT_DEFINE_ACTION_WRAPPER(test_mem_free, iommu_free_pages, void *);

/*
 * A function of @kind at 0000:00:03.0, built and finalized, wired to @port
 * and @log (either may be NULL). Freed when the case ends.
 */
static inline struct pci_func *test_func_create(struct kunit *test,
						const struct platform_device_kind *kind,
						const struct platform_device_desc &desc,
						struct test_dma_port *port, struct test_irq_log *log)
{
	struct pci_func *f = pci_func_alloc(0, 0, PCI_DEVFN(3, 0), kind->vendor, kind->device, 0, 0);

	KUNIT_ASSERT_NOT_NULL(test, f);
	if (kind->create(f, &desc)) {
		pci_func_free(f);
		KUNIT_FAIL_AND_ABORT(test, "%s: create failed", kind->name);
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_func_free, f), 0);
	pci_func_finalize(f);
	if (port) {
		test_dma_port_init(port);
		f->dma = &port->port;
	}
	if (log) {
		f->irq = test_irq;
		f->irq_data = log;
	}
	return f;
}

/* Physically contiguous zeroed memory and its address, freed when the case ends. */
struct test_mem {
	u8 *va;
	phys_addr_t pa;
};

static inline struct test_mem test_mem_alloc(struct kunit *test, size_t size)
{
	struct test_mem m;

	m.va = (u8 *)iommu_alloc_pages_sz(GFP_KERNEL, size);
	KUNIT_ASSERT_NOT_NULL(test, m.va);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_mem_free, m.va), 0);
	m.pa = virt_to_phys(m.va);
	return m;
}
