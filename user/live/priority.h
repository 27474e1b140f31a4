/* priority.h — keep concviz's consumer ahead of the target on the CPU.
 *
 * A target with a thousand runnable threads would leave concviz's one thread
 * a thousandth of a CPU: the ring buffer fills and events are lost.  A
 * real-time concviz cannot be starved, but a real-time thread wakes on the
 * CPU it last ran on and preempts whatever runs there, where a normal one
 * goes to an idle CPU: at real-time priority concviz slows a target it
 * would keep up with anyway (pinned pipe ping-pong: 6-11 % of its time).
 * Once the target runs (forked and exec'd, or attached), the tracer raises
 * all of concviz to SCHED_FIFO at the lowest real-time priority; with
 * CONCVIZ_REALTIME=auto the ring-buffer reader gets nice -20 (it is woken by
 * the kernel, works briefly, and must never wait long) and the raise waits
 * until concviz finds itself behind (live/tracer.h).  Always with
 * SCHED_RESET_ON_FORK, and never before the
 * fork: children inherit the policy and the nice value, and the target must
 * run as it would without concviz.  concviz mostly sleeps in poll(2); the
 * kernel's real-time throttling bounds it anyway.  CONCVIZ_REALTIME=0 turns
 * both off.
 */
#ifndef CONCVIZ_PRIORITY_H
#define CONCVIZ_PRIORITY_H

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Thread tid of concviz to nice -20 (normal policy, reset on fork), unless
 * CONCVIZ_REALTIME=0.  When the kernel refuses, one warning line to diag. */
void cv_priority_hurry(pid_t tid, FILE *diag);

/* Raise every concviz thread to SCHED_FIFO unless CONCVIZ_REALTIME=0.  When
 * the kernel refuses, one warning line goes to diag and tracing goes on at
 * the normal priority (events may then be lost under load, and are counted).
 * Whether every thread was raised. */
bool cv_priority_raise(FILE *diag);

/* Every concviz thread's CPU affinity to mask (live/placement.h).  Whether
 * every thread took it. */
bool cv_priority_set_affinity(const cpu_set_t *mask);

#endif /* CONCVIZ_PRIORITY_H */
