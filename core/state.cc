// SPDX-License-Identifier: GPL-2.0
/*
 * State snapshots (core/state.h): every open context and its objects as
 * state items, then the machine's models.
 *
 * Objects are taken as iommufd_get_object() does (xa_lock, then users and
 * wait_cnt), without its fault-injection point, so a snapshot never moves a
 * fail-nth count. Tables are read under the locks their writers take.
 *
 * A domain's page table is described by translation: for each page the
 * IOAS maps, which page the domain translates it to, as an ordinal that
 * numbers distinct physical pages in the order this snapshot meets them.
 * Two runs that map the same buffers at the same IOVAs give the same
 * ordinals, whatever the physical addresses; a domain that maps a page at
 * the wrong IOVA, or leaves one out, does not.
 */
#include "core/state.h"

#include "core/eventq.h"
#include "core/io_pagetable.h"
#include "core/io_pgfault.h"
#include "core/iommufd_private.h"
#include "harness/evfd.h"
#include "harness/platform/platform.h"

#include <algorithm>
#include <map>
#include <unordered_map>

void (*iommufd_state_release_hook)(const std::vector<struct state_item> &items);

void iommufd_device_attachments(struct iommufd_device *idev,
				void (*fn)(u32 pasid, struct iommufd_hw_pagetable *hwpt, void *arg),
				void *arg);

namespace {

/* Pages translated per snapshot before domain images say "truncated". */
constexpr unsigned long STATE_MAX_IMAGE_PAGES = 1UL << 20;

struct snapshot {
	std::vector<struct state_item> *out;
	std::string ctx;
	/* Distinct iopt_pages and physical pages, numbered as met. */
	std::map<const struct iopt_pages *, unsigned int> pages_ids;
	std::unordered_map<phys_addr_t, unsigned long> phys_ids;
	unsigned long image_pages = 0;
};

const char *obj_short_name(enum iommufd_object_type type)
{
	switch (type) {
	case IOMMUFD_OBJ_DEVICE: return "dev";
	case IOMMUFD_OBJ_HWPT_PAGING: return "hwpt";
	case IOMMUFD_OBJ_HWPT_NESTED: return "hwpt";
	case IOMMUFD_OBJ_IOAS: return "ioas";
	case IOMMUFD_OBJ_ACCESS: return "access";
	case IOMMUFD_OBJ_FAULT: return "fault";
	case IOMMUFD_OBJ_VIOMMU: return "viommu";
	case IOMMUFD_OBJ_VDEVICE: return "vdev";
	case IOMMUFD_OBJ_VEVENTQ: return "veventq";
	case IOMMUFD_OBJ_HW_QUEUE: return "hwq";
	case IOMMUFD_OBJ_SELFTEST: return "selftest";
	default: return "obj";
	}
}

const char *obj_kind(enum iommufd_object_type type)
{
	switch (type) {
	case IOMMUFD_OBJ_DEVICE: return "device";
	case IOMMUFD_OBJ_HWPT_PAGING: return "hwpt_paging";
	case IOMMUFD_OBJ_HWPT_NESTED: return "hwpt_nested";
	case IOMMUFD_OBJ_IOAS: return "ioas";
	case IOMMUFD_OBJ_ACCESS: return "access";
	case IOMMUFD_OBJ_FAULT: return "fault";
	case IOMMUFD_OBJ_VIOMMU: return "viommu";
	case IOMMUFD_OBJ_VDEVICE: return "vdevice";
	case IOMMUFD_OBJ_VEVENTQ: return "veventq";
	case IOMMUFD_OBJ_HW_QUEUE: return "hw_queue";
	case IOMMUFD_OBJ_SELFTEST: return "selftest";
	default: return "object";
	}
}

std::string obj_key(const std::string &ctx, const struct iommufd_object *obj)
{
	return ctx + "/" + obj_short_name(obj->type) + std::to_string(obj->id);
}

void edge(struct state_item *item, const char *what, const std::string &ctx,
	  const struct iommufd_object *obj)
{
	if (obj)
		item->edges.emplace_back(what, obj_key(ctx, obj));
}

const char *prot_str(int prot)
{
	static const char *const names[] = {"-", "r", "w", "rw"};

	return names[((prot & IOMMU_READ) ? 1 : 0) | ((prot & IOMMU_WRITE) ? 2 : 0)];
}

const char *pages_type(const struct iopt_pages *pages)
{
	switch (pages->type) {
	case IOPT_ADDRESS_USER: return "user";
	case IOPT_ADDRESS_FILE: return "file";
	default: return "dmabuf";
	}
}

unsigned int pages_id(struct snapshot *s, const struct iopt_pages *pages)
{
	auto it = s->pages_ids.find(pages);

	if (it != s->pages_ids.end())
		return it->second;
	return s->pages_ids[pages] = (unsigned int)s->pages_ids.size() + 1;
}

void describe_ioas(struct snapshot *s, struct iommufd_ioas *ioas, struct state_item *item)
{
	struct io_pagetable *iopt = &ioas->iopt;
	std::vector<unsigned int> pages_seen;
	unsigned long nareas = 0;

	guard(rwsem_read)(&iopt->iova_rwsem);
	for (struct iopt_area *area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		unsigned int pid;

		if (!area->pages)
			continue;
		nareas++;
		pid = pages_id(s, area->pages);
		state_item_field(item, "area 0x%lx-0x%lx %s pages%u+0x%lx%s", iopt_area_iova(area),
				 iopt_area_last_iova(area), prot_str(area->iommu_prot), pid,
				 iopt_area_index(area) * PAGE_SIZE + area->page_offset,
				 area->prevent_access ? " prevent_access" : "");
		if (std::find(pages_seen.begin(), pages_seen.end(), pid) == pages_seen.end())
			pages_seen.push_back(pid);
	}
	for (unsigned int id : pages_seen)
		item->edges.emplace_back("pages", "pages" + std::to_string(id));
	for (struct iopt_allowed *a = iopt_allowed_iter_first(iopt, 0, ULONG_MAX); a;
	     a = iopt_allowed_iter_next(a, 0, ULONG_MAX))
		state_item_field(item, "allowed 0x%lx-0x%lx", a->node.start, a->node.last);
	for (struct iopt_reserved *r = iopt_reserved_iter_first(iopt, 0, ULONG_MAX); r;
	     r = iopt_reserved_iter_next(r, 0, ULONG_MAX))
		state_item_field(item, "reserved 0x%lx-0x%lx", r->node.start, r->node.last);
	state_item_field(item, "iova_alignment 0x%lx", iopt->iova_alignment);
	state_item_field(item, "disable_large_pages %u", iopt->disable_large_pages);
	item->label = "IOAS " + std::to_string(ioas->obj.id) + "\\n" + std::to_string(nareas) +
		      (nareas == 1 ? " area" : " areas");
}

/* One run of a domain image: consecutive IOVAs, consecutive page ordinals. */
struct image_run {
	unsigned long iova = 0, last = 0;
	unsigned long first_id = 0;
	bool mapped = false, open = false;
};

void flush_run(struct state_item *item, struct image_run *run)
{
	if (!run->open)
		return;
	if (run->mapped)
		state_item_field(item, "image 0x%lx-0x%lx -> page%lu..%lu", run->iova, run->last,
				 run->first_id,
				 run->first_id + (run->last - run->iova) / PAGE_SIZE);
	else
		state_item_field(item, "image 0x%lx-0x%lx unmapped", run->iova, run->last);
	run->open = false;
}

/* What @domain translates each page of @ioas's areas to. */
void describe_image(struct snapshot *s, struct iommufd_ioas *ioas, struct iommu_domain *domain,
		    struct state_item *item)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct image_run run;

	if (!domain->ops || !domain->ops->iova_to_phys) {
		state_item_field(item, "image none (no iova_to_phys)");
		return;
	}
	guard(rwsem_read)(&iopt->iova_rwsem);
	for (struct iopt_area *area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		unsigned long iova = iopt_area_iova(area) & PAGE_MASK;

		if (!area->pages)
			continue;
		for (; iova <= iopt_area_last_iova(area); iova += PAGE_SIZE) {
			phys_addr_t pa;
			unsigned long id = 0;
			bool mapped;

			if (s->image_pages++ >= STATE_MAX_IMAGE_PAGES) {
				flush_run(item, &run);
				state_item_field(item, "image truncated at 0x%lx", iova);
				return;
			}
			pa = domain->ops->iova_to_phys(domain, iova);
			mapped = pa != 0;
			if (mapped) {
				auto it = s->phys_ids.find(pa & PAGE_MASK);

				if (it == s->phys_ids.end())
					it = s->phys_ids.emplace(pa & PAGE_MASK,
								 s->phys_ids.size() + 1).first;
				id = it->second;
			}
			if (run.open && run.mapped == mapped && run.last + 1 == iova &&
			    (!mapped || run.first_id + (iova - run.iova) / PAGE_SIZE == id)) {
				run.last = iova + PAGE_SIZE - 1;
				continue;
			}
			flush_run(item, &run);
			run = {iova, iova + PAGE_SIZE - 1, id, mapped, true};
		}
	}
	flush_run(item, &run);
}

const char *domain_type(const struct iommu_domain *domain)
{
	if (!domain)
		return "none";
	if (domain->type & __IOMMU_DOMAIN_NESTED)
		return "nested";
	if (domain->type & __IOMMU_DOMAIN_PAGING)
		return "paging";
	if (domain->type & __IOMMU_DOMAIN_PT)
		return "identity";
	return "blocked";
}

struct attach_ctx {
	struct snapshot *s;
	struct state_item *item;
};

/* Records a queue file holds that its reader has not taken yet (the kernel's queue length). */
void describe_unread(struct state_item *item, struct file *filep)
{
	if (filep)
		state_item_field(item, "unread %ld", evfd_unread(filep));
}

void describe_object(struct snapshot *s, struct iommufd_object *obj, struct state_item *item)
{
	const std::string &ctx = s->ctx;

	item->label = std::string(obj_kind(obj->type)) + " " + std::to_string(obj->id);
	switch (obj->type) {
	case IOMMUFD_OBJ_IOAS:
		describe_ioas(s, container_of(obj, struct iommufd_ioas, obj), item);
		break;
	case IOMMUFD_OBJ_HWPT_PAGING: {
		struct iommufd_hwpt_paging *hwpt = container_of(obj, struct iommufd_hwpt_paging,
								common.obj);

		edge(item, "ioas", ctx, &hwpt->ioas->obj);
		if (hwpt->common.fault)
			edge(item, "fault", ctx, &hwpt->common.fault->common.obj);
		state_item_field(item, "domain %s pgsize_bitmap 0x%lx",
				 domain_type(hwpt->common.domain),
				 hwpt->common.domain ? hwpt->common.domain->pgsize_bitmap : 0);
		state_item_field(item, "auto_domain %u nest_parent %u enforce_cache_coherency %u",
				 hwpt->auto_domain, hwpt->nest_parent,
				 hwpt->enforce_cache_coherency);
		item->label = std::string(hwpt->nest_parent ? "HWPT (nest parent) " : "HWPT ") +
			      std::to_string(obj->id);
		if (hwpt->common.domain)
			describe_image(s, hwpt->ioas, hwpt->common.domain, item);
		break;
	}
	case IOMMUFD_OBJ_HWPT_NESTED: {
		struct iommufd_hwpt_nested *hwpt = container_of(obj, struct iommufd_hwpt_nested,
								common.obj);

		edge(item, "parent", ctx, &hwpt->parent->common.obj);
		if (hwpt->viommu)
			edge(item, "viommu", ctx, &hwpt->viommu->obj);
		if (hwpt->common.fault)
			edge(item, "fault", ctx, &hwpt->common.fault->common.obj);
		state_item_field(item, "domain %s", domain_type(hwpt->common.domain));
		item->label = "nested HWPT " + std::to_string(obj->id);
		break;
	}
	case IOMMUFD_OBJ_DEVICE: {
		struct iommufd_device *idev = container_of(obj, struct iommufd_device, obj);
		struct attach_ctx ac = {s, item};

		state_item_field(item, "dev %s group %d", dev_name(idev->dev),
				 iommu_group_id(idev->igroup->group));
		state_item_field(item, "enforce_cache_coherency %u", idev->enforce_cache_coherency);
		iommufd_device_attachments(
			idev,
			[](u32 pasid, struct iommufd_hw_pagetable *hwpt, void *arg) {
				struct attach_ctx *a = (struct attach_ctx *)arg;

				if (pasid == IOMMU_NO_PASID)
					edge(a->item, "attached", a->s->ctx, &hwpt->obj);
				else
					edge(a->item, ("pasid " + std::to_string(pasid)).c_str(),
					     a->s->ctx, &hwpt->obj);
			},
			&ac);
		item->label = std::string("device ") + std::to_string(obj->id) + "\\n" +
			      dev_name(idev->dev);
		break;
	}
	case IOMMUFD_OBJ_ACCESS: {
		struct iommufd_access *access = container_of(obj, struct iommufd_access, obj);

		scoped_guard(mutex, &access->ioas_lock) {
			if (access->ioas)
				edge(item, "ioas", ctx, &access->ioas->obj);
		}
		state_item_field(item, "iova_alignment 0x%lx", access->iova_alignment);
		break;
	}
	case IOMMUFD_OBJ_FAULT: {
		struct iommufd_fault *fault = container_of(obj, struct iommufd_fault, common.obj);
		struct iopf_group *group;
		unsigned long cookie;

		scoped_guard(mutex, &fault->common.lock)
			describe_unread(item, fault->common.filep);
		/* Each page request delivered and waiting for its answer */
		scoped_guard(mutex, &fault->mutex) {
			xa_for_each(&fault->response, cookie, group) {
				const struct iommu_fault_page_request *prm =
					&group->last_fault.fault.prm;

				state_item_field(item, "awaiting cookie %lu pasid %u grpid %u addr 0x%llx "
						 "perm 0x%x", cookie, prm->pasid, prm->grpid,
						 (unsigned long long)prm->addr, prm->perm);
			}
		}
		break;
	}
	case IOMMUFD_OBJ_VEVENTQ: {
		struct iommufd_veventq *q = container_of(obj, struct iommufd_veventq, common.obj);

		edge(item, "viommu", ctx, &q->viommu->obj);
		scoped_guard(mutex, &q->common.lock) {
			state_item_field(item, "type %u depth %u sequence %u", q->type, q->depth,
					 q->sequence);
			describe_unread(item, q->common.filep);
		}
		break;
	}
	case IOMMUFD_OBJ_VIOMMU: {
		struct iommufd_viommu *viommu = container_of(obj, struct iommufd_viommu, obj);

		edge(item, "s2", ctx, &viommu->hwpt->common.obj);
		state_item_field(item, "type %u", viommu->type);
		break;
	}
	case IOMMUFD_OBJ_VDEVICE: {
		struct iommufd_vdevice *vdev = container_of(obj, struct iommufd_vdevice, obj);

		edge(item, "viommu", ctx, &vdev->viommu->obj);
		edge(item, "device", ctx, &vdev->idev->obj);
		state_item_field(item, "virt_id 0x%llx", (unsigned long long)vdev->virt_id);
		item->label = "vDEVICE " + std::to_string(obj->id) + "\\nvirt_id " +
			      std::to_string(vdev->virt_id);
		break;
	}
	case IOMMUFD_OBJ_HW_QUEUE: {
		struct iommufd_hw_queue *q = container_of(obj, struct iommufd_hw_queue, obj);

		edge(item, "viommu", ctx, &q->viommu->obj);
		state_item_field(item, "type %u base_addr 0x%llx length 0x%zx", q->type,
				 (unsigned long long)q->base_addr, q->length);
		break;
	}
	default:
		break;
	}
}

/* iommufd_get_object() without its fault-injection point. */
struct iommufd_object *state_get_object(struct iommufd_ctx *ictx, unsigned long id)
{
	struct iommufd_object *obj;

	xa_lock(&ictx->objects);
	obj = (struct iommufd_object *)xa_load(&ictx->objects, id);
	if (obj && !iommufd_lock_obj(obj))
		obj = NULL;
	xa_unlock(&ictx->objects);
	return obj;
}

void ctx_items(struct snapshot *s, struct iommufd_ctx *ictx, u64 seq)
{
	struct state_item ctx_item;
	std::vector<unsigned long> ids;
	struct iommufd_object *obj;
	unsigned long index;

	s->ctx = "ctx" + std::to_string(seq);
	xa_for_each(&ictx->objects, index, obj)
		ids.push_back(index);

	ctx_item.key = s->ctx;
	ctx_item.kind = "iommufd";
	ctx_item.label = "iommufd (context " + std::to_string(seq) + ")";
	state_item_field(&ctx_item, "objects %zu account_mode %u", ids.size(),
			 ictx->account_mode);
	state_item_seal(&ctx_item);
	s->out->push_back(std::move(ctx_item));

	for (unsigned long id : ids) {
		struct state_item item;

		obj = state_get_object(ictx, id);
		if (!obj)
			continue;
		item.key = obj_key(s->ctx, obj);
		item.kind = obj_kind(obj->type);
		item.owner = s->ctx;
		describe_object(s, obj, &item);
		iommufd_put_object(ictx, obj);
		state_item_seal(&item);
		s->out->push_back(std::move(item));
	}
}

/* The iopt_pages the contexts' areas met, after them: their keys are "pagesN". */
void pages_items(struct snapshot *s)
{
	std::vector<std::pair<unsigned int, const struct iopt_pages *>> byid;

	for (const auto &p : s->pages_ids)
		byid.emplace_back(p.second, p.first);
	std::sort(byid.begin(), byid.end());
	for (const auto &p : byid) {
		struct state_item item;

		item.key = "pages" + std::to_string(p.first);
		item.kind = "iopt_pages";
		item.label = item.key;
		state_item_field(&item, "type %s npages %zu writable %u account_mode %u",
				 pages_type(p.second), p.second->npages, p.second->writable,
				 p.second->account_mode);
		state_item_seal(&item);
		s->out->push_back(std::move(item));
	}
}

} // namespace

/* For a context that is going away: its items alone (pages included). */
void iommufd_state_ctx_items(struct iommufd_ctx *ictx, std::vector<struct state_item> *out)
{
	struct snapshot s;

	s.out = out;
	ctx_items(&s, ictx, ictx->seq);
	pages_items(&s);
}

void iommufd_state_snapshot(std::vector<struct state_item> *out)
{
	struct snapshot s;

	s.out = out;
	iommufd_for_each_ctx(
		[](struct iommufd_ctx *ictx, u64 seq, void *arg) {
			ctx_items((struct snapshot *)arg, ictx, seq);
		},
		&s);
	pages_items(&s);
	platform_state_items(out);
}
