"""Lock names a learner reads: each must name the code that waited.

    python3 names.py

- 10 Locks, each waited for once (0.5 ms) by its own thread in waiter();
  the thread then computes in busy_elsewhere() for ~50 ms, so a name read
  from the thread's frames after the wait would say busy_elsewhere.
- one Barrier of 3 threads, 5 rounds, the threads arriving 3 ms apart:
  one object, so one row, and two threads wait at it at once.
- a ThreadPoolExecutor whose worker waits 0.2 s for its first job: an
  idle worker waiting for work, not contention.
The ground truth: the waiters' kernel ids, the barrier threads' ids."""
import concurrent.futures
import threading
import time

import stats

ROUNDS = 5


def busy_elsewhere():
    x = 0
    for i in range(300_000):
        x += i
    return x


def waiter(lock, tids):
    tids.append(threading.get_native_id())
    with lock:
        pass
    busy_elsewhere()


def at_barrier(barrier, k, tids):
    tids.append(threading.get_native_id())
    for _ in range(ROUNDS):
        time.sleep(0.003 * k)
        barrier.wait()


def main():
    waiters, locks = [], []  # kept: each Lock at an address of its own
    for _ in range(10):
        lock = threading.Lock()
        locks.append(lock)
        lock.acquire()
        t = threading.Thread(target=waiter, args=(lock, waiters))
        t.start()
        time.sleep(0.0005)
        lock.release()
        t.join()
    barrier, at = threading.Barrier(3), []
    threads = [threading.Thread(target=at_barrier, args=(barrier, k, at)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: None).result()  # the worker exists, then idles
        time.sleep(0.2)
        pool.submit(lambda: None).result()
    stats.report(waiters=sorted(waiters), barrier=sorted(at), rounds=ROUNDS)


if __name__ == "__main__":
    main()
