// SPDX-License-Identifier: GPL-2.0
/*
 * The interval tree: a red-black tree keyed by start, augmented with the
 * maximum `last` of each subtree, plus the span iterator.
 *
 * The red-black part is the textbook algorithm with parent pointers and
 * NULL (black) leaves. The augmentation is kept exact at every step:
 *  - insert raises __subtree_last on the way down (the new node lands in
 *    every subtree it passes), so the tree is correct before rebalancing;
 *  - erase recomputes from the lowest changed node up to the root before
 *    rebalancing;
 *  - a rotation does not change which nodes are under its top, so the new
 *    top inherits the old top's value and only the old top is recomputed.
 * That is O(log n) per operation, which is what iommufd relies on for its
 * area and access trees.
 */
#include "harness/interval_tree.h"
#include "harness/testhooks.h"

#include <climits>

namespace {

constexpr unsigned long RB_BLACK_BIT = 1;

inline struct rb_node *parent_of(const struct rb_node *n)
{
	return (struct rb_node *)(n->__rb_parent_color & ~3UL);
}
inline bool is_black(const struct rb_node *n) { return !n || (n->__rb_parent_color & RB_BLACK_BIT); }
inline bool is_red(const struct rb_node *n) { return !is_black(n); }
inline void set_black(struct rb_node *n) { n->__rb_parent_color |= RB_BLACK_BIT; }
inline void set_red(struct rb_node *n) { n->__rb_parent_color &= ~RB_BLACK_BIT; }
inline void set_parent(struct rb_node *n, struct rb_node *p)
{
	n->__rb_parent_color = (unsigned long)p | (n->__rb_parent_color & RB_BLACK_BIT);
}
inline void copy_color(struct rb_node *to, const struct rb_node *from)
{
	to->__rb_parent_color = (to->__rb_parent_color & ~RB_BLACK_BIT) |
				(from->__rb_parent_color & RB_BLACK_BIT);
}

inline struct interval_tree_node *itn(const struct rb_node *n)
{
	return container_of((struct rb_node *)n, struct interval_tree_node, rb);
}

unsigned long subtree_last(const struct interval_tree_node *n)
{
	unsigned long m = n->last;

	if (n->rb.rb_left && itn(n->rb.rb_left)->__subtree_last > m)
		m = itn(n->rb.rb_left)->__subtree_last;
	if (n->rb.rb_right && itn(n->rb.rb_right)->__subtree_last > m)
		m = itn(n->rb.rb_right)->__subtree_last;
	return m;
}

void replace_child(struct rb_root *root, struct rb_node *parent, struct rb_node *old,
		   struct rb_node *node)
{
	if (!parent)
		root->rb_node = node;
	else if (parent->rb_left == old)
		parent->rb_left = node;
	else
		parent->rb_right = node;
}

/* Puts @v (may be NULL) where @u hangs; @u's own links are left as they were. */
void transplant(struct rb_root *root, struct rb_node *u, struct rb_node *v)
{
	struct rb_node *p = parent_of(u);

	replace_child(root, p, u, v);
	if (v)
		set_parent(v, p);
}

void rotate_left(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->rb_right;

	x->rb_right = y->rb_left;
	if (y->rb_left)
		set_parent(y->rb_left, x);
	transplant(root, x, y);
	y->rb_left = x;
	set_parent(x, y);
	itn(y)->__subtree_last = itn(x)->__subtree_last;
	itn(x)->__subtree_last = subtree_last(itn(x));
}

void rotate_right(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->rb_left;

	x->rb_left = y->rb_right;
	if (y->rb_right)
		set_parent(y->rb_right, x);
	transplant(root, x, y);
	y->rb_right = x;
	set_parent(x, y);
	itn(y)->__subtree_last = itn(x)->__subtree_last;
	itn(x)->__subtree_last = subtree_last(itn(x));
}

void insert_fixup(struct rb_root *root, struct rb_node *z)
{
	for (;;) {
		struct rb_node *p = parent_of(z);

		if (!p) {
			set_black(z);
			return;
		}
		if (is_black(p))
			return;
		/* p is red, so it is not the root: g exists. */
		struct rb_node *g = parent_of(p);
		bool left = p == g->rb_left;
		struct rb_node *uncle = left ? g->rb_right : g->rb_left;

		if (is_red(uncle)) {
			set_black(p);
			set_black(uncle);
			set_red(g);
			z = g;
			continue;
		}
		if (left) {
			if (z == p->rb_right) {
				rotate_left(root, p);
				p = z;
			}
			set_black(p);
			set_red(g);
			rotate_right(root, g);
		} else {
			if (z == p->rb_left) {
				rotate_right(root, p);
				p = z;
			}
			set_black(p);
			set_red(g);
			rotate_left(root, g);
		}
		return;
	}
}

/* @x (maybe NULL) carries an extra black; @xp is its parent. */
void erase_fixup(struct rb_root *root, struct rb_node *x, struct rb_node *xp)
{
	while (x != root->rb_node && is_black(x)) {
		if (x == xp->rb_left) {
			struct rb_node *w = xp->rb_right;

			if (is_red(w)) {
				set_black(w);
				set_red(xp);
				rotate_left(root, xp);
				w = xp->rb_right;
			}
			if (is_black(w->rb_left) && is_black(w->rb_right)) {
				set_red(w);
				x = xp;
				xp = parent_of(x);
				continue;
			}
			if (is_black(w->rb_right)) {
				set_black(w->rb_left);
				set_red(w);
				rotate_right(root, w);
				w = xp->rb_right;
			}
			copy_color(w, xp);
			set_black(xp);
			set_black(w->rb_right);
			rotate_left(root, xp);
		} else {
			struct rb_node *w = xp->rb_left;

			if (is_red(w)) {
				set_black(w);
				set_red(xp);
				rotate_right(root, xp);
				w = xp->rb_left;
			}
			if (is_black(w->rb_left) && is_black(w->rb_right)) {
				set_red(w);
				x = xp;
				xp = parent_of(x);
				continue;
			}
			if (is_black(w->rb_left)) {
				set_black(w->rb_right);
				set_red(w);
				rotate_left(root, w);
				w = xp->rb_left;
			}
			copy_color(w, xp);
			set_black(xp);
			set_black(w->rb_left);
			rotate_right(root, xp);
		}
		x = root->rb_node;
		break;
	}
	if (x)
		set_black(x);
}

void erase(struct rb_root *root, struct rb_node *z)
{
	struct rb_node *x, *xp;
	bool removed_black;

	if (!z->rb_left || !z->rb_right) {
		x = z->rb_left ? z->rb_left : z->rb_right;
		xp = parent_of(z);
		removed_black = is_black(z);
		transplant(root, z, x);
	} else {
		/* Two children: the successor y takes z's place and colour. */
		struct rb_node *y = z->rb_right;

		while (y->rb_left)
			y = y->rb_left;
		removed_black = is_black(y);
		x = y->rb_right;
		if (parent_of(y) == z) {
			xp = y;
		} else {
			xp = parent_of(y);
			transplant(root, y, x);
			y->rb_right = z->rb_right;
			set_parent(y->rb_right, y);
		}
		transplant(root, z, y);
		y->rb_left = z->rb_left;
		set_parent(y->rb_left, y);
		copy_color(y, z);
	}
	for (struct rb_node *n = xp; n; n = parent_of(n))
		itn(n)->__subtree_last = subtree_last(itn(n));
	if (removed_black)
		erase_fixup(root, x, xp);
}

bool is_linked(const struct rb_node *node, const struct rb_root *root)
{
	const struct rb_node *p = parent_of(node);

	if (!p)
		return root->rb_node == node;
	return p != node && (p->rb_left == node || p->rb_right == node);
}

/* The lowest-start node under @n intersecting [start, last]. */
struct interval_tree_node *subtree_search(struct interval_tree_node *n, unsigned long start,
					  unsigned long last)
{
	for (;;) {
		/*
		 * Something on the left ends at or after @start: if any node
		 * matches, the leftmost match is there, because the nodes to
		 * the right start no earlier than those on the left.
		 */
		if (n->rb.rb_left && itn(n->rb.rb_left)->__subtree_last >= start) {
			n = itn(n->rb.rb_left);
			continue;
		}
		if (n->start > last)
			return NULL;
		if (n->last >= start)
			return n;
		if (!n->rb.rb_right || itn(n->rb.rb_right)->__subtree_last < start)
			return NULL;
		n = itn(n->rb.rb_right);
	}
}

/* Checks the subtree at @n; returns its black height, or -1 after reporting. */
int validate_subtree(const struct rb_node *n, const struct rb_node *parent,
		     const struct interval_tree_node **prev)
{
	if (!n)
		return 1;
	if (parent_of(n) != parent) {
		harness_report_failure(__FILE__, __LINE__, "interval tree: bad parent link at %p",
				       (void *)n);
		return -1;
	}
	if (is_red(n) && (is_red(n->rb_left) || is_red(n->rb_right))) {
		harness_report_failure(__FILE__, __LINE__, "interval tree: red node %p has a "
				       "red child", (void *)n);
		return -1;
	}
	int lh = validate_subtree(n->rb_left, n, prev);

	if (lh < 0)
		return -1;
	const struct interval_tree_node *node = itn(n);

	if (*prev && (*prev)->start > node->start) {
		harness_report_failure(__FILE__, __LINE__, "interval tree: out of order at "
				       "start %lu", node->start);
		return -1;
	}
	*prev = node;
	int rh = validate_subtree(n->rb_right, n, prev);

	if (rh < 0)
		return -1;
	if (lh != rh) {
		harness_report_failure(__FILE__, __LINE__, "interval tree: black heights %d "
				       "and %d differ under %p", lh, rh, (void *)n);
		return -1;
	}
	if (node->__subtree_last != subtree_last(node)) {
		harness_report_failure(__FILE__, __LINE__, "interval tree: __subtree_last %lu "
				       "should be %lu", node->__subtree_last,
				       subtree_last(node));
		return -1;
	}
	return lh + is_black(n);
}

void span_fill(struct interval_tree_span_iter *iter, unsigned long pos)
{
	struct interval_tree_node *n =
		interval_tree_iter_first(iter->itree, pos, iter->last_index);

	if (!n) {
		iter->is_hole = 1;
		iter->start_hole = pos;
		iter->last_hole = iter->last_index;
		return;
	}
	if (n->start > pos) {
		iter->is_hole = 1;
		iter->start_hole = pos;
		iter->last_hole = n->start - 1;
		return;
	}
	/* Merge every node that overlaps or touches the coverage so far. */
	unsigned long end = n->last;

	for (struct interval_tree_node *m = interval_tree_iter_next(n, pos, iter->last_index);
	     m && end < iter->last_index && m->start <= end + 1;
	     m = interval_tree_iter_next(m, pos, iter->last_index))
		if (m->last > end)
			end = m->last;
	iter->is_hole = 0;
	iter->start_used = pos;
	iter->last_used = end < iter->last_index ? end : iter->last_index;
}

} // namespace

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	while (n && n->rb_left)
		n = n->rb_left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	while (n && n->rb_right)
		n = n->rb_right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *p;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_right) {
		node = node->rb_right;
		while (node->rb_left)
			node = node->rb_left;
		return (struct rb_node *)node;
	}
	while ((p = parent_of(node)) && node == p->rb_right)
		node = p;
	return p;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *p;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_left) {
		node = node->rb_left;
		while (node->rb_right)
			node = node->rb_right;
		return (struct rb_node *)node;
	}
	while ((p = parent_of(node)) && node == p->rb_left)
		node = p;
	return p;
}

void interval_tree_insert(struct interval_tree_node *node, struct rb_root_cached *root)
{
	struct rb_node **link = &root->rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	if (unlikely(node->start > node->last)) {
		harness_report_failure(__FILE__, __LINE__, "interval_tree_insert: start %#lx "
				       "> last %#lx", node->start, node->last);
		return;
	}
	if (unlikely(root->rb_root.rb_node == &node->rb)) {
		harness_report_failure(__FILE__, __LINE__, "interval_tree_insert: node %p is "
				       "already the root", (void *)node);
		return;
	}
	while (*link) {
		struct interval_tree_node *p = itn(*link);

		parent = *link;
		if (p->__subtree_last < node->last)
			p->__subtree_last = node->last;
		if (node->start < p->start) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	node->__subtree_last = node->last;
	node->rb.rb_left = node->rb.rb_right = NULL;
	node->rb.__rb_parent_color = (unsigned long)parent;	/* red */
	*link = &node->rb;
	if (leftmost)
		root->rb_leftmost = &node->rb;
	insert_fixup(&root->rb_root, &node->rb);
}

void interval_tree_remove(struct interval_tree_node *node, struct rb_root_cached *root)
{
	if (unlikely(!is_linked(&node->rb, &root->rb_root))) {
		harness_report_failure(__FILE__, __LINE__, "interval_tree_remove: node %p "
				       "[%#lx, %#lx] is not in the tree", (void *)node,
				       node->start, node->last);
		return;
	}
	if (root->rb_leftmost == &node->rb)
		root->rb_leftmost = rb_next(&node->rb);
	erase(&root->rb_root, &node->rb);
	RB_CLEAR_NODE(&node->rb);
}

struct interval_tree_node *interval_tree_iter_first(struct rb_root_cached *root,
						    unsigned long start, unsigned long last)
{
	struct rb_node *top = root->rb_root.rb_node;

	if (!top || itn(top)->__subtree_last < start)
		return NULL;
	/* Everything starts after @last: no need to descend. */
	if (itn(root->rb_leftmost)->start > last)
		return NULL;
	return subtree_search(itn(top), start, last);
}

struct interval_tree_node *interval_tree_iter_next(struct interval_tree_node *node,
						   unsigned long start, unsigned long last)
{
	struct rb_node *cur = &node->rb;

	for (;;) {
		/* The in-order successors under cur->right come first. */
		if (cur->rb_right && itn(cur->rb_right)->__subtree_last >= start)
			return subtree_search(itn(cur->rb_right), start, last);
		/* Then the first ancestor we are left of, and its right side. */
		struct rb_node *child, *p = cur;

		do {
			child = p;
			p = parent_of(p);
			if (!p)
				return NULL;
		} while (child == p->rb_right);
		struct interval_tree_node *n = itn(p);

		if (n->start > last)
			return NULL;
		if (n->last >= start)
			return n;
		cur = p;
	}
}

bool interval_tree_validate(const struct rb_root_cached *root)
{
	const struct rb_node *top = root->rb_root.rb_node;
	const struct interval_tree_node *prev = NULL;

	if (is_red(top)) {
		harness_report_failure(__FILE__, __LINE__, "interval tree: red root");
		return false;
	}
	if (validate_subtree(top, NULL, &prev) < 0)
		return false;
	if (root->rb_leftmost != rb_first(&root->rb_root)) {
		harness_report_failure(__FILE__, __LINE__, "interval tree: stale leftmost");
		return false;
	}
	return true;
}

void interval_tree_span_iter_first(struct interval_tree_span_iter *iter,
				   struct rb_root_cached *itree, unsigned long first_index,
				   unsigned long last_index)
{
	iter->itree = itree;
	iter->first_index = first_index;
	iter->last_index = last_index;
	if (first_index > last_index) {
		iter->is_hole = -1;
		return;
	}
	span_fill(iter, first_index);
}

void interval_tree_span_iter_next(struct interval_tree_span_iter *iter)
{
	if (iter->is_hole == -1)
		return;
	/* last_hole and last_used share storage. */
	if (iter->last_hole >= iter->last_index) {
		iter->is_hole = -1;
		return;
	}
	span_fill(iter, iter->last_hole + 1);
}

void interval_tree_span_iter_advance(struct interval_tree_span_iter *iter,
				     struct rb_root_cached *itree, unsigned long new_index)
{
	if (iter->is_hole == -1)
		return;
	iter->first_index = new_index;
	if (new_index > iter->last_index) {
		iter->is_hole = -1;
		return;
	}
	if (iter->start_hole <= new_index && new_index <= iter->last_hole) {
		iter->start_hole = new_index;
		return;
	}
	iter->itree = itree;
	span_fill(iter, new_index);
}
