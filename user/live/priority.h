/* priority.h — keep concviz's consumer ahead of the target on the CPU.
 *
 * A target with a thousand runnable threads would leave concviz's one thread
 * a thousandth of a CPU: the ring buffer fills and events are lost.  So once
 * the target runs (forked and exec'd, or attached), concviz moves itself to
 * SCHED_FIFO at the lowest real-time priority, with SCHED_RESET_ON_FORK
 * (all its threads: the consumer and the tracer's ring-buffer reader).
 * Never before the fork: children inherit the policy and the nice value, and
 * the target must run as it would without concviz.  concviz mostly sleeps
 * in poll(2); the kernel's real-time throttling bounds it anyway.
 */
#ifndef CONCVIZ_PRIORITY_H
#define CONCVIZ_PRIORITY_H

#include <stdio.h>

/* Raise every concviz thread's priority unless CONCVIZ_REALTIME=0.  When the
 * kernel refuses, one warning line goes to diag and tracing goes on at the
 * normal priority (events may then be lost under load, and are counted). */
void cv_priority_raise(FILE *diag);

#endif /* CONCVIZ_PRIORITY_H */
