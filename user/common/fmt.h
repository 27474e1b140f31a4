/* fmt.h — short human-readable numbers and names, one way for the text
 * report and the TUI: the same number prints the same.
 *
 * Text for a terminal comes in two charsets: CV_UTF8 ("12.3µs", UTF-8 kept)
 * and CV_ASCII, the fallback for terminals that are not UTF-8 ("12.3us",
 * printable ASCII only).  Every function writes at most n bytes including
 * the NUL and returns buf. */
#ifndef CONCVIZ_FMT_H
#define CONCVIZ_FMT_H

#include <stddef.h>
#include <stdint.h>

enum cv_charset { CV_UTF8, CV_ASCII };

/* "850ns", "12.3µs", "4.5ms", "1.23s" (under a minute), "2m05s", "1h02m" */
char *cv_fmt_dur(char *buf, size_t n, uint64_t ns, enum cv_charset cs);
/* "9999", "12.3k", "4.5M", "1.2G" */
char *cv_fmt_count(char *buf, size_t n, uint64_t v);
/* "1023", "1.5K", "12.3M", "1.0G" (powers of 1024; no unit below 1K) */
char *cv_fmt_bytes(char *buf, size_t n, uint64_t v);
/* src fit for a terminal: control bytes become '?'; CV_ASCII turns every
 * non-ASCII byte into '?' too, CV_UTF8 keeps UTF-8 and never ends inside a
 * multi-byte sequence.  src NULL: "". */
char *cv_fmt_clean(char *buf, size_t n, const char *src, enum cv_charset cs);
/* A lock's label: its name (cleaned to ASCII), or "0x…" when it has none. */
char *cv_fmt_lock(char *buf, size_t n, const char *name, uint64_t addr);

/* Terminal columns of a UTF-8 string (one per code point). */
int cv_fmt_width(const char *s);
/* buf right-aligned in place to width columns (spaces before it). */
char *cv_fmt_right(char *buf, size_t n, int width);

#endif /* CONCVIZ_FMT_H */
