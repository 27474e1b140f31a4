// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/python.h — CPython: its interpreter state read from the probes
 * (GIL holder, frames, which Python lock a futex wait is).  A part of
 * concviz.bpf.c, included once there, after the parts it uses. */

/* CPython processes (bpf/cpython.h): filled by user space, inherited at fork */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct cv_py_proc);
} py_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, struct cv_py_rule);
} py_rules SEC(".maps");

/* Python locks already waited on (tgid, key), and where their first wait
 * was (bpf/cpython.h): a first one wakes user space, which names it */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct cv_py_seen_key);
	__type(value, struct cv_py_site);
} py_seen SEC(".maps");

/* Requests to user space to look at a process's interpreter (not events:
 * not recorded): struct cv_py_ask, at exec and at the first new thread of
 * a process not looked at yet. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 10); /* thousands of asks between two polls */
} py_asks SEC(".maps");
static __always_inline void py_ask(__u32 tgid, __u32 why)
{
	struct cv_py_ask a = { .tgid = tgid, .why = why };

	bpf_ringbuf_output(&py_asks, &a, sizeof(a), BPF_RB_FORCE_WAKEUP);
}

/* A new process has its parent's memory, so its parent's interpreter; the
 * first new thread of a process nobody looked at yet asks user space to:
 * by then the interpreter (the executable or libpython) is mapped. */
static __always_inline void py_on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct cv_py_proc *p = bpf_map_lookup_elem(&py_procs, &ptgid);

	if (child->pid == child->tgid) {
		if (p)
			bpf_map_update_elem(&py_procs, &ctgid, p, BPF_ANY);
	} else if (!p) {
		py_ask(ctgid, CV_PY_ASK_THREAD);
	}
}

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* The kernel tid of the thread holding the GIL, 0 if it is free or unknown
 * (or is the waiter itself: a thread that dropped it waits for another to
 * take it, and last_holder still names the dropper). */
static __always_inline __u32 py_gil_holder(const struct cv_py_proc *p, __u32 self)
{
	__u32 locked = 0, tid;
	__u64 ts;

	bpf_probe_read_user(&locked, sizeof(locked), (void *)(p->gil + p->gil_locked));
	if (!locked)
		return 0;
	ts = read_ptr(p->gil + p->gil_last_holder);
	tid = ts ? pidns_global((__u32)read_ptr(ts + p->ts_native_tid)) : 0;
	return tid == self ? 0 : tid;
}

/* A thread state's innermost Python frame, 0 if it runs no Python code. */
static __always_inline __u64 py_current_frame(const struct cv_py_proc *p, __u64 ts)
{
	__u64 frame = read_ptr(ts + p->ts_frame);

	if (p->frame_holder_current && frame)
		frame = read_ptr(frame + p->frame_holder_current);
	return frame;
}

/* The waiting thread's innermost Python frame, through its PyThreadState:
 * the one remembered if it still names this thread, else a bounded search
 * of the interpreter's thread list.  A thread being started has a state
 * that still carries its creator's thread id (3.11 fills it in when the
 * new thread runs) and no frame: a match without a frame is not it. */
static __always_inline __u64 py_frame(struct task_state *st, const struct cv_py_proc *p, __u32 tid)
{
	__u64 ts = st->py_tstate, frame;

	if (ts && (__u32)read_ptr(ts + p->ts_native_tid) == tid &&
	    (frame = py_current_frame(p, ts)))
		return frame;
	ts = read_ptr(read_ptr(p->interp_head) + p->interp_threads);
	for (int i = 0; i < CV_PY_THREADS && ts; i++) {
		if ((__u32)read_ptr(ts + p->ts_native_tid) == tid &&
		    (frame = py_current_frame(p, ts))) {
			st->py_tstate = ts;
			return frame;
		}
		ts = read_ptr(ts + p->ts_next);
	}
	return 0;
}

/* cv_py_rule_hash of a code object: its file's base name and its qualname,
 * both compact ASCII strings (any other string hashes to no rule).  A
 * global function: the verifier checks its loops once, not once per frame
 * of py_classify's loop in each program that begins futex waits. */
__noinline __u64 py_code_hash(const struct cv_py_proc *p, __u64 code)
{
	char buf[CV_PY_NAME_MAX];
	__u64 h = CV_PY_HASH_INIT, str, len = 0, from;

	if (!p)
		return 0;
	str = read_ptr(code + p->code_filename);
	bpf_probe_read_user(&len, sizeof(len), (void *)(str + p->str_length));
	from = len > CV_PY_FILE_TAIL ? len - CV_PY_FILE_TAIL : 0;
	if (bpf_probe_read_user(buf, CV_PY_FILE_TAIL, (void *)(str + p->str_ascii_data + from)))
		return 0;
#pragma clang loop unroll(disable)
	for (__u64 i = 0; i < CV_PY_FILE_TAIL && i < len - from; i++)
		h = buf[i] == '/' ? CV_PY_HASH_INIT : cv_py_hash_step(h, buf[i]);
	h = cv_py_hash_step(h, 0);
	str = read_ptr(code + p->code_qualname);
	if (bpf_probe_read_user_str(buf, sizeof(buf), (void *)(str + p->str_ascii_data)) <= 0)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < CV_PY_NAME_MAX && buf[i]; i++)
		h = cv_py_hash_step(h, buf[i]);
	return h;
}

/* A futex wait of a thread running Python code: which object it waits for.
 * Frames of the standard library that have a rule (Condition.wait, and its
 * callers Event.wait, Queue.get, …) name the object and its kind; a wait
 * straight from the program's code is a Lock/RLock acquire (their sem_t). */
static __always_inline void py_classify(struct task_state *st, const struct cv_py_proc *p, __u32 tid)
{
	/* CPython keeps the thread's ID in its own PID namespace */
	__u64 frame = py_frame(st, p, pidns_own_tid()), key = 0, innermost = frame;
	const struct cv_py_rule *found = 0;

	if (!frame)
		return; /* no Python code on this thread's stack */
#pragma clang loop unroll(disable)
	for (int i = 0; i < CV_PY_FRAMES && frame; i++) {
		__u64 c = read_ptr(frame + p->frame_code), h = c ? py_code_hash(p, c) : 0;
		const struct cv_py_rule *r = h ? bpf_map_lookup_elem(&py_rules, &h) : 0;

		if (!r)
			break;
		__u64 k = r->key == CV_PY_KEY_CODE ? c : read_ptr(frame + p->frame_self);
		/* an outer frame whose object cannot be read keeps the inner one */
		if (k) {
			found = r;
			key = k;
		} else if (!found) {
			found = r;
		}
		if (!r->refine)
			break;
		frame = read_ptr(frame + p->frame_previous);
	}
	if (found && key) {
		st->lkind = found->kind;
		st->obj = key;
		st->obj_off = 0;
		st->owner = 0;
		st->flags = (st->flags & ~CV_CALL_IS_MUTEX) | CV_CALL_PYOBJ;
	} else if (!found && (st->lkind == CV_LK_FUTEX || st->lkind == CV_LK_SEMAPHORE)) {
		/* threading.Lock/RLock and multiprocessing.Lock are sem_t underneath */
		st->lkind = CV_LK_MUTEX;
	} else {
		return;
	}
	struct cv_py_seen_key k = { .obj = st->obj, .tgid = bpf_get_current_pid_tgid() >> 32 };

	if (!bpf_map_lookup_elem(&py_seen, &k)) {
		struct cv_py_site site = {};

		frame = innermost;
#pragma clang loop unroll(disable)
		for (int i = 0; i < CV_PY_SITE_CODES && frame; i++) {
			site.code[i] = read_ptr(frame + p->frame_code);
			frame = read_ptr(frame + p->frame_previous);
		}
		bpf_map_update_elem(&py_seen, &k, &site, BPF_ANY);
		st->py_new = 1;
	}
}

/* A futex wait of a thread of a CPython process: the GIL's words are one
 * lock, kind gil, whose holder the interpreter records.  A global function:
 * the verifier checks it once, not at each futex call site (it doubled
 * the syscall begin and added ~30 ms to every start inlined). */
__noinline int py_futex(struct task_state *st, __u64 addr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	const struct cv_py_proc *p = bpf_map_lookup_elem(&py_procs, &tgid);

	if (!st || !p || !p->gil)
		return 0;
	if (addr - p->gil < p->gil_size) {
		st->lkind = CV_LK_GIL;
		st->obj_off = addr - p->gil;
		st->owner = py_gil_holder(p, (__u32)id);
		st->flags &= ~CV_CALL_IS_MUTEX;
		return 0;
	}
	py_classify(st, p, (__u32)id);
	return 0;
}
