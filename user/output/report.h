/* report.h — the end-of-trace summary of a model: a human-readable text
 * report and the JSON summary whose keys docs/design.md fixes
 * ("JSON summary").  Both read the model only. */
#ifndef CONCVIZ_REPORT_H
#define CONCVIZ_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/model.h"

struct cv_report_extra {
	uint64_t file_bytes;    /* recording size, 0 = not a recording */
	const char *read_error; /* the recording ends early (cut short, damaged): why;
				 * the report is of the part before (NULL: whole) */
	bool all_processes;     /* text: list short-lived helper processes' threads too
				 * (else they fold into one line; JSON lists them all) */
};

/* Header, per-thread table, lock table, deadlocks (extra may be NULL). */
void cv_report_text(FILE *out, const struct cv_model *m, const struct cv_report_extra *extra);
/* One JSON object and a newline; adds "bytes_per_event" when file_bytes != 0. */
void cv_report_json(FILE *out, const struct cv_model *m, const struct cv_report_extra *extra);

#endif /* CONCVIZ_REPORT_H */
