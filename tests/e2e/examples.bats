#!/usr/bin/env bats
# tests/e2e/examples.bats — the bundled example programs, run standalone (no
# concviz, no root needed): they build cleanly, stop at --seconds and on
# SIGTERM/SIGINT with status 0, reject bad options with status 2 and a usage
# line, and end stderr with one `example-stats {JSON}` line whose counters
# fit the model each example shows.
# EX_DIR=/path/to/examples runs the tests on installed binaries instead.

EX=${EX_DIR:-$BATS_TEST_DIRNAME/../../build/examples}
ROOT=$BATS_TEST_DIRNAME/../..
ALL="blocking nonblocking multiplexed iouring locks deadlock semaphore prodcons event gil coroutines procs ipc tour"

setup_file() {
	if [ -z "${EX_DIR:-}" ]; then
		make -s -C "$BATS_TEST_DIRNAME/../.." examples >&2
	fi
}

# run_ex NAME ARGS... — run an example under a hard timeout; sets STATUS, ERR
# (its stderr file), LAST (last stderr line) and STATS (the JSON part).
run_ex() {
	local name=$1
	shift
	ERR=$BATS_TEST_TMPDIR/$name.err
	STATUS=0
	timeout -k 2 ${RUN_TIMEOUT:-10} "$EX/$name" "$@" >"$BATS_TEST_TMPDIR/$name.out" 2>"$ERR" || STATUS=$?
	LAST=$(tail -n 1 "$ERR")
	STATS=${LAST#example-stats }
}

# check_stats NAME — exit 0, stats line last and only once, valid JSON naming
# NAME, and sane per-thread records.
check_stats() {
	if [ "$STATUS" -ne 0 ]; then
		echo "exit status $STATUS; stderr:"
		cat "$ERR"
		return 1
	fi
	[[ "$LAST" == "example-stats {"* ]] || { echo "last stderr line: $LAST"; return 1; }
	[ "$(grep -c '^example-stats ' "$ERR")" -eq 1 ] || { echo "more than one stats line"; return 1; }
	jq -e . >/dev/null <<<"$STATS" || { echo "not JSON: $STATS"; return 1; }
	q ".example == \"$1\""
	q '.threads | length > 0'
	q 'all(.threads[]; (.tid > 0) and (.pid > 0) and (.role | type == "string" and length > 0)
	    and .voluntary_ctxt_switches >= 0 and .nonvoluntary_ctxt_switches >= 0
	    and .cpu_ns > 0 and .run_delay_ns >= 0)'
	q '[.threads[].tid] | length == (unique | length)'
	# the main thread has its own record, first
	q '[.threads[] | select(.role == "main")] | length == 1'
	q '.pid as $p | .threads[0] | .role == "main" and .tid == $p and .pid == $p'
}

# the threads that do the example's work (all but the main thread)
WORKERS='.threads[] | select(.role != "main")'

# q FILTER — assert a jq condition on STATS (prints the stats when false).
q() {
	if ! jq -e "$1" >/dev/null <<<"$STATS"; then
		echo "false: $1"
		echo "stats: $STATS"
		return 1
	fi
}

# sum of a counter over the threads with a role
sum() { jq "[.threads[] | select(.role == \"$1\") | .$2] | add // 0" <<<"$STATS"; }

# ---- build -------------------------------------------------------------------

@test "examples: every example compiles with -Wall -Wextra -Werror" {
	[ -f "$ROOT/examples/common.c" ] || skip "no example sources (EX_DIR run)"
	for n in $ALL; do
		[ -f "$ROOT/examples/$n.c" ] || { echo "missing examples/$n.c"; return 1; }
		[ -x "$EX/$n" ] || { echo "not built: $EX/$n"; return 1; }
	done
	# compile them all again, two at a time, each must be silent
	printf '%s\n' $ALL | xargs -P 2 -I{} sh -c 'cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra \
		-Werror -o "$1/{}" "$2/examples/{}.c" "$2/examples/common.c" -lpthread -luring \
		>"$1/{}.cc" 2>&1 || echo FAILED >>"$1/{}.cc"' sh "$BATS_TEST_TMPDIR" "$ROOT"
	for n in $ALL; do
		[ ! -s "$BATS_TEST_TMPDIR/$n.cc" ] || { echo "$n:"; cat "$BATS_TEST_TMPDIR/$n.cc"; return 1; }
		[ -x "$BATS_TEST_TMPDIR/$n" ]
	done
}

# ---- each model's counters ---------------------------------------------------

@test "blocking: server blocks in recvfrom, no EAGAIN, every byte received" {
	run_ex blocking --seconds 1
	check_stats blocking
	q '[.threads[] | select(.role == "srv-blocking")] | length == 1'
	q '.threads[] | select(.role == "srv-blocking") | .recv_calls > 10 and .recv_eagain == 0
	   and .recv_bytes > 0 and .voluntary_ctxt_switches > 0'
	[ "$(sum srv-blocking recv_bytes)" -eq "$(sum client sent_bytes)" ]
	q 'all(.threads[] | select(.role == "client"); .recv_calls == 0)'
}

@test "nonblocking: tight polling gets many EAGAIN per message" {
	run_ex nonblocking --seconds 1
	check_stats nonblocking
	q '.threads[] | select(.role == "srv-nonblock") | .recv_eagain > 0
	   and .recv_calls > .recv_eagain and .recv_eagain > (.recv_calls - .recv_eagain)'
	[ "$(sum srv-nonblock recv_bytes)" -eq "$(sum client sent_bytes)" ]
}

@test "nonblocking: --poll-interval-us sleeps between EAGAIN polls" {
	run_ex nonblocking --seconds 1 --poll-interval-us 500
	check_stats nonblocking
	# at most one poll per 500 µs (+ the successful receives), and it slept
	q '.threads[] | select(.role == "srv-nonblock") | .recv_eagain > 0 and .recv_eagain < 2100
	   and .voluntary_ctxt_switches > 0'
}

@test "multiplexed: select, poll and epoll each block in the multiplexer then recv" {
	for api in select poll epoll; do
		run_ex multiplexed --seconds 1 --api $api
		check_stats multiplexed
		q "[.threads[] | select(.role == \"srv-$api\")] | length == 1"
		q ".threads[] | select(.role == \"srv-$api\") | .mux_calls > 0 and .recv_calls > 0
		   and .recv_eagain == 0 and .recv_bytes > 0"
		q '[.threads[] | select(.role == "client")] | length == 4'
		[ "$(sum srv-$api recv_bytes)" -eq "$(sum client sent_bytes)" ]
	done
}

@test "iouring: peeking completions, submitted == completed, bytes all arrived" {
	run_ex iouring --seconds 1
	check_stats iouring
	q '.threads[] | select(.role == "srv-iouring") | .uring_completed > 0
	   and .uring_completed == .uring_submitted and .work_chunks > 0'
	[ "$(sum srv-iouring uring_recv_bytes)" -eq "$(sum client sent_bytes)" ]
}

@test "iouring --wait: blocking in io_uring_wait_cqe, submitted == completed" {
	run_ex iouring --seconds 1 --wait
	check_stats iouring
	q '.threads[] | select(.role == "srv-iouring") | .uring_completed > 0
	   and .uring_completed == .uring_submitted and .work_chunks == 0'
	[ "$(sum srv-iouring uring_recv_bytes)" -eq "$(sum client sent_bytes)" ]
}

@test "locks: 8 workers contend on counter_lock and no decrement is lost" {
	run_ex locks --seconds 1
	check_stats locks
	q '[.threads[] | select(.role == "worker")] | length == 8'
	q 'all(.threads[] | select(.role == "worker"); .lock_acquisitions > 0
	   and .lock_acquisitions == .decrements)'
	line=$(grep '^locks: num went from' "$ERR")
	from=$(sed 's/.*from \([0-9]*\) to.*/\1/' <<<"$line")
	to=$(sed 's/.* to \([0-9]*\) .*/\1/' <<<"$line")
	[ $((from - to)) -eq "$(sum worker decrements)" ]
	[ "$(nm "$EX/locks" | awk '$3 == "counter_lock" {print $2}')" = B ]
}

@test "locks: --recursive takes the mutex twice, --threads N" {
	run_ex locks --seconds 1 --recursive --threads 3
	check_stats locks
	q '[.threads[] | select(.role == "worker")] | length == 3'
	q 'all(.threads[] | select(.role == "worker"); .decrements > 0
	   and .lock_acquisitions == 2 * .decrements)'
}

@test "deadlock: both threads deadlock, give up at the bound, exit 0" {
	start=$(date +%s%N)
	run_ex deadlock --seconds 1.5
	elapsed_ms=$((($(date +%s%N) - start) / 1000000))
	check_stats deadlock
	grep -q '^taker-ab: deadlock detected: holding lock_a, gave up waiting for lock_b' "$ERR"
	grep -q '^taker-ba: deadlock detected: holding lock_b, gave up waiting for lock_a' "$ERR"
	q '[.threads[] | select(.role == "taker-ab" or .role == "taker-ba")] | length == 2'
	q "all($WORKERS; .lock_acquisitions == 1 and .gave_up == 1)"
	[ "$elapsed_ms" -ge 1400 ] && [ "$elapsed_ms" -lt 3000 ]
	for s in lock_a lock_b; do nm "$EX/deadlock" | grep -q " B $s\$"; done
}

@test "semaphore: 20 threads share 5 permits, never more than 5 inside" {
	run_ex semaphore --seconds 1
	check_stats semaphore
	q '[.threads[] | select(.role == "sem-worker")] | length == 20'
	q "all($WORKERS; .lock_acquisitions > 0)"
	max=$(sed -n 's/^semaphore: at most \([0-9]*\) of 20 threads.*/\1/p' "$ERR")
	[ -n "$max" ] && [ "$max" -ge 1 ] && [ "$max" -le 5 ]
}

@test "prodcons: everything produced is consumed, producers wait for room" {
	run_ex prodcons --seconds 1
	check_stats prodcons
	q '[.threads[] | select(.role == "producer")] | length == 2'
	q '[.threads[] | select(.role == "consumer")] | length == 2'
	q "all($WORKERS; .lock_acquisitions > 0)"
	produced=$(sum producer items_produced)
	[ "$produced" -gt 0 ]
	[ "$produced" -eq "$(sum consumer items_consumed)" ]
	[ "$(sum producer cond_waits)" -gt 0 ]
}

@test "event: the light sets the event, cars wait for it and pass" {
	run_ex event --seconds 1
	check_stats event
	q '[.threads[] | select(.role == "light")] | length == 1'
	q '.threads[] | select(.role == "light") | .green_phases > 0 and .lock_acquisitions > 0'
	q '[.threads[] | select(.role == "car")] | length == 4'
	q 'all(.threads[] | select(.role == "car"); .passes > 0 and .event_waits > 0)'
}

@test "gil: one thread runs at a time with the gil, all run with --no-gil" {
	run_ex gil --seconds 1
	check_stats gil
	q '[.threads[] | select(.role == "interp")] | length == 4'
	q "all($WORKERS; .lock_acquisitions > 0 and .lock_acquisitions == .slices)"
	# each slice is 5 ms of CPU work under the gil: together no more than wall time
	[ $(($(sum interp slices) * 5)) -le 1300 ]
	hands=$(sed -n 's/^gil: the gil changed hands \([0-9]*\) times/\1/p' "$ERR")
	[ -n "$hands" ] && [ "$hands" -ge 4 ]

	run_ex gil --seconds 1 --no-gil
	check_stats gil
	q "all($WORKERS; .lock_acquisitions == 0 and .slices > 0)"
}

@test "coroutines: far more coroutine switches than kernel context switches" {
	run_ex coroutines --seconds 1
	check_stats coroutines
	q '[.threads[] | select(.role == "coro-sched")] | length == 1'
	q '.threads[] | select(.role == "coro-sched") | .recv_calls > 0 and .mux_calls > 0
	   and .coroutine_switches > 10 * (.voluntary_ctxt_switches + .nonvoluntary_ctxt_switches)'
	[ "$(sum coro-sched recv_bytes)" -eq "$(sum client sent_bytes)" ]
}

@test "procs: forked workers report through the parent, one pid each" {
	run_ex procs --seconds 1
	check_stats procs
	top=$(jq .pid <<<"$STATS")
	q '[.threads[] | select(.role == "worker")] | length == 4'
	q '[.threads[] | select(.role == "worker") | .pid] | unique | length == 4'
	q "all(.threads[] | select(.role == \"worker\"); .tid == .pid and .pid != $top
	   and .recv_calls > 0 and .recv_eagain == 0)"
	[ "$(sum worker recv_bytes)" -eq "$(sum client sent_bytes)" ]
}

@test "procs: --mode threads keeps the workers in one process, --workers N" {
	run_ex procs --seconds 1 --mode threads --workers 3
	check_stats procs
	top=$(jq .pid <<<"$STATS")
	q '[.threads[] | select(.role == "worker")] | length == 3'
	q "all(.threads[]; .pid == $top)"
	[ "$(sum worker recv_bytes)" -eq "$(sum client sent_bytes)" ]
}

@test "ipc: producer and consumer processes, every message sent is received" {
	run_ex ipc --seconds 1
	check_stats ipc
	top=$(jq .pid <<<"$STATS")
	q "[.threads[] | select(.role == \"producer\" or .role == \"consumer\") | .pid]
	   | unique | length == 2 and all(. != $top)"
	[ "$(sum consumer recv_bytes)" -eq "$(sum producer sent_bytes)" ]
	[ "$(sum consumer received_msgs)" -eq "$(sum producer sent_msgs)" ]
	q '.threads[] | select(.role == "consumer") | .pipe_calls > 10 and .mq_calls == .pipe_calls
	   and .recv_calls == .pipe_calls + .mq_calls and .blocked_calls > 0'
}

@test "tour: one thread per IO model plus the lock group" {
	run_ex tour --seconds 1
	check_stats tour
	for r in blocking nonblocking epoll io_uring; do
		q "[.threads[] | select(.role == \"$r\")] | length == 1"
	done
	q '.threads[] | select(.role == "blocking") | .recv_calls > 0 and .recv_eagain == 0'
	q '.threads[] | select(.role == "nonblocking") | .recv_eagain > 0'
	q '.threads[] | select(.role == "epoll") | .mux_calls > 0 and .recv_calls > 0'
	q '.threads[] | select(.role == "io_uring") | .uring_completed > 0
	   and .uring_completed == .uring_submitted'
	q '[.threads[] | select(.role == "locker" and .lock_acquisitions > 0)] | length == 3'
	q '[.threads[] | select(.role == "client")] | length == 4'
}

# ---- thread names ------------------------------------------------------------

# comms PID — the names of a process's threads, sorted, one line
comms() { cat /proc/"$1"/task/*/comm 2>/dev/null | sort | tr '\n' ' '; }

@test "names: threads are named by role (tour, procs workers)" {
	"$EX/tour" --seconds 5 2>/dev/null &
	pid=$!
	sleep 0.4
	names=$(comms $pid)
	kill -TERM $pid
	wait $pid
	for n in blocking nonblocking epoll io_uring locker-1 locker-2 locker-3 \
		blocking-cli nonblocking-cli epoll-cli io_uring-cli; do
		[[ " $names" == *" $n "* ]] || { echo "no thread '$n' in: $names"; return 1; }
	done

	"$EX/procs" --seconds 5 2>/dev/null &
	pid=$!
	sleep 0.4
	kids=$(for c in $(cat /proc/$pid/task/*/children); do cat /proc/$c/comm; done | sort | tr '\n' ' ')
	kill -TERM $pid
	wait $pid
	[ "$kids" = "worker-1 worker-2 worker-3 worker-4 " ] || { echo "children: $kids"; return 1; }
}

# ---- stopping on a signal ----------------------------------------------------

# sig_stop SIGNAL NAME ARGS... — start with a long bound, signal it after
# 0.4 s, require exit 0 within 1 s of the signal and a final stats line.
sig_stop() {
	local sig=$1 name=$2
	shift 2
	ERR=$BATS_TEST_TMPDIR/$name.sig.err
	"$EX/$name" --seconds 60 "$@" >/dev/null 2>"$ERR" &
	local pid=$!
	sleep 0.4
	kill -"$sig" $pid
	local t0=$(date +%s%N) i
	for i in $(seq 100); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.01
	done
	local ms=$((($(date +%s%N) - t0) / 1000000))
	if kill -0 $pid 2>/dev/null; then
		kill -KILL $pid
		wait $pid || true
		echo "$name $*: still running ${ms} ms after SIG$sig"
		return 1
	fi
	STATUS=0
	wait $pid || STATUS=$?
	LAST=$(tail -n 1 "$ERR")
	STATS=${LAST#example-stats }
	check_stats "$name"
	[ "$ms" -lt 1000 ] || { echo "$name took $ms ms to stop"; return 1; }
}

@test "SIGTERM: blocking stops promptly with status 0 and stats" { sig_stop TERM blocking; }
@test "SIGTERM: nonblocking" { sig_stop TERM nonblocking; }
@test "SIGTERM: multiplexed (select)" { sig_stop TERM multiplexed --api select; }
@test "SIGTERM: iouring (peek and --wait)" {
	sig_stop TERM iouring
	q '.threads[] | select(.role == "srv-iouring") | .uring_completed == .uring_submitted'
	sig_stop TERM iouring --wait
	q '.threads[] | select(.role == "srv-iouring") | .uring_completed == .uring_submitted'
}
@test "SIGTERM: locks" { sig_stop TERM locks; }
@test "SIGTERM: deadlock (while deadlocked)" {
	sig_stop TERM deadlock
	q "all($WORKERS; .gave_up == 1)"
}
@test "SIGTERM: semaphore" { sig_stop TERM semaphore; }
@test "SIGTERM: prodcons" {
	sig_stop TERM prodcons
	[ "$(sum producer items_produced)" -eq "$(sum consumer items_consumed)" ]
}
@test "SIGTERM: event" { sig_stop TERM event; }
@test "SIGTERM: gil" { sig_stop TERM gil; }
@test "SIGTERM: coroutines" { sig_stop TERM coroutines; }
@test "SIGTERM: procs (both modes)" {
	sig_stop TERM procs
	q '[.threads[] | select(.role == "worker")] | length == 4'
	sig_stop TERM procs --mode threads
}
@test "SIGTERM: ipc (children end too)" { sig_stop TERM ipc; }
@test "SIGTERM: tour" { sig_stop TERM tour; }
@test "SIGINT: tour and blocking stop the same way" {
	sig_stop INT tour
	sig_stop INT blocking
}

# ---- usage -------------------------------------------------------------------

# bad_usage NAME ARGS... — must exit 2 with a usage line on stderr
bad_usage() {
	local name=$1 rc=0
	shift
	timeout 5 "$EX/$name" "$@" >/dev/null 2>"$BATS_TEST_TMPDIR/usage.err" || rc=$?
	[ "$rc" -eq 2 ] || { echo "$name $*: exit $rc"; return 1; }
	grep -q "^usage: $name " "$BATS_TEST_TMPDIR/usage.err" ||
		{ echo "$name $*: stderr:"; cat "$BATS_TEST_TMPDIR/usage.err"; return 1; }
}

@test "usage: bad options exit 2 with a usage line on stderr" {
	for n in $ALL; do
		bad_usage $n --bogus
		bad_usage $n --seconds
		bad_usage $n --seconds abc
		bad_usage $n --seconds 0
		bad_usage $n stray-argument
	done
	bad_usage multiplexed --api kqueue
	bad_usage procs --mode fibers
	bad_usage ipc --interval-ms 0
	bad_usage locks --threads 0
	bad_usage nonblocking --poll-interval-us -1
	bad_usage iouring --wait=yes
}

@test "usage: -h prints the usage on stdout and exits 0" {
	for n in $ALL; do
		run timeout 5 "$EX/$n" -h
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: $n [--seconds N]"* ]] || { echo "$n: ${lines[0]}"; return 1; }
	done
}
