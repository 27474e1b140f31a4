#!/usr/bin/env bats
# scale.bats — concviz under a heavy load (issue 12): the target keeps the
# scheduling it would have had without concviz, the 1,000-thread ping-pong
# of bench/ loses no event, and the TUI stays live.  The throughput figures
# themselves are `make bench`'s (bench/README.md), not tests.

load helpers
load tmux

SESSION="concviz-bats-scale-$$"
PINGPONG="$ROOT/build/bench/pingpong"

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	command -v chrt > /dev/null || skip "chrt (util-linux) missing"
}

teardown() {
	# a terminal a test stopped is continued before anything talks to it
	[ -z "${TERM_SERVER:-}" ] || kill -CONT "$TERM_SERVER" 2> /dev/null || true
	tmux kill-session -t "$SESSION" 2> /dev/null || true
}

# the header's elapsed time in seconds ("| 4.21s |"; "312.0ms" early on)
header_secs() {
	screen | head -n 1 | awk -F'|' '{ v = $3; gsub(/ /, "", v)
		if (v ~ /^[0-9.]+ms$/) print v / 1000; else if (v ~ /^[0-9.]+s$/) print v + 0 }'
}

# a number from the CONCVIZ_STATS TUI line: stat FILE SED-REGEX-BEFORE
stat_of() { sed -n "s/.*$2 \([0-9.]*\).*/\1/p" "$1"; }

# what a process reports of its own scheduling, and (after a moment, when
# concviz may have raised its own priority) its parent's
SELF_SCHED='sleep 0.3; echo "self $(chrt -p $$ | sed -n "s/.*policy: //p") nice=$(nice)"; echo "parent $(chrt -p $PPID | sed -n "s/.*policy: //p")"'

@test "the target keeps its policy and nice value; concviz goes SCHED_FIFO after the fork (auto: only when behind)" {
	local bare traced
	bare=$(nice -n 5 sh -c "$SELF_SCHED" | grep '^self')
	[ "$bare" = "self SCHED_OTHER nice=5" ]
	# auto: a light target never puts concviz behind, it stays at normal priority
	traced=$(CONCVIZ_REALTIME=auto nice -n 5 "$CONCVIZ" run --json -- sh -c "$SELF_SCHED" 2>&1 > /dev/null)
	echo "$traced"
	[ "$(grep '^self' <<< "$traced")" = "$bare" ]
	[ "$(grep '^parent' <<< "$traced")" = "parent SCHED_OTHER" ]
	# by default real-time at once, after the fork
	traced=$(nice -n 5 "$CONCVIZ" run --json -- sh -c "$SELF_SCHED" 2>&1 > /dev/null)
	echo "$traced"
	[ "$(grep '^self' <<< "$traced")" = "$bare" ]
	[ "$(grep '^parent' <<< "$traced")" = "parent SCHED_FIFO|SCHED_RESET_ON_FORK" ]
	# a process the target starts inherits the target's policy, not concviz's
	traced=$(nice -n 5 "$CONCVIZ" run --json -- sh -c "sh -c '$SELF_SCHED'" 2>&1 > /dev/null)
	[ "$(grep '^self' <<< "$traced")" = "$bare" ]
	[ "$(grep '^parent' <<< "$traced")" = "parent SCHED_OTHER" ]
}

# pingpong's own context switches (summed over its workers) against
# concviz's for the same threads: within 3 a thread, as compare.jq allows
assert_switches_match() { # JSON STDERR
	local kernel cv threads
	kernel=$(grep '^pingpong-stats ' "$2" | sed 's/^pingpong-stats //')
	[ -n "$kernel" ] || { echo "no pingpong-stats line"; cat "$2"; return 1; }
	threads=$(jq .threads <<< "$kernel")
	cv=$(jq '.target.pid as $p | [.threads[] | select(.pid == $p and .tid != $p) | .ctx_switches.voluntary] | add' "$1")
	echo "threads $threads: voluntary switches kernel $(jq .voluntary_ctxt_switches <<< "$kernel"), concviz $cv"
	[ "$(jq --argjson cv "$cv" --argjson t "$threads" '(.voluntary_ctxt_switches - $cv | fabs) <= 3 * $t' <<< "$kernel")" = true ]
	[ "$(jq '.target.pid as $p | [.threads[] | select(.pid == $p and .tid != $p)] | length' "$1")" = "$threads" ]
}

@test "1,000 threads ping-ponging on both CPUs: no event lost, with --json and with -o" {
	local j="$BATS_TEST_TMPDIR/pp.json" e="$BATS_TEST_TMPDIR/pp.err" rec="$BATS_TEST_TMPDIR/pp.cvz"
	"$CONCVIZ" run --json -- "$PINGPONG" -p 500 -s 2 > "$j" 2> "$e"
	cp "$j" "$OUT_DIR/scale-pingpong.json"
	[ "$(jq .dropped_events "$j")" = 0 ]
	[ "$(jq .events "$j")" -gt 500000 ]
	assert_switches_match "$j" "$e"

	"$CONCVIZ" run --json -o "$rec" -- "$PINGPONG" -p 500 -s 2 > "$j" 2> "$e"
	[ "$(jq .dropped_events "$j")" = 0 ]
	assert_switches_match "$j" "$e"
	# the recording holds the same events, and reports the same
	"$CONCVIZ" report --json "$rec" > "$BATS_TEST_TMPDIR/rep.json"
	[ "$(jq .events "$BATS_TEST_TMPDIR/rep.json")" = "$(jq .events "$j")" ]
	[ "$(jq .dropped_events "$BATS_TEST_TMPDIR/rep.json")" = 0 ]
}

@test "tui: under 200 ping-pong threads the header keeps moving, keys answer, frames are counted" {
	command -v tmux > /dev/null || skip "tmux missing"
	SHOTS="$OUT_DIR/tui"
	mkdir -p "$SHOTS"
	local stats="$BATS_TEST_TMPDIR/stats" t1 t2
	start "CONCVIZ_STATS=1 '$CONCVIZ' run -- '$PINGPONG' -p 100 -s 4 2> '$stats'"
	wait_for "pingpong" 15
	sleep 1
	shot load-1
	t1=$(screen | head -n 1 | awk -F'|' '{print $3}')
	sleep 1
	t2=$(screen | head -n 1 | awk -F'|' '{print $3}')
	echo "elapsed: '$t1' then '$t2'"
	[ -n "$t1" ] && [ "$t1" != "$t2" ]
	# a key is answered while the load runs
	tmux send-keys -t "$SESSION" h
	wait_for "Legend" 2
	tmux send-keys -t "$SESSION" 1
	wait_for "Threads" 2
	wait_for "exit 0" 10
	shot finished
	[[ "$SCREEN" == *"dropped 0"* ]]
	quit_clean
	cat "$stats"
	# e.g. "TUI 52 frames, 10.0 frames/s, longest gap 104.2 ms, frame time median ..."
	local fps gap
	fps=$(sed -n 's/.*TUI [0-9]* frames, \([0-9.]*\) frames\/s.*/\1/p' "$stats")
	gap=$(sed -n 's/.*longest gap \([0-9.]*\) ms.*/\1/p' "$stats")
	[ -n "$fps" ] && [ -n "$gap" ]
	awk -v f="$fps" -v g="$gap" 'BEGIN { exit !(f >= 5 && g < 1000) }'
	grep -q 'stats: .* events, 0 dropped' "$stats"
}

@test "tui: a terminal that stops reading does not stop concviz: events, keys and the clock go on" {
	command -v tmux > /dev/null || skip "tmux missing"
	SHOTS="$OUT_DIR/tui"
	mkdir -p "$SHOTS"
	# a tmux server of this test's own, to stop (SIGSTOP) and continue
	export TMUX_TMPDIR="$BATS_TEST_TMPDIR/tmux"
	mkdir -p "$TMUX_TMPDIR"
	local stats="$BATS_TEST_TMPDIR/stats" before after i
	start "CONCVIZ_STATS=1 '$CONCVIZ' run -- '$PINGPONG' -p 100 -s 9 2> '$stats'"
	wait_for "pingpong" 15
	sleep 1
	TERM_SERVER=$(tmux display-message -p '#{pid}')
	before=$(header_secs)
	echo "elapsed before the stop: $before s (tmux server $TERM_SERVER)"
	[ -n "$before" ]
	# 5 s of frames are more than the pty buffers hold: the terminal falls behind
	kill -STOP "$TERM_SERVER"
	sleep 5
	kill -CONT "$TERM_SERVER"
	# concviz kept its model current: soon the screen shows the time now
	for i in $(seq 20); do
		after=$(header_secs)
		awk -v a="$after" -v b="$before" 'BEGIN { exit !(a != "" && a >= b + 4.5) }' && break
		sleep 0.2
	done
	shot resumed
	echo "elapsed after the stop: $after s"
	awk -v a="$after" -v b="$before" 'BEGIN { exit !(a != "" && a >= b + 4.5) }'
	tmux send-keys -t "$SESSION" h
	wait_for "Legend" 2
	tmux send-keys -t "$SESSION" 1
	wait_for "exit 0" 15
	shot finished
	[[ "$SCREEN" == *"dropped 0"* ]]
	quit_clean
	cat "$stats"
	# frames fell due while the terminal was stopped and waited for it; the
	# loop itself never waited for the terminal and each turn stayed short
	local postponed waited turn
	postponed=$(stat_of "$stats" "postponed")
	waited=$(stat_of "$stats" "loop waited for the terminal at most")
	turn=$(stat_of "$stats" "longest loop turn")
	echo "postponed $postponed, loop waited $waited ms, longest turn $turn ms"
	[ -n "$postponed" ] && [ -n "$waited" ] && [ -n "$turn" ]
	[ "$postponed" -ge 10 ]
	awk -v w="$waited" -v t="$turn" 'BEGIN { exit !(w < 50 && t < 250) }'
	grep -q 'stats: .* events, 0 dropped' "$stats"
	tmux kill-server
}

@test "tui: asked to stop while its terminal is stopped, concviz still ends and its recording is whole" {
	command -v tmux > /dev/null || skip "tmux missing"
	SHOTS="$OUT_DIR/tui"
	mkdir -p "$SHOTS"
	export TMUX_TMPDIR="$BATS_TEST_TMPDIR/tmux"
	mkdir -p "$TMUX_TMPDIR"
	local stats="$BATS_TEST_TMPDIR/stats" rec="$BATS_TEST_TMPDIR/stop.cvz" cv t0 t1 i
	start "CONCVIZ_STATS=1 '$CONCVIZ' run -o '$rec' -- '$PINGPONG' -p 50 -s 30 2> '$stats'"
	wait_for "pingpong" 15
	TERM_SERVER=$(tmux display-message -p '#{pid}')
	cv=$(pgrep -f -- "run -o $rec" | head -n 1)
	[ -n "$cv" ]
	kill -STOP "$TERM_SERVER"
	sleep 3                         # frames pile up: the writer is stuck
	t0=$(date +%s%N)
	kill -TERM "$cv"
	for i in $(seq 150); do kill -0 "$cv" 2> /dev/null || break; sleep 0.1; done
	t1=$(date +%s%N)
	kill -CONT "$TERM_SERVER"
	echo "concviz ended $(( (t1 - t0) / 1000000 )) ms after SIGTERM"
	! kill -0 "$cv" 2> /dev/null
	# the terminal gets 5 s (TUI_TERM_DRAIN_MS) to take the last bytes
	[ $(( (t1 - t0) / 1000000 )) -lt 12000 ]
	cat "$stats"
	grep -q 'stats: .* events, 0 dropped' "$stats"
	"$CONCVIZ" report --json "$rec" > "$BATS_TEST_TMPDIR/rep.json"
	[ "$(jq .dropped_events "$BATS_TEST_TMPDIR/rep.json")" = 0 ]
	# every event concviz took in is in the recording (it adds its end mark)
	[ "$(jq .events "$BATS_TEST_TMPDIR/rep.json")" -ge "$(sed -n 's/.*stats: \([0-9]*\) events.*/\1/p' "$stats")" ]
	tmux kill-server
}
