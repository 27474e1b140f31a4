"""Lock (or RLock) contention that a learner can count.

    python3 lock.py lock|rlock [WORKERS]

The main thread takes the lock, starts WORKERS threads and holds it 0.3 s,
so every worker finds it taken (a non-blocking acquire fails: counted as
contended) and then blocks in acquire.  They get it one after another,
each holding it 20 ms; an RLock worker takes it twice (the second time it
is its own: no wait).  Every contended acquire is exactly one wait: while
one worker holds the lock the others are asleep in acquire, so nobody can
take it from the one the release wakes."""
import sys
import threading
import time

import stats


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "lock"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    lock = {"lock": threading.Lock, "rlock": threading.RLock}[kind]()
    # list.append is atomic under the GIL: no second lock to contend for
    acquisitions, contended, tids = [], [], []

    def worker():
        if not lock.acquire(blocking=False):
            contended.append(1)
            lock.acquire()
        acquisitions.append(1)
        tids.append(threading.get_native_id())
        if kind == "rlock":
            with lock:  # re-entrant: its own, no wait
                acquisitions.append(1)
        time.sleep(0.02)
        lock.release()

    lock.acquire()
    acquisitions.append(1)
    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    lock.release()
    for t in threads:
        t.join()
    stats.report(kind=kind, main=stats.me(), workers=tids, acquisitions=len(acquisitions),
                 contended=len(contended))


if __name__ == "__main__":
    main()
