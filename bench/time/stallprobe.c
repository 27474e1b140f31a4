/* stallprobe.c — run beside concviz, Ctrl-C (SIGINT/SIGTERM) to print its
 * threads' long waits (stallprobe.bpf.c; the first SP_RECS): state and kernel stack at the
 * switch-out, who woke it, the fair server then and at the switch-in, and
 * what ran on that CPU just before.  Found the 1,000-thread stall: the
 * consumer in brk, blocked on an anon_vma lock kdamond held (live/heap.h). */
#include <linux/types.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "stallprobe.h"
#include "stallprobe.skel.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

/* /proc/kallsyms, sorted by address, read once */
struct ksym { unsigned long addr; char name[64]; };
static struct ksym *ksyms;
static size_t nksyms;

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load_ksyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[256];
	size_t cap = 0;

	while (f && fgets(line, sizeof(line), f)) {
		struct ksym k;
		char type;

		if (sscanf(line, "%lx %c %63s", &k.addr, &type, k.name) != 3 || !k.addr)
			continue;
		if (nksyms == cap) {
			struct ksym *n = realloc(ksyms, (cap = cap ? cap * 2 : 65536) * sizeof(*n));

			if (!n)
				break;
			ksyms = n;
		}
		ksyms[nksyms++] = k;
	}
	if (f)
		fclose(f);
	qsort(ksyms, nksyms, sizeof(*ksyms), by_addr);
}

/* the kernel symbol at or below addr */
static void ksym(unsigned long addr, char *out, size_t n)
{
	size_t lo = 0, hi = nksyms;

	while (lo < hi) { /* the first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		snprintf(out, n, "0x%lx", addr);
	else
		snprintf(out, n, "%s+0x%lx", ksyms[lo - 1].name, addr - ksyms[lo - 1].addr);
}

static void print_server(const char *when, const struct sp_server *s)
{
	printf("  fair server at %s: runtime %.2f ms, deadline in %.1f ms, bits %#x; "
	       "run queue %u (rt %u, cfs %u)\n", when, s->runtime / 1e6,
	       (double)(long long)(s->deadline - s->now) / 1e6, s->bits, s->nr_running, s->rt_nr,
	       s->cfs_nr);
}

static void print_wait(struct stallprobe_bpf *skel, const struct sp_wait *w)
{
	printf("tid %u: state %#x at the switch-out (CPU %u), in on CPU %u, woken by %u; "
	       "off CPU %.1f ms, runnable %.1f ms\n", w->tid, w->state, w->out_cpu, w->in_cpu,
	       w->waker, w->off_ns / 1e6, w->runnable_ns / 1e6);
	print_server("switch-out", &w->at_out);
	print_server("switch-in", &w->at_in);
	unsigned long ips[16] = { 0 };
	if (w->stack >= 0 && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.stacks), &w->stack, ips))
		for (int k = 0; k < 16 && ips[k]; k++) {
			char name[160];

			ksym(ips[k], name, sizeof(name));
			printf("    %s\n", name);
		}
	__u32 m = w->ring.n < SP_HIST ? w->ring.n : SP_HIST;
	for (__u32 k = 0; k < m; k++) {
		const struct sp_switch *s = &w->ring.s[(w->ring.n - m + k) % SP_HIST];

		printf("   %+9.3f ms %7u (policy %u, state %#x) -> %7u (policy %u%s)\n",
		       (double)(long long)(s->ts - w->ts) / 1e6, s->prev, s->prev_policy,
		       s->prev_state, s->next, s->next_policy, s->next_by_server ? ", by the server" : "");
	}
}

int main(void)
{
	struct stallprobe_bpf *skel = stallprobe_bpf__open_and_load();

	if (!skel || stallprobe_bpf__attach(skel)) {
		fprintf(stderr, "stallprobe: cannot load or attach its probes (root?)\n");
		return 1;
	}
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old); /* no signal between the test and the wait */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "stallprobe: ready\n");
	while (!stop)
		sigsuspend(&old);
	stallprobe_bpf__detach(skel); /* nothing changes while it is read */
	load_ksyms();
	__u32 n = skel->bss->nwaits;
	printf("%u long waits\n", n);
	for (__u32 i = 0; i < n && i < SP_RECS; i++) {
		struct sp_wait w;

		if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.waits), &i, &w))
			print_wait(skel, &w);
	}
	stallprobe_bpf__destroy(skel);
	return 0;
}
