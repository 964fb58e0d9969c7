// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's iommufd face (upstream's iommufd.c): IOMMU_GET_HW_INFO
 * gives EFR and EFR2 (struct iommu_hw_info_amd) as read at init, and the
 * vIOMMU (IOMMU_VIOMMU_TYPE_AMD, experimental: see
 * uapi/linux/iommufd_experimental.h) holds the nest parent and the
 * gDomID -> hDomID map its nested domains share (nested.cc). With the
 * HW-vIOMMU the vIOMMU is also a guest of it (viommu.cc): a vDEVICE fills
 * the guest's DeviceID map, a nested domain its DomainID map, and the HW
 * queue IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF (experimental) is the
 * guest's command buffer, run by the IOMMU from guest memory; _EVTLOG and
 * _PPRLOG are its event and PPR logs, written by the IOMMU into guest
 * memory.
 */
#include "drivers/amd/amd_iommu.h"

#include "core/iommufd.h"
#include "harness/slab.h"

#include <linux/iommufd_experimental.h>

void *amd_iommufd_hw_info(struct device *dev, u32 *length, u32 *type)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv(dev);
	struct iommu_hw_info_amd *hwinfo;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT && *type != IOMMU_HW_INFO_TYPE_AMD)
		return ERR_PTR(-EOPNOTSUPP);
	hwinfo = (struct iommu_hw_info_amd *)kzalloc(sizeof(*hwinfo), GFP_KERNEL);
	if (!hwinfo)
		return ERR_PTR(-ENOMEM);
	*length = sizeof(*hwinfo);
	*type = IOMMU_HW_INFO_TYPE_AMD;
	hwinfo->efr = dev_data->iommu->features;
	hwinfo->efr2 = dev_data->iommu->features2;
	return hwinfo;
}

static void amd_iommufd_viommu_destroy(struct iommufd_viommu *viommu)
{
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);
	struct protection_domain *pdom = aviommu->parent;

	{
		guard(mutex)(&pdom->viommu_lock);
		list_del(&aviommu->pdom_list);
	}
	/* Every nested domain holds the vIOMMU: the map is empty by now */
	WARN_ON(!xa_empty(&aviommu->gdomid_array));
	xa_destroy(&aviommu->gdomid_array);
	if (aviommu->hw) {
		if (viommu->ictx)
			iommufd_viommu_destroy_mmap(viommu, aviommu->vf_mmap_offset);
		amd_viommu_guest_free(aviommu->hw);
	}
}

/* ----- HW-vIOMMU objects ----- */

static void amd_iommufd_vdevice_destroy(struct iommufd_vdevice *vdev)
{
	struct amd_iommu_viommu *aviommu =
		container_of(vdev->viommu, struct amd_iommu_viommu, core);

	amd_viommu_detach_vdev(aviommu->hw, iommufd_vdevice_to_device(vdev));
}

/* A vDEVICE: its guest DeviceID into the guest's DeviceID map, DTE vImuEn. */
static int amd_iommufd_vdevice_init(struct iommufd_vdevice *vdev)
{
	struct amd_iommu_viommu *aviommu =
		container_of(vdev->viommu, struct amd_iommu_viommu, core);
	int ret;

	if (!aviommu->hw)
		return 0;	/* trap-and-emulate: the VMM keeps the guest IDs */
	if (vdev->virt_id > 0xffff)
		return -EINVAL;
	ret = amd_viommu_attach_vdev(aviommu->hw, iommufd_vdevice_to_device(vdev), vdev->virt_id);
	if (!ret)
		vdev->destroy = amd_iommufd_vdevice_destroy;
	return ret;
}

static size_t amd_iommufd_get_hw_queue_size(struct iommufd_viommu *viommu, u32 queue_type)
{
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);

	if ((queue_type != IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_CMDBUF &&
	     queue_type != IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG &&
	     queue_type != IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG) || !aviommu->hw)
		return 0;
	return HW_QUEUE_STRUCT_SIZE(struct iommufd_hw_queue, obj);
}

static void amd_iommufd_hw_queue_destroy(struct iommufd_hw_queue *hw_queue)
{
	struct amd_iommu_viommu *aviommu =
		container_of(hw_queue->viommu, struct amd_iommu_viommu, core);

	guard(mutex)(&aviommu->queue_lock);
	switch (hw_queue->type) {
	case IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG:
		amd_viommu_evtlog_disable(aviommu->hw);
		aviommu->evtlog_q = NULL;
		break;
	case IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG:
		amd_viommu_pprlog_disable(aviommu->hw);
		aviommu->pprlog_q = NULL;
		break;
	default:
		amd_viommu_cmdbuf_disable(aviommu->hw);
		aviommu->cmdbuf_q = NULL;
	}
}

static struct iommufd_hw_queue **amd_hw_queue_slot(struct amd_iommu_viommu *aviommu, u32 type)
{
	switch (type) {
	case IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG:
		return &aviommu->evtlog_q;
	case IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG:
		return &aviommu->pprlog_q;
	}
	return &aviommu->cmdbuf_q;
}

/*
 * The guest's command buffer, event log or PPR log: a GPA (an IOVA of the
 * nest parent) the IOMMU reads or writes through the guest's translation
 * DTE itself, so nothing is pinned here (the hw_queue_init style). One of
 * each per guest (index 0). The PPR log comes with PprEn: a VMM that
 * gives its guest the log wants its page requests.
 */
static int amd_iommufd_hw_queue_init(struct iommufd_hw_queue *hw_queue, u32 index)
{
	struct amd_iommu_viommu *aviommu =
		container_of(hw_queue->viommu, struct amd_iommu_viommu, core);
	struct iommufd_hw_queue **slot = amd_hw_queue_slot(aviommu, hw_queue->type);
	int ret;

	if (index)
		return -EINVAL;
	guard(mutex)(&aviommu->queue_lock);
	if (*slot)
		return -EEXIST;
	switch (hw_queue->type) {
	case IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_EVTLOG:
		ret = amd_viommu_evtlog_enable(aviommu->hw, hw_queue->base_addr, hw_queue->length);
		break;
	case IOMMU_HW_QUEUE_TYPE_AMD_VIOMMU_PPRLOG:
		ret = amd_viommu_pprlog_enable(aviommu->hw, hw_queue->base_addr, hw_queue->length,
					       true);
		break;
	default:
		ret = amd_viommu_cmdbuf_enable(aviommu->hw, hw_queue->base_addr,
					       hw_queue->length);
	}
	if (ret)
		return ret;
	*slot = hw_queue;
	hw_queue->destroy = amd_iommufd_hw_queue_destroy;
	return 0;
}

static int amd_iommufd_cache_invalidate(struct iommufd_viommu *viommu,
					struct iommu_user_data_array *array);

static const struct iommufd_viommu_ops amd_viommu_ops = {
	.destroy = amd_iommufd_viommu_destroy,
	.alloc_domain_nested = amd_iommu_alloc_domain_nested,
	.cache_invalidate = amd_iommufd_cache_invalidate,
	.vdevice_init = amd_iommufd_vdevice_init,
	.get_hw_queue_size = amd_iommufd_get_hw_queue_size,
	.hw_queue_init = amd_iommufd_hw_queue_init,
};

size_t amd_iommufd_get_viommu_size(struct device *dev, u32 viommu_type)
{
	if (viommu_type != IOMMU_VIOMMU_TYPE_AMD)
		return 0;
	return VIOMMU_STRUCT_SIZE(struct amd_iommu_viommu, core);
}

int amd_iommufd_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent,
			    const struct iommu_user_data *user_data)
{
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);
	struct amd_iommu *iommu = container_of(viommu->iommu_dev, struct amd_iommu, iommu);
	struct iommu_viommu_amd data = {};
	struct protection_domain *pdom;
	int ret;

	if (parent->owner != &amd_iommu_ops || !(parent->type & __IOMMU_DOMAIN_PAGING))
		return -EINVAL;
	pdom = to_pdomain(parent);
	if (!pdom->nest_parent)
		return -EINVAL;
	if (user_data) {
		ret = iommu_copy_struct_from_user(&data, user_data, IOMMU_VIOMMU_TYPE_AMD,
						  out_vf_mmio_length);
		if (ret)
			return ret;
		if (data.__reserved)
			return -EOPNOTSUPP;
	}
	aviommu->hw = amd_viommu_guest_alloc(iommu, pdom);
	if (IS_ERR(aviommu->hw))
		return PTR_ERR(aviommu->hw);
	/* The guest's VF page, for the VMM to map into the guest (a vIOMMU of a context) */
	if (aviommu->hw && viommu->ictx) {
		ret = iommufd_viommu_alloc_mmap_iomem(viommu, amd_viommu_vf_page(aviommu->hw),
						      VIOMMU_VF_MMIO_ENTRY_SIZE,
						      &aviommu->vf_mmap_offset);
		if (ret)
			goto err_guest;
		data.out_guest_id = aviommu->hw->gid;
		data.out_vf_mmio_offset = aviommu->vf_mmap_offset;
		data.out_vf_mmio_length = VIOMMU_VF_MMIO_ENTRY_SIZE;
	}
	if (user_data) {
		ret = iommu_copy_struct_to_user(user_data, &data, IOMMU_VIOMMU_TYPE_AMD,
						out_vf_mmio_length);
		if (ret)
			goto err_mmap;
	}
	xa_init(&aviommu->gdomid_array);
	mutex_init(&aviommu->gdom_lock);
	mutex_init(&aviommu->queue_lock);
	aviommu->parent = pdom;
	INIT_LIST_HEAD(&aviommu->pdom_list);
	viommu->ops = &amd_viommu_ops;
	mutex_lock(&pdom->viommu_lock);
	list_add(&aviommu->pdom_list, &pdom->viommu_list);
	mutex_unlock(&pdom->viommu_lock);
	return 0;

err_mmap:
	if (aviommu->hw && viommu->ictx)
		iommufd_viommu_destroy_mmap(viommu, aviommu->vf_mmap_offset);
err_guest:
	if (aviommu->hw)
		amd_viommu_guest_free(aviommu->hw);
	aviommu->hw = NULL;
	return ret;
}

/*
 * IOMMU_HWPT_INVALIDATE on the vIOMMU: the guest's own INVALIDATE_IOMMU_PAGES
 * commands (struct iommu_viommu_amd_inv, experimental), trapped by the VMM.
 * The guest's DomainID is translated through the map; a gDomID no nested
 * domain uses has nothing cached and is skipped. Any other command is
 * -EINVAL (the entry count reports how many were done).
 */
static int amd_iommufd_cache_invalidate(struct iommufd_viommu *viommu,
					struct iommu_user_data_array *array)
{
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);
	struct amd_iommu *iommu = container_of(viommu->iommu_dev, struct amd_iommu, iommu);
	unsigned int i;
	int ret = 0;

	for (i = 0; i < array->entry_num; i++) {
		struct iommu_viommu_amd_inv inv;
		struct guest_domain_mapping_info *gdom_info;
		struct iommu_cmd cmd;

		ret = iommu_copy_struct_from_user_array(&inv, array,
							IOMMU_VIOMMU_INVALIDATE_DATA_AMD, i, cmd);
		if (ret)
			break;
		memcpy(&cmd, inv.cmd, sizeof(cmd));
		if (cmd_opcode(&cmd) != CMD_INV_IOMMU_PAGES ||
		    (cmd.data[0] & CMD_INV_IOMMU_PAGES_0_RES0) ||
		    (cmd.data[1] & CMD_INV_IOMMU_PAGES_1_RES0) ||
		    (cmd.data[2] & CMD_INV_IOMMU_PAGES_2_RES0)) {
			ret = -EINVAL;
			break;
		}
		{
			guard(mutex)(&aviommu->gdom_lock);
			gdom_info = (struct guest_domain_mapping_info *)xa_load(
				&aviommu->gdomid_array, cmd.data[1] & CMD_INV_IOMMU_PAGES_1_DOMID);
			if (!gdom_info)
				continue;
			cmd.data[1] = (cmd.data[1] & ~CMD_INV_IOMMU_PAGES_1_DOMID) |
				      gdom_info->hdom_id;
			ret = iommu_queue_command(iommu, &cmd);
		}
		if (ret)
			break;
	}
	if (i)
		iommu_completion_wait(iommu);
	array->entry_num = i;
	return ret;
}
