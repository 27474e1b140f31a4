/* stallprobe.h — what stallprobe.bpf.c records of one long wait (stallprobe.c). */
#ifndef STALLPROBE_H
#define STALLPROBE_H

#define SP_HIST 64      /* switches kept per CPU (a power of two) */
#define SP_RECS 64      /* long waits kept (the first ones) */

struct sp_switch {
	__u64 ts;
	__u32 prev, next;
	__u16 prev_policy, next_policy;
	__u16 prev_state;   /* 0 when preempted */
	__u8 next_by_server; /* next picked by a deadline server (fair_server) */
	__u8 pad;
};

struct sp_ring {
	__u32 n;
	__u32 pad;
	struct sp_switch s[SP_HIST];
};

/* the CPU's fair server (a deadline entity, 6.12+) and run queue */
struct sp_server {
	__s64 runtime;
	__u64 deadline, now;
	__u32 bits;         /* 1 throttled, 2 active, 4 defer, 8 defer armed, 16 defer running */
	__u32 nr_running, rt_nr, cfs_nr;
};

struct sp_wait {
	__u32 tid, state, out_cpu, in_cpu, waker;
	__s32 stack;        /* kernel stack at the switch-out, or < 0 */
	__u64 runnable_ns;  /* from wake-up (or preemption) to switch-in */
	__u64 off_ns;       /* from switch-out to switch-in */
	__u64 ts;
	struct sp_server at_out, at_in;
	struct sp_ring ring; /* the switch-in CPU's last switches */
};

#endif
