/* names.c — see names.h. */
#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "common/names.h"

#include "bpf/events.h"

const char *cv_sys_name(uint32_t sys)
{
	static const char *const names[] = {
		[CV_SYS_RECVFROM] = "recvfrom", [CV_SYS_RECVMSG] = "recvmsg", [CV_SYS_READ] = "read",
		[CV_SYS_SELECT] = "select", [CV_SYS_PSELECT6] = "pselect6", [CV_SYS_POLL] = "poll",
		[CV_SYS_PPOLL] = "ppoll", [CV_SYS_EPOLL_WAIT] = "epoll_wait",
		[CV_SYS_EPOLL_PWAIT] = "epoll_pwait", [CV_SYS_EPOLL_PWAIT2] = "epoll_pwait2",
		[CV_SYS_FUTEX] = "futex", [CV_SYS_FUTEX_WAIT] = "futex_wait",
		[CV_SYS_FUTEX_WAITV] = "futex_waitv", [CV_SYS_IO_URING_ENTER] = "io_uring_enter",
		[CV_SYS_ACCEPT] = "accept", [CV_SYS_ACCEPT4] = "accept4", [CV_SYS_READV] = "readv",
		[CV_SYS_MQ_TIMEDRECEIVE] = "mq_timedreceive",
	};

	return sys < sizeof(names) / sizeof(names[0]) ? names[sys] : NULL;
}

const char *cv_uring_op_name(uint32_t op)
{
	/* IORING_OP_* numbers of the kernel ABI (stable) */
	static const char *const names[] = {
		"nop", "readv", "writev", "fsync", "read_fixed", "write_fixed",
		"poll_add", "poll_remove", "sync_file_range", "sendmsg", "recvmsg",
		"timeout", "timeout_remove", "accept", "async_cancel", "link_timeout",
		"connect", "fallocate", "openat", "close", "files_update", "statx",
		"read", "write", "fadvise", "madvise", "send", "recv",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : NULL;
}

const char *cv_signal_name(int sig, char *buf, size_t n)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, n, "SIG%s", abbrev);
	else
		snprintf(buf, n, "signal %d", sig);
	return buf;
}

const char *cv_exit_desc(int wait_status, char *buf, size_t n)
{
	char sig[24];

	if (cv_wait_signal(wait_status))
		snprintf(buf, n, "killed by %s", cv_signal_name(cv_wait_signal(wait_status), sig, sizeof(sig)));
	else
		snprintf(buf, n, "exit code %d", (wait_status >> 8) & 0xff);
	return buf;
}
