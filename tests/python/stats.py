"""The ground truth the tests/python programs print: one line on stderr,
    example-stats {JSON}
as the bundled examples do (docs/design.md, "Examples' ground truth")."""
import json
import os
import sys
import threading


def me():
    """This thread's kernel id and its process's."""
    return {"tid": threading.get_native_id(), "pid": os.getpid()}


def report(**fields):
    print("example-stats " + json.dumps(fields), file=sys.stderr, flush=True)
