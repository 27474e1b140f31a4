/* tui_demo.c — development harness for the TUI: a synthetic traced "process"
 * whose threads show every IO model and lock pattern concviz knows, fed live
 * (paced by real time) into a cv_model and shown with cv_tui_run().
 *
 * Build (from the repo root):
 *   cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Iuser -Ibpf -Itui \
 *      $(pkg-config --cflags ncursesw) -o tui_demo tests/tui_demo/tui_demo.c \
 *      tui/\*.c user/model*.c -lncursesw -ltinfo
 *
 * Usage: tui_demo [-r] [-x] [-d SEC] [-n N]
 *   -r      pretend to be a replay of a 60 s recording (pause/step/seek/speed)
 *   -x      exit when the source is done (exit_when_done)
 *   -d SEC  live: the "target" ends after SEC seconds
 *   -n N    add N extra sleeping threads (drawing-cost test)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "tui.h"

#define MS 1000000ULL
#define US 1000ULL
#define SEC 1000000000ULL
#define NEVER UINT64_MAX
#define PID 4000
#define LOCK_COUNTER 0x55d1c0a4e040ULL
#define LOCK_A 0x55d1c0a4e080ULL
#define LOCK_B 0x55d1c0a4e0c0ULL
#define JOIN_ADDR 0x7f3a12345910ULL
#define REPLAY_LEN (60 * SEC)

enum kind { K_MAIN, K_BLOCKING, K_POLL, K_MUX, K_WORKER, K_DEADLOCK, K_URING, K_SLEEPER, K_SHORT };

struct sth {
	enum kind kind;
	uint32_t tid;
	char comm[16];
	uint64_t next;
	int phase;
	uint64_t t_enter, t_copy, aux;
	uint32_t count, waker, prev_owner;
	uint64_t uring_done[4];
	int other;                  /* deadlock partner index */
	uint64_t mine, theirs;      /* deadlock locks */
	bool started, gone;
};

struct sim {
	struct cv_model *m;
	uint64_t t0;                /* trace start (ts of the first event) */
	uint64_t rng;
	struct sth *th;
	int n;
	uint32_t next_tid;
	uint32_t lock_owner;        /* counter_lock holder */
	int waitq[8], nwait;        /* threads waiting for it, FIFO */
	bool lost_sent;
	uint64_t events;
};

static uint64_t rnd(struct sim *s, uint64_t lo, uint64_t hi)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return lo + s->rng % (hi - lo + 1);
}

static void feed(struct sim *s, struct cv_event *e)
{
	e->pid = e->pid ? e->pid : PID;
	cv_model_feed(s->m, e);
	s->events++;
}

static void ev_task(struct sim *s, struct sth *t, uint64_t ts)
{
	struct cv_event e = { .ts = ts, .tid = t->tid, .type = CV_EV_TASK };
	e.flags = t->kind == K_MAIN ? CV_TASK_PROCESS : 0;
	e.task.parent_tid = PID;
	e.task.parent_pid = PID;
	memcpy(e.task.comm, t->comm, sizeof(e.task.comm));
	feed(s, &e);
}

static void ev_out(struct sim *s, struct sth *t, uint64_t ts, uint32_t block, uint64_t obj,
		   uint32_t owner, bool preempt)
{
	struct cv_event e = { .ts = ts, .tid = t->tid, .type = CV_EV_SWITCH };
	e.flags = CV_SW_PREV_TRACED | (preempt ? CV_SW_PREEMPT : CV_SW_PREV_BLOCKED);
	e.sw.prev_state = preempt ? 0 : 1;
	e.sw.block = block;
	e.sw.obj = obj;
	e.sw.owner_tid = owner;
	feed(s, &e);
}

static void ev_in(struct sim *s, struct sth *t, uint64_t ts)
{
	struct cv_event e = { .ts = ts, .tid = 0, .pid = 0, .type = CV_EV_SWITCH };
	e.flags = CV_SW_NEXT_TRACED;
	e.sw.next_tid = t->tid;
	e.sw.next_pid = PID;
	e.pid = 0;
	cv_model_feed(s->m, &e);
	s->events++;
}

static void ev_wake(struct sim *s, struct sth *t, uint64_t ts, uint32_t waker)
{
	struct cv_event e = { .ts = ts, .tid = t->tid, .type = CV_EV_WAKEUP };
	e.wake.waker_tid = waker;
	e.wake.waker_pid = waker ? PID : 0;
	feed(s, &e);
}

static void ev_recv(struct sim *s, struct sth *t, uint64_t enter, uint64_t copy, uint64_t exit,
		    int64_t ret, uint32_t sys, bool blocked)
{
	struct cv_event e = { .ts = exit, .tid = t->tid, .type = CV_EV_RECV };
	e.flags = blocked ? CV_CALL_BLOCKED : 0;
	e.recv.enter_ts = enter;
	e.recv.copy_ts = copy;
	e.recv.ret = ret;
	e.recv.fd = 5;
	e.recv.sys = sys;
	feed(s, &e);
}

static void ev_futex(struct sim *s, struct sth *t, uint64_t enter, uint64_t exit, uint64_t addr,
		     uint32_t owner, uint32_t waker)
{
	struct cv_event e = { .ts = exit, .tid = t->tid, .type = CV_EV_FUTEX };
	e.flags = CV_CALL_BLOCKED | CV_CALL_IS_MUTEX;
	e.futex.enter_ts = enter;
	e.futex.addr = addr;
	e.futex.op = 0;
	e.futex.sys = CV_SYS_FUTEX;
	e.futex.owner_tid = owner;
	e.futex.waker_tid = waker;
	feed(s, &e);
}

static struct sth *add(struct sim *s, enum kind k, const char *comm, uint64_t start)
{
	s->th = realloc(s->th, (size_t)(s->n + 1) * sizeof(*s->th));
	struct sth *t = &s->th[s->n++];
	memset(t, 0, sizeof(*t));
	t->kind = k;
	t->tid = k == K_MAIN ? PID : s->next_tid++;
	strncpy(t->comm, comm, sizeof(t->comm) - 1);
	t->next = start;
	t->other = -1;
	return t;
}

/* one step of thread i at its t->next; schedules the following step */
static void step(struct sim *s, int i)
{
	struct sth *t = &s->th[i];
	uint64_t ts = t->next;
	if (!t->started) {
		t->started = true;
		ev_task(s, t, ts);
		ev_in(s, t, ts);
		t->next = ts + rnd(s, 1, 3) * MS;
		return;
	}
	switch (t->kind) {
	case K_MAIN:  /* pthread_join: futex wait on the tid word, forever */
		ev_out(s, t, ts, CV_BLK_FUTEX, JOIN_ADDR, 0, false);
		t->next = NEVER;
		break;
	case K_BLOCKING:
		switch (t->phase) {
		case 0:
			t->t_enter = ts;
			ev_out(s, t, ts + 4 * US, CV_BLK_RECV, 0, 0, false);
			t->next = ts + rnd(s, 40, 400) * MS;
			t->phase = 1;
			break;
		case 1:
			ev_wake(s, t, ts, 0);
			t->next = ts + rnd(s, 20, 2000) * US;
			t->phase = 2;
			break;
		case 2:
			ev_in(s, t, ts);
			t->t_copy = ts + 6 * US;
			t->next = t->t_copy + rnd(s, 5, 60) * US;
			t->phase = 3;
			break;
		default:
			ev_recv(s, t, t->t_enter, t->t_copy, ts, (int64_t)rnd(s, 64, 65536), CV_SYS_RECVFROM, true);
			t->next = ts + rnd(s, 1, 8) * MS;
			t->phase = 0;
			break;
		}
		break;
	case K_POLL:
		if (t->phase == 1) {
			ev_in(s, t, ts);
			t->phase = 0;
			t->next = ts + 100 * US;
			break;
		}
		if (++t->count % 120 == 0) {
			ev_recv(s, t, ts, ts + 3 * US, ts + 20 * US, 512, CV_SYS_RECVFROM, false);
			t->next = ts + 2 * MS;
		} else {
			ev_recv(s, t, ts, 0, ts + 2 * US, -11, CV_SYS_RECVFROM, false);
			t->next = ts + 2 * MS;
		}
		if (t->count % 40 == 0) {
			ev_out(s, t, ts + 30 * US, 0, 0, 0, true);
			t->next = ts + rnd(s, 200, 3000) * US;
			t->phase = 1;
		}
		break;
	case K_MUX:
		switch (t->phase) {
		case 0:
			t->t_enter = ts;
			ev_out(s, t, ts + 3 * US, CV_BLK_MUX, 0, 0, false);
			t->next = ts + rnd(s, 20, 250) * MS;
			t->phase = 1;
			break;
		case 1:
			ev_wake(s, t, ts, 0);
			t->next = ts + rnd(s, 10, 500) * US;
			t->phase = 2;
			break;
		case 2: {
			ev_in(s, t, ts);
			struct cv_event e = { .ts = ts + 5 * US, .tid = t->tid, .type = CV_EV_MUX };
			e.flags = CV_CALL_BLOCKED;
			e.mux.enter_ts = t->t_enter;
			e.mux.ret = 1;
			e.mux.sys = CV_SYS_EPOLL_WAIT;
			e.mux.nfds = 16;
			e.mux.timeout_ms = -1;
			feed(s, &e);
			t->next = ts + 10 * US;
			t->phase = 3;
			break;
		}
		default:
			ev_recv(s, t, ts, ts + 2 * US, ts + 14 * US, (int64_t)rnd(s, 100, 4000), CV_SYS_RECVFROM, false);
			t->next = ts + rnd(s, 1, 3) * MS;
			t->phase = 0;
			break;
		}
		break;
	case K_WORKER:
		switch (t->phase) {
		case 0:  /* wants counter_lock */
			if (!s->lock_owner) {
				s->lock_owner = t->tid;
				t->next = ts + rnd(s, 5, 40) * MS;
				t->phase = 2;
			} else {
				t->t_enter = ts;
				t->prev_owner = s->lock_owner;
				ev_out(s, t, ts + 2 * US, CV_BLK_FUTEX, LOCK_COUNTER, s->lock_owner, false);
				if (s->nwait < 8)
					s->waitq[s->nwait++] = i;
				t->next = NEVER;
				t->phase = 1;
			}
			break;
		case 2:  /* release, hand over to a waiter */
			s->lock_owner = 0;
			if (s->nwait > 0) {
				struct sth *w = &s->th[s->waitq[0]];
				memmove(s->waitq, s->waitq + 1, (size_t)--s->nwait * sizeof(int));
				ev_wake(s, w, ts, t->tid);
				s->lock_owner = w->tid;
				w->waker = t->tid;
				w->next = ts + rnd(s, 20, 300) * US;
				w->phase = 3;
			}
			t->next = ts + rnd(s, 1, 15) * MS;
			t->phase = 0;
			break;
		case 3:  /* woken holder */
			ev_in(s, t, ts);
			ev_futex(s, t, t->t_enter, ts, LOCK_COUNTER, t->prev_owner, t->waker);
			t->next = ts + rnd(s, 5, 40) * MS;
			t->phase = 2;
			break;
		default:
			t->next = NEVER;
			break;
		}
		break;
	case K_DEADLOCK:
		switch (t->phase) {
		case 0:  /* nap until 6 s into the trace */
			ev_out(s, t, ts, 0, 0, 0, false);
			t->next = ts + 500 * MS;
			t->phase = 1;
			break;
		case 1:
			ev_wake(s, t, ts, 0);
			ev_in(s, t, ts + 10 * US);
			t->next = ts + 1 * MS;
			t->phase = ts - s->t0 >= 6 * SEC ? 2 : 0;
			break;
		case 2:  /* holds its own lock; takes a short sleep, then wants the other */
			ev_out(s, t, ts, 0, 0, 0, false);
			t->next = ts + 100 * MS;
			t->phase = 3;
			break;
		case 3:
			ev_wake(s, t, ts, 0);
			ev_in(s, t, ts + 10 * US);
			t->next = ts + 1 * MS;
			t->phase = 4;
			break;
		case 4:
			ev_out(s, t, ts, CV_BLK_FUTEX, t->theirs, s->th[t->other].tid, false);
			t->next = NEVER;
			break;
		}
		break;
	case K_URING:
		if (t->phase == 0) {
			for (int k = 0; k < 4; k++) {
				struct cv_event e = { .ts = ts + (uint64_t)k * US, .tid = t->tid,
						      .type = CV_EV_URING_SUBMIT };
				e.usubmit.user_data = ++t->aux;
				e.usubmit.req = 0xffff888000000000ULL + t->aux;
				e.usubmit.opcode = 22; /* IORING_OP_READ */
				feed(s, &e);
				t->uring_done[k] = ts + rnd(s, 10, 90) * MS;
			}
			t->t_enter = ts + 5 * US;
			ev_out(s, t, ts + 8 * US, CV_BLK_URING, 0, 0, false);
			t->count = 0;
			t->phase = 1;
		} else if (t->phase == 1) {
			for (int k = 0; k < 4; k++)
				if (t->uring_done[k] == ts) {
					struct cv_event e = { .ts = ts, .tid = t->tid, .type = CV_EV_URING_COMPLETE };
					e.ucomplete.user_data = t->aux - 3 + (uint64_t)k;
					e.ucomplete.submit_ts = t->t_enter - 5 * US + (uint64_t)k * US;
					e.ucomplete.res = 4096;
					e.ucomplete.opcode = 22;
					feed(s, &e);
					t->uring_done[k] = NEVER;
					t->count++;
				}
			if (t->count == 4) {
				ev_wake(s, t, ts, 0);
				ev_in(s, t, ts + 30 * US);
				struct cv_event e = { .ts = ts + 40 * US, .tid = t->tid, .type = CV_EV_URING_ENTER };
				e.flags = CV_CALL_BLOCKED;
				e.uenter.enter_ts = t->t_enter;
				e.uenter.ret = 4;
				e.uenter.to_submit = 4;
				e.uenter.min_complete = 4;
				feed(s, &e);
				t->next = ts + rnd(s, 1, 4) * MS;
				t->phase = 0;
				return;
			}
		}
		if (t->phase == 1) {
			uint64_t nx = NEVER;
			for (int k = 0; k < 4; k++)
				if (t->uring_done[k] < nx)
					nx = t->uring_done[k];
			t->next = nx;
		} else
			t->next = ts + rnd(s, 1, 4) * MS;
		break;
	case K_SLEEPER:
	case K_SHORT:
		if (t->kind == K_SHORT && ts - t->aux >= 3 * SEC && t->phase == 0) {
			struct cv_event e = { .ts = ts, .tid = t->tid, .type = CV_EV_EXIT };
			feed(s, &e);
			t->gone = true;
			t->next = NEVER;
			/* a new short job 9 s later, with a new tid */
			struct sth *nt = add(s, K_SHORT, "short-job", ts + 9 * SEC);
			nt->aux = ts + 9 * SEC;
			return;
		}
		if (t->phase == 0) {
			ev_out(s, t, ts, 0, 0, 0, false);
			t->next = ts + (t->kind == K_SHORT ? 150 : 200 + (t->tid % 7) * 50) * MS;
			t->phase = 1;
		} else {
			ev_wake(s, t, ts, 0);
			ev_in(s, t, ts + 50 * US);
			t->next = ts + rnd(s, 1, 4) * MS;
			t->phase = 0;
		}
		break;
	}
}

static void sim_init(struct sim *s, struct cv_model *m, uint64_t t0, int extra)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	s->t0 = t0;
	s->rng = 0x9e3779b97f4a7c15ULL;
	s->next_tid = PID + 1;
	cv_model_set_start(m, t0);
	cv_model_set_target(m, PID, "tui_demo");
	add(s, K_MAIN, "tui_demo", t0);
	add(s, K_BLOCKING, "blk-recv-1", t0 + 1 * MS);
	add(s, K_BLOCKING, "blk-recv-2", t0 + 2 * MS);
	add(s, K_POLL, "nb-poller", t0 + 3 * MS);
	add(s, K_MUX, "epoll-loop", t0 + 4 * MS);
	add(s, K_WORKER, "worker-1", t0 + 5 * MS);
	add(s, K_WORKER, "worker-2", t0 + 6 * MS);
	add(s, K_WORKER, "worker-3", t0 + 7 * MS);
	struct sth *a = add(s, K_DEADLOCK, "dl-alpha", t0 + 8 * MS);
	a->mine = LOCK_A; a->theirs = LOCK_B; a->other = s->n;
	struct sth *b = add(s, K_DEADLOCK, "dl-beta", t0 + 9 * MS);
	b->mine = LOCK_B; b->theirs = LOCK_A; b->other = s->n - 2;
	add(s, K_URING, "uring-io", t0 + 10 * MS);
	add(s, K_SLEEPER, "timer", t0 + 11 * MS);
	struct sth *sj = add(s, K_SHORT, "short-job", t0 + 2 * SEC);
	sj->aux = t0 + 2 * SEC;
	for (int i = 0; i < extra; i++) {
		char nm[24];
		snprintf(nm, sizeof(nm), "bulk-%d", i % 1000000);
		add(s, K_SLEEPER, nm, t0 + 20 * MS + (uint64_t)i * 100 * US);
	}
}

/* run every step due at or before `until`, in timestamp order */
static void sim_run(struct sim *s, uint64_t until)
{
	for (;;) {
		int best = -1;
		for (int i = 0; i < s->n; i++)
			if (!s->th[i].gone && s->th[i].next <= until &&
			    (best < 0 || s->th[i].next < s->th[best].next))
				best = i;
		if (best < 0)
			break;
		if (!s->lost_sent && s->th[best].next >= s->t0 + 5 * SEC) {
			struct cv_event e = { .ts = s->t0 + 5 * SEC, .type = CV_EV_LOST };
			e.lost.count = 7;
			cv_model_feed(s->m, &e);
			s->lost_sent = true;
		}
		step(s, best);
	}
}

static uint64_t sim_next(const struct sim *s)
{
	uint64_t nx = NEVER;
	for (int i = 0; i < s->n; i++)
		if (!s->th[i].gone && s->th[i].next < nx)
			nx = s->th[i].next;
	return nx;
}

static void sim_end(struct sim *s, uint64_t ts)
{
	for (int i = 0; i < s->n; i++)
		if (s->th[i].started && !s->th[i].gone) {
			struct cv_event e = { .ts = ts, .tid = s->th[i].tid, .type = CV_EV_EXIT };
			e.exit.exit_code = 15;
			e.exit.group_dead = s->th[i].kind == K_MAIN;
			feed(s, &e);
			s->th[i].gone = true;
		}
	struct cv_event e = { .ts = ts, .type = CV_EV_END };
	cv_model_feed(s->m, &e);
	cv_model_set_target_exit(s->m, 143);
}

/* ---- the source ---- */

static const char *name_lock(void *ctx, uint32_t pid, uint64_t addr)
{
	(void)ctx;
	(void)pid;
	switch (addr) {
	case LOCK_COUNTER: return "counter_lock";
	case LOCK_A: return "lock_a";
	case LOCK_B: return "lock_b";
	}
	return NULL;
}

struct demo {
	struct sim sim;
	struct cv_model *m;
	int extra;
	bool replay, done, quit;
	uint64_t quit_at, end_after;  /* wall ns */
	/* replay clock */
	uint64_t pos, last_wall;
	double speed;
	bool paused;
};

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static void demo_reset(struct demo *d, uint64_t t0)
{
	static const struct cv_model_hooks hooks = { .name_lock = name_lock };
	if (d->m)
		cv_model_free(d->m);
	free(d->sim.th);
	d->m = cv_model_new(&hooks);
	sim_init(&d->sim, d->m, t0, d->extra);
	d->done = false;
}

static struct cv_model *src_model(void *ctx) { return ((struct demo *)ctx)->m; }

static void nap(int ms)
{
	if (ms > 0) {
		struct timespec ts = { 0, (long)ms * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static int src_pump(void *ctx, int timeout_ms)
{
	struct demo *d = ctx;
	if (d->replay) {
		uint64_t w = wall_ns();
		if (!d->paused && !d->done)
			d->pos += (uint64_t)((double)(w - d->last_wall) * d->speed);
		d->last_wall = w;
		if (d->pos >= REPLAY_LEN)
			d->pos = REPLAY_LEN;
		if (!d->done) {
			sim_run(&d->sim, d->sim.t0 + d->pos);
			cv_model_advance(d->m, d->sim.t0 + d->pos);
			if (d->pos >= REPLAY_LEN) {
				sim_end(&d->sim, d->sim.t0 + REPLAY_LEN);
				d->done = true;
			}
		}
		nap(timeout_ms < 10 ? timeout_ms : 10);
		return d->done ? 1 : 0;
	}
	if (d->done)
		return 1;
	uint64_t now = wall_ns();
	if ((d->quit && now >= d->quit_at) || (d->end_after && now >= d->end_after)) {
		sim_run(&d->sim, now);
		sim_end(&d->sim, now);
		d->done = true;
		return 1;
	}
	uint64_t before = d->sim.events;
	sim_run(&d->sim, now);
	if (d->sim.events == before && timeout_ms > 0) {
		uint64_t nx = sim_next(&d->sim);
		int ms = nx == NEVER ? timeout_ms : (int)((nx - now) / MS) + 1;
		nap(ms < timeout_ms ? ms : timeout_ms);
		sim_run(&d->sim, wall_ns());
	}
	return 0;
}

static void src_quit(void *ctx)
{
	struct demo *d = ctx;
	d->quit = true;
	d->quit_at = wall_ns() + 300 * MS;  /* the "target" takes a moment to die */
}

static const char *src_error(void *ctx) { (void)ctx; return ""; }

static void src_control(void *ctx, enum cv_replay_cmd cmd, double arg)
{
	struct demo *d = ctx;
	uint64_t target;
	switch (cmd) {
	case CV_REPLAY_PAUSE:
		d->paused = arg != 0;
		d->last_wall = wall_ns();
		return;
	case CV_REPLAY_SPEED:
		d->speed = arg;
		return;
	case CV_REPLAY_STEP:
		target = d->pos + (uint64_t)arg;
		break;
	case CV_REPLAY_SEEK:
	default:
		target = arg < 0 ? 0 : (uint64_t)arg;
		break;
	}
	if (target > REPLAY_LEN)
		target = REPLAY_LEN;
	if (target < d->pos || d->done)
		demo_reset(d, d->sim.t0);  /* a new model, replayed from the start */
	d->pos = target;
	sim_run(&d->sim, d->sim.t0 + d->pos);
	cv_model_advance(d->m, d->sim.t0 + d->pos);
	if (d->pos >= REPLAY_LEN) {
		sim_end(&d->sim, d->sim.t0 + REPLAY_LEN);
		d->done = true;
	}
}

static uint64_t src_len(void *ctx) { (void)ctx; return REPLAY_LEN; }
static uint64_t src_pos(void *ctx) { return ((struct demo *)ctx)->pos; }
static double src_speed(void *ctx) { return ((struct demo *)ctx)->speed; }
static bool src_paused(void *ctx) { return ((struct demo *)ctx)->paused; }

int main(int argc, char **argv)
{
	struct demo d;
	bool exit_when_done = false;
	int opt, dur = 0;
	memset(&d, 0, sizeof(d));
	d.speed = 1.0;
	while ((opt = getopt(argc, argv, "rxd:n:")) != -1) {
		switch (opt) {
		case 'r': d.replay = true; break;
		case 'x': exit_when_done = true; break;
		case 'd': dur = atoi(optarg); break;
		case 'n': d.extra = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-r] [-x] [-d SEC] [-n N]\n", argv[0]);
			return 2;
		}
	}
	uint64_t t0 = d.replay ? 1000 * SEC : wall_ns();
	demo_reset(&d, t0);
	d.last_wall = wall_ns();
	if (dur > 0)
		d.end_after = wall_ns() + (uint64_t)dur * SEC;

	char title[64];
	snprintf(title, sizeof(title), "%s tui_demo  pid %d", d.replay ? "replay" : "run", PID);
	struct cv_tui_source src = {
		.ctx = &d, .model = src_model, .title = title, .log_path = "/tmp/tui_demo.log",
		.is_replay = d.replay, .pump = src_pump, .quit = src_quit, .last_error = src_error,
	};
	if (d.replay) {
		src.replay_control = src_control;
		src.replay_length_ns = src_len;
		src.replay_position_ns = src_pos;
		src.replay_speed = src_speed;
		src.replay_paused = src_paused;
	}
	int rc = cv_tui_run(&src, exit_when_done);
	printf("tui_demo: cv_tui_run returned %d after %llu events\n", rc,
	       (unsigned long long)cv_model_events(d.m));
	cv_model_free(d.m);
	free(d.sim.th);
	return rc;
}
