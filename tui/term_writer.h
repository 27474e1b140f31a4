/* term_writer.h — the TUI's bytes reach the terminal from a thread of their
 * own, so a terminal that reads slowly never stops the model loop.
 *
 * Under a heavy load the terminal (tmux, an xterm) is an ordinary process
 * that may get no CPU for seconds; a write to it then blocks.  curses keeps
 * writing to its file descriptor, but that descriptor becomes the write end
 * of a pipe (the queue, 1 MiB when the system allows); the writer thread
 * moves the queue's bytes to the terminal with blocking writes.  No byte is
 * dropped: curses' idea of the screen stays what the terminal was sent.  The
 * loop asks tui_tw_idle() before it draws and postpones the frame while the
 * terminal is behind (frames coalesce: the next one shows the newest state).
 */
#ifndef CONCVIZ_TUI_TERM_WRITER_H
#define CONCVIZ_TUI_TERM_WRITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct tui_tw {
	int tty_fd;                 /* the terminal */
	int queue_fd;               /* read end of the queue (non-blocking) */
	pthread_t thread;
	bool running;
	bool started;               /* tui_tw_start succeeded once */
	pthread_mutex_t mu;         /* guards the counters below */
	uint64_t taken;             /* bytes taken from the queue */
	uint64_t in_hand;           /* taken, not yet accepted by the terminal */
	uint64_t longest_write_ns;  /* longest time one write to the terminal took */
	uint64_t write_since_ns;    /* the write under way began, 0 none */
	int error;                  /* errno of a failed terminal write, 0 none */
	uint64_t final_longest_write_ns; /* longest_write_ns when finished, or
				     * the write still under way if longer */
};

/* From now on the bytes written to curses_fd (an open descriptor, e.g. the
 * dup of the terminal curses was started on) go through the queue to
 * tty_fd: curses_fd is replaced by the queue's write end (close-on-exec).
 * The thread runs at its caller's scheduling policy.  0, or -1 with errno
 * set (nothing changed). */
int tui_tw_start(struct tui_tw *w, int tty_fd, int curses_fd);
/* every byte written so far has been accepted by the terminal */
bool tui_tw_idle(struct tui_tw *w);
/* bytes ever written into the queue (those taken plus those waiting) */
uint64_t tui_tw_queued_total(struct tui_tw *w);
/* After every write end of the queue is closed: wait up to wait_ms until
 * the terminal has taken the rest, end the thread.  A terminal that takes
 * nothing for that long (stopped, starved) is given up on: false, and the
 * thread is left to end with the process, so concviz can still finish its
 * recording and report.  Safe to call twice. */
bool tui_tw_finish(struct tui_tw *w, int wait_ms);

#endif
