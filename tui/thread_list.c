/* thread_list.c — the threads view's rows: filter, linger, window stats, sort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui_int.h"

const char *tui_sort_name(enum tui_sort s)
{
	static const char *n[S_COUNT] = { "tid", "name", "state", "cpu", "ctx-sw" };
	return s < S_COUNT ? n[s] : "?";
}

static bool filter_match(const char *filter, const struct cv_thread *t)
{
	if (!filter[0])
		return true;
	char tid[16];
	snprintf(tid, sizeof(tid), "%u", t->tid);
	if (strncmp(tid, filter, strlen(filter)) == 0)
		return true;
	return strcasestr(t->comm, filter) != NULL;
}

bool tui_thread_visible(const struct tui *u, const struct cv_thread *t)
{
	if (t->exited && u->view_now > t->exit_ts &&
	    u->view_now - t->exit_ts > TUI_EXIT_LINGER_NS)
		return false;
	return filter_match(u->filter, t);
}

static enum tui_sort g_sort;    /* qsort has no context argument */
static bool g_rev;

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int cmp_rows(const void *pa, const void *pb)
{
	const struct tui_row *a = pa, *b = pb;
	int c = 0;
	/* exited threads sink to the bottom whatever the key */
	if (a->t->exited != b->t->exited)
		return a->t->exited ? 1 : -1;
	switch (g_sort) {
	case S_NAME: c = strcmp(a->t->comm, b->t->comm); break;
	case S_STATE: c = (int)a->t->state - (int)b->t->state; break;
	case S_CPU: c = a->cpu > b->cpu ? -1 : a->cpu < b->cpu; break;
	case S_CSW: c = -cmp_u64(a->t->vcsw + a->t->ivcsw, b->t->vcsw + b->t->ivcsw); break;
	default: break;
	}
	if (g_rev)
		c = -c;
	if (!c)
		c = cmp_u64(a->t->tid, b->t->tid);
	if (!c)
		c = cmp_u64(a->t->first_ts, b->t->first_ts);
	return c;
}

void tui_row_window(struct tui *u, struct tui_row *r)
{
	const struct cv_process *p = r->fold_n ? cv_model_thread_process(u->m, r->t) : NULL;
	uint64_t b = tui_bucket_of(u, u->view_now);

	if (r->win_done)
		return;
	r->win_done = true;
	memset(r->win, 0, sizeof(r->win));
	r->win_csw = 0;
	r->win_len = 0;
	r->vcsw = r->ivcsw = 0;
	r->state_of = r->t;
	r->exited = r->t->exited;
	for (size_t i = 0, n = p ? cv_model_thread_count(u->m) : 1; i < n; i++) {
		const struct cv_thread *o = p ? cv_model_thread(u->m, i) : r->t;
		uint64_t w[CV_ST_COUNT], len = 0;
		uint32_t csw = 0;
		if (p && cv_model_thread_process(u->m, o) != p)
			continue;
		r->vcsw += o->vcsw;
		r->ivcsw += o->ivcsw;
		/* the state shown: the live thread furthest along in running >
		 * runnable > waiting (the row's own thread first) */
		if (o != r->t && !o->exited && (r->exited || o->state < r->state_of->state)) {
			r->state_of = o;
			r->exited = false;
		}
		tui_window(u, o, b, TUI_WINDOW_BUCKETS, w, &csw);
		for (int s = 0; s < CV_ST_COUNT; s++) {
			r->win[s] += w[s];
			len += w[s];
		}
		r->win_csw += csw;
		if (len > r->win_len)
			r->win_len = len;
	}
	r->win_total = 0;
	for (int s = 0; s < CV_ST_COUNT; s++)
		r->win_total += r->win[s];
	r->cpu = r->win_len ? (double)r->win[CV_ST_RUNNING] / (double)r->win_len : 0;
}

void tui_rows_build(struct tui *u)
{
	size_t n = u->m ? cv_model_thread_count(u->m) : 0;
	u->nthreads_total = n;
	u->nrows = 0;
	if (n > u->cap_rows) {
		size_t cap = n + n / 2 + 16;
		struct tui_row *r = realloc(u->rows, cap * sizeof(*r));
		if (!r)
			return;
		u->rows = r;
		u->cap_rows = cap;
	}
	tui_fold_frame_start(u);
	for (size_t i = 0; i < n; i++) {
		const struct cv_thread *t = cv_model_thread(u->m, i);
		int slot = -1;
		if (!t || !tui_thread_visible(u, t) || tui_proc_row_of(u, t, &slot) == TUI_ROW_HIDDEN)
			continue;
		tui_fold_row_made(u, slot, (int)u->nrows);
		struct tui_row *r = &u->rows[u->nrows++];
		memset(r, 0, sizeof(*r));
		r->t = t;
		r->tid = t->tid;
	}
	/* (after the loop: a folded row's threads are all counted by now) */
	for (size_t i = 0; u->sort == S_CPU && i < u->nrows; i++)
		tui_row_window(u, &u->rows[i]);
	g_sort = u->sort;
	g_rev = u->sort_rev;
	if (u->nrows > 1)
		qsort(u->rows, u->nrows, sizeof(*u->rows), cmp_rows);

	/* keep the selection on the same thread when rows move */
	int found = -1;
	if (u->sel_tid)
		for (size_t i = 0; i < u->nrows; i++)
			if (u->rows[i].tid == u->sel_tid) {
				found = (int)i;
				break;
			}
	if (found >= 0)
		u->sel = found;
	if (u->sel >= (int)u->nrows)
		u->sel = (int)u->nrows - 1;
	if (u->sel < 0)
		u->sel = 0;
	u->sel_tid = u->nrows ? u->rows[u->sel].tid : 0;
}
