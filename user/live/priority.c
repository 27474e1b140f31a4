/* priority.c — concviz's threads at real-time priority (priority.h). */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "live/priority.h"

void cv_priority_raise(FILE *diag)
{
	const char *env = getenv("CONCVIZ_REALTIME");
	struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) };
	DIR *d;
	struct dirent *de;
	int err = 0;

	if (env && strcmp(env, "0") == 0)
		return;
	/* every thread of concviz (the consumer and the ring-buffer reader);
	 * reset-on-fork: nothing concviz starts later inherits it */
	if (!(d = opendir("/proc/self/task"))) {
		err = errno;
	} else {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' &&
			    sched_setscheduler(atoi(de->d_name), SCHED_FIFO | SCHED_RESET_ON_FORK, &sp))
				err = errno;
		closedir(d);
	}
	if (err)
		fprintf(diag, "concviz: warning: cannot run at real-time priority (%s): "
			"under heavy load events may be lost\n", strerror(err));
}
