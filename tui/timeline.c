/* timeline.c — bucket sums, dominant state and the per-thread timeline strip. */
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

const unsigned tui_zoom_levels[] = { 1, 2, 5, 10, 20, 50 }; /* x 100 ms */
const int tui_zoom_count = sizeof(tui_zoom_levels) / sizeof(tui_zoom_levels[0]);

uint64_t tui_bucket_of(const struct tui *u, uint64_t ts)
{
	uint64_t start = cv_model_start(u->m);
	return ts > start ? (ts - start) / CV_BUCKET_NS : 0;
}

static void add_range(const struct tui *u, const struct cv_thread *t, uint64_t b0,
		      uint64_t b1, uint64_t ns[CV_ST_COUNT], uint32_t *csw)
{
	struct cv_bucket bk;
	for (uint64_t b = b0; b <= b1; b++) {
		if (!cv_model_thread_bucket(u->m, t, b, &bk))
			continue;
		for (int s = 0; s < CV_ST_COUNT; s++)
			ns[s] += bk.ns[s];
		if (csw)
			*csw += bk.vcsw + bk.ivcsw;
	}
}

void tui_window(const struct tui *u, const struct cv_thread *t, uint64_t last_b,
		unsigned nb, uint64_t ns[CV_ST_COUNT], uint32_t *csw)
{
	memset(ns, 0, sizeof(uint64_t) * CV_ST_COUNT);
	if (csw)
		*csw = 0;
	if (!nb)
		return;
	uint64_t b0 = last_b + 1 >= nb ? last_b + 1 - nb : 0;
	add_range(u, t, b0, last_b, ns, csw);
}

int tui_dominant(const uint64_t ns[CV_ST_COUNT])
{
	int best = -1;
	uint64_t bv = 0;
	for (int s = 0; s < CV_ST_COUNT; s++)
		if (ns[s] > bv) {
			bv = ns[s];
			best = s;
		}
	return best;
}

/* Cells are aligned to absolute multiples of the zoom so they do not shift
 * as time advances; the rightmost cell holds "now" and may be partial. */
void tui_timeline(const struct tui *u, const struct cv_thread *t, int y, int x, int cells)
{
	unsigned z = tui_zoom_levels[u->zoom];
	uint64_t last_b = tui_bucket_of(u, u->view_now);
	uint64_t g_last = last_b / z;
	for (int i = 0; i < cells; i++) {
		uint64_t back = (uint64_t)(cells - 1 - i);
		int st = -1;
		if (back <= g_last) {
			uint64_t g = g_last - back;
			uint64_t b0 = g * z, b1 = b0 + z - 1;
			if (b1 > last_b)
				b1 = last_b;
			uint64_t ns[CV_ST_COUNT] = { 0 };
			add_range(u, t, b0, b1, ns, NULL);
			st = tui_dominant(ns);
		}
		tui_cell(u, y, x + i, st);
	}
}

/* ---- the view's position in time ----
 * One model of time for live and replay: the right edge of the timeline (and
 * of the recent window behind the STATES/CPU/CSW columns) is a trace
 * timestamp, view_now.  Following, it is ref_now ("now": model now live, the
 * frozen instant while the live display is paused, the replay position in
 * replay, whose model now is the position).  Scrolled back, it is anchor: an
 * absolute trace time that stays put while new events arrive. */

static uint64_t ref_of(const struct tui *u)
{
	uint64_t now = cv_model_now(u->m);
	if (u->frozen && u->frozen_now <= now)  /* frozen: live only */
		return u->frozen_now;
	return now;
}

/* Earliest right edge whose recent window (TUI_WINDOW_BUCKETS) still lies
 * entirely inside the history the model keeps: CV_BUCKETS buckets up to model
 * now (cv_model_thread_bucket refuses older ones). */
static uint64_t oldest_edge(const struct tui *u)
{
	uint64_t now_b = tui_bucket_of(u, cv_model_now(u->m));
	uint64_t old_b = now_b >= CV_BUCKETS - 1 ? now_b - (CV_BUCKETS - 1) : 0;
	return cv_model_start(u->m) + (old_b + TUI_WINDOW_BUCKETS) * CV_BUCKET_NS - 1;
}

void tui_time_update(struct tui *u)
{
	if (!u->m)
		return;
	u->ref_now = ref_of(u);
	if (u->anchored) {
		uint64_t lo = oldest_edge(u);
		if (u->anchor < lo)
			u->anchor = lo;  /* its history is being dropped: move with it */
		if (u->anchor >= u->ref_now)
			u->anchored = false;  /* caught up: follow again */
	}
	u->view_now = u->anchored ? u->anchor : u->ref_now;
}

/* The edge lands on the last nanosecond of a cell, so the strip moves by
 * whole cells and its rightmost cell is complete while scrolled back. */
bool tui_time_scroll(struct tui *u, int cells)
{
	if (!u->m || !cells)
		return false;
	tui_time_update(u);
	uint64_t z = tui_zoom_levels[u->zoom];
	uint64_t cell_ns = z * CV_BUCKET_NS, start = cv_model_start(u->m);
	uint64_t g = tui_bucket_of(u, u->view_now) / z;  /* cell holding the edge */
	if (cells < 0) {
		uint64_t k = (uint64_t)(-(int64_t)cells), lo = oldest_edge(u);
		if (lo >= u->ref_now || u->view_now <= lo)
			return false;  /* nothing older is kept */
		uint64_t edge = g >= k ? start + (g - k + 1) * cell_ns - 1 : lo;
		u->anchor = edge < lo ? lo : edge;
		u->anchored = true;
	} else {
		if (!u->anchored)
			return false;  /* already at "now" */
		u->anchor = start + (g + (uint64_t)cells + 1) * cell_ns - 1;
	}
	tui_time_update(u);  /* at or past "now": follow */
	return true;
}

void tui_time_follow(struct tui *u)
{
	u->anchored = false;
	tui_time_update(u);
}

uint64_t tui_time_behind(const struct tui *u)
{
	return u->anchored && u->ref_now > u->view_now ? u->ref_now - u->view_now : 0;
}

char *tui_time_label(const struct tui *u, char *buf, size_t n)
{
	double s = (double)tui_time_behind(u) / 1e9;
	if (u->utf8)
		snprintf(buf, n, "\u25c0 %.1fs ago", s);
	else
		snprintf(buf, n, "<< -%.1fs", s);
	return buf;
}
