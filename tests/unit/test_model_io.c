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

int main(void)
{
	RUN(mux_by_api);
	cv_model_free(M);
	return CHECK_DONE();
}
