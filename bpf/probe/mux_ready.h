// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/mux_ready.h — Which descriptors a multiplexer returned ready
 * (CV_EV_MUX_READY).  A part of concviz.bpf.c, included once there, after the
 * parts it uses. */

/* The scans are bpf_loop callbacks on a per-CPU scratch record: verified
 * once, not once per iteration (as plain loops, or with counters on the
 * stack the verifier follows value by value, the array scans and the
 * describing inside pass its instruction budget). */

/* the scan's bounds: pollfds / epoll events read, select's bitmap words */
#define CV_MUX_SCAN_ENTRIES 256
#define CV_MUX_SCAN_WORDS   16   /* 1024 bits: FD_SETSIZE */

/* struct epoll_event: packed (12 bytes) on x86_64, 16 bytes elsewhere */
#if defined(__TARGET_ARCH_x86)
#define CV_EPOLL_EVENT_SIZE 12
#define CV_EPOLL_DATA_OFF   4
#else
#define CV_EPOLL_EVENT_SIZE 16
#define CV_EPOLL_DATA_OFF   8
#endif

struct mux_scan {
	__u64 uptr[3];    /* as task_state.uptr */
	__u64 nfds;       /* the size argument */
	__s64 ret;        /* the call's ready count (> 0) */
	__s64 found;      /* ready entries seen so far */
	__u32 sys;
	__u32 n, overflow;
	__u16 fd[CV_MUX_READY_MAX];
	__u64 word, word_base; /* select: the word being scanned, its first fd */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mux_scan);
} mux_scans SEC(".maps");

/* bpf_loop's context is on the stack: it carries the scratch record */
struct mux_ctx {
	struct mux_scan *r;
};

static __always_inline void scan_add(struct mux_scan *r, __u64 fd)
{
	__u32 i = r->n;

	if (i < CV_MUX_READY_MAX && fd < 65536) {
		r->fd[i] = fd;
		r->n = i + 1;
	} else {
		r->overflow++;
	}
}

/* poll/ppoll: pollfd i; stop once ret of them had revents */
static long scan_poll_one(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;
	struct { __s32 fd; __s16 events, revents; } p;

	if (!r || bpf_probe_read_user(&p, sizeof(p), (void *)(r->uptr[0] + i * sizeof(p))))
		return 1;
	if (p.revents) {
		scan_add(r, p.fd < 0 ? 65536 : (__u64)p.fd);
		r->found++;
	}
	return r->found >= r->ret;
}

/* bit i of the select word being scanned (a callback too: a plain 64-bit
 * loop made the verifier take 0.3 s at every start) */
static long scan_select_bit(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;

	if (!r || !(r->word >> i))
		return 1;
	if ((r->word >> i) & 1)
		scan_add(r, r->word_base + i);
	return 0;
}

/* select/pselect6: word i of the three sets; each fd once, in any set (ret
 * counts an fd once per set it is in) */
static long scan_select_word(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;
	__u64 w = 0, x;

	if (!r)
		return 1;
	for (int s = 0; s < 3; s++) {
		x = 0;
		if (r->uptr[s])
			bpf_probe_read_user(&x, sizeof(x), (void *)(r->uptr[s] + i * 8));
		r->found += __builtin_popcountll(x);
		w |= x;
	}
	if (r->nfds - i * 64 < 64)
		w &= (1ULL << (r->nfds - i * 64)) - 1;
	r->word = w;
	r->word_base = i * 64;
	if (w)
		bpf_loop(64, scan_select_bit, ctx, 0);
	return 0;
}

/* epoll_wait/pwait/pwait2: event i's registered data (its low 32 bits) */
static long scan_epoll_one(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;
	__u64 data;

	if (!r || bpf_probe_read_user(&data, sizeof(data),
				(void *)(r->uptr[0] + i * CV_EPOLL_EVENT_SIZE + CV_EPOLL_DATA_OFF)))
		return 1;
	scan_add(r, (__u32)data);
	r->found++;
	return 0;
}

/* describe listed fd i if it names an object not yet described (an fd only
 * ever multiplexed is never received on) */
static long describe_ready(__u64 i, void *ctx)
{
	struct mux_scan *r = ((struct mux_ctx *)ctx)->r;
	struct file *f;
	__u32 fd;

	if (!r || i >= CV_MUX_READY_MAX)
		return 1;
	fd = r->fd[i];
	f = fd_file(fd);
	fd_describe(r->sys, fd, f, f ? BPF_CORE_READ(f, f_inode, i_ino) : 0);
	return 0;
}

/* CV_EV_MUX_READY: which descriptors the call that returned ret > 0 listed.
 * A global function: the verifier checks it once (inlined into sys_exit,
 * its loops took 0.4 s to verify, at every start). */
__noinline int emit_mux_ready(struct task_state *st, long ret)
{
	__u32 zero = 0;
	struct mux_scan *r = bpf_map_lookup_elem(&mux_scans, &zero);
	struct mux_ctx c = { .r = r };
	bool epoll = st->sys == CV_SYS_EPOLL_WAIT || st->sys == CV_SYS_EPOLL_PWAIT ||
		     st->sys == CV_SYS_EPOLL_PWAIT2;
	__u64 n;
	struct cv_event *e;

	if (!r || !st)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	r->uptr[0] = st->uptr[0];
	r->uptr[1] = st->uptr[1];
	r->uptr[2] = st->uptr[2];
	r->nfds = st->obj;
	r->ret = ret;
	r->sys = st->sys;
	if (epoll) {
		n = ret < CV_MUX_SCAN_ENTRIES ? ret : CV_MUX_SCAN_ENTRIES;
		bpf_loop(n, scan_epoll_one, &c, 0);
	} else if (st->sys == CV_SYS_POLL || st->sys == CV_SYS_PPOLL) {
		n = r->nfds < CV_MUX_SCAN_ENTRIES ? r->nfds : CV_MUX_SCAN_ENTRIES;
		bpf_loop(n, scan_poll_one, &c, 0);
	} else {
		n = (r->nfds + 63) / 64;
		bpf_loop(n < CV_MUX_SCAN_WORDS ? n : CV_MUX_SCAN_WORDS, scan_select_word, &c, 0);
	}
	if (ret > r->found)
		r->overflow += ret - r->found;  /* past the scanned part of the array */
	bpf_loop(r->n < CV_MUX_READY_MAX ? r->n : CV_MUX_READY_MAX, describe_ready, &c, 0);
	e = reserve_current(CV_EV_MUX_READY);
	if (!e)
		return 0;
	e->flags = epoll ? CV_MUXR_EPOLL : 0;
	e->mux_ready.n = r->n;
	e->mux_ready.overflow = r->overflow;
	__builtin_memcpy(e->mux_ready.fd, r->fd, sizeof(r->fd));
	submit(e);
	return 0;
}
