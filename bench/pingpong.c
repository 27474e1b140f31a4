/* pingpong.c — the 1,000-thread load of bench/run.sh (issue 12).
 *
 * PAIRS pairs of threads (default 500, so 1,000 threads) ping-pong a turn
 * under a mutex and a condition variable; each thread sleeps 1 ms after each
 * of its rounds.  With a thousand threads the sleeps end faster than two
 * CPUs can serve them: both CPUs stay busy, and every round is futex waits,
 * wakeups and context switches, the events a tracer must keep up with.
 *
 *   pingpong [-p PAIRS] [-s SECONDS] [-m MS]    (defaults 500, 5, 1)
 *
 * Last stderr line, for the benchmark to compare with what concviz saw:
 *   pingpong-stats {"threads":N,"rounds":N,"voluntary_ctxt_switches":N,
 *                   "nonvoluntary_ctxt_switches":N,"seconds":S,"elapsed_ns":N}
 * (elapsed_ns: from the first thread started to the last one joined; more
 * than SECONDS when the main thread itself waited for a CPU)
 * (context switches summed over the worker threads, read by each from
 * /proc/thread-self/status as its last act).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct pair {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn;
};

struct worker {
	struct pair *p;
	int me;
	long rounds;
	long vcsw, ivcsw;
};

static atomic_int g_stop;
static long g_sleep_ns = 1000000;

/* the thread's own context switches, from the kernel */
static void read_switches(struct worker *w)
{
	FILE *f = fopen("/proc/thread-self/status", "r");
	char line[128];

	w->vcsw = w->ivcsw = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "voluntary_ctxt_switches: %ld", &w->vcsw);
		sscanf(line, "nonvoluntary_ctxt_switches: %ld", &w->ivcsw);
	}
	fclose(f);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct pair *p = w->p;
	struct timespec nap = { 0, g_sleep_ns };

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->turn != w->me && !atomic_load(&g_stop))
			pthread_cond_wait(&p->cv, &p->mu);
		if (atomic_load(&g_stop)) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		p->turn = !w->me;
		w->rounds++;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		nanosleep(&nap, NULL);
	}
	read_switches(w);
	return NULL;
}

static long arg_num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < lo || v > hi) {
		fprintf(stderr, "pingpong: bad number '%s' (want %ld..%ld)\n", s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long pairs = 500, seconds = 5;
	int c;

	while ((c = getopt(argc, argv, "p:s:m:")) != -1) {
		switch (c) {
		case 'p': pairs = arg_num(optarg, 1, 5000); break;
		case 's': seconds = arg_num(optarg, 1, 3600); break;
		case 'm': g_sleep_ns = arg_num(optarg, 0, 1000) * 1000000; break;
		default:
			fprintf(stderr, "usage: pingpong [-p PAIRS] [-s SECONDS] [-m SLEEP_MS]\n");
			return 2;
		}
	}
	long n = pairs * 2;
	struct pair *ps = calloc((size_t)pairs, sizeof(*ps));
	struct worker *ws = calloc((size_t)n, sizeof(*ws));
	pthread_t *tids = calloc((size_t)n, sizeof(*tids));
	pthread_attr_t attr;

	if (!ps || !ws || !tids) {
		fprintf(stderr, "pingpong: out of memory\n");
		return 1;
	}
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (long i = 0; i < pairs; i++) {
		pthread_mutex_init(&ps[i].mu, NULL);
		pthread_cond_init(&ps[i].cv, NULL);
	}
	for (long i = 0; i < n; i++) {
		ws[i] = (struct worker){ .p = &ps[i / 2], .me = (int)(i % 2) };
		int e = pthread_create(&tids[i], &attr, run, &ws[i]);

		if (e) {
			fprintf(stderr, "pingpong: pthread_create: %s\n", strerror(e));
			return 1;
		}
	}
	sleep((unsigned)seconds);
	atomic_store(&g_stop, 1);
	/* under each lock, so no waiter can miss the stop */
	for (long i = 0; i < pairs; i++) {
		pthread_mutex_lock(&ps[i].mu);
		pthread_cond_broadcast(&ps[i].cv);
		pthread_mutex_unlock(&ps[i].mu);
	}
	long rounds = 0, vcsw = 0, ivcsw = 0;

	for (long i = 0; i < n; i++) {
		pthread_join(tids[i], NULL);
		rounds += ws[i].rounds;
		vcsw += ws[i].vcsw;
		ivcsw += ws[i].ivcsw;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "pingpong-stats {\"threads\":%ld,\"rounds\":%ld,\"voluntary_ctxt_switches\":%ld,"
		"\"nonvoluntary_ctxt_switches\":%ld,\"seconds\":%ld,\"elapsed_ns\":%lld}\n", n, rounds, vcsw,
		ivcsw, seconds, (long long)(t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec));
	return 0;
}
