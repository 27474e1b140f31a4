/*
 * iouring — asynchronous IO with io_uring (liburing).
 *
 * The server thread (`srv-iouring`) never calls recvfrom().  It hands the
 * kernel an IORING_OP_RECV request (an SQE) and goes on doing real CPU work;
 * between work chunks it peeks at the completion queue (io_uring_peek_cqe,
 * no system call, no blocking).  When a completion (CQE) is there, the data
 * has already been received *and copied* into its buffer by the kernel; the
 * thread counts it and submits the next request.  A client thread (`client`)
 * sends a 64-byte message every 20 ms.
 *
 * --wait makes the thread block in io_uring_wait_cqe instead (uring_wait).
 * On stop it cancels the outstanding request (IORING_OP_ASYNC_CANCEL) and
 * reaps every CQE, so submitted == completed and nothing is left in flight.
 *
 * What to see in concviz: `srv-iouring` running all the time (default) with
 * no wait_data and no copy_data at all, while uring requests are submitted
 * and completed and their async wait time accrues with no thread blocked;
 * with --wait the thread sits in uring_wait instead.
 */
#include "common.h"

#include <errno.h>
#include <liburing.h>
#include <string.h>
#include <unistd.h>

enum { UD_RECV = 1, UD_CANCEL = 2 };

static bool wait_mode;
static long work_us = 50;
static long interval_ms = 20;

struct server {
	struct io_uring ring;
	struct ex_stats *st;
	int fd, inflight;
	bool recv_inflight;
	char buf[4096];
};

static void submit(struct server *s)
{
	int n = io_uring_submit(&s->ring);
	if (n < 0)
		ex_die("io_uring_submit: %s", strerror(-n));
	s->st->uring_submitted += n;
	s->inflight += n;
}

static void queue_recv(struct server *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
	io_uring_prep_recv(sqe, s->fd, s->buf, sizeof s->buf, 0);
	io_uring_sqe_set_data64(sqe, UD_RECV);
	submit(s);
	s->recv_inflight = true;
}

static void queue_cancel(struct server *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
	io_uring_prep_cancel64(sqe, UD_RECV, 0);
	io_uring_sqe_set_data64(sqe, UD_CANCEL);
	submit(s);
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	struct ex_stats *st = ex_thread_begin("srv-iouring", "srv-iouring", EX_F_URING);
	long long *bytes = ex_extra(st, "uring_recv_bytes");
	long long *chunks = ex_extra(st, "work_chunks");
	volatile unsigned long sink = 0;
	bool cancel_sent = false;

	s->st = st;
	int e = io_uring_queue_init(8, &s->ring, 0);       /* no SQPOLL */
	if (e < 0)
		ex_die("io_uring_queue_init: %s", strerror(-e));
	queue_recv(s);

	while (s->inflight > 0) {
		if (ex_stopping() && s->recv_inflight && !cancel_sent) {
			queue_cancel(s);            /* don't leave the recv in flight */
			cancel_sent = true;
		}
		struct io_uring_cqe *cqe;
		if (wait_mode) {
			e = io_uring_wait_cqe(&s->ring, &cqe);      /* blocks */
		} else {
			sink += ex_work_us(work_us);               /* useful work... */
			(*chunks)++;
			e = io_uring_peek_cqe(&s->ring, &cqe);      /* ...then a look */
		}
		if (e == -EAGAIN || e == -EINTR)
			continue;
		if (e < 0)
			ex_die("io_uring cqe: %s", strerror(-e));

		unsigned long long ud = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;
		io_uring_cqe_seen(&s->ring, cqe);
		st->uring_completed++;
		s->inflight--;
		if (ud != UD_RECV)
			continue;                   /* the cancel's own completion */
		s->recv_inflight = false;
		if (res > 0) {
			*bytes += res;              /* already copied into s->buf */
			if (!ex_stopping())
				queue_recv(s);
		} else if (res < 0 && res != -ECANCELED) {
			ex_die("recv completion: %s", strerror(-res));
		}                                   /* res == 0: EOF, done */
	}
	io_uring_queue_exit(&s->ring);
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "wait", EX_OPT_FLAG, &wait_mode, 0, 0, NULL,
		  "block in io_uring_wait_cqe instead of working and peeking" },
		{ "work-us", EX_OPT_INT, &work_us, 1, 100000, NULL,
		  "CPU work between peeks, in µs (default 50)" },
		{ "interval-ms", EX_OPT_INT, &interval_ms, 1, 10000, NULL,
		  "client sends one message every N ms (default 20)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "iouring",
		"Async IO: io_uring RECV requests complete while the thread does CPU work.",
		10, opts);

	static struct server s;
	int cli;
	ex_tcp_pair(&s.fd, &cli);
	struct ex_client c = { .name = "client", .fds = { cli }, .nfds = 1,
			       .interval_us = interval_ms * 1000, .msg_size = 64 };
	pthread_t ts = ex_spawn(server_main, &s);
	pthread_t tc = ex_spawn(ex_client_main, &c);

	ex_wait_for_stop();
	ex_join(tc);
	ex_join(ts);
	close(s.fd);
	close(cli);
	ex_print_stats();
	return 0;
}
