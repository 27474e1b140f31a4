/* catalog.h — the bundled examples: names, one-line descriptions, and where
 * their binaries live (build tree or installed tree). */
#ifndef CONCVIZ_CATALOG_H
#define CONCVIZ_CATALOG_H

#include <stddef.h>

struct cv_example {
	const char *name;
	const char *summary;
};

extern const struct cv_example cv_examples[];
extern const size_t cv_example_count;

const struct cv_example *cv_example_find(const char *name);

/* Path of the example's binary: $CONCVIZ_EXAMPLES/NAME, else next to the
 * concviz binary (build tree: build/examples/NAME), else the installed
 * PREFIX/libexec/concviz/examples/NAME.  Returns 0 and fills buf, or -1. */
int cv_example_path(const char *name, char *buf, size_t len);

#endif
