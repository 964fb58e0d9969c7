// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO trap: loads and stores to a PROT_NONE mapping, emulated one by one
 * through a device callback, so that a BAR a program mmap()s behaves like
 * device memory (every access reaches the device model, synchronously)
 * rather than like a shared page that would go stale.
 *
 * Mechanism. Every access to a registered region faults. The SIGSEGV
 * handler (installed by the first registration, SA_SIGINFO) finds the
 * region holding si_addr, decodes the instruction at RIP, computes its
 * effective address from the saved registers, calls the region's
 * callback, writes a load's value into the destination register and
 * advances RIP past the instruction. One access costs one signal round
 * trip (a few microseconds); nothing is cached, so a program spinning on
 * a status register sees each new value.
 *
 * Instructions: the forms the kernel's readb/w/l/q and writeb/w/l/q
 * (tools/arch/x86/include/asm/io.h) and compilers' volatile accesses emit:
 * MOV 88/89/8A/8B (66 and REX prefixes, sil/dil and ah..bh included), MOV
 * with immediate C6/C7 (REX.W C7: imm32 sign-extended), MOV moffs A0-A3,
 * MOVZX/MOVSX 0F B6/B7/BE/BF, MOVSXD 63, and MOVDIR64B 66 0F 38 F8 (the
 * destination register names the trapped line, the source operand is
 * ordinary memory). Also arithmetic with a memory operand, because clang
 * folds volatile accesses into it (`testl $1, (%rdi)` for a status bit,
 * `orl $4, (%rdi)` for `*reg |= 4`): ADD OR ADC SBB AND SUB XOR CMP in
 * their 00-3B, 80/81/83 forms, TEST 84/85 and F6/F7 /0 /1, NOT/NEG F6/F7
 * /2 /3, INC/DEC FE/FF /0 /1. These run on the CPU against the value the
 * device returned, so result and flags are the instruction's own; a
 * read-modify-write is a device read then a device write, as an unlocked
 * one is on a bus. Any ModRM form: SIB, disp8/disp32, RIP-relative, 0x67
 * 32-bit addressing. Register writes follow the CPU: a 32-bit destination
 * zeroes bits 63:32, an 8- or 16-bit one keeps the rest. An access to a
 * registered region we cannot emulate (SSE/AVX moves, string
 * instructions, XCHG/CMPXCHG/BT, MUL/DIV, lock/rep/fs/gs prefixes, a write
 * to a read-only region, an access straddling a region's edge) is reported
 * once on stderr and the program then dies by SIGSEGV with the default
 * action, as it would by a bus error: looping on it would hang the
 * program.
 *
 * Chaining. Faults that are not ours (another address, a SIGSEGV sent by
 * kill(), a #GP) go to the action that was installed before ours, with its
 * mask and SA_NODEFER/SA_RESETHAND honoured; ASan's handler, installed at
 * startup, keeps reporting the program's own bugs. A previous SIG_DFL or
 * SIG_IGN is restored and the handler returns, so the faulting
 * instruction faults again and takes the default action (a sent SIGSEGV is
 * raised again, or stays ignored). We copy SA_ONSTACK and SA_RESTART from
 * the previous action: a program that overflows its stack still reaches
 * its alternate-stack handler.
 *
 * Signals. Our handler runs with every signal blocked (sa_mask), so an
 * access is atomic with respect to the program's own handlers: none runs
 * in the middle of a callback, where it could re-enter the callback on
 * the same thread (self-deadlock on the device model's lock) or longjmp
 * out and leave a slot pinned forever. They run when the access is done,
 * and may touch a BAR themselves. Chaining sets the mask the previous
 * handler would have had. A fault inside our handler (a MOVDIR64B source
 * that is not mapped, a callback bug) is therefore fatal, as a fault with
 * SIGSEGV blocked is.
 *
 * Registry. A fixed array of slots, never freed, readable from the
 * handler without locks: a slot's generation is odd while it is live and
 * only changes under the writers' mutex; a handler pins a slot by raising
 * its user count and re-reading the generation (both sequentially
 * consistent, so either the handler sees the slot retired or the retiring
 * writer sees the pin). Unregistering retires slots and waits for their
 * pins to drop, so once it returns no callback runs for that range any
 * more. Partial unregistering publishes the remaining pieces (same base,
 * so offsets stay BAR offsets) before retiring the old slot.
 *
 * Limits. The program may install its own SIGSEGV handler after our first
 * registration: it then replaces ours and BAR accesses reach it instead
 * (no sigaction() interposition yet; mmio_trap_emulate() is what such an
 * interposer would call first). A callback runs in signal context, maybe
 * on a small alternate stack, and must not fault into a trapped region,
 * longjmp out or unregister. FS/GS-relative accesses, AVX/SSE moves and
 * locked accesses are not emulated, so neither is memcpy()/memset() on a
 * BAR (glibc's use vector moves and rep movs/stos): drivers copy with
 * readq/writeq loops or MOVDIR64B, as the kernel's do. A debugger sees
 * each access as a SIGSEGV, and a single-stepped access is stepped over
 * without its trap. Execute-only code (protection keys) cannot be decoded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* REG_RIP and the other gregs indices */
#endif
#include "mmio_trap.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* Loaded into programs we did not build: export nothing. */
#pragma GCC visibility push(hidden)

#define MMIO_SLOTS	256
#define PAGE		4096u
#define MAX_INSN	15

struct slot {
	_Atomic uint64_t gen;		/* odd: live */
	_Atomic uint32_t users;		/* handlers that pinned this slot */
	_Atomic uintptr_t base;		/* offset 0 of the region */
	_Atomic uintptr_t lo, hi;	/* covers [lo, hi) */
	_Atomic(mmio_trap_fn) fn;
	_Atomic(void *) cookie;
	_Atomic unsigned flags;
};

static struct slot slots[MMIO_SLOTS];
static _Atomic unsigned slots_used;	/* high-water mark: handlers scan [0, slots_used) */
static pthread_mutex_t writers = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction prev_action;	/* set once, before our handler is live */
static _Atomic int installed;
static int atfork_registered;		/* under `writers` */
static atomic_flag reported = ATOMIC_FLAG_INIT;

#define RLX(x)		atomic_load_explicit(&(x), memory_order_relaxed)
#define SET_RLX(x, v)	atomic_store_explicit(&(x), (v), memory_order_relaxed)

/* ---- the registry ---- */

/*
 * The live slot covering [a, end), pinned (the caller must unpin()), or
 * NULL. The range check before pinning is only a filter on fields a
 * writer may be rewriting; the one after is on fields the pin keeps.
 */
static struct slot *pin(uintptr_t a, uintptr_t end)
{
	unsigned n = atomic_load(&slots_used);

	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &slots[i];
		uint64_t g = atomic_load(&s->gen);

		if (!(g & 1) || a < RLX(s->lo) || a >= RLX(s->hi))
			continue;
		atomic_fetch_add(&s->users, 1);
		if (atomic_load(&s->gen) == g && a >= RLX(s->lo) && end <= RLX(s->hi))
			return s;
		atomic_fetch_sub(&s->users, 1);
	}
	return NULL;
}

static void unpin(struct slot *s)
{
	atomic_fetch_sub(&s->users, 1);
}

/* mmio_trap_foreign_code(): published by `foreign_used`, written before it. */
#define FOREIGN_SLOTS	8
static _Atomic uintptr_t foreign_lo[FOREIGN_SLOTS], foreign_hi[FOREIGN_SLOTS];
static _Atomic unsigned foreign_used;

static int in_foreign_code(uintptr_t rip)
{
	unsigned n = atomic_load(&foreign_used);

	for (unsigned i = 0; i < n; i++)
		if (rip >= RLX(foreign_lo[i]) && rip < RLX(foreign_hi[i]))
			return 1;
	return 0;
}

int mmio_trap_foreign_code(uintptr_t lo, uintptr_t hi)
{
	unsigned n;
	int rc = 0;

	if (lo >= hi)
		return -EINVAL;
	pthread_mutex_lock(&writers);
	n = atomic_load(&foreign_used);
	if (n == FOREIGN_SLOTS) {
		rc = -ENOSPC;
	} else {
		atomic_store_explicit(&foreign_lo[n], lo, memory_order_relaxed);
		atomic_store_explicit(&foreign_hi[n], hi, memory_order_relaxed);
		atomic_store(&foreign_used, n + 1);
	}
	pthread_mutex_unlock(&writers);
	return rc;
}

/* Whether any live slot overlaps [a, end): unpinned, for filtering only. */
static int overlaps_any(uintptr_t a, uintptr_t end)
{
	unsigned n = atomic_load(&slots_used);

	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &slots[i];

		if ((atomic_load(&s->gen) & 1) && a < RLX(s->hi) && end > RLX(s->lo))
			return 1;
	}
	return 0;
}

/*
 * Writers: under `writers`. A retired slot is free once no handler pins
 * it: one that pins it later sees the new generation and lets go.
 */
static int is_free(struct slot *s)
{
	return !(atomic_load(&s->gen) & 1) && !atomic_load(&s->users);
}

static struct slot *claim(void)
{
	for (unsigned i = 0; i < MMIO_SLOTS; i++) {
		if (!is_free(&slots[i]))
			continue;
		if (i >= atomic_load(&slots_used))
			atomic_store(&slots_used, i + 1);
		return &slots[i];
	}
	return NULL;
}

static void publish(struct slot *s, uintptr_t base, uintptr_t lo, uintptr_t hi,
		    mmio_trap_fn fn, void *cookie, unsigned flags)
{
	SET_RLX(s->base, base);
	SET_RLX(s->lo, lo);
	SET_RLX(s->hi, hi);
	SET_RLX(s->fn, fn);
	SET_RLX(s->cookie, cookie);
	SET_RLX(s->flags, flags);
	atomic_fetch_add(&s->gen, 1);
}

static unsigned free_slots(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MMIO_SLOTS; i++)
		n += is_free(&slots[i]);
	return n;
}

/* Until no handler holds a pin taken before the slot was retired. */
static void wait_unpinned(struct slot *s)
{
	for (unsigned spins = 0; atomic_load(&s->users); spins++) {
		if (spins < 100) {
			sched_yield();
		} else {
			struct timespec ts = { 0, 50000 };

			nanosleep(&ts, NULL);
		}
	}
}

/* ---- the handler ---- */

static void segv_handler(int sig, siginfo_t *si, void *uc);

/*
 * fork() from one thread while another is in a callback: the child has
 * no such thread, so no pin of the parent's is real there. Nor may the
 * child inherit `writers` locked.
 */
static void fork_prepare(void)
{
	pthread_mutex_lock(&writers);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&writers);
}

static void fork_child(void)
{
	for (unsigned i = 0; i < MMIO_SLOTS; i++)
		atomic_store(&slots[i].users, 0);
	pthread_mutex_init(&writers, NULL);
}

static int install(void)
{
	struct sigaction sa, old;
	int rc;

	if (atomic_load(&installed))
		return 0;
	if (!atfork_registered) {
		rc = pthread_atfork(fork_prepare, fork_parent, fork_child);
		if (rc)
			return -rc;
		atfork_registered = 1;
	}
	if (sigaction(SIGSEGV, NULL, &old))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO | (old.sa_flags & (SA_ONSTACK | SA_RESTART));
	sigfillset(&sa.sa_mask);
	prev_action = old;
	if (sigaction(SIGSEGV, &sa, &old))
		return -errno;
	/* Whatever was there at the swap: another thread may have changed it. */
	prev_action = old;
	atomic_store(&installed, 1);
	return 0;
}

static void set_default(void)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGSEGV, &dfl, NULL);
}

/* Hand a fault that is not ours to the action installed before ours. */
static void chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = &prev_action;
	int sent = si->si_code <= 0;	/* kill(), tgkill(), sigqueue() */
	sigset_t mask = ((ucontext_t *)uc)->uc_sigmask;

	if (!(old->sa_flags & SA_SIGINFO) &&
	    (old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN)) {
		if (sent && old->sa_handler == SIG_IGN)
			return;
		/* A fault re-executes and faults again; a sent signal is re-sent. */
		set_default();
		if (sent)
			raise(SIGSEGV);	/* pending until we return */
		return;
	}
	/* As the kernel would have set it for that handler, not all blocked as for ours. */
	sigorset(&mask, &mask, &old->sa_mask);
	if (!(old->sa_flags & SA_NODEFER))
		sigaddset(&mask, SIGSEGV);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	if (old->sa_flags & SA_RESETHAND)
		set_default();
	if (old->sa_flags & SA_SIGINFO)
		old->sa_sigaction(sig, si, uc);
	else
		old->sa_handler(sig);
}

static void put_str(char *buf, size_t *n, size_t cap, const char *s)
{
	while (*s && *n < cap)
		buf[(*n)++] = *s++;
}

static void put_hex(char *buf, size_t *n, size_t cap, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = digits - 1; i >= 0 && *n < cap; i--)
		buf[(*n)++] = hex[(v >> (4 * i)) & 0xf];
}

/*
 * Report an access we cannot emulate, once, and make the instruction's
 * second fault take the default action: the program dies by SIGSEGV
 * instead of looping. nbytes: the instruction's length when decoded, else
 * 0 (we show what is readable up to the page's end); rip NULL: no bytes.
 */
static void fatal(uintptr_t addr, const uint8_t *rip, size_t nbytes, const char *why)
{
	char buf[256];
	size_t n = 0;

	if (!rip) {
		nbytes = 0;
	} else if (!nbytes) {
		nbytes = PAGE - ((uintptr_t)rip & (PAGE - 1));
		if (nbytes > MAX_INSN)
			nbytes = MAX_INSN;
	}
	/*
	 * The report goes out before SIGSEGV's default action is back: a
	 * fault in another thread could otherwise end the process first.
	 */
	if (atomic_flag_test_and_set(&reported)) {
		set_default();
		return;
	}
	put_str(buf, &n, sizeof(buf), "uiommufd: MMIO access at 0x");
	put_hex(buf, &n, sizeof(buf), addr, 16);
	put_str(buf, &n, sizeof(buf), " by an instruction we cannot emulate:");
	for (size_t i = 0; i < nbytes; i++) {
		put_str(buf, &n, sizeof(buf), " ");
		put_hex(buf, &n, sizeof(buf), rip[i], 2);
	}
	put_str(buf, &n, sizeof(buf), " (");
	put_str(buf, &n, sizeof(buf), why);
	put_str(buf, &n, sizeof(buf), ")\n");
	/* Not write(): the interposer defines one. */
	syscall(SYS_write, 2, buf, n);
	set_default();
}

/* x86 register number (ModRM/REX order) -> gregs index. */
static const int greg_of[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

static uint64_t effective_address(const struct mmio_insn *in, const greg_t *gr)
{
	uint64_t a = (uint64_t)in->disp;

	if (in->base == MMIO_RIP)
		a += (uint64_t)gr[REG_RIP] + in->len;
	else if (in->base >= 0)
		a += (uint64_t)gr[greg_of[in->base]];
	if (in->index >= 0)
		a += (uint64_t)gr[greg_of[in->index]] * in->scale;
	return in->addr32 ? (uint32_t)a : a;
}

static void write_reg(const struct mmio_insn *in, greg_t *gr, uint64_t v)
{
	greg_t *r = &gr[greg_of[in->reg]];
	uint64_t old = (uint64_t)*r;

	if (in->reg_high8)
		v = (old & ~0xff00ull) | ((v & 0xff) << 8);
	else if (in->reg_size == 1)
		v = (old & ~0xffull) | (v & 0xff);
	else if (in->reg_size == 2)
		v = (old & ~0xffffull) | (v & 0xffff);
	else if (in->reg_size == 4)
		v = (uint32_t)v;
	*r = (greg_t)v;
}

static uint64_t reg_value(const struct mmio_insn *in, const greg_t *gr)
{
	uint64_t v = (uint64_t)gr[greg_of[in->reg]];

	return in->reg_high8 ? v >> 8 : v;
}

/*
 * x op y at the width of size, on the CPU itself so that the flags are
 * exactly the instruction's; cf_in feeds ADC/SBB and is what INC/DEC
 * leave in CF. No push/pop (the red zone): LAHF and SETO read the flags.
 * Returns the result, *flags the arithmetic flags (CF PF AF ZF SF OF) in
 * EFLAGS' layout.
 */
#define ALU_FLAGS	0x8d5ull
static uint64_t alu_native(unsigned alu, unsigned size, uint64_t x, uint64_t y,
			   uint64_t cf_in, uint64_t *flags)
{
	uint64_t ax = 0;
	uint8_t of = 0;

#define ALU_ONE(sz, n, insn)							\
	case sz * 16 + n:							\
		asm("bt $0, %k[c]\n\t" insn "\n\tlahf\n\tseto %[of]"		\
		    : [x] "+r"(x), "=&a"(ax), [of] "=&q"(of)			\
		    : [y] "r"(y), [c] "r"(cf_in) : "cc");			\
		break;
#define BINARY(sz, mod, suffix, n, mnemonic)					\
	ALU_ONE(sz, n, mnemonic suffix " %" mod "[y], %" mod "[x]")
#define UNARY(sz, mod, suffix, n, mnemonic)					\
	ALU_ONE(sz, n, mnemonic suffix " %" mod "[x]")
#define ALU_SIZE(sz, mod, suffix)						\
	BINARY(sz, mod, suffix, MMIO_ALU_ADD, "add")				\
	BINARY(sz, mod, suffix, MMIO_ALU_OR, "or")				\
	BINARY(sz, mod, suffix, MMIO_ALU_ADC, "adc")				\
	BINARY(sz, mod, suffix, MMIO_ALU_SBB, "sbb")				\
	BINARY(sz, mod, suffix, MMIO_ALU_AND, "and")				\
	BINARY(sz, mod, suffix, MMIO_ALU_SUB, "sub")				\
	BINARY(sz, mod, suffix, MMIO_ALU_XOR, "xor")				\
	BINARY(sz, mod, suffix, MMIO_ALU_CMP, "cmp")				\
	BINARY(sz, mod, suffix, MMIO_ALU_TEST, "test")				\
	UNARY(sz, mod, suffix, MMIO_ALU_INC, "inc")				\
	UNARY(sz, mod, suffix, MMIO_ALU_DEC, "dec")				\
	UNARY(sz, mod, suffix, MMIO_ALU_NOT, "not")				\
	UNARY(sz, mod, suffix, MMIO_ALU_NEG, "neg")
	switch (size * 16 + alu) {
	ALU_SIZE(1, "b", "b")
	ALU_SIZE(2, "w", "w")
	ALU_SIZE(4, "k", "l")
	ALU_SIZE(8, "q", "q")
	}
#undef ALU_SIZE
#undef UNARY
#undef BINARY
#undef ALU_ONE
	*flags = ((ax >> 8) & 0xd5) | (of ? 0x800 : 0);
	return x;
}

/* The access itself, on a pinned region: one device call, or two for read-modify-write. */
static void perform(const struct mmio_insn *in, mmio_trap_fn fn, void *cookie,
		    uint64_t off, greg_t *gr, uint64_t *data)
{
	uint64_t v = 0, x, y, flags;

	switch (in->op) {
	case MMIO_STORE:
	case MMIO_STORE_IMM:
		v = in->op == MMIO_STORE ? reg_value(in, gr) : in->imm;
		memcpy(data, &v, in->size);
		/* fallthrough */
	case MMIO_MOVDIR64B:
		fn(cookie, off, in->size, 1, data);	/* a failed write is dropped */
		return;
	}

	/* MMIO_LOAD, MMIO_ALU: a read first; a failed one reads all-ones. */
	if (fn(cookie, off, in->size, 0, data))
		memset(data, 0xff, in->size);
	memcpy(&v, data, in->size);
	if (in->op == MMIO_LOAD) {
		if (in->sign_extend && in->size < 8) {
			unsigned shift = 64 - 8 * in->size;

			v = (uint64_t)((int64_t)(v << shift) >> shift);
		}
		write_reg(in, gr, v);
		return;
	}

	y = in->alu_imm ? in->imm : reg_value(in, gr);
	x = v;
	if (in->alu_to_reg) {
		x = reg_value(in, gr);
		y = v;
	}
	v = alu_native(in->alu, in->size, x, y, (uint64_t)gr[REG_EFL] & 1, &flags);
	if (in->alu != MMIO_ALU_NOT)	/* NOT alone leaves the flags */
		gr[REG_EFL] = (greg_t)(((uint64_t)gr[REG_EFL] & ~ALU_FLAGS) | flags);
	if (in->alu == MMIO_ALU_CMP || in->alu == MMIO_ALU_TEST)
		return;
	if (in->alu_to_reg) {
		write_reg(in, gr, v);
	} else {
		memcpy(data, &v, in->size);
		fn(cookie, off, in->size, 1, data);
	}
}

typedef uint64_t __attribute__((may_alias, aligned(1))) u64_unaligned;

int mmio_trap_emulate(siginfo_t *si, void *ucontext)
{
	ucontext_t *uc = ucontext;
	greg_t *gr = uc->uc_mcontext.gregs;
	const uint8_t *rip = (const uint8_t *)gr[REG_RIP];
	uintptr_t fa = (uintptr_t)si->si_addr;
	uint64_t data[8];
	struct mmio_insn in;
	uintptr_t ea, end;
	struct slot *s;
	size_t avail;
	int rc, is_write;

	/* Only faults the CPU raised have a meaningful si_addr. */
	if (si->si_signo != SIGSEGV || si->si_code <= 0 || !overlaps_any(fa, fa + 1))
		return 0;
	/* Code that handles its own faults in a BAR (the kernel side's user accesses). */
	if (in_foreign_code((uintptr_t)rip))
		return 0;

	/*
	 * Code running into a BAR: nothing to decode, and reading it would
	 * fault. The next page may be unmapped: read it only when the
	 * instruction continues there (the CPU fetched it, so it is mapped).
	 */
	if (overlaps_any((uintptr_t)rip, (uintptr_t)rip + 1)) {
		fatal(fa, NULL, 0, "executing from a trapped region");
		return 1;
	}
	avail = PAGE - ((uintptr_t)rip & (PAGE - 1));
	rc = mmio_trap_decode(rip, avail < MAX_INSN ? avail : MAX_INSN, &in);
	if (rc == -ENODATA) {
		if (overlaps_any((uintptr_t)rip + avail, (uintptr_t)rip + MAX_INSN)) {
			fatal(fa, rip, 0, "executing from a trapped region");
			return 1;
		}
		rc = mmio_trap_decode(rip, MAX_INSN, &in);
	}
	if (rc) {
		fatal(fa, rip, 0, "not a load or store we know");
		return 1;
	}
	if (in.op == MMIO_ALU)
		is_write = !in.alu_to_reg && in.alu != MMIO_ALU_CMP && in.alu != MMIO_ALU_TEST;
	else
		is_write = in.op != MMIO_LOAD;
	if (in.op == MMIO_MOVDIR64B) {
		uintptr_t src = effective_address(&in, gr);

		ea = (uint64_t)gr[greg_of[in.reg]];
		if (in.addr32)
			ea = (uint32_t)ea;
		if (overlaps_any(src, src + 64)) {
			fatal(fa, rip, in.len, "MOVDIR64B from a trapped region");
			return 1;
		}
		/* Not pinned yet: a bad source is fatal (SIGSEGV is blocked) but leaves no pin. */
		for (int i = 0; i < 8; i++)
			data[i] = ((const u64_unaligned *)src)[i];
	} else {
		ea = effective_address(&in, gr);
	}
	end = ea + in.size;
	if (fa < ea || fa >= end) {
		fatal(fa, rip, in.len, "the fault is not at the instruction's operand");
		return 1;
	}
	s = pin(ea, end);
	if (!s) {
		/*
		 * A concurrent split or unregister may hide the region from
		 * one scan; the slot holding the faulting byte decides.
		 */
		s = pin(fa, fa + 1);
		if (!s)
			return 1;	/* unregistered meanwhile: fault again, chain then */
		if (ea < RLX(s->lo) || end > RLX(s->hi)) {
			unpin(s);
			fatal(fa, rip, in.len, "the access straddles the region's edge");
			return 1;
		}
	}
	if (is_write && (RLX(s->flags) & MMIO_TRAP_RDONLY)) {
		unpin(s);
		fatal(fa, rip, in.len, "write to a read-only region");
		return 1;
	}

	perform(&in, RLX(s->fn), RLX(s->cookie), ea - RLX(s->base), gr, data);
	unpin(s);
	gr[REG_RIP] += in.len;
	return 1;
}

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;

	if (!mmio_trap_emulate(si, uc))
		chain(sig, si, uc);
	errno = saved_errno;
}

/* ---- the API ---- */

/* [addr, addr + len) in whole pages, or 0 if addr or len is not usable. */
static uintptr_t range_end(void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, pages;

	if (!len || (a & (PAGE - 1)) || len > UINTPTR_MAX - PAGE)
		return 0;
	pages = (len + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	return a + pages > a ? a + pages : 0;
}

int mmio_trap_register_flags(void *addr, size_t len, mmio_trap_fn fn,
			     void *cookie, unsigned flags)
{
	uintptr_t lo = (uintptr_t)addr, hi = range_end(addr, len);
	struct slot *s;
	int rc;

	if (!fn || !hi || (flags & ~MMIO_TRAP_RDONLY))
		return -EINVAL;

	pthread_mutex_lock(&writers);
	rc = install();
	if (!rc && overlaps_any(lo, hi))
		rc = -EEXIST;
	if (!rc) {
		s = claim();
		if (s)
			publish(s, lo, lo, hi, fn, cookie, flags);
		else
			rc = -ENOSPC;
	}
	pthread_mutex_unlock(&writers);
	return rc;
}

int mmio_trap_register(void *addr, size_t len, mmio_trap_fn fn, void *cookie)
{
	return mmio_trap_register_flags(addr, len, fn, cookie, 0);
}

int mmio_trap_unregister(void *addr, size_t len)
{
	uintptr_t ua = (uintptr_t)addr, ue = range_end(addr, len);
	struct slot *retired[MMIO_SLOTS];
	unsigned nretired = 0;
	int rc = -ENOENT;

	if (!ue)
		return -EINVAL;

	pthread_mutex_lock(&writers);
	for (unsigned i = 0; i < atomic_load(&slots_used); i++) {
		struct slot *s = &slots[i];
		uintptr_t lo = RLX(s->lo), hi = RLX(s->hi);
		unsigned pieces;

		if (!(atomic_load(&s->gen) & 1) || ua >= hi || ue <= lo)
			continue;
		pieces = (lo < ua) + (ue < hi);
		if (free_slots() < pieces) {
			rc = -ENOSPC;	/* the slots retired so far stay retired */
			break;
		}
		/* The rest goes live before the old slot retires: no gap for a handler. */
		if (lo < ua)
			publish(claim(), RLX(s->base), lo, ua, RLX(s->fn), RLX(s->cookie), RLX(s->flags));
		if (ue < hi)
			publish(claim(), RLX(s->base), ue, hi, RLX(s->fn), RLX(s->cookie), RLX(s->flags));
		atomic_fetch_add(&s->gen, 1);
		retired[nretired++] = s;
		rc = 0;
	}
	/* Under the lock: no writer reuses a slot a handler still reads. */
	for (unsigned i = 0; i < nretired; i++)
		wait_unpinned(retired[i]);
	pthread_mutex_unlock(&writers);
	return rc;
}

int mmio_trap_lookup(const void *addr, void **cookie, uint64_t *offset)
{
	uintptr_t a = (uintptr_t)addr;
	struct slot *s = pin(a, a + 1);

	if (!s)
		return 0;
	if (cookie)
		*cookie = RLX(s->cookie);
	if (offset)
		*offset = a - RLX(s->base);
	unpin(s);
	return 1;
}

/* ---- the decoder ---- */

int mmio_trap_decode(const uint8_t *p, size_t avail, struct mmio_insn *o)
{
	unsigned rex = 0, opsize16 = 0, op, modrm, mod, rm, osize, imm_size = 0;
	unsigned group = 0;	/* ModRM.reg extends this opcode */
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	o->base = o->index = MMIO_NO_REG;
	o->scale = 1;

/* Past 15 bytes the CPU would not have run it: that is not missing data. */
#define NEED(n)								\
	do {								\
		if (i + (n) > MAX_INSN)					\
			return -EOPNOTSUPP;				\
		if (i + (n) > avail)					\
			return -ENODATA;				\
	} while (0)

	/* Prefixes. A REX counts only right before the opcode. */
	for (;; i++) {
		NEED(1);
		op = p[i];
		if (op == 0x66) {
			opsize16 = 1;
		} else if (op == 0x67) {
			o->addr32 = 1;
		} else if (op == 0x2e || op == 0x3e || op == 0x26 || op == 0x36) {
			/* Segment overrides that mean nothing in 64-bit mode. */
		} else if ((op & 0xf0) == 0x40) {
			rex = op;
			continue;
		} else {
			break;
		}
		rex = 0;
	}
	/* lock, rep, fs/gs, VEX, EVEX and every other opcode end up here too. */
	i++;
	osize = (rex & 8) ? 8 : opsize16 ? 2 : 4;

	switch (op) {
	case 0x88:
	case 0x8a:
		o->op = op == 0x88 ? MMIO_STORE : MMIO_LOAD;
		o->size = o->reg_size = 1;
		break;
	case 0x89:
	case 0x8b:
		o->op = op == 0x89 ? MMIO_STORE : MMIO_LOAD;
		o->size = o->reg_size = osize;
		break;
	case 0xc6:
	case 0xc7:
		o->op = MMIO_STORE_IMM;
		o->size = (op & 1) ? osize : 1;
		group = op;
		break;
	case 0x80:		/* /0 add ... /7 cmp, with an immediate */
	case 0x81:
	case 0x83:
	case 0xf6:		/* /0 /1 test with an immediate, /2 not, /3 neg */
	case 0xf7:
	case 0xfe:		/* /0 inc, /1 dec */
	case 0xff:
		o->op = MMIO_ALU;
		o->size = o->reg_size = (op == 0x80 || op == 0xf6 || op == 0xfe) ? 1 : osize;
		group = op;
		break;
	case 0x84:
	case 0x85:
		o->op = MMIO_ALU;
		o->alu = MMIO_ALU_TEST;
		o->size = o->reg_size = (op & 1) ? osize : 1;
		break;
	case 0x63:
		o->op = MMIO_LOAD;
		o->reg_size = osize;
		o->size = osize == 8 ? 4 : osize;
		o->sign_extend = osize == 8;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
		unsigned asize = o->addr32 ? 4 : 8;

		o->op = op < 0xa2 ? MMIO_LOAD : MMIO_STORE;
		o->size = o->reg_size = (op & 1) ? osize : 1;
		NEED(asize);
		for (unsigned b = 0; b < asize; b++)
			o->disp |= (int64_t)((uint64_t)p[i + b] << (8 * b));
		i += asize;
		o->len = i;
		return 0;
	}
	case 0x0f:
		NEED(1);
		op = p[i++];
		if (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf) {
			o->op = MMIO_LOAD;
			o->size = (op & 1) ? 2 : 1;
			o->reg_size = osize;
			o->sign_extend = op >= 0xbe;
			break;
		}
		if (op == 0x38 && opsize16) {
			NEED(1);
			if (p[i++] != 0xf8)
				return -EOPNOTSUPP;
			o->op = MMIO_MOVDIR64B;
			o->size = 64;
			break;
		}
		return -EOPNOTSUPP;
	default:
		/* 00-3b: add, or, adc, sbb, and, sub, xor, cmp; r/m8, r/m, r8 <- r/m8, r <- r/m */
		if (op >= 0x40 || (op & 7) >= 4)
			return -EOPNOTSUPP;
		o->op = MMIO_ALU;
		o->alu = op >> 3;
		o->alu_to_reg = (op >> 1) & 1;
		o->size = o->reg_size = (op & 1) ? osize : 1;
		break;
	}

	NEED(1);
	modrm = p[i++];
	mod = modrm >> 6;
	rm = modrm & 7;
	o->reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
	if (mod == 3)
		return -EOPNOTSUPP;	/* a register operand: no memory access */
	if (group) {
		unsigned digit = (modrm >> 3) & 7;

		o->reg = 0;
		switch (group) {
		case 0xc6: case 0xc7:
			if (digit)
				return -EOPNOTSUPP;
			imm_size = o->size;
			break;
		case 0x80: case 0x81: case 0x83:
			o->alu = digit;
			imm_size = group == 0x81 ? o->size : 1;
			break;
		case 0xf6: case 0xf7:
			if (digit >= 4)
				return -EOPNOTSUPP;	/* mul, imul, div, idiv */
			o->alu = digit < 2 ? MMIO_ALU_TEST : digit == 2 ? MMIO_ALU_NOT : MMIO_ALU_NEG;
			imm_size = digit < 2 ? o->size : 0;
			break;
		default:	/* fe, ff: the rest are call, jmp, push */
			if (digit >= 2)
				return -EOPNOTSUPP;
			o->alu = digit ? MMIO_ALU_DEC : MMIO_ALU_INC;
			break;
		}
		if (imm_size == 8)
			imm_size = 4;	/* imm32, sign-extended */
		o->alu_imm = o->op == MMIO_ALU && imm_size;
	} else if (o->reg_size == 1 && !rex && o->reg >= 4 && o->reg < 8) {
		o->reg -= 4;		/* ah, ch, dh, bh */
		o->reg_high8 = 1;
	}

	if (rm == 4) {
		unsigned sib, idx, base;

		NEED(1);
		sib = p[i++];
		o->scale = 1 << (sib >> 6);
		idx = ((sib >> 3) & 7) | ((rex & 2) ? 8 : 0);
		base = (sib & 7) | ((rex & 1) ? 8 : 0);
		if (idx != 4)
			o->index = idx;
		if ((sib & 7) == 5 && mod == 0) {
			mod = 2;	/* no base, disp32 */
		} else {
			o->base = base;
		}
	} else if (rm == 5 && mod == 0) {
		o->base = MMIO_RIP;
		mod = 2;
	} else {
		o->base = rm | ((rex & 1) ? 8 : 0);
	}
	if (mod == 1) {
		NEED(1);
		o->disp = (int8_t)p[i];
		i += 1;
	} else if (mod == 2) {
		NEED(4);
		o->disp = (int32_t)((uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
				    (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24);
		i += 4;
	}

	if (imm_size) {
		uint64_t imm = 0;

		NEED(imm_size);
		for (unsigned b = 0; b < imm_size; b++)
			imm |= (uint64_t)p[i + b] << (8 * b);
		i += imm_size;
		/* Sign-extended: what 83 and REX.W C7/81 do; other widths keep the low bits. */
		o->imm = imm_size == 1 ? (uint64_t)(int8_t)imm :
			 imm_size == 2 ? (uint64_t)(int16_t)imm :
			 (uint64_t)(int32_t)imm;
	}
#undef NEED
	o->len = i;
	return 0;
}

#pragma GCC visibility pop
