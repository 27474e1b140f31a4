// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/io_uring.h — io_uring requests: submission to completion. A part
 * of concviz.bpf.c, included once there, after the parts it uses. */

#define IORING_CQE_F_MORE 2

struct uring_req {
	__u64 submit_ts;
	__u32 tid, pid;
	__u32 opcode, pad;
};

/* io_uring request (kernel pointer) -> who submitted it.  Completions can be
 * posted from any context (task work, io-wq workers), so they are matched
 * to their submitter here, not by the current task. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct uring_req);
} uring_reqs SEC(".maps");

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(on_io_uring_submit_req, struct io_kiocb *req)
{
	struct uring_req r = {};
	struct cv_event *e;
	__u64 key = (__u64)req;
	__u64 id;

	if (!traced_current())
		return 0;
	id = bpf_get_current_pid_tgid();
	r.tid = (__u32)id;
	r.pid = id >> 32;
	r.opcode = BPF_CORE_READ(req, opcode);
	/* the event's time, stamped at its claim (reserve), is the request's */
	e = reserve(CV_EV_URING_SUBMIT, r.tid, r.pid);
	r.submit_ts = e ? e->ts : bpf_ktime_get_boot_ns();
	bpf_map_update_elem(&uring_reqs, &key, &r, BPF_ANY);
	if (!e)
		return 0;
	e->usubmit.user_data = BPF_CORE_READ(req, cqe.user_data);
	e->usubmit.req = key;
	e->usubmit.opcode = r.opcode;
	submit(e);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(on_io_uring_complete, struct io_ring_ctx *uctx, void *req, struct io_uring_cqe *cqe)
{
	__u64 key = (__u64)req;
	struct uring_req *r;
	struct cv_event *e;
	__u32 cflags;

	if (!key)
		return 0;
	r = bpf_map_lookup_elem(&uring_reqs, &key);
	if (!r)
		return 0;
	cflags = BPF_CORE_READ(cqe, flags);
	e = reserve(CV_EV_URING_COMPLETE, r->tid, r->pid);
	if (e) {
		e->ucomplete.user_data = BPF_CORE_READ(cqe, user_data);
		e->ucomplete.submit_ts = r->submit_ts;
		e->ucomplete.res = BPF_CORE_READ(cqe, res);
		e->ucomplete.cflags = cflags;
		e->ucomplete.opcode = r->opcode;
		e->ucomplete.done_tid = (__u32)bpf_get_current_pid_tgid();
		submit(e);
	}
	if (!(cflags & IORING_CQE_F_MORE))
		bpf_map_delete_elem(&uring_reqs, &key);
	return 0;
}
