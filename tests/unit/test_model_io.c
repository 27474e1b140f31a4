/* test_model_io.c — the model's IO breakdowns on synthetic events, with exact
 * numbers: multiplexer calls by API, processes (parents, exit statuses,
 * short-lived helpers), receives by descriptor and their descriptions (the
 * probes' CV_EV_FD, /proc's lines, FD_DESC records). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "live/fdinfo.h"
#include "model/model.h"
#include "model/model_priv.h"
#include "output/report.h"
#include "record/recfile.h"

#define PID 100
#define S 1000000000ULL /* model start */

static struct cv_model *M;

static void feed(struct cv_event e) { cv_model_feed(M, &e); }

static struct cv_event mk(uint16_t type, uint64_t ts, uint32_t tid, uint32_t pid)
{
	struct cv_event e;
	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts = S + ts;
	e.tid = tid;
	e.pid = pid;
	return e;
}

static void fresh(void)
{
	cv_model_free(M);
	M = cv_model_new(NULL);
	cv_model_set_start(M, S);
}

static void mux(uint64_t ts, uint32_t tid, uint32_t sys, uint64_t enter, int64_t ret,
		uint32_t nfds, int64_t timeout_ms)
{
	struct cv_event e = mk(CV_EV_MUX, ts, tid, PID);
	e.mux.enter_ts = S + enter;
	e.mux.ret = ret;
	e.mux.sys = sys;
	e.mux.nfds = nfds;
	e.mux.timeout_ms = timeout_ms;
	feed(e);
}

static const struct cv_thread *T(uint32_t tid) { return cv_model_find_thread(M, tid); }

TEST(mux_by_api)
{
	fresh();
	mux(100, 101, CV_SYS_PSELECT6, 10, 2, 9, 500);   /* select: 2 ready of nfds 9 */
	mux(200, 101, CV_SYS_SELECT, 150, 0, 9, 500);    /* timed out */
	mux(300, 101, CV_SYS_POLL, 290, 1, 4, -1);
	mux(400, 101, CV_SYS_PPOLL, 350, -4, 4, 0);      /* EINTR */
	mux(500, 101, CV_SYS_EPOLL_WAIT, 480, 3, 32, 100);
	mux(600, 101, CV_SYS_EPOLL_PWAIT2, 590, 1, 32, -1);
	const struct cv_thread *t = T(101);
	CHECK_EQ(t->mux.calls, 6);
	CHECK_EQ(t->mux.wait_ns, 90 + 50 + 10 + 50 + 20 + 10);
	const struct cv_mux_api_stats *s = &t->mux.by_api[CV_MUX_SELECT];
	CHECK_EQ(s->calls, 2);
	CHECK_EQ(s->wait_ns, 140);
	CHECK_EQ(s->nfds, 18);
	CHECK_EQ(s->ready, 2);
	CHECK_EQ(s->timeouts, 1);
	CHECK_EQ(s->errors, 0);
	s = &t->mux.by_api[CV_MUX_POLL];
	CHECK_EQ(s->calls, 2);
	CHECK_EQ(s->ready, 1);
	CHECK_EQ(s->errors, 1);
	CHECK_EQ(s->timeouts, 0);
	s = &t->mux.by_api[CV_MUX_EPOLL];
	CHECK_EQ(s->calls, 2);
	CHECK_EQ(s->nfds, 64);
	CHECK_EQ(s->ready, 4);
	CHECK_EQ(s->wait_ns, 30);
	/* the newest record keeps the call's size and timeout */
	const struct cv_mux_rec *r = cv_model_thread_mux(M, t, 0);
	CHECK(r != NULL);
	CHECK_EQ(r->nfds, 32);
	CHECK_EQ(r->timeout_ms, -1);
	CHECK_EQ(cv_model_thread_mux(M, t, 5)->timeout_ms, 500);
	CHECK_STR(cv_mux_api_name(cv_mux_api_of(CV_SYS_EPOLL_PWAIT)), "epoll");
	CHECK_STR(cv_mux_api_name(cv_mux_api_of(CV_SYS_PSELECT6)), "select");
	CHECK_STR(cv_mux_api_name(cv_mux_api_of(CV_SYS_PPOLL)), "poll");
}

static void fork_ev(uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm)
{
	struct cv_event e = mk(CV_EV_TASK, ts, pid, pid);
	e.flags = CV_TASK_PROCESS;
	e.task.parent_tid = ppid;
	e.task.parent_pid = ppid;
	snprintf(e.task.comm, CV_COMM_LEN, "%s", comm);
	feed(e);
}

static void thread_ev(uint64_t ts, uint32_t tid, uint32_t pid)
{
	struct cv_event e = mk(CV_EV_TASK, ts, tid, pid);
	e.task.parent_tid = pid;
	e.task.parent_pid = pid;
	snprintf(e.task.comm, CV_COMM_LEN, "worker");
	feed(e);
}

static void comm_ev(uint64_t ts, uint32_t tid, uint32_t pid, const char *comm)
{
	struct cv_event e = mk(CV_EV_COMM, ts, tid, pid);
	snprintf(e.comm.comm, CV_COMM_LEN, "%s", comm);
	feed(e);
}

static void exit_ev(uint64_t ts, uint32_t tid, uint32_t pid, int status, bool last)
{
	struct cv_event e = mk(CV_EV_EXIT, ts, tid, pid);
	e.exit.exit_code = status;
	e.exit.group_dead = last;
	feed(e);
}

static const struct cv_process *P(size_t i) { return cv_model_process(M, i); }

TEST(processes)
{
	fresh();
	cv_model_set_target(M, PID, "sh");
	comm_ev(0, PID, PID, "sh");                  /* the target: first seen, no fork */
	fork_ev(1000, 200, PID, "sh");              /* a child that execs readlink … */
	comm_ev(2000, 200, 200, "readlink");
	exit_ev(3000000, 200, 200, 10 << 8, true);  /* … and exits 10 after 3 ms */
	fork_ev(4000000, 201, PID, "sh");           /* a child with a thread that receives */
	thread_ev(4001000, 202, 201);
	struct cv_event r = mk(CV_EV_RECV, 4002000, 202, 201);
	r.recv.enter_ts = S + 4001500;
	r.recv.ret = 8;
	r.recv.sys = CV_SYS_READ;
	r.flags = CV_CALL_PIPE;
	feed(r);
	exit_ev(4003000, 202, 201, 0, false);
	exit_ev(4004000, 201, 201, 9, true);        /* killed by SIGKILL */
	fork_ev(4500000, 203, PID, "sleep");        /* killed at once: not a helper */
	exit_ev(4600000, 203, 203, 9, true);
	fork_ev(5000000, 200, PID, "sh");           /* pid 200 again: a new process */
	exit_ev(200000000, 200, 200, 12 << 8, true); /* lived 195 ms: not short */
	CHECK_EQ(cv_model_process_count(M), 5);
	CHECK(!cv_model_process_short_lived(M, P(3)));
	CHECK_EQ(P(3)->pid, 203);
	CHECK_EQ(P(0)->pid, PID);
	CHECK_EQ(P(0)->ppid, 0);
	CHECK_STR(P(0)->comm, "sh");
	CHECK(!P(0)->exited);
	CHECK(!cv_model_process_short_lived(M, P(0)));
	CHECK_EQ(P(1)->pid, 200);
	CHECK_EQ(P(1)->ppid, PID);
	CHECK_STR(P(1)->comm, "readlink");
	CHECK(P(1)->exited);
	CHECK_EQ(P(1)->exit_status, 10 << 8);
	CHECK_EQ(P(1)->end_ts - P(1)->start_ts, 3000000 - 1000);
	CHECK(cv_model_process_short_lived(M, P(1)));
	CHECK_EQ(P(2)->pid, 201);
	CHECK_EQ(P(2)->threads, 2);
	CHECK_EQ(P(2)->traced_calls, 1);
	CHECK_EQ(P(2)->exit_status, 9);
	CHECK(!cv_model_process_short_lived(M, P(2))); /* it received: not a helper */
	CHECK_EQ(P(4)->pid, 200);
	CHECK_EQ(P(4)->exit_status, 12 << 8);
	CHECK(!cv_model_process_short_lived(M, P(4)));
	/* each thread record knows its own process, the reused pid too */
	CHECK(cv_model_thread_process(M, cv_model_find_thread(M, 202)) == P(2));
	CHECK(cv_model_thread_process(M, cv_model_find_thread(M, 200)) == P(4));
	CHECK(cv_model_thread_process(M, cv_model_thread(M, 1)) == P(1));
}

static void fd_ev(uint64_t ts, uint32_t tid, uint32_t fd, uint64_t ino, enum cv_fd_kind kind)
{
	struct cv_event e = mk(CV_EV_FD, ts, tid, PID);
	e.fd.fd = fd;
	e.fd.ino = ino;
	e.fd.kind = kind;
	feed(e);
}

static struct cv_event fd_inet(uint64_t ts, uint32_t fd, uint64_t ino, uint16_t rport)
{
	struct cv_event e = mk(CV_EV_FD, ts, 101, PID);
	e.fd.fd = fd;
	e.fd.ino = ino;
	e.fd.kind = CV_FD_TCP;
	e.fd.family = 2;
	e.fd.inet.lport = 8080;
	e.fd.inet.rport = rport;
	memcpy(e.fd.inet.laddr, "\x7f\0\0\x01", 4);
	if (rport)
		memcpy(e.fd.inet.raddr, "\x7f\0\0\x01", 4);
	return e;
}

static void recv_fd(uint64_t ts, uint32_t tid, uint32_t sys, uint32_t fd, uint64_t ino,
		    uint64_t enter, uint64_t copy, int64_t ret)
{
	struct cv_event e = mk(CV_EV_RECV, ts, tid, PID);
	e.recv.sys = sys;
	e.recv.fd = fd;
	e.recv.ino = ino;
	e.recv.enter_ts = S + enter;
	e.recv.copy_ts = copy ? S + copy : 0;
	e.recv.ret = ret;
	feed(e);
}

static const char *desc_of(uint32_t fd, uint64_t ino)
{
	const struct cv_fd_desc *d = cv_model_fd_desc(M, PID, fd, ino);
	return d ? d->desc : "(none)";
}

TEST(receives_by_descriptor)
{
	fresh();
	struct cv_event e = fd_inet(10, 3, 500, 0);
	feed(e);                                           /* the listener */
	recv_fd(100, 101, CV_SYS_ACCEPT4, 3, 500, 20, 0, 4);
	feed(fd_inet(110, 4, 501, 40000));                 /* a client */
	recv_fd(200, 101, CV_SYS_RECVFROM, 4, 501, 120, 150, 64);
	recv_fd(300, 101, CV_SYS_RECVFROM, 4, 501, 210, 0, -CV_EAGAIN);
	feed(fd_inet(310, 4, 502, 40002));                 /* fd 4 again: another client */
	recv_fd(400, 101, CV_SYS_RECVFROM, 4, 502, 320, 390, 10);
	e = mk(CV_EV_FD, 410, 101, PID);                   /* a UNIX socket with a peer's name */
	e.fd.fd = 5;
	e.fd.ino = 600;
	e.fd.kind = CV_FD_UNIX;
	e.fd.family = 1;
	e.flags = CV_FD_NAME_PEER;
	memcpy(e.fd.name, "/run/a.sock", 12);
	e.fd.name_len = 12;
	feed(e);
	e.fd.fd = 6;                                       /* abstract, cut */
	e.fd.ino = 601;
	e.flags = CV_FD_NAME_TRUNC;
	memcpy(e.fd.name, "\0bus", 4);
	e.fd.name_len = 4;
	feed(e);
	fd_ev(420, 101, 7, 700, CV_FD_PIPE);
	e = mk(CV_EV_FD, 430, 101, PID);
	e.fd.fd = 8;
	e.fd.ino = 800;
	e.fd.kind = CV_FD_MQ;
	memcpy(e.fd.name, "q1", 2);
	e.fd.name_len = 2;
	feed(e);
	recv_fd(500, 101, CV_SYS_MQ_TIMEDRECEIVE, 8, 800, 450, 0, 5);
	CHECK_STR(desc_of(3, 500), "listening on 127.0.0.1:8080");
	CHECK_STR(desc_of(4, 501), "127.0.0.1:8080 -> 127.0.0.1:40000");
	CHECK_STR(desc_of(4, 502), "127.0.0.1:8080 -> 127.0.0.1:40002");
	CHECK_STR(desc_of(5, 600), "unnamed -> /run/a.sock");
	CHECK_STR(desc_of(6, 601), "@bus...");
	CHECK_STR(desc_of(7, 700), "pipe");
	CHECK_STR(desc_of(8, 800), "/q1");
	CHECK_STR(cv_fd_kind_name(cv_model_fd_desc(M, PID, 5, 600)->kind), "unix");
	/* /proc's fuller description wins, whether it comes before or after the event */
	cv_model_set_fd_desc(M, PID, 6, 601, CV_FD_UNIX, "@bus-and-more");
	CHECK_STR(desc_of(6, 601), "@bus-and-more");
	cv_model_set_fd_desc(M, PID, 9, 900, CV_FD_FIFO, "FIFO /tmp/f");
	fd_ev(440, 101, 9, 900, CV_FD_FIFO);
	CHECK_STR(desc_of(9, 900), "FIFO /tmp/f");
	const struct cv_thread *t = T(101);
	CHECK_EQ(cv_model_thread_fd_count(M, t), 4);
	const struct cv_fd_stats *f = cv_model_thread_fd(M, t, 0);
	CHECK_EQ(f->fd, 3);
	CHECK_EQ(f->accepts, 1);
	CHECK_EQ(f->accept_wait_ns, 80);
	CHECK_EQ(f->calls, 0);
	f = cv_model_thread_fd(M, t, 1);
	CHECK_EQ(f->ino, 501);
	CHECK_EQ(f->calls, 2);      /* the EAGAIN poll too */
	CHECK_EQ(f->bytes, 64);
	CHECK_EQ(f->wait_ns, 30);   /* enter to copy; a poll waits for nothing */
	f = cv_model_thread_fd(M, t, 2);
	CHECK_EQ(f->ino, 502);
	CHECK_EQ(f->calls, 1);
	CHECK_EQ(f->wait_ns, 70);
	f = cv_model_thread_fd(M, t, 3);
	CHECK_EQ(f->recv_kind, CV_RECV_MQ);
	CHECK_EQ(f->wait_ns, 50);   /* no copy time: the whole call */
	/* JSON */
	char *j = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&j, &len);
	cv_report_json(out, M, NULL);
	fclose(out);
	CHECK(strstr(j, "\"by_fd\": [{\"fd\": 3, \"ino\": 500, \"kind\": \"tcp\", \"desc\": "
		     "\"listening on 127.0.0.1:8080\", \"recv_kind\": \"socket\", \"calls\": 0, "
		     "\"bytes\": 0, \"wait_ns\": 0, \"accepts\": 1, \"accept_wait_ns\": 80, \"mux_ready\": 0, "
		     "\"mux_ready_epoll\": 0}") != NULL);
	CHECK(strstr(j, "{\"fd\": 8, \"ino\": 800, \"kind\": \"mq\", \"desc\": \"/q1\"") != NULL);
	free(j);
}

static void ready_ev(uint64_t ts, uint32_t tid, uint32_t flags, uint32_t overflow,
		     const uint16_t *fds, unsigned n)
{
	struct cv_event e = mk(CV_EV_MUX_READY, ts, tid, PID);
	e.flags = flags;
	e.mux_ready.overflow = overflow;
	e.mux_ready.n = (uint16_t)n;
	memcpy(e.mux_ready.fd, fds, n * sizeof(*fds));
	feed(e);
}

/* CV_EV_MUX_READY: each listed fd counted in the entry of the object it
 * names now (its latest description), receives or not; epoll's apart; the
 * unlisted ones in mux.ready_unlisted */
TEST(ready_by_descriptor)
{
	fresh();
	feed(fd_inet(10, 3, 500, 0));                      /* listener: accepted on */
	feed(fd_inet(20, 4, 501, 40000));                  /* client: received on */
	fd_ev(30, 101, 5, 700, CV_FD_PIPE);                /* only ever multiplexed */
	mux(100, 101, CV_SYS_POLL, 40, 2, 3, -1);
	ready_ev(100, 101, 0, 0, (const uint16_t[]){ 3, 5 }, 2);
	recv_fd(150, 101, CV_SYS_ACCEPT4, 3, 500, 110, 0, 6);
	mux(200, 101, CV_SYS_EPOLL_WAIT, 160, 2, 8, -1);
	ready_ev(200, 101, CV_MUXR_EPOLL, 0, (const uint16_t[]){ 4, 5 }, 2);
	recv_fd(250, 101, CV_SYS_RECVFROM, 4, 501, 210, 220, 64);
	feed(fd_inet(260, 4, 502, 40002));                 /* fd 4 names another socket now */
	mux(300, 101, CV_SYS_PSELECT6, 270, 20, 5, -1);
	ready_ev(300, 101, 0, 18, (const uint16_t[]){ 4 }, 1);   /* one listed, 18 not */
	ready_ev(310, 999, 0, 0, (const uint16_t[]){ 4 }, 1);    /* an unknown thread: ignored */
	const struct cv_thread *t = T(101);
	CHECK_EQ(cv_model_thread_fd_count(M, t), 4);
	const struct cv_fd_stats *f = cv_model_thread_fd(M, t, 0);
	CHECK_EQ(f->fd, 3);
	CHECK_EQ(f->ino, 500);
	CHECK_EQ(f->mux_ready, 1);
	CHECK_EQ(f->accepts, 1);        /* the same entry as its accepts */
	f = cv_model_thread_fd(M, t, 1);
	CHECK_EQ(f->fd, 5);
	CHECK_EQ(f->ino, 700);
	CHECK_EQ(f->mux_ready, 2);
	CHECK_EQ(f->mux_ready_epoll, 1);
	CHECK_EQ(f->calls, 0);
	CHECK_STR(desc_of(5, 700), "pipe");
	f = cv_model_thread_fd(M, t, 2);
	CHECK_EQ(f->ino, 501);
	CHECK_EQ(f->mux_ready, 1);
	CHECK_EQ(f->mux_ready_epoll, 1);
	CHECK_EQ(f->calls, 1);
	f = cv_model_thread_fd(M, t, 3);
	CHECK_EQ(f->ino, 502);
	CHECK_EQ(f->mux_ready, 1);
	CHECK_EQ(f->mux_ready_epoll, 0);
	CHECK_EQ(t->mux.ready_unlisted, 18);
	CHECK(cv_model_find_thread(M, 999) == NULL);
	/* JSON: the new keys after the old ones; the report's READY column */
	char *j = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&j, &len);
	cv_report_json(out, M, NULL);
	fclose(out);
	CHECK(strstr(j, "{\"fd\": 5, \"ino\": 700, \"kind\": \"pipe\", \"desc\": \"pipe\", "
		     "\"recv_kind\": \"pipe\", \"calls\": 0, \"bytes\": 0, \"wait_ns\": 0, "
		     "\"accepts\": 0, \"accept_wait_ns\": 0, \"mux_ready\": 2, \"mux_ready_epoll\": 1}") != NULL);
	CHECK(strstr(j, "\"ready_unlisted\": 18, \"interrupted\": 0, \"eintr\": 0}") != NULL);
	free(j);
	j = NULL;
	out = open_memstream(&j, &len);
	cv_report_text(out, M, NULL);
	fclose(out);
	CHECK(strstr(j, " READY  WHAT\n") != NULL);
	CHECK(strstr(j, "      2  pipe\n") != NULL);
	CHECK(strstr(j, "epoll's READY counts the fd each event's registered data names") != NULL);
	CHECK(strstr(j, "18 ready descriptors were not listed") != NULL);
	free(j);
}

TEST(many_descriptors_share_one_entry)
{
	fresh();
	for (uint32_t i = 0; i < CV_FD_MAX + 10; i++)
		recv_fd(100 + i * 10, 101, CV_SYS_RECVFROM, 10 + i, 1000 + i, 95 + i * 10, 0, 1);
	const struct cv_thread *t = T(101);
	CHECK_EQ(cv_model_thread_fd_count(M, t), CV_FD_MAX + 1);
	const struct cv_fd_stats *o = cv_model_thread_fd(M, t, CV_FD_MAX);
	CHECK_EQ(o->fd, CV_FD_OTHER);
	CHECK_EQ(o->calls, 10);
	CHECK_EQ(o->bytes, 10);
}

/* A server reusing fd 5 for connection after connection: descriptions a
 * by_fd entry shows are kept, the others go when fd 5 names the next one,
 * so the table stays bounded; what fd 5 names now is always known. */
TEST(reused_fd_numbers_stay_bounded)
{
	fresh();
	const uint32_t n = CV_FD_MAX + 5000;
	for (uint32_t i = 0; i < n; i++) {
		feed(fd_inet(100 + i * 10, 5, 10000 + i, (uint16_t)(30000 + i)));
		if (i < CV_FD_MAX - 10 || i == n - 1)
			recv_fd(105 + i * 10, 101, CV_SYS_RECVFROM, 5, 10000 + i, 101 + i * 10, 0, 1);
	}
	CHECK_STR(desc_of(5, 10000), "127.0.0.1:8080 -> 127.0.0.1:30000");
	CHECK_STR(desc_of(5, 10000 + CV_FD_MAX - 11), "127.0.0.1:8080 -> 127.0.0.1:30245");
	CHECK_STR(desc_of(5, 10000 + 3000), "(none)");      /* never shown: gone */
	CHECK_STR(desc_of(5, 10000 + n - 1), "127.0.0.1:8080 -> 127.0.0.1:35255");
	CHECK(M->nfdd <= CV_FD_MAX + 1);
	/* fd 6 names A, then B, then A again (dup2): what it names now is A */
	feed(fd_inet(50000, 6, 700, 40000));
	recv_fd(50005, 101, CV_SYS_RECVFROM, 6, 700, 50001, 0, 1);
	feed(fd_inet(50010, 6, 701, 40001));
	CHECK_EQ(cv_model_fd_now(M, PID, 6)->ino, 701);
	feed(fd_inet(50020, 6, 700, 40000));
	CHECK_EQ(cv_model_fd_now(M, PID, 6)->ino, 700);
	CHECK_STR(desc_of(6, 701), "(none)");              /* B, never shown: gone */
	/* a descriptor only multiplexed whose description names none of the
	 * kinds (an eventfd): its recv_kind is unknown, not "socket" */
	fd_ev(60000, 101, 9, 900, CV_FD_UNKNOWN);
	ready_ev(60010, 101, 0, 0, (const uint16_t[]){ 9 }, 1);
	const struct cv_thread *t = T(101);
	const struct cv_fd_stats *f = cv_model_thread_fd(M, t, cv_model_thread_fd_count(M, t) - 1);
	CHECK_EQ(f->fd, 9);
	CHECK_EQ(f->mux_ready, 1);
	CHECK_EQ(f->recv_kind, CV_RECV_KIND_COUNT);
	char *j = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&j, &len);
	cv_report_json(out, M, NULL);
	fclose(out);
	CHECK(strstr(j, "{\"fd\": 9, \"ino\": 900, \"kind\": \"unknown\", \"desc\": \"?\", "
		     "\"recv_kind\": null, \"calls\": 0") != NULL);
	CHECK(strstr(j, "\"model_out_of_memory\": 0") != NULL);
	free(j);
}

TEST(fd_desc_recorded)
{
	char path[] = "/tmp/concviz-test-fdXXXXXX", err[256];
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	struct cv_rec_meta meta = { .target_pid = PID, .command = "t" };
	struct cv_rec_writer *w = cv_rec_create(path, true, &meta, err, sizeof(err));
	CHECK(w != NULL);
	struct cv_event e = fd_inet(10, 3, 500, 41000);
	CHECK_EQ(cv_rec_write_start(w, S), 0);
	CHECK_EQ(cv_rec_write_event(w, &e), 0);
	CHECK_EQ(cv_rec_write_fd_desc(w, PID, 9, 900, CV_FD_FIFO, "FIFO /tmp/some fifo"), 0);
	CHECK_EQ(cv_rec_close(w), 0);
	fresh();
	uint64_t bytes = 0;
	CHECK_EQ(cv_rec_load(path, M, &bytes, err, sizeof(err)), 0);
	CHECK_STR(desc_of(3, 500), "127.0.0.1:8080 -> 127.0.0.1:41000");
	CHECK_STR(desc_of(9, 900), "FIFO /tmp/some fifo");
	CHECK_EQ(cv_model_fd_desc(M, PID, 9, 900)->kind, CV_FD_FIFO);
	unlink(path);
}

TEST(proc_net_lines)
{
	char d[128];
	const char *tcp = "   1: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000"
			  "     0        0 4242 1 0000000000000000 20 4 30 10 -1\n";
	CHECK(cv_fdinfo_inet_line(tcp, false, 4242, d, sizeof(d)));
	CHECK_STR(d, "127.0.0.1:8080 -> 127.0.0.1:40000");
	CHECK(!cv_fdinfo_inet_line(tcp, false, 4243, d, sizeof(d)));
	const char *lst = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
			  "     0        0 77 1 0000000000000000 100 0 0 10 0\n";
	CHECK(cv_fdinfo_inet_line(lst, false, 77, d, sizeof(d)));
	CHECK_STR(d, "listening on 127.0.0.1:8080");
	const char *v6 = "   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:A000 01 "
			 "00000000:00000000 00:00000000 00000000     0        0 88 1 0 20 4 30 10 -1\n";
	CHECK(cv_fdinfo_inet_line(v6, true, 88, d, sizeof(d)));
	CHECK_STR(d, "[::1]:8080 -> [::1]:40960");
	CHECK(cv_fdinfo_unix_line("0000000000000000: 00000002 00000000 00010000 0001 01 555 /run/x.sock\n",
				  555, d, sizeof(d)));
	CHECK_STR(d, "/run/x.sock");
	CHECK(cv_fdinfo_unix_line("0000000000000000: 00000003 00000000 00000000 0001 03 556\n",
				  556, d, sizeof(d)));
	CHECK_STR(d, "unnamed");
	CHECK(cv_fdinfo_unix_line("0000000000000000: 00000002 00000000 00010000 0001 01 557 @bus\n",
				  557, d, sizeof(d)));
	CHECK_STR(d, "@bus");
}

int main(void)
{
	RUN(receives_by_descriptor);
	RUN(many_descriptors_share_one_entry);
	RUN(fd_desc_recorded);
	RUN(reused_fd_numbers_stay_bounded);
	RUN(ready_by_descriptor);
	RUN(proc_net_lines);
	RUN(mux_by_api);
	RUN(processes);
	cv_model_free(M);
	return CHECK_DONE();
}
