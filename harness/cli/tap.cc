// SPDX-License-Identifier: GPL-2.0
/*
 * Running kselftest-harness programs and making sense of what they print.
 *
 * Each program runs under `uiommufd run` with stdout and stderr on one
 * pipe, so the order of lines is the order they were written: the
 * harness's "#  RUN x" (flushed before it forks the test), the test's
 * TH_LOG diagnostics, any "uiommufd: kernel-side failure" the server
 * printed while serving it, and then "ok N x" / "not ok N x". Diagnostics
 * and kernel-side failures are attributed to the test running at the
 * time; a test with a kernel-side failure counts as failed even if the
 * program said ok, because on uiommufd such a line is a bug (a real kernel
 * would have logged a WARN in dmesg).
 */
#include "harness/cli/cli.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fnmatch.h>
#include <map>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

namespace {

struct runner {
	tap_program *prog;
	const std::vector<std::string> *args;	/* after the program's path */
	pid_t pid = -1;
	int fd = -1;
	std::string partial;
	int current = -1;		/* index of the running case */
	double case_start = 0;
	double start = 0;
	std::map<std::string, int> by_name;
};

bool starts_with(const std::string &s, const char *p) { return !s.compare(0, strlen(p), p); }

std::string trim(const std::string &s)
{
	size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");

	return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

int case_index(runner &r, const std::string &name)
{
	auto it = r.by_name.find(name);

	if (it != r.by_name.end())
		return it->second;
	tap_case c;
	c.name = name;
	r.prog->cases.push_back(c);
	r.by_name[name] = (int)r.prog->cases.size() - 1;
	return (int)r.prog->cases.size() - 1;
}

/* "ok 3 name # SKIP why" -> result, name, reason. */
bool parse_result(const std::string &line, tap_case *out)
{
	size_t pos;
	bool ok;

	if (starts_with(line, "ok ")) {
		ok = true;
		pos = 3;
	} else if (starts_with(line, "not ok ")) {
		ok = false;
		pos = 7;
	} else {
		return false;
	}
	while (pos < line.size() && isdigit((unsigned char)line[pos]))
		pos++;
	if (pos >= line.size() || line[pos] != ' ')
		return false;
	std::string rest = line.substr(pos + 1), directive;
	size_t hash = rest.find(" #");

	if (hash != std::string::npos) {
		directive = trim(rest.substr(hash + 2));
		rest = rest.substr(0, hash);
	}
	out->name = trim(rest);
	out->result = ok ? TAP_PASS : TAP_FAIL;
	if (starts_with(directive, "SKIP")) {
		out->result = TAP_SKIP;
		out->reason = trim(directive.substr(4));
	} else if (starts_with(directive, "XFAIL")) {
		out->result = TAP_XFAIL;
		out->reason = trim(directive.substr(5));
	} else if (starts_with(directive, "XPASS")) {
		out->result = TAP_XPASS;
		out->reason = trim(directive.substr(5));
	} else {
		out->reason = directive;
	}
	return true;
}

void parse_line(runner &r, const std::string &line)
{
	tap_program &p = *r.prog;
	tap_case res;

	if (starts_with(line, "1..")) {
		p.planned += (unsigned int)atoi(line.c_str() + 3);
		return;
	}
	if (starts_with(line, "#  RUN ")) {
		std::string name = trim(line.substr(7));

		if (name.size() > 4 && name.compare(name.size() - 4, 4, " ...") == 0)
			name = trim(name.substr(0, name.size() - 4));
		r.current = case_index(r, name);
		r.case_start = now_seconds();
		return;
	}
	if (parse_result(line, &res)) {
		int i = case_index(r, res.name);
		tap_case &c = p.cases[i];

		c.result = res.result;
		c.reason = res.reason;
		if (i == r.current) {
			c.seconds = now_seconds() - r.case_start;
			r.current = -1;
		}
		return;
	}
	if (starts_with(line, "uiommufd: kernel-side failure") && r.current >= 0)
		p.cases[r.current].kernel_failures++;
	/* The harness's own "OK  name" echo says nothing the result line does not. */
	if (r.current >= 0 && trim(line).rfind("#", 0) == 0 && trim(trim(line).substr(1)).rfind("OK  ", 0) == 0)
		return;
	if (r.current >= 0)
		p.cases[r.current].log.push_back(line);
	else if (!starts_with(line, "TAP version") && !starts_with(line, "#            OK") &&
		 !line.empty())
		p.stray.push_back(line);
}

void feed(runner &r, const char *buf, size_t n)
{
	r.partial.append(buf, n);
	for (size_t nl; (nl = r.partial.find('\n')) != std::string::npos;) {
		parse_line(r, r.partial.substr(0, nl));
		r.partial.erase(0, nl + 1);
	}
}

bool spawn(runner &r, const std::vector<std::string> &extra)
{
	std::vector<std::string> args = {cli_self_exe(), "run"};
	std::vector<char *> argv;
	posix_spawn_file_actions_t fa;
	int pfd[2], rc;

	args.insert(args.end(), extra.begin(), extra.end());
	args.push_back("--");
	args.push_back(r.prog->path);
	if (r.args)
		args.insert(args.end(), r.args->begin(), r.args->end());
	for (auto &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	if (pipe2(pfd, O_CLOEXEC))
		return false;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&r.pid, argv[0], &fa, nullptr, argv.data(), environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc) {
		close(pfd[0]);
		return false;
	}
	r.fd = pfd[0];
	r.start = now_seconds();
	return true;
}

void finish(runner &r)
{
	int status;

	if (!r.partial.empty())
		parse_line(r, r.partial);
	r.partial.clear();
	close(r.fd);
	r.fd = -1;
	waitpid(r.pid, &status, 0);
	/* Parts of one program: the worst status, the longest time. */
	r.prog->exit_status = std::max(r.prog->exit_status,
				       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	r.prog->seconds = std::max(r.prog->seconds, now_seconds() - r.start);
	/* A test that never reported: the program died under it. */
	for (auto &c : r.prog->cases)
		if (c.result == TAP_NOTRUN && !c.log.empty())
			c.result = TAP_FAIL;
}

void show_progress(const std::vector<runner> &rs, double t0, bool final)
{
	unsigned int done = 0, planned = 0, failed = 0;

	for (const runner &r : rs) {
		planned += r.prog->planned;
		for (const tap_case &c : r.prog->cases) {
			if (c.result == TAP_NOTRUN)
				continue;
			done++;
			if (c.result == TAP_FAIL || c.kernel_failures)
				failed++;
		}
	}
	fprintf(stderr, "\r\033[K[%u/%u] %u failed, %.1fs%s", done, planned, failed,
		now_seconds() - t0, final ? "\n" : "");
}

} // namespace

void tap_run_all(std::vector<tap_program> &progs, unsigned int jobs,
		 const std::vector<std::string> &extra_run_args, bool progress)
{
	std::vector<runner> rs;
	size_t next = 0, live = 0;
	double t0 = now_seconds(), last = 0;

	for (tap_program &p : progs) {
		p.exit_status = -1;
		if (p.shards.empty()) {
			rs.push_back(runner{&p, nullptr});
			continue;
		}
		for (const auto &args : p.shards)
			rs.push_back(runner{&p, &args});
	}
	/* The longest first: parts of a split program before whole small ones. */
	std::stable_sort(rs.begin(), rs.end(), [](const runner &a, const runner &b) {
		return (a.args != nullptr) > (b.args != nullptr);
	});
	if (!jobs)
		jobs = 1;
	for (;;) {
		while (live < jobs && next < rs.size()) {
			if (spawn(rs[next], extra_run_args)) {
				live++;
			} else {
				rs[next].prog->exit_status = 127;
				rs[next].prog->stray.push_back("uiommufd: could not start " +
							       rs[next].prog->path);
			}
			next++;
		}
		if (!live)
			break;

		std::vector<struct pollfd> pfds;
		std::vector<runner *> who;

		for (runner &r : rs)
			if (r.fd >= 0) {
				pfds.push_back({r.fd, POLLIN, 0});
				who.push_back(&r);
			}
		if (poll(pfds.data(), pfds.size(), progress ? 200 : -1) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < pfds.size(); i++) {
			char buf[65536];
			ssize_t n;

			if (!pfds[i].revents)
				continue;
			n = read(pfds[i].fd, buf, sizeof(buf));
			if (n > 0) {
				feed(*who[i], buf, (size_t)n);
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			finish(*who[i]);
			live--;
		}
		if (progress && now_seconds() - last > 0.1) {
			show_progress(rs, t0, false);
			last = now_seconds();
		}
	}
	if (progress)
		show_progress(rs, t0, true);
	/* A split program's results in its own order, as one run would give them. */
	for (tap_program &p : progs) {
		std::map<std::string, size_t> pos;

		if (p.shards.empty())
			continue;
		for (size_t i = 0; i < p.listing.size(); i++)
			pos[p.listing[i]] = i;
		std::stable_sort(p.cases.begin(), p.cases.end(),
				 [&](const tap_case &a, const tap_case &b) {
					 auto ia = pos.find(a.name), ib = pos.find(b.name);
					 size_t x = ia == pos.end() ? SIZE_MAX : ia->second;
					 size_t y = ib == pos.end() ? SIZE_MAX : ib->second;
					 return x < y;
				 });
	}
}

std::vector<std::string> tap_list_tests(const std::string &path)
{
	std::vector<std::string> names, variants, tests;
	std::string cmd = "'" + path + "' -l 2>&1", fixture;
	char line[512];
	FILE *f;

	if (path.find('\'') != std::string::npos || !(f = popen(cmd.c_str(), "re")))
		return names;
	/*
	 * Blocks of "FIXTURE VARIANT TEST" columns (20 and 25 wide) between
	 * dashed lines. A block's first line names the fixture and, if it has
	 * variants, its first variant; later lines have a variant, a test, or
	 * both, told apart by column.
	 */
	auto flush = [&] {
		if (fixture.empty())
			return;
		if (variants.empty())
			variants.push_back("");
		for (const auto &v : variants)
			for (const auto &t : tests)
				names.push_back(fixture + (v.empty() ? "" : "." + v) + "." + t);
		fixture.clear();
		variants.clear();
		tests.clear();
	};
	while (fgets(line, sizeof(line), f)) {
		std::string l = line;
		std::vector<std::pair<size_t, std::string>> tok;

		while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
			l.pop_back();
		if (l.empty() || l[0] == '#' || starts_with(l, "---")) {
			flush();
			continue;
		}
		for (size_t i = 0; i < l.size();) {
			size_t b = l.find_first_not_of(' ', i), e;

			if (b == std::string::npos)
				break;
			e = l.find(' ', b);
			if (e == std::string::npos)
				e = l.size();
			tok.push_back({b, l.substr(b, e - b)});
			i = e;
		}
		if (l[0] != ' ') {
			flush();
			fixture = tok[0].second;
			if (tok.size() == 3) {
				variants.push_back(tok[1].second);
				tests.push_back(tok[2].second);
			} else if (tok.size() == 2) {
				tests.push_back(tok[1].second);
			}
			continue;
		}
		for (const auto &t : tok)
			(t.first < 20 + 1 + 25 ? variants : tests).push_back(t.second);
	}
	flush();
	/* Its status says nothing (the harness exits KSFT_SKIP after -l). */
	pclose(f);
	return names;
}

void tap_shard(tap_program &prog, unsigned int n)
{
	prog.shards.clear();
	if (n < 2 || prog.listing.size() < 2 * n)
		return;
	prog.shards.resize(n);
	for (size_t i = 0; i < prog.listing.size(); i++) {
		prog.shards[i % n].push_back("-r");
		prog.shards[i % n].push_back(prog.listing[i]);
	}
}

/* ---- expectations ---- */

bool load_expectations(const std::string &path, std::vector<expectation> *out, std::string *err)
{
	FILE *f = fopen(path.c_str(), "re");
	char line[1024];
	unsigned int lineno = 0;

	if (!f) {
		*err = path + ": " + strerror(errno);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		std::string l = trim(std::string(line).substr(0, strcspn(line, "\n")));
		expectation e;
		size_t colon, space;

		lineno++;
		if (l.empty() || l[0] == '#')
			continue;
		colon = l.find(':');
		space = l.find_first_of(" \t");
		if (colon == std::string::npos || (space != std::string::npos && space < colon) ||
		    space == std::string::npos) {
			*err = path + ":" + std::to_string(lineno) +
			       ": expected \"program:test reason\" (a reason is required)";
			fclose(f);
			return false;
		}
		e.program = l.substr(0, colon);
		e.pattern = l.substr(colon + 1, space - colon - 1);
		e.reason = trim(l.substr(space));
		out->push_back(e);
	}
	fclose(f);
	return true;
}

void apply_expectations(std::vector<tap_program> &progs, std::vector<expectation> &exp)
{
	for (auto &p : progs)
		for (auto &c : p.cases)
			for (auto &e : exp) {
				if (e.program != p.name || fnmatch(e.pattern.c_str(), c.name.c_str(), 0))
					continue;
				e.matched = true;
				c.expected_failure = true;
				c.expected_reason = e.reason;
				break;
			}
}

/* ---- output files ---- */

namespace {

bool failed(const tap_case &c) { return c.result == TAP_FAIL || c.kernel_failures; }

std::string xml_escape(const std::string &s)
{
	std::string o;

	for (unsigned char ch : s) {
		switch (ch) {
		case '<': o += "&lt;"; break;
		case '>': o += "&gt;"; break;
		case '&': o += "&amp;"; break;
		case '"': o += "&quot;"; break;
		default:
			/* XML 1.0 forbids most control characters. */
			if (ch < 0x20 && ch != '\n' && ch != '\t')
				o += '?';
			else
				o += (char)ch;
		}
	}
	return o;
}

const char *directive(const tap_case &c)
{
	switch (c.result) {
	case TAP_SKIP: return " # SKIP";
	case TAP_XFAIL: return " # XFAIL";
	case TAP_XPASS: return " # XPASS";
	default: return "";
	}
}

} // namespace

void write_ktap(const std::string &path, const std::vector<tap_program> &progs)
{
	FILE *f = fopen(path.c_str(), "we");

	if (!f) {
		fprintf(stderr, "uiommufd: %s: %s\n", path.c_str(), strerror(errno));
		return;
	}
	fprintf(f, "KTAP version 1\n1..%zu\n", progs.size());
	for (size_t i = 0; i < progs.size(); i++) {
		const tap_program &p = progs[i];
		bool any_failed = p.exit_status != 0 && p.cases.empty();
		size_t n = 0;

		fprintf(f, "    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", p.name.c_str(),
			p.cases.size());
		for (const tap_case &c : p.cases) {
			for (const std::string &l : c.log)
				fprintf(f, "    # %s\n", l.c_str()[0] == '#' ? l.c_str() + 1 + (l[1] == ' ')
									 : l.c_str());
			if (failed(c))
				any_failed = true;
			fprintf(f, "    %s %zu %s%s%s%s\n", failed(c) ? "not ok" : "ok", ++n,
				c.name.c_str(), directive(c), c.reason.empty() ? "" : " ",
				c.reason.c_str());
		}
		fprintf(f, "%s %zu %s\n", any_failed ? "not ok" : "ok", i + 1, p.name.c_str());
	}
	fclose(f);
}

void write_junit(const std::string &path, const std::string &suite,
		 const std::vector<tap_program> &progs)
{
	FILE *f = fopen(path.c_str(), "we");

	if (!f) {
		fprintf(stderr, "uiommufd: %s: %s\n", path.c_str(), strerror(errno));
		return;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"%s\">\n",
		xml_escape(suite).c_str());
	for (const tap_program &p : progs) {
		unsigned int nfail = 0, nskip = 0;

		for (const tap_case &c : p.cases) {
			nfail += failed(c);
			nskip += c.result == TAP_SKIP || c.result == TAP_NOTRUN;
		}
		fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%u\" skipped=\"%u\" "
			   "time=\"%.3f\">\n",
			xml_escape(p.name).c_str(), p.cases.size(), nfail, nskip, p.seconds);
		for (const tap_case &c : p.cases) {
			std::string log;

			for (const std::string &l : c.log)
				log += l + "\n";
			fprintf(f, "    <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"",
				xml_escape(p.name).c_str(), xml_escape(c.name).c_str(), c.seconds);
			if (failed(c)) {
				std::string msg = c.kernel_failures ? "kernel-side failure while serving"
								    : "test failed";
				if (c.expected_failure)
					msg += " (expected: " + c.expected_reason + ")";
				fprintf(f, ">\n      <failure message=\"%s\">%s</failure>\n    </testcase>\n",
					xml_escape(msg).c_str(), xml_escape(log).c_str());
			} else if (c.result == TAP_SKIP || c.result == TAP_NOTRUN) {
				fprintf(f, ">\n      <skipped message=\"%s\"/>\n    </testcase>\n",
					xml_escape(c.result == TAP_NOTRUN ? "not run" : c.reason).c_str());
			} else {
				fprintf(f, "/>\n");
			}
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	fclose(f);
}

/* ---- the summary ---- */

int report_summary(const char *what, const std::vector<tap_program> &progs,
		   const std::vector<expectation> &exp, double seconds, bool strict,
		   double min_pass_rate)
{
	unsigned int total = 0, pass = 0, fail = 0, skip = 0, expected = 0, unexpected = 0;
	unsigned int xpass = 0;
	int rc = 0;

	for (const tap_program &p : progs) {
		for (const tap_case &c : p.cases) {
			total++;
			if (failed(c)) {
				fail++;
				if (c.expected_failure) {
					expected++;
				} else {
					unexpected++;
					fprintf(stderr, "FAIL %s:%s%s\n", p.name.c_str(), c.name.c_str(),
						c.kernel_failures ? " (kernel-side failure)" : "");
					size_t shown = 0;
					for (const std::string &l : c.log)
						if (shown++ < 12)
							fprintf(stderr, "    %s\n", l.c_str());
				}
			} else if (c.result == TAP_SKIP || c.result == TAP_NOTRUN) {
				skip++;
			} else {
				pass++;
				if (c.expected_failure) {
					xpass++;
					fprintf(stderr, "PASS %s:%s is listed as an expected failure (%s)\n",
						p.name.c_str(), c.name.c_str(), c.expected_reason.c_str());
				}
			}
		}
		if (p.planned && p.cases.size() < p.planned) {
			fprintf(stderr, "%s: planned %u tests, %zu reported (exit status %d)\n",
				p.name.c_str(), p.planned, p.cases.size(), p.exit_status);
			for (const std::string &l : p.stray)
				fprintf(stderr, "    %s\n", l.c_str());
			rc = 1;
		} else if (p.cases.empty()) {
			fprintf(stderr, "%s: no test results (exit status %d)\n", p.name.c_str(),
				p.exit_status);
			for (const std::string &l : p.stray)
				fprintf(stderr, "    %s\n", l.c_str());
			rc = 1;
		}
	}
	for (const expectation &e : exp)
		if (!e.matched && strict)
			fprintf(stderr, "expected-failure entry %s:%s matched no test\n",
				e.program.c_str(), e.pattern.c_str());

	/* Skipped tests count against the rate: nothing was shown to work. */
	double rate = total ? 100.0 * pass / total : 0;

	printf("%s: %u tests: %u passed, %u failed (%u expected), %u skipped; pass rate %.1f%%; "
	       "%.2f s\n",
	       what, total, pass, fail, expected, skip, rate, seconds);
	if (unexpected)
		rc = 1;
	if (strict && xpass)
		rc = 1;
	if (min_pass_rate > 0 && rate < min_pass_rate) {
		fprintf(stderr, "%s: pass rate %.1f%% is below the required %.1f%%\n", what, rate,
			min_pass_rate);
		rc = 1;
	}
	return rc;
}
