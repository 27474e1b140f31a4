/* event_order.c — a read's events by time (event_order.h). */
#include <stdint.h>
#include <stdlib.h>

#include "live/event_order.h"

void cv_sort_nearly(struct cv_event *ev, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (ev[i].ts >= ev[i - 1].ts)
			continue;
		struct cv_event tmp = ev[i];
		size_t j = i;

		while (j > 0 && ev[j - 1].ts > tmp.ts) {
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = tmp;
	}
}

/* heap of run heads, by the time of each run's next event */
struct run_head {
	uint64_t ts;
	size_t run;
};

static void sift_down(struct run_head *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < n && h[l].ts < h[m].ts)
			m = l;
		if (l + 1 < n && h[l + 1].ts < h[m].ts)
			m = l + 1;
		if (m == i)
			return;
		struct run_head x = h[i];
		h[i] = h[m];
		h[m] = x;
		i = m;
	}
}

static size_t run_of(const struct cv_event *ev, unsigned ncpus)
{
	return ev->cpu < ncpus ? ev->cpu : ncpus;
}

bool cv_sort_events(struct cv_event *ev, size_t n, unsigned ncpus, struct cv_event **scratch,
		    size_t *cap)
{
	size_t nruns = (size_t)ncpus + 1, used = 0, nheap = 0;
	size_t *start = calloc(nruns + 1, sizeof(*start)), *at = calloc(nruns, sizeof(*at));
	struct run_head *heap = malloc(nruns * sizeof(*heap));
	bool ok = true;

	if (n > *cap) {
		struct cv_event *ns = realloc(*scratch, n * sizeof(*ns));

		if (ns) {
			*scratch = ns;
			*cap = n;
		}
	}
	if (!start || !at || !heap || n > *cap) {
		ok = false;
		cv_sort_nearly(ev, n);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		start[run_of(&ev[i], ncpus) + 1]++;
	for (size_t r = 0; r < nruns; r++) {
		used += start[r + 1] != 0;
		start[r + 1] += start[r];
		at[r] = start[r];
	}
	if (used <= 1) {
		cv_sort_nearly(ev, n);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		(*scratch)[at[run_of(&ev[i], ncpus)]++] = ev[i];
	for (size_t r = 0; r < nruns; r++) {
		cv_sort_nearly(*scratch + start[r], start[r + 1] - start[r]);
		at[r] = start[r];
		if (start[r + 1] > start[r])
			heap[nheap++] = (struct run_head){ (*scratch)[start[r]].ts, r };
	}
	for (size_t i = nheap / 2; i-- > 0;)
		sift_down(heap, nheap, i);
	for (size_t i = 0; i < n; i++) {
		size_t r = heap[0].run;

		ev[i] = (*scratch)[at[r]++];
		if (at[r] < start[r + 1])
			heap[0].ts = (*scratch)[at[r]].ts;
		else
			heap[0] = heap[--nheap];
		sift_down(heap, nheap, 0);
	}
out:
	free(start);
	free(at);
	free(heap);
	return ok;
}
