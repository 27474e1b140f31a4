"""Threads stuck for good, and threads that only look stuck.

    python3 stuck.py self|join|asleep|processes

self       one thread takes a Lock and asks for it again: it waits for ever
           (nobody else could release it).
join       the main thread holds a Lock and joins a worker that wants it.
asleep     a holder takes Locks a and b and sleeps 2.2 s; one worker waits
           for a, another for b; the holder then releases both and
           everybody finishes (not a deadlock).
processes  two processes (fork) take multiprocessing Locks a and b in
           opposite order, 0.2 s apart: each waits for the other's for
           ever; the parent waits for them.
parked [S] one thread waits for a Lock the main thread holds, another in
           Event.wait, for S seconds (default 3): for an attach to find
           them blocked; then everything finishes.

The ground truth (example-stats on stderr) is printed before the threads
get stuck, since only concviz's deadline (-d) ends the stuck modes: the
kernel ids of the threads that get stuck ("stuck"), or of the waiters and
the holder, and whether the run ends by itself ("finishes")."""
import multiprocessing
import os
import sys
import threading
import time

import stats


def stuck_alone():
    lock = threading.Lock()
    lock.acquire()
    stats.report(stuck=[threading.get_native_id()], finishes=False)
    lock.acquire()  # never returns


def stuck_in_join():
    lock = threading.Lock()
    tid = []
    started = threading.Event()

    def worker():
        tid.append(threading.get_native_id())
        started.set()
        lock.acquire()  # never returns: the main thread holds it

    with lock:
        t = threading.Thread(target=worker)
        t.start()
        started.wait()
        stats.report(stuck=sorted([threading.get_native_id(), tid[0]]), finishes=False)
        t.join()  # never returns


def asleep_holding():
    a, b = threading.Lock(), threading.Lock()
    held = threading.Event()
    tids = {}

    def holder():
        tids["holder"] = threading.get_native_id()
        with a, b:
            held.set()
            time.sleep(2.2)

    def waiter(name, lock):
        tids[name] = threading.get_native_id()
        with lock:
            pass

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    held.wait()
    threads += [threading.Thread(target=waiter, args=("wa", a)),
                threading.Thread(target=waiter, args=("wb", b))]
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join()
    stats.report(holder=tids["holder"], waiters=sorted([tids["wa"], tids["wb"]]), finishes=True)


def parked():
    lock, ev = threading.Lock(), threading.Event()
    tids = {}

    def locker():
        tids["locker"] = threading.get_native_id()
        with lock:
            pass

    def setter_waiter():
        tids["event"] = threading.get_native_id()
        ev.wait()

    lock.acquire()
    threads = [threading.Thread(target=locker), threading.Thread(target=setter_waiter)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    stats.report(locker=tids["locker"], event=tids["event"], finishes=True)
    time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 3)
    lock.release()
    ev.set()
    for t in threads:
        t.join()


def take_in_order(first, second):
    with first:
        time.sleep(0.2)
        second.acquire()  # never returns: the other process holds it


def stuck_processes():
    ctx = multiprocessing.get_context("fork")
    a, b = ctx.Lock(), ctx.Lock()
    procs = [ctx.Process(target=take_in_order, args=(a, b)),
             ctx.Process(target=take_in_order, args=(b, a))]
    for p in procs:
        p.start()
    stats.report(stuck=sorted(p.pid for p in procs), finishes=False)
    for p in procs:
        p.join()  # never returns


if __name__ == "__main__":
    {"self": stuck_alone, "join": stuck_in_join, "asleep": asleep_holding,
     "processes": stuck_processes, "parked": parked}[sys.argv[1]]()
