/* draw_header.c — status line, view tabs and the key-hint footer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

const char *tui_view_name(enum tui_view v)
{
	static const char *const names[V_COUNT] = { "Threads", "Thread detail", "Locks", "Help" };
	return (unsigned)v < V_COUNT ? names[v] : "?";
}

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

struct badge { const char *s; attr_t a; };

/* status badges, right-aligned so a long title never hides them: where the
 * timeline's right edge is (scrolled back / LIVE), then the states */
static int badges(const struct tui *u, struct badge b[4], char *tl, size_t tln)
{
	const struct cv_timeshift *ts = u->src->timeshift;
	attr_t al = tui_role(u, R_ALERT);
	int nb = 0;
	if (u->m && u->anchored) {
		char t[32];
		snprintf(tl, tln, " %s ", tui_time_label(u, t, sizeof(t)));
		b[nb++] = (struct badge){ tl, al };
	} else if (u->m && !ts && !u->frozen && !cv_model_end(u->m) && !u->quitting) {
		b[nb++] = (struct badge){ " LIVE ", tui_role(u, R_TAB_ON) };
	}
	if (ts ? ts->paused(u->src->ctx) : u->frozen)
		b[nb++] = (struct badge){ " PAUSED ", al };
	if (u->quitting)
		b[nb++] = (struct badge){ " stopping... ", al };
	else if (u->finished && !ts)
		b[nb++] = (struct badge){ " finished ", tui_role(u, R_HEADER) | A_BOLD };
	return nb;
}

/* title, time (replay: position/length xspeed), rate, drops, exit, output */
static void status_text(const struct tui *u, int *x, int maxx)
{
	const struct cv_source *src = u->src;
	const struct cv_timeshift *ts = src->timeshift;
	attr_t h = tui_role(u, R_HEADER);
	char buf[160], d1[32], d2[32], title[96];
	seg(0, x, maxx, h | A_BOLD, " concviz ");
	cv_fmt_clean(title, sizeof(title), src->title, tui_charset(u));
	if (title[0]) {
		snprintf(buf, sizeof(buf), "| %s ", title);
		seg(0, x, maxx, h, buf);
	}
	if (u->m) {
		uint64_t start = cv_model_start(u->m), now = cv_model_now(u->m);
		if (ts) {
			snprintf(buf, sizeof(buf), "| replay %s/%s x%g ",
				 fmt_dur(u, d1, sizeof(d1), ts->position_ns(src->ctx)),
				 fmt_dur(u, d2, sizeof(d2), ts->length_ns(src->ctx)), ts->speed(src->ctx));
		} else
			snprintf(buf, sizeof(buf), "| %s ", fmt_dur(u, d1, sizeof(d1), now > start ? now - start : 0));
		seg(0, x, maxx, h, buf);
		snprintf(buf, sizeof(buf), "| %.0f ev/s ", u->ev_rate);
		seg(0, x, maxx, h, buf);
		uint64_t drop = cv_model_dropped(u->m);
		snprintf(buf, sizeof(buf), "dropped %s", cv_fmt_count(d1, sizeof(d1), drop));
		if (drop) { /* where: the ring buffer, concviz's queue, an old recording's unknown */
			uint64_t unk = cv_model_dropped_where(u->m, CV_LOST_UNKNOWN);
			size_t l = strlen(buf);
			snprintf(buf + l, sizeof(buf) - l, " (ring %s, memory %s",
				 cv_fmt_count(d1, sizeof(d1), cv_model_dropped_where(u->m, CV_LOST_RING)),
				 cv_fmt_count(d2, sizeof(d2), cv_model_dropped_where(u->m, CV_LOST_MEMORY)));
			l = strlen(buf);
			if (unk)
				snprintf(buf + l, sizeof(buf) - l, ", unknown %s",
					 cv_fmt_count(d1, sizeof(d1), unk));
			l = strlen(buf);
			snprintf(buf + l, sizeof(buf) - l, ")");
		}
		seg(0, x, maxx, h, "| ");
		seg(0, x, maxx, drop ? tui_role(u, R_ALERT) : h, buf);
		seg(0, x, maxx, h, " ");
		uint64_t nomem = cv_model_nomem(u->m);
		if (nomem) {
			snprintf(buf, sizeof(buf), "out of memory: %s lost ", cv_fmt_count(d1, sizeof(d1), nomem));
			seg(0, x, maxx, tui_role(u, R_ALERT), buf);
		}
		int code;
		if (cv_model_target_exited(u->m, &code)) {
			char sig[24];
			if (cv_model_target_signal(u->m))
				snprintf(buf, sizeof(buf), "| killed by %s ",
					 cv_signal_name(cv_model_target_signal(u->m), sig, sizeof(sig)));
			else
				snprintf(buf, sizeof(buf), "| exit %d ", code);
			seg(0, x, maxx, h, buf);
		}
	}
	if (src->log_path) {  /* where the target's output goes (last: cut first) */
		snprintf(buf, sizeof(buf), "| output: %.100s ", src->log_path);
		seg(0, x, maxx, h, buf);
	}
}

/* the view tabs, and on the right the context of the view */
static void tabs(const struct tui *u)
{
	char buf[160];
	int x = 0, W = u->cols;
	tui_fill(1, 0, W, A_NORMAL);
	for (int v = 0; v < V_COUNT; v++) {
		snprintf(buf, sizeof(buf), " %d %s ", v + 1, tui_view_name((enum tui_view)v));
		seg(1, &x, W, tui_role(u, (int)u->view == v ? R_TAB_ON : R_TAB), buf);
		seg(1, &x, W, A_NORMAL, " ");
	}
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

void tui_draw_header(struct tui *u)
{
	attr_t h = tui_role(u, R_HEADER);
	struct badge badge[4];
	char tl[48];
	int x = 0, W = u->cols, bw = 0;
	int nb = badges(u, badge, tl, sizeof(tl));
	for (int i = 0; i < nb; i++)
		bw += ucols(badge[i].s) + 1;
	if (bw > W / 2)
		bw = 0;  /* too narrow: badges follow the text as before */
	int maxx = bw ? W - bw - 1 : W;  /* and a column of header colour before them */

	tui_fill(0, 0, W, h);
	status_text(u, &x, maxx);
	if (bw)
		x = W - bw;
	for (int i = 0; i < nb; i++) {
		seg(0, &x, W, badge[i].a, badge[i].s);
		seg(0, &x, W, h, " ");
	}
	tabs(u);
}

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
	/* the key bindings' hints for this view and mode, as many as fit */
	for (size_t i = 0; i < tui_nbindings; i++) {
		const struct tui_binding *b = &tui_bindings[i];
		if (!b->hint || !(b->hint_views & TUI_VIEW(u->view)) || !tui_binding_in_mode(u, b) ||
		    (b->hint_anchored && !u->anchored))
			continue;
		int need = (int)(strlen(b->hint_key) + strlen(b->hint) + 2);
		if (x + need > W)
			return;
		seg(y, &x, W, k, b->hint_key);
		seg(y, &x, W, f, " ");
		seg(y, &x, W, f, b->hint);
		seg(y, &x, W, f, " ");
	}
}
