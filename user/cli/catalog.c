/* catalog.c — see catalog.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/catalog.h"

const struct cv_example cv_examples[] = {
	{ "tour",        "one thread per IO model (blocking, non-blocking, epoll, io_uring) and a lock group, all at once" },
	{ "blocking",    "blocking recvfrom: the caller sleeps through wait-for-data and copy-data" },
	{ "nonblocking", "O_NONBLOCK recvfrom polled in a loop: EAGAIN until data arrives (--poll-interval-us N)" },
	{ "multiplexed", "one thread serves several clients: block in select/poll/epoll, then recvfrom (--api)" },
	{ "iouring",     "io_uring async receives: no thread waits, the kernel copies (--wait to block for completions)" },
	{ "locks",       "N threads contend on one global mutex around a shared counter (--threads N, --recursive)" },
	{ "deadlock",    "two threads take two mutexes in opposite orders and deadlock (then time out)" },
	{ "semaphore",   "20 threads share a counting semaphore of 5 permits" },
	{ "prodcons",    "producers and consumers over a bounded queue with condition variables" },
	{ "event",       "a traffic light sets and clears an event; car threads wait on it" },
	{ "gil",         "CPU-bound threads behind one global interpreter-style lock (--no-gil to compare)" },
	{ "coroutines",  "one thread, many ucontext coroutines serving sockets: user-space switches, few kernel ones" },
	{ "procs",       "the same work by a pool of forked processes or of threads (--mode procs|threads)" },
	{ "ipc",         "a queue between processes: a producer process sends to a consumer through a pipe and a POSIX message queue" },
};
const size_t cv_example_count = sizeof(cv_examples) / sizeof(cv_examples[0]);

const struct cv_example *cv_example_find(const char *name)
{
	for (size_t i = 0; i < cv_example_count; i++)
		if (strcmp(cv_examples[i].name, name) == 0)
			return &cv_examples[i];
	return NULL;
}

static int try_path(char *buf, size_t len, const char *dir, const char *sub, const char *name)
{
	int n = snprintf(buf, len, "%s%s/%s", dir, sub, name);

	return n > 0 && (size_t)n < len && access(buf, X_OK) == 0 ? 0 : -1;
}

int cv_example_path(const char *name, char *buf, size_t len)
{
	char exe[PATH_MAX];
	const char *env = getenv("CONCVIZ_EXAMPLES");
	ssize_t n;

	if (env && *env)
		return try_path(buf, len, env, "", name);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (try_path(buf, len, exe, "/examples", name) == 0)
		return 0;
	return try_path(buf, len, exe, "/../libexec/concviz/examples", name);
}
