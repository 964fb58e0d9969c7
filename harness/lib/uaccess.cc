// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-safe access to user memory.
 *
 * Local mm: the copy loop runs inside a "fault frame": a sigjmp_buf and the
 * user range being accessed, published in a thread-local pointer. The
 * SIGSEGV/SIGBUS handler (installed once, chaining to whatever was there
 * before, e.g. ASan's) jumps back to the frame only if the faulting address
 * lies in that user range; any other fault is a real bug and goes to the
 * previous handler. The loop copies aligned words relative to the user
 * pointer, so a fault at the first inaccessible user byte means every
 * earlier byte was copied: the "bytes not copied" is exact, as on x86.
 *
 * The loop is not instrumented by ASan or TSan and never calls memcpy
 * (volatile accesses stop the compiler from making it one), so the
 * sanitizers neither intercept nor misreport a deliberate fault. The
 * kernel-side buffer is checked against ASan's shadow separately, as the
 * kernel's KASAN checks do, so an overflow of it is still caught.
 *
 * The handler is installed with SA_NODEFER (sigsetjmp does not save the
 * signal mask, so the handler must not leave SIGSEGV blocked) and
 * SA_ONSTACK (stack overflows still reach ASan's alternate stack).
 *
 * Another process's mm: process_vm_readv/writev with the remote side split
 * at page boundaries, so a partial transfer ends at the first bad page;
 * its layout for pinning comes from /proc/PID/maps.
 */
#include "harness/uaccess.h"

#include "harness/fault_inject.h"
#include "harness/mm.h"
#include "harness/sched.h"
#include "harness/testhooks.h"
#include "ledger.h"
#include "memory_internal.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <mutex>
#include <pthread.h>
#include <string>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

#define NO_SANITIZE_MEMORY __attribute__((no_sanitize("address", "thread", "undefined"), noinline))

/* ---- the fault frame ---- */

struct fault_frame {
	sigjmp_buf env;
	uintptr_t start, end;		/* user range whose faults we expect */
	volatile uintptr_t fault_addr;
};

/*
 * Read by the signal handler. Initial-exec makes that a plain load, but
 * a library dlopen()ed into somebody else's program (the in-process
 * kernel, harness/server/kernel_lib.cmake) cannot have initial-exec TLS:
 * there the handler only reads a slot the faulting thread has already
 * written, so the dynamic model's lookup is allocated and safe.
 */
#ifdef UFD_DLOPENED
static thread_local fault_frame *cur_frame;
#else
static thread_local fault_frame *cur_frame __attribute__((tls_model("initial-exec")));
#endif
static struct sigaction prev_segv, prev_bus;
static std::once_flag handlers_once;

static void chain_signal(int sig, siginfo_t *info, void *uctx)
{
	struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;

	if (prev->sa_flags & SA_SIGINFO) {
		if (prev->sa_sigaction) {
			prev->sa_sigaction(sig, info, uctx);
			return;
		}
	} else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
		prev->sa_handler(sig);
		return;
	}
	/* Default action: returning re-executes the access, which then kills us. */
	signal(sig, SIG_DFL);
}

static void uaccess_fault_handler(int sig, siginfo_t *info, void *uctx)
{
	fault_frame *f = cur_frame;
	uintptr_t addr = (uintptr_t)info->si_addr;

	if (f && addr >= f->start && addr < f->end) {
		f->fault_addr = addr;
		cur_frame = nullptr;
		siglongjmp(f->env, 1);
	}
	chain_signal(sig, info, uctx);
}

static void install_handlers(void)
{
	struct sigaction sa = {};

	sa.sa_sigaction = uaccess_fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &prev_segv) || sigaction(SIGBUS, &sa, &prev_bus)) {
		perror("uiommufd: sigaction");
		abort();
	}
}

static inline void ensure_handlers(void) { std::call_once(handlers_once, install_handlers); }

/*
 * After jumping out of the handler. SA_NODEFER should leave the signals
 * unblocked, but a sanitizer's wrapper handler (TSan's) may run ours with
 * them blocked, and a blocked SIGSEGV kills the process on the next fault.
 */
static void unblock_fault_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigaddset(&set, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

/* Unaligned word access that neither UBSan nor the aliasing rules object to. */
typedef u64 __attribute__((may_alias, aligned(1))) u64_unaligned;

/*
 * Copies n bytes, aligning the words on the user side (ref is the user
 * address corresponding to the start).
 */
NO_SANITIZE_MEMORY static void raw_copy(void *dst, const void *src, size_t n, uintptr_t ref)
{
	volatile u8 *d = (volatile u8 *)dst;
	const volatile u8 *s = (const volatile u8 *)src;

	while (n && (ref & 7)) {
		*d++ = *s++;
		ref++;
		n--;
	}
	while (n >= 8) {
		*(volatile u64_unaligned *)d = *(const volatile u64_unaligned *)s;
		d += 8;
		s += 8;
		n -= 8;
	}
	while (n) {
		*d++ = *s++;
		n--;
	}
}

/*
 * Touches one byte: a read, or an atomic add of zero, which faults exactly
 * where a write would and cannot lose a concurrent store. Inline asm keeps
 * the compiler from turning the add into a load and the sanitizers out.
 */
NO_SANITIZE_MEMORY static void probe_byte(uintptr_t addr, bool write)
{
#if defined(__x86_64__)
	if (write) {
		asm volatile("lock addb $0, %0" : "+m"(*(volatile u8 *)addr) : : "memory");
	} else {
		u8 v;

		asm volatile("movb %1, %0" : "=q"(v) : "m"(*(const volatile u8 *)addr) : "memory");
	}
#elif defined(__aarch64__)
	if (write) {
		u32 tmp, fail;

		asm volatile("1: ldxrb %w0, [%2]\n"
			     "   stxrb %w1, %w0, [%2]\n"
			     "   cbnz %w1, 1b\n"
			     : "=&r"(tmp), "=&r"(fail)
			     : "r"(addr)
			     : "memory");
	} else {
		u32 v;

		asm volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	}
#else
	if (write)
		__atomic_fetch_add((volatile u8 *)addr, 0, __ATOMIC_RELAXED);
	else
		(void)*(const volatile u8 *)addr;
#endif
}

#ifdef HARNESS_ASAN
extern "C" void *__asan_region_is_poisoned(void *beg, size_t size);

/* Touches a bad byte with an instrumented access, so ASan reports it. */
static void kasan_report_at(const void *p)
{
	(void)*(const volatile char *)p;
}
#endif

/* The kernel side of a user copy must be valid kernel memory (KASAN's check). */
static void kasan_check(const void *p, size_t n)
{
#ifdef HARNESS_ASAN
	if (void *bad = __asan_region_is_poisoned((void *)p, n))
		kasan_report_at(bad);
#endif
}

/* Returns bytes not copied; uaddr is the user end of the copy. */
static unsigned long local_copy(void *dst, const void *src, unsigned long n, uintptr_t uaddr)
{
	fault_frame frame;

	if (!n)
		return 0;
	ensure_handlers();
	frame.start = uaddr;
	frame.end = uaddr + n;
	frame.fault_addr = 0;
	if (sigsetjmp(frame.env, 0)) {
		uintptr_t done = frame.fault_addr - uaddr;

		unblock_fault_signals();
		return n - min((unsigned long)done, n);
	}
	cur_frame = &frame;
	std::atomic_signal_fence(std::memory_order_seq_cst);
	raw_copy(dst, src, n, uaddr);
	std::atomic_signal_fence(std::memory_order_seq_cst);
	cur_frame = nullptr;
	return 0;
}

/* Number of leading pages of [start, start + npages pages) that can be touched. */
static unsigned long local_probe(uintptr_t start, unsigned long npages, bool write)
{
	fault_frame frame;
	unsigned long i;

	if (!npages)
		return 0;
	/*
	 * Memory never touched yet (a fresh 128 MiB buffer) costs a trap per
	 * page below; one madvise() faults it all in instead (breaking COW
	 * for a write, as FOLL_WRITE does). Memory already there is cheaper
	 * to probe than to walk again, so only a range whose first page is
	 * not resident goes this way. Any failure (a hole, a read-only page,
	 * MAP_SHARED file memory past EOF) leaves the exact answer to the
	 * page-by-page probe.
	 */
	if (npages > 1) {
		unsigned char resident = 1;

		if (!mincore((void *)start, PAGE_SIZE, &resident) && !(resident & 1) &&
		    !madvise((void *)start, npages * PAGE_SIZE,
			     write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ))
			return npages;
	}
	ensure_handlers();
	frame.start = start;
	frame.end = start + npages * PAGE_SIZE;
	frame.fault_addr = 0;
	if (sigsetjmp(frame.env, 0)) {
		unblock_fault_signals();
		return (frame.fault_addr - start) >> PAGE_SHIFT;
	}
	cur_frame = &frame;
	std::atomic_signal_fence(std::memory_order_seq_cst);
	for (i = 0; i < npages; i++)
		probe_byte(start + i * PAGE_SIZE, write);
	std::atomic_signal_fence(std::memory_order_seq_cst);
	cur_frame = nullptr;
	return npages;
}

/* ---- another process's memory ---- */

static unsigned long remote_rw(pid_t pid, void *local, unsigned long uaddr, unsigned long n,
			       bool write)
{
	unsigned long done = 0;

	while (done < n) {
		struct iovec liov, riov[IOV_MAX];
		unsigned long batch = 0, cnt = 0, addr = uaddr + done;

		while (cnt < IOV_MAX && done + batch < n) {
			unsigned long len = min(PAGE_SIZE - (addr & ~PAGE_MASK), n - done - batch);

			riov[cnt].iov_base = (void *)addr;
			riov[cnt].iov_len = len;
			cnt++;
			batch += len;
			addr += len;
		}
		liov.iov_base = (char *)local + done;
		liov.iov_len = batch;
		ssize_t rc = write ? process_vm_writev(pid, &liov, 1, riov, cnt, 0)
				   : process_vm_readv(pid, &liov, 1, riov, cnt, 0);
		if (rc < 0 && errno == EPERM) {
			static std::atomic<bool> said;

			if (!said.exchange(true))
				fprintf(stderr, "uiommufd: no ptrace permission over pid %d: "
						"its memory is inaccessible\n", pid);
		}
		if (rc <= 0)
			break;
		done += rc;
		if ((unsigned long)rc < batch)
			break;
	}
	return n - done;
}

struct vma_range {
	unsigned long start, end;
	bool read, write;
};

static bool read_maps(pid_t pid, std::vector<vma_range> *out)
{
	char path[64], buf[4096];
	std::string text;
	ssize_t rc;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while ((rc = read(fd, buf, sizeof(buf))) > 0)
		text.append(buf, rc);
	close(fd);
	for (size_t pos = 0; pos < text.size();) {
		size_t eol = text.find('\n', pos);
		std::string line = text.substr(pos, eol == std::string::npos ? eol : eol - pos);
		unsigned long start, end;
		char perms[8];

		pos = eol == std::string::npos ? text.size() : eol + 1;
		if (sscanf(line.c_str(), "%lx-%lx %7s", &start, &end, perms) != 3)
			continue;
		out->push_back({start, end, perms[0] == 'r', perms[1] == 'w'});
	}
	return true;
}

/*
 * A server serving a client (harness/server) knows when the client's map
 * may have changed: its interposer counts its mmap/munmap/mprotect/mremap
 * calls and every request carries that count. The map read for one count
 * is reused for the next requests with the same count; reading
 * /proc/PID/maps per probe dominated run time. What libc maps or unmaps
 * internally is not counted, so a cached answer is confirmed by reading
 * one byte of each page (a page unmapped since fails that; a page mapped
 * since is not in the cached map and makes us read the map again).
 * Off (generation 0) unless harness_user_maps_generation() says otherwise.
 */
static thread_local u64 maps_generation;
static thread_local struct {
	bool valid;
	pid_t pid;
	u64 generation;
	std::vector<vma_range> vmas;
} maps_cache;

void harness_user_maps_generation(u64 generation) { maps_generation = generation; }

static unsigned long probe_vmas(const std::vector<vma_range> &vmas, unsigned long start,
				unsigned long npages, bool write)
{
	unsigned long i;

	/* /proc/PID/maps is sorted by address. */
	for (i = 0; i < npages; i++) {
		unsigned long addr = start + i * PAGE_SIZE;
		auto it = std::upper_bound(vmas.begin(), vmas.end(), addr,
					   [](unsigned long a, const vma_range &v) { return a < v.end; });

		if (it == vmas.end() || addr < it->start || !it->read || (write && !it->write))
			break;
	}
	return i;
}

/* How many of the npages from start can be read right now. */
static unsigned long readable_pages(pid_t pid, unsigned long start, unsigned long npages)
{
	unsigned long done = 0;
	char sink[IOV_MAX];

	while (done < npages) {
		struct iovec local = {sink, 0}, remote[IOV_MAX];
		unsigned long cnt = min(npages - done, (unsigned long)IOV_MAX);
		ssize_t rc;

		for (unsigned long i = 0; i < cnt; i++) {
			remote[i].iov_base = (void *)(start + (done + i) * PAGE_SIZE);
			remote[i].iov_len = 1;
		}
		local.iov_len = cnt;
		rc = process_vm_readv(pid, &local, 1, remote, cnt, 0);
		if (rc <= 0)
			break;
		done += rc;
		if ((unsigned long)rc < cnt)
			break;
	}
	return done;
}

/*
 * The generation of pid's map: the request's own when pid made it, else
 * read from the process (struct mm_struct::maps_gen_addr) if it says
 * where; 0 (do not cache) if neither.
 */
static u64 maps_generation_of(struct mm_struct *mm)
{
	u32 gen = 0;
	struct iovec local = {&gen, sizeof(gen)};
	struct iovec remote = {(void *)mm->maps_gen_addr, sizeof(gen)};

	if (current->tgid == mm->pid)
		return maps_generation;
	if (!maps_generation || !mm->maps_gen_addr ||
	    process_vm_readv(mm->pid, &local, 1, &remote, 1, 0) != sizeof(gen))
		return 0;
	return gen;
}

static unsigned long remote_probe(struct mm_struct *mm, unsigned long start,
				  unsigned long npages, bool write)
{
	u64 generation = maps_generation_of(mm);
	pid_t pid = mm->pid;
	std::vector<vma_range> vmas;
	unsigned long n;

	if (generation && maps_cache.valid && maps_cache.pid == pid &&
	    maps_cache.generation == generation) {
		n = probe_vmas(maps_cache.vmas, start, npages, write);
		if (n == npages)
			return readable_pages(pid, start, n);
		/* Perhaps mapped since: look again before failing. */
	}
	if (!read_maps(pid, &vmas))
		return 0;
	n = probe_vmas(vmas, start, npages, write);
	if (generation) {
		maps_cache.valid = true;
		maps_cache.pid = pid;
		maps_cache.generation = generation;
		maps_cache.vmas = std::move(vmas);
	}
	return n;
}

/* ---- the mm-level primitives ---- */

static bool check_mm(struct mm_struct *mm)
{
	if (unlikely(!mm)) {
		harness_report_failure(__FILE__, __LINE__,
				       "user memory access from a task without an mm");
		return false;
	}
	return true;
}

unsigned long mm_read(struct mm_struct *mm, void *to, unsigned long uaddr, unsigned long n)
{
	if (!check_mm(mm))
		return n;
	kasan_check(to, n);
	if (mm->local)
		return local_copy(to, (const void *)uaddr, n, uaddr);
	return remote_rw(mm->pid, to, uaddr, n, false);
}

unsigned long mm_write(struct mm_struct *mm, unsigned long uaddr, const void *from,
		       unsigned long n)
{
	if (!check_mm(mm))
		return n;
	kasan_check(from, n);
	if (mm->local)
		return local_copy((void *)uaddr, from, n, uaddr);
	return remote_rw(mm->pid, (void *)from, uaddr, n, true);
}

unsigned long mm_probe_pages(struct mm_struct *mm, unsigned long start, unsigned long npages,
			     bool write)
{
	if (!check_mm(mm))
		return 0;
	if (mm->local)
		return local_probe(start, npages, write);
	return remote_probe(mm, start, npages, write);
}

/* ---- the kernel API ---- */

/* Faulting in user memory may sleep: a bug under a spinlock. */
#define uaccess_might_fault() harness_might_sleep_at(__builtin_return_address(0))

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	unsigned long res = n;

	uaccess_might_fault();
	if (!should_fail_usercopy() && likely(access_ok(from, n)))
		res = mm_read(current->mm, to, (unsigned long)from, n);
	if (unlikely(res))
		memset((char *)to + (n - res), 0, res);
	return res;
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	uaccess_might_fault();
	if (should_fail_usercopy())
		return n;
	if (likely(access_ok(to, n)))
		n = mm_write(current->mm, (unsigned long)to, from, n);
	return n;
}

unsigned long clear_user(void __user *to, unsigned long n)
{
	static const char zeroes[256] = {};
	unsigned long addr = (unsigned long)to, done = 0;

	uaccess_might_fault();
	if (!access_ok(to, n))
		return n;
	while (done < n) {
		unsigned long len = min(sizeof(zeroes), n - done);
		unsigned long left = mm_write(current->mm, addr + done, zeroes, len);

		done += len - left;
		if (left)
			break;
	}
	return n - done;
}

int check_zeroed_user(const void __user *from, size_t size)
{
	unsigned long addr = (unsigned long)from;
	u8 buf[256];

	if (unlikely(!size))
		return 1;
	if (!access_ok(from, size))
		return -EFAULT;
	for (size_t done = 0; done < size;) {
		size_t len = min(sizeof(buf), size - done);

		if (mm_read(current->mm, buf, addr + done, len))
			return -EFAULT;
		for (size_t i = 0; i < len; i++)
			if (buf[i])
				return 0;
		done += len;
	}
	return 1;
}

int __copy_struct_from_user(void *dst, size_t ksize, const void __user *src, size_t usize)
{
	size_t size = min(ksize, usize);
	size_t rest = max(ksize, usize) - size;

	if (usize < ksize) {
		memset((char *)dst + size, 0, rest);
	} else if (usize > ksize) {
		int ret = check_zeroed_user((const char __user *)src + size, rest);

		if (ret <= 0)
			return ret ? ret : -E2BIG;
	}
	if (copy_from_user(dst, src, size))
		return -EFAULT;
	return 0;
}

int __copy_struct_to_user(void __user *dst, size_t usize, const void *src, size_t ksize,
			  bool *ignored_trailing)
{
	size_t size = min(ksize, usize);
	size_t rest = max(ksize, usize) - size;

	if (usize > ksize) {
		if (clear_user((char __user *)dst + size, rest))
			return -EFAULT;
	}
	if (ignored_trailing) {
		const u8 *tail = (const u8 *)src + size;

		*ignored_trailing = false;
		for (size_t i = 0; ksize > usize && i < rest; i++)
			if (tail[i])
				*ignored_trailing = true;
	}
	if (copy_to_user(dst, src, size))
		return -EFAULT;
	return 0;
}

long strncpy_from_user(char *dst, const char __user *src, long count)
{
	unsigned long addr = (unsigned long)src;
	long done = 0;

	uaccess_might_fault();
	if (should_fail_usercopy())
		return -EFAULT;
	if (unlikely(count <= 0))
		return 0;
	if (addr >= TASK_SIZE_MAX)
		return -EFAULT;
	/* Page by page: bytes after the NUL may be unreadable. */
	while (done < count) {
		unsigned long a = addr + done;
		long len = min((long)(PAGE_SIZE - (a & ~PAGE_MASK)), count - done);

		if (a >= TASK_SIZE_MAX || mm_read(current->mm, dst + done, a, len))
			return -EFAULT;
		if (const void *nul = memchr(dst + done, 0, len))
			return (const char *)nul - dst;
		done += len;
	}
	return count;
}

long strnlen_user(const char __user *str, long count)
{
	unsigned long addr = (unsigned long)str;
	long done = 0;
	char buf[PAGE_SIZE];

	if (unlikely(count <= 0) || addr >= TASK_SIZE_MAX)
		return 0;
	while (done < count) {
		unsigned long a = addr + done;
		long len = min((long)(PAGE_SIZE - (a & ~PAGE_MASK)), count - done);

		if (a >= TASK_SIZE_MAX || mm_read(current->mm, buf, a, len))
			return 0;
		if (const void *nul = memchr(buf, 0, len))
			return done + ((const char *)nul - buf) + 1;
		done += len;
	}
	return count + 1;
}

__alloc_ptr memdup_user(const void __user *src, size_t len)
{
	void *p = harness_kmalloc_caller(len, GFP_USER | __GFP_NOWARN,
					 __builtin_return_address(0));

	if (!p)
		return {ERR_PTR(-ENOMEM).ptr};
	if (copy_from_user(p, src, len)) {
		kfree(p);
		return {ERR_PTR(-EFAULT).ptr};
	}
	return {p};
}

__alloc_ptr vmemdup_user(const void __user *src, size_t len)
{
	void *p = harness_kvmalloc_caller(len, GFP_USER, __builtin_return_address(0));

	if (!p)
		return {ERR_PTR(-ENOMEM).ptr};
	if (copy_from_user(p, src, len)) {
		kvfree(p);
		return {ERR_PTR(-EFAULT).ptr};
	}
	return {p};
}

__alloc_ptr memdup_user_nul(const void __user *src, size_t len)
{
	char *p = (char *)harness_kmalloc_caller(len + 1, GFP_KERNEL,
						 __builtin_return_address(0));

	if (!p)
		return {ERR_PTR(-ENOMEM).ptr};
	if (copy_from_user(p, src, len)) {
		kfree(p);
		return {ERR_PTR(-EFAULT).ptr};
	}
	p[len] = 0;
	return {p};
}

int __get_user_bytes(void *to, const void __user *from, size_t size)
{
	uaccess_might_fault();
	if (!access_ok(from, size) || mm_read(current->mm, to, (unsigned long)from, size))
		return -EFAULT;
	return 0;
}

int __put_user_bytes(void __user *to, const void *from, size_t size)
{
	uaccess_might_fault();
	if (!access_ok(to, size) || mm_write(current->mm, (unsigned long)to, from, size))
		return -EFAULT;
	return 0;
}
