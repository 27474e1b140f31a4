/*
 * examples/common.h — the small shared helper of concviz's bundled examples.
 *
 * Every example:
 *   - parses `--seconds N` (run time bound), `-h`, and its own options
 *     (ex_init); a bad option prints a usage line on stderr and exits 2;
 *   - runs its threads until the time bound or SIGTERM/SIGINT (ex_wait_for_stop),
 *     then they finish promptly (ex_stopping() turns true);
 *   - counts what each thread does in a per-thread record (struct ex_stats);
 *     the main thread has one too (role "main", taken by ex_init and closed
 *     by ex_print_stats);
 *   - prints, as its very last stderr line, `example-stats {JSON}` (ex_print_stats).
 *
 * Signals: ex_init blocks SIGTERM and SIGINT in the calling (main) thread, so
 * every thread created later inherits the block and no system call of a
 * worker is ever interrupted by them; only the main thread takes them, in
 * ex_wait_for_stop (sigtimedwait).  That keeps every counted call honest.
 *
 * Counting rules (concviz compares its own counts with these, per tid):
 *   recv_calls   every recvfrom/recvmsg syscall the thread made (use ex_recv)
 *   recv_eagain  those that failed with EAGAIN/EWOULDBLOCK
 *   recv_bytes   sum of the positive results
 *   mux_calls    every select/poll/epoll_wait call
 *   uring_*      SQEs submitted / CQEs reaped
 *   lock_acquisitions   successful lock calls (mutex lock, sem_wait, ...)
 *
 * Read from the kernel by ex_thread_end, the last thing each thread does:
 *   voluntary_ctxt_switches, nonvoluntary_ctxt_switches
 *                /proc/thread-self/status
 *   cpu_ns       /proc/thread-self/schedstat field 1: time on a CPU
 *                (sum_exec_runtime, what time/top/getrusage report), read
 *                just after clock_gettime(CLOCK_THREAD_CPUTIME_ID), which
 *                brings it up to date (else it lags up to a tick)
 *   run_delay_ns /proc/thread-self/schedstat field 2: time runnable in a
 *                run queue waiting for a CPU
 * (-1 where the file could not be read).  docs/time-accounting.md says how
 * these relate to concviz's tracepoint-timed running/runnable.
 */
#ifndef CONCVIZ_EXAMPLES_COMMON_H
#define CONCVIZ_EXAMPLES_COMMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- options ---------------------------------------------------------- */

enum ex_opt_kind {
	EX_OPT_FLAG,   /* --name            sets *(bool *)dst = true          */
	EX_OPT_INT,    /* --name N          *(long *)dst, in [min, max]       */
	EX_OPT_CHOICE, /* --name WORD       *(const char **)dst, one of choices */
};

struct ex_opt {
	const char *name;     /* without the leading "--" */
	enum ex_opt_kind kind;
	void *dst;
	long min, max;        /* EX_OPT_INT bounds */
	const char *choices;  /* EX_OPT_CHOICE: "select|poll|epoll" */
	const char *help;     /* one short line */
};
#define EX_OPT_END { 0 }

/* Parse argv (exits 2 on a bad option, 0 after -h/--help) and block
 * SIGTERM/SIGINT.  Call first in main, before creating any thread. */
void ex_init(int argc, char **argv, const char *example, const char *about,
	     double default_seconds, const struct ex_opt *opts);
double ex_seconds(void);              /* the --seconds value */
const char *ex_name(void);            /* the example's name */

/* ---- stopping --------------------------------------------------------- */

extern atomic_bool ex_stop_flag;
static inline bool ex_stopping(void)
{
	return atomic_load_explicit(&ex_stop_flag, memory_order_acquire);
}
void ex_request_stop(void);
/* Main thread: wait until the --seconds bound passes or SIGTERM/SIGINT
 * arrives, then set the stop flag.  Returns the signal number or 0. */
int ex_wait_for_stop(void);
/* Absolute CLOCK_REALTIME deadline of the --seconds bound (for timedlock). */
void ex_deadline_realtime(struct timespec *ts);

/* ---- per-thread stats ------------------------------------------------- */

enum {
	EX_F_RECV  = 1 << 0,  /* recv_calls, recv_eagain, recv_bytes */
	EX_F_MUX   = 1 << 1,  /* mux_calls */
	EX_F_URING = 1 << 2,  /* uring_submitted, uring_completed */
	EX_F_LOCK  = 1 << 3,  /* lock_acquisitions */
	EX_F_CORO  = 1 << 4,  /* coroutine_switches */
};
#define EX_MAX_EXTRA 40

struct ex_stats {
	int tid, pid;
	char role[16];
	unsigned fields;
	long long recv_calls, recv_eagain, recv_bytes;
	long long mux_calls;
	long long uring_submitted, uring_completed;
	long long lock_acquisitions;
	long long coroutine_switches;
	int nextra;
	struct { char name[24]; long long value; } extra[EX_MAX_EXTRA];
	long long voluntary_ctxt_switches, nonvoluntary_ctxt_switches;
	long long cpu_ns, run_delay_ns;
};

/* In a new thread (or forked worker): name it (<= 15 chars), take a stats
 * record with the given role and counter groups.  Never fails. */
struct ex_stats *ex_thread_begin(const char *name, const char *role, unsigned fields);
/* The last thing a thread does: read its context-switch counts, on-CPU and
 * run-queue time. */
void ex_thread_end(struct ex_stats *st);
/* The main thread's own record (made by ex_init), now counting fields too. */
struct ex_stats *ex_main_stats(unsigned fields);
/* A named extra counter of this record (created on first use). */
long long *ex_extra(struct ex_stats *st, const char *name);
/* Add a copy of a record made elsewhere (a forked worker's). */
void ex_stats_add(const struct ex_stats *copy);
/* Print `example-stats {JSON}` on stderr.  Call last, from the main thread,
 * after every join: it first closes the main thread's own record. */
void ex_print_stats(void);

/* ---- threads, time, work ---------------------------------------------- */

pthread_t ex_spawn(void *(*fn)(void *), void *arg);
void ex_join(pthread_t t);
double ex_now(void);                  /* CLOCK_MONOTONIC seconds */
void ex_sleep_us(long us);
/* Sleep up to ms milliseconds in short steps, returning early on stop. */
void ex_nap_ms(long ms);
/* Busy CPU work for about us microseconds; returns a checksum. */
unsigned long ex_work_us(long us);
void ex_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ---- loopback sockets ------------------------------------------------- */

/* A connected TCP pair on 127.0.0.1: *srv is the accepted end. */
void ex_tcp_pair(int *srv, int *cli);
void ex_set_nonblocking(int fd);
/* One counted recvfrom(2): updates recv_calls/recv_eagain/recv_bytes. */
ssize_t ex_recv(struct ex_stats *st, int fd, void *buf, size_t len, int flags);
/* Make ex_recv use read(2) instead of recvfrom(2) (flags are then ignored):
 * a read on a socket is a receive too. */
void ex_recv_use_read(bool on);
/* send(2) everything (MSG_NOSIGNAL); 0 or -1 if the peer is gone. */
int ex_send_all(int fd, const void *buf, size_t len);

/* A paced client: every interval_us it sends one msg_size-byte message to
 * each of its fds; on stop it shuts the write side of all of them (so the
 * server sees EOF) and ends.  It never receives. */
#define EX_CLIENT_MAX_FDS 64
struct ex_client {
	char name[16];
	int fds[EX_CLIENT_MAX_FDS];
	int nfds;
	long interval_us;
	size_t msg_size;
};
void *ex_client_main(void *arg);      /* pthread entry, arg = struct ex_client * */

#endif
