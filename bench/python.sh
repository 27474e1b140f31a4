#!/bin/bash
# bench/python.sh — what concviz costs a Python program whose every step is
# a Python-level wait: two threads handing a turn through a Condition
# (bench/pingpong.py), N round trips (default 20000), each a Condition.wait
# that the probes classify from the thread's frames, plus GIL handoffs.
# Bare and under `concviz run --json`: the median of REPS runs (default 5).
set -u
cd "$(dirname "$0")/.."
N=${N:-20000}
REPS=${REPS:-5}
PY=${CONCVIZ_PYTHON:-/usr/bin/python3.11}
CV=build/concviz
[ "$(id -u)" = 0 ] || { echo "bench/python: needs root" >&2; exit 1; }
[ -x "$PY" ] || { echo "bench/python: no $PY" >&2; exit 1; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
us() { sed -n 's/^\([0-9.]*\) us per round trip$/\1/p'; }
bare=$(for i in $(seq "$REPS"); do "$PY" bench/pingpong.py "$N" 2>&1 | us; done | median)
traced=$(for i in $(seq "$REPS"); do "$CV" run --json -- "$PY" bench/pingpong.py "$N" 2>&1 >/dev/null | us; done | median)
echo "python Condition ping-pong: bare $bare us/round trip, concviz $traced us/round trip ($N round trips, median of $REPS)"
