"""CPU-bound work in 3 threads (one interpreter: they take turns on the GIL)
or in 3 processes (one interpreter each: no GIL between them).

    python3 gil.py threads|processes|fork-threads [ITERATIONS]

fork-threads: the threads, in a child forked by multiprocessing (it never
execs: concviz must know the child's interpreter from its parent's).

Prints its ground truth (stats.py): the mode and the workers' native
thread ids and process ids."""
import stats
import multiprocessing
import os
import sys
import threading

def spin(n, out=None):
    x = 0
    for i in range(n):
        x += i * i
    if out is not None:
        out.append((threading.get_native_id(), os.getpid()))
    return x

def forked_threads(n, out):
    done = []
    ts = [threading.Thread(target=spin, args=(n, done)) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put(done)


def main():
    mode = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000_000
    done = []
    if mode == "threads":
        ts = [threading.Thread(target=spin, args=(n, done)) for _ in range(3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        workers = done
    elif mode == "processes":
        ctx = multiprocessing.get_context("fork")
        ps = [ctx.Process(target=spin, args=(n,)) for _ in range(3)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        workers = [(p.pid, p.pid) for p in ps]
    elif mode == "fork-threads":
        ctx = multiprocessing.get_context("fork")
        out = ctx.SimpleQueue()
        p = ctx.Process(target=forked_threads, args=(n, out))
        p.start()
        workers = out.get()
        p.join()
    else:
        sys.exit("usage: gil.py threads|processes|fork-threads [ITERATIONS]")
    stats.report(mode=mode, main_tid=threading.get_native_id(), pid=os.getpid(),
                 worker_tids=[w[0] for w in workers],
                 worker_pids=[w[1] for w in workers])

if __name__ == "__main__":
    main()
