#!/usr/bin/env bats
# tui.bats — drive the real TUI in tmux (send-keys, capture-pane) and assert on
# the screen.  Every captured screen is saved under build/test-output/tui/.

load helpers
load tmux

SESSION="concviz-bats-$$"

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	command -v tmux > /dev/null || skip "tmux missing"
	SHOTS="$OUT_DIR/tui"
	mkdir -p "$SHOTS"
}

teardown() {
	tmux kill-session -t "$SESSION" 2> /dev/null || true
}

@test "tui: run tour shows threads and states, legend, detail, resize, clean quit" {
	start "'$CONCVIZ' run tour --seconds 30"
	wait_for "Threads" 15
	wait_for "io_uring" 10
	sleep 1.5
	shot threads
	for name in blocking nonblocking epoll io_uring; do
		[[ "$SCREEN" == *"$name"* ]] || { echo "no thread $name"; return 1; }
	done
	[[ "$SCREEN" == *"wait_data"* || "$SCREEN" == *"mux_wait"* || "$SCREEN" == *"running"* ]]
	[[ "$SCREEN" == *"dropped"* ]]
	# the footer's hints come from the key table: the threads view, live
	[[ "$(screen | tail -n 1)" == "q Quit h Help Tab View Enter Detail s Sort p Fold proc / Filter {} Back/Fwd +- Zoom g Glyphs Space Pause"* ]]

	tmux send-keys -t "$SESSION" h
	wait_for "Legend"
	shot help
	[[ "$SCREEN" == *"wait for data"* ]]
	[[ "$SCREEN" == *"copy data"* ]]
	[[ "$SCREEN" == *"io_uring"* ]]
	[[ "$(screen | tail -n 1)" == "q Quit h Help Tab View Esc Back Up/Dn Scroll Space Pause"* ]]
	# the key list (same table): scroll to its end
	tmux send-keys -t "$SESSION" NPage NPage
	wait_for "pause / resume the display (tracing continues)"
	shot help-keys
	[[ "$SCREEN" == *"Keys (live)"* ]]
	[[ "$SCREEN" != *"seek to start / end"* ]]
	tmux send-keys -t "$SESSION" 1
	wait_for "Threads"

	# select the blocking thread by filtering, then open its detail
	open_detail blocking
	sleep 1
	shot detail
	[[ "$SCREEN" == *"Receives"* ]]
	[[ "$SCREEN" == *"wait"* ]]
	tmux send-keys -t "$SESSION" Escape
	wait_for "Threads"

	tmux resize-window -t "$SESSION" -x 80 -y 24
	sleep 1
	shot 80x24
	[[ "$SCREEN" == *"Threads"* ]]
	[ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ]
	tmux resize-window -t "$SESSION" -x 120 -y 40
	sleep 1
	shot 120x40
	[[ "$SCREEN" == *"Threads"* ]]
	quit_clean
}

@test "tui: the header says where events were dropped (a tiny ring buffer)" {
	start "CONCVIZ_RINGBUF_KB=4 '$CONCVIZ' run nonblocking --seconds 30"
	wait_for "(ring " 15
	shot drops
	local hdr
	hdr=$(screen | head -n 1)
	echo "$hdr"
	# "dropped N (ring R, memory M)" (trace.bats checks that the parts add up)
	[[ "$hdr" =~ dropped\ ([0-9.]+[kM]?)\ \(ring\ ([0-9.]+[kM]?),\ memory\ ([0-9.]+[kM]?)\) ]]
	[ "${BASH_REMATCH[1]}" != 0 ]
	[ "${BASH_REMATCH[2]}" != 0 ]
	quit_clean
}

@test "tui: the detail view says which calls a signal interrupted" {
	start "'$CONCVIZ' run -d 30 -- '$ROOT/build/tests/e2e/sig_calls' read-eintr 1 2"
	wait_for "exit 0" 20
	open_detail caller
	wait_for "signals 2 (EINTR 2)" 5
	shot signal-detail
	# 1 round: 2 reads that failed with EINTR, 2 control reads, the data, EOF
	# (all 6 in the list, which shows the last 10)
	[[ "$SCREEN" == *"Receives  calls 6 "* ]]
	[ "$(grep -c "read pipe    EINTR .* blocked  EINTR: a signal" <<< "$SCREEN")" = 2 ]
	quit_clean
}

@test "tui: run locks shows counter_lock in the locks view" {
	start "'$CONCVIZ' run locks --seconds 30"
	wait_for "Threads" 15
	sleep 2
	tmux send-keys -t "$SESSION" 3
	wait_for "Locks"
	wait_for "counter_lock"
	shot locks
	[[ "$SCREEN" == *"worker"* || "$SCREEN" == *"T"* ]]
	quit_clean
}

@test "tui: run deadlock shows the cycle in wait chains and deadlocks, live and in replay" {
	start "'$CONCVIZ' run deadlock --seconds 30"
	wait_for "Threads" 15
	tmux send-keys -t "$SESSION" 3
	wait_for "Deadlocks detected: 1" 10
	wait_for " DEADLOCK  T" 5
	shot deadlock-locks
	# the wait chain: one line for the cycle, from taker-ab or taker-ba
	[ "$(screen | grep -c 'held by T.* taker-.* held by T.* taker-.* \.\.\.$')" = 1 ]
	[[ "$SCREEN" == *"lock_a"* && "$SCREEN" == *"lock_b"* ]]
	[[ "$(screen | tail -n 1)" == "q Quit h Help Tab View s Sort Up/Dn Scroll Space Pause"* ]]
	quit_clean

	local f="$BATS_TEST_TMPDIR/dl.cvr"
	timeout 30 "$CONCVIZ" run --report -o "$f" deadlock --seconds 2 > /dev/null 2>&1
	tmux kill-session -t "$SESSION"
	start "'$CONCVIZ' replay '$f'"
	wait_for "taker-ab" 10
	tmux send-keys -t "$SESSION" ' ' Home n n n 3
	wait_for "Deadlocks detected: 1" 5
	wait_for " DEADLOCK  T" 5
	shot deadlock-replay
	[[ "$(screen | tail -n 1)" == "q Quit h Help Tab View s Sort Up/Dn Scroll Space Pause n Step <> Speed"* ]]
	tmux send-keys -t "$SESSION" h NPage NPage
	wait_for "seek to start / end" 5
	shot deadlock-replay-keys
	[[ "$SCREEN" == *"Keys (replay)"* ]]
	[[ "$SCREEN" != *"tracing continues"* ]]
	quit_clean
}

@test "tui: attach to a running example by PID" {
	"$EX/multiplexed" --seconds 30 2> /dev/null &
	pid=$!
	sleep 0.5
	start "'$CONCVIZ' attach $pid"
	wait_for "Threads" 15
	sleep 1.5
	shot attach
	[[ "$SCREEN" == *"$pid"* ]]
	[[ "$SCREEN" == *"mux_wait"* || "$SCREEN" == *"running"* ]]
	quit_clean
	# attach leaves the target running
	kill -0 "$pid"
	kill "$pid"
	wait "$pid" || true
}
