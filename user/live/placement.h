/* placement.h — keep a real-time concviz off the CPUs the target keeps busy.
 *
 * A real-time thread wakes on the CPU it last ran on and preempts whatever
 * runs there; an idle CPU elsewhere does not attract it (priority.h).  So
 * a real-time concviz that once ran next to a busy target thread keeps
 * preempting it, each time it wakes: on a pinned pipe ping-pong that was 4-6
 * points of the target's slowdown (bench/README.md).  The tracer notes every
 * context switch of a traced thread and, ten times a second, keeps concviz
 * off the CPUs the target kept busy at least half of that time, as long as
 * one left was busy at most a quarter of it: concviz's affinity is its own
 * less those CPUs, or all of its own again when the target keeps every CPU
 * busy (then the real-time consumer must preempt it somewhere).
 */
#ifndef CONCVIZ_PLACEMENT_H
#define CONCVIZ_PLACEMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/events.h"

#define CV_PLACEMENT_MAX_CPUS 1024

struct cv_placement {
	int ncpus;                           /* tracked: at most CV_PLACEMENT_MAX_CPUS */
	bool allowed[CV_PLACEMENT_MAX_CPUS]; /* concviz may run there (its affinity) */
	bool started;                        /* since is set */
	uint64_t since;                      /* start of this period (event time) */
	bool on[CV_PLACEMENT_MAX_CPUS];           /* a traced thread runs there … */
	uint64_t on_since[CV_PLACEMENT_MAX_CPUS]; /* … since */
	uint64_t busy_ns[CV_PLACEMENT_MAX_CPUS];  /* traced threads' time there this period */
};

/* Tracking ncpus CPUs, every one allowed (the caller may clear some). */
void cv_placement_init(struct cv_placement *p, int ncpus);

/* Account one event (only switches count). */
void cv_placement_note(struct cv_placement *p, const struct cv_event *ev);

/* At the end of a period ending at event time now: sets avoid[c] (for each
 * tracked CPU) for the CPUs concviz should keep off, and returns how many;
 * 0 avoids none.  Starts the next period. */
int cv_placement_avoid(struct cv_placement *p, uint64_t now, bool *avoid);

#endif /* CONCVIZ_PLACEMENT_H */
