/*
 * examples/common.c — options, stop handling, per-thread stats, loopback
 * sockets and a paced client shared by the bundled examples.  See common.h.
 */
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

atomic_bool ex_stop_flag;

static const char *g_name = "example";
static double g_seconds = 10;
static double g_start;                  /* ex_now() at ex_init */

#define EX_MAX_THREADS 256
static struct ex_stats g_stats[EX_MAX_THREADS];
static atomic_int g_nstats;
static struct ex_stats *g_main;         /* the main thread's record */
static struct ex_stats *stats_new(const char *role, unsigned fields);

/* ---- options ---------------------------------------------------------- */

static void print_usage(FILE *f, const struct ex_opt *opts)
{
	fprintf(f, "usage: %s [--seconds N]", g_name);
	for (const struct ex_opt *o = opts; o && o->name; o++) {
		if (o->kind == EX_OPT_FLAG)
			fprintf(f, " [--%s]", o->name);
		else if (o->kind == EX_OPT_INT)
			fprintf(f, " [--%s N]", o->name);
		else
			fprintf(f, " [--%s %s]", o->name, o->choices);
	}
	fprintf(f, " [-h]\n");
}

static void __attribute__((noreturn))
bad_usage(const struct ex_opt *opts, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", g_name);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	print_usage(stderr, opts);
	exit(2);
}

static bool choice_ok(const char *choices, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && n > 0 && strncmp(p, word, n) == 0)
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

void ex_init(int argc, char **argv, const char *example, const char *about,
	     double default_seconds, const struct ex_opt *opts)
{
	g_name = example;
	g_seconds = default_seconds;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_usage(stdout, opts);
			printf("%s\n  --seconds N  stop after N seconds (default %g)\n",
			       about, default_seconds);
			for (const struct ex_opt *o = opts; o && o->name; o++)
				printf("  --%s%s  %s\n", o->name,
				       o->kind == EX_OPT_FLAG ? "" :
				       o->kind == EX_OPT_INT ? " N" : " WORD", o->help);
			exit(0);
		}
		if (strncmp(a, "--", 2) != 0)
			bad_usage(opts, "unexpected argument '%s'", a);
		/* split "--name=value" */
		char key[64];
		const char *val = NULL;
		const char *eq = strchr(a + 2, '=');
		size_t klen = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		if (klen >= sizeof key)
			bad_usage(opts, "unknown option '%s'", a);
		memcpy(key, a + 2, klen);
		key[klen] = '\0';
		if (eq)
			val = eq + 1;

		const struct ex_opt *o = NULL;
		bool is_seconds = !strcmp(key, "seconds");
		for (const struct ex_opt *p = opts; !is_seconds && p && p->name; p++)
			if (!strcmp(p->name, key))
				o = p;
		if (!is_seconds && !o)
			bad_usage(opts, "unknown option '%s'", a);
		if (o && o->kind == EX_OPT_FLAG) {
			if (val)
				bad_usage(opts, "option '%s' takes no value", a);
			*(bool *)o->dst = true;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc)
				bad_usage(opts, "option '%s' needs a value", a);
			val = argv[++i];
		}
		char *end;
		errno = 0;
		if (is_seconds) {
			double s = strtod(val, &end);
			if (errno || end == val || *end || !isfinite(s) || s <= 0 || s > 86400)
				bad_usage(opts, "--seconds wants a number of seconds > 0, not '%s'", val);
			g_seconds = s;
		} else if (o->kind == EX_OPT_INT) {
			long v = strtol(val, &end, 10);
			if (errno || end == val || *end || v < o->min || v > o->max) {
				fprintf(stderr, "%s: --%s wants an integer in [%ld, %ld]\n",
					g_name, o->name, o->min, o->max);
				bad_usage(opts, "bad value '%s'", val);
			}
			*(long *)o->dst = v;
		} else {
			if (!choice_ok(o->choices, val))
				bad_usage(opts, "bad choice '%s'", val);
			*(const char **)o->dst = val;
		}
	}

	/* Only the main thread takes SIGTERM/SIGINT (in ex_wait_for_stop);
	 * every thread created from here on inherits the blocked mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* the main thread's record, first in the table: it keeps its name
	 * (the process's comm); ex_print_stats closes it */
	g_main = stats_new("main", 0);
	g_start = ex_now();
}

double ex_seconds(void) { return g_seconds; }
const char *ex_name(void) { return g_name; }

/* ---- stopping --------------------------------------------------------- */

void ex_request_stop(void)
{
	atomic_store_explicit(&ex_stop_flag, true, memory_order_release);
}

int ex_wait_for_stop(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	int sig = 0;
	while (!ex_stopping()) {
		double left = g_start + g_seconds - ex_now();
		if (left <= 0)
			break;
		if (left > 0.1)         /* wake now and then to see ex_request_stop() */
			left = 0.1;
		struct timespec ts = { (time_t)left, (long)((left - (time_t)left) * 1e9) };
		int r = sigtimedwait(&set, NULL, &ts);
		if (r > 0) {
			sig = r;
			break;
		}
	}
	ex_request_stop();
	return sig;
}

void ex_deadline_realtime(struct timespec *ts)
{
	double left = g_start + g_seconds - ex_now();
	if (left < 0)
		left = 0;
	clock_gettime(CLOCK_REALTIME, ts);
	long long ns = ts->tv_nsec + (long long)(left * 1e9);
	ts->tv_sec += ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

/* ---- per-thread stats ------------------------------------------------- */

static struct ex_stats *stats_slot(void)
{
	int i = atomic_fetch_add(&g_nstats, 1);
	if (i >= EX_MAX_THREADS)
		ex_die("too many threads for the stats table (max %d)", EX_MAX_THREADS);
	return &g_stats[i];
}

/* a fresh record of the calling thread */
static struct ex_stats *stats_new(const char *role, unsigned fields)
{
	struct ex_stats *st = stats_slot();
	memset(st, 0, sizeof *st);
	st->tid = gettid();
	st->pid = getpid();
	snprintf(st->role, sizeof st->role, "%s", role);
	st->fields = fields;
	return st;
}

struct ex_stats *ex_thread_begin(const char *name, const char *role, unsigned fields)
{
	char nm[16];
	snprintf(nm, sizeof nm, "%s", name);
	pthread_setname_np(pthread_self(), nm);
	return stats_new(role, fields);
}

/* read a small /proc file into buf (NUL-terminated; empty if unreadable) */
static void read_proc(const char *path, char *buf, size_t size)
{
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

static long long status_field(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	return p ? atoll(p + strlen(key)) : -1;
}

void ex_thread_end(struct ex_stats *st)
{
	char buf[4096], sched[128];
	struct timespec ts;
	/* both files back to back: the two reads are a few µs apart */
	read_proc("/proc/thread-self/status", buf, sizeof buf);
	/* schedstat prints sum_exec_runtime as last updated (at the last tick
	 * or switch: up to a tick, 4 ms at HZ=250, behind for a busy thread);
	 * reading the thread's CPU clock runs update_curr() and brings it up
	 * to date (docs/time-accounting.md) */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	read_proc("/proc/thread-self/schedstat", sched, sizeof sched);
	/* the leading newline keeps "voluntary" from matching "nonvoluntary" */
	st->voluntary_ctxt_switches = status_field(buf, "\nvoluntary_ctxt_switches:");
	st->nonvoluntary_ctxt_switches = status_field(buf, "\nnonvoluntary_ctxt_switches:");
	/* "<on-CPU ns> <run-queue ns> <timeslices>" */
	unsigned long long cpu, delay;
	if (sscanf(sched, "%llu %llu", &cpu, &delay) == 2) {
		st->cpu_ns = (long long)cpu;
		st->run_delay_ns = (long long)delay;
	} else {
		st->cpu_ns = st->run_delay_ns = -1;
	}
}

struct ex_stats *ex_main_stats(unsigned fields)
{
	g_main->fields |= fields;
	return g_main;
}

long long *ex_extra(struct ex_stats *st, const char *name)
{
	for (int i = 0; i < st->nextra; i++)
		if (!strcmp(st->extra[i].name, name))
			return &st->extra[i].value;
	if (st->nextra >= EX_MAX_EXTRA)
		ex_die("too many extra counters (adding '%s')", name);
	snprintf(st->extra[st->nextra].name, sizeof st->extra[0].name, "%s", name);
	st->extra[st->nextra].value = 0;
	return &st->extra[st->nextra++].value;
}

void ex_stats_add(const struct ex_stats *copy)
{
	*stats_slot() = *copy;
}

void ex_print_stats(void)
{
	if (g_main && g_main->tid == gettid())
		ex_thread_end(g_main);  /* the main thread's work ends here */
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		ex_die("open_memstream: %s", strerror(errno));
	fprintf(f, "example-stats {\"example\":\"%s\",\"pid\":%d,\"seconds\":%g,\"threads\":[",
		g_name, getpid(), g_seconds);
	int n = atomic_load(&g_nstats);
	for (int i = 0; i < n && i < EX_MAX_THREADS; i++) {
		const struct ex_stats *s = &g_stats[i];
		fprintf(f, "%s{\"tid\":%d,\"pid\":%d,\"role\":\"%s\"", i ? "," : "",
			s->tid, s->pid, s->role);
		if (s->fields & EX_F_RECV)
			fprintf(f, ",\"recv_calls\":%lld,\"recv_eagain\":%lld,\"recv_bytes\":%lld",
				s->recv_calls, s->recv_eagain, s->recv_bytes);
		if (s->fields & EX_F_MUX)
			fprintf(f, ",\"mux_calls\":%lld", s->mux_calls);
		if (s->fields & EX_F_URING)
			fprintf(f, ",\"uring_submitted\":%lld,\"uring_completed\":%lld",
				s->uring_submitted, s->uring_completed);
		if (s->fields & EX_F_LOCK)
			fprintf(f, ",\"lock_acquisitions\":%lld", s->lock_acquisitions);
		if (s->fields & EX_F_CORO)
			fprintf(f, ",\"coroutine_switches\":%lld", s->coroutine_switches);
		for (int k = 0; k < s->nextra; k++)
			fprintf(f, ",\"%s\":%lld", s->extra[k].name, s->extra[k].value);
		fprintf(f, ",\"voluntary_ctxt_switches\":%lld,\"nonvoluntary_ctxt_switches\":%lld"
			",\"cpu_ns\":%lld,\"run_delay_ns\":%lld}",
			s->voluntary_ctxt_switches, s->nonvoluntary_ctxt_switches,
			s->cpu_ns, s->run_delay_ns);
	}
	fprintf(f, "]}\n");
	fclose(f);
	fflush(stdout);
	fflush(stderr);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(STDERR_FILENO, out + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(out);
}

/* ---- threads, time, work ---------------------------------------------- */

pthread_t ex_spawn(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	int e = pthread_create(&t, NULL, fn, arg);
	if (e)
		ex_die("pthread_create: %s", strerror(e));
	return t;
}

void ex_join(pthread_t t)
{
	int e = pthread_join(t, NULL);
	if (e)
		ex_die("pthread_join: %s", strerror(e));
}

double ex_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void ex_sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void ex_nap_ms(long ms)
{
	double end = ex_now() + ms / 1e3;
	while (!ex_stopping()) {
		double left = end - ex_now();
		if (left <= 0)
			break;
		ex_sleep_us(left > 0.01 ? 10000 : (long)(left * 1e6) + 1);
	}
}

unsigned long ex_work_us(long us)
{
	double end = ex_now() + us / 1e6;
	unsigned long x = 88172645463325252UL;
	do {
		for (int i = 0; i < 256; i++) {      /* xorshift: real CPU work */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
	} while (ex_now() < end);
	return x;
}

void ex_die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", g_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- loopback sockets ------------------------------------------------- */

void ex_tcp_pair(int *srv, int *cli)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	int one = 1;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0)
		ex_die("loopback listener: %s", strerror(errno));
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0)
		ex_die("connect 127.0.0.1:%d: %s", ntohs(a.sin_port), strerror(errno));
	int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		ex_die("accept: %s", strerror(errno));
	close(l);
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*srv = s;
	*cli = c;
}

void ex_set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		ex_die("fcntl O_NONBLOCK: %s", strerror(errno));
}

/* the syscall ex_recv makes: recvfrom, or read (ex_recv_use_read) */
static bool g_recv_read;

void ex_recv_use_read(bool on)
{
	g_recv_read = on;
}

ssize_t ex_recv(struct ex_stats *st, int fd, void *buf, size_t len, int flags)
{
	ssize_t n = g_recv_read ? read(fd, buf, len) : recvfrom(fd, buf, len, flags, NULL, NULL);
	int e = errno;
	st->recv_calls++;
	if (n > 0)
		st->recv_bytes += n;
	else if (n < 0 && (e == EAGAIN || e == EWOULDBLOCK))
		st->recv_eagain++;
	errno = e;
	return n;
}

int ex_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ex_sleep_us(1000);      /* only if a caller made it nonblocking */
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void *ex_client_main(void *arg)
{
	struct ex_client *c = arg;
	struct ex_stats *st = ex_thread_begin(c->name, "client", EX_F_RECV);
	long long *msgs = ex_extra(st, "sent_msgs");
	long long *bytes = ex_extra(st, "sent_bytes");
	bool alive[EX_CLIENT_MAX_FDS];
	char msg[4096];
	size_t size = c->msg_size < sizeof msg ? c->msg_size : sizeof msg;

	for (int i = 0; i < c->nfds; i++)
		alive[i] = true;
	while (!ex_stopping()) {
		for (int i = 0; i < c->nfds; i++) {
			if (!alive[i])
				continue;
			memset(msg, 'a' + (int)(*msgs % 26), size);
			if (ex_send_all(c->fds[i], msg, size) < 0) {
				alive[i] = false;   /* the server hung up */
				continue;
			}
			(*msgs)++;
			*bytes += (long long)size;
		}
		if (c->interval_us > 0)
			ex_sleep_us(c->interval_us);
	}
	for (int i = 0; i < c->nfds; i++)
		shutdown(c->fds[i], SHUT_WR);    /* the server now reads EOF */
	ex_thread_end(st);
	return NULL;
}
