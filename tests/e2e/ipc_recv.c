/* ipc_recv.c — e2e ground truth for accept and for receives that are not on
 * sockets (tests/e2e/ipc.bats).  One main thread does, in order, with forked
 * helper processes on the other side:
 *   1. a blocking accept(2) on 127.0.0.1 that waits for a connector which
 *      connects ACCEPT_DELAY_MS (argv[1], default 300) after it was
 *      forked (the known wait);
 *   2. non-blocking accept4(2) polls, EAGAIN until a second connector comes;
 *   3. read(2)/readv(2) on a pipe a child writes to, blocking, then
 *      non-blocking polls (EAGAIN), then the EOF read;
 *   4. read(2) on a FIFO another child writes to, until EOF;
 *   5. mq_receive(3) (the mq_timedreceive syscall) of messages a child
 *      mq_send(3)s, and one non-blocking mq_receive on the empty queue (EAGAIN);
 *   6. poll(2) on a second queue with a message in it, never received: a
 *      queue first seen ready is still described as a queue.
 * It counts every one of those calls itself and prints, as its last stderr
 * line, `example-stats {JSON}` with one thread (role "main"):
 *   recv_calls/recv_eagain/recv_bytes  all receives (pipe, FIFO, mq)
 *   pipe_calls/pipe_bytes              read/readv on the pipe and the FIFO
 *   mq_calls/mq_bytes                  mq_receive calls
 *   accept_calls/accept_eagain/accept_blocked_calls
 *   accept_known_wait_ns               the connector's delay (phase 1)
 *   accept_measured_ns                 the main thread's own clock around
 *                                      every accept call (an upper bound of
 *                                      the kernel's enter..exit)
 * Loopback only; every file it makes is removed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long connect_delay_ms = 300; /* argv[1] if given */
#define PIPE_MSGS 5
#define FIFO_MSGS 3
#define MQ_MSGS 4

static long long recv_calls, recv_eagain, recv_bytes, pipe_calls, pipe_bytes, mq_calls, mq_bytes;
static long long accept_calls, accept_eagain, accept_blocked, accept_measured_ns;
static long long mq_poll_ready; /* phase 6: times poll returned the queue ready */

static void die(const char *what)
{
	fprintf(stderr, "ipc_recv: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("a helper process failed");
}

static pid_t fork_or_die(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	return pid;
}

/* a child that connects to port after delay_ms */
static pid_t connector(unsigned short port, long delay_ms)
{
	pid_t pid = fork_or_die();

	if (pid)
		return pid;
	nap_ms(delay_ms);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		_exit(1);
	nap_ms(20);
	close(fd);
	_exit(0);
}

static void accepts(void)
{
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen))
		die("listen");
	unsigned short port = ntohs(a.sin_port);

	/* 1. blocking: nobody connects for connect_delay_ms */
	pid_t c = connector(port, connect_delay_ms);
	long long t0 = now_ns();
	int fd = accept(lfd, NULL, NULL);
	accept_measured_ns += now_ns() - t0;
	accept_calls++;
	if (fd < 0)
		die("accept");
	accept_blocked++;
	close(fd);
	reap(c);

	/* 2. non-blocking polls until the next connector comes */
	if (fcntl(lfd, F_SETFL, O_NONBLOCK))
		die("fcntl");
	c = connector(port, 60);
	for (;;) {
		t0 = now_ns();
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		accept_measured_ns += now_ns() - t0;
		accept_calls++;
		if (fd >= 0)
			break;
		if (errno != EAGAIN)
			die("accept4");
		accept_eagain++;
		nap_ms(3);
	}
	close(fd);
	reap(c);
	close(lfd);
}

static ssize_t counted_read(int fd, void *buf, size_t n, int use_readv)
{
	struct iovec iov = { buf, n };
	ssize_t r = use_readv ? readv(fd, &iov, 1) : read(fd, buf, n);

	recv_calls++;
	pipe_calls++;
	if (r > 0) {
		recv_bytes += r;
		pipe_bytes += r;
	} else if (r < 0 && errno == EAGAIN) {
		recv_eagain++;
	} else if (r < 0) {
		die("read");
	}
	return r;
}

static void pipes(void)
{
	int p[2];
	char buf[512] = { 0 };
	long long want = 0;

	if (pipe2(p, O_CLOEXEC))
		die("pipe");
	for (int i = 0; i < PIPE_MSGS; i++)
		want += 100 + i;
	pid_t c = fork_or_die();
	if (c == 0) {
		close(p[0]);
		for (int i = 0; i < PIPE_MSGS; i++) {
			nap_ms(30);
			if (write(p[1], buf, 100 + (size_t)i) != 100 + i)
				_exit(1);
		}
		nap_ms(80); /* the reader polls meanwhile */
		if (write(p[1], buf, 77) != 77)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	/* blocking reads, read and readv in turn, until the first messages are in */
	long long got = 0;
	for (int i = 0; got < want; i++) {
		ssize_t r = counted_read(p[0], buf, sizeof(buf), i & 1);
		if (r <= 0)
			die("early EOF");
		got += r;
	}
	/* non-blocking polls until the last message */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK))
		die("fcntl");
	while (counted_read(p[0], buf, sizeof(buf), 0) < 0)
		nap_ms(3);
	/* blocking again, until EOF (a call that returns 0) */
	if (fcntl(p[0], F_SETFL, 0))
		die("fcntl");
	while (counted_read(p[0], buf, sizeof(buf), 0) > 0)
		;
	close(p[0]);
	reap(c);
}

static void fifo(void)
{
	char dir[] = "/tmp/concviz-ipc.XXXXXX", path[64], buf[256] = { 0 };

	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600))
		die("mkfifo");
	pid_t c = fork_or_die();
	if (c == 0) {
		int w = open(path, O_WRONLY | O_CLOEXEC);
		if (w < 0)
			_exit(1);
		for (int i = 0; i < FIFO_MSGS; i++) {
			nap_ms(25);
			if (write(w, buf, 50 + (size_t)i) != 50 + i)
				_exit(1);
		}
		_exit(0);
	}
	int r = open(path, O_RDONLY | O_CLOEXEC);
	if (r < 0)
		die("open fifo");
	while (counted_read(r, buf, sizeof(buf), 0) > 0)
		;
	close(r);
	reap(c);
	unlink(path);
	rmdir(dir);
}

static void mqueue(void)
{
	char name[64], buf[128] = { 0 };
	struct mq_attr at = { .mq_maxmsg = 4, .mq_msgsize = sizeof(buf) };

	snprintf(name, sizeof(name), "/concviz-ipc-%d", (int)getpid());
	mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0600, &at);
	if (q == (mqd_t)-1)
		die("mq_open");
	pid_t c = fork_or_die();
	if (c == 0) {
		mqd_t w = mq_open(name, O_WRONLY | O_CLOEXEC);
		if (w == (mqd_t)-1)
			_exit(1);
		for (int i = 0; i < MQ_MSGS; i++) {
			nap_ms(30);
			if (mq_send(w, buf, 10 + (size_t)i, 0))
				_exit(1);
		}
		_exit(0);
	}
	for (int i = 0; i < MQ_MSGS; i++) {
		ssize_t r = mq_receive(q, buf, sizeof(buf), NULL);
		recv_calls++;
		mq_calls++;
		if (r < 0)
			die("mq_receive");
		recv_bytes += r;
		mq_bytes += r;
	}
	reap(c);
	/* the queue is empty now: a non-blocking receive is a poll */
	mqd_t nq = mq_open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (nq == (mqd_t)-1)
		die("mq_open");
	ssize_t r = mq_receive(nq, buf, sizeof(buf), NULL);
	recv_calls++;
	mq_calls++;
	if (r >= 0 || errno != EAGAIN)
		die("mq_receive on an empty queue");
	recv_eagain++;
	mq_close(nq);
	mq_close(q);
	mq_unlink(name);
}

static void mqueue_polled(void)
{
	char name[64];
	struct mq_attr at = { .mq_maxmsg = 1, .mq_msgsize = 16 };

	/* short enough for the probe to read whole (23 bytes), however soon it closes */
	snprintf(name, sizeof(name), "/concviz-ipcp-%d", (int)getpid());
	mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &at);
	if (q == (mqd_t)-1)
		die("mq_open");
	if (mq_send(q, "ready", 5, 0))
		die("mq_send");
	struct pollfd p = { .fd = q, .events = POLLIN };
	int n = poll(&p, 1, 1000);
	if (n != 1 || !(p.revents & POLLIN))
		die("poll on a queue with a message");
	mq_poll_ready++;
	mq_close(q);
	mq_unlink(name);
}

int main(int argc, char **argv)
{
	int pid = (int)getpid();

	if (argc > 2 || (argc == 2 && (connect_delay_ms = atol(argv[1])) <= 0)) {
		fprintf(stderr, "usage: ipc_recv [ACCEPT_DELAY_MS]\n");
		return 2;
	}

	accepts();
	pipes();
	fifo();
	mqueue();
	mqueue_polled();
	fprintf(stderr, "example-stats {\"example\":\"ipc_recv\",\"pid\":%d,\"threads\":[{\"tid\":%d,"
		"\"pid\":%d,\"role\":\"main\",\"recv_calls\":%lld,\"recv_eagain\":%lld,"
		"\"recv_bytes\":%lld,\"pipe_calls\":%lld,\"pipe_bytes\":%lld,\"mq_calls\":%lld,"
		"\"mq_bytes\":%lld,\"accept_calls\":%lld,\"accept_eagain\":%lld,"
		"\"accept_blocked_calls\":%lld,\"accept_known_wait_ns\":%lld,"
		"\"accept_measured_ns\":%lld,\"mq_poll_ready\":%lld}]}\n",
		pid, pid, pid, recv_calls, recv_eagain, recv_bytes, pipe_calls, pipe_bytes, mq_calls,
		mq_bytes, accept_calls, accept_eagain, accept_blocked,
		connect_delay_ms * 1000000LL, accept_measured_ns, mq_poll_ready);
	return 0;
}
