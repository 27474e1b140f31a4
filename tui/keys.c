/* keys.c — the key bindings of every view, live and replay: one table
 * (tui_bindings) that dispatches keys and from which the footer hints
 * (draw_header.c) and the help screen's key list (draw_help.c) are drawn. */
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

enum tui_mode tui_mode(const struct tui *u)
{
	return u->src->timeshift ? TUI_REPLAY : TUI_LIVE;
}

bool tui_binding_in_mode(const struct tui *u, const struct tui_binding *b)
{
	return (b->modes & tui_mode(u)) != 0;
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

/* the filter prompt takes every key until Enter or Esc */
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

/* ---- handlers: every view, both modes ----------------------------------- */

static bool key_quit(struct tui *u, int ch)
{
	(void)ch;
	tui_start_quit(u);
	return true;
}

static bool key_help(struct tui *u, int ch)
{
	(void)ch;
	if (u->view == V_HELP)
		u->view = u->help_back;
	else
		set_view(u, V_HELP);
	return true;
}

static bool key_view(struct tui *u, int ch)
{
	if (ch == '\t')
		set_view(u, (enum tui_view)((u->view + 1) % V_COUNT));
	else if (ch == KEY_BTAB)
		set_view(u, (enum tui_view)((u->view + V_COUNT - 1) % V_COUNT));
	else
		set_view(u, (enum tui_view)(ch - '1'));
	return true;
}

static bool key_detail(struct tui *u, int ch)
{
	(void)ch;
	tui_rows_build(u);
	if (u->sel_tid) {
		u->back = V_THREADS;
		set_view(u, V_DETAIL);
	}
	return true;
}

static bool key_back(struct tui *u, int ch)
{
	(void)ch;
	if (u->view == V_HELP)
		u->view = u->help_back == V_HELP ? V_THREADS : u->help_back;
	else
		u->view = u->back == V_DETAIL || u->back == V_HELP ? V_THREADS : u->back;
	return true;
}

static bool key_clear_filter(struct tui *u, int ch)
{
	(void)ch;
	if (u->filter[0]) {
		u->filter[0] = u->edit[0] = 0;
		u->sel_tid = 0;
	}
	return true;
}

static bool key_sort_threads(struct tui *u, int ch)
{
	(void)ch;
	u->sort = (enum tui_sort)((u->sort + 1) % S_COUNT);
	u->view = V_THREADS;
	u->sel = u->top = 0;  /* a new order starts at its top */
	u->sel_tid = 0;
	return true;
}

static bool key_sort_locks(struct tui *u, int ch)
{
	(void)ch;
	u->lsort = (enum tui_lsort)((u->lsort + 1) % LS_COUNT);
	return true;
}

static bool key_sort_reverse(struct tui *u, int ch)
{
	(void)ch;
	u->sort_rev = !u->sort_rev;
	u->sel = u->top = 0;
	u->sel_tid = 0;
	return true;
}

static bool key_move(struct tui *u, int ch)
{
	int d = ch == KEY_UP ? -1 : ch == KEY_DOWN ? 1 : ch == KEY_PPAGE ? -page(u) : page(u);
	move_sel(u, d, false);
	return true;
}

static bool key_filter(struct tui *u, int ch)
{
	(void)ch;
	set_view(u, V_THREADS);
	u->filter_edit = true;
	u->edit[0] = 0;  /* a new search; the old filter stays until typing */
	return true;
}

static bool key_time_scroll(struct tui *u, int ch)
{
	static const char *const at_now[] = {
		[TUI_LIVE] = "already live", [TUI_REPLAY] = "already at the replay position",
	};
	if (ch == '{' || ch == KEY_SLEFT) {
		if (!tui_time_scroll(u, -TUI_SCROLL_CELLS))
			tui_message(u, "no older history: the timeline keeps the last 60 s");
	} else if (!tui_time_scroll(u, TUI_SCROLL_CELLS)) {
		tui_message(u, at_now[tui_mode(u)]);
	}
	return true;
}

static bool key_zoom(struct tui *u, int ch)
{
	if ((ch == '+' || ch == '=') && u->zoom > 0)
		u->zoom--;
	else if ((ch == '-' || ch == '_') && u->zoom < tui_zoom_count - 1)
		u->zoom++;
	return true;
}

static bool key_glyphs(struct tui *u, int ch)
{
	(void)ch;
	u->glyph_cells = !u->glyph_cells;
	return true;
}

/* ---- live: the display pauses, the timeline follows "now" --------------- */

/* L, or End while scrolled back: follow "now" again, and resume a paused display */
static bool key_follow_live(struct tui *u, int ch)
{
	(void)ch;
	bool was = u->anchored || u->frozen;
	u->frozen = false;
	tui_time_follow(u);
	tui_message(u, was ? "live: following now" : "already live");
	return true;
}

static bool key_home_end(struct tui *u, int ch)
{
	if (ch == KEY_HOME)
		move_sel(u, 0, true);
	else if (u->anchored)
		return key_follow_live(u, ch);  /* scrolled back: End returns to "now" first */
	else
		move_sel(u, 1 << 28, true);
	return true;
}

static bool key_freeze(struct tui *u, int ch)
{
	(void)ch;
	u->frozen = !u->frozen;
	u->frozen_now = u->m ? cv_model_now(u->m) : 0;
	tui_message(u, u->frozen ? "display paused (tracing continues); Space resumes"
				 : "display resumed");
	return true;
}

/* ---- replay: the source's timeshift moves through the recording ---------- */

static bool timeshift(struct tui *u, enum cv_timeshift_cmd cmd, double arg)
{
	u->src->timeshift->control(u->src->ctx, cmd, arg);
	/* a seek may have replaced the model: never touch the old one again */
	u->m = u->src->model(u->src->ctx);
	u->nrows = 0;
	return true;
}

static bool replay_paused(const struct tui *u)
{
	return u->src->timeshift->paused(u->src->ctx);
}

static uint64_t cell_ns(const struct tui *u)
{
	return (uint64_t)tui_zoom_levels[u->zoom] * CV_BUCKET_NS;
}

static bool key_follow_replay(struct tui *u, int ch)
{
	(void)ch;
	tui_time_follow(u);
	tui_message(u, "timeline follows the replay position");
	return true;
}

static bool key_replay_pause(struct tui *u, int ch)
{
	(void)ch;
	return timeshift(u, CV_TS_PAUSE, replay_paused(u) ? 0 : 1);
}

static bool key_replay_step(struct tui *u, int ch)
{
	(void)ch;
	if (!replay_paused(u))
		u->src->timeshift->control(u->src->ctx, CV_TS_PAUSE, 1);
	return timeshift(u, CV_TS_STEP, (double)cell_ns(u));
}

static bool key_replay_speed(struct tui *u, int ch)
{
	double sp = u->src->timeshift->speed(u->src->ctx);
	if (ch == '<' || ch == '[')
		sp = sp / 2 < 0.25 ? 0.25 : sp / 2;
	else
		sp = sp * 2 > 16 ? 16 : sp * 2;
	return timeshift(u, CV_TS_SPEED, sp);
}

/* a seek shows the new position: the timeline follows it */
static bool key_replay_seek(struct tui *u, int ch)
{
	const struct cv_timeshift *ts = u->src->timeshift;
	uint64_t pos = ts->position_ns(u->src->ctx), len = ts->length_ns(u->src->ctx);
	uint64_t step = cell_ns(u) * 10 > 1000000000ULL ? cell_ns(u) * 10 : 1000000000ULL;
	uint64_t to;
	switch (ch) {
	case KEY_LEFT:  to = pos > step ? pos - step : 0; break;
	case KEY_RIGHT: to = len && pos + step > len ? len : pos + step; break;
	case KEY_HOME:  to = 0; break;
	default:        to = len; break;
	}
	u->anchored = false;
	return timeshift(u, CV_TS_SEEK, (double)to);
}

/* ---- the table ------------------------------------------------------------
 * In footer order: a view's footer shows, left to right, the hints of the
 * rows that apply to it (as many as fit). */

#define ALL TUI_VIEWS_ALL
#define VT TUI_VIEW(V_THREADS)
#define VD TUI_VIEW(V_DETAIL)
#define VL TUI_VIEW(V_LOCKS)
#define VH TUI_VIEW(V_HELP)

const struct tui_binding tui_bindings[] = {
	{ { 'q', 'Q' }, ALL, TUI_BOTH, "q", "quit (a live run stops its target first)",
	  "q", "Quit", ALL, false, key_quit },
	{ { 'h', '?', KEY_F(1) }, ALL, TUI_BOTH, "h ? F1", "this help; again to leave it",
	  "h", "Help", ALL, false, key_help },
	{ { '\t', KEY_BTAB, '1', '2', '3', '4' }, ALL, TUI_BOTH, "1-4 Tab S-Tab",
	  "views: Threads, Thread detail, Locks, Help", "Tab", "View", ALL, false, key_view },
	{ { 'L', 'l' }, ALL, TUI_LIVE, "L",
	  "back to live: the timeline follows now again (and a paused display resumes)",
	  "L", "Live", ALL, true, key_follow_live },
	{ { 'L', 'l' }, ALL, TUI_REPLAY, "L", "the timeline follows the replay position again",
	  "L", "Follow", ALL, true, key_follow_replay },
	{ { '\n', '\r', KEY_ENTER }, VT, TUI_BOTH, "Enter", "detail of the selected thread",
	  "Enter", "Detail", VT, false, key_detail },
	{ { KEY_RIGHT }, VT, TUI_LIVE, "Right", "detail of the selected thread, as Enter",
	  NULL, NULL, 0, false, key_detail },
	{ { KEY_ESC, KEY_BACKSPACE, 127, 8 }, VD | VH, TUI_BOTH, "Esc Backspace",
	  "back to the view before", "Esc", "Back", VD | VH, false, key_back },
	{ { KEY_LEFT }, VD | VH, TUI_LIVE, "Left", "back to the view before, as Esc",
	  NULL, NULL, 0, false, key_back },
	{ { KEY_ESC, KEY_BACKSPACE, 127, 8 }, VT, TUI_BOTH, "Esc Backspace", "clear the filter",
	  NULL, NULL, 0, false, key_clear_filter },
	{ { 's' }, VT | VD | VH, TUI_BOTH, "s",
	  "sort threads: tid, name, state, cpu share, ctx switches", "s", "Sort", VT, false,
	  key_sort_threads },
	{ { 's' }, VL, TUI_BOTH, "s", "sort locks: total wait, waits, max wait, name",
	  "s", "Sort", VL, false, key_sort_locks },
	{ { 'p', 'P' }, VT, TUI_BOTH, "p", "fold the selected thread's process into one row, or unfold it",
	  "p", "Fold proc", VT, false, tui_key_fold },
	{ { 'a', 'A' }, VT, TUI_BOTH, "a",
	  "show / hide short-lived helper processes (exec wrappers, shell helpers)",
	  NULL, NULL, 0, false, tui_key_short },
	{ { 'S' }, ALL, TUI_BOTH, "S", "reverse the thread order", NULL, NULL, 0, false,
	  key_sort_reverse },
	{ { KEY_UP, KEY_DOWN, KEY_PPAGE, KEY_NPAGE }, ALL, TUI_BOTH, "Up Down PgUp PgDn",
	  "move the selection / scroll", "Up/Dn", "Scroll", VD | VL | VH, false, key_move },
	{ { KEY_HOME, KEY_END }, ALL, TUI_LIVE, "Home End",
	  "first / last thread (End while scrolled back: live)", NULL, NULL, 0, false,
	  key_home_end },
	{ { '/' }, ALL, TUI_BOTH, "/", "filter by name or tid: type, Enter applies, Esc clears",
	  "/", "Filter", VT, false, key_filter },
	{ { '{', '}', KEY_SLEFT, KEY_SRIGHT }, VT | VD, TUI_BOTH, "{ } S-Left S-Right",
	  "timeline back / forward in time by 5 cells; events keep coming", "{}", "Back/Fwd",
	  VT | VD, false, key_time_scroll },
	{ { '+', '=', '-', '_' }, ALL, TUI_BOTH, "+ -", "timeline zoom (time per cell)",
	  "+-", "Zoom", VT, false, key_zoom },
	{ { 'g' }, ALL, TUI_BOTH, "g", "glyphs in timeline cells (for monochrome reading)",
	  "g", "Glyphs", VT, false, key_glyphs },
	{ { ' ' }, ALL, TUI_LIVE, "Space", "pause / resume the display (tracing continues)",
	  "Space", "Pause", ALL, false, key_freeze },
	{ { ' ' }, ALL, TUI_REPLAY, "Space", "pause / resume the replay",
	  "Space", "Pause", ALL, false, key_replay_pause },
	{ { '.', 'n' }, ALL, TUI_REPLAY, ". n", "step one timeline cell (pauses)",
	  "n", "Step", ALL, false, key_replay_step },
	{ { '<', '[', '>', ']' }, ALL, TUI_REPLAY, "< > [ ]", "halve / double the replay speed",
	  "<>", "Speed", ALL, false, key_replay_speed },
	{ { KEY_LEFT, KEY_RIGHT }, ALL, TUI_REPLAY, "Left Right",
	  "seek back/forward 10 timeline cells (at least 1 s)", "Left/Right", "Seek", ALL,
	  false, key_replay_seek },
	{ { KEY_HOME, KEY_END }, ALL, TUI_REPLAY, "Home End", "seek to start / end",
	  "Home/End", "Start/End", ALL, false, key_replay_seek },
};
const size_t tui_nbindings = sizeof(tui_bindings) / sizeof(tui_bindings[0]);

static bool holds(const struct tui_binding *b, int ch)
{
	for (size_t i = 0; i < sizeof(b->keys) / sizeof(b->keys[0]) && b->keys[i]; i++)
		if (b->keys[i] == ch)
			return true;
	return false;
}

bool tui_key(struct tui *u, int ch)
{
	if (u->filter_edit)
		return filter_key(u, ch);
	if (ch == KEY_RESIZE)
		return true;
	for (size_t i = 0; i < tui_nbindings; i++) {
		const struct tui_binding *b = &tui_bindings[i];
		if ((b->views & TUI_VIEW(u->view)) && tui_binding_in_mode(u, b) && holds(b, ch))
			return b->run(u, ch);
	}
	return false;
}
