/* priority.c — concviz's consumer at real-time priority (priority.h). */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "live/priority.h"

void cv_priority_raise(FILE *diag)
{
	const char *env = getenv("CONCVIZ_REALTIME");
	struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) };

	if (env && strcmp(env, "0") == 0)
		return;
	/* reset-on-fork: nothing concviz might start later inherits it either */
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp))
		fprintf(diag, "concviz: warning: cannot run at real-time priority (%s): "
			"under heavy load events may be lost\n", strerror(errno));
}
