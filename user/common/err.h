/* err.h — one way to report errors, printf-checked.
 *
 * A function that can fail writes one line (no "concviz: ", no newline)
 * into the caller's buffer with cv_errorf and returns its failure; whoever
 * ends the command prints that line, warnings and notes on stderr as
 * "concviz: …" with cv_warn. */
#ifndef CONCVIZ_ERR_H
#define CONCVIZ_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* The message into err[0..n) (nothing when err is NULL or n is 0). */
void cv_errorf(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cv_verrorf(char *err, size_t n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* "concviz: MESSAGE\n" on stderr, in one write. */
void cv_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CONCVIZ_ERR_H */
