/* export_chrome.h — a recording as Chrome Trace Event JSON for ui.perfetto.dev.
 *
 * Object form {"traceEvents":[…], "metadata":{…}, "otherData":{…}},
 * streamed (the model and a few pending state slices per thread are held in
 * memory).  Per traced thread one track (pid/tid) carrying:
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
 *   - a flow arrow (ph s/f, unique ids, "bp":"e") for every wakeup by a
 *     traced thread that made the wakee runnable: from a one-step "wake"
 *     slice on the waker's track to the wakee's runnable slice, each end at
 *     the start of its slice.
 * Slices nest on every track (Perfetto spills a partial overlap to an
 * overflow track): a state slice that the model keeps across an instant
 * where a syscall shows the thread on a CPU (its enter, first copy or exit:
 * a switch-in the recording lacks) is cut there, and the metadata counts
 * the cuts (state_slices_clipped).  Back-to-back slices of one state are one
 * slice.
 * io_uring requests are async slices (ph b/e, cat "io_uring", "id2":{"local"})
 * from submit to completion on a track of the submitting process.
 * Timestamps are CLOCK_BOOTTIME in µs with 3 decimals, every ts and dur a
 * multiple of 125 ns (metadata time_grid_ns): exact in binary floating
 * point, so importers that add ts + dur in doubles (speedscope) see a
 * slice end exactly where the next begins.  A slice that rounds to nothing
 * is left out, except a syscall's, which is one step long.
 * process_name/thread_name metadata for every thread with events and its
 * process comes at the end (final names).  The trace's metadata (host,
 * kernel, command, clocks, counts, exit) is one flat object, under
 * "metadata" (Perfetto's metadata table: json_metadata.*) and, the same,
 * under "otherData" for older readers. */
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
