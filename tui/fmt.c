/* fmt.c — the TUI's side of the shared formatting (common/fmt.h): durations
 * in the terminal's charset, names of syscalls, locks and threads. */
#include <stdio.h>

#include "common/names.h"
#include "tui_int.h"

char *fmt_dur(const struct tui *u, char *buf, size_t n, uint64_t ns)
{
	return cv_fmt_dur(buf, n, ns, tui_charset(u));
}

char *fmt_dur_col(const struct tui *u, char *buf, size_t n, uint64_t ns, int width)
{
	return cv_fmt_right(fmt_dur(u, buf, n, ns), n, width);
}

char *fmt_lock(char *buf, size_t n, const struct cv_model *m, uint32_t pid, uint64_t addr)
{
	const struct cv_lock *l = m ? cv_model_find_lock(m, pid, addr) : NULL;

	return cv_fmt_lock(buf, n, l ? l->name : NULL, addr);
}

char *fmt_tid(char *buf, size_t n, const struct cv_model *m, uint32_t tid)
{
	if (!tid) {
		snprintf(buf, n, "?");
		return buf;
	}
	const struct cv_thread *t = m ? cv_model_find_thread(m, tid) : NULL;
	char comm[CV_COMM_LEN + 1];
	if (t && t->comm[0]) {
		cv_fmt_clean(comm, sizeof(comm), t->comm, CV_ASCII);
		snprintf(buf, n, "T%u %s", tid, comm);
	} else
		snprintf(buf, n, "T%u", tid);
	return buf;
}

const char *fmt_sys(uint32_t sys)
{
	const char *n = cv_sys_name(sys);

	return n ? n : "?";
}

const char *fmt_uring_op(uint32_t op)
{
	const char *n = cv_uring_op_name(op);

	return n ? n : "op?";
}
