#!/usr/bin/env bats
# exit.bats — how a target ends: its exit code or the signal that killed it,
# by name, live and from a recording; the end is noticed at once.

bats_require_minimum_version 1.5.0
load helpers
load tmux

SESSION="concviz-exit-$$"

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
}

teardown() {
	tmux kill-session -t "$SESSION" 2> /dev/null || true
}

@test "exit: a target killed by SIGKILL reports exit_signal SIGKILL beside exit_code 137" {
	run -0 bash -c "'$CONCVIZ' run --json -- sh -c 'kill -9 \$\$' 2>/dev/null"
	echo "$output" | jq -c .target
	[ "$(jq -r .target.exit_signal <<<"$output")" = SIGKILL ]
	[ "$(jq -r .target.exit_code <<<"$output")" = 137 ]
}

@test "exit: a target that exits on its own has exit_signal null and its code" {
	run -0 bash -c "'$CONCVIZ' run --json -- sh -c 'exit 3' 2>/dev/null"
	[ "$(jq -r .target.exit_signal <<<"$output")" = null ]
	[ "$(jq -r .target.exit_code <<<"$output")" = 3 ]
}

@test "exit: the report of a recording names the signal (killed by SIGTERM)" {
	f="$BATS_TEST_TMPDIR/term.cvr"
	run -0 "$CONCVIZ" run --report -o "$f" -- sh -c 'kill -TERM $$'
	[[ "$output" == *"killed by SIGTERM (exit status 143)"* ]]
	run -0 "$CONCVIZ" report "$f"
	[[ "$output" == *"killed by SIGTERM (exit status 143)"* ]]
	run -0 "$CONCVIZ" report --json "$f"
	[ "$(jq -r .target.exit_signal <<<"$output")" = SIGTERM ]
}

@test "exit: the TUI header says killed by SIGKILL" {
	command -v tmux > /dev/null || skip "tmux missing"
	SHOTS="$OUT_DIR/tui"; mkdir -p "$SHOTS"
	start "'$CONCVIZ' run -- sh -c 'sleep 1; kill -9 \$\$'"
	wait_for "killed by SIGKILL" 15
	shot killed
	quit_clean 0
}

@test "exit: the end of a short target is noticed at once (duration is its life, not a poll period)" {
	# before the session woke on the target's pidfd, /bin/true "lasted" one
	# 100 ms poll period
	for i in 1 2 3; do
		run -0 bash -c "'$CONCVIZ' run --json -- /bin/true 2>/dev/null"
		d=$(jq .duration_ns <<<"$output")
		echo "duration_ns $d"
		[ "$d" -lt 60000000 ]
	done
}

@test "exit: a child process killed by a signal shows it (JSON exit_signal, report)" {
	run -0 bash -c "'$CONCVIZ' run --json -- sh -c 'sleep 5 & kill -9 \$!; wait; exit 4' 2>/dev/null"
	child=$(jq -r '[.threads[] | select(.pid != .tid or .tid != '"$(jq .target.pid <<<"$output")"')][0]' <<<"$output")
	echo "$child"
	[ "$(jq -r .exit_signal <<<"$child")" = SIGKILL ]
	[ "$(jq -r .target.exit_code <<<"$output")" = 4 ]
	[ "$(jq -r .target.exit_signal <<<"$output")" = null ]
	run -0 "$CONCVIZ" run --report -- sh -c 'sleep 5 & kill -9 $!; wait'
	[[ "$output" == *"exited (killed by SIGKILL)"* ]]
}

@test "exit: started with SIGCHLD ignored, a run still ends, and the target keeps the ignored SIGCHLD" {
	run -0 timeout 20 perl -e '$SIG{CHLD}="IGNORE"; exec @ARGV' "$CONCVIZ" run --json -- \
		sh -c 'exit 5'
	[ "$(jq -r .target.exit_code <<<"$output")" = 5 ]
	run -0 timeout 20 perl -e '$SIG{CHLD}="IGNORE"; exec @ARGV' "$CONCVIZ" run --json -- \
		grep SigIgn /proc/self/status
	# bit 17 - 1 of the ignored mask: SIGCHLD, as without concviz
	mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' <<<"$output" | head -n 1)
	echo "target's SigIgn $mask"
	(( (16#$mask >> 16) & 1 ))
}

@test "exit: a stopped run sees every process of its group die of the SIGTERM" {
	for i in 1 2 3; do
		run -0 bash -c "'$CONCVIZ' run --json -d 0.3 -- sh -c 'for i in 1 2 3 4 5 6; do sleep 5 & done; wait' 2>/dev/null"
		n=$(jq '[.threads[] | select(.comm == "sleep")] | length' <<<"$output")
		dead=$(jq '[.threads[] | select(.comm == "sleep" and .exited and .exit_signal == "SIGTERM")] | length' <<<"$output")
		echo "run $i: $dead of $n sleeps seen dying of SIGTERM"
		[ "$n" -eq 6 ] && [ "$dead" -eq 6 ]
	done
}
