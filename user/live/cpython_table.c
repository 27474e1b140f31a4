/* cpython_table.c — everything concviz knows about CPython's insides, per
 * version (see cpython.h).  A new version is a new row here, with its
 * offsetof() check in tests/unit/test_cpython.c. */
#include "live/cpython.h"

/* Offsets from the interpreter's internal headers (Py_BUILD_CORE):
 * Include/internal/pycore_runtime.h, pycore_gil.h, pycore_interp.h,
 * Include/cpython/pystate.h, pycore_frame.h, cpython/code.h,
 * cpython/unicodeobject.h, object.h.  x86_64 and arm64 (LP64) alike. */
static const struct cv_py_layout layouts[] = {
	{
		.version = 0x030b0000, /* 3.11 */
		.runtime_gil = 360, .runtime_interp_head = 40,
		.gil_size = 208, .gil_last_holder = 8, .gil_locked = 16,
		.interp_threads = 16,
		.ts_next = 8, .ts_native_tid = 160, .ts_frame = 56,
		.frame_holder_current = 8,
		.frame_code = 32, .frame_previous = 48, .frame_self = 72,
		.code_qualname = 128, .code_filename = 112,
		.str_length = 16, .str_state = 32, .str_ascii_data = 48, .str_compact_data = 72,
		.obj_type = 8, .type_name = 24,
	},
};

const struct cv_py_layout *cv_py_layout_of(uint32_t version)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if ((layouts[i].version >> 16) == (version >> 16))
			return &layouts[i];
	return NULL;
}

/* Where the standard library parks a thread, and on what.  A thread blocked
 * in one of these is waiting for the object the rule names (self), or, for
 * the CODE rules, for another thread (all such waits of a process are one
 * row).  refine: its caller, if it has a rule, knows better (Condition.wait
 * inside Queue.get is the queue's wait).  The same names in 3.11 and later. */
#define SELF(k, r) { .kind = (k), .key = CV_PY_KEY_SELF, .refine = (r) }
#define CODE(k) { .kind = (k), .key = CV_PY_KEY_CODE }
const struct cv_py_wait_rule cv_py_wait_rules[] = {
	{ "threading.py", "Condition.wait", SELF(CV_LK_CONDVAR, 1), NULL },
	{ "threading.py", "Condition.wait_for", SELF(CV_LK_CONDVAR, 1), NULL },
	{ "threading.py", "Condition.__enter__", SELF(CV_LK_CONDVAR, 1), NULL },
	{ "threading.py", "Condition._acquire_restore", SELF(CV_LK_CONDVAR, 1), NULL },
	{ "threading.py", "Event.wait", SELF(CV_LK_EVENT, 1), NULL },
	{ "threading.py", "Event.set", SELF(CV_LK_EVENT, 0), NULL },
	{ "threading.py", "Event.clear", SELF(CV_LK_EVENT, 0), NULL },
	{ "threading.py", "Semaphore.acquire", SELF(CV_LK_SEMAPHORE, 0), NULL },
	{ "threading.py", "Semaphore.release", SELF(CV_LK_SEMAPHORE, 0), NULL },
	{ "threading.py", "BoundedSemaphore.release", SELF(CV_LK_SEMAPHORE, 0), NULL },
	{ "threading.py", "Barrier.wait", SELF(CV_LK_BARRIER, 0), NULL },
	/* (their self is a closure's cell in _wait: Barrier.wait's is the object) */
	{ "threading.py", "Barrier._enter", SELF(CV_LK_BARRIER, 1), NULL },
	{ "threading.py", "Barrier._wait", SELF(CV_LK_BARRIER, 1), NULL },
	{ "threading.py", "Thread._wait_for_tstate_lock", CODE(CV_LK_JOIN), "Thread.join" },
	{ "threading.py", "Thread.start", CODE(CV_LK_JOIN), "Thread.start" },
	{ "threading.py", "_shutdown", CODE(CV_LK_JOIN), "Thread.join at exit" },
	{ "queue.py", "Queue.get", SELF(CV_LK_QUEUE, 0), NULL },
	{ "queue.py", "Queue.put", SELF(CV_LK_QUEUE, 0), NULL },
	{ "queue.py", "Queue.join", SELF(CV_LK_QUEUE, 0), NULL },
	{ "queue.py", "Queue.task_done", SELF(CV_LK_QUEUE, 0), NULL },
	/* multiprocessing's, whose locks are semaphores in shared memory */
	{ "synchronize.py", "Condition.wait", SELF(CV_LK_CONDVAR, 1), NULL },
	{ "synchronize.py", "Condition.__enter__", SELF(CV_LK_CONDVAR, 1), NULL },
	{ "synchronize.py", "Event.wait", SELF(CV_LK_EVENT, 0), NULL },
	{ "queues.py", "Queue.get", SELF(CV_LK_QUEUE, 0), NULL },
	/* an idle concurrent.futures worker, in its SimpleQueue's get (a C
	 * method: this is the innermost Python frame) */
	{ "thread.py", "_worker", CODE(CV_LK_QUEUE), "ThreadPoolExecutor work queue" },
};
const size_t cv_py_wait_rule_count = sizeof(cv_py_wait_rules) / sizeof(cv_py_wait_rules[0]);

uint64_t cv_py_rule_hash(const char *file, const char *qualname)
{
	uint64_t h = CV_PY_HASH_INIT;

	for (const char *p = file; *p; p++)
		h = cv_py_hash_step(h, (uint8_t)*p);
	h = cv_py_hash_step(h, 0);
	for (size_t i = 0; qualname[i] && i < CV_PY_NAME_MAX - 1; i++)
		h = cv_py_hash_step(h, (uint8_t)qualname[i]);
	return h;
}
