/* cmd_files.c — replay, report and export over a recording (cmd_files.h). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "cli/cmd_files.h"
#include "cli/cmd_usage.h"
#include "common/outfile.h"
#include "output/export_chrome.h"
#include "model/model.h"
#include "record/recfile.h"
#include "source/replay.h"
#include "output/report.h"
#include "tui/tui.h"

int cv_cmd_replay(int argc, char **argv)
{
	char err[512];
	struct cv_source src;
	struct cv_replay *r;
	int rc;

	if (argc == 2 && cv_is_help(argv[1])) {
		puts("usage: concviz replay FILE\n"
		     "The live TUI over a recording: space pause, . step, < > speed,\n"
		     "left/right seek, Home/End start/end, q quit.");
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--report") || !strcmp(argv[i], "--json")) {
			cv_warn("replay shows a recording in the TUI; its summary is "
				"concviz report%s FILE", strcmp(argv[i], "--json") ? "" : " --json");
			return 2;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return cv_usage_error("replay", "unknown option", argv[i]);
	}
	if (argc != 2)
		return cv_usage_error("replay", argc < 2 ? "which recording? give a FILE" : "unexpected argument",
			     argc < 2 ? NULL : argv[2]);
	r = cv_replay_open(argv[1], err, sizeof(err));
	if (!r) {
		cv_warn("%s", err);
		return 1;
	}
	/* Fail before any curses init: a recording with nothing readable ... */
	const char *warn = cv_replay_warning(r);
	if (warn && !cv_replay_event_count(r)) {
		cv_warn("%s", warn);
		cv_replay_close(r);
		return 1;
	}
	/* ... or no terminal to draw on (curses would wait forever on a pipe). */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cv_warn("replay needs a terminal on stdin and stdout "
			"(for a text summary: concviz report %s)", argv[1]);
		cv_replay_close(r);
		return 1;
	}
	cv_replay_fill_source(r, &src);
	rc = cv_tui_run(&src);
	warn = cv_replay_warning(r);
	if (warn && warn[0])  /* after endwin: the prefix was played, say why it stopped */
		cv_warn("%s", warn);
	cv_replay_close(r);
	return rc;
}

int cv_cmd_report(int argc, char **argv)
{
	bool json = false, all = false;
	const char *file = NULL;
	char err[512];
	uint64_t bytes = 0;

	for (int i = 1; i < argc; i++) {
		if (cv_is_help(argv[i])) {
			puts("usage: concviz report [--json] [--all-processes] FILE\n"
			     "The summary of a recording: the same as the live --report/--json of that run.\n"
			     "  --all-processes  list short-lived helper processes' threads too (text)");
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--all-processes")) {
			all = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cv_usage_error("report", "unknown option", argv[i]);
		} else if (file) {
			return cv_usage_error("report", "unexpected argument", argv[i]);
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return cv_usage_error("report", "which recording? give a FILE", NULL);
	struct cv_model *m = cv_model_new(NULL);
	if (!m) {
		cv_warn("out of memory");
		return 1;
	}
	int rc = cv_rec_load(file, m, &bytes, err, sizeof(err)) ? 1 : 0;
	/* a recording cut short or damaged after some events (a run killed,
	 * a disk that filled): the report of what it holds, and exit 1 */
	if (rc && !cv_model_events(m)) {
		cv_warn("%s", err);
		cv_model_free(m);
		return 1;
	}
	if (rc) {
		/* no END in what was read: the trace ends at its last event */
		struct cv_event end = { .ts = cv_model_now(m), .type = CV_EV_END };
		cv_model_feed(m, &end);
	}
	struct cv_report_extra extra = { .file_bytes = bytes, .all_processes = all,
					 .read_error = rc ? err : NULL };
	uint64_t events = cv_model_events(m);
	if (json)
		cv_report_json(stdout, m, &extra);
	else
		cv_report_text(stdout, m, &extra);
	cv_model_free(m);
	if (rc)
		cv_warn("%s (reported the readable part: %llu events)", err, (unsigned long long)events);
	return fflush(stdout) || rc ? 1 : 0;
}

/* The export's output: stdout for "-", else a new file (outfile rules),
 * never the input recording itself. */
static FILE *open_out(const char *in_path, const char *out_path, bool force, bool *created,
		      char *err, size_t errlen)
{
	static char obuf[1 << 20];
	struct stat si, so;

	*created = false;
	if (!strcmp(out_path, "-"))
		return stdout;
	if (stat(in_path, &si) == 0 && stat(out_path, &so) == 0 && si.st_dev == so.st_dev &&
	    si.st_ino == so.st_ino) {
		snprintf(err, errlen, "%s: the output would overwrite the input recording", out_path);
		return NULL;
	}
	int fd = cv_outfile_create(out_path, force, "export", created, err, errlen);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "cannot create %s: %s", out_path, strerror(errno));
		close(fd);
		cv_outfile_discard(out_path, *created);
		return NULL;
	}
	setvbuf(f, obuf, _IOFBF, sizeof(obuf));
	return f;
}

/* Flush and close (stdout: flush only) the export's output.  false on a
 * write error, with errno set. */
static bool close_out(FILE *f)
{
	int saved = errno;
	bool ok = !ferror(f);

	if (f == stdout ? fflush(f) != 0 : fclose(f) != 0) {
		saved = errno;
		ok = false;
	}
	errno = saved ? saved : EIO;
	return ok;
}

/* The recording in_path as Chrome JSON in out_path; 0 or 1 (message printed). */
static int export_file(const char *in_path, const char *out_path, bool force)
{
	char err[512];
	bool created = false;
	struct cv_rec_reader *r = cv_rec_open(in_path, err, sizeof(err));
	FILE *f = r ? open_out(in_path, out_path, force, &created, err, sizeof(err)) : NULL;

	if (!f) {
		fprintf(stderr, "concviz: %s\n", err);
		cv_rec_reader_close(r);
		return 1;
	}
	int rc = cv_export_chrome(r, f, err, sizeof(err));
	cv_rec_reader_close(r);
	if (!close_out(f)) {
		fprintf(stderr, "concviz: cannot write %s: %s\n", out_path, strerror(errno));
		rc = -1;
	} else if (rc < 0) {
		fprintf(stderr, "concviz: %s\n", err);
	} else if (rc > 0) {
		fprintf(stderr, "concviz: %s (exported the readable part to %s)\n", err, out_path);
	}
	if (rc < 0)
		cv_outfile_discard(out_path, created);
	return rc ? 1 : 0;
}

int cv_cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *format = NULL, *out = NULL;
	bool force = false;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': format = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'h':
			puts("usage: concviz export --format chrome -o OUT.json [--force] FILE\n"
			     "Chrome Trace Event JSON: open it in ui.perfetto.dev or chrome://tracing.");
			return 0;
		default:
			return cv_usage_error("export", "unknown option or missing value", argv[optind - 1]);
		}
	}
	if (!format)
		return cv_usage_error("export", "which format? --format chrome", NULL);
	if (strcmp(format, "chrome"))
		return cv_usage_error("export", "unknown format (only chrome):", format);
	if (!out)
		return cv_usage_error("export", "where to? -o OUT.json", NULL);
	if (optind + 1 != argc)
		return cv_usage_error("export", optind >= argc ? "which recording? give a FILE" : "unexpected argument",
			     optind >= argc ? NULL : argv[optind + 1]);
	return export_file(argv[optind], out, force);
}
