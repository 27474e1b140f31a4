/* cmd_usage.h — how every concviz subcommand reports bad usage: one line on
 * stderr, exit status 2. */
#ifndef CONCVIZ_CMD_USAGE_H
#define CONCVIZ_CMD_USAGE_H

#include <stdbool.h>

/* "concviz: WHAT 'ARG' (see concviz CMD --help)"; arg and cmd may be NULL.
 * Returns 2. */
int cv_usage_error(const char *cmd, const char *what, const char *arg);
/* -h or --help */
bool cv_is_help(const char *arg);

#endif
