// SPDX-License-Identifier: GPL-2.0
/*
 * The HW-vIOMMU (the 2023 RFC's amd_viommu.c, the model's interface in
 * Documentation/amd-iommu.md): the IOMMU runs each guest's command buffer
 * itself, with the guest's DeviceIDs and DomainIDs translated through
 * per-guest maps the host programs.
 *
 * Set-up (amd_iommu_viommu_setup(), at init when EFR has VIOMMUSup and the
 * platform found the VF BARs): a v1 table for the IOMMU's own DeviceID
 * maps the private address space (PAS), and Control.VIommuEn is set.
 *
 * The PAS backing of every GuestID's DeviceID map (1 MiB) and DomainID
 * map (512 KiB) is mapped at set-up and stays until teardown: a guest
 * leaves its maps empty (every entry it made is unmade through VF control
 * as its objects go), so the next guest of that GuestID starts clean, and
 * the PAS table never changes under a running guest.
 *
 * A guest (amd_viommu_guest_alloc(), one per AMD vIOMMU object): a
 * GuestID and a translation DeviceID whose DTE holds the VM's GPA ->
 * SPA table (the vIOMMU's nest parent) under the parent's DomainID, so
 * the parent's flushes reach what the IOMMU caches for the guest's own
 * fetches. The translation DeviceID is taken from the top of the
 * DeviceID space (0xffff - GuestID): the RFC lets the VMM name one; here
 * no VMM input is needed and a real device there is refused (-EBUSY).
 *
 * Then: a vDEVICE (amd_viommu_attach_vdev()) writes the DeviceID map entry
 * and gives the device's DTE vImuEn, the GuestID and its guest DeviceID;
 * a nested domain's gDomID gets a DomainID map entry to its hDomID
 * (nested.cc); a HW queue (amd_viommu_cmdbuf_enable()) programs the
 * guest's command buffer GPA, length and CmdBufEn, another
 * (amd_viommu_evtlog_enable()) its event log, a third
 * (amd_viommu_pprlog_enable()) its PPR log. From then on the guest
 * writes commands into its buffer in its memory and moves CmdTail in its
 * VF page; no host software runs.
 */
#include "drivers/amd/amd_iommu.h"

#include "harness/io.h"
#include "harness/physmem.h"
#include "harness/slab.h"

/* A DTE translating through @pdom's v1 table under its DomainID. */
static void make_v1_dte(struct protection_domain *pdom, struct dev_table_entry *dte)
{
	memset(dte, 0, sizeof(*dte));
	dte->data[0] = DTE_FLAG_V | DTE_FLAG_TV;
	amd_iommu_set_dte_v1(pdom, pdom->id, dte);
}

static void blocked_dte(struct dev_table_entry *dte)
{
	memset(dte, 0, sizeof(*dte));
	dte->data[0] = DTE_FLAG_V | DTE_FLAG_TV;
}

static u8 __iomem *vfctrl(struct amd_hw_viommu *hw, unsigned int off)
{
	return hw->iommu->vfctrl_mmio + (size_t)hw->gid * VIOMMU_VFCTRL_MMIO_ENTRY_SIZE + off;
}

u8 __iomem *amd_viommu_vf_page(struct amd_hw_viommu *hw)
{
	return hw->iommu->vf_mmio + (size_t)hw->gid * VIOMMU_VF_MMIO_ENTRY_SIZE;
}

/* Backs [@pas, @pas + @size) of the PAS with new zeroed pages. */
static void *pas_back(struct amd_iommu *iommu, u64 pas, size_t size)
{
	void *mem = iommu_alloc_pages_sz(GFP_KERNEL, size);

	if (!mem)
		return NULL;
	if (iommu_map(&iommu->pas->domain, pas, virt_to_phys(mem), size, IOMMU_READ | IOMMU_WRITE,
		      GFP_KERNEL)) {
		iommu_free_pages(mem);
		return NULL;
	}
	return mem;
}

static void pas_unback(struct amd_iommu *iommu, u64 pas, size_t size, void *mem)
{
	if (!mem)
		return;
	iommu_unmap(&iommu->pas->domain, pas, size);
	/* Nothing attaches the PAS table through the core: its flush is ours */
	amd_iommu_flush_tlb_domid(iommu, iommu->pas->id);
	iommu_free_pages(mem);
}

static void pas_unback_all(struct amd_iommu *iommu)
{
	for (u32 gid = 0; gid < iommu->nr_guests; gid++) {
		if (iommu->devid_maps)
			pas_unback(iommu, viommu_devid_map_pas(gid, 0), VIOMMU_DEVID_MAPPING_ENTRY_SIZE,
				   iommu->devid_maps[gid]);
		if (iommu->domid_maps)
			pas_unback(iommu, viommu_domid_map_pas(gid, 0), VIOMMU_DOMID_MAPPING_ENTRY_SIZE,
				   iommu->domid_maps[gid]);
	}
	kfree(iommu->devid_maps);
	kfree(iommu->domid_maps);
	iommu->devid_maps = iommu->domid_maps = NULL;
}

static int pas_back_all(struct amd_iommu *iommu)
{
	iommu->devid_maps = (void **)kcalloc(iommu->nr_guests, sizeof(void *), GFP_KERNEL);
	iommu->domid_maps = (void **)kcalloc(iommu->nr_guests, sizeof(void *), GFP_KERNEL);
	if (!iommu->devid_maps || !iommu->domid_maps)
		return -ENOMEM;
	for (u32 gid = 0; gid < iommu->nr_guests; gid++) {
		iommu->devid_maps[gid] = pas_back(iommu, viommu_devid_map_pas(gid, 0),
						  VIOMMU_DEVID_MAPPING_ENTRY_SIZE);
		iommu->domid_maps[gid] = pas_back(iommu, viommu_domid_map_pas(gid, 0),
						  VIOMMU_DOMID_MAPPING_ENTRY_SIZE);
		if (!iommu->devid_maps[gid] || !iommu->domid_maps[gid])
			return -ENOMEM;
	}
	return 0;
}

int amd_iommu_viommu_setup(struct amd_iommu *iommu, void __iomem *vf_mmio,
			   void __iomem *vfctrl_mmio, u32 nr_guests)
{
	struct iommu_domain *pas;
	struct dev_table_entry dte;
	int ret;

	if (!check_feature(iommu, FEATURE_VIOMMU) || !vf_mmio || !vfctrl_mmio || !nr_guests)
		return -EOPNOTSUPP;
	pas = amd_iommu_domain_alloc_paging_v1(NULL, 0);
	if (IS_ERR(pas))
		return PTR_ERR(pas);
	iommu->pas = to_pdomain(pas);
	iommu->vf_mmio = (u8 __iomem *)vf_mmio;
	iommu->vfctrl_mmio = (u8 __iomem *)vfctrl_mmio;
	iommu->nr_guests = min(nr_guests, VIOMMU_MAX_GUESTID);
	xa_init_flags(&iommu->guest_ids, XA_FLAGS_ALLOC);
	ret = pas_back_all(iommu);
	if (ret) {
		pas_unback_all(iommu);
		iommu_domain_free(&iommu->pas->domain);
		iommu->pas = NULL;
		xa_destroy(&iommu->guest_ids);
		return ret;
	}
	make_v1_dte(iommu->pas, &dte);
	amd_iommu_write_dte(iommu, iommu->devid, &dte);
	iommu_feature_enable(iommu, CONTROL_VIOMMU_EN);
	/* The 2023 RFC's ioctls serve every IOMMU with the HW-vIOMMU; once is enough */
	WARN_ON(amd_viommu_rfc_register());
	return 0;
}

void amd_iommu_viommu_teardown(struct amd_iommu *iommu)
{
	struct dev_table_entry dte;

	if (!iommu->pas)
		return;
	WARN_ON(!xa_empty(&iommu->guest_ids));
	iommu_feature_disable(iommu, CONTROL_VIOMMU_EN);
	blocked_dte(&dte);
	amd_iommu_write_dte(iommu, iommu->devid, &dte);
	pas_unback_all(iommu);
	iommu_domain_free(&iommu->pas->domain);
	iommu->pas = NULL;
	xa_destroy(&iommu->guest_ids);
}

struct amd_hw_viommu *amd_viommu_guest_alloc(struct amd_iommu *iommu,
					     struct protection_domain *parent)
{
	struct amd_hw_viommu *hw;
	struct dev_table_entry dte;
	u32 gid;
	int ret;

	if (!iommu->pas)
		return NULL;
	hw = (struct amd_hw_viommu *)kzalloc(sizeof(*hw), GFP_KERNEL);
	if (!hw)
		return (struct amd_hw_viommu *)ERR_PTR(-ENOMEM);
	hw->iommu = iommu;
	ret = xa_alloc(&iommu->guest_ids, &gid, hw, XA_LIMIT(0, iommu->nr_guests - 1), GFP_KERNEL);
	if (ret) {
		kfree(hw);
		return (struct amd_hw_viommu *)ERR_PTR(ret == -EBUSY ? -ENOSPC : ret);
	}
	hw->gid = gid;
	hw->trans_devid = 0xffff - gid;
	if (hw->trans_devid == iommu->devid || search_dev_data(iommu, hw->trans_devid)) {
		ret = -EBUSY;
		goto err;
	}
	/* Without a parent yet (the RFC's init) nothing of the guest's is reachable */
	if (parent)
		make_v1_dte(parent, &dte);
	else
		blocked_dte(&dte);
	amd_iommu_write_dte(iommu, hw->trans_devid, &dte);
	hw->parent = parent;
	writeq(FIELD_PREP(VIOMMU_MISC_TRANS_DEVID, hw->trans_devid),
	       vfctrl(hw, VIOMMU_VFCTRL_GUEST_MISC_CONTROL_OFFSET));
	return hw;

err:
	xa_erase(&iommu->guest_ids, gid);
	kfree(hw);
	return (struct amd_hw_viommu *)ERR_PTR(ret);
}

/* The VM's GPA -> SPA table for a guest made without one; NULL blocks it again. */
void amd_viommu_set_translation(struct amd_hw_viommu *hw, struct protection_domain *parent)
{
	struct dev_table_entry dte;

	if (parent)
		make_v1_dte(parent, &dte);
	else
		blocked_dte(&dte);
	amd_iommu_write_dte(hw->iommu, hw->trans_devid, &dte);
	hw->parent = parent;
}

void amd_viommu_guest_free(struct amd_hw_viommu *hw)
{
	struct amd_iommu *iommu = hw->iommu;
	struct dev_table_entry dte;

	amd_viommu_cmdbuf_disable(hw);
	amd_viommu_evtlog_disable(hw);
	amd_viommu_pprlog_disable(hw);
	writeq(0, vfctrl(hw, VIOMMU_VFCTRL_GUEST_MISC_CONTROL_OFFSET));
	blocked_dte(&dte);
	amd_iommu_write_dte(iommu, hw->trans_devid, &dte);
	xa_erase(&iommu->guest_ids, hw->gid);
	kfree(hw);
}

void amd_viommu_map_domid(struct amd_hw_viommu *hw, u16 gdom_id, u16 hdom_id, bool valid)
{
	writeq(viommu_map_entry(gdom_id, hdom_id, valid),
	       vfctrl(hw, VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL1_OFFSET));
}

/*
 * Answers Invalid, for the device behind each, the page requests the
 * guest's PPR log (as PPR_CONTROL @ppr_ctl describes it) holds between
 * its head and tail: all of them, or those of guest DeviceID @gdevid
 * (>= 0). The host reads the log through the VM's table and the guest's
 * DeviceID map; a record whose device is not (or no longer) the guest's
 * is left alone. A request the guest has answered but not yet consumed
 * gets a second answer, which the device ignores (PCIe: a response to no
 * outstanding group).
 */
static void guest_ppr_answer_pending(struct amd_hw_viommu *hw, u64 ppr_ctl, int gdevid)
{
	struct amd_iommu *iommu = hw->iommu;
	u64 base = FIELD_GET(VIOMMU_PPR_CONTROL_BASE, ppr_ctl) << 12;
	u64 size = mmio_buf_bytes(FIELD_GET(VIOMMU_PPR_CONTROL_LEN, ppr_ctl));
	u64 head, tail;

	if (!(ppr_ctl & VIOMMU_PPR_CONTROL_LOG_EN) || !hw->parent)
		return;
	head = readq(amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_PPR_HEAD) % size;
	tail = readq(amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_PPR_TAIL) % size;
	for (; head != tail; head = (head + sizeof(struct amd_iommu_ppr_entry)) % size) {
		phys_addr_t pa = iommu_iova_to_phys(&hw->parent->domain, base + head);
		struct amd_iommu_ppr_entry e;
		u64 map;

		if (!pa || phys_read(pa, &e, sizeof(e)))
			continue;
		if (gdevid >= 0 && PPR_DEVID(e.raw[0]) != (u16)gdevid)
			continue;
		memcpy(&map, (u8 *)iommu->devid_maps[hw->gid] +
				     PPR_DEVID(e.raw[0]) * VIOMMU_DEVID_MAP_ENTRY_SIZE,
		       sizeof(map));
		if (!(map & VIOMMU_MAP_VALID))
			continue;
		amd_iommu_complete_ppr(iommu, FIELD_GET(VIOMMU_MAP_HOST_ID, map),
				       PPR_PASID(e.raw[0]), PPR_INVALID, PPR_TAG(e.raw[0]),
				       PPR_FLAGS(e.raw[0]) & PPR_FLAG_GN);
	}
}

int amd_viommu_attach_vdev(struct amd_hw_viommu *hw, struct device *dev, u64 gdevid)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);

	if (gdevid > 0xffff)
		return -EINVAL;
	if (!dev_data || dev_data->iommu != hw->iommu)
		return -EINVAL;
	if (dev_data->vimu)
		return -EBUSY;
	dev_data->vimu = 1;
	dev_data->vimu_gid = hw->gid;
	dev_data->vimu_gdevid = gdevid;
	amd_iommu_update_and_flush_device_table(dev_data);
	writeq(viommu_map_entry(gdevid, dev_data->devid, true),
	       vfctrl(hw, VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL0_OFFSET));
	return 0;
}

/*
 * The device leaves the guest: its next page requests go to the host (DTE
 * without vImuEn first), then those still in the guest's PPR log are
 * answered Invalid, since the guest can no longer answer them (its
 * DeviceID stops mapping) and the device would wait for ever.
 */
void amd_viommu_detach_vdev(struct amd_hw_viommu *hw, struct device *dev)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);

	if (!dev_data || !dev_data->vimu || dev_data->vimu_gid != hw->gid)
		return;
	dev_data->vimu = 0;
	amd_iommu_update_and_flush_device_table(dev_data);
	guest_ppr_answer_pending(hw, readq(vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET)),
				 dev_data->vimu_gdevid);
	writeq(viommu_map_entry(dev_data->vimu_gdevid, dev_data->devid, false),
	       vfctrl(hw, VIOMMU_VFCTRL_GUEST_DID_MAP_CONTROL0_OFFSET));
}

/* log2 of the entries of a power-of-two ring of 256 to 32768 entries at a 4 KiB aligned GPA. */
static int guest_ring_len(u64 gpa, u64 length)
{
	if (!is_power_of_2(length) || length < mmio_buf_bytes(MMIO_BUF_LEN_MIN) ||
	    length > mmio_buf_bytes(MMIO_BUF_LEN_MAX))
		return -EINVAL;
	if (gpa & ~VIOMMU_CMD_CONTROL_BASE)
		return -EINVAL;
	return ilog2(length / sizeof(struct iommu_cmd));
}

int amd_viommu_cmdbuf_enable(struct amd_hw_viommu *hw, u64 gpa, u64 length)
{
	int len_lg2 = guest_ring_len(gpa, length);

	if (len_lg2 < 0)
		return len_lg2;
	/* Base and length latch while the buffer is off; head and tail restart */
	writeq(0, vfctrl(hw, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET));
	writeq(0, amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_CMD_HEAD);
	writeq(0, amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_CMD_TAIL);
	writeq(gpa | FIELD_PREP(VIOMMU_CMD_CONTROL_LEN, len_lg2),
	       vfctrl(hw, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET));
	writeq(gpa | FIELD_PREP(VIOMMU_CMD_CONTROL_LEN, len_lg2) | VIOMMU_CMD_CONTROL_EN,
	       vfctrl(hw, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET));
	return 0;
}

/*
 * The RFC's command buffer: the guest's pages at its PAS slot
 * (viommu_cmdbuf_pas()), @len_lg2 log2 of its entries. The host backed
 * the slot (amd_viommu_cmdbuf_back()) with at least that much.
 */
void amd_viommu_cmdbuf_enable_pas(struct amd_hw_viommu *hw, unsigned int len_lg2,
				  bool comwait_int)
{
	u64 ctl = VIOMMU_CMD_CONTROL_PAS | FIELD_PREP(VIOMMU_CMD_CONTROL_LEN, len_lg2) |
		  (comwait_int ? VIOMMU_CMD_CONTROL_COMWAIT_INT_EN : 0);

	writeq(0, vfctrl(hw, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET));
	writeq(0, amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_CMD_HEAD);
	writeq(0, amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_CMD_TAIL);
	writeq(ctl, vfctrl(hw, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET));
	writeq(ctl | VIOMMU_CMD_CONTROL_EN, vfctrl(hw, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET));
}

/* Maps @npages pages at @phys[] to the guest's command-buffer slot of the PAS. */
int amd_viommu_cmdbuf_back(struct amd_hw_viommu *hw, const phys_addr_t *phys,
			   unsigned long npages)
{
	struct amd_iommu *iommu = hw->iommu;
	unsigned long i;
	int ret;

	if (npages * PAGE_SIZE > VIOMMU_GUEST_CMDBUF_SIZE)
		return -EINVAL;
	for (i = 0; i < npages; i++) {
		ret = iommu_map(&iommu->pas->domain, viommu_cmdbuf_pas(hw->gid) + i * PAGE_SIZE,
				phys[i], PAGE_SIZE, IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
		if (ret) {
			if (i)
				amd_viommu_cmdbuf_unback(hw, i);
			return ret;
		}
	}
	return 0;
}

void amd_viommu_cmdbuf_unback(struct amd_hw_viommu *hw, unsigned long npages)
{
	iommu_unmap(&hw->iommu->pas->domain, viommu_cmdbuf_pas(hw->gid), npages * PAGE_SIZE);
	amd_iommu_flush_tlb_domid(hw->iommu, hw->iommu->pas->id);
}

void amd_viommu_cmdbuf_disable(struct amd_hw_viommu *hw)
{
	writeq(0, vfctrl(hw, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET));
}

/*
 * The guest's event log: its illegal commands and its devices' faults
 * (with guest DeviceIDs) land there, in guest memory, and move EvtTail
 * in its VF page.
 */
int amd_viommu_evtlog_enable(struct amd_hw_viommu *hw, u64 gpa, u64 length)
{
	int len_lg2 = guest_ring_len(gpa, length);

	if (len_lg2 < 0)
		return len_lg2;
	writeq(0, vfctrl(hw, VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET));
	writeq(0, amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_EVT_HEAD);
	writeq(0, amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_EVT_TAIL);
	writeq(gpa | FIELD_PREP(VIOMMU_EVT_CONTROL_LEN, len_lg2) | VIOMMU_EVT_CONTROL_EN,
	       vfctrl(hw, VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET));
	return 0;
}

void amd_viommu_evtlog_disable(struct amd_hw_viommu *hw)
{
	writeq(0, vfctrl(hw, VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET));
}

/*
 * The guest's PPR log: page requests of its devices whose DTE has PPR land
 * there with its DeviceIDs and move PPRTail in its VF page; it answers
 * with COMPLETE_PPR_REQUEST in its own command buffer. PprEn (@ppr_en)
 * without PprLogEn, or the reverse, turns its devices' requests into
 * INVALID_PPR_REQUEST events in its event log, as on the host.
 */
int amd_viommu_pprlog_enable(struct amd_hw_viommu *hw, u64 gpa, u64 length, bool ppr_en)
{
	int len_lg2 = guest_ring_len(gpa, length);
	u64 ctl;

	if (len_lg2 < 0)
		return len_lg2;
	ctl = FIELD_PREP(VIOMMU_PPR_CONTROL_BASE, gpa >> 12) |
	      FIELD_PREP(VIOMMU_PPR_CONTROL_LEN, len_lg2);
	/* Base and length latch while the log is off; head and tail restart */
	writeq(0, vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET));
	writeq(0, amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_PPR_HEAD);
	writeq(0, amd_viommu_vf_page(hw) + VIOMMU_VF_MMIO_PPR_TAIL);
	writeq(ctl, vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET));
	writeq(ctl | VIOMMU_PPR_CONTROL_LOG_EN | (ppr_en ? VIOMMU_PPR_CONTROL_EN : 0),
	       vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET));
	return 0;
}

/* PprEn of a guest whose log stays as it is (the RFC's Control.PPREn). */
void amd_viommu_ppr_set_enable(struct amd_hw_viommu *hw, bool ppr_en)
{
	u64 ctl = readq(vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET));

	ctl = ppr_en ? ctl | VIOMMU_PPR_CONTROL_EN : ctl & ~VIOMMU_PPR_CONTROL_EN;
	writeq(ctl, vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET));
}

/*
 * The log goes first, so no record lands behind the scan; then what it
 * held is answered Invalid (nobody will read it any more).
 */
void amd_viommu_pprlog_disable(struct amd_hw_viommu *hw)
{
	u64 ppr_ctl = readq(vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET));

	writeq(0, vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET));
	guest_ppr_answer_pending(hw, ppr_ctl, -1);
}
