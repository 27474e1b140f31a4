/* names.h — human names for the event ABI's numbers (bpf/events.h), shared
 * by the TUI, the reports and the export. */
#ifndef CONCVIZ_NAMES_H
#define CONCVIZ_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* "recvfrom", "epoll_wait", … for an enum cv_sys; NULL if unknown */
const char *cv_sys_name(uint32_t sys);
/* "recv", "readv", … for an IORING_OP_* opcode; NULL if unknown */
const char *cv_uring_op_name(uint32_t op);
/* "SIGKILL", … for a signal number into buf ("signal 77" if it has no name) */
const char *cv_signal_name(int sig, char *buf, size_t n);
/* A wait status (waitpid's, or task->exit_code): the signal that ended the
 * process (0: it exited), and the shell's $? for it (code, or 128 + signal) */
static inline int cv_wait_signal(int wait_status) { return wait_status & 0x7f; }
static inline int cv_wait_shell_code(int wait_status)
{
	return cv_wait_signal(wait_status) ? 128 + cv_wait_signal(wait_status) : (wait_status >> 8) & 0xff;
}
/* A wait status as people say it: "killed by SIGKILL" or "exit code 3" */
const char *cv_exit_desc(int wait_status, char *buf, size_t n);

#endif
