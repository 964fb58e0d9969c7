// SPDX-License-Identifier: GPL-2.0
/*
 * The XArray radix tree (see xarray.h for the model and its limits).
 *
 * Tree invariants, all kept under xa_rcu by every structural change:
 *  - xa_head is NULL, a lone entry for index 0, or xa_mk_node(root);
 *  - a node at shift s covers 64 << s indices from node->base (the top
 *    node at shift 60 covers the rest of the index space in 16 slots);
 *    interior slots hold child nodes, leaf (shift 0) slots hold entries;
 *  - no node is empty (count == 0), and the root is never a node holding
 *    only slot 0 after a deletion (it shrinks);
 *  - present/full bits match the slots; full == ~0UL means no free index
 *    below that node.
 * Nodes that a failed store created are not freed but parked on the
 * xa_state's spare list, so each xas_nomem() round makes progress even if
 * every GFP_NOWAIT attempt fails.
 */
#include "harness/xarray.h"
#include "harness/bitops.h"
#include "harness/lockdep.h"
#include "harness/testhooks.h"

#include <cstdarg>
#include <cstdio>

namespace {

/* Top level plus one per 6 bits: 11 for 64-bit indices. */
constexpr unsigned int XA_MAX_HEIGHT = (BITS_PER_LONG + XA_CHUNK_SHIFT - 1) / XA_CHUNK_SHIFT;

struct rcu_section {
	pthread_mutex_t *m;
	explicit rcu_section(struct xarray *xa) : m(&xa->xa_rcu) { pthread_mutex_lock(m); }
	~rcu_section() { pthread_mutex_unlock(m); }
	rcu_section(const rcu_section &) = delete;
	rcu_section &operator=(const rcu_section &) = delete;
};

inline struct xa_node *to_node(const void *entry)
{
	return (struct xa_node *)((unsigned long)entry - 2);
}
inline void *mk_node(const struct xa_node *node) { return (void *)((unsigned long)node | 2); }

inline void *get_head(const struct xarray *xa) { return __atomic_load_n(&xa->xa_head, __ATOMIC_RELAXED); }
inline void set_head(struct xarray *xa, void *head)
{
	__atomic_store_n(&xa->xa_head, head, __ATOMIC_RELEASE);
}

inline unsigned long node_last(const struct xa_node *node)
{
	unsigned int bits = node->shift + XA_CHUNK_SHIFT;

	return bits >= BITS_PER_LONG ? ULONG_MAX : node->base + (1UL << bits) - 1;
}

inline unsigned int node_offset(const struct xa_node *node, unsigned long index)
{
	return (index - node->base) >> node->shift;
}

/* Slots that map to indices: all 64, but 16 at the top of a 64-bit tree. */
inline unsigned long valid_slots(const struct xa_node *node)
{
	unsigned int bits = BITS_PER_LONG - node->shift;

	return bits >= XA_CHUNK_SHIFT ? ~0UL : (1UL << (1U << bits)) - 1;
}

inline bool node_full(const struct xa_node *node) { return node->full == ~0UL; }

inline bool entry_invalid(const void *entry) { return xa_is_internal(entry) && !xa_is_zero(entry); }

inline bool zero_busy(const struct xarray *xa) { return xa->xa_flags & XA_FLAGS_ZERO_BUSY; }
inline bool track_free(const struct xarray *xa) { return xa->xa_flags & XA_FLAGS_TRACK_FREE; }

void check_locked(struct xarray *xa, const char *what)
{
	if (unlikely(!lockdep_is_held(&xa->xa_lock)))
		harness_report_failure(__FILE__, __LINE__, "lockdep: %s() without xa_lock held",
				       what);
}

struct xa_node *node_alloc(struct xa_state *xas)
{
	struct xa_node *node = xas->xa_alloc;

	if (node) {
		xas->xa_alloc = node->parent;
	} else {
		gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;

		if (xas->xa->xa_flags & XA_FLAGS_ACCOUNT)
			gfp |= __GFP_ACCOUNT;
		node = kmalloc(sizeof(*node), gfp);
		if (!node) {
			xas_set_err(xas, -ENOMEM);
			return NULL;
		}
	}
	memset(node, 0, sizeof(*node));
	return node;
}

void node_park(struct xa_state *xas, struct xa_node *node)
{
	node->parent = xas->xa_alloc;
	xas->xa_alloc = node;
}

/* Propagates a change of slot @off's "full" state towards the root. */
void update_full(struct xa_node *node, unsigned int off, bool full)
{
	while (node) {
		bool was_full = node_full(node);

		if (full)
			node->full |= 1UL << off;
		else
			node->full &= ~(1UL << off);
		full = node_full(node);
		if (full == was_full)
			return;
		off = node->offset;
		node = node->parent;
	}
}

void set_slot(struct xa_node *node, unsigned int off, void *entry)
{
	if (entry && !node->slots[off]) {
		node->present |= 1UL << off;
		node->count++;
	} else if (!entry && node->slots[off]) {
		node->present &= ~(1UL << off);
		node->count--;
	}
	node->slots[off] = entry;
}

/* The leaf covering @index, or NULL. */
struct xa_node *find_leaf(const struct xarray *xa, unsigned long index)
{
	void *head = get_head(xa);

	if (!xa_is_node(head))
		return NULL;
	struct xa_node *node = to_node(head);

	if (index > node_last(node))
		return NULL;
	while (node && node->shift)
		node = (struct xa_node *)node->slots[node_offset(node, index)];
	return node;
}

void *load_raw(const struct xarray *xa, unsigned long index)
{
	void *head = get_head(xa);

	if (!xa_is_node(head))
		return index ? NULL : head;
	struct xa_node *leaf = find_leaf(xa, index);

	return leaf ? leaf->slots[node_offset(leaf, index)] : NULL;
}

/*
 * The leaf for xas->xa_index, growing the tree and creating the path as
 * needed. On -ENOMEM the tree is left exactly as it was and the nodes made
 * so far are parked on the xa_state.
 */
struct xa_node *create_leaf(struct xa_state *xas)
{
	struct xarray *xa = xas->xa;
	unsigned long index = xas->xa_index;
	void *old_head = get_head(xa);
	struct xa_node *made[2 * XA_MAX_HEIGHT + 1];
	unsigned int nmade = 0, first_path = UINT_MAX;
	struct xa_node *root, *node;

	if (xa_is_node(old_head)) {
		root = to_node(old_head);
	} else {
		/*
		 * The lone index-0 entry moves into a leaf; an empty tree
		 * starts with a root just tall enough for @index.
		 */
		root = node_alloc(xas);
		if (!root)
			return NULL;
		made[nmade++] = root;
		if (old_head) {
			set_slot(root, 0, old_head);
			root->full = 1;
		} else {
			while (index > node_last(root))
				root->shift += XA_CHUNK_SHIFT;
		}
		set_head(xa, mk_node(root));
	}
	while (index > node_last(root)) {
		struct xa_node *top = node_alloc(xas);

		if (!top)
			goto undo;
		made[nmade++] = top;
		top->shift = root->shift + XA_CHUNK_SHIFT;
		set_slot(top, 0, root);
		if (node_full(root))
			top->full = 1;
		root->parent = top;
		root->offset = 0;
		set_head(xa, mk_node(top));
		root = top;
	}
	first_path = nmade;
	node = root;
	while (node->shift) {
		unsigned int off = node_offset(node, index);
		struct xa_node *child = (struct xa_node *)node->slots[off];

		if (!child) {
			child = node_alloc(xas);
			if (!child)
				goto undo;
			made[nmade++] = child;
			child->shift = node->shift - XA_CHUNK_SHIFT;
			child->base = node->base + ((unsigned long)off << node->shift);
			child->parent = node;
			child->offset = off;
			set_slot(node, off, child);
		}
		node = child;
	}
	return node;

undo:
	/* Only the first new path node can hang from a node that stays. */
	if (nmade > first_path) {
		struct xa_node *p = made[first_path]->parent;
		bool parent_new = false;

		for (unsigned int i = 0; i < first_path; i++)
			parent_new |= made[i] == p;
		if (!parent_new)
			set_slot(p, made[first_path]->offset, NULL);
	}
	if (xa_is_node(old_head)) {
		to_node(old_head)->parent = NULL;
		to_node(old_head)->offset = 0;
	}
	set_head(xa, old_head);
	while (nmade)
		node_park(xas, made[--nmade]);
	return NULL;
}

/* Removes the lone top levels that only hold slot 0. */
void shrink(struct xarray *xa)
{
	for (;;) {
		void *head = get_head(xa);

		if (!xa_is_node(head))
			return;
		struct xa_node *root = to_node(head);

		if (root->count != 1 || !root->slots[0])
			return;
		void *child = root->slots[0];

		if (root->shift) {
			struct xa_node *c = (struct xa_node *)child;

			c->parent = NULL;
			c->offset = 0;
			set_head(xa, mk_node(c));
		} else {
			/* Index 0 of an ALLOC1 array is never handed out anyway. */
			if (xa_is_zero(child) && zero_busy(xa))
				child = NULL;
			set_head(xa, child);
		}
		kfree(root);
	}
}

/* Frees @node, emptied, and every ancestor it leaves empty. */
void delete_node(struct xarray *xa, struct xa_node *node)
{
	while (node && !node->count) {
		struct xa_node *parent = node->parent;

		if (parent) {
			set_slot(parent, node->offset, NULL);
			update_full(parent, node->offset, false);
		} else {
			set_head(xa, NULL);
		}
		kfree(node);
		node = parent;
	}
}

void *erase_raw(struct xarray *xa, unsigned long index)
{
	void *head = get_head(xa);

	if (!xa_is_node(head)) {
		if (index || !head)
			return NULL;
		set_head(xa, NULL);
		return head;
	}
	struct xa_node *leaf = find_leaf(xa, index);

	if (!leaf)
		return NULL;
	unsigned int off = node_offset(leaf, index);
	void *old = leaf->slots[off];

	if (!old)
		return NULL;
	set_slot(leaf, off, NULL);
	update_full(leaf, off, false);
	delete_node(xa, leaf);
	shrink(xa);
	return old;
}

/* Stores raw at xas->xa_index; NULL erases. Caller holds xa_rcu. */
void *store_raw(struct xa_state *xas, void *entry)
{
	struct xarray *xa = xas->xa;
	unsigned long index = xas->xa_index;
	void *head = get_head(xa);

	if (!entry)
		return erase_raw(xa, index);
	if (!index && !xa_is_node(head)) {
		set_head(xa, entry);
		return head;
	}
	struct xa_node *leaf = create_leaf(xas);

	if (!leaf)
		return NULL;
	unsigned int off = node_offset(leaf, index);
	void *old = leaf->slots[off];

	set_slot(leaf, off, entry);
	if (!old)
		update_full(leaf, off, true);
	return old;
}

/* The first raw entry in [*indexp, max], optionally skipping XA_ZERO_ENTRY. */
void *find_raw(const struct xarray *xa, unsigned long *indexp, unsigned long max,
	       bool skip_zero)
{
	unsigned long index = *indexp;
	void *head = get_head(xa);

	if (index > max)
		return NULL;
	if (!xa_is_node(head)) {
		if (index || !head || (skip_zero && xa_is_zero(head)))
			return NULL;
		return head;
	}
	struct xa_node *node = to_node(head);

	for (;;) {
		if (index > node_last(node)) {
			node = node->parent;
			if (!node)
				return NULL;
			continue;
		}
		unsigned long bits = node->present & (~0UL << node_offset(node, index));

		if (!bits) {
			if (node_last(node) >= max)
				return NULL;
			index = node_last(node) + 1;
			continue;
		}
		unsigned int off = __ffs(bits);
		unsigned long slot_base = node->base + ((unsigned long)off << node->shift);

		if (slot_base > index)
			index = slot_base;
		if (index > max)
			return NULL;
		void *entry = node->slots[off];

		if (node->shift) {
			node = (struct xa_node *)entry;
			continue;
		}
		if (!(skip_zero && xa_is_zero(entry))) {
			*indexp = index;
			return entry;
		}
		if (index >= max)
			return NULL;
		index++;
	}
}

/* The lowest free index in [min, max] into *out; false if none. */
bool find_free(const struct xarray *xa, unsigned long min, unsigned long max,
	       unsigned long *out)
{
	void *head = get_head(xa);
	unsigned long index = min;

	if (zero_busy(xa) && !index)
		index = 1;
	if (!xa_is_node(head)) {
		if (head && !index)
			index = 1;
		if (index > max)
			return false;
		*out = index;
		return true;
	}
	struct xa_node *node = to_node(head);

	while (node) {
		if (index > node_last(node)) {
			node = node->parent;
			continue;
		}
		unsigned long bits = ~node->full & valid_slots(node) &
				     (~0UL << node_offset(node, index));

		if (!bits) {
			if (node_last(node) >= max)
				return false;
			index = node_last(node) + 1;
			node = node->parent;
			continue;
		}
		unsigned int off = __ffs(bits);
		unsigned long slot_base = node->base + ((unsigned long)off << node->shift);

		if (slot_base > index)
			index = slot_base;
		if (index > max)
			return false;
		if (!node->slots[off]) {
			*out = index;
			return true;
		}
		node = (struct xa_node *)node->slots[off];
	}
	/* Above everything the root covers: free. */
	if (index > max)
		return false;
	*out = index;
	return true;
}

void free_subtree(struct xa_node *node)
{
	if (node->shift) {
		for (unsigned long bits = node->present; bits; bits &= bits - 1)
			free_subtree((struct xa_node *)node->slots[__ffs(bits)]);
	}
	kfree(node);
}

/*
 * The kernel's __xas_nomem(): xa_lock is held; a blocking @gfp drops it
 * around the allocation.
 */
bool __xas_nomem(struct xa_state *xas, gfp_t gfp)
{
	struct xarray *xa = xas->xa;

	if (xas->xa_error != -ENOMEM) {
		xas_destroy(xas);
		return false;
	}
	if (xa->xa_flags & XA_FLAGS_ACCOUNT)
		gfp |= __GFP_ACCOUNT;
	struct xa_node *node;

	/* Not held is a bug already reported by check_locked(). */
	if (gfpflags_allow_blocking(gfp) && lockdep_is_held(&xa->xa_lock)) {
		spin_unlock(&xa->xa_lock);
		node = kmalloc(sizeof(*node), gfp);
		spin_lock(&xa->xa_lock);
	} else {
		node = kmalloc(sizeof(*node), gfp);
	}
	if (!node) {
		xas_destroy(xas);
		return false;
	}
	node_park(xas, node);
	xas_reset(xas);
	return true;
}

void *xas_result(struct xa_state *xas, void *curr)
{
	return xas->xa_error ? XA_ERROR(xas->xa_error) : curr;
}

__attribute__((format(printf, 1, 2)))
bool invalid_tree(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	harness_report_failure(__FILE__, __LINE__, "xarray: %s", msg);
	return false;
}

bool validate_node(const struct xa_node *node, const struct xa_node *parent,
		   unsigned int offset, unsigned long base, unsigned int shift)
{
	unsigned long present = 0, full = 0;

	if (node->parent != parent || node->offset != offset || node->base != base ||
	    node->shift != shift)
		return invalid_tree("node %p: bad links (shift %u base %#lx)", (const void *)node,
				    node->shift, node->base);
	for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++) {
		const void *slot = node->slots[i];

		if (!slot)
			continue;
		if (!(valid_slots(node) & (1UL << i)))
			return invalid_tree("node %p: slot %u is beyond the index space",
					    (const void *)node, i);
		present |= 1UL << i;
		if (!shift) {
			full |= 1UL << i;
			continue;
		}
		const struct xa_node *child = (const struct xa_node *)slot;

		if (!validate_node(child, node, i, base + ((unsigned long)i << shift),
				   shift - XA_CHUNK_SHIFT))
			return false;
		if (node_full(child))
			full |= 1UL << i;
	}
	if (!present)
		return invalid_tree("node %p is empty", (const void *)node);
	if (present != node->present || node->count != hweight_long(present))
		return invalid_tree("node %p: present %#lx count %u, slots say %#lx",
				    (const void *)node, node->present, node->count, present);
	if (full != node->full)
		return invalid_tree("node %p: full %#lx, slots say %#lx", (const void *)node,
				    node->full, full);
	return true;
}

bool invalid_entry(const void *entry)
{
	return WARN_ON(entry_invalid(entry));
}

} // namespace

/* The advanced API */

void *xas_load(struct xa_state *xas)
{
	if (xas->xa_error)
		return NULL;
	rcu_section rcu(xas->xa);

	xas->xa_status = XAS_WALKED;
	return load_raw(xas->xa, xas->xa_index);
}

void *xas_store(struct xa_state *xas, void *entry)
{
	check_locked(xas->xa, "xas_store");
	if (xas->xa_error)
		return NULL;
	rcu_section rcu(xas->xa);
	void *old = store_raw(xas, entry);

	if (xas->xa_error)
		return NULL;
	xas->xa_status = XAS_WALKED;
	return old;
}

void *xas_find(struct xa_state *xas, unsigned long max)
{
	if (xas->xa_error || xas->xa_status == XAS_BOUNDS)
		return NULL;
	unsigned long index = xas->xa_index;

	if (xas->xa_status == XAS_WALKED) {
		if (index == ULONG_MAX) {
			xas->xa_status = XAS_BOUNDS;
			return NULL;
		}
		index++;
	}
	rcu_section rcu(xas->xa);
	void *entry = find_raw(xas->xa, &index, max, false);

	if (!entry) {
		xas->xa_status = XAS_BOUNDS;
		return NULL;
	}
	xas->xa_index = index;
	xas->xa_status = XAS_WALKED;
	return entry;
}

void *xas_next(struct xa_state *xas)
{
	if (xas->xa_error)
		return NULL;
	if (xas->xa_status != XAS_RESTART)
		xas->xa_index++;
	return xas_load(xas);
}

void *xas_prev(struct xa_state *xas)
{
	if (xas->xa_error)
		return NULL;
	if (xas->xa_status != XAS_RESTART)
		xas->xa_index--;
	return xas_load(xas);
}

void xas_pause(struct xa_state *xas)
{
	if (xas->xa_error || xas->xa_status != XAS_WALKED)
		return;
	if (xas->xa_index == ULONG_MAX) {
		xas->xa_status = XAS_BOUNDS;
		return;
	}
	xas->xa_index++;
	xas->xa_status = XAS_RESTART;
}

bool xas_nomem(struct xa_state *xas, gfp_t gfp)
{
	if (xas->xa_error != -ENOMEM) {
		xas_destroy(xas);
		return false;
	}
	if (xas->xa->xa_flags & XA_FLAGS_ACCOUNT)
		gfp |= __GFP_ACCOUNT;
	struct xa_node *node = kmalloc(sizeof(*node), gfp);

	if (!node)
		return false;
	node_park(xas, node);
	xas_reset(xas);
	return true;
}

void xas_destroy(struct xa_state *xas)
{
	while (xas->xa_alloc) {
		struct xa_node *node = xas->xa_alloc;

		xas->xa_alloc = node->parent;
		kfree(node);
	}
}

/* The normal API */

void *xa_load(struct xarray *xa, unsigned long index)
{
	rcu_section rcu(xa);

	return xa_zero_to_null(load_raw(xa, index));
}

void *__xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	XA_STATE(xas, xa, index);
	void *curr;

	check_locked(xa, "__xa_store");
	if (invalid_entry(entry))
		return XA_ERROR(-EINVAL);
	/* An allocating array keeps a stored NULL busy, as the kernel does. */
	if (track_free(xa) && !entry)
		entry = XA_ZERO_ENTRY;
	do {
		rcu_section rcu(xa);

		curr = store_raw(&xas, entry);
	} while (__xas_nomem(&xas, gfp));
	return xas_result(&xas, xa_zero_to_null(curr));
}

void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	void *curr;

	xa_lock(xa);
	curr = __xa_store(xa, index, entry, gfp);
	xa_unlock(xa);
	return curr;
}

void *__xa_erase(struct xarray *xa, unsigned long index)
{
	check_locked(xa, "__xa_erase");
	rcu_section rcu(xa);

	return xa_zero_to_null(erase_raw(xa, index));
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	void *entry;

	xa_lock(xa);
	entry = __xa_erase(xa, index);
	xa_unlock(xa);
	return entry;
}

void *__xa_cmpxchg(struct xarray *xa, unsigned long index, void *old, void *entry, gfp_t gfp)
{
	XA_STATE(xas, xa, index);
	void *curr;

	check_locked(xa, "__xa_cmpxchg");
	if (invalid_entry(entry))
		return XA_ERROR(-EINVAL);
	do {
		rcu_section rcu(xa);

		curr = load_raw(xa, index);
		if (curr == old)
			store_raw(&xas, entry);
	} while (__xas_nomem(&xas, gfp));
	return xas_result(&xas, xa_zero_to_null(curr));
}

void *xa_cmpxchg(struct xarray *xa, unsigned long index, void *old, void *entry, gfp_t gfp)
{
	void *curr;

	xa_lock(xa);
	curr = __xa_cmpxchg(xa, index, old, entry, gfp);
	xa_unlock(xa);
	return curr;
}

int __xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	XA_STATE(xas, xa, index);

	check_locked(xa, "__xa_insert");
	if (invalid_entry(entry))
		return -EINVAL;
	if (!entry)
		entry = XA_ZERO_ENTRY;
	do {
		rcu_section rcu(xa);

		if (load_raw(xa, index))
			xas_set_err(&xas, -EBUSY);
		else
			store_raw(&xas, entry);
	} while (__xas_nomem(&xas, gfp));
	return xas_error(&xas);
}

int xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	int err;

	xa_lock(xa);
	err = __xa_insert(xa, index, entry, gfp);
	xa_unlock(xa);
	return err;
}

int __xa_alloc(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit, gfp_t gfp)
{
	XA_STATE(xas, xa, 0);
	unsigned long index = 0;

	check_locked(xa, "__xa_alloc");
	if (WARN_ON(!track_free(xa)))
		return -EINVAL;
	if (invalid_entry(entry))
		return -EINVAL;
	if (!entry)
		entry = XA_ZERO_ENTRY;
	do {
		rcu_section rcu(xa);

		if (!find_free(xa, limit.min, limit.max, &index)) {
			xas_set_err(&xas, -EBUSY);
		} else {
			xas.xa_index = index;
			store_raw(&xas, entry);
		}
	} while (__xas_nomem(&xas, gfp));
	if (!xas_error(&xas))
		*id = (u32)index;
	return xas_error(&xas);
}

int xa_alloc(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit, gfp_t gfp)
{
	int err;

	xa_lock(xa);
	err = __xa_alloc(xa, id, entry, limit, gfp);
	xa_unlock(xa);
	return err;
}

int __xa_alloc_cyclic(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit,
		      u32 *next, gfp_t gfp)
{
	u32 min = limit.min;
	int ret;

	limit.min = max(min, *next);
	ret = __xa_alloc(xa, id, entry, limit, gfp);
	/* The previous call handed out UINT_MAX: this one has wrapped. */
	if (!ret && (xa->xa_flags & XA_FLAGS_ALLOC_WRAPPED)) {
		xa->xa_flags &= ~XA_FLAGS_ALLOC_WRAPPED;
		ret = 1;
	}
	if (ret < 0 && limit.min > min) {
		limit.min = min;
		ret = __xa_alloc(xa, id, entry, limit, gfp);
		if (!ret)
			ret = 1;
	}
	if (ret >= 0) {
		*next = *id + 1;
		if (!*next)
			xa->xa_flags |= XA_FLAGS_ALLOC_WRAPPED;
	}
	return ret;
}

int xa_alloc_cyclic(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit,
		    u32 *next, gfp_t gfp)
{
	int ret;

	xa_lock(xa);
	ret = __xa_alloc_cyclic(xa, id, entry, limit, next, gfp);
	xa_unlock(xa);
	return ret;
}

void *xa_find(struct xarray *xa, unsigned long *indexp, unsigned long max, xa_mark_t filter)
{
	if (WARN_ON(filter != XA_PRESENT))
		return NULL;	/* search marks are not modelled */
	rcu_section rcu(xa);

	return find_raw(xa, indexp, max, true);
}

void *xa_find_after(struct xarray *xa, unsigned long *indexp, unsigned long max,
		    xa_mark_t filter)
{
	unsigned long index = *indexp + 1;
	void *entry;

	if (!index)
		return NULL;
	entry = xa_find(xa, &index, max, filter);
	if (entry)
		*indexp = index;
	return entry;
}

bool xa_validate(struct xarray *xa)
{
	rcu_section rcu(xa);
	void *head = get_head(xa);

	if (!xa_is_node(head))
		return true;
	const struct xa_node *root = to_node(head);

	if (root->count == 1 && root->slots[0])
		return invalid_tree("root %p holds only slot 0: not shrunk", (const void *)root);
	return validate_node(root, NULL, 0, 0, root->shift);
}

void xa_destroy(struct xarray *xa)
{
	unsigned long flags;

	xa_lock_irqsave(xa, flags);
	{
		rcu_section rcu(xa);
		void *head = get_head(xa);

		set_head(xa, NULL);
		if (xa_is_node(head))
			free_subtree(to_node(head));
	}
	xa_unlock_irqrestore(xa, flags);
}
