// idletrace.bpf.c — every interrupt, timer, idle and scheduler event on one
// CPU, to see what happens between a wake-up (enqueue) and the switch-in.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";
const volatile __u32 target_cpu;
const volatile int target_tid;

enum { X_IDLE = 1, X_LTE, X_LTX, X_HXE, X_HXX, X_HST, X_HCN, X_WAKING, X_WAKEUP, X_SWITCH,
       X_RUNTIME, X_SIRQE, X_SIRQX, X_CFSE, X_RESCHED, X_IRQ, X_IWORK, X_TICKSTOP };
struct ev { __u64 ts, a1, a2; __u32 type, cpu; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 24); } rb SEC(".maps");

static __always_inline void put(__u32 type, __u64 a1, __u64 a2)
{
	__u32 cpu = bpf_get_smp_processor_id();
	if (cpu != target_cpu && type != X_WAKING)
		return;
	struct ev *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return;
	e->ts = bpf_ktime_get_ns();
	e->type = type; e->cpu = cpu; e->a1 = a1; e->a2 = a2;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

SEC("tp_btf/cpu_idle") int BPF_PROG(idle, unsigned int state, unsigned int cpu) { put(X_IDLE, state, 0); return 0; }
SEC("tp_btf/local_timer_entry") int BPF_PROG(lte, int v) { put(X_LTE, v, 0); return 0; }
SEC("tp_btf/local_timer_exit") int BPF_PROG(ltx, int v) { put(X_LTX, v, 0); return 0; }
SEC("tp_btf/hrtimer_expire_entry") int BPF_PROG(hxe, struct hrtimer *t, ktime_t *now) { put(X_HXE, (__u64)BPF_CORE_READ(t, function), 0); return 0; }
SEC("tp_btf/hrtimer_expire_exit") int BPF_PROG(hxx, struct hrtimer *t) { put(X_HXX, (__u64)BPF_CORE_READ(t, function), 0); return 0; }
SEC("tp_btf/hrtimer_start") int BPF_PROG(hst, struct hrtimer *t, enum hrtimer_mode m, bool was_armed) { put(X_HST, (__u64)BPF_CORE_READ(t, function), BPF_CORE_READ(t, node.expires)); return 0; }
SEC("tp_btf/hrtimer_cancel") int BPF_PROG(hcn, struct hrtimer *t) { put(X_HCN, (__u64)BPF_CORE_READ(t, function), 0); return 0; }
SEC("tp_btf/sched_waking") int BPF_PROG(waking, struct task_struct *p) { if (p->pid == target_tid) put(X_WAKING, p->pid, 0); return 0; }
SEC("tp_btf/sched_wakeup") int BPF_PROG(wakeup, struct task_struct *p) { if (p->pid == target_tid) put(X_WAKEUP, p->pid, 0); return 0; }
SEC("tp_btf/sched_switch") int BPF_PROG(sw, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int st) { put(X_SWITCH, prev->pid, next->pid); return 0; }
SEC("tp_btf/sched_stat_runtime") int BPF_PROG(rt, struct task_struct *p, u64 runtime) { if (p->pid == target_tid) put(X_RUNTIME, runtime, 0); return 0; }
SEC("tp_btf/softirq_entry") int BPF_PROG(sie, unsigned int v) { put(X_SIRQE, v, 0); return 0; }
SEC("tp_btf/softirq_exit") int BPF_PROG(six, unsigned int v) { put(X_SIRQX, v, 0); return 0; }
SEC("tp_btf/call_function_single_entry") int BPF_PROG(cfse, int v) { put(X_CFSE, v, 0); return 0; }
SEC("tp_btf/reschedule_entry") int BPF_PROG(rse, int v) { put(X_RESCHED, v, 0); return 0; }
SEC("tp_btf/irq_handler_entry") int BPF_PROG(ihe, int irq, struct irqaction *a) { put(X_IRQ, irq, 0); return 0; }
SEC("tp_btf/irq_work_entry") int BPF_PROG(iwe, int v) { put(X_IWORK, v, 0); return 0; }
SEC("tp_btf/tick_stop") int BPF_PROG(ts, int success, int dep) { put(X_TICKSTOP, success, dep); return 0; }
