// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/sched.h — Scheduler tracepoints: context switches (a call's
 * block), wake-ups.  A part of concviz.bpf.c, included once there, after the
 * parts it uses. */

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
