/* event_order.h — the events of one read of the ring buffer, by time.
 *
 * The ring buffer holds each CPU's events in stages of up to 32, the CPUs'
 * stages interleaved (bpf/probe/stage.h).  Sorted as one sequence by
 * insertion that is O(n x CPUs).  Each CPU's own events are in order but
 * for one sent alone from an interrupt now and then: they are sorted by
 * insertion per CPU, then the CPUs are merged, O(n log CPUs).  Stable
 * within a CPU.  Pure logic (tests/unit/test_event_order.c).
 */
#ifndef CONCVIZ_EVENT_ORDER_H
#define CONCVIZ_EVENT_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/events.h"

/* ev[0..n) by ts.  Events of CPUs from ncpus on are one more run.  scratch
 * (*cap events) grows to n as needed.  Without memory for it, sorts by
 * insertion as one sequence (slower, as right) and returns false. */
bool cv_sort_events(struct cv_event *ev, size_t n, unsigned ncpus, struct cv_event **scratch,
		    size_t *cap);

/* ev[0..n) by ts by insertion: O(n) when each is a few places from its own. */
void cv_sort_nearly(struct cv_event *ev, size_t n);

#endif /* CONCVIZ_EVENT_ORDER_H */
