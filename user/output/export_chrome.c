/* export_chrome.c — stream a recording out as Chrome Trace Event JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/export_chrome.h"
#include "common/err.h"
#include "common/json.h"
#include "common/names.h"
#include "model/model.h"
#include "record/recfile.h"

/* Every timestamp and duration is a multiple of this many ns: printed in µs
 * with 3 decimals it is exact in binary floating point (0.125 µs = 2^-3), so
 * an importer that adds ts + dur in doubles (speedscope) finds a slice's end
 * exactly where the next one starts; with arbitrary ns it is off by an ulp
 * about half the time and back-to-back slices mis-nest.  Perfetto reads the
 * same ns values back exactly. */
#define GRID_NS 125u
/* State slices of one thread held back, waiting for the syscall whose enter
 * may contradict them (see syscall_seen). */
#define PEND_MAX 32u

struct pend {
	uint64_t t0, t1;
	enum cv_state st;
	bool cpu_before;            /* the thread was on a CPU since the previous one ended */
};

struct xthr {                   /* the export's side of one model thread */
	const struct cv_thread *t;
	struct pend ring[PEND_MAX]; /* its state slices not yet written, oldest first */
	unsigned head, n;
	struct pend held;           /* the last one out of the ring, written once the next */
	bool has_held;              /* one is known not to continue it */
	uint64_t last_cpu;          /* the latest instant it was seen on a CPU (syscall_seen) */
	bool used;                  /* it has events in the output: name it */
	bool flow;                  /* a wakeup arrow waits for the runnable slice at flow_t0 */
	uint64_t flow_t0, flow_s;   /* … and starts on the waker's "wake" slice at flow_s */
	uint32_t waker_tid, waker_pid;
	bool has_anchor;
	uint64_t anchor;            /* start of its latest "wake" slice */
};

struct exp {
	FILE *out;
	struct cv_model *m;
	bool first;
	bool any, ended;            /* events seen; one of them was END */
	bool nomem;
	uint64_t flow_id, async_id, clipped;
	struct xthr **tab;          /* open addressing by thread pointer; cap a power of 2 */
	size_t cap, n;
};

/* ---- per-thread state ---------------------------------------------------- */

static size_t slot_of(const struct cv_thread *t, size_t cap)
{
	return (size_t)(((uint64_t)(uintptr_t)t * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static struct xthr *xthr_find(const struct exp *e, const struct cv_thread *t)
{
	if (!t || !e->cap)
		return NULL;
	for (size_t i = slot_of(t, e->cap);; i = (i + 1) & (e->cap - 1)) {
		if (!e->tab[i] || e->tab[i]->t == t)
			return e->tab[i];
	}
}

static void xthr_put(struct xthr **tab, size_t cap, struct xthr *x)
{
	size_t i = slot_of(x->t, cap);

	while (tab[i])
		i = (i + 1) & (cap - 1);
	tab[i] = x;
}

/* The export's record of t, made on first use; NULL (and e->nomem) if out
 * of memory, which ends the export. */
static struct xthr *xthr_of(struct exp *e, const struct cv_thread *t)
{
	struct xthr *x = xthr_find(e, t);

	if (x || !t)
		return x;
	if ((e->n + 1) * 2 > e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 64;
		struct xthr **n = calloc(ncap, sizeof(*n));
		if (!n) {
			e->nomem = true;
			return NULL;
		}
		for (size_t i = 0; i < e->cap; i++)
			if (e->tab[i])
				xthr_put(n, ncap, e->tab[i]);
		free(e->tab);
		e->tab = n;
		e->cap = ncap;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		e->nomem = true;
		return NULL;
	}
	x->t = t;
	xthr_put(e->tab, e->cap, x);
	e->n++;
	return x;
}

static struct xthr *xthr_tid(struct exp *e, uint32_t tid)
{
	return xthr_of(e, cv_model_find_thread(e->m, tid));
}

/* ---- JSON output --------------------------------------------------------- */

/* ns -> the nearest grid point */
static uint64_t grid(uint64_t ns)
{
	return (ns + GRID_NS / 2) / GRID_NS * GRID_NS;
}

/* ns (on the grid) -> µs with 3 decimals, exact. */
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

/* {"ph":"X",…} on x's track from t0 to t1 on the grid; args is a JSON object
 * body (without braces) or NULL.  A slice that rounds to nothing is left out,
 * or with at_least_one made one grid step long (a syscall stays visible and
 * countable; no slice on the grid can end inside a grid step, so this never
 * makes slices overlap).  Returns whether it was written. */
static bool emit_x(struct exp *e, struct xthr *x, const char *name, const char *cat, uint32_t pid,
		   uint32_t tid, uint64_t t0, uint64_t t1, const char *args, bool at_least_one)
{
	FILE *f = e->out;
	uint64_t a = grid(t0), b = grid(t1 > t0 ? t1 : t0);
	if (b <= a) {
		if (!at_least_one)
			return false;
		b = a + GRID_NS;
	}
	next_event(e);
	fputs("{\"ph\":\"X\",\"name\":", f);
	cv_json_string(f, name);
	fprintf(f, ",\"cat\":\"%s\",\"pid\":%u,\"tid\":%u,\"ts\":", cat, pid, tid);
	put_us(f, a);
	fputs(",\"dur\":", f);
	put_us(f, b - a);
	if (args)
		fprintf(f, ",\"args\":{%s}", args);
	putc('}', f);
	if (x)
		x->used = true;
	return true;
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

/* ---- state slices -------------------------------------------------------- */

/* The wakeup arrow that waits on x's runnable slice: from the waker's "wake"
 * slice to the runnable slice, each end at its slice's start. */
static void emit_flow(struct exp *e, struct xthr *x)
{
	FILE *f = e->out;
	uint64_t id = ++e->flow_id;

	next_event(e);
	fprintf(f, "{\"ph\":\"s\",\"id\":%" PRIu64 ",\"name\":\"wakeup\",\"cat\":\"wakeup\",\"pid\":%u,"
		"\"tid\":%u,\"ts\":", id, x->waker_pid, x->waker_tid);
	put_us(f, x->flow_s);
	fputs("}", f);
	next_event(e);
	fprintf(f, "{\"ph\":\"f\",\"bp\":\"e\",\"id\":%" PRIu64 ",\"name\":\"wakeup\",\"cat\":\"wakeup\","
		"\"pid\":%u,\"tid\":%u,\"ts\":", id, x->t->pid, x->t->tid);
	put_us(f, grid(x->flow_t0));
	fputs("}", f);
}

static void write_held(struct exp *e, struct xthr *x)
{
	if (x->has_held)
		emit_x(e, x, cv_state_name(x->held.st), "state", x->t->pid, x->t->tid, x->held.t0,
		       x->held.t1, NULL, false);
	x->has_held = false;
}

/* Move x's oldest pending state slice out of the ring, with its wakeup arrow
 * if it is the runnable slice one waits for (none if it rounds to nothing).
 * It is held back, not written: the next slice of the same state that
 * starts where it ends on the grid, with no on-CPU instant between them,
 * is merged into it.  (speedscope nests a slice that starts where one of the
 * same name ends inside it; a lost switch-in can make the model close a
 * state and open the same one again at once.) */
static void take_oldest(struct exp *e, struct xthr *x)
{
	struct pend p = x->ring[x->head];
	bool empty = grid(p.t1) <= grid(p.t0);

	x->head = (x->head + 1) % PEND_MAX;
	x->n--;
	if (x->flow && p.t0 >= x->flow_t0) {
		if (!empty && p.t0 == x->flow_t0 && p.st == CV_ST_RUNNABLE)
			emit_flow(e, x);
		x->flow = false;
	}
	if (x->has_held && x->held.st == p.st && !p.cpu_before && grid(x->held.t1) >= grid(p.t0)) {
		x->held.t1 = p.t1;
		return;
	}
	write_held(e, x);
	if (empty)
		return;
	x->held = p;
	x->has_held = true;
}

/* Write x's pending state slices that end by ts (UINT64_MAX: all of them). */
static void flush_until(struct exp *e, struct xthr *x, uint64_t ts)
{
	while (x->n && x->ring[x->head].t1 <= ts)
		take_oldest(e, x);
	if (ts == UINT64_MAX)
		write_held(e, x);
}

/* The model's hook: a closed segment.  RUNNING is the gap between slices. */
static void on_segment(void *ctx, const struct cv_thread *t, enum cv_state st, uint64_t t0, uint64_t t1)
{
	struct exp *e = ctx;
	struct xthr *x;

	if (st == CV_ST_RUNNING || t1 <= t0 || !(x = xthr_of(e, t)))
		return;
	if (x->n == PEND_MAX)
		take_oldest(e, x);
	uint64_t prev_end = x->n ? x->ring[(x->head + x->n - 1) % PEND_MAX].t1
			  : x->has_held ? x->held.t1 : 0;
	x->ring[(x->head + x->n) % PEND_MAX] = (struct pend){
		.t0 = t0, .t1 = t1, .st = st, .cpu_before = x->last_cpu && x->last_cpu >= prev_end,
	};
	x->n++;
}

/* Cut p where the thread was on a CPU at ts, if it spans ts. */
static void clip_at(struct exp *e, struct pend *p, uint64_t ts)
{
	if (ts && p->t0 < ts && ts < p->t1) {
		p->t1 = ts;
		e->clipped++;
	}
}

/* x made a syscall from t0 to t1 (its copy began at cp, 0: no copy): it was
 * on a CPU at those instants, so no state slice of it spans one.  The model
 * can say otherwise when a switch-in went unrecorded: it repairs the state
 * at the thread's next own event (a syscall's exit, an io_uring submit, a
 * switch-out), which may come after the syscall's enter, and its segments are
 * final by then.  Such a slice is cut where the thread is known to have run
 * (counted in metadata.state_slices_clipped), so that slices nest.  Then
 * the slices that end by the exit are written: no later syscall can start
 * before it. */
static void syscall_seen(struct exp *e, struct xthr *x, uint64_t t0, uint64_t cp, uint64_t t1)
{
	const uint64_t at[3] = { t0, cp, t1 };

	for (unsigned k = 0; k < 3; k++) {
		bool marked = false;
		if (x->has_held)
			clip_at(e, &x->held, at[k]);
		for (unsigned i = 0; i < x->n; i++) {
			struct pend *p = &x->ring[(x->head + i) % PEND_MAX];
			clip_at(e, p, at[k]);
			if (at[k] && !marked && p->t0 >= at[k])
				p->cpu_before = marked = true;
		}
	}
	if (t1 > x->last_cpu)
		x->last_cpu = t1;
	flush_until(e, x, t1);
}

/* ---- event slices -------------------------------------------------------- */

/* A call's slice starts at its enter_ts: the enter in recordings made
 * with a sys_enter probe, the first block since (the part before was CPU
 * time), 0 when not seen (it did not block, or was in flight at attach):
 * then the slice is its exit's one grid step.  A receive's copy can come
 * before its first block (MSG_WAITALL) or without one: its slice starts at
 * the earlier of the two. */
static uint64_t enter_of(uint64_t enter, uint64_t exit)
{
	return enter && enter <= exit ? enter : exit;
}

/* "ret":N of a call's slice.  An exit a signal interrupted has a restart
 * code, never a program's result: "ret":null,"signal":"interrupted"; the
 * part the kernel restarted it as adds "signal":"restarted". */
static const char *ret_arg(char *buf, size_t n, const struct exp *e, const struct cv_event *ev,
			   int64_t ret)
{
	if (cv_is_restart_code(ret))
		snprintf(buf, n, "\"ret\":null,\"signal\":\"interrupted\"");
	else
		snprintf(buf, n, "\"ret\":%" PRId64 "%s", ret,
			 cv_model_call_signal(e->m, ev) == CV_CALLSIG_RESTARTED ? ",\"signal\":\"restarted\"" : "");
	return buf;
}

static void ex_recv(struct exp *e, struct xthr *x, const struct cv_event *ev)
{
	char args[200], ret[64];
	uint64_t t1 = ev->ts, t0 = enter_of(ev->recv.enter_ts, t1), cp = ev->recv.copy_ts;
	if (cp && cp < t0)
		t0 = cp;
	bool eagain = ev->recv.ret == -CV_EAGAIN;
	bool copied = !eagain && cp && cp >= t0 && cp <= t1;
	syscall_seen(e, x, t0, copied ? cp : 0, t1);
	/* an accept is a RECV event too: its own category, no kind */
	bool acc = CV_SYS_IS_ACCEPT(ev->recv.sys);
	snprintf(args, sizeof(args), "\"fd\":%u,%s,\"blocked\":%s%s%s%s%s",
		 ev->recv.fd, ret_arg(ret, sizeof(ret), e, ev, ev->recv.ret),
		 ev->flags & CV_CALL_BLOCKED ? "true" : "false",
		 eagain ? ",\"eagain\":true" : "", acc ? "" : ",\"kind\":\"",
		 acc ? "" : cv_recv_kind_name(cv_recv_kind_of(ev->recv.sys, ev->flags)), acc ? "" : "\"");
	emit_x(e, x, sys_name(ev->recv.sys, "recv"), acc ? "accept" : "recv", ev->pid, ev->tid, t0,
	       t1, args, true);
	if (copied) {
		emit_x(e, x, "wait for data", "recv", ev->pid, ev->tid, t0, cp, NULL, false);
		emit_x(e, x, "copy data", "recv", ev->pid, ev->tid, cp, t1, NULL, false);
	}
}

static void ex_mux(struct exp *e, struct xthr *x, const struct cv_event *ev)
{
	char args[200], ret[64];
	uint64_t t0 = enter_of(ev->mux.enter_ts, ev->ts);
	syscall_seen(e, x, t0, 0, ev->ts);
	snprintf(args, sizeof(args), "%s,\"nfds\":%u,\"timeout_ms\":%" PRId64
		 ",\"blocked\":%s", ret_arg(ret, sizeof(ret), e, ev, ev->mux.ret), ev->mux.nfds,
		 (int64_t)ev->mux.timeout_ms,
		 ev->flags & CV_CALL_BLOCKED ? "true" : "false");
	emit_x(e, x, sys_name(ev->mux.sys, "multiplexer"), "mux", ev->pid, ev->tid, t0, ev->ts, args, true);
}

/* The descriptors a multiplexer call returned ready: an instant at the call's
 * end on its thread, each fd with what it names in args (epoll: the fds are
 * the events' registered data). */
static void ex_mux_ready(struct exp *e, struct xthr *x, const struct cv_event *ev)
{
	FILE *f = e->out;
	unsigned n = ev->mux_ready.n < CV_MUX_READY_MAX ? ev->mux_ready.n : CV_MUX_READY_MAX;
	uint64_t unlisted = (uint64_t)ev->mux_ready.overflow + (ev->mux_ready.n - n);

	next_event(e);
	fprintf(f, "{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"mux\",\"name\":\"ready: %u fd%s\",\"pid\":%u,"
		"\"tid\":%u,\"ts\":", n, n == 1 ? "" : "s", ev->pid, ev->tid);
	put_us(f, grid(ev->ts));
	fprintf(f, ",\"args\":{\"unlisted\":%" PRIu64 ",\"epoll_data\":%s,\"fds\":[", unlisted,
		ev->flags & CV_MUXR_EPOLL ? "true" : "false");
	for (unsigned i = 0; i < n; i++) {
		const struct cv_fd_desc *d = cv_model_fd_now(e->m, ev->pid, ev->mux_ready.fd[i]);
		fprintf(f, "%s{\"fd\":%u,\"desc\":", i ? "," : "", ev->mux_ready.fd[i]);
		if (d)
			cv_json_string(f, d->desc);
		else
			fputs("null", f);
		putc('}', f);
	}
	fputs("]}}", f);
	x->used = true;
}

static void tid_or_null(char *buf, size_t n, uint32_t tid)
{
	if (tid)
		snprintf(buf, n, "%u", tid);
	else
		snprintf(buf, n, "null");
}

static void ex_futex(struct exp *e, struct xthr *x, const struct cv_event *ev)
{
	char name[64], args[360], owner[16], waker[16], ret[64];
	uint64_t obj = ev->futex.addr - ev->futex.obj_off; /* the lock object */
	const struct cv_lock *l = cv_model_find_lock(e->m, ev->pid, obj);
	uint64_t t0 = enter_of(ev->futex.enter_ts, ev->ts);
	syscall_seen(e, x, t0, 0, ev->ts);
	snprintf(name, sizeof(name), "0x%" PRIx64, obj);
	tid_or_null(owner, sizeof(owner), ev->futex.owner_tid);
	tid_or_null(waker, sizeof(waker), ev->futex.waker_tid);
	snprintf(args, sizeof(args), "\"addr\":\"0x%" PRIx64 "\",\"owner\":%s,\"waker\":%s,%s"
		 ",\"op\":%u,\"blocked\":%s,\"mutex\":%s", (uint64_t)ev->futex.addr, owner, waker,
		 ret_arg(ret, sizeof(ret), e, ev, ev->futex.ret), ev->futex.op, ev->flags & CV_CALL_BLOCKED ? "true" : "false",
		 ev->flags & CV_CALL_IS_MUTEX ? "true" : "false");
	snprintf(args + strlen(args), sizeof(args) - strlen(args), ",\"kind\":\"%s\",\"object\":\"0x%"
		 PRIx64 "\"", cv_lock_kind_name(l ? (enum cv_lock_kind)l->kind
						  : (enum cv_lock_kind)ev->futex.kind), obj);
	emit_x(e, x, l && l->name && l->name[0] ? l->name : name, "lock", ev->pid, ev->tid, t0, ev->ts,
	       args, true);
}

static void ex_uring_enter(struct exp *e, struct xthr *x, const struct cv_event *ev)
{
	char args[200], ret[64];
	uint64_t t0 = enter_of(ev->uenter.enter_ts, ev->ts);
	syscall_seen(e, x, t0, 0, ev->ts);
	snprintf(args, sizeof(args), "\"to_submit\":%u,\"min_complete\":%u,%s",
		 ev->uenter.to_submit, ev->uenter.min_complete,
		 ret_arg(ret, sizeof(ret), e, ev, ev->uenter.ret));
	emit_x(e, x, "io_uring_enter", "uring", ev->pid, ev->tid, t0, ev->ts, args, true);
}

/* A request from submit to completion: an async slice on a track of the
 * submitting process (id2.local: Perfetto scopes the id to the pid and puts
 * the track under the process, not on the global legacy async tracks). */
static void ex_uring_complete(struct exp *e, struct xthr *x, const struct cv_event *ev)
{
	FILE *f = e->out;
	uint64_t t0 = ev->ucomplete.submit_ts;
	const char *name = uring_op_or(ev->ucomplete.opcode);
	if (x)
		x->used = true;
	if (!t0 || t0 > ev->ts) {
		next_event(e);
		fputs("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"io_uring\",\"name\":", f);
		cv_json_string(f, name);
		fprintf(f, ",\"pid\":%u,\"tid\":%u,\"ts\":", ev->pid, ev->tid);
		put_us(f, grid(ev->ts));
		fprintf(f, ",\"args\":{\"res\":%d,\"submit_seen\":false}}", ev->ucomplete.res);
		return;
	}
	uint64_t id = ++e->async_id;
	next_event(e);
	fputs("{\"ph\":\"b\",\"cat\":\"io_uring\",\"name\":", f);
	cv_json_string(f, name);
	fprintf(f, ",\"id2\":{\"local\":\"0x%" PRIx64 "\"},\"pid\":%u,\"tid\":%u,\"ts\":", id, ev->pid,
		ev->tid);
	put_us(f, grid(t0));
	fprintf(f, ",\"args\":{\"user_data\":\"0x%" PRIx64 "\",\"opcode\":%u}}",
		(uint64_t)ev->ucomplete.user_data, ev->ucomplete.opcode);
	next_event(e);
	fputs("{\"ph\":\"e\",\"cat\":\"io_uring\",\"name\":", f);
	cv_json_string(f, name);
	fprintf(f, ",\"id2\":{\"local\":\"0x%" PRIx64 "\"},\"pid\":%u,\"tid\":%u,\"ts\":", id, ev->pid,
		ev->tid);
	put_us(f, grid(ev->ts));
	fprintf(f, ",\"args\":{\"res\":%d,\"done_tid\":%u}}", ev->ucomplete.res, ev->ucomplete.done_tid);
}

/* A traced thread woke x: the arrow goes from a one-step "wake" slice on the
 * waker's track to x's runnable slice, both starting where the runnable
 * state did, once that slice is written (take_oldest).  Wakeups that did not
 * make x runnable (it was on a CPU or already runnable) draw nothing.  A
 * waker's "wake" slices never touch: one that would start in or right after
 * the previous one shares it (speedscope nests a slice that starts where
 * one of the same name ends), one right before it is left out with its
 * arrow. */
static void ex_wakeup(struct exp *e, const struct cv_event *ev)
{
	uint32_t wtid = ev->wake.waker_tid;
	const struct cv_thread *t = cv_model_find_thread(e->m, ev->tid), *w;
	if (!wtid || wtid == ev->tid || !t || t->exited || t->state != CV_ST_RUNNABLE ||
	    t->state_since < ev->ts)
		return;
	w = cv_model_find_thread(e->m, wtid);
	if (!w || w->exited)
		return;
	struct xthr *x = xthr_of(e, t), *xw = xthr_of(e, w);
	if (!x || !xw)
		return;
	uint32_t wpid = ev->wake.waker_pid ? ev->wake.waker_pid : w->pid;
	uint64_t at = grid(t->state_since), s = at;
	if (xw->has_anchor && at >= xw->anchor && at <= xw->anchor + GRID_NS) {
		s = xw->anchor;
	} else if (xw->has_anchor && at + GRID_NS == xw->anchor) {
		return;
	} else {
		emit_x(e, xw, "wake", "wakeup", wpid, wtid, at, at + GRID_NS, NULL, false);
		if (!xw->has_anchor || at > xw->anchor)
			xw->anchor = at;
		xw->has_anchor = true;
	}
	x->flow = true;
	x->flow_t0 = t->state_since;
	x->flow_s = s;
	x->waker_tid = wtid;
	x->waker_pid = wpid;
}

/* Dropped events: a global instant, filed under the target's thread (a
 * track that is named) or else the first thread. */
static void ex_lost(struct exp *e, const struct cv_event *ev)
{
	const struct cv_thread *t = cv_model_find_thread(e->m, cv_model_target_pid(e->m));
	if (!t && cv_model_thread_count(e->m))
		t = cv_model_thread(e->m, 0);
	struct xthr *x = xthr_of(e, t);
	if (x)
		x->used = true;
	next_event(e);
	enum cv_lost_where w = ev->lost.where < CV_LOST_WHERE_COUNT ? (enum cv_lost_where)ev->lost.where
								   : CV_LOST_UNKNOWN;
	fprintf(e->out, "{\"ph\":\"i\",\"s\":\"g\",\"cat\":\"concviz\",\"name\":\"dropped %" PRIu64
		" events (%s)\",\"pid\":%u,\"tid\":%u,\"ts\":", (uint64_t)ev->lost.count,
		cv_lost_where_text(w), t ? t->pid : 0, t ? t->tid : 0);
	put_us(e->out, grid(ev->ts));
	fprintf(e->out, ",\"args\":{\"count\":%" PRIu64 ",\"where\":\"%s\"}}", (uint64_t)ev->lost.count,
		cv_lost_where_name(w));
}

static void flush_all(struct exp *e)
{
	for (size_t i = 0; i < e->cap; i++)
		if (e->tab[i])
			flush_until(e, e->tab[i], UINT64_MAX);
}

static void ex_event(struct exp *e, const struct cv_event *ev)
{
	struct xthr *x;

	switch (ev->type) {
	case CV_EV_RECV:
	case CV_EV_MUX:
	case CV_EV_FUTEX:
	case CV_EV_URING_ENTER:
		if (!(x = xthr_tid(e, ev->tid)))
			return;
		if (ev->type == CV_EV_RECV)
			ex_recv(e, x, ev);
		else if (ev->type == CV_EV_MUX)
			ex_mux(e, x, ev);
		else if (ev->type == CV_EV_FUTEX)
			ex_futex(e, x, ev);
		else
			ex_uring_enter(e, x, ev);
		break;
	case CV_EV_MUX_READY:
		if ((x = xthr_tid(e, ev->tid)))
			ex_mux_ready(e, x, ev);
		break;
	case CV_EV_URING_COMPLETE: ex_uring_complete(e, xthr_tid(e, ev->tid), ev); break;
	case CV_EV_WAKEUP: ex_wakeup(e, ev); break;
	case CV_EV_LOST: ex_lost(e, ev); break;
	case CV_EV_EXIT:
		if ((x = xthr_tid(e, ev->tid)))
			flush_until(e, x, UINT64_MAX);
		break;
	case CV_EV_END: flush_all(e); break;
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

/* thread_name for every thread with events in the output (one that only ran
 * has none: it would be an empty track), process_name for their processes */
static void ex_names(struct exp *e)
{
	size_t n = cv_model_thread_count(e->m);
	uint32_t *pids = malloc((n ? n : 1) * sizeof(*pids));
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cv_thread *t = cv_model_thread(e->m, i);
		const struct xthr *x = xthr_find(e, t);
		if (!x || !x->used)
			continue;
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

/* The trace's metadata as "key":{…}: flat members only (Perfetto keeps each
 * as json_metadata.<member> in its metadata table; null ones it drops). */
static void ex_trace_meta(struct exp *e, const char *key, const struct cv_rec_header *h, bool bad)
{
	FILE *f = e->out;
	int code = 0;
	bool exited = cv_model_target_exited(e->m, &code);
	fprintf(f, "\"%s\":{\"concviz_format\":%u,\"concviz_version\":", key, h->version);
	cv_json_string(f, h->concviz_version);
	fputs(",\"hostname\":", f);
	cv_json_string(f, h->hostname);
	fputs(",\"kernel\":", f);
	cv_json_string(f, h->kernel);
	fputs(",\"command\":", f);
	cv_json_string(f, cv_model_target_command(e->m));
	fprintf(f, ",\"target_pid\":%u,\"clock_boottime_ns\":%" PRIu64 ",\"clock_realtime_ns\":%" PRIu64
		",\"trace_start_ns\":%" PRIu64 ",\"events\":%" PRIu64 ",\"dropped_events\":%" PRIu64
		",\"model_out_of_memory\":%" PRIu64,
		cv_model_target_pid(e->m), h->clock_boot_ns, h->clock_real_ns, cv_model_start(e->m),
		cv_model_events(e->m), cv_model_dropped(e->m), cv_model_nomem(e->m));
	for (int i = 1; i <= CV_LOST_WHERE_COUNT; i++) { /* ring, memory, then unknown */
		enum cv_lost_where w = (enum cv_lost_where)(i % CV_LOST_WHERE_COUNT);
		fprintf(f, ",\"dropped_%s\":%" PRIu64, cv_lost_where_name(w), cv_model_dropped_where(e->m, w));
	}
	if (exited)
		fprintf(f, ",\"target_exit_code\":%d", code);
	else
		fputs(",\"target_exit_code\":null", f);
	if (cv_model_target_signal(e->m)) {
		char sig[24];
		fprintf(f, ",\"target_exit_signal\":\"%s\"",
			cv_signal_name(cv_model_target_signal(e->m), sig, sizeof(sig)));
	}
	fprintf(f, ",\"time_grid_ns\":%u,\"state_slices_clipped\":%" PRIu64 ",\"incomplete\":%s}",
		GRID_NS, e->clipped, bad ? "true" : "false");
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
	return !ferror(e->out) && !e->nomem;
}

/* After the last event: close the states still open (no END: a killed
 * recorder, a truncated file), write what is pending, then the names and
 * the closing members.  The metadata object is written twice: "metadata"
 * is where Perfetto reads it, "otherData" where the trace event format's
 * first spec and older readers of this export look. */
static void ex_finish(struct exp *e, const struct cv_rec_header *h, bool incomplete)
{
	if (!e->ended && e->any) {
		struct cv_event end = { .ts = cv_model_now(e->m), .type = CV_EV_END };
		cv_model_feed(e->m, &end);
	}
	flush_all(e);
	ex_names(e);
	fputs("\n],\n", e->out);
	ex_trace_meta(e, "metadata", h, incomplete);
	fputs(",\n", e->out);
	ex_trace_meta(e, "otherData", h, incomplete);
	fputs("}\n", e->out);
}

int cv_export_chrome(struct cv_rec_reader *r, FILE *out, char *err, size_t errlen)
{
	struct exp e = { .out = out, .first = true };
	struct cv_model_hooks hooks = { .ctx = &e, .on_segment = on_segment };
	struct cv_rec_feed feed;

	e.m = cv_model_new(&hooks);
	if (!e.m) {
		cv_errorf(err, errlen, "out of memory");
		return -1;
	}
	cv_rec_feed_init(&feed, r, e.m);
	feed.on_event = on_event;
	feed.ctx = &e;
	fputs("{\"traceEvents\":[\n", out);
	cv_rec_feed_until(&feed, UINT64_MAX);
	if (!e.nomem)
		ex_finish(&e, cv_rec_header(r), feed.error[0] != 0);
	cv_model_free(e.m);
	for (size_t i = 0; i < e.cap; i++)
		free(e.tab[i]);
	free(e.tab);
	if (e.nomem) {
		cv_errorf(err, errlen, "out of memory");
		return -1;
	}
	if (ferror(out)) {
		cv_errorf(err, errlen, "write error: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	if (feed.error[0]) {
		cv_errorf(err, errlen, "%s", feed.error);
		return 1;
	}
	return 0;
}
