/* procscan.c — see procscan.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "live/procscan.h"

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

int cv_proc_parse_pid(const char *arg, uint32_t *pid, char *err, size_t errlen)
{
	char path[64], buf[512], *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || !isdigit((unsigned char)arg[0]) || errno || v == 0 || v > 0x3fffffff) {
		snprintf(err, errlen, "'%s' is not a process ID (a positive number, see ps or pgrep)", arg);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%lu/stat", v);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		snprintf(err, errlen, "no process with PID %lu", v);
		return -1;
	}
	/* field 9 (flags) after the ")" that closes comm: PF_KTHREAD = 0x00200000 */
	char *p = strrchr(buf, ')');
	unsigned long flags = 0;
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 && (flags & 0x00200000)) {
		snprintf(err, errlen, "PID %lu is a kernel thread; attach to a user process", v);
		return -1;
	}
	if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X')) {
		snprintf(err, errlen, "PID %lu has exited (a zombie its parent has not reaped): nothing to trace", v);
		return -1;
	}
	if (v == (unsigned long)getpid()) {
		snprintf(err, errlen, "PID %lu is concviz itself", v);
		return -1;
	}
	*pid = (uint32_t)v;
	return 0;
}

void cv_proc_classify_syscall(long nr, uint32_t *block, uint32_t *sys)
{
	*block = CV_BLK_NONE;
	*sys = 0;
	switch (nr) {
	case SYS_recvfrom: *block = CV_BLK_RECV; *sys = CV_SYS_RECVFROM; break;
	case SYS_recvmsg: *block = CV_BLK_RECV; *sys = CV_SYS_RECVMSG; break;
	case SYS_select: *block = CV_BLK_MUX; *sys = CV_SYS_SELECT; break;
	case SYS_pselect6: *block = CV_BLK_MUX; *sys = CV_SYS_PSELECT6; break;
	case SYS_poll: *block = CV_BLK_MUX; *sys = CV_SYS_POLL; break;
	case SYS_ppoll: *block = CV_BLK_MUX; *sys = CV_SYS_PPOLL; break;
	case SYS_epoll_wait: *block = CV_BLK_MUX; *sys = CV_SYS_EPOLL_WAIT; break;
	case SYS_epoll_pwait: *block = CV_BLK_MUX; *sys = CV_SYS_EPOLL_PWAIT; break;
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2: *block = CV_BLK_MUX; *sys = CV_SYS_EPOLL_PWAIT2; break;
#endif
	case SYS_futex: *block = CV_BLK_FUTEX; *sys = CV_SYS_FUTEX; break;
#ifdef SYS_futex_waitv
	case SYS_futex_waitv: *block = CV_BLK_FUTEX; *sys = CV_SYS_FUTEX_WAITV; break;
#endif
#ifdef SYS_io_uring_enter
	case SYS_io_uring_enter: *block = CV_BLK_URING; *sys = CV_SYS_IO_URING_ENTER; break;
#endif
	}
}

static void seed_one(uint32_t pid, uint32_t tid, uint64_t ts,
		     void (*fn)(void *ctx, const struct cv_event *ev), void *ctx)
{
	char path[96], buf[512];
	struct cv_event ev = { .ts = ts, .tid = tid, .pid = pid, .type = CV_EV_TASK };
	char state = '?';

	ev.flags = CV_TASK_SEED | (tid == pid ? CV_TASK_PROCESS : 0);
	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return; /* the thread exited during the scan: its EXIT is traced */
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(ev.task.comm, sizeof(ev.task.comm), "%.15s", buf);
	snprintf(path, sizeof(path), "/proc/%u/task/%u/stat", pid, tid);
	if (read_file(path, buf, sizeof(buf)) > 0) {
		char *p = strrchr(buf, ')');
		if (p && p[1] == ' ')
			state = p[2];
	}
	if (state == 'R') {
		ev.flags |= CV_TASK_SEED_ONCPU;
	} else {
		/* "/proc/…/syscall": "nr arg1 … sp pc" while blocked in a syscall */
		snprintf(path, sizeof(path), "/proc/%u/task/%u/syscall", pid, tid);
		if (read_file(path, buf, sizeof(buf)) > 0 && isdigit((unsigned char)buf[0])) {
			long nr = strtol(buf, NULL, 10);
			unsigned long long a0 = 0;
			char *sp = strchr(buf, ' ');

			cv_proc_classify_syscall(nr, &ev.task.seed_block, &ev.task.seed_sys);
			if (ev.task.seed_block == CV_BLK_FUTEX &&
			    sp && sscanf(sp, " 0x%llx", &a0) == 1)
				ev.task.seed_obj = a0;
		}
	}
	fn(ctx, &ev);
}

int cv_proc_seed_threads(uint32_t pid, uint64_t ts,
			 void (*fn)(void *ctx, const struct cv_event *ev), void *ctx)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	/* the leader first, so the process is known before its threads */
	seed_one(pid, pid, ts, fn, ctx);
	n++;
	while ((d = readdir(dir))) {
		char *end;
		unsigned long tid = strtoul(d->d_name, &end, 10);

		if (!isdigit((unsigned char)d->d_name[0]) || *end || tid == pid)
			continue;
		seed_one(pid, (uint32_t)tid, ts, fn, ctx);
		n++;
	}
	closedir(dir);
	return n;
}

void cv_proc_cmdline(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	int n;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	n = read_file(path, buf, len);
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (int i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}
