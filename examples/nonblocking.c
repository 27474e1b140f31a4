/*
 * nonblocking — the non-blocking IO model (polling).
 *
 * The server thread (`srv-nonblock`) puts its socket in O_NONBLOCK mode and
 * calls recvfrom() in a loop.  While no data is there the call returns at
 * once with EAGAIN (a "poll attempt"), so the thread never waits in the
 * kernel for data: it burns CPU asking "is it there yet?".  When data has
 * arrived, recvfrom() copies it (the copy phase still blocks the caller).
 * The client (`client`) sends a 64-byte message every 20 ms.
 *
 * By default polling is tight (100% of a CPU); --poll-interval-us N sleeps
 * N µs between attempts, trading latency for CPU.
 *
 * What to see in concviz: `srv-nonblock` running (or sleeping, with
 * --poll-interval-us) instead of wait_data, a huge recv EAGAIN count next to
 * a small number of successful receives, and a short copy_data each time.
 */
#include "common.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static long poll_interval_us = 0;
static long interval_ms = 20;

static void *server(void *arg)
{
	int fd = *(int *)arg;
	struct ex_stats *st = ex_thread_begin("srv-nonblock", "srv-nonblock", EX_F_RECV);
	char buf[4096];

	ex_set_nonblocking(fd);
	for (;;) {
		ssize_t n = ex_recv(st, fd, buf, sizeof buf, 0);
		if (n > 0)
			continue;               /* got data: try again at once */
		if (n == 0)
			break;                  /* EOF: the client is done */
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			ex_die("recvfrom: %s", strerror(errno));
		/* nothing there yet: poll again (after a nap, if asked) */
		if (poll_interval_us > 0)
			ex_sleep_us(poll_interval_us);
	}
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "poll-interval-us", EX_OPT_INT, &poll_interval_us, 0, 1000000, NULL,
		  "sleep N µs between EAGAIN polls (default 0: tight polling)" },
		{ "interval-ms", EX_OPT_INT, &interval_ms, 1, 10000, NULL,
		  "client sends one message every N ms (default 20)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "nonblocking",
		"Non-blocking IO: a server polls recvfrom on an O_NONBLOCK socket (EAGAIN).",
		10, opts);

	int srv, cli;
	ex_tcp_pair(&srv, &cli);
	struct ex_client c = { .name = "client", .fds = { cli }, .nfds = 1,
			       .interval_us = interval_ms * 1000, .msg_size = 64 };
	pthread_t ts = ex_spawn(server, &srv);
	pthread_t tc = ex_spawn(ex_client_main, &c);

	ex_wait_for_stop();
	ex_join(tc);
	ex_join(ts);
	close(srv);
	close(cli);
	ex_print_stats();
	return 0;
}
