"""One multiprocessing.Lock shared by 4 processes.

    python3 mp_lock.py [PROCESSES]

The parent takes the lock, forks PROCESSES children and holds it 0.3 s, so
every child finds it taken (a non-blocking acquire fails: counted) and
blocks in acquire; they then get it one after another, each holding it
20 ms.  One lock (one POSIX semaphore in shared memory) in 5 processes:
every contended acquire is exactly one wait, as in lock.py.  It is not the
only process-shared lock here: the Value has its own (an RLock, another
semaphore) and the SimpleQueue two more, and the children's
`contended.get_lock()` is contended for real when one of them is preempted
holding it (a loaded machine).  So the stats give the lock's address (its
sem_t, the same in every process: they are forked), which names its row."""
import multiprocessing
import os
import sys
import time

import stats


def child(lock, contended, pids):
    if not lock.acquire(block=False):
        with contended.get_lock():
            contended.value += 1
        lock.acquire()
    pids.put(os.getpid())
    time.sleep(0.02)
    lock.release()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    ctx = multiprocessing.get_context("fork")
    lock = ctx.Lock()
    contended = ctx.Value("i", 0)
    pids = ctx.SimpleQueue()
    lock.acquire()
    procs = [ctx.Process(target=child, args=(lock, contended, pids)) for _ in range(n)]
    for p in procs:
        p.start()
    time.sleep(0.3)
    lock.release()
    for p in procs:
        p.join()
    stats.report(main=stats.me(), children=sorted(pids.get() for _ in range(n)),
                 contended=contended.value, lock=hex(lock._semlock.handle))


if __name__ == "__main__":
    main()
