# tmux.bash — drive a real terminal for the TUI tests.  The caller sets
# $SESSION (a tmux session name of its own) and $SHOTS (where screens go).

# start CMD...: a fresh bash in a 120x40 tmux session, then type CMD
start() {
	tmux new-session -d -s "$SESSION" -x 120 -y 40 "bash --norc --noprofile"
	tmux send-keys -t "$SESSION" "PS1='READY\$ '; clear" Enter
	sleep 0.3
	tmux send-keys -t "$SESSION" "$*" Enter
}

screen() { tmux capture-pane -p -t "$SESSION"; }

# shot NAME: save the screen under $SHOTS and keep it in $SCREEN
shot() {
	SCREEN=$(screen)
	printf '%s\n' "$SCREEN" > "$SHOTS/$BATS_TEST_NUMBER-$1.txt"
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT
wait_for() {
	local i
	for i in $(seq $((${2:-10} * 5))); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.2
	done
	echo "timed out waiting for: $1"; screen; return 1
}

# open_detail NAME: filter the thread list for NAME, open the first match's detail
open_detail() {
	tmux send-keys -t "$SESSION" / "$1" Enter
	sleep 0.5
	tmux send-keys -t "$SESSION" Enter
	wait_for "Thread detail"
}

# quit_clean [STATUS]: q leaves a usable shell and concviz exited with STATUS
quit_clean() {
	tmux send-keys -t "$SESSION" q
	wait_for 'READY$' 15
	tmux send-keys -t "$SESSION" "echo STATUS=\$?" Enter
	wait_for "STATUS=${1:-0}" 5
	shot after-quit
	[[ "$SCREEN" != *"Threads"* ]]
}
