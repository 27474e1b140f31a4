"""select_server.py — a selectors (or select.select) server on 127.0.0.1:
K client threads each connect and send M messages of 32 bytes, then close.
The server (the main thread) counts its own multiplexer calls and the
descriptors they returned ready, its accepts, and its recv calls and bytes,
and prints `example-stats {...}` on stderr as its last line.
  select_server.py [selectors|select] [K] [M]"""
import json
import os
import select
import selectors
import socket
import sys
import threading
import time

API = sys.argv[1] if len(sys.argv) > 1 else "selectors"
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
M = int(sys.argv[3]) if len(sys.argv) > 3 else 20

lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(K)
lsock.setblocking(False)
port = lsock.getsockname()[1]


def client():
    c = socket.create_connection(("127.0.0.1", port))
    for _ in range(M):
        c.sendall(b"m" * 32)
        time.sleep(0.003)
    c.close()


threads = [threading.Thread(target=client) for _ in range(K)]
for t in threads:
    t.start()

calls = ready = accepts = recvs = nbytes = 0
conns = []
done = 0
sel = selectors.DefaultSelector() if API == "selectors" else None
if sel:
    sel.register(lsock, selectors.EVENT_READ)
while done < K:
    if sel:
        events = [key.fileobj for key, _ in sel.select(timeout=5)]
    else:
        events, _, _ = select.select([lsock] + conns, [], [], 5)
    calls += 1
    ready += len(events)
    for s in events:
        if s is lsock:
            c, _ = lsock.accept()
            accepts += 1
            c.setblocking(False)
            conns.append(c)
            if sel:
                sel.register(c, selectors.EVENT_READ)
            continue
        data = s.recv(4096)
        recvs += 1
        nbytes += len(data)
        if not data:
            done += 1
            conns.remove(s)
            if sel:
                sel.unregister(s)
            s.close()
for t in threads:
    t.join()
sys.stderr.write("example-stats " + json.dumps({
    "pid": os.getpid(), "tid": threading.get_native_id(), "api": API,
    "mux_calls": calls, "mux_ready": ready, "accepts": accepts, "recv_calls": recvs,
    "recv_bytes": nbytes, "clients": K}) + "\n")
