/* draw_locks.c — Locks view: per-lock table (contention apart from waiting
 * for a signal), live wait chains, deadlocks (confirmed and possible). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

static enum tui_lsort g_lsort;  /* qsort context */

static int cmp_locks(const void *pa, const void *pb)
{
	const struct cv_lock *a = *(const struct cv_lock *const *)pa;
	const struct cv_lock *b = *(const struct cv_lock *const *)pb;
	uint64_t ka = 0, kb = 0;
	/* contention first, then waiting for a signal */
	int ga = cv_lock_kind_is_signal_wait((enum cv_lock_kind)a->kind);
	int gb = cv_lock_kind_is_signal_wait((enum cv_lock_kind)b->kind);
	if (ga != gb)
		return ga - gb;
	switch (g_lsort) {
	case LS_WAIT: ka = a->wait_ns; kb = b->wait_ns; break;
	case LS_WAITS: ka = a->waits; kb = b->waits; break;
	case LS_MAX: ka = a->max_wait_ns; kb = b->max_wait_ns; break;
	case LS_NAME: {
		int c = strcmp(a->name ? a->name : "~", b->name ? b->name : "~");
		if (c)
			return c;
		break;
	}
	default: break;
	}
	if (ka != kb)
		return ka > kb ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static const char *lsort_name(enum tui_lsort s)
{
	static const char *n[LS_COUNT] = { "total wait", "waits", "max wait", "name" };
	return s < LS_COUNT ? n[s] : "?";
}

static void group_heading(struct tui *u, struct vl *v, int signal)
{
	tui_put(vl_row(v), 1, u->cols - 1, tui_role(u, R_DIM),
		signal ? "waiting for a signal (condvar, semaphore, event, queue, join, barrier): "
			 "nobody need hold it"
		       : "contention (mutex, rwlock, GIL, unknown futex): another thread holds it");
}

static void lock_row(struct tui *u, const struct cv_lock *l, int y)
{
	char d1[32], d2[32], c1[32], name[64], own[48];

	cv_fmt_lock(name, sizeof(name), l->name, l->addr);
	tui_putf(y, 1, 22, tui_role(u, R_LOCK), "%-22s", name);
	snprintf(c1, sizeof(c1), "%u/%u", l->cur_waiters, l->max_waiters);
	tui_putf(y, 24, 54, A_NORMAL, "%7u %7" PRIu64 " %10s %10s %7s", l->pid, l->waits,
		 fmt_dur_col(u, d1, sizeof(d1), l->wait_ns, 10),
		 fmt_dur_col(u, d2, sizeof(d2), l->max_wait_ns, 10), c1);
	if (l->cur_waiters)
		tui_putf(y, 62, 7, tui_state_text(u, CV_ST_LOCK_WAIT), "%7s", c1);
	tui_putf(y, 70, 10, A_NORMAL, "%-9s", l->kind == CV_LK_GIL ? "GIL"
		 : cv_lock_kind_name((enum cv_lock_kind)l->kind));
	if (l->shared)
		tui_putf(y, 80, u->cols - 80, A_NORMAL, "shared by %u%s processes", l->npids,
			 l->pids_more ? "+" : "");
	else
		tui_put(y, 80, u->cols - 80, A_NORMAL, fmt_tid(own, sizeof(own), u->m, l->owner_tid));
}

static void lock_table(struct tui *u, struct vl *v)
{
	static const struct cv_lock **ls;
	static size_t cap;
	size_t n = cv_model_lock_count(u->m);
	int y = vl_row(v);
	tui_putf(y, 0, u->cols, tui_role(u, R_HEADING), "Locks  %zu seen, sorted by %s (s)", n,
		 lsort_name(u->lsort));
	y = vl_row(v);
	tui_fill(y, 0, u->cols, tui_role(u, R_COLHEAD));
	tui_putf(y, 0, u->cols, tui_role(u, R_COLHEAD), " %-22s %7s %7s %10s %10s %7s %-9s %s",
		 "NAME", "PID", "WAITS", "TOTAL WAIT", "MAX WAIT", "WAITERS", "KIND", "HOLDER");
	if (!n) {
		tui_put(vl_row(v), 2, u->cols - 2, tui_role(u, R_DIM), "no lock waited on yet");
		return;
	}
	if (n > cap) {
		const struct cv_lock **p = realloc(ls, (n + 16) * sizeof(*p));
		if (!p)
			return;
		ls = p;
		cap = n + 16;
	}
	for (size_t i = 0; i < n; i++)
		ls[i] = cv_model_lock(u->m, i);
	g_lsort = u->lsort;
	qsort(ls, n, sizeof(*ls), cmp_locks);
	int group = -1;
	for (size_t i = 0; i < n; i++) {
		const struct cv_lock *l = ls[i];
		int g = cv_lock_kind_is_signal_wait((enum cv_lock_kind)l->kind);
		if (g != group) {
			group_heading(u, v, g);
			group = g;
		}
		y = vl_row(v);
		if (y >= 0)
			lock_row(u, l, y);
	}
}

/* "T1 a → lock_b held by T2 b → lock_a held by T1 a ..." ("..." : the chain
 * closes a cycle; else the last holder's state when it is a traced thread) */
static void chain_text(const struct tui *u, const struct cv_wait_chain *c, char *buf, size_t n)
{
	char lk[64], who[48];
	size_t pos = (size_t)snprintf(buf, n, "%s", fmt_tid(who, sizeof(who), u->m, c->link[0].tid));
	for (uint32_t i = 0; i < c->n && pos < n; i++) {
		const struct cv_wait_link *k = &c->link[i];
		pos += (size_t)snprintf(buf + pos, n - pos, " %s %s held by %s", tui_arrow(u),
					fmt_lock(lk, sizeof(lk), u->m, k->pid, k->addr),
					fmt_tid(who, sizeof(who), u->m, k->holder));
	}
	if (pos >= n)
		return;
	uint32_t last = c->link[c->n - 1].holder;
	const struct cv_thread *o = last ? cv_model_find_thread(u->m, last) : NULL;
	if (c->end == CV_CHAIN_CYCLE)
		snprintf(buf + pos, n - pos, " ...");
	else if (o)
		snprintf(buf + pos, n - pos, " (%s)", o->exited ? "exited" : cv_state_name(o->state));
}

static void wait_chains(struct tui *u, struct vl *v)
{
	int y = vl_row(v);
	tui_put(y, 0, u->cols, tui_role(u, R_HEADING), "Wait chains (threads blocked on a lock now)");
	int shown = 0;
	struct cv_wait_chain c;
	for (size_t cur = 0; cv_model_wait_chain_next(u->m, &cur, &c);) {
		shown++;
		y = vl_row(v);
		if (y < 0)
			continue;
		char line[512];
		chain_text(u, &c, line, sizeof(line));
		if (c.end == CV_CHAIN_CYCLE) {
			tui_put(y, 1, 10, tui_role(u, R_ALERT), "DEADLOCK");
			tui_put(y, 11, u->cols - 11, tui_state_text(u, CV_ST_LOCK_WAIT), line);
		} else
			tui_put(y, 2, u->cols - 2, A_NORMAL, line);
	}
	if (!shown)
		tui_put(vl_row(v), 2, u->cols - 2, tui_role(u, R_DIM), "no thread is waiting for a lock");
}

static void deadlocks(struct tui *u, struct vl *v)
{
	size_t n = cv_model_deadlock_count(u->m), confirmed = 0;
	char d[32], line[1100], text[1024];
	for (size_t i = 0; i < n; i++)
		confirmed += cv_model_deadlock(u->m, i)->confirmed;
	int y = vl_row(v);
	tui_putf(y, 0, u->cols, n ? tui_state_text(u, CV_ST_LOCK_WAIT) | A_BOLD : tui_role(u, R_HEADING),
		 "Deadlocks detected: %zu (%zu confirmed: holders known; %zu possible: threads stuck >= %us, "
		 "none of the process running)", n, confirmed, n - confirmed,
		 (unsigned)(CV_STUCK_NS / 1000000000ULL));
	uint64_t start = cv_model_start(u->m);
	for (size_t i = 0; i < n; i++) {
		const struct cv_deadlock *dl = cv_model_deadlock(u->m, i);
		snprintf(line, sizeof(line), "at +%s: %s",
			 fmt_dur(u, d, sizeof(d), dl->ts > start ? dl->ts - start : 0),
			 cv_model_deadlock_text(u->m, dl, text, sizeof(text)));
		y = vl_row(v);
		tui_put(y, 1, 10, tui_role(u, R_ALERT), dl->confirmed ? "DEADLOCK" : "POSSIBLE");
		tui_put(y, 11, u->cols - 11, tui_state_text(u, CV_ST_LOCK_WAIT), line);
	}
}

void tui_draw_locks(struct tui *u)
{
	int y0 = TUI_HEADER_ROWS, h = u->lines - TUI_HEADER_ROWS - TUI_FOOTER_ROWS;
	if (!u->m)
		return;
	for (int pass = 0; pass < 2; pass++) {
		struct vl v = { y0, pass ? h : 0, u->locks_scroll, 0 };
		lock_table(u, &v);
		vl_row(&v);
		wait_chains(u, &v);
		vl_row(&v);
		deadlocks(u, &v);
		if (!pass)
			u->locks_scroll = vl_clamp(u->locks_scroll, v.n, h);
	}
}
