"""nb_recv.py — receives that cannot block: N recv(MSG_DONTWAIT) on an empty
socket (EAGAIN), then N recv with the data already there.  A tracer that
stops the program at each syscall (strace) must not make them look blocked.
Prints `example-stats {...}` last on stderr: its calls, EAGAINs and bytes.
  nb_recv.py [N]"""
import socket
import sys

import stats

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
a, b = socket.socketpair()
calls = eagain = nbytes = 0
for _ in range(N):
    calls += 1
    try:
        a.recv(64, socket.MSG_DONTWAIT)
    except BlockingIOError:
        eagain += 1
for _ in range(N):
    b.send(b"x" * 16)
    calls += 1
    nbytes += len(a.recv(64))
stats.report(example="nb_recv", recv_calls=calls, recv_eagain=eagain, recv_bytes=nbytes, **stats.me())
