/* symbols.h — name user data addresses (futex words, locks) from ELF symbols.
 *
 * cv_symbols_name(s, pid, addr) answers "which global object of process pid
 * contains addr": "counter_lock", "counter_lock+8" (decimal byte offset into
 * the object), or NULL when addr is inside no object symbol (heap, stack,
 * anonymous or non-ELF mappings, stripped files, unreadable files, a process
 * that is gone, ...).  Never crashes on bad input.
 *
 * How: /proc/PID/maps is parsed once per pid (and re-read once when an
 * address falls outside every cached mapping, e.g. a library dlopen'ed
 * later).  The backing file of the mapping that contains addr — or, for
 * .bss that runs past the file into an anonymous mapping, of the mapping
 * right before it — is opened through /proc/PID/map_files/START-END
 * (works across mount namespaces and for deleted files; needs root),
 * falling back to /proc/PID/root/PATH and PATH (inode-checked).  Its
 * .symtab (else .dynsym) STT_OBJECT symbols with a non-zero size are read
 * with libelf and cached per file (dev:inode), shared by all processes.
 * The load bias comes from the mapping's start/offset and the PT_LOAD
 * segment it maps, so PIE/non-PIE executables and shared libraries all
 * work.  STT_TLS symbols are not addresses and are ignored.  Of several
 * symbols at one address the one with fewest leading underscores, then
 * GLOBAL/WEAK before LOCAL, then the shortest name wins ("environ", not
 * "__environ"); "@VERSION" suffixes are dropped.
 *
 * Not thread-safe: use one cache per thread or lock around it.
 * Link with -lelf.
 */
#ifndef CONCVIZ_SYMBOLS_H
#define CONCVIZ_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

struct cv_symbols;

/* A cache for any number of processes; NULL on out-of-memory. */
struct cv_symbols *cv_symbols_new(void);
void cv_symbols_free(struct cv_symbols *s);

/* Name of the object containing addr in process pid, or NULL.  The string
 * is owned by the cache and stays valid until cv_symbols_free() (also across
 * cv_symbols_forget()). */
const char *cv_symbols_name(struct cv_symbols *s, uint32_t pid, uint64_t addr);

/* The address and size of the object symbol `name` in process pid (the
 * first mapped ELF file that defines it: the executable, then libraries in
 * address order), false if none does.  Aliases share an address; the
 * name kept for it is the one cv_symbols_name() returns. */
bool cv_symbols_find(struct cv_symbols *s, uint32_t pid, const char *name, uint64_t *addr,
		     uint64_t *size);

/* Drop pid's cached maps (it exec'd or exited; the pid may be reused).
 * Cached files and returned strings stay. */
void cv_symbols_forget(struct cv_symbols *s, uint32_t pid);

#endif
