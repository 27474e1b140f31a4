/* draw_locks.c — Locks view: per-lock table, live wait chains, deadlocks. */
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

static void lock_table(struct tui *u, struct vl *v)
{
	static const struct cv_lock **ls;
	static size_t cap;
	size_t n = cv_model_lock_count(u->m);
	char d1[32], d2[32], c1[32], name[64], own[48];
	int y = vl_row(v);
	tui_putf(y, 0, u->cols, tui_role(u, R_HEADING), "Locks  %zu seen, sorted by %s (s)", n,
		 lsort_name(u->lsort));
	y = vl_row(v);
	tui_fill(y, 0, u->cols, tui_role(u, R_COLHEAD));
	tui_putf(y, 0, u->cols, tui_role(u, R_COLHEAD), " %-22s %7s %7s %10s %10s %7s  %s",
		 "NAME", "PID", "WAITS", "TOTAL WAIT", "MAX WAIT", "WAITERS", "HOLDER");
	if (!n) {
		tui_put(vl_row(v), 2, u->cols - 2, tui_role(u, R_DIM), "no contended lock seen yet");
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
	for (size_t i = 0; i < n; i++) {
		const struct cv_lock *l = ls[i];
		y = vl_row(v);
		if (y < 0)
			continue;
		cv_fmt_lock(name, sizeof(name), l->name, l->addr);
		tui_putf(y, 1, 22, tui_role(u, R_LOCK), "%-22s", name);
		snprintf(c1, sizeof(c1), "%u/%u", l->cur_waiters, l->max_waiters);
		tui_putf(y, 24, 54, A_NORMAL, "%7u %7" PRIu64 " %10s %10s %7s", l->pid, l->waits,
			 fmt_dur_col(u, d1, sizeof(d1), l->wait_ns, 10),
			 fmt_dur_col(u, d2, sizeof(d2), l->max_wait_ns, 10), c1);
		if (l->cur_waiters)
			tui_putf(y, 62, 7, tui_state_text(u, CV_ST_LOCK_WAIT), "%7s", c1);
		tui_put(y, 71, u->cols - 71, A_NORMAL, fmt_tid(own, sizeof(own), u->m, l->owner_tid));
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
	size_t n = cv_model_deadlock_count(u->m);
	char d[32], who[48], lk[64], line[600];
	int y = vl_row(v);
	tui_putf(y, 0, u->cols, n ? tui_state_text(u, CV_ST_LOCK_WAIT) | A_BOLD : tui_role(u, R_HEADING),
		 "Deadlocks detected: %zu", n);
	uint64_t start = cv_model_start(u->m);
	for (size_t i = 0; i < n; i++) {
		const struct cv_deadlock *dl = cv_model_deadlock(u->m, i);
		size_t pos = 0;
		pos += (size_t)snprintf(line, sizeof(line), "at +%s:",
					fmt_dur(u, d, sizeof(d), dl->ts > start ? dl->ts - start : 0));
		for (uint32_t k = 0; k < dl->n && k < CV_DEADLOCK_MAX && pos < sizeof(line); k++)
			pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " %s waits %s %s",
						fmt_tid(who, sizeof(who), u->m, dl->tids[k]),
						fmt_lock(lk, sizeof(lk), u->m, dl->pids[k], dl->addrs[k]),
						tui_arrow(u));
		if (dl->n && pos < sizeof(line))
			snprintf(line + pos, sizeof(line) - pos, " T%u", dl->tids[0]);
		y = vl_row(v);
		tui_put(y, 1, 10, tui_role(u, R_ALERT), "DEADLOCK");
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
