/* export_chrome.h — a recording as Chrome Trace Event JSON for ui.perfetto.dev.
 *
 * Object form {"traceEvents":[…], "displayTimeUnit":"ns", "otherData":{…}},
 * streamed event by event (nothing but the model is held in memory).  Per
 * traced thread one track (pid/tid) carrying:
 *   - state slices (cat "state"): runnable, wait_data, copy_data, mux_wait,
 *     lock_wait, uring_wait, sleep — RUNNING is the gap between them;
 *   - one receive slice per CV_EV_RECV named by the syscall ("recvfrom", …)
 *     with child slices "wait for data" (enter→first copy) and "copy data"
 *     (first copy→exit); EAGAIN receives are receive slices with
 *     args {"eagain":true};
 *   - multiplexer slices ("epoll_wait", …), io_uring_enter slices, lock-wait
 *     slices named by the lock (model name, else the hex address) with
 *     args owner/waker; an event's slices are written once the records
 *     after it are read, so a lock named right after the wait that first
 *     showed it (as a live recording names it) is named from its first slice;
 *   - a flow arrow (ph s/f, unique ids, "bp":"e") from waker to wakee for
 *     every wakeup whose waker is a traced thread, leaving a 2 ns "wake"
 *     slice on the waker's track to anchor it.
 * io_uring requests are async slices (ph b/e, cat "io_uring") from submit to
 * completion on the submitting process.  Timestamps are CLOCK_BOOTTIME in µs
 * with ns precision (3 decimals).  process_name/thread_name metadata for
 * every process and thread comes at the end (final names). */
#ifndef CONCVIZ_EXPORT_CHROME_H
#define CONCVIZ_EXPORT_CHROME_H

#include <stddef.h>
#include <stdio.h>

struct cv_rec_reader;

/* Reads r once, to its end, writing the JSON to out.  0 ok.  1 with one
 * line in err: the recording ends truncated or corrupt (the readable part is
 * written as complete, valid JSON).  -1 with one line in err: no usable
 * output (out of memory; or a write error on out, which stops the export
 * early and leaves ferror(out) set).  Creating, closing and naming the
 * output file are the caller's. */
int cv_export_chrome(struct cv_rec_reader *r, FILE *out, char *err, size_t errlen);

#endif /* CONCVIZ_EXPORT_CHROME_H */
