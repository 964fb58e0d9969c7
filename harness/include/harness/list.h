/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intrusive doubly linked lists (linux/list.h), and hlists.
 *
 * Behaves like a kernel built with CONFIG_DEBUG_LIST: every add checks that
 * its neighbours still point at each other and every delete checks that the
 * entry is still linked, so a double list_del() or a list corrupted by a
 * use-after-free is reported (harness_report_failure) at the operation that
 * finds it, and the operation is skipped instead of spreading the damage.
 * A deleted entry is poisoned with addresses in the never-mapped first page,
 * so walking through it crashes at once rather than later.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/testhooks.h"

#include <type_traits>

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#define LIST_POISON1 ((struct list_head *)0x100)
#define LIST_POISON2 ((struct list_head *)0x122)

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	WRITE_ONCE(list->prev, list);
}

static inline bool __list_add_valid(struct list_head *entry, struct list_head *prev,
				    struct list_head *next)
{
	if (unlikely(next->prev != prev)) {
		harness_report_failure(__FILE__, __LINE__,
			"list_add corruption: next->prev should be prev (%p), but was %p (next=%p)",
			(void *)prev, (void *)next->prev, (void *)next);
		return false;
	}
	if (unlikely(prev->next != next)) {
		harness_report_failure(__FILE__, __LINE__,
			"list_add corruption: prev->next should be next (%p), but was %p (prev=%p)",
			(void *)next, (void *)prev->next, (void *)prev);
		return false;
	}
	if (unlikely(entry == prev || entry == next)) {
		harness_report_failure(__FILE__, __LINE__,
			"list_add double add: entry=%p, prev=%p, next=%p",
			(void *)entry, (void *)prev, (void *)next);
		return false;
	}
	return true;
}

static inline bool __list_del_entry_valid(struct list_head *entry)
{
	struct list_head *prev = entry->prev, *next = entry->next;

	if (unlikely(next == LIST_POISON1)) {
		harness_report_failure(__FILE__, __LINE__,
			"list_del corruption: %p->next is LIST_POISON1 (double list_del?)",
			(void *)entry);
		return false;
	}
	if (unlikely(prev == LIST_POISON2)) {
		harness_report_failure(__FILE__, __LINE__,
			"list_del corruption: %p->prev is LIST_POISON2 (double list_del?)",
			(void *)entry);
		return false;
	}
	if (unlikely(!next || !prev)) {
		harness_report_failure(__FILE__, __LINE__,
			"list_del corruption: %p was never initialised", (void *)entry);
		return false;
	}
	if (unlikely(prev->next != entry)) {
		harness_report_failure(__FILE__, __LINE__,
			"list_del corruption: prev->next should be %p, but was %p",
			(void *)entry, (void *)prev->next);
		return false;
	}
	if (unlikely(next->prev != entry)) {
		harness_report_failure(__FILE__, __LINE__,
			"list_del corruption: next->prev should be %p, but was %p",
			(void *)entry, (void *)next->prev);
		return false;
	}
	return true;
}

static inline void __list_add(struct list_head *entry, struct list_head *prev,
			      struct list_head *next)
{
	if (!__list_add_valid(entry, prev, next))
		return;
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	WRITE_ONCE(prev->next, entry);
}

/* Inserts @entry right after @head (stack order). */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head, head->next);
}

/* Inserts @entry right before @head (queue order). */
static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head->prev, head);
}

static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	WRITE_ONCE(prev->next, next);
}

static inline void __list_del_clearprev(struct list_head *entry)
{
	__list_del(entry->prev, entry->next);
	entry->prev = NULL;
}

static inline bool __list_del_entry(struct list_head *entry)
{
	if (!__list_del_entry_valid(entry))
		return false;
	__list_del(entry->prev, entry->next);
	return true;
}

static inline void list_del(struct list_head *entry)
{
	if (!__list_del_entry(entry))
		return;
	entry->next = LIST_POISON1;
	entry->prev = LIST_POISON2;
}

static inline void list_del_init(struct list_head *entry)
{
	if (__list_del_entry(entry))
		INIT_LIST_HEAD(entry);
}

static inline void list_replace(struct list_head *old, struct list_head *entry)
{
	entry->next = old->next;
	entry->next->prev = entry;
	entry->prev = old->prev;
	entry->prev->next = entry;
}

static inline void list_replace_init(struct list_head *old, struct list_head *entry)
{
	list_replace(old, entry);
	INIT_LIST_HEAD(old);
}

static inline void list_move(struct list_head *list, struct list_head *head)
{
	if (__list_del_entry(list))
		list_add(list, head);
}

static inline void list_move_tail(struct list_head *list, struct list_head *head)
{
	if (__list_del_entry(list))
		list_add_tail(list, head);
}

static inline bool list_is_first(const struct list_head *list, const struct list_head *head)
{
	return list->prev == head;
}

static inline bool list_is_last(const struct list_head *list, const struct list_head *head)
{
	return list->next == head;
}

static inline bool list_is_head(const struct list_head *list, const struct list_head *head)
{
	return list == head;
}

static inline bool list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}

static inline bool list_empty_careful(const struct list_head *head)
{
	struct list_head *next = head->next;

	return next == head && next == READ_ONCE(head->prev);
}

static inline bool list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

static inline size_t list_count_nodes(const struct list_head *head)
{
	size_t count = 0;

	for (const struct list_head *pos = head->next; pos != head; pos = pos->next)
		count++;
	return count;
}

static inline void list_rotate_left(struct list_head *head)
{
	if (!list_empty(head))
		list_move_tail(head->next, head);
}

static inline void __list_splice(const struct list_head *list, struct list_head *prev,
				 struct list_head *next)
{
	struct list_head *first = list->next;
	struct list_head *last = list->prev;

	first->prev = prev;
	prev->next = first;
	last->next = next;
	next->prev = last;
}

/* Joins @list in front of @head's entries; @list itself is left stale. */
static inline void list_splice(const struct list_head *list, struct list_head *head)
{
	if (!list_empty(list))
		__list_splice(list, head, head->next);
}

static inline void list_splice_tail(const struct list_head *list, struct list_head *head)
{
	if (!list_empty(list))
		__list_splice(list, head->prev, head);
}

static inline void list_splice_init(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head, head->next);
		INIT_LIST_HEAD(list);
	}
}

static inline void list_splice_tail_init(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head->prev, head);
		INIT_LIST_HEAD(list);
	}
}

/* Moves the entries from @head's first up to and including @entry to @list. */
static inline void list_cut_position(struct list_head *list, struct list_head *head,
				     struct list_head *entry)
{
	if (list_empty(head))
		return;
	if (list_is_singular(head) && head->next != entry && head != entry)
		return;
	if (entry == head) {
		INIT_LIST_HEAD(list);
		return;
	}
	struct list_head *new_first = entry->next;

	list->next = head->next;
	list->next->prev = list;
	list->prev = entry;
	entry->next = list;
	head->next = new_first;
	new_first->prev = head;
}

/* The entry type of a cursor, without the reference decltype would add. */
#define __list_etype(pos) std::remove_reference_t<decltype(*(pos))>

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_first_entry_or_null(ptr, type, member)                           \
	({                                                                    \
		struct list_head *__head = (ptr);                             \
		struct list_head *__pos = READ_ONCE(__head->next);            \
		__pos != __head ? list_entry(__pos, type, member) : (type *)NULL; \
	})
#define list_last_entry_or_null(ptr, type, member)                            \
	({                                                                    \
		struct list_head *__head = (ptr);                             \
		struct list_head *__pos = READ_ONCE(__head->prev);            \
		__pos != __head ? list_entry(__pos, type, member) : (type *)NULL; \
	})
#define list_next_entry(pos, member) list_entry((pos)->member.next, __list_etype(pos), member)
#define list_prev_entry(pos, member) list_entry((pos)->member.prev, __list_etype(pos), member)
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))

#define list_for_each(pos, head)                                              \
	for ((pos) = (head)->next; !list_is_head((pos), (head)); (pos) = (pos)->next)
#define list_for_each_prev(pos, head)                                         \
	for ((pos) = (head)->prev; !list_is_head((pos), (head)); (pos) = (pos)->prev)
#define list_for_each_safe(pos, n, head)                                      \
	for ((pos) = (head)->next, (n) = (pos)->next; !list_is_head((pos), (head)); \
	     (pos) = (n), (n) = (pos)->next)

#define list_for_each_entry(pos, head, member)                                \
	for ((pos) = list_first_entry(head, __list_etype(pos), member);       \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = list_next_entry(pos, member))
#define list_for_each_entry_reverse(pos, head, member)                        \
	for ((pos) = list_last_entry(head, __list_etype(pos), member);        \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = list_prev_entry(pos, member))
#define list_for_each_entry_continue(pos, head, member)                       \
	for ((pos) = list_next_entry(pos, member);                            \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = list_next_entry(pos, member))
#define list_for_each_entry_from(pos, head, member)                           \
	for (; !list_entry_is_head(pos, head, member); (pos) = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)                        \
	for ((pos) = list_first_entry(head, __list_etype(pos), member),       \
	    (n) = list_next_entry(pos, member);                               \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = (n), (n) = list_next_entry(n, member))
#define list_for_each_entry_safe_reverse(pos, n, head, member)                \
	for ((pos) = list_last_entry(head, __list_etype(pos), member),        \
	    (n) = list_prev_entry(pos, member);                               \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = (n), (n) = list_prev_entry(n, member))

/* hlist: a list with a one-pointer head, for hash tables. */
#define HLIST_HEAD_INIT { .first = NULL }
#define HLIST_HEAD(name) struct hlist_head name = { .first = NULL }
#define INIT_HLIST_HEAD(ptr) ((ptr)->first = NULL)

static inline void INIT_HLIST_NODE(struct hlist_node *h)
{
	h->next = NULL;
	h->pprev = NULL;
}

static inline bool hlist_unhashed(const struct hlist_node *h) { return !h->pprev; }
static inline bool hlist_empty(const struct hlist_head *h) { return !READ_ONCE(h->first); }

static inline void __hlist_del(struct hlist_node *n)
{
	struct hlist_node *next = n->next;
	struct hlist_node **pprev = n->pprev;

	WRITE_ONCE(*pprev, next);
	if (next)
		next->pprev = pprev;
}

static inline void hlist_del(struct hlist_node *n)
{
	if (unlikely(n->pprev == (struct hlist_node **)LIST_POISON2 || !n->pprev)) {
		harness_report_failure(__FILE__, __LINE__,
				       "hlist_del corruption: %p is not hashed", (void *)n);
		return;
	}
	__hlist_del(n);
	n->next = (struct hlist_node *)LIST_POISON1;
	n->pprev = (struct hlist_node **)LIST_POISON2;
}

static inline void hlist_del_init(struct hlist_node *n)
{
	if (!hlist_unhashed(n)) {
		__hlist_del(n);
		INIT_HLIST_NODE(n);
	}
}

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	if (first)
		first->pprev = &n->next;
	WRITE_ONCE(h->first, n);
	n->pprev = &h->first;
}

#define hlist_entry(ptr, type, member) container_of(ptr, type, member)
#define hlist_entry_safe(ptr, type, member)                                   \
	({                                                                    \
		auto __ptr = (ptr);                                           \
		__ptr ? hlist_entry(__ptr, type, member) : (type *)NULL;      \
	})
#define hlist_for_each_entry(pos, head, member)                               \
	for ((pos) = hlist_entry_safe((head)->first, __list_etype(pos), member); \
	     pos;                                                             \
	     (pos) = hlist_entry_safe((pos)->member.next, __list_etype(pos), member))
#define hlist_for_each_entry_safe(pos, n, head, member)                       \
	for ((pos) = hlist_entry_safe((head)->first, __list_etype(pos), member); \
	     (pos) && ((n) = (pos)->member.next, 1);                          \
	     (pos) = hlist_entry_safe(n, __list_etype(pos), member))
