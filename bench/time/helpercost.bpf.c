// SPDX-License-Identifier: GPL-2.0
/* helpercost.bpf.c — what one call of each helper concviz's probes use
 * costs on this machine: a bpf_loop of N calls, timed inside the program
 * (helpercost.c runs it with BPF_PROG_TEST_RUN and subtracts the empty
 * loop).  The clock read is the one to watch: every event takes one. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "helpercost.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64[32]);
} storage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[8]);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} ring SEC(".maps");


volatile __u32 op;
__u64 loops; /* set by helpercost.c */
__u64 elapsed_ns;
__u64 sink; /* results land here, so no call is optimised away */

static long one(__u64 i, void *ctx)
{
	__u32 zero = 0;
	__u64 *v, x = 0, buf[8] = {};
	struct pt_regs *regs;

	switch (op) {
	case OP_BOOT_NS: sink += bpf_ktime_get_boot_ns(); break;
	case OP_MONO_NS: sink += bpf_ktime_get_ns(); break;
	case OP_STORAGE:
		if (bpf_task_storage_get(&storage, bpf_get_current_task_btf(), 0, 0))
			sink++;
		break;
	case OP_PID_TGID: sink += bpf_get_current_pid_tgid(); break;
	case OP_PERCPU:
		v = bpf_map_lookup_elem(&percpu, &zero);
		if (v)
			sink += v[0];
		break;
	case OP_PT_REGS:
		regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		if (regs)
			sink += regs->ax;
		break;
	case OP_PROBE_READ:
		bpf_probe_read_kernel(&x, sizeof(x), &sink);
		sink += x;
		break;
	case OP_RING_64:
		buf[0] = i;
		if (bpf_ringbuf_output(&ring, buf, sizeof(buf), BPF_RB_NO_WAKEUP))
			sink++;
		break;
	case OP_RING_QUERY: sink += bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA); break;
	case OP_CPU_ID: sink += bpf_get_smp_processor_id(); break;
	}
	return 0;
}

SEC("syscall")
int run(void *ctx)
{
	__u64 t0;

	/* the storage exists, as it does for a traced thread */
	if (!bpf_task_storage_get(&storage, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE))
		return 1;
	t0 = bpf_ktime_get_ns();
	bpf_loop(loops, one, 0, 0);
	elapsed_ns = bpf_ktime_get_ns() - t0;
	return 0;
}
