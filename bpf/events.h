/* events.h — the event ABI between the BPF probes (bpf/) and user space (user/).
 *
 * Every event is one struct cv_event: a fixed 64-byte record, a common
 * header and a per-type payload.  A ring-buffer record is one or more of
 * them, one CPU's stage (bpf/probe/stage.h), in the order that CPU made
 * them.  Timestamps are CLOCK_BOOTTIME nanoseconds (bpf_ktime_get_boot_ns),
 * the clock user space reads with clock_gettime(CLOCK_BOOTTIME).
 *
 * One in-flight syscall (receive, multiplexer, futex wait, io_uring_enter)
 * becomes ONE event at syscall exit carrying its enter_ts; the BPF side
 * keeps the in-flight state per thread.  There is no sys_enter probe:
 * enter_ts is the switch-out where the call first blocked (what ran of it
 * before is CPU time), 0 if it did not block (its start is not seen; it
 * adds no wait).  Recordings made with a sys_enter probe have the enter.
 * A thread that blocks inside such a syscall is announced by the CV_EV_SWITCH
 * that takes it off the CPU, whose `block` field says what it blocked in, so
 * a live view knows at once that a thread is waiting for data / for a lock.
 *
 * Types marked (user) are never produced by BPF: user space synthesises them
 * (seeding threads found in /proc on attach, ring-buffer drops, end of trace)
 * and they go through the model and into recordings like any other event.
 */
#ifndef CONCVIZ_EVENTS_H
#define CONCVIZ_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CV_COMM_LEN 16

enum cv_event_type {
	CV_EV_SWITCH = 1,   /* sched_switch with a traced prev and/or next */
	CV_EV_WAKEUP,       /* sched_wakeup (enqueued) of a traced thread */
	CV_EV_TASK,         /* new thread or process (fork/clone), or (user) seeded at attach */
	CV_EV_EXIT,         /* thread exit */
	CV_EV_COMM,         /* thread renamed (prctl/pthread_setname_np) or exec */
	CV_EV_RECV,         /* one receive syscall completed (recvfrom/recvmsg, read/readv on a
			     * socket, pipe or FIFO, mq_timedreceive), or one accept/accept4
			     * (recv.sys says which; recv.ret is then the new fd) */
	CV_EV_MUX,          /* one select/pselect6/poll/ppoll/epoll_wait/epoll_pwait[2] completed */
	CV_EV_FUTEX,        /* one futex wait (WAIT, WAIT_BITSET, LOCK_PI, futex_wait…) completed */
	CV_EV_URING_ENTER,  /* one io_uring_enter completed */
	CV_EV_URING_SUBMIT, /* io_uring request submitted (io_uring_submit_req) */
	CV_EV_URING_COMPLETE, /* io_uring request completed (io_uring_complete) */
	CV_EV_LOST,         /* (user) events were dropped: lost.count of them, lost.where */
	CV_EV_END,          /* (user) end of trace at hdr.ts; closes every open interval */
	CV_EV_FD,           /* what a descriptor is, at the first receive/accept on it since
			     * its number named another object (fd.ino) */
	CV_EV_MUX_READY,    /* the descriptors one select/poll/epoll call (ret > 0) returned
			     * ready: follows that call's CV_EV_MUX */
	CV_EV_TYPE_MAX
};

/* What a thread is blocked in (CV_EV_SWITCH.block, CV_EV_TASK.seed_block). */
enum cv_block_kind {
	CV_BLK_NONE = 0,    /* not in a traced syscall: plain sleep */
	CV_BLK_RECV,        /* receive, before the copy to user started: waiting for data */
	CV_BLK_RECV_COPY,   /* receive, after the copy started */
	CV_BLK_MUX,         /* select/poll/epoll */
	CV_BLK_FUTEX,       /* futex wait */
	CV_BLK_URING,       /* io_uring_enter waiting for completions */
	CV_BLK_ACCEPT,      /* accept/accept4: waiting for a connection */
};

/* What kind of object a futex wait waits on (CV_EV_FUTEX.kind,
 * CV_EV_SWITCH.lock_kind), as far as the probes can tell; user space may
 * refine CV_LK_FUTEX (unknown) from names (join futexes, the GIL's words).
 * The JSON/TUI names are cv_lock_kind_name() (model.h). */
enum cv_lock_kind {
	CV_LK_FUTEX = 0,    /* unknown: a bare futex wait */
	CV_LK_MUTEX,        /* pthread mutex, Python Lock/RLock, multiprocessing.Lock */
	CV_LK_CONDVAR,      /* pthread condition variable, Python Condition.wait */
	CV_LK_SEMAPHORE,    /* POSIX sem_t, Python Semaphore/BoundedSemaphore */
	CV_LK_RWLOCK,       /* pthread rwlock */
	CV_LK_BARRIER,      /* pthread barrier, Python Barrier */
	CV_LK_JOIN,         /* waiting for a thread to exit (pthread_join, Thread.join) */
	CV_LK_GIL,          /* CPython's global interpreter lock */
	CV_LK_EVENT,        /* Python threading.Event.wait */
	CV_LK_QUEUE,        /* Python queue.Queue get/put */
	CV_LK_COUNT
};

/* What a descriptor is (CV_EV_FD.kind). */
enum cv_fd_kind {
	CV_FD_UNKNOWN = 0,  /* not described (an old recording, or not a file the probes know) */
	CV_FD_TCP,          /* TCP socket, IPv4 or IPv6 */
	CV_FD_UDP,
	CV_FD_UNIX,         /* UNIX-domain socket */
	CV_FD_SOCKET,       /* another kind of socket (netlink, raw, …) */
	CV_FD_PIPE,         /* anonymous pipe */
	CV_FD_FIFO,         /* named pipe */
	CV_FD_MQ,           /* POSIX message queue */
	CV_FD_KIND_COUNT
};

/* CV_EV_FD.flags */
#define CV_FD_NAME_PEER  0x01 /* UNIX: name[] is the peer's address (the socket has none) */
#define CV_FD_NAME_TRUNC 0x02 /* name[] is the start of a longer name */

/* Which syscall (CV_EV_RECV.sys, CV_EV_MUX.sys, CV_EV_FUTEX.sys). */
enum cv_sys {
	CV_SYS_RECVFROM = 1, CV_SYS_RECVMSG, CV_SYS_READ,
	CV_SYS_SELECT, CV_SYS_PSELECT6, CV_SYS_POLL, CV_SYS_PPOLL,
	CV_SYS_EPOLL_WAIT, CV_SYS_EPOLL_PWAIT, CV_SYS_EPOLL_PWAIT2,
	CV_SYS_FUTEX, CV_SYS_FUTEX_WAIT, CV_SYS_FUTEX_WAITV,
	CV_SYS_IO_URING_ENTER,
	CV_SYS_ACCEPT, CV_SYS_ACCEPT4, CV_SYS_READV, CV_SYS_MQ_TIMEDRECEIVE,
};

/* accept/accept4: a CV_EV_RECV with one of these sys values is an accept */
#define CV_SYS_IS_ACCEPT(sys) ((sys) == CV_SYS_ACCEPT || (sys) == CV_SYS_ACCEPT4)

/* errno values of the `ret` fields, which are -errno as the kernel returns
 * them: Linux's generic numbers (asm-generic/errno-base.h, errno.h), the same
 * on x86_64 and arm64.  Named here because BPF C has no <errno.h> and a
 * recording is read on any host. */
#define CV_EINTR     4    /* a signal interrupted the call: the program saw -1 EINTR */
#define CV_EAGAIN    11   /* RECV: a non-blocking receive found no data (a poll) */
#define CV_ETIMEDOUT 110  /* FUTEX: the wait timed out */
/* The kernel's restart codes (include/linux/errno.h): never returned to a
 * program, seen at sys_exit only.  A signal interrupted the call; after the
 * exit the kernel turns the code into -EINTR (a handler ran: for ERESTARTSYS
 * one without SA_RESTART) or restarts the call (ERESTART_RESTARTBLOCK: as
 * the restart_syscall syscall). */
#define CV_ERESTARTSYS           512
#define CV_ERESTARTNOINTR        513 /* always restarted */
#define CV_ERESTARTNOHAND        514 /* restarted only when no handler ran */
#define CV_ERESTART_RESTARTBLOCK 516 /* restarted (as restart_syscall) only when no handler ran */

/* ret is one of the restart codes: a signal interrupted the call, and what
 * the program saw comes after the exit (the probes: the handler that decides
 * it; the model holds the call until it knows) */
static inline __attribute__((always_inline)) int cv_is_restart_code(__s64 ret)
{
	return ret == -CV_ERESTARTSYS || ret == -CV_ERESTARTNOINTR || ret == -CV_ERESTARTNOHAND ||
	       ret == -CV_ERESTART_RESTARTBLOCK;
}

/* Why the probes dropped an event: the index of their per-CPU `drops` counters */
enum cv_drop_cause {
	CV_DROP_RING_FULL = 0, /* the ring buffer had no room (or a map lookup failed) */
	CV_DROP_NESTED,        /* reserved inside more than CV_STAGE_NEST other reservations */
	CV_DROP_CAUSES
};

/* A CPU's stage (bpf/probe/stage.h): the value of the per-CPU map
 * `stage_counts`, which user space reads before it flushes the stages */
struct cv_stage_count {
	__u32 n;     /* events in the stage */
	__u32 depth; /* reservations outstanding on this CPU */
};

/* CV_EV_SWITCH.flags */
#define CV_SW_PREEMPT      0x01 /* prev was preempted (involuntary switch) */
#define CV_SW_PREV_TRACED  0x02
#define CV_SW_NEXT_TRACED  0x04
#define CV_SW_PREV_BLOCKED 0x08 /* prev left the run queue (prev_state != 0, not preempted) */
#define CV_SW_LOCK_SHARED  0x10 /* FUTEX block: as CV_CALL_SHARED */
#define CV_SW_LOCK_PYOBJ   0x20 /* FUTEX block: as CV_CALL_PYOBJ */
#define CV_SW_KCLOCK       0x40 /* this kernel gives its run-queue figures: next_run_delay
				 * is the kernel's (when next is traced); recordings made
				 * before concviz read it lack the flag */

/* CV_EV_RECV/MUX/FUTEX/URING_ENTER .flags */
#define CV_CALL_BLOCKED    0x01 /* the thread went off CPU (voluntarily) during the call */
#define CV_CALL_IS_MUTEX   0x02 /* FUTEX: futex word looked like a contended glibc mutex (value 2) */
#define CV_CALL_SHARED     0x08 /* FUTEX: process-shared futex (no FUTEX_PRIVATE_FLAG): the
				 * same lock may be waited on from several processes */
#define CV_CALL_PYOBJ      0x10 /* FUTEX: addr is a Python object (Condition, Event, Queue, …)
				 * the wait belongs to, not the futex word */
#define CV_CALL_PIPE       0x04 /* RECV: read/readv on a pipe or FIFO (else a socket, or
				 * mq_timedreceive by sys); no skb copy: copy_ts is the
				 * switch-in after the wait, 0 if it never blocked */
/* RECV/MUX/FUTEX: the signal handler the thread ran on the way out of its
 * previous RECV/MUX/FUTEX call, if that exited with a restart code
 * (signal_deliver): what the kernel made of the code (ERESTARTNOHAND and
 * ERESTART_RESTARTBLOCK: EINTR if a handler ran; ERESTARTSYS: EINTR if it
 * has no SA_RESTART; else restarted).  Without CV_CALL_SIG_KNOWN (arm64, a
 * kernel without the tracepoint, a recording made before concviz read it)
 * the model infers it (model_feed.c). */
#define CV_CALL_SIG_KNOWN       0x20 /* handler runs are reported: the two bits below
				      * (CV_EV_EXIT carries them too: for the thread's
				      * last call) */
#define CV_CALL_HANDLER_RAN     0x40 /* a handler ran (a signal not ignored, not default) */
#define CV_CALL_HANDLER_RESTART 0x80 /* it has SA_RESTART */

/* CV_EV_MUX_READY.flags */
#define CV_MUXR_EPOLL      0x01 /* epoll: the fds are each event's registered `data` (its low
				 * 32 bits), which is the fd only when the program registered it
				 * so (Python's selectors and select.epoll do; many C programs) */

/* descriptors one CV_EV_MUX_READY lists; the rest are counted in overflow */
#define CV_MUX_READY_MAX 17

/* CV_EV_LOST.lost.where: where the events were lost.  The tracer's count
 * is one figure; the live session splits it into one LOST per kind. */
enum cv_lost_where {
	CV_LOST_UNKNOWN = 0, /* not said (recordings made before the split) */
	CV_LOST_RING,        /* the kernel's ring buffer was full */
	CV_LOST_MEMORY,      /* concviz's own queue in memory had no room (it fell behind) */
	CV_LOST_WHERE_COUNT
};

/* CV_EV_TASK.flags */
#define CV_TASK_PROCESS    0x01 /* a new process (thread group leader), not a thread */
#define CV_TASK_SEED       0x02 /* (user) found already running at attach; seed_* valid */
#define CV_TASK_SEED_ONCPU 0x04 /* (user) seeded thread was running/runnable (/proc state R) */
#define CV_TASK_SEED_PYOBJ 0x08 /* (user, SEED in a futex wait) seed_obj is the Python object
				 * it waits for, as CV_CALL_PYOBJ */
/* (user, SEED in a futex wait) bits 4..7: the wait's enum cv_lock_kind, 0 unknown */
#define CV_TASK_SEED_KIND_SHIFT 4
#define CV_TASK_SEED_KIND(flags) (((flags) >> CV_TASK_SEED_KIND_SHIFT) & 0xf)

struct cv_event {
	__u64 ts;     /* CLOCK_BOOTTIME ns */
	__u32 tid;    /* the thread the event is about (SWITCH: prev) */
	__u32 pid;    /* its thread group id */
	__u16 type;   /* enum cv_event_type */
	__u16 cpu;
	__u32 flags;  /* per type, see above */
	union {
		struct {            /* CV_EV_SWITCH: tid/pid are prev */
			__u32 next_tid, next_pid;
			__u32 prev_state; /* prev->__state as the tracepoint saw it */
			__u32 block;      /* enum cv_block_kind of prev when it blocked */
			__u64 obj;        /* FUTEX: the lock's address (futex.addr); MUX/RECV: 0 */
			__u32 owner_tid;  /* FUTEX: owner TID read from the mutex (offset 8), 0 unknown */
			__u8 lock_kind;   /* FUTEX: enum cv_lock_kind, as futex.kind */
			__u8 pad8;
			__u16 obj_off;    /* FUTEX: as futex.obj_off */
			__u64 next_run_delay; /* (KCLOCK, next traced) the run-queue delay the
					       * kernel counted for next, by its own clock,
					       * since next's last reported switch-in
					       * (sched_info.run_delay, and the arrival this
					       * switch adds) */
		} sw;
		struct {            /* CV_EV_WAKEUP: tid/pid are the wakee, ts its enqueue */
			__u32 waker_tid, waker_pid; /* current task at sched_waking (0 in irq) */
			__u32 target_cpu; /* the CPU whose run queue it joined */
			__u32 pad;
		} wake;
		struct {            /* CV_EV_TASK: tid/pid are the new task */
			__u32 parent_tid, parent_pid;
			char comm[CV_COMM_LEN];
			__u32 seed_block;  /* (user, SEED) enum cv_block_kind at attach */
			__u32 seed_sys;    /* (user, SEED) enum cv_sys at attach, 0 none */
			union {
				__u64 seed_obj;  /* (user, SEED) futex address when seed_block==FUTEX */
				__u64 join_addr; /* (BPF, not SEED) the thread's clear_child_tid:
						  * the futex pthread_join waits on, 0 none */
			};
		} task;
		struct {            /* CV_EV_EXIT */
			__s32 exit_code;  /* task->exit_code (wait status) */
			__u32 group_dead; /* last thread of its process */
			__u64 kernel_cpu_ns;       /* se.sum_exec_runtime at exit (schedstat field 1) */
			__u64 kernel_run_delay_ns; /* sched_info.run_delay at exit (schedstat field 2) */
			__u64 kernel_uncharged_ns; /* on a CPU but not charged to it by the kernel:
						    * the host's steal, interrupt time (0: none, or
						    * a recording made before concviz read it) */
		} exit;
		struct {            /* CV_EV_COMM */
			char comm[CV_COMM_LEN];
		} comm;
		struct {            /* CV_EV_RECV: hdr.ts is the syscall exit */
			__u64 enter_ts;   /* its first block, 0 none (see the top) */
			__u64 copy_ts;    /* first skb_copy_datagram_iovec, 0 if no copy (it
					   * may come before enter_ts: MSG_WAITALL);
					   * pipe/mq (no skb): see CV_CALL_PIPE */
			__s64 ret;        /* bytes, or -errno (-CV_EAGAIN = a poll attempt) */
			__u32 fd;
			__u32 sys;        /* enum cv_sys */
			__u64 ino;        /* the fd's inode number at enter, 0 unknown: with pid
					   * and fd it names the object read (an fd number
					   * is reused; CV_EV_FD describes it); old
					   * recordings read 0 */
		} recv;
		struct {            /* CV_EV_MUX: hdr.ts is the syscall exit */
			__u64 enter_ts;
			__s64 ret;        /* ready count or -errno */
			__u32 sys;        /* enum cv_sys */
			__u32 nfds;       /* nfds / maxevents argument */
			__s64 timeout_ms; /* -1 infinite, else ms (best effort from args) */
		} mux;
		struct {            /* CV_EV_FUTEX: hdr.ts is the syscall exit */
			__u64 enter_ts;
			__u64 addr;       /* the lock: the futex word's address (user virtual),
					   * or with CV_CALL_PYOBJ the Python object waited on */
			__s64 ret;
			__u8 op;          /* futex op & FUTEX_CMD_MASK */
			__u8 kind;        /* enum cv_lock_kind, CV_LK_FUTEX unknown */
			__u16 obj_off;    /* the futex word is obj_off bytes into the lock object
					   * (a condvar's +40/+44): addr - obj_off is the object */
			__u32 sys;        /* enum cv_sys */
			__u32 owner_tid;  /* mutex owner at enter (offset 8), 0 unknown */
			__u32 waker_tid;  /* traced thread whose wake ended the wait, 0 unknown */
		} futex;
		struct {            /* CV_EV_URING_ENTER: hdr.ts is the syscall exit */
			__u64 enter_ts;
			__s64 ret;
			__u32 to_submit, min_complete;
			__u32 enter_flags;
			__u32 pad;
		} uenter;
		struct {            /* CV_EV_URING_SUBMIT: tid = submitting thread */
			__u64 user_data;
			__u64 req;        /* kernel request id (opaque), pairs submit/complete */
			__u32 opcode;
			__u32 pad;
		} usubmit;
		struct {            /* CV_EV_URING_COMPLETE: tid/pid = the SUBMITTING thread */
			__u64 user_data;
			__u64 submit_ts;  /* 0 if the submit was not seen */
			__s32 res;
			__u32 cflags;
			__u32 opcode;
			__u32 done_tid;   /* thread in whose context the completion was posted */
		} ucomplete;
		struct {            /* CV_EV_FD: fd of pid, at the receive/accept enter of tid */
			__u64 ino;        /* the inode it names (as recv.ino) */
			__u32 fd;
			__u8 kind;        /* enum cv_fd_kind */
			__u8 name_len;    /* valid bytes of name[] (UNIX: abstract names start with 0) */
			__u16 family;     /* a socket's AF_* */
			union {
				struct {  /* TCP/UDP: ports in host order; IPv4 addresses as
					   * stored (network order); IPv6: ports only */
					__u16 lport, rport;
					__u8 laddr[4], raddr[4];
				} inet;
				char name[24]; /* UNIX: sun_path; FIFO: the file's name (not
						* its path); MQ: the queue's name */
			};
		} fd;
		struct {            /* CV_EV_MUX_READY: hdr.ts is the syscall exit */
			__u32 overflow;   /* ready entries not in fd[]: past CV_MUX_READY_MAX,
					   * past the scanned part of the array, or an fd
					   * (epoll data) of 65536 or more */
			__u16 n;          /* valid entries of fd[] */
			__u16 fd[CV_MUX_READY_MAX]; /* ready descriptors, each once per call
						     * (select: in any of its three sets) */
		} mux_ready;
		struct {            /* CV_EV_LOST */
			__u64 count;
			__u32 where;      /* enum cv_lost_where: which queue had no room (0 in
					   * recordings made before concviz said) */
			__u32 pad;
		} lost;
		__u8 raw[40];
	};
};

/* The ring buffer record is exactly this big; the recording format encodes it
 * more compactly.  Static check in both worlds. */
_Static_assert(sizeof(struct cv_event) == 64, "cv_event ABI is 64 bytes");

#endif /* CONCVIZ_EVENTS_H */
