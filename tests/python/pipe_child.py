"""pipe_child.py — a parent reads with os.read() what its forked child
writes to a pipe: N messages of known sizes, a pause between them, then EOF.
The parent counts its own read calls (the EOF read included) and bytes and
prints `example-stats {"pid", "tid", "reads", "bytes", "child"}` on stderr
as its last line."""
import json
import os
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
r, w = os.pipe()
child = os.fork()
if child == 0:
    os.close(r)
    for i in range(N):
        os.write(w, b"x" * (10 + i % 50))
        time.sleep(0.005)
    os._exit(0)
os.close(w)
reads = nbytes = 0
while True:
    data = os.read(r, 4096)
    reads += 1
    nbytes += len(data)
    if not data:
        break
os.waitpid(child, 0)
sys.stderr.write("example-stats " + json.dumps({
    "pid": os.getpid(), "tid": threading.get_native_id(), "reads": reads, "bytes": nbytes,
    "child": child}) + "\n")
