#!/usr/bin/env bats
# procs.bats — processes as rows and Python's IPC, against the programs' own
# counts: small Python 3 programs under tests/python/ (a pipe parent/child
# with os.read, a multiprocessing.Queue, a selectors/select server, children
# exiting with codes 10, 11, 12) print `example-stats {JSON}` last on stderr.

load helpers
load tmux

PY="$ROOT/tests/python"
# Debian's interpreter (make deps), not a version manager's shim script: the
# shim's own shell helpers would be the target's first receives
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
SESSION="concviz-procs-bats-$$"

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	command -v jq > /dev/null || skip "jq missing"
	[ -x "$PYTHON" ] || { echo "python3 missing: make deps"; return 1; }
	SHOTS="$OUT_DIR/tui"
	mkdir -p "$SHOTS"
}

teardown() {
	tmux kill-session -t "$SESSION" 2> /dev/null || true
}

# run_py NAME [ARGS] [-- concviz opts…]: $J concviz JSON, $S the program's stats
run_py() {
	local name=$1; shift
	local args=() copts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	copts=("$@")
	run_json "py-$name" "${copts[@]}" -- "$PYTHON" "$PY/$name.py" "${args[@]}" && no_drops
}

# st FILTER: the program's stats; tj FILTER: concviz's thread $(st .tid)
st() { jq -r "$1" "$S"; }
tj() { jq -r --argjson t "$(st .tid)" ".threads[] | select(.tid == \$t) | $1" "$J"; }
# pj PID FILTER: concviz's process record
pj() { jq -r --argjson p "$1" "[.processes[] | select(.pid == \$p)] | last | $2" "$J"; }

eq() {
	[ "$2" = "$3" ] || { echo "$1: program $2, concviz $3"; return 1; }
}

@test "procs: children's exit codes 10, 11, 12 and a SIGKILL appear in processes[] and the report" {
	run_py exit_codes
	local n i pid
	n=$(st '.children | length')
	[ "$n" -eq 4 ]
	for i in $(seq 0 $((n - 1))); do
		pid=$(st ".children[$i].pid")
		eq "child $pid exit_code" "$(st ".children[$i].exit_code")" "$(pj "$pid" .exit_code)"
		eq "child $pid exit_signal" "$(st ".children[$i].signal")" "$(pj "$pid" .exit_signal)"
		eq "child $pid ppid" "$(st .pid)" "$(pj "$pid" .ppid)"
		[ "$(pj "$pid" .end_ns)" -gt "$(pj "$pid" .start_ns)" ]
	done
	# the target itself: a process of its own, exit code 0, not short-lived
	eq "target exit_code" 0 "$(pj "$(st .pid)" .exit_code)"
	eq "target short_lived" false "$(pj "$(st .pid)" .short_lived)"
	# every thread belongs to a listed process, and thread counts add up
	[ "$(jq '[.threads[].pid] | unique | length' "$J")" -eq "$(jq '[.processes[].pid] | unique | length' "$J")" ]
	[ "$(jq '[.processes[].threads] | add' "$J")" -eq "$(jq '.threads | length' "$J")" ]
	# the text report names the codes, whether the children fold or not
	"$CONCVIZ" run --report -- "$PYTHON" "$PY/exit_codes.py" > "$BATS_TEST_TMPDIR/r.txt" 2> /dev/null
	grep -E "^PROCESS [0-9]+ \(exit_codes.py|^PROCESS [0-9]+ \(python3" "$BATS_TEST_TMPDIR/r.txt"
	for c in 10 11 12; do
		grep -Eq "exited with status $c |exit ([0-9, ]+, )?$c[,)]" "$BATS_TEST_TMPDIR/r.txt" ||
			{ cat "$BATS_TEST_TMPDIR/r.txt"; echo "no exit $c"; return 1; }
	done
	grep -Eq "killed by SIGKILL|SIGKILL\)" "$BATS_TEST_TMPDIR/r.txt"
}

@test "procs: short-lived shell helpers fold into one line; --all-processes lists them; JSON has them all" {
	local sh="$BATS_TEST_TMPDIR/wrap.sh"
	printf '#!/bin/sh\nfor i in 1 2 3 4 5 6; do readlink -f / > /dev/null; basename /a/b > /dev/null; done\nsleep 0.3\n' > "$sh"
	chmod +x "$sh"
	"$CONCVIZ" run --json -- "$sh" > "$BATS_TEST_TMPDIR/w.json" 2> /dev/null
	local shorts
	shorts=$(jq '[.processes[] | select(.short_lived)] | length' "$BATS_TEST_TMPDIR/w.json")
	[ "$(jq '[.processes[] | select(.command == "readlink")] | length' "$BATS_TEST_TMPDIR/w.json")" -eq 6 ]
	[ "$shorts" -ge 12 ]
	jq -e '[.processes[] | select(.command == "readlink" or .command == "basename")] | all(.short_lived)' "$BATS_TEST_TMPDIR/w.json"
	jq -e '[.processes[] | select(.command == "sleep")] | all(.short_lived | not)' "$BATS_TEST_TMPDIR/w.json"
	"$CONCVIZ" run --report -- "$sh" > "$BATS_TEST_TMPDIR/w.txt" 2> /dev/null
	grep -E "^[0-9]+ short-lived processes .*readlink x6, basename x6" "$BATS_TEST_TMPDIR/w.txt"
	! grep -q "^PROCESS [0-9]* (readlink)" "$BATS_TEST_TMPDIR/w.txt"
	grep -q "^PROCESS [0-9]* (sleep)" "$BATS_TEST_TMPDIR/w.txt"
	"$CONCVIZ" run --report --all-processes -- "$sh" > "$BATS_TEST_TMPDIR/a.txt" 2> /dev/null
	[ "$(grep -c "^PROCESS [0-9]* (readlink)" "$BATS_TEST_TMPDIR/a.txt")" -eq 6 ]
	! grep -q "short-lived processes" "$BATS_TEST_TMPDIR/a.txt"
}

@test "procs: a recording's report has the live processes[]" {
	local rec="$BATS_TEST_TMPDIR/p.cvz"
	run_py exit_codes -- -o "$rec"
	"$CONCVIZ" report --json "$rec" > "$BATS_TEST_TMPDIR/replay.json"
	diff <(jq -S .processes "$J") <(jq -S .processes "$BATS_TEST_TMPDIR/replay.json")
	[ "$(jq '.processes | length' "$J")" -ge 5 ]
}

@test "python: os.read on a pipe from a forked child: the parent's reads and bytes, kind pipe" {
	run_py pipe_child 40
	eq "pipe reads" "$(st .reads)" "$(tj .recv.by_kind.pipe.calls)"
	eq "pipe bytes" "$(st .bytes)" "$(tj .recv.by_kind.pipe.bytes)"
	eq "all receives" "$(st .reads)" "$(tj .recv.calls)"
	eq "child's parent" "$(st .pid)" "$(pj "$(st .child)" .ppid)"
	# the parent waits for its child's writes: wait_data, not sleep
	[ "$(tj .recv.blocked_calls)" -ge 10 ]
	[ "$(tj .time_ns.wait_data)" -gt "$(tj .time_ns.sleep)" ]
}

@test "python: a MSG_WAITALL receive that copies, then blocks, is copy_data; the next one, blocked before data, is wait_data" {
	run_py waitall
	eq recv.calls "$(st .recv_calls)" "$(tj .recv.calls)"
	eq recv.bytes "$(st .recv_bytes)" "$(tj .recv.bytes)"
	eq recv.blocked_calls 2 "$(tj .recv.blocked_calls)"
	local pause copy fdwait
	pause=$(st .pause_ns)
	copy=$(tj .time_ns.copy_data)
	# the connection's wait for data: from the block to the first copy, so
	# only the second receive's (the first one copied before it blocked)
	fdwait=$(tj "[.recv.by_fd[] | select(.fd == $(st .fd) and .calls > 0)][0].wait_ns")
	echo "pause $pause, copy_data $copy, by_fd wait_ns $fdwait"
	# each pause is one phase: the first receive's copy (it blocked after
	# copying half), the second's wait.  Below: the pause less 50 ms for the
	# sender's scheduling; above: less than both pauses, which a copy time
	# kept from the first call (or one lost before the block) would make
	[ "$copy" -ge $((pause - 50000000)) ] && [ "$copy" -lt $((2 * pause)) ]
	[ "$fdwait" -ge $((pause - 50000000)) ] && [ "$fdwait" -lt $((2 * pause)) ]
}

@test "python: multiprocessing.Queue get() reads the pipe: reads and bytes equal the pickles'" {
	run_py mp_queue 30
	eq "queue reads" "$(st .reads)" "$(tj .recv.by_kind.pipe.calls)"
	eq "queue bytes" "$(st .bytes)" "$(tj .recv.by_kind.pipe.bytes)"
	eq "producer exit" "$(st .producer_exit)" "$(pj "$(st .producer)" .exit_code)"
	eq "producer's parent" "$(st .pid)" "$(pj "$(st .producer)" .ppid)"
	[ "$(tj .time_ns.wait_data)" -gt 0 ]
}

@test "python: a selectors (epoll) and a select.select server: mux calls, ready, accepts, receives" {
	local api key
	for api in selectors select; do
		run_py select_server $api 5 20
		key=epoll
		[ $api = select ] && key=select
		eq "$api mux calls" "$(st .mux_calls)" "$(tj .mux.by_api.$key.calls)"
		eq "$api mux ready" "$(st .mux_ready)" "$(tj .mux.by_api.$key.ready)"
		eq "$api accepts" "$(st .accepts)" "$(tj .accept.calls)"
		eq "$api recv calls" "$(st .recv_calls)" "$(tj .recv.calls)"
		eq "$api recv bytes" "$(st .recv_bytes)" "$(tj .recv.bytes)"
		eq "$api clients" 6 "$(tj .accept.calls)"   # 5 TCP, 1 UNIX
	done
}

@test "procs TUI: p folds a process's threads into one row and back; helpers behind one line, a shows them" {
	command -v tmux > /dev/null || skip "tmux missing"
	local sh="$BATS_TEST_TMPDIR/wrap.sh"
	# helpers first, then the procs example's 6 threads in one process
	printf '#!/bin/sh\nfor i in 1 2 3; do readlink -f / > /dev/null; done\nexec "%s" --seconds 8 --mode threads\n' \
		"$EX/procs" > "$sh"
	chmod +x "$sh"
	start "'$CONCVIZ' run -- '$sh'"
	wait_for "worker-4" 15
	wait_for "short-lived processes hidden" 5
	shot helpers-hidden
	[[ "$SCREEN" == *"3 short-lived processes hidden"*"readlink"*"(a shows them)"* ]]
	[ "$(grep -Ec '^ +[0-9]+ readlink' <<<"$SCREEN")" -eq 0 ]
	[[ "$SCREEN" == *"p Fold proc"* ]]
	tmux send-keys -t "$SESSION" a
	sleep 1
	shot helpers-shown
	[ "$(grep -Ec '^ +[0-9]+ readlink' <<<"$SCREEN")" -eq 3 ]
	[[ "$SCREEN" != *"short-lived processes hidden"* ]]
	tmux send-keys -t "$SESSION" a
	sleep 0.5
	# the first row is the procs process's main thread: fold it
	tmux send-keys -t "$SESSION" Home p
	wait_for "+5 thr" 5
	shot folded
	[[ "$SCREEN" != *"worker-2"* ]]
	tmux send-keys -t "$SESSION" p
	wait_for "worker-2" 5
	shot unfolded
	[[ "$SCREEN" != *"+5 thr"* ]]
	# the help screen lists both keys
	tmux send-keys -t "$SESSION" h
	wait_for "Legend" 5
	# the key list ends the help: page to the end (the page clamps there)
	tmux send-keys -t "$SESSION" NPage NPage NPage NPage
	wait_for "fold the selected thread's process" 5
	[[ "$(screen)" == *"Keys (live)"* ]]
	shot help
	[[ "$SCREEN" == *"short-lived helper processes"* ]]
	quit_clean
}

# ---- per descriptor ------------------------------------------------------------

# check_by_fd API: every connection the Python server counted is one by_fd
# entry of its thread with the same kind, description (TCP peer port, UNIX
# path, unnamed socketpair, the pipe it only watched), receive calls and
# bytes and times returned ready by the multiplexer (epoll's: all of them
# with selectors, none with select.select); both listeners' accepts and
# times returned ready
check_by_fd() {
	local ep=0
	[ "$1" = selectors ] && ep=1
	local f="[.threads[] | select(.tid == $(st .tid)) | .recv.by_fd[]]"
	jq -n --slurpfile cv "$J" --slurpfile ex "$S" --argjson ep $ep -r '
	  $ex[0] as $e | [$cv[0].threads[] | select(.tid == $e.tid) | .recv.by_fd[]] as $fds
	  | ($e.conns[] as $c
	     | ($fds | map(select(.kind == $c.kind and .calls == $c.recvs and .bytes == $c.bytes
	                   and .mux_ready == $c.ready and .mux_ready_epoll == $c.ready * $ep
	                   and (if $c.what == "client" then (.desc | endswith(":\($c.peer_port)"))
	                        elif $c.what == "unix-client" then .desc == $c.path
	                        elif $c.what == "note" then .desc == "pipe"
	                        else .desc == "unnamed" end)))) as $hit
	     | if ($hit | length) == 1 then empty
	       else "no by_fd entry for \($c | tojson) (matches: \($hit | length))" end),
	    (if ($fds | map(select(.desc == "listening on 127.0.0.1:\($e.port)" and .accepts == $e.clients
	                           and .mux_ready == $e.tcp_listener_ready))
	         | length) == 1 then empty else "TCP listener with \($e.clients) accepts missing" end),
	    (if ($fds | map(select(.kind == "unix" and .desc == $e.unix_path and .accepts == 1
	                           and .mux_ready == $e.unix_listener_ready)) | length) == 1
	     then empty else "UNIX listener missing" end),
	    (if ($fds | map(.mux_ready) | add) == $e.mux_ready then empty
	     else "the by_fd mux_ready do not sum to the \($e.mux_ready) the server counted" end)
	' > "$BATS_TEST_TMPDIR/byfd.txt"
	jq -c "$f | .[] | {fd, kind, desc, calls, bytes, accepts, mux_ready, mux_ready_epoll}" "$J"
	jq -c '{conns, tcp_listener_ready, unix_listener_ready, mux_ready}' "$S"
	[ ! -s "$BATS_TEST_TMPDIR/byfd.txt" ] || { cat "$BATS_TEST_TMPDIR/byfd.txt"; return 1; }
}

@test "by fd: a server's TCP clients (by peer), its UNIX client, its internal socketpair and a watched pipe apart, counts and readiness exact" {
	run_py select_server selectors 4 20
	[ "$(st '.conns | length')" -eq 7 ]
	check_by_fd selectors
}

@test "by fd: short-lived connections (one message, then close) are described too, select.select" {
	run_py select_server select 8 1
	eq "accepts" 9 "$(tj .accept.calls)"
	check_by_fd select
}

@test "by fd: a recording's report has the live by_fd, descriptions included" {
	local rec="$BATS_TEST_TMPDIR/fd.cvz"
	run_py select_server selectors 3 5 -- -o "$rec"
	"$CONCVIZ" report --json "$rec" > "$BATS_TEST_TMPDIR/replay.json"
	local q='[.threads[] | {tid, by_fd: .recv.by_fd}]'
	diff <(jq -S "$q" "$J") <(jq -S "$q" "$BATS_TEST_TMPDIR/replay.json")
	"$CONCVIZ" report "$rec" > "$BATS_TEST_TMPDIR/r.txt"
	grep -q "^RECEIVES BY DESCRIPTOR" "$BATS_TEST_TMPDIR/r.txt"
	grep -Eq " tcp +[0-9]+ .* 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:[0-9]+$" "$BATS_TEST_TMPDIR/r.txt"
	grep -Eq " unix .* unnamed$" "$BATS_TEST_TMPDIR/r.txt"
}

@test "mux by fd: more ready than one event lists (17 of 40; 17 of 300, past the 256 scanned): the rest counted as unlisted, none lost" {
	local n api listed
	for n in 40 300; do
		run_py many_ready $n 5
		for api in select poll epoll; do
			eq "$n $api calls" "$(st .apis.$api.calls)" "$(tj .mux.by_api.$api.calls)"
			eq "$n $api ready" "$(st .apis.$api.ready)" "$(tj .mux.by_api.$api.ready)"
		done
		# each call lists 17 of the pipes and counts the others
		listed=$(jq -r --argjson t "$(st .tid)" --argjson fds "$(jq -c .fds "$S")" \
			'.threads[] | select(.tid == $t) | [.recv.by_fd[] | select(.fd as $f | any($fds[]; . == $f)) | .mux_ready] | add' "$J")
		eq "$n listed" $((3 * 5 * 17)) "$listed"
		eq "$n unlisted" $((3 * 5 * (n - 17))) "$(tj .mux.ready_unlisted)"
		eq "$n listed are pipes" 0 "$(tj '[.recv.by_fd[] | select(.mux_ready > 0 and .kind != "pipe")] | length')"
	done
}

@test "python under strace: receives that cannot block (MSG_DONTWAIT, data there) are not blocked: a tracer's stop at the syscall is no wait" {
	command -v strace > /dev/null || skip "strace missing: make deps"
	run_json nb-strace -- strace -f -qq -o /dev/null "$PYTHON" "$PY/nb_recv.py" 200
	no_drops
	eq "recv calls" "$(st .recv_calls)" "$(tj .recv.calls)"
	eq "recv eagain" "$(st .recv_eagain)" "$(tj .recv.eagain)"
	eq "recv bytes" "$(st .recv_bytes)" "$(tj .recv.bytes)"
	eq "blocked calls" 0 "$(tj .recv.blocked_calls)"
	eq "wait for data" 0 "$(tj .time_ns.wait_data)"
}

@test "procs TUI: a folded process's row adds up its threads (switches, switches/s), as htop's process rows do" {
	command -v tmux > /dev/null || skip "tmux missing"
	local f="$BATS_TEST_TMPDIR/threads.cvz"
	"$CONCVIZ" run --json -o "$f" procs --seconds 2 --mode threads > /dev/null 2>&1
	start "'$CONCVIZ' replay '$f'"
	wait_for "worker-4" 10
	tmux send-keys -t "$SESSION" End
	sleep 0.6
	shot unfolded-end
	# TID NAME STATE(2 words) vol/inv rate cpu: the thread rows, summed
	local want got
	want=$(awk '$1 ~ /^[0-9]+$/ && $5 ~ /^[0-9]+\/[0-9]+$/ { split($5, c, "/"); v += c[1]; i += c[2]; r += $6; n++ }
		END { printf "%d/%d %d %d", v, i, r, n }' <<< "$SCREEN")
	[ "${want##* }" = 6 ] || { echo "rows: $want"; echo "$SCREEN"; return 1; }
	tmux send-keys -t "$SESSION" p
	wait_for "+5 thr" 5
	shot folded-end
	got=$(awk '$3 == "+5" { printf "%s %s", $7, $8 }' <<< "$SCREEN")
	set -- $want
	local csw=$1 rate=$2
	set -- $got
	# switches exactly; switches/s within the rounding of its 6 rows
	[ "$1" = "$csw" ] && [ $(($2 - rate)) -le 3 ] && [ $((rate - $2)) -le 3 ] ||
		{ echo "folded row: $got, its threads: $want"; echo "$SCREEN"; return 1; }
	quit_clean
}
