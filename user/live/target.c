/* target.c — start, watch and stop the traced process (target.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/names.h"
#include "live/target.h"

/* The child's side: set up, wait for the parent's go, exec; a failed exec
 * sends its errno back through errfd (close-on-exec, so success says nothing).
 * "go" is an eventfd, not a pipe: the child may already be traced when it
 * reads it, and a read on a pipe is a receive the target never made. */
static _Noreturn void child_exec(char *const argv[], int out_fd, int gofd, int errfd, pid_t parent)
{
	uint64_t go;
	int e;

	setpgid(0, 0); /* terminal signals are concviz's; it stops the target */
	/* and if concviz dies (even SIGKILL), the target is told to stop */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	/* in its own process group the target cannot read our terminal (SIGTTIN
	 * would stop it): give it /dev/null; a pipe or a file on stdin passes */
	if (out_fd >= 0 || isatty(0)) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null >= 0 && null != 0) {
			dup2(null, 0);
			close(null);
		}
	}
	if (out_fd >= 0) {
		dup2(out_fd, 1);
		dup2(out_fd, 2);
	} else {
		dup2(2, 1); /* the target's stdout goes to our stderr */
	}
	if (read(gofd, &go, sizeof(go)) != (ssize_t)sizeof(go))
		_exit(127);
	execvp(argv[0], argv);
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static void close_pair(int fd[2])
{
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

int cv_target_spawn(struct cv_target *t, char *const argv[], int out_fd,
		    cv_target_ready_fn ready, void *ctx, char *err, size_t errlen)
{
	int go, errp[2] = { -1, -1 }, e = 0;
	pid_t parent = getpid();
	uint64_t one = 1;
	/* concviz needs SIGCHLD at its default to reap the child (an ignored
	 * SIGCHLD, inherited from whoever started us, would let the kernel reap
	 * it unseen); the target gets the disposition it would have had */
	struct sigaction dfl = { .sa_handler = SIG_DFL }, inherited;

	*t = (struct cv_target){ .pidfd = -1 };
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &inherited);
	go = eventfd(0, EFD_CLOEXEC);
	if (go < 0) {
		cv_errorf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	if (pipe2(errp, O_CLOEXEC)) {
		cv_errorf(err, errlen, "pipe: %s", strerror(errno));
		close(go);
		return -1;
	}
	fflush(NULL);
	t->child = fork();
	if (t->child < 0) {
		cv_errorf(err, errlen, "fork: %s", strerror(errno));
		t->child = 0;
		close(go);
		close_pair(errp);
		return -1;
	}
	if (t->child == 0) {
		close(errp[0]);
		sigaction(SIGCHLD, &inherited, NULL);
		child_exec(argv, out_fd, go, errp[1], parent);
	}
	close(errp[1]);
	setpgid(t->child, t->child);
	t->pid = (uint32_t)t->child;
	/* readable the moment the child exits: the session wakes at once (the
	 * child waits for "go", so the pid cannot have been reused) */
	t->pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
	ready(ctx, t->pid);

	if (write(go, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		cv_errorf(err, errlen, "cannot start the target: %s", strerror(errno));
		close(go);
		close(errp[0]);
		return -1;
	}
	close(go);
	if (read(errp[0], &e, sizeof(e)) == sizeof(e)) {
		close(errp[0]);
		waitpid(t->child, NULL, 0);
		t->child = 0;
		t->gone = true;
		if (e == ENOENT && !strchr(argv[0], '/') && access(argv[0], F_OK) == 0)
			/* execvp looks in PATH only: the file here is not found */
			cv_errorf(err, errlen, "cannot run '%s': not in PATH (for the file here: "
				  "-- ./%s, or -- python3 %s for a script)", argv[0], argv[0], argv[0]);
		else
			cv_errorf(err, errlen, "cannot run '%s': %s", argv[0], strerror(e));
		return -1;
	}
	close(errp[0]);
	return 0;
}

int cv_target_open(struct cv_target *t, uint32_t pid, char *err, size_t errlen)
{
	*t = (struct cv_target){ .pid = pid };
	t->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (t->pidfd < 0) {
		cv_errorf(err, errlen, "cannot attach to PID %u: %s", pid, strerror(errno));
		return -1;
	}
	return 0;
}

void cv_target_signal(const struct cv_target *t, int sig)
{
	if (!t->child)
		return;
	kill(-t->child, sig);
	kill(t->child, sig);
	kill(-t->child, SIGCONT);
}

void cv_target_check(struct cv_target *t)
{
	if (t->gone)
		return;
	if (t->child) {
		int st;

		pid_t r = waitpid(t->child, &st, WNOHANG);

		if (r == t->child) {
			t->gone = true;
			t->exit_status = cv_wait_shell_code(st);
			t->have_exit_status = true;
		} else if (r < 0 && errno == ECHILD) {
			/* reaped by someone else: gone, its status from its exit event */
			t->gone = true;
		}
	} else if (t->pidfd >= 0) {
		struct pollfd p = { .fd = t->pidfd, .events = POLLIN };

		if (poll(&p, 1, 0) > 0)
			t->gone = true;
	}
}

void cv_target_release(struct cv_target *t)
{
	if (t->child > 0 && !t->gone) {
		cv_target_signal(t, SIGKILL);
		waitpid(t->child, NULL, 0);
	} else if (t->child > 0) {
		/* the target is gone; what it left in its process group goes too */
		kill(-t->child, SIGTERM);
		kill(-t->child, SIGCONT);
	}
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
}
