/* session.c — live run/attach lifecycle (see session.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/err.h"
#include "common/clock.h"
#include "common/hash.h"
#include "live/cpython.h"
#include "live/elf_funcs.h"
#include "live/fdinfo.h"
#include "live/heap.h"
#include "live/procscan.h"
#include "live/session.h"
#include "live/shared_map.h"
#include "live/symbols.h"
#include "live/target.h"
#include "live/tracer.h"
#include "model/model.h"
#include "record/recfile.h"

#define KILL_GRACE_NS 3000000000ull /* SIGTERM → SIGKILL */
/* After the probes are detached only a program already running on another
 * CPU can still commit an event: it does within microseconds. */
#define DRAIN_SETTLE_MS 2
/* how long a stopped run waits for the rest of its process group to exit */
#define GROUP_EXIT_WAIT_NS 200000000ull
/* how long an exec that links libpython is given to map it */
#define PY_LOADER_WAIT_MS 50

/* struct cv_session is this (opaque in session.h) */
struct session {
	const struct cv_session_opts *o;
	struct cv_tracer *tracer;
	struct cv_model *model;
	struct cv_rec_writer *rec;
	struct cv_symbols *syms;
	struct cv_cpython *py;   /* CPython processes: the GIL, Python-level locks */
	const struct cv_event *feeding; /* the event the model is being fed */
	char lock_name[512];
	size_t locks_named;      /* locks whose names went into the recording */
	uint64_t lost_in_memory; /* of the tracer's in-memory losses, those fed as LOST */
	struct cv_hash shared_seen; /* hash of (pid, object) of process-shared locks looked up */
	struct cv_hash forked;   /* pid of a forked process that has not exec'd -> its parent */

	struct cv_target target;

	uint64_t deadline;       /* 0: none */
	bool stopping;
	uint64_t stop_ts;
	bool killed;
	bool started;            /* cv_session_start succeeded */
	bool finished;
	bool failed;
	char err[512];
	char title[256];
	char cmdline[512];
	char log_path[128];
	FILE *diag;              /* the TUI's log for libbpf and concviz messages */
	bool heap_settled;       /* the allocator took its settings and reserve (heap.h) */
};

static volatile sig_atomic_t g_stop_signal;

static void on_stop_signal(int sig)
{
	g_stop_signal = sig;
}

/* A forked child that has not exec'd has its parent's mappings: when it is
 * gone before its lock is named (a short-lived worker: its events are read
 * a little after it ran), its parent's maps name the same object. */
static const char *symbol_name(struct session *s, uint32_t pid, uint64_t addr)
{
	const char *name = NULL;

	for (int gen = 0; s->syms && !name && pid && gen < 8; gen++) {
		uint64_t parent = cv_hash_get(&s->forked, pid);
		name = cv_symbols_name(s->syms, pid, addr);
		pid = parent == CV_HASH_NONE ? 0 : (uint32_t)parent;
	}
	return name;
}

/* Which processes are forks (for name_lock), from the events */
static void follow_forks(struct session *s, const struct cv_event *ev)
{
	uint64_t parent;

	if (ev->type == CV_EV_TASK && (ev->flags & CV_TASK_PROCESS) && !(ev->flags & CV_TASK_SEED) &&
	    ev->task.parent_pid && ev->task.parent_pid != ev->pid) {
		cv_hash_set(&s->forked, ev->pid, ev->task.parent_pid);
		/* read the parent's maps while it is surely there: a child names
		 * its objects through them (the cache keeps them) */
		if (s->syms)
			cv_symbols_name(s->syms, ev->task.parent_pid, 0);
	} else if (ev->type == CV_EV_COMM && ev->tid == ev->pid &&
		 (parent = cv_hash_get(&s->forked, ev->pid)) != CV_HASH_NONE)
		cv_hash_del(&s->forked, ev->pid, parent); /* exec: its own mappings now */
}

/* A Python process's locks are named by the interpreter's view of them
 * (the GIL, the Condition waited on, the code that waits); others by the
 * ELF symbol they are in.  The event being fed says who waits and how. */
static const char *name_lock(void *ctx, uint32_t pid, uint64_t addr)
{
	struct session *s = ctx;
	const struct cv_event *ev = s->feeding;
	const char *name = NULL;
	uint8_t kind = CV_LK_FUTEX;
	bool pyobj = false;

	/* (a Python object is the process's own, also when the futex it waits
	 * on is in shared memory: multiprocessing's Event) */
	if (ev && ev->type == CV_EV_FUTEX &&
	    (!(ev->flags & CV_CALL_SHARED) || (ev->flags & CV_CALL_PYOBJ))) {
		kind = ev->futex.kind;
		pyobj = ev->flags & CV_CALL_PYOBJ;
	} else if (ev && ev->type == CV_EV_TASK && (ev->flags & CV_TASK_SEED) &&
		   ev->task.seed_block == CV_BLK_FUTEX) {
		kind = CV_TASK_SEED_KIND(ev->flags);
		pyobj = ev->flags & CV_TASK_SEED_PYOBJ;
	} else if (ev && ev->type == CV_EV_SWITCH && ev->sw.block == CV_BLK_FUTEX &&
		   (!(ev->flags & CV_SW_LOCK_SHARED) || (ev->flags & CV_SW_LOCK_PYOBJ))) {
		kind = ev->sw.lock_kind;
		pyobj = ev->flags & CV_SW_LOCK_PYOBJ;
	}
	if (s->py && ev) {
		struct cv_py_site seen;
		bool have = cv_tracer_py_site(s->tracer, pid, addr, &seen);

		name = cv_cpython_name(s->py, pid, ev->tid, addr, kind, pyobj, have ? &seen : NULL,
				       s->lock_name, sizeof(s->lock_name));
	}
	return name ? name : symbol_name(s, pid, addr);
}

/* The probes ask about a process's interpreter: fill its entry.  After an
 * exec the libraries may not be mapped yet (libpython): the first new
 * thread asks again, and that answer is final. */
static void on_py_ask(void *ctx, const struct cv_py_ask *ask)
{
	struct session *s = ctx;
	struct cv_py_proc entry;
	enum cv_py_found f = cv_cpython_probe(s->py, ask->tgid, &entry);

	/* an executable that links libpython: the loader maps it within a
	 * millisecond or two; wait for it here (once per such exec), so its
	 * first threads' waits are already known */
	for (int i = 0; f == CV_PY_NOT_YET && ask->why == CV_PY_ASK_EXEC && i < PY_LOADER_WAIT_MS &&
	     cv_cpython_links_libpython(ask->tgid); i++) {
		usleep(1000);
		f = cv_cpython_probe(s->py, ask->tgid, &entry);
	}
	if (f != CV_PY_NOT_YET || ask->why == CV_PY_ASK_THREAD)
		cv_tracer_set_py_proc(s->tracer, ask->tgid, &entry);
}

/* Process tgid was there before tracing (attach): look at it now. */
static void probe_python(struct session *s, uint32_t tgid)
{
	struct cv_py_ask ask = { .tgid = tgid, .why = CV_PY_ASK_THREAD };

	on_py_ask(s, &ask);
}

static void follow_python(struct session *s, const struct cv_event *ev)
{
	if (ev->type == CV_EV_TASK && (ev->flags & CV_TASK_PROCESS) && ev->task.parent_pid)
		cv_cpython_fork(s->py, ev->task.parent_pid, ev->pid);
	else if (ev->type == CV_EV_EXIT && ev->exit.group_dead)
		cv_cpython_forget(s->py, ev->pid);
}

/* The session's first error is the one line it ends with. */
__attribute__((format(printf, 2, 3)))
static void fail(struct session *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->failed) {
		va_start(ap, fmt);
		cv_verrorf(s->err, sizeof(s->err), fmt, ap);
		va_end(ap);
	}
	s->failed = true;
}

/* A recording call returned rc: nonzero stops the session with its error. */
static void rec_check(struct session *s, int rc)
{
	if (rc)
		fail(s, "recording to %s failed: %s", s->o->output, cv_rec_error(s->rec));
}

/* A process-shared futex's object, once per (pid, object): which shared
 * mapping it is in, so the model makes one lock of it across processes; the
 * recording gets the same, before the event (a LOCK_OBJECT record). */
static void share_lock(struct session *s, uint32_t pid, uint64_t obj)
{
	uint64_t k = cv_hash_pair(pid, obj);
	struct cv_shared_key key;
	char name[256];

	if (cv_hash_get(&s->shared_seen, k) != CV_HASH_NONE)
		return;
	cv_hash_set(&s->shared_seen, k, 1);
	if (!cv_proc_shared_key(pid, obj, &key, name, sizeof(name)))
		return;
	size_t nlocks = cv_model_lock_count(s->model);
	cv_model_set_lock_shared(s->model, pid, obj, &key);
	if (s->rec)
		rec_check(s, cv_rec_write_lock_shared(s->rec, pid, obj, key.dev, key.ino, key.off));
	const struct cv_lock *l = cv_model_find_lock(s->model, pid, obj);
	if (!name[0] || !l || l->name)
		return;
	cv_model_set_lock_name(s->model, l->pid, l->addr, name);
	/* a lock made just now gets its name recorded after this event (on_event);
	 * one seen before (attach found its waiters blocked on it) gets it now */
	if (s->rec && !(cv_model_lock_count(s->model) > nlocks && cv_model_lock(s->model, nlocks) == l))
		rec_check(s, cv_rec_write_lock_name(s->rec, l->pid, l->addr, name));
}

static void feed(struct session *s, const struct cv_event *ev)
{
	if (ev->type == CV_EV_COMM && ev->tid == ev->pid && s->syms)
		cv_symbols_forget(s->syms, ev->pid); /* exec: new mappings */
	follow_forks(s, ev);
	if (ev->type == CV_EV_FUTEX && (ev->flags & CV_CALL_SHARED) && !(ev->flags & CV_CALL_PYOBJ))
		share_lock(s, ev->pid, ev->futex.addr - ev->futex.obj_off);
	else if (ev->type == CV_EV_SWITCH && (ev->flags & CV_SW_LOCK_SHARED) &&
		 !(ev->flags & CV_SW_LOCK_PYOBJ) &&
		 (ev->flags & CV_SW_PREV_TRACED) && ev->sw.block == CV_BLK_FUTEX)
		share_lock(s, ev->pid, ev->sw.obj - ev->sw.obj_off);
	s->feeding = ev;
	cv_model_feed(s->model, ev);
	s->feeding = NULL;
	if (s->py)
		follow_python(s, ev);
	/* what the probes could not read (a path, an IPv6 address), from /proc */
	bool improved = ev->type == CV_EV_FD && cv_fdinfo_improve(s->model, ev);
	if (!s->rec)
		return;
	rec_check(s, cv_rec_write_event(s->rec, ev));
	for (size_t n = cv_model_lock_count(s->model); s->locks_named < n; s->locks_named++) {
		const struct cv_lock *l = cv_model_lock(s->model, s->locks_named);

		if (l->name)
			rec_check(s, cv_rec_write_lock_name(s->rec, l->pid, l->addr, l->name));
	}
	if (improved) {
		const struct cv_fd_desc *d = cv_model_fd_desc(s->model, ev->pid, ev->fd.fd, ev->fd.ino);

		if (d)
			rec_check(s, cv_rec_write_fd_desc(s->rec, d->pid, d->fd, d->ino, d->kind, d->desc));
	}
}

/* The tracer's CV_EV_LOST is one figure for both kinds of loss: the model
 * and the recording get one LOST per kind, split by the tracer's in-memory
 * count (which includes the event's losses when it is delivered: tracer.h). */
static void feed_lost(struct session *s, const struct cv_event *ev)
{
	uint64_t mem = cv_tracer_dropped_in_memory(s->tracer) - s->lost_in_memory;
	struct cv_event part = *ev;

	if (mem > ev->lost.count)
		mem = ev->lost.count; /* (the rest comes with the next LOST) */
	s->lost_in_memory += mem;
	part.lost.where = CV_LOST_RING;
	part.lost.count = ev->lost.count - mem;
	if (part.lost.count)
		feed(s, &part);
	part.lost.where = CV_LOST_MEMORY;
	part.lost.count = mem;
	if (mem)
		feed(s, &part);
}

/* A thread attach found in a futex wait of a Python process: what it waits
 * for, as the probes would have said at its block (they did not see it) */
static const struct cv_event *classify_seed(struct session *s, const struct cv_event *ev,
					    struct cv_event *copy)
{
	uint64_t obj;
	uint8_t kind = CV_TASK_SEED_KIND(ev->flags); /* its futex's shape (procscan.c) */
	bool pyobj;

	if (!s->py || ev->type != CV_EV_TASK || !(ev->flags & CV_TASK_SEED) ||
	    ev->task.seed_block != CV_BLK_FUTEX ||
	    !cv_cpython_classify_wait(s->py, ev->pid, ev->tid, ev->task.seed_obj, &kind, &obj, &pyobj))
		return ev;
	*copy = *ev;
	copy->task.seed_obj = obj;
	copy->flags &= ~(0xfu << CV_TASK_SEED_KIND_SHIFT);
	copy->flags |= ((uint32_t)kind << CV_TASK_SEED_KIND_SHIFT) | (pyobj ? CV_TASK_SEED_PYOBJ : 0);
	return copy;
}

static void on_event(void *ctx, const struct cv_event *ev)
{
	struct session *s = ctx;
	struct cv_event seed;

	ev = classify_seed(s, ev, &seed);

	if (ev->type == CV_EV_LOST && ev->lost.where == CV_LOST_UNKNOWN)
		feed_lost(s, ev);
	else
		feed(s, ev);
}

static void begin_stop(struct session *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->stop_ts = cv_now_ns();
	if (!s->target.gone)
		cv_target_signal(&s->target, SIGTERM);
}

/* Every event the kernel produced before now reaches the model: consume
 * until the ring buffer stays empty across a short wait. */
static void drain(struct session *s)
{
	uint64_t give_up = cv_now_ns() + 5000000000ull;
	uint64_t group_wait = cv_now_ns() + GROUP_EXIT_WAIT_NS;
	int empty = 0;

	/* a run stopped by concviz signalled the target's whole process group:
	 * let the members that are dying of it reach their exit, traced */
	while (s->stopping && s->target.child && kill(-s->target.child, 0) == 0 &&
	       cv_now_ns() < group_wait)
		if (cv_tracer_poll(s->tracer, 5, -1, on_event, s) < 0)
			break;
	/* stop producing first: an attached target keeps running, and a run
	 * target's leftover children would keep the buffer busy; everything
	 * the kernel produced so far is already in the ring buffer */
	cv_tracer_stop(s->tracer);
	while (empty < 2 && cv_now_ns() < give_up) {
		int n = cv_tracer_poll(s->tracer, empty ? DRAIN_SETTLE_MS : 0, -1, on_event, s);

		if (n < 0)
			break;
		empty = n == 0 ? empty + 1 : 0;
	}
}

static void finish(struct session *s)
{
	struct cv_event end = { .ts = cv_now_ns(), .type = CV_EV_END };

	drain(s);
	if (s->target.have_exit_status) {
		cv_model_set_target_exit(s->model, s->target.exit_status);
		if (s->rec)
			rec_check(s, cv_rec_write_target_exit(s->rec, s->target.exit_status));
	}
	on_event(s, &end);
	/* the last blocks written now: a failure there is reported with its
	 * error (close could only say that it failed) */
	if (s->rec)
		rec_check(s, cv_rec_sync(s->rec));
	s->finished = true;
}

static int pump(void *ctx, int timeout_ms)
{
	struct session *s = ctx;
	uint64_t now;

	if (s->finished)
		return 1;
	if (cv_tracer_poll(s->tracer, timeout_ms, s->target.pidfd, on_event, s) < 0)
		fail(s, "reading events from the ring buffer failed");
	if (s->rec)
		rec_check(s, cv_rec_flush(s->rec));
	now = cv_now_ns();
	cv_model_advance(s->model, now);
	if (g_stop_signal || s->failed || (s->deadline && now >= s->deadline))
		begin_stop(s);
	cv_target_check(&s->target);
	/* re-read the clock: begin_stop() above may have set stop_ts after `now` */
	if (s->stopping && s->target.child && !s->target.gone && !s->killed &&
	    cv_now_ns() - s->stop_ts > KILL_GRACE_NS) {
		cv_target_signal(&s->target, SIGKILL);
		s->killed = true;
	}
	if (s->target.gone || (s->stopping && !s->target.child)) {
		finish(s);
		return s->failed ? -1 : 1;
	}
	/* failed: stopping, and -1 once finished, so the model holds every
	 * event (a recording that failed leaves the report whole) */
	return 0;
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

/* Between fork and exec: follow the child, and its TASK event is the
 * first one, stamped before anything it does. */
static void on_child_ready(void *ctx, uint32_t pid)
{
	struct session *s = ctx;
	struct cv_event task = { .ts = cv_now_ns(), .tid = pid, .pid = pid,
				 .type = CV_EV_TASK, .flags = CV_TASK_PROCESS };
	const char *base = strrchr(s->o->argv[0], '/');

	cv_tracer_follow(s->tracer, pid);
	task.task.parent_tid = task.task.parent_pid = (uint32_t)getpid();
	snprintf(task.task.comm, sizeof(task.task.comm), "%.15s", base ? base + 1 : s->o->argv[0]);
	on_event(s, &task);
}

/* CONCVIZ_LOCK_UPROBES=0: no uprobe traps in any process (README) */
static bool lock_uprobes_off(void)
{
	const char *env = getenv("CONCVIZ_LOCK_UPROBES");

	return env && strcmp(env, "0") == 0;
}

static int start_child(struct session *s, int out_fd)
{
	char err[sizeof(s->err)], exe[64];

	if (cv_target_spawn(&s->target, s->o->argv, out_fd, on_child_ready, s, err, sizeof(err))) {
		fail(s, "%s", err);
		return -1;
	}
	/* the probes sit in the C library concviz maps: a static program
	 * has its own copy, which they do not see */
	snprintf(exe, sizeof(exe), "/proc/%u/exe", s->target.pid);
	FILE *out = s->o->tui ? s->diag : stderr;
	if (out && !lock_uprobes_off() && cv_elf_is_static(exe) == 1)
		fprintf(out, "concviz: warning: %s is statically linked "
			"(no shared C library): its condition variable and barrier waits show as futex "
			"waits (kind \"futex\")\n", s->o->argv[0]);
	return 0;
}

static int start_attach(struct session *s)
{
	char err[sizeof(s->err)];

	if (cv_target_open(&s->target, s->o->attach_pid, err, sizeof(err))) {
		fail(s, "%s", err);
		return -1;
	}
	/* follow first, so a thread that exits from here on is seen exiting;
	 * then seed the threads /proc shows, stamped before any traced event */
	uint64_t ts = cv_now_ns();

	cv_tracer_follow(s->tracer, s->target.pid);
	/* in a container: the IDs its programs store are its namespace's */
	cv_proc_ns_tids(s->target.pid, cv_tracer_note_ns_tid, s->tracer);
	if (s->py)
		probe_python(s, s->target.pid);
	if (cv_proc_seed_threads(s->target.pid, ts, on_event, s) < 0) {
		fail(s, "process %u exited before tracing started", s->target.pid);
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

/* CONCVIZ_STATS=1: what tracing cost concviz itself (bench/run.sh reads it) */
static void print_stats(struct session *s)
{
	struct rusage ru;
	uint64_t n = cv_tracer_delivered(s->tracer);
	double user, sys;

	getrusage(RUSAGE_SELF, &ru);
	user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	uint64_t rt = cv_tracer_raised_at(s->tracer);
	char rts[48] = "normal priority";

	if (rt)
		snprintf(rts, sizeof(rts), "real-time from %.2f s",
			 rt > cv_model_start(s->model) ? (rt - cv_model_start(s->model)) / 1e9 : 0.0);
	cv_warn("stats: %llu events, %llu dropped, CPU %.2fs user + %.2fs sys = %.0f ns/event, %s, "
		"moved off the target's CPU %llu times",
		(unsigned long long)n, (unsigned long long)cv_tracer_dropped(s->tracer), user, sys,
		n ? (user + sys) * 1e9 / (double)n : 0.0, rts,
		(unsigned long long)cv_tracer_moves(s->tracer));
	struct cv_tracer_slowest w = cv_tracer_slowest_poll(s->tracer);
	size_t outgrown = cv_heap_outgrown();
	char heap[96];

	if (!s->heap_settled)
		snprintf(heap, sizeof(heap), "heap not settled: it grows as it needs");
	else if (outgrown)
		snprintf(heap, sizeof(heap), "heap grew %.0f MiB past its reserve", outgrown / 1048576.0);
	else
		snprintf(heap, sizeof(heap), "heap within its reserve");
	cv_warn("stats: slowest poll %.1f ms for %zu events (take %.1f, prepare %.1f, deliver %.1f ms); "
		"%ld page faults that read from disk; %s",
		w.total_ns / 1e6, w.events, w.take_ns / 1e6, w.prepare_ns / 1e6, w.deliver_ns / 1e6,
		ru.ru_majflt, heap);
	if (cv_tracer_dropped(s->tracer)) {
		struct cv_kernel_drops d;

		cv_tracer_kernel_drops(s->tracer, &d);
		cv_warn("stats: drops: %llu ring buffer full, %llu nested too deep, %llu probe runs "
			"skipped, %llu left in a stage; %llu concviz's queue full",
			(unsigned long long)d.ring_full, (unsigned long long)d.nested,
			(unsigned long long)d.skipped, (unsigned long long)d.stranded,
			(unsigned long long)cv_tracer_dropped_in_memory(s->tracer));
	}
}

static void install_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The command line as the recording and the titles show it. */
static void describe_target(struct session *s)
{
	const struct cv_session_opts *o = s->o;

	if (o->argv) {
		snprintf(s->title, sizeof(s->title), "run %s", o->label);
		s->cmdline[0] = '\0';
		for (char *const *a = o->argv; *a; a++) {
			size_t l = strlen(s->cmdline);
			snprintf(s->cmdline + l, sizeof(s->cmdline) - l, "%s%s", l ? " " : "", *a);
		}
	} else {
		snprintf(s->title, sizeof(s->title), "%u", o->attach_pid);
		cv_proc_cmdline(o->attach_pid, s->cmdline, sizeof(s->cmdline));
	}
}

/* Under the TUI nothing may write to the terminal behind curses' back: the
 * target's output and concviz's own diagnostics go to a log file.  Returns
 * the log's fd for the target (or -1 without a TUI); -2 on failure. */
static int open_outputs(struct session *s)
{
	int log_fd = -1;

	if (s->o->tui) {
		if ((log_fd = open_log(s)) < 0)
			return -2;
		int dup = fcntl(log_fd, F_DUPFD_CLOEXEC, 0);
		s->diag = dup >= 0 ? fdopen(dup, "w") : NULL;
		if (s->diag)
			setvbuf(s->diag, NULL, _IOLBF, 0);
		else if (dup >= 0)
			close(dup);
	}
	s->tracer = cv_tracer_open(s->o->tui ? s->diag : stderr, s->err, sizeof(s->err));
	if (!s->tracer) {
		s->failed = true;
		goto fail;
	}
	s->syms = cv_symbols_new();
	s->py = s->syms ? cv_cpython_new(s->syms, s->o->tui ? s->diag : stderr) : NULL;
	if (s->py) {
		for (size_t i = 0; i < cv_py_wait_rule_count; i++)
			cv_tracer_set_py_rule(s->tracer, cv_py_rule_hash(cv_py_wait_rules[i].file,
									 cv_py_wait_rules[i].qualname),
					      &cv_py_wait_rules[i].rule);
		cv_tracer_on_py_ask(s->tracer, on_py_ask, s);
	}
	s->model = cv_model_new(&(struct cv_model_hooks){ .ctx = s, .name_lock = name_lock });
	if (!s->model) {
		fail(s, "out of memory");
		goto fail;
	}
	if (s->o->output) {
		struct cv_rec_meta meta = { .target_pid = s->o->attach_pid, .command = s->cmdline };

		s->rec = cv_rec_create(s->o->output, s->o->force, &meta, s->err, sizeof(s->err));
		if (!s->rec) {
			s->failed = true;
			goto fail;
		}
	}
	return log_fd;
fail:
	if (log_fd >= 0)
		close(log_fd);
	return -2;
}

/* Condvar and barrier waits are known by uprobes on the C library the
 * target uses (run: concviz's own, which the program it starts maps too).
 * Without them those waits are unknown futexes: said once, not fatal. */
static void lock_probes(struct session *s)
{
	uint32_t pid = s->o->argv ? (uint32_t)getpid() : s->o->attach_pid;
	char libc[512], err[768];
	FILE *out = s->o->tui ? s->diag : stderr;

	if (lock_uprobes_off())
		return;
	if (!s->o->argv && kill((pid_t)pid, 0) && errno == ESRCH)
		return; /* gone: the attach says so */
	if (!cv_proc_libc(pid, libc, sizeof(libc)))
		snprintf(err, sizeof(err), "process %u maps no C library (libc.so)", pid);
	else if (!cv_tracer_attach_lock_probes(s->tracer, libc, s->o->lock_holders, err, sizeof(err)))
		return;
	if (out)
		fprintf(out, "concviz: warning: %s; condition variable and barrier waits show as "
			"futex waits (kind \"futex\")\n", err);
}

static int start(struct session *s)
{
	const struct cv_session_opts *o = s->o;
	int log_fd = open_outputs(s), rc;

	if (log_fd == -2)
		return -1;
	lock_probes(s);
	uint64_t t0 = cv_now_ns();
	cv_model_set_start(s->model, t0);
	if (s->rec)
		rec_check(s, cv_rec_write_start(s->rec, t0));
	rc = o->argv ? start_child(s, log_fd) : start_attach(s);
	if (log_fd >= 0)
		close(log_fd);
	if (rc)
		return -1;
	/* only now: the target has its own policy and nice value already */
	cv_tracer_raise_when_behind(s->tracer, s->diag ? s->diag : stderr);
	cv_model_set_target(s->model, s->target.pid, s->cmdline);
	if (s->rec)
		rec_check(s, cv_rec_write_target(s->rec, s->target.pid, NULL));
	if (o->argv)
		snprintf(s->title, sizeof(s->title), "run %s (pid %u)", o->label, s->target.pid);
	else
		snprintf(s->title, sizeof(s->title), "attach %u (%.200s)", s->target.pid, s->cmdline);
	if (o->duration_s > 0)
		s->deadline = t0 + (uint64_t)(o->duration_s * 1e9);
	return 0;
}

struct cv_session *cv_session_start(const struct cv_session_opts *o)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s) {
		cv_warn("out of memory");
		return NULL;
	}
	s->o = o;
	s->target.pidfd = -1;
	/* before the reader and the terminal writer start (heap.h) */
	s->heap_settled = cv_heap_settle(CV_HEAP_RESERVE);
	install_stop_signals();
	describe_target(s);
	if (start(s)) {
		cv_session_end((struct cv_session *)s, 1);
		return NULL;
	}
	s->started = true;
	return (struct cv_session *)s;
}

static void behind(void *ctx)
{
	struct session *s = ctx;

	cv_tracer_raise_now(s->tracer);
}

void cv_session_source(struct cv_session *cs, struct cv_source *out)
{
	struct session *s = (struct session *)cs;

	*out = (struct cv_source){
		.ctx = s, .model = get_model, .title = s->title,
		.log_path = s->log_path[0] ? s->log_path : NULL,
		.pump = pump, .quit = quit, .last_error = last_error, .behind = behind,
	};
}

int cv_session_end(struct cv_session *cs, int rc)
{
	struct session *s = (struct session *)cs;

	/* the viewer may leave before the target is gone (q): finish the drain */
	if (s->started && !s->finished) {
		begin_stop(s);
		for (int i = 0; i < 100 && !s->finished; i++)
			pump(s, 50);
	}
	if (s->tracer && getenv("CONCVIZ_STATS"))
		print_stats(s);
	if (s->tracer && s->model) {
		/* the figures the report and the JSON give */
		uint64_t lost = cv_model_dropped(s->model);
		uint64_t in_memory = cv_model_dropped_where(s->model, CV_LOST_MEMORY);
		if (lost && !in_memory)
			cv_warn("warning: %llu events were dropped (ring buffer full): counts are low; "
				"a bigger buffer helps, e.g. CONCVIZ_RINGBUF_KB=65536",
				(unsigned long long)lost);
		else if (lost)
			cv_warn("warning: %llu events were dropped (%llu with the ring buffer full, %llu "
				"with concviz's queue in memory full: it could not keep up): counts are low",
				(unsigned long long)lost, (unsigned long long)(lost - in_memory),
				(unsigned long long)in_memory);
	}
	if (s->tracer) {
		struct cv_kernel_drops d;

		cv_tracer_kernel_drops(s->tracer, &d);
		if (d.skipped)
			cv_warn("warning: the kernel skipped %llu runs of concviz's probes (one fired "
				"inside itself on a CPU): events of traced threads among them are lost, "
				"not counted as dropped (the kernel does not say whose they were)",
				(unsigned long long)d.skipped);
	}
	if (s->started && s->o->tui && s->log_path[0])
		cv_warn("%s output is in %s", s->o->argv ? "the target's" : "the session's",
			s->log_path);
	cv_target_release(&s->target);
	if (s->rec && !s->failed && !s->finished) /* finish() waited already */
		rec_check(s, cv_rec_sync(s->rec));
	/* nothing was traced (the command could not run, the process was
	 * gone): no recording that would say nothing happened */
	if (s->rec && !s->started)
		cv_rec_discard(s->rec);
	else if (s->rec && cv_rec_close(s->rec) && !s->failed)
		fail(s, "recording to %s failed while closing", s->o->output);
	if (s->failed) {
		cv_warn("%s", s->err);
		rc = 1;
	}
	cv_model_free(s->model);
	cv_cpython_free(s->py);
	cv_hash_free(&s->shared_seen);
	cv_hash_free(&s->forked);
	cv_symbols_free(s->syms);
	cv_tracer_close(s->tracer);
	if (s->diag)
		fclose(s->diag);
	free(s);
	return rc;
}
