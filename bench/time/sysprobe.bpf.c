// SPDX-License-Identifier: GPL-2.0
/* sysprobe.bpf.c — empty syscall probes: what attaching anything to the
 * sys_enter/sys_exit tracepoints costs every process (sysprobe.c). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_enter, struct pt_regs *regs, long id) { return 0; }

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_exit, struct pt_regs *regs, long ret) { return 0; }

SEC("raw_tp/sys_enter")
int raw_enter(void *ctx) { return 0; }

SEC("raw_tp/sys_exit")
int raw_exit(void *ctx) { return 0; }

/* the scheduler tracepoints concviz uses, empty too (sysprobe -x) */
SEC("tp_btf/sched_switch")
int BPF_PROG(btf_switch, bool preempt, struct task_struct *prev, struct task_struct *next) { return 0; }

SEC("tp_btf/sched_waking")
int BPF_PROG(btf_waking, struct task_struct *p) { return 0; }

SEC("tp_btf/sched_wakeup")
int BPF_PROG(btf_wakeup, struct task_struct *p) { return 0; }
