/* session.c — live run/attach lifecycle (see session.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model.h"
#include "procscan.h"
#include "recfile.h"
#include "report.h"
#include "session.h"
#include "symbols.h"
#include "tracer.h"
#include "tui.h"

#define KILL_GRACE_NS 3000000000ull /* SIGTERM → SIGKILL */

struct session {
	const struct cv_session_opts *o;
	struct cv_tracer *tracer;
	struct cv_model *model;
	struct cv_rec_writer *rec;
	struct cv_symbols *syms;
	size_t locks_named;      /* locks whose names went into the recording */

	pid_t child;             /* run: the target we forked */
	int pidfd;               /* attach: readable when the target exits */
	uint32_t target_pid;
	bool target_gone;
	int exit_status;         /* run: as for $?, code or 128 + signal (attach:
				  * the model infers it from the leader's EXIT) */
	bool have_exit_status;

	uint64_t deadline;       /* 0: none */
	bool stopping;
	uint64_t stop_ts;
	bool killed;
	bool finished;
	bool failed;
	char err[512];
	char title[256];
	char log_path[128];
};

static volatile sig_atomic_t g_stop_signal;

static void on_stop_signal(int sig)
{
	g_stop_signal = sig;
}

static const char *name_lock(void *ctx, uint32_t pid, uint64_t addr)
{
	struct session *s = ctx;

	return s->syms ? cv_symbols_name(s->syms, pid, addr) : NULL;
}

static void fail(struct session *s, const char *fmt, const char *a, const char *b)
{
	if (!s->failed)
		snprintf(s->err, sizeof(s->err), fmt, a, b);
	s->failed = true;
}

/* A recording call returned rc: nonzero stops the session with its error. */
static void rec_check(struct session *s, int rc)
{
	if (rc)
		fail(s, "recording to %s failed: %s", s->o->output, cv_rec_error(s->rec));
}

static void on_event(void *ctx, const struct cv_event *ev)
{
	struct session *s = ctx;

	if (ev->type == CV_EV_COMM && ev->tid == ev->pid && s->syms)
		cv_symbols_forget(s->syms, ev->pid); /* exec: new mappings */
	cv_model_feed(s->model, ev);
	if (!s->rec)
		return;
	rec_check(s, cv_rec_write_event(s->rec, ev));
	for (size_t n = cv_model_lock_count(s->model); s->locks_named < n; s->locks_named++) {
		const struct cv_lock *l = cv_model_lock(s->model, s->locks_named);

		if (l->name)
			rec_check(s, cv_rec_write_lock_name(s->rec, l->pid, l->addr, l->name));
	}
}

/* The target runs in its own process group: stop all of it (its children
 * too), and SIGCONT in case it was stopped (job control, a debugger). */
static void signal_target(struct session *s, int sig)
{
	kill(-s->child, sig);
	kill(s->child, sig);
	kill(-s->child, SIGCONT);
}

static void begin_stop(struct session *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->stop_ts = cv_now_ns();
	if (s->child && !s->target_gone)
		signal_target(s, SIGTERM);
}

static void check_target(struct session *s)
{
	if (s->target_gone)
		return;
	if (s->child) {
		int st;

		if (waitpid(s->child, &st, WNOHANG) == s->child) {
			s->target_gone = true;
			s->exit_status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
			s->have_exit_status = true;
		}
	} else if (s->pidfd >= 0) {
		struct pollfd p = { .fd = s->pidfd, .events = POLLIN };

		if (poll(&p, 1, 0) > 0)
			s->target_gone = true;
	}
}

/* Every event the kernel produced before now reaches the model: consume
 * until the ring buffer stays empty across a short wait. */
static void drain(struct session *s)
{
	uint64_t give_up = cv_now_ns() + 5000000000ull;
	int empty = 0;

	/* stop producing first: an attached target keeps running, and a run
	 * target's leftover children would keep the buffer busy; everything
	 * the kernel produced so far is already in the ring buffer */
	cv_tracer_stop(s->tracer);
	while (empty < 2 && cv_now_ns() < give_up) {
		int n = cv_tracer_poll(s->tracer, empty ? 20 : 0, on_event, s);

		if (n < 0)
			break;
		empty = n == 0 ? empty + 1 : 0;
	}
}

static void finish(struct session *s)
{
	struct cv_event end = { .ts = cv_now_ns(), .type = CV_EV_END };

	drain(s);
	if (s->have_exit_status) {
		cv_model_set_target_exit(s->model, s->exit_status);
		if (s->rec)
		rec_check(s, cv_rec_write_target_exit(s->rec, s->exit_status));
	}
	on_event(s, &end);
	if (s->rec)
		rec_check(s, cv_rec_flush(s->rec));
	s->finished = true;
}

static int pump(void *ctx, int timeout_ms)
{
	struct session *s = ctx;
	uint64_t now;

	if (s->finished)
		return 1;
	if (cv_tracer_poll(s->tracer, timeout_ms, on_event, s) < 0)
		fail(s, "reading events from the ring buffer failed%s%s", "", "");
	if (s->rec)
		rec_check(s, cv_rec_flush(s->rec));
	now = cv_now_ns();
	cv_model_advance(s->model, now);
	if (g_stop_signal || s->failed || (s->deadline && now >= s->deadline))
		begin_stop(s);
	check_target(s);
	/* re-read the clock: begin_stop() above may have set stop_ts after `now` */
	if (s->stopping && s->child && !s->target_gone && !s->killed &&
	    cv_now_ns() - s->stop_ts > KILL_GRACE_NS) {
		signal_target(s, SIGKILL);
		s->killed = true;
	}
	if (s->target_gone || (s->stopping && !s->child)) {
		finish(s);
		return s->failed ? -1 : 1;
	}
	return s->failed ? -1 : 0;
}

static void quit(void *ctx)
{
	begin_stop(ctx);
}

static struct cv_model *get_model(void *ctx)
{
	return ((struct session *)ctx)->model;
}

static const char *last_error(void *ctx)
{
	return ((struct session *)ctx)->err;
}

/* Fork the target stopped before exec, add it to the filter, then let it
 * exec: tracing is live before its first instruction. */
static int start_child(struct session *s, int out_fd)
{
	int go[2], errp[2], e = 0;
	char c = 'g';

	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		fail(s, "pipe: %s%s", strerror(errno), "");
		return -1;
	}
	pid_t parent = getpid();

	fflush(NULL);
	s->child = fork();
	if (s->child < 0) {
		fail(s, "fork: %s%s", strerror(errno), "");
		return -1;
	}
	if (s->child == 0) {
		close(go[1]);
		close(errp[0]);
		setpgid(0, 0); /* terminal signals are concviz's; it stops the target */
		/* and if concviz dies (even SIGKILL), the target is told to stop */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* in its own process group the target cannot read our terminal
		 * (SIGTTIN would stop it): give it /dev/null instead; a pipe or
		 * a file on stdin passes through */
		if (out_fd >= 0 || isatty(0)) {
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (null >= 0 && null != 0) {
				dup2(null, 0);
				close(null);
			}
		}
		if (out_fd >= 0) {
			dup2(out_fd, 1);
			dup2(out_fd, 2);
		} else {
			dup2(2, 1); /* the target's stdout goes to our stderr */
		}
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(s->o->argv[0], s->o->argv);
		e = errno;
		if (write(errp[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(errp[1]);
	setpgid(s->child, s->child);
	s->target_pid = (uint32_t)s->child;
	cv_tracer_follow(s->tracer, s->target_pid);

	struct cv_event task = { .ts = cv_now_ns(), .tid = s->target_pid, .pid = s->target_pid,
				 .type = CV_EV_TASK, .flags = CV_TASK_PROCESS };
	const char *base = strrchr(s->o->argv[0], '/');
	task.task.parent_tid = task.task.parent_pid = (uint32_t)getpid();
	snprintf(task.task.comm, sizeof(task.task.comm), "%.15s", base ? base + 1 : s->o->argv[0]);
	on_event(s, &task);

	if (write(go[1], &c, 1) != 1) {
		fail(s, "cannot start the target: %s%s", strerror(errno), "");
		close(go[1]);
		close(errp[0]);
		return -1;
	}
	close(go[1]);
	if (read(errp[0], &e, sizeof(e)) == sizeof(e)) {
		close(errp[0]);
		waitpid(s->child, NULL, 0);
		s->child = 0;
		fail(s, "cannot run '%s': %s", s->o->argv[0], strerror(e));
		return -1;
	}
	close(errp[0]);
	return 0;
}

static int start_attach(struct session *s)
{
	s->target_pid = s->o->attach_pid;
	s->pidfd = (int)syscall(SYS_pidfd_open, s->target_pid, 0);
	if (s->pidfd < 0) {
		fail(s, "cannot attach to PID %s: %s", s->title, strerror(errno));
		return -1;
	}
	/* follow first, so a thread that exits from here on is seen exiting;
	 * then seed the threads /proc shows, stamped before any traced event */
	uint64_t ts = cv_now_ns();

	cv_tracer_follow(s->tracer, s->target_pid);
	if (cv_proc_seed_threads(s->target_pid, ts, on_event, s) < 0) {
		fail(s, "process %s exited before tracing started%s", s->title, "");
		return -1;
	}
	return 0;
}

static int open_log(struct session *s)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(s->log_path, sizeof(s->log_path), "%s/concviz-target-%d.log",
		 dir && *dir ? dir : "/tmp", (int)getpid());
	fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fail(s, "cannot create the target's log %s: %s", s->log_path, strerror(errno));
	return fd;
}

static int run_tui(struct session *s)
{
	struct cv_tui_source src = {
		.ctx = s, .model = get_model, .title = s->title,
		.log_path = s->log_path[0] ? s->log_path : NULL,
		.is_attach = !s->child, .pump = pump, .quit = quit, .last_error = last_error,
	};
	int rc = cv_tui_run(&src, false);

	/* the TUI may return before the target is gone (q): finish the drain */
	begin_stop(s);
	for (int i = 0; i < 100 && !s->finished; i++)
		pump(s, 50);
	return rc;
}

static int run_batch(struct session *s)
{
	int rc;

	while ((rc = pump(s, 100)) == 0)
		;
	if (rc < 0)
		return 1;
	if (s->o->json)
		cv_report_json(stdout, s->model, NULL);
	else
		cv_report_text(stdout, s->model, NULL);
	if (fflush(stdout) || ferror(stdout)) {
		fail(s, "cannot write the summary to stdout: %s%s", strerror(errno), "");
		return 1;
	}
	return 0;
}

/* CONCVIZ_STATS=1: what tracing cost concviz itself (bench/run.sh reads it) */
static void print_stats(struct session *s)
{
	struct rusage ru;
	uint64_t n = cv_tracer_delivered(s->tracer);
	double user, sys;

	getrusage(RUSAGE_SELF, &ru);
	user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	fprintf(stderr, "concviz: stats: %llu events, %llu dropped, CPU %.2fs user + %.2fs sys = %.0f ns/event\n",
		(unsigned long long)n, (unsigned long long)cv_tracer_dropped(s->tracer), user, sys,
		n ? (user + sys) * 1e9 / (double)n : 0.0);
}

int cv_session_run(const struct cv_session_opts *o)
{
	struct session s = { .o = o, .pidfd = -1 };
	struct cv_model_hooks hooks = { .ctx = &s, .name_lock = name_lock };
	bool tui = !o->report && !o->json && isatty(STDOUT_FILENO);
	char cmdline[512];
	int log_fd = -1, rc = 1;
	FILE *diag = NULL;

	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o->argv) {
		snprintf(s.title, sizeof(s.title), "run %s", o->label);
		cmdline[0] = '\0';
		for (char *const *a = o->argv; *a; a++) {
			size_t l = strlen(cmdline);
			snprintf(cmdline + l, sizeof(cmdline) - l, "%s%s", l ? " " : "", *a);
		}
	} else {
		snprintf(s.title, sizeof(s.title), "%u", o->attach_pid);
		cv_proc_cmdline(o->attach_pid, cmdline, sizeof(cmdline));
	}

	/* under the TUI nothing may write to the terminal behind curses' back:
	 * the target's output and concviz's own diagnostics go to a log file */
	if (tui) {
		if ((log_fd = open_log(&s)) < 0)
			goto out;
		diag = fdopen(fcntl(log_fd, F_DUPFD_CLOEXEC, 0), "w");
		if (diag)
			setvbuf(diag, NULL, _IOLBF, 0);
	}
	s.tracer = cv_tracer_open(tui ? diag : stderr, s.err, sizeof(s.err));
	if (!s.tracer) {
		s.failed = true;
		goto out;
	}
	s.syms = cv_symbols_new();
	s.model = cv_model_new(&hooks);
	if (!s.model) {
		fail(&s, "out of memory%s%s", "", "");
		goto out;
	}
	if (o->output) {
		struct cv_rec_meta meta = { .target_pid = o->attach_pid, .command = cmdline };

		s.rec = cv_rec_create(o->output, o->force, &meta, s.err, sizeof(s.err));
		if (!s.rec) {
			s.failed = true;
			goto out;
		}
	}

	uint64_t start = cv_now_ns();
	cv_model_set_start(s.model, start);
	if (s.rec)
		rec_check(&s, cv_rec_write_start(s.rec, start));
	if (o->argv ? start_child(&s, log_fd) : start_attach(&s))
		goto out;
	if (log_fd >= 0) {
		close(log_fd);
		log_fd = -1;
	}
	cv_model_set_target(s.model, s.target_pid, cmdline);
	if (s.rec)
		rec_check(&s, cv_rec_write_target(s.rec, s.target_pid, NULL));
	if (o->argv)
		snprintf(s.title, sizeof(s.title), "run %s (pid %u)", o->label, s.target_pid);
	else
		snprintf(s.title, sizeof(s.title), "attach %u (%.200s)", s.target_pid, cmdline);
	if (o->duration_s > 0)
		s.deadline = start + (uint64_t)(o->duration_s * 1e9);

	rc = tui ? run_tui(&s) : run_batch(&s);
	if (s.failed)
		rc = 1;
	if (getenv("CONCVIZ_STATS"))
		print_stats(&s);
	if (cv_tracer_dropped(s.tracer))
		fprintf(stderr, "concviz: warning: %llu events were dropped (ring buffer full): counts are low; "
			"a bigger buffer helps, e.g. CONCVIZ_RINGBUF_KB=65536\n",
			(unsigned long long)cv_tracer_dropped(s.tracer));
	if (tui && s.log_path[0])
		fprintf(stderr, "concviz: %s output is in %s\n", o->argv ? "the target's" : "the session's",
			s.log_path);
out:
	if (log_fd >= 0)
		close(log_fd);
	if (s.child > 0 && !s.target_gone) {
		signal_target(&s, SIGKILL);
		waitpid(s.child, NULL, 0);
	} else if (s.child > 0) {
		/* the target is gone; what it left in its process group goes too */
		kill(-s.child, SIGTERM);
		kill(-s.child, SIGCONT);
	}
	if (s.rec && cv_rec_close(s.rec) && !s.failed)
		fail(&s, "recording to %s failed while closing%s", o->output, "");
	if (s.failed) {
		fprintf(stderr, "concviz: %s\n", s.err);
		rc = 1;
	}
	if (s.pidfd >= 0)
		close(s.pidfd);
	cv_model_free(s.model);
	cv_symbols_free(s.syms);
	cv_tracer_close(s.tracer);
	if (diag)
		fclose(diag);
	return rc;
}
