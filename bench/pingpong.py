"""Two threads hand a turn back and forth through a threading.Condition:
every handoff is a Python-level Condition.wait (a futex wait that concviz's
probes classify from the thread's frames) and a GIL handoff.
    python3 pingpong.py N   -> "X us per round trip" on stderr"""
import threading, time, sys
n = int(sys.argv[1])
c = threading.Condition()
turn = [0]
def player(me):
    for _ in range(n):
        with c:
            while turn[0] != me:
                c.wait()
            turn[0] = 1 - me
            c.notify()
t0 = time.perf_counter()
ts = [threading.Thread(target=player, args=(i,)) for i in (0, 1)]
for t in ts: t.start()
for t in ts: t.join()
print(f"{(time.perf_counter()-t0)*1e6/n:.1f} us per round trip", file=sys.stderr)
