/* lag — how far /proc/thread-self/schedstat's on-CPU time lags the thread's
 * CPU clock (task_sched_runtime(): sum_exec_runtime + the current run's
 * pending delta), read right after a spin; and the same when the CPU clock
 * is read first (it runs update_curr(), so schedstat is then up to date).
 * usage: lag [spin_us]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long schedstat_cpu(void)
{
	char b[128];
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	if (!f || !fgets(b, sizeof b, f))
		exit(1);
	fclose(f);
	return atoll(b);
}

int main(int argc, char **argv)
{
	long spin_us = argc > 1 ? atol(argv[1]) : 3000;
	for (int first = 0; first < 2; first++) {
		double sum = 0, max = 0;
		for (int i = 0; i < 50; i++) {
			usleep(1000);
			long long t = ns(CLOCK_MONOTONIC);
			while (ns(CLOCK_MONOTONIC) < t + spin_us * 1000)
				;
			if (first)
				(void)ns(CLOCK_THREAD_CPUTIME_ID);
			long long cpu = schedstat_cpu();
			double lag = (ns(CLOCK_THREAD_CPUTIME_ID) - cpu) / 1e3;
			sum += lag;
			if (lag > max)
				max = lag;
		}
		printf("spin %ld µs, then %s: schedstat behind the CPU clock by mean %.0f µs, max %.0f µs\n",
		       spin_us, first ? "CPU clock, then schedstat" : "schedstat", sum / 50, max);
	}
	return 0;
}
