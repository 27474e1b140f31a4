/* model_feed.c — fold one event into the model: thread states, segments and
 * time accounting (see the rules in model.h), timeline buckets, per-thread
 * counters and histories, lock statistics and waiter sets; a block on a
 * lock with a known holder runs the deadlock search (model_waits.c).
 * O(1) per event (the deadlock walk is bounded); no allocation per event. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/names.h"
#include "model_priv.h"

/* ---- timeline buckets ---------------------------------------------------- */

/* The ring grows with the thread's life (8, 16, … up to CV_BUCKETS buckets),
 * so thousands of short-lived threads cost a few hundred bytes each, not
 * 21 KiB.  Slot of bucket b: b % bucket_cap. */
static bool ring_grow(struct cv_model *m, struct cv_thr *t, uint64_t want)
{
	uint32_t ncap = t->bucket_cap ? t->bucket_cap : 8;

	while (ncap < want && ncap < CV_BUCKETS)
		ncap *= 2;
	if (ncap > CV_BUCKETS)
		ncap = CV_BUCKETS;
	if (ncap <= t->bucket_cap)
		return true;
	struct cv_bucket *n = calloc(ncap, sizeof(*n));
	if (!n) {
		cv__nomem(m);
		return false;
	}
	if (t->buckets) {
		uint64_t lo = t->last_bucket + 1 > t->bucket_cap ? t->last_bucket + 1 - t->bucket_cap : 0;

		for (uint64_t k = lo; k <= t->last_bucket; k++)
			n[k % ncap] = t->buckets[k % t->bucket_cap];
		free(t->buckets);
	}
	t->buckets = n;
	t->bucket_cap = ncap;
	t->newest = NULL;
	return true;
}

/* Make bucket b the newest of the thread's ring (allocating it on first use).
 * Returns the slot for b, or NULL if b is older than the kept history. */
static struct cv_bucket *ring_slot(struct cv_model *m, struct cv_thr *t, uint64_t b)
{
	uint64_t want = b >= t->first_bucket ? b - t->first_bucket + 1 : 1;

	if (!t->buckets) {
		if (!ring_grow(m, t, want))
			return NULL;
		t->last_bucket = b;
	} else if (b > t->last_bucket) {
		if (want > t->bucket_cap)
			ring_grow(m, t, want); /* on ENOMEM the ring keeps less (counted) */
		uint64_t n = b - t->last_bucket;
		if (n >= t->bucket_cap)
			memset(t->buckets, 0, t->bucket_cap * sizeof(*t->buckets));
		else
			for (uint64_t k = t->last_bucket + 1; k <= b; k++)
				memset(&t->buckets[k % t->bucket_cap], 0, sizeof(*t->buckets));
		t->last_bucket = b;
	} else if (b + t->bucket_cap <= t->last_bucket) {
		return NULL;
	}
	struct cv_bucket *s = &t->buckets[b % t->bucket_cap];
	if (b == t->last_bucket)
		t->newest = s;
	return s;
}

/* The newest bucket's slot if [t0, t1) lies in it, else NULL: the same slot
 * ring_slot would give, without its divisions. */
static struct cv_bucket *newest_holding(const struct cv_model *m, const struct cv_thr *t,
					uint64_t t0, uint64_t t1)
{
	uint64_t b = t->last_bucket;

	if (!t->newest || t0 < (b ? m->start + b * CV_BUCKET_NS : 0) ||
	    t1 > m->start + (b + 1) * CV_BUCKET_NS)
		return NULL;
	return t->newest;
}

static void bucket_add_ns(struct cv_bucket *s, enum cv_state st, uint64_t ns)
{
	uint64_t v = s->ns[st] + ns;
	s->ns[st] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void buckets_add(struct cv_model *m, struct cv_thr *t, enum cv_state st,
			uint64_t t0, uint64_t t1)
{
	struct cv_bucket *newest = newest_holding(m, t, t0, t1);
	if (newest) {
		bucket_add_ns(newest, st, t1 - t0);
		return;
	}
	uint64_t b0 = cv__bucket_of(m, t0), b1 = cv__bucket_of(m, t1 - 1);
	if (!ring_slot(m, t, b1))
		return;
	uint32_t cap = t->bucket_cap;
	if (b1 >= cap && b0 < b1 - (cap - 1))
		b0 = b1 - (cap - 1); /* older buckets are gone anyway */
	for (uint64_t b = b0; b <= b1; b++) {
		uint64_t lo = b ? m->start + b * CV_BUCKET_NS : 0;
		uint64_t hi = m->start + (b + 1) * CV_BUCKET_NS;
		uint64_t a = t0 > lo ? t0 : lo, z = t1 < hi ? t1 : hi;
		if (z <= a)
			continue;
		bucket_add_ns(&t->buckets[b % cap], st, z - a);
	}
}

static void bucket_csw(struct cv_model *m, struct cv_thr *t, uint64_t ts, bool voluntary)
{
	struct cv_bucket *s = newest_holding(m, t, ts, ts + 1);
	if (!s && !(s = ring_slot(m, t, cv__bucket_of(m, ts))))
		return;
	uint16_t *c = voluntary ? &s->vcsw : &s->ivcsw;
	if (*c < UINT16_MAX)
		(*c)++;
}

/* ---- segments ------------------------------------------------------------- */

static void emit(struct cv_model *m, struct cv_thr *t, enum cv_state st, uint64_t t0, uint64_t t1)
{
	if (t1 <= t0)
		return;
	t->pub.time_ns[st] += t1 - t0;
	if (st == CV_ST_LOCK_WAIT && t->pub.block_kind < CV_LK_COUNT)
		t->pub.lock_wait_ns[t->pub.block_kind] += t1 - t0;
	buckets_add(m, t, st, t0, t1);
	if (m->hooks.on_segment)
		m->hooks.on_segment(m->hooks.ctx, &t->pub, st, t0, t1);
}

static inline uint64_t clamp_ts(const struct cv_thr *t, uint64_t ts)
{
	return ts < t->pub.state_since ? t->pub.state_since : ts;
}

/* Close the open segment at ts (clamped); returns the clamped ts. */
static uint64_t seg_close(struct cv_model *m, struct cv_thr *t, uint64_t ts)
{
	ts = clamp_ts(t, ts);
	emit(m, t, t->pub.state, t->pub.state_since, ts);
	t->pub.state_since = ts;
	return ts;
}

/* Close an on-CPU (RUNNING) segment at ts: RUNNING before copy_ts, COPY_DATA
 * from it (the whole segment if the copy started before the segment did). */
static uint64_t seg_close_copy(struct cv_model *m, struct cv_thr *t, uint64_t copy_ts, uint64_t ts)
{
	if (t->pub.state != CV_ST_RUNNING)
		return seg_close(m, t, ts);
	ts = clamp_ts(t, ts);
	uint64_t s = t->pub.state_since;
	uint64_t split = copy_ts < s ? s : copy_ts > ts ? ts : copy_ts;
	emit(m, t, CV_ST_RUNNING, s, split);
	emit(m, t, CV_ST_COPY_DATA, split, ts);
	t->pub.state_since = ts;
	return ts;
}

static void set_state(struct cv_thr *t, enum cv_state st, bool on_cpu)
{
	if (st != t->pub.state)
		t->pub.state_entered = t->pub.state_since; /* the caller closed the segment */
	t->pub.state = st;
	t->pub.on_cpu = on_cpu;
}

static enum cv_state blocked_state(uint32_t block)
{
	switch (block) {
	case CV_BLK_RECV: return CV_ST_WAIT_DATA;
	case CV_BLK_ACCEPT: return CV_ST_WAIT_DATA; /* for a connection */
	case CV_BLK_RECV_COPY: return CV_ST_COPY_DATA;
	case CV_BLK_MUX: return CV_ST_MUX_WAIT;
	case CV_BLK_FUTEX: return CV_ST_LOCK_WAIT;
	case CV_BLK_URING: return CV_ST_URING_WAIT;
	default: return CV_ST_SLEEP;
	}
}

static bool is_blocked(const struct cv_thr *t)
{
	return !t->pub.on_cpu && t->pub.state != CV_ST_RUNNABLE && t->pub.state != CV_ST_RUNNING;
}

/* ---- threads ---------------------------------------------------------------- */

/* The live record for ev's tid, created on first sighting in state st. */
static struct cv_thr *get_thread(struct cv_model *m, uint32_t tid, uint32_t pid, uint64_t ts,
				 enum cv_state st, bool on_cpu)
{
	struct cv_thr *t = cv__find_recent(m, tid);
	if (t)
		return t;
	return cv__new_thread(m, tid, pid, ts, st, on_cpu);
}

static void copy_comm(char dst[CV_COMM_LEN], const char *src)
{
	memcpy(dst, src, CV_COMM_LEN);
	dst[CV_COMM_LEN - 1] = '\0';
}

/* ---- locks, waiter sets, deadlocks --------------------------------------------- */

enum cv_lock_kind cv__kind_of_name(const char *name)
{
	return name && strncmp(name, "join T", 6) == 0 ? CV_LK_JOIN : CV_LK_FUTEX;
}

/* unknown < mutex (a heuristic: the word is 2) < join (the word is a
 * thread's ID, the kernel's clear_child_tid: in a PID namespace the first
 * thread's is 2) < what a probe or an interpreter said (condvar,
 * semaphore, gil, …) */
static int kind_rank(enum cv_lock_kind k)
{
	return k == CV_LK_FUTEX ? 0 : k == CV_LK_MUTEX ? 1 : k == CV_LK_JOIN ? 2 : 3;
}

enum cv_lock_kind cv__kind_merge(enum cv_lock_kind have, enum cv_lock_kind seen)
{
	if ((unsigned)seen >= CV_LK_COUNT)
		return have;
	return kind_rank(seen) > kind_rank(have) ? seen : have;
}

/* One more for tid in a lock's per-thread counts (waiters or wakers). */
static void tid_count(struct cv_lock_tid **v, uint32_t *n, uint64_t *other, uint32_t tid)
{
	for (uint32_t i = 0; i < *n; i++)
		if ((*v)[i].tid == tid) {
			(*v)[i].n++;
			return;
		}
	if (*n >= CV_LOCK_TIDS) {
		(*other)++;
		return;
	}
	if ((*n & (*n - 1)) == 0) { /* grow at powers of two */
		struct cv_lock_tid *g = realloc(*v, (*n ? *n * 2 : 1) * sizeof(**v));
		if (!g) {
			(*other)++;
			return;
		}
		*v = g;
	}
	(*v)[(*n)++] = (struct cv_lock_tid){ tid, 1 };
}

static void lock_saw_pid(struct cv_lock *l, uint32_t pid)
{
	for (uint32_t i = 0; i < l->npids; i++)
		if (l->pids[i] == pid)
			return;
	if (l->npids < CV_LOCK_PIDS)
		l->pids[l->npids++] = pid;
	else
		l->pids_more = true;
}

/* What a wait says of its lock: the object is addr - obj_off; its kind as
 * the probes saw it.  (A futex op without FUTEX_PRIVATE_FLAG alone does not
 * make a lock shared: glibc's join waits so on a thread's private stack;
 * cv_model_set_lock_shared says where the memory is shared.)  NULL on ENOMEM. */
static struct cv_lock *lock_of_wait(struct cv_model *m, uint32_t pid, uint64_t obj,
				    uint32_t kind)
{
	struct cv_lock *l = cv__lock(m, pid, obj, true);
	if (!l)
		return NULL;
	l->kind = cv__kind_merge(l->kind, kind);
	lock_saw_pid(l, pid);
	return l;
}

static void leave_waiters(struct cv_thr *t)
{
	if (!t->waiting)
		return;
	if (t->waiting->cur_waiters)
		t->waiting->cur_waiters--;
	t->waiting = NULL;
}

static void join_waiters(struct cv_thr *t, struct cv_lock *l)
{
	if (t->waiting == l)
		return;
	leave_waiters(t);
	if (!l)
		return;
	t->waiting = l;
	if (++l->cur_waiters > l->max_waiters)
		l->max_waiters = l->cur_waiters;
}

/* owner_tid names a traced thread of pid, other than self unless the lock
 * is a mutex (a thread waiting for a mutex it holds waits for ever)? */
static bool valid_owner(const struct cv_model *m, uint32_t owner, uint32_t pid, uint32_t self,
			const struct cv_lock *l)
{
	if (!owner || (owner == self && !(l && l->kind == CV_LK_MUTEX)))
		return false;
	const struct cv_thr *o = cv__find(m, owner);
	return o && o->pub.pid == pid;
}

/* What a FUTEX block is on: the lock object and its kind */
struct lock_ref {
	uint64_t obj;
	uint32_t kind;
};

/* Enter a blocked state (a SWITCH that blocked, or a seed). */
static void block_on(struct cv_model *m, struct cv_thr *t, uint32_t block,
		     const struct lock_ref *lr, uint32_t owner, uint64_t ts)
{
	set_state(t, blocked_state(block), false);
	t->pub.block = block;
	t->pub.block_obj = block == CV_BLK_FUTEX ? lr->obj : 0;
	t->pub.block_owner = 0;
	if (block != CV_BLK_FUTEX) {
		leave_waiters(t);
		return;
	}
	struct cv_lock *l = lock_of_wait(m, t->pub.pid, lr->obj, lr->kind);
	t->pub.block_kind = l ? l->kind : cv__kind_merge(CV_LK_FUTEX, lr->kind);
	if (t->waiting != l)
		t->futex_waker = 0;
	join_waiters(t, l);
	if (l && valid_owner(m, owner, t->pub.pid, t->pub.tid, l)) {
		t->pub.block_owner = owner;
		l->owner_tid = owner;
		cv__check_deadlock(m, t, ts);
	}
}

/* ev was produced by t itself (a syscall's exit, its exit): t is on a CPU at
 * ts, whatever the model thought.  A thread never yet placed on a CPU has
 * run since it was first seen (its switch-in came before tracing followed
 * it: a child that runs at once after fork), so its open segment is running;
 * a runnable one was switched in unseen and ran from where it was runnable
 * (below); a blocked one's switch-in was lost, and running starts here. */
static void on_cpu_evidence(struct cv_model *m, struct cv_thr *t, uint64_t ts)
{
	if (!t->pub.on_cpu) {
		/* runnable, and on a CPU again with no switch-in seen: one the
		 * kernel did not report (a VM's kernel may hide its agent's
		 * switches) or a lost one.  The kernel counts that time as the
		 * thread's CPU time (docs/time-accounting.md), so it is running. */
		if (t->pub.state == CV_ST_RUNNABLE && t->seen_on_cpu) {
			t->pub.state = CV_ST_RUNNING; /* since its open segment began */
			t->pub.state_entered = t->pub.state_since;
			t->pub.unseen_switch_ins++;
		}
		if (t->seen_on_cpu)
			seg_close(m, t, ts);
		leave_waiters(t);
		t->pub.block = CV_BLK_NONE;
		set_state(t, CV_ST_RUNNING, true);
	}
	t->woken = false;
	t->seen_on_cpu = true;
}

/* ---- events ------------------------------------------------------------------ */

/* prev_state bits of a stop in which no signal handler runs: __TASK_STOPPED
 * (job control), TASK_FROZEN (the freezer, after its fake signal).  Not
 * __TASK_TRACED: under strace a ptrace stop follows every syscall exit, and
 * a tracer's stop comes before the handler it lets run. */
#define TASK_STOPPED_BIT 0x4
#define TASK_FROZEN_BIT  0x8000

/* (signals, below) a held call ends: the thread exited, the trace ended */
static void release_held(struct cv_model *m, struct cv_thr *t, const struct cv_event *next);

/* The kernel's run-queue clock at a switch-in (CV_SW_KCLOCK): of next's
 * traced wait, what the kernel counts as its CPU time instead, the wait
 * minus the run-queue delay the kernel adds for it (negative: the kernel
 * counts some of what was traced as running as waiting, a preemption at a
 * stale clock).  For a next woken since it last ran, that is how stale the
 * clock is at this switch: its update was skipped (docs/time-accounting.md). */
static int64_t next_as_cpu(const struct cv_thr *nt, const struct cv_event *ev)
{
	uint64_t waited = nt->pub.state == CV_ST_RUNNABLE && ev->ts > nt->pub.state_since
				  ? ev->ts - nt->pub.state_since : 0;
	return cv__sat_add(cv__to_i64(waited), -cv__to_i64(ev->sw.next_run_delay));
}

/* t blocks at this switch (CV_SW_KCLOCK): at a stale clock the kernel ends
 * its CPU time, and starts its sleep, where the clock stands.  Only a woken
 * traced next says how stale that is, and an idle one that it is not
 * (nothing asked to skip the update); any other next leaves it unseen. */
static void block_at_kernel_clock(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev)
{
	const struct cv_thr *nt = (ev->flags & CV_SW_NEXT_TRACED) ? cv__find(m, ev->sw.next_tid) : NULL;
	int64_t stale;

	if (ev->sw.next_tid == 0)
		return;
	if (!nt || nt->pub.exited || !nt->woken || nt->pub.state != CV_ST_RUNNABLE) {
		t->pub.kclock.unseen_switches++;
		return;
	}
	stale = next_as_cpu(nt, ev);
	if (stale > 0)
		t->pub.kclock.running_as_sleep_ns = (uint64_t)cv__sat_add(
			cv__to_i64(t->pub.kclock.running_as_sleep_ns), stale);
}

static void on_switch(struct cv_model *m, const struct cv_event *ev)
{
	bool kclock = ev->flags & CV_SW_KCLOCK;

	if (ev->flags & CV_SW_PREV_TRACED) {
		struct cv_thr *t = get_thread(m, ev->tid, ev->pid, ev->ts, CV_ST_RUNNING, true);
		if (t && !t->pub.exited) {
			on_cpu_evidence(m, t, ev->ts); /* prev was on this CPU */
			uint64_t ts = ev->sw.block == CV_BLK_RECV_COPY
					      ? seg_close_copy(m, t, ev->sw.obj, ev->ts)
					      : seg_close(m, t, ev->ts);
			bool vol = (ev->flags & CV_SW_PREV_BLOCKED) && !(ev->flags & CV_SW_PREEMPT);
			if (vol)
				t->pub.vcsw++;
			else
				t->pub.ivcsw++;
			if (vol && kclock)
				block_at_kernel_clock(m, t, ev);
			bucket_csw(m, t, ts, vol);
			if (vol && (ev->sw.prev_state & (TASK_STOPPED_BIT | TASK_FROZEN_BIT)))
				t->intr.stopped = true; /* no handler ran */
			/* off the CPU on the way out of an interrupted call: preempted,
			 * its task work is still to come; blocked, it left that way */
			if (t->intr.held && vol)
				t->intr.tw_from = 0;
			else if (t->intr.held && t->intr.tw_from)
				t->intr.out_preempted = true;
			if (vol) {
				struct lock_ref lr = {
					.obj = ev->sw.obj - (ev->sw.block == CV_BLK_FUTEX ? ev->sw.obj_off : 0),
					.kind = ev->sw.lock_kind,
				};
				block_on(m, t, ev->sw.block, &lr, ev->sw.owner_tid, ts);
			} else {
				set_state(t, CV_ST_RUNNABLE, false);
				t->woken = false; /* preempted: its wait is the run queue's */
				t->pub.block = CV_BLK_NONE;
			}
		}
	}
	if (ev->flags & CV_SW_NEXT_TRACED) {
		struct cv_thr *t = get_thread(m, ev->sw.next_tid, ev->sw.next_pid, ev->ts,
					      CV_ST_RUNNABLE, false);
		if (t && !t->pub.exited) {
			t->seen_on_cpu = true;
			if (kclock) {
				t->pub.kclock.seen = true;
				t->pub.kclock.runnable_as_cpu_ns =
					cv__sat_add(t->pub.kclock.runnable_as_cpu_ns, next_as_cpu(t, ev));
			}
			seg_close(m, t, ev->ts);
			t->woken = false;
			set_state(t, CV_ST_RUNNING, true);
			t->pub.block = CV_BLK_NONE;
			if (t->intr.out_preempted) {
				t->intr.out_preempted = false;
				t->intr.tw_from = ev->ts;
			}
		}
	}
}

static void on_wakeup(struct cv_model *m, const struct cv_event *ev)
{
	struct cv_thr *t = get_thread(m, ev->tid, ev->pid, ev->ts, CV_ST_RUNNABLE, false);
	if (!t || t->pub.exited || !is_blocked(t))
		return;
	/* a stuck thread leaves the pattern: see it once more as it was (a
	 * possible deadlock's length runs to here, not to the last check) */
	if (t->pub.state == CV_ST_LOCK_WAIT && ev->ts >= t->pub.state_since + CV_STUCK_NS)
		cv__check_stuck(m, ev->ts, false);
	if (t->pub.state == CV_ST_LOCK_WAIT && ev->wake.waker_tid &&
	    ev->wake.waker_tid != t->pub.tid && cv__find(m, ev->wake.waker_tid))
		t->futex_waker = ev->wake.waker_tid;
	/* woken: no longer blocked on the lock (a thread seeded at attach, or
	 * one whose FUTEX event was dropped, gets no other chance to leave) */
	if (t->pub.state == CV_ST_LOCK_WAIT)
		leave_waiters(t);
	seg_close(m, t, ev->ts);
	set_state(t, CV_ST_RUNNABLE, false);
	t->woken = true;
}

static void on_task(struct cv_model *m, const struct cv_event *ev)
{
	struct cv_thr *t = cv__find(m, ev->tid);
	if (!t || t->pub.exited)
		t = cv__new_thread(m, ev->tid, ev->pid, ev->ts, CV_ST_RUNNABLE, false);
	if (!t)
		return;
	/* a new thread under a live one's id (the old one's exit was lost):
	 * the old one's interrupted call is not the new one's */
	if (!(ev->flags & CV_TASK_SEED))
		release_held(m, t, NULL);
	copy_comm(t->pub.comm, ev->task.comm);
	t->pub.pid = ev->pid;
	if (ev->flags & CV_TASK_PROCESS) {
		t->pub.is_process_leader = true;
		cv__proc_fork(m, t, ev);
	} else {
		cv__proc_attach(m, t, ev->ts);
	}
	cv__proc_rename(t);
	if (!(ev->flags & CV_TASK_SEED)) {
		/* waits on this futex are joins of the new thread: say so */
		if (ev->task.join_addr) {
			char name[32];

			snprintf(name, sizeof(name), "join T%u", (unsigned)ev->tid);
			cv_model_set_lock_name(m, ev->pid, ev->task.join_addr, name);
			t->join_addr = ev->task.join_addr;
			if (!cv_hash_set(&m->joins, cv__lock_key(ev->pid, ev->task.join_addr), ev->tid))
				cv__nomem(m);
		}
		return;
	}
	t->pub.seeded = true;
	t->seen_on_cpu = true; /* /proc said where it is */
	uint64_t ts = seg_close(m, t, ev->ts);
	if (ev->flags & CV_TASK_SEED_ONCPU) {
		leave_waiters(t);
		set_state(t, CV_ST_RUNNING, true);
		t->pub.block = CV_BLK_NONE;
		t->pub.block_obj = 0;
	} else {
		struct lock_ref lr = { .obj = ev->task.seed_obj, .kind = CV_TASK_SEED_KIND(ev->flags) };

		block_on(m, t, ev->task.seed_block, &lr, 0, ts);
		t->pub.block_obj = ev->task.seed_obj;
		t->seed_in_call = ev->task.seed_block != CV_BLK_NONE;
		t->seed_ts = ts;
		t->seed_sys = ev->task.seed_sys;
	}
}

static void on_exit_ev(struct cv_model *m, const struct cv_event *ev)
{
	struct cv_thr *t = get_thread(m, ev->tid, ev->pid, ev->ts, CV_ST_RUNNING, true);
	if (!t || t->pub.exited)
		return;
	on_cpu_evidence(m, t, ev->ts); /* a thread exits on its own CPU */
	/* a call a signal interrupted: the exit says which handler ran on the
	 * way out of it, where the probes know (it is the thread's last) */
	release_held(m, t, (ev->flags & CV_CALL_SIG_KNOWN) ? ev : NULL);
	uint64_t ts = seg_close(m, t, ev->ts);
	t->pub.exited = true;
	t->pub.exit_ts = ts;
	/* nobody waited to join it: its name will never be needed */
	if (t->join_addr && !cv__lock(m, t->pub.pid, t->join_addr, false))
		free(cv__pending_take(m, t->pub.pid, t->join_addr));
	t->pub.exit_code = ev->exit.exit_code;
	if (ev->exit.group_dead)
		cv__proc_exit(t, ts, ev->exit.exit_code);
	if (ev->exit.kernel_cpu_ns || ev->exit.kernel_run_delay_ns) {
		t->pub.kernel_times = true;
		t->pub.kernel_cpu_ns = ev->exit.kernel_cpu_ns;
		t->pub.kernel_run_delay_ns = ev->exit.kernel_run_delay_ns;
		t->pub.kernel_uncharged_ns = ev->exit.kernel_uncharged_ns;
	}
	t->pub.on_cpu = false;
	leave_waiters(t);
	if (m->target_pid && ev->pid == m->target_pid && ev->exit.group_dead) {
		m->target_exit_inferred = true;
		if (!m->target_exit_set)
			m->target_exit = cv_wait_shell_code(ev->exit.exit_code);
		m->target_signal = cv_wait_signal(ev->exit.exit_code);
	}
}

static uint64_t since(uint64_t ts, uint64_t enter)
{
	return enter && ts > enter ? ts - enter : 0;
}

static void on_accept(struct cv_thr *t, const struct cv_event *ev)
{
	struct cv_thread *p = &t->pub;
	p->accept.calls++;
	if (ev->recv.ret == -CV_EAGAIN)
		p->accept.eagain++;
	if (ev->flags & CV_CALL_BLOCKED)
		p->accept.blocked_calls++;
	p->accept.wait_ns += since(ev->ts, ev->recv.enter_ts);
}

/* what signals did to the call being folded (enum cv_call_signal) */
struct callsig {
	uint8_t sig;
	uint16_t n;                 /* interruptions */
};

static void on_recv(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev,
		    const struct callsig *cs)
{
	struct cv_thread *p = &t->pub;
	cv__fd_count(m, t, ev);
	if (CV_SYS_IS_ACCEPT(ev->recv.sys)) {
		on_accept(t, ev);
		return;
	}
	enum cv_recv_kind k = cv_recv_kind_of(ev->recv.sys, ev->flags);
	p->recv.calls++;
	p->recv.by_kind[k].calls++;
	if (ev->flags & CV_CALL_BLOCKED)
		p->recv.blocked_calls++;
	if (ev->recv.ret == -CV_EAGAIN) {
		/* a poll attempt: counted, summarised by the next record's eagain_before
		 * (a busy poll loop would otherwise flush every real receive out of
		 * the history ring) */
		p->recv.eagain++;
		p->eagain_streak++;
	} else {
		if (ev->recv.ret > 0) {
			p->recv.bytes += (uint64_t)ev->recv.ret;
			p->recv.by_kind[k].bytes += (uint64_t)ev->recv.ret;
		}
		t->recv_hist[t->recv_head++ % CV_HIST_RECV] = (struct cv_recv_rec){
			.enter_ts = ev->recv.enter_ts, .copy_ts = ev->recv.copy_ts, .exit_ts = ev->ts,
			.ret = ev->recv.ret, .sys = ev->recv.sys, .flags = ev->flags,
			.eagain_before = p->eagain_streak, .signal = cs->sig, .interruptions = cs->n,
		};
		p->eagain_streak = 0;
	}
	if (p->on_cpu && p->state == CV_ST_RUNNING && ev->recv.copy_ts)
		seg_close_copy(m, t, ev->recv.copy_ts, ev->ts);
}

static void on_mux(struct cv_thr *t, const struct cv_event *ev, const struct callsig *cs)
{
	struct cv_thread *p = &t->pub;
	struct cv_mux_api_stats *a = &p->mux.by_api[cv_mux_api_of(ev->mux.sys)];
	uint64_t w = since(ev->ts, ev->mux.enter_ts);
	p->mux.calls++;
	p->mux.wait_ns += w;
	a->calls++;
	a->wait_ns += w;
	a->nfds += ev->mux.nfds;
	if (ev->mux.ret > 0)
		a->ready += (uint64_t)ev->mux.ret;
	else if (ev->mux.ret == 0)
		a->timeouts++;
	else if (cs->sig != CV_CALLSIG_UNRESOLVED) /* (returned nothing the program saw) */
		a->errors++;
	t->mux_hist[t->mux_head++ % CV_HIST_MUX] = (struct cv_mux_rec){
		.enter_ts = ev->mux.enter_ts, .exit_ts = ev->ts, .ret = ev->mux.ret,
		.sys = ev->mux.sys, .flags = ev->flags, .nfds = ev->mux.nfds,
		/* a call in flight at attach is begun at its exit, when select,
		 * pselect6 and ppoll have written back the time left */
		.timeout_ms = t->seed_in_call && !ev->mux.enter_ts && cv_mux_timeout_written_back(ev->mux.sys)
				      ? CV_TIMEOUT_UNSEEN : ev->mux.timeout_ms,
		.signal = cs->sig, .interruptions = cs->n,
	};
}

static void on_futex(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev,
		     const struct callsig *cs)
{
	struct cv_thread *p = &t->pub;
	uint32_t waker = ev->futex.waker_tid ? ev->futex.waker_tid : t->futex_waker;
	uint64_t obj = ev->futex.addr - ev->futex.obj_off;
	struct cv_lock *l = NULL;

	leave_waiters(t);
	t->futex_waker = 0;
	if (ev->futex.ret != -CV_EAGAIN)
		l = lock_of_wait(m, p->pid, obj, ev->futex.kind);
	uint32_t owner = valid_owner(m, ev->futex.owner_tid, p->pid, p->tid, l) ? ev->futex.owner_tid : 0;
	/* a wait that ended by itself: a possible deadlock it was in was none */
	if (m->ndl && (ev->futex.ret == 0 || ev->futex.ret == -CV_ETIMEDOUT))
		cv__stuck_wait_ended(m, t, obj, ev->ts, ev->futex.ret == -CV_ETIMEDOUT);
	t->futex_hist[t->futex_head++ % CV_HIST_FUTEX] = (struct cv_futex_rec){
		.enter_ts = ev->futex.enter_ts, .exit_ts = ev->ts, .addr = obj,
		.ret = ev->futex.ret, .owner_tid = owner, .waker_tid = waker, .flags = ev->flags,
		.kind = l ? l->kind : cv__kind_merge(CV_LK_FUTEX, ev->futex.kind),
		.signal = cs->sig, .interruptions = cs->n,
	};
	if (ev->futex.ret == -CV_EAGAIN)
		return; /* the value had changed: never waited */
	uint64_t d = since(ev->ts, ev->futex.enter_ts);
	p->futex.waits++;
	p->futex.wait_ns += d;
	if (!l)
		return;
	l->waits++;
	l->wait_ns += d;
	if (d > l->max_wait_ns)
		l->max_wait_ns = d;
	if (owner)
		l->owner_tid = owner;
	if (ev->flags & CV_CALL_IS_MUTEX)
		l->is_mutex = true;
	tid_count(&l->waiters, &l->nwaiters, &l->waiters_other, p->tid);
	if (waker)
		tid_count(&l->wakers, &l->nwakers, &l->wakers_other, waker);
}

/* ---- signals ----------------------------------------------------------------
 * A call exit with a restart code is held (model.h, enum cv_call_signal):
 * the kernel decides after the exit whether the program gets -EINTR or the
 * call runs again, and only the thread's next call exit shows which. */

static int64_t call_ret(const struct cv_event *ev)
{
	return ev->type == CV_EV_MUX ? ev->mux.ret : ev->type == CV_EV_FUTEX ? ev->futex.ret
									       : ev->recv.ret;
}

static void set_call_ret(struct cv_event *ev, int64_t ret)
{
	if (ev->type == CV_EV_MUX)
		ev->mux.ret = ret;
	else if (ev->type == CV_EV_FUTEX)
		ev->futex.ret = ret;
	else
		ev->recv.ret = ret;
}

/* RECV, MUX and FUTEX have enter_ts first in their payloads */
_Static_assert(offsetof(struct cv_event, recv.enter_ts) == offsetof(struct cv_event, mux.enter_ts) &&
	       offsetof(struct cv_event, recv.enter_ts) == offsetof(struct cv_event, futex.enter_ts),
	       "a call's enter_ts is at one offset");

static struct cv_sig_stats *sig_stats_of(struct cv_thr *t, const struct cv_event *ev)
{
	if (ev->type == CV_EV_MUX)
		return &t->pub.mux.sig;
	if (ev->type == CV_EV_FUTEX)
		return &t->pub.futex.sig;
	return CV_SYS_IS_ACCEPT(ev->recv.sys) ? &t->pub.accept.sig : &t->pub.recv.sig;
}

static void fold_call(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev,
		      enum cv_call_signal sig, uint16_t n)
{
	struct cv_sig_stats *s = sig_stats_of(t, ev);

	if (sig == CV_CALLSIG_NONE && call_ret(ev) == -CV_EINTR) {
		/* the kernel returned EINTR itself (epoll_wait, a socket receive
		 * with a timeout): interrupted once */
		sig = CV_CALLSIG_EINTR;
		n = 1;
		s->interrupted++;
	}
	if (sig == CV_CALLSIG_EINTR)
		s->eintr++;
	struct callsig cs = { .sig = (uint8_t)sig, .n = n };
	if (ev->type == CV_EV_RECV)
		on_recv(m, t, ev, &cs);
	else if (ev->type == CV_EV_MUX)
		on_mux(t, ev, &cs);
	else
		on_futex(m, t, ev, &cs);
}

/* Something since the held exit showed that no handler ran: the kernel
 * restarted the call (a stop, or io_uring task work: TIF_NOTIFY_SIGNAL wakes
 * a call as a signal does, and no handler runs for it).  The inference for
 * events that do not say which handlers ran (kernel_restarted). */
static bool no_handler_seen(const struct cv_thr *t)
{
	return t->intr.stopped || t->intr.task_work;
}

/* Whether the kernel restarted t's held call, from the handler the thread's
 * next call event next says ran on the way out of it (its SA_RESTART
 * decides -512): 1 restarted, 0 the program got EINTR, -1 next does not say
 * (see no_handler_seen), or events were lost since the hold (the one that
 * said may be among them). */
static int kernel_restarted(const struct cv_model *m, const struct cv_thr *t,
			    const struct cv_event *next)
{
	int64_t code = -call_ret(&t->intr.ev);

	if (code == CV_ERESTARTNOINTR)
		return 1;
	if (!next || !(next->flags & CV_CALL_SIG_KNOWN) || m->dropped != t->intr.dropped)
		return -1;
	if (!(next->flags & CV_CALL_HANDLER_RAN))
		return 1;
	if (code == CV_ERESTARTSYS)
		return (next->flags & CV_CALL_HANDLER_RESTART) != 0;
	return 0; /* ERESTARTNOHAND, ERESTART_RESTARTBLOCK: not after a handler */
}

/* ev is the held call made again, where the kernel restarts the held code:
 * the same syscall on the same descriptor (or futex, or multiplexer size).
 * ERESTARTNOHAND is restarted only when no handler ran (and else gives
 * EINTR, so without that sign the same call again is a new one);
 * ERESTART_RESTARTBLOCK goes on as restart_syscall, which is not followed:
 * after it the same call again is a new one. */
static bool continues_held(const struct cv_model *m, const struct cv_thr *t,
			   const struct cv_event *ev)
{
	const struct cv_event *h = &t->intr.ev;
	int64_t code = -call_ret(h);
	int restarted = kernel_restarted(m, t, ev);

	if (ev->type != h->type || code == CV_ERESTART_RESTARTBLOCK || restarted == 0 ||
	    (restarted < 0 && code == CV_ERESTARTNOHAND && !no_handler_seen(t)))
		return false;
	if (ev->type == CV_EV_MUX)
		return ev->mux.sys == h->mux.sys && ev->mux.nfds == h->mux.nfds;
	if (ev->type == CV_EV_FUTEX)
		return ev->futex.sys == h->futex.sys && ev->futex.addr == h->futex.addr &&
		       ev->futex.op == h->futex.op;
	return ev->recv.sys == h->recv.sys && ev->recv.fd == h->recv.fd && ev->recv.ino == h->recv.ino;
}

/* The held call and its continuation ev as one call: ev's result, exit and
 * copy, the first part's start (and timeout, which select writes back). */
static void merge_held(struct cv_thr *t, const struct cv_event *ev)
{
	struct cv_event *h = &t->intr.ev;
	uint64_t enter = h->recv.enter_ts ? h->recv.enter_ts : ev->recv.enter_ts;
	uint32_t blocked = h->flags & CV_CALL_BLOCKED;
	int64_t timeout = h->mux.timeout_ms;

	*h = *ev;
	h->recv.enter_ts = enter;
	h->flags |= blocked;
	if (h->type == CV_EV_MUX)
		h->mux.timeout_ms = timeout;
}

/* The held call ends with no continuation (next: the thread's next call
 * event; NULL: the thread exited, or the trace ended).  The program got -1
 * EINTR, unless the call never returned (no next), or the kernel restarted
 * it (a code it always restarts, no handler ran: its end was not seen, as
 * restart_syscall's is not). */
static void release_held(struct cv_model *m, struct cv_thr *t, const struct cv_event *next)
{
	if (!t->intr.held)
		return;
	int restarted = kernel_restarted(m, t, next);
	struct cv_event ev = t->intr.ev;
	t->intr.held = false;

	if (!next || restarted == 1 || (restarted < 0 && no_handler_seen(t))) {
		fold_call(m, t, &ev, CV_CALLSIG_UNRESOLVED, t->intr.n);
		return;
	}
	set_call_ret(&ev, -CV_EINTR);
	fold_call(m, t, &ev, CV_CALLSIG_EINTR, t->intr.n);
}

/* The call a thread was blocked in when attach found it, returning: it
 * blocked, and its wait is seen from the seeding on (its start was not
 * seen: a wait of at least that long).  Other calls as they are. */
static const struct cv_event *seeded_call(const struct cv_thr *t, const struct cv_event *ev,
					  struct cv_event *copy)
{
	uint32_t sys = ev->type == CV_EV_FUTEX ? ev->futex.sys
		       : ev->type == CV_EV_MUX ? ev->mux.sys : ev->recv.sys;
	__u64 *enter;

	if (!t->seed_in_call || !t->seed_sys || sys != t->seed_sys)
		return ev;
	*copy = *ev;
	enter = ev->type == CV_EV_FUTEX ? &copy->futex.enter_ts : &copy->recv.enter_ts;
	if (*enter)
		return ev; /* (it blocked again since: begun at that block) */
	*enter = t->seed_ts;
	copy->flags |= CV_CALL_BLOCKED;
	return copy;
}

/* A receive, accept, multiplexer or futex call's exit. */
static void on_call(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev)
{
	bool cont = t->intr.held && continues_held(m, t, ev);

	if (t->intr.held && !cont)
		release_held(m, t, ev);
	if (cont) {
		merge_held(t, ev);
	} else if (cv_is_restart_code(call_ret(ev))) {
		t->intr.ev = *ev;
		t->intr.n = 0;
		t->intr.held = true;
	}
	if (t->intr.held && cv_is_restart_code(call_ret(&t->intr.ev))) {
		/* interrupted (again): what follows says what the program saw */
		t->intr.n++;
		t->intr.dropped = m->dropped;
		t->intr.stopped = false;
		t->intr.task_work = false;
		t->intr.tw_from = ev->ts;
		t->intr.out_preempted = false;
		sig_stats_of(t, ev)->interrupted++;
		if (ev->type == CV_EV_FUTEX) { /* off the lock's waiters till it waits again */
			leave_waiters(t);
			t->futex_waker = 0;
		}
		return;
	}
	if (cont) {
		t->intr.held = false;
		t->continued_at = ev->ts;
		fold_call(m, t, &t->intr.ev, CV_CALLSIG_RESTARTED, t->intr.n);
		return;
	}
	fold_call(m, t, ev, CV_CALLSIG_NONE, 0);
}

enum cv_call_signal cv_model_call_signal(const struct cv_model *m, const struct cv_event *ev)
{
	const struct cv_thr *t;

	if (ev->type != CV_EV_RECV && ev->type != CV_EV_MUX && ev->type != CV_EV_FUTEX)
		return CV_CALLSIG_NONE;
	if (cv_is_restart_code(call_ret(ev)))
		return CV_CALLSIG_UNRESOLVED;
	t = cv__find(m, ev->tid);
	return t && ev->ts && t->continued_at == ev->ts ? CV_CALLSIG_RESTARTED : CV_CALLSIG_NONE;
}

static void on_uring_complete(struct cv_thr *t, const struct cv_event *ev)
{
	struct cv_thread *p = &t->pub;
	p->uring.completed++;
	if (p->uring.inflight)
		p->uring.inflight--;
	if (ev->ucomplete.submit_ts)
		p->uring.async_wait_ns += since(ev->ts, ev->ucomplete.submit_ts);
	t->uring_hist[t->uring_head++ % CV_HIST_URING] = (struct cv_uring_rec){
		.submit_ts = ev->ucomplete.submit_ts, .complete_ts = ev->ts,
		.user_data = ev->ucomplete.user_data, .res = ev->ucomplete.res,
		.opcode = ev->ucomplete.opcode,
	};
	/* posted by the submitter itself right after a call of its was
	 * interrupted: io_uring's task work (TWA_SIGNAL) woke that call as a
	 * signal does and ran on the way out, where no handler ran for it
	 * (signals, above).  Task work also runs at any later return to user
	 * space: only one within CV_TASK_WORK_WINDOW_NS of the exit counts (of
	 * its return to the CPU if it was preempted on the way; none once it
	 * blocked since). */
	if (t->intr.held && ev->ucomplete.done_tid == p->tid && t->intr.tw_from &&
	    !t->intr.out_preempted && ev->ts >= t->intr.tw_from &&
	    ev->ts - t->intr.tw_from <= CV_TASK_WORK_WINDOW_NS)
		t->intr.task_work = true;
}

static void on_end(struct cv_model *m, uint64_t ts)
{
	cv__check_stuck(m, ts > m->now ? ts : m->now, true); /* threads still stuck at the end */
	m->end = ts > m->now ? ts : m->now;
	for (size_t i = 0; i < m->nthr; i++)
		if (!m->thr[i]->pub.exited) {
			release_held(m, m->thr[i], NULL);
			seg_close(m, m->thr[i], m->end);
		}
}

void cv_model_advance(struct cv_model *m, uint64_t now)
{
	if (now > m->now)
		m->now = now;
	/* the wait pattern as of now, before the event at now is applied: a
	 * stuck process sends no events, a timed-out wait's wakeup ends it */
	/* no event since a cycle was due: judge it on the state as it is */
	if (!m->end && m->npend && m->now > CV_CYCLE_IDLE_NS)
		cv__confirm_cycles(m, m->now - CV_CYCLE_IDLE_NS, false);
	if (!m->end && m->now >= m->stuck_check + CV_STUCK_CHECK_NS) {
		m->stuck_check = m->now;
		cv__check_stuck(m, m->now, false);
	}
}

static void count_lost(struct cv_model *m, const struct cv_event *ev)
{
	uint32_t w = ev->lost.where < CV_LOST_WHERE_COUNT ? ev->lost.where : CV_LOST_UNKNOWN;

	m->dropped += ev->lost.count;
	m->dropped_where[w] += ev->lost.count;
}

void cv_model_feed(struct cv_model *m, const struct cv_event *ev)
{
	if (m->end) { /* the trace is over; a late drop count still counts */
		if (ev->type == CV_EV_LOST)
			count_lost(m, ev);
		return;
	}
	if (!m->start_set && ev->ts) {
		m->start = ev->ts;
		m->start_set = true;
	}
	/* the cycles due by now, on the state before this event */
	if (m->npend)
		cv__confirm_cycles(m, ev->ts, false);
	cv_model_advance(m, ev->ts);

	switch (ev->type) {
	case CV_EV_LOST:
		count_lost(m, ev);
		return;
	case CV_EV_END:
		on_end(m, ev->ts);
		return;
	default:
		break;
	}
	m->events++;

	struct cv_thr *t;
	switch (ev->type) {
	case CV_EV_SWITCH:
		on_switch(m, ev);
		break;
	case CV_EV_WAKEUP:
		on_wakeup(m, ev);
		break;
	case CV_EV_TASK:
		on_task(m, ev);
		break;
	case CV_EV_EXIT:
		on_exit_ev(m, ev);
		break;
	case CV_EV_FD:
		cv__fd_event(m, ev);
		break;
	case CV_EV_MUX_READY:
		/* the second half of the CV_EV_MUX just counted */
		t = cv__find(m, ev->tid);
		if (t && !t->pub.exited)
			cv__fd_ready(m, t, ev);
		break;
	case CV_EV_COMM:
	case CV_EV_RECV:
	case CV_EV_MUX:
	case CV_EV_FUTEX:
	case CV_EV_URING_ENTER:
	case CV_EV_URING_SUBMIT:
	case CV_EV_URING_COMPLETE:
		t = get_thread(m, ev->tid, ev->pid, ev->ts, CV_ST_RUNNING, true);
		struct cv_event seeded;
		if (!t)
			break;
		if (t->pub.exited && ev->type != CV_EV_URING_COMPLETE)
			break;
		/* a completion and a rename may come from another thread; the
		 * rest are the thread's own syscalls */
		if (ev->type != CV_EV_URING_COMPLETE && ev->type != CV_EV_COMM)
			on_cpu_evidence(m, t, ev->ts);
		if (ev->type != CV_EV_COMM && t->proc)
			t->proc->traced_calls++;
		if (ev->type == CV_EV_COMM) {
			copy_comm(t->pub.comm, ev->comm.comm);
			cv__proc_rename(t);
		} else if (ev->type == CV_EV_RECV || ev->type == CV_EV_MUX || ev->type == CV_EV_FUTEX)
			on_call(m, t, seeded_call(t, ev, &seeded));
		else if (ev->type == CV_EV_URING_SUBMIT) {
			t->pub.uring.submitted++;
			t->pub.uring.inflight++;
		} else if (ev->type == CV_EV_URING_COMPLETE) {
			on_uring_complete(t, ev);
		} else if (ev->type == CV_EV_URING_ENTER) {
			t->intr.task_work = false; /* its completions may have been this call's */
		}
		if (ev->type != CV_EV_COMM && ev->type != CV_EV_URING_SUBMIT &&
		    ev->type != CV_EV_URING_COMPLETE)
			t->seed_in_call = false; /* the call it was seeded in returned */
		break;
	default:
		break;
	}
}
