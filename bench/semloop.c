/* semloop.c — bench/locks.sh's loads, timed with CLOCK_MONOTONIC:
 *   semloop N        one thread takes and gives back an uncontended
 *                    semaphore (sem_wait + sem_post, as a Python `with lock:`
 *                    does on CPython's sem_t Lock) N times: "NS ns/take"
 *   semloop cond N   two threads hand a turn back and forth N times through
 *                    a mutex and a condvar (pthread_cond_wait each time):
 *                    "NS ns/handoff" */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static long turn, rounds;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* thread `me` (0 or 1) waits for its turn, passes it on */
static void *player(void *arg)
{
	long me = (long)arg;

	pthread_mutex_lock(&m);
	for (long i = 0; i < rounds; i++) {
		while (turn % 2 != me)
			pthread_cond_wait(&turn_changed, &m);
		turn++;
		pthread_cond_signal(&turn_changed);
	}
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(int argc, char **argv)
{
	int cond = argc > 1 && strcmp(argv[1], "cond") == 0;
	long n = argc > 1 + cond ? atol(argv[1 + cond]) : 2000000;
	double t0;
	sem_t s;

	if (n <= 0 || sem_init(&s, 0, 1))
		return 2;
	t0 = now_ns();
	if (cond) {
		pthread_t t[2];
		rounds = n / 2;
		for (long i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, player, (void *)i);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		printf("%.1f ns/handoff\n", (now_ns() - t0) / (double)(2 * rounds));
		return 0;
	}
	for (long i = 0; i < n; i++) {
		sem_wait(&s);
		sem_post(&s);
	}
	printf("%.1f ns/take\n", (now_ns() - t0) / (double)n);
	return 0;
}
