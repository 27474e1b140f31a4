/*
 * ipc — a queue between processes: a producer process sends messages to a
 * consumer process through a pipe and through a POSIX message queue.
 *
 * The main process makes a pipe and a message queue, forks a producer
 * (`producer`) and a consumer (`consumer`), and waits.  Each round the
 * producer mq_send()s one message (16..47 bytes) and then write()s one
 * 64-byte message to the pipe, every --interval-ms (default 10).  The
 * consumer read()s the pipe (it blocks there until the producer writes) and
 * then mq_receive()s the message that is already queued.  On stop the main
 * process sends the producer SIGTERM; the producer queues an empty message
 * and closes the pipe, so the consumer reads EOF, then the empty message,
 * and ends.  The children send their stats records to the main process
 * through a second pipe, which the main thread reads (those reads are pipe
 * receives too, and counted).
 *
 * Ground truth per process (extra counters of its record):
 *   recv_calls/recv_bytes  every read/mq_receive call and its bytes
 *   pipe_calls/pipe_bytes  the read(2) calls on a pipe
 *   mq_calls/mq_bytes      the mq_receive calls
 *   blocked_calls          receives that found nothing to read when called
 *                          (FIONREAD / mq_curmsgs 0 just before): they wait
 *   sent_msgs/sent_bytes   the producer's writes and mq_sends
 *
 * What to see in concviz: the consumer in wait_data on its pipe read (kind
 * pipe) while the producer sleeps, then a short copy; its mq receives never
 * wait; three processes, each its own row; receives by kind pipe vs mq.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PIPE_MSG 64
#define MQ_MSG_MAX 64

static long interval_ms = 10;
static char mq_name[64];

/* the counters of one receiving record, named as in example-stats */
struct rx {
	struct ex_stats *st;
	long long *pipe_calls, *pipe_bytes, *mq_calls, *mq_bytes, *blocked;
};

static struct rx rx_begin(struct ex_stats *st)
{
	struct rx r = { .st = st };
	r.pipe_calls = ex_extra(st, "pipe_calls");
	r.pipe_bytes = ex_extra(st, "pipe_bytes");
	r.mq_calls = ex_extra(st, "mq_calls");
	r.mq_bytes = ex_extra(st, "mq_bytes");
	r.blocked = ex_extra(st, "blocked_calls");
	return r;
}

/* One counted read(2) on a pipe of up to len bytes. */
static ssize_t rx_read(struct rx *r, int fd, void *buf, size_t len)
{
	int avail = 0;
	if (ioctl(fd, FIONREAD, &avail) == 0 && avail == 0)
		(*r->blocked)++;
	ssize_t n;
	do {
		n = read(fd, buf, len);
		r->st->recv_calls++;
		(*r->pipe_calls)++;
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		r->st->recv_bytes += n;
		*r->pipe_bytes += n;
	}
	return n;
}

/* Read exactly len bytes (a stats record); false at EOF first. */
static bool rx_read_full(struct rx *r, int fd, void *buf, size_t len)
{
	for (size_t got = 0; got < len;) {
		ssize_t n = rx_read(r, fd, (char *)buf + got, len - got);
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* One counted mq_receive(3). */
static ssize_t rx_mq(struct rx *r, mqd_t q, char *buf, size_t len)
{
	struct mq_attr at;
	if (mq_getattr(q, &at) == 0 && at.mq_curmsgs == 0)
		(*r->blocked)++;
	ssize_t n;
	do {
		n = mq_receive(q, buf, len, NULL);
		r->st->recv_calls++;
		(*r->mq_calls)++;
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		r->st->recv_bytes += n;
		*r->mq_bytes += n;
	}
	return n;
}

static void send_stats(int fd, const struct ex_stats *st)
{
	/* one record per write: smaller than PIPE_BUF, so it arrives whole */
	if (write(fd, st, sizeof *st) != (ssize_t)sizeof *st)
		_exit(1);
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ex_die("pipe write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* Producer: a message to each queue every interval until SIGTERM. */
static void producer(int data_w, int stats_w)
{
	struct ex_stats *st = ex_thread_begin("producer", "producer", EX_F_RECV);
	long long *msgs = ex_extra(st, "sent_msgs");
	long long *bytes = ex_extra(st, "sent_bytes");
	mqd_t q = mq_open(mq_name, O_WRONLY | O_CLOEXEC);
	if (q == (mqd_t)-1)
		ex_die("mq_open %s: %s", mq_name, strerror(errno));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	struct timespec pause = { interval_ms / 1000, (interval_ms % 1000) * 1000000L };
	char msg[PIPE_MSG];
	for (long long i = 0;; i++) {
		/* the queue first: when the pipe's reader wakes, its mq message is there */
		size_t mlen = 16 + (size_t)(i % 32);
		memset(msg, 'a' + (int)(i % 26), sizeof msg);
		if (mq_send(q, msg, mlen, 0) < 0)
			ex_die("mq_send: %s", strerror(errno));
		write_all(data_w, msg, sizeof msg);
		*msgs += 2;
		*bytes += (long long)(mlen + sizeof msg);
		int sig = sigtimedwait(&set, NULL, &pause);
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	/* the end: an empty message, then EOF on the pipe */
	if (mq_send(q, msg, 0, 0) < 0)
		ex_die("mq_send: %s", strerror(errno));
	close(data_w);
	mq_close(q);
	ex_thread_end(st);
	send_stats(stats_w, st);
}

/* Consumer: the pipe's message, then the queue's, until EOF. */
static void consumer(int data_r, int stats_w)
{
	struct ex_stats *st = ex_thread_begin("consumer", "consumer", EX_F_RECV);
	struct rx r = rx_begin(st);
	long long *msgs = ex_extra(st, "received_msgs");
	mqd_t q = mq_open(mq_name, O_RDONLY | O_CLOEXEC);
	if (q == (mqd_t)-1)
		ex_die("mq_open %s: %s", mq_name, strerror(errno));
	char buf[MQ_MSG_MAX];
	for (;;) {
		ssize_t n = rx_read(&r, data_r, buf, PIPE_MSG);
		if (n < 0)
			ex_die("pipe read: %s", strerror(errno));
		if (n > 0)
			(*msgs)++;
		ssize_t m = rx_mq(&r, q, buf, sizeof buf);
		if (m < 0)
			ex_die("mq_receive: %s", strerror(errno));
		if (m > 0)
			(*msgs)++;
		if (n == 0 && m == 0)
			break;  /* EOF and the empty message: the producer is done */
	}
	mq_close(q);
	ex_thread_end(st);
	send_stats(stats_w, st);
}

static pid_t fork_child(void (*fn)(int, int), int keep, int close1, int stats_w)
{
	pid_t pid = fork();
	if (pid < 0)
		ex_die("fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(close1);
	fn(keep, stats_w);
	_exit(0);
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "interval-ms", EX_OPT_INT, &interval_ms, 1, 10000, NULL,
		  "the producer sends one message to each queue every N ms (default 10)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "ipc",
		"A queue between processes: a producer sends to a consumer through a pipe and an mq.",
		10, opts);
	struct rx r = rx_begin(ex_main_stats(EX_F_RECV));

	snprintf(mq_name, sizeof mq_name, "/concviz-ipc-%d", (int)getpid());
	struct mq_attr at = { .mq_maxmsg = 8, .mq_msgsize = MQ_MSG_MAX };
	mqd_t q = mq_open(mq_name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &at);
	if (q == (mqd_t)-1)
		ex_die("mq_open %s: %s", mq_name, strerror(errno));
	int data[2], stats[2];
	if (pipe2(data, O_CLOEXEC) < 0 || pipe2(stats, O_CLOEXEC) < 0)
		ex_die("pipe: %s", strerror(errno));
	pid_t cons = fork_child(consumer, data[0], data[1], stats[1]);
	pid_t prod = fork_child(producer, data[1], data[0], stats[1]);
	close(data[0]);
	close(data[1]);
	close(stats[1]);

	ex_wait_for_stop();
	kill(prod, SIGTERM);
	struct ex_stats rec;
	int got = 0, status = 0;
	while (rx_read_full(&r, stats[0], &rec, sizeof rec)) {
		ex_stats_add(&rec);
		got++;
	}
	close(stats[0]);
	pid_t kids[2] = { cons, prod };
	for (int i = 0; i < 2; i++) {
		int ws;
		if (waitpid(kids[i], &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
			fprintf(stderr, "ipc: child %d failed\n", (int)kids[i]);
			status = 1;
		}
	}
	mq_close(q);
	mq_unlink(mq_name);
	if (got != 2) {
		fprintf(stderr, "ipc: got stats from %d of 2 children\n", got);
		status = 1;
	}
	ex_print_stats();
	return status;
}
