/*
 * tour — every model at once, in one process (concviz's default example).
 *
 * One thread per IO model, each fed by its own client thread over loopback:
 *   `blocking`     recvfrom() on a blocking socket          -> wait_data
 *   `nonblocking`  recvfrom() on O_NONBLOCK, EAGAIN, nap 200 µs, retry
 *   `epoll`        epoll_wait() on two sockets, then recvfrom() -> mux_wait
 *   `io_uring`     IORING_OP_RECV requests complete while it computes
 * plus a lock-contention group: `locker-1..3` taking the global mutex
 * `tour_lock` (holding it for ~500 µs of work, then napping ~500 µs).
 * Clients (`blocking-cli`, ...) send a 64-byte message every 20 ms.
 *
 * What to see in concviz: the four rows of the IO-model table side by side
 * (wait_data / EAGAIN polls / mux_wait / async with no wait), and the
 * lockers queueing on `tour_lock`.  Each model is shown alone, in more
 * detail, by its own example (blocking, nonblocking, multiplexed, iouring,
 * locks).
 */
#include "common.h"

#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

pthread_mutex_t tour_lock = PTHREAD_MUTEX_INITIALIZER;

#define NLOCKERS 3
static char buf_blocking[4096], buf_nonblocking[4096], buf_epoll[4096], buf_uring[4096];

static void *blocking(void *arg)
{
	struct ex_stats *st = ex_thread_begin("blocking", "blocking", EX_F_RECV);
	for (;;) {
		ssize_t n = ex_recv(st, *(int *)arg, buf_blocking, sizeof buf_blocking, 0);
		if (n == 0)
			break;                          /* EOF: the client is done */
		if (n < 0 && errno != EINTR)
			ex_die("recvfrom: %s", strerror(errno));
	}
	ex_thread_end(st);
	return NULL;
}

static void *nonblocking(void *arg)
{
	int fd = *(int *)arg;
	struct ex_stats *st = ex_thread_begin("nonblocking", "nonblocking", EX_F_RECV);
	ex_set_nonblocking(fd);
	for (;;) {
		ssize_t n = ex_recv(st, fd, buf_nonblocking, sizeof buf_nonblocking, 0);
		if (n == 0)
			break;                          /* EOF */
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			ex_die("recvfrom: %s", strerror(errno));
		if (n < 0)
			ex_sleep_us(200);               /* EAGAIN: poll again soon */
	}
	ex_thread_end(st);
	return NULL;
}

static void *epoll_server(void *arg)
{
	int *fds = arg;                             /* two connections */
	struct ex_stats *st = ex_thread_begin("epoll", "epoll", EX_F_RECV | EX_F_MUX);
	int ep = epoll_create1(EPOLL_CLOEXEC), open_ = 2;
	for (int i = 0; i < 2; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
	}
	while (open_ > 0) {
		struct epoll_event evs[2];
		int n = epoll_wait(ep, evs, 2, 500);
		st->mux_calls++;
		for (int k = 0; k < n; k++)
			if (ex_recv(st, evs[k].data.fd, buf_epoll, sizeof buf_epoll, 0) == 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, evs[k].data.fd, NULL);
				open_--;
			}
	}
	close(ep);
	ex_thread_end(st);
	return NULL;
}

static void *uring(void *arg)
{
	int fd = *(int *)arg;
	struct ex_stats *st = ex_thread_begin("io_uring", "io_uring", EX_F_URING);
	long long *bytes = ex_extra(st, "uring_recv_bytes");
	struct io_uring ring;
	volatile unsigned long sink = 0;
	int inflight = 0, e;
	bool recv_inflight = false, cancel_sent = false, eof = false;
	if ((e = io_uring_queue_init(8, &ring, 0)) < 0)
		ex_die("io_uring_queue_init: %s", strerror(-e));

	for (;;) {
		struct io_uring_sqe *sqe = NULL;
		if (!recv_inflight && !eof && !ex_stopping()) {         /* next request */
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_recv(sqe, fd, buf_uring, sizeof buf_uring, 0);
			io_uring_sqe_set_data64(sqe, 1);
			recv_inflight = true;
		} else if (recv_inflight && ex_stopping() && !cancel_sent) {  /* cancel it */
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_cancel64(sqe, 1, 0);
			io_uring_sqe_set_data64(sqe, 2);
			cancel_sent = true;
		}
		if (sqe) {
			int n = io_uring_submit(&ring);
			if (n < 0)
				ex_die("io_uring_submit: %s", strerror(-n));
			st->uring_submitted += n;
			inflight += n;
		}
		if (inflight == 0 && (eof || ex_stopping()))
			break;
		sink += ex_work_us(100);                        /* compute... */
		struct io_uring_cqe *cqe;
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {   /* ...reap, no waiting */
			if (io_uring_cqe_get_data64(cqe) == 1) {
				recv_inflight = false;
				if (cqe->res > 0)
					*bytes += cqe->res;
				else if (cqe->res == 0)
					eof = true;
			}
			io_uring_cqe_seen(&ring, cqe);
			st->uring_completed++;
			inflight--;
		}
		ex_sleep_us(400);                               /* leave CPU to others */
	}
	io_uring_queue_exit(&ring);
	ex_thread_end(st);
	return NULL;
}

static void *locker(void *arg)
{
	char name[32];
	snprintf(name, sizeof name, "locker-%d", (int)(long)arg);
	struct ex_stats *st = ex_thread_begin(name, "locker", EX_F_LOCK);
	volatile unsigned long sink = 0;
	while (!ex_stopping()) {
		pthread_mutex_lock(&tour_lock);
		st->lock_acquisitions++;
		sink += ex_work_us(500);
		pthread_mutex_unlock(&tour_lock);
		ex_sleep_us(500);
	}
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = { EX_OPT_END };
	ex_init(argc, argv, "tour",
		"Tour: blocking, non-blocking, epoll and io_uring threads plus a lock group, at once.",
		10, opts);

	static int srv[5];
	static struct ex_client cl[4] = {
		{ .name = "blocking-cli", .nfds = 1 },
		{ .name = "nonblocking-cli", .nfds = 1 },
		{ .name = "epoll-cli", .nfds = 2 },
		{ .name = "io_uring-cli", .nfds = 1 },
	};
	for (int i = 0, s = 0; i < 4; i++) {
		cl[i].interval_us = 20000;
		cl[i].msg_size = 64;
		for (int k = 0; k < cl[i].nfds; k++)
			ex_tcp_pair(&srv[s++], &cl[i].fds[k]);
	}
	pthread_t t[4 + 4 + NLOCKERS];
	int n = 0;
	t[n++] = ex_spawn(blocking, &srv[0]);
	t[n++] = ex_spawn(nonblocking, &srv[1]);
	t[n++] = ex_spawn(epoll_server, &srv[2]);       /* srv[2], srv[3] */
	t[n++] = ex_spawn(uring, &srv[4]);
	for (long i = 0; i < NLOCKERS; i++)
		t[n++] = ex_spawn(locker, (void *)(i + 1));
	for (int i = 0; i < 4; i++)
		t[n++] = ex_spawn(ex_client_main, &cl[i]);

	ex_wait_for_stop();
	for (int i = 0; i < n; i++)
		ex_join(t[i]);
	for (int i = 0; i < 5; i++)
		close(srv[i]);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < cl[i].nfds; k++)
			close(cl[i].fds[k]);
	ex_print_stats();
	return 0;
}
