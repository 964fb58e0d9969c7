/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interval trees of closed ranges [start, last] (linux/interval_tree.h), and
 * the span iterator iommufd walks its area and access trees with.
 *
 * The tree is a red-black tree ordered by start (equal starts keep
 * insertion order), each node augmented with the largest `last` in its
 * subtree, so insert, remove and each step of an overlap query are
 * O(log n). The rb_root_cached/rb_node shapes are the kernel's so that
 * RB_ROOT_CACHED, RB_EMPTY_ROOT() and rb_first_cached() read the same;
 * the rest of the rbtree API is not offered.
 *
 * The span iterator splits [first_index, last_index] into alternating
 * "used" spans (the union of the nodes, adjacent or overlapping nodes
 * merged) and "hole" spans. Unlike the kernel's, each step re-queries the
 * tree, so the iterator never holds node pointers across steps.
 *
 * Tripwires: inserting a node with start > last is reported and ignored;
 * removing a node that is not in a tree (never inserted, or removed
 * already: remove leaves the node RB_CLEAR_NODE()d) is reported and
 * ignored.
 */
#pragma once

#include "harness/compiler.h"

struct rb_node {
	unsigned long __rb_parent_color;	/* parent pointer | black bit */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));

struct rb_root {
	struct rb_node *rb_node;
};

struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
};

#define RB_ROOT (rb_root{ NULL })
#define RB_ROOT_CACHED (rb_root_cached{ { NULL }, NULL })
#define RB_EMPTY_ROOT(root) (READ_ONCE((root)->rb_node) == NULL)
/* An unlinked node points at itself, once RB_CLEAR_NODE()d. */
#define RB_EMPTY_NODE(node) ((node)->__rb_parent_color == (unsigned long)(node))
#define RB_CLEAR_NODE(node) ((node)->__rb_parent_color = (unsigned long)(node))
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
#define rb_first_cached(root) ((root)->rb_leftmost)

struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

struct interval_tree_node {
	struct rb_node rb;
	unsigned long start;	/* first index in the interval */
	unsigned long last;	/* last index in the interval, inclusive */
	unsigned long __subtree_last;
};

void interval_tree_insert(struct interval_tree_node *node, struct rb_root_cached *root);
void interval_tree_remove(struct interval_tree_node *node, struct rb_root_cached *root);
/* The lowest-start node intersecting [start, last], or NULL. */
struct interval_tree_node *interval_tree_iter_first(struct rb_root_cached *root,
						    unsigned long start, unsigned long last);
/* The node after @node (in start order) intersecting [start, last], or NULL. */
struct interval_tree_node *interval_tree_iter_next(struct interval_tree_node *node,
						   unsigned long start, unsigned long last);

/*
 * Checks the red-black and augmentation invariants, the order and the
 * cached leftmost node; reports (harness_report_failure) and returns false
 * on the first violation. For tests.
 */
bool interval_tree_validate(const struct rb_root_cached *root);

struct interval_tree_span_iter {
	/* private: */
	struct rb_root_cached *itree;
	unsigned long first_index;
	unsigned long last_index;

	/* public: */
	union {
		unsigned long start_hole;
		unsigned long start_used;
	};
	union {
		unsigned long last_hole;
		unsigned long last_used;
	};
	int is_hole;	/* 1: hole, 0: used, -1: done */
};

void interval_tree_span_iter_first(struct interval_tree_span_iter *iter,
				   struct rb_root_cached *itree, unsigned long first_index,
				   unsigned long last_index);
/*
 * Moves the iterator to @new_index: within the current span only its start
 * moves; otherwise the span containing @new_index is looked up. Past
 * last_index the iteration is done.
 */
void interval_tree_span_iter_advance(struct interval_tree_span_iter *iter,
				     struct rb_root_cached *itree, unsigned long new_index);
void interval_tree_span_iter_next(struct interval_tree_span_iter *iter);

static inline bool interval_tree_span_iter_done(struct interval_tree_span_iter *iter)
{
	return iter->is_hole == -1;
}

#define interval_tree_for_each_span(span, itree, first_index, last_index)     \
	for (interval_tree_span_iter_first(span, itree, first_index, last_index); \
	     !interval_tree_span_iter_done(span); interval_tree_span_iter_next(span))
