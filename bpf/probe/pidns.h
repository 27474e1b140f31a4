// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/pidns.h — Thread IDs inside PID namespaces (containers,
 * unshare --pid): what a program stores as a thread's ID (glibc's mutex
 * owner, CPython's GIL holder) is the ID in its own namespace; events carry
 * the kernel's global one.  A part of concviz.bpf.c, included once there,
 * after the parts it uses. */

/* (namespace, ID in it) -> the global ID, for traced tasks not in the
 * initial namespace: noted at fork (user space notes the threads found at
 * attach), forgotten at exit */
struct ns_tid_key {
	__u32 ns;  /* the namespace's inode number (/proc/PID/ns/pid) */
	__u32 tid; /* the thread's ID in it */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ns_tid_key);
	__type(value, __u32);
} ns_tids SEC(".maps");

#define CV_PIDNS_LEVELS 32 /* the kernel's MAX_PID_NS_LEVEL */

/* t's own namespace and its ID there into k; false in the initial one */
static __always_inline bool pidns_key(struct task_struct *t, struct ns_tid_key *k)
{
	struct pid *p = t->thread_pid; /* a BTF pointer: plain loads */
	struct upid u = {};
	__u32 level;

	if (!p)
		return false;
	level = p->level;
	if (!level || level >= CV_PIDNS_LEVELS)
		return false;
	if (bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[level]) || !u.ns)
		return false;
	k->ns = BPF_CORE_READ(u.ns, ns.inum);
	k->tid = u.nr;
	return true;
}

static __always_inline void pidns_note(struct task_struct *t)
{
	struct ns_tid_key k;
	__u32 tid = t->pid;

	if (pidns_key(t, &k))
		bpf_map_update_elem(&ns_tids, &k, &tid, BPF_ANY);
}

static __always_inline void pidns_forget(struct task_struct *t)
{
	struct ns_tid_key k;

	if (pidns_key(t, &k))
		bpf_map_delete_elem(&ns_tids, &k);
}

/* A thread ID the current task's program stored: the global ID (0 if
 * unknown: a thread concviz has not seen) */
static __always_inline __u32 pidns_global(__u32 tid)
{
	struct ns_tid_key k;
	__u32 *g;

	if (!tid || !pidns_key(bpf_get_current_task_btf(), &k))
		return tid;
	k.tid = tid;
	g = bpf_map_lookup_elem(&ns_tids, &k);
	return g ? *g : 0;
}

/* The current thread's ID in its own namespace */
static __always_inline __u32 pidns_own_tid(void)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct ns_tid_key k;

	return pidns_key(cur, &k) ? k.tid : (__u32)cur->pid;
}
