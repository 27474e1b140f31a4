/* model.h — fold concviz events into per-thread, per-lock and per-request state.
 *
 * Pure C: no BPF, no ncurses.  The same code serves live tracing, replay,
 * report and export.  Feed events in (approximately) timestamp order with
 * cv_model_feed(); an event older than what the model already saw for a
 * thread is clamped to that thread's last timestamp (the ring buffer is
 * ordered per reservation, not per timestamp, so small inversions happen).
 *
 * Time accounting (docs/design.md): every nanosecond of a traced
 * thread, from its first event (TASK, or first sighting) to its EXIT or the
 * END event, is in exactly one enum cv_state.  Segments are final when they
 * close, so time is never reclassified later:
 *   on CPU                     -> RUNNING, except inside a receive after the
 *                                 first copy started -> COPY_DATA
 *   off CPU, preempted / woken -> RUNNABLE
 *   off CPU, blocked           -> by the SWITCH's block kind: RECV -> WAIT_DATA,
 *                                 RECV_COPY -> COPY_DATA, ACCEPT -> WAIT_DATA,
 *                                 MUX -> MUX_WAIT,
 *                                 FUTEX -> LOCK_WAIT, URING -> URING_WAIT,
 *                                 NONE -> SLEEP
 * A SWITCH whose block is RECV_COPY carries the copy start in sw.obj; the
 * on-CPU segment it closes is RUNNING up to the copy start and COPY_DATA after.
 * A RECV event closes the current on-CPU segment the same way at its copy_ts.
 */
#ifndef CONCVIZ_MODEL_H
#define CONCVIZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/events.h"

enum cv_state {
	CV_ST_RUNNING = 0,
	CV_ST_RUNNABLE,
	CV_ST_WAIT_DATA,
	CV_ST_COPY_DATA,
	CV_ST_MUX_WAIT,
	CV_ST_LOCK_WAIT,
	CV_ST_URING_WAIT,
	CV_ST_SLEEP,
	CV_ST_COUNT
};

/* "running", "runnable", "wait_data", … exactly the JSON keys of docs/design.md */
const char *cv_state_name(enum cv_state st);

#define CV_HIST_RECV    32  /* per-thread history kept (records of each kind) */
#define CV_HIST_MUX     16
#define CV_HIST_FUTEX   16
#define CV_HIST_URING   16
#define CV_BUCKETS      600 /* timeline ring: 600 buckets … */
#define CV_BUCKET_NS    100000000ULL /* … of 100 ms = the last 60 s */

/* What a receive read from (struct cv_thread.recv.by_kind). */
enum cv_recv_kind {
	CV_RECV_SOCKET = 0,         /* recvfrom, recvmsg, read/readv on a socket */
	CV_RECV_PIPE,               /* read/readv on a pipe or FIFO */
	CV_RECV_MQ,                 /* mq_timedreceive (mq_receive) */
	CV_RECV_KIND_COUNT
};
/* The kind of a CV_EV_RECV receive from its sys and flags. */
enum cv_recv_kind cv_recv_kind_of(uint32_t sys, uint32_t flags);
/* "socket", "pipe", "mq": the JSON keys of threads[].recv.by_kind */
const char *cv_recv_kind_name(enum cv_recv_kind k);

/* Which multiplexer API a CV_EV_MUX call used (struct cv_thread.mux.by_api). */
enum cv_mux_api {
	CV_MUX_SELECT = 0,          /* select, pselect6 */
	CV_MUX_POLL,                /* poll, ppoll */
	CV_MUX_EPOLL,               /* epoll_wait, epoll_pwait, epoll_pwait2 */
	CV_MUX_API_COUNT
};
enum cv_mux_api cv_mux_api_of(uint32_t sys);
/* select, pselect6, ppoll: the kernel writes the time left back into the
 * timeout (read at the exit of a call in flight at attach: not its timeout) */
bool cv_mux_timeout_written_back(uint32_t sys);
/* "select", "poll", "epoll": the JSON keys of threads[].mux.by_api */
const char *cv_mux_api_name(enum cv_mux_api a);

/* One API's calls of a thread.  nfds sums the size argument of each call:
 * select's nfds (the highest watched fd + 1), poll's count of pollfds,
 * epoll's maxevents (the most it may return); ready sums the positive
 * results (descriptors ready; select counts each ready set bit); timeouts
 * are calls that returned 0, errors those that returned -errno (EINTR…). */
struct cv_mux_api_stats {
	uint64_t calls, wait_ns, nfds, ready, timeouts, errors;
};

/* "unknown", "tcp", "udp", "unix", "socket", "pipe", "fifo", "mq": the JSON
 * "kind" of threads[].recv.by_fd */
const char *cv_fd_kind_name(enum cv_fd_kind k);

/* One descriptor as it was described when first used: fd number `fd` of
 * process pid while it named inode ino (an fd number is reused for other
 * objects; its inode tells them apart). */
struct cv_fd_desc {
	uint32_t pid, fd;
	uint64_t ino;
	enum cv_fd_kind kind;
	char *desc;                 /* "127.0.0.1:5000 -> 127.0.0.1:41234", "listening on
				     * 127.0.0.1:5000", "/run/x.sock", "@abstract", "unnamed",
				     * "unnamed -> /run/x.sock" (peer), "pipe", "/tmp/fifo",
				     * "/queue"; a cut name ends in "..." */
};

/* One descriptor's receives and accepts in one thread (by_fd). */
struct cv_fd_stats {
	uint32_t fd;                /* CV_FD_OTHER: the sum past CV_FD_MAX descriptors */
	uint64_t ino;
	enum cv_recv_kind recv_kind; /* what the receives said: socket, pipe, mq;
				      * CV_RECV_KIND_COUNT: none yet (JSON null) */
	uint64_t calls, bytes;      /* receives (EAGAIN polls included) and their bytes */
	uint64_t wait_ns;           /* receives' wait for data: enter to the copy's start
				     * (or the exit, when no data was copied) */
	uint64_t accepts, accept_wait_ns; /* accept/accept4 on it (a listening socket) */
	uint64_t mux_ready;         /* select/poll/epoll calls that returned it ready */
	uint64_t mux_ready_epoll;   /* … of which epoll's: the fd is the event's registered
				     * data, the fd only if the program registered it so */
};
#define CV_FD_MAX   256         /* descriptors kept per thread … */
#define CV_FD_OTHER UINT32_MAX  /* … then one entry for all the others */

/* "futex" (unknown), "mutex", "condvar", "semaphore", "rwlock", "barrier",
 * "join", "gil", "event", "queue": the JSON "kind" of locks[] (enum
 * cv_lock_kind, bpf/events.h) */
const char *cv_lock_kind_name(enum cv_lock_kind k);
/* Waiting for a signal (condvar, event, queue, semaphore, join, barrier: the
 * thread waits until another one says so; nobody need hold anything), as
 * opposed to contention (mutex, rwlock, gil, futex = unknown: another thread
 * holds what it wants).  The report and the TUI show the two apart. */
bool cv_lock_kind_is_signal_wait(enum cv_lock_kind k);
/* Can a wait of this kind be part of a deadlock read from the wait pattern
 * (cv_model_deadlock, confirmed false)?  Contention kinds, semaphores (a
 * semaphore used as a lock: CPython's Lock is a sem_t) and joins (a join
 * waits for one thread, as a lock for its holder); not condvar, event,
 * queue, barrier: those wait for a signal from anyone. */
bool cv_lock_kind_can_deadlock(enum cv_lock_kind k);

/* What signals did to one call (docs/design.md, "Signals").  A call exit
 * with a restart code is held, not counted; the thread's next call exit
 * says what followed: the same call again (same syscall, descriptor or
 * futex) where the kernel restarts that code is its continuation, and the
 * two are one call; anything else means the program got -1 EINTR, unless
 * something showed that no handler ran (then no result was seen). */
enum cv_call_signal {
	CV_CALLSIG_NONE = 0,
	CV_CALLSIG_RESTARTED,       /* interrupted, restarted by the kernel: one call, the
				     * result is its last part's, its start the first's */
	CV_CALLSIG_EINTR,           /* interrupted: the program got -1 EINTR (ret -CV_EINTR) */
	CV_CALLSIG_UNRESOLVED,      /* interrupted, and no result seen: the thread exited
				     * (a fatal signal, its process's exit), the trace ended,
				     * or the kernel restarted it out of sight (no handler
				     * ran: a stop, io_uring task work; then restart_syscall) */
};
/* "restarted", "eintr", "unresolved" ("" for none) */
const char *cv_call_signal_name(enum cv_call_signal s);
/* As views say it: "restarted after 2 signals", "EINTR: a signal", "a
 * signal, no result seen", "" for none. */
char *cv_call_signal_text(enum cv_call_signal s, unsigned interruptions, char *buf, size_t n);

/* A kind of call's signal counts (threads[].recv/accept/mux/futex): */
struct cv_sig_stats {
	uint64_t interrupted;       /* interruptions by a signal (a call restarted twice
				     * counts 2; a call that returned -EINTR at once, 1) */
	uint64_t eintr;             /* calls that failed with EINTR, as the program saw */
};

struct cv_recv_rec {            /* one receive syscall */
	uint64_t enter_ts, copy_ts, exit_ts; /* copy_ts 0: no data copied */
	int64_t ret;                /* bytes or -errno */
	uint32_t sys;               /* enum cv_sys */
	uint32_t flags;             /* CV_CALL_BLOCKED, CV_CALL_PIPE */
	uint32_t eagain_before;     /* EAGAIN polls since the previous successful receive */
	uint8_t signal;             /* enum cv_call_signal */
	uint16_t interruptions;     /* times a signal interrupted it */
};

/* A call found in flight at attach: its timeout argument was not seen (at
 * its exit the kernel has written back the time left). */
#define CV_TIMEOUT_UNSEEN (-2)

struct cv_mux_rec {
	uint64_t enter_ts, exit_ts;
	int64_t ret;                /* ready count or -errno */
	uint32_t sys, flags;
	uint32_t nfds;              /* nfds / maxevents argument (struct cv_mux_api_stats) */
	int64_t timeout_ms;         /* -1: none (wait forever); CV_TIMEOUT_UNSEEN */
	uint8_t signal;             /* enum cv_call_signal */
	uint16_t interruptions;
};

struct cv_futex_rec {
	uint64_t enter_ts, exit_ts;
	uint64_t addr;              /* the lock object (futex address - obj_off) */
	int64_t ret;
	uint32_t owner_tid, waker_tid;
	uint32_t flags;
	uint8_t kind;               /* enum cv_lock_kind of the lock */
	uint8_t signal;             /* enum cv_call_signal */
	uint16_t interruptions;
};

struct cv_uring_rec {           /* one completed io_uring request */
	uint64_t submit_ts, complete_ts; /* submit_ts 0: submit not seen */
	uint64_t user_data;
	int32_t res;
	uint32_t opcode;
};

struct cv_bucket {              /* one timeline cell of CV_BUCKET_NS */
	uint32_t ns[CV_ST_COUNT];   /* time per state inside the bucket */
	uint16_t vcsw, ivcsw;       /* context switches that happened in it */
};

struct cv_thread {
	uint32_t tid, pid;
	char comm[CV_COMM_LEN];
	bool exited;
	bool seeded;                /* found already running at attach */
	bool is_process_leader;
	uint64_t first_ts, exit_ts;
	int32_t exit_code;
	/* the kernel's own accounting at exit (schedstat: on-CPU and run-queue
	 * ns), for comparison with the states; valid when kernel_times */
	bool kernel_times;
	uint64_t kernel_cpu_ns, kernel_run_delay_ns;
	/* on a CPU but not charged to it by the kernel (the host's steal,
	 * interrupt time), known at exit; 0 none or not known */
	uint64_t kernel_uncharged_ns;

	/* current state; the open segment runs from state_since to model now */
	enum cv_state state;
	uint64_t state_since;
	uint64_t state_entered;     /* when the thread entered its current state (a
				     * segment may close within one, and at the end) */
	bool on_cpu;
	uint32_t block;             /* enum cv_block_kind while blocked (ACCEPT: in state
				     * WAIT_DATA, waiting for a connection) */
	uint64_t block_obj;         /* the lock object while in LOCK_WAIT (futex address -
				     * obj_off: a condvar, not its +40 word) */
	uint8_t block_kind;         /* enum cv_lock_kind of that lock while in LOCK_WAIT */
	uint32_t block_owner;       /* its holder as seen when blocking, 0 unknown (wait
				     * chains follow the lock's owner_tid, which may be newer) */

	uint64_t time_ns[CV_ST_COUNT]; /* closed segments only; see cv_model_thread_times */
	/* LOCK_WAIT split by the kind of lock waited on (sums to time_ns[LOCK_WAIT]);
	 * closed segments only, see cv_model_thread_lock_wait_by_kind */
	uint64_t lock_wait_ns[CV_LK_COUNT];
	uint64_t vcsw, ivcsw;       /* voluntary / involuntary context switches */
	uint64_t unseen_switch_ins; /* runnable, then seen on a CPU with no switch-in
				     * reported: counted as running from where it
				     * was runnable (the kernel does so) */
	/* What the kernel's own accounting makes of the traced time, from the
	 * run-queue delay it adds at each switch-in (CV_SW_KCLOCK; its clock
	 * update is skipped when a woken thread takes an idle CPU or preempts,
	 * docs/time-accounting.md).  The kernel's CPU time is then
	 * running + copy_data + runnable_as_cpu_ns - running_as_sleep_ns -
	 * kernel_uncharged_ns, its run_delay runnable - runnable_as_cpu_ns. */
	struct {
		bool seen;                  /* a switch-in carried the figure (not in
					     * recordings made before concviz read it) */
		int64_t runnable_as_cpu_ns; /* traced runnable the kernel counts as CPU time
					     * (< 0: traced running it counts as waiting) */
		uint64_t running_as_sleep_ns; /* traced running before a sleep that the kernel
					     * counts as sleep: it blocked at a stale clock */
		uint64_t unseen_switches;   /* blocks to anything but the idle task or a
					     * traced thread woken since it last ran: how
					     * stale the clock was there is not seen (up
					     * to ~70 us each on a VM, less on hardware) */
	} kclock;

	/* calls are what the program made: a call the kernel restarted after a
	 * signal counts once (enum cv_call_signal) */
	struct {
		uint64_t calls, eagain, bytes, blocked_calls;
		struct { uint64_t calls, bytes; } by_kind[CV_RECV_KIND_COUNT];
		struct cv_sig_stats sig;
	} recv;
	/* accept/accept4 (not receives): wait_ns sums enter..exit of every call */
	struct { uint64_t calls, eagain, blocked_calls, wait_ns; struct cv_sig_stats sig; } accept;
	struct {
		uint64_t calls, wait_ns;
		struct cv_sig_stats sig;
		struct cv_mux_api_stats by_api[CV_MUX_API_COUNT];
		/* ready descriptors no CV_EV_MUX_READY listed (past its
		 * CV_MUX_READY_MAX, past the scanned array, epoll data >= 65536):
		 * counted in no by_fd entry's mux_ready */
		uint64_t ready_unlisted;
	} mux;
	struct { uint64_t waits, wait_ns; struct cv_sig_stats sig; } futex;
	struct { uint64_t submitted, completed, async_wait_ns, inflight; } uring;
	uint32_t eagain_streak;     /* EAGAIN receives since the last successful one */
	/* the last receives, multiplexer waits, futex waits and io_uring
	 * completions: cv_model_thread_recv() and friends; the timeline:
	 * cv_model_thread_bucket() */
};

/* A thread and how often it did something to a lock (waited, woke a waiter). */
struct cv_lock_tid {
	uint32_t tid;
	uint64_t n;
};
#define CV_LOCK_TIDS 256        /* waiters/wakers kept per lock; the rest: *_other */
#define CV_LOCK_PIDS 16         /* processes listed per shared lock */

/* A lock is an object, not a futex word: the words of one condvar (its +40
 * and +44) are one lock.  Keyed by (pid, object address); a process-shared
 * lock (cv_model_set_lock_shared) is one lock for every process mapping it. */
/* A process: the threads of one thread group, from its first sighting (its
 * fork, or its first event) to the exit of its last thread. */
#define CV_SHORT_LIVED_NS (50ULL * 1000000) /* cv_model_process_short_lived() */
struct cv_process {
	uint32_t pid;
	uint32_t ppid;              /* parent process, 0 unknown (not seen forking: the run
				     * target, an attached process without its /proc stat) */
	char comm[CV_COMM_LEN];     /* its leader's name, as last renamed (exec renames) */
	uint64_t start_ts, end_ts;  /* first sighting; its last thread's exit (0: alive) */
	bool exited;
	bool seeded;                /* found running at attach */
	int32_t exit_status;        /* wait status of that last exit (valid when exited):
				     * cv_wait_shell_code/cv_wait_signal decode it */
	uint32_t threads;           /* thread records seen in it */
	uint64_t traced_calls;      /* its threads' receives, accepts, multiplexer calls,
				     * futex waits and io_uring events */
};

struct cv_lock {
	uint32_t pid;               /* the process that showed it first */
	uint64_t addr;              /* the object's address in that process */
	char *name;                 /* symbol ("counter_lock"), NULL if unknown */
	uint64_t waits, wait_ns, max_wait_ns;
	uint32_t cur_waiters, max_waiters; /* across processes when shared */
	uint32_t owner_tid;         /* last observed holder, 0 unknown */
	bool is_mutex;              /* seen with a glibc-mutex-shaped wait */
	uint8_t kind;               /* enum cv_lock_kind: the most specific seen */
	bool shared;                /* in memory shared between processes (a futex without
				     * FUTEX_PRIVATE_FLAG in a shared mapping) */
	uint32_t npids;             /* processes that waited on it: pids[0 .. npids) */
	uint32_t pids[CV_LOCK_PIDS];
	bool pids_more;             /* and more than CV_LOCK_PIDS of them */
	/* completed waits per waiting thread, and waits ended per waking thread
	 * (the traced thread whose release woke the waiter), in first-seen order;
	 * beyond CV_LOCK_TIDS threads the counts go to *_other */
	struct cv_lock_tid *waiters, *wakers;
	uint32_t nwaiters, nwakers;
	uint64_t waiters_other, wakers_other;
};

#define CV_DEADLOCK_MAX 16
/* A possible deadlock is read from the wait pattern.  A thread is stuck
 * when it has been blocked at least CV_STUCK_NS on a wait that can deadlock
 * (cv_lock_kind_can_deadlock), unless the lock's known holder is blocked
 * elsewhere than on a lock (asleep, say: it may yet release it).  In one
 * process with no thread running, runnable or waiting for IO, the pattern
 * is either >= 2 threads stuck on >= 2 different locks, or every thread
 * stuck, on locks of its own process (a thread waiting for a lock it
 * holds; a lock whose holder exited).  Threads stuck on process-shared
 * locks are also looked at across all traced processes: >= 2 of them on
 * >= 2 locks with no traced thread running, runnable or waiting for IO.
 * Checked at most every CV_STUCK_CHECK_NS of model time. */
#define CV_STUCK_NS       1000000000ULL
#define CV_STUCK_CHECK_NS  100000000ULL
struct cv_deadlock {
	bool confirmed;             /* a cycle of known holders; false: possible (holders
				     * unknown, read from the wait pattern) */
	uint64_t ts;                /* when the cycle closed / the pattern was first seen */
	uint64_t since;             /* possible: the latest of the threads' block starts */
	uint64_t until;             /* possible: the last time the pattern was seen */
	uint64_t ended;             /* possible: when the first of its waits ended by
				     * itself (the lock taken, or a timeout): then it was
				     * not a deadlock; 0 if none did */
	uint32_t ended_tid;         /* … the thread whose wait ended */
	bool ended_timeout;         /* … by its timeout */
	uint32_t n;                 /* threads (= locks) in the cycle */
	uint32_t tids[CV_DEADLOCK_MAX];
	uint32_t pids[CV_DEADLOCK_MAX];
	uint64_t addrs[CV_DEADLOCK_MAX]; /* addrs[i] is the lock object tids[i] waits for */
};

/* Optional hooks.  name_lock is called once when a lock is first seen and may
 * return a name (copied by the model) or NULL.  on_segment is called for every
 * closed segment of a thread, in closing order (export builds slices on it). */
struct cv_model_hooks {
	void *ctx;
	const char *(*name_lock)(void *ctx, uint32_t pid, uint64_t addr);
	void (*on_segment)(void *ctx, const struct cv_thread *t, enum cv_state st,
			   uint64_t t0, uint64_t t1);
};

struct cv_model;

struct cv_model *cv_model_new(const struct cv_model_hooks *hooks /* may be NULL */);
void cv_model_free(struct cv_model *m);

/* Tracing started at ts (duration counts from here).  If never called, the
 * first event's ts is the start. */
void cv_model_set_start(struct cv_model *m, uint64_t ts);
void cv_model_set_target(struct cv_model *m, uint32_t pid, const char *command);
void cv_model_set_target_exit(struct cv_model *m, int exit_code); /* exit status as for $? */
void cv_model_set_lock_name(struct cv_model *m, uint32_t pid, uint64_t addr, const char *name);
/* The lock object at addr in pid is in memory shared between processes, at
 * byte `off` of the file or shared mapping dev:ino (the kernel's own futex
 * key): every (pid, addr) given the same key is one lock.  Call it before the
 * first event that shows the lock (live: the session reads /proc/PID/maps;
 * replay: a LOCK_OBJECT record). */
struct cv_shared_key {
	uint64_t dev, ino, off;
};
void cv_model_set_lock_shared(struct cv_model *m, uint32_t pid, uint64_t addr,
			      const struct cv_shared_key *key);

/* Describe a descriptor, over what its CV_EV_FD said (live: the fuller
 * description /proc gave while it was open; a recording's FD_DESC records).
 * CV_EV_FD events describe (pid, fd, ino) only where nothing has yet. */
void cv_model_set_fd_desc(struct cv_model *m, uint32_t pid, uint32_t fd, uint64_t ino,
			  enum cv_fd_kind kind, const char *desc);

void cv_model_feed(struct cv_model *m, const struct cv_event *ev);
/* Move model "now" forward (live views call it each frame); never backward. */
void cv_model_advance(struct cv_model *m, uint64_t now);

uint64_t cv_model_start(const struct cv_model *m);
uint64_t cv_model_now(const struct cv_model *m);      /* latest ts seen or advanced to */
uint64_t cv_model_end(const struct cv_model *m);      /* END ts, 0 while live */
uint64_t cv_model_events(const struct cv_model *m);   /* events fed (excluding LOST/END) */
uint64_t cv_model_dropped(const struct cv_model *m);  /* sum of LOST counts */
/* … of those where they were lost (CV_LOST_UNKNOWN: a recording made before
 * concviz said); the three kinds sum to cv_model_dropped */
uint64_t cv_model_dropped_where(const struct cv_model *m, enum cv_lost_where where);
/* "in_ring_buffer", "in_memory", "where_unknown": the JSON keys are
 * "dropped_" and this; cv_lost_where_text: "ring buffer full", "concviz's
 * queue full", "where not recorded", as the report and the export say it */
const char *cv_lost_where_name(enum cv_lost_where w);
const char *cv_lost_where_text(enum cv_lost_where w);
/* Facts (a thread, a lock, a name, history) the model could not keep: out of memory. */
uint64_t cv_model_nomem(const struct cv_model *m);
uint32_t cv_model_target_pid(const struct cv_model *m);
const char *cv_model_target_command(const struct cv_model *m); /* "" if unset */
bool cv_model_target_exited(const struct cv_model *m, int *exit_code);
/* The signal that killed the target (from its leader's exit, live and in
 * replay alike), 0 if it exited on its own or was not seen exiting. */
int cv_model_target_signal(const struct cv_model *m);

size_t cv_model_thread_count(const struct cv_model *m);
const struct cv_thread *cv_model_thread(const struct cv_model *m, size_t i); /* in order of first sighting */
const struct cv_thread *cv_model_find_thread(const struct cv_model *m, uint32_t tid); /* newest with that tid */

/* Time per state including the open segment up to model now. */
void cv_model_thread_times(const struct cv_model *m, const struct cv_thread *t,
			   uint64_t out[CV_ST_COUNT]);
/* The thread's traced on-CPU time (running + copy_data) and runnable time
 * as the kernel's accounting counts them (struct cv_thread.kclock): what
 * schedstat, time and top say, derived from the trace.  False when the
 * trace has no kernel clock figures (an older recording). */
bool cv_model_thread_as_kernel(const struct cv_model *m, const struct cv_thread *t,
			       uint64_t *cpu_ns, uint64_t *run_delay_ns);
/* What a thread in LOCK_WAIT waits for, as the TUI, the report and the JSON
 * say it: "waiting: condvar not_full", "waiting: mutex queue_lock",
 * "waiting: join T42", "waiting: GIL"; "" when it waits for no lock. */
char *cv_model_wait_label(const struct cv_model *m, const struct cv_thread *t, char *buf, size_t n);
/* LOCK_WAIT by kind (enum cv_lock_kind), including the open segment. */
void cv_model_thread_lock_wait_by_kind(const struct cv_model *m, const struct cv_thread *t,
				       uint64_t out[CV_LK_COUNT]);
/* Timeline bucket `b` (absolute bucket number = (ts - start) / CV_BUCKET_NS),
 * including the open segment.  Returns false if b is outside the kept history
 * or before the thread existed (out is zeroed then). */
bool cv_model_thread_bucket(const struct cv_model *m, const struct cv_thread *t,
			    uint64_t b, struct cv_bucket *out);

/* A thread's history, newest first: record i (0 the newest) of the last
 * CV_HIST_RECV receives (EAGAIN polls are not records: each record counts the
 * polls before it), CV_HIST_MUX multiplexer waits, CV_HIST_FUTEX futex waits,
 * CV_HIST_URING io_uring completions; NULL past what is kept.  A pointer is
 * valid until the next cv_model_feed(). */
const struct cv_recv_rec *cv_model_thread_recv(const struct cv_model *m, const struct cv_thread *t,
					       size_t i);
const struct cv_mux_rec *cv_model_thread_mux(const struct cv_model *m, const struct cv_thread *t,
					     size_t i);
const struct cv_futex_rec *cv_model_thread_futex(const struct cv_model *m, const struct cv_thread *t,
						 size_t i);
const struct cv_uring_rec *cv_model_thread_uring(const struct cv_model *m, const struct cv_thread *t,
						 size_t i);

/* What signals did to the call exit ev, just fed (for views that draw each
 * exit, as the export does): RESTARTED if it continued a call a signal
 * interrupted, UNRESOLVED if it is itself interrupted (a restart code: what
 * follows is not known yet), else NONE. */
enum cv_call_signal cv_model_call_signal(const struct cv_model *m, const struct cv_event *ev);

/* Processes in order of first sighting; a pid reused after its process
 * exited is a new record. */
size_t cv_model_process_count(const struct cv_model *m);
const struct cv_process *cv_model_process(const struct cv_model *m, size_t i);
/* The process a thread record belongs to (never NULL for a model's thread,
 * unless memory ran out). */
const struct cv_process *cv_model_thread_process(const struct cv_model *m, const struct cv_thread *t);
/* A helper that did nothing concviz traces: exited (not killed by a signal)
 * within CV_SHORT_LIVED_NS of its first sighting, no traced call in any of
 * its threads, not the target (exec wrappers, shell helpers).  Views fold
 * these into one line. */
bool cv_model_process_short_lived(const struct cv_model *m, const struct cv_process *p);

/* The description of (pid, fd, ino), NULL if none. */
const struct cv_fd_desc *cv_model_fd_desc(const struct cv_model *m, uint32_t pid, uint32_t fd,
					  uint64_t ino);
/* What fd of pid names now (its newest description), NULL if never described. */
const struct cv_fd_desc *cv_model_fd_now(const struct cv_model *m, uint32_t pid, uint32_t fd);
/* A thread's receives and accepts by descriptor, in order of first use. */
size_t cv_model_thread_fd_count(const struct cv_model *m, const struct cv_thread *t);
const struct cv_fd_stats *cv_model_thread_fd(const struct cv_model *m, const struct cv_thread *t,
					     size_t i);

size_t cv_model_lock_count(const struct cv_model *m);
const struct cv_lock *cv_model_lock(const struct cv_model *m, size_t i); /* in order of first sighting */
/* The lock whose object is at addr in pid (shared locks: in any of their processes). */
const struct cv_lock *cv_model_find_lock(const struct cv_model *m, uint32_t pid, uint64_t addr);

/* ---- the wait-for graph ----
 * Thread -> the lock it waits for (state LOCK_WAIT) -> that lock's last
 * observed holder (cv_lock.owner_tid) -> the lock the holder waits for -> …
 * One walk serves both the deadlock search (run when a thread blocks on a
 * lock with a known holder; a walk back to that thread is a deadlock,
 * recorded once per set of threads, confirmed) and the wait chains of "now".
 * Where holders are unknown, the wait pattern (CV_STUCK_NS above) gives
 * possible deadlocks (confirmed false), in the same list, once per set of
 * threads, unless a confirmed one has those threads. */
/* t is stuck as the wait pattern counts it (CV_STUCK_NS above) at now */
bool cv_model_thread_stuck(const struct cv_model *m, const struct cv_thread *t, uint64_t now);
size_t cv_model_deadlock_count(const struct cv_model *m);
const struct cv_deadlock *cv_model_deadlock(const struct cv_model *m, size_t i);
/* One line for a deadlock, the same in the report, the JSON and the TUI:
 * "deadlock: T1 waits lock_b held by T2, T2 waits lock_a held by T1" or
 * "possible deadlock: T1 waits L2, T2 waits L1, both for 2.0s, no thread of
 * the process running; holders unknown". */
char *cv_model_deadlock_text(const struct cv_model *m, const struct cv_deadlock *d,
			     char *buf, size_t n);

#define CV_CHAIN_MAX CV_DEADLOCK_MAX

struct cv_wait_link {           /* thread tid of pid waits for lock addr held by holder */
	uint32_t tid, pid;
	uint64_t addr;
	uint32_t holder;            /* 0: unknown */
};

enum cv_chain_end {
	CV_CHAIN_HOLDER,            /* the last holder does not wait for a lock (or is
				     * unknown, untraced, exited): see its state */
	CV_CHAIN_CYCLE,             /* the last holder is link[cycle_at].tid: a deadlock */
	CV_CHAIN_LONG,              /* cut at CV_CHAIN_MAX links; the last holder waits too */
};

struct cv_wait_chain {
	uint32_t n;                 /* links, 1 … CV_CHAIN_MAX; link[i + 1].tid == link[i].holder */
	struct cv_wait_link link[CV_CHAIN_MAX];
	enum cv_chain_end end;
	uint32_t cycle_at;          /* CV_CHAIN_CYCLE: where the cycle starts (0: the
				     * whole chain is the cycle) */
};

/* The chain from thread t now; false (out untouched) if t does not wait for
 * a lock. */
bool cv_model_wait_chain(const struct cv_model *m, const struct cv_thread *t,
			 struct cv_wait_chain *out);
/* Every wait chain of now, each once: from a waiter no other waiter waits
 * for, and a cycle from its lowest tid (a waiter that holds what another one
 * wants is inside that one's chain).  Start with *cursor = 0; false when
 * there are no more. */
bool cv_model_wait_chain_next(const struct cv_model *m, size_t *cursor, struct cv_wait_chain *out);

#endif /* CONCVIZ_MODEL_H */
