/* procscan.h — what /proc says about a process we attach to: is the PID
 * attachable, and what each of its threads is doing right now (so that a
 * thread already blocked in epoll_wait when tracing starts is shown as
 * mux_wait, not as an unknown sleep). */
#ifndef CONCVIZ_PROCSCAN_H
#define CONCVIZ_PROCSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/events.h"

/* Parse and check a PID argument: numeric, exists, a user process (not a
 * kernel thread), not concviz itself; a thread's ID names its process.
 * 0 ok; -2 not a number, -1 no such process (or not one to trace), with
 * one line in err. */
int cv_proc_parse_pid(const char *arg, uint32_t *pid, char *err, size_t errlen);

/* Build one CV_EV_TASK (flags CV_TASK_SEED) per thread of pid at time ts and
 * pass each to fn.  Returns the number of threads, -1 if the process is gone. */
int cv_proc_seed_threads(uint32_t pid, uint64_t ts,
			 void (*fn)(void *ctx, const struct cv_event *ev), void *ctx);

/* Thread tid's ID in its own PID namespace (what its program stores), tid
 * itself in concviz's or if unreadable. */
uint32_t cv_proc_ns_tid(uint32_t pid, uint32_t tid);

/* Each thread of process pid that lives in a PID namespace other than
 * concviz's: fn(ctx, the namespace's inode, its ID there, its global ID).
 * Returns how many. */
int cv_proc_ns_tids(uint32_t pid, void (*fn)(void *ctx, uint32_t ns, uint32_t ns_tid, uint32_t tid),
		    void *ctx);

/* "cmd arg1 arg2…" from /proc/PID/cmdline into buf ("" if unreadable). */
void cv_proc_cmdline(uint32_t pid, char *buf, size_t len);

/* Fill ev->task.seed_block/seed_sys/seed_obj with what the probes would
 * report for thread tid of pid blocked in syscall nr (a number of this
 * architecture) with arguments args (/proc/PID/task/TID/syscall): the table
 * of bpf/syscalls.h, and the same argument tests as the probes (read on a
 * socket, a futex op that waits, an io_uring_enter that waits). */
void cv_proc_classify_syscall(uint32_t pid, uint32_t tid, long nr, const uint64_t args[6],
			      struct cv_event *ev);

#endif
