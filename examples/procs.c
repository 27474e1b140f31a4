/*
 * procs — the same work done by worker processes or by worker threads.
 *
 * A pool of N workers (default 4, `worker-1`...) each serve one loopback
 * connection with blocking recvfrom() until EOF; a feeder thread (`feeder`)
 * in the parent sends a 64-byte message to every worker each 10 ms.
 *   --mode procs    (default) the workers are fork()ed processes: each has
 *                   its own pid and address space; when done they send their
 *                   stats to the parent through a pipe, and the parent prints
 *                   the one example-stats line (a worker's tid is its pid).
 *   --mode threads  the workers are threads of the one process.
 *
 * What to see in concviz: the same per-worker picture (wait_data, one recv
 * per message) either way; in procs mode the workers show up as separate
 * pids (children of the traced process), in threads mode as tids of one pid.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 32

static const char *mode = "procs";
static long nworkers = 4;
static long interval_ms = 10;
static int srv[MAX_WORKERS];

/* A worker: receive on its own socket until the feeder hangs up. */
static void serve(struct ex_stats *st, int fd)
{
	char buf[4096];
	for (;;) {
		ssize_t n = ex_recv(st, fd, buf, sizeof buf, 0);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			ex_die("recvfrom: %s", strerror(errno));
	}
}

static void *worker_thread(void *arg)
{
	int i = (int)(long)arg;
	char name[32];
	snprintf(name, sizeof name, "worker-%d", i + 1);
	struct ex_stats *st = ex_thread_begin(name, "worker", EX_F_RECV);
	serve(st, srv[i]);
	ex_thread_end(st);
	return NULL;
}

static pid_t fork_worker(int i, int pipe_w, const int *cli)
{
	pid_t pid = fork();
	if (pid < 0)
		ex_die("fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	/* child: keep only our own socket and the pipe's write end */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int j = 0; j < nworkers; j++) {
		close(cli[j]);
		if (j != i)
			close(srv[j]);
	}
	char name[32];
	snprintf(name, sizeof name, "worker-%d", i + 1);
	struct ex_stats *st = ex_thread_begin(name, "worker", EX_F_RECV);
	serve(st, srv[i]);
	ex_thread_end(st);
	/* one record per write: smaller than PIPE_BUF, so it arrives whole */
	ssize_t w = write(pipe_w, st, sizeof *st);
	_exit(w == (ssize_t)sizeof *st ? 0 : 1);
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "mode", EX_OPT_CHOICE, &mode, 0, 0, "procs|threads",
		  "workers are processes or threads (default procs)" },
		{ "workers", EX_OPT_INT, &nworkers, 1, MAX_WORKERS, NULL,
		  "number of workers (default 4)" },
		{ "interval-ms", EX_OPT_INT, &interval_ms, 1, 10000, NULL,
		  "feeder sends to every worker each N ms (default 10)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "procs",
		"Processes vs threads: a pool of workers, each receiving on its own socket.", 10, opts);
	bool procs = !strcmp(mode, "procs");

	static struct ex_client feeder = { .name = "feeder", .msg_size = 64 };
	feeder.nfds = (int)nworkers;
	feeder.interval_us = interval_ms * 1000;
	for (int i = 0; i < nworkers; i++)
		ex_tcp_pair(&srv[i], &feeder.fds[i]);

	pid_t pids[MAX_WORKERS];
	pthread_t tw[MAX_WORKERS];
	int p[2] = { -1, -1 };
	if (procs) {            /* fork before creating any thread */
		if (pipe2(p, O_CLOEXEC) < 0)
			ex_die("pipe: %s", strerror(errno));
		for (int i = 0; i < nworkers; i++)
			pids[i] = fork_worker(i, p[1], feeder.fds);
		close(p[1]);
		for (int i = 0; i < nworkers; i++)
			close(srv[i]);
	} else {
		for (long i = 0; i < nworkers; i++)
			tw[i] = ex_spawn(worker_thread, (void *)i);
	}
	pthread_t tf = ex_spawn(ex_client_main, &feeder);

	ex_wait_for_stop();
	ex_join(tf);            /* the feeder shut every connection: workers see EOF */
	int status = 0;
	if (procs) {
		struct ex_stats rec;
		int got = 0;
		ssize_t n;
		while ((n = read(p[0], &rec, sizeof rec)) == (ssize_t)sizeof rec) {
			ex_stats_add(&rec);
			got++;
		}
		close(p[0]);
		for (int i = 0; i < nworkers; i++) {
			int ws;
			if (waitpid(pids[i], &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
				fprintf(stderr, "procs: worker %d (pid %d) failed\n", i + 1, (int)pids[i]);
				status = 1;
			}
		}
		if (got != nworkers) {
			fprintf(stderr, "procs: got stats from %d of %ld workers\n", got, nworkers);
			status = 1;
		}
	} else {
		for (int i = 0; i < nworkers; i++) {
			ex_join(tw[i]);
			close(srv[i]);
		}
	}
	for (int i = 0; i < nworkers; i++)
		close(feeder.fds[i]);
	ex_print_stats();
	return status;
}
