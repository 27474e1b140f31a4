/* writeq.h — a recording's finished blocks, written by a thread of their own.
 *
 * The recording writer (recfile.c) runs on concviz's event consumer, a
 * real-time thread that must keep emptying the ring buffer.  A write(2) to
 * a file can block for as long as the kernel likes (dirty-page throttling,
 * a slow or remote disk), so the consumer only queues each finished block
 * here (a copy) and a writer thread writes them, in order.  The queue holds
 * at most max_pending bytes: past that, a push waits, as a write would have.
 * A failed write ends the writing: later pushes fail, queued blocks are
 * dropped, and the error (an errno) is kept for the caller to report.
 */
#ifndef CONCVIZ_WRITEQ_H
#define CONCVIZ_WRITEQ_H

#include <stddef.h>
#include <stdint.h>

struct cv_writeq;

/* All of buf to fd, retrying short writes and EINTR; 0, or -1 with errno
 * (ENOSPC for a write that wrote nothing). */
int cv_write_all(int fd, const void *buf, size_t n);

/* A queue writing to fd (not owned: the caller closes it after stop).
 * NULL with errno set when the thread cannot start. */
struct cv_writeq *cv_writeq_start(int fd, size_t max_pending);
/* Queue a copy of buf; waits while max_pending bytes are queued.  0, or -1
 * once a write failed or the copy cannot be allocated (cv_writeq_error). */
int cv_writeq_push(struct cv_writeq *q, const void *buf, size_t len);
/* Wait until everything pushed is written: 0, or -1 after a failure. */
int cv_writeq_sync(struct cv_writeq *q);
/* sync, end the thread, free the queue: 0, or -1 if any write failed
 * (errno set to its error).  NULL is a no-op. */
int cv_writeq_stop(struct cv_writeq *q);
/* The errno of the failure, 0 if none (ENOMEM: a copy not allocated). */
int cv_writeq_error(struct cv_writeq *q);
/* Bytes pushed so far, written or queued (for the thread that pushes). */
uint64_t cv_writeq_pushed(struct cv_writeq *q);

#endif /* CONCVIZ_WRITEQ_H */
