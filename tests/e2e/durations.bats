#!/usr/bin/env bats
# durations.bats — every example's per-thread on-CPU and run-queue time, as
# concviz traced it, against the kernel's own accounting (schedstat) that
# the example reads about itself; and the kernel's figures concviz reports
# beside its own.  Tolerances: tests/e2e/durations.jq.

load helpers

# ns allowed per switch at which the trace cannot see how stale the
# kernel's clock was (the thread blocked and an untraced thread took the
# CPU): the staleness is up to ~70 us on this VM (docs/time-accounting.md)
PER_UNSEEN_NS=100000
# ns per voluntary switch: the kernel reads its clock at the enqueue, ~1 us
# before the wake-up tracepoint fires, so each wake-up's share of the
# runnable time the kernel counts as CPU is that much short (0.6-2 us a
# switch measured; one run in about 20 of procs had its feeder 2.8 ms short,
# 14 us a switch, unexplained: docs/time-accounting.md)
PER_WAKE_NS=5000
# and the most the kernel's clock is stale at a switch on this VM: what it
# may move between the traced states per switch (measured up to ~70 us,
# 56 us on average in a busy hour; docs/time-accounting.md)
PER_MOVED_NS=100000

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
}

# durations NAME [example args]: trace NAME for 2 s and compare every thread
durations() {
	local name=$1; shift
	trace "$name" -- --seconds 2 "$@" || return 1
	local lines
	lines=$(jq -r -n --slurpfile cv "$J" --slurpfile ex "$S" --arg per_unseen "$PER_UNSEEN_NS" \
		--arg per_wake "$PER_WAKE_NS" --arg per_moved "$PER_MOVED_NS" \
		-f "$BATS_TEST_DIRNAME/durations.jq")
	echo "$lines"
	[ -n "$lines" ] || { echo "no thread compared"; return 1; }
	if grep -q '^BAD' <<<"$lines"; then
		# kept apart: examples.bats traces the same examples under the same names
		cp "$J" "$OUT_DIR/durations-$name.json" 2>/dev/null
		cp "$S" "$OUT_DIR/durations-$name.stats.json" 2>/dev/null
		return 1
	fi
}

@test "durations: blocking matches the kernel's accounting" { durations blocking; }
@test "durations: nonblocking matches the kernel's accounting" { durations nonblocking; }
@test "durations: multiplexed matches the kernel's accounting" { durations multiplexed; }
@test "durations: iouring matches the kernel's accounting" { durations iouring; }
@test "durations: locks matches the kernel's accounting" { durations locks; }
@test "durations: deadlock matches the kernel's accounting" { durations deadlock; }
@test "durations: semaphore matches the kernel's accounting" { durations semaphore; }
@test "durations: prodcons matches the kernel's accounting" { durations prodcons; }
@test "durations: event matches the kernel's accounting" { durations event; }
@test "durations: gil matches the kernel's accounting" { durations gil; }
@test "durations: coroutines matches the kernel's accounting" { durations coroutines; }
@test "durations: procs matches the kernel's accounting" { durations procs; }
@test "durations: tour matches the kernel's accounting" { durations tour; }

@test "durations: concviz reports the kernel's figures beside its own (JSON kernel, report)" {
	trace locks -- --seconds 1 || return 1
	# every example thread exited: concviz read the kernel's counters at its
	# exit; they agree with what the thread read about itself just before
	local bad
	bad=$(jq -r -n --slurpfile cv "$J" --slurpfile ex "$S" '
		$ex[0].threads[] as $t
		| ([$cv[0].threads[] | select(.tid == $t.tid)] | last) as $k
		| if $k.kernel == null then "tid \($t.tid): no kernel figures"
		  elif (($k.kernel.cpu_ns - $t.cpu_ns) | fabs) > ([$t.cpu_ns * 0.02, 5000000] | max)
		  then "tid \($t.tid): kernel.cpu_ns \($k.kernel.cpu_ns) vs the thread'"'"'s own \($t.cpu_ns)"
		  elif $k.kernel.run_delay_ns < $t.run_delay_ns
		  then "tid \($t.tid): kernel.run_delay_ns \($k.kernel.run_delay_ns) below the thread'"'"'s own \($t.run_delay_ns)"
		  else empty end')
	[ -z "$bad" ] || { echo "$bad"; return 1; }
	run "$CONCVIZ" run --report locks --seconds 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"ON CPU AND RUN QUEUE: traced vs the kernel's own accounting"* ]]
	grep -Eq '^ +[0-9]+ worker-1 +[0-9.]+[µm]?s +[0-9.]+[µm]?s' <<<"$output"
}
