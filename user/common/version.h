/* version.h — concviz's version, the one place it is written: `concviz
 * --version` prints it and every recording's header carries it (the export
 * passes the recording's on). */
#ifndef CONCVIZ_VERSION_H
#define CONCVIZ_VERSION_H

#define CONCVIZ_VERSION "0.1.0"

#endif
