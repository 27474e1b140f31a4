"""waitall.py — the two phases of a receive when the copy starts before the
wait: the main thread accepts one TCP connection on 127.0.0.1 and makes two
recv(SIZE, MSG_WAITALL) calls.  A sender process writes:
  half of the first message, pauses PAUSE s, the other half  -> the first
      receive copies the half that is there, then blocks for the rest
      (blocked after its copy began: copy_data);
  pauses PAUSE s, the whole second message -> the second receive blocks
      before any data (wait_data): a copy time left over from the first
      call would make this one look like the first.
It prints, as its last stderr line, example-stats with its own counts and
the pause: {"pid", "tid", "recv_calls", "recv_bytes", "pause_ns", "fd"}."""
import os
import socket
import sys
import time

from stats import me, report

PAUSE = 0.2
SIZE = 4000
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]
child = os.fork()
if child == 0:
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"a" * (SIZE // 2))
    time.sleep(PAUSE)
    c.sendall(b"b" * (SIZE // 2))
    time.sleep(PAUSE)
    c.sendall(b"c" * SIZE)
    c.close()
    os._exit(0)
conn, _ = srv.accept()
calls = nbytes = 0
for _ in range(2):
    data = conn.recv(SIZE, socket.MSG_WAITALL)
    calls += 1
    nbytes += len(data)
os.waitpid(child, 0)
report(**me(), recv_calls=calls, recv_bytes=nbytes, pause_ns=int(PAUSE * 1e9), fd=conn.fileno())
sys.exit(0 if nbytes == 2 * SIZE else 1)
