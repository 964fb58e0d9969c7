// SPDX-License-Identifier: GPL-2.0
/*
 * The kselftest harness checking itself: a kselftest-style program that
 * uses every feature and, on purpose, every way a test can fail.
 * check_tap.py runs it (as C, and compiled as C++ with the uiommufd
 * harness linked in, where one more test shows a WARN_ON failing its test)
 * and compares its TAP output with what the kernel's harness prints for
 * the same program, line for line, and its filters with the kernel's.
 *
 * Expected: 7 pass, 1 xpass, 1 xfail, 2 skip, 7 fail.
 */
#include <signal.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"

#ifdef __cplusplus
#include "harness/bug.h"
#endif

TEST(global_pass)
{
	const char *name = "uiommufd";
	unsigned int u = 3;

	EXPECT_EQ(3, u);
	EXPECT_NE(-1, u + 1);
	EXPECT_LT(1, 2);
	EXPECT_LE(2, 2);
	EXPECT_GT(3, 2);
	EXPECT_GE(3, 3);
	EXPECT_TRUE(u);
	EXPECT_FALSE(u - 3);
	EXPECT_NULL(NULL);
	EXPECT_NOT_NULL(name);
	EXPECT_STREQ("uiommufd", name);
	EXPECT_STRNE("kernel", name);
	ASSERT_EQ(0, 0) TH_LOG("a handler runs only when its check fails");
}

TEST(global_skip)
{
	SKIP(return, "nothing to do on %s", "this machine");
	TH_LOG("UNREACHABLE");
}

TEST_SIGNAL(dies_by_signal, SIGUSR1)
{
	raise(SIGUSR1);
}

TEST(expect_fails)
{
	EXPECT_EQ(2, 1 + 2) {
		TH_LOG("the handler of a failed EXPECT runs, then the test goes on");
	}
	EXPECT_STREQ("a", "b");
	TH_LOG("still running");
}

TEST(assert_fails)
{
	ASSERT_EQ(0, 1);
	TH_LOG("UNREACHABLE");
}

FIXTURE(counter)
{
	int value;
};

FIXTURE_VARIANT(counter)
{
	int start;
	int step;
};

FIXTURE_VARIANT_ADD(counter, small)
{
	.start = 1,
	.step = 1,
};

FIXTURE_VARIANT_ADD(counter, large)
{
	.start = 1000,
	.step = 10,
};

FIXTURE_SETUP(counter)
{
	self->value = variant->start;
}

FIXTURE_TEARDOWN(counter)
{
	EXPECT_LE(variant->start, self->value);
}

TEST_F(counter, increments)
{
	self->value += variant->step;
	ASSERT_EQ(variant->start + variant->step, self->value);
}

TEST_F(counter, large_only)
{
	if (variant->start < 1000)
		SKIP(return, "only for the large variant");
	EXPECT_EQ(1000, self->value);
}

/* Fails for "large", which is marked as expected to fail. */
TEST_F(counter, known_bug)
{
	EXPECT_GT(1000, self->value);
}

/* Passes, though marked as expected to fail for "small": XPASS. */
TEST_F(counter, fixed_bug)
{
	EXPECT_EQ(variant->start, self->value);
}

XFAIL_ADD(counter, large, known_bug);
XFAIL_ADD(counter, small, fixed_bug);

FIXTURE(shared_self)
{
	int stage;
};

FIXTURE_SETUP(shared_self)
{
	self->stage = 1;
}

/* Runs in the test's parent and sees what the test wrote to self. */
FIXTURE_TEARDOWN_PARENT(shared_self)
{
	ASSERT_EQ(2, self->stage);
}

TEST_F(shared_self, parent_sees_test)
{
	ASSERT_EQ(1, self->stage);
	self->stage = 2;
}

FIXTURE(bad_setup)
{
	int unused;
};

FIXTURE_SETUP(bad_setup)
{
	ASSERT_EQ(0, 1);
}

FIXTURE_TEARDOWN(bad_setup)
{
	TH_LOG("UNREACHABLE: no teardown after a failed setup");
}

TEST_F(bad_setup, never_runs)
{
	TH_LOG("UNREACHABLE");
}

FIXTURE(slow)
{
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, times_out, 1)
{
	sleep(30);
}

TEST_F_SIGNAL(slow, signal_through_fixture, SIGUSR2)
{
	raise(SIGUSR2);
}

TEST_F(slow, wrong_signal)
{
	raise(SIGUSR2);
}

/* A check failed in a process the test forked still fails the test. */
TEST_F(slow, child_process_expect_fails)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		EXPECT_EQ(1, 2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
}

#ifdef __cplusplus
/* With the uiommufd kernel linked in, a WARN_ON fails the running test. */
TEST(warn_fails_test)
{
	WARN_ON(1 + 1 == 2);
}
#endif

TEST_HARNESS_MAIN
