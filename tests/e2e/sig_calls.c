/* sig_calls.c — e2e ground truth for calls a signal interrupts
 * (tests/e2e/signals.bats).  One thread, "caller", makes blocking calls; the
 * main thread sends it SIGUSR1 SIGNALS times per round, each time once the
 * caller is blocked in the call (its /proc/self/task/TID/syscall names it),
 * and then lets the call finish.  ROUNDS rounds, then the caller ends.
 * Usage: sig_calls MODE [ROUNDS] [SIGNALS]   (defaults 4 and 3)
 *
 *   read-restart   handler with SA_RESTART; read() on a pipe: the kernel
 *                  restarts the read after each handler (ERESTARTSYS), so
 *                  the program makes one read() per round; then 100 bytes.
 *   read-eintr     handler without SA_RESTART; before each signal main puts
 *                  one byte on a control pipe: the data read() fails with
 *                  EINTR, the caller reads the control byte, then reads the
 *                  data pipe again ("a signal rings the bell: a command
 *                  waits").
 *   futex-restart  SA_RESTART; FUTEX_WAIT (no timeout) on a word: restarted
 *                  after each handler; main then changes the word and wakes it.
 *   poll-eintr     SA_RESTART; poll() (no timeout) on the pipe: poll is
 *                  never restarted after a handler (ERESTART_RESTARTBLOCK),
 *                  so each signal makes it fail with EINTR, and the caller
 *                  polls again; then the data comes and it reads it.
 *   ppoll-uring    no signal: each round the caller puts SIGNALS io_uring
 *                  reads on SIGNALS empty pipes (IORING_OP_READ; the
 *                  default ring, whose task work notifies with TWA_SIGNAL),
 *                  then waits in ppoll() on the data pipe.  Main completes
 *                  the reads one at a time while it waits: each completion's
 *                  task work wakes the ppoll as a signal would
 *                  (ERESTARTNOHAND) and the kernel restarts it, so the
 *                  program never sees EINTR.  Then the data, the CQEs.
 *   poll-uring     as ppoll-uring with poll(): the kernel goes on with
 *                  restart_syscall (ERESTART_RESTARTBLOCK).
 *   read-retry     handler without SA_RESTART; read() on a pipe fails with
 *                  EINTR after each handler and the caller at once reads the
 *                  same pipe again: from its registers alone that looks like
 *                  a restart; the program made a call per signal more.
 * Every mode ends with main closing the data pipe: the caller's last read()
 * returns 0 (the poll modes: its last poll returns the hang-up first).
 *
 * The caller thread is named "caller".  Its last stderr line is
 * `example-stats {JSON}` with the caller's counts:
 * read_calls/read_eintr/read_bytes (the data pipe), ctl_calls/ctl_bytes (the
 * control pipe), futex_calls/futex_eintr/futex_eagain, poll_calls/poll_eintr
 * (poll or ppoll) and poll_ready (the uring modes: their results' sum),
 * uring_done/uring_bytes (the CQEs it reaped), and signals (handler runs,
 * each while the caller was blocked; the uring modes: the completions, each
 * while it was blocked). */
#include <errno.h>
#include <linux/futex.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum mode { READ_RESTART, READ_EINTR, FUTEX_RESTART, POLL_EINTR, PPOLL_URING, POLL_URING,
	     READ_RETRY };

#define URING_READS_MAX 8 /* SIGNALS in the uring modes */

static enum mode mode;
static int rounds = 4, nsignals = 3;
static int data_pipe[2], ctl_pipe[2];
static _Atomic unsigned futex_word;
static atomic_int handled;
static atomic_int caller_tid, round_done;
static long long read_calls, read_eintr, read_bytes, ctl_calls, ctl_bytes;
static long long futex_calls, futex_eintr, futex_eagain, poll_calls, poll_eintr;
static long long poll_ready, uring_done, uring_bytes;
static struct io_uring ring; /* the caller's; main watches its CQ fill */
static int uring_pipe[URING_READS_MAX][2];

static void die(const char *what)
{
	fprintf(stderr, "sig_calls: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The caller's data read: every call counted, as the program sees it. */
static ssize_t read_data(char *buf, size_t n)
{
	ssize_t r = read(data_pipe[0], buf, n);

	read_calls++;
	if (r > 0)
		read_bytes += r;
	if (r < 0 && errno == EINTR)
		read_eintr++;
	else if (r < 0)
		die("read");
	return r;
}

static bool uring_mode(void) { return mode == PPOLL_URING || mode == POLL_URING; }

/* The uring modes' wait on the data pipe (an EINTR is counted, and it waits again). */
static void poll_data(void)
{
	struct pollfd p = { .fd = data_pipe[0], .events = POLLIN };
	int rc;

	do {
		rc = mode == PPOLL_URING ? ppoll(&p, 1, NULL, NULL) : poll(&p, 1, -1);
		poll_calls++;
		if (rc < 0 && errno == EINTR)
			poll_eintr++;
		else if (rc < 0)
			die("poll");
	} while (rc < 0);
	poll_ready += rc;
}

/* The uring modes' caller: a round is SIGNALS reads put on the ring, the
 * wait, their CQEs, the data. */
static void uring_caller(void)
{
	static char ubuf[URING_READS_MAX];
	char buf[256];

	for (int r = 0;; r++) {
		if (r < rounds) {
			for (int k = 0; k < nsignals; k++) {
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
				if (!sqe)
					die("io_uring_get_sqe");
				io_uring_prep_read(sqe, uring_pipe[k][0], &ubuf[k], 1, 0);
			}
			if (io_uring_submit(&ring) != nsignals)
				die("io_uring_submit");
		}
		poll_data();
		for (int k = 0; r < rounds && k < nsignals; k++) {
			struct io_uring_cqe *cqe;
			int rc = io_uring_wait_cqe(&ring, &cqe);
			if (rc < 0) {
				errno = -rc;
				die("io_uring_wait_cqe");
			}
			uring_done++;
			if (cqe->res > 0)
				uring_bytes += cqe->res;
			io_uring_cqe_seen(&ring, cqe);
		}
		if (read_data(buf, sizeof(buf)) == 0)
			break;
		atomic_fetch_add(&round_done, 1);
	}
}

static void *caller(void *arg)
{
	char buf[256];

	(void)arg;
	pthread_setname_np(pthread_self(), "caller");
	atomic_store(&caller_tid, (int)syscall(SYS_gettid));
	if (uring_mode()) {
		uring_caller();
		return NULL;
	}
	if (mode == FUTEX_RESTART) {
		for (unsigned r = 0; r < (unsigned)rounds; r++) {
			while (atomic_load(&futex_word) == r) {
				long rc = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, r, NULL, NULL, 0);
				futex_calls++;
				if (rc < 0 && errno == EINTR)
					futex_eintr++;
				else if (rc < 0 && errno == EAGAIN)
					futex_eagain++;
				else if (rc < 0)
					die("futex");
			}
			atomic_fetch_add(&round_done, 1);
		}
		return NULL;
	}
	for (;;) {
		if (mode == POLL_EINTR) {
			struct pollfd p = { .fd = data_pipe[0], .events = POLLIN };
			int rc = poll(&p, 1, -1);
			poll_calls++;
			if (rc < 0 && errno == EINTR) {
				poll_eintr++;
				continue;
			}
			if (rc < 0)
				die("poll");
		}
		ssize_t r = read_data(buf, sizeof(buf));
		if (r == 0)
			break;
		if (r < 0 && mode == READ_RETRY)
			continue; /* the same read again, at once */
		if (r < 0) { /* read-eintr: the bell rang, the command waits */
			ssize_t c = read(ctl_pipe[0], buf, 1);
			ctl_calls++;
			if (c < 0)
				die("read control");
			ctl_bytes += c;
			continue;
		}
		atomic_fetch_add(&round_done, 1);
	}
	return NULL;
}

/* Is the caller blocked in syscall nr on its first argument a0 (-1: any)?
 * (or in restart_syscall: a poll the kernel goes on with after task work) */
static int blocked_in(int tid, long nr, long a0)
{
	char path[64], line[256], st = 0;
	long n = -2;
	unsigned long arg0 = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (fgets(line, sizeof(line), f)) {
		char *p = strrchr(line, ')');
		if (p && p[1] == ' ')
			st = p[2];
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (fscanf(f, "%ld %lx", &n, &arg0) < 1)
		n = -2;
	fclose(f);
	return st == 'S' && (n == nr || n == SYS_restart_syscall) && (a0 < 0 || (long)arg0 == a0);
}

static void wait_blocked(int tid, long nr, long a0)
{
	for (int i = 0; !blocked_in(tid, nr, a0); i++) {
		if (i > 20000)
			die("the caller never blocked");
		sleep_ms(1);
	}
	sleep_ms(5); /* (well asleep: the probes saw it block) */
}

static void wait_handled(int n)
{
	for (int i = 0; atomic_load(&handled) < n; i++) {
		if (i > 20000)
			die("the signal was never handled");
		sleep_ms(1);
	}
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "read-restart", "read-eintr", "futex-restart",
					     "poll-eintr", "ppoll-uring", "poll-uring", "read-retry" };
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t th;
	long nr;
	char data[100];

	if (argc < 2)
		goto usage;
	for (mode = READ_RESTART; mode <= READ_RETRY; mode++)
		if (!strcmp(argv[1], names[mode]))
			break;
	if (mode > READ_RETRY)
		goto usage;
	if (argc > 2)
		rounds = atoi(argv[2]);
	if (argc > 3)
		nsignals = atoi(argv[3]);
	if (rounds < 1 || nsignals < 0 || (uring_mode() && nsignals > URING_READS_MAX))
		goto usage;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = mode == READ_EINTR || mode == READ_RETRY ? 0 : SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) || pipe(data_pipe) || pipe(ctl_pipe))
		die("setup");
	for (int k = 0; uring_mode() && k < nsignals; k++)
		if (pipe(uring_pipe[k]))
			die("setup");
	/* the default ring: its task work notifies with TWA_SIGNAL */
	if (uring_mode() && io_uring_queue_init(2 * URING_READS_MAX, &ring, 0) < 0)
		die("io_uring_queue_init");
	memset(data, 'x', sizeof(data));
	nr = mode == FUTEX_RESTART ? SYS_futex : mode == POLL_EINTR || mode == POLL_URING ? SYS_poll
	     : mode == PPOLL_URING ? SYS_ppoll : SYS_read;
	if (pthread_create(&th, NULL, caller, NULL))
		die("pthread_create");
	while (!atomic_load(&caller_tid))
		sleep_ms(1);
	int tid = atomic_load(&caller_tid), sent = 0;
	long a0 = mode == READ_RESTART || mode == READ_EINTR || mode == READ_RETRY ? data_pipe[0] : -1;
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < nsignals; k++) {
			wait_blocked(tid, nr, a0);
			if (uring_mode()) { /* complete read k; its CQE is posted by the caller's task work */
				if (write(uring_pipe[k][1], "u", 1) != 1)
					die("write uring pipe");
				for (int i = 0; io_uring_cq_ready(&ring) < (unsigned)k + 1; i++) {
					if (i > 20000)
						die("the read never completed");
					sleep_ms(1);
				}
				atomic_fetch_add(&handled, 1);
				continue;
			}
			if (mode == READ_EINTR && write(ctl_pipe[1], "c", 1) != 1)
				die("write control");
			if (pthread_kill(th, SIGUSR1))
				die("pthread_kill");
			wait_handled(++sent);
		}
		wait_blocked(tid, nr, a0);
		if (mode == FUTEX_RESTART) {
			atomic_store(&futex_word, (unsigned)r + 1);
			syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		} else if (write(data_pipe[1], data, sizeof(data)) != (ssize_t)sizeof(data)) {
			die("write");
		}
		while (atomic_load(&round_done) <= r)
			sleep_ms(1);
	}
	if (mode != FUTEX_RESTART)
		wait_blocked(tid, nr, a0);
	close(data_pipe[1]);
	if (pthread_join(th, NULL))
		die("pthread_join");
	fprintf(stderr, "example-stats {\"example\":\"sig_calls\",\"mode\":\"%s\",\"pid\":%d,\"threads\":"
		"[{\"tid\":%d,\"pid\":%d,\"role\":\"caller\",\"signals\":%d,\"read_calls\":%lld,"
		"\"read_eintr\":%lld,\"read_bytes\":%lld,\"ctl_calls\":%lld,\"ctl_bytes\":%lld,"
		"\"futex_calls\":%lld,\"futex_eintr\":%lld,\"futex_eagain\":%lld,\"poll_calls\":%lld,"
		"\"poll_eintr\":%lld,\"poll_ready\":%lld,\"uring_done\":%lld,\"uring_bytes\":%lld}]}\n",
		names[mode], getpid(), tid, getpid(), atomic_load(&handled), read_calls, read_eintr,
		read_bytes, ctl_calls, ctl_bytes, futex_calls, futex_eintr, futex_eagain, poll_calls,
		poll_eintr, poll_ready, uring_done, uring_bytes);
	return 0;
usage:
	fprintf(stderr, "usage: sig_calls read-restart|read-eintr|futex-restart|poll-eintr|ppoll-uring|poll-uring|read-retry"
		" [ROUNDS] [SIGNALS (uring: at most %d)]\n", URING_READS_MAX);
	return 2;
}
