/* helpercost — ns per call of each BPF helper concviz's probes use, on this
 * machine (helpercost.bpf.c): the median of -r runs of N calls each, less
 * the empty loop's.  usage: helpercost [-n calls] [-r runs]
 * A 64-byte ring-buffer record is written per call of "ringbuf_output 64 B"
 * (16 MiB: 100,000 calls fit; nothing reads them). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "helpercost.h"
#include "helpercost.skel.h"

static const char *const names[OP_COUNT] = {
	"(empty loop)", "bpf_ktime_get_boot_ns", "bpf_ktime_get_ns", "bpf_task_storage_get",
	"bpf_get_current_pid_tgid", "percpu array lookup", "bpf_task_pt_regs + a load",
	"bpf_probe_read_kernel 8 B", "bpf_ringbuf_output 64 B", "bpf_ringbuf_query",
	"bpf_get_smp_processor_id",
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ns per call of op, one run; < 0 on failure */
static double per_call(struct helpercost_bpf *s, unsigned op, long calls)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);

	s->bss->op = op;
	s->bss->loops = calls;
	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.run), &o) || o.retval)
		return -1;
	return (double)s->bss->elapsed_ns / calls;
}

int main(int argc, char **argv)
{
	long calls = 100000;
	int runs = 7, c;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		if (c == 'n')
			calls = atol(optarg);
		else if (c == 'r')
			runs = atoi(optarg);
		else {
			fprintf(stderr, "usage: helpercost [-n calls] [-r runs]\n");
			return 2;
		}
	}
	if (calls < 1 || calls > 100000 || runs < 1 || runs > 64) {
		fprintf(stderr, "helpercost: -n 1..100000, -r 1..64\n");
		return 2;
	}
	struct helpercost_bpf *s = helpercost_bpf__open_and_load();
	if (!s) {
		fprintf(stderr, "helpercost: cannot load the BPF program (root? BTF?)\n");
		return 1;
	}
	double med[OP_COUNT], v[64];
	for (unsigned op = 0; op < OP_COUNT; op++) {
		for (int r = 0; r < runs; r++) {
			/* a fresh ring for each ringbuf run: it holds 100,000 records */
			if (op == OP_RING_64 && r) {
				helpercost_bpf__destroy(s);
				if (!(s = helpercost_bpf__open_and_load())) {
					fprintf(stderr, "helpercost: cannot reload the BPF program\n");
					return 1;
				}
			}
			v[r] = per_call(s, op, calls);
			if (v[r] < 0) {
				fprintf(stderr, "helpercost: test run failed\n");
				return 1;
			}
		}
		qsort(v, runs, sizeof(v[0]), cmp);
		med[op] = v[runs / 2];
	}
	printf("%-28s %8s\n", "helper", "ns/call");
	printf("%-28s %8.1f\n", names[0], med[0]);
	for (unsigned op = 1; op < OP_COUNT; op++)
		printf("%-28s %8.1f\n", names[op], med[op] - med[0]);
	helpercost_bpf__destroy(s);
	return 0;
}
