/* model_priv.h — internals shared by model.c (tables, queries),
 * model_feed.c (event folding, time accounting) and model_waits.c (the
 * wait-for graph).  Not a public contract. */
#ifndef CONCVIZ_MODEL_PRIV_H
#define CONCVIZ_MODEL_PRIV_H

#include "common/hash.h"
#include "model/model.h"

/* A thread record: the public part first, so &thr->pub and the thr pointer
 * convert both ways.  Records are allocated one by one and never move. */
/* A description and whether a thread's by_fd entry shows it: one no entry
 * shows is dropped when its fd number comes to name another object, so a
 * server that reuses fd numbers for ever new connections keeps only those
 * its threads' (bounded) by_fd lists name. */
struct cv_fdd {
	struct cv_fd_desc pub;
	bool shown;
};

/* An io_uring completion the thread posts this soon after its interrupted
 * call's exit (on-CPU time: a preemption on its way out does not count) is
 * that exit's task work (model_feed.c, on_uring_complete) */
#define CV_TASK_WORK_WINDOW_NS 50000ull

/* a + b, held at INT64_MIN/INT64_MAX (figures read from a recording are
 * not trusted to stay in range) */
static inline int64_t cv__sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* a uint64_t as an int64_t, held at INT64_MAX */
static inline int64_t cv__to_i64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

struct cv_thr {
	struct cv_thread pub;
	struct cv_process *proc;    /* its process (model_procs.c) */
	struct cv_fd_stats *fds;    /* by descriptor (model_fds.c) */
	uint32_t nfds, fds_cap, fd_last;
	struct cv_lock *waiting;    /* lock whose current waiter set holds us, or NULL */
	uint32_t futex_waker;       /* traced thread that woke the current futex wait */
	uint64_t join_addr;         /* futex that joining this thread waits on, 0 none */
	bool seen_on_cpu;           /* a switch, a seed or its own event placed it */
	bool seed_in_call;          /* seeded blocked in a call: its first syscall event ends it */
	uint64_t seed_ts;           /* … seeded then (attach: where its wait is seen from) */
	uint32_t seed_sys;          /* … in that call (enum cv_sys) */
	bool woken;                 /* RUNNABLE since a wakeup (not a preemption) */
	/* a call a signal interrupted (its exit gave a restart code), held until
	 * the thread's next call exit or its end says what followed (model_feed.c) */
	struct {
		bool held;
		bool stopped;           /* a stop came since (job control, the freezer):
					 * no handler ran */
		bool task_work;         /* it posted an io_uring completion since: task
					 * work woke it, no handler ran (void after an
					 * io_uring_enter of its own: they may be that
					 * call's) */
		uint64_t tw_from;       /* task work on its way out runs from here: the
					 * held exit, or the switch-in after the thread
					 * was preempted on its way out; 0 it blocked
					 * since (later task work is no sign) */
		bool out_preempted;     /* preempted since tw_from, not yet back */
		uint64_t dropped;       /* the model's dropped count when it was held: events
					 * lost since may have carried its handler bits */
		uint16_t n;             /* interruptions so far */
		struct cv_event ev;     /* the call so far: the last part's exit, the
					 * first's block (enter_ts), ret the restart code */
	} intr;
	uint64_t continued_at;      /* exit ts of the last call exit that continued a held one */

	/* timeline: bucket number b (absolute, from model start) lives at
	 * buckets[b % bucket_cap] while b > last_bucket - bucket_cap; the ring
	 * grows with the thread's life up to CV_BUCKETS (model_feed.c) */
	struct cv_bucket *buckets;
	uint32_t bucket_cap;
	uint64_t first_bucket;      /* bucket of first_ts */
	uint64_t last_bucket;
	struct cv_bucket *newest;   /* last_bucket's slot once ring_slot gave it, NULL after
				     * the ring moved: most segments fall in it (no division) */
	/* history rings, after what every event touches (cache lines, pages):
	 * record i of the last n is [(head - 1 - i) % SIZE] */
	struct cv_recv_rec recv_hist[CV_HIST_RECV];   uint32_t recv_head;
	struct cv_mux_rec mux_hist[CV_HIST_MUX];      uint32_t mux_head;
	struct cv_futex_rec futex_hist[CV_HIST_FUTEX]; uint32_t futex_head;
	struct cv_uring_rec uring_hist[CV_HIST_URING]; uint32_t uring_head;
};

#define CV_RECENT 1024
/* A cycle of waiters and holders is confirmed when it still holds this
 * long after the block that closed it: the holder that seemed to wait may
 * have been woken on another CPU, its wakeup not yet seen (an IPI wake is
 * enqueued there microseconds later).  It is judged on the state at that
 * time: before the first event fed at or after it, or by cv_model_advance
 * CV_CYCLE_IDLE_NS later when no event came (every event before it has
 * been delivered by then), so live and replay agree. */
#define CV_CYCLE_CONFIRM_NS 10000000ull
#define CV_CYCLE_IDLE_NS 100000000ull

struct cv_model {
	struct cv_model_hooks hooks;
	uint64_t start, now, end;
	bool start_set;
	uint64_t events, dropped;
	uint64_t dropped_where[CV_LOST_WHERE_COUNT]; /* dropped by LOST.where (sums to dropped) */
	uint64_t nomem;             /* facts lost to out-of-memory (cv__nomem) */

	uint32_t target_pid;
	char *target_cmd;
	bool target_exit_set, target_exit_inferred;
	int target_exit;
	int target_signal;          /* from the leader's EXIT: what killed it, 0 none */

	struct cv_thr **thr;        /* first-sighting order */
	size_t nthr, thr_cap;
	struct cv_hash tids;        /* tid -> index in thr of its newest record */
	struct cv_thr *recent[CV_RECENT]; /* newest records of found tids, at tid % CV_RECENT:
				     * a program's tids are mostly consecutive, so most
				     * lookups are one load, not a probe of tids */

	struct cv_lock **lk;        /* first-sighting order */
	size_t nlk, lk_cap;
	struct cv_hash locks;       /* cv__lock_key(pid, addr) -> index in lk */
	struct cv_hash aliases;     /* cv__lock_key(pid, addr) -> struct cv_lock_alias *: a
				     * shared lock's object in a process other than lk's pid */
	struct cv_hash shared;      /* cv__shared_hash(key) -> struct cv_lock_alias * of the
				     * lock that key names */
	uint64_t stuck_check;       /* model time of the last possible-deadlock check */

	struct cv_deadlock *dl;
	size_t ndl, dl_cap;
	/* cycles seen as a thread blocked, confirmed once they still hold
	 * CV_CYCLE_CONFIRM_NS later (model_waits.c): a holder's wakeup can be
	 * in flight when the waiter blocks */
	struct cv_deadlock *pend;
	size_t npend, pend_cap;
	struct cv_hash joins;       /* cv__lock_key(pid, join_addr) -> tid of the newest
				     * thread joined on that futex */

	struct cv_process **procs;  /* first-sighting order (model_procs.c) */
	size_t nproc, proc_cap;
	struct cv_hash pids;        /* pid -> index in procs of its newest record */

	struct cv_fdd **fdd;        /* descriptor descriptions (model_fds.c) */
	size_t nfdd, fdd_cap;
	struct cv_hash fdds;        /* hash of (pid, fd, ino) -> index in fdd (model_fds.c) */
	struct cv_hash fdcur;       /* cv_hash_pair(pid, fd) -> index in fdd of what
				     * that fd names now (its newest description) */

	struct cv_hash pending;     /* cv__lock_key(pid, addr) -> struct cv_pending_name * (model_names.c) */
};

static inline struct cv_thr *cv_thr_of(const struct cv_thread *t)
{
	return (struct cv_thr *)t;
}

/* (pid, addr) of a process-shared lock -> the one lock (model.c) */
struct cv_lock_alias {
	uint32_t pid;
	uint64_t addr;
	struct cv_shared_key key;
	struct cv_lock *lock;
};

struct cv_thr *cv__find(const struct cv_model *m, uint32_t tid);
/* cv__find, remembered in recent[] (the per-event lookups) */
struct cv_thr *cv__find_recent(struct cv_model *m, uint32_t tid);
static inline uint64_t cv__lock_key(uint32_t pid, uint64_t addr)
{
	return cv_hash_pair(pid, addr);
}
/* pending lock names (model_names.c): put takes ownership of name */
void cv__pending_put(struct cv_model *m, uint32_t pid, uint64_t addr, char *name);
/* The kind a name implies: "join T<tid>" names a join futex (model_feed.c) */
enum cv_lock_kind cv__kind_of_name(const char *name);
/* Merge what an event says of a lock's kind into what is known: the most
 * specific wins (a probe's condvar over the mutex heuristic over unknown). */
enum cv_lock_kind cv__kind_merge(enum cv_lock_kind have, enum cv_lock_kind seen);
char *cv__pending_take(struct cv_model *m, uint32_t pid, uint64_t addr); /* caller frees */
void cv__pending_free(struct cv_model *m);
/* New record for tid (becomes the newest for that tid).  NULL on ENOMEM. */
struct cv_thr *cv__new_thread(struct cv_model *m, uint32_t tid, uint32_t pid, uint64_t ts,
			      enum cv_state st, bool on_cpu);
struct cv_lock *cv__lock(struct cv_model *m, uint32_t pid, uint64_t addr, bool create);
/* t just blocked on t->waiting, whose holder is known: record the deadlock
 * if the wait-for graph leads back to t (model_waits.c) */
void cv__check_deadlock(struct cv_model *m, const struct cv_thr *t, uint64_t ts);
/* The wait pattern at `now`: confirm the cycles that still hold, record
 * possible deadlocks (model_waits.c); at_end: the trace's last look */
void cv__check_stuck(struct cv_model *m, uint64_t now, bool at_end);
/* Judge the pending cycles due by `at` (all at the end): confirmed if they
 * still hold, else dropped (model_waits.c) */
void cv__confirm_cycles(struct cv_model *m, uint64_t at, bool at_end);
/* t's futex wait on its own address obj ended at ts by itself (it took the
 * lock, or timed out): a possible deadlock with that wait in it was not
 * one (model_waits.c) */
void cv__stuck_wait_ended(struct cv_model *m, const struct cv_thr *t, uint64_t obj, uint64_t ts,
			  bool timeout);
static inline uint64_t cv__bucket_of(const struct cv_model *m, uint64_t ts)
{
	return ts > m->start ? (ts - m->start) / CV_BUCKET_NS : 0;
}
/* processes (model_procs.c): t joins the live record of its pid (made on
 * first sighting); a fork makes a new record with its parent; a leader's
 * name is its process's; the last thread's exit ends it */
void cv__proc_attach(struct cv_model *m, struct cv_thr *t, uint64_t ts);
void cv__proc_fork(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev);
void cv__proc_rename(struct cv_thr *t);
void cv__proc_exit(struct cv_thr *t, uint64_t ts, int32_t status);
void cv__procs_free(struct cv_model *m);
/* Count a fact the model could not keep for lack of memory (shown as a loss). */
static inline void cv__nomem(struct cv_model *m)
{
	m->nomem++;
}
/* descriptors (model_fds.c): count a RECV event (receive or accept) in its
 * thread's by_fd; take a CV_EV_FD's description */
void cv__fd_count(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev);
/* count a CV_EV_MUX_READY's descriptors in its thread's by_fd (each fd as the
 * object it named at its last description), the unlisted ones in mux */
void cv__fd_ready(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev);
void cv__fd_event(struct cv_model *m, const struct cv_event *ev);
void cv__fds_free(struct cv_model *m);

#endif
