/* tracer.c — libbpf loader and ring-buffer consumer (see tracer.h). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/err.h"
#include "concviz.skel.h"
#include "common/clock.h"
#include "live/elf_funcs.h"
#include "live/tracer.h"

#define MAX_UPROBES 32

struct cv_tracer {
	struct concviz_bpf *skel;
	struct ring_buffer *rb;
	FILE *diag;
	int ncpus;
	uint64_t dropped;     /* drops already reported as CV_EV_LOST */
	uint64_t delivered;
	struct cv_event *batch; /* events of one poll, sorted before delivery */
	size_t n, cap;
	uint64_t lost_here;
	cv_py_ask_fn py_ask;
	void *py_ask_ctx;
	struct cv_py_ask asks[256]; /* asked in one poll */
	size_t nasks;
	bool asks_lost_said;
	struct bpf_link *uprobes[MAX_UPROBES]; /* the lock probes on the C library */
	int nuprobes;
};

static FILE *libbpf_diag;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !libbpf_diag)
		return 0;
	if (level == LIBBPF_INFO && !getenv("CONCVIZ_DEBUG"))
		return 0;
	return vfprintf(libbpf_diag, fmt, ap);
}

/* Skip a probe whose tracepoint is missing on this kernel, with a warning.
 * Every probe is a BTF tracepoint (tp_btf): no tracefs needed. */
static void disable_missing(struct cv_tracer *t, const struct btf *vmlinux)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, t->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		char name[128];
		bool present = true;

		if (strncmp(sec, "tp_btf/", 7) == 0) {
			snprintf(name, sizeof(name), "btf_trace_%s", sec + 7);
			present = vmlinux && btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) >= 0;
		}
		if (!present) {
			fprintf(t->diag, "concviz: warning: this kernel has no tracepoint %s; that probe is off\n",
				strchr(sec, '/') + 1);
			bpf_program__set_autoload(prog, false);
		}
	}
}

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct cv_tracer *t = ctx;

	if (size != sizeof(struct cv_event))
		return 0;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 4096;
		struct cv_event *nb = realloc(t->batch, ncap * sizeof(*nb));

		if (!nb) {
			t->lost_here++;
			return 0;
		}
		t->batch = nb;
		t->cap = ncap;
	}
	memcpy(&t->batch[t->n++], data, sizeof(struct cv_event));
	return 0;
}

static int on_py_ask(void *ctx, void *data, size_t size)
{
	struct cv_tracer *t = ctx;
	struct cv_py_ask a;

	if (size < sizeof(a))
		return 0;
	memcpy(&a, data, sizeof(a));
	for (size_t i = 0; i < t->nasks; i++)
		if (t->asks[i].tgid == a.tgid && t->asks[i].why == a.why)
			return 0;
	if (t->nasks < sizeof(t->asks) / sizeof(t->asks[0])) {
		t->asks[t->nasks++] = a;
	} else if (!t->asks_lost_said) {
		t->asks_lost_said = true;
		fprintf(t->diag, "concviz: warning: more than %zu processes started at once: some "
			"are not looked at for a Python interpreter (their locks show as C-level futexes)\n",
			t->nasks);
	}
	return 0;
}

/* CONCVIZ_RINGBUF_KB: ring-buffer size (a power of two, >= 4 KiB pages).
 * Small sizes make drops reproducible for tests; big ones absorb bursts. */
static int size_ringbuf(struct cv_tracer *t, char *err, size_t errlen)
{
	const char *env = getenv("CONCVIZ_RINGBUF_KB");
	unsigned long kb;
	char *end;

	if (!env || !*env)
		return 0;
	kb = strtoul(env, &end, 10);
	if (*end || kb < 4 || kb > (1ul << 21) || (kb & (kb - 1))) {
		cv_errorf(err, errlen, "CONCVIZ_RINGBUF_KB=%s: want a power of two between 4 and 2097152", env);
		return -1;
	}
	bpf_map__set_max_entries(t->skel->maps.events, kb << 10);
	/* wake the consumer at a quarter full, at most the default 256 KiB */
	t->skel->rodata->wakeup_bytes = (kb << 10) / 4 < (256u << 10) ? (kb << 10) / 4 : (256u << 10);
	return 0;
}

/* Open (and size) the skeleton and load it; with check_probes, first turn
 * off the probes whose tracepoints this kernel lacks.  0 loaded, -errno the
 * load failed (t->skel still open), 1 failed before loading (err says why). */
static int open_skel(struct cv_tracer *t, bool check_probes, char *err, size_t errlen)
{
	t->skel = concviz_bpf__open();
	if (!t->skel) {
		cv_errorf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return 1;
	}
	if (size_ringbuf(t, err, errlen))
		return 1;
	if (check_probes) {
		struct btf *vmlinux = btf__load_vmlinux_btf();

		disable_missing(t, vmlinux);
		btf__free(vmlinux);
	}
	return concviz_bpf__load(t->skel);
}

struct cv_tracer *cv_tracer_open(FILE *diag, char *err, size_t errlen)
{
	struct cv_tracer *t;
	int rc;

	if (geteuid() != 0) {
		cv_errorf(err, errlen, "tracing needs root: run it with sudo");
		return NULL;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		cv_errorf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux missing); "
			 "concviz needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		cv_errorf(err, errlen, "out of memory");
		return NULL;
	}
	t->diag = diag ? diag : stderr;
	libbpf_set_print(libbpf_print);
	t->ncpus = libbpf_num_possible_cpus();
	/* the fast path parses the kernel's BTF once (libbpf, for CO-RE); only
	 * a kernel that lacks a tracepoint pays for a second parse and load,
	 * with that probe turned off */
	libbpf_diag = NULL; /* a failed first try is retried, and says why then */
	rc = open_skel(t, false, err, errlen);
	libbpf_diag = t->diag;
	if (rc < 0) {
		concviz_bpf__destroy(t->skel);
		rc = open_skel(t, true, err, errlen);
	}
	if (rc > 0)
		goto fail;
	if (rc) {
		cv_errorf(err, errlen, "cannot load the BPF probes: %s (run with CONCVIZ_DEBUG=1 for the verifier log)",
			 strerror(-rc));
		goto fail;
	}
	rc = concviz_bpf__attach(t->skel);
	if (rc) {
		cv_errorf(err, errlen, "cannot attach the BPF probes: %s", strerror(-rc));
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_ring_event, t, NULL);
	if (!t->rb) {
		cv_errorf(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	if (ring_buffer__add(t->rb, bpf_map__fd(t->skel->maps.py_asks), on_py_ask, t)) {
		cv_errorf(err, errlen, "cannot open the interpreter ring buffer: %s", strerror(errno));
		goto fail;
	}
	return t;
fail:
	cv_tracer_close(t);
	return NULL;
}

/* Probe every version of each function of `names` with prog; returns the
 * probes attached, or -errno of the first failure when none was. */
static int attach_funcs(struct cv_tracer *t, struct bpf_program *prog, bool ret, const char *libc,
			const char *const *names)
{
	int attached = 0, first_err = -ENOENT;

	for (; *names; names++) {
		uint64_t offs[4];
		int n = cv_elf_func_offsets(libc, *names, offs, 4);
		if (n < 0)
			return -ENOEXEC;
		for (int i = 0; i < n && t->nuprobes < MAX_UPROBES; i++) {
			struct bpf_link *l = bpf_program__attach_uprobe(prog, ret, -1, libc, offs[i]);
			if (!l) {
				first_err = -errno;
				continue;
			}
			t->uprobes[t->nuprobes++] = l;
			attached++;
		}
	}
	return attached ? attached : first_err;
}

int cv_tracer_attach_lock_probes(struct cv_tracer *t, const char *libc, bool holders,
				 char *err, size_t errlen)
{
	static const char *const take[] = { "sem_wait", "sem_timedwait", "sem_clockwait",
					    "sem_trywait", NULL };
	static const char *const post[] = { "sem_post", NULL };
	static const char *const cond[] = { "pthread_cond_wait", "pthread_cond_timedwait",
					    "pthread_cond_clockwait", NULL };
	static const char *const barrier[] = { "pthread_barrier_wait", NULL };
	int rc;

	/* uprobes are perf events of the uprobe PMU (sysfs), not tracefs */
	libbpf_diag = NULL; /* one line of ours instead of libbpf's */
	rc = attach_funcs(t, t->skel->progs.on_cond_wait, false, libc, cond);
	if (rc > 0)
		rc = attach_funcs(t, t->skel->progs.on_barrier_wait, false, libc, barrier);
	if (rc > 0 && holders)
		rc = attach_funcs(t, t->skel->progs.on_sem_take, false, libc, take);
	if (rc > 0 && holders)
		rc = attach_funcs(t, t->skel->progs.on_sem_take_ret, true, libc, take);
	if (rc > 0 && holders)
		rc = attach_funcs(t, t->skel->progs.on_sem_post, false, libc, post);
	libbpf_diag = t->diag;
	if (rc > 0)
		return 0;
	cv_errorf(err, errlen, "cannot attach uprobes to %s: %s", libc,
		  rc == -ENOEXEC ? "not an ELF file" : strerror(-rc));
	return -1;
}

static void detach_uprobes(struct cv_tracer *t)
{
	for (int i = 0; i < t->nuprobes; i++)
		bpf_link__destroy(t->uprobes[i]);
	t->nuprobes = 0;
}

void cv_tracer_close(struct cv_tracer *t)
{
	if (!t)
		return;
	detach_uprobes(t);
	libbpf_diag = NULL; /* its stream may be closed after this */
	ring_buffer__free(t->rb);
	concviz_bpf__destroy(t->skel);
	free(t->batch);
	free(t);
}

void cv_tracer_stop(struct cv_tracer *t)
{
	detach_uprobes(t);
	concviz_bpf__detach(t->skel);
}

void cv_tracer_follow(struct cv_tracer *t, uint32_t tgid)
{
	t->skel->bss->seed_tgid = tgid;
}

static uint64_t kernel_drops(struct cv_tracer *t)
{
	uint64_t vals[t->ncpus > 0 ? t->ncpus : 1], sum = 0;
	uint32_t zero = 0;

	if (t->ncpus <= 0 || bpf_map__lookup_elem(t->skel->maps.drops, &zero, sizeof(zero),
						   vals, sizeof(vals), 0))
		return 0;
	for (int i = 0; i < t->ncpus; i++)
		sum += vals[i];
	return sum;
}

/* The batch is nearly sorted (ring order follows reservation, timestamps
 * differ by nanoseconds across CPUs): a stable insertion sort is O(n) here. */
static void sort_by_ts(struct cv_event *ev, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (ev[i].ts >= ev[i - 1].ts)
			continue;
		struct cv_event tmp = ev[i];
		size_t j = i;

		while (j > 0 && ev[j - 1].ts > tmp.ts) {
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = tmp;
	}
}

int cv_tracer_poll(struct cv_tracer *t, int timeout_ms, int wake_fd, cv_event_fn fn, void *ctx)
{
	struct pollfd p[2] = { { .fd = ring_buffer__epoll_fd(t->rb), .events = POLLIN },
			       { .fd = wake_fd, .events = POLLIN } };
	uint64_t drops;

	t->n = 0;
	/* the ring buffer's epoll fd is readable when the kernel woke it up;
	 * wake_fd (the target's pidfd) ends the wait the moment it exits */
	if (poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms) < 0 && errno != EINTR)
		return -1;
	t->nasks = 0;
	if (ring_buffer__consume(t->rb) < 0)
		return -1;
	/* before the events: the answer names their locks */
	for (size_t i = 0; i < t->nasks && t->py_ask; i++)
		t->py_ask(t->py_ask_ctx, &t->asks[i]);
	sort_by_ts(t->batch, t->n);
	for (size_t i = 0; i < t->n; i++)
		fn(ctx, &t->batch[i]);
	t->delivered += t->n;
	drops = kernel_drops(t) + t->lost_here;
	if (drops > t->dropped) {
		struct cv_event lost = { .ts = t->n ? t->batch[t->n - 1].ts : cv_now_ns(),
					 .type = CV_EV_LOST };

		lost.lost.count = drops - t->dropped;
		t->dropped = drops;
		fn(ctx, &lost);
	}
	return (int)t->n;
}

void cv_tracer_on_py_ask(struct cv_tracer *t, cv_py_ask_fn ask, void *ctx)
{
	t->py_ask = ask;
	t->py_ask_ctx = ctx;
}

int cv_tracer_set_py_proc(struct cv_tracer *t, uint32_t tgid, const struct cv_py_proc *p)
{
	return bpf_map__update_elem(t->skel->maps.py_procs, &tgid, sizeof(tgid), p, sizeof(*p), BPF_ANY);
}

int cv_tracer_set_py_rule(struct cv_tracer *t, uint64_t hash, const struct cv_py_rule *r)
{
	return bpf_map__update_elem(t->skel->maps.py_rules, &hash, sizeof(hash), r, sizeof(*r), BPF_ANY);
}

uint64_t cv_tracer_dropped(const struct cv_tracer *t)
{
	return t->dropped;
}

uint64_t cv_tracer_delivered(const struct cv_tracer *t)
{
	return t->delivered;
}
