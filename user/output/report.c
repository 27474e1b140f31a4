/* report.c — text and JSON summaries of a model (see report.h). */
#include <inttypes.h>
#include <string.h>

#include "common/fmt.h"
#include "common/json.h"
#include "common/names.h"
#include "output/report.h"

typedef unsigned long long ull;

/* ---- formatting helpers (numbers: common/fmt.h) ---------------------------- */

/* s right-aligned in width columns, preceded by one space. */
static void col(FILE *out, const char *s, int width)
{
	int pad = width - cv_fmt_width(s);
	fputc(' ', out);
	while (pad-- > 0)
		fputc(' ', out);
	fputs(s, out);
}

static void col_ns(FILE *out, uint64_t ns, int width)
{
	char b[32];
	col(out, ns ? cv_fmt_dur(b, sizeof(b), ns, CV_UTF8) : "-", width);
}

static void col_count(FILE *out, uint64_t v, int width)
{
	char b[32];
	col(out, v ? cv_fmt_count(b, sizeof(b), v) : "-", width);
}

static uint64_t duration(const struct cv_model *m)
{
	uint64_t e = cv_model_end(m) ? cv_model_end(m) : cv_model_now(m);
	return e > cv_model_start(m) ? e - cv_model_start(m) : 0;
}

/* ---- text ---------------------------------------------------------------- */

static const char *const st_short[CV_ST_COUNT] = {
	"run", "rnbl", "wdat", "copy", "mux", "lock", "urng", "slp",
};

/* A thread of a short-lived helper process, folded away in the text report
 * unless all processes were asked for. */
static bool folded(const struct cv_model *m, const struct cv_thread *t,
		   const struct cv_report_extra *x)
{
	const struct cv_process *p = cv_model_thread_process(m, t);
	return !(x && x->all_processes) && p && cv_model_process_short_lived(m, p);
}

/* A per-thread table's first two columns: TID, and COMM as the terminal
 * may show it ("?" when unknown). */
static void thread_cols(FILE *out, const struct cv_thread *t)
{
	char c[32];

	cv_fmt_clean(c, sizeof(c), t->comm[0] ? t->comm : "?", CV_ASCII);
	fprintf(out, "%7" PRIu32 " %-15s", t->tid, c);
}

static void thread_row(FILE *out, const struct cv_model *m, const struct cv_thread *t)
{
	uint64_t tm[CV_ST_COUNT], total = 0;
	char b[64];
	cv_model_thread_times(m, t, tm);
	for (int s = 0; s < CV_ST_COUNT; s++)
		total += tm[s];
	thread_cols(out, t);
	for (int s = 0; s < CV_ST_COUNT; s++) {
		double pct = total ? 100.0 * (double)tm[s] / (double)total : 0;
		if (!tm[s])
			snprintf(b, sizeof(b), "-");
		else if (pct >= 99.95)
			snprintf(b, sizeof(b), "100");
		else
			snprintf(b, sizeof(b), "%.1f", pct);
		col(out, b, 4);
	}
	col_count(out, t->vcsw, 7);
	col_count(out, t->ivcsw, 7);
	col_count(out, t->recv.calls, 7);
	col_count(out, t->recv.eagain, 7);
	col(out, t->recv.bytes ? cv_fmt_bytes(b, sizeof(b), t->recv.bytes) : "-", 7);
	col_count(out, t->recv.blocked_calls, 6);
	col_count(out, t->mux.calls, 6);
	col_ns(out, t->mux.wait_ns, 8);
	col_count(out, t->futex.waits, 6);
	col_ns(out, t->futex.wait_ns, 8);
	if (t->uring.submitted || t->uring.completed) {
		char s1[32], s2[32];
		snprintf(b, sizeof(b), "%s/%s", cv_fmt_count(s1, sizeof(s1), t->uring.submitted),
			 cv_fmt_count(s2, sizeof(s2), t->uring.completed));
		col(out, b, 11);
	} else {
		col(out, "-", 11);
	}
	if (t->exited && cv_wait_signal(t->exit_code))
		fprintf(out, " exited (%s)", cv_exit_desc(t->exit_code, b, sizeof(b)));
	else if (t->exited)
		fputs(" exited", out);
	fputc('\n', out);
}

/* "PROCESS 1234 (ipc) parent 1200, 3 threads, exited with status 10 after 2.0s" */
static void process_line(FILE *out, const struct cv_model *m, const struct cv_process *p)
{
	char c[32], b[64], d[32];
	cv_fmt_clean(c, sizeof(c), p->comm[0] ? p->comm : "?", CV_ASCII);
	fprintf(out, "PROCESS %" PRIu32 " (%s)", p->pid, c);
	if (p->ppid)
		fprintf(out, " parent %" PRIu32, p->ppid);
	fprintf(out, ", %" PRIu32 " thread%s", p->threads, p->threads == 1 ? "" : "s");
	if (p->pid == cv_model_target_pid(m))
		fputs(", the target", out);
	if (p->seeded)
		fputs(", running at attach", out);
	if (p->exited && cv_wait_signal(p->exit_status))
		fprintf(out, ", killed by %s", cv_signal_name(cv_wait_signal(p->exit_status), b, sizeof(b)));
	else if (p->exited)
		fprintf(out, ", exited with status %d", cv_wait_shell_code(p->exit_status));
	if (p->exited)
		fprintf(out, " after %s", cv_fmt_dur(d, sizeof(d), p->end_ts - p->start_ts, CV_UTF8));
	fputc('\n', out);
}

/* " (exit 11, 12, SIGKILL)": how the short-lived processes named comm ended,
 * where not with status 0 (a learner's children exiting 10, 11, 12 must
 * show, folded or not) */
static void exits_of(FILE *out, const struct cv_model *m, const char *comm)
{
	int shown = 0;
	for (size_t k = 0; k < cv_model_process_count(m); k++) {
		const struct cv_process *q = cv_model_process(m, k);
		char b[24];
		if (!cv_model_process_short_lived(m, q) || strcmp(q->comm, comm) || !q->exit_status)
			continue;
		if (shown++ == 6) {
			fputs(", ...", out);
			break;
		}
		fputs(shown == 1 ? " (exit " : ", ", out);
		if (cv_wait_signal(q->exit_status))
			fputs(cv_signal_name(cv_wait_signal(q->exit_status), b, sizeof(b)), out);
		else
			fprintf(out, "%d", cv_wait_shell_code(q->exit_status));
	}
	if (shown)
		fputc(')', out);
}

/* "38 short-lived processes (…): bash x30, readlink x8" — each name once */
static void short_lived_line(FILE *out, const struct cv_model *m, size_t n)
{
	size_t np = cv_model_process_count(m), names = 0;
	fprintf(out, "%zu short-lived process%s (exited within %llu ms, no traced call; "
		"--all-processes lists them):", n, n == 1 ? "" : "es",
		(ull)(CV_SHORT_LIVED_NS / 1000000));
	for (size_t i = 0; i < np; i++) {
		const struct cv_process *p = cv_model_process(m, i);
		bool first = cv_model_process_short_lived(m, p);
		size_t same = 0;
		for (size_t k = 0; first && k < np; k++) {
			const struct cv_process *q = cv_model_process(m, k);
			if (!cv_model_process_short_lived(m, q) || strcmp(q->comm, p->comm))
				continue;
			first = k >= i; /* k < i: named already, at its first one */
			same++;
		}
		if (!first)
			continue;
		if (++names > 12) {
			fputs(", ...", out);
			break;
		}
		char c[32];
		cv_fmt_clean(c, sizeof(c), p->comm[0] ? p->comm : "?", CV_ASCII);
		fprintf(out, "%s %s", names > 1 ? "," : "", c);
		if (same > 1)
			fprintf(out, " x%zu", same);
		exits_of(out, m, p->comm);
	}
	fputc('\n', out);
}

/* Threads grouped under their processes, in order of first sighting. */
static void text_threads(FILE *out, const struct cv_model *m, const struct cv_report_extra *x)
{
	size_t n = cv_model_thread_count(m), np = cv_model_process_count(m), nshort = 0;
	fprintf(out, "\nTHREADS (%zu in %zu processes)  time share in %% of each thread's traced life;"
		" vcsw/ivcsw: voluntary/involuntary context switches\n", n, np);
	fprintf(out, "%7s %-15s", "TID", "COMM");
	for (int s = 0; s < CV_ST_COUNT; s++)
		fprintf(out, " %4s", st_short[s]);
	fprintf(out, " %7s %7s %7s %7s %7s %6s %6s %8s %6s %8s %11s\n", "vcsw", "ivcsw",
		"recv", "eagain", "bytes", "blockd", "mux", "mux wait", "futex", "fx wait",
		"uring s/c");
	for (size_t k = 0; k < np; k++) {
		const struct cv_process *p = cv_model_process(m, k);
		if (!(x && x->all_processes) && cv_model_process_short_lived(m, p)) {
			nshort++;
			continue;
		}
		process_line(out, m, p);
		for (size_t i = 0; i < n; i++) {
			const struct cv_thread *t = cv_model_thread(m, i);
			if (cv_model_thread_process(m, t) == p)
				thread_row(out, m, t);
		}
	}
	if (nshort)
		short_lived_line(out, m, nshort);
}

/* What the tracepoints measured beside what the kernel charged: the two
 * differ by design (docs/time-accounting.md), and a user comparing with
 * time/top must be told, not left to wonder. */
static void text_kernel(FILE *out, const struct cv_model *m, const struct cv_report_extra *x)
{
	bool any = false;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		uint64_t tm[CV_ST_COUNT], kcpu, kdelay;
		char a[32], b[32], c[32], d[32], e[32], f[32];
		if (!t->kernel_times || folded(m, t, x))
			continue;
		if (!any)
			fprintf(out, "\nON CPU AND RUN QUEUE: traced vs the kernel's own accounting (schedstat, as time/top)\n"
				"  the kernel counts by its run-queue clock, which it does not update when a woken thread\n"
				"  takes the CPU: part of the traced wait is CPU time to it.  \"by its clock\" is the traced\n"
				"  time counted so; the kernel's figure is read at the thread's exit, up to a scheduler tick\n"
				"  low for a thread busy to the end; see docs/time-accounting.md\n"
				"%7s %-15s %10s %12s %10s %10s %12s %10s\n", "TID", "COMM", "on cpu",
				"by its clock", "kernel", "runnable", "by its clock", "kernel");
		any = true;
		cv_model_thread_times(m, t, tm);
		bool known = cv_model_thread_as_kernel(m, t, &kcpu, &kdelay);
		thread_cols(out, t);
		fprintf(out, " %10s %12s %10s %10s %12s %10s\n",
			cv_fmt_dur(a, sizeof(a), tm[CV_ST_RUNNING] + tm[CV_ST_COPY_DATA], CV_UTF8),
			known ? cv_fmt_dur(b, sizeof(b), kcpu, CV_UTF8) : "-",
			cv_fmt_dur(c, sizeof(c), t->kernel_cpu_ns, CV_UTF8),
			cv_fmt_dur(d, sizeof(d), tm[CV_ST_RUNNABLE], CV_UTF8),
			known ? cv_fmt_dur(e, sizeof(e), kdelay, CV_UTF8) : "-",
			cv_fmt_dur(f, sizeof(f), t->kernel_run_delay_ns, CV_UTF8));
	}
}

/* Accepts (their blocked time is wait_data: waiting for a connection) and
 * receives that were not all on sockets, per thread; only threads with any. */
static void text_io(FILE *out, const struct cv_model *m)
{
	bool any = false;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		char b[32];
		bool other = t->recv.calls != t->recv.by_kind[CV_RECV_SOCKET].calls;
		if (!t->accept.calls && !other)
			continue;
		if (!any)
			fprintf(out, "\nACCEPT AND RECEIVES BY KIND (accept's blocked time is wait_data: waiting for a connection)\n"
				"%7s %-15s %7s %7s %6s %8s  %s\n", "TID", "COMM", "ACCEPT", "EAGAIN",
				"BLOCKD", "WAIT", "RECEIVES: calls/bytes by kind");
		any = true;
		thread_cols(out, t);
		col_count(out, t->accept.calls, 7);
		col_count(out, t->accept.eagain, 7);
		col_count(out, t->accept.blocked_calls, 6);
		col_ns(out, t->accept.wait_ns, 8);
		fputc(' ', out);
		for (int k = 0; k < CV_RECV_KIND_COUNT; k++)
			if (t->recv.by_kind[k].calls)
				fprintf(out, " %s %llu/%s", cv_recv_kind_name((enum cv_recv_kind)k),
					(ull)t->recv.by_kind[k].calls,
					cv_fmt_bytes(b, sizeof(b), t->recv.by_kind[k].bytes));
		fputc('\n', out);
	}
}

/* Calls a signal interrupted, per thread; only threads with any. */
static void text_signals(FILE *out, const struct cv_model *m)
{
	bool any = false;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		const struct cv_sig_stats *s[] = { &t->recv.sig, &t->accept.sig, &t->mux.sig, &t->futex.sig };
		if (!s[0]->interrupted && !s[1]->interrupted && !s[2]->interrupted && !s[3]->interrupted)
			continue;
		if (!any)
			fprintf(out, "\nCALLS A SIGNAL INTERRUPTED (per kind: interruptions, then EINTR: calls that"
				" failed so; a call the kernel restarted is one call)\n"
				"%7s %-15s %7s %7s %7s %7s %7s %7s %7s %7s\n", "TID", "COMM", "RECV", "EINTR",
				"ACCEPT", "EINTR", "MUX", "EINTR", "FUTEX", "EINTR");
		any = true;
		thread_cols(out, t);
		for (int k = 0; k < 4; k++) {
			col_count(out, s[k]->interrupted, 7);
			col_count(out, s[k]->eintr, 7);
		}
		fputc('\n', out);
	}
}

/* "T12 x40, T13 x2" (the first few, then "+N more") */
static void text_tids(FILE *out, const char *what, const struct cv_lock_tid *v, uint32_t n,
		      uint64_t other)
{
	fprintf(out, " %s", what);
	if (!n && !other) {
		fputs(" -", out);
		return;
	}
	for (uint32_t i = 0; i < n && i < 8; i++)
		fprintf(out, "%s T%" PRIu32 " x%llu", i ? "," : "", v[i].tid, (ull)v[i].n);
	if (n > 8 || other)
		fprintf(out, " +%u more", n > 8 ? n - 8 : 0);
}

static void text_lock_row(FILE *out, const struct cv_lock *l)
{
	char name[128], b[32];
	cv_fmt_lock(name, sizeof(name), l->name, l->addr);
	if (strlen(name) > 32)
		strcpy(name + 29, "...");
	fprintf(out, "  %-32s %7" PRIu32, name, l->pid);
	col_count(out, l->waits, 8);
	col_ns(out, l->wait_ns, 10);
	col_ns(out, l->max_wait_ns, 10);
	snprintf(b, sizeof(b), "%" PRIu32, l->max_waiters);
	col(out, b, 11);
	if (l->owner_tid)
		snprintf(b, sizeof(b), "%" PRIu32, l->owner_tid);
	else
		snprintf(b, sizeof(b), "?");
	col(out, b, 8);
	fprintf(out, "  %s", cv_lock_kind_name((enum cv_lock_kind)l->kind));
	if (l->shared) {
		fprintf(out, " shared by %" PRIu32 "%s process%s", l->npids, l->pids_more ? "+" : "",
			l->npids == 1 && !l->pids_more ? "" : "es");
		for (uint32_t i = 0; i < l->npids; i++)
			fprintf(out, "%s%" PRIu32, i ? "," : " ", l->pids[i]);
	}
	fputs("\n   ", out);
	text_tids(out, "waiters:", l->waiters, l->nwaiters, l->waiters_other);
	fputs(";", out);
	text_tids(out, "woken by:", l->wakers, l->nwakers, l->wakers_other);
	fputc('\n', out);
}

/* Receives and accepts by descriptor, with what each one is: a server's
 * client sockets apart from its internal UNIX sockets and pipes. */
static void text_by_fd(FILE *out, const struct cv_model *m)
{
	bool any = false, epoll = false;
	uint64_t unlisted = 0;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		char b[32], d[200], fd[16];
		unlisted += t->mux.ready_unlisted;
		for (size_t k = 0; k < cv_model_thread_fd_count(m, t); k++) {
			const struct cv_fd_stats *f = cv_model_thread_fd(m, t, k);
			const struct cv_fd_desc *x = cv_model_fd_desc(m, t->pid, f->fd, f->ino);
			if (!any)
				fprintf(out, "\nRECEIVES BY DESCRIPTOR (wait: for data; accepts on a listening socket;"
					" ready: returned ready by select/poll/epoll)\n"
					"%7s %-15s %5s %-7s %7s %7s %10s %7s %7s  %s\n", "TID", "COMM", "FD", "KIND",
					"CALLS", "BYTES", "WAIT", "ACCEPTS", "READY", "WHAT");
			any = true;
			if (f->fd == CV_FD_OTHER)
				snprintf(fd, sizeof(fd), "*");
			else
				snprintf(fd, sizeof(fd), "%" PRIu32, f->fd);
			thread_cols(out, t);
			fprintf(out, " %5s %-7s", fd,
				f->fd == CV_FD_OTHER ? "other" : cv_fd_kind_name(x ? x->kind : CV_FD_UNKNOWN));
			col_count(out, f->calls, 7);
			col(out, f->bytes ? cv_fmt_bytes(b, sizeof(b), f->bytes) : "-", 7);
			col_ns(out, f->wait_ns + f->accept_wait_ns, 10);
			col_count(out, f->accepts, 7);
			col_count(out, f->mux_ready, 7);
			epoll |= f->mux_ready_epoll > 0;
			cv_fmt_clean(d, sizeof(d), f->fd == CV_FD_OTHER ? "the other descriptors (past the first 256)"
				     : x ? x->desc : "not described (no CV_EV_FD seen)", CV_ASCII);
			fprintf(out, "  %s\n", d);
		}
	}
	if (epoll)
		fprintf(out, "epoll's READY counts the fd each event's registered data names, as registered "
			"(the fd itself when the program registered it so, as Python's selectors do)\n");
	if (unlisted)
		fprintf(out, "%llu ready descriptors were not listed (past %d in one call or the scanned "
			"part of its array, or epoll data of 65536 or more)\n", (ull)unlisted, CV_MUX_READY_MAX);
}

/* Multiplexer calls by API, per thread with any: select and epoll servers
 * differ in what they watch (the nfds argument) and how much is ready. */
static void text_mux(FILE *out, const struct cv_model *m)
{
	bool any = false;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		char b[32];
		for (int k = 0; k < CV_MUX_API_COUNT; k++) {
			const struct cv_mux_api_stats *a = &t->mux.by_api[k];
			if (!a->calls)
				continue;
			if (!any)
				fprintf(out, "\nMULTIPLEXERS BY API (nfds: select's highest fd + 1, poll's pollfds,"
					" epoll's maxevents; ready: descriptors returned ready)\n"
					"%7s %-15s %-6s %7s %10s %9s %10s %8s %6s\n", "TID", "COMM", "API",
					"CALLS", "WAIT", "NFDS/CALL", "READY/CALL", "TIMEOUTS", "ERRORS");
			any = true;
			thread_cols(out, t);
			fprintf(out, " %-6s",
				cv_mux_api_name((enum cv_mux_api)k));
			col_count(out, a->calls, 7);
			col_ns(out, a->wait_ns, 10);
			snprintf(b, sizeof(b), "%.1f", (double)a->nfds / (double)a->calls);
			col(out, b, 9);
			snprintf(b, sizeof(b), "%.2f", (double)a->ready / (double)a->calls);
			col(out, b, 10);
			col_count(out, a->timeouts, 8);
			col_count(out, a->errors, 6);
			fputc('\n', out);
		}
	}
}

/* Contention (another thread holds what it wants) and waiting for a signal
 * (nobody need hold anything) are different lessons: two tables. */
static void text_locks(FILE *out, const struct cv_model *m)
{
	size_t n = cv_model_lock_count(m);
	if (!n) {
		fprintf(out, "\nLOCKS: none waited on\n");
		return;
	}
	for (int signal = 0; signal < 2; signal++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			k += cv_lock_kind_is_signal_wait((enum cv_lock_kind)cv_model_lock(m, i)->kind) == signal;
		fprintf(out, "\n%s (%zu)%s\n", signal ? "WAITING FOR A SIGNAL" : "LOCK CONTENTION", k,
			signal ? ": condvar, semaphore, event, queue, join, barrier: waiting until another thread says so"
			       : ": mutex, rwlock, GIL, unknown futex: another thread holds it");
		if (!k)
			continue;
		fprintf(out, "  %-32s %7s %8s %10s %10s %11s %8s  %s\n", "LOCK", "PID", "WAITS",
			"TOTAL WAIT", "MAX WAIT", "MAX WAITERS", "OWNER", "KIND");
		for (size_t i = 0; i < n; i++) {
			const struct cv_lock *l = cv_model_lock(m, i);
			if (cv_lock_kind_is_signal_wait((enum cv_lock_kind)l->kind) == signal)
				text_lock_row(out, l);
		}
	}
}

/* Per thread: lock_wait split into contention and waiting for a signal, by
 * kind, and what it waits for now. */
static void text_lock_waits(FILE *out, const struct cv_model *m)
{
	bool any = false;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		uint64_t bk[CV_LK_COUNT], part[2] = { 0, 0 };
		char b[32], label[160];
		cv_model_thread_lock_wait_by_kind(m, t, bk);
		for (int k = 0; k < CV_LK_COUNT; k++)
			part[cv_lock_kind_is_signal_wait((enum cv_lock_kind)k)] += bk[k];
		if (!part[0] && !part[1])
			continue;
		if (!any)
			fprintf(out, "\nLOCK WAIT BY KIND (contention: another thread holds it; waiting: for a signal)\n"
				"%7s %-15s %10s %10s  %s\n", "TID", "COMM", "CONTENTION", "WAITING", "BY KIND");
		any = true;
		thread_cols(out, t);
		col_ns(out, part[0], 10);
		col_ns(out, part[1], 10);
		fputc(' ', out);
		for (int k = 0; k < CV_LK_COUNT; k++)
			if (bk[k])
				fprintf(out, " %s %s", cv_lock_kind_name((enum cv_lock_kind)k),
					cv_fmt_dur(b, sizeof(b), bk[k], CV_UTF8));
		if (*cv_model_wait_label(m, t, label, sizeof(label)))
			fprintf(out, "  now %s", label);
		fputc('\n', out);
	}
}

/* Threads blocked on a lock right now for at least the stuck threshold. */
static size_t stuck_now(const struct cv_model *m)
{
	uint64_t now = cv_model_end(m) ? cv_model_end(m) : cv_model_now(m);
	size_t n = 0;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		n += cv_model_thread_stuck(m, cv_model_thread(m, i), now);
	}
	return n;
}

static void text_deadlocks(FILE *out, const struct cv_model *m)
{
	size_t n = cv_model_deadlock_count(m), stuck = stuck_now(m);
	char text[1024];
	if (!n) {
		/* never "no deadlock" while threads are stuck */
		if (stuck)
			fprintf(out, "\nDEADLOCKS: no cycle of known holders, but %zu thread%s stuck on a lock "
				"for over %llus at the end\n", stuck, stuck == 1 ? " is" : "s are",
				(ull)(CV_STUCK_NS / 1000000000ULL));
		else
			fprintf(out, "\nDEADLOCKS: none detected (no cycle of known holders; no threads "
				"stuck on locks or joins for %llus with none of their process running)\n",
				(ull)(CV_STUCK_NS / 1000000000ULL));
		return;
	}
	fprintf(out, "\nDEADLOCKS (%zu)\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct cv_deadlock *d = cv_model_deadlock(m, i);
		char b[32];
		uint64_t at = d->ts > cv_model_start(m) ? d->ts - cv_model_start(m) : 0;
		fprintf(out, "  #%zu at +%s: %s\n", i + 1, cv_fmt_dur(b, sizeof(b), at, CV_UTF8),
			cv_model_deadlock_text(m, d, text, sizeof(text)));
	}
}

void cv_report_text(FILE *out, const struct cv_model *m, const struct cv_report_extra *extra)
{
	char b[64], cmd[256];
	int code;
	cv_fmt_clean(cmd, sizeof(cmd), cv_model_target_command(m), CV_ASCII);
	fprintf(out, "concviz report: ");
	if (cv_model_target_pid(m))
		fprintf(out, "target pid %" PRIu32, cv_model_target_pid(m));
	else
		fprintf(out, "no target pid");
	if (cmd[0])
		fprintf(out, " (%s)", cmd);
	if (cv_model_target_exited(m, &code) && cv_model_target_signal(m))
		fprintf(out, ", killed by %s (exit status %d)\n",
			cv_signal_name(cv_model_target_signal(m), b, sizeof(b)), code);
	else if (cv_model_target_exited(m, &code))
		fprintf(out, ", exit status %d\n", code);
	else
		fprintf(out, ", not exited\n");
	fprintf(out, "duration %s, %llu events, %llu dropped events",
		cv_fmt_dur(b, sizeof(b), duration(m), CV_UTF8), (ull)cv_model_events(m),
		(ull)cv_model_dropped(m));
	if (cv_model_dropped(m)) {
		fprintf(out, " (%llu %s, %llu %s", (ull)cv_model_dropped_where(m, CV_LOST_RING),
			cv_lost_where_text(CV_LOST_RING), (ull)cv_model_dropped_where(m, CV_LOST_MEMORY),
			cv_lost_where_text(CV_LOST_MEMORY));
		if (cv_model_dropped_where(m, CV_LOST_UNKNOWN)) /* an old recording's */
			fprintf(out, ", %llu %s", (ull)cv_model_dropped_where(m, CV_LOST_UNKNOWN),
				cv_lost_where_text(CV_LOST_UNKNOWN));
		fputs(") (counts may be low)", out);
	}
	fprintf(out, ", %zu threads, %zu locks", cv_model_thread_count(m), cv_model_lock_count(m));
	if (cv_model_nomem(m))
		fprintf(out, ", %llu facts lost: out of memory (counts may be low)",
			(ull)cv_model_nomem(m));
	fputc('\n', out);
	if (extra && extra->file_bytes) {
		uint64_t ev = cv_model_events(m);
		fprintf(out, "recording %s bytes, %.1f bytes per event\n",
			cv_fmt_bytes(b, sizeof(b), extra->file_bytes),
			ev ? (double)extra->file_bytes / (double)ev : 0.0);
	}
	if (extra && extra->read_error)
		fprintf(out, "ONLY PART OF THE RECORDING, up to where it ends: %s\n",
			extra->read_error);
	text_threads(out, m, extra);
	text_kernel(out, m, extra);
	text_io(out, m);
	text_by_fd(out, m);
	text_signals(out, m);
	text_mux(out, m);
	text_locks(out, m);
	text_lock_waits(out, m);
	text_deadlocks(out, m);
}

/* ---- JSON ------------------------------------------------------------------ */

/* "SIGKILL", or null for 0 */
static void json_signal(FILE *out, int sig)
{
	char b[24];

	if (sig)
		fprintf(out, "\"%s\"", cv_signal_name(sig, b, sizeof(b)));
	else
		fputs("null", out);
}

static void json_name(FILE *out, const char *name)
{
	if (name)
		cv_json_string(out, name);
	else
		fputs("null", out);
}

/* what a thread blocked on a lock waits for now: {"kind", "addr", "name",
 * "label": "waiting: condvar not_full"}, or null */
static void json_waiting_on(FILE *out, const struct cv_model *m, const struct cv_thread *t)
{
	char label[160];
	const struct cv_lock *l;

	if (t->exited || t->state != CV_ST_LOCK_WAIT) {
		fputs("null", out);
		return;
	}
	l = cv_model_find_lock(m, t->pid, t->block_obj);
	cv_model_wait_label(m, t, label, sizeof(label));
	fprintf(out, "{\"kind\": \"%s\", \"addr\": \"0x%llx\", \"name\": ",
		cv_lock_kind_name((enum cv_lock_kind)t->block_kind), (ull)t->block_obj);
	json_name(out, l ? l->name : NULL);
	fputs(", \"label\": ", out);
	cv_json_string(out, label);
	fputc('}', out);
}

/* threads[].recv.by_fd: each descriptor's receives and accepts, with what it is */
static void json_by_fd(FILE *out, const struct cv_model *m, const struct cv_thread *t)
{
	for (size_t i = 0; i < cv_model_thread_fd_count(m, t); i++) {
		const struct cv_fd_stats *f = cv_model_thread_fd(m, t, i);
		const struct cv_fd_desc *d = cv_model_fd_desc(m, t->pid, f->fd, f->ino);
		fputs(i ? ", " : "", out);
		if (f->fd == CV_FD_OTHER)
			fputs("{\"fd\": null, \"ino\": null, \"kind\": \"other\", \"desc\": \"the other descriptors\"", out);
		else {
			fprintf(out, "{\"fd\": %" PRIu32 ", \"ino\": %llu, \"kind\": \"%s\", \"desc\": ",
				f->fd, (ull)f->ino, cv_fd_kind_name(d ? d->kind : CV_FD_UNKNOWN));
			if (d)
				cv_json_string(out, d->desc);
			else
				fputs("null", out);
		}
		/* null: no receive, and its description names none of the kinds */
		fputs(", \"recv_kind\": ", out);
		if (f->recv_kind < CV_RECV_KIND_COUNT)
			fprintf(out, "\"%s\"", cv_recv_kind_name(f->recv_kind));
		else
			fputs("null", out);
		fprintf(out, ", \"calls\": %llu, \"bytes\": %llu, "
			"\"wait_ns\": %llu, \"accepts\": %llu, \"accept_wait_ns\": %llu, "
			"\"mux_ready\": %llu, \"mux_ready_epoll\": %llu}",
			(ull)f->calls, (ull)f->bytes,
			(ull)f->wait_ns, (ull)f->accepts, (ull)f->accept_wait_ns,
			(ull)f->mux_ready, (ull)f->mux_ready_epoll);
	}
}

/* , "interrupted": N, "eintr": N (a kind of call's signal counts) */
static void json_sig(FILE *out, const struct cv_sig_stats *s)
{
	fprintf(out, ", \"interrupted\": %llu, \"eintr\": %llu", (ull)s->interrupted, (ull)s->eintr);
}

static void json_thread(FILE *out, const struct cv_model *m, const struct cv_thread *t)
{
	uint64_t tm[CV_ST_COUNT];
	cv_model_thread_times(m, t, tm);
	fprintf(out, "{\"tid\": %" PRIu32 ", \"pid\": %" PRIu32 ", \"comm\": ", t->tid, t->pid);
	cv_json_string(out, t->comm);
	fprintf(out, ", \"exited\": %s, \"seeded\": %s, \"state\": \"%s\", \"exit_signal\": ",
		t->exited ? "true" : "false", t->seeded ? "true" : "false",
		t->exited ? "exited" : cv_state_name(t->state));
	json_signal(out, t->exited ? cv_wait_signal(t->exit_code) : 0);
	fputs(",\n", out);
	fprintf(out, "      \"ctx_switches\": {\"voluntary\": %llu, \"involuntary\": %llu, "
		"\"unseen_switch_ins\": %llu},\n", (ull)t->vcsw, (ull)t->ivcsw, (ull)t->unseen_switch_ins);
	fprintf(out, "      \"time_ns\": {");
	for (int s = 0; s < CV_ST_COUNT; s++)
		fprintf(out, "%s\"%s\": %llu", s ? ", " : "", cv_state_name((enum cv_state)s),
			(ull)tm[s]);
	fprintf(out, "},\n");
	uint64_t bk[CV_LK_COUNT];
	cv_model_thread_lock_wait_by_kind(m, t, bk);
	fprintf(out, "      \"lock_wait_by_kind\": {");
	for (int k = 0, first = 1; k < CV_LK_COUNT; k++)
		if (bk[k]) {
			fprintf(out, "%s\"%s\": %llu", first ? "" : ", ",
				cv_lock_kind_name((enum cv_lock_kind)k), (ull)bk[k]);
			first = 0;
		}
	fprintf(out, "},\n      \"waiting_on\": ");
	json_waiting_on(out, m, t);
	fprintf(out, ",\n");
	/* what the kernel's accounting makes of the traced time, and its own
	 * figures beside the traced ones (docs/time-accounting.md) */
	uint64_t kcpu, kdelay;
	if (cv_model_thread_as_kernel(m, t, &kcpu, &kdelay))
		fprintf(out, "      \"kernel_clock\": {\"cpu_ns\": %llu, \"run_delay_ns\": %llu, "
			"\"runnable_as_cpu_ns\": %lld, \"running_as_sleep_ns\": %llu, "
			"\"uncharged_ns\": %llu, \"unseen_switches\": %llu},\n",
			(ull)kcpu, (ull)kdelay, (long long)t->kclock.runnable_as_cpu_ns,
			(ull)t->kclock.running_as_sleep_ns, (ull)t->kernel_uncharged_ns,
			(ull)t->kclock.unseen_switches);
	else
		fprintf(out, "      \"kernel_clock\": null,\n");
	if (t->kernel_times)
		fprintf(out, "      \"kernel\": {\"cpu_ns\": %llu, \"run_delay_ns\": %llu},\n",
			(ull)t->kernel_cpu_ns, (ull)t->kernel_run_delay_ns);
	else
		fprintf(out, "      \"kernel\": null,\n");
	fprintf(out, "      \"recv\": {\"calls\": %llu, \"eagain\": %llu, \"bytes\": %llu, "
		"\"blocked_calls\": %llu, \"by_kind\": {", (ull)t->recv.calls, (ull)t->recv.eagain,
		(ull)t->recv.bytes, (ull)t->recv.blocked_calls);
	for (int k = 0; k < CV_RECV_KIND_COUNT; k++)
		fprintf(out, "%s\"%s\": {\"calls\": %llu, \"bytes\": %llu}", k ? ", " : "",
			cv_recv_kind_name((enum cv_recv_kind)k), (ull)t->recv.by_kind[k].calls,
			(ull)t->recv.by_kind[k].bytes);
	fprintf(out, "}, \"by_fd\": [");
	json_by_fd(out, m, t);
	fputc(']', out);
	json_sig(out, &t->recv.sig);
	fprintf(out, "},\n");
	fprintf(out, "      \"accept\": {\"calls\": %llu, \"eagain\": %llu, \"blocked_calls\": %llu, "
		"\"wait_ns\": %llu", (ull)t->accept.calls, (ull)t->accept.eagain,
		(ull)t->accept.blocked_calls, (ull)t->accept.wait_ns);
	json_sig(out, &t->accept.sig);
	fprintf(out, "},\n");
	fprintf(out, "      \"mux\": {\"calls\": %llu, \"wait_ns\": %llu, \"by_api\": {",
		(ull)t->mux.calls, (ull)t->mux.wait_ns);
	for (int k = 0; k < CV_MUX_API_COUNT; k++) {
		const struct cv_mux_api_stats *a = &t->mux.by_api[k];
		fprintf(out, "%s\"%s\": {\"calls\": %llu, \"wait_ns\": %llu, \"nfds\": %llu, "
			"\"ready\": %llu, \"timeouts\": %llu, \"errors\": %llu}", k ? ", " : "",
			cv_mux_api_name((enum cv_mux_api)k), (ull)a->calls, (ull)a->wait_ns,
			(ull)a->nfds, (ull)a->ready, (ull)a->timeouts, (ull)a->errors);
	}
	fprintf(out, "}, \"ready_unlisted\": %llu", (ull)t->mux.ready_unlisted);
	json_sig(out, &t->mux.sig);
	fprintf(out, "},\n      \"futex\": {\"waits\": %llu, \"wait_ns\": %llu",
		(ull)t->futex.waits, (ull)t->futex.wait_ns);
	json_sig(out, &t->futex.sig);
	fprintf(out, "},\n");
	fprintf(out, "      \"uring\": {\"submitted\": %llu, \"completed\": %llu, "
		"\"async_wait_ns\": %llu}}", (ull)t->uring.submitted, (ull)t->uring.completed,
		(ull)t->uring.async_wait_ns);
}

static void json_tids(FILE *out, const char *key, const char *count,
		      const struct cv_lock_tid *v, uint32_t n, uint64_t other)
{
	fprintf(out, ", \"%s\": [", key);
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, "%s{\"tid\": %" PRIu32 ", \"%s\": %llu}", i ? ", " : "", v[i].tid,
			count, (ull)v[i].n);
	fprintf(out, "], \"%s_other\": %llu", key, (ull)other);
}

static void json_process(FILE *out, const struct cv_model *m, const struct cv_process *p)
{
	uint64_t t0 = cv_model_start(m);
	fprintf(out, "{\"pid\": %" PRIu32 ", \"ppid\": ", p->pid);
	if (p->ppid)
		fprintf(out, "%" PRIu32, p->ppid);
	else
		fputs("null", out);
	fputs(", \"command\": ", out);
	cv_json_string(out, p->comm);
	fprintf(out, ", \"start_ns\": %llu, \"end_ns\": ",
		(ull)(p->start_ts > t0 ? p->start_ts - t0 : 0));
	if (p->exited)
		fprintf(out, "%llu", (ull)(p->end_ts > t0 ? p->end_ts - t0 : 0));
	else
		fputs("null", out);
	fputs(", \"exit_code\": ", out);
	if (p->exited)
		fprintf(out, "%d", cv_wait_shell_code(p->exit_status));
	else
		fputs("null", out);
	fputs(", \"exit_signal\": ", out);
	json_signal(out, p->exited ? cv_wait_signal(p->exit_status) : 0);
	fprintf(out, ", \"threads\": %" PRIu32 ", \"seeded\": %s, \"short_lived\": %s}",
		p->threads, p->seeded ? "true" : "false",
		cv_model_process_short_lived(m, p) ? "true" : "false");
}

static void json_lock(FILE *out, const struct cv_lock *l)
{
	fprintf(out, "{\"pid\": %" PRIu32 ", \"addr\": \"0x%llx\", \"name\": ", l->pid,
		(ull)l->addr);
	json_name(out, l->name);
	fprintf(out, ", \"waits\": %llu, \"wait_ns\": %llu, \"max_wait_ns\": %llu, "
		"\"max_waiters\": %" PRIu32 ", \"owner_tid\": ", (ull)l->waits,
		(ull)l->wait_ns, (ull)l->max_wait_ns, l->max_waiters);
	if (l->owner_tid)
		fprintf(out, "%" PRIu32, l->owner_tid);
	else
		fputs("null", out);
	fprintf(out, ", \"is_mutex\": %s, \"kind\": \"%s\", \"waiting_for_signal\": %s, "
		"\"shared\": %s, \"pids\": [", l->is_mutex ? "true" : "false",
		cv_lock_kind_name((enum cv_lock_kind)l->kind),
		cv_lock_kind_is_signal_wait((enum cv_lock_kind)l->kind) ? "true" : "false",
		l->shared ? "true" : "false");
	for (uint32_t i = 0; i < l->npids; i++)
		fprintf(out, "%s%" PRIu32, i ? ", " : "", l->pids[i]);
	fprintf(out, "], \"pids_more\": %s", l->pids_more ? "true" : "false");
	json_tids(out, "waiters", "waits", l->waiters, l->nwaiters, l->waiters_other);
	json_tids(out, "wakers", "wakes", l->wakers, l->nwakers, l->wakers_other);
	fputc('}', out);
}

static void json_deadlock(FILE *out, const struct cv_model *m, const struct cv_deadlock *d)
{
	char text[1024];

	fputs("{\"threads\": [", out);
	for (uint32_t k = 0; k < d->n; k++)
		fprintf(out, "%s%" PRIu32, k ? ", " : "", d->tids[k]);
	fputs("], \"locks\": [", out);
	for (uint32_t k = 0; k < d->n; k++)
		fprintf(out, "%s\"0x%llx\"", k ? ", " : "", (ull)d->addrs[k]);
	fprintf(out, "], \"ts_ns\": %llu, \"confirmed\": %s, \"stuck_ns\": ", (ull)d->ts,
		d->confirmed ? "true" : "false");
	if (d->confirmed)
		fputs("null", out);
	else
		fprintf(out, "%llu", (ull)(d->until - d->since));
	fputs(", \"ended_ts_ns\": ", out);
	if (d->ended)
		fprintf(out, "%llu", (ull)d->ended);
	else
		fputs("null", out);
	fputs(", \"text\": ", out);
	cv_json_string(out, cv_model_deadlock_text(m, d, text, sizeof(text)));
	fputc('}', out);
}

void cv_report_json(FILE *out, const struct cv_model *m, const struct cv_report_extra *extra)
{
	int code;
	fprintf(out, "{\"concviz\": 1, \"duration_ns\": %llu, \"events\": %llu, "
		"\"dropped_events\": %llu, ", (ull)duration(m), (ull)cv_model_events(m),
		(ull)cv_model_dropped(m));
	for (int i = 1; i <= CV_LOST_WHERE_COUNT; i++) { /* ring, memory, then unknown */
		enum cv_lost_where w = (enum cv_lost_where)(i % CV_LOST_WHERE_COUNT);
		fprintf(out, "\"dropped_%s\": %llu, ", cv_lost_where_name(w),
			(ull)cv_model_dropped_where(m, w));
	}
	fprintf(out, "\"model_out_of_memory\": %llu,\n", (ull)cv_model_nomem(m));
	if (extra && extra->file_bytes) {
		uint64_t ev = cv_model_events(m);
		fprintf(out, "  \"file_bytes\": %llu, \"bytes_per_event\": %.2f,\n",
			(ull)extra->file_bytes, ev ? (double)extra->file_bytes / (double)ev : 0.0);
	}
	if (extra && extra->read_error) {
		fputs("  \"read_error\": ", out);
		cv_json_string(out, extra->read_error);
		fputs(",\n", out);
	}
	fprintf(out, "  \"target\": {\"pid\": %" PRIu32 ", \"command\": ", cv_model_target_pid(m));
	cv_json_string(out, cv_model_target_command(m));
	fputs(", \"exit_code\": ", out);
	if (cv_model_target_exited(m, &code))
		fprintf(out, "%d", code);
	else
		fputs("null", out);
	fputs(", \"exit_signal\": ", out);
	json_signal(out, cv_model_target_signal(m));
	fputs("},\n  \"processes\": [", out);
	for (size_t i = 0; i < cv_model_process_count(m); i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_process(out, m, cv_model_process(m, i));
	}
	fputs("],\n  \"threads\": [", out);
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_thread(out, m, cv_model_thread(m, i));
	}
	fputs("],\n  \"locks\": [", out);
	for (size_t i = 0; i < cv_model_lock_count(m); i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_lock(out, cv_model_lock(m, i));
	}
	fputs("],\n  \"deadlocks\": [", out);
	for (size_t i = 0; i < cv_model_deadlock_count(m); i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_deadlock(out, m, cv_model_deadlock(m, i));
	}
	fputs("]}\n", out);
}
