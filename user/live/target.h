/* target.h — the process concviz traces: start a command stopped before its
 * exec (so tracing is live before its first instruction) or open a running
 * one, signal it, and notice when it is gone. */
#ifndef CONCVIZ_TARGET_H
#define CONCVIZ_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cv_target {
	uint32_t pid;
	pid_t child;            /* run: the process we forked, else 0 */
	int pidfd;              /* readable when the target exits, else -1 */
	bool gone;
	bool have_exit_status;  /* run only: attach learns it from the leader's EXIT */
	int exit_status;        /* as for $?: code, or 128 + signal */
};

/* Called in the parent after the fork and before the child may exec: the
 * place to follow the pid and record the target's first event. */
typedef void (*cv_target_ready_fn)(void *ctx, uint32_t pid);

/* Fork argv[0] (PATH lookup) in its own process group with stdin from
 * /dev/null when ours is a tty or out_fd >= 0, stdout+stderr to out_fd (>= 0)
 * or both to our stderr.  0, or -1 with one line in err (including "cannot
 * run 'X': No such file or directory" once the exec failed). */
int cv_target_spawn(struct cv_target *t, char *const argv[], int out_fd,
		    cv_target_ready_fn ready, void *ctx, char *err, size_t errlen);
/* 0, or -1 with one line in err. */
int cv_target_open(struct cv_target *t, uint32_t pid, char *err, size_t errlen);

/* run: sig to the whole process group, then SIGCONT (a stopped target could
 * not act on it).  attach: nothing, concviz never signals what it did not start. */
void cv_target_signal(const struct cv_target *t, int sig);
/* Non-blocking: sets gone (and the exit status for a child) once it exited. */
void cv_target_check(struct cv_target *t);
/* A child still running is killed and reaped; one that is gone takes what it
 * left in its process group along (SIGTERM).  Closes the pidfd. */
void cv_target_release(struct cv_target *t);

#endif /* CONCVIZ_TARGET_H */
