/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WARN_ON() and friends.
 *
 * In the kernel a WARN is a bug report that lets the machine limp on. Here
 * it does the same (the condition's value is returned, execution goes on)
 * and additionally fails whichever test is running, so a WARN can never
 * pass unnoticed in CI. BUG_ON() aborts: there is no limping after it.
 */
#pragma once

#include "harness/compiler.h"

/* Reports a WARN: prints it, counts it, fails the running test. */
void __warn(const char *file, int line, const char *cond);
/* Number of WARNs reported since the process started. */
unsigned long harness_warn_count(void);
[[noreturn]] void __bug(const char *file, int line, const char *cond);

#define WARN_ON(condition)                                                    \
	({                                                                    \
		bool __ret_warn_on = !!(condition);                           \
		if (unlikely(__ret_warn_on))                                  \
			__warn(__FILE__, __LINE__, #condition);               \
		unlikely(__ret_warn_on);                                      \
	})

#define WARN_ON_ONCE(condition)                                               \
	({                                                                    \
		static bool __warned;                                         \
		bool __ret_warn_once = !!(condition);                         \
		if (unlikely(__ret_warn_once && !__warned)) {                 \
			__warned = true;                                      \
			__warn(__FILE__, __LINE__, #condition);               \
		}                                                             \
		unlikely(__ret_warn_once);                                    \
	})

#define WARN(condition, fmt, ...) WARN_ON(condition)

#define BUG_ON(condition)                                                     \
	do {                                                                  \
		if (unlikely(condition))                                      \
			__bug(__FILE__, __LINE__, #condition);                \
	} while (0)
#define BUG() __bug(__FILE__, __LINE__, "BUG()")
