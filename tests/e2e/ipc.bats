#!/usr/bin/env bats
# ipc.bats — accept and receives that are not on sockets (pipes, FIFOs, POSIX
# message queues), against the program's own counts: tests/e2e/ipc_recv.c
# (built by `make` as build/tests/e2e/ipc_recv) does blocking and
# non-blocking accepts on 127.0.0.1, reads a pipe and a FIFO that children
# write, and mq_receives what a child mq_sends.

load helpers
load tmux

HELPER="$ROOT/build/tests/e2e/ipc_recv"
SESSION="concviz-ipc-bats-$$"
# the blocked accept starts microseconds after the connector is forked and
# ends when it connects ACCEPT_DELAY_MS later: allow this much for the fork
SLACK_NS=50000000

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	command -v jq > /dev/null || skip "jq missing"
	[ -x "$HELPER" ] || { echo "missing $HELPER: run make"; return 1; }
	SHOTS="$OUT_DIR/tui"
	mkdir -p "$SHOTS"
}

teardown() {
	tmux kill-session -t "$SESSION" 2> /dev/null || true
}

# run_helper [concviz opts]: $J concviz JSON, $S the helper's example-stats
run_helper() {
	run_json ipc_recv "$@" -- "$HELPER"
}

# ex FIELD: the helper's own count; cv FILTER: concviz's for the main thread
ex() { jq -r ".threads[0].$1" "$S"; }
cv() { th main "$1"; }

# eq WHAT EXAMPLE CONCVIZ
eq() {
	[ "$2" = "$3" ] || { echo "$1: program $2, concviz $3"; return 1; }
}

@test "ipc: accept calls, EAGAIN polls and blocked calls equal the program's; blocked time is wait_data" {
	run_helper
	assert_counts_match   # recv_calls, recv_eagain, recv_bytes (compare.jq)
	eq accept.calls "$(ex accept_calls)" "$(cv .accept.calls)"
	eq accept.eagain "$(ex accept_eagain)" "$(cv .accept.eagain)"
	eq accept.blocked_calls "$(ex accept_blocked_calls)" "$(cv .accept.blocked_calls)"
	[ "$(ex accept_eagain)" -ge 3 ]   # the polls happened
	local known wait measured wd
	known=$(ex accept_known_wait_ns)
	measured=$(ex accept_measured_ns)
	wait=$(cv .accept.wait_ns)
	wd=$(cv .time_ns.wait_data)
	echo "known wait $known, concviz accept.wait_ns $wait, program's clock $measured, wait_data $wd"
	# at least the known wait, at most what the program's own clock saw
	[ "$wait" -ge $((known - SLACK_NS)) ]
	[ "$wait" -le "$measured" ]
	# the blocked accept is waiting (wait_data), not sleep
	[ "$wd" -ge $((known - SLACK_NS)) ]
	# accepts are not receives: no socket receive at all
	eq by_kind.socket.calls 0 "$(cv .recv.by_kind.socket.calls)"
}

@test "ipc: pipe, FIFO and mq receives count by kind, with the program's bytes, both phases" {
	run_helper
	assert_counts_match
	eq recv.calls "$(ex recv_calls)" "$(cv .recv.calls)"
	eq recv.eagain "$(ex recv_eagain)" "$(cv .recv.eagain)"
	eq recv.bytes "$(ex recv_bytes)" "$(cv .recv.bytes)"
	eq by_kind.pipe.calls "$(ex pipe_calls)" "$(cv .recv.by_kind.pipe.calls)"
	eq by_kind.pipe.bytes "$(ex pipe_bytes)" "$(cv .recv.by_kind.pipe.bytes)"
	eq by_kind.mq.calls "$(ex mq_calls)" "$(cv .recv.by_kind.mq.calls)"
	eq by_kind.mq.bytes "$(ex mq_bytes)" "$(cv .recv.by_kind.mq.bytes)"
	[ "$(ex recv_eagain)" -ge 2 ]   # pipe polls and the empty-queue poll
	# the first pipe read, the FIFO read and the first mq_receive wait for a writer
	[ "$(cv .recv.blocked_calls)" -ge 3 ]
	# wait for data is the writers' pauses (>= 5 x 30 ms of pipe alone),
	# copy data the rest of those calls: both phases seen
	[ "$(cv .time_ns.wait_data)" -ge 150000000 ]
	[ "$(cv .time_ns.copy_data)" -gt 0 ]
	# the text report names the kinds and the accepts
	"$CONCVIZ" run --report -- "$HELPER" > "$BATS_TEST_TMPDIR/ipc.txt" 2> /dev/null
	grep -q "ACCEPT AND RECEIVES BY KIND" "$BATS_TEST_TMPDIR/ipc.txt"
	grep -Eq "pipe [0-9]+/" "$BATS_TEST_TMPDIR/ipc.txt"
	grep -Eq "mq [0-9]+/" "$BATS_TEST_TMPDIR/ipc.txt"
}

@test "ipc: a recording's report has the live counts (accept, by kind)" {
	local rec="$BATS_TEST_TMPDIR/ipc.cvz"
	run_helper -o "$rec"
	"$CONCVIZ" report --json "$rec" > "$BATS_TEST_TMPDIR/replay.json"
	local q='[.threads[] | {tid, recv, accept}]'
	diff <(jq -S "$q" "$J") <(jq -S "$q" "$BATS_TEST_TMPDIR/replay.json")
}

@test "ipc: the TUI detail says a thread blocked in accept waits for a connection" {
	command -v tmux > /dev/null || skip "tmux missing"
	start "'$CONCVIZ' run -- '$HELPER' 8000"
	wait_for "Threads" 15
	open_detail ipc_recv
	wait_for "waiting for a connection" 5
	shot ipc-accept-detail
	[[ "$SCREEN" == *"blocked in accept: waiting for a connection"* ]]
	[[ "$SCREEN" == *"wait_data"* ]]
	tmux send-keys -t "$SESSION" q
	wait_for 'READY$' 15
}

# ---- the ipc example: producer and consumer processes -------------------------

# exr ROLE FIELD: the ipc example's own count for the thread with that role
exr() { jq -r --arg r "$1" ".threads[] | select(.role == \$r) | .$2" "$S"; }

@test "ipc example: each process's receives by kind (pipe, mq) and bytes equal its own, blocked calls within what it saw empty" {
	trace ipc -- --seconds 2
	assert_counts_match   # recv_calls, recv_bytes of every process's thread
	local r
	for r in main consumer producer; do
		eq "$r by_kind.pipe.calls" "$(exr $r 'pipe_calls // 0')" "$(th $r .recv.by_kind.pipe.calls)"
		eq "$r by_kind.pipe.bytes" "$(exr $r 'pipe_bytes // 0')" "$(th $r .recv.by_kind.pipe.bytes)"
		eq "$r by_kind.mq.calls" "$(exr $r 'mq_calls // 0')" "$(th $r .recv.by_kind.mq.calls)"
		eq "$r by_kind.mq.bytes" "$(exr $r 'mq_bytes // 0')" "$(th $r .recv.by_kind.mq.bytes)"
		eq "$r by_kind.socket.calls" 0 "$(th $r .recv.by_kind.socket.calls)"
	done
	# the consumer's pipe reads wait for the producer; its mq receives never do
	# (the producer queues first): what it found empty is what blocked.  The
	# program looks (FIONREAD) just before it reads, so data arriving between
	# the look and the read makes it count a wait that never happened: concviz
	# (off CPU or not) may be lower, never higher, and rarely by more than 2 %
	local pb cb
	pb=$(exr consumer blocked_calls) cb=$(th consumer .recv.blocked_calls)
	echo "consumer blocked_calls: program $pb, concviz $cb"
	[ "$cb" -le "$pb" ] && [ $((cb * 100)) -ge $((pb * 98)) ]
	[ "$(exr consumer pipe_calls)" -ge 100 ]
	# three processes: the consumer and producer are children of the target
	local top
	top=$(jq .pid "$S")
	[ "$(jq "[.threads[].pid] | unique | length" "$J")" -eq 3 ]
	[ "$(th consumer .pid)" != "$top" ] && [ "$(th producer .pid)" != "$top" ]
	# the consumer waits for data (the producer's 10 ms pauses), not sleep
	[ "$(th consumer .time_ns.wait_data)" -ge 1000000000 ]
}

# ---- multiplexers by API ---------------------------------------------------------

@test "mux by API: select, poll and epoll calls, nfds, ready and timeouts equal the multiplexed example's" {
	local api other
	for api in select poll epoll; do
		# a message every 700 ms against a 500 ms timeout: some calls time out
		trace multiplexed -- --seconds 2 --api $api --clients 1 --interval-ms 700
		assert_counts_match
		local r="srv-$api"
		eq "$api calls" "$(exr $r mux_calls)" "$(th $r .mux.by_api.$api.calls)"
		eq "$api nfds" "$(exr $r mux_nfds)" "$(th $r .mux.by_api.$api.nfds)"
		eq "$api ready" "$(exr $r mux_ready)" "$(th $r .mux.by_api.$api.ready)"
		eq "$api timeouts" "$(exr $r mux_timeouts)" "$(th $r .mux.by_api.$api.timeouts)"
		[ "$(exr $r mux_timeouts)" -ge 1 ]
		eq "$api errors" 0 "$(th $r .mux.by_api.$api.errors)"
		# the API's wait is the thread's mux wait, and no other API was used
		eq "$api wait_ns" "$(th $r .mux.wait_ns)" "$(th $r .mux.by_api.$api.wait_ns)"
		for other in select poll epoll; do
			[ $other = $api ] || eq "$other calls" 0 "$(th $r .mux.by_api.$other.calls)"
		done
	done
	# the text report has the by-API table
	"$CONCVIZ" run --report multiplexed --seconds 1 --api poll > "$BATS_TEST_TMPDIR/mux.txt" 2> /dev/null
	grep -q "^MULTIPLEXERS BY API" "$BATS_TEST_TMPDIR/mux.txt"
	grep -Eq "srv-poll +poll +[0-9]+" "$BATS_TEST_TMPDIR/mux.txt"
}

@test "mux by fd: each socket's times returned ready by select, poll and epoll equal the multiplexed example's" {
	local api ep n fd
	for api in select poll epoll; do
		trace multiplexed -- --seconds 1 --api $api --clients 4
		assert_counts_match
		local r="srv-$api"
		ep=0
		[ $api = epoll ] && ep=1
		# ready_fd<N>: the calls that returned the server's socket fd N ready
		n=0
		for fd in $(jq -r --arg r "$r" '.threads[] | select(.role == $r) | keys[]
		                                | select(startswith("ready_fd")) | ltrimstr("ready_fd")' "$S"); do
			local f
			f=$(th $r ".recv.by_fd | map(select(.fd == $fd))")
			eq "$api fd $fd entries" 1 "$(jq length <<<"$f")"
			eq "$api fd $fd mux_ready" "$(exr $r ready_fd$fd)" "$(jq '.[0].mux_ready' <<<"$f")"
			eq "$api fd $fd mux_ready_epoll" $(( $(exr $r ready_fd$fd) * ep )) "$(jq '.[0].mux_ready_epoll' <<<"$f")"
			eq "$api fd $fd kind" tcp "$(jq -r '.[0].kind' <<<"$f")"
			[ "$(exr $r ready_fd$fd)" -ge 10 ]
			n=$((n + 1))
		done
		eq "$api sockets" 4 $n
		eq "$api by_fd sum" "$(exr $r mux_ready)" "$(th $r '[.recv.by_fd[].mux_ready] | add')"
		eq "$api unlisted" 0 "$(th $r .mux.ready_unlisted)"
	done
	# the text report's READY column
	"$CONCVIZ" run --report multiplexed --seconds 1 --api poll > "$BATS_TEST_TMPDIR/muxfd.txt" 2> /dev/null
	grep -Eq "^RECEIVES BY DESCRIPTOR .*ready: returned ready" "$BATS_TEST_TMPDIR/muxfd.txt"
	grep -Eq " READY +WHAT$" "$BATS_TEST_TMPDIR/muxfd.txt"
	grep -Eq "srv-poll +[0-9]+ tcp +[0-9]+ +[0-9.]+[KMG]?B? .* [0-9]+ +127\.0\.0\.1" "$BATS_TEST_TMPDIR/muxfd.txt"
}

@test "mux by API: the TUI detail shows the API, watched, ready and the timeout of each call" {
	command -v tmux > /dev/null || skip "tmux missing"
	start "'$CONCVIZ' run multiplexed --seconds 8 --api select"
	wait_for "Threads" 15
	open_detail srv-select
	wait_for "timeout 500 ms" 5
	shot mux-detail
	[[ "$SCREEN" == *"select calls"* ]]
	[[ "$SCREEN" =~ select6?\ +[0-9]+\ ready ]]   # glibc select is pselect6
	[[ "$SCREEN" == *"watched, timeout 500 ms"* ]]
	tmux send-keys -t "$SESSION" q
	wait_for 'READY$' 15
}

# ---- by descriptor ---------------------------------------------------------------

@test "by fd: the ipc consumer's pipe and queue (by name) with the program's counts; ipc_recv's FIFO" {
	trace ipc -- --seconds 1
	local f
	f=$(th consumer '.recv.by_fd | map(select(.kind == "pipe"))[0]')
	eq "consumer pipe calls" "$(exr consumer pipe_calls)" "$(jq .calls <<<"$f")"
	eq "consumer pipe bytes" "$(exr consumer pipe_bytes)" "$(jq .bytes <<<"$f")"
	eq "pipe desc" pipe "$(jq -r .desc <<<"$f")"
	f=$(th consumer '.recv.by_fd | map(select(.kind == "mq"))[0]')
	eq "consumer mq calls" "$(exr consumer mq_calls)" "$(jq .calls <<<"$f")"
	eq "consumer mq bytes" "$(exr consumer mq_bytes)" "$(jq .bytes <<<"$f")"
	eq "mq name" "/concviz-ipc-$(jq .pid "$S")" "$(jq -r .desc <<<"$f")"
	eq "consumer descriptors" 2 "$(th consumer '.recv.by_fd | length')"
	# ipc_recv: the FIFO is named (its path if concviz looked before it was
	# closed, else its name), the listener is a TCP one on 127.0.0.1
	run_helper
	cv '.recv.by_fd[] | select(.kind == "fifo") | .desc' | grep -Eq '^FIFO (/.*/)?fifo$'
	cv '.recv.by_fd[] | select(.accepts > 0) | .desc' | grep -Eq '^listening on 127\.0\.0\.1:[0-9]+$'
	[ "$(cv '[.recv.by_fd[].accepts] | add')" = "$(ex accept_calls)" ]
	[ "$(cv '[.recv.by_fd[].calls] | add')" = "$(ex recv_calls)" ]
	# a queue only polled, never received: a queue by its name, ready as often
	f=$(cv '.recv.by_fd | map(select(.calls == 0 and .mux_ready > 0))[0]')
	eq "polled queue kind" mq "$(jq -r .kind <<<"$f")"
	eq "polled queue recv_kind" mq "$(jq -r .recv_kind <<<"$f")"
	eq "polled queue desc" "/concviz-ipcp-$(jq .pid "$S")" "$(jq -r .desc <<<"$f")"
	eq "polled queue ready" "$(ex mq_poll_ready)" "$(jq .mux_ready <<<"$f")"
}

@test "by fd: the TUI detail lists the descriptors with what they are" {
	command -v tmux > /dev/null || skip "tmux missing"
	start "'$CONCVIZ' run ipc --seconds 8"
	wait_for "consumer" 15
	open_detail consumer
	wait_for "By descriptor" 5
	shot by-fd-detail
	[[ "$SCREEN" =~ pipe\ +[0-9]+\ .*\ pipe ]]
	[[ "$SCREEN" == *" mq "*"/concviz-ipc-"* ]]
	tmux send-keys -t "$SESSION" q
	wait_for 'READY$' 15
}

@test "mux by fd: the TUI detail's By descriptor shows each socket's times returned ready (e: epoll's data)" {
	command -v tmux > /dev/null || skip "tmux missing"
	start "'$CONCVIZ' run multiplexed --seconds 8 --api epoll"
	wait_for "srv-epoll" 15
	open_detail srv-epoll
	wait_for "By descriptor" 5
	sleep 1
	shot mux-by-fd-detail
	[[ "$SCREEN" =~ accepts\ +ready\ +what ]]
	[ "$(grep -Ec ' tcp +[0-9]+ .* [1-9][0-9]*e +127\.0\.0\.1:' <<<"$SCREEN")" -eq 4 ]
	tmux send-keys -t "$SESSION" q
	wait_for 'READY$' 15
}
