// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/call_begin.h — Beginning a call we follow from its registers:
 * receive, accept, multiplexer, futex, io_uring_enter.  A part of
 * concviz.bpf.c, included once there, after the parts it uses. */

/* One raw (BTF) tracepoint sees every syscall's exit; the number is tested
 * first, one bit in a map (syscalls.h).  There is no sys_enter probe: each
 * all-syscall program taxes every process on the machine (bench/README.md).
 * A call we follow is begun (call_begin) from the registers it entered with
 *  - at the switch-out where a traced thread blocks in it (begin_at_block):
 *    enter_ts is that switch-out, the start of its wait;
 *  - else at its exit, enter_ts 0: it did not block, its start is not seen.
 * The exit turns it into one event.  Raw tracepoints need no tracefs (a
 * fresh machine has none mounted).  Which syscalls, by number, and what
 * they wait for: syscalls.h, the table attach seeding uses too. */

static __always_inline void begin(struct task_state *st, const struct sys_call *c)
{
	st->kind = cv_sys_block(c->sys);
	st->sys = c->sys;
	st->enter_ts = c->start_ts;
	/* copy_ts stays: the skb probe may have seen a copy before the block */
	st->obj = 0;
	st->arg = 0;
	st->flags = 0;
	st->owner = 0;
	/* waker stays: a wake before the switch-out that begins the call is
	 * its wake; it is cleared at the exit and at a switch-in outside a call */
	st->op = 0;
	st->lkind = CV_LK_FUTEX;
	st->obj_off = 0;
	st->ino = 0;
	st->py_new = 0;
}

/* A receive or accept on fd begins: which object it reads (its inode) */
static __always_inline void recv_begin(struct task_state *st, const struct sys_call *c,
				       unsigned long fd, struct file *f)
{
	begin(st, c);
	st->obj = fd;
	st->ino = f ? f->f_inode->i_ino : 0;
	/* described for this process already (user space keeps a description
	 * per process, fd and inode), and no description replaced one since
	 * (which may have made user space drop it): no map lookup */
	__u64 gen = fd_desc_gen;

	if (st->desc_fd == fd + 1 && st->desc_ino == st->ino && st->desc_gen == gen)
		return;
	if (fd_describe(c->sys, fd, f, st->ino)) {
		st->desc_fd = fd + 1;
		st->desc_ino = st->ino;
		st->desc_gen = gen;
	}
}

#define CV_US_PER_S 1000000
#define CV_NS_PER_S 1000000000
/* a timeval (per_s 1e6) or timespec (1e9) pointer: read the timeout so a
 * learner sees it, in ms; -1 = none.  At the exit select, pselect6 and
 * ppoll have written back the time left: for a call that did not block
 * that is the argument less a few µs, so it is rounded up (exact for a
 * whole number of ms). */
static __always_inline __s64 timeout_ms(__u64 p, long per_s, bool at_exit)
{
	struct { long sec, frac; } t;
	long per_ms = per_s / 1000;

	if (!p || bpf_probe_read_user(&t, sizeof(t), (void *)p) || t.sec < 0 || t.frac < 0)
		return -1;
	return (__u64)t.sec * 1000 + (__u64)(t.frac + (at_exit ? per_ms - 1 : 0)) / per_ms;
}

static __always_inline void mux_begin(struct task_state *st, const struct sys_call *c, __u64 nfds,
				      __s64 timeout_ms, __u64 p0, __u64 p1, __u64 p2)
{
	begin(st, c);
	st->obj = nfds;
	st->arg = timeout_ms;
	st->uptr[0] = p0;
	st->uptr[1] = p1;
	st->uptr[2] = p2;
}

/* The bytes of a glibc object that its futex words lie in (a uprobe said
 * which object the thread entered): pthread_cond_t, pthread_barrier_t. */
#define CV_GLIBC_COND_SIZE    48
#define CV_GLIBC_BARRIER_SIZE 32

/* A word of a condvar seen entered: its futex words are __g_refs (+16,
 * +20), __wrefs (+36) and __g_signals (+40, +44).  The offset, 0 if none. */
static __always_inline __u16 condvar_word(__u64 addr)
{
	static const __u16 offs[] = { 16, 20, 36, 40, 44 };
	struct lock_obj_key k = { .tgid = bpf_get_current_pid_tgid() >> 32 };

	for (int i = 0; i < 5; i++) {
		k.addr = addr - offs[i];
		if (bpf_map_lookup_elem(&lock_objs, &k))
			return offs[i];
	}
	return 0;
}

/* What a futex word belongs to, as far as can be told cheaply at enter:
 *  - a word inside the condvar/barrier whose wait function the thread
 *    entered last (uprobes on pthread_cond_*wait, pthread_barrier_wait);
 *  - a glibc pthread_mutex_t: the word is the mutex itself (2 = locked with
 *    waiters) and the owner's TID is at byte offset 8; for PI futexes the
 *    owner TID is in the word;
 *  - a glibc sem_t (new_sem, 64-bit): the wait is on the low word of `data`
 *    for value 0, with the waiter already counted in the high word
 *    (nwaiters >= 1), and `private` at +8 is the op's sharing (0 for a
 *    private futex, FUTEX_PRIVATE_FLAG for a shared one: glibc's LLL_SHARED).
 * A futex without FUTEX_PRIVATE_FLAG is process-shared. */
static __always_inline void futex_kind(struct task_state *st, __u64 addr, __u32 op,
				       __u32 val, __u32 word, bool private)
{
	__u32 owner = 0, hi = 0, priv = 1;
	__u64 size = st->ukind == CV_LK_CONDVAR ? CV_GLIBC_COND_SIZE : CV_GLIBC_BARRIER_SIZE;
	__u16 off;

	if (op == CV_FUTEX_LOCK_PI || op == CV_FUTEX_LOCK_PI2) {
		st->owner = pidns_global(word & CV_FUTEX_TID_MASK);
		st->flags |= CV_CALL_IS_MUTEX;
		st->lkind = CV_LK_MUTEX;
	} else if (val == 2 && word == 2 &&
		   !bpf_probe_read_user(&owner, sizeof(owner), (void *)(addr + 8))) {
		/* before the entered object and the condvar map: a freed condvar's
		 * memory may hold a mutex now (a condvar's own waits never expect
		 * 2: g_refs waits are odd) */
		st->owner = pidns_global(owner);
		st->flags |= CV_CALL_IS_MUTEX;
		st->lkind = CV_LK_MUTEX;
	} else if (st->ukind && addr >= st->uobj && addr < st->uobj + size) {
		st->lkind = st->ukind;
		st->obj_off = addr - st->uobj;
		/* used once: the entry probe has no return probe, and a later wait
		 * on that object is known from lock_objs (condvars); a stale entry
		 * would name whatever reuses the memory */
		st->ukind = 0;
	} else if ((off = condvar_word(addr))) {
		st->lkind = CV_LK_CONDVAR;
		st->obj_off = off;
	} else if (val == 0 && word == 0 &&
		   !bpf_probe_read_user(&hi, sizeof(hi), (void *)(addr + 4)) &&
		   !bpf_probe_read_user(&priv, sizeof(priv), (void *)(addr + 8)) &&
		   hi >= 1 && hi < (1u << 20) && priv == (private ? 0 : CV_FUTEX_PRIVATE_FLAG)) {
		struct lock_obj_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .addr = addr };
		__u32 *holder = bpf_map_lookup_elem(&sem_holders, &k);

		st->lkind = CV_LK_SEMAPHORE;
		/* the last taker: not the waiter itself, which may wait for a
		 * post from another thread (a Lock used as a latch) */
		if (holder && *holder != (__u32)bpf_get_current_pid_tgid())
			st->owner = *holder;
	}
	if (!private)
		st->flags |= CV_CALL_SHARED;
}

/* futex: only the waiting operations.  A wait that did not return EAGAIN
 * found the word equal to val (the kernel compares before it sleeps), so
 * val is the word; only a PI lock's word (its owner's TID) is read. */
static __always_inline void futex_begin(struct task_state *st, const struct sys_call *c,
					__u64 addr, __u32 op, __u32 val, bool private)
{
	__u32 word = val;

	begin(st, c);
	st->obj = addr;
	st->op = op;
	if (op == CV_FUTEX_LOCK_PI || op == CV_FUTEX_LOCK_PI2)
		bpf_probe_read_user(&word, sizeof(word), (void *)addr);
	futex_kind(st, addr, op, val, word, private);
	py_futex(st, addr);
}
/* Begin the call c describes, if it is one that waits (read/readv only on a
 * socket, pipe or FIFO; futex only a waiting op): what the sys_enter probe
 * did, now at the block or at the exit.  Current is the calling thread in
 * both places, so its fd table and memory are read as at the enter.  A
 * global function: the verifier checks it once, not in both callers.
 * Returns the kind begun, CV_BLK_NONE if none. */
__noinline int call_begin(struct task_state *st, const struct sys_call *c)
{
	__u64 a1, nfds, p0, p1 = 0, p2 = 0, uaddr = 0;
	__u32 op, val, private;
	__s64 tmo;
	struct file *f;

	if (!st || !c)
		return 0;
	a1 = c->arg[0];
	/* each family's begin is written once (the verifier walks each copy) */
	switch (cv_sys_block(c->sys)) {
	case CV_BLK_RECV:
	case CV_BLK_ACCEPT:
		f = fd_file(a1);
		op = file_type(f);
		if ((c->sys == CV_SYS_READ || c->sys == CV_SYS_READV) &&
		    op != S_IFSOCK && op != S_IFIFO)
			break; /* a file, a tty…: no receive */
		recv_begin(st, c, a1, f);
		if ((c->sys == CV_SYS_READ || c->sys == CV_SYS_READV) && op == S_IFIFO)
			st->flags |= CV_CALL_PIPE;
		break;
	case CV_BLK_MUX:
		switch (c->sys) {
		case CV_SYS_SELECT:
		case CV_SYS_PSELECT6:
			nfds = a1;
			tmo = timeout_ms(c->arg[4], c->sys == CV_SYS_SELECT ? CV_US_PER_S : CV_NS_PER_S,
					 c->at_exit);
			p0 = c->arg[1], p1 = c->arg[2], p2 = c->arg[3];
			break;
		case CV_SYS_POLL:
		case CV_SYS_PPOLL:
			nfds = c->arg[1];
			tmo = c->sys == CV_SYS_POLL ? (int)c->arg[2]
						    : timeout_ms(c->arg[2], CV_NS_PER_S, c->at_exit);
			p0 = a1;
			break;
		default: /* the epoll calls; epoll_pwait2's timeout is const, never written back */
			nfds = c->arg[2];
			tmo = c->sys == CV_SYS_EPOLL_PWAIT2 ? timeout_ms(c->arg[3], CV_NS_PER_S, false)
							    : (int)c->arg[3];
			p0 = c->arg[1];
			break;
		}
		mux_begin(st, c, nfds, tmo, p0, p1, p2);
		break;
	case CV_BLK_FUTEX:
		if (c->sys == CV_SYS_FUTEX_WAITV) {
			/* struct futex_waitv { u64 val; u64 uaddr; … }: name the first futex */
			bpf_probe_read_user(&uaddr, sizeof(uaddr), (void *)(a1 + 8));
			begin(st, c);
			st->obj = uaddr;
			break;
		}
		if (c->sys == CV_SYS_FUTEX) {
			op = c->arg[1];
			val = c->arg[2];
			private = op & CV_FUTEX_PRIVATE_FLAG;
			op &= CV_FUTEX_CMD_MASK;
			if (!cv_futex_op_waits(op))
				break;
		} else { /* futex_wait(uaddr, val, mask, flags, …) */
			op = CV_FUTEX_WAIT;
			val = c->arg[1];
			private = c->arg[3] & CV_FUTEX_PRIVATE_FLAG;
		}
		futex_begin(st, c, a1, op, val, private);
		break;
	case CV_BLK_URING:
		begin(st, c);
		st->arg = (__s64)((c->arg[1] & 0xffffffff) | (c->arg[2] << 32));
		st->op = c->arg[3];
		break;
	}
	return st->kind;
}
