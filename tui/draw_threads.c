/* draw_threads.c — the Threads view: one row per thread, only visible rows drawn. */
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

struct cols { int tid, name, state, csw, rate, cpu, bar, bar_w, tl, tl_w; };

static struct cols layout(int W)
{
	struct cols c;
	c.tid = 0;
	c.name = c.tid + COL_TID_W + 1;
	c.state = c.name + COL_NAME_W + 1;
	c.csw = c.state + COL_STATE_W + 1;
	c.rate = c.csw + COL_CSW_W + 1;
	c.cpu = c.rate + COL_RATE_W + 1;
	c.bar = c.cpu + COL_CPU_W + 1;
	int avail = W - c.bar;
	if (avail >= COL_BAR_MIN + 1 + COL_TL_MIN) {
		c.bar_w = avail / 4;
		if (c.bar_w < COL_BAR_MIN) c.bar_w = COL_BAR_MIN;
		if (c.bar_w > COL_BAR_MAX) c.bar_w = COL_BAR_MAX;
		c.tl = c.bar + c.bar_w + 1;
		c.tl_w = W - c.tl;
	} else if (avail >= COL_TL_MIN) {  /* narrow: timeline only */
		c.bar_w = 0;
		c.tl = c.bar;
		c.tl_w = avail;
	} else {
		c.bar_w = 0;
		c.tl = W;
		c.tl_w = 0;
	}
	return c;
}

static void draw_row(struct tui *u, const struct cols *c, struct tui_row *r, int y, bool sel)
{
	const struct cv_thread *t = r->t;
	char buf[64], a[16], b[16], comm[CV_COMM_LEN + 1];
	tui_row_window(u, r);
	attr_t base = sel ? tui_role(u, R_SEL) : (r->exited ? tui_role(u, R_DIM) : A_NORMAL);

	if (sel)
		tui_fill(y, 0, c->bar, base);
	tui_putf(y, c->tid, COL_TID_W, base, "%*u", COL_TID_W, t->tid);
	cv_fmt_clean(comm, sizeof(comm), t->comm, CV_ASCII);
	if (r->fold_n) /* a folded process: its first thread's row stands for all */
		snprintf(buf, sizeof(buf), "%s +%u thr", comm[0] ? comm : "?", r->fold_n);
	else
		snprintf(buf, sizeof(buf), "%s", comm[0] ? comm : "?");
	tui_put(y, c->name, COL_NAME_W, base | (sel || r->exited ? 0 : tui_role(u, R_NAME)), buf);
	if (r->exited) {
		tui_put(y, c->state, COL_STATE_W, base, "x exited");
	} else {
		const struct cv_thread *st = r->state_of;
		char g[2] = { tui_state_glyph(st->state), 0 };
		tui_put(y, c->state, 1, tui_state_cell(u, st->state) | (u->color ? 0 : A_REVERSE), g);
		tui_put(y, c->state + 2, COL_STATE_W - 2, sel ? base : tui_state_text(u, st->state),
			tui_state_word(st));
	}
	snprintf(buf, sizeof(buf), "%s/%s", cv_fmt_count(a, sizeof(a), r->vcsw),
		 cv_fmt_count(b, sizeof(b), r->ivcsw));
	tui_putf(y, c->csw, COL_CSW_W, base, "%*s", COL_CSW_W, buf);

	/* recent window: switches per second and cpu share (only for drawn rows) */
	double secs = r->win_len / 1e9;
	double rate = secs > 0.05 ? r->win_csw / secs : 0;
	tui_putf(y, c->rate, COL_RATE_W, base, "%*.0f", COL_RATE_W, rate);
	tui_putf(y, c->cpu, COL_CPU_W, base, "%*.0f%%", COL_CPU_W - 1, r->cpu * 100);
	if (c->bar_w)
		tui_stack_bar(u, y, c->bar, c->bar_w, r->win);
	if (c->tl_w)
		tui_timeline(u, t, y, c->tl, c->tl_w);
}

void tui_draw_threads(struct tui *u)
{
	struct cols c = layout(u->cols);
	int y0 = TUI_HEADER_ROWS;
	int h = u->lines - TUI_HEADER_ROWS - TUI_FOOTER_ROWS - 1;
	attr_t ch = tui_role(u, R_COLHEAD);
	char buf[96];

	tui_fill(y0, 0, u->cols, ch);
	tui_putf(y0, c.tid, COL_TID_W, ch, "%*s", COL_TID_W, "TID");
	tui_put(y0, c.name, COL_NAME_W, ch, "NAME");
	tui_put(y0, c.state, COL_STATE_W, ch, "STATE");
	tui_putf(y0, c.csw, COL_CSW_W, ch, "%*s", COL_CSW_W, "CSW vol/inv");
	tui_putf(y0, c.rate, COL_RATE_W, ch, "%*s", COL_RATE_W, "CSW/s");
	tui_putf(y0, c.cpu, COL_CPU_W, ch, "%*s", COL_CPU_W, "CPU");
	/* scrolled back: every window column ends at the anchor, say where */
	double ago = (double)tui_time_behind(u) / 1e9;
	if (c.bar_w) {
		if (!u->anchored)
			snprintf(buf, sizeof(buf), "%s", c.bar_w >= 9 ? "STATES 2s" : "LAST 2s");
		else {
			snprintf(buf, sizeof(buf), "2s to -%.1fs", ago);
			if ((int)strlen(buf) > c.bar_w)
				snprintf(buf, sizeof(buf), "-%.1fs", ago);
		}
		tui_put(y0, c.bar, c.bar_w, ch, buf);
	}
	if (c.tl_w) {
		unsigned z = tui_zoom_levels[u->zoom];
		double cell = z * (CV_BUCKET_NS / 1e9);
		if (!u->anchored) {
			snprintf(buf, sizeof(buf), "TIMELINE %gs/cell, last %gs", cell, cell * c.tl_w);
			if ((int)strlen(buf) > c.tl_w)
				snprintf(buf, sizeof(buf), "TIMELINE %gs/c", cell);
			if ((int)strlen(buf) > c.tl_w)
				snprintf(buf, sizeof(buf), "%gs/cell", cell);
		} else {
			snprintf(buf, sizeof(buf), "TIMELINE %gs/cell, ending %.1fs ago", cell, ago);
			if ((int)strlen(buf) > c.tl_w)
				snprintf(buf, sizeof(buf), "TIMELINE %gs/c to -%.1fs", cell, ago);
			if ((int)strlen(buf) > c.tl_w)
				snprintf(buf, sizeof(buf), "%gs/c -%.1fs", cell, ago);
			if ((int)strlen(buf) > c.tl_w)
				snprintf(buf, sizeof(buf), "-%.1fs", ago);
		}
		tui_put(y0, c.tl, c.tl_w, ch, buf);
	}
	/* short-lived helpers folded away: one line at the bottom says so */
	char names[160];
	size_t nshort = tui_short_hidden(u, names, sizeof(names));
	if (nshort && h > 1) {
		h--;
		tui_putf(y0 + 1 + h, 1, u->cols - 2, tui_role(u, R_DIM),
			 "%zu short-lived process%s hidden (no traced call, < %llu ms): %s  (a shows them)",
			 nshort, nshort == 1 ? "" : "es",
			 (unsigned long long)(CV_SHORT_LIVED_NS / 1000000), names);
	}
	if (h <= 0)
		return;

	if (!u->nrows) {
		if (u->filter[0])
			tui_putf(y0 + 1, 1, u->cols - 2, tui_role(u, R_DIM),
				 "no thread matches filter \"%s\" (Esc clears it)", u->filter);
		else
			tui_put(y0 + 1, 1, u->cols - 2, tui_role(u, R_DIM), "no threads seen yet");
		return;
	}
	if (u->sel < u->top)
		u->top = u->sel;
	if (u->sel >= u->top + h)
		u->top = u->sel - h + 1;
	if (u->top > (int)u->nrows - h)
		u->top = (int)u->nrows - h;
	if (u->top < 0)
		u->top = 0;
	for (int i = 0; i < h && u->top + i < (int)u->nrows; i++) {
		int idx = u->top + i;
		draw_row(u, &c, &u->rows[idx], y0 + 1 + i, idx == u->sel);
	}
}
