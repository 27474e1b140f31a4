/* draw_util.c — clipped text, state cells and bars. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

int vl_clamp(int off, int n, int h)
{
	if (off > n - h)
		off = n - h;
	return off < 0 ? 0 : off;
}

/* Bytes of s that fill at most w columns (UTF-8 aware, width 1 per char). */
static int clip_bytes(const char *s, int w)
{
	int cols = 0, i = 0;
	while (s[i] && cols < w) {
		unsigned char c = (unsigned char)s[i];
		int len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		for (int k = 1; k < len; k++)
			if (!s[i + k]) { len = k; break; }
		i += len;
		cols++;
	}
	return i;
}

/* Clip a span of w cells at (y, x) to the screen: false if none is left. */
static bool clip_span(int y, int x, int *w)
{
	int maxx = getmaxx(stdscr);
	if (y < 0 || y >= getmaxy(stdscr) || x < 0 || x >= maxx || *w <= 0)
		return false;
	if (x + *w > maxx)
		*w = maxx - x;
	return true;
}

void tui_put(int y, int x, int w, attr_t a, const char *s)
{
	if (!clip_span(y, x, &w))
		return;
	attrset(a);
	mvaddnstr(y, x, s, clip_bytes(s, w));
	attrset(A_NORMAL);
}

void tui_putf(int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tui_put(y, x, w, a, buf);
}

void tui_fill(int y, int x, int w, attr_t a)
{
	if (!clip_span(y, x, &w))
		return;
	attrset(a);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

const char *tui_arrow(const struct tui *u) { return u->utf8 ? "\u2192" : "->"; }

void tui_cell(const struct tui *u, int y, int x, int st)
{
	if (st < 0 || st >= CV_ST_COUNT) {
		tui_put(y, x, 1, A_NORMAL, " ");
		return;
	}
	attr_t a = tui_state_cell(u, (enum cv_state)st);
	char g[2] = { tui_state_glyph((enum cv_state)st), 0 };
	if (!u->color || u->glyph_cells)
		tui_put(y, x, 1, a, g);
	else if (!(a & A_COLOR))  /* no background colour for it (8-colour sleep) */
		tui_put(y, x, 1, a, u->utf8 ? "\u2591" : ".");
	else
		tui_put(y, x, 1, a, " ");
}

void tui_stack_bar(const struct tui *u, int y, int x, int w, const uint64_t ns[CV_ST_COUNT])
{
	uint64_t total = 0;
	for (int s = 0; s < CV_ST_COUNT; s++)
		total += ns[s];
	if (w <= 0)
		return;
	if (!total) {
		tui_fill(y, x, w, tui_role(u, R_DIM));
		return;
	}
	/* largest-remainder apportionment of w cells */
	int cells[CV_ST_COUNT], used = 0;
	double rem[CV_ST_COUNT];
	for (int s = 0; s < CV_ST_COUNT; s++) {
		double exact = (double)ns[s] * w / (double)total;
		cells[s] = (int)exact;
		rem[s] = exact - cells[s];
		used += cells[s];
	}
	while (used < w) {
		int best = 0;
		for (int s = 1; s < CV_ST_COUNT; s++)
			if (rem[s] > rem[best])
				best = s;
		cells[best]++;
		rem[best] = -1;
		used++;
	}
	int cx = x;
	for (int s = 0; s < CV_ST_COUNT; s++)
		for (int i = 0; i < cells[s]; i++)
			tui_cell(u, y, cx++, s);
}

void tui_phase_bar(const struct tui *u, int y, int x, int w, uint64_t a_ns,
		   enum cv_state a, uint64_t b_ns, enum cv_state b)
{
	if (w < 3)
		return;
	w--;  /* one column for the phase boundary '|' */
	uint64_t total = a_ns + b_ns;
	int na = total ? (int)((double)a_ns * w / (double)total + 0.5) : 0;
	if (na > w) na = w;
	int nb = total ? w - na : 0;
	if (b_ns && !nb) { nb = 1; na = w - 1; }
	if (a_ns && !na) { na = 1; nb = w - 1; }
	const char *ca, *cb;
	if (u->utf8) {
		ca = u->color ? "\u2588" : "\u2591";
		cb = "\u2588";
	} else {
		ca = "=";
		cb = "#";
	}
	int cx = x;
	for (int i = 0; i < na; i++)
		tui_put(y, cx++, 1, tui_state_text(u, a) & ~(attr_t)A_REVERSE, ca);
	tui_put(y, cx++, 1, A_BOLD, "|");
	for (int i = 0; i < nb; i++)
		tui_put(y, cx++, 1, tui_state_text(u, b) & ~(attr_t)A_REVERSE, cb);
	for (; cx < x + w + 1; cx++)
		tui_put(y, cx, 1, tui_role(u, R_DIM), u->utf8 ? "\u00b7" : ".");
}
