/* draw_locks.c — Locks view: per-lock table, live wait chains, deadlocks. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

#define CHAIN_MAX 16

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

static bool waiting(const struct cv_thread *t)
{
	return t && !t->exited && t->state == CV_ST_LOCK_WAIT;
}

/* Appends the chain starting at t to buf; returns true when it runs into a
 * cycle, *in_cycle when t itself is part of it, *min_tid the cycle's lowest. */
static bool chain(struct tui *u, const struct cv_thread *t, char *buf, size_t n,
		  bool *in_cycle, uint32_t *min_tid)
{
	const struct cv_thread *seen[CHAIN_MAX];
	int ns = 0;
	size_t pos = 0;
	char lk[64], who[48];
	const struct cv_thread *cur = t;
	*in_cycle = false;
	*min_tid = t->tid;
	pos += (size_t)snprintf(buf + pos, n - pos, "%s", fmt_tid(who, sizeof(who), u->m, t->tid));
	seen[ns++] = t;
	while (pos < n) {
		fmt_lock(lk, sizeof(lk), u->m, cur->pid, cur->block_obj);
		pos += (size_t)snprintf(buf + pos, n - pos, " %s %s held by %s", tui_arrow(u), lk,
					fmt_tid(who, sizeof(who), u->m, cur->block_owner));
		if (pos >= n || !cur->block_owner)
			break;
		const struct cv_thread *o = cv_model_find_thread(u->m, cur->block_owner);
		int k;
		for (k = 0; k < ns; k++)
			if (seen[k] == o)
				break;
		if (k < ns) {  /* cycle from seen[k] back to it */
			*in_cycle = (k == 0);
			*min_tid = seen[k]->tid;
			for (int j = k + 1; j < ns; j++)
				if (seen[j]->tid < *min_tid)
					*min_tid = seen[j]->tid;
			pos += (size_t)snprintf(buf + pos, n - pos, " ...");
			return true;
		}
		if (!waiting(o) || ns == CHAIN_MAX) {
			if (o)
				snprintf(buf + pos, n - pos, " (%s)", o->exited ? "exited" : cv_state_name(o->state));
			break;
		}
		seen[ns++] = o;
		cur = o;
	}
	return false;
}

static void wait_chains(struct tui *u, struct vl *v)
{
	size_t n = cv_model_thread_count(u->m);
	int y = vl_row(v);
	tui_put(y, 0, u->cols, tui_role(u, R_HEADING), "Wait chains (threads blocked on a lock now)");
	int shown = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cv_thread *t = cv_model_thread(u->m, i);
		if (!waiting(t))
			continue;
		char line[512];
		bool in_cycle;
		uint32_t min_tid;
		bool dl = chain(u, t, line, sizeof(line), &in_cycle, &min_tid);
		/* a thread that holds what another waiter wants is shown inside that
		 * waiter's chain; a cycle is shown once, from its lowest tid */
		if (in_cycle) {
			if (t->tid != min_tid)
				continue;
		} else {
			bool is_target = false;
			for (size_t j = 0; j < n && !is_target; j++) {
				const struct cv_thread *w = cv_model_thread(u->m, j);
				is_target = w != t && waiting(w) && w->block_owner == t->tid;
			}
			if (is_target)
				continue;
		}
		shown++;
		y = vl_row(v);
		if (y < 0)
			continue;
		attr_t a = dl ? tui_state_text(u, CV_ST_LOCK_WAIT) : A_NORMAL;
		if (dl) {
			tui_put(y, 1, 10, tui_role(u, R_ALERT), "DEADLOCK");
			tui_put(y, 11, u->cols - 11, a, line);
		} else
			tui_put(y, 2, u->cols - 2, a, line);
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
