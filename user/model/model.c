/* model.c — model lifecycle, the tid and (pid, addr) tables, and the
 * read-only queries.  Event folding and time accounting live in model_feed.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_priv.h"

static const char *const state_names[CV_ST_COUNT] = {
	[CV_ST_RUNNING] = "running",     [CV_ST_RUNNABLE] = "runnable",
	[CV_ST_WAIT_DATA] = "wait_data", [CV_ST_COPY_DATA] = "copy_data",
	[CV_ST_MUX_WAIT] = "mux_wait",   [CV_ST_LOCK_WAIT] = "lock_wait",
	[CV_ST_URING_WAIT] = "uring_wait", [CV_ST_SLEEP] = "sleep",
};

const char *cv_state_name(enum cv_state st)
{
	return (unsigned)st < CV_ST_COUNT ? state_names[st] : "?";
}

enum cv_recv_kind cv_recv_kind_of(uint32_t sys, uint32_t flags)
{
	if (sys == CV_SYS_MQ_TIMEDRECEIVE)
		return CV_RECV_MQ;
	return flags & CV_CALL_PIPE ? CV_RECV_PIPE : CV_RECV_SOCKET;
}

const char *cv_recv_kind_name(enum cv_recv_kind k)
{
	static const char *const names[CV_RECV_KIND_COUNT] = {
		[CV_RECV_SOCKET] = "socket", [CV_RECV_PIPE] = "pipe", [CV_RECV_MQ] = "mq",
	};

	return (unsigned)k < CV_RECV_KIND_COUNT ? names[k] : "?";
}

bool cv_mux_timeout_written_back(uint32_t sys)
{
	return sys == CV_SYS_SELECT || sys == CV_SYS_PSELECT6 || sys == CV_SYS_PPOLL;
}

enum cv_mux_api cv_mux_api_of(uint32_t sys)
{
	switch (sys) {
	case CV_SYS_SELECT:
	case CV_SYS_PSELECT6: return CV_MUX_SELECT;
	case CV_SYS_POLL:
	case CV_SYS_PPOLL: return CV_MUX_POLL;
	default: return CV_MUX_EPOLL;
	}
}

const char *cv_mux_api_name(enum cv_mux_api a)
{
	static const char *const names[CV_MUX_API_COUNT] = {
		[CV_MUX_SELECT] = "select", [CV_MUX_POLL] = "poll", [CV_MUX_EPOLL] = "epoll",
	};

	return (unsigned)a < CV_MUX_API_COUNT ? names[a] : "?";
}

const char *cv_call_signal_name(enum cv_call_signal s)
{
	switch (s) {
	case CV_CALLSIG_RESTARTED: return "restarted";
	case CV_CALLSIG_EINTR: return "eintr";
	case CV_CALLSIG_UNRESOLVED: return "unresolved";
	default: return "";
	}
}

char *cv_call_signal_text(enum cv_call_signal s, unsigned interruptions, char *buf, size_t n)
{
	if (s == CV_CALLSIG_RESTARTED && interruptions > 1)
		snprintf(buf, n, "restarted after %u signals", interruptions);
	else if (s == CV_CALLSIG_RESTARTED)
		snprintf(buf, n, "restarted after a signal");
	else if (s == CV_CALLSIG_EINTR)
		snprintf(buf, n, "EINTR: a signal");
	else if (s == CV_CALLSIG_UNRESOLVED)
		snprintf(buf, n, "a signal, no result seen");
	else
		snprintf(buf, n, "%s", "");
	return buf;
}

const char *cv_lost_where_name(enum cv_lost_where w)
{
	static const char *const names[CV_LOST_WHERE_COUNT] = {
		[CV_LOST_UNKNOWN] = "where_unknown", [CV_LOST_RING] = "in_ring_buffer",
		[CV_LOST_MEMORY] = "in_memory",
	};

	return (unsigned)w < CV_LOST_WHERE_COUNT ? names[w] : "?";
}

const char *cv_lost_where_text(enum cv_lost_where w)
{
	static const char *const texts[CV_LOST_WHERE_COUNT] = {
		[CV_LOST_UNKNOWN] = "where not recorded", [CV_LOST_RING] = "ring buffer full",
		[CV_LOST_MEMORY] = "concviz's queue full",
	};

	return (unsigned)w < CV_LOST_WHERE_COUNT ? texts[w] : "?";
}

const char *cv_lock_kind_name(enum cv_lock_kind k)
{
	static const char *const names[CV_LK_COUNT] = {
		[CV_LK_FUTEX] = "futex",     [CV_LK_MUTEX] = "mutex",     [CV_LK_CONDVAR] = "condvar",
		[CV_LK_SEMAPHORE] = "semaphore", [CV_LK_RWLOCK] = "rwlock", [CV_LK_BARRIER] = "barrier",
		[CV_LK_JOIN] = "join",       [CV_LK_GIL] = "gil",         [CV_LK_EVENT] = "event",
		[CV_LK_QUEUE] = "queue",
	};

	return (unsigned)k < CV_LK_COUNT ? names[k] : "?";
}

bool cv_lock_kind_is_signal_wait(enum cv_lock_kind k)
{
	return k == CV_LK_CONDVAR || k == CV_LK_EVENT || k == CV_LK_QUEUE ||
	       k == CV_LK_SEMAPHORE || k == CV_LK_JOIN || k == CV_LK_BARRIER;
}

bool cv_lock_kind_can_deadlock(enum cv_lock_kind k)
{
	return !cv_lock_kind_is_signal_wait(k) || k == CV_LK_SEMAPHORE || k == CV_LK_JOIN;
}

/* ---- lifecycle ---------------------------------------------------------- */

struct cv_model *cv_model_new(const struct cv_model_hooks *hooks)
{
	struct cv_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	if (hooks)
		m->hooks = *hooks;
	return m;
}

void cv_model_free(struct cv_model *m)
{
	if (!m)
		return;
	cv__fds_free(m); /* before the threads: their by_fd tables */
	for (size_t i = 0; i < m->nthr; i++) {
		free(m->thr[i]->buckets);
		free(m->thr[i]);
	}
	for (size_t i = 0; i < m->nlk; i++) {
		free(m->lk[i]->name);
		free(m->lk[i]->waiters);
		free(m->lk[i]->wakers);
		free(m->lk[i]);
	}
	size_t it = 0;
	uint64_t v;
	while ((v = cv_hash_each(&m->shared, &it)) != CV_HASH_NONE)
		free((void *)(uintptr_t)v);
	it = 0;
	while ((v = cv_hash_each(&m->aliases, &it)) != CV_HASH_NONE)
		free((void *)(uintptr_t)v);
	cv_hash_free(&m->shared);
	cv_hash_free(&m->aliases);
	free(m->thr);
	cv_hash_free(&m->tids);
	free(m->lk);
	cv_hash_free(&m->locks);
	free(m->dl);
	free(m->pend);
	cv_hash_free(&m->joins);
	cv__pending_free(m);
	cv__procs_free(m);
	free(m->target_cmd);
	free(m);
}

void cv_model_set_start(struct cv_model *m, uint64_t ts)
{
	m->start = ts;
	m->start_set = true;
	if (m->now < ts)
		m->now = ts;
}

void cv_model_set_target(struct cv_model *m, uint32_t pid, const char *command)
{
	m->target_pid = pid;
	free(m->target_cmd);
	m->target_cmd = command ? strdup(command) : NULL;
}

void cv_model_set_target_exit(struct cv_model *m, int exit_code)
{
	m->target_exit_set = true;
	m->target_exit = exit_code;
}

/* ---- tid table ---------------------------------------------------------- */

struct cv_thr *cv__find(const struct cv_model *m, uint32_t tid)
{
	struct cv_thr *r = m->recent[tid % CV_RECENT];

	if (r && r->pub.tid == tid)
		return r;
	uint64_t i = cv_hash_get(&m->tids, tid);
	return i == CV_HASH_NONE ? NULL : m->thr[i];
}

struct cv_thr *cv__find_recent(struct cv_model *m, uint32_t tid)
{
	struct cv_thr *t = cv__find(m, tid);

	if (t)
		m->recent[tid % CV_RECENT] = t;
	return t;
}

struct cv_thr *cv__new_thread(struct cv_model *m, uint32_t tid, uint32_t pid, uint64_t ts,
			      enum cv_state st, bool on_cpu)
{
	if (m->nthr == m->thr_cap) {
		size_t ncap = m->thr_cap ? m->thr_cap * 2 : 16;
		struct cv_thr **n = realloc(m->thr, ncap * sizeof(*n));
		if (!n)
			goto nomem;
		m->thr = n;
		m->thr_cap = ncap;
	}
	struct cv_thr *t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	if (!cv_hash_set(&m->tids, tid, m->nthr)) {
		free(t);
		goto nomem;
	}
	t->pub.tid = tid;
	t->pub.pid = pid;
	t->pub.first_ts = ts;
	t->pub.state = st;
	t->pub.state_since = ts;
	t->pub.state_entered = ts;
	t->pub.on_cpu = on_cpu;
	t->seen_on_cpu = on_cpu;
	t->first_bucket = cv__bucket_of(m, ts);
	m->thr[m->nthr++] = t;
	m->recent[tid % CV_RECENT] = t;
	cv__proc_attach(m, t, ts);
	return t;
nomem:
	cv__nomem(m);
	return NULL;
}

/* ---- lock table --------------------------------------------------------- */

static struct cv_lock *lock_find(const struct cv_model *m, uint32_t pid, uint64_t addr)
{
	size_t it = 0;
	uint64_t i;

	while ((i = cv_hash_next(&m->locks, cv__lock_key(pid, addr), &it)) != CV_HASH_NONE)
		if (m->lk[i]->pid == pid && m->lk[i]->addr == addr)
			return m->lk[i];
	it = 0;
	while ((i = cv_hash_next(&m->aliases, cv__lock_key(pid, addr), &it)) != CV_HASH_NONE) {
		const struct cv_lock_alias *a = (const struct cv_lock_alias *)(uintptr_t)i;
		if (a->pid == pid && a->addr == addr)
			return a->lock;
	}
	return NULL;
}

static struct cv_lock *lock_new(struct cv_model *m, uint32_t pid, uint64_t addr)
{
	if (m->nlk == m->lk_cap) {
		size_t ncap = m->lk_cap ? m->lk_cap * 2 : 16;
		struct cv_lock **n = realloc(m->lk, ncap * sizeof(*n));
		if (!n)
			goto nomem;
		m->lk = n;
		m->lk_cap = ncap;
	}
	struct cv_lock *l = calloc(1, sizeof(*l));
	if (!l)
		goto nomem;
	l->pid = pid;
	l->addr = addr;
	l->name = cv__pending_take(m, pid, addr);
	if (!l->name && m->hooks.name_lock) {
		const char *n = m->hooks.name_lock(m->hooks.ctx, pid, addr);
		if (n && !(l->name = strdup(n)))
			cv__nomem(m);
	}
	l->kind = cv__kind_of_name(l->name);
	if (!cv_hash_add(&m->locks, cv__lock_key(pid, addr), m->nlk)) {
		free(l->name);
		free(l);
		goto nomem;
	}
	m->lk[m->nlk++] = l;
	return l;
nomem:
	cv__nomem(m);
	return NULL;
}

struct cv_lock *cv__lock(struct cv_model *m, uint32_t pid, uint64_t addr, bool create)
{
	struct cv_lock *found = lock_find(m, pid, addr);
	if (found || !create)
		return found;
	return lock_new(m, pid, addr);
}

static uint64_t shared_hash(const struct cv_shared_key *k)
{
	return cv_hash_pair(cv_hash_pair(k->dev, k->ino), k->off);
}

/* The lock a shared key names, NULL if none yet. */
static struct cv_lock *shared_find(const struct cv_model *m, const struct cv_shared_key *k)
{
	size_t it = 0;
	uint64_t v;

	while ((v = cv_hash_next(&m->shared, shared_hash(k), &it)) != CV_HASH_NONE) {
		const struct cv_lock_alias *a = (const struct cv_lock_alias *)(uintptr_t)v;
		if (a->key.dev == k->dev && a->key.ino == k->ino && a->key.off == k->off)
			return a->lock;
	}
	return NULL;
}

static bool remember(struct cv_model *m, struct cv_hash *h, uint64_t hkey, uint32_t pid,
		     uint64_t addr, const struct cv_shared_key *k, struct cv_lock *l)
{
	struct cv_lock_alias *a = malloc(sizeof(*a));
	if (!a || !cv_hash_add(h, hkey, (uintptr_t)a)) {
		free(a);
		cv__nomem(m);
		return false;
	}
	*a = (struct cv_lock_alias){ pid, addr, *k, l };
	return true;
}

void cv_model_set_lock_shared(struct cv_model *m, uint32_t pid, uint64_t addr,
			      const struct cv_shared_key *key)
{
	struct cv_lock *l = shared_find(m, key), *here = lock_find(m, pid, addr);

	if (l && here == l)
		return;
	if (!l) {
		/* the first process to show it: its (pid, addr) is the lock's key */
		if (!(l = here ? here : lock_new(m, pid, addr)))
			return;
		l->shared = true;
		remember(m, &m->shared, shared_hash(key), pid, addr, key, l);
		return;
	}
	if (!here) /* a process seen before its lock was: the same lock */
		remember(m, &m->aliases, cv__lock_key(pid, addr), pid, addr, key, l);
}

void cv_model_set_lock_name(struct cv_model *m, uint32_t pid, uint64_t addr, const char *name)
{
	char *copy = name ? strdup(name) : NULL;
	if (name && !copy)
		cv__nomem(m);
	struct cv_lock *l = cv__lock(m, pid, addr, false);
	if (l) {
		free(l->name);
		l->name = copy;
		l->kind = cv__kind_merge(l->kind, cv__kind_of_name(copy));
		return;
	}
	cv__pending_put(m, pid, addr, copy);
}

/* ---- queries ------------------------------------------------------------ */

uint64_t cv_model_start(const struct cv_model *m) { return m->start; }
uint64_t cv_model_now(const struct cv_model *m) { return m->now; }
uint64_t cv_model_end(const struct cv_model *m) { return m->end; }
uint64_t cv_model_events(const struct cv_model *m) { return m->events; }
uint64_t cv_model_dropped(const struct cv_model *m) { return m->dropped; }

uint64_t cv_model_dropped_where(const struct cv_model *m, enum cv_lost_where where)
{
	return where < CV_LOST_WHERE_COUNT ? m->dropped_where[where] : 0;
}
uint64_t cv_model_nomem(const struct cv_model *m) { return m->nomem; }
uint32_t cv_model_target_pid(const struct cv_model *m) { return m->target_pid; }

const char *cv_model_target_command(const struct cv_model *m)
{
	return m->target_cmd ? m->target_cmd : "";
}

int cv_model_target_signal(const struct cv_model *m)
{
	return m->target_signal;
}

bool cv_model_target_exited(const struct cv_model *m, int *exit_code)
{
	if (!m->target_exit_set && !m->target_exit_inferred)
		return false;
	if (exit_code)
		*exit_code = m->target_exit;
	return true;
}

size_t cv_model_thread_count(const struct cv_model *m) { return m->nthr; }

const struct cv_thread *cv_model_thread(const struct cv_model *m, size_t i)
{
	return i < m->nthr ? &m->thr[i]->pub : NULL;
}

const struct cv_thread *cv_model_find_thread(const struct cv_model *m, uint32_t tid)
{
	struct cv_thr *t = cv__find(m, tid);
	return t ? &t->pub : NULL;
}

/* Where a thread's open segment ends: nowhere once it exited, else the END
 * timestamp, else model now. */
static uint64_t open_until(const struct cv_model *m, const struct cv_thread *t)
{
	if (t->exited)
		return t->state_since;
	uint64_t lim = m->end ? m->end : m->now;
	return lim > t->state_since ? lim : t->state_since;
}

void cv_model_thread_times(const struct cv_model *m, const struct cv_thread *t,
			   uint64_t out[CV_ST_COUNT])
{
	memcpy(out, t->time_ns, sizeof(t->time_ns));
	if ((unsigned)t->state < CV_ST_COUNT)
		out[t->state] += open_until(m, t) - t->state_since;
}

bool cv_model_thread_as_kernel(const struct cv_model *m, const struct cv_thread *t,
			       uint64_t *cpu_ns, uint64_t *run_delay_ns)
{
	uint64_t tm[CV_ST_COUNT];
	int64_t on, queued;

	if (!t->kclock.seen)
		return false;
	cv_model_thread_times(m, t, tm);
	on = cv__sat_add(cv__sat_add(cv__to_i64(tm[CV_ST_RUNNING]), cv__to_i64(tm[CV_ST_COPY_DATA])),
			 cv__sat_add(t->kclock.runnable_as_cpu_ns,
				     -cv__to_i64(t->kclock.running_as_sleep_ns)));
	on = cv__sat_add(on, -cv__to_i64(t->kernel_uncharged_ns));
	queued = cv__sat_add(cv__to_i64(tm[CV_ST_RUNNABLE]),
			     t->kclock.runnable_as_cpu_ns == INT64_MIN ? INT64_MAX
								: -t->kclock.runnable_as_cpu_ns);
	*cpu_ns = on > 0 ? (uint64_t)on : 0;
	*run_delay_ns = queued > 0 ? (uint64_t)queued : 0;
	return true;
}

void cv_model_thread_lock_wait_by_kind(const struct cv_model *m, const struct cv_thread *t,
				       uint64_t out[CV_LK_COUNT])
{
	memcpy(out, t->lock_wait_ns, sizeof(t->lock_wait_ns));
	if (t->state == CV_ST_LOCK_WAIT && t->block_kind < CV_LK_COUNT)
		out[t->block_kind] += open_until(m, t) - t->state_since;
}

bool cv_model_thread_bucket(const struct cv_model *m, const struct cv_thread *t,
			    uint64_t b, struct cv_bucket *out)
{
	memset(out, 0, sizeof(*out));
	const struct cv_thr *th = cv_thr_of(t);
	uint64_t lim = open_until(m, t);
	uint64_t now_b = cv__bucket_of(m, m->end ? m->end : m->now);
	if (b < th->first_bucket || b > now_b)
		return false;
	if (th->buckets) {
		if (b + th->bucket_cap <= th->last_bucket)
			return false; /* overwritten already */
		if (b <= th->last_bucket)
			*out = th->buckets[b % th->bucket_cap];
	}
	/* the open segment's share */
	if (lim > t->state_since && (unsigned)t->state < CV_ST_COUNT) {
		uint64_t lo = b ? m->start + b * CV_BUCKET_NS : 0;
		uint64_t hi = m->start + (b + 1) * CV_BUCKET_NS;
		uint64_t a = t->state_since > lo ? t->state_since : lo;
		uint64_t z = lim < hi ? lim : hi;
		if (z > a) {
			uint64_t v = out->ns[t->state] + (z - a);
			out->ns[t->state] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		}
	}
	return true;
}

/* record i (0 the newest) of a history ring of cap records, head written */
static const void *hist_at(const void *ring, size_t size, uint32_t cap, uint32_t head, size_t i)
{
	if (i >= cap || i >= head)
		return NULL;
	return (const char *)ring + (size_t)((head - 1 - (uint32_t)i) % cap) * size;
}

#define HIST_AT(t, kind, cap, i) \
	hist_at(cv_thr_of(t)->kind##_hist, sizeof(struct cv_##kind##_rec), cap, cv_thr_of(t)->kind##_head, i)

const struct cv_recv_rec *cv_model_thread_recv(const struct cv_model *m, const struct cv_thread *t,
					       size_t i)
{
	(void)m;
	return HIST_AT(t, recv, CV_HIST_RECV, i);
}

const struct cv_mux_rec *cv_model_thread_mux(const struct cv_model *m, const struct cv_thread *t,
					     size_t i)
{
	(void)m;
	return HIST_AT(t, mux, CV_HIST_MUX, i);
}

const struct cv_futex_rec *cv_model_thread_futex(const struct cv_model *m, const struct cv_thread *t,
						 size_t i)
{
	(void)m;
	return HIST_AT(t, futex, CV_HIST_FUTEX, i);
}

const struct cv_uring_rec *cv_model_thread_uring(const struct cv_model *m, const struct cv_thread *t,
						 size_t i)
{
	(void)m;
	return HIST_AT(t, uring, CV_HIST_URING, i);
}

size_t cv_model_lock_count(const struct cv_model *m) { return m->nlk; }

const struct cv_lock *cv_model_lock(const struct cv_model *m, size_t i)
{
	return i < m->nlk ? m->lk[i] : NULL;
}

const struct cv_lock *cv_model_find_lock(const struct cv_model *m, uint32_t pid, uint64_t addr)
{
	return cv__lock((struct cv_model *)m, pid, addr, false);
}
