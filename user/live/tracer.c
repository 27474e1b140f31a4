/* tracer.c — libbpf loader and ring-buffer consumer (see tracer.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/err.h"
#include "concviz.skel.h"
#include "common/clock.h"
#include "live/elf_funcs.h"
#include "live/event_order.h"
#include "live/placement.h"
#include "live/priority.h"
#include "live/tracer.h"

#define MAX_UPROBES 32

/* Events wait here between the ring buffer and the model: a reader thread
 * empties the ring buffer into `pending` whenever the kernel wakes it, so a
 * consumer that is busy (a frame blocked on a slow terminal, a recording
 * write) never leaves the kernel without room.  Past half this many events
 * in pending (the consumer's batch, the other array, has at most as many:
 * 8M, 512 MiB in all; the batch's sort space is as big as the batch) they
 * are counted as lost instead. */
#define PENDING_MAX (1u << 23)

struct cv_tracer {
	struct concviz_bpf *skel;
	struct ring_buffer *rb;
	FILE *diag;
	int ncpus;
	uint64_t dropped;     /* drops already reported as CV_EV_LOST */
	uint64_t stranded;    /* events left in a CPU's stage at the stop (an offline CPU) */
	uint64_t misses, misses_at; /* recursion_misses' last sum, and when */
	const volatile uint64_t *cons_pos, *prod_pos; /* the ring's positions (ring_pos) */
	void *pos_map;        /* their read-only mapping, 2 pages */
	bool stopped;         /* cv_tracer_stop ran: no probe runs */
	uint64_t delivered;
	struct cv_tracer_slowest slowest; /* the longest poll's work (CONCVIZ_STATS) */

	/* shared with the reader thread, under mu */
	pthread_mutex_t mu;
	struct cv_event *pending; /* consumed, not yet delivered */
	size_t npending, cap_pending;
	uint64_t lost_here;   /* pending was full or could not grow */
	uint64_t lost_taken;  /* lost_here as of the last take (consumer's copy) */
	bool notified;        /* ready_fd written since the last take */

	struct cv_event *batch; /* events of one poll, sorted before delivery */
	size_t n, cap;
	/* Every event stamped before complete_before is in pending or was taken
	 * (under mu): the time just before the stages were flushed for the last
	 * read of the ring buffer (UINT64_MAX once stopped and read: all is).
	 * A batch delivers only what is stamped before it (its copy,
	 * deliver_before) and keeps the rest (carry, sorted) for the next: a
	 * CPU's stage may still hold events stamped in between, and a thread
	 * that moved CPUs would have its events out of order. */
	uint64_t complete_before, deliver_before;
	uint64_t last_ts;     /* of the last event delivered */
	struct cv_event *carry;
	size_t ncarry, cap_carry;
	struct cv_event *scratch; /* sort_batch's */
	size_t cap_scratch;
	cv_py_ask_fn py_ask;
	void *py_ask_ctx;
	/* interpreter asks: collected by the reader (under mu), handed to the
	 * consumer at each take */
	struct cv_py_ask asks[256], taken_asks[256];
	size_t nasks, ntaken_asks;
	bool asks_lost_said;
	int uprobe_links[4];  /* the lock probes on the C library: multi-uprobe link fds */
	int nuprobes;

	/* real-time priority on demand (cv_tracer_raise_when_behind): the
	 * reader raises concviz once it finds itself or the consumer behind */
	FILE *raise_diag;     /* armed when set (under mu) */
	uint64_t raised_at;   /* CLOCK_BOOTTIME of the raise, 0 not raised (under mu) */
	size_t behind;        /* a quarter of the ring buffer, in events */
	/* once real-time: off the CPUs the target keeps busy (live/placement.h) */
	struct cv_placement *place; /* under mu */
	cpu_set_t mask;       /* concviz's affinity at start */
	cpu_set_t applied;    /* the one it set last (mask at start) */
	uint64_t placed_at;   /* CLOCK_BOOTTIME of the last look (the reader's) */
	uint64_t moves;       /* times concviz moved (under mu) */

	pthread_t reader;
	pid_t reader_tid;     /* its thread id, once it runs (under mu) */
	bool have_reader;
	int ready_fd;         /* eventfd: the reader has pending events */
	int quit_fd;          /* eventfd: the reader ends (wakes it at once) */
	atomic_bool quit;     /* the reader ends (seen within READER_PERIOD_MS) */
	int flush_fd;         /* eventfd: the consumer asks the reader to empty the ring
			       * buffer now (at normal priority it never does so itself:
			       * preempted holding mu, it would hold up the reader) */
	int reader_epfd;      /* the reader waits here: ring buffers (edge), quit_fd, flush_fd */
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

/* one event into pending, with t->mu held */
static void take_event(struct cv_tracer *t, const void *data)
{
	if (t->npending == t->cap_pending) {
		size_t ncap = t->cap_pending ? t->cap_pending * 2 : 4096;
		/* half the limit each: the consumer's batch is the last pending
		 * array (they swap, with their sizes), so together they stay in
		 * PENDING_MAX; a shared limit would leave pending no room while
		 * the batch holds the big array */
		struct cv_event *nb = ncap <= PENDING_MAX / 2
			? realloc(t->pending, ncap * sizeof(*nb)) : NULL;

		if (!nb) {
			t->lost_here++;
			return;
		}
		t->pending = nb;
		t->cap_pending = ncap;
	}
	memcpy(&t->pending[t->npending++], data, sizeof(struct cv_event));
	if (t->place)
		cv_placement_note(t->place, data);
}

/* ring_buffer__consume's callback, with t->mu held: a record is one CPU's
 * stage, one or more events (bpf/probe/stage.h) */
static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct cv_tracer *t = ctx;

	if (size % sizeof(struct cv_event))
		return 0;
	for (size_t off = 0; off < size; off += sizeof(struct cv_event))
		take_event(t, (const char *)data + off);
	return 0;
}

/* Every CPU's stage to the ring buffer (cv_flush_stage, run on the CPUs
 * whose stage holds events), so that what is read next holds every event
 * stamped before now.  A CPU interrupted inside a probe's reservation is
 * asked again; it leaves it within a microsecond. */
#define FLUSH_TRIES 1000
/* Probes stamp their events after claiming them, but for an io_uring
 * submission (stamped when it is recorded): what a flush finds complete is
 * what was stamped this long before it */
#define FLUSH_MARGIN_NS 100000ull
/* every CPU's stage count, c[ncpus]; false when there are none to read */
static bool read_stage_counts(struct cv_tracer *t, struct cv_stage_count *c)
{
	uint32_t zero = 0;

	return t->ncpus > 0 && bpf_map__lookup_elem(t->skel->maps.stage_counts, &zero, sizeof(zero),
						    c, (size_t)t->ncpus * sizeof(*c), 0) == 0;
}

/* the events left in the stages (after the last flush: lost) */
static uint64_t staged(struct cv_tracer *t)
{
	struct cv_stage_count c[t->ncpus > 0 ? t->ncpus : 1];
	uint64_t sum = 0;

	if (!read_stage_counts(t, c))
		return 0;
	for (int cpu = 0; cpu < t->ncpus; cpu++)
		sum += c[cpu].n;
	return sum;
}

/* The stages can be flushed on this kernel: run the flush once here, on
 * this CPU.  Otherwise events would sit in them, unseen. */
static int check_flush(struct cv_tracer *t, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);

	if (bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.cv_flush_stage), &run) < 0) {
		cv_errorf(err, errlen, "cannot run the probes' flush (BPF_PROG_TEST_RUN): %s",
			  strerror(errno));
		return -1;
	}
	return 0;
}

static bool flush_stages(struct cv_tracer *t)
{
	struct cv_stage_count c[t->ncpus > 0 ? t->ncpus : 1];
	int fd = bpf_program__fd(t->skel->progs.cv_flush_stage);
	bool all = true;

	if (!read_stage_counts(t, c))
		return false;
	for (int cpu = 0; cpu < t->ncpus; cpu++) {
		bool done = !c[cpu].n && !c[cpu].depth;

		for (int i = 0; !done && i < FLUSH_TRIES; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, run, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);

			/* an offline CPU (ENXIO) keeps its stage, counted lost at the
			 * stop: nothing more will come from it, delivery goes on */
			if (bpf_prog_test_run_opts(fd, &run)) {
				done = errno == ENXIO;
				break;
			}
			done = run.retval != 1;
		}
		all &= done;
	}
	return all;
}

/* The ring buffer's producer and consumer positions (its first two pages,
 * mapped read-only beside libbpf's own mapping) */
static uint64_t ring_pos(const volatile uint64_t *pos)
{
	return pos ? __atomic_load_n(pos, __ATOMIC_ACQUIRE) : 0;
}

/* A flush of the stages before a read of the ring buffer: when, whether
 * every stage went out, and where the producer was after it */
struct flush_mark {
	uint64_t at;       /* now, less a margin */
	uint64_t produced; /* the ring's producer position after the flush */
	bool all;
};

static struct flush_mark flush_for_read(struct cv_tracer *t)
{
	struct flush_mark f = { .at = cv_now_ns() - FLUSH_MARGIN_NS };

	f.all = flush_stages(t);
	f.produced = ring_pos(t->prod_pos);
	return f;
}

/* After the read (ring_buffer__consume's got, t->mu held): when it took
 * everything there was at the flush, events stamped before the flush are
 * all in pending and complete_before moves on.  A stage that could not be
 * flushed, or a record another CPU had reserved but not written yet (the
 * read stops there), keeps it where it was. */
static void read_done(struct cv_tracer *t, const struct flush_mark *f, int got)
{
	if (got >= 0 && f->all && t->cons_pos && ring_pos(t->cons_pos) >= f->produced &&
	    f->at > t->complete_before)
		t->complete_before = f->at;
}

/* The reader: woken by the kernel (BPF_RB_FORCE_WAKEUP once enough is
 * queued), it moves the ring buffer's contents to pending and tells the
 * consumer.  Edge-triggered: the ring buffer's fd is readable whenever it
 * holds anything, and a level-triggered wait would spin at real-time
 * priority on every event.  READER_PERIOD_MS bounds how long events sit in
 * the ring buffer when the kernel does not wake it (the consumer also takes
 * them on each poll).  It runs at concviz's priority (live/priority.h). */
#define READER_PERIOD_MS 50

/* The diag stream to raise with, marking the raise done, or NULL if it is
 * not armed or was done already.  With t->mu held. */
static FILE *claim_raise(struct cv_tracer *t)
{
	if (!t->raise_diag || t->raised_at)
		return NULL;
	t->raised_at = cv_now_ns();
	return t->raise_diag;
}

/* Ten times a second, once real-time: keep concviz off the CPUs the target
 * keeps busy (live/placement.h).  The reader's. */
#define PLACE_PERIOD_MS 100
static void place(struct cv_tracer *t)
{
	bool avoid[CV_PLACEMENT_MAX_CPUS];
	uint64_t now = cv_now_ns();
	cpu_set_t want;
	int n;

	if (!t->place || now - t->placed_at < PLACE_PERIOD_MS * 1000000ull)
		return;
	t->placed_at = now;
	pthread_mutex_lock(&t->mu);
	/* at normal priority the scheduler places concviz well by itself, and
	 * concviz leaves its affinity alone */
	n = t->raised_at ? cv_placement_avoid(t->place, now, avoid) : -1;
	pthread_mutex_unlock(&t->mu);
	if (n < 0)
		return;
	want = t->mask;
	for (int c = 0; n && c < t->place->ncpus; c++)
		if (avoid[c])
			CPU_CLR(c, &want);
	/* only a change: a mask set from outside meanwhile is left as it is */
	if (CPU_EQUAL(&want, &t->applied))
		return;
	t->applied = want;
	cv_priority_set_affinity(&want);
	if (n) {
		pthread_mutex_lock(&t->mu);
		t->moves++;
		pthread_mutex_unlock(&t->mu);
	}
}

static void *reader_main(void *arg)
{
	struct cv_tracer *t = arg;
	struct epoll_event ev[4];
	uint64_t one = 1, v;

	pthread_mutex_lock(&t->mu);
	t->reader_tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_unlock(&t->mu);
	for (;;) {
		int n = epoll_wait(t->reader_epfd, ev, 4, READER_PERIOD_MS);
		bool quit = false, flush = false;

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			quit |= ev[i].data.fd == t->quit_fd;
			flush |= ev[i].data.fd == t->flush_fd;
		}
		if (flush && read(t->flush_fd, &v, sizeof(v)) < 0) {
			/* EAGAIN: already read */
		}
		if (quit || atomic_load(&t->quit))
			break;
		struct flush_mark fm = flush_for_read(t);

		pthread_mutex_lock(&t->mu);
		size_t before = t->npending;
		int got = ring_buffer__consume(t->rb);

		read_done(t, &fm, got);
		/* a flush is answered even when empty: the consumer waits for it */
		bool tell = (t->npending || t->nasks || flush) && !t->notified;
		size_t taken = got > 0 ? t->npending - before : 0;
		FILE *raise = taken >= t->behind || t->npending >= 4 * t->behind
			      ? claim_raise(t) : NULL;

		t->notified |= tell;
		pthread_mutex_unlock(&t->mu);
		if (tell && write(t->ready_fd, &one, sizeof(one)) < 0)
			break;
		if (raise)
			cv_priority_raise(raise);
		place(t);
	}
	return NULL;
}

static int start_reader(struct cv_tracer *t, char *err, size_t errlen)
{
	int e;

	struct epoll_event ring = { .events = EPOLLIN | EPOLLET,
				    .data.fd = bpf_map__fd(t->skel->maps.events) };
	struct epoll_event asks = { .events = EPOLLIN | EPOLLET,
				    .data.fd = bpf_map__fd(t->skel->maps.py_asks) };
	struct epoll_event quit = { .events = EPOLLIN }, flush = { .events = EPOLLIN };

	t->ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t->quit_fd = eventfd(0, EFD_CLOEXEC);
	t->flush_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t->reader_epfd = epoll_create1(EPOLL_CLOEXEC);
	quit.data.fd = t->quit_fd;
	flush.data.fd = t->flush_fd;
	if (t->ready_fd < 0 || t->quit_fd < 0 || t->flush_fd < 0 || t->reader_epfd < 0 ||
	    epoll_ctl(t->reader_epfd, EPOLL_CTL_ADD, ring.data.fd, &ring) ||
	    epoll_ctl(t->reader_epfd, EPOLL_CTL_ADD, asks.data.fd, &asks) ||
	    epoll_ctl(t->reader_epfd, EPOLL_CTL_ADD, t->quit_fd, &quit) ||
	    epoll_ctl(t->reader_epfd, EPOLL_CTL_ADD, t->flush_fd, &flush)) {
		cv_errorf(err, errlen, "cannot set up the ring-buffer reader: %s", strerror(errno));
		return -1;
	}
	if ((e = pthread_create(&t->reader, NULL, reader_main, t))) {
		cv_errorf(err, errlen, "cannot start the ring-buffer reader: %s", strerror(e));
		return -1;
	}
	t->have_reader = true;
	return 0;
}

/* the interpreter ring buffer's callback, with t->mu held (the reader) */
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
	/* a stage goes to the ring buffer as one record: at most an eighth
	 * of wakeup_bytes, so a small ring holds several */
	uint64_t stage = t->skel->rodata->wakeup_bytes / 8 / sizeof(struct cv_event);

	if (stage < t->skel->rodata->stage_max)
		t->skel->rodata->stage_max = stage ? (uint32_t)stage : 1;
	return 0;
}

/* Multi-uprobe links (Linux 6.6, BPF_TRACE_UPROBE_MULTI): one link probes
 * every function of a program, each with a cookie.  Removing a uprobe waits
 * for an RCU-tasks grace period (about 100 ms here) once per link: one link
 * per function made every run 0.6 s longer.  The build host's uapi header
 * (Debian 12: Linux 6.1) predates them, so the attr is spelled out here. */
#define UPROBE_MULTI_ATTACH 48u /* enum bpf_attach_type: BPF_TRACE_UPROBE_MULTI */
#define UPROBE_MULTI_RETURN 1u  /* BPF_F_UPROBE_MULTI_RETURN */
struct uprobe_multi_attr {      /* union bpf_attr's link_create, its uprobe_multi arm */
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, uflags, pid;
};

/* the uprobe programs on the C library (cv_tracer_attach_lock_probes) */
static bool is_lock_probe(const struct cv_tracer *t, const struct bpf_program *p)
{
	return p == t->skel->progs.on_lock_enter || p == t->skel->progs.on_sem_take ||
	       p == t->skel->progs.on_sem_take_ret || p == t->skel->progs.on_sem_post;
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
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, t->skel->obj) {
		if (!is_lock_probe(t, prog))
			continue;
		/* the retry loads without them: a kernel older than multi-uprobe
		 * links (6.6) refuses the attach type */
		if (check_probes)
			bpf_program__set_autoload(prog, false);
		else
			bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)UPROBE_MULTI_ATTACH);
	}
	if (check_probes) {
		struct btf *vmlinux = btf__load_vmlinux_btf();

		disable_missing(t, vmlinux);
		btf__free(vmlinux);
	}
	t->skel->rodata->handlers_known = bpf_program__autoload(t->skel->progs.on_signal_deliver);
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
	t->ready_fd = t->quit_fd = t->flush_fd = t->reader_epfd = -1;
	pthread_mutex_init(&t->mu, NULL);
	libbpf_set_print(libbpf_print);
	t->ncpus = libbpf_num_possible_cpus();
	/* where concviz may run; without it (or memory), it is not moved */
	if (sched_getaffinity(0, sizeof(t->mask), &t->mask) == 0 &&
	    (t->place = malloc(sizeof(*t->place)))) {
		t->applied = t->mask;
		cv_placement_init(t->place, t->ncpus);
		for (int c = 0; c < t->place->ncpus; c++)
			t->place->allowed[c] = CPU_ISSET(c, &t->mask);
	}
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
	if (check_flush(t, err, errlen))
		goto fail;
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_ring_event, t, NULL);
	if (!t->rb) {
		cv_errorf(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	/* the consumer page, then the producer page (the kernel's BPF ring
	 * buffer layout): read_done compares them */
	long page = sysconf(_SC_PAGESIZE);
	t->pos_map = mmap(NULL, 2 * (size_t)page, PROT_READ, MAP_SHARED,
			  bpf_map__fd(t->skel->maps.events), 0);
	if (t->pos_map == MAP_FAILED) {
		t->pos_map = NULL;
		cv_errorf(err, errlen, "cannot map the ring buffer's positions: %s", strerror(errno));
		goto fail;
	}
	t->cons_pos = t->pos_map;
	t->prod_pos = (const volatile uint64_t *)((char *)t->pos_map + page);
	if (ring_buffer__add(t->rb, bpf_map__fd(t->skel->maps.py_asks), on_py_ask, t)) {
		cv_errorf(err, errlen, "cannot open the interpreter ring buffer: %s", strerror(errno));
		goto fail;
	}
	/* the kernel wakes the reader at wakeup_bytes (at most a quarter of
	 * the ring); finding a quarter of the ring at once means it woke late */
	t->behind = bpf_map__max_entries(t->skel->maps.events) / 4 / sizeof(struct cv_event);
	if (start_reader(t, err, errlen))
		goto fail;
	return t;
fail:
	cv_tracer_close(t);
	return NULL;
}


/* Probe every version of each function of `names` with prog, the cookie of
 * names[i] being cookies[i] (NULL: 0), through one link; returns the
 * functions probed, or -errno. */
static int attach_funcs(struct cv_tracer *t, struct bpf_program *prog, bool ret, const char *libc,
			const char *const *names, const uint64_t *cookies)
{
	uint64_t offs[MAX_UPROBES], cks[MAX_UPROBES];
	union bpf_attr attr;
	uint32_t n = 0;
	int fd;

	for (size_t i = 0; names[i]; i++) {
		uint64_t o[4];
		int k = cv_elf_func_offsets(libc, names[i], o, 4);
		if (k < 0)
			return -ENOEXEC;
		for (int j = 0; j < k && n < MAX_UPROBES; j++) {
			offs[n] = o[j];
			cks[n++] = cookies ? cookies[i] : 0;
		}
	}
	if (!n)
		return -ENOENT;
	if (t->nuprobes == (int)(sizeof(t->uprobe_links) / sizeof(t->uprobe_links[0])))
		return -E2BIG;
	struct uprobe_multi_attr um = {
		.prog_fd = (uint32_t)bpf_program__fd(prog), .attach_type = UPROBE_MULTI_ATTACH,
		.path = (uintptr_t)libc, .offsets = (uintptr_t)offs, .cookies = (uintptr_t)cks,
		.cnt = n, .uflags = ret ? UPROBE_MULTI_RETURN : 0,
	};
	_Static_assert(sizeof(um) <= sizeof(attr), "the uprobe_multi arm fits bpf_attr");
	memset(&attr, 0, sizeof(attr));
	memcpy(&attr, &um, sizeof(um));
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	if (fd < 0)
		return -errno;
	t->uprobe_links[t->nuprobes++] = fd;
	return (int)n;
}

static void detach_uprobes(struct cv_tracer *t)
{
	for (int i = 0; i < t->nuprobes; i++)
		close(t->uprobe_links[i]);
	t->nuprobes = 0;
}

int cv_tracer_attach_lock_probes(struct cv_tracer *t, const char *libc, bool holders,
				 char *err, size_t errlen)
{
	static const char *const take[] = { "sem_wait", "sem_timedwait", "sem_clockwait",
					    "sem_trywait", NULL };
	static const char *const post[] = { "sem_post", NULL };
	static const char *const entered[] = { "pthread_cond_wait", "pthread_cond_timedwait",
					       "pthread_cond_clockwait", "pthread_barrier_wait", NULL };
	static const uint64_t kinds[] = { CV_LK_CONDVAR, CV_LK_CONDVAR, CV_LK_CONDVAR, CV_LK_BARRIER };
	int rc;

	/* multi-uprobe links: a bpf(2) call of ours, no perf event, no tracefs */
	if (!bpf_program__autoload(t->skel->progs.on_lock_enter)) {
		cv_errorf(err, errlen, "the lock uprobes did not load on this kernel");
		return -1;
	}
	rc = attach_funcs(t, t->skel->progs.on_lock_enter, false, libc, entered, kinds);
	if (rc > 0 && holders)
		rc = attach_funcs(t, t->skel->progs.on_sem_take, false, libc, take, NULL);
	if (rc > 0 && holders)
		rc = attach_funcs(t, t->skel->progs.on_sem_take_ret, true, libc, take, NULL);
	if (rc > 0 && holders)
		rc = attach_funcs(t, t->skel->progs.on_sem_post, false, libc, post, NULL);
	if (rc > 0)
		return 0;
	detach_uprobes(t); /* all or none: the warning says they are off */
	cv_errorf(err, errlen, "cannot attach uprobes to %s: %s", libc,
		  rc == -ENOEXEC ? "not an ELF file"
		  : rc == -EINVAL || rc == -E2BIG ? "this kernel has no multi-uprobe links (Linux 6.6)"
		  : strerror(-rc));
	return -1;
}


void cv_tracer_close(struct cv_tracer *t)
{
	if (!t)
		return;
	detach_uprobes(t);
	libbpf_diag = NULL; /* its stream may be closed after this */
	if (t->have_reader) {
		uint64_t one = 1;

		/* the flag ends it even if the wake-up cannot be written: it is
		 * always joined before t goes */
		atomic_store(&t->quit, true);
		if (write(t->quit_fd, &one, sizeof(one)) < 0) {
			/* seen at its next periodic wake-up */
		}
		pthread_join(t->reader, NULL);
	}
	if (t->ready_fd >= 0)
		close(t->ready_fd);
	if (t->quit_fd >= 0)
		close(t->quit_fd);
	if (t->flush_fd >= 0)
		close(t->flush_fd);
	if (t->reader_epfd >= 0)
		close(t->reader_epfd);
	ring_buffer__free(t->rb);
	if (t->pos_map)
		munmap(t->pos_map, 2 * (size_t)sysconf(_SC_PAGESIZE));
	concviz_bpf__destroy(t->skel);
	pthread_mutex_destroy(&t->mu);
	free(t->pending);
	free(t->batch);
	free(t->carry);
	free(t->scratch);
	free(t->place);
	free(t);
}

void cv_tracer_stop(struct cv_tracer *t)
{
	detach_uprobes(t);
	concviz_bpf__detach(t->skel);
	/* a probe already running on another CPU may still stage: wait until
	 * every CPU has left the RCU read side the probes run in (an RCU grace
	 * period), or 10 ms if the kernel cannot */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
		usleep(10000);
	/* no probe runs now: once the stages are in the ring buffer and it is
	 * read, every event there will be is in pending */
	flush_stages(t);
	t->stranded = staged(t);
	t->stopped = true;
	pthread_mutex_lock(&t->mu);
	if (ring_buffer__consume(t->rb) >= 0)
		t->complete_before = UINT64_MAX;
	pthread_mutex_unlock(&t->mu);
}

void cv_tracer_follow(struct cv_tracer *t, uint32_t tgid)
{
	t->skel->bss->seed_tgid = tgid;
}

/* The ring-buffer reader to nice -20 (it may not have run yet: wait for its tid) */
static void hurry_reader(struct cv_tracer *t, FILE *diag)
{
	pid_t tid = 0;

	for (int i = 0; i < 1000 && !tid; i++) {
		pthread_mutex_lock(&t->mu);
		tid = t->reader_tid;
		pthread_mutex_unlock(&t->mu);
		if (!tid)
			usleep(1000);
	}
	if (tid)
		cv_priority_hurry(tid, diag);
}

void cv_tracer_raise_when_behind(struct cv_tracer *t, FILE *diag)
{
	const char *env = getenv("CONCVIZ_REALTIME");

	if (env && strcmp(env, "0") == 0)
		return;
	/* at once by default: raised on demand, a live TUI starved for up to
	 * 0.5 s at 1,000 threads before the raise (bench/README.md) */
	if (!env || strcmp(env, "auto") != 0) {
		if (cv_priority_raise(diag)) {
			pthread_mutex_lock(&t->mu);
			t->raised_at = cv_now_ns();
			pthread_mutex_unlock(&t->mu);
		} else {
			hurry_reader(t, diag); /* refused (warned): the next best */
		}
		return;
	}
	hurry_reader(t, diag);
	pthread_mutex_lock(&t->mu);
	t->raise_diag = diag;
	pthread_mutex_unlock(&t->mu);
}

void cv_tracer_raise_now(struct cv_tracer *t)
{
	pthread_mutex_lock(&t->mu);
	FILE *raise = claim_raise(t);
	pthread_mutex_unlock(&t->mu);
	if (raise)
		cv_priority_raise(raise);
}

/* a field the reader writes, read under mu */
static uint64_t locked_read(struct cv_tracer *t, const uint64_t *field)
{
	uint64_t v;

	pthread_mutex_lock(&t->mu);
	v = *field;
	pthread_mutex_unlock(&t->mu);
	return v;
}

uint64_t cv_tracer_raised_at(struct cv_tracer *t)
{
	return locked_read(t, &t->raised_at);
}

/* Runs of our probes the kernel skipped: one fired inside another run of
 * itself on the same CPU (a wake-up in an interrupt during a wake-up).
 * Asked of the kernel once a second (a syscall per probe) and at the stop. */
#define MISSES_PERIOD_NS 1000000000ull
static uint64_t recursion_misses(struct cv_tracer *t)
{
	struct bpf_program *prog;
	uint64_t sum = 0, now = cv_now_ns();

	if (!t->stopped && now - t->misses_at < MISSES_PERIOD_NS)
		return t->misses;
	t->misses_at = now;

	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			sum += info.recursion_misses;
	}
	if (sum > t->misses)
		t->misses = sum;
	return t->misses;
}

/* The probes' drops of one cause, summed over CPUs */
static uint64_t probe_drops(struct cv_tracer *t, uint32_t cause)
{
	uint64_t vals[t->ncpus > 0 ? t->ncpus : 1], sum = 0;

	if (t->ncpus <= 0 || bpf_map__lookup_elem(t->skel->maps.drops, &cause, sizeof(cause),
						   vals, sizeof(vals), 0))
		return 0;
	for (int i = 0; i < t->ncpus; i++)
		sum += vals[i];
	return sum;
}

void cv_tracer_kernel_drops(struct cv_tracer *t, struct cv_kernel_drops *d)
{
	d->ring_full = probe_drops(t, CV_DROP_RING_FULL);
	d->nested = probe_drops(t, CV_DROP_NESTED);
	d->skipped = recursion_misses(t);
	d->stranded = t->stranded;
}

/* Events of traced threads lost in the kernel, in all.  Not the skipped
 * probe runs: the kernel counts those before the probe asks whether the
 * task is traced (the end-of-run warning says how many there were). */
static uint64_t kernel_drops(struct cv_tracer *t)
{
	struct cv_kernel_drops d;

	cv_tracer_kernel_drops(t, &d);
	return d.ring_full + d.nested + d.stranded;
}


/* Take everything consumed so far as this poll's batch (pending and batch
 * swap their arrays), and, once real-time, what the ring buffer holds now
 * (before, the reader was asked to: see flush_fd).  <0 on error. */
static int take_pending(struct cv_tracer *t)
{
	struct cv_event *arr;
	size_t cap;
	uint64_t v;
	int rc = 0;

	bool raised = cv_tracer_raised_at(t) != 0;
	struct flush_mark fm = { 0 };

	if (raised)
		fm = flush_for_read(t);
	pthread_mutex_lock(&t->mu);
	if (raised) {
		rc = ring_buffer__consume(t->rb);
		read_done(t, &fm, rc);
	}
	t->deliver_before = t->complete_before;
	arr = t->batch;
	cap = t->cap;
	t->batch = t->pending;
	t->cap = t->cap_pending;
	t->n = t->npending;
	t->pending = arr;
	t->cap_pending = cap;
	t->npending = 0;
	memcpy(t->taken_asks, t->asks, t->nasks * sizeof(t->asks[0]));
	t->ntaken_asks = t->nasks;
	t->nasks = 0;
	t->notified = false;
	t->lost_taken = t->lost_here;
	if (read(t->ready_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: not written since the last take */
	}
	pthread_mutex_unlock(&t->mu);
	return rc < 0 ? rc : 0;
}

/* how long a poll waits for the reader to answer a flush (it runs at nice
 * -20 and answers in microseconds; this bounds a starved one) */
#define FLUSH_WAIT_MS 5

/* The batch by time (live/event_order.h) */
static void sort_batch(struct cv_tracer *t)
{
	cv_sort_events(t->batch, t->n, t->ncpus > 0 ? (unsigned)t->ncpus : 0, &t->scratch,
		       &t->cap_scratch);
}

/* Last poll's carry in front of the batch (it is older than most of it).
 * False when the batch cannot grow: the carry then stays apart. */
static bool merge_carry(struct cv_tracer *t)
{
	if (!t->ncarry)
		return true;
	if (t->n + t->ncarry > t->cap) {
		struct cv_event *nb = realloc(t->batch, (t->n + t->ncarry) * sizeof(*nb));

		if (!nb)
			return false;
		t->batch = nb;
		t->cap = t->n + t->ncarry;
	}
	memmove(t->batch + t->ncarry, t->batch, t->n * sizeof(*t->batch));
	memcpy(t->batch, t->carry, t->ncarry * sizeof(*t->batch));
	t->n += t->ncarry;
	t->ncarry = 0;
	return true;
}

/* The sorted batch's events stamped from deliver_before on go to carry, for
 * the next poll; t->n is left what to deliver now.  When carry cannot grow,
 * nothing is held back (the order across polls is then not assured). */
static void hold_back(struct cv_tracer *t)
{
	size_t k = t->n;

	while (k > 0 && t->batch[k - 1].ts >= t->deliver_before)
		k--;
	if (t->n - k > t->cap_carry) {
		struct cv_event *nc = realloc(t->carry, (t->n - k) * sizeof(*nc));

		if (!nc)
			return;
		t->carry = nc;
		t->cap_carry = t->n - k;
	}
	memcpy(t->carry, t->batch + k, (t->n - k) * sizeof(*t->carry));
	t->ncarry = t->n - k;
	t->n = k;
}

int cv_tracer_poll(struct cv_tracer *t, int timeout_ms, int wake_fd, cv_event_fn fn, void *ctx)
{
	struct pollfd p[2] = { { .fd = t->ready_fd, .events = POLLIN },
			       { .fd = wake_fd, .events = POLLIN } };
	uint64_t drops, one = 1;

	t->n = 0;
	/* ready_fd is readable when the reader moved events out of the ring
	 * buffer (the kernel woke it, or we asked it to); wake_fd (the target's
	 * pidfd) ends the wait the moment the target exits */
	if (poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms) < 0 && errno != EINTR)
		return -1;
	/* nothing moved in that time: ask the reader for what the ring buffer
	 * holds now (once real-time, take_pending takes it itself) */
	if (!(p[0].revents & POLLIN) && !cv_tracer_raised_at(t)) {
		if (write(t->flush_fd, &one, sizeof(one)) < 0 ||
		    (poll(p, 1, FLUSH_WAIT_MS) < 0 && errno != EINTR))
			return -1;
	}
	uint64_t t0 = cv_now_ns();
	if (take_pending(t) < 0)
		return -1;
	uint64_t t1 = cv_now_ns();
	/* before the events: the answer names their locks */
	for (size_t i = 0; i < t->ntaken_asks && t->py_ask; i++)
		t->py_ask(t->py_ask_ctx, &t->taken_asks[i]);
	if (!merge_carry(t)) {
		/* out of memory: the carry, older than most of the batch, first */
		for (size_t i = 0; i < t->ncarry; i++)
			fn(ctx, &t->carry[i]);
		t->delivered += t->ncarry;
		t->ncarry = 0;
	}
	sort_batch(t);
	hold_back(t);
	uint64_t t2 = cv_now_ns();
	for (size_t i = 0; i < t->n; i++)
		fn(ctx, &t->batch[i]);
	t->delivered += t->n;
	uint64_t t3 = cv_now_ns();
	if (t3 - t0 > t->slowest.total_ns)
		t->slowest = (struct cv_tracer_slowest){ .total_ns = t3 - t0, .take_ns = t1 - t0,
							 .prepare_ns = t2 - t1, .deliver_ns = t3 - t2,
							 .events = t->n };
	if (t->n)
		t->last_ts = t->batch[t->n - 1].ts;
	drops = kernel_drops(t) + t->lost_taken;
	if (drops > t->dropped) {
		/* in order: after what was delivered, before anything to come */
		uint64_t ts = cv_now_ns();

		if (t->deliver_before && ts >= t->deliver_before)
			ts = t->deliver_before - 1;
		if (t->ncarry && ts > t->carry[0].ts)
			ts = t->carry[0].ts;
		if (ts < t->last_ts)
			ts = t->last_ts;
		struct cv_event lost = { .ts = ts, .type = CV_EV_LOST };

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

void cv_tracer_note_ns_tid(void *tracer, uint32_t ns, uint32_t ns_tid, uint32_t tid)
{
	struct cv_tracer *t = tracer;
	struct { uint32_t ns, tid; } k = { ns, ns_tid }; /* struct ns_tid_key */

	bpf_map__update_elem(t->skel->maps.ns_tids, &k, sizeof(k), &tid, sizeof(tid), BPF_ANY);
}

bool cv_tracer_py_site(struct cv_tracer *t, uint32_t tgid, uint64_t obj, struct cv_py_site *out)
{
	struct cv_py_seen_key k = { .obj = obj, .tgid = tgid };

	return bpf_map__lookup_elem(t->skel->maps.py_seen, &k, sizeof(k), out, sizeof(*out), 0) == 0;
}

uint64_t cv_tracer_dropped(const struct cv_tracer *t)
{
	return t->dropped;
}

uint64_t cv_tracer_dropped_in_memory(const struct cv_tracer *t)
{
	return t->lost_taken; /* the consumer's copy, as of the last take */
}

struct cv_tracer_slowest cv_tracer_slowest_poll(const struct cv_tracer *t)
{
	return t->slowest;
}

uint64_t cv_tracer_delivered(const struct cv_tracer *t)
{
	return t->delivered;
}

uint64_t cv_tracer_moves(struct cv_tracer *t)
{
	return locked_read(t, &t->moves);
}
