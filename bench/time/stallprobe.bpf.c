// stallprobe.bpf.c — for threads named "concviz": each time one waits long
// for a CPU (>= 20 ms runnable) or is blocked long in an uninterruptible
// sleep (>= 20 ms in D: a lock, I/O; its interruptible sleeps, the polls,
// are not recorded), the state it left in, its kernel stack then, who woke
// it, the fair server's state, and the last switches on the CPU it came back
// on.  Passive: nothing is sent while it runs; stallprobe.c reads the maps
// at the end.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "stallprobe.h"

char LICENSE[] SEC("license") = "GPL";

struct thread {
	__u64 out_ts, wake_ts;
	__u32 state, out_cpu, waker;
	__s32 stack;
	struct sp_server at_out;
};

struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 1024);
	 __type(key, __u32); __type(value, struct thread); } threads SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, SP_RECS);
	 __type(key, __u32); __type(value, struct sp_wait); } waits SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1);
	 __type(key, __u32); __type(value, struct sp_ring); } rings SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 16384);
	 __uint(key_size, 4); __uint(value_size, 8 * 16); } stacks SEC(".maps");
__u32 nwaits;

static __always_inline bool watched(struct task_struct *t)
{
	static const char want[] = "concviz";
	char c[sizeof(want)];

	BPF_CORE_READ_STR_INTO(&c, t, comm);
	for (int i = 0; i < (int)sizeof(want); i++)
		if (c[i] != want[i])
			return false;
	return true;
}

static __always_inline void read_server(struct rq *rq, struct sp_server *f)
{
	struct sched_dl_entity *d = &rq->fair_server;

	f->runtime = BPF_CORE_READ(d, runtime);
	f->deadline = BPF_CORE_READ(d, deadline);
	f->bits = BPF_CORE_READ_BITFIELD_PROBED(d, dl_throttled) |
		  BPF_CORE_READ_BITFIELD_PROBED(d, dl_server_active) << 1 |
		  BPF_CORE_READ_BITFIELD_PROBED(d, dl_defer) << 2 |
		  BPF_CORE_READ_BITFIELD_PROBED(d, dl_defer_armed) << 3 |
		  BPF_CORE_READ_BITFIELD_PROBED(d, dl_defer_running) << 4;
	f->now = BPF_CORE_READ(rq, clock);
	f->nr_running = BPF_CORE_READ(rq, nr_running);
	f->rt_nr = BPF_CORE_READ(rq, rt.rt_nr_running);
	f->cfs_nr = BPF_CORE_READ(rq, cfs.h_nr_queued);
}

SEC("tp_btf/sched_waking")
int BPF_PROG(on_waking, struct task_struct *p)
{
	__u32 tid = p->pid;
	struct thread *t;

	if (!watched(p) || !(t = bpf_map_lookup_elem(&threads, &tid)))
		return 0;
	t->wake_ts = bpf_ktime_get_ns();
	t->waker = (__u32)bpf_get_current_pid_tgid();
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 zero = 0, tid;
	__u64 now = bpf_ktime_get_ns();
	struct sp_ring *r = bpf_map_lookup_elem(&rings, &zero);
	struct rq *rq = BPF_CORE_READ(prev, se.cfs_rq, rq); /* this CPU's */
	struct thread *t;

	if (!r)
		return 0;
	struct sp_switch *s = &r->s[r->n & (SP_HIST - 1)];
	s->ts = now;
	s->prev = prev->pid;
	s->next = next->pid;
	s->prev_policy = prev->policy;
	s->next_policy = next->policy;
	s->prev_state = preempt ? 0 : prev_state;
	s->next_by_server = next->dl_server != 0;
	r->n++;
	if (watched(prev)) {
		struct thread fresh = {};

		tid = prev->pid;
		if (!(t = bpf_map_lookup_elem(&threads, &tid))) {
			bpf_map_update_elem(&threads, &tid, &fresh, BPF_ANY);
			if (!(t = bpf_map_lookup_elem(&threads, &tid)))
				return 0;
		}
		t->out_ts = now;
		t->wake_ts = 0;
		t->state = preempt ? 0 : prev_state;
		t->out_cpu = bpf_get_smp_processor_id();
		t->stack = bpf_get_stackid(ctx, &stacks, 0);
		if (rq)
			read_server(rq, &t->at_out);
	}
	if (!watched(next))
		return 0;
	tid = next->pid;
	if (!(t = bpf_map_lookup_elem(&threads, &tid)) || !t->out_ts)
		return 0;
	__u64 runnable_since = t->state == 0 ? t->out_ts : t->wake_ts;
	bool long_runnable = runnable_since && now - runnable_since >= 20000000ull;
	bool long_blocked = (t->state & 0x2 /* TASK_UNINTERRUPTIBLE */) &&
			    now - t->out_ts >= 20000000ull;
	if (!long_runnable && !long_blocked)
		return 0;
	__u32 i = __sync_fetch_and_add(&nwaits, 1);
	struct sp_wait *w = bpf_map_lookup_elem(&waits, &i);
	if (!w)
		return 0;
	w->tid = tid;
	w->state = t->state;
	w->out_cpu = t->out_cpu;
	w->in_cpu = bpf_get_smp_processor_id();
	w->waker = t->waker;
	w->stack = t->stack;
	w->runnable_ns = runnable_since ? now - runnable_since : 0;
	w->off_ns = now - t->out_ts;
	w->ts = now;
	w->at_out = t->at_out;
	if (rq)
		read_server(rq, &w->at_in);
	bpf_probe_read_kernel(&w->ring, sizeof(*r), r);
	return 0;
}
