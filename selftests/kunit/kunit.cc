// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit runner: registration with GoogleTest, the life cycle of a case,
 * and the KTAP printer.
 *
 * Every KUnit case (every parameter of a parameterised one) is one gtest
 * test, registered by kunit_test_suite() before main(). Its TestBody runs
 * the case as the kernel does: suite->init, the case, suite->exit (even if
 * init failed), then the deferred actions newest first. Around that it
 * installs harness_test_ops so a tripwire fails the case, and brackets the
 * case with kmem_leak_mark()/kmem_leak_report() so a leak fails it too.
 * suite_init/suite_exit run from the gtest fixture's SetUpTestSuite and
 * TearDownTestSuite; a failing suite_init makes gtest skip the suite's
 * tests and fail the suite, as the kernel marks the suite "not ok".
 *
 * Every failure is a gtest test-part result, so gtest's printer, its
 * XML/JSON output and the exit status all agree; the KTAP printer is one
 * more gtest listener that renders the same results in the kernel's layout.
 * KUNIT_ASSERT and kunit_skip unwind to the runner by throwing kunit_abort,
 * a type that only this file can name, so test code cannot swallow it with
 * a catch of its own by accident (catch (...) excepted).
 */
#include "kunit.h"
#include "harness/testhooks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

struct kunit_run_state {
	struct case_entry *entry;
	std::vector<std::pair<kunit_action_t *, void *>> actions;
	std::mutex lock;	/* capture state: tripwires may fire on any thread */
	int capture_depth = 0;
	unsigned long captured = 0;
	std::string last_harness_failure;
};

struct suite_state {
	struct kunit_suite *suite;
	std::string gtest_name;
	const char *file;
	int line;
	int init_err;
	bool init_ran;
};

struct case_entry {
	struct suite_state *suite;
	struct kunit_case *kcase;
	int param_index;	/* -1: not parameterised */
	std::string param_desc;	/* the parameter's KTAP name */
	bool no_params;		/* parameterised, but the generator gave none */
};

namespace {

struct kunit_abort {};

struct registry {
	/* deques: entries are pointed to, so they must never move */
	std::deque<suite_state> suites;
	std::deque<case_entry> cases;
	std::map<const testing::TestInfo *, case_entry *> by_info;
	std::map<std::string, suite_state *> by_gtest_suite;
};

/* Built on first use: registration runs during static initialisation. */
registry &reg()
{
	static registry r;
	return r;
}

std::atomic<struct kunit *> current_test;

std::string gtest_name(const char *s)
{
	std::string out;

	for (; s && *s; s++)
		out += isalnum((unsigned char)*s) || *s == '_' ? *s : '_';
	return out.empty() ? "_" : out;
}

std::string vformat(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(nullptr, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return std::string();
	std::string s((size_t)n + 1, '\0');
	vsnprintf(s.data(), s.size(), fmt, ap);
	s.resize((size_t)n);
	return s;
}

void record(testing::TestPartResult::Type type, const char *file, int line,
	    const std::string &msg)
{
	testing::internal::AssertHelper(type, file, line, msg.c_str()) =
		testing::Message();
}

/* Tripwires reported through the harness land here. */
void harness_fail(const char *file, int line, const char *msg)
{
	struct kunit *test = current_test.load();

	if (test && test->run) {
		kunit_run_state *rs = test->run;
		std::lock_guard<std::mutex> g(rs->lock);
		if (rs->capture_depth > 0) {
			rs->captured++;
			rs->last_harness_failure = msg;
			return;
		}
	}
	if (test)
		test->status = KUNIT_FAILURE;
	record(testing::TestPartResult::kNonFatalFailure, file, line,
	       std::string("HARNESS FAILURE\n") + msg);
}

const struct harness_test_ops kunit_harness_ops = { .fail = harness_fail };

/* Our ops for the scope of a case or a suite hook; the previous ones after. */
class ops_scope {
public:
	ops_scope() : saved(harness_get_test_ops())
	{
		harness_set_test_ops(&kunit_harness_ops);
	}
	~ops_scope() { harness_set_test_ops(saved); }
	ops_scope(const ops_scope &) = delete;
	ops_scope &operator=(const ops_scope &) = delete;

private:
	const struct harness_test_ops *saved;
};

const void *nth_param(const case_entry *e, char *desc)
{
	const void *p = nullptr;

	for (int i = 0; i <= e->param_index; i++) {
		desc[0] = '\0';
		p = e->kcase->generate_params(p, desc);
		desc[KUNIT_PARAM_DESC_SIZE - 1] = '\0';
		if (!p)
			return nullptr;
	}
	return p;
}

/*
 * Runs one stage of a case; an abort or a stray exception ends the stage.
 * An exception is blamed on the suite's registration, the best place we
 * know of in the test's source.
 */
template <typename F>
void run_stage(struct kunit *test, const suite_state *ss, const char *stage,
	       F fn)
{
	try {
		fn();
	} catch (const kunit_abort &) {
		/* The failure or skip that aborted is already recorded. */
	} catch (const std::exception &ex) {
		test->status = KUNIT_FAILURE;
		record(testing::TestPartResult::kNonFatalFailure, ss->file,
		       ss->line,
		       std::string("UNCAUGHT EXCEPTION\nin ") + stage + ": " +
			       ex.what());
	} catch (...) {
		test->status = KUNIT_FAILURE;
		record(testing::TestPartResult::kNonFatalFailure, ss->file,
		       ss->line, std::string("UNCAUGHT EXCEPTION\nin ") + stage);
	}
}

void run_case(case_entry *e)
{
	suite_state *ss = e->suite;
	struct kunit_suite *suite = ss->suite;
	char desc[KUNIT_PARAM_DESC_SIZE];
	kunit_run_state rs;
	struct kunit test = {};

	if (e->no_params) {
		record(testing::TestPartResult::kSkip, ss->file, ss->line,
		       "no parameters");
		return;
	}
	if (ss->init_err) {
		record(testing::TestPartResult::kFatalFailure, ss->file,
		       ss->line, "suite_init failed");
		return;
	}

	rs.entry = e;
	test.name = e->kcase->name;
	test.status = KUNIT_SUCCESS;
	test.run = &rs;
	if (e->param_index >= 0) {
		test.param_index = e->param_index;
		test.param_value = nth_param(e, desc);
		if (!test.param_value) {
			record(testing::TestPartResult::kFatalFailure, ss->file,
			       ss->line,
			       "PARAMETER VANISHED\nthe generator no longer "
			       "yields parameter " +
				       std::to_string(e->param_index));
			return;
		}
	}

	ops_scope ops;
	current_test.store(&test);
#ifdef __KUNIT_HAVE_SLAB
	u64 mark = kmem_leak_mark();
#endif

	run_stage(&test, ss, "the case", [&] {
		if (suite->init) {
			int ret = suite->init(&test);
			if (ret) {
				__kunit_do_failed_assertion(
					&test, ss->file, ss->line,
					KUNIT_ASSERTION, std::string(),
					"failed to initialize: %d", ret);
				return;
			}
		}
		e->kcase->run_case(&test);
	});
	{
		/* An ASSERT inside a capture must not hide later tripwires. */
		std::lock_guard<std::mutex> g(rs.lock);
		rs.capture_depth = 0;
	}
	run_stage(&test, ss, "suite->exit", [&] {
		if (suite->exit)
			suite->exit(&test);
	});
	while (!rs.actions.empty()) {
		auto action = rs.actions.back();
		rs.actions.pop_back();
		run_stage(&test, ss, "a deferred action",
			  [&] { action.first(action.second); });
	}

#ifdef __KUNIT_HAVE_SLAB
	unsigned long leaks = kmem_leak_report(mark);
	if (leaks) {
		test.status = KUNIT_FAILURE;
		record(testing::TestPartResult::kNonFatalFailure, ss->file,
		       ss->line,
		       "LEAK\n" + std::to_string(leaks) +
			       " allocation(s) made during the case are still "
			       "live (listed on stderr)");
	}
#endif
	current_test.store(nullptr);
}

suite_state *running_suite()
{
	const testing::TestSuite *ts =
		testing::UnitTest::GetInstance()->current_test_suite();
	if (!ts)
		return nullptr;
	auto it = reg().by_gtest_suite.find(ts->name());
	return it == reg().by_gtest_suite.end() ? nullptr : it->second;
}

class kunit_gtest_case : public testing::Test {
public:
	explicit kunit_gtest_case(case_entry *e) : entry(e) {}

	static void SetUpTestSuite()
	{
		suite_state *ss = running_suite();
		if (!ss)
			return;
		ss->init_ran = true;
		ss->init_err = 0;
		ss->suite->suite_init_err = 0;
		ss->suite->status_comment[0] = '\0';
		if (!ss->suite->suite_init)
			return;
		ops_scope ops;
		ss->init_err = ss->suite->suite_init(ss->suite);
		ss->suite->suite_init_err = ss->init_err;
		if (ss->init_err)
			record(testing::TestPartResult::kNonFatalFailure,
			       ss->file, ss->line,
			       "failed to initialize (" +
				       std::to_string(ss->init_err) + ")");
	}

	static void TearDownTestSuite()
	{
		suite_state *ss = running_suite();
		if (!ss || !ss->init_ran)
			return;
		ss->init_ran = false;
		if (ss->init_err || !ss->suite->suite_exit)
			return;
		ops_scope ops;
		ss->suite->suite_exit(ss->suite);
	}

	void TestBody() override { run_case(entry); }

private:
	case_entry *entry;
};

void register_one(suite_state *ss, struct kunit_case *kc,
		  const std::string &name, int param_index,
		  const std::string &desc, bool no_params)
{
	registry &r = reg();

	r.cases.push_back({ ss, kc, param_index, desc, no_params });
	case_entry *e = &r.cases.back();
	const testing::TestInfo *ti = testing::RegisterTest(
		ss->gtest_name.c_str(), name.c_str(), nullptr,
		param_index >= 0 ? e->param_desc.c_str() : nullptr, ss->file,
		ss->line, [e]() -> kunit_gtest_case * {
			/* The type gives gtest our SetUp/TearDownTestSuite. */
			return new kunit_gtest_case(e);
		});
	r.by_info[ti] = e;
}

std::string unique_name(std::set<std::string> &used, const std::string &base)
{
	std::string name = base;

	for (int n = 2; used.count(name); n++)
		name = base + "_" + std::to_string(n);
	used.insert(name);
	return name;
}

void register_suite(struct kunit_suite *suite, const char *file, int line)
{
	registry &r = reg();
	std::string base = gtest_name(suite->name), name = base;

	for (int n = 2; r.by_gtest_suite.count(name); n++)
		name = base + "_" + std::to_string(n);
	r.suites.push_back({ suite, name, file, line, 0, false });
	suite_state *ss = &r.suites.back();
	r.by_gtest_suite[name] = ss;

	std::set<std::string> used;
	for (struct kunit_case *kc = suite->test_cases; kc && kc->run_case; kc++) {
		std::string cname = unique_name(used, gtest_name(kc->name));

		if (!kc->generate_params) {
			register_one(ss, kc, cname, -1, std::string(), false);
			continue;
		}

		/*
		 * Parameters are enumerated now, before suite_init, which is
		 * fine for the generators KUnit tests write (they walk static
		 * tables); the case re-generates its own at run time.
		 */
		char desc[KUNIT_PARAM_DESC_SIZE] = "";
		const void *p = kc->generate_params(nullptr, desc);
		if (!p) {
			register_one(ss, kc, cname, -1, std::string(), true);
			continue;
		}
		std::set<std::string> used_params;
		for (int i = 0; p; i++) {
			desc[KUNIT_PARAM_DESC_SIZE - 1] = '\0';
			std::string d = desc[0] ? std::string(desc) :
						  "param-" + std::to_string(i);
			register_one(ss, kc,
				     cname + "/" +
					     unique_name(used_params,
							 gtest_name(d.c_str())),
				     i, d, false);
			desc[0] = '\0';
			p = kc->generate_params(p, desc);
		}
	}
}

/* KTAP v1, laid out as the kernel's KUnit executor prints it. */
class ktap_printer : public testing::EmptyTestEventListener {
public:
	void OnTestIterationStart(const testing::UnitTest &u, int) override
	{
		int n = 0;

		for (int i = 0; i < u.total_test_suite_count(); i++) {
			const testing::TestSuite *ts = u.GetTestSuite(i);
			if (ts->should_run() && ts->test_to_run_count() > 0)
				n++;
		}
		emit(0, "KTAP version 1");
		emit(0, "1..%d", n);
		suite_no = 0;
	}

	void OnTestSuiteStart(const testing::TestSuite &ts) override
	{
		suite_no++;
		plan.clear();
		header_printed = false;
		suite_stats = total_stats = group_stats = {};
		cur = nullptr;
		ss = nullptr;
		auto it = reg().by_gtest_suite.find(ts.name());
		if (it != reg().by_gtest_suite.end())
			ss = it->second;
		suite_name = ss ? ss->suite->name : ts.name();

		/* Group consecutive parameters of one case into a subtest. */
		std::vector<const testing::TestInfo *> run;
		for (int i = 0; i < ts.total_test_count(); i++)
			if (ts.GetTestInfo(i)->should_run())
				run.push_back(ts.GetTestInfo(i));
		int case_no = 0;
		for (size_t i = 0; i < run.size(); i++) {
			pos p = describe(run[i]);
			const pos *prev = i ? &plan[run[i - 1]] : nullptr;
			if (p.param && prev && prev->param && prev->key == p.key) {
				p.case_no = prev->case_no;
				p.param_no = prev->param_no + 1;
				plan[run[i - 1]].last = false;
			} else {
				p.case_no = ++case_no;
				p.param_no = 1;
				p.first = true;
			}
			p.last = true;
			plan[run[i]] = p;
		}
		nr_cases = case_no;
	}

	void OnTestStart(const testing::TestInfo &ti) override
	{
		cur = &plan[&ti];
		if (init_failed())
			return;
		if (!header_printed) {
			emit(4, "KTAP version 1");
			emit(4, "# Subtest: %s", suite_name.c_str());
			emit(4, "1..%d", nr_cases);
			header_printed = true;
		}
		if (cur->param && cur->first) {
			emit(8, "KTAP version 1");
			emit(8, "# Subtest: %s", cur->case_name.c_str());
			emit(8, "1..%d", group_size(*cur));
		}
	}

	void OnTestPartResult(const testing::TestPartResult &r) override
	{
		if (r.type() == testing::TestPartResult::kSuccess ||
		    r.type() == testing::TestPartResult::kSkip)
			return;
		int indent = cur ? (cur->param ? 8 : 4) : (ss ? 4 : 0);
		const std::string &who = cur ? cur->case_name : suite_name;
		std::string msg = r.message();
		size_t nl = msg.find('\n');
		std::string head = msg.substr(0, nl);
		if (r.file_name())
			head += " at " + std::string(r.file_name()) + ":" +
				std::to_string(r.line_number());
		emit(indent, "# %s: %s", who.c_str(), head.c_str());
		while (nl != std::string::npos) {
			size_t next = msg.find('\n', nl + 1);
			std::string l = msg.substr(nl + 1, next - nl - 1);
			emit(indent, "# %s", l.c_str());
			nl = next;
		}
	}

	void OnTestEnd(const testing::TestInfo &ti) override
	{
		const pos &p = plan[&ti];
		const testing::TestResult *res = ti.result();
		enum kunit_status st = res->Failed()	? KUNIT_FAILURE :
				       res->Skipped()	? KUNIT_SKIPPED :
							  KUNIT_SUCCESS;
		cur = nullptr;
		if (init_failed())
			return;

		if (!p.param) {
			result_line(4, st, p.case_no, p.case_name,
				    skip_reason(*res));
			suite_stats.add(st);
			total_stats.add(st);
			return;
		}
		result_line(8, st, p.param_no, p.desc, skip_reason(*res));
		group_stats.add(st);
		if (!p.last)
			return;
		enum kunit_status gst = group_stats.fail ? KUNIT_FAILURE :
					group_stats.pass ? KUNIT_SUCCESS :
							   KUNIT_SKIPPED;
		if (group_stats.total() > 1)
			emit(4, "# %s: pass:%d fail:%d skip:%d total:%d",
			     p.case_name.c_str(), group_stats.pass,
			     group_stats.fail, group_stats.skip,
			     group_stats.total());
		result_line(4, gst, p.case_no, p.case_name, "");
		suite_stats.add(gst);
		total_stats.pass += group_stats.pass;
		total_stats.fail += group_stats.fail;
		total_stats.skip += group_stats.skip;
		group_stats = {};
	}

	void OnTestSuiteEnd(const testing::TestSuite &ts) override
	{
		if (init_failed()) {
			emit(0, "not ok %d %s", suite_no, suite_name.c_str());
			return;
		}
		if (suite_stats.total() > 1)
			emit(0, "# %s: pass:%d fail:%d skip:%d total:%d",
			     suite_name.c_str(), suite_stats.pass,
			     suite_stats.fail, suite_stats.skip,
			     suite_stats.total());
		if (total_stats.total() > 1)
			emit(0, "# Totals: pass:%d fail:%d skip:%d total:%d",
			     total_stats.pass, total_stats.fail,
			     total_stats.skip, total_stats.total());
		enum kunit_status st =
			suite_stats.fail || ts.ad_hoc_test_result().Failed() ?
				KUNIT_FAILURE :
			suite_stats.pass ? KUNIT_SUCCESS :
					   KUNIT_SKIPPED;
		result_line(0, st, suite_no, suite_name, "");
		ss = nullptr;
	}

private:
	struct pos {
		const void *key = nullptr;	/* the kunit_case, or the TestInfo */
		bool param = false;
		std::string case_name, desc;
		int case_no = 0, param_no = 0;
		bool first = false, last = false;
	};

	struct stats {
		int pass = 0, fail = 0, skip = 0;
		int total() const { return pass + fail + skip; }
		void add(enum kunit_status st)
		{
			if (st == KUNIT_SUCCESS)
				pass++;
			else if (st == KUNIT_FAILURE)
				fail++;
			else
				skip++;
		}
	};

	static pos describe(const testing::TestInfo *ti)
	{
		pos p;
		auto it = reg().by_info.find(ti);

		if (it == reg().by_info.end()) {
			/* A plain gtest TEST() linked into a KUnit binary. */
			p.key = ti;
			p.case_name = ti->name();
			return p;
		}
		case_entry *e = it->second;
		p.key = e->kcase;
		p.case_name = e->kcase->name;
		p.param = e->param_index >= 0;
		p.desc = e->param_desc;
		return p;
	}

	int group_size(const pos &first) const
	{
		int n = 0;

		for (const auto &kv : plan)
			if (kv.second.param && kv.second.case_no == first.case_no)
				n++;
		return n;
	}

	bool init_failed() const { return ss && ss->init_err; }

	static std::string skip_reason(const testing::TestResult &res)
	{
		for (int i = 0; i < res.total_part_count(); i++) {
			const testing::TestPartResult &r = res.GetTestPartResult(i);
			if (r.type() == testing::TestPartResult::kSkip)
				return r.message();
		}
		return std::string();
	}

	static void result_line(int indent, enum kunit_status st, int no,
				const std::string &name,
				const std::string &reason)
	{
		if (st == KUNIT_SKIPPED)
			emit(indent, "ok %d %s # SKIP%s%s", no, name.c_str(),
			     reason.empty() ? "" : " ", reason.c_str());
		else
			emit(indent, "%s %d %s",
			     st == KUNIT_FAILURE ? "not ok" : "ok", no,
			     name.c_str());
	}

	__attribute__((format(printf, 2, 3)))
	static void emit(int indent, const char *fmt, ...)
	{
		va_list ap;

		va_start(ap, fmt);
		std::string s = vformat(fmt, ap);
		va_end(ap);
		printf("%*s%s\n", indent, "", s.c_str());
		fflush(stdout);
	}

	std::map<const testing::TestInfo *, pos> plan;
	const pos *cur = nullptr;
	suite_state *ss = nullptr;
	std::string suite_name;
	int suite_no = 0, nr_cases = 0;
	bool header_printed = false;
	stats suite_stats, total_stats, group_stats;
};

kunit_run_state *run_state(struct kunit *test)
{
	if (!test)
		test = current_test.load();
	return test ? test->run : nullptr;
}

#ifdef __KUNIT_HAVE_SLAB
void kfree_action(void *ptr)
{
	kfree(ptr);
}
#endif

} // namespace

int __kunit_test_suites_register(struct kunit_suite *const *suites, size_t nr,
				 const char *file, int line)
{
	for (size_t i = 0; i < nr; i++)
		register_suite(suites[i], file, line);
	return 0;
}

struct kunit *kunit_get_current_test(void)
{
	return current_test.load();
}

int kunit_main(int argc, char **argv)
{
	const char *env = getenv("UIOMMUFD_KTAP");
	bool ktap = env && *env && strcmp(env, "0") != 0;
	int n = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ktap")) {
			ktap = true;
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			printf("KUnit on GoogleTest. Extra option:\n"
			       "  --ktap   print KTAP v1 (as the kernel's KUnit) "
			       "instead of gtest's output;\n"
			       "           also UIOMMUFD_KTAP=1. Test names: "
			       "suite.case[/param], '-' spelled '_'.\n\n");
		argv[n++] = argv[i];
	}
	argc = n;
	argv[argc] = nullptr;

	testing::InitGoogleTest(&argc, argv);
	if (ktap) {
		testing::TestEventListeners &l =
			testing::UnitTest::GetInstance()->listeners();
		delete l.Release(l.default_result_printer());
		l.Append(new ktap_printer);
	}
	return RUN_ALL_TESTS();
}

void __kunit_printk(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	std::string msg = vformat(fmt, ap);
	va_end(ap);
	while (!msg.empty() && msg.back() == '\n')
		msg.pop_back();

	kunit_run_state *rs = run_state(test);
	int indent = rs && rs->entry && rs->entry->param_index >= 0 ? 8 : 4;
	const char *name = test && test->name ? test->name : "kunit";
	size_t start = 0;
	for (bool first = true;; first = false) {
		size_t nl = msg.find('\n', start);
		std::string l = msg.substr(start, nl - start);
		if (first)
			printf("%*s# %s: %s\n", indent, "", name, l.c_str());
		else
			printf("%*s# %s\n", indent, "", l.c_str());
		if (nl == std::string::npos)
			break;
		start = nl + 1;
	}
	fflush(stdout);
}

void __kunit_do_failed_assertion(struct kunit *test, const char *file, int line,
				 enum kunit_assert_type type,
				 const std::string &detail, const char *fmt, ...)
{
	std::string msg = type == KUNIT_ASSERTION ? "ASSERTION FAILED" :
						    "EXPECTATION FAILED";
	va_list ap;

	if (!detail.empty())
		msg += "\n" + detail;
	va_start(ap, fmt);
	std::string user = vformat(fmt, ap);
	va_end(ap);
	while (!user.empty() && user.back() == '\n')
		user.pop_back();
	if (!user.empty())
		msg += "\n" + user;

	if (test)
		test->status = KUNIT_FAILURE;
	record(type == KUNIT_ASSERTION ? testing::TestPartResult::kFatalFailure :
					 testing::TestPartResult::kNonFatalFailure,
	       file, line, msg);
}

void __kunit_abort(struct kunit *test)
{
	throw kunit_abort{};
}

void kunit_set_failure(struct kunit *test)
{
	if (test)
		test->status = KUNIT_FAILURE;
	record(testing::TestPartResult::kNonFatalFailure, __FILE__, __LINE__,
	       "FAILED\nkunit_set_failure()");
}

void __kunit_mark_skipped(struct kunit *test, const char *file, int line,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	std::string reason = vformat(fmt, ap);
	va_end(ap);
	while (!reason.empty() && reason.back() == '\n')
		reason.pop_back();
	if (test) {
		test->status = KUNIT_SKIPPED;
		snprintf(test->status_comment, sizeof(test->status_comment),
			 "%s", reason.c_str());
	}
	record(testing::TestPartResult::kSkip, file, line, reason);
}

std::string __kunit_format_signed(long long v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%lld (0x%llx)", v, (unsigned long long)v);
	return buf;
}

std::string __kunit_format_unsigned(unsigned long long v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%llu (0x%llx)", v, v);
	return buf;
}

std::string __kunit_format_pointer(const void *p)
{
	char buf[64];

	if (!p)
		return "NULL";
	if (IS_ERR(p))
		snprintf(buf, sizeof(buf), "ERR_PTR(%ld)", PTR_ERR(p));
	else
		snprintf(buf, sizeof(buf), "%p", p);
	return buf;
}

std::string __kunit_format_string(const char *s)
{
	return s ? "\"" + std::string(s) + "\"" : "NULL";
}

std::string __kunit_binary_detail(const char *left_text, const char *op_text,
				  const char *right_text,
				  const std::string &left_value,
				  const std::string &right_value)
{
	return std::string("Expected ") + left_text + " " + op_text + " " +
	       right_text + ", but\n    " + left_text + " == " + left_value +
	       "\n    " + right_text + " == " + right_value;
}

static std::string hexdump(const void *buf, const void *other, size_t size)
{
	static const size_t max_shown = 256;
	const unsigned char *p = (const unsigned char *)buf;
	const unsigned char *q = (const unsigned char *)other;
	std::string out;
	char b[8];

	for (size_t i = 0; i < size && i < max_shown; i++) {
		if (i % 16 == 0)
			out += i ? "\n        " : "        ";
		/* Bytes that differ are bracketed, as the kernel marks them. */
		snprintf(b, sizeof(b), p[i] != q[i] ? "<%02x>" : " %02x ", p[i]);
		out += b;
	}
	if (size > max_shown)
		out += "\n        ... (" + std::to_string(size) + " bytes)";
	return out;
}

std::string __kunit_mem_detail(const char *left_text, const char *op_text,
			       const char *right_text, const void *left,
			       const void *right, size_t size)
{
	if (!left || !right)
		return std::string("Expected ") + left_text + " " + op_text +
		       " " + right_text + ", but a buffer is NULL";
	return std::string("Expected ") + left_text + " " + op_text + " " +
	       right_text + " (" + std::to_string(size) + " bytes), but\n    " +
	       left_text + " ==\n" + hexdump(left, right, size) + "\n    " +
	       right_text + " ==\n" + hexdump(right, left, size);
}

std::string __kunit_null_detail(const char *text, const void *ptr,
				bool want_null)
{
	if (want_null)
		return std::string("Expected ") + text + " is NULL, but is " +
		       __kunit_format_pointer(ptr);
	return std::string("Expected ") + text + " is not NULL, but is NULL";
}

std::string __kunit_err_detail(const char *text, const void *ptr,
			       bool want_err_or_null)
{
	if (want_err_or_null)
		return std::string("Expected ") + text +
		       " is an error or NULL, but is " +
		       __kunit_format_pointer(ptr);
	return std::string("Expected ") + text +
	       " is not NULL and not an error, but is " +
	       __kunit_format_pointer(ptr);
}

unsigned long __kunit_harness_capture_begin(struct kunit *test)
{
	kunit_run_state *rs = run_state(test);

	if (!rs)
		return harness_failure_count();
	std::lock_guard<std::mutex> g(rs->lock);
	rs->capture_depth++;
	return rs->captured;
}

void __kunit_harness_capture_end(struct kunit *test, unsigned long snapshot,
				 bool want_failure, const char *file, int line,
				 const char *stmt_text)
{
	kunit_run_state *rs = run_state(test);
	unsigned long got;
	std::string last;

	if (rs) {
		std::lock_guard<std::mutex> g(rs->lock);
		if (rs->capture_depth > 0)
			rs->capture_depth--;
		got = rs->captured - snapshot;
		last = rs->last_harness_failure;
	} else {
		/* No case running: the failures also went their usual way. */
		got = harness_failure_count() - snapshot;
	}

	if (want_failure && !got)
		__kunit_do_failed_assertion(
			test, file, line, KUNIT_EXPECTATION,
			std::string("Expected `") + stmt_text +
				"` to trip a harness failure, but none was "
				"reported",
			__KUNIT_NOMSG);
	else if (!want_failure && got)
		__kunit_do_failed_assertion(
			test, file, line, KUNIT_EXPECTATION,
			std::string("Expected `") + stmt_text +
				"` to trip no harness failure, but " +
				std::to_string(got) + " were reported; the last:\n    " +
				last,
			__KUNIT_NOMSG);
}

const char *kunit_last_harness_failure(struct kunit *test)
{
	kunit_run_state *rs = run_state(test);

	if (!rs)
		return "";
	std::lock_guard<std::mutex> g(rs->lock);
	return rs->last_harness_failure.c_str();
}

int kunit_add_action(struct kunit *test, kunit_action_t *action, void *ctx)
{
	kunit_run_state *rs = run_state(test);

	if (!rs || !action)
		return -EINVAL;
	rs->actions.emplace_back(action, ctx);
	return 0;
}

int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *action,
			      void *ctx)
{
	int ret = kunit_add_action(test, action, ctx);

	if (ret && action)
		action(ctx);
	return ret;
}

static bool take_action(kunit_run_state *rs, kunit_action_t *action, void *ctx)
{
	if (!rs)
		return false;
	for (size_t i = rs->actions.size(); i-- > 0;) {
		if (rs->actions[i].first == action &&
		    rs->actions[i].second == ctx) {
			rs->actions.erase(rs->actions.begin() + (long)i);
			return true;
		}
	}
	return false;
}

void kunit_remove_action(struct kunit *test, kunit_action_t *action, void *ctx)
{
	take_action(run_state(test), action, ctx);
}

void kunit_release_action(struct kunit *test, kunit_action_t *action, void *ctx)
{
	if (take_action(run_state(test), action, ctx))
		action(ctx);
}

#ifdef __KUNIT_HAVE_SLAB
__alloc_ptr kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
				gfp_t gfp)
{
	__alloc_ptr p = kmalloc_array(n, size, gfp);

	if (p.ptr && kunit_add_action_or_reset(test, kfree_action, p.ptr))
		return { nullptr };
	return p;
}

char *kunit_kstrdup(struct kunit *test, const char *str, gfp_t gfp)
{
	if (!str)
		return nullptr;
	size_t len = strlen(str) + 1;
	char *p = kunit_kmalloc(test, len, gfp);
	if (p)
		memcpy(p, str, len);
	return p;
}

void kunit_kfree(struct kunit *test, const void *ptr)
{
	if (!ptr)
		return;
	/* Not a managed pointer: free it anyway, kfree() reports misuse. */
	take_action(run_state(test), kfree_action, (void *)ptr);
	kfree(ptr);
}
#endif /* __KUNIT_HAVE_SLAB */
