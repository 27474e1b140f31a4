/*
 * blocking — the blocking IO model.
 *
 * One server thread (`srv-blocking`) calls recvfrom() on a blocking TCP
 * socket.  A client thread (`client`) sends a 64-byte message every 20 ms.
 * Each recvfrom() therefore blocks in the kernel until the next message
 * arrives (phase 1: wait for data), then copies 64 bytes (phase 2: copy data).
 *
 * What to see in concviz: `srv-blocking` spends nearly all its time in
 * wait_data, a sliver in copy_data, about one voluntary context switch per
 * message, recv calls == messages (+1 for the final EOF), and zero EAGAIN.
 * With --read the server uses read(2) instead: the same two phases, since a
 * read on a socket is a receive.
 */
#include "common.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static long interval_ms = 20;
static long msg_size = 64;
static bool use_read;

static void *server(void *arg)
{
	int fd = *(int *)arg;
	struct ex_stats *st = ex_thread_begin("srv-blocking", "srv-blocking", EX_F_RECV);
	char buf[4096];

	for (;;) {
		/* blocks until data arrives or the client hangs up */
		ssize_t n = ex_recv(st, fd, buf, sizeof buf, 0);
		if (n == 0)
			break;                  /* EOF: the client is done */
		if (n < 0 && errno != EINTR)
			ex_die("recvfrom: %s", strerror(errno));
	}
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "interval-ms", EX_OPT_INT, &interval_ms, 1, 10000, NULL,
		  "client sends one message every N ms (default 20)" },
		{ "msg-size", EX_OPT_INT, &msg_size, 1, 4096, NULL,
		  "message size in bytes (default 64)" },
		{ "read", EX_OPT_FLAG, &use_read, 0, 0, NULL,
		  "receive with read(2) instead of recvfrom(2)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "blocking",
		"Blocking IO: a server thread blocks in recvfrom on a blocking socket.",
		10, opts);
	ex_recv_use_read(use_read);

	int srv, cli;
	ex_tcp_pair(&srv, &cli);
	struct ex_client c = { .name = "client", .fds = { cli }, .nfds = 1,
			       .interval_us = interval_ms * 1000, .msg_size = (size_t)msg_size };
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
