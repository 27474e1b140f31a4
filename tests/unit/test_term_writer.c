/* test_term_writer.c — the queue between curses and the terminal
 * (tui/term_writer.h), with a pipe standing in for a terminal that reads
 * only when the test lets it. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tui/term_writer.h"

#define TERM_BUF 65536          /* the stand-in terminal's buffer */
#define FRAME 40000             /* bytes curses writes per "frame" */

static void nap_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* waits up to 2 s for the writer to have nothing left */
static bool wait_idle(struct tui_tw *w)
{
	for (int i = 0; i < 400; i++) {
		if (tui_tw_idle(w))
			return true;
		nap_ms(5);
	}
	return false;
}

/* reads what the terminal was sent, up to n bytes, waiting up to 2 s */
static size_t term_read(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 2000) <= 0)
			break;
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void fill(unsigned char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)((i * 7 + seed) & 0xff);
}

TEST(a_stalled_terminal_does_not_block_curses_and_gets_every_byte_in_order)
{
	struct tui_tw *w = calloc(1, sizeof(*w));
	int term[2], cfd;
	unsigned char *out = malloc(3 * FRAME), *in = malloc(3 * FRAME + 1);

	CHECK(pipe(term) == 0);
	fcntl(term[0], F_SETPIPE_SZ, TERM_BUF);
	CHECK((cfd = open("/dev/null", O_WRONLY)) >= 0);  /* curses' descriptor */
	CHECK(tui_tw_start(w, term[1], cfd) == 0);
	CHECK(tui_tw_idle(w));
	CHECK_EQ(tui_tw_queued_total(w), 0u);

	/* three frames while the terminal reads nothing: more than its buffer
	 * holds, yet curses' writes are taken whole (non-blocking here, so a
	 * full queue would fail the check instead of hanging the test) */
	fcntl(cfd, F_SETFL, O_NONBLOCK);
	fill(out, 3 * FRAME, 1);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(write(cfd, out + i * FRAME, FRAME), FRAME);
	CHECK_EQ(tui_tw_queued_total(w), 3u * FRAME);
	nap_ms(200);
	CHECK(!tui_tw_idle(w));         /* the terminal is behind */

	/* the terminal reads: everything arrives, in order, then idle */
	CHECK_EQ(term_read(term[0], in, 3 * FRAME), 3u * FRAME);
	CHECK(memcmp(in, out, 3 * FRAME) == 0);
	CHECK(wait_idle(w));
	CHECK(w->longest_write_ns >= 50000000u);  /* the writer, not curses, waited */

	/* after the last write end closes, finish ends the thread; nothing more */
	close(cfd);
	CHECK(tui_tw_finish(w, 2000));
	CHECK(tui_tw_finish(w, 2000));
	CHECK(w->final_longest_write_ns >= 50000000u);
	close(term[1]);
	CHECK_EQ(term_read(term[0], in, 1), 0u);
	close(term[0]);
	free(out);
	free(in);
	free(w);
}

TEST(bytes_written_before_the_finish_still_reach_the_terminal)
{
	struct tui_tw *w = calloc(1, sizeof(*w));
	int term[2], cfd;
	unsigned char out[5000], in[5001];

	CHECK(pipe(term) == 0);
	CHECK((cfd = open("/dev/null", O_WRONLY)) >= 0);
	CHECK(tui_tw_start(w, term[1], cfd) == 0);
	fill(out, sizeof(out), 9);
	CHECK_EQ(write(cfd, out, sizeof(out)), (ssize_t)sizeof(out));
	close(cfd);
	CHECK(tui_tw_finish(w, 2000));  /* e.g. endwin's last bytes */
	close(term[1]);
	CHECK_EQ(term_read(term[0], in, sizeof(in)), sizeof(out));
	CHECK(memcmp(in, out, sizeof(out)) == 0);
	close(term[0]);
	free(w);
}

TEST(a_terminal_that_went_away_does_not_stop_the_queue)
{
	struct tui_tw *w = calloc(1, sizeof(*w));
	int term[2], cfd;
	static unsigned char out[FRAME];

	CHECK(pipe(term) == 0);
	close(term[0]);                 /* the terminal hung up: writes fail */
	CHECK((cfd = open("/dev/null", O_WRONLY)) >= 0);
	signal(SIGPIPE, SIG_IGN);
	CHECK(tui_tw_start(w, term[1], cfd) == 0);
	for (int i = 0; i < 40; i++)    /* more than the queue holds */
		CHECK_EQ(write(cfd, out, FRAME), FRAME);
	CHECK(wait_idle(w));
	CHECK(w->error != 0);
	close(cfd);
	CHECK(tui_tw_finish(w, 2000));
	close(term[1]);
	free(w);
}

TEST(a_terminal_that_takes_nothing_is_given_up_on_at_the_finish)
{
	struct tui_tw *w = calloc(1, sizeof(*w));
	int term[2], cfd;
	static unsigned char out[3 * FRAME];
	struct timespec t0, t1;

	CHECK(pipe(term) == 0);         /* never read: a stopped terminal */
	CHECK((cfd = open("/dev/null", O_WRONLY)) >= 0);
	CHECK(tui_tw_start(w, term[1], cfd) == 0);
	CHECK_EQ(write(cfd, out, sizeof(out)), (ssize_t)sizeof(out));
	close(cfd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(!tui_tw_finish(w, 300));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 250 && ms < 5000);
	CHECK(w->final_longest_write_ns >= 250000000u);  /* the write still waiting */
	CHECK(tui_tw_finish(w, 300));   /* once given up on, done */
	/* the writer thread stays blocked on term[1]; both stay open for it */
}

int main(void)
{
	RUN(a_stalled_terminal_does_not_block_curses_and_gets_every_byte_in_order);
	RUN(bytes_written_before_the_finish_still_reach_the_terminal);
	RUN(a_terminal_that_went_away_does_not_stop_the_queue);
	RUN(a_terminal_that_takes_nothing_is_given_up_on_at_the_finish);
	return CHECK_DONE();
}
