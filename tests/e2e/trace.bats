#!/usr/bin/env bats
# trace.bats — concviz run/attach --json against the examples' own ground
# truth (example-stats): counts equal, context switches within ±3, and each
# example's story visible in the numbers.

load helpers

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
}

@test "blocking: counts match; wait for data dominates copy; receives block" {
	trace blocking -- --seconds 2
	assert_counts_match
	calls=$(th srv-blocking .recv.calls)
	blocked=$(th srv-blocking .recv.blocked_calls)
	wait=$(th srv-blocking .time_ns.wait_data)
	copy=$(th srv-blocking .time_ns.copy_data)
	echo "calls=$calls blocked=$blocked wait=$wait copy=$copy"
	[ "$calls" -gt 10 ]
	[ "$(th srv-blocking .recv.eagain)" -eq 0 ]
	[ "$copy" -gt 0 ]
	[ "$wait" -ge $((10 * copy)) ]
	[ "$blocked" -ge $((calls * 9 / 10)) ]
}

@test "blocking --read: read(2) on a socket is a receive with the same two phases" {
	trace blocking -- --seconds 1 --read
	assert_counts_match
	[ "$(th srv-blocking .recv.calls)" -gt 10 ]
	[ "$(th srv-blocking .time_ns.wait_data)" -ge $((10 * $(th srv-blocking .time_ns.copy_data))) ]
	[ "$(th srv-blocking .time_ns.copy_data)" -gt 0 ]
}

@test "nonblocking: EAGAIN polls counted, never wait_data" {
	trace nonblocking -- --seconds 2
	assert_counts_match
	tid=$(jq -r '[.threads[] | select(.recv_eagain != null and .recv_eagain > 0)][0].tid' "$S")
	[ "$tid" != null ]
	eagain=$(jq --argjson t "$tid" '.threads[] | select(.tid == $t) | .recv.eagain' "$J")
	wait=$(jq --argjson t "$tid" '.threads[] | select(.tid == $t) | .time_ns.wait_data' "$J")
	echo "eagain=$eagain wait=$wait"
	[ "$eagain" -gt 0 ]
	[ "$wait" -eq 0 ]
}

check_mux() {
	trace multiplexed -- --seconds 2 --api "$1"
	assert_counts_match
	tid=$(jq -r '[.threads[] | select(.mux_calls != null and .mux_calls > 0)][0].tid' "$S")
	read -r mux run waitd calls < <(jq -r --argjson t "$tid" '.threads[] | select(.tid == $t) |
		"\(.time_ns.mux_wait) \(.time_ns.running) \(.time_ns.wait_data) \(.mux.calls)"' "$J")
	echo "api=$1 mux_wait=$mux running=$run wait_data=$waitd calls=$calls"
	[ "$calls" -gt 0 ]
	[ "$mux" -gt "$run" ]
	[ "$waitd" -le $((mux / 100)) ]
}

@test "multiplexed --api select: blocked in the multiplexer, receives do not wait" { check_mux select; }
@test "multiplexed --api poll: blocked in the multiplexer, receives do not wait" { check_mux poll; }
@test "multiplexed --api epoll: blocked in the multiplexer, receives do not wait" { check_mux epoll; }

@test "iouring: completions equal ground truth, no wait_data, thread mostly running" {
	trace iouring -- --seconds 2
	assert_counts_match
	tid=$(jq -r '[.threads[] | select(.uring_completed != null and .uring_completed > 0)][0].tid' "$S")
	read -r comp waitd run total < <(jq -r --argjson t "$tid" '.threads[] | select(.tid == $t) |
		"\(.uring.completed) \(.time_ns.wait_data) \(.time_ns.running) \(.time_ns | add)"' "$J")
	echo "completed=$comp wait_data=$waitd running=$run total=$total"
	[ "$comp" -gt 0 ]
	[ "$waitd" -eq 0 ]
	[ "$run" -gt $((total / 2)) ]
}

@test "iouring --wait: the thread waits in io_uring_enter instead" {
	trace iouring -- --seconds 2 --wait
	assert_counts_match
	tid=$(jq -r '[.threads[] | select(.uring_completed != null and .uring_completed > 0)][0].tid' "$S")
	uw=$(jq --argjson t "$tid" '.threads[] | select(.tid == $t) | .time_ns.uring_wait' "$J")
	echo "uring_wait=$uw"
	[ "$uw" -gt 0 ]
}

@test "locks: the contended mutex is named counter_lock with several waiters" {
	trace locks -- --seconds 2
	assert_counts_match
	jq -e '.locks[] | select(.name == "counter_lock") | select(.max_waiters >= 2 and .waits > 0)' "$J"
	# its holder is one of the workers, and contention is not a deadlock
	jq -e '(.locks[] | select(.name == "counter_lock") | .owner_tid) as $o | .threads[] | select(.tid == $o) | select(.comm | startswith("worker"))' "$J"
	jq -e '.deadlocks == []' "$J"
	# every worker spent time waiting for it
	n=$(jq '[.threads[] | select(.futex.waits > 0 and .time_ns.lock_wait > 0)] | length' "$J")
	[ "$n" -ge 4 ]
}

@test "semaphore, prodcons, event: workers show lock_wait" {
	for ex in semaphore prodcons event; do
		trace "$ex" -- --seconds 2
		assert_counts_match
		jq -e '.deadlocks == []' "$J"
		n=$(jq '[.threads[] | select(.time_ns.lock_wait > 0)] | length' "$J")
		echo "$ex: $n threads with lock_wait"
		[ "$n" -ge 2 ]
	done
}

@test "deadlock: one deadlock with both threads and both locks" {
	trace deadlock -- --seconds 2
	jq -e '.deadlocks | length == 1' "$J"
	jq -e '.deadlocks[0].threads | length == 2' "$J"
	jq -e '.deadlocks[0].locks | length == 2' "$J"
	# the two locks are the example's globals
	names=$(jq -r '.deadlocks[0].locks[] as $a | .locks[] | select(.addr == $a) | .name' "$J" | sort | tr '\n' ' ')
	echo "names: $names"
	[ "$names" = "lock_a lock_b " ]
	# and the threads are the example's two contenders
	want=$(jq -r '[.threads[] | select(.role != "main") | .tid] | sort | map(tostring) | join(" ")' "$S")
	got=$(jq -r '.deadlocks[0].threads | sort | map(tostring) | join(" ")' "$J")
	[ "$want" = "$got" ]
}

@test "coroutines: kernel context switches far below coroutine switches" {
	trace coroutines -- --seconds 2
	assert_counts_match
	tid=$(jq -r '[.threads[] | select(.coroutine_switches != null)][0].tid' "$S")
	co=$(jq -r '[.threads[] | select(.coroutine_switches != null)][0].coroutine_switches' "$S")
	cs=$(jq --argjson t "$tid" '.threads[] | select(.tid == $t) | .ctx_switches.voluntary + .ctx_switches.involuntary' "$J")
	echo "coroutine_switches=$co ctx_switches=$cs"
	[ "$co" -gt $((10 * cs)) ]
}

@test "gil: counts match and threads wait on the gil" {
	trace gil -- --seconds 2
	assert_counts_match
	jq -e '.locks[] | select(.name == "gil") | select(.waits > 0)' "$J"
}

@test "procs: every forked worker process is followed" {
	trace procs -- --seconds 2 --mode procs
	assert_counts_match
	[ "$(jq '[.threads[] | select(.role == "worker")] | length' "$S")" -ge 4 ]
	for pid in $(jq -r '.threads[] | select(.role == "worker") | .tid' "$S"); do
		jq -e --argjson p "$pid" '[.threads[] | select(.pid == $p)] | length >= 1' "$J" >/dev/null ||
			{ echo "worker $pid not followed"; return 1; }
	done
	[ "$(jq '[.threads[].pid] | unique | length' "$J")" -ge 5 ]
}

@test "tour: all models at once, counts match" {
	trace tour -- --seconds 2
	assert_counts_match
	for c in blocking nonblocking epoll io_uring; do
		jq -e --arg c "$c" '.threads[] | select(.comm == $c)' "$J" > /dev/null || { echo "no thread $c"; return 1; }
	done
}

@test "-d stops the target with SIGTERM and still reports everything" {
	run bash -c "'$CONCVIZ' run --json -d 1 blocking --seconds 30 2>'$BATS_TEST_TMPDIR/e' >'$BATS_TEST_TMPDIR/j'"
	[ "$status" -eq 0 ]
	J="$BATS_TEST_TMPDIR/j"
	S="$BATS_TEST_TMPDIR/s"
	grep '^example-stats ' "$BATS_TEST_TMPDIR/e" | tail -n 1 | sed 's/^example-stats //' > "$S"
	assert_counts_match
	d=$(jq .duration_ns "$J")
	[ "$d" -ge 1000000000 ] && [ "$d" -lt 5000000000 ]
	[ "$(jq .target.exit_code "$J")" = 0 ]
}

@test "attach to a running example by PID sees its threads and counts" {
	"$EX/blocking" --seconds 4 2> "$BATS_TEST_TMPDIR/ex.err" &
	pid=$!
	sleep 0.7
	"$CONCVIZ" attach --json -d 1.5 "$pid" > "$BATS_TEST_TMPDIR/a.json" 2> "$BATS_TEST_TMPDIR/a.err"
	rc=$?
	wait "$pid"
	[ "$rc" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/a.err"; return 1; }
	J="$BATS_TEST_TMPDIR/a.json"
	cp "$J" "$OUT_DIR/attach.json"
	[ "$(jq .target.pid "$J")" = "$pid" ]
	jq -e '.threads[] | select(.comm == "srv-blocking") | select(.recv.calls > 10 and .time_ns.wait_data > 0)' "$J"
	[ "$(jq '.threads | length' "$J")" -ge 2 ]
	[ "$(jq .dropped_events "$J")" = 0 ]
}

@test "attach to a thread's ID (as htop lists them) traces its process, and says so" {
	"$EX/blocking" --seconds 4 2> "$BATS_TEST_TMPDIR/ex.err" &
	pid=$!
	sleep 0.7
	tid=$(ls "/proc/$pid/task" | grep -vx "$pid" | head -n 1)
	[ -n "$tid" ]
	"$CONCVIZ" attach --json -d 1 "$tid" > "$BATS_TEST_TMPDIR/a.json" 2> "$BATS_TEST_TMPDIR/a.err"
	rc=$?
	wait "$pid"
	[ "$rc" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/a.err"; return 1; }
	J="$BATS_TEST_TMPDIR/a.json"
	[ "$(jq .target.pid "$J")" = "$pid" ]
	jq -e --argjson t "$tid" '[.threads[].tid] | index($t)' "$J" > /dev/null
	[ "$(grep -c '^concviz: ' "$BATS_TEST_TMPDIR/a.err")" = 1 ]
	grep -qx "concviz: $tid is a thread of process $pid: tracing that process, all its threads" "$BATS_TEST_TMPDIR/a.err"
}

@test "text report: per-thread table, locks and dropped events" {
	run bash -c "'$CONCVIZ' run --report locks --seconds 1 2>/dev/null"
	[ "$status" -eq 0 ]
	echo "$output" > "$OUT_DIR/report-locks.txt"
	[[ "$output" == *"counter_lock"* ]]
	[[ "$output" == *"dropped"* ]]
	[[ "$output" == *"worker"* ]]
}

@test "drops are never silent: a tiny ring buffer loses events and says so" {
	CONCVIZ_REALTIME=auto CONCVIZ_STATS=1 CONCVIZ_RINGBUF_KB=4 "$CONCVIZ" run --json nonblocking --seconds 1 > "$BATS_TEST_TMPDIR/j" 2> "$BATS_TEST_TMPDIR/e"
	d=$(jq .dropped_events "$BATS_TEST_TMPDIR/j")
	echo "dropped=$d"
	[ "$d" -gt 0 ]
	grep -q "^concviz: warning: $d events were dropped" "$BATS_TEST_TMPDIR/e"
	# where: the tiny ring buffer lost them; the kinds add up to the sum
	r=$(jq .dropped_in_ring_buffer "$BATS_TEST_TMPDIR/j")
	m=$(jq .dropped_in_memory "$BATS_TEST_TMPDIR/j")
	u=$(jq .dropped_where_unknown "$BATS_TEST_TMPDIR/j")
	echo "ring=$r memory=$m unknown=$u"
	[ "$r" -gt 0 ]
	[ "$u" = 0 ]
	[ $((r + m + u)) = "$d" ]
	# (auto) falling behind the ring buffer raised concviz to real-time priority
	grep -Eq "^concviz: stats: .* dropped, .*, real-time from [0-9.]+ s, moved off the target's CPU [0-9]+ times$" "$BATS_TEST_TMPDIR/e"
	run bash -c "CONCVIZ_RINGBUF_KB=4 '$CONCVIZ' run --report nonblocking --seconds 1 2>/dev/null"
	[[ "$output" =~ [1-9][0-9]*\ dropped\ events\ \([1-9][0-9]*\ ring\ buffer\ full,\ [0-9]+\ concviz\'s\ queue\ full\) ]]
}

@test "drops keep where they happened in a recording: report --json and the export say the same" {
	CONCVIZ_RINGBUF_KB=4 "$CONCVIZ" run --json -o "$BATS_TEST_TMPDIR/r.cvz" nonblocking --seconds 1 \
		> "$BATS_TEST_TMPDIR/live.json" 2>/dev/null
	"$CONCVIZ" report --json "$BATS_TEST_TMPDIR/r.cvz" > "$BATS_TEST_TMPDIR/rep.json"
	"$CONCVIZ" export --format chrome -o "$BATS_TEST_TMPDIR/t.json" "$BATS_TEST_TMPDIR/r.cvz"
	keys='[.dropped_events, .dropped_in_ring_buffer, .dropped_in_memory, .dropped_where_unknown]'
	live=$(jq -c "$keys" "$BATS_TEST_TMPDIR/live.json")
	echo "live=$live"
	[ "$(jq -c "$keys" "$BATS_TEST_TMPDIR/rep.json")" = "$live" ]
	[ "$(jq -c ".metadata | $keys" "$BATS_TEST_TMPDIR/t.json")" = "$live" ]
	jq -e '.dropped_in_ring_buffer > 0 and .dropped_where_unknown == 0 and
		.dropped_in_ring_buffer + .dropped_in_memory == .dropped_events' "$BATS_TEST_TMPDIR/live.json"
	# the markers add up too
	[ "$(jq '[.traceEvents[] | select(.cat == "concviz" and .ph == "i") | .args.count] | add' \
		"$BATS_TEST_TMPDIR/t.json")" = "$(jq .dropped_events "$BATS_TEST_TMPDIR/live.json")" ]
}

@test "a bad ring-buffer size is one clear line, exit 1" {
	run env CONCVIZ_RINGBUF_KB=1000 "$CONCVIZ" run --json blocking --seconds 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"CONCVIZ_RINGBUF_KB=1000"*"power of two"* ]]
}

@test "attach seeds threads already blocked: the epoll server is in mux_wait from the start" {
	"$EX/multiplexed" --seconds 4 2> /dev/null &
	pid=$!
	sleep 0.7
	"$CONCVIZ" attach --json -d 1 "$pid" > "$BATS_TEST_TMPDIR/a.json" 2> "$BATS_TEST_TMPDIR/a.err"
	rc=$?
	kill "$pid"; wait "$pid" || true
	[ "$rc" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/a.err"; return 1; }
	J="$BATS_TEST_TMPDIR/a.json"
	cp "$J" "$OUT_DIR/attach-multiplexed.json"
	# every thread that existed before attach is seeded from /proc
	[ "$(jq '[.threads[] | select(.seeded)] | length' "$J")" -ge 5 ]
	jq -e '.threads[] | select(.comm == "srv-epoll") | select(.seeded and .mux.calls > 0 and .time_ns.mux_wait > .time_ns.running)' "$J"
	# nothing is "sleep" for the server: its blocked time is all mux_wait
	jq -e '.threads[] | select(.comm == "srv-epoll") | select(.time_ns.sleep == 0)' "$J"
}

@test "attach: a target that exits during tracing ends it, with its exit code" {
	"$EX/blocking" --seconds 1.2 2> /dev/null &
	pid=$!
	sleep 0.4
	run bash -c "'$CONCVIZ' attach --json '$pid' 2>/dev/null"
	wait "$pid" || true
	[ "$status" -eq 0 ]
	jq -e --argjson p "$pid" '.target.pid == $p and .target.exit_code == 0' <<<"$output"
	jq -e '[.threads[] | select(.exited | not)] | length == 0' <<<"$output"
}

@test "CONCVIZ_STATS=1 reports concviz's own cost for the events it delivered" {
	CONCVIZ_STATS=1 "$CONCVIZ" run --json blocking --seconds 0.5 > "$BATS_TEST_TMPDIR/j" 2> "$BATS_TEST_TMPDIR/e"
	line=$(grep '^concviz: stats: [0-9]* events' "$BATS_TEST_TMPDIR/e")
	echo "$line"
	# where the consumer's longest poll went, in numbers
	# and whether its heap stayed within the reserve (a short run: it does)
	grep -Eq '^concviz: stats: slowest poll [0-9.]+ ms for [0-9]+ events \(take [0-9.]+, prepare [0-9.]+, deliver [0-9.]+ ms\); [0-9]+ page faults that read from disk; heap within its reserve$' \
		"$BATS_TEST_TMPDIR/e"
	# real-time from the target's start (the default)
	[[ "$line" =~ ^concviz:\ stats:\ ([0-9]+)\ events,\ 0\ dropped,\ CPU\ [0-9.]+s\ user\ \+\ [0-9.]+s\ sys\ =\ [0-9]+\ ns/event,\ real-time\ from\ 0\.[0-9]+\ s,\ moved\ off\ the\ target\'s\ CPU\ [0-9]+\ times$ ]]
	n=${BASH_REMATCH[1]}
	# the model also counts the one event concviz makes itself (the target's TASK)
	[ "$((n + 1))" -eq "$(jq .events "$BATS_TEST_TMPDIR/j")" ]
	# CONCVIZ_REALTIME=auto: a light load never puts concviz behind, it stays at normal priority
	CONCVIZ_REALTIME=auto CONCVIZ_STATS=1 "$CONCVIZ" run --json blocking --seconds 0.5 > /dev/null 2> "$BATS_TEST_TMPDIR/e"
	grep -Eq "^concviz: stats: .* ns/event, normal priority, moved off the target's CPU 0 times$" "$BATS_TEST_TMPDIR/e"
}

@test "a real-time concviz keeps off the CPU the target keeps busy" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	# the target keeps CPU 0 busy for 2.5 s; concviz is real-time (the default)
	CONCVIZ_STATS=1 "$CONCVIZ" run --json -- taskset -c 0 timeout 2.5 sh -c 'while :; do :; done' \
		> /dev/null 2> "$BATS_TEST_TMPDIR/e" &
	cv=$!
	sleep 1.5
	# every concviz thread may run where it could before, but on CPU 0
	lists=$(for t in /proc/$cv/task/*; do cpus_of "${t##*/}"; done | sort -u | tr '\n' ' ')
	wait "$cv"
	cat "$BATS_TEST_TMPDIR/e"
	want=$(cpus_of $$ | tr ',' '\n' | grep -vx 0 | paste -sd,)
	echo "concviz's threads' CPUs: $lists (want $want)"
	[ -n "$want" ]
	[ "$lists" = "$want " ]
	grep -Eq "^concviz: stats: .* moved off the target's CPU [1-9][0-9]* times$" "$BATS_TEST_TMPDIR/e"
}
