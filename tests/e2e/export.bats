#!/usr/bin/env bats
# export.bats — every example's recording, exported as Chrome JSON, imports
# cleanly: Perfetto's JSON import rules (re-implemented, with references into
# its source, by shared/tools/perfetto_json_check.py — shared/ is a sibling of
# the clone) find no problem at all, speedscope's importer nests every slice
# (speedscope_nesting.py), and the content is what the export promises:
# io_uring requests on async tracks under their process (id2.local), wakeup
# arrows whose ends start slices, the metadata where Perfetto reads it.
# Checker reports are kept in build/test-output/export-EXAMPLE.check.txt.

load helpers

CHECKER="${PERFETTO_JSON_CHECK:-$ROOT/../shared/tools/perfetto_json_check.py}"

setup() {
	[ "$(id -u)" = 0 ] || skip "recording needs root"
	command -v jq > /dev/null || skip "jq missing"
}

# exported NAME [example args]: NAME recorded for 1 s and exported, once per
# file run; $T the trace JSON, $L the live --json summary
exported() {
	local name=$1; shift
	local r="$BATS_FILE_TMPDIR/$name.cvz"
	T="$BATS_FILE_TMPDIR/$name.trace.json"
	L="$BATS_FILE_TMPDIR/$name.live.json"
	[ -s "$T" ] && return 0
	rm -f "$r" "$T"
	timeout 60 "$CONCVIZ" run --json -o "$r" "$name" --seconds 1 "$@" > "$L" 2> "$BATS_FILE_TMPDIR/$name.stderr" || {
		echo "concviz run -o $r $name exited $?"; tail -n 5 "$BATS_FILE_TMPDIR/$name.stderr"; return 1; }
	timeout 60 "$CONCVIZ" export --format chrome -o "$T" "$r" 2> "$BATS_FILE_TMPDIR/$name.export.err" || {
		echo "concviz export $name exited $?"; cat "$BATS_FILE_TMPDIR/$name.export.err"; rm -f "$T"; return 1; }
}

# imports_cleanly NAME [example args]: the checker reports 0 for every rule
# (it always exits 0: the report is the verdict), speedscope mis-nests no
# slice, and the trace's ends are bound to slices
imports_cleanly() {
	local name=$1 rep="$OUT_DIR/export-$1.check.txt"
	if [ ! -f "$CHECKER" ]; then
		# CI always has shared/ beside the clone: there its absence fails;
		# a developer's clone elsewhere is told why the check did not run
		[ "${CI:-}" = true ] || skip "perfetto_json_check.py not at $CHECKER (shared/ beside the clone, or PERFETTO_JSON_CHECK)"
		echo "perfetto_json_check.py not found at $CHECKER: shared/ must be a sibling of the clone" \
			"(or set PERFETTO_JSON_CHECK to its path)"
		return 1
	fi
	command -v python3 > /dev/null || { echo "python3 missing (make deps installs it)"; return 1; }
	exported "$@"
	python3 "$CHECKER" -n 3 "$T" > "$rep" 2>&1 || { echo "checker exited $?"; cat "$rep"; return 1; }
	# it ran its whole rule table over a real trace
	[ "$(grep -c '^  \[ok \]' "$rep")" -ge 30 ] && grep -q 'flows_perfetto_would_create' "$rep" ||
		{ echo "no rule table from the checker:"; cat "$rep"; return 1; }
	awk '$1 == "events" && $2 > 100 { ok = 1 } END { exit !ok }' "$rep" ||
		{ echo "$name: too few events"; cat "$rep"; return 1; }
	if grep -q '\[VIOL\]' "$rep"; then
		echo "$name: Perfetto import problems (full report: $rep)"
		grep -A 3 '\[VIOL\]' "$rep"
		return 1
	fi
	python3 "$BATS_TEST_DIRNAME/speedscope_nesting.py" "$T"
	flows_bound
	metadata_kept
}

# Every wakeup arrow starts on a slice of the waker that starts at the
# arrow's "s" and ends on the wakee's runnable slice that starts at its "f".
flows_bound() {
	local m
	m=$(jq -r '
		def k: "\(.pid)/\(.tid)/\(.ts)";
		([.traceEvents[] | select(.ph == "X") | {key: k, value: .name}] | from_entries) as $x
		| .traceEvents[]
		| select((.ph == "s" and $x[k] == null) or (.ph == "f" and $x[k] != "runnable"))
		| "\(.ph) id \(.id) at \(.ts) on tid \(.tid): bound to \($x[k] // "nothing")"' "$T" | head -n 5)
	[ -z "$m" ] || { echo "$m"; return 1; }
}

# The trace's metadata under "metadata" (Perfetto's metadata table), the
# same object under "otherData", and no displayTimeUnit.
metadata_kept() {
	jq -e --slurpfile l "$L" '.metadata.target_pid == $l[0].target.pid and .metadata.time_grid_ns == 125
		and .metadata.trace_start_ns > 0 and .metadata == .otherData and (has("displayTimeUnit") | not)
		and ([.traceEvents[] | select(.ph == "X")] | length) > 10' "$T" > /dev/null ||
		{ echo "metadata:"; jq -c '.metadata, .otherData' "$T"; return 1; }
}

@test "export: tour imports into Perfetto and speedscope without a problem" {
	imports_cleanly tour
}

@test "export: blocking imports into Perfetto and speedscope without a problem" {
	imports_cleanly blocking
}

@test "export: nonblocking imports into Perfetto and speedscope without a problem" {
	imports_cleanly nonblocking --poll-interval-us 100
}

@test "export: multiplexed imports into Perfetto and speedscope without a problem" {
	imports_cleanly multiplexed
}

@test "export: iouring imports into Perfetto and speedscope without a problem" {
	imports_cleanly iouring
}

@test "export: locks imports into Perfetto and speedscope without a problem" {
	imports_cleanly locks
}

@test "export: deadlock imports into Perfetto and speedscope without a problem" {
	imports_cleanly deadlock
}

@test "export: semaphore imports into Perfetto and speedscope without a problem" {
	imports_cleanly semaphore
}

@test "export: prodcons imports into Perfetto and speedscope without a problem" {
	imports_cleanly prodcons
}

@test "export: event imports into Perfetto and speedscope without a problem" {
	imports_cleanly event
}

@test "export: gil imports into Perfetto and speedscope without a problem" {
	imports_cleanly gil
}

@test "export: coroutines imports into Perfetto and speedscope without a problem" {
	imports_cleanly coroutines
}

@test "export: procs imports into Perfetto and speedscope without a problem" {
	imports_cleanly procs
}

@test "export: io_uring requests are async slices of their process (id2.local), one per completed request" {
	exported iouring
	# every begin/end: a process-scoped id, the submitting process's pid, no global id
	jq -e '[.traceEvents[] | select(.cat == "io_uring" and (.ph == "b" or .ph == "e"))] as $a
		| ($a | length) > 10
		and ($a | all(.id2.local != null and .id == null and (.pid | type) == "number" and .pid > 0))
		and ([$a[] | select(.ph == "b")] | length) == ([$a[] | select(.ph == "e")] | length)' "$T" > /dev/null ||
		{ echo "io_uring async events:"; jq -c '[.traceEvents[] | select(.cat == "io_uring")][:3][]' "$T"; return 1; }
	# on the pids of the threads that submitted, one request per completion
	m=$(jq -n -r --slurpfile t "$T" --slurpfile l "$L" '
		($l[0].threads | map(select(.uring.completed > 0))) as $sub
		| ($t[0].traceEvents | map(select(.cat == "io_uring" and (.ph == "b" or .ph == "i")))) as $req
		| $sub[] | . as $th
		| ($req | map(select(.tid == $th.tid and .pid == $th.pid)) | length) as $n
		| select($n != $th.uring.completed)
		| "tid \(.tid): \($n) requests exported, \(.uring.completed) completed"')
	[ -z "$m" ] || { echo "$m"; return 1; }
	[ "$(jq '[.threads[].uring.completed] | add' "$L")" -gt 10 ]
}

@test "export: wakeup arrows go from the waker to the wakee's runnable slice, never backwards" {
	exported locks
	# many arrows; each f at or after its s; each s/f pair on two different threads
	jq -e '[.traceEvents[] | select(.ph == "s")] as $s
		| ([.traceEvents[] | select(.ph == "f") | {key: (.id | tostring), value: .}] | from_entries) as $f
		| ($s | length) > 100
		and ($s | all($f[.id | tostring] as $e | $e != null and $e.ts >= .ts and $e.tid != .tid))' "$T" > /dev/null ||
		{ echo "flows:"; jq -c '[.traceEvents[] | select(.ph == "s" or .ph == "f")][:6][]' "$T"; return 1; }
	flows_bound
}
