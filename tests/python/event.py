"""Threads parked on an Event until it is set.

    python3 event.py [WAITERS]

WAITERS threads call event.wait() on an Event that is not set (each counts
that it found it unset: it will wait); the main thread sets it after 0.3 s.
The waiters wait for the event, not for a lock: nobody holds anything."""
import sys
import threading
import time

import stats


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    event = threading.Event()
    waited, tids = [], []

    def waiter():
        tids.append(threading.get_native_id())
        if not event.is_set():
            waited.append(1)
        event.wait()

    threads = [threading.Thread(target=waiter) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    event.set()
    for t in threads:
        t.join()
    stats.report(main=stats.me(), waiters=tids, waited=len(waited))


if __name__ == "__main__":
    main()
