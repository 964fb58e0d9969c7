// SPDX-License-Identifier: GPL-2.0
/*
 * Serving one program: start the server, spawn the program with the
 * interposer, serve until it and everything it started have exited.
 *
 * We make ourselves a child subreaper, so every process the program
 * starts stays our descendant even when its parent exits first: the
 * server may read its memory (process_vm_readv needs ptrace access, which
 * Yama's ptrace_scope=1 grants to ancestors), and we know when the last
 * client is gone — a file stays open as long as any process holds it.
 */
#include "harness/server/server.h"
#include "harness/server/embedded.h"
#include "harness/server/protocol.h"

#include "harness/compiler.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t main_child;
static volatile sig_atomic_t stop_requested;

/* To the program while it runs; afterwards, a request to stop serving. */
static void forward_signal(int sig)
{
	if (main_child > 0)
		kill(main_child, sig);
	else
		stop_requested = 1;
}

static std::vector<std::string> client_environment(const ufd_server_config &cfg,
						   const std::string &preload,
						   const ufd_inproc_config *inproc)
{
	std::vector<std::string> env;
	std::string ld = preload, asan = "verify_asan_link_order=0";

	for (char **e = environ; *e; e++) {
		if (!strncmp(*e, "LD_PRELOAD=", 11)) {
			if ((*e)[11])
				ld += std::string(":") + (*e + 11);
			continue;
		}
		/* An instrumented program would refuse a preload ahead of its runtime. */
		if (!strncmp(*e, "ASAN_OPTIONS=", 13)) {
			if ((*e)[13])
				asan = std::string(*e + 13) + ":" + asan;
			continue;
		}
		bool ours = false;

		for (const char *name : {UFD_ENV_SOCKET, UFD_ENV_DEBUGFS, UFD_ENV_SERVER_PID,
					 UFD_ENV_KERNEL_LIB, UFD_ENV_TRACE, UFD_ENV_FAILURES,
					 UFD_ENV_RUNDIR, UFD_ENV_ROOT, UFD_ENV_SYSROOT})
			if (!strncmp(*e, name, strlen(name)) && (*e)[strlen(name)] == '=')
				ours = true;
		if (!ours)
			env.push_back(*e);
	}
	env.push_back("LD_PRELOAD=" + ld);
	env.push_back("ASAN_OPTIONS=" + asan);
	env.push_back(std::string(UFD_ENV_DEBUGFS) + "=" + cfg.debugfs_dir);
	if (!cfg.sysroot_dir.empty())
		env.push_back(std::string(UFD_ENV_SYSROOT) + "=" + cfg.sysroot_dir);
	if (cfg.root)
		env.push_back(std::string(UFD_ENV_ROOT) + "=1");
	if (inproc) {
		env.push_back(std::string(UFD_ENV_KERNEL_LIB) + "=" + inproc->kernel_lib);
		env.push_back(std::string(UFD_ENV_RUNDIR) + "=" + inproc->run_dir);
		env.push_back(std::string(UFD_ENV_FAILURES) + "=" + inproc->failures_path);
		if (!inproc->trace.empty())
			env.push_back(std::string(UFD_ENV_TRACE) + "=" + inproc->trace);
		return env;
	}
	env.push_back(std::string(UFD_ENV_SOCKET) + "=" + cfg.socket_path);
	env.push_back(std::string(UFD_ENV_SERVER_PID) + "=" + std::to_string(getpid()));
	return env;
}

int ufd_server_run(const ufd_server_config &cfg, const std::vector<std::string> &args,
		   const std::string &preload, const ufd_inproc_config *inproc)
{
	std::vector<std::string> env = client_environment(cfg, preload, inproc);
	std::vector<char *> argv, envp;
	struct sigaction sa = {}, old_int, old_quit, old_term, old_hup;
	posix_spawnattr_t attr;
	int status = 0, rc, exit_code;
	sigset_t dfl;
	pid_t pid, w;

	if (args.empty())
		return 2;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (cfg.root && !inproc)
		ufd_grant_root_capabilities();
	rc = inproc ? ufd_debugfs_prepare(cfg.debugfs_dir) : ufd_server_start(cfg);
	if (rc) {
		fprintf(stderr, "uiommufd: cannot start the server: %s\n", strerror(-rc));
		return 125;
	}
	for (auto &e : env)
		envp.push_back(e.data());
	envp.push_back(nullptr);
	for (auto &a : args)
		argv.push_back(const_cast<char *>(a.c_str()));
	argv.push_back(nullptr);

	/* Ctrl-C reaches the program through the terminal; we stay to serve its exit. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGQUIT, &sa, &old_quit);
	sa.sa_handler = forward_signal;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGQUIT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&pid, argv[0], nullptr, &attr, argv.data(), envp.data());
	posix_spawnattr_destroy(&attr);
	if (rc) {
		fprintf(stderr, "uiommufd: cannot run %s: %s\n", argv[0], strerror(rc));
		exit_code = rc == ENOENT ? 127 : 126;
		goto stop;
	}
	main_child = pid;

	/* The program first, reaping whatever orphans come back to us meanwhile. */
	for (;;) {
		w = waitpid(-1, &rc, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		if (w == pid) {
			status = rc;
			break;
		}
	}
	main_child = 0;
	/*
	 * Then whatever it left running that still holds one of our files or
	 * talks to us: an iommufd lives as long as any process has it. Other
	 * children (a sanitizer's symbolizer) are none of our business.
	 */
	stop_requested = 0;
	for (useconds_t nap = 1000; !inproc && ufd_server_busy() && !stop_requested;
	     nap = min(nap * 2, (useconds_t)50000)) {
		while (waitpid(-1, &rc, WNOHANG) > 0)
			;
		usleep(nap);
	}
	while (waitpid(-1, &rc, WNOHANG) > 0)
		;
	if (WIFEXITED(status))
		exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		exit_code = 128 + WTERMSIG(status);
	else
		exit_code = 1;
stop:
	sigaction(SIGINT, &old_int, nullptr);
	sigaction(SIGQUIT, &old_quit, nullptr);
	sigaction(SIGTERM, &old_term, nullptr);
	sigaction(SIGHUP, &old_hup, nullptr);
	if (!inproc)
		ufd_server_stop();
	return exit_code;
}
