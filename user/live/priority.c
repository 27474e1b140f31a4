/* priority.c — concviz's threads ahead of the target (priority.h). */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "live/priority.h"

static bool kept_normal(void)
{
	const char *env = getenv("CONCVIZ_REALTIME");

	return env && strcmp(env, "0") == 0;
}

void cv_priority_hurry(pid_t tid, FILE *diag)
{
	struct sched_param sp = { .sched_priority = 0 };

	if (kept_normal())
		return;
	/* reset-on-fork first: it also resets a negative nice in children */
	if (sched_setscheduler(tid, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp) ||
	    setpriority(PRIO_PROCESS, (id_t)tid, -20))
		fprintf(diag, "concviz: warning: cannot raise the ring-buffer reader's priority (%s): "
			"under heavy load events may be lost\n", strerror(errno));
}

bool cv_priority_raise(FILE *diag)
{
	struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) };
	DIR *d;
	struct dirent *de;
	int err = 0;

	if (kept_normal())
		return false;
	/* every thread concviz has (the consumer, the ring-buffer reader, the
	 * recording's writer: a starved one would hold up the consumer, on the
	 * one heap arena's lock or on a full queue);
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
	return !err;
}

bool cv_priority_set_affinity(const cpu_set_t *mask)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	bool all = d != NULL;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && sched_setaffinity(atoi(de->d_name), sizeof(*mask), mask))
			all = false;
	if (d)
		closedir(d);
	return all;
}
