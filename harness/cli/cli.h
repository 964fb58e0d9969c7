/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `uiommufd` command: shared pieces of its subcommands.
 *
 *   run        main.cc      the server, then PROGRAM under the interposer
 *   kselftest  kselftest.cc build a kernel tree's iommu selftests, run them
 *   selftest   kselftest.cc the project's own selftests, the same way
 *   platform   platform.cc  the machine a platform description builds
 *   TAP        tap.cc       run test programs, parse TAP, write KTAP/JUnit
 *
 * This is user-space tooling, not kernel-side code: ordinary C++ (it
 * still builds without exceptions, like everything linked with the core).
 */
#pragma once

#include <string>
#include <vector>

struct cli_run_opts {
	std::string platform = "default";
	bool trace = false;
	std::string trace_file;		/* empty: stderr */
	bool leak_check = false;
	bool server = false;		/* a server process, not in-process */
	bool root = false;		/* every capability, as root in a VM */
	std::string digest;		/* --digest FILE */
	std::string graph;		/* --graph FILE (.dot, .svg, .png) */
	std::vector<std::string> argv;	/* PROGRAM [ARGS] */
};

/* `uiommufd run`: returns the exit status for the process. */
int cli_run(const cli_run_opts &opts);
int cli_kselftest(int argc, char **argv);
int cli_selftest(int argc, char **argv);
/* `uiommufd platform` (platform.cc). */
int cli_platform(int argc, char **argv);
/* `uiommufd diff` (diff.cc). */
int cli_diff(int argc, char **argv);
/*
 * Loads and checks the platform @what names, for a --platform option: 0
 * with *@value set to what the kernel side is given in $UIOMMUFD_PLATFORM
 * (the name, or the file's absolute path), or 2 (the exit status) with
 * the description's one-line error printed.
 */
int cli_platform_resolve(const std::string &what, std::string *value);

/* Where things are. */
std::string cli_self_exe(void);
std::string cli_preload_path(void);
std::string cli_kernel_lib_path(void);
std::string cli_build_dir(void);
std::string cli_source_dir(void);

/* One test case as a TAP stream reported it. */
enum tap_result { TAP_PASS, TAP_FAIL, TAP_SKIP, TAP_XFAIL, TAP_XPASS, TAP_NOTRUN };

struct tap_case {
	std::string name;
	enum tap_result result = TAP_NOTRUN;
	std::string reason;		/* "# SKIP why" / "# ..." after the result */
	std::vector<std::string> log;	/* diagnostics printed while it ran */
	unsigned int kernel_failures = 0; /* "uiommufd: kernel-side failure" lines */
	double seconds = 0;
	bool expected_failure = false;
	std::string expected_reason;
};

struct tap_program {
	std::string name;		/* "iommufd" */
	std::string path;		/* the executable */
	std::vector<tap_case> cases;
	std::vector<std::string> stray;	/* output outside any test */
	int exit_status = -1;
	double seconds = 0;
	unsigned int planned = 0;
	/*
	 * Its tests in the order the program lists them (-l), and, when it is
	 * run in parts at once, the arguments of each part (-r NAME...).
	 */
	std::vector<std::string> listing;
	std::vector<std::vector<std::string>> shards;
};

/*
 * The full names (FIXTURE[.VARIANT].TEST, what -r takes) a kselftest
 * harness program lists with -l; empty if it cannot list them.
 */
std::vector<std::string> tap_list_tests(const std::string &path);
/* Splits prog's listing into @n parts of interleaved tests (heavy variants spread out). */
void tap_shard(tap_program &prog, unsigned int n);

/*
 * Runs each program under `uiommufd run` (in parallel, up to jobs at a
 * time), parsing its TAP as it arrives; shows a progress line on a
 * terminal. extra_run_args go to `run` (e.g. --trace=FILE).
 */
void tap_run_all(std::vector<tap_program> &progs, unsigned int jobs,
		 const std::vector<std::string> &extra_run_args, bool progress);

/* "program:test reason" lines; '#' comments; test may use fnmatch patterns. */
struct expectation {
	std::string program;
	std::string pattern;
	std::string reason;
	bool matched = false;
};
bool load_expectations(const std::string &path, std::vector<expectation> *out, std::string *err);
void apply_expectations(std::vector<tap_program> &progs, std::vector<expectation> &exp);

void write_ktap(const std::string &path, const std::vector<tap_program> &progs);
void write_junit(const std::string &path, const std::string &suite,
		 const std::vector<tap_program> &progs);

/*
 * Prints the summary and the failures; returns 0 when every failure was
 * expected (and, with strict, no expected failure passed).
 */
int report_summary(const char *what, const std::vector<tap_program> &progs,
		   const std::vector<expectation> &exp, double seconds, bool strict,
		   double min_pass_rate);

double now_seconds(void);
