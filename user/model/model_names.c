/* model_names.c — lock names given before the lock is first seen (recorded
 * names, join futexes of new threads), keyed by (pid, addr) in a hash table
 * (common/hash.h), so a program creating thousands of threads stays O(1);
 * and the words a thread's lock wait is shown with (cv_model_wait_label). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fmt.h"

#include "model_priv.h"

struct cv_pending_name {        /* cv_model_set_lock_name before the lock was seen */
	uint32_t pid;
	uint64_t addr;
	char *name;
};

static struct cv_pending_name *pend_find(const struct cv_model *m, uint32_t pid, uint64_t addr)
{
	size_t it = 0;
	uint64_t v;

	while ((v = cv_hash_next(&m->pending, cv__lock_key(pid, addr), &it)) != CV_HASH_NONE) {
		struct cv_pending_name *p = (struct cv_pending_name *)(uintptr_t)v;

		if (p->pid == pid && p->addr == addr)
			return p;
	}
	return NULL;
}

char *cv__pending_take(struct cv_model *m, uint32_t pid, uint64_t addr)
{
	struct cv_pending_name *p = pend_find(m, pid, addr);
	char *name;

	if (!p)
		return NULL;
	cv_hash_del(&m->pending, cv__lock_key(pid, addr), (uintptr_t)p);
	name = p->name;
	free(p);
	return name;
}

void cv__pending_put(struct cv_model *m, uint32_t pid, uint64_t addr, char *name)
{
	struct cv_pending_name *p;

	free(cv__pending_take(m, pid, addr));
	if (!name)
		return;
	p = malloc(sizeof(*p));
	if (!p || !cv_hash_add(&m->pending, cv__lock_key(pid, addr), (uintptr_t)p)) {
		free(p);
		free(name);
		cv__nomem(m);
		return;
	}
	*p = (struct cv_pending_name){ pid, addr, name };
}

void cv__pending_free(struct cv_model *m)
{
	size_t it = 0;
	uint64_t v;

	while ((v = cv_hash_each(&m->pending, &it)) != CV_HASH_NONE) {
		struct cv_pending_name *p = (struct cv_pending_name *)(uintptr_t)v;

		free(p->name);
		free(p);
	}
	cv_hash_free(&m->pending);
}

/* ---- labels ---------------------------------------------------------------- */

char *cv_model_wait_label(const struct cv_model *m, const struct cv_thread *t, char *buf, size_t n)
{
	const struct cv_lock *l;
	const char *kind;
	char name[128];
	size_t kl;

	if (n)
		buf[0] = '\0';
	if (t->exited || t->state != CV_ST_LOCK_WAIT || !n)
		return buf;
	l = cv_model_find_lock(m, t->pid, t->block_obj);
	kind = cv_lock_kind_name((enum cv_lock_kind)t->block_kind);
	if (t->block_kind == CV_LK_GIL) {
		snprintf(buf, n, "waiting: GIL");
		return buf;
	}
	cv_fmt_lock(name, sizeof(name), l ? l->name : NULL, t->block_obj);
	kl = strlen(kind);
	/* "join T42" says its kind already */
	if (strncasecmp(name, kind, kl) == 0 && (!name[kl] || isspace((unsigned char)name[kl])))
		snprintf(buf, n, "waiting: %s", name);
	else
		snprintf(buf, n, "waiting: %s %s", kind, name);
	return buf;
}
