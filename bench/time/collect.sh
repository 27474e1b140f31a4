#!/bin/bash
# collect.sh — the measurements behind docs/time-accounting.md, each run in a quiet window
cd "$(dirname "$0")/../../build/bench-time" || exit 1
Q=../../bench/time/quiet.sh
run() { echo "### $*"; $Q 5 "$@" | grep -v "rq clock age at wakeup\|exec_start - clock_task"; echo; }
./vmexit
for i in 1 2 3; do run ./wakeprobe -n 400; done
for i in 1 2 3; do run ./wakeprobe -N -n 400; done
for i in 1 2; do run ./wakeprobe -m pipe -n 400; done
for i in 1 2; do run ./wakeprobe -H -n 400; done
run ./wakeprobe -H -i 19 -n 200
run ./wakeprobe -T -n 400
echo "### idletrace timer"; ./idletrace -n 200 -v 2
echo "### idletrace pipe"; ./idletrace -m pipe -n 200 -v 3
