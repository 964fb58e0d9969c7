// SPDX-License-Identifier: GPL-2.0
/*
 * `uiommufd kselftest` and `uiommufd selftest`.
 *
 * kselftest builds tools/testing/selftests/iommu/{iommufd,iommufd_fail_nth}
 * of a kernel tree with the system compiler, outside our sources, in a
 * cache directory keyed by everything that goes into the build. The tests
 * are compiled as the tree wrote them, against our uapi/ for the linux/ headers:
 * a shadow tree of symlinks puts the tree's own iommufd.c, iommufd_utils.h,
 * kselftest_harness.h and drivers/iommu/iommufd/iommufd_test.h where their
 * relative includes look for them, and -I uapi/ makes <linux/iommufd.h>
 * and <linux/vfio.h> ours.
 *
 * A tree whose selftests use names its own iommufd_test.h lacks (a stable
 * backport taking a test change without the header change, as Debian's
 * 6.12.y did with MOCK_FLAGS_DEVICE_PASID) does not build even on its own
 * kernel. Such names are taken from uapi/linux/iommufd_test.h, which keeps
 * upstream's numbering: the tree's header stays the base, the missing
 * constants are defined after it, and the summary says which ones.
 */
#include "harness/cli/cli.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

const char *const kselftest_programs[] = {"iommufd", "iommufd_fail_nth"};
const char *const selftest_dir_rel = "tools/testing/selftests/iommu";

bool exists(const std::string &p)
{
	struct stat st;

	return !stat(p.c_str(), &st);
}

bool mkdirs(const std::string &path)
{
	for (size_t pos = 1; pos <= path.size(); pos++) {
		if (pos != path.size() && path[pos] != '/')
			continue;
		std::string sub = path.substr(0, pos);

		if (mkdir(sub.c_str(), 0755) && errno != EEXIST)
			return false;
	}
	return true;
}

std::string real_path(const std::string &p)
{
	char buf[PATH_MAX];

	return realpath(p.c_str(), buf) ? buf : p;
}

std::string read_file(const std::string &p)
{
	std::ifstream in(p, std::ios::binary);
	std::stringstream ss;

	ss << in.rdbuf();
	return ss.str();
}

u_int64_t fnv1a(const std::string &s, u_int64_t h = 0xcbf29ce484222325ULL)
{
	for (unsigned char c : s) {
		h ^= c;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Runs argv; its stdout and stderr go to log. Returns the exit status. */
pid_t spawn_logged(const std::vector<std::string> &args, const std::string &log)
{
	std::vector<char *> argv;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	for (auto &a : args)
		argv.push_back(const_cast<char *>(a.c_str()));
	argv.push_back(nullptr);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc ? -1 : pid;
}

int wait_status(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct build {
	std::string tree, uapi, cc, cache_root, dir;
	std::vector<std::string> supplemented;
	std::string error;
};

std::vector<std::string> split_ws(const std::string &s)
{
	std::vector<std::string> out;
	std::istringstream in(s);
	std::string w;

	while (in >> w)
		out.push_back(w);
	return out;
}

std::vector<std::string> cflags(const build &b)
{
	return {"-Wall", "-O2", "-Wno-unused-function", "-D_GNU_SOURCE", "-I" + b.uapi};
}

/* The cache key: the tree's inputs, our uapi headers, the compiler and flags. */
std::string build_key(const build &b)
{
	std::string k = b.tree + "\n" + b.cc + "\n";
	std::string sd = b.tree + "/" + selftest_dir_rel;

	for (const std::string &a : cflags(b))
		k += a + " ";
	for (const std::string &f : {sd + "/iommufd.c", sd + "/iommufd_fail_nth.c",
				     sd + "/iommufd_utils.h", b.tree + "/tools/testing/selftests/kselftest_harness.h",
				     b.tree + "/tools/testing/selftests/kselftest.h",
				     b.tree + "/drivers/iommu/iommufd/iommufd_test.h",
				     b.uapi + "/linux/iommufd.h", b.uapi + "/linux/vfio.h",
				     b.uapi + "/linux/iommufd_test.h"})
		k += f + "=" + read_file(f) + "\n";
	char hex[17];

	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)fnv1a(k));
	return hex;
}

/* The shadow tree: where the tests' relative includes expect things. */
bool make_shadow(build &b, const std::string &mock_header)
{
	std::string src = b.dir + "/src";
	std::string sd = b.tree + "/" + selftest_dir_rel;
	std::string ts = b.tree + "/tools/testing/selftests";

	if (!mkdirs(src + "/" + selftest_dir_rel) || !mkdirs(src + "/drivers/iommu/iommufd"))
		return false;
	struct link {
		std::string from, to;
	} links[] = {
		{sd + "/iommufd.c", src + "/" + selftest_dir_rel + "/iommufd.c"},
		{sd + "/iommufd_fail_nth.c", src + "/" + selftest_dir_rel + "/iommufd_fail_nth.c"},
		{sd + "/iommufd_utils.h", src + "/" + selftest_dir_rel + "/iommufd_utils.h"},
		{ts + "/kselftest_harness.h", src + "/tools/testing/selftests/kselftest_harness.h"},
		{ts + "/kselftest.h", src + "/tools/testing/selftests/kselftest.h"},
	};
	for (auto &l : links) {
		unlink(l.to.c_str());
		if (symlink(l.from.c_str(), l.to.c_str()))
			return false;
	}
	std::string hdr = src + "/drivers/iommu/iommufd/iommufd_test.h";
	unlink(hdr.c_str());
	std::ofstream out(hdr);
	out << mock_header;
	return (bool)out;
}

/* Compiles both programs in parallel; returns the names that failed. */
std::vector<std::string> compile_all(build &b)
{
	std::vector<std::string> failed;
	std::vector<pid_t> pids;

	for (const char *prog : kselftest_programs) {
		std::vector<std::string> args = split_ws(b.cc);

		for (const std::string &f : cflags(b))
			args.push_back(f);
		/*
		 * Newer trees include "kselftest_harness.h" by name and use
		 * libcap, as their Makefile's include path and LDLIBS say.
		 */
		args.push_back("-I" + b.dir + "/src/tools/testing/selftests");
		args.push_back("-o");
		args.push_back(b.dir + "/" + prog);
		args.push_back(b.dir + "/src/" + selftest_dir_rel + "/" + prog + ".c");
		args.push_back("-lcap");
		pids.push_back(spawn_logged(args, b.dir + "/" + prog + ".log"));
	}
	for (size_t i = 0; i < pids.size(); i++)
		if (wait_status(pids[i]))
			failed.push_back(kselftest_programs[i]);
	return failed;
}

/* Identifiers gcc or clang called undeclared in a compile log. */
std::set<std::string> undeclared(const std::string &log)
{
	std::set<std::string> names;
	std::istringstream in(log);
	std::string line;

	while (std::getline(in, line)) {
		size_t p;
		std::string name;

		if ((p = line.find("use of undeclared identifier '")) != std::string::npos) {
			name = line.substr(p + 30);
			name = name.substr(0, name.find('\''));
		} else if (line.find("undeclared") != std::string::npos &&
			   (p = line.find("\xe2\x80\x98")) != std::string::npos) {
			/* gcc: ‘NAME’ undeclared */
			name = line.substr(p + 3);
			name = name.substr(0, name.find("\xe2\x80\x99"));
		} else if (line.find("undeclared") != std::string::npos &&
			   (p = line.find('\'')) != std::string::npos) {
			name = line.substr(p + 1);
			name = name.substr(0, name.find('\''));
		}
		if (!name.empty() && name.find_first_not_of(
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string::npos)
			names.insert(name);
	}
	return names;
}

/* "#define NAME value" lines for names uapi/linux/iommufd_test.h has. */
bool values_from_uapi(build &b, const std::set<std::string> &names, std::string *defines)
{
	std::string c = b.dir + "/supplement.c", exe = b.dir + "/supplement";
	std::ofstream out(c);

	out << "#include <stdio.h>\n#include <linux/iommufd_test.h>\nint main(void)\n{\n";
	for (const std::string &n : names)
		out << "\tprintf(\"#define " << n << " %lld\\n\", (long long)(" << n << "));\n";
	out << "\treturn 0;\n}\n";
	out.close();

	std::vector<std::string> args = split_ws(b.cc);
	args.insert(args.end(), {"-I" + b.uapi, "-o", exe, c});
	if (wait_status(spawn_logged(args, b.dir + "/supplement.log")))
		return false;
	if (wait_status(spawn_logged({exe}, b.dir + "/supplement.h")))
		return false;
	*defines = read_file(b.dir + "/supplement.h");
	return true;
}

bool build_selftests(build &b, bool *cached)
{
	std::string key = build_key(b);
	std::string tree_header = b.tree + "/drivers/iommu/iommufd/iommufd_test.h";
	std::string base = "/* uiommufd: the tree's mock-driver ABI */\n#include \"" +
			   tree_header + "\"\n";

	b.dir = b.cache_root + "/kselftest-" + key;
	*cached = false;
	if (exists(b.dir + "/.built")) {
		*cached = true;
		std::ifstream in(b.dir + "/.built");
		std::string n;

		while (in >> n)
			b.supplemented.push_back(n);
		return true;
	}
	if (!mkdirs(b.dir) || !make_shadow(b, base)) {
		b.error = "cannot create " + b.dir + ": " + strerror(errno);
		return false;
	}
	std::vector<std::string> failed = compile_all(b);
	if (!failed.empty()) {
		std::set<std::string> names;
		std::string defines;

		for (const std::string &p : failed)
			for (const std::string &n : undeclared(read_file(b.dir + "/" + p + ".log")))
				names.insert(n);
		if (!names.empty() && values_from_uapi(b, names, &defines)) {
			make_shadow(b, base + "/* missing from it, taken from uapi/ */\n" + defines);
			failed = compile_all(b);
			if (failed.empty())
				b.supplemented.assign(names.begin(), names.end());
		}
	}
	if (!failed.empty()) {
		b.error = "building the selftests of " + b.tree + " failed:\n";
		for (const std::string &p : failed)
			b.error += read_file(b.dir + "/" + p + ".log");
		return false;
	}
	std::ofstream stamp(b.dir + "/.built");
	for (const std::string &n : b.supplemented)
		stamp << n << "\n";
	return true;
}

std::string default_cache_root(void)
{
	std::string bd = cli_build_dir();
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (!bd.empty() && exists(bd))
		return bd;
	if (xdg && *xdg)
		return std::string(xdg) + "/uiommufd";
	return std::string(home && *home ? home : "/tmp") + "/.cache/uiommufd";
}

std::string find_uapi(void)
{
	std::string src = cli_source_dir(), self = cli_self_exe();
	std::string dir = self.substr(0, self.rfind('/'));

	for (const std::string &c : {src + "/uapi", dir + "/../share/uiommufd/uapi"})
		if (exists(c + "/linux/iommufd.h"))
			return real_path(c);
	return "";
}

struct common_opts {
	std::string out, expected, trace;
	std::string platform;		/* --platform, for `run` */
	/* One per CPU, within reason: the runs are CPU-bound in-process. */
	unsigned int jobs = (unsigned int)std::clamp(sysconf(_SC_NPROCESSORS_ONLN), 1L, 16L);
	bool strict = false;
	bool server = false;
	bool root = false;
	double min_pass_rate = 0;
};

/* Options both commands take; returns 1 if consumed (and *i advanced), 0 if not, -1 bad. */
int common_option(int argc, char **argv, int *i, common_opts *o, const char *cmd)
{
	const char *a = argv[*i];
	auto value = [&](const char *name, std::string *dst) -> int {
		size_t n = strlen(name);

		if (!strncmp(a, name, n) && a[n] == '=') {
			*dst = a + n + 1;
			return 1;
		}
		if (strcmp(a, name))
			return 0;
		if (*i + 1 >= argc) {
			fprintf(stderr, "uiommufd %s: %s needs a value\n", cmd, name);
			return -1;
		}
		*dst = argv[++*i];
		return 1;
	};
	std::string v;
	int rc;

	if ((rc = value("--out", &o->out)) || (rc = value("--expected", &o->expected)) ||
	    (rc = value("--trace", &o->trace)) || (rc = value("--platform", &o->platform)))
		return rc;
	if ((rc = value("--jobs", &v)) || (rc = value("-j", &v))) {
		if (rc < 0)
			return rc;
		o->jobs = (unsigned int)atoi(v.c_str());
		if (!o->jobs) {
			fprintf(stderr, "uiommufd %s: --jobs needs a positive number\n", cmd);
			return -1;
		}
		return 1;
	}
	if ((rc = value("--min-pass-rate", &v))) {
		if (rc < 0)
			return rc;
		o->min_pass_rate = atof(v.c_str());
		return 1;
	}
	if (!strcmp(a, "--strict")) {
		o->strict = true;
		return 1;
	}
	if (!strcmp(a, "--server")) {
		o->server = true;
		return 1;
	}
	if (!strcmp(a, "--no-root")) {
		o->root = false;
		return 1;
	}
	return 0;
}

int run_and_report(const char *what, std::vector<tap_program> &progs, const common_opts &o,
		   const std::string &out_dir, double t0)
{
	std::vector<expectation> exp;
	std::vector<std::string> run_args;
	std::string err;

	if (!o.expected.empty() && !load_expectations(o.expected, &exp, &err)) {
		fprintf(stderr, "uiommufd %s: %s\n", what, err.c_str());
		return 2;
	}
	if (!o.trace.empty())
		run_args.push_back("--trace=" + o.trace);
	if (o.server)
		run_args.push_back("--server");
	if (o.root)
		run_args.push_back("--root");
	if (!o.platform.empty()) {
		std::string platform;

		/* Checked once here; a file by its absolute path. */
		if (cli_platform_resolve(o.platform, &platform))
			return 2;
		run_args.push_back("--platform=" + platform);
	}
	/*
	 * A long program runs in interleaved parts at once (-r NAME...), one
	 * per job: the kernel's iommufd has two hundred tests to the fail-nth
	 * program's eight, and the machine has more than one CPU.
	 */
	for (tap_program &p : progs) {
		p.listing = tap_list_tests(p.path);
		if (p.listing.size() >= 40)
			tap_shard(p, o.jobs);
	}
	tap_run_all(progs, o.jobs, run_args, isatty(2));
	apply_expectations(progs, exp);
	if (!out_dir.empty() && mkdirs(out_dir)) {
		write_ktap(out_dir + "/" + what + ".ktap", progs);
		write_junit(out_dir + "/" + what + ".junit.xml", what, progs);
		printf("%s: results in %s/%s.ktap and %s.junit.xml\n", what, out_dir.c_str(), what,
		       what);
	}
	return report_summary(what, progs, exp, now_seconds() - t0, o.strict, o.min_pass_rate);
}

} // namespace

int cli_kselftest(int argc, char **argv)
{
	static const char help[] =
		"usage: uiommufd kselftest --tree KERNEL_TREE [--out DIR] [--expected FILE]\n"
		"                          [--cc CC] [--cache DIR] [--jobs N] [--trace=FILE]\n"
		"                          [--min-pass-rate PCT] [--strict] [--skip-missing-tree]\n"
		"                          [--platform NAME|FILE]\n"
		"Builds KERNEL_TREE/tools/testing/selftests/iommu against uiommufd's uapi/,\n"
		"runs iommufd and iommufd_fail_nth under uiommufd, and reports the results\n"
		"(summary on stdout, KTAP and JUnit XML in --out). Exits 1 if a test fails\n"
		"that --expected does not list (lines \"program:test reason\"); with\n"
		"--skip-missing-tree, exits 77 (skipped) if KERNEL_TREE has no selftests.\n";
	double t0 = now_seconds();
	bool cached, skip_missing = false;
	common_opts o;

	o.root = true;	/* the kernel's selftests run as root */
	build b;

	b.cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	for (int i = 1; i < argc; i++) {
		int rc = common_option(argc, argv, &i, &o, "kselftest");

		if (rc < 0)
			return 2;
		if (rc)
			continue;
		if (!strcmp(argv[i], "--tree") && i + 1 < argc) {
			b.tree = argv[++i];
		} else if (!strncmp(argv[i], "--tree=", 7)) {
			b.tree = argv[i] + 7;
		} else if (!strcmp(argv[i], "--cc") && i + 1 < argc) {
			b.cc = argv[++i];
		} else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			b.cache_root = argv[++i];
		} else if (!strcmp(argv[i], "--skip-missing-tree")) {
			skip_missing = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(help, stdout);
			return 0;
		} else {
			fprintf(stderr, "uiommufd kselftest: unknown argument %s\n%s", argv[i], help);
			return 2;
		}
	}
	if (b.tree.empty()) {
		fprintf(stderr, "uiommufd kselftest: --tree KERNEL_TREE is required\n%s", help);
		return 2;
	}
	if (!exists(b.tree + "/" + selftest_dir_rel + "/iommufd.c")) {
		fprintf(stderr, "uiommufd kselftest: %s is not a kernel tree with iommufd selftests "
				"(no %s/iommufd.c)%s\n", b.tree.c_str(), selftest_dir_rel,
			skip_missing ? "; skipped (harness/tools/setup.sh unpacks one)" : "");
		return skip_missing ? 77 : 2;
	}
	b.tree = real_path(b.tree);
	b.uapi = find_uapi();
	if (b.uapi.empty()) {
		fprintf(stderr, "uiommufd kselftest: cannot find uiommufd's uapi/ "
				"(set UIOMMUFD_SOURCE_DIR)\n");
		return 2;
	}
	if (b.cache_root.empty())
		b.cache_root = default_cache_root();

	if (isatty(2))
		fprintf(stderr, "building the iommu selftests of %s ...", b.tree.c_str());
	if (!build_selftests(b, &cached)) {
		if (isatty(2))
			fprintf(stderr, "\n");
		fprintf(stderr, "uiommufd kselftest: %s\n", b.error.c_str());
		return 1;
	}
	if (isatty(2))
		fprintf(stderr, "\r\033[K");
	printf("kselftest: %s (%s, %.2f s)\n", b.dir.c_str(), cached ? "cached" : "built",
	       now_seconds() - t0);
	if (!b.supplemented.empty()) {
		std::string names;

		for (const std::string &n : b.supplemented)
			names += " " + n;
		printf("kselftest: note: the tree's iommufd_test.h lacks names its own selftests "
		       "use; taken from uapi/linux/iommufd_test.h:%s\n", names.c_str());
	}

	std::vector<tap_program> progs;
	for (const char *p : kselftest_programs) {
		tap_program tp;

		tp.name = p;
		tp.path = b.dir + "/" + p;
		progs.push_back(tp);
	}
	return run_and_report("kselftest", progs, o, o.out.empty() ? b.dir + "/results" : o.out,
			      t0);
}

int cli_selftest(int argc, char **argv)
{
	static const char help[] =
		"usage: uiommufd selftest [--dir DIR] [--out DIR] [--expected FILE] [--jobs N]\n"
		"                         [--trace=FILE] [--strict] [--platform NAME|FILE]\n"
		"Runs uiommufd's own selftests (built for the interposer) under uiommufd.\n";
	double t0 = now_seconds();
	std::string dir;
	common_opts o;

	for (int i = 1; i < argc; i++) {
		int rc = common_option(argc, argv, &i, &o, "selftest");

		if (rc < 0)
			return 2;
		if (rc)
			continue;
		if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(help, stdout);
			return 0;
		} else {
			fprintf(stderr, "uiommufd selftest: unknown argument %s\n%s", argv[i], help);
			return 2;
		}
	}
	if (dir.empty())
		dir = cli_build_dir() + "/harness/cli/selftests";
	if (o.expected.empty() && exists(cli_source_dir() + "/harness/cli/selftest-expected.txt"))
		o.expected = cli_source_dir() + "/harness/cli/selftest-expected.txt";

	std::vector<tap_program> progs;
	DIR *d = opendir(dir.c_str());
	if (!d) {
		fprintf(stderr, "uiommufd selftest: %s: %s (build the project first)\n", dir.c_str(),
			strerror(errno));
		return 2;
	}
	while (struct dirent *de = readdir(d)) {
		std::string p = dir + "/" + de->d_name;
		struct stat st;

		if (de->d_name[0] == '.' || stat(p.c_str(), &st) || !S_ISREG(st.st_mode) ||
		    !(st.st_mode & S_IXUSR))
			continue;
		tap_program tp;
		tp.name = de->d_name;
		/* Built as interposer_<program>, beside the in-process <program>. */
		if (!tp.name.compare(0, 11, "interposer_"))
			tp.name = tp.name.substr(11);
		tp.path = p;
		progs.push_back(tp);
	}
	closedir(d);
	if (progs.empty()) {
		fprintf(stderr, "uiommufd selftest: no test programs in %s\n", dir.c_str());
		return 2;
	}
	std::sort(progs.begin(), progs.end(),
		  [](const tap_program &a, const tap_program &b) { return a.name < b.name; });
	return run_and_report("selftest", progs, o, o.out.empty() ? dir + "/results" : o.out, t0);
}
