/* cmd_files.h — the commands that read a recording: replay, report, export.
 * None needs root.  Each returns the process exit status (0/1/2). */
#ifndef CONCVIZ_CMD_FILES_H
#define CONCVIZ_CMD_FILES_H

int cv_cmd_replay(int argc, char **argv);
int cv_cmd_report(int argc, char **argv);
int cv_cmd_export(int argc, char **argv);

#endif
