// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/syscall_regs.h — The syscall a thread is in, from its saved user
 * registers.  A part of concviz.bpf.c, included once there, after the parts it
 * uses. */

/* While a task is inside a syscall, the registers it entered with are saved
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

/* the signal_deliver probe is loaded: call events say which handlers ran */
const volatile bool handlers_known = false;
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
