// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/task_state.h — What each traced thread's entry holds (task
 * storage), and who is traced: the thread's in-flight call, and its kernel
 * run-delay and uncharged-time marks.  A part of concviz.bpf.c, included once
 * there, after the parts it uses. */

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

/* Written by user space through the skeleton's .bss. */
volatile __u32 seed_tgid;

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
		if (st) {
			kernel_run_delay(t, task_rq(t), &st->run_delay);
			pidns_note(t);
		}
	}
	return st;
}

static __always_inline struct task_state *traced_current(void)
{
	return traced(bpf_get_current_task_btf());
}
