/* embed.c — a program that runs Python through libpython3.11.so rather
 * than being the python3.11 executable (Debian's is static): concviz must
 * find the interpreter in the library.  Arguments as for python3:
 *     embed SCRIPT.py [ARGS...]
 * It runs the interpreter's own main, so the script sees sys.argv as usual;
 * "embedder": 1 in the environment tells the script where it runs. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	setenv("CONCVIZ_EMBEDDER", "1", 1);
	return Py_BytesMain(argc, argv);
}
