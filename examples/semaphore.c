/*
 * semaphore — a counting semaphore limits concurrency.
 *
 * 20 threads (`sem-1`...`sem-20`) share ONE counting semaphore, the global
 * `sem_t permits`, initialised to 5 permits.  Each thread repeatedly takes a
 * permit (sem_wait), holds it for ~10 ms (sleeping, as if doing IO with a
 * pooled connection, plus a little CPU work), and gives it back (sem_post).
 * At most 5 threads hold a permit at any moment; the other ~15 wait.
 *
 * What to see in concviz: `permits` as a lock with up to ~15 waiters,
 * threads alternating lock_wait -> sleep -> lock_wait, and never more than
 * five of them past the semaphore at once (max_inside in the stats says so).
 */
#include "common.h"

#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#define MAX_THREADS 64

sem_t permits;                          /* global: its symbol names the lock */

static long nthreads = 20;
static long npermits = 5;
static long hold_ms = 10;
static atomic_int inside, max_inside;

static void *worker(void *arg)
{
	char name[32];
	snprintf(name, sizeof name, "sem-%d", (int)(long)arg);
	struct ex_stats *st = ex_thread_begin(name, "sem-worker", EX_F_LOCK);
	volatile unsigned long sink = 0;

	while (!ex_stopping()) {
		if (sem_wait(&permits) < 0) {
			if (errno == EINTR)
				continue;
			ex_die("sem_wait: %s", strerror(errno));
		}
		st->lock_acquisitions++;
		int n = atomic_fetch_add(&inside, 1) + 1;
		for (int m = atomic_load(&max_inside); n > m;)
			if (atomic_compare_exchange_weak(&max_inside, &m, n))
				break;
		sink += ex_work_us(50);
		ex_sleep_us(hold_ms * 1000);   /* hold the permit for a while */
		atomic_fetch_sub(&inside, 1);
		sem_post(&permits);
		ex_sleep_us(1000);              /* a short pause before asking again */
	}
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "threads", EX_OPT_INT, &nthreads, 1, MAX_THREADS, NULL,
		  "number of threads (default 20)" },
		{ "permits", EX_OPT_INT, &npermits, 1, 1000, NULL,
		  "semaphore permits (default 5)" },
		{ "hold-ms", EX_OPT_INT, &hold_ms, 0, 10000, NULL,
		  "how long a permit is held, in ms (default 10)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "semaphore",
		"Counting semaphore: 20 threads share 5 permits (sem_t permits).", 10, opts);

	if (sem_init(&permits, 0, (unsigned)npermits) < 0)
		ex_die("sem_init: %s", strerror(errno));
	pthread_t t[MAX_THREADS];
	for (long i = 0; i < nthreads; i++)
		t[i] = ex_spawn(worker, (void *)(i + 1));
	ex_wait_for_stop();
	for (long i = 0; i < nthreads; i++)
		ex_join(t[i]);
	fprintf(stderr, "semaphore: at most %d of %ld threads held a permit at once (%ld permits)\n",
		atomic_load(&max_inside), nthreads, npermits);
	sem_destroy(&permits);
	ex_print_stats();
	return 0;
}
