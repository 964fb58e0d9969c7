// SPDX-License-Identifier: GPL-2.0
/*
 * The HW-vIOMMU through the 2023 RFC's ioctls (uapi/linux/amd_viommu.h):
 * guests named by (IOMMU DeviceID, GuestID) instead of iommufd objects,
 * on the same driver functions (viommu.cc) and so the same model state as
 * the vIOMMU/vDEVICE/nested HWPT/HW queue objects (iommufd.cc). What the
 * RFC shapes differently:
 *
 *  - A guest (struct amd_viommu_rfc_guest) is made before anything is
 *    known of the VM: its translation DTE stays blocked until the first
 *    VIOMMU_DEVICE_ATTACH, which takes the nest-parent domain the device
 *    is attached to as the VM's GPA -> SPA table.
 *  - Nested domains come from IOMMU_HWPT_ALLOC on that parent (the core's
 *    ops->domain_alloc_nested route, no vIOMMU object) for a device of
 *    the guest; they share the guest's gDomID -> hDomID table like an
 *    AMD vIOMMU's (the guest embeds a driver-only struct
 *    amd_iommu_viommu). The DomainID map entry is written by
 *    VIOMMU_DOMAIN_ATTACH, not at allocation, and unmade when the last
 *    nested domain of the gDomID goes whatever the VMM said.
 *  - The guest's command buffer is the VMM's pages (VIOMMU_CMDBUF_UPDATE),
 *    pinned and mapped at the guest's slot of the private address space;
 *    CMD_CONTROL's PAS bit tells the IOMMU to read it there. Completion
 *    stores and the event log stay guest physical addresses.
 *  - The guest's registers are trapped by the VMM and replayed through
 *    VIOMMU_MMIO_ACCESS; the VF page is reached through it too (the RFC
 *    gives the VMM no mmap of it), so every doorbell is one ioctl.
 *
 * Ownership: a guest belongs to the iommufd that made it (another
 * context's GuestID is -ENOENT) and is torn down when that context closes,
 * after its objects. Nested domains hold the guest (@users): one made for
 * a device that moved to another context keeps the guest until freed.
 *
 * Lock order: amd_viommu_rfc_lock, then a parent's viommu_lock, then a
 * guest's gdom_lock.
 */
#include "drivers/amd/amd_iommu.h"

#include "core/iommufd_private.h"
#include "harness/io.h"
#include "harness/mm.h"
#include "harness/slab.h"

#include <linux/amd_viommu.h>
#include <linux/iommufd_experimental.h>

/* Guest Control register bits the driver programs (the rest read back as written) */
#define GCTRL_EVT_LOG_EN	BIT_ULL(2)
#define GCTRL_EVT_INT_EN	BIT_ULL(3)
#define GCTRL_COMWAIT_INT_EN	BIT_ULL(4)
#define GCTRL_CMDBUF_EN		BIT_ULL(12)
#define GCTRL_PPR_LOG_EN	BIT_ULL(13)
#define GCTRL_PPR_EN		BIT_ULL(15)
#define GBUF_BASE		GENMASK_ULL(51, 12)
#define GBUF_LEN		GENMASK_ULL(59, 56)

struct amd_viommu_rfc_guest {
	struct amd_iommu_viommu aviommu;	/* .rfc; .hw the guest; .parent once known */
	struct list_head node;			/* in amd_viommu_rfc_guests */
	struct iommufd_ctx *ictx;		/* NULL once the context closed */
	refcount_t users;			/* the context's, and one per nested domain */
	struct xarray gdevs;			/* guest DeviceID -> xa_mk_value(host DeviceID) */
	/* The guest's view of its Command Buffer Base, Event Log Base, PPR Log Base, Control */
	u64 cmd_base, evt_base, ppr_base, control;
	struct page **cmd_pages;		/* VIOMMU_CMDBUF_UPDATE's, pinned */
	unsigned long cmd_npages;
};

static DEFINE_MUTEX(amd_viommu_rfc_lock);
static LIST_HEAD(amd_viommu_rfc_guests);

static struct amd_viommu_rfc_guest *to_rfc_guest(struct amd_iommu_viommu *aviommu)
{
	return container_of(aviommu, struct amd_viommu_rfc_guest, aviommu);
}

static struct amd_iommu *rfc_iommu(struct amd_viommu_rfc_guest *g)
{
	return g->aviommu.hw->iommu;
}

static struct amd_viommu_rfc_guest *rfc_guest_find(struct amd_iommu *iommu, u32 gid)
{
	struct amd_viommu_rfc_guest *g;

	lockdep_assert_held(&amd_viommu_rfc_lock);
	list_for_each_entry(g, &amd_viommu_rfc_guests, node)
		if (rfc_iommu(g) == iommu && g->aviommu.hw->gid == gid)
			return g;
	return NULL;
}

/* The IOMMU @iommu_id names, if it has the HW-vIOMMU. */
static struct amd_iommu *rfc_iommu_get(u32 iommu_id)
{
	struct amd_iommu *iommu;

	if (iommu_id > 0xffff)
		return NULL;
	iommu = get_amd_iommu_from_devid(iommu_id);
	return iommu && iommu->pas ? iommu : NULL;
}

/* The guest @gid of @iommu_id that @ictx made: -ENODEV or -ENOENT otherwise. */
static struct amd_viommu_rfc_guest *rfc_guest_get(struct iommufd_ctx *ictx, u32 iommu_id,
						  u32 gid)
{
	struct amd_iommu *iommu = rfc_iommu_get(iommu_id);
	struct amd_viommu_rfc_guest *g;

	if (!iommu)
		return (struct amd_viommu_rfc_guest *)ERR_PTR(-ENODEV);
	g = rfc_guest_find(iommu, gid);
	if (!g || g->ictx != ictx)
		return (struct amd_viommu_rfc_guest *)ERR_PTR(-ENOENT);
	return g;
}

/* A device bound to @ictx whose DeviceID on @iommu is @devid. */
static struct device *rfc_bound_dev(struct iommufd_ctx *ictx, struct amd_iommu *iommu, u16 devid)
{
	struct iommufd_object *obj;
	struct device *found = NULL;
	unsigned long index;

	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj) {
		struct iommufd_device *idev;
		struct iommu_dev_data *dev_data;

		if (obj->type != IOMMUFD_OBJ_DEVICE)
			continue;
		idev = container_of(obj, struct iommufd_device, obj);
		dev_data = dev_iommu_priv(idev->dev);
		if (dev_data && dev_data->iommu == iommu && dev_data->devid == devid) {
			found = idev->dev;
			break;
		}
	}
	xa_unlock(&ictx->objects);
	return found;
}

/* ----- The guest's command buffer pages ----- */

static void rfc_cmdbuf_release(struct amd_viommu_rfc_guest *g)
{
	if (!g->cmd_pages)
		return;
	amd_viommu_cmdbuf_unback(g->aviommu.hw, g->cmd_npages);
	unpin_user_pages(g->cmd_pages, g->cmd_npages);
	kfree(g->cmd_pages);
	g->cmd_pages = NULL;
	g->cmd_npages = 0;
}

/* ----- Guest lifetime ----- */

static void rfc_guest_free(struct amd_viommu_rfc_guest *g)
{
	struct amd_hw_viommu *hw = g->aviommu.hw;
	struct protection_domain *parent = g->aviommu.parent;
	unsigned long gdev;
	void *ent;

	/* Every DeviceID map entry and vImuEn the guest made, through the driver's table */
	xa_for_each(&g->gdevs, gdev, ent) {
		struct iommu_dev_data *dev_data = search_dev_data(hw->iommu, xa_to_value(ent));

		if (dev_data)
			amd_viommu_detach_vdev(hw, dev_data->dev);
	}
	xa_destroy(&g->gdevs);
	/* Stop the IOMMU reading the pages before they are unpinned */
	amd_viommu_cmdbuf_disable(hw);
	rfc_cmdbuf_release(g);
	if (parent) {
		guard(mutex)(&parent->viommu_lock);
		list_del(&g->aviommu.pdom_list);
	}
	WARN_ON(!xa_empty(&g->aviommu.gdomid_array));
	xa_destroy(&g->aviommu.gdomid_array);
	amd_viommu_guest_free(hw);
	kfree(g);
}

/* A nested domain of the guest is gone (nested.cc). */
void amd_viommu_rfc_put(struct amd_iommu_viommu *aviommu)
{
	struct amd_viommu_rfc_guest *g = to_rfc_guest(aviommu);

	guard(mutex)(&amd_viommu_rfc_lock);
	if (refcount_dec_and_test(&g->users)) {
		list_del(&g->node);
		rfc_guest_free(g);
	}
}

/* Drops the context's hold; the guest goes now or with its last nested domain. */
static void rfc_guest_release(struct amd_viommu_rfc_guest *g)
{
	lockdep_assert_held(&amd_viommu_rfc_lock);
	g->ictx = NULL;
	if (refcount_dec_and_test(&g->users)) {
		list_del(&g->node);
		rfc_guest_free(g);
	}
}

static void amd_viommu_rfc_ctx_release(struct iommufd_ctx *ictx)
{
	struct amd_viommu_rfc_guest *g, *next;

	guard(mutex)(&amd_viommu_rfc_lock);
	list_for_each_entry_safe(g, next, &amd_viommu_rfc_guests, node)
		if (g->ictx == ictx)
			rfc_guest_release(g);
}

/*
 * A nest parent is being freed (iommu.cc): a guest that took it as its
 * translation loses it. Its devices and nested domains cannot be on it any
 * more (they hold it), so only the translation DTE still names it.
 */
void amd_viommu_rfc_parent_free(struct protection_domain *pdom)
{
	struct amd_viommu_rfc_guest *g;

	guard(mutex)(&amd_viommu_rfc_lock);
	list_for_each_entry(g, &amd_viommu_rfc_guests, node) {
		if (g->aviommu.parent != pdom)
			continue;
		amd_viommu_set_translation(g->aviommu.hw, NULL);
		scoped_guard(mutex, &pdom->viommu_lock)
			list_del_init(&g->aviommu.pdom_list);
		g->aviommu.parent = NULL;
	}
}

/* ----- Nested domains on the guest's parent ----- */

struct iommu_domain *amd_viommu_rfc_domain_alloc_nested(struct device *dev,
							struct iommu_domain *parent, u32 flags,
							const struct iommu_user_data *user_data)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct iommu_hwpt_amd_guest gdte;
	struct amd_viommu_rfc_guest *g;
	struct iommu_domain *dom;
	int ret;

	if (flags)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	if (!user_data || user_data->type != IOMMU_HWPT_DATA_AMD_GUEST)
		return (struct iommu_domain *)ERR_PTR(-EOPNOTSUPP);
	ret = iommu_copy_struct_from_user(&gdte, user_data, IOMMU_HWPT_DATA_AMD_GUEST, dte);
	if (ret)
		return (struct iommu_domain *)ERR_PTR(ret);

	guard(mutex)(&amd_viommu_rfc_lock);
	/* Only a device of a guest of this uAPI, on that guest's parent */
	g = dev_data->vimu ? rfc_guest_find(dev_data->iommu, dev_data->vimu_gid) : NULL;
	if (!g || !g->aviommu.parent || &g->aviommu.parent->domain != parent)
		return (struct iommu_domain *)ERR_PTR(-EINVAL);
	dom = amd_iommu_nested_domain_alloc(&g->aviommu, &gdte);
	if (!IS_ERR(dom))
		refcount_inc(&g->users);
	return dom;
}

/* ----- The ioctls ----- */

static int rfc_iommu_init(struct iommufd_ctx *ictx, struct amd_viommu_iommu_info *cmd)
{
	struct amd_iommu *iommu = rfc_iommu_get(cmd->iommu_id);
	struct amd_viommu_rfc_guest *g;
	struct amd_hw_viommu *hw;

	if (!iommu)
		return -ENODEV;
	lockdep_assert_held(&amd_viommu_rfc_lock);
	list_for_each_entry(g, &amd_viommu_rfc_guests, node)
		if (rfc_iommu(g) == iommu && g->ictx == ictx)
			return -EEXIST;
	g = (struct amd_viommu_rfc_guest *)kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	hw = amd_viommu_guest_alloc(iommu, NULL);
	if (IS_ERR_OR_NULL(hw)) {
		kfree(g);
		return hw ? PTR_ERR(hw) : -ENODEV;
	}
	g->aviommu.core.iommu_dev = &iommu->iommu;
	g->aviommu.hw = hw;
	g->aviommu.rfc = true;
	xa_init(&g->aviommu.gdomid_array);
	mutex_init(&g->aviommu.gdom_lock);
	mutex_init(&g->aviommu.queue_lock);
	INIT_LIST_HEAD(&g->aviommu.pdom_list);
	xa_init(&g->gdevs);
	refcount_set(&g->users, 1);
	g->ictx = ictx;
	list_add_tail(&g->node, &amd_viommu_rfc_guests);
	cmd->gid = hw->gid;
	return 0;
}

static int rfc_iommu_destroy(struct iommufd_ctx *ictx, struct amd_viommu_iommu_info *cmd)
{
	struct amd_viommu_rfc_guest *g = rfc_guest_get(ictx, cmd->iommu_id, cmd->gid);

	if (IS_ERR(g))
		return PTR_ERR(g);
	if (!xa_empty(&g->gdevs) || refcount_read(&g->users) != 1)
		return -EBUSY;
	rfc_guest_release(g);
	return 0;
}

/* The guest's parent is the device's nest parent, directly or under a nested domain of it. */
static struct protection_domain *rfc_dev_parent(struct iommu_dev_data *dev_data)
{
	struct iommu_domain *dom = dev_data->domain;

	if (!dom || dom->owner != &amd_iommu_ops)
		return NULL;
	if (dom->type == IOMMU_DOMAIN_NESTED)
		return to_ndomain(dom)->viommu->parent;
	if (!(dom->type & __IOMMU_DOMAIN_PAGING) || !to_pdomain(dom)->nest_parent)
		return NULL;
	return to_pdomain(dom);
}

static int rfc_device_attach(struct iommufd_ctx *ictx, struct amd_viommu_dev_info *cmd)
{
	struct amd_viommu_rfc_guest *g = rfc_guest_get(ictx, cmd->iommu_id, cmd->gid);
	struct protection_domain *parent;
	struct iommu_dev_data *dev_data;
	struct device *dev;
	int ret;

	if (IS_ERR(g))
		return PTR_ERR(g);
	dev = rfc_bound_dev(ictx, rfc_iommu(g), cmd->hdev_id);
	if (!dev)
		return -ENODEV;
	if (cmd->queue_id)
		return -EINVAL;
	if (xa_load(&g->gdevs, cmd->gdev_id))
		return -EEXIST;
	dev_data = dev_iommu_priv(dev);
	parent = rfc_dev_parent(dev_data);
	if (!parent || (g->aviommu.parent && parent != g->aviommu.parent))
		return -EINVAL;
	ret = xa_insert(&g->gdevs, cmd->gdev_id, xa_mk_value(cmd->hdev_id), GFP_KERNEL);
	if (ret)
		return ret;
	ret = amd_viommu_attach_vdev(g->aviommu.hw, dev, cmd->gdev_id);
	if (ret) {
		xa_erase(&g->gdevs, cmd->gdev_id);
		return ret;
	}
	if (!g->aviommu.parent) {
		/* Flushes of the parent now reach what the IOMMU caches for the guest */
		g->aviommu.parent = parent;
		scoped_guard(mutex, &parent->viommu_lock)
			list_add(&g->aviommu.pdom_list, &parent->viommu_list);
		amd_viommu_set_translation(g->aviommu.hw, parent);
	}
	return 0;
}

static int rfc_device_detach(struct iommufd_ctx *ictx, struct amd_viommu_dev_info *cmd)
{
	struct amd_viommu_rfc_guest *g = rfc_guest_get(ictx, cmd->iommu_id, cmd->gid);
	struct iommu_dev_data *dev_data;
	void *ent;

	if (IS_ERR(g))
		return PTR_ERR(g);
	ent = xa_load(&g->gdevs, cmd->gdev_id);
	if (!ent)
		return -ENOENT;
	if (xa_to_value(ent) != cmd->hdev_id || cmd->queue_id)
		return -EINVAL;
	dev_data = search_dev_data(rfc_iommu(g), cmd->hdev_id);
	if (dev_data)
		amd_viommu_detach_vdev(g->aviommu.hw, dev_data->dev);
	xa_erase(&g->gdevs, cmd->gdev_id);
	return 0;
}

static int rfc_domain_update(struct iommufd_ctx *ictx, struct amd_viommu_dom_info *cmd,
			     bool attach)
{
	struct amd_viommu_rfc_guest *g = rfc_guest_get(ictx, cmd->iommu_id, cmd->gid);
	struct iommu_dev_data *dev_data;
	struct nested_domain *ndom;
	void *ent;

	if (IS_ERR(g))
		return PTR_ERR(g);
	ent = xa_load(&g->gdevs, cmd->gdev_id);
	if (!ent)
		return -ENOENT;
	dev_data = search_dev_data(rfc_iommu(g), xa_to_value(ent));
	if (!dev_data || !dev_data->domain || dev_data->domain->type != IOMMU_DOMAIN_NESTED)
		return -EINVAL;
	ndom = to_ndomain(dev_data->domain);
	if (ndom->viommu != &g->aviommu || ndom->gdom_id != cmd->gdom_id)
		return -EINVAL;
	amd_viommu_map_domid(g->aviommu.hw, cmd->gdom_id, ndom->gdom_info->hdom_id, attach);
	return 0;
}

/* log2 of the entries of a guest ComLen/EventLen field (256 .. 32768 entries). */
static int rfc_buf_len(u64 reg)
{
	unsigned int len = FIELD_GET(GBUF_LEN, reg);

	return len >= MMIO_BUF_LEN_MIN && len <= MMIO_BUF_LEN_MAX ? (int)len : -EINVAL;
}

/* Guest Control: its enables become the guest's VF control registers. */
static int rfc_control_write(struct amd_viommu_rfc_guest *g, u64 val)
{
	struct amd_hw_viommu *hw = g->aviommu.hw;
	u64 rising = val & ~g->control, falling = g->control & ~val;
	int len = 0, evt_len = 0, ppr_len = 0;

	if (rising & GCTRL_CMDBUF_EN) {
		if (!g->cmd_pages)
			return -ENXIO;
		/* No ComLen written: the buffer VIOMMU_CMDBUF_UPDATE handed over */
		if (!FIELD_GET(GBUF_LEN, g->cmd_base))
			len = ilog2(g->cmd_npages * PAGE_SIZE / sizeof(struct iommu_cmd));
		else
			len = rfc_buf_len(g->cmd_base);
		if (len < 0)
			return len;
		if (((u64)sizeof(struct iommu_cmd) << len) > g->cmd_npages * PAGE_SIZE)
			return -EINVAL;
	}
	/* Every length checked before anything changes: a refused write changes nothing */
	if (rising & GCTRL_PPR_LOG_EN) {
		ppr_len = rfc_buf_len(g->ppr_base);
		if (ppr_len < 0)
			return ppr_len;
	}
	if (rising & GCTRL_EVT_LOG_EN) {
		evt_len = rfc_buf_len(g->evt_base);
		if (evt_len < 0)
			return evt_len;
	}
	/* Base and length were checked: the enables cannot fail */
	if (rising & GCTRL_EVT_LOG_EN)
		WARN_ON(amd_viommu_evtlog_enable(hw, g->evt_base & GBUF_BASE,
						 (u64)sizeof(struct iommu_cmd) << evt_len));
	if (falling & GCTRL_EVT_LOG_EN)
		amd_viommu_evtlog_disable(hw);
	if (rising & GCTRL_PPR_LOG_EN)
		WARN_ON(amd_viommu_pprlog_enable(hw, g->ppr_base & GBUF_BASE,
						 (u64)sizeof(struct iommu_cmd) << ppr_len,
						 val & GCTRL_PPR_EN));
	else if ((val & GCTRL_PPR_LOG_EN) && ((rising | falling) & GCTRL_PPR_EN))
		amd_viommu_ppr_set_enable(hw, val & GCTRL_PPR_EN);
	if (falling & GCTRL_PPR_LOG_EN)
		amd_viommu_pprlog_disable(hw);
	if (rising & GCTRL_CMDBUF_EN)
		amd_viommu_cmdbuf_enable_pas(hw, len, val & GCTRL_COMWAIT_INT_EN);
	if (falling & GCTRL_CMDBUF_EN)
		amd_viommu_cmdbuf_disable(hw);
	g->control = val;
	return 0;
}

static u8 __iomem *rfc_vfctrl(struct amd_hw_viommu *hw, unsigned int off)
{
	return hw->iommu->vfctrl_mmio + (size_t)hw->gid * VIOMMU_VFCTRL_MMIO_ENTRY_SIZE + off;
}

/* What the guest reads back: its enables as the IOMMU has them. */
static u64 rfc_control_read(struct amd_viommu_rfc_guest *g)
{
	struct amd_hw_viommu *hw = g->aviommu.hw;
	u64 val = g->control & ~(GCTRL_CMDBUF_EN | GCTRL_EVT_LOG_EN | GCTRL_PPR_LOG_EN);

	if (readq(rfc_vfctrl(hw, VIOMMU_VFCTRL_GUEST_CMD_CONTROL_OFFSET)) & VIOMMU_CMD_CONTROL_EN)
		val |= GCTRL_CMDBUF_EN;
	if (readq(rfc_vfctrl(hw, VIOMMU_VFCTRL_GUEST_EVT_CONTROL_OFFSET)) & VIOMMU_EVT_CONTROL_EN)
		val |= GCTRL_EVT_LOG_EN;
	if (readq(rfc_vfctrl(hw, VIOMMU_VFCTRL_GUEST_PPR_CONTROL_OFFSET)) &
	    VIOMMU_PPR_CONTROL_LOG_EN)
		val |= GCTRL_PPR_LOG_EN;
	return val;
}

static bool rfc_vf_reg(unsigned int reg)
{
	switch (reg) {
	case MMIO_CMD_HEAD_OFFSET:
	case MMIO_CMD_TAIL_OFFSET:
	case MMIO_EVT_HEAD_OFFSET:
	case MMIO_EVT_TAIL_OFFSET:
	case MMIO_STATUS_OFFSET:
	case MMIO_PPR_HEAD_OFFSET:
	case MMIO_PPR_TAIL_OFFSET:
		return true;
	}
	return false;
}

static int rfc_reg_read(struct amd_viommu_rfc_guest *g, unsigned int reg, u64 *val)
{
	switch (reg) {
	case MMIO_CMD_BUF_OFFSET: *val = g->cmd_base; return 0;
	case MMIO_EVT_BUF_OFFSET: *val = g->evt_base; return 0;
	case MMIO_PPR_LOG_OFFSET: *val = g->ppr_base; return 0;
	case MMIO_CONTROL_OFFSET: *val = rfc_control_read(g); return 0;
	}
	if (!rfc_vf_reg(reg))
		return -EINVAL;
	*val = readq(amd_viommu_vf_page(g->aviommu.hw) + (reg - MMIO_CMD_HEAD_OFFSET));
	return 0;
}

static int rfc_reg_write(struct amd_viommu_rfc_guest *g, unsigned int reg, u64 val)
{
	switch (reg) {
	/*
	 * Stored as written, like the hardware's: a guest that writes a base as
	 * two 32-bit halves has no length in it after the first. The length is
	 * checked when the enable rises.
	 */
	case MMIO_CMD_BUF_OFFSET:
	case MMIO_EVT_BUF_OFFSET:
	case MMIO_PPR_LOG_OFFSET:
		(reg == MMIO_CMD_BUF_OFFSET   ? g->cmd_base
		 : reg == MMIO_EVT_BUF_OFFSET ? g->evt_base
					      : g->ppr_base) = val;
		return 0;
	case MMIO_CONTROL_OFFSET:
		return rfc_control_write(g, val);
	}
	if (!rfc_vf_reg(reg))
		return -EINVAL;
	writeq(val, amd_viommu_vf_page(g->aviommu.hw) + (reg - MMIO_CMD_HEAD_OFFSET));
	return 0;
}

static int rfc_mmio_access(struct iommufd_ctx *ictx, struct amd_viommu_mmio_data *cmd)
{
	struct amd_viommu_rfc_guest *g = rfc_guest_get(ictx, cmd->iommu_id, cmd->gid);
	unsigned int reg = cmd->offset & ~7U, shift = (cmd->offset & 4) * 8;
	u64 cur, mask;
	int ret;

	if (IS_ERR(g))
		return PTR_ERR(g);
	if ((cmd->mmio_size != 4 && cmd->mmio_size != 8) || cmd->is_write > 1 ||
	    (cmd->offset & (cmd->mmio_size - 1)))
		return -EINVAL;
	mask = cmd->mmio_size == 8 ? ~0ULL : GENMASK_ULL(31, 0) << shift;
	ret = rfc_reg_read(g, reg, &cur);
	if (ret)
		return ret;
	if (!cmd->is_write) {
		cmd->value = (cur & mask) >> shift;
		return 0;
	}
	if (cmd->mmio_size == 4 && cmd->value > 0xffffffffULL)
		return -EINVAL;
	return rfc_reg_write(g, reg, (cur & ~mask) | ((cmd->value << shift) & mask));
}

static int rfc_cmdbuf_update(struct iommufd_ctx *ictx, struct amd_viommu_cmdbuf_data *cmd)
{
	struct amd_viommu_rfc_guest *g = rfc_guest_get(ictx, cmd->iommu_id, cmd->gid);
	unsigned long npages, i;
	phys_addr_t *phys;
	struct page **pages;
	long pinned;
	int ret;

	if (IS_ERR(g))
		return PTR_ERR(g);
	if (!is_power_of_2(cmd->cmdbuf_size) || cmd->cmdbuf_size < mmio_buf_bytes(MMIO_BUF_LEN_MIN) ||
	    cmd->cmdbuf_size > mmio_buf_bytes(MMIO_BUF_LEN_MAX) || !IS_ALIGNED(cmd->hva, PAGE_SIZE))
		return -EINVAL;
	if (g->control & GCTRL_CMDBUF_EN)
		return -EBUSY;
	npages = cmd->cmdbuf_size / PAGE_SIZE;
	pages = (struct page **)kcalloc(npages, sizeof(*pages), GFP_KERNEL);
	phys = (phys_addr_t *)kcalloc(npages, sizeof(*phys), GFP_KERNEL);
	if (!pages || !phys) {
		ret = -ENOMEM;
		goto out_free;
	}
	pinned = pin_user_pages_fast(cmd->hva, npages, FOLL_WRITE | FOLL_LONGTERM, pages);
	if (pinned < 0) {
		ret = pinned;
		goto out_free;
	}
	if ((unsigned long)pinned != npages) {
		unpin_user_pages(pages, pinned);
		ret = -EFAULT;
		goto out_free;
	}
	for (i = 0; i < npages; i++)
		phys[i] = page_to_phys(pages[i]);
	rfc_cmdbuf_release(g);
	ret = amd_viommu_cmdbuf_back(g->aviommu.hw, phys, npages);
	if (ret) {
		unpin_user_pages(pages, npages);
		goto out_free;
	}
	g->cmd_pages = pages;
	g->cmd_npages = npages;
	kfree(phys);
	return 0;

out_free:
	kfree(phys);
	kfree(pages);
	return ret;
}

union amd_viommu_rfc_ucmd {
	struct amd_viommu_iommu_info iommu;
	struct amd_viommu_dev_info dev;
	struct amd_viommu_dom_info dom;
	struct amd_viommu_mmio_data mmio;
	struct amd_viommu_cmdbuf_data cmdbuf;
};

#define rfc_offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * The RFC's eight commands: the size rules of the core's table (a @size
 * short of the last field -EINVAL, extra non-zero bytes -E2BIG), then the
 * handler under amd_viommu_rfc_lock, then INIT's GuestID and a read's
 * value back to the user.
 */
static long amd_viommu_rfc_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void __user *arg)
{
	union amd_viommu_rfc_ucmd buf;
	size_t ksize, min_size;
	bool copy_out = false;
	u32 user_size;
	int ret;

	switch (cmd) {
	case VIOMMU_IOMMU_INIT:
	case VIOMMU_IOMMU_DESTROY:
		ksize = sizeof(buf.iommu);
		min_size = rfc_offsetofend(struct amd_viommu_iommu_info, gid);
		break;
	case VIOMMU_DEVICE_ATTACH:
	case VIOMMU_DEVICE_DETACH:
		ksize = sizeof(buf.dev);
		min_size = rfc_offsetofend(struct amd_viommu_dev_info, queue_id);
		break;
	case VIOMMU_DOMAIN_ATTACH:
	case VIOMMU_DOMAIN_DETACH:
		ksize = sizeof(buf.dom);
		min_size = rfc_offsetofend(struct amd_viommu_dom_info, gdom_id);
		break;
	case VIOMMU_MMIO_ACCESS:
		ksize = sizeof(buf.mmio);
		min_size = rfc_offsetofend(struct amd_viommu_mmio_data, is_write);
		break;
	case VIOMMU_CMDBUF_UPDATE:
		ksize = sizeof(buf.cmdbuf);
		min_size = rfc_offsetofend(struct amd_viommu_cmdbuf_data, hva);
		break;
	default:
		return -ENOTTY;
	}
	ret = get_user(user_size, (u32 __user *)arg);
	if (ret)
		return ret;
	if (user_size < min_size)
		return -EINVAL;
	ret = copy_struct_from_user(&buf, ksize, arg, user_size);
	if (ret)
		return ret;

	guard(mutex)(&amd_viommu_rfc_lock);
	switch (cmd) {
	case VIOMMU_IOMMU_INIT:
		ret = rfc_iommu_init(ictx, &buf.iommu);
		copy_out = !ret;
		break;
	case VIOMMU_IOMMU_DESTROY:
		ret = rfc_iommu_destroy(ictx, &buf.iommu);
		break;
	case VIOMMU_DEVICE_ATTACH:
		ret = rfc_device_attach(ictx, &buf.dev);
		break;
	case VIOMMU_DEVICE_DETACH:
		ret = rfc_device_detach(ictx, &buf.dev);
		break;
	case VIOMMU_DOMAIN_ATTACH:
	case VIOMMU_DOMAIN_DETACH:
		ret = rfc_domain_update(ictx, &buf.dom, cmd == VIOMMU_DOMAIN_ATTACH);
		break;
	case VIOMMU_MMIO_ACCESS:
		ret = rfc_mmio_access(ictx, &buf.mmio);
		copy_out = !ret && !buf.mmio.is_write;
		break;
	case VIOMMU_CMDBUF_UPDATE:
		ret = rfc_cmdbuf_update(ictx, &buf.cmdbuf);
		break;
	}
	if (copy_out && copy_to_user(arg, &buf, min_t(size_t, ksize, user_size))) {
		/* The VMM never learnt the GuestID: the guest must not outlive the call */
		if (cmd == VIOMMU_IOMMU_INIT)
			rfc_guest_release(rfc_guest_find(get_amd_iommu_from_devid(buf.iommu.iommu_id),
							 buf.iommu.gid));
		return -EFAULT;
	}
	return ret;
}

static const struct iommufd_ext_ioctls amd_viommu_rfc_ioctls = {
	.first_nr = IOMMUFD_VIOMMU_CMD_BASE,
	.last_nr = IOMMUFD_VIOMMU_CMD_LAST,
	.ioctl = amd_viommu_rfc_ioctl,
	.ctx_release = amd_viommu_rfc_ctx_release,
};

int amd_viommu_rfc_register(void)
{
	return iommufd_register_ext_ioctls(&amd_viommu_rfc_ioctls);
}
