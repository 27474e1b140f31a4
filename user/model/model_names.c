/* model_names.c — lock names given before the lock is first seen (recorded
 * names, join futexes of new threads): an open-addressing hash keyed by
 * (pid, addr), so a program creating thousands of threads stays O(1). */
#include <stdlib.h>
#include <string.h>

#include "model_priv.h"

static size_t pend_slot(const struct cv_model *m, uint32_t pid, uint64_t addr)
{
	size_t mask = m->pend_cap - 1, i = cv__lock_hash(pid, addr) & mask;

	while (m->pend[i].name && !(m->pend[i].pid == pid && m->pend[i].addr == addr))
		i = (i + 1) & mask;
	return i;
}

char *cv__pending_take(struct cv_model *m, uint32_t pid, uint64_t addr)
{
	size_t mask, i, j;
	char *name;

	if (!m->npend)
		return NULL;
	mask = m->pend_cap - 1;
	i = pend_slot(m, pid, addr);
	name = m->pend[i].name;
	if (!name)
		return NULL;
	m->pend[i].name = NULL;
	m->npend--;
	/* backward-shift deletion: keep every probe chain unbroken */
	for (j = (i + 1) & mask; m->pend[j].name; j = (j + 1) & mask) {
		size_t home = cv__lock_hash(m->pend[j].pid, m->pend[j].addr) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->pend[i] = m->pend[j];
			m->pend[j].name = NULL;
			i = j;
		}
	}
	return name;
}

static bool pend_grow(struct cv_model *m)
{
	size_t ncap = m->pend_cap ? m->pend_cap * 2 : 64, ocap = m->pend_cap;
	struct cv_pending_name *old = m->pend, *n = calloc(ncap, sizeof(*n));

	if (!n)
		return false;
	m->pend = n;
	m->pend_cap = ncap;
	for (size_t k = 0; k < ocap; k++)
		if (old[k].name)
			m->pend[pend_slot(m, old[k].pid, old[k].addr)] = old[k];
	free(old);
	return true;
}

void cv__pending_put(struct cv_model *m, uint32_t pid, uint64_t addr, char *name)
{
	free(cv__pending_take(m, pid, addr));
	if (!name)
		return;
	if ((m->npend + 1) * 2 > m->pend_cap && !pend_grow(m)) {
		free(name);
		return;
	}
	m->pend[pend_slot(m, pid, addr)] = (struct cv_pending_name){ pid, addr, name };
	m->npend++;
}

void cv__pending_free(struct cv_model *m)
{
	for (size_t i = 0; i < m->pend_cap; i++)
		free(m->pend[i].name);
	free(m->pend);
}
