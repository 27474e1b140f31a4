/* procscan.c — see procscan.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/err.h"
#include "bpf/syscalls.h"
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
		cv_errorf(err, errlen, "'%s' is not a process ID (a positive number, see ps or pgrep)", arg);
		return -2;
	}
	snprintf(path, sizeof(path), "/proc/%lu/stat", v);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		cv_errorf(err, errlen, "no process with PID %lu", v);
		return -1;
	}
	/* field 9 (flags) after the ")" that closes comm: PF_KTHREAD = 0x00200000 */
	char *p = strrchr(buf, ')');
	unsigned long flags = 0;
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 && (flags & 0x00200000)) {
		cv_errorf(err, errlen, "PID %lu is a kernel thread; attach to a user process", v);
		return -1;
	}
	if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X')) {
		cv_errorf(err, errlen, "PID %lu has exited (a zombie its parent has not reaped): nothing to trace", v);
		return -1;
	}
	/* a thread's ID (htop and top -H list them): its process is traced,
	 * all of its threads */
	snprintf(path, sizeof(path), "/proc/%lu/status", v);
	unsigned long tgid = v;
	const char *tg = read_file(path, buf, sizeof(buf)) < 0 ? NULL : strstr(buf, "\nTgid:");
	if (tg && sscanf(tg, "\nTgid: %lu", &tgid) == 1 && tgid && tgid != v) {
		cv_warn("%lu is a thread of process %lu: tracing that process, all its threads", v, tgid);
		v = tgid;
	}
	if (v == (unsigned long)getpid()) {
		cv_errorf(err, errlen, "PID %lu is concviz itself", v);
		return -1;
	}
	*pid = (uint32_t)v;
	return 0;
}

/* Is fd of thread tid a socket, a pipe or a FIFO (what read(2) waits on as
 * a receive)?  stat() follows the /proc link to the open file's inode. */
static bool fd_is_receivable(uint32_t pid, uint32_t tid, uint64_t fd)
{
	char path[96];
	struct stat sb;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/fd/%" PRIu64, pid, tid, fd);
	if (stat(path, &sb) != 0)
		return false;
	return S_ISSOCK(sb.st_mode) || S_ISFIFO(sb.st_mode);
}

/* A u64 of process pid's memory at addr, 0 if unreadable. */
static uint64_t read_u64(uint32_t pid, uint64_t addr)
{
	char path[64];
	uint64_t v = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &v, sizeof(v), (off_t)addr) != (ssize_t)sizeof(v))
		v = 0;
	close(fd);
	return v;
}

void cv_proc_classify_syscall(uint32_t pid, uint32_t tid, long nr, const uint64_t args[6],
			      struct cv_event *ev)
{
	uint32_t sys = cv_sys_of_nr(nr), block = cv_sys_block(sys);
	uint64_t obj = 0;

	/* the same tests as the probes' call_begin (bpf/probe/call_begin.h) */
	switch (sys) {
	case CV_SYS_READ:
	case CV_SYS_READV:
		if (!fd_is_receivable(pid, tid, args[0]))
			block = CV_BLK_NONE;
		break;
	case CV_SYS_FUTEX: {
		uint32_t op = (uint32_t)args[1] & CV_FUTEX_CMD_MASK;

		if (!cv_futex_op_waits((uint32_t)args[1]))
			block = CV_BLK_NONE;
		obj = args[0];
		/* as futex_kind: a PI lock, or glibc's lock wait (it waits for 2,
		 * and the word is 2) is a mutex's */
		bool waits = op == CV_FUTEX_WAIT || op == CV_FUTEX_WAIT_BITSET;
		uint64_t word = waits ? read_u64(pid, obj) : 0;
		uint32_t priv = waits ? (uint32_t)read_u64(pid, obj + 8) : 0;
		if (op == CV_FUTEX_LOCK_PI || op == CV_FUTEX_LOCK_PI2 ||
		    (waits && (uint32_t)args[2] == 2 && (uint32_t)word == 2))
			ev->flags |= (uint32_t)CV_LK_MUTEX << CV_TASK_SEED_KIND_SHIFT;
		/* a sem_t: value 0, its waiters above it, its private word after */
		else if (waits && (uint32_t)args[2] == 0 && (uint32_t)word == 0 && word >> 32 >= 1 &&
			 word >> 32 < (1u << 20) &&
			 priv == ((uint32_t)args[1] & CV_FUTEX_PRIVATE_FLAG ? 0 : CV_FUTEX_PRIVATE_FLAG))
			ev->flags |= (uint32_t)CV_LK_SEMAPHORE << CV_TASK_SEED_KIND_SHIFT;
		break;
	}
	case CV_SYS_FUTEX_WAIT:
		obj = args[0];
		break;
	case CV_SYS_FUTEX_WAITV:
		/* struct futex_waitv { u64 val; u64 uaddr; … }: name the first futex */
		obj = read_u64(pid, args[0] + 8);
		break;
	case CV_SYS_IO_URING_ENTER:
		if (!cv_uring_enter_waits((uint32_t)args[3], (uint32_t)args[2]))
			block = CV_BLK_NONE;
		break;
	}
	ev->task.seed_block = block;
	ev->task.seed_sys = block == CV_BLK_NONE ? 0 : sys;
	ev->task.seed_obj = block == CV_BLK_FUTEX ? obj : 0;
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
		unsigned ppid;
		if (p && p[1] == ' ')
			state = p[2];
		/* "pid (comm) S ppid …": the leader's parent names its process's */
		if (p && tid == pid && sscanf(p + 1, " %*c %u", &ppid) == 1)
			ev.task.parent_pid = ppid;
	}
	if (state == 'R') {
		ev.flags |= CV_TASK_SEED_ONCPU;
	} else {
		/* "/proc/…/syscall": "nr arg1 … arg6 sp pc" while blocked in a syscall */
		snprintf(path, sizeof(path), "/proc/%u/task/%u/syscall", pid, tid);
		if (read_file(path, buf, sizeof(buf)) > 0 && isdigit((unsigned char)buf[0])) {
			uint64_t a[6] = { 0 };
			long nr;

			if (sscanf(buf, "%ld %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64
				   " %" SCNx64, &nr, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) == 7)
				cv_proc_classify_syscall(pid, tid, nr, a, &ev);
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

uint32_t cv_proc_ns_tid(uint32_t pid, uint32_t tid)
{
	char path[96], buf[2048];
	unsigned long ns_tid = tid;
	const char *l;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/status", pid, tid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(l = strstr(buf, "\nNSpid:")))
		return tid;
	/* "NSpid:	<global>	…	<in its own namespace>": the last one */
	for (l += 7; *l && *l != '\n';) {
		char *end;
		unsigned long v = strtoul(l, &end, 10);
		if (end == l)
			break;
		ns_tid = v;
		l = end;
	}
	return (uint32_t)ns_tid;
}

int cv_proc_ns_tids(uint32_t pid, void (*fn)(void *ctx, uint32_t ns, uint32_t ns_tid, uint32_t tid),
		    void *ctx)
{
	char path[96];
	struct stat own, their;
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%u/ns/pid", pid);
	if (stat("/proc/self/ns/pid", &own) || stat(path, &their) || own.st_ino == their.st_ino)
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d))) {
		uint32_t tid = (uint32_t)strtoul(de->d_name, NULL, 10), ns_tid;

		if (!tid || (ns_tid = cv_proc_ns_tid(pid, tid)) == tid)
			continue;
		fn(ctx, (uint32_t)their.st_ino, ns_tid, tid);
		n++;
	}
	closedir(d);
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
