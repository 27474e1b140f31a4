/* timeline.c — bucket sums, dominant state and the per-thread timeline strip. */
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
