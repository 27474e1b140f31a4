// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/stage.h — Events out: the ring buffer, drop counts, the per-CPU
 * stage that sends up to CV_STAGE_EVENTS events in one ring-buffer record,
 * reserve/submit.  A part of concviz.bpf.c, included once there, after the
 * parts it uses. */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* user space may resize before load */
} events SEC(".maps");

/* Ring-buffer reserve failures, per CPU: user space sums and reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CV_DROP_CAUSES);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Events are written into a per-CPU stage and go to the ring buffer
 * CV_STAGE_EVENTS at a time, one bpf_ringbuf_output for all of them: a
 * reserve and a submit cost ~30 ns, as much as the rest of an event.  A
 * stage is emptied when it is full, by submit_now(), and by user space
 * before it reads the ring buffer (it runs cv_flush_stage on every CPU whose
 * stage holds events), and delivers only what was stamped before that
 * flush (user/live/tracer.c), so no event reaches the model after a later
 * one of another CPU's.  IRQ-context probes (a wake-up from a timer interrupt) can
 * interrupt a probe between its reserve and its submit: `depth` counts the
 * reservations outstanding on the CPU, and one made inside another goes
 * to the ring buffer alone, from a slot of `nest`.  Reserve and submit pair
 * last-in first-out (a probe submits before it reserves again), so the
 * depth at submit says where the event is. */
#define CV_STAGE_EVENTS 32
#define CV_STAGE_NEST   3
struct stage_events {
	struct cv_event ev[CV_STAGE_EVENTS];
	struct cv_event nest[CV_STAGE_NEST];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cv_stage_count);
} stage_counts SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stage_events);
} stages SEC(".maps");

/* Wake user space only when this much is queued; otherwise it polls on a
 * short timer.  Batching wake-ups keeps per-event cost low. */
const volatile __u64 wakeup_bytes = 256 << 10;
/* Events per stage before it goes to the ring buffer, at most
 * CV_STAGE_EVENTS (user space lowers it for small ring buffers). */
const volatile __u32 stage_max = CV_STAGE_EVENTS;
static __always_inline void count_drops(__u32 cause, __u64 k)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &cause);

	if (n)
		__sync_fetch_and_add(n, k); /* the flush (an interrupt) may count too */
}

static __always_inline void count_drop(void)
{
	count_drops(CV_DROP_RING_FULL, 1);
}

/* Send the stage's n events as one ring-buffer record, waking user space
 * once wakeup_bytes are queued (or at once). */
static __always_inline void stage_send(struct cv_stage_count *c, struct stage_events *s, __u32 n,
				       bool wake_now)
{
	__u64 size = (__u64)(n & (2 * CV_STAGE_EVENTS - 1)) * sizeof(struct cv_event);
	__u64 flags = wake_now ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	c->n = 0;
	if (size > sizeof(s->ev) || !size)
		return;
	if (!wake_now && bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, s->ev, size, flags))
		count_drops(CV_DROP_RING_FULL, n);
}

/* An event in this CPU's stage, stamped now: after the claim, so that a
 * flush that finds no reservation outstanding has every event stamped
 * before it (user space delivers up to the flush's time).  A probe that
 * needs the time for more than the event takes it from e->ts (one clock
 * read: it costs about as much as the rest of the event).  Every reserve
 * that returns an event is paired with a submit before the probe reserves
 * again (or the second nests). */
static __always_inline struct cv_event *reserve(__u16 type, __u32 tid, __u32 pid)
{
	__u32 zero = 0, d;
	struct cv_stage_count *c = bpf_map_lookup_elem(&stage_counts, &zero);
	struct stage_events *s = bpf_map_lookup_elem(&stages, &zero);
	struct cv_event *e;

	if (!c || !s) {
		count_drop();
		return 0;
	}
	/* claim first, then pick the slot: a probe interrupting us before the
	 * claim used the stage and left it as it was but for n, which is read
	 * after; one interrupting us after it nests, and user space's flush
	 * (an interrupt too) waits */
	d = c->depth;
	if (d > CV_STAGE_NEST) {
		count_drops(CV_DROP_NESTED, 1);
		return 0;
	}
	c->depth = d + 1;
	asm volatile("" ::: "memory");
	if (d == 0) {
		e = &s->ev[c->n & (CV_STAGE_EVENTS - 1)]; /* n < stage_max <= CV_STAGE_EVENTS */
	} else {
		__u32 k = d - 1;

		asm volatile("" : "+r"(k)); /* the verifier bounds k itself, not d */
		if (k >= CV_STAGE_NEST)
			k = 0; /* not reached: d <= CV_STAGE_NEST */
		e = &s->nest[k];
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_boot_ns();
	e->tid = tid;
	e->pid = pid;
	e->type = type;
	e->cpu = bpf_get_smp_processor_id();
	return e;
}

/* The event reserved last on this CPU is complete: staged (the stage goes
 * out when full, or now: wake_now), or, reserved inside another probe's
 * reservation, sent alone. */
static __always_inline void submit_event(bool wake_now)
{
	__u32 zero = 0, d, n;
	struct cv_stage_count *c = bpf_map_lookup_elem(&stage_counts, &zero);
	struct stage_events *s = bpf_map_lookup_elem(&stages, &zero);

	if (!c || !s || !c->depth)
		return;
	d = c->depth - 1;
	if (d == 0) {
		n = c->n + 1;
		c->n = n;
		if (n >= stage_max || wake_now)
			stage_send(c, s, n, wake_now);
	} else {
		__u32 k = d - 1;

		asm volatile("" : "+r"(k));
		if (k < CV_STAGE_NEST &&
		    bpf_ringbuf_output(&events, &s->nest[k], sizeof(struct cv_event),
				       wake_now ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP))
			count_drop();
	}
	/* last: user space's flush skips a stage while a probe is in it */
	c->depth = d;
}

static __always_inline void submit(struct cv_event *e)
{
	submit_event(false);
}

/* Submit and wake user space now (not batched). */
static __always_inline void submit_now(struct cv_event *e)
{
	submit_event(true);
}

/* Run by user space on each CPU (BPF_PROG_TEST_RUN, BPF_F_TEST_RUN_ON_CPU:
 * in an interrupt on another CPU) before it reads the ring buffer: sends
 * the stage.
 * Returns 1 when a probe on that CPU was interrupted with a reservation
 * outstanding (user space runs it again). */
SEC("raw_tp")
int cv_flush_stage(void *ctx)
{
	__u32 zero = 0;
	struct cv_stage_count *c = bpf_map_lookup_elem(&stage_counts, &zero);
	struct stage_events *s = bpf_map_lookup_elem(&stages, &zero);

	if (!c || !s)
		return 0;
	if (c->depth)
		return 1;
	/* claimed like a reservation: on the caller's own CPU this runs with
	 * interrupts on, and a probe in one must nest, not stage */
	c->depth = 1;
	asm volatile("" ::: "memory");
	if (c->n)
		stage_send(c, s, c->n, false);
	c->depth = 0;
	return 0;
}

static __always_inline struct cv_event *reserve_current(__u16 type)
{
	__u64 id = bpf_get_current_pid_tgid();

	return reserve(type, (__u32)id, id >> 32);
}
