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

static void text_threads(FILE *out, const struct cv_model *m)
{
	size_t n = cv_model_thread_count(m);
	fprintf(out, "\nTHREADS (%zu)  time share in %% of each thread's traced life;"
		" vcsw/ivcsw: voluntary/involuntary context switches\n", n);
	fprintf(out, "%7s %-15s", "TID", "COMM");
	for (int s = 0; s < CV_ST_COUNT; s++)
		fprintf(out, " %4s", st_short[s]);
	fprintf(out, " %7s %7s %7s %7s %7s %6s %6s %8s %6s %8s %11s\n", "vcsw", "ivcsw",
		"recv", "eagain", "bytes", "blockd", "mux", "mux wait", "futex", "fx wait",
		"uring s/c");
	for (size_t i = 0; i < n; i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		uint64_t tm[CV_ST_COUNT], total = 0;
		char b[64], c[32];
		cv_model_thread_times(m, t, tm);
		for (int s = 0; s < CV_ST_COUNT; s++)
			total += tm[s];
		cv_fmt_clean(c, sizeof(c), t->comm[0] ? t->comm : "?", CV_ASCII);
		fprintf(out, "%7" PRIu32 " %-15s", t->tid, c);
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
}

/* What the tracepoints measured beside what the kernel charged: the two
 * differ by design (docs/time-accounting.md), and a user comparing with
 * time/top must be told, not left to wonder. */
static void text_kernel(FILE *out, const struct cv_model *m)
{
	bool any = false;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		uint64_t tm[CV_ST_COUNT];
		char c[32], a[32], b[32], d[32], e[32];
		if (!t->kernel_times)
			continue;
		if (!any)
			fprintf(out, "\nON CPU AND RUN QUEUE: traced vs the kernel's own accounting (schedstat, as time/top)\n"
				"  the kernel charges a woken thread's wait for its CPU as CPU time; its figure, read at the\n"
				"  thread's exit, can be up to a scheduler tick low for a thread busy to the end; see docs/time-accounting.md\n"
				"%7s %-15s %10s %10s %10s %10s\n", "TID", "COMM", "on cpu", "kernel", "runnable", "kernel");
		any = true;
		cv_model_thread_times(m, t, tm);
		cv_fmt_clean(c, sizeof(c), t->comm[0] ? t->comm : "?", CV_ASCII);
		fprintf(out, "%7" PRIu32 " %-15s %10s %10s %10s %10s\n", t->tid, c,
			cv_fmt_dur(a, sizeof(a), tm[CV_ST_RUNNING] + tm[CV_ST_COPY_DATA], CV_UTF8),
			cv_fmt_dur(b, sizeof(b), t->kernel_cpu_ns, CV_UTF8),
			cv_fmt_dur(d, sizeof(d), tm[CV_ST_RUNNABLE], CV_UTF8),
			cv_fmt_dur(e, sizeof(e), t->kernel_run_delay_ns, CV_UTF8));
	}
}

/* Accepts (their blocked time is wait_data: waiting for a connection) and
 * receives that were not all on sockets, per thread; only threads with any. */
static void text_io(FILE *out, const struct cv_model *m)
{
	bool any = false;
	for (size_t i = 0; i < cv_model_thread_count(m); i++) {
		const struct cv_thread *t = cv_model_thread(m, i);
		char c[32], b[32];
		bool other = t->recv.calls != t->recv.by_kind[CV_RECV_SOCKET].calls;
		if (!t->accept.calls && !other)
			continue;
		if (!any)
			fprintf(out, "\nACCEPT AND RECEIVES BY KIND (accept's blocked time is wait_data: waiting for a connection)\n"
				"%7s %-15s %7s %7s %6s %8s  %s\n", "TID", "COMM", "ACCEPT", "EAGAIN",
				"BLOCKD", "WAIT", "RECEIVES: calls/bytes by kind");
		any = true;
		cv_fmt_clean(c, sizeof(c), t->comm[0] ? t->comm : "?", CV_ASCII);
		fprintf(out, "%7" PRIu32 " %-15s", t->tid, c);
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
		char c[32], b[32], label[160];
		cv_model_thread_lock_wait_by_kind(m, t, bk);
		for (int k = 0; k < CV_LK_COUNT; k++)
			part[cv_lock_kind_is_signal_wait((enum cv_lock_kind)k)] += bk[k];
		if (!part[0] && !part[1])
			continue;
		if (!any)
			fprintf(out, "\nLOCK WAIT BY KIND (contention: another thread holds it; waiting: for a signal)\n"
				"%7s %-15s %10s %10s  %s\n", "TID", "COMM", "CONTENTION", "WAITING", "BY KIND");
		any = true;
		cv_fmt_clean(c, sizeof(c), t->comm[0] ? t->comm : "?", CV_ASCII);
		fprintf(out, "%7" PRIu32 " %-15s", t->tid, c);
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
		const struct cv_thread *t = cv_model_thread(m, i);
		n += !t->exited && t->state == CV_ST_LOCK_WAIT &&
		     cv_lock_kind_can_deadlock((enum cv_lock_kind)t->block_kind) &&
		     now >= t->state_since + CV_STUCK_NS;
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
				"of a process stuck on locks for %llus with none running)\n",
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
	fprintf(out, "duration %s, %llu events, %llu dropped events%s, %zu threads, %zu locks",
		cv_fmt_dur(b, sizeof(b), duration(m), CV_UTF8), (ull)cv_model_events(m),
		(ull)cv_model_dropped(m), cv_model_dropped(m) ? " (counts may be low)" : "",
		cv_model_thread_count(m), cv_model_lock_count(m));
	fputc('\n', out);
	if (extra && extra->file_bytes) {
		uint64_t ev = cv_model_events(m);
		fprintf(out, "recording %s bytes, %.1f bytes per event\n",
			cv_fmt_bytes(b, sizeof(b), extra->file_bytes),
			ev ? (double)extra->file_bytes / (double)ev : 0.0);
	}
	text_threads(out, m);
	text_kernel(out, m);
	text_io(out, m);
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
	fprintf(out, "      \"ctx_switches\": {\"voluntary\": %llu, \"involuntary\": %llu},\n",
		(ull)t->vcsw, (ull)t->ivcsw);
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
	/* the part of runnable the kernel counts as CPU time, and the kernel's
	 * own figures beside the traced ones (docs/time-accounting.md) */
	fprintf(out, "      \"idle_wake_ns\": %llu,\n", (ull)t->idle_wake_ns);
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
	fprintf(out, "}},\n");
	fprintf(out, "      \"accept\": {\"calls\": %llu, \"eagain\": %llu, \"blocked_calls\": %llu, "
		"\"wait_ns\": %llu},\n", (ull)t->accept.calls, (ull)t->accept.eagain,
		(ull)t->accept.blocked_calls, (ull)t->accept.wait_ns);
	fprintf(out, "      \"mux\": {\"calls\": %llu, \"wait_ns\": %llu},\n",
		(ull)t->mux.calls, (ull)t->mux.wait_ns);
	fprintf(out, "      \"futex\": {\"waits\": %llu, \"wait_ns\": %llu},\n",
		(ull)t->futex.waits, (ull)t->futex.wait_ns);
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
	fputs(", \"text\": ", out);
	cv_json_string(out, cv_model_deadlock_text(m, d, text, sizeof(text)));
	fputc('}', out);
}

void cv_report_json(FILE *out, const struct cv_model *m, const struct cv_report_extra *extra)
{
	int code;
	fprintf(out, "{\"concviz\": 1, \"duration_ns\": %llu, \"events\": %llu, "
		"\"dropped_events\": %llu,\n", (ull)duration(m), (ull)cv_model_events(m),
		(ull)cv_model_dropped(m));
	if (extra && extra->file_bytes) {
		uint64_t ev = cv_model_events(m);
		fprintf(out, "  \"file_bytes\": %llu, \"bytes_per_event\": %.2f,\n",
			(ull)extra->file_bytes, ev ? (double)extra->file_bytes / (double)ev : 0.0);
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
	fputs("},\n  \"threads\": [", out);
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
