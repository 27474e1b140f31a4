/* cmd_usage.c — see cmd_usage.h. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "cli/cmd_usage.h"

int cv_usage_error(const char *cmd, const char *what, const char *arg)
{
	cv_warn("%s%s%s%s (see concviz %s%s--help)", what, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "", cmd ? cmd : "", cmd ? " " : "");
	return 2;
}

bool cv_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}
