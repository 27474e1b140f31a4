/* draw_help.c — Help: state legend, the four IO models, keys. */
#include <stdio.h>

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

static const char *keys_live[][2] = {
	{ "1 2 3 4, Tab", "views: Threads, Thread detail, Locks, Help" },
	{ "Up Down PgUp PgDn", "move the selection / scroll" },
	{ "Home End", "first / last thread (live; End while scrolled back: live)" },
	{ "Enter", "detail of the selected thread; Esc or Backspace goes back" },
	{ "s  S", "sort: tid, name, state, cpu share, ctx switches; S reverses" },
	{ "+ -", "timeline zoom (time per cell)" },
	{ "{ } S-Left S-Right", "timeline back / forward in time, 5 cells (tracing continues)" },
	{ "L", "back to live: the timeline follows now again" },
	{ "/", "filter by name or tid: type, Enter applies, Esc clears" },
	{ "g", "glyphs in timeline cells (for monochrome reading)" },
	{ "Space", "pause / resume the display (tracing continues)" },
	{ "h ?", "this help" },
	{ "q", "quit (a live run stops its target first)" },
};

static const char *keys_replay[][2] = {
	{ "Space", "pause / resume the replay" },
	{ ". n", "step one timeline cell while paused" },
	{ "< > [ ]", "halve / double the replay speed" },
	{ "Left Right", "seek -/+ 1 s (or 10 timeline cells when zoomed out)" },
	{ "Home End", "seek to start / end" },
	{ "{ } L", "timeline back / forward from the replay position; L follows it again" },
};

void tui_draw_help(struct tui *u)
{
	int y0 = TUI_HEADER_ROWS, h = u->lines - TUI_HEADER_ROWS - TUI_FOOTER_ROWS;
	attr_t hd = tui_role(u, R_HEADING), k = tui_role(u, R_KEY), dim = tui_role(u, R_DIM);
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
		y = vl_row(&v);
		tui_put(y, 0, u->cols, hd, "Keys");
		for (size_t i = 0; i < sizeof(keys_live) / sizeof(keys_live[0]); i++) {
			y = vl_row(&v);
			tui_put(y, 2, 18, k, keys_live[i][0]);
			tui_put(y, 21, u->cols - 21, A_NORMAL, keys_live[i][1]);
		}
		if (u->src->timeshift) {
			y = vl_row(&v);
			tui_put(y, 0, u->cols, hd, "Replay keys");
			for (size_t i = 0; i < sizeof(keys_replay) / sizeof(keys_replay[0]); i++) {
				y = vl_row(&v);
				tui_put(y, 2, 18, k, keys_replay[i][0]);
				tui_put(y, 21, u->cols - 21, A_NORMAL, keys_replay[i][1]);
			}
		}
		if (u->src->log_path) {
			vl_row(&v);
			y = vl_row(&v);
			tui_putf(y, 0, u->cols, dim, "target output goes to %s", u->src->log_path);
		}
		if (!pass)
			u->help_scroll = vl_clamp(u->help_scroll, v.n, h);
	}
}
