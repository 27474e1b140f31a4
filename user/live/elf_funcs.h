/* elf_funcs.h — where a function of a shared library is in its file, for
 * uprobes (which attach at a file offset).
 *
 * libbpf's own lookup by name refuses a name that two versions of a symbol
 * share at different addresses (glibc's pthread_cond_wait@GLIBC_2.2.5 and
 * @@GLIBC_2.3.2): this one returns every distinct offset, so a probe can sit
 * on each version.  Reads .dynsym (and .symtab if present) with libelf. */
#ifndef CONCVIZ_ELF_FUNCS_H
#define CONCVIZ_ELF_FUNCS_H

#include <stddef.h>
#include <stdint.h>

/* File offsets of the STT_FUNC symbols named `name` (any version) in the ELF
 * file at path, distinct, at most max of them.  Returns how many (0: none),
 * or -1 if the file cannot be read as ELF. */
int cv_elf_func_offsets(const char *path, const char *name, uint64_t *offs, size_t max);

/* Is the ELF program at path linked statically (no PT_INTERP: no dynamic
 * loader, so no shared C library)?  1 yes, 0 no, -1 not readable as ELF. */
int cv_elf_is_static(const char *path);

/* The C library process pid maps (the path in its /proc/PID/maps whose
 * file name starts with "libc.so" or "libc-"), into buf; false if none. */
int cv_proc_libc(uint32_t pid, char *buf, size_t n);

#endif
