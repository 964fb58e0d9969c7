/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wait queues: wait_event*() / wake_up*() on a condition.
 *
 * A wait queue is a condition variable; the condition is re-evaluated after
 * every wake-up and on a short periodic tick, so a waker that forgets
 * wake_up() costs latency, not a hang — but see wait_event_timeout(), which
 * the core uses where the kernel does, so such a bug still shows.
 */
#pragma once

#include "harness/compiler.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

typedef struct wait_queue_head {
	std::mutex lock;
	std::condition_variable cond;
} wait_queue_head_t;

static inline void init_waitqueue_head(wait_queue_head_t *wq) {}
static inline void wake_up(wait_queue_head_t *wq)
{
	std::lock_guard<std::mutex> l(wq->lock);
	wq->cond.notify_all();
}
#define wake_up_all wake_up
#define wake_up_interruptible wake_up
#define wake_up_interruptible_all wake_up

#define HZ 1000
static inline unsigned long msecs_to_jiffies(unsigned int ms) { return ms; }

/* Returns the remaining jiffies (>= 1) if @condition came true, else 0. */
#define wait_event_timeout(wq, condition, timeout)                              \
	({                                                                      \
		auto __deadline = std::chrono::steady_clock::now() +            \
				  std::chrono::milliseconds(timeout);           \
		long __ret = 0;                                                 \
		std::unique_lock<std::mutex> __l((wq).lock);                    \
		for (;;) {                                                      \
			if (condition) {                                        \
				auto __left = std::chrono::duration_cast<       \
					std::chrono::milliseconds>(             \
					__deadline - std::chrono::steady_clock::now()); \
				__ret = __left.count() > 0 ? __left.count() : 1; \
				break;                                          \
			}                                                       \
			if (std::chrono::steady_clock::now() >= __deadline)     \
				break;                                          \
			(wq).cond.wait_for(__l, std::chrono::milliseconds(10)); \
		}                                                               \
		__ret;                                                          \
	})

#define wait_event(wq, condition)                                               \
	do {                                                                    \
		std::unique_lock<std::mutex> __l((wq).lock);                    \
		while (!(condition))                                            \
			(wq).cond.wait_for(__l, std::chrono::milliseconds(10)); \
	} while (0)

#define wait_event_interruptible(wq, condition) ({ wait_event(wq, condition); 0; })
