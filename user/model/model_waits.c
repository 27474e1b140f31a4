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

/* a and b are of the same threads (in any order) */
static bool same_threads(const struct cv_deadlock *a, const struct cv_deadlock *b)
{
	uint32_t x[CV_DEADLOCK_MAX], y[CV_DEADLOCK_MAX];
	if (a->n != b->n)
		return false;
	sorted_tids(a, x);
	sorted_tids(b, y);
	return memcmp(x, y, a->n * sizeof(*x)) == 0;
}

/* The deadlock recorded last for d's set of threads, or NULL. */
static struct cv_deadlock *known(const struct cv_model *m, const struct cv_deadlock *d)
{
	for (size_t i = m->ndl; i-- > 0;)
		if (same_threads(&m->dl[i], d))
			return &m->dl[i];
	return NULL;
}

/* d at the end of the growing array *arr (out of memory: a counted loss) */
static void append(struct cv_model *m, struct cv_deadlock **arr, size_t *n, size_t *cap,
		   const struct cv_deadlock *d)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct cv_deadlock *a = realloc(*arr, ncap * sizeof(*a));
		if (!a) {
			cv__nomem(m);
			return;
		}
		*arr = a;
		*cap = ncap;
	}
	(*arr)[(*n)++] = *d;
}

static void add_deadlock(struct cv_model *m, const struct cv_deadlock *d)
{
	append(m, &m->dl, &m->ndl, &m->dl_cap, d);
}

/* The cycle through t, if t waits in one (t first): into d */
static bool cycle_of(const struct cv_model *m, const struct cv_thr *t, struct cv_deadlock *d)
{
	struct cv_wait_chain c;
	if (!lock_waiting(t))
		return false;
	walk(m, t, &c);
	if (c.end != CV_CHAIN_CYCLE || c.cycle_at != 0)
		return false; /* no cycle, or one that does not include t */
	*d = (struct cv_deadlock){ .confirmed = true, .n = c.n };
	for (uint32_t i = 0; i < c.n; i++) {
		const struct cv_thr *w = cv__find(m, c.link[i].tid);
		d->tids[i] = c.link[i].tid;
		d->pids[i] = c.link[i].pid;
		d->addrs[i] = c.link[i].addr;
		/* it closed with the last of its waits to begin */
		if (w && w->pub.state_since > d->ts)
			d->ts = w->pub.state_since;
	}
	return true;
}

static void confirm(struct cv_model *m, const struct cv_deadlock *d)
{
	struct cv_deadlock *k = known(m, d);
	if (!k)
		add_deadlock(m, d);
	else if (!k->confirmed) /* the holders became known: it is one */
		*k = *d;
}

/* Pending: the cycle of these threads, already waiting to be judged */
static bool pending(const struct cv_model *m, const struct cv_deadlock *d)
{
	for (size_t i = 0; i < m->npend; i++)
		if (same_threads(&m->pend[i], d))
			return true;
	return false;
}

void cv__check_deadlock(struct cv_model *m, const struct cv_thr *t, uint64_t ts)
{
	struct cv_deadlock d;
	if (!cycle_of(m, t, &d))
		return;
	d.ts = ts > d.ts ? ts : d.ts; /* judged CV_CYCLE_CONFIRM_NS after this block */
	const struct cv_deadlock *k = known(m, &d);
	if ((k && k->confirmed) || pending(m, &d))
		return;
	append(m, &m->pend, &m->npend, &m->pend_cap, &d);
}

void cv__confirm_cycles(struct cv_model *m, uint64_t at, bool at_end)
{
	size_t keep = 0;
	for (size_t i = 0; i < m->npend; i++) {
		struct cv_deadlock p = m->pend[i], d;
		if (!at_end && at < p.ts + CV_CYCLE_CONFIRM_NS) {
			m->pend[keep++] = p;
			continue;
		}
		const struct cv_thr *t = cv__find(m, p.tids[0]);
		if (t && !t->pub.exited && cycle_of(m, t, &d) && same_threads(&p, &d))
			confirm(m, &d);
	}
	m->npend = keep;
}

/* ---- possible deadlocks: the wait pattern ------------------------------------- */

/* Blocked on a wait that can deadlock, since at least CV_STUCK_NS before
 * now; not a wait of unknown kind already under way at attach (an idle
 * thread's condvar or event looks the same) */
static bool stuck(const struct cv_model *m, const struct cv_thr *t, uint64_t now)
{
	if (!lock_waiting(t) || !cv_lock_kind_can_deadlock(t->pub.block_kind) ||
	    (t->seed_in_call && t->pub.block_kind == CV_LK_FUTEX) ||
	    now < t->pub.state_since + CV_STUCK_NS)
		return false;
	/* a join of a thread that has exited: its wakeup is on the way (the
	 * kernel wakes the joiner after the exit) */
	if (t->pub.block_kind == CV_LK_JOIN) {
		uint64_t tid = cv_hash_get(&m->joins, cv__lock_key(t->pub.pid, t->pub.block_obj));
		const struct cv_thr *j = tid == CV_HASH_NONE ? NULL : cv__find(m, (uint32_t)tid);
		if (j && j->join_addr == t->pub.block_obj && j->pub.pid == t->pub.pid)
			return !j->pub.exited;
	}
	return true;
}

bool cv_model_thread_stuck(const struct cv_model *m, const struct cv_thread *t, uint64_t now)
{
	return stuck(m, cv_thr_of(t), now);
}

/* stuck, and not waiting for a known holder that is blocked elsewhere than
 * on a lock (asleep, in another call): that one may yet release it */
static bool stuck_for_good(const struct cv_model *m, const struct cv_thr *t, uint64_t now)
{
	const struct cv_thr *o;

	if (!stuck(m, t, now))
		return false;
	o = holder_of(m, t);
	return !o || o == t || lock_waiting(o);
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

/* How many of a's threads are b's too */
static uint32_t common_tids(const struct cv_deadlock *a, const struct cv_deadlock *b)
{
	uint32_t hit = 0;
	for (uint32_t i = 0; i < a->n; i++)
		for (uint32_t k = 0; k < b->n; k++)
			hit += a->tids[i] == b->tids[k];
	return hit;
}

/* Some confirmed deadlock has every thread of d (or d all of its)? */
static bool covered(const struct cv_model *m, const struct cv_deadlock *d)
{
	for (size_t i = 0; i < m->ndl; i++) {
		const struct cv_deadlock *c = &m->dl[i];
		uint32_t hit = c->confirmed ? common_tids(d, c) : 0;
		if (c->confirmed && (hit == d->n || hit == c->n))
			return true;
	}
	return false;
}

/* The pattern among the threads of process pid (0: of every traced
 * process, the threads stuck on process-shared locks): its stuck threads
 * into d; false when it is not the pattern (model.h, CV_STUCK_NS). */
static bool pattern(const struct cv_model *m, uint32_t pid, uint64_t now, struct cv_deadlock *d)
{
	const struct cv_lock *locks[CV_DEADLOCK_MAX];
	uint32_t distinct = 0, live = 0;
	bool shared = false;

	*d = (struct cv_deadlock){ .until = now };
	for (size_t i = 0; i < m->nthr; i++) {
		const struct cv_thr *t = m->thr[i];
		if ((pid && t->pub.pid != pid) || t->pub.exited)
			continue;
		if (runs(t) || waits_for_io(t))
			return false;
		live++;
		/* (past CV_DEADLOCK_MAX stuck threads, the first ones are named) */
		if (!stuck_for_good(m, t, now) || (!pid && !t->waiting->shared) ||
		    d->n == CV_DEADLOCK_MAX)
			continue;
		bool seen = false;
		for (uint32_t k = 0; k < distinct; k++)
			seen |= locks[k] == t->waiting;
		if (!seen)
			locks[distinct++] = t->waiting;
		shared |= t->waiting->shared;
		d->tids[d->n] = t->pub.tid;
		d->pids[d->n] = t->pub.pid;
		d->addrs[d->n] = t->pub.block_obj; /* in its own process (a shared one's too) */
		if (t->pub.state_since > d->since)
			d->since = t->pub.state_since;
		d->n++;
	}
	/* when it became the pattern, as far as the states tell: the same live
	 * and in a replay, whenever the check ran */
	d->ts = d->since + CV_STUCK_NS;
	if (d->n >= 2 && distinct >= 2)
		return true;
	return pid && d->n >= 1 && d->n == live && !shared;
}

/* A possible deadlock has every thread of d, whose waits began before it
 * was over: the same episode, after some of its threads left (died, gave
 * up) */
static bool within_possible(const struct cv_model *m, const struct cv_deadlock *d)
{
	for (size_t i = 0; i < m->ndl; i++) {
		const struct cv_deadlock *c = &m->dl[i];
		if (!c->confirmed && (!c->ended || d->since < c->ended) && c->n > d->n &&
		    common_tids(d, c) == d->n)
			return true;
	}
	return false;
}

/* A possible deadlock not over yet whose threads are all d's (d has more):
 * the same episode, joined by threads that got stuck later */
static struct cv_deadlock *grown_from(struct cv_model *m, const struct cv_deadlock *d)
{
	for (size_t i = 0; i < m->ndl; i++) {
		struct cv_deadlock *c = &m->dl[i];
		if (!c->confirmed && !c->ended && c->n < d->n && common_tids(c, d) == c->n)
			return c;
	}
	return NULL;
}

/* Record d (or that it is still there) unless a confirmed one has it. */
static void note_pattern(struct cv_model *m, const struct cv_deadlock *d, uint64_t now)
{
	struct cv_deadlock *k;

	if (covered(m, d) || within_possible(m, d))
		return;
	if ((k = grown_from(m, d))) {
		uint64_t first = k->ts;
		*k = *d;
		k->ts = first; /* first seen then */
		k->until = now;
		return;
	}
	k = known(m, d);
	if (!k || (k->ended && d->since >= k->ended)) /* none, or that one was over */
		add_deadlock(m, d);
	else if (!k->confirmed && k->since == d->since && !k->ended)
		k->until = now; /* the same waits, still stuck */
}

void cv__check_stuck(struct cv_model *m, uint64_t now, bool at_end)
{
	struct cv_hash seen = { 0 };
	bool shared = false;

	if (at_end && m->npend)
		cv__confirm_cycles(m, now, true);

	for (size_t i = 0; i < m->nthr; i++) {
		const struct cv_thr *t = m->thr[i];
		struct cv_deadlock d;
		if (!stuck(m, t, now))
			continue;
		shared |= t->waiting->shared;
		/* one look per process, from its first stuck thread */
		if (cv_hash_get(&seen, t->pub.pid) != CV_HASH_NONE)
			continue;
		cv_hash_set(&seen, t->pub.pid, 1);
		if (pattern(m, t->pub.pid, now, &d))
			note_pattern(m, &d, now);
	}
	cv_hash_free(&seen);
	struct cv_deadlock d;
	if (shared && pattern(m, 0, now, &d))
		note_pattern(m, &d, now);
}

void cv__stuck_wait_ended(struct cv_model *m, const struct cv_thr *t, uint64_t obj, uint64_t ts,
			  bool timeout)
{
	for (size_t i = 0; i < m->ndl; i++) {
		struct cv_deadlock *d = &m->dl[i];
		if (d->confirmed || d->ended || ts < d->since)
			continue;
		for (uint32_t k = 0; k < d->n; k++)
			if (d->tids[k] == t->pub.tid && d->addrs[k] == obj) {
				d->ended = ts;
				d->ended_tid = t->pub.tid;
				d->ended_timeout = timeout;
				break;
			}
	}
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
	if (d->confirmed || pos >= n)
		return buf;
	bool one_process = true;
	for (uint32_t k = 1; k < d->n; k++)
		one_process &= d->pids[k] == d->pids[0];
	pos += (size_t)snprintf(buf + pos, n - pos, ", %sfor %s, no thread of %s running; "
				"holders unknown", d->n == 1 ? "" : d->n == 2 ? "both " : "all ",
				cv_fmt_dur(dur, sizeof(dur), d->until - d->since, CV_ASCII),
				one_process ? "the process" : "these processes");
	if (d->ended && pos < n) {
		uint64_t start = cv_model_start(m), at = d->ended > start ? d->ended - start : 0;
		snprintf(buf + pos, n - pos, "; over at +%s: T%u %s",
			 cv_fmt_dur(dur, sizeof(dur), at, CV_ASCII), d->ended_tid,
			 d->ended_timeout ? "gave up waiting (a timeout)"
					  : "got its lock, so it was not a deadlock");
	}
	return buf;
}
