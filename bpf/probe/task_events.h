// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/task_events.h — Tasks begin, exec, are renamed and exit.  A part of
 * concviz.bpf.c, included once there, after the parts it uses. */

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
	pidns_note(child);
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
		/* the handler on the way out of its last call, which no next
		 * call event will carry now */
		e->flags = call_handlers(st);
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
	pidns_forget(p);
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
