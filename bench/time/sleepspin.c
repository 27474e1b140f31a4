/* sleepspin — sleep S µs, spin W µs, N times; read own CPU clock and schedstat.
 * Per iteration: CPU charged across the nanosleep call vs the call's wall time.
 * usage: sleepspin [-n N] [-s sleep_us] [-w spin_us] [-c cpu] [-H] (hog on same cpu)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stdatomic.h>

static long long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void schedstat(long long *cpu, long long *delay, long long *slices)
{
	/* the CPU clock runs update_curr(): schedstat is then up to date */
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	if (!f || fscanf(f, "%lld %lld %lld", cpu, delay, slices) != 3) { perror("schedstat"); exit(1); }
	fclose(f);
}
static void pin(int cpu) { if (cpu < 0) return; cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); if (sched_setaffinity(0, sizeof s, &s)) { perror("affinity"); exit(1); } }
static atomic_int stop;
static int g_cpu = -1;
static void *hog(void *a) { (void)a; pin(g_cpu); volatile unsigned long x = 0; while (!atomic_load(&stop)) x++; return NULL; }
static int cmp(const void *a, const void *b) { long long x = *(const long long *)a, y = *(const long long *)b; return x < y ? -1 : x > y; }
static void stat(const char *name, long long *v, int n)
{
	long long s = 0; for (int i = 0; i < n; i++) s += v[i];
	qsort(v, n, sizeof *v, cmp);
	printf("  %-28s mean %8.2f  p10 %8.2f  median %8.2f  p90 %8.2f  (µs)\n", name, s / 1e3 / n, v[n / 10] / 1e3, v[n / 2] / 1e3, v[n * 9 / 10] / 1e3);
}

int main(int argc, char **argv)
{
	int n = 200, opt, hogs = 0, busysleep = 0; long sleep_us = 5000, spin_us = 10;
	while ((opt = getopt(argc, argv, "n:s:w:c:HB")) != -1) {
		if (opt == 'n') n = atoi(optarg); else if (opt == 's') sleep_us = atol(optarg);
		else if (opt == 'w') spin_us = atol(optarg); else if (opt == 'c') g_cpu = atoi(optarg);
		else if (opt == 'H') hogs = 1; else if (opt == 'B') busysleep = 1; else return 2;
	}
	pin(g_cpu);
	pthread_t th;
	if (hogs) { pthread_create(&th, NULL, hog, NULL); usleep(20000); }
	long long *callcpu = calloc(n, 8), *callwall = calloc(n, 8), *spincpu = calloc(n, 8), *spinwall = calloc(n, 8), *excess = calloc(n, 8);
	long long c0s, d0s, p0s, c1s, d1s, p1s;
	struct timespec req = { sleep_us / 1000000, (sleep_us % 1000000) * 1000 };
	schedstat(&c0s, &d0s, &p0s);
	long long w0 = ns(CLOCK_MONOTONIC);
	for (int i = 0; i < n; i++) {
		long long t0 = ns(CLOCK_MONOTONIC), k0 = ns(CLOCK_THREAD_CPUTIME_ID);
		if (busysleep) { while (ns(CLOCK_MONOTONIC) < t0 + sleep_us * 1000) ; }
		else nanosleep(&req, NULL);
		long long k1 = ns(CLOCK_THREAD_CPUTIME_ID), t1 = ns(CLOCK_MONOTONIC);
		while (ns(CLOCK_MONOTONIC) < t1 + spin_us * 1000) ;
		long long t2 = ns(CLOCK_MONOTONIC), k2 = ns(CLOCK_THREAD_CPUTIME_ID);
		callcpu[i] = k1 - k0; callwall[i] = t1 - t0; spincpu[i] = k2 - k1; spinwall[i] = t2 - t1;
		excess[i] = (k2 - k1) - (t2 - t1);
	}
	long long w1 = ns(CLOCK_MONOTONIC);
	schedstat(&c1s, &d1s, &p1s);
	if (hogs) { atomic_store(&stop, 1); pthread_join(th, NULL); }
	printf("sleepspin n=%d sleep=%ldus spin=%ldus cpu=%d hog=%d busysleep=%d  wall %.1f ms\n", n, sleep_us, spin_us, g_cpu, hogs, busysleep, (w1 - w0) / 1e6);
	printf("  schedstat: cpu %.3f ms (%.2f µs/iter)  run_delay %.3f ms (%.2f µs/iter)  slices %lld\n",
	       (c1s - c0s) / 1e6, (c1s - c0s) / 1e3 / n, (d1s - d0s) / 1e6, (d1s - d0s) / 1e3 / n, p1s - p0s);
	stat("CPU charged across sleep call", callcpu, n);
	for (int i = 0; i < n; i++) callwall[i] -= sleep_us * 1000;
	stat("sleep call overshoot (wall)", callwall, n);
	stat("spin CPU", spincpu, n);
	stat("spin wall", spinwall, n);
	return 0;
}
