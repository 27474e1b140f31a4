"""select_server.py — a selectors (or select.select) server on 127.0.0.1:
K client threads each connect and send M messages of 32 bytes, then close
(with M = 1 a connection lives a few hundred microseconds).  The server (the
main thread) also serves one client on a named UNIX socket and reads an
internal wake-up channel (a UNIX socketpair) that a thread pokes W times,
and watches a pipe it never reads: the thread writes it once, and the
server stops watching it when it is first returned ready.
It counts its own multiplexer calls and the descriptors they returned
ready, its accepts, its recv calls and bytes, and per connection (and the
pipe) its fd, kind, peer, receives and times returned ready, and per
listener its times returned ready, and prints `example-stats {...}` on
stderr as its last line.
  select_server.py [selectors|select] [K] [M]"""
import json
import os
import select
import selectors
import socket
import sys
import tempfile
import threading
import time

API = sys.argv[1] if len(sys.argv) > 1 else "selectors"
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
M = int(sys.argv[3]) if len(sys.argv) > 3 else 20
W = 10

lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(K)
lsock.setblocking(False)
port = lsock.getsockname()[1]
upath = os.path.join(tempfile.mkdtemp(prefix="concviz-py-"), "srv.sock")
usock = socket.socket(socket.AF_UNIX)
usock.bind(upath)
usock.listen(1)
usock.setblocking(False)
wake_r, wake_w = socket.socketpair()
wake_r.setblocking(False)
note_r, note_w = os.pipe()


def client():
    c = socket.create_connection(("127.0.0.1", port))
    for _ in range(M):
        c.sendall(b"m" * 32)
        time.sleep(0.003)
    c.close()


def unix_client():
    c = socket.socket(socket.AF_UNIX)
    c.connect(upath)
    for _ in range(M):
        c.sendall(b"u" * 16)
        time.sleep(0.003)
    c.close()


def waker():
    os.write(note_w, b"n")
    for _ in range(W):
        wake_w.send(b"!")
        time.sleep(0.01)
    wake_w.close()


threads = [threading.Thread(target=client) for _ in range(K)]
threads += [threading.Thread(target=unix_client), threading.Thread(target=waker)]
for t in threads:
    t.start()

calls = ready = accepts = recvs = nbytes = 0
conns = {}          # socket -> its record
done = 0
listeners = [lsock, usock]
sel = selectors.DefaultSelector() if API == "selectors" else None
watched = listeners + [wake_r, note_r]
conns[wake_r] = {"fd": wake_r.fileno(), "kind": "unix", "what": "internal", "recvs": 0, "bytes": 0,
                 "ready": 0}
conns[note_r] = {"fd": note_r, "kind": "pipe", "what": "note", "recvs": 0, "bytes": 0, "ready": 0}
listener_ready = {lsock: 0, usock: 0}
if sel:
    for s in watched:
        sel.register(s, selectors.EVENT_READ)
while done < K + 2:
    if sel:
        events = [key.fileobj for key, _ in sel.select(timeout=5)]
    else:
        events, _, _ = select.select(watched, [], [], 5)
    calls += 1
    ready += len(events)
    for s in events:
        if s in listeners:
            listener_ready[s] += 1
        else:
            conns[s]["ready"] += 1
    for s in events:
        if s is note_r:      # seen ready: stop watching it, never read it
            watched.remove(s)
            if sel:
                sel.unregister(s)
            continue
        if s in listeners:
            c, peer = s.accept()
            accepts += 1
            c.setblocking(False)
            rec = {"fd": c.fileno(), "recvs": 0, "bytes": 0, "ready": 0}
            if s is lsock:
                rec.update(kind="tcp", what="client", peer_port=peer[1])
            else:
                rec.update(kind="unix", what="unix-client", path=upath)
            conns[c] = rec
            watched.append(c)
            if sel:
                sel.register(c, selectors.EVENT_READ)
            continue
        data = s.recv(4096)
        recvs += 1
        nbytes += len(data)
        conns[s]["recvs"] += 1
        conns[s]["bytes"] += len(data)
        if not data:
            done += 1
            watched.remove(s)
            if sel:
                sel.unregister(s)
            s.close()
for t in threads:
    t.join()
os.unlink(upath)
sys.stderr.write("example-stats " + json.dumps({
    "pid": os.getpid(), "tid": threading.get_native_id(), "api": API,
    "mux_calls": calls, "mux_ready": ready, "accepts": accepts, "recv_calls": recvs,
    "recv_bytes": nbytes, "clients": K, "port": port, "unix_path": upath,
    "tcp_listener_ready": listener_ready[lsock], "unix_listener_ready": listener_ready[usock],
    "conns": list(conns.values())}) + "\n")
