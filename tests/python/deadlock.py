"""The classic deadlock: two threads take two Locks in opposite order.

    python3 deadlock.py [SECONDS]

transfer_ab takes lock_a then wants lock_b; transfer_ba takes lock_b then
wants lock_a.  Each holds its first lock for 0.2 s, so both are surely
inside before either asks for the second (the non-blocking try fails:
counted as stuck), and both block for good.  After SECONDS (default 2.5)
the main thread prints who is stuck and ends the process (the two threads
can never finish)."""
import os
import sys
import threading
import time

import stats

lock_a = threading.Lock()
lock_b = threading.Lock()
tids, stuck = {}, []


def transfer_ab():
    tids["ab"] = threading.get_native_id()
    with lock_a:
        time.sleep(0.2)
        if not lock_b.acquire(blocking=False):
            stuck.append("ab")
            lock_b.acquire()  # never returns
        lock_b.release()


def transfer_ba():
    tids["ba"] = threading.get_native_id()
    with lock_b:
        time.sleep(0.2)
        if not lock_a.acquire(blocking=False):
            stuck.append("ba")
            lock_a.acquire()  # never returns
        lock_a.release()


def main():
    wait = float(sys.argv[1]) if len(sys.argv) > 1 else 2.5
    for f in (transfer_ab, transfer_ba):
        threading.Thread(target=f, daemon=True).start()
    time.sleep(wait)
    stats.report(main=stats.me(), ab=tids["ab"], ba=tids["ba"], stuck=sorted(stuck))
    os._exit(0)


if __name__ == "__main__":
    main()
