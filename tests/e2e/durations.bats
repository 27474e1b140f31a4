#!/usr/bin/env bats
# durations.bats — every example's per-thread on-CPU and run-queue time, as
# concviz traced it, against the kernel's own accounting (schedstat) that
# the example reads about itself; and the kernel's figures concviz reports
# beside its own.  Tolerances: tests/e2e/durations.jq.

load helpers

# ns per voluntary switch for the wakeups concviz cannot attribute: ones
# that preempted a busy CPU, which the kernel also charges as CPU time.
# Measured 0.5-9 us per switch on busy examples (tour, nonblocking), up to
# 23 us for a sleeping client next to them (docs/time-accounting.md)
PER_WAKE_NS=20000
# and per involuntary switch: a thread preempted by such a wakeup is charged
# about 11 us less by the kernel than the tracepoints show
PER_PREEMPT_NS=15000

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
}

# durations NAME [example args]: trace NAME for 2 s and compare every thread
durations() {
	local name=$1; shift
	trace "$name" -- --seconds 2 "$@" || return 1
	local lines
	lines=$(jq -r -n --slurpfile cv "$J" --slurpfile ex "$S" --arg per_wake "$PER_WAKE_NS" \
		--arg per_preempt "$PER_PREEMPT_NS" \
		-f "$BATS_TEST_DIRNAME/durations.jq")
	echo "$lines"
	[ -n "$lines" ] || { echo "no thread compared"; return 1; }
	! grep -q '^BAD' <<<"$lines"
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
