/*
 * coroutines — many cooperative coroutines on ONE thread.
 *
 * The thread `coro-sched` runs a tiny user-space scheduler and many
 * coroutines (default 8; ucontext: makecontext/swapcontext), one per client
 * connection.  Sockets are non-blocking: a coroutine calls recvfrom(); on
 * EAGAIN it yields back to the scheduler instead of blocking the thread, and
 * while handling a message it yields every 8 bytes to be fair to the others.
 * Only when no coroutine can run does the scheduler block, in ONE epoll_wait
 * over all sockets, and mark the coroutines whose sockets became readable
 * as ready.  A client thread (`client`) sends a 64-byte message to every
 * connection each 5 ms.
 *
 * What to see in concviz: one thread doing all the IO, recv calls with some
 * EAGAIN, mux_wait only when everything is idle, and far fewer kernel
 * context switches than coroutine switches (compare coroutine_switches with
 * voluntary/nonvoluntary_ctxt_switches in the stats).
 */
#include "common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <ucontext.h>
#include <unistd.h>

#define MAX_CO 64
#define STACK_SIZE (64 * 1024)

enum co_state { CO_READY, CO_WAITING, CO_DONE };

struct coro {
	ucontext_t ctx;
	int fd;
	enum co_state state;
	char *stack;
};

static long ncoro = 8;
static long interval_ms = 5;
static struct coro co[MAX_CO];
static ucontext_t sched_ctx;
static struct coro *current;
static struct ex_stats *st;             /* the scheduler thread's record */
static unsigned long checksum;

/* Give the CPU back to the scheduler, in state s (ready again or waiting for IO). */
static void co_yield(enum co_state s)
{
	current->state = s;
	st->coroutine_switches++;
	swapcontext(&current->ctx, &sched_ctx);
}

/* The body of every coroutine: serve one connection until EOF. */
static void co_main(void)
{
	struct coro *self = current;
	unsigned char buf[4096];

	for (;;) {
		ssize_t n = ex_recv(st, self->fd, buf, sizeof buf, 0);
		if (n == 0)
			break;                              /* EOF */
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				ex_die("recvfrom: %s", strerror(errno));
			co_yield(CO_WAITING);               /* no data: let others run */
			continue;
		}
		for (ssize_t i = 0; i < n; i += 8) {        /* "parse" 8 bytes, yield */
			for (ssize_t k = i; k < n && k < i + 8; k++)
				checksum = checksum * 31 + buf[k];
			co_yield(CO_READY);
		}
	}
	self->state = CO_DONE;
	st->coroutine_switches++;       /* returning resumes the scheduler (uc_link) */
}

static void *scheduler(void *arg)
{
	int *fds = arg;
	st = ex_thread_begin("coro-sched", "coro-sched", EX_F_RECV | EX_F_MUX | EX_F_CORO);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int alive = (int)ncoro;

	for (int i = 0; i < ncoro; i++) {
		co[i].fd = fds[i];
		co[i].state = CO_READY;
		co[i].stack = malloc(STACK_SIZE);
		if (!co[i].stack)
			ex_die("out of memory");
		ex_set_nonblocking(fds[i]);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (unsigned)i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0)
			ex_die("epoll_ctl: %s", strerror(errno));
		getcontext(&co[i].ctx);
		co[i].ctx.uc_stack.ss_sp = co[i].stack;
		co[i].ctx.uc_stack.ss_size = STACK_SIZE;
		co[i].ctx.uc_link = &sched_ctx;
		makecontext(&co[i].ctx, co_main, 0);
	}

	while (alive > 0) {
		bool any_ready = false;
		for (int i = 0; i < ncoro; i++) {           /* run every ready coroutine */
			if (co[i].state != CO_READY)
				continue;
			current = &co[i];
			st->coroutine_switches++;
			swapcontext(&sched_ctx, &co[i].ctx);
			if (co[i].state == CO_DONE) {
				alive--;
				epoll_ctl(ep, EPOLL_CTL_DEL, co[i].fd, NULL);
			} else if (co[i].state == CO_READY) {
				any_ready = true;
			}
		}
		if (any_ready || alive == 0)
			continue;
		/* nothing can run: block in the one multiplexer until IO is ready */
		struct epoll_event evs[MAX_CO];
		int n = epoll_wait(ep, evs, MAX_CO, 500);
		st->mux_calls++;
		for (int k = 0; k < n; k++) {
			struct coro *c = &co[evs[k].data.u32];
			if (c->state == CO_WAITING)
				c->state = CO_READY;
		}
	}
	for (int i = 0; i < ncoro; i++)
		free(co[i].stack);
	close(ep);
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "coroutines", EX_OPT_INT, &ncoro, 1, MAX_CO, NULL,
		  "number of coroutines / connections (default 8)" },
		{ "interval-ms", EX_OPT_INT, &interval_ms, 1, 10000, NULL,
		  "client sends to every connection each N ms (default 5)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "coroutines",
		"Coroutines: one thread switches between many coroutines in user space.", 10, opts);

	static int srv[MAX_CO];
	static struct ex_client c = { .name = "client", .msg_size = 64 };
	c.nfds = (int)ncoro;
	c.interval_us = interval_ms * 1000;
	for (int i = 0; i < ncoro; i++)
		ex_tcp_pair(&srv[i], &c.fds[i]);
	pthread_t ts = ex_spawn(scheduler, srv);
	pthread_t tc = ex_spawn(ex_client_main, &c);
	ex_wait_for_stop();
	ex_join(tc);
	ex_join(ts);
	for (int i = 0; i < ncoro; i++) {
		close(srv[i]);
		close(c.fds[i]);
	}
	ex_print_stats();
	return 0;
}
