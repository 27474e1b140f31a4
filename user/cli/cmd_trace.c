/* cmd_trace.c — a live session to its end, shown or summarised (cmd_trace.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "cli/cmd_trace.h"
#include "output/report.h"
#include "tui/tui.h"

static int run_batch(const struct cv_source *src, const struct cv_session_opts *o)
{
	struct cv_report_extra extra = { .all_processes = o->all_processes };
	int rc;

	while ((rc = src->pump(src->ctx, 100)) == 0)
		;
	/* failed (a recording whose disk filled): the session said why, and
	 * its model is whole: the summary still goes out */
	if (o->json)
		cv_report_json(stdout, src->model(src->ctx), &extra);
	else
		cv_report_text(stdout, src->model(src->ctx), &extra);
	if (fflush(stdout) || ferror(stdout)) {
		cv_warn("cannot write the summary to stdout: %s", strerror(errno));
		return 1;
	}
	return rc < 0;
}

int cv_cmd_trace(struct cv_session_opts *o)
{
	struct cv_session *s;
	struct cv_source src;
	int rc;

	o->tui = !o->report && !o->json && isatty(STDOUT_FILENO);
	if (!(s = cv_session_start(o)))
		return 1;
	cv_session_source(s, &src);
	rc = o->tui ? cv_tui_run(&src) : run_batch(&src, o);
	return cv_session_end(s, rc);
}
