// SPDX-License-Identifier: GPL-2.0
/* concviz.bpf.c — the probes.  Tracepoints only (this kernel has no kprobes
 * and no fentry).  Every program first asks "is this task traced?" — a task
 * local storage lookup, a couple of loads — and returns at once otherwise.
 *
 * A task is traced when it has an entry in `tstate`.  Entries are created
 *  - for the task whose tgid equals `seed_tgid` (user space sets it: the
 *    forked target of `run`, or the process of `attach`), lazily, the first
 *    time any probe sees one of its threads;
 *  - for every child of a traced task at fork (threads and processes).
 * Task storage dies with the task, so nothing leaks on exit paths.
 *
 * The entry also holds the thread's in-flight syscall, so one receive, one
 * multiplexer call, one futex wait, one io_uring_enter becomes ONE event at
 * syscall exit (see events.h).  There is no sys_enter probe: a call is
 * begun from the thread's saved registers when it blocks, or at its exit
 * (see "syscalls" below).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "syscalls.h"
#include "cpython.h"

char LICENSE[] SEC("license") = "GPL";

/* The parts, each after the parts it uses (bpf/probe/): */
#include "probe/pidns.h"         /* thread IDs inside PID namespaces */
#include "probe/task_state.h"    /* who is traced; a thread's in-flight call */
#include "probe/stage.h"         /* events out: per-CPU stage, ring buffer, drops */
#include "probe/syscall_regs.h"  /* the syscall a thread is in, from its registers */
#include "probe/sched.h"         /* context switches, wake-ups */
#include "probe/python.h"        /* CPython: GIL, frames, Python locks */
#include "probe/task_events.h"   /* fork, exec, rename, exit */
#include "probe/glibc_objects.h" /* uprobes: condvar/barrier entered, semaphore holders */
#include "probe/fd_describe.h"   /* what a descriptor names */
#include "probe/call_begin.h"    /* a followed call begins: receive, mux, futex, uring */
#include "probe/mux_ready.h"     /* the descriptors a multiplexer returned ready */
#include "probe/sys_exit.h"      /* a call ends: one event; handlers; copy phase */
#include "probe/io_uring.h"      /* io_uring requests */
