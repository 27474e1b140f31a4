/* test_report.c — the JSON summary parses, has docs/design.md's keys with the
 * exact values of a known synthetic model, nulls where stated, escaped comm;
 * the text report shows what it must. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/model.h"
#include "common/fmt.h"
#include "common/json.h"
#include "output/report.h"

#define PID 100
#define S 5000000000ULL

/* ---- a minimal strict JSON syntax checker ------------------------------- */

static const char *jp;
static int jdepth;

static void ws(void) { while (*jp == ' ' || *jp == '\n' || *jp == '\t' || *jp == '\r') jp++; }
static bool jvalue(void);

static bool jstring(void)
{
	if (*jp++ != '"')
		return false;
	while (*jp && *jp != '"') {
		unsigned char c = (unsigned char)*jp;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			jp++;
			if (*jp == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", jp[i]) || !jp[i])
						return false;
				jp += 5;
				continue;
			}
			if (!*jp || !strchr("\"\\/bfnrt", *jp))
				return false;
		}
		jp++;
	}
	return *jp++ == '"';
}

static bool jnumber(void)
{
	const char *s = jp;
	if (*jp == '-')
		jp++;
	if (*jp < '0' || *jp > '9')
		return false;
	if (*jp == '0' && jp[1] >= '0' && jp[1] <= '9')
		return false;
	while (*jp >= '0' && *jp <= '9')
		jp++;
	if (*jp == '.') {
		jp++;
		if (*jp < '0' || *jp > '9')
			return false;
		while (*jp >= '0' && *jp <= '9')
			jp++;
	}
	return jp > s;
}

static bool jvalue(void)
{
	ws();
	if (++jdepth > 32)
		return false;
	bool ok = true;
	if (*jp == '{') {
		jp++;
		ws();
		if (*jp == '}') {
			jp++;
		} else {
			for (;;) {
				ws();
				if (!jstring())
					return false;
				ws();
				if (*jp++ != ':' || !jvalue())
					return false;
				ws();
				if (*jp == ',') { jp++; continue; }
				if (*jp++ != '}')
					return false;
				break;
			}
		}
	} else if (*jp == '[') {
		jp++;
		ws();
		if (*jp == ']') {
			jp++;
		} else {
			for (;;) {
				if (!jvalue())
					return false;
				ws();
				if (*jp == ',') { jp++; continue; }
				if (*jp++ != ']')
					return false;
				break;
			}
		}
	} else if (*jp == '"') {
		ok = jstring();
	} else if (!strncmp(jp, "null", 4) || !strncmp(jp, "true", 4)) {
		jp += 4;
	} else if (!strncmp(jp, "false", 5)) {
		jp += 5;
	} else {
		ok = jnumber();
	}
	jdepth--;
	return ok;
}

static bool json_ok(const char *s)
{
	jp = s;
	jdepth = 0;
	if (!jvalue())
		return false;
	ws();
	return *jp == '\0';
}

/* ---- helpers ---------------------------------------------------------------- */

static char *capture(const struct cv_model *m, const struct cv_report_extra *x, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (json)
		cv_report_json(f, m, x);
	else
		cv_report_text(f, m, x);
	fclose(f);
	return buf;
}

static struct cv_model *M;
static void feed(struct cv_event e) { cv_model_feed(M, &e); }
static struct cv_event mk(uint16_t type, uint64_t ts, uint32_t tid)
{
	struct cv_event e;
	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts = S + ts;
	e.tid = tid;
	e.pid = PID;
	return e;
}

#define HAS(hay, needle) do { \
	bool has_ = (hay) && strstr((hay), (needle)) != NULL; \
	CHECK(has_); \
	if (!has_) CHECK_NOTE("missing: %s", (needle)); \
} while (0)
#define LACKS(hay, needle) CHECK(!(hay) || strstr((hay), (needle)) == NULL)

static const char *namer(void *ctx, uint32_t pid, uint64_t addr)
{
	(void)ctx;
	(void)pid;
	return addr == 0x1000 ? "counter_lock" : NULL;
}

/* A new model M of target PID (command cmd) whose thread 101, "main", began. */
static void start_model(const struct cv_model_hooks *h, const char *cmd)
{
	M = cv_model_new(h);
	cv_model_set_start(M, S);
	cv_model_set_target(M, PID, cmd);
	struct cv_event e = mk(CV_EV_TASK, 0, 101);
	e.flags = CV_TASK_PROCESS;
	strcpy(e.task.comm, "main");
	feed(e);
}

/* A known model: two threads, two locks, a deadlock, a receive, a drop. */
static void build(void)
{
	struct cv_model_hooks h = { .name_lock = namer };
	start_model(&h, "demo \"quoted\" arg");
	struct cv_event e = mk(CV_EV_TASK, 0, 102);
	memcpy(e.task.comm, "we\"ir\\d\n\x01\xff\xc3\xa9", 13); /* quote, backslash, ctl, bad and good UTF-8 */
	feed(e);
	e = mk(CV_EV_SWITCH, 0, 0);
	e.flags = CV_SW_NEXT_TRACED;
	e.sw.next_tid = 101;
	e.sw.next_pid = PID;
	feed(e);
	e.sw.next_tid = 102;
	feed(e);
	/* 101 waits for counter_lock held by 102; 102 waits for an unnamed lock held by 101 */
	e = mk(CV_EV_SWITCH, 100, 101);
	e.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED;
	e.sw.block = CV_BLK_FUTEX;
	e.sw.obj = 0x1000;
	e.sw.owner_tid = 102;
	feed(e);
	e = mk(CV_EV_RECV, 200, 102);
	e.recv.enter_ts = S + 150;
	e.recv.copy_ts = S + 190;
	e.recv.ret = 1234;
	feed(e);
	e = mk(CV_EV_SWITCH, 300, 102);
	e.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED;
	e.sw.block = CV_BLK_FUTEX;
	e.sw.obj = 0x2000;
	e.sw.owner_tid = 101;
	feed(e);
	e = mk(CV_EV_LOST, 400, 0);
	e.lost.count = 2;
	feed(e);
	feed(mk(CV_EV_END, 1000, 0));
}

TEST(json_summary)
{
	build();
	char *j = capture(M, NULL, true);
	CHECK(json_ok(j));
	HAS(j, "\"concviz\": 1");
	HAS(j, "\"duration_ns\": 1000,");
	HAS(j, "\"events\": 7,");
	HAS(j, "\"dropped_events\": 2,");
	HAS(j, "\"target\": {\"pid\": 100, \"command\": \"demo \\\"quoted\\\" arg\", \"exit_code\": null, \"exit_signal\": null}");
	LACKS(j, "bytes_per_event");
	HAS(j, "{\"tid\": 101, \"pid\": 100, \"comm\": \"main\"");
	HAS(j, "\"comm\": \"we\\\"ir\\\\d\\n\\u0001\\u00ff\xc3\xa9\"");
	HAS(j, "\"ctx_switches\": {\"voluntary\": 1, \"involuntary\": 0, \"unseen_switch_ins\": 0}");
	HAS(j, "\"kernel_clock\": null,"); /* no switch said the kernel's clock */
	HAS(j, "\"time_ns\": {\"running\": 100, \"runnable\": 0, \"wait_data\": 0, \"copy_data\": 0, "
	       "\"mux_wait\": 0, \"lock_wait\": 900, \"uring_wait\": 0, \"sleep\": 0}");
	HAS(j, "\"time_ns\": {\"running\": 290, \"runnable\": 0, \"wait_data\": 0, \"copy_data\": 10, "
	       "\"mux_wait\": 0, \"lock_wait\": 700, \"uring_wait\": 0, \"sleep\": 0}");
	HAS(j, "\"recv\": {\"calls\": 1, \"eagain\": 0, \"bytes\": 1234, \"blocked_calls\": 0, "
	       "\"by_kind\": {\"socket\": {\"calls\": 1, \"bytes\": 1234}, \"pipe\": {\"calls\": 0, "
	       "\"bytes\": 0}, \"mq\": {\"calls\": 0, \"bytes\": 0}}, \"by_fd\": [");
	HAS(j, "\"recv\": {\"calls\": 0, \"eagain\": 0, \"bytes\": 0, \"blocked_calls\": 0, ");
	HAS(j, "\"accept\": {\"calls\": 0, \"eagain\": 0, \"blocked_calls\": 0, \"wait_ns\": 0, "
	       "\"interrupted\": 0, \"eintr\": 0}");
	HAS(j, "\"mux\": {\"calls\": 0, \"wait_ns\": 0, \"by_api\": {\"select\": {\"calls\": 0, "
	       "\"wait_ns\": 0, \"nfds\": 0, \"ready\": 0, \"timeouts\": 0, \"errors\": 0}, ");
	HAS(j, "\"futex\": {\"waits\": 0, \"wait_ns\": 0, \"interrupted\": 0, \"eintr\": 0}");
	HAS(j, "\"uring\": {\"submitted\": 0, \"completed\": 0, \"async_wait_ns\": 0}");
	HAS(j, "{\"pid\": 100, \"addr\": \"0x1000\", \"name\": \"counter_lock\", \"waits\": 0, "
	       "\"wait_ns\": 0, \"max_wait_ns\": 0, \"max_waiters\": 1, \"owner_tid\": 102");
	HAS(j, "{\"pid\": 100, \"addr\": \"0x2000\", \"name\": null,");
	HAS(j, "\"deadlocks\": [\n    {\"threads\": [102, 101], \"locks\": [\"0x2000\", \"0x1000\"]");
	free(j);
	cv_model_free(M);
}

/* recording size, exit code */
TEST(json_size_and_exit_code)
{
	build();
	cv_model_set_target_exit(M, 0);
	struct cv_report_extra x = { .file_bytes = 700 };
	char *j = capture(M, &x, true);
	CHECK(json_ok(j));
	HAS(j, "\"bytes_per_event\": 100.00");
	HAS(j, "\"exit_code\": 0, \"exit_signal\": null}");
	free(j);
	cv_model_free(M);
}

TEST(text_report)
{
	build();
	cv_model_set_target_exit(M, 0);
	struct cv_report_extra x = { .file_bytes = 700 };
	char *t = capture(M, &x, false);
	HAS(t, "target pid 100");
	HAS(t, "exit status 0");
	HAS(t, "duration 1.0µs");
	HAS(t, "target pid 100 (demo \"quoted\" arg), exit status 0");
	HAS(t, "7 events, 2 dropped events");
	HAS(t, "100.0 bytes per event");
	HAS(t, "counter_lock");
	HAS(t, "0x2000");
	HAS(t, "DEADLOCKS (1)");
	HAS(t, "deadlock: T102 waits 0x2000 held by T101, T101 waits counter_lock held by T102");
	HAS(t, "we\"ir\\d???"); /* unprintable bytes shown as '?' */
	/* lines fit the terminal budget */
	int maxw = 0, w = 0;
	for (const char *p = t; *p; p++) {
		if (*p == '\n') {
			if (w > maxw)
				maxw = w;
			w = 0;
		} else if (((unsigned char)*p & 0xC0) != 0x80) {
			w++;
		}
	}
	CHECK(maxw <= 160);
	free(t);
	cv_model_free(M);
}

/* accepts and receives by kind: JSON keys and the text section */
TEST(accept_and_kinds)
{
	M = cv_model_new(NULL);
	cv_model_set_start(M, S);
	struct cv_event e = mk(CV_EV_RECV, 100, 101);
	e.recv.sys = CV_SYS_ACCEPT4;
	e.recv.enter_ts = S + 10;
	e.recv.ret = 5;
	e.flags = CV_CALL_BLOCKED;
	feed(e);
	e = mk(CV_EV_RECV, 120, 101);
	e.recv.sys = CV_SYS_ACCEPT;
	e.recv.enter_ts = S + 110;
	e.recv.ret = -CV_EAGAIN;
	feed(e);
	e = mk(CV_EV_RECV, 200, 101);
	e.recv.sys = CV_SYS_READ;
	e.flags = CV_CALL_PIPE;
	e.recv.enter_ts = S + 150;
	e.recv.copy_ts = S + 150;
	e.recv.ret = 300;
	feed(e);
	e = mk(CV_EV_RECV, 300, 101);
	e.recv.sys = CV_SYS_MQ_TIMEDRECEIVE;
	e.recv.enter_ts = S + 250;
	e.recv.ret = 40;
	feed(e);
	feed(mk(CV_EV_END, 1000, 0));
	char *j = capture(M, NULL, true);
	CHECK(json_ok(j));
	HAS(j, "\"recv\": {\"calls\": 2, \"eagain\": 0, \"bytes\": 340, \"blocked_calls\": 0, "
	       "\"by_kind\": {\"socket\": {\"calls\": 0, \"bytes\": 0}, \"pipe\": {\"calls\": 1, "
	       "\"bytes\": 300}, \"mq\": {\"calls\": 1, \"bytes\": 40}}, \"by_fd\": [");
	HAS(j, "\"accept\": {\"calls\": 2, \"eagain\": 1, \"blocked_calls\": 1, \"wait_ns\": 100, "
	       "\"interrupted\": 0, \"eintr\": 0}");
	free(j);
	char *t = capture(M, NULL, false);
	HAS(t, "ACCEPT AND RECEIVES BY KIND");
	HAS(t, "pipe 1/300");
	HAS(t, "mq 1/40");
	free(t);
	cv_model_free(M);
}

TEST(empty_model)
{
	M = cv_model_new(NULL);
	char *j = capture(M, NULL, true);
	CHECK(json_ok(j));
	HAS(j, "\"duration_ns\": 0");
	HAS(j, "\"dropped_events\": 0");
	HAS(j, "\"command\": \"\", \"exit_code\": null");
	HAS(j, "\"threads\": []");
	HAS(j, "\"locks\": []");
	HAS(j, "\"deadlocks\": []");
	free(j);
	char *t = capture(M, NULL, false);
	HAS(t, "0 dropped events"); /* always shown */
	HAS(t, "not exited");
	free(t);
	cv_model_free(M);
}

/* The traced time as the kernel's clock counts it, in JSON and in the text
 * report's table beside the kernel's own figures: a wait of 50 of which
 * the kernel counts 30 as run-queue delay (the other 20 as CPU time). */
TEST(kernel_clock_in_json_and_text)
{
	start_model(NULL, "demo");
	struct cv_event e = mk(CV_EV_SWITCH, 0, 0);
	e.flags = CV_SW_NEXT_TRACED | CV_SW_KCLOCK;
	e.sw.next_tid = 101;
	e.sw.next_pid = PID;
	feed(e);
	e = mk(CV_EV_SWITCH, 100, 101);
	e.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED | CV_SW_KCLOCK;
	feed(e);
	feed(mk(CV_EV_WAKEUP, 200, 101));
	e = mk(CV_EV_SWITCH, 250, 0);
	e.flags = CV_SW_NEXT_TRACED | CV_SW_KCLOCK;
	e.sw.next_tid = 101;
	e.sw.next_pid = PID;
	e.sw.next_run_delay = 30;
	feed(e);
	e = mk(CV_EV_EXIT, 1000, 101);
	e.exit.group_dead = 1;
	e.exit.kernel_cpu_ns = 2000000;
	e.exit.kernel_run_delay_ns = 3000000;
	e.exit.kernel_uncharged_ns = 40; /* the host took 40 of its running */
	feed(e);
	feed(mk(CV_EV_END, 1000, 0));
	char *j = capture(M, NULL, true);
	CHECK(json_ok(j));
	HAS(j, "\"kernel_clock\": {\"cpu_ns\": 830, \"run_delay_ns\": 30, \"runnable_as_cpu_ns\": 20, "
	       "\"running_as_sleep_ns\": 0, \"uncharged_ns\": 40, \"unseen_switches\": 0},");
	HAS(j, "\"kernel\": {\"cpu_ns\": 2000000, \"run_delay_ns\": 3000000},");
	free(j);
	char *t = capture(M, NULL, false);
	HAS(t, "by its clock");
	/* on cpu, by its clock, kernel; runnable, by its clock, kernel */
	HAS(t, "    101 main                 850ns        830ns      2.0ms       50ns         30ns      3.0ms\n");
	free(t);
	cv_model_free(M);
}

/* drops say where they happened: ring buffer, concviz's queue, or (an old
 * recording's) not said; the three add up to dropped_events */
TEST(drops_by_where)
{
	M = cv_model_new(NULL);
	static const struct { uint32_t where; uint64_t count; } lost[] = {
		{ CV_LOST_RING, 5 }, { CV_LOST_MEMORY, 3 }, { CV_LOST_UNKNOWN, 2 }, { CV_LOST_RING, 1 },
	};
	for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++) {
		struct cv_event e = mk(CV_EV_LOST, 10 + i, 0);
		e.lost.where = lost[i].where;
		e.lost.count = lost[i].count;
		feed(e);
	}
	feed(mk(CV_EV_END, 100, 0));
	char *j = capture(M, NULL, true);
	CHECK(json_ok(j));
	HAS(j, "\"dropped_events\": 11, \"dropped_in_ring_buffer\": 6, \"dropped_in_memory\": 3, "
	       "\"dropped_where_unknown\": 2, \"model_out_of_memory\": 0");
	free(j);
	char *t = capture(M, NULL, false);
	HAS(t, "11 dropped events (6 ring buffer full, 3 concviz's queue full, 2 where not recorded) "
	       "(counts may be low)");
	free(t);
	cv_model_free(M);

	M = cv_model_new(NULL); /* none dropped: the figure alone, the keys all 0 */
	feed(mk(CV_EV_END, 100, 0));
	j = capture(M, NULL, true);
	HAS(j, "\"dropped_events\": 0, \"dropped_in_ring_buffer\": 0, \"dropped_in_memory\": 0, "
	       "\"dropped_where_unknown\": 0,");
	free(j);
	t = capture(M, NULL, false);
	HAS(t, "0 dropped events, 0 threads");
	free(t);
	cv_model_free(M);
}

/* a live model (no END): duration and times run to now; owner unknown -> null */
TEST(live_model_runs_to_now)
{
	M = cv_model_new(NULL);
	cv_model_set_start(M, S);
	struct cv_event e = mk(CV_EV_SWITCH, 10, 0);
	e.flags = CV_SW_NEXT_TRACED;
	e.sw.next_tid = 7;
	e.sw.next_pid = PID;
	feed(e);
	e = mk(CV_EV_SWITCH, 20, 7);
	e.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED;
	e.sw.block = CV_BLK_FUTEX;
	e.sw.obj = 0xdeadbeef;
	feed(e);
	cv_model_advance(M, S + 2500000);
	char *j = capture(M, NULL, true);
	CHECK(json_ok(j));
	HAS(j, "\"duration_ns\": 2500000,");
	HAS(j, "\"comm\": \"\"");
	HAS(j, "\"lock_wait\": 2499980");
	HAS(j, "\"addr\": \"0xdeadbeef\", \"name\": null");
	HAS(j, "\"owner_tid\": null");
	free(j);
	char *t = capture(M, NULL, false);
	HAS(t, "duration 2.5ms");
	free(t);
	cv_model_free(M);
}

TEST(fmt_ns)
{
	char b[32];
	CHECK_STR(cv_fmt_dur(b, sizeof(b), 999, CV_UTF8), "999ns");
	CHECK_STR(cv_fmt_dur(b, sizeof(b), 1500, CV_UTF8), "1.5µs");
	CHECK_STR(cv_fmt_dur(b, sizeof(b), 12300000, CV_UTF8), "12.3ms");
	CHECK_STR(cv_fmt_dur(b, sizeof(b), 1230000000, CV_UTF8), "1.23s");
	CHECK_STR(cv_fmt_dur(b, sizeof(b), 125000000000ULL, CV_UTF8), "2m05s");
}

TEST(json_string_escapes)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	cv_json_string(f, "a\"b\\c\td\x7f");
	cv_json_string(f, NULL);
	fclose(f);
	CHECK_STR(s, "\"a\\\"b\\\\c\\td\\u007f\"\"\"");
	free(s);
}

/* a target whose leader exits with wait status 9 was killed by SIGKILL:
 * JSON and text say so beside the shell-style code 137 */
TEST(target_killed_by_signal)
{
	M = cv_model_new(NULL);
	cv_model_set_start(M, S);
	cv_model_set_target(M, PID, "victim");
	struct cv_event e = mk(CV_EV_EXIT, 500, PID);
	e.exit.exit_code = 9;
	e.exit.group_dead = 1;
	feed(e);
	feed(mk(CV_EV_END, 1000, 0));
	CHECK_EQ(cv_model_target_signal(M), 9);
	char *j = capture(M, NULL, true);
	CHECK(json_ok(j));
	HAS(j, "\"exit_code\": 137, \"exit_signal\": \"SIGKILL\"}");
	free(j);
	char *t = capture(M, NULL, false);
	HAS(t, "killed by SIGKILL (exit status 137)");
	free(t);
	cv_model_free(M);
}

/* the test's own JSON checker accepts and rejects what it should */
TEST(json_checker_self_test)
{
	CHECK(json_ok("{\"a\": [1, -2.5, null, true, false, \"x\\u00ff\"]}"));
	CHECK(!json_ok("{\"a\": [1,]}"));
	CHECK(!json_ok("{\"a\": \"\x01\"}"));
}

int main(void)
{
	RUN(json_summary);
	RUN(kernel_clock_in_json_and_text);
	RUN(drops_by_where);
	RUN(json_size_and_exit_code);
	RUN(target_killed_by_signal);
	RUN(text_report);
	RUN(accept_and_kinds);
	RUN(empty_model);
	RUN(live_model_runs_to_now);
	RUN(fmt_ns);
	RUN(json_string_escapes);
	RUN(json_checker_self_test);
	return CHECK_DONE();
}
