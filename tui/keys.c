/* keys.c — keyboard handling for every view, live and replay. */
#include <string.h>
#include <time.h>

#include "tui_int.h"

#define KEY_ESC 27

uint64_t tui_wall_ms(void)
{
	return cv_mono_ns() / 1000000;
}

void tui_message(struct tui *u, const char *msg)
{
	strncpy(u->msg, msg, sizeof(u->msg) - 1);
	u->msg[sizeof(u->msg) - 1] = 0;
	u->msg_until = tui_wall_ms() + 2000;
}

void tui_start_quit(struct tui *u)
{
	if (u->quitting)
		return;
	u->quitting = true;
	u->quit_deadline = tui_wall_ms() + TUI_QUIT_GRACE_MS;
	if (u->src->quit && !u->finished)
		u->src->quit(u->src->ctx);
}

static int page(const struct tui *u)
{
	int h = u->lines - TUI_HEADER_ROWS - TUI_FOOTER_ROWS - 1;
	return h > 1 ? h - 1 : 1;
}

static void set_view(struct tui *u, enum tui_view v)
{
	if (v == u->view)
		return;
	if (v == V_DETAIL) {
		if (u->view == V_THREADS || !u->detail_tid)
			u->detail_tid = u->sel_tid;
		u->detail_scroll = 0;
	}
	if (v == V_HELP)
		u->help_back = u->view;
	else if (u->view != V_HELP && u->view != V_DETAIL)
		u->back = u->view;
	u->view = v;
}

static bool filter_key(struct tui *u, int ch)
{
	size_t n = strlen(u->edit);
	switch (ch) {
	case KEY_ESC:
		u->edit[0] = u->filter[0] = 0;
		u->filter_edit = false;
		break;
	case '\n': case '\r': case KEY_ENTER:
		memcpy(u->filter, u->edit, sizeof(u->filter));
		u->filter_edit = false;
		break;
	case KEY_BACKSPACE: case 127: case 8:
		if (n)
			u->edit[n - 1] = 0;
		memcpy(u->filter, u->edit, sizeof(u->filter));
		break;
	case KEY_RESIZE:
		break;
	default:
		if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(u->edit)) {
			u->edit[n] = (char)ch;
			u->edit[n + 1] = 0;
			memcpy(u->filter, u->edit, sizeof(u->filter)); /* filter as you type */
		}
		break;
	}
	u->sel_tid = 0;
	u->sel = 0;
	return true;
}

static bool replay_key(struct tui *u, int ch)
{
	const struct cv_timeshift *ts = u->src->timeshift;
	void *ctx = u->src->ctx;
	if (!ts)
		return false;
	uint64_t cell = (uint64_t)tui_zoom_levels[u->zoom] * CV_BUCKET_NS;
	uint64_t seek = cell * 10 > 1000000000ULL ? cell * 10 : 1000000000ULL;
	uint64_t pos = ts->position_ns(ctx), len = ts->length_ns(ctx);
	double sp = ts->speed(ctx);
	bool paused = ts->paused(ctx);
	switch (ch) {
	case ' ':
		ts->control(ctx, CV_TS_PAUSE, paused ? 0 : 1);
		return true;
	case '.': case 'n':
		if (!paused)
			ts->control(ctx, CV_TS_PAUSE, 1);
		ts->control(ctx, CV_TS_STEP, (double)cell);
		return true;
	case '<': case '[':
		ts->control(ctx, CV_TS_SPEED, sp / 2 < 0.25 ? 0.25 : sp / 2);
		return true;
	case '>': case ']':
		ts->control(ctx, CV_TS_SPEED, sp * 2 > 16 ? 16 : sp * 2);
		return true;
	}
	/* the rest are seeks, and a seek shows the new position */
	uint64_t to;
	switch (ch) {
	case KEY_LEFT:  to = pos > seek ? pos - seek : 0; break;
	case KEY_RIGHT: to = len && pos + seek > len ? len : pos + seek; break;
	case KEY_HOME:  to = 0; break;
	case KEY_END:   to = len; break;
	default:        return false;
	}
	u->anchored = false;
	ts->control(ctx, CV_TS_SEEK, (double)to);
	return true;
}

/* L, or End while scrolled back: the timeline follows "now" again (live:
 * also resumes a paused display) */
static void go_live(struct tui *u)
{
	bool was = u->anchored || (u->frozen && !u->src->timeshift);
	if (!u->src->timeshift)
		u->frozen = false;
	tui_time_follow(u);
	if (u->src->timeshift)
		tui_message(u, "timeline follows the replay position");
	else
		tui_message(u, was ? "live: following now" : "already live");
}

static void move_sel(struct tui *u, int delta, bool abs_pos)
{
	int *scroll = NULL;
	switch (u->view) {
	case V_THREADS:
		tui_rows_build(u);  /* rows from the last frame may point into a stale model */
		u->sel = abs_pos ? delta : u->sel + delta;
		if (u->sel >= (int)u->nrows)
			u->sel = (int)u->nrows - 1;
		if (u->sel < 0)
			u->sel = 0;
		u->sel_tid = u->nrows ? u->rows[u->sel].tid : 0;
		return;
	case V_DETAIL: scroll = &u->detail_scroll; break;
	case V_LOCKS: scroll = &u->locks_scroll; break;
	default: scroll = &u->help_scroll; break;
	}
	*scroll = abs_pos ? delta : *scroll + delta;
	if (*scroll < 0)
		*scroll = 0;  /* the view clamps the end */
}

bool tui_key(struct tui *u, int ch)
{
	if (u->filter_edit)
		return filter_key(u, ch);
	if (u->src->timeshift && replay_key(u, ch)) {
		/* a seek may have replaced the model: never touch the old one again */
		u->m = u->src->model(u->src->ctx);
		u->nrows = 0;
		return true;
	}
	switch (ch) {
	case 'q': case 'Q':
		tui_start_quit(u);
		break;
	case KEY_RESIZE:
		break;
	case '\t':
		set_view(u, (enum tui_view)((u->view + 1) % V_COUNT));
		break;
	case KEY_BTAB:
		set_view(u, (enum tui_view)((u->view + V_COUNT - 1) % V_COUNT));
		break;
	case '1': case '2': case '3': case '4':
		set_view(u, (enum tui_view)(ch - '1'));
		break;
	case 'h': case '?': case KEY_F(1):
		if (u->view == V_HELP)
			u->view = u->help_back;
		else
			set_view(u, V_HELP);
		break;
	case KEY_ESC: case KEY_BACKSPACE: case 127: case 8: case KEY_LEFT:
		if (u->view == V_HELP)
			u->view = u->help_back == V_HELP ? V_THREADS : u->help_back;
		else if (u->view == V_DETAIL)
			u->view = u->back == V_DETAIL || u->back == V_HELP ? V_THREADS : u->back;
		else if (u->view == V_THREADS && u->filter[0] && ch != KEY_LEFT) {
			u->filter[0] = u->edit[0] = 0;
			u->sel_tid = 0;
		}
		break;
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT:
		if (u->view == V_THREADS)
			tui_rows_build(u);
		if (u->view == V_THREADS && u->sel_tid) {
			u->back = V_THREADS;
			set_view(u, V_DETAIL);
		}
		break;
	case ' ':
		u->frozen = !u->frozen;
		u->frozen_now = u->m ? cv_model_now(u->m) : 0;
		tui_message(u, u->frozen ? "display paused (tracing continues); Space resumes"
					 : "display resumed");
		break;
	case '+': case '=':
		if (u->zoom > 0)
			u->zoom--;
		break;
	case '-': case '_':
		if (u->zoom < tui_zoom_count - 1)
			u->zoom++;
		break;
	case 's':
		if (u->view == V_LOCKS)
			u->lsort = (enum tui_lsort)((u->lsort + 1) % LS_COUNT);
		else {
			u->sort = (enum tui_sort)((u->sort + 1) % S_COUNT);
			u->view = V_THREADS;
			u->sel = u->top = 0;  /* a new order starts at its top */
			u->sel_tid = 0;
		}
		break;
	case 'S':
		u->sort_rev = !u->sort_rev;
		u->sel = u->top = 0;
		u->sel_tid = 0;
		break;
	case 'g':
		u->glyph_cells = !u->glyph_cells;
		break;
	case '/':
		set_view(u, V_THREADS);
		u->filter_edit = true;
		u->edit[0] = 0;  /* a new search; the old filter stays until typing */
		break;
	case KEY_UP: move_sel(u, -1, false); break;
	case KEY_DOWN: move_sel(u, 1, false); break;
	case KEY_PPAGE: move_sel(u, -page(u), false); break;
	case KEY_NPAGE: move_sel(u, page(u), false); break;
	case KEY_HOME: move_sel(u, 0, true); break;
	case KEY_END:
		if (u->anchored)
			go_live(u);  /* scrolled back: End returns to "now" first */
		else
			move_sel(u, 1 << 28, true);
		break;
	case KEY_SLEFT: case '{':
		if (u->view != V_THREADS && u->view != V_DETAIL)
			return false;
		if (!tui_time_scroll(u, -TUI_SCROLL_CELLS))
			tui_message(u, "no older history: the timeline keeps the last 60 s");
		break;
	case KEY_SRIGHT: case '}':
		if (u->view != V_THREADS && u->view != V_DETAIL)
			return false;
		if (!tui_time_scroll(u, TUI_SCROLL_CELLS))
			tui_message(u, u->src->timeshift ? "already at the replay position"
							  : "already live");
		break;
	case 'L': case 'l':
		go_live(u);
		break;
	default:
		return false;
	}
	return true;
}
