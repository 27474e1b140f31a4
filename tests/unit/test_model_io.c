/* test_model_io.c — the model's IO breakdowns on synthetic events, with exact
 * numbers: multiplexer calls by API, processes (parents, exit statuses,
 * short-lived helpers) and receives by descriptor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/model.h"

#define PID 100
#define S 1000000000ULL /* model start */

static struct cv_model *M;

static void feed(struct cv_event e) { cv_model_feed(M, &e); }

static struct cv_event mk(uint16_t type, uint64_t ts, uint32_t tid, uint32_t pid)
{
	struct cv_event e;
	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts = S + ts;
	e.tid = tid;
	e.pid = pid;
	return e;
}

static void fresh(void)
{
	cv_model_free(M);
	M = cv_model_new(NULL);
	cv_model_set_start(M, S);
}

static void mux(uint64_t ts, uint32_t tid, uint32_t sys, uint64_t enter, int64_t ret,
		uint32_t nfds, int64_t timeout_ms)
{
	struct cv_event e = mk(CV_EV_MUX, ts, tid, PID);
	e.mux.enter_ts = S + enter;
	e.mux.ret = ret;
	e.mux.sys = sys;
	e.mux.nfds = nfds;
	e.mux.timeout_ms = timeout_ms;
	feed(e);
}

static const struct cv_thread *T(uint32_t tid) { return cv_model_find_thread(M, tid); }

TEST(mux_by_api)
{
	fresh();
	mux(100, 101, CV_SYS_PSELECT6, 10, 2, 9, 500);   /* select: 2 ready of nfds 9 */
	mux(200, 101, CV_SYS_SELECT, 150, 0, 9, 500);    /* timed out */
	mux(300, 101, CV_SYS_POLL, 290, 1, 4, -1);
	mux(400, 101, CV_SYS_PPOLL, 350, -4, 4, 0);      /* EINTR */
	mux(500, 101, CV_SYS_EPOLL_WAIT, 480, 3, 32, 100);
	mux(600, 101, CV_SYS_EPOLL_PWAIT2, 590, 1, 32, -1);
	const struct cv_thread *t = T(101);
	CHECK_EQ(t->mux.calls, 6);
	CHECK_EQ(t->mux.wait_ns, 90 + 50 + 10 + 50 + 20 + 10);
	const struct cv_mux_api_stats *s = &t->mux.by_api[CV_MUX_SELECT];
	CHECK_EQ(s->calls, 2);
	CHECK_EQ(s->wait_ns, 140);
	CHECK_EQ(s->nfds, 18);
	CHECK_EQ(s->ready, 2);
	CHECK_EQ(s->timeouts, 1);
	CHECK_EQ(s->errors, 0);
	s = &t->mux.by_api[CV_MUX_POLL];
	CHECK_EQ(s->calls, 2);
	CHECK_EQ(s->ready, 1);
	CHECK_EQ(s->errors, 1);
	CHECK_EQ(s->timeouts, 0);
	s = &t->mux.by_api[CV_MUX_EPOLL];
	CHECK_EQ(s->calls, 2);
	CHECK_EQ(s->nfds, 64);
	CHECK_EQ(s->ready, 4);
	CHECK_EQ(s->wait_ns, 30);
	/* the newest record keeps the call's size and timeout */
	const struct cv_mux_rec *r = cv_model_thread_mux(M, t, 0);
	CHECK(r != NULL);
	CHECK_EQ(r->nfds, 32);
	CHECK_EQ(r->timeout_ms, -1);
	CHECK_EQ(cv_model_thread_mux(M, t, 5)->timeout_ms, 500);
	CHECK_STR(cv_mux_api_name(cv_mux_api_of(CV_SYS_EPOLL_PWAIT)), "epoll");
	CHECK_STR(cv_mux_api_name(cv_mux_api_of(CV_SYS_PSELECT6)), "select");
	CHECK_STR(cv_mux_api_name(cv_mux_api_of(CV_SYS_PPOLL)), "poll");
}

static void fork_ev(uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm)
{
	struct cv_event e = mk(CV_EV_TASK, ts, pid, pid);
	e.flags = CV_TASK_PROCESS;
	e.task.parent_tid = ppid;
	e.task.parent_pid = ppid;
	snprintf(e.task.comm, CV_COMM_LEN, "%s", comm);
	feed(e);
}

static void thread_ev(uint64_t ts, uint32_t tid, uint32_t pid)
{
	struct cv_event e = mk(CV_EV_TASK, ts, tid, pid);
	e.task.parent_tid = pid;
	e.task.parent_pid = pid;
	snprintf(e.task.comm, CV_COMM_LEN, "worker");
	feed(e);
}

static void comm_ev(uint64_t ts, uint32_t tid, uint32_t pid, const char *comm)
{
	struct cv_event e = mk(CV_EV_COMM, ts, tid, pid);
	snprintf(e.comm.comm, CV_COMM_LEN, "%s", comm);
	feed(e);
}

static void exit_ev(uint64_t ts, uint32_t tid, uint32_t pid, int status, bool last)
{
	struct cv_event e = mk(CV_EV_EXIT, ts, tid, pid);
	e.exit.exit_code = status;
	e.exit.group_dead = last;
	feed(e);
}

static const struct cv_process *P(size_t i) { return cv_model_process(M, i); }

TEST(processes)
{
	fresh();
	cv_model_set_target(M, PID, "sh");
	comm_ev(0, PID, PID, "sh");                  /* the target: first seen, no fork */
	fork_ev(1000, 200, PID, "sh");              /* a child that execs readlink … */
	comm_ev(2000, 200, 200, "readlink");
	exit_ev(3000000, 200, 200, 10 << 8, true);  /* … and exits 10 after 3 ms */
	fork_ev(4000000, 201, PID, "sh");           /* a child with a thread that receives */
	thread_ev(4001000, 202, 201);
	struct cv_event r = mk(CV_EV_RECV, 4002000, 202, 201);
	r.recv.enter_ts = S + 4001500;
	r.recv.ret = 8;
	r.recv.sys = CV_SYS_READ;
	r.flags = CV_CALL_PIPE;
	feed(r);
	exit_ev(4003000, 202, 201, 0, false);
	exit_ev(4004000, 201, 201, 9, true);        /* killed by SIGKILL */
	fork_ev(5000000, 200, PID, "sh");           /* pid 200 again: a new process */
	exit_ev(200000000, 200, 200, 12 << 8, true); /* lived 195 ms: not short */
	CHECK_EQ(cv_model_process_count(M), 4);
	CHECK_EQ(P(0)->pid, PID);
	CHECK_EQ(P(0)->ppid, 0);
	CHECK_STR(P(0)->comm, "sh");
	CHECK(!P(0)->exited);
	CHECK(!cv_model_process_short_lived(M, P(0)));
	CHECK_EQ(P(1)->pid, 200);
	CHECK_EQ(P(1)->ppid, PID);
	CHECK_STR(P(1)->comm, "readlink");
	CHECK(P(1)->exited);
	CHECK_EQ(P(1)->exit_status, 10 << 8);
	CHECK_EQ(P(1)->end_ts - P(1)->start_ts, 3000000 - 1000);
	CHECK(cv_model_process_short_lived(M, P(1)));
	CHECK_EQ(P(2)->pid, 201);
	CHECK_EQ(P(2)->threads, 2);
	CHECK_EQ(P(2)->traced_calls, 1);
	CHECK_EQ(P(2)->exit_status, 9);
	CHECK(!cv_model_process_short_lived(M, P(2))); /* it received: not a helper */
	CHECK_EQ(P(3)->pid, 200);
	CHECK_EQ(P(3)->exit_status, 12 << 8);
	CHECK(!cv_model_process_short_lived(M, P(3)));
	/* each thread record knows its own process, the reused pid too */
	CHECK(cv_model_thread_process(M, cv_model_find_thread(M, 202)) == P(2));
	CHECK(cv_model_thread_process(M, cv_model_find_thread(M, 200)) == P(3));
	CHECK(cv_model_thread_process(M, cv_model_thread(M, 1)) == P(1));
}

int main(void)
{
	RUN(mux_by_api);
	RUN(processes);
	cv_model_free(M);
	return CHECK_DONE();
}
