/* wakeprobe — where does a wake-up's time go?  Runs a sleeper thread (sleep S
 * µs, spin W µs, N times) and traces it with tp_btf sched_waking/sched_wakeup/
 * sched_switch, reading the task's sum_exec_runtime, exec_start, run_delay and
 * its run queue's clock at each event.  Prints per-wake-up intervals (µs),
 * split by where the wake-up landed (idle CPU / busy CPU preempted at once /
 * busy CPU, waited).  See docs/time-accounting.md.
 *
 * usage: wakeprobe [-n N] [-s sleep_us] [-w spin_us] [-c cpu] [-m timer|pipe]
 *                  [-k waker_cpu] [-H] [-i nice] [-T] [-N] [-p progs] [-v]
 *        wakeprobe -t TID [-d seconds]
 *   -m timer  the sleeper nanosleeps: woken by its own CPU's hrtimer (default)
 *   -m pipe   the sleeper reads a pipe; a waker thread on -k CPU writes it
 *   -H        a CPU hog on the sleeper's CPU (wake-up to a busy CPU)
 *   -i nice   the sleeper's nice value (19: it cannot preempt the hog)
 *   -T        trace the hog instead (the preempted side)
 *   -N        no BPF: the same loop, schedstat and CPU clock only
 *   -p progs  attach only some of wakeup,waking,switch
 *   -t TID    trace any thread for -d seconds: running vs kernel-charged totals
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "wakeprobe.skel.h"

enum { EV_WAKING = 1, EV_WAKEUP, EV_IN, EV_OUT };
struct ev {
	unsigned long long ts, rq_clock, rq_clock_task, exec_start, sum_exec, run_delay, last_queued;
	unsigned type, cpu, task_cpu, other, prev_state, other_is_idle, clock_flags, nr_running;
};

static int sleeper_nice, trace_hog, ext_tid;
static double ext_secs = 2;
static atomic_int hog_tid;
static int n = 200, sleeper_cpu = 1, waker_cpu = 0, hog_on, verbose, no_bpf;
static const char *progs = "wakeup,waking,switch";
static long sleep_us = 5000, spin_us = 10;
static const char *mode = "timer";
static atomic_int stop, sleeper_tid, go;
static int pfd[2];
static long long ss0[3], ss1[3], kc0, kc1, wall0, wall1;
static double callcpu[100000];

/* busy jiffies of the whole system (all CPUs) and of this process */
static void busy(long long *sys, long long *self)
{
	char b[512];
	FILE *f = fopen("/proc/stat", "r");
	long long u, ni, sy, id, io, irq, sirq, st;
	if (!f || !fgets(b, sizeof b, f) || sscanf(b, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &u, &ni, &sy, &id, &io, &irq, &sirq, &st) != 8) exit(1);
	fclose(f);
	*sys = u + ni + sy + irq + sirq + st;
	f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(b, sizeof b, f)) exit(1);
	fclose(f);
	char *p = strrchr(b, ')');
	long long ut = 0, stt = 0;
	/* fields after ')': state(3) ... utime(14) stime(15) */
	sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &ut, &stt);
	*self = ut + stt;
}
static long long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void pin(int cpu) { if (cpu < 0) return; cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); sched_setaffinity(0, sizeof s, &s); }
static void schedstat(long long *v)
{
	/* the CPU clock runs update_curr(): schedstat is then up to date */
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	if (!f || fscanf(f, "%lld %lld %lld", &v[0], &v[1], &v[2]) != 3) { perror("schedstat"); exit(1); }
	fclose(f);
}

static void *hog(void *a) { (void)a; pin(sleeper_cpu); atomic_store(&hog_tid, gettid()); volatile unsigned long x = 0; while (!atomic_load(&stop)) x++; return NULL; }
static void *waker(void *a)
{
	(void)a;
	pin(waker_cpu);
	struct timespec req = { sleep_us / 1000000, (sleep_us % 1000000) * 1000 };
	while (!atomic_load(&stop)) {
		nanosleep(&req, NULL);
		if (write(pfd[1], "x", 1) != 1) break;
	}
	return NULL;
}
static void *sleeper(void *a)
{
	(void)a;
	pin(sleeper_cpu);
	if (sleeper_nice) setpriority(PRIO_PROCESS, gettid(), sleeper_nice);
	atomic_store(&sleeper_tid, gettid());
	while (!atomic_load(&go)) ;
	struct timespec req = { sleep_us / 1000000, (sleep_us % 1000000) * 1000 };
	bool pipe_mode = !strcmp(mode, "pipe");
	char c;
	schedstat(ss0); kc0 = ns(CLOCK_THREAD_CPUTIME_ID); wall0 = ns(CLOCK_MONOTONIC);
	for (int i = 0; i < n; i++) {
		long long k0 = ns(CLOCK_THREAD_CPUTIME_ID);
		if (pipe_mode) { if (read(pfd[0], &c, 1) != 1) break; }
		else nanosleep(&req, NULL);
		callcpu[i] = ns(CLOCK_THREAD_CPUTIME_ID) - k0;
		long long t = ns(CLOCK_MONOTONIC);
		while (ns(CLOCK_MONOTONIC) < t + spin_us * 1000) ;
	}
	schedstat(ss1); kc1 = ns(CLOCK_THREAD_CPUTIME_ID); wall1 = ns(CLOCK_MONOTONIC);
	return NULL;
}

#define MAXEV 400000
static struct ev evs[MAXEV];
static int nev;
static int on_ev(void *ctx, void *data, size_t len) { (void)ctx; (void)len; if (nev < MAXEV) evs[nev++] = *(struct ev *)data; return 0; }

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static void row(const char *name, double *v, int k)
{
	if (k == 0) { printf("  %-44s (none)\n", name); return; }
	double s = 0; for (int i = 0; i < k; i++) s += v[i];
	qsort(v, k, sizeof *v, cmp);
	printf("  %-44s n %4d  mean %7.2f  p10 %7.2f  med %7.2f  p90 %7.2f\n", name, k, s / k, v[k / 10], v[k / 2], v[k * 9 / 10]);
}

int main(int argc, char **argv)
{
	int o;
	while ((o = getopt(argc, argv, "n:s:w:c:m:k:HvNp:i:Tt:d:")) != -1) {
		switch (o) {
		case 'n': n = atoi(optarg); break;
		case 's': sleep_us = atol(optarg); break;
		case 'w': spin_us = atol(optarg); break;
		case 'c': sleeper_cpu = atoi(optarg); break;
		case 'k': waker_cpu = atoi(optarg); break;
		case 'm': mode = optarg; break;
		case 'H': hog_on = 1; break;
		case 'v': verbose = 1; break;
		case 'N': no_bpf = 1; break;
		case 'i': sleeper_nice = atoi(optarg); break;
		case 'T': trace_hog = 1; hog_on = 1; break;
		case 't': ext_tid = atoi(optarg); break;
		case 'd': ext_secs = atof(optarg); break;
		case 'p': progs = optarg; break;
		default: return 2;
		}
	}
	pthread_t ts, th, tw;
	signal(SIGPIPE, SIG_IGN);
	if (ext_tid) {          /* -t TID: trace another thread for -d seconds, totals only */
		struct wakeprobe_bpf *sk = wakeprobe_bpf__open();
		sk->rodata->target_tid = ext_tid;
		if (wakeprobe_bpf__load(sk) || wakeprobe_bpf__attach(sk)) return 1;
		struct ring_buffer *r = ring_buffer__new(bpf_map__fd(sk->maps.rb), on_ev, NULL, NULL);
		long long end = ns(CLOCK_MONOTONIC) + (long long)(ext_secs * 1e9);
		while (ns(CLOCK_MONOTONIC) < end) { ring_buffer__consume(r); usleep(20000); }
		ring_buffer__consume(r);
		wakeprobe_bpf__destroy(sk);
		double run = 0, chg = 0, rq = 0, rd0 = -1, rd1 = 0; int runs = 0, pre = 0;
		for (int i = 0, inx = -1, lastout = -1; i < nev; i++) {
			if (evs[i].type == EV_IN) {
				inx = i;
				if (lastout >= 0) rq += (evs[i].ts - evs[lastout].ts) / 1e6;  /* out -> in, all causes */
			}
			if (evs[i].type == EV_OUT && inx >= 0) {
				run += (evs[i].ts - evs[inx].ts) / 1e6;
				chg += (double)(evs[i].sum_exec - evs[inx].sum_exec) / 1e6;
				if (rd0 < 0) rd0 = evs[i].run_delay;
				rd1 = evs[i].run_delay;
				runs++; if (evs[i].prev_state == 0xffff || evs[i].prev_state == 0) pre++;
				lastout = i; inx = -1;
			}
		}
		printf("tid %d over %.1f s: %d runs (%d ended by preemption): tracepoint running %.3f ms, kernel charged %.3f ms (%+.2f µs/run); off-CPU gaps %.3f ms; run_delay grew %.3f ms\n",
		       ext_tid, ext_secs, runs, pre, run, chg, runs ? (chg - run) * 1e3 / runs : 0, rq, (rd1 - rd0) / 1e6);
		return 0;
	}
	if (!strcmp(mode, "pipe") && pipe(pfd)) return 1;
	pthread_create(&ts, NULL, sleeper, NULL);
	while (!atomic_load(&sleeper_tid)) ;
	if (hog_on) { pthread_create(&th, NULL, hog, NULL); while (!atomic_load(&hog_tid)) ; }
	struct wakeprobe_bpf *skel = wakeprobe_bpf__open();
	if (!skel) return 1;
	skel->rodata->target_tid = trace_hog ? atomic_load(&hog_tid) : atomic_load(&sleeper_tid);
	bpf_program__set_autoload(skel->progs.on_wakeup, !!strstr(progs, "wakeup"));
	bpf_program__set_autoload(skel->progs.on_waking, !!strstr(progs, "waking"));
	bpf_program__set_autoload(skel->progs.on_switch, !!strstr(progs, "switch"));
	struct ring_buffer *rb = NULL;
	if (!no_bpf) {
		if (wakeprobe_bpf__load(skel) || wakeprobe_bpf__attach(skel)) { fprintf(stderr, "load/attach failed\n"); return 1; }
		rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_ev, NULL, NULL);
	}
	usleep(50000);
	if (!strcmp(mode, "pipe")) pthread_create(&tw, NULL, waker, NULL);
	long long sys0, self0, sys1, self1;
	busy(&sys0, &self0);
	atomic_store(&go, 1);
	/* poll the ring buffer from the CPU the sleeper is not on */
	pin(waker_cpu == sleeper_cpu ? !sleeper_cpu : waker_cpu);
	while (!wall1) { if (rb) ring_buffer__consume(rb); usleep(20000); }
	pthread_join(ts, NULL);
	busy(&sys1, &self1);
	atomic_store(&stop, 1);
	if (!strcmp(mode, "pipe")) { close(pfd[0]); pthread_join(tw, NULL); }
	if (hog_on) pthread_join(th, NULL);
	if (rb) ring_buffer__consume(rb);
	wakeprobe_bpf__destroy(skel);

	/* clock offset ktime - rq clock, from events where the rq clock was just
	 * updated (switch-out: __schedule updated it a moment before): the lower
	 * envelope is the best estimate (staleness >= 0). */
	double off[8] = { 1e30, 1e30, 1e30, 1e30, 1e30, 1e30, 1e30, 1e30 };
	for (int i = 0; i < nev; i++)
		if (evs[i].type == EV_OUT && evs[i].cpu < 8) {
			double d = (double)evs[i].ts - (double)evs[i].rq_clock;
			if (d < off[evs[i].cpu]) off[evs[i].cpu] = d;
		}

	enum { W2E, E2I, W2I, RUN, CHG, PHANTOM, STALE_IN, STALE_E, RD, RDW, NK };
	static double v[3][NK][100000];
	int k[3][NK] = { { 0 } };
	int cnt[3] = { 0 }, same_clock[3] = { 0 }, cross[3] = { 0 }, wakelist[3] = { 0 };
	struct ev *waking = NULL, *wakeup = NULL, *in = NULL, *lastout = NULL;
	double tot_run = 0, tot_runnable_waking = 0, tot_runnable_wakeup = 0;
	double all_run = 0, all_chg = 0; int all_n = 0, all_pre = 0;
	for (int i = 0, inx = -1; i < nev; i++) {
		if (evs[i].type == EV_IN) inx = i;
		if (evs[i].type == EV_OUT && inx >= 0) {
			all_run += (evs[i].ts - evs[inx].ts) / 1e3;
			all_chg += (double)(evs[i].sum_exec - evs[inx].sum_exec) / 1e3;
			all_n++; if (evs[i].prev_state == 0xffff || evs[i].prev_state == 0) all_pre++;
			inx = -1;
		}
	}
	for (int i = 0; i < nev; i++) {
		struct ev *e = &evs[i];
		switch (e->type) {
		case EV_WAKING: if (!waking) waking = e; break;
		case EV_WAKEUP: if (!wakeup) wakeup = e; break;
		case EV_IN: in = e; break;
		case EV_OUT:
			if (in && waking && wakeup && lastout && lastout->prev_state != 0 && lastout->prev_state != 0xffff) {
				/* 0: woken onto an idle CPU; 1: onto a busy CPU, the rq clock
				 * not updated between enqueue and switch-in (switched in at
				 * once: wakeup preemption); 2: busy CPU, clock updated (waited) */
				int c = in->other_is_idle ? 0 : in->rq_clock == wakeup->rq_clock ? 1 : 2;
				cnt[c]++;
				double run = (e->ts - in->ts) / 1e3;
				double chg = (double)(e->sum_exec - in->sum_exec) / 1e3;
				v[c][W2E][k[c][W2E]++] = ((double)wakeup->ts - waking->ts) / 1e3;
				v[c][E2I][k[c][E2I]++] = ((double)in->ts - wakeup->ts) / 1e3;
				v[c][W2I][k[c][W2I]++] = ((double)in->ts - waking->ts) / 1e3;
				v[c][RUN][k[c][RUN]++] = run;
				v[c][CHG][k[c][CHG]++] = chg;
				v[c][PHANTOM][k[c][PHANTOM]++] = chg - run;
				v[c][STALE_IN][k[c][STALE_IN]++] = ((double)in->ts - off[in->cpu] - in->rq_clock) / 1e3;
				v[c][STALE_E][k[c][STALE_E]++] = ((double)wakeup->ts - off[wakeup->task_cpu] - wakeup->rq_clock) / 1e3;
				v[c][RD][k[c][RD]++] = (double)(e->run_delay - lastout->run_delay) / 1e3;
				/* exec_start at switch-in vs the clock_task at enqueue */
				v[c][RDW][k[c][RDW]++] = ((double)in->exec_start - (double)wakeup->rq_clock_task) / 1e3;
				if (in->rq_clock == wakeup->rq_clock) same_clock[c]++;
				if (waking->cpu != in->cpu) cross[c]++;
				if (wakeup->cpu != waking->cpu) wakelist[c]++;
				tot_run += run;
				tot_runnable_waking += ((double)in->ts - waking->ts) / 1e3;
				tot_runnable_wakeup += ((double)in->ts - wakeup->ts) / 1e3;
				if (verbose)
					printf("%s w->e %6.2f e->in %6.2f run %6.2f charged %6.2f rd %6.2f clock_in==clock_enq %d wakingcpu %u enqcpu %u incpu %u\n",
					       c == 0 ? "idle" : c == 1 ? "preempt" : "waited", ((double)wakeup->ts - waking->ts) / 1e3, ((double)in->ts - wakeup->ts) / 1e3,
					       run, chg, (double)(e->run_delay - lastout->run_delay) / 1e3, in->rq_clock == wakeup->rq_clock,
					       waking->cpu, wakeup->cpu, in->cpu);
			}
			lastout = e; waking = wakeup = NULL; in = NULL;
			break;
		}
	}
	printf("wakeprobe mode=%s n=%d sleep=%ldus spin=%ldus sleeper_cpu=%d waker_cpu=%d hog=%d events=%d\n",
	       mode, n, sleep_us, spin_us, sleeper_cpu, waker_cpu, hog_on, nev);
	double hz = sysconf(_SC_CLK_TCK);
	printf("  other load during the loop: %.1f%% of one CPU (system busy %.1f%%, this process %.1f%%)\n",
	       100.0 * ((sys1 - sys0) - (self1 - self0)) / hz / ((wall1 - wall0) / 1e9),
	       100.0 * (sys1 - sys0) / hz / ((wall1 - wall0) / 1e9), 100.0 * (self1 - self0) / hz / ((wall1 - wall0) / 1e9));
	printf("  schedstat over the loop: cpu %.3f ms (%.2f µs/wake)  run_delay %.3f ms (%.2f µs/wake)  thread CPU clock %.3f ms  wall %.1f ms\n",
	       (ss1[0] - ss0[0]) / 1e6, (ss1[0] - ss0[0]) / 1e3 / n, (ss1[1] - ss0[1]) / 1e6, (ss1[1] - ss0[1]) / 1e3 / n,
	       (kc1 - kc0) / 1e6, (wall1 - wall0) / 1e6);
	printf("  tracepoints: running %.3f ms, runnable from waking %.3f ms, from wakeup %.3f ms\n",
	       tot_run / 1e3, tot_runnable_waking / 1e3, tot_runnable_wakeup / 1e3);
	for (int i = 0; i < n; i++) callcpu[i] /= 1e3;
	row("thread CPU clock across the sleep call", callcpu, n);
	for (int i = nev - 1; i >= 0; i--)
		if (evs[i].type == EV_OUT) {
			if (!trace_hog)
				printf("  last switch-out: sum_exec_runtime %.3f ms; the thread's CPU clock at its end %.3f ms (read %.1f µs before it exited)\n",
				       evs[i].sum_exec / 1e6, kc1 / 1e6, (double)(evs[i].ts - wall1) / 1e3);
			break;
		}
	printf("  all %d runs of the traced thread (%d ended by preemption): running %.3f ms, charged %.3f ms, charged - running %.2f µs per run\n",
	       all_n, all_pre, all_run / 1e3, all_chg / 1e3, all_n ? (all_chg - all_run) / all_n : 0);
	const char *names[NK] = {
		"waking -> wakeup (enqueue)", "wakeup -> switch-in", "waking -> switch-in",
		"running (switch-in -> switch-out)", "charged sum_exec_runtime (in -> out)",
		"charged - running", "rq clock age at switch-in", "rq clock age at wakeup",
		"run_delay added", "exec_start - clock_task at enqueue" };
	const char *cname[3] = { "idle CPU (switched in from the idle task)",
		"busy CPU, preempted it at once (rq clock not updated since the enqueue)",
		"busy CPU, waited in the run queue (rq clock updated)" };
	for (int c = 0; c < 3; c++) {
		int m = cnt[c];
		if (!m) continue;
		printf(" %s: %d wake-ups; rq clock at switch-in == at enqueue in %d; waking on another CPU %d; enqueue on another CPU than waking %d  (µs)\n",
		       cname[c], m, same_clock[c], cross[c], wakelist[c]);
		for (int j = 0; j < NK; j++)
			row(names[j], v[c][j], k[c][j]);
	}
	return 0;
}
