/* json.h — JSON string literals, shared by the report and the export. */
#ifndef CONCVIZ_JSON_H
#define CONCVIZ_JSON_H

#include <stddef.h>
#include <stdio.h>

/* At most maxlen bytes of s (stops at NUL; NULL is "") as a JSON string
 * literal, quotes included.  Control characters and DEL are escaped; valid
 * UTF-8 passes through; an invalid byte becomes \u00XX, so the output is
 * always valid JSON. */
void cv_json_strn(FILE *out, const char *s, size_t maxlen);
void cv_json_string(FILE *out, const char *s);

#endif
