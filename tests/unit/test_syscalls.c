/* test_syscalls.c — the syscall table of the probes and attach seeding
 * (bpf/syscalls.h) and the ABI's errno constants (bpf/events.h), checked
 * against the C library's and the kernel headers' numbers at compile time:
 * compiling this file for another architecture checks its table, e.g.
 *   clang -target aarch64-linux-gnu -fsyntax-only -std=c11 -D_GNU_SOURCE \
 *         -I. -Iuser -Itests/unit tests/unit/test_syscalls.c
 * Then attach seeding's classification of a blocked thread
 * (cv_proc_classify_syscall) on this process's own file descriptors. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf/syscalls.h"
#include "check.h"
#include "live/procscan.h"

/* ---- compile time: the table is this architecture's --------------------- */

enum {
#define TABLE_NR(n, name, a) TABLE_NR_##name = n,
	CV_SYSCALLS(TABLE_NR, 0)
#undef TABLE_NR
};
/* A syscall the C library has must be in the table with its number (a
 * missing entry fails to compile: no TABLE_NR_ constant); one the library
 * lacks on this architecture (select, poll, epoll_wait on arm64) must not
 * be (checked at run time below). */
#define SAME(sysno, name) _Static_assert(TABLE_NR_##name == sysno, #name)
#ifdef SYS_read
SAME(SYS_read, READ);
#endif
#ifdef SYS_recvfrom
SAME(SYS_recvfrom, RECVFROM);
#endif
#ifdef SYS_recvmsg
SAME(SYS_recvmsg, RECVMSG);
#endif
#ifdef SYS_select
SAME(SYS_select, SELECT);
#endif
#ifdef SYS_pselect6
SAME(SYS_pselect6, PSELECT6);
#endif
#ifdef SYS_poll
SAME(SYS_poll, POLL);
#endif
#ifdef SYS_ppoll
SAME(SYS_ppoll, PPOLL);
#endif
#ifdef SYS_epoll_wait
SAME(SYS_epoll_wait, EPOLL_WAIT);
#endif
#ifdef SYS_epoll_pwait
SAME(SYS_epoll_pwait, EPOLL_PWAIT);
#endif
#ifdef SYS_epoll_pwait2
SAME(SYS_epoll_pwait2, EPOLL_PWAIT2);
#endif
#ifdef SYS_futex
SAME(SYS_futex, FUTEX);
#endif
#ifdef SYS_futex_waitv
SAME(SYS_futex_waitv, FUTEX_WAITV);
#endif
#ifdef SYS_futex_wait   /* Linux 6.7; older headers lack it */
SAME(SYS_futex_wait, FUTEX_WAIT);
#endif
#ifdef SYS_readv
SAME(SYS_readv, READV);
#endif
#ifdef SYS_accept
SAME(SYS_accept, ACCEPT);
#endif
#ifdef SYS_accept4
SAME(SYS_accept4, ACCEPT4);
#endif
#ifdef SYS_mq_timedreceive
SAME(SYS_mq_timedreceive, MQ_TIMEDRECEIVE);
#endif
#ifdef SYS_io_uring_enter
SAME(SYS_io_uring_enter, IO_URING_ENTER);
#endif

_Static_assert(CV_EAGAIN == EAGAIN, "EAGAIN");
_Static_assert(CV_ETIMEDOUT == ETIMEDOUT, "ETIMEDOUT");
_Static_assert(CV_FUTEX_WAIT == FUTEX_WAIT, "FUTEX_WAIT");
_Static_assert(CV_FUTEX_LOCK_PI == FUTEX_LOCK_PI, "FUTEX_LOCK_PI");
_Static_assert(CV_FUTEX_WAIT_BITSET == FUTEX_WAIT_BITSET, "FUTEX_WAIT_BITSET");
_Static_assert(CV_FUTEX_WAIT_REQUEUE_PI == FUTEX_WAIT_REQUEUE_PI, "FUTEX_WAIT_REQUEUE_PI");
_Static_assert(CV_FUTEX_CMD_MASK == FUTEX_CMD_MASK, "FUTEX_CMD_MASK");
_Static_assert(CV_FUTEX_TID_MASK == FUTEX_TID_MASK, "FUTEX_TID_MASK");
#ifdef FUTEX_LOCK_PI2
_Static_assert(CV_FUTEX_LOCK_PI2 == FUTEX_LOCK_PI2, "FUTEX_LOCK_PI2");
#endif
_Static_assert(CV_IORING_ENTER_GETEVENTS == IORING_ENTER_GETEVENTS, "IORING_ENTER_GETEVENTS");

/* ---- run time ----------------------------------------------------------- */

TEST(table)
{
	CHECK_EQ(cv_sys_of_nr(SYS_recvfrom), CV_SYS_RECVFROM);
	CHECK_EQ(cv_sys_of_nr(SYS_read), CV_SYS_READ);
	CHECK_EQ(cv_sys_of_nr(SYS_epoll_pwait), CV_SYS_EPOLL_PWAIT);
	CHECK_EQ(cv_sys_of_nr(SYS_futex), CV_SYS_FUTEX);
	CHECK_EQ(cv_sys_of_nr(455), CV_SYS_FUTEX_WAIT); /* same number everywhere */
	CHECK_EQ(cv_sys_of_nr(SYS_write), 0);
	CHECK_EQ(cv_sys_of_nr(SYS_nanosleep), 0);
	CHECK_EQ(cv_sys_of_nr(-1), 0);
	/* the probes' first filter says yes exactly for the table's numbers */
	for (long nr = -2; nr < CV_NR_BITS + 64; nr++)
		CHECK_EQ(cv_nr_followed(nr), cv_sys_of_nr(nr) != 0);
	/* every CV_SYS_ number is in the table once, with a block kind */
	int seen[32] = { 0 };
#define COUNT(n, name, a) seen[CV_SYS_##name]++; CHECK(cv_sys_block(CV_SYS_##name) != CV_BLK_NONE);
	CV_SYSCALLS(COUNT, 0)
#undef COUNT
	for (int s = CV_SYS_RECVFROM; s <= CV_SYS_MQ_TIMEDRECEIVE; s++) {
#if defined(__aarch64__)
		if (s == CV_SYS_SELECT || s == CV_SYS_POLL || s == CV_SYS_EPOLL_WAIT) {
			CHECK_EQ(seen[s], 0);
			continue;
		}
#endif
		CHECK_EQ(seen[s], 1);
	}
	CHECK_EQ(cv_sys_block(CV_SYS_RECVMSG), CV_BLK_RECV);
	CHECK_EQ(cv_sys_block(CV_SYS_PPOLL), CV_BLK_MUX);
	CHECK_EQ(cv_sys_block(CV_SYS_FUTEX_WAITV), CV_BLK_FUTEX);
	CHECK_EQ(cv_sys_block(CV_SYS_IO_URING_ENTER), CV_BLK_URING);
	CHECK_EQ(cv_sys_block(CV_SYS_ACCEPT4), CV_BLK_ACCEPT);
	CHECK_EQ(cv_sys_block(CV_SYS_MQ_TIMEDRECEIVE), CV_BLK_RECV);
	CHECK_EQ(cv_sys_block(CV_SYS_READV), CV_BLK_RECV);
	CHECK_EQ(cv_sys_block(0), CV_BLK_NONE);

	CHECK(cv_futex_op_waits(FUTEX_WAIT_PRIVATE));
	CHECK(cv_futex_op_waits(FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME));
	CHECK(cv_futex_op_waits(FUTEX_LOCK_PI));
	CHECK(!cv_futex_op_waits(FUTEX_WAKE_PRIVATE));
	CHECK(!cv_futex_op_waits(FUTEX_UNLOCK_PI));
	CHECK(cv_uring_enter_waits(IORING_ENTER_GETEVENTS, 1));
	CHECK(!cv_uring_enter_waits(IORING_ENTER_GETEVENTS, 0));
	CHECK(!cv_uring_enter_waits(0, 1));
}

static struct cv_event classify(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct cv_event ev;
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	memset(&ev, 0xff, sizeof(ev)); /* everything it does not set shows */
	cv_proc_classify_syscall((uint32_t)getpid(), (uint32_t)gettid(), nr, args, &ev);
	return ev;
}

#define SEED(ev, blk, sy, ob) do { \
	CHECK_EQ((ev).task.seed_block, blk); \
	CHECK_EQ((ev).task.seed_sys, sy); \
	CHECK_EQ((ev).task.seed_obj, ob); \
} while (0)

/* seeding applies the probes' argument tests */
TEST(seed)
{
	int sv[2], pp[2];
	uint32_t word = 0;
	struct { uint64_t val, uaddr; uint32_t flags, reserved; } waitv = { 0, 0x7000, 2, 0 };
	struct cv_event ev;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe2(pp, O_CLOEXEC), 0);

	/* read(2) is a receive on a socket, pipe or FIFO only */
	ev = classify(SYS_read, (uint64_t)sv[0], 0, 64, 0);
	SEED(ev, CV_BLK_RECV, CV_SYS_READ, 0);
	ev = classify(SYS_read, (uint64_t)pp[0], 0, 64, 0);
	SEED(ev, CV_BLK_RECV, CV_SYS_READ, 0);
	ev = classify(SYS_readv, (uint64_t)pp[0], 0, 1, 0);
	SEED(ev, CV_BLK_RECV, CV_SYS_READV, 0);
	ev = classify(SYS_read, 0x7fffffff, 0, 64, 0);
	SEED(ev, CV_BLK_NONE, 0, 0);
	ev = classify(SYS_accept4, (uint64_t)sv[0], 0, 0, 0);
	SEED(ev, CV_BLK_ACCEPT, CV_SYS_ACCEPT4, 0);
	ev = classify(SYS_read, 999999, 0, 64, 0);
	SEED(ev, CV_BLK_NONE, 0, 0);
	ev = classify(SYS_recvfrom, (uint64_t)sv[0], 0, 64, 0);
	SEED(ev, CV_BLK_RECV, CV_SYS_RECVFROM, 0);
	ev = classify(SYS_ppoll, 0, 1, 0, 0);
	SEED(ev, CV_BLK_MUX, CV_SYS_PPOLL, 0);

	/* futex: the waiting ops, with the futex address */
	ev = classify(SYS_futex, (uintptr_t)&word, FUTEX_WAIT_PRIVATE, 0, 0);
	SEED(ev, CV_BLK_FUTEX, CV_SYS_FUTEX, (uintptr_t)&word);
	ev = classify(SYS_futex, (uintptr_t)&word, FUTEX_WAKE_PRIVATE, 1, 0);
	SEED(ev, CV_BLK_NONE, 0, 0);
	ev = classify(455, (uintptr_t)&word, 0, ~0u, 0);
	SEED(ev, CV_BLK_FUTEX, CV_SYS_FUTEX_WAIT, (uintptr_t)&word);
	/* futex_waitv: the first waiter's futex, read from the process */
	ev = classify(449, (uintptr_t)&waitv, 1, 0, 0);
	SEED(ev, CV_BLK_FUTEX, CV_SYS_FUTEX_WAITV, 0x7000);

	/* io_uring_enter(fd, to_submit, min_complete, flags): waits with GETEVENTS */
	ev = classify(426, 3, 1, 1, IORING_ENTER_GETEVENTS);
	SEED(ev, CV_BLK_URING, CV_SYS_IO_URING_ENTER, 0);
	ev = classify(426, 3, 1, 0, 0);
	SEED(ev, CV_BLK_NONE, 0, 0);

	/* not followed */
	ev = classify(SYS_nanosleep, 0, 0, 0, 0);
	SEED(ev, CV_BLK_NONE, 0, 0);
	CHECK_EQ(ev.type, 0xffff); /* only the seed fields are written */

	close(sv[0]);
	close(sv[1]);
	close(pp[0]);
	close(pp[1]);
}

int main(void)
{
	RUN(table);
	RUN(seed);
	return CHECK_DONE();
}
