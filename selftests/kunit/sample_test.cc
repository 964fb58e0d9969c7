// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit framework's own test, and a tour of it for test authors.
 *
 * "kunit-sample" passes: it uses every feature the way a test should.
 * The suites "kunit-sample-failing", "kunit-sample-bad-init" and
 * "kunit-sample-bad-suite-init" fail on purpose and are only registered
 * when UIOMMUFD_KUNIT_SAMPLE_FAILING is set in the environment. The case
 * failures_are_reported runs this binary again with that variable set and
 * checks, in its output, that every kind of failure failed its case: a
 * failed EXPECT, an ASSERT in a helper (which must also end the case), a
 * leak, a WARN, a tripwire that did not fire, an escaping exception, a
 * failing parameter, a failing init and a failing suite_init.
 */
#include "kunit.h"

#include "harness/bug.h"
#include "harness/slab.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

extern char **environ;

static const char failing_env[] = "UIOMMUFD_KUNIT_SAMPLE_FAILING";

static int suite_init_calls;

static int sample_suite_init(struct kunit_suite *suite)
{
	suite_init_calls++;
	return 0;
}

static void sample_suite_exit(struct kunit_suite *suite)
{
	/* A diagnostic line: the self-test looks for it in the child's KTAP. */
	printf("# %s: suite_exit ran\n", suite->name);
	suite_init_calls = 0;	/* --gtest_repeat runs the suite again */
}

struct sample_ctx {
	int magic;
};

static int sample_init(struct kunit *test)
{
	struct sample_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->magic = 0x5a;
	test->priv = ctx;
	return 0;
}

static void sample_exit(struct kunit *test)
{
	struct sample_ctx *ctx = (struct sample_ctx *)test->priv;

	/* exit runs before the deferred actions: ctx is still allocated. */
	KUNIT_EXPECT_EQ(test, ctx->magic, 0x5a);
}

static void checks_pass(struct kunit *test)
{
	static const u8 a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 2, 3, 4 };
	unsigned long big = 5;
	int *p = (int *)ERR_PTR(-EINVAL);
	int x = 0;

	/* Mixed signedness compares by value, without warnings. */
	KUNIT_EXPECT_EQ(test, big, 5);
	KUNIT_EXPECT_LT(test, -1, big);
	KUNIT_EXPECT_NE(test, 1, 2);
	KUNIT_EXPECT_LE(test, 2, 2);
	KUNIT_EXPECT_GT(test, 3u, 2);
	KUNIT_EXPECT_GE(test, 3, 3ul);
	KUNIT_EXPECT_TRUE(test, big);
	KUNIT_EXPECT_FALSE(test, x);
	KUNIT_EXPECT_STREQ(test, "kunit", std::string("kunit"));
	KUNIT_EXPECT_STRNEQ(test, "kunit", "gtest");
	KUNIT_EXPECT_MEMEQ(test, a, b, sizeof(a));
	KUNIT_EXPECT_PTR_EQ(test, &x, &x);
	KUNIT_EXPECT_PTR_NE(test, &x, NULL);
	KUNIT_EXPECT_NULL(test, NULL);
	KUNIT_EXPECT_NOT_NULL(test, &x);
	KUNIT_EXPECT_ERR_OR_NULL(test, p);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p), -EINVAL);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, &x);
	KUNIT_ASSERT_EQ_MSG(test, x, 0, "x is %d", x);
	kunit_info(test, "all checks passed\n");
}

static void init_ran(struct kunit *test)
{
	struct sample_ctx *ctx = (struct sample_ctx *)test->priv;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->magic, 0x5a);
	KUNIT_EXPECT_EQ(test, suite_init_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, kunit_get_current_test(), test);
}

static void skip_ends_case(struct kunit *test)
{
	kunit_skip(test, "skipping on purpose");
	KUNIT_FAIL(test, "kunit_skip() returned");
}

struct sample_param {
	int a, b, sum;
	bool skip;
	const char *desc;
};

static const struct sample_param sample_params[] = {
	{ 1, 2, 3, false, "one plus two" },
	{ -4, 4, 0, false, "opposites" },
	{ 0, 0, 0, true, "skipped: nothing to add" },
};

KUNIT_ARRAY_PARAM_DESC(sample_params, sample_params, desc);

static void params(struct kunit *test)
{
	const struct sample_param *p =
		(const struct sample_param *)test->param_value;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, &sample_params[test->param_index]);
	if (p->skip)
		kunit_skip(test, "parameter %d is skipped", test->param_index);
	KUNIT_EXPECT_EQ(test, p->a + p->b, p->sum);
}

static const int plain_values[] = { 10, 20 };

static void plain_desc(const int *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "value %d", *v);
}

KUNIT_ARRAY_PARAM(plain_values, plain_values, plain_desc);

static void params_get_desc(struct kunit *test)
{
	const int *v = (const int *)test->param_value;

	KUNIT_EXPECT_EQ(test, *v % 10, 0);
}

/* A helper may ASSERT: on failure it ends the calling case. */
static int checked_half(struct kunit *test, int v)
{
	KUNIT_ASSERT_EQ(test, v % 2, 0);
	return v / 2;
}

static void assert_in_helper_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, checked_half(test, 8), 4);
}

static std::vector<int> action_log;

static void log_action(void *v)
{
	action_log.push_back((int)(uintptr_t)v);
}

static void check_action_order(void *unused)
{
	/*
	 * Registered first, so it runs last: 7 ran when released, then the
	 * others newest first, without the removed 2.
	 */
	std::vector<int> want = { 7, 3, 1 };

	if (action_log != want)
		KUNIT_FAIL(kunit_get_current_test(),
			   "deferred actions ran in the wrong order");
	action_log.clear();
}

static void deferred_actions(struct kunit *test)
{
	char *s;

	action_log.clear();
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, check_action_order, NULL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, log_action, (void *)1), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, log_action, (void *)2), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, log_action, (void *)3), 0);

	/* Released now, so it runs now and not again at the end. */
	kunit_add_action(test, log_action, (void *)7);
	kunit_release_action(test, log_action, (void *)7);
	KUNIT_EXPECT_EQ(test, action_log.size(), 1u);
	/* Removed: never runs. */
	kunit_remove_action(test, log_action, (void *)2);

	/* Managed memory is freed at the end, so it is no leak. */
	s = kunit_kstrdup(test, "managed", GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_STREQ(test, s, "managed");
	KUNIT_ASSERT_NOT_NULL(test, kunit_kcalloc(test, 4, 8, GFP_KERNEL));
	/* An early kunit_kfree() is not a double free at the end. */
	kunit_kfree(test, kunit_kmalloc(test, 16, GFP_KERNEL));
}

static void leak_is_caught(struct kunit *test)
{
	u64 mark = kmem_leak_mark();
	void *p = kmalloc(24, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kmem_leak_report(mark), 1ul);
	kfree(p);
	KUNIT_EXPECT_EQ(test, kmem_leak_report(mark), 0ul);
}

static void tripwire_is_caught(struct kunit *test)
{
	KUNIT_EXPECT_HARNESS_FAILURE(test, WARN_ON(1));
	KUNIT_EXPECT_NE(test, strstr(kunit_last_harness_failure(test), "WARN_ON"),
			(const char *)NULL);
	KUNIT_EXPECT_NO_HARNESS_FAILURE(test, WARN_ON(0));
	/* Statements with commas and braces are fine. */
	KUNIT_EXPECT_HARNESS_FAILURE(test, {
		int a = 1, b = 2;
		WARN_ON(a != b);
	});
}

struct child_result {
	int status;
	std::string out;
};

/* Runs this binary again with the failing suites registered. */
static child_result run_self(const std::vector<std::string> &args)
{
	child_result res = { -1, "" };
	std::vector<std::string> env_store;
	std::vector<char *> argv, envp;
	posix_spawn_file_actions_t fa;
	int pipefd[2];
	pid_t pid;
	char buf[4096];
	ssize_t n;

	argv.push_back((char *)"/proc/self/exe");
	for (const std::string &a : args)
		argv.push_back((char *)a.c_str());
	argv.push_back(nullptr);

	/* gtest and KTAP settings of ours must not leak into the child. */
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "GTEST_", 6) && strncmp(*e, "UIOMMUFD_KTAP=", 14))
			env_store.push_back(*e);
	env_store.push_back(std::string(failing_env) + "=1");
	for (std::string &e : env_store)
		envp.push_back(e.data());
	envp.push_back(nullptr);

	if (pipe2(pipefd, O_CLOEXEC))
		return res;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	fflush(stdout);
	fflush(stderr);
	if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data())) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return res;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
		res.out.append(buf, (size_t)n);
	close(pipefd[0]);
	if (waitpid(pid, &res.status, 0) != pid)
		res.status = -1;
	return res;
}

static bool has_line(const std::string &out, const std::string &line)
{
	size_t at = 0;

	while ((at = out.find(line, at)) != std::string::npos) {
		bool starts = at == 0 || out[at - 1] == '\n';
		bool ends = at + line.size() == out.size() ||
			    out[at + line.size()] == '\n';
		if (starts && ends)
			return true;
		at++;
	}
	return false;
}

#define EXPECT_LINE(test, out, line)                                          \
	KUNIT_EXPECT_TRUE_MSG(test, has_line(out, line), "missing line: %s",  \
			      std::string(line).c_str())
#define EXPECT_TEXT(test, out, text)                                          \
	KUNIT_EXPECT_TRUE_MSG(test, (out).find(text) != std::string::npos,    \
			      "missing text: %s", text)

static void failures_are_reported(struct kunit *test)
{
	const std::string everything_else =
		"--gtest_filter=*-kunit_sample.failures_are_reported";
	child_result r = run_self({ everything_else, "--ktap" });
	const std::string &o = r.out;

	KUNIT_ASSERT_TRUE_MSG(test, WIFEXITED(r.status),
			      "child ended by signal; output:\n%s", o.c_str());
	KUNIT_EXPECT_EQ(test, WEXITSTATUS(r.status), 1);

	EXPECT_LINE(test, o, "KTAP version 1");
	EXPECT_LINE(test, o, "1..4");
	/* The passing suite still passes next to failing ones. */
	EXPECT_LINE(test, o, "    # Subtest: kunit-sample");
	EXPECT_LINE(test, o, "    ok 3 skip_ends_case # SKIP skipping on purpose");
	EXPECT_LINE(test, o, "        # Subtest: params");
	EXPECT_LINE(test, o, "        ok 1 one plus two");
	EXPECT_LINE(test, o, "        ok 3 skipped: nothing to add # SKIP parameter 2 is skipped");
	EXPECT_LINE(test, o, "    # params: pass:2 fail:0 skip:1 total:3");
	EXPECT_LINE(test, o, "        ok 2 value 20");
	EXPECT_LINE(test, o, "# kunit-sample: suite_exit ran");
	EXPECT_LINE(test, o, "ok 1 kunit-sample");

	/* A failed EXPECT fails the case and lets it go on. */
	EXPECT_LINE(test, o, "    not ok 1 expect_fails");
	EXPECT_TEXT(test, o, "# expect_fails: EXPECTATION FAILED at ");
	EXPECT_LINE(test, o, "    # Expected 1 + 1 == 3, but");
	EXPECT_LINE(test, o, "    #     1 + 1 == 2 (0x2)");
	EXPECT_LINE(test, o, "    # expect_fails: still running");
	/* An ASSERT in a helper ends the whole case. */
	EXPECT_LINE(test, o, "    not ok 2 assert_in_helper");
	EXPECT_TEXT(test, o, "# assert_in_helper: ASSERTION FAILED at ");
	KUNIT_EXPECT_EQ(test, o.find("UNREACHABLE"), std::string::npos);
	/* Leaks, WARNs, missing tripwires and exceptions fail the case. */
	EXPECT_LINE(test, o, "    not ok 3 leak_fails");
	EXPECT_TEXT(test, o, "# leak_fails: LEAK at ");
	EXPECT_LINE(test, o, "    not ok 4 warn_fails");
	EXPECT_TEXT(test, o, "# warn_fails: HARNESS FAILURE at ");
	EXPECT_LINE(test, o, "    not ok 5 missing_tripwire");
	EXPECT_TEXT(test, o, "to trip a harness failure, but none was reported");
	EXPECT_LINE(test, o, "    not ok 6 exception_escapes");
	EXPECT_TEXT(test, o, "in the case: boom");
	/* One failing parameter fails its case, not its siblings. */
	EXPECT_LINE(test, o, "        ok 1 param-0");
	EXPECT_LINE(test, o, "        not ok 2 param-1");
	EXPECT_LINE(test, o, "        ok 3 param-2");
	EXPECT_LINE(test, o, "    not ok 7 params_one_fails");
	EXPECT_LINE(test, o, "not ok 2 kunit-sample-failing");
	/* A failing init fails the case; exit still runs, the case does not. */
	EXPECT_TEXT(test, o, "failed to initialize: -22");
	EXPECT_LINE(test, o, "    # never_runs: exit ran");
	EXPECT_LINE(test, o, "    not ok 1 never_runs");
	EXPECT_LINE(test, o, "not ok 3 kunit-sample-bad-init");
	/* A failing suite_init fails the suite without running it. */
	EXPECT_TEXT(test, o, "failed to initialize (-12)");
	EXPECT_LINE(test, o, "not ok 4 kunit-sample-bad-suite-init");

	/* Without --ktap, gtest reports the same failures its own way. */
	r = run_self({ "--gtest_filter=kunit_sample_failing.expect_fails" });
	KUNIT_EXPECT_TRUE(test, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	EXPECT_TEXT(test, r.out, "[  FAILED  ] kunit_sample_failing.expect_fails");
	EXPECT_TEXT(test, r.out, "EXPECTATION FAILED");
}

static struct kunit_case sample_cases[] = {
	KUNIT_CASE(checks_pass),
	KUNIT_CASE(init_ran),
	KUNIT_CASE(skip_ends_case),
	KUNIT_CASE_PARAM(params, sample_params_gen_params),
	KUNIT_CASE_PARAM(params_get_desc, plain_values_gen_params),
	KUNIT_CASE(assert_in_helper_passes),
	KUNIT_CASE(deferred_actions),
	KUNIT_CASE(leak_is_caught),
	KUNIT_CASE(tripwire_is_caught),
	KUNIT_CASE_SLOW(failures_are_reported),
	{}
};

static struct kunit_suite sample_suite = {
	.name = "kunit-sample",
	.suite_init = sample_suite_init,
	.suite_exit = sample_suite_exit,
	.init = sample_init,
	.exit = sample_exit,
	.test_cases = sample_cases,
};

kunit_test_suite(sample_suite);

/* Everything below fails on purpose. */

static void expect_fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 3);
	kunit_info(test, "still running");
}

static void assert_in_helper(struct kunit *test)
{
	checked_half(test, 3);
	kunit_info(test, "UNREACHABLE");
}

static void leak_fails(struct kunit *test)
{
	void *p = kmalloc(40, GFP_KERNEL);

	KUNIT_EXPECT_NOT_NULL(test, p);
}

static void warn_fails(struct kunit *test)
{
	WARN_ON(1);
}

static void missing_tripwire(struct kunit *test)
{
	KUNIT_EXPECT_HARNESS_FAILURE(test, WARN_ON(0));
}

static void exception_escapes(struct kunit *test)
{
	throw std::runtime_error("boom");
}

static const void *three_params(const void *prev, char *desc)
{
	static const int v[3] = { 0, 1, 2 };
	const int *p = prev ? (const int *)prev + 1 : v;

	return p < v + 3 ? p : NULL;
}

static void params_one_fails(struct kunit *test)
{
	KUNIT_EXPECT_NE(test, *(const int *)test->param_value, 1);
}

static struct kunit_case failing_cases[] = {
	KUNIT_CASE(expect_fails),
	KUNIT_CASE(assert_in_helper),
	KUNIT_CASE(leak_fails),
	KUNIT_CASE(warn_fails),
	KUNIT_CASE(missing_tripwire),
	KUNIT_CASE(exception_escapes),
	KUNIT_CASE_PARAM(params_one_fails, three_params),
	{}
};

static struct kunit_suite failing_suite = {
	.name = "kunit-sample-failing",
	.test_cases = failing_cases,
};

static int bad_init(struct kunit *test)
{
	return -EINVAL;
}

static void exit_after_bad_init(struct kunit *test)
{
	kunit_info(test, "exit ran");
}

static void never_runs(struct kunit *test)
{
	kunit_info(test, "UNREACHABLE");
}

static struct kunit_case never_cases[] = {
	KUNIT_CASE(never_runs),
	{}
};

static struct kunit_suite bad_init_suite = {
	.name = "kunit-sample-bad-init",
	.init = bad_init,
	.exit = exit_after_bad_init,
	.test_cases = never_cases,
};

static int bad_suite_init(struct kunit_suite *suite)
{
	return -ENOMEM;
}

static struct kunit_suite bad_suite_init_suite = {
	.name = "kunit-sample-bad-suite-init",
	.suite_init = bad_suite_init,
	.test_cases = never_cases,
};

static struct kunit_suite *const failing_suites[] = {
	&failing_suite,
	&bad_init_suite,
	&bad_suite_init_suite,
};

/* Registered only for failures_are_reported's child (and the KTAP checks). */
[[maybe_unused]] static const int failing_registered =
	getenv(failing_env) ? __kunit_test_suites_register(
				      failing_suites, ARRAY_SIZE(failing_suites),
				      __FILE__, __LINE__) :
			      0;
