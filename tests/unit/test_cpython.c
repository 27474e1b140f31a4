/* test_cpython.c — the interpreter table against CPython's own headers, and
 * finding the interpreter in a process that links libpython (this one).
 *
 * Built with Debian's internal 3.11 headers (Py_BUILD_CORE) and linked
 * with -lpython3.11: offsetof() here is what the interpreter was compiled
 * with.  A new row in user/live/cpython_table.c needs a case like
 * layout_3_11 compiled against that version's headers. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_runtime.h>

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "live/cpython.h"

TEST(layout_3_11)
{
	const struct cv_py_layout *l = cv_py_layout_of(PY_VERSION_HEX);

	CHECK(PY_VERSION_HEX >> 16 == 0x030b);
	CHECK(l != NULL);
	if (!l)
		return;
	CHECK_EQ(l->runtime_gil, offsetof(_PyRuntimeState, ceval.gil));
	CHECK_EQ(l->runtime_interp_head, offsetof(_PyRuntimeState, interpreters.head));
	CHECK_EQ(l->gil_size, sizeof(struct _gil_runtime_state));
	CHECK_EQ(l->gil_last_holder, offsetof(struct _gil_runtime_state, last_holder));
	CHECK_EQ(l->gil_locked, offsetof(struct _gil_runtime_state, locked));
	/* the words the GIL's waits use lie inside [gil, gil + gil_size) */
	CHECK(offsetof(struct _gil_runtime_state, switch_mutex) + sizeof(pthread_mutex_t) <= l->gil_size);
	CHECK_EQ(l->interp_threads, offsetof(PyInterpreterState, threads.head));
	CHECK_EQ(l->ts_next, offsetof(PyThreadState, next));
	CHECK_EQ(l->ts_native_tid, offsetof(PyThreadState, native_thread_id));
	CHECK_EQ(l->ts_frame, offsetof(PyThreadState, cframe));
	CHECK_EQ(l->frame_holder_current, offsetof(_PyCFrame, current_frame));
	CHECK_EQ(l->frame_code, offsetof(_PyInterpreterFrame, f_code));
	CHECK_EQ(l->frame_previous, offsetof(_PyInterpreterFrame, previous));
	CHECK_EQ(l->frame_self, offsetof(_PyInterpreterFrame, localsplus));
	CHECK_EQ(l->code_qualname, offsetof(PyCodeObject, co_qualname));
	CHECK_EQ(l->code_filename, offsetof(PyCodeObject, co_filename));
	CHECK_EQ(l->str_length, offsetof(PyASCIIObject, length));
	CHECK_EQ(l->str_state, offsetof(PyASCIIObject, state));
	CHECK_EQ(l->str_ascii_data, sizeof(PyASCIIObject));
	CHECK_EQ(l->str_compact_data, sizeof(PyCompactUnicodeObject));
	CHECK_EQ(l->obj_type, offsetof(PyObject, ob_type));
	CHECK_EQ(l->type_name, offsetof(PyTypeObject, tp_name));
}

TEST(unsupported_versions)
{
	CHECK(cv_py_layout_of(0x030a0000) == NULL);
	CHECK(cv_py_layout_of(0x030c0000) == NULL);
	CHECK(cv_py_layout_of(0) == NULL);
	CHECK(cv_py_layout_of(0x030b04f0) == cv_py_layout_of(0x030b0000));
}

/* The rules' keys are what the probes compute from a frame: the file's base
 * name and the qualname (bpf/cpython.h). */
TEST(rule_hash)
{
	CHECK(cv_py_rule_hash("threading.py", "Condition.wait") !=
	      cv_py_rule_hash("threading.py", "Condition.wait_for"));
	CHECK(cv_py_rule_hash("threading.py", "Queue.get") != cv_py_rule_hash("queue.py", "Queue.get"));
	for (size_t i = 0; i < cv_py_wait_rule_count; i++) {
		const struct cv_py_wait_rule *r = &cv_py_wait_rules[i];

		CHECK(strlen(r->qualname) < CV_PY_NAME_MAX);
		CHECK(strlen(r->file) < CV_PY_FILE_TAIL);
		CHECK(r->rule.kind < CV_LK_COUNT);
		CHECK((r->rule.key == CV_PY_KEY_CODE) == (r->label != NULL));
		for (size_t j = 0; j < i; j++)
			CHECK(cv_py_rule_hash(r->file, r->qualname) !=
			      cv_py_rule_hash(cv_py_wait_rules[j].file, cv_py_wait_rules[j].qualname));
	}
}

/* This test links libpython3.11.so: it is a CPython process. */
TEST(probe_libpython)
{
	struct cv_symbols *syms = cv_symbols_new();
	FILE *warn = tmpfile();
	struct cv_cpython *c = cv_cpython_new(syms, warn);
	struct cv_py_proc e;
	char buf[128];
	uint64_t gil = (uint64_t)(uintptr_t)&_PyRuntime.ceval.gil;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_EQ(cv_cpython_probe(c, (uint32_t)getpid(), &e), CV_PY_SUPPORTED);
	CHECK_EQ(e.gil, gil);
	CHECK_EQ(e.gil_size, sizeof(struct _gil_runtime_state));
	CHECK_EQ(e.interp_head, (uint64_t)(uintptr_t)&_PyRuntime.interpreters.head);
	/* every word of the GIL's state is the GIL; the next byte is not */
	CHECK_STR(cv_cpython_name(c, (uint32_t)getpid(), (uint32_t)gettid(),
				  (uint64_t)(uintptr_t)&_PyRuntime.ceval.gil.switch_cond, CV_LK_FUTEX,
				  false, NULL, buf, sizeof(buf)), "GIL");
	CHECK_STR(cv_cpython_name(c, (uint32_t)getpid(), (uint32_t)gettid(), gil, CV_LK_GIL, false,
				  NULL, buf, sizeof(buf)), "GIL");
	CHECK(cv_cpython_name(c, (uint32_t)getpid(), (uint32_t)gettid(),
			      gil + sizeof(struct _gil_runtime_state), CV_LK_FUTEX, false, NULL, buf,
			      sizeof(buf)) == NULL);
	/* a fork of it is the same interpreter; a forgotten one is none */
	cv_cpython_fork(c, (uint32_t)getpid(), 1);
	CHECK_STR(cv_cpython_name(c, 1, 1, gil, CV_LK_GIL, false, NULL, buf, sizeof(buf)), "GIL");
	cv_cpython_forget(c, 1);
	CHECK(cv_cpython_name(c, 1, 1, gil, CV_LK_GIL, false, NULL, buf, sizeof(buf)) == NULL);
	CHECK_EQ(ftell(warn), 0); /* a supported version says nothing */
	cv_cpython_free(c);
	cv_symbols_free(syms);
	fclose(warn);
}

/* A lock is named by the frames the probes saw at its first wait (code
 * objects, innermost first): the first one outside the standard library's
 * waiting functions, in any script (UTF-8 names); with none of the
 * program's among them, by the waiting thread's frames now. */
TEST(names_from_the_frames_seen)
{
	struct cv_symbols *syms = cv_symbols_new();
	FILE *warn = tmpfile();
	struct cv_cpython *c = cv_cpython_new(syms, warn);
	struct cv_py_proc e;
	uint32_t pid = (uint32_t)getpid(), tid = (uint32_t)gettid();
	char buf[256];

	Py_Initialize();
	PyObject *g = PyDict_New();
	PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins());
	PyObject *src = Py_CompileString("import threading\n"
					 "def worker():\n    pass\n"
					 "def f\xc3\xbchre():\n    pass\n"
					 "cond = threading.Condition()\n",
					 "\xc3\xbc" "bung.py", Py_file_input);
	CHECK(src && PyEval_EvalCode(src, g, g));
	PyObject *cond = PyDict_GetItemString(g, "cond");
	PyObject *wait = PyObject_GetAttrString((PyObject *)Py_TYPE(cond), "wait");
	struct cv_py_site site = { .code = {
		(uint64_t)(uintptr_t)PyFunction_GetCode(wait),
		(uint64_t)(uintptr_t)PyFunction_GetCode(PyDict_GetItemString(g, "worker")),
	} };
	CHECK_EQ(cv_cpython_probe(c, pid, &e), CV_PY_SUPPORTED);
	CHECK_STR(cv_cpython_name(c, pid, tid, 0x1000, CV_LK_MUTEX, false, &site, buf, sizeof(buf)),
		  "lock in worker (\xc3\xbc" "bung.py)");
	CHECK_STR(cv_cpython_name(c, pid, tid, (uint64_t)(uintptr_t)cond, CV_LK_CONDVAR, true, &site,
				  buf, sizeof(buf)), "Condition in worker (\xc3\xbc" "bung.py)");
	site.code[1] = (uint64_t)(uintptr_t)PyFunction_GetCode(PyDict_GetItemString(g, "f\xc3\xbchre"));
	CHECK_STR(cv_cpython_name(c, pid, tid, 0x1000, CV_LK_MUTEX, false, &site, buf, sizeof(buf)),
		  "lock in f\xc3\xbchre (\xc3\xbc" "bung.py)");
	/* only the library's wait seen: this thread now runs no Python code */
	site.code[1] = 0;
	CHECK_STR(cv_cpython_name(c, pid, tid, 0x1000, CV_LK_MUTEX, false, &site, buf, sizeof(buf)),
		  "lock");
	Py_DECREF(wait);
	Py_DECREF(src);
	Py_DECREF(g);
	cv_cpython_free(c);
	cv_symbols_free(syms);
	fclose(warn);
}

int main(void)
{
	RUN(layout_3_11);
	RUN(unsupported_versions);
	RUN(rule_hash);
	RUN(probe_libpython);
	RUN(names_from_the_frames_seen);
	return CHECK_DONE();
}
