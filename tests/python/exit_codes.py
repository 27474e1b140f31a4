"""exit_codes.py — a parent starts children that exit with codes 10, 11 and
12 (subprocess) and one that a signal kills, waits for each, and prints what
it saw: `example-stats {"children": [{"pid", "exit_code", "signal"}...]}`
on stderr as its last line.  concviz's processes[] must say the same."""
import json
import os
import signal
import subprocess
import sys
import time

children = []
for code in (10, 11, 12):
    p = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(%d)" % code])
    p.wait()
    children.append({"pid": p.pid, "exit_code": p.returncode, "signal": None})
p = subprocess.Popen(["sleep", "5"])
time.sleep(0.1)
p.send_signal(signal.SIGKILL)
p.wait()
children.append({"pid": p.pid, "exit_code": 128 + signal.SIGKILL, "signal": "SIGKILL"})
sys.stderr.write("example-stats " + json.dumps({"pid": os.getpid(), "children": children}) + "\n")
