// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PCI function model (pci.cc) and the "plain" kind:
 * config space masks (read-only, writable, W1C), BAR sizing, both
 * capability lists walked the way the kernel walks them, the MSI-X table
 * and PBA, MSI masking, FLR, BAR accesses the function does not claim,
 * and DMA refused by bus mastering or by the port.
 */
#include "pci_test.h"

#include <set>

extern const struct platform_device_kind plain_device_kind;

static struct pci_func *plain_create(struct kunit *test, const struct platform_device_desc &desc,
				     struct test_dma_port *port = NULL,
				     struct test_irq_log *log = NULL)
{
	return test_func_create(test, &plain_device_kind, desc, port, log);
}

/* A bare function for the builders' own checks: vendor 1234, device 5678. */
static struct pci_func *bare_create(struct kunit *test)
{
	struct pci_func *f = pci_func_alloc(0, 1, PCI_DEVFN(2, 1), 0x1234, 0x5678, 0x010802, 7);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_func_free, f), 0);
	return f;
}

static void header_fields(struct kunit *test)
{
	struct pci_func *f = bare_create(test);
	char name[32];

	pci_func_finalize(f);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_VENDOR_ID, 2), 0x1234u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_DEVICE_ID, 2), 0x5678u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_VENDOR_ID, 4), 0x56781234u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_CLASS_REVISION, 4), 0x01080207u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_HEADER_TYPE, 1), (u32)PCI_HEADER_TYPE_NORMAL);
	/* No capability yet: the list bit is clear and the pointer 0. */
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_CAPABILITY_LIST, 1), 0u);
	/* Identification is read-only. */
	pci_cfg_write(f, PCI_VENDOR_ID, 0xffffffff, 4);
	pci_cfg_write(f, PCI_CLASS_REVISION, 0, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_VENDOR_ID, 4), 0x56781234u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_CLASS_REVISION, 4), 0x01080207u);
	/* Interrupt Line is scratch for software; the pin is not. */
	pci_cfg_write(f, PCI_INTERRUPT_LINE, 0xabab, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_INTERRUPT_LINE, 2), 0xabu);
	pci_func_name(f, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, name, "0000:01:02.1");
}

static void command_and_status(struct kunit *test)
{
	struct pci_func *f = bare_create(test);

	pci_func_finalize(f);
	pci_cfg_write(f, PCI_COMMAND, 0xffff, 2);
	/* No I/O BAR, so I/O decode stays off; fast back-to-back and the rest are read-only. */
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_COMMAND, 2),
			(u32)(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
			      PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE));
	KUNIT_EXPECT_TRUE(test, pci_func_mem_enabled(f));
	KUNIT_EXPECT_TRUE(test, pci_func_bus_master(f));
	pci_cfg_write(f, PCI_COMMAND, 0, 2);
	KUNIT_EXPECT_FALSE(test, pci_func_mem_enabled(f));
	KUNIT_EXPECT_FALSE(test, pci_func_bus_master(f));

	/* Status error bits: set by the function, cleared by writing 1, untouched by 0. */
	pci_cfg_hw_set(f, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_SIG_TARGET_ABORT, 2);
	pci_cfg_write(f, PCI_STATUS, 0, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_STATUS, 2),
			(u32)(PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_SIG_TARGET_ABORT));
	pci_cfg_write(f, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_STATUS, 2), (u32)PCI_STATUS_SIG_TARGET_ABORT);
	/* A dword write to COMMAND carries STATUS along: W1C applies to its high half. */
	pci_cfg_write(f, PCI_COMMAND, (u32)0xffff << 16 | PCI_COMMAND_MEMORY, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_COMMAND, 4), (u32)PCI_COMMAND_MEMORY);
}

static void config_access_bounds(struct kunit *test)
{
	struct pci_func *f = bare_create(test);

	pci_func_finalize(f);
	/* Accesses that no config request can express read as all-ones, writes vanish. */
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_VENDOR_ID + 3, 2), 0xffffu);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_VENDOR_ID + 1, 4), 0xffffffffu);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_VENDOR_ID, 3), 0xffffffu);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_CFG_SPACE_EXP_SIZE - 2, 4), 0xffffffffu);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_CFG_SPACE_EXP_SIZE, 1), 0xffu);
	/* A conventional function (no PCIe capability) has no extended space. */
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_CFG_EXT_CAP_START, 4), 0xffffffffu);
	pci_cfg_write(f, PCI_COMMAND - 1, 0xffff, 2);
	pci_cfg_write(f, PCI_COMMAND, 0xffff, 3);
	pci_cfg_write(f, PCI_CFG_SPACE_EXP_SIZE - 1, 0xffff, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_COMMAND, 2), 0u);
	/* Within one dword any byte enables are fine: the upper byte of COMMAND alone. */
	pci_cfg_write(f, PCI_COMMAND + 1, 0xffff, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_COMMAND, 2),
			(u32)(PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE));
}

static void bar_sizing(struct kunit *test)
{
	static const struct mmio_ops no_ops = {};
	struct pci_func *f = bare_create(test);

	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 0, 0x4000, PCI_BASE_ADDRESS_MEM_TYPE_64, true,
					       &no_ops, NULL), 0);
	/* BAR1 is BAR0's upper half; a 64-bit BAR cannot start at BAR5. */
	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 1, 0x1000, 0, false, NULL, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 5, 0x1000, PCI_BASE_ADDRESS_MEM_TYPE_64, false,
					       NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 2, 0x3000, 0, false, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 2, 8, 0, false, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 2, 0x1000, PCI_BASE_ADDRESS_MEM_PREFETCH, false,
					       NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 2, 0x1000, 0, false, NULL, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 3, 0x100, PCI_BASE_ADDRESS_SPACE_IO, false, NULL,
					       NULL), 0);
	KUNIT_EXPECT_EQ(test, pci_func_set_bar(f, 4, 0x200, PCI_BASE_ADDRESS_SPACE_IO, false, NULL,
					       NULL), -EINVAL);
	pci_func_finalize(f);

	for (unsigned int bar = 0; bar < PCI_NUM_BARS; bar++)
		pci_cfg_write(f, PCI_BASE_ADDRESS_0 + 4 * bar, 0xffffffff, 4);
	/* Sizing: the address bits below the size read back 0, the type bits stay. */
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0, 4),
			~0x3fffu | PCI_BASE_ADDRESS_MEM_TYPE_64);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0 + 4, 4), 0xffffffffu);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0 + 8, 4),
			~0xfffu | PCI_BASE_ADDRESS_MEM_PREFETCH);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0 + 12, 4),
			~0xffu | PCI_BASE_ADDRESS_SPACE_IO);
	/* Unimplemented BARs are read-only zero. */
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0 + 16, 4), 0u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0 + 20, 4), 0u);
	/* An address is kept; an I/O BAR makes I/O decode writable. */
	pci_cfg_write(f, PCI_BASE_ADDRESS_0, 0xfebc0000, 4);
	pci_cfg_write(f, PCI_BASE_ADDRESS_0 + 4, 0x1, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0, 4),
			0xfebc0000u | PCI_BASE_ADDRESS_MEM_TYPE_64);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0 + 4, 4), 1u);
	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_IO, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_COMMAND, 2), (u32)PCI_COMMAND_IO);
	/* FLR brings the sizing registers back to their reset value. */
	pci_func_flr(f);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_BASE_ADDRESS_0, 4),
			(u32)PCI_BASE_ADDRESS_MEM_TYPE_64);
}

/* The standard list as the kernel walks it; fails the case if it does not end. */
static std::vector<std::pair<u8, unsigned int>> walk_caps(struct kunit *test, struct pci_func *f)
{
	std::vector<std::pair<u8, unsigned int>> caps;
	unsigned int pos = pci_cfg_read(f, PCI_CAPABILITY_LIST, 1);

	KUNIT_EXPECT_TRUE(test, pci_cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	while (pos) {
		KUNIT_ASSERT_GE(test, pos, (unsigned int)PCI_STD_HEADER_SIZEOF);
		KUNIT_ASSERT_LT(test, pos, (unsigned int)PCI_CFG_SPACE_SIZE);
		KUNIT_ASSERT_EQ(test, pos & 3, 0u);
		KUNIT_ASSERT_LT(test, caps.size(), (size_t)48);
		caps.emplace_back(pci_cfg_read(f, pos + PCI_CAP_LIST_ID, 1), pos);
		pos = pci_cfg_read(f, pos + PCI_CAP_LIST_NEXT, 1);
	}
	return caps;
}

static std::vector<std::pair<u16, unsigned int>> walk_ext_caps(struct kunit *test,
							       struct pci_func *f)
{
	std::vector<std::pair<u16, unsigned int>> caps;
	unsigned int pos = PCI_CFG_EXT_CAP_START;

	while (pos) {
		u32 header = pci_cfg_read(f, pos, 4);

		if (!header)
			break;
		KUNIT_ASSERT_GE(test, pos, (unsigned int)PCI_CFG_SPACE_SIZE);
		KUNIT_ASSERT_EQ(test, pos & 3, 0u);
		KUNIT_ASSERT_LT(test, caps.size(), (size_t)(PCI_CFG_SPACE_EXP_SIZE / 8));
		caps.emplace_back(PCI_EXT_CAP_ID(header), pos);
		pos = PCI_EXT_CAP_NEXT(header);
	}
	return caps;
}

static void capability_lists(struct kunit *test)
{
	struct platform_device_desc desc;
	struct pci_func *f, *g;

	desc.pasid_bits = 20;
	desc.ats = true;
	desc.pri = true;
	f = plain_create(test, desc);

	auto caps = walk_caps(test, f);
	KUNIT_ASSERT_EQ(test, caps.size(), (size_t)3);
	KUNIT_EXPECT_EQ(test, caps[0].first, (u8)PCI_CAP_ID_EXP);
	KUNIT_EXPECT_EQ(test, caps[1].first, (u8)PCI_CAP_ID_MSI);
	KUNIT_EXPECT_EQ(test, caps[2].first, (u8)PCI_CAP_ID_MSIX);
	KUNIT_EXPECT_EQ(test, caps[0].second, (unsigned int)f->pcie_cap);
	KUNIT_EXPECT_EQ(test, caps[1].second, (unsigned int)f->msi_cap);
	KUNIT_EXPECT_EQ(test, caps[2].second, (unsigned int)f->msix_cap);
	KUNIT_EXPECT_EQ(test, pci_func_find_cap(f, PCI_CAP_ID_MSIX), f->msix_cap);
	KUNIT_EXPECT_EQ(test, pci_func_find_cap(f, 0x09), 0);
	/* No two capabilities overlap: each starts after the previous one's registers. */
	KUNIT_EXPECT_GE(test, caps[1].second, caps[0].second + PCI_CAP_EXP_ENDPOINT_SIZEOF_V2);
	KUNIT_EXPECT_GE(test, caps[2].second, caps[1].second + 24);

	auto ext = walk_ext_caps(test, f);
	KUNIT_ASSERT_EQ(test, ext.size(), (size_t)3);
	KUNIT_EXPECT_EQ(test, ext[0].first, (u16)PCI_EXT_CAP_ID_PASID);
	KUNIT_EXPECT_EQ(test, ext[0].second, (unsigned int)PCI_CFG_EXT_CAP_START);
	KUNIT_EXPECT_EQ(test, ext[1].first, (u16)PCI_EXT_CAP_ID_ATS);
	KUNIT_EXPECT_EQ(test, ext[2].first, (u16)PCI_EXT_CAP_ID_PRI);
	KUNIT_EXPECT_EQ(test, pci_func_find_ext_cap(f, PCI_EXT_CAP_ID_PRI), f->pri_ecap);
	KUNIT_EXPECT_EQ(test, ext[2].second, (unsigned int)f->pri_ecap);
	for (const auto &e : ext)
		KUNIT_EXPECT_EQ(test, PCI_EXT_CAP_VER(pci_cfg_read(f, e.second, 4)), 1u);

	/* The capability pointers and headers are read-only. */
	pci_cfg_write(f, PCI_CAPABILITY_LIST, 0x80, 1);
	pci_cfg_write(f, f->msix_cap, 0xffff, 2);
	pci_cfg_write(f, PCI_CFG_EXT_CAP_START, 0, 4);
	KUNIT_EXPECT_EQ(test, walk_caps(test, f).size(), (size_t)3);
	KUNIT_EXPECT_EQ(test, walk_ext_caps(test, f).size(), (size_t)3);

	/* What the capabilities advertise. */
	KUNIT_EXPECT_EQ(test, (pci_cfg_read(f, f->pasid_ecap + PCI_PASID_CAP, 2) &
			       PCI_PASID_CAP_WIDTH) >> 8, 20u);
	KUNIT_EXPECT_TRUE(test, pci_cfg_read(f, f->pcie_cap + PCI_EXP_DEVCAP2, 4) &
					PCI_EXP_DEVCAP2_EE_PREFIX);
	KUNIT_EXPECT_TRUE(test, pci_cfg_read(f, f->pcie_cap + PCI_EXP_DEVCAP, 4) &
					PCI_EXP_DEVCAP_FLR);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pcie_cap + PCI_EXP_FLAGS, 2),
			(u32)(2 | PCI_EXP_TYPE_ENDPOINT << 4));
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pri_ecap + PCI_PRI_MAX_REQ, 4), 32u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pri_ecap + PCI_PRI_STATUS, 2),
			(u32)(PCI_PRI_STATUS_STOPPED | PCI_PRI_STATUS_PASID));
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_VENDOR_ID, 4), 0x00051b36u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_CLASS_REVISION, 4) >> 8, 0xff0000u);

	/* Without PASID/ATS/PRI the extended list is the empty header at 0x100. */
	g = plain_create(test, platform_device_desc());
	KUNIT_EXPECT_EQ(test, pci_cfg_read(g, PCI_CFG_EXT_CAP_START, 4), 0u);
	KUNIT_EXPECT_EQ(test, walk_ext_caps(test, g).size(), (size_t)0);
	KUNIT_EXPECT_EQ(test, pci_func_find_ext_cap(g, PCI_EXT_CAP_ID_ATS), 0);
	KUNIT_EXPECT_FALSE(test, pci_cfg_read(g, g->pcie_cap + PCI_EXP_DEVCAP2, 4) &
					 PCI_EXP_DEVCAP2_EE_PREFIX);
}

static void capability_builders_refuse(struct kunit *test)
{
	struct pci_func *f = bare_create(test);

	/* Extended capabilities need the PCIe capability (and its 4 KiB space). */
	KUNIT_EXPECT_EQ(test, pci_ecap_add_ats(f), 0);
	/* MSI-X needs its BAR first. */
	KUNIT_EXPECT_EQ(test, pci_cap_add_msix(f, 4, 0, 0x2000, 0x3000), 0);
	KUNIT_ASSERT_EQ(test, pci_func_set_bar(f, 0, 0x4000, 0, false, NULL, NULL), 0);
	/* Table past the BAR, overlapping the PBA, or misaligned. */
	KUNIT_EXPECT_EQ(test, pci_cap_add_msix(f, 2048, 0, 0x2000, 0x3000), 0);
	KUNIT_EXPECT_EQ(test, pci_cap_add_msix(f, 4, 0, 0x2000, 0x2010), 0);
	KUNIT_EXPECT_EQ(test, pci_cap_add_msix(f, 4, 0, 0x2004, 0x3000), 0);
	KUNIT_EXPECT_EQ(test, pci_cap_add_msi(f, 3, false, false), 0);
	KUNIT_EXPECT_NE(test, pci_cap_add_pcie(f, PCI_EXP_TYPE_ENDPOINT, false), 0);
	KUNIT_EXPECT_EQ(test, pci_cap_add_pcie(f, PCI_EXP_TYPE_ENDPOINT, false), 0);
	KUNIT_EXPECT_EQ(test, pci_ecap_add_pasid(f, 21, false, false), 0);
	KUNIT_EXPECT_EQ(test, pci_ecap_add_pasid(f, 0, false, false), 0);
	/* One capability of each kind per function. */
	KUNIT_EXPECT_NE(test, pci_ecap_add_pri(f, 8), 0);
	KUNIT_EXPECT_EQ(test, pci_ecap_add_pri(f, 8), 0);
	pci_func_finalize(f);
	/* Without FLR in DevCap, Initiate FLR does nothing. */
	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
	pci_cfg_write(f, f->pcie_cap + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_COMMAND, 2), (u32)PCI_COMMAND_MASTER);
}

/* A list a kind corrupted by poking config bytes still ends every walk. */
static void capability_walk_terminates(struct kunit *test)
{
	struct pci_func *f = bare_create(test);
	u16 pcie, msi, pri;

	KUNIT_ASSERT_EQ(test, pci_func_set_bar(f, 0, 0x1000, 0, false, NULL, NULL), 0);
	pcie = pci_cap_add_pcie(f, PCI_EXP_TYPE_ENDPOINT, false);
	msi = pci_cap_add_msi(f, 2, false, false);
	pri = pci_ecap_add_pri(f, 4);
	KUNIT_ASSERT_NE(test, msi, 0);
	KUNIT_ASSERT_EQ(test, pri, (u16)PCI_CFG_EXT_CAP_START);
	KUNIT_EXPECT_EQ(test, pci_func_find_cap(f, PCI_CAP_ID_MSI), msi);
	f->config[msi + PCI_CAP_LIST_NEXT] = pcie;
	f->config[pri + 3] |= PCI_CFG_EXT_CAP_START >> 4;
	KUNIT_EXPECT_EQ(test, pci_func_find_cap(f, PCI_CAP_ID_MSIX), 0);
	KUNIT_EXPECT_EQ(test, pci_func_find_cap(f, PCI_CAP_ID_MSI), msi);
	KUNIT_EXPECT_EQ(test, pci_func_find_ext_cap(f, PCI_EXT_CAP_ID_ATS), 0);
	KUNIT_EXPECT_EQ(test, pci_func_find_ext_cap(f, PCI_EXT_CAP_ID_PRI), pri);
	/* Builders appending to the looped lists do not spin either. */
	pci_ecap_add_ats(f);
	pci_cap_add_msix(f, 1, 0, 0, 0x10);
}

static void capability_registers(struct kunit *test)
{
	struct platform_device_desc desc;
	struct pci_func *f;
	unsigned int devctl, devsta;

	desc.pasid_bits = 16;
	desc.ats = true;
	desc.pri = true;
	f = plain_create(test, desc);
	devctl = f->pcie_cap + PCI_EXP_DEVCTL;
	devsta = f->pcie_cap + PCI_EXP_DEVSTA;

	/* Device Control: Initiate FLR reads 0; the rest of the register is writable. */
	pci_cfg_write(f, devctl, 0x7fff, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, devctl, 2), 0x79ffu);
	/* Device Status: error bits W1C, Transactions Pending read-only. */
	pci_cfg_hw_set(f, devsta, PCI_EXP_DEVSTA_URD | PCI_EXP_DEVSTA_CED, 2);
	pci_cfg_write(f, devsta, PCI_EXP_DEVSTA_URD | PCI_EXP_DEVSTA_TRPND, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, devsta, 2), (u32)PCI_EXP_DEVSTA_CED);

	/* MSI-X control: enable and function mask; the table size is read-only. */
	pci_cfg_write(f, f->msix_cap + PCI_MSIX_FLAGS, 0xffff, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->msix_cap + PCI_MSIX_FLAGS, 2),
			(u32)(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | 3));
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->msix_cap + PCI_MSIX_TABLE, 4), 0x2000u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->msix_cap + PCI_MSIX_PBA, 4), 0x3000u);

	/* MSI control: enable and Multiple Message Enable; capable/64-bit/maskable read-only. */
	pci_cfg_write(f, f->msi_cap + PCI_MSI_FLAGS, 0xffff, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->msi_cap + PCI_MSI_FLAGS, 2),
			(u32)(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_64BIT |
			      PCI_MSI_FLAGS_MASKBIT));
	pci_cfg_write(f, f->msi_cap + PCI_MSI_ADDRESS_LO, 0xfee00003, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->msi_cap + PCI_MSI_ADDRESS_LO, 4), 0xfee00000u);
	/* One vector: one mask bit; pending bits belong to the function. */
	pci_cfg_write(f, f->msi_cap + PCI_MSI_MASK_64, 0xffffffff, 4);
	pci_cfg_write(f, f->msi_cap + PCI_MSI_PENDING_64, 0xffffffff, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->msi_cap + PCI_MSI_MASK_64, 4), 1u);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->msi_cap + PCI_MSI_PENDING_64, 4), 0u);

	/* PASID control: only Enable, as neither permission is supported. */
	pci_cfg_write(f, f->pasid_ecap + PCI_PASID_CTRL, 0xffff, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pasid_ecap + PCI_PASID_CTRL, 2),
			(u32)PCI_PASID_CTRL_ENABLE);
	/* ATS control: Enable and the Smallest Translation Unit. */
	pci_cfg_write(f, f->ats_ecap + PCI_ATS_CTRL, 0xffff, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->ats_ecap + PCI_ATS_CTRL, 2), 0x801fu);

	/* PRI: Stopped follows Enable; Reset reads 0; Response Failure is W1C. */
	pci_cfg_write(f, f->pri_ecap + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE | PCI_PRI_CTRL_RESET, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pri_ecap + PCI_PRI_CTRL, 2),
			(u32)PCI_PRI_CTRL_ENABLE);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pri_ecap + PCI_PRI_STATUS, 2),
			(u32)PCI_PRI_STATUS_PASID);
	pci_cfg_hw_set(f, f->pri_ecap + PCI_PRI_STATUS, PCI_PRI_STATUS_RF, 2);
	pci_cfg_write(f, f->pri_ecap + PCI_PRI_STATUS, 0xffff, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pri_ecap + PCI_PRI_STATUS, 2),
			(u32)PCI_PRI_STATUS_PASID);
	pci_cfg_write(f, f->pri_ecap + PCI_PRI_CTRL, 0, 2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pri_ecap + PCI_PRI_STATUS, 2),
			(u32)(PCI_PRI_STATUS_STOPPED | PCI_PRI_STATUS_PASID));
	pci_cfg_write(f, f->pri_ecap + PCI_PRI_ALLOC_REQ, 16, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pri_ecap + PCI_PRI_ALLOC_REQ, 4), 16u);
	pci_cfg_write(f, f->pri_ecap + PCI_PRI_MAX_REQ, 1, 4);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->pri_ecap + PCI_PRI_MAX_REQ, 4), 32u);
}

static u32 msix_table_off(struct pci_func *f, unsigned int vector, unsigned int reg)
{
	return f->msix_table_off + vector * PCI_MSIX_ENTRY_SIZE + reg;
}

static void msix_mask_pending_unmask(struct kunit *test)
{
	struct test_irq_log log;
	struct pci_func *f = plain_create(test, platform_device_desc(), NULL, &log);
	unsigned int ctrl = f->msix_cap + PCI_MSIX_FLAGS;

	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	/* Out of reset every vector is masked. */
	for (unsigned int v = 0; v < 4; v++)
		KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, msix_table_off(f, v, PCI_MSIX_ENTRY_VECTOR_CTRL), 4),
				(u64)PCI_MSIX_ENTRY_CTRL_MASKBIT);

	/* Disabled: nothing is sent and nothing is pending. */
	pci_msix_raise(f, 1);
	KUNIT_EXPECT_EQ(test, log.events.size(), (size_t)0);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, f->msix_pba_off, 8), 0ull);

	/* Enabled, vector masked: pending. */
	pci_cfg_write(f, ctrl, PCI_MSIX_FLAGS_ENABLE, 2);
	pci_msix_raise(f, 1);
	pci_msix_raise(f, 1);
	KUNIT_EXPECT_EQ(test, log.events.size(), (size_t)0);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, f->msix_pba_off, 8), 2ull);
	/* Software cannot clear a pending bit. */
	pci_bar_write(f, 0, f->msix_pba_off, 0, 8);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, f->msix_pba_off, 4), 2ull);

	/* Unmasking delivers the pending message once and clears the bit. */
	pci_bar_write(f, 0, msix_table_off(f, 1, PCI_MSIX_ENTRY_VECTOR_CTRL), 0, 4);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSIX, 1), (size_t)1);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, f->msix_pba_off, 8), 0ull);
	pci_msix_raise(f, 1);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSIX, 1), (size_t)2);

	/* The function mask holds every vector back, and clearing it lets them go. */
	pci_cfg_write(f, ctrl, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
	pci_msix_raise(f, 1);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSIX, 1), (size_t)2);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, f->msix_pba_off, 1), 2ull);
	pci_cfg_write(f, ctrl, PCI_MSIX_FLAGS_ENABLE, 2);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSIX, 1), (size_t)3);

	/* The host kernel's enable unmasks every vector; its disable masks them again. */
	pci_msix_set_enable(f, false);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, msix_table_off(f, 1, PCI_MSIX_ENTRY_VECTOR_CTRL), 4),
			(u64)PCI_MSIX_ENTRY_CTRL_MASKBIT);
	pci_msix_set_enable(f, true);
	for (unsigned int v = 0; v < 4; v++)
		pci_msix_raise(f, v);
	for (unsigned int v = 0; v < 4; v++)
		KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSIX, v), (size_t)(v == 1 ? 4 : 1));
	pci_msix_vector_mask(f, 3, true);
	pci_msix_raise(f, 3);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSIX, 3), (size_t)1);
	pci_msix_vector_mask(f, 3, false);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSIX, 3), (size_t)2);
	KUNIT_EXPECT_EQ(test, f->nr_master_aborts, 0ul);
}

static void msix_table_registers(struct kunit *test)
{
	struct pci_func *f = plain_create(test, platform_device_desc());

	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	pci_bar_write(f, 0, msix_table_off(f, 2, PCI_MSIX_ENTRY_LOWER_ADDR), 0xfee0100f, 4);
	pci_bar_write(f, 0, msix_table_off(f, 2, PCI_MSIX_ENTRY_UPPER_ADDR), 0x12345678, 4);
	pci_bar_write(f, 0, msix_table_off(f, 2, PCI_MSIX_ENTRY_DATA), 0xffffffff00004021ull, 8);
	/* Address bits 1:0 are zero; Vector Control has only the mask bit. */
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, msix_table_off(f, 2, 0), 8), 0x12345678fee0100cull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, msix_table_off(f, 2, PCI_MSIX_ENTRY_DATA), 8),
			0x0000000100004021ull);
	/* Byte access to the table works on the bytes it names. */
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, msix_table_off(f, 2, 1), 1), 0x10ull);
	/* The table is the function's, not the scratch file behind it. */
	pci_bar_write(f, 0, 0x1ff8, 0x1122334455667788ull, 8);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0x1ff8, 8), 0x1122334455667788ull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, msix_table_off(f, 0, 0), 8), 0ull);
	/* Past the table and PBA, the scratch registers again. */
	pci_bar_write(f, 0, 0x2040, 0xabcd, 2);
	pci_bar_write(f, 0, 0x3008, 0xef, 1);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0x2040, 2), 0xabcdull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0x3008, 1), 0xefull);
}

static void msi_mask_pending(struct kunit *test)
{
	struct test_irq_log log;
	struct pci_func *f = plain_create(test, platform_device_desc(), NULL, &log);
	unsigned int mask = f->msi_cap + PCI_MSI_MASK_64, pending = f->msi_cap + PCI_MSI_PENDING_64;

	pci_msi_raise(f, 0);
	KUNIT_EXPECT_EQ(test, log.events.size(), (size_t)0);
	pci_msi_set_enable(f, true, 1);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, f->msi_cap + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE,
			(u32)PCI_MSI_FLAGS_ENABLE);
	pci_msi_raise(f, 0);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSI, 0), (size_t)1);
	pci_cfg_write(f, mask, 1, 4);
	pci_msi_raise(f, 0);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSI, 0), (size_t)1);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, pending, 4), 1u);
	pci_cfg_write(f, mask, 0, 4);
	KUNIT_EXPECT_EQ(test, log.count(PCI_IRQ_MSI, 0), (size_t)2);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, pending, 4), 0u);
	pci_msi_set_enable(f, false, 1);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, mask, 4), 1u);
	pci_msi_raise(f, 0);
	KUNIT_EXPECT_EQ(test, log.events.size(), (size_t)2);
}

static void flr_restores_state(struct kunit *test)
{
	struct test_irq_log log;
	struct pci_func *f = plain_create(test, platform_device_desc(), NULL, &log);
	unsigned int devctl = f->pcie_cap + PCI_EXP_DEVCTL;
	u8 reset_image[PCI_CFG_SPACE_EXP_SIZE];

	memcpy(reset_image, f->config, sizeof(reset_image));
	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	pci_cfg_write(f, PCI_BASE_ADDRESS_0, 0xfe000000, 4);
	pci_cfg_write(f, devctl, PCI_EXP_DEVCTL_URRE, 2);
	pci_bar_write(f, 0, 0x10, 0xdeadbeef, 4);
	pci_msix_set_enable(f, true);
	pci_bar_write(f, 0, msix_table_off(f, 0, PCI_MSIX_ENTRY_DATA), 0x41, 4);
	pci_msix_vector_mask(f, 0, true);
	pci_msix_raise(f, 0);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, f->msix_pba_off, 8), 1ull);

	pci_cfg_write(f, devctl, PCI_EXP_DEVCTL_BCR_FLR, 2);
	KUNIT_EXPECT_EQ(test, memcmp(reset_image, f->config, sizeof(reset_image)), 0);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, devctl, 2) & PCI_EXP_DEVCTL_BCR_FLR, 0u);
	/* Memory decode is off after the reset: turn it back on to look. */
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0x10, 4), 0xffffffffull);
	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0x10, 4), 0ull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, msix_table_off(f, 0, PCI_MSIX_ENTRY_DATA), 4), 0ull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, msix_table_off(f, 0, PCI_MSIX_ENTRY_VECTOR_CTRL), 4),
			(u64)PCI_MSIX_ENTRY_CTRL_MASKBIT);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, f->msix_pba_off, 8), 0ull);
	/* The pending message died with the reset. */
	pci_msix_set_enable(f, true);
	KUNIT_EXPECT_EQ(test, log.events.size(), (size_t)0);
}

static void bar_master_abort(struct kunit *test)
{
	struct pci_func *f = plain_create(test, platform_device_desc());
	unsigned int devsta = f->pcie_cap + PCI_EXP_DEVSTA;

	/* Memory decode off: the function claims nothing. */
	pci_bar_write(f, 0, 0, 0x55, 1);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0, 4), 0xffffffffull);
	KUNIT_EXPECT_EQ(test, f->nr_master_aborts, 2ul);
	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0, 1), 0ull);
	/* Past the BAR nobody claims it either; the function logs nothing. */
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0x4000, 1), 0xffull);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, devsta, 2), 0u);

	/* Inside the BAR but misaligned: the function answers Unsupported Request. */
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 2, 4), 0xffffffffull);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, devsta, 2), (u32)PCI_EXP_DEVSTA_URD);
	pci_cfg_write(f, devsta, PCI_EXP_DEVSTA_URD, 2);

	/* Odd-sized, past the end, a BAR that does not exist. */
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0, 3), 0xffffffull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0x4000, 1), 0xffull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, ~0ull - 7, 8), ~0ull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 1, 0, 4), 0xffffffffull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 6, 0, 4), 0xffffffffull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, -1, 0, 4), 0xffffffffull);
	pci_bar_write(f, 0, 0x3ffc, 0x1122334455667788ull, 8);
	pci_bar_write(f, 0, 1, 0xffff, 2);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0x3ff8, 8), 0ull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 0, 4), 0ull);
	KUNIT_EXPECT_EQ(test, f->nr_master_aborts, 12ul);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, devsta, 2), (u32)PCI_EXP_DEVSTA_URD);
	/* The scratch registers read back what was written, at every width. */
	pci_bar_write(f, 0, 8, 0x0123456789abcdefull, 8);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 8, 8), 0x0123456789abcdefull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 12, 4), 0x01234567ull);
	KUNIT_EXPECT_EQ(test, pci_bar_read(f, 0, 10, 2), 0x89abull);
}

static void dma_through_port(struct kunit *test)
{
	struct test_dma_port port;
	struct pci_func *f = plain_create(test, platform_device_desc(), &port);
	struct test_mem m = test_mem_alloc(test, 2 * PAGE_SIZE);
	u8 out[64], in[64];

	for (unsigned int i = 0; i < sizeof(out); i++)
		out[i] = i + 1;
	/* Bus mastering off: the function cannot issue the request; no status bit. */
	KUNIT_EXPECT_EQ(test, pci_dma_write(f, 0, false, m.pa, out, sizeof(out)), (int)PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, port.translations, 0ul);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_ERROR_BITS, 0u);

	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
	/* Across a page boundary: two translations, one transfer. */
	KUNIT_EXPECT_EQ(test, pci_dma_write(f, 0, false, m.pa + PAGE_SIZE - 32, out, sizeof(out)),
			(int)PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, port.translations, 2ul);
	KUNIT_EXPECT_EQ(test, memcmp(m.va + PAGE_SIZE - 32, out, sizeof(out)), 0);
	KUNIT_EXPECT_EQ(test, pci_dma_read(f, 0, false, m.pa + PAGE_SIZE - 32, in, sizeof(in)),
			(int)PCI_DMA_OK);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, sizeof(in)), 0);

	/* The IOMMU refuses the second page: the read fails, Received Master Abort is set. */
	port.deny_start = m.pa + PAGE_SIZE;
	port.deny_end = m.pa + 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, pci_dma_read(f, 0, false, m.pa + PAGE_SIZE - 32, in, sizeof(in)),
			(int)PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, pci_cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_ERROR_BITS,
			(u32)PCI_STATUS_REC_MASTER_ABORT);
	/* A refused write: the first page's part went out, as posted writes do. */
	memset(m.va, 0, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pci_dma_write(f, 0, false, m.pa + PAGE_SIZE - 32, out, sizeof(out)),
			(int)PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, memcmp(m.va + PAGE_SIZE - 32, out, 32), 0);
	KUNIT_EXPECT_EQ(test, m.va[PAGE_SIZE], 0);
	/* Completer Abort shows as Received Target Abort. */
	port.deny_status = PCI_DMA_CA;
	KUNIT_EXPECT_EQ(test, pci_dma_read(f, 0, false, m.pa + PAGE_SIZE, in, 8), (int)PCI_DMA_CA);
	KUNIT_EXPECT_TRUE(test, pci_cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_REC_TARGET_ABORT);

	/* Translated to where no memory is: the host bridge answers UR. */
	port.deny_end = 0;
	KUNIT_EXPECT_EQ(test, pci_dma_read(f, 0, false, 0x1000, in, 8), (int)PCI_DMA_UR);
	/* A request wrapping the 64-bit space never reaches the port. */
	port.translations = 0;
	KUNIT_EXPECT_EQ(test, pci_dma_read(f, 0, false, ~0ull - 3, in, 8), (int)PCI_DMA_UR);
	KUNIT_EXPECT_EQ(test, port.translations, 0ul);
	/* No port at all. */
	f->dma = NULL;
	KUNIT_EXPECT_EQ(test, pci_dma_read(f, 0, false, m.pa, in, 8), (int)PCI_DMA_UR);
	/* Zero bytes is a successful nothing. */
	f->dma = &port.port;
	KUNIT_EXPECT_EQ(test, pci_dma_read(f, 0, false, m.pa, in, 0), (int)PCI_DMA_OK);
}

static void plain_refuses_bad_desc(struct kunit *test)
{
	struct platform_device_desc desc;
	struct pci_func *f = pci_func_alloc(0, 0, 0, plain_device_kind.vendor,
					    plain_device_kind.device, 0, 0);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_func_free, f), 0);
	desc.pasid_bits = 21;
	KUNIT_EXPECT_EQ(test, plain_device_kind.create(f, &desc), -EINVAL);
	KUNIT_EXPECT_STREQ(test, plain_device_kind.name, "plain");
}

static struct kunit_case pci_cases[] = {
	KUNIT_CASE(header_fields),
	KUNIT_CASE(command_and_status),
	KUNIT_CASE(config_access_bounds),
	KUNIT_CASE(bar_sizing),
	KUNIT_CASE(capability_lists),
	KUNIT_CASE(capability_builders_refuse),
	KUNIT_CASE(capability_walk_terminates),
	KUNIT_CASE(capability_registers),
	KUNIT_CASE(msix_mask_pending_unmask),
	KUNIT_CASE(msix_table_registers),
	KUNIT_CASE(msi_mask_pending),
	KUNIT_CASE(flr_restores_state),
	KUNIT_CASE(bar_master_abort),
	KUNIT_CASE(dma_through_port),
	KUNIT_CASE(plain_refuses_bad_desc),
	{}
};

static struct kunit_suite pci_suite = {
	.name = "platform-pci",
	.test_cases = pci_cases,
};
kunit_test_suite(pci_suite);
