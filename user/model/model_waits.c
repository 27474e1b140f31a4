/* model_waits.c — the wait-for graph (model.h): one walk from a thread that
 * waits for a lock through the lock's holder, used by the deadlock search
 * while events are folded and by the wait-chain queries of "now". */
#include <stdlib.h>
#include <string.h>

#include "model_priv.h"

static bool lock_waiting(const struct cv_thr *t)
{
	return t->waiting && !t->pub.exited && t->pub.state == CV_ST_LOCK_WAIT;
}

/* The traced thread holding the lock that w waits for, or NULL. */
static const struct cv_thr *holder_of(const struct cv_model *m, const struct cv_thr *w)
{
	const struct cv_lock *l = w->waiting;
	const struct cv_thr *o = l->owner_tid ? cv__find(m, l->owner_tid) : NULL;
	return o && !o->pub.exited && o->pub.pid == l->pid ? o : NULL;
}

/* Follow the graph from t (which waits for a lock) until a holder that does
 * not wait, a thread already on the chain, or CV_CHAIN_MAX links. */
static void walk(const struct cv_model *m, const struct cv_thr *t, struct cv_wait_chain *c)
{
	c->n = 0;
	c->cycle_at = 0;
	for (const struct cv_thr *cur = t;;) {
		struct cv_wait_link *k = &c->link[c->n++];
		k->tid = cur->pub.tid;
		k->pid = cur->pub.pid;
		k->addr = cur->waiting->addr;
		k->holder = cur->waiting->owner_tid;
		const struct cv_thr *o = holder_of(m, cur);
		c->end = CV_CHAIN_HOLDER;
		if (!o)
			return;
		for (uint32_t i = 0; i < c->n; i++)
			if (c->link[i].tid == o->pub.tid) {
				c->end = CV_CHAIN_CYCLE;
				c->cycle_at = i;
				return;
			}
		if (!lock_waiting(o))
			return;
		if (c->n == CV_CHAIN_MAX) {
			c->end = CV_CHAIN_LONG;
			return;
		}
		cur = o;
	}
}

/* ---- deadlocks ------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void sorted_tids(const struct cv_deadlock *d, uint32_t out[CV_DEADLOCK_MAX])
{
	memcpy(out, d->tids, d->n * sizeof(*out));
	qsort(out, d->n, sizeof(*out), cmp_u32);
}

static bool known(const struct cv_model *m, const struct cv_deadlock *d)
{
	uint32_t want[CV_DEADLOCK_MAX], have[CV_DEADLOCK_MAX];
	sorted_tids(d, want);
	for (size_t i = 0; i < m->ndl; i++) {
		if (m->dl[i].n != d->n)
			continue;
		sorted_tids(&m->dl[i], have);
		if (memcmp(have, want, d->n * sizeof(*want)) == 0)
			return true;
	}
	return false;
}

static void add_deadlock(struct cv_model *m, const struct cv_deadlock *d)
{
	if (m->ndl == m->dl_cap) {
		size_t ncap = m->dl_cap ? m->dl_cap * 2 : 4;
		struct cv_deadlock *n = realloc(m->dl, ncap * sizeof(*n));
		if (!n)
			return;
		m->dl = n;
		m->dl_cap = ncap;
	}
	m->dl[m->ndl++] = *d;
}

void cv__check_deadlock(struct cv_model *m, const struct cv_thr *t, uint64_t ts)
{
	struct cv_wait_chain c;
	walk(m, t, &c);
	if (c.end != CV_CHAIN_CYCLE || c.cycle_at != 0)
		return; /* no cycle, or one that does not include t */
	struct cv_deadlock d = { .ts = ts, .n = c.n };
	for (uint32_t i = 0; i < c.n; i++) {
		d.tids[i] = c.link[i].tid;
		d.pids[i] = c.link[i].pid;
		d.addrs[i] = c.link[i].addr;
	}
	if (!known(m, &d))
		add_deadlock(m, &d);
}

size_t cv_model_deadlock_count(const struct cv_model *m) { return m->ndl; }

const struct cv_deadlock *cv_model_deadlock(const struct cv_model *m, size_t i)
{
	return i < m->ndl ? &m->dl[i] : NULL;
}

/* ---- wait chains ------------------------------------------------------------ */

bool cv_model_wait_chain(const struct cv_model *m, const struct cv_thread *t,
			 struct cv_wait_chain *out)
{
	const struct cv_thr *th = cv_thr_of(t);
	if (!lock_waiting(th))
		return false;
	walk(m, th, out);
	return true;
}

/* Does another waiter wait for a lock that t holds? */
static bool waited_for(const struct cv_model *m, const struct cv_thr *t)
{
	for (size_t i = 0; i < m->nthr; i++) {
		const struct cv_thr *w = m->thr[i];
		if (w != t && lock_waiting(w) && holder_of(m, w) == t)
			return true;
	}
	return false;
}

static uint32_t lowest_tid(const struct cv_wait_chain *c)
{
	uint32_t lo = c->link[c->cycle_at].tid;
	for (uint32_t i = c->cycle_at + 1; i < c->n; i++)
		if (c->link[i].tid < lo)
			lo = c->link[i].tid;
	return lo;
}

bool cv_model_wait_chain_next(const struct cv_model *m, size_t *cursor, struct cv_wait_chain *out)
{
	while (*cursor < m->nthr) {
		const struct cv_thr *t = m->thr[(*cursor)++];
		if (!cv_model_wait_chain(m, &t->pub, out))
			continue;
		bool in_cycle = out->end == CV_CHAIN_CYCLE && out->cycle_at == 0;
		if (in_cycle ? lowest_tid(out) == t->pub.tid : !waited_for(m, t))
			return true;
	}
	return false;
}
