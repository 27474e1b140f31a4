/* tracer.h — load the BPF probes, follow a target, deliver its events.
 *
 * Events come out of cv_tracer_poll() in timestamp order within each batch
 * (the ring buffer is ordered by reservation across CPUs).  Ring-buffer drops
 * are never silent: when the kernel-side drop counter grows, the tracer
 * delivers a CV_EV_LOST event with the number of events lost.
 *
 * A reader thread empties the ring buffer into memory whenever the kernel
 * wakes it, so a caller that is slow for a while (a TUI frame waiting on its
 * terminal) costs memory, not events; cv_tracer_poll() delivers what it
 * moved.  The callback always runs in the caller's thread.
 */
#ifndef CONCVIZ_TRACER_H
#define CONCVIZ_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/cpython.h"
#include "bpf/events.h"

struct cv_tracer;

typedef void (*cv_event_fn)(void *ctx, const struct cv_event *ev);

/* Checks root and BTF, loads and attaches
 * every probe.  A probe whose tracepoint this kernel lacks is skipped with a
 * warning on `diag`.  Returns NULL with one line in err on failure. */
struct cv_tracer *cv_tracer_open(FILE *diag, char *err, size_t errlen);
void cv_tracer_close(struct cv_tracer *t);

/* Trace the process with this tgid (its threads are picked up the first time
 * any probe sees them; its children from their fork on). */
void cv_tracer_follow(struct cv_tracer *t, uint32_t tgid);

/* From now on (the target runs: it has its own policy and nice value),
 * concviz's threads run at real-time priority (live/priority.h says why
 * not before).  CONCVIZ_REALTIME=auto: the ring-buffer reader runs at nice
 * -20 and raises concviz the first time it finds itself or the consumer
 * behind: a quarter of the ring buffer at one wake-up (the kernel wakes it
 * at wakeup_bytes), or a ring buffer's worth of events not yet taken by
 * cv_tracer_poll().  =0: never.  Warnings go to diag. */
void cv_tracer_raise_when_behind(struct cv_tracer *t, FILE *diag);

/* The consumer finds itself behind (a live viewer starved of CPU): raise
 * now, as the reader would, once armed by cv_tracer_raise_when_behind and
 * only once. */
void cv_tracer_raise_now(struct cv_tracer *t);

/* CLOCK_BOOTTIME ns when concviz went real-time, 0 if it did not */
uint64_t cv_tracer_raised_at(struct cv_tracer *t);

/* Probe the C library at path (uprobes on pthread_cond_*wait and
 * pthread_barrier_wait, every symbol version) so futex waits inside them are
 * known as condvar/barrier waits of that object.  With holders, also
 * sem_wait/timedwait/clockwait/trywait (entry and return) and sem_post, so a
 * semaphore's last taker is its holder: every call of those functions in
 * any process then traps (see README, --lock-holders).  0, or -1 with one
 * line in err (the tracing goes on without: those waits are then unknown
 * futexes, or semaphores without holders). */
int cv_tracer_attach_lock_probes(struct cv_tracer *t, const char *libc, bool holders,
				 char *err, size_t errlen);

/* Detach every probe: no new events; what is in the ring buffer can still be
 * polled.  Used to stop tracing a process that keeps running (attach). */
void cv_tracer_stop(struct cv_tracer *t);

/* Wait up to timeout_ms for events (or for wake_fd, >= 0, to become
 * readable), deliver everything available, sorted by ts.  Returns the number
 * of events delivered, or -1 on error. */
int cv_tracer_poll(struct cv_tracer *t, int timeout_ms, int wake_fd, cv_event_fn fn, void *ctx);

/* CPython processes (bpf/cpython.h).  The probes ask user space to look at
 * a process's interpreter (at exec, and at the first new thread of a
 * process without an entry): cv_tracer_poll() calls ask(ctx, ask) for
 * each, before it delivers that poll's events.  The answer is an entry
 * (gil 0: not a supported CPython). */
typedef void (*cv_py_ask_fn)(void *ctx, const struct cv_py_ask *ask);
void cv_tracer_on_py_ask(struct cv_tracer *t, cv_py_ask_fn ask, void *ctx);
int cv_tracer_set_py_proc(struct cv_tracer *t, uint32_t tgid, const struct cv_py_proc *p);
int cv_tracer_set_py_rule(struct cv_tracer *t, uint64_t hash, const struct cv_py_rule *r);
/* Thread tid is ns_tid in PID namespace ns (its inode): what its program
 * stores as its ID (bpf/probe/pidns.h), for a thread found at attach */
void cv_tracer_note_ns_tid(void *tracer, uint32_t ns, uint32_t ns_tid, uint32_t tid);
/* Where the first wait on Python lock obj of process tgid was (py_seen,
 * bpf/cpython.h); false if the probes keep none */
bool cv_tracer_py_site(struct cv_tracer *t, uint32_t tgid, uint64_t obj, struct cv_py_site *out);

/* Events lost so far (as delivered in CV_EV_LOST, whose lost.where the
 * tracer leaves CV_LOST_UNKNOWN) … */
uint64_t cv_tracer_dropped(const struct cv_tracer *t);

/* What the events lost in the kernel were lost to (they reach the model as
 * ring-buffer losses; CONCVIZ_STATS=1 prints these).  Skipped probe runs
 * are not among the losses: any task's may be one, traced or not. */
struct cv_kernel_drops {
	uint64_t ring_full; /* the ring buffer had no room */
	uint64_t nested;    /* a probe interrupted inside 3 others' reservations */
	uint64_t skipped;   /* probe runs the kernel skipped (one fired inside itself):
			     * of any task, so at most this many events lost */
	uint64_t stranded;  /* left in the stage of a CPU that went offline */
};
void cv_tracer_kernel_drops(struct cv_tracer *t, struct cv_kernel_drops *d);
/* … of which concviz's own queue had no room for (the rest: the kernel's
 * ring buffer was full).  While a CV_EV_LOST is delivered, both include its
 * count, so the growth of this one since the previous LOST is its part. */
uint64_t cv_tracer_dropped_in_memory(const struct cv_tracer *t);
uint64_t cv_tracer_delivered(const struct cv_tracer *t);
/* The poll that took longest from taking its batch to the end of its
 * delivery (the consumer's own work, not its wait): where the time went */
struct cv_tracer_slowest {
	uint64_t total_ns, take_ns, prepare_ns, deliver_ns; /* prepare: Python answers, the
							  * last poll's carry, the sort;
							  * deliver: the model, the recording */
	size_t events;
};
struct cv_tracer_slowest cv_tracer_slowest_poll(const struct cv_tracer *t);
/* Times a real-time concviz moved off CPUs the target kept busy (live/placement.h). */
uint64_t cv_tracer_moves(struct cv_tracer *t);

#endif /* CONCVIZ_TRACER_H */
