#!/usr/bin/env bats
# record.bats — record / replay / report / export acceptance tests.
# Every test asserts on content: a recording's report equals the live report of
# the same run, the export agrees with the report, bad files fail with one line.
# Replay screens are saved under build/test-output/replay/.

load helpers
load tmux

SESSION="concviz-rec-bats-$$"

setup_file() {
	# a world-traversable place: non-root users read recordings from here,
	# with a copy of concviz they can run wherever the clone is
	PUB=$(public_dir concviz-rec-bats)
	export PUB
	public_copy "$PUB/bin"
	export PUBLIC_CONCVIZ
}

teardown_file() {
	[ -n "${PUB:-}" ] && rm -rf -- "$PUB"
}

setup() {
	[ "$(id -u)" = 0 ] || skip "recording needs root"
	command -v jq > /dev/null || skip "jq missing"
	SHOTS="$OUT_DIR/replay"
	mkdir -p "$SHOTS"
	BG_PIDS=()
}

teardown() {
	tmux kill-session -t "$SESSION" 2> /dev/null || true
	local p
	for p in "${BG_PIDS[@]}"; do   # only pids this test started and has not reaped
		kill -KILL "$p" 2> /dev/null || true
	done
}

# rec NAME [example args]: record NAME for 1 s once per file run, live JSON
# in $PUB/NAME.live.json, recording in $PUB/NAME.cvr
rec() {
	local name=$1; shift
	R="$PUB/$name.cvr"
	L="$PUB/$name.live.json"
	[ -s "$R" ] && [ -s "$L" ] && return 0
	rm -f "$R" "$L"
	timeout 30 "$CONCVIZ" run --json -o "$R" "$name" --seconds 1 "$@" > "$L" 2> "$PUB/$name.stderr" || {
		echo "concviz run -o $R $name exited $?"; cat "$PUB/$name.stderr"; return 1; }
	chmod 644 "$R"
	cp "$L" "$OUT_DIR/record-$name.live.json"
}

# try CMD...: run with a timeout; $rc, stdout in $OUTF, stderr in $ERRF
try() {
	OUTF="$BATS_TEST_TMPDIR/try.out"
	ERRF="$BATS_TEST_TMPDIR/try.err"
	rc=0
	timeout 20 "$@" > "$OUTF" 2> "$ERRF" || rc=$?
}

# one_line_error WHAT: exit exactly 1 (not a crash, not a hang), exactly one
# stderr line, starting "concviz: ", containing WHAT
one_line_error() {
	local lines
	lines=$(wc -l < "$ERRF")
	if [ "$rc" != 1 ] || [ "$lines" != 1 ] || ! grep -q '^concviz: ' "$ERRF" ||
	   ! grep -qF -- "$1" "$ERRF"; then
		echo "wanted exit 1 and one line with '$1'; got exit $rc, $lines lines:"
		cat "$ERRF"
		return 1
	fi
}

# le32 FILE OFFSET
le32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

strip_rec() { jq -S 'del(.bytes_per_event, .file_bytes)' "$1"; }

@test "record: report --json of the recording equals the live --json (blocking, locks, iouring, deadlock)" {
	for ex in blocking locks iouring deadlock; do
		rec "$ex"
		try "$CONCVIZ" report --json "$R"
		[ "$rc" = 0 ] || { echo "report $ex exited $rc"; cat "$ERRF"; return 1; }
		cp "$OUTF" "$OUT_DIR/record-$ex.report.json"
		jq -e . "$OUTF" > /dev/null
		if ! diff <(strip_rec "$L") <(strip_rec "$OUTF"); then
			echo "$ex: report of the recording differs from the live run"; return 1
		fi
		# the recording-only keys are there and true to the file
		[ "$(jq .file_bytes "$OUTF")" = "$(stat -c %s "$R")" ]
		jq -e '.bytes_per_event > 0' "$OUTF" > /dev/null
		# and the live run was a real one
		jq -e '.events > 0 and (.threads | length) >= 2 and .dropped_events == 0
			and .target.exit_code != null and .duration_ns > 500000000' "$L" > /dev/null ||
			{ echo "$ex: thin live run"; jq -c '{events, dropped_events, target, duration_ns}' "$L"; return 1; }
	done
	# content that matters per example survived the round trip
	jq -e '[.locks[] | select(.name == "counter_lock" and .waits > 0)] | length == 1' "$PUB/locks.live.json" > /dev/null
	jq -e '(.deadlocks | length) >= 1 and (.deadlocks[0].threads | length) >= 2' "$PUB/deadlock.live.json" > /dev/null
	jq -e '[.threads[].uring.completed] | add > 0' "$PUB/iouring.live.json" > /dev/null
	jq -e '[.threads[].recv.calls] | add > 0' "$PUB/blocking.live.json" > /dev/null
}

@test "record: text report shows bytes per event, at most 32 on switch-heavy runs" {
	rec locks
	rec nonblocking --poll-interval-us 100
	for ex in locks nonblocking; do
		R="$PUB/$ex.cvr"
		try "$CONCVIZ" report "$R"
		[ "$rc" = 0 ]
		cp "$OUTF" "$OUT_DIR/record-$ex.report.txt"
		line=$(grep -E 'recording [0-9.]+[KMG]? bytes, [0-9.]+ bytes per event' "$OUTF") ||
			{ echo "no bytes-per-event line"; cat "$OUTF"; return 1; }
		txt=$(sed -E 's/.* ([0-9.]+) bytes per event.*/\1/' <<< "$line")
		try "$CONCVIZ" report --json "$R"
		[ "$rc" = 0 ]
		bpe=$(jq .bytes_per_event "$OUTF")
		ev=$(jq .events "$OUTF")
		echo "$ex: $ev events, text $txt, json $bpe bytes/event"
		# text and JSON agree (text rounds to 0.1), the file is what it says
		awk -v a="$txt" -v b="$bpe" 'BEGIN { d = a - b; exit !(d < 0.051 && d > -0.051) }'
		awk -v b="$bpe" -v s="$(stat -c %s "$R")" -v n="$ev" \
			'BEGIN { d = s / n - b; exit !(n > 1000 && d < 0.01 && d > -0.01) }'
		awk -v b="$bpe" 'BEGIN { exit !(b > 0 && b <= 32) }' ||
			{ echo "$ex: $bpe bytes per event, budget 32"; return 1; }
	done
}

@test "record: chrome export is valid, names threads, one receive slice per receive, unique flows, no clobbering" {
	rec nonblocking --poll-interval-us 100
	rec blocking
	for ex in blocking nonblocking; do
		R="$PUB/$ex.cvr"
		O="$BATS_TEST_TMPDIR/$ex.trace.json"
		try "$CONCVIZ" export --format chrome -o "$O" "$R"
		[ "$rc" = 0 ] || { cat "$ERRF"; return 1; }
		[ ! -s "$ERRF" ]
		cp "$O" "$OUT_DIR/record-$ex.trace.json"
		jq -e . "$O" > /dev/null
		"$CONCVIZ" report --json "$R" > "$BATS_TEST_TMPDIR/rep.json"
		# a thread_name for every thread of the report, with its comm
		m=$(jq -n -r --slurpfile t "$O" --slurpfile r "$BATS_TEST_TMPDIR/rep.json" '
			($t[0].traceEvents | map(select(.ph == "M" and .name == "thread_name"))
				| map({key: (.tid | tostring), value: .args.name}) | from_entries) as $names
			| $r[0].threads[] | select($names[.tid | tostring] != .comm)
			| "thread \(.tid) \(.comm): named \($names[.tid | tostring])"')
		[ -z "$m" ] || { echo "$m"; return 1; }
		jq -e '[.traceEvents[] | select(.ph == "X")] | length > 100' "$O" > /dev/null
		# receive slices == receive calls, per thread and in total
		m=$(jq -n -r --slurpfile t "$O" --slurpfile r "$BATS_TEST_TMPDIR/rep.json" '
			($t[0].traceEvents | map(select(.ph == "X" and (.name == "recvfrom" or .name == "recvmsg")))
				| group_by(.tid) | map({key: (.[0].tid | tostring), value: length}) | from_entries) as $n
			| $r[0].threads[] | select(($n[.tid | tostring] // 0) != .recv.calls)
			| "thread \(.tid): \($n[.tid | tostring] // 0) receive slices, \(.recv.calls) recv calls"')
		[ -z "$m" ] || { echo "$m"; return 1; }
		total=$(jq '[.threads[].recv.calls] | add' "$BATS_TEST_TMPDIR/rep.json")
		slices=$(jq '[.traceEvents[] | select(.ph == "X" and (.name == "recvfrom" or .name == "recvmsg"))] | length' "$O")
		echo "$ex: $slices receive slices, $total recv calls"
		[ "$slices" = "$total" ] && [ "$total" -gt 0 ]
		# flows: ids unique per phase, every start has its finish
		# (blocking: the client wakes the server per message; the polling
		# nonblocking server is never woken by another thread)
		min=0; [ "$ex" = blocking ] && min=10
		jq -e --argjson min "$min" '[.traceEvents[] | select(.ph == "s") | .id] as $s
			| [.traceEvents[] | select(.ph == "f") | .id] as $f
			| ($s | length) >= $min and ($s | unique | length) == ($s | length)
			  and ($f | unique | length) == ($f | length) and ($s | sort) == ($f | sort)' "$O" > /dev/null ||
			{ echo "$ex: flow ids not unique or unpaired"; return 1; }
	done

	# no clobbering without --force; --force replaces
	O="$BATS_TEST_TMPDIR/blocking.trace.json"
	echo keep > "$O"
	try "$CONCVIZ" export --format chrome -o "$O" "$PUB/blocking.cvr"
	one_line_error "--force"
	[ "$(cat "$O")" = keep ]
	try "$CONCVIZ" export --format chrome --force -o "$O" "$PUB/blocking.cvr"
	[ "$rc" = 0 ]
	jq -e '.traceEvents | length > 100' "$O" > /dev/null
	# never over the input recording, not even with --force
	O="$BATS_TEST_TMPDIR/self.cvr"
	cp "$PUB/blocking.cvr" "$O"
	try "$CONCVIZ" export --format chrome --force -o "$O" "$O"
	one_line_error "overwrite the input"
	cmp "$PUB/blocking.cvr" "$O"
}

@test "record: bad files give one line and exit 1 for report, export and replay" {
	rec blocking
	local good="$PUB/blocking.cvr" d="$BATS_TEST_TMPDIR/bad"
	mkdir -p "$d"
	local H P size
	H=$(le32 "$good" 12)
	P=$(le32 "$good" "$H")
	size=$(stat -c %s "$good")
	echo "header $H bytes, first block payload $P bytes, file $size bytes"
	[ "$H" -ge 52 ] && [ "$P" -gt 16 ] && [ "$size" -gt $((H + 12 + P + 100)) ]

	cp "$good" "$d/magic"; printf 'XVZ' | dd of="$d/magic" conv=notrunc status=none
	cp "$good" "$d/newer"; printf '\x07\x00' | dd of="$d/newer" bs=1 seek=8 conv=notrunc status=none
	head -c $((H / 2)) "$good" > "$d/short-header"
	head -c $((H + 12 + P / 2)) "$good" > "$d/cut-first-block"
	cp "$good" "$d/flipped"
	b=$(od -An -tu1 -j $((H + 12 + 3)) -N1 "$good" | tr -d ' ')
	printf "\\x$(printf %02x $(((b ^ 0x5a) & 255)))" | dd of="$d/flipped" bs=1 seek=$((H + 12 + 3)) conv=notrunc status=none
	! cmp -s "$good" "$d/flipped"
	head -c 4096 /dev/urandom > "$d/garbage"
	{ printf 'CVZREC\0\1\1\0\0\0'; head -c 4096 /dev/urandom; } > "$d/magic-then-garbage"
	: > "$d/empty"
	mkdir "$d/dir"

	# file: what the one line must say
	local -A want=(
		[magic]="not a concviz recording"
		[newer]="newer concviz"
		[short-header]="truncated header"
		[cut-first-block]="truncated at offset $H"
		[flipped]="corrupt data at offset $H"
		[garbage]="not a concviz recording"
		[magic-then-garbage]="header"
		[empty]="empty file"
		[nonexistent]="No such file"
		[dir]="is a directory"
	)
	for f in "${!want[@]}"; do
		echo "--- $f"
		try "$CONCVIZ" report "$d/$f"
		one_line_error "${want[$f]}"
		grep -qF "$d/$f" "$ERRF"  # names the file
		[ ! -s "$OUTF" ]
		try "$CONCVIZ" report --json "$d/$f"
		one_line_error "${want[$f]}"
		rm -f "$d/out.json"
		try "$CONCVIZ" export --format chrome -o "$d/out.json" "$d/$f"
		one_line_error "${want[$f]}"
		case $f in
		cut-first-block|flipped) jq -e '.traceEvents' "$d/out.json" > /dev/null ;; # readable prefix (none)
		*) [ ! -e "$d/out.json" ] ;;                                                 # nothing written
		esac
		# no terminal here: still the file's error, before any curses
		try "$CONCVIZ" replay "$d/$f" < /dev/null
		one_line_error "${want[$f]}"
	done

	# cut inside a later block: report/export say truncated (export keeps the
	# readable prefix as valid JSON)
	head -c $((size - 5)) "$good" > "$d/cut-late"
	try "$CONCVIZ" report "$d/cut-late"
	one_line_error "truncated at offset"
	grep -q "reported the readable part: [1-9][0-9]* events" "$ERRF"
	# the report of what it holds, and that it is only part
	grep -q "^concviz report: " "$OUTF"
	grep -q "^ONLY PART OF THE RECORDING, up to where it ends: .*truncated at offset" "$OUTF"
	try "$CONCVIZ" report --json "$d/cut-late"
	one_line_error "truncated at offset"
	jq -e '(.read_error | test("truncated at offset")) and .events > 10' "$OUTF" > /dev/null
	try "$CONCVIZ" export --format chrome -o "$d/late.json" "$d/cut-late"
	one_line_error "truncated at offset"
	jq -e '[.traceEvents[] | select(.ph == "X")] | length > 10' "$d/late.json" > /dev/null

	# a good file without a terminal: replay says it needs one, never hangs
	try "$CONCVIZ" replay "$good" < /dev/null
	one_line_error "terminal"
}

@test "record: a run that never started leaves no recording (a command that cannot run, a process gone)" {
	local f="$BATS_TEST_TMPDIR/ne.cvz"
	try "$CONCVIZ" run --json -o "$f" -- /nonexistent/cmd
	one_line_error "cannot run '/nonexistent/cmd'"
	[ ! -e "$f" ]
	sleep 0.05 &
	local gone=$!
	wait "$gone"
	try "$CONCVIZ" attach --json -o "$f" "$gone"
	[ "$rc" = 1 ]
	[ "$(grep -c '^concviz: ' "$ERRF")" = 1 ] || { cat "$ERRF"; return 1; }
	[ ! -e "$f" ]
	# what -o names is removed only if it is a file of this run: never a
	# device (as root, -o /dev/null would be gone)
	local dev="$BATS_TEST_TMPDIR/null"
	mknod "$dev" c 1 3
	try "$CONCVIZ" run --json --force -o "$dev" -- /nonexistent/cmd
	one_line_error "cannot run '/nonexistent/cmd'"
	[ -c "$dev" ]
}

@test "record: -o refuses to clobber, --force overwrites, unwritable output fails first, sudo user owns the file, non-root can read it" {
	rec blocking
	local f="$BATS_TEST_TMPDIR/existing.cvr" marker="$BATS_TEST_TMPDIR/target-ran"
	echo "precious" > "$f"
	try "$CONCVIZ" run --json -o "$f" -- touch "$marker"
	one_line_error "--force"
	[ "$(cat "$f")" = precious ]
	[ ! -e "$marker" ]
	[ ! -s "$OUTF" ]

	try "$CONCVIZ" run --json --force -o "$f" blocking --seconds 1
	[ "$rc" = 0 ] || { cat "$ERRF"; return 1; }
	try "$CONCVIZ" report --json "$f"
	[ "$rc" = 0 ]
	jq -e '.events > 0 and .target.exit_code == 0' "$OUTF" > /dev/null

	for bad in /proc/nonexistent/x /sys/concviz-bats.cvr "$BATS_TEST_TMPDIR/no/such/dir/x.cvr"; do
		try "$CONCVIZ" run --json -o "$bad" -- touch "$marker"
		one_line_error "$bad"
		[ ! -e "$marker" ]   # the target never ran
		[ ! -s "$OUTF" ]
	done

	# under sudo the recording belongs to the invoking user
	local s="$PUB/sudo.cvr"
	rm -f "$s"
	SUDO_UID=65534 SUDO_GID=65534 timeout 30 "$CONCVIZ" run --json -o "$s" blocking --seconds 1 > /dev/null 2>&1
	[ "$(stat -c %u:%g "$s")" = 65534:65534 ]

	# report / export / replay as a plain user
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	local w="$PUB/nobody-out"
	mkdir -p "$w"; chown 65534:65534 "$w"
	try "${nobody[@]}" "$PUBLIC_CONCVIZ" report --json "$PUB/blocking.cvr"
	[ "$rc" = 0 ] || { cat "$ERRF"; return 1; }
	diff <(strip_rec "$PUB/blocking.live.json") <(strip_rec "$OUTF")
	try "${nobody[@]}" "$PUBLIC_CONCVIZ" report "$s"
	[ "$rc" = 0 ] && grep -q 'bytes per event' "$OUTF"
	try "${nobody[@]}" "$PUBLIC_CONCVIZ" export --format chrome -o "$w/t.json" "$PUB/blocking.cvr"
	[ "$rc" = 0 ] || { cat "$ERRF"; return 1; }
	jq -e '.traceEvents | length > 100' "$w/t.json" > /dev/null
	[ "$(stat -c %u "$w/t.json")" = 65534 ]
	# replay as nobody gets as far as wanting a terminal (the TUI part is in
	# the tmux test below)
	try "${nobody[@]}" "$PUBLIC_CONCVIZ" replay "$PUB/blocking.cvr" < /dev/null
	one_line_error "terminal"
}

@test "record: a disk that fills during the run stops it with one line; the file reads up to its last whole block" {
	# the blocks are written by the recorder's own thread: its failure must
	# still reach the session, once, as the error it was
	local d="$BATS_TEST_TMPDIR/tiny"
	mkdir -p "$d"
	mount -t tmpfs -o size=32k tmpfs "$d" || skip "cannot mount a tmpfs here"
	# locks writes ~350 KB in 2 s (under a loaded machine a quarter of that)
	try "$CONCVIZ" run --json -o "$d/full.cvz" locks --seconds 2
	local st=0
	# one line of concviz's among the example's own
	if [ "$rc" != 1 ] || [ "$(grep -c '^concviz: ' "$ERRF")" != 1 ] ||
	   ! grep -qF "concviz: recording to $d/full.cvz failed: cannot write recording $d/full.cvz: No space left on device" "$ERRF"; then
		echo "wanted exit 1 and one concviz line about the full disk; got exit $rc:"
		cat "$ERRF"
		st=1
	fi
	# the run's own summary is whole: only the file is short
	if [ "$st" = 0 ] && ! jq -e '.events > 100 and .dropped_events == 0' "$OUTF" > /dev/null; then
		echo "no whole summary on stdout:"; head -c 600 "$OUTF"; st=1
	fi
	# what was written is a recording: the header and whole blocks, maybe a cut one
	if [ "$st" = 0 ]; then
		try "$CONCVIZ" report --json "$d/full.cvz"
		[ "$rc" = 0 ] || grep -q truncated "$ERRF" || { cat "$ERRF"; st=1; }
	fi
	umount "$d"
	return "$st"
}

@test "record: Ctrl-C ends a recording cleanly; SIGKILL leaves a readable or 'truncated' file" {
	local f="$BATS_TEST_TMPDIR/int.cvr"
	"$CONCVIZ" run --json -o "$f" blocking --seconds 30 > "$BATS_TEST_TMPDIR/int.json" 2> "$BATS_TEST_TMPDIR/int.err" 3>&- &
	local pid=$!
	BG_PIDS+=("$pid")
	sleep 1.2
	kill -INT "$pid"
	local t0=$SECONDS rc=0
	wait "$pid" || rc=$?
	BG_PIDS=()   # reaped: never signal that pid again
	echo "concviz exited $rc after SIGINT, in $((SECONDS - t0)) s"
	[ "$rc" = 0 ] || { cat "$BATS_TEST_TMPDIR/int.err"; return 1; }
	try "$CONCVIZ" report --json "$f"
	[ "$rc" = 0 ] || { cat "$ERRF"; return 1; }
	jq -c '{events, dropped_events, target}' "$OUTF"
	jq -e '.events > 0 and .target.exit_code != null and .target.pid > 0' "$OUTF" > /dev/null
	diff <(strip_rec "$BATS_TEST_TMPDIR/int.json") <(strip_rec "$OUTF")

	# SIGKILL: no chance to close the file
	f="$BATS_TEST_TMPDIR/kill.cvr"
	"$CONCVIZ" run --json -o "$f" blocking --seconds 30 > /dev/null 2>&1 3>&- &
	pid=$!
	BG_PIDS+=("$pid")
	local kids="" i
	for i in $(seq 50); do
		kids=$(cat /proc/"$pid"/task/*/children 2> /dev/null | tr -s ' \n' ' ')
		[ -n "${kids// /}" ] && break
		sleep 0.1
	done
	sleep 1
	kids=$(cat /proc/"$pid"/task/*/children 2> /dev/null | tr -s ' \n' ' ')
	echo "concviz $pid, target(s): $kids"
	[ -n "${kids// /}" ]
	BG_PIDS+=($kids)
	kill -KILL "$pid"
	wait "$pid" 2> /dev/null || true
	for i in $kids; do kill -KILL "$i" 2> /dev/null || true; done
	BG_PIDS=()
	try "$CONCVIZ" report --json "$f"
	echo "report after SIGKILL: exit $rc $(cat "$ERRF")"
	if [ "$rc" = 0 ]; then
		jq -e '.events > 0' "$OUTF" > /dev/null
		# the recorded target is the child we saw
		tp=$(jq .target.pid "$OUTF")
		[[ " $kids " == *" $tp "* ]]
	else
		one_line_error "truncated"
	fi
	try "$CONCVIZ" export --format chrome --force -o "$BATS_TEST_TMPDIR/kill.json" "$f"
	[ "$rc" = 0 ] || one_line_error "truncated"
	jq -e . "$BATS_TEST_TMPDIR/kill.json" > /dev/null
	for i in $kids; do   # gone, or a zombie waiting for init
		[ ! -e /proc/"$i" ] || grep -q '^State:.*Z' /proc/"$i"/status
	done
}

# ---- replay in tmux ---------------------------------------------------------

# the header's "replay POS/LEN xSPEED" → POS LEN SPEED in $POS $LEN $SPEED
header() {
	local h
	h=$(screen | head -n 1 | grep -oE 'replay [^ /]+/[^ ]+ x[0-9.]+') || { echo "no position in header"; screen | head -n 1; return 1; }
	read -r POS LEN SPEED <<< "$(sed -E 's/replay ([^/]+)\/([^ ]+) x([0-9.]+)/\1 \2 \3/' <<< "$h")"
}

# ns "1.01s" / "380.2us" / "0ns" (fmt_dur, under a minute) → integer ns
ns() {
	awk -v d="$1" 'BEGIN {
		n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
		m = -1
		if (u == "ns") m = 1; else if (u == "us" || u == "µs") m = 1e3
		else if (u == "ms") m = 1e6; else if (u == "s") m = 1e9
		if (m < 0) { print "bad:" d; exit 1 }
		printf "%.0f\n", n * m }'
}

@test "replay: tmux shows the report's threads, position/length/speed, pause, seek, clean quit" {
	command -v tmux > /dev/null || skip "tmux missing"
	local f="$PUB/locks2.cvr"
	rm -f "$f"
	timeout 30 "$CONCVIZ" run --json -o "$f" locks --seconds 2 > "$BATS_TEST_TMPDIR/l.json" 2> /dev/null
	chmod 644 "$f"
	"$CONCVIZ" report --json "$f" > "$BATS_TEST_TMPDIR/r.json"

	start "'$CONCVIZ' replay '$f'"
	wait_for "worker-1" 10
	sleep 0.5
	shot playing
	for c in $(jq -r '.threads[].comm' "$BATS_TEST_TMPDIR/r.json" | sort -u); do
		[[ "$SCREEN" == *"$c"* ]] || { echo "thread $c of the report not on screen"; return 1; }
	done
	[[ "$SCREEN" == *"locks2.cvr"* ]]
	header
	echo "playing: pos $POS len $LEN speed x$SPEED"
	[ "$SPEED" = 1 ]
	len=$(ns "$LEN")
	dur=$(jq .duration_ns "$BATS_TEST_TMPDIR/r.json")
	# the length is the recording's trace time (within 5 % of the report's duration)
	awk -v a="$len" -v b="$dur" 'BEGIN { exit !(a > 0.95 * b && a < 1.05 * b) }'

	# from the start (Home while playing), it plays: the position moves
	tmux send-keys -t "$SESSION" Home
	sleep 0.6
	header; p0=$(ns "$POS")
	echo "0.6 s after Home: $POS"
	[ "$p0" -gt 0 ] && [ "$p0" -lt "$len" ]

	tmux send-keys -t "$SESSION" ' '
	wait_for "PAUSED" 5
	shot paused
	header; p1=$(ns "$POS")
	sleep 0.6
	header; p2=$(ns "$POS")
	echo "paused at $p1 then $p2 ns"
	[ "$p1" = "$p2" ] && [ "$p1" -ge "$p0" ] && [ "$p1" -lt "$len" ]

	tmux send-keys -t "$SESSION" End
	sleep 0.5
	shot end
	header
	[ "$(ns "$POS")" = "$len" ]
	tmux send-keys -t "$SESSION" Home
	sleep 0.5
	shot home
	header
	[ "$(ns "$POS")" = 0 ]
	tmux send-keys -t "$SESSION" Right
	sleep 0.5
	shot right
	header
	echo "after Right: $POS"
	[ "$(ns "$POS")" -gt 0 ] && [ "$(ns "$POS")" -le "$len" ]
	[[ "$SCREEN" == *"worker-1"* ]]
	r=$(ns "$POS")
	tmux send-keys -t "$SESSION" Left
	sleep 0.5
	header
	[ "$(ns "$POS")" -lt "$r" ]
	tmux send-keys -t "$SESSION" '>'
	sleep 0.4
	header
	[ "$SPEED" = 2 ]
	quit_clean 0
}

@test "replay: at the end a thread's detail says how long it has been in its state" {
	command -v tmux > /dev/null || skip "tmux missing"
	local f="$BATS_TEST_TMPDIR/asleep.cvz"
	sleep 6 &
	local pid=$!
	"$CONCVIZ" attach --json -d 1.5 -o "$f" "$pid" > /dev/null 2>&1
	kill "$pid"
	start "'$CONCVIZ' replay '$f'"
	wait_for "sleep" 10
	tmux send-keys -t "$SESSION" End
	sleep 0.5
	tmux send-keys -t "$SESSION" Enter
	wait_for "state sleep" 5
	shot detail-at-end
	# asleep all the traced 1.5 s (it was asleep before too: seeded)
	grep -Eq 'state sleep +for 1\.[4-6][0-9]*s' <<< "$SCREEN" || { echo "$SCREEN" | grep state; return 1; }
	quit_clean 0
}

@test "replay: a truncated recording replays its prefix, says [truncated], warns after quit; works as non-root" {
	command -v tmux > /dev/null || skip "tmux missing"
	rec locks
	local f="$PUB/locks-cut.cvr"
	head -c $(($(stat -c %s "$PUB/locks.cvr") - 7)) "$PUB/locks.cvr" > "$f"
	chmod 644 "$f"
	start "setpriv --reuid=65534 --regid=65534 --clear-groups '$PUBLIC_CONCVIZ' replay '$f'"
	wait_for "worker-1" 10
	wait_for "[truncated]" 5
	shot truncated
	tmux send-keys -t "$SESSION" q
	wait_for 'READY$' 15
	wait_for "truncated at offset" 5
	tmux send-keys -t "$SESSION" "echo STATUS=\$?" Enter
	wait_for "STATUS=0" 5
	shot truncated-after-quit
	# the warning is one line, after the TUI has gone
	[ "$(grep -c 'concviz: .*truncated at offset' <<< "$SCREEN")" = 1 ]
	[[ "$SCREEN" != *"Threads"* ]]
}
