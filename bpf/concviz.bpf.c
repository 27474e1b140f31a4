// SPDX-License-Identifier: GPL-2.0
/* concviz.bpf.c — the probes.  Tracepoints only (this kernel has no kprobes
 * and no fentry).  Every program first asks "is this task traced?" — a task
 * local storage lookup, a couple of loads — and returns at once otherwise.
 *
 * A task is traced when it has an entry in `tstate`.  Entries are created
 *  - for the task whose tgid equals `seed_tgid` (user space sets it: the
 *    forked target of `run`, or the process of `attach`), lazily, the first
 *    time any probe sees one of its threads;
 *  - for every child of a traced task at fork (threads and processes).
 * Task storage dies with the task, so nothing leaks on exit paths.
 *
 * The entry also holds the thread's in-flight syscall, so one receive, one
 * multiplexer call, one futex wait, one io_uring_enter becomes ONE event at
 * syscall exit (see events.h).  There is no sys_enter probe: a call is
 * begun from the thread's saved registers when it blocks, or at its exit
 * (see "syscalls" below).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "syscalls.h"
#include "cpython.h"

char LICENSE[] SEC("license") = "GPL";

#define IORING_CQE_F_MORE 2

struct task_state {
	__u32 kind;       /* the syscall in flight: cv_sys_block(sys), CV_BLK_NONE none */
	__u32 sys;        /* enum cv_sys */
	__u64 enter_ts;   /* its first block (switch-out), 0: it has not blocked */
	__u64 copy_ts;    /* RECV: first copy to user, set by the skb probe inside one of
			   * our receive syscalls (also before the call is begun), cleared
			   * at the exit of every syscall we follow */
	__u64 obj;        /* FUTEX: address; RECV: fd; MUX: nfds */
	__s64 arg;        /* MUX: timeout ms; URING: to_submit|min_complete<<32 */
	__u32 flags;      /* CV_CALL_* */
	__u32 owner;      /* FUTEX: owner tid read at enter */
	__u32 waker;      /* FUTEX: traced thread that woke us */
	__u32 op;         /* FUTEX op / URING enter flags */
	__u32 waking_tid, waking_pid; /* who called try_to_wake_up, until sched_wakeup */
	__u8 lkind;       /* FUTEX: enum cv_lock_kind of the object waited on */
	__u8 handlers;    /* CV_CALL_HANDLER_*: the handler on the way out of the last
			   * RECV/MUX/FUTEX call, for the next such event (on_signal_deliver) */
	__u16 obj_off;    /* FUTEX: the word's offset in that object */
	__u32 ukind;      /* the glibc object entered last (uprobes): enum cv_lock_kind … */
	__u64 uobj;       /* … and its address: its futex waits are that kind */
	__u64 py_tstate;  /* this thread's PyThreadState, once found (checked at use) */
	__u32 py_new;     /* FUTEX: the first wait on a Python lock: wake user space
			   * when the thread blocks, to name it from its frames */
	__u64 sem_arg;    /* (--lock-holders) the sem_t of the sem_*wait in flight */
	__u64 ino;        /* RECV: the fd's inode number at enter */
	__u64 uptr[3];    /* MUX: the user arrays the ready fds come back in: poll's
			   * pollfds; select's read/write/except sets; epoll's events */
	__u64 run_delay;  /* the kernel's sched_info.run_delay as of the thread's last
			   * switch-in (0 at fork; as it was when a seeded thread
			   * was first seen) */
	__u64 uncharged;  /* on a CPU, time the kernel did not charge it (rq_uncharged) */
	__u64 uncharged_mark; /* rq_uncharged at its last switch-in, 0 not seen */
	/* the fd (desc_fd - 1, 0: none) and inode this thread last saw
	 * described, at fd_desc_gen: its receives on it skip fdseen's lookup */
	__u64 desc_ino;
	__u64 desc_gen;
	__u32 desc_fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} tstate SEC(".maps");

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

struct uring_req {
	__u64 submit_ts;
	__u32 tid, pid;
	__u32 opcode, pad;
};

/* io_uring request (kernel pointer) -> who submitted it.  Completions can be
 * posted from any context (task work, io-wq workers), so they are matched
 * to their submitter here, not by the current task. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct uring_req);
} uring_reqs SEC(".maps");

/* Condition variables seen entered (uprobe on pthread_cond_*wait): a futex
 * wait on one of their words from elsewhere (pthread_cond_signal waiting for
 * the old group's references to drain, pthread_cond_destroy) is known as
 * that condvar's, without a probe on those hotter functions. */
struct lock_obj_key {
	__u32 tgid, pad;
	__u64 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct lock_obj_key);
	__type(value, __u32);
} lock_objs SEC(".maps");

/* CPython processes (bpf/cpython.h): filled by user space, inherited at fork */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct cv_py_proc);
} py_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, struct cv_py_rule);
} py_rules SEC(".maps");

/* Python locks already waited on (tgid, key): a first one wakes user space */
struct py_seen_key {
	__u64 obj;
	__u32 tgid, pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct py_seen_key);
	__type(value, __u8);
} py_seen SEC(".maps");

/* Requests to user space to look at a process's interpreter (not events:
 * not recorded): struct cv_py_ask, at exec and at the first new thread of
 * a process not looked at yet. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 10); /* thousands of asks between two polls */
} py_asks SEC(".maps");
/* (--lock-holders) sem_t -> the thread that took it last and has not posted
 * it: a semaphore's holder (CPython's Lock is a sem_t), from uprobes on
 * sem_wait/sem_timedwait/sem_clockwait/sem_trywait (return 0) and sem_post. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lock_obj_key);
	__type(value, __u32);
} sem_holders SEC(".maps");

/* (pid, fd) -> the inode it named at its last CV_EV_FD: a descriptor is
 * described once, and again only when its number names another object. */
struct fd_key {
	__u32 pid, fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fd_key);
	__type(value, __u64);
} fdseen SEC(".maps");

/* ---- the per-CPU stage -----------------------------------------------------
 * Events are written into a per-CPU stage and go to the ring buffer
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

/* Written by user space through the skeleton's .bss. */
volatile __u32 seed_tgid;
/* Wake user space only when this much is queued; otherwise it polls on a
 * short timer.  Batching wake-ups keeps per-event cost low. */
const volatile __u64 wakeup_bytes = 256 << 10;
/* Events per stage before it goes to the ring buffer, at most
 * CV_STAGE_EVENTS (user space lowers it for small ring buffers). */
const volatile __u32 stage_max = CV_STAGE_EVENTS;
/* the signal_deliver probe is loaded: call events say which handlers ran */
const volatile bool handlers_known = false;

/* t's run queue, reached through its group's cfs_rq (set for every class):
 * per-CPU variables have no address here (no KALLSYMS_ALL).  NULL when this
 * kernel has no such link (no FAIR_GROUP_SCHED). */
static __always_inline struct rq *task_rq(struct task_struct *t)
{
	return bpf_core_field_exists(struct cfs_rq, rq) ? t->se.cfs_rq->rq : 0;
}

/* The run-queue delay the kernel has counted for t (on run queue rq), up to
 * now: its sched_info.run_delay and, while it is queued, what
 * sched_info_arrive() will add when it gets a CPU (rq_clock - last_queued;
 * a switch-in's tracepoint fires just before that).  False when this kernel
 * has no such figures (no SCHED_INFO, no run queue).  Plain loads. */
static __always_inline bool kernel_run_delay_known(struct task_struct *t, struct rq *rq)
{
	return bpf_core_field_exists(t->sched_info) && rq;
}

static __always_inline bool kernel_run_delay(struct task_struct *t, struct rq *rq, __u64 *total)
{
	__u64 queued, clock;

	if (!kernel_run_delay_known(t, rq))
		return false;
	*total = t->sched_info.run_delay;
	queued = t->sched_info.last_queued;
	clock = rq->clock;
	if (queued && clock > queued)
		*total += clock - queued;
	return true;
}

/* The time run queue rq did not charge to the tasks that ran on it, so far:
 * rq->clock - rq->clock_task, the host's steal (PARAVIRT_TIME_ACCOUNTING)
 * and interrupt time (IRQ_TIME_ACCOUNTING), as of the clock's last update,
 * which is where the kernel's CPU charges start and end.  0 when this kernel
 * has no such figure. */
static __always_inline __u64 rq_uncharged(struct rq *rq)
{
	return rq && rq->clock > rq->clock_task ? rq->clock - rq->clock_task : 0;
}

/* What the kernel has not charged st's thread in its current run, which
 * began at its switch-in's mark, up to u (rq_uncharged now). */
static __always_inline __u64 run_uncharged(const struct task_state *st, __u64 u)
{
	return st->uncharged_mark && u > st->uncharged_mark ? u - st->uncharged_mark : 0;
}

static __always_inline struct task_state *traced(struct task_struct *t)
{
	struct task_state *st = bpf_task_storage_get(&tstate, t, 0, 0);

	if (st)
		return st;
	if (seed_tgid && (__u32)t->tgid == seed_tgid) {
		st = bpf_task_storage_get(&tstate, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		/* what it waited before it was traced is not the trace's */
		if (st)
			kernel_run_delay(t, task_rq(t), &st->run_delay);
	}
	return st;
}

static __always_inline struct task_state *traced_current(void)
{
	return traced(bpf_get_current_task_btf());
}

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

/* ---- the syscall a thread is in, from its saved user registers ----------
 * While a task is inside a syscall, the registers it entered with are saved
 * at the top of its kernel stack: the number and the arguments.  x86-64:
 * orig_ax is the number (exceptions and interrupts store -1 there), and ax
 * is -ENOSYS until the syscall returns and its result replaces it: a stop
 * after the exit (ptrace, SIGSTOP on the way back to user mode) is not
 * inside it.  A stop at the entry (ptrace, seccomp's tracer) is inside it
 * but is not its wait: the caller skips stopped and traced switch-outs.
 * arm64 has no such mark: x0 is replaced by the result at the return, so a
 * thread whose x0 still equals orig_x0 is taken as inside (a result equal
 * to the first argument looks the same; its next followed exit drops that
 * begin if the numbers differ).  x86 compat (i386) calls have their own
 * numbers: not followed (TS_COMPAT). */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(r) ((long)(r)->orig_ax) /* a BTF pointer: a plain load */
#define SYSCALL_RET(r) ((long)(r)->ax)
#define HANDLERS_EXACT 1 /* on_signal_deliver */
#define IN_SYSCALL(r) ((long)(r)->ax == -38 /* -ENOSYS */)
#define CV_TS_COMPAT 0x0002
#define COMPAT_TASK(t) ((t)->thread_info.status & CV_TS_COMPAT) /* a BTF pointer */
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(r) ((long)(r)->syscallno)
#define HANDLERS_EXACT 0
#define IN_SYSCALL(r) ((long)(r)->syscallno >= 0 && (r)->regs[0] == (r)->orig_x0)
#define COMPAT_TASK(t) 0
#endif
/* prev_state bits of a stop, not a wait (the kernel's __TASK_STOPPED, __TASK_TRACED) */
#define CV_TASK_STOPPED 0x0004
#define CV_TASK_TRACED  0x0008
/* regs is a BTF pointer (bpf_task_pt_regs, sys_exit's argument): plain loads,
 * not probe reads (a probe read costs ~10 ns; the begin reads five) */
#define ARG1(r) PT_REGS_PARM1_SYSCALL(r)
#define ARG2(r) PT_REGS_PARM2_SYSCALL(r)
#define ARG3(r) PT_REGS_PARM3_SYSCALL(r)
#define ARG4(r) PT_REGS_PARM4_SYSCALL(r)
#define ARG5(r) PT_REGS_PARM5_SYSCALL(r)

/* One call to begin, as its registers give it (call_begin's argument) */
struct sys_call {
	__u64 arg[5];
	__u64 start_ts;   /* the switch-out it blocked at; 0 at its exit (not seen) */
	__u32 sys;        /* enum cv_sys */
	__u32 at_exit;    /* begun at the exit: the kernel has written back results
			   * (select's, ppoll's remaining timeout) */
};

static __always_inline void read_call(struct sys_call *c, struct pt_regs *regs)
{
	c->arg[0] = ARG1(regs);
	c->arg[1] = ARG2(regs);
	c->arg[2] = ARG3(regs);
	c->arg[3] = ARG4(regs);
	c->arg[4] = ARG5(regs);
}

int call_begin(struct task_state *st, const struct sys_call *c);

/* A traced thread blocks with no call begun: if it is inside one of ours,
 * begin that now, so the switch-out says what it waits for and its wait
 * starts here (what ran of the call before is CPU time, shown as running). */
static __always_inline void begin_at_block(struct task_struct *t, struct task_state *st, __u64 now)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	struct sys_call c = {};

	if (!regs || !IN_SYSCALL(regs) || !cv_nr_followed(SYSCALL_NR(regs)) || COMPAT_TASK(t))
		return;
	c.sys = cv_sys_of_nr(SYSCALL_NR(regs));
	c.start_ts = now;
	read_call(&c, regs);
	call_begin(st, &c);
}

/* ---- scheduler ---------------------------------------------------------- */

/* A receive with no skb_copy_datagram_iovec (pipe, FIFO, POSIX mq): its copy
 * phase is marked by the switch-in after it blocked, or by its enter. */
static __always_inline bool no_skb_recv(const struct task_state *st)
{
	return (st->flags & CV_CALL_PIPE) || st->sys == CV_SYS_MQ_TIMEDRECEIVE;
}

/* The run-queue delay the kernel counted for next since its last switch-in
 * (kernel_run_delay: it grows at a dequeue while queued, a move to another
 * CPU, and at arrival).  The kernel counts by its run-queue clock, which may
 * be stale (a skipped update): the difference between this figure and the
 * traced wait is what the kernel counts as CPU time instead
 * (docs/time-accounting.md).  The flag goes on every switch this kernel can
 * say it for, traced next or not: user space also needs to know that the
 * next it sees untraced had no figure to give. */
static __always_inline void next_run_delay(struct cv_event *e, struct task_struct *next,
					   struct rq *rq, struct task_state *ns)
{
	__u64 total;

	if (!kernel_run_delay_known(next, rq))
		return;
	e->flags |= CV_SW_KCLOCK;
	if (!ns || !kernel_run_delay(next, rq, &total))
		return;
	e->sw.next_run_delay = total > ns->run_delay ? total - ns->run_delay : 0;
	ns->run_delay = total;
}

/* What the kernel does not charge a traced thread while it runs, run by
 * run: from its switch-in's mark to its switch-out (one run queue: the
 * switch's; both are the clock instants the kernel charges between). */
static __always_inline void uncharged_at_switch(struct rq *rq, struct task_state *ps,
						struct task_state *ns)
{
	__u64 u = rq_uncharged(rq);

	if (ps) {
		ps->uncharged += run_uncharged(ps, u);
		ps->uncharged_mark = 0;
	}
	if (ns)
		ns->uncharged_mark = u;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_sched_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct task_state *ps = traced(prev);
	struct task_state *ns = traced(next);
	struct cv_event *e;
	__u32 block = CV_BLK_NONE;
	bool blocked = !preempt && prev_state != 0;
	struct rq *rq;
	__u64 now;

	__u32 flags = 0;

	/* test each pointer on its own: clang would OR them, which the verifier rejects */
	if (ps)
		flags |= CV_SW_PREV_TRACED;
	if (ns)
		flags |= CV_SW_NEXT_TRACED;
	asm volatile("" : "+r"(flags));
	if (!flags)
		return 0;
	/* the block is the switch: one clock read for both (the event's; a
	 * description the begin sends nests in its reservation) */
	e = reserve(CV_EV_SWITCH, prev->pid, prev->tgid);
	now = e ? e->ts : bpf_ktime_get_boot_ns();
	if (ps && blocked && ps->kind == CV_BLK_NONE &&
	    !(prev_state & (CV_TASK_STOPPED | CV_TASK_TRACED)))
		begin_at_block(prev, ps, now);
	rq = task_rq(next); /* this CPU's */
	uncharged_at_switch(rq, ps, ns); /* kept even when the event is lost */
	if (!e)
		return 0;
	e->flags = flags | (preempt ? CV_SW_PREEMPT : 0) | (blocked ? CV_SW_PREV_BLOCKED : 0);
	e->sw.next_tid = next->pid;
	e->sw.next_pid = next->tgid;
	e->sw.prev_state = prev_state;
	next_run_delay(e, next, rq, ns);
	if (ps) {
		switch (ps->kind) {
		case CV_BLK_RECV:
			if (ps->copy_ts) {
				block = CV_BLK_RECV_COPY;
				e->sw.obj = ps->copy_ts;
			} else {
				block = CV_BLK_RECV;
			}
			break;
		case CV_BLK_MUX:
		case CV_BLK_ACCEPT:
			block = ps->kind;
			break;
		case CV_BLK_FUTEX:
			block = CV_BLK_FUTEX;
			e->sw.obj = ps->obj;
			e->sw.owner_tid = ps->owner;
			e->sw.lock_kind = ps->lkind;
			e->sw.obj_off = ps->obj_off;
			if (ps->flags & CV_CALL_SHARED)
				e->flags |= CV_SW_LOCK_SHARED;
			if (ps->flags & CV_CALL_PYOBJ)
				e->flags |= CV_SW_LOCK_PYOBJ;
			break;
		case CV_BLK_URING:
			/* only an enter that waits for completions is a uring wait */
			block = cv_uring_enter_waits(ps->op, (__u64)ps->arg >> 32)
				? CV_BLK_URING : CV_BLK_NONE;
			break;
		}
		if (blocked && ps->kind != CV_BLK_NONE)
			ps->flags |= CV_CALL_BLOCKED;
	}
	/* a pipe or mq receive back on a CPU after it blocked: its data is
	 * there (no skb copy tracepoint marks it), the copy phase begins */
	if (ns && ns->kind == CV_BLK_RECV && !ns->copy_ts && (ns->flags & CV_CALL_BLOCKED) &&
	    no_skb_recv(ns))
		ns->copy_ts = e->ts;
	/* back on a CPU outside a call: a wake remembered since is no call's */
	if (ns && ns->kind == CV_BLK_NONE)
		ns->waker = 0;
	e->sw.block = block;
	/* a Python lock's first wait: user space names it while it waits */
	if (ps && block == CV_BLK_FUTEX && ps->py_new && blocked) {
		ps->py_new = 0;
		submit_now(e);
		return 0;
	}
	submit(e);
	return 0;
}

/* sched_waking fires in the waker, before the wakee is on a run queue (its
 * CPU may first have to be woken by an IPI): remember who woke it.  The
 * wakee becomes runnable at sched_wakeup, when it is enqueued, as the
 * kernel's run-queue accounting (schedstat run_delay) counts it. */
static __always_inline int on_waking(struct task_struct *p)
{
	struct task_state *st = traced(p);
	__u64 id;

	if (!st)
		return 0;
	id = bpf_get_current_pid_tgid();
	/* a futex wait ended by a traced thread: remember who woke it.  With no
	 * call begun yet too: the wake can come between the futex's queueing
	 * and the switch-out that begins the call (then kept by begin) */
	if (st->kind == CV_BLK_FUTEX || st->kind == CV_BLK_NONE) {
		if (traced_current())
			st->waker = (__u32)id;
		else if (st->kind == CV_BLK_NONE)
			st->waker = 0;
	}
	st->waking_tid = (__u32)id;
	st->waking_pid = id >> 32;
	return 0;
}

static __always_inline int on_wakeup(struct task_struct *p)
{
	struct task_state *st = traced(p);
	struct cv_event *e;

	if (!st)
		return 0;
	e = reserve(CV_EV_WAKEUP, p->pid, p->tgid);
	if (!e)
		return 0;
	e->wake.waker_tid = st->waking_tid;
	e->wake.waker_pid = st->waking_pid;
	/* the run queue it was just put on */
	e->wake.target_cpu = p->thread_info.cpu; /* a BTF pointer: a plain load */
	st->waking_tid = st->waking_pid = 0;
	submit(e);
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(on_sched_waking, struct task_struct *p)
{
	return on_waking(p);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_sched_wakeup, struct task_struct *p)
{
	return on_wakeup(p);
}

/* ---- CPython (bpf/cpython.h) --------------------------------------------- */

static __always_inline void py_ask(__u32 tgid, __u32 why)
{
	struct cv_py_ask a = { .tgid = tgid, .why = why };

	bpf_ringbuf_output(&py_asks, &a, sizeof(a), BPF_RB_FORCE_WAKEUP);
}

/* A new process has its parent's memory, so its parent's interpreter; the
 * first new thread of a process nobody looked at yet asks user space to:
 * by then the interpreter (the executable or libpython) is mapped. */
static __always_inline void py_on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct cv_py_proc *p = bpf_map_lookup_elem(&py_procs, &ptgid);

	if (child->pid == child->tgid) {
		if (p)
			bpf_map_update_elem(&py_procs, &ctgid, p, BPF_ANY);
	} else if (!p) {
		py_ask(ctgid, CV_PY_ASK_THREAD);
	}
}

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* The kernel tid of the thread holding the GIL, 0 if it is free or unknown
 * (or is the waiter itself: a thread that dropped it waits for another to
 * take it, and last_holder still names the dropper). */
static __always_inline __u32 py_gil_holder(const struct cv_py_proc *p, __u32 self)
{
	__u32 locked = 0, tid;
	__u64 ts;

	bpf_probe_read_user(&locked, sizeof(locked), (void *)(p->gil + p->gil_locked));
	if (!locked)
		return 0;
	ts = read_ptr(p->gil + p->gil_last_holder);
	tid = ts ? (__u32)read_ptr(ts + p->ts_native_tid) : 0;
	return tid == self ? 0 : tid;
}

/* A thread state's innermost Python frame, 0 if it runs no Python code. */
static __always_inline __u64 py_current_frame(const struct cv_py_proc *p, __u64 ts)
{
	__u64 frame = read_ptr(ts + p->ts_frame);

	if (p->frame_holder_current && frame)
		frame = read_ptr(frame + p->frame_holder_current);
	return frame;
}

/* The waiting thread's innermost Python frame, through its PyThreadState:
 * the one remembered if it still names this thread, else a bounded search
 * of the interpreter's thread list.  A thread being started has a state
 * that still carries its creator's thread id (3.11 fills it in when the
 * new thread runs) and no frame: a match without a frame is not it. */
static __always_inline __u64 py_frame(struct task_state *st, const struct cv_py_proc *p, __u32 tid)
{
	__u64 ts = st->py_tstate, frame;

	if (ts && (__u32)read_ptr(ts + p->ts_native_tid) == tid &&
	    (frame = py_current_frame(p, ts)))
		return frame;
	ts = read_ptr(read_ptr(p->interp_head) + p->interp_threads);
	for (int i = 0; i < CV_PY_THREADS && ts; i++) {
		if ((__u32)read_ptr(ts + p->ts_native_tid) == tid &&
		    (frame = py_current_frame(p, ts))) {
			st->py_tstate = ts;
			return frame;
		}
		ts = read_ptr(ts + p->ts_next);
	}
	return 0;
}

/* cv_py_rule_hash of a code object: its file's base name and its qualname,
 * both compact ASCII strings (any other string hashes to no rule).  A
 * global function: the verifier checks its loops once, not once per frame
 * of py_classify's loop in each program that begins futex waits. */
__noinline __u64 py_code_hash(const struct cv_py_proc *p, __u64 code)
{
	char buf[CV_PY_NAME_MAX];
	__u64 h = CV_PY_HASH_INIT, str, len = 0, from;

	if (!p)
		return 0;
	str = read_ptr(code + p->code_filename);
	bpf_probe_read_user(&len, sizeof(len), (void *)(str + p->str_length));
	from = len > CV_PY_FILE_TAIL ? len - CV_PY_FILE_TAIL : 0;
	if (bpf_probe_read_user(buf, CV_PY_FILE_TAIL, (void *)(str + p->str_ascii_data + from)))
		return 0;
#pragma clang loop unroll(disable)
	for (__u64 i = 0; i < CV_PY_FILE_TAIL && i < len - from; i++)
		h = buf[i] == '/' ? CV_PY_HASH_INIT : cv_py_hash_step(h, buf[i]);
	h = cv_py_hash_step(h, 0);
	str = read_ptr(code + p->code_qualname);
	if (bpf_probe_read_user_str(buf, sizeof(buf), (void *)(str + p->str_ascii_data)) <= 0)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < CV_PY_NAME_MAX && buf[i]; i++)
		h = cv_py_hash_step(h, buf[i]);
	return h;
}

/* A futex wait of a thread running Python code: which object it waits for.
 * Frames of the standard library that have a rule (Condition.wait, and its
 * callers Event.wait, Queue.get, …) name the object and its kind; a wait
 * straight from the program's code is a Lock/RLock acquire (their sem_t). */
static __always_inline void py_classify(struct task_state *st, const struct cv_py_proc *p, __u32 tid)
{
	__u64 frame = py_frame(st, p, tid), key = 0;
	const struct cv_py_rule *found = 0;

	if (!frame)
		return; /* no Python code on this thread's stack */
#pragma clang loop unroll(disable)
	for (int i = 0; i < CV_PY_FRAMES && frame; i++) {
		__u64 c = read_ptr(frame + p->frame_code), h = c ? py_code_hash(p, c) : 0;
		const struct cv_py_rule *r = h ? bpf_map_lookup_elem(&py_rules, &h) : 0;

		if (!r)
			break;
		__u64 k = r->key == CV_PY_KEY_CODE ? c : read_ptr(frame + p->frame_self);
		/* an outer frame whose object cannot be read keeps the inner one */
		if (k) {
			found = r;
			key = k;
		} else if (!found) {
			found = r;
		}
		if (!r->refine)
			break;
		frame = read_ptr(frame + p->frame_previous);
	}
	if (found && key) {
		st->lkind = found->kind;
		st->obj = key;
		st->obj_off = 0;
		st->owner = 0;
		st->flags = (st->flags & ~CV_CALL_IS_MUTEX) | CV_CALL_PYOBJ;
	} else if (!found && (st->lkind == CV_LK_FUTEX || st->lkind == CV_LK_SEMAPHORE)) {
		/* threading.Lock/RLock and multiprocessing.Lock are sem_t underneath */
		st->lkind = CV_LK_MUTEX;
	} else {
		return;
	}
	struct py_seen_key k = { .obj = st->obj, .tgid = bpf_get_current_pid_tgid() >> 32 };
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&py_seen, &k)) {
		bpf_map_update_elem(&py_seen, &k, &one, BPF_ANY);
		st->py_new = 1;
	}
}

/* A futex wait of a thread of a CPython process: the GIL's words are one
 * lock, kind gil, whose holder the interpreter records.  A global function:
 * the verifier checks it once, not at each futex call site (it doubled
 * the syscall begin and added ~30 ms to every start inlined). */
__noinline int py_futex(struct task_state *st, __u64 addr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	const struct cv_py_proc *p = bpf_map_lookup_elem(&py_procs, &tgid);

	if (!st || !p || !p->gil)
		return 0;
	if (addr - p->gil < p->gil_size) {
		st->lkind = CV_LK_GIL;
		st->obj_off = addr - p->gil;
		st->owner = py_gil_holder(p, (__u32)id);
		st->flags &= ~CV_CALL_IS_MUTEX;
		return 0;
	}
	py_classify(st, p, (__u32)id);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_state *cs;
	struct cv_event *e;

	if (!traced(parent))
		return 0;
	cs = bpf_task_storage_get(&tstate, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cs)
		return 0;
	py_on_fork(parent, child);
	e = reserve(CV_EV_TASK, child->pid, child->tgid);
	if (!e)
		return 0;
	e->flags = child->pid == child->tgid ? CV_TASK_PROCESS : 0;
	e->task.parent_tid = parent->pid;
	e->task.parent_pid = parent->tgid;
	bpf_probe_read_kernel_str(e->task.comm, sizeof(e->task.comm), child->comm);
	/* the kernel clears and futex-wakes this word when the thread exits:
	 * it is what pthread_join waits on */
	e->task.join_addr = (__u64)BPF_CORE_READ(child, clear_child_tid);
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_sched_process_exit, struct task_struct *p, bool group_dead)
{
	struct cv_event *e;

	/* traced(): a thread of an attached process may not be marked yet */
	struct task_state *st = traced(p);

	if (!st)
		return 0;
	if (group_dead) {
		__u32 tgid = p->tgid;

		bpf_map_delete_elem(&py_procs, &tgid);
	}
	e = reserve(CV_EV_EXIT, p->pid, p->tgid);
	if (e) {
		/* the run it exits in, too: it is on a CPU */
		e->exit.kernel_uncharged_ns = st->uncharged + run_uncharged(st, rq_uncharged(task_rq(p)));
		e->exit.exit_code = BPF_CORE_READ(p, exit_code);
		e->exit.group_dead = group_dead;
		/* the kernel's own accounting (what schedstat, top and time show),
		 * so a user can compare; docs/time-accounting.md says why they differ */
		e->exit.kernel_cpu_ns = BPF_CORE_READ(p, se.sum_exec_runtime);
		if (bpf_core_field_exists(p->sched_info))
			e->exit.kernel_run_delay_ns = BPF_CORE_READ(p, sched_info.run_delay);
		submit(e);
	}
	/* the task's last context switch is not its own any more */
	bpf_task_storage_delete(&tstate, p);
	return 0;
}

/* A thread other than the leader called exec: it takes over the leader's
 * PID (the old leader's exit was traced).  Say that the thread with the old
 * TID is gone and a process leader with the PID begins. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct cv_event *e;
	__u32 tgid = p->tgid;

	if (!traced(p))
		return 0;
	/* a new program: whatever interpreter it has, user space looks again */
	bpf_map_delete_elem(&py_procs, &tgid);
	py_ask(tgid, CV_PY_ASK_EXEC);
	if (old_pid == p->pid)
		return 0;
	e = reserve(CV_EV_EXIT, old_pid, p->tgid);
	if (e)
		submit(e);
	e = reserve(CV_EV_TASK, p->pid, p->tgid);
	if (!e)
		return 0;
	e->flags = CV_TASK_PROCESS;
	bpf_probe_read_kernel_str(e->task.comm, sizeof(e->task.comm), p->comm);
	submit(e);
	return 0;
}

SEC("tp_btf/task_rename")
int BPF_PROG(on_task_rename, struct task_struct *task, const char *comm)
{
	struct cv_event *e;

	if (!traced(task))
		return 0;
	e = reserve(CV_EV_COMM, task->pid, task->tgid);
	if (!e)
		return 0;
	bpf_probe_read_kernel_str(e->comm.comm, sizeof(e->comm.comm), comm);
	submit(e);
	return 0;
}

/* ---- syscalls -----------------------------------------------------------
 * One raw (BTF) tracepoint sees every syscall's exit; the number is tested
 * first, one bit in a map (syscalls.h).  There is no sys_enter probe: each
 * all-syscall program taxes every process on the machine (bench/README.md).
 * A call we follow is begun (call_begin) from the registers it entered with
 *  - at the switch-out where a traced thread blocks in it (begin_at_block):
 *    enter_ts is that switch-out, the start of its wait;
 *  - else at its exit, enter_ts 0: it did not block, its start is not seen.
 * The exit turns it into one event.  Raw tracepoints need no tracefs (a
 * fresh machine has none mounted).  Which syscalls, by number, and what
 * they wait for: syscalls.h, the table attach seeding uses too. */

static __always_inline void begin(struct task_state *st, const struct sys_call *c)
{
	st->kind = cv_sys_block(c->sys);
	st->sys = c->sys;
	st->enter_ts = c->start_ts;
	/* copy_ts stays: the skb probe may have seen a copy before the block */
	st->obj = 0;
	st->arg = 0;
	st->flags = 0;
	st->owner = 0;
	/* waker stays: a wake before the switch-out that begins the call is
	 * its wake; it is cleared at the exit and at a switch-in outside a call */
	st->op = 0;
	st->lkind = CV_LK_FUTEX;
	st->obj_off = 0;
	st->ino = 0;
	st->py_new = 0;
}

/* read(2) is a receive when the fd is a socket, a pipe or a FIFO: look the
 * file up in the thread's fd table (only for traced threads, a handful of
 * loads).  Its inode's file type: S_IFSOCK, S_IFIFO (pipes and FIFOs), 0 unknown. */
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFIFO 0010000
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* The file fd names, as a BTF pointer (plain loads from it), or 0.  The
 * table's slot is the one probe read: an array of pointers is no BTF type. */
static __always_inline struct file *fd_file(unsigned long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct files_struct *files = t->files;
	struct fdtable *fdt = files ? files->fdt : 0;
	struct file **fds, *f = 0;

	if (!fdt || fd >= fdt->max_fds)
		return 0;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	return bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
}

static __always_inline __u32 file_type(struct file *f)
{
	return f ? f->f_inode->i_mode & S_IFMT : 0;
}

#define PIPEFS_MAGIC 0x50495045
#define MQUEUE_MAGIC 0x19800202
#define CV_AF_INET 2
#define CV_AF_INET6 10
#define CV_AF_UNIX 1
#define CV_IPPROTO_TCP 6
#define CV_IPPROTO_UDP 17

/* the start of a file's name (its dentry's), for a FIFO or a queue */
static __always_inline void fd_dentry_name(struct cv_event *e, struct file *f)
{
	const unsigned char *name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	__u32 len = BPF_CORE_READ(f, f_path.dentry, d_name.len);
	long n = bpf_probe_read_kernel_str(e->fd.name, sizeof(e->fd.name), name);

	e->fd.name_len = n > 0 ? n - 1 : 0;
	if (len > e->fd.name_len)
		e->flags |= CV_FD_NAME_TRUNC;
}

/* a UNIX socket's address, or its peer's when it has none */
static __always_inline void fd_unix_name(struct cv_event *e, struct sock *sk)
{
	struct unix_address *a = BPF_CORE_READ((struct unix_sock *)sk, addr);
	int len;

	if (!a) {
		struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);

		if (!peer || !(a = BPF_CORE_READ((struct unix_sock *)peer, addr)))
			return;
		e->flags |= CV_FD_NAME_PEER;
	}
	len = BPF_CORE_READ(a, len) - 2; /* less sun_family */
	if (len <= 0)
		return;
	if (len > (int)sizeof(e->fd.name)) {
		len = sizeof(e->fd.name);
		e->flags |= CV_FD_NAME_TRUNC;
	}
	bpf_core_read(e->fd.name, sizeof(e->fd.name), &a->name[0].sun_path);
	e->fd.name_len = len;
}

static __always_inline void fd_socket(struct cv_event *e, struct file *f)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 fam, proto;

	if (!sk)
		return;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->fd.family = fam;
	e->fd.kind = CV_FD_SOCKET;
	if (fam == CV_AF_UNIX) {
		e->fd.kind = CV_FD_UNIX;
		fd_unix_name(e, sk);
	} else if (fam == CV_AF_INET || fam == CV_AF_INET6) {
		proto = BPF_CORE_READ(sk, sk_protocol);
		if (proto != CV_IPPROTO_TCP && proto != CV_IPPROTO_UDP)
			return;
		e->fd.kind = proto == CV_IPPROTO_TCP ? CV_FD_TCP : CV_FD_UDP;
		e->fd.inet.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		e->fd.inet.rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (fam == CV_AF_INET) {
			__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
			__u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);

			__builtin_memcpy(e->fd.inet.laddr, &l, 4);
			__builtin_memcpy(e->fd.inet.raddr, &r, 4);
		}
	}
}

/* Counts the descriptions that replaced another (an fd named another inode
 * since): user space then forgets the old one if nothing showed it, and a
 * thread's memory of what was described (task_state.desc_*) is void. */
__u64 fd_desc_gen;

/* CV_EV_FD: what fd names, the first time it is used since it named another
 * inode (sockets' addresses vanish with them: read them while they exist).
 * Returns whether user space has it described (now or before). */
static __always_inline bool fd_describe(__u32 sys, unsigned long fd, struct file *f, __u64 ino)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fd_key k = { .pid = id >> 32, .fd = fd };
	__u64 *seen = bpf_map_lookup_elem(&fdseen, &k);
	struct cv_event *e;
	__u32 mode;
	__u64 magic;

	if (!f)
		return false;
	if (seen && *seen == ino)
		return true;
	if (seen)
		__sync_fetch_and_add(&fd_desc_gen, 1);
	e = reserve_current(CV_EV_FD);
	if (!e)
		return false; /* counted as a drop; the next receive on it tries again */
	bpf_map_update_elem(&fdseen, &k, &ino, BPF_ANY);
	e->fd.ino = ino;
	e->fd.fd = fd;
	mode = file_type(f);
	magic = f->f_inode->i_sb->s_magic;
	/* a queue by its file system: one a multiplexer returned ready is one too */
	if (sys == CV_SYS_MQ_TIMEDRECEIVE || magic == MQUEUE_MAGIC) {
		e->fd.kind = CV_FD_MQ;
		fd_dentry_name(e, f);
	} else if (mode == S_IFIFO) {
		if (magic == PIPEFS_MAGIC) {
			e->fd.kind = CV_FD_PIPE;
		} else {
			e->fd.kind = CV_FD_FIFO;
			fd_dentry_name(e, f);
		}
	} else if (mode == S_IFSOCK) {
		fd_socket(e, f);
	}
	submit(e);
	return true;
}

/* A receive or accept on fd begins: which object it reads (its inode) */
static __always_inline void recv_begin(struct task_state *st, const struct sys_call *c,
				       unsigned long fd, struct file *f)
{
	begin(st, c);
	st->obj = fd;
	st->ino = f ? f->f_inode->i_ino : 0;
	/* described for this process already (user space keeps a description
	 * per process, fd and inode), and no description replaced one since
	 * (which may have made user space drop it): no map lookup */
	__u64 gen = fd_desc_gen;

	if (st->desc_fd == fd + 1 && st->desc_ino == st->ino && st->desc_gen == gen)
		return;
	if (fd_describe(c->sys, fd, f, st->ino)) {
		st->desc_fd = fd + 1;
		st->desc_ino = st->ino;
		st->desc_gen = gen;
	}
}

#define CV_US_PER_S 1000000
#define CV_NS_PER_S 1000000000
/* a timeval (per_s 1e6) or timespec (1e9) pointer: read the timeout so a
 * learner sees it, in ms; -1 = none.  At the exit select, pselect6 and
 * ppoll have written back the time left: for a call that did not block
 * that is the argument less a few µs, so it is rounded up (exact for a
 * whole number of ms). */
static __always_inline __s64 timeout_ms(__u64 p, long per_s, bool at_exit)
{
	struct { long sec, frac; } t;
	long per_ms = per_s / 1000;

	if (!p || bpf_probe_read_user(&t, sizeof(t), (void *)p) || t.sec < 0 || t.frac < 0)
		return -1;
	return (__u64)t.sec * 1000 + (__u64)(t.frac + (at_exit ? per_ms - 1 : 0)) / per_ms;
}

static __always_inline void mux_begin(struct task_state *st, const struct sys_call *c, __u64 nfds,
				      __s64 timeout_ms, __u64 p0, __u64 p1, __u64 p2)
{
	begin(st, c);
	st->obj = nfds;
	st->arg = timeout_ms;
	st->uptr[0] = p0;
	st->uptr[1] = p1;
	st->uptr[2] = p2;
}

/* The bytes of a glibc object that its futex words lie in (a uprobe said
 * which object the thread entered): pthread_cond_t, pthread_barrier_t. */
#define CV_GLIBC_COND_SIZE    48
#define CV_GLIBC_BARRIER_SIZE 32

/* A word of a condvar seen entered: its futex words are __g_refs (+16,
 * +20), __wrefs (+36) and __g_signals (+40, +44).  The offset, 0 if none. */
static __always_inline __u16 condvar_word(__u64 addr)
{
	static const __u16 offs[] = { 16, 20, 36, 40, 44 };
	struct lock_obj_key k = { .tgid = bpf_get_current_pid_tgid() >> 32 };

	for (int i = 0; i < 5; i++) {
		k.addr = addr - offs[i];
		if (bpf_map_lookup_elem(&lock_objs, &k))
			return offs[i];
	}
	return 0;
}

/* What a futex word belongs to, as far as can be told cheaply at enter:
 *  - a word inside the condvar/barrier whose wait function the thread
 *    entered last (uprobes on pthread_cond_*wait, pthread_barrier_wait);
 *  - a glibc pthread_mutex_t: the word is the mutex itself (2 = locked with
 *    waiters) and the owner's TID is at byte offset 8; for PI futexes the
 *    owner TID is in the word;
 *  - a glibc sem_t (new_sem, 64-bit): the wait is on the low word of `data`
 *    for value 0, with the waiter already counted in the high word
 *    (nwaiters >= 1), and `private` at +8 is the op's sharing (0 for a
 *    private futex, FUTEX_PRIVATE_FLAG for a shared one: glibc's LLL_SHARED).
 * A futex without FUTEX_PRIVATE_FLAG is process-shared. */
static __always_inline void futex_kind(struct task_state *st, __u64 addr, __u32 op,
				       __u32 val, __u32 word, bool private)
{
	__u32 owner = 0, hi = 0, priv = 1;
	__u64 size = st->ukind == CV_LK_CONDVAR ? CV_GLIBC_COND_SIZE : CV_GLIBC_BARRIER_SIZE;
	__u16 off;

	if (op == CV_FUTEX_LOCK_PI || op == CV_FUTEX_LOCK_PI2) {
		st->owner = word & CV_FUTEX_TID_MASK;
		st->flags |= CV_CALL_IS_MUTEX;
		st->lkind = CV_LK_MUTEX;
	} else if (val == 2 && word == 2 &&
		   !bpf_probe_read_user(&owner, sizeof(owner), (void *)(addr + 8))) {
		/* before the entered object and the condvar map: a freed condvar's
		 * memory may hold a mutex now (a condvar's own waits never expect
		 * 2: g_refs waits are odd) */
		st->owner = owner;
		st->flags |= CV_CALL_IS_MUTEX;
		st->lkind = CV_LK_MUTEX;
	} else if (st->ukind && addr >= st->uobj && addr < st->uobj + size) {
		st->lkind = st->ukind;
		st->obj_off = addr - st->uobj;
		/* used once: the entry probe has no return probe, and a later wait
		 * on that object is known from lock_objs (condvars); a stale entry
		 * would name whatever reuses the memory */
		st->ukind = 0;
	} else if ((off = condvar_word(addr))) {
		st->lkind = CV_LK_CONDVAR;
		st->obj_off = off;
	} else if (val == 0 && word == 0 &&
		   !bpf_probe_read_user(&hi, sizeof(hi), (void *)(addr + 4)) &&
		   !bpf_probe_read_user(&priv, sizeof(priv), (void *)(addr + 8)) &&
		   hi >= 1 && hi < (1u << 20) && priv == (private ? 0 : CV_FUTEX_PRIVATE_FLAG)) {
		struct lock_obj_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .addr = addr };
		__u32 *holder = bpf_map_lookup_elem(&sem_holders, &k);

		st->lkind = CV_LK_SEMAPHORE;
		if (holder)
			st->owner = *holder;
	}
	if (!private)
		st->flags |= CV_CALL_SHARED;
}

/* futex: only the waiting operations.  A wait that did not return EAGAIN
 * found the word equal to val (the kernel compares before it sleeps), so
 * val is the word; only a PI lock's word (its owner's TID) is read. */
static __always_inline void futex_begin(struct task_state *st, const struct sys_call *c,
					__u64 addr, __u32 op, __u32 val, bool private)
{
	__u32 word = val;

	begin(st, c);
	st->obj = addr;
	st->op = op;
	if (op == CV_FUTEX_LOCK_PI || op == CV_FUTEX_LOCK_PI2)
		bpf_probe_read_user(&word, sizeof(word), (void *)addr);
	futex_kind(st, addr, op, val, word, private);
	py_futex(st, addr);
}

/* glibc wait functions that (nearly) always block: remember which object
 * the thread entered, so the futex waits inside it are known as that kind.
 * Attached by user space to the target's libc (tracer.c), not auto-attached. */
static __always_inline int entered(__u32 kind, __u64 obj)
{
	struct task_state *st = traced_current();

	if (st) {
		st->ukind = kind;
		st->uobj = obj;
		if (kind == CV_LK_CONDVAR) {
			struct lock_obj_key k = { .tgid = bpf_get_current_pid_tgid() >> 32,
						  .addr = obj };
			bpf_map_update_elem(&lock_objs, &k, &kind, BPF_ANY);
		}
	}
	return 0;
}

/* pthread_cond_*wait and pthread_barrier_wait, one program for all: the
 * attach cookie of each probed function is the kind of its first argument
 * (one multi-uprobe link, so one unregistration wait when tracing ends) */
SEC("uprobe")
int BPF_KPROBE(on_lock_enter, void *obj)
{
	return entered((__u32)bpf_get_attach_cookie(ctx), (__u64)obj);
}

/* ---- semaphore holders (--lock-holders; user space attaches these) ----- */

SEC("uprobe")
int BPF_KPROBE(on_sem_take, void *sem)
{
	struct task_state *st = traced_current();

	if (st)
		st->sem_arg = (__u64)sem;
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_sem_take_ret, int ret)
{
	struct task_state *st = traced_current();
	__u64 id = bpf_get_current_pid_tgid();

	if (!st || !st->sem_arg)
		return 0;
	if (ret == 0) {
		struct lock_obj_key k = { .tgid = id >> 32, .addr = st->sem_arg };
		__u32 tid = (__u32)id;

		bpf_map_update_elem(&sem_holders, &k, &tid, BPF_ANY);
	}
	st->sem_arg = 0;
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(on_sem_post, void *sem)
{
	struct lock_obj_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .addr = (__u64)sem };

	if (traced_current())
		bpf_map_delete_elem(&sem_holders, &k);
	return 0;
}

/* Begin the call c describes, if it is one that waits (read/readv only on a
 * socket, pipe or FIFO; futex only a waiting op): what the sys_enter probe
 * did, now at the block or at the exit.  Current is the calling thread in
 * both places, so its fd table and memory are read as at the enter.  A
 * global function: the verifier checks it once, not in both callers.
 * Returns the kind begun, CV_BLK_NONE if none. */
__noinline int call_begin(struct task_state *st, const struct sys_call *c)
{
	__u64 a1, nfds, p0, p1 = 0, p2 = 0, uaddr = 0;
	__u32 op, val, private;
	__s64 tmo;
	struct file *f;

	if (!st || !c)
		return 0;
	a1 = c->arg[0];
	/* each family's begin is written once (the verifier walks each copy) */
	switch (cv_sys_block(c->sys)) {
	case CV_BLK_RECV:
	case CV_BLK_ACCEPT:
		f = fd_file(a1);
		op = file_type(f);
		if ((c->sys == CV_SYS_READ || c->sys == CV_SYS_READV) &&
		    op != S_IFSOCK && op != S_IFIFO)
			break; /* a file, a tty…: no receive */
		recv_begin(st, c, a1, f);
		if ((c->sys == CV_SYS_READ || c->sys == CV_SYS_READV) && op == S_IFIFO)
			st->flags |= CV_CALL_PIPE;
		break;
	case CV_BLK_MUX:
		switch (c->sys) {
		case CV_SYS_SELECT:
		case CV_SYS_PSELECT6:
			nfds = a1;
			tmo = timeout_ms(c->arg[4], c->sys == CV_SYS_SELECT ? CV_US_PER_S : CV_NS_PER_S,
					 c->at_exit);
			p0 = c->arg[1], p1 = c->arg[2], p2 = c->arg[3];
			break;
		case CV_SYS_POLL:
		case CV_SYS_PPOLL:
			nfds = c->arg[1];
			tmo = c->sys == CV_SYS_POLL ? (int)c->arg[2]
						    : timeout_ms(c->arg[2], CV_NS_PER_S, c->at_exit);
			p0 = a1;
			break;
		default: /* the epoll calls; epoll_pwait2's timeout is const, never written back */
			nfds = c->arg[2];
			tmo = c->sys == CV_SYS_EPOLL_PWAIT2 ? timeout_ms(c->arg[3], CV_NS_PER_S, false)
							    : (int)c->arg[3];
			p0 = c->arg[1];
			break;
		}
		mux_begin(st, c, nfds, tmo, p0, p1, p2);
		break;
	case CV_BLK_FUTEX:
		if (c->sys == CV_SYS_FUTEX_WAITV) {
			/* struct futex_waitv { u64 val; u64 uaddr; … }: name the first futex */
			bpf_probe_read_user(&uaddr, sizeof(uaddr), (void *)(a1 + 8));
			begin(st, c);
			st->obj = uaddr;
			break;
		}
		if (c->sys == CV_SYS_FUTEX) {
			op = c->arg[1];
			val = c->arg[2];
			private = op & CV_FUTEX_PRIVATE_FLAG;
			op &= CV_FUTEX_CMD_MASK;
			if (!cv_futex_op_waits(op))
				break;
		} else { /* futex_wait(uaddr, val, mask, flags, …) */
			op = CV_FUTEX_WAIT;
			val = c->arg[1];
			private = c->arg[3] & CV_FUTEX_PRIVATE_FLAG;
		}
		futex_begin(st, c, a1, op, val, private);
		break;
	case CV_BLK_URING:
		begin(st, c);
		st->arg = (__s64)((c->arg[1] & 0xffffffff) | (c->arg[2] << 32));
		st->op = c->arg[3];
		break;
	}
	return st->kind;
}

/* The handler bits for a call event, cleared once it carries them: the
 * handler on the way out of the call before it (on_signal_deliver) */
static __always_inline __u32 call_handlers(struct task_state *st)
{
	__u32 h = st->handlers;

	if (!handlers_known || !HANDLERS_EXACT)
		return 0;
	st->handlers = 0;
	return CV_CALL_SIG_KNOWN | h;
}

static __always_inline void emit_recv(struct task_state *st, long ret)
{
	struct cv_event *e = reserve_current(CV_EV_RECV);

	if (!e)
		return;
	e->flags = st->flags | call_handlers(st);
	e->recv.enter_ts = st->enter_ts;
	e->recv.copy_ts = st->copy_ts;
	if (no_skb_recv(st))
		/* data copied: from the switch-in after the wait; none if it did
		 * not block (its start, and so its copy's, is not seen) or no data */
		e->recv.copy_ts = ret <= 0 ? 0 : st->copy_ts;
	e->recv.ret = ret;
	e->recv.fd = st->obj;
	e->recv.sys = st->sys;
	e->recv.ino = st->ino;
	submit(e);
}

static __always_inline void emit_mux(struct task_state *st, long ret)
{
	struct cv_event *e = reserve_current(CV_EV_MUX);

	if (!e)
		return;
	e->flags = st->flags | call_handlers(st);
	e->mux.enter_ts = st->enter_ts;
	e->mux.ret = ret;
	e->mux.sys = st->sys;
	e->mux.nfds = st->obj;
	e->mux.timeout_ms = st->arg;
	submit(e);
}

/* ---- which descriptors a multiplexer returned ready ---------------------- */

/* The scans are bpf_loop callbacks on a per-CPU scratch record: verified
 * once, not once per iteration (as plain loops, or with counters on the
 * stack the verifier follows value by value, the array scans and the
 * describing inside pass its instruction budget). */

/* the scan's bounds: pollfds / epoll events read, select's bitmap words */
#define CV_MUX_SCAN_ENTRIES 256
#define CV_MUX_SCAN_WORDS   16   /* 1024 bits: FD_SETSIZE */

/* struct epoll_event: packed (12 bytes) on x86_64, 16 bytes elsewhere */
#if defined(__TARGET_ARCH_x86)
#define CV_EPOLL_EVENT_SIZE 12
#define CV_EPOLL_DATA_OFF   4
#else
#define CV_EPOLL_EVENT_SIZE 16
#define CV_EPOLL_DATA_OFF   8
#endif

struct mux_scan {
	__u64 uptr[3];    /* as task_state.uptr */
	__u64 nfds;       /* the size argument */
	__s64 ret;        /* the call's ready count (> 0) */
	__s64 found;      /* ready entries seen so far */
	__u32 sys;
	__u32 n, overflow;
	__u16 fd[CV_MUX_READY_MAX];
	__u64 word, word_base; /* select: the word being scanned, its first fd */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mux_scan);
} mux_scans SEC(".maps");

/* bpf_loop's context is on the stack: it carries the scratch record */
struct mux_ctx {
	struct mux_scan *r;
};

static __always_inline void scan_add(struct mux_scan *r, __u64 fd)
{
	__u32 i = r->n;

	if (i < CV_MUX_READY_MAX && fd < 65536) {
		r->fd[i] = fd;
		r->n = i + 1;
	} else {
		r->overflow++;
	}
}

/* poll/ppoll: pollfd i; stop once ret of them had revents */
static long scan_poll_one(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;
	struct { __s32 fd; __s16 events, revents; } p;

	if (!r || bpf_probe_read_user(&p, sizeof(p), (void *)(r->uptr[0] + i * sizeof(p))))
		return 1;
	if (p.revents) {
		scan_add(r, p.fd < 0 ? 65536 : (__u64)p.fd);
		r->found++;
	}
	return r->found >= r->ret;
}

/* bit i of the select word being scanned (a callback too: a plain 64-bit
 * loop made the verifier take 0.3 s at every start) */
static long scan_select_bit(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;

	if (!r || !(r->word >> i))
		return 1;
	if ((r->word >> i) & 1)
		scan_add(r, r->word_base + i);
	return 0;
}

/* select/pselect6: word i of the three sets; each fd once, in any set (ret
 * counts an fd once per set it is in) */
static long scan_select_word(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;
	__u64 w = 0, x;

	if (!r)
		return 1;
	for (int s = 0; s < 3; s++) {
		x = 0;
		if (r->uptr[s])
			bpf_probe_read_user(&x, sizeof(x), (void *)(r->uptr[s] + i * 8));
		r->found += __builtin_popcountll(x);
		w |= x;
	}
	if (r->nfds - i * 64 < 64)
		w &= (1ULL << (r->nfds - i * 64)) - 1;
	r->word = w;
	r->word_base = i * 64;
	if (w)
		bpf_loop(64, scan_select_bit, ctx, 0);
	return 0;
}

/* epoll_wait/pwait/pwait2: event i's registered data (its low 32 bits) */
static long scan_epoll_one(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;
	__u64 data;

	if (!r || bpf_probe_read_user(&data, sizeof(data),
				(void *)(r->uptr[0] + i * CV_EPOLL_EVENT_SIZE + CV_EPOLL_DATA_OFF)))
		return 1;
	scan_add(r, (__u32)data);
	r->found++;
	return 0;
}

/* describe listed fd i if it names an object not yet described (an fd only
 * ever multiplexed is never received on) */
static long describe_ready(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;
	struct file *f;
	__u32 fd;

	if (!r || i >= CV_MUX_READY_MAX)
		return 1;
	fd = r->fd[i];
	f = fd_file(fd);
	fd_describe(r->sys, fd, f, f ? BPF_CORE_READ(f, f_inode, i_ino) : 0);
	return 0;
}

/* CV_EV_MUX_READY: which descriptors the call that returned ret > 0 listed.
 * A global function: the verifier checks it once (inlined into sys_exit,
 * its loops took 0.4 s to verify, at every start). */
__noinline int emit_mux_ready(struct task_state *st, long ret)
{
	__u32 zero = 0;
	struct mux_scan *r = bpf_map_lookup_elem(&mux_scans, &zero);
	struct mux_ctx c = { .r = r };
	bool epoll = st->sys == CV_SYS_EPOLL_WAIT || st->sys == CV_SYS_EPOLL_PWAIT ||
		     st->sys == CV_SYS_EPOLL_PWAIT2;
	__u64 n;
	struct cv_event *e;

	if (!r || !st)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	r->uptr[0] = st->uptr[0];
	r->uptr[1] = st->uptr[1];
	r->uptr[2] = st->uptr[2];
	r->nfds = st->obj;
	r->ret = ret;
	r->sys = st->sys;
	if (epoll) {
		n = ret < CV_MUX_SCAN_ENTRIES ? ret : CV_MUX_SCAN_ENTRIES;
		bpf_loop(n, scan_epoll_one, &c, 0);
	} else if (st->sys == CV_SYS_POLL || st->sys == CV_SYS_PPOLL) {
		n = r->nfds < CV_MUX_SCAN_ENTRIES ? r->nfds : CV_MUX_SCAN_ENTRIES;
		bpf_loop(n, scan_poll_one, &c, 0);
	} else {
		n = (r->nfds + 63) / 64;
		bpf_loop(n < CV_MUX_SCAN_WORDS ? n : CV_MUX_SCAN_WORDS, scan_select_word, &c, 0);
	}
	if (ret > r->found)
		r->overflow += ret - r->found;  /* past the scanned part of the array */
	bpf_loop(r->n < CV_MUX_READY_MAX ? r->n : CV_MUX_READY_MAX, describe_ready, &c, 0);
	e = reserve_current(CV_EV_MUX_READY);
	if (!e)
		return 0;
	e->flags = epoll ? CV_MUXR_EPOLL : 0;
	e->mux_ready.n = r->n;
	e->mux_ready.overflow = r->overflow;
	__builtin_memcpy(e->mux_ready.fd, r->fd, sizeof(r->fd));
	submit(e);
	return 0;
}

static __always_inline void emit_futex(struct task_state *st, long ret)
{
	struct cv_event *e;

	/* the value changed before we slept: no wait happened, nothing to show */
	if (ret == -CV_EAGAIN && !(st->flags & CV_CALL_BLOCKED))
		return;
	e = reserve_current(CV_EV_FUTEX);
	if (!e)
		return;
	e->flags = st->flags | call_handlers(st);
	e->futex.enter_ts = st->enter_ts;
	e->futex.addr = st->obj;
	e->futex.ret = ret;
	e->futex.op = st->op;
	e->futex.sys = st->sys;
	e->futex.owner_tid = st->owner;
	e->futex.waker_tid = st->waker;
	e->futex.kind = st->lkind;
	e->futex.obj_off = st->obj_off;
	submit(e);
}

static __always_inline void emit_uring_enter(struct task_state *st, long ret)
{
	struct cv_event *e = reserve_current(CV_EV_URING_ENTER);

	if (!e)
		return;
	e->flags = st->flags;
	e->uenter.enter_ts = st->enter_ts;
	e->uenter.ret = ret;
	e->uenter.to_submit = st->arg & 0xffffffff;
	e->uenter.min_complete = (__u64)st->arg >> 32;
	e->uenter.enter_flags = st->op;
	submit(e);
}

/* A signal delivered to a traced thread (get_signal, on its way back to
 * user space) whose action is a handler (not ignored, not the default,
 * which stops or ends the thread, or ignores it), on the way out of a
 * followed call that exited with a restart code: the handler the arch's
 * handle_signal decides that call's restart by, next, from the same
 * registers (x86: the code in ax, the number in orig_ax).  A handler run
 * after the restart was set up (ax is the number again), after EINTR was
 * set (a second handler), or on the way out of another syscall is not that
 * call's.  arm64 sets up a restart before get_signal runs, so its
 * registers cannot say it: there the model infers it (HANDLERS_EXACT). */
#define CV_SIG_DFL    0ul
#define CV_SIG_IGN    1ul
#define CV_SA_RESTART 0x10000000ul /* x86 and arm64 alike */

SEC("tp_btf/signal_deliver")
int BPF_PROG(on_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
#if HANDLERS_EXACT
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct task_state *st;
	unsigned long handler;

	if (!ka)
		return 0;
	handler = (unsigned long)ka->sa.sa_handler; /* a BTF pointer: a plain load */
	if (handler == CV_SIG_DFL || handler == CV_SIG_IGN)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	if (!regs || COMPAT_TASK(cur) || !cv_nr_followed(SYSCALL_NR(regs)) ||
	    !cv_is_restart_code(SYSCALL_RET(regs)) ||
	    cv_sys_block(cv_sys_of_nr(SYSCALL_NR(regs))) == CV_BLK_URING) /* no RECV/MUX/FUTEX */
		return 0;
	if (!(st = traced(cur)) || (st->handlers & CV_CALL_HANDLER_RAN))
		return 0;
	st->handlers = CV_CALL_HANDLER_RAN |
		       (ka->sa.sa_flags & CV_SA_RESTART ? CV_CALL_HANDLER_RESTART : 0);
#endif
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
	struct task_struct *cur;
	struct task_state *st;
	__u32 kind, sys;
	bool futex_eagain;

	/* the syscall number first: every task on the machine passes here, and
	 * a task-storage lookup for each would tax them all */
	if (!cv_nr_followed(nr))
		return 0;
	cur = bpf_get_current_task_btf();
	st = bpf_task_storage_get(&tstate, cur, 0, 0);
	if (!st || COMPAT_TASK(cur))
		return 0;
	sys = cv_sys_of_nr(nr);
	/* syscalls do not nest: this exit ends the call begun at its block; a
	 * begin for another syscall is stale (arm64: see IN_SYSCALL) */
	kind = st->sys == sys ? st->kind : CV_BLK_NONE;
	futex_eagain = ret == -CV_EAGAIN && cv_sys_block(sys) == CV_BLK_FUTEX;
	if (futex_eagain)
		st->ukind = 0; /* the entered object's wait is over (it never slept) */
	if (kind == CV_BLK_NONE && !futex_eagain) {
		/* it did not block: begin it from its registers, start not seen
		 * (a futex EAGAIN never waited: not shown, not begun) */
		struct sys_call c = { .sys = sys, .at_exit = 1 };

		read_call(&c, regs);
		kind = call_begin(st, &c);
	}
	st->kind = CV_BLK_NONE;
	switch (kind) {
	case CV_BLK_RECV:
	case CV_BLK_ACCEPT: emit_recv(st, ret); break;
	case CV_BLK_MUX:
		emit_mux(st, ret);
		if (ret > 0)
			emit_mux_ready(st, ret);
		break;
	case CV_BLK_FUTEX: emit_futex(st, ret); break;
	case CV_BLK_URING: emit_uring_enter(st, ret); break;
	}
	st->copy_ts = 0; /* the next call's copies are its own */
	st->waker = 0;
	return 0;
}

/* The copy to user memory starts: the boundary between wait and copy.
 * Only inside one of our receive syscalls (its number in the registers),
 * begun or not yet: a MSG_WAITALL receive copies before it blocks. */
SEC("tp_btf/skb_copy_datagram_iovec")
int BPF_PROG(on_skb_copy_datagram_iovec, const struct sk_buff *skb, int len)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_state *st = bpf_task_storage_get(&tstate, t, 0, 0);
	struct pt_regs *regs;
	__u32 sys;

	if (!st || st->copy_ts)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs || !IN_SYSCALL(regs) || !cv_nr_followed(SYSCALL_NR(regs)))
		return 0;
	sys = cv_sys_of_nr(SYSCALL_NR(regs));
	if (cv_sys_block(sys) == CV_BLK_RECV && sys != CV_SYS_MQ_TIMEDRECEIVE)
		st->copy_ts = bpf_ktime_get_boot_ns();
	return 0;
}

/* ---- io_uring ----------------------------------------------------------- */

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(on_io_uring_submit_req, struct io_kiocb *req)
{
	struct uring_req r = {};
	struct cv_event *e;
	__u64 key = (__u64)req;
	__u64 id;

	if (!traced_current())
		return 0;
	id = bpf_get_current_pid_tgid();
	r.tid = (__u32)id;
	r.pid = id >> 32;
	r.opcode = BPF_CORE_READ(req, opcode);
	/* the event's time, stamped at its claim (reserve), is the request's */
	e = reserve(CV_EV_URING_SUBMIT, r.tid, r.pid);
	r.submit_ts = e ? e->ts : bpf_ktime_get_boot_ns();
	bpf_map_update_elem(&uring_reqs, &key, &r, BPF_ANY);
	if (!e)
		return 0;
	e->usubmit.user_data = BPF_CORE_READ(req, cqe.user_data);
	e->usubmit.req = key;
	e->usubmit.opcode = r.opcode;
	submit(e);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(on_io_uring_complete, struct io_ring_ctx *uctx, void *req, struct io_uring_cqe *cqe)
{
	__u64 key = (__u64)req;
	struct uring_req *r;
	struct cv_event *e;
	__u32 cflags;

	if (!key)
		return 0;
	r = bpf_map_lookup_elem(&uring_reqs, &key);
	if (!r)
		return 0;
	cflags = BPF_CORE_READ(cqe, flags);
	e = reserve(CV_EV_URING_COMPLETE, r->tid, r->pid);
	if (e) {
		e->ucomplete.user_data = BPF_CORE_READ(cqe, user_data);
		e->ucomplete.submit_ts = r->submit_ts;
		e->ucomplete.res = BPF_CORE_READ(cqe, res);
		e->ucomplete.cflags = cflags;
		e->ucomplete.opcode = r->opcode;
		e->ucomplete.done_tid = (__u32)bpf_get_current_pid_tgid();
		submit(e);
	}
	if (!(cflags & IORING_CQE_F_MORE))
		bpf_map_delete_elem(&uring_reqs, &key);
	return 0;
}
