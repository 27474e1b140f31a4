/*
 * locks — mutex contention: many threads, one lock.
 *
 * N threads (default 8, `worker-1`...) repeatedly decrement one shared
 * counter `num`, guarded by ONE global mutex `counter_lock`.  Inside the
 * critical section each does ~20 µs of work, so the lock is held most of
 * the time and the others pile up waiting for it in futex().
 * --recursive makes `counter_lock` a recursive mutex and each thread takes
 * it twice (nested), as code calling a locked helper from locked code does.
 *
 * What to see in concviz: the lock named `counter_lock` with many waits and
 * several waiters at once, the workers mostly in lock_wait, only one of them
 * running the critical section at any moment, and the holder's tid.
 */
#include "common.h"

#include <stdio.h>
#include <string.h>

#define MAX_THREADS 64

pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;   /* global: symbol name */
long num = 1000000000;                                      /* the shared counter */

static long nthreads = 8;
static long hold_us = 20;
static bool recursive;

static void lock(struct ex_stats *st)
{
	int e = pthread_mutex_lock(&counter_lock);
	if (e)
		ex_die("pthread_mutex_lock: %s", strerror(e));
	st->lock_acquisitions++;
}

static void *worker(void *arg)
{
	char name[32];
	snprintf(name, sizeof name, "worker-%d", (int)(long)arg);
	struct ex_stats *st = ex_thread_begin(name, "worker", EX_F_LOCK);
	long long *decrements = ex_extra(st, "decrements");
	volatile unsigned long sink = 0;

	while (!ex_stopping()) {
		lock(st);
		if (recursive)
			lock(st);               /* nested take of the same mutex */
		long v = num;               /* read-modify-write under the lock */
		sink += ex_work_us(hold_us);
		num = v - 1;
		(*decrements)++;
		if (recursive)
			pthread_mutex_unlock(&counter_lock);
		pthread_mutex_unlock(&counter_lock);
		sink += ex_work_us(2);      /* a little work outside the lock */
	}
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "threads", EX_OPT_INT, &nthreads, 1, MAX_THREADS, NULL,
		  "number of contending threads (default 8)" },
		{ "hold-us", EX_OPT_INT, &hold_us, 0, 100000, NULL,
		  "work done while holding the lock, in µs (default 20)" },
		{ "recursive", EX_OPT_FLAG, &recursive, 0, 0, NULL,
		  "use a recursive mutex and take it twice" },
		EX_OPT_END
	};
	ex_init(argc, argv, "locks",
		"Lock contention: N threads decrement one counter under one global mutex.",
		10, opts);

	if (recursive) {
		pthread_mutexattr_t a;
		pthread_mutexattr_init(&a);
		pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
		pthread_mutex_init(&counter_lock, &a);
		pthread_mutexattr_destroy(&a);
	}
	long start = num;
	pthread_t t[MAX_THREADS];
	for (long i = 0; i < nthreads; i++)
		t[i] = ex_spawn(worker, (void *)(i + 1));
	ex_wait_for_stop();
	for (long i = 0; i < nthreads; i++)
		ex_join(t[i]);
	fprintf(stderr, "locks: num went from %ld to %ld (%ld decrements)\n",
		start, num, start - num);
	ex_print_stats();
	return 0;
}
