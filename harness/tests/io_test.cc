// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of MMIO regions and the recording stub: accesses reach the
 * model with offset and size, are recorded in order (including the halves
 * of lo_hi/hi_lo accessors), bad accesses are reported and read as
 * all-ones, a direct dereference of an __iomem pointer crashes, and the
 * poll helpers time out.
 */
#include "harness/io.h"

#include "kunit.h"
#include "user_mem.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static void expect_access(struct kunit *test, struct mmio_recorder *rec, size_t i, bool write,
			  u64 offset, unsigned size, u64 val)
{
	struct mmio_access a = mmio_recorder_get(rec, i);

	KUNIT_EXPECT_EQ_MSG(test, a.write, write, "access %zu", i);
	KUNIT_EXPECT_EQ_MSG(test, a.offset, offset, "access %zu", i);
	KUNIT_EXPECT_EQ_MSG(test, (unsigned)a.size, size, "access %zu", i);
	KUNIT_EXPECT_EQ_MSG(test, a.val, val, "access %zu", i);
}

/* Tripwire-free path: every access recorded, in order, with its size. */
static void io_recorder_sequence(struct kunit *test)
{
	struct mmio_recorder rec;

	mmio_recorder_init(&rec, 0x100, NULL, NULL);
	void __iomem *base = ioremap_recorder(&rec, 0x100);
	KUNIT_ASSERT_NOT_NULL(test, base);
	char __iomem *b = (char __iomem *)base;

	writel(0x12345678, b + 0x10);
	KUNIT_EXPECT_EQ(test, readl(b + 0x10), 0x12345678U);
	KUNIT_EXPECT_EQ(test, readw(b + 0x12), 0x1234);
	writeb(0xab, b + 0x3);
	writeq(0x1122334455667788ULL, b + 0x20);
	KUNIT_EXPECT_EQ(test, readq_relaxed(b + 0x20), 0x1122334455667788ULL);
	lo_hi_writeq(0xaaaabbbbccccddddULL, b + 0x30);
	KUNIT_EXPECT_EQ(test, hi_lo_readq(b + 0x30), 0xaaaabbbbccccddddULL);

	KUNIT_ASSERT_EQ(test, mmio_recorder_count(&rec), (size_t)10);
	expect_access(test, &rec, 0, true, 0x10, 4, 0x12345678);
	expect_access(test, &rec, 1, false, 0x10, 4, 0x12345678);
	expect_access(test, &rec, 2, false, 0x12, 2, 0x1234);
	expect_access(test, &rec, 3, true, 0x3, 1, 0xab);
	expect_access(test, &rec, 4, true, 0x20, 8, 0x1122334455667788ULL);
	expect_access(test, &rec, 5, false, 0x20, 8, 0x1122334455667788ULL);
	/* lo_hi: low half first; hi_lo: high half first. */
	expect_access(test, &rec, 6, true, 0x30, 4, 0xccccdddd);
	expect_access(test, &rec, 7, true, 0x34, 4, 0xaaaabbbb);
	expect_access(test, &rec, 8, false, 0x34, 4, 0xaaaabbbb);
	expect_access(test, &rec, 9, false, 0x30, 4, 0xccccdddd);

	mmio_recorder_clear(&rec);
	KUNIT_EXPECT_EQ(test, mmio_recorder_count(&rec), (size_t)0);
	mmio_recorder_set(&rec, 0x40, 0xfeed, 4);
	KUNIT_EXPECT_EQ(test, readl(b + 0x40), 0xfeedU);
	KUNIT_EXPECT_EQ(test, mmio_recorder_count(&rec), (size_t)1);
	iounmap(base);
}

struct counting_model {
	unsigned reads, writes;
	u64 last_write;
};

static u64 model_read(void *priv, u64 offset, unsigned size)
{
	struct counting_model *m = (struct counting_model *)priv;

	m->reads++;
	return offset == 0x8 ? m->reads : 0xffffffffffffffffULL;
}

static void model_write(void *priv, u64 offset, u64 val, unsigned size)
{
	struct counting_model *m = (struct counting_model *)priv;

	m->writes++;
	m->last_write = val;
}

static const struct mmio_ops counting_ops = {
	.read = model_read,
	.write = model_write,
};

static void io_recorder_forwards(struct kunit *test)
{
	struct counting_model m = {};
	struct mmio_recorder rec;

	mmio_recorder_init(&rec, 0, &counting_ops, &m);
	char __iomem *b = (char __iomem *)ioremap_recorder(&rec, 0x1000);
	KUNIT_ASSERT_NOT_NULL(test, b);
	writel(7, b + 0x100);
	KUNIT_EXPECT_EQ(test, m.last_write, 7ULL);
	/* Values are truncated to the access size. */
	KUNIT_EXPECT_EQ(test, readw(b + 0x200), 0xffff);
	KUNIT_EXPECT_EQ(test, readl(b + 0x8), 2U);
	KUNIT_EXPECT_EQ(test, mmio_recorder_count(&rec), (size_t)3);
	expect_access(test, &rec, 1, false, 0x200, 2, 0xffff);
	iounmap(b);
}

/* Tripwire: accesses outside a region, past its end, or misaligned. */
static void io_bad_accesses(struct kunit *test)
{
	struct counting_model m = {};
	char __iomem *b = (char __iomem *)ioremap_model(0x20, &counting_ops, &m);
	u32 v = 0;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_HARNESS_FAILURE(test, v = readl(b + 0x20));
	KUNIT_EXPECT_EQ(test, v, 0xffffffffU);
	KUNIT_EXPECT_HARNESS_FAILURE(test, writeq(1, b + 0x1c));
	KUNIT_EXPECT_HARNESS_FAILURE(test, v = readl(b + 2));
	KUNIT_EXPECT_HARNESS_FAILURE(test, writel(1, (void __iomem *)&v));
	KUNIT_EXPECT_EQ(test, m.reads + m.writes, 0U);
	/* Tripwire: iounmap of something that is not a region's start. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, iounmap(b + 4));
	iounmap(b);
	/* After iounmap, the old address is no region at all. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, v = readl(b));
	KUNIT_EXPECT_HARNESS_FAILURE(test, iounmap(b));
}

/* Tripwire: dereferencing an __iomem pointer instead of readl() crashes. */
static void io_direct_deref_crashes(struct kunit *test)
{
	struct mmio_recorder rec;
	int status;

	mmio_recorder_init(&rec, 0x100, NULL, NULL);
	void __iomem *b = ioremap_recorder(&rec, 0x100);
	KUNIT_ASSERT_NOT_NULL(test, b);
	pid_t pid = fork();
	KUNIT_ASSERT_GE(test, pid, 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		(void)*(volatile u32 *)b;
		child_exit(0);
	}
	KUNIT_ASSERT_EQ(test, waitpid(pid, &status, 0), pid);
	KUNIT_EXPECT_FALSE(test, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	iounmap(b);
}

static void io_poll_timeout(struct kunit *test)
{
	struct counting_model m = {};
	char __iomem *b = (char __iomem *)ioremap_model(0x10, &counting_ops, &m);
	u32 val;

	/* The register at 0x8 counts reads: ready on the third. */
	KUNIT_EXPECT_EQ(test, readl_poll_timeout(b + 0x8, val, val >= 3, 0, 100000), 0);
	KUNIT_EXPECT_EQ(test, val, 3U);
	u64 start = __io_now_us();
	KUNIT_EXPECT_EQ(test, readl_relaxed_poll_timeout(b + 0x8, val, val == 0, 10, 2000),
			-ETIMEDOUT);
	KUNIT_EXPECT_GE(test, __io_now_us() - start, 2000ULL);
	iounmap(b);
}

static void io_memcpy(struct kunit *test)
{
	struct mmio_recorder rec;
	char out[12];

	mmio_recorder_init(&rec, 0x40, NULL, NULL);
	char __iomem *b = (char __iomem *)ioremap_recorder(&rec, 0x40);
	memcpy_toio(b + 7, "hello world", 12);
	memcpy_fromio(out, b + 7, 12);
	KUNIT_EXPECT_STREQ(test, out, "hello world");
	/* One byte to reach alignment, then a word, then bytes. */
	KUNIT_EXPECT_EQ(test, (unsigned)mmio_recorder_get(&rec, 0).size, 1U);
	KUNIT_EXPECT_EQ(test, (unsigned)mmio_recorder_get(&rec, 1).size, 8U);
	memset_io(b, 0, 4);
	KUNIT_EXPECT_EQ(test, readl(b), 0U);
	iounmap(b);
}

static struct kunit_case io_cases[] = {
	KUNIT_CASE(io_recorder_sequence),
	KUNIT_CASE(io_recorder_forwards),
	KUNIT_CASE(io_bad_accesses),
	KUNIT_CASE(io_direct_deref_crashes),
	KUNIT_CASE(io_poll_timeout),
	KUNIT_CASE(io_memcpy),
	{}
};

static struct kunit_suite io_suite = {
	.name = "harness-io",
	.test_cases = io_cases,
};
kunit_test_suite(io_suite);
