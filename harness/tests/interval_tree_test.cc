// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the interval tree and its span iterator: hand-checked
 * examples, full-range edge cases, a randomised comparison of overlap
 * queries and spans against brute force (with the red-black and
 * augmentation invariants checked along the way), and the tripwires.
 */
#include "kunit.h"

#include "harness/interval_tree.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <random>
#include <vector>

struct span {
	int is_hole;
	unsigned long start, last;
	bool operator==(const span &o) const
	{
		return is_hole == o.is_hole && start == o.start && last == o.last;
	}
};

static std::vector<span> spans_of(struct rb_root_cached *root, unsigned long first,
				  unsigned long last)
{
	struct interval_tree_span_iter it;
	std::vector<span> out;

	interval_tree_for_each_span(&it, root, first, last)
		out.push_back({ it.is_hole, it.start_hole, it.last_hole });
	return out;
}

static void basic_queries(struct kunit *test)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct interval_tree_node n[4] = {};
	static const unsigned long range[4][2] = { { 10, 19 }, { 15, 30 }, { 40, 40 }, { 5, 8 } };

	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&root.rb_root));
	KUNIT_EXPECT_NULL(test, interval_tree_iter_first(&root, 0, ULONG_MAX));
	for (int i = 0; i < 4; i++) {
		n[i].start = range[i][0];
		n[i].last = range[i][1];
		interval_tree_insert(&n[i], &root);
	}
	KUNIT_EXPECT_TRUE(test, interval_tree_validate(&root));
	KUNIT_EXPECT_PTR_EQ(test, rb_first_cached(&root), &n[3].rb);

	/* Closed intervals: touching an end counts. */
	KUNIT_EXPECT_PTR_EQ(test, interval_tree_iter_first(&root, 19, 19), &n[0]);
	KUNIT_EXPECT_PTR_EQ(test, interval_tree_iter_next(&n[0], 19, 19), &n[1]);
	KUNIT_EXPECT_NULL(test, interval_tree_iter_next(&n[1], 19, 19));
	KUNIT_EXPECT_PTR_EQ(test, interval_tree_iter_first(&root, 31, 40), &n[2]);
	KUNIT_EXPECT_NULL(test, interval_tree_iter_first(&root, 31, 39));
	KUNIT_EXPECT_NULL(test, interval_tree_iter_first(&root, 41, ULONG_MAX));
	KUNIT_EXPECT_NULL(test, interval_tree_iter_first(&root, 0, 4));
	/* In start order. */
	struct interval_tree_node *x = interval_tree_iter_first(&root, 0, ULONG_MAX);
	std::vector<unsigned long> starts;

	for (; x; x = interval_tree_iter_next(x, 0, ULONG_MAX))
		starts.push_back(x->start);
	KUNIT_EXPECT_TRUE(test, starts == std::vector<unsigned long>({ 5, 10, 15, 40 }));

	interval_tree_remove(&n[3], &root);
	KUNIT_EXPECT_PTR_EQ(test, rb_first_cached(&root), &n[0].rb);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_NODE(&n[3].rb));
	for (int i = 0; i < 3; i++)
		interval_tree_remove(&n[i], &root);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&root.rb_root));
	KUNIT_EXPECT_NULL(test, rb_first_cached(&root));
}

static void span_examples(struct kunit *test)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct interval_tree_node n[4] = {};
	/* Overlapping, adjacent, and separate. */
	static const unsigned long range[4][2] = { { 3, 6 }, { 5, 9 }, { 10, 11 }, { 20, 29 } };

	KUNIT_EXPECT_TRUE(test, spans_of(&root, 7, 9) == std::vector<span>({ { 1, 7, 9 } }));
	for (int i = 0; i < 4; i++) {
		n[i].start = range[i][0];
		n[i].last = range[i][1];
		interval_tree_insert(&n[i], &root);
	}
	KUNIT_EXPECT_TRUE(test, spans_of(&root, 0, 35) ==
		std::vector<span>({ { 1, 0, 2 }, { 0, 3, 11 }, { 1, 12, 19 }, { 0, 20, 29 },
				     { 1, 30, 35 } }));
	/* Starting and ending inside used spans clips them. */
	KUNIT_EXPECT_TRUE(test, spans_of(&root, 4, 25) ==
		std::vector<span>({ { 0, 4, 11 }, { 1, 12, 19 }, { 0, 20, 25 } }));
	KUNIT_EXPECT_TRUE(test, spans_of(&root, 11, 11) == std::vector<span>({ { 0, 11, 11 } }));
	KUNIT_EXPECT_TRUE(test, spans_of(&root, 30, 30) == std::vector<span>({ { 1, 30, 30 } }));

	/* Advancing: within a span only its start moves. */
	struct interval_tree_span_iter it;

	interval_tree_span_iter_first(&it, &root, 0, 35);
	interval_tree_span_iter_advance(&it, &root, 1);
	KUNIT_EXPECT_EQ(test, it.is_hole, 1);
	KUNIT_EXPECT_EQ(test, it.start_hole, 1);
	KUNIT_EXPECT_EQ(test, it.last_hole, 2);
	interval_tree_span_iter_advance(&it, &root, 8);
	KUNIT_EXPECT_EQ(test, it.is_hole, 0);
	KUNIT_EXPECT_EQ(test, it.start_used, 8);
	KUNIT_EXPECT_EQ(test, it.last_used, 11);
	interval_tree_span_iter_advance(&it, &root, 12);
	KUNIT_EXPECT_EQ(test, it.is_hole, 1);
	KUNIT_EXPECT_EQ(test, it.last_hole, 19);
	interval_tree_span_iter_advance(&it, &root, 36);
	KUNIT_EXPECT_TRUE(test, interval_tree_span_iter_done(&it));
	for (int i = 0; i < 4; i++)
		interval_tree_remove(&n[i], &root);
}

static void full_index_range(struct kunit *test)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct interval_tree_node top = {}, all = {};

	top.start = ULONG_MAX - 5;
	top.last = ULONG_MAX;
	interval_tree_insert(&top, &root);
	KUNIT_EXPECT_TRUE(test, spans_of(&root, 0, ULONG_MAX) ==
		std::vector<span>({ { 1, 0, ULONG_MAX - 6 }, { 0, ULONG_MAX - 5, ULONG_MAX } }));
	KUNIT_EXPECT_PTR_EQ(test, interval_tree_iter_first(&root, ULONG_MAX, ULONG_MAX), &top);
	all.start = 0;
	all.last = ULONG_MAX;
	interval_tree_insert(&all, &root);
	KUNIT_EXPECT_TRUE(test, spans_of(&root, 0, ULONG_MAX) ==
		std::vector<span>({ { 0, 0, ULONG_MAX } }));
	KUNIT_EXPECT_TRUE(test, spans_of(&root, ULONG_MAX, ULONG_MAX) ==
		std::vector<span>({ { 0, ULONG_MAX, ULONG_MAX } }));
	interval_tree_remove(&all, &root);
	interval_tree_remove(&top, &root);
}

static void tripwires(struct kunit *test)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct interval_tree_node a = {}, bad = {}, never = {};

	a.start = 1;
	a.last = 2;
	interval_tree_insert(&a, &root);
	bad.start = 5;
	bad.last = 4;
	KUNIT_EXPECT_HARNESS_FAILURE(test, interval_tree_insert(&bad, &root));
	KUNIT_EXPECT_NULL(test, interval_tree_iter_first(&root, 3, ULONG_MAX));
	/* Inserting the root again would corrupt the tree. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, interval_tree_insert(&a, &root));
	KUNIT_EXPECT_HARNESS_FAILURE(test, interval_tree_remove(&never, &root));
	interval_tree_remove(&a, &root);
	KUNIT_EXPECT_HARNESS_FAILURE(test, interval_tree_remove(&a, &root));
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&root.rb_root));
}

struct tnode {
	struct interval_tree_node it;
	unsigned long seq;	/* insertion order: the tiebreak for equal starts */
	bool in;
};

static unsigned long random_point(std::mt19937_64 &rng, unsigned long scale)
{
	switch (rng() % 8) {
	case 0:
		return ULONG_MAX - rng() % scale;
	case 1:
		return rng();
	default:
		return rng() % scale;
	}
}

static void random_vs_brute_force(struct kunit *test)
{
	const char *env = getenv("UIOMMUFD_TEST_SEED");
	u64 seed = env ? strtoull(env, NULL, 0) : std::random_device{}();
	std::mt19937_64 rng(seed);
	std::vector<tnode> nodes(300);
	struct rb_root_cached root = RB_ROOT_CACHED;
	unsigned long seq = 0;

	kunit_info(test, "seed %#llx (set UIOMMUFD_TEST_SEED to repeat)",
		   (unsigned long long)seed);
	for (int round = 0; round < 4000; round++) {
		unsigned long scale = round % 2 ? 1000 : 100000;
		tnode &n = nodes[rng() % nodes.size()];

		if (n.in) {
			interval_tree_remove(&n.it, &root);
			n.in = false;
		} else {
			unsigned long a = random_point(rng, scale);
			unsigned long len = rng() % 4 ? rng() % (scale / 10) : rng() % 3;

			n.it.start = a;
			n.it.last = a + len < a ? ULONG_MAX : a + len;
			n.seq = seq++;
			n.in = true;
			interval_tree_insert(&n.it, &root);
		}
		if (round % 97 == 0)
			KUNIT_ASSERT_TRUE(test, interval_tree_validate(&root));

		/* An overlap query against brute force, in (start, seq) order. */
		unsigned long qs = random_point(rng, scale);
		unsigned long ql = rng() % 3 ? qs + rng() % (scale / 5) : ULONG_MAX;

		if (ql < qs)
			ql = ULONG_MAX;
		std::vector<const tnode *> want;

		for (const tnode &t : nodes)
			if (t.in && t.it.start <= ql && t.it.last >= qs)
				want.push_back(&t);
		std::sort(want.begin(), want.end(), [](const tnode *x, const tnode *y) {
			return x->it.start != y->it.start ? x->it.start < y->it.start
							  : x->seq < y->seq;
		});
		std::vector<const tnode *> got;

		for (struct interval_tree_node *x = interval_tree_iter_first(&root, qs, ql); x;
		     x = interval_tree_iter_next(x, qs, ql))
			got.push_back(container_of(x, tnode, it));
		KUNIT_ASSERT_TRUE_MSG(test, got == want, "query [%#lx, %#lx] round %d: %zu vs %zu",
				      qs, ql, round, got.size(), want.size());

		/* Spans against a merge of the clipped intervals. */
		std::vector<std::pair<unsigned long, unsigned long>> cov;

		for (const tnode *t : want)
			cov.push_back({ max(t->it.start, qs), min(t->it.last, ql) });
		std::vector<span> expect;
		unsigned long pos = qs;
		bool done = false;

		for (size_t i = 0; i < cov.size() && !done;) {
			unsigned long s = cov[i].first, e = cov[i].second;

			for (i++; i < cov.size() && e != ULONG_MAX && cov[i].first <= e + 1; i++)
				e = max(e, cov[i].second);
			if (s > pos)
				expect.push_back({ 1, pos, s - 1 });
			expect.push_back({ 0, s, e });
			if (e == ql)
				done = true;
			else
				pos = e + 1;
		}
		if (!done)
			expect.push_back({ 1, pos, ql });
		KUNIT_ASSERT_TRUE_MSG(test, spans_of(&root, qs, ql) == expect,
				      "spans [%#lx, %#lx] round %d", qs, ql, round);

		/* Advancing to a point gives what a fresh walk from it gives. */
		if (ql > qs) {
			unsigned long width = ql - qs;
			unsigned long to = qs + (width == ULONG_MAX ? rng() : rng() % (width + 1));
			struct interval_tree_span_iter it, fresh;

			interval_tree_span_iter_first(&it, &root, qs, ql);
			interval_tree_span_iter_advance(&it, &root, to);
			interval_tree_span_iter_first(&fresh, &root, to, ql);
			KUNIT_ASSERT_EQ(test, it.is_hole, fresh.is_hole);
			KUNIT_ASSERT_EQ(test, it.start_hole, fresh.start_hole);
			KUNIT_ASSERT_EQ(test, it.last_hole, fresh.last_hole);
		}
	}
	KUNIT_EXPECT_TRUE(test, interval_tree_validate(&root));
	for (tnode &t : nodes)
		if (t.in)
			interval_tree_remove(&t.it, &root);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&root.rb_root));
}

static void sorted_inserts_stay_balanced(struct kunit *test)
{
	constexpr int n = 1 << 14;
	std::vector<struct interval_tree_node> nodes(n);
	struct rb_root_cached root = RB_ROOT_CACHED;
	int depth = 0;

	/* The worst case for an unbalanced tree. */
	for (int i = 0; i < n; i++) {
		nodes[i].start = i;
		nodes[i].last = i;
		interval_tree_insert(&nodes[i], &root);
	}
	KUNIT_EXPECT_TRUE(test, interval_tree_validate(&root));
	for (struct rb_node *x = &nodes[n - 1].rb; x; x = (struct rb_node *)(x->__rb_parent_color & ~3UL))
		depth++;
	/* A red-black tree is at most 2 log2(n + 1) deep. */
	KUNIT_EXPECT_LE(test, depth, 2 * 15);
	for (int i = 0; i < n; i += 2)
		interval_tree_remove(&nodes[i], &root);
	KUNIT_EXPECT_TRUE(test, interval_tree_validate(&root));
	for (int i = 1; i < n; i += 2)
		interval_tree_remove(&nodes[i], &root);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&root.rb_root));
}

static struct kunit_case interval_tree_cases[] = {
	KUNIT_CASE(basic_queries),
	KUNIT_CASE(span_examples),
	KUNIT_CASE(full_index_range),
	KUNIT_CASE(tripwires),
	KUNIT_CASE(random_vs_brute_force),
	KUNIT_CASE(sorted_inserts_stay_balanced),
	{}
};

static struct kunit_suite interval_tree_suite = {
	.name = "harness-interval-tree",
	.test_cases = interval_tree_cases,
};
kunit_test_suite(interval_tree_suite);
