// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/glibc_objects.h — What uprobes on glibc's wait functions learn:
 * the condvar or barrier a thread entered, and (--lock-holders) which thread
 * holds a semaphore.  A part of concviz.bpf.c, included once there, after the
 * parts it uses. */

/* Condition variables seen entered (uprobe on pthread_cond_*wait): a futex
 * wait on one of their words from elsewhere (pthread_cond_signal waiting for
 * the old group's references to drain, pthread_cond_destroy) is known as
 * that condvar's, without a probe on those hotter functions. */
struct lock_obj_key {
	__u32 tgid, pad;
	__u64 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct lock_obj_key);
	__type(value, __u32);
} lock_objs SEC(".maps");

/* (--lock-holders) sem_t -> the thread that took it last and has not posted
 * it: a semaphore's holder (CPython's Lock is a sem_t), from uprobes on
 * sem_wait/sem_timedwait/sem_clockwait/sem_trywait (return 0) and sem_post. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lock_obj_key);
	__type(value, __u32);
} sem_holders SEC(".maps");


/* glibc wait functions that (nearly) always block: remember which object
 * the thread entered, so the futex waits inside it are known as that kind.
 * Attached by user space to the target's libc (tracer.c), not auto-attached. */
static __always_inline int entered(__u32 kind, __u64 obj)
{
	struct task_state *st = traced_current();

	if (st) {
		st->ukind = kind;
		st->uobj = obj;
		if (kind == CV_LK_CONDVAR) {
			struct lock_obj_key k = { .tgid = bpf_get_current_pid_tgid() >> 32,
						  .addr = obj };
			bpf_map_update_elem(&lock_objs, &k, &kind, BPF_ANY);
		}
	}
	return 0;
}

/* pthread_cond_*wait and pthread_barrier_wait, one program for all: the
 * attach cookie of each probed function is the kind of its first argument
 * (one multi-uprobe link, so one unregistration wait when tracing ends) */
SEC("uprobe")
int BPF_KPROBE(on_lock_enter, void *obj)
{
	return entered((__u32)bpf_get_attach_cookie(ctx), (__u64)obj);
}

SEC("uprobe")
int BPF_KPROBE(on_sem_take, void *sem)
{
	struct task_state *st = traced_current();

	if (st)
		st->sem_arg = (__u64)sem;
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_sem_take_ret, int ret)
{
	struct task_state *st = traced_current();
	__u64 id = bpf_get_current_pid_tgid();

	if (!st || !st->sem_arg)
		return 0;
	if (ret == 0) {
		struct lock_obj_key k = { .tgid = id >> 32, .addr = st->sem_arg };
		__u32 tid = (__u32)id;

		bpf_map_update_elem(&sem_holders, &k, &tid, BPF_ANY);
	}
	st->sem_arg = 0;
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(on_sem_post, void *sem)
{
	struct lock_obj_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .addr = (__u64)sem };

	if (traced_current())
		bpf_map_delete_elem(&sem_holders, &k);
	return 0;
}
