/* main.c — the concviz command line (contract: docs/design.md).
 * Exit status: 0 success, 1 runtime error, 2 bad usage. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "cli/catalog.h"
#include "cli/cmd_files.h"
#include "cli/cmd_usage.h"
#include "live/procscan.h"
#include "cli/cmd_trace.h"
#include "common/version.h"

static const char usage_main[] =
	"usage: concviz COMMAND [ARGS]\n"
	"\n"
	"  list                                  bundled examples, one line each\n"
	"  run [OPTS] [EXAMPLE [ARGS...]]        trace a bundled example (default: tour)\n"
	"  run [OPTS] -- COMMAND [ARGS...]       trace any command\n"
	"  attach [OPTS] PID                     trace a running process, all its threads\n"
	"  replay FILE                           TUI over a recording\n"
	"  report [--json] [--all-processes] FILE  summary of a recording\n"
	"  export --format chrome -o OUT FILE    Chrome trace JSON for ui.perfetto.dev\n"
	"\n"
	"OPTS: -d/--duration SEC  -o/--output FILE [--force]  --report  --json  --lock-holders\n"
	"      --all-processes\n"
	"Live tracing needs root.  `concviz COMMAND --help` for details.\n";

static const char usage_run[] =
	"usage: concviz run [OPTS] [EXAMPLE [ARGS...]]\n"
	"       concviz run [OPTS] -- COMMAND [ARGS...]\n"
	"Trace a bundled example (default: tour; see `concviz list`) or any command\n"
	"from its first instruction, with all its threads and child processes.\n"
	"Options go before the example name; everything after it goes to the example.\n"
	"  -d, --duration SEC   stop the target (SIGTERM) after SEC seconds\n"
	"  -o, --output FILE    record every event to FILE (see concviz replay/report)\n"
	"      --force          overwrite FILE if it exists\n"
	"      --report         no TUI: text summary on stdout at the end\n"
	"      --json           no TUI: JSON summary on stdout at the end\n"
	"      --lock-holders   know who holds a semaphore (sem_t, Python's Lock): probes\n"
	"                       sem_wait/sem_post, which then trap in every process\n"
	"                       (an uncontended sem_wait+sem_post: 23 ns -> 22 us; README)\n"
	"      --all-processes  the text summary lists short-lived helper processes'\n"
	"                       threads too (else one line names them; JSON has them all)\n"
	"  -h, --help           this help\n"
	"Without a terminal on stdout there is no TUI either.  The target's output goes\n"
	"to stderr (or, under the TUI, to a log file named in its header).\n";

static const char usage_attach[] =
	"usage: concviz attach [OPTS] PID\n"
	"Trace a running process, all its threads, until it exits, the duration ends\n"
	"or you quit.  The process is left running.  A thread's ID (htop, top -H)\n"
	"traces its process.\n"
	"  -d, --duration SEC   stop tracing after SEC seconds\n"
	"  -o, --output FILE    record every event to FILE   (--force to overwrite)\n"
	"      --report         no TUI: text summary on stdout at the end\n"
	"      --json           no TUI: JSON summary on stdout at the end\n"
	"      --lock-holders   know who holds a semaphore (sem_t, Python's Lock): probes\n"
	"                       sem_wait/sem_post, which then trap in every process\n"
	"                       (an uncontended sem_wait+sem_post: 23 ns -> 22 us; README)\n"
	"      --all-processes  the text summary lists short-lived helper processes too\n"
	"  -h, --help           this help\n";

static int cmd_list(int argc, char **argv)
{
	char path[PATH_MAX];

	if (argc > 1 && cv_is_help(argv[1])) {
		puts("usage: concviz list\nThe bundled example programs, one line each.");
		return 0;
	}
	if (argc > 1)
		return cv_usage_error("list", "unexpected argument", argv[1]);
	for (size_t i = 0; i < cv_example_count; i++) {
		bool found = cv_example_path(cv_examples[i].name, path, sizeof(path)) == 0;

		printf("%-12s %s%s\n", cv_examples[i].name, cv_examples[i].summary,
		       found ? "" : "  [not built]");
	}
	return 0;
}

/* Shared by run and attach.  Returns -1 to continue, else an exit status. */
static int parse_live_opts(const char *cmd, const char *help, int argc, char **argv,
			   struct cv_session_opts *o)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "report", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "lock-holders", no_argument, NULL, 'L' },
		{ "all-processes", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:o:h", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'd':
			o->duration_s = strtod(optarg, &end);
			if (*end || end == optarg || !(o->duration_s > 0) || o->duration_s > 1e6)
				return cv_usage_error(cmd, "bad duration (seconds, > 0)", optarg);
			break;
		case 'o': o->output = optarg; break;
		case 'f': o->force = true; break;
		case 'r': o->report = true; break;
		case 'j': o->json = true; break;
		case 'L': o->lock_holders = true; break;
		case 'A': o->all_processes = true; break;
		case 'h': fputs(help, stdout); return 0;
		default:
			if (optopt && strchr("do", optopt))
				return cv_usage_error(cmd, "option needs a value:", argv[optind - 1]);
			return cv_usage_error(cmd, "unknown option", argv[optind - 1]);
		}
	}
	return -1;
}

/* A path, a file here, or a program in PATH: what `run` without -- was
 * probably meant to trace */
static bool looks_like_a_command(const char *name)
{
	char path[PATH_MAX];
	const char *dirs = getenv("PATH");

	if (strchr(name, '/') || access(name, F_OK) == 0)
		return true;
	for (const char *d = dirs; d && *d;) {
		size_t n = strcspn(d, ":");

		if (n && (size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)n, d, name) < sizeof(path) &&
		    access(path, X_OK) == 0)
			return true;
		d += n + (d[n] == ':');
	}
	return false;
}

static int cmd_run(int argc, char **argv)
{
	struct cv_session_opts o = { 0 };
	static char path[PATH_MAX];
	static char *tour_argv[2];
	int rc = parse_live_opts("run", usage_run, argc, argv, &o);

	if (rc >= 0)
		return rc;
	bool dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	if (dashdash) {
		if (optind >= argc)
			return cv_usage_error("run", "no command after --", NULL);
		o.argv = &argv[optind];
		o.label = argv[optind];
	} else {
		const char *name = optind < argc ? argv[optind] : "tour";

		if (!cv_example_find(name) && looks_like_a_command(name)) {
			cv_warn("'%s' is not an example; to trace a command, put -- before it: "
				"concviz run -- %s", name, name);
			return 2;
		}
		if (!cv_example_find(name))
			return cv_usage_error("run", "unknown example (concviz list shows them):", name);
		if (cv_example_path(name, path, sizeof(path))) {
			cv_warn("example '%s' is not built (run make, or make install)", name);
			return 1;
		}
		if (optind < argc) {
			argv[optind] = path;
			o.argv = &argv[optind];
		} else {
			tour_argv[0] = path;
			o.argv = tour_argv;
		}
		o.label = name;
	}
	return cv_cmd_trace(&o);
}

static int cmd_attach(int argc, char **argv)
{
	struct cv_session_opts o = { 0 };
	char err[256];
	int rc = parse_live_opts("attach", usage_attach, argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cv_usage_error("attach", "which process? give a PID", NULL);
	if (optind + 1 < argc)
		return cv_usage_error("attach", "unexpected argument", argv[optind + 1]);
	if ((rc = cv_proc_parse_pid(argv[optind], &o.attach_pid, err, sizeof(err)))) {
		cv_warn("%s", err);
		return rc == -2 ? 2 : 1; /* not a number: bad usage */
	}
	return cv_cmd_trace(&o);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fputs(usage_main, stderr);
		return 2;
	}
	if (cv_is_help(cmd) || !strcmp(cmd, "help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		puts("concviz " CONCVIZ_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "attach"))
		return cmd_attach(argc - 1, argv + 1);
	if (!strcmp(cmd, "replay"))
		return cv_cmd_replay(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cv_cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "export"))
		return cv_cmd_export(argc - 1, argv + 1);
	return cv_usage_error(NULL, "unknown command", cmd);
}
