/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MMIO: ioremap'ed regions served by hardware models, and a recorder.
 *
 * ioremap_model() hands out an address range backed by a PROT_NONE
 * reservation, so dereferencing an __iomem pointer directly crashes at once
 * (as a missing readl() would on hardware with strict device memory); the
 * readl()/writel() family looks the address up and calls the region's
 * mmio_ops with the offset and access size. Accesses outside any region,
 * past a region's end, or not naturally aligned are reported as failures
 * of the running test and read as all-ones, like a master abort.
 *
 * Relaxed and non-relaxed accessors behave the same: the models run
 * synchronously, so there is no ordering for a barrier to enforce.
 *
 * struct mmio_recorder is an mmio_ops stub that logs every access (offset,
 * size, value, direction) in order, for tests of register sequences. It
 * forwards to an inner model if it has one, and otherwise behaves as a
 * plain register file that reads back what was last written (or preset).
 */
#pragma once

#include "harness/compiler.h"

#include <mutex>
#include <vector>

struct mmio_ops {
	u64 (*read)(void *priv, u64 offset, unsigned size);
	void (*write)(void *priv, u64 offset, u64 val, unsigned size);
};

/* NULL if the address space cannot be reserved. */
void __iomem *ioremap_model(size_t size, const struct mmio_ops *ops, void *priv);
void iounmap(volatile void __iomem *addr);

u64 __mmio_read(const volatile void __iomem *addr, unsigned size);
void __mmio_write(volatile void __iomem *addr, u64 val, unsigned size);

static inline u8 readb(const volatile void __iomem *addr) { return (u8)__mmio_read(addr, 1); }
static inline u16 readw(const volatile void __iomem *addr) { return (u16)__mmio_read(addr, 2); }
static inline u32 readl(const volatile void __iomem *addr) { return (u32)__mmio_read(addr, 4); }
static inline u64 readq(const volatile void __iomem *addr) { return __mmio_read(addr, 8); }
static inline void writeb(u8 val, volatile void __iomem *addr) { __mmio_write(addr, val, 1); }
static inline void writew(u16 val, volatile void __iomem *addr) { __mmio_write(addr, val, 2); }
static inline void writel(u32 val, volatile void __iomem *addr) { __mmio_write(addr, val, 4); }
static inline void writeq(u64 val, volatile void __iomem *addr) { __mmio_write(addr, val, 8); }

#define readb_relaxed readb
#define readw_relaxed readw
#define readl_relaxed readl
#define readq_relaxed readq
#define writeb_relaxed writeb
#define writew_relaxed writew
#define writel_relaxed writel
#define writeq_relaxed writeq
#define __raw_readl readl
#define __raw_readq readq
#define __raw_writel writel
#define __raw_writeq writeq
#define ioread8 readb
#define ioread16 readw
#define ioread32 readl
#define ioread64 readq
#define iowrite8 writeb
#define iowrite16 writew
#define iowrite32 writel
#define iowrite64 writeq

/* 64-bit registers accessed as two 32-bit halves, in the named order. */
static inline u64 lo_hi_readq(const volatile void __iomem *addr)
{
	u64 lo = readl(addr);

	return lo | (u64)readl((const volatile char __iomem *)addr + 4) << 32;
}

static inline u64 hi_lo_readq(const volatile void __iomem *addr)
{
	u64 hi = readl((const volatile char __iomem *)addr + 4);

	return readl(addr) | hi << 32;
}

static inline void lo_hi_writeq(u64 val, volatile void __iomem *addr)
{
	writel((u32)val, addr);
	writel((u32)(val >> 32), (volatile char __iomem *)addr + 4);
}

static inline void hi_lo_writeq(u64 val, volatile void __iomem *addr)
{
	writel((u32)(val >> 32), (volatile char __iomem *)addr + 4);
	writel((u32)val, addr);
}

#define lo_hi_readq_relaxed lo_hi_readq
#define hi_lo_readq_relaxed hi_lo_readq
#define lo_hi_writeq_relaxed lo_hi_writeq
#define hi_lo_writeq_relaxed hi_lo_writeq

/* Byte-granular (8-byte where aligned) copies to and from a region. */
void memcpy_fromio(void *to, const volatile void __iomem *from, size_t count);
void memcpy_toio(volatile void __iomem *to, const void *from, size_t count);
void memset_io(volatile void __iomem *addr, int val, size_t count);

/* Microseconds of a monotonic clock, and a sleep, for the poll loops. */
u64 __io_now_us(void);
void __io_sleep_us(unsigned long us);

/*
 * As linux/iopoll.h: 0 once cond holds, -ETIMEDOUT (with val freshly read)
 * after timeout_us (0: wait forever).
 */
#define read_poll_timeout(op, val, cond, sleep_us, timeout_us, sleep_before_read, ...) \
	({                                                                    \
		u64 __timeout_us = (timeout_us);                              \
		unsigned long __sleep_us = (sleep_us);                        \
		u64 __deadline = __io_now_us() + __timeout_us;                \
		int __poll_ret = 0;                                           \
		if ((sleep_before_read) && __sleep_us)                        \
			__io_sleep_us(__sleep_us);                            \
		for (;;) {                                                    \
			(val) = op(__VA_ARGS__);                              \
			if (cond)                                             \
				break;                                        \
			if (__timeout_us && __io_now_us() > __deadline) {     \
				(val) = op(__VA_ARGS__);                      \
				__poll_ret = (cond) ? 0 : -ETIMEDOUT;         \
				break;                                        \
			}                                                     \
			if (__sleep_us)                                       \
				__io_sleep_us(__sleep_us);                    \
		}                                                             \
		__poll_ret;                                                   \
	})
#define read_poll_timeout_atomic read_poll_timeout
#define readx_poll_timeout(op, addr, val, cond, sleep_us, timeout_us)         \
	read_poll_timeout(op, val, cond, sleep_us, timeout_us, false, addr)
#define readx_poll_timeout_atomic readx_poll_timeout
#define readl_poll_timeout(addr, val, cond, delay_us, timeout_us)             \
	readx_poll_timeout(readl, addr, val, cond, delay_us, timeout_us)
#define readl_poll_timeout_atomic readl_poll_timeout
#define readl_relaxed_poll_timeout readl_poll_timeout
#define readl_relaxed_poll_timeout_atomic readl_poll_timeout
#define readq_poll_timeout(addr, val, cond, delay_us, timeout_us)             \
	readx_poll_timeout(readq, addr, val, cond, delay_us, timeout_us)
#define readq_poll_timeout_atomic readq_poll_timeout
#define readq_relaxed_poll_timeout readq_poll_timeout
#define readq_relaxed_poll_timeout_atomic readq_poll_timeout

/* ---- the recording stub ---- */

struct mmio_access {
	u64 offset;
	u64 val;
	u8 size;
	bool write;
};

struct mmio_recorder {
	const struct mmio_ops *inner;	/* the model to forward to, or NULL */
	void *inner_priv;
	std::mutex lock;
	std::vector<struct mmio_access> log;
	std::vector<u8> regs;		/* the register file when there is no inner model */
};

/* ops for ioremap_model() with priv = the recorder. */
extern const struct mmio_ops mmio_recorder_ops;

/* size: the register file's size (used only without an inner model). */
void mmio_recorder_init(struct mmio_recorder *rec, size_t size, const struct mmio_ops *inner,
			void *inner_priv);
/* Maps a region of size served by rec. */
void __iomem *ioremap_recorder(struct mmio_recorder *rec, size_t size);
/* Presets a register (no inner model) without logging it. */
void mmio_recorder_set(struct mmio_recorder *rec, u64 offset, u64 val, unsigned size);
size_t mmio_recorder_count(struct mmio_recorder *rec);
/* The i-th access, in the order they happened. */
struct mmio_access mmio_recorder_get(struct mmio_recorder *rec, size_t i);
void mmio_recorder_clear(struct mmio_recorder *rec);
