// SPDX-License-Identifier: GPL-2.0
/*
 * uiommufd: the command.
 *
 *   uiommufd run [--platform P] [--trace[=FILE]] [--digest FILE] [--graph FILE]
 *                [--leak-check] -- PROGRAM [ARGS]
 *   uiommufd diff DIGEST_A DIGEST_B
 *   uiommufd kselftest --tree KERNEL_TREE [options]
 *   uiommufd selftest [options]
 *   uiommufd platform [NAME|FILE | --list]
 *
 * (`diff` is harness/cli/diff.cc; the digests and graphs themselves are
 * written by the kernel side, harness/server/digest.cc.)
 *
 * `run` is the server: this process starts the iommufd core, listens on a
 * socket in a private directory, and starts PROGRAM with the interposer
 * preloaded and the socket in its environment. It is the subreaper of
 * everything PROGRAM starts, so every client is its descendant (and may be
 * read with process_vm_readv even under Yama's ptrace_scope=1), and it
 * keeps serving until the last of them has exited — a file stays open
 * while any process holds it, as with the kernel. Its exit status is
 * PROGRAM's (128+signal if it was killed), except that kernel-side
 * failures (WARN, lockdep, refcount, bad free) while serving turn a 0 into
 * 1: they are bugs a real kernel would have logged.
 */
#include "harness/cli/cli.h"
#include "harness/server/embedded.h"
#include "harness/server/protocol.h"
#include "harness/server/server.h"

#include "core/state.h"
#include "harness/platform/platform.h"
#include "harness/slab.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <pthread.h>
#include <sys/personality.h>
#include <spawn.h>
#include <sys/wait.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

/* core/main.cc: open("/dev/iommu"); core/eventq.cc: how a queue file reads. */
struct file *iommufd_fops_open(void);
/* drivers/vfio: open() of /dev/vfio/... */
struct file *vfio_open_path(const char *path, unsigned int flags);
int vfio_pci_boot_platform(std::string *err);
int iommufd_eventq_file_kind(struct file *filep);

#ifndef UIOMMUFD_PRELOAD_BUILD_PATH
#define UIOMMUFD_PRELOAD_BUILD_PATH ""
#endif
#ifndef UIOMMUFD_KERNEL_LIB_BUILD_PATH
#define UIOMMUFD_KERNEL_LIB_BUILD_PATH ""
#endif
#ifndef UIOMMUFD_BUILD_DIR
#define UIOMMUFD_BUILD_DIR ""
#endif
#ifndef UIOMMUFD_SOURCE_DIR
#define UIOMMUFD_SOURCE_DIR ""
#endif

extern char **environ;

static const char usage[] =
	"usage: uiommufd run [--platform P] [--trace[=FILE]] [--root] [--server] [--leak-check]\n"
	"                    [--digest FILE] [--graph FILE] [--] PROGRAM [ARGS...]\n"
	"       uiommufd kselftest --tree KERNEL_TREE [--out DIR] [--expected FILE] [--cc CC]\n"
	"                          [--jobs N] [--trace=FILE] [--min-pass-rate PCT] [--strict] [--server]\n"
	"                          [--no-root]\n"
	"       uiommufd selftest [--dir DIR] [--expected FILE] [--out DIR] [--jobs N] [--server]\n"
	"       uiommufd platform [NAME|FILE | --list]\n"
	"       uiommufd diff DIGEST_A DIGEST_B\n"
	"\n"
	"  run        run PROGRAM against uiommufd: open(\"/dev/iommu\"), its ioctls, fail-nth and\n"
	"             the fault-injection debugfs are served by uiommufd's kernel side, loaded\n"
	"             into PROGRAM's own process (a forked child becomes its parent's client)\n"
	"  kselftest  build the kernel tree's iommu selftests against uiommufd's uapi/ and run them\n"
	"  selftest   run uiommufd's own selftests through the interposer\n"
	"  platform   print the machine a platform describes (IOMMUs, devices, groups, cdevs)\n"
	"  diff       the first step where two --digest files differ, and what differs there\n"
	"\n"
	"  --trace[=FILE]   one decoded line per ioctl (name, IDs, fields, result) to FILE or stderr\n"
	"  --platform P     the platform to emulate: an embedded one's name (default: \"default\";\n"
	"                   `uiommufd platform --list`) or a platform file (with a '/' or .json)\n"
	"  --root           capabilities as for root in a VM: those the container withholds\n"
	"                   count as held (default for kselftest; --no-root there)\n"
	"  --server         keep the kernel side in a separate server process instead (slower;\n"
	"                   the kernel side is then the sanitized build's)\n"
	"  --leak-check     after the last client exits, report kernel allocations still live\n"
	"                   (implies --server)\n"
	"  --digest FILE    after every ioctl and at exit, what changed in the observable state\n"
	"                   (objects, mappings, page-table images, models); implies --server\n"
	"  --graph FILE     the iommufd object graph at exit (and on SIGUSR1 to uiommufd) as DOT,\n"
	"                   or SVG/PNG by FILE's suffix when Graphviz is installed; implies --server\n";

std::string cli_self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return "uiommufd";
	buf[n] = 0;
	return buf;
}

static bool is_file(const std::string &p)
{
	struct stat st;

	return !p.empty() && !stat(p.c_str(), &st) && S_ISREG(st.st_mode);
}

/*
 * One of our libraries: $ENV_VAR, else where this build put it, else
 * next to (or installed beside) the command.
 */
static std::string find_library(const char *env_var, const char *build_path, const char *name)
{
	const char *env = getenv(env_var);
	std::string self = cli_self_exe();
	std::string dir = self.substr(0, self.rfind('/'));

	if (env && *env)
		return env;
	if (is_file(build_path))
		return build_path;
	for (const char *rel : {"/../lib/uiommufd/", "/", "/../preload/"})
		if (is_file(dir + rel + name))
			return dir + rel + name;
	return "";
}

std::string cli_preload_path(void)
{
	return find_library("UIOMMUFD_PRELOAD", UIOMMUFD_PRELOAD_BUILD_PATH,
			    "libuiommufd_preload.so");
}

std::string cli_kernel_lib_path(void)
{
	return find_library("UIOMMUFD_KERNEL_LIB_PATH", UIOMMUFD_KERNEL_LIB_BUILD_PATH,
			    "libuiommufd_kernel.so");
}

std::string cli_build_dir(void)
{
	const char *env = getenv("UIOMMUFD_BUILD_DIR");

	if (env && *env)
		return env;
	return UIOMMUFD_BUILD_DIR;
}

std::string cli_source_dir(void)
{
	const char *env = getenv("UIOMMUFD_SOURCE_DIR");

	if (env && *env)
		return env;
	return UIOMMUFD_SOURCE_DIR;
}

/* ---- run ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/*
 * The program's file names a sanitizer's runtime entry: an instrumented
 * program (it refuses the RTLD_DEEPBIND the in-process kernel side needs).
 */
static bool program_uses_sanitizer(const std::string &prog)
{
	static const char *const marks[] = {UFD_SANITIZER_RUNTIMES};
	std::string path = prog;
	std::vector<char> buf(1 << 20);
	std::string tail;
	bool found = false;
	FILE *f;

	if (prog.find('/') == std::string::npos) {
		const char *env = getenv("PATH");
		std::string dirs = env ? env : "/usr/bin:/bin";

		for (size_t b = 0, e; b <= dirs.size(); b = e + 1) {
			e = dirs.find(':', b);
			if (e == std::string::npos)
				e = dirs.size();
			std::string cand = dirs.substr(b, e - b) + "/" + prog;
			if (!access(cand.c_str(), X_OK)) {
				path = cand;
				break;
			}
		}
	}
	f = fopen(path.c_str(), "rbe");
	if (!f)
		return false;
	/* Chunks, with an overlap so a name across a boundary is seen. */
	while (!found) {
		size_t n = fread(buf.data(), 1, buf.size(), f);
		std::string chunk = tail + std::string(buf.data(), n);

		for (const char *m : marks)
			if (chunk.find(m) != std::string::npos)
				found = true;
		if (n < buf.size())
			break;
		tail = chunk.substr(chunk.size() - 16);
	}
	fclose(f);
	return found;
}

/* "svg" or "png" for a --graph file Graphviz should render, "" for DOT. */
static std::string graph_format(const std::string &path)
{
	for (const char *ext : {".svg", ".png"}) {
		size_t n = strlen(ext);

		if (path.size() > n && !path.compare(path.size() - n, n, ext))
			return ext + 1;
	}
	return "";
}

/* dot -T@fmt; without Graphviz the DOT file stays, and says so. */
static int render_graph(const std::string &dot, const std::string &out, const std::string &fmt)
{
	std::string type = "-T" + fmt, outarg = "-o" + out;
	char *const args[] = {(char *)"dot", type.data(), outarg.data(), (char *)dot.c_str(),
			      nullptr};
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, "dot", nullptr, nullptr, args, environ)) {
		fprintf(stderr, "uiommufd: --graph: Graphviz's dot is not installed; the graph is "
				"in %s\n", dot.c_str());
		return 0;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "uiommufd: --graph: dot could not render %s\n", dot.c_str());
		return 1;
	}
	unlink(dot.c_str());
	return 0;
}

int cli_run(const cli_run_opts &o)
{
	std::string preload = cli_preload_path();
	const char *tmp = getenv("TMPDIR");
	std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/uiommufd.XXXXXX";
	/*
	 * In-process unless asked otherwise, or --leak-check (needs the last
	 * client gone), or a digest or graph (one machine, every process's
	 * ioctls its steps).
	 */
	bool inproc = !o.server && !o.leak_check && o.digest.empty() && o.graph.empty();
	std::string graph_out = o.graph, graph_fmt = graph_format(o.graph);
	ufd_server_config cfg;
	ufd_inproc_config in;
	std::string platform;
	unsigned long failures;
	int exit_code;
	u64 mark = 0;

	/*
	 * Checked here, whole, so a bad description is one line before anything
	 * starts; the kernel side (this process with --server, else each client)
	 * boots what the environment names.
	 */
	if (cli_platform_resolve(o.platform, &platform))
		return 2;
	setenv(PLATFORM_ENV, platform.c_str(), 1);
	if (preload.empty()) {
		fprintf(stderr, "uiommufd: cannot find libuiommufd_preload.so (set UIOMMUFD_PRELOAD)\n");
		return 125;
	}
	if (inproc && program_uses_sanitizer(o.argv[0])) {
		fprintf(stderr, "uiommufd: %s is built with a sanitizer, which cannot host the "
				"in-process kernel side: serving it from this process (--server)\n",
			o.argv[0].c_str());
		inproc = false;
	}
	if (inproc) {
		in.kernel_lib = cli_kernel_lib_path();
		if (in.kernel_lib.empty()) {
			fprintf(stderr, "uiommufd: cannot find libuiommufd_kernel.so "
					"(set UIOMMUFD_KERNEL_LIB_PATH, or use --server)\n");
			return 125;
		}
	}
	if (!mkdtemp(dir.data())) {
		fprintf(stderr, "uiommufd: cannot create a private directory in %s: %s\n",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		return 125;
	}
	cfg.socket_path = dir + "/server.sock";
	cfg.debugfs_dir = dir + "/debugfs";
	cfg.sysroot_dir = dir + "/root";
	{
		/* The machine's sysfs and /dev/vfio, for the interposer to redirect into. */
		platform_desc desc;
		std::string err;

		if (platform_desc_load(platform, &desc, &err) ||
		    platform_sysfs_write(cfg.sysroot_dir, desc, &err)) {
			fprintf(stderr, "uiommufd: platform %s\n", err.c_str());
			nftw(dir.c_str(), rm_entry, 8, FTW_DEPTH | FTW_PHYS);
			return 125;
		}
	}
	cfg.open_iommu = iommufd_fops_open;
	cfg.open_path = vfio_open_path;
	cfg.boot = vfio_pci_boot_platform;
	cfg.read_kind = iommufd_eventq_file_kind;
	cfg.root = o.root;
	cfg.digest_path = o.digest;
	cfg.state_snapshot = iommufd_state_snapshot;
	cfg.state_release_hook = &iommufd_state_release_hook;
	/*
	 * IOVA allocation follows the alignment of the user's buffers, as the
	 * kernel's does, so two runs compare only if their buffers land at
	 * the same addresses: no address-space randomisation for PROGRAM.
	 */
	if (!o.digest.empty() && personality(0xffffffff) != -1)
		personality((unsigned long)personality(0xffffffff) | ADDR_NO_RANDOMIZE);
	if (!graph_out.empty()) {
		sigset_t set;

		/* Graphviz renders after the run: the server writes DOT beside it. */
		cfg.graph_path = graph_fmt.empty() ? graph_out : graph_out + ".dot";
		/* Before any thread starts: only the server's graph thread takes it. */
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &set, nullptr);
	}
	if (o.trace) {
		cfg.trace = o.trace_file.empty() ? stderr : fopen(o.trace_file.c_str(), "we");
		if (!cfg.trace) {
			fprintf(stderr, "uiommufd: --trace=%s: %s\n", o.trace_file.c_str(),
				strerror(errno));
			nftw(dir.c_str(), rm_entry, 8, FTW_DEPTH | FTW_PHYS);
			return 125;
		}
	}
	if (inproc) {
		int fd;

		in.run_dir = dir;
		in.failures_path = dir + "/failures";
		fd = open(in.failures_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		/* The file is created empty here; the processes append to it. */
		if (o.trace)
			in.trace = o.trace_file.empty() ? "-" : o.trace_file;
		if (cfg.trace && cfg.trace != stderr)
			fclose(cfg.trace);
		cfg.trace = nullptr;
	}
	if (o.leak_check)
		mark = kmem_leak_mark();

	exit_code = ufd_server_run(cfg, o.argv, preload, inproc ? &in : nullptr);

	if (o.leak_check) {
		unsigned long leaks = kmem_leak_report(mark);

		if (leaks) {
			fprintf(stderr, "uiommufd: %lu kernel allocation(s) still live after the "
					"last client exited\n", leaks);
			if (!exit_code)
				exit_code = 1;
		}
	}
	if (inproc) {
		struct stat st;

		failures = stat(in.failures_path.c_str(), &st) ? 0 : (unsigned long)st.st_size;
	} else {
		failures = ufd_server_failures();
	}
	if (failures) {
		fprintf(stderr, "uiommufd: %lu kernel-side failure(s) while serving (see above)\n",
			failures);
		if (!exit_code)
			exit_code = 1;
	}
	if (cfg.trace && cfg.trace != stderr)
		fclose(cfg.trace);
	nftw(dir.c_str(), rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	if (!graph_fmt.empty() && render_graph(cfg.graph_path, graph_out, graph_fmt) && !exit_code)
		exit_code = 1;
	return exit_code;
}

static int parse_run(int argc, char **argv)
{
	cli_run_opts o;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (!strcmp(a, "--trace")) {
			o.trace = true;
		} else if (!strncmp(a, "--trace=", 8)) {
			o.trace = true;
			o.trace_file = a + 8;
			if (o.trace_file.empty() || o.trace_file == "-")
				o.trace_file.clear();
		} else if (!strcmp(a, "--platform") || !strncmp(a, "--platform=", 11)) {
			if (a[10] == '=') {
				o.platform = a + 11;
			} else if (i + 1 < argc) {
				o.platform = argv[++i];
			} else {
				fprintf(stderr, "uiommufd run: --platform needs a value\n");
				return 2;
			}
		} else if (!strcmp(a, "--leak-check")) {
			o.leak_check = true;
		} else if (!strcmp(a, "--server")) {
			o.server = true;
		} else if (!strcmp(a, "--root")) {
			o.root = true;
		} else if (!strcmp(a, "--digest") || !strcmp(a, "--graph")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "uiommufd run: %s needs a file\n", a);
				return 2;
			}
			(a[2] == 'd' ? o.digest : o.graph) = argv[++i];
		} else if (!strncmp(a, "--digest=", 9)) {
			o.digest = a + 9;
		} else if (!strncmp(a, "--graph=", 8)) {
			o.graph = a + 8;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "uiommufd run: unknown option %s\n%s", a, usage);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "uiommufd run: no PROGRAM given\n%s", usage);
		return 2;
	}
	for (; i < argc; i++)
		o.argv.push_back(argv[i]);
	return cli_run(o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return parse_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kselftest"))
		return cli_kselftest(argc - 1, argv + 1);
	if (!strcmp(argv[1], "selftest"))
		return cli_selftest(argc - 1, argv + 1);
	if (!strcmp(argv[1], "platform"))
		return cli_platform(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return cli_diff(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	fprintf(stderr, "uiommufd: unknown command \"%s\"\n%s", argv[1], usage);
	return 2;
}
