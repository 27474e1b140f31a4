/* model_waits.c — the wait-for graph (model.h): one walk from a thread that
 * waits for a lock through the lock's holder, used by the deadlock search
 * while events are folded and by the wait-chain queries of "now". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fmt.h"

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

/* The deadlock already recorded for d's set of threads, or NULL. */
static struct cv_deadlock *known(const struct cv_model *m, const struct cv_deadlock *d)
{
	uint32_t want[CV_DEADLOCK_MAX], have[CV_DEADLOCK_MAX];
	sorted_tids(d, want);
	for (size_t i = 0; i < m->ndl; i++) {
		if (m->dl[i].n != d->n)
			continue;
		sorted_tids(&m->dl[i], have);
		if (memcmp(have, want, d->n * sizeof(*want)) == 0)
			return &m->dl[i];
	}
	return NULL;
}

static void add_deadlock(struct cv_model *m, const struct cv_deadlock *d)
{
	if (m->ndl == m->dl_cap) {
		size_t ncap = m->dl_cap ? m->dl_cap * 2 : 4;
		struct cv_deadlock *n = realloc(m->dl, ncap * sizeof(*n));
		if (!n) {
			cv__nomem(m);
			return;
		}
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
	struct cv_deadlock d = { .confirmed = true, .ts = ts, .n = c.n };
	for (uint32_t i = 0; i < c.n; i++) {
		d.tids[i] = c.link[i].tid;
		d.pids[i] = c.link[i].pid;
		d.addrs[i] = c.link[i].addr;
	}
	struct cv_deadlock *k = known(m, &d);
	if (!k)
		add_deadlock(m, &d);
	else if (!k->confirmed) /* the holders became known: it is one */
		*k = d;
}

/* ---- possible deadlocks: the wait pattern ------------------------------------- */

/* Blocked on a lock that can deadlock, since at least CV_STUCK_NS before now. */
static bool stuck(const struct cv_thr *t, uint64_t now)
{
	return lock_waiting(t) && cv_lock_kind_can_deadlock(t->pub.block_kind) &&
	       now >= t->pub.state_since + CV_STUCK_NS;
}

static bool runs(const struct cv_thr *t)
{
	return !t->pub.exited && (t->pub.on_cpu || t->pub.state == CV_ST_RUNNABLE ||
				  t->pub.state == CV_ST_RUNNING);
}

/* Blocked where the outside world can wake it (data, a connection, a
 * completion): it may yet release what the others wait for, e.g. a
 * server's main thread in accept() while its idle workers wait for jobs. */
static bool waits_for_io(const struct cv_thr *t)
{
	switch (t->pub.state) {
	case CV_ST_WAIT_DATA: case CV_ST_COPY_DATA: case CV_ST_MUX_WAIT: case CV_ST_URING_WAIT:
		return !t->pub.exited;
	default:
		return false;
	}
}

/* Some confirmed deadlock has every thread of d? */
static bool covered(const struct cv_model *m, const struct cv_deadlock *d)
{
	for (size_t i = 0; i < m->ndl; i++) {
		const struct cv_deadlock *c = &m->dl[i];
		uint32_t hit = 0;
		if (!c->confirmed)
			continue;
		for (uint32_t a = 0; a < d->n; a++)
			for (uint32_t b = 0; b < c->n; b++)
				hit += d->tids[a] == c->tids[b];
		if (hit == d->n || hit == c->n)
			return true;
	}
	return false;
}

/* The pattern in process pid: its stuck threads into d (false: not the
 * pattern, i.e. fewer than 2 stuck, all on one lock — a cycle needs two —
 * or one of its threads runs or waits for IO). */
static bool pattern(const struct cv_model *m, uint32_t pid, uint64_t now, struct cv_deadlock *d)
{
	uint32_t distinct = 0;      /* different locks among the stuck */

	*d = (struct cv_deadlock){ .until = now };
	for (size_t i = 0; i < m->nthr; i++) {
		const struct cv_thr *t = m->thr[i];
		if (t->pub.pid != pid || t->pub.exited)
			continue;
		if (runs(t) || waits_for_io(t))
			return false;
		if (!stuck(t, now) || d->n == CV_DEADLOCK_MAX)
			continue;
		for (uint32_t k = 0; k < d->n; k++)
			distinct -= d->addrs[k] == t->waiting->addr;
		distinct++;
		d->tids[d->n] = t->pub.tid;
		d->pids[d->n] = pid;
		d->addrs[d->n] = t->waiting->addr;
		if (t->pub.state_since > d->since)
			d->since = t->pub.state_since;
		d->n++;
	}
	/* when it became the pattern, as far as the states tell: the same live
	 * and in a replay, whenever the check ran */
	d->ts = d->since + CV_STUCK_NS;
	return d->n >= 2 && distinct >= 2;
}

void cv__check_stuck(struct cv_model *m, uint64_t now)
{
	struct cv_hash seen = { 0 };

	for (size_t i = 0; i < m->nthr; i++) {
		const struct cv_thr *t = m->thr[i];
		struct cv_deadlock d;
		/* one look per process, from its first stuck thread */
		if (!stuck(t, now) || cv_hash_get(&seen, t->pub.pid) != CV_HASH_NONE)
			continue;
		cv_hash_set(&seen, t->pub.pid, 1);
		if (!pattern(m, t->pub.pid, now, &d) || covered(m, &d))
			continue;
		struct cv_deadlock *k = known(m, &d);
		if (!k)
			add_deadlock(m, &d);
		else if (!k->confirmed && k->since == d.since)
			k->until = now; /* the same waits, still stuck */
	}
	cv_hash_free(&seen);
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

/* ---- words -------------------------------------------------------------------- */

char *cv_model_deadlock_text(const struct cv_model *m, const struct cv_deadlock *d,
			     char *buf, size_t n)
{
	size_t pos;
	char name[128], dur[32];

	if (!n)
		return buf;
	pos = (size_t)snprintf(buf, n, "%s:", d->confirmed ? "deadlock" : "possible deadlock");
	for (uint32_t k = 0; k < d->n && pos < n; k++) {
		const struct cv_lock *l = cv_model_find_lock(m, d->pids[k], d->addrs[k]);
		cv_fmt_lock(name, sizeof(name), l ? l->name : NULL, d->addrs[k]);
		pos += (size_t)snprintf(buf + pos, n - pos, "%s T%u waits %s", k ? "," : "",
					d->tids[k], name);
		if (d->confirmed && pos < n)
			pos += (size_t)snprintf(buf + pos, n - pos, " held by T%u",
						d->tids[(k + 1) % d->n]);
	}
	if (!d->confirmed && pos < n)
		snprintf(buf + pos, n - pos, ", %s for %s, no thread of the process running; "
			 "holders unknown", d->n == 2 ? "both" : "all",
			 cv_fmt_dur(dur, sizeof(dur), d->until - d->since, CV_ASCII));
	return buf;
}
