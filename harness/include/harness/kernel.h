/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything kernel-side code may use from the harness, in one include.
 *
 * Core and driver files include this instead of a dozen harness headers,
 * the way kernel files pull in linux/kernel.h and friends. Headers still
 * being written are picked up as soon as they exist.
 */
#pragma once

#include "harness/compiler.h"
#include "harness/bug.h"
#include "harness/err.h"
#include "harness/testhooks.h"

#include "harness/slab.h"
#include "harness/fault_inject.h"
#if __has_include("harness/sched.h")
#include "harness/sched.h"
#endif
#if __has_include("harness/mm.h")
#include "harness/mm.h"
#endif
#if __has_include("harness/uaccess.h")
#include "harness/uaccess.h"
#endif
#if __has_include("harness/physmem.h")
#include "harness/physmem.h"
#endif
#if __has_include("harness/io.h")
#include "harness/io.h"
#endif

#include "harness/bitops.h"
#include "harness/bitfield.h"
#include "harness/bitmap.h"
#include "harness/refcount.h"
#include "harness/lockdep.h"
#include "harness/spinlock.h"
#include "harness/mutex.h"
#include "harness/rwsem.h"
#include "harness/cleanup.h"
#include "harness/list.h"
#include "harness/interval_tree.h"
#include "harness/xarray.h"
