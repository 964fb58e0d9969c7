// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO regions and the recording stub.
 *
 * Regions sit in an ordered map from base address, under a shared_mutex
 * that accesses take shared just long enough to find the region; the
 * region itself is reference counted (shared_ptr), so a model callback
 * never runs with the map locked (a model may itself do MMIO, or iounmap)
 * and a region cannot be freed under a callback in flight.
 */
#include "harness/io.h"

#include "harness/bug.h"
#include "harness/testhooks.h"
#include "ledger.h"

#include <ctime>
#include <map>
#include <memory>
#include <shared_mutex>
#include <sys/mman.h>
#include <unistd.h>

struct mmio_region {
	uintptr_t base;
	size_t size;
	size_t mapped;		/* bytes of the PROT_NONE reservation */
	const struct mmio_ops *ops;
	void *priv;
};

struct io_state {
	std::shared_mutex lock;
	std::map<uintptr_t, std::shared_ptr<mmio_region>> regions;
};

static io_state &io(void)
{
	static io_state *const s = new io_state;

	return *s;
}

void __iomem *ioremap_model(size_t size, const struct mmio_ops *ops, void *priv)
{
	size_t mapped = ALIGN(size ? size : 1, PAGE_SIZE);
	void *base = mmap(nullptr, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);

	if (base == MAP_FAILED)
		return nullptr;
	auto r = std::make_shared<mmio_region>(
		mmio_region{(uintptr_t)base, size, mapped, ops, priv});
	std::unique_lock<std::shared_mutex> g(io().lock);

	io().regions[(uintptr_t)base] = std::move(r);
	return (void __iomem *)base;
}

void iounmap(volatile void __iomem *addr)
{
	std::shared_ptr<mmio_region> r;

	if (!addr)
		return;
	{
		std::unique_lock<std::shared_mutex> g(io().lock);
		auto it = io().regions.find((uintptr_t)addr);

		if (it != io().regions.end()) {
			r = std::move(it->second);
			io().regions.erase(it);
		}
	}
	if (!r) {
		char where[256];

		harness_format_caller(__builtin_return_address(0), where, sizeof(where));
		harness_report_failure(__FILE__, __LINE__,
				       "iounmap(%p): not the start of an ioremap'ed region, from %s",
				       (void *)addr, where);
		return;
	}
	munmap((void *)r->base, r->mapped);
}

/* The region holding [addr, addr + size), or NULL after reporting why not. */
static std::shared_ptr<mmio_region> find_region(const volatile void __iomem *addr,
						unsigned size, bool write, void *caller,
						u64 *offset)
{
	uintptr_t a = (uintptr_t)addr;
	std::shared_ptr<mmio_region> r;
	const char *why = nullptr;

	{
		std::shared_lock<std::shared_mutex> g(io().lock);
		auto it = io().regions.upper_bound(a);

		if (it != io().regions.begin() && a < std::prev(it)->first + std::prev(it)->second->mapped)
			r = std::prev(it)->second;
	}
	if (!r)
		why = "not in an ioremap'ed region";
	else if (a - r->base + size > r->size)
		why = "past the end of its region";
	else if (a & (size - 1))
		why = "not naturally aligned";
	if (why) {
		char where[256];

		harness_format_caller(caller, where, sizeof(where));
		harness_report_failure(__FILE__, __LINE__, "MMIO %s%u at %p: %s, from %s",
				       write ? "write" : "read", size * 8, (void *)a, why, where);
		return nullptr;
	}
	*offset = a - r->base;
	return r;
}

static u64 size_mask(unsigned size) { return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1; }

static u64 do_read(const volatile void __iomem *addr, unsigned size, void *caller)
{
	u64 offset;
	auto r = find_region(addr, size, false, caller, &offset);

	if (!r)
		return size_mask(size);
	if (!r->ops->read)
		return size_mask(size);
	return r->ops->read(r->priv, offset, size) & size_mask(size);
}

static void do_write(volatile void __iomem *addr, u64 val, unsigned size, void *caller)
{
	u64 offset;
	auto r = find_region(addr, size, true, caller, &offset);

	if (r && r->ops->write)
		r->ops->write(r->priv, offset, val & size_mask(size), size);
}

u64 __mmio_read(const volatile void __iomem *addr, unsigned size)
{
	return do_read(addr, size, __builtin_return_address(0));
}

void __mmio_write(volatile void __iomem *addr, u64 val, unsigned size)
{
	do_write(addr, val, size, __builtin_return_address(0));
}

void memcpy_fromio(void *to, const volatile void __iomem *from, size_t count)
{
	void *caller = __builtin_return_address(0);
	const volatile char __iomem *src = (const volatile char __iomem *)from;
	char *dst = (char *)to;

	while (count) {
		unsigned size = (count >= 8 && !((uintptr_t)src & 7)) ? 8 : 1;
		u64 v = do_read(src, size, caller);

		memcpy(dst, &v, size);
		src += size;
		dst += size;
		count -= size;
	}
}

void memcpy_toio(volatile void __iomem *to, const void *from, size_t count)
{
	void *caller = __builtin_return_address(0);
	volatile char __iomem *dst = (volatile char __iomem *)to;
	const char *src = (const char *)from;

	while (count) {
		unsigned size = (count >= 8 && !((uintptr_t)dst & 7)) ? 8 : 1;
		u64 v = 0;

		memcpy(&v, src, size);
		do_write(dst, v, size, caller);
		src += size;
		dst += size;
		count -= size;
	}
}

void memset_io(volatile void __iomem *addr, int val, size_t count)
{
	void *caller = __builtin_return_address(0);
	volatile char __iomem *dst = (volatile char __iomem *)addr;

	for (; count; count--, dst++)
		do_write(dst, (u8)val, 1, caller);
}

u64 __io_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void __io_sleep_us(unsigned long us) { usleep(us); }

/* ---- the recording stub ---- */

static u64 recorder_read(void *priv, u64 offset, unsigned size)
{
	struct mmio_recorder *rec = (struct mmio_recorder *)priv;
	u64 val = 0;

	/* The inner model runs unlocked: it may take its own locks or do MMIO. */
	if (rec->inner) {
		val = (rec->inner->read ? rec->inner->read(rec->inner_priv, offset, size)
					: ~0ULL) & size_mask(size);
		std::lock_guard<std::mutex> g(rec->lock);
		rec->log.push_back({offset, val, (u8)size, false});
		return val;
	}
	std::lock_guard<std::mutex> g(rec->lock);
	if (offset + size <= rec->regs.size())
		memcpy(&val, &rec->regs[offset], size);
	rec->log.push_back({offset, val, (u8)size, false});
	return val;
}

static void recorder_write(void *priv, u64 offset, u64 val, unsigned size)
{
	struct mmio_recorder *rec = (struct mmio_recorder *)priv;

	{
		std::lock_guard<std::mutex> g(rec->lock);

		rec->log.push_back({offset, val, (u8)size, true});
		if (!rec->inner && offset + size <= rec->regs.size())
			memcpy(&rec->regs[offset], &val, size);
	}
	if (rec->inner && rec->inner->write)
		rec->inner->write(rec->inner_priv, offset, val, size);
}

const struct mmio_ops mmio_recorder_ops = {
	.read = recorder_read,
	.write = recorder_write,
};

void mmio_recorder_init(struct mmio_recorder *rec, size_t size, const struct mmio_ops *inner,
			void *inner_priv)
{
	std::lock_guard<std::mutex> g(rec->lock);

	rec->inner = inner;
	rec->inner_priv = inner_priv;
	rec->log.clear();
	rec->regs.assign(inner ? 0 : size, 0);
}

void __iomem *ioremap_recorder(struct mmio_recorder *rec, size_t size)
{
	return ioremap_model(size, &mmio_recorder_ops, rec);
}

void mmio_recorder_set(struct mmio_recorder *rec, u64 offset, u64 val, unsigned size)
{
	std::lock_guard<std::mutex> g(rec->lock);

	if (!WARN_ON(rec->inner || offset + size > rec->regs.size() || size > 8))
		memcpy(&rec->regs[offset], &val, size);
}

size_t mmio_recorder_count(struct mmio_recorder *rec)
{
	std::lock_guard<std::mutex> g(rec->lock);

	return rec->log.size();
}

struct mmio_access mmio_recorder_get(struct mmio_recorder *rec, size_t i)
{
	std::lock_guard<std::mutex> g(rec->lock);

	if (WARN_ON(i >= rec->log.size()))
		return {};
	return rec->log[i];
}

void mmio_recorder_clear(struct mmio_recorder *rec)
{
	std::lock_guard<std::mutex> g(rec->lock);

	rec->log.clear();
}
