/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MMIO trap: make a PROT_NONE mapping behave like device memory.
 *
 * A registered region is an anonymous PROT_NONE mapping the caller made.
 * Every load or store a program makes there faults; our SIGSEGV handler
 * decodes the faulting instruction, performs the access through the
 * region's callback, writes a load's result into the destination
 * register, steps over the instruction and resumes the program. Faults
 * outside registered regions go to the handler that was installed before
 * ours (or take the default action). See mmio_trap.c for the design and
 * its limits.
 *
 * C-compatible and free of libstdc++: it lives in the LD_PRELOAD
 * interposer.
 */
#ifndef UIOMMUFD_MMIO_TRAP_H
#define UIOMMUFD_MMIO_TRAP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One device access. offset is from the start of the registered region
 * (the BAR offset, also after a partial unregister); size is 1, 2, 4, 8 or
 * 64 (MOVDIR64B); data holds the bytes to write, or receives the bytes
 * read, little-endian as in memory. Return 0, or -1 for a device error:
 * reads then return all-ones and writes are dropped, as a PCI master
 * abort would. data is 8-byte aligned.
 *
 * It runs in the faulting thread's signal handler, with every signal
 * blocked, possibly on the thread's alternate signal stack, and in
 * several threads at once: it must be async-signal-safe with respect to
 * the program it interrupted, do its own locking, keep its stack use
 * modest, and must not fault (fatal with SIGSEGV blocked), touch a trapped
 * region nor unregister one.
 */
typedef int (*mmio_trap_fn)(void *cookie, uint64_t offset, unsigned size,
			    int is_write, void *data);

/* Writes to the region are not emulated: they abort the program. */
#define MMIO_TRAP_RDONLY	0x1u

/*
 * Trap accesses to [addr, addr + len): addr page-aligned and already
 * mapped PROT_NONE, len rounded up to whole pages. The first call
 * installs the SIGSEGV handler. Returns 0, -EINVAL (alignment, length,
 * flags), -EEXIST (overlaps a registered region), -ENOSPC (no free slot)
 * or a sigaction() failure. The handler stays installed from then on.
 * sigaction() is called by name: an interposer that wraps it sees ours.
 * Neither this nor mmio_trap_unregister() is async-signal-safe.
 */
int mmio_trap_register(void *addr, size_t len, mmio_trap_fn fn, void *cookie);
int mmio_trap_register_flags(void *addr, size_t len, mmio_trap_fn fn,
			     void *cookie, unsigned flags);

/*
 * Stop trapping [addr, addr + len), which may cover a whole region, part
 * of one (munmap of part of a BAR: the rest keeps its offsets) or several.
 * Returns once no handler is still using the removed range's callback, so
 * the caller may then free the cookie; hence never call it from a
 * callback, nor while holding a lock a callback takes. Returns 0, -EINVAL,
 * -ENOENT (nothing registered there) or -ENOSPC (a split needed a slot).
 */
int mmio_trap_unregister(void *addr, size_t len);

/*
 * Whether addr is in a registered region: 1 and, when given, the region's
 * cookie and addr's offset in it; 0 if not. Async-signal-safe.
 */
int mmio_trap_lookup(const void *addr, void **cookie, uint64_t *offset);

/*
 * Faults raised by instructions in [lo, hi) are never ours, even in a
 * registered region: they go to the handler installed before ours. For
 * code that recovers from its own faults, such as the in-process kernel
 * side: a BAR mapping is device memory (VM_IO) to it, which it must not
 * read through the user's address (get_user_pages() refuses such a vma
 * with -EFAULT), and its probe of the user's pages expects to fault there
 * and say so, not to be emulated. Up to 8 ranges, never removed; returns 0,
 * -EINVAL (empty range) or -ENOSPC. Not async-signal-safe; the handler
 * reads the ranges without locks.
 */
int mmio_trap_foreign_code(uintptr_t lo, uintptr_t hi);

/*
 * The handler's work without the chaining: emulate the access that raised
 * this SIGSEGV if it hit a registered region and return 1, or return 0
 * for a fault that is not ours. For a sigaction() interposer whose own
 * SIGSEGV handler must come first (it should block every signal while
 * this runs, as ours does). An access to a registered region that cannot
 * be emulated is reported, SIGSEGV's action reset to SIG_DFL and 1
 * returned: the instruction faults again and the program dies.
 */
int mmio_trap_emulate(siginfo_t *si, void *ucontext);

/* ---- the decoder, exposed for tests ---- */

enum mmio_op {
	MMIO_LOAD,		/* mov/movzx/movsx/movsxd register <- memory */
	MMIO_STORE,		/* mov memory <- register */
	MMIO_STORE_IMM,		/* mov memory <- immediate */
	MMIO_MOVDIR64B,		/* 64 bytes: [reg] <- memory operand */
	MMIO_ALU,		/* arithmetic and logic with a memory operand */
};

/*
 * MMIO_ALU's operation: the ModRM /digit of the 80 group first. CMP and
 * TEST only read; the rest read, then write back (memory or register).
 */
enum mmio_alu {
	MMIO_ALU_ADD, MMIO_ALU_OR, MMIO_ALU_ADC, MMIO_ALU_SBB,
	MMIO_ALU_AND, MMIO_ALU_SUB, MMIO_ALU_XOR, MMIO_ALU_CMP,
	MMIO_ALU_TEST, MMIO_ALU_INC, MMIO_ALU_DEC, MMIO_ALU_NOT, MMIO_ALU_NEG,
};

#define MMIO_NO_REG	-1	/* base or index: none */
#define MMIO_RIP	-2	/* base: RIP-relative (next instruction + disp) */

struct mmio_insn {
	uint8_t len;		/* instruction length, prefixes included */
	uint8_t op;		/* enum mmio_op */
	uint8_t size;		/* bytes accessed in memory: 1, 2, 4, 8 or 64 */
	uint8_t reg_size;	/* MMIO_LOAD: width written to reg: 1, 2, 4 or 8 */
	uint8_t sign_extend;	/* MMIO_LOAD: extend size to reg_size with sign */
	uint8_t reg;		/* register operand, 0 (rax) .. 15 (r15) */
	uint8_t reg_high8;	/* reg 0..3 means ah/ch/dh/bh (no REX) */
	uint8_t addr32;		/* 0x67: the address is computed in 32 bits */
	int8_t base;		/* 0..15, MMIO_NO_REG or MMIO_RIP */
	int8_t index;		/* 0..15 or MMIO_NO_REG */
	uint8_t scale;		/* 1, 2, 4 or 8 */
	int64_t disp;		/* also a moffs form's absolute address */
	uint8_t alu;		/* MMIO_ALU: enum mmio_alu */
	uint8_t alu_to_reg;	/* MMIO_ALU: reg op= memory (else memory op= reg/imm) */
	uint8_t alu_imm;	/* MMIO_ALU: the other operand is imm, not reg (none if unary) */
	uint64_t imm;		/* MMIO_STORE_IMM, alu_imm: value, sign-extended to 64 bits */
};

/*
 * Decode the instruction at insn, reading no byte past the ones it needs
 * nor past avail. Returns 0, -ENODATA (needs more than avail bytes) or
 * -EOPNOTSUPP (not a form we emulate: other opcodes, lock/rep/fs/gs
 * prefixes, VEX/EVEX, register operands).
 */
int mmio_trap_decode(const uint8_t *insn, size_t avail, struct mmio_insn *out);

#ifdef __cplusplus
}
#endif

#endif
