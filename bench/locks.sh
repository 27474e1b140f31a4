#!/bin/bash
# bench/locks.sh — what concviz's lock probes cost a program taking an
# uncontended lock (sem_wait + sem_post, CPython's Lock) millions of times a
# second: bare, under `concviz run --json` (default: uprobes only on
# pthread_cond_*wait/pthread_barrier_wait, which this load never calls), and
# with --lock-holders (uprobes on sem_* entry and return, and sem_post).
# Then what the default condvar uprobes cost a program whose two threads
# hand a turn back and forth through pthread_cond_wait: concviz with
# CONCVIZ_LOCK_UPROBES=0 (no lock uprobes) against the default.
# The median ns per take (handoff) of REPS runs (default 5) of N takes
# (default 2000000; N/10 handoffs).  Needs root and a C compiler.
set -u
cd "$(dirname "$0")/.."
N=${N:-2000000}
REPS=${REPS:-5}
CV=build/concviz
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench/locks: needs root" >&2; exit 1; }
cc -O2 -o "$TMP/semloop" bench/semloop.c || exit 1
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ns() { sed -n 's/^\([0-9.]*\) ns\/[a-z]*$/\1/p' "$1" | tail -n 1; }

run_cfg() {
	local i
	for i in $(seq "$REPS"); do
		case $1 in
		bare) taskset -c 0 "$TMP/semloop" "$N" > "$TMP/out" 2>&1 ;;
		concviz) "$CV" run --json -- taskset -c 0 "$TMP/semloop" "$N" > /dev/null 2> "$TMP/out" ;;
		concviz-lock-holders) "$CV" run --json --lock-holders -- taskset -c 0 "$TMP/semloop" "$N" \
				> /dev/null 2> "$TMP/out" ;;
		cond-bare) "$TMP/semloop" cond $((N / 10)) > "$TMP/out" 2>&1 ;;
		cond-nouprobes) CONCVIZ_LOCK_UPROBES=0 "$CV" run --json -- "$TMP/semloop" cond $((N / 10)) \
				> /dev/null 2> "$TMP/out" ;;
		cond-concviz) "$CV" run --json -- "$TMP/semloop" cond $((N / 10)) > /dev/null 2> "$TMP/out" ;;
		esac
		ns "$TMP/out"
	done | median
}

# table CONFIG…: one row per config, "slower" against the first
table() {
	local base="" cfg v
	for cfg in "$@"; do
		v=$(run_cfg "$cfg")
		[ -z "$v" ] && { printf '%-22s %10s\n' "$cfg" failed; continue; }
		[ -z "$base" ] && base=$v
		awk -v n="$cfg" -v v="$v" -v b="$base" \
			'BEGIN { printf "%-22s %10s %12.0f %7.2fx\n", n, v, 1e9 / v, v / b }'
	done
}

echo "lock load: sem_wait + sem_post uncontended, $N takes on one CPU (median of $REPS)"
printf '%-22s %10s %12s %8s\n' config ns/take takes/s slower
table bare concviz concviz-lock-holders
echo "condvar load: two threads, $((N / 10)) handoffs through pthread_cond_wait"
printf '%-22s %10s %12s %8s\n' config ns/handoff per/s slower
table cond-bare cond-nouprobes cond-concviz
