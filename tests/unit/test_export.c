/* test_export.c — Chrome trace export of a synthetic recording into a
 * memory stream: valid JSON (checked by a small self-contained parser),
 * metadata and slices present, one receive slice per receive call, unique
 * flow ids, a lock named after its first wait, write errors.  (Output files
 * and --force: tests/e2e/record.bats.) */
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
	char ph[8], name[64], cat[32], id[32], bp[8];
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
	bool saw_trace_events, saw_unit_ns, saw_other;
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
			if (!strcmp(key, "displayTimeUnit") && !strcmp(val, "ns"))
				p->saw_unit_ns = true;
			if (!strcmp(key, "otherData"))
				p->saw_other = true;
		}
		if (is_event) {
			struct jev *e = p->cur;
			if (!strcmp(key, "ph")) snprintf(e->ph, sizeof(e->ph), "%s", val);
			if (!strcmp(key, "name")) snprintf(e->name, sizeof(e->name), "%s", val);
			if (!strcmp(key, "cat")) snprintf(e->cat, sizeof(e->cat), "%s", val);
			if (!strcmp(key, "id")) snprintf(e->id, sizeof(e->id), "%s", val);
			if (!strcmp(key, "bp")) snprintf(e->bp, sizeof(e->bp), "%s", val);
		}
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
	int recv_calls, recv_eagain, recv_copied, flows, uring_async, futex_named, futex_hex;
	int threads, processes;
};

static uint64_t T = 5000000000ull;

static void put(struct cv_rec_writer *w, struct cv_event *ev)
{
	CHECK_EQ(cv_rec_write_event(w, ev), 0);
}

static void task(struct cv_rec_writer *w, uint32_t tid, uint32_t pid, const char *comm)
{
	struct cv_event ev = { .ts = T += 10, .tid = tid, .pid = pid, .type = CV_EV_TASK };
	ev.flags = tid == pid ? CV_TASK_PROCESS : 0;
	ev.task.parent_tid = tid == pid ? 1 : pid;
	ev.task.parent_pid = tid == pid ? 1 : pid;
	memcpy(ev.task.comm, comm, strnlen(comm, CV_COMM_LEN));
	put(w, &ev);
}

static void sw(struct cv_rec_writer *w, uint32_t prev, uint32_t ppid, uint32_t next, uint32_t npid,
	       uint32_t block, uint64_t obj)
{
	struct cv_event ev = { .ts = T += 100, .tid = prev, .pid = ppid, .type = CV_EV_SWITCH, .cpu = 0 };
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
	struct cv_event ev = { .ts = T += 50, .tid = tid, .pid = pid, .type = CV_EV_WAKEUP };
	ev.wake.waker_tid = waker;
	ev.wake.waker_pid = wpid;
	put(w, &ev);
	if (traced)
		x->flows++;
}

static void recv_ev(struct cv_rec_writer *w, struct expect *x, uint32_t tid, uint32_t pid, uint64_t enter,
		    uint64_t copy, int64_t ret, uint32_t sys)
{
	struct cv_event ev = { .ts = T += 30, .tid = tid, .pid = pid, .type = CV_EV_RECV };
	ev.recv.enter_ts = enter;
	ev.recv.copy_ts = copy;
	ev.recv.ret = ret;
	ev.recv.fd = 4;
	ev.recv.sys = sys;
	put(w, &ev);
	x->recv_calls++;
	if (ret == -CV_EAGAIN)
		x->recv_eagain++;
	else if (copy)
		x->recv_copied++;
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
		uint64_t enter = T += 20;
		sw(w, A, P, B, P, CV_BLK_RECV, 0);
		wake(w, x, A, P, B, P, true);
		sw(w, B, P, A, P, (uint32_t)-1, 0);
		uint64_t copy = T += 40;
		recv_ev(w, x, A, P, enter, copy, 512, CV_SYS_RECVFROM);

		/* B: two EAGAIN polls then a successful non-blocking recvmsg */
		uint64_t e2 = T += 5;
		recv_ev(w, x, B, P, e2, 0, -CV_EAGAIN, CV_SYS_RECVFROM);
		e2 = T += 5;
		recv_ev(w, x, B, P, e2, 0, -CV_EAGAIN, CV_SYS_RECVFROM);
		e2 = T += 5;
		recv_ev(w, x, B, P, e2, e2 + 2, 100, CV_SYS_RECVMSG);

		/* P: epoll_wait, then a contended named lock, then an unnamed one */
		struct cv_event mx = { .ts = T += 300, .tid = P, .pid = P, .type = CV_EV_MUX };
		mx.mux.enter_ts = T - 250;
		mx.mux.ret = 1;
		mx.mux.sys = CV_SYS_EPOLL_WAIT;
		mx.mux.nfds = 64;
		mx.mux.timeout_ms = -1;
		put(w, &mx);
		for (int k = 0; k < 2; k++) {
			uint64_t fe = T += 10;
			sw(w, P, P, 0, 0, CV_BLK_FUTEX, k ? L2 : L1);
			wake(w, x, P, P, A, P, true);
			sw(w, 0, 0, P, P, 0, 0);
			struct cv_event fx = { .ts = T += 20, .tid = P, .pid = P, .type = CV_EV_FUTEX };
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
		struct cv_event su = { .ts = T += 10, .tid = Q, .pid = Q, .type = CV_EV_URING_SUBMIT };
		su.usubmit.user_data = (uint64_t)i;
		su.usubmit.req = 0xffff888100000000ull + (uint64_t)i * 256;
		su.usubmit.opcode = 27;
		put(w, &su);
		struct cv_event co = { .ts = T += 700, .tid = Q, .pid = Q, .type = CV_EV_URING_COMPLETE };
		co.ucomplete.user_data = (uint64_t)i;
		co.ucomplete.submit_ts = su.ts;
		co.ucomplete.res = 64;
		co.ucomplete.opcode = 27;
		co.ucomplete.done_tid = Q;
		put(w, &co);
		x->uring_async++;
		struct cv_event ue = { .ts = T += 5, .tid = Q, .pid = Q, .type = CV_EV_URING_ENTER };
		ue.uenter.enter_ts = T - 800;
		ue.uenter.to_submit = 1;
		ue.uenter.min_complete = 1;
		ue.uenter.ret = 1;
		put(w, &ue);
		if (i % 10 == 9)
			cv_rec_flush(w);
	}
	struct cv_event lost = { .ts = T += 10, .tid = 0, .pid = 0, .type = CV_EV_LOST };
	lost.lost.count = 7;
	put(w, &lost);
	struct cv_event ex = { .ts = T += 10, .tid = B, .pid = P, .type = CV_EV_EXIT };
	put(w, &ex);
	struct cv_event end = { .ts = T += 10, .type = CV_EV_END };
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
	CHECK(p->saw_unit_ns);
	CHECK(p->saw_other);
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
	CHECK_EQ(count(p, "X", "wait for data", "recv"), ex.x.recv_copied);
	CHECK_EQ(count(p, "X", "copy data", "recv"), ex.x.recv_copied);
}

TEST(mux_lock_and_uring_slices)
{
	EXPORTED(p);
	CHECK_EQ(count(p, "X", "epoll_wait", "mux"), 50);
	CHECK_EQ(count(p, "X", "queue_lock", "lock"), ex.x.futex_named);
	CHECK_EQ(count(p, "X", "0x7f00deadbe00", "lock"), ex.x.futex_hex);
	CHECK_EQ(count(p, "b", "recv", "io_uring"), ex.x.uring_async);
	CHECK_EQ(count(p, "e", "recv", "io_uring"), ex.x.uring_async);
	CHECK_EQ(count(p, "X", "io_uring_enter", "uring"), 50);
}

/* flows: only from traced wakers, unique ids */
TEST(flows_from_traced_wakers)
{
	EXPORTED(p);
	CHECK_EQ(check_flows(p), ex.x.flows);
}

TEST(dropped_events_marker)
{
	EXPORTED(p);
	CHECK_EQ(count(p, "i", NULL, "concviz"), 1);
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
	RUN(dropped_events_marker);
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
