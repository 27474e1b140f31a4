/* cpython.h — what the probes need to know about a traced CPython process,
 * shared by the probes (bpf/concviz.bpf.c) and user space
 * (user/live/cpython.c, which knows the interpreter's versions and fills
 * the maps).  Plain C on both sides (no libc, no vmlinux.h).
 *
 * py_procs (BPF hash, tgid -> struct cv_py_proc): the addresses of one
 * process's interpreter state and the layout of the structures the probes
 * read.  gil == 0 means "looked at: not a supported CPython".  A forked
 * child inherits its parent's entry (same memory layout), exec drops it.
 *
 * py_rules (BPF hash, cv_py_rule_hash(file, qualname) -> struct cv_py_rule):
 * the Python functions of the standard library that park a thread on a
 * throw-away lock or on a lock that is not the object the program knows
 * (Condition.wait waits on a fresh waiter lock; Queue.get on its Condition),
 * and the kind of object that wait is for.  At a futex wait of a Python
 * thread the probe walks the thread's innermost frames and looks each up.
 */
#ifndef CONCVIZ_CPYTHON_H
#define CONCVIZ_CPYTHON_H

#include "events.h"

struct cv_py_proc {
	__u64 gil;              /* address of the interpreter lock's state; 0: none */
	__u64 interp_head;      /* address of the pointer to the first interpreter */
	__u32 gil_size;         /* every futex word in [gil, gil + gil_size) is the GIL's */
	__u16 gil_last_holder;  /* PyThreadState * of the last thread that took it */
	__u16 gil_locked;       /* int: held now */
	__u16 interp_threads;   /* PyInterpreterState: first PyThreadState */
	__u16 ts_next;          /* PyThreadState: next */
	__u16 ts_native_tid;    /* PyThreadState: native_thread_id (the kernel tid) */
	__u16 ts_frame;         /* PyThreadState: pointer to the current-frame holder */
	__u16 frame_holder_current; /* in that holder: the innermost frame (0: the
				     * holder is the frame itself) */
	__u16 frame_code;       /* frame: its code object */
	__u16 frame_previous;   /* frame: the caller's frame */
	__u16 frame_self;       /* frame: the first local (self) */
	__u16 code_qualname;    /* code: co_qualname (str) */
	__u16 code_filename;    /* code: co_filename (str) */
	__u16 str_length;       /* str: length in code points */
	__u16 str_ascii_data;   /* compact ASCII str: where its bytes start */
	__u16 pad[2];
};

/* What to key a recognised wait by (struct cv_py_rule.key). */
enum cv_py_key {
	CV_PY_KEY_SELF = 0,     /* the frame's first local: the Condition, Event, Queue… */
	CV_PY_KEY_CODE,         /* the function's code object: all such waits of a
				 * process are one row (Thread.join) */
};

struct cv_py_rule {
	__u8 kind;              /* enum cv_lock_kind */
	__u8 key;               /* enum cv_py_key */
	__u8 refine;            /* a caller with a rule of its own says better what
				 * the wait is for (Condition.wait called by Queue.get) */
	__u8 pad;
};

/* A request on the py_asks ring: look at process tgid's interpreter. */
enum cv_py_ask_why {
	CV_PY_ASK_EXEC = 1,     /* it exec'd: the executable is mapped, libraries may not be yet */
	CV_PY_ASK_THREAD,       /* its first new thread: everything it links is mapped */
};
struct cv_py_ask {
	__u32 tgid;
	__u32 why;              /* enum cv_py_ask_why */
};

/* py_seen: a Python lock (tgid, its object) waited on before, and where
 * its first wait was: the code objects of the waiting thread's innermost
 * frames then (0: none), so user space names it by the code that waited,
 * not by whatever that thread runs when the name is read. */
#define CV_PY_SITE_CODES 6
struct cv_py_seen_key {
	__u64 obj;
	__u32 tgid, pad;
};
struct cv_py_site {
	__u64 code[CV_PY_SITE_CODES]; /* innermost first */
};

#define CV_PY_FRAMES     4   /* innermost frames looked at */
#define CV_PY_THREADS    64  /* PyThreadStates searched for the waiting thread */
#define CV_PY_NAME_MAX   48  /* bytes of a qualname hashed */
#define CV_PY_FILE_TAIL  32  /* bytes at the end of a file name searched for its base name */

/* FNV-1a over the file's base name, one 0 byte, then the qualname:
 * cv_py_rule_hash("threading.py", "Condition.wait"). */
#define CV_PY_HASH_INIT 0xcbf29ce484222325ULL
static inline __attribute__((always_inline)) __u64 cv_py_hash_step(__u64 h, __u8 c)
{
	return (h ^ c) * 0x100000001b3ULL;
}

#endif /* CONCVIZ_CPYTHON_H */
