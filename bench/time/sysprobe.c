/* sysprobe — where does the tax on untraced syscalls come from?  Times a
 * getppid(2) loop on one CPU bare, then with some empty probes attached to
 * the syscall tracepoints (concviz's own probes do more, but only after the
 * syscall-number check).
 *
 * usage: sysprobe [-p progs] [-n loops] [-c cpu] [-r reps] [-x CMD ARGS...]
 *   progs: comma-separated of btf_enter,btf_exit,raw_enter,raw_exit,
 *          btf_switch,btf_waking,btf_wakeup (default btf_enter,btf_exit)
 *   -x     instead of the loop, run CMD with the probes attached (the floor
 *          of any tracer on these tracepoints, for bench/run.sh's loads)
 * Prints: "bare X ns/op, with PROGS Y ns/op (Z x)", medians of -r runs.
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sysprobe.skel.h"

static long loops = 5000000;

static double ns_per_call(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < loops; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / loops;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(int reps)
{
	double v[64];

	for (int i = 0; i < reps; i++)
		v[i] = ns_per_call();
	qsort(v, reps, sizeof(v[0]), cmp);
	return v[reps / 2];
}

int main(int argc, char **argv)
{
	const char *progs = "btf_enter,btf_exit";
	int c, cpu = 1, reps = 5;
	char **cmd = NULL;
	cpu_set_t set;

	while (!cmd && (c = getopt(argc, argv, "+p:n:c:r:x")) != -1) {
		switch (c) {
		case 'x': cmd = argv + optind; break;
		case 'p': progs = optarg; break;
		case 'n': loops = atol(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'r': reps = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: sysprobe [-p progs] [-n loops] [-c cpu] [-r reps]\n");
			return 2;
		}
	}
	if (loops < 1 || reps < 1 || reps > 64) {
		fprintf(stderr, "sysprobe: bad -n or -r\n");
		return 2;
	}
	if (cmd && !*cmd) {
		fprintf(stderr, "sysprobe: -x needs a command\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (!cmd)
		sched_setaffinity(0, sizeof(set), &set);

	struct sysprobe_bpf *skel = sysprobe_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "sysprobe: cannot load the probes\n");
		return 1;
	}
	double bare = cmd ? 0 : median(reps);
	struct bpf_program *p;
	struct bpf_link *links[4];
	int nl = 0;

	bpf_object__for_each_program(p, skel->obj) {
		const char *name = bpf_program__name(p);
		size_t len = strlen(name);
		const char *s = strstr(progs, name);

		if (!s || (s != progs && s[-1] != ',') || (s[len] && s[len] != ','))
			continue;
		if (!(links[nl] = bpf_program__attach(p))) {
			fprintf(stderr, "sysprobe: cannot attach %s\n", name);
			return 1;
		}
		nl++;
	}
	if (cmd) {
		pid_t pid = fork();
		int st = 1;

		if (pid == 0) {
			execvp(cmd[0], cmd);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		while (nl > 0)
			bpf_link__destroy(links[--nl]);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	double with = median(reps);

	printf("bare %.1f ns/op, with %s %.1f ns/op (%.2fx)\n", bare, progs, with, with / bare);
	while (nl > 0)
		bpf_link__destroy(links[--nl]);
	sysprobe_bpf__destroy(skel);
	return 0;
}
