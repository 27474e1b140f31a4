/* cpython.c — finding and reading CPython processes (see cpython.h). */
#include "live/cpython.h"

#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/utf8.h"
#include "live/procscan.h"

#define PY_SITE_FRAMES 16 /* frames searched for the program's own code */

struct py_proc {
	uint32_t tgid;
	const struct cv_py_layout *layout; /* NULL: unsupported */
	uint64_t runtime, runtime_size;    /* _PyRuntime */
	uint32_t version;                  /* Py_Version, 0 unknown (before 3.11) */
};

struct cv_cpython {
	struct cv_symbols *syms;
	FILE *warn;
	struct cv_hash procs;              /* tgid -> struct py_proc * */
	uint32_t warned[8];                /* unsupported versions said once */
	size_t nwarned;
};

#define PTR(v) ((void *)(uintptr_t)(v))

struct cv_cpython *cv_cpython_new(struct cv_symbols *syms, FILE *warn)
{
	struct cv_cpython *c = calloc(1, sizeof(*c));

	if (c) {
		c->syms = syms;
		c->warn = warn ? warn : stderr;
	}
	return c;
}

void cv_cpython_free(struct cv_cpython *c)
{
	size_t it = 0;
	uint64_t v;

	if (!c)
		return;
	while ((v = cv_hash_each(&c->procs, &it)) != CV_HASH_NONE)
		free(PTR(v));
	cv_hash_free(&c->procs);
	free(c);
}

static struct py_proc *find(const struct cv_cpython *c, uint32_t tgid)
{
	uint64_t v = cv_hash_get(&c->procs, tgid);

	return v == CV_HASH_NONE ? NULL : PTR(v);
}

void cv_cpython_forget(struct cv_cpython *c, uint32_t tgid)
{
	struct py_proc *p = find(c, tgid);

	if (p) {
		cv_hash_del(&c->procs, tgid, (uintptr_t)p);
		free(p);
	}
}

static void put(struct cv_cpython *c, const struct py_proc *from, uint32_t tgid)
{
	struct py_proc *p = malloc(sizeof(*p));

	cv_cpython_forget(c, tgid);
	if (!p)
		return;
	*p = *from;
	p->tgid = tgid;
	if (!cv_hash_add(&c->procs, tgid, (uintptr_t)p))
		free(p);
}

void cv_cpython_fork(struct cv_cpython *c, uint32_t parent, uint32_t child)
{
	const struct py_proc *p = find(c, parent);

	if (p)
		put(c, p, child);
}

/* n bytes of process pid's memory at addr; false if unreadable */
static bool peek(uint32_t pid, uint64_t addr, void *buf, size_t n)
{
	char path[32];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = pread(fd, buf, n, (off_t)addr) == (ssize_t)n;
	close(fd);
	return ok;
}

static void say_unsupported(struct cv_cpython *c, const struct py_proc *p)
{
	for (size_t i = 0; i < c->nwarned; i++)
		if (c->warned[i] == p->version)
			return;
	if (c->nwarned < sizeof(c->warned) / sizeof(c->warned[0]))
		c->warned[c->nwarned++] = p->version;
	if (p->version)
		fprintf(c->warn, "concviz: process %" PRIu32 " runs Python %u.%u, which concviz cannot "
			"read: its GIL and Python-level locks show as C-level futexes\n",
			p->tgid, p->version >> 24, (p->version >> 16) & 0xff);
	else
		fprintf(c->warn, "concviz: process %" PRIu32 " runs a Python older than 3.11, which "
			"concviz cannot read: its GIL and Python-level locks show as C-level futexes\n",
			p->tgid);
}

static void entry_of(const struct py_proc *p, struct cv_py_proc *out)
{
	const struct cv_py_layout *l = p->layout;

	*out = (struct cv_py_proc){
		.gil = p->runtime + l->runtime_gil,
		.interp_head = p->runtime + l->runtime_interp_head,
		.gil_size = l->gil_size,
		.gil_last_holder = l->gil_last_holder, .gil_locked = l->gil_locked,
		.interp_threads = l->interp_threads,
		.ts_next = l->ts_next, .ts_native_tid = l->ts_native_tid, .ts_frame = l->ts_frame,
		.frame_holder_current = l->frame_holder_current,
		.frame_code = l->frame_code, .frame_previous = l->frame_previous,
		.frame_self = l->frame_self,
		.code_qualname = l->code_qualname, .code_filename = l->code_filename,
		.str_length = l->str_length, .str_ascii_data = l->str_ascii_data,
	};
}

enum cv_py_found cv_cpython_probe(struct cv_cpython *c, uint32_t tgid, struct cv_py_proc *out)
{
	struct py_proc p = { .tgid = tgid };
	uint64_t vaddr, vsize;

	memset(out, 0, sizeof(*out));
	cv_cpython_forget(c, tgid);
	cv_symbols_forget(c->syms, tgid); /* the mappings of now */
	if (!cv_symbols_find(c->syms, tgid, "_PyRuntime", &p.runtime, &p.runtime_size))
		return CV_PY_NOT_YET;
	if (cv_symbols_find(c->syms, tgid, "Py_Version", &vaddr, &vsize) && vsize >= 4 &&
	    !peek(tgid, vaddr, &p.version, sizeof(p.version)))
		p.version = 0;
	p.layout = cv_py_layout_of(p.version);
	put(c, &p, tgid);
	if (!p.layout) {
		say_unsupported(c, &p);
		return CV_PY_UNSUPPORTED;
	}
	entry_of(&p, out);
	return CV_PY_SUPPORTED;
}

/* Does process pid's executable link a libpython (DT_NEEDED)? */
bool cv_cpython_links_libpython(uint32_t pid)
{
	char path[32];
	bool found = false;
	int fd;
	Elf *elf;
	Elf_Scn *scn = NULL;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/exe", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;
		GElf_Dyn dyn;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !(d = elf_getdata(scn, NULL)))
			continue;
		for (int i = 0; gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++) {
			const char *lib = dyn.d_tag == DT_NEEDED ?
				elf_strptr(elf, sh.sh_link, dyn.d_un.d_val) : NULL;

			if (lib && strncmp(lib, "libpython", 9) == 0)
				found = true;
		}
	}
	elf_end(elf);
	close(fd);
	return found;
}

/* ---- names ---------------------------------------------------------------- */

static uint64_t peek_ptr(uint32_t pid, uint64_t addr)
{
	uint64_t v = 0;

	return addr && peek(pid, addr, &v, sizeof(v)) ? v : 0;
}

/* A compact str object's text into buf as UTF-8 (a file or function name
 * in any script: "übung.py"); false if it is none or does not fit. */
static bool peek_str(const struct py_proc *p, uint64_t str, char *buf, size_t n)
{
	const struct cv_py_layout *l = p->layout;
	uint64_t len = 0;
	uint32_t state = 0, kind;
	uint8_t units[1024];

	if (!str || !peek(p->tgid, str + l->str_length, &len, sizeof(len)) ||
	    !peek(p->tgid, str + l->str_state, &state, sizeof(state)))
		return false;
	/* state: interned:2 kind:3 compact:1 ascii:1 (the same since 3.3) */
	kind = (state >> 2) & 7;
	if (!(state & (1u << 5)) || len == 0 || len >= n)
		return false;
	if (state & (1u << 6)) {
		if (!peek(p->tgid, str + l->str_ascii_data, buf, len))
			return false;
		buf[len] = '\0';
		return true;
	}
	if ((kind != 1 && kind != 2 && kind != 4) || len * kind > sizeof(units) ||
	    !peek(p->tgid, str + l->str_compact_data, units, len * kind))
		return false;
	return cv_utf8_from_units(units, len, kind, buf, n);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool is_library_wait(const char *file)
{
	for (size_t i = 0; i < cv_py_wait_rule_count; i++)
		if (strcmp(cv_py_wait_rules[i].file, file) == 0)
			return true;
	return false;
}

/* The rule of a code object, NULL if none */
static const struct cv_py_wait_rule *code_rule(const struct py_proc *p, uint64_t code)
{
	char file[256], qual[128];

	if (!peek_str(p, peek_ptr(p->tgid, code + p->layout->code_filename), file, sizeof(file)) ||
	    !peek_str(p, peek_ptr(p->tgid, code + p->layout->code_qualname), qual, sizeof(qual)))
		return NULL;
	for (size_t i = 0; i < cv_py_wait_rule_count; i++)
		if (strcmp(cv_py_wait_rules[i].file, base_name(file)) == 0 &&
		    strcmp(cv_py_wait_rules[i].qualname, qual) == 0)
			return &cv_py_wait_rules[i];
	return NULL;
}

/* "worker (lesson.py)" into buf if code is the program's own (not one of
 * the standard library's waiting functions) */
static bool code_site(const struct py_proc *p, uint64_t code, char *buf, size_t n)
{
	const struct cv_py_layout *l = p->layout;
	char file[256], qual[128];

	if (!code || !peek_str(p, peek_ptr(p->tgid, code + l->code_filename), file, sizeof(file)) ||
	    !peek_str(p, peek_ptr(p->tgid, code + l->code_qualname), qual, sizeof(qual)) ||
	    is_library_wait(base_name(file)))
		return false;
	snprintf(buf, n, "%s (%s)", qual, base_name(file));
	return true;
}

/* Thread tid's innermost frame now, 0 if it runs no Python code */
static uint64_t frame_now(const struct py_proc *p, uint32_t tid)
{
	const struct cv_py_layout *l = p->layout;

	tid = cv_proc_ns_tid(p->tgid, tid); /* CPython keeps its namespace's ID */
	uint64_t ts = peek_ptr(p->tgid, peek_ptr(p->tgid, p->runtime + l->runtime_interp_head) +
				l->interp_threads), frame = 0;

	/* as the probes do (bpf/probe/python.h, py_frame): a thread being
	 * started has a state with its creator's id and no frame */
	for (int i = 0; i < 256 && ts && !frame; i++) {
		uint32_t native = 0;

		if (peek(p->tgid, ts + l->ts_native_tid, &native, sizeof(native)) && native == tid)
			frame = peek_ptr(p->tgid, peek_ptr(p->tgid, ts + l->ts_frame) +
					 l->frame_holder_current);
		ts = peek_ptr(p->tgid, ts + l->ts_next);
	}
	return frame;
}

/* The site of thread tid now: its innermost frame outside the standard
 * library's waiting functions; false if tid runs no Python code */
static bool site_now(const struct py_proc *p, uint32_t tid, char *buf, size_t n)
{
	const struct cv_py_layout *l = p->layout;
	uint64_t frame = frame_now(p, tid);

	for (int i = 0; i < PY_SITE_FRAMES && frame; i++) {
		if (code_site(p, peek_ptr(p->tgid, frame + l->frame_code), buf, n))
			return true;
		frame = peek_ptr(p->tgid, frame + l->frame_previous);
	}
	return false;
}

/* The site of a wait: from the code objects of its frames as the probes
 * saw them, else (none, or all the library's) from its thread now */
static bool site(const struct py_proc *p, uint32_t tid, const struct cv_py_site *seen,
		 char *buf, size_t n)
{
	for (int i = 0; seen && i < CV_PY_SITE_CODES && seen->code[i]; i++)
		if (code_site(p, seen->code[i], buf, n))
			return true;
	return site_now(p, tid, buf, n);
}

/* What object addr is: a CODE rule's label, else its type's name */
static bool object_label(const struct py_proc *p, uint64_t addr, char *buf, size_t n)
{
	uint64_t type = peek_ptr(p->tgid, addr + p->layout->obj_type);
	uint64_t name = peek_ptr(p->tgid, type + p->layout->type_name);
	const struct cv_py_wait_rule *r;
	char tn[64] = "";

	if (!name || !peek(p->tgid, name, tn, sizeof(tn) - 1))
		return false;
	tn[sizeof(tn) - 1] = '\0';
	if (strcmp(tn, "code") == 0 && (r = code_rule(p, addr)) && r->label) {
		snprintf(buf, n, "%s", r->label);
		return true;
	}
	snprintf(buf, n, "%s", base_name(tn)); /* "queue.Queue" in C types: the last part */
	return tn[0] != '\0';
}

bool cv_cpython_classify_wait(struct cv_cpython *c, uint32_t pid, uint32_t tid, uint64_t addr,
			      uint8_t *kind, uint64_t *obj, bool *pyobj)
{
	const struct py_proc *p = find(c, pid);
	const struct cv_py_wait_rule *found = NULL;
	uint64_t frame, key = 0;

	if (!p || !p->layout)
		return false;
	*pyobj = false;
	*obj = addr;
	if (addr - (p->runtime + p->layout->runtime_gil) < p->layout->gil_size) {
		*kind = CV_LK_GIL;
		return true;
	}
	if (!(frame = frame_now(p, tid)))
		return false;
	/* the probes' walk (bpf/probe/python.h, py_classify), from /proc */
	for (int i = 0; i < CV_PY_FRAMES && frame; i++) {
		uint64_t code = peek_ptr(p->tgid, frame + p->layout->frame_code);
		const struct cv_py_wait_rule *r = code ? code_rule(p, code) : NULL;
		uint64_t k;

		if (!r)
			break;
		k = r->rule.key == CV_PY_KEY_CODE ? code : peek_ptr(p->tgid, frame + p->layout->frame_self);
		if (k) {
			found = r;
			key = k;
		} else if (!found) {
			found = r;
		}
		if (!r->rule.refine)
			break;
		frame = peek_ptr(p->tgid, frame + p->layout->frame_previous);
	}
	if (found && !key)
		return false;
	/* no rule: the program's own code waits; a Lock if the futex is a
	 * sem_t's or a mutex's (a condvar in a C extension is neither) */
	if (!found && *kind != CV_LK_SEMAPHORE && *kind != CV_LK_MUTEX)
		return false;
	*kind = found ? found->rule.kind : CV_LK_MUTEX;
	if (found) {
		*obj = key;
		*pyobj = true;
	}
	return true;
}

const char *cv_cpython_name(struct cv_cpython *c, uint32_t pid, uint32_t tid, uint64_t addr,
			    uint8_t kind, bool pyobj, const struct cv_py_site *seen, char *buf,
			    size_t n)
{
	const struct py_proc *p = find(c, pid);
	char what[64], where[400];

	if (!p)
		return NULL;
	if (!p->layout) {
		if (addr - p->runtime >= p->runtime_size)
			return NULL;
		if (p->version)
			snprintf(buf, n, "_PyRuntime (Python %u.%u: not supported)", p->version >> 24,
				 (p->version >> 16) & 0xff);
		else
			snprintf(buf, n, "_PyRuntime (Python < 3.11: not supported)");
		return buf;
	}
	if (addr - (p->runtime + p->layout->runtime_gil) < p->layout->gil_size) {
		snprintf(buf, n, "GIL");
		return buf;
	}
	if (pyobj) {
		if (!object_label(p, addr, what, sizeof(what)))
			snprintf(what, sizeof(what), "%s", "Python object");
	} else if (kind == CV_LK_MUTEX) {
		snprintf(what, sizeof(what), "lock");
	} else {
		return NULL;
	}
	if (site(p, tid, seen, where, sizeof(where)))
		snprintf(buf, n, "%s in %s", what, where);
	else
		snprintf(buf, n, "%s", what);
	return buf;
}
