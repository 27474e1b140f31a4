/* test_model.c — the model on synthetic event sequences: every state
 * transition, counters, locks, deadlocks, io_uring, tid reuse, clamping,
 * the time invariant and the timeline buckets, with exact numbers. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/model.h"
#include "model/model_priv.h" /* two white-box checks of the timeline ring */

#define PID 100
#define S 1000000000ULL /* model start */
#define MS 1000000ULL

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

static void task(uint64_t ts, uint32_t tid, const char *comm, uint32_t flags)
{
	struct cv_event e = mk(CV_EV_TASK, ts, tid);
	e.flags = flags;
	e.task.parent_tid = PID;
	e.task.parent_pid = PID;
	snprintf(e.task.comm, CV_COMM_LEN, "%s", comm);
	feed(e);
}

static void seed(uint64_t ts, uint32_t tid, uint32_t flags, uint32_t block, uint64_t obj)
{
	struct cv_event e = mk(CV_EV_TASK, ts, tid);
	e.flags = CV_TASK_SEED | flags;
	e.task.seed_block = block;
	e.task.seed_obj = obj;
	strcpy(e.task.comm, "seeded");
	feed(e);
}

/* prev tid goes off CPU: blocked in `block` (obj, owner) or preempted (block < 0) */
static void off(uint64_t ts, uint32_t tid, int block, uint64_t obj, uint32_t owner)
{
	struct cv_event e = mk(CV_EV_SWITCH, ts, tid);
	e.flags = CV_SW_PREV_TRACED | (block < 0 ? CV_SW_PREEMPT : CV_SW_PREV_BLOCKED);
	e.sw.block = block < 0 ? CV_BLK_NONE : (uint32_t)block;
	e.sw.obj = obj;
	e.sw.owner_tid = owner;
	feed(e);
}

/* preempted in the middle of a receive's copy (block RECV_COPY, not blocked) */
static void off_preempt_copy(uint64_t ts, uint32_t tid, uint64_t copy_ts)
{
	struct cv_event e = mk(CV_EV_SWITCH, ts, tid);
	e.flags = CV_SW_PREV_TRACED | CV_SW_PREEMPT;
	e.sw.block = CV_BLK_RECV_COPY;
	e.sw.obj = copy_ts;
	feed(e);
}

static void on(uint64_t ts, uint32_t tid)
{
	struct cv_event e = mk(CV_EV_SWITCH, ts, 0);
	e.pid = 0;
	e.flags = CV_SW_NEXT_TRACED;
	e.sw.next_tid = tid;
	e.sw.next_pid = PID;
	feed(e);
}

static void wake(uint64_t ts, uint32_t tid, uint32_t waker)
{
	struct cv_event e = mk(CV_EV_WAKEUP, ts, tid);
	e.wake.waker_tid = waker;
	e.wake.waker_pid = waker ? PID : 0;
	feed(e);
}

/* a RECV event (a receive or, by sys, an accept) */
static void sys_ev(uint64_t ts, uint32_t tid, uint32_t sys, uint64_t enter, uint64_t copy,
		   int64_t ret, uint32_t flags)
{
	struct cv_event e = mk(CV_EV_RECV, ts, tid);
	e.flags = flags;
	e.recv.enter_ts = S + enter;
	e.recv.copy_ts = copy ? S + copy : 0;
	e.recv.ret = ret;
	e.recv.sys = sys;
	feed(e);
}

static void recv_ev(uint64_t ts, uint32_t tid, uint64_t enter, uint64_t copy, int64_t ret, uint32_t flags)
{
	sys_ev(ts, tid, CV_SYS_RECVFROM, enter, copy, ret, flags);
}

static void mux_ev(uint64_t ts, uint32_t tid, uint64_t enter)
{
	struct cv_event e = mk(CV_EV_MUX, ts, tid);
	e.flags = CV_CALL_BLOCKED;
	e.mux.enter_ts = S + enter;
	e.mux.ret = 1;
	e.mux.sys = CV_SYS_EPOLL_WAIT;
	feed(e);
}

static struct cv_event futex_mk(uint64_t ts, uint32_t tid, uint64_t enter, uint64_t addr,
			       int64_t ret, uint32_t waker, uint32_t flags)
{
	struct cv_event e = mk(CV_EV_FUTEX, ts, tid);
	e.flags = flags;
	e.futex.enter_ts = S + enter;
	e.futex.addr = addr;
	e.futex.ret = ret;
	e.futex.waker_tid = waker;
	e.futex.sys = CV_SYS_FUTEX;
	return e;
}

static void futex_ev(uint64_t ts, uint32_t tid, uint64_t enter, uint64_t addr, int64_t ret,
		     uint32_t owner, uint32_t waker, uint32_t flags)
{
	struct cv_event e = futex_mk(ts, tid, enter, addr, ret, waker, flags);
	e.futex.owner_tid = owner;
	feed(e);
}

/* blocked on the word at obj + off of a lock object of a kind */
static void off_lock(uint64_t ts, uint32_t tid, uint64_t obj, uint16_t off, uint8_t kind)
{
	struct cv_event e = mk(CV_EV_SWITCH, ts, tid);
	e.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED;
	e.sw.block = CV_BLK_FUTEX;
	e.sw.obj = obj + off;
	e.sw.obj_off = off;
	e.sw.lock_kind = kind;
	feed(e);
}

/* the futex wait on obj + off ends (ret 0 or -errno), woken by waker */
static void futex_lock_ev(uint64_t ts, uint32_t tid, uint64_t enter, uint64_t obj, uint16_t off,
			  uint8_t kind, int64_t ret, uint32_t waker)
{
	struct cv_event e = futex_mk(ts, tid, enter, obj + off, ret, waker, CV_CALL_BLOCKED);
	e.futex.obj_off = off;
	e.futex.kind = kind;
	feed(e);
}

static void exit_ev(uint64_t ts, uint32_t tid, int code)
{
	struct cv_event e = mk(CV_EV_EXIT, ts, tid);
	e.exit.exit_code = code;
	feed(e);
}

static void end_ev(uint64_t ts) { feed(mk(CV_EV_END, ts, 0)); }

static const struct cv_thread *T(uint32_t tid) { return cv_model_find_thread(M, tid); }

static uint64_t tm(uint32_t tid, enum cv_state st)
{
	uint64_t out[CV_ST_COUNT];
	const struct cv_thread *t = T(tid);
	if (!t)
		return ~0ULL;
	cv_model_thread_times(M, t, out);
	return out[st];
}

/* Every thread: closed time == its life (after END / exit). */
static void check_invariant(void)
{
	for (size_t i = 0; i < cv_model_thread_count(M); i++) {
		const struct cv_thread *t = cv_model_thread(M, i);
		uint64_t sum = 0, all[CV_ST_COUNT], sum_all = 0;
		for (int s = 0; s < CV_ST_COUNT; s++)
			sum += t->time_ns[s];
		uint64_t last = t->exited ? t->exit_ts : cv_model_end(M);
		CHECK_EQ(sum, last - t->first_ts);
		cv_model_thread_times(M, t, all);
		for (int s = 0; s < CV_ST_COUNT; s++)
			sum_all += all[s];
		CHECK_EQ(sum_all, sum);
	}
}

static void fresh(const struct cv_model_hooks *h)
{
	cv_model_free(M);
	M = cv_model_new(h);
	cv_model_set_start(M, S);
}

/* ---- tests ---------------------------------------------------------------- */

TEST(block_wake_preempt)
{
	fresh(NULL);
	task(0, 101, "worker", 0);
	CHECK_EQ(T(101)->state, CV_ST_RUNNABLE);
	CHECK_STR(T(101)->comm, "worker");
	on(10, 101);
	CHECK_EQ(T(101)->state, CV_ST_RUNNING);
	CHECK(T(101)->on_cpu);
	off(30, 101, CV_BLK_NONE, 0, 0);
	CHECK_EQ(T(101)->state, CV_ST_SLEEP);
	CHECK(!T(101)->on_cpu);
	wake(100, 101, 0);
	CHECK_EQ(T(101)->state, CV_ST_RUNNABLE);
	wake(101, 101, 0); /* already runnable: nothing */
	on(105, 101);
	off(125, 101, -1, 0, 0); /* preempted */
	CHECK_EQ(T(101)->state, CV_ST_RUNNABLE);
	on(130, 101);
	/* open segment counts up to now */
	CHECK_EQ(tm(101, CV_ST_RUNNING), 40);
	cv_model_advance(M, S + 150);
	CHECK_EQ(tm(101, CV_ST_RUNNING), 60);
	CHECK_EQ(cv_model_now(M), S + 150);
	cv_model_advance(M, S + 140); /* never backward */
	CHECK_EQ(cv_model_now(M), S + 150);
	/* one SWITCH with both sides traced: 101 blocks in a receive, 102 runs */
	struct cv_event e = mk(CV_EV_SWITCH, 180, 101);
	e.flags = CV_SW_PREV_TRACED | CV_SW_NEXT_TRACED | CV_SW_PREV_BLOCKED;
	e.sw.block = CV_BLK_RECV;
	e.sw.next_tid = 102;
	e.sw.next_pid = PID;
	feed(e);
	CHECK_EQ(T(101)->state, CV_ST_WAIT_DATA);
	CHECK_EQ(T(102)->state, CV_ST_RUNNING); /* auto-created */
	CHECK_STR(T(102)->comm, "");
	CHECK_EQ(T(102)->first_ts, S + 180);
	end_ev(200);
	CHECK_EQ(cv_model_end(M), S + 200);
	CHECK_EQ(tm(101, CV_ST_RUNNING), 20 + 20 + 50);
	CHECK_EQ(tm(101, CV_ST_RUNNABLE), 10 + 5 + 5);
	CHECK_EQ(tm(101, CV_ST_SLEEP), 70);
	CHECK_EQ(tm(101, CV_ST_WAIT_DATA), 20);
	CHECK_EQ(tm(102, CV_ST_RUNNING), 20);
	CHECK_EQ(T(101)->vcsw, 2);
	CHECK_EQ(T(101)->ivcsw, 1);
	CHECK_EQ(T(102)->vcsw + T(102)->ivcsw, 0);
	CHECK_EQ(cv_model_events(M), 9);
	CHECK_EQ(cv_model_thread_count(M), 2);
	CHECK_STR(cv_state_name(CV_ST_URING_WAIT), "uring_wait");
	CHECK_STR(cv_state_name(CV_ST_WAIT_DATA), "wait_data");
	check_invariant();
	/* nothing after END */
	on(300, 101);
	CHECK_EQ(cv_model_events(M), 9);
	check_invariant();
}

TEST(eagain_poll)
{
	fresh(NULL);
	task(0, 110, "poller", 0);
	on(0, 110);
	for (int i = 0; i < 5; i++)
		recv_ev(10 + i * 10, 110, 5 + i * 10, 0, -CV_EAGAIN, 0);
	CHECK_EQ(T(110)->eagain_streak, 5);
	recv_ev(100, 110, 90, 95, 300, 0);
	end_ev(120);
	const struct cv_thread *t = T(110);
	CHECK_EQ(t->recv.calls, 6);
	CHECK_EQ(t->recv.eagain, 5);
	CHECK_EQ(t->recv.bytes, 300);
	CHECK_EQ(t->recv.blocked_calls, 0);
	CHECK_EQ(t->eagain_streak, 0);
	/* EAGAIN polls are summarised, not recorded */
	CHECK(cv_model_thread_recv(M, t, 1) == NULL);
	const struct cv_recv_rec *r = cv_model_thread_recv(M, t, 0);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_EQ(r->eagain_before, 5);
	CHECK_EQ(r->ret, 300);
	CHECK_EQ(r->copy_ts, S + 95);
	CHECK_EQ(r->enter_ts, S + 90);
	CHECK_EQ(r->exit_ts, S + 100);
	CHECK_EQ(tm(110, CV_ST_WAIT_DATA), 0);
	CHECK_EQ(tm(110, CV_ST_COPY_DATA), 5);
	CHECK_EQ(tm(110, CV_ST_RUNNING), 115);
	CHECK_EQ(T(110)->vcsw + T(110)->ivcsw, 0);
	check_invariant();
}

/* history queries: newest first, the ring keeps the last CV_HIST_* records */
TEST(history)
{
	fresh(NULL);
	task(0, 150, "hist", 0);
	on(0, 150);
	CHECK(cv_model_thread_recv(M, T(150), 0) == NULL);
	CHECK(cv_model_thread_mux(M, T(150), 0) == NULL);
	CHECK(cv_model_thread_futex(M, T(150), 0) == NULL);
	CHECK(cv_model_thread_uring(M, T(150), 0) == NULL);
	for (int i = 1; i <= CV_HIST_RECV + 8; i++)
		recv_ev(10 * (uint64_t)i, 150, 10 * (uint64_t)i - 5, 0, i, 0);
	for (int i = 0; i < CV_HIST_RECV; i++) {
		const struct cv_recv_rec *r = cv_model_thread_recv(M, T(150), (size_t)i);
		CHECK(r != NULL);
		if (r)
			CHECK_EQ(r->ret, CV_HIST_RECV + 8 - i);
	}
	CHECK(cv_model_thread_recv(M, T(150), CV_HIST_RECV) == NULL);
	CHECK(cv_model_thread_recv(M, T(150), (size_t)-1) == NULL);
	for (int i = 1; i <= CV_HIST_MUX + 1; i++)
		mux_ev(1000 + 10 * (uint64_t)i, 150, 1000 + 10 * (uint64_t)i - 3);
	CHECK_EQ(cv_model_thread_mux(M, T(150), 0)->exit_ts, S + 1000 + 10 * (CV_HIST_MUX + 1));
	CHECK_EQ(cv_model_thread_mux(M, T(150), CV_HIST_MUX - 1)->exit_ts, S + 1020);
	CHECK(cv_model_thread_mux(M, T(150), CV_HIST_MUX) == NULL);
	end_ev(2000);
	check_invariant();
}

TEST(blocking_recv)
{
	fresh(NULL);
	task(0, 120, "blocking", 0);
	on(0, 120);
	off(20, 120, CV_BLK_RECV, 0, 0);       /* entered recvfrom at 10 */
	CHECK_EQ(T(120)->state, CV_ST_WAIT_DATA);
	CHECK_EQ(T(120)->block, CV_BLK_RECV);
	wake(120, 120, 0);
	on(130, 120);
	recv_ev(150, 120, 10, 140, 500, CV_CALL_BLOCKED);
	CHECK_EQ(T(120)->state, CV_ST_RUNNING);
	CHECK_EQ(T(120)->state_since, S + 150);
	end_ev(200);
	CHECK_EQ(tm(120, CV_ST_RUNNING), 20 + 10 + 50);
	CHECK_EQ(tm(120, CV_ST_WAIT_DATA), 100);
	CHECK_EQ(tm(120, CV_ST_RUNNABLE), 10);
	CHECK_EQ(tm(120, CV_ST_COPY_DATA), 10);
	CHECK_EQ(T(120)->recv.blocked_calls, 1);
	CHECK_EQ(T(120)->recv.bytes, 500);
	check_invariant();
}

/* accept blocks as wait_data (block ACCEPT: waiting for a connection), is
 * counted apart from receives: calls, EAGAIN polls, blocked calls, time in it */
TEST(accept_counts_and_waits)
{
	fresh(NULL);
	task(0, 130, "server", 0);
	on(0, 130);
	sys_ev(10, 130, CV_SYS_ACCEPT4, 5, 0, -CV_EAGAIN, 0);  /* a non-blocking poll */
	sys_ev(20, 130, CV_SYS_ACCEPT, 15, 0, -CV_EAGAIN, 0);
	off(40, 130, CV_BLK_ACCEPT, 0, 0);                      /* entered accept4 at 30 */
	CHECK_EQ(T(130)->state, CV_ST_WAIT_DATA);
	CHECK_EQ(T(130)->block, CV_BLK_ACCEPT);
	wake(140, 130, 0);
	on(150, 130);
	sys_ev(160, 130, CV_SYS_ACCEPT4, 30, 0, 4, CV_CALL_BLOCKED);
	CHECK_EQ(T(130)->state, CV_ST_RUNNING);
	end_ev(200);
	CHECK_EQ(T(130)->accept.calls, 3);
	CHECK_EQ(T(130)->accept.eagain, 2);
	CHECK_EQ(T(130)->accept.blocked_calls, 1);
	CHECK_EQ(T(130)->accept.wait_ns, 5 + 5 + 130);
	CHECK_EQ(T(130)->recv.calls, 0);    /* not a receive */
	CHECK_EQ(T(130)->recv.eagain, 0);
	CHECK(cv_model_thread_recv(M, T(130), 0) == NULL);
	CHECK_EQ(tm(130, CV_ST_WAIT_DATA), 100);
	CHECK_EQ(tm(130, CV_ST_SLEEP), 0);
	CHECK_EQ(tm(130, CV_ST_COPY_DATA), 0); /* accept has no copy phase */
	check_invariant();
}

/* a thread attach finds blocked in accept waits for a connection, until woken */
TEST(seeded_in_accept)
{
	fresh(NULL);
	seed(100, 132, 0, CV_BLK_ACCEPT, 0);
	CHECK_EQ(T(132)->state, CV_ST_WAIT_DATA);
	CHECK_EQ(T(132)->block, CV_BLK_ACCEPT);
	wake(300, 132, 0);
	CHECK_EQ(T(132)->state, CV_ST_RUNNABLE);
	on(310, 132);
	CHECK_EQ(T(132)->block, CV_BLK_NONE);
	/* its return: counted, the start not seen (enter_ts 0), no wait */
	struct cv_event a = mk(CV_EV_RECV, 320, 132);
	a.recv.sys = CV_SYS_ACCEPT;
	a.recv.ret = 5;
	feed(a);
	end_ev(400);
	CHECK_EQ(tm(132, CV_ST_WAIT_DATA), 200);
	CHECK_EQ(T(132)->accept.calls, 1);
	CHECK_EQ(T(132)->accept.blocked_calls, 0); /* no block of it was seen */
	CHECK_EQ(T(132)->accept.wait_ns, 0);
	check_invariant();

	/* seeded knowing the call (what /proc/PID/task/TID/syscall says): its
	 * return is a call that blocked, waiting from the seed on at least */
	fresh(NULL);
	struct cv_event e = mk(CV_EV_TASK, 100, 132);
	e.flags = CV_TASK_SEED;
	e.task.seed_block = CV_BLK_ACCEPT;
	e.task.seed_sys = CV_SYS_ACCEPT;
	feed(e);
	wake(300, 132, 0);
	on(310, 132);
	feed(a);
	a.ts = S + 350; /* the next one: its own, not blocked */
	feed(a);
	end_ev(400);
	CHECK_EQ(T(132)->accept.calls, 2);
	CHECK_EQ(T(132)->accept.blocked_calls, 1);
	CHECK_EQ(T(132)->accept.wait_ns, 220);
	check_invariant();
}

/* The probes see a call when it blocks and when it returns: one that did not
 * block has enter_ts 0 (start not seen).  Counted exactly, no wait; a
 * socket receive's copy still measured.  One whose copy came before its
 * block (MSG_WAITALL) waited for no data. */
TEST(calls_whose_start_was_not_seen)
{
	fresh(NULL);
	task(0, 133, "server", 0);
	on(0, 133);
	struct cv_event e = mk(CV_EV_RECV, 50, 133);   /* recvfrom, data there */
	e.recv.sys = CV_SYS_RECVFROM;
	e.recv.fd = 4;
	e.recv.copy_ts = S + 40;
	e.recv.ret = 100;
	feed(e);
	e = mk(CV_EV_MUX, 60, 133);                   /* epoll_wait, ready at once */
	e.mux.sys = CV_SYS_EPOLL_WAIT;
	e.mux.ret = 1;
	feed(e);
	e = futex_mk(70, 133, 0, 0x1000, 0, 0, 0);    /* futex wait, woken before it slept */
	e.futex.enter_ts = 0;
	feed(e);
	/* MSG_WAITALL: copied at 80, blocked at 90 for the rest, back at 150 */
	off(90, 133, CV_BLK_RECV_COPY, S + 80, 0);
	wake(140, 133, 0);
	on(150, 133);
	e = mk(CV_EV_RECV, 160, 133);
	e.flags = CV_CALL_BLOCKED;
	e.recv.sys = CV_SYS_RECVFROM;
	e.recv.fd = 4;
	e.recv.enter_ts = S + 90;
	e.recv.copy_ts = S + 80;
	e.recv.ret = 200;
	feed(e);
	end_ev(200);
	const struct cv_thread *t = T(133);
	CHECK_EQ(t->recv.calls, 2);
	CHECK_EQ(t->recv.bytes, 300);
	CHECK_EQ(t->recv.blocked_calls, 1);
	CHECK_EQ(t->mux.calls, 1);
	CHECK_EQ(t->mux.wait_ns, 0);
	CHECK_EQ(t->futex.waits, 1);
	CHECK_EQ(t->futex.wait_ns, 0);
	const struct cv_lock *l = cv_model_lock(M, 0);
	CHECK(l != NULL);
	if (l) {
		CHECK_EQ(l->waits, 1);
		CHECK_EQ(l->wait_ns, 0);
	}
	CHECK_EQ(cv_model_thread_fd_count(M, t), 1);
	const struct cv_fd_stats *f = cv_model_thread_fd(M, t, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(f->calls, 2);
		CHECK_EQ(f->wait_ns, 0); /* neither waited for data */
	}
	CHECK_EQ(tm(133, CV_ST_WAIT_DATA), 0);
	/* the first copy 40..50; the second from 80 to its exit at 160, blocked
	 * 90..140 in it, less 140..150 runnable */
	CHECK_EQ(tm(133, CV_ST_COPY_DATA), 10 + 10 + 50 + 10);
	CHECK_EQ(tm(133, CV_ST_RUNNABLE), 10);
	const struct cv_recv_rec *r = cv_model_thread_recv(M, t, 1);
	CHECK(r != NULL && r->enter_ts == 0 && r->copy_ts == S + 40);
	check_invariant();
}

/* pipe (flag PIPE) and mq receives: counted by kind; the copy phase is from
 * copy_ts (the switch-in after the wait; in recordings made with a sys_enter
 * probe, the enter when it did not block) */
TEST(pipe_and_mq_receives_by_kind)
{
	fresh(NULL);
	task(0, 131, "reader", 0);
	on(0, 131);
	off(20, 131, CV_BLK_RECV, 0, 0);                        /* read(pipe) at 10 */
	wake(100, 131, 0);
	on(110, 131);                                           /* BPF: copy_ts = 110 */
	sys_ev(130, 131, CV_SYS_READ, 10, 110, 64, CV_CALL_BLOCKED | CV_CALL_PIPE);
	CHECK_EQ(tm(131, CV_ST_WAIT_DATA), 80);
	CHECK_EQ(tm(131, CV_ST_RUNNABLE), 10);
	CHECK_EQ(tm(131, CV_ST_COPY_DATA), 20);
	sys_ev(150, 131, CV_SYS_READV, 140, 140, 16, CV_CALL_PIPE); /* data was there */
	CHECK_EQ(tm(131, CV_ST_COPY_DATA), 20 + 10);
	sys_ev(160, 131, CV_SYS_READ, 155, 0, -CV_EAGAIN, CV_CALL_PIPE);
	sys_ev(180, 131, CV_SYS_MQ_TIMEDRECEIVE, 170, 172, 100, 0);
	sys_ev(190, 131, CV_SYS_RECVFROM, 185, 188, 7, 0);
	end_ev(200);
	const struct cv_thread *t = T(131);
	CHECK_EQ(t->recv.calls, 5);
	CHECK_EQ(t->recv.eagain, 1);
	CHECK_EQ(t->recv.bytes, 64 + 16 + 100 + 7);
	CHECK_EQ(t->recv.blocked_calls, 1);
	CHECK_EQ(t->recv.by_kind[CV_RECV_PIPE].calls, 3);
	CHECK_EQ(t->recv.by_kind[CV_RECV_PIPE].bytes, 80);
	CHECK_EQ(t->recv.by_kind[CV_RECV_MQ].calls, 1);
	CHECK_EQ(t->recv.by_kind[CV_RECV_MQ].bytes, 100);
	CHECK_EQ(t->recv.by_kind[CV_RECV_SOCKET].calls, 1);
	CHECK_EQ(t->recv.by_kind[CV_RECV_SOCKET].bytes, 7);
	CHECK_EQ(cv_recv_kind_of(cv_model_thread_recv(M, t, 0)->sys,
				 cv_model_thread_recv(M, t, 0)->flags), CV_RECV_SOCKET);
	CHECK_EQ(cv_recv_kind_of(cv_model_thread_recv(M, t, 1)->sys,
				 cv_model_thread_recv(M, t, 1)->flags), CV_RECV_MQ);
	CHECK_EQ(cv_recv_kind_of(cv_model_thread_recv(M, t, 2)->sys,
				 cv_model_thread_recv(M, t, 2)->flags), CV_RECV_PIPE);
	CHECK(!strcmp(cv_recv_kind_name(CV_RECV_PIPE), "pipe"));
	CHECK(!strcmp(cv_recv_kind_name(CV_RECV_MQ), "mq"));
	check_invariant();
}

/* RECV_COPY: blocked after the copy started, then preempted mid-copy */
TEST(recv_copy_preempted)
{
	fresh(NULL);
	task(200, 121, "copier", 0);
	on(200, 121);
	off(250, 121, CV_BLK_RECV_COPY, S + 230, 0);
	CHECK_EQ(T(121)->state, CV_ST_COPY_DATA);
	CHECK_EQ(tm(121, CV_ST_RUNNING), 30);
	CHECK_EQ(tm(121, CV_ST_COPY_DATA), 20);
	wake(300, 121, 0);
	on(310, 121);
	recv_ev(320, 121, 220, 230, 4096, CV_CALL_BLOCKED); /* copy began before this on-CPU segment */
	CHECK_EQ(tm(121, CV_ST_COPY_DATA), 20 + 50 + 10);
	off_preempt_copy(420, 121, S + 300);             /* copy start < segment start (320) */
	CHECK_EQ(T(121)->state, CV_ST_RUNNABLE);
	CHECK_EQ(T(121)->ivcsw, 1);
	CHECK_EQ(T(121)->vcsw, 1);
	CHECK_EQ(tm(121, CV_ST_COPY_DATA), 80 + 100);
	CHECK_EQ(tm(121, CV_ST_RUNNING), 30);
	on(430, 121);
	off_preempt_copy(460, 121, S + 450);             /* split inside the segment */
	end_ev(500);
	CHECK_EQ(tm(121, CV_ST_RUNNING), 30 + 20);
	CHECK_EQ(tm(121, CV_ST_COPY_DATA), 180 + 10);
	CHECK_EQ(tm(121, CV_ST_RUNNABLE), 10 + 10 + 40);
	CHECK_EQ(tm(121, CV_ST_WAIT_DATA), 0);
	check_invariant();
}

TEST(mux_then_recv)
{
	fresh(NULL);
	task(0, 130, "mux", 0);
	on(0, 130);
	off(15, 130, CV_BLK_MUX, 0, 0);
	CHECK_EQ(T(130)->state, CV_ST_MUX_WAIT);
	wake(115, 130, 0);
	on(120, 130);
	mux_ev(125, 130, 10);
	recv_ev(130, 130, 126, 128, 64, 0);
	end_ev(140);
	CHECK_EQ(T(130)->mux.calls, 1);
	CHECK_EQ(T(130)->mux.wait_ns, 115);
	CHECK(cv_model_thread_mux(M, T(130), 1) == NULL);
	CHECK(cv_model_thread_mux(M, T(130), 0) != NULL);
	CHECK_EQ(cv_model_thread_mux(M, T(130), 0)->enter_ts, S + 10);
	CHECK_EQ(cv_model_thread_mux(M, T(130), 0)->exit_ts, S + 125);
	CHECK_EQ(tm(130, CV_ST_MUX_WAIT), 100);
	CHECK_EQ(tm(130, CV_ST_RUNNABLE), 5);
	CHECK_EQ(tm(130, CV_ST_COPY_DATA), 2);
	CHECK_EQ(tm(130, CV_ST_RUNNING), 15 + 8 + 10);
	CHECK_EQ(tm(130, CV_ST_WAIT_DATA), 0);
	CHECK_EQ(T(130)->recv.calls, 1);
	check_invariant();
}

static int name_calls;
static const char *namer(void *ctx, uint32_t pid, uint64_t addr)
{
	(void)ctx;
	(void)pid;
	name_calls++;
	return addr == 0x1000 ? "queue_lock" : NULL;
}

TEST(futex_locks)
{
	struct cv_model_hooks h = { .name_lock = namer };
	name_calls = 0;
	fresh(&h);
	const uint64_t L = 0x1000;
	task(0, 201, "owner", 0);
	for (uint32_t tid = 202; tid <= 204; tid++) {
		task(0, tid, "waiter", 0);
		on(1, tid);
	}
	on(1, 201);
	off(10, 202, CV_BLK_FUTEX, L, 201);
	off(20, 203, CV_BLK_FUTEX, L, 201);
	off(30, 204, CV_BLK_FUTEX, L, 201);
	const struct cv_lock *l = cv_model_find_lock(M, PID, L);
	CHECK(l != NULL);
	if (!l)
		return;
	CHECK_EQ(name_calls, 1);
	CHECK_STR(l->name, "queue_lock");
	CHECK_EQ(l->cur_waiters, 3);
	CHECK_EQ(l->max_waiters, 3);
	CHECK_EQ(l->owner_tid, 201);
	CHECK_EQ(T(203)->state, CV_ST_LOCK_WAIT);
	CHECK_EQ(T(203)->block_obj, L);
	CHECK_EQ(T(203)->block_owner, 201);
	CHECK_EQ(cv_model_lock_count(M), 1);

	wake(50, 202, 201);
	on(55, 202);
	futex_ev(60, 202, 5, L, 0, 201, 0, CV_CALL_BLOCKED | CV_CALL_IS_MUTEX);
	CHECK_EQ(l->cur_waiters, 2);
	CHECK_EQ(T(202)->futex.waits, 1);
	CHECK_EQ(T(202)->futex.wait_ns, 55);
	const struct cv_futex_rec *fr = cv_model_thread_futex(M, T(202), 0);
	CHECK(fr != NULL && cv_model_thread_futex(M, T(202), 1) == NULL);
	if (!fr)
		return;
	CHECK_EQ(fr->waker_tid, 201); /* remembered from the WAKEUP */
	CHECK_EQ(fr->owner_tid, 201);
	CHECK_EQ(fr->addr, L);
	CHECK(l->is_mutex);

	wake(70, 203, 202);
	on(72, 203);
	futex_ev(80, 203, 15, L, 0, 201, 202, CV_CALL_BLOCKED);
	CHECK(cv_model_thread_futex(M, T(203), 0) != NULL);
	CHECK_EQ(cv_model_thread_futex(M, T(203), 0)->waker_tid, 202);
	CHECK_EQ(l->cur_waiters, 1);

	exit_ev(90, 204, 0); /* exits mid-wait */
	CHECK(T(204)->exited);
	CHECK_EQ(T(204)->exit_ts, S + 90);
	CHECK_EQ(l->cur_waiters, 0);
	CHECK_EQ(tm(204, CV_ST_LOCK_WAIT), 60);
	off(91, 204, CV_BLK_NONE, 0, 0); /* the final switch after exit: ignored */
	CHECK_EQ(T(204)->vcsw, 1);

	CHECK_EQ(l->waits, 2);
	CHECK_EQ(l->wait_ns, 55 + 65);
	CHECK_EQ(l->max_wait_ns, 65);
	CHECK_EQ(l->max_waiters, 3);
	CHECK_EQ(tm(202, CV_ST_LOCK_WAIT), 40);
	CHECK_EQ(tm(203, CV_ST_LOCK_WAIT), 50);

	/* an EAGAIN futex wait is no wait and creates no lock */
	futex_ev(95, 201, 94, 0x2000, -CV_EAGAIN, 0, 0, 0);
	CHECK_EQ(T(201)->futex.waits, 0);
	CHECK(cv_model_find_lock(M, PID, 0x2000) == NULL);
	/* owner that is self / unknown is ignored */
	futex_ev(96, 201, 95, L, 0, 201, 0, 0);
	futex_ev(97, 201, 96, L, 0, 999, 0, 0);
	CHECK_EQ(l->owner_tid, 201);
	CHECK_EQ(l->waits, 4);

	/* leaving a waiter set by blocking on something else */
	off(100, 202, CV_BLK_FUTEX, L, 0);
	CHECK_EQ(l->cur_waiters, 1);
	off(100, 202, CV_BLK_FUTEX, L, 0); /* same lock again: still one */
	CHECK_EQ(l->cur_waiters, 1);
	wake(110, 202, 0);
	on(111, 202);
	off(120, 202, CV_BLK_NONE, 0, 0);
	CHECK_EQ(l->cur_waiters, 0);
	CHECK_EQ(l->max_waiters, 3);

	/* seeded thread blocked in a futex joins the waiter set */
	seed(130, 205, 0, CV_BLK_FUTEX, L);
	CHECK(T(205)->seeded);
	CHECK_EQ(T(205)->state, CV_ST_LOCK_WAIT);
	CHECK_EQ(T(205)->block_obj, L);
	CHECK_EQ(l->cur_waiters, 1);
	seed(130, 206, CV_TASK_SEED_ONCPU, CV_BLK_NONE, 0);
	CHECK_EQ(T(206)->state, CV_ST_RUNNING);
	CHECK(T(206)->on_cpu);
	seed(130, 207, 0, CV_BLK_MUX, 0);
	CHECK_EQ(T(207)->state, CV_ST_MUX_WAIT);

	/* names given later replace; names given before first sighting apply */
	cv_model_set_lock_name(M, PID, 0x3000, "early");
	off(140, 201, CV_BLK_FUTEX, 0x3000, 0);
	CHECK_STR(cv_model_find_lock(M, PID, 0x3000)->name, "early");
	CHECK_EQ(name_calls, 1); /* the hook is not asked when a name is known */
	cv_model_set_lock_name(M, PID, L, "renamed");
	CHECK_STR(l->name, "renamed");
	CHECK_EQ(cv_model_lock_count(M), 2);
	CHECK(cv_model_lock(M, 0) == l);
	end_ev(200);
	check_invariant();
}

/* A cycle of known holders is confirmed once it still holds
 * CV_CYCLE_CONFIRM_NS later: the model's clock moves on by advance(). */
static void settle(uint64_t ts)
{
	cv_model_advance(M, S + ts);
}

TEST(deadlock_cycles)
{
	fresh(NULL);
	task(0, 301, "a", 0);
	task(0, 302, "b", 0);
	on(1, 301);
	on(1, 302);
	off(10, 301, CV_BLK_FUTEX, 0xA, 302);
	settle(200 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	off(200 * MS + 20, 302, CV_BLK_FUTEX, 0xB, 301);
	CHECK_EQ(cv_model_deadlock_count(M), 0); /* not yet: a wakeup may be in flight */
	settle(400 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 1);
	const struct cv_deadlock *d = cv_model_deadlock(M, 0);
	CHECK(d != NULL);
	if (d) {
		CHECK_EQ(d->n, 2);
		CHECK_EQ(d->tids[0], 302);
		CHECK_EQ(d->addrs[0], 0xB);
		CHECK_EQ(d->tids[1], 301);
		CHECK_EQ(d->addrs[1], 0xA);
		CHECK_EQ(d->pids[0], PID);
		CHECK_EQ(d->ts, S + 200 * MS + 20);
	}
	/* the same cycle again is recorded once */
	wake(500 * MS, 301, 0);
	wake(500 * MS, 302, 0);
	on(501 * MS, 301);
	on(501 * MS, 302);
	off(510 * MS, 301, CV_BLK_FUTEX, 0xA, 302);
	off(511 * MS, 302, CV_BLK_FUTEX, 0xB, 301);
	settle(700 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 1);

	/* a chain 401 -> C(402) -> D(403), 403 running: no deadlock */
	task(800 * MS, 401, "c1", 0);
	task(800 * MS, 402, "c2", 0);
	task(800 * MS, 403, "c3", 0);
	on(801 * MS, 401);
	on(801 * MS, 402);
	on(801 * MS, 403);
	off(810 * MS, 402, CV_BLK_FUTEX, 0xD, 403);
	off(811 * MS, 401, CV_BLK_FUTEX, 0xC, 402);
	off(812 * MS, 403, CV_BLK_NONE, 0, 0);
	settle(1000 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 0 + 1);
	/* a cycle not through the blocking thread is not reported for it */
	task(1100 * MS, 501, "x", 0);
	on(1101 * MS, 501);
	off(1102 * MS, 501, CV_BLK_FUTEX, 0xA, 301); /* 301 is in the 301/302 cycle */
	settle(1300 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 1);
	/* a 3-cycle */
	task(1400 * MS, 601, "p", 0);
	task(1400 * MS, 602, "q", 0);
	task(1400 * MS, 603, "r", 0);
	on(1401 * MS, 601);
	on(1401 * MS, 602);
	on(1401 * MS, 603);
	off(1410 * MS, 601, CV_BLK_FUTEX, 0x61, 602);
	off(1411 * MS, 602, CV_BLK_FUTEX, 0x62, 603);
	settle(1600 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 1);
	off(1612 * MS, 603, CV_BLK_FUTEX, 0x63, 601);
	settle(1800 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 2);
	d = cv_model_deadlock(M, 1);
	if (d) {
		CHECK_EQ(d->n, 3);
		CHECK_EQ(d->tids[0], 603);
		CHECK_EQ(d->tids[1], 601);
		CHECK_EQ(d->tids[2], 602);
		CHECK_EQ(d->addrs[2], 0x62);
		CHECK_EQ(d->ts, S + 1612 * MS);
	}
	/* a cycle seen as 701 blocks while its holder's wakeup is still on its
	 * way (woken on another CPU, enqueued 5 µs later): no deadlock */
	task(1900 * MS, 701, "w", 0);
	task(1900 * MS, 702, "h", 0);
	on(1901 * MS, 701);
	on(1901 * MS, 702);
	off(1902 * MS, 702, CV_BLK_FUTEX, 0x71, 701); /* waits for what 701 holds */
	off(1910 * MS, 701, CV_BLK_FUTEX, 0x72, 702); /* 701 released 0x71 just before */
	wake(1910 * MS + 5000, 702, 701);
	settle(2100 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 2);
	end_ev(2200 * MS);
	check_invariant();
}

/* the wait chain from tid now; false if it waits for no lock */
static bool chain_of(uint32_t tid, struct cv_wait_chain *c)
{
	return cv_model_wait_chain(M, T(tid), c);
}

/* the listed chains' first tids, in order; returns how many */
static size_t chain_heads(uint32_t *heads, size_t max, struct cv_wait_chain *all)
{
	size_t n = 0;
	struct cv_wait_chain c;
	for (size_t cur = 0; cv_model_wait_chain_next(M, &cur, &c);) {
		if (n < max) {
			heads[n] = c.link[0].tid;
			all[n] = c;
		}
		n++;
	}
	return n;
}

TEST(wait_chains)
{
	struct cv_wait_chain c, all[8];
	uint32_t heads[8];
	fresh(NULL);
	for (uint32_t tid = 801; tid <= 804; tid++)
		task(0, tid, "chain", 0);
	for (uint32_t tid = 811; tid <= 813; tid++)
		task(0, tid, "cycle", 0);
	for (uint32_t tid = 801; tid <= 813; tid++)
		on(1, tid);
	CHECK_EQ(chain_heads(heads, 8, all), 0);
	/* 801 -> A held by 802 -> B held by 803, which runs */
	off(10, 802, CV_BLK_FUTEX, 0xB, 803);
	off(11, 801, CV_BLK_FUTEX, 0xA, 802);
	/* 804 waits for C, holder unknown */
	off(12, 804, CV_BLK_FUTEX, 0xC, 0);
	/* 811 <-> 812 deadlock; 813 waits for 812's lock, outside the cycle */
	off(20, 811, CV_BLK_FUTEX, 0xD, 812);
	off(21, 812, CV_BLK_FUTEX, 0xE, 811);
	off(22, 813, CV_BLK_FUTEX, 0xF, 812);
	settle(200 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 1);

	CHECK(!chain_of(803, &c)); /* running: no chain */
	CHECK(chain_of(801, &c));
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.end, CV_CHAIN_HOLDER);
	CHECK_EQ(c.link[0].tid, 801);
	CHECK_EQ(c.link[0].pid, PID);
	CHECK_EQ(c.link[0].addr, 0xA);
	CHECK_EQ(c.link[0].holder, 802);
	CHECK_EQ(c.link[1].tid, 802);
	CHECK_EQ(c.link[1].addr, 0xB);
	CHECK_EQ(c.link[1].holder, 803);
	CHECK(chain_of(804, &c));
	CHECK_EQ(c.n, 1);
	CHECK_EQ(c.link[0].holder, 0);
	CHECK_EQ(c.end, CV_CHAIN_HOLDER);
	CHECK(chain_of(812, &c));
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.end, CV_CHAIN_CYCLE);
	CHECK_EQ(c.cycle_at, 0);
	CHECK_EQ(c.link[1].tid, 811);
	CHECK(chain_of(813, &c));
	CHECK_EQ(c.n, 3);
	CHECK_EQ(c.end, CV_CHAIN_CYCLE);
	CHECK_EQ(c.cycle_at, 1); /* runs into the 812/811 cycle */

	/* listed once each: 802 is inside 801's chain, the cycle from 811 */
	CHECK_EQ(chain_heads(heads, 8, all), 4);
	CHECK_EQ(heads[0], 801);
	CHECK_EQ(heads[1], 804);
	CHECK_EQ(heads[2], 811);
	CHECK_EQ(all[2].end, CV_CHAIN_CYCLE);
	CHECK_EQ(all[2].n, 2);
	CHECK_EQ(heads[3], 813);

	/* 801 is woken: 802 heads its own chain now */
	wake(300 * MS, 801, 802);
	CHECK(!chain_of(801, &c));
	CHECK_EQ(chain_heads(heads, 8, all), 4);
	CHECK_EQ(heads[0], 802);
	/* the holder exits: the chain ends there */
	exit_ev(310 * MS, 803, 0);
	CHECK(chain_of(802, &c));
	CHECK_EQ(c.n, 1);
	CHECK_EQ(c.link[0].holder, 803);
	CHECK(T(803)->exited);
	CHECK_EQ(cv_model_deadlock_count(M), 1);
	end_ev(400 * MS);
	check_invariant();
}

/* 17 waiters in a row: a chain is cut at CV_CHAIN_MAX links */
TEST(wait_chain_long)
{
	struct cv_wait_chain c, all[2];
	uint32_t heads[2];
	fresh(NULL);
	for (uint32_t i = 0; i < 18; i++) {
		task(40, 900 + i, "row", 0);
		on(41, 900 + i);
	}
	for (uint32_t i = 17; i-- > 0;)
		off(50 + i, 900 + i, CV_BLK_FUTEX, 0x900 + i, 901 + i);
	CHECK(chain_of(900, &c));
	CHECK_EQ(c.n, CV_CHAIN_MAX);
	CHECK_EQ(c.end, CV_CHAIN_LONG);
	CHECK_EQ(c.link[CV_CHAIN_MAX - 1].holder, 900 + CV_CHAIN_MAX);
	CHECK(chain_of(901, &c));
	CHECK_EQ(c.n, 16);
	CHECK_EQ(c.end, CV_CHAIN_HOLDER); /* 901 … 916, held by 917 which runs */
	CHECK_EQ(chain_heads(heads, 2, all), 1);
	CHECK_EQ(heads[0], 900);
	CHECK_EQ(all[0].end, CV_CHAIN_LONG);
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	end_ev(100);
	check_invariant();
}

TEST(uring_completions)
{
	fresh(NULL);
	task(0, 701, "uring", 0);
	on(0, 701);
	for (int i = 1; i <= 3; i++)
		feed(mk(CV_EV_URING_SUBMIT, 10 * i, 701));
	CHECK_EQ(T(701)->uring.submitted, 3);
	CHECK_EQ(T(701)->uring.inflight, 3);
	off(40, 701, CV_BLK_URING, 0, 0);
	CHECK_EQ(T(701)->state, CV_ST_URING_WAIT);
	struct cv_event c = mk(CV_EV_URING_COMPLETE, 110, 701);
	c.ucomplete.submit_ts = S + 10;
	c.ucomplete.user_data = 7;
	c.ucomplete.res = 64;
	feed(c);
	c.ts = S + 130;
	c.ucomplete.submit_ts = S + 30;
	feed(c);
	c.ucomplete.submit_ts = 0; /* submit not seen */
	feed(c);
	CHECK_EQ(T(701)->uring.inflight, 0);
	feed(c);
	CHECK_EQ(T(701)->uring.inflight, 0);
	CHECK_EQ(T(701)->uring.completed, 4);
	CHECK_EQ(T(701)->uring.async_wait_ns, 200);
	CHECK(cv_model_thread_uring(M, T(701), 4) == NULL);
	CHECK(cv_model_thread_uring(M, T(701), 3) != NULL); /* 4 kept, the oldest is 3 */
	CHECK_EQ(cv_model_thread_uring(M, T(701), 3)->res, 64);
	CHECK_EQ(cv_model_thread_uring(M, T(701), 3)->complete_ts, S + 110);
	wake(135, 701, 0);
	on(140, 701);
	end_ev(150);
	CHECK_EQ(tm(701, CV_ST_URING_WAIT), 95);
	check_invariant();
}

TEST(lost_events_and_comm)
{
	fresh(NULL);
	struct cv_event e = mk(CV_EV_LOST, 5, 0);
	e.lost.count = 5;
	feed(e);
	e.lost.count = 7;
	feed(e);
	task(10, 801, "x", 0);
	struct cv_event cm = mk(CV_EV_COMM, 20, 801);
	strcpy(cm.comm.comm, "renamed");
	feed(cm);
	end_ev(30);
	CHECK_EQ(cv_model_dropped(M), 12);
	e.lost.count = 1; /* a drop count read after END still counts */
	feed(e);
	CHECK_EQ(cv_model_dropped(M), 13);
	CHECK_EQ(cv_model_dropped_where(M, CV_LOST_UNKNOWN), 13); /* where not said */
	e.lost.where = CV_LOST_MEMORY;
	e.lost.count = 4;
	feed(e);
	e.lost.where = CV_LOST_RING;
	e.lost.count = 6;
	feed(e);
	e.lost.where = 77; /* a kind this reader does not know: not said */
	e.lost.count = 1;
	feed(e);
	CHECK_EQ(cv_model_dropped(M), 24);
	CHECK_EQ(cv_model_dropped_where(M, CV_LOST_RING), 6);
	CHECK_EQ(cv_model_dropped_where(M, CV_LOST_MEMORY), 4);
	CHECK_EQ(cv_model_dropped_where(M, CV_LOST_UNKNOWN), 14);
	CHECK_EQ(cv_model_end(M), S + 30);
	CHECK_EQ(cv_model_events(M), 2);
	CHECK_STR(T(801)->comm, "renamed");
	check_invariant();
}

/* ---- signals: an exit with a restart code is held until the next call
 * exit (or the thread's end) says what the program saw ---- */

static struct cv_event pipe_read(uint64_t ts, uint32_t tid, uint32_t fd, uint64_t enter,
				 uint64_t copy, int64_t ret)
{
	struct cv_event e = mk(CV_EV_RECV, ts, tid);
	e.flags = CV_CALL_PIPE | (enter ? CV_CALL_BLOCKED : 0);
	e.recv.enter_ts = enter ? S + enter : 0;
	e.recv.copy_ts = copy ? S + copy : 0;
	e.recv.ret = ret;
	e.recv.fd = fd;
	e.recv.ino = 1000 + fd;
	e.recv.sys = CV_SYS_READ;
	return e;
}

static void feed_checked(struct cv_event e, enum cv_call_signal want)
{
	feed(e);
	CHECK_EQ(cv_model_call_signal(M, &e), want);
}

/* read() restarted twice (SA_RESTART): one call, its data, its start the
 * first block; the restart code is no result */
TEST(signal_restarted_read_is_one_call)
{
	fresh(NULL);
	task(0, 901, "reader", 0);
	on(1, 901);
	off(10, 901, CV_BLK_RECV, 0, 0);
	wake(20, 901, 0);
	on(21, 901);
	feed_checked(pipe_read(22, 901, 3, 10, 0, -CV_ERESTARTSYS), CV_CALLSIG_UNRESOLVED);
	CHECK_EQ(T(901)->recv.calls, 0); /* not known yet */
	CHECK_EQ(T(901)->recv.sig.interrupted, 1);
	off(30, 901, CV_BLK_RECV, 0, 0);
	wake(40, 901, 0);
	on(41, 901);
	feed_checked(pipe_read(42, 901, 3, 30, 0, -CV_ERESTARTSYS), CV_CALLSIG_UNRESOLVED);
	off(50, 901, CV_BLK_RECV, 0, 0);
	wake(60, 901, 0);
	on(61, 901);
	feed_checked(pipe_read(70, 901, 3, 50, 61, 64), CV_CALLSIG_RESTARTED);
	const struct cv_thread *t = T(901);
	CHECK_EQ(t->recv.calls, 1);
	CHECK_EQ(t->recv.bytes, 64);
	CHECK_EQ(t->recv.blocked_calls, 1);
	CHECK_EQ(t->recv.by_kind[CV_RECV_PIPE].calls, 1);
	CHECK_EQ(t->recv.sig.interrupted, 2);
	CHECK_EQ(t->recv.sig.eintr, 0);
	const struct cv_recv_rec *r = cv_model_thread_recv(M, t, 0);
	CHECK(r && r->ret == 64 && r->signal == CV_CALLSIG_RESTARTED && r->interruptions == 2);
	CHECK(r && r->enter_ts == S + 10 && r->exit_ts == S + 70);
	CHECK(cv_model_thread_recv(M, t, 1) == NULL);
	const struct cv_fd_stats *f = cv_model_thread_fd(M, t, 0);
	CHECK(f && f->calls == 1 && f->bytes == 64 && f->wait_ns == 51); /* first block .. copy */
	char b[64];
	CHECK_STR(cv_call_signal_text(CV_CALLSIG_RESTARTED, 2, b, sizeof(b)), "restarted after 2 signals");
	end_ev(100);
	CHECK_EQ(T(901)->recv.calls, 1);
	check_invariant();
}

/* Without SA_RESTART the program got EINTR: the next call is another one
 * (here the control pipe), and the interrupted read counts as a call that
 * failed so; a call that returned -EINTR itself is one too. */
TEST(signal_eintr_is_a_failed_call)
{
	fresh(NULL);
	task(0, 902, "reader", 0);
	on(1, 902);
	off(10, 902, CV_BLK_RECV, 0, 0);
	wake(20, 902, 0);
	on(21, 902);
	feed(pipe_read(22, 902, 3, 10, 0, -CV_ERESTARTSYS));
	feed_checked(pipe_read(30, 902, 5, 0, 0, 1), CV_CALLSIG_NONE);
	const struct cv_thread *t = T(902);
	CHECK_EQ(t->recv.calls, 2);
	CHECK_EQ(t->recv.bytes, 1);
	CHECK_EQ(t->recv.sig.interrupted, 1);
	CHECK_EQ(t->recv.sig.eintr, 1);
	const struct cv_recv_rec *r = cv_model_thread_recv(M, t, 1);
	CHECK(r && r->ret == -CV_EINTR && r->signal == CV_CALLSIG_EINTR && r->interruptions == 1);
	/* epoll_wait returns -EINTR itself */
	struct cv_event e = mk(CV_EV_MUX, 40, 902);
	e.mux.ret = -CV_EINTR;
	e.mux.sys = CV_SYS_EPOLL_WAIT;
	feed(e);
	CHECK_EQ(t->mux.calls, 1);
	CHECK_EQ(t->mux.sig.interrupted, 1);
	CHECK_EQ(t->mux.sig.eintr, 1);
	CHECK_EQ(t->mux.by_api[CV_MUX_EPOLL].errors, 1);
	const struct cv_mux_rec *mr = cv_model_thread_mux(M, t, 0);
	CHECK(mr && mr->signal == CV_CALLSIG_EINTR);
	end_ev(100);
	check_invariant();
}

/* poll's ERESTART_RESTARTBLOCK and select's ERESTARTNOHAND give EINTR once
 * a handler ran, SA_RESTART or not: the same call again is a new call.
 * Only after a job-control stop (no handler) does the kernel restart
 * ERESTARTNOHAND as the same call. */
TEST(signal_mux_codes)
{
	fresh(NULL);
	task(0, 903, "poller", 0);
	struct cv_event e = mk(CV_EV_MUX, 10, 903);
	e.flags = CV_CALL_BLOCKED;
	e.mux.enter_ts = S + 5;
	e.mux.sys = CV_SYS_POLL;
	e.mux.nfds = 1;
	e.mux.ret = -CV_ERESTART_RESTARTBLOCK;
	feed(e);
	e.ts = S + 20;
	e.mux.enter_ts = S + 15;
	e.mux.ret = 1;
	feed_checked(e, CV_CALLSIG_NONE);
	const struct cv_thread *t = T(903);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 2);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].errors, 1);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].ready, 1);
	CHECK_EQ(t->mux.sig.eintr, 1);

	e.mux.sys = CV_SYS_SELECT; /* ERESTARTNOHAND, a handler ran: EINTR */
	e.ts = S + 30;
	e.mux.ret = -CV_ERESTARTNOHAND;
	feed(e);
	e.ts = S + 40;
	e.mux.ret = 1;
	feed(e);
	CHECK_EQ(t->mux.by_api[CV_MUX_SELECT].calls, 2);
	CHECK_EQ(t->mux.sig.eintr, 2);

	e.ts = S + 50; /* ERESTARTNOHAND, then stopped (SIGSTOP): restarted */
	e.mux.enter_ts = S + 45;
	e.mux.ret = -CV_ERESTARTNOHAND;
	feed(e);
	struct cv_event sw = mk(CV_EV_SWITCH, 51, 903);
	sw.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED;
	sw.sw.prev_state = 0x104; /* TASK_STOPPED */
	feed(sw);
	wake(60, 903, 0);
	on(61, 903);
	e.ts = S + 70;
	e.mux.enter_ts = S + 65;
	e.mux.ret = 2;
	feed_checked(e, CV_CALLSIG_RESTARTED);
	CHECK_EQ(t->mux.by_api[CV_MUX_SELECT].calls, 3);
	CHECK_EQ(t->mux.by_api[CV_MUX_SELECT].errors, 1);
	CHECK_EQ(t->mux.by_api[CV_MUX_SELECT].ready, 3);
	CHECK_EQ(t->mux.sig.interrupted, 3);
	CHECK_EQ(t->mux.sig.eintr, 2);
	const struct cv_mux_rec *mr = cv_model_thread_mux(M, t, 0);
	CHECK(mr && mr->signal == CV_CALLSIG_RESTARTED && mr->enter_ts == S + 45 && mr->ret == 2);
	end_ev(100);
	check_invariant();
}

/* A futex wait restarted after a signal is one wait of its lock; an accept
 * restarted is one accept. */
TEST(signal_futex_and_accept_restarted)
{
	fresh(NULL);
	task(0, 904, "waiter", 0);
	on(1, 904);
	off_lock(10, 904, 0x5000, 0, CV_LK_MUTEX);
	wake(20, 904, 0);
	on(21, 904);
	futex_lock_ev(22, 904, 10, 0x5000, 0, CV_LK_MUTEX, -CV_ERESTARTSYS, 0);
	CHECK_EQ(T(904)->futex.waits, 0);
	off_lock(30, 904, 0x5000, 0, CV_LK_MUTEX);
	wake(40, 904, 0);
	on(41, 904);
	futex_lock_ev(42, 904, 30, 0x5000, 0, CV_LK_MUTEX, 0, 0);
	const struct cv_thread *t = T(904);
	CHECK_EQ(t->futex.waits, 1);
	CHECK_EQ(t->futex.wait_ns, 32);
	CHECK_EQ(t->futex.sig.interrupted, 1);
	const struct cv_lock *l = cv_model_find_lock(M, PID, 0x5000);
	CHECK(l && l->waits == 1);

	sys_ev(50, 904, CV_SYS_ACCEPT4, 45, 0, -CV_ERESTARTSYS, CV_CALL_BLOCKED);
	sys_ev(60, 904, CV_SYS_ACCEPT4, 55, 0, 7, CV_CALL_BLOCKED);
	CHECK_EQ(t->accept.calls, 1);
	CHECK_EQ(t->accept.blocked_calls, 1);
	CHECK_EQ(t->accept.wait_ns, 15);
	CHECK_EQ(t->accept.sig.interrupted, 1);
	CHECK_EQ(t->accept.sig.eintr, 0);
	CHECK_EQ(t->recv.calls, 0);
	end_ev(100);
	check_invariant();
}

/* A call interrupted and never resumed (the thread exited: a fatal signal
 * ends a blocked call with ERESTARTSYS; or the trace ended) is a call with
 * no result seen: not EINTR. */
TEST(signal_unresolved_at_exit_and_end)
{
	fresh(NULL);
	task(0, 905, "killed", 0);
	task(0, 906, "traced", 0);
	feed(pipe_read(10, 905, 3, 5, 0, -CV_ERESTARTSYS));
	exit_ev(11, 905, 9);
	futex_ev(20, 906, 15, 0x6000, -CV_ERESTARTSYS, 0, 0, CV_CALL_BLOCKED);
	end_ev(30);
	const struct cv_thread *k = T(905), *w = T(906);
	CHECK_EQ(k->recv.calls, 1);
	CHECK_EQ(k->recv.sig.interrupted, 1);
	CHECK_EQ(k->recv.sig.eintr, 0);
	const struct cv_recv_rec *r = cv_model_thread_recv(M, k, 0);
	CHECK(r && r->signal == CV_CALLSIG_UNRESOLVED);
	CHECK_EQ(w->futex.waits, 1);
	CHECK_EQ(w->futex.sig.eintr, 0);
	const struct cv_futex_rec *fr = cv_model_thread_futex(M, w, 0);
	CHECK(fr && fr->signal == CV_CALLSIG_UNRESOLVED);
	check_invariant();

	/* the exit says which handler ran on the way out of the thread's last
	 * call (the probes know): one without SA_RESTART made it fail with
	 * EINTR; none, or one with SA_RESTART, and the thread left before the
	 * restart: no result seen */
	uint32_t said[3] = { CV_CALL_SIG_KNOWN | CV_CALL_HANDLER_RAN, CV_CALL_SIG_KNOWN,
			     CV_CALL_SIG_KNOWN | CV_CALL_HANDLER_RAN | CV_CALL_HANDLER_RESTART };
	for (int i = 0; i < 3; i++) {
		fresh(NULL);
		task(0, 905, "last", 0);
		feed(pipe_read(10, 905, 3, 5, 0, -CV_ERESTARTSYS));
		struct cv_event x = mk(CV_EV_EXIT, 11, 905);
		x.flags = said[i];
		feed(x);
		end_ev(30);
		k = T(905);
		CHECK_EQ(k->recv.calls, 1);
		CHECK_EQ(k->recv.sig.interrupted, 1);
		CHECK_EQ(k->recv.sig.eintr, i == 0);
		r = cv_model_thread_recv(M, k, 0);
		CHECK(r && r->signal == (i == 0 ? CV_CALLSIG_EINTR : CV_CALLSIG_UNRESOLVED));
		check_invariant();
	}
}

/* a multiplexer call's exit: sys on one descriptor, blocked since enter */
static struct cv_event mux_call(uint64_t ts, uint32_t tid, uint32_t sys, uint64_t enter, int64_t ret)
{
	struct cv_event e = mk(CV_EV_MUX, ts, tid);
	e.flags = CV_CALL_BLOCKED;
	e.mux.enter_ts = S + enter;
	e.mux.sys = sys;
	e.mux.nfds = 1;
	e.mux.ret = ret;
	return e;
}

/* an io_uring completion of tid's request, posted in done_tid's context */
static void uring_done(uint64_t ts, uint32_t tid, uint32_t done_tid)
{
	struct cv_event c = mk(CV_EV_URING_COMPLETE, ts, tid);
	c.ucomplete.done_tid = done_tid;
	c.ucomplete.res = 1;
	feed(c);
}

/* io_uring's task work wakes a thread in ppoll as a signal does
 * (TIF_NOTIFY_SIGNAL: ERESTARTNOHAND) and runs on its way out, posting the
 * completion; no handler runs, so the kernel restarts the ppoll: one call,
 * no EINTR.  A completion posted by another thread (an io-wq worker), or
 * one the thread's own io_uring_enter may have posted, shows nothing. */
TEST(signal_task_work_restarts_ppoll)
{
	fresh(NULL);
	task(0, 907, "poller", 0);
	feed(mux_call(10, 907, CV_SYS_PPOLL, 5, -CV_ERESTARTNOHAND));
	uring_done(11, 907, 907);
	feed(mux_call(20, 907, CV_SYS_PPOLL, 15, -CV_ERESTARTNOHAND));
	uring_done(21, 907, 907);
	feed_checked(mux_call(30, 907, CV_SYS_PPOLL, 25, 1), CV_CALLSIG_RESTARTED);
	const struct cv_thread *t = T(907);
	const struct cv_mux_api_stats *a = &t->mux.by_api[CV_MUX_POLL];
	CHECK_EQ(a->calls, 1);
	CHECK_EQ(a->errors, 0);
	CHECK_EQ(a->ready, 1);
	CHECK_EQ(t->mux.sig.interrupted, 2);
	CHECK_EQ(t->mux.sig.eintr, 0);
	CHECK_EQ(t->uring.completed, 2);
	const struct cv_mux_rec *mr = cv_model_thread_mux(M, t, 0);
	CHECK(mr && mr->signal == CV_CALLSIG_RESTARTED && mr->interruptions == 2);
	CHECK(mr && mr->enter_ts == S + 5 && mr->exit_ts == S + 30 && mr->ret == 1);

	feed(mux_call(40, 907, CV_SYS_PPOLL, 35, -CV_ERESTARTNOHAND));
	uring_done(41, 907, 950); /* posted by another thread: a handler ran */
	feed_checked(mux_call(50, 907, CV_SYS_PPOLL, 45, 1), CV_CALLSIG_NONE);
	CHECK_EQ(a->calls, 3);
	CHECK_EQ(a->errors, 1);
	CHECK_EQ(t->mux.sig.eintr, 1);

	feed(mux_call(60, 907, CV_SYS_PPOLL, 55, -CV_ERESTARTNOHAND));
	uring_done(61, 907, 907);
	feed(mk(CV_EV_URING_ENTER, 62, 907)); /* (the program's own reap) */
	feed_checked(mux_call(70, 907, CV_SYS_PPOLL, 65, 1), CV_CALLSIG_NONE);
	CHECK_EQ(a->calls, 5);
	CHECK_EQ(t->mux.sig.interrupted, 4);
	CHECK_EQ(t->mux.sig.eintr, 2);
	end_ev(100);
	check_invariant();
}

/* task work also runs at later returns to user space: a completion the
 * thread posts well after the interrupted exit (here 1 ms) is no sign that
 * no handler ran, and the call it retries was a new one after an EINTR */
TEST(signal_late_task_work_is_no_sign)
{
	fresh(NULL);
	task(0, 909, "poller", 0);
	feed(mux_call(10, 909, CV_SYS_PPOLL, 5, -CV_ERESTARTNOHAND));
	uring_done(10 + MS, 909, 909);
	feed_checked(mux_call(20 + MS, 909, CV_SYS_PPOLL, 15 + MS, 1), CV_CALLSIG_NONE);
	const struct cv_thread *t = T(909);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 2);
	CHECK_EQ(t->mux.sig.eintr, 1);
	end_ev(2 * MS);
	check_invariant();
}

/* preempted on its way out of the interrupted call, the thread runs its task
 * work when it is back on a CPU: the window runs from there; once it has
 * blocked somewhere since, a completion it posts is no sign */
TEST(signal_task_work_after_a_preemption)
{
	fresh(NULL);
	task(0, 911, "poller", 0);
	on(1, 911);
	feed(mux_call(10, 911, CV_SYS_PPOLL, 5, -CV_ERESTARTNOHAND));
	off(11, 911, -1, 0, 0);          /* preempted on the way out */
	on(11 + MS, 911);                /* back 1 ms later */
	uring_done(12 + MS, 911, 911);   /* its task work */
	feed_checked(mux_call(20 + MS, 911, CV_SYS_PPOLL, 15 + MS, 1), CV_CALLSIG_RESTARTED);
	const struct cv_thread *t = T(911);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 1);
	CHECK_EQ(t->mux.sig.eintr, 0);

	feed(mux_call(30 + MS, 911, CV_SYS_PPOLL, 25 + MS, -CV_ERESTARTNOHAND));
	off(31 + MS, 911, CV_BLK_NONE, 0, 0); /* blocked in something not followed */
	on(40 + MS, 911);
	uring_done(41 + MS, 911, 911);
	feed_checked(mux_call(50 + MS, 911, CV_SYS_PPOLL, 45 + MS, 1), CV_CALLSIG_NONE);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 3);
	CHECK_EQ(t->mux.sig.eintr, 1);
	end_ev(2 * MS);
	check_invariant();
}

/* ev as the kernel reports it with signal_deliver probed: the handlers the
 * thread ran since its previous call event (CV_CALL_HANDLER_* or 0) */
static struct cv_event handlers(struct cv_event ev, uint32_t ran)
{
	ev.flags |= CV_CALL_SIG_KNOWN | ran;
	return ev;
}

/* When the events say which handlers ran, that decides, not the inference:
 * a completion posted late (a vCPU held up between the exit and the task
 * work), or none, still restarts a ppoll no handler ran for; one the thread
 * posted in time is no restart when a handler ran. */
TEST(signal_handlers_reported_decide_nohand)
{
	fresh(NULL);
	task(0, 912, "poller", 0);
	feed(handlers(mux_call(10, 912, CV_SYS_PPOLL, 5, -CV_ERESTARTNOHAND), 0));
	uring_done(10 + MS, 912, 912); /* late: no sign by itself */
	feed_checked(handlers(mux_call(20 + MS, 912, CV_SYS_PPOLL, 15 + MS, 1), 0),
		     CV_CALLSIG_RESTARTED);
	const struct cv_thread *t = T(912);
	const struct cv_mux_api_stats *a = &t->mux.by_api[CV_MUX_POLL];
	CHECK_EQ(a->calls, 1);
	CHECK_EQ(t->mux.sig.eintr, 0);

	feed(handlers(mux_call(30 + MS, 912, CV_SYS_PPOLL, 25 + MS, -CV_ERESTARTNOHAND), 0));
	uring_done(31 + MS, 912, 912); /* in time, but a handler ran too */
	feed_checked(handlers(mux_call(40 + MS, 912, CV_SYS_PPOLL, 35 + MS, 1), CV_CALL_HANDLER_RAN),
		     CV_CALLSIG_NONE);
	CHECK_EQ(a->calls, 3);
	CHECK_EQ(a->errors, 1);
	CHECK_EQ(t->mux.sig.eintr, 1);
	end_ev(2 * MS);
	check_invariant();
}

/* ERESTARTSYS: the handler's SA_RESTART decides.  With it the read
 * again is the same call; without it the program got EINTR, though it
 * called the same read again.  ERESTART_RESTARTBLOCK with no handler went
 * on as restart_syscall: a call whose result was not seen, not an EINTR. */
TEST(signal_handlers_reported_decide_restartsys)
{
	fresh(NULL);
	task(0, 913, "reader", 0);
	feed(handlers(pipe_read(10, 913, 3, 5, 0, -CV_ERESTARTSYS), 0));
	feed_checked(handlers(pipe_read(20, 913, 3, 15, 18, 8),
			      CV_CALL_HANDLER_RAN | CV_CALL_HANDLER_RESTART), CV_CALLSIG_RESTARTED);
	const struct cv_thread *t = T(913);
	CHECK_EQ(t->recv.calls, 1);
	CHECK_EQ(t->recv.sig.eintr, 0);

	feed(handlers(pipe_read(30, 913, 3, 25, 0, -CV_ERESTARTSYS), 0));
	feed_checked(handlers(pipe_read(40, 913, 3, 35, 38, 8), CV_CALL_HANDLER_RAN), CV_CALLSIG_NONE);
	CHECK_EQ(t->recv.calls, 3);
	CHECK_EQ(t->recv.sig.eintr, 1);

	feed(handlers(mux_call(50, 913, CV_SYS_POLL, 45, -CV_ERESTART_RESTARTBLOCK), 0));
	feed_checked(handlers(pipe_read(60, 913, 3, 55, 58, 8), 0), CV_CALLSIG_NONE);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 1);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].errors, 0);
	CHECK_EQ(t->mux.sig.eintr, 0);
	end_ev(100);
	check_invariant();
}

/* -516 after a handler is EINTR, -513 after one is restarted; and events
 * lost after a hold may have carried the handler: the next event's bits do
 * not decide then, the inference does (no sign: EINTR) */
TEST(signal_handlers_reported_other_codes_and_losses)
{
	fresh(NULL);
	task(0, 914, "poller", 0);
	feed(handlers(mux_call(10, 914, CV_SYS_POLL, 5, -CV_ERESTART_RESTARTBLOCK), 0));
	feed_checked(handlers(mux_call(20, 914, CV_SYS_POLL, 15, 1), CV_CALL_HANDLER_RAN),
		     CV_CALLSIG_NONE);
	const struct cv_thread *t = T(914);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 2);
	CHECK_EQ(t->mux.sig.eintr, 1);

	struct cv_event pi = mk(CV_EV_FUTEX, 30, 914);
	pi.flags = CV_CALL_BLOCKED;
	pi.futex.enter_ts = S + 25;
	pi.futex.addr = 0x1000;
	pi.futex.op = 6; /* FUTEX_LOCK_PI */
	pi.futex.ret = -CV_ERESTARTNOINTR;
	feed(handlers(pi, 0));
	pi.ts = S + 40;
	pi.futex.enter_ts = S + 35;
	pi.futex.ret = 0;
	feed_checked(handlers(pi, CV_CALL_HANDLER_RAN), CV_CALLSIG_RESTARTED);
	CHECK_EQ(t->futex.sig.eintr, 0);

	feed(handlers(mux_call(50, 914, CV_SYS_PPOLL, 45, -CV_ERESTARTNOHAND), 0));
	struct cv_event lost = mk(CV_EV_LOST, 51, 0);
	lost.lost.count = 3;
	feed(lost);
	feed_checked(handlers(mux_call(60, 914, CV_SYS_PPOLL, 55, 1), 0), CV_CALLSIG_NONE);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 4);
	CHECK_EQ(t->mux.sig.eintr, 2);
	end_ev(100);
	check_invariant();
}

/* a new thread under the id of one whose exit was lost does not continue
 * the old one's interrupted call: that call is one whose result was not seen */
TEST(signal_held_call_not_inherited_by_a_reused_tid)
{
	fresh(NULL);
	task(0, 910, "old", 0);
	feed(mux_call(10, 910, CV_SYS_PPOLL, 5, -CV_ERESTARTSYS));
	task(20, 910, "new", 0);   /* TASK again: the exit was lost */
	feed_checked(mux_call(30, 910, CV_SYS_PPOLL, 25, 1), CV_CALLSIG_NONE);
	const struct cv_thread *t = T(910);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 2);
	CHECK_EQ(t->mux.sig.interrupted, 1);
	CHECK_EQ(t->mux.sig.eintr, 0);
	end_ev(100);
	check_invariant();
}

/* poll's ERESTART_RESTARTBLOCK after task work goes on as restart_syscall,
 * which is not followed: the poll is a call whose result was not seen, not
 * an EINTR (nor is the read after it a continuation) */
TEST(signal_task_work_poll_unresolved)
{
	fresh(NULL);
	task(0, 908, "poller", 0);
	feed(mux_call(10, 908, CV_SYS_POLL, 5, -CV_ERESTART_RESTARTBLOCK));
	uring_done(11, 908, 908);
	feed_checked(pipe_read(30, 908, 3, 0, 0, 8), CV_CALLSIG_NONE);
	const struct cv_thread *t = T(908);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].calls, 1);
	CHECK_EQ(t->mux.by_api[CV_MUX_POLL].errors, 0);
	CHECK_EQ(t->mux.sig.interrupted, 1);
	CHECK_EQ(t->mux.sig.eintr, 0);
	CHECK_EQ(t->recv.calls, 1);
	const struct cv_mux_rec *mr = cv_model_thread_mux(M, t, 0);
	CHECK(mr && mr->signal == CV_CALLSIG_UNRESOLVED);
	end_ev(100);
	check_invariant();
}

/* The freezer's stop (TASK_FROZEN, after its fake signal) runs no handler:
 * select is restarted.  A ptrace stop (TASK_TRACED) shows nothing: under
 * strace one follows every exit, and the tracer then lets the handler run. */
TEST(signal_frozen_and_traced_stops)
{
	fresh(NULL);
	task(0, 909, "selector", 0);
	struct cv_event sw = mk(CV_EV_SWITCH, 11, 909);
	sw.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED;
	feed(mux_call(10, 909, CV_SYS_SELECT, 5, -CV_ERESTARTNOHAND));
	sw.sw.prev_state = 0x8000; /* TASK_FROZEN */
	feed(sw);
	wake(15, 909, 0);
	on(16, 909);
	feed_checked(mux_call(20, 909, CV_SYS_SELECT, 17, 1), CV_CALLSIG_RESTARTED);
	const struct cv_thread *t = T(909);
	CHECK_EQ(t->mux.by_api[CV_MUX_SELECT].calls, 1);
	CHECK_EQ(t->mux.sig.eintr, 0);
	const struct cv_mux_rec *mr = cv_model_thread_mux(M, t, 0);
	CHECK(mr && mr->enter_ts == S + 5);

	feed(mux_call(30, 909, CV_SYS_SELECT, 25, -CV_ERESTARTNOHAND));
	sw.ts = S + 31;
	sw.sw.prev_state = 0x8; /* TASK_TRACED */
	feed(sw);
	wake(35, 909, 0);
	on(36, 909);
	feed_checked(mux_call(40, 909, CV_SYS_SELECT, 37, 1), CV_CALLSIG_NONE);
	CHECK_EQ(t->mux.by_api[CV_MUX_SELECT].calls, 3);
	CHECK_EQ(t->mux.by_api[CV_MUX_SELECT].errors, 1);
	CHECK_EQ(t->mux.sig.interrupted, 2);
	CHECK_EQ(t->mux.sig.eintr, 1);
	end_ev(100);
	check_invariant();
}

TEST(tid_reuse_and_target)
{
	fresh(NULL);
	cv_model_set_target(M, PID, "prog --x");
	CHECK_STR(cv_model_target_command(M), "prog --x");
	CHECK(!cv_model_target_exited(M, NULL));
	task(0, 901, "first", CV_TASK_PROCESS);
	on(5, 901);
	struct cv_event e = mk(CV_EV_EXIT, 50, 901);
	e.exit.exit_code = 3 << 8; /* exit(3) */
	e.exit.group_dead = 1;
	feed(e);
	off(51, 901, CV_BLK_NONE, 0, 0); /* final switch: not counted */
	int code = -1;
	CHECK(cv_model_target_exited(M, &code));
	CHECK_EQ(code, 3);
	cv_model_set_target_exit(M, 4); /* explicit wins */
	CHECK(cv_model_target_exited(M, &code));
	CHECK_EQ(code, 4);
	const struct cv_thread *old = T(901);
	CHECK(old->is_process_leader);
	CHECK_EQ(old->vcsw + old->ivcsw, 0);
	CHECK_EQ(old->exit_code, 3 << 8);
	wake(60, 901, 0); /* events for an exited thread are ignored */
	CHECK_EQ(old->state_since, S + 50);
	task(100, 901, "second", 0);
	CHECK_EQ(cv_model_thread_count(M), 2);
	CHECK(T(901) != old);
	CHECK_STR(T(901)->comm, "second");
	CHECK(!T(901)->exited);
	CHECK_STR(cv_model_thread(M, 0)->comm, "first");
	CHECK(cv_model_thread(M, 0)->exited);
	CHECK_EQ(cv_model_thread(M, 0)->exit_ts, S + 50);
	CHECK(cv_model_thread(M, 1) == T(901));
	CHECK(cv_model_thread(M, 2) == NULL);
	on(110, 901);
	end_ev(200);
	CHECK_EQ(tm(901, CV_ST_RUNNING), 90);
	CHECK_EQ(tm(901, CV_ST_RUNNABLE), 10);
	CHECK_EQ(cv_model_thread(M, 0)->time_ns[CV_ST_RUNNING], 45);
	check_invariant();
}

TEST(clamp_old_timestamps)
{
	fresh(NULL);
	task(100, 1001, "late", 0);
	on(110, 1001);
	off(90, 1001, CV_BLK_NONE, 0, 0); /* older than state_since: clamped to 110 */
	CHECK_EQ(T(1001)->state_since, S + 110);
	CHECK_EQ(T(1001)->state, CV_ST_SLEEP);
	wake(95, 1001, 0);
	CHECK_EQ(T(1001)->state_since, S + 110);
	on(105, 1001);
	recv_ev(108, 1001, 100, 104, 10, 0); /* copy and exit before the segment: no time */
	CHECK_EQ(T(1001)->state_since, S + 110);
	on(150, 1001); /* already running: segment simply continues */
	end_ev(140);  /* END below now: ends at now */
	CHECK_EQ(cv_model_end(M), S + 150);
	CHECK_EQ(tm(1001, CV_ST_RUNNABLE), 10);
	CHECK_EQ(tm(1001, CV_ST_RUNNING), 40);
	CHECK_EQ(tm(1001, CV_ST_SLEEP), 0);
	for (int s = 0; s < CV_ST_COUNT; s++)
		CHECK(T(1001)->time_ns[s] <= 50);
	check_invariant();
}

struct seg_acc {
	uint64_t n, ns, bad;
	uint64_t per_state[CV_ST_COUNT];
};
static void on_seg(void *ctx, const struct cv_thread *t, enum cv_state st, uint64_t t0, uint64_t t1)
{
	struct seg_acc *a = ctx;
	(void)t;
	a->n++;
	if (t1 <= t0)
		a->bad++;
	else
		a->ns += t1 - t0;
	a->per_state[st] += t1 - t0;
}

TEST(timeline_buckets_and_hook)
{
	struct seg_acc acc = { 0 };
	struct cv_model_hooks h = { .ctx = &acc, .on_segment = on_seg };
	fresh(&h);
	struct cv_bucket b;
	task(0, 1101, "tl", 0);
	on(50 * MS, 1101);
	CHECK(cv_model_thread_bucket(M, T(1101), 0, &b));
	CHECK_EQ(b.ns[CV_ST_RUNNABLE], 50 * MS);
	off(250 * MS, 1101, CV_BLK_NONE, 0, 0);
	cv_model_advance(M, S + 330 * MS);
	CHECK(cv_model_thread_bucket(M, T(1101), 0, &b));
	CHECK_EQ(b.ns[CV_ST_RUNNING], 50 * MS);
	CHECK_EQ(b.ns[CV_ST_RUNNABLE], 50 * MS);
	CHECK(cv_model_thread_bucket(M, T(1101), 1, &b));
	CHECK_EQ(b.ns[CV_ST_RUNNING], 100 * MS);
	CHECK_EQ(b.vcsw, 0);
	CHECK(cv_model_thread_bucket(M, T(1101), 2, &b));
	CHECK_EQ(b.ns[CV_ST_RUNNING], 50 * MS);
	CHECK_EQ(b.ns[CV_ST_SLEEP], 50 * MS); /* open segment */
	CHECK_EQ(b.vcsw, 1);
	CHECK(cv_model_thread_bucket(M, T(1101), 3, &b));
	CHECK_EQ(b.ns[CV_ST_SLEEP], 30 * MS);
	CHECK_EQ(b.ns[CV_ST_RUNNING], 0);
	CHECK(!cv_model_thread_bucket(M, T(1101), 4, &b)); /* the future */
	/* a thread born in bucket 3 has no bucket 2 */
	task(310 * MS, 1102, "late", 0);
	CHECK(!cv_model_thread_bucket(M, T(1102), 2, &b));
	CHECK(cv_model_thread_bucket(M, T(1102), 3, &b));
	CHECK_EQ(b.ns[CV_ST_RUNNABLE], 20 * MS);

	/* sleep across more than the ring: old buckets are gone */
	uint64_t w = 61250 * MS; /* bucket 612 */
	wake(w, 1101, 0);
	on(w + 10 * MS, 1101);
	off(w + 20 * MS, 1101, -1, 0, 0);
	CHECK_EQ(cv_thr_of(T(1101))->last_bucket, 612);
	cv_model_advance(M, S + w + 50 * MS);
	CHECK(!cv_model_thread_bucket(M, T(1101), 2, &b));
	CHECK(!cv_model_thread_bucket(M, T(1101), 12, &b));
	CHECK(cv_model_thread_bucket(M, T(1101), 13, &b));
	CHECK_EQ(b.ns[CV_ST_SLEEP], 100 * MS);
	CHECK(cv_model_thread_bucket(M, T(1101), 612, &b));
	CHECK_EQ(b.ns[CV_ST_SLEEP], 50 * MS);
	CHECK_EQ(b.ns[CV_ST_RUNNABLE], 10 * MS + 30 * MS); /* closed + open to now */
	CHECK_EQ(b.ns[CV_ST_RUNNING], 10 * MS);
	CHECK_EQ(b.ivcsw, 1);
	CHECK_EQ(b.vcsw, 0);
	end_ev(w + 50 * MS);
	/* sum over kept buckets for the last 600 == time in those buckets */
	uint64_t sum = 0;
	for (uint64_t k = 13; k <= 612; k++) {
		CHECK(cv_model_thread_bucket(M, T(1101), k, &b) || k > 612);
		for (int s = 0; s < CV_ST_COUNT; s++)
			sum += b.ns[s];
	}
	CHECK_EQ(sum, 600 * 100 * MS);
	check_invariant();
	/* the hook saw every closed segment, none empty */
	uint64_t total = 0;
	for (size_t i = 0; i < cv_model_thread_count(M); i++)
		for (int s = 0; s < CV_ST_COUNT; s++)
			total += cv_model_thread(M, i)->time_ns[s];
	CHECK_EQ(acc.bad, 0);
	CHECK_EQ(acc.ns, total);
	CHECK_EQ(acc.per_state[CV_ST_SLEEP], T(1101)->time_ns[CV_ST_SLEEP]);
	CHECK_EQ(acc.n, 6 + 1); /* 1101: rnbl run slp rnbl run rnbl(end); 1102: rnbl */
}

/* many threads and locks: tables grow, lookups stay right, invariant holds */
TEST(many_threads_and_locks)
{
	fresh(NULL);
	for (uint32_t i = 0; i < 3000; i++) {
		uint32_t tid = 20000 + i * 7;
		task(i, tid, "many", 0);
		on(i + 1, tid);
		off(i + 2, tid, CV_BLK_FUTEX, 0x10000 + (i % 500) * 64, 0);
	}
	CHECK_EQ(cv_model_thread_count(M), 3000);
	CHECK_EQ(cv_model_lock_count(M), 500);
	CHECK_EQ(T(20000 + 1234 * 7)->first_ts, S + 1234);
	CHECK_EQ(cv_model_find_lock(M, PID, 0x10000 + 499 * 64)->max_waiters, 6);
	CHECK(cv_model_find_lock(M, PID + 1, 0x10000) == NULL);
	CHECK(T(12345) == NULL);
	end_ev(5000);
	check_invariant();
}

/* A new thread's clear_child_tid futex is what pthread_join waits on: waits
 * on it are named "join T<tid>".  20000 threads come and go (most never
 * joined while alive): names stay O(1) and exact. */
TEST(join_lock_names)
{
	fresh(NULL);
	task(0, PID, "main", CV_TASK_PROCESS);
	on(1, PID);
	for (uint32_t i = 0; i < 20000; i++) {
		uint32_t tid = 1000 + i;
		struct cv_event e = mk(CV_EV_TASK, 10 + i, tid);

		e.task.join_addr = 0x7f0000000000ULL + (uint64_t)i * 0x1000 + 0x2d0;
		snprintf(e.task.comm, CV_COMM_LEN, "w%u", i);
		feed(e);
		if (i != 777 && i != 19999)
			feed(mk(CV_EV_EXIT, 11 + i, tid));
	}
	/* main joins two still-running threads */
	off(30000, PID, CV_BLK_FUTEX, 0x7f0000000000ULL + 777 * 0x1000 + 0x2d0, 0);
	struct cv_event f = mk(CV_EV_FUTEX, 30010, PID);
	f.futex.enter_ts = S + 29990;
	f.futex.addr = 0x7f0000000000ULL + 777 * 0x1000 + 0x2d0;
	wake(30005, PID, 1777);
	on(30008, PID);
	feed(f);
	off(30020, PID, CV_BLK_FUTEX, 0x7f0000000000ULL + 19999 * 0x1000 + 0x2d0, 0);
	CHECK_EQ(cv_model_lock_count(M), 2);
	CHECK_STR(cv_model_find_lock(M, PID, 0x7f0000000000ULL + 777 * 0x1000 + 0x2d0)->name, "join T1777");
	CHECK_STR(cv_model_find_lock(M, PID, 0x7f0000000000ULL + 19999 * 0x1000 + 0x2d0)->name, "join T20999");
	CHECK_EQ(cv_model_find_lock(M, PID, 0x7f0000000000ULL + 777 * 0x1000 + 0x2d0)->waits, 1);
	/* an exited thread's never-used join address names nothing later */
	off(30030, PID, CV_BLK_FUTEX, 0x7f0000000000ULL + 5 * 0x1000 + 0x2d0, 0);
	CHECK(cv_model_find_lock(M, PID, 0x7f0000000000ULL + 5 * 0x1000 + 0x2d0)->name == NULL);
	/* short-lived threads keep a small timeline ring */
	CHECK(cv_thr_of(T(1005))->bucket_cap <= 8);
	end_ev(40000);
	check_invariant();
}

/* A thread seeded inside a futex wait never gets a FUTEX exit event (its
 * enter was not seen): its wakeup must take it off the lock's waiters. */
TEST(seeded_waiter_leaves)
{
	fresh(NULL);
	seed(0, 50, 0, CV_BLK_FUTEX, 0xabc0);
	seed(0, 51, CV_TASK_SEED_ONCPU, 0, 0);
	CHECK_EQ(cv_model_find_lock(M, PID, 0xabc0)->cur_waiters, 1);
	wake(10, 50, 51);
	CHECK_EQ(cv_model_find_lock(M, PID, 0xabc0)->cur_waiters, 0);
	on(12, 50);
	off(20, 51, CV_BLK_FUTEX, 0xabc0, 50);
	CHECK_EQ(cv_model_find_lock(M, PID, 0xabc0)->cur_waiters, 1);
	CHECK_EQ(cv_model_find_lock(M, PID, 0xabc0)->max_waiters, 1);
	end_ev(30);
	check_invariant();
}

/* The kernel's view wins: a child that ran at once after fork (its
 * switch-in came before tracing followed it) and exits without a switch is
 * running all its life, not runnable. */
TEST(short_life_without_switch_runs)
{
	fresh(NULL);
	task(0, 101, "true", CV_TASK_PROCESS);
	CHECK_EQ(T(101)->state, CV_ST_RUNNABLE);
	exit_ev(100, 101, 0);
	CHECK_EQ(tm(101, CV_ST_RUNNING), 100);
	CHECK_EQ(tm(101, CV_ST_RUNNABLE), 0);
	/* the same with a syscall of its own first: on CPU since first seen */
	task(200, 102, "sh", 0);
	mux_ev(260, 102, 210);
	CHECK_EQ(T(102)->state, CV_ST_RUNNING);
	CHECK(T(102)->on_cpu);
	exit_ev(300, 102, 0);
	CHECK_EQ(tm(102, CV_ST_RUNNING), 100);
	CHECK_EQ(tm(102, CV_ST_RUNNABLE), 0);
	end_ev(400);
	check_invariant();
}

/* A switch-in that never reached the model (dropped): the thread's own
 * syscall exit puts it on a CPU from there on; what came before stays. */
TEST(own_event_repairs_a_lost_switch_in)
{
	fresh(NULL);
	task(0, 101, "worker", 0);
	on(10, 101);
	off(20, 101, CV_BLK_FUTEX, 0x1000, 0);
	CHECK_EQ(T(101)->state, CV_ST_LOCK_WAIT);
	futex_ev(50, 101, 15, 0x1000, 0, 0, 0, CV_CALL_BLOCKED);
	CHECK_EQ(T(101)->state, CV_ST_RUNNING);
	CHECK(T(101)->on_cpu);
	CHECK_EQ(cv_model_find_lock(M, PID, 0x1000)->cur_waiters, 0);
	end_ev(100);
	CHECK_EQ(tm(101, CV_ST_RUNNABLE), 10);
	CHECK_EQ(tm(101, CV_ST_LOCK_WAIT), 30);
	CHECK_EQ(tm(101, CV_ST_RUNNING), 10 + 50);
	check_invariant();
}

/* A wakeup of a thread still on its CPU (woken before it got to sleep)
 * leaves it running; the switch that follows decides. */
TEST(wakeup_while_on_cpu_stays_running)
{
	fresh(NULL);
	task(0, 101, "worker", 0);
	on(10, 101);
	wake(15, 101, 102);
	CHECK_EQ(T(101)->state, CV_ST_RUNNING);
	CHECK(T(101)->on_cpu);
	off(20, 101, -1, 0, 0); /* it did not block after all: preempted */
	CHECK_EQ(T(101)->state, CV_ST_RUNNABLE);
	on(25, 101);
	end_ev(40);
	CHECK_EQ(tm(101, CV_ST_RUNNING), 10 + 15);
	CHECK_EQ(tm(101, CV_ST_RUNNABLE), 10 + 5);
	CHECK_EQ(T(101)->ivcsw, 1);
	check_invariant();
}

/* A switch that carries the kernel's clock (CV_SW_KCLOCK): prev (0: idle)
 * off the CPU (block < 0: preempted), next on it, and the run-queue delay
 * the kernel counted for next since it last ran. */
static void sw_k(uint64_t ts, uint32_t prev, int block, uint32_t next, bool next_traced,
		 uint64_t run_delay)
{
	struct cv_event e = mk(CV_EV_SWITCH, ts, prev);
	if (!prev)
		e.pid = 0;
	e.flags = CV_SW_KCLOCK | (next_traced ? CV_SW_NEXT_TRACED : 0);
	if (prev)
		e.flags |= CV_SW_PREV_TRACED | (block < 0 ? CV_SW_PREEMPT : CV_SW_PREV_BLOCKED);
	e.sw.block = block < 0 ? CV_BLK_NONE : (uint32_t)block;
	e.sw.next_tid = next;
	e.sw.next_pid = next ? PID : 0;
	e.sw.next_run_delay = run_delay;
	feed(e);
}

/* The kernel's clock: of a traced wait, what the kernel does not count as
 * run-queue delay is its CPU time (an idle CPU waking, a stale clock at a
 * preemption: negative); a block to a woken traced thread at a stale clock
 * is sleep to the kernel, one to an untraced thread unseen; a thread on a
 * CPU with no switch-in seen ran from where it was runnable. */
TEST(kernel_clock_splits_the_traced_time_as_the_kernel_counts_it)
{
	uint64_t cpu, delay;

	fresh(NULL);
	task(0, 101, "sleeper", 0);
	task(0, 102, "other", 0);
	CHECK(!cv_model_thread_as_kernel(M, T(101), &cpu, &delay)); /* no figures yet */
	sw_k(0, 0, 0, 102, true, 0);
	sw_k(1, 102, CV_BLK_NONE, 0, false, 0);
	sw_k(0, 0, 0, 101, true, 0);
	sw_k(10, 101, CV_BLK_NONE, 0, false, 0);   /* blocks, the CPU idles: clock fresh */
	CHECK_EQ(T(101)->kclock.unseen_switches, 0);
	wake(30, 101, 0);
	sw_k(35, 0, 0, 101, true, 0);              /* idle CPU woke for it: 5 of CPU */
	CHECK_EQ(T(101)->kclock.runnable_as_cpu_ns, 5);
	sw_k(40, 101, CV_BLK_NONE, 0, false, 0);
	wake(50, 101, 0);
	sw_k(60, 0, 0, 101, true, 8);              /* waited 10, the kernel counts 8 */
	CHECK_EQ(T(101)->kclock.runnable_as_cpu_ns, 5 + 2);
	sw_k(70, 101, -1, 0, false, 0);            /* preempted at a stale clock … */
	sw_k(80, 0, 0, 101, true, 13);             /* … the kernel counts 13 of a 10 wait */
	CHECK_EQ(T(101)->kclock.runnable_as_cpu_ns, 5 + 2 - 3);
	wake(85, 102, 101);
	sw_k(90, 101, CV_BLK_NONE, 102, true, 0);  /* blocks to 102, woken 5 ago: stale by 5 */
	CHECK_EQ(T(101)->kclock.running_as_sleep_ns, 5);
	CHECK_EQ(T(102)->kclock.runnable_as_cpu_ns, 5);
	wake(95, 101, 0);
	sw_k(100, 102, -1, 101, true, 0);
	sw_k(110, 101, CV_BLK_NONE, 999, false, 0); /* to an untraced thread: unseen */
	CHECK_EQ(T(101)->kclock.unseen_switches, 1);
	CHECK_EQ(T(101)->kclock.running_as_sleep_ns, 5);
	end_ev(120);
	/* traced: running 10+5+10+10+10 = 45, runnable 5+10+10+5 = 30 */
	CHECK_EQ(tm(101, CV_ST_RUNNING), 45);
	CHECK_EQ(tm(101, CV_ST_RUNNABLE), 30);
	CHECK(cv_model_thread_as_kernel(M, T(101), &cpu, &delay));
	CHECK_EQ(cpu, 45 + 9 - 5);
	CHECK_EQ(delay, 30 - 9);                   /* 0 + 8 + 13 + 0 */
	check_invariant();

	/* preempted, then its own event with no switch-in seen: it ran */
	fresh(NULL);
	task(0, 103, "poller", 0);
	sw_k(0, 0, 0, 103, true, 0);
	sw_k(10, 103, -1, 999, false, 0);
	mux_ev(30, 103, 25);
	CHECK_EQ(T(103)->unseen_switch_ins, 1);
	CHECK_EQ(T(103)->state, CV_ST_RUNNING);
	end_ev(40);
	CHECK_EQ(tm(103, CV_ST_RUNNING), 40);
	CHECK_EQ(tm(103, CV_ST_RUNNABLE), 0);
	check_invariant();
}

/* A condvar's two futex words (+40, +44) are one lock, named and kinded by
 * the object; waiters and wakers per thread; lock_wait split by kind. */
TEST(condvar_words_are_one_lock)
{
	fresh(NULL);
	const uint64_t cond = 0x5000;
	cv_model_set_lock_name(M, PID, cond, "not_full");
	task(0, 2, "p1", 0);
	task(0, 3, "p2", 0);
	task(0, 4, "c", 0);
	on(0, 2);
	on(0, 3);
	off_lock(1 * MS, 2, cond, 40, CV_LK_CONDVAR);
	off_lock(2 * MS, 3, cond, 44, CV_LK_CONDVAR);
	char label[128];
	CHECK_STR(cv_model_wait_label(M, T(2), label, sizeof(label)), "waiting: condvar not_full");
	CHECK_EQ(cv_model_lock_count(M), 1);
	const struct cv_lock *l = cv_model_find_lock(M, PID, cond);
	CHECK(l != NULL);
	if (!l)
		return;
	CHECK_EQ(l->cur_waiters, 2);
	wake(5 * MS, 2, 4);
	on(6 * MS, 2);
	futex_lock_ev(7 * MS, 2, 1 * MS, cond, 40, CV_LK_CONDVAR, 0, 0);
	wake(8 * MS, 3, 4);
	on(9 * MS, 3);
	futex_lock_ev(10 * MS, 3, 2 * MS, cond, 44, CV_LK_CONDVAR, 0, 0);
	/* a timed-out wait: a waiter, nobody woke it */
	off_lock(11 * MS, 2, cond, 40, CV_LK_CONDVAR);
	wake(21 * MS, 2, 0);
	on(21 * MS, 2);
	futex_lock_ev(22 * MS, 2, 11 * MS, cond, 40, CV_LK_CONDVAR, -CV_ETIMEDOUT, 0);
	end_ev(30 * MS);
	check_invariant();
	CHECK_EQ(cv_model_lock_count(M), 1);
	CHECK_EQ(l->kind, CV_LK_CONDVAR);
	CHECK_EQ(l->waits, 3);
	CHECK_EQ(l->max_waiters, 2);
	CHECK_EQ(l->nwaiters, 2);
	CHECK(l->nwaiters == 2 && l->waiters[0].tid == 2 && l->waiters[0].n == 2 &&
	      l->waiters[1].tid == 3 && l->waiters[1].n == 1);
	CHECK(l->nwakers == 1 && l->wakers[0].tid == 4 && l->wakers[0].n == 2);
	const struct cv_futex_rec *r = cv_model_thread_futex(M, T(3), 0);
	CHECK(r && r->addr == cond && r->kind == CV_LK_CONDVAR);
	uint64_t bk[CV_LK_COUNT];
	cv_model_thread_lock_wait_by_kind(M, T(2), bk);
	CHECK_EQ(bk[CV_LK_CONDVAR], tm(2, CV_ST_LOCK_WAIT));
	CHECK_EQ(bk[CV_LK_CONDVAR], 4 * MS + 10 * MS);
	CHECK_EQ(bk[CV_LK_MUTEX], 0);
	CHECK_STR(cv_model_wait_label(M, T(2), label, sizeof(label)), "");
	CHECK(cv_lock_kind_is_signal_wait(CV_LK_CONDVAR) && !cv_lock_kind_is_signal_wait(CV_LK_MUTEX));
}

/* What is known of a lock's kind only gets more specific; join by its name. */
TEST(lock_kinds_merge)
{
	fresh(NULL);
	task(0, 2, "a", 0);
	on(0, 2);
	futex_lock_ev(1 * MS, 2, 0, 0x100, 0, CV_LK_FUTEX, 0, 0);
	const struct cv_lock *l = cv_model_find_lock(M, PID, 0x100);
	CHECK(l && l->kind == CV_LK_FUTEX);
	futex_lock_ev(2 * MS, 2, 1 * MS, 0x100, 0, CV_LK_MUTEX, 0, 0);
	CHECK(l && l->kind == CV_LK_MUTEX);
	futex_lock_ev(3 * MS, 2, 2 * MS, 0x100, 0, CV_LK_SEMAPHORE, 0, 0);
	futex_lock_ev(4 * MS, 2, 3 * MS, 0x100, 0, CV_LK_MUTEX, 0, 0);
	futex_lock_ev(5 * MS, 2, 4 * MS, 0x100, 0, CV_LK_FUTEX, 0, 0);
	CHECK(l && l->kind == CV_LK_SEMAPHORE);
	/* a new thread's join futex is named, and so is its kind */
	struct cv_event e = mk(CV_EV_TASK, 6 * MS, 3);
	e.task.join_addr = 0x9990;
	feed(e);
	futex_lock_ev(7 * MS, 2, 6 * MS, 0x9990, 0, CV_LK_FUTEX, 0, 3);
	l = cv_model_find_lock(M, PID, 0x9990);
	CHECK(l && l->kind == CV_LK_JOIN && l->name && !strcmp(l->name, "join T3"));
	/* its word is the thread's ID: 2 looks like a mutex's (the first thread
	 * in a PID namespace); the join it is stays */
	futex_lock_ev(8 * MS, 2, 7 * MS, 0x9990, 0, CV_LK_MUTEX, 0, 3);
	CHECK(l && l->kind == CV_LK_JOIN);
	CHECK(cv_lock_kind_can_deadlock(CV_LK_SEMAPHORE) && cv_lock_kind_can_deadlock(CV_LK_FUTEX) &&
	      cv_lock_kind_can_deadlock(CV_LK_JOIN) && !cv_lock_kind_can_deadlock(CV_LK_CONDVAR) &&
	      !cv_lock_kind_can_deadlock(CV_LK_QUEUE));
}

/* Two threads blocked on each other's semaphore for 2 s, the third in a
 * join, none running: a possible deadlock of all three (holders unknown),
 * once, its length running to the first wakeup; the wait that then times
 * out says it was none. */
enum third { THIRD_JOINS, THIRD_RUNS, THIRD_RECV };

static void stuck_set(uint8_t kind, enum third third, uint64_t hold, uint64_t ba_waits);

static void stuck_pair(uint8_t kind, bool third_runs, uint64_t hold)
{
	stuck_set(kind, third_runs ? THIRD_RUNS : THIRD_JOINS, hold, 0xa0);
}

/* as stuck_pair: the main thread joins, runs or waits in a receive; ba
 * waits for ba_waits (0xa0: the other's, a cycle; 0xb0: the same one) */
static void stuck_set(uint8_t kind, enum third third, uint64_t hold, uint64_t ba_waits)
{
	fresh(NULL);
	cv_model_set_lock_name(M, PID, 0xa0, "sem_a");
	cv_model_set_lock_name(M, PID, 0xb0, "sem_b");
	task(0, 1, "main", CV_TASK_PROCESS);
	task(0, 2, "ab", 0);
	task(0, 3, "ba", 0);
	on(0, 1);
	on(0, 2);
	if (third == THIRD_RECV)
		off(1 * MS, 1, CV_BLK_RECV, 0, 0);
	else
		off_lock(1 * MS, 1, 0x9990, 0, CV_LK_JOIN);
	if (third == THIRD_RUNS)
		on(2 * MS, 1);
	off_lock(5 * MS, 2, 0xb0, 0, kind);
	on(6 * MS, 3);
	off_lock(10 * MS, 3, ba_waits, 0, kind);
	cv_model_advance(M, S + 600 * MS); /* not yet: under a second */
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	for (uint64_t t = 700 * MS; t < 10 * MS + hold; t += 150 * MS)
		cv_model_advance(M, S + t);
	wake(10 * MS + hold, 3, 0);
	on(10 * MS + hold, 3);
	futex_lock_ev(10 * MS + hold + 1000, 3, 10 * MS, ba_waits, 0, kind, -CV_ETIMEDOUT, 0);
	wake(10 * MS + hold + 2000, 2, 0);
	end_ev(10 * MS + hold + 5 * MS);
	check_invariant();
}

TEST(possible_deadlock_from_the_wait_pattern)
{
	stuck_pair(CV_LK_SEMAPHORE, false, 2000 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 1);
	const struct cv_deadlock *d = cv_model_deadlock(M, 0);
	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(!d->confirmed);
	CHECK_EQ(d->n, 3);
	CHECK(d->tids[0] == 1 && d->addrs[0] == 0x9990);
	CHECK(d->tids[1] == 2 && d->addrs[1] == 0xb0 && d->tids[2] == 3 && d->addrs[2] == 0xa0);
	CHECK_EQ(d->since, S + 10 * MS);
	CHECK_EQ(d->ts, S + 10 * MS + CV_STUCK_NS);
	CHECK_EQ(d->until - d->since, 2000 * MS);
	CHECK_EQ(d->ended, S + 2010 * MS + 1000);
	CHECK(d->ended_tid == 3 && d->ended_timeout);
	char text[512];
	CHECK_STR(cv_model_deadlock_text(M, d, text, sizeof(text)),
		  "possible deadlock: T1 waits 0x9990, T2 waits sem_b, T3 waits sem_a, all for 2.00s, "
		  "no thread of the process running; holders unknown; over at +2.01s: T3 gave up "
		  "waiting (a timeout)");
	/* a mutex pair with unknown holders is one too */
	stuck_pair(CV_LK_MUTEX, false, 1500 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 1);
}

TEST(no_possible_deadlock_without_the_pattern)
{
	stuck_pair(CV_LK_SEMAPHORE, true, 2000 * MS); /* a thread of the process runs */
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	stuck_pair(CV_LK_CONDVAR, false, 2000 * MS);  /* waiting for a signal */
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	stuck_pair(CV_LK_SEMAPHORE, false, 900 * MS); /* under the threshold */
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	/* an idle pool: two workers on one empty jobs semaphore, the main
	 * thread in a receive (IO may yet wake it, and it may post jobs) */
	stuck_set(CV_LK_SEMAPHORE, THIRD_RECV, 2000 * MS, 0xb0);
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	stuck_set(CV_LK_FUTEX, THIRD_RECV, 2000 * MS, 0xa0);
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	/* the same pool while the main thread joins a worker: nobody is left
	 * to post a job, every thread is stuck */
	stuck_set(CV_LK_SEMAPHORE, THIRD_JOINS, 2000 * MS, 0xb0);
	CHECK_EQ(cv_model_deadlock_count(M), 1);
	stuck_set(CV_LK_SEMAPHORE, THIRD_JOINS, 2000 * MS, 0xa0); /* the cycle: found */
	CHECK_EQ(cv_model_deadlock_count(M), 1);
}

static void off_lock_held(uint64_t ts, uint32_t tid, uint64_t obj, uint8_t kind, uint32_t owner)
{
	struct cv_event e = mk(CV_EV_SWITCH, ts, tid);
	e.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED;
	e.sw.block = CV_BLK_FUTEX;
	e.sw.obj = obj;
	e.sw.lock_kind = kind;
	e.sw.owner_tid = owner;
	feed(e);
}

static void advance_to(uint64_t from, uint64_t to)
{
	for (uint64_t t = from; t <= to; t += 100 * MS)
		cv_model_advance(M, S + t);
}

/* One thread, alone in its process, waits 1.5 s for a mutex: with its
 * holder unknown a possible deadlock (nobody else could release it); with
 * the holder known to be the waiter itself, a deadlock. */
TEST(a_thread_stuck_alone_on_its_own_lock)
{
	char text[512];
	fresh(NULL);
	cv_model_set_lock_name(M, PID, 0xa0, "lk");
	task(0, 1, "main", CV_TASK_PROCESS);
	on(0, 1);
	off_lock(1 * MS, 1, 0xa0, 0, CV_LK_MUTEX);
	advance_to(100 * MS, 1500 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 1);
	const struct cv_deadlock *d = cv_model_deadlock(M, 0);
	CHECK(d && !d->confirmed && d->n == 1 && d->tids[0] == 1 && d->addrs[0] == 0xa0);
	if (d)
		CHECK_STR(cv_model_deadlock_text(M, d, text, sizeof(text)),
			  "possible deadlock: T1 waits lk, for 1.50s, no thread of the process "
			  "running; holders unknown");

	fresh(NULL);
	cv_model_set_lock_name(M, PID, 0xa0, "lk");
	task(0, 1, "main", CV_TASK_PROCESS);
	on(0, 1);
	off_lock_held(1 * MS, 1, 0xa0, CV_LK_MUTEX, 1);
	advance_to(100 * MS, 1500 * MS); /* the pattern adds nothing to it */
	CHECK_EQ(cv_model_deadlock_count(M), 1);
	d = cv_model_deadlock(M, 0);
	CHECK(d && d->confirmed && d->n == 1);
	if (d)
		CHECK_STR(cv_model_deadlock_text(M, d, text, sizeof(text)),
			  "deadlock: T1 waits lk held by T1");

	/* the same wait beside a second thread that sleeps: not the pattern
	 * (one lock, and not every thread stuck) */
	fresh(NULL);
	task(0, 1, "main", CV_TASK_PROCESS);
	task(0, 2, "sleeper", 0);
	on(0, 1);
	on(0, 2);
	off(1 * MS, 2, CV_BLK_NONE, 0, 0);
	off_lock(2 * MS, 1, 0xa0, 0, CV_LK_MUTEX);
	advance_to(100 * MS, 1500 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 0);
	/* a semaphore (a counting one: another process may post it) shared
	 * with another process: not this process's alone */
	fresh(NULL);
	const struct cv_shared_key k = { 8, 99, 0 };
	cv_model_set_lock_shared(M, PID, 0xa0, &k);
	task(0, 1, "main", CV_TASK_PROCESS);
	on(0, 1);
	off_lock(1 * MS, 1, 0xa0, 0, CV_LK_SEMAPHORE);
	advance_to(100 * MS, 1500 * MS);
	CHECK_EQ(cv_model_deadlock_count(M), 0);
}

/* Two threads wait 2 s for locks a and b whose known holder T1 sleeps: no
 * deadlock, it may yet release them.  With the holders unknown the wait
 * pattern is seen, and the first waiter's lock taken says it was none. */
TEST(stuck_behind_a_sleeping_holder)
{
	char text[512];
	for (int known = 0; known < 2; known++) {
		fresh(NULL);
		cv_model_set_lock_name(M, PID, 0xa0, "a");
		cv_model_set_lock_name(M, PID, 0xb0, "b");
		task(0, 1, "holder", CV_TASK_PROCESS);
		task(0, 2, "wa", 0);
		task(0, 3, "wb", 0);
		on(0, 1);
		off(1 * MS, 1, CV_BLK_NONE, 0, 0); /* asleep, holding a and b */
		on(2 * MS, 2);
		off_lock_held(3 * MS, 2, 0xa0, CV_LK_MUTEX, known ? 1 : 0);
		on(4 * MS, 3);
		off_lock_held(5 * MS, 3, 0xb0, CV_LK_MUTEX, known ? 1 : 0);
		advance_to(100 * MS, 2000 * MS);
		wake(2005 * MS, 1, 0);
		on(2005 * MS, 1);
		wake(2006 * MS, 2, 1);
		on(2007 * MS, 2);
		futex_lock_ev(2008 * MS, 2, 3 * MS, 0xa0, 0, CV_LK_MUTEX, 0, 1);
		end_ev(2010 * MS);
		CHECK_EQ(cv_model_deadlock_count(M), known ? 0 : 1);
		const struct cv_deadlock *d = cv_model_deadlock(M, 0);
		if (known || !d)
			continue;
		CHECK(!d->confirmed && d->n == 2 && d->ended == S + 2008 * MS && d->ended_tid == 2 &&
		      !d->ended_timeout);
		CHECK_STR(cv_model_deadlock_text(M, d, text, sizeof(text)),
			  "possible deadlock: T2 waits a, T3 waits b, both for 2.00s, no thread of the "
			  "process running; holders unknown; over at +2.01s: T2 got its lock, so it was "
			  "not a deadlock");
	}
}

/* Two processes, one thread each, each stuck on a lock in shared memory
 * (multiprocessing.Lock), a third process waiting for its children: a
 * possible deadlock across the processes; not while one of them runs. */
TEST(possible_deadlock_across_processes)
{
	char text[512];
	for (int runs = 0; runs < 2; runs++) {
		fresh(NULL);
		const struct cv_shared_key ka = { 8, 77, 0 }, kb = { 8, 77, 32 };
		cv_model_set_lock_shared(M, PID + 1, 0x7000, &ka);
		cv_model_set_lock_shared(M, PID + 2, 0x8000, &ka);
		cv_model_set_lock_shared(M, PID + 1, 0x7020, &kb);
		cv_model_set_lock_shared(M, PID + 2, 0x8020, &kb);
		cv_model_set_lock_name(M, PID + 1, 0x7000, "sem.a");
		cv_model_set_lock_name(M, PID + 1, 0x7020, "sem.b");
		task(0, PID, "parent", CV_TASK_PROCESS);
		for (uint32_t c = 1; c <= 2; c++) {
			struct cv_event e = mk(CV_EV_TASK, 0, PID + c);
			e.pid = PID + c;
			e.flags = CV_TASK_PROCESS;
			e.task.parent_tid = e.task.parent_pid = PID;
			feed(e);
		}
		on(0, PID);
		off(1 * MS, PID, CV_BLK_NONE, 0, 0); /* waitpid */
		struct cv_event e = mk(CV_EV_SWITCH, 2 * MS, PID + 1);
		e.pid = PID + 1;
		e.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED | CV_SW_LOCK_SHARED;
		e.sw.block = CV_BLK_FUTEX;
		e.sw.obj = 0x7020; /* b */
		e.sw.lock_kind = CV_LK_MUTEX;
		feed(e);
		e.ts = S + 3 * MS;
		e.tid = e.pid = PID + 2;
		e.sw.obj = 0x8000; /* a */
		feed(e);
		if (runs)
			on(4 * MS, PID);
		advance_to(100 * MS, 1600 * MS);
		CHECK_EQ(cv_model_deadlock_count(M), runs ? 0 : 1);
		const struct cv_deadlock *d = cv_model_deadlock(M, 0);
		if (runs || !d)
			continue;
		CHECK(!d->confirmed && d->n == 2 && d->pids[0] == PID + 1 && d->pids[1] == PID + 2);
		CHECK_STR(cv_model_deadlock_text(M, d, text, sizeof(text)),
			  "possible deadlock: T101 waits sem.b, T102 waits sem.a, both for 1.60s, no "
			  "thread of these processes running; holders unknown");
	}
}

/* How long a thread has been in its state: from when it entered it, also
 * after the end closed its open segment (the TUI's "for 2.00s"). */
TEST(state_entered_survives_the_end)
{
	fresh(NULL);
	task(0, 1, "main", CV_TASK_PROCESS);
	on(0, 1);
	off_lock(10 * MS, 1, 0xa0, 0, CV_LK_MUTEX);
	wake(20 * MS, 1, 0);                     /* runnable from 20 ms … */
	CHECK_EQ(T(1)->state_entered, S + 20 * MS);
	on(30 * MS, 1);
	off(40 * MS, 1, CV_BLK_NONE, 0, 0);      /* asleep from 40 ms */
	end_ev(2040 * MS);
	CHECK_EQ(T(1)->state, CV_ST_SLEEP);
	CHECK_EQ(T(1)->state_since, S + 2040 * MS);
	CHECK_EQ(T(1)->state_entered, S + 40 * MS);
	check_invariant();
}

/* One lock object in shared memory, at different addresses in two
 * processes: one lock, both pids, waiters counted across them. */
TEST(shared_lock_across_processes)
{
	fresh(NULL);
	const struct cv_shared_key k = { 8, 1234, 64 };
	cv_model_set_lock_shared(M, PID, 0x7000, &k);
	cv_model_set_lock_shared(M, PID + 1, 0x9000, &k);
	cv_model_set_lock_name(M, PID + 1, 0x9000, "/dev/shm/sem.x");
	task(0, 2, "a", 0);
	struct cv_event e = mk(CV_EV_TASK, 0, 5);
	e.pid = PID + 1;
	e.flags = CV_TASK_PROCESS;
	feed(e);
	on(0, 2);
	off_lock(1 * MS, 2, 0x7000, 0, CV_LK_MUTEX);
	e = mk(CV_EV_SWITCH, 2 * MS, 5);
	e.pid = PID + 1;
	e.flags = CV_SW_PREV_TRACED | CV_SW_PREV_BLOCKED | CV_SW_LOCK_SHARED;
	e.sw.block = CV_BLK_FUTEX;
	e.sw.obj = 0x9000;
	e.sw.lock_kind = CV_LK_MUTEX;
	feed(e);
	CHECK_EQ(cv_model_lock_count(M), 1);
	const struct cv_lock *l = cv_model_lock(M, 0);
	CHECK(l && l == cv_model_find_lock(M, PID + 1, 0x9000));
	if (!l)
		return;
	CHECK(l->shared);
	CHECK_EQ(l->max_waiters, 2);
	CHECK(l->npids == 2 && l->pids[0] == PID && l->pids[1] == PID + 1);
	CHECK(l->name && !strcmp(l->name, "/dev/shm/sem.x"));
	CHECK_EQ(l->pid, PID);
	CHECK_EQ(l->addr, 0x7000);
}

int main(void)
{
	RUN(block_wake_preempt);
	RUN(eagain_poll);
	RUN(blocking_recv);
	RUN(calls_whose_start_was_not_seen);
	RUN(recv_copy_preempted);
	RUN(mux_then_recv);
	RUN(futex_locks);
	RUN(deadlock_cycles);
	RUN(wait_chains);
	RUN(wait_chain_long);
	RUN(history);
	RUN(uring_completions);
	RUN(lost_events_and_comm);
	RUN(signal_restarted_read_is_one_call);
	RUN(signal_eintr_is_a_failed_call);
	RUN(signal_mux_codes);
	RUN(signal_futex_and_accept_restarted);
	RUN(signal_unresolved_at_exit_and_end);
	RUN(signal_task_work_restarts_ppoll);
	RUN(signal_late_task_work_is_no_sign);
	RUN(signal_task_work_after_a_preemption);
	RUN(signal_handlers_reported_decide_nohand);
	RUN(signal_handlers_reported_decide_restartsys);
	RUN(signal_handlers_reported_other_codes_and_losses);
	RUN(signal_held_call_not_inherited_by_a_reused_tid);
	RUN(signal_task_work_poll_unresolved);
	RUN(signal_frozen_and_traced_stops);
	RUN(tid_reuse_and_target);
	RUN(clamp_old_timestamps);
	RUN(timeline_buckets_and_hook);
	RUN(many_threads_and_locks);
	RUN(join_lock_names);
	RUN(seeded_waiter_leaves);
	RUN(short_life_without_switch_runs);
	RUN(accept_counts_and_waits);
	RUN(seeded_in_accept);
	RUN(pipe_and_mq_receives_by_kind);
	RUN(own_event_repairs_a_lost_switch_in);
	RUN(wakeup_while_on_cpu_stays_running);
	RUN(kernel_clock_splits_the_traced_time_as_the_kernel_counts_it);
	RUN(condvar_words_are_one_lock);
	RUN(lock_kinds_merge);
	RUN(possible_deadlock_from_the_wait_pattern);
	RUN(no_possible_deadlock_without_the_pattern);
	RUN(a_thread_stuck_alone_on_its_own_lock);
	RUN(stuck_behind_a_sleeping_holder);
	RUN(possible_deadlock_across_processes);
	RUN(shared_lock_across_processes);
	RUN(state_entered_survives_the_end);
	cv_model_free(M);
	return CHECK_DONE();
}
