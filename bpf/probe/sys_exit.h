// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/sys_exit.h — The syscall exit: a call begun at its block or at its
 * exit becomes one event; signal handlers on the way out; the receive's copy
 * phase.  A part of concviz.bpf.c, included once there, after the parts it
 * uses. */

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
