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
 *
 * A tree with tools/testing/selftests/vfio has the VFIO selftests too:
 * the programs its Makefile lists (TEST_GEN_PROGS) and the library its
 * lib/libvfio.mk lists (LIBVFIO_C, the x86-only drivers on x86 hosts) are
 * compiled in place, objects in their own cache directory, with the
 * Makefile's warning flags and link flags. -I uapi/ comes first, so
 * <linux/vfio.h> and <linux/iommufd.h> are ours; then the library's
 * include/, the tree's tools/include and selftests/, and the tree's
 * usr/include (or include/uapi) for the other uapi headers. Each program
 * gets the device addresses it expects as its trailing arguments, from a
 * table for the default platform that --vfio-bdf overrides.
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
#include <fnmatch.h>
#include <fstream>
#include <map>
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

/* ---- the VFIO selftests ---- */

const char *const vfio_dir_rel = "tools/testing/selftests/vfio";

/*
 * The devices each VFIO selftest program is given as its trailing
 * arguments (vfio_selftests_get_bdf() takes them from the end of argv),
 * for the default platform: 0000:00:02.0 is a plain function no selftest
 * driver matches, 0000:00:03.0 an Intel I/OAT (8086:2021) the ioat
 * driver drives. The first rule whose pattern matches the program wins;
 * --vfio-bdf rules come before these.
 */
struct vfio_bdf_rule {
	std::string pattern;	/* fnmatch() on the program name */
	std::string bdfs;	/* comma-separated */
};

const vfio_bdf_rule vfio_bdf_table[] = {
	/* Needs a device with a selftest driver (DMA, MSI); SKIPs without. */
	{"vfio_pci_driver_test", "0000:00:03.0"},
	/* Initialises every device it is given, one thread each. */
	{"vfio_pci_device_init_perf_test", "0000:00:02.0,0000:00:03.0"},
	{"*", "0000:00:02.0"},
};

/* As libvfio's is_bdf(): %4x:%2x:%2x.%2x and nothing more. */
bool is_bdf(const std::string &s)
{
	unsigned int seg, bus, dev, fn;
	int len = -1;

	return sscanf(s.c_str(), "%4x:%2x:%2x.%2x%n", &seg, &bus, &dev, &fn, &len) == 4 &&
	       len == (int)s.size();
}

/* "LIST" or "PROGRAM=LIST" (a pattern); false if a BDF is malformed. */
bool parse_bdf_rule(const std::string &arg, vfio_bdf_rule *r)
{
	size_t eq = arg.find('=');
	std::string list = eq == std::string::npos ? arg : arg.substr(eq + 1);
	std::stringstream in(list);
	std::string bdf;
	bool any = false;

	r->pattern = eq == std::string::npos ? "*" : arg.substr(0, eq);
	r->bdfs = list;
	while (std::getline(in, bdf, ',')) {
		if (!is_bdf(bdf))
			return false;
		any = true;
	}
	return any && !r->pattern.empty();
}

std::vector<std::string> vfio_bdfs_for(const std::string &prog,
				       const std::vector<vfio_bdf_rule> &user)
{
	std::vector<std::string> out;
	std::string list;

	/* The last --vfio-bdf that matches wins, then the table. */
	for (auto r = user.rbegin(); r != user.rend() && list.empty(); ++r)
		if (!fnmatch(r->pattern.c_str(), prog.c_str(), 0))
			list = r->bdfs;
	for (const vfio_bdf_rule &r : vfio_bdf_table)
		if (list.empty() && !fnmatch(r.pattern.c_str(), prog.c_str(), 0))
			list = r.bdfs;

	std::stringstream in(list);
	std::string bdf;

	while (std::getline(in, bdf, ','))
		out.push_back(bdf);
	return out;
}

struct vfio_build {
	std::string tree, sd, uapi, cc, cache_root, dir, khdr;
	std::vector<std::string> programs;	/* TEST_GEN_PROGS */
	std::vector<std::string> lib;		/* LIBVFIO_C, paths under sd */
	std::vector<std::string> cflags;	/* the Makefiles' -W/-D/-f/-O/-std words */
	std::vector<std::string> ldflags, ldlibs;
	std::string error;
};

/*
 * What make would expand in the few conditionals these Makefiles have:
 * $(ARCH), $(ARCH:x86_64=x86) and $(filter $(ARCH),...), ARCH being the
 * host's.
 */
std::string make_expand(std::string s, const std::string &arch)
{
	std::string x86 = arch == "x86_64" ? "x86" : arch;
	size_t p;

	while ((p = s.find("$(ARCH:x86_64=x86)")) != std::string::npos)
		s.replace(p, 18, x86);
	while ((p = s.find("$(filter $(ARCH),")) != std::string::npos) {
		size_t e = s.find(')', p + 17);
		std::vector<std::string> words;

		if (e == std::string::npos)
			break;
		words = split_ws(s.substr(p + 17, e - p - 17));
		s.replace(p, e - p + 1,
			  std::find(words.begin(), words.end(), arch) != words.end() ? arch : "");
	}
	while ((p = s.find("$(ARCH)")) != std::string::npos)
		s.replace(p, 7, arch);
	while ((p = s.find("$(SUBARCH)")) != std::string::npos)
		s.replace(p, 10, x86);
	return s;
}

/* ifeq (A,B) / ifneq (A,B) after expansion; anything else counts as true. */
bool make_condition(const std::string &line, const std::string &arch)
{
	bool neq = !line.compare(0, 5, "ifneq");
	size_t open = line.find('('), close = line.rfind(')');

	if (line.compare(0, 4, "ifeq") && !neq)
		return true;
	if (open == std::string::npos || close == std::string::npos || close < open)
		return true;
	std::string body = make_expand(line.substr(open + 1, close - open - 1), arch);
	size_t comma = body.find(',');

	if (comma == std::string::npos)
		return true;
	auto trim = [](std::string t) {
		size_t b = t.find_first_not_of(" \t"), e = t.find_last_not_of(" \t");
		return b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
	};
	return (trim(body.substr(0, comma)) == trim(body.substr(comma + 1))) != neq;
}

/* Reads VAR (+)= words from a Makefile, honouring its arch conditionals. */
void make_vars(const std::string &path, const std::string &arch,
	       std::map<std::string, std::vector<std::string>> *vars)
{
	std::istringstream in(read_file(path));
	std::vector<bool> live;	/* one per open conditional */
	std::string line, cont;

	while (std::getline(in, line)) {
		if (!line.empty() && line.back() == '\\') {
			cont += line.substr(0, line.size() - 1) + " ";
			continue;
		}
		line = cont + line;
		cont.clear();
		if (size_t hash = line.find('#'); hash != std::string::npos)
			line.resize(hash);
		std::vector<std::string> w = split_ws(line);

		if (w.empty())
			continue;
		bool on = std::find(live.begin(), live.end(), false) == live.end();

		if (w[0] == "ifeq" || w[0] == "ifneq" || w[0] == "ifdef" || w[0] == "ifndef") {
			live.push_back(make_condition(line.substr(line.find(w[0])), arch));
			continue;
		}
		if (w[0] == "else" && !live.empty()) {
			live.back() = !live.back();
			continue;
		}
		if (w[0] == "endif" && !live.empty()) {
			live.pop_back();
			continue;
		}
		if (!on || w.size() < 2 || (w[1] != "+=" && w[1] != ":=" && w[1] != "="))
			continue;
		if (w[1] != "+=")
			(*vars)[w[0]].clear();
		for (size_t i = 2; i < w.size(); i++)
			(*vars)[w[0]].push_back(w[i]);
	}
}

std::string host_arch(void)
{
#if defined(__x86_64__)
	return "x86_64";
#elif defined(__aarch64__)
	return "aarch64";
#else
	return "unknown";
#endif
}

bool vfio_parse(vfio_build &vb)
{
	std::map<std::string, std::vector<std::string>> vars;
	std::string arch = host_arch();

	make_vars(vb.sd + "/Makefile", arch, &vars);
	make_vars(vb.sd + "/lib/libvfio.mk", arch, &vars);
	vb.programs = vars["TEST_GEN_PROGS"];
	if (vb.programs.empty()) {
		vb.error = vb.sd + "/Makefile lists no TEST_GEN_PROGS for " + arch;
		return false;
	}
	/* LIBVFIO_SRCDIR-relative since the library split, VFIO_DIR-relative before. */
	for (const std::string &c : vars["LIBVFIO_C"]) {
		std::string rel = exists(vb.sd + "/lib/" + c) ? "lib/" + c : c;

		if (!exists(vb.sd + "/" + rel)) {
			vb.error = "lib/libvfio.mk lists " + c + ", which " + vb.sd + " lacks";
			return false;
		}
		vb.lib.push_back(rel);
	}
	for (const std::string &f : vars["CFLAGS"])
		if (f.size() > 2 && f[0] == '-' && std::string("WDfO").find(f[1]) != std::string::npos)
			vb.cflags.push_back(f);
	if (!std::count(vb.cflags.begin(), vb.cflags.end(), "-D_GNU_SOURCE="))
		vb.cflags.push_back("-D_GNU_SOURCE=");
	for (const std::string &f : vars["LDFLAGS"])
		if (f[0] == '-')
			vb.ldflags.push_back(f);
	for (const std::string &f : vars["LDLIBS"])
		if (f[0] == '-')
			vb.ldlibs.push_back(f);
	vb.khdr = exists(vb.tree + "/usr/include/linux") ? vb.tree + "/usr/include"
							 : vb.tree + "/include/uapi";
	return true;
}

std::vector<std::string> vfio_compile_flags(const vfio_build &vb)
{
	std::vector<std::string> f = vb.cflags;

	f.insert(f.end(), {"-I" + vb.uapi, "-I" + vb.sd + "/lib/include",
			   "-I" + vb.tree + "/tools/include",
			   "-I" + vb.tree + "/tools/testing/selftests", "-isystem", vb.khdr});
	return f;
}

/* Everything the build read, as the compiler's dependency files name them. */
std::set<std::string> vfio_deps(const vfio_build &vb)
{
	std::set<std::string> deps;
	std::istringstream in(read_file(vb.dir + "/deps"));
	std::string d;

	while (std::getline(in, d))
		if (!d.empty())
			deps.insert(d);
	return deps;
}

std::string vfio_inputs_hash(const vfio_build &vb, const std::set<std::string> &deps)
{
	std::string k = vb.cc + "\n";
	char hex[17];

	for (const std::string &f : vfio_compile_flags(vb))
		k += f + " ";
	for (const std::string &f : vb.ldflags)
		k += f + " ";
	for (const std::string &f : vb.ldlibs)
		k += f + " ";
	for (const std::string &d : deps)
		k += d + "=" + read_file(d) + "\n";
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)fnv1a(k));
	return hex;
}

/* Runs the commands, jobs at a time; returns their exit statuses. */
std::vector<int> run_parallel(const std::vector<std::vector<std::string>> &cmds,
			      const std::vector<std::string> &logs, unsigned int jobs)
{
	std::vector<int> status(cmds.size(), 127);
	std::map<pid_t, size_t> live;
	size_t next = 0;

	while (next < cmds.size() || !live.empty()) {
		while (next < cmds.size() && live.size() < std::max(jobs, 1u)) {
			pid_t pid = spawn_logged(cmds[next], logs[next]);

			if (pid > 0)
				live[pid] = next;
			next++;
		}
		if (live.empty())
			continue;
		int st;
		pid_t pid = waitpid(-1, &st, 0);

		if (pid < 0)
			break;
		auto it = live.find(pid);
		if (it == live.end())
			continue;
		status[it->second] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		live.erase(it);
	}
	return status;
}

/*
 * Names a failed compile could not find: undeclared identifiers and
 * missing struct members, the usual sign that our uapi/ lags the tree.
 */
std::set<std::string> missing_names(const std::string &log)
{
	std::set<std::string> names = undeclared(log);
	std::istringstream in(log);
	std::string line;

	while (std::getline(in, line)) {
		size_t p = line.find("has no member named ");

		if (p == std::string::npos && (p = line.find("no member named ")) == std::string::npos)
			continue;
		std::string rest = line.substr(line.find("named ", p) + 6);
		size_t b = rest.find_first_not_of("'\"\xe2\x80\x98\x99");
		size_t e = rest.find_first_of("'\"\xe2", b);

		if (b != std::string::npos)
			names.insert(rest.substr(b, e == std::string::npos ? e : e - b));
	}
	return names;
}

bool vfio_compile(vfio_build &vb, unsigned int jobs)
{
	std::vector<std::vector<std::string>> cmds;
	std::vector<std::string> logs, objs, deps_files;
	std::vector<std::string> flags = vfio_compile_flags(vb);

	auto compile = [&](const std::string &src, const std::string &obj) {
		std::vector<std::string> a = split_ws(vb.cc);

		mkdirs(obj.substr(0, obj.rfind('/')));
		a.insert(a.end(), flags.begin(), flags.end());
		a.insert(a.end(), {"-MD", "-MF", obj + ".d", "-c", vb.sd + "/" + src, "-o", obj});
		cmds.push_back(a);
		logs.push_back(obj + ".log");
		deps_files.push_back(obj + ".d");
	};
	for (const std::string &src : vb.lib) {
		objs.push_back(vb.dir + "/libvfio/" + src.substr(0, src.size() - 2) + ".o");
		compile(src, objs.back());
	}
	for (const std::string &p : vb.programs)
		compile(p + ".c", vb.dir + "/obj/" + p + ".o");

	std::vector<int> st = run_parallel(cmds, logs, jobs);
	std::string failed;
	std::set<std::string> missing;

	for (size_t i = 0; i < st.size(); i++) {
		if (!st[i])
			continue;
		std::string log = read_file(logs[i]);

		failed += log;
		for (const std::string &n : missing_names(log))
			missing.insert(n);
	}
	if (!failed.empty()) {
		vb.error = "building the VFIO selftests of " + vb.tree + " failed:\n" + failed;
		if (!missing.empty()) {
			vb.error += "names the compiler did not find (if they are upstream uapi, "
				    "uapi/linux/vfio.h or iommufd.h lags the tree):";
			for (const std::string &n : missing)
				vb.error += " " + n;
		}
		return false;
	}

	cmds.clear();
	logs.clear();
	for (const std::string &p : vb.programs) {
		std::vector<std::string> a = split_ws(vb.cc);

		a.insert(a.end(), vb.cflags.begin(), vb.cflags.end());
		a.insert(a.end(), vb.ldflags.begin(), vb.ldflags.end());
		a.push_back(vb.dir + "/obj/" + p + ".o");
		a.insert(a.end(), objs.begin(), objs.end());
		a.insert(a.end(), vb.ldlibs.begin(), vb.ldlibs.end());
		a.insert(a.end(), {"-o", vb.dir + "/" + p});
		cmds.push_back(a);
		logs.push_back(vb.dir + "/obj/" + p + ".link.log");
	}
	st = run_parallel(cmds, logs, jobs);
	for (size_t i = 0; i < st.size(); i++)
		if (st[i])
			failed += read_file(logs[i]);
	if (!failed.empty()) {
		vb.error = "linking the VFIO selftests of " + vb.tree + " failed:\n" + failed;
		return false;
	}

	/* Every header and source the compiler read, for the next run's check. */
	std::set<std::string> deps;
	for (const std::string &d : deps_files) {
		std::string text = read_file(d);

		std::replace(text.begin(), text.end(), '\\', ' ');
		for (const std::string &w : split_ws(text))
			if (w.back() != ':')
				deps.insert(real_path(w));
	}
	std::ofstream out(vb.dir + "/deps");
	for (const std::string &d : deps)
		out << d << "\n";
	out.close();
	std::ofstream stamp(vb.dir + "/.built");
	stamp << vfio_inputs_hash(vb, deps) << "\n";
	return (bool)stamp;
}

/*
 * The cache directory is keyed by the tree, the compiler, our uapi/ and
 * the selftests' own directory; within it, the stamp holds a hash of every
 * file the last build read (its dependency files), so a change to any
 * header the tree's tests pulled in rebuilds.
 */
bool vfio_build_selftests(vfio_build &vb, unsigned int jobs, bool *cached)
{
	std::string k = vb.tree + "\n" + vb.cc + "\n" + vb.uapi + "\n";
	char hex[17];

	*cached = false;
	if (!vfio_parse(vb))
		return false;
	for (const std::string &f : {vb.sd + "/Makefile", vb.sd + "/lib/libvfio.mk",
				     vb.uapi + "/linux/vfio.h", vb.uapi + "/linux/iommufd.h"})
		k += f + "=" + read_file(f) + "\n";
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)fnv1a(k));
	vb.dir = vb.cache_root + "/kselftest-vfio-" + hex;
	if (exists(vb.dir + "/.built")) {
		std::string want = read_file(vb.dir + "/.built");

		if (want == vfio_inputs_hash(vb, vfio_deps(vb)) + "\n") {
			*cached = true;
			return true;
		}
		unlink((vb.dir + "/.built").c_str());
	}
	if (!mkdirs(vb.dir)) {
		vb.error = "cannot create " + vb.dir + ": " + strerror(errno);
		return false;
	}
	return vfio_compile(vb, jobs);
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
	 * program's eight, and the machine has more than one CPU. A program
	 * that already has its one part (arguments of its own, the VFIO
	 * selftests' devices) runs whole: listing it would start it outside
	 * uiommufd.
	 */
	for (tap_program &p : progs) {
		if (!p.shards.empty())
			continue;
		p.listing = tap_list_tests(p.path);
		if (p.listing.size() >= 40)
			tap_shard(p, o.jobs);
	}
	tap_run_all(progs, o.jobs, run_args, isatty(2));
	/*
	 * A program that exits KSFT_SKIP (4) before its first test (no device
	 * for it, no driver for the device) is one skipped entry, as the
	 * kselftest runner reports it, with the reason it printed.
	 */
	for (tap_program &p : progs) {
		if (!p.cases.empty() || p.planned || p.exit_status != 4)
			continue;
		tap_case c;

		c.name = p.name;
		c.result = TAP_SKIP;
		c.reason = p.stray.empty() ? "program skipped" : p.stray.front();
		c.log = p.stray;
		p.cases.push_back(c);
	}
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
		"usage: uiommufd kselftest --tree KERNEL_TREE [--suite iommufd|vfio|all]\n"
		"                          [--vfio-bdf [PROGRAM=]BDF[,BDF...]] [--out DIR]\n"
		"                          [--expected FILE] [--cc CC] [--cache DIR] [--jobs N]\n"
		"                          [--trace=FILE] [--min-pass-rate PCT] [--strict]\n"
		"                          [--skip-missing-tree] [--platform NAME|FILE]\n"
		"Builds KERNEL_TREE's tools/testing/selftests/iommu (iommufd, iommufd_fail_nth)\n"
		"and tools/testing/selftests/vfio (the programs its Makefile lists) against\n"
		"uiommufd's uapi/, runs them under uiommufd, and reports the results (summary\n"
		"on stdout, KTAP and JUnit XML in --out). --suite picks one set (default: all\n"
		"the tree has). The VFIO programs get device addresses as their trailing\n"
		"arguments: vfio_pci_driver_test 0000:00:03.0, the others 0000:00:02.0;\n"
		"--vfio-bdf LIST gives every program LIST, PROGRAM=LIST (a pattern) one.\n"
		"Exits 1 if a test fails that --expected does not list (lines \"program:test\n"
		"reason\"); with --skip-missing-tree, exits 77 (skipped) if KERNEL_TREE has\n"
		"none of the selected selftests.\n";
	double t0 = now_seconds();
	bool cached, skip_missing = false;
	std::string suite = "all";
	std::vector<vfio_bdf_rule> bdf_rules;
	common_opts o;

	o.root = true;	/* the kernel's selftests run as root */
	build b;

	b.cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	for (int i = 1; i < argc; i++) {
		int rc = common_option(argc, argv, &i, &o, "kselftest");
		std::string v;

		if (rc < 0)
			return 2;
		if (rc)
			continue;
		auto value = [&](const char *name) {
			size_t n = strlen(name);

			if (!strncmp(argv[i], name, n) && argv[i][n] == '=') {
				v = argv[i] + n + 1;
				return true;
			}
			if (strcmp(argv[i], name) || i + 1 >= argc)
				return false;
			v = argv[++i];
			return true;
		};
		if (value("--tree")) {
			b.tree = v;
		} else if (value("--cc")) {
			b.cc = v;
		} else if (value("--cache")) {
			b.cache_root = v;
		} else if (value("--suite")) {
			suite = v;
			if (suite != "iommufd" && suite != "vfio" && suite != "all") {
				fprintf(stderr, "uiommufd kselftest: --suite is iommufd, vfio or all\n");
				return 2;
			}
		} else if (value("--vfio-bdf")) {
			vfio_bdf_rule r;

			if (!parse_bdf_rule(v, &r)) {
				fprintf(stderr, "uiommufd kselftest: --vfio-bdf %s: want [PROGRAM=]"
						"SSSS:BB:DD.F[,...]\n", v.c_str());
				return 2;
			}
			bdf_rules.push_back(r);
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
	bool has_iommufd = exists(b.tree + "/" + selftest_dir_rel + "/iommufd.c");
	bool has_vfio = exists(b.tree + "/" + vfio_dir_rel + "/Makefile");
	bool want_iommufd = suite != "vfio" && has_iommufd;
	bool want_vfio = suite != "iommufd" && has_vfio;

	if ((suite == "iommufd" && !has_iommufd) || (suite == "all" && !has_iommufd && !has_vfio)) {
		fprintf(stderr, "uiommufd kselftest: %s is not a kernel tree with iommufd selftests "
				"(no %s/iommufd.c)%s\n", b.tree.c_str(), selftest_dir_rel,
			skip_missing ? "; skipped (harness/tools/setup.sh unpacks one)" : "");
		return skip_missing ? 77 : 2;
	}
	if (suite == "vfio" && !has_vfio) {
		fprintf(stderr, "uiommufd kselftest: %s has no VFIO selftests (no %s/Makefile)%s\n",
			b.tree.c_str(), vfio_dir_rel, skip_missing ? "; skipped" : "");
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

	std::vector<tap_program> progs;
	std::string out_dir = o.out;
	bool vfio_failed = false;

	if (want_iommufd) {
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
			printf("kselftest: note: the tree's iommufd_test.h lacks names its own "
			       "selftests use; taken from uapi/linux/iommufd_test.h:%s\n",
			       names.c_str());
		}
		for (const char *p : kselftest_programs) {
			tap_program tp;

			tp.name = p;
			tp.path = b.dir + "/" + p;
			progs.push_back(tp);
		}
		if (out_dir.empty())
			out_dir = b.dir + "/results";
	}
	if (want_vfio) {
		vfio_build vb;
		double t1 = now_seconds();

		vb.tree = b.tree;
		vb.sd = b.tree + "/" + vfio_dir_rel;
		vb.uapi = b.uapi;
		vb.cc = b.cc;
		vb.cache_root = b.cache_root;
		if (isatty(2))
			fprintf(stderr, "building the VFIO selftests of %s ...", b.tree.c_str());
		bool ok = vfio_build_selftests(vb, o.jobs, &cached);

		if (isatty(2))
			fprintf(stderr, ok ? "\r\033[K" : "\n");
		if (!ok) {
			fprintf(stderr, "uiommufd kselftest: %s\n", vb.error.c_str());
			if (progs.empty())
				return 1;
			/* The iommufd programs still run; the status says the rest did not. */
			vfio_failed = true;
		} else {
			printf("kselftest: %s (%s, %.2f s)\n", vb.dir.c_str(),
			       cached ? "cached" : "built", now_seconds() - t1);
			for (const std::string &p : vb.programs) {
				tap_program tp;

				tp.name = p;
				tp.path = vb.dir + "/" + p;
				tp.shards = {vfio_bdfs_for(p, bdf_rules)};
				progs.push_back(tp);
			}
			if (out_dir.empty())
				out_dir = vb.dir + "/results";
		}
	}
	int rc = run_and_report("kselftest", progs, o, out_dir, t0);

	return rc ? rc : vfio_failed;
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
