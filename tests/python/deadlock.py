"""The classic deadlock: two threads take two Locks in opposite order.

    python3 deadlock.py [SECONDS]

Thread A takes lock_a then wants lock_b; thread B takes lock_b then wants
lock_a.  Each holds its first lock for 0.2 s, so both are surely inside
before either asks for the second: both block for good.  After SECONDS
(default 2.5) the main thread prints who is stuck and ends the process
(the two threads can never finish)."""
import os
import sys
import threading
import time

import stats


def main():
    wait = float(sys.argv[1]) if len(sys.argv) > 1 else 2.5
    lock_a, lock_b = threading.Lock(), threading.Lock()
    tids, stuck = {}, []

    def take(name, first, second):
        tids[name] = threading.get_native_id()
        with first:
            time.sleep(0.2)
            if not second.acquire(blocking=False):
                stuck.append(name)
                second.acquire()  # never returns
            second.release()

    a = threading.Thread(target=take, args=("a", lock_a, lock_b), daemon=True)
    b = threading.Thread(target=take, args=("b", lock_b, lock_a), daemon=True)
    a.start()
    b.start()
    time.sleep(wait)
    stats.report(main=stats.me(), a=tids["a"], b=tids["b"], stuck=sorted(stuck))
    os._exit(0)


if __name__ == "__main__":
    main()
