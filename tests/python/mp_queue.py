"""mp_queue.py — a multiprocessing.Queue between a producer process and the
main process: the producer puts N objects; the main thread gets them.  A
Queue is a pipe: each get() reads the 4-byte length, then the pickled
object (each put() is one write of both, under PIPE_BUF, so each read gets
all it asks for).  The program computes its reads and bytes from the
pickles it gets and prints `example-stats {"pid", "tid", "reads", "bytes",
"producer"}` on stderr as its last line."""
import json
import multiprocessing as mp
import os
import sys
import threading
import time
from multiprocessing.reduction import ForkingPickler

N = int(sys.argv[1]) if len(sys.argv) > 1 else 30


def produce(q, n):
    for i in range(n):
        q.put({"i": i, "pad": "y" * (i % 40)})
        time.sleep(0.005)


if __name__ == "__main__":
    mp.set_start_method("fork")
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, N))
    p.start()
    reads = nbytes = 0
    for _ in range(N):
        obj = q.get()
        reads += 2                                   # the length, then the pickle
        nbytes += 4 + len(ForkingPickler.dumps(obj))
    p.join()
    sys.stderr.write("example-stats " + json.dumps({
        "pid": os.getpid(), "tid": threading.get_native_id(), "reads": reads,
        "bytes": nbytes, "producer": p.pid, "producer_exit": p.exitcode}) + "\n")
