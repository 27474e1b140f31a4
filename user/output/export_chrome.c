/* export_chrome.c — stream a recording out as Chrome Trace Event JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/export_chrome.h"
#include "common/json.h"
#include "common/names.h"
#include "model/model.h"
#include "record/recfile.h"

struct exp {
	FILE *out;
	struct cv_model *m;
	bool first;
	bool any, ended;            /* events seen; one of them was END */
	uint64_t flow_id, async_id;
};

/* ---- JSON output --------------------------------------------------------- */

/* ns -> µs with 3 decimals, exact. */
static void put_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

static void next_event(struct exp *e)
{
	if (!e->first)
		fputs(",\n", e->out);
	e->first = false;
}

/* {"ph":"X",…} — args is a JSON object body (without braces) or NULL. */
static void emit_x(struct exp *e, const char *name, const char *cat, uint32_t pid, uint32_t tid,
		   uint64_t t0, uint64_t t1, const char *args)
{
	FILE *f = e->out;
	next_event(e);
	fputs("{\"ph\":\"X\",\"name\":", f);
	cv_json_string(f, name);
	fprintf(f, ",\"cat\":\"%s\",\"pid\":%u,\"tid\":%u,\"ts\":", cat, pid, tid);
	put_us(f, t0);
	fputs(",\"dur\":", f);
	put_us(f, t1 > t0 ? t1 - t0 : 0);
	if (args)
		fprintf(f, ",\"args\":{%s}", args);
	putc('}', f);
}

/* ---- names --------------------------------------------------------------- */

static const char *sys_name(uint32_t sys, const char *dflt)
{
	const char *n = cv_sys_name(sys);

	return n ? n : dflt;
}

static const char *uring_op_or(uint32_t op)
{
	const char *n = cv_uring_op_name(op);

	return n ? n : "io_uring request";
}

/* ---- slices -------------------------------------------------------------- */

static void on_segment(void *ctx, const struct cv_thread *t, enum cv_state st, uint64_t t0, uint64_t t1)
{
	struct exp *e = ctx;
	if (st == CV_ST_RUNNING || t1 <= t0)
		return;
	emit_x(e, cv_state_name(st), "state", t->pid, t->tid, t0, t1, NULL);
}

static uint64_t enter_of(uint64_t enter, uint64_t exit)
{
	return enter && enter <= exit ? enter : exit;
}

static void ex_recv(struct exp *e, const struct cv_event *ev)
{
	char args[160];
	uint64_t t1 = ev->ts, t0 = enter_of(ev->recv.enter_ts, t1), cp = ev->recv.copy_ts;
	bool eagain = ev->recv.ret == -CV_EAGAIN;
	snprintf(args, sizeof(args), "\"fd\":%u,\"ret\":%" PRId64 ",\"blocked\":%s%s", ev->recv.fd,
		 (int64_t)ev->recv.ret, ev->flags & CV_CALL_BLOCKED ? "true" : "false",
		 eagain ? ",\"eagain\":true" : "");
	emit_x(e, sys_name(ev->recv.sys, "recv"), "recv", ev->pid, ev->tid, t0, t1, args);
	if (!eagain && cp && cp >= t0 && cp <= t1) {
		emit_x(e, "wait for data", "recv", ev->pid, ev->tid, t0, cp, NULL);
		emit_x(e, "copy data", "recv", ev->pid, ev->tid, cp, t1, NULL);
	}
}

static void ex_mux(struct exp *e, const struct cv_event *ev)
{
	char args[160];
	snprintf(args, sizeof(args), "\"ret\":%" PRId64 ",\"nfds\":%u,\"timeout_ms\":%" PRId64
		 ",\"blocked\":%s", (int64_t)ev->mux.ret, ev->mux.nfds, (int64_t)ev->mux.timeout_ms,
		 ev->flags & CV_CALL_BLOCKED ? "true" : "false");
	emit_x(e, sys_name(ev->mux.sys, "multiplexer"), "mux", ev->pid, ev->tid,
	       enter_of(ev->mux.enter_ts, ev->ts), ev->ts, args);
}

static void tid_or_null(char *buf, size_t n, uint32_t tid)
{
	if (tid)
		snprintf(buf, n, "%u", tid);
	else
		snprintf(buf, n, "null");
}

static void ex_futex(struct exp *e, const struct cv_event *ev)
{
	char name[64], args[256], owner[16], waker[16];
	const struct cv_lock *l = cv_model_find_lock(e->m, ev->pid, ev->futex.addr);
	snprintf(name, sizeof(name), "0x%" PRIx64, (uint64_t)ev->futex.addr);
	tid_or_null(owner, sizeof(owner), ev->futex.owner_tid);
	tid_or_null(waker, sizeof(waker), ev->futex.waker_tid);
	snprintf(args, sizeof(args), "\"addr\":\"0x%" PRIx64 "\",\"owner\":%s,\"waker\":%s,\"ret\":%"
		 PRId64 ",\"op\":%u,\"blocked\":%s,\"mutex\":%s", (uint64_t)ev->futex.addr, owner, waker,
		 (int64_t)ev->futex.ret, ev->futex.op, ev->flags & CV_CALL_BLOCKED ? "true" : "false",
		 ev->flags & CV_CALL_IS_MUTEX ? "true" : "false");
	emit_x(e, l && l->name && l->name[0] ? l->name : name, "lock", ev->pid, ev->tid,
	       enter_of(ev->futex.enter_ts, ev->ts), ev->ts, args);
}

static void ex_uring_enter(struct exp *e, const struct cv_event *ev)
{
	char args[160];
	snprintf(args, sizeof(args), "\"to_submit\":%u,\"min_complete\":%u,\"ret\":%" PRId64,
		 ev->uenter.to_submit, ev->uenter.min_complete, (int64_t)ev->uenter.ret);
	emit_x(e, "io_uring_enter", "uring", ev->pid, ev->tid, enter_of(ev->uenter.enter_ts, ev->ts),
	       ev->ts, args);
}

static void ex_uring_complete(struct exp *e, const struct cv_event *ev)
{
	FILE *f = e->out;
	uint64_t t0 = ev->ucomplete.submit_ts;
	const char *name = uring_op_or(ev->ucomplete.opcode);
	if (!t0 || t0 > ev->ts) {
		next_event(e);
		fputs("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"io_uring\",\"name\":", f);
		cv_json_string(f, name);
		fprintf(f, ",\"pid\":%u,\"tid\":%u,\"ts\":", ev->pid, ev->tid);
		put_us(f, ev->ts);
		fprintf(f, ",\"args\":{\"res\":%d,\"submit_seen\":false}}", ev->ucomplete.res);
		return;
	}
	uint64_t id = ++e->async_id;
	next_event(e);
	fputs("{\"ph\":\"b\",\"cat\":\"io_uring\",\"name\":", f);
	cv_json_string(f, name);
	fprintf(f, ",\"id\":\"0x%" PRIx64 "\",\"pid\":%u,\"tid\":%u,\"ts\":", id, ev->pid, ev->tid);
	put_us(f, t0);
	fprintf(f, ",\"args\":{\"user_data\":\"0x%" PRIx64 "\",\"opcode\":%u}}",
		(uint64_t)ev->ucomplete.user_data, ev->ucomplete.opcode);
	next_event(e);
	fputs("{\"ph\":\"e\",\"cat\":\"io_uring\",\"name\":", f);
	cv_json_string(f, name);
	fprintf(f, ",\"id\":\"0x%" PRIx64 "\",\"pid\":%u,\"tid\":%u,\"ts\":", id, ev->pid, ev->tid);
	put_us(f, ev->ts);
	fprintf(f, ",\"args\":{\"res\":%d,\"done_tid\":%u}}", ev->ucomplete.res, ev->ucomplete.done_tid);
}

static void ex_wakeup(struct exp *e, const struct cv_event *ev)
{
	FILE *f = e->out;
	uint32_t wtid = ev->wake.waker_tid;
	if (!wtid || wtid == ev->tid)
		return;
	const struct cv_thread *w = cv_model_find_thread(e->m, wtid);
	if (!w || w->exited)
		return;
	uint32_t wpid = ev->wake.waker_pid ? ev->wake.waker_pid : w->pid;
	uint64_t ts = ev->ts < 1 ? 1 : ev->ts;
	char args[64];
	snprintf(args, sizeof(args), "\"wakee\":%u", ev->tid);
	/* the flow start binds to an enclosing slice on the waker's track */
	emit_x(e, "wake", "wakeup", wpid, wtid, ts - 1, ts + 1, args);
	uint64_t id = ++e->flow_id;
	next_event(e);
	fprintf(f, "{\"ph\":\"s\",\"id\":%" PRIu64 ",\"name\":\"wakeup\",\"cat\":\"wakeup\",\"pid\":%u,"
		"\"tid\":%u,\"ts\":", id, wpid, wtid);
	put_us(f, ts);
	fputs("}", f);
	next_event(e);
	fprintf(f, "{\"ph\":\"f\",\"bp\":\"e\",\"id\":%" PRIu64 ",\"name\":\"wakeup\",\"cat\":\"wakeup\","
		"\"pid\":%u,\"tid\":%u,\"ts\":", id, ev->pid, ev->tid);
	put_us(f, ts);
	fputs("}", f);
}

static void ex_lost(struct exp *e, const struct cv_event *ev)
{
	next_event(e);
	fprintf(e->out, "{\"ph\":\"i\",\"s\":\"g\",\"cat\":\"concviz\",\"name\":\"dropped %" PRIu64
		" events\",\"pid\":%u,\"tid\":%u,\"ts\":", (uint64_t)ev->lost.count, ev->pid, ev->tid);
	put_us(e->out, ev->ts);
	fputs("}", e->out);
}

static void ex_event(struct exp *e, const struct cv_event *ev)
{
	switch (ev->type) {
	case CV_EV_RECV: ex_recv(e, ev); break;
	case CV_EV_MUX: ex_mux(e, ev); break;
	case CV_EV_FUTEX: ex_futex(e, ev); break;
	case CV_EV_URING_ENTER: ex_uring_enter(e, ev); break;
	case CV_EV_URING_COMPLETE: ex_uring_complete(e, ev); break;
	case CV_EV_WAKEUP: ex_wakeup(e, ev); break;
	case CV_EV_LOST: ex_lost(e, ev); break;
	default: break;
	}
}

/* ---- metadata ------------------------------------------------------------ */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void emit_meta(struct exp *e, const char *what, uint32_t pid, uint32_t tid, const char *name, size_t max)
{
	next_event(e);
	fprintf(e->out, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":", what, pid, tid);
	cv_json_strn(e->out, name, max);
	fputs("}}", e->out);
}

static void ex_metadata(struct exp *e)
{
	size_t n = cv_model_thread_count(e->m);
	uint32_t *pids = malloc((n ? n : 1) * sizeof(*pids));
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cv_thread *t = cv_model_thread(e->m, i);
		emit_meta(e, "thread_name", t->pid, t->tid, t->comm, CV_COMM_LEN);
		if (pids)
			pids[np++] = t->pid;
	}
	if (!pids)
		return;
	qsort(pids, np, sizeof(*pids), cmp_u32);
	for (size_t i = 0; i < np; i++) {
		if (i && pids[i] == pids[i - 1])
			continue;
		const struct cv_thread *t = cv_model_find_thread(e->m, pids[i]);
		if (!t || t->pid != pids[i]) {
			for (size_t k = 0; k < n; k++) {
				t = cv_model_thread(e->m, k);
				if (t->pid == pids[i])
					break;
			}
		}
		emit_meta(e, "process_name", pids[i], pids[i], t->comm, CV_COMM_LEN);
	}
	free(pids);
}

static void ex_other(struct exp *e, const struct cv_rec_header *h, bool bad)
{
	FILE *f = e->out;
	int code = 0;
	bool exited = cv_model_target_exited(e->m, &code);
	fprintf(f, "\"otherData\":{\"concviz_format\":%u,\"concviz_version\":", h->version);
	cv_json_string(f, h->concviz_version);
	fputs(",\"hostname\":", f);
	cv_json_string(f, h->hostname);
	fputs(",\"kernel\":", f);
	cv_json_string(f, h->kernel);
	fputs(",\"command\":", f);
	cv_json_string(f, cv_model_target_command(e->m));
	fprintf(f, ",\"target_pid\":%u,\"clock_boottime_ns\":%" PRIu64 ",\"clock_realtime_ns\":%" PRIu64
		",\"trace_start_ns\":%" PRIu64 ",\"events\":%" PRIu64 ",\"dropped_events\":%" PRIu64,
		cv_model_target_pid(e->m), h->clock_boot_ns, h->clock_real_ns, cv_model_start(e->m),
		cv_model_events(e->m), cv_model_dropped(e->m));
	if (exited)
		fprintf(f, ",\"target_exit_code\":%d", code);
	else
		fputs(",\"target_exit_code\":null", f);
	if (cv_model_target_signal(e->m)) {
		char sig[24];
		fprintf(f, ",\"target_exit_signal\":\"%s\"",
			cv_signal_name(cv_model_target_signal(e->m), sig, sizeof(sig)));
	}
	fprintf(f, ",\"incomplete\":%s}", bad ? "true" : "false");
}

/* ---- driver -------------------------------------------------------------- */

/* The feed's on_event: the event's slices, once the records after it (its
 * lock's name) are applied.  false once out fails: stop reading. */
static bool on_event(void *ctx, const struct cv_event *ev)
{
	struct exp *e = ctx;

	ex_event(e, ev);
	e->ended |= ev->type == CV_EV_END;
	e->any = true;
	return !ferror(e->out);
}

/* After the last event: close the states still open (no END: a killed
 * recorder, a truncated file), then the metadata and the closing members. */
static void ex_finish(struct exp *e, const struct cv_rec_header *h, bool incomplete)
{
	if (!e->ended && e->any) {
		struct cv_event end = { .ts = cv_model_now(e->m), .type = CV_EV_END };
		cv_model_feed(e->m, &end);
	}
	ex_metadata(e);
	fputs("\n],\n\"displayTimeUnit\":\"ns\",\n", e->out);
	ex_other(e, h, incomplete);
	fputs("}\n", e->out);
}

int cv_export_chrome(struct cv_rec_reader *r, FILE *out, char *err, size_t errlen)
{
	struct exp e = { .out = out, .first = true };
	struct cv_model_hooks hooks = { .ctx = &e, .on_segment = on_segment };
	struct cv_rec_feed feed;

	e.m = cv_model_new(&hooks);
	if (!e.m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cv_rec_feed_init(&feed, r, e.m);
	feed.on_event = on_event;
	feed.ctx = &e;
	fputs("{\"traceEvents\":[\n", out);
	cv_rec_feed_until(&feed, UINT64_MAX);
	ex_finish(&e, cv_rec_header(r), feed.error[0] != 0);
	cv_model_free(e.m);
	if (ferror(out)) {
		snprintf(err, errlen, "write error: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	if (feed.error[0]) {
		snprintf(err, errlen, "%s", feed.error);
		return 1;
	}
	return 0;
}
