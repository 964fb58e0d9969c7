/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error pointers, as linux/err.h: the top 4095 values of the address space
 * encode a negative errno.
 */
#pragma once

#include "harness/compiler.h"

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((uintptr_t)(void *)(x) >= (uintptr_t)-MAX_ERRNO)

/*
 * In C, ERR_PTR() returns void * and converts silently to any pointer type.
 * C++ does not convert void *, so ERR_PTR()/ERR_CAST() return this proxy,
 * which converts to whatever pointer the caller returns or stores.
 */
struct __err_ptr {
	void *ptr;
	template <typename T> operator T *() const { return (T *)ptr; }
};

static inline __err_ptr ERR_PTR(long error) { return {(void *)(intptr_t)error}; }
static inline long PTR_ERR(__err_ptr e) { return (long)(intptr_t)e.ptr; }
static inline long PTR_ERR(const void *ptr) { return (long)(intptr_t)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((uintptr_t)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }
static inline int PTR_ERR_OR_ZERO(const void *ptr) { return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0; }

static inline __err_ptr ERR_CAST(const void *ptr) { return {(void *)ptr}; }
