"""A Semaphore(5) shared by 20 threads: at most 5 inside at once.

    python3 semaphore.py [THREADS] [SLOTS]

Each thread tries a non-blocking acquire first (a failure is counted as
contended), then the blocking one, holds its slot 0.1 s and releases it.
The threads count how many are inside at once (max_holders).  The threads
all start within a few milliseconds, long before the first release, so
the contended ones are all parked in Semaphore.acquire at the same time."""
import sys
import threading
import time

import stats


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    slots = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    sem = threading.Semaphore(slots)
    inside, max_inside, contended, tids = [0], [0], [], []
    gate = threading.Lock()  # held only for a few bytecodes, with the GIL

    def worker():
        tids.append(threading.get_native_id())
        if not sem.acquire(blocking=False):
            contended.append(1)
            sem.acquire()
        with gate:
            inside[0] += 1
            max_inside[0] = max(max_inside[0], inside[0])
        time.sleep(0.1)
        with gate:
            inside[0] -= 1
        sem.release()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats.report(main=stats.me(), workers=tids, slots=slots, acquisitions=n,
                 contended=len(contended), max_holders=max_inside[0])


if __name__ == "__main__":
    main()
