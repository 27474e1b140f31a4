/* draw_help.c — Help: state legend, the four IO models, keys. */
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

struct model_txt { const char *name, *how, *wait, *copy; };

static const struct model_txt io_models[] = {
	{ "blocking", "recvfrom on a blocking socket",
	  "wait for data: caller blocked (wait_data)", "copy data: caller blocked (copy_data)" },
	{ "non-blocking", "O_NONBLOCK, polling until no EAGAIN",
	  "wait for data: caller not blocked, polls (EAGAIN counted)", "copy data: caller blocked" },
	{ "multiplexed", "select/poll/epoll_wait, then recvfrom",
	  "wait for data: caller blocked in the multiplexer (mux_wait)", "copy data: caller blocked" },
	{ "async io_uring", "submit, reap completions later",
	  "wait for data: caller not blocked", "copy data: not blocked either, the kernel does it" },
};

/* What a lock wait's kind (the state word of a thread in lock_wait) means. */
static const char *const kind_help[][2] = {
	{ "mutex", "contention: another thread holds the pthread mutex (or Python Lock) it wants" },
	{ "rwlock", "contention: a reader-writer lock is held the other way" },
	{ "GIL", "contention: waiting to run Python code while another thread holds the interpreter lock" },
	{ "", "(the holder is the thread running Python; I/O, sleeps and lock waits release it)" },
	{ "lock_wait", "contention or not, unknown: a bare futex concviz could not name" },
	{ "condvar", "waiting for a signal: pthread_cond_wait / Condition.wait, nobody holds it" },
	{ "semaphore", "waiting for a permit (sem_wait): another thread must post one" },
	{ "event", "waiting for a signal: threading.Event.wait" },
	{ "queue", "waiting for a signal: queue.Queue get/put on an empty/full queue" },
	{ "join", "waiting for a thread to exit (pthread_join, Thread.join)" },
	{ "barrier", "waiting for the others to reach the barrier" },
};

static void kind_legend(struct tui *u, struct vl *v)
{
	int y = vl_row(v);
	tui_put(y, 0, u->cols, tui_role(u, R_HEADING),
		"Lock waits by kind (the state word of a thread in lock_wait)");
	for (size_t i = 0; i < sizeof(kind_help) / sizeof(kind_help[0]); i++) {
		y = vl_row(v);
		tui_put(y, 2, 10, A_BOLD, kind_help[i][0]);
		tui_put(y, 13, u->cols - 13, A_NORMAL, kind_help[i][1]);
	}
	y = vl_row(v);
	tui_putf(y, 2, u->cols - 2, tui_role(u, R_DIM), "possible deadlock: threads stuck >= %us on 2+ "
		 "mutex/semaphore/join/unknown locks, or all of a process's on its own, none running "
		 "or in IO, holders unknown; \"over\": one of the waits ended",
		 (unsigned)(CV_STUCK_NS / 1000000000ULL));
}

/* the key bindings of this mode, from the table in keys.c; a binding that
 * acts in some views only names them */
static void key_list(struct tui *u, struct vl *v)
{
	attr_t k = tui_role(u, R_KEY), dim = tui_role(u, R_DIM);
	int y = vl_row(v);
	tui_put(y, 0, u->cols, tui_role(u, R_HEADING),
		tui_mode(u) == TUI_REPLAY ? "Keys (replay)" : "Keys (live)");
	for (size_t i = 0; i < tui_nbindings; i++) {
		const struct tui_binding *b = &tui_bindings[i];
		if (!tui_binding_in_mode(u, b))
			continue;
		y = vl_row(v);
		tui_put(y, 2, 18, k, b->label);
		tui_put(y, 21, u->cols - 21, A_NORMAL, b->help);
		if (b->views == TUI_VIEWS_ALL)
			continue;
		char where[64] = "";
		size_t pos = 0;
		for (int w = 0; w < V_COUNT && pos < sizeof(where); w++)
			if (b->views & TUI_VIEW(w))
				pos += (size_t)snprintf(where + pos, sizeof(where) - pos, "%s%s",
							pos ? ", " : " (", tui_view_name((enum tui_view)w));
		if (pos < sizeof(where))
			snprintf(where + pos, sizeof(where) - pos, ")");
		int x = 21 + (int)strlen(b->help);
		tui_put(y, x, u->cols - x, dim, where);
	}
}

void tui_draw_help(struct tui *u)
{
	int y0 = TUI_HEADER_ROWS, h = u->lines - TUI_HEADER_ROWS - TUI_FOOTER_ROWS;
	attr_t hd = tui_role(u, R_HEADING), dim = tui_role(u, R_DIM);
	for (int pass = 0; pass < 2; pass++) {
		struct vl v = { y0, pass ? h : 0, u->help_scroll, 0 };
		int y = vl_row(&v);
		tui_put(y, 0, u->cols, hd, "Help  -  which thread runs, which waits, and for what");
		y = vl_row(&v);
		tui_put(y, 0, u->cols, hd, "Legend: thread states (colour, glyph, word)");
		for (int s = 0; s < CV_ST_COUNT; s++) {
			y = vl_row(&v);
			for (int i = 0; i < 3; i++)
				tui_cell(u, y, 2 + i, s);
			char g[2] = { tui_state_glyph((enum cv_state)s), 0 };
			tui_put(y, 6, 1, tui_state_cell(u, (enum cv_state)s) | (u->color ? 0 : A_REVERSE), g);
			tui_put(y, 8, 11, tui_state_text(u, (enum cv_state)s), cv_state_name((enum cv_state)s));
			tui_put(y, 20, u->cols - 20, A_NORMAL, tui_state_desc((enum cv_state)s));
		}
		y = vl_row(&v);
		tui_putf(y, 2, u->cols - 2, dim, "timeline: one cell per interval, coloured by the state "
			 "that dominated it; x = exited");
		y = vl_row(&v);
		tui_put(y, 2, 14, A_NORMAL, "a receive:");
		tui_put(y, 13, 1, A_NORMAL, "[");
		tui_phase_bar(u, y, 14, 17, 12, CV_ST_WAIT_DATA, 3, CV_ST_COPY_DATA);
		tui_put(y, 31, 1, A_NORMAL, "]");
		tui_put(y, 33, u->cols - 33, A_NORMAL, "wait for data, then copy data (kernel to user)");
		y = vl_row(&v);
		tui_put(y, 2, u->cols - 2, dim, "receives: sockets, pipes and FIFOs (read/readv), POSIX "
			"message queues (mq_receive); pipe/mq copy = from the switch-in after the wait");
		y = vl_row(&v);
		tui_put(y, 2, u->cols - 2, dim, "accept/accept4: blocked = wait_data, shown as waiting "
			"for a connection; EAGAIN polls counted");
		y = vl_row(&v);
		tui_put(y, 2, u->cols - 2, dim, "detail, by descriptor: each fd's receives, accepts, times returned ready "
			"by select/poll/epoll (e: epoll, its registered data as the fd) and "
			"what it is (TCP peer, UNIX path, pipe, FIFO, mq name)");
		y = vl_row(&v);
		tui_put(y, 2, u->cols - 2, dim, "detail, multiplexer: select/poll/epoll calls, descriptors "
			"watched (nfds) and ready, timeouts");

		vl_row(&v);
		kind_legend(u, &v);
		vl_row(&v);
		y = vl_row(&v);
		tui_put(y, 0, u->cols, hd, "IO models: which phase blocks the caller");
		for (size_t i = 0; i < sizeof(io_models) / sizeof(io_models[0]); i++) {
			const struct model_txt *m = &io_models[i];
			y = vl_row(&v);
			tui_put(y, 2, 15, A_BOLD, m->name);
			tui_put(y, 18, u->cols - 18, dim, m->how);
			y = vl_row(&v);
			tui_putf(y, 18, u->cols - 18, A_NORMAL, "%s | %s", m->wait, m->copy);
		}

		vl_row(&v);
		key_list(u, &v);
		if (u->src->log_path) {
			vl_row(&v);
			y = vl_row(&v);
			tui_putf(y, 0, u->cols, dim, "target output goes to %s", u->src->log_path);
		}
		if (!pass)
			u->help_scroll = vl_clamp(u->help_scroll, v.n, h);
	}
}
