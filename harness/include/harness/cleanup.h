/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scope-based cleanup (linux/cleanup.h) spelled the kernel's way, built on
 * C++ destructors.
 *
 * guard(name)(args) declares an anonymous guard object; scoped_guard(name,
 * args) { ... } holds it for one block (break leaves the block and drops
 * the lock); scoped_cond_guard(name, fail, args) { ... } runs @fail when a
 * conditional lock (_try, _intr) was not taken. Each guard class is
 * class_<name>_t, made by class_<name>_constructor(): a prvalue, so C++17
 * guaranteed elision builds it in place and it never needs to be copied
 * (copying is deleted). A guard built by the constructor records its
 * caller's line, so lockdep reports name that line, not this header.
 *
 * __free(name) attaches a cleanup function to a pointer variable, so
 * `struct foo *p __free(kfree) = kzalloc(...)` keeps the kernel's syntax;
 * it uses the compilers' cleanup attribute (gcc and clang support it in
 * C++), which is the only way to hang cleanup on a plain pointer
 * declaration. no_free_ptr()/return_ptr() hand the pointer on and disarm
 * the cleanup.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/err.h"
#include "harness/lockdep.h"
#include "harness/mutex.h"
#include "harness/rwsem.h"
#include "harness/slab.h"
#include "harness/spinlock.h"

#define __cleanup(func) __attribute__((__cleanup__(func)))

#define __CLEANUP_PASTE_(a, b) a##b
#define __CLEANUP_PASTE(a, b) __CLEANUP_PASTE_(a, b)
#define __CLEANUP_ID(prefix) __CLEANUP_PASTE(__CLEANUP_PASTE(__, prefix), __COUNTER__)

/* __free() */

#define DEFINE_FREE(_name, _type, _free)                                      \
	static inline void __free_##_name(void *p)                            \
	{                                                                     \
		_type _T = *(_type *)p;                                       \
		_free;                                                        \
	}

#define __free(_name) __cleanup(__free_##_name)

/* Takes the pointer out of @p, leaving NULL so its cleanup does nothing. */
#define no_free_ptr(p)                                                        \
	({                                                                    \
		auto __ptr = (p);                                             \
		(p) = NULL;                                                   \
		__ptr;                                                        \
	})
#define return_ptr(p) return no_free_ptr(p)
/* Disarms @p after its ownership was handed over by other means. */
#define retain_and_null_ptr(p) ((void)no_free_ptr(p))

DEFINE_FREE(kfree, void *, if (!IS_ERR_OR_NULL(_T)) kfree(_T))
DEFINE_FREE(kvfree, void *, if (!IS_ERR_OR_NULL(_T)) kvfree(_T))

/* Records a guard's call site for the lock call it makes, then forgets it. */
struct __guard_site {
	__guard_site(const char *file, int line) { __lockdep_set_site(file, line); }
	~__guard_site() { __lockdep_set_site(NULL, 0); }
	__guard_site(const __guard_site &) = delete;
	__guard_site &operator=(const __guard_site &) = delete;
};

/* Chosen by the conditional guards' constructors: adopt, do not lock. */
struct __guard_adopt_t {};

/* Members every guard class has, for scoped_guard()/scoped_cond_guard(). */
#define __GUARD_COMMON(_class)                                                \
	bool __scope_done = false;                                            \
	_class(const _class &) = delete;                                      \
	_class &operator=(const _class &) = delete;                           \
	/* true the first time only, and only if the lock was taken */        \
	bool __scope_once()                                                   \
	{                                                                     \
		if (__scope_done)                                             \
			return false;                                         \
		__scope_done = true;                                          \
		return __guard_ptr() != NULL;                                 \
	}                                                                     \
	bool __scope_once_always()                                            \
	{                                                                     \
		bool first = !__scope_done;                                   \
		__scope_done = true;                                          \
		return first;                                                 \
	}

/*
 * DEFINE_GUARD(name, type, lock, unlock): a guard holding a value of @type
 * (normally the lock pointer) as _T; @lock runs at construction, @unlock at
 * destruction unless _T is NULL or an error pointer.
 */
#define DEFINE_GUARD(_name, _type, _lock, _unlock)                            \
	struct class_##_name##_t {                                            \
		_type lock;                                                   \
		explicit class_##_name##_t(_type _T) : lock(_T) { _lock; }    \
		class_##_name##_t(__guard_adopt_t, _type _T) : lock(_T) {}    \
		~class_##_name##_t()                                          \
		{                                                             \
			_type _T = lock;                                      \
			if (!IS_ERR_OR_NULL((const void *)_T)) {              \
				_unlock;                                      \
			}                                                     \
		}                                                             \
		void *__guard_ptr() const                                     \
		{                                                             \
			return IS_ERR((const void *)lock) ? NULL : (void *)lock; \
		}                                                             \
		__GUARD_COMMON(class_##_name##_t)                             \
	};                                                                    \
	static inline class_##_name##_t class_##_name##_constructor(          \
		_type _T, const char *__file = __builtin_FILE(),              \
		int __line = __builtin_LINE())                                \
	{                                                                     \
		__guard_site __site(__file, __line);                          \
		return class_##_name##_t(_T);                                 \
	}

/*
 * DEFINE_GUARD_COND(name, ext, lock[, cond]): guard name##ext, holding the
 * lock only if @lock succeeded: by default when it returned non-zero, or
 * when @cond (which sees the result as _RET) is true.
 */
#define DEFINE_GUARD_COND(_name, _ext, _lock, ...)                            \
	struct class_##_name##_ext##_t : class_##_name##_t {                  \
		explicit class_##_name##_ext##_t(decltype(class_##_name##_t::lock) _T) \
			: class_##_name##_t(__guard_adopt_t{}, NULL)          \
		{                                                             \
			auto _RET = (_lock);                                  \
			bool __ok;                                            \
			__VA_OPT__(if constexpr (true) { __ok = (__VA_ARGS__); } else) \
			__ok = !!_RET;                                        \
			if (__ok)                                             \
				this->lock = _T;                              \
		}                                                             \
	};                                                                    \
	static inline class_##_name##_ext##_t class_##_name##_ext##_constructor( \
		decltype(class_##_name##_t::lock) _T,                         \
		const char *__file = __builtin_FILE(), int __line = __builtin_LINE()) \
	{                                                                     \
		__guard_site __site(__file, __line);                          \
		return class_##_name##_ext##_t(_T);                           \
	}

/*
 * DEFINE_LOCK_GUARD_1(name, type, lock, unlock, extra members...): the
 * guard object itself is _T; _T->lock is the @type pointer and the extra
 * members (say, irq flags) are there for @lock/@unlock to use.
 */
#define DEFINE_LOCK_GUARD_1(_name, _type, _lock, _unlock, ...)                \
	struct class_##_name##_t {                                            \
		_type *lock;                                                  \
		__VA_ARGS__;                                                  \
		explicit class_##_name##_t(_type *__l) : lock(__l)            \
		{                                                             \
			class_##_name##_t *_T = this;                         \
			_lock;                                                \
		}                                                             \
		class_##_name##_t(__guard_adopt_t, _type *__l) : lock(__l) {} \
		~class_##_name##_t()                                          \
		{                                                             \
			class_##_name##_t *_T = this;                         \
			if (_T->lock) {                                       \
				_unlock;                                      \
			}                                                     \
		}                                                             \
		void *__guard_ptr() const { return (void *)lock; }            \
		__GUARD_COMMON(class_##_name##_t)                             \
	};                                                                    \
	static inline class_##_name##_t class_##_name##_constructor(          \
		_type *__l, const char *__file = __builtin_FILE(),            \
		int __line = __builtin_LINE())                                \
	{                                                                     \
		__guard_site __site(__file, __line);                          \
		return class_##_name##_t(__l);                                \
	}

/* DEFINE_LOCK_GUARD_1_COND(name, ext, lock[, cond]), as DEFINE_GUARD_COND(). */
#define DEFINE_LOCK_GUARD_1_COND(_name, _ext, _lock, ...)                     \
	struct class_##_name##_ext##_t : class_##_name##_t {                  \
		explicit class_##_name##_ext##_t(decltype(class_##_name##_t::lock) __l) \
			: class_##_name##_t(__guard_adopt_t{}, __l)           \
		{                                                             \
			class_##_name##_t *_T = this;                         \
			auto _RET = (_lock);                                  \
			bool __ok;                                            \
			__VA_OPT__(if constexpr (true) { __ok = (__VA_ARGS__); } else) \
			__ok = !!_RET;                                        \
			if (!__ok)                                            \
				this->lock = NULL;                            \
		}                                                             \
	};                                                                    \
	static inline class_##_name##_ext##_t class_##_name##_ext##_constructor( \
		decltype(class_##_name##_t::lock) __l,                        \
		const char *__file = __builtin_FILE(), int __line = __builtin_LINE()) \
	{                                                                     \
		__guard_site __site(__file, __line);                          \
		return class_##_name##_ext##_t(__l);                          \
	}

/* DEFINE_LOCK_GUARD_0(name, lock, unlock, extra members...): no argument. */
#define DEFINE_LOCK_GUARD_0(_name, _lock, _unlock, ...)                       \
	struct class_##_name##_t {                                            \
		__VA_ARGS__;                                                  \
		class_##_name##_t()                                           \
		{                                                             \
			[[maybe_unused]] class_##_name##_t *_T = this;        \
			_lock;                                                \
		}                                                             \
		~class_##_name##_t()                                          \
		{                                                             \
			[[maybe_unused]] class_##_name##_t *_T = this;        \
			_unlock;                                              \
		}                                                             \
		void *__guard_ptr() const { return (void *)1; }               \
		__GUARD_COMMON(class_##_name##_t)                             \
	};                                                                    \
	static inline class_##_name##_t class_##_name##_constructor(void)     \
	{                                                                     \
		return class_##_name##_t();                                   \
	}

#define guard(_name) class_##_name##_t __CLEANUP_ID(guard) = class_##_name##_constructor

#define __scoped_guard(_name, _id, ...)                                       \
	for (class_##_name##_t _id = class_##_name##_constructor(__VA_ARGS__); \
	     _id.__scope_once();)
#define scoped_guard(_name, ...) __scoped_guard(_name, __CLEANUP_ID(scope), __VA_ARGS__)

#define __scoped_cond_guard(_name, _id, _fail, ...)                           \
	for (class_##_name##_t _id = class_##_name##_constructor(__VA_ARGS__); \
	     _id.__scope_once_always();)                                      \
		if (!_id.__guard_ptr()) {                                     \
			_fail;                                                \
		} else
#define scoped_cond_guard(_name, _fail, ...)                                  \
	__scoped_cond_guard(_name, __CLEANUP_ID(scope), _fail, __VA_ARGS__)

/*
 * DEFINE_CLASS(name, type, exit, init, init_args...) / CLASS(name, var)(args):
 * a scoped value of @type; @exit runs on it (as _T) when @var goes out of
 * scope. The variable converts to @type.
 */
#define DEFINE_CLASS(_name, _type, _exit, _init, ...)                         \
	struct class_##_name##_t {                                            \
		_type __val;                                                  \
		class_##_name##_t(_type __v) : __val(__v) {}                  \
		class_##_name##_t(const class_##_name##_t &) = delete;        \
		class_##_name##_t &operator=(const class_##_name##_t &) = delete; \
		~class_##_name##_t()                                          \
		{                                                             \
			_type _T = __val;                                     \
			_exit;                                                \
		}                                                             \
		operator _type &() { return __val; }                          \
	};                                                                    \
	static inline class_##_name##_t class_##_name##_constructor(__VA_ARGS__) \
	{                                                                     \
		return class_##_name##_t(_init);                              \
	}
#define CLASS(_name, var) class_##_name##_t var = class_##_name##_constructor

/* The kernel's lock guards. */

DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))
DEFINE_GUARD_COND(mutex, _try, mutex_trylock(_T))
DEFINE_GUARD_COND(mutex, _intr, mutex_lock_interruptible(_T), _RET == 0)

DEFINE_LOCK_GUARD_1(spinlock, spinlock_t, spin_lock(_T->lock), spin_unlock(_T->lock))
DEFINE_LOCK_GUARD_1_COND(spinlock, _try, spin_trylock(_T->lock))
DEFINE_LOCK_GUARD_1(spinlock_irq, spinlock_t, spin_lock_irq(_T->lock),
		    spin_unlock_irq(_T->lock))
DEFINE_LOCK_GUARD_1(spinlock_bh, spinlock_t, spin_lock_bh(_T->lock), spin_unlock_bh(_T->lock))
DEFINE_LOCK_GUARD_1(spinlock_irqsave, spinlock_t, spin_lock_irqsave(_T->lock, _T->flags),
		    spin_unlock_irqrestore(_T->lock, _T->flags), unsigned long flags = 0)
DEFINE_LOCK_GUARD_1(raw_spinlock, raw_spinlock_t, raw_spin_lock(_T->lock),
		    raw_spin_unlock(_T->lock))
DEFINE_LOCK_GUARD_1(raw_spinlock_irqsave, raw_spinlock_t,
		    raw_spin_lock_irqsave(_T->lock, _T->flags),
		    raw_spin_unlock_irqrestore(_T->lock, _T->flags), unsigned long flags = 0)

DEFINE_GUARD(rwsem_read, struct rw_semaphore *, down_read(_T), up_read(_T))
DEFINE_GUARD_COND(rwsem_read, _try, down_read_trylock(_T))
DEFINE_GUARD_COND(rwsem_read, _intr, down_read_interruptible(_T), _RET == 0)
DEFINE_GUARD(rwsem_write, struct rw_semaphore *, down_write(_T), up_write(_T))
DEFINE_GUARD_COND(rwsem_write, _try, down_write_trylock(_T))
DEFINE_GUARD_COND(rwsem_write, _kill, down_write_killable(_T), _RET == 0)
