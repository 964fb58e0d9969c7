// SPDX-License-Identifier: GPL-2.0
/*
 * mutex, spinlock_t and rw_semaphore, and the small lockdep behind them.
 *
 * Per thread: a stack of held locks (instance, class, mode, where taken)
 * in a trivially constructible thread_local, so the uncontended path costs
 * a host mutex operation plus a few thread-local stores.
 *
 * Process-wide: the lock-order graph, one node per lock class (class key +
 * subclass), one edge A -> B per "B acquired while A held" ever seen. It is
 * consulted only when a thread takes a lock while holding others, and each
 * thread caches the edges it has already validated, so steady-state code
 * touches the global graph lock only for orders it has never taken before.
 * A new edge that closes a cycle is reported and not recorded, so the
 * report repeats for every test that takes the inverted order.
 *
 * A reported recursive acquisition or foreign unlock is skipped: the test
 * has failed already, and hanging or corrupting the host mutex would only
 * hide the report.
 */
#include "harness/lockdep.h"
#include "harness/mutex.h"
#include "harness/rwsem.h"
#include "harness/spinlock.h"

#include <atomic>
#include <link.h>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

enum lock_kind : unsigned char { LK_MUTEX, LK_SPIN, LK_RWSEM };

const char *const kind_name[] = { "mutex", "spinlock", "rwsem" };

struct held_lock {
	const void *instance;
	const struct lockdep_map *map;
	const void *key;
	const char *file;
	int line;
	unsigned char kind;
	unsigned char read;
	unsigned char subclass;
	/*
	 * A reported recursive acquisition that was skipped: its unlock is
	 * skipped too, so lock/unlock pairs stay balanced after the report.
	 */
	unsigned char phantom;
};

struct lockdep_task {
	struct held_lock held[MAX_LOCK_DEPTH];
	unsigned int depth;
	unsigned int atomic;	/* spinlocks among held[] */
	unsigned int untracked;	/* acquisitions past MAX_LOCK_DEPTH */
	unsigned long graph_gen;	/* edge_cache is valid for this generation */
	/* Set by a guard: the source position its next lock call reports. */
	const char *site_file;
	int site_line;
};

thread_local lockdep_task ld;
/* Its address identifies the thread; it is what lock owners hold. */
thread_local char self_token;

inline void *self(void) { return &self_token; }

__attribute__((format(printf, 3, 4)))
void lockdep_report(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	harness_report_failure(file, line, "lockdep: %s", msg);
}

const char *map_name(const struct lockdep_map *map)
{
	const char *name = __atomic_load_n(&map->name, __ATOMIC_RELAXED);

	return name ? name : "(unnamed)";
}

/* The class key, initialising (and reporting) a lock nobody initialised. */
const void *lock_key(struct lockdep_map *map, const void *instance, lock_kind kind,
		     const char *file, int line)
{
	const void *key = __atomic_load_n(&map->key, __ATOMIC_ACQUIRE);
	const void *expected = NULL;

	if (likely(key))
		return key;
	if (__atomic_compare_exchange_n(&map->key, &expected, instance, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&map->name, (const char *)"(uninitialised)", __ATOMIC_RELAXED);
		lockdep_report(file, line, "%s %p used without being initialised "
			       "(or after being destroyed)", kind_name[kind], instance);
		return instance;
	}
	return expected;
}

/* The lock-order graph. */

struct class_id {
	const void *key;
	unsigned int subclass;
	bool operator==(const class_id &o) const { return key == o.key && subclass == o.subclass; }
};

struct class_id_hash {
	size_t operator()(const class_id &c) const
	{
		return std::hash<const void *>()(c.key) * 31 + c.subclass;
	}
};

struct lock_class;

struct lock_edge {
	lock_class *to;
	/* The acquisition that taught us the order, and where `from` was taken. */
	const char *file;
	int line;
	const char *from_file;
	int from_line;
};

struct lock_class {
	class_id id;
	const char *name;
	std::vector<lock_edge> after;
	/* Key in static storage or registered: its orders are tracked. */
	bool valid;
};

struct edge_id {
	class_id from, to;
	bool operator==(const edge_id &o) const { return from == o.from && to == o.to; }
};

struct edge_id_hash {
	size_t operator()(const edge_id &e) const
	{
		return class_id_hash()(e.from) * 1000003 ^ class_id_hash()(e.to);
	}
};

struct lock_graph {
	std::mutex lock;
	std::unordered_map<class_id, lock_class, class_id_hash> classes;
	std::unordered_set<const void *> registered_keys;
	/* Writable segments of the loaded objects: where static keys live. */
	std::vector<std::pair<uintptr_t, uintptr_t>> static_ranges;
	/* Bumped when classes are forgotten, which invalidates thread caches. */
	std::atomic<unsigned long> gen{1};
};

/* Never destroyed: threads may still take locks while the process exits. */
lock_graph &graph(void)
{
	static lock_graph *g = new lock_graph;

	return *g;
}

thread_local std::unordered_set<edge_id, edge_id_hash> edge_cache;

int add_static_ranges(struct dl_phdr_info *info, size_t size, void *data)
{
	auto *ranges = (std::vector<std::pair<uintptr_t, uintptr_t>> *)data;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
			uintptr_t start = info->dlpi_addr + ph->p_vaddr;

			ranges->push_back({ start, start + ph->p_memsz });
		}
	}
	return 0;
}

/*
 * The kernel's static_obj(): is @addr in some object's data or bss? A
 * key on the stack or heap can be reused by an unrelated lock, which
 * would inherit its orders, so such keys stay out of the graph.
 */
bool static_obj(lock_graph &g, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (int pass = 0; pass < 2; pass++) {
		for (auto &[start, end] : g.static_ranges)
			if (a >= start && a < end)
				return true;
		/* Objects may have been loaded since: look again once. */
		g.static_ranges.clear();
		dl_iterate_phdr(add_static_ranges, &g.static_ranges);
	}
	return false;
}

lock_class *get_class(lock_graph &g, const class_id &id, const char *name, bool *created)
{
	auto [it, inserted] = g.classes.try_emplace(id);

	*created = inserted;
	if (inserted) {
		it->second.id = id;
		it->second.name = name;
		it->second.valid = g.registered_keys.count(id.key) || static_obj(g, id.key);
	}
	return &it->second;
}

/* Depth-first search for a path from @from to @to; fills @path with its edges. */
bool find_path(lock_class *from, lock_class *to, std::vector<const lock_edge *> &path)
{
	struct step {
		lock_class *prev;
		const lock_edge *edge;
	};
	std::unordered_map<lock_class *, step> via;
	std::vector<lock_class *> stack{ from };

	via[from] = { nullptr, nullptr };
	while (!stack.empty()) {
		lock_class *c = stack.back();

		stack.pop_back();
		if (c == to) {
			for (lock_class *n = to; via[n].edge; n = via[n].prev)
				path.insert(path.begin(), via[n].edge);
			return true;
		}
		for (const lock_edge &e : c->after)
			if (via.try_emplace(e.to, step{ c, &e }).second)
				stack.push_back(e.to);
	}
	return false;
}

/* Records "@next taken while @prev held", reporting an inversion instead. */
void check_order(const held_lock *prev, const class_id &next, const char *next_name,
		 const char *file, int line)
{
	lock_graph &g = graph();
	edge_id eid = { { prev->key, prev->subclass }, next };
	unsigned long gen = g.gen.load(std::memory_order_acquire);
	char msg[400];

	if (ld.graph_gen != gen) {
		edge_cache.clear();
		ld.graph_gen = gen;
	}
	if (edge_cache.count(eid))
		return;
	{
		std::lock_guard<std::mutex> guard(g.lock);
		bool a_new, b_new;
		lock_class *a = get_class(g, eid.from, map_name(prev->map), &a_new);
		lock_class *b = get_class(g, next, next_name, &b_new);
		std::vector<const lock_edge *> path;

		if (!a->valid || !b->valid) {
			lock_class *bad = a->valid ? b : a;
			bool report = a->valid ? b_new : a_new;

			edge_cache.insert(eid);
			if (!report)
				return;
			snprintf(msg, sizeof(msg),
				 "lock '%s' has a non-static class key %p (DEFINE_MUTEX(), "
				 "DEFINE_SPINLOCK() or DECLARE_RWSEM() on the stack or heap?): "
				 "its lock order is not checked", bad->name, bad->id.key);
			goto report;
		}
		for (const lock_edge &e : a->after) {
			if (e.to == b) {
				edge_cache.insert(eid);
				return;
			}
		}
		if (!find_path(b, a, path)) {
			a->after.push_back({ b, file, line, prev->file, prev->line });
			edge_cache.insert(eid);
			return;
		}
		const lock_edge *first = path.front();

		snprintf(msg, sizeof(msg),
			 "possible circular locking dependency: taking '%s' while holding '%s' "
			 "(taken at %s:%d), but '%s' was earlier held (taken at %s:%d) while "
			 "taking %s'%s' at %s:%d",
			 b->name, a->name, prev->file, prev->line, b->name, first->from_file,
			 first->from_line, path.size() > 1 ? "a chain ending in " : "",
			 a->name, path.back()->file, path.back()->line);
	}
report:
	lockdep_report(file, line, "%s", msg);
}

void push_entry(struct lockdep_map *map, const void *instance, const void *key,
		lock_kind kind, bool read, unsigned int subclass, const char *file, int line,
		bool phantom)
{
	if (ld.depth >= MAX_LOCK_DEPTH) {
		if (!ld.untracked)
			lockdep_report(file, line, "more than %u locks held (MAX_LOCK_DEPTH)",
				       MAX_LOCK_DEPTH);
		ld.untracked++;
		return;
	}
	ld.held[ld.depth++] = { instance, map, key, file, line, kind, read,
				(unsigned char)(subclass % MAX_LOCKDEP_SUBCLASSES), phantom };
	if (kind == LK_SPIN && !phantom)
		ld.atomic++;
}

void lock_push(struct lockdep_map *map, const void *instance, lock_kind kind, bool read,
	       unsigned int subclass, const char *file, int line)
{
	const void *key = lock_key(map, instance, kind, file, line);

	push_entry(map, instance, key, kind, read, subclass, file, line, false);
}

/*
 * Checks a blocking acquisition before it blocks. Returns false when the
 * thread already holds this very lock in a conflicting way: the caller then
 * skips the acquisition instead of deadlocking.
 */
bool lock_check(struct lockdep_map *map, const void *instance, lock_kind kind, bool read,
		unsigned int subclass, const char *file, int line)
{
	const void *key = lock_key(map, instance, kind, file, line);
	class_id id = { key, subclass };

	if (subclass >= MAX_LOCKDEP_SUBCLASSES) {
		lockdep_report(file, line, "subclass %u of '%s' is too large", subclass,
			       map_name(map));
		id.subclass = 0;
	}
	for (unsigned int i = 0; i < ld.depth; i++) {
		const held_lock *h = &ld.held[i];

		if (h->instance == instance) {
			if (kind == LK_RWSEM && read && h->read)
				lockdep_report(file, line, "recursive down_read() of '%s' (held "
					       "for read since %s:%d): deadlocks as soon as a "
					       "writer queues in between", map_name(map), h->file,
					       h->line);
			else
				lockdep_report(file, line, "recursive locking of %s '%s' (already "
					       "held since %s:%d): deadlock", kind_name[kind],
					       map_name(map), h->file, h->line);
			push_entry(map, instance, key, kind, read, subclass, file, line, true);
			return false;
		}
	}
	for (unsigned int i = 0; i < ld.depth; i++) {
		const held_lock *h = &ld.held[i];

		if (h->phantom)
			continue;
		if (h->key == id.key && h->subclass == id.subclass) {
			lockdep_report(file, line, "possible recursive locking: taking '%s' "
				       "while holding another lock of its class ('%s', taken at "
				       "%s:%d); annotate with a _nested() variant if the order is "
				       "guaranteed", map_name(map), map_name(h->map), h->file,
				       h->line);
			continue;
		}
		check_order(h, id, map_name(map), file, line);
	}
	return true;
}

held_lock *lock_find(const void *instance)
{
	for (unsigned int i = ld.depth; i-- > 0;)
		if (ld.held[i].instance == instance)
			return &ld.held[i];
	return nullptr;
}

void remove_entry(held_lock *h)
{
	if (h->kind == LK_SPIN && !h->phantom)
		ld.atomic--;
	for (held_lock *end = &ld.held[--ld.depth]; h != end; h++)
		h[0] = h[1];
}

/*
 * Held by this thread? Used where the lock's own fields cannot be trusted:
 * an init may run on kmalloc() poison, which looks like an owner.
 */
bool held_here(const void *instance)
{
	const held_lock *h = lock_find(instance);

	return h && !h->phantom;
}

/* Consumes the phantom of a skipped recursive acquisition, if that is next. */
bool phantom_pop(const void *instance)
{
	held_lock *h = lock_find(instance);

	if (!h || !h->phantom)
		return false;
	remove_entry(h);
	return true;
}

void lock_pop(const void *instance)
{
	held_lock *h = lock_find(instance);

	if (!h) {
		if (ld.untracked)
			ld.untracked--;
		return;
	}
	remove_entry(h);
}

/* A guard's call site replaces the one inside cleanup.h. */
inline void take_site(const char **file, int *line)
{
	if (unlikely(ld.site_file)) {
		*file = ld.site_file;
		*line = ld.site_line;
		ld.site_file = nullptr;
	}
}

void *load_owner(void *const *owner)
{
	return __atomic_load_n(owner, __ATOMIC_RELAXED);
}

void set_owner(void **owner, void *val)
{
	__atomic_store_n(owner, val, __ATOMIC_RELAXED);
}

/* Reports an unlock by a thread that does not own @owner's lock; true if so. */
bool foreign_unlock(void *const *owner, const char *what, const struct lockdep_map *map,
		    const char *file, int line)
{
	void *o = load_owner(owner);

	if (likely(o == self()))
		return false;
	lockdep_report(file, line, "%s of '%s' which this thread does not hold (%s)", what,
		       map_name(map), o ? "another thread holds it" : "it is not locked");
	return true;
}

} // namespace

/* lockdep API */

void lockdep_init_map(struct lockdep_map *map, const char *name, const void *key)
{
	__atomic_store_n(&map->name, name, __ATOMIC_RELAXED);
	__atomic_store_n(&map->key, key, __ATOMIC_RELEASE);
}

void lockdep_register_key(struct lock_class_key *key)
{
	lock_graph &g = graph();
	std::lock_guard<std::mutex> guard(g.lock);

	g.registered_keys.insert(key);
}

void __lockdep_set_site(const char *file, int line)
{
	ld.site_file = file;
	ld.site_line = line;
}

void lockdep_unregister_key(struct lock_class_key *key)
{
	lock_graph &g = graph();
	std::lock_guard<std::mutex> guard(g.lock);

	for (auto &[id, cls] : g.classes) {
		auto &v = cls.after;

		for (size_t i = 0; i < v.size();) {
			if (v[i].to->id.key == key)
				v.erase(v.begin() + i);
			else
				i++;
		}
	}
	g.registered_keys.erase(key);
	for (auto it = g.classes.begin(); it != g.classes.end();) {
		if (it->first.key == key)
			it = g.classes.erase(it);
		else
			++it;
	}
	g.gen.fetch_add(1, std::memory_order_release);
}

void __might_sleep(const char *file, int line)
{
	if (likely(!ld.atomic))
		return;
	for (unsigned int i = ld.depth; i-- > 0;) {
		const held_lock *h = &ld.held[i];

		if (h->kind == LK_SPIN) {
			harness_report_failure(file, line, "BUG: sleeping function called from "
					       "invalid context: holding spinlock '%s' (taken at "
					       "%s:%d)", map_name(h->map), h->file, h->line);
			return;
		}
	}
}

bool in_atomic(void) { return ld.atomic != 0; }

unsigned int lockdep_depth(void) { return ld.depth + ld.untracked; }

void __debug_check_no_locks_held(const char *file, int line)
{
	if (likely(!ld.depth && !ld.untracked))
		return;
	if (!ld.depth) {
		harness_report_failure(file, line, "lockdep: %u untracked locks still held",
				       ld.untracked);
		return;
	}
	const held_lock *h = &ld.held[ld.depth - 1];

	harness_report_failure(file, line, "lockdep: %u lock(s) still held, the last "
			       "%s '%s' taken at %s:%d", lockdep_depth(), kind_name[h->kind],
			       map_name(h->map), h->file, h->line);
}

void lockdep_print_held_locks(void)
{
	fprintf(stderr, "%u lock(s) held by this thread:\n", lockdep_depth());
	for (unsigned int i = 0; i < ld.depth; i++) {
		const held_lock *h = &ld.held[i];

		fprintf(stderr, " #%u: %s '%s'%s%s, taken at %s:%d\n", i, kind_name[h->kind],
			map_name(h->map), h->read ? " (read)" : "",
			h->subclass ? " (nested)" : "", h->file, h->line);
	}
}

bool lockdep_is_held(const struct mutex *lock) { return load_owner(&lock->owner) == self(); }
bool lockdep_is_held(const struct spinlock *lock) { return load_owner(&lock->owner) == self(); }
bool lockdep_is_held(const struct rw_semaphore *lock)
{
	return lockdep_is_held_write(lock) || lockdep_is_held_read(lock);
}
bool lockdep_is_held_write(const struct mutex *lock) { return lockdep_is_held(lock); }
bool lockdep_is_held_write(const struct spinlock *lock) { return lockdep_is_held(lock); }
bool lockdep_is_held_write(const struct rw_semaphore *lock)
{
	return load_owner(&lock->owner) == self();
}
bool lockdep_is_held_read(const struct rw_semaphore *lock)
{
	for (unsigned int i = 0; i < ld.depth; i++)
		if (ld.held[i].instance == lock && ld.held[i].read)
			return true;
	return false;
}

/* mutex */

void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key)
{
	if (unlikely(held_here(lock))) {
		harness_report_failure(__FILE__, __LINE__, "lockdep: mutex_init() of locked "
				       "mutex '%s' (ignored)", map_name(&lock->dep_map));
		return;
	}
	pthread_mutex_init(&lock->wait_lock, NULL);
	set_owner(&lock->owner, NULL);
	lockdep_init_map(&lock->dep_map, name, key);
}

void mutex_destroy(struct mutex *lock)
{
	if (unlikely(load_owner(&lock->owner)))
		harness_report_failure(__FILE__, __LINE__, "lockdep: mutex_destroy() of "
				       "locked mutex '%s'", map_name(&lock->dep_map));
	/* Later use then reports as use of an uninitialised lock. */
	__atomic_store_n(&lock->dep_map.key, (const void *)NULL, __ATOMIC_RELEASE);
}

void mutex_lock_nested(struct mutex *lock, unsigned int subclass, const char *file, int line)
{
	take_site(&file, &line);
	__might_sleep(file, line);
	if (!lock_check(&lock->dep_map, lock, LK_MUTEX, false, subclass, file, line))
		return;
	pthread_mutex_lock(&lock->wait_lock);
	set_owner(&lock->owner, self());
	lock_push(&lock->dep_map, lock, LK_MUTEX, false, subclass, file, line);
}

void mutex_lock(struct mutex *lock, const char *file, int line)
{
	mutex_lock_nested(lock, 0, file, line);
}

int mutex_lock_interruptible(struct mutex *lock, const char *file, int line)
{
	mutex_lock_nested(lock, 0, file, line);
	return 0;
}

int mutex_lock_killable(struct mutex *lock, const char *file, int line)
{
	mutex_lock_nested(lock, 0, file, line);
	return 0;
}

int mutex_trylock(struct mutex *lock, const char *file, int line)
{
	take_site(&file, &line);
	lock_key(&lock->dep_map, lock, LK_MUTEX, file, line);
	if (pthread_mutex_trylock(&lock->wait_lock))
		return 0;
	set_owner(&lock->owner, self());
	lock_push(&lock->dep_map, lock, LK_MUTEX, false, 0, file, line);
	return 1;
}

void mutex_unlock(struct mutex *lock, const char *file, int line)
{
	take_site(&file, &line);
	if (phantom_pop(lock))
		return;
	if (foreign_unlock(&lock->owner, "mutex_unlock", &lock->dep_map, file, line))
		return;
	lock_pop(lock);
	set_owner(&lock->owner, NULL);
	pthread_mutex_unlock(&lock->wait_lock);
}

bool mutex_is_locked(const struct mutex *lock) { return load_owner(&lock->owner) != NULL; }

/* spinlock */

void __spin_lock_init(spinlock_t *lock, const char *name, struct lock_class_key *key)
{
	if (unlikely(held_here(lock))) {
		harness_report_failure(__FILE__, __LINE__, "lockdep: spin_lock_init() of "
				       "locked spinlock '%s' (ignored)", map_name(&lock->dep_map));
		return;
	}
	pthread_mutex_init(&lock->rlock, NULL);
	set_owner(&lock->owner, NULL);
	lockdep_init_map(&lock->dep_map, name, key);
}

void spin_lock_nested(spinlock_t *lock, unsigned int subclass, const char *file, int line)
{
	take_site(&file, &line);
	if (!lock_check(&lock->dep_map, lock, LK_SPIN, false, subclass, file, line))
		return;
	pthread_mutex_lock(&lock->rlock);
	set_owner(&lock->owner, self());
	lock_push(&lock->dep_map, lock, LK_SPIN, false, subclass, file, line);
}

void spin_lock(spinlock_t *lock, const char *file, int line)
{
	spin_lock_nested(lock, 0, file, line);
}

int spin_trylock(spinlock_t *lock, const char *file, int line)
{
	take_site(&file, &line);
	lock_key(&lock->dep_map, lock, LK_SPIN, file, line);
	if (pthread_mutex_trylock(&lock->rlock))
		return 0;
	set_owner(&lock->owner, self());
	lock_push(&lock->dep_map, lock, LK_SPIN, false, 0, file, line);
	return 1;
}

void spin_unlock(spinlock_t *lock, const char *file, int line)
{
	take_site(&file, &line);
	if (phantom_pop(lock))
		return;
	if (foreign_unlock(&lock->owner, "spin_unlock", &lock->dep_map, file, line))
		return;
	lock_pop(lock);
	set_owner(&lock->owner, NULL);
	pthread_mutex_unlock(&lock->rlock);
}

bool spin_is_locked(const spinlock_t *lock) { return load_owner(&lock->owner) != NULL; }

/* rw_semaphore */

void __init_rwsem(struct rw_semaphore *sem, const char *name, struct lock_class_key *key)
{
	if (unlikely(held_here(sem))) {
		harness_report_failure(__FILE__, __LINE__, "lockdep: init_rwsem() of locked "
				       "rwsem '%s' (ignored)", map_name(&sem->dep_map));
		return;
	}
	pthread_mutex_init(&sem->wait_lock, NULL);
	pthread_cond_init(&sem->read_wait, NULL);
	pthread_cond_init(&sem->write_wait, NULL);
	sem->readers = 0;
	sem->writers_waiting = 0;
	set_owner(&sem->owner, NULL);
	lockdep_init_map(&sem->dep_map, name, key);
}

static void rwsem_read_lock(struct rw_semaphore *sem)
{
	pthread_mutex_lock(&sem->wait_lock);
	while (load_owner(&sem->owner) || sem->writers_waiting)
		pthread_cond_wait(&sem->read_wait, &sem->wait_lock);
	__atomic_store_n(&sem->readers, sem->readers + 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&sem->wait_lock);
}

void down_read_nested(struct rw_semaphore *sem, int subclass, const char *file, int line)
{
	take_site(&file, &line);
	__might_sleep(file, line);
	if (!lock_check(&sem->dep_map, sem, LK_RWSEM, true, subclass, file, line))
		return;
	rwsem_read_lock(sem);
	lock_push(&sem->dep_map, sem, LK_RWSEM, true, subclass, file, line);
}

void down_read(struct rw_semaphore *sem, const char *file, int line)
{
	down_read_nested(sem, 0, file, line);
}

int down_read_interruptible(struct rw_semaphore *sem, const char *file, int line)
{
	down_read_nested(sem, 0, file, line);
	return 0;
}

int down_read_killable(struct rw_semaphore *sem, const char *file, int line)
{
	down_read_nested(sem, 0, file, line);
	return 0;
}

int down_read_trylock(struct rw_semaphore *sem, const char *file, int line)
{
	int ok = 0;

	take_site(&file, &line);
	lock_key(&sem->dep_map, sem, LK_RWSEM, file, line);
	pthread_mutex_lock(&sem->wait_lock);
	if (!load_owner(&sem->owner) && !sem->writers_waiting) {
		__atomic_store_n(&sem->readers, sem->readers + 1, __ATOMIC_RELAXED);
		ok = 1;
	}
	pthread_mutex_unlock(&sem->wait_lock);
	if (ok)
		lock_push(&sem->dep_map, sem, LK_RWSEM, true, 0, file, line);
	return ok;
}

void up_read(struct rw_semaphore *sem, const char *file, int line)
{
	take_site(&file, &line);
	if (phantom_pop(sem))
		return;
	if (unlikely(!lockdep_is_held_read(sem) && !ld.untracked)) {
		lockdep_report(file, line, "up_read of '%s' which this thread does not hold "
			       "for read", map_name(&sem->dep_map));
		return;
	}
	lock_pop(sem);
	pthread_mutex_lock(&sem->wait_lock);
	__atomic_store_n(&sem->readers, sem->readers - 1, __ATOMIC_RELAXED);
	if (!sem->readers && sem->writers_waiting)
		pthread_cond_signal(&sem->write_wait);
	pthread_mutex_unlock(&sem->wait_lock);
}

static void rwsem_write_lock(struct rw_semaphore *sem)
{
	pthread_mutex_lock(&sem->wait_lock);
	__atomic_store_n(&sem->writers_waiting, sem->writers_waiting + 1, __ATOMIC_RELAXED);
	while (load_owner(&sem->owner) || sem->readers)
		pthread_cond_wait(&sem->write_wait, &sem->wait_lock);
	__atomic_store_n(&sem->writers_waiting, sem->writers_waiting - 1, __ATOMIC_RELAXED);
	set_owner(&sem->owner, self());
	pthread_mutex_unlock(&sem->wait_lock);
}

void down_write_nested(struct rw_semaphore *sem, int subclass, const char *file, int line)
{
	take_site(&file, &line);
	__might_sleep(file, line);
	if (!lock_check(&sem->dep_map, sem, LK_RWSEM, false, subclass, file, line))
		return;
	rwsem_write_lock(sem);
	lock_push(&sem->dep_map, sem, LK_RWSEM, false, subclass, file, line);
}

void down_write(struct rw_semaphore *sem, const char *file, int line)
{
	down_write_nested(sem, 0, file, line);
}

int down_write_killable(struct rw_semaphore *sem, const char *file, int line)
{
	down_write_nested(sem, 0, file, line);
	return 0;
}

int down_write_trylock(struct rw_semaphore *sem, const char *file, int line)
{
	int ok = 0;

	take_site(&file, &line);
	lock_key(&sem->dep_map, sem, LK_RWSEM, file, line);
	pthread_mutex_lock(&sem->wait_lock);
	if (!load_owner(&sem->owner) && !sem->readers) {
		set_owner(&sem->owner, self());
		ok = 1;
	}
	pthread_mutex_unlock(&sem->wait_lock);
	if (ok)
		lock_push(&sem->dep_map, sem, LK_RWSEM, false, 0, file, line);
	return ok;
}

void up_write(struct rw_semaphore *sem, const char *file, int line)
{
	take_site(&file, &line);
	if (phantom_pop(sem))
		return;
	if (foreign_unlock(&sem->owner, "up_write", &sem->dep_map, file, line))
		return;
	lock_pop(sem);
	pthread_mutex_lock(&sem->wait_lock);
	set_owner(&sem->owner, NULL);
	if (sem->writers_waiting)
		pthread_cond_signal(&sem->write_wait);
	else
		pthread_cond_broadcast(&sem->read_wait);
	pthread_mutex_unlock(&sem->wait_lock);
}

void downgrade_write(struct rw_semaphore *sem, const char *file, int line)
{
	take_site(&file, &line);
	if (foreign_unlock(&sem->owner, "downgrade_write", &sem->dep_map, file, line))
		return;
	held_lock *h = lock_find(sem);

	if (h)
		h->read = 1;
	pthread_mutex_lock(&sem->wait_lock);
	set_owner(&sem->owner, NULL);
	__atomic_store_n(&sem->readers, sem->readers + 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&sem->read_wait);
	pthread_mutex_unlock(&sem->wait_lock);
}

bool rwsem_is_locked(const struct rw_semaphore *sem)
{
	return load_owner(&sem->owner) || __atomic_load_n(&sem->readers, __ATOMIC_RELAXED);
}

bool rwsem_is_contended(const struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->writers_waiting, __ATOMIC_RELAXED) != 0;
}
