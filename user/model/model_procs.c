/* model_procs.c — the process table: one record per thread group, from its
 * first sighting (its fork, or the first event of one of its threads) to
 * its last thread's exit, with its parent, its leader's name, its exit
 * status and whether it did anything concviz traces. */
#include <stdlib.h>
#include <string.h>

#include "common/names.h"
#include "model_priv.h"

static struct cv_process *proc_new(struct cv_model *m, uint32_t pid, uint64_t ts)
{
	if (m->nproc == m->proc_cap) {
		size_t ncap = m->proc_cap ? m->proc_cap * 2 : 16;
		struct cv_process **n = realloc(m->procs, ncap * sizeof(*n));
		if (!n)
			goto nomem;
		m->procs = n;
		m->proc_cap = ncap;
	}
	struct cv_process *p = calloc(1, sizeof(*p));
	if (!p)
		goto nomem;
	if (!cv_hash_set(&m->pids, pid, m->nproc)) {
		free(p);
		goto nomem;
	}
	p->pid = pid;
	p->start_ts = ts;
	m->procs[m->nproc++] = p;
	return p;
nomem:
	cv__nomem(m);
	return NULL;
}

/* the live record of pid, made if there is none (or only an exited one) */
static struct cv_process *proc_live(struct cv_model *m, uint32_t pid, uint64_t ts)
{
	uint64_t i = cv_hash_get(&m->pids, pid);
	if (i != CV_HASH_NONE && !m->procs[i]->exited)
		return m->procs[i];
	return proc_new(m, pid, ts);
}

static void join(struct cv_thr *t, struct cv_process *p)
{
	if (t->proc == p)
		return;
	t->proc = p;
	if (p)
		p->threads++;
}

void cv__proc_attach(struct cv_model *m, struct cv_thr *t, uint64_t ts)
{
	if (t->proc && t->proc->pid == t->pub.pid)
		return;
	join(t, proc_live(m, t->pub.pid, ts));
	cv__proc_rename(t);
}

void cv__proc_fork(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev)
{
	struct cv_process *p = t->proc && t->proc->pid == ev->pid ? t->proc : NULL;
	/* a fork is a new process, even where an older one had this pid */
	if (!p)
		p = proc_new(m, ev->pid, ev->ts);
	if (!p)
		return;
	if (!p->ppid)
		p->ppid = ev->task.parent_pid;
	if (ev->flags & CV_TASK_SEED)
		p->seeded = true;
	join(t, p);
	cv__proc_rename(t);
}

void cv__proc_rename(struct cv_thr *t)
{
	if (t->proc && t->pub.tid == t->pub.pid)
		memcpy(t->proc->comm, t->pub.comm, CV_COMM_LEN);
}

void cv__proc_exit(struct cv_thr *t, uint64_t ts, int32_t status)
{
	struct cv_process *p = t->proc;
	if (!p || p->exited)
		return;
	p->exited = true;
	p->end_ts = ts;
	p->exit_status = status;
}

void cv__procs_free(struct cv_model *m)
{
	for (size_t i = 0; i < m->nproc; i++)
		free(m->procs[i]);
	free(m->procs);
	cv_hash_free(&m->pids);
}

size_t cv_model_process_count(const struct cv_model *m) { return m->nproc; }

const struct cv_process *cv_model_process(const struct cv_model *m, size_t i)
{
	return i < m->nproc ? m->procs[i] : NULL;
}

const struct cv_process *cv_model_thread_process(const struct cv_model *m, const struct cv_thread *t)
{
	(void)m;
	return cv_thr_of(t)->proc;
}

bool cv_model_process_short_lived(const struct cv_model *m, const struct cv_process *p)
{
	/* killed by a signal: something a learner must see, not a helper */
	return p->exited && !p->traced_calls && p->pid != m->target_pid &&
	       !cv_wait_signal(p->exit_status) && p->end_ts - p->start_ts < CV_SHORT_LIVED_NS;
}
