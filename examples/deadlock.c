/*
 * deadlock — two threads, two locks, opposite order.
 *
 * `taker-ab` locks `lock_a` then `lock_b`; `taker-ba` locks `lock_b` then
 * `lock_a`.  Each sleeps 100 ms between its two takes, so both always hold
 * their first lock when they ask for the second: a wait-for cycle, i.e. a
 * deadlock.  The second take is pthread_mutex_timedlock with its deadline at
 * the --seconds bound (default 3 s), so both give up, say so, release what
 * they hold (once both have given up) and the program exits 0.  (The wait
 * is made in 50 ms slices only so that SIGTERM can end it promptly; the
 * deadline stays the bound.)
 *
 * What to see in concviz: both threads in lock_wait on each other's lock,
 * lock owners `taker-ab` -> lock_a, `taker-ba` -> lock_b, and a deadlock
 * reported with both tids and both locks.
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

/* both_hold: neither asks for its second lock before both hold their first
 * (so the deadlock happens even if a thread starts late);  both_tried:
 * neither lets go of its first lock before both have given up (so the one
 * that times out first cannot hand the other its second lock). */
static pthread_barrier_t both_hold, both_tried;

struct taker {
	const char *name;
	pthread_mutex_t *first, *second;
	const char *first_name, *second_name;
};

static int timespec_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

/* pthread_mutex_timedlock until `deadline`, in short slices that notice a stop. */
static int timedlock_until(pthread_mutex_t *m, const struct timespec *deadline)
{
	for (;;) {
		struct timespec slice;
		clock_gettime(CLOCK_REALTIME, &slice);
		slice.tv_nsec += 50 * 1000000L;
		if (slice.tv_nsec >= 1000000000L) {
			slice.tv_sec++;
			slice.tv_nsec -= 1000000000L;
		}
		bool last = timespec_cmp(deadline, &slice) <= 0;
		int e = pthread_mutex_timedlock(m, last ? deadline : &slice);
		if (e != ETIMEDOUT || last || ex_stopping())
			return e;
	}
}

static void *taker_main(void *arg)
{
	struct taker *t = arg;
	struct ex_stats *st = ex_thread_begin(t->name, t->name, EX_F_LOCK);
	long long *gave_up = ex_extra(st, "gave_up");
	struct timespec deadline;
	ex_deadline_realtime(&deadline);

	pthread_mutex_lock(t->first);
	st->lock_acquisitions++;
	ex_nap_ms(100);                   /* let the other thread take its first lock */
	pthread_barrier_wait(&both_hold);
	double t0 = ex_now();
	int e = timedlock_until(t->second, &deadline);
	if (e == 0) {
		st->lock_acquisitions++;
		fprintf(stderr, "%s: got %s too (no deadlock this time)\n", t->name, t->second_name);
		pthread_mutex_unlock(t->second);
	} else {
		(*gave_up)++;
		fprintf(stderr, "%s: deadlock detected: holding %s, gave up waiting for %s after %.2f s (%s)\n",
			t->name, t->first_name, t->second_name, ex_now() - t0,
			e == ETIMEDOUT ? "timed out" : strerror(e));
	}
	pthread_barrier_wait(&both_tried);
	pthread_mutex_unlock(t->first);
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = { EX_OPT_END };
	ex_init(argc, argv, "deadlock",
		"Deadlock: two threads take lock_a and lock_b in opposite orders.", 3, opts);

	pthread_barrier_init(&both_hold, NULL, 2);
	pthread_barrier_init(&both_tried, NULL, 2);
	static struct taker ab = { "taker-ab", &lock_a, &lock_b, "lock_a", "lock_b" };
	static struct taker ba = { "taker-ba", &lock_b, &lock_a, "lock_b", "lock_a" };
	pthread_t t1 = ex_spawn(taker_main, &ab);
	pthread_t t2 = ex_spawn(taker_main, &ba);
	ex_wait_for_stop();
	ex_join(t1);
	ex_join(t2);
	ex_print_stats();
	return 0;
}
