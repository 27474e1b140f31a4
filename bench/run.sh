#!/bin/bash
# bench/run.sh — what does tracing cost the traced program?
#
# Load: `perf bench sched pipe -T` (two threads ping-ponging over a pipe, ~2
# context switches and ~2 wakeups per op: the worst case for a scheduler
# tracer).  Each configuration runs REPS times; the median usecs/op is kept.
#   baseline   the load alone
#   concviz    concviz run --json -- LOAD          (probes + model, no TUI)
#   concviz-o  concviz run --json -o FILE -- LOAD  (also recording)
#   perf       perf record -e sched:sched_switch -e sched:sched_waking -- LOAD
#   bpftrace   bpftrace counting the same two tracepoints, -c LOAD
# Also prints concviz's own CPU time, events, drops and recording bytes/event.
# Env: LOOPS (default 200000), REPS (default 3).  Needs root.
set -u
cd "$(dirname "$0")/.."
LOOPS=${LOOPS:-200000}
REPS=${REPS:-3}
CV=build/concviz
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# pinned to one CPU: the ping-pong is then deterministic, and the tracer's
# consumer has the other CPU (as on any multi-core machine)
LOAD=(taskset -c 0 /usr/bin/perf bench sched pipe -T -l "$LOOPS")

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
for p in linux-perf bpftrace bc jq util-linux; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" > /dev/null
done

usecs() { sed -n 's/^ *\([0-9.]*\) usecs\/op.*/\1/p' "$1" | tail -n 1; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_cfg() {
	local name=$1 i
	for i in $(seq "$REPS"); do
		case $name in
		baseline) "${LOAD[@]}" > "$TMP/out" 2>&1 ;;
		concviz) CONCVIZ_STATS=1 "$CV" run --json -- "${LOAD[@]}" > "$TMP/cv.$i.json" 2> "$TMP/out"
			grep '^concviz: stats' "$TMP/out" > "$TMP/stats.$i" ;;
		concviz-o) rm -f "$TMP/rec.cvz"
			"$CV" run --json -o "$TMP/rec.cvz" -- "${LOAD[@]}" > "$TMP/cvo.json" 2> "$TMP/out"
			stat -c %s "$TMP/rec.cvz" > "$TMP/recsize" ;;
		perf) perf record -q -o "$TMP/perf.data" -e sched:sched_switch -e sched:sched_waking -- \
				"${LOAD[@]}" > "$TMP/out" 2>&1 ;;
		bpftrace) bpftrace -e 'tracepoint:sched:sched_switch, tracepoint:sched:sched_waking { @[probe] = count(); }' \
				-c "$(command -v taskset) -c 0 /usr/bin/perf bench sched pipe -T -l $LOOPS" > "$TMP/out" 2>&1 ;;
		esac
		usecs "$TMP/out"
	done | median
}

echo "load: ${LOAD[*]}   (median of $REPS runs, $(nproc) CPUs, $(uname -r))"
printf '%-10s %12s %10s\n' config usecs/op overhead
base=$(run_cfg baseline)
printf '%-10s %12s %10s\n' baseline "$base" "-"
for cfg in concviz concviz-o perf bpftrace; do
	v=$(run_cfg "$cfg")
	if [ -z "$v" ]; then printf '%-10s %12s\n' "$cfg" "failed"; continue; fi
	printf '%-10s %12s %9.1f%%\n' "$cfg" "$v" "$(echo "($v - $base) * 100 / $base" | bc -l)"
done
echo "concviz: $(jq .events "$TMP/cv.1.json") events, $(jq .dropped_events "$TMP/cv.1.json") dropped"
sed 's/^concviz: stats: /concviz itself: /' "$TMP/stats.1"
if [ -s "$TMP/recsize" ]; then
	rev=$(jq .events "$TMP/cvo.json")
	echo "recording: $(cat "$TMP/recsize") bytes for $rev events" \
	     "($(echo "scale=1; $(cat "$TMP/recsize") / $rev" | bc) bytes/event)"
fi

# Start and end: what tracing a short command adds to its wall time (the
# session wakes on the target's pidfd, so the end is noticed at once)
wall_ms() { # CMD...: wall time in ms of one run
	local t0 t1
	t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}
bare=$(for i in 1 2 3 4 5; do wall_ms /bin/true; done | median)
traced=$(for i in 1 2 3 4 5; do wall_ms "$CV" run --json -- /bin/true; done | median)
life=$("$CV" run --json -- /bin/true 2>/dev/null | jq '.duration_ns / 1e6 | . * 100 | round / 100')
echo "short target: /bin/true ${bare} ms bare, ${traced} ms under concviz run --json" \
     "(+$((traced - bare)) ms, median of 5); duration_ns ${life} ms"
bench/locks.sh
bench/python.sh
