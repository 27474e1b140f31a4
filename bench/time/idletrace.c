/* idletrace — the timeline of a wake-up on one CPU: from the interrupt that
 * wakes a sleeping thread to its switch-in, every timer/idle/irq/sched event
 * on that CPU (tp_btf), with offsets from sched_wakeup (the enqueue).
 * usage: idletrace [-n N] [-s sleep_us] [-c cpu] [-m timer|pipe] [-k waker_cpu] [-v K]
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "idletrace.skel.h"

enum { X_IDLE = 1, X_LTE, X_LTX, X_HXE, X_HXX, X_HST, X_HCN, X_WAKING, X_WAKEUP, X_SWITCH,
       X_RUNTIME, X_SIRQE, X_SIRQX, X_CFSE, X_RESCHED, X_IRQ, X_IWORK, X_TICKSTOP };
static const char *tname[] = { "", "cpu_idle", "local_timer_entry", "local_timer_exit", "hrtimer_expire_entry",
	"hrtimer_expire_exit", "hrtimer_start", "hrtimer_cancel", "sched_waking", "sched_wakeup", "sched_switch",
	"sched_stat_runtime", "softirq_entry", "softirq_exit", "call_function_single_entry", "reschedule_entry",
	"irq_handler_entry", "irq_work_entry", "tick_stop" };
struct ev { unsigned long long ts, a1, a2; unsigned type, cpu; };

static int n = 200, cpu = 1, waker_cpu = 0, verbose;
static long sleep_us = 5000, spin_us = 10;
static const char *mode = "timer";
static atomic_int tid, go, done, stop;
static int pfd[2];

static long long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void pin(int c) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(c, &s); sched_setaffinity(0, sizeof s, &s); }
static void *waker(void *a)
{
	(void)a; pin(waker_cpu);
	struct timespec req = { 0, sleep_us * 1000 };
	while (!atomic_load(&stop)) { nanosleep(&req, NULL); if (write(pfd[1], "x", 1) != 1) break; }
	return NULL;
}
static void *sleeper(void *a)
{
	(void)a; pin(cpu);
	atomic_store(&tid, gettid());
	while (!atomic_load(&go)) usleep(1000);
	struct timespec req = { 0, sleep_us * 1000 };
	char c;
	for (int i = 0; i < n; i++) {
		if (!strcmp(mode, "pipe")) { if (read(pfd[0], &c, 1) != 1) break; }
		else nanosleep(&req, NULL);
		long long t = ns(CLOCK_MONOTONIC);
		while (ns(CLOCK_MONOTONIC) < t + spin_us * 1000) ;
	}
	atomic_store(&done, 1);
	return NULL;
}

#define MAXEV 2000000
static struct ev *evs;
static int nev;
static int on_ev(void *ctx, void *d, size_t l) { (void)ctx; (void)l; if (nev < MAXEV) evs[nev++] = *(struct ev *)d; return 0; }

/* kallsyms text symbols, for hrtimer functions */
static struct sym { unsigned long long a; char name[64]; } *syms;
static int nsyms;
static int symcmp(const void *a, const void *b) { const struct sym *x = a, *y = b; return x->a < y->a ? -1 : x->a > y->a; }
static const char *symname(unsigned long long a)
{
	int lo = 0, hi = nsyms - 1, best = -1;
	while (lo <= hi) { int m = (lo + hi) / 2; if (syms[m].a <= a) { best = m; lo = m + 1; } else hi = m - 1; }
	return best >= 0 ? syms[best].name : "?";
}
static void load_syms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256]; int cap = 200000;
	syms = malloc(cap * sizeof *syms);
	while (f && fgets(line, sizeof line, f) && nsyms < cap) {
		char t; struct sym s;
		if (sscanf(line, "%llx %c %63s", &s.a, &t, s.name) == 3 && (t == 't' || t == 'T')) syms[nsyms++] = s;
	}
	if (f) fclose(f);
	qsort(syms, nsyms, sizeof *syms, symcmp);
}

static int dcmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double med(double *v, int k) { if (!k) return 0; qsort(v, k, sizeof *v, dcmp); return v[k / 2]; }

int main(int argc, char **argv)
{
	int o;
	while ((o = getopt(argc, argv, "n:s:c:m:k:v:w:")) != -1) {
		if (o == 'n') n = atoi(optarg); else if (o == 's') sleep_us = atol(optarg);
		else if (o == 'c') cpu = atoi(optarg); else if (o == 'm') mode = optarg;
		else if (o == 'k') waker_cpu = atoi(optarg); else if (o == 'v') verbose = atoi(optarg);
		else if (o == 'w') spin_us = atol(optarg); else return 2;
	}
	evs = malloc(sizeof *evs * MAXEV);
	signal(SIGPIPE, SIG_IGN);
	load_syms();
	if (!strcmp(mode, "pipe") && pipe(pfd)) return 1;
	pthread_t ts, tw;
	pthread_create(&ts, NULL, sleeper, NULL);
	while (!atomic_load(&tid)) ;
	struct idletrace_bpf *sk = idletrace_bpf__open();
	sk->rodata->target_cpu = cpu;
	sk->rodata->target_tid = atomic_load(&tid);
	if (idletrace_bpf__load(sk) || idletrace_bpf__attach(sk)) { fprintf(stderr, "load/attach failed\n"); return 1; }
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(sk->maps.rb), on_ev, NULL, NULL);
	pin(cpu == 0 ? 1 : 0);
	if (!strcmp(mode, "pipe")) pthread_create(&tw, NULL, waker, NULL);
	atomic_store(&go, 1);
	while (!atomic_load(&done)) { ring_buffer__consume(rb); usleep(20000); }
	pthread_join(ts, NULL);
	atomic_store(&stop, 1);
	if (!strcmp(mode, "pipe")) { close(pfd[0]); pthread_join(tw, NULL); }
	ring_buffer__consume(rb);
	idletrace_bpf__destroy(sk);

	int me = atomic_load(&tid);
	/* milestones, offsets from sched_wakeup (µs) */
	enum { M_IDLE_IN, M_IRQ, M_WAKING, M_HXX, M_LTX, M_IDLE_OUT, M_TICK, M_SWITCH, M_CHARGED, NM };
	const char *mname[NM] = { "cpu_idle enter (last before)", "interrupt entry (timer or IPI)", "sched_waking",
		"hrtimer_expire_exit", "interrupt exit", "cpu_idle exit", "tick restarted (hrtimer_start tick_nohz_handler)",
		"sched_switch idle -> thread", "charged at switch-out - running" };
	static double mv[NM][100000];
	int mk[NM] = { 0 }, cycles = 0, shown = 0;
	int out_i = -1;
	for (int i = 0; i < nev; i++) {
		struct ev *e = &evs[i];
		if (e->type != X_SWITCH || e->cpu != (unsigned)cpu) continue;
		if ((int)e->a1 == me) { out_i = i; continue; }
		if ((int)e->a2 != me || out_i < 0 || e->a1 != 0) { continue; }
		/* idle -> me at i; look back to out_i */
		int wk = -1, wg = -1;
		for (int j = i; j > out_i; j--) {
			if (evs[j].type == X_WAKEUP && wk < 0) wk = j;
			if (evs[j].type == X_WAKING && wg < 0 && wk >= 0) wg = j;
		}
		if (wk < 0) continue;
		double t0 = evs[wk].ts;
		double m[NM]; for (int q = 0; q < NM; q++) m[q] = 1e30;
		for (int j = wk; j > out_i; j--) {
			struct ev *x = &evs[j];
			if (x->cpu != (unsigned)cpu) continue;
			if (x->type == X_IDLE && x->a1 != 0xffffffffULL && m[M_IDLE_IN] > 1e29) m[M_IDLE_IN] = (x->ts - t0) / 1e3;
			if ((x->type == X_LTE || x->type == X_CFSE || x->type == X_RESCHED || x->type == X_IRQ) && m[M_IRQ] > 1e29) m[M_IRQ] = (x->ts - t0) / 1e3;
		}
		if (wg >= 0) m[M_WAKING] = (evs[wg].ts - t0) / 1e3;
		for (int j = wk; j <= i; j++) {
			struct ev *x = &evs[j];
			if (x->cpu != (unsigned)cpu) continue;
			if (x->type == X_HXX && m[M_HXX] > 1e29) m[M_HXX] = (x->ts - t0) / 1e3;
			if (x->type == X_LTX && m[M_LTX] > 1e29) m[M_LTX] = (x->ts - t0) / 1e3;
			if (x->type == X_IDLE && x->a1 == 0xffffffffULL && m[M_IDLE_OUT] > 1e29) m[M_IDLE_OUT] = (x->ts - t0) / 1e3;
			if (x->type == X_HST && strstr(symname(x->a1), "tick") && m[M_TICK] > 1e29) m[M_TICK] = (x->ts - t0) / 1e3;
		}
		m[M_SWITCH] = (evs[i].ts - t0) / 1e3;
		/* the charge for this run: sched_stat_runtime events until the next switch-out */
		double charged = 0, out_ts = 0;
		for (int j = i + 1; j < nev; j++) {
			if (evs[j].type == X_RUNTIME) charged += evs[j].a1;
			if (evs[j].type == X_SWITCH && evs[j].cpu == (unsigned)cpu && (int)evs[j].a1 == me) { out_ts = evs[j].ts; break; }
		}
		if (out_ts > 0) m[M_CHARGED] = (charged - (out_ts - evs[i].ts)) / 1e3;
		cycles++;
		for (int q = 0; q < NM; q++) if (m[q] < 1e29) mv[q][mk[q]++] = m[q];
		if (shown < verbose) {
			shown++;
			printf("--- wake-up %d (t=0 at sched_wakeup)\n", cycles);
			int from = wk; while (from > out_i + 1 && (t0 - evs[from - 1].ts) < 200000) from--;
			for (int j = from; j <= i; j++) {
				struct ev *x = &evs[j];
				if (x->cpu != (unsigned)cpu && x->type != X_WAKING) continue;
				printf("  %+9.2f  cpu%u %-27s", (x->ts - t0) / 1e3, x->cpu, tname[x->type]);
				if (x->type == X_HXE || x->type == X_HXX || x->type == X_HST || x->type == X_HCN) printf(" %s", symname(x->a1));
				if (x->type == X_IDLE) printf(" state %lld", (long long)(int)x->a1);
				if (x->type == X_SWITCH) printf(" %llu -> %llu", x->a1, x->a2);
				if (x->type == X_SIRQE || x->type == X_SIRQX) printf(" vec %llu", x->a1);
				if (x->type == X_RUNTIME) printf(" %llu ns", x->a1);
				printf("\n");
			}
			printf("  charged - running for this run: %.2f µs\n", m[M_CHARGED] < 1e29 ? m[M_CHARGED] : -1.0);
		}
	}
	printf("idletrace mode=%s cpu=%d n=%d: %d wake-ups from idle; median offsets from sched_wakeup (µs):\n", mode, cpu, n, cycles);
	for (int q = 0; q < NM; q++)
		printf("  %-52s %8.2f  (in %d)\n", mname[q], med(mv[q], mk[q]), mk[q]);
	return 0;
}
