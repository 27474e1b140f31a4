/* helpercost.h — the operations helpercost times, shared by its BPF side
 * and its loader (plain C, no vmlinux.h). */
#ifndef HELPERCOST_H
#define HELPERCOST_H

enum helpercost_op {
	OP_LOOP, OP_BOOT_NS, OP_MONO_NS, OP_STORAGE, OP_PID_TGID, OP_PERCPU, OP_PT_REGS,
	OP_PROBE_READ, OP_RING_64, OP_RING_QUERY, OP_CPU_ID, OP_COUNT
};

#endif
