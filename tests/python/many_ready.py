"""many_ready.py — multiplexer calls that return more descriptors ready than
one readiness event lists (17): N pipes, each with a byte in it, watched by
select.select, select.poll and select.epoll, R calls each.  Every call
returns all N ready (nothing is read).  Prints, as its last stderr line,
`example-stats {...}` with its own counts per API: calls and descriptors
returned ready, and the pipes' read-end fds.
  many_ready.py [N] [R]"""
import os
import select
import sys

import stats

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
R = int(sys.argv[2]) if len(sys.argv) > 2 else 5

pipes = [os.pipe() for _ in range(N)]
rfds = [r for r, _ in pipes]
for _, w in pipes:
    os.write(w, b"x")

counts = {}


def count(api, ready):
    c = counts.setdefault(api, {"calls": 0, "ready": 0})
    c["calls"] += 1
    c["ready"] += ready


for _ in range(R):
    r, _, _ = select.select(rfds, [], [], 1.0)
    count("select", len(r))
p = select.poll()
for fd in rfds:
    p.register(fd, select.POLLIN)
for _ in range(R):
    count("poll", len(p.poll(1000)))
ep = select.epoll()
for fd in rfds:
    ep.register(fd, select.EPOLLIN)
for _ in range(R):
    count("epoll", len(ep.poll(1.0, N)))
ep.close()
me = stats.me()
stats.report(example="many_ready", n=N, fds=rfds, apis=counts, **me)
