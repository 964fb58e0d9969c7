// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO trap against a fake device: a PROT_NONE region registered with
 * a register file and an access log, touched with each instruction form
 * the trap emulates (inline asm, so the encoding is the one named; the
 * arithmetic forms also run on plain memory, and must agree to the flag),
 * plus the decoder alone over byte arrays, chaining of faults that are
 * not ours, the deaths we promise for what we cannot emulate, and threads
 * faulting while others register and unregister. The cost of one trapped
 * readq is printed (trap.cost), not checked.
 *
 * The trap code is linked in as the interposer compiles it (no
 * sanitizer); this program may carry them, which is also how we check
 * that ASan's own SIGSEGV handler still gets the program's faults.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/preload/mmio_trap.h"
#include "kselftest_harness.h"

#define PAGE		4096ul
#define BAR_PAGES	4
#define BAR_LEN		(BAR_PAGES * PAGE)
#define LOG_MAX		64
#define INIT		0x0123456789abcdefull

/* ---- the fake device ---- */

struct access {
	uint64_t off;
	unsigned size;
	int is_write;
	uint8_t data[64];
};

struct fake_dev {
	uint8_t regs[BAR_LEN];
	pthread_mutex_t lock;
	struct access log[LOG_MAX];	/* a ring */
	_Atomic unsigned nlog;
	uint64_t error_off;		/* accesses here fail; ~0 for none */
	_Atomic int entered, left;	/* slow device: inside the callback */
	int slow;
	_Atomic int unblocked;		/* callbacks that ran with SIGUSR1 deliverable */
};

static struct fake_dev dev;

static int dev_access(void *cookie, uint64_t off, unsigned size, int is_write, void *data)
{
	struct fake_dev *d = cookie;
	sigset_t mask;
	unsigned n;
	int rc = 0;

	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	if (!sigismember(&mask, SIGUSR1))
		atomic_fetch_add(&d->unblocked, 1);
	/* The trap must hide what the device model does to errno. */
	errno = EBADF;
	if (d->slow) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		atomic_store(&d->entered, 1);
		nanosleep(&ts, NULL);
		atomic_store(&d->left, 1);
	}
	pthread_mutex_lock(&d->lock);
	n = atomic_fetch_add(&d->nlog, 1) % LOG_MAX;
	d->log[n].off = off;
	d->log[n].size = size;
	d->log[n].is_write = is_write;
	if (is_write)
		memcpy(d->log[n].data, data, size);
	if (off == d->error_off || off + size > sizeof(d->regs))
		rc = -1;
	else if (is_write)
		memcpy(d->regs + off, data, size);
	else
		memcpy(data, d->regs + off, size);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static void dev_reset(struct fake_dev *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	d->error_off = ~0ull;
}

static const struct access *last_access(void)
{
	return &dev.log[(atomic_load(&dev.nlog) - 1) % LOG_MAX];
}

static void set_reg(uint64_t off, uint64_t v)
{
	memcpy(dev.regs + off, &v, 8);
}

static uint64_t get_reg(uint64_t off, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, dev.regs + off, size);
	return v;
}

/* ---- faults the test expects: a handler installed before the trap's ---- */

/* volatile: raise() is a leaf function, the store before it would be dead. */
static __thread sigjmp_buf *volatile fault_jb;
static __thread volatile uintptr_t fault_addr;
static __thread volatile int fault_code;

static void test_segv(int sig, siginfo_t *si, void *uc)
{
	if (fault_jb) {
		fault_addr = (uintptr_t)si->si_addr;
		fault_code = si->si_code;
		siglongjmp(*fault_jb, 1);
	}
	/* Not expected: fault again with the default action. */
	signal(SIGSEGV, SIG_DFL);
}

static void install_test_segv(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = test_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

/* ---- the instruction forms ---- */

typedef uint64_t (*load_fn)(const volatile void *p, uint64_t init);
typedef void (*store_fn)(volatile void *p, uint64_t v);

/*
 * 1 if fn(p) faulted into test_segv (through the trap's chaining), else 0
 * and its value in *out. fn NULL: raise(SIGSEGV) instead. A function of
 * its own, so that nothing of the caller's lives across the sigsetjmp.
 */
static int __attribute__((noinline)) faults(load_fn fn, const volatile void *p, uint64_t *out)
{
	sigjmp_buf jb;
	uint64_t v = 0;

	if (sigsetjmp(jb, 1)) {
		fault_jb = NULL;
		return 1;
	}
	fault_jb = &jb;
	if (fn)
		v = fn(p, 0);
	else
		raise(SIGSEGV);
	fault_jb = NULL;
	if (out)
		*out = v;
	return 0;
}

/* A load into a register the constraint names, the address in rdx. */
#define LD(name, insn, cons)							\
	static uint64_t name(const volatile void *p, uint64_t init)		\
	{									\
		uint64_t r = init;						\
		asm volatile(insn : cons(r) : "d"(p) : "memory");		\
		return r;							\
	}
/* The same into r8..r15. */
#define LDR(name, insn, regname)						\
	static uint64_t name(const volatile void *p, uint64_t init)		\
	{									\
		register uint64_t r asm(regname) = init;			\
		asm volatile(insn : "+r"(r) : "d"(p) : "memory");		\
		return r;							\
	}
#define ST(name, insn, cons)							\
	static void name(volatile void *p, uint64_t v)				\
	{									\
		asm volatile(insn : : cons(v), "d"(p) : "memory");		\
	}
#define STR(name, insn, regname)						\
	static void name(volatile void *p, uint64_t v)				\
	{									\
		register uint64_t r asm(regname) = v;				\
		asm volatile(insn : : "r"(r), "d"(p) : "memory");		\
	}

LD(ld_al, "movb (%1), %b0", "+a")
LD(ld_ah, "movb (%1), %h0", "+a")
LD(ld_bh, "movb (%1), %h0", "+b")
LD(ld_sil, "movb (%1), %b0", "+S")
LD(ld_dil, "movb (%1), %b0", "+D")
LDR(ld_r9b, "movb (%1), %b0", "r9")
LD(ld_ax, "movw (%1), %w0", "+a")
LDR(ld_r10w, "movw (%1), %w0", "r10")
LD(ld_eax, "movl (%1), %k0", "+a")
LDR(ld_r11d, "movl (%1), %k0", "r11")
LD(ld_rax, "movq (%1), %q0", "+a")
LDR(ld_r15, "movq (%1), %q0", "r15")
LD(zx_bw, "movzbw (%1), %w0", "+a")
LD(zx_bl, "movzbl (%1), %k0", "+a")
LDR(zx_bq, "movzbq (%1), %q0", "r8")
LD(zx_wl, "movzwl (%1), %k0", "+c")
LDR(zx_wq, "movzwq (%1), %q0", "r12")
LD(sx_bw, "movsbw (%1), %w0", "+a")
LD(sx_bl, "movsbl (%1), %k0", "+a")
LDR(sx_bq, "movsbq (%1), %q0", "r13")
LD(sx_wl, "movswl (%1), %k0", "+S")
LD(sx_wq, "movswq (%1), %q0", "+a")
LDR(sx_lq, "movslq (%1), %q0", "r14")
/* MOVSXD without REX.W: a 32-bit move, upper half zeroed. */
LD(sxd_ll, ".byte 0x63, 0x02", "+a")

ST(st_al, "movb %b0, (%1)", "a")
ST(st_ah, "movb %h0, (%1)", "a")
ST(st_sil, "movb %b0, (%1)", "S")
STR(st_r12b, "movb %b0, (%1)", "r12")
ST(st_ax, "movw %w0, (%1)", "a")
STR(st_r9w, "movw %w0, (%1)", "r9")
ST(st_eax, "movl %k0, (%1)", "a")
STR(st_r10d, "movl %k0, (%1)", "r10")
ST(st_rax, "movq %q0, (%1)", "a")
STR(st_r14, "movq %q0, (%1)", "r14")

/* The immediate forms ignore v: the value is in the instruction. */
ST(st_imm8, "movb $0x5a, (%1)", "X")
ST(st_imm16, "movw $0x1234, (%1)", "X")
ST(st_imm32, "movl $0x89abcdef, (%1)", "X")
ST(st_imm64_neg, "movq $-2, (%1)", "X")
ST(st_imm64_pos, "movq $0x7fffffff, (%1)", "X")

struct load_case {
	const char *name;
	load_fn fn;
	uint64_t off;
	unsigned size;
	uint64_t want;
};

/* 0x10 holds 0x8877665544332211, 0x18 0xf0e0d0c0b0a09080 (negative bytes). */
static const struct load_case load_cases[] = {
	{ "movb al", ld_al, 0x10, 1, (INIT & ~0xffull) | 0x11 },
	{ "movb ah", ld_ah, 0x10, 1, (INIT & ~0xff00ull) | 0x1100 },
	{ "movb bh", ld_bh, 0x10, 1, (INIT & ~0xff00ull) | 0x1100 },
	{ "movb sil", ld_sil, 0x10, 1, (INIT & ~0xffull) | 0x11 },
	{ "movb dil", ld_dil, 0x10, 1, (INIT & ~0xffull) | 0x11 },
	{ "movb r9b", ld_r9b, 0x10, 1, (INIT & ~0xffull) | 0x11 },
	{ "movw ax", ld_ax, 0x10, 2, (INIT & ~0xffffull) | 0x2211 },
	{ "movw r10w", ld_r10w, 0x10, 2, (INIT & ~0xffffull) | 0x2211 },
	{ "movl eax", ld_eax, 0x10, 4, 0x44332211 },
	{ "movl eax negative", ld_eax, 0x18, 4, 0xb0a09080 },
	{ "movl r11d", ld_r11d, 0x10, 4, 0x44332211 },
	{ "movq rax", ld_rax, 0x10, 8, 0x8877665544332211ull },
	{ "movq r15", ld_r15, 0x10, 8, 0x8877665544332211ull },
	{ "movzbw", zx_bw, 0x18, 1, (INIT & ~0xffffull) | 0x80 },
	{ "movzbl", zx_bl, 0x18, 1, 0x80 },
	{ "movzbq r8", zx_bq, 0x18, 1, 0x80 },
	{ "movzwl", zx_wl, 0x18, 2, 0x9080 },
	{ "movzwq r12", zx_wq, 0x18, 2, 0x9080 },
	{ "movsbw", sx_bw, 0x18, 1, (INIT & ~0xffffull) | 0xff80 },
	{ "movsbl", sx_bl, 0x18, 1, 0xffffff80 },
	{ "movsbq r13", sx_bq, 0x18, 1, 0xffffffffffffff80ull },
	{ "movswl", sx_wl, 0x18, 2, 0xffff9080 },
	{ "movswq", sx_wq, 0x18, 2, 0xffffffffffff9080ull },
	{ "movslq r14", sx_lq, 0x18, 4, 0xffffffffb0a09080ull },
	{ "movsxd r32", sxd_ll, 0x18, 4, 0xb0a09080 },
	{ "movzbl positive", zx_bl, 0x10, 1, 0x11 },
	{ "movsbq positive", sx_bq, 0x10, 1, 0x11 },
};

struct store_case {
	const char *name;
	store_fn fn;
	uint64_t v;
	unsigned size;
	uint64_t want;
};

static const struct store_case store_cases[] = {
	{ "movb al", st_al, 0x1122334455667788ull, 1, 0x88 },
	{ "movb ah", st_ah, 0x1122334455667788ull, 1, 0x77 },
	{ "movb sil", st_sil, 0x1122334455667788ull, 1, 0x88 },
	{ "movb r12b", st_r12b, 0x1122334455667788ull, 1, 0x88 },
	{ "movw ax", st_ax, 0x1122334455667788ull, 2, 0x7788 },
	{ "movw r9w", st_r9w, 0x1122334455667788ull, 2, 0x7788 },
	{ "movl eax", st_eax, 0x1122334455667788ull, 4, 0x55667788 },
	{ "movl r10d", st_r10d, 0x1122334455667788ull, 4, 0x55667788 },
	{ "movq rax", st_rax, 0x1122334455667788ull, 8, 0x1122334455667788ull },
	{ "movq r14", st_r14, 0x1122334455667788ull, 8, 0x1122334455667788ull },
	{ "movb imm8", st_imm8, 0, 1, 0x5a },
	{ "movw imm16", st_imm16, 0, 2, 0x1234 },
	{ "movl imm32", st_imm32, 0, 4, 0x89abcdef },
	{ "movq imm32 negative", st_imm64_neg, 0, 8, 0xfffffffffffffffeull },
	{ "movq imm32 positive", st_imm64_pos, 0, 8, 0x7fffffff },
};

/* A page of .bss, for RIP-relative operands the assembler resolves. */
static uint8_t rip_page[2 * PAGE] __attribute__((aligned(4096)));

/* ---- the fixture: a BAR between unregistered PROT_NONE guard pages ---- */

FIXTURE(trap)
{
	uint8_t *map;
	uint8_t *bar;
};

FIXTURE_SETUP(trap)
{
	install_test_segv();
	dev_reset(&dev);
	set_reg(0x10, 0x8877665544332211ull);
	set_reg(0x18, 0xf0e0d0c0b0a09080ull);
	self->map = mmap(NULL, (BAR_PAGES + 2) * PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	self->bar = self->map + PAGE;
	ASSERT_EQ(0, mmio_trap_register(self->bar, BAR_LEN, dev_access, &dev));
}

FIXTURE_TEARDOWN(trap)
{
	mmio_trap_unregister(self->bar, BAR_LEN);
	munmap(self->map, (BAR_PAGES + 2) * PAGE);
}

TEST_F(trap, loads)
{
	for (size_t i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++) {
		const struct load_case *c = &load_cases[i];
		unsigned before = atomic_load(&dev.nlog);
		uint64_t got = c->fn(self->bar + c->off, INIT);

		EXPECT_EQ(c->want, got) TH_LOG("%s: got %#llx", c->name, (unsigned long long)got);
		EXPECT_EQ(before + 1, atomic_load(&dev.nlog)) TH_LOG("%s", c->name);
		EXPECT_EQ(c->off, last_access()->off) TH_LOG("%s", c->name);
		EXPECT_EQ(c->size, last_access()->size) TH_LOG("%s", c->name);
		EXPECT_EQ(0, last_access()->is_write) TH_LOG("%s", c->name);
	}
	/* The program's signal handlers wait until an access is done. */
	EXPECT_EQ(0, atomic_load(&dev.unblocked));
}

TEST_F(trap, stores)
{
	for (size_t i = 0; i < sizeof(store_cases) / sizeof(store_cases[0]); i++) {
		const struct store_case *c = &store_cases[i];
		uint64_t off = 0x40 + 8 * i;

		set_reg(off, 0xa5a5a5a5a5a5a5a5ull);
		c->fn(self->bar + off, c->v);
		EXPECT_EQ(off, last_access()->off) TH_LOG("%s", c->name);
		EXPECT_EQ(c->size, last_access()->size) TH_LOG("%s", c->name);
		EXPECT_EQ(1, last_access()->is_write) TH_LOG("%s", c->name);
		EXPECT_EQ(c->want, get_reg(off, c->size)) TH_LOG("%s", c->name);
		/* Only size bytes reach the device. */
		if (c->size < 8)
			EXPECT_EQ(0xa5, dev.regs[off + c->size]) TH_LOG("%s", c->name);
	}
}

static uint64_t ld_r8_disp8(const volatile void *p)
{
	register const volatile void *r8 asm("r8") = p;
	uint64_t v;

	asm volatile("movq -8(%%r8), %%rax" : "=a"(v) : "r"(r8) : "memory");
	return v;
}

static uint64_t ld_r12_base(const volatile void *p)
{
	register const volatile void *r12 asm("r12") = p;
	uint64_t v;

	asm volatile("movq (%%r12), %%rax" : "=a"(v) : "r"(r12) : "memory");
	return v;
}

static uint64_t ld_r13_base(const volatile void *p)
{
	register const volatile void *r13 asm("r13") = p;
	uint64_t v;

	asm volatile("movq (%%r13), %%rax" : "=a"(v) : "r"(r13) : "memory");
	return v;
}

static uint64_t ld_r14_index(const volatile void *p, uint64_t index)
{
	register uint64_t r14 asm("r14") = index;
	uint64_t v;

	asm volatile("movq (%%rdx,%%r14,2), %%rax" : "=a"(v) : "d"(p), "r"(r14) : "memory");
	return v;
}

TEST_F(trap, addressing)
{
	uint8_t *bar = self->bar;
	uint64_t v;

	set_reg(0x28, 0x2828282828282828ull);
	set_reg(0x2000, 0x2000200020002000ull);
	set_reg(0x1008, 0x1008100810081008ull);

	/* SIB with disp8: 8 + 4 * 8 = 0x28 */
	asm volatile("movq 8(%%rdx,%%rcx,4), %%rax" : "=a"(v) : "d"(bar), "c"(8ul) : "memory");
	EXPECT_EQ(0x2828282828282828ull, v);
	/* disp32 */
	asm volatile("movl 0x2000(%%rdx), %%ecx" : "=c"(v) : "d"(bar) : "memory");
	EXPECT_EQ(0x20002000, v);
	/* negative disp8 off r8 (REX.B), negative disp32 */
	EXPECT_EQ(0x2828282828282828ull, ld_r8_disp8(bar + 0x30));
	asm volatile("movl -0x1000(%%rdx), %%eax" : "=a"(v) : "d"(bar + 0x3000) : "memory");
	EXPECT_EQ(0x20002000, v);
	/* r12 base needs a SIB byte, r13 base a disp8; r14 as index needs REX.X */
	EXPECT_EQ(0x1008100810081008ull, ld_r12_base(bar + 0x1008));
	EXPECT_EQ(0x1008100810081008ull, ld_r13_base(bar + 0x1008));
	EXPECT_EQ(0x2828282828282828ull, ld_r14_index(bar, 0x14));
	/* SIB without base: disp32 + index * 8 */
	asm volatile("movl 0(,%%rcx,8), %%eax" : "=a"(v) : "c"((uintptr_t)(bar + 0x28) / 8) : "memory");
	EXPECT_EQ(0x28282828, v);
	/* a store with disp32 then imm32 */
	asm volatile("movl $0x01020304, 0x1004(%%rdx)" : : "d"(bar) : "memory");
	EXPECT_EQ(0x01020304, get_reg(0x1004, 4));
	EXPECT_EQ(0x1004, last_access()->off);
}

/*
 * Arithmetic with a memory operand (clang folds volatile loads into test,
 * cmp and or/and/inc): the same instruction on plain memory and on the
 * BAR, from the same register, memory and flags, must leave the same
 * memory, register and flags. rax is the register operand, (%rdx) memory;
 * cf 1 enters with CF, PF, ZF and SF set, 0 with all clear.
 */
typedef uint64_t (*alu_fn)(volatile void *p, uint64_t *rax, int cf);

#define ALU_T(name, insn)							\
	static uint64_t name(volatile void *p, uint64_t *rax, int cf)		\
	{									\
		uint64_t r = *rax, f;						\
		asm volatile("lea -128(%%rsp), %%rsp\n\t"				\
			     "pushq %[fin]\n\tpopfq\n\t" insn "\n\t"		\
			     "pushfq\n\tpopq %[f]\n\tlea 128(%%rsp), %%rsp"	\
			     : "+a"(r), [f] "=&r"(f)				\
			     : "d"(p), [fin] "r"(cf ? 0x2c7ull : 0x202ull)	\
			     : "memory", "cc");					\
		*rax = r;							\
		return f & 0x8d5;						\
	}

ALU_T(alu_testl_imm, "testl $1, (%%rdx)")
ALU_T(alu_testb_imm, "testb $0x80, (%%rdx)")
ALU_T(alu_testq_imm, "testq $-2, (%%rdx)")
ALU_T(alu_testl_reg, "testl %%eax, (%%rdx)")
ALU_T(alu_testq_reg, "testq %%rax, (%%rdx)")
ALU_T(alu_cmpl_imm8, "cmpl $5, (%%rdx)")
ALU_T(alu_cmpb_imm, "cmpb $0x80, (%%rdx)")
ALU_T(alu_cmpw_imm, "cmpw $0x7fff, (%%rdx)")
ALU_T(alu_cmpl_reg, "cmpl %%eax, (%%rdx)")
ALU_T(alu_cmpq_to_reg, "cmpq (%%rdx), %%rax")
ALU_T(alu_orl_imm8, "orl $4, (%%rdx)")
ALU_T(alu_andl_imm8, "andl $0xfffffffb, (%%rdx)")
ALU_T(alu_andq_imm8, "andq $-16, (%%rdx)")
ALU_T(alu_orq_imm32, "orq $0x12345678, (%%rdx)")
ALU_T(alu_xorw_imm16, "xorw $0x8001, (%%rdx)")
ALU_T(alu_addl_reg, "addl %%eax, (%%rdx)")
ALU_T(alu_addq_imm8, "addq $1, (%%rdx)")
ALU_T(alu_subb_reg, "subb %%al, (%%rdx)")
ALU_T(alu_xorq_reg, "xorq %%rax, (%%rdx)")
ALU_T(alu_adcl_imm8, "adcl $0, (%%rdx)")
ALU_T(alu_sbbq_reg, "sbbq %%rax, (%%rdx)")
ALU_T(alu_addl_to_reg, "addl (%%rdx), %%eax")
ALU_T(alu_subw_to_reg, "subw (%%rdx), %%ax")
ALU_T(alu_orb_to_ah, "orb (%%rdx), %%ah")
ALU_T(alu_adcb_to_reg, "adcb (%%rdx), %%al")
ALU_T(alu_andq_to_reg, "andq (%%rdx), %%rax")
ALU_T(alu_incl, "incl (%%rdx)")
ALU_T(alu_decb, "decb (%%rdx)")
ALU_T(alu_incq, "incq (%%rdx)")
ALU_T(alu_notq, "notq (%%rdx)")
ALU_T(alu_notl, "notl (%%rdx)")
ALU_T(alu_negw, "negw (%%rdx)")
ALU_T(alu_negq, "negq (%%rdx)")

static const struct {
	const char *name;
	alu_fn fn;
	unsigned accesses;	/* 1: read only; 2: read, then write back */
} alu_cases[] = {
	{ "testl imm", alu_testl_imm, 1 }, { "testb imm", alu_testb_imm, 1 },
	{ "testq imm", alu_testq_imm, 1 }, { "testl reg", alu_testl_reg, 1 },
	{ "testq reg", alu_testq_reg, 1 }, { "cmpl imm8", alu_cmpl_imm8, 1 },
	{ "cmpb imm", alu_cmpb_imm, 1 }, { "cmpw imm", alu_cmpw_imm, 1 },
	{ "cmpl reg", alu_cmpl_reg, 1 }, { "cmpq to reg", alu_cmpq_to_reg, 1 },
	{ "orl imm8", alu_orl_imm8, 2 }, { "andl imm8", alu_andl_imm8, 2 },
	{ "andq imm8", alu_andq_imm8, 2 }, { "orq imm32", alu_orq_imm32, 2 },
	{ "xorw imm16", alu_xorw_imm16, 2 }, { "addl reg", alu_addl_reg, 2 },
	{ "addq imm8", alu_addq_imm8, 2 }, { "subb reg", alu_subb_reg, 2 },
	{ "xorq reg", alu_xorq_reg, 2 }, { "adcl imm8", alu_adcl_imm8, 2 },
	{ "sbbq reg", alu_sbbq_reg, 2 }, { "addl to reg", alu_addl_to_reg, 1 },
	{ "subw to reg", alu_subw_to_reg, 1 }, { "orb to ah", alu_orb_to_ah, 1 },
	{ "adcb to reg", alu_adcb_to_reg, 1 }, { "andq to reg", alu_andq_to_reg, 1 },
	{ "incl", alu_incl, 2 }, { "decb", alu_decb, 2 }, { "incq", alu_incq, 2 },
	{ "notq", alu_notq, 2 }, { "notl", alu_notl, 2 }, { "negw", alu_negw, 2 },
	{ "negq", alu_negq, 2 },
};

TEST_F(trap, alu)
{
	static const uint64_t mems[] = {
		0, 1, 5, 0x80, 0x7fff, 0x7fffffffffffffffull, 0x8000000000000000ull,
		~0ull, 0x8877665544332211ull,
	};
	static const uint64_t regs[] = { 0, 1, 0xffffffff00000080ull, 0x8877665544332211ull };
	uint64_t plain[2] __attribute__((aligned(16)));
	uint64_t rax = 0;
	int mismatches = 0;

	for (size_t c = 0; c < sizeof(alu_cases) / sizeof(alu_cases[0]); c++) {
		for (size_t m = 0; m < sizeof(mems) / sizeof(mems[0]); m++) {
			for (size_t r = 0; r < sizeof(regs) / sizeof(regs[0]); r++) {
				for (int cf = 0; cf < 2; cf++) {
					uint64_t rax_plain = regs[r], rax_bar = regs[r];
					uint64_t f_plain, f_bar;
					unsigned before;

					plain[0] = mems[m];
					set_reg(0x200, mems[m]);
					f_plain = alu_cases[c].fn(plain, &rax_plain, cf);
					before = atomic_load(&dev.nlog);
					f_bar = alu_cases[c].fn(self->bar + 0x200, &rax_bar, cf);
					if (f_plain != f_bar || rax_plain != rax_bar ||
					    plain[0] != get_reg(0x200, 8) ||
					    atomic_load(&dev.nlog) - before != alu_cases[c].accesses) {
						if (mismatches++ < 10)
							TH_LOG("%s mem %#llx rax %#llx cf %d: flags %#llx/%#llx rax %#llx/%#llx mem %#llx/%#llx, %u accesses",
							       alu_cases[c].name, (unsigned long long)mems[m],
							       (unsigned long long)regs[r], cf,
							       (unsigned long long)f_plain, (unsigned long long)f_bar,
							       (unsigned long long)rax_plain, (unsigned long long)rax_bar,
							       (unsigned long long)plain[0],
							       (unsigned long long)get_reg(0x200, 8),
							       atomic_load(&dev.nlog) - before);
					}
				}
			}
		}
	}
	EXPECT_EQ(0, mismatches);
	/* A read-modify-write with the read failing: all-ones in, the write dropped. */
	dev.error_off = 0x200;
	set_reg(0x200, 0);
	EXPECT_EQ(0, alu_testl_imm(self->bar + 0x200, &rax, 0) & 0x40);	/* ZF clear */
	alu_addl_to_reg(self->bar + 0x200, &rax, 0);
	EXPECT_EQ(0xffffffff, rax);
	alu_orl_imm8(self->bar + 0x200, &rax, 0);
	EXPECT_EQ(0, get_reg(0x200, 8));
}

TEST_F(trap, rip_relative)
{
	uint32_t v;

	ASSERT_EQ(0, mprotect(rip_page, PAGE, PROT_NONE));
	ASSERT_EQ(0, mmio_trap_register(rip_page, PAGE, dev_access, &dev));
	asm volatile("movl rip_page+0x10(%%rip), %0" : "=r"(v) : : "memory");
	EXPECT_EQ(0x44332211, v);
	/* RIP-relative with an immediate after the displacement: the next RIP is past both. */
	asm volatile("movl $0x11223344, rip_page+0x20(%%rip)" : : : "memory");
	EXPECT_EQ(0x11223344, get_reg(0x20, 4));
	asm volatile("movb $0x7f, rip_page+0x31(%%rip)" : : : "memory");
	EXPECT_EQ(0x7f, get_reg(0x31, 1));
	EXPECT_EQ(0x31, last_access()->off);
	ASSERT_EQ(0, mmio_trap_unregister(rip_page, PAGE));
	ASSERT_EQ(0, mprotect(rip_page, PAGE, PROT_READ | PROT_WRITE));
}

/* 0x67: the address computed in 32 bits needs a region below 4 GiB. */
TEST(addr32)
{
	uint8_t *low;
	uint64_t v;

	dev_reset(&dev);
	set_reg(0x10, 0x8877665544332211ull);
	low = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		SKIP(return, "no memory below 4 GiB");
	ASSERT_EQ(0, mmio_trap_register(low, PAGE, dev_access, &dev));
	/* The upper half of rdx is garbage that 0x67 must ignore. */
	asm volatile("movl (%%edx), %%eax" : "=a"(v) : "d"((uintptr_t)low + 0x10 + (0xdeadull << 32)) : "memory");
	EXPECT_EQ(0x44332211, v);
	ASSERT_EQ(0, mmio_trap_unregister(low, PAGE));
	munmap(low, PAGE);
}

/* movabs: the moffs forms, assembled at run time with the BAR's address. */
TEST_F(trap, moffs)
{
	uint8_t *code = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t (*fn)(uint64_t);
	uintptr_t a = (uintptr_t)self->bar + 0x10, b = (uintptr_t)self->bar + 0x50;
	uint8_t *p;

	ASSERT_NE(MAP_FAILED, code);
	p = code;
	/* movabs a, %rax; ret */
	*p++ = 0x48; *p++ = 0xa1; memcpy(p, &a, 8); p += 8; *p++ = 0xc3;
	/* mov %rdi, %rax; movabs %eax, b; movabs %al, b + 4; ret */
	*p++ = 0x48; *p++ = 0x89; *p++ = 0xf8;
	*p++ = 0xa3; memcpy(p, &b, 8); p += 8;
	b += 4;
	*p++ = 0xa2; memcpy(p, &b, 8); p += 8; *p++ = 0xc3;
	ASSERT_EQ(0, mprotect(code, PAGE, PROT_READ | PROT_EXEC));

	fn = (uint64_t (*)(uint64_t))code;
	EXPECT_EQ(0x8877665544332211ull, fn(0));
	fn = (uint64_t (*)(uint64_t))(code + 11);
	fn(0x1122334455667788ull);
	EXPECT_EQ(0x8855667788ull, get_reg(0x50, 5));
	munmap(code, PAGE);
}

/* An instruction split over two code pages: decoded past the first page's end. */
TEST_F(trap, insn_across_pages)
{
	uint8_t *code = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *insn = code + PAGE - 2;
	uint64_t (*fn)(const void *);

	ASSERT_NE(MAP_FAILED, code);
	/* movq (%rdi), %rax; ret */
	memcpy(insn, "\x48\x8b\x07\xc3", 4);
	ASSERT_EQ(0, mprotect(code, 2 * PAGE, PROT_READ | PROT_EXEC));
	fn = (uint64_t (*)(const void *))insn;
	EXPECT_EQ(0x8877665544332211ull, fn(self->bar + 0x10));
	munmap(code, 2 * PAGE);
}

static void movdir64b(volatile void *dst, const void *src)
{
	asm volatile(".byte 0x66, 0x0f, 0x38, 0xf8, 0x02" : : "a"(dst), "d"(src) : "memory");
}

/* REX.R and REX.B: destination in r9, source at (%r8) */
static void movdir64b_r9_r8(volatile void *dst, const void *src)
{
	register volatile void *r9 asm("r9") = dst;
	register const void *r8 asm("r8") = src;

	asm volatile(".byte 0x66, 0x45, 0x0f, 0x38, 0xf8, 0x08" : : "r"(r9), "r"(r8) : "memory");
}

static int has_movdir64b(void)
{
	unsigned a = 7, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 28) & 1;
}

TEST_F(trap, movdir64b)
{
	uint8_t src[64] __attribute__((aligned(64)));

	if (!has_movdir64b())
		SKIP(return, "no MOVDIR64B on this CPU");
	for (int i = 0; i < 64; i++)
		src[i] = i + 1;
	movdir64b(self->bar + 0x80, src);
	EXPECT_EQ(0x80, last_access()->off);
	EXPECT_EQ(64, last_access()->size);
	EXPECT_EQ(1, last_access()->is_write);
	EXPECT_EQ(0, memcmp(dev.regs + 0x80, src, 64));

	src[0] = 0xee;
	movdir64b_r9_r8(self->bar + BAR_LEN - 64, src);
	EXPECT_EQ(BAR_LEN - 64, last_access()->off);
	EXPECT_EQ(0, memcmp(dev.regs + BAR_LEN - 64, src, 64));
}

TEST_F(trap, region_end)
{
	uint8_t *end = self->bar + BAR_LEN;

	set_reg(BAR_LEN - 8, 0x0807060504030201ull);
	EXPECT_EQ(0x0807060504030201ull, ld_rax(end - 8, 0));
	EXPECT_EQ(0x08070605, ld_eax(end - 4, 0));
	EXPECT_EQ(0x08, ld_al(end - 1, 0));
	st_rax(end - 8, 0x1112131415161718ull);
	EXPECT_EQ(0x1112131415161718ull, get_reg(BAR_LEN - 8, 8));
	/* The guard page right after is not ours: chained to test_segv. */
	EXPECT_EQ(1, faults(ld_al, end, NULL));
	EXPECT_EQ((uintptr_t)end, fault_addr);
	EXPECT_EQ(1, faults(ld_al, self->bar - 1, NULL));
}

/* A failed access is a PCI master abort: all-ones reads, dropped writes. */
TEST_F(trap, device_error)
{
	dev.error_off = 0x10;
	EXPECT_EQ(0xffffffffull, ld_eax(self->bar + 0x10, INIT));
	EXPECT_EQ(~0ull, ld_rax(self->bar + 0x10, INIT));
	EXPECT_EQ(INIT | 0xff, ld_al(self->bar + 0x10, INIT));
	EXPECT_EQ(~0ull, sx_bq(self->bar + 0x10, INIT));
	EXPECT_EQ(0xffull, zx_bl(self->bar + 0x10, INIT));
	st_eax(self->bar + 0x10, 0);
	EXPECT_EQ(1, last_access()->is_write);
	EXPECT_EQ(0x8877665544332211ull, get_reg(0x10, 8));
}

TEST_F(trap, errno_kept)
{
	errno = 4321;
	EXPECT_EQ(0x44332211, ld_eax(self->bar + 0x10, 0));
	EXPECT_EQ(4321, errno);
	errno = 0;
	st_eax(self->bar + 0x40, 1);
	EXPECT_EQ(0, errno);
}

static volatile uint64_t usr1_value;
static uint8_t *usr1_bar;

static void usr1_reads_bar(int sig)
{
	usr1_value = ld_rax(usr1_bar + 0x10, 0);
}

/* A signal handler touches the BAR, and its mask is restored afterwards. */
TEST_F(trap, from_signal_handler)
{
	sigset_t mask;

#ifdef __SANITIZE_THREAD__
	/* It runs them with every signal blocked: any fault in them kills, trap or not. */
	SKIP(return, "ThreadSanitizer defers asynchronous signal handlers");
#endif
	usr1_bar = self->bar;
	signal(SIGUSR1, usr1_reads_bar);
	raise(SIGUSR1);
	EXPECT_EQ(0x8877665544332211ull, usr1_value);
	EXPECT_EQ(0x44332211, ld_eax(self->bar + 0x10, 0));
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	EXPECT_FALSE(sigismember(&mask, SIGUSR1));
	EXPECT_FALSE(sigismember(&mask, SIGSEGV));
}

/* Faults that are not ours reach the handler installed before the trap's. */
TEST_F(trap, chaining)
{
	uint8_t *other = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, other);
	EXPECT_EQ(1, faults(ld_eax, other + 12, NULL));
	EXPECT_EQ((uintptr_t)other + 12, fault_addr);
	EXPECT_EQ(SEGV_ACCERR, fault_code);
	EXPECT_EQ(1, faults(ld_eax, NULL, NULL));
	EXPECT_EQ(SEGV_MAPERR, fault_code);
	/* A SIGSEGV sent, not raised by a fault */
	EXPECT_EQ(1, faults(NULL, NULL, NULL));
	EXPECT_EQ(SI_TKILL, fault_code);
	/* and the BAR still works afterwards */
	EXPECT_EQ(0x44332211, ld_eax(self->bar + 0x10, 0));
	munmap(other, PAGE);
}

/*
 * A load that code registered with mmio_trap_foreign_code() makes: the
 * fault is chained, not emulated, even in the BAR (the kernel side's
 * probe of a user range that happens to be a BAR mapping).
 */
extern char foreign_load_start[], foreign_load_end[];
uint64_t foreign_load(const volatile void *p, uint64_t init);
asm(".pushsection .text.foreign_load, \"ax\", @progbits\n"
    ".type foreign_load, @function\n"
    "foreign_load_start:\n"
    "foreign_load:\n"
    "	movl (%rdi), %eax\n"
    "	ret\n"
    "foreign_load_end:\n"
    ".size foreign_load, . - foreign_load\n"
    ".popsection\n");

TEST_F(trap, foreign_code)
{
	uint64_t v = 0;

	EXPECT_EQ(-EINVAL, mmio_trap_foreign_code((uintptr_t)foreign_load_end,
						  (uintptr_t)foreign_load_start));
	/* Before: ordinary code, emulated. */
	EXPECT_EQ(0, faults(foreign_load, self->bar + 0x10, &v));
	EXPECT_EQ(0x44332211, v);
	ASSERT_EQ(0, mmio_trap_foreign_code((uintptr_t)foreign_load_start,
					    (uintptr_t)foreign_load_end));
	EXPECT_EQ(1, faults(foreign_load, self->bar + 0x10, NULL));
	EXPECT_EQ((uintptr_t)self->bar + 0x10, fault_addr);
	EXPECT_EQ(SEGV_ACCERR, fault_code);
	/* The same load from other code is still a device access. */
	EXPECT_EQ(0x44332211, ld_eax(self->bar + 0x10, 0));
}

TEST_F(trap, partial_unregister)
{
	uint8_t *bar = self->bar;

	set_reg(0x2010, 0x2010);
	set_reg(0x3ff8, 0x3ff8);
	ASSERT_EQ(0, mmio_trap_unregister(bar + PAGE, PAGE));
	/* The pieces keep their BAR offsets. */
	EXPECT_EQ(0x44332211, ld_eax(bar + 0x10, 0));
	EXPECT_EQ(0x2010, ld_rax(bar + 0x2010, 0));
	EXPECT_EQ(0x2010, last_access()->off);
	EXPECT_EQ(0x3ff8, ld_rax(bar + 0x3ff8, 0));
	EXPECT_EQ(1, faults(ld_eax, bar + PAGE + 4, NULL));
	EXPECT_EQ(-ENOENT, mmio_trap_unregister(bar + PAGE, PAGE));
	EXPECT_EQ(-EEXIST, mmio_trap_register(bar, 2 * PAGE, dev_access, &dev));
	/* Back again, as a region of its own: offsets now start at its page. */
	ASSERT_EQ(0, mmio_trap_register(bar + PAGE, PAGE, dev_access, &dev));
	set_reg(0x8, 0x8);
	EXPECT_EQ(0x8, ld_rax(bar + PAGE + 8, 0));
	/* One call over several regions and part of another */
	ASSERT_EQ(0, mmio_trap_unregister(bar, 3 * PAGE));
	EXPECT_EQ(1, faults(ld_eax, bar + 2 * PAGE, NULL));
	EXPECT_EQ(0x3ff8, ld_rax(bar + 0x3ff8, 0));
	ASSERT_EQ(0, mmio_trap_unregister(bar + 3 * PAGE, PAGE));
	EXPECT_EQ(1, faults(ld_eax, bar + 3 * PAGE, NULL));
	EXPECT_EQ(-ENOENT, mmio_trap_unregister(bar, BAR_LEN));
}

TEST_F(trap, api)
{
	void *cookie = NULL;
	uint64_t off = 0;

	EXPECT_EQ(1, mmio_trap_lookup(self->bar + 0x1234, &cookie, &off));
	EXPECT_EQ(&dev, cookie);
	EXPECT_EQ(0x1234, off);
	EXPECT_EQ(0, mmio_trap_lookup(self->bar + BAR_LEN, NULL, NULL));
	EXPECT_EQ(0, mmio_trap_lookup(self->bar - 1, NULL, NULL));
	EXPECT_EQ(-EINVAL, mmio_trap_register(self->map + 1, PAGE, dev_access, &dev));
	EXPECT_EQ(-EINVAL, mmio_trap_register(self->map, 0, dev_access, &dev));
	EXPECT_EQ(-EINVAL, mmio_trap_register(self->map, PAGE, NULL, &dev));
	EXPECT_EQ(-EINVAL, mmio_trap_register_flags(self->map, PAGE, dev_access, &dev, 0x80));
	EXPECT_EQ(-EEXIST, mmio_trap_register(self->bar + BAR_LEN - PAGE, 2 * PAGE, dev_access, &dev));
	EXPECT_EQ(-EINVAL, mmio_trap_unregister(self->bar + 1, PAGE));
	EXPECT_EQ(-ENOENT, mmio_trap_unregister(self->map, PAGE));
	/* A length that is not whole pages covers the last page too. */
	EXPECT_EQ(0, mmio_trap_register(self->map, 1, dev_access, &dev));
	EXPECT_EQ(1, mmio_trap_lookup(self->map + PAGE - 1, NULL, NULL));
	EXPECT_EQ(0, mmio_trap_unregister(self->map, 1));
}

TEST(slots_run_out)
{
	enum { N = 300 };
	uint8_t *map = mmap(NULL, N * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int n, rc = 0;

	ASSERT_NE(MAP_FAILED, map);
	for (n = 0; n < N; n++) {
		rc = mmio_trap_register(map + n * PAGE, PAGE, dev_access, &dev);
		if (rc)
			break;
	}
	EXPECT_EQ(-ENOSPC, rc);
	TH_LOG("%d regions", n);
	/* Splitting a region needs a slot too. */
	ASSERT_EQ(0, mmio_trap_unregister(map, 3 * PAGE));
	ASSERT_EQ(0, mmio_trap_register(map, 3 * PAGE, dev_access, &dev));
	ASSERT_EQ(0, mmio_trap_register(map + n * PAGE, PAGE, dev_access, &dev));
	ASSERT_EQ(0, mmio_trap_register(map + (n + 1) * PAGE, PAGE, dev_access, &dev));
	EXPECT_EQ(-ENOSPC, mmio_trap_register(map + (n + 2) * PAGE, PAGE, dev_access, &dev));
	EXPECT_EQ(-ENOSPC, mmio_trap_unregister(map + PAGE, PAGE));
	EXPECT_EQ(1, mmio_trap_lookup(map + PAGE, NULL, NULL));
	ASSERT_EQ(0, mmio_trap_unregister(map, N * PAGE));
	EXPECT_EQ(0, mmio_trap_register(map, N * PAGE, dev_access, &dev));
	EXPECT_EQ(0, mmio_trap_unregister(map, N * PAGE));
	munmap(map, N * PAGE);
}

/* ---- threads ---- */

struct worker {
	pthread_t thread;
	uint8_t *bar;
	int id;
	int iterations;
	_Atomic int *stop;
	long errors, hits, misses;
};

static void *same_bar_worker(void *arg)
{
	struct worker *w = arg;
	uint8_t *reg = w->bar + 0x100 + 8 * w->id;

	for (int i = 0; i < w->iterations; i++) {
		uint64_t v = ((uint64_t)w->id << 32) | i;

		st_rax(reg, v);
		if (ld_rax(reg, 0) != v || ld_eax(w->bar + 0x10, 0) != 0x44332211)
			w->errors++;
	}
	return NULL;
}

TEST_F(trap, four_threads)
{
	struct worker w[4];

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .bar = self->bar, .id = i, .iterations = 3000 };
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, same_bar_worker, &w[i]));
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].thread, NULL);
		EXPECT_EQ(0, w[i].errors) TH_LOG("thread %d", i);
		EXPECT_EQ(((uint64_t)i << 32) | 2999, get_reg(0x100 + 8 * i, 8));
	}
}

/* Accesses to a region that comes and goes: each is emulated or chained, never lost. */
static void *churn_worker(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(w->stop)) {
		uint64_t v = 0;

		if (faults(ld_rax, w->bar + 0x10, &v))
			w->misses++;
		else if (v == 0x8877665544332211ull)
			w->hits++;
		else
			w->errors++;
	}
	return NULL;
}

TEST_F(trap, churn)
{
	uint8_t *b = mmap(NULL, BAR_PAGES * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	_Atomic int stop = 0;
	struct worker w[4];
	long hits = 0, misses = 0;

	ASSERT_NE(MAP_FAILED, b);
	for (int i = 0; i < 4; i++) {
		/* Two threads on the BAR that stays, two on the one that churns. */
		w[i] = (struct worker){ .bar = i < 2 ? self->bar : b, .id = i, .stop = &stop };
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, churn_worker, &w[i]));
	}
	for (int i = 0; i < 1000; i++) {
		struct timespec gone = { 0, 10000 };

		ASSERT_EQ(0, mmio_trap_register(b, BAR_PAGES * PAGE, dev_access, &dev));
		ASSERT_EQ(0, mmio_trap_unregister(b + PAGE, PAGE));
		ASSERT_EQ(0, mmio_trap_unregister(b + 2 * PAGE, PAGE));
		ASSERT_EQ(0, mmio_trap_unregister(b, BAR_PAGES * PAGE));
		nanosleep(&gone, NULL);	/* let some accesses find it gone */
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].thread, NULL);
		EXPECT_EQ(0, w[i].errors) TH_LOG("thread %d", i);
		if (i < 2)
			EXPECT_EQ(0, w[i].misses) TH_LOG("thread %d", i);
		hits += w[i].hits;
		misses += w[i].misses;
	}
	TH_LOG("%ld accesses emulated, %ld chained", hits, misses);
	munmap(b, BAR_PAGES * PAGE);
}

static void *slow_reader(void *arg)
{
	return (void *)(uintptr_t)ld_eax((uint8_t *)arg + 0x10, 0);
}

/* Unregistering waits for callbacks in flight: then the cookie may go. */
TEST_F(trap, unregister_waits)
{
	pthread_t t;
	void *ret;

	dev.slow = 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, slow_reader, self->bar));
	while (!atomic_load(&dev.entered))
		sched_yield();
	ASSERT_EQ(0, mmio_trap_unregister(self->bar, BAR_LEN));
	EXPECT_EQ(1, atomic_load(&dev.left));
	pthread_join(t, &ret);
	EXPECT_EQ(0x44332211, (uintptr_t)ret);
}

/* fork() while another thread is in a callback: the child can still unregister. */
TEST_F(trap, fork_during_access)
{
	pthread_t t;
	pid_t pid;
	int status;

	dev.slow = 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, slow_reader, self->bar));
	while (!atomic_load(&dev.entered))
		sched_yield();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		alarm(10);
		dev.slow = 0;
		if (mmio_trap_unregister(self->bar, BAR_PAGES * PAGE / 2))
			_exit(1);
		_exit(ld_eax(self->bar + BAR_LEN - 8, 0) == 0 ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("status %#x", status);
	pthread_join(t, NULL);
}

/* ---- what we cannot emulate, and faults with nobody else to take them ---- */

/*
 * Runs fn in a child and returns its wait status, its stderr in err.
 * No core dumps: the deaths are the point.
 */
static int run_child(void (*fn)(void *), void *arg, char *err, size_t errlen)
{
	int pipefd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (!pid) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		fn(arg);
		_exit(0);
	}
	close(pipefd[1]);
	while (got + 1 < (ssize_t)errlen && (n = read(pipefd[0], err + got, errlen - 1 - got)) > 0)
		got += n;
	err[got] = 0;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return status;
}

static uint8_t *child_bar(unsigned flags)
{
	uint8_t *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || mprotect(m + PAGE, PAGE, PROT_NONE))
		_exit(2);
	dev_reset(&dev);
	if (mmio_trap_register_flags(m + PAGE, PAGE, dev_access, &dev, flags))
		_exit(3);
	return m + PAGE;
}

static void do_movdqu(void *arg)
{
	uint8_t *bar = child_bar(0);

	asm volatile("movdqu (%0), %%xmm0" : : "d"(bar + 0x20) : "xmm0", "memory");
}

static void do_lock_add(void *arg)
{
	uint8_t *bar = child_bar(0);

	asm volatile("lock addl $1, (%0)" : : "d"(bar + 0x20) : "memory");
}

static void do_readonly_write(void *arg)
{
	uint8_t *bar = child_bar(MMIO_TRAP_RDONLY);

	/* Reads are fine */
	if (ld_eax(bar + 0x20, 1) != 0)
		_exit(4);
	st_eax(bar + 0x20, 1);
}

static void do_readonly_or(void *arg)
{
	uint8_t *bar = child_bar(MMIO_TRAP_RDONLY);
	uint64_t rax = 0;

	/* Reading arithmetic is fine */
	alu_testl_imm(bar, &rax, 0);
	alu_orl_imm8(bar, &rax, 0);
}

static void do_call_bar(void *arg)
{
	void (*fn)(void) = (void (*)(void))child_bar(0);

	fn();
}

/* A load whose last bytes would be in the BAR: code page, then BAR page. */
static void do_insn_into_bar(void *arg)
{
	uint8_t *bar = child_bar(0), *code = bar - PAGE;

	memcpy(code + PAGE - 2, "\x48\x8b", 2);
	if (mprotect(code, PAGE, PROT_READ | PROT_EXEC))
		_exit(5);
	((void (*)(void))(code + PAGE - 2))();
}

static void do_straddle(void *arg)
{
	uint8_t *bar = child_bar(0);

	ld_rax(bar - 4, 0);
}

static void do_wild_fault(void *arg)
{
	uint8_t *other = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	child_bar(0);
	if (arg)
		signal(SIGSEGV, SIG_IGN);
	ld_eax(other + 0x100, 0);
}

struct death {
	const char *name;
	void (*fn)(void *);
	const char *bytes;		/* expected in the report */
};

static const struct death deaths[] = {
	{ "movdqu", do_movdqu, "by an instruction we cannot emulate: f3 0f 6f 02 " },
	{ "lock add", do_lock_add, "by an instruction we cannot emulate: f0 83 02 01 " },
	{ "read-only write", do_readonly_write, ": 89 02 (write to a read-only region)" },
	{ "read-only or", do_readonly_or, ": 83 0a 04 (write to a read-only region)" },
	{ "call into the BAR", do_call_bar, "by an instruction we cannot emulate: (executing from a trapped region)" },
	{ "instruction into the BAR", do_insn_into_bar, ": 48 8b (executing from a trapped region)" },
	{ "straddle", do_straddle, ": 48 8b 02 (the access straddles the region's edge)" },
};

TEST(cannot_emulate)
{
	char err[4096];

	for (size_t i = 0; i < sizeof(deaths) / sizeof(deaths[0]); i++) {
		int status = run_child(deaths[i].fn, NULL, err, sizeof(err));

		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
			TH_LOG("%s: status %#x, stderr: %s", deaths[i].name, status, err);
		EXPECT_NOT_NULL(strstr(err, "uiommufd: MMIO access at 0x"))
			TH_LOG("%s: %s", deaths[i].name, err);
		EXPECT_NOT_NULL(strstr(err, deaths[i].bytes))
			TH_LOG("%s: %s", deaths[i].name, err);
	}
}

/*
 * A fault outside the BAR with no handler of the program's: it dies as it
 * would without us, by SIGSEGV, or by the sanitizer's report when one is there.
 */
TEST(default_action)
{
	char err[8192];
	int status = run_child(do_wild_fault, NULL, err, sizeof(err));

	EXPECT_NULL(strstr(err, "uiommufd:")) TH_LOG("%s", err);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) TH_LOG("status %#x", status);
	EXPECT_NOT_NULL(strstr(err, "Sanitizer: SEGV")) TH_LOG("%s", err);
#else
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) TH_LOG("status %#x", status);
#endif
	/* SIG_IGN cannot ignore a fault: the kernel kills the program all the same. */
	status = run_child(do_wild_fault, (void *)1, err, sizeof(err));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		TH_LOG("status %#x: %s", status, err);
}

/* ---- cost ---- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

TEST_F(trap, cost)
{
	static uint64_t plain[8];
	enum { PLAIN = 1000000, TRAPPED = 20000 };
	uint64_t sum = 0;
	double t0, t1, t2;

	t0 = now_ns();
	for (int i = 0; i < PLAIN; i++)
		sum += ld_rax(&plain[i & 7], 0);
	t1 = now_ns();
	for (int i = 0; i < TRAPPED; i++)
		sum += ld_rax(self->bar + 0x10, 0);
	t2 = now_ns();
	TH_LOG("readq: plain memory %.1f ns, trapped MMIO %.0f ns (%.0fx)",
	       (t1 - t0) / PLAIN, (t2 - t1) / TRAPPED,
	       ((t2 - t1) / TRAPPED) / ((t1 - t0) / PLAIN));
	EXPECT_EQ((uint64_t)TRAPPED * 0x8877665544332211ull, sum);
}

/* ---- the decoder alone ---- */

struct decode_case {
	const char *name;
	uint8_t b[16];
	size_t n;
	struct mmio_insn want;
};

#define B(...)	{ __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define NONE	MMIO_NO_REG
#define LOADI(len_, size_, rsize_, sx_, reg_, hi_, base_, index_, scale_, disp_)	\
	{ .len = len_, .op = MMIO_LOAD, .size = size_, .reg_size = rsize_,		\
	  .sign_extend = sx_, .reg = reg_, .reg_high8 = hi_, .base = base_,		\
	  .index = index_, .scale = scale_, .disp = disp_ }
#define STOREI(len_, size_, reg_, hi_, base_, index_, scale_, disp_)			\
	{ .len = len_, .op = MMIO_STORE, .size = size_, .reg_size = size_,		\
	  .reg = reg_, .reg_high8 = hi_, .base = base_, .index = index_,		\
	  .scale = scale_, .disp = disp_ }
#define ALUI(len_, size_, alu_, to_reg_, imm_flag_, reg_, hi_, imm_)			\
	{ .len = len_, .op = MMIO_ALU, .size = size_, .reg_size = size_, .alu = alu_,	\
	  .alu_to_reg = to_reg_, .alu_imm = imm_flag_, .reg = reg_, .reg_high8 = hi_,	\
	  .base = 2, .index = NONE, .scale = 1, .imm = imm_ }
#define IMMI(len_, size_, base_, disp_, imm_)						\
	{ .len = len_, .op = MMIO_STORE_IMM, .size = size_, .base = base_,		\
	  .index = NONE, .scale = 1, .disp = disp_, .imm = imm_ }

static const struct decode_case decode_ok[] = {
	{ "movb (%rdx),%al", B(0x8a, 0x02), LOADI(2, 1, 1, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movb (%rdx),%ah", B(0x8a, 0x22), LOADI(2, 1, 1, 0, 0, 1, 2, NONE, 1, 0) },
	{ "movb (%rdx),%bh", B(0x8a, 0x3a), LOADI(2, 1, 1, 0, 3, 1, 2, NONE, 1, 0) },
	{ "movb (%rdx),%sil", B(0x40, 0x8a, 0x32), LOADI(3, 1, 1, 0, 6, 0, 2, NONE, 1, 0) },
	{ "movb (%rdx),%r9b", B(0x44, 0x8a, 0x0a), LOADI(3, 1, 1, 0, 9, 0, 2, NONE, 1, 0) },
	{ "movw (%rdx),%ax", B(0x66, 0x8b, 0x02), LOADI(3, 2, 2, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movl (%rdx),%eax", B(0x8b, 0x02), LOADI(2, 4, 4, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movq (%rdx),%rax", B(0x48, 0x8b, 0x02), LOADI(3, 8, 8, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movq (%rdx),%r15", B(0x4c, 0x8b, 0x3a), LOADI(3, 8, 8, 0, 15, 0, 2, NONE, 1, 0) },
	{ "REX.W wins over 66", B(0x66, 0x48, 0x8b, 0x02), LOADI(4, 8, 8, 0, 0, 0, 2, NONE, 1, 0) },
	{ "REX before 66 is ignored", B(0x48, 0x66, 0x8b, 0x02), LOADI(4, 2, 2, 0, 0, 0, 2, NONE, 1, 0) },
	{ "ds: prefix", B(0x3e, 0x8b, 0x02), LOADI(3, 4, 4, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movq 8(%rdx,%rcx,4),%rax", B(0x48, 0x8b, 0x44, 0x8a, 0x08), LOADI(5, 8, 8, 0, 0, 0, 2, 1, 4, 8) },
	{ "movl 0x2000(%rdx),%ecx", B(0x8b, 0x8a, 0x00, 0x20, 0x00, 0x00), LOADI(6, 4, 4, 0, 1, 0, 2, NONE, 1, 0x2000) },
	{ "movl -0x1000(%rdx),%eax", B(0x8b, 0x82, 0x00, 0xf0, 0xff, 0xff), LOADI(6, 4, 4, 0, 0, 0, 2, NONE, 1, -0x1000) },
	{ "movq -8(%r8),%rax", B(0x49, 0x8b, 0x40, 0xf8), LOADI(4, 8, 8, 0, 0, 0, 8, NONE, 1, -8) },
	{ "movq (%r12),%rax", B(0x49, 0x8b, 0x04, 0x24), LOADI(4, 8, 8, 0, 0, 0, 12, NONE, 1, 0) },
	{ "movq 0(%r13),%rax", B(0x49, 0x8b, 0x45, 0x00), LOADI(4, 8, 8, 0, 0, 0, 13, NONE, 1, 0) },
	{ "movl 0(,%rcx,8),%eax", B(0x8b, 0x04, 0xcd, 0, 0, 0, 0), LOADI(7, 4, 4, 0, 0, 0, NONE, 1, 8, 0) },
	{ "movq (%rdx,%r14,2),%rax", B(0x4a, 0x8b, 0x04, 0x72), LOADI(4, 8, 8, 0, 0, 0, 2, 14, 2, 0) },
	{ "movq (%rdx,%r12,1),%rax", B(0x4a, 0x8b, 0x04, 0x22), LOADI(4, 8, 8, 0, 0, 0, 2, 12, 1, 0) },
	{ "movl 0x10(%rip),%eax", B(0x8b, 0x05, 0x10, 0, 0, 0), LOADI(6, 4, 4, 0, 0, 0, MMIO_RIP, NONE, 1, 0x10) },
	{ "movzbw (%rdx),%ax", B(0x66, 0x0f, 0xb6, 0x02), LOADI(4, 1, 2, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movzbl (%rdx),%eax", B(0x0f, 0xb6, 0x02), LOADI(3, 1, 4, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movzbq (%rdx),%r8", B(0x4c, 0x0f, 0xb6, 0x02), LOADI(4, 1, 8, 0, 8, 0, 2, NONE, 1, 0) },
	{ "movzbl (%rdx),%esi: no high byte", B(0x0f, 0xb6, 0x32), LOADI(3, 1, 4, 0, 6, 0, 2, NONE, 1, 0) },
	{ "movzwl (%rdx),%eax", B(0x0f, 0xb7, 0x02), LOADI(3, 2, 4, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movzwq (%rdx),%rax", B(0x48, 0x0f, 0xb7, 0x02), LOADI(4, 2, 8, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movsbw (%rdx),%ax", B(0x66, 0x0f, 0xbe, 0x02), LOADI(4, 1, 2, 1, 0, 0, 2, NONE, 1, 0) },
	{ "movsbl (%rdx),%eax", B(0x0f, 0xbe, 0x02), LOADI(3, 1, 4, 1, 0, 0, 2, NONE, 1, 0) },
	{ "movsbq (%rdx),%rax", B(0x48, 0x0f, 0xbe, 0x02), LOADI(4, 1, 8, 1, 0, 0, 2, NONE, 1, 0) },
	{ "movswl (%rdx),%eax", B(0x0f, 0xbf, 0x02), LOADI(3, 2, 4, 1, 0, 0, 2, NONE, 1, 0) },
	{ "movswq (%rdx),%rax", B(0x48, 0x0f, 0xbf, 0x02), LOADI(4, 2, 8, 1, 0, 0, 2, NONE, 1, 0) },
	{ "movslq (%rdx),%rax", B(0x48, 0x63, 0x02), LOADI(3, 4, 8, 1, 0, 0, 2, NONE, 1, 0) },
	{ "movsxd (%rdx),%eax", B(0x63, 0x02), LOADI(2, 4, 4, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movsxd (%rdx),%ax", B(0x66, 0x63, 0x02), LOADI(3, 2, 2, 0, 0, 0, 2, NONE, 1, 0) },
	{ "movb %al,(%rdx)", B(0x88, 0x02), STOREI(2, 1, 0, 0, 2, NONE, 1, 0) },
	{ "movb %ah,(%rdx)", B(0x88, 0x22), STOREI(2, 1, 0, 1, 2, NONE, 1, 0) },
	{ "movb %sil,(%rdx)", B(0x40, 0x88, 0x32), STOREI(3, 1, 6, 0, 2, NONE, 1, 0) },
	{ "movb %r12b,(%r10)", B(0x45, 0x88, 0x22), STOREI(3, 1, 12, 0, 10, NONE, 1, 0) },
	{ "movw %ax,(%rdx)", B(0x66, 0x89, 0x02), STOREI(3, 2, 0, 0, 2, NONE, 1, 0) },
	{ "movl %r9d,(%rdx)", B(0x44, 0x89, 0x0a), STOREI(3, 4, 9, 0, 2, NONE, 1, 0) },
	{ "movq %r14,(%rdx)", B(0x4c, 0x89, 0x32), STOREI(3, 8, 14, 0, 2, NONE, 1, 0) },
	{ "movb $0x5a,(%rdx)", B(0xc6, 0x02, 0x5a), IMMI(3, 1, 2, 0, 0x5a) },
	{ "movw $0x1234,(%rdx)", B(0x66, 0xc7, 0x02, 0x34, 0x12), IMMI(5, 2, 2, 0, 0x1234) },
	{ "movl $0x89abcdef,(%rdx)", B(0xc7, 0x02, 0xef, 0xcd, 0xab, 0x89), IMMI(6, 4, 2, 0, 0xffffffff89abcdefull) },
	{ "movq $-2,(%rdx)", B(0x48, 0xc7, 0x02, 0xfe, 0xff, 0xff, 0xff), IMMI(7, 8, 2, 0, 0xfffffffffffffffeull) },
	{ "movq $0x7fffffff,(%rdx)", B(0x48, 0xc7, 0x02, 0xff, 0xff, 0xff, 0x7f), IMMI(7, 8, 2, 0, 0x7fffffff) },
	{ "movl $0x01020304,0x1004(%rdx)", B(0xc7, 0x82, 0x04, 0x10, 0, 0, 0x04, 0x03, 0x02, 0x01),
	  IMMI(10, 4, 2, 0x1004, 0x01020304) },
	{ "movl $0x11223344,0x10(%rip)", B(0xc7, 0x05, 0x10, 0, 0, 0, 0x44, 0x33, 0x22, 0x11),
	  IMMI(10, 4, MMIO_RIP, 0x10, 0x11223344) },
	{ "movabs 0x1122334455667788,%eax", B(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LOADI(9, 4, 4, 0, 0, 0, NONE, NONE, 1, 0x1122334455667788ll) },
	{ "movabs 0x1122334455667788,%al", B(0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LOADI(9, 1, 1, 0, 0, 0, NONE, NONE, 1, 0x1122334455667788ll) },
	{ "movabs %rax,0x1122334455667788", B(0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  STOREI(10, 8, 0, 0, NONE, NONE, 1, 0x1122334455667788ll) },
	{ "movabs %al,0x1122334455667788", B(0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  STOREI(9, 1, 0, 0, NONE, NONE, 1, 0x1122334455667788ll) },
	{ "test %eax,(%rdx)", B(0x85, 0x02), ALUI(2, 4, MMIO_ALU_TEST, 0, 0, 0, 0, 0) },
	{ "test %ah,(%rdx)", B(0x84, 0x22), ALUI(2, 1, MMIO_ALU_TEST, 0, 0, 0, 1, 0) },
	{ "testl $1,(%rdx)", B(0xf7, 0x02, 1, 0, 0, 0), ALUI(6, 4, MMIO_ALU_TEST, 0, 1, 0, 0, 1) },
	{ "testb $0x80,(%rdx)", B(0xf6, 0x02, 0x80), ALUI(3, 1, MMIO_ALU_TEST, 0, 1, 0, 0, ~0x7full) },
	{ "testq $-2,(%rdx)", B(0x48, 0xf7, 0x02, 0xfe, 0xff, 0xff, 0xff),
	  ALUI(7, 8, MMIO_ALU_TEST, 0, 1, 0, 0, ~1ull) },
	{ "testw $0x8001,(%rdx) (f7 /1)", B(0x66, 0xf7, 0x0a, 0x01, 0x80),
	  ALUI(5, 2, MMIO_ALU_TEST, 0, 1, 0, 0, 0xffffffffffff8001ull) },
	{ "orl $4,(%rdx)", B(0x83, 0x0a, 0x04), ALUI(3, 4, MMIO_ALU_OR, 0, 1, 0, 0, 4) },
	{ "andq $-16,(%rdx)", B(0x48, 0x83, 0x22, 0xf0), ALUI(4, 8, MMIO_ALU_AND, 0, 1, 0, 0, ~15ull) },
	{ "orq $0x12345678,(%rdx)", B(0x48, 0x81, 0x0a, 0x78, 0x56, 0x34, 0x12),
	  ALUI(7, 8, MMIO_ALU_OR, 0, 1, 0, 0, 0x12345678) },
	{ "xorw $0x8001,(%rdx)", B(0x66, 0x81, 0x32, 0x01, 0x80),
	  ALUI(5, 2, MMIO_ALU_XOR, 0, 1, 0, 0, 0xffffffffffff8001ull) },
	{ "cmpb $0x80,(%rdx)", B(0x80, 0x3a, 0x80), ALUI(3, 1, MMIO_ALU_CMP, 0, 1, 0, 0, ~0x7full) },
	{ "add %eax,(%rdx)", B(0x01, 0x02), ALUI(2, 4, MMIO_ALU_ADD, 0, 0, 0, 0, 0) },
	{ "add (%rdx),%eax", B(0x03, 0x02), ALUI(2, 4, MMIO_ALU_ADD, 1, 0, 0, 0, 0) },
	{ "or (%rdx),%ah", B(0x0a, 0x22), ALUI(2, 1, MMIO_ALU_OR, 1, 0, 0, 1, 0) },
	{ "or (%rdx),%sil", B(0x40, 0x0a, 0x32), ALUI(3, 1, MMIO_ALU_OR, 1, 0, 6, 0, 0) },
	{ "cmp (%rdx),%ecx", B(0x3b, 0x0a), ALUI(2, 4, MMIO_ALU_CMP, 1, 0, 1, 0, 0) },
	{ "sbb %rax,(%rdx)", B(0x48, 0x19, 0x02), ALUI(3, 8, MMIO_ALU_SBB, 0, 0, 0, 0, 0) },
	{ "sub %r9w,(%rdx)", B(0x66, 0x44, 0x29, 0x0a), ALUI(4, 2, MMIO_ALU_SUB, 0, 0, 9, 0, 0) },
	{ "incl (%rdx)", B(0xff, 0x02), ALUI(2, 4, MMIO_ALU_INC, 0, 0, 0, 0, 0) },
	{ "decb (%rdx)", B(0xfe, 0x0a), ALUI(2, 1, MMIO_ALU_DEC, 0, 0, 0, 0, 0) },
	{ "notq (%rdx)", B(0x48, 0xf7, 0x12), ALUI(3, 8, MMIO_ALU_NOT, 0, 0, 0, 0, 0) },
	{ "negw (%rdx)", B(0x66, 0xf7, 0x1a), ALUI(3, 2, MMIO_ALU_NEG, 0, 0, 0, 0, 0) },
	{ "movdir64b (%rdx),%rax", B(0x66, 0x0f, 0x38, 0xf8, 0x02),
	  { .len = 5, .op = MMIO_MOVDIR64B, .size = 64, .reg = 0, .base = 2, .index = NONE, .scale = 1 } },
	{ "movdir64b (%r8),%r9", B(0x66, 0x45, 0x0f, 0x38, 0xf8, 0x08),
	  { .len = 6, .op = MMIO_MOVDIR64B, .size = 64, .reg = 9, .base = 8, .index = NONE, .scale = 1 } },
	{ "movdir64b (%edx),%eax", B(0x67, 0x66, 0x0f, 0x38, 0xf8, 0x02),
	  { .len = 6, .op = MMIO_MOVDIR64B, .size = 64, .reg = 0, .addr32 = 1, .base = 2, .index = NONE,
	    .scale = 1 } },
};

static const struct {
	const char *name;
	uint8_t b[16];
	size_t n;
	int rc;
} decode_bad[] = {
	{ "movdqu (%rdx),%xmm0", B(0xf3, 0x0f, 0x6f, 0x02), -EOPNOTSUPP },
	{ "movups (%rdx),%xmm0", B(0x0f, 0x10, 0x02), -EOPNOTSUPP },
	{ "vmovdqu (%rdx),%xmm0", B(0xc5, 0xfa, 0x6f, 0x02), -EOPNOTSUPP },
	{ "vmovdqu64 (%rdx),%zmm0", B(0x62, 0xf1, 0xfe, 0x48, 0x6f, 0x02), -EOPNOTSUPP },
	{ "lock addl $1,(%rdx)", B(0xf0, 0x83, 0x02, 0x01), -EOPNOTSUPP },
	{ "lock mov", B(0xf0, 0x89, 0x02), -EOPNOTSUPP },
	{ "mov %fs:0x28,%rax", B(0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0), -EOPNOTSUPP },
	{ "mov %gs:(%rdx),%eax", B(0x65, 0x8b, 0x02), -EOPNOTSUPP },
	{ "mov %eax,%eax", B(0x8b, 0xc0), -EOPNOTSUPP },
	{ "movb $1,%al", B(0xc6, 0xc0, 0x01), -EOPNOTSUPP },
	{ "c7 /1", B(0xc7, 0x0a, 0, 0, 0, 0), -EOPNOTSUPP },
	{ "mull (%rdx)", B(0xf7, 0x22), -EOPNOTSUPP },
	{ "idivq (%rdx)", B(0x48, 0xf7, 0x3a), -EOPNOTSUPP },
	{ "call *(%rdx)", B(0xff, 0x12), -EOPNOTSUPP },
	{ "pushq (%rdx) (ff /6)", B(0xff, 0x32), -EOPNOTSUPP },
	{ "fe /2", B(0xfe, 0x12), -EOPNOTSUPP },
	{ "82: invalid in 64-bit mode", B(0x82, 0x02, 0x01), -EOPNOTSUPP },
	{ "lock orl $4,(%rdx)", B(0xf0, 0x83, 0x0a, 0x04), -EOPNOTSUPP },
	{ "add %eax,%eax", B(0x01, 0xc0), -EOPNOTSUPP },
	{ "push %es (06)", B(0x06), -EOPNOTSUPP },
	{ "daa (27)", B(0x27), -EOPNOTSUPP },
	{ "imul (%rdx),%eax", B(0x0f, 0xaf, 0x02), -EOPNOTSUPP },
	{ "bt $1,(%rdx)", B(0x0f, 0xba, 0x22, 0x01), -EOPNOTSUPP },
	{ "xchg %eax,(%rdx)", B(0x87, 0x02), -EOPNOTSUPP },
	{ "cmpxchg %ecx,(%rdx)", B(0x0f, 0xb1, 0x0a), -EOPNOTSUPP },
	{ "rep movsb", B(0xf3, 0xa4), -EOPNOTSUPP },
	{ "movsb", B(0xa4), -EOPNOTSUPP },
	{ "enqcmd (%rdx),%rax", B(0xf2, 0x0f, 0x38, 0xf8, 0x02), -EOPNOTSUPP },
	{ "0f 38 f8 without 66", B(0x0f, 0x38, 0xf8, 0x02), -EOPNOTSUPP },
	{ "66 0f 38 f9", B(0x66, 0x0f, 0x38, 0xf9, 0x02), -EOPNOTSUPP },
	{ "ud2 at the end of the bytes", B(0x0f, 0x0b), -EOPNOTSUPP },
	{ "15 prefixes", B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
			   0x66, 0x66, 0x8b, 0x02), -EOPNOTSUPP },
	{ "truncated: opcode", B(0x8b), -ENODATA },
	{ "truncated: prefix", B(0x48), -ENODATA },
	{ "truncated: SIB", B(0x48, 0x8b, 0x44), -ENODATA },
	{ "truncated: disp8", B(0x48, 0x8b, 0x44, 0x8a), -ENODATA },
	{ "truncated: disp32", B(0x8b, 0x82, 0x00, 0x10, 0x00), -ENODATA },
	{ "truncated: imm32", B(0xc7, 0x02, 0xef, 0xcd, 0xab), -ENODATA },
	{ "truncated: 0f", B(0x0f), -ENODATA },
	{ "truncated: 66 0f 38", B(0x66, 0x0f, 0x38), -ENODATA },
	{ "truncated: moffs", B(0xa1, 0x88, 0x77, 0x66), -ENODATA },
	{ "truncated: 81 imm32", B(0x81, 0x0a, 0x78, 0x56, 0x34), -ENODATA },
	{ "truncated: f7 /0 imm32", B(0xf7, 0x02, 0x01), -ENODATA },
};

TEST(decode_supported)
{
	for (size_t i = 0; i < sizeof(decode_ok) / sizeof(decode_ok[0]); i++) {
		const struct decode_case *c = &decode_ok[i];
		const struct mmio_insn *w = &c->want;
		struct mmio_insn got;
		int rc;

		/* Exactly the bytes: the decoder must not need one more. */
		rc = mmio_trap_decode(c->b, c->n, &got);
		ASSERT_EQ(0, rc) TH_LOG("%s", c->name);
		EXPECT_EQ(c->n, got.len) TH_LOG("%s", c->name);
		EXPECT_EQ(w->len, got.len) TH_LOG("%s", c->name);
		EXPECT_EQ(w->op, got.op) TH_LOG("%s", c->name);
		EXPECT_EQ(w->size, got.size) TH_LOG("%s", c->name);
		if (w->op == MMIO_LOAD) {
			EXPECT_EQ(w->reg_size, got.reg_size) TH_LOG("%s", c->name);
			EXPECT_EQ(w->sign_extend, got.sign_extend) TH_LOG("%s", c->name);
		}
		if (w->op == MMIO_ALU) {
			EXPECT_EQ(w->alu, got.alu) TH_LOG("%s", c->name);
			EXPECT_EQ(w->alu_to_reg, got.alu_to_reg) TH_LOG("%s", c->name);
			EXPECT_EQ(w->alu_imm, got.alu_imm) TH_LOG("%s", c->name);
		}
		if (w->op != MMIO_STORE_IMM) {
			EXPECT_EQ(w->reg, got.reg) TH_LOG("%s", c->name);
			EXPECT_EQ(w->reg_high8, got.reg_high8) TH_LOG("%s", c->name);
		}
		EXPECT_EQ(w->addr32, got.addr32) TH_LOG("%s", c->name);
		EXPECT_EQ(w->base, got.base) TH_LOG("%s", c->name);
		EXPECT_EQ(w->index, got.index) TH_LOG("%s", c->name);
		EXPECT_EQ(w->scale, got.scale) TH_LOG("%s", c->name);
		EXPECT_EQ(w->disp, got.disp) TH_LOG("%s", c->name);
		EXPECT_EQ(w->imm, got.imm) TH_LOG("%s", c->name);
		/* One byte short is missing data, never a misdecode. */
		EXPECT_EQ(-ENODATA, mmio_trap_decode(c->b, c->n - 1, &got)) TH_LOG("%s", c->name);
	}
}

TEST(decode_unsupported)
{
	for (size_t i = 0; i < sizeof(decode_bad) / sizeof(decode_bad[0]); i++) {
		struct mmio_insn got;

		EXPECT_EQ(decode_bad[i].rc, mmio_trap_decode(decode_bad[i].b, decode_bad[i].n, &got))
			TH_LOG("%s", decode_bad[i].name);
	}
}

TEST_HARNESS_MAIN
