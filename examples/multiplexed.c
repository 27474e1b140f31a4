/*
 * multiplexed — IO multiplexing: one thread, many sockets.
 *
 * One server thread (`srv-epoll`, `srv-poll` or `srv-select`, after --api)
 * serves several client connections (default 4, `client-1`...).  It blocks
 * in the multiplexer (select/poll/epoll_wait) until at least one socket is
 * readable, then calls recvfrom() on each ready socket; that recvfrom never
 * waits for data, it only copies.  Each client sends a 64-byte message every
 * 20 ms, staggered so wake-ups spread out.
 *
 * Counted per call (example-stats): mux_calls, mux_nfds (the size argument:
 * select's highest fd + 1, poll's pollfd count, epoll's maxevents),
 * mux_ready (descriptors returned ready) and mux_timeouts (calls that
 * returned 0); per connection, ready_fd<N>: the calls that returned the
 * server's socket fd N ready.  epoll registers each socket with its fd as
 * the event's data, as Python's selectors do.
 *
 * What to see in concviz: the server in mux_wait most of the time (not in
 * wait_data), mux calls ~ recv calls, copy_data slivers after each wake-up,
 * and one thread handling all the connections.
 */
#include "common.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#define MAX_CONNS 32

static const char *api = "epoll";
static long nclients = 4;
static long interval_ms = 20;
static int srv_fd[MAX_CONNS], cli_fd[MAX_CONNS];

/* Receive once from a ready socket; returns false when it hit EOF. */
static bool serve_one(struct ex_stats *st, int fd)
{
	char buf[4096];
	ssize_t n = ex_recv(st, fd, buf, sizeof buf, 0);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		ex_die("recvfrom: %s", strerror(errno));
	return n != 0;
}

/* a multiplexer's result: n ready descriptors, 0 when the timeout passed */
static void count_result(int n, long long *readied, long long *timeouts)
{
	if (n > 0)
		*readied += n;
	else if (n == 0)
		(*timeouts)++;
}

static void *server(void *arg)
{
	(void)arg;
	char name[32];
	snprintf(name, sizeof name, "srv-%s", api);
	struct ex_stats *st = ex_thread_begin(name, name, EX_F_RECV | EX_F_MUX);
	/* per call: the size argument (select's nfds, poll's pollfd count,
	 * epoll's maxevents), what came back ready, and the calls that timed out */
	long long *watched = ex_extra(st, "mux_nfds");
	long long *readied = ex_extra(st, "mux_ready");
	long long *timeouts = ex_extra(st, "mux_timeouts");
	long long *ready_by_conn[MAX_CONNS];
	bool open_[MAX_CONNS];
	int nopen = (int)nclients;
	int ep = -1;

	for (int i = 0; i < nclients; i++) {
		char key[24];
		snprintf(key, sizeof key, "ready_fd%d", srv_fd[i]);
		ready_by_conn[i] = ex_extra(st, key);
		open_[i] = true;
		ex_set_nonblocking(srv_fd[i]);      /* a ready socket never blocks anyway */
	}
	if (!strcmp(api, "epoll")) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		for (int i = 0; i < nclients; i++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.fd = srv_fd[i] };
			if (epoll_ctl(ep, EPOLL_CTL_ADD, srv_fd[i], &ev) < 0)
				ex_die("epoll_ctl: %s", strerror(errno));
		}
	}

	while (nopen > 0) {
		int ready[MAX_CONNS], nready = 0;

		if (ep >= 0) {                               /* --api epoll */
			struct epoll_event evs[MAX_CONNS];
			int n = epoll_wait(ep, evs, MAX_CONNS, 500);
			st->mux_calls++;
			*watched += MAX_CONNS;
			count_result(n, readied, timeouts);
			for (int k = 0; k < n; k++)
				for (int i = 0; i < nclients; i++)
					if (srv_fd[i] == evs[k].data.fd)
						ready[nready++] = i;
		} else if (!strcmp(api, "poll")) {           /* --api poll */
			struct pollfd p[MAX_CONNS];
			int idx[MAX_CONNS], np = 0;
			for (int i = 0; i < nclients; i++)
				if (open_[i]) {
					p[np] = (struct pollfd){ .fd = srv_fd[i], .events = POLLIN };
					idx[np++] = i;
				}
			int n = poll(p, (nfds_t)np, 500);
			st->mux_calls++;
			*watched += np;
			count_result(n, readied, timeouts);
			for (int k = 0; n > 0 && k < np; k++)
				if (p[k].revents)
					ready[nready++] = idx[k];
		} else {                                     /* --api select */
			fd_set rd;
			int maxfd = -1;
			FD_ZERO(&rd);
			for (int i = 0; i < nclients; i++)
				if (open_[i]) {
					FD_SET(srv_fd[i], &rd);
					if (srv_fd[i] > maxfd)
						maxfd = srv_fd[i];
				}
			struct timeval tv = { 0, 500000 };
			int n = select(maxfd + 1, &rd, NULL, NULL, &tv);
			st->mux_calls++;
			*watched += maxfd + 1;
			count_result(n, readied, timeouts);
			for (int i = 0; n > 0 && i < nclients; i++)
				if (open_[i] && FD_ISSET(srv_fd[i], &rd))
					ready[nready++] = i;
		}

		for (int k = 0; k < nready; k++)
			(*ready_by_conn[ready[k]])++;
		for (int k = 0; k < nready; k++) {
			int i = ready[k];
			if (open_[i] && !serve_one(st, srv_fd[i])) {
				open_[i] = false;           /* EOF: this client is done */
				nopen--;
				if (ep >= 0)
					epoll_ctl(ep, EPOLL_CTL_DEL, srv_fd[i], NULL);
			}
		}
	}
	if (ep >= 0)
		close(ep);
	ex_thread_end(st);
	return NULL;
}

static void *client(void *arg)
{
	struct ex_client *c = arg;
	ex_sleep_us(c->interval_us * (c->fds[0] % 7) / 7);   /* stagger the clients */
	return ex_client_main(c);
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "api", EX_OPT_CHOICE, &api, 0, 0, "select|poll|epoll",
		  "the multiplexer to block in (default epoll)" },
		{ "clients", EX_OPT_INT, &nclients, 1, MAX_CONNS, NULL,
		  "number of client connections/threads (default 4)" },
		{ "interval-ms", EX_OPT_INT, &interval_ms, 1, 10000, NULL,
		  "each client sends one message every N ms (default 20)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "multiplexed",
		"Multiplexed IO: one thread blocks in select/poll/epoll, then recvfrom on ready sockets.",
		10, opts);

	struct ex_client cl[MAX_CONNS];
	pthread_t tc[MAX_CONNS];
	for (int i = 0; i < nclients; i++) {
		ex_tcp_pair(&srv_fd[i], &cli_fd[i]);
		cl[i] = (struct ex_client){ .fds = { cli_fd[i] }, .nfds = 1,
					    .interval_us = interval_ms * 1000, .msg_size = 64 };
		snprintf(cl[i].name, sizeof cl[i].name, "client-%d", i + 1);
	}
	pthread_t ts = ex_spawn(server, NULL);
	for (int i = 0; i < nclients; i++)
		tc[i] = ex_spawn(client, &cl[i]);

	ex_wait_for_stop();
	for (int i = 0; i < nclients; i++)
		ex_join(tc[i]);
	ex_join(ts);
	for (int i = 0; i < nclients; i++) {
		close(srv_fd[i]);
		close(cli_fd[i]);
	}
	ex_print_stats();
	return 0;
}
