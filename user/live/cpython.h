/* cpython.h — CPython processes: which interpreter a traced process runs,
 * where its GIL is, and what its Python threads wait for.
 *
 * All knowledge of the interpreter's insides is in cpython_table.c: a
 * layout per supported CPython version (offsets into _PyRuntimeState, the
 * GIL's state, PyThreadState, frames, code objects, strings), checked by
 * tests/unit/test_cpython.c against the interpreter's own headers, and the
 * rules that say which standard-library functions wait for what.
 *
 * A process runs CPython when one of its mapped ELF files (the executable,
 * e.g. Debian's static python3.11, or libpython3.11.so) defines `_PyRuntime`;
 * its version is the `Py_Version` it defines (3.11+), read from its memory.
 */
#ifndef CONCVIZ_CPYTHON_H_USER
#define CONCVIZ_CPYTHON_H_USER

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/cpython.h"
#include "live/symbols.h"

/* ---- the table (cpython_table.c) ---- */

/* Offsets of one CPython minor version.  Names say where the field is. */
struct cv_py_layout {
	uint32_t version;               /* 0x030b0000: major.minor, as PY_VERSION_HEX */
	uint32_t runtime_gil;           /* _PyRuntimeState: ceval.gil (the GIL's state) */
	uint32_t runtime_interp_head;   /* _PyRuntimeState: interpreters.head */
	uint32_t gil_size;              /* sizeof(struct _gil_runtime_state) */
	uint32_t gil_last_holder, gil_locked;
	uint32_t interp_threads;        /* PyInterpreterState: threads.head */
	uint32_t ts_next, ts_native_tid;
	uint32_t ts_frame;              /* PyThreadState: cframe */
	uint32_t frame_holder_current;  /* _PyCFrame: current_frame */
	uint32_t frame_code, frame_previous, frame_self; /* _PyInterpreterFrame: f_code,
							  * previous, localsplus */
	uint32_t code_qualname, code_filename;
	uint32_t str_length, str_state, str_ascii_data; /* PyASCIIObject: length, state,
							 * sizeof (where ASCII data starts) */
	uint32_t str_compact_data;      /* sizeof PyCompactUnicodeObject: where a compact
					 * non-ASCII str's code units start */
	uint32_t obj_type, type_name;   /* PyObject: ob_type; PyTypeObject: tp_name */
};

/* The layout of version (PY_VERSION_HEX; only major.minor count), NULL if
 * this concviz does not support it. */
const struct cv_py_layout *cv_py_layout_of(uint32_t version);

/* A standard-library function that waits (struct cv_py_rule, bpf/cpython.h). */
struct cv_py_wait_rule {
	const char *file;               /* base name: "threading.py" */
	const char *qualname;           /* "Condition.wait" */
	struct cv_py_rule rule;
	const char *label;              /* CV_PY_KEY_CODE: the row's name ("Thread.join") */
};
extern const struct cv_py_wait_rule cv_py_wait_rules[];
extern const size_t cv_py_wait_rule_count;

/* The py_rules key of a function (bpf/cpython.h) */
uint64_t cv_py_rule_hash(const char *file, const char *qualname);

/* ---- traced processes (cpython.c) ---- */

struct cv_cpython;

/* warn: where "concviz: …" lines go (once per unsupported version) */
struct cv_cpython *cv_cpython_new(struct cv_symbols *syms, FILE *warn);
void cv_cpython_free(struct cv_cpython *c);

enum cv_py_found {
	CV_PY_NOT_YET = 0,              /* no interpreter mapped (yet) */
	CV_PY_SUPPORTED,                /* *out is the probes' entry */
	CV_PY_UNSUPPORTED,              /* a CPython this concviz cannot read (said once) */
};
/* Look at process tgid's mappings; fills *out (gil 0 unless SUPPORTED). */
enum cv_py_found cv_cpython_probe(struct cv_cpython *c, uint32_t tgid, struct cv_py_proc *out);
/* Does process pid's executable link a libpython (it is mapped by the
 * dynamic loader a moment after exec)? */
bool cv_cpython_links_libpython(uint32_t pid);
/* A forked child has its parent's interpreter; exec and exit forget it. */
void cv_cpython_fork(struct cv_cpython *c, uint32_t parent, uint32_t child);
void cv_cpython_forget(struct cv_cpython *c, uint32_t tgid);

/* What a lock of a CPython process is called: "GIL"; a Python object that
 * waits are keyed by (pyobj, e.g. "Condition in consumer (lesson.py)",
 * "Thread.join in <module> (run.py)"); a lock acquired by Python code
 * ("lock in worker (lesson.py)") when kind is CV_LK_MUTEX; an address in an
 * unsupported interpreter's _PyRuntime.  The site is the first frame
 * outside the standard library's waiting functions: of the frames the
 * probes saw at its first wait (site, innermost first, may be NULL), else
 * of thread tid (the waiter) now.  NULL: not a Python lock (the ELF symbols
 * may name it). */
/* What thread tid of process pid, found blocked on the futex at addr (at
 * attach), waits for, as the probes would have said at its block: the GIL;
 * a Python object (*pyobj: a Condition, Event, Queue…, or a code object
 * for joins) and its kind; a Lock acquired by its own code (kind mutex, the
 * futex) if *kind, what the futex's shape says on entry, is a semaphore's
 * or a mutex's.  False if it runs no Python code this interpreter shows,
 * or waits from its own code on something else. */
bool cv_cpython_classify_wait(struct cv_cpython *c, uint32_t pid, uint32_t tid, uint64_t addr,
			      uint8_t *kind, uint64_t *obj, bool *pyobj);
const char *cv_cpython_name(struct cv_cpython *c, uint32_t pid, uint32_t tid, uint64_t addr,
			    uint8_t kind, bool pyobj, const struct cv_py_site *site, char *buf,
			    size_t n);

#endif /* CONCVIZ_CPYTHON_H_USER */
