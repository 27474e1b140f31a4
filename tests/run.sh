#!/bin/bash
# tests/run.sh — run every unit test binary (build/tests/test_*) and every
# bats file (tests/e2e/*.bats) and count test cases: each unit binary's named
# cases (TAP, from tests/unit/check.h) and each bats test.  Skipped tests
# (TAP "# skip") are listed and counted as skipped, not passed.  Every failing
# test is named at the end with its output: the CHECK failure lines of a unit
# case, the "# ..." diagnostics of a bats test.  A unit binary or bats file
# that crashes, prints nothing or reports fewer tests than it planned is a
# failure of its own.  The last line is the summary, alone on its line:
#   N passed, N failed               (nothing skipped)
#   N passed, N failed, N skipped
# Exit status 1 if anything failed.  Output is kept in build/test-output/.
# Env: E2E=0 skips the bats tests; BATS_FILTER=regex passes --filter to bats.
set -u
cd "$(dirname "$0")/.." || exit 1
passed=0 failed=0 skipped=0
out=build/test-output; mkdir -p "$out"
failures=$out/failures.txt skips=$out/skipped.txt
: > "$failures"; : > "$skips"

# fail NAME [DETAIL-FILE]: count a failure not reported by a TAP line
fail() {
	failed=$((failed + 1))
	echo "  $1" >> "$failures"
	[ -n "${2:-}" ] && [ -s "$2" ] && tail -n 20 "$2" | sed 's/^/    | /' >> "$failures"
}

# tally LABEL PREFIX TAP RC [LOG]: count the TAP results in file TAP (RC: the
# exit status of what wrote it; LOG: its other output).  Test names are
# PREFIX + the name on the TAP line; LABEL names the producer itself when it
# misbehaves.  Remembers skipped and failed tests with their "# ..." lines.
tally() {
	local label=$1 prefix=$2 tap=$3 rc=$4 log=${5:-}
	local line plan="" results=0 nfail=0 in_fail=0
	local skip_re='^ok [0-9]+ (- )?(.*) # [sS][kK][iI][pP]( (.*))?$'
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}; in_fail=0
		elif [[ $line =~ $skip_re ]]; then
			results=$((results + 1)); skipped=$((skipped + 1)); in_fail=0
			echo "  $prefix${BASH_REMATCH[2]}${BASH_REMATCH[4]:+  (${BASH_REMATCH[4]})}" >> "$skips"
		elif [[ $line =~ ^ok\ [0-9]+ ]]; then
			results=$((results + 1)); passed=$((passed + 1)); in_fail=0
		elif [[ $line =~ ^not\ ok\ [0-9]+\ (-\ )?(.*)$ ]]; then
			results=$((results + 1)); failed=$((failed + 1)); nfail=$((nfail + 1)); in_fail=1
			echo "  $prefix${BASH_REMATCH[2]}" >> "$failures"
		elif [ "$in_fail" = 1 ] && [[ $line == "#"* ]]; then
			echo "    $line" >> "$failures"
		fi
	done < "$tap"

	local why=()
	[ "$rc" -gt 128 ] && why+=("killed by signal $((rc - 128))")
	if [ -z "$plan" ]; then
		[ "$results" = 0 ] && why+=("printed no test results") || why+=("stopped after $results tests, no plan line")
	elif [ "$plan" != "$results" ]; then
		why+=("planned $plan tests, reported $results")
	fi
	[ "$rc" != 0 ] && [ "$rc" -le 128 ] && [ "$nfail" = 0 ] && [ ${#why[@]} = 0 ] &&
		why+=("exited with status $rc though no test failed")
	[ "$rc" = 0 ] && [ "$nfail" != 0 ] && why+=("exited with status 0 though a test failed")
	if [ ${#why[@]} != 0 ]; then
		local msg
		msg=$(IFS=';'; echo "${why[*]}")
		fail "$label: ${msg//;/; }" "$log"
	fi
}

echo "== unit tests"
nunit=0
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	nunit=$((nunit + 1))
	"$t" > "$out/$n.tap" 2> "$out/$n.stderr"
	rc=$?
	sed 's/^/  /' "$out/$n.tap"
	tally "$n (the binary)" "" "$out/$n.tap" "$rc" "$out/$n.stderr"
done
[ "$nunit" = 0 ] && fail "unit tests: no build/tests/test_* binaries (run make unit)"

if [ "${E2E:-1}" != 0 ]; then
	echo "== end-to-end tests (bats)"
	args=()
	[ -n "${BATS_FILTER:-}" ] && args+=(--filter "$BATS_FILTER")
	for f in tests/e2e/*.bats; do
		n=$(basename "$f")
		echo "  -- $n"
		bats --tap "${args[@]}" "$f" 2>&1 | tee "$out/$n.tap" | sed 's/^/  /'
		rc=${PIPESTATUS[0]}
		tally "$n (the file)" "$n: " "$out/$n.tap" "$rc" "$out/$n.tap"
	done
fi

if [ -s "$skips" ]; then
	echo "== skipped ($skipped)"
	cat "$skips"
fi
if [ -s "$failures" ]; then
	echo "== failed ($failed)"
	cat "$failures"
fi
if [ "$skipped" = 0 ]; then
	echo "$passed passed, $failed failed"
else
	echo "$passed passed, $failed failed, $skipped skipped"
fi
[ "$failed" = 0 ]
