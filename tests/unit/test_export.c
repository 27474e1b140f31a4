/* test_export.c — Chrome trace export of a synthetic recording into a
 * memory stream: valid JSON (checked by a small self-contained parser),
 * metadata and slices present, one receive slice per receive call, unique
 * flow ids bound to slices that start at them, slices that nest, times on
 * the 125 ns grid, io_uring requests on process-scoped async tracks, a
 * lock named after its first wait, a state the model keeps across a
 * syscall's enter cut there, write errors.  (Output files and --force:
 * tests/e2e/record.bats; every example through Perfetto's import rules:
 * tests/e2e/export.bats.) */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "output/export_chrome.h"
#include "model/model.h"
#include "record/recfile.h"

static char dir[] = "/tmp/cvz-test-export-XXXXXX";

/* ---- a tiny JSON parser that validates and collects trace events ---------- */

#define MAXEV 20000
struct jev {                    /* top-level string/number members of one trace event */
	char ph[8], name[64], cat[32], id[32], bp[8], ts[32], dur[32], pid[16], tid[16];
	char id2_local[32];         /* "id2":{"local":…} */
	bool has_args_eagain;
};
struct jp {
	const char *s;
	size_t i, n;
	int depth;
	bool ok;
	struct jev *cur;            /* event being parsed, depth 3 */
	struct jev evs[MAXEV];
	size_t nev;
	bool saw_trace_events, saw_unit, saw_other, saw_metadata;
	char clipped[32];           /* metadata.state_slices_clipped */
};

static void ws(struct jp *p)
{
	while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]))
		p->i++;
}

static bool lit(struct jp *p, const char *w)
{
	size_t l = strlen(w);
	if (p->n - p->i >= l && !memcmp(p->s + p->i, w, l)) {
		p->i += l;
		return true;
	}
	return false;
}

/* Parses a string; copies up to outlen-1 raw chars (escapes kept) to out. */
static bool jstring(struct jp *p, char *out, size_t outlen)
{
	size_t k = 0;
	if (p->i >= p->n || p->s[p->i] != '"')
		return false;
	p->i++;
	while (p->i < p->n) {
		unsigned char c = (unsigned char)p->s[p->i++];
		if (c == '"') {
			if (out)
				out[k] = 0;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (p->i >= p->n)
				return false;
			char e = p->s[p->i++];
			if (e == 'u') {
				for (int j = 0; j < 4; j++, p->i++)
					if (p->i >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->i]))
						return false;
			} else if (!strchr("\"\\/bfnrt", e)) {
				return false;
			}
		}
		if (out && k + 1 < outlen)
			out[k++] = (char)c;
	}
	return false;
}

static bool jnumber(struct jp *p, char *out, size_t outlen)
{
	size_t st = p->i;
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n || !(p->s[p->i] >= '0' && p->s[p->i] <= '9'))
		return false;
	if (p->s[p->i] == '0')
		p->i++;
	else
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (p->i >= p->n || !(p->s[p->i] >= '0' && p->s[p->i] <= '9'))
			return false;
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E'))
		return false; /* we never write exponents */
	if (out) {
		size_t l = p->i - st < outlen - 1 ? p->i - st : outlen - 1;
		memcpy(out, p->s + st, l);
		out[l] = 0;
	}
	return true;
}

static bool jvalue(struct jp *p, const char *key, char *scalar, size_t slen);

static bool jobject(struct jp *p, const char *parent_key)
{
	p->depth++;
	p->i++; /* { */
	bool is_event = p->depth == 3;
	if (is_event) {
		if (p->nev >= MAXEV)
			return false;
		p->cur = &p->evs[p->nev++];
		memset(p->cur, 0, sizeof(*p->cur));
	}
	ws(p);
	if (p->i < p->n && p->s[p->i] == '}') {
		p->i++;
		p->depth--;
		return true;
	}
	for (;;) {
		char key[64], val[64] = "";
		ws(p);
		if (!jstring(p, key, sizeof(key)))
			return false;
		ws(p);
		if (p->i >= p->n || p->s[p->i++] != ':')
			return false;
		ws(p);
		if (!jvalue(p, key, val, sizeof(val)))
			return false;
		if (p->depth == 1) {
			if (!strcmp(key, "displayTimeUnit"))
				p->saw_unit = true;
			if (!strcmp(key, "otherData"))
				p->saw_other = true;
			if (!strcmp(key, "metadata"))
				p->saw_metadata = true;
		}
		if (p->depth == 2 && parent_key && !strcmp(parent_key, "metadata") &&
		    !strcmp(key, "state_slices_clipped"))
			snprintf(p->clipped, sizeof(p->clipped), "%s", val);
		if (is_event) {
			struct jev *e = p->cur;
			if (!strcmp(key, "ph")) snprintf(e->ph, sizeof(e->ph), "%s", val);
			if (!strcmp(key, "name")) snprintf(e->name, sizeof(e->name), "%s", val);
			if (!strcmp(key, "cat")) snprintf(e->cat, sizeof(e->cat), "%s", val);
			if (!strcmp(key, "id")) snprintf(e->id, sizeof(e->id), "%s", val);
			if (!strcmp(key, "bp")) snprintf(e->bp, sizeof(e->bp), "%s", val);
			if (!strcmp(key, "ts")) snprintf(e->ts, sizeof(e->ts), "%s", val);
			if (!strcmp(key, "dur")) snprintf(e->dur, sizeof(e->dur), "%s", val);
			if (!strcmp(key, "pid")) snprintf(e->pid, sizeof(e->pid), "%s", val);
			if (!strcmp(key, "tid")) snprintf(e->tid, sizeof(e->tid), "%s", val);
		}
		if (p->depth == 4 && p->cur && parent_key && !strcmp(parent_key, "id2") &&
		    !strcmp(key, "local"))
			snprintf(p->cur->id2_local, sizeof(p->cur->id2_local), "%s", val);
		if (p->depth == 4 && p->cur && parent_key && !strcmp(parent_key, "args") &&
		    !strcmp(key, "eagain") && !strcmp(val, "true"))
			p->cur->has_args_eagain = true;
		ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == '}') {
			p->i++;
			p->depth--;
			return true;
		}
		return false;
	}
}

static bool jarray(struct jp *p, const char *key)
{
	p->depth++;
	p->i++; /* [ */
	if (p->depth == 2 && key && !strcmp(key, "traceEvents"))
		p->saw_trace_events = true;
	ws(p);
	if (p->i < p->n && p->s[p->i] == ']') {
		p->i++;
		p->depth--;
		return true;
	}
	for (;;) {
		ws(p);
		if (!jvalue(p, NULL, NULL, 0))
			return false;
		ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == ']') {
			p->i++;
			p->depth--;
			return true;
		}
		return false;
	}
}

static bool jvalue(struct jp *p, const char *key, char *scalar, size_t slen)
{
	if (p->i >= p->n)
		return false;
	char c = p->s[p->i];
	if (c == '{')
		return jobject(p, key);
	if (c == '[')
		return jarray(p, key);
	if (c == '"')
		return jstring(p, scalar, slen);
	if (lit(p, "true")) {
		if (scalar) snprintf(scalar, slen, "true");
		return true;
	}
	if (lit(p, "false") || lit(p, "null"))
		return true;
	return jnumber(p, scalar, slen);
}

/* Parses buf[0..n) and takes it over. */
static struct jp *parse_buf(char *buf, size_t n)
{
	if (!buf)
		return NULL;
	struct jp *p = calloc(1, sizeof(*p));
	p->s = buf;
	p->n = n;
	ws(p);
	p->ok = p->i < p->n && p->s[p->i] == '{' && jvalue(p, NULL, NULL, 0);
	ws(p);
	p->ok = p->ok && p->i == p->n && p->depth == 0;
	if (!p->ok)
		CHECK_NOTE("JSON error near byte %zu: %.40s", p->i, p->s + (p->i < p->n ? p->i : 0));
	return p;
}

static void free_parse(struct jp *p)
{
	if (p) {
		free((void *)p->s);
		free(p);
	}
}

/* ---- the synthetic recording ------------------------------------------------ */

struct expect {
	int recv_calls, recv_eagain, recv_copied, recv_waited, flows, uring_async, futex_named, futex_hex;
	int mux_ready;
	int threads, processes;
};

/* The synthetic steps are µs, well above the export's 125 ns time grid. */
#define US 1000ull
static uint64_t T = 5000000000ull;

static void put(struct cv_rec_writer *w, struct cv_event *ev)
{
	CHECK_EQ(cv_rec_write_event(w, ev), 0);
}

static void task(struct cv_rec_writer *w, uint32_t tid, uint32_t pid, const char *comm)
{
	struct cv_event ev = { .ts = T += 10 * US, .tid = tid, .pid = pid, .type = CV_EV_TASK };
	ev.flags = tid == pid ? CV_TASK_PROCESS : 0;
	ev.task.parent_tid = tid == pid ? 1 : pid;
	ev.task.parent_pid = tid == pid ? 1 : pid;
	memcpy(ev.task.comm, comm, strnlen(comm, CV_COMM_LEN));
	put(w, &ev);
}

static void sw(struct cv_rec_writer *w, uint32_t prev, uint32_t ppid, uint32_t next, uint32_t npid,
	       uint32_t block, uint64_t obj)
{
	struct cv_event ev = { .ts = T += 100 * US, .tid = prev, .pid = ppid, .type = CV_EV_SWITCH, .cpu = 0 };
	ev.flags = (prev ? CV_SW_PREV_TRACED : 0) | (next ? CV_SW_NEXT_TRACED : 0);
	if (prev && block != (uint32_t)-1) {
		ev.flags |= CV_SW_PREV_BLOCKED;
		ev.sw.prev_state = 1;
		ev.sw.block = block;
		ev.sw.obj = obj;
	} else if (prev) {
		ev.flags |= CV_SW_PREEMPT;
	}
	ev.sw.next_tid = next;
	ev.sw.next_pid = npid;
	put(w, &ev);
}

static void wake(struct cv_rec_writer *w, struct expect *x, uint32_t tid, uint32_t pid, uint32_t waker,
		 uint32_t wpid, bool traced)
{
	struct cv_event ev = { .ts = T += 50 * US, .tid = tid, .pid = pid, .type = CV_EV_WAKEUP };
	ev.wake.waker_tid = waker;
	ev.wake.waker_pid = wpid;
	put(w, &ev);
	if (traced)
		x->flows++;
}

static void recv_ev(struct cv_rec_writer *w, struct expect *x, uint32_t tid, uint32_t pid, uint64_t enter,
		    uint64_t copy, int64_t ret, uint32_t sys)
{
	struct cv_event ev = { .ts = T += 30 * US, .tid = tid, .pid = pid, .type = CV_EV_RECV };
	ev.recv.enter_ts = enter;
	ev.recv.copy_ts = copy;
	ev.recv.ret = ret;
	ev.recv.fd = 4;
	ev.recv.sys = sys;
	put(w, &ev);
	x->recv_calls++;
	if (ret == -CV_EAGAIN)
		x->recv_eagain++;
	else if (copy) {
		x->recv_copied++;
		/* the slice starts at the enter, or at the copy if that is first or
		 * the start was not seen (enter 0): then no wait */
		if (enter && copy > enter)
			x->recv_waited++;
	}
}

static const char *make_recording(const char *name, struct expect *x, int rounds)
{
	static char path[256];
	char err[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(x, 0, sizeof(*x));
	struct cv_rec_meta meta = { .target_pid = 100, .command = "server \"quoted\" arg\\x" };
	struct cv_rec_writer *w = cv_rec_create(path, false, &meta, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return path;
	const uint32_t P = 100, A = 101, B = 102, Q = 200;
	const uint64_t L1 = 0x55d1c0a4e040ull, L2 = 0x7f00deadbe00ull;
	cv_rec_write_start(w, T);
	task(w, P, P, "server");
	task(w, A, P, "rx-\"blocking\"");
	task(w, B, P, "poll\\er\xff\x01");
	task(w, Q, Q, "helper");
	x->threads = 4;
	x->processes = 2;
	sw(w, 0, 0, A, P, 0, 0);

	for (int i = 0; i < rounds; i++) {
		/* A: blocking recvfrom — enter, block, woken by B, copy, exit */
		uint64_t enter = T += 20 * US;
		sw(w, A, P, B, P, CV_BLK_RECV, 0);
		wake(w, x, A, P, B, P, true);
		sw(w, B, P, A, P, (uint32_t)-1, 0);
		uint64_t copy = T += 40 * US;
		recv_ev(w, x, A, P, enter, copy, 512, CV_SYS_RECVFROM);

		/* B: two EAGAIN polls then a successful non-blocking recvmsg */
		uint64_t e2 = T += 5 * US;
		recv_ev(w, x, B, P, e2, 0, -CV_EAGAIN, CV_SYS_RECVFROM);
		e2 = T += 5 * US;
		recv_ev(w, x, B, P, e2, 0, -CV_EAGAIN, CV_SYS_RECVFROM);
		e2 = T += 5 * US;
		recv_ev(w, x, B, P, e2, e2 + 2 * US, 100, CV_SYS_RECVMSG);
		/* one that did not block, as the probes record it: start not seen */
		recv_ev(w, x, B, P, 0, T + 10 * US, 100, CV_SYS_RECVMSG);

		/* P: epoll_wait, then a contended named lock, then an unnamed one */
		struct cv_event mx = { .ts = T += 300 * US, .tid = P, .pid = P, .type = CV_EV_MUX };
		mx.mux.enter_ts = T - 250 * US;
		mx.mux.ret = 1;
		mx.mux.sys = CV_SYS_EPOLL_WAIT;
		mx.mux.nfds = 64;
		mx.mux.timeout_ms = -1;
		put(w, &mx);
		if (i % 10 == 0) { /* which fd it returned ready: an instant after the call */
			struct cv_event rd = { .ts = T, .tid = P, .pid = P, .type = CV_EV_MUX_READY };
			rd.flags = CV_MUXR_EPOLL;
			rd.mux_ready.n = 1;
			rd.mux_ready.fd[0] = 7;
			put(w, &rd);
			x->mux_ready++;
		}
		for (int k = 0; k < 2; k++) {
			uint64_t fe = T += 10 * US;
			sw(w, P, P, 0, 0, CV_BLK_FUTEX, k ? L2 : L1);
			wake(w, x, P, P, A, P, true);
			sw(w, 0, 0, P, P, 0, 0);
			struct cv_event fx = { .ts = T += 20 * US, .tid = P, .pid = P, .type = CV_EV_FUTEX };
			fx.flags = CV_CALL_BLOCKED | CV_CALL_IS_MUTEX;
			fx.futex.enter_ts = fe;
			fx.futex.addr = k ? L2 : L1;
			fx.futex.sys = CV_SYS_FUTEX;
			fx.futex.op = 0;
			fx.futex.owner_tid = A;
			fx.futex.waker_tid = A;
			put(w, &fx);
			if (i == 0 && k == 0) /* named only after its first wait, like a live run can */
				cv_rec_write_lock_name(w, P, L1, "queue_lock");
			if (k)
				x->futex_hex++;
			else
				x->futex_named++;
		}
		/* wakeups not from a traced thread: no flow */
		wake(w, x, B, P, 0, 0, false);
		wake(w, x, B, P, 4242, 4242, false);
		/* Q: io_uring request, completes asynchronously */
		struct cv_event su = { .ts = T += 10 * US, .tid = Q, .pid = Q, .type = CV_EV_URING_SUBMIT };
		su.usubmit.user_data = (uint64_t)i;
		su.usubmit.req = 0xffff888100000000ull + (uint64_t)i * 256;
		su.usubmit.opcode = 27;
		put(w, &su);
		struct cv_event co = { .ts = T += 700 * US, .tid = Q, .pid = Q, .type = CV_EV_URING_COMPLETE };
		co.ucomplete.user_data = (uint64_t)i;
		co.ucomplete.submit_ts = su.ts;
		co.ucomplete.res = 64;
		co.ucomplete.opcode = 27;
		co.ucomplete.done_tid = Q;
		put(w, &co);
		x->uring_async++;
		struct cv_event ue = { .ts = T += 5 * US, .tid = Q, .pid = Q, .type = CV_EV_URING_ENTER };
		ue.uenter.enter_ts = T - 800 * US;
		ue.uenter.to_submit = 1;
		ue.uenter.min_complete = 1;
		ue.uenter.ret = 1;
		put(w, &ue);
		if (i % 10 == 9)
			cv_rec_flush(w);
	}
	struct cv_event lost = { .ts = T += 10 * US, .tid = 0, .pid = 0, .type = CV_EV_LOST };
	lost.lost.count = 7;
	lost.lost.where = CV_LOST_MEMORY;
	put(w, &lost);
	struct cv_event ex = { .ts = T += 10 * US, .tid = B, .pid = P, .type = CV_EV_EXIT };
	put(w, &ex);
	struct cv_event end = { .ts = T += 10 * US, .type = CV_EV_END };
	put(w, &end);
	cv_rec_write_target_exit(w, 0);
	CHECK_EQ(cv_rec_close(w), 0);
	return path;
}

/* Export recording `in` through a reader into a memory stream: the
 * export's return code, its JSON in *json. */
static int export_mem(const char *in, char **json, size_t *jlen, char *err, size_t errlen)
{
	struct cv_rec_reader *r = cv_rec_open(in, err, errlen);
	FILE *out = open_memstream(json, jlen);
	CHECK(r != NULL);
	CHECK(out != NULL);
	int rc = r && out ? cv_export_chrome(r, out, err, errlen) : -2;
	if (out)
		fclose(out);
	cv_rec_reader_close(r);
	return rc;
}

static int count(struct jp *p, const char *ph, const char *name, const char *cat)
{
	int n = 0;
	for (size_t i = 0; i < p->nev; i++) {
		struct jev *e = &p->evs[i];
		if ((!ph || !strcmp(e->ph, ph)) && (!name || !strcmp(e->name, name)) &&
		    (!cat || !strcmp(e->cat, cat)))
			n++;
	}
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Flow ids: "s" ids unique, "f" ids unique, and the same set.  Returns #s. */
static int check_flows(struct jp *p)
{
	char **s = calloc(p->nev + 1, sizeof(*s)), **f = calloc(p->nev + 1, sizeof(*f));
	size_t ns = 0, nf = 0;
	int bad = 0;
	for (size_t i = 0; i < p->nev; i++) {
		if (!strcmp(p->evs[i].ph, "s"))
			s[ns++] = p->evs[i].id;
		if (!strcmp(p->evs[i].ph, "f")) {
			f[nf++] = p->evs[i].id;
			if (strcmp(p->evs[i].bp, "e"))
				bad++;
		}
	}
	qsort(s, ns, sizeof(*s), cmp_str);
	qsort(f, nf, sizeof(*f), cmp_str);
	for (size_t i = 1; i < ns; i++)
		if (!strcmp(s[i], s[i - 1]))
			bad++;
	for (size_t i = 1; i < nf; i++)
		if (!strcmp(f[i], f[i - 1]))
			bad++;
	if (ns != nf)
		bad++;
	for (size_t i = 0; i < ns && i < nf; i++)
		if (strcmp(s[i], f[i]) || !s[i][0])
			bad++;
	CHECK_EQ(bad, 0);
	free(s);
	free(f);
	return (int)ns;
}

/* "123.456" (µs, exactly 3 decimals) -> 123456 ns; -1 if not that form */
static int64_t us_ns(const char *v)
{
	const char *dot = strchr(v, '.');
	if (!v[0] || !dot || strlen(dot + 1) != 3 || strspn(v, "0123456789.") != strlen(v))
		return -1;
	return strtoll(v, NULL, 10) * 1000 + strtoll(dot + 1, NULL, 10);
}

struct xs {                     /* an X slice: track, start, end, name */
	long pid, tid;
	int64_t t0, t1;
	const char *name;
};

static int cmp_xs(const void *a, const void *b)
{
	const struct xs *x = a, *y = b;
	if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid) return x->tid < y->tid ? -1 : 1;
	if (x->t0 != y->t0) return x->t0 < y->t0 ? -1 : 1;
	return x->t1 > y->t1 ? -1 : x->t1 < y->t1;   /* longer first: it is the parent */
}

/* The X slices of p sorted by track, start, longest first; *n of them. */
static struct xs *x_slices(struct jp *p, size_t *n)
{
	struct xs *v = calloc(p->nev + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; v && i < p->nev; i++) {
		struct jev *e = &p->evs[i];
		if (strcmp(e->ph, "X"))
			continue;
		int64_t t0 = us_ns(e->ts), d = us_ns(e->dur);
		v[(*n)++] = (struct xs){ .pid = atol(e->pid), .tid = atol(e->tid), .t0 = t0,
					 .t1 = t0 + d, .name = e->name };
	}
	if (v)
		qsort(v, *n, sizeof(*v), cmp_xs);
	return v;
}

/* Slices on a thread's track that partially overlap (one starts inside
 * another and ends after it): what Perfetto moves to an overflow track. */
static int partial_overlaps(struct jp *p)
{
	size_t n, depth = 0;
	struct xs *v = x_slices(p, &n), *stack[64];
	int bad = 0;
	for (size_t i = 0; v && i < n; i++) {
		if (i && (v[i].pid != v[i - 1].pid || v[i].tid != v[i - 1].tid))
			depth = 0;
		while (depth && stack[depth - 1]->t1 <= v[i].t0)
			depth--;
		if (depth && v[i].t1 > stack[depth - 1]->t1) {
			if (bad++ < 3)
				CHECK_NOTE("tid %ld: %s [%" PRId64 ",%" PRId64 ") overlaps %s [%" PRId64 ",%" PRId64 ")",
					   v[i].tid, v[i].name, v[i].t0, v[i].t1, stack[depth - 1]->name,
					   stack[depth - 1]->t0, stack[depth - 1]->t1);
			continue;
		}
		if (depth < 64)
			stack[depth++] = &v[i];
	}
	free(v);
	return bad;
}

/* An X slice on (pid, tid) named name (NULL: any) that starts at t0? */
static bool slice_starts_at(struct jp *p, const char *pid, const char *tid, const char *t0, const char *name)
{
	for (size_t i = 0; i < p->nev; i++) {
		struct jev *e = &p->evs[i];
		if (!strcmp(e->ph, "X") && !strcmp(e->pid, pid) && !strcmp(e->tid, tid) &&
		    !strcmp(e->ts, t0) && (!name || !strcmp(e->name, name)))
			return true;
	}
	return false;
}

/* Each flow's ends start slices on their tracks: "s" a slice of the waker,
 * "f" the wakee's runnable slice, not earlier than "s".  Returns the
 * flows whose ends do not. */
static int unbound_flows(struct jp *p)
{
	int bad = 0;
	for (size_t i = 0; i < p->nev; i++) {
		struct jev *s = &p->evs[i];
		if (strcmp(s->ph, "s"))
			continue;
		const struct jev *f = NULL;
		for (size_t k = 0; k < p->nev && !f; k++)
			if (!strcmp(p->evs[k].ph, "f") && !strcmp(p->evs[k].id, s->id))
				f = &p->evs[k];
		if (!f || !slice_starts_at(p, s->pid, s->tid, s->ts, NULL) ||
		    !slice_starts_at(p, f->pid, f->tid, f->ts, "runnable") || us_ns(f->ts) < us_ns(s->ts)) {
			if (bad++ < 3)
				CHECK_NOTE("flow %s from tid %s at %s: not bound to slices starting there", s->id,
					   s->tid, s->ts);
		}
	}
	return bad;
}

/* ---- the cases --------------------------------------------------------------- */

/* The export of a 50-round synthetic recording, made and parsed once for the
 * cases that look at it. */
static struct {
	bool made;
	struct expect x;
	char in[256];
	struct jp *p;
} ex;

static struct jp *exported(void)
{
	if (!ex.made) {
		char err[512] = "", *json = NULL;
		size_t jlen = 0;
		ex.made = true;
		snprintf(ex.in, sizeof(ex.in), "%s", make_recording("synthetic.cvz", &ex.x, 50));
		int rc = export_mem(ex.in, &json, &jlen, err, sizeof(err));
		CHECK_EQ(rc, 0);
		if (rc)
			CHECK_NOTE("export: %s", err);
		ex.p = parse_buf(json, jlen);
	}
	return ex.p;
}

/* In a case: p = the shared export, or the case fails. */
#define EXPORTED(p) \
	struct jp *p = exported(); \
	CHECK(p != NULL); \
	if (!p) \
		return

TEST(valid_json)
{
	EXPORTED(p);
	CHECK(p->ok);
	CHECK(p->saw_trace_events);
	CHECK(p->saw_metadata);
	CHECK(p->saw_other);
	CHECK(!p->saw_unit); /* older trace processors read ts as ns with "displayTimeUnit":"ns" */
	fprintf(stderr, "export: %zu trace events\n", p->nev);
}

/* metadata for every thread and process */
TEST(thread_and_process_names)
{
	EXPORTED(p);
	CHECK_EQ(count(p, "M", "thread_name", NULL), ex.x.threads);
	CHECK_EQ(count(p, "M", "process_name", NULL), ex.x.processes);
}

TEST(state_slices)
{
	EXPORTED(p);
	CHECK(count(p, "X", NULL, "state") > 0);
	CHECK(count(p, "X", "wait_data", "state") > 0);
	CHECK(count(p, "X", "lock_wait", "state") > 0);
	CHECK_EQ(count(p, "X", "running", "state"), 0);
}

/* one receive slice per receive call, children for copies */
TEST(one_recv_slice_per_call)
{
	EXPORTED(p);
	int recv_slices = count(p, "X", "recvfrom", "recv") + count(p, "X", "recvmsg", "recv");
	CHECK_EQ(recv_slices, ex.x.recv_calls);
	int eagain = 0;
	for (size_t i = 0; i < p->nev; i++)
		eagain += p->evs[i].has_args_eagain && !strcmp(p->evs[i].ph, "X");
	CHECK_EQ(eagain, ex.x.recv_eagain);
	CHECK_EQ(count(p, "X", "wait for data", "recv"), ex.x.recv_waited);
	CHECK_EQ(count(p, "X", "copy data", "recv"), ex.x.recv_copied);
}

TEST(mux_lock_and_uring_slices)
{
	EXPORTED(p);
	CHECK_EQ(count(p, "X", "epoll_wait", "mux"), 50);
	CHECK_EQ(count(p, "i", "ready: 1 fd", "mux"), ex.x.mux_ready);
	CHECK(ex.x.mux_ready > 0);
	CHECK_EQ(count(p, "X", "queue_lock", "lock"), ex.x.futex_named);
	CHECK_EQ(count(p, "X", "0x7f00deadbe00", "lock"), ex.x.futex_hex);
	CHECK_EQ(count(p, "b", "recv", "io_uring"), ex.x.uring_async);
	CHECK_EQ(count(p, "e", "recv", "io_uring"), ex.x.uring_async);
	/* on an async track of the submitting process: id2.local, a pid, no global id */
	int local = 0;
	for (size_t i = 0; i < p->nev; i++) {
		struct jev *e = &p->evs[i];
		if (strcmp(e->cat, "io_uring") || (strcmp(e->ph, "b") && strcmp(e->ph, "e")))
			continue;
		local += e->id2_local[0] && !e->id[0] && !strcmp(e->pid, "200") && !strcmp(e->tid, "200");
	}
	CHECK_EQ(local, 2 * ex.x.uring_async);
	CHECK_EQ(count(p, "X", "io_uring_enter", "uring"), 50);
}

/* flows: only from traced wakers, unique ids, each end at the start of a
 * slice (the wakee's runnable one) */
TEST(flows_from_traced_wakers)
{
	EXPORTED(p);
	CHECK_EQ(check_flows(p), ex.x.flows);
	CHECK_EQ(unbound_flows(p), 0);
}

/* every ts and dur is µs with 3 decimals on the 125 ns grid (exact in
 * binary floating point), every slice lasts, none partially overlaps another */
TEST(times_on_grid_and_slices_nest)
{
	EXPORTED(p);
	int off_grid = 0, empty = 0, with_ts = 0;
	for (size_t i = 0; i < p->nev; i++) {
		struct jev *e = &p->evs[i];
		if (!strcmp(e->ph, "M"))
			continue;
		int64_t t = us_ns(e->ts), d = e->dur[0] ? us_ns(e->dur) : 0;
		with_ts++;
		off_grid += t < 0 || t % 125 || d < 0 || d % 125;
		empty += !strcmp(e->ph, "X") && d == 0;
	}
	CHECK(with_ts > 1000);
	CHECK_EQ(off_grid, 0);
	CHECK_EQ(empty, 0);
	CHECK_EQ(partial_overlaps(p), 0);
	/* B polls while the model has it preempted (the synthetic rounds have
	 * no switch-in for it): it ran, so no runnable slice is cut at a poll */
	CHECK_STR(p->clipped, "0");
}

/* A recording of a few events made by build(w), exported and parsed. */
static struct jp *export_of(const char *name, void (*build)(struct cv_rec_writer *w))
{
	char path[256], err[512] = "", *json = NULL;
	size_t jlen = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct cv_rec_meta meta = { .target_pid = 300, .command = "t" };
	struct cv_rec_writer *w = cv_rec_create(path, false, &meta, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return NULL;
	cv_rec_write_start(w, T);
	build(w);
	struct cv_event end = { .ts = T += 10 * US, .type = CV_EV_END };
	put(w, &end);
	CHECK_EQ(cv_rec_close(w), 0);
	CHECK_EQ(export_mem(path, &json, &jlen, err, sizeof(err)), 0);
	struct jp *p = parse_buf(json, jlen);
	CHECK(p && p->ok);
	return p;
}

/* In a case: p = the export of the recording build makes, or the case fails. */
#define EXPORT_OF(p, name, build) \
	struct jp *p = export_of(name, build); \
	if (!p) \
		return

/* The last X slice named name, NULL if none. */
static const struct jev *last_x(const struct jp *p, const char *name)
{
	const struct jev *found = NULL;
	for (size_t i = 0; i < p->nev; i++)
		if (!strcmp(p->evs[i].ph, "X") && !strcmp(p->evs[i].name, name))
			found = &p->evs[i];
	return found;
}

static uint64_t lost_enter; /* where the thread of lost_switch_in entered io_uring_enter */

/* A thread sleeps; its switch-in is not recorded; it enters io_uring_enter
 * and submits: the model repairs the state at the submit, after the enter. */
static void lost_switch_in(struct cv_rec_writer *w)
{
	task(w, 300, 300, "t");
	sw(w, 0, 0, 300, 300, 0, 0);
	sw(w, 300, 300, 0, 0, CV_BLK_NONE, 0);
	lost_enter = T += 100 * US;
	struct cv_event su = { .ts = T += 50 * US, .tid = 300, .pid = 300, .type = CV_EV_URING_SUBMIT };
	put(w, &su);
	struct cv_event ue = { .ts = T += 50 * US, .tid = 300, .pid = 300, .type = CV_EV_URING_ENTER };
	ue.uenter.enter_ts = lost_enter;
	ue.uenter.ret = 1;
	put(w, &ue);
}

/* the sleep the model keeps past the syscall's enter ends at the enter */
TEST(state_cut_at_syscall_enter)
{
	EXPORT_OF(p, "lost.cvz", lost_switch_in);
	CHECK_EQ(count(p, "X", "sleep", "state"), 1);
	CHECK_EQ(count(p, "X", "io_uring_enter", "uring"), 1);
	const struct jev *sl = last_x(p, "sleep");
	CHECK(sl && us_ns(sl->ts) + us_ns(sl->dur) == (int64_t)lost_enter);
	CHECK_EQ(partial_overlaps(p), 0);
	CHECK_STR(p->clipped, "1");
	free_parse(p);
}

/* A sleeping thread whose switch-in is not recorded blocks again: the
 * model closes the sleep at the second block and opens it again at once. */
static void blocked_twice(struct cv_rec_writer *w)
{
	task(w, 300, 300, "t");
	sw(w, 0, 0, 300, 300, 0, 0);
	sw(w, 300, 300, 0, 0, CV_BLK_NONE, 0);
	sw(w, 300, 300, 0, 0, CV_BLK_NONE, 0);
	sw(w, 0, 0, 300, 300, 0, 0);
}

/* back-to-back slices of one state are one slice (speedscope would nest
 * the second in the first) */
TEST(back_to_back_state_merged)
{
	EXPORT_OF(p, "twice.cvz", blocked_twice);
	/* the two blocks' sleeps as one */
	CHECK_EQ(count(p, "X", "sleep", "state"), 1);
	const struct jev *sl = last_x(p, "sleep");
	CHECK_STR(sl ? sl->dur : "", "200.000");
	free_parse(p);
}

/* A pipe read a signal interrupted twice, restarted each time, then the
 * data: three parts drawn as they ran, no restart code as a result */
static void read_restarted(struct cv_rec_writer *w)
{
	task(w, 300, 300, "t");
	for (int part = 0; part < 3; part++) {
		struct cv_event r = { .tid = 300, .pid = 300, .type = CV_EV_RECV,
				      .flags = CV_CALL_PIPE | CV_CALL_BLOCKED };
		r.recv.enter_ts = T += 100 * US;
		r.ts = T += 100 * US;
		r.recv.ret = part < 2 ? -CV_ERESTARTSYS : 64;
		r.recv.copy_ts = part < 2 ? 0 : T - 10 * US;
		r.recv.fd = 3;
		r.recv.sys = CV_SYS_READ;
		put(w, &r);
	}
}

TEST(signal_parts_of_one_call)
{
	EXPORT_OF(p, "sig.cvz", read_restarted);
	CHECK_EQ(count(p, "X", "read", "recv"), 3);
	CHECK(strstr(p->s, "-512") == NULL);
	const char *a = p->s, *k;
	int interrupted = 0;
	while ((k = strstr(a, "\"ret\":null,\"signal\":\"interrupted\""))) {
		interrupted++;
		a = k + 1;
	}
	CHECK_EQ(interrupted, 2);
	CHECK(strstr(p->s, "\"ret\":64,\"signal\":\"restarted\"") != NULL);
	CHECK_EQ(partial_overlaps(p), 0);
	free_parse(p);
}

TEST(dropped_events_marker)
{
	EXPORTED(p);
	CHECK_EQ(count(p, "i", NULL, "concviz"), 1);
	/* where it happened, on the marker and in the metadata (which adds up) */
	CHECK(strstr(p->s, "\"name\":\"dropped 7 events (concviz's queue full)\"") != NULL);
	CHECK(strstr(p->s, "\"args\":{\"count\":7,\"where\":\"in_memory\"}") != NULL);
	CHECK(strstr(p->s, "\"dropped_events\":7,\"model_out_of_memory\":0,\"dropped_in_ring_buffer\":0,"
			   "\"dropped_in_memory\":7,\"dropped_where_unknown\":0") != NULL);
}

TEST(jq_agrees)
{
	EXPORTED(p);
	if (system("command -v jq >/dev/null 2>&1") != 0)
		CHECK_SKIP("jq is not installed");
	FILE *jq = popen("jq -e '.traceEvents | length > 0' >/dev/null", "w");
	CHECK(jq != NULL);
	if (jq) {
		fwrite(p->s, 1, p->n, jq);
		CHECK_EQ(pclose(jq), 0);
	}
}

/* a write error stops the export and says so */
TEST(write_error_stops)
{
	EXPORTED(p);
	(void)p;
	char err[512] = "";
	FILE *full = fopen("/dev/full", "w");
	if (!full)
		CHECK_SKIP("no writable /dev/full");
	struct cv_rec_reader *r = cv_rec_open(ex.in, err, sizeof(err));
	CHECK(r != NULL);
	if (r && full) {
		CHECK_EQ(cv_export_chrome(r, full, err, sizeof(err)), -1);
		CHECK(strstr(err, "write error") != NULL);
	}
	if (full)
		fclose(full);
	cv_rec_reader_close(r);
}

/* a truncated recording: an error, and the readable prefix exported as valid JSON */
TEST(truncated_input)
{
	struct expect x;
	const char *in = make_recording("trunc.cvz", &x, 30);
	struct stat st;
	stat(in, &st);
	CHECK_EQ(truncate(in, st.st_size - 5), 0);
	char err[512] = "", *json = NULL;
	size_t jlen = 0;
	CHECK_EQ(export_mem(in, &json, &jlen, err, sizeof(err)), 1);
	CHECK(strstr(err, "truncated at offset") != NULL);
	struct jp *p = parse_buf(json, jlen);
	CHECK(p && p->ok);
	CHECK(p && count(p, "X", "recvfrom", "recv") > 0);
	free_parse(p);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(valid_json);
	RUN(thread_and_process_names);
	RUN(state_slices);
	RUN(one_recv_slice_per_call);
	RUN(mux_lock_and_uring_slices);
	RUN(flows_from_traced_wakers);
	RUN(times_on_grid_and_slices_nest);
	RUN(state_cut_at_syscall_enter);
	RUN(back_to_back_state_merged);
	RUN(dropped_events_marker);
	RUN(signal_parts_of_one_call);
	RUN(jq_agrees);
	RUN(write_error_stops);
	RUN(truncated_input);
	free_parse(ex.p);
	char cmd[300];
	if (getenv("CVZ_KEEP_TEST_FILES"))
		return CHECK_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return CHECK_DONE();
}
