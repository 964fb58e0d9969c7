/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access to user memory, as linux/uaccess.h: copies that report how much
 * they could not do instead of crashing.
 *
 * User memory is current->mm's. For the local mm (this process) a copy runs
 * under a SIGSEGV/SIGBUS catcher and stops at the first inaccessible byte,
 * like the kernel's exception-table fixups: unmapped, PROT_NONE, or (for
 * writes) read-only memory is simply not copied. For another process's mm
 * the copy goes through process_vm_readv/writev.
 *
 * copy_from_user() and copy_to_user() are injection points of
 * fail_usercopy (so is strncpy_from_user()); get_user/put_user,
 * clear_user and check_zeroed_user are not, as in the kernel. A short
 * copy_from_user() zero-fills what it could not copy.
 */
#pragma once

#include "harness/bug.h"
#include "harness/compiler.h"
#include "harness/err.h"
#include "harness/slab.h"

#include <type_traits>

/* Highest user address + 1 the kernel accepts (4-level paging). */
#if defined(__aarch64__)
#define TASK_SIZE_MAX (1UL << 48)
#else
#define TASK_SIZE_MAX ((1UL << 47) - PAGE_SIZE)
#endif

/* Takes the address as an integer: it is never dereferenced. */
static inline bool __access_ok(unsigned long addr, unsigned long size)
{
	return size <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - size;
}
#define access_ok(addr, size) __access_ok((unsigned long)(addr), (size))

/* Both return the number of bytes NOT copied. */
__must_check unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
__must_check unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
/* Returns the number of bytes not zeroed. */
__must_check unsigned long clear_user(void __user *to, unsigned long n);

/* 1 if all size bytes at from are zero, 0 if not, -EFAULT. */
int check_zeroed_user(const void __user *from, size_t size);

int __copy_struct_from_user(void *dst, size_t ksize, const void __user *src, size_t usize);
int __copy_struct_to_user(void __user *dst, size_t usize, const void *src, size_t ksize,
			  bool *ignored_trailing);

/*
 * Extensible structs: copies min(ksize, usize) bytes, zero-fills the rest
 * of dst, and fails with -E2BIG if the user passed a longer struct whose
 * tail is not zero. 0 or -E2BIG/-EFAULT.
 */
__must_check static inline int copy_struct_from_user(void *dst, size_t ksize,
						     const void __user *src, size_t usize)
{
	if (WARN_ON(ksize > __builtin_object_size(dst, 1)))
		return -E2BIG;
	return __copy_struct_from_user(dst, ksize, src, usize);
}

/*
 * The reverse: zero-fills a longer user struct; kernel data beyond a
 * shorter one is dropped, and *ignored_trailing says if any was non-zero.
 */
__must_check static inline int copy_struct_to_user(void __user *dst, size_t usize,
						   const void *src, size_t ksize,
						   bool *ignored_trailing)
{
	if (WARN_ON(ksize > __builtin_object_size(src, 1)))
		return -E2BIG;
	return __copy_struct_to_user(dst, usize, src, ksize, ignored_trailing);
}

/* Length of the copied string, count if no NUL within count, or -EFAULT. */
long strncpy_from_user(char *dst, const char __user *src, long count);
/* Length including the NUL, > count if longer, 0 on a fault. */
long strnlen_user(const char __user *str, long count);

/* kmalloc'ed (kvmalloc'ed) copy of user memory, or ERR_PTR(-ENOMEM/-EFAULT). */
__alloc_ptr memdup_user(const void __user *src, size_t len);
__alloc_ptr vmemdup_user(const void __user *src, size_t len);
__alloc_ptr memdup_user_nul(const void __user *src, size_t len);

/* 0 or -EFAULT; no fault injection. */
int __get_user_bytes(void *to, const void __user *from, size_t size);
int __put_user_bytes(void __user *to, const void *from, size_t size);

/* On a fault x is set to zero, as the kernel does. */
#define get_user(x, ptr)                                                      \
	({                                                                    \
		std::remove_cv_t<std::remove_reference_t<decltype(*(ptr))>> __gu_val; \
		int __gu_err = __get_user_bytes(&__gu_val, (ptr), sizeof(*(ptr)));  \
		if (__gu_err)                                                 \
			memset(&__gu_val, 0, sizeof(__gu_val));               \
		(x) = __gu_val;                                               \
		__gu_err;                                                     \
	})

#define put_user(x, ptr)                                                      \
	({                                                                    \
		std::remove_cv_t<std::remove_reference_t<decltype(*(ptr))>> __pu_val = (x); \
		__put_user_bytes((ptr), &__pu_val, sizeof(*(ptr)));           \
	})

#define __get_user(x, ptr) get_user(x, ptr)
#define __put_user(x, ptr) put_user(x, ptr)
