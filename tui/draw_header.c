/* draw_header.c — status line, view tabs and the key-hint footer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

static const char *view_names[V_COUNT] = { "Threads", "Thread detail", "Locks", "Help" };

static int ucols(const char *s)
{
	int cols = 0;  /* UTF-8 characters, one column each */
	for (; *s; s++)
		cols += ((unsigned char)*s & 0xc0) != 0x80;
	return cols;
}

/* draws s at *x with attribute a, advances *x; returns false when out of room */
static bool seg(int y, int *x, int maxx, attr_t a, const char *s)
{
	int w = maxx - *x;
	if (w <= 0)
		return false;
	tui_put(y, *x, w, a, s);
	int cols = ucols(s);
	*x += cols < w ? cols : w;
	return true;
}

void tui_draw_header(struct tui *u)
{
	const struct cv_source *src = u->src;
	const struct cv_timeshift *ts = src->timeshift;
	attr_t h = tui_role(u, R_HEADER), al = tui_role(u, R_ALERT);
	char buf[160], d1[32], d2[32], title[96], tl[48];
	int x = 0, W = u->cols;

	/* status badges, right-aligned so a long title never hides them: where
	 * the timeline's right edge is (scrolled back / LIVE), then the states */
	struct { const char *s; attr_t a; } badge[4];
	int nb = 0, bw = 0;
	if (u->m && u->anchored) {
		char t[32];
		snprintf(tl, sizeof(tl), " %s ", tui_time_label(u, t, sizeof(t)));
		badge[nb].s = tl; badge[nb++].a = al;
	} else if (u->m && !ts && !u->frozen && !cv_model_end(u->m) && !u->quitting) {
		badge[nb].s = " LIVE "; badge[nb++].a = tui_role(u, R_TAB_ON);
	}
	bool paused = ts ? ts->paused(src->ctx) : u->frozen;
	if (paused) {
		badge[nb].s = " PAUSED "; badge[nb++].a = al;
	}
	if (u->quitting) {
		badge[nb].s = " stopping... "; badge[nb++].a = al;
	} else if (u->finished && !ts) {
		badge[nb].s = " finished "; badge[nb++].a = h | A_BOLD;
	}
	for (int i = 0; i < nb; i++)
		bw += ucols(badge[i].s) + 1;
	if (bw > W / 2)
		bw = 0;  /* too narrow: badges follow the text as before */
	int maxx = bw ? W - bw - 1 : W;  /* and a column of header colour before them */

	tui_fill(0, 0, W, h);
	seg(0, &x, maxx, h | A_BOLD, " concviz ");
	cv_fmt_clean(title, sizeof(title), src->title, tui_charset(u));
	if (title[0]) {
		snprintf(buf, sizeof(buf), "| %s ", title);
		seg(0, &x, maxx, h, buf);
	}
	if (u->m) {
		uint64_t start = cv_model_start(u->m), now = cv_model_now(u->m);
		if (ts) {
			snprintf(buf, sizeof(buf), "| replay %s/%s x%g ",
				 fmt_dur(u, d1, sizeof(d1), ts->position_ns(src->ctx)),
				 fmt_dur(u, d2, sizeof(d2), ts->length_ns(src->ctx)), ts->speed(src->ctx));
		} else
			snprintf(buf, sizeof(buf), "| %s ", fmt_dur(u, d1, sizeof(d1), now > start ? now - start : 0));
		seg(0, &x, maxx, h, buf);
		snprintf(buf, sizeof(buf), "| %.0f ev/s ", u->ev_rate);
		seg(0, &x, maxx, h, buf);
		uint64_t drop = cv_model_dropped(u->m);
		snprintf(buf, sizeof(buf), "dropped %s", cv_fmt_count(d1, sizeof(d1), drop));
		seg(0, &x, maxx, h, "| ");
		seg(0, &x, maxx, drop ? al : h, buf);
		seg(0, &x, maxx, h, " ");
		int code;
		if (cv_model_target_exited(u->m, &code)) {
			snprintf(buf, sizeof(buf), "| exit %d ", code);
			seg(0, &x, maxx, h, buf);
		}
	}
	if (src->log_path) {  /* where the target's output goes (last: cut first) */
		snprintf(buf, sizeof(buf), "| output: %.100s ", src->log_path);
		seg(0, &x, maxx, h, buf);
	}
	if (bw)
		x = W - bw;
	for (int i = 0; i < nb; i++) {
		seg(0, &x, W, badge[i].a, badge[i].s);
		seg(0, &x, W, h, " ");
	}

	/* tabs */
	x = 0;
	tui_fill(1, 0, W, A_NORMAL);
	for (int v = 0; v < V_COUNT; v++) {
		snprintf(buf, sizeof(buf), " %d %s ", v + 1, view_names[v]);
		seg(1, &x, W, tui_role(u, (int)u->view == v ? R_TAB_ON : R_TAB), buf);
		seg(1, &x, W, A_NORMAL, " ");
	}
	/* right side: context of the view */
	buf[0] = 0;
	if (u->view == V_THREADS) {
		snprintf(buf, sizeof(buf), "%zu/%zu shown  sort:%s%s%s%s ", u->nrows,
			 u->nthreads_total, tui_sort_name(u->sort), u->sort_rev ? "(rev)" : "",
			 u->filter[0] ? "  filter:" : "", u->filter);
	} else if (u->view == V_LOCKS && u->m) {
		snprintf(buf, sizeof(buf), "%zu locks  %zu deadlocks ", cv_model_lock_count(u->m),
			 cv_model_deadlock_count(u->m));
	}
	int bl = (int)strlen(buf);
	if (bl && x + bl < W)
		tui_put(1, W - bl, bl, tui_role(u, R_DIM), buf);
}

struct hint { const char *key, *label; };

void tui_draw_footer(struct tui *u)
{
	int y = u->lines - 1, x = 0, W = u->cols;
	attr_t f = tui_role(u, R_FOOTER), k = tui_role(u, R_KEY);
	tui_fill(y, 0, W, f);
	if (u->filter_edit) {
		char buf[80];
		snprintf(buf, sizeof(buf), " Filter: %s", u->edit);
		seg(y, &x, W, f | A_BOLD, buf);
		seg(y, &x, W, k, "_");
		seg(y, &x, W, f, "   ");
		seg(y, &x, W, k, "Enter");
		seg(y, &x, W, f, " apply  ");
		seg(y, &x, W, k, "Esc");
		seg(y, &x, W, f, " clear");
		return;
	}
	if (u->msg[0] && tui_wall_ms() < u->msg_until) {
		seg(y, &x, W, f | A_BOLD, " ");
		seg(y, &x, W, f | A_BOLD, u->msg);
		return;
	}
	static const struct hint common[] = { { "q", "Quit" }, { "h", "Help" }, { "Tab", "View" } };
	static const struct hint threads[] = { { "Enter", "Detail" }, { "s", "Sort" },
		{ "/", "Filter" }, { "{}", "Back/Fwd" }, { "+-", "Zoom" }, { "g", "Glyphs" } };
	static const struct hint detail[] = { { "Esc", "Back" }, { "Up/Dn", "Scroll" },
		{ "{}", "Back/Fwd" } };
	static const struct hint to_live[] = { { "L", "Live" } };
	static const struct hint to_pos[] = { { "L", "Follow" } };
	static const struct hint locks[] = { { "s", "Sort" }, { "Up/Dn", "Scroll" } };
	static const struct hint help[] = { { "Esc", "Back" }, { "Up/Dn", "Scroll" } };
	static const struct hint live[] = { { "Space", "Pause" } };
	static const struct hint replay[] = { { "Space", "Pause" }, { "n", "Step" },
		{ "<>", "Speed" }, { "Left/Right", "Seek" }, { "Home/End", "Start/End" } };
	const struct hint *sets[5];
	size_t counts[5], ns = 0;
	sets[ns] = common; counts[ns++] = 3;
	if (u->anchored) {  /* scrolled back: the way home comes first */
		sets[ns] = u->src->timeshift ? to_pos : to_live;
		counts[ns++] = 1;
	}
	switch (u->view) {
	case V_THREADS: sets[ns] = threads; counts[ns++] = 6; break;
	case V_DETAIL: sets[ns] = detail; counts[ns++] = 3; break;
	case V_LOCKS: sets[ns] = locks; counts[ns++] = 2; break;
	default: sets[ns] = help; counts[ns++] = 2; break;
	}
	if (u->src->timeshift) {
		sets[ns] = replay; counts[ns++] = 5;
	} else {
		sets[ns] = live; counts[ns++] = 1;
	}
	for (size_t s = 0; s < ns; s++)
		for (size_t i = 0; i < counts[s]; i++) {
			int need = (int)(strlen(sets[s][i].key) + strlen(sets[s][i].label) + 2);
			if (x + need > W)
				return;
			seg(y, &x, W, k, sets[s][i].key);
			seg(y, &x, W, f, " ");
			seg(y, &x, W, f, sets[s][i].label);
			seg(y, &x, W, f, " ");
		}
}
