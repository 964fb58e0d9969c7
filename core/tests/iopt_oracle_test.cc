// SPDX-License-Identifier: GPL-2.0
/*
 * A random sequence of map (fixed and automatic IOVA), unmap, copy and
 * domain attach/detach on one io_pagetable, checked step by step against
 * a plain model: a sorted list of areas, each with the user address it
 * starts at and the iopt_pages it came from (a copy shares its source's).
 *
 * After every step the model must match the area tree exactly, every
 * attached domain must map exactly the model's IO pages to the right
 * physical pages (and never have had a mapping cut in two), each user page
 * must be pinned once per iopt_pages covering it (none without a domain),
 * and the user's locked_vm must have grown by exactly the number of pins.
 *
 * Variants add in-kernel accesses (random pins and unpins through the
 * access API, with an unmap callback that drops them), a tiny temporary
 * memory limit (every batch and page list is a few entries long), and
 * large pages disabled (every PAGE_SIZE mapped on its own).
 *
 * The seed is printed; UIOMMUFD_SEED=<n> replays a run.
 */
#include "core_test.h"
#include "core/c_api.h"

#include <fcntl.h>
#include <random>
#include <vector>

#define NBUF_PAGES 64UL
#define IOVA_BASE (1UL << 20)
#define IOVA_SLOTS 1024UL	/* window of IOVA_SLOTS IO pages from IOVA_BASE */
#define RESV_START (IOVA_BASE + 600 * TEST_IO_PAGE_SIZE)
#define RESV_LAST (RESV_START + 16 * TEST_IO_PAGE_SIZE - 1)
#define MAX_DOMAINS 2

struct oarea {
	unsigned long iova;
	unsigned long last;
	uintptr_t uaddr;
	int pages_id;
};

struct opages {
	bool writable;
};

/* One access pin: the IOVA range, and the (pages, user range) it holds. */
struct opin_seg {
	int pages_id;
	uintptr_t ufirst;
	uintptr_t ulast;
};

struct opin {
	unsigned long iova;
	unsigned long length;
	std::vector<opin_seg> segs;
};

struct oracle_variant {
	const char *desc;
	size_t memory_limit;
	bool large_pages_off;
	bool accesses;
};

struct oracle_run {
	struct kunit *test;
	const struct oracle_variant *v;
	std::mt19937_64 rng;
	struct iommufd_ctx *ictx;
	struct io_pagetable *iopt;
	struct io_pagetable own_iopt;
	unsigned long gran;		/* IOVA/length granularity used */
	/* accesses variant: a real iommufd, IOAS and access */
	int fd;
	struct iommufd_ioas *ioas;
	struct iommufd_access *access;
	std::vector<opin> pins;
	u8 *buf;
	std::map<unsigned long, oarea> areas;	/* by iova */
	std::vector<opages> pages;		/* by pages_id */
	std::vector<struct test_domain *> domains;
	long locked_base;
	int resv_owner;
	unsigned long step;
	/* what the run did, for the log */
	unsigned long nr_maps, nr_copies, nr_unmaps, nr_pins, nr_attach;
};

static unsigned long rnd(struct oracle_run *r, unsigned long n)
{
	return n ? r->rng() % n : 0;
}

static bool overlaps(unsigned long a, unsigned long al, unsigned long b, unsigned long bl)
{
	return a <= bl && b <= al;
}

static bool model_overlaps(struct oracle_run *r, unsigned long iova, unsigned long last)
{
	for (auto &it : r->areas)
		if (overlaps(iova, last, it.second.iova, it.second.last))
			return true;
	return false;
}

static bool hits_reserved(unsigned long iova, unsigned long last)
{
	return overlaps(iova, last, RESV_START, RESV_LAST);
}

/*
 * Where automatic IOVA must land: the first hole (between reserved IOVA
 * and areas, within [PAGE_SIZE, ULONG_MAX - PAGE_SIZE]) that fits @length
 * at an alignment of min(length rounded up to a power of two, the lowest
 * set bit of @addr, 2 MiB), with @addr's offset in its page ORed in.
 */
static unsigned long model_auto_iova(struct oracle_run *r, unsigned long addr,
				     unsigned long length)
{
	unsigned long align = roundup_pow_of_two(length);
	unsigned long page_offset = addr % PAGE_SIZE;
	std::map<unsigned long, unsigned long> used;	/* start -> last */
	unsigned long pos = PAGE_SIZE, end = ULONG_MAX - PAGE_SIZE;

	if (addr)
		align = min(align, 1UL << __builtin_ctzl(addr));
	align = min(align, PAGE_SIZE << 9);

	used[RESV_START] = RESV_LAST;
	for (auto &it : r->areas)
		used[it.second.iova] = it.second.last;

	for (auto it = used.begin();; ++it) {
		unsigned long hole_last = it == used.end() ? end : min(end, it->first - 1);

		if (it == used.end() || it->first > pos) {
			unsigned long start;

			if (!check_add_overflow(pos, align - 1, &start)) {
				start = (start & ~(align - 1)) | page_offset;
				if (start < hole_last && hole_last - start >= length - 1)
					return start;
			}
		}
		if (it == used.end())
			return 0;
		if (it->second >= pos)
			pos = it->second + 1;
	}
}

/* ---- checks ---- */

static void check_tree(struct oracle_run *r)
{
	struct kunit *test = r->test;
	std::map<struct iopt_pages *, int> seen;
	struct iopt_area *area;
	auto it = r->areas.begin();

	down_read(&r->iopt->iova_rwsem);
	for (area = iopt_area_iter_first(r->iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX), ++it) {
		uintptr_t uaddr;

		KUNIT_ASSERT_TRUE_MSG(test, it != r->areas.end(), "step %lu: extra area %lx",
				      r->step, iopt_area_iova(area));
		KUNIT_ASSERT_NOT_NULL(test, area->pages);
		uaddr = (uintptr_t)area->pages->uptr +
			iopt_area_start_byte(area, iopt_area_iova(area));
		KUNIT_EXPECT_EQ_MSG(test, iopt_area_iova(area), it->second.iova, "step %lu",
				    r->step);
		KUNIT_EXPECT_EQ_MSG(test, iopt_area_last_iova(area), it->second.last, "step %lu",
				    r->step);
		KUNIT_EXPECT_EQ_MSG(test, uaddr, it->second.uaddr, "step %lu", r->step);

		/* iopt_pages <-> pages_id must be a bijection */
		auto s = seen.find(area->pages);
		if (s == seen.end()) {
			for (auto &o : seen)
				KUNIT_EXPECT_NE(test, o.second, it->second.pages_id);
			seen[area->pages] = it->second.pages_id;
		} else {
			KUNIT_EXPECT_EQ_MSG(test, s->second, it->second.pages_id, "step %lu",
					    r->step);
		}
	}
	KUNIT_EXPECT_TRUE_MSG(test, it == r->areas.end(), "step %lu: missing areas", r->step);
	up_read(&r->iopt->iova_rwsem);
}

static void check_domains(struct oracle_run *r)
{
	struct kunit *test = r->test;

	for (struct test_domain *td : r->domains) {
		unsigned long expected = 0;

		KUNIT_EXPECT_EQ_MSG(test, td->bad_unmaps, 0, "step %lu: unmap cut a mapping",
				    r->step);
		for (auto &it : r->areas) {
			const oarea &a = it.second;
			unsigned long iova;

			for (iova = a.iova; iova < a.last; iova += TEST_IO_PAGE_SIZE) {
				uintptr_t ua = a.uaddr + (iova - a.iova);
				phys_addr_t want = PFN_PHYS(test_page_pfn((void *)ua)) +
						   ua % PAGE_SIZE;
				auto pte = td->ptes->find(iova / TEST_IO_PAGE_SIZE);

				expected++;
				if (pte == td->ptes->end()) {
					KUNIT_FAIL(test, "step %lu: iova %lx not mapped", r->step,
						   iova);
					continue;
				}
				KUNIT_EXPECT_EQ_MSG(test, pte->second & ~TEST_PTE_FLAGS, want,
						    "step %lu iova %lx", r->step, iova);
			}
		}
		KUNIT_EXPECT_EQ_MSG(test, td->ptes->size(), expected, "step %lu: stray mappings",
				    r->step);
	}
}

/*
 * Each user page is pinned once per iopt_pages that needs it: one over it
 * while a domain is attached, or one an access holds it through.
 */
static void check_pins(struct oracle_run *r)
{
	struct kunit *test = r->test;
	long total = 0;
	unsigned long pg;

	for (pg = 0; pg != NBUF_PAGES; pg++) {
		uintptr_t p_first = (uintptr_t)r->buf + pg * PAGE_SIZE;
		uintptr_t p_last = p_first + PAGE_SIZE - 1;
		std::vector<bool> ids(r->pages.size());
		int want = 0;

		if (!r->domains.empty()) {
			for (auto &it : r->areas) {
				const oarea &a = it.second;

				if (overlaps(a.uaddr, a.uaddr + (a.last - a.iova), p_first, p_last) &&
				    !ids[a.pages_id]) {
					ids[a.pages_id] = true;
					want++;
				}
			}
		}
		for (const opin &pin : r->pins) {
			for (const opin_seg &seg : pin.segs) {
				if (overlaps(seg.ufirst, seg.ulast, p_first, p_last) &&
				    !ids[seg.pages_id]) {
					ids[seg.pages_id] = true;
					want++;
				}
			}
		}
		KUNIT_EXPECT_EQ_MSG(test, test_page_pincount((void *)p_first), want,
				    "step %lu: user page %lu", r->step, pg);
		total += want;
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&current_user()->locked_vm) - r->locked_base,
			    total, "step %lu: locked_vm", r->step);
}

static void check_all(struct oracle_run *r)
{
	check_tree(r);
	check_domains(r);
	check_pins(r);
}

/* ---- operations ---- */

static int pick_prot(struct oracle_run *r)
{
	return rnd(r, 4) ? IOMMU_READ | IOMMU_WRITE : IOMMU_READ;
}

static void op_map(struct oracle_run *r, bool fixed)
{
	struct kunit *test = r->test;
	unsigned long slots = IOVA_SLOTS * TEST_IO_PAGE_SIZE / r->gran;
	unsigned long npg = 1 + rnd(r, 12);
	unsigned long length = npg * r->gran;
	unsigned long uoff = rnd(r, NBUF_PAGES * PAGE_SIZE / r->gran - npg + 1) * r->gran;
	unsigned long iova = IOVA_BASE + rnd(r, slots - npg) * r->gran;
	int prot = pick_prot(r);
	unsigned long want_iova = 0;
	int want = 0;
	int rc;

	if (fixed) {
		if (hits_reserved(iova, iova + length - 1))
			want = -EINVAL;
		else if (model_overlaps(r, iova, iova + length - 1))
			want = -EEXIST;
	} else {
		want_iova = model_auto_iova(r, (uintptr_t)r->buf + uoff, length);
	}

	rc = iopt_map_user_pages(r->ictx, r->iopt, &iova, r->buf + uoff, length, prot,
				 fixed ? 0 : IOPT_ALLOC_IOVA);
	if (fixed) {
		KUNIT_ASSERT_EQ_MSG(test, rc, want, "step %lu: map %lx+%lx", r->step, iova,
				    length);
	} else {
		KUNIT_ASSERT_EQ_MSG(test, rc, 0, "step %lu: auto map of %lx", r->step, length);
		KUNIT_EXPECT_EQ_MSG(test, iova, want_iova, "step %lu", r->step);
		KUNIT_EXPECT_FALSE(test, model_overlaps(r, iova, iova + length - 1));
		KUNIT_EXPECT_FALSE(test, hits_reserved(iova, iova + length - 1));
	}
	if (rc)
		return;
	r->nr_maps++;
	r->pages.push_back({ !!(prot & IOMMU_WRITE) });
	r->areas[iova] = { iova, iova + length - 1, (uintptr_t)r->buf + uoff,
			   (int)r->pages.size() - 1 };
}

static void op_unmap(struct oracle_run *r)
{
	struct kunit *test = r->test;
	unsigned long start, last, unmapped = 0, want_unmapped = 0;
	int want = 0;
	int rc;

	switch (rnd(r, 4)) {
	case 0: /* exactly one existing area */
		if (!r->areas.empty()) {
			auto it = r->areas.begin();

			std::advance(it, rnd(r, r->areas.size()));
			start = it->second.iova;
			last = it->second.last;
			break;
		}
		fallthrough;
	default:
		start = IOVA_BASE + rnd(r, IOVA_SLOTS) * TEST_IO_PAGE_SIZE;
		last = start + (1 + rnd(r, 64)) * r->gran - 1;
		break;
	}

	/* Whole areas go in IOVA order until one sticks out. */
	for (auto it = r->areas.begin(); it != r->areas.end();) {
		const oarea &a = it->second;

		if (!overlaps(start, last, a.iova, a.last)) {
			++it;
			continue;
		}
		if (a.iova < start || a.last > last) {
			want = -ENOENT;
			break;
		}
		want_unmapped += a.last - a.iova + 1;
		it = r->areas.erase(it);
	}

	rc = iopt_unmap_iova(r->iopt, start, last - start + 1, &unmapped);
	KUNIT_ASSERT_EQ_MSG(test, rc, want, "step %lu: unmap [%lx, %lx]", r->step, start, last);
	KUNIT_EXPECT_EQ(test, unmapped, want_unmapped);
	if (unmapped)
		r->nr_unmaps++;
}

static void op_unmap_all(struct oracle_run *r)
{
	unsigned long unmapped = 0, want_unmapped = 0;

	for (auto &it : r->areas)
		want_unmapped += it.second.last - it.second.iova + 1;
	r->areas.clear();
	KUNIT_ASSERT_EQ(r->test, iopt_unmap_all(r->iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(r->test, unmapped, want_unmapped);
}

static void op_copy(struct oracle_run *r)
{
	struct kunit *test = r->test;
	unsigned long slots = IOVA_SLOTS * TEST_IO_PAGE_SIZE / r->gran;
	unsigned long npg = 1 + rnd(r, 16);
	unsigned long length = npg * r->gran;
	unsigned long src = IOVA_BASE + rnd(r, slots - npg) * r->gran;
	unsigned long dst = IOVA_BASE + rnd(r, slots - npg) * r->gran;
	unsigned long src_last = src + length - 1;
	std::vector<oarea> slices;
	unsigned long want_dst = 0;
	bool fixed = rnd(r, 3);
	int prot = pick_prot(r);
	LIST_HEAD(pages_list);
	unsigned long cur = src;
	int want = 0;
	int rc;

	/* Mostly copy from inside an existing area. */
	if (!r->areas.empty() && rnd(r, 4)) {
		auto it = r->areas.begin();

		std::advance(it, rnd(r, r->areas.size()));
		src = it->second.iova + rnd(r, (it->second.last - it->second.iova + 1) / r->gran) *
					       r->gran;
		src_last = src + length - 1;
		cur = src;
	}

	/* The source must be covered by areas without a gap. */
	while (cur <= src_last) {
		auto it = r->areas.upper_bound(cur);

		if (it == r->areas.begin())
			break;
		--it;
		if (it->second.last < cur)
			break;
		slices.push_back({ cur, min(src_last, it->second.last),
				   it->second.uaddr + (cur - it->second.iova), it->second.pages_id });
		if (it->second.last >= src_last) {
			cur = src_last + 1;
			break;
		}
		cur = it->second.last + 1;
	}

	rc = iopt_get_pages(r->iopt, src, length, &pages_list);
	if (cur <= src_last) {
		KUNIT_EXPECT_EQ_MSG(test, rc, -ENOENT, "step %lu: copy from hole %lx", r->step,
				    src);
		KUNIT_EXPECT_TRUE(test, list_empty(&pages_list));
		return;
	}
	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "step %lu: get_pages %lx+%lx", r->step, src, length);

	if (fixed) {
		if (hits_reserved(dst, dst + length - 1))
			want = -EINVAL;
		else if (model_overlaps(r, dst, dst + length - 1))
			want = -EEXIST;
	}
	if (!want && (prot & IOMMU_WRITE))
		for (const oarea &s : slices)
			if (!r->pages[s.pages_id].writable)
				want = -EPERM;
	if (!fixed)
		want_dst = model_auto_iova(r, slices[0].uaddr, length);

	rc = iopt_map_pages(r->iopt, &pages_list, length, &dst, prot,
			    fixed ? 0 : IOPT_ALLOC_IOVA);
	iopt_free_pages_list(&pages_list);
	KUNIT_ASSERT_EQ_MSG(test, rc, want, "step %lu: copy %lx -> %lx (+%lx)", r->step, src,
			    dst, length);
	if (rc)
		return;
	if (!fixed)
		KUNIT_EXPECT_EQ_MSG(test, dst, want_dst, "step %lu", r->step);
	KUNIT_EXPECT_FALSE(test, hits_reserved(dst, dst + length - 1));
	KUNIT_EXPECT_FALSE(test, model_overlaps(r, dst, dst + length - 1));

	r->nr_copies++;
	for (const oarea &s : slices) {
		unsigned long d = dst + (s.iova - src);

		r->areas[d] = { d, d + (s.last - s.iova), s.uaddr, s.pages_id };
	}
}

/* The driver side of the access: drop every pin the unmap touches. */
static void oracle_access_unmap(void *data, unsigned long iova, unsigned long length)
{
	struct oracle_run *r = (struct oracle_run *)data;

	for (auto it = r->pins.begin(); it != r->pins.end();) {
		if (overlaps(iova, iova + length - 1, it->iova, it->iova + it->length - 1)) {
			iommufd_access_unpin_pages(r->access, it->iova, it->length);
			it = r->pins.erase(it);
		} else {
			++it;
		}
	}
}

static const struct iommufd_access_ops oracle_access_ops = {
	.needs_pin_pages = 1,
	.unmap = oracle_access_unmap,
};

static void op_access_pin(struct oracle_run *r)
{
	struct kunit *test = r->test;
	unsigned long npg = 1 + rnd(r, 8);
	unsigned long length = npg * PAGE_SIZE;
	unsigned long iova = IOVA_BASE + rnd(r, IOVA_SLOTS / 2) * PAGE_SIZE;
	std::vector<struct page *> pages(npg);
	opin pin = { 0, length, {} };
	unsigned long cur;
	int want = 0;
	int rc;

	if (!r->areas.empty() && rnd(r, 4)) {
		auto it = r->areas.begin();

		std::advance(it, rnd(r, r->areas.size()));
		iova = it->second.iova +
		       rnd(r, (it->second.last - it->second.iova + 1) / PAGE_SIZE) * PAGE_SIZE;
	}
	pin.iova = iova;

	/* covered by areas without a gap, or ENOENT */
	for (cur = iova; cur < iova + length;) {
		auto it = r->areas.upper_bound(cur);

		if (it == r->areas.begin() || (--it)->second.last < cur) {
			want = -ENOENT;
			break;
		}
		pin.segs.push_back({ it->second.pages_id, it->second.uaddr + (cur - it->second.iova),
				     it->second.uaddr +
					     (min(it->second.last, iova + length - 1) -
					      it->second.iova) });
		cur = it->second.last + 1;
	}

	rc = iommufd_access_pin_pages(r->access, iova, length, pages.data(), 0);
	KUNIT_ASSERT_EQ_MSG(test, rc, want, "step %lu: pin %lx+%lx", r->step, iova, length);
	if (rc)
		return;
	for (unsigned long i = 0; i != npg; i++) {
		unsigned long ia = iova + i * PAGE_SIZE;
		auto it = --r->areas.upper_bound(ia);

		KUNIT_EXPECT_EQ_MSG(test, page_to_pfn(pages[i]),
				    test_page_pfn((void *)(it->second.uaddr + (ia - it->second.iova))),
				    "step %lu", r->step);
	}
	r->pins.push_back(pin);
	r->nr_pins++;
}

static void op_access_unpin(struct oracle_run *r)
{
	unsigned long i;

	if (r->pins.empty())
		return;
	i = rnd(r, r->pins.size());
	iommufd_access_unpin_pages(r->access, r->pins[i].iova, r->pins[i].length);
	r->pins.erase(r->pins.begin() + i);
}

static void op_domain(struct oracle_run *r)
{
	struct kunit *test = r->test;

	if (r->domains.size() < MAX_DOMAINS && (r->domains.empty() || rnd(r, 2))) {
		struct test_domain *td = test_domain_alloc(0, ULONG_MAX);

		td->inject = false;
		KUNIT_ASSERT_EQ_MSG(test, iopt_table_add_domain(r->iopt, &td->domain), 0,
				    "step %lu: attach", r->step);
		r->domains.push_back(td);
		r->nr_attach++;
		KUNIT_EXPECT_EQ(test, r->iopt->iova_alignment, max(r->gran, TEST_IO_PAGE_SIZE));
	} else if (!r->domains.empty()) {
		unsigned long i = rnd(r, r->domains.size());
		struct test_domain *td = r->domains[i];

		iopt_table_remove_domain(r->iopt, &td->domain);
		KUNIT_EXPECT_EQ(test, td->ptes->size(), 0);
		KUNIT_EXPECT_EQ(test, td->bad_unmaps, 0);
		r->domains.erase(r->domains.begin() + i);
		test_domain_free(td);
	}
}

static void oracle_teardown(struct oracle_run *r)
{
	unsigned long unmapped;

	if (r->access) {
		/* detaching first calls our unmap op for every pin */
		iommufd_access_detach(r->access);
		KUNIT_EXPECT_TRUE(r->test, r->pins.empty());
		iommufd_access_destroy(r->access);
	}
	iopt_unmap_all(r->iopt, &unmapped);
	r->areas.clear();
	for (struct test_domain *td : r->domains) {
		iopt_table_remove_domain(r->iopt, &td->domain);
		test_domain_free(td);
	}
	r->domains.clear();
	iopt_remove_reserved_iova(r->iopt, &r->resv_owner);
	if (r->ioas) {
		iommufd_put_object(r->ictx, &r->ioas->obj);
		iommufd_ctx_put(r->ictx);
		iommufd_close(r->fd);
	} else {
		iopt_destroy_table(r->iopt);
	}
	munmap(r->buf, NBUF_PAGES * PAGE_SIZE);
}

static void oracle_setup_access(struct oracle_run *r)
{
	struct kunit *test = r->test;
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	u32 access_id;

	r->fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_GE(test, r->fd, 0);
	KUNIT_ASSERT_EQ(test, iommufd_ioctl(r->fd, IOMMU_IOAS_ALLOC, &cmd), 0);
	r->ictx = iommufd_ctx_from_fd(r->fd);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->ictx));
	r->ioas = iommufd_get_ioas(r->ictx, cmd.out_ioas_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->ioas));
	r->iopt = &r->ioas->iopt;
	r->access = iommufd_access_create(r->ictx, &oracle_access_ops, r, &access_id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->access));
	KUNIT_ASSERT_EQ(test, iommufd_access_attach(r->access, cmd.out_ioas_id), 0);
	KUNIT_EXPECT_EQ(test, r->iopt->iova_alignment, PAGE_SIZE);
}

static void run_oracle(struct kunit *test, const struct oracle_variant *v, unsigned long nsteps,
		       unsigned long seed)
{
	struct oracle_run *r = new oracle_run();
	size_t saved_limit = iommufd_test_memory_limit;
	int rc;

	r->test = test;
	r->v = v;
	r->rng.seed(seed);
	r->buf = (u8 *)test_alloc_buffer(test, NBUF_PAGES);
	r->gran = (v->accesses || v->large_pages_off) ? PAGE_SIZE : TEST_IO_PAGE_SIZE;
	if (v->accesses) {
		oracle_setup_access(r);
	} else {
		r->ictx = test_ctx_alloc(test, 0);
		r->iopt = &r->own_iopt;
		iopt_init_table(r->iopt);
	}
	if (v->large_pages_off)
		KUNIT_ASSERT_EQ(test, iopt_disable_large_pages(r->iopt), 0);
	iommufd_test_memory_limit = v->memory_limit;
	r->locked_base = atomic_long_read(&current_user()->locked_vm);

	down_write(&r->iopt->iova_rwsem);
	rc = iopt_reserve_iova(r->iopt, RESV_START, RESV_LAST, &r->resv_owner);
	up_write(&r->iopt->iova_rwsem);
	KUNIT_EXPECT_EQ(test, rc, 0);

	for (r->step = 0; r->step != nsteps; r->step++) {
		unsigned long op = rnd(r, 100);

		if (op < 30)
			op_map(r, true);
		else if (op < 40)
			op_map(r, false);
		else if (op < 60)
			op_unmap(r);
		else if (op < 75)
			op_copy(r);
		else if (op < 81)
			op_domain(r);
		else if (op < 83)
			op_unmap_all(r);
		else if (!r->access)
			op_map(r, true);
		else if (op < 93)
			op_access_pin(r);
		else
			op_access_unpin(r);
		check_all(r);
		if (kunit_get_current_test()->status == KUNIT_FAILURE) {
			kunit_info(test, "first failure at step %lu (seed %lu)", r->step, seed);
			break;
		}
	}

	kunit_info(test, "%s: %lu maps, %lu copies, %lu unmaps, %lu pins, %lu attaches",
		   v->desc, r->nr_maps, r->nr_copies, r->nr_unmaps, r->nr_pins, r->nr_attach);
	oracle_teardown(r);
	iommufd_test_memory_limit = saved_limit;
	KUNIT_EXPECT_EQ(test, atomic_long_read(&current_user()->locked_vm), r->locked_base);
	delete r;
}

static const struct oracle_variant oracle_variants[] = {
	{ .desc = "plain", .memory_limit = 65536 },
	{ .desc = "tiny-memory-limit", .memory_limit = 32 },
	{ .desc = "large-pages-off", .memory_limit = 65536, .large_pages_off = true },
	{ .desc = "accesses", .memory_limit = 65536, .accesses = true },
	{ .desc = "accesses-tiny-limit", .memory_limit = 32, .accesses = true },
};
KUNIT_ARRAY_PARAM_DESC(oracle, oracle_variants, desc);

static void iopt_oracle_random(struct kunit *test)
{
	const struct oracle_variant *v = (const struct oracle_variant *)test->param_value;

	/* per-user charging, with room for everything */
	test_set_memlock(test, 1UL << 40, false);
	run_oracle(test, v, 3000, test_seed(test));
}

static struct kunit_case iopt_oracle_cases[] = {
	KUNIT_CASE_PARAM(iopt_oracle_random, oracle_gen_params),
	{}
};

static struct kunit_suite iopt_oracle_suite = {
	.name = "core-iopt-oracle",
	.test_cases = iopt_oracle_cases,
};
kunit_test_suite(iopt_oracle_suite);
