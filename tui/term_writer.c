/* term_writer.c — the queue between curses and the terminal (term_writer.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "term_writer.h"

#define QUEUE_BYTES (1 << 20)   /* several full repaints of a large screen */
#define CHUNK_BYTES 65536

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* all of buf to the terminal; false (w->error set) when it fails for good */
static bool write_all(struct tui_tw *w, const char *buf, size_t n)
{
	while (n) {
		uint64_t t0 = mono_ns();
		pthread_mutex_lock(&w->mu);
		w->write_since_ns = t0;
		pthread_mutex_unlock(&w->mu);
		ssize_t r = write(w->tty_fd, buf, n);
		uint64_t d = mono_ns() - t0;
		pthread_mutex_lock(&w->mu);
		w->write_since_ns = 0;
		if (d > w->longest_write_ns)
			w->longest_write_ns = d;
		if (r > 0)
			w->in_hand -= (uint64_t)r;
		pthread_mutex_unlock(&w->mu);
		if (r > 0) {
			buf += r;
			n -= (size_t)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && errno == EAGAIN) {  /* a non-blocking terminal */
			struct pollfd p = { .fd = w->tty_fd, .events = POLLOUT };
			poll(&p, 1, -1);
		} else {
			pthread_mutex_lock(&w->mu);
			w->error = r < 0 ? errno : EIO;
			w->in_hand = 0;
			pthread_mutex_unlock(&w->mu);
			return false;
		}
	}
	return true;
}

static void *writer_main(void *arg)
{
	struct tui_tw *w = arg;
	char buf[CHUNK_BYTES];
	bool tty_ok = true;

	for (;;) {
		struct pollfd p = { .fd = w->queue_fd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		/* taken and in_hand change together: tui_tw_idle never sees a
		 * chunk that is neither in the queue nor in hand */
		pthread_mutex_lock(&w->mu);
		ssize_t n = read(w->queue_fd, buf, sizeof(buf));
		if (n > 0) {
			w->taken += (uint64_t)n;
			w->in_hand = tty_ok ? (uint64_t)n : 0;
		}
		pthread_mutex_unlock(&w->mu);
		if (n == 0)
			break;                  /* every write end closed: done */
		if (n < 0)
			continue;               /* EAGAIN, EINTR */
		/* a terminal that has gone away: keep emptying the queue, so
		 * curses never blocks on it */
		if (tty_ok)
			tty_ok = write_all(w, buf, (size_t)n);
	}
	return NULL;
}

/* the caller's policy and priority for the writer: a real-time TUI whose
 * writer waits behind the load would be as stuck as before */
static int start_thread(struct tui_tw *w)
{
	pthread_attr_t a;
	struct sched_param sp;
	int pol, rc;

	pthread_attr_init(&a);
	if (pthread_getschedparam(pthread_self(), &pol, &sp) == 0 && pol != SCHED_OTHER) {
		pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&a, pol);
		pthread_attr_setschedparam(&a, &sp);
	}
	rc = pthread_create(&w->thread, &a, writer_main, w);
	pthread_attr_destroy(&a);
	if (rc == EPERM)                /* the policy is not ours to give */
		rc = pthread_create(&w->thread, NULL, writer_main, w);
	return rc;
}

int tui_tw_start(struct tui_tw *w, int tty_fd, int curses_fd)
{
	int p[2], rc;

	memset(w, 0, sizeof(*w));
	w->tty_fd = tty_fd;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -1;
	fcntl(p[0], F_SETPIPE_SZ, QUEUE_BYTES);  /* else the default 64 KiB */
	/* curses writes with blocking writes: only the read end is non-blocking */
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) & ~O_NONBLOCK);
	w->queue_fd = p[0];
	pthread_mutex_init(&w->mu, NULL);
	if ((rc = start_thread(w))) {
		close(p[0]);
		close(p[1]);
		pthread_mutex_destroy(&w->mu);
		errno = rc;
		return -1;
	}
	w->running = w->started = true;
	if (dup3(p[1], curses_fd, O_CLOEXEC) < 0) {
		int e = errno;
		close(p[1]);
		tui_tw_finish(w, 1000); /* nothing was queued: ends at once */
		w->started = false;
		errno = e;
		return -1;
	}
	close(p[1]);
	return 0;
}

static uint64_t queued_now(struct tui_tw *w)
{
	int n = 0;
	if (ioctl(w->queue_fd, FIONREAD, &n) < 0)
		n = 0;
	return (uint64_t)n;
}

bool tui_tw_idle(struct tui_tw *w)
{
	pthread_mutex_lock(&w->mu);
	bool idle = !w->in_hand && !queued_now(w);
	pthread_mutex_unlock(&w->mu);
	return idle;
}

uint64_t tui_tw_queued_total(struct tui_tw *w)
{
	pthread_mutex_lock(&w->mu);
	uint64_t n = w->taken + queued_now(w);
	pthread_mutex_unlock(&w->mu);
	return n;
}

bool tui_tw_finish(struct tui_tw *w, int wait_ms)
{
	struct timespec until;

	if (!w->running)
		return true;
	w->running = false;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(w->thread, NULL, &until)) {
		/* still blocked on the terminal: it keeps the queue and the lock */
		pthread_mutex_lock(&w->mu);
		uint64_t now = mono_ns(), d = w->write_since_ns ? now - w->write_since_ns : 0;
		w->final_longest_write_ns = d > w->longest_write_ns ? d : w->longest_write_ns;
		pthread_mutex_unlock(&w->mu);
		pthread_detach(w->thread);
		return false;
	}
	w->final_longest_write_ns = w->longest_write_ns;
	close(w->queue_fd);
	pthread_mutex_destroy(&w->mu);
	return true;
}
