/*
 * gil — a global interpreter lock, like CPython's.
 *
 * N CPU-bound "interpreter" threads (default 4, `interp-1`...) may only run
 * their bytecode while holding ONE global lock, the mutex `gil`.  Like an
 * interpreter, a thread runs for a switch interval (5 ms) and then drops
 * the gil; if others are waiting it does not grab it straight back but waits
 * until another thread has taken it (CPython's "forced switching").  So only
 * one thread computes at a time, however many CPUs there are.
 * --no-gil runs the same threads with no lock: they all compute in parallel.
 *
 * What to see in concviz: with the gil, one `interp-N` running and the rest
 * in lock_wait on `gil`, the holder rotating every ~5 ms, total CPU use of
 * about one core; with --no-gil, every thread running or runnable.
 */
#include "common.h"

#include <sched.h>
#include <stdio.h>

#define MAX_THREADS 64

pthread_mutex_t gil = PTHREAD_MUTEX_INITIALIZER;   /* global: symbol name */

static atomic_int gil_waiters;
static atomic_ulong gil_switches;                   /* times the holder changed */
static atomic_int gil_holder;

static long nthreads = 4;
static long interval_us = 5000;
static bool no_gil;

static void gil_take(struct ex_stats *st)
{
	atomic_fetch_add(&gil_waiters, 1);
	pthread_mutex_lock(&gil);
	atomic_fetch_sub(&gil_waiters, 1);
	st->lock_acquisitions++;
	if (atomic_exchange(&gil_holder, st->tid) != st->tid)
		atomic_fetch_add(&gil_switches, 1);
}

static void gil_drop(void)
{
	unsigned long seen = atomic_load(&gil_switches);
	pthread_mutex_unlock(&gil);
	/* forced switching: let a waiting thread have it before we ask again */
	double until = ex_now() + 0.005;
	while (atomic_load(&gil_waiters) > 0 && atomic_load(&gil_switches) == seen &&
	       ex_now() < until)
		sched_yield();
}

static void *interp(void *arg)
{
	char name[32];
	snprintf(name, sizeof name, "interp-%d", (int)(long)arg);
	struct ex_stats *st = ex_thread_begin(name, "interp", EX_F_LOCK);
	long long *slices = ex_extra(st, "slices");
	volatile unsigned long sink = 0;

	while (!ex_stopping()) {
		if (!no_gil)
			gil_take(st);
		sink += ex_work_us(interval_us);    /* "run bytecode" */
		(*slices)++;
		if (!no_gil)
			gil_drop();
	}
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "threads", EX_OPT_INT, &nthreads, 1, MAX_THREADS, NULL,
		  "number of interpreter threads (default 4)" },
		{ "interval-us", EX_OPT_INT, &interval_us, 100, 1000000, NULL,
		  "switch interval: work per gil hold, in µs (default 5000)" },
		{ "no-gil", EX_OPT_FLAG, &no_gil, 0, 0, NULL,
		  "run the threads without the gil" },
		EX_OPT_END
	};
	ex_init(argc, argv, "gil",
		"GIL: CPU-bound threads must hold one global lock (gil) to run.", 10, opts);

	pthread_t t[MAX_THREADS];
	for (long i = 0; i < nthreads; i++)
		t[i] = ex_spawn(interp, (void *)(i + 1));
	ex_wait_for_stop();
	for (long i = 0; i < nthreads; i++)
		ex_join(t[i]);
	if (!no_gil)
		fprintf(stderr, "gil: the gil changed hands %lu times\n", atomic_load(&gil_switches));
	ex_print_stats();
	return 0;
}
