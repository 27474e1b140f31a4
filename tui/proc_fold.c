/* proc_fold.c — processes in the Threads view: a process folded into one
 * row (key p on any of its threads, again to unfold), and short-lived
 * helper processes (cv_model_process_short_lived: exec wrappers, shell
 * helpers) hidden behind one summary line until key a shows them. */
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

static int fold_slot(const struct tui *u, uint32_t pid)
{
	for (int i = 0; i < u->nfolded; i++)
		if (u->folded[i] == pid)
			return i;
	return -1;
}

void tui_fold_frame_start(struct tui *u)
{
	for (int i = 0; i < u->nfolded; i++)
		u->folded_row[i] = -1;
}

enum tui_proc_row tui_proc_row_of(struct tui *u, const struct cv_thread *t, int *slot)
{
	const struct cv_process *p = cv_model_thread_process(u->m, t);
	if (!p)
		return TUI_ROW_OWN;
	if (!u->show_short && cv_model_process_short_lived(u->m, p))
		return TUI_ROW_HIDDEN;
	int i = fold_slot(u, p->pid);
	if (i < 0)
		return TUI_ROW_OWN;
	if (u->folded_row[i] < 0) {
		*slot = i;
		return TUI_ROW_FOLD_NEW;
	}
	u->rows[u->folded_row[i]].fold_n++;
	return TUI_ROW_HIDDEN;
}

void tui_fold_row_made(struct tui *u, int slot, int row)
{
	if (slot >= 0 && slot < u->nfolded)
		u->folded_row[slot] = row;
}

size_t tui_short_hidden(const struct tui *u, char *names, size_t n)
{
	size_t count = 0, len = 0;
	if (n)
		names[0] = 0;
	if (!u->m || u->show_short)
		return 0;
	size_t np = cv_model_process_count(u->m);
	for (size_t i = 0; i < np; i++) {
		const struct cv_process *p = cv_model_process(u->m, i);
		if (!cv_model_process_short_lived(u->m, p))
			continue;
		count++;
		char c[CV_COMM_LEN + 1];
		cv_fmt_clean(c, sizeof(c), p->comm[0] ? p->comm : "?", CV_ASCII);
		bool named = false;  /* each name once: "bash" in ", bash," or at the start */
		for (const char *s = names; !named && (s = strstr(s, c)); s += strlen(c))
			named = (s == names || s[-1] == ' ') && (s[strlen(c)] == ',' || !s[strlen(c)]);
		if (named || len + strlen(c) + 8 >= n)
			continue;
		len += (size_t)snprintf(names + len, n - len, "%s%s", len ? ", " : "", c);
	}
	return count;
}

bool tui_key_fold(struct tui *u, int ch)
{
	(void)ch;
	tui_rows_build(u);
	const struct cv_thread *t = u->nrows ? u->rows[u->sel].t : NULL;
	const struct cv_process *p = t ? cv_model_thread_process(u->m, t) : NULL;
	char msg[96];
	if (!p) {
		tui_message(u, "no thread selected");
		return true;
	}
	int i = fold_slot(u, p->pid);
	if (i >= 0) {
		u->folded[i] = u->folded[--u->nfolded];
		snprintf(msg, sizeof(msg), "process %u unfolded: one row per thread", p->pid);
	} else if (u->nfolded == TUI_FOLD_MAX) {
		snprintf(msg, sizeof(msg), "%d processes folded already: unfold one first", TUI_FOLD_MAX);
	} else {
		u->folded[u->nfolded++] = p->pid;
		snprintf(msg, sizeof(msg), "process %u folded into one row (p again unfolds)", p->pid);
	}
	tui_message(u, msg);
	return true;
}

bool tui_key_short(struct tui *u, int ch)
{
	(void)ch;
	u->show_short = !u->show_short;
	tui_message(u, u->show_short ? "short-lived helper processes shown"
				     : "short-lived helper processes folded into one line");
	return true;
}
