/* syscalls.h — the syscalls concviz follows: their numbers per architecture,
 * the enum cv_sys and block kind each one reports, and when one really waits.
 *
 * One table for the probes (bpf/probe/, which see a syscall enter)
 * and for attach seeding (user/live/procscan.c, which finds a thread already
 * blocked in one through /proc/PID/task/TID/syscall): both must classify a
 * syscall the same way.  Plain C on both sides (no libc, no vmlinux.h).
 *
 * Numbers: x86_64 from arch/x86/entry/syscalls/syscall_64.tbl; arm64 uses
 * asm-generic/unistd.h, which has no select, poll, epoll_wait (nor recv);
 * syscalls added since Linux 5.1 have one number on every architecture.
 * tests/unit/test_syscalls.c checks the table against the C library's
 * SYS_* numbers at compile time (also when cross-compiled for arm64).
 */
#ifndef CONCVIZ_SYSCALLS_H
#define CONCVIZ_SYSCALLS_H

#include "events.h"

/* X(number, CV_SYS_ suffix, a): a is passed through to X unchanged.  BPF
 * objects are built with -D__TARGET_ARCH_<arch>, user code by a compiler
 * for the machine. */
#if defined(__TARGET_ARCH_x86) || defined(__x86_64__)
#define CV_SYSCALLS_ARCH(X, a) \
	X(0, READ, a) X(7, POLL, a) X(19, READV, a) X(23, SELECT, a) X(43, ACCEPT, a) X(45, RECVFROM, a) \
	X(47, RECVMSG, a) X(202, FUTEX, a) X(232, EPOLL_WAIT, a) X(243, MQ_TIMEDRECEIVE, a) \
	X(270, PSELECT6, a) X(271, PPOLL, a) X(281, EPOLL_PWAIT, a) X(288, ACCEPT4, a)
#elif defined(__TARGET_ARCH_arm64) || defined(__aarch64__)
#define CV_SYSCALLS_ARCH(X, a) \
	X(22, EPOLL_PWAIT, a) X(63, READ, a) X(65, READV, a) X(72, PSELECT6, a) X(73, PPOLL, a) X(98, FUTEX, a) \
	X(183, MQ_TIMEDRECEIVE, a) X(202, ACCEPT, a) X(207, RECVFROM, a) X(212, RECVMSG, a) X(242, ACCEPT4, a)
#else
#error "concviz: add this architecture's syscall numbers to bpf/syscalls.h"
#endif
#define CV_SYSCALLS_COMMON(X, a) \
	X(426, IO_URING_ENTER, a) X(441, EPOLL_PWAIT2, a) X(449, FUTEX_WAITV, a) X(455, FUTEX_WAIT, a)
#define CV_SYSCALLS(X, a) CV_SYSCALLS_ARCH(X, a) CV_SYSCALLS_COMMON(X, a)

/* futex(2) operations (linux/futex.h; vmlinux.h has no macros) */
#define CV_FUTEX_WAIT            0
#define CV_FUTEX_LOCK_PI         6
#define CV_FUTEX_WAIT_BITSET     9
#define CV_FUTEX_WAIT_REQUEUE_PI 11
#define CV_FUTEX_LOCK_PI2        13
#define CV_FUTEX_CMD_MASK        (~(128 | 256)) /* ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME) */
#define CV_FUTEX_PRIVATE_FLAG    128 /* futex op, and futex_wait's FUTEX2_PRIVATE */
#define CV_FUTEX_TID_MASK        0x3fffffff
/* io_uring_enter(2) flags (linux/io_uring.h) */
#define CV_IORING_ENTER_GETEVENTS 1

#define CV_SYSCALLS_INLINE static inline __attribute__((always_inline))

/* The enum cv_sys of syscall number nr of this architecture, 0 if concviz
 * does not follow it. */
CV_SYSCALLS_INLINE __u32 cv_sys_of_nr(long nr)
{
	switch (nr) {
#define CV_SYS_CASE(n, name, a) case n: return CV_SYS_##name;
	CV_SYSCALLS(CV_SYS_CASE, 0)
#undef CV_SYS_CASE
	}
	return 0;
}

/* Is nr one of the syscalls above?  One bit test in a 512-bit map: the
 * probes' sys_exit asks this of every syscall on the machine, first. */
#define CV_NR_BITS 512
#define CV_NR_BIT(n, name, w) | ((n) / 64 == (w) ? 1ULL << ((n) % 64) : 0ULL)
#define CV_NR_WORD(w) (0ULL CV_SYSCALLS(CV_NR_BIT, w))
#define CV_NR_FITS(n, name, a) _Static_assert((n) < CV_NR_BITS, #name " is past CV_NR_BITS");
CV_SYSCALLS(CV_NR_FITS, 0)
#undef CV_NR_FITS
CV_SYSCALLS_INLINE int cv_nr_followed(long nr)
{
	static const __u64 words[CV_NR_BITS / 64] = {
		CV_NR_WORD(0), CV_NR_WORD(1), CV_NR_WORD(2), CV_NR_WORD(3),
		CV_NR_WORD(4), CV_NR_WORD(5), CV_NR_WORD(6), CV_NR_WORD(7),
	};

	if ((unsigned long)nr >= CV_NR_BITS)
		return 0;
	return (words[nr / 64] >> (nr % 64)) & 1;
}

/* The enum cv_block_kind of a thread blocked in sys (before a receive's copy
 * starts), if it really waits there: read(2)/readv(2) only on a socket, pipe
 * or FIFO, futex(2) only
 * for cv_futex_op_waits(), io_uring_enter(2) only for cv_uring_enter_waits(). */
CV_SYSCALLS_INLINE __u32 cv_sys_block(__u32 sys)
{
	switch (sys) {
	case CV_SYS_RECVFROM: case CV_SYS_RECVMSG: case CV_SYS_READ: case CV_SYS_READV:
	case CV_SYS_MQ_TIMEDRECEIVE:
		return CV_BLK_RECV;
	case CV_SYS_ACCEPT: case CV_SYS_ACCEPT4:
		return CV_BLK_ACCEPT;
	case CV_SYS_SELECT: case CV_SYS_PSELECT6: case CV_SYS_POLL: case CV_SYS_PPOLL:
	case CV_SYS_EPOLL_WAIT: case CV_SYS_EPOLL_PWAIT: case CV_SYS_EPOLL_PWAIT2:
		return CV_BLK_MUX;
	case CV_SYS_FUTEX: case CV_SYS_FUTEX_WAIT: case CV_SYS_FUTEX_WAITV:
		return CV_BLK_FUTEX;
	case CV_SYS_IO_URING_ENTER:
		return CV_BLK_URING;
	}
	return CV_BLK_NONE;
}

/* futex(2) with op (the second argument): does it wait? */
CV_SYSCALLS_INLINE int cv_futex_op_waits(__u32 op)
{
	op &= CV_FUTEX_CMD_MASK;
	return op == CV_FUTEX_WAIT || op == CV_FUTEX_WAIT_BITSET || op == CV_FUTEX_LOCK_PI ||
	       op == CV_FUTEX_LOCK_PI2 || op == CV_FUTEX_WAIT_REQUEUE_PI;
}

/* io_uring_enter(2) with flags and min_complete: does it wait for completions? */
CV_SYSCALLS_INLINE int cv_uring_enter_waits(__u32 flags, __u32 min_complete)
{
	return (flags & CV_IORING_ENTER_GETEVENTS) && min_complete;
}

#endif /* CONCVIZ_SYSCALLS_H */
