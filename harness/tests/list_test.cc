// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the intrusive lists: every operation against the
 * expected order, and the CONFIG_DEBUG_LIST-style corruption checks
 * (double delete, corrupted neighbours, double add, uninitialised entry).
 */
#include "kunit.h"

#include "harness/list.h"

#include <vector>

struct item {
	int v;
	struct list_head node;
	struct hlist_node hnode;
};

static std::vector<int> values(struct list_head *head)
{
	std::vector<int> out;
	struct item *it;

	list_for_each_entry(it, head, node)
		out.push_back(it->v);
	return out;
}

static void add_and_iterate(struct kunit *test)
{
	LIST_HEAD(head);
	struct item items[5];
	struct item *it;
	std::vector<int> rev;

	KUNIT_EXPECT_TRUE(test, list_empty(&head));
	for (int i = 0; i < 5; i++) {
		items[i].v = i;
		if (i % 2)
			list_add(&items[i].node, &head);
		else
			list_add_tail(&items[i].node, &head);
	}
	/* add puts at the front, add_tail at the back. */
	KUNIT_EXPECT_TRUE(test, values(&head) == std::vector<int>({ 3, 1, 0, 2, 4 }));
	KUNIT_EXPECT_EQ(test, list_first_entry(&head, struct item, node)->v, 3);
	KUNIT_EXPECT_EQ(test, list_last_entry(&head, struct item, node)->v, 4);
	KUNIT_EXPECT_EQ(test, list_next_entry(&items[1], node)->v, 0);
	KUNIT_EXPECT_EQ(test, list_prev_entry(&items[1], node)->v, 3);
	KUNIT_EXPECT_TRUE(test, list_is_first(&items[3].node, &head));
	KUNIT_EXPECT_TRUE(test, list_is_last(&items[4].node, &head));
	KUNIT_EXPECT_EQ(test, list_count_nodes(&head), 5);
	list_for_each_entry_reverse(it, &head, node)
		rev.push_back(it->v);
	KUNIT_EXPECT_TRUE(test, rev == std::vector<int>({ 4, 2, 0, 1, 3 }));

	/* _from and _continue resume at / after a cursor. */
	std::vector<int> from;

	it = &items[0];
	list_for_each_entry_from(it, &head, node)
		from.push_back(it->v);
	it = &items[0];
	list_for_each_entry_continue(it, &head, node)
		from.push_back(it->v);
	KUNIT_EXPECT_TRUE(test, from == std::vector<int>({ 0, 2, 4, 2, 4 }));

	struct list_head *pos;
	int n = 0;

	list_for_each(pos, &head)
		n++;
	KUNIT_EXPECT_EQ(test, n, 5);
}

static void delete_and_move(struct kunit *test)
{
	LIST_HEAD(a);
	LIST_HEAD(b);
	struct item items[6];
	struct item *it, *tmp;

	for (int i = 0; i < 6; i++) {
		items[i].v = i;
		list_add_tail(&items[i].node, &a);
	}
	/* Deleting the cursor is fine with the _safe walk. */
	list_for_each_entry_safe(it, tmp, &a, node)
		if (it->v % 3 == 0)
			list_del(&it->node);
	KUNIT_EXPECT_TRUE(test, values(&a) == std::vector<int>({ 1, 2, 4, 5 }));
	KUNIT_EXPECT_PTR_EQ(test, items[0].node.next, LIST_POISON1);
	KUNIT_EXPECT_PTR_EQ(test, items[0].node.prev, LIST_POISON2);

	list_del_init(&items[2].node);
	KUNIT_EXPECT_TRUE(test, list_empty(&items[2].node));
	list_move(&items[5].node, &b);
	list_move_tail(&items[1].node, &b);
	KUNIT_EXPECT_TRUE(test, values(&a) == std::vector<int>({ 4 }));
	KUNIT_EXPECT_TRUE(test, list_is_singular(&a));
	KUNIT_EXPECT_TRUE(test, values(&b) == std::vector<int>({ 5, 1 }));
	list_replace(&items[5].node, &items[0].node);
	KUNIT_EXPECT_TRUE(test, values(&b) == std::vector<int>({ 0, 1 }));
	list_rotate_left(&b);
	KUNIT_EXPECT_TRUE(test, values(&b) == std::vector<int>({ 1, 0 }));

	list_for_each_entry_safe_reverse(it, tmp, &b, node)
		list_del_init(&it->node);
	KUNIT_EXPECT_TRUE(test, list_empty(&b));
	KUNIT_EXPECT_TRUE(test, list_empty_careful(&b));
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry_or_null(&b, struct item, node),
			    (struct item *)NULL);
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry_or_null(&a, struct item, node), &items[4]);
}

static void splice(struct kunit *test)
{
	LIST_HEAD(a);
	LIST_HEAD(b);
	LIST_HEAD(c);
	struct item items[6];

	for (int i = 0; i < 6; i++) {
		items[i].v = i;
		list_add_tail(&items[i].node, i < 3 ? &a : &b);
	}
	list_splice_init(&b, &a);
	KUNIT_EXPECT_TRUE(test, values(&a) == std::vector<int>({ 3, 4, 5, 0, 1, 2 }));
	KUNIT_EXPECT_TRUE(test, list_empty(&b));
	list_splice_tail_init(&a, &b);
	KUNIT_EXPECT_TRUE(test, list_empty(&a));
	/* Cut everything up to and including 5 into c. */
	list_cut_position(&c, &b, &items[5].node);
	KUNIT_EXPECT_TRUE(test, values(&c) == std::vector<int>({ 3, 4, 5 }));
	KUNIT_EXPECT_TRUE(test, values(&b) == std::vector<int>({ 0, 1, 2 }));
	list_splice_tail(&c, &b);
	INIT_LIST_HEAD(&c);
	KUNIT_EXPECT_TRUE(test, values(&b) == std::vector<int>({ 0, 1, 2, 3, 4, 5 }));
	list_splice(&b, &a);
	INIT_LIST_HEAD(&b);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&a), 6);
}

static void hlist(struct kunit *test)
{
	HLIST_HEAD(h);
	struct item items[3];
	struct item *it;
	struct hlist_node *tmp;
	int sum = 0;

	KUNIT_EXPECT_TRUE(test, hlist_empty(&h));
	for (int i = 0; i < 3; i++) {
		items[i].v = 1 << i;
		INIT_HLIST_NODE(&items[i].hnode);
		KUNIT_EXPECT_TRUE(test, hlist_unhashed(&items[i].hnode));
		hlist_add_head(&items[i].hnode, &h);
	}
	hlist_for_each_entry(it, &h, hnode)
		sum = sum * 10 + it->v;
	KUNIT_EXPECT_EQ(test, sum, 421);
	hlist_del_init(&items[1].hnode);
	KUNIT_EXPECT_TRUE(test, hlist_unhashed(&items[1].hnode));
	hlist_for_each_entry_safe(it, tmp, &h, hnode)
		hlist_del(&it->hnode);
	KUNIT_EXPECT_TRUE(test, hlist_empty(&h));
	/* Deleting again is reported. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, hlist_del(&items[0].hnode));
}

static void corruption_reported(struct kunit *test)
{
	LIST_HEAD(head);
	struct item a = {}, b = {}, c = {};

	a.v = 1;
	list_add(&a.node, &head);
	list_del(&a.node);
	/* Double delete: the entry is poisoned. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, list_del(&a.node));
	KUNIT_EXPECT_TRUE(test, list_empty(&head));

	/* Never initialised (zeroed, as from kzalloc). */
	KUNIT_EXPECT_HARNESS_FAILURE(test, list_del(&c.node));

	list_add(&a.node, &head);
	/* Adding what is already there. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, list_add(&a.node, &head));
	KUNIT_EXPECT_EQ(test, list_count_nodes(&head), 1);

	/* A neighbour overwritten behind the list's back (use-after-free). */
	list_add_tail(&b.node, &head);
	struct list_head *saved = head.prev;

	head.prev = &c.node;
	KUNIT_EXPECT_HARNESS_FAILURE(test, list_add_tail(&c.node, &head));
	KUNIT_EXPECT_HARNESS_FAILURE(test, list_del(&b.node));
	head.prev = saved;
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, list_del(&b.node); list_del(&a.node));
	KUNIT_EXPECT_TRUE(test, list_empty(&head));
}

static struct kunit_case list_cases[] = {
	KUNIT_CASE(add_and_iterate),
	KUNIT_CASE(delete_and_move),
	KUNIT_CASE(splice),
	KUNIT_CASE(hlist),
	KUNIT_CASE(corruption_reported),
	{}
};

static struct kunit_suite list_suite = {
	.name = "harness-list",
	.test_cases = list_cases,
};
kunit_test_suite(list_suite);
