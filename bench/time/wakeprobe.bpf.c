// wakeprobe.bpf.c — for one tid: sched_waking, sched_wakeup (enqueue) and
// sched_switch in/out, with ktime and the scheduler's own clocks/counters.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

const volatile int target_tid;

enum { EV_WAKING = 1, EV_WAKEUP, EV_IN, EV_OUT };
struct ev {
	__u64 ts;             /* bpf_ktime_get_ns */
	__u64 rq_clock, rq_clock_task;   /* of the task's rq (IN/OUT: this cpu) */
	__u64 exec_start, sum_exec, run_delay, last_queued;
	__u32 type, cpu, task_cpu, other;  /* other: waker tid / prev or next tid */
	__u32 prev_state, other_is_idle, clock_flags, nr_running;
};

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 22); } rb SEC(".maps");

static __always_inline void emit(__u32 type, struct task_struct *p, int rqcpu, __u32 other, __u32 st, __u32 idle)
/* p's run queue: p->se.cfs_rq->rq (FAIR_GROUP_SCHED); no percpu ksyms here (no KALLSYMS_ALL) */
{
	struct ev *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return;
	e->ts = bpf_ktime_get_ns();
	struct rq *rq = BPF_CORE_READ(p, se.cfs_rq, rq);
	if (rq) {
		e->rq_clock = BPF_CORE_READ(rq, clock);
		e->rq_clock_task = BPF_CORE_READ(rq, clock_task);
		e->clock_flags = BPF_CORE_READ(rq, clock_update_flags);
		e->nr_running = BPF_CORE_READ(rq, nr_running);
	}
	e->exec_start = p->se.exec_start;
	e->sum_exec = p->se.sum_exec_runtime;
	e->run_delay = p->sched_info.run_delay;
	e->last_queued = p->sched_info.last_queued;
	e->type = type;
	e->cpu = bpf_get_smp_processor_id();
	e->task_cpu = rqcpu;
	e->other = other;
	e->prev_state = st;
	e->other_is_idle = idle;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);  /* no irq_work, no IPI: the reader polls */
}

SEC("tp_btf/sched_waking")
int BPF_PROG(on_waking, struct task_struct *p)
{
	if (p->pid != target_tid)
		return 0;
	emit(EV_WAKING, p, bpf_get_smp_processor_id(), (__u32)bpf_get_current_pid_tgid(), 0, 0);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	if (p->pid != target_tid)
		return 0;
	emit(EV_WAKEUP, p, p->thread_info.cpu, (__u32)bpf_get_current_pid_tgid(), 0, 0);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	int cpu = bpf_get_smp_processor_id();
	if (next->pid == target_tid)
		emit(EV_IN, next, cpu, prev->pid, 0, prev->pid == 0);
	else if (prev->pid == target_tid)
		emit(EV_OUT, prev, cpu, next->pid, preempt ? 0xffff : prev_state, next->pid == 0);
	return 0;
}
